"""What recording gradient statistics costs: a measurement, not a test.

    python tests/measure/measure_inside.py [--data-dir ../shared/data/mnist] [--rounds 5] [--networks speed,preset]
                                   [--every-batch] [--json]

Two trainers on MNIST's 55,000 training images, one with ``record_grads=True``,
one without, train one epoch each in turn (AB BA AB..., so a machine busy with
something else slows both alike), on two networks: the `bench speed` task
(784-256-128-10 ReLU, Adam, batch 128) and the `mnist` preset (784-512-256-10,
dropout 0.2, batch 128).  Reported per network: the best and the median epoch of
each, the overhead of the medians, and the time spent inside the statistics'
own calls (``GradStats.before_step`` / ``after_step``), which noise hardly touches.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import nnlab  # noqa: E402,F401  first, before NumPy: nnlab/fast/openblas.py

from nnlab.experiments import bench, presets  # noqa: E402
from nnlab.train import gradstats  # noqa: E402
from nnlab.data.datasets import load_dataset  # noqa: E402
from nnlab.train.trainer import Trainer  # noqa: E402


def _mnist_preset(data, record):
    net, cfg = presets.build("mnist", data, seed=0, epochs=1000, lr_schedule="constant")
    return Trainer(net, data, cfg, record_grads=record)


def _speed_task(data, record):
    trainer = bench.speed_trainer(data, epochs=1000)
    trainer.record_grads = record
    return trainer


NETWORKS = {"speed": ("speed task 784-256-128-10", _speed_task),
            "preset": ("mnist preset 784-512-256-10", _mnist_preset)}


def _count_stats_time(totals):
    """Wrap GradStats' two calls so their time adds up in totals["stats"]."""
    for name in ("before_step", "after_step"):
        fn = getattr(gradstats.GradStats, name)

        def timed(self, *args, _fn=fn, **kwargs):
            t0 = time.perf_counter()
            try:
                return _fn(self, *args, **kwargs)
            finally:
                totals["stats"] += time.perf_counter() - t0
        setattr(gradstats.GradStats, name, timed)


def measure(data, make, rounds, totals):
    off, on = make(data, False), make(data, True)
    next(off.run(1)), next(on.run(1))  # warm-up: buffers, BLAS threads, first-epoch effects
    times = {"off": [], "on": [], "stats": []}
    for r in range(rounds):
        pair = (("off", off), ("on", on))
        for name, trainer in pair if r % 2 == 0 else pair[::-1]:  # each goes first every other round
            totals["stats"] = 0.0
            t0 = time.perf_counter()
            record = next(trainer.run(1))
            times[name].append(time.perf_counter() - t0)
            if name == "on":
                assert record["grad_norms"] is not None
                times["stats"].append(totals["stats"])
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"best_off": min(times["off"]), "best_on": min(times["on"]), "median_off": med["off"],
            "median_on": med["on"], "overhead_median": med["on"] / med["off"] - 1,
            "stats_seconds_median": med["stats"], "stats_share": med["stats"] / med["off"], "rounds": times}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    ap.add_argument("--rounds", type=int, default=5, help="epochs of each trainer (default 5)")
    ap.add_argument("--networks", default="speed,preset", help="which: speed, preset or both (default)")
    ap.add_argument("--every-batch", action="store_true",
                    help="measure every batch instead of 8 an epoch (what the sampling saves)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.every_batch:
        gradstats.SAMPLES = 10 ** 9
    data = load_dataset("mnist", data_dir=args.data_dir, val_size=0)
    totals = {"stats": 0.0}
    _count_stats_time(totals)
    results = {}
    for key in args.networks.split(","):
        name, make = NETWORKS[key.strip()]
        r = results[name] = measure(data, make, args.rounds, totals)
        print(f"{name}: s per epoch, record_grads off / on: best {r['best_off']:.3f} / {r['best_on']:.3f}, "
              f"median {r['median_off']:.3f} / {r['median_on']:.3f} -> overhead {100 * r['overhead_median']:+.1f} % "
              f"(medians); inside the statistics' calls {1000 * r['stats_seconds_median']:.1f} ms per epoch "
              f"= {100 * r['stats_share']:.2f} % of an epoch", flush=True)
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
