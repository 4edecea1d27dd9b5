"""Sweeps: train the same setup for several values of one or two settings (and
several seeds), in parallel, and pick the best by validation accuracy.

    from nnlab import sweep
    axes = {"l2": sweep.parse_values("l2", "logspace:-2:2:10")}
    for result in sweep.run(data, net_cfg, train_cfg, axes, seeds=[0], n_jobs=2):
        print(result)                    # one dict per finished run, in the order they finish
    best = sweep.best(results)           # the value(s) with the highest mean validation accuracy

Each run is independent, so the work is handed to joblib (loky worker
processes by default; `n_jobs`) or, with `scheduler="tcp://host:8786"`, to a
Dask cluster through joblib's Dask backend — no pool of our own.  Every run
trains with one BLAS thread (nnlab/train/fast/room.py), wherever it runs, so runs do not
fight over cores and the numbers are the same serial, parallel and on Dask.
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import asdict, replace

import numpy as np

from nnlab.core import hyperparams
from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.train.trainer import Trainer

MAX_RUNS = 500  # values x seeds: a tenth of that already takes minutes on digits
MAX_DASK_CONNECT_SECONDS = 10
NETWORK_KEYS = {s.name for s in hyperparams.section("network") if not s.required} - {"dtype"}
TRAIN_KEYS = {s.name for s in hyperparams.section("train")} - {"seed"}  # seeds are their own axis
SWEEPABLE = [s.name for s in hyperparams.SETTINGS if s.name in NETWORK_KEYS | TRAIN_KEYS]  # the table's order


class SweepError(ValueError):
    """A sweep cannot run as asked; the message is one line."""


# ------------------------------------------------------------------ values
def parse_values(param: str, text) -> list:
    """The values of `param` from "logspace:a:b:n" (10**a .. 10**b), "linspace:a:b:n",
    or a comma list ("0.01,0.1,1"; names for choices: "relu,sigmoid"); a list passes through."""
    check_param(param)
    if not isinstance(text, str):
        values = list(text)
    else:
        kind, _, rest = text.partition(":")
        if kind in ("logspace", "linspace"):
            parts = rest.split(":")
            try:
                a, b, n = float(parts[0]), float(parts[1]), int(parts[2])
                if len(parts) != 3:
                    raise ValueError
            except (ValueError, IndexError):
                raise SweepError(f"{kind} takes start:stop:count, e.g. {kind}:-2:2:10; got {text!r}") from None
            if not 1 <= n <= MAX_RUNS:
                raise SweepError(f"a {kind} of {n} values: give 1 to {MAX_RUNS}")
            values = list((np.logspace if kind == "logspace" else np.linspace)(a, b, n))
        else:
            values = [v.strip() for v in text.split(",") if v.strip()]
    if not values:
        raise SweepError(f"no values given for {param}")
    return [_typed(param, v) for v in values]


def _typed(param: str, value):
    """`value` (text from a list, or a value) as the setting's type, checked against the
    settings table: text is read by the setting's own type (nnlab/core/types.py)."""
    setting = hyperparams.get(param)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and setting.type == "int" and value.is_integer():
        value = int(value)  # linspace:1:5:5 gives 1.0, 2.0, ...
    try:
        return setting.parse(value) if isinstance(value, str) else setting.check(value)
    except ValueError as e:
        raise SweepError(str(e)) from None


def check_param(param: str) -> str:
    if param not in SWEEPABLE:
        raise SweepError(f"unknown setting {param!r} to sweep; choose one of {', '.join(SWEEPABLE)}")
    return param


def configs_for(net_cfg: NetworkConfig, train_cfg: TrainConfig, setting: dict, seed: int):
    """(NetworkConfig, TrainConfig) with `setting` ({param: value}) and `seed` applied (validated)."""
    net = {k: v for k, v in setting.items() if k in NETWORK_KEYS}
    train = {k: v for k, v in setting.items() if k in TRAIN_KEYS}
    if "activations" in net and len(net["activations"]) == 1:  # one name: every layer
        net["activations"] = list(net["activations"]) * len(net.get("hidden", net_cfg.hidden))
    if "hidden" in net and "activations" not in net:  # one activation for every layer of the new depth
        net["activations"] = [net_cfg.activations[0] if net_cfg.activations else "relu"] * len(net["hidden"])
    try:
        return (NetworkConfig(**{**asdict(net_cfg), **net}),
                TrainConfig(**{**asdict(train_cfg), **train, "seed": int(seed)}))
    except (TypeError, ValueError) as e:
        raise SweepError(f"{', '.join(f'{k}={v}' for k, v in setting.items())}: {e}") from None


def plan(net_cfg, train_cfg, axes: dict, seeds) -> list:
    """Every (setting, seed) to run, checked before anything trains."""
    if not 1 <= len(axes) <= 2:
        raise SweepError("sweep one setting, or two for a grid")
    for p in axes:
        check_param(p)
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise SweepError("give at least one seed")
    settings = [dict(zip(axes, combo)) for combo in itertools.product(*axes.values())]
    n = len(settings) * len(seeds)
    if n > MAX_RUNS:
        raise SweepError(f"{len(settings)} values x {len(seeds)} seeds = {n} runs; a sweep runs at most {MAX_RUNS}")
    runs = [(s, seed) for s in settings for seed in seeds]
    for s, seed in runs:
        configs_for(net_cfg, train_cfg, s, seed)  # every value valid before the first run starts
    return runs


# -------------------------------------------------------------------- runs
def one_run(data, net_cfg: NetworkConfig, train_cfg: TrainConfig, setting: dict, seed: int) -> dict:
    """Train one network (in whatever process joblib or Dask gives it) with one BLAS thread."""
    from nnlab.train import engines

    engines.reuse_freed_memory()  # on a Dask worker, whose environment makes every large array a fresh mmap
    net_cfg, train_cfg = configs_for(net_cfg, train_cfg, setting, seed)
    t0 = time.perf_counter()
    with engines.one_blas_thread():  # every turn of this run on one BLAS thread (nnlab/train/fast/room.py)
        net = Network(net_cfg, seed=train_cfg.seed)
        trainer = Trainer(net, data, train_cfg)
        for _ in trainer.run():
            pass
    last = trainer.history[-1] if trainer.history else {}
    best_val = max((r["val_accuracy"] for r in trainer.history if r.get("val_accuracy") is not None),
                   default=None)
    return {**{k: _plain(v) for k, v in setting.items()}, "seed": int(seed),
            "val_accuracy": last.get("val_accuracy"), "best_val_accuracy": best_val,
            "train_loss": last.get("train_loss"), "val_loss": last.get("val_loss"),
            "epochs": len(trainer.history), "stopped": trainer.stopped_reason,
            "seconds": round(time.perf_counter() - t0, 3)}


def _plain(v):
    return list(v) if isinstance(v, (list, tuple)) else v


def run(data, net_cfg, train_cfg, axes: dict, seeds=(0,), n_jobs: int | None = None, scheduler: str | None = None):
    """Yield one result dict per finished run, as they finish (a generator: the
    caller may stop reading; runs not yet started are then cancelled by joblib)."""
    from joblib import Parallel, delayed, parallel_config

    runs = plan(net_cfg, train_cfg, axes, seeds)
    jobs = (delayed(one_run)(data, net_cfg, train_cfg, s, seed) for s, seed in runs)
    if scheduler:
        client = connect(scheduler)
        try:
            with parallel_config(backend="dask", wait_for_workers_timeout=MAX_DASK_CONNECT_SECONDS, scatter=[data]):
                yield from Parallel(n_jobs=-1, return_as="generator_unordered")(jobs)
        finally:
            client.close()
        return
    yield from Parallel(n_jobs=n_jobs or -1, return_as="generator_unordered")(jobs)  # n_jobs=1: in this process


def connect(scheduler: str):
    """A dask.distributed Client for `scheduler`, or SweepError within seconds."""
    try:
        from distributed import Client
    except ImportError:
        raise SweepError("running on a Dask cluster needs dask.distributed: pip install 'distributed'") from None
    try:
        return Client(scheduler, timeout=MAX_DASK_CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as e:
        raise SweepError(f"the Dask scheduler at {scheduler} does not answer ({type(e).__name__}); "
                         "start it with 'dask scheduler' or check the address") from None


# ------------------------------------------------------------------- best
def summary(results: list, axes) -> list:
    """One row per setting: its values, the mean and std of validation accuracy over seeds."""
    keys = list(axes)
    groups: dict = {}
    for r in results:
        groups.setdefault(tuple(_key(r[k]) for k in keys), []).append(r)
    rows = []
    for key, rs in groups.items():
        acc = [r["val_accuracy"] for r in rs if r["val_accuracy"] is not None and math.isfinite(r["val_accuracy"])]
        rows.append({**{k: rs[0][k] for k in keys}, "runs": len(rs),
                     "val_accuracy_mean": float(np.mean(acc)) if acc else None,
                     "val_accuracy_std": float(np.std(acc)) if acc else None})
    return rows


def _key(v):
    return tuple(v) if isinstance(v, list) else v


def best(results: list, axes) -> dict:
    """The summary row with the highest mean validation accuracy (the first such setting)."""
    rows = [r for r in summary(results, axes) if r["val_accuracy_mean"] is not None]
    if not rows:
        raise SweepError("no run finished with a validation accuracy")
    return max(rows, key=lambda r: r["val_accuracy_mean"])


def retrain_best(data, net_cfg, train_cfg, best_row: dict, axes, seed: int) -> dict:
    """Train the best setting again and report its test accuracy (the tutorial's last step)."""
    setting = {k: best_row[k] for k in axes}
    net_cfg, train_cfg = configs_for(net_cfg, train_cfg, setting, seed)
    net = Network(net_cfg, seed=seed)
    trainer = Trainer(net, data, replace(train_cfg))
    for _ in trainer.run():
        pass
    test_loss, test_acc = net.evaluate(data.X_test, data.y_test)[:2]
    # (its curve and time too: a room's scoreboard shows them, pages/helpers/room_post.py)
    return {**setting, "val_accuracy": best_row["val_accuracy_mean"], "test_accuracy": float(test_acc),
            "test_loss": float(test_loss), "seconds": round(trainer.train_seconds, 3),
            "curve": [r.get("val_accuracy") for r in trainer.history]}
