"""`python -m nnlab runs ...`: the runs kept in the lab store (the one NNLAB_STORE chooses:
SQLite in NNLAB_HOME by default, or PostgreSQL; docs/lab.md).

    python -m nnlab runs list [--lab TOKEN] [--json]          one line (or JSON object) per run
    python -m nnlab runs list --room CODE [--json]            one line per post to a room (docs/room.md)
    python -m nnlab runs export --lab TOKEN --run N --save FILE   that run's model file

For whoever runs the server (the app never lists labs).  Reads only: nothing is purged.
"""
from __future__ import annotations

import json
import sys
import time
import unicodedata

from nnlab.cli.common import Parser
from nnlab.store import ROOM_ALPHABET, StoreError, parse_room_code, parse_token, parts, store_target
from nnlab.store.choose import connect


def add_parser(sub):

    r = sub.add_parser("runs", help="list the runs kept in the lab store, or export a run's model file")
    rsub = r.add_subparsers(dest="runs", required=True, parser_class=Parser)
    ls = rsub.add_parser("list", help="one line per run: lab, run, name, dataset, settings, accuracy, created")
    which = ls.add_mutually_exclusive_group()
    which.add_argument("--lab", default=None, help="only this lab's runs (its token, from the app's address)")
    which.add_argument("--room", default=None, help="the posts to this room (its 6-character code), oldest first")
    ls.add_argument("--json", action="store_true", help="one JSON object per line")
    ex = rsub.add_parser("export", help="write a run's kept model to a file (.npz: arrays and JSON, no pickle)")
    ex.add_argument("--lab", required=True, help="the lab's token")
    ex.add_argument("--run", type=int, required=True, help="the run's number (run N on Compare)")
    ex.add_argument("--save", required=True, help="the model file to write")


def _token(text):
    if text is None:
        return None
    token = parse_token(text)
    if token is None:
        raise ValueError("--lab is not a lab token (32 letters, digits, - and _)")
    return token


def _settings(settings: dict) -> str:
    def plain(v):
        return "-".join(map(str, v)) if isinstance(v, list) else f"{v:g}" if isinstance(v, float) else str(v)
    return " ".join(f"{k}={plain(v)}" for k, v in (settings or {}).items())


def _pct(v):
    return "-" if v is None else f"{100 * v:.2f}%"


def _printable(text) -> str:
    """Learners' text for a terminal: control characters (escape sequences) shown as \\x.. codes."""
    return "".join(c if unicodedata.category(c)[0] != "C" else repr(c)[1:-1] for c in str(text))


def list_room(store, code: str, as_json: bool):
    if store is None or store.room(code) is None:
        raise ValueError(f"no room {code} in this store")
    for p in reversed(store.room_posts(code, include_hidden=True, with_curves=False)):  # oldest first, as runs
        row = {"room": p.room, "post": p.id, "name": p.name, "run": p.run_name, "dataset": p.dataset,
               "settings": p.settings, "val_accuracy": p.val_accuracy, "test_accuracy": p.test_accuracy,
               "seconds": p.seconds, "kind": p.kind, "posted": p.posted, "hidden": p.hidden}
        if as_json:  # (ASCII only: a learner's text cannot reach the terminal as escape sequences)
            print(json.dumps(row))
        else:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(p.posted))
            print(_printable(f"{when}  {p.name}  {p.run_name}  {p.dataset}  val {_pct(p.val_accuracy)}  "
                             f"test {_pct(p.test_accuracy)}  {_settings(p.settings)}"
                             + ("  (hidden)" if p.hidden else "") + ("  (best of a sweep)" if p.kind != "run" else "")))


def _store():
    """The store NNLAB_STORE chooses, or None when it is an SQLite file not made yet (a listing creates nothing)."""
    kind, where = store_target()
    if kind == "sqlite" and not where.exists():
        return None
    return connect(kind, where)


def run(args) -> int:
    token = _token(args.lab)
    room = None
    if getattr(args, "room", None) is not None:
        room = parse_room_code(args.room)
        if room is None:
            raise ValueError(f"--room is not a room code (6 characters of {ROOM_ALPHABET})")
    store = None
    try:
        store = _store()
        if room is not None:
            list_room(store, room, args.json)
            return 0
        if store is None:  # nothing kept yet
            if args.runs == "list" and token is None:
                return 0
            print("error: no such lab in this store (the lab store is empty)", file=sys.stderr)
            return 1
        if args.runs == "list":
            if token is not None and not store.lab_exists(token):
                raise LookupError("no such lab in this store")
            for r in parts.list_runs(store, token):
                if args.json:
                    print(json.dumps(r, ensure_ascii=False))
                else:
                    print(f"{r['lab']}  run {r['run']}  {r['name']}  {r['dataset']}  val {_pct(r['val_accuracy'])}  "
                          f"test {_pct(r['test_accuracy'])}  {r['created']}  {_settings(r['settings'])}")
            return 0
        raw = parts.export_run(store, token, args.run)
    except StoreError as e:
        print(f"error: the lab store cannot be read: {e}", file=sys.stderr)
        return 1
    except (LookupError, KeyError) as e:
        print(f"error: {e.args[0] if e.args else e}", file=sys.stderr)
        return 1
    finally:
        if store is not None:
            store.close()
    with open(args.save, "wb") as f:
        f.write(raw)
    print(f"wrote run {args.run} of lab {token[:6]}… to {args.save}")
    return 0
