"""nnlab: a neural network written from scratch in NumPy, and a lab to play with it.

`from nnlab import NNClassifier` gives the scikit-learn estimator, imported
lazily: this package must not import NumPy itself (see below).
"""
# First, before anything imports NumPy: OpenBLAS reads this setting once, when it
# loads (see nnlab/train/fast/openblas.py).  Every entry point imports nnlab first.
from nnlab.train.fast.openblas import quiet_blas_workers as _quiet_blas_workers

_quiet_blas_workers()


def __getattr__(name):
    if name == "NNClassifier":
        from nnlab.estimator import NNClassifier

        return NNClassifier
    raise AttributeError(f"module 'nnlab' has no attribute {name!r}")
