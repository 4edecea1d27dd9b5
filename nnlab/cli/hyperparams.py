"""`python -m nnlab hyperparams [--json]`: the settings table (nnlab/core/hyperparams.py),
as text for a reader or as one JSON list of objects."""
from __future__ import annotations

import json

from nnlab.cli.common import out
from nnlab.core import hyperparams


def add_parser(sub):
    h = sub.add_parser("hyperparams", help="print every setting: type, default, allowed values, help, formula")
    h.add_argument("--json", action="store_true", help="one JSON list of objects (name, type, default, help, ...)")


def run(args):
    if args.json:
        out(json.dumps([s.to_json() for s in hyperparams.SETTINGS], ensure_ascii=False))
        return 0
    for section in hyperparams.SECTIONS:
        out(f"{section.upper()}" + {"network": " (NetworkConfig)", "train": " (TrainConfig)",
                                     "engine": " (Trainer)"}.get(section, ""))
        for s in hyperparams.section(section):
            default = "by optimizer" if s.by_optimizer else "required" if s.required else \
                s.label_of(s.default) if s.switch else s.format(s.default)
            flag = f"  {s.flag}" if s.cli else ""
            only = f"  (only {', '.join(s.optimizers or s.losses)})" if s.optimizers or s.losses else ""
            out(f"  {s.name}: {s.type}, default {default}{flag}{only}")
            out(f"      {s.help}")
            out(f"      allowed: {s.allowed()}")
            if s.choices and not s.switch and any(s.label_of(c) != s.format(c) for c in s.choices):
                out("      shown as: " + ", ".join(f"{s.format(c)} = {s.label_of(c)}" for c in s.choices
                                                          if s.label_of(c) != s.format(c)))
            if s.by_optimizer:
                out("      default (usual range): " + ", ".join(
                    f"{k} {v:g} ({s.usual[k][0]:g}-{s.usual[k][1]:g})" for k, v in s.by_optimizer.items()))
            if s.formula:
                out(f"      formula: {s.formula}")
            if s.pending:
                out(f"      pending: {s.pending}")
        out("")
    return 0
