"""Gradient checks: backward must match central differences (float64) for
every registered activation x loss x layer kind, with and without regularisation."""
import numpy as np
import pytest

from nnlab.core.activations import ACTIVATIONS
from nnlab.core.config import NetworkConfig
from nnlab.core.gradcheck import check_random_network, gradient_check
from nnlab.core.losses import LOSSES, OUTPUTS
from nnlab.core.network import Network

LOSS_OUTPUTS = [(loss, out) for loss in LOSSES for out in OUTPUTS[loss]]
TOL = 1e-6


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("loss,output", LOSS_OUTPUTS)
def test_gradients_match_numerical(activation, loss, output):
    res = check_random_network(hidden=(5, 4), activations=(activation,), loss=loss,
                               output="" if output == "softmax" else output)
    assert res["max_rel_error"] < TOL, res["errors"]


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_gradients_with_l2_l1_and_dropout(activation):
    res = check_random_network(hidden=(6, 5), activations=(activation,), l2=0.7, l1=0.3, dropout=0.3, seed=3)
    assert res["max_rel_error"] < TOL, res["errors"]


def test_mixed_activations_deep_network():
    res = check_random_network(hidden=(7, 6, 5, 4), activations=("relu", "tanh", "elu", "sigmoid"),
                               loss="mse", output="linear", seed=5)
    assert res["max_rel_error"] < TOL, res["errors"]


def test_gradcheck_detects_a_broken_backward(monkeypatch):
    """The check itself must fail when backward is wrong (a test that can fail)."""
    import nnlab.core.layers as layers

    config = NetworkConfig(n_inputs=4, n_outputs=3, hidden=[5], activations=["tanh"], dtype="float64")
    net = Network(config, seed=0)
    # sabotage: tanh' = 1 - a instead of 1 - a^2
    broken = lambda a, delta: delta.__imul__(1.0 - a)
    for layer in net.layers:
        if isinstance(layer, layers.Activation):
            layer._df = broken
    rng = np.random.default_rng(0)
    errors = gradient_check(net, rng.normal(size=(6, 4)), rng.integers(0, 3, 6))
    assert max(errors.values()) > 1e-3


def test_gradcheck_refuses_float32():
    net = Network(NetworkConfig(n_inputs=3, n_outputs=2, hidden=[2]), seed=0)
    with pytest.raises(ValueError, match="float64"):
        gradient_check(net, np.zeros((2, 3)), np.array([0, 1]))
