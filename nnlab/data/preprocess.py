"""Canvas drawing -> network input, made the way the training images were made.

    result = preprocess(rgba, image_shape=(8, 8), pixel_max=16)
    result.x          # (1, 64) float32 in [0, 1]: exactly what the network sees
    result.steps      # [(title, 2-D array), ...] for showing each stage

A drawing is not a scan: where on the canvas, how big and how thick it was
drawn must be undone before a network trained on normalised digits can read
it.  Two recipes, each copying how its dataset was built:

* digits (8x8, values 0..16, UCI "optdigits"): the digit is cropped to its
  bounding box, scaled (aspect kept) until its longer side is 32 pixels,
  centred in a 32x32 bitmap, and each 4x4 block's count of ink pixels is one
  input (0..16).  Every dataset bitmap holds about the same amount of ink
  (a "1" is ~2 blocks wide), so strokes are thickened or thinned to it.
* MNIST (28x28, 0..255): the digit is scaled (aspect kept, anti-aliased)
  to fit a 20x20 box and pasted into 28x28 so that its centre of mass is at
  the centre.  Any other image shape uses the same recipe, scaled.

The canvas is expected to draw light strokes on a dark background (as
MNIST); `ink()` also reads dark-on-transparent drawings.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image
from scipy import ndimage

INK_THRESHOLD = 0.35     # an ink value above this counts as "drawn" (canvas strokes are anti-aliased)
DIGITS_BITMAP = 32       # optdigits: 32x32 bitmap -> 4x4 blocks -> 8x8
DIGITS_INK = 0.30        # share of the 32x32 bitmap that is ink (the dataset's mean, for every class)
MNIST_BOX = 20 / 28      # MNIST: the digit fits a 20x20 box in a 28x28 image
# A drawing whose ink spans less than this share of the canvas (its longer side) is
# a tap or a dot, not a digit: scaled up, it would read as anything ("0" at 90 %).
# The smallest digit of the Draw tests (a "1", 35 % of the canvas) spans 0.35.
MIN_EXTENT = 0.15


@dataclass
class Preprocessed:
    """The network input and the intermediate images (for display)."""

    x: np.ndarray                      # (1, n_features) float32 in [0, 1]
    image: np.ndarray                  # (h, w) in the dataset's raw units (0..pixel_max)
    steps: list = field(default_factory=list)  # [(title, 2-D float array in [0, 1]), ...]
    method: str = ""


def ink(rgba) -> np.ndarray:
    """How much ink each pixel holds, (H, W) float32 in [0, 1].

    Accepts an (H, W) grey image (0..255 or 0..1, light = ink) or an RGB(A)
    canvas.  With an alpha channel the colour is composited over the
    background: light strokes on an opaque dark background and dark strokes
    on a transparent background both come out as ink = 1."""
    a = np.asarray(rgba)
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (1, 3, 4)):
        raise ValueError(f"expected an (H, W) or (H, W, 3|4) image, got shape {a.shape}")
    scale = 255.0 if a.dtype == np.uint8 or a.max(initial=0) > 1.0 else 1.0
    a = a.astype(np.float32) / scale
    if a.ndim == 2:
        return np.clip(a, 0.0, 1.0)
    if a.shape[2] == 1:
        return np.clip(a[..., 0], 0.0, 1.0)
    lum = a[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    if a.shape[2] == 3:
        return np.clip(lum, 0.0, 1.0)
    alpha = a[..., 3]
    # transparent background + dark pen: ink is the opaque, dark part
    opaque_bg = np.median(np.concatenate([alpha[0], alpha[-1], alpha[:, 0], alpha[:, -1]])) > 0.5
    value = lum * alpha if opaque_bg else (1.0 - lum) * alpha
    return np.clip(value, 0.0, 1.0).astype(np.float32)


def bounding_box(img: np.ndarray, threshold: float = INK_THRESHOLD):
    """(top, bottom, left, right) of the pixels above `threshold` (exclusive ends), or None."""
    mask = img > threshold
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _resize(img: np.ndarray, height: int, width: int) -> np.ndarray:
    """Anti-aliased resize of a float image (area averaging when shrinking)."""
    pil = Image.fromarray(np.ascontiguousarray(img, dtype=np.float32), mode="F")
    return np.asarray(pil.resize((max(width, 1), max(height, 1)), Image.Resampling.BOX), dtype=np.float32)


def _fit(crop: np.ndarray, box: int):
    """Scale `crop` (aspect kept) so that its longer side is `box` pixels."""
    h, w = crop.shape
    s = box / max(h, w)
    return _resize(crop, max(1, round(h * s)), max(1, round(w * s)))


def _paste_centred(img: np.ndarray, height: int, width: int, centre=None) -> np.ndarray:
    """Place `img` in a zero (height, width) canvas so that point `centre` of
    `img` (default: its middle) lands on the canvas centre; clip what falls outside."""
    out = np.zeros((height, width), dtype=np.float32)
    h, w = img.shape
    cy, cx = centre if centre is not None else ((h - 1) / 2, (w - 1) / 2)
    top, left = int(round((height - 1) / 2 - cy)), int(round((width - 1) / 2 - cx))
    ys, xs = max(0, -top), max(0, -left)
    yd, xd = max(0, top), max(0, left)
    hh, ww = min(h - ys, height - yd), min(w - xs, width - xd)
    if hh > 0 and ww > 0:
        out[yd:yd + hh, xd:xd + ww] = img[ys:ys + hh, xs:xs + ww]
    return out


def _fit_binary(mask: np.ndarray, size: int) -> np.ndarray:
    """Crop a binary image to its ink and scale it (aspect kept) so that the
    longer side is `size` pixels, binary again; empty input gives an empty result."""
    b = bounding_box(mask.astype(np.float32), 0.5)
    if b is None:
        return np.zeros((size, size), dtype=bool)
    return _fit(mask[b[0]:b[1], b[2]:b[3]].astype(np.float32), size) > 0.5


def _with_ink(mask: np.ndarray, target: float, size: int) -> np.ndarray:
    """Thicken or thin the strokes of a (supersampled) binary drawing so that,
    scaled to `size`, it holds about `target` ink pixels.

    The digits dataset's bitmaps all hold about the same amount of ink
    (~30 % of the 32x32 box for every class), whatever pen drew them, so pen
    width is normalised the same way here: grow the strokes by r pixels (ink
    within distance r) or shrink them (keep ink deeper than r), for the r
    that lands closest to the target."""
    padded = np.pad(mask, 16)
    outside = ndimage.distance_transform_edt(~padded)   # distance to the nearest ink pixel
    inside = ndimage.distance_transform_edt(padded)     # depth inside a stroke
    best, best_err = None, np.inf
    for r in np.arange(-4.0, 16.5, 1.0):
        grown = outside <= r if r >= 0 else inside > -r
        fitted = _fit_binary(grown, size)
        err = abs(int(fitted.sum()) - target)
        if err < best_err:
            best, best_err = fitted, err
    return best


def to_digits(img: np.ndarray) -> Preprocessed | None:
    """Ink image -> sklearn digits input (8x8, values 0..16); None if nothing is drawn."""
    box = bounding_box(img)
    if box is None:
        return None
    top, bottom, left, right = box
    crop = img[top:bottom, left:right]
    # 1. binarise at 4x the bitmap's resolution (longer side 128 pixels)
    fine = _fit(crop, 4 * DIGITS_BITMAP) > INK_THRESHOLD
    # 2. normalise the pen: the stroke width that gives the dataset's amount of ink,
    #    then scale the longer side to 32 pixels, as the NIST bitmaps are
    scaled = _with_ink(fine, DIGITS_INK * DIGITS_BITMAP ** 2, DIGITS_BITMAP)
    bitmap = _paste_centred(scaled.astype(np.float32), DIGITS_BITMAP, DIGITS_BITMAP)
    # 3. count the ink pixels in each 4x4 block -> 0..16
    k = DIGITS_BITMAP // 8
    counts = bitmap.reshape(8, k, 8, k).sum(axis=(1, 3))
    return Preprocessed(
        x=(counts / 16.0).reshape(1, -1).astype(np.float32),
        image=counts,
        steps=[("your drawing", img), ("cropped to the ink", crop),
               ("32x32, pen width normalised", bitmap), ("4x4 blocks counted: 8x8, 0..16", counts / 16.0)],
        method="digits",
    )


def to_centred(img: np.ndarray, shape=(28, 28), pixel_max: float = 255.0) -> Preprocessed | None:
    """Ink image -> MNIST-style input: fit into a 20/28 box, centre of mass in the middle."""
    box = bounding_box(img)
    if box is None:
        return None
    top, bottom, left, right = box
    crop = img[top:bottom, left:right]
    height, width = shape
    fitted = np.clip(_fit(crop, max(1, round(MNIST_BOX * min(height, width)))), 0.0, 1.0)
    total = fitted.sum()
    yy, xx = np.indices(fitted.shape)
    com = ((yy * fitted).sum() / total, (xx * fitted).sum() / total) if total > 0 else None
    final = _paste_centred(fitted, height, width, centre=com)
    return Preprocessed(
        x=final.reshape(1, -1).astype(np.float32),
        image=final * pixel_max,
        steps=[("your drawing", img), ("cropped to the ink", crop),
               (f"scaled into {round(MNIST_BOX * min(height, width))}px box", fitted),
               (f"centred by mass in {height}x{width}", final)],
        method="centred",
    )


def too_little_ink(rgba, min_extent: float = MIN_EXTENT) -> bool:
    """True when a drawing holds ink but too little to be a digit: the ink's
    bounding box spans less than `min_extent` of the canvas's longer side (a
    single tap, a dot).  False for an empty canvas (there is nothing to say yet)."""
    img = ink(rgba)
    box = bounding_box(img)
    if box is None:
        return False
    extent = max(box[1] - box[0], box[3] - box[2])
    return extent < min_extent * max(img.shape)


def preprocess(rgba, image_shape, pixel_max: float = 255.0) -> Preprocessed | None:
    """Canvas image -> network input for a dataset with `image_shape` (h, w).

    rgba: (H, W, 4) uint8 canvas image (or anything `ink` accepts).
    Returns None when the canvas is empty."""
    if not image_shape or len(image_shape) != 2:
        raise ValueError("drawing needs a dataset of images (image_shape is not set)")
    img = ink(rgba)
    if tuple(image_shape) == (8, 8) and float(pixel_max) == 16.0:
        return to_digits(img)
    return to_centred(img, tuple(image_shape), float(pixel_max))
