"""Kaggle "Digit Recognizer" submissions: test.csv in, submission.csv out.

    text = submission_from_csv(net, header, "test.csv")   # "ImageId,Label\\n1,2\\n2,0\\n..."

test.csv is 28,000 rows of ``pixel0..pixel783`` (0..255, no label); Kaggle
expects exactly the header ``ImageId,Label`` and one row per image, ImageId
counting from 1 in file order, Label the predicted digit.
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from nnlab.data.dataerror import DataError, read_bytes


def submission_csv(labels) -> str:
    """The submission text for predicted labels, in test.csv's row order."""
    labels = list(labels)
    rows = [f"{i},{label}" for i, label in enumerate(labels, start=1)]
    return "ImageId,Label\n" + "\n".join(rows) + ("\n" if rows else "")


def features_for_model(table, header: dict, net, what: str = "CSV file") -> np.ndarray:
    """Table features scaled the way the model's training data was (by its
    pixel_max), after checking that the model fits them (ModelFileError)."""
    from nnlab.modelfile import check_compatible

    meta = header.get("data") or {}
    shim = SimpleNamespace(n_features=table.X.shape[1], n_classes=net.config.n_outputs, name=what)
    check_compatible(header, net, shim)
    X = table.X
    pixel_max = float(meta.get("pixel_max") or 1.0)
    if meta.get("image_shape"):
        hi, lo = float(X.max()), float(X.min())
        if lo < 0 or hi > pixel_max:
            raise DataError(f"the {what} has pixel values from {lo:g} to {hi:g}, but the model was trained "
                            f"on pixels 0..{pixel_max:g}")
        if pixel_max != 1.0:
            X = X / np.float32(pixel_max)
    return X


def predict_labels(net, header: dict, source, what: str = "CSV file") -> list:
    """Predicted original labels for every row of an unlabelled CSV
    (`source`: a path, bytes or a file object)."""
    from nnlab.data.tabular import parse_unlabeled

    table = parse_unlabeled(read_bytes(source, what), what=what)
    X = features_for_model(table, header, net, what)
    pred = net.predict(X)
    classes = (header.get("data") or {}).get("classes") or list(range(net.config.n_outputs))
    return [classes[i] for i in pred]


def submission_from_csv(net, header: dict, source, what: str = "CSV file") -> str:
    """submission.csv text for Kaggle's test.csv (see module docstring)."""
    labels = predict_labels(net, header, source, what)
    if not labels:
        raise DataError(f"the {what} has no rows to predict")
    return submission_csv(labels)
