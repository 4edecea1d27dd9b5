"""Layers, activations, losses: values against their textbook formulas."""
import numpy as np
import pytest

from nnlab.core.activations import ACTIVATIONS, check_activation
from nnlab.core.config import NetworkConfig
from nnlab.core.layers import Dropout
from nnlab.core.losses import MeanSquaredError, SoftmaxCrossEntropy
from nnlab.core.network import Network

Z = np.array([[-30.0, -2.0, -0.5, 0.0, 0.5, 2.0, 30.0]])
REFERENCE = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(z)),
    "linear": lambda z: z,
}


def test_every_activation_has_a_reference():
    assert set(REFERENCE) == set(ACTIVATIONS)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_values(name):
    np.testing.assert_allclose(ACTIVATIONS[name](Z.copy()), REFERENCE[name](Z), rtol=1e-12, atol=1e-15)


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match="relu"):
        check_activation("swish")
    assert check_activation("logistic") == "sigmoid"


def test_dense_forward_is_affine():
    net = Network(NetworkConfig(n_inputs=3, n_outputs=2, hidden=[], activations=[], dtype="float64"), seed=0)
    dense = net.dense_layers[0]
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(dense.forward(x), x @ dense.params["W"] + dense.params["b"])


def test_dropout_is_off_at_prediction_and_scaled_in_training():
    rng = np.random.default_rng(0)
    layer = Dropout(0.4, rng)
    x = np.ones((2000, 50), dtype=np.float32)
    assert layer.forward(x, training=False) is x  # identity at prediction
    out = layer.forward(x, training=True)
    dropped = np.mean(out == 0)
    assert 0.37 < dropped < 0.43
    np.testing.assert_allclose(out[out != 0], 1 / 0.6, rtol=1e-6)  # inverted scaling
    assert abs(out.mean() - 1.0) < 0.02  # expectation preserved


def test_network_with_dropout_predicts_deterministically():
    net = Network(NetworkConfig(n_inputs=8, n_outputs=3, hidden=[32, 16], dropout=0.5), seed=1)
    X = np.random.default_rng(0).random((10, 8))
    np.testing.assert_array_equal(net.predict_proba(X), net.predict_proba(X))


def test_softmax_cross_entropy_value_and_fused_gradient():
    logits = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]])
    y = np.array([2, 0])
    loss = SoftmaxCrossEntropy()
    value = loss.forward(logits.copy(), y)
    p0 = np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum()
    assert value == pytest.approx((-np.log(p0[2]) + 0.0) / 2)  # second row: log(1) = 0, no overflow
    grad = loss.backward()
    expected = np.vstack([p0 - [0, 0, 1], [0, 0, 0]]) / 2
    np.testing.assert_allclose(grad, expected, atol=1e-12)


def test_mse_value_and_gradient():
    a = np.array([[0.2, 0.9], [0.6, 0.1]])
    y = np.array([1, 0])
    loss = MeanSquaredError()
    value = loss.forward(a, y)
    onehot = np.array([[0, 1], [1, 0]])
    assert value == pytest.approx(0.5 * ((a - onehot) ** 2).sum() / 2)
    np.testing.assert_allclose(loss.backward(), (a - onehot) / 2)


def test_predict_proba_rows_sum_to_one_and_output_is_not_a_shared_buffer():
    net = Network(NetworkConfig(n_inputs=5, n_outputs=4, hidden=[6]), seed=0)
    X = np.random.default_rng(1).random((7, 5))
    p1 = net.predict_proba(X)
    np.testing.assert_allclose(p1.sum(axis=1), 1, rtol=1e-5)
    p1_copy = p1.copy()
    net.predict_proba(np.zeros((7, 5)))
    np.testing.assert_array_equal(p1, p1_copy)


@pytest.mark.parametrize("loss, output", [("cross_entropy", ""), ("mse", "sigmoid"), ("mse", "linear")])
def test_evaluate_with_proba_matches_evaluate_and_predict_proba(loss, output):
    # The Evaluate page takes loss, accuracy and probabilities from one pass;
    # small batches make several batches, so the per-batch filling is checked too.
    net = Network(NetworkConfig(n_inputs=5, n_outputs=4, hidden=[6], loss=loss, output=output), seed=0)
    rng = np.random.default_rng(2)
    X, y = rng.random((23, 5)), rng.integers(0, 4, 23)
    loss_value, acc, proba = net.evaluate_with_proba(X, y, batch_size=5)
    assert (loss_value, acc) == net.evaluate(X, y, batch_size=5)
    assert len(net.evaluate(X, y)) == 2  # one shape each: no flag changes what comes back
    np.testing.assert_array_equal(proba, net.predict_proba(X, batch_size=5))


def test_forward_returns_an_array_the_next_call_leaves_alone():
    """Public forward() is for notebooks: its result is the caller's. The reused
    buffers stay inside the training path (_forward, loss_and_grad)."""
    net = Network(NetworkConfig(n_inputs=5, n_outputs=4, hidden=[6]), seed=0)
    rng = np.random.default_rng(3)
    X1, X2 = rng.random((7, 5)), rng.random((7, 5))
    first = net.forward(X1)
    kept = first.copy()
    second = net.forward(X2)
    np.testing.assert_array_equal(first, kept)  # the second call did not overwrite the first result
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, net._forward(X1.astype(net.dtype)))  # the buffer path's numbers


def test_wrong_feature_count_is_a_clear_error():
    net = Network(NetworkConfig(n_inputs=5, n_outputs=4, hidden=[6]), seed=0)
    with pytest.raises(ValueError, match="expects inputs with 5 features"):
        net.predict(np.zeros((2, 6)))


@pytest.mark.parametrize("bad", [
    dict(hidden=[0]), dict(hidden=[3, -1]), dict(hidden=[4], activations=["nope"]),
    dict(hidden=[4, 4], activations=["relu", "tanh", "elu"]), dict(loss="hinge"),
    dict(loss="mse", output="softmax"), dict(dropout=1.0), dict(init="zeros"), dict(n_outputs=1),
])
def test_bad_network_config_is_a_value_error(bad):
    kwargs = dict(n_inputs=4, n_outputs=3, hidden=[5], activations=["relu"])
    kwargs.update(bad)
    with pytest.raises(ValueError):
        NetworkConfig(**kwargs)


def test_any_depth_and_per_layer_activations():
    config = NetworkConfig(n_inputs=4, n_outputs=3, hidden=[9, 8, 7, 6, 5, 4],
                           activations=["relu", "tanh", "sigmoid", "elu", "leaky_relu", "linear"])
    net = Network(config, seed=0)
    assert [l.n_out for l in net.dense_layers] == [9, 8, 7, 6, 5, 4, 3]
    assert net.n_params == sum(a * b + b for a, b in zip(config.sizes[:-1], config.sizes[1:]))
    assert [r["params"] for r in net.summary()][1:] == [a * b + b for a, b in zip(config.sizes[:-1], config.sizes[1:])]


def test_initializers_have_their_scale():
    big = NetworkConfig(n_inputs=400, n_outputs=10, hidden=[300], activations=["relu"], init="he_normal")
    W = Network(big, seed=0).dense_layers[0].params["W"]
    assert np.std(W) == pytest.approx(np.sqrt(2 / 400), rel=0.05)
    glorot = Network(NetworkConfig(n_inputs=400, n_outputs=10, hidden=[300], activations=["tanh"]), seed=0)
    W = glorot.dense_layers[0].params["W"]
    assert np.abs(W).max() <= np.sqrt(6 / 700) and np.std(W) == pytest.approx(np.sqrt(2 / 700), rel=0.05)
    normal = Network(NetworkConfig(n_inputs=400, n_outputs=10, hidden=[300], init="normal"), seed=0)
    assert np.std(normal.dense_layers[0].params["W"]) == pytest.approx(0.1, rel=0.05)
