"""The tutorials' setups rebuilt with nnlab, asserting their outcomes.

Margins are wide enough for seed noise and narrow enough that a broken
forward/backward/optimizer cannot pass (a broken net sits near 10 %)."""
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.data.datasets import Dataset, load_dataset
from nnlab.train.trainer import Trainer

pytestmark = pytest.mark.slow


def train(data, network, **train):
    net = Network(NetworkConfig(data.n_features, data.n_classes, **network), seed=train.get("seed", 0))
    trainer = Trainer(net, data, TrainConfig(**train))
    for _ in trainer.run():
        pass
    return net, trainer


def accuracy(net, X, y):
    return float((net.predict(X) == y).mean())


def test_first_tutorial_sigmoid_48_32_full_batch_momentum_l2():
    """Two sigmoid hidden layers (48, 32), Glorot init, full-batch gradient descent
    with momentum 0.9, learning rate 0.2, L2 lambda = 0.6: the tutorial reports
    95.96 % test accuracy on this split."""
    data = load_dataset("digits")
    net, t = train(data, dict(hidden=[48, 32], activations=["sigmoid"], init="glorot_uniform"),
                   optimizer="momentum", momentum=0.9, lr=0.2, batch_size=None, l2=0.6, epochs=1000)
    acc = accuracy(net, data.X_test, data.y_test)
    print(f"first tutorial: test accuracy {acc:.4f} (tutorial: 0.9596)")
    assert acc >= 0.95
    assert t.history[-1]["train_accuracy"] > 0.99


def test_layer_objects_tutorial_logistic_20_20_sgd_early_stopping():
    """Logistic (20, 20), N(0, 0.1) weights, mini-batches of 25, lr 0.1, early
    stopping on validation cost.  That tutorial feeds the raw 0..16 pixels and
    splits 60/20/20; we do the same (3 seeded splits).  It reports about 96 %."""
    digits = load_digits()
    X, y = digits.data.astype(np.float32), digits.target
    accs = []
    for seed in (1, 2, 3):
        X_tr, X_hold, y_tr, y_hold = train_test_split(X, y, test_size=0.4, random_state=seed)
        X_val, X_te, y_val, y_te = train_test_split(X_hold, y_hold, test_size=0.5, random_state=seed)
        data = Dataset("digits-raw", X_tr, y_tr, X_val, y_val, X_te, y_te, classes=list(range(10)))
        net, t = train(data, dict(hidden=[20, 20], activations=["sigmoid"], init="normal"),
                       optimizer="sgd", lr=0.1, batch_size=25, epochs=300, patience=3, seed=seed)
        assert t.stopped_reason == "early_stopping"
        accs.append(accuracy(net, X_te, y_te))
    print(f"layer-objects tutorial: test accuracies {accs} (tutorial: about 0.96)")
    assert np.mean(accs) >= 0.93


def test_relu_15_sigmoid_output_mse_reaches_near_perfect_training_accuracy():
    """The structural engineer's net: 15 ReLU units, sigmoid outputs, MSE,
    batches of 15, 100 epochs -> near-perfect training accuracy."""
    data = load_dataset("digits")
    net, t = train(data, dict(hidden=[15], activations=["relu"], loss="mse", output="sigmoid"),
                   optimizer="sgd", lr=0.5, batch_size=15, epochs=100)
    train_acc = accuracy(net, data.X_train, data.y_train)
    print(f"MSE tutorial: training accuracy {train_acc:.4f}, test {accuracy(net, data.X_test, data.y_test):.4f}")
    assert train_acc >= 0.98


def test_kaggle_relu_softmax_l2_rmsprop_learns_in_few_iterations():
    """The Kaggle notebook's ReLU + softmax with L2 and full-batch RMSprop, on digits
    and few iterations: it learns."""
    data = load_dataset("digits")
    net, t = train(data, dict(hidden=[64], activations=["relu"]),
                   optimizer="rmsprop", lr=0.01, batch_size=None, l2=1.0, epochs=30)
    losses = [r["train_loss"] for r in t.history]
    acc = accuracy(net, data.X_test, data.y_test)
    print(f"Kaggle tutorial: loss {losses[0]:.3f} -> {losses[-1]:.3f}, test accuracy {acc:.4f}")
    assert losses[-1] < 0.3 * losses[0]
    assert acc >= 0.9
