"""The fast engine's numba kernels (nnlab/train/fast/*_kernels.py) against its NumPy code,
pass by pass, on random inputs of odd shapes in float32 and float64: the same bits where
the operations are the same (optimizer updates, ReLU-like activations, every derivative,
the penalty), a few ulp where the C library's exp/tanh stand in for NumPy's.  And the
NumPy path itself: the textbook network's numbers, bit for bit; numba absent or switched
off (NNLAB_NUMBA=0) leaves the fast engine on it."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlab.core.activations import ACTIVATIONS
from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.data.datasets import load_dataset
from nnlab.train import engines
from nnlab.train.engines import make_optimizer
from nnlab.train.fast import jit
from nnlab.train.fast.backprop import FastPass
from nnlab.train.fast.ops import NumpyOps
from nnlab.train.optimizers import OPTIMIZERS
from nnlab.train.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]
SHAPES = [(1, 1), (3, 7), (37, 129), (128, 256)]
EXACT = {"relu", "leaky_relu", "linear"}  # the same operations as NumPy's: the same bits


@pytest.fixture(scope="module")
def numba_ops():
    kernels = jit._load()
    if kernels is None:
        pytest.skip("numba is not installed")
    from nnlab.train.fast.ops import NumbaOps

    return NumbaOps(kernels)


def close(dtype):
    return dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-14)


def inputs(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    z = (rng.standard_normal(shape) * 3).astype(dtype)
    z.flat[::5] = 0.0  # exact zeros: the kinks of ReLU and its relatives
    return z, rng.standard_normal(shape[1]).astype(dtype), rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_and_derivative_with_the_bias(numba_ops, name, shape, dtype):
    z, b, g = inputs(shape, dtype)
    a_np, a_nb = z.copy(), z.copy()
    NumpyOps().activate(a_np, b, name)
    numba_ops.activate(a_nb, b, name)
    if name in EXACT:
        np.testing.assert_array_equal(a_nb, a_np)
    else:
        np.testing.assert_allclose(a_nb, a_np, **close(dtype))
    (g_np, gb_np), (g_nb, gb_nb) = [(g.copy(), np.empty(shape[1], dtype)) for _ in range(2)]
    NumpyOps().derivative(a_np, g_np, gb_np, name)
    numba_ops.derivative(a_np, g_nb, gb_nb, name)
    np.testing.assert_array_equal(g_nb, g_np)  # the derivative: the same operations
    np.testing.assert_allclose(gb_nb, gb_np, rtol=1e-4 if dtype == np.float32 else 1e-12,
                               atol=1e-4 if dtype == np.float32 else 1e-12)  # column sums: another order


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 2), (5, 3), (128, 10), (96, 10), (33, 17)])
def test_softmax_cross_entropy_and_its_gradient(numba_ops, shape, dtype):
    z, b, _ = inputs(shape, dtype, seed=1)
    y = np.random.default_rng(2).integers(0, shape[1], shape[0])
    (z_np, gb_np), (z_nb, gb_nb) = [(z.copy(), np.empty(shape[1], dtype)) for _ in range(2)]
    loss_np, pred_np = NumpyOps().softmax_ce(z_np, b, y, gb_np)
    loss_nb, pred_nb = numba_ops.softmax_ce(z_nb, b, y, gb_nb)
    assert loss_nb == pytest.approx(loss_np, rel=1e-6 if dtype == np.float32 else 1e-13)
    np.testing.assert_array_equal(pred_nb, pred_np)
    np.testing.assert_allclose(z_nb, z_np, **close(dtype))
    np.testing.assert_allclose(gb_nb, gb_np, **close(dtype))
    big = z.copy()
    big[0, 0] = 1e30 if dtype == np.float32 else 1e300  # no overflow: the row maximum is taken out first
    assert np.isfinite(numba_ops.softmax_ce(big, b, y, gb_nb)[0])
    big[0, 0] = np.nan  # a diverged network: the loss says so
    assert np.isnan(numba_ops.softmax_ce(big, b, y, gb_nb)[0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_penalty_same_bits(numba_ops, dtype):
    rng = np.random.default_rng(3)
    w = rng.standard_normal(1001).astype(dtype)
    w[::7] = 0.0
    g = rng.standard_normal(1001).astype(dtype)
    for c2, c1 in ((0.3 / 60000, 0.0), (0.0, 0.1 / 7), (0.5, 0.2)):
        g_np, g_nb = g.copy(), g.copy()
        NumpyOps().penalty(w, g_np, c2, c1)
        numba_ops.penalty(w, g_nb, c2, c1)
        np.testing.assert_array_equal(g_nb, g_np)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [1, 7, 1001])
@pytest.mark.parametrize("name", sorted(set(OPTIMIZERS) - {"gd"}))
def test_update_kernel_same_bits_as_the_numpy_rule(numba_ops, name, size, dtype, monkeypatch):
    """250 steps (two of them flush tiny state values), sparse gradients: parameters and
    state equal, bit for bit."""
    runs = []
    for flag in ("0", "1"):
        monkeypatch.setenv(jit.VARIABLE, flag)
        rng = np.random.default_rng(4)
        p = rng.standard_normal(size).astype(dtype)
        opt = make_optimizer(name, lr=1e-2)
        for _ in range(250):
            opt.step(p, (rng.standard_normal(size) * (rng.random(size) < 0.5)).astype(dtype))
        assert (opt._kernels is not None) is (flag == "1")
        runs.append((p, opt.state()))
    (p_np, s_np), (p_nb, s_nb) = runs
    np.testing.assert_array_equal(p_nb, p_np)
    for k in s_np:
        np.testing.assert_array_equal(s_nb[k], s_np[k])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_numpy_pass_is_the_textbook_network_bit_for_bit(name, dtype):
    """FastPass with NumpyOps (the fast engine without numba) against Network.loss_and_grad:
    cross-entropy and MSE outputs, dropout, L2 and L1."""
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((37, 13)).astype(dtype), rng.integers(0, 5, 37)
    for loss, output, dropout in (("cross_entropy", "softmax", 0.2), ("mse", "sigmoid", 0.0), ("mse", "linear", 0.1)):
        cfg = NetworkConfig(13, 5, [17, 11], [name], loss=loss, output=output, dropout=dropout, dtype=dtype)
        textbook, fast = Network(cfg, seed=1), Network(cfg, seed=1)
        loss_t, pred_t = textbook.loss_and_grad(X, y, n_total=100, l2=0.3, l1=0.1)
        loss_f, pred_f = FastPass(fast, NumpyOps())(X, y, n_total=100, l2=0.3, l1=0.1)
        assert loss_f == loss_t
        np.testing.assert_array_equal(pred_f, pred_t)
        np.testing.assert_array_equal(fast.flat_grads, textbook.flat_grads)


def test_which_networks_get_the_kernels(monkeypatch):
    monkeypatch.delenv(jit.VARIABLE, raising=False)
    assert jit.wanted(235_146) and not jit.wanted(17_000)  # MNIST's networks; digits-quick's is left alone
    for value, small, big in (("0", False, False), ("off", False, False), ("1", True, True), ("auto", False, True)):
        monkeypatch.setenv(jit.VARIABLE, value)
        assert (jit.wanted(10), jit.wanted(10 ** 6)) == (small, big), value
    monkeypatch.setenv(jit.VARIABLE, "0")
    digits = load_dataset("digits")
    net = Network(NetworkConfig(64, 10, [512, 256], ["relu"]), seed=0)  # big, but switched off
    trainer = Trainer(net, digits, TrainConfig(epochs=1))
    assert trainer.backprop.ops.name == "numpy" and trainer.optimizer._kernels is None
    assert engines.kernels_in_use(trainer) == "numpy"


def test_without_numba_the_fast_engine_runs_its_numpy_code():
    code = ("import sys; sys.modules['numba'] = None\n"  # import numba -> ImportError
            "import nnlab, numpy as np\n"
            "from nnlab.core.config import NetworkConfig, TrainConfig\n"
            "from nnlab.core.network import Network\n"
            "from nnlab.data.datasets import load_dataset\n"
            "from nnlab.train.fast import jit\n"
            "from nnlab.train.trainer import Trainer\n"
            "net = Network(NetworkConfig(64, 10, [512, 256], ['relu']), seed=0)\n"
            "t = Trainer(net, load_dataset('digits'), TrainConfig(epochs=1))\n"
            "loss = list(t.run())[-1]['train_loss']\n"
            "print(jit.available(), t.backprop.ops.name, t.optimizer._kernels, bool(np.isfinite(loss)))\n")
    env = {**os.environ, jit.VARIABLE: "1"}
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "numpy", "None", "True"]


def test_compiled_kernels_go_where_they_can_be_written(tmp_path, monkeypatch):
    here = tmp_path / "fast"
    here.mkdir()
    assert jit.cache_dir(here, {}) is None  # writable: numba's __pycache__ beside the modules
    assert jit.cache_dir(here, {"NUMBA_CACHE_DIR": "/x"}) is None  # the user's choice stands
    monkeypatch.setattr(jit, "_writable", lambda folder: folder != here)  # an installed, read-only package
    assert jit.cache_dir(here, {"NNLAB_HOME": str(tmp_path / "home")}) == tmp_path / "home" / "numba-cache"
    assert (tmp_path / "home" / "numba-cache").is_dir()
    assert jit.cache_dir(here, {}).name == "nnlab-numba-cache"  # no NNLAB_HOME: the temporary folder


@pytest.mark.parametrize("flag", ["0", "1"])
def test_profile_splits_an_epoch_into_its_passes(flag, monkeypatch):
    if flag == "1" and not jit.available():
        pytest.skip("numba is not installed")
    monkeypatch.setenv(jit.VARIABLE, flag)
    digits = load_dataset("digits")
    net = Network(NetworkConfig(64, 10, [32, 16], ["tanh"], dropout=0.1), seed=0)
    trainer = Trainer(net, digits, TrainConfig(optimizer="adam", epochs=5, l2=0.1))
    profile = engines.profile_epochs(trainer, 2)
    assert profile["ops"] == ("numba" if flag == "1" else "numpy") and len(profile["epochs"]) == 2
    best = profile["best"]
    parts = list(profile["share"])
    assert sum(best[p] for p in parts) == pytest.approx(best["epoch"]) and min(best[p] for p in parts) >= 0
    for part in ("forward GEMMs", "backward GEMMs", "activation forward", "activation derivative",
                 "softmax + cross-entropy + gradient", "optimizer update", "batch copies/gathers"):
        assert best[part] > 0, part
    assert (best["bias gradients"] > 0) is (flag == "0")  # numba: inside the derivative and softmax kernels
    assert trainer.epoch == 2 and np.isfinite(net.flat_params).all()
    with pytest.raises(ValueError, match="fast engine"):
        engines.profile_epochs(Trainer(net, digits, TrainConfig(epochs=1), engine="reference"), 1)
