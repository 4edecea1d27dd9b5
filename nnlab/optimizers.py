"""Optimizers: one small class each, updating parameters in place.

Every optimizer works on the Network's *flat* parameter and gradient buffers
(one 1-D array each, every layer's W and b are views into them), so each
update below is a handful of vectorised calls over all weights at once.
State arrays (velocity, squared averages, moments) are aligned with that
buffer element by element.

``step(params, grads)`` applies one update; ``lr`` may be changed between
steps (learning-rate schedules do so).
"""
from __future__ import annotations

import numpy as np


class SGD:
    """Plain gradient descent: ``p -= lr * g``.

    With ``batch_size`` = the whole training set this is the first tutorial's
    full-batch gradient descent (optimizer name "gd")."""

    def __init__(self, lr=0.01):
        self.lr = float(lr)

    def step(self, params, grads):
        params -= self.lr * grads

    def state(self) -> dict:
        return {}


class Momentum:
    """Classical momentum: ``v = mu v - lr g;  p += v``."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum = float(lr), float(momentum)
        self.v = None

    def step(self, params, grads):
        if self.v is None:
            self.v = np.zeros_like(params)
        self.v *= self.momentum
        self.v -= self.lr * grads
        params += self.v

    def state(self):
        return {"v": self.v}


class Nesterov(Momentum):
    """Nesterov momentum in the form scikit-learn uses:
    ``v = mu v - lr g;  p += mu v - lr g`` (the look-ahead folded into the update)."""

    def step(self, params, grads):
        if self.v is None:
            self.v = np.zeros_like(params)
        self.v *= self.momentum
        self.v -= self.lr * grads
        params += self.momentum * self.v - self.lr * grads


class RMSprop:
    """``s = rho s + (1 - rho) g^2;  p -= lr g / (sqrt(s) + eps)``."""

    def __init__(self, lr=0.001, rho=0.9, eps=1e-8):
        self.lr, self.rho, self.eps = float(lr), float(rho), float(eps)
        self.s = None

    def step(self, params, grads):
        if self.s is None:
            self.s = np.zeros_like(params)
        self.s *= self.rho
        self.s += (1.0 - self.rho) * grads * grads
        params -= self.lr * grads / (np.sqrt(self.s) + self.eps)

    def state(self):
        return {"s": self.s}


class Adam:
    """Adam (Kingma & Ba) with bias correction folded into the step size:

        m = b1 m + (1 - b1) g            v = b2 v + (1 - b2) g^2
        p -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = float(lr), float(beta1), float(beta2), float(eps)
        self.m = self.v = self._tmp = None
        self.t = 0

    def step(self, params, grads):
        if self.m is None:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
            self._tmp = np.empty_like(params)
        self.t += 1
        b1, b2, tmp = self.beta1, self.beta2, self._tmp
        # Buffer trick: every line writes into m, v or one scratch array, so a
        # step allocates nothing.
        self.m *= b1
        np.multiply(grads, 1.0 - b1, out=tmp)
        self.m += tmp                       # m = b1 m + (1 - b1) g
        self.v *= b2
        np.multiply(grads, grads, out=tmp)
        tmp *= 1.0 - b2
        self.v += tmp                       # v = b2 v + (1 - b2) g^2
        step = self.lr * np.sqrt(1.0 - b2 ** self.t) / (1.0 - b1 ** self.t)
        np.sqrt(self.v, out=tmp)
        tmp += self.eps
        np.divide(self.m, tmp, out=tmp)
        tmp *= step
        params -= tmp                       # p -= step * m / (sqrt(v) + eps)

    def state(self):
        return {"m": self.m, "v": self.v}


OPTIMIZERS = {
    "gd": SGD,
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "rmsprop": RMSprop,
    "adam": Adam,
}

# Which hyper-parameters each optimizer takes (beyond lr) — the CLI and the
# dashboard show exactly these controls.
HYPERPARAMETERS = {
    "gd": [],
    "sgd": [],
    "momentum": ["momentum"],
    "nesterov": ["momentum"],
    "rmsprop": ["rho", "eps"],
    "adam": ["beta1", "beta2", "eps"],
}

DESCRIPTIONS = {
    "gd": "Full-batch gradient descent: one step per epoch on the whole training set.",
    "sgd": "Mini-batch stochastic gradient descent: p -= lr * g.",
    "momentum": "SGD with momentum: a velocity that accumulates past gradients.",
    "nesterov": "Nesterov momentum: momentum that looks one step ahead.",
    "rmsprop": "RMSprop: divides each step by a running RMS of the gradient.",
    "adam": "Adam: momentum + RMSprop with bias correction; a robust default.",
}

DEFAULT_LR = {"gd": 0.5, "sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "rmsprop": 0.001, "adam": 0.001}


def check_optimizer(name: str) -> str:
    key = str(name).strip().lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of: {', '.join(OPTIMIZERS)}")
    return key


def make_optimizer(name: str, lr: float, **hyper):
    """Build optimizer `name`, passing only the hyper-parameters it takes."""
    key = check_optimizer(name)
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"learning rate must be a positive number, got {lr}")
    kwargs = {k: float(hyper[k]) for k in HYPERPARAMETERS[key] if hyper.get(k) is not None}
    for k in ("momentum", "beta1", "beta2", "rho"):
        if k in kwargs and not 0.0 <= kwargs[k] < 1.0:
            raise ValueError(f"{k} must be in [0, 1), got {kwargs[k]}")
    if "eps" in kwargs and not kwargs["eps"] > 0:
        raise ValueError(f"eps must be positive, got {kwargs['eps']}")
    return OPTIMIZERS[key](lr=lr, **kwargs)
