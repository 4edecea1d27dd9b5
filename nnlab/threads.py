"""How many BLAS threads to use for a given problem size.

OpenBLAS splits every matrix product over all cores.  For the small products
of an 8x8-digits network (a 32 x 64 by 64 x 256 product is ~1 MFLOP) the
hand-off costs more than the work, and on a busy 2-core machine a
multithreaded small product was measured 10x *slower* than a single-threaded
one (2.4 ms vs 0.22 ms for 721x64 @ 64x48).  Large products (MNIST, batch 128
x 784 x 256 ~ 26 MFLOP) do gain from all cores, so the choice depends on size.
"""
from __future__ import annotations

import contextlib
import functools

SMALL_PRODUCT_FLOPS = 8e6  # below this, one thread is faster


def blas_threads(batch_size: int, layer_sizes) -> int | None:
    """1 for small problems, None (= library default, all cores) for big ones."""
    widest = max(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    return 1 if 2 * batch_size * widest < SMALL_PRODUCT_FLOPS else None


def limit_blas(threads: int | None):
    """Context manager limiting BLAS threads (no-op when threads is None)."""
    if threads is None:
        return contextlib.nullcontext()
    return _controller().limit(limits=threads, user_api="blas")


@functools.lru_cache(maxsize=1)
def _controller():
    # Finding the loaded BLAS libraries takes milliseconds: do it once.
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()
