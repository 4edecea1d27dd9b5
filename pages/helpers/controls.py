"""The training controls' values: one widget per setting of nnlab.core.hyperparams.SETTINGS,
their values as one plain dict, and that dict turned into the library's configs.  The
widgets themselves (label, help, choices and their labels, range, the values offered)
are drawn by pages/helpers/controls_ui.py.

Widget keys are "ctl_<setting>"; two settings are drawn in parts: `hidden` as
"ctl_layers" + "ctl_width_<i>", `activations` as "ctl_same_activation" +
"ctl_activation" (+ "ctl_activation_<i>").  `read_controls()` reads them back
from st.session_state, so button callbacks see exactly what the widgets show.

Which controls are drawn: all of them, or only those a shared link lists
(`st.session_state.show_only`, set by pages/helpers/share.py; see `drawn`).  The others
keep and apply their values, undrawn.

A page with a set of controls of its own (the Playground: "pg_") passes its
`prefix` to the functions that draw, initialise and read them.
"""
from __future__ import annotations

import re

import streamlit as st

from nnlab.core import hyperparams, losses
from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.experiments import presets

K = "ctl_"
MAX_LAYERS = 6
EXTRA_WIDTH = 32  # a hidden layer added with the slider starts with this many units
DEFAULT_PRESET = "digits-quick"  # the first values: a first click on Train takes a second or two

# The settings drawn here, in the table's order (the dataset box is the shared sidebar's, pages/helpers/common.py).
SETTINGS = [s for s in hyperparams.SETTINGS if s.widget and s.section != "data"]
SIMPLE = [s for s in SETTINGS if s.widget not in ("layers", "activations")]  # one widget each
PARTS = {"layers": "hidden", "width": "hidden", "same_activation": "activations", "activation": "activations"}
NOT_SETTINGS = {"preset"}  # the preset box only copies settings into the other controls
WIDTHS = list(hyperparams.get("hidden").values)

HELP = {**{s.name: s.help for s in hyperparams.SETTINGS},
        "preset": "Settings that are known to work. Apply copies them into the controls below.",
        "same_activation": "Use one activation function in every hidden layer, or pick one per layer."}
# Each setting as the user sees it, in the order of the sidebar.  NEW_MODEL: the
# settings that define the network itself (its shape, its starting weights, its
# data); any other change goes on training the current model.
LABELS = {s.name: s.label for s in hyperparams.SETTINGS if s.widget}
NEW_MODEL = {s.name for s in hyperparams.SETTINGS if s.widget and s.section in ("data", "network")} | {"seed"}


def setting_of(key: str):
    """The setting a widget key belongs to ("ctl_beta2" -> "beta2", "ctl_width_2" ->
    "hidden"), None for one that is not a setting (the preset box)."""
    name = key.removeprefix(K)
    if name in hyperparams.BY_NAME:
        return name
    part = re.sub(r"_\d+$", "", name)  # width_2 -> width
    return None if part in NOT_SETTINGS else PARTS.get(part, part)


def fmt_number(v) -> str:
    return "0 (off)" if v == 0 else f"{v:g}"


def nearest(options, value):
    return min(options, key=lambda o: abs(o - value) if value else abs(o))


def widget_values(settings: dict) -> dict:
    """Widget name -> value for a dict of settings (the table's defaults fill the
    rest): numbers snap to the values a control offers."""
    v = {s.name: hyperparams.default(s.name) for s in SETTINGS}
    v.update(settings)
    v["lr"] = v["lr"] or hyperparams.default("lr", v["optimizer"])
    v["output"] = v["output"] or losses.OUTPUTS[v["loss"]][0]
    v["augment"] = hyperparams.check("augment", v["augment"])
    out = {s.name: v[s.name] for s in SIMPLE}
    for s in SIMPLE:
        numbers = [x for x in s.values if not isinstance(x, str)]
        if numbers and v[s.name] is not None:
            out[s.name] = nearest(numbers, v[s.name])
        elif s.values and v[s.name] is None:  # the batch size "full"
            out[s.name] = next(x for x in s.values if isinstance(x, str))
    hidden = list(v["hidden"])[:MAX_LAYERS]
    acts = per_layer(hyperparams.check("activations", v["activations"]), len(hidden))
    out["layers"] = len(hidden)  # 0: no hidden layer (softmax regression)
    out.update({f"width_{i}": nearest(WIDTHS, w) for i, w in enumerate(hidden)})
    out["same_activation"] = len(set(acts)) <= 1
    out["activation"] = acts[0] if acts else hyperparams.default("activations")[0]
    out.update({f"activation_{i}": a for i, a in enumerate(acts)})
    return out


def per_layer(acts: list, n: int) -> list:
    """One activation for each of `n` hidden layers.  A list of another length (a
    link's `hidden=128-64-32` over the two layers a tab started with, or
    `activations=relu-tanh` for three layers) is stretched or cut: one name
    serves every layer, a longer list gives the last layers its last name."""
    acts = list(acts) or list(hyperparams.default("activations"))
    if len(set(acts)) == 1:
        return acts[:1] * n
    return (acts + acts[-1:] * n)[:n]


def preset_values(name: str, data=None) -> dict:
    """The controls' values for preset `name` (fitted to `data`, see presets.settings)."""
    network, train = presets.settings(name, data)
    return {**widget_values({**network, **train}), "preset": name}


# The first values: the default preset over the table's defaults; a layer the
# slider adds later starts with EXTRA_WIDTH units and the first activation.
DEFAULTS = {**{f"width_{i}": EXTRA_WIDTH for i in range(MAX_LAYERS)},
            **{f"activation_{i}": hyperparams.default("activations")[0] for i in range(MAX_LAYERS)},
            **preset_values(DEFAULT_PRESET)}


def init_controls(prefix: str = K, values: dict | None = None):
    """Initial widget values (once per tab), for the controls not yet in session_state:
    DEFAULTS, or a page's own `values` (every widget's) under its own `prefix`."""
    for name, value in (DEFAULTS if values is None else values).items():
        st.session_state.setdefault(prefix + name, value)


def read_controls(data=None, prefix: str = K) -> dict:
    """The settings the controls show, as one plain dict of checked values (only
    the optimizer settings the chosen optimizer takes), read from session_state."""
    return settings_of(lambda name: st.session_state.get(prefix + name, DEFAULTS.get(name)),
                       st.session_state.get(prefix + "dataset"))


def settings_of(get, dataset=None) -> dict:
    """The settings that widget values (`get(widget name)`) stand for; see read_controls."""
    n = int(get("layers"))
    c = {
        "dataset": dataset,
        "hidden": [int(get(f"width_{i}")) for i in range(n)],
        "activations": [get("activation")] * n if get("same_activation")
        else [get(f"activation_{i}") for i in range(n)],
    }
    for setting in SIMPLE:
        if setting.optimizers and get("optimizer") not in setting.optimizers:
            continue
        c[setting.name] = hyperparams.check(setting.name, get(setting.name))
    if c["output"] not in losses.OUTPUTS[c["loss"]]:
        c["output"] = None  # the loss's usual output
    return c


# The settings a new tab starts with (what a shared link leaves out), as read_controls returns them.
START = settings_of(DEFAULTS.get, hyperparams.default("dataset"))


def drawn(name: str, prefix: str = K) -> bool:
    """Whether setting (or the Playground's data option) `name` has a widget on screen:
    every one, or only those a shared link lists for controls with this `prefix`
    (pages/helpers/share.py: "show_only" for the Train page's, "pg_show_only" for the
    Playground's).  An undrawn one keeps its value."""
    only = st.session_state.get("show_only" if prefix == K else prefix + "show_only")
    return not only or name in only


def build_configs(controls: dict, data):
    """(NetworkConfig, TrainConfig) for `controls` on `data`; ValueError on a bad combination."""
    net = {s.name: controls[s.name] for s in hyperparams.section("network") if s.name in controls}
    train = {s.name: controls[s.name] for s in hyperparams.section("train") if s.name in controls}
    if not data.image_shape:
        train["augment"] = False  # the control is disabled there
    return NetworkConfig(n_inputs=data.n_features, n_outputs=data.n_classes, **net), TrainConfig(**train)


def plain(key: str, value) -> str:
    """A control's value as the sidebar shows it: labels, no Python lists, booleans or 0.0."""
    setting = hyperparams.BY_NAME.get(key)
    if key == "hidden":
        return ", ".join(str(v) for v in value) or "none"
    if key == "activations":
        names = [setting.label_of(a) for a in value]
        return names[0] if len(set(names)) == 1 else ", ".join(names)
    if setting is not None and (setting.choices or value is None):
        return setting.label_of(value)
    if key in ("l2", "l1", "patience"):
        return fmt_number(value)
    if key == "dropout":
        return f"{value:.0%}" if value else "0 (off)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def describe_changes(old: dict, new: dict) -> tuple:
    """(changes that need a new model, changes training can go on with), each a
    list like ["Learning rate: 0.002 → 0.01"], in the sidebar's order.  An
    optimizer setting is listed only when both optimizers have it (switching to
    SGD does not "change" Adam's β1)."""
    new_model, go_on = [], []
    for key, label in LABELS.items():
        if key not in old or key not in new or old[key] == new[key]:
            continue
        if key == "activations" and len(old[key]) != len(new[key]) and len(set(old[key]) | set(new[key])) == 1:
            continue  # one more layer with the same activation: "Units" already says it
        text = f"{label}: {plain(key, old[key])} → {plain(key, new[key])}"
        (new_model if key in NEW_MODEL else go_on).append(text)
    return new_model, go_on


# ----------------------------------------------------------------- callbacks
def apply_preset(name: str, data=None):
    """Copy a preset's settings into the controls (a callback, or before the widgets are drawn)."""
    for key, value in preset_values(name, data).items():
        st.session_state[K + key] = value
