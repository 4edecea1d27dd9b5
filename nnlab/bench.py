"""Benchmarks (``python -m nnlab bench accuracy|speed``).

They print ratios against peers measured *in the same run*, because the
machines are shared and noisy; absolute seconds mean little on their own.
"""
from __future__ import annotations

import json
import os
import time

import numpy as np

from . import presets
from .data import load_dataset


def _load(args, **kwargs):
    if getattr(args, "data_dir", None):
        kwargs["data_dir"] = args.data_dir
    return load_dataset(args.dataset, **kwargs)


def _sklearn_mlp(data, seed, hidden):
    from sklearn.neural_network import MLPClassifier
    import warnings
    from sklearn.exceptions import ConvergenceWarning

    clf = MLPClassifier(hidden_layer_sizes=hidden, random_state=seed, max_iter=500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(data.X_train, data.y_train)
    return float((clf.predict(data.X_test) == data.y_test).mean())


def accuracy(args, out):
    """Mean test accuracy over seeds: nnlab's preset for the dataset vs MLPClassifier."""
    data = _load(args)
    preset = args.dataset if args.dataset in presets.PRESETS else "digits"
    p = presets.get_preset(preset)
    out(f"{data.name}: {data.sizes()}; nnlab preset {preset!r}: {p['network']} {p['train']}")
    sk_hidden = (256, 128)
    nn_acc, sk_acc, nn_secs = [], [], []
    for seed in range(args.seeds):
        from .training import Trainer

        net, cfg = presets.build(preset, data, seed=seed)
        t0 = time.perf_counter()
        trainer = Trainer(net, data, cfg)
        for _ in trainer.run():
            pass
        nn_secs.append(time.perf_counter() - t0)
        nn_acc.append(float((net.predict(data.X_test) == data.y_test).mean()))
        t0 = time.perf_counter()
        sk_acc.append(_sklearn_mlp(data, seed, sk_hidden))
        out(f"seed {seed}: nnlab {nn_acc[-1]:.4f} ({nn_secs[-1]:.1f} s, {trainer.epoch} epochs)   "
            f"sklearn MLPClassifier{sk_hidden} {sk_acc[-1]:.4f} ({time.perf_counter() - t0:.1f} s)")
    result = {
        "dataset": data.name, "seeds": args.seeds, "preset": preset,
        "nnlab_mean_test_accuracy": float(np.mean(nn_acc)), "nnlab_std_test_accuracy": float(np.std(nn_acc)),
        "nnlab_test_accuracies": nn_acc, "nnlab_mean_train_seconds": float(np.mean(nn_secs)),
        "sklearn_mean_test_accuracy": float(np.mean(sk_acc)), "sklearn_test_accuracies": sk_acc,
        "sklearn_hidden_layer_sizes": list(sk_hidden),
    }
    out(f"mean test accuracy over {args.seeds} seeds: nnlab {result['nnlab_mean_test_accuracy']:.4f} "
        f"(std {result['nnlab_std_test_accuracy']:.4f})   sklearn {result['sklearn_mean_test_accuracy']:.4f}")
    if args.json:
        out(json.dumps(result))
    return 0


def speed(args, out):  # filled in by the speed work
    raise ValueError("bench speed is not available yet")
