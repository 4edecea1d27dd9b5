"""Where an epoch of the fast engine goes, pass by pass (``bench speed --profile``).

The profiler wraps, on one trainer's own objects, the calls each pass makes — the
methods of its ``ops`` (``ops.py``), its optimizer's ``step``, its batch source's
``gather`` and ``before_step`` — with a timer.  Nothing else is touched: the normal
path has no timer and no check for one.  Times are exclusive (a pass called inside
another counts once, for itself) and seen from the training thread: with the NumPy
update shared with the helper thread, "optimizer update" is this thread's part plus
its wait for the helper, which first gathers the next batch.
"""
from __future__ import annotations

import time

PARTS = ("forward GEMMs", "activation forward", "backward GEMMs", "activation derivative", "bias gradients",
         "softmax + cross-entropy + gradient", "optimizer update", "batch copies/gathers", "other")
# ops method -> part (penalty: in "other"; the bias add is in "activation forward")
OPS_PARTS = {"forward_product": "forward GEMMs", "activate": "activation forward",
             "weight_product": "backward GEMMs", "input_product": "backward GEMMs",
             "derivative": "activation derivative", "bias_sum": "bias gradients",
             "softmax_ce": "softmax + cross-entropy + gradient"}


class Timer:
    """Seconds per part, exclusive of the timed calls made inside a timed call."""

    def __init__(self):
        self.totals = dict.fromkeys(PARTS, 0.0)
        self._inner = [0.0]  # per open call: time spent in timed calls inside it

    def wrap(self, fn, part):
        def timed(*args, **kwargs):
            self._inner.append(0.0)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.perf_counter() - t0
                self.totals[part] += spent - self._inner.pop()
                self._inner[-1] += spent
        return timed

    def reset(self):
        self.totals = dict.fromkeys(PARTS, 0.0)


def instrument(trainer) -> Timer:
    """Wrap the passes of `trainer` (a fast-engine Trainer) with a new Timer."""
    ops = getattr(trainer.backprop, "ops", None)
    if ops is None:
        raise ValueError("the profile is of the fast engine's passes (engine='fast')")
    timer = Timer()
    for method, part in OPS_PARTS.items():
        setattr(ops, method, timer.wrap(getattr(ops, method), part))
    trainer.optimizer.step = timer.wrap(trainer.optimizer.step, "optimizer update")
    for method in ("gather", "before_step"):
        setattr(trainer.source, method, timer.wrap(getattr(trainer.source, method), "batch copies/gathers"))
    return timer


def profile_epochs(trainer, epochs: int) -> dict:
    """Train `epochs` epochs of `trainer` with its passes timed; returns
    {"ops": "numba" or "numpy", "fused": {part: where it went}, "epochs": [{part: s, "epoch": s}],
     "best": the fastest epoch's row, "share": its parts as fractions of it}."""
    timer = instrument(trainer)
    rows = []
    for _ in range(epochs):
        timer.reset()
        t0 = time.perf_counter()
        next(trainer.run(1))
        total = time.perf_counter() - t0
        row = dict(timer.totals)
        row["other"] = max(0.0, total - sum(v for k, v in row.items() if k != "other"))
        row["epoch"] = total
        rows.append(row)
    best = min(rows, key=lambda r: r["epoch"])
    ops = trainer.backprop.ops
    return {"ops": ops.name, "fused": dict(ops.fused), "epochs": rows, "best": best,
            "share": {k: best[k] / best["epoch"] for k in PARTS}}
