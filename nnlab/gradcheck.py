"""Gradient check: central differences in float64 against ``backward``.

The numerical derivative uses the fourth-order central stencil
(8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / 12h, accurate to ~1e-10 here.

For every parameter array the maximum relative error
``|analytic - numeric| / max(|analytic| + |numeric|, tiny)`` is reported; a
correct backward pass gives about 1e-8 or less in float64.
"""
from __future__ import annotations

import numpy as np

from .layers import Dropout
from .network import Network, NetworkConfig


def gradient_check(net: Network, X, y, l2=0.0, l1=0.0, eps=1e-4, n_total=None, max_checks=None, seed=0):
    """Compare analytic and numerical gradients of the full training loss
    (data loss + regularisation) for every parameter of `net` (float64 net).

    max_checks: check at most this many randomly chosen entries per array.
    Returns {"dense0.W": max relative error, ...}."""
    if net.dtype != np.float64:
        raise ValueError("gradient checks need a float64 network (dtype='float64')")
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    n_total = n_total or len(X)
    dropouts = [l for l in net.layers if isinstance(l, Dropout)]
    for d in dropouts:  # the same dropout mask for every evaluation
        d.frozen, d.mask = True, None

    def total_loss():
        out = net.forward(X, training=True)
        return net.loss.forward(out, y) + net.regularization_loss(n_total, l2, l1)

    net.flat_grads[...] = 0
    net.loss_and_grad(X, y, n_total=n_total, l2=l2, l1=l1, training=True)
    analytic = {k: v.copy() for k, v in _named_grads(net).items()}
    rng = np.random.default_rng(seed)
    errors = {}
    try:
        for name, param in net.named_params().items():
            flat = param.reshape(-1)
            idx = np.arange(flat.size)
            if max_checks and flat.size > max_checks:
                idx = rng.choice(flat.size, max_checks, replace=False)
            numeric = np.empty(len(idx))
            for j, i in enumerate(idx):
                old = flat[i]
                f = {}
                for k in (-2, -1, 1, 2):
                    flat[i] = old + k * eps
                    f[k] = total_loss()
                flat[i] = old
                # fourth-order central difference: truncation error O(eps^4),
                # so rounding, not the formula, limits the accuracy
                numeric[j] = (8 * (f[1] - f[-1]) - (f[2] - f[-2])) / (12 * eps)
            a = analytic[name].reshape(-1)[idx]
            denom = np.maximum(np.abs(a) + np.abs(numeric), 1e-12)
            errors[name] = float(np.max(np.abs(a - numeric) / denom))
    finally:
        for d in dropouts:
            d.frozen = False
    return errors


def _named_grads(net):
    out = {}
    for i, layer in enumerate(net.dense_layers):
        for key, value in layer.grads.items():
            out[f"dense{i}.{key}"] = value
    return out


def check_random_network(hidden=(5, 4), activations=("tanh",), loss="cross_entropy", output="",
                         n_inputs=6, n_classes=3, n_samples=7, l2=0.0, l1=0.0, dropout=0.0, seed=0):
    """Gradient check of a tiny random float64 network on random data.
    Returns {"errors": {...}, "max_rel_error": float}."""
    acts = list(activations)
    config = NetworkConfig(n_inputs=n_inputs, n_outputs=n_classes, hidden=list(hidden),
                           activations=acts, loss=loss, output=output, dropout=dropout, dtype="float64")
    net = Network(config, seed=seed)
    rng = np.random.default_rng(seed + 1)
    # biases moved away from 0 so ReLU kinks are unlikely to sit within eps
    for layer in net.dense_layers:
        layer.params["b"][...] = rng.normal(0, 0.5, size=layer.params["b"].shape)
    X = rng.normal(size=(n_samples, n_inputs))
    y = rng.integers(0, n_classes, size=n_samples)
    errors = gradient_check(net, X, y, l2=l2, l1=l1)
    return {"errors": errors, "max_rel_error": max(errors.values())}
