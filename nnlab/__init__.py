"""nnlab: a neural network from scratch in NumPy, and a lab to play with it.

`from nnlab import NNClassifier` gives the scikit-learn estimator.  It is
imported lazily: the entry points import `nnlab.threads` before NumPy loads
(see threads.quiet_blas_workers), so this package must not import NumPy itself.
"""


def __getattr__(name):
    if name == "NNClassifier":
        from .estimator import NNClassifier

        return NNClassifier
    raise AttributeError(f"module 'nnlab' has no attribute {name!r}")
