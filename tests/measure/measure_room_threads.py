"""The room without browsers: N trainings in threads of one process, as the app's
sessions run them.  A measurement, not a test.

    python tests/measure/measure_room_threads.py [--sessions 1 5] [--dataset mnist] [--epochs 4] [--repeat 2]

Each training is the Train page's default setup (the digits-quick preset, sized
to the dataset) with progress every 0.25 s, as the page asks for it; all start
at once, after one uncounted warm-up training.  Prints per N: wall seconds, each
training's seconds, the process's CPU seconds, and the ratio to one training
alone (measure_room.py measures the same with browsers on the same cores).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import nnlab  # noqa: E402,F401  (first: it sets OpenBLAS's thread timeout before NumPy loads)
from nnlab.data import datasets as data  # noqa: E402
from nnlab.experiments import presets  # noqa: E402
from nnlab.train.trainer import Trainer  # noqa: E402


def crowd(ds, n, epochs):
    seconds = [0.0] * n

    def one(i):
        net, cfg = presets.build("digits-quick", ds, seed=0, epochs=epochs)
        t = time.perf_counter()
        for _ in Trainer(net, ds, cfg).run(progress_seconds=0.25):
            pass
        seconds[i] = time.perf_counter() - t

    cpu0, t0 = time.process_time(), time.perf_counter()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"sessions": n, "wall_s": round(time.perf_counter() - t0, 2),
            "each_s": [round(s, 2) for s in seconds], "cpu_s": round(time.process_time() - cpu0, 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 5])
    ap.add_argument("--dataset", default="mnist")
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "mnist"))
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    os.environ.setdefault("NNLAB_MNIST_DIR", args.data_dir)
    ds = data.load_dataset(args.dataset)
    crowd(ds, 1, 1)  # not counted: loading the kernels, first touches of memory
    for _ in range(args.repeat):
        rows = [crowd(ds, n, args.epochs) for n in args.sessions]
        one = next((r["wall_s"] for r in rows if r["sessions"] == 1), None)
        for r in rows:
            if one:
                r["ratio_to_one"] = round(r["wall_s"] / one, 2)
            print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
