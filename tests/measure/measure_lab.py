"""What the lab's checkpoints cost: a measurement, not a test (docs/lab.md).

    python tests/measure/measure_lab.py [--data-dir ../shared/data/mnist] [--epochs 3] [--json]

Trains the `mnist` preset (784-256-128-10 ReLU, Adam, batch 128) and after each
epoch times one checkpoint exactly as the Train page takes it (pages/helpers/lab.py
`checkpoint`): the model file (stored, not deflated), the optimizer's and the
trainer's state written to a
SQLite lab store in a temporary NNLAB_HOME, one transaction.  Then the same for the
`digits-quick` preset, whose epochs are tiny (there the page's budget, 5 % of the
time, spaces checkpoints out).  Without --data-dir or ../shared/data/mnist:
digits only.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import nnlab  # noqa: E402,F401  first, before NumPy: nnlab/fast/openblas.py

from nnlab.data import datasets as nndata  # noqa: E402
from nnlab.experiments import presets  # noqa: E402
from nnlab.store import open_store, parts  # noqa: E402
from nnlab.train.trainer import Trainer  # noqa: E402

MNIST = ROOT.parent / "shared" / "data" / "mnist"


def measure(ds, preset, epochs):
    net, cfg = presets.build(preset, ds, seed=0, epochs=epochs)
    trainer = Trainer(net, ds, cfg)
    with tempfile.TemporaryDirectory() as home:
        store = open_store(home)
        token = store.create_lab()
        epoch_s, save_s, size = [], [], 0
        for record in trainer.run():
            t0 = time.perf_counter()
            model = parts.model_file(net, ds.meta(), trainer.history, cfg.to_dict())
            store.save_parts(token, {"model": model, "model_state": parts.to_json(parts.trainer_state(trainer)),
                                     "optimizer": parts.optimizer_bytes(trainer.optimizer)})
            save_s.append(time.perf_counter() - t0)
            epoch_s.append(record["seconds"])
            size = len(model)
    epoch, save = min(epoch_s), statistics.median(save_s)
    return {"preset": preset, "epochs": epochs, "best_epoch_s": round(epoch, 4), "median_checkpoint_s": round(save, 4),
            "checkpoint_share_of_best_epoch": round(save / epoch, 4), "model_file_bytes": size}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=str(MNIST) if MNIST.is_dir() else None)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = [measure(nndata.load_dataset("digits"), "digits-quick", 20)]
    if args.data_dir:
        rows.insert(0, measure(nndata.load_dataset("mnist", data_dir=args.data_dir), "mnist", args.epochs))
    for r in rows:
        print(f"{r['preset']}: best epoch {r['best_epoch_s']:.3f} s, checkpoint (median) "
              f"{1000 * r['median_checkpoint_s']:.1f} ms = {100 * r['checkpoint_share_of_best_epoch']:.1f} % of an "
              f"epoch; model file {r['model_file_bytes'] / 2**20:.2f} MB")
    if args.json:
        print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    main()
