"""The verdict on a finished run: chance level, a loss that went up, a stall,
a divergence, and the learning rate it suggests (nnlab/experiments/verdict.py, no Streamlit)."""
import numpy as np
import pytest

from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.data.datasets import load_dataset
from nnlab.experiments.verdict import (
    chance_level,
    diverged_model,
    judge,
    judge_trainer,
    stalled_since,
    val_above_train,
)
from nnlab.train.optimizers import DEFAULT_LR, USUAL_LR, suggest_lr
from nnlab.train.trainer import Trainer


def rec(epoch, val, train=None, loss=1.0, **extra):
    return {"epoch": epoch, "val_accuracy": val, "train_accuracy": val if train is None else train,
            "train_loss": loss, "val_loss": loss, **extra}


def test_suggested_learning_rate_is_in_the_optimizers_usual_range():
    for opt, (low, high) in USUAL_LR.items():
        for lr in (10.0, 1.0, high, high / 3, low * 2):
            s = suggest_lr(opt, lr)
            assert low <= s <= high and s < lr, (opt, lr, s)
        assert suggest_lr(opt, 10.0) == DEFAULT_LR[opt]  # 10 -> 1 would still explode
    assert suggest_lr("adam", 0.005) == 0.0005 and suggest_lr("sgd", 0.5) == 0.05


def test_chance_level_is_the_best_blind_guess():
    assert chance_level(np.arange(10).repeat(5), 10) == pytest.approx(0.1)
    assert chance_level(np.array([0] * 9 + [1]), 2) == pytest.approx(0.9)
    # the digits' training split holds 11.5 % of 3s: noise of the split, chance stays 1 in 10 as the lessons say
    digits = load_dataset("digits")
    assert np.bincount(digits.y_train).max() / len(digits.y_train) == pytest.approx(0.115, abs=1e-3)
    assert chance_level(digits.y_train, 10) == 0.1


def test_chance_level_is_said_in_words():
    history = [rec(e, 0.1) for e in range(1, 11)]
    v = judge(history, optimizer="adam", lr=10.0, chance=0.1, n_classes=10)
    assert "picking one of the 10 classes at random scores 10.0%" in v.text
    v = judge(history, optimizer="adam", lr=10.0, chance=0.9, n_classes=2)
    assert "always answering the most common class scores 90.0%" in v.text


def test_no_hidden_layer_is_advised_a_hidden_layer_not_a_wider_network():
    history = [rec(e, min(0.6, 0.1 * e), loss=2.0 - 0.01 * e) for e in range(1, 41)]
    v = judge(history, optimizer="adam", lr=0.002, activations=[], hidden=[], chance=0.1, n_val=482)
    assert v.level == "warning" and "wider" not in v.text and "adding a hidden layer" in v.text
    v = judge(history, optimizer="adam", lr=0.002, activations=["relu"], hidden=[32], chance=0.1, n_val=482)
    assert "a wider network" in v.text


def test_a_diverged_model_is_said_to_be_unusable_with_a_smaller_rate():
    ok = [rec(1, 0.5), rec(2, 0.7)]
    assert diverged_model(ok, "adam", 0.002) is None
    boom = {"epoch": 3, "val_accuracy": None, "train_accuracy": None, "train_loss": None, "diverged_loss": 1e12}
    v = diverged_model(ok + [boom], "adam", 0.05)
    assert v.level == "warning" and "exploded in epoch 3" in v.text and "weights of epoch 2" in v.text
    assert "smaller learning rate (0.001 instead of 0.05)" in v.text  # Adam's usual value
    v = diverged_model([dict(boom, epoch=1)], "sgd", 10.0)
    assert v.level == "error" and "no usable weights" in v.text and "0.1 instead of 10" in v.text
    assert "smaller learning rate." in diverged_model([dict(boom, epoch=1)]).text  # a model without its settings


def test_a_run_at_chance_level_is_a_warning_with_cause_and_fix():
    history = [rec(e, 0.1 + 0.01 * (e % 2)) for e in range(1, 41)]
    v = judge(history, optimizer="adam", lr=10.0, activations=["sigmoid"] * 2, chance=0.1, n_val=482)
    assert v.level == "warning" and "chance level" in v.text
    assert "far above Adam's usual range" in v.text and "learning rate 0.001" in v.text
    v = judge(history, optimizer="adam", lr=1e-5, chance=0.1)
    assert "below Adam's usual range" in v.text


def test_a_stall_at_low_accuracy_names_vanishing_gradients():
    history = [rec(e, min(0.45, 0.05 * e), loss=2.0 - 0.01 * e) for e in range(1, 41)]
    assert stalled_since(history, 482) == 8  # 40 % is within 10 % of the error left (55 %) of 45 %
    v = judge(history, optimizer="adam", lr=0.002, activations=["sigmoid"] * 4, chance=0.1, n_val=482)
    assert v.level == "warning" and "stopped improving at epoch 8" in v.text and "vanishing" in v.text
    assert "relu" in v.text


def test_a_stall_at_high_accuracy_is_a_note_and_steady_progress_is_a_success():
    stalled = [rec(e, min(0.97, 0.5 + 0.05 * e), loss=1 / e) for e in range(1, 101)]
    v = judge(stalled, optimizer="adam", lr=0.002, chance=0.1, n_val=482)
    assert v.level == "info" and "early stopping" in v.text
    steady = [rec(e, 0.5 + 0.45 * e / 40, loss=1 / e) for e in range(1, 41)]
    v = judge(steady, optimizer="adam", lr=0.002, chance=0.1, n_val=482, message="Finished 40 epochs.")
    assert v.level == "success" and v.text == "Finished 40 epochs. Validation accuracy: 95.0%."


def test_a_training_loss_that_went_up_is_a_warning():
    history = [rec(e, 0.9, loss=[1.0, 0.5, 0.4, 0.7, 0.9, 0.9][e - 1]) for e in range(1, 7)]
    v = judge(history, optimizer="sgd", lr=0.5, chance=0.1)
    assert v.level == "warning" and "loss went up" in v.text and "0.05" in v.text
    # a loss that came down from 2.2 to 0.035 and wobbles up to 0.055 (dropout) has not gone up
    wobble = [rec(e, 0.97, loss=2.2 / e) for e in range(1, 60)] + [rec(60 + e, 0.97, loss=0.055) for e in range(3)]
    assert "loss went up" not in judge(wobble, optimizer="adam", lr=0.002, chance=0.1).text


def test_a_divergence_is_one_error_sentence_with_a_value_that_works():
    digits = load_dataset("digits")
    net = Network(NetworkConfig(64, 10, [32], ["relu"]), seed=0)
    t = Trainer(net, digits, TrainConfig(optimizer="adam", lr=10.0, epochs=5))
    list(t.run())
    v = judge_trainer(t)
    assert v.level == "error" and v.text.count("exploded") == 1
    assert "epoch 1" in v.text and "learning rate 0.001" in v.text and "initial weights" in v.text


def test_validation_above_training_is_explained_once():
    above = [rec(1, 0.95, train=0.90)]
    assert "dropout (10% of the units off)" in val_above_train(above, dropout=0.1)
    assert "shifted images" in val_above_train(above, augment=True)
    assert "averaged over the epoch" in val_above_train(above)
    assert val_above_train([rec(1, 0.90, train=0.95)], dropout=0.1) == ""
