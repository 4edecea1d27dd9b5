"""`python -m nnlab predict`: a CSV of feature rows in, Kaggle's submission.csv out."""
from __future__ import annotations

from nnlab.cli.common import out


def add_parser(sub):
    pr = sub.add_parser("predict", help="predict a CSV of feature rows; writes Kaggle's submission.csv")
    pr.add_argument("--model", required=True, help="model file written by train --save")
    pr.add_argument("--csv", required=True, help="CSV of rows to predict, e.g. Kaggle's test.csv (no label)")
    pr.add_argument("--out", default="submission.csv", help="where to write ImageId,Label (default submission.csv)")


def run(args):
    from nnlab import modelfile
    from nnlab.experiments import kaggle

    net, header = modelfile.load(args.model)
    text = kaggle.submission_from_csv(net, header, args.csv)
    with open(args.out, "w", newline="") as f:
        f.write(text)
    out(f"wrote {text.count(chr(10)) - 1:,} predictions to {args.out}")
    return 0
