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


# ----------------------------------------------------------- hostile model files
def _npy(shape, descr="<f4", data=b"", version=(1, 0)) -> bytes:
    """A .npy entry whose header declares `shape`/`descr`, followed by `data` (whatever it is)."""
    header = repr({"descr": descr, "fortran_order": False, "shape": tuple(shape)}).encode()
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    return b"\x93NUMPY" + bytes(version) + len(header).to_bytes(2, "little") + header + data


def _config_entry(header: dict | str) -> bytes:
    import json

    text = header if isinstance(header, str) else json.dumps(header)
    return _npy((), f"<U{max(1, len(text))}", text.encode("utf-32-le"))


def npz_bytes(entries: dict, compress=True) -> bytes:
    """A zip of raw entries (name -> bytes), as np.savez writes them, with no checks of our own."""
    import io
    import zipfile

    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name + ".npy", data)
    return buf.getvalue()


def hostile_model_files() -> dict:
    """Model files made to exhaust the loader (each was a traceback or gigabytes
    of memory before nnlab checked declared sizes first), by what they attempt."""
    def header(hidden, n_inputs=64, n_outputs=10, **extra):
        return {"format": "nnlab-model", "version": 1,
                "network": {"n_inputs": n_inputs, "n_outputs": n_outputs, "hidden": hidden,
                            "activations": ["relu"]}, **extra}

    small = header([12])
    ok_weights = {"dense0.W": _npy((64, 12), data=bytes(64 * 12 * 4)), "dense0.b": _npy((12,), data=bytes(48)),
                  "dense1.W": _npy((12, 10), data=bytes(480)), "dense1.b": _npy((10,), data=bytes(40))}
    zeros = bytes(2 ** 28)  # 256 MiB of zeros compresses to 256 KB
    files = {
        # the 422-byte file: 64 layers of 8,192 declared, no weights (16 GiB if built)
        "huge network, no weights": npz_bytes({"__config__": _config_entry(header([8192] * 64))}),
        "2 GiB network, no weights": npz_bytes({"__config__": _config_entry(header([8192] * 8, n_inputs=8192))}),
        "weight declares an enormous shape": npz_bytes({"__config__": _config_entry(small), **ok_weights,
                                                        "dense0.W": _npy((2 ** 40, 12))}),
        "weight declares the right shape, holds 256 MiB": npz_bytes({"__config__": _config_entry(small), **ok_weights,
                                                                   "dense0.W": _npy((64, 12), data=zeros)}),
        "an extra entry of 256 MiB zeros": npz_bytes({"__config__": _config_entry(small), **ok_weights,
                                                    "junk": _npy((2 ** 26,), data=zeros)}),
        "configuration declares 256 MiB of text": npz_bytes({"__config__": _npy((), "<U67108864", zeros)}),
        "deeply nested configuration": npz_bytes({"__config__": _config_entry(
            '{"format": "nnlab-model", "version": 1, "network": ' + "[" * 100_000 + "]" * 100_000 + "}")}),
        "object array (pickle)": npz_bytes({"__config__": _config_entry(small), **ok_weights,
                                            "dense0.b": _npy((12,), "|O", b"\x80\x04N.")}),
        "100,000 entries": npz_bytes({f"w{i}": b"" for i in range(100_000)}, compress=False),
        "integer too long for JSON": npz_bytes({"__config__": _config_entry(
            '{"format": "nnlab-model", "version": ' + "9" * 100_000 + "}")}),
        "npy header of 60 KB": npz_bytes({"__config__": _config_entry(small), **ok_weights,
                                          "dense0.b": b"\x93NUMPY\x02\x00" + (60_000).to_bytes(4, "little") + b"{" * 60_000}),
    }
    return files
