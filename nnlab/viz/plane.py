"""What a network trained on 2-D points does over the whole plane.

    maps = plane_maps(net, ["x1", "x2"], extent=3.0)
    maps.proba.shape        # (64, 64, n_classes): class probabilities on a grid (the decision boundary)
    maps.units[0].shape     # (8, 32, 32): each unit of hidden layer 1 over a coarser grid

Every grid point goes through toy2d.feature_map, exactly as the data did, and
then through the network's layers.  The forward pass here is written out from
the weights (z = x·W + b, then the activation from the registry), not by
calling the layers: their buffers belong to training, so drawing the plane
between two epochs leaves the trainer's state as it was.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnlab.core.activations import ACTIVATIONS
from nnlab.core.layers import Activation, Dense
from nnlab.data.toy2d import feature_map

RESOLUTION = 64       # grid points per side for the class probabilities
UNIT_RESOLUTION = 32  # ... and for each hidden unit's small map
MAX_LAYERS = 2        # hidden layers whose units are mapped


@dataclass
class PlaneMaps:
    """xs, ys: the grid's coordinates (ascending); proba[i, j] is at (xs[j], ys[i]).
    units: one (n_units, m, m) array per mapped hidden layer, on the grid unit_xs x unit_xs."""

    xs: np.ndarray
    ys: np.ndarray
    proba: np.ndarray
    unit_xs: np.ndarray
    units: list = field(default_factory=list)


def grid(extent: float, resolution: int):
    """(coordinates (resolution,), points (resolution², 2)) of a square grid over
    [-extent, extent]², row by row from the bottom (y) and left to right (x)."""
    xs = np.linspace(-extent, extent, resolution)
    gx, gy = np.meshgrid(xs, xs)
    return xs, np.c_[gx.ravel(), gy.ravel()]


def layer_outputs(net, X, n_hidden: int | None = None):
    """(outputs of the first `n_hidden` hidden layers (all by default), each
    (n_samples, units); class probabilities (n_samples, n_outputs)) for inputs X.
    Prediction mode: dropout is off."""
    out = np.asarray(X, dtype=net.dtype)
    hidden = []
    n_hidden = len(net.config.hidden) if n_hidden is None else n_hidden
    for layer in net.layers:
        if isinstance(layer, Dense):
            out = out @ layer.params["W"] + layer.params["b"]  # a new array: the layer's buffer stays untouched
        elif isinstance(layer, Activation):
            out = ACTIVATIONS[layer.name](out)  # in place on our own array
            if len(hidden) < len(net.config.hidden):  # a hidden layer (MSE adds an output activation)
                hidden.append(out.copy() if len(hidden) < n_hidden else None)
        # Dropout: nothing when predicting
    return [h for h in hidden if h is not None], net.loss.probabilities(out)


def plane_maps(net, features, extent: float, resolution: int = RESOLUTION,
               unit_resolution: int = UNIT_RESOLUTION, layers: int = MAX_LAYERS) -> PlaneMaps:
    """The class probabilities over [-extent, extent]² (the decision boundary) and
    each unit's output of the first `layers` hidden layers, for a network that reads
    the 2-D points through `features` (toy2d.FEATURES names)."""
    xs, pts = grid(extent, resolution)
    _, proba = layer_outputs(net, feature_map(pts, features), 0)
    uxs, upts = grid(extent, unit_resolution)
    hidden, _ = layer_outputs(net, feature_map(upts, features), layers)
    units = [h.T.reshape(h.shape[1], unit_resolution, unit_resolution) for h in hidden]
    return PlaneMaps(xs, xs, proba.reshape(resolution, resolution, -1), uxs, units)
