"""The lab store (nnlab/store): every part round-trips, a write is one transaction, two
processes share one file (or one PostgreSQL database), kill -9 in the middle of a save
loses nothing before it, each failure falls back to memory with a warning that names no
path (nor URL, nor password), the limits, retention, and tokens nobody can guess or break
the parser with.  The `store` tests run on every backend: memory, SQLite, PostgreSQL
(conftest.py's `any_store`); rooms: test_store_rooms.py."""
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from stores import make_store

from nnlab import modelfile
from nnlab.core.config import NetworkConfig
from nnlab.core.network import Network
from nnlab.data import datasets as nndata
from nnlab.experiments import presets
from nnlab.experiments.runs import RunLog
from nnlab.store import (
    MAX_MODELS,
    MemoryStore,
    SQLiteStore,
    StoreError,
    open_store,
    parse_token,
    parts,
)
from nnlab.store import (
    memory as store_memory,
)
from nnlab.store import (
    sql as store_sql,
)
from nnlab.store import (
    sqlite as store_sqlite,
)
from nnlab.store.choose import connect
from nnlab.train.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(any_store):
    assert not any_store.warning
    return any_store


@pytest.fixture
def sqlite_store(tmp_path):
    s = open_store(tmp_path)
    assert isinstance(s, SQLiteStore) and not s.warning
    return s


@pytest.fixture(params=["sqlite", "postgres"])
def shared_store(request, tmp_path):
    """A store two processes can share, and how another process opens it (choose.connect's arguments)."""
    s = make_store(request.param, tmp_path, request)
    return s, (("sqlite", str(s.path)) if request.param == "sqlite" else ("postgres", s.pool.conninfo))


def raw(store, sql, params=()):
    """Run SQL on the store's database behind its back (as another program would); rows."""
    if store.kind == "sqlite":
        with closing(sqlite3.connect(store.path)) as db, db:
            return db.execute(sql, params).fetchall()
    import psycopg

    with psycopg.connect(store.pool.conninfo) as db:
        cur = db.execute(sql.replace("?", "%s"), params)
        return cur.fetchall() if cur.description else []


@pytest.fixture(scope="module")
def digits():
    return nndata.load_dataset("digits")


def small_net(seed=0):
    return Network(NetworkConfig(n_inputs=64, n_outputs=10, hidden=[8], activations=["relu"]), seed=seed)


# ------------------------------------------------------------------ round trips
def test_every_part_round_trips_and_a_deleted_lab_is_gone(store):
    s = store
    token = s.create_lab()
    assert parse_token(token) == token and s.lab_exists(token)
    blob = bytes(range(256)) * 1000
    s.save_parts(token, {"controls": parts.to_json({"ctl_lr": 0.01, "ctl_hidden": [64, 32], "ctl_x": None}),
                         "dataset:csv": blob, "sweep": parts.to_json({"results": [{"l2": np.float32(0.5)}]})})
    s.save_models(token, {3: b"model three", 4: b"model four"}, {"runs": b"[]"})
    lab = s.load_lab(token)
    assert parts.from_json(lab.parts["controls"]) == {"ctl_lr": 0.01, "ctl_hidden": [64, 32], "ctl_x": None}
    assert lab.parts["dataset:csv"] == blob and lab.parts["runs"] == b"[]"
    assert parts.from_json(lab.parts["sweep"]) == {"results": [{"l2": 0.5}]}
    assert lab.models == {3: b"model three", 4: b"model four"}
    s.save_models(token, {4: None, 5: b"five"})  # None: keep as stored; 3 not listed: removed
    assert s.load_lab(token).models == {4: b"model four", 5: b"five"}
    s.save_part(token, "sweep", None)
    assert "sweep" not in s.load_lab(token).parts
    other = s.create_lab()
    s.delete_lab(token)
    assert s.load_lab(token) is None and not s.lab_exists(token) and s.lab_exists(other)
    with pytest.raises(StoreError) as e:  # a tab still open on it does not bring it back
        s.save_parts(token, {"controls": b"{}"})
    assert e.value.kind == "gone" and not s.lab_exists(token)
    with pytest.raises(StoreError):
        s.save_models(token, {1: b"m"})
    assert not s.lab_exists(token)
    if s.kind != "memory":  # nothing of it left behind (ON DELETE CASCADE)
        assert raw(s, "SELECT count(*) FROM parts WHERE token = ?", (token,)) == [(0,)]
        assert raw(s, "SELECT count(*) FROM models WHERE token = ?", (token,)) == [(0,)]


def test_run_log_and_its_kept_models_round_trip_through_model_files(digits):
    log = RunLog()
    for serial in range(1, 8):  # more runs than models kept
        net = small_net(serial)
        model = {"config": net.config, "params": net.get_params(), "train_config": {"optimizer": "adam"},
                 "header": {"data": digits.meta()}}
        log.record(serial, {"lr": 0.001 * serial, "hidden": [8]}, [{"epoch": 1, "val_accuracy": 0.5 + serial / 100}],
                   1.0, dataset="digits", model=model)
    log.rename(2, "my run")
    log.pin(2)
    back, dropped = parts.runlog_from(parts.runlog_json(log), parts.runlog_models(log))
    assert dropped == 0
    assert [(r.id, r.name, r.settings, r.history, r.created) for r in back.runs] == \
        [(r.id, r.name, r.settings, r.history, r.created) for r in log.runs]
    assert back.baseline == 2 and back.table().equals(log.table())
    for a, b in zip(log.runs, back.runs):
        assert (a.model is None) == (b.model is None)
        if a.model is not None:
            assert all(np.array_equal(x, y) for x, y in zip(a.model["params"], b.model["params"]))
            assert b.model["header"]["data"]["classes"] == digits.meta()["classes"]
    # the next run gets a new id, as it would have in the tab
    assert back.record(99, {"lr": 1.0}, [], 0.0).id == log._next_id


def test_a_kept_model_is_read_through_the_model_file_checks():
    assert parts.kept_model(b"not a model") is None
    raw = parts.kept_model_bytes({"config": small_net().config, "params": small_net().get_params(),
                                  "train_config": None, "header": {"data": None}})
    assert parts.kept_model(raw) is not None
    modelfile.load(raw)  # the very loader an uploaded file goes through
    log = RunLog()
    log.record(1, {}, [], 0.0, model={"config": small_net().config, "params": small_net().get_params()})
    back, dropped = parts.runlog_from(parts.runlog_json(log), {1: raw[:100]})  # a damaged model: curves kept
    assert dropped == 1 and back.runs[0].model is None and len(back.runs) == 1


@pytest.mark.parametrize("engine,optimizer", [("reference", "adam"), ("reference", "momentum"),
                                              ("fast", "adam"), ("fast", "rmsprop")])
def test_a_trainer_goes_on_from_its_checkpoint_as_if_never_stopped(digits, store, engine, optimizer):
    """4 epochs, a checkpoint, a new process's restore, 2 more: the same numbers as 6 at once
    (the optimizer's state and the batch order are kept)."""
    def fresh():
        net, cfg = presets.build("digits-quick", digits, seed=0, epochs=6)
        cfg.optimizer, cfg.lr = optimizer, {"adam": 0.001, "momentum": 0.05, "rmsprop": 0.001}[optimizer]
        return net, cfg, Trainer(net, digits, cfg, engine=engine)

    net0, _, straight = fresh()
    for _ in straight.run():
        pass
    net, cfg, trainer = fresh()
    for _ in trainer.run(4):
        pass
    trainer.reconfigure(cfg, note="a mark")
    token = store.create_lab()
    store.save_parts(token, {"model": parts.model_file(net, digits.meta(), trainer.history, cfg.to_dict()),
                             "model_state": parts.to_json(parts.trainer_state(trainer)),
                             "optimizer": parts.optimizer_bytes(trainer.optimizer)})
    lab = store.load_lab(token)
    net2, header = modelfile.load(lab.parts["model"])
    assert np.array_equal(net2.flat_params, net.flat_params)
    t2 = parts.restore_trainer(net2, digits, header["train"], header["history"],
                               parts.from_json(lab.parts["model_state"]), optimizer=lab.parts["optimizer"])
    assert t2.epoch == 4 and len(t2.history) == 4 and t2.marks == [{"epoch": 4, "note": "a mark"}]
    assert t2.optimizer.t == trainer.optimizer.t > 0 and not t2.finished
    assert t2.train_seconds == pytest.approx(trainer.train_seconds)
    records = list(t2.run())
    assert [r["epoch"] for r in records] == [5, 6] and t2.finished and len(t2.history) == 6
    got = [r["train_loss"] for r in t2.history]
    want = [r["train_loss"] for r in straight.history]
    if engine == "reference":
        assert got == want and np.array_equal(net2.flat_params, net0.flat_params)
    else:  # Adam's moments are kept rescaled: equal to float rounding
        np.testing.assert_allclose(got, want, rtol=1e-4)


def test_an_optimizer_state_that_does_not_fit_leaves_a_fresh_optimizer(digits):
    net, cfg = presets.build("digits-quick", digits, seed=0, epochs=2)
    trainer = Trainer(net, digits, cfg)
    for _ in trainer.run():
        pass
    raw = parts.optimizer_bytes(trainer.optimizer)
    other, _ = presets.build("digits-quick", digits, seed=0, epochs=2)
    opt = Trainer(other, digits, cfg).optimizer
    assert parts.load_optimizer(opt, raw, net.flat_params.size) and opt.t == trainer.optimizer.t
    for bad in (None, b"", b"garbage", raw[:200]):
        opt = Trainer(other, digits, cfg).optimizer
        assert not parts.load_optimizer(opt, bad, net.flat_params.size) and opt.t == 0
    opt = Trainer(other, digits, cfg).optimizer
    assert not parts.load_optimizer(opt, raw, net.flat_params.size + 1) and opt.t == 0  # another network's
    import io

    buf = io.BytesIO()
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)  # a pickled array: never loaded
    evil = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("__t__.npy", buf.getvalue())
    assert not parts.load_optimizer(opt, evil.getvalue(), net.flat_params.size)


# ------------------------------------------------------------------ transactions
def test_a_write_is_all_or_nothing(store):
    token = store.create_lab()
    store.save_parts(token, {"a": b"old a"})
    with pytest.raises(TypeError):  # the second part cannot be stored: the first is not either
        store.save_parts(token, {"a": b"new a", "b": object()})
    assert store.load_lab(token).parts == {"a": b"old a"}


def _writer(store_args, token, tag, n):
    s = connect(*store_args)
    for i in range(n):
        s.save_parts(token, {f"{tag}{i}": os.urandom(20_000), "last": tag.encode()})
        s.save_parts(s.create_lab(), {"own": tag.encode()})


def test_two_processes_write_to_one_file_at_once_and_both_succeed(shared_store):
    store, store_args = shared_store
    token = store.create_lab()
    ctx = multiprocessing.get_context("spawn")  # a clean interpreter each, as two servers
    procs = [ctx.Process(target=_writer, args=(store_args, token, tag, 60)) for tag in "ab"]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    lab = store.load_lab(token)
    assert {f"{t}{i}" for t in "ab" for i in range(60)} <= set(lab.parts)
    assert len(store.labs()) == 1 + 120 and (store.kind != "sqlite" or store.integrity() == "ok")


SAVE_LOOP = textwrap.dedent("""
    import sys
    from nnlab.store.choose import connect
    s = connect(sys.argv[1], sys.argv[2])
    token = sys.argv[3]
    i = 0
    while True:
        i += 1
        blob = bytes([i % 256]) * 500_000
        s.save_parts(token, {"n": str(i).encode(), "blob": blob, f"p{i}": str(i).encode()})
""")


def test_kill_9_in_the_middle_of_a_save_loop_loses_nothing_before_it(shared_store):
    store, store_args = shared_store
    token = store.create_lab()
    store.save_parts(token, {"before": b"kept"})
    proc = subprocess.Popen([sys.executable, "-c", SAVE_LOOP, *store_args, token], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.time() + 60
        seen = 0
        while seen < 30 and time.time() < deadline:  # let it commit a few saves, then kill it mid-loop
            time.sleep(0.05)
            lab = store.load_lab(token)
            seen = int(lab.parts.get("n", b"0"))
        assert seen >= 30, "the save loop did not get going"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    again = connect(*store_args)  # as a restarted server
    assert again.kind != "sqlite" or again.integrity() == "ok"
    lab = again.load_lab(token)
    again.close()
    n = int(lab.parts["n"])
    assert n >= seen and lab.parts["before"] == b"kept"
    assert lab.parts["blob"] == bytes([n % 256]) * 500_000  # the last save whole, never half of one
    assert all(f"p{i}" in lab.parts for i in range(1, n + 1))


# ------------------------------------------------------------------ failures: memory, one warning, no path
def _falls_back(home, kind_words):
    s = open_store(home, busy_seconds=0.2)
    assert isinstance(s, MemoryStore) and kind_words in s.warning
    assert str(home) not in s.warning and "/" not in s.warning  # no path of any kind
    token = s.create_lab()  # and the app goes on in memory
    s.save_part(token, "controls", b"{}")
    assert s.load_lab(token).parts["controls"] == b"{}"
    return s


def test_a_data_folder_that_cannot_be_created_falls_back_to_memory(tmp_path):
    home = tmp_path / "a file, not a folder"
    home.write_text("x")
    _falls_back(home, "cannot be created")


def test_a_read_only_data_folder_falls_back_to_memory(tmp_path, monkeypatch):
    home = tmp_path / "ro"
    home.mkdir()
    if os.geteuid() == 0:
        # root writes through chmod: open the database read-only as SQLite does on a read-only folder
        real = sqlite3.connect
        monkeypatch.setattr(store_sqlite.sqlite3, "connect", lambda path, **kw: real(
            f"file:{path}?mode=ro", uri=True, **kw))
        _falls_back(home, "read-only")
        return
    home.chmod(0o500)
    try:
        _falls_back(home, "read-only")
    finally:
        home.chmod(0o700)


def test_a_corrupt_database_file_falls_back_to_memory(tmp_path):
    (tmp_path / store_sqlite.FILENAME).write_bytes(os.urandom(8192))
    _falls_back(tmp_path, "damaged")


def test_a_lock_held_beyond_the_timeout_falls_back_and_a_save_says_locked(tmp_path):
    s = open_store(tmp_path, busy_seconds=0.2)
    token = s.create_lab()
    holder = sqlite3.connect(s.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        t0 = time.perf_counter()
        with pytest.raises(StoreError) as e:
            s.save_part(token, "controls", b"{}")
        assert e.value.kind == "locked" and time.perf_counter() - t0 >= 0.15  # it waited, then gave up
        _falls_back(tmp_path, "busy")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    s.save_part(token, "controls", b"{}")  # the lock released: writes again


def test_a_full_disk_is_a_store_error_and_the_lab_keeps_its_last_save(tmp_path):
    pages = SQLiteStore(tmp_path / "probe.sqlite3")._read(lambda db: db.execute("PRAGMA page_count").fetchone()[0])

    class Tiny(SQLiteStore):  # the empty schema's pages and 5 more of 64 KB: a full disk
        PRAGMAS = SQLiteStore.PRAGMAS + (f"PRAGMA max_page_count = {pages + 5}",)

    s = Tiny(tmp_path / "full.sqlite3")
    token = s.create_lab()
    s.save_part(token, "small", b"fits")
    with pytest.raises(StoreError) as e:
        s.save_part(token, "big", os.urandom(2_000_000))
    assert e.value.kind == "full" and "full" in str(e.value)
    assert s.load_lab(token).parts == {"small": b"fits"} and s.integrity() == "ok"


# ------------------------------------------------------------------ limits and retention
def test_at_most_max_models_kept_the_oldest_dropped(store):
    token = store.create_lab()
    store.save_models(token, {i: b"m%d" % i for i in range(1, 9)})
    assert sorted(store.load_lab(token).models) == list(range(9 - MAX_MODELS, 9))


def test_a_part_over_the_limit_is_refused_whole(store, monkeypatch):
    monkeypatch.setattr(store_sql, "MAX_PART_BYTES", 1000)
    monkeypatch.setattr(store_memory, "MAX_PART_BYTES", 1000)
    token = store.create_lab()
    with pytest.raises(StoreError) as e:
        store.save_parts(token, {"a": b"x", "dataset:csv": b"y" * 1001})
    assert e.value.kind == "too-large" and store.load_lab(token).parts == {}


def test_labs_unused_for_the_retention_time_are_removed_at_open(tmp_path, monkeypatch):
    s = open_store(tmp_path)
    old, recent = s.create_lab(), s.create_lab()
    with sqlite3.connect(s.path) as db:
        db.execute("UPDATE labs SET used = ? WHERE token = ?", (time.time() - 31 * 86400, old))
        db.execute("UPDATE labs SET used = ? WHERE token = ?", (time.time() - 29 * 86400, recent))
    open_store(tmp_path)  # a server starting: default 30 days
    assert not s.lab_exists(old) and s.lab_exists(recent)
    monkeypatch.setenv("NNLAB_LAB_DAYS", "7")
    open_store(tmp_path)
    assert not s.lab_exists(recent)
    monkeypatch.setenv("NNLAB_LAB_DAYS", "nonsense")  # the default, not a crash
    assert isinstance(open_store(tmp_path), SQLiteStore)


def test_opening_a_lab_counts_as_using_it(sqlite_store):
    store = sqlite_store
    token = store.create_lab()
    raw(store, "UPDATE labs SET used = 0 WHERE token = ?", (token,))
    store.load_lab(token)
    assert store.purge_unused(1) == 0 and store.lab_exists(token)


# ------------------------------------------------------------------ tokens
def test_tokens_have_192_random_bits_and_10000_guesses_find_nothing(store):
    tokens = {store.create_lab() for _ in range(20)}
    assert len(tokens) == 20 and all(parse_token(t) == t and len(t) == 32 for t in tokens)
    import secrets

    guesses = [secrets.token_urlsafe(24) for _ in range(10_000)]
    assert not any(store.lab_exists(g) for g in guesses)
    assert all(store.load_lab(g) is None for g in guesses[:200])


@settings(max_examples=500, deadline=None)
@given(hs.one_of(hs.text(), hs.text(alphabet="abcXYZ019_-+/=.~ \x00é", min_size=30, max_size=34),
                 hs.binary(), hs.integers(), hs.none(), hs.lists(hs.text(), max_size=3)))
def test_the_token_parser_never_raises_and_accepts_only_well_formed_tokens(text):
    got = parse_token(text)
    if got is not None:
        assert isinstance(got, str) and len(got) == 32 and got.isascii()
        assert all(c.isalnum() or c in "-_" for c in got)


def test_the_token_parser_on_near_misses():
    good = "A" * 31 + "_"
    assert parse_token(good) == good and parse_token([good]) == good
    for bad in ("A" * 31, "A" * 33, "A" * 31 + "=", "A" * 31 + "é", "A" * 31 + "\n", [good, good], b"A" * 32,
                "Ａ" * 32, "A" * 31 + " ", "../" + "A" * 29):
        assert parse_token(bad) is None


def test_no_new_token_starts_with_a_dash_which_the_command_line_would_read_as_an_option():
    from nnlab.store import new_token

    assert not any(new_token().startswith("-") for _ in range(3000))  # (about 47 of 3000 would)
