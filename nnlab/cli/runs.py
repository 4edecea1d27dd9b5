"""`python -m nnlab runs ...`: the runs kept in the lab store (NNLAB_HOME, docs/lab.md).

    python -m nnlab runs list [--lab TOKEN] [--json]          one line (or JSON object) per run
    python -m nnlab runs export --lab TOKEN --run N --save FILE   that run's model file

For whoever runs the server (the app never lists labs).  Reads only: nothing is purged.
"""
from __future__ import annotations

import json
import sys

from nnlab.cli.common import Parser
from nnlab.store import SQLiteStore, StoreError, home_dir, parse_token, parts
from nnlab.store.sqlite import FILENAME


def add_parser(sub):

    r = sub.add_parser("runs", help="list the runs kept in the lab store, or export a run's model file")
    rsub = r.add_subparsers(dest="runs", required=True, parser_class=Parser)
    ls = rsub.add_parser("list", help="one line per run: lab, run, name, dataset, settings, accuracy, created")
    ls.add_argument("--lab", default=None, help="only this lab's runs (its token, from the app's address)")
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


def run(args) -> int:
    token = _token(args.lab)
    path = home_dir() / FILENAME
    if not path.exists():  # nothing kept yet (and a listing creates nothing)
        if args.runs == "list" and token is None:
            return 0
        print("error: no such lab in this store (the lab store is empty)", file=sys.stderr)
        return 1
    try:
        store = SQLiteStore(path)
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
    with open(args.save, "wb") as f:
        f.write(raw)
    print(f"wrote run {args.run} of lab {token[:6]}… to {args.save}")
    return 0
