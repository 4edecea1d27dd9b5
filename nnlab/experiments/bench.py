"""Benchmarks (``python -m nnlab bench accuracy|speed``).

They print ratios against peers measured *in the same run*, because the
machines are shared and noisy; absolute seconds mean little on their own.
"""
from __future__ import annotations

import json
import os
import time

import numpy as np

from nnlab.data.datasets import load_dataset
from nnlab.experiments import presets
from nnlab.train import engines
from nnlab.train.fast import openblas, threads


def _sklearn_mlp(data, seed, hidden, max_iter=500):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=hidden, random_state=seed, max_iter=max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(data.X_train, data.y_train)
    return float((clf.predict(data.X_test) == data.y_test).mean())


def accuracy(args, data, out):
    """Mean test accuracy over seeds on `data`: nnlab's preset for the dataset vs MLPClassifier."""
    preset = args.dataset if args.dataset in presets.PRESETS else "digits"
    p = presets.get_preset(preset)
    out(f"{data.name}: {data.sizes()}; nnlab preset {preset!r}: {p['network']} {p['train']}")
    sk_hidden = (256, 128)
    nn_acc, sk_acc, nn_secs = [], [], []
    for seed in range(args.seeds):
        from nnlab.train.trainer import Trainer

        net, cfg = presets.build(preset, data, seed=seed)
        t0 = time.perf_counter()
        trainer = Trainer(net, data, cfg)
        for _ in trainer.run():
            pass
        nn_secs.append(time.perf_counter() - t0)
        nn_acc.append(float((net.predict(data.X_test) == data.y_test).mean()))
        t0 = time.perf_counter()
        # on big sets scikit-learn gets the preset's epoch budget (its default would run 200 epochs)
        max_iter = 500 if len(data.y_train) < 10_000 else p["train"]["epochs"]
        sk_acc.append(_sklearn_mlp(data, seed, sk_hidden, max_iter))
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


def speed_trainer(data, seed=0, epochs=100, engine="fast"):
    """The speed task's network and Trainer (784-256-128-10 ReLU, Adam lr 1e-3,
    batch SPEED_BATCH) on `engine`."""
    from nnlab.core.config import NetworkConfig, TrainConfig
    from nnlab.core.network import Network
    from nnlab.train.trainer import Trainer

    net = Network(NetworkConfig(SPEED_SIZES[0], SPEED_SIZES[-1], SPEED_SIZES[1:-1], ["relu"]), seed=seed)
    return Trainer(net, data, TrainConfig(optimizer="adam", lr=1e-3, batch_size=SPEED_BATCH,
                                          epochs=epochs, seed=seed), engine=engine)


def _nnlab_contender(data, seed, engine="fast"):
    trainer = speed_trainer(data, seed, engine=engine)
    net = trainer.net

    def epoch():
        next(trainer.run(1))

    def accuracy():
        return float((net.predict(data.X_test) == data.y_test).mean())

    return epoch, accuracy, trainer


def _nnlab_peak_memory(data, seed):
    """Peak bytes allocated above the start during one training epoch (tracemalloc
    sees NumPy's allocations): per-batch buffers, optimizer state, the permutation."""
    import tracemalloc

    trainer = speed_trainer(data, seed, epochs=1)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    next(trainer.run())
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def _sklearn_contender(data, seed):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    # alpha=0: the task has no L2 penalty (MLPClassifier's default is 1e-4)
    clf = MLPClassifier(hidden_layer_sizes=tuple(SPEED_SIZES[1:-1]), activation="relu", solver="adam",
                        learning_rate_init=1e-3, batch_size=SPEED_BATCH, shuffle=True, random_state=seed,
                        alpha=0.0)
    classes = np.arange(data.n_classes)

    def epoch():  # partial_fit = one shuffled pass over the data
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.partial_fit(data.X_train, data.y_train, classes=classes)

    def accuracy():
        return float((clf.predict(data.X_test) == data.y_test).mean())

    return epoch, accuracy


def _torch_contender(data, seed):
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

    def epoch():
        perm = torch.randperm(len(X))
        Xs, ys = X[perm], y[perm]  # one shuffle per epoch
        for start in range(0, len(X), SPEED_BATCH):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xs[start:start + SPEED_BATCH]), ys[start:start + SPEED_BATCH])
            loss.backward()
            opt.step()

    def accuracy():
        with torch.no_grad():
            X_test = torch.from_numpy(np.ascontiguousarray(data.X_test, dtype=np.float32))
            return float((model(X_test).argmax(1).numpy() == data.y_test).mean())

    return epoch, accuracy, f"torch {torch.__version__}, {torch.get_num_threads()} threads"


def _median_ratio(a, b):
    return float(np.median(np.asarray(a) / np.asarray(b)))


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


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
    nn_epoch, nn_accuracy, nn_trainer = _nnlab_contender(data, 0)
    net, kernels = nn_trainer.net, engines.kernels_in_use(nn_trainer)
    ref_epoch, ref_accuracy, _ = _nnlab_contender(data, 0, engine="reference")
    # numba's fused update runs on this thread while the helper gathers the next batch
    update_threads = 1 if kernels.startswith("numba") else threads.optimizer_threads(net.n_params)
    out(f"OpenBLAS setting: {openblas.STATUS}")
    out(f"nnlab: fast engine, {kernels} element-wise kernels, optimizer update on {update_threads} "
        f"thread{'s' if update_threads > 1 else ''}" + (" (the helper thread gathers the next batch meanwhile)"
                                                         if kernels.startswith("numba") else "")
        + " (see nnlab/train/fast/); the reference engine (nnlab/train/optimizers.py) is timed too")
    sk_epoch, sk_accuracy = _sklearn_contender(data, 0)
    th_epoch, th_accuracy, th_note = _torch_contender(data, 0)
    if th_epoch is None:
        out(f"PyTorch: skipped — {th_note}")
    # The contenders take turns, epoch by epoch, so a burst of load from
    # elsewhere on a shared machine hits them alike; each one's best epoch counts.
    times = {"floor": [], "nnlab": [], "reference": [], "torch": [], "sklearn": []}
    for e in range(args.epochs):
        times["floor"].append(_gemm_floor(X, SPEED_SIZES, SPEED_BATCH, rng))
        times["nnlab"].append(_timed(nn_epoch))
        times["reference"].append(_timed(ref_epoch))
        if th_epoch:
            times["torch"].append(_timed(th_epoch))
        times["sklearn"].append(_timed(sk_epoch))
        out(f"epoch {e + 1}: " + "  ".join(f"{k} {v[-1]:.3f} s" for k, v in times.items() if v))
    best = {k: (min(v) if v else None) for k, v in times.items()}
    floor, nn_s, sk_s, th_s = best["floor"], best["nnlab"], best["sklearn"], best["torch"]
    ref_s = best["reference"]
    nn_acc, sk_acc, ref_acc = nn_accuracy(), sk_accuracy(), ref_accuracy()
    th_acc = th_accuracy() if th_epoch else None
    infer = min(_timed(lambda: net.predict_proba(data.X_test)) for _ in range(5))  # best of 5, like epochs
    peak = _nnlab_peak_memory(data, 0)
    out(f"best s/epoch over {args.epochs} epochs (lower is better):")
    out(f"  GEMM floor {floor:.3f}")
    out(f"  nnlab      {nn_s:.3f}   test accuracy {nn_acc:.4f}   inference of {len(data.y_test)} images (best of 5) "
        f"{infer * 1000:.0f} ms")
    out(f"  reference  {ref_s:.3f}   test accuracy {ref_acc:.4f}   (nnlab's textbook engine: engine=\"reference\")")
    if th_s:
        out(f"  PyTorch    {th_s:.3f}   test accuracy {th_acc:.4f}   ({th_note})")
    out(f"  sklearn    {sk_s:.3f}   test accuracy {sk_acc:.4f}   (scikit-learn {sklearn.__version__} MLPClassifier)")
    out(f"nnlab peak memory above the data during an epoch: {peak / 2 ** 20:.1f} MiB "
        f"(the training set itself: {X.nbytes / 2 ** 20:.0f} MiB)")
    result = {
        "epochs": args.epochs, "gemm_floor_s_per_epoch": floor, "all_epoch_seconds": times,
        "nnlab_s_per_epoch": nn_s, "nnlab_test_accuracy": nn_acc, "nnlab_inference_10k_s": infer,
        "nnlab_peak_epoch_memory_bytes": peak, "nnlab_update_threads": update_threads, "nnlab_kernels": kernels,
        "openblas_setting": openblas.STATUS,
        "reference_s_per_epoch": ref_s, "reference_test_accuracy": ref_acc, "reference_over_gemm_floor": ref_s / floor,
        "sklearn_s_per_epoch": sk_s, "sklearn_test_accuracy": sk_acc,
        "torch_s_per_epoch": th_s, "torch_test_accuracy": th_acc, "torch_note": th_note,
        "nnlab_over_gemm_floor": nn_s / floor, "nnlab_over_sklearn": nn_s / sk_s,
        "nnlab_over_torch": nn_s / th_s if th_s else None,
    }
    # Each round runs every contender once, back to back: the median of the
    # per-round ratios is steadier than best/best when the machine's speed drifts.
    rounds = {k: _median_ratio(times["nnlab"], v) for k, v in times.items() if k not in ("nnlab", "reference") and v}
    result.update({f"nnlab_over_{'gemm_floor' if k == 'floor' else k}_median_round": r for k, r in rounds.items()})
    names = {"floor": "GEMM floor", "torch": "PyTorch", "sklearn": "sklearn"}
    out(f"ratios, best / best: nnlab/GEMM floor {result['nnlab_over_gemm_floor']:.2f}   "
        f"nnlab/sklearn {result['nnlab_over_sklearn']:.2f}"
        + (f"   nnlab/PyTorch {result['nnlab_over_torch']:.2f}" if th_s else ""))
    out("ratios, median over rounds: " + "   ".join(f"nnlab/{names[k]} {r:.2f}" for k, r in rounds.items()))
    result["reference_over_gemm_floor_median_round"] = _median_ratio(times["reference"], times["floor"])
    out(f"reference engine: reference/GEMM floor {result['reference_over_gemm_floor']:.2f} (best / best), "
        f"{result['reference_over_gemm_floor_median_round']:.2f} (median over rounds); "
        f"reference/nnlab {ref_s / nn_s:.2f}")
    if getattr(args, "profile", False):
        from nnlab.experiments.bench_profile import profile

        result["profile"] = profile(nn_trainer, max(2, args.epochs), floor, out)
    if args.json:
        out(json.dumps(result))
    return 0
