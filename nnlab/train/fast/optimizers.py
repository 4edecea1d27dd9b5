"""The fast engine's optimizers: the rules of ``nnlab/train/optimizers.py`` as in-place kernels.

Each works on the Network's *flat* parameter and gradient buffers (one 1-D
array each; every layer's W and b are views into them), so an update is a
handful of vectorised calls over all weights at once, written with ``out=``
into the state arrays and one scratch array: a step allocates nothing.  Each
class writes its rule once, in ``_update``, for one contiguous part of the
buffers: on a big network two threads each update one part (``Optimizer.step``).

What differs from the textbook classes, for speed only (``tests/test_engines.py``
checks both give the same numbers):

* the work sharing with the helper thread, at a cut that adapts;
* a flush of tiny state values, so they never become slow subnormal floats;
* Adam keeps its moments rescaled (two passes fewer per step); ``state()``
  still returns the paper's m and v;
* with numba (``jit.py``: big networks), each rule's ``_fused`` runs it as one kernel
  of ``update_kernels.py`` — the same bits as ``_update``, a fifth of its time alone —
  on this thread, while the helper gathers the next batch (``shared``).
"""
from __future__ import annotations

import contextvars
import math
import time

import numpy as np

from nnlab.core.hyperparams import default
from nnlab.train.fast import jit, threads
from nnlab.train.fast.room import ROOM

# Denormal guard: a state entry whose gradient stays zero (say, the weight of an
# MNIST border pixel) decays geometrically (m *= 0.9 each step) into the
# subnormal floats, where every arithmetic operation takes a slow microcode path.
# Measured: ~3,400 such entries of Adam's m after 3 MNIST epochs slowed each epoch
# by ~10 %.  Every FLUSH_EVERY steps, entries below TINY are set to exactly 0.
# A value of 1e-30 moves a weight by < lr * 1e-30 / eps = 1e-25 lr: nothing; and
# it takes >= 180 steps (0.9 ** 180 ~ 1e-8) to go from TINY to a subnormal float32.
FLUSH_EVERY = 100
TINY = 1e-30
# Share numba's one-pass update with the helper thread too?  Measured on the MNIST task
# (2 cores): no — 1.29x the GEMM floor against 1.20x with the helper only gathering the
# next batch meanwhile; the ~40 us hand-off costs more than half of a ~100 us update saves.
SHARE_FUSED_UPDATE = False


class Optimizer:
    """Base class: owns the state arrays (``slots``), the step counter and the
    work sharing; a subclass writes its rule in ``_update``."""

    slots: tuple = ()  # names of the state arrays, each shaped like the parameters

    def __init__(self, lr):
        self.lr = float(lr)
        self.t = 0  # steps taken
        self._slots = None
        self._tmp = None
        self._threads = 1  # threads sharing the update, decided at the first step
        self._share = 0.5  # this thread's share of a shared update; adapts (see _rebalance)
        self._kernels = None  # update_kernels when numba runs the update (jit.py), decided at the first step
        self._flush = False  # this step flushes tiny state values

    def _start(self, params):
        """Decided once, at the first step (or when state is loaded), not every step."""
        kernels = jit.kernels(params.size)
        self._kernels = None if kernels is None else kernels.update
        self._tmp = np.empty_like(params) if kernels is None else None  # NumPy's scratch, one element per parameter
        self._threads = threads.optimizer_threads(params.size)

    def step(self, params, grads):
        if self._slots is None:
            self._slots = {name: np.zeros_like(params) for name in self.slots}
            self._start(params)
        self.t += 1
        self._prepare()
        slots = list(self._slots.values())
        self._flush = self.t % FLUSH_EVERY == 0
        if self._flush and self._kernels is None:  # (the kernels flush inside their one pass)
            for s in slots:
                np.copyto(s, 0, where=np.abs(s) < TINY)
        n = params.size
        if self._threads == 1 or not ROOM.alone() or (self._kernels is not None and not SHARE_FUSED_UPDATE):
            self._update_range(params, grads, slots, 0, n)
            return
        # Work sharing: every element's update is independent of the others, so on
        # a big network the helper thread updates the upper part of the buffers
        # while this one does the lower part (NumPy releases the GIL inside each
        # call).  The result is the same, bit for bit, as one thread doing it all,
        # wherever the cut is.  Each thread makes one call per pass over its whole
        # part: cut into 256 KiB blocks (to stay in L2), the MNIST epoch was slower
        # (0.65 vs 0.62 s) — the extra calls cost more than the cache saved.
        started = time.perf_counter()
        cut = int(n * self._share)
        # copy_context: the helper works under the caller's np.errstate
        helper = threads.helper().submit(contextvars.copy_context().run,
                                         self._update_range, params, grads, slots, cut, n)
        self._update_range(params, grads, slots, 0, cut)
        mine_done = time.perf_counter()
        self._rebalance(helper.result() - mine_done, mine_done - started)

    def _rebalance(self, late, mine):
        """Move the cut so that both threads finish together.  The helper starts
        late (waking a thread took ~40 us on a 2-core VM) and may first run a job
        of its own (the trainer's next batch): a fixed half left this thread
        waiting.  `late`: how much later the helper finished; `mine`: this
        thread's time for its share."""
        whole = mine / self._share  # this thread's time for the whole update
        self._share = min(0.9, max(0.1, self._share + 0.25 * late / whole))

    def _update_range(self, params, grads, slots, start, stop):
        """Apply the rule to elements [start, stop); returns when it finished."""
        part = slice(start, stop)
        if self._kernels is not None:
            self._fused(self._kernels, params[part], grads[part], self._flush, params.dtype.type,
                        *(s[part] for s in slots))
        else:
            self._update(params[part], grads[part], self._tmp[part], *(s[part] for s in slots))
        return time.perf_counter()

    @property
    def shared(self) -> bool:
        """Whether the helper thread works during the update: it takes a part of it
        (NumPy) or, with numba, only gathers the next batch meanwhile."""
        return self._threads > 1 and ROOM.alone()

    def _prepare(self):
        """Per-step scalars (e.g. Adam's bias correction), computed once per step."""

    def _update(self, p, g, tmp, *state):
        raise NotImplementedError

    def _fused(self, kernels, p, g, flush, dt, *state):
        """The rule as one numba kernel of `kernels` (update_kernels), scalars in dtype `dt`."""
        raise NotImplementedError

    def state(self) -> dict:
        """The state arrays by the paper's names (copies), e.g. {"v": velocity}."""
        return {k: v.copy() for k, v in (self._slots or {}).items()}

    def load_state(self, t: int, state: dict):
        """Go on from `t` steps and the paper's state arrays (as `state()` returns them)."""
        self.t = int(t)
        if not state:
            return
        self._slots = {name: self._stored(name, np.array(state[name])) for name in self.slots}
        self._start(self._slots[self.slots[0]])

    def _stored(self, name, value):
        """A state array as this class keeps it (the paper's, but for Adam's rescaled moments)."""
        return value


class SGD(Optimizer):
    """Plain gradient descent: ``p -= lr * g``.

    With ``batch_size`` = the whole training set this is the first tutorial's
    full-batch gradient descent (optimizer name "gd")."""

    def __init__(self, lr=default("lr", "sgd")):  # the default from the settings table
        super().__init__(lr)

    def _update(self, p, g, tmp):
        np.multiply(g, self.lr, out=tmp)
        p -= tmp

    def _fused(self, kernels, p, g, flush, dt):
        kernels.sgd(p, g, dt(self.lr))


class Momentum(Optimizer):
    """Classical momentum: ``v = mu v - lr g;  p += v``."""

    slots = ("v",)

    def __init__(self, lr=default("lr", "momentum"), momentum=default("momentum")):
        super().__init__(lr)
        self.momentum = float(momentum)

    def _update(self, p, g, tmp, v):
        v *= self.momentum
        np.multiply(g, self.lr, out=tmp)
        v -= tmp
        p += v

    def _fused(self, kernels, p, g, flush, dt, v):
        kernels.momentum(p, g, v, dt(self.momentum), dt(self.lr), flush, dt(TINY))


class Nesterov(Momentum):
    """Nesterov momentum in the form scikit-learn uses:
    ``v = mu v - lr g;  p += mu v - lr g`` (the look-ahead folded into the update)."""

    def _update(self, p, g, tmp, v):
        v *= self.momentum
        np.multiply(g, self.lr, out=tmp)
        v -= tmp
        p -= tmp                                   # p += -lr g ...
        np.multiply(v, self.momentum, out=tmp)
        p += tmp                                   # ... + mu v

    def _fused(self, kernels, p, g, flush, dt, v):
        kernels.nesterov(p, g, v, dt(self.momentum), dt(self.lr), flush, dt(TINY))


class RMSprop(Optimizer):
    """``s = rho s + (1 - rho) g^2;  p -= lr g / (sqrt(s) + eps)``."""

    slots = ("s",)

    def __init__(self, lr=default("lr", "rmsprop"), rho=default("rho"), eps=default("eps")):
        super().__init__(lr)
        self.rho, self.eps = float(rho), float(eps)

    def _update(self, p, g, tmp, s):
        s *= self.rho
        np.square(g, out=tmp)
        tmp *= 1.0 - self.rho
        s += tmp                            # s = rho s + (1 - rho) g^2
        np.sqrt(s, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        tmp *= self.lr
        p -= tmp                            # p -= lr g / (sqrt(s) + eps)

    def _fused(self, kernels, p, g, flush, dt, s):
        kernels.rmsprop(p, g, s, dt(self.rho), dt(1.0 - self.rho), dt(self.lr), dt(self.eps), flush, dt(TINY))


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, Algorithm 1), the same numbers as ``optimizers.Adam``.

    Buffer trick: the state is kept as ``M = m / (1 - b1)`` and ``V = v / (1 - b2)``,
    so the averages are ``M = b1 M + g`` and ``V = b2 V + g^2`` (two passes fewer
    per step); the constants and the bias corrections go into two per-step
    scalars, the step size and eps (see ``_prepare``).
    """

    slots = ("m", "v")  # stored as M and V above

    def __init__(self, lr=default("lr", "adam"), beta1=default("beta1"), beta2=default("beta2"), eps=default("eps")):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

    def _prepare(self):
        b1, b2, t = self.beta1, self.beta2, self.t
        # The paper's step is  lr * m_hat / (sqrt(v_hat) + eps)  with
        # m_hat = (1 - b1) M / (1 - b1^t)  and  sqrt(v_hat) = sqrt(V) / r,
        # r = sqrt((1 - b2^t) / (1 - b2));  multiplied through by r:
        #   = [lr (1 - b1) / (1 - b1^t) r] * M / (sqrt(V) + eps r)
        # Python floats, not np.float64: NumPy 2 would compute `float32 array *=
        # np.float64` through a float64 cast, ~6x slower.
        r = math.sqrt((1.0 - b2 ** t) / (1.0 - b2))
        self._eps = self.eps * r
        self._step_size = self.lr * (1.0 - b1) / (1.0 - b1 ** t) * r

    def state(self) -> dict:
        """The paper's m and v (copies), from the rescaled M and V kept here."""
        if self._slots is None:
            return {}
        return {"m": (1.0 - self.beta1) * self._slots["m"], "v": (1.0 - self.beta2) * self._slots["v"]}

    def _stored(self, name, value):
        return value / (1.0 - (self.beta1 if name == "m" else self.beta2))  # M = m / (1 - b1), V = v / (1 - b2)

    def _update(self, p, g, tmp, m, v):
        # Every line writes into m, v or the scratch: a step allocates nothing.
        m *= self.beta1
        m += g                              # M = b1 M + g
        v *= self.beta2
        np.square(g, out=tmp)
        v += tmp                            # V = b2 V + g^2
        np.sqrt(v, out=tmp)
        tmp += self._eps
        np.divide(m, tmp, out=tmp)
        tmp *= self._step_size
        p -= tmp                            # p -= step' * M / (sqrt(V) + eps')

    def _fused(self, kernels, p, g, flush, dt, m, v):
        kernels.adam(p, g, m, v, dt(self.beta1), dt(self.beta2), dt(self._step_size), dt(self._eps), flush, dt(TINY))


OPTIMIZERS = {
    "gd": SGD,
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "rmsprop": RMSprop,
    "adam": Adam,
}
