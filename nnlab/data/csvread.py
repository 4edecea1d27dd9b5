"""CSV bytes -> one checked pandas DataFrame, or one DataError.

Everything pandas could spend long on is refused here before pandas parses
anything (docs/hardening.md): the header (at most MAX_FEATURES columns, a line
of at most MAX_HEADER_BYTES, names of at most MAX_NAME_CHARS characters, no
duplicate names — pandas renames duplicates in quadratic time) and every row's
field count, in one vectorised, quote-aware pass over blocks of the bytes
(which also counts the rows: at most MAX_ROWS).  tabular.py makes a Table of it.
"""
from __future__ import annotations

import csv
import io
from collections import Counter

import numpy as np
import pandas as pd

from nnlab.data import dataerror
from nnlab.data.dataerror import DataError, gunzip

DELIMITERS = (",", ";", "\t")
MAX_FEATURES = 100_000          # columns besides the label; MNIST has 784
MAX_ROWS = 1_000_000            # MNIST has 70,000; more would train for hours on a shared server
MAX_NAME_CHARS = 200            # a column name longer than this is not a name
MAX_HEADER_BYTES = 4 * 2**20    # 100,000 names of up to ~40 characters
_BLOCK = 1 << 22                # bytes scanned per vectorised step in _check_rows


def _checked_bytes(raw: bytes, what: str):
    """(raw, encoding) of a text file, or DataError for binary content."""
    raw = gunzip(raw, what, limit=dataerror.MAX_FILE_BYTES)
    if raw[:4] == b"PK\x03\x04":
        raise DataError(f"the {what} is a zip archive (a .zip or an Excel .xlsx); unpack it or export it as CSV")
    sample = raw[:65536]
    if b"\x00" in sample:
        raise DataError(f"the {what} is not a CSV text file (it contains binary data)")
    controls = len(sample.translate(None, bytes(range(32, 256)) + b"\t\r\n"))
    if controls > len(sample) // 100:
        raise DataError(f"the {what} is not a CSV text file (it contains control characters)")
    try:
        raw.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "latin-1"  # every byte sequence is valid latin-1
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise DataError(f"the {what} is empty")
    return raw, encoding


def _header(raw: bytes, encoding: str, what: str):
    """(end of the header line, separator, column names) — checked before pandas
    sees the file, because pandas' cost grows with the header: it renames
    duplicate names in quadratic time (40,000 copies of one name: 20 s) and
    builds one object per column."""
    start = len(raw) - len(raw.lstrip())
    ends = [i for i in (raw.find(b"\n", start), raw.find(b"\r", start)) if i >= 0]
    end = min(ends) if ends else len(raw)
    if end - start > MAX_HEADER_BYTES:
        raise DataError(f"the first line of the {what} is {(end - start) / 2**20:.1f} MB long; a header line "
                        f"holds at most {MAX_FEATURES:,} column names in {MAX_HEADER_BYTES // 2**20} MB")
    header = raw[start:end]
    sep = max((d.encode() for d in DELIMITERS), key=header.count)
    text = header.decode(encoding, errors="replace")
    names = next(csv.reader([text], delimiter=sep.decode(), skipinitialspace=True)) if b'"' in header \
        else text.split(sep.decode())
    if len(names) > MAX_FEATURES + 1:
        raise DataError(f"the {what} has {len(names):,} columns; nnlab takes at most {MAX_FEATURES:,} "
                        "feature columns and a label column")
    names = [n.strip() for n in names]
    for i, n in enumerate(names):
        if len(n) > MAX_NAME_CHARS:
            raise DataError(f"column {i + 1} of the {what} has a name {len(n):,} characters long; "
                            f"column names are at most {MAX_NAME_CHARS} characters")
    counts = Counter(n for n in names if n)  # pandas names empty ones 'Unnamed: i', all different
    dups = [f"{n!r} ({k:,} times)" for n, k in counts.items() if k > 1]
    if dups:
        raise DataError(f"duplicate column names in the {what}: {_some(dups, 3)}; give every column its own name")
    return end, sep, names


def _check_rows(raw: bytes, start: int, header_line: int, sep: bytes, n_cols: int, what: str) -> int:
    """The number of non-blank rows after the header (which ends at `start`),
    after checking that each has `n_cols` fields — before pandas would pad
    short rows with NaN or choke on a row of millions of separators.

    Vectorised over blocks of the file: a separator or line break counts only
    outside quotes (an odd number of '"' before it means inside; the escaped
    quote "" toggles twice, so the parity rule holds for RFC 4180 files).
    A line break is \n, \r\n or a lone \r; line numbers count those."""
    data = np.frombuffer(raw, np.uint8)
    inside = 0                  # quote parity at the block's start
    line_no = header_line       # 0-based number of the line being read (the header's end first)
    carry_seps = carry_ink = 0  # separators and non-blank bytes of the unfinished line before this block
    rows = 0
    for a in range(start, len(data), _BLOCK):
        b = min(a + _BLOCK, len(data))
        if not (inside or carry_seps or carry_ink) and raw[a:b].isspace():  # blank lines: only counted
            cr_lf = raw.count(b"\r\n", a, b) + (raw[b - 1:b + 1] == b"\r\n")
            line_no += raw.count(b"\n", a, b) + raw.count(b"\r", a, b) - cr_lf
            continue
        c = data[a:b]
        quoted = inside or raw.find(b'"', a, b) >= 0  # memchr: the common cases skip the passes they need not
        if quoted:
            quotes = np.cumsum(c == 34, dtype=np.int32)
            outside = (quotes + inside) % 2 == 0
            inside = int(quotes[-1] + inside) % 2
        brk = c == 10
        if raw.find(b"\r", a, b) >= 0:
            nxt = data[a + 1:b + 1]
            nxt = nxt if len(nxt) == len(c) else np.append(nxt, np.uint8(0))
            brk |= (c == 13) & (nxt != 10)
        is_sep = c == sep[0]
        lines = np.flatnonzero(brk)  # every line break, for line numbers as an editor counts them
        if quoted:
            brk &= outside
            is_sep &= outside
        ends = np.flatnonzero(brk) if quoted else lines
        seps_before = np.searchsorted(np.flatnonzero(is_sep), np.append(ends, len(c)))
        n_seps = np.diff(seps_before, prepend=0)
        n_seps[0] += carry_seps
        # A line holding a separator is not blank; the others' ink is counted only when there are some.
        if (n_seps == 0).any():
            blank = (c == 32) | (c == 9) | (c == 10) | (c == 13)
            ink_before = np.cumsum(~blank | is_sep, dtype=np.int32)
            n_ink = np.diff(np.append(ink_before[ends], ink_before[-1]), prepend=0)
            n_ink[0] += carry_ink
        else:
            n_ink = n_seps
        done_seps, done_ink = n_seps[:-1], n_ink[:-1]
        filled = done_ink > 0
        bad = filled & (done_seps != n_cols - 1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            line = line_no + int(np.searchsorted(lines, ends[i])) + 1
            raise DataError(f"rows of different lengths: line {line} of the {what} has "
                            f"{int(done_seps[i]) + 1:,} values but the header has {n_cols} columns")
        rows += int(np.count_nonzero(filled))
        line_no += len(lines)
        carry_seps, carry_ink = int(n_seps[-1]), int(n_ink[-1])
    if carry_ink:  # a last line without a line break
        if carry_seps != n_cols - 1:
            raise DataError(f"rows of different lengths: line {line_no + 1} of the {what} has "
                            f"{carry_seps + 1:,} values but the header has {n_cols} columns")
        rows += 1
    return rows


def read_frame(raw: bytes, what: str = "CSV file") -> pd.DataFrame:
    """The CSV in `raw` as a DataFrame (header row required), with the
    structural checks: text, a delimiter, at most MAX_FEATURES columns with
    distinct names, equal row lengths, at least one row.  Everything pandas
    could spend long on is refused before pandas parses anything."""
    raw, encoding = _checked_bytes(raw, what)
    end, sep, names = _header(raw, encoding, what)
    n_cols = len(names)
    if n_cols < 2:
        raise DataError(f"the {what} has a single column; expected a CSV with a label column "
                        "and feature columns separated by commas")
    header_line = raw.count(b"\n", 0, end) + raw.count(b"\r", 0, end) - raw.count(b"\r\n", 0, end)
    rows = _check_rows(raw, end, header_line, sep, n_cols, what)
    if rows == 0:
        raise DataError(f"the {what} has a header but no data rows")
    if rows > MAX_ROWS:
        raise DataError(f"the {what} has {rows:,} rows; nnlab trains on at most {MAX_ROWS:,} "
                        "(take a sample of them)")
    try:
        df = pd.read_csv(io.BytesIO(raw), sep=sep.decode(), encoding=encoding, skipinitialspace=True,
                         low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, UnicodeError, OverflowError) as e:
        first = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
        raise DataError(f"the {what} is not a valid CSV: {first[:200]}") from None
    if df.shape[1] != n_cols:
        raise DataError(f"the {what} is not a valid CSV: could not split its header into {n_cols} columns")
    if len(df) == 0:
        raise DataError(f"the {what} has a header but no data rows")
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _some(names, k=6):
    names = list(names)
    return ", ".join(names[:k]) + (f", ... ({len(names)} in all)" if len(names) > k else "")
