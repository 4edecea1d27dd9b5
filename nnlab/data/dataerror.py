"""The one error every data loader raises, and the size limit every file obeys.

Whatever is wrong with a file (empty, binary, truncated, text where numbers
belong...), the loaders raise `DataError` with a one-line message that says
what is wrong and how to fix it; nothing else escapes them.  The app shows the
message, the CLI prints ``error: <message>`` and exits 2.

MAX_FILE_MB is the same limit as Streamlit's ``server.maxUploadSize`` in
.streamlit/config.toml (the app refuses bigger uploads before nnlab sees them;
the library refuses them for the CLI).  100 MB holds Kaggle's MNIST train.csv
(73 MB) with room to spare and keeps a parsed upload well under 1 GB of RAM.
"""
from __future__ import annotations

import os
import zlib

MAX_FILE_MB = 100
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
# A gzipped IDX file may expand to at most this (MNIST's largest is 47 MB).
MAX_UNPACKED_BYTES = 4 * MAX_FILE_BYTES


class DataError(ValueError):
    """A data file or upload cannot be used; the message is one line."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


class NoLabelColumn(DataError):
    """No column of the file can be taken for the classes.  `found`: some of its
    column names, so the app can say it in its own words (point to its box)."""

    def __init__(self, message: str, found: str):
        super().__init__(message)
        self.found = found


class Unreachable(DataError):
    """A download failed (offline, server down).  The message is for the command
    line (flags, environment); the app words its own sentence."""


def read_bytes(source, what: str = "file", limit: int | None = None) -> bytes:
    """The content of `source` (a path, bytes, or a binary file object such as a
    Streamlit UploadedFile), refusing anything over `limit` bytes (default MAX_FILE_BYTES)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        if isinstance(source, (bytes, bytearray, memoryview)):
            raw = bytes(source)
        elif hasattr(source, "read"):
            raw = source.read(limit + 1)
        else:
            path = os.fspath(source)
            if os.path.isdir(path):
                raise DataError(f"{path} is a folder, not a {what}")
            if os.path.getsize(path) > limit:
                raise DataError(f"{os.path.basename(path)} is {os.path.getsize(path) / 2**20:.0f} MB; "
                                f"the limit for a {what} is {limit / 2**20:.0f} MB")
            with open(path, "rb") as f:
                raw = f.read(limit + 1)
    except FileNotFoundError:
        raise DataError(f"{what} not found: {source}") from None
    except (OSError, TypeError) as e:
        raise DataError(f"cannot read {what}: {getattr(e, 'strerror', None) or e}") from None
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > limit:
        raise DataError(f"the {what} is larger than the {limit / 2**20:.0f} MB limit")
    if not raw:
        raise DataError(f"the {what} is empty")
    return raw


def gunzip(raw: bytes, what: str = "file", limit: int = MAX_UNPACKED_BYTES) -> bytes:
    """Decompress gzip bytes, or return `raw` unchanged when it is not gzipped.
    Truncated or corrupt archives and archives that unpack beyond `limit` raise."""
    if raw[:2] != b"\x1f\x8b":
        return raw
    d = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer
    try:
        out = d.decompress(raw, limit + 1)
    except zlib.error as e:
        raise DataError(f"{what} is a corrupt gzip archive ({e})") from None
    if len(out) > limit:
        raise DataError(f"{what} unpacks to more than {limit / 2**20:.0f} MB")
    if not d.eof:
        raise DataError(f"{what} is a truncated gzip archive (download it again)")
    return out
