"""A room under load, on the store (docs/room.md, "Measured load"): a measurement, not a test.

    python tests/measure/measure_store_load.py [--learners 20 100 500] [--store sqlite|postgres|both]
                                               [--seconds 20] [--fill 10000] [--json]

For each store and each N: a room already holding --fill finished runs (posted by 100
filler learners, written straight into the tables), then N learner processes (separate
processes, one store connection each, as N app sessions on N servers would be at worst)
join it and, for --seconds, each post their progress twice a second and a finished run
every 5 s (a 30-point curve), at a random phase.  Meanwhile a presenter process reads the
scoreboard every 2 s as the Room page would (`scoreboard`: the posts without curves, the
10 best runs' curves, the counts; afterwards also with every post's curve).
Reports the write latency p50/p99 per kind (progress, run, join), the scoreboard time
under the load and afterwards, and counts every post back (room_counts and the posts' ids
against what the learners were told was kept: "lost" must be 0).

SQLite: one file in a temporary folder (WAL, synchronous NORMAL, as the app).  PostgreSQL:
a throwaway cluster (tests/pgcluster.py) with its default durability (fsync on,
synchronous_commit on) and max_connections above N.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

PROGRESS_EVERY, RUN_EVERY, SCOREBOARD_EVERY = 0.5, 5.0, 2.0
CURVE = [round(0.5 + 0.015 * i, 4) for i in range(30)]
FILLERS = 100


def open_at(kind, where):
    from nnlab.store.choose import connect

    if kind == "postgres":
        from nnlab.store.postgres import PostgresStore

        return PostgresStore(where, pool_size=(1, 1))
    return connect(kind, where)


def pct(values, q):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def learner(kind, where, code, n, barrier, go, start_at, seconds, out):
    from nnlab.store import StoreError

    store = open_at(kind, where)
    rng = random.Random(n)
    token = store.create_lab()
    lat = {"join": [], "progress": [], "run": []}
    t0 = time.perf_counter()
    store.join_room(code, token, f"learner {n}")
    lat["join"].append(time.perf_counter() - t0)
    barrier.wait()  # everyone joined: the clock starts
    go.wait()
    begin = start_at.value
    end = begin + seconds
    next_progress = begin + rng.uniform(0, PROGRESS_EVERY)
    next_run = begin + rng.uniform(0, min(RUN_EVERY, seconds / 2))  # (a short measurement posts runs too)
    ids, kept, dropped, errors, late, epoch = [], 0, 0, {}, 0, 0
    while True:
        due = min(next_progress, next_run)
        if due >= end:
            break
        time.sleep(max(0.0, due - time.time()))
        what = "run" if next_run <= next_progress else "progress"
        t0 = time.perf_counter()
        try:
            if what == "run":
                ids.append(store.post_run(code, token, {"run_name": f"run {len(ids) + 1}", "dataset": "digits",
                                                        "settings": {"lr": 0.01 * (1 + n % 7), "hidden": [64, 32]},
                                                        "val_accuracy": 0.8 + rng.random() / 10, "test_accuracy": 0.8,
                                                        "seconds": 12.5, "curve": CURVE, "kind": "run"}))
            else:
                epoch += 1
                if store.post_progress(code, token, epoch, 0.5 + rng.random() / 2, True):
                    kept += 1
                else:
                    dropped += 1
        except StoreError as e:
            errors[e.kind] = errors.get(e.kind, 0) + 1
        lat[what].append(time.perf_counter() - t0)
        if what == "run":
            next_run += RUN_EVERY
        else:
            next_progress += PROGRESS_EVERY
        now = time.time()
        if next_progress < now - PROGRESS_EVERY:  # fallen behind by more than a slot: skip, as a page would
            late += 1
            next_progress = now
    store.close()
    out.put({"lat": lat, "ids": ids, "kept": kept, "dropped": dropped, "errors": errors, "late": late})


def scoreboard(store, code, lean=True):
    """What the Room page reads every 2 s.  Lean: the table without curves, then the curves of the
    10 best runs (room_curves), and the counts; else every post with its curve."""
    if lean:
        posts = store.room_posts(code, with_curves=False)
        best = sorted((p for p in posts if p.val_accuracy is not None), key=lambda p: -p.val_accuracy)[:10]
        store.room_curves(code, [p.id for p in best])
    else:
        posts = store.room_posts(code)
    return posts, store.room_counts(code)


def presenter(kind, where, code, barrier, go, start_at, seconds, out):
    store = open_at(kind, where)
    barrier.wait()
    go.wait()
    end, times = start_at.value + seconds, []
    while time.time() < end:
        t0 = time.perf_counter()
        scoreboard(store, code)
        times.append(time.perf_counter() - t0)
        time.sleep(max(0.0, SCOREBOARD_EVERY - (time.perf_counter() - t0)))
    store.close()
    out.put({"scoreboard": times})


def fill(store, code, n_posts):
    """`n_posts` finished runs by FILLERS learners, written straight into the tables (the API's
    rate limits would take hours): the scoreboard's load, not what is measured."""
    from nnlab.store.rooms import learner_key

    tokens = [f"filler-{i:026d}" for i in range(FILLERS)]
    for t in tokens:
        store.join_room(code, t, f"filler {t[-3:]}")
    now = time.time() - 3600
    rows = [(code, learner_key(tokens[i % FILLERS]), f"run {i}", "digits", json.dumps({"lr": 0.001 * (i % 10)}),
             0.5 + (i % 50) / 100, 0.8, 10.0, json.dumps(CURVE), "run", now + i * 0.01) for i in range(n_posts)]
    sql = ("INSERT INTO room_posts (room, learner, run_name, dataset, settings, val_accuracy, test_accuracy, seconds,"
           " curve, kind, posted, hidden) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE)")
    if store.kind == "sqlite":
        import sqlite3

        with sqlite3.connect(store.path) as db:
            db.executemany(sql, rows)
        db.close()
    else:
        import psycopg

        with psycopg.connect(store.pool.conninfo) as db, db.cursor() as cur:
            cur.executemany(sql.replace("?", "%s"), rows)
            db.execute("ANALYZE")


def measure(kind, where, n, seconds, n_fill):
    load_before = round(os.getloadavg()[0], 1)  # other jobs on the machine (the 1-minute load average)
    store = open_at(kind, where)
    room = store.open_room("presenter-token-of-32-characters", {"lr": 0.01}, title="load")
    fill(store, room.code, n_fill)
    ctx = multiprocessing.get_context("forkserver")
    barrier, go, start_at, out = ctx.Barrier(n + 2), ctx.Event(), ctx.Value("d", 0.0), ctx.Queue()
    shared = (barrier, go, start_at, seconds, out)
    procs = [ctx.Process(target=learner, args=(kind, where, room.code, i, *shared)) for i in range(n)]
    procs.append(ctx.Process(target=presenter, args=(kind, where, room.code, *shared)))
    for p in procs:
        p.start()
    barrier.wait(timeout=900)  # every learner has joined (and the presenter is ready)
    start_at.value = time.time() + 0.2
    go.set()
    results = [out.get(timeout=seconds + 600) for _ in procs]
    for p in procs:
        p.join(60)
    board = next(r for r in results if "scoreboard" in r)["scoreboard"]
    learners = [r for r in results if "lat" in r]
    lat = {k: [x for r in learners for x in r["lat"][k]] for k in ("join", "progress", "run")}
    ids = [i for r in learners for i in r["ids"]]
    kept, dropped = sum(r["kept"] for r in learners), sum(r["dropped"] for r in learners)
    errors = {}
    for r in learners:
        for k, v in r["errors"].items():
            errors[k] = errors.get(k, 0) + v
    idle, idle_full = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        scoreboard(store, room.code)
        idle.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        posts, counts = scoreboard(store, room.code, lean=False)
        idle_full.append(time.perf_counter() - t0)
    stored = {p.id for p in posts}
    lost = len(set(ids) - stored) + abs(n_fill + len(ids) - counts["runs"]) + abs(kept - counts["progress"])
    store.close()
    ms = lambda v: None if v is None else round(1000 * v, 1)  # noqa: E731
    return {"store": kind, "learners": n, "seconds": seconds, "runs_in_room": counts["runs"],
            "progress_posts": kept, "progress_dropped": dropped, "run_posts": len(ids), "errors": errors,
            "late": sum(r["late"] for r in learners), "writes_per_s": round((kept + dropped + len(ids)) / seconds, 1),
            "progress_p50_ms": ms(pct(lat["progress"], 0.5)), "progress_p99_ms": ms(pct(lat["progress"], 0.99)),
            "run_p50_ms": ms(pct(lat["run"], 0.5)), "run_p99_ms": ms(pct(lat["run"], 0.99)),
            "join_p50_ms": ms(pct(lat["join"], 0.5)), "join_p99_ms": ms(pct(lat["join"], 0.99)),
            "scoreboard_under_load_p50_ms": ms(pct(board, 0.5)), "scoreboard_under_load_max_ms": ms(max(board or [0])),
            "scoreboard_idle_ms": ms(statistics.median(idle)),
            "scoreboard_full_idle_ms": ms(statistics.median(idle_full)), "lost": lost, "counted_back": lost == 0,
            "load_before": load_before}


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        return next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name"))
    except (OSError, StopIteration, subprocess.SubprocessError):
        return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--learners", type=int, nargs="+", default=[20, 100, 500])
    ap.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--fill", type=int, default=10_000, help="finished runs in the room before the learners come")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    multiprocessing.set_forkserver_preload(["nnlab.store", "nnlab.store.sqlite", "nnlab.store.postgres"])
    rows = []
    kinds = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    for kind in kinds:
        cluster = None
        if kind == "postgres":
            import pgcluster

            cluster = pgcluster.Cluster({"fsync": "on", "max_connections": max(args.learners) + 40})
            url = cluster.start()
        try:
            for n in args.learners:
                with tempfile.TemporaryDirectory() as tmp:
                    where = str(Path(tmp) / "labs.sqlite3") if kind == "sqlite" else pgcluster.schema_url(url)
                    row = measure(kind, where, n, args.seconds, args.fill)
                rows.append(row)
                print(f"{kind:8s} N={n:4d}: progress p50 {row['progress_p50_ms']} ms p99 {row['progress_p99_ms']} ms; "
                      f"run p50 {row['run_p50_ms']} ms p99 {row['run_p99_ms']} ms; scoreboard ({row['runs_in_room']} "
                      f"runs) under load {row['scoreboard_under_load_p50_ms']} ms, idle {row['scoreboard_idle_ms']} ms"
                      f" (every curve: {row['scoreboard_full_idle_ms']} ms);"
                      f" {row['writes_per_s']} writes/s; lost {row['lost']}; errors {row['errors'] or 'none'};"
                      f" load average before {row['load_before']}",
                      flush=True)
        finally:
            if cluster is not None:
                cluster.stop()
    if args.json:
        print(json.dumps({"rows": rows, "cpu": cpu_model(), "date": time.strftime("%Y-%m-%d")}))


if __name__ == "__main__":
    main()
