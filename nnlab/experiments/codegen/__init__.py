"""Take a run home as code: its setup written out as a runnable Python script.

    setup = codegen.Setup.from_settings("digits", {"hidden": [64], "optimizer": "adam", ...})
    codegen.api_script(setup)          # nnlab's API: retrains the same model, the same numbers
    codegen.standalone_script(setup)   # NumPy + scikit-learn only: every formula written out
    codegen.Setup.from_header(header)  # a model file's setup (modelfile.load(...)[1])

Both scripts print one line per epoch and, as their last line,
``validation accuracy NN.NN%``.  Every value a setup holds reaches the code
through ``repr()`` (numbers, names, paths, a run's name in a comment), so no
setting, run name or file path can add a line of code (tests/test_codegen.py).

What the standalone form leaves out, and says so at its top: augmentation
(nnlab's image transforms are a module of their own), the divergence guard,
the engine (its NumPy is the textbook's) and progress inside an epoch.  See
docs/code.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from nnlab.core import hyperparams
from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.train.engines import DEFAULT_ENGINE, check_engine

# Where a dataset's file(s) are expected when the setup does not say (the script's
# constant, and its command-line argument).
DEFAULT_PATHS = {"csv": "train.csv", "mnist": "mnist"}
PIXEL_MAX = {"digits": 16.0, "mnist": 255.0}  # the value nnlab scales to 1.0


@dataclass
class Setup:
    """One run's setup, checked: `network` and `train` are the fields of
    NetworkConfig (without n_inputs/n_outputs: the script reads them from the data)
    and TrainConfig, normalised by them (lr filled in, one activation per layer).

    data_path: the CSV file or the MNIST folder (None: DEFAULT_PATHS; digits needs
    none); label_column: the CSV's label column (None: nnlab's guess); image_shape /
    pixel_max: the data's, for a CSV of images (Dataset.meta()); name: the run's name."""

    dataset: str
    network: dict
    train: dict
    engine: str = DEFAULT_ENGINE
    name: str = ""
    data_path: str | None = None
    label_column: str | None = None
    image_shape: tuple | None = None
    pixel_max: float = 1.0
    changed: list = field(default_factory=list)  # settings changed while training (their notes)

    @classmethod
    def from_settings(cls, dataset: str, settings: dict, engine: str = DEFAULT_ENGINE, **kw) -> Setup:
        """A setup from one flat dict of settings (a run's, the controls', a preset's
        two sections merged); settings of other sections (n_inputs, dataset) are ignored."""
        dataset = hyperparams.check("dataset", dataset)
        net = {s.name: settings[s.name] for s in hyperparams.section("network")
               if s.name in settings and s.name not in ("n_inputs", "n_outputs")}
        train = {s.name: settings[s.name] for s in hyperparams.section("train") if s.name in settings}
        net_cfg = NetworkConfig(n_inputs=1, n_outputs=2, **net).to_dict()  # checks every value
        for key in ("n_inputs", "n_outputs"):
            net_cfg.pop(key)
        if dataset in PIXEL_MAX:
            kw.setdefault("image_shape", (8, 8) if dataset == "digits" else (28, 28))
            kw["pixel_max"] = PIXEL_MAX[dataset]
        if not kw.get("image_shape"):
            kw["pixel_max"] = 1.0  # plain features are used as written ...
            train["augment"] = False  # ... and not augmented (as the Train page builds its config)
        return cls(dataset, net_cfg, TrainConfig(**train).to_dict(), check_engine(engine), **kw)

    @classmethod
    def from_header(cls, header: dict, engine: str = DEFAULT_ENGINE, data_path: str | None = None,
                    label_column: str | None = None) -> Setup:
        """The setup a model file holds (its "network", "train" and "data" sections).
        ValueError when it holds no training settings (a file written without them)."""
        meta, train = header.get("data") or {}, header.get("train") or {}
        if not train:
            raise ValueError("this model file holds no training settings (it was saved without them), "
                             "so there is no run to write out")
        dataset = meta.get("dataset") or hyperparams.default("dataset")
        shape = meta.get("image_shape")
        return cls.from_settings(dataset, {**header.get("network", {}), **train}, engine=engine,
                                 data_path=data_path, label_column=label_column,
                                 image_shape=tuple(shape) if shape else None,
                                 pixel_max=float(meta.get("pixel_max") or 1.0))

    @property
    def settings(self) -> dict:
        return {**self.network, **self.train}

    @property
    def path(self) -> str | None:
        """The data's path in the script (None for digits)."""
        return self.data_path or DEFAULT_PATHS.get(self.dataset)

    def describe(self) -> str:
        """The setup in one or two plain lines (the scripts' docstrings)."""
        n, t = self.network, self.train
        layers = (f"hidden layers {'-'.join(map(str, n['hidden']))} ({', '.join(dict.fromkeys(n['activations']))})"
                  if n["hidden"] else "no hidden layer")
        out = "softmax" if n["loss"] == "cross_entropy" else n["output"]
        extras = [f"{k} {t[k]:g}" for k in hyperparams.taken_by(t["optimizer"])]
        batch = "full" if t["optimizer"] == "gd" or not t["batch_size"] else t["batch_size"]
        parts = [f"{self.dataset}, {layers}, {n['loss']} on a {out} output",
                 f"{t['optimizer']} lr {t['lr']:g}" + "".join(f", {e}" for e in extras),
                 f"batch {batch}, {t['epochs']} epochs, seed {t['seed']}"]
        for key, on in (("dropout", n["dropout"] if n["hidden"] else 0), ("l2", t["l2"]), ("l1", t["l1"]),
                        ("patience", t["patience"])):
            if on:
                parts.append(f"{key} {on:g}")
        if t["lr_schedule"] != "constant":
            parts.append(f"{t['lr_schedule']} schedule")
        if t["augment"]:
            parts.append(f"augment {t['augment']}")
        return ", ".join(parts)


def api_script(setup: Setup) -> str:
    from nnlab.experiments.codegen.api import render

    return render(setup)


def standalone_script(setup: Setup) -> str:
    from nnlab.experiments.codegen.standalone import render

    return render(setup)


def script(setup: Setup, standalone: bool = False) -> str:
    return standalone_script(setup) if standalone else api_script(setup)


def file_name(setup: Setup, standalone: bool = False) -> str:
    """A safe file name for the download: nnlab_<run>[_numpy].py."""
    stem = "".join(c if c.isascii() and c.isalnum() else "_" for c in (setup.name or "run"))[:40].strip("_") or "run"
    return f"nnlab_{stem}{'_numpy' if standalone else ''}.py".lower()
