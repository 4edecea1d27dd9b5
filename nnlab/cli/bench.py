"""`python -m nnlab bench accuracy|speed|sweep`: benchmarks against scikit-learn (and
PyTorch), and the tutorial's λ sweep serial vs joblib vs a local Dask cluster."""
from __future__ import annotations

import json

from nnlab.cli.common import Parser, add_data_args, dataset_from_args, int_range, out


def add_parser(sub):
    b = sub.add_parser("bench", help="benchmarks against scikit-learn (and PyTorch)")
    bsub = b.add_subparsers(dest="bench", required=True, parser_class=Parser)
    ba = bsub.add_parser("accuracy", help="mean test accuracy of the preset vs MLPClassifier over seeds")
    add_data_args(ba)
    ba.add_argument("--seeds", type=int_range("--seeds", 1, 100), default=5)
    ba.add_argument("--json", action="store_true")
    bs = bsub.add_parser("speed", help="seconds per epoch: nnlab vs scikit-learn vs PyTorch vs GEMM floor")
    bs.add_argument("--epochs", type=int_range("--epochs", 1, 100), default=2)
    bs.add_argument("--json", action="store_true")
    bs.add_argument("--profile", action="store_true",
                    help="then time each pass of the fast engine's epoch (products, activations, softmax, update, ...)")
    for p in (ba, bs):
        p.add_argument("--data-dir", default=None, help="folder with the MNIST IDX files")
    bw = bsub.add_parser("sweep", help="the tutorial's λ sweep: serial vs joblib vs a local Dask cluster")
    bw.add_argument("--epochs", type=int_range("--epochs", 1, 10_000), default=1000)
    bw.add_argument("--n-jobs", type=int_range("--n-jobs", 2, 64), default=2)
    bw.add_argument("--json", action="store_true")


def run(args):
    from nnlab.experiments import bench

    if args.bench == "accuracy":
        return bench.accuracy(args, dataset_from_args(args), out)
    if args.bench == "sweep":
        return _sweep(args)
    return bench.speed(args, out)


def _sweep(args) -> int:
    from nnlab.experiments.bench_sweep import bench_sweep, report

    result = bench_sweep(epochs=args.epochs, n_jobs=args.n_jobs)
    out(report(result))
    if args.json:
        out(json.dumps({k: v for k, v in result.items() if not k.endswith("_results")}))
    return 0
