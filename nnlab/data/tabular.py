"""CSV files and uploads -> checked numeric arrays (a `Table`), or one DataError.
(Reading the bytes into a DataFrame, with the checks that bound its cost: csvread.py.)

Two shapes of file are understood:

* labelled: a header, one label column (named label, class, target, y or
  digit, or chosen by name) and numeric feature columns — e.g. Kaggle's
  digit-recognizer ``train.csv`` (``label,pixel0..pixel783``);
* unlabelled: only feature columns — e.g. Kaggle's ``test.csv``.

Rows whose feature count is a square (64 = 8x8, 784 = 28x28, ...) with values
in 0..255 are taken as images (``images="auto"``); ``images=True`` insists
and ``images=False`` refuses.  Nothing here scales or splits — data.py does.
Every check below exists because some real file failed that way; each raises
DataError with the line number and column to look at.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nnlab.data.csvread import _some, read_frame
from nnlab.data.dataerror import DataError, NoLabelColumn

LABEL_NAMES = ("label", "labels", "class", "target", "y", "digit")
MIN_ROWS = 10
MAX_CLASSES = 256
MAX_ABS_FEATURE = 1e6  # larger values are almost always IDs or unscaled units
PREVIEW_COLUMNS = 100           # the first rows kept for the Data page's preview


@dataclass
class Table:
    """A parsed CSV.

    X: float32 (n_rows, n_features), the values as written in the file.
    y: int64 class indices 0..K-1 (None for an unlabelled file).
    classes: the original label of each class index.
    image_shape / pixel_max: (side, side) and the value meaning "white" when rows are images.
    head: the first rows as read (a DataFrame), for previews.
    """

    X: np.ndarray
    y: np.ndarray | None
    classes: list
    columns: list
    label_column: str | None = None
    image_shape: tuple | None = None
    pixel_max: float = 1.0
    notes: list = field(default_factory=list)
    head: object = None


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


# ------------------------------------------------------------------ columns
def find_label_column(columns, label_column: str | None = None, what: str = "CSV file"):
    """The label column's name: `label_column` if given (case-insensitive),
    else the only column named like a label; None if there is none."""
    by_lower = {}
    for c in columns:
        by_lower.setdefault(c.lower(), c)
    if label_column:
        key = str(label_column).strip().lower()
        if key not in by_lower:
            raise DataError(f"no column named {label_column!r} in the {what} (columns: {_some(columns)})")
        return by_lower[key]
    found = [c for c in columns if c.lower() in LABEL_NAMES]
    if len(found) > 1:
        raise DataError(f"ambiguous label column: the {what} has {', '.join(found)}; keep one of them "
                        "or choose one (label_column= / --label-column)")
    return found[0] if found else None


def _features(df, columns, what) -> np.ndarray:
    """float32 matrix of `columns`, refusing text, empty/NaN and infinite cells."""
    if not columns:
        raise DataError(f"the {what} has no feature columns besides the label")
    # Only the columns pandas did not read as numbers are looked at one by one
    # (a per-column loop over 100,000 numeric columns took 5 s).
    numeric = {c for c, t in df.dtypes.items() if getattr(t, "kind", "O") in "iuf"}
    for c in (c for c in columns if c not in numeric):
        col = df[c]
        if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            nums = pd.to_numeric(col, errors="coerce") if not pd.api.types.is_bool_dtype(col) else None
            bad = col.notna() if nums is None else (nums.isna() & col.notna())
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise DataError(f"text in feature column {c!r}: {str(col.iloc[i])[:30]!r} on line {i + 2}; "
                                "feature columns must hold numbers")
            df[c] = nums
    keep = set(columns)
    X = (df if len(keep) == df.shape[1] else df.drop(columns=[c for c in df.columns if c not in keep])
         ).to_numpy(dtype=np.float32)
    nan = np.isnan(X)
    if nan.any():
        r, c = np.argwhere(nan)[0]
        raise DataError(f"{int(nan.sum()):,} empty or NaN cell(s) in the {what}, the first on line {r + 2} "
                        f"in column {columns[c]!r}; fill them in or remove those rows")
    if not np.isfinite(X).all():
        r, c = np.argwhere(~np.isfinite(X))[0]
        raise DataError(f"infinite value on line {r + 2} in column {columns[c]!r} "
                        "(or a number too large for float32)")
    return X


def _labels(col, what):
    """(class indices, classes, note) from a label column."""
    name = col.name
    if col.isna().any():
        i = int(np.flatnonzero(col.isna().to_numpy())[0])
        raise DataError(f"{int(col.isna().sum())} row(s) have an empty label, the first on line {i + 2}")
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        v = col.to_numpy(dtype=np.float64)
        frac = v != np.round(v)
        if frac.any() or not np.isfinite(v).all():
            i = int(np.flatnonzero(frac | ~np.isfinite(v))[0])
            raise DataError(f"label {v[i]:g} on line {i + 2} is not an integer; labels must be classes "
                            "(integers or names), not measurements")
        if np.abs(v).max() >= 2 ** 53:
            raise DataError(f"labels in column {name!r} are too large to be class numbers")
        classes, y = np.unique(v.astype(np.int64), return_inverse=True)
        classes = [int(c) for c in classes]
    else:
        s = col.astype(str).str.strip()
        classes, y = np.unique(s.to_numpy(dtype=object).astype(str), return_inverse=True)
        classes = [str(c) for c in classes]
    k, n = len(classes), len(y)
    if k < 2:
        raise DataError(f"only one class ({classes[0]}) in label column {name!r}; a classifier needs at least two")
    if k > MAX_CLASSES or k > n // 2:
        raise DataError(f"label column {name!r} has {k} different values in {n} rows; "
                        f"is it really a class label? (at most {MAX_CLASSES} classes, and fewer than half the rows)")
    note = None
    if classes != list(range(k)):
        shown = ", ".join(f"{c}→{i}" for i, c in enumerate(classes[:10])) + (", ..." if k > 10 else "")
        note = f"labels mapped to class indices 0..{k - 1}: {shown}"
    return y.astype(np.int64), classes, note


# ------------------------------------------------------------------- images
def _as_images(X, images, columns, what):
    """(image_shape, pixel_max, note) — or (None, 1.0, note) for plain features."""
    n_features = X.shape[1]
    side = math.isqrt(n_features)
    square = side * side == n_features
    lo, hi = float(X.min()), float(X.max())
    wanted = images is True or str(images).lower() in ("true", "images", "yes")
    refused = images is False or str(images).lower() in ("false", "features", "no")
    if wanted:
        if not square:
            raise DataError(f"images were asked for, but {n_features} pixels per row is not a square "
                            f"number (8x8 = 64, 16x16 = 256, 28x28 = 784)")
        if lo < 0 or hi > 255:
            r, c = np.argwhere((X < 0) | (X > 255))[0]
            raise DataError(f"pixel value {X[r, c]:g} on line {r + 2} (column {columns[c]!r}) is outside 0..255")
    elif refused or not (square and side >= 8 and lo >= 0 and hi <= 255):
        if max(abs(lo), abs(hi)) > MAX_ABS_FEATURE:
            r, c = np.argwhere(np.abs(X) > MAX_ABS_FEATURE)[0]
            raise DataError(f"value {X[r, c]:g} on line {r + 2} (column {columns[c]!r}) is outside the "
                            f"expected range ±{MAX_ABS_FEATURE:g}; rescale that column")
        note = None
        if lo < -10 or hi > 10:
            note = (f"features range from {lo:g} to {hi:g} and are used as they are; networks train best "
                    "on inputs scaled to about [0, 1]")
        return None, 1.0, note
    pixel_max = 1.0 if hi <= 1 else 16.0 if hi <= 16 else 255.0
    note = f"rows read as {side}x{side} images with pixel values 0..{pixel_max:g}"
    return (side, side), pixel_max, note


def _preview(df):
    """The first rows and columns, for the Data page (a copy of every column of
    a very wide file would cost seconds and no screen shows them)."""
    return df.iloc[:10, :PREVIEW_COLUMNS].copy()


# ------------------------------------------------------------------- public
def parse_labeled(raw: bytes, label_column: str | None = None, images="auto",
                  what: str = "CSV file") -> Table:
    """A labelled CSV (label column + numeric features) as a Table."""
    df = read_frame(raw, what)
    label = find_label_column(df.columns, label_column, what)
    if label is None:
        if all(_is_number(c) for c in df.columns):
            raise DataError(f"the first line of the {what} holds numbers, not column names; "
                            "add a header line and name the class column 'label'")
        raise NoLabelColumn(f"no label column in the {what}: name the column holding the classes 'label' "
                            f"(found: {_some(df.columns)})", _some(df.columns))
    if len(df) < MIN_ROWS:
        raise DataError(f"the {what} has only {len(df)} data row(s); at least {MIN_ROWS} are needed "
                        "for training, validation and test splits")
    y, classes, label_note = _labels(df[label], what)
    columns = [c for c in df.columns if c != label]
    X = _features(df, columns, what)
    image_shape, pixel_max, image_note = _as_images(X, images, columns, what)
    notes = [n for n in (label_note, image_note) if n]
    return Table(X, y, classes, columns, label, image_shape, pixel_max, notes, _preview(df))


def parse_unlabeled(raw: bytes, images="auto", what: str = "CSV file") -> Table:
    """A CSV of feature rows only (e.g. Kaggle's test.csv); a label column, if
    present, is ignored."""
    df = read_frame(raw, what)
    notes = []
    label = find_label_column(df.columns, None, what)
    if label is not None:
        notes.append(f"ignored the label column {label!r}")
    columns = [c for c in df.columns if c != label]
    if all(_is_number(c) for c in columns) and [float(c) for c in columns] != list(range(len(columns))):
        raise DataError(f"the first line of the {what} holds numbers, not column names; add a header line")
    X = _features(df, columns, what)
    image_shape, pixel_max, image_note = _as_images(X, images, columns, what)
    notes += [image_note] if image_note else []
    return Table(X, None, [], columns, None, image_shape, pixel_max, notes, _preview(df))
