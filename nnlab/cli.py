"""Command line: ``python -m nnlab train|evaluate|predict|gradcheck|bench ...``.

Every choice list comes from a registry, so the CLI and the dashboard always
offer the same names.  Bad arguments exit with status 2 and one line on
stderr; errors while running (a missing file, a corrupt model) exit 1.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np

from . import metrics
from .activations import ACTIVATIONS, check_activation
from .augment import AUGMENTATIONS
from .data import DATASETS, load_dataset
from .engines import DEFAULT_ENGINE, ENGINES
from .initializers import INITIALIZERS
from .losses import LOSSES
from .optimizers import DEFAULT_LR, OPTIMIZERS


class UsageError(Exception):
    """A bad command-line argument (exit status 2)."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump, no traceback
        raise UsageError(message)


# ------------------------------------------------------------ value parsers
def _float(name, positive=False):
    """A finite number, > 0 if `positive` else >= 0."""
    def parse(s):
        try:
            v = float(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {s!r}") from None
        if not math.isfinite(v) or v < 0 or (positive and v == 0):
            raise argparse.ArgumentTypeError(f"{name} must be {'a positive number' if positive else '>= 0'}, got {s}")
        return v
    return parse


def _positive_float(name):
    return _float(name, positive=True)


def _nonneg_float(name):
    return _float(name)


def _int_range(name, lo, hi=None):
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


def _widths(s):
    s = s.strip()
    if s in ("", "none", "0-hidden"):
        return []
    out = []
    for part in s.split(","):
        try:
            w = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"--hidden takes comma-separated integers like 64,32, got {s!r}") from None
        if w < 1:
            raise argparse.ArgumentTypeError(f"every hidden width must be at least 1, got {w}")
        out.append(w)
    return out


def _activation(s):
    try:
        return check_activation(s)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _activations(s):
    return [_activation(a) for a in s.split(",")]


def _batch_size(s):
    if s == "unset":  # argparse passes a string default through `type` too
        return s
    if s.strip().lower() in ("full", "0"):
        return None
    return _int_range("--batch-size", 1)(s)


# -------------------------------------------------------------- the parser
def add_data_args(p):
    p.add_argument("--dataset", default="digits", choices=list(DATASETS),
                   help="dataset to use (default: digits, which ships with scikit-learn)")


def add_file_args(p):
    """Where the mnist and csv datasets come from (train and evaluate)."""
    p.add_argument("--data-dir", default=None,
                   help="mnist: folder with the four IDX files, gzipped or not (default: $NNLAB_MNIST_DIR, "
                   "else OpenML)")
    p.add_argument("--data-path", default=None, help="csv: a CSV file with a 'label' column and numeric features")
    p.add_argument("--label-column", default=None, help="csv: name of the label column (default: the column "
                   "named label, class, target, y or digit)")


def build_parser() -> Parser:
    parser = Parser(prog="python -m nnlab", description="nnlab: a neural network from scratch in NumPy")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    t = sub.add_parser("train", help="train a network and report test accuracy")
    add_data_args(t)
    add_file_args(t)
    t.add_argument("--preset", default=None, help="start from a named preset (see nnlab/presets.py); "
                   "explicit flags override it")
    t.add_argument("--hidden", type=_widths, default=None, help="hidden layer widths, e.g. 64,32 (default 64)")
    t.add_argument("--activation", type=_activation, default=None,
                   help=f"activation for every hidden layer: {', '.join(ACTIVATIONS)} (default relu)")
    t.add_argument("--activations", type=_activations, default=None,
                   help="one activation per hidden layer, e.g. relu,tanh (overrides --activation)")
    t.add_argument("--loss", choices=list(LOSSES), default=None, help="cross_entropy (softmax) or mse")
    t.add_argument("--output", choices=["softmax", "sigmoid", "linear"], default=None,
                   help="output activation for mse: sigmoid (default) or linear")
    t.add_argument("--init", choices=["auto", *INITIALIZERS], default=None, help="weight initializer (default auto)")
    t.add_argument("--optimizer", choices=list(OPTIMIZERS), default=None, help="optimizer (default adam)")
    t.add_argument("--lr", type=_positive_float("--lr"), default=None,
                   help="learning rate (default depends on the optimizer: " +
                   ", ".join(f"{k} {v:g}" for k, v in DEFAULT_LR.items()) + ")")
    t.add_argument("--momentum", type=_nonneg_float("--momentum"), default=None, help="momentum (default 0.9)")
    t.add_argument("--beta1", type=_nonneg_float("--beta1"), default=None, help="Adam beta1 (default 0.9)")
    t.add_argument("--beta2", type=_nonneg_float("--beta2"), default=None, help="Adam beta2 (default 0.999)")
    t.add_argument("--rho", type=_nonneg_float("--rho"), default=None, help="RMSprop decay (default 0.9)")
    t.add_argument("--eps", type=_positive_float("--eps"), default=None, help="epsilon of Adam/RMSprop (1e-8)")
    t.add_argument("--batch-size", type=_batch_size, default="unset", help="mini-batch size, or 'full' (default 32)")
    t.add_argument("--epochs", type=_int_range("--epochs", 1, 100_000), default=None, help="maximum epochs (default 50)")
    t.add_argument("--l2", type=_nonneg_float("--l2"), default=None, help="L2 strength lambda (lambda/(2N) sum W^2)")
    t.add_argument("--l1", type=_nonneg_float("--l1"), default=None, help="L1 strength (lambda/N sum |W|)")
    t.add_argument("--dropout", type=_nonneg_float("--dropout"), default=None, help="dropout rate after hidden layers, in [0, 1)")
    t.add_argument("--patience", type=_int_range("--patience", 0), default=None,
                   help="early stopping: epochs without a better validation loss (0 = off)")
    t.add_argument("--lr-schedule", choices=["constant", "cosine"], default=None, help="learning-rate schedule")
    t.add_argument("--augment", nargs="?", const="shift", default=None, choices=["none", *AUGMENTATIONS],
                   help="change training images each epoch: shift (+-1 pixel, the default of a bare --augment) or "
                        "affine (turned, slanted, stretched, moved)")
    t.add_argument("--seed", type=int, default=0, help="one integer seed for everything (default 0)")
    t.add_argument("--engine", choices=list(ENGINES), default=DEFAULT_ENGINE, help="fast (default) or reference (textbook code, same numbers)")
    t.add_argument("--save", default=None, help="save the trained model to this .npz file")
    t.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    t.add_argument("--quiet", action="store_true", help="no per-epoch lines")

    e = sub.add_parser("evaluate", help="evaluate a saved model on a dataset's test split")
    e.add_argument("--model", required=True, help="model file written by train --save")
    add_data_args(e)
    add_file_args(e)
    e.add_argument("--json", action="store_true", help="print one JSON object as the last line")

    pr = sub.add_parser("predict", help="predict a CSV of feature rows; writes Kaggle's submission.csv")
    pr.add_argument("--model", required=True, help="model file written by train --save")
    pr.add_argument("--csv", required=True, help="CSV of rows to predict, e.g. Kaggle's test.csv (no label)")
    pr.add_argument("--out", default="submission.csv", help="where to write ImageId,Label (default submission.csv)")

    g = sub.add_parser("gradcheck", help="check backward against central differences (float64)")
    g.add_argument("--hidden", type=_widths, default=[5, 4], help="hidden widths (default 5,4)")
    g.add_argument("--activation", type=_activation, default="tanh", help="activation of every hidden layer")
    g.add_argument("--activations", type=_activations, default=None, help="one activation per hidden layer")
    g.add_argument("--loss", choices=list(LOSSES), default="cross_entropy")
    g.add_argument("--output", choices=["softmax", "sigmoid", "linear"], default=None)
    g.add_argument("--l2", type=_nonneg_float("--l2"), default=0.0)
    g.add_argument("--l1", type=_nonneg_float("--l1"), default=0.0)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--json", action="store_true")

    b = sub.add_parser("bench", help="benchmarks against scikit-learn (and PyTorch)")
    bsub = b.add_subparsers(dest="bench", required=True, parser_class=Parser)
    ba = bsub.add_parser("accuracy", help="mean test accuracy of the preset vs MLPClassifier over seeds")
    add_data_args(ba)
    ba.add_argument("--seeds", type=_int_range("--seeds", 1, 100), default=5)
    ba.add_argument("--json", action="store_true")
    bs = bsub.add_parser("speed", help="seconds per epoch: nnlab vs scikit-learn vs PyTorch vs GEMM floor")
    bs.add_argument("--epochs", type=_int_range("--epochs", 1, 100), default=2)
    bs.add_argument("--json", action="store_true")
    for p in (ba, bs):
        p.add_argument("--data-dir", default=None, help="folder with the MNIST IDX files")
    return parser


# ---------------------------------------------------------------- commands
def _out(*args):
    print(*args, flush=True)


def _fmt(v, spec=".4f"):
    return "-" if v is None else format(v, spec)


def _dataset_from_args(args):
    kwargs = {}
    if getattr(args, "data_dir", None):
        kwargs["data_dir"] = args.data_dir
    if getattr(args, "data_path", None):
        kwargs["path"] = args.data_path
    if getattr(args, "label_column", None):
        kwargs["label_column"] = args.label_column
    data = load_dataset(args.dataset, **kwargs)
    for note in data.notes if args.dataset == "csv" else []:  # e.g. how labels were mapped
        _out(f"note: {note}")
    return data


def cmd_train(args):
    from .network import Network, NetworkConfig
    from .presets import get_preset
    from .training import Trainer, TrainConfig

    data = _dataset_from_args(args)
    preset = get_preset(args.preset) if args.preset else {"network": {}, "train": {}}
    net_cfg = {"hidden": [64], "activations": ["relu"], **preset["network"]}
    for key, value in (("hidden", args.hidden), ("loss", args.loss), ("output", args.output),
                       ("init", args.init), ("dropout", args.dropout)):
        if value is not None:
            net_cfg[key] = value
    if args.output == "softmax":
        net_cfg["output"] = ""
    if args.activations is not None:
        net_cfg["activations"] = args.activations
    elif args.activation is not None:
        net_cfg["activations"] = [args.activation]
    config = NetworkConfig(n_inputs=data.n_features, n_outputs=data.n_classes, **net_cfg)

    train_cfg = {"optimizer": "adam", "batch_size": 32, "epochs": 50, **preset["train"], "seed": args.seed}
    for key in ("optimizer", "lr", "momentum", "beta1", "beta2", "rho", "eps", "epochs", "l2", "l1",
                "patience", "lr_schedule", "augment"):
        value = getattr(args, key)
        if value is not None:
            train_cfg[key] = value
    if args.batch_size != "unset":
        train_cfg["batch_size"] = args.batch_size
    if args.lr is None and not preset["train"].get("lr"):
        train_cfg["lr"] = DEFAULT_LR[train_cfg["optimizer"]]
    tcfg = TrainConfig(**train_cfg)

    net = Network(config, seed=args.seed)
    trainer = Trainer(net, data, tcfg, engine=args.engine)
    if not args.quiet:
        _out(f"{data.name}: {data.sizes()} | {net!r} | {tcfg.optimizer} lr={tcfg.lr:g} "
             f"batch={tcfg.batch_size or 'full'}")
    log_every = max(1, tcfg.epochs // 50)
    for r in trainer.run():
        if not args.quiet and (r["epoch"] % log_every == 0 or r["stopped_reason"]):
            _out(f"epoch {r['epoch']:4d}  train_loss {_fmt(r['train_loss'])}  val_loss {_fmt(r['val_loss'])}  "
                 f"train_acc {_fmt(r['train_accuracy'])}  val_acc {_fmt(r['val_accuracy'])}  "
                 f"{r['seconds'] * 1000:.0f} ms")
    if trainer.message:
        _out(trainer.message)
    result = trainer.summary()
    result.update(_test_report(net, data))
    result["n_params"] = net.n_params
    if args.save:
        from . import modelfile
        modelfile.save(args.save, net, data.meta(), trainer.history, tcfg.to_dict())
        _out(f"saved model to {args.save}")
        result["saved"] = args.save
    if args.json:
        _out(json.dumps(result))
    return 0


def _test_report(net, data):
    """Print the test accuracy and confusion matrix; return them with the validation accuracy."""
    pred = net.predict(data.X_test)
    acc = metrics.accuracy(data.y_test, pred)
    cm = metrics.confusion(data.y_test, pred, data.n_classes)
    _out(f"test accuracy: {acc:.4f} ({int((pred == data.y_test).sum())}/{len(pred)})")
    _out("confusion matrix (rows: true class, columns: predicted):")
    _out(metrics.format_confusion(cm, data.classes))
    val_acc = net.evaluate(data.X_val, data.y_val)[1] if len(data.y_val) else None
    return {"test_accuracy": acc, "val_accuracy": val_acc, "confusion_matrix": cm.tolist()}


def cmd_evaluate(args):
    from . import modelfile

    net, header = modelfile.load(args.model)
    data = _dataset_from_args(args)
    modelfile.check_compatible(header, net, data)
    result = _test_report(net, data)
    result["model"] = args.model
    if args.json:
        _out(json.dumps(result))
    return 0


def cmd_predict(args):
    from . import kaggle, modelfile

    net, header = modelfile.load(args.model)
    text = kaggle.submission_from_csv(net, header, args.csv)
    with open(args.out, "w", newline="") as f:
        f.write(text)
    _out(f"wrote {text.count(chr(10)) - 1:,} predictions to {args.out}")
    return 0


def cmd_gradcheck(args):
    from .gradcheck import check_random_network

    acts = args.activations or [args.activation]
    res = check_random_network(hidden=args.hidden, activations=acts, loss=args.loss,
                               output="" if args.output in (None, "softmax") else args.output,
                               l2=args.l2, l1=args.l1, seed=args.seed)
    for name, err in res["errors"].items():
        _out(f"{name:10s} max relative error {err:.2e}")
    ok = res["max_rel_error"] < 1e-6
    _out(f"max relative error {res['max_rel_error']:.2e}: {'OK' if ok else 'FAILED'} (threshold 1e-6)")
    if args.json:
        _out(json.dumps({"max_rel_error": res["max_rel_error"], "errors": res["errors"], "ok": ok}))
    return 0 if ok else 1


def cmd_bench(args):
    from . import bench

    if args.bench == "accuracy":
        return bench.accuracy(args, _dataset_from_args(args), _out)
    return bench.speed(args, _out)


COMMANDS = {"train": cmd_train, "evaluate": cmd_evaluate, "predict": cmd_predict, "gradcheck": cmd_gradcheck,
            "bench": cmd_bench}


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, OSError) as e:  # ModelFileError and data errors are ValueErrors
        from .modelfile import ModelFileError

        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        print(f"error: {msg}", file=sys.stderr)
        return 1 if isinstance(e, (ModelFileError, OSError)) else 2
