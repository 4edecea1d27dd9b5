"""MNIST from IDX files (synthetic and, when present, the real ones) and from OpenML (offline)."""
import gzip
import time
import urllib.error

import numpy as np
import pytest
from datafiles import MNIST_DIR, have_mnist, idx_bytes, write_mnist_folder

from nnlab.data.dataerror import DataError, Unreachable
from nnlab.data.datasets import MNIST_ENV, load_dataset, load_mnist
from nnlab.data.idx import parse_idx, read_mnist_folder


# ------------------------------------------------------------------ parse_idx
def test_parse_plain_and_gzipped_agree():
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    raw = idx_bytes(arr)
    assert np.array_equal(parse_idx(raw), arr)
    assert np.array_equal(parse_idx(gzip.compress(raw)), arr)


def test_parse_other_types_big_endian():
    vals = np.array([1, -2, 300000], dtype=">i4")
    raw = bytes([0, 0, 0x0C, 1]) + (3).to_bytes(4, "big") + vals.tobytes()
    out = parse_idx(raw)
    assert out.tolist() == [1, -2, 300000] and out.dtype.isnative


@pytest.mark.parametrize("raw, words", [
    (b"", "truncated"),
    (b"\x00\x00", "truncated"),
    (b"\x00\x00\x08", "truncated"),
    (b"PK\x03\x04rest-of-a-zip", "wrong magic"),
    (b"\x00\x00\x07\x01" + bytes(8), "wrong magic"),          # unknown type byte
    (b"\x00\x00\x08\x00" + bytes(8), "wrong magic"),          # zero dimensions
    (b"\x00\x00\x08\x03\x00\x00", "truncated inside its header"),
])
def test_wrong_magic_or_truncated_header(raw, words):
    with pytest.raises(DataError, match=words):
        parse_idx(raw, "f")


def test_truncated_payload_says_how_much():
    raw = idx_bytes(np.zeros((10, 28, 28), np.uint8))
    with pytest.raises(DataError, match=r"truncated: the header promises \(10, 28, 28\)"):
        parse_idx(raw[:-100])


def test_trailing_bytes_refused():
    with pytest.raises(DataError, match="unexpected bytes"):
        parse_idx(idx_bytes(np.zeros(5, np.uint8)) + b"xx")


def test_truncated_and_corrupt_gzip():
    gz = gzip.compress(idx_bytes(np.zeros((50, 28, 28), np.uint8)))
    with pytest.raises(DataError, match="truncated gzip"):
        parse_idx(gz[: len(gz) // 2])
    with pytest.raises(DataError, match="corrupt gzip"):
        parse_idx(gz[:10] + b"\xff" * 20 + gz[30:])


def test_huge_header_sizes_do_not_allocate():
    raw = b"\x00\x00\x08\x04" + b"\xff\xff\xff\xff" * 4  # promises 2**128 bytes
    with pytest.raises(DataError, match="declares .* at most 256 MB"):
        parse_idx(raw)


@pytest.mark.timeout(30)
def test_a_gzipped_header_declaring_too_much_is_refused_before_unpacking(monkeypatch):
    """(2**31, 28, 28) images promised, and 200 MB of zeros behind them: refused from the header."""
    import nnlab.data.dataerror as dataerror
    from nnlab.data import idx

    bomb = gzip.compress(b"\x00\x00\x08\x03" + np.array([2 ** 31, 28, 28], ">u4").tobytes() + bytes(200 * 2 ** 20))
    unpacked = []
    monkeypatch.setattr(idx, "gunzip", lambda *a, **k: unpacked.append(1) or dataerror.gunzip(*a, **k))
    with pytest.raises(DataError, match=r"declares \(2147483648, 28, 28\) values"):
        parse_idx(bomb, "train-images-idx3-ubyte.gz")
    assert not unpacked


# ------------------------------------------------------------- MNIST folders
def test_load_synthetic_folder_gz_and_plain(tmp_path):
    for gz in (True, False):
        folder = write_mnist_folder(tmp_path / str(gz), gz=gz)
        data = load_mnist(str(folder), val_size=10)
        assert data.sizes() == {"train": 50, "validation": 10, "test": 20}
        assert data.X_train.dtype == np.float32 and data.n_features == 784
        assert 0.0 <= data.X_train.min() and data.X_train.max() <= 1.0
        assert data.image_shape == (28, 28) and data.pixel_max == 255.0 and data.n_classes == 10
        assert data.y_train.dtype == np.int64


def test_validation_is_the_last_images_and_views(tmp_path):
    folder = write_mnist_folder(tmp_path)
    images, labels, _, _ = read_mnist_folder(folder)
    data = load_mnist(str(folder), val_size=10)
    assert np.allclose(data.X_val * 255, images[-10:].reshape(10, -1))
    assert data.X_train.base is data.X_val.base  # one float32 array, two views: no copy
    full = load_dataset("mnist", data_dir=str(folder), val_size=0)
    assert full.sizes()["train"] == 60 and full.sizes()["validation"] == 0


def test_env_variable_names_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(MNIST_ENV, str(write_mnist_folder(tmp_path)))
    assert load_dataset("mnist", val_size=None).sizes() == {"train": 54, "validation": 6, "test": 20}


@pytest.mark.parametrize("val_size", [-1, 60, 1.5, True])
def test_bad_val_size(tmp_path, val_size):
    with pytest.raises(DataError, match="val_size"):
        load_mnist(str(write_mnist_folder(tmp_path)), val_size=val_size)


def test_missing_folder_and_missing_files(tmp_path):
    with pytest.raises(DataError, match="folder not found"):
        load_mnist(str(tmp_path / "nope"))
    folder = write_mnist_folder(tmp_path / "m")
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="lacks the MNIST IDX file.*t10k-labels"):
        load_mnist(str(folder))


def test_labels_not_matching_images(tmp_path):
    folder = write_mnist_folder(tmp_path, gz=False)
    (folder / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(59, np.uint8)))
    with pytest.raises(DataError, match="59 labels for 60 images"):
        load_mnist(str(folder))
    (folder / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.full(60, 12, np.uint8)))
    with pytest.raises(DataError, match="label 12"):
        load_mnist(str(folder))


def test_images_and_labels_swapped(tmp_path):
    folder = write_mnist_folder(tmp_path, gz=False)
    imgs = (folder / "train-images-idx3-ubyte").read_bytes()
    (folder / "train-images-idx3-ubyte").write_bytes((folder / "train-labels-idx1-ubyte").read_bytes())
    (folder / "train-labels-idx1-ubyte").write_bytes(imgs)
    with pytest.raises(DataError, match="does not hold uint8 images"):
        load_mnist(str(folder))


def test_wrong_magic_file_in_folder(tmp_path):
    folder = write_mnist_folder(tmp_path, gz=False)
    (folder / "t10k-images-idx3-ubyte").write_bytes(b"<html>404 not found</html>")
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte is not an IDX file"):
        load_mnist(str(folder))


# --------------------------------------------------------------- OpenML offline
def test_openml_offline_fails_fast_with_instructions(monkeypatch):
    import sklearn.datasets

    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.delenv(MNIST_ENV, raising=False)
    monkeypatch.setattr(sklearn.datasets, "fetch_openml", offline)
    t0 = time.perf_counter()
    with pytest.raises(DataError) as exc:
        load_dataset("mnist")
    assert time.perf_counter() - t0 < 1.0
    msg = str(exc.value)
    assert "OpenML" in msg and "--data-dir" in msg and MNIST_ENV in msg and "\n" not in msg
    assert isinstance(exc.value, Unreachable)  # the app words its own sentence (pages/helpers/wording.py)


def test_openml_result_becomes_the_standard_split(monkeypatch):
    import sklearn.datasets

    def fake(*args, **kwargs):
        X = np.zeros((70000, 784), dtype=np.float64)
        X[:, 0] = 255
        y = np.array([str(i % 10) for i in range(70000)], dtype=object)
        return X, y

    monkeypatch.delenv(MNIST_ENV, raising=False)
    monkeypatch.setattr(sklearn.datasets, "fetch_openml", fake)
    data = load_dataset("mnist")
    assert data.sizes() == {"train": 55000, "validation": 5000, "test": 10000}
    assert data.X_test[0, 0] == 1.0 and data.y_test[:3].tolist() == [0, 1, 2]


# ------------------------------------------------------------ the real MNIST
needs_mnist = pytest.mark.skipif(not have_mnist(), reason=f"MNIST IDX files not found in {MNIST_DIR}")


@needs_mnist
def test_real_mnist_loads_fast_as_float32():
    t0 = time.perf_counter()
    data = load_dataset("mnist", data_dir=str(MNIST_DIR))
    seconds = time.perf_counter() - t0
    assert seconds < 2.0, f"MNIST took {seconds:.2f} s to load"
    assert data.sizes() == {"train": 55000, "validation": 5000, "test": 10000}
    assert data.X_train.dtype == np.float32 and data.X_train.flags.c_contiguous
    assert data.X_train.min() == 0.0 and data.X_train.max() == 1.0
    assert np.bincount(data.y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert data.X_train.base.nbytes == 60000 * 784 * 4  # ~188 MB, train and val share it
