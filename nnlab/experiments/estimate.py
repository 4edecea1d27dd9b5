"""How long will a run take?  Measured, not guessed: train a throw-away copy of
the network for a fraction of a second on the real data and scale the batches
done to a whole epoch.

The pages call `worth_measuring` first, so a small network on the 8x8 digits
(milliseconds per epoch) costs nothing, and `seconds_per_epoch` only for runs
that might be long (MNIST: seconds per epoch).
"""
from __future__ import annotations

import dataclasses
import time

from nnlab.core.network import Network
from nnlab.train.trainer import Trainer

# Work of a run, in (training examples x parameters x epochs), below which no
# estimate is measured.  The 8x8 digits preset (721 x 51k x 300 = 1.1e10) trains in
# ~10 s; MNIST with the digits preset (55,000 x 235k x 100 = 1.3e12) in ~5 min.
WORK_WORTH_MEASURING = 3e10


def work(n_examples: int, n_params: int, epochs: int) -> float:
    return float(n_examples) * float(n_params) * float(epochs)


def worth_measuring(n_examples: int, n_params: int, epochs: int) -> bool:
    return work(n_examples, n_params, epochs) >= WORK_WORTH_MEASURING


def seconds_per_epoch(net_config, train_config, data, budget: float = 0.3) -> float:
    """Seconds one epoch of this network and training setup takes on `data`, on
    this machine now: about `budget` seconds of real training on a throw-away copy
    (same batch size, optimizer, augmentation), scaled to the epoch's batches.

    The first half of the budget is a warm-up and is not counted: it holds what a
    run pays once (the fast engine loading or compiling its numba kernels, the
    first touches of fresh memory), which scaled to a whole epoch gave MNIST a
    ten-fold estimate.  The batches of the second half are timed.  An epoch that
    ends within the warm-up is simply timed."""
    net = Network(net_config, seed=train_config.seed)
    cfg = dataclasses.replace(train_config, epochs=1, patience=0)
    trainer = Trainer(net, data, cfg)
    run = trainer.run(1, progress_seconds=budget / 2)
    try:
        warm = next(run)
        if not warm.get("progress"):
            return float(warm["seconds"])
        start = time.perf_counter()
        record = next(run)
        elapsed = time.perf_counter() - start
    finally:
        run.close()
    batches = warm["batches"]
    done = (record["batch"] if record.get("progress") else batches) - warm["batch"]
    return elapsed * batches / max(done, 1)
