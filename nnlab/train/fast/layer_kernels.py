"""numba kernels for the output layer and the penalty; the activations' are in
``activation_kernels.py`` (imported only through ``jit.py``).

    softmax_cross_entropy(z, b, y, gb, pred, acc)  logits z + b -> mean loss; z becomes (softmax - onehot) / n,
                                                   gb its column sums (summed in acc), pred each row's argmax
    penalty(w, g, c2, c1)                     g += c2 w + c1 sign(w)

Each fuses into one pass over the rows the element-wise passes NumPy makes one by one.
Options (``OPTIONS``): no fastmath (it would fuse a*b + c into one rounding and change
bits that now match NumPy's: the penalty, the activations' derivatives); error_model=
"numpy" (a division by zero gives inf, as in NumPy, instead of a check per element that
stops LLVM from vectorising the loop); nogil, so the helper thread gathers the next
batch meanwhile.  The softmax calls the C library's exp and log where NumPy has its own
SIMD versions, and sums in float64: a few ulp from NumPy's.
"""
from __future__ import annotations

import functools

import numpy as np
from numba import njit

from nnlab.core.activations import ELU_ALPHA, LEAKY_SLOPE

OPTIONS = dict(cache=True, nogil=True, error_model="numpy")  # every kernel's (see above)


@functools.lru_cache(maxsize=4)
def constants(dtype) -> np.ndarray:
    """(0, leaky slope, ELU alpha, 0.5, 1) in `dtype`: the activation kernels' `c`."""
    return np.array([0.0, LEAKY_SLOPE, ELU_ALPHA, 0.5, 1.0], dtype=dtype)


@njit(**OPTIONS)
def softmax_cross_entropy(z, b, y, gb, pred, acc):
    n, k = z.shape
    for j in range(k):
        acc[j] = 0.0
    scale = 1.0 / n
    total = 0.0
    for i in range(n):
        r = z[i]
        for j in range(k):
            r[j] = r[j] + b[j]
        best, top = 0, r[0]
        for j in range(1, k):
            if r[j] > top:  # the first maximum, as argmax
                best, top = j, r[j]
        pred[i] = best
        total -= r[y[i]] - top  # -log softmax(z)_y = log(sum exp(z - top)) - (z_y - top)
        s = 0.0
        for j in range(k):
            e = np.exp(r[j] - top)
            r[j] = e
            s += e
        total += np.log(s)
        inv = 1.0 / s
        for j in range(k):
            x = r[j] * inv
            if j == y[i]:
                x -= 1.0
            x *= scale  # the fused gradient (probs - onehot) / n, valid for softmax + cross-entropy only
            r[j] = x
            acc[j] += x
    for j in range(k):
        gb[j] = acc[j]
    return total * scale


@njit(**OPTIONS)
def penalty(w, g, c2, c1):
    if c2 != 0:
        for i in range(w.size):
            g[i] += c2 * w[i]
    if c1 != 0:
        for i in range(w.size):
            g[i] += c1 * np.sign(w[i])
