"""Sweeps: values parsed and checked before anything trains; the same numbers
serial, in joblib's worker processes and on a Dask cluster (a LocalCluster on
localhost); the best setting retrained and tested."""
import subprocess
import sys
from pathlib import Path

import pytest

from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.data.datasets import load_dataset
from nnlab.experiments import sweep
from nnlab.experiments.sweep import SweepError


@pytest.fixture(scope="module")
def setup():
    data = load_dataset("digits")
    net = NetworkConfig(64, 10, [16], ["sigmoid"], init="glorot_uniform")
    train = TrainConfig(optimizer="momentum", momentum=0.9, lr=0.2, batch_size=None, epochs=40)
    return data, net, train


def numbers(results, axes):
    keys = list(axes)
    return sorted((tuple(r[k] for k in keys), r["seed"], r["val_accuracy"], r["train_loss"], r["val_loss"])
                  for r in results)


def test_values_from_ranges_lists_and_choices():
    assert sweep.parse_values("l2", "logspace:-2:2:5") == pytest.approx([0.01, 0.1, 1, 10, 100])
    assert sweep.parse_values("lr", "linspace:0.1:0.5:3") == pytest.approx([0.1, 0.3, 0.5])
    assert sweep.parse_values("l2", "0.1, 1") == [0.1, 1.0]
    assert sweep.parse_values("epochs", "10,20") == [10, 20]
    assert sweep.parse_values("activations", "relu,sigmoid") == [["relu"], ["sigmoid"]]
    assert sweep.parse_values("optimizer", "adam, momentum") == ["adam", "momentum"]
    assert sweep.parse_values("augment", "off,affine") == [False, "affine"]
    assert sweep.parse_values("hidden", "64-32,16") == [[64, 32], [16]]


@pytest.mark.parametrize("param, values, words", [
    ("zap", "1,2", "unknown setting 'zap'"),
    ("l2", "logspace:-2:2", "start:stop:count"),
    ("l2", "logspace:-2:2:100000", "1 to 500"),
    ("epochs", "1.5", "epochs must be a whole number"),
    ("lr", "fast", "lr must be a number"),
    ("momentum", "0.5,1.5", "momentum must be"),
    ("optimizer", "adam,zap", "optimizer"),
])
def test_bad_values_are_one_clear_line(param, values, words):
    with pytest.raises(SweepError, match=words):
        sweep.parse_values(param, values)


def test_every_run_is_checked_before_the_first_one_trains(setup):
    data, net, train = setup
    with pytest.raises(SweepError, match="lr=0.1, epochs=0: epochs must be"):
        sweep.plan(net, train, {"lr": [0.1], "epochs": [5, 0]}, [0])
    with pytest.raises(SweepError, match="at most 500"):
        sweep.plan(net, train, {"l2": list(range(300))}, [0, 1])
    with pytest.raises(SweepError, match="activation"):
        sweep.plan(net, train, {"activations": [["relu"], ["zap"]]}, [0])


def test_serial_parallel_and_dask_give_the_same_numbers(setup):
    distributed = pytest.importorskip("distributed")
    data, net, train = setup
    axes = {"l2": [0.01, 1.0, 50.0]}
    serial = list(sweep.run(data, net, train, axes, seeds=[0, 1], n_jobs=1))
    parallel = list(sweep.run(data, net, train, axes, seeds=[0, 1], n_jobs=2))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        on_dask = list(sweep.run(data, net, train, axes, seeds=[0, 1], scheduler=cluster.scheduler_address))
    assert len(serial) == 6
    assert numbers(serial, axes) == numbers(parallel, axes) == numbers(on_dask, axes)
    best = sweep.best(serial, axes)
    assert best["l2"] in (0.01, 1.0) and best["runs"] == 2  # λ = 50 crushes the weights
    final = sweep.retrain_best(data, net, train, best, axes, seed=0)
    assert 0.8 < final["test_accuracy"] <= 1


def test_a_scheduler_that_does_not_answer_is_a_clear_error_within_seconds(setup):
    pytest.importorskip("distributed")
    import socket
    import time

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there
    data, net, train = setup
    t = time.perf_counter()
    with pytest.raises(SweepError, match="does not answer"):
        list(sweep.run(data, net, train, {"l2": [0.1]}, scheduler=f"tcp://127.0.0.1:{port}"))
    assert time.perf_counter() - t < 60


def test_a_grid_of_two_settings(setup):
    data, net, train = setup
    axes = {"lr": [0.1, 0.5], "l2": [0.0, 1.0]}
    results = list(sweep.run(data, net, train, axes, seeds=[0], n_jobs=1))
    rows = sweep.summary(results, axes)
    assert sorted((r["lr"], r["l2"]) for r in rows) == [(0.1, 0.0), (0.1, 1.0), (0.5, 0.0), (0.5, 1.0)]


# ------------------------------------------------------------------ the CLI
def cli(*args, timeout=300):
    import subprocess
    import sys
    from pathlib import Path

    return subprocess.run([sys.executable, "-m", "nnlab", *args], cwd=Path(__file__).resolve().parents[1],
                          capture_output=True, text=True, timeout=timeout)


TUTORIAL = ["sweep", "--dataset", "digits", "--hidden", "48,32", "--activation", "sigmoid", "--optimizer",
            "momentum", "--lr", "0.2", "--momentum", "0.9", "--batch-size", "full", "--param", "l2"]


def test_cli_sweep_the_same_numbers_serial_parallel_and_on_dask(tmp_path):
    import json

    distributed = pytest.importorskip("distributed")
    small = [*TUTORIAL, "--epochs", "150", "--values", "logspace:-2:2:3", "--seeds", "2", "--json"]
    serial = cli(*small, "--n-jobs", "1", "--out", str(tmp_path / "s.csv"))
    parallel = cli(*small, "--n-jobs", "2")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster:
        on_dask = cli(*small, "--scheduler", cluster.scheduler_address)
    outs = []
    for r in (serial, parallel, on_dask):
        assert r.returncode == 0, r.stderr
        outs.append(json.loads(r.stdout.strip().splitlines()[-1]))
        assert len(r.stdout.strip().splitlines()) == 1 + 6 + 1 + 1  # header, a line per run, best, JSON
    keys = ("value", "seed", "val_accuracy", "train_loss", "val_loss")
    rows = [sorted(tuple(x[k] for k in keys) for x in o["results"]) for o in outs]
    assert rows[0] == rows[1] == rows[2] and len(rows[0]) == 6
    assert all(set(x) >= {*keys, "seconds"} for x in outs[0]["results"])
    best = outs[0]["best"]
    assert best == outs[1]["best"] == outs[2]["best"] and set(best) >= {"value", "val_accuracy", "test_accuracy"}
    assert best["value"] in (0.01, 1.0) and 0.8 < best["test_accuracy"] <= 1
    assert (tmp_path / "s.csv").read_text().splitlines()[0].startswith("l2,seed,val_accuracy")


@pytest.mark.parametrize("args, words", [
    (["--values", "1,2", "--param", "zap", "--values", "3"], "unknown setting 'zap'"),
    (["--values", "linspace:1:2"], "start:stop:count"),
    (["--values", "logspace:-2:2:300", "--seeds", "2"], "at most 500"),
    (["--values", "0.1,-1"], "l2 must be"),
])
def test_cli_sweep_bad_input_is_one_line(args, words):
    r = cli(*TUTORIAL, "--epochs", "5", *args)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and words in lines[0], r.stderr


def test_cli_sweep_on_a_scheduler_that_does_not_answer():
    r = cli(*TUTORIAL, "--epochs", "5", "--values", "0.1", "--scheduler", "tcp://127.0.0.1:9", timeout=120)
    assert r.returncode == 2 and "does not answer" in r.stderr and "Traceback" not in r.stderr


def test_a_worker_that_dies_mid_sweep_keeps_and_reports_the_finished_runs(monkeypatch, capsys):
    """joblib raises TerminatedWorkerError when a worker process dies; the CLI reports what finished."""
    import json

    from joblib.externals.loky.process_executor import TerminatedWorkerError

    from nnlab.cli import main as cli

    def dying(data, net_cfg, train_cfg, axes, seeds, n_jobs=None, scheduler=None):
        for v in list(axes["l2"])[:2]:
            yield {"l2": v, "seed": 0, "val_accuracy": 0.9 - v / 1000, "train_loss": 0.1, "val_loss": 0.2,
                   "seconds": 0.1}
        raise TerminatedWorkerError("A worker process managed by the executor was unexpectedly terminated.")

    monkeypatch.setattr(sweep, "run", dying)
    code = cli.main(["sweep", "--epochs", "5", "--param", "l2", "--values", "0.01,1,100", "--json", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 1 and "stopped after 2 of 3 runs: TerminatedWorkerError" in err and "Traceback" not in err
    report = json.loads(out.strip().splitlines()[-1])
    assert [r["value"] for r in report["results"]] == [0.01, 1.0] and report["best"]["value"] == 0.01
    assert report["error"].startswith("the sweep stopped after 2 of 3 runs")


def test_a_sweep_worker_starts_without_sklearn_or_scipy():
    """A worker unpickles one_run and a Dataset: importing them must not load scikit-learn
    or SciPy (0.9 s of each worker's start-up, most of the 2-process sweep's lost speed-up)."""
    code = ("import sys, pickle, nnlab.experiments.sweep, nnlab.data.datasets\n"
            "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_malloc_thresholds_are_raised_only_where_the_environment_froze_them(monkeypatch):
    from nnlab.train.fast import malloc

    monkeypatch.setattr(malloc, "_done", False)
    assert malloc.reuse_freed_blocks(environ={}) is False             # glibc's dynamic rule left alone
    assert malloc.reuse_freed_blocks(environ={"MALLOC_MMAP_THRESHOLD_": "1", "MALLOC_TRIM_THRESHOLD_": "1"}) is False
    assert malloc.reuse_freed_blocks(environ={"MALLOC_TRIM_THRESHOLD_": "65536"}) is True  # a Dask worker's
    assert malloc.reuse_freed_blocks(environ={"MALLOC_TRIM_THRESHOLD_": "65536"}) is False  # once


def test_a_caller_that_stops_reading_cancels_the_runs_not_started(setup, monkeypatch):
    """The Sweep page's Stop: the page stops reading sweep.run; what has not started never runs."""
    started = []
    real = sweep.one_run
    monkeypatch.setattr(sweep, "one_run", lambda *a: started.append(a[3]) or real(*a))
    data, net, train = setup
    results = sweep.run(data, net, train, {"l2": [0.01, 0.1, 1, 10, 100]}, seeds=[0], n_jobs=1)
    first = next(results)
    results.close()
    assert first["l2"] == 0.01 and len(started) < 5
