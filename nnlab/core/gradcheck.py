"""Gradient check: central differences in float64 against ``backward``.

The numerical derivative uses the fourth-order central stencil
(8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / 12h, accurate to ~1e-10 here.

For every parameter array the maximum relative error
``|analytic - numeric| / max(|analytic| + |numeric|, floor)`` is reported; a
correct backward pass gives about 1e-8 or less in float64.  The floor is the
numerical derivative's own rounding noise (about ``eps_machine * |L| / h``, 5e-12
for a loss near 2.3) divided by THRESHOLD: a gradient entry far smaller than that
noise (the first layers of a deep sigmoid network have entries of 1e-8) cannot be
compared relatively — its difference would be all noise — so it is compared
against the floor instead, and passes when backprop and the numbers differ by
less than the noise.  Entries whose nudges cross a ReLU kink are left out
(check_details).

    per_layer(net, X, y)            # one row per layer and parameter (W, b): error, pass/fail
    check_architecture(config, X, y, broken=True)   # a fresh copy, backward broken on purpose

Large arrays are checked on a random sample of their entries (``max_checks``),
which bounds the time; each row says how many entries were compared.
"""
from __future__ import annotations

import numpy as np

from nnlab.core.config import NetworkConfig
from nnlab.core.layers import Activation, Dropout
from nnlab.core.network import Network

THRESHOLD = 1e-6  # a relative error below this passes: backward agrees with the numbers
MAX_CHECKS = 30   # entries compared per parameter array by default (a random sample of larger ones)
NOISE_ULPS = 10   # the numerical derivative's rounding noise, taken as NOISE_ULPS * eps * |L| / h (measured: ~1x)
KINKED = ("relu", "leaky_relu")  # activations with a kink at 0, where the loss has no derivative


def gradient_check(net: Network, X, y, l2=0.0, l1=0.0, eps=1e-4, n_total=None, max_checks=None, seed=0):
    """Compare analytic and numerical gradients of the full training loss
    (data loss + regularisation) for every parameter of `net` (float64 net).

    max_checks: check at most this many randomly chosen entries per array.
    Returns {"dense0.W": max relative error, ...} (see check_details)."""
    details = check_details(net, X, y, l2=l2, l1=l1, eps=eps, n_total=n_total, max_checks=max_checks, seed=seed)
    return {name: d["error"] for name, d in details.items()}


def check_details(net: Network, X, y, l2=0.0, l1=0.0, eps=1e-4, n_total=None, max_checks=None, seed=0) -> dict:
    """gradient_check with what it compared: {"dense0.W": {"error": max relative error
    (0.0 when nothing was compared), "compared": entries, "at_kinks": entries skipped}}.

    An entry whose ±h, ±2h nudges switch a ReLU or leaky-ReLU unit on or off
    somewhere in the network (a kink crossed) is skipped: the loss is not smooth
    there, and its central difference means nothing (on a 6-layer ReLU network
    with 8 digits, up to a third of a layer's entries cross one)."""
    if net.dtype != np.float64:
        raise ValueError("gradient checks need a float64 network (dtype='float64')")
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    n_total = n_total or len(X)
    dropouts = [l for l in net.layers if isinstance(l, Dropout)]
    for d in dropouts:  # the same dropout mask for every evaluation
        d.frozen, d.mask = True, None
    kinked = [l for l in net.layers if isinstance(l, Activation) and l.name in KINKED]

    def total_loss():
        out = net.forward(X, training=True)
        return net.loss.forward(out, y) + net.regularization_loss(n_total, l2, l1)

    def same_units_on(base):
        return all(np.array_equal(layer.a > 0, on) for layer, on in zip(kinked, base))

    net.flat_grads[...] = 0
    net.loss_and_grad(X, y, n_total=n_total, l2=l2, l1=l1, training=True)
    analytic = {k: v.copy() for k, v in _named_grads(net).items()}
    floor = max(1e-12, noise_floor(total_loss(), eps) / THRESHOLD)
    base = [layer.a > 0 for layer in kinked]  # which units are on at the point checked
    rng = np.random.default_rng(seed)
    out = {}
    try:
        for name, param in net.named_params().items():
            flat = param.reshape(-1)
            idx = np.arange(flat.size)
            if max_checks and flat.size > max_checks:
                idx = rng.choice(flat.size, max_checks, replace=False)
            numeric = np.empty(len(idx))
            smooth = np.ones(len(idx), dtype=bool)
            for j, i in enumerate(idx):
                old = flat[i]
                f = {}
                for k in (-2, -1, 1, 2):
                    flat[i] = old + k * eps
                    f[k] = total_loss()
                    smooth[j] &= same_units_on(base)
                flat[i] = old
                # fourth-order central difference: truncation error O(eps^4),
                # so rounding, not the formula, limits the accuracy
                numeric[j] = (8 * (f[1] - f[-1]) - (f[2] - f[-2])) / (12 * eps)
            a = analytic[name].reshape(-1)[idx][smooth]
            n = numeric[smooth]
            rel = np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), floor)
            out[name] = {"error": float(rel.max()) if rel.size else 0.0, "compared": int(smooth.sum()),
                         "at_kinks": int((~smooth).sum())}
    finally:
        for d in dropouts:
            d.frozen = False
    return out


def noise_floor(loss: float, eps: float = 1e-4) -> float:
    """The rounding noise of the numerical derivative: loss values are exact to a few
    units of float64's last place, and the stencil divides their differences by h."""
    return NOISE_ULPS * np.finfo(np.float64).eps * max(abs(loss), 1.0) / eps


def _named_grads(net):
    out = {}
    for i, layer in enumerate(net.dense_layers):
        for key, value in layer.grads.items():
            out[f"dense{i}.{key}"] = value
    return out


def per_layer(net: Network, X, y, l2=0.0, l1=0.0, max_checks=MAX_CHECKS, seed=0) -> list:
    """The check as a table: one row per layer and parameter, in the network's order,
    {"layer": "hidden 1" (or "output"), "param": "W" or "b", "name": "dense0.W",
     "entries": its size, "checked": entries sampled (all when fewer than max_checks),
     "at_kinks": of those, skipped because a nudge crossed a ReLU kink,
     "max_rel_error": float, "ok": something was compared and max_rel_error < THRESHOLD}."""
    details = check_details(net, X, y, l2=l2, l1=l1, max_checks=max_checks, seed=seed)
    n = len(net.dense_layers)
    rows = []
    for i, layer in enumerate(net.dense_layers):
        for key, value in layer.params.items():
            d = details[f"dense{i}.{key}"]
            rows.append({"layer": "output" if i == n - 1 else f"hidden {i + 1}", "param": key,
                         "name": f"dense{i}.{key}", "entries": int(value.size),
                         "checked": int(min(value.size, max_checks or value.size)), "at_kinks": d["at_kinks"],
                         "max_rel_error": d["error"], "ok": bool(d["compared"] and d["error"] < THRESHOLD)})
    return rows


def bounded_checks(n_params: int, n_arrays: int, budget: float = 5e8, low: int = 3, high: int = MAX_CHECKS) -> int:
    """Entries to compare per array so that a check stays within about a second: each
    entry costs 4 forward passes, each reading every parameter once (`budget` reads in all)."""
    return int(min(high, max(low, budget // (4 * max(n_arrays, 1) * max(n_params, 1)))))


def random_float64_network(config: NetworkConfig, seed=0, rng=None) -> Network:
    """A fresh float64 network of `config`'s architecture, its biases drawn from `rng`
    (default: seeded seed + 1) away from 0 so that ReLU kinks are unlikely to sit within eps."""
    net = Network(NetworkConfig(**{**config.to_dict(), "dtype": "float64"}), seed=seed)
    rng = np.random.default_rng(seed + 1) if rng is None else rng
    for layer in net.dense_layers:
        layer.params["b"][...] = rng.normal(0, 0.5, size=layer.params["b"].shape)
    return net


def break_backward(net: Network) -> str:
    """Break `net`'s backward pass on purpose, as a slip in a derivation would, and say how:
    the first hidden layer with a non-linear activation forgets its derivative (f'(z)
    taken as 1); a network without one gets its first layer's bias gradient doubled.
    Only for demonstrations: use it on a throw-away copy (check_architecture makes one)."""
    acts = [layer for layer in net.layers if isinstance(layer, Activation)][: len(net.config.hidden)]
    for i, layer in enumerate(acts):
        if layer.name != "linear":
            layer._df = lambda a, delta: delta  # the bug: delta * f'(z) written as delta
            return f"hidden layer {i + 1} forgets the derivative of {layer.name}: backward uses f′(z) = 1"
    dense = net.dense_layers[0]
    backward = dense.backward

    def doubled(grad_out):
        out = backward(grad_out)
        dense.grads["b"] *= 2  # the bug: a gradient counted twice
        return out
    dense.backward = doubled
    return "the first layer's bias gradient is doubled"


def check_architecture(config: NetworkConfig, X, y, l2=0.0, l1=0.0, max_checks=None, seed=0,
                       broken=False) -> dict:
    """The gradient check of an architecture (depth, activations, loss and output; dropout
    off, float64) with fresh random weights on the examples X, y — never a model's own
    network.  broken: break backward first (break_backward).  max_checks None: bounded_checks.
    Returns {"rows": per_layer rows, "ok": all passed, "broken": what was broken or "",
    "max_checks": entries compared per array at most, "floor": the smallest gradient compared
    relatively (see the module docstring)}."""
    net = random_float64_network(NetworkConfig(**{**config.to_dict(), "dropout": 0.0}), seed)
    what = break_backward(net) if broken else ""
    if max_checks is None:
        max_checks = bounded_checks(net.n_params, 2 * len(net.dense_layers))
    rows = per_layer(net, X, y, l2=l2, l1=l1, max_checks=max_checks, seed=seed)
    loss = net.loss.forward(net.forward(X), np.asarray(y, dtype=np.int64))
    return {"rows": rows, "ok": all(r["ok"] for r in rows), "broken": what, "max_checks": max_checks,
            "floor": noise_floor(loss) / THRESHOLD}


def check_random_network(hidden=(5, 4), activations=("tanh",), loss="cross_entropy", output="",
                         n_inputs=6, n_classes=3, n_samples=7, l2=0.0, l1=0.0, dropout=0.0, seed=0,
                         max_checks=None):
    """Gradient check of a tiny random float64 network on random data (max_checks: entries
    compared per array, a random sample of larger ones; None: all).
    Returns {"errors": {name: max relative error}, "max_rel_error": float, "per_layer": rows}."""
    acts = list(activations)
    config = NetworkConfig(n_inputs=n_inputs, n_outputs=n_classes, hidden=list(hidden),
                           activations=acts, loss=loss, output=output, dropout=dropout, dtype="float64")
    rng = np.random.default_rng(seed + 1)
    net = random_float64_network(config, seed, rng)
    X = rng.normal(size=(n_samples, n_inputs))
    y = rng.integers(0, n_classes, size=n_samples)
    rows = per_layer(net, X, y, l2=l2, l1=l1, max_checks=max_checks)
    errors = {r["name"]: r["max_rel_error"] for r in rows}
    return {"errors": errors, "max_rel_error": max(errors.values()), "per_layer": rows}
