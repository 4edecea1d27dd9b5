"""The API form: a script that retrains a run's model with nnlab, the same numbers.

Network(config, seed) and Trainer(net, data, config, engine) given the same
settings, data and engine compute the same history to the last digit
(tests/test_codegen.py runs the script and compares)."""
from __future__ import annotations

from nnlab.core import hyperparams
from nnlab.experiments.codegen.text import header_lines

TEMPLATE = '''\
{header}
# Retrains this run's model with nnlab (pip install the nnlab folder, or run this
# from the folder that holds nnlab/): the same settings, data, seed and engine give
# the same history, to the last digit.  --history FILE saves it as JSON.
import argparse
import json

import nnlab  # noqa: F401  (first: it sets OpenBLAS up before NumPy loads it)
from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.data.datasets import load_dataset
from nnlab.train.trainer import Trainer

{path_line}ENGINE = {engine!r}  # "fast" or "reference": the same rules, computed two ways


def number(value, times=1):
    return "-" if value is None else f"{{times * value:.4f}}" if times == 1 else f"{{times * value:.2f}}%"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
{path_arg}    parser.add_argument("--history", help="write the history (one record per epoch) to this JSON file")
    args = parser.parse_args()
    data = {load}
    network = NetworkConfig(
        n_inputs=data.n_features, n_outputs=data.n_classes,
{network}
    )
    train = TrainConfig(
{train}
    )
    net = Network(network, seed=train.seed)
    trainer = Trainer(net, data, train, engine=ENGINE)
    for r in trainer.run():  # one record per epoch
        print(f"epoch {{r['epoch']:4d}}  train loss {{number(r['train_loss'])}}  "
              f"val loss {{number(r['val_loss'])}}  val accuracy {{number(r['val_accuracy'], 100)}}")
    print(trainer.message)
    if args.history:
        keys = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "lr")
        with open(args.history, "w") as f:
            json.dump([{{k: r.get(k) for k in keys}} for r in trainer.history], f)
    _, accuracy = net.evaluate(data.X_val, data.y_val)  # the final model (the best, with early stopping)
    print(f"validation accuracy {{100 * accuracy:.2f}}%")


if __name__ == "__main__":
    main()
'''

_LOADS = {
    "digits": "load_dataset('digits')",
    "mnist": "load_dataset('mnist', data_dir=args.data)",
    "csv": "load_dataset('csv', path=args.data{label})",
}
_PATH_HELP = {"mnist": "the folder with the four MNIST IDX files (None: from OpenML)",
              "csv": "the labelled CSV file"}


def _fields(section: str, values: dict) -> str:
    """One `name=value,` line per field, in the settings table's order, values as repr();
    an optimizer's own settings only for that optimizer."""
    opt = values.get("optimizer")
    names = [s.name for s in hyperparams.section(section)
             if s.name in values and (not s.optimizers or opt in s.optimizers)]
    return "\n".join(f"        {k}={values[k]!r}," for k in names)


def render(setup) -> str:
    path_line = path_arg = ""
    if setup.dataset != "digits":
        path = setup.data_path if setup.dataset == "mnist" else setup.path  # MNIST: None = from OpenML
        path_line = f"DATA = {path!r}  # {_PATH_HELP[setup.dataset]}\n"
        path_arg = (f"    parser.add_argument(\"data\", nargs=\"?\", default=DATA, "
                    f"help={_PATH_HELP[setup.dataset]!r})\n")
    label = f", label_column={setup.label_column!r}" if setup.label_column else ""
    return TEMPLATE.format(
        header=header_lines(setup, "with nnlab's API"),
        path_line=path_line, path_arg=path_arg, engine=setup.engine,
        load=_LOADS[setup.dataset].format(label=label),
        network=_fields("network", setup.network), train=_fields("train", setup.train))

