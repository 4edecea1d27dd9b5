"""`python -m nnlab sweep`: one setup, several values of a setting (see nnlab/experiments/sweep.py).

    python -m nnlab sweep --dataset digits --hidden 48,32 --activation sigmoid --optimizer momentum \\
        --lr 0.2 --momentum 0.9 --batch-size full --epochs 1000 --param l2 --values logspace:-2:2:10 \\
        --n-jobs 2 --json

The network and training flags are the train command's (generated from the
settings table); --param/--values name the swept setting (twice for a grid).
One line per finished run; with --json the last line is one object:
{"results": [{"value", "seed", "val_accuracy", "train_loss", "val_loss", "seconds", ...}],
 "best": {"value", "val_accuracy", "test_accuracy", ...}}.
"""
from __future__ import annotations

import json
import os
import sys

from nnlab.cli.common import (
    add_data_args,
    add_file_args,
    add_setting_args,
    configs_from_args,
    dataset_from_args,
    int_range,
    out,
)

DASK_ENV = "NNLAB_DASK_SCHEDULER"


def add_parser(sub):
    s = sub.add_parser("sweep", help="train one setup for several values of a setting (joblib or Dask); "
                       "report validation accuracy per value, retrain the best and test it")
    add_data_args(s)
    add_file_args(s)
    s.add_argument("--preset", default=None, help="start from a named preset; explicit flags override it")
    add_setting_args(s, ("network", "train", "engine"))
    s.add_argument("--param", action="append", required=True,
                   help="the setting to sweep (a name of `python -m nnlab hyperparams`); twice for a grid")
    s.add_argument("--values", action="append", required=True,
                   help="its values: logspace:-2:2:10 (10**-2..10**2), linspace:0.1:1:10, or a list 0.1,1,10 "
                        "(names for choices: relu,sigmoid); once per --param")
    s.add_argument("--seeds", type=int_range("--seeds", 1, 20), default=1,
                   help="runs per value, with seeds --seed, --seed+1, ... (mean ± std reported)")
    s.add_argument("--n-jobs", type=int, default=-1, help="worker processes (default -1: every core; 1: serial)")
    s.add_argument("--scheduler", default=os.environ.get(DASK_ENV),
                   help=f"a Dask scheduler address (tcp://host:8786) to run on instead (default ${DASK_ENV})")
    s.add_argument("--out", default=None, help="write the results table (one row per run) to this CSV file")
    s.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    s.add_argument("--quiet", action="store_true", help="no line per run")


def _fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _value(result: dict, params: list):
    v = [result[p] for p in params]
    return v[0] if len(v) == 1 else v


def run(args) -> int:
    from nnlab.experiments import sweep

    if len(args.param) != len(args.values):
        raise sweep.SweepError("give one --values for each --param")
    axes = {p: sweep.parse_values(p, v) for p, v in zip(args.param, args.values)}
    if len(axes) != len(args.param):
        raise sweep.SweepError("the same --param twice")
    data = dataset_from_args(args)
    net_cfg, train_cfg = configs_from_args(args, data)
    seeds = [train_cfg.seed + k for k in range(args.seeds)]
    runs = sweep.plan(net_cfg, train_cfg, axes, seeds)
    params = list(axes)
    where = f"Dask at {args.scheduler}" if args.scheduler else \
        ("1 process" if args.n_jobs == 1 else f"n_jobs={args.n_jobs}")
    if not args.quiet:
        out(f"sweep {' x '.join(params)}: {len(runs)} runs on {data.name} ({where})")
    results, error = [], None
    try:
        for r in sweep.run(data, net_cfg, train_cfg, axes, seeds, n_jobs=args.n_jobs, scheduler=args.scheduler):
            results.append(r)
            if not args.quiet:
                acc = r["val_accuracy"]
                score = f"validation accuracy {acc:.4f}" if acc is not None else "no validation accuracy"
                out(f"[{len(results)}/{len(runs)}] {', '.join(f'{p}={_fmt(r[p])}' for p in params)} seed {r['seed']}: "
                     f"{score} ({r['seconds']:.1f} s)")
    except sweep.SweepError:
        raise
    except Exception as e:  # a worker died, the cluster went away...: keep what finished
        error = f"the sweep stopped after {len(results)} of {len(runs)} runs: {type(e).__name__}: " + \
                (str(e).splitlines()[0][:200] if str(e) else "")
    if args.out:
        import pandas as pd

        pd.DataFrame(results).to_csv(args.out, index=False)
    best = None
    if results:
        row = sweep.best(results, axes)
        final = sweep.retrain_best(data, net_cfg, train_cfg, row, axes, seed=seeds[0])
        best = {"value": _value(row, params), **{p: row[p] for p in params},
                "val_accuracy": row["val_accuracy_mean"], "val_accuracy_std": row["val_accuracy_std"],
                "test_accuracy": final["test_accuracy"]}
        if not args.quiet:
            out(f"best: {', '.join(f'{p}={_fmt(row[p])}' for p in params)}: validation accuracy "
                 f"{row['val_accuracy_mean']:.4f} (mean of {row['runs']}); retrained: test accuracy "
                 f"{final['test_accuracy']:.4f}")
    if args.json:
        out(json.dumps({"results": [{"value": _value(r, params), **r} for r in results], "best": best,
                         "error": error}))
    if error:
        print(f"error: {error}; the finished runs are reported above", file=sys.stderr)
        return 1
    return 0
