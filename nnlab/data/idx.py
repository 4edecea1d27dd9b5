"""IDX files (the format MNIST ships in), parsed with np.frombuffer — no loops.

An IDX file is a 4-byte magic ``00 00 <type> <ndim>``, then `ndim` big-endian
uint32 sizes, then the values, big-endian, row-major.  MNIST's images are
``00 00 08 03`` (2051: uint8, 3 dims n x 28 x 28) and its labels ``00 00 08 01``
(2049: uint8, 1 dim).  Files may be gzipped (detected by content, not name).

    images = read_idx("train-images-idx3-ubyte.gz")    # (60000, 28, 28) uint8
    X_tr, y_tr, X_te, y_te = read_mnist_folder(folder)
"""
from __future__ import annotations

import math
import os
import zlib

import numpy as np

from nnlab.data.dataerror import DataError, gunzip, read_bytes

# type byte -> big-endian dtype
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

# role -> base file name; each may also be gzipped or use '.' before idx (some mirrors do).
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
IDX_LIMIT = 256 * 1024 * 1024  # bytes of one IDX file, packed or not


def parse_idx(raw: bytes, name: str = "IDX file") -> np.ndarray:
    """The array stored in IDX bytes `raw` (gzipped or not); a read-only view
    for uint8 data.  Raises DataError on a wrong magic or size."""
    if raw[:2] == b"\x1f\x8b":  # gzipped: read the header's sizes before unpacking the rest
        _check_declared_size(_gunzip_head(raw, 4 + 4 * 4), name)
    raw = gunzip(raw, name, limit=IDX_LIMIT)
    _check_declared_size(raw, name)
    if len(raw) < 4:
        raise DataError(f"{name} is truncated: {len(raw)} bytes, too short for an IDX header")
    if raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_TYPES or not 1 <= raw[3] <= 4:
        raise DataError(f"{name} is not an IDX file (wrong magic number {raw[:4].hex()}; "
                        "expected 0000 08 01 for labels or 0000 08 03 for images)")
    ndim, dtype = raw[3], np.dtype(IDX_TYPES[raw[2]])
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{name} is truncated inside its header")
    shape = tuple(int(s) for s in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    expected = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    got = len(raw) - header
    if got < expected:
        raise DataError(f"{name} is truncated: the header promises {shape} values "
                        f"({expected:,} bytes) but only {got:,} bytes follow")
    if got > expected:
        raise DataError(f"{name} has {got - expected:,} unexpected bytes after its {shape} values")
    arr = np.frombuffer(raw, dtype, offset=header).reshape(shape)
    return arr if dtype.itemsize == 1 else arr.astype(dtype.newbyteorder("="))


def _gunzip_head(raw: bytes, n: int) -> bytes:
    """The first `n` unpacked bytes of gzip `raw` (fewer if it is shorter or broken)."""
    try:
        return zlib.decompressobj(wbits=31).decompress(raw, n)
    except zlib.error:
        return b""  # gunzip() says what is wrong with it


def _check_declared_size(head: bytes, name: str):
    """Refuse a header that declares more than an IDX file may hold (IDX_LIMIT)."""
    if len(head) < 4 or head[:2] != b"\x00\x00" or head[2] not in IDX_TYPES or not 1 <= head[3] <= 4:
        return  # parse_idx reports the wrong magic number
    ndim = head[3]
    if len(head) < 4 + 4 * ndim:
        return
    shape = [int(s) for s in np.frombuffer(head, ">u4", count=ndim, offset=4)]
    declared = math.prod(shape) * np.dtype(IDX_TYPES[head[2]]).itemsize
    if declared > IDX_LIMIT:
        raise DataError(f"{name} declares {tuple(shape)} values ({declared / 2**20:,.0f} MB); an IDX file "
                        f"holds at most {IDX_LIMIT // 2**20} MB")


def read_idx(path, name: str | None = None) -> np.ndarray:
    return parse_idx(read_bytes(path, "IDX file", limit=IDX_LIMIT), name or os.path.basename(str(path)))


def find_mnist_files(folder) -> dict:
    """role -> path of each of the four MNIST files in `folder` (plain or .gz)."""
    folder = os.path.expanduser(str(folder))
    if not os.path.isdir(folder):
        raise DataError(f"MNIST folder not found: {folder}")
    found, missing = {}, []
    for role, base in MNIST_FILES.items():
        dotted = base.replace("-idx", ".idx")
        for cand in (base, base + ".gz", dotted, dotted + ".gz"):
            if os.path.isfile(os.path.join(folder, cand)):
                found[role] = os.path.join(folder, cand)
                break
        else:
            missing.append(base + "[.gz]")
    if missing:
        raise DataError(f"{folder} lacks the MNIST IDX file(s) {', '.join(missing)}")
    return found


def _check_images(arr, name):
    if arr.ndim != 3 or arr.dtype != np.uint8:
        raise DataError(f"{name} does not hold uint8 images (n, height, width): "
                        f"found {arr.dtype} with shape {arr.shape}")
    return arr


def _check_labels(arr, n_images, name):
    if arr.ndim != 1 or arr.dtype != np.uint8:
        raise DataError(f"{name} does not hold uint8 labels: found {arr.dtype} with shape {arr.shape}")
    if len(arr) != n_images:
        raise DataError(f"{name} has {len(arr):,} labels for {n_images:,} images")
    if len(arr) and arr.max() > 9:
        raise DataError(f"{name} has a label {int(arr.max())}; MNIST labels are 0..9")
    return arr


def read_mnist_folder(folder):
    """(train_images, train_labels, test_images, test_labels) as uint8 arrays
    of shapes (n, 28, 28) and (n,), all checked for consistency."""
    paths = find_mnist_files(folder)
    arrays = {role: read_idx(p) for role, p in paths.items()}
    names = {role: os.path.basename(p) for role, p in paths.items()}
    out = []
    for part in ("train", "test"):
        imgs = _check_images(arrays[part + "_images"], names[part + "_images"])
        labels = _check_labels(arrays[part + "_labels"], len(imgs), names[part + "_labels"])
        out += [imgs, labels]
    if out[0].shape[1:] != out[2].shape[1:]:
        raise DataError(f"train images are {out[0].shape[1:]} but test images are {out[2].shape[1:]}")
    return tuple(out)
