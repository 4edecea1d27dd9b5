"""Weight initializers: fill a (fan_in, fan_out) weight matrix in place.

The default per activation follows the usual advice: Glorot/Xavier for
sigmoid, tanh and linear units, He for the ReLU family.
"""
from __future__ import annotations

import numpy as np


def glorot_uniform(W, rng):
    """U(-b, b) with b = sqrt(6 / (fan_in + fan_out)) — the first tutorial's choice."""
    fan_in, fan_out = W.shape
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    W[...] = rng.uniform(-bound, bound, size=W.shape)


def normal(W, rng):
    """N(0, 0.1^2) — the layer-objects tutorial's choice."""
    W[...] = rng.normal(0.0, 0.1, size=W.shape)


def he_normal(W, rng):
    """N(0, 2 / fan_in): keeps the variance of ReLU activations constant with depth."""
    fan_in = W.shape[0]
    W[...] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=W.shape)


INITIALIZERS = {
    "glorot_uniform": glorot_uniform,
    "normal": normal,
    "he_normal": he_normal,
}

DESCRIPTIONS = {
    "auto": "Pick per layer: He normal for ReLU-like units, Glorot uniform otherwise.",
    "glorot_uniform": "Glorot/Xavier uniform, sqrt(6/(fan_in+fan_out)) bound.",
    "normal": "Gaussian with standard deviation 0.1.",
    "he_normal": "He normal, standard deviation sqrt(2/fan_in).",
}

DEFAULT_FOR_ACTIVATION = {
    "relu": "he_normal",
    "leaky_relu": "he_normal",
    "elu": "he_normal",
    "sigmoid": "glorot_uniform",
    "tanh": "glorot_uniform",
    "linear": "glorot_uniform",
}


def check_init(name: str) -> str:
    key = str(name).strip().lower()
    if key != "auto" and key not in INITIALIZERS:
        raise ValueError(
            f"unknown initializer {name!r}; choose one of: auto, {', '.join(INITIALIZERS)}"
        )
    return key


def resolve_init(name: str, activation: str) -> str:
    """The initializer to use for a layer followed by `activation`."""
    return DEFAULT_FOR_ACTIVATION[activation] if name == "auto" else name
