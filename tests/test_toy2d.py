"""The Playground's library: 2-D datasets and their options (nnlab/data/toy2d.py), the
network over the plane (nnlab/viz/plane.py) and its figures (nnlab/viz/figures_2d.py)."""
import numpy as np
import pytest

from nnlab.core import hyperparams
from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.data import toy2d
from nnlab.train.trainer import Trainer
from nnlab.viz import figures_2d, plane

TOYS = list(toy2d.DATASETS)


def make(toy, **kw):
    return toy2d.make_dataset(toy, **kw)


@pytest.mark.parametrize("toy", TOYS)
def test_each_dataset_is_2d_points_split_into_train_and_validation(toy):
    d = make(toy, points=300, validation=0.25, classes=4)
    k = 4 if toy in toy2d.MULTICLASS else 2
    assert d.X_train.shape == (225, 2) and d.X_val.shape == (75, 2) and len(d.y_test) == 0
    assert d.X_train.dtype == np.float32 and d.y_train.dtype == np.int64
    assert d.classes == list(range(k)) and d.n_features == 2
    assert set(np.unique(d.y_train)) == set(range(k)) and set(np.unique(d.y_val)) <= set(range(k))
    counts = np.bincount(np.r_[d.y_train, d.y_val], minlength=k)
    assert counts.min() >= 300 / k * 0.7  # balanced, roughly (XOR's quadrants are random)


@pytest.mark.parametrize("toy", TOYS)
def test_the_same_seed_gives_the_same_points_and_another_seed_others(toy):
    a, b, c = make(toy, data_seed=3), make(toy, data_seed=3), make(toy, data_seed=4)
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_val, b.y_val)
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("toy", TOYS)
def test_more_noise_moves_the_same_points_further(toy):
    clean, some, more = (make(toy, noise=n) for n in (0.0, 0.1, 0.4))
    assert np.array_equal(clean.y_train, more.y_train)  # the same points, in the same split
    moved = [float(np.abs(d.X_train - clean.X_train).mean()) for d in (some, more)]
    assert 0 < moved[0] < moved[1] and moved[1] == pytest.approx(4 * moved[0], rel=0.05)


def test_xor_labels_are_the_sign_of_x1_times_x2():
    d = make("xor", noise=0.0, points=500)
    X, y = np.r_[d.X_train, d.X_val], np.r_[d.y_train, d.y_val]
    assert np.array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(int))
    assert np.abs(X).min() > 0.1  # kept away from the axes


def test_spiral_points_lie_on_their_own_arm():
    d = make("spiral", noise=0.0, points=400)
    X, y = np.r_[d.X_train, d.X_val] / 2.8, np.r_[d.y_train, d.y_val]
    r = np.hypot(X[:, 0], X[:, 1])

    def off_arm(c):  # distance from the point of arm c at the same radius
        t = 1.75 * 2 * np.pi * r + np.pi * c
        return np.hypot(X[:, 0] - r * np.sin(t), X[:, 1] - r * np.cos(t))

    assert off_arm(y).max() < 1e-5
    outer = r > 0.2
    assert off_arm(1 - y)[outer].min() > 0.3  # the other arm is half a turn away


def test_circles_class_1_inside_and_blobs_one_blob_per_class():
    d = make("circles", noise=0.0)
    r = np.hypot(*d.X_train.T)
    assert np.allclose(r[d.y_train == 1], 1.25, atol=1e-5) and np.allclose(r[d.y_train == 0], 2.5, atol=1e-5)
    b = make("blobs", classes=5, noise=0.0)
    means = np.array([b.X_train[b.y_train == c].mean(axis=0) for c in range(5)])
    assert np.allclose(np.hypot(*means.T), 1.8, atol=0.25)  # centres on a circle, one per class


def test_options_are_declared_once_and_checked():
    assert toy2d.make_dataset(**toy2d.defaults()).name == "moons"
    assert [o.name for o in toy2d.OPTIONS] == list(toy2d.defaults())
    # a shared link holds them beside the hyper-parameters: no name may mean two things
    assert not set(toy2d.OPTION) & set(hyperparams.BY_NAME)
    for o in toy2d.OPTIONS:
        assert hyperparams.check(o, o.default) == o.default and o.label and o.help and o.widget
    with pytest.raises(ValueError, match="noise"):
        make("moons", noise=-0.1)
    with pytest.raises(ValueError, match="points"):
        make("moons", points=5)
    with pytest.raises(ValueError, match="unknown toy 'squares'.*moons"):
        make("squares")
    with pytest.raises(ValueError, match="unknown data options: colour"):
        toy2d.check_options({"colour": "red"})
    assert toy2d.check_options({"toy": "XOR", "noise": 0}) == {**toy2d.defaults(), "toy": "xor", "noise": 0.0}


def test_features_map_points_to_the_named_functions():
    p = np.array([[1.0, 2.0], [-0.5, 0.25]])
    out = toy2d.feature_map(p, list(toy2d.FEATURES))
    a, b = p.T
    expected = np.c_[a, b, a * a, b * b, a * b, np.sin(a), np.sin(b)]
    assert out.dtype == np.float32 and np.allclose(out, expected)
    # the order is FEATURES', whatever order they were ticked in; repeats count once
    assert np.allclose(toy2d.feature_map(p, ["sin_x2", "x1", "x1"]), np.c_[a, np.sin(b)])
    with pytest.raises(ValueError, match="at least one input feature"):
        toy2d.feature_map(p, [])
    with pytest.raises(ValueError, match="unknown features 'x3'"):
        toy2d.feature_map(p, ["x3"])
    data = toy2d.featurize(make("circles"), ["x1_squared", "x2_squared"])
    assert data.X_train.shape == (280, 2) and data.X_val.shape == (120, 2) and data.X_test.shape == (0, 2)
    assert np.allclose(data.X_train, make("circles").X_train ** 2, rtol=1e-5)


def _net(n_in=2, n_out=2, **kw):
    cfg = dict(n_inputs=n_in, n_outputs=n_out, hidden=[6, 5, 4], activations=["tanh"])
    return Network(NetworkConfig(**{**cfg, **kw}), seed=1)


def test_the_plane_pass_equals_the_network_and_maps_each_hidden_unit():
    for kw in ({}, {"loss": "mse"}, {"dropout": 0.5, "activations": ["relu"]}):
        net = _net(n_out=3, **kw)
        X = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32)
        hidden, proba = plane.layer_outputs(net, X)
        assert np.allclose(proba, net.predict_proba(X), atol=1e-6)
        assert [h.shape for h in hidden] == [(50, 6), (50, 5), (50, 4)]  # an MSE output is not a hidden layer
    maps = plane.plane_maps(net, ["x1", "x2"], extent=3.0, resolution=20, unit_resolution=10)
    assert maps.proba.shape == (20, 20, 3) and np.allclose(maps.proba.sum(axis=-1), 1, atol=1e-5)
    assert [u.shape for u in maps.units] == [(6, 10, 10), (5, 10, 10)]  # the first two hidden layers
    assert maps.xs[0] == -3.0 and maps.xs[-1] == 3.0
    # unit 0 of layer 1 at grid point (row i, column j) is the unit's output at (xs[j], xs[i])
    i, j = 3, 7
    h, _ = plane.layer_outputs(net, np.array([[maps.unit_xs[j], maps.unit_xs[i]]], np.float32), 1)
    assert maps.units[0][0, i, j] == pytest.approx(h[0][0, 0], abs=1e-6)


def _trained(features, epochs=40):
    """A network trained on points whose class is the side of x1 = 0."""
    rng = np.random.default_rng(0)
    P = rng.uniform(-3, 3, size=(300, 2)).astype(np.float32)
    P = P[np.abs(P[:, 0]) > 0.3]
    y = (P[:, 0] > 0).astype(np.int64)
    pts = toy2d.Dataset("halves", P[:200], y[:200], P[200:], y[200:], np.empty((0, 2), np.float32),
                        np.empty(0, np.int64), classes=[0, 1])
    data = toy2d.featurize(pts, features)
    net = _net(n_in=data.n_features, hidden=[8], activations=["tanh"])
    trainer = Trainer(net, data, TrainConfig(optimizer="adam", lr=0.02, batch_size=16, epochs=epochs, seed=0))
    return net, trainer


def test_the_boundary_of_a_trained_net_gives_each_side_its_class():
    net, trainer = _trained(["x1", "x2"])
    for _ in trainer.run():
        pass
    maps = plane.plane_maps(net, ["x1", "x2"], extent=3.0)
    pred = maps.proba.argmax(axis=-1)  # [row = y, column = x]
    left, right = maps.xs < -0.6, maps.xs > 0.6
    assert (pred[:, left] == 0).all() and (pred[:, right] == 1).all()


def test_drawing_the_plane_between_epochs_leaves_training_as_it_was():
    (net_a, tr_a), (net_b, tr_b) = _trained(["x1", "x2", "sin_x1"], 6), _trained(["x1", "x2", "sin_x1"], 6)
    for _ in tr_a.run():
        plane.plane_maps(net_a, ["x1", "x2", "sin_x1"], extent=3.0)
    for _ in tr_b.run():
        pass
    assert np.array_equal(net_a.flat_params, net_b.flat_params)


def test_boundary_figure_a_heatmap_under_filled_and_hollow_points():
    pts = make("moons")
    net = _net()
    maps = plane.plane_maps(net, ["x1", "x2"], extent=toy2d.extent(pts))
    fig = figures_2d.boundary_figure(maps, pts, title="Epoch 3")  # (arrays stay NumPy arrays here)
    heat, train, val = fig.data[:3]
    assert heat.type == "heatmap" and heat.z.shape == (64, 64)
    assert np.allclose(heat.z / 254, maps.proba[..., 1], atol=0.003)  # P(class 1)
    assert len(train.x) == 280 and len(val.x) == 120 and train.marker.symbol is None
    assert val.marker.symbol == "circle-open"
    assert list(train.marker.color) == list(pts.y_train)
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.title.text == "Epoch 3"
    # three classes: the likeliest class picks the colour band, the confidence its shade
    maps3 = plane.plane_maps(_net(n_out=3), ["x1", "x2"], extent=3.0)
    heat3 = figures_2d.boundary_figure(maps3, make("blobs")).data[0]
    assert np.array_equal(heat3.z // figures_2d.LEVELS, maps3.proba.argmax(axis=-1))


def test_units_figure_one_tile_per_unit_and_wide_layers_cut():
    maps = plane.plane_maps(_net(hidden=[32, 5], activations=["relu"]), ["x1", "x2"], extent=3.0,
                            unit_resolution=12)
    fig = figures_2d.units_figure(maps)
    assert len(fig.data) == 1  # one heatmap: cheap to draw several times a second
    z = fig.data[0].z
    step = 12 + figures_2d.GAP
    tiles = [(r, c) for r in range(0, z.shape[0], step) for c in range(0, z.shape[1], step)
             if (z[r:r + 12, c:c + 12] != -128).any()]
    assert len(tiles) == 16 + 5  # layer 1: its first 16 units; layer 2: all 5
    assert "layer 1: first 16 of 32" in fig.layout.title.text
    assert fig.layout.yaxis.ticktext == ("layer 1", "layer 2")
    assert np.abs(z[z != -128]).max() == 127  # each unit on its own scale


def test_the_first_setup_fits_the_moons_and_the_controls_offer_its_values():
    start = toy2d.START_SETTINGS
    for name, value in start.items():
        assert hyperparams.check(name, value) == value
        offered = hyperparams.get(name).values
        items = value if name == "hidden" else [value]  # hidden: a width per layer
        assert not offered or all(v in offered for v in items), name  # the widgets show exactly these values
    data = toy2d.featurize(toy2d.make_dataset(**toy2d.defaults()), toy2d.defaults()["features"])
    net = Network(NetworkConfig(n_inputs=2, n_outputs=2, hidden=start["hidden"], activations=start["activations"]))
    train = {k: v for k, v in start.items() if k in TrainConfig.__dataclass_fields__}
    trainer = Trainer(net, data, TrainConfig(**train))
    records = list(trainer.run())
    assert len(records) == start["epochs"] and records[-1]["val_accuracy"] >= 0.97
    assert trainer.train_seconds < 2.0  # the browser's pictures, not training, set the pace
