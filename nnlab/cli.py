"""Command line: ``python -m nnlab train|evaluate|predict|gradcheck|bench|hyperparams ...``.

The ``train`` command's setting flags are generated from the settings table
(hyperparams.SETTINGS: name, choices, checks, help, default), so the CLI and the
dashboard always offer the same names.  Bad arguments exit with status 2 and one line on
stderr; errors while running (a missing file, a corrupt model) exit 1.
"""
from __future__ import annotations

import argparse
import json
import sys

from . import hyperparams, metrics
from .data import load_dataset
from .losses import LOSSES


class UsageError(Exception):
    """A bad command-line argument (exit status 2)."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump, no traceback
        raise UsageError(message)


# ------------------------------------------------------------ value parsers
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


def _setting_type(setting):
    """The argparse `type` of a setting's flag: text -> the checked value."""
    def parse(text):
        t = text.strip()
        try:
            if setting.type == "int list":
                value = [] if t.lower() in ("", "none", "0-hidden") else [int(w) for w in t.split(",")]
            elif setting.type == "choice list":
                value = t.split(",")
            elif setting.type in ("int", "float") and t.lower() not in setting.aliases:
                value = int(t) if setting.type == "int" else float(t)
            else:
                value = t.lower()
        except ValueError:
            what = "comma-separated integers like 64,32" if setting.type == "int list" else \
                f"{'an integer' if setting.type == 'int' else 'a number'}" + \
                "".join(f" or {k}" for k in setting.aliases if isinstance(k, str))
            raise argparse.ArgumentTypeError(f"{setting.flag} takes {what}, got {text!r}") from None
        try:
            return hyperparams.check(setting.name, value)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return parse


def _cli_name(choice) -> str:
    return "none" if choice is False else str(choice)


def _flag_help(s) -> str:
    if s.switch:
        default = s.label_of(s.default)
    elif s.by_optimizer:
        default = "depends on the optimizer: " + ", ".join(f"{k} {v:g}" for k, v in s.by_optimizer.items())
    elif s.default in (None, False, []):
        default = s.none or _cli_name(s.default)
    else:
        default = ",".join(map(str, s.default)) if isinstance(s.default, list) else _cli_name(s.default)
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
        elif s.type == "choice":
            extras["choices"] = [_cli_name(c) for c in s.choices]
        else:
            extras["type"] = _setting_type(s)
        p.add_argument(*names, dest=s.name, default=argparse.SUPPRESS, help=_flag_help(s), **extras)


def given_settings(args) -> dict:
    """The settings given as flags, checked and normalised."""
    return {k: hyperparams.check(k, v) for k, v in vars(args).items() if k in hyperparams.BY_NAME}


# -------------------------------------------------------------- the parser
def add_data_args(p):
    d = hyperparams.get("dataset")
    p.add_argument(d.flag, default=d.default, choices=list(d.choices), help=_flag_help(d))


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
    add_setting_args(t, ("network", "train", "engine"))
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
    g.add_argument("--hidden", type=_setting_type(hyperparams.get("hidden")), default=[5, 4],
                   help="hidden widths (default 5,4)")
    g.add_argument("--activations", "--activation", type=_setting_type(hyperparams.get("activations")),
                   default=["tanh"], help="activation of every hidden layer, or one per layer (default tanh)")
    g.add_argument("--loss", choices=list(LOSSES), default="cross_entropy")
    g.add_argument("--output", choices=["softmax", "sigmoid", "linear"], default=None)
    g.add_argument("--l2", type=_setting_type(hyperparams.get("l2")), default=0.0)
    g.add_argument("--l1", type=_setting_type(hyperparams.get("l1")), default=0.0)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--per-layer", action="store_true",
                   help="a table: each layer's W and b, entries checked, max relative error, pass/fail")
    g.add_argument("--max-checks", type=_int_range("--max-checks", 1), default=None,
                   help="compare at most this many entries per parameter array, chosen at random "
                        "(default: all; bounds the time on large networks)")
    g.add_argument("--json", action="store_true")

    h = sub.add_parser("hyperparams", help="print every setting: type, default, allowed values, help, formula")
    h.add_argument("--json", action="store_true", help="one JSON list of objects (name, type, default, help, ...)")

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
    from . import cli_runs, cli_sweep

    cli_sweep.add_parsers(sub, bsub)
    cli_runs.add_parser(sub)
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


def configs_from_args(args, data) -> tuple:
    """(NetworkConfig, TrainConfig) for the train command: the table's defaults,
    then the preset's settings (fitted to the data), then the flags given."""
    from .network import NetworkConfig
    from .presets import settings
    from .training import TrainConfig

    net_cfg, train_cfg = settings(args.preset, data) if args.preset else ({}, {})
    flags = given_settings(args)
    if "optimizer" in flags and "lr" not in flags and flags["optimizer"] != train_cfg.get("optimizer"):
        train_cfg.pop("lr", None)  # another optimizer than the preset's: its own usual learning rate
    net_cfg.update({k: v for k, v in flags.items() if hyperparams.get(k).section == "network"})
    train_cfg.update({k: v for k, v in flags.items() if hyperparams.get(k).section == "train"})
    return NetworkConfig(n_inputs=data.n_features, n_outputs=data.n_classes, **net_cfg), TrainConfig(**train_cfg)


def cmd_train(args):
    from .network import Network
    from .training import Trainer

    data = _dataset_from_args(args)
    config, tcfg = configs_from_args(args, data)
    net = Network(config, seed=tcfg.seed)
    trainer = Trainer(net, data, tcfg, engine=getattr(args, "engine", None) or hyperparams.default("engine"),
                      record_grads=getattr(args, "record_grads", hyperparams.default("record_grads")))
    if not args.quiet:
        _out(f"{data.name}: {data.sizes()} | {net!r} | {tcfg.optimizer} lr={tcfg.lr:g} "
             f"batch={tcfg.batch_size or 'full'}")
    log_every = max(1, tcfg.epochs // 50)
    for r in trainer.run():
        if not args.quiet and (r["epoch"] % log_every == 0 or r["stopped_reason"]):
            _out(f"epoch {r['epoch']:4d}  train_loss {_fmt(r['train_loss'])}  val_loss {_fmt(r['val_loss'])}  "
                 f"train_acc {_fmt(r['train_accuracy'])}  val_acc {_fmt(r['val_accuracy'])}  "
                 f"{r['seconds'] * 1000:.0f} ms" + _grad_text(r))
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


def _grad_text(record) -> str:
    """With --record-grads: each layer's weight-gradient norm, first layer first."""
    norms = record.get("grad_norms")
    return "" if not norms else "  grad norms " + " ".join(f"{v:.1e}" for v in norms)


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
    from .gradcheck import THRESHOLD, check_random_network

    res = check_random_network(hidden=args.hidden, activations=args.activations, loss=args.loss,
                               output="" if args.output in (None, "softmax") else args.output,
                               l2=args.l2, l1=args.l1, seed=args.seed, max_checks=args.max_checks)
    rows = res["per_layer"]
    if args.per_layer:
        _out(f"{'layer':10s} {'param':5s} {'entries':>9s} {'checked':>8s} {'at kinks':>8s} {'max rel. error':>15s}"
             "  result")
        for r in rows:
            _out(f"{r['layer']:10s} {r['param']:5s} {r['entries']:9,d} {r['checked']:8,d} {r['at_kinks']:8,d} "
                 f"{r['max_rel_error']:15.2e}  {'pass' if r['ok'] else 'FAIL'}")
        if any(r["at_kinks"] for r in rows):
            _out("at kinks: entries skipped because a nudge switched a ReLU unit on or off (no derivative there)")
    else:
        for name, err in res["errors"].items():
            _out(f"{name:10s} max relative error {err:.2e}")
    sampled = [r for r in rows if r["checked"] < r["entries"]]
    if sampled:
        _out(f"arrays of more than {args.max_checks} entries: {args.max_checks} of them checked, chosen at "
             f"random (seed {args.seed})")
    ok = res["max_rel_error"] < THRESHOLD
    _out(f"max relative error {res['max_rel_error']:.2e}: {'OK' if ok else 'FAILED'} (threshold {THRESHOLD:g})")
    if args.json:
        out = {"max_rel_error": res["max_rel_error"], "errors": res["errors"], "ok": ok, "threshold": THRESHOLD}
        if args.per_layer:
            out["per_layer"] = rows
        _out(json.dumps(out))
    return 0 if ok else 1


def cmd_bench(args):
    from . import bench

    if args.bench == "accuracy":
        return bench.accuracy(args, _dataset_from_args(args), _out)
    if args.bench == "sweep":
        from .cli_sweep import cmd_bench_sweep

        return cmd_bench_sweep(args)
    return bench.speed(args, _out)


def cmd_hyperparams(args):
    from .cli_hyperparams import cmd_hyperparams as run

    return run(args)


def cmd_sweep(args):
    from .cli_sweep import cmd_sweep as run

    return run(args)


def cmd_runs(args):
    from .cli_runs import run

    return run(args)


COMMANDS = {"train": cmd_train, "sweep": cmd_sweep, "hyperparams": cmd_hyperparams, "evaluate": cmd_evaluate,
            "predict": cmd_predict, "gradcheck": cmd_gradcheck, "bench": cmd_bench, "runs": cmd_runs}


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
