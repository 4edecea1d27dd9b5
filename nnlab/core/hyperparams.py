"""Every setting declared once: name, type, default, allowed values, help, formula.

    from nnlab import hyperparams
    hyperparams.get("lr").help                     # one line for a learner
    hyperparams.check("momentum", 1.2)             # ValueError: momentum must be in [0, 1), got 1.2
    [s.name for s in hyperparams.section("train")] # the fields of TrainConfig, in order

Everything else is derived from ``SETTINGS`` (scikit-learn's ``_parameter_constraints``,
Keras' ``get_config``): the fields and checks of ``NetworkConfig``/``TrainConfig``
(config.py), the ``train`` command's flags (cli/common.py), the dashboard's controls
(pages/helpers/controls.py), ``DEFAULT_LR``/``USUAL_LR``/``HYPERPARAMETERS`` and the optimizers'
default arguments (optimizers.py); presets are checked against it.  Tests iterate it,
and ``python -m nnlab hyperparams [--json]`` prints it.

What a setting is, and how a value is checked against it: setting.py.

Sections: "data" (which dataset), "network" (NetworkConfig), "train" (TrainConfig),
"engine" (arguments of the Trainer: how it computes and what it records, never what it learns).
"""
from __future__ import annotations

from nnlab.core.activations import ACTIVATIONS, check_activation
from nnlab.core.augment import AUGMENTATIONS, check_augment
from nnlab.core.initializers import INITIALIZERS, check_init
from nnlab.core.losses import LOSSES, OUTPUTS, check_loss
from nnlab.core.setting import Setting

MAX_WIDTH = 8192       # units in one hidden layer
MAX_DEPTH = 64         # hidden layers
MAX_EPOCHS = 100_000


def _125(lo_exp, hi_exp):
    """1, 2, 5 times each power of ten from 10**lo_exp to 10**hi_exp (a log scale)."""
    return tuple(float(f"{m * 10.0 ** e:.12g}") for e in range(lo_exp, hi_exp + 1) for m in (1, 2, 5))


# Each optimizer's usual learning rate and the range it usually trains well in (on
# inputs scaled to 0..1).  Adaptive optimizers (RMSprop, Adam) divide the step by the
# gradient's size, so their range is lower and narrower than plain SGD's.
_LR = {"gd": (0.5, (0.05, 1.0)), "sgd": (0.1, (0.005, 1.0)), "momentum": (0.05, (0.001, 0.2)),
       "nesterov": (0.05, (0.001, 0.2)), "rmsprop": (0.001, (1e-4, 0.01)), "adam": (0.001, (1e-4, 0.01))}
_ADAPTIVE = ("rmsprop", "adam")

SETTINGS = [
    # ------------------------------------------------------------ data
    Setting("dataset", "choice", "digits", section="data", label="Dataset", choices=("digits", "mnist", "csv"),
            help="The images (or rows of a CSV) the network learns from. Train, Evaluate and Draw all use this "
                 "dataset.", widget="select"),
    # ------------------------------------------------------------ network
    Setting("n_inputs", "int", None, section="network", required=True, low=1, cli=False,
            help="Input features, set from the dataset (64 for the 8x8 digits, 784 for MNIST)."),
    Setting("n_outputs", "int", None, section="network", required=True, low=2, cli=False,
            help="Output classes, set from the dataset (a classifier needs at least 2)."),
    Setting("hidden", "int list", [64], section="network", label="Units in the hidden layers",
            low=1, high=MAX_WIDTH, max_len=MAX_DEPTH, widget="layers",
            values=(4, 8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024),
            help="Units (neurons) in each hidden layer, e.g. 64,32 (none: no hidden layer). More or wider layers "
                 "can learn more complex patterns but train slower and can overfit."),
    Setting("activations", "choice list", ["relu"], section="network", label="Activation",
            choices=tuple(ACTIVATIONS), normalize=check_activation, widget="activations",
            labels={"relu": "ReLU", "leaky_relu": "leaky ReLU", "elu": "ELU"},
            help="The non-linear function each hidden unit applies to its weighted sum, one per layer or one for "
                 "all. Without one, the network could only draw straight lines between classes.",
            formula="h = f(x·W + b)"),
    Setting("loss", "choice", "cross_entropy", section="network", label="Loss", choices=tuple(LOSSES),
            normalize=check_loss, labels={"cross_entropy": "cross-entropy", "mse": "mean squared error"},
            widget="select", help="How wrong the network is, as one number that training pushes down.",
            formula="cross-entropy: −mean(log p[true class]);  MSE: mean((out − onehot)²)/2"),
    Setting("output", "choice", None, section="network", label="Output activation",
            choices=tuple(dict.fromkeys(o for outs in OUTPUTS.values() for o in outs)), losses=("mse",),
            none="the loss's usual output (softmax for cross-entropy, sigmoid for MSE)",
            aliases={"": None, "identity": "linear"}, labels={None: "the loss's usual"}, widget="select",
            help="The function on the output layer; it turns raw scores into class scores (MSE: sigmoid or "
                 "linear; cross-entropy: always softmax)."),
    Setting("dropout", "float", 0.0, section="network", label="Dropout", low=0.0, high=1.0, closed="left",
            widget="slider", slider=(0.0, 0.8, 0.05), formula="h ← h·mask/(1−p), mask ~ Bernoulli(1−p)",
            help="During training, randomly switch off this share of hidden units in each step. Fights "
                 "overfitting; 0 = off. (Always off when predicting.)"),
    Setting("init", "choice", "auto", section="network", label="Initializer", choices=("auto", *INITIALIZERS),
            normalize=check_init, widget="select",
            labels={"glorot_uniform": "Glorot uniform", "he_normal": "He normal", "normal": "normal (σ 0.1)"},
            help="How the weights are set before training; auto picks the usual one for each activation "
                 "(He normal for ReLU-like units, Glorot uniform otherwise)."),
    Setting("dtype", "choice", "float32", section="network", choices=("float32", "float64"), cli=False,
            help="Number format of weights and data: float32 (fast) or float64 (gradient checks)."),
    # ------------------------------------------------------------ train
    Setting("optimizer", "choice", "adam", section="train", label="Optimizer", choices=tuple(_LR),
            labels={"gd": "gradient descent", "sgd": "SGD", "nesterov": "Nesterov", "rmsprop": "RMSprop",
                    "adam": "Adam"}, widget="select",
            help="The rule that uses the gradient to change the weights after each batch (gd: one step per "
                 "epoch on the whole training set)."),
    Setting("lr", "float", None, section="train", label="Learning rate", low=0.0, closed="right", log=True,
            none="the optimizer's usual learning rate", by_optimizer={k: v[0] for k, v in _LR.items()},
            usual={k: v[1] for k, v in _LR.items()}, widget="select_slider", values=_125(-5, 0) + (10.0,),
            formula="p ← p − lr·g (SGD; the other optimizers scale g first)",
            help="How big a step each update takes (log scale). Too small: slow. Too large: the loss jumps "
                 "around or explodes."),
    Setting("momentum", "float", 0.9, section="train", label="Momentum", low=0.0, high=1.0, closed="left",
            optimizers=("momentum", "nesterov"), widget="slider", slider=(0.0, 0.99, 0.01),
            formula="v ← μ·v − lr·g;  p ← p + v",
            help="How much of the previous step is kept (0 = none). Smooths and speeds up descent."),
    Setting("beta1", "float", 0.9, section="train", label="β1 (beta1)", low=0.0, high=1.0, closed="left",
            optimizers=("adam",), widget="slider", slider=(0.5, 0.99, 0.01), formula="m ← β1·m + (1−β1)·g",
            help="Adam: how long the running average of the gradient remembers (0.9 = about 10 steps)."),
    Setting("beta2", "float", 0.999, section="train", label="β2 (beta2)", low=0.0, high=1.0, closed="left",
            optimizers=("adam",), widget="slider", slider=(0.9, 0.9999, 0.0001), formula="v ← β2·v + (1−β2)·g²",
            help="Adam: how long the running average of the squared gradient remembers (0.999 = ~1000 steps)."),
    Setting("rho", "float", 0.9, section="train", label="ρ (rho)", low=0.0, high=1.0, closed="left",
            optimizers=("rmsprop",), widget="slider", slider=(0.5, 0.99, 0.01), formula="s ← ρ·s + (1−ρ)·g²",
            help="RMSprop: how long the running average of the squared gradient remembers."),
    Setting("eps", "float", 1e-8, section="train", label="ε (epsilon)", low=0.0, closed="neither", log=True,
            optimizers=_ADAPTIVE, widget="select_slider", values=(1e-10, 1e-8, 1e-7, 1e-6, 1e-4),
            formula="p ← p − lr·g/(√s + ε)",
            help="Adam/RMSprop: a tiny number added to avoid dividing by zero. Rarely needs changing."),
    Setting("batch_size", "int", 32, section="train", label="Batch size", low=1, log=True,
            none="the full training set (also 0 or full)", aliases={0: None, "full": None}, labels={None: "full"},
            widget="select_slider",
            values=(1, 8, 16, 32, 64, 128, 256, 512, "full"),
            help="How many training samples are used for each weight update; full = all of them (classic "
                 "gradient descent: one update per epoch)."),
    Setting("epochs", "int", 50, section="train", label="Epochs", low=1, high=MAX_EPOCHS, widget="slider",
            slider=(1, 1000, 1), help="One epoch = one pass over all training samples. Training stops after this "
                                     "many."),
    Setting("l2", "float", 0.0, section="train", label="L2 regularisation", low=0.0, widget="select_slider",
            values=(0.0,) + tuple(float(f"{m * 10.0 ** e:.12g}") for e in range(-4, 2) for m in (1, 3)),
            formula="loss + λ/(2N)·ΣW²;  gradient + λ/N·W",
            help="L2 regularisation (weight decay): pulls all weights towards zero to fight overfitting. 0 = off."),
    Setting("l1", "float", 0.0, section="train", label="L1 regularisation", low=0.0, widget="select_slider",
            values=(0.0,) + tuple(float(f"{m * 10.0 ** e:.12g}") for e in range(-4, 2) for m in (1, 3)),
            formula="loss + λ/N·Σ|W|;  gradient + λ/N·sign(W)",
            help="L1 regularisation: pushes small weights to exactly zero. 0 = off."),
    Setting("patience", "int", 0, section="train", label="Early-stopping patience", low=0, widget="slider",
            slider=(0, 50, 1), help="Early stopping: stop when the validation loss has not improved for this many "
                                    "epochs and keep the best weights. 0 = off."),
    Setting("lr_schedule", "choice", "constant", section="train", label="Learning-rate schedule",
            choices=("constant", "cosine"), widget="select",
            formula="cosine: lr_t = lr/100 + (lr − lr/100)·(1 + cos(π·t/(T−1)))/2",
            help="constant: the same learning rate throughout. cosine: slowly lowers it to 1/100 by the last "
                 "epoch, which often gives a better final model."),
    Setting("augment", "choice", False, section="train", label="Augmentation", choices=(False, *AUGMENTATIONS),
            normalize=check_augment, widget="select",
            labels={False: "off", "shift": "shifts (1 pixel)", "affine": "affine (turn, slant, stretch)"},
            help="Images only: change each training image a little every epoch, so the network learns what does "
                 "not matter. shift: moved by up to one pixel. affine: also turned, slanted and stretched, as "
                 "handwriting varies — needed to read digits drawn on the Draw page."),
    Setting("seed", "int", 0, section="train", label="Seed", low=0, high=2**32 - 1, widget="number",
            help="Starting point for all randomness (weights, shuffling, dropout, augmentation). Same seed + same "
                 "settings = same result."),
    # ------------------------------------------------------------ engine
    Setting("engine", "choice", "fast", section="engine", label="Engine", choices=("fast", "reference"),
            labels={"fast": "fast", "reference": "reference (textbook)"},
            help="How the numbers are computed, not which: fast = in-place kernels, a helper thread, batch "
                 "prefetching; reference = the textbook rules, a few readable lines each."),
    Setting("record_grads", "choice", False, section="engine", label="Record gradient statistics",
            choices=(False, True), labels={False: "off", True: "on"},
            formula="‖∂L/∂W‖ per layer;  ‖ΔW‖/‖W‖ per step (update/weight ratio)",
            help="Each epoch, record every layer's weight-gradient norm and update/weight ratio, averaged over "
                 "8 batches spread over the epoch (nnlab/train/gradstats.py); it costs about 1 % of an MNIST epoch "
                 "(docs/inside.md)."),
]

BY_NAME = {s.name: s for s in SETTINGS}
SECTIONS = ("data", "network", "train", "engine")


def get(name: str) -> Setting:
    if name not in BY_NAME:
        raise ValueError(f"unknown setting {name!r}; choose one of: {', '.join(BY_NAME)}")
    return BY_NAME[name]


def section(name: str) -> list:
    """The settings of one section, in the table's order."""
    return [s for s in SETTINGS if s.section == name]


def default(name: str, optimizer: str | None = None):
    """A setting's default; the learning rate's depends on the optimizer."""
    s = get(name)
    if optimizer is not None and s.by_optimizer:
        return s.by_optimizer[optimizer]
    return list(s.default) if isinstance(s.default, list) else s.default


def taken_by(optimizer: str) -> list:
    """The optimizer's own settings beyond the learning rate, in the table's order."""
    return [s.name for s in section("train") if s.optimizers and optimizer in s.optimizers]


# ----------------------------------------------------------------- checks
def check(name, value):
    """`value` for setting `name`, normalised (canonical name, int or float, None for
    "none"), or ValueError saying what is allowed.  `name` may also be a Setting
    declared in a table of its own (the Playground's data: nnlab.data.toy2d.OPTIONS)."""
    return (name if isinstance(name, Setting) else get(name)).check(value)
