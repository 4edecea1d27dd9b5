"""Data augmentation for images: each epoch, every training image is changed a little.

Small training sets (721 digits) gain most from it: the network sees many
versions of each image and learns what does not matter.  Two kinds, by name:

    AUGMENTATIONS["shift"]    random_shift: moved by up to one pixel
    AUGMENTATIONS["affine"]   random_affine: turned, slanted, stretched and moved a
                              little — the ways one person's "4" differs from
                              another's, and a drawing on the Draw page from the scans

Each function takes X (n_samples, h * w), the image shape and a NumPy Generator,
and returns a new array of the same shape and dtype, vectorised over the batch.
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


def random_matrices(n, rng, rotate=15.0, slant=0.35, scale=(0.85, 1.1), aspect=0.15):
    """n random 2x2 matrices acting on (y, x): stretch, then slant, then turn.

    rotate: degrees, uniform in [-rotate, rotate]; slant: x moves by slant * y
    (0.35 is about 19 degrees of italic); scale: the size factor's range; aspect:
    width/height changes by a factor exp(u), u uniform in [-aspect, aspect]."""
    turn = np.radians(rng.uniform(-rotate, rotate, n))
    shear = rng.uniform(-slant, slant, n)
    size = rng.uniform(scale[0], scale[1], n)
    ratio = np.exp(rng.uniform(-aspect, aspect, n))
    sy, sx = size / np.sqrt(ratio), size * np.sqrt(ratio)
    cos, sin = np.cos(turn), np.sin(turn)
    R = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], 1)
    SS = np.stack([np.stack([sy, np.zeros(n)], -1), np.stack([shear * sy, sx], -1)], 1)  # slant @ stretch
    return R @ SS


def random_affine(X, image_shape, rng, shift=0.5, supersample=2, **ranges):
    """Turn, slant, stretch and move each image (a row of X) by a random amount
    (see `random_matrices` for the ranges; shift: pixels, uniform in [-shift, shift]).

    Each pixel is read as a small square of even ink (an 8x8 digit's value is
    the ink counted in a 4x4 block of its 32x32 bitmap), the squares are
    transformed about the image centre, and each output pixel averages the
    `supersample` x `supersample` points it covers.  So every output value is
    an average of input values and stays in their range (0..1 for the digits),
    and with no change the image comes back exactly.

    X: (n_samples, h * w); returns a new array of the same shape and dtype."""
    from scipy import ndimage  # here: importing nnlab (and a sweep's worker) does not load scipy

    h, w = image_shape
    n, k = X.shape[0], supersample
    inverse = np.linalg.inv(random_matrices(n, rng, **ranges))        # output point -> input point
    move = rng.uniform(-shift, shift, (n, 2))
    cy, cx = (h - 1) / 2, (w - 1) / 2
    gy = (np.arange(h * k) + 0.5) / k - 0.5 - cy                      # sample points, centred
    gx = (np.arange(w * k) + 0.5) / k - 0.5 - cx
    py = gy[None, :, None] - move[:, 0, None, None]                    # (n, h*k, 1)
    px = gx[None, None, :] - move[:, 1, None, None]                    # (n, 1, w*k)
    a = inverse[:, :, :, None, None]
    src_y = a[:, 0, 0] * py + a[:, 0, 1] * px + cy
    src_x = a[:, 1, 0] * py + a[:, 1, 1] * px + cx
    which = np.broadcast_to(np.arange(n, dtype=np.float64)[:, None, None], src_y.shape)
    # order=0: nearest pixel, i.e. each pixel a square of even ink; "grid-constant": beyond
    # the squares is no ink ("constant" would also blank the outer half of the border pixels)
    samples = ndimage.map_coordinates(X.reshape(n, h, w), [which, src_y, src_x], order=0, mode="grid-constant")
    return samples.reshape(n, h, k, w, k).mean(axis=(2, 4)).reshape(n, h * w).astype(X.dtype, copy=False)


AUGMENTATIONS = {"shift": random_shift, "affine": random_affine}


def check_augment(value):
    """The augmentation named by `value`: False (none), or a key of AUGMENTATIONS.
    True means "shift" (what augmentation meant before there were two)."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return "shift" if value else False
    if isinstance(value, str) and value.strip().lower() in ("", "none", "off"):
        return False
    key = str(value).strip().lower()
    if key not in AUGMENTATIONS:
        raise ValueError(f"unknown augmentation {value!r}; choose one of: {', '.join(AUGMENTATIONS)} (or none)")
    return key
