"""The lab store's SQL, written once for SQLite (sqlite.py) and PostgreSQL (postgres.py).

A backend gives `_write(work)` (runs `work(db)` in one transaction: all of it or nothing,
StoreError on failure) and `_read(work)`; `db.execute(sql, params)` takes `?` placeholders
and returns a cursor (fetchone, fetchall, rowcount, iteration).  The SQL sticks to what both
engines read alike: INSERT ... ON CONFLICT, RETURNING, count(*) FILTER, TRUE/FALSE.
The rooms' part is sql_rooms.py.
"""
from __future__ import annotations

import time

from nnlab.store.base import MAX_MODELS, MAX_PART_BYTES, Lab, StoreError, new_token
from nnlab.store.sql_rooms import SQLRooms

_PUT_PART = ("INSERT INTO parts (token, name, value, saved) VALUES (?, ?, ?, ?) "
             "ON CONFLICT (token, name) DO UPDATE SET value = excluded.value, saved = excluded.saved")
_PUT_MODEL = ("INSERT INTO models (token, run, value, saved) VALUES (?, ?, ?, ?) "
              "ON CONFLICT (token, run) DO UPDATE SET value = excluded.value, saved = excluded.saved")


class SQLStore(SQLRooms):
    """Labs (and, through SQLRooms, rooms) in tables; see sqlite.py for the schema."""

    def _write(self, work):
        raise NotImplementedError

    def _read(self, work):
        raise NotImplementedError

    def create_lab(self) -> str:
        token, now = new_token(), time.time()
        self._write(lambda db: db.execute("INSERT INTO labs (token, created, used) VALUES (?, ?, ?)",
                                          (token, now, now)))
        return token

    def lab_exists(self, token) -> bool:
        return self._read(lambda db: db.execute("SELECT 1 FROM labs WHERE token = ?", (token,)).fetchone()) is not None

    def load_lab(self, token):
        def work(db):
            row = db.execute("SELECT created FROM labs WHERE token = ?", (token,)).fetchone()
            if row is None:
                return None
            parts = {n: bytes(v) for n, v in db.execute("SELECT name, value FROM parts WHERE token = ?", (token,))}
            models = {r: bytes(v) for r, v in db.execute("SELECT run, value FROM models WHERE token = ?", (token,))}
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
                db.execute(_PUT_PART, (token, name, bytes(value), now))

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
                    db.execute(_PUT_MODEL, (token, run, bytes(value), now))
            self._put_parts(db, token, parts or {}, now)
        self._write(work)

    def delete_lab(self, token):
        self._write(lambda db: db.execute("DELETE FROM labs WHERE token = ?", (token,)))

    def purge_unused(self, days):
        """Labs unused for `days` days, and rooms neither opened, joined nor posted to for as
        long; returns how many labs and rooms were removed."""
        cutoff = time.time() - days * 86400

        def work(db):
            labs = db.execute("DELETE FROM labs WHERE used < ?", (cutoff,)).rowcount
            return labs + self._purge_rooms(db, cutoff)
        return self._write(work)

    def labs(self):
        return [t for (t,) in self._read(lambda db: db.execute("SELECT token FROM labs ORDER BY created").fetchall())]
