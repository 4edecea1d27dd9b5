"""Datasets: everything is turned into one `Dataset` with a seeded split.

    data = load_dataset("digits")                       # sklearn's 8x8 digits, the embedded default
    data.X_train.shape                                  # (721, 64), float32 in [0, 1]
    load_dataset("mnist", data_dir="~/mnist")           # IDX files (or $NNLAB_MNIST_DIR, or OpenML)
    load_dataset("csv", path="train.csv")               # a labelled CSV (Kaggle's train.csv too)
    load_dataset("csv", data=uploaded.getvalue())       # ...or its bytes, from an upload

Loaders are registered in DATASETS (name -> function returning a Dataset).
Their arguments are plain strings, numbers and bytes so st.cache_data can
hash them.  Anything wrong with a file raises DataError (a ValueError) with a
one-line message; see tabular.py and idx.py for the checks.
"""
from __future__ import annotations

import inspect
import os
from dataclasses import dataclass, field

import numpy as np

from nnlab.data.dataerror import DataError, Unreachable, read_bytes


@dataclass
class Dataset:
    """A classification dataset split into train / validation / test.

    X_*: float32 arrays (n_samples, n_features), scaled to [0, 1] for images.
    y_*: int64 labels 0..n_classes-1.
    classes: the original label of each class index (shown in the UI).
    image_shape: (height, width) when each row is an image, else None.
    pixel_max: the raw value that was scaled to 1.0 (16 for digits, 255 for MNIST).
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: list = field(default_factory=list)
    image_shape: tuple | None = None
    pixel_max: float = 1.0
    description: str = ""
    notes: list = field(default_factory=list)
    head: object = None  # first rows of the source file (a DataFrame), for previews

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def sizes(self) -> dict:
        return {"train": len(self.y_train), "validation": len(self.y_val), "test": len(self.y_test)}

    def read_only(self) -> "Dataset":
        """Mark the arrays read-only (and return self): a dataset shared by every browser
        tab of a server must not be changed by one of them (writing raises ValueError)."""
        for name in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
            getattr(self, name).flags.writeable = False
        return self

    def meta(self) -> dict:
        """What a saved model needs to know about the data it was trained on."""
        return {
            "dataset": self.name,
            "n_features": self.n_features,
            "classes": [str(c) for c in self.classes],
            "image_shape": list(self.image_shape) if self.image_shape else None,
            "pixel_max": float(self.pixel_max),
        }


def split_three(X, y, test_size=0.33, val_size=0.40, random_state=(111, 123), stratify=False):
    """Train / validation / test split, in the first tutorial's way: hold out
    `test_size` for test, then `val_size` of the remainder for validation."""
    from sklearn.model_selection import train_test_split  # here: a sweep's workers unpickle a Dataset without sklearn

    s1, s2 = random_state
    X_rest, X_test, y_rest, y_test = train_test_split(
        X, y, test_size=test_size, random_state=s1, stratify=y if stratify else None)
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=val_size, random_state=s2, stratify=y_rest if stratify else None)
    return X_train, y_train, X_val, y_val, X_test, y_test


def load_digits_split() -> Dataset:
    """sklearn's 8x8 digits (1797 images, values 0..16) with the first tutorial's
    split: test 33 % (random_state=111), then validation 40 % of the rest
    (random_state=123) -> 721 / 482 / 594, inputs scaled to [0, 1]."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    parts = split_three(X, y)
    return Dataset("digits", *parts, classes=list(range(10)), image_shape=(8, 8), pixel_max=16.0,
                   description="scikit-learn's 8x8 handwritten digits (1,797 images)")


MNIST_ENV = "NNLAB_MNIST_DIR"
MNIST_VAL_SIZE = 5000


def _mnist_dataset(train_images, train_labels, test_images, test_labels, val_size, source):
    """MNIST as a Dataset: the official 10k test set is the test split and the
    LAST `val_size` of the 60k training images are the validation split (a
    fixed, documented choice: no shuffling, so train/val are views, no copy)."""
    n = len(train_images)
    if val_size is None:
        val_size = min(MNIST_VAL_SIZE, n // 10)  # a tenth for small IDX sets
    if isinstance(val_size, bool) or not isinstance(val_size, (int, np.integer)) or not 0 <= val_size < n:
        raise DataError(f"val_size must be an integer from 0 to {n - 1}, got {val_size!r}")
    h, w = train_images.shape[1:] if train_images.ndim == 3 else (28, 28)
    # one pass uint8 -> float32 in [0, 1]: 60k x 784 x 4 B = 188 MB, 10k test = 31 MB
    X = np.divide(train_images.reshape(n, -1), np.float32(255), dtype=np.float32)
    X_test = np.divide(test_images.reshape(len(test_images), -1), np.float32(255), dtype=np.float32)
    y, y_test = train_labels.astype(np.int64), test_labels.astype(np.int64)
    cut = n - int(val_size)
    return Dataset("mnist", X[:cut], y[:cut], X[cut:], y[cut:], X_test, y_test,
                   classes=list(range(10)), image_shape=(int(h), int(w)), pixel_max=255.0,
                   description=f"MNIST handwritten digits, 28x28 ({source})",
                   notes=[f"validation = the last {val_size:,} of the {n:,} training images; "
                          f"test = the official {len(y_test):,}"])


def mnist_dir(data_dir=None):
    """The MNIST folder to use: `data_dir`, else $NNLAB_MNIST_DIR, else None."""
    d = data_dir or os.environ.get(MNIST_ENV) or None
    return os.path.expanduser(str(d)) if d else None


def load_mnist(data_dir=None, val_size: int | None = None) -> Dataset:
    """MNIST from the four IDX files in `data_dir` (or $NNLAB_MNIST_DIR); with
    neither, from OpenML (sklearn's cache, or a download when online).

    val_size: training images held out for validation (the last ones; 0 = all
    60,000 train, as the speed benchmark wants; None = 5,000 or a tenth of a
    smaller set)."""
    from nnlab.data.idx import read_mnist_folder

    folder = mnist_dir(data_dir)
    if folder is None:
        return load_mnist_openml(val_size=val_size)
    return _mnist_dataset(*read_mnist_folder(folder), val_size=val_size, source=f"IDX files in {folder}")


OPENML_TIMEOUT = 15  # seconds per network operation: offline must fail fast


def load_mnist_openml(val_size: int | None = None, data_home=None) -> Dataset:
    """MNIST from OpenML ("mnist_784", cached by scikit-learn under
    ~/scikit_learn_data).  Offline and not cached: a DataError saying how to
    use IDX files instead."""
    import socket
    import warnings

    from sklearn import datasets

    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(OPENML_TIMEOUT)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn warns once per retry
            X, y = datasets.fetch_openml("mnist_784", version=1, as_frame=False, return_X_y=True,
                                         data_home=data_home, n_retries=1, delay=0.1)
    except (OSError, TimeoutError, ValueError) as e:  # URLError, HTTPError, socket errors, bad cache
        raise Unreachable(
            f"could not get MNIST from OpenML ({type(e).__name__}: {str(e)[:80]}); offline? "
            f"Point nnlab at the four IDX files instead: --data-dir DIR, or {MNIST_ENV}=DIR, or the "
            "app's MNIST folder field (files train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
            "t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz])") from None
    finally:
        socket.setdefaulttimeout(old)
    images = np.asarray(X, dtype=np.uint8).reshape(-1, 28, 28)
    labels = np.asarray(y).astype(np.int64).astype(np.uint8)
    # OpenML's mnist_784 is the 60k training images followed by the 10k test images
    return _mnist_dataset(images[:60000], labels[:60000], images[60000:], labels[60000:],
                          val_size=val_size, source="OpenML mnist_784")


def split_seeded(X, y, test_size=0.2, val_size=0.2, seed=0):
    """Seeded train/val/test split, stratified when every class is big enough.
    Splits row indices, so X is copied once (into the three parts)."""
    idx = np.arange(len(y))
    try:
        parts = split_three(idx, y, test_size, val_size, random_state=(seed, seed + 1), stratify=True)
    except ValueError:  # a class with too few rows to appear in every split
        parts = split_three(idx, y, test_size, val_size, random_state=(seed, seed + 1), stratify=False)
    i_train, _, i_val, _, i_test, _ = parts
    return X[i_train], y[i_train], X[i_val], y[i_val], X[i_test], y[i_test]


def load_csv(path=None, data: bytes | None = None, label_column: str | None = None, images="auto",
             test_size: float = 0.2, val_size: float = 0.2, seed: int = 0, name: str | None = None) -> Dataset:
    """A labelled CSV (a file `path`, or its bytes `data`) as a Dataset:
    seeded stratified split, test `test_size`, then validation `val_size` of
    the rest (0.2 / 0.2 -> 64 / 16 / 20 %).  Image rows are scaled to [0, 1]
    by their pixel_max; other features are used as written."""
    from nnlab.data.tabular import parse_labeled

    if (path is None) == (data is None):
        raise DataError("no CSV file given: --data-path FILE on the command line, or upload one on the Data page")
    what = "upload" if data is not None else "CSV file"
    label = name or (os.path.basename(str(path)) if path is not None else "upload")
    table = parse_labeled(read_bytes(data if data is not None else path, what), label_column, images, what)
    X = table.X
    if table.image_shape and table.pixel_max != 1.0:
        X /= np.float32(table.pixel_max)  # in place: X is already our own float32 copy
    parts = split_seeded(X, table.y, test_size, val_size, seed)
    return Dataset("csv", *parts, classes=table.classes, image_shape=table.image_shape,
                   pixel_max=table.pixel_max, description=f"{label}: {len(X):,} rows, {X.shape[1]:,} features, "
                   f"{len(table.classes)} classes", notes=table.notes, head=table.head)


# loader argument -> the CLI flag that sets it (for error messages)
FLAGS = {"path": "--data-path", "data": "an uploaded file"}

DATASETS = {
    "digits": load_digits_split,
    "mnist": load_mnist,
    "csv": load_csv,
}


def load_dataset(name: str, /, **kwargs) -> Dataset:
    """The Dataset registered as `name`, built with the loader's keyword
    arguments (e.g. data_dir for mnist, path or data for csv)."""
    key = str(name).strip().lower()
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    loader = DATASETS[key]
    accepted = inspect.signature(loader).parameters
    unknown = [k for k in kwargs if k not in accepted]
    if unknown:
        flags = ", ".join(FLAGS.get(k, "--" + k.replace("_", "-")) for k in unknown)
        raise DataError(f"dataset {key!r} does not use {flags}")
    return loader(**kwargs)
