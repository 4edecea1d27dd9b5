"""How many threads to use: for BLAS per problem size, and for the optimizer update.

OpenBLAS splits every matrix product over all cores.  For the small products
of an 8x8-digits network (a 32 x 64 by 64 x 256 product is ~1 MFLOP) the
hand-off costs more than the work, and on a busy 2-core machine a
multithreaded small product was measured 10x *slower* than a single-threaded
one (2.4 ms vs 0.22 ms for 721x64 @ 64x48).  Large products (MNIST, batch 128
x 784 x 256 ~ 26 MFLOP) do gain from all cores, so the choice depends on size.

Everything else NumPy does runs on one core.  On a big network the optimizer
update is the largest of those parts (Adam: ten passes over every weight, each
step), so ``optimizer_threads`` lets a second thread take half of it — but only
where OpenBLAS's idle worker threads go to sleep soon enough to leave the
other core free (see ``openblas.py``).
"""
from __future__ import annotations

import functools
import os

SMALL_PRODUCT_FLOPS = 8e6  # below this, one thread is faster

# Measured on MNIST: timeouts up to 2**18 cycles let the shared update gain; from
# 2**19 (~0.2 ms) the workers spin through it again (0.21 s per epoch, worse than one thread).
BLAS_SPIN_LIMIT = 18
PARALLEL_UPDATE_MIN = 65536  # parameters; below this the hand-off costs more than it saves


def blas_threads(batch_size: int, layer_sizes) -> int | None:
    """1 for small problems, None (= library default, all cores) for big ones."""
    widest = max(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    return 1 if 2 * batch_size * widest < SMALL_PRODUCT_FLOPS else None


def optimizer_threads(n_params: int) -> int:
    """Threads to share one optimizer update over `n_params` parameters: 2 on a
    multi-core machine for a big network when BLAS workers sleep, else 1."""
    if n_params < PARALLEL_UPDATE_MIN or (os.cpu_count() or 1) < 2:
        return 1
    return 2 if _blas_workers_sleep() else 1


@functools.lru_cache(maxsize=1)
def helper():
    """The process's one helper thread (an executor with one worker).  Only a
    training whose turn is the only one under way uses it (``room.alone()``), so
    trainings of different browser tabs do not queue behind each other here."""
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="nnlab-helper")


# A child made by fork() inherits the executor but not its thread: a job queued
# there would wait forever.  The child makes its own helper on first use.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=helper.cache_clear)


def _blas_workers_sleep() -> bool:
    """Whether OpenBLAS's idle workers sleep soon: OPENBLAS_THREAD_TIMEOUT is set low
    enough.  (Set after NumPy was imported it has no effect, which cannot be seen
    from here: ``openblas.STATUS`` says whether nnlab set it in time.)  Called once
    NumPy is loaded: by an optimizer's first step."""
    value = os.environ.get("OPENBLAS_THREAD_TIMEOUT", "")
    return value.isdigit() and int(value) <= BLAS_SPIN_LIMIT and _openblas_only()


@functools.lru_cache(maxsize=1)
def _openblas_only() -> bool:
    # Other BLAS libraries (MKL with its own spin time, Accelerate) are left alone.
    return all(lib.internal_api == "openblas" for lib in controller().lib_controllers
               if lib.user_api == "blas")


@functools.lru_cache(maxsize=1)
def controller():
    # Finding the loaded BLAS libraries takes milliseconds: do it once.
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()
