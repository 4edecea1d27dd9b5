"""The settings table (nnlab/core/hyperparams.py) and everything derived from it: the
configs, the optimizers' defaults, the CLI's flags, the dashboard's widgets, presets."""
import dataclasses
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlab.cli import common
from nnlab.cli import main as cli
from nnlab.core import activations, augment, hyperparams, initializers, losses, types
from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.hyperparams import SETTINGS
from nnlab.data import datasets as data
from nnlab.data import toy2d
from nnlab.experiments import presets
from nnlab.train import optimizers

ROOT = Path(__file__).resolve().parents[1]
TYPES = ("int", "float", "choice", "int list", "choice list")
WIDGETS = ("", "select", "slider", "select_slider", "number", "layers", "activations")


# ------------------------------------------------------------ the table itself
@pytest.mark.parametrize("s", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_declared_completely_and_its_default_is_allowed(s):
    assert s.type in TYPES and s.section in hyperparams.SECTIONS and s.widget in WIDGETS
    assert len(s.help) > 20 and "\n" not in s.help
    assert s.name.isidentifier() and s.name == s.name.lower()
    if s.widget:
        assert s.label and "_" not in s.label
    if s.required:
        assert s.default is None and not s.cli and not s.widget
    else:
        assert hyperparams.check(s.name, s.default) == s.default
    assert set(s.labels) <= set(s.choices) | {None}
    for choice in s.choices:  # snake_case names get a label; the name stays in help, CLI and JSON
        assert "_" not in s.label_of(choice)
    assert not s.log or s.type in ("int", "float")
    assert set(s.optimizers) <= set(optimizers.OPTIMIZERS) and set(s.losses) <= set(losses.LOSSES)


@pytest.mark.parametrize("s", [s for s in SETTINGS if s.values or s.slider], ids=lambda s: s.name)
def test_what_a_control_offers_is_allowed(s):
    for v in s.values:
        hyperparams.check(s.name, [v] if s.type.endswith("list") else v)
    if s.slider:
        lo, hi, step = s.slider
        assert types.in_range(s, lo) and types.in_range(s, hi) and 0 < step < hi - lo


@pytest.mark.parametrize("s", [s for s in SETTINGS if s.type in ("int", "float")], ids=lambda s: s.name)
def test_values_outside_the_range_are_refused_with_the_settings_name(s):
    below = s.low - 1 - (s.low - 1 in s.aliases)  # batch_size: 0 means the full batch
    outside = [below] + ([s.low] if s.closed in ("neither", "right") else [])
    if s.high is not None:
        outside += [s.high + 1] + ([s.high] if s.closed in ("neither", "left") else [])
    for v in outside:
        with pytest.raises(ValueError, match=s.name):
            hyperparams.check(s.name, v)
    with pytest.raises(ValueError, match=s.name):
        hyperparams.check(s.name, True)  # a bool is not a number here
    with pytest.raises(ValueError, match=s.name):
        hyperparams.check(s.name, "3")


def test_choices_are_the_registries_keys():
    get = hyperparams.get
    assert get("optimizer").choices == tuple(optimizers.OPTIMIZERS)
    assert get("activations").choices == tuple(activations.ACTIVATIONS)
    assert get("loss").choices == tuple(losses.LOSSES)
    assert get("init").choices == ("auto", *initializers.INITIALIZERS)
    assert get("augment").choices == (False, *augment.AUGMENTATIONS)
    assert get("dataset").choices == tuple(data.DATASETS)
    assert set(get("output").choices) == {o for outs in losses.OUTPUTS.values() for o in outs}


def test_every_optimizer_has_a_usual_learning_rate_inside_its_usual_range():
    lr = hyperparams.get("lr")
    assert set(lr.by_optimizer) == set(lr.usual) == set(optimizers.OPTIMIZERS)
    for name, value in lr.by_optimizer.items():
        low, high = lr.usual[name]
        assert types.in_range(lr, low) and low <= value <= high
        assert value in lr.values  # the dashboard offers it


def test_the_old_names_keep_their_meaning():
    assert optimizers.DEFAULT_LR == {"gd": 0.5, "sgd": 0.1, "momentum": 0.05, "nesterov": 0.05,
                                     "rmsprop": 0.001, "adam": 0.001}
    assert optimizers.HYPERPARAMETERS == {"gd": [], "sgd": [], "momentum": ["momentum"], "nesterov": ["momentum"],
                                          "rmsprop": ["rho", "eps"], "adam": ["beta1", "beta2", "eps"]}
    assert optimizers.USUAL_LR["adam"] == (1e-4, 0.01) and optimizers.USUAL_LR["sgd"] == (0.005, 1.0)
    assert optimizers.NAMES["gd"] == "gradient descent" and optimizers.NAMES["adam"] == "Adam"


# ------------------------------------------------------------ configs and optimizers
@pytest.mark.parametrize("cls,section", [(NetworkConfig, "network"), (TrainConfig, "train")])
def test_config_fields_are_exactly_the_tables_settings_with_its_defaults(cls, section):
    fields = dataclasses.fields(cls)
    assert [f.name for f in fields] == [s.name for s in hyperparams.section(section)]
    for f in fields:
        if f.default is not dataclasses.MISSING:
            assert f.default == hyperparams.default(f.name)
        elif f.default_factory is not dataclasses.MISSING:
            assert f.default_factory() == hyperparams.default(f.name)
        else:
            assert hyperparams.get(f.name).required
    assert "engine" not in {f.name for f in fields}  # a Trainer argument, not a training setting


def test_a_config_without_lr_takes_its_optimizers_usual_rate():
    for name in optimizers.OPTIMIZERS:  # was 0.001 (Adam's) whatever the optimizer
        assert TrainConfig(optimizer=name).lr == optimizers.DEFAULT_LR[name]
    assert TrainConfig(optimizer="sgd", lr=0.3).lr == 0.3


def test_configs_normalise_through_the_table():
    cfg = TrainConfig(optimizer=" Adam", batch_size="full", augment=True, epochs=3)
    assert (cfg.optimizer, cfg.batch_size, cfg.augment) == ("adam", None, "shift")
    net = NetworkConfig(4, 3, hidden=[5, 6], activations="ReLU", loss="mse", output="identity")
    assert net.activations == ["relu", "relu"] and net.output == "linear"
    assert NetworkConfig(4, 3, loss="mse").output == "sigmoid"
    with pytest.raises(ValueError, match="seed"):
        TrainConfig(seed=-1)
    with pytest.raises(ValueError, match="at least 1"):
        NetworkConfig(4, 3, hidden=[5, 0])


@pytest.mark.parametrize("name", list(optimizers.OPTIMIZERS))
def test_optimizer_classes_defaults_are_the_tables(name):
    params = inspect.signature(optimizers.OPTIMIZERS[name]).parameters
    assert list(params) == ["lr", *optimizers.HYPERPARAMETERS["sgd" if name == "gd" else name]]
    for p in params.values():
        if p.name == "lr":  # gd and sgd share a class: its default is SGD's
            assert p.default == optimizers.DEFAULT_LR["sgd" if name == "gd" else name]
        else:
            assert p.default == hyperparams.default(p.name)
    assert optimizers.SGD().lr == optimizers.DEFAULT_LR["sgd"]  # was 0.01 while DEFAULT_LR said 0.1


# ------------------------------------------------------------ presets
@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_presets_use_declared_settings_with_allowed_values(name):
    p = presets.PRESETS[name]
    for section in ("network", "train"):
        for key, value in p[section].items():
            assert hyperparams.get(key).section == section, key
            hyperparams.check(key, value)
    NetworkConfig(64, 10, **p["network"])
    TrainConfig(**p["train"])


# ------------------------------------------------------------ the CLI
def _train_parser():
    sub = next(a for a in cli.build_parser()._actions if a.dest == "command")
    return sub.choices["train"]


def test_every_train_flag_is_a_setting_or_a_run_option_and_every_setting_has_its_flag():
    flags = {o for a in _train_parser()._actions for o in a.option_strings} - {"-h", "--help"}
    settings = {s.flag for s in SETTINGS if s.cli}
    aliases = {a for extra in common.FLAG_EXTRAS.values() for a in extra.get("aliases", ())}
    assert flags == settings | aliases | set(common.RUN_OPTIONS)
    assert {s.name for s in SETTINGS if not s.cli} == {"n_inputs", "n_outputs", "dtype"}
    dests = {a.dest for a in _train_parser()._actions if a.option_strings and a.dest in hyperparams.BY_NAME}
    assert dests == {s.name for s in SETTINGS if s.cli}


def _configs(*argv, dataset=None):
    args = cli.build_parser().parse_args(["train", *argv])
    return common.configs_from_args(args, dataset or data.load_dataset("digits"))


def test_train_without_flags_uses_the_tables_defaults():
    net, train = _configs()
    assert net == NetworkConfig(64, 10) and train == TrainConfig()
    assert (train.batch_size, train.epochs) == (hyperparams.default("batch_size"), hyperparams.default("epochs"))


def test_train_flags_override_a_preset_and_another_optimizer_brings_its_own_rate():
    net, train = _configs("--preset", "digits", "--epochs", "7", "--batch-size", "full", "--activation", "tanh")
    assert net.hidden == [256, 128] and net.activations == ["tanh", "tanh"]
    assert (train.epochs, train.batch_size, train.lr, train.augment) == (7, None, 0.002, "affine")
    assert _configs("--preset", "digits", "--optimizer", "sgd")[1].lr == optimizers.DEFAULT_LR["sgd"]
    assert _configs("--preset", "digits", "--optimizer", "sgd", "--lr", "0.2")[1].lr == 0.2


def test_train_with_an_image_preset_on_a_csv_of_features_leaves_augmentation_off(tmp_path, capsys):
    import numpy as np
    from datafiles import csv_bytes

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    path = tmp_path / "plain.csv"
    path.write_bytes(csv_bytes(X, (X[:, 0] > 0).astype(int)))
    code = cli.main(["train", "--preset", "digits", "--dataset", "csv", "--data-path", str(path),
                     "--epochs", "1", "--quiet", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err  # was: "augmentation changes images, but this dataset has no image shape"
    assert _configs("--preset", "digits", dataset=data.load_dataset("csv", path=str(path)))[1].augment is False


def test_engine_is_declared_and_is_the_engines_registry():
    from nnlab.train.engines import DEFAULT_ENGINE, ENGINES

    engine = hyperparams.get("engine")
    assert engine.choices == tuple(ENGINES) and engine.default == DEFAULT_ENGINE and not engine.widget
    assert not engine.pending
    # how the numbers are computed, not which: not a training setting (not in models, presets, sweeps)
    assert _configs("--engine", "reference")[1] == _configs("--engine", "fast")[1] == TrainConfig()


def test_hyperparams_command_prints_the_table_as_json_and_text():
    def run(*args):
        r = subprocess.run([sys.executable, "-m", "nnlab", "hyperparams", *args], cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        return r.stdout
    table = json.loads(run("--json"))
    assert [row["name"] for row in table] == [s.name for s in SETTINGS]
    for row in table:
        assert {"name", "type", "default", "help"} <= set(row)
        assert row["default"] == hyperparams.get(row["name"]).default
    lr = next(row for row in table if row["name"] == "lr")
    assert lr["default_by_optimizer"]["sgd"] == 0.1 and lr["log"] is True
    loss = next(row for row in table if row["name"] == "loss")
    assert loss["choices"] == ["cross_entropy", "mse"] and loss["choice_labels"][0] == "cross-entropy"
    text = run()
    for s in SETTINGS:
        assert f"  {s.name}: {s.type}" in text and s.help in text


# ------------------------------------------------------------ the dashboard
def _widgets(at):
    """(key, label) of every widget on the page whose key starts with ctl_."""
    found = []

    def walk(node):
        key = getattr(node, "key", None)
        if key and key.startswith("ctl_"):
            found.append((key, getattr(node, "label", None)))
        children = getattr(node, "children", None)
        for child in children.values() if isinstance(children, dict) else []:
            walk(child)
    walk(at._tree)
    return found


def test_every_sidebar_widget_is_a_declared_setting_and_every_declared_widget_is_drawn():
    from streamlit.testing.v1 import AppTest

    from pages.helpers import controls

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    seen = {}
    for optimizer in ("adam", "momentum", "rmsprop", "sgd"):  # each shows its own settings
        at.selectbox(key="ctl_optimizer").set_value(optimizer).run()
        at.toggle(key="ctl_same_activation").set_value(optimizer != "sgd").run()
        assert not at.exception
        seen.update(_widgets(at))
    names = {controls.setting_of(key) for key in seen} - {None}
    assert names == {s.name for s in SETTINGS if s.widget}
    assert {key for key in seen if controls.setting_of(key) is None} == {"ctl_preset"}
    for key, label in seen.items():  # a widget of one setting carries the table's label
        s = hyperparams.BY_NAME.get(key.removeprefix("ctl_"))
        if s is not None and s.widget not in ("layers", "activations"):
            assert label == s.label
    # choices read as labels; the values stay the names
    assert at.selectbox(key="ctl_loss").options == ["cross-entropy", "mean squared error"]
    assert "leaky ReLU" in at.selectbox(key="ctl_activation_0").options
    assert at.selectbox(key="ctl_init").value == "auto" and "He normal" in at.selectbox(key="ctl_init").options


def test_presets_round_trip_through_the_controls():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    for name, p in presets.PRESETS.items():
        at.selectbox(key="ctl_preset").set_value(name).run()
        next(b for b in at.button if b.label == "Apply preset").click().run()
        assert not at.exception
        state = {k.removeprefix("ctl_"): at.session_state[k] for k in at.session_state if k.startswith("ctl_")}
        assert state["layers"] == len(p["network"]["hidden"])
        assert [state[f"width_{i}"] for i in range(state["layers"])] == p["network"]["hidden"]
        for key, value in p["train"].items():
            assert state[key] == ("full" if key == "batch_size" and value is None else value), (name, key)


# ------------------------------------------------------------ text: one reader per type
def _offered(s) -> list:
    """Every value a person can pick for setting `s`: its choices, the values and slider
    steps a control offers, its default, None where allowed; for a list, lists of them."""
    one = [*s.choices, *s.values, *([s.default] if not isinstance(s.default, list) else s.default)]
    if s.slider:
        lo, hi, step = s.slider
        one += [type(lo)(round(lo + k * step, 10)) for k in range(round((hi - lo) / step) + 1)]
    if s.none and not s.type.endswith("list"):
        one.append(None)
    one = [v for v in one if v is not None or s.none]
    if s.type.endswith("list"):
        items = [v for v in one if v is not None]
        return [[], *([v] for v in items), items[:3], items[-2:]]
    return one


@pytest.mark.parametrize("s", [*SETTINGS, *toy2d.OPTIONS], ids=lambda s: s.name)
def test_every_offered_value_of_every_setting_reads_back_from_its_text(s):
    for value in _offered(s):
        try:
            checked = s.check(value)
        except ValueError:
            continue  # (an empty list where the setting needs entries)
        text = s.format(checked)
        assert s.parse(text) == checked, (s.name, value, text)


def test_the_old_forms_people_type_still_read():
    hidden, acts, batch = hyperparams.get("hidden"), hyperparams.get("activations"), hyperparams.get("batch_size")
    assert hidden.parse("64,32") == hidden.parse("64x32") == hidden.parse(" 64 - 32 ") == [64, 32]  # CLI, sweeps
    assert acts.parse("relu,tanh") == ["relu", "tanh"] and acts.format(["tanh"] * 3) == "tanh"
    assert batch.parse("full") is None and batch.format(None) == "full"
    assert hyperparams.get("augment").parse("none") is False and hyperparams.get("augment").format(False) == "off"
    for bad in ("64--32", "64-x", "١٢", "64-"):
        with pytest.raises(ValueError, match="hidden must be a whole number"):
            hidden.parse(bad)


@given(text=st.text(max_size=60), name=st.sampled_from([s.name for s in SETTINGS]))
@settings(max_examples=400, deadline=None)
def test_any_text_parses_or_says_why_in_one_line(text, name):
    s = hyperparams.get(name)
    try:
        value = s.parse(text)
    except ValueError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert s.parse(s.format(value)) == value  # what it read, it writes back the same
