"""Rooms in tables (rooms, room_learners, room_posts, room_progress): the SQL that SQLite
and PostgreSQL share (sql.py says how a backend runs it).  Rate limits are counted in
these tables, inside the post's own transaction, so they hold across server processes:
SQLite's BEGIN IMMEDIATE lets one writer in at a time; PostgreSQL locks the learner's
row (FOR_UPDATE) so one learner's posts are counted one after the other.
"""
from __future__ import annotations

import hmac
import time

from nnlab.store.base import LabStore, StoreError
from nnlab.store.rooms import (
    MAX_SETUP_BYTES,
    MAX_TEXT,
    PROGRESS_PER_SECOND,
    RUN_BURST,
    RUN_LIFETIME,
    RUN_WINDOW,
    RUNNING_SECONDS,
    Room,
    RoomPost,
    animal_name,
    clean_name,
    clean_post,
    clean_text,
    learner_key,
    new_room_code,
    parse_room_code,
    progress_values,
    read_json,
    read_json_many,
    settings_json,
)

_ROOM = "SELECT code, created, closed, setup, title FROM rooms"
_POST = ("INSERT INTO room_posts (room, learner, run_name, dataset, settings, val_accuracy, test_accuracy, seconds, "
         "curve, kind, posted, hidden) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE) RETURNING id")
_POSTS = ("SELECT p.id, p.room, p.learner, l.name, p.run_name, p.dataset, p.settings, p.val_accuracy, "
          "p.test_accuracy, p.seconds, {curve}, p.kind, p.posted, p.hidden FROM room_posts p "
          "JOIN room_learners l ON l.room = p.room AND l.learner = p.learner WHERE p.room = ?{shown} "
          "ORDER BY p.posted DESC, p.id DESC")
# one row per learner: replaced, with a 1-second window counting the posts (more than
# PROGRESS_PER_SECOND in a window: the row is left as it is, rowcount 0)
_PROGRESS = """INSERT INTO room_progress (room, learner, epoch, val_accuracy, running, updated, window_start,
    window_count, kept) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1)
ON CONFLICT (room, learner) DO UPDATE SET epoch = excluded.epoch, val_accuracy = excluded.val_accuracy,
    running = excluded.running, updated = excluded.updated,
    window_start = CASE WHEN room_progress.window_start > excluded.updated - 1.0
                        THEN room_progress.window_start ELSE excluded.updated END,
    window_count = CASE WHEN room_progress.window_start > excluded.updated - 1.0
                        THEN room_progress.window_count + 1 ELSE 1 END,
    kept = room_progress.kept + 1
WHERE room_progress.window_start <= excluded.updated - 1.0 OR room_progress.window_count < ?"""
_COUNTS = """SELECT (SELECT count(*) FROM room_learners WHERE room = ?),
    (SELECT count(*) FROM room_posts WHERE room = ? AND NOT hidden),
    (SELECT count(*) FROM room_posts WHERE room = ? AND hidden),
    (SELECT count(*) FROM room_progress WHERE room = ? AND running AND updated > ?),
    (SELECT coalesce(sum(kept), 0) FROM room_progress WHERE room = ?)"""
_PURGE = """DELETE FROM rooms WHERE used < ?
    AND NOT EXISTS (SELECT 1 FROM room_posts p WHERE p.room = rooms.code AND p.posted >= ?)
    AND NOT EXISTS (SELECT 1 FROM room_progress g WHERE g.room = rooms.code AND g.updated >= ?)"""


def _room(row) -> Room:
    return Room(row[0], row[1], bool(row[2]), read_json(row[3], {}), row[4] or "")


class SQLRooms(LabStore):
    FOR_UPDATE = ""  # PostgreSQL: " FOR UPDATE" (in SQLite, BEGIN IMMEDIATE already lets one writer in)

    # ----------------------------------------------------------- checks inside a transaction
    @staticmethod
    def _open(db, code):
        """StoreError unless room `code` exists and is open."""
        row = db.execute("SELECT closed FROM rooms WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise StoreError("no-room")
        if row[0]:
            raise StoreError("closed")

    @staticmethod
    def _owned(db, code, owner_token):
        row = db.execute("SELECT owner FROM rooms WHERE code = ?", (code,)).fetchone()
        if row is None:
            raise StoreError("no-room")
        if not hmac.compare_digest(row[0], learner_key(owner_token)):
            raise StoreError("not-owner")

    def _joined(self, db, code, learner):
        sql = "SELECT 1 FROM room_learners WHERE room = ? AND learner = ?" + self.FOR_UPDATE
        if db.execute(sql, (code, learner)).fetchone() is None:
            raise StoreError("not-joined")

    # ----------------------------------------------------------- the presenter
    def open_room(self, owner_token, setup, title=""):
        setup_text, title = settings_json(setup, MAX_SETUP_BYTES), clean_text(title, MAX_TEXT)
        owner, now = learner_key(owner_token), time.time()
        for _ in range(20):  # a code already taken (1 in 887 million per room open): draw again
            code = new_room_code()
            added = self._write(lambda db: db.execute(
                "INSERT INTO rooms (code, owner, created, used, closed, title, setup) VALUES (?, ?, ?, ?, FALSE, ?, ?) "
                "ON CONFLICT (code) DO NOTHING", (code, owner, now, now, title, setup_text)).rowcount)
            if added:
                return Room(code, now, False, read_json(setup_text, {}), title)
        raise StoreError("unavailable")

    def room(self, code):
        code = parse_room_code(code)
        if code is None:
            return None
        row = self._read(lambda db: db.execute(_ROOM + " WHERE code = ?", (code,)).fetchone())
        return None if row is None else _room(row)

    def is_owner(self, code, owner_token):
        code = parse_room_code(code)
        if code is None:
            return False
        row = self._read(lambda db: db.execute("SELECT owner FROM rooms WHERE code = ?", (code,)).fetchone())
        return row is not None and hmac.compare_digest(row[0], learner_key(owner_token))

    def close_room(self, code, owner_token):
        code = parse_room_code(code)

        def work(db):
            self._owned(db, code, owner_token)
            db.execute("UPDATE rooms SET closed = TRUE WHERE code = ?", (code,))
        self._write(work)

    def hide_post(self, code, owner_token, post_id, hidden=True):
        code = parse_room_code(code)

        def work(db):
            self._owned(db, code, owner_token)
            db.execute("UPDATE room_posts SET hidden = ? WHERE room = ? AND id = ?", (bool(hidden), code, int(post_id)))
        self._write(work)

    def rooms_of(self, owner_token):
        rows = self._read(lambda db: db.execute(_ROOM + " WHERE owner = ? ORDER BY created DESC",
                                                (learner_key(owner_token),)).fetchall())
        return [_room(r) for r in rows]

    # ----------------------------------------------------------- the learners
    def join_room(self, code, lab_token, name):
        code, learner = parse_room_code(code), learner_key(lab_token)
        name, now = clean_name(name) or animal_name(lab_token), time.time()

        def work(db):
            self._open(db, code)
            db.execute("INSERT INTO room_learners (room, learner, name, joined) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (room, learner) DO UPDATE SET name = excluded.name", (code, learner, name, now))
            db.execute("UPDATE rooms SET used = ? WHERE code = ?", (now, code))
        self._write(work)

    def learner_name(self, code, lab_token):
        code = parse_room_code(code)
        row = self._read(lambda db: db.execute("SELECT name FROM room_learners WHERE room = ? AND learner = ?",
                                               (code, learner_key(lab_token))).fetchone())
        return None if row is None else row[0]

    def post_run(self, code, lab_token, post):
        code, learner, p = parse_room_code(code), learner_key(lab_token), clean_post(post)
        now = time.time()

        def work(db):
            self._open(db, code)
            self._joined(db, code, learner)
            total, recent = db.execute("SELECT count(*), count(*) FILTER (WHERE posted > ?) FROM room_posts "
                                       "WHERE room = ? AND learner = ?", (now - RUN_WINDOW, code, learner)).fetchone()
            if total >= RUN_LIFETIME or recent >= RUN_BURST:
                raise StoreError("rate")
            return db.execute(_POST, (code, learner, p["run_name"], p["dataset"], p["settings"], p["val_accuracy"],
                                      p["test_accuracy"], p["seconds"], p["curve"], p["kind"], now)).fetchone()[0]
        return int(self._write(work))

    def post_progress(self, code, lab_token, epoch, val_accuracy, running):
        code, learner = parse_room_code(code), learner_key(lab_token)
        epoch, val_accuracy, running = progress_values(epoch, val_accuracy, running)
        now = time.time()

        def work(db):
            self._open(db, code)
            self._joined(db, code, learner)
            return db.execute(_PROGRESS, (code, learner, epoch, val_accuracy, running, now, now,
                                          PROGRESS_PER_SECOND)).rowcount
        return self._write(work) > 0

    # ----------------------------------------------------------- the scoreboard
    def room_posts(self, code, include_hidden=False, with_curves=True, limit=None):
        code = parse_room_code(code)
        sql = _POSTS.format(curve="p.curve" if with_curves else "NULL",
                            shown="" if include_hidden else " AND NOT p.hidden")
        args = (code,)
        if limit is not None:
            sql, args = sql + " LIMIT ?", (code, max(0, int(limit)))
        rows = self._read(lambda db: db.execute(sql, args).fetchall())
        settings = read_json_many([r[6] for r in rows], {})
        curves = read_json_many([r[10] for r in rows], []) if with_curves else [[] for _ in rows]
        return [RoomPost(r[0], r[1], r[2], r[3], r[4], r[5], s, r[7], r[8], r[9], c, r[11], r[12], bool(r[13]))
                for r, s, c in zip(rows, settings, curves)]

    def room_curves(self, code, post_ids):
        code, ids = parse_room_code(code), sorted({int(i) for i in post_ids})
        out = {}
        for start in range(0, len(ids), 500):  # (bounded statements: SQLite allows 32,766 parameters)
            chunk = ids[start:start + 500]
            sql = f"SELECT id, curve FROM room_posts WHERE room = ? AND id IN ({', '.join('?' * len(chunk))})"
            rows = self._read(lambda db: db.execute(sql, (code, *chunk)).fetchall())
            out.update(zip((r[0] for r in rows), read_json_many([r[1] for r in rows], [])))
        return out

    def room_counts(self, code):
        code = parse_room_code(code)
        row = self._read(lambda db: db.execute(_COUNTS, (code, code, code, code, time.time() - RUNNING_SECONDS,
                                                         code)).fetchone())
        return {"learners": int(row[0]), "runs": int(row[1]), "hidden": int(row[2]), "running": int(row[3]),
                "progress": int(row[4])}

    @staticmethod
    def _purge_rooms(db, cutoff) -> int:
        return db.execute(_PURGE, (cutoff, cutoff, cutoff)).rowcount
