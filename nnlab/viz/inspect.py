"""Inside a network: what each layer computes on a batch — plain NumPy, usable in a notebook.

    from nnlab import inspect
    stats = inspect.layer_stats(net, data.X_val[:500])    # one dict per hidden layer
    stats[0]["dead_units"], stats[1]["saturated_units"]    # shares of units, 0..1 (None: not that kind)
    tiles = inspect.weight_tiles(net, data.image_shape)   # (units, h, w): each unit's incoming weights
    best, z = inspect.top_images(net, data.X_val, unit=3) # the images that excite unit 3 most
    trace = inspect.forward_trace(net, data.X_val[:1])    # one example: each layer's activations, probabilities

Definitions (the Inside page states them too):

* a **dead** unit (ReLU, leaky ReLU, ELU) is never positive on the batch: for ReLU
  its output and its gradient are 0 for every example, so it stops learning;
* a sigmoid or tanh value is **saturated** where the slope f'(z) is below
  ``SATURATION_SLOPE`` (5 %) of its peak — sigmoid a < 0.013 or a > 0.987, tanh
  |a| > 0.975 — and a unit is saturated when at least ``SATURATED_SHARE`` (90 %) of
  the batch saturate it: almost no gradient gets through it.

Nothing here changes the network it is given, except ``gradient_norms`` (which
fills its gradient buffer); ``snapshot`` makes a copy to work on.
"""
from __future__ import annotations

import math

import numpy as np

from nnlab.core.layers import Activation
from nnlab.core.network import Network

SATURATION_SLOPE = 0.05  # saturated: f'(z) below 5 % of its peak
SATURATED_SHARE = 0.9    # a unit saturated on at least 90 % of the examples counts as saturated
CAN_DIE = ("relu", "leaky_relu", "elu")  # activations whose units can stop being positive

# Each saturating activation's slope relative to its peak, written from the output a
# (as the derivatives in activations.py are): sigmoid' = a(1-a) <= 1/4, tanh' = 1 - a^2 <= 1.
RELATIVE_SLOPE = {"sigmoid": lambda a: 4.0 * a * (1.0 - a), "tanh": lambda a: 1.0 - a * a}


def saturation_rule(activation: str) -> str:
    """The saturation threshold in words, from SATURATION_SLOPE ("" if the activation does not saturate)."""
    if activation == "sigmoid":
        low = (1 - math.sqrt(1 - SATURATION_SLOPE)) / 2
        return f"a < {low:.3f} or a > {1 - low:.3f}"
    if activation == "tanh":
        return f"|a| > {math.sqrt(1 - SATURATION_SLOPE):.3f}"
    return ""


def layer_names(net) -> list:
    """["hidden 1", ..., "output"]: one name per Dense layer, as Network.summary() says them."""
    n = len(net.dense_layers)
    return [f"hidden {i + 1}" for i in range(n - 1)] + ["output"]


def snapshot(net: Network) -> Network:
    """A copy of `net` (same config, same weights) to inspect while the original trains on."""
    copy = Network(net.config, seed=0)
    copy.set_params(net.flat_params)
    return copy


def forward_trace(net: Network, X) -> dict:
    """Prediction-mode forward pass (no dropout) keeping every hidden layer's output.

    Returns {"hidden": [array (n_samples, units) per hidden layer], "proba": (n_samples, n_outputs)}."""
    out = net._as_input(X)
    hidden = []
    for layer in net.layers:
        out = layer.forward(out, training=False)
        if isinstance(layer, Activation) and len(hidden) < len(net.config.hidden):
            hidden.append(out.copy())  # a copy: the layer reuses its buffer on the next call
    return {"hidden": hidden, "proba": net.loss.probabilities(out).copy()}


def layer_stats(net: Network, X) -> list:
    """What each hidden layer does on the batch X (n_samples, n_features): one dict per layer,

    {"layer": "hidden 1", "activation": "relu", "units": int, "values": (n_samples, units) array,
     "mean", "std", "min", "max": of all its values,
     "positive_share": share of values > 0,
     "dead_units": share of units never positive on X (ReLU-like activations; None for others),
     "dead": their indices,
     "saturated_units": share of units saturated on >= SATURATED_SHARE of X (sigmoid, tanh; else None),
     "saturated_values": share of all values that are saturated (sigmoid, tanh; else None),
     "saturated": the saturated units' indices}."""
    trace = forward_trace(net, X)
    rows = []
    for i, (a, name) in enumerate(zip(trace["hidden"], net.config.activations)):
        a64 = a.astype(np.float64, copy=False)
        row = {"layer": f"hidden {i + 1}", "activation": name, "units": a.shape[1], "values": a,
               "mean": float(a64.mean()), "std": float(a64.std()), "min": float(a64.min()),
               "max": float(a64.max()), "positive_share": float(np.mean(a > 0)),
               "dead_units": None, "dead": np.array([], dtype=int),
               "saturated_units": None, "saturated_values": None, "saturated": np.array([], dtype=int)}
        if name in CAN_DIE:
            dead = np.flatnonzero((a <= 0).all(axis=0))
            row.update(dead_units=len(dead) / a.shape[1], dead=dead)
        if name in RELATIVE_SLOPE:
            flat = RELATIVE_SLOPE[name](a64) < SATURATION_SLOPE
            units = np.flatnonzero(flat.mean(axis=0) >= SATURATED_SHARE)
            row.update(saturated_units=len(units) / a.shape[1], saturated_values=float(flat.mean()),
                       saturated=units)
        rows.append(row)
    return rows


def weight_tiles(net: Network, image_shape) -> np.ndarray:
    """The first layer's weights as images: tile j is unit j's incoming weights W[:, j]
    laid out like the input image, shape (units, height, width)."""
    if not image_shape or int(np.prod(image_shape)) != net.config.n_inputs:
        raise ValueError(f"the network's {net.config.n_inputs} inputs are not an image of shape {image_shape}")
    W = net.dense_layers[0].params["W"]  # (n_inputs, units)
    return np.ascontiguousarray(W.T).reshape(W.shape[1], *image_shape)


def first_layer_z(net: Network, X) -> np.ndarray:
    """The first layer's weighted sums z = x·W + b (before the activation), (n_samples, units)."""
    dense = net.dense_layers[0]
    return net._as_input(X) @ dense.params["W"] + dense.params["b"]


def top_images(net: Network, X, unit: int, k: int = 8) -> tuple:
    """The k examples of X that excite first-layer unit `unit` most: (indices, their z),
    largest z first (z ranks them even where ReLU outputs 0 for all)."""
    dense = net.dense_layers[0]
    if not 0 <= unit < dense.n_out:
        raise ValueError(f"unit must be in 0..{dense.n_out - 1}, got {unit}")
    z = net._as_input(X) @ dense.params["W"][:, unit] + dense.params["b"][unit]
    best = np.argsort(-z, kind="stable")[:k]
    return best, z[best]


# How the first layer's units can be ordered on the page: name -> key (larger first).
UNIT_ORDERS = {
    "unit number": lambda W, a: -np.arange(W.shape[1]),
    "strongest weights": lambda W, a: np.linalg.norm(W, axis=0),
    "most active": lambda W, a: a.mean(axis=0),
    "least active": lambda W, a: -a.mean(axis=0),
}


def unit_order(net: Network, X, by: str = "unit number") -> np.ndarray:
    """The first layer's unit indices ordered by one of UNIT_ORDERS (activity measured on X)."""
    if by not in UNIT_ORDERS:
        raise ValueError(f"unknown order {by!r}; choose one of: {', '.join(UNIT_ORDERS)}")
    a = forward_trace(net, X)["hidden"][0] if net.config.hidden else first_layer_z(net, X)
    key = UNIT_ORDERS[by](net.dense_layers[0].params["W"], a)
    return np.argsort(-key, kind="stable")


def gradient_norms(net: Network, X, y) -> list:
    """‖∂L/∂W‖ of every Dense layer on one batch (mean data loss, no regularisation,
    no dropout), first layer first: the trainer's record_grads statistic for a model
    that was trained without it.  Fills net's gradient buffer: use a snapshot."""
    net.flat_grads[...] = 0
    net.loss_and_grad(net._as_input(X), np.asarray(y, dtype=np.int64), training=False)
    return [float(np.linalg.norm(layer.grads["W"])) for layer in net.dense_layers]
