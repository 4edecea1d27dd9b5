"""`python -m nnlab bench sweep`: the first tutorial's λ sweep run three ways in
one process — serial, joblib with 2 worker processes, and a local Dask cluster
with 2 workers — timed, with the best λ of each (they must agree: the runs are
seeded and single-threaded wherever they run).

The tutorial: 48-32 sigmoid, Glorot init, full-batch momentum 0.9, lr 0.2,
λ = logspace(-2, 2, 10) on the digits split; 1000 epochs there, fewer here by
default (`epochs`) so the benchmark takes a minute, not five.
"""
from __future__ import annotations

import time


def tutorial_setup(epochs: int = 1000):
    """(data, NetworkConfig, TrainConfig, axes) of the first tutorial's λ sweep: the
    `tutorial` preset (nnlab/experiments/presets.py) with `epochs`, λ = logspace(-2, 2, 10)."""
    from nnlab.core.config import NetworkConfig, TrainConfig
    from nnlab.data.datasets import load_dataset
    from nnlab.experiments.presets import settings
    from nnlab.experiments.sweep import parse_values

    data = load_dataset("digits")
    network, train = settings("tutorial", data)
    net = NetworkConfig(data.n_features, data.n_classes, **network)
    return data, net, TrainConfig(**{**train, "epochs": epochs}), {"l2": parse_values("l2", "logspace:-2:2:10")}


def bench_sweep(epochs: int = 1000, n_jobs: int = 2, dask: bool = True) -> dict:
    from nnlab.experiments import sweep

    data, net, train, axes = tutorial_setup(epochs)
    out = {"epochs": epochs, "runs": len(axes["l2"]), "n_jobs": n_jobs}

    def timed(label, **kw):
        t = time.perf_counter()
        results = list(sweep.run(data, net, train, axes, seeds=[0], **kw))
        out[f"{label}_seconds"] = round(time.perf_counter() - t, 2)
        out[f"{label}_best_l2"] = sweep.best(results, axes)["l2"]
        out[f"{label}_results"] = sorted((r["l2"], r["val_accuracy"]) for r in results)

    timed("serial", n_jobs=1)
    timed("joblib", n_jobs=n_jobs)
    if dask:
        try:
            from distributed import LocalCluster
        except ImportError:
            out["dask_seconds"] = None
        else:
            with LocalCluster(n_workers=n_jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                              host="127.0.0.1") as cluster:
                timed("dask", scheduler=cluster.scheduler_address)
    out["joblib_speedup"] = round(out["serial_seconds"] / out["joblib_seconds"], 2)
    if out.get("dask_seconds"):
        out["dask_over_joblib"] = round(out["dask_seconds"] / out["joblib_seconds"], 2)
        out["same_numbers"] = out["serial_results"] == out["joblib_results"] == out["dask_results"]
    else:
        out["same_numbers"] = out["serial_results"] == out["joblib_results"]
    return out


def report(out: dict) -> str:
    lines = [f"tutorial λ sweep: {out['runs']} runs of {out['epochs']} epochs (48-32 sigmoid, full-batch momentum)",
             f"  serial            {out['serial_seconds']:7.2f} s   best λ {out['serial_best_l2']:.4g}",
             f"  joblib n_jobs={out['n_jobs']}   {out['joblib_seconds']:7.2f} s   best λ {out['joblib_best_l2']:.4g}"
             f"   {out['joblib_speedup']:.2f}x faster than serial"]
    if out.get("dask_seconds"):
        lines.append(f"  Dask, {out['n_jobs']} workers  {out['dask_seconds']:7.2f} s   best λ {out['dask_best_l2']:.4g}"
                     f"   {out['dask_over_joblib']:.2f}x joblib's time")
    lines.append(f"  same numbers everywhere: {out['same_numbers']}")
    return "\n".join(lines)
