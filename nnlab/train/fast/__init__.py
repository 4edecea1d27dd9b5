"""The fast engine: everything in nnlab that exists only for speed.

The textbook path (``nnlab/train/optimizers.py``, ``nnlab/train/batches.py``, the loop in
``nnlab/train/loop.py``) computes the same numbers; ``tests/test_engines.py`` proves it.
Here, beside it (as PyTorch's ``adam()`` dispatches to single-tensor, foreach
or fused kernels):

    backprop.py    the forward and backward pass, pass by pass, each a call to ops.py
    ops.py         those passes in NumPy (the textbook's calls, bit for bit) or as
                   numba kernels: bias + activation, derivative + bias gradient,
                   softmax + cross-entropy + gradient, each fused into one pass
    optimizers.py  the same rules as in-place kernels on the flat buffers: no
                   allocation per step, Adam's moments kept rescaled, a denormal
                   flush, the update shared with a helper thread at an adaptive cut,
                   or with numba one pass on this thread (the same bits)
    *_kernels.py   the numba kernels (activation_, layer_, update_kernels.py)
    jit.py         whether to use them (NNLAB_NUMBA, network size), their cache folder
    batches.py     mini-batches gathered with np.take into two reused buffers, the
                   next one gathered on the helper thread during the update
    threads.py     BLAS thread policy per problem size; the helper thread
    room.py        the trainings of one process sharing the cores in turns
    profile.py     bench speed --profile: each pass of an epoch timed
    openblas.py    OPENBLAS_THREAD_TIMEOUT, set before NumPy loads (nnlab/__init__.py)

Deliberately empty of imports: ``nnlab/__init__.py`` loads ``openblas`` before
anything imports NumPy.
"""
