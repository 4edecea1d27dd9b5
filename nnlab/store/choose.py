"""Which store: NNLAB_STORE (docs/lab.md).

    unset or empty            SQLite, labs.sqlite3 in NNLAB_HOME (default ~/.nnlab)
    /some/where/x.sqlite3     SQLite, that file
    postgresql://user@host/db PostgreSQL (postgres.py: psycopg 3, imported only then)

`open_store()` never fails: when the database cannot be used it returns a MemoryStore
whose `warning` says why in a learner's words (no path, no URL, no password).
"""
from __future__ import annotations

import os
from pathlib import Path

from nnlab.store.base import LabStore, StoreError, home_dir, lab_days
from nnlab.store.memory import MemoryStore
from nnlab.store.sqlite import BUSY_SECONDS, FILENAME, SQLiteStore

STORE_ENV = "NNLAB_STORE"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def store_target(home=None) -> tuple:
    """("sqlite", Path) or ("postgres", URL) as NNLAB_STORE says; `home` (a folder), when
    given, means its SQLite file whatever the variable says (tests, measurements).
    ValueError for a value that is neither."""
    if home is not None:
        return "sqlite", Path(home) / FILENAME
    text = (os.environ.get(STORE_ENV) or "").strip()
    if not text:
        return "sqlite", home_dir() / FILENAME
    if text.startswith(POSTGRES_SCHEMES):
        return "postgres", text
    if text.endswith(".sqlite3"):
        return "sqlite", Path(text).expanduser()
    raise ValueError(f"{STORE_ENV} is neither a postgresql:// URL nor a file ending in .sqlite3")


def connect(kind: str, where, busy_seconds: float = BUSY_SECONDS) -> LabStore:
    """The store at `where` (store_target's answer); StoreError when it cannot be used."""
    if kind == "postgres":
        from nnlab.store.postgres import PostgresStore  # psycopg is imported only by those who use it

        return PostgresStore(where)
    return SQLiteStore(where, busy_seconds)


def open_store(home=None, busy_seconds: float = BUSY_SECONDS, purge: bool = True) -> LabStore:
    """The store NNLAB_STORE chooses (or the SQLite file in `home`), with labs and rooms unused
    for NNLAB_LAB_DAYS removed; a MemoryStore with a `warning` when it cannot be used."""
    try:
        kind, where = store_target(home)
    except ValueError:
        return MemoryStore(warning="Your work is not being saved on this server: its store setting (NNLAB_STORE) "
                                   "is not understood. It is kept in the server's memory only, until it restarts.")
    try:
        store = connect(kind, where, busy_seconds)
        if purge:
            store.purge_unused(lab_days())
        return store
    except StoreError as e:
        return MemoryStore(warning=f"Your work is not being saved on this server: {e}. It is kept in the "
                                   "server's memory only, until it restarts.")
