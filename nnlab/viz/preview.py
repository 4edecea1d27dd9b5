"""What the Data page shows about a Dataset: first rows, class counts, an image grid.
Plain functions (data in, tables/arrays out), so they are tested without Streamlit."""
from __future__ import annotations

import numpy as np
import pandas as pd


def first_rows(data, n: int = 8) -> pd.DataFrame:
    """The source file's first rows when known (uploads), else the first
    training rows with their original label and raw pixel values."""
    if data.head is not None:
        return data.head.head(n)
    X = data.X_train[:n] * data.pixel_max
    cols = ([f"pixel{i}" for i in range(data.n_features)] if data.image_shape
            else [f"x{i}" for i in range(data.n_features)])
    df = pd.DataFrame(np.round(X, 3), columns=cols)
    if data.image_shape and data.pixel_max > 1:
        df = df.astype(int)
    df.insert(0, "label", [data.classes[i] for i in data.y_train[:n]])
    return df


def class_counts(data) -> pd.DataFrame:
    """One row per class: its label and how many train / validation / test rows it has."""
    k = data.n_classes
    counts = {part: np.bincount(y, minlength=k) for part, y in
              (("train", data.y_train), ("validation", data.y_val), ("test", data.y_test))}
    df = pd.DataFrame({"class": [str(c) for c in data.classes], **counts})
    df["total"] = df["train"] + df["validation"] + df["test"]
    return df


def image_grid(X, image_shape, n: int = 40, cols: int = 10, pad: int = 1, min_px: int = 48) -> np.ndarray:
    """The first `n` rows of X (values in [0, 1]) as one uint8 image, `cols`
    per row, white ink on black, each image enlarged to at least `min_px`."""
    h, w = image_shape
    n = min(n, len(X))
    if n == 0:
        return np.zeros((h, w), np.uint8)
    zoom = max(1, -(-min_px // max(h, w)))
    rows = -(-n // cols)
    cols = min(cols, n)
    tiles = np.clip(np.asarray(X[:n], dtype=np.float32), 0, 1).reshape(n, h, w)
    tiles = np.repeat(np.repeat(tiles, zoom, axis=1), zoom, axis=2)
    th, tw = h * zoom + pad, w * zoom + pad
    grid = np.full((rows * th + pad, cols * tw + pad), 0.35, np.float32)  # grey lines between images
    for i, tile in enumerate(tiles):
        r, c = divmod(i, cols)
        grid[pad + r * th: pad + r * th + h * zoom, pad + c * tw: pad + c * tw + w * zoom] = tile
    return (grid * 255).astype(np.uint8)
