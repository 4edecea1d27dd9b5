"""Small synthetic data files for the tests/test_data_*.py tests (not a test module)."""
from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
# The real MNIST files live beside the repository: <repo>/../shared/data/mnist.
MNIST_DIR = Path(os.environ.get("NNLAB_TEST_MNIST_DIR") or REPO.parent / "shared" / "data" / "mnist")


def have_mnist() -> bool:
    names = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    return all((MNIST_DIR / n).exists() or (MNIST_DIR / (n + ".gz")).exists() for n in names)


def idx_bytes(arr: np.ndarray) -> bytes:
    """IDX encoding of a uint8 array."""
    arr = np.asarray(arr, dtype=np.uint8)
    return bytes([0, 0, 0x08, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()


def write_mnist_folder(folder: Path, n_train=60, n_test=20, side=28, gz=True, seed=0) -> Path:
    """Four tiny MNIST-format files (random images, labels 0..9 cycling)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        imgs = rng.integers(0, 256, size=(n, side, side), dtype=np.uint8)
        labels = (np.arange(n) % 10).astype(np.uint8)
        for kind, arr in (("images-idx3", imgs), ("labels-idx1", labels)):
            name = f"{prefix}-{kind}-ubyte"
            raw = idx_bytes(arr)
            if gz:
                (folder / (name + ".gz")).write_bytes(gzip.compress(raw))
            else:
                (folder / name).write_bytes(raw)
    return folder


def csv_bytes(X, y=None, label="label", prefix="pixel") -> bytes:
    """A CSV like Kaggle's train.csv (label first) or test.csv (y=None)."""
    X = np.asarray(X)
    cols = [f"{prefix}{i}" for i in range(X.shape[1])]
    lines = [",".join(([label] if y is not None else []) + cols)]
    for i, row in enumerate(X):
        vals = [str(v) for v in row.tolist()]
        lines.append(",".join(([str(y[i])] if y is not None else []) + vals))
    return ("\n".join(lines) + "\n").encode()


def image_csv(n=40, side=8, vmax=16, k=4, seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    X = rng.integers(0, vmax + 1, size=(n, side * side))
    return csv_bytes(X, np.arange(n) % k)


def feature_csv(n=40, d=3, k=3, seed=0) -> bytes:
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, d)), 3)
    return csv_bytes(X, np.arange(n) % k, prefix="f")
