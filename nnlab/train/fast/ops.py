"""The arithmetic of one training step, by pass: NumPy's calls or numba's fused kernels.

``backprop.FastPass`` calls these methods and nothing else, so a profiler can time
each pass by wrapping them (``profile.py``), and the normal path carries no timer.

    forward_product / weight_product / input_product   the matrix products (BLAS, both)
    activate(z, b, name)             bias + activation, in place
    derivative(a, g, gb, name)       activation derivative in place; gb = the bias gradient
    bias_sum(g, gb)                  the bias gradient (column sums) alone
    softmax_ce(z, b, y, gb)          bias + softmax + cross-entropy + its gradient -> (loss, pred)
    penalty(w, gw, c2, c1)           the regularisation gradient, gw += c2 w + c1 sign(w)

``NumpyOps`` makes exactly the calls of the layers and the loss in ``nnlab/core``, so
its numbers are the textbook network's, bit for bit (``tests/test_kernels.py``).
"""
from __future__ import annotations

import numpy as np

from nnlab.core.activations import ACTIVATIONS, DERIVATIVES, constant
from nnlab.core.losses import SoftmaxCrossEntropy


class NumpyOps:
    name = "numpy"
    # profile parts done inside another part's call (none here: one call per pass)
    fused: dict = {}

    def __init__(self):
        self._loss = SoftmaxCrossEntropy()

    def forward_product(self, x, W, out):
        return np.matmul(x, W, out=out)

    def weight_product(self, x, g, out):
        return np.matmul(x.T, g, out=out)

    def input_product(self, g, W, out):
        return np.matmul(g, W.T, out=out)

    def activate(self, z, b, name):
        z += b
        ACTIVATIONS[name](z)

    def derivative(self, a, g, gb, name):
        DERIVATIVES[name](a, g)
        self.bias_sum(g, gb)

    def bias_sum(self, g, gb):
        # db = column sums as the product ones @ g: one BLAS call, ~3x faster than sum(axis=0)
        np.matmul(constant(1.0, g.shape[:1], g.dtype), g, out=gb)

    def softmax_ce(self, z, b, y, gb):
        """Loss and predicted labels; z becomes dL/dz."""
        z += b
        loss = self._loss.forward(z, y)  # z: the probabilities now
        pred = z.argmax(axis=1)  # as Network.loss_and_grad, before the gradient overwrites them
        self._loss.backward()  # (probs - onehot) / n, in z
        self.bias_sum(z, gb)
        return loss, pred

    def penalty(self, w, gw, c2, c1):
        if c2:
            gw += c2 * w
        if c1:
            gw += c1 * np.sign(w)


class NumbaOps(NumpyOps):
    """The element-wise passes as numba kernels (``layer_kernels.py``): the bias add
    inside the activation, the bias gradient inside the derivative and the softmax."""

    name = "numba"
    fused = {"bias gradients": "inside the activation derivative and softmax kernels"}

    def __init__(self, kernels):
        super().__init__()
        self.k, self.act = kernels.layers, kernels.activations
        self.version = kernels.version
        self._scratch = {}

    def _array(self, n, dtype):
        """A reused array of n elements (the kernels allocate nothing: see activation_kernels.py)."""
        key = (n, dtype)
        array = self._scratch.get(key)
        if array is None:
            array = self._scratch[key] = np.empty(n, dtype)
        return array

    def activate(self, z, b, name):
        self.act.FORWARD[name](z, b, self.k.constants(z.dtype))

    def derivative(self, a, g, gb, name):
        self.act.DERIVATIVE[name](a, g, gb, self.k.constants(g.dtype), self._array(gb.size, np.float64))

    def softmax_ce(self, z, b, y, gb):
        pred = self._array(len(z), np.int64)
        loss = self.k.softmax_cross_entropy(z, b, y, gb, pred, self._array(gb.size, np.float64))
        return loss, pred

    def penalty(self, w, gw, c2, c1):
        dt = w.dtype.type
        self.k.penalty(w, gw, dt(c2), dt(c1))
