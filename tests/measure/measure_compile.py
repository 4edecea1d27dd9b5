"""What numba's kernels cost a fresh process: a measurement, not a test.

    python tests/measure/measure_compile.py [--reps 3] [--json]

Each rep starts fresh Python processes, in turn:

* "warm": import numba and load the MNIST task's kernels (relu forward and derivative,
  softmax cross-entropy, Adam, float32) from numba's on-disk cache, then one step;
* "cold": the same with an empty cache folder (NUMBA_CACHE_DIR): everything compiled;
* "numpy": the same step with NNLAB_NUMBA=0 (no numba at all);
* "digits-quick": ``python -m nnlab train --preset digits-quick``, the whole command
  (its network is small: it never loads numba).

Prints the median seconds of each; "warm" and "cold" are the time numba adds to the
first step (the kernels' first calls, less the same step done again).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STEP = """
import time
t0 = time.perf_counter()
import nnlab, numpy as np
from nnlab.core.config import NetworkConfig
from nnlab.core.network import Network
from nnlab.train.engines import make_optimizer
from nnlab.train.fast.backprop import FastPass
net = Network(NetworkConfig(784, 10, [256, 128], ["relu"]), seed=0)
X, y = np.random.default_rng(0).random((128, 784), dtype=np.float32), np.arange(128) % 10
t1 = time.perf_counter()
backprop, opt = FastPass(net), make_optimizer("adam", lr=1e-3)
backprop(X, y); opt.step(net.flat_params, net.flat_grads)
t2 = time.perf_counter()
backprop(X, y); opt.step(net.flat_params, net.flat_grads)
t3 = time.perf_counter()
print((t2 - t1) - (t3 - t2), backprop.ops.name)
"""


def first_step(env) -> tuple:
    r = subprocess.run([sys.executable, "-c", STEP], cwd=ROOT, env={**os.environ, **env},
                       capture_output=True, text=True, timeout=300, check=True)
    seconds, ops = r.stdout.split()
    return float(seconds), ops


def whole_command(*args) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "nnlab", *args], cwd=ROOT, capture_output=True, timeout=300, check=True)
    return time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    env = {"NNLAB_NUMBA": "auto"}
    seconds = {"warm": [], "cold": [], "numpy": [], "digits-quick": []}
    first_step(env)  # fills the on-disk cache for the "warm" runs
    for rep in range(args.reps):
        with tempfile.TemporaryDirectory() as empty:
            s, ops = first_step({**env, "NUMBA_CACHE_DIR": empty})
        seconds["cold"].append(s)
        seconds["warm"].append(first_step(env)[0])
        seconds["numpy"].append(first_step({"NNLAB_NUMBA": "0"})[0])
        seconds["digits-quick"].append(whole_command("train", "--preset", "digits-quick"))
        print(f"rep {rep + 1}: " + "  ".join(f"{k} {v[-1]:.3f} s" for k, v in seconds.items()) + f"  ({ops})",
              flush=True)
    medians = {k: statistics.median(v) for k, v in seconds.items()}
    print("medians: " + "  ".join(f"{k} {v:.3f} s" for k, v in medians.items()))
    print("numba's cost to the first training step of the MNIST task: "
          f"{medians['warm']:.2f} s with its cache warm, {medians['cold']:.2f} s cold")
    if args.json:
        print(json.dumps({"seconds": seconds, "medians": medians}))


if __name__ == "__main__":
    main()
