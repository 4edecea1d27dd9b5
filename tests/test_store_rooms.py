"""Rooms in the lab store (nnlab/store/rooms.py), on every backend (memory, SQLite,
PostgreSQL: the `any_store` fixture of conftest.py): codes nobody can break the parser
with, closed rooms, owners, hostile names, bad posts, rate limits counted in the
database, counts, hidden posts, retention, and no way from a room to a lab."""
import json
import math
import multiprocessing
import sqlite3
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from nnlab.store import (
    ROOM_ALPHABET,
    SQLiteStore,
    StoreError,
    learner_key,
    memory,
    memory_rooms,
    new_room_code,
    parse_room_code,
    rooms,
    sql,
    sql_rooms,
)


def post(**kw):
    return {"run_name": "run 1", "dataset": "digits", "settings": {"lr": 0.01, "hidden": [64]},
            "val_accuracy": 0.9, "test_accuracy": 0.88, "seconds": 3.5, "curve": [0.5, 0.8, 0.9], "kind": "run", **kw}


class Clock:
    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """The stores' clock, set by the test (every time the stores write comes from it)."""
    c = Clock()
    for module in (sql, sql_rooms, memory, memory_rooms):
        monkeypatch.setattr(module, "time", c)
    return c


def refused(kind, call, *args):
    with pytest.raises(StoreError) as e:
        call(*args)
    assert e.value.kind == kind, (e.value.kind, kind)
    return e.value


# ------------------------------------------------------------------ codes and keys
def test_codes_are_six_characters_without_look_alikes():
    codes = {new_room_code() for _ in range(2000)}
    # random, not a sequence: 2000 draws of 887 million repeat one code 1 time in 440 (the
    # birthday bound; CI met it once), ten repeats would be a broken generator
    # (opening a room draws again on a code already taken: test_a_taken_code_is_drawn_again)
    assert len(codes) >= 1990
    assert all(len(c) == 6 and set(c) <= set(ROOM_ALPHABET) for c in codes)
    assert not set("01OIL") & set(ROOM_ALPHABET) and len(set(ROOM_ALPHABET)) == 31


def test_a_taken_code_is_drawn_again(any_store, monkeypatch):
    """Two rooms never share a code: a code already taken is drawn again (SQL: ON CONFLICT)."""
    from nnlab.store import memory_rooms, sql_rooms

    draws = iter(["ABC234", "ABC234", "ABC234", "XYZ789"])
    for module in (memory_rooms, sql_rooms):
        monkeypatch.setattr(module, "new_room_code", lambda: next(draws))
    s = any_store
    first, second = s.open_room(s.create_lab(), {}), s.open_room(s.create_lab(), {})
    assert (first.code, second.code) == ("ABC234", "XYZ789")
    assert not s.is_owner("XYZ789", "nobody") and s.room("ABC234").code == "ABC234"


def test_the_code_parser_on_near_misses():
    assert parse_room_code("ABC234") == "ABC234" == parse_room_code(" abc234\n") == parse_room_code(["abc234"])
    for bad in ("ABC23", "ABC2345", "ABC23O", "ABC231", "ABCDEI", "ABC 23", "", None, 123456, ["ABC234", "ABC234"],
                b"ABC234", "ＡBC234", "ABC234\x00", "../ABC", "ABC2ß4"):
        assert parse_room_code(bad) is None, bad


@settings(max_examples=500, deadline=None)
@given(hs.one_of(hs.text(), hs.text(alphabet=ROOM_ALPHABET + ROOM_ALPHABET.lower() + " 0O1Il\x00é", max_size=9),
                 hs.binary(), hs.integers(), hs.floats(), hs.none(), hs.lists(hs.text(), max_size=3),
                 hs.dictionaries(hs.text(), hs.text(), max_size=2)))
def test_the_code_parser_never_raises_and_gives_none_or_six_characters_of_the_alphabet(text):
    got = parse_room_code(text)
    assert got is None or (isinstance(got, str) and len(got) == 6 and set(got) <= set(ROOM_ALPHABET))


def test_a_learner_key_is_opaque_and_stable():
    token = "A" * 31 + "b"
    key = learner_key(token)
    assert key == learner_key(token) != learner_key("A" * 32)
    assert len(key) == 32 and int(key, 16) >= 0 and token not in key and "AAAA" not in key


# ------------------------------------------------------------------ the round trip
def test_a_room_round_trips_its_posts_newest_first(any_store, clock):
    s = any_store
    presenter, ann, bob = s.create_lab(), s.create_lab(), s.create_lab()
    room = s.open_room(presenter, {"lr": 0.01, "hidden": [64, 32]}, title="  Workshop <1>  ")
    assert parse_room_code(room.code) == room.code and not room.closed and room.title == "Workshop <1>"
    assert s.room(room.code) == room == s.room(room.code.lower()) and s.room(new_room_code()) is None
    assert s.room("nonsense") is None and s.room(None) is None
    assert s.rooms_of(presenter) == [room] and s.rooms_of(ann) == []
    assert s.is_owner(room.code, presenter) and not s.is_owner(room.code, ann) and not s.is_owner("x", presenter)
    assert s.learner_name(room.code, ann) is None
    s.join_room(room.code, ann, "  Ann ")
    s.join_room(room.code, bob, "")  # empty: an animal's name
    assert s.learner_name(room.code, ann) == "Ann" and s.learner_name(room.code, bob).startswith("Anonymous ")
    ids = []
    for i, who in enumerate([ann, bob, ann]):
        clock.now += 1
        ids.append(s.post_run(room.code, who, post(run_name=f"run {i}", curve=list(range(500)) if i == 2 else [0.5],
                                                    kind="sweep-best" if i == 1 else "run")))
    assert len(set(ids)) == 3
    s.join_room(room.code, ann, "Ann B.")  # a rename shows on her old posts too
    got = s.room_posts(room.code)
    assert [p.id for p in got] == ids[::-1] and [p.run_name for p in got] == ["run 2", "run 1", "run 0"]
    p = got[0]
    assert (p.room, p.learner, p.name, p.dataset, p.kind, p.hidden) == (room.code, learner_key(ann), "Ann B.", "digits",
                                                                       "run", False)
    assert p.settings == {"lr": 0.01, "hidden": [64]} and p.val_accuracy == 0.9 and p.test_accuracy == 0.88
    assert p.seconds == 3.5 and p.posted == pytest.approx(clock.now)
    assert len(p.curve) == rooms.MAX_CURVE and p.curve[0] == 0 and p.curve[-1] == 499  # downsampled
    assert got[1].kind == "sweep-best" and got[2].curve == [0.5]
    assert [q.curve for q in s.room_posts(room.code, with_curves=False)] == [[], [], []]
    assert [q.id for q in s.room_posts(room.code, limit=2)] == ids[:0:-1]
    other = s.open_room(ann, {})
    s.join_room(other.code, ann, "Ann")
    elsewhere = s.post_run(other.code, ann, post(curve=[0.25]))
    assert s.room_curves(room.code, [ids[0], ids[2], elsewhere, 10 ** 9]) == {ids[0]: [0.5], ids[2]: p.curve}
    assert s.room_curves(other.code, [elsewhere]) == {elsewhere: [0.25]} and s.room_curves(room.code, []) == {}
    assert s.room_counts(room.code) == {"learners": 2, "runs": 3, "hidden": 0, "running": 0, "progress": 0}
    assert s.room_posts(new_room_code()) == [] and s.room_counts("bad")["runs"] == 0


def test_nothing_in_a_room_gives_a_token_or_a_lab(any_store):
    s = any_store
    presenter, ann = s.create_lab(), s.create_lab()
    s.save_part(ann, "controls", b'{"secret": 1}')
    room = s.open_room(presenter, {})
    s.join_room(room.code, ann, "Ann")
    s.post_run(room.code, ann, post())
    s.post_progress(room.code, ann, 1, 0.5, True)
    seen = repr([s.room(room.code), s.room_posts(room.code, include_hidden=True), s.room_counts(room.code),
                 s.rooms_of(presenter), s.learner_name(room.code, ann)])
    assert ann not in seen and presenter not in seen and "secret" not in seen
    assert s.load_lab(room.code) is None and not s.lab_exists(room.code)


# ------------------------------------------------------------------ closed rooms, owners, moderation
def test_a_closed_room_refuses_joins_and_posts_and_only_its_owner_closes_it(any_store):
    s = any_store
    presenter, ann, eve = s.create_lab(), s.create_lab(), s.create_lab()
    room = s.open_room(presenter, {})
    s.join_room(room.code, ann, "Ann")
    refused("not-owner", s.close_room, room.code, eve)
    refused("not-owner", s.close_room, room.code, ann)
    refused("no-room", s.close_room, new_room_code(), presenter)
    s.post_run(room.code, ann, post())
    s.close_room(room.code, presenter)
    assert s.room(room.code).closed and s.rooms_of(presenter)[0].closed
    e = refused("closed", s.post_run, room.code, ann, post())
    assert "closed" in str(e) and "presenter" in str(e)
    refused("closed", s.post_progress, room.code, ann, 2, 0.5, True)
    refused("closed", s.join_room, room.code, eve, "Eve")
    assert len(s.room_posts(room.code)) == 1  # what was posted stays for the presenter
    refused("no-room", s.join_room, new_room_code(), ann, "Ann")
    refused("no-room", s.join_room, "not a code", ann, "Ann")
    refused("no-room", s.post_run, new_room_code(), ann, post())
    refused("not-joined", s.post_run, s.open_room(presenter, {}).code, ann, post())
    refused("not-joined", s.post_progress, s.open_room(presenter, {}).code, ann, 1, None, True)


def test_only_the_owner_hides_a_post_and_hidden_posts_are_left_out(any_store):
    s = any_store
    presenter, ann, eve = s.create_lab(), s.create_lab(), s.create_lab()
    room, other = s.open_room(presenter, {}), s.open_room(eve, {})
    s.join_room(room.code, ann, "Ann")
    ids = [s.post_run(room.code, ann, post(run_name=f"r{i}")) for i in range(3)]
    refused("not-owner", s.hide_post, room.code, eve, ids[1])
    s.hide_post(other.code, eve, ids[1])  # her own room: no post of this one changes
    s.hide_post(room.code, presenter, ids[1])
    assert [p.id for p in s.room_posts(room.code)] == [ids[2], ids[0]]
    assert [p.hidden for p in s.room_posts(room.code, include_hidden=True)] == [False, True, False]
    assert s.room_counts(room.code)["runs"] == 2 and s.room_counts(room.code)["hidden"] == 1
    s.hide_post(room.code, presenter, ids[1], hidden=False)
    assert len(s.room_posts(room.code)) == 3


# ------------------------------------------------------------------ what learners send
HOSTILE = ["<script>alert(1)</script>", "**bold** [link](javascript:alert(1)) | table |", "x" * 10_000,
           "tab\there\nnew line\x1b[31mred\x07", "nul\x00byte", "lone \ud800 surrogate", "   ", "é" * 41,
           "&lt;b&gt; {{ template }} ${x}"]


def test_hostile_names_are_kept_as_given_but_capped(any_store):
    s = any_store
    presenter = s.create_lab()
    room = s.open_room(presenter, {}, title="<h1>" + "t" * 200)
    assert s.room(room.code).title == ("<h1>" + "t" * 200)[:rooms.MAX_TEXT]
    for name in HOSTILE:
        ann = s.create_lab()
        s.join_room(room.code, ann, name)
        got = s.learner_name(room.code, ann)
        want = name.replace("\x00", "\ufffd").replace("\ud800", "\ufffd").strip()[:rooms.MAX_NAME]
        assert got == (want or rooms.animal_name(ann)), (name, got)
        s.post_run(room.code, ann, post(run_name=name, dataset=name, settings={name[:100]: name[:100]}))
        p = s.room_posts(room.code)[0]
        assert p.name == got and len(p.run_name) <= rooms.MAX_TEXT and len(p.dataset) <= rooms.MAX_TEXT
        assert p.run_name == name.replace("\x00", "\ufffd").replace("\ud800", "\ufffd").strip()[:rooms.MAX_TEXT]
        assert p.settings == json.loads(json.dumps({name[:100]: name[:100]}))


@pytest.mark.parametrize("bad", [
    {"settings": {"x": "y" * 5000}}, {"settings": "lr=0.1"}, {"settings": {"f": object()}}, {"val_accuracy": 1.5},
    {"val_accuracy": "0.9"}, {"test_accuracy": -0.1}, {"seconds": -1.0}, {"kind": "other"}, {"curve": "0.5 0.6"},
    {"curve": [0.5, "x"]}, {"run_name": 42}, {"dataset": ["digits"]}, {"val_accuracy": True}])
def test_a_malformed_post_is_refused_and_nothing_is_kept(any_store, bad):
    s = any_store
    presenter, ann = s.create_lab(), s.create_lab()
    room = s.open_room(presenter, {})
    s.join_room(room.code, ann, "Ann")
    refused("bad-post", s.post_run, room.code, ann, post(**bad))
    assert s.room_posts(room.code) == []


def test_non_finite_numbers_are_kept_as_none(any_store):
    s = any_store
    presenter, ann = s.create_lab(), s.create_lab()
    room = s.open_room(presenter, {})
    s.join_room(room.code, ann, "Ann")
    s.post_run(room.code, ann, post(val_accuracy=math.nan, test_accuracy=None, seconds=math.inf,
                                    curve=[0.1, math.nan, math.inf, 0.4]))
    p = s.room_posts(room.code)[0]
    assert (p.val_accuracy, p.test_accuracy, p.seconds, p.curve) == (None, None, None, [0.1, None, None, 0.4])
    refused("bad-post", s.post_progress, room.code, ann, -1, 0.5, True)
    refused("bad-post", s.post_progress, room.code, ann, "3", 0.5, True)
    refused("bad-post", s.open_room, presenter, {"x": "y" * 20_000})


# ------------------------------------------------------------------ rate limits and counts
def test_finished_runs_are_rate_limited_per_learner(any_store, clock):
    s = any_store
    presenter, ann, bob = s.create_lab(), s.create_lab(), s.create_lab()
    room = s.open_room(presenter, {})
    for who in (ann, bob):
        s.join_room(room.code, who, "x")
    for _ in range(rooms.RUN_BURST):
        s.post_run(room.code, ann, post())
    e = refused("rate", s.post_run, room.code, ann, post())
    assert "wait a few seconds" in str(e)
    s.post_run(room.code, bob, post())  # another learner is not held back
    clock.now += rooms.RUN_WINDOW + 0.01
    s.post_run(room.code, ann, post())
    n = rooms.RUN_BURST + 1
    while n < rooms.RUN_LIFETIME:  # then the room's lifetime limit
        clock.now += rooms.RUN_WINDOW / rooms.RUN_BURST + 0.01
        s.post_run(room.code, ann, post())
        n += 1
    clock.now += 3600
    refused("rate", s.post_run, room.code, ann, post())
    assert s.room_counts(room.code)["runs"] == rooms.RUN_LIFETIME + 1


def test_progress_is_one_row_per_learner_and_extra_posts_are_dropped(any_store, clock):
    s = any_store
    presenter, ann, bob = s.create_lab(), s.create_lab(), s.create_lab()
    room = s.open_room(presenter, {})
    for who in (ann, bob):
        s.join_room(room.code, who, "x")
    kept = [s.post_progress(room.code, ann, epoch, 0.5, True) for epoch in range(10)]
    assert kept == [True] * rooms.PROGRESS_PER_SECOND + [False] * (10 - rooms.PROGRESS_PER_SECOND)
    assert s.post_progress(room.code, bob, 1, None, True)
    assert s.room_counts(room.code) == {"learners": 2, "runs": 0, "hidden": 0, "running": 2,
                                        "progress": rooms.PROGRESS_PER_SECOND + 1}
    clock.now += 1.0
    assert s.post_progress(room.code, ann, 11, 0.6, False)  # a new second: kept again; Ann stopped
    assert s.room_counts(room.code)["running"] == 1
    clock.now += rooms.RUNNING_SECONDS + 1  # Bob's tab went quiet: no longer "running now"
    assert s.room_counts(room.code)["running"] == 0


def test_rooms_unused_for_the_retention_time_are_purged(any_store, clock):
    s = any_store
    day = 86400
    presenter, ann = s.create_lab(), s.create_lab()
    old, posted = s.open_room(presenter, {}), s.open_room(presenter, {})
    s.join_room(posted.code, ann, "Ann")
    clock.now += 20 * day
    s.post_run(posted.code, ann, post())  # posted to since: kept
    fresh = s.open_room(presenter, {})
    s.join_room(fresh.code, ann, "Ann")
    clock.now += 15 * day
    s.post_progress(fresh.code, ann, 1, None, True)
    s.purge_unused(30)
    assert s.room(old.code) is None
    assert s.room(posted.code) is not None and len(s.room_posts(posted.code)) == 1 and s.room(fresh.code) is not None
    clock.now += 16 * day  # the post is 31 days old now; the progress 16
    s.purge_unused(30)
    assert s.room(posted.code) is None and s.room_posts(posted.code) == [] and s.room(fresh.code) is not None
    clock.now += 15 * day
    s.purge_unused(30)
    assert s.room(fresh.code) is None and s.room_counts(fresh.code)["progress"] == 0 and s.rooms_of(presenter) == []


# ------------------------------------------------------------------ SQLite: schema, indexes, processes
V1 = """CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE labs (token TEXT PRIMARY KEY, created REAL NOT NULL, used REAL NOT NULL);
CREATE TABLE parts (token TEXT NOT NULL REFERENCES labs(token) ON DELETE CASCADE, name TEXT NOT NULL,
    value BLOB NOT NULL, saved REAL NOT NULL, PRIMARY KEY (token, name));
CREATE TABLE models (token TEXT NOT NULL REFERENCES labs(token) ON DELETE CASCADE, run INTEGER NOT NULL,
    value BLOB NOT NULL, saved REAL NOT NULL, PRIMARY KEY (token, run));
CREATE INDEX labs_used ON labs(used);
INSERT INTO schema_version VALUES (1);"""


def test_a_version_1_file_opens_keeps_its_labs_and_gains_rooms(tmp_path):
    path = tmp_path / "labs.sqlite3"
    token = "T" * 32
    with sqlite3.connect(path) as db:
        db.executescript(V1)
        db.execute("INSERT INTO labs VALUES (?, ?, ?)", (token, time.time(), time.time()))
        db.execute("INSERT INTO parts VALUES (?, 'controls', ?, ?)", (token, b'{"ctl_lr": 0.1}', time.time()))
        db.execute("INSERT INTO models VALUES (?, 3, ?, ?)", (token, b"model", time.time()))
    db.close()
    s = SQLiteStore(path)
    lab = s.load_lab(token)
    assert lab.parts == {"controls": b'{"ctl_lr": 0.1}'} and lab.models == {3: b"model"}
    room = s.open_room(token, {})
    s.join_room(room.code, token, "me")
    s.post_run(room.code, token, post())
    assert len(SQLiteStore(path).room_posts(room.code)) == 1 and s.integrity() == "ok"
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(2,)]
    db.close()


def test_a_file_of_a_newer_version_is_left_alone(tmp_path):
    path = tmp_path / "labs.sqlite3"
    SQLiteStore(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = 99")
    db.close()
    refused("unavailable", SQLiteStore, path)


def test_the_scoreboard_query_uses_the_room_index(tmp_path):
    s = SQLiteStore(tmp_path / "labs.sqlite3")
    sql = sql_rooms._POSTS.format(curve="p.curve", shown=" AND NOT p.hidden")
    with sqlite3.connect(s.path) as db:
        plan = " ".join(str(r) for r in db.execute("EXPLAIN QUERY PLAN " + sql, ("ABCDEF",)))
        assert "room_posts_room" in plan and "SCAN p" not in plan and "TEMP B-TREE" not in plan, plan
        plan = " ".join(str(r) for r in db.execute(
            "EXPLAIN QUERY PLAN SELECT count(*) FROM room_posts WHERE room = ? AND learner = ?", ("A", "B")))
        assert "room_posts_learner" in plan, plan
    db.close()


def _learner(store_args, code, n, out):
    from nnlab.store.choose import connect

    s = connect(*store_args)
    token = s.create_lab()
    s.join_room(code, token, f"learner {n}")
    ids = []
    for i in range(rooms.RUN_BURST):
        ids.append(s.post_run(code, token, post(run_name=f"{n}-{i}")))
        s.post_progress(code, token, i, 0.5, True)
    out.put(ids)


def posting_processes_lose_nothing(store_args, store, n=4):
    presenter = store.create_lab()
    code = store.open_room(presenter, {}).code
    ctx = multiprocessing.get_context("spawn")  # clean interpreters, as separate servers
    out = ctx.Queue()
    procs = [ctx.Process(target=_learner, args=(store_args, code, n, out)) for n in range(n)]
    for p in procs:
        p.start()
    ids = [i for _ in procs for i in out.get(timeout=120)]
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * n
    posts = store.room_posts(code, with_curves=False)
    assert sorted(p.id for p in posts) == sorted(ids) and len(set(ids)) == n * rooms.RUN_BURST
    assert {p.run_name for p in posts} == {f"{k}-{i}" for k in range(n) for i in range(rooms.RUN_BURST)}
    assert store.room_counts(code)["learners"] == n and store.room_counts(code)["runs"] == n * rooms.RUN_BURST


def test_processes_posting_to_one_sqlite_file_lose_nothing(tmp_path):
    s = SQLiteStore(tmp_path / "labs.sqlite3")
    posting_processes_lose_nothing(("sqlite", str(s.path)), s)
    assert s.integrity() == "ok"


def test_many_json_texts_are_read_at_once_and_a_damaged_one_alone():
    assert rooms.read_json_many(['[1, 2]', '[]', '{"a": 1}'], []) == [[1, 2], [], []]
    assert rooms.read_json_many(['[1]', 'not json', None, '[3'], []) == [[1], [], [], []]
    assert rooms.read_json_many(['{"a": 1}', '[1, 2], [3]'], {}) == [{"a": 1}, {}]  # a row cannot split in two
    assert rooms.read_json_many([], {}) == []
