"""The fast engine's mini-batches: the same order and augmentation as
``nnlab.train.batches.Batches``, gathered into reused buffers, read ahead."""
from __future__ import annotations

import numpy as np

from nnlab.core.augment import AUGMENTATIONS
from nnlab.train.batches import Batches
from nnlab.train.fast.threads import helper


class PrefetchingBatches(Batches):
    """Buffer trick: one permutation per epoch; each batch is gathered with
    ``np.take`` into one of two preallocated buffers.  Measured on MNIST: 0.05 s
    per epoch, against 0.2 s for copying the whole shuffled set (188 MB) each
    epoch and then slicing it.  When the optimizer shares its update with the
    helper thread, the helper gathers the next batch first (``before_step``)."""

    def __init__(self, X, y, rng, image_shape=None):
        super().__init__(X, y, rng, image_shape)
        self._xb = None  # two batch buffers (see gather)
        self._ahead = None  # (i, future) of a batch being gathered by the helper thread

    def epoch(self, batch_size: int, augment=False):
        self._ahead = None
        yield from super().epoch(batch_size, augment)

    def gather(self, i):
        """Batch i of this epoch's order, into one of two buffers (the other may
        still hold batch i - 1, which the step under way is using)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == i:
            return ahead[1].result()
        return self._gather(i)

    def _gather(self, i):
        idx = self.order[i]
        if self._xb is None or self._xb.shape[1] < len(idx):
            self._xb = np.empty((2, len(idx), self.X.shape[1]), dtype=self.X.dtype)
        xb = self._xb[i % 2, :len(idx)]
        # mode="clip": the indices are a permutation, always in range, and the
        # default mode="raise" copies through a temporary when given out= (2x slower)
        np.take(self.X, idx, axis=0, out=xb, mode="clip")
        if self.augment:
            xb[...] = AUGMENTATIONS[self.augment](xb, self.image_shape, self.rng)
        return xb

    def before_step(self, optimizer, i):
        """Gather batch i on the helper thread while this one starts the update.

        The helper runs it before its part of the update, and the optimizer moves
        its cut so that both threads still finish together: the gather (0.03 s per
        MNIST epoch) leaves the critical path (measured: epoch 0.63 -> 0.60-0.61 s).
        The batches and the random draws of augmentation are the same as without it."""
        if optimizer.shared and i < len(self.order):
            self._ahead = (i, helper().submit(self._gather, i))
