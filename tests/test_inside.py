"""Inside the network (issue 16): the statistics of nnlab.viz.inspect, the trainer's recorded
gradient statistics on both engines, the per-layer gradient check and its CLI, the
Inside figures."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlab.core import gradcheck
from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.data.datasets import Dataset, load_dataset
from nnlab.experiments import bench
from nnlab.train import gradstats
from nnlab.train.trainer import Trainer
from nnlab.viz import figures_inside, inspect

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def net_of(hidden, activation, n_inputs=64, n_outputs=10, **kw):
    return Network(NetworkConfig(n_inputs, n_outputs, list(hidden), [activation], **kw), seed=0)


# ------------------------------------------------------------ layer statistics
def test_a_unit_that_is_never_positive_is_counted_dead_and_the_others_are_not(digits):
    net = net_of([16, 8], "relu")
    W, b = net.dense_layers[0].params["W"], net.dense_layers[0].params["b"]
    W[:, 3], b[3] = -np.abs(W[:, 3]), -0.1  # inputs are in [0, 1]: z = x·w + b < 0 for every image
    W[:, 5], b[5] = np.abs(W[:, 5]), 0.1    # ... and this one is positive for every image
    stats = inspect.layer_stats(net, digits.X_val)
    first = stats[0]
    assert 3 in first["dead"] and 5 not in first["dead"]
    assert first["dead_units"] == len(first["dead"]) / 16 and first["units"] == 16
    assert np.all(first["values"][:, 3] == 0) and first["values"].shape == (len(digits.X_val), 16)
    assert first["saturated_units"] is None and stats[1]["layer"] == "hidden 2"
    # the same unit with a small positive bias fires for some images: no longer dead
    b[3] = 0.5
    W[:, 3] = -0.01
    assert 3 not in inspect.layer_stats(net, digits.X_val)[0]["dead"]


def test_saturated_sigmoid_and_tanh_units_by_the_stated_threshold(digits):
    for act, big in (("sigmoid", 50.0), ("tanh", 50.0)):
        net = net_of([8], act)
        W, b = net.dense_layers[0].params["W"], net.dense_layers[0].params["b"]
        W[:, 2], b[2] = 0.0, big  # a huge sum for every image: stuck at the upper limit
        W[:, 4], b[4] = 0.0, 0.0  # z = 0: the steepest point, not saturated
        row = inspect.layer_stats(net, digits.X_val[:100])[0]
        assert 2 in row["saturated"] and 4 not in row["saturated"], act
        assert row["dead_units"] is None and 0 < row["saturated_values"] <= 1
    assert inspect.saturation_rule("sigmoid") == "a < 0.013 or a > 0.987"
    assert inspect.saturation_rule("tanh") == "|a| > 0.975" and inspect.saturation_rule("relu") == ""


def test_a_known_weight_pattern_appears_as_its_units_tile_and_in_its_place_in_the_grid():
    net = net_of([12], "relu")
    pattern = np.zeros((8, 8), dtype=np.float32)
    pattern[np.arange(8), np.arange(8)] = 1.0  # a diagonal stroke
    pattern[0, 7] = -1.0
    net.dense_layers[0].params["W"][:, 5] = pattern.ravel()
    tiles = inspect.weight_tiles(net, (8, 8))
    assert tiles.shape == (12, 8, 8)
    np.testing.assert_array_equal(tiles[5], pattern)
    image, rows = figures_inside.mosaic(tiles, cols=4)  # unit 5: row 1, column 1 (a 1-pixel gap between tiles)
    assert rows == 3 and image.shape == (3 * 9 - 1, 4 * 9 - 1)
    np.testing.assert_allclose(image[9:17, 9:17], pattern)  # its own scale: max |w| = 1
    assert np.isnan(image[8]).all() and np.isnan(image[:, 8]).all()
    with pytest.raises(ValueError, match="not an image"):
        inspect.weight_tiles(net, (7, 7))


def test_top_images_are_the_ones_that_excite_the_unit_most():
    rng = np.random.default_rng(0)
    X = rng.random((30, 64)).astype(np.float32) * 0.5
    X[17] = 1.0  # the brightest image: the most excited unit with all-positive weights
    X[4] = 0.9
    net = net_of([6], "relu")
    net.dense_layers[0].params["W"][:, 2] = 0.1
    best, z = inspect.top_images(net, X, unit=2, k=3)
    assert list(best[:2]) == [17, 4] and z[0] > z[1] > z[2]
    np.testing.assert_allclose(z, inspect.first_layer_z(net, X)[best, 2], rtol=1e-6)


def test_forward_trace_matches_predict_proba_and_orders_units(digits):
    net = net_of([16, 8], "tanh")
    trace = inspect.forward_trace(net, digits.X_val[:5])
    assert [a.shape for a in trace["hidden"]] == [(5, 16), (5, 8)]
    np.testing.assert_allclose(trace["proba"], net.predict_proba(digits.X_val[:5]), rtol=1e-6)
    order = inspect.unit_order(net, digits.X_val, "most active")
    means = inspect.forward_trace(net, digits.X_val)["hidden"][0].mean(axis=0)
    assert sorted(order) == list(range(16)) and means[order[0]] == means.max()
    assert list(inspect.unit_order(net, digits.X_val, "unit number")) == list(range(16))
    assert inspect.layer_names(net) == ["hidden 1", "hidden 2", "output"]
    snap = inspect.snapshot(net)
    assert snap is not net and np.array_equal(snap.flat_params, net.flat_params)


# ----------------------------------------------------- recorded gradient statistics
def record(data, hidden, activation, epochs=1, engine="fast", **kw):
    net = net_of(hidden, activation, **kw)
    trainer = Trainer(net, data, TrainConfig(optimizer="sgd", lr=0.1, batch_size=32, epochs=epochs, seed=0),
                      engine=engine, record_grads=True)
    return list(trainer.run())


def test_gradient_norms_of_six_sigmoid_layers_fall_layer_by_layer_and_not_with_relu(digits):
    norms = record(digits, [32] * 6, "sigmoid")[0]["grad_norms"]
    assert len(norms) == 7  # 6 hidden layers and the output layer
    assert all(a < b for a, b in zip(norms, norms[1:])), norms  # smaller with every layer down
    assert norms[0] < norms[-1] / 100  # vanishing: the first layer gets a gradient 100x smaller
    relu = record(digits, [32] * 6, "relu")[0]["grad_norms"]  # He initialisation (init "auto")
    assert max(relu) / min(relu) < 5, relu


def test_the_recorded_numbers_are_the_formulas_on_a_full_batch_gradient_descent_step(digits):
    """gd: one batch (the whole set) per epoch, p <- p - lr g, so ‖ΔW‖/‖W‖ = lr ‖g‖ / ‖W‖."""
    net = net_of([16, 8], "tanh", dtype="float64")
    before = [layer.params["W"].copy() for layer in net.dense_layers]
    trainer = Trainer(net, digits, TrainConfig(optimizer="gd", lr=0.5, epochs=1), record_grads=True)
    net_copy = inspect.snapshot(net)
    net_copy.loss_and_grad(np.asarray(digits.X_train, np.float64), digits.y_train)  # the same full batch
    r = next(trainer.run())
    expected_norms = [np.linalg.norm(layer.grads["W"]) for layer in net_copy.dense_layers]
    np.testing.assert_allclose(r["grad_norms"], expected_norms, rtol=1e-10)
    np.testing.assert_allclose(r["update_ratios"], [0.5 * g / np.linalg.norm(W) for g, W in zip(expected_norms, before)],
                               rtol=1e-10)
    np.testing.assert_allclose(r["update_ratios"], [np.linalg.norm(layer.params["W"] - W) / np.linalg.norm(W)
                                                    for layer, W in zip(net.dense_layers, before)], rtol=1e-10)


def test_both_engines_record_the_same_gradient_statistics(digits):
    fast, ref = (record(digits, [32, 16], "tanh", epochs=3, engine=e, dtype="float64") for e in ("fast", "reference"))
    for key in ("grad_norms", "update_ratios"):
        np.testing.assert_allclose([r[key] for r in fast], [r[key] for r in ref], rtol=1e-9)
        assert all(len(r[key]) == 3 and min(r[key]) > 0 for r in fast)


def test_recording_is_off_by_default_and_in_the_speed_benchmark(digits):
    from nnlab.core import hyperparams

    assert hyperparams.default("record_grads") is False and hyperparams.get("record_grads").section == "engine"
    trainer = Trainer(net_of([8], "relu"), digits, TrainConfig(epochs=2))
    r = next(trainer.run())
    assert trainer.record_grads is False and r["grad_norms"] is None and r["update_ratios"] is None
    X, y = np.zeros((4, 784), np.float32), np.arange(4)
    assert bench.speed_trainer(Dataset("mnist-shaped", X, y, X, y, X, y, classes=list(range(10)))).record_grads is False
    trainer.record_grads = True  # switched on: from the next epoch
    assert next(trainer.run())["grad_norms"] is not None


def test_the_estimator_records_them_too(digits):
    from nnlab import NNClassifier

    clf = NNClassifier(hidden=(8,), epochs=2, record_grads=True, random_state=0).fit(digits.X_train, digits.y_train)
    assert all(len(r["grad_norms"]) == 2 for r in clf.history_)
    assert NNClassifier(hidden=(8,), epochs=1).fit(digits.X_train, digits.y_train).history_[0]["grad_norms"] is None


def test_the_statistics_sample_eight_batches_spread_over_the_epoch_and_survive_a_pause(digits):
    net = net_of([8], "relu")
    stats = gradstats.GradStats(net, 23)  # 23 batches: every other one, until 8 are measured
    measured = []
    for batch in range(1, 24):
        if stats.before_step(net, batch):
            stats.after_step(net)
            measured.append(batch)
    assert measured == [1, 3, 5, 7, 9, 11, 13, 15] and stats.measured == gradstats.SAMPLES
    # a pause inside the epoch (progress records) records the same numbers as none
    whole = record(digits, [16], "relu", epochs=2)
    net = net_of([16], "relu")
    trainer = Trainer(net, digits, TrainConfig(optimizer="sgd", lr=0.1, batch_size=32, epochs=2, seed=0),
                      record_grads=True)
    first = trainer.run(progress_seconds=0)
    next(first), next(first)  # two batches, then stop reading: the epoch pauses
    paused = [r for r in trainer.run() if not r.get("progress")]
    for a, b in zip(whole, paused):
        np.testing.assert_allclose(a["grad_norms"], b["grad_norms"], rtol=1e-6)


def test_gradient_norms_now_on_one_batch(digits):
    net = net_of([16, 8], "sigmoid")
    norms = inspect.gradient_norms(inspect.snapshot(net), digits.X_val[:64], digits.y_val[:64])
    assert len(norms) == 3 and norms[0] < norms[1] < norms[2]


# ------------------------------------------------------------ gradient check
def test_per_layer_check_passes_and_the_broken_backward_fails_where_it_is_broken(digits):
    config = NetworkConfig(64, 10, [16, 12], ["sigmoid", "relu"], dropout=0.3)
    X, y = digits.X_val[:8], digits.y_val[:8]
    good = gradcheck.check_architecture(config, X, y, l2=0.5, max_checks=20)
    assert good["ok"] and good["broken"] == ""
    assert [(r["layer"], r["param"]) for r in good["rows"]] == [
        ("hidden 1", "W"), ("hidden 1", "b"), ("hidden 2", "W"), ("hidden 2", "b"), ("output", "W"), ("output", "b")]
    assert [r["checked"] for r in good["rows"]] == [20, 16, 20, 12, 20, 10]
    assert [r["entries"] for r in good["rows"]] == [1024, 16, 192, 12, 120, 10]
    bad = gradcheck.check_architecture(config, X, y, l2=0.5, max_checks=20, broken=True)
    assert not bad["ok"] and "hidden layer 1" in bad["broken"] and "sigmoid" in bad["broken"]
    failed = {(r["layer"], r["param"]) for r in bad["rows"] if not r["ok"]}
    assert failed == {("hidden 1", "W"), ("hidden 1", "b")}  # below the broken derivative only
    assert max(r["max_rel_error"] for r in bad["rows"]) > 1e-2


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_a_correct_backward_passes_on_deep_networks_whose_gradients_vanish_or_cross_kinks(digits, activation):
    """Six layers: sigmoid's first-layer gradients (~1e-8 an entry) are below the numerical
    derivative's rounding noise, and ReLU's nudges switch units on and off (kinks); neither
    may look like a bug (both did before the noise floor and the kink test)."""
    config = NetworkConfig(64, 10, [128, 64, 32, 32, 32, 32], [activation])
    res = gradcheck.check_architecture(config, digits.X_val[:8], digits.y_val[:8])
    assert res["ok"], [(r["name"], r["max_rel_error"]) for r in res["rows"]]
    kinks = sum(r["at_kinks"] for r in res["rows"])
    assert (kinks > 0) == (activation == "relu")
    assert all(r["at_kinks"] < r["checked"] for r in res["rows"])
    assert 1e-5 < res["floor"] < 1e-3  # 10 ulps of a loss near 2.3, divided by h = 1e-4 and by 1e-6
    broken = gradcheck.check_architecture(config, digits.X_val[:8], digits.y_val[:8], broken=True)
    assert {r["name"] for r in broken["rows"] if not r["ok"]} == {"dense0.W", "dense0.b"}


def test_a_network_without_a_nonlinear_hidden_layer_is_broken_another_way(digits):
    res = gradcheck.check_architecture(NetworkConfig(64, 10, [], []), digits.X_val[:8], digits.y_val[:8], broken=True)
    assert res["broken"] == "the first layer's bias gradient is doubled"
    assert [r["ok"] for r in res["rows"]] == [True, False]


def test_bounded_checks_shrink_with_the_network():
    assert gradcheck.bounded_checks(17_000, 6) == gradcheck.MAX_CHECKS
    assert gradcheck.bounded_checks(6_000_000, 14) == 3
    assert 3 < gradcheck.bounded_checks(670_000, 6) <= gradcheck.MAX_CHECKS


def nnlab(*args):
    return subprocess.run([sys.executable, "-m", "nnlab", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_cli_gradcheck_per_layer_table_and_json():
    r = nnlab("gradcheck", "--hidden", "6,5", "--activation", "relu", "--per-layer", "--max-checks", "10", "--json")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["layer", "param", "entries", "checked", "at", "kinks", "max", "rel.", "error", "result"]
    assert lines[1].split()[:5] == ["hidden", "1", "W", "36", "10"] and lines[1].endswith("pass")
    assert "arrays of more than 10 entries: 10 of them checked, chosen at random" in r.stdout
    out = json.loads(lines[-1])
    assert out["ok"] and out["threshold"] == 1e-6
    rows = out["per_layer"]
    assert [(row["layer"], row["param"], row["checked"]) for row in rows] == [
        ("hidden 1", "W", 10), ("hidden 1", "b", 6), ("hidden 2", "W", 10), ("hidden 2", "b", 5),
        ("output", "W", 10), ("output", "b", 3)]
    assert all(row["ok"] and row["max_rel_error"] < 1e-6 for row in rows)
    plain = nnlab("gradcheck", "--json")  # without --per-layer: the JSON as before
    assert plain.returncode == 0 and "per_layer" not in json.loads(plain.stdout.splitlines()[-1])


def test_cli_train_records_gradient_norms_when_asked():
    r = nnlab("train", "--hidden", "16,16", "--activation", "sigmoid", "--epochs", "2", "--record-grads")
    assert r.returncode == 0, r.stderr
    line = next(s for s in r.stdout.splitlines() if s.startswith("epoch    1"))
    norms = [float(v) for v in line.split("grad norms")[1].split()]
    assert len(norms) == 3 and norms[0] < norms[-1]
    assert "grad norms" not in nnlab("train", "--hidden", "8", "--epochs", "1").stdout


# ------------------------------------------------------------------ figures
def test_inside_figures(digits):
    net = net_of([16, 8], "sigmoid")
    history = record(digits, [16, 8], "sigmoid", epochs=2)
    history.insert(0, {**history[0], "epoch": 0, "grad_norms": None})  # an epoch without records is left out
    names = inspect.layer_names(net)
    fig = figures_inside.gradient_norms_figure(history, names)
    assert fig.layout.yaxis.type == "log" and [t.name for t in fig.data] == names
    assert list(fig.data[0].x) == [1, 2] and fig.data[0].y[0] == history[1]["grad_norms"][0]
    ratio = figures_inside.update_ratio_figure(history, names)
    assert ratio.layout.shapes[0].y0 == figures_inside.RATIO_GUIDE
    stats = inspect.layer_stats(net, digits.X_val)
    acts = figures_inside.activation_figure(stats)
    assert len(acts.data) == 2 and "saturated" in acts.layout.annotations[0].text
    assert len(acts.layout.shapes) == 4  # two saturated bands per sigmoid layer
    tiles = inspect.weight_tiles(net, (8, 8))
    grid = figures_inside.weights_grid_figure(tiles[[3, 1, 2]], [3, 1, 2], selected=1)
    assert [c[0] for c in grid.data[1].customdata] == [3, 1, 2] and len(grid.layout.shapes) == 1
    strips = figures_inside.activation_strips_figure([np.ones(16), -np.ones(8)], names[:2], ["relu", "tanh"])
    assert len(strips.data) == 2 and strips.data[1].zmin == -1
    rgb = figures_inside.diverging_rgb(np.array([[-1.0, 0.0, 1.0]]), scale=1)
    assert rgb.shape == (1, 3, 3) and tuple(rgb[0, 1]) == (247, 247, 247) and rgb[0, 2, 0] > rgb[0, 2, 2]


MNIST = ROOT.parent / "shared" / "data" / "mnist"


@pytest.mark.slow
@pytest.mark.skipif(not MNIST.is_dir(), reason="MNIST IDX files not present in ../shared/data/mnist")
def test_measure_inside_reports_the_overhead_it_measured():
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "measure" / "measure_inside.py"), "--rounds", "1", "--networks",
                        "speed", "--data-dir", str(MNIST), "--json"], cwd=ROOT, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout.strip().splitlines()[-1])["speed task 784-256-128-10"]
    assert result["median_on"] > 0 and result["median_off"] > 0 and 0 < result["stats_seconds_median"] < 1
    assert result["overhead_median"] == pytest.approx(result["median_on"] / result["median_off"] - 1)
    assert "overhead" in r.stdout and "% of an epoch" in r.stdout
