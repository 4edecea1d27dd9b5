"""Losses. Each one turns the network's raw output into a loss value and the
gradient of the loss with respect to that raw output.

    loss.forward(out, y) -> float   (y: integer class labels, shape (n,))
    loss.backward()      -> dL/d(out), shape (n, n_classes)
    loss.probabilities(out) -> class scores in [0, 1] for prediction

Both losses are *means over the batch*, so gradients are divided by n.
"""
from __future__ import annotations

import numpy as np


class SoftmaxCrossEntropy:
    """Softmax output + cross-entropy, fused.

    For this pairing (and only this one) the gradient with respect to the
    logits simplifies to ``(probs - onehot) / n`` — no softmax Jacobian needed.
    """

    name = "cross_entropy"
    output_activation = None  # the softmax lives here, applied to the logits

    def forward(self, out, y):
        # Works in place on `out` (the last Dense buffer, no longer needed).
        n = out.shape[0]
        rows = np.arange(n)
        # Shift each row by its maximum so exp never overflows.  The maximum is
        # read at the argmax: on (n, 10) logits that is ~3x faster than max(axis=1).
        out -= out[rows, out.argmax(axis=1)][:, None]
        picked = out[rows, y]
        np.exp(out, out=out)
        sums = out.sum(axis=1)
        out /= sums[:, None]
        self.probs, self.y = out, y
        # -log softmax(z)_y = log(sum exp(z)) - z_y, computed without log(0)
        return float(np.log(sums).sum() - picked.sum()) / n

    def backward(self):
        n = self.probs.shape[0]
        grad = self.probs  # reuse the buffer: probabilities were read already
        grad[np.arange(n), self.y] -= 1.0
        grad *= 1.0 / n
        return grad

    @staticmethod
    def probabilities(out):
        out = out - out.max(axis=1, keepdims=True)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out


class MeanSquaredError:
    """``L = 1/(2n) * sum ||a - onehot(y)||^2`` on the output activation ``a``
    (sigmoid or linear), as in the tutorials that train digits with MSE."""

    name = "mse"
    output_activation = "sigmoid"  # default; "linear" is also allowed

    def forward(self, out, y):
        n, k = out.shape
        diff = out.copy()
        diff[np.arange(n), y] -= 1.0
        self.diff = diff
        return float(0.5 * np.einsum("ij,ij->", diff, diff) / n)

    def backward(self):
        self.diff *= 1.0 / self.diff.shape[0]
        return self.diff

    @staticmethod
    def probabilities(out):
        # Scores of a sigmoid/linear output are not a distribution; clip and
        # normalise so they can be shown as probabilities.
        p = np.clip(out, 0.0, None)
        s = p.sum(axis=1, keepdims=True)
        np.divide(p, s, out=p, where=s > 0)
        p[s[:, 0] == 0] = 1.0 / out.shape[1]
        return p


LOSSES = {
    "cross_entropy": SoftmaxCrossEntropy,
    "mse": MeanSquaredError,
}

DESCRIPTIONS = {
    "cross_entropy": "Softmax output + cross-entropy: the standard for classification.",
    "mse": "Mean squared error on a sigmoid (or linear) output, as in early tutorials.",
}

# Output activations allowed with each loss (the first is the default).
OUTPUTS = {
    "cross_entropy": ["softmax"],
    "mse": ["sigmoid", "linear"],
}


def check_loss(name: str) -> str:
    key = str(name).strip().lower().replace("-", "_")
    key = {"crossentropy": "cross_entropy", "ce": "cross_entropy", "log_loss": "cross_entropy"}.get(key, key)
    if key not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of: {', '.join(LOSSES)}")
    return key
