"""The run-time estimate Train shows before a long run (nnlab/experiments/estimate.py)."""
import time

from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.data import datasets as data
from nnlab.experiments import estimate


class SlowStartTrainer:
    """A trainer whose first batch pays a one-time cost (as numba's first call does):
    0.3 s for batch 1 of 100, then 5 ms a batch."""

    def __init__(self, net, data, cfg):
        pass

    def run(self, epochs, progress_seconds):
        time.sleep(0.3)
        yield {"progress": True, "epoch": 1, "batch": 1, "batches": 100, "train_loss": 1.0}
        time.sleep(0.05)
        yield {"progress": True, "epoch": 1, "batch": 11, "batches": 100, "train_loss": 1.0}
        raise AssertionError("the estimate reads two records at most")


def test_a_one_time_cost_of_the_first_batches_is_not_scaled_to_the_whole_epoch(monkeypatch):
    monkeypatch.setattr(estimate, "Trainer", SlowStartTrainer)
    seconds = estimate.seconds_per_epoch(NetworkConfig(n_inputs=4, hidden=[3], n_outputs=2), TrainConfig(), None)
    assert 0.3 < seconds < 3  # 100 batches of ~5 ms; counting the first batch's 0.3 s would say 30 s


def test_an_epoch_shorter_than_the_warm_up_is_timed_whole():
    ds = data.load_dataset("digits")
    net_cfg = NetworkConfig(n_inputs=ds.n_features, hidden=[16], n_outputs=ds.n_classes)
    seconds = estimate.seconds_per_epoch(net_cfg, TrainConfig(epochs=5), ds, budget=30)
    assert 0 < seconds < 5


def test_a_long_epoch_is_estimated_from_the_batches_after_the_warm_up():
    ds = data.load_dataset("digits")
    net_cfg = NetworkConfig(n_inputs=ds.n_features, hidden=[16], n_outputs=ds.n_classes)
    seconds = estimate.seconds_per_epoch(net_cfg, TrainConfig(batch_size=1), ds, budget=0.02)
    assert 0 < seconds < 30
