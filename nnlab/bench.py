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


SPEED_SIZES = [784, 256, 128, 10]
SPEED_BATCH = 128


def _gemm_floor(X, sizes, batch, rng):
    """Seconds for one epoch of the matrix products alone: per batch the forward
    products, the weight-gradient products and the input-gradient products
    (none for the first layer), into preallocated outputs — nothing else."""
    Ws = [rng.standard_normal((a, b)).astype(np.float32) * 0.05 for a, b in zip(sizes[:-1], sizes[1:])]
    outs, gWs, gins = {}, [np.empty_like(W) for W in Ws], {}
    t0 = time.perf_counter()
    for start in range(0, len(X), batch):
        x = X[start:start + batch]
        n = len(x)
        hs = [x]
        for i, W in enumerate(Ws):
            o = outs.get((i, n))
            if o is None:
                o = outs[(i, n)] = np.empty((n, W.shape[1]), np.float32)
            hs.append(np.matmul(hs[-1], W, out=o))
        g = hs[-1]
        for i in range(len(Ws) - 1, -1, -1):
            np.matmul(hs[i].T, g, out=gWs[i])
            if i > 0:
                gi = gins.get((i, n))
                if gi is None:
                    gi = gins[(i, n)] = np.empty((n, Ws[i].shape[0]), np.float32)
                g = np.matmul(g, Ws[i].T, out=gi)
    return time.perf_counter() - t0


def _nnlab_speed(data, epochs, seed):
    from .network import Network, NetworkConfig
    from .training import Trainer, TrainConfig

    net = Network(NetworkConfig(SPEED_SIZES[0], SPEED_SIZES[-1], SPEED_SIZES[1:-1], ["relu"]), seed=seed)
    trainer = Trainer(net, data, TrainConfig(optimizer="adam", lr=1e-3, batch_size=SPEED_BATCH, epochs=epochs, seed=seed))
    secs = [r["seconds"] for r in trainer.run()]
    acc = float((net.predict(data.X_test) == data.y_test).mean())
    t0 = time.perf_counter()
    net.predict_proba(data.X_test)
    infer = time.perf_counter() - t0
    return float(np.mean(secs)), acc, infer, net


def _nnlab_peak_memory(data, seed):
    """Peak bytes allocated above the start during one training epoch (tracemalloc
    sees NumPy's allocations): the one shuffled copy plus per-batch buffers."""
    import tracemalloc
    from .network import Network, NetworkConfig
    from .training import Trainer, TrainConfig

    net = Network(NetworkConfig(SPEED_SIZES[0], SPEED_SIZES[-1], SPEED_SIZES[1:-1], ["relu"]), seed=seed)
    trainer = Trainer(net, data, TrainConfig(optimizer="adam", lr=1e-3, batch_size=SPEED_BATCH, epochs=1, seed=seed))
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    next(trainer.run())
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def _sklearn_speed(data, epochs, seed):
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=tuple(SPEED_SIZES[1:-1]), activation="relu", solver="adam",
                        learning_rate_init=1e-3, batch_size=SPEED_BATCH, max_iter=epochs, shuffle=True,
                        tol=0.0, n_iter_no_change=10 ** 6, random_state=seed)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(data.X_train, data.y_train)
    secs = (time.perf_counter() - t0) / epochs
    return secs, float((clf.predict(data.X_test) == data.y_test).mean())


def _torch_speed(data, epochs, seed):
    try:
        import torch
    except ImportError:
        return None, None, "PyTorch is not installed (optional: pip install torch==2.13.0)"
    torch.manual_seed(seed)
    torch.set_num_threads(os.cpu_count() or 1)
    layers = []
    for i, (a, b) in enumerate(zip(SPEED_SIZES[:-1], SPEED_SIZES[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(SPEED_SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    X = torch.from_numpy(np.ascontiguousarray(data.X_train, dtype=np.float32))
    y = torch.from_numpy(data.y_train.astype(np.int64))
    secs = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(len(X))
        Xs, ys = X[perm], y[perm]  # one shuffle per epoch, as nnlab does
        for start in range(0, len(X), SPEED_BATCH):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xs[start:start + SPEED_BATCH]), ys[start:start + SPEED_BATCH])
            loss.backward()
            opt.step()
        secs.append(time.perf_counter() - t0)
    with torch.no_grad():
        pred = model(torch.from_numpy(np.ascontiguousarray(data.X_test, dtype=np.float32))).argmax(1).numpy()
    return float(np.mean(secs)), float((pred == data.y_test).mean()), f"torch {torch.__version__}"


def speed(args, out):
    """Seconds per epoch for the same task in nnlab, scikit-learn and PyTorch,
    beside the GEMM floor, all measured in this one run."""
    import sklearn
    from threadpoolctl import threadpool_info

    data = load_dataset("mnist", data_dir=args.data_dir, val_size=0)
    blas = ", ".join(f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads, {i.get('architecture')})"
                     for i in threadpool_info() if i["user_api"] == "blas")
    out(f"task: MNIST {len(data.y_train)} train / {len(data.y_test)} test, "
        f"{'-'.join(map(str, SPEED_SIZES))} ReLU, softmax cross-entropy, Adam lr 1e-3, batch {SPEED_BATCH}, "
        f"float32, {args.epochs} epochs; {os.cpu_count()} cores; BLAS: {blas}")
    rng = np.random.default_rng(0)
    X = np.ascontiguousarray(data.X_train, dtype=np.float32)
    _gemm_floor(X[:SPEED_BATCH * 20], SPEED_SIZES, SPEED_BATCH, rng)  # warm up
    floor = min(_gemm_floor(X, SPEED_SIZES, SPEED_BATCH, rng) for _ in range(2))
    out(f"GEMM floor: {floor:.3f} s/epoch")
    nn_s, nn_acc, infer, _ = _nnlab_speed(data, args.epochs, 0)
    out(f"nnlab:   {nn_s:.3f} s/epoch  test accuracy {nn_acc:.4f}  (inference of {len(data.y_test)} images: "
        f"{infer * 1000:.0f} ms)")
    th_s, th_acc, th_note = _torch_speed(data, args.epochs, 0)
    out(f"PyTorch: {th_s:.3f} s/epoch  test accuracy {th_acc:.4f}  ({th_note})" if th_s else f"PyTorch: skipped — {th_note}")
    sk_s, sk_acc = _sklearn_speed(data, args.epochs, 0)
    out(f"sklearn: {sk_s:.3f} s/epoch  test accuracy {sk_acc:.4f}  (scikit-learn {sklearn.__version__} MLPClassifier)")
    peak = _nnlab_peak_memory(data, 0)
    out(f"nnlab peak memory above the data during an epoch: {peak / 2 ** 20:.0f} MiB "
        f"(the training set itself: {X.nbytes / 2 ** 20:.0f} MiB)")
    result = {
        "epochs": args.epochs, "gemm_floor_s_per_epoch": floor,
        "nnlab_s_per_epoch": nn_s, "nnlab_test_accuracy": nn_acc, "nnlab_inference_10k_s": infer,
        "nnlab_peak_epoch_memory_bytes": peak,
        "sklearn_s_per_epoch": sk_s, "sklearn_test_accuracy": sk_acc,
        "torch_s_per_epoch": th_s, "torch_test_accuracy": th_acc, "torch_note": th_note,
        "nnlab_over_gemm_floor": nn_s / floor, "nnlab_over_sklearn": nn_s / sk_s,
        "nnlab_over_torch": nn_s / th_s if th_s else None,
    }
    out(f"ratios: nnlab/GEMM floor {result['nnlab_over_gemm_floor']:.2f}   nnlab/sklearn {result['nnlab_over_sklearn']:.2f}"
        + (f"   nnlab/PyTorch {result['nnlab_over_torch']:.2f}" if th_s else ""))
    if args.json:
        out(json.dumps(result))
    return 0
