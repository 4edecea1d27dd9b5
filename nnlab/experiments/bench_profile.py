"""``python -m nnlab bench speed --profile``: where an epoch of the fast engine goes.

The passes of the speed task's epoch (``engines.profile_epochs``), each as seconds per
epoch, share of the epoch and ratio to the GEMM floor measured in the same run.
"""
from __future__ import annotations

from nnlab.train import engines


def profile(trainer, epochs: int, floor: float, out) -> dict:
    """Profile `epochs` more epochs of the fast-engine `trainer` (warm: it has trained
    already); print the fastest one's passes; return the profile (JSON-ready)."""
    result = engines.profile_epochs(trainer, epochs)
    best, fused = result["best"], result["fused"]
    out(f"profile of the fast engine ({engines.kernels_in_use(trainer)} element-wise kernels), "
        f"the fastest of {epochs} instrumented epoch{'s' if epochs > 1 else ''}: {best['epoch']:.3f} s "
        f"(GEMM floor {floor:.3f} s)")
    out(f"  {'pass':36s} {'s/epoch':>8s} {'share':>6s} {'÷ floor':>8s}")
    for part, share in result["share"].items():
        note = f"   ({fused[part]})" if part in fused else ""
        out(f"  {part:36s} {best[part]:8.3f} {share:6.1%} {best[part] / floor:8.2f}{note}")
    gemms = best["forward GEMMs"] + best["backward GEMMs"]
    out(f"  the products inside the epoch: {gemms:.3f} s ({gemms / floor:.2f}x the floor); "
        f"everything else: {best['epoch'] - gemms:.3f} s ({(best['epoch'] - gemms) / floor:.2f}x the floor)")
    result["gemm_floor_s_per_epoch"] = floor
    return result
