"""Named presets: a network config + a training config that work well.

The CLI's ``--preset``, the accuracy benchmark and the dashboard's
"train a good default" button all read this one dict (through `settings`).
Every key is a setting of hyperparams.SETTINGS (tests check names and values).
"""
from __future__ import annotations

PRESETS = {
    # sklearn digits (721 training images): augmentation + dropout + Adam.  The
    # Draw page offers it (100 epochs): "affine" augmentation (turned, slanted,
    # stretched) is what makes it read hand-drawn digits (docs/draw.md).
    "digits": {
        "description": "Best default for the 8x8 digits (benchmark: bench accuracy --dataset digits).",
        "network": {"hidden": [256, 128], "activations": ["relu"], "loss": "cross_entropy",
                    "dropout": 0.3, "init": "auto"},
        "train": {"optimizer": "adam", "lr": 0.002, "batch_size": 32, "epochs": 300,
                  "l2": 0.0, "patience": 0, "augment": "affine", "lr_schedule": "cosine"},
    },
    # The Train page's defaults: a first click trains in about a second (1-pixel shifts;
    # the Draw page notes such a model and offers the digits preset, made for drawing).
    "digits-quick": {
        "description": "Trains in a second or two: the quick start. For drawing, the Draw page offers a model "
                       "trained on turned and slanted digits (the digits preset).",
        "network": {"hidden": [128, 64], "activations": ["relu"], "loss": "cross_entropy",
                    "dropout": 0.1, "init": "auto"},
        "train": {"optimizer": "adam", "lr": 0.002, "batch_size": 32, "epochs": 40,
                  "augment": "shift", "lr_schedule": "cosine"},
    },
    # The first tutorial's network and training (its λ is what the Sweep page sweeps).
    "tutorial": {
        "description": "The first tutorial: 48-32 sigmoid, full-batch momentum 0.9, learning rate 0.2, "
                       "1000 epochs. Sweep λ (L2) on the Sweep page to find its best value.",
        "network": {"hidden": [48, 32], "activations": ["sigmoid"], "loss": "cross_entropy",
                    "dropout": 0.0, "init": "glorot_uniform"},
        "train": {"optimizer": "momentum", "lr": 0.2, "momentum": 0.9, "batch_size": None, "epochs": 1000,
                  "l2": 0.0, "augment": False, "lr_schedule": "constant"},
    },
    # MNIST 60k: see the mnist accuracy benchmark.
    "mnist": {
        "description": "MNIST preset: 784-512-256-10 ReLU, dropout, Adam with cosine decay, 20 epochs.",
        "network": {"hidden": [512, 256], "activations": ["relu"], "loss": "cross_entropy",
                    "dropout": 0.2, "init": "auto"},
        "train": {"optimizer": "adam", "lr": 0.001, "batch_size": 128, "epochs": 20,
                  "augment": False, "lr_schedule": "cosine"},
    },
}


def get_preset(name: str) -> dict:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")
    return PRESETS[name]


def settings(name: str, data=None) -> tuple:
    """The preset's (network, train) settings as two dicts, fitted to `data`: a
    dataset that is not images gets no augmentation (it changes images)."""
    p = get_preset(name)
    network, train = dict(p["network"]), dict(p["train"])
    if data is not None and not data.image_shape and train.get("augment"):
        train["augment"] = False
    return network, train


def build(name: str, data, seed: int = 0, **train_overrides):
    """(Network, TrainConfig) for preset `name` sized to `data`; `train_overrides`
    (e.g. epochs=5) replace the preset's training settings."""
    from nnlab.core.config import NetworkConfig, TrainConfig
    from nnlab.core.network import Network

    network, train = settings(name, data)
    net = Network(NetworkConfig(n_inputs=data.n_features, n_outputs=data.n_classes, **network), seed=seed)
    return net, TrainConfig(**{**train, "seed": seed, **train_overrides})
