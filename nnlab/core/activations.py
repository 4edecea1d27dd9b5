"""Activation functions and their derivatives — one registry, used everywhere.

Every function works *in place* on its argument (as scikit-learn's
``neural_network/_base.py`` does): the forward pass overwrites the
pre-activation ``z`` with the activation ``a``, and each derivative is written
in terms of that *output* ``a`` so that no copy of ``z`` has to be kept.

    ACTIVATIONS[name](z)          -> a          (z is overwritten)
    DERIVATIVES[name](a, delta)   -> delta * f'(z), written into delta

The CLI's ``--activation`` choices and the dashboard's select boxes are built
from ``ACTIVATIONS``, so adding an entry here makes it appear everywhere.
"""
from __future__ import annotations

import functools

import numpy as np

LEAKY_SLOPE = 0.01  # slope of leaky ReLU for z < 0
ELU_ALPHA = 1.0     # saturation value of ELU for z -> -inf


def identity(z):
    return z


def sigmoid(z):
    # 1 / (1 + exp(-z)) computed as 0.5 * (1 + tanh(z / 2)): no overflow for large |z|.
    np.multiply(z, 0.5, out=z)
    np.tanh(z, out=z)
    z += 1.0
    z *= 0.5
    return z


def tanh(z):
    return np.tanh(z, out=z)


def relu(z):
    # Against a row of zeros (broadcast), not the scalar 0: NumPy's loop for two
    # arrays is vectorised and the array-scalar one is not (128x256: 6.8 vs 16.8 us).
    return np.maximum(z, constant(0.0, z.shape[-1:], z.dtype), out=z)


@functools.lru_cache(maxsize=32)
def constant(value, shape, dtype):
    """A read-only array of `shape` filled with `value`, made once and shared: the
    row of zeros ReLU compares against, the ones Dense sums bias gradients with.
    Callers keep shapes small (a row, a batch), so the cache stays small."""
    array = np.full(shape, value, dtype)
    array.flags.writeable = False  # shared by every caller: nobody may write into it
    return array


def leaky_relu(z):
    # max(z, slope*z) equals z for z > 0 and slope*z otherwise (0 < slope < 1).
    return np.maximum(z, LEAKY_SLOPE * z, out=z)


def elu(z):
    neg = z < 0
    z[neg] = ELU_ALPHA * np.expm1(z[neg])
    return z


def identity_derivative(a, delta):
    return delta


def sigmoid_derivative(a, delta):
    delta *= a
    delta *= 1.0 - a  # sigma' = a (1 - a)
    return delta


def tanh_derivative(a, delta):
    delta *= 1.0 - a * a  # tanh' = 1 - a^2
    return delta


def relu_derivative(a, delta):
    delta *= a > 0  # ReLU' = 1 where the unit was active, else 0
    return delta


def leaky_relu_derivative(a, delta):
    # a has the sign of z, so the slope can be read off the output.
    delta *= np.where(a > 0, 1.0, LEAKY_SLOPE).astype(a.dtype, copy=False)
    return delta


def elu_derivative(a, delta):
    # for z < 0: d/dz alpha (e^z - 1) = alpha e^z = a + alpha
    delta *= np.where(a > 0, 1.0, a + ELU_ALPHA).astype(a.dtype, copy=False)
    return delta


ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "linear": identity,
}

DERIVATIVES = {
    "sigmoid": sigmoid_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
    "leaky_relu": leaky_relu_derivative,
    "elu": elu_derivative,
    "linear": identity_derivative,
}

# Aliases accepted on input (the tutorials say "logistic" and "identity").
ALIASES = {"logistic": "sigmoid", "identity": "linear", "leakyrelu": "leaky_relu"}

# One sentence each, shown as help text in the CLI and the dashboard.
DESCRIPTIONS = {
    "sigmoid": "Logistic 1/(1+e^-z), output in (0, 1); the classic choice, slow to train deep.",
    "tanh": "Hyperbolic tangent, output in (-1, 1); zero-centred sigmoid.",
    "relu": "max(0, z): fast and the usual default for hidden layers.",
    "leaky_relu": "max(0.01 z, z): like ReLU but never fully 'dead'.",
    "elu": "z for z > 0, e^z - 1 otherwise: smooth ReLU with negative outputs.",
    "linear": "Identity: no non-linearity (a stack of linear layers is still linear).",
}


def check_activation(name: str) -> str:
    """Return the canonical activation name or raise ValueError listing the valid ones."""
    key = ALIASES.get(str(name).strip().lower(), str(name).strip().lower())
    if key not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}; choose one of: {', '.join(ACTIVATIONS)}"
        )
    return key
