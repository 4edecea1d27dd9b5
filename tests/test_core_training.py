"""The training generator: records, stop/resume, early stopping, NaN guard, seeds."""
import math

import numpy as np
import pytest

from nnlab.core.augment import random_shift
from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.data.datasets import load_dataset
from nnlab.train.trainer import Trainer

RECORD_KEYS = {"epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "lr", "seconds"}


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def make(digits, seed=0, hidden=(32,), dropout=0.0, **train):
    net = Network(NetworkConfig(digits.n_features, digits.n_classes, list(hidden), ["relu"], dropout=dropout), seed=seed)
    cfg = dict(optimizer="adam", lr=0.003, batch_size=32, epochs=5, seed=seed)
    cfg.update(train)
    return net, Trainer(net, digits, TrainConfig(**cfg))


def test_digits_split_is_the_tutorials(digits):
    assert digits.sizes() == {"train": 721, "validation": 482, "test": 594}
    assert digits.X_train.dtype == np.float32 and 0 <= digits.X_train.min() and digits.X_train.max() == 1.0


def test_generator_yields_one_record_per_epoch_and_learns(digits):
    net, trainer = make(digits, epochs=8)
    records = list(trainer.run())
    assert [r["epoch"] for r in records] == list(range(1, 9))
    assert all(RECORD_KEYS <= set(r) for r in records)
    assert records[-1]["train_loss"] < records[0]["train_loss"] / 2
    assert records[-1]["val_accuracy"] > 0.9
    assert records[-1]["stopped_reason"] == "max_epochs" and trainer.finished


def test_stop_and_resume_equals_one_run(digits):
    net_a, a = make(digits, epochs=6, dropout=0.2, augment=True)
    for _ in a.run():
        pass
    net_b, b = make(digits, epochs=6, dropout=0.2, augment=True)
    for i, _ in enumerate(b.run()):
        if i == 1:
            break  # the consumer stops after 2 epochs...
    assert b.epoch == 2 and not b.finished
    next(b.run(1))  # ...steps once...
    assert b.epoch == 3
    for _ in b.run():  # ...and resumes to the end
        pass
    np.testing.assert_array_equal(net_a.flat_params, net_b.flat_params)
    assert [r["train_loss"] for r in a.history] == [r["train_loss"] for r in b.history]


def test_progress_records_inside_epochs_change_nothing(digits):
    # progress_seconds=0: a progress record after every batch but an epoch's last.
    net_a, a = make(digits, epochs=3, dropout=0.2, augment=True)
    plain = list(a.run())
    net_b, b = make(digits, epochs=3, dropout=0.2, augment=True)
    records = list(b.run(progress_seconds=0))
    batches = math.ceil(721 / 32)
    progress = [r for r in records if r.get("progress")]
    epochs = [r for r in records if not r.get("progress")]
    assert len(progress) == 3 * (batches - 1) and len(epochs) == 3
    assert [(r["epoch"], r["batch"]) for r in progress[:3]] == [(1, 1), (1, 2), (1, 3)]
    assert progress[batches - 2] == {**progress[batches - 2], "epoch": 1, "batch": batches - 1, "batches": batches}
    assert all(math.isfinite(r["train_loss"]) for r in progress)
    np.testing.assert_array_equal(net_a.flat_params, net_b.flat_params)
    assert [r["train_loss"] for r in plain] == [r["train_loss"] for r in epochs]
    assert b.history == epochs and b.epoch_progress is None


def test_leaving_inside_an_epoch_pauses_it_and_run_continues_it(digits):
    net_a, a = make(digits, epochs=4, dropout=0.2, augment=True)
    for _ in a.run():
        pass
    net_b, b = make(digits, epochs=4, dropout=0.2, augment=True)
    for r in b.run(progress_seconds=0):
        if r.get("progress") and r["epoch"] == 2 and r["batch"] == 5:
            break  # the UI stopped half-way through epoch 2
    assert b.epoch == 1 and b.epoch_progress == (5, math.ceil(721 / 32)) and len(b.history) == 1
    assert b.epochs_done == 1 + 5 / math.ceil(721 / 32)
    record = next(b.run(1))  # Step: finishes epoch 2 from batch 6
    assert record["epoch"] == 2 and b.epoch_progress is None
    for _ in b.run(progress_seconds=0):
        pass
    np.testing.assert_array_equal(net_a.flat_params, net_b.flat_params)
    assert [r["train_loss"] for r in a.history] == [r["train_loss"] for r in b.history]
    assert [r["epoch"] for r in b.history] == [1, 2, 3, 4]


def test_same_seed_same_result_other_seed_differs(digits):
    runs = []
    for seed in (7, 7, 8):
        net, t = make(digits, seed=seed, epochs=2, dropout=0.3, augment=True)
        list(t.run())
        runs.append(net.get_params())
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_full_batch_gd_takes_one_step_per_epoch(digits):
    net, t = make(digits, optimizer="gd", lr=0.5, epochs=1)
    before = net.get_params()
    calls = []
    step = t.optimizer.step
    t.optimizer.step = lambda p, g: (calls.append(1), step(p, g))
    list(t.run())
    assert len(calls) == 1 and not np.array_equal(before, net.get_params())


def test_early_stopping_restores_best_weights(digits):
    # a large net trained hard on 721 images overfits: validation loss turns up
    net, t = make(digits, hidden=(256,), lr=0.01, epochs=200, patience=3)
    snapshots = {}
    for r in t.run():
        snapshots[r["epoch"]] = net.get_params()
    assert t.stopped_reason == "early_stopping" and t.epoch < 200
    best = min(t.history, key=lambda r: r["val_loss"])
    assert t.best_epoch == best["epoch"]
    assert t.epoch - t.best_epoch == 3
    # the weights now are the best epoch's, not the last epoch's
    val_loss, _ = net.evaluate(digits.X_val, digits.y_val)
    assert val_loss == pytest.approx(best["val_loss"], rel=1e-5)
    assert "restored the best weights" in t.message


def test_nan_guard_keeps_last_finite_weights(digits):
    net, t = make(digits, optimizer="sgd", lr=1e6, epochs=10)
    init = net.get_params()
    records = list(t.run())
    assert t.stopped_reason == "diverged"
    assert "learning rate" in t.message and "too high" in t.message
    assert np.isfinite(net.flat_params).all()
    assert len(records) == 1 and records[-1]["stopped_reason"] == "diverged"
    np.testing.assert_array_equal(net.get_params(), init)  # diverged in epoch 1: initial weights kept
    assert list(t.run()) == []  # a finished trainer yields nothing more


def test_nan_guard_after_some_good_epochs(digits):
    net, t = make(digits, optimizer="sgd", lr=0.05, epochs=3)
    list(t.run())
    good = net.get_params()
    t.config.epochs = 10
    t.stopped_reason = None
    t.optimizer.lr = t.config.lr = 1e7
    list(t.run())
    assert t.stopped_reason == "diverged" and t.epoch == 3
    np.testing.assert_array_equal(net.get_params(), good)
    assert "after epoch 3" in t.message


def test_l2_shrinks_weights(digits):
    norms = []
    for l2 in (0.0, 20.0):
        net, t = make(digits, epochs=5, l2=l2)
        list(t.run())
        norms.append(np.linalg.norm(net.flat_params[:net.n_weights]))
    assert norms[1] < 0.8 * norms[0]


def test_cosine_schedule_decays_learning_rate(digits):
    net, t = make(digits, epochs=5, lr_schedule="cosine", lr=0.01)
    lrs = [r["lr"] for r in t.run()]
    assert lrs[0] == pytest.approx(0.01) and lrs[-1] == pytest.approx(0.0001)
    assert all(a > b for a, b in zip(lrs, lrs[1:]))


def test_mismatched_network_and_data_is_a_clear_error(digits):
    net = Network(NetworkConfig(10, 3, [4]), seed=0)
    with pytest.raises(ValueError, match="does not match"):
        Trainer(net, digits, TrainConfig())


@pytest.mark.parametrize("bad", [dict(lr=-0.1), dict(lr=0), dict(batch_size=-3), dict(epochs=0), dict(patience=-1),
                                 dict(optimizer="lbfgs"), dict(l2=-1), dict(momentum=1.0), dict(lr=math.inf)])
def test_bad_training_config(bad):
    with pytest.raises(ValueError):
        TrainConfig(**bad)


def test_random_shift_moves_images_by_at_most_one_pixel():
    rng = np.random.default_rng(0)
    X = np.zeros((500, 64), dtype=np.float32)
    X[:, 3 * 8 + 4] = 1.0  # one bright pixel at (3, 4)
    out = random_shift(X, (8, 8), rng).reshape(-1, 8, 8)
    ys, xs = np.nonzero(out)[1:]
    assert out.sum() == 500  # nothing lost: the pixel is inside the frame
    assert set(ys) == {2, 3, 4} and set(xs) == {3, 4, 5}
    assert random_shift(X, (8, 8), np.random.default_rng(1)).shape == X.shape


@pytest.mark.parametrize("augment", [False, True, "affine"])
def test_helper_thread_sharing_the_update_and_gathering_ahead_changes_nothing(digits, monkeypatch, augment):
    """On big networks the helper thread takes part of each update and gathers the
    next batch meanwhile.  Forced on for this small one: the weights, the losses
    and a pause in the middle of an epoch must come out bit for bit as with one
    thread — the same batches, the same augmentation draws, the same updates."""
    from nnlab.train.fast import threads

    def train(workers):
        monkeypatch.setattr(threads, "optimizer_threads", lambda n_params: workers)
        gathered_ahead = []
        net, t = make(digits, hidden=(64,), epochs=3, dropout=0.2, augment=augment)
        before_step = t.source.before_step

        def spy(optimizer, i):  # records the batches the helper thread gathered ahead
            before_step(optimizer, i)
            if t.source._ahead is not None and t.source._ahead[0] == i:
                gathered_ahead.append(i)
        t.source.before_step = spy
        for r in t.run(progress_seconds=0):
            if r.get("progress") and r["epoch"] == 2 and r["batch"] == 7:
                break  # paused half-way, with batch 8 gathered ahead
        list(t.run())
        return net.get_params(), [r["train_loss"] for r in t.history], gathered_ahead

    one, losses_one, ahead_one = train(1)
    two, losses_two, ahead_two = train(2)
    # every batch but each epoch's first, from the optimizer's second step on (it decides at its first)
    assert ahead_one == [] and len(ahead_two) == 3 * (math.ceil(721 / 32) - 1) - 1
    np.testing.assert_array_equal(two, one)
    assert losses_two == losses_one


# ------------------------------------------------------- continuing with new settings
def test_raising_epochs_continues_the_same_model_and_history(digits):
    net, t = make(digits, epochs=3)
    list(t.run())
    assert t.finished and list(t.run()) == []
    params, history = net.get_params(), list(t.history)
    t.reconfigure(TrainConfig(optimizer="adam", lr=0.003, epochs=5), note="Epochs: 3 → 5")
    assert not t.finished and t.optimizer.t > 0  # same optimizer settings: Adam's state is kept
    np.testing.assert_array_equal(net.get_params(), params)  # reconfiguring itself changes no weight
    records = list(t.run())
    assert [r["epoch"] for r in records] == [4, 5] and t.history[:3] == history
    assert t.marks == [{"epoch": 3, "note": "Epochs: 3 → 5"}]
    assert t.finished and t.message == "Finished 5 epochs."


def test_new_learning_rate_and_optimizer_apply_from_the_next_epoch(digits):
    net, t = make(digits, epochs=2)
    list(t.run())
    t.reconfigure(TrainConfig(optimizer="sgd", lr=0.05, epochs=4, batch_size=64), note="Optimizer: Adam → SGD")
    assert t.optimizer.__class__.__name__ == "SGD" and t.optimizer.t == 0  # a new rule: fresh state
    records = list(t.run())
    assert [r["lr"] for r in records] == [0.05, 0.05] and t.batch_size() == 64
    t.reconfigure(TrainConfig(optimizer="sgd", lr=0.05, epochs=4, batch_size=64, l2=0.1), note="L2 0 → 0.1")
    t.reconfigure(TrainConfig(optimizer="sgd", lr=0.05, epochs=6, batch_size=64, l2=0.1), note="Epochs 4 → 6")
    assert [m["epoch"] for m in t.marks] == [2, 4] and t.marks[1]["note"] == "L2 0 → 0.1; Epochs 4 → 6"


def test_after_a_divergence_a_lower_learning_rate_continues_from_the_last_good_weights(digits):
    net, t = make(digits, optimizer="sgd", lr=1e6, epochs=4)
    list(t.run())
    assert t.stopped_reason == "diverged" and t.epoch == 0
    assert "try 0.1" in t.message  # SGD's usual value, not 1e5 (10x smaller, still exploding)
    assert t.diverged_at["epoch"] == 1 and t.history[-1]["diverged_loss"] > 0
    t.reconfigure(TrainConfig(optimizer="sgd", lr=0.1, epochs=4))
    records = list(t.run())
    assert [r["epoch"] for r in records] == [1, 2, 3, 4] and records[-1]["val_accuracy"] > 0.6


def test_reconfigure_refuses_what_the_data_cannot_do(digits):
    import dataclasses
    flat = dataclasses.replace(digits, image_shape=None)
    _, t2 = make(flat, epochs=1)
    with pytest.raises(ValueError, match="augmentation"):
        t2.reconfigure(TrainConfig(augment=True))
    assert t2.config.augment is False


def test_lowering_epochs_to_what_is_done_finishes_the_run(digits):
    _, t = make(digits, epochs=10)
    next(t.run())
    next(t.run())  # stopped after 2 of 10
    t.reconfigure(TrainConfig(optimizer="adam", lr=0.003, epochs=2))
    assert t.finished and t.message == "Finished 2 epochs." and list(t.run()) == []
