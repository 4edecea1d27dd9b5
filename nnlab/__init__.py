"""nnlab: a neural network written from scratch in NumPy."""
# First, before anything imports NumPy: OpenBLAS reads this setting once, when it
# loads (see nnlab/fast/openblas.py).  Every entry point imports nnlab first.
from .fast.openblas import quiet_blas_workers as _quiet_blas_workers

_quiet_blas_workers()
