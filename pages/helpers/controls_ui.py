"""The training controls on screen: one widget per setting, in the sidebar's tabs
(Network, Optimizer, Training), the preset box, and their callbacks.  What the
widgets hold, and how it turns into the library's configs: pages/helpers/controls.py.

Train draws them all (`controls_ui`); the Playground draws the same builders under
its prefix "pg_"; a shared link's list of controls draws only those (`controls.drawn`).
"""
from __future__ import annotations

import math

import streamlit as st

from nnlab.core import activations, hyperparams, initializers, losses
from nnlab.experiments import presets
from nnlab.train import optimizers
from pages.helpers import wording
from pages.helpers.controls import (
    DEFAULTS,
    HELP,
    MAX_LAYERS,
    SIMPLE,
    WIDTHS,
    K,
    fmt_number,
    nearest,
    apply_preset,
    drawn,
    read_controls,
)


# ----------------------------------------------------------------- callbacks
def _on_optimizer_change(prefix: str = K):
    """A new optimizer starts from its usual learning rate."""
    opt = st.session_state[prefix + "optimizer"]
    st.session_state[prefix + "lr"] = nearest(hyperparams.get("lr").values, optimizers.DEFAULT_LR[opt])


def _on_loss_change(prefix: str = K):
    st.session_state[prefix + "output"] = losses.OUTPUTS[st.session_state[prefix + "loss"]][0]


# ----------------------------------------------------------------- widgets
def _choice_help(name: str, descriptions: dict) -> str:
    s = hyperparams.get(name)
    return s.help + "\n\n" + "\n".join(f"- **{s.label_of(k)}** (`{k}`): {v}" for k, v in descriptions.items())


def setting_ui(name, options=None, help=None, prefix: str = K, **kwargs):
    """The widget of a setting, built from its row in its table: `name` of the settings
    table (nnlab/core/hyperparams.py), or a Setting of a table of its own (the Playground's
    data options, nnlab/data/toy2d.py).  Label, help, choices with their labels (the names
    stay in the help), range or offered values; the one widget builder of every page."""
    s = name if isinstance(name, hyperparams.Setting) else hyperparams.get(name)
    if not drawn(s.name, prefix):  # a link lists other controls: this one keeps its value
        return st.session_state.get(prefix + s.name, DEFAULTS.get(s.name))
    common = dict(key=prefix + s.name, help=help or s.help, **kwargs)
    if s.widget == "select":
        return st.selectbox(s.label, list(options or s.choices), format_func=s.label_of, **common)
    if s.widget == "slider":
        lo, hi, step = s.slider
        if isinstance(step, float):  # as many decimals as the step has (β2: 0.9990)
            common["format"] = f"%.{max(2, -math.floor(math.log10(step)))}f"
        return st.slider(s.label, lo, hi, step=step, **common)
    if s.widget == "select_slider":
        fmt = fmt_number if s.name in ("l2", "l1") else lambda v: v if isinstance(v, str) else f"{v:g}"
        return st.select_slider(s.label, list(s.values), format_func=fmt, **common)
    if s.widget == "number":
        return st.number_input(s.label, int(s.low), int(s.high), step=1, **common)
    if s.widget == "pills":
        return st.pills(s.label, list(s.choices), selection_mode="multi", format_func=s.label_of, **common)
    raise ValueError(f"setting {s.name!r} has no simple widget ({s.widget!r})")


def preset_ui(data):
    names = list(presets.PRESETS)
    name = st.selectbox("Preset", names, key=K + "preset", help=HELP["preset"])
    if st.session_state.get("lesson") is None:
        st.caption(wording.preset_text(presets.PRESETS[name]["description"]))  # no command-line notes
    else:  # (the controls hold a lesson's setup, not this preset's)
        st.caption("The controls below hold a lesson's setup; Apply preset replaces it.")
    st.button("Apply preset", key="apply_preset", on_click=apply_preset, args=(name, data), width="stretch",
              icon=":material/tune:", help="Copy the preset's settings into the controls below.")


def layers_ui(prefix: str = K):
    """Hidden layers (0 = none: softmax regression; the Playground starts at 1), their widths and activations."""
    hidden, acts = hyperparams.get("hidden"), hyperparams.get("activations")
    show_widths, show_acts = drawn("hidden", prefix), drawn("activations", prefix)
    if show_widths:
        st.slider("Hidden layers", 0 if prefix == K else 1, MAX_LAYERS, key=prefix + "layers", help=hidden.help)
    n = st.session_state[prefix + "layers"]
    if n == 0:
        if show_widths or show_acts:
            st.caption("No hidden layer: the inputs go straight to the output layer (softmax regression).")
        return
    same = st.session_state[prefix + "same_activation"]
    act_help = _choice_help("activations", activations.DESCRIPTIONS)
    if show_acts:
        same = st.toggle("Same activation for all layers", key=prefix + "same_activation", help=HELP["same_activation"])
        if same:
            st.selectbox(acts.label, acts.choices, key=prefix + "activation", help=act_help, format_func=acts.label_of)
    for i in range(n):
        cols = st.columns(2) if show_widths and show_acts and not same else [st.container()] * 2
        if show_widths:
            cols[0].select_slider(f"Units in hidden layer {i + 1}", WIDTHS, key=prefix + f"width_{i}", help=hidden.help)
        if show_acts and not same:
            cols[1].selectbox(f"{acts.label} {i + 1}", acts.choices, key=prefix + f"activation_{i}", help=act_help,
                              format_func=acts.label_of)


def network_ui(data, prefix: str = K):
    layers_ui(prefix)
    loss = setting_ui("loss", help=_choice_help("loss", losses.DESCRIPTIONS), prefix=prefix,
                      on_change=_on_loss_change, args=(prefix,))
    outputs = losses.OUTPUTS[loss]
    if st.session_state.get(prefix + "output") not in outputs:
        st.session_state[prefix + "output"] = outputs[0]
    setting_ui("output", options=outputs, prefix=prefix, disabled=len(outputs) == 1)
    setting_ui("dropout", prefix=prefix)
    setting_ui("init", help=_choice_help("init", initializers.DESCRIPTIONS), prefix=prefix)


def optimizer_ui(data, prefix: str = K):
    opt = setting_ui("optimizer", help=_choice_help("optimizer", optimizers.DESCRIPTIONS), prefix=prefix,
                     on_change=_on_optimizer_change, args=(prefix,))
    for s in SIMPLE:
        if s.section == "train" and (s.name == "lr" or (s.optimizers and opt in s.optimizers)):
            setting_ui(s.name, prefix=prefix)
    setting_ui("batch_size", prefix=prefix, disabled=opt == "gd")
    if opt == "gd" and drawn("batch_size", prefix):
        st.caption("Gradient descent ('gd') always uses the full batch.")
    setting_ui("lr_schedule", prefix=prefix)


def training_ui(data, prefix: str = K):
    for name in ("epochs", "l2", "l1", "patience"):
        setting_ui(name, prefix=prefix)
    images = bool(data.image_shape)
    setting_ui("augment", prefix=prefix, disabled=not images, help=None if images else "Only for image datasets.")
    setting_ui("seed", prefix=prefix)


def controls_ui(data) -> dict:
    """Draw all training controls; return their values (see read_controls).
    With a link's list of controls (`drawn`): only those, without the tabs."""
    if st.session_state.get("show_only"):
        network_ui(data)
        optimizer_ui(data)
        training_ui(data)
        return read_controls(data)
    preset_ui(data)
    tab_net, tab_opt, tab_train = st.tabs(["Network", "Optimizer", "Training"])
    with tab_net:
        network_ui(data)
    with tab_opt:
        optimizer_ui(data)
    with tab_train:
        training_ui(data)
    return read_controls(data)
