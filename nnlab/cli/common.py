"""What the commands share: the parser class, value parsers, the setting flags
(generated from the settings table: name, choices, checks, help, default), the
data flags, the configs a command line asks for, and printing.

Every command module (train.py, evaluate.py, ...) imports from here; nothing here
imports a command, so the imports point one way.
"""
from __future__ import annotations

import argparse

from nnlab.core import hyperparams
from nnlab.data.datasets import load_dataset
from nnlab.experiments import metrics


class UsageError(Exception):
    """A bad command-line argument (exit status 2)."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump, no traceback
        raise UsageError(message)


# ------------------------------------------------------------ value parsers
def int_range(name, lo, hi=None):
    def parse(s):
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be an integer, got {s!r}") from None
        if v < lo or (hi is not None and v > hi):
            raise argparse.ArgumentTypeError(
                f"{name} must be {'>= ' + str(lo) if hi is None else f'from {lo} to {hi}'}, got {v}")
        return v
    return parse


def setting_type(setting):
    """The argparse `type` of a setting's flag: text -> the checked value, read by the
    setting's own type (nnlab/core/types.py: --hidden 64,32 or 64-32)."""
    def parse(text):
        try:
            return setting.parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(f"{e}; got {text!r}") from None
    return parse


def flag_help(s) -> str:
    if s.switch:
        default = s.label_of(s.default)
    elif s.by_optimizer:
        default = "depends on the optimizer: " + ", ".join(f"{k} {v:g}" for k, v in s.by_optimizer.items())
    elif s.default in (None, False, []):
        default = s.none or s.format(s.default)
    else:
        default = s.format(s.default)
    extra = f" [{s.pending}]" if s.pending else ""
    return f"{s.help} (default: {default}){extra}".replace("%", "%%")


# Flags that differ from the table's plain `--name value` (the table's names stay the flags).
FLAG_EXTRAS = {
    "activations": {"aliases": ("--activation",)},  # one name for every hidden layer reads better singular
    "augment": {"nargs": "?", "const": "shift"},     # a bare --augment: shifts
    "record_grads": {"action": "store_true"},         # on or off: a bare --record-grads
}
# Options of `train` that are not settings: where the data come from, a preset to start
# from, what to print or save.  Every other flag is a setting of hyperparams.SETTINGS.
RUN_OPTIONS = ("--preset", "--data-dir", "--data-path", "--label-column", "--save", "--json", "--quiet")


def add_setting_args(p, sections):
    """One flag per setting of `sections` (in the table's order); a flag not given
    leaves no attribute, so a preset's or the table's default applies."""
    for s in hyperparams.SETTINGS:
        if s.section not in sections or not s.cli:
            continue
        extras = dict(FLAG_EXTRAS.get(s.name, {}))
        names = (s.flag, *extras.pop("aliases", ()))
        if s.switch:  # off or on: a bare flag (FLAG_EXTRAS), no value to parse
            pass
        else:  # the setting's own type reads the text (choices: their names, off / none for False)
            extras["type"] = setting_type(s)
            if s.type == "choice":
                extras["metavar"] = "{" + ",".join(s.format(c) for c in s.choices) + "}"
        p.add_argument(*names, dest=s.name, default=argparse.SUPPRESS, help=flag_help(s), **extras)


def given_settings(args) -> dict:
    """The settings given as flags, checked and normalised."""
    return {k: hyperparams.check(k, v) for k, v in vars(args).items() if k in hyperparams.BY_NAME}


def add_data_args(p):
    d = hyperparams.get("dataset")
    p.add_argument(d.flag, default=d.default, choices=list(d.choices), help=flag_help(d))


def add_file_args(p):
    """Where the mnist and csv datasets come from (train and evaluate)."""
    p.add_argument("--data-dir", default=None,
                   help="mnist: folder with the four IDX files, gzipped or not (default: $NNLAB_MNIST_DIR, "
                   "else OpenML)")
    p.add_argument("--data-path", default=None, help="csv: a CSV file with a 'label' column and numeric features")
    p.add_argument("--label-column", default=None, help="csv: name of the label column (default: the column "
                   "named label, class, target, y or digit)")


# ------------------------------------------------------- what commands use
def out(*args):
    print(*args, flush=True)


def fmt(v, spec=".4f"):
    return "-" if v is None else format(v, spec)


def dataset_from_args(args):
    kwargs = {}
    if getattr(args, "data_dir", None):
        kwargs["data_dir"] = args.data_dir
    if getattr(args, "data_path", None):
        kwargs["path"] = args.data_path
    if getattr(args, "label_column", None):
        kwargs["label_column"] = args.label_column
    data = load_dataset(args.dataset, **kwargs)
    for note in data.notes if args.dataset == "csv" else []:  # e.g. how labels were mapped
        out(f"note: {note}")
    return data


def configs_from_args(args, data) -> tuple:
    """(NetworkConfig, TrainConfig) for the train command: the table's defaults,
    then the preset's settings (fitted to the data), then the flags given."""
    from nnlab.core.config import NetworkConfig, TrainConfig
    from nnlab.experiments.presets import settings

    net_cfg, train_cfg = settings(args.preset, data) if args.preset else ({}, {})
    flags = given_settings(args)
    if "optimizer" in flags and "lr" not in flags and flags["optimizer"] != train_cfg.get("optimizer"):
        train_cfg.pop("lr", None)  # another optimizer than the preset's: its own usual learning rate
    net_cfg.update({k: v for k, v in flags.items() if hyperparams.get(k).section == "network"})
    train_cfg.update({k: v for k, v in flags.items() if hyperparams.get(k).section == "train"})
    return NetworkConfig(n_inputs=data.n_features, n_outputs=data.n_classes, **net_cfg), TrainConfig(**train_cfg)


def scores_on_test(net, data):
    """Print the test accuracy and confusion matrix; return them with the validation accuracy."""
    pred = net.predict(data.X_test)
    acc = metrics.accuracy(data.y_test, pred)
    cm = metrics.confusion(data.y_test, pred, data.n_classes)
    out(f"test accuracy: {acc:.4f} ({int((pred == data.y_test).sum())}/{len(pred)})")
    out("confusion matrix (rows: true class, columns: predicted):")
    out(metrics.format_confusion(cm, data.classes))
    val_acc = net.evaluate(data.X_val, data.y_val)[1] if len(data.y_val) else None
    return {"test_accuracy": acc, "val_accuracy": val_acc, "confusion_matrix": cm.tolist()}
