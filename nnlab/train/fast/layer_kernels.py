"""numba kernels for the layers: each fuses the element-wise passes NumPy makes one
by one into one pass over the rows (imported only through ``jit.py``).

    activate(z, b, kind, c)                   z = f(z + b), in place
    derivative(a, g, gb, kind, c)             g *= f'(z) read from the output a; gb = column sums of g
    softmax_cross_entropy(z, b, y, gb, pred)  logits z + b -> mean loss; z becomes (softmax - onehot) / n,
                                              gb its column sums, pred the argmax of each row
    penalty(w, g, c2, c1)                     g += c2 w + c1 sign(w)

``c`` holds the constants in the arrays' dtype (``constants``): float32 arithmetic
stays float32, as NumPy's with Python scalars.  The derivatives, ReLU, leaky ReLU and
the penalty do the same operations in the same order as ``nnlab/core/activations.py``,
so they give the same bits; tanh, sigmoid, ELU and the softmax call the C library's
exp/tanh where NumPy has its own SIMD versions (a few ulp apart).  Column sums are
accumulated in float64.  Options (``OPTIONS``): no fastmath (it would fuse a*b + c into
one rounding and change those bits); error_model="numpy" (a division by zero gives inf,
as in NumPy, instead of a check per element that stops LLVM from vectorising the loop);
nogil, so the helper thread gathers the next batch meanwhile.
"""
from __future__ import annotations

import functools

import numpy as np
from numba import njit

from nnlab.core.activations import ELU_ALPHA, LEAKY_SLOPE

OPTIONS = dict(cache=True, nogil=True, error_model="numpy")
RELU, LEAKY_RELU, ELU, SIGMOID, TANH, LINEAR = range(6)
KINDS = {"relu": RELU, "leaky_relu": LEAKY_RELU, "elu": ELU, "sigmoid": SIGMOID, "tanh": TANH, "linear": LINEAR}


@functools.lru_cache(maxsize=4)
def constants(dtype) -> np.ndarray:
    """(0, leaky slope, ELU alpha, 0.5, 1) in `dtype`, for the kernels' `c`."""
    return np.array([0.0, LEAKY_SLOPE, ELU_ALPHA, 0.5, 1.0], dtype=dtype)


@njit(**OPTIONS)
def activate(z, b, kind, c):
    zero, slope, alpha, half, one = c[0], c[1], c[2], c[3], c[4]
    n, h = z.shape
    for i in range(n):
        r = z[i]
        if kind == RELU:
            for j in range(h):
                x = r[j] + b[j]
                r[j] = zero if x < zero else x  # np.maximum(x, 0): NaN and -0.0 stay
        elif kind == LEAKY_RELU:
            for j in range(h):
                x = r[j] + b[j]
                y = slope * x
                r[j] = y if x < y else x
        elif kind == ELU:
            for j in range(h):
                x = r[j] + b[j]
                r[j] = alpha * np.expm1(x) if x < zero else x
        elif kind == SIGMOID:
            for j in range(h):
                x = (r[j] + b[j]) * half  # 0.5 (1 + tanh(z / 2)), as activations.sigmoid
                r[j] = (np.tanh(x) + one) * half
        elif kind == TANH:
            for j in range(h):
                r[j] = np.tanh(r[j] + b[j])
        else:
            for j in range(h):
                r[j] = r[j] + b[j]


@njit(**OPTIONS)
def derivative(a, g, gb, kind, c):
    zero, slope, alpha, one = c[0], c[1], c[2], c[4]
    n, h = g.shape
    acc = np.zeros(h)
    for i in range(n):
        ar, gr = a[i], g[i]
        if kind == RELU:
            for j in range(h):
                x = gr[j] * (one if ar[j] > zero else zero)
                gr[j] = x
                acc[j] += x
        elif kind == LEAKY_RELU:
            for j in range(h):
                x = gr[j] * (one if ar[j] > zero else slope)
                gr[j] = x
                acc[j] += x
        elif kind == ELU:
            for j in range(h):
                x = gr[j] * (one if ar[j] > zero else ar[j] + alpha)
                gr[j] = x
                acc[j] += x
        elif kind == SIGMOID:
            for j in range(h):
                x = gr[j] * ar[j]
                x = x * (one - ar[j])
                gr[j] = x
                acc[j] += x
        elif kind == TANH:
            for j in range(h):
                x = gr[j] * (one - ar[j] * ar[j])
                gr[j] = x
                acc[j] += x
        else:
            for j in range(h):
                acc[j] += gr[j]
    for j in range(h):
        gb[j] = acc[j]


@njit(**OPTIONS)
def softmax_cross_entropy(z, b, y, gb, pred):
    n, k = z.shape
    acc = np.zeros(k)
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
