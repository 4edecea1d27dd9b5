"""Metrics: thin wrappers over sklearn.metrics, returning plain Python / pandas."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support


def accuracy(y_true, y_pred) -> float:
    return float(accuracy_score(y_true, y_pred))


def confusion(y_true, y_pred, n_classes: int, normalize: bool = False) -> np.ndarray:
    """Rows: true class, columns: predicted class.  normalize=True divides each row by its total."""
    labels = np.arange(n_classes)
    return confusion_matrix(y_true, y_pred, labels=labels, normalize="true" if normalize else None)


def per_class_report(y_true, y_pred, classes) -> pd.DataFrame:
    """Precision, recall, F1 and support per class, as a DataFrame indexed by class label."""
    labels = np.arange(len(classes))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return pd.DataFrame({"precision": p, "recall": r, "f1": f, "support": s},
                        index=pd.Index([str(c) for c in classes], name="class"))


def format_confusion(cm: np.ndarray, classes) -> str:
    """The confusion matrix as aligned text, for the command line."""
    labels = [str(c) for c in classes]
    width = max(max(len(l) for l in labels), len(str(int(cm.max()) if cm.size else 0))) + 1
    head = "true\\pred".ljust(10) + "".join(l.rjust(width) for l in labels)
    rows = [head] + [l.ljust(10) + "".join(str(int(v)).rjust(width) for v in row)
                     for l, row in zip(labels, cm)]
    return "\n".join(rows)
