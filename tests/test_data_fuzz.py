"""Property: whatever bytes arrive, a loader returns a sound Dataset or raises
DataError with a one-line message — never another exception, never a crash."""
import gzip

import numpy as np
from datafiles import feature_csv, idx_bytes, image_csv
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnlab.data.dataerror import DataError
from nnlab.data.datasets import Dataset, load_dataset
from nnlab.data.idx import parse_idx
from nnlab.data.tabular import parse_unlabeled

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOKENS = [b",", b"\n", b"\r\n", b";", b"\t", b'"', b"NaN", b"abc", b"1e400", b"-3", b"", b" ", b"\x00",
          b"label", b"class", b"0.5", b"\xff\xfe", b",,", b"PK\x03\x04", b"\x1f\x8b", b"999999999999"]
CELLS = [b"", b"NaN", b"abc", b"1e400", b"-1", b"300", b"0.5", b"7", b"True", b'"x,y"', b"1e7", b"inf", b"-0"]
SEEDS = [image_csv(n=12, side=4, vmax=255, k=2), feature_csv(n=12, d=3, k=2), image_csv(n=12, side=8, k=3)]


@st.composite
def mutated(draw, seeds):
    raw = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(raw)))
        op = draw(st.sampled_from(["cell", "cell", "insert", "delete", "replace", "truncate", "duplicate"]))
        if op == "cell":  # keep the structure, break one value
            lines = bytes(raw).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            cells = lines[i].split(b",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(CELLS))
            lines[i] = b",".join(cells)
            raw = bytearray(b"\n".join(lines))
        elif op == "insert":
            raw[pos:pos] = draw(st.sampled_from(TOKENS) | st.binary(max_size=8))
        elif op == "delete":
            del raw[pos:pos + draw(st.integers(1, 20))]
        elif op == "replace" and pos < len(raw):
            raw[pos] = draw(st.integers(0, 255))
        elif op == "truncate":
            del raw[pos:]
        elif op == "duplicate":
            end = raw.find(b"\n", pos)
            raw[pos:pos] = raw[pos:end + 1] if end >= 0 else b""
    return bytes(raw)


def assert_clean(exc):
    msg = str(exc)
    assert isinstance(exc, DataError) and msg and "\n" not in msg and len(msg) < 400, repr(exc)


def assert_sound(data: Dataset):
    n = sum(data.sizes().values())
    assert n >= 10 and data.n_classes >= 2
    for X, y in ((data.X_train, data.y_train), (data.X_val, data.y_val), (data.X_test, data.y_test)):
        assert X.dtype == np.float32 and X.shape[1] == data.n_features and len(X) == len(y)
        assert np.isfinite(X).all() and ((0 <= y) & (y < data.n_classes)).all()
    if data.image_shape:
        assert data.image_shape[0] * data.image_shape[1] == data.n_features
        assert 0 <= data.X_train.min() and data.X_train.max() <= 1


@SETTINGS
@given(raw=st.one_of(mutated(SEEDS), st.binary(max_size=300),
                     st.text(alphabet=",;\n\r\t\"0123456789.-eNaInflabc ", max_size=300).map(str.encode)))
def test_csv_loader_returns_dataset_or_clean_error(raw):
    try:
        data = load_dataset("csv", data=raw)
    except DataError as e:
        assert_clean(e)
    else:
        assert_sound(data)


@SETTINGS
@given(raw=mutated(SEEDS), images=st.sampled_from(["auto", True, False]))
def test_csv_images_flag_never_crashes(raw, images):
    try:
        assert_sound(load_dataset("csv", data=raw, images=images))
    except DataError as e:
        assert_clean(e)


@SETTINGS
@given(raw=mutated(SEEDS))
def test_unlabeled_parser_returns_table_or_clean_error(raw):
    try:
        t = parse_unlabeled(raw)
    except DataError as e:
        assert_clean(e)
    else:
        assert t.X.dtype == np.float32 and t.X.ndim == 2 and np.isfinite(t.X).all()


IDX_SEEDS = [idx_bytes(np.arange(3 * 5 * 5, dtype=np.uint8).reshape(3, 5, 5)), idx_bytes(np.arange(7, dtype=np.uint8))]
IDX_SEEDS += [gzip.compress(s) for s in IDX_SEEDS]


@SETTINGS
@given(raw=st.one_of(mutated(IDX_SEEDS), st.binary(max_size=64)))
def test_idx_parser_returns_array_or_clean_error(raw):
    try:
        arr = parse_idx(raw)
    except DataError as e:
        assert_clean(e)
    else:
        assert isinstance(arr, np.ndarray) and 1 <= arr.ndim <= 4


def _row_check(raw):
    """What the vectorised row check says about `raw`: a row count or the error text."""
    from nnlab.data.csvread import _check_rows, _checked_bytes, _header

    try:
        body, encoding = _checked_bytes(raw, "file")
        end, sep, names = _header(body, encoding, "file")
        header_line = body.count(b"\n", 0, end) + body.count(b"\r", 0, end) - body.count(b"\r\n", 0, end)
        return _check_rows(body, end, header_line, sep, len(names), "file")
    except DataError as e:
        return str(e)


@SETTINGS
@given(raw=st.one_of(mutated(SEEDS), st.text(alphabet=',;\n\r"ab1 ', max_size=200).map(lambda t: "a,b\n" + t)
                     .map(str.encode)))
def test_row_check_does_not_depend_on_the_block_size(raw):
    """Blocks of 3 bytes cut every quote, \\r\\n and line in two: same answer as one block."""
    from nnlab.data import csvread

    whole = _row_check(raw)
    saved = csvread._BLOCK
    try:
        csvread._BLOCK = 3
        assert _row_check(raw) == whole
    finally:
        csvread._BLOCK = saved
