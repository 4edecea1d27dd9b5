"""The two engines agree: the textbook path (nnlab/train/optimizers.py, nnlab/train/batches.py)
and the fast one (nnlab/train/fast/) give the same losses, weights and optimizer state
after the same steps, for every optimizer and every activation, on a small and a large
network — the fast engine both ways: its NumPy code and its numba kernels (fast/jit.py)."""
import logging
import os

import numpy as np
import pytest

from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.data.datasets import Dataset, load_dataset
from nnlab.train import engines
from nnlab.train.engines import make_optimizer
from nnlab.core.activations import ACTIVATIONS
from nnlab.train.fast import jit, openblas, threads
from nnlab.train.optimizers import OPTIMIZERS
from nnlab.train.trainer import Trainer

SETTINGS = {"gd": dict(lr=0.5), "sgd": dict(lr=0.1), "momentum": dict(lr=0.05), "nesterov": dict(lr=0.05),
            "rmsprop": dict(lr=0.001), "adam": dict(lr=0.003)}


@pytest.fixture(params=["numpy", "numba"])
def kernels(request, monkeypatch):
    """The fast engine's NumPy code (NNLAB_NUMBA=0) or its numba kernels for every network (=1)."""
    if request.param == "numba" and not jit.available():
        pytest.skip("numba is not installed")
    monkeypatch.setenv(jit.VARIABLE, "1" if request.param == "numba" else "0")
    return request.param


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


@pytest.fixture(scope="module")
def big():
    """MNIST-shaped random images: the 784-256-128-10 network has 235,146 parameters."""
    rng = np.random.default_rng(0)
    X = (rng.random((700, 784)) < 0.2).astype(np.float32)
    y = rng.integers(0, 10, 700)
    return Dataset("random-mnist", X[:500], y[:500], X[500:600], y[500:600], X[600:], y[600:],
                   classes=list(range(10)), image_shape=(28, 28))


def train(data, engine, optimizer, hidden, dtype, epochs, activation="relu", loss="cross_entropy", **settings):
    net = Network(NetworkConfig(data.n_features, data.n_classes, list(hidden), [activation], dropout=0.1,
                                dtype=dtype, loss=loss, output="softmax" if loss == "cross_entropy" else "sigmoid"),
                  seed=3)
    cfg = TrainConfig(optimizer=optimizer, batch_size=32, epochs=epochs, seed=3, **{**SETTINGS[optimizer], **settings})
    t = Trainer(net, data, cfg, engine=engine)
    history = list(t.run())
    return net, t, history


def assert_same_run(a, b, rtol, atol):
    (net_a, t_a, hist_a), (net_b, t_b, hist_b) = a, b
    assert [r["epoch"] for r in hist_a] == [r["epoch"] for r in hist_b]
    for key in ("train_loss", "val_loss", "train_accuracy"):
        np.testing.assert_allclose([r[key] for r in hist_a], [r[key] for r in hist_b], rtol=rtol, atol=atol)
    np.testing.assert_allclose(net_a.flat_params, net_b.flat_params, rtol=rtol, atol=atol)
    state_a, state_b = t_a.optimizer.state(), t_b.optimizer.state()
    assert state_a.keys() == state_b.keys()  # the paper's names on both sides (Adam: m and v)
    for k in state_a:
        np.testing.assert_allclose(state_a[k], state_b[k], rtol=rtol, atol=atol * 1e-2)


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_engines_agree_on_a_small_network(digits, optimizer, kernels):
    """Digits 64-32-10, float64, dropout and augmentation on: three epochs (69 steps)."""
    fast, ref = (train(digits, e, optimizer, (32,), "float64", 3, augment=True) for e in ("fast", "reference"))
    assert type(fast[1].backprop.ops).__name__ == {"numpy": "NumpyOps", "numba": "NumbaOps"}[kernels]
    assert (fast[1].optimizer._kernels is not None) is (kernels == "numba")
    assert isinstance(ref[1].optimizer, OPTIMIZERS[optimizer]) and not isinstance(fast[1].optimizer,
                                                                                 OPTIMIZERS[optimizer])
    assert ref[2][-1]["train_loss"] < ref[2][0]["train_loss"] or optimizer == "gd"  # it trained
    assert_same_run(fast, ref, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_engines_agree_on_a_large_network_with_the_helper_thread(big, optimizer, kernels, monkeypatch):
    """784-256-128-10 in float32, the fast update shared with the helper thread
    (forced on, whatever the machine) and batches gathered ahead: one epoch, 16 steps."""
    monkeypatch.setattr(threads, "optimizer_threads", lambda n_params: 2)
    fast = train(big, "fast", optimizer, (256, 128), "float32", 1)
    assert fast[1].optimizer.shared
    ref = train(big, "reference", optimizer, (256, 128), "float32", 1)
    assert_same_run(fast, ref, rtol=2e-4, atol=2e-6)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_engines_agree_for_every_activation(digits, big, activation, kernels, monkeypatch):
    """Each activation's forward and derivative (fused kernels with numba): digits
    in float64 (Adam, cross-entropy, and SGD on an MSE output) and the MNIST-sized
    network in float32 (with momentum: Adam divides by the gradient's own size, so
    on a weight whose gradients are ~0 it turns float32 rounding — numba's tanh and
    NumPy's differ by an ulp — into a step of order lr; measured 8.7e-6 on one weight
    of 235,146 with sigmoid, beyond atol; the rule itself is checked above)."""
    for optimizer, loss in (("adam", "cross_entropy"), ("sgd", "mse")):
        fast, ref = (train(digits, e, optimizer, (32, 16), "float64", 2, activation, loss, l2=0.5, l1=0.1)
                     for e in ("fast", "reference"))
        assert_same_run(fast, ref, rtol=1e-9, atol=1e-12)
    monkeypatch.setattr(threads, "optimizer_threads", lambda n_params: 2)
    fast, ref = (train(big, e, "momentum", (256, 128), "float32", 1, activation) for e in ("fast", "reference"))
    assert_same_run(fast, ref, rtol=2e-4, atol=2e-6)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_one_optimizer_many_steps_same_numbers_and_state(name, kernels):
    """The rules alone, 200 steps on random float64 gradients: the fast kernels
    (rescaled Adam moments, the denormal flush) match the textbook to rounding."""
    rng = np.random.default_rng(5)
    p_fast, p_ref = (np.full(1000, 0.5) for _ in range(2))
    fast, ref = (make_optimizer(name, lr=1e-3, engine=e) for e in ("fast", "reference"))
    for _ in range(200):
        g = rng.standard_normal(1000) * rng.random(1000)
        fast.step(p_fast, g.copy())
        ref.step(p_ref, g.copy())
    np.testing.assert_allclose(p_fast, p_ref, rtol=1e-12, atol=1e-15)
    assert fast.t == ref.t == 200
    for k, v in ref.state().items():
        np.testing.assert_allclose(fast.state()[k], v, rtol=1e-11, atol=1e-300)


def test_reference_engine_pauses_inside_an_epoch_and_diverges_like_the_fast_one(digits):
    def run(engine, pause):
        net = Network(NetworkConfig(64, 10, [32], ["relu"]), seed=0)
        t = Trainer(net, digits, TrainConfig(optimizer="adam", lr=0.003, epochs=2), engine=engine)
        for r in t.run(progress_seconds=0 if pause else None):
            if r.get("progress") and r["epoch"] == 2 and r["batch"] == 5:
                break  # paused inside the second epoch...
        assert t.epoch_progress == ((5, 23) if pause else None)
        list(t.run())  # ...and finished
        return net.get_params(), [r["train_loss"] for r in t.history]

    straight, paused = run("reference", False), run("reference", True)
    np.testing.assert_array_equal(paused[0], straight[0])
    assert paused[1] == straight[1]
    np.testing.assert_allclose(run("fast", True)[0], paused[0], rtol=1e-4, atol=1e-6)

    def diverged(engine):
        net = Network(NetworkConfig(64, 10, [32], ["relu"]), seed=0)
        t = Trainer(net, digits, TrainConfig(optimizer="sgd", lr=1e4, epochs=3), engine=engine)
        list(t.run())
        return t.stopped_reason, t.diverged_at["batch"], t.message

    assert diverged("reference") == diverged("fast") and diverged("fast")[0] == "diverged"


def test_engine_is_one_name_from_one_registry(digits):
    assert set(engines.ENGINES) == {"fast", "reference"} and engines.DEFAULT_ENGINE == "fast"
    net = Network(NetworkConfig(64, 10, [8], ["relu"]), seed=0)
    assert Trainer(net, digits, TrainConfig()).engine.name == "fast"
    for bad in ("turbo", ""):
        with pytest.raises(ValueError, match="fast, reference"):
            Trainer(net, digits, TrainConfig(), engine=bad)
        with pytest.raises(ValueError, match="fast, reference"):
            make_optimizer("adam", lr=0.1, engine=bad)
    t = Trainer(net, digits, TrainConfig(optimizer="sgd", epochs=2), engine="Reference")
    t.reconfigure(TrainConfig(optimizer="adam", epochs=2))  # a new optimizer from the same engine
    assert t.engine.name == "reference" and type(t.optimizer) is OPTIMIZERS["adam"]


def test_openblas_setting_is_made_once_or_said_to_come_too_late(monkeypatch, caplog):
    monkeypatch.delenv(openblas.VARIABLE, raising=False)
    monkeypatch.setattr(openblas, "STATUS", openblas.STATUS)
    with caplog.at_level(logging.WARNING, logger="nnlab"):
        status = openblas.quiet_blas_workers(numpy_loaded=True)
    assert "not applied" in status and openblas.VARIABLE not in os.environ
    assert [r.levelno for r in caplog.records] == [logging.WARNING] and "NumPy was imported" in caplog.text
    caplog.clear()
    status = openblas.quiet_blas_workers(numpy_loaded=False)
    assert os.environ[openblas.VARIABLE] == "16" and "set by nnlab" in status and not caplog.records
    monkeypatch.setenv(openblas.VARIABLE, "4")
    assert "set by the user" in openblas.quiet_blas_workers(numpy_loaded=True) and not caplog.records
    assert os.environ[openblas.VARIABLE] == "4"  # the user's value is kept
