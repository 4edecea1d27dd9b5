"""The command line, run as a user runs it: a subprocess, exit codes, stdout/stderr."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def nnlab(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "nnlab", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def last_json(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def test_train_json_then_evaluate_the_saved_model(tmp_path):
    model = tmp_path / "model.npz"
    r = nnlab("train", "--dataset", "digits", "--hidden", "64,32", "--activation", "relu", "--optimizer", "adam",
              "--lr", "0.001", "--batch-size", "32", "--epochs", "15", "--l2", "0.0", "--seed", "0",
              "--save", str(model), "--json")
    assert r.returncode == 0, r.stderr
    out = last_json(r.stdout)
    for key in ("test_accuracy", "val_accuracy", "train_loss", "val_loss", "epochs_run", "train_seconds",
                "seconds_per_epoch", "stopped_reason"):
        assert key in out
    assert out["epochs_run"] == 15 and out["stopped_reason"] == "max_epochs"
    assert out["test_accuracy"] > 0.93
    assert "epoch   15" in r.stdout and "confusion matrix" in r.stdout
    r2 = nnlab("evaluate", "--model", str(model), "--dataset", "digits", "--json")
    assert r2.returncode == 0, r2.stderr
    assert last_json(r2.stdout)["test_accuracy"] == pytest.approx(out["test_accuracy"])


def test_train_with_every_option():
    r = nnlab("train", "--hidden", "20,10", "--activations", "tanh,elu", "--loss", "mse", "--output", "linear",
              "--init", "glorot_uniform", "--optimizer", "nesterov", "--momentum", "0.8", "--lr", "0.05",
              "--dropout", "0.1", "--l1", "0.01", "--l2", "0.1", "--patience", "5", "--augment",
              "--batch-size", "full", "--epochs", "3", "--json", "--quiet")
    assert r.returncode == 0, r.stderr
    assert last_json(r.stdout)["epochs_run"] == 3


def test_train_with_affine_augmentation_saves_it_in_the_model(tmp_path):
    from nnlab import modelfile

    model = tmp_path / "m.npz"
    r = nnlab("train", "--hidden", "16", "--augment", "affine", "--epochs", "2", "--save", str(model), "--quiet")
    assert r.returncode == 0, r.stderr
    _, header = modelfile.load(model)
    assert header["train"]["augment"] == "affine"


def test_gradcheck_json():
    r = nnlab("gradcheck", "--hidden", "5,4", "--activation", "tanh", "--loss", "cross_entropy", "--json")
    assert r.returncode == 0, r.stderr
    assert last_json(r.stdout)["max_rel_error"] < 1e-6


@pytest.mark.parametrize("args,words", [
    (["train", "--activation", "swish"], "unknown activation"),
    (["train", "--lr", "-0.1"], "positive"),
    (["train", "--hidden", "64,0"], "at least 1"),
    (["train", "--hidden", "a,b"], "hidden must be a whole number; got 'a,b'"),
    (["train", "--epochs", "0"], "--epochs"),
    (["train", "--dropout", "1.5"], "dropout"),
    (["train", "--optimizer", "lbfgs"], "unknown optimizer 'lbfgs'; choose one of"),
    (["train", "--augment", "rotate"], "unknown augmentation 'rotate'"),
    (["train", "--dataset", "cifar"], "invalid choice"),
    (["evaluate", "--model", "does-not-exist.npz"], "not found"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_exit_nonzero_with_one_line(args, words):
    r = nnlab(*args)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), r.stderr
    assert words in lines[0]
    assert "Traceback" not in r.stderr


def test_evaluate_refuses_a_file_that_is_not_a_model(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_text("label,pixel0\n1,2\n")
    r = nnlab("evaluate", "--model", str(bad))
    assert r.returncode == 1 and "not an nnlab model" in r.stderr and "Traceback" not in r.stderr


def test_evaluate_refuses_a_tiny_file_declaring_a_16_gib_network(tmp_path):
    sys.path.insert(0, str(ROOT / "tests"))
    from datafiles import hostile_model_files

    bad = tmp_path / "huge.npz"
    bad.write_bytes(hostile_model_files()["huge network, no weights"])
    r = nnlab("evaluate", "--model", str(bad), timeout=60)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 1 and len(lines) == 1 and "4,228,988,938 parameters" in lines[0], r.stderr


def test_train_engine_flag_picks_the_textbook_engine_with_the_same_numbers():
    runs = {engine: nnlab("train", "--dataset", "digits", "--epochs", "3", "--engine", engine, "--json", "--quiet")
            for engine in ("fast", "reference")}
    assert all(r.returncode == 0 for r in runs.values()), [r.stderr for r in runs.values()]
    fast, ref = (last_json(runs[e].stdout) for e in ("fast", "reference"))
    assert ref["train_loss"] == pytest.approx(fast["train_loss"], rel=1e-4)  # float32: equal up to rounding
    assert ref["epochs_run"] == fast["epochs_run"] == 3
    bad = nnlab("train", "--dataset", "digits", "--engine", "turbo")
    assert bad.returncode == 2 and "fast" in bad.stderr and "reference" in bad.stderr
