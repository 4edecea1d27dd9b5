"""`python -m nnlab hyperparams [--json]`: the settings table (nnlab/core/hyperparams.py),
as text for a reader or as one JSON list of objects."""
from __future__ import annotations

import json

from nnlab.core import hyperparams
from nnlab.cli.main import _cli_name, _out


def cmd_hyperparams(args):
    if args.json:
        _out(json.dumps([s.to_json() for s in hyperparams.SETTINGS], ensure_ascii=False))
        return 0
    for section in hyperparams.SECTIONS:
        _out(f"{section.upper()}" + {"network": " (NetworkConfig)", "train": " (TrainConfig)",
                                     "engine": " (Trainer)"}.get(section, ""))
        for s in hyperparams.section(section):
            default = "by optimizer" if s.by_optimizer else "required" if s.required else \
                s.label_of(s.default) if s.switch else _cli_name(s.default) if s.default is not None else "none"
            flag = f"  {s.flag}" if s.cli else ""
            only = f"  (only {', '.join(s.optimizers or s.losses)})" if s.optimizers or s.losses else ""
            _out(f"  {s.name}: {s.type}, default {default}{flag}{only}")
            _out(f"      {s.help}")
            _out(f"      allowed: {s.allowed()}")
            if s.choices and not s.switch and any(s.label_of(c) != _cli_name(c) for c in s.choices):
                _out("      shown as: " + ", ".join(f"{_cli_name(c)} = {s.label_of(c)}" for c in s.choices
                                                          if s.label_of(c) != _cli_name(c)))
            if s.by_optimizer:
                _out("      default (usual range): " + ", ".join(
                    f"{k} {v:g} ({s.usual[k][0]:g}-{s.usual[k][1]:g})" for k, v in s.by_optimizer.items()))
            if s.formula:
                _out(f"      formula: {s.formula}")
            if s.pending:
                _out(f"      pending: {s.pending}")
        _out("")
    return 0
