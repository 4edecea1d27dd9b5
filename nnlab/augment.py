"""Data augmentation for images: random shifts of up to `max_shift` pixels.

Small training sets (721 digits) gain most from it: every epoch sees each
image moved a little, so the network learns that position does not matter.
"""
from __future__ import annotations

import numpy as np


def random_shift(X, image_shape, rng, max_shift=1):
    """Shift each image (a row of X) by a random (dy, dx) in [-max_shift, max_shift]^2,
    filling the uncovered border with zeros.

    X: (n_samples, h * w); returns a new array of the same shape."""
    h, w = image_shape
    n = X.shape[0]
    imgs = X.reshape(n, h, w)
    res = np.zeros_like(imgs)
    shifts = rng.integers(-max_shift, max_shift + 1, size=(n, 2))
    code = (shifts[:, 0] + max_shift) * (2 * max_shift + 1) + (shifts[:, 1] + max_shift)
    for c in np.unique(code):
        idx = np.flatnonzero(code == c)
        dy, dx = shifts[idx[0]]
        # destination rows/cols [dst) receive source rows/cols [src)
        ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
        xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
        res[idx, yd, xd] = imgs[idx, ys, xs]
    return res.reshape(n, h * w)
