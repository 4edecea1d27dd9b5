"""Where an nnlab epoch goes: a measurement, not a test.

    python tests/measure/measure_epoch.py [--data-dir ../shared/data/mnist] [--epochs 3] [--json]

The `bench speed` task (MNIST, 784-256-128-10 ReLU, Adam, batch 128, float32).
Each round times, in turn:

* the GEMM floor — `nnlab.experiments.bench`'s matrix products alone;
* one real `Trainer` epoch, its parts timed by wrapping the calls the loop
  makes: batch gathering (the engine's batch source), `Network._forward`
  (products, bias, ReLU), the loss and its gradient, `Network.backward`, the
  optimizer step; "other" is the rest (the loop itself, argmax, counting);
* the same epoch with a no-op optimizer — everything but the update.

Prints the best of each over the rounds and its ratio to the floor.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import nnlab  # noqa: E402,F401  first, before NumPy: nnlab/fast/openblas.py

import numpy as np  # noqa: E402

from nnlab.experiments import bench  # noqa: E402
from nnlab.data.datasets import load_dataset  # noqa: E402

PARTS = ("gather", "forward", "loss", "backward", "optimizer")


def timed(fn, totals, part):
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[part] += time.perf_counter() - t0
    return wrapper


def instrument(trainer):
    """Wrap the calls of one training step on this trainer's objects; returns the totals dict."""
    totals = dict.fromkeys(PARTS, 0.0)
    net, loss = trainer.net, trainer.net.loss
    net._forward = timed(net._forward, totals, "forward")
    net.backward = timed(net.backward, totals, "backward")
    loss.forward = timed(loss.forward, totals, "loss")
    loss.backward = timed(loss.backward, totals, "loss")
    trainer.optimizer.step = timed(trainer.optimizer.step, totals, "optimizer")
    batches = trainer.source.epoch

    def timed_batches(*args, **kwargs):
        it = batches(*args, **kwargs)
        while True:
            t0 = time.perf_counter()
            batch = next(it, None)
            totals["gather"] += time.perf_counter() - t0
            if batch is None:
                return
            yield batch

    trainer.source.epoch = timed_batches
    return totals


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    ap.add_argument("--epochs", type=int, default=3, help="rounds (default 3)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    data = load_dataset("mnist", data_dir=args.data_dir, val_size=0)
    X = np.ascontiguousarray(data.X_train, dtype=np.float32)
    rng = np.random.default_rng(0)

    full, no_update = bench.speed_trainer(data, epochs=1000), bench.speed_trainer(data, epochs=1000)
    totals = instrument(full)
    no_update.optimizer.step = lambda params, grads: None
    rounds = []
    for r in range(args.epochs):
        floor = bench._gemm_floor(X, bench.SPEED_SIZES, bench.SPEED_BATCH, rng)
        for k in totals:
            totals[k] = 0.0
        t0 = time.perf_counter()
        next(full.run(1))
        epoch = time.perf_counter() - t0
        t0 = time.perf_counter()
        next(no_update.run(1))
        rest = time.perf_counter() - t0
        row = {"floor": floor, "epoch": epoch, **totals, "other": epoch - sum(totals.values()),
               "epoch_without_update": rest}
        rounds.append(row)
        print(f"round {r + 1}: " + "  ".join(f"{k} {v:.3f}" for k, v in row.items()), flush=True)
    best = {k: min(row[k] for row in rounds) for k in rounds[0]}
    print(f"best over {args.epochs} rounds, s per MNIST epoch (and x the GEMM floor):")
    for k, v in best.items():
        print(f"  {k:22s} {v:6.3f}   {v / best['floor']:.2f}x")
    if args.json:
        print(json.dumps({"rounds": rounds, "best": best}))


if __name__ == "__main__":
    main()
