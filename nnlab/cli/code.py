"""``python -m nnlab code --model FILE [--standalone]``: print the script of a saved model's run.

The model file holds its settings (network, training, dataset); the script
retrains that model with nnlab's API, or (--standalone) in NumPy alone
(nnlab/experiments/codegen, docs/code.md).  Exit 1 with one line for a file that is not a
model or holds no training settings."""
from __future__ import annotations

import sys

from nnlab.core.hyperparams import get as setting


def add_parser(sub):
    p = sub.add_parser("code", help="print a runnable Python script that retrains a saved model's run "
                                    "(nnlab's API, or --standalone: NumPy and scikit-learn only)")
    p.add_argument("--model", required=True, help="model file written by train --save or the app's Download")
    p.add_argument("--standalone", action="store_true",
                   help="the forward pass, backward pass, loss and optimizer written out in NumPy (no nnlab)")
    p.add_argument("--engine", choices=list(setting("engine").choices), default=setting("engine").default,
                   help="the engine the API form trains with (default: %(default)s)")
    p.add_argument("--data-path", default=None,
                   help="the CSV file or MNIST folder the script reads (default: train.csv / mnist; "
                        "the script's first argument overrides it)")
    p.add_argument("--label-column", default=None,
                   help="the CSV's label column (default: the column named label, class, target, y or digit)")
    p.add_argument("--out", default=None, help="write the script to this file instead of printing it")
    return p


def run(args) -> int:
    from nnlab import modelfile
    from nnlab.experiments import codegen

    _, header = modelfile.load(args.model)  # ModelFileError (a ValueError): main() says it in one line
    try:
        setup = codegen.Setup.from_header(header, engine=args.engine, data_path=args.data_path,
                                          label_column=args.label_column)
    except ValueError as e:
        raise modelfile.ModelFileError(str(e)) from None
    code = codegen.script(setup, standalone=args.standalone)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(code)
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(code)
    return 0
