"""Rooms in this process's memory (MemoryStore's part): the same checks, limits and
answers as the tables of sql_rooms.py, for the fallback and for tests."""
from __future__ import annotations

import hmac
import json
import time
from dataclasses import replace

from nnlab.store.base import StoreError
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
    settings_json,
)


class MemoryRooms:
    """Mixed into MemoryStore, which gives `_lock`."""

    def _rooms_init(self):
        self._rooms: dict = {}      # code -> {"room": Room, "owner", "used", "learners": {key: name}}
        self._posts: list = []      # RoomPost, in posting order
        self._progress: dict = {}   # (code, learner) -> dict
        self._next_post = 1

    def _get(self, code, want_open=False, owner_token=None) -> dict:
        r = self._rooms.get(parse_room_code(code))
        if r is None:
            raise StoreError("no-room")
        if owner_token is not None and not hmac.compare_digest(r["owner"], learner_key(owner_token)):
            raise StoreError("not-owner")
        if want_open and r["room"].closed:
            raise StoreError("closed")
        return r

    def _learner(self, code, lab_token) -> tuple:
        r = self._get(code, want_open=True)
        key = learner_key(lab_token)
        if key not in r["learners"]:
            raise StoreError("not-joined")
        return r, key

    # ----------------------------------------------------------- the presenter
    def open_room(self, owner_token, setup, title=""):
        setup_text, title = settings_json(setup, MAX_SETUP_BYTES), clean_text(title, MAX_TEXT)
        now = time.time()
        with self._lock:
            code = new_room_code()
            while code in self._rooms:
                code = new_room_code()
            room = Room(code, now, False, read_json(setup_text, {}), title)
            self._rooms[code] = {"room": room, "owner": learner_key(owner_token), "used": now, "learners": {}}
        return replace(room, setup=json.loads(setup_text))

    def room(self, code):
        r = self._rooms.get(parse_room_code(code))
        return None if r is None else replace(r["room"], setup=json.loads(json.dumps(r["room"].setup)))

    def is_owner(self, code, owner_token):
        r = self._rooms.get(parse_room_code(code))
        return r is not None and hmac.compare_digest(r["owner"], learner_key(owner_token))

    def close_room(self, code, owner_token):
        with self._lock:
            self._get(code, owner_token=owner_token)["room"].closed = True

    def hide_post(self, code, owner_token, post_id, hidden=True):
        with self._lock:
            r = self._get(code, owner_token=owner_token)
            for p in self._posts:
                if p.room == r["room"].code and p.id == int(post_id):
                    p.hidden = bool(hidden)

    def rooms_of(self, owner_token):
        key = learner_key(owner_token)
        mine = [replace(r["room"], setup=json.loads(json.dumps(r["room"].setup))) for r in self._rooms.values()
                if r["owner"] == key]
        return sorted(mine, key=lambda room: room.created, reverse=True)

    # ----------------------------------------------------------- the learners
    def join_room(self, code, lab_token, name):
        name = clean_name(name) or animal_name(lab_token)
        with self._lock:
            r = self._get(code, want_open=True)
            r["learners"][learner_key(lab_token)] = name
            r["used"] = time.time()

    def learner_name(self, code, lab_token):
        r = self._rooms.get(parse_room_code(code))
        return None if r is None else r["learners"].get(learner_key(lab_token))

    def post_run(self, code, lab_token, post):
        p = clean_post(post)
        now = time.time()
        with self._lock:
            r, key = self._learner(code, lab_token)
            mine = [q.posted for q in self._posts if q.room == r["room"].code and q.learner == key]
            if len(mine) >= RUN_LIFETIME or sum(t > now - RUN_WINDOW for t in mine) >= RUN_BURST:
                raise StoreError("rate")
            post_id, self._next_post = self._next_post, self._next_post + 1
            self._posts.append(RoomPost(post_id, r["room"].code, key, "", p["run_name"], p["dataset"],
                                        json.loads(p["settings"]), p["val_accuracy"], p["test_accuracy"], p["seconds"],
                                        json.loads(p["curve"]), p["kind"], now, False))
        return post_id

    def post_progress(self, code, lab_token, epoch, val_accuracy, running):
        epoch, val_accuracy, running = progress_values(epoch, val_accuracy, running)
        now = time.time()
        with self._lock:
            r, key = self._learner(code, lab_token)
            row = self._progress.get((r["room"].code, key))
            if row is None:
                row = self._progress[(r["room"].code, key)] = {"window_start": now, "window_count": 0, "kept": 0}
            elif row["window_start"] > now - 1.0:
                if row["window_count"] >= PROGRESS_PER_SECOND:
                    return False
            else:
                row["window_start"], row["window_count"] = now, 0
            row.update(epoch=epoch, val_accuracy=val_accuracy, running=running, updated=now,
                       window_count=row["window_count"] + 1, kept=row["kept"] + 1)
        return True

    # ----------------------------------------------------------- the scoreboard
    def room_posts(self, code, include_hidden=False, with_curves=True, limit=None):
        r = self._rooms.get(parse_room_code(code))
        if r is None:
            return []
        with self._lock:
            mine = [p for p in self._posts if p.room == r["room"].code and (include_hidden or not p.hidden)]
            out = [replace(p, name=r["learners"].get(p.learner, ""), settings=json.loads(json.dumps(p.settings)),
                           curve=list(p.curve) if with_curves else []) for p in reversed(mine)]
        out.sort(key=lambda p: (p.posted, p.id), reverse=True)
        return out if limit is None else out[:max(0, int(limit))]

    def room_curves(self, code, post_ids):
        code, ids = parse_room_code(code), {int(i) for i in post_ids}
        with self._lock:
            return {p.id: list(p.curve) for p in self._posts if p.room == code and p.id in ids}

    def room_counts(self, code):
        code = parse_room_code(code)
        r = self._rooms.get(code)
        with self._lock:
            posts = [p for p in self._posts if p.room == code]
            rows = [v for (c, _), v in self._progress.items() if c == code]
        cutoff = time.time() - RUNNING_SECONDS
        return {"learners": len(r["learners"]) if r else 0, "runs": sum(not p.hidden for p in posts),
                "hidden": sum(p.hidden for p in posts), "running": sum(v["running"] and v["updated"] > cutoff
                                                                       for v in rows),
                "progress": sum(v["kept"] for v in rows)}

    def _purge_rooms(self, cutoff) -> int:
        """(called with `_lock` held)"""
        def used(code, r):
            last = [p.posted for p in self._posts if p.room == code]
            last += [v["updated"] for (c, _), v in self._progress.items() if c == code]
            return max([r["used"], *last])
        old = [code for code, r in self._rooms.items() if used(code, r) < cutoff]
        for code in old:
            del self._rooms[code]
        self._posts = [p for p in self._posts if p.room not in old]
        self._progress = {k: v for k, v in self._progress.items() if k[0] not in old}
        return len(old)
