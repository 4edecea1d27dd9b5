"""`python -m nnlab evaluate`: a saved model on a dataset's test split."""
from __future__ import annotations

import json

from nnlab.cli.common import add_data_args, add_file_args, dataset_from_args, out, scores_on_test


def add_parser(sub):
    e = sub.add_parser("evaluate", help="evaluate a saved model on a dataset's test split")
    e.add_argument("--model", required=True, help="model file written by train --save")
    add_data_args(e)
    add_file_args(e)
    e.add_argument("--json", action="store_true", help="print one JSON object as the last line")


def run(args):
    from nnlab import modelfile

    net, header = modelfile.load(args.model)
    data = dataset_from_args(args)
    modelfile.check_compatible(header, net, data)
    result = scores_on_test(net, data)
    result["model"] = args.model
    if args.json:
        out(json.dumps(result))
    return 0
