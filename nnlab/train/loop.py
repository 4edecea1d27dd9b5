"""The training loop over one epoch's mini-batches: forward, backward, step.

    for xb, yb in batches:
        loss, pred = net.loss_and_grad(xb, yb)      # forward, then backward: fills net.flat_grads
        optimizer.step(net.flat_params, net.flat_grads)

That is all of it (the engine supplies the forward and backward pass: the textbook's
``net.loss_and_grad``, or the fast engine's fused one); ``EpochPass`` adds what a dashboard needs around those two
lines: it keeps its place (so an epoch can pause between batches and go on
later, bit for bit), stops at a diverged loss before it reaches the weights,
and sums the epoch's loss and accuracy.
"""
from __future__ import annotations

import math
import time

import numpy as np


class EpochPass:
    """One pass over the training set: `batches` (an iterator of (x, y)), `n_batches` long."""

    def __init__(self, batches, n_batches: int, stats=None):
        self.batches, self.n_batches = batches, n_batches
        self.stats = stats  # a gradstats.GradStats when the trainer records them, else None
        self.done = self.seen = self.correct = 0  # batches done, samples seen, right predictions
        self.total_loss = self.seconds = 0.0

    def train(self, net, backprop, optimizer, config, n_total: int, guard, source, deadline=None) -> bool:
        """Train batches until the epoch ends (True) or `deadline` (a perf_counter
        time) passes first (False; the next call goes on from the next batch).

        backprop: the engine's forward + backward pass on `net` (as net.loss_and_grad);
        config: l2 and l1 (regularisation, scaled by the training set size
        `n_total`); guard: a policies.DivergenceGuard — a diverged batch ends the
        epoch before its step; source: the Batches, told before each step (the
        fast engine reads the next batch ahead then)."""
        t0 = time.perf_counter()
        try:
            for xb, yb in self.batches:
                loss, pred = backprop(xb, yb, n_total=n_total, l2=config.l2, l1=config.l1)
                self.done += 1
                if guard.exploded(loss, self.done):
                    self.total_loss = math.nan
                    return True
                if self.done < self.n_batches:
                    source.before_step(optimizer, self.done)  # self.done: the index of the next batch
                measured = self.stats is not None and self.stats.before_step(net, self.done)
                optimizer.step(net.flat_params, net.flat_grads)
                if measured:
                    self.stats.after_step(net)
                self.seen += len(xb)
                self.total_loss += loss * len(xb)
                self.correct += int(np.count_nonzero(pred == yb))
                if deadline is not None and self.done < self.n_batches and time.perf_counter() >= deadline:
                    return False
            return True
        finally:
            self.seconds += time.perf_counter() - t0
