"""NNClassifier: nnlab's network as a scikit-learn estimator.

    from nnlab import NNClassifier
    clf = NNClassifier(hidden=(48, 32), activation="sigmoid", optimizer="momentum", lr=0.2,
                       batch_size=None, epochs=1000, l2=0.6, random_state=0).fit(X, y)
    clf.score(X_test, y_test)

It works wherever scikit-learn expects a classifier (Pipeline, clone,
cross_val_score, GridSearchCV with n_jobs): the hyper-parameters are the
constructor's arguments, stored as given and only read in `fit`; labels may be
anything `np.unique` sorts and come back as given (`classes_`).  After `fit`:
`network_` (the trained `Network`), `history_` (one record per epoch, as the
Trainer yields them), `n_iter_` (epochs run), `loss_curve_` (training loss per
epoch, like MLPClassifier's), `n_features_in_`.

Early stopping (`patience` > 0) holds out `validation_fraction` of the
training rows (stratified, seeded) as its validation set, like MLPClassifier's
`early_stopping=True`; without it every row trains.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.data.datasets import Dataset
from nnlab.train.trainer import Trainer

# Checks of sklearn.utils.estimator_checks that cannot apply, with the reason
# (passed as check_estimator(..., expected_failed_checks=EXPECTED_FAILED_CHECKS)).
EXPECTED_FAILED_CHECKS = {
    "check_methods_subset_invariance": (
        "the network computes in float32 (nnlab's speed); OpenBLAS rounds a row's products differently "
        "for different numbers of rows, so predict_proba on a subset differs by ~1e-7 (predictions agree)"),
}


class NNClassifier(ClassifierMixin, BaseEstimator):
    """A multilayer perceptron trained by nnlab (see the module docstring).

    Parameters are nnlab's settings (`python -m nnlab hyperparams` lists them
    with their ranges and help): `hidden` (widths), `activations` (one name for
    every hidden layer, or one per layer), `loss`, `output`, `dropout`, `init`,
    `dtype` (float64: slower, and predictions independent of batch size);
    `optimizer`, `lr` (None: the optimizer's usual rate), `momentum`, `beta1`,
    `beta2`, `rho`, `eps`, `batch_size` (None: full batch), `epochs`, `l2`,
    `l1`, `patience`, `lr_schedule`, `augment` (needs `image_shape`),
    `engine`, `record_grads` (each layer's gradient norms in `history_`); and
    `validation_fraction` (held out for early stopping), `random_state`, `verbose`
    (one line per epoch)."""

    def __init__(self, hidden=(64,), activations="relu", loss="cross_entropy", output=None, dropout=0.0,
                 init="auto", dtype="float32", optimizer="adam", lr=None, momentum=0.9, beta1=0.9, beta2=0.999,
                 rho=0.9, eps=1e-8, batch_size=32, epochs=50, l2=0.0, l1=0.0, patience=0, lr_schedule="constant",
                 augment=False, engine="fast", record_grads=False, image_shape=None, validation_fraction=0.1,
                 random_state=None, verbose=0):
        # One argument per setting of the table (nnlab/core/hyperparams.py; its seed is random_state),
        # with the table's defaults: tests/test_estimator.py checks both ways.
        self.hidden = hidden
        self.activations = activations
        self.loss = loss
        self.output = output
        self.dropout = dropout
        self.init = init
        self.dtype = dtype
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.rho = rho
        self.eps = eps
        self.batch_size = batch_size
        self.epochs = epochs
        self.l2 = l2
        self.l1 = l1
        self.patience = patience
        self.lr_schedule = lr_schedule
        self.augment = augment
        self.engine = engine
        self.record_grads = record_grads
        self.image_shape = image_shape
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------- configs
    def _configs(self, n_features: int, n_classes: int, seed: int):
        hidden = [self.hidden] if isinstance(self.hidden, (int, np.integer)) else list(self.hidden)
        net_cfg = NetworkConfig(n_inputs=n_features, n_outputs=n_classes, hidden=hidden,
                                activations=self.activations, loss=self.loss, output=self.output,
                                dropout=self.dropout, init=self.init, dtype=self.dtype)
        train_cfg = TrainConfig(optimizer=self.optimizer, lr=self.lr, momentum=self.momentum, beta1=self.beta1,
                                beta2=self.beta2, rho=self.rho, eps=self.eps, batch_size=self.batch_size,
                                epochs=self.epochs, l2=self.l2, l1=self.l1, patience=self.patience,
                                lr_schedule=self.lr_schedule, augment=self.augment, seed=seed)
        return net_cfg, train_cfg

    def _split(self, X, y, seed: int):
        """(X_train, y_train, X_val, y_val): a validation set only for early stopping."""
        if not self.patience:
            return X, y, X[:0], y[:0]
        frac = self.validation_fraction
        if not (isinstance(frac, (float, int)) and 0.0 < frac < 1.0):
            raise ValueError(f"validation_fraction must be in (0, 1) for early stopping, got {frac!r}")
        counts = np.bincount(y)
        stratify = y if counts.min() >= 2 and round(frac * len(y)) >= len(counts) else None
        X_tr, X_val, y_tr, y_val = train_test_split(X, y, test_size=frac, random_state=seed, stratify=stratify)
        if len(y_val) == 0 or len(y_tr) == 0:
            raise ValueError(f"{len(y)} samples are too few to hold out a validation set for early stopping")
        return X_tr, y_tr, X_val, y_val

    # ----------------------------------------------------------------- fit
    def fit(self, X, y):
        """Train a new network on X (n_samples, n_features) and labels y (n_samples,)."""
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"NNClassifier needs samples of at least 2 classes in y; got 1 class: {self.classes_[0]!r}")
        seed = int(check_random_state(self.random_state).randint(2 ** 31 - 1)) \
            if not isinstance(self.random_state, (int, np.integer)) else int(self.random_state)
        net_cfg, train_cfg = self._configs(X.shape[1], len(self.classes_), seed)
        X = np.ascontiguousarray(X, dtype=net_cfg.dtype)
        X_tr, y_tr, X_val, y_val = self._split(X, y_idx.astype(np.int64), seed)
        empty = X[:0], y_idx[:0].astype(np.int64)
        image_shape = tuple(self.image_shape) if self.image_shape is not None else None
        data = Dataset("array", X_tr, y_tr, X_val, y_val, *empty, classes=list(range(len(self.classes_))),
                       image_shape=image_shape)
        net = Network(net_cfg, seed=seed)
        trainer = Trainer(net, data, train_cfg, engine=self.engine, record_grads=self.record_grads)
        for record in trainer.run():
            if self.verbose and not record.get("progress"):
                print(f"epoch {record['epoch']}: train loss {record['train_loss']:.4f}")
        self.network_ = net
        self.history_ = trainer.history
        self.n_iter_ = len(trainer.history)
        self.loss_curve_ = [r["train_loss"] for r in trainer.history]
        self.stopped_reason_ = trainer.stopped_reason
        return self

    # ------------------------------------------------------------- predict
    def predict_proba(self, X):
        """Class probabilities (n_samples, n_classes), columns in the order of classes_."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        proba = self.network_.predict_proba(np.ascontiguousarray(X, dtype=self.network_.dtype)).astype(np.float64)
        if self.network_.config.loss != "cross_entropy":  # sigmoid/linear outputs: rows made to sum to 1
            proba = np.clip(proba, 1e-12, None)
            proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X):
        """The most likely class of each row, as the labels were given to fit."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    # -------------------------------------------------------------- pickle
    def __getstate__(self):
        """The fitted network travels as an nnlab model file (.npz + JSON, no pickle
        inside), so a pickled or joblib-copied estimator rebuilds it cleanly (the
        flat parameter buffer and its per-layer views)."""
        state = self.__dict__.copy()
        if "network_" in state:
            from nnlab import modelfile

            state["network_"] = modelfile.model_bytes(state["network_"])
        return state

    def __setstate__(self, state):
        if isinstance(state.get("network_"), bytes):
            from nnlab import modelfile

            state = dict(state, network_=modelfile.load(state["network_"])[0])
        self.__dict__.update(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
