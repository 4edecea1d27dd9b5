"""`python -m nnlab train`: train a network, print each epoch, report the test accuracy."""
from __future__ import annotations

import json

from nnlab.cli.common import (
    add_data_args,
    add_file_args,
    add_setting_args,
    configs_from_args,
    dataset_from_args,
    fmt,
    out,
    scores_on_test,
)
from nnlab.core import hyperparams


def add_parser(sub):
    t = sub.add_parser("train", help="train a network and report test accuracy")
    add_data_args(t)
    add_file_args(t)
    t.add_argument("--preset", default=None, help="start from a named preset (see nnlab/experiments/presets.py); "
                   "explicit flags override it")
    add_setting_args(t, ("network", "train", "engine"))
    t.add_argument("--save", default=None, help="save the trained model to this .npz file")
    t.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    t.add_argument("--quiet", action="store_true", help="no per-epoch lines")


def run(args):
    from nnlab.core.network import Network
    from nnlab.train.trainer import Trainer

    data = dataset_from_args(args)
    config, tcfg = configs_from_args(args, data)
    net = Network(config, seed=tcfg.seed)
    trainer = Trainer(net, data, tcfg, engine=getattr(args, "engine", None) or hyperparams.default("engine"),
                      record_grads=getattr(args, "record_grads", hyperparams.default("record_grads")))
    if not args.quiet:
        out(f"{data.name}: {data.sizes()} | {net!r} | {tcfg.optimizer} lr={tcfg.lr:g} "
            f"batch={tcfg.batch_size or 'full'}")
    log_every = max(1, tcfg.epochs // 50)
    for r in trainer.run():
        if not args.quiet and (r["epoch"] % log_every == 0 or r["stopped_reason"]):
            out(f"epoch {r['epoch']:4d}  train_loss {fmt(r['train_loss'])}  val_loss {fmt(r['val_loss'])}  "
                f"train_acc {fmt(r['train_accuracy'])}  val_acc {fmt(r['val_accuracy'])}  "
                f"{r['seconds'] * 1000:.0f} ms" + _grad_text(r))
    if trainer.message:
        out(trainer.message)
    result = trainer.summary()
    result.update(scores_on_test(net, data))
    result["n_params"] = net.n_params
    if args.save:
        from nnlab import modelfile
        modelfile.save(args.save, net, data.meta(), trainer.history, tcfg.to_dict())
        out(f"saved model to {args.save}")
        result["saved"] = args.save
    if args.json:
        out(json.dumps(result))
    return 0


def _grad_text(record) -> str:
    """With --record-grads: each layer's weight-gradient norm, first layer first."""
    norms = record.get("grad_norms")
    return "" if not norms else "  grad norms " + " ".join(f"{v:.1e}" for v in norms)
