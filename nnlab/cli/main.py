"""Command line: ``python -m nnlab train|evaluate|predict|gradcheck|hyperparams|bench|sweep|code|runs ...``.

One module per command, each with ``add_parser(sub)`` and ``run(args)``; what they
share (the setting flags generated from the settings table, the data flags, printing)
is in common.py.  Bad arguments exit with status 2 and one line on stderr; errors
while running (a missing file, a corrupt model) exit 1.
"""
from __future__ import annotations

import sys

from nnlab.cli import bench, code, evaluate, gradcheck, hyperparams, predict, runs, sweep, train
from nnlab.cli.common import Parser, UsageError

# in the order `python -m nnlab --help` lists them
COMMANDS = {"train": train, "evaluate": evaluate, "predict": predict, "gradcheck": gradcheck,
            "hyperparams": hyperparams, "bench": bench, "sweep": sweep, "code": code,
            "runs": runs}


def build_parser() -> Parser:
    parser = Parser(prog="python -m nnlab", description="nnlab: a neural network from scratch in NumPy")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS.values():
        command.add_parser(sub)
    return parser


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command].run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, OSError) as e:  # ModelFileError and data errors are ValueErrors
        from nnlab.modelfile import ModelFileError

        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        print(f"error: {msg}", file=sys.stderr)
        return 1 if isinstance(e, (ModelFileError, OSError)) else 2
