"""The training controls: widgets built from nnlab's registries, their values
as one plain dict, and that dict turned into the library's configs.

Widget keys are "ctl_<name>"; `read_controls()` reads them back from
st.session_state, so button callbacks see exactly what the widgets show.
"""
from __future__ import annotations

import streamlit as st

from nnlab import activations, augment, initializers, losses, optimizers, presets
from nnlab.network import NetworkConfig
from nnlab.training import TrainConfig
from pages import wording

K = "ctl_"
MAX_LAYERS = 6
WIDTHS = [4, 8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024]
LEARNING_RATES = [m * 10.0 ** e for e in range(-5, 1) for m in (1, 2, 5)] + [10.0]
BATCH_SIZES = [1, 8, 16, 32, 64, 128, 256, 512, "full"]
PENALTIES = [0.0] + [m * 10.0 ** e for e in range(-4, 1) for m in (1, 3)] + [3.0, 10.0, 30.0]
EPSILONS = [1e-10, 1e-8, 1e-7, 1e-6, 1e-4]
AUGMENT_LABELS = {False: "off", "shift": "shifts (1 pixel)", "affine": "affine (turn, slant, stretch)"}

# Defaults: the "digits-quick" preset, so a first click on Train takes a second or two.
DEFAULTS = {
    "preset": "digits-quick",
    "layers": 2,
    **{f"width_{i}": w for i, w in enumerate([128, 64, 32, 32, 32, 32])},
    "same_activation": True,
    "activation": "relu",
    **{f"activation_{i}": "relu" for i in range(MAX_LAYERS)},
    "loss": "cross_entropy",
    "output": "softmax",
    "dropout": 0.1,
    "init": "auto",
    "optimizer": "adam",
    "lr": 0.002,
    "momentum": 0.9,
    "beta1": 0.9,
    "beta2": 0.999,
    "rho": 0.9,
    "eps": 1e-8,
    "batch_size": 32,
    "epochs": 40,
    "lr_schedule": "cosine",
    "l2": 0.0,
    "l1": 0.0,
    "patience": 0,
    "augment": "shift",
    "seed": 0,
}

HELP = {
    "dataset": "The images the network learns from. Train, Evaluate and Draw all use this dataset.",
    "preset": "Settings that are known to work. Apply copies them into the controls below.",
    "layers": "Hidden layers sit between the input pixels and the output classes. More layers can learn "
              "more complex patterns but train slower and can overfit.",
    "width": "Number of units (neurons) in this hidden layer. Wider layers have more weights to learn.",
    "same_activation": "Use one activation function in every hidden layer, or pick one per layer.",
    "activation": "The non-linear function each unit applies to its weighted sum. Without one, the network "
                  "could only draw straight lines between classes.",
    "loss": "How wrong the network is, as one number that training pushes down.",
    "output": "The function on the output layer; it turns raw scores into class scores.",
    "dropout": "During training, randomly switch off this share of hidden units in each step. Fights "
               "overfitting; 0 = off. (Always off when predicting.)",
    "init": "How the weights are set before training. 'auto' picks the usual choice for each activation.",
    "optimizer": "The rule that uses the gradient to change the weights after each batch.",
    "lr": "Learning rate: how big a step each update takes (log scale). Too small: slow. Too large: "
          "the loss jumps around or explodes.",
    "momentum": "How much of the previous step is kept (0 = none). Smooths and speeds up descent.",
    "beta1": "Adam: how long the running average of the gradient remembers (0.9 = about 10 steps).",
    "beta2": "Adam: how long the running average of the squared gradient remembers (0.999 = ~1000 steps).",
    "rho": "RMSprop: how long the running average of the squared gradient remembers.",
    "eps": "A tiny number added to avoid dividing by zero. Rarely needs changing.",
    "batch_size": "How many training images are used for each weight update. 'full' = all of them "
                  "(classic gradient descent: one update per epoch).",
    "epochs": "One epoch = one pass over all training images. Training stops after this many.",
    "lr_schedule": "constant: the same learning rate throughout. cosine: slowly lowers it to 1/100 "
                   "by the last epoch, which often gives a better final model.",
    "l2": "L2 regularisation (weight decay): pulls all weights towards zero to fight overfitting. 0 = off.",
    "l1": "L1 regularisation: pushes small weights to exactly zero. 0 = off.",
    "patience": "Early stopping: stop when the validation loss has not improved for this many epochs and "
                "keep the best weights. 0 = off.",
    "augment": "Change each training image a little every epoch, so the network sees more variety and "
               "learns what does not matter. shifts: moved by up to one pixel. affine: also turned, "
               "slanted and stretched, as handwriting varies — needed to read digits drawn on the Draw page.",
    "seed": "Starting point for all randomness (weights, shuffling, dropout). Same seed + same settings "
            "= same result.",
}


def _fmt_number(v) -> str:
    return "0 (off)" if v == 0 else f"{v:g}"


def init_controls():
    """Initial widget values (once per tab), for the controls not yet in session_state."""
    for name, value in DEFAULTS.items():
        st.session_state.setdefault(K + name, value)


def read_controls(data=None) -> dict:
    """The control values as one plain dict (only the ones that matter for the
    current layer count and optimizer), read from session_state."""
    s = st.session_state
    get = lambda name: s.get(K + name, DEFAULTS.get(name))  # noqa: E731
    n = int(get("layers"))
    opt = get("optimizer")
    c = {
        "dataset": s.get(K + "dataset"),
        "hidden": [int(get(f"width_{i}")) for i in range(n)],
        "activations": [get("activation")] * n if get("same_activation")
        else [get(f"activation_{i}") for i in range(n)],
        "loss": get("loss"),
        "output": get("output") if get("output") in losses.OUTPUTS.get(get("loss"), []) else "",
        "dropout": float(get("dropout")),
        "init": get("init"),
        "optimizer": opt,
        "lr": float(get("lr")),
        "batch_size": get("batch_size"),
        "epochs": int(get("epochs")),
        "lr_schedule": get("lr_schedule"),
        "l2": float(get("l2")),
        "l1": float(get("l1")),
        "patience": int(get("patience")),
        "augment": augment.check_augment(get("augment")),  # build_configs drops it for non-images
        "seed": int(get("seed")),
    }
    for h in optimizers.HYPERPARAMETERS.get(opt, []):
        c[h] = float(get(h))
    return c


def build_configs(controls: dict, data):
    """(NetworkConfig, TrainConfig) for `controls` on `data`; ValueError on a bad combination."""
    net_cfg = NetworkConfig(
        n_inputs=data.n_features, n_outputs=data.n_classes, hidden=controls["hidden"],
        activations=controls["activations"], loss=controls["loss"], output=controls["output"],
        dropout=controls["dropout"], init=controls["init"])
    train = {k: controls[k] for k in ("optimizer", "lr", "epochs", "lr_schedule", "l2", "l1",
                                      "patience", "augment", "seed")}
    train["augment"] = controls["augment"] if data.image_shape else False
    train["batch_size"] = None if controls["batch_size"] == "full" else int(controls["batch_size"])
    train.update({h: controls[h] for h in optimizers.HYPERPARAMETERS[controls["optimizer"]]})
    return net_cfg, TrainConfig(**train)


# Each control as the user sees it: its label, and how its value reads.  In the
# order of the sidebar.  NEW_MODEL: the controls that define the network itself
# (its shape, its starting weights, its data); any other change goes on training
# the current model.
LABELS = {
    "dataset": "Dataset", "hidden": "Units in the hidden layers", "activations": "Activation", "loss": "Loss",
    "output": "Output activation", "init": "Initializer", "dropout": "Dropout", "optimizer": "Optimizer",
    "lr": "Learning rate", "momentum": "Momentum", "beta1": "β1", "beta2": "β2", "rho": "ρ", "eps": "ε",
    "batch_size": "Batch size", "lr_schedule": "Learning-rate schedule", "epochs": "Epochs",
    "l2": "L2 regularisation", "l1": "L1 regularisation", "patience": "Early-stopping patience",
    "augment": "Augmentation", "seed": "Seed",
}
NEW_MODEL = {"dataset", "hidden", "activations", "loss", "output", "init", "dropout", "seed"}


def plain(key: str, value) -> str:
    """A control's value as the sidebar shows it: no Python lists, booleans or 0.0."""
    if key == "augment":
        return AUGMENT_LABELS.get(value, str(value))
    if isinstance(value, bool):
        return "on" if value else "off"
    if key == "hidden":
        return ", ".join(str(v) for v in value)
    if key == "activations":
        return value[0] if len(set(value)) == 1 else ", ".join(value)
    if key in ("l2", "l1", "patience"):
        return _fmt_number(value)
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


# ----------------------------------------------------------------- presets
def apply_preset(name: str, data=None):
    """Copy a preset's settings into the controls (a callback, or before the widgets are drawn)."""
    p = presets.get_preset(name)
    net, train = p["network"], p["train"]
    s = st.session_state
    s[K + "layers"] = len(net["hidden"])
    for i, w in enumerate(net["hidden"]):
        s[K + f"width_{i}"] = _nearest(WIDTHS, w)
    acts = net.get("activations", ["relu"])
    s[K + "same_activation"] = len(set(acts)) == 1
    s[K + "activation"] = acts[0]
    for i in range(len(net["hidden"])):
        s[K + f"activation_{i}"] = acts[i] if len(acts) > 1 else acts[0]
    s[K + "loss"] = net.get("loss", "cross_entropy")
    s[K + "output"] = losses.OUTPUTS[s[K + "loss"]][0]
    s[K + "dropout"] = float(net.get("dropout", 0.0))
    s[K + "init"] = net.get("init", "auto")
    merged = {**DEFAULTS, **{k: v for k, v in train.items() if k in DEFAULTS}}
    for key in ("optimizer", "epochs", "lr_schedule", "patience", "augment", "momentum", "beta1", "beta2", "rho"):
        s[K + key] = merged[key]
    s[K + "augment"] = augment.check_augment(merged["augment"])
    s[K + "lr"] = _nearest(LEARNING_RATES, merged["lr"])
    s[K + "batch_size"] = "full" if not train.get("batch_size") else _nearest(BATCH_SIZES[:-1], train["batch_size"])
    s[K + "l2"] = _nearest(PENALTIES, merged["l2"])
    s[K + "l1"] = _nearest(PENALTIES, merged["l1"])
    s[K + "eps"] = _nearest(EPSILONS, merged["eps"])
    if data is not None and not data.image_shape:
        s[K + "augment"] = False
    s[K + "preset"] = name


def _nearest(options, value):
    return min(options, key=lambda o: abs(o - value) if value else abs(o))


def _on_optimizer_change():
    """A new optimizer starts from its usual learning rate."""
    opt = st.session_state[K + "optimizer"]
    st.session_state[K + "lr"] = _nearest(LEARNING_RATES, optimizers.DEFAULT_LR[opt])


def _on_loss_change():
    st.session_state[K + "output"] = losses.OUTPUTS[st.session_state[K + "loss"]][0]


# ----------------------------------------------------------------- widgets
def preset_ui(data):
    names = list(presets.PRESETS)
    name = st.selectbox("Preset", names, key=K + "preset", help=HELP["preset"])
    st.caption(wording.preset_text(presets.PRESETS[name]["description"]))  # no command-line notes
    st.button("Apply preset", key="apply_preset", on_click=apply_preset, args=(name, data), width="stretch",
              icon=":material/tune:", help="Copy the preset's settings into the controls below.")


def network_ui(data):
    st.slider("Hidden layers", 1, MAX_LAYERS, key=K + "layers", help=HELP["layers"])
    n = st.session_state[K + "layers"]
    same = st.toggle("Same activation for all layers", key=K + "same_activation", help=HELP["same_activation"])
    names = list(activations.ACTIVATIONS)
    act_help = HELP["activation"] + "\n\n" + "\n".join(f"- **{k}**: {v}" for k, v in activations.DESCRIPTIONS.items())
    if same:
        st.selectbox("Activation", names, key=K + "activation", help=act_help)
    for i in range(n):
        cols = st.columns(2) if not same else [st.container()]
        cols[0].select_slider(f"Units in hidden layer {i + 1}", WIDTHS, key=K + f"width_{i}", help=HELP["width"])
        if not same:
            cols[1].selectbox(f"Activation {i + 1}", names, key=K + f"activation_{i}", help=act_help)
    loss_help = HELP["loss"] + "\n\n" + "\n".join(f"- **{k}**: {v}" for k, v in losses.DESCRIPTIONS.items())
    loss = st.selectbox("Loss", list(losses.LOSSES), key=K + "loss", help=loss_help, on_change=_on_loss_change)
    outputs = losses.OUTPUTS[loss]
    if st.session_state.get(K + "output") not in outputs:
        st.session_state[K + "output"] = outputs[0]
    st.selectbox("Output activation", outputs, key=K + "output", help=HELP["output"],
                 disabled=len(outputs) == 1)
    init_help = HELP["init"] + "\n\n" + "\n".join(f"- **{k}**: {v}" for k, v in initializers.DESCRIPTIONS.items())
    st.selectbox("Initializer", ["auto", *initializers.INITIALIZERS], key=K + "init", help=init_help)
    st.slider("Dropout", 0.0, 0.8, step=0.05, key=K + "dropout", help=HELP["dropout"])


def optimizer_ui(data):
    opt_help = HELP["optimizer"] + "\n\n" + "\n".join(f"- **{k}**: {v}" for k, v in optimizers.DESCRIPTIONS.items())
    opt = st.selectbox("Optimizer", list(optimizers.OPTIMIZERS), key=K + "optimizer", help=opt_help,
                       on_change=_on_optimizer_change)
    st.select_slider("Learning rate", LEARNING_RATES, key=K + "lr", help=HELP["lr"], format_func=lambda v: f"{v:g}")
    hyper = optimizers.HYPERPARAMETERS[opt]
    if "momentum" in hyper:
        st.slider("Momentum", 0.0, 0.99, step=0.01, key=K + "momentum", help=HELP["momentum"])
    if "beta1" in hyper:
        st.slider("β1 (beta1)", 0.5, 0.99, step=0.01, key=K + "beta1", help=HELP["beta1"])
    if "beta2" in hyper:
        st.slider("β2 (beta2)", 0.9, 0.9999, step=0.0001, format="%.4f", key=K + "beta2", help=HELP["beta2"])
    if "rho" in hyper:
        st.slider("ρ (rho)", 0.5, 0.99, step=0.01, key=K + "rho", help=HELP["rho"])
    if "eps" in hyper:
        st.select_slider("ε (epsilon)", EPSILONS, key=K + "eps", help=HELP["eps"], format_func=lambda v: f"{v:g}")
    st.select_slider("Batch size", BATCH_SIZES, key=K + "batch_size", help=HELP["batch_size"],
                     disabled=opt == "gd")
    if opt == "gd":
        st.caption("Gradient descent ('gd') always uses the full batch.")
    st.selectbox("Learning-rate schedule", ["constant", "cosine"], key=K + "lr_schedule", help=HELP["lr_schedule"])


def training_ui(data):
    st.slider("Epochs", 1, 300, key=K + "epochs", help=HELP["epochs"])
    st.select_slider("L2 regularisation", PENALTIES, key=K + "l2", help=HELP["l2"], format_func=_fmt_number)
    st.select_slider("L1 regularisation", PENALTIES, key=K + "l1", help=HELP["l1"], format_func=_fmt_number)
    st.slider("Early-stopping patience", 0, 50, key=K + "patience", help=HELP["patience"])
    images = bool(data.image_shape)
    st.selectbox("Augmentation", [False, *augment.AUGMENTATIONS], key=K + "augment", disabled=not images,
                 format_func=AUGMENT_LABELS.get, help=HELP["augment"] if images else "Only for image datasets.")
    st.number_input("Seed", 0, 2**31 - 1, step=1, key=K + "seed", help=HELP["seed"])


def controls_ui(data) -> dict:
    """Draw all training controls; return their values (see read_controls)."""
    preset_ui(data)
    tab_net, tab_opt, tab_train = st.tabs(["Network", "Optimizer", "Training"])
    with tab_net:
        network_ui(data)
    with tab_opt:
        optimizer_ui(data)
    with tab_train:
        training_ui(data)
    return read_controls(data)
