"""Labs in one SQLite file (Python's sqlite3): WAL mode, so readers never wait for the
writer and two server processes can share the file; a busy timeout, so a writer
waits for another's transaction instead of failing; one transaction per write.

Schema (version 1):

    schema_version(version)
    labs(token PRIMARY KEY, created, used)              -- used: last opened or saved (retention)
    parts(token, name, value BLOB, saved)               -- one row per part, replaced whole
    models(token, run, value BLOB, saved)               -- kept models, nnlab model files
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from nnlab.store.base import MAX_MODELS, MAX_PART_BYTES, Lab, LabStore, StoreError, home_dir, lab_days, new_token
from nnlab.store.memory import MemoryStore

SCHEMA_VERSION = 1
FILENAME = "labs.sqlite3"
BUSY_SECONDS = 5.0  # how long a write waits for another process's transaction
PAGE_SIZE = 65536   # bytes per database page: weights are blobs of megabytes

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS labs (token TEXT PRIMARY KEY, created REAL NOT NULL, used REAL NOT NULL);
CREATE TABLE IF NOT EXISTS parts (
    token TEXT NOT NULL REFERENCES labs(token) ON DELETE CASCADE,
    name TEXT NOT NULL, value BLOB NOT NULL, saved REAL NOT NULL, PRIMARY KEY (token, name));
CREATE TABLE IF NOT EXISTS models (
    token TEXT NOT NULL REFERENCES labs(token) ON DELETE CASCADE,
    run INTEGER NOT NULL, value BLOB NOT NULL, saved REAL NOT NULL, PRIMARY KEY (token, run));
CREATE INDEX IF NOT EXISTS labs_used ON labs(used);
"""

# sqlite3 error names -> StoreError kinds (Python 3.11: exception.sqlite_errorname)
_KINDS = {"SQLITE_BUSY": "locked", "SQLITE_LOCKED": "locked", "SQLITE_FULL": "full", "SQLITE_READONLY": "read-only",
          "SQLITE_CANTOPEN": "read-only", "SQLITE_NOTADB": "corrupt", "SQLITE_CORRUPT": "corrupt",
          "SQLITE_PERM": "read-only", "SQLITE_TOOBIG": "too-large"}


def _kind(e: Exception) -> str:
    if isinstance(e, PermissionError):
        return "read-only"
    if isinstance(e, OSError):
        return "missing"
    name = getattr(e, "sqlite_errorname", "") or ""
    for prefix, kind in _KINDS.items():
        if name.startswith(prefix):
            return kind
    text = str(e).lower()
    for words, kind in (("locked", "locked"), ("full", "full"), ("readonly", "read-only"),
                        ("not a database", "corrupt"), ("malformed", "corrupt")):
        if words in text:
            return kind
    return "unavailable"


class SQLiteStore(LabStore):
    kind = "sqlite"
    # per connection; synchronous NORMAL in WAL mode: a killed process loses no committed write
    # (a power cut may lose the last ones); the WAL file is cut back to 64 MB after a checkpoint
    PRAGMAS = ("PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL", "PRAGMA journal_size_limit = 67108864")

    def __init__(self, path, busy_seconds: float = BUSY_SECONDS):
        self.path, self.busy_seconds = Path(path), float(busy_seconds)
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new folder: this user's only
            with self._connect() as db:
                # 64 KB pages (a new file only): a checkpoint's 6 MB of MNIST weights and Adam state took
                # 28 ms to write with SQLite's default 4 KB pages, 6 ms with these (docs/lab.md)
                db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                db.execute("PRAGMA journal_mode = WAL")  # kept in the file
                db.execute("BEGIN IMMEDIATE")
                for statement in filter(str.strip, _SCHEMA.split(";")):
                    db.execute(statement)
                row = db.execute("SELECT max(version) FROM schema_version").fetchone()
                if row[0] is None:
                    db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
                db.execute("COMMIT")
                if row[0] is not None and row[0] > SCHEMA_VERSION:  # written by a newer nnlab: leave it alone
                    raise StoreError("unavailable")
        except (sqlite3.Error, OSError) as e:
            raise StoreError(_kind(e)) from e

    @property
    def persistent(self) -> bool:
        return True

    # ----------------------------------------------------------- plumbing
    def _connect(self):
        db = sqlite3.connect(self.path, timeout=self.busy_seconds, isolation_level=None, check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self.busy_seconds * 1000)}")
            for pragma in self.PRAGMAS:
                db.execute(pragma)
        except BaseException:
            db.close()
            raise
        return _Closing(db)

    def _write(self, work):
        """Run `work(db)` in one transaction (all of it or nothing); StoreError on failure."""
        try:
            with self._connect() as db:
                db.execute("BEGIN IMMEDIATE")  # take the write lock now: no deadlock on upgrade
                try:
                    result = work(db)
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK") if db.in_transaction else None
                    raise
                return result
        except (sqlite3.Error, OSError) as e:
            raise StoreError(_kind(e)) from e

    def _read(self, work):
        try:
            with self._connect() as db:
                return work(db)
        except (sqlite3.Error, OSError) as e:
            raise StoreError(_kind(e)) from e

    # ----------------------------------------------------------- the interface
    def create_lab(self) -> str:
        token, now = new_token(), time.time()
        self._write(lambda db: db.execute("INSERT INTO labs VALUES (?, ?, ?)", (token, now, now)))
        return token

    def lab_exists(self, token) -> bool:
        return self._read(lambda db: db.execute("SELECT 1 FROM labs WHERE token = ?", (token,)).fetchone()) is not None

    def load_lab(self, token):
        def work(db):
            row = db.execute("SELECT created FROM labs WHERE token = ?", (token,)).fetchone()
            if row is None:
                return None
            parts = dict(db.execute("SELECT name, value FROM parts WHERE token = ?", (token,)).fetchall())
            models = dict(db.execute("SELECT run, value FROM models WHERE token = ?", (token,)).fetchall())
            return Lab(token, parts, models, row[0], time.time())
        lab = self._read(work)
        if lab is not None:  # opened: counts as used (retention)
            try:
                self._write(lambda db: db.execute("UPDATE labs SET used = ? WHERE token = ?", (lab.used, token)))
            except StoreError:
                pass  # a read-only moment: the lab still opens
        return lab

    @staticmethod
    def _touch(db, token, now):
        """Mark the lab used; a lab deleted meanwhile (in another tab) is not brought back."""
        if db.execute("UPDATE labs SET used = ? WHERE token = ?", (now, token)).rowcount == 0:
            raise StoreError("gone")

    @staticmethod
    def _put_parts(db, token, parts, now):
        for name, value in parts.items():
            if value is None:
                db.execute("DELETE FROM parts WHERE token = ? AND name = ?", (token, name))
            else:
                db.execute("INSERT OR REPLACE INTO parts VALUES (?, ?, ?, ?)", (token, name, bytes(value), now))

    def save_parts(self, token, parts):
        if any(v is not None and len(v) > MAX_PART_BYTES for v in parts.values()):
            raise StoreError("too-large")
        now = time.time()

        def work(db):
            self._touch(db, token, now)
            self._put_parts(db, token, parts, now)
        self._write(work)

    def save_models(self, token, models, parts=None):
        now = time.time()
        keep = {int(k): models[k] for k in sorted(models)[-MAX_MODELS:]}

        def work(db):
            self._touch(db, token, now)
            have = {r for (r,) in db.execute("SELECT run FROM models WHERE token = ?", (token,))}
            for run in have - set(keep):
                db.execute("DELETE FROM models WHERE token = ? AND run = ?", (token, run))
            for run, value in keep.items():
                if value is not None:
                    db.execute("INSERT OR REPLACE INTO models VALUES (?, ?, ?, ?)", (token, run, bytes(value), now))
            self._put_parts(db, token, parts or {}, now)
        self._write(work)

    def delete_lab(self, token):
        self._write(lambda db: db.execute("DELETE FROM labs WHERE token = ?", (token,)))

    def purge_unused(self, days):
        cutoff = time.time() - days * 86400
        return self._write(lambda db: db.execute("DELETE FROM labs WHERE used < ?", (cutoff,)).rowcount)

    def labs(self):
        return [t for (t,) in self._read(lambda db: db.execute("SELECT token FROM labs ORDER BY created").fetchall())]

    def integrity(self) -> str:
        """PRAGMA integrity_check's answer ("ok" for a sound file)."""
        return self._read(lambda db: db.execute("PRAGMA integrity_check").fetchone()[0])


class _Closing:
    """A connection closed at the end of a `with` block (sqlite3's own `with` only commits)."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        return self.db

    def __exit__(self, *exc):
        self.db.close()


def open_store(home=None, busy_seconds: float = BUSY_SECONDS, purge: bool = True) -> LabStore:
    """The SQLite store in `home` (default NNLAB_HOME or ~/.nnlab, created on demand),
    with labs unused for NNLAB_LAB_DAYS removed; a MemoryStore with a `warning` when
    the database cannot be used."""
    home = Path(home) if home is not None else home_dir()
    try:
        store = SQLiteStore(home / FILENAME, busy_seconds)
        if purge:
            store.purge_unused(lab_days())
        return store
    except StoreError as e:
        return MemoryStore(warning=f"Your work is not being saved on this server: {e}. It is kept in the "
                                   "server's memory only, until it restarts.")
