"""Per-epoch gradient statistics of each layer: the trainer's opt-in record.

    Trainer(net, data, config, record_grads=True)      # off by default
    record["grad_norms"]      # [‖∂L/∂W‖ of hidden 1, hidden 2, ..., output], this epoch
    record["update_ratios"]   # [‖ΔW‖/‖W‖ of one step, per layer], this epoch

Both are measured on at most ``SAMPLES`` batches spread evenly over the epoch
(every batch when the epoch has fewer) and averaged over them.  The gradient is
the one the optimizer steps with: the batch's mean data gradient plus L2/L1.

Why a sample and not every batch: the norms cost one pass over the gradients and
the ratio a copy of the weights, which on MNIST's 784-512-256-10 net is ~1 ms a
batch against ~1.6 ms for the whole forward/backward/step — every batch would
cost tens of percent, 8 batches an epoch cost about one (docs/inside.md).

The numbers come from the network's buffers only, so the fast and the textbook
engine record the same ones (``tests/test_inside.py``).
"""
from __future__ import annotations

import math

import numpy as np

SAMPLES = 8  # batches measured per epoch


class GradStats:
    """Accumulates one epoch's statistics; ``EpochPass`` calls ``before_step`` before
    each optimizer step and, when it returned True, ``after_step`` after it."""

    def __init__(self, net, n_batches: int):
        self.stride = max(1, n_batches // SAMPLES)
        self.n_layers = len(net.dense_layers)
        self.grad_sum = np.zeros(self.n_layers)  # sums over the measured batches
        self.ratio = np.zeros(self.n_layers)
        self.measured = 0
        self._before = None  # the weights before the step being measured (one reused copy)

    def wants(self, batch: int) -> bool:
        """Whether batch number `batch` (1-based, within the epoch) is measured."""
        return (batch - 1) % self.stride == 0 and self.measured < SAMPLES

    def before_step(self, net, batch: int) -> bool:
        """Measure the gradients of batch `batch` and keep the weights; False: not measured."""
        if not self.wants(batch):
            return False
        for i, layer in enumerate(net.dense_layers):
            g = layer.grads["W"].reshape(-1)
            self.grad_sum[i] += math.sqrt(float(np.dot(g, g)))
        W = net.flat_params[: net.n_weights]
        if self._before is None:
            self._before = np.empty_like(W)
        np.copyto(self._before, W)
        return True

    def after_step(self, net):
        """The step's update per layer, relative to the weights before it."""
        offset = 0
        for i, layer in enumerate(net.dense_layers):
            w_new = layer.params["W"].reshape(-1)
            w_old = self._before[offset:offset + w_new.size]
            offset += w_new.size
            old_norm = math.sqrt(float(np.dot(w_old, w_old)))
            np.subtract(w_new, w_old, out=w_old)  # the update, in place of the copy (not needed again)
            step = math.sqrt(float(np.dot(w_old, w_old)))
            self.ratio[i] += step / old_norm if old_norm > 0 else 0.0
        self.measured += 1

    def result(self) -> dict:
        """{"grad_norms": [...], "update_ratios": [...]}: means over the measured batches,
        one float per dense layer (hidden 1 first, the output layer last)."""
        n = max(self.measured, 1)
        return {"grad_norms": [float(v / n) for v in self.grad_sum],
                "update_ratios": [float(v / n) for v in self.ratio]}
