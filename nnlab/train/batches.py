"""Mini-batches: each epoch, the training set in a fresh random order.

    source = Batches(X, y, rng, image_shape)
    for xb, yb in source.epoch(batch_size=32, augment=False):
        ...                                   # forward, backward, step

The textbook version: each batch is a new array ``X[idx]``.  The fast engine's
``nnlab/train/fast/batches.py`` gathers into reused buffers and reads ahead on a
helper thread; it draws the same order and the same augmentation, so both
engines train on the same batches.
"""
from __future__ import annotations

from nnlab.core.augment import AUGMENTATIONS


class Batches:
    """The batches of a training set (X: (n_samples, n_features), y: (n_samples,)),
    shuffled with `rng`; augmentation (a key of AUGMENTATIONS) needs `image_shape`."""

    def __init__(self, X, y, rng, image_shape=None):
        self.X, self.y, self.rng, self.image_shape = X, y, rng, image_shape
        self.order = []  # this epoch's batches: index arrays into X
        self.augment = False

    def epoch(self, batch_size: int, augment=False):
        """Yield one epoch's (x, y) batches; the permutation is drawn at the first batch."""
        n = len(self.X)
        self.augment = augment
        if batch_size >= n and not augment:
            yield self.X, self.y  # full batch: order does not matter, no copy
            return
        perm = self.rng.permutation(n)
        self.order = [perm[start:start + batch_size] for start in range(0, n, batch_size)]
        for i, idx in enumerate(self.order):
            yield self.gather(i), self.y[idx]

    def gather(self, i):
        """The inputs of batch i of this epoch, augmented if asked."""
        xb = self.X[self.order[i]]
        if self.augment:
            xb = AUGMENTATIONS[self.augment](xb, self.image_shape, self.rng)
        return xb

    def before_step(self, optimizer, i):
        """Called once batch i - 1 is ready for its update (the fast engine reads
        batch i ahead here); nothing to do on the textbook path."""

