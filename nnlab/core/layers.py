"""Layers: the building blocks of a network, each with ``forward`` and ``backward``.

The contract (as in micrograd and numpy-ml):

* ``forward(x, training)`` returns the layer's output and caches only what
  ``backward`` needs;
* ``backward(grad_out)`` fills ``self.grads`` (same keys as ``self.params``)
  and returns the gradient with respect to the layer's input.

Speed notes (each trick is marked where it is used):

* ``params`` and ``grads`` of a Dense layer are *views* into one flat buffer
  owned by the Network, so an optimizer updates every weight in a few
  vectorised calls.
* Output and gradient arrays are preallocated per batch size and filled with
  ``out=``; activations work in place on the Dense output.  A consequence: the
  array returned by ``forward`` is overwritten by the next call — copy it if
  you keep it (``Network.predict_proba`` does).
"""
from __future__ import annotations

import numpy as np

from nnlab.core.activations import ACTIVATIONS, DERIVATIVES, check_activation, constant


class Layer:
    """Base class: a layer without parameters."""

    params: dict
    grads: dict

    def __init__(self):
        self.params = {}
        self.grads = {}
        self._buffers = {}

    def param_shapes(self) -> dict:
        return {}

    def _buffer(self, name, shape, dtype):
        # Buffer trick: reuse one array per (name, shape) instead of allocating
        # a new one every batch.  Bounded, so odd prediction sizes cannot pile up.
        key = (name, shape, np.dtype(dtype).str)
        buf = self._buffers.get(key)
        if buf is None:
            if len(self._buffers) > 12:
                self._buffers.clear()
            buf = self._buffers[key] = np.empty(shape, dtype=dtype)
        return buf

    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, grad_out):
        raise NotImplementedError


class Dense(Layer):
    """Fully connected layer: ``z = x @ W + b``.

    Parameters
    ----------
    n_in, n_out : int
        Input and output widths; ``W`` has shape ``(n_in, n_out)``, ``b`` ``(n_out,)``.
    input_grad : bool
        The first layer does not need the gradient for its input (the data), so
        its ``backward`` skips that matrix product and returns None.
    """

    def __init__(self, n_in: int, n_out: int, input_grad: bool = True):
        super().__init__()
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.input_grad = input_grad
        self.x = None

    def param_shapes(self):
        return {"W": (self.n_in, self.n_out), "b": (self.n_out,)}

    def forward(self, x, training=False):
        W, b = self.params["W"], self.params["b"]
        self.x = x  # dL/dW = x^T dL/dz needs the input
        out = self._buffer("out", (x.shape[0], self.n_out), W.dtype)
        np.matmul(x, W, out=out)
        out += b
        return out

    def backward(self, grad_out):
        np.matmul(self.x.T, grad_out, out=self.grads["W"])
        # db = column sums of grad_out, written as the product ones @ grad_out:
        # one BLAS call, ~3x faster than np.sum(axis=0) on these shapes.
        np.matmul(constant(1.0, grad_out.shape[:1], grad_out.dtype), grad_out, out=self.grads["b"])
        if not self.input_grad:
            return None
        grad_in = self._buffer("grad_in", (grad_out.shape[0], self.n_in), grad_out.dtype)
        return np.matmul(grad_out, self.params["W"].T, out=grad_in)

    def __repr__(self):
        return f"Dense({self.n_in} -> {self.n_out})"


class Activation(Layer):
    """Element-wise non-linearity from the ACTIVATIONS registry (in place)."""

    def __init__(self, name: str):
        super().__init__()
        self.name = check_activation(name)
        self._f = ACTIVATIONS[self.name]
        self._df = DERIVATIVES[self.name]
        self.a = None

    def forward(self, x, training=False):
        # In place: x is the Dense output buffer, which Dense.backward no longer needs.
        self.a = self._f(x)
        return self.a

    def backward(self, grad_out):
        return self._df(self.a, grad_out)  # derivative from the cached output

    def __repr__(self):
        return f"Activation({self.name})"


class Dropout(Layer):
    """Inverted dropout: in training, zero each unit with probability ``rate`` and
    scale the survivors by ``1 / (1 - rate)``, so prediction needs no change."""

    def __init__(self, rate: float, rng: np.random.Generator):
        super().__init__()
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"dropout rate must be in [0, 1), got {rate}")
        self.rate = float(rate)
        self.rng = rng
        self.mask = None
        self.frozen = False  # gradient checks freeze the mask between calls

    def forward(self, x, training=False):
        if not training or self.rate == 0.0:
            self.mask = None
            return x
        if not (self.frozen and self.mask is not None and self.mask.shape == x.shape):
            mask = self._buffer("mask", x.shape, x.dtype)
            self.rng.random(out=mask, dtype=mask.dtype)  # network dtype: float32 or float64
            keep = mask >= self.rate
            np.multiply(keep, 1.0 / (1.0 - self.rate), out=mask)
            self.mask = mask
        out = self._buffer("out", x.shape, x.dtype)
        return np.multiply(x, self.mask, out=out)

    def backward(self, grad_out):
        if self.mask is None:
            return grad_out
        grad_out *= self.mask
        return grad_out

    def __repr__(self):
        return f"Dropout({self.rate})"
