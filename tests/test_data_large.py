"""Pathological *large* inputs: every loader answers within a bounded time and
memory — a Dataset or one DataError line — whatever arrives, up to the 100 MB
upload limit.  Each test has its own pytest-timeout: it fails if a loader hangs
(generous limits; this is a hang check, not a benchmark: see docs/hardening.md
for the measured times)."""
import gzip
import subprocess
import sys

import pytest
from datafiles import REPO

from nnlab.data import csvread, tabular
from nnlab.data.dataerror import MAX_FILE_BYTES, DataError
from nnlab.data.datasets import load_dataset

MB = 2 ** 20
NEAR_LIMIT = MAX_FILE_BYTES - MB  # just under what an upload may hold


def refused(raw, *words):
    with pytest.raises(DataError) as exc:
        load_dataset("csv", data=raw)
    msg = str(exc.value)
    assert "\n" not in msg and len(msg) < 400, msg
    for w in words:
        assert w in msg, msg
    return msg


def rows(n_features, n_rows, value=b"1"):
    row = b",".join([value] * n_features)
    return b"".join(b"%d," % (r % 2) + row + b"\n" for r in range(n_rows))


# ---------------------------------------------------------------- many columns
@pytest.mark.timeout(30)
def test_the_issue_file_300k_values_on_one_line_is_refused_at_once():
    # 600 KB: a header of 300,000 numbers (pandas renamed the duplicates for minutes)
    raw = b",".join(b"%d" % (i % 10) for i in range(300_000)) + b"\n"
    refused(raw, "300,000 columns", f"{csvread.MAX_FEATURES:,}")


@pytest.mark.timeout(30)
def test_many_distinct_columns_over_the_limit_are_refused():
    raw = b"label," + b",".join(b"c%d" % i for i in range(csvread.MAX_FEATURES + 1)) + b"\n" + rows(10, 1)
    refused(raw, f"{csvread.MAX_FEATURES + 2:,} columns")


@pytest.mark.timeout(120)
def test_the_widest_allowed_file_loads():
    n = csvread.MAX_FEATURES
    raw = b"label," + b",".join(b"p%d" % i for i in range(n)) + b"\n" + rows(n, 12, b"0.5")
    data = load_dataset("csv", data=raw)
    assert data.n_features == n and data.n_classes == 2
    assert data.head.shape[1] == tabular.PREVIEW_COLUMNS  # the preview keeps a screenful


@pytest.mark.timeout(30)
@pytest.mark.parametrize("header, name", [
    (b"label," + b",".join([b"1"] * 40_000), "'1' (40,000 times)"),
    (b"label,a,b,a", "'a' (2 times)"),
    (b'label,"a", a,b', "'a' (2 times)"),           # quoted and space-padded: the same name to pandas
    (b"label;x;x;y", "'x' (2 times)"),
])
def test_duplicate_column_names_are_refused_by_name(header, name):
    sep = b";" if b";" in header else b","
    raw = header + b"\n" + b"".join(sep.join([b"%d" % (r % 2)] + [b"1"] * header.count(sep)) + b"\n"
                                    for r in range(12))
    refused(raw, "duplicate column names", name)


@pytest.mark.timeout(30)
def test_empty_names_are_not_duplicates():
    raw = b"label,,\n" + b"".join(b"%d,1,2\n" % (r % 2) for r in range(12))
    assert load_dataset("csv", data=raw).n_features == 2


# ----------------------------------------------------------------- long lines
@pytest.mark.timeout(60)
def test_a_header_line_longer_than_the_limit_is_refused():
    refused(b"label,x" + b"a" * NEAR_LIMIT + b"\n0,1\n", "first line", "MB long")


@pytest.mark.timeout(30)
def test_a_column_name_longer_than_the_limit_is_refused():
    refused(b"label,x" + b"a" * 5000 + b"\n" + b"0,1\n1,2\n" * 6, "5,001 characters long")


@pytest.mark.timeout(60)
def test_one_field_of_almost_100_mb():
    refused(b"label,x\n0," + b"1" * NEAR_LIMIT + b"\n", "1 data row")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("body, words", [
    (b"," * NEAR_LIMIT, ("first line", "MB long")),                               # the header
    (b"label,x\n0," + b"," * NEAR_LIMIT + b"\n", ("line 2", "values but the header has 2")),
    (b'"label",x\n0,' + b"," * NEAR_LIMIT + b"\n", ("line 2", "values but the header has 2")),  # quoted file
    (b"label,x\n" + b"\n" * NEAR_LIMIT, ("no data rows",)),
    (b"label,x\n" + b"\r\n" * (NEAR_LIMIT // 2), ("no data rows",)),
    (b"label,x\n" + b"\r" * NEAR_LIMIT, ("no data rows",)),
    (b"label,x\n" + b" \t" * (NEAR_LIMIT // 2), ("no data rows",)),
    (b"label;x\n" + b";" * NEAR_LIMIT, ("line 2",)),
])
def test_a_long_run_of_delimiters(body, words):
    refused(body, *words)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("body, words", [
    (b'"' * NEAR_LIMIT, ("first line",)),
    (b'label,x\n0,' + b'"' * NEAR_LIMIT + b"\n", ("1 data row",)),
    (b'label,x\n' + b'0,"' + b"1" * NEAR_LIMIT, ("not a valid CSV",)),  # a quote never closed
    (b'label,x\n' + b'0,"""1"""\n' * (NEAR_LIMIT // 10), ("rows",)),
])
def test_deep_quoting(body, words):
    refused(body, *words)


# -------------------------------------------------------------- many rows
@pytest.mark.timeout(60)
def test_too_many_rows_are_refused_before_parsing():
    raw = b"label,x\n" + b"0,1\n1,2\n" * (NEAR_LIMIT // 8)
    refused(raw, f"{NEAR_LIMIT // 8 * 2:,} rows", f"{csvread.MAX_ROWS:,}")


@pytest.mark.timeout(60)
def test_a_gzip_bomb_is_refused_before_it_unpacks():
    refused(gzip.compress(b"label,x\n" + b"0" * (4 * MAX_FILE_BYTES), 9), "unpacks to more than 100 MB")


@pytest.mark.timeout(60)
def test_a_million_rows_still_load():
    raw = b"label,x\n" + b"0,1\n1,2\n" * (csvread.MAX_ROWS // 2)
    data = load_dataset("csv", data=raw)
    assert sum(data.sizes().values()) == csvread.MAX_ROWS


# ---------------------------------------------------- the other entry points
@pytest.mark.timeout(60)
def test_cli_refuses_the_issue_file_in_one_line(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(b",".join(b"%d" % (i % 10) for i in range(300_000)) + b"\n")
    r = subprocess.run([sys.executable, "-m", "nnlab", "train", "--dataset", "csv", "--data-path", str(path)],
                       capture_output=True, text=True, cwd=REPO, timeout=50)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [r.stderr.strip()], r.stderr
    assert "300,000 columns" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.timeout(60)
def test_kaggle_test_csv_path_has_the_same_limits():
    from nnlab.data.tabular import parse_unlabeled

    with pytest.raises(DataError, match="duplicate column names"):
        parse_unlabeled(b",".join([b"pixel0"] * 50_000) + b"\n" + b",".join([b"0"] * 50_000) + b"\n")
    with pytest.raises(DataError, match="line 3"):
        parse_unlabeled(b"a,b\n1,2\n" + b"," * NEAR_LIMIT)
