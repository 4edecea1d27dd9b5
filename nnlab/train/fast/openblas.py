"""The OpenBLAS setting: the one place it is applied (``nnlab/__init__.py`` calls it).

OpenBLAS's worker threads busy-wait for new work for 2**28 CPU cycles (~0.1 s)
after each product before they sleep.  Training alternates products with
~0.3 ms of single-threaded NumPy work every step, so they never sleep and keep
the second core busy doing nothing: a second thread of ours sharing the Adam
update then ran *slower* than one (0.22 vs 0.18 s per MNIST epoch).  With
2**16 cycles (~25 us) the workers still wait out the short gaps between the
products of one step, then sleep through the update (measured: the GEMM floor
unchanged, the shared update 0.18 -> 0.14 s per epoch).

OpenBLAS reads ``OPENBLAS_THREAD_TIMEOUT`` once, when NumPy loads it, so the
setting only works if nnlab is imported before NumPy.  ``import nnlab`` applies
it; when NumPy came first, one warning says so (and ``bench speed`` prints
``STATUS``), instead of training silently slower.

This module imports neither NumPy nor anything that does.
"""
from __future__ import annotations

import logging
import os
import sys

BLAS_SPIN_LOG2_CYCLES = 16
VARIABLE = "OPENBLAS_THREAD_TIMEOUT"

# What happened at import: "set by nnlab", "set by the user", or "not applied: ..."
STATUS = "not yet applied"

log = logging.getLogger("nnlab")


def quiet_blas_workers(numpy_loaded: bool | None = None) -> str:
    """Ask OpenBLAS to put idle worker threads to sleep after ~25 us instead of ~0.1 s.

    A value the user set is kept.  Returns (and keeps in ``STATUS``) what
    happened; warns once in the log when it came too late (NumPy already loaded).
    `numpy_loaded` is for tests; by default ``"numpy" in sys.modules``."""
    global STATUS
    if numpy_loaded is None:
        numpy_loaded = "numpy" in sys.modules
    if VARIABLE in os.environ:
        STATUS = f"{VARIABLE}={os.environ[VARIABLE]} (set by the user)"
    elif not numpy_loaded:
        os.environ[VARIABLE] = str(BLAS_SPIN_LOG2_CYCLES)
        STATUS = f"{VARIABLE}={BLAS_SPIN_LOG2_CYCLES} (set by nnlab before NumPy loaded)"
    else:
        STATUS = (f"{VARIABLE} not applied: NumPy was imported before nnlab, so OpenBLAS's idle threads "
                  "spin and the optimizer update stays on one thread (import nnlab first, or set "
                  f"{VARIABLE}={BLAS_SPIN_LOG2_CYCLES} in the environment)")
        log.warning("nnlab: %s", STATUS)
    return STATUS
