"""Engines: the textbook path and the fast one, one name each.

    Trainer(net, data, config, engine="reference")   # default: "fast"

An engine supplies what differs between the two paths: the forward and backward
pass, the optimizer classes, the mini-batch source, and how BLAS runs during an
epoch.  Everything in fast/ is reached from here: the trainer, the sweeps and the
speed benchmark ask this module (counted_training, one_blas_thread,
reuse_freed_memory, profile_epochs), never fast/ itself.  The network, the loss and
the training loop (``nnlab/train/loop.py``) are shared.  Both give the same losses
and weights, to float rounding (``tests/test_engines.py``).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Callable

import numpy as np

from nnlab.core import hyperparams
from nnlab.train import optimizers
from nnlab.train.batches import Batches
from nnlab.train.fast import optimizers as fast_optimizers
from nnlab.train.fast import threads
from nnlab.train.fast.backprop import FastPass
from nnlab.train.fast.batches import PrefetchingBatches
from nnlab.train.fast.malloc import reuse_freed_blocks
from nnlab.train.fast.room import ROOM


@dataclass(frozen=True)
class Engine:
    name: str
    description: str
    backprop: Callable  # net -> a callable (X, y, n_total, l2, l1) -> (loss, predictions), as Network.loss_and_grad
    optimizers: dict  # optimizer name -> class with step(params, grads), as optimizers.OPTIMIZERS
    batches: type  # Batches or a subclass: (X, y, rng, image_shape), then .epoch(batch_size, augment)
    blas: Callable  # (batch_size, layer_sizes) -> a context manager the epoch's batches run in


def _textbook_backprop(net):
    return net.loss_and_grad  # layer by layer, each its forward and backward (nnlab/core)


def _no_blas_policy(batch_size, layer_sizes):
    return contextlib.nullcontext()  # NumPy's defaults


def _blas_threads_by_size(batch_size, layer_sizes):
    # one BLAS thread for small products, all cores for big ones (see fast/threads.py),
    # in a turn shared fairly with the other trainings of this process (fast/room.py)
    return ROOM.turn(threads.blas_threads(batch_size, layer_sizes))


ENGINES = {
    "fast": Engine("fast", "Fused numba kernels (big networks) or in-place NumPy, a helper thread, batches read "
                           "ahead, BLAS threads by size, fair turns.",
                   FastPass, fast_optimizers.OPTIMIZERS, PrefetchingBatches, _blas_threads_by_size),
    "reference": Engine("reference", "The textbook: each rule as its paper writes it, plain NumPy.",
                        _textbook_backprop, optimizers.OPTIMIZERS, Batches, _no_blas_policy),
}
DEFAULT_ENGINE = "fast"


def check_engine(name) -> str:
    key = str(name).strip().lower()
    if key not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; choose one of: {', '.join(ENGINES)}")
    return key


def get_engine(name=DEFAULT_ENGINE) -> Engine:
    """The Engine called `name` (ValueError listing the names if there is none)."""
    return ENGINES[check_engine(name)]


def make_optimizer(name: str, lr: float, engine: str = "fast", **hyper):
    """Build optimizer `name`, passing only the hyper-parameters it takes: the
    fast engine's class (default) or the textbook one of optimizers.py (engine="reference")."""
    key = optimizers.check_optimizer(name)
    classes = get_engine(engine).optimizers
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"learning rate must be a positive number, got {lr}")
    kwargs = {k: hyperparams.check(k, hyper[k]) for k in optimizers.HYPERPARAMETERS[key] if hyper.get(k) is not None}
    return classes[key](lr=lr, **kwargs)


# ------------------------------------------- many trainings in one process
def counted_training():
    """A context: a training counted as under way in this process for the block (a
    whole run, its turns and the gaps between), so BLAS turns are shared fairly
    (fast/room.py)."""
    return ROOM.member()


def trainings_under_way() -> int:
    """How many trainings this process runs now (a crowded server draws its charts less
    often: pages/helpers/training_run.py)."""
    return ROOM.size()


def one_blas_thread():
    """A context: every BLAS turn this thread takes inside uses one thread (a sweep's
    runs side by side on the cores, the same numbers wherever they run)."""
    return ROOM.capped(1)


def reuse_freed_memory() -> bool:
    """In a worker process (Dask's), give back glibc's reuse of freed blocks that the
    worker's environment switched off (fast/malloc.py); whether it changed anything."""
    return reuse_freed_blocks()


# ------------------------------------------------------------- measuring
def profile_epochs(trainer, epochs: int) -> dict:
    """Train `epochs` epochs of a fast-engine `trainer` with each pass timed: forward
    and backward products, activation, derivative, bias gradients, softmax
    cross-entropy, optimizer update, batch gathers, the rest (fast/profile.py)."""
    from nnlab.train.fast.profile import profile_epochs as profile

    return profile(trainer, epochs)


def kernels_in_use(trainer) -> str:
    """What does a fast-engine trainer's element-wise work: "numba 0.68.1" or "numpy"."""
    ops = getattr(trainer.backprop, "ops", None)
    if ops is None:
        return "numpy (the textbook layers)"
    return f"numba {ops.version}" if ops.name == "numba" else "numpy"
