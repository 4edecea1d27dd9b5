"""NNLAB_STORE chooses the store (nnlab/store/choose.py), and what is PostgreSQL's own:
a server that does not answer, servers starting at once, a newer schema, no password in
any message, and psycopg never loaded by SQLite's users.  (Every store behaviour runs
on PostgreSQL too: test_store.py and test_store_rooms.py.)"""
import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest

from nnlab.store import STORE_ENV, MemoryStore, SQLiteStore, StoreError, open_store, store_target

ROOT = Path(__file__).resolve().parents[1]


def test_nnlab_store_chooses_sqlite_in_the_home_folder_a_file_or_postgresql(tmp_path, monkeypatch):
    monkeypatch.setenv("NNLAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(STORE_ENV, raising=False)
    assert store_target() == ("sqlite", tmp_path / "home" / "labs.sqlite3")
    monkeypatch.setenv(STORE_ENV, "  ")
    assert store_target()[0] == "sqlite"
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "elsewhere" / "my.sqlite3"))
    s = open_store()
    assert isinstance(s, SQLiteStore) and s.path == tmp_path / "elsewhere" / "my.sqlite3" and s.path.exists()
    assert not (tmp_path / "home").exists()
    monkeypatch.setenv(STORE_ENV, "postgresql://nnlab@db.example/labs")
    assert store_target() == ("postgres", "postgresql://nnlab@db.example/labs")
    assert store_target(tmp_path)[0] == "sqlite"  # a folder given: its file, whatever the variable says
    monkeypatch.setenv(STORE_ENV, "mysql://root:hunter2@db/labs")
    s = open_store()
    assert isinstance(s, MemoryStore) and "NNLAB_STORE" in s.warning and "hunter2" not in s.warning


def test_a_postgresql_server_that_does_not_answer_gives_a_clear_warning_without_the_password(monkeypatch, capfd):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv(STORE_ENV, f"postgresql://nnlab:s3cret-pw@127.0.0.1:{port}/labs")
    s = open_store()
    assert isinstance(s, MemoryStore) and "database server does not answer" in s.warning
    assert "s3cret" not in s.warning and str(port) not in s.warning and "127.0.0.1" not in s.warning
    out = capfd.readouterr()
    assert "s3cret" not in out.out + out.err and "Traceback" not in out.out + out.err
    from nnlab.store.postgres import PostgresStore

    with pytest.raises(StoreError) as e:
        PostgresStore(f"postgresql://nnlab:s3cret-pw@127.0.0.1:{port}/labs")
    assert e.value.kind == "no-server" and e.value.__cause__ is None and "s3cret" not in str(e.value)


def test_sqlite_users_never_import_psycopg(tmp_path):
    code = ("import sys; from nnlab.store import open_store; s = open_store(sys.argv[1]); "
            "print(s.kind, 'psycopg' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.stdout.split() == ["sqlite", "False"], r.stderr


def _start(url, out):
    from nnlab.store.postgres import PostgresStore

    s = PostgresStore(url)
    out.put(s.create_lab())
    s.close()


def test_servers_starting_at_once_on_one_postgresql_database_all_start(pg_url):
    import pgcluster

    url = pgcluster.schema_url(pg_url)
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_start, args=(url, out)) for _ in range(4)]
    for p in procs:
        p.start()
    tokens = {out.get(timeout=120) for _ in procs}
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0] * 4 and len(tokens) == 4
    from nnlab.store.postgres import PostgresStore

    s = PostgresStore(url)
    assert set(s.labs()) == tokens
    s.close()


def test_a_postgresql_database_of_a_newer_schema_is_left_alone(pg_url):
    import pgcluster
    import psycopg

    from nnlab.store.postgres import PostgresStore

    url = pgcluster.schema_url(pg_url)
    PostgresStore(url).close()
    with psycopg.connect(url) as db:
        db.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError) as e:
        PostgresStore(url)
    assert e.value.kind == "unavailable"


def test_processes_posting_to_one_postgresql_room_lose_nothing(pg_url):
    import pgcluster
    from test_store_rooms import posting_processes_lose_nothing

    from nnlab.store.postgres import PostgresStore

    url = pgcluster.schema_url(pg_url)
    s = PostgresStore(url)
    posting_processes_lose_nothing(("postgres", url), s)
    s.close()


def test_a_postgresql_server_restarted_under_a_running_store_is_said_then_used_again(pg_url):
    """The database server restarts while app processes hold pooled connections: a write
    meanwhile is StoreError("no-server") within seconds (the page says so and tries again:
    pages/helpers/lab.py), and once the server is back the same store works, the lab intact."""
    import time

    import pgcluster

    from nnlab.store.postgres import PostgresStore

    cluster = pgcluster.Cluster()  # its own (pg_url: the session's, here only to skip without PostgreSQL)
    url = cluster.start()
    try:
        store = PostgresStore(url, pool_size=(1, 2))
        token = store.create_lab()
        store.save_part(token, "controls", b"before")
        cluster.pause()
        t0 = time.monotonic()
        with pytest.raises(StoreError) as e:
            store.save_part(token, "controls", b"while down")
        assert e.value.kind == "no-server" and time.monotonic() - t0 < 30
        cluster.resume()
        deadline = time.monotonic() + 30
        while True:  # the pool's broken connections are replaced
            try:
                store.save_part(token, "controls", b"after")
                break
            except StoreError:
                assert time.monotonic() < deadline, "the store never recovered"
                time.sleep(0.5)
        assert store.load_lab(token).parts["controls"] == b"after"
        store.close()
    finally:
        cluster.stop()
