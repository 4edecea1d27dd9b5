"""Network: a stack of layers built from a plain, JSON-serialisable config.

    net = Network(NetworkConfig(n_inputs=64, n_outputs=10, hidden=[64, 32],
                                activations=["relu", "relu"]), seed=0)
    probs = net.predict_proba(X)        # (n_samples, n_outputs)

All weights and biases live in one flat buffer ``net.flat_params`` (gradients
in ``net.flat_grads``); each Dense layer's ``params`` are views into it.  The
weights come first and the biases after them, so regularisation (weights only)
is one slice: ``flat_params[:n_weights]``.
"""
from __future__ import annotations

import numpy as np

from nnlab.core.config import NetworkConfig
from nnlab.core.initializers import INITIALIZERS, resolve_init
from nnlab.core.layers import Activation, Dense, Dropout
from nnlab.core.losses import LOSSES


class Network:
    """A multilayer perceptron: Dense -> Activation [-> Dropout] ... -> Dense [-> output]."""

    def __init__(self, config: NetworkConfig, seed: int = 0):
        self.config = config
        self.dtype = np.dtype(config.dtype)
        seeds = np.random.SeedSequence(seed).spawn(2)
        init_rng, self.dropout_rng = (np.random.default_rng(s) for s in seeds)
        self.loss = LOSSES[config.loss]()

        self.layers = []
        sizes = config.sizes
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            self.layers.append(Dense(n_in, n_out, input_grad=(i > 0)))
            if i < len(config.hidden):
                self.layers.append(Activation(config.activations[i]))
                if config.dropout > 0:
                    self.layers.append(Dropout(config.dropout, self.dropout_rng))
        if config.loss != "cross_entropy":  # softmax is fused into the loss
            self.layers.append(Activation(config.output))
        self.dense_layers = [l for l in self.layers if isinstance(l, Dense)]
        self._allocate()
        self.initialize(init_rng)

    # ----------------------------------------------------------- parameters
    def _allocate(self):
        """One flat buffer for all parameters, weights first (see module doc)."""
        entries = [(l, "W") for l in self.dense_layers] + [(l, "b") for l in self.dense_layers]
        shapes = [l.param_shapes()[k] for l, k in entries]
        sizes = [int(np.prod(s)) for s in shapes]
        self.n_params = sum(sizes)
        self.n_weights = sum(sizes[: len(self.dense_layers)])
        self.flat_params = np.zeros(self.n_params, dtype=self.dtype)
        self.flat_grads = np.zeros(self.n_params, dtype=self.dtype)
        offset = 0
        for (layer, key), shape, size in zip(entries, shapes, sizes):
            layer.params[key] = self.flat_params[offset:offset + size].reshape(shape)
            layer.grads[key] = self.flat_grads[offset:offset + size].reshape(shape)
            offset += size

    def initialize(self, rng):
        acts = self.config.activations + [self.config.output if self.config.loss != "cross_entropy" else "linear"]
        for layer, act in zip(self.dense_layers, acts):
            INITIALIZERS[resolve_init(self.config.init, act)](layer.params["W"], rng)
            layer.params["b"][...] = 0.0

    def get_params(self) -> np.ndarray:
        return self.flat_params.copy()

    def set_params(self, flat):
        flat = np.asarray(flat)
        if flat.shape != self.flat_params.shape:
            raise ValueError(f"expected {self.flat_params.size} parameters, got {flat.size}")
        self.flat_params[...] = flat

    def named_params(self) -> dict:
        """{"dense0.W": array, "dense0.b": array, ...} — views, not copies."""
        out = {}
        for i, layer in enumerate(self.dense_layers):
            for key, value in layer.params.items():
                out[f"dense{i}.{key}"] = value
        return out

    # ------------------------------------------------------- forward/backward
    def forward(self, X, training=False) -> np.ndarray:
        """Raw output (logits for cross-entropy, activations for MSE), shape
        (n_samples, n_outputs): a new array, yours to keep."""
        return self._forward(self._as_input(X), training).copy()

    def _forward(self, X, training=False):
        """forward() for the training path: the result is a layer's reused buffer,
        overwritten by the next call (and by the loss, which works in place on it)."""
        out = X
        for layer in self.layers:
            out = layer.forward(out, training)
        return out

    def backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)

    def penalty(self, n_total: int, l2: float = 0.0, l1: float = 0.0) -> float:
        """Add the regularisation gradient, l2/N * W + l1/N * sign(W), to flat_grads;
        return its loss term (regularization_loss)."""
        if not (l2 or l1):
            return 0.0
        W, gW = self.flat_params[: self.n_weights], self.flat_grads[: self.n_weights]
        if l2:
            gW += (l2 / n_total) * W
        if l1:
            gW += (l1 / n_total) * np.sign(W)
        return self.regularization_loss(n_total, l2, l1)

    def loss_and_grad(self, X, y, n_total=None, l2=0.0, l1=0.0, training=True):
        """Forward + backward on one batch. Fills flat_grads; returns
        (data loss, predicted labels).  n_total scales the regularisation
        (the number of training samples, N in lambda/(2N))."""
        out = self._forward(X, training)
        loss = self.loss.forward(out, y)
        pred = out.argmax(axis=1)  # read before backward reuses the buffer
        self.backward(self.loss.backward())
        self.penalty(n_total or len(X), l2, l1)
        return loss, pred

    def regularization_loss(self, n_total, l2=0.0, l1=0.0) -> float:
        """l2/(2N) * sum W^2 + l1/N * sum |W|: weights only, not biases (N = n_total)."""
        W = self.flat_params[: self.n_weights]
        l2_term = 0.5 * l2 / n_total * float(np.dot(W, W)) if l2 else 0.0
        return l2_term + (l1 / n_total * float(np.abs(W).sum()) if l1 else 0.0)

    # ------------------------------------------------------------ prediction
    def _as_input(self, X):
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.config.n_inputs:
            raise ValueError(
                f"the model expects inputs with {self.config.n_inputs} features, got shape {X.shape}")
        return np.ascontiguousarray(X, dtype=self.dtype)

    def predict_proba(self, X, batch_size=4096) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_outputs)."""
        X = self._as_input(X)
        out = np.empty((len(X), self.config.n_outputs), dtype=self.dtype)
        for start in range(0, len(X), batch_size):
            raw = self._forward(X[start:start + batch_size], training=False)
            out[start:start + batch_size] = self.loss.probabilities(raw)
        return out

    def predict(self, X, batch_size=4096) -> np.ndarray:
        return self.predict_proba(X, batch_size).argmax(axis=1)

    def evaluate(self, X, y, batch_size=4096) -> tuple:
        """(mean data loss, accuracy) on a dataset, without dropout."""
        loss, accuracy, _ = self._evaluate(X, y, batch_size, keep_proba=False)
        return loss, accuracy

    def evaluate_with_proba(self, X, y, batch_size=4096) -> tuple:
        """(loss, accuracy, class probabilities (n_samples, n_outputs)): the same numbers
        as evaluate() and predict_proba(), from one forward pass instead of two."""
        return self._evaluate(X, y, batch_size, keep_proba=True)

    def _evaluate(self, X, y, batch_size, keep_proba):
        X = self._as_input(X)
        y = np.asarray(y)
        proba = np.empty((len(X), self.config.n_outputs), dtype=self.dtype) if keep_proba else None
        total, correct = 0.0, 0
        for start in range(0, len(X), batch_size):
            xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            out = self._forward(xb, training=False)
            correct += int((out.argmax(axis=1) == yb).sum())
            if keep_proba:  # before the loss, which may work in place on `out`
                proba[start:start + batch_size] = self.loss.probabilities(out)
            total += self.loss.forward(out, yb) * len(xb)
        return total / max(len(X), 1), correct / max(len(X), 1), proba

    def summary(self) -> list:
        """One row per layer: {"layer", "units", "activation", "params"} (see layer_table)."""
        return layer_table(self)

    def __repr__(self):
        return "Network(" + " -> ".join(map(str, self.config.sizes)) + f", {self.n_params} params)"


def layer_table(net) -> list:
    """One row per layer of `net`: name, units, activation, parameter count (Network.summary)."""
    rows = []
    width = net.config.n_inputs
    rows.append({"layer": "input", "units": width, "activation": "", "params": 0})
    acts = iter(net.config.activations)
    for i, layer in enumerate(net.dense_layers):
        last = i == len(net.dense_layers) - 1
        act = ("softmax" if net.config.loss == "cross_entropy" else net.config.output) if last else next(acts)
        rows.append({
            "layer": "output" if last else f"hidden {i + 1}",
            "units": layer.n_out,
            "activation": act + ("" if last or not net.config.dropout else f" + dropout {net.config.dropout:g}"),
            "params": layer.n_in * layer.n_out + layer.n_out,
        })
    return rows
