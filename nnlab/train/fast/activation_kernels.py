"""numba kernels for the activations, one function per activation and direction so that
a run compiles only its own (imported only through ``jit.py``; see ``layer_kernels.py``).

    FORWARD[name](z, b, c)          z = f(z + b), in place
    DERIVATIVE[name](a, g, gb, c, acc)   g *= f'(z), read from the output a; gb = column sums of g
                                         (summed in acc, float64 scratch of gb's size)

``c``: the constants in the arrays' dtype, ``layer_kernels.constants``.  The same float
operations in the same order as ``nnlab/core/activations.py`` (ReLU, leaky ReLU, linear
and every derivative: the same bits); tanh, sigmoid and ELU call the C library's
tanh/expm1 where NumPy has its own SIMD versions (an ulp or so apart).  Column sums are
accumulated in float64, in a scratch array the caller owns.  Compile time, the first
time (then numba's cache): one function with a branch per activation compiled every
branch, 0.9 s for the forward one alone, against ~0.1 s for one activation; allocating
the accumulator inside (np.zeros) or filling gb with ``gb[:] = acc`` cost 0.2 and 2 s.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from nnlab.train.fast.layer_kernels import OPTIONS


@njit(**OPTIONS)
def relu(z, b, c):
    zero = c[0]
    for r in z:
        for j in range(r.size):
            x = r[j] + b[j]
            r[j] = zero if x < zero else x  # np.maximum(x, 0): NaN and -0.0 stay


@njit(**OPTIONS)
def leaky_relu(z, b, c):
    slope = c[1]
    for r in z:
        for j in range(r.size):
            x = r[j] + b[j]
            y = slope * x
            r[j] = y if x < y else x  # np.maximum(x, slope x)


@njit(**OPTIONS)
def elu(z, b, c):
    zero, alpha = c[0], c[2]
    for r in z:
        for j in range(r.size):
            x = r[j] + b[j]
            r[j] = alpha * np.expm1(x) if x < zero else x


@njit(**OPTIONS)
def sigmoid(z, b, c):
    half, one = c[3], c[4]
    for r in z:
        for j in range(r.size):
            x = (r[j] + b[j]) * half  # 0.5 (1 + tanh(z / 2)), as activations.sigmoid
            r[j] = (np.tanh(x) + one) * half


@njit(**OPTIONS)
def tanh(z, b, c):
    for r in z:
        for j in range(r.size):
            r[j] = np.tanh(r[j] + b[j])


@njit(**OPTIONS)
def linear(z, b, c):
    for r in z:
        for j in range(r.size):
            r[j] = r[j] + b[j]


@njit(**OPTIONS)
def relu_derivative(a, g, gb, c, acc):
    zero, one = c[0], c[4]
    for j in range(acc.size):
        acc[j] = 0.0
    for i in range(g.shape[0]):
        ar, gr = a[i], g[i]
        for j in range(gr.size):
            x = gr[j] * (one if ar[j] > zero else zero)  # delta *= a > 0
            gr[j] = x
            acc[j] += x
    for j in range(acc.size):
        gb[j] = acc[j]


@njit(**OPTIONS)
def leaky_relu_derivative(a, g, gb, c, acc):
    zero, slope, one = c[0], c[1], c[4]
    for j in range(acc.size):
        acc[j] = 0.0
    for i in range(g.shape[0]):
        ar, gr = a[i], g[i]
        for j in range(gr.size):
            x = gr[j] * (one if ar[j] > zero else slope)
            gr[j] = x
            acc[j] += x
    for j in range(acc.size):
        gb[j] = acc[j]


@njit(**OPTIONS)
def elu_derivative(a, g, gb, c, acc):
    zero, alpha, one = c[0], c[2], c[4]
    for j in range(acc.size):
        acc[j] = 0.0
    for i in range(g.shape[0]):
        ar, gr = a[i], g[i]
        for j in range(gr.size):
            x = gr[j] * (one if ar[j] > zero else ar[j] + alpha)  # alpha e^z = a + alpha
            gr[j] = x
            acc[j] += x
    for j in range(acc.size):
        gb[j] = acc[j]


@njit(**OPTIONS)
def sigmoid_derivative(a, g, gb, c, acc):
    one = c[4]
    for j in range(acc.size):
        acc[j] = 0.0
    for i in range(g.shape[0]):
        ar, gr = a[i], g[i]
        for j in range(gr.size):
            x = gr[j] * ar[j]
            x = x * (one - ar[j])  # a (1 - a), in two roundings as delta *= a; delta *= 1 - a
            gr[j] = x
            acc[j] += x
    for j in range(acc.size):
        gb[j] = acc[j]


@njit(**OPTIONS)
def tanh_derivative(a, g, gb, c, acc):
    one = c[4]
    for j in range(acc.size):
        acc[j] = 0.0
    for i in range(g.shape[0]):
        ar, gr = a[i], g[i]
        for j in range(gr.size):
            x = gr[j] * (one - ar[j] * ar[j])
            gr[j] = x
            acc[j] += x
    for j in range(acc.size):
        gb[j] = acc[j]


@njit(**OPTIONS)
def linear_derivative(a, g, gb, c, acc):
    for j in range(acc.size):
        acc[j] = 0.0
    for i in range(g.shape[0]):
        gr = g[i]
        for j in range(gr.size):
            acc[j] += gr[j]
    for j in range(acc.size):
        gb[j] = acc[j]


FORWARD = {"relu": relu, "leaky_relu": leaky_relu, "elu": elu, "sigmoid": sigmoid, "tanh": tanh, "linear": linear}
DERIVATIVE = {"relu": relu_derivative, "leaky_relu": leaky_relu_derivative, "elu": elu_derivative,
              "sigmoid": sigmoid_derivative, "tanh": tanh_derivative, "linear": linear_derivative}
