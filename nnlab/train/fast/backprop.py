"""The fast engine's forward and backward pass: ``Network.loss_and_grad``, pass by pass.

    backprop = FastPass(net)                 # what engines.ENGINES["fast"].backprop makes
    loss, pred = backprop(xb, yb, n_total=60000, l2=0.0, l1=0.0)   # fills net.flat_grads

The same steps as the layers of ``nnlab/core`` (the network's weights, gradients and
dropout layers, its own buffers), each a call to ``ops`` (``ops.py``): NumPy's calls
— the textbook network's numbers, bit for bit — or, for a big network with numba
(``jit.py``), fused kernels: the bias add inside the activation, the bias gradient
inside the activation derivative and the softmax cross-entropy.  What it leaves out:
the regularisation *loss* the textbook computes and the trainer never reads (one
pass over the weights per batch).

``pred`` may be a buffer that the next call overwrites: read it before.
"""
from __future__ import annotations

import numpy as np

from nnlab.core.layers import Activation, Dense, Dropout
from nnlab.core.losses import LOSSES
from nnlab.train.fast import jit
from nnlab.train.fast.ops import NumbaOps, NumpyOps


def make_ops(n_params: int):
    """NumbaOps for a network of `n_params` parameters when jit.py says so, else NumpyOps."""
    kernels = jit.kernels(n_params)
    return NumpyOps() if kernels is None else NumbaOps(kernels)


class FastPass:
    """Network.loss_and_grad for `net` as the fast engine runs it; `ops`: the passes
    (default: ``make_ops``, NumPy or numba by the network's size)."""

    def __init__(self, net, ops=None):
        self.net = net
        self.ops = make_ops(net.n_params) if ops is None else ops
        # one row per Dense layer: (layer, hidden activation name or None, dropout layer or None)
        self.plan = []
        for layer in net.layers:
            if isinstance(layer, Dense):
                self.plan.append([layer, None, None])
            elif isinstance(layer, Activation) and len(self.plan) <= len(net.config.hidden):
                self.plan[-1][1] = layer.name
            elif isinstance(layer, Dropout):
                self.plan[-1][2] = layer
        self.cross_entropy = net.config.loss == "cross_entropy"
        self.loss = LOSSES[net.config.loss]()  # the MSE output (the softmax is in ops.softmax_ce)
        self.output = None if self.cross_entropy else net.config.output
        self._buffers = {}

    def _buffer(self, name, i, shape):
        key = (name, i, shape)
        buf = self._buffers.get(key)
        if buf is None:
            if len(self._buffers) > 8 * len(self.plan) + 8:  # bounded: odd batch sizes cannot pile up
                self._buffers.clear()
            buf = self._buffers[key] = np.empty(shape, self.net.dtype)
        return buf

    def __call__(self, X, y, n_total=None, l2=0.0, l1=0.0):
        """Forward + backward on one batch, in training mode (dropout on); fills
        net.flat_grads; returns (mean data loss, predicted labels)."""
        ops, n = self.ops, len(X)
        inputs, acts = [], []  # the input of each Dense layer; each hidden activation's output
        x = X
        for i, (dense, act, drop) in enumerate(self.plan):
            inputs.append(x)
            z = ops.forward_product(x, dense.params["W"], self._buffer("z", i, (n, dense.n_out)))
            if act is None:  # the output layer
                break
            ops.activate(z, dense.params["b"], act)
            acts.append(z)
            x = z if drop is None else drop.forward(z, True)
        last = self.plan[-1][0]
        if self.cross_entropy:
            loss, pred = ops.softmax_ce(z, last.params["b"], y, last.grads["b"])
            g = z  # dL/dz, in place of the logits
        else:
            ops.activate(z, last.params["b"], self.output)
            loss = self.loss.forward(z, y)
            pred = z.argmax(axis=1)
            g = self.loss.backward()
            ops.derivative(z, g, last.grads["b"], self.output)
        for i in range(len(self.plan) - 1, -1, -1):
            dense = self.plan[i][0]
            ops.weight_product(inputs[i], g, dense.grads["W"])
            if i == 0:
                break  # no gradient for the data
            g = ops.input_product(g, dense.params["W"], self._buffer("g", i, (n, dense.n_in)))
            below, act, drop = self.plan[i - 1]
            if drop is not None:
                drop.backward(g)
            ops.derivative(acts[i - 1], g, below.grads["b"], act)
        if l2 or l1:
            net, total = self.net, n_total or n
            ops.penalty(net.flat_params[:net.n_weights], net.flat_grads[:net.n_weights], l2 / total, l1 / total)
        return loss, pred
