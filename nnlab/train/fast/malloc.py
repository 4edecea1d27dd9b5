"""glibc's malloc on Dask workers: give back the reuse of freed blocks that a
worker's environment switches off.

Dask's nanny starts every worker with ``MALLOC_TRIM_THRESHOLD_=65536`` (so the
worker hands memory back to the system).  Setting any such variable also turns
off glibc's *dynamic* mmap threshold: every block over 128 KiB is then mapped
fresh and unmapped on free, and a training step's activations (a full digits
batch: 1257 x 48 floats, 240 KB) are page-faulted in anew on every step.
The heap's top is trimmed back to the system at every free over 64 KiB, too.
Measured: one tutorial run 0.61 s -> 0.72 s (+18 %) with that variable set;
set as glibc's dynamic rule would (mmap threshold at its maximum, 32 MiB; trim
threshold twice that), 0.65 s.  Memory beyond 64 MiB of free heap still goes
back to the system.

Only done where such a variable is set, on glibc; elsewhere nothing changes.
"""
from __future__ import annotations

import ctypes
import os

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)
MMAP_THRESHOLD = 32 * 1024 * 1024            # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit
VARIABLES = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_THRESHOLD_")

_done = False


def reuse_freed_blocks(environ=os.environ) -> bool:
    """Raise glibc's mmap and trim thresholds when the environment froze them (see above).
    Returns whether it did; a second call does nothing."""
    global _done
    if _done or not any(v in environ for v in VARIABLES) or "MALLOC_MMAP_THRESHOLD_" in environ:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        _done = bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                     and libc.mallopt(M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD))
    except (OSError, AttributeError):  # not glibc
        return False
    return _done
