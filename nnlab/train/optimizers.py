"""Optimizers: one small class each, the rule in the paper's own variables.

This is the textbook path (as scikit-learn's ``_stochastic_optimizers.py``):
``step(params, grads)`` applies one update to the Network's flat parameter
buffer in place (every layer's W and b are views into it); the state arrays
(velocity v, squared average s, Adam's moments m and v) are shaped like it.
``lr`` may be changed between steps (learning-rate schedules do so).

The fast engine (``nnlab/train/fast/optimizers.py``) computes the same numbers with
in-place kernels, a helper thread and rescaled state; ``engines.make_optimizer(...,
engine=...)`` picks one, and ``tests/test_engines.py`` proves they agree.
"""
from __future__ import annotations

import math

import numpy as np

from nnlab.core import hyperparams
from nnlab.core.hyperparams import default


class Optimizer:
    """Base class: the learning rate, the step counter t and the state arrays."""

    def __init__(self, lr):
        self.lr = float(lr)
        self.t = 0  # steps taken

    def step(self, params, grads):
        raise NotImplementedError

    def state(self) -> dict:
        """The state arrays by the paper's names, e.g. {"m": ..., "v": ...}."""
        return {}

    def load_state(self, t: int, state: dict):
        """Go on from `t` steps and the state arrays `state()` returned (a saved lab's checkpoint)."""
        self.t = int(t)
        for name, value in state.items():
            setattr(self, name, np.array(value))


class SGD(Optimizer):
    """Gradient descent:  p <- p - lr g.

    With ``batch_size`` = the whole training set this is the first tutorial's
    full-batch gradient descent (optimizer name "gd")."""

    def __init__(self, lr=default("lr", "sgd")):  # the default from the settings table
        super().__init__(lr)

    def step(self, params, grads):
        self.t += 1
        params -= self.lr * grads


class Momentum(Optimizer):
    """Classical momentum:  v <- mu v - lr g;  p <- p + v."""

    def __init__(self, lr=default("lr", "momentum"), momentum=default("momentum")):
        super().__init__(lr)
        self.momentum = float(momentum)
        self.v = None

    def step(self, params, grads):
        if self.v is None:
            self.v = np.zeros_like(params)
        self.t += 1
        self.v = self.momentum * self.v - self.lr * grads
        params += self.v

    def state(self):
        return {} if self.v is None else {"v": self.v}


class Nesterov(Momentum):
    """Nesterov momentum in the form scikit-learn uses (the look-ahead folded in):
    v <- mu v - lr g;  p <- p + mu v - lr g."""

    def step(self, params, grads):
        if self.v is None:
            self.v = np.zeros_like(params)
        self.t += 1
        self.v = self.momentum * self.v - self.lr * grads
        params += self.momentum * self.v - self.lr * grads


class RMSprop(Optimizer):
    """RMSprop (Tieleman & Hinton 2012):  s <- rho s + (1 - rho) g^2;
    p <- p - lr g / (sqrt(s) + eps)."""

    def __init__(self, lr=default("lr", "rmsprop"), rho=default("rho"), eps=default("eps")):
        super().__init__(lr)
        self.rho, self.eps = float(rho), float(eps)
        self.s = None

    def step(self, params, grads):
        if self.s is None:
            self.s = np.zeros_like(params)
        self.t += 1
        self.s = self.rho * self.s + (1 - self.rho) * grads ** 2
        params -= self.lr * grads / (np.sqrt(self.s) + self.eps)

    def state(self):
        return {} if self.s is None else {"s": self.s}


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, Algorithm 1):

        m <- b1 m + (1 - b1) g           v <- b2 v + (1 - b2) g^2
        m_hat = m / (1 - b1^t)           v_hat = v / (1 - b2^t)
        p <- p - lr m_hat / (sqrt(v_hat) + eps)
    """

    def __init__(self, lr=default("lr", "adam"), beta1=default("beta1"), beta2=default("beta2"), eps=default("eps")):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m = self.v = None

    def step(self, params, grads):
        if self.m is None:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * grads
        self.v = self.beta2 * self.v + (1 - self.beta2) * grads ** 2
        m_hat = self.m / (1 - self.beta1 ** self.t)
        v_hat = self.v / (1 - self.beta2 ** self.t)
        params -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def state(self):
        return {} if self.m is None else {"m": self.m, "v": self.v}


OPTIMIZERS = {
    "gd": SGD,
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "rmsprop": RMSprop,
    "adam": Adam,
}

# Which hyper-parameters each optimizer takes (beyond lr), its usual learning rate,
# the range it usually trains well in and its name on screen: all read from the
# settings table (hyperparams.SETTINGS), kept here under their old names.
HYPERPARAMETERS = {name: hyperparams.taken_by(name) for name in OPTIMIZERS}
DEFAULT_LR = dict(hyperparams.get("lr").by_optimizer)
USUAL_LR = dict(hyperparams.get("lr").usual)
NAMES = {name: hyperparams.get("optimizer").label_of(name) for name in OPTIMIZERS}

DESCRIPTIONS = {
    "gd": "Full-batch gradient descent: one step per epoch on the whole training set.",
    "sgd": "Mini-batch stochastic gradient descent: p -= lr * g.",
    "momentum": "SGD with momentum: a velocity that accumulates past gradients.",
    "nesterov": "Nesterov momentum: momentum that looks one step ahead.",
    "rmsprop": "RMSprop: divides each step by a running RMS of the gradient.",
    "adam": "Adam: momentum + RMSprop with bias correction; a robust default.",
}


def suggest_lr(name: str, lr: float) -> float:
    """A learning rate to try after `lr` made `name` diverge or overshoot: the
    optimizer's default when `lr` is above its usual range (10x smaller from 10
    would still explode), else 10x smaller, but not below the usual range."""
    name = check_optimizer(name)
    low, high = USUAL_LR[name]
    if lr > high:
        return DEFAULT_LR[name]
    return max(_round_125(lr / 10), low)


def _round_125(x: float) -> float:
    """x rounded down to 1, 2 or 5 times a power of ten (the values the controls offer)."""
    e = math.floor(math.log10(x))
    m = x / 10 ** e
    return float(f"{(5 if m >= 5 else 2 if m >= 2 else 1) * 10.0 ** e:.12g}")


def check_optimizer(name: str) -> str:
    key = str(name).strip().lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}")
    return key
