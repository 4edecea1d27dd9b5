"""Datasets: everything is turned into one `Dataset` with a seeded split.

    data = load_dataset("digits")      # sklearn's 8x8 digits, the embedded default
    data.X_train.shape                 # (721, 64), float32 in [0, 1]

Loaders are registered in DATASETS (name -> function returning a Dataset).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import train_test_split


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

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def sizes(self) -> dict:
        return {"train": len(self.y_train), "validation": len(self.y_val), "test": len(self.y_test)}

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


DATASETS = {
    "digits": load_digits_split,
}


def load_dataset(name: str, **kwargs) -> Dataset:
    key = str(name).strip().lower()
    if key not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    return DATASETS[key](**kwargs)
