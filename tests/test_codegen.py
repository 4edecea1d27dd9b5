"""Take a run home as code (nnlab/experiments/codegen, docs/code.md): the scripts are run here.

* the standalone NumPy script, run with ``python -I`` (no PYTHONPATH, no current folder:
  it cannot import nnlab), reaches nnlab's own validation accuracy for the same setup
  within 1.5 points — every optimizer, every activation, L1/L2, dropout, depth 0-3,
  both losses and both MSE outputs, early stopping, the cosine schedule;
* the API script reproduces nnlab's history to the last digit (both engines);
* generated code compiles, stays within its line budget, holds only the code its
  setup needs, and no run name, path or label column can add code to it;
* ``python -m nnlab code --model FILE [--standalone]``.
"""
import ast
import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nnlab import modelfile
from nnlab.cli.main import main
from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.data.datasets import load_dataset
from nnlab.experiments import codegen
from nnlab.experiments.codegen import pieces
from nnlab.train.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 1.5  # points of validation accuracy, standalone vs nnlab
MAX_LINES = 250
STDLIB = {"csv", "gzip", "io", "math", "os", "struct", "sys"}


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def nnlab_run(setup, data, engine="fast"):
    """(validation accuracy in %, trainer) of nnlab's own run of `setup` on `data`."""
    net = Network(NetworkConfig(n_inputs=data.n_features, n_outputs=data.n_classes, **setup.network),
                  seed=setup.train["seed"])
    trainer = Trainer(net, data, TrainConfig(**setup.train), engine=engine)
    for _ in trainer.run():
        pass
    return 100 * net.evaluate(data.X_val, data.y_val)[1], trainer


def run_script(code: str, folder: Path, *args, with_nnlab=False):
    """Run `code` as a script in `folder`; (the accuracy of its last line, its output).
    Without nnlab: ``python -I`` and no PYTHONPATH, so only installed packages import."""
    path = folder / "script.py"
    path.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if with_nnlab:
        env["PYTHONPATH"] = str(ROOT)
    cmd = [sys.executable, *([] if with_nnlab else ["-I"]), str(path), *map(str, args)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=folder, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    match = re.fullmatch(r"validation accuracy (\d{1,3}\.\d\d)%", last)
    assert match, last
    return float(match.group(1)), done.stdout


def imports(code: str) -> set:
    """The top-level packages a script imports."""
    found = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module.split(".")[0])
    return found


# Each setup trains on digits in about a second; epochs chosen so the accuracy has settled.
SETUPS = {
    "no hidden layer, sgd": dict(hidden=[], optimizer="sgd", epochs=30),
    "sigmoid, gd (full batch)": dict(hidden=[64], activations=["sigmoid"], optimizer="gd", lr=0.5, epochs=200),
    "tutorial: sigmoid 48-32, momentum full batch, L2": dict(
        hidden=[48, 32], activations=["sigmoid"], optimizer="momentum", lr=0.2, batch_size=None, l2=1.0,
        epochs=300, init="glorot_uniform"),
    "tanh, nesterov, L1": dict(hidden=[64, 32], activations=["tanh"], optimizer="nesterov", epochs=30, l1=0.1),
    "leaky relu x3, rmsprop, dropout": dict(hidden=[64, 32, 16], activations=["leaky_relu"], optimizer="rmsprop",
                                            epochs=30, dropout=0.2),
    "elu, adam, normal init": dict(hidden=[64], activations=["elu"], optimizer="adam", epochs=30, init="normal"),
    "linear, adam": dict(hidden=[64], activations=["linear"], optimizer="adam", epochs=30),
    "mse on sigmoid, relu": dict(hidden=[64, 32], activations=["relu"], loss="mse", optimizer="adam", epochs=40),
    "mse on linear, tanh, sgd": dict(hidden=[64], activations=["tanh"], loss="mse", output="linear",
                                     optimizer="sgd", lr=0.05, epochs=40),
    "relu+elu, adam, dropout, L1+L2, early stopping, cosine": dict(
        hidden=[128, 64], activations=["relu", "elu"], optimizer="adam", lr=0.002, epochs=60, dropout=0.3,
        patience=3, lr_schedule="cosine", l2=0.1, l1=0.01, seed=7),
}


@pytest.mark.parametrize("name", list(SETUPS))
def test_standalone_script_reaches_nnlabs_accuracy(name, digits, tmp_path):
    setup = codegen.Setup.from_settings("digits", SETUPS[name], name=name)
    expected, _ = nnlab_run(setup, digits)
    code = codegen.standalone_script(setup)
    assert imports(code) <= {"numpy", "sklearn"} | STDLIB
    got, out = run_script(code, tmp_path)
    print(f"{name}: nnlab {expected:.2f} %, standalone {got:.2f} %")
    assert abs(got - expected) <= TOLERANCE, out[-1500:]


def test_standalone_reads_a_csv_and_an_mnist_folder_as_nnlab_does(digits, tmp_path):
    """The two loaders that take a path give nnlab's own split and scaling, array for array."""
    from sklearn.datasets import load_digits

    raw = load_digits()
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    rows = ["Kind;" + ";".join(f"p{i}" for i in range(64))]
    rows += [f"{names[t]};" + ";".join(str(int(v)) for v in x) for x, t in zip(raw.data, raw.target)]
    csv_path = tmp_path / "digits.csv"
    csv_path.write_text("\n".join(rows) + "\n")
    want = load_dataset("csv", path=str(csv_path), label_column="kind")  # names as labels, pixels 0..16
    setup = codegen.Setup.from_settings("csv", {}, data_path=str(csv_path), label_column="kind", **_meta(want))
    got = _load(codegen.standalone_script(setup), tmp_path / "csv_script.py")
    _same_split(got, want)

    folder = tmp_path / "mnist"
    folder.mkdir()
    images = (raw.images * 15).astype(np.uint8)
    labels = raw.target.astype(np.uint8)
    for part, sl in (("train", slice(0, 1200)), ("t10k", slice(1200, None))):
        _write_idx(folder / f"{part}-images-idx3-ubyte", images[sl])
        _write_idx(folder / f"{part}-labels-idx1-ubyte", labels[sl])
    want = load_dataset("mnist", data_dir=str(folder))
    setup = codegen.Setup.from_settings("mnist", {}, data_path=str(folder))
    got = _load(codegen.standalone_script(setup), tmp_path / "mnist_script.py")
    _same_split(got, want)


# as test_browser.py: used when present (or where $NNLAB_MNIST_DIR says)
MNIST = Path(os.environ.get("NNLAB_MNIST_DIR") or ROOT.parent / "shared" / "data" / "mnist")


@pytest.mark.skipif(not MNIST.is_dir(), reason="MNIST IDX files not present in ../shared/data/mnist")
def test_standalone_on_mnist_reaches_nnlabs_accuracy(tmp_path):
    data = load_dataset("mnist", data_dir=str(MNIST))
    setup = codegen.Setup.from_settings("mnist", dict(hidden=[128], optimizer="adam", epochs=2, batch_size=128,
                                                      dropout=0.1), data_path="not/here")
    expected, _ = nnlab_run(setup, data)
    got, _ = run_script(codegen.standalone_script(setup), tmp_path, MNIST)
    assert abs(got - expected) <= TOLERANCE


def test_standalone_trains_on_a_csv_given_as_its_argument(tmp_path):
    from sklearn.datasets import load_digits

    raw = load_digits()
    path = tmp_path / "my data.csv"
    lines = ["label," + ",".join(f"f{i}" for i in range(64))]
    lines += [f"{t}," + ",".join(str(int(v)) for v in x) for x, t in zip(raw.data, raw.target)]
    path.write_text("\n".join(lines) + "\n")
    data = load_dataset("csv", path=str(path))
    setup = codegen.Setup.from_settings("csv", dict(hidden=[32], optimizer="adam", epochs=20),
                                        data_path="elsewhere.csv", **_meta(data))
    expected, _ = nnlab_run(setup, data)
    got, _ = run_script(codegen.standalone_script(setup), tmp_path, path)
    assert abs(got - expected) <= TOLERANCE


def _meta(data) -> dict:
    return {"image_shape": data.image_shape, "pixel_max": data.pixel_max}


def _load(code: str, path: Path) -> tuple:
    path.write_text(code, encoding="utf-8")
    return runpy.run_path(str(path), run_name="not_main")["load_data"]()


def _same_split(got, want):
    X_train, y_train, X_val, y_val, n_classes = got
    assert n_classes == want.n_classes
    np.testing.assert_array_equal(X_train, want.X_train)
    np.testing.assert_array_equal(X_val, want.X_val)
    np.testing.assert_array_equal(y_train, want.y_train)
    np.testing.assert_array_equal(y_val, want.y_val)


def _write_idx(path: Path, array: np.ndarray):
    head = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(head + array.tobytes())


# ------------------------------------------------------------------ the API form
@pytest.mark.parametrize("engine, settings", [
    ("fast", dict(hidden=[64, 32], dropout=0.2, optimizer="adam", epochs=8, patience=3,
                  lr_schedule="cosine", augment="shift", seed=3)),
    ("reference", dict(hidden=[32], activations=["tanh"], optimizer="momentum", epochs=5, l1=0.05, l2=0.1,
                       loss="mse")),
])
def test_api_script_reproduces_the_history_to_the_last_digit(engine, settings, digits, tmp_path):
    setup = codegen.Setup.from_settings("digits", settings, engine=engine, name="api")
    expected, trainer = nnlab_run(setup, digits, engine=engine)
    got, _ = run_script(codegen.api_script(setup), tmp_path, "--history", "history.json", with_nnlab=True)
    history = json.loads((tmp_path / "history.json").read_text())
    keys = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "lr")
    assert history == [{k: r.get(k) for k in keys} for r in trainer.history]
    assert got == round(expected, 2)


# ------------------------------------------------------------------ the code itself
OPTIMIZERS = ["gd", "sgd", "momentum", "nesterov", "rmsprop", "adam"]


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("depth", [0, 1, 3])
@pytest.mark.parametrize("extras", [{}, dict(loss="mse", dropout=0.5, l2=1.0, l1=1.0, patience=5,
                                             lr_schedule="cosine", augment="affine")])
def test_generated_code_compiles_within_budget_with_only_what_it_needs(optimizer, depth, extras):
    acts = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "linear"][:depth]
    setup = codegen.Setup.from_settings("digits", dict(hidden=[16] * depth, activations=acts or ["relu"],
                                                       optimizer=optimizer, **extras))
    for dataset in ("csv", "mnist"):  # their loaders are longer
        other = codegen.Setup.from_settings(dataset, setup.settings, image_shape=(8, 8), pixel_max=16.0)
        for standalone in (False, True):
            code = codegen.script(other, standalone=standalone)
            compile(code, "script.py", "exec")
            assert len(code.splitlines()) <= MAX_LINES
    code = codegen.standalone_script(setup)
    compile(code, "script.py", "exec")
    compile(codegen.api_script(setup), "script.py", "exec")
    assert 100 <= len(code.splitlines()) <= MAX_LINES
    for other in set(pieces.CLASSES.values()) - {pieces.CLASSES[optimizer]}:
        assert f"class {other}" not in code
    for act in pieces.ACTIVATIONS:
        wanted = act in acts or (act == "sigmoid" and extras.get("loss") == "mse")
        assert (f"def {act}(" in code) == wanted, act
    for word, on in (("DROPOUT", extras.get("dropout") and depth), ("L2 =", extras.get("l2")),
                     ("L1 =", extras.get("l1")), ("PATIENCE", extras.get("patience")),
                     ("def learning_rate", extras.get("lr_schedule") == "cosine"),
                     ("Left out: augmentation", extras.get("augment"))):
        assert (word in code) == bool(on), word


def test_plain_features_are_not_augmented():
    """A Compare run keeps the controls' augmentation, which Train leaves out for plain features."""
    assert codegen.Setup.from_settings("csv", {"augment": "shift"}).train["augment"] is False
    assert codegen.Setup.from_settings("csv", {"augment": "shift"}, image_shape=(8, 8),
                                       pixel_max=16.0).train["augment"] == "shift"
    assert codegen.Setup.from_settings("digits", {"augment": "affine"}).train["augment"] == "affine"


@pytest.mark.parametrize("settings", [
    {"activations": ["relu'); import os; ('"]},
    {"lr": "0.1); import os; ("},
    {"loss": "mse\nimport os"},
    {"hidden": ["64); import os"]},
    {"augment": "shift'\nimport os"},
])
def test_a_hostile_setting_is_refused(settings):
    with pytest.raises(ValueError):
        codegen.Setup.from_settings("digits", settings)
    with pytest.raises(ValueError):
        codegen.Setup.from_settings("digits\nimport os", {})


def _shape(code: str, values: dict) -> str:
    """The script's syntax tree with each of `values`' strings replaced by its key:
    equal for two scripts only if the values went in as plain constants."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for key, value in values.items():
                if node.value == value:
                    node.value = key
    return ast.dump(tree)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.text(max_size=40), path=st.text(min_size=1, max_size=40), label=st.text(min_size=1, max_size=20),
       dataset=st.sampled_from(["csv", "mnist"]), standalone=st.booleans())
def test_no_run_name_path_or_label_column_can_inject_code(name, path, label, dataset, standalone):
    plain = codegen.Setup.from_settings(dataset, {}, name="run 1", data_path="PLAIN_PATH", label_column="PLAIN")
    plain_code = codegen.script(plain, standalone)
    lowered = label.lower() if standalone else label  # the standalone compares lower-cased names
    constants = {n.value for n in ast.walk(ast.parse(plain_code)) if isinstance(n, ast.Constant)}
    assume(path not in constants and lowered not in constants and path != lowered)
    hostile = codegen.Setup.from_settings(dataset, {}, name=name, data_path=path, label_column=label)
    code = codegen.script(hostile, standalone)
    assert _shape(code, {"PATH": path, "LABEL": lowered}) == \
        _shape(plain_code, {"PATH": "PLAIN_PATH", "LABEL": "plain" if standalone else "PLAIN"})
    assert re.fullmatch(r"nnlab_[a-z0-9_]+(_numpy)?\.py", codegen.file_name(hostile, standalone))


# ------------------------------------------------------------------ the CLI
def test_cli_prints_the_script_of_a_saved_model(digits, tmp_path, capsys):
    setup = codegen.Setup.from_settings("digits", dict(hidden=[32], optimizer="rmsprop", epochs=3))
    _, trainer = nnlab_run(setup, digits)
    path = tmp_path / "m.npz"
    modelfile.save(path, trainer.net, digits.meta(), trainer.history, trainer.config.to_dict())
    assert main(["code", "--model", str(path)]) == 0
    assert capsys.readouterr().out == codegen.api_script(setup)
    assert main(["code", "--model", str(path), "--standalone", "--engine", "reference"]) == 0
    assert capsys.readouterr().out == codegen.standalone_script(setup)
    assert main(["code", "--model", str(path), "--standalone", "--out", str(tmp_path / "s.py")]) == 0
    assert (tmp_path / "s.py").read_text() == codegen.standalone_script(setup)

    modelfile.save(tmp_path / "bare.npz", trainer.net, digits.meta())  # no training settings
    assert main(["code", "--model", str(tmp_path / "bare.npz")]) == 1
    assert "no training settings" in capsys.readouterr().err
    assert main(["code", "--model", str(tmp_path / "missing.npz")]) == 1


def test_cli_writes_a_csv_models_scripts_that_read_the_csv(tmp_path, capsys):
    from sklearn.datasets import load_digits

    raw = load_digits()
    csv_path = tmp_path / "digits.csv"
    lines = ["Kind,label_text," + ",".join(f"p{i}" for i in range(62))]  # "label_text": not a label name
    lines += [f"{t}," + ",".join(str(int(v)) for v in x[:63]) for x, t in zip(raw.data, raw.target)]
    csv_path.write_text("\n".join(lines) + "\n")
    data = load_dataset("csv", path=str(csv_path), label_column="kind")
    setup = codegen.Setup.from_settings("csv", dict(hidden=[32], optimizer="adam", epochs=15), **_meta(data))
    expected, trainer = nnlab_run(setup, data)
    model = tmp_path / "m.npz"
    modelfile.save(model, trainer.net, data.meta(), trainer.history, trainer.config.to_dict())
    for standalone in (False, True):
        argv = ["code", "--model", str(model), "--data-path", str(csv_path), "--label-column", "Kind"]
        assert main(argv + (["--standalone"] if standalone else [])) == 0
        code = capsys.readouterr().out
        got, _ = run_script(code, tmp_path, with_nnlab=not standalone)
        assert abs(got - expected) <= (TOLERANCE if standalone else 0.005)  # the API: the same, to 2 decimals


def test_cli_code_as_a_command(tmp_path):
    """`python -m nnlab code` end to end, as a learner types it."""
    model = tmp_path / "m.npz"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "nnlab", "train", "--hidden", "16", "--epochs", "2", "--quiet",
                    "--save", str(model)], check=True, env=env, capture_output=True, cwd=tmp_path)
    done = subprocess.run([sys.executable, "-m", "nnlab", "code", "--model", str(model), "--standalone"],
                          env=env, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    compile(done.stdout, "script.py", "exec")
    assert "class Adam" in done.stdout and "HIDDEN = [16]" in done.stdout


def test_the_examples_in_the_docs_are_what_the_generator_writes():
    doc = (ROOT / "docs" / "code.md").read_text(encoding="utf-8")
    api, standalone = re.findall(r"```python\n(.*?)```", doc, re.S)
    setup = codegen.Setup.from_settings("digits", dict(hidden=[64], activations=["tanh"], optimizer="momentum",
                                                       lr=0.05, epochs=30, l2=0.1), name="run 1")
    assert api == codegen.api_script(setup)
    assert standalone == codegen.standalone_script(setup)


@st.composite
def setups(draw):
    """Any setup of the table's choices on digits, a few epochs long."""
    depth = draw(st.integers(0, 3))
    acts = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "linear"]
    loss = draw(st.sampled_from(["cross_entropy", "mse"]))
    return dict(hidden=draw(st.lists(st.sampled_from([8, 16, 32]), min_size=depth, max_size=depth)),
                activations=draw(st.lists(st.sampled_from(acts), min_size=depth, max_size=depth)) or ["relu"],
                loss=loss, output=draw(st.sampled_from(["sigmoid", "linear"])) if loss == "mse" else None,
                init=draw(st.sampled_from(["auto", "glorot_uniform", "he_normal", "normal"])),
                dropout=draw(st.sampled_from([0.0, 0.2])), optimizer=draw(st.sampled_from(OPTIMIZERS)),
                batch_size=draw(st.sampled_from([16, 64, None])), epochs=draw(st.integers(1, 6)),
                l2=draw(st.sampled_from([0.0, 0.3])), l1=draw(st.sampled_from([0.0, 0.03])),
                patience=draw(st.sampled_from([0, 2])), lr_schedule=draw(st.sampled_from(["constant", "cosine"])),
                seed=draw(st.integers(0, 2**32 - 1)))


@settings(max_examples=int(os.environ.get("CODEGEN_EXAMPLES", 25)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(settings=setups())
def test_any_setup_written_out_follows_nnlab(settings, tmp_path_factory):
    """The standalone script run in this process (the runs above prove it needs no nnlab):
    for any setup, nnlab's validation accuracy within 1.5 points."""
    import contextlib
    import io

    data = load_dataset("digits")
    setup = codegen.Setup.from_settings("digits", settings)
    expected, trainer = nnlab_run(setup, data)
    assume(trainer.stopped_reason != "diverged")  # the script has no divergence guard (docs/code.md)
    path = tmp_path_factory.mktemp("any") / "script.py"
    path.write_text(codegen.standalone_script(setup), encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), np.errstate(all="ignore"):
        runpy.run_path(str(path), run_name="__main__")
    got = float(re.fullmatch(r"validation accuracy (\d+\.\d\d)%", out.getvalue().strip().splitlines()[-1])[1])
    assert abs(got - expected) <= TOLERANCE, (settings, expected, got)
