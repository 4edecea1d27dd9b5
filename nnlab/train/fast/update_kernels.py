"""numba kernels for the optimizer updates: each rule of ``optimizers.py`` in one pass
over the flat buffers instead of five to ten (imported only through ``jit.py``).

Each does the same float operations in the same order as the NumPy ``_update`` it
replaces — scalars in the buffers' dtype, no fastmath (which would fuse ``a*b + c``
into one rounding) — so both give the same bits (``tests/test_kernels.py``).  With
``flush`` the state values below ``tiny`` become 0 first, as ``Optimizer.step`` does
every FLUSH_EVERY steps.

Measured, Adam over the 235,146 float32 parameters of the MNIST network, 469 steps:
NumPy's ten in-place passes 0.096 s, this kernel 0.03 s on one thread.  The loop
vectorises (AVX-512 here) only with error_model="numpy": numba's default checks every
division for zero.  ``parallel=True`` was slower (0.06-0.10 s): the update is too
short for numba's thread pool to pay.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from nnlab.train.fast.layer_kernels import OPTIONS


@njit(**OPTIONS)
def sgd(p, g, lr):
    for i in range(p.size):
        p[i] -= g[i] * lr


@njit(**OPTIONS)
def momentum(p, g, v, mu, lr, flush, tiny):
    zero = tiny - tiny  # +0 in the dtype (tiny * 0 would be float64), as np.copyto(state, 0)
    for i in range(p.size):
        vi = v[i]
        if flush and abs(vi) < tiny:
            vi = zero
        vi = vi * mu - g[i] * lr  # v = mu v - lr g
        v[i] = vi
        p[i] += vi


@njit(**OPTIONS)
def nesterov(p, g, v, mu, lr, flush, tiny):
    zero = tiny - tiny  # +0 in the dtype (tiny * 0 would be float64), as np.copyto(state, 0)
    for i in range(p.size):
        vi = v[i]
        if flush and abs(vi) < tiny:
            vi = zero
        step = g[i] * lr
        vi = vi * mu - step
        v[i] = vi
        p[i] = (p[i] - step) + vi * mu  # p += mu v - lr g


@njit(**OPTIONS)
def rmsprop(p, g, s, rho, one_minus_rho, lr, eps, flush, tiny):
    zero = tiny - tiny
    for i in range(p.size):
        si = s[i]
        if flush and abs(si) < tiny:
            si = zero
        gi = g[i]
        si = si * rho + (gi * gi) * one_minus_rho
        s[i] = si
        p[i] -= (gi / (np.sqrt(si) + eps)) * lr


@njit(**OPTIONS)
def adam(p, g, m, v, beta1, beta2, step, eps, flush, tiny):
    zero = tiny - tiny
    for i in range(p.size):
        mi, vi = m[i], v[i]
        if flush:
            if abs(mi) < tiny:
                mi = zero
            if abs(vi) < tiny:
                vi = zero
        gi = g[i]
        mi = mi * beta1 + gi  # M = b1 M + g (rescaled moments: optimizers.Adam)
        vi = vi * beta2 + gi * gi
        m[i] = mi
        v[i] = vi
        p[i] -= (mi / (np.sqrt(vi) + eps)) * step
