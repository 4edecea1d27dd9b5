"""Labs in one SQLite file (Python's sqlite3): WAL mode, so readers never wait for the
writer and two server processes can share the file; a busy timeout, so a writer
waits for another's transaction instead of failing; one transaction per write.

The SQL itself is shared with PostgreSQL (sql.py, sql_rooms.py); here: the connection,
the schema and its migrations.  Schema (version 2; docs/lab.md):

    schema_version(version)
    labs(token PRIMARY KEY, created, used)              -- used: last opened or saved (retention)
    parts(token, name, value BLOB, saved)               -- one row per part, replaced whole
    models(token, run, value BLOB, saved)               -- kept models, nnlab model files
    -- version 2: rooms (nnlab/store/rooms.py)
    rooms(code PRIMARY KEY, owner, created, used, closed, title, setup)   -- owner: learner_key(token)
    room_learners(room, learner, name, joined)
    room_posts(id PRIMARY KEY, room, learner, run_name, dataset, settings, val_accuracy, test_accuracy,
               seconds, curve, kind, posted, hidden)
    room_progress(room, learner, epoch, val_accuracy, running, updated, window_start, window_count, kept)
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from nnlab.store.base import StoreError
from nnlab.store.sql import SQLStore

SCHEMA_VERSION = 2
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
# version 1 -> 2: the rooms (a version-1 file keeps its labs and gains these tables)
_ROOMS = """
CREATE TABLE IF NOT EXISTS rooms (code TEXT PRIMARY KEY, owner TEXT NOT NULL, created REAL NOT NULL,
    used REAL NOT NULL, closed BOOLEAN NOT NULL DEFAULT FALSE, title TEXT NOT NULL DEFAULT '',
    setup TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS room_learners (room TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
    learner TEXT NOT NULL, name TEXT NOT NULL, joined REAL NOT NULL, PRIMARY KEY (room, learner));
CREATE TABLE IF NOT EXISTS room_posts (id INTEGER PRIMARY KEY, room TEXT NOT NULL, learner TEXT NOT NULL,
    run_name TEXT NOT NULL, dataset TEXT NOT NULL, settings TEXT NOT NULL, val_accuracy REAL, test_accuracy REAL,
    seconds REAL, curve TEXT NOT NULL, kind TEXT NOT NULL, posted REAL NOT NULL, hidden BOOLEAN NOT NULL DEFAULT FALSE,
    FOREIGN KEY (room, learner) REFERENCES room_learners(room, learner) ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS room_progress (room TEXT NOT NULL, learner TEXT NOT NULL, epoch INTEGER NOT NULL,
    val_accuracy REAL, running BOOLEAN NOT NULL, updated REAL NOT NULL, window_start REAL NOT NULL,
    window_count INTEGER NOT NULL, kept INTEGER NOT NULL, PRIMARY KEY (room, learner),
    FOREIGN KEY (room, learner) REFERENCES room_learners(room, learner) ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS rooms_owner ON rooms(owner);
CREATE INDEX IF NOT EXISTS room_posts_room ON room_posts(room, posted);
CREATE INDEX IF NOT EXISTS room_posts_learner ON room_posts(room, learner, posted);
"""
MIGRATIONS = {1: _ROOMS}  # from version k to k + 1

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


class SQLiteStore(SQLStore):
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
                db.execute("BEGIN IMMEDIATE")  # two processes starting at once: one creates, one finds
                _script(db, _SCHEMA)
                version = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
                if version is None:  # a new file
                    version = 1
                    db.execute("INSERT INTO schema_version VALUES (1)")
                if version > SCHEMA_VERSION:  # written by a newer nnlab: leave it alone
                    db.execute("ROLLBACK")
                    raise StoreError("unavailable")
                while version < SCHEMA_VERSION:  # in the same transaction: all the steps, or none
                    _script(db, MIGRATIONS[version])
                    version += 1
                    db.execute("UPDATE schema_version SET version = ?", (version,))
                db.execute("COMMIT")
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

    def integrity(self) -> str:
        """PRAGMA integrity_check's answer ("ok" for a sound file)."""
        return self._read(lambda db: db.execute("PRAGMA integrity_check").fetchone()[0])


def _script(db, sql):
    for statement in filter(str.strip, sql.split(";")):
        db.execute(statement)


class _Closing:
    """A connection closed at the end of a `with` block (sqlite3's own `with` only commits)."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        return self.db

    def __exit__(self, *exc):
        self.db.close()
