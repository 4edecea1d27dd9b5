"""A room's scoreboard as plain data (the Room page draws it: pages/helpers/room_board.py).

    scoreboard.differing(run_settings, room.setup)      # {"lr": 0.01}: what a learner changed
    scoreboard.ranking(posts, room.setup, "digits")     # a DataFrame: best run per learner, ranked
    scoreboard.top_curves(posts, "digits")              # [(label, history)]: the top runs' curves
    scoreboard.tried(posts, room.setup, "digits")       # [Tried]: accuracy against each setting changed
    scoreboard.csv_text(posts, room.setup)              # every post as CSV, safe to open in a spreadsheet

`posts` are the store's RoomPost records (nnlab/store/rooms.py; any object with their
attributes: this floor does not import the store), newest first as the store returns them.
`setup` is the room's starting setup: the presenter's Train controls when the room was
opened, settings by the table's names (nnlab/core/hyperparams.py).

Learner text (names, run names) is data here: `clean` drops the characters that would change
how the text around it reads (control characters, bidirectional overrides); the page escapes
what is left for Markdown and charts (nnlab/viz/escape.py).
"""
from __future__ import annotations

import datetime as _dt
import functools
import io
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from nnlab.core import hyperparams

TOP = 8            # curves overlaid on the scoreboard
MAX_TRIED = 6      # settings charted in "what the room tried"
LOG_AXIS = {"l2", "l1"}  # besides the table's log settings (lr, eps, batch size): strengths span decades
KEEP_FORMAT = {"\u200d"}  # the zero-width joiner builds emoji; other format characters are dropped
SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a cell starting with one is a formula there


def clean(text) -> str:
    """`text` without control or format characters (bidirectional overrides, zero-width
    spaces), runs of white space as one space: what a name shows as, before escaping."""
    return _clean("" if text is None else str(text))


@functools.lru_cache(maxsize=8192)  # (a room's names and run names come back at every redraw)
def _clean(text: str) -> str:
    kept = (" " if c.isspace() else c for c in text
            if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co") or c in KEEP_FORMAT)
    return " ".join("".join(kept).split())


def _cell(v):
    """A text cell a spreadsheet would read as a formula ("=HYPERLINK(...)") starts with a quote:
    in our CSV, and in the tables on screen, whose toolbar downloads them as CSV too (unguarded)."""
    return "'" + v if isinstance(v, str) and v.startswith(SPREADSHEET_FORMULA) else v


def _text(name: str, value) -> str:
    """A setting's value as a link writes it ("64-32", "0.01", "full"); str() for unknown names."""
    try:
        return _text_of(name, tuple(value) if isinstance(value, list) else value)
    except TypeError:  # (unhashable: a dict, a list of lists)
        return _format(name, value)


@functools.lru_cache(maxsize=8192)  # (10,000 posts hold a few hundred distinct values)
def _text_of(name: str, value) -> str:
    return _format(name, list(value) if isinstance(value, tuple) else value)


def _format(name: str, value) -> str:
    setting = hyperparams.BY_NAME.get(name)
    try:
        return setting.format(value) if setting is not None else clean(value)
    except (TypeError, ValueError, AttributeError, KeyError):
        return clean(value)


def differing(settings: dict, setup: dict) -> dict:
    """The settings of a run that differ from the room's setup, by their text (so 64 and
    64.0, or a list and a tuple, are the same).  A setting the run does not have (an
    optimizer's own setting it does not use) is not a change; the dataset is not a setting here."""
    setup = setup if isinstance(setup, dict) else {}
    out = {}
    for name, value in (settings if isinstance(settings, dict) else {}).items():
        if name == "dataset" or name in setup and _same(value, setup[name]):
            continue
        if name not in setup or _text(name, value) != _text(name, setup[name]):
            out[name] = value
    return out


def _same(a, b) -> bool:
    """Equal as plain values (most settings of most runs: no text needed); 1 and True are not."""
    return type(a) is type(b) and a == b


def settings_text(diff: dict) -> str:
    """"lr=0.01, hidden=64-32" in the table's order; "" for the room's own setup."""
    order = {s.name: i for i, s in enumerate(hyperparams.SETTINGS)}
    names = sorted(diff, key=lambda n: (order.get(n, len(order)), str(n)))
    return ", ".join(f"{clean(n)}={_text(n, diff[n])}" for n in names)


def datasets(posts, setup: dict) -> list:
    """The datasets posted to, the room's own first, then by number of posts."""
    counts: dict = {}
    for p in posts:
        counts[p.dataset] = counts.get(p.dataset, 0) + 1
    own = (setup or {}).get("dataset")
    return sorted(counts, key=lambda d: (d != own, -counts[d], str(d)))


def _rank_key(p):
    """Higher validation accuracy first, then higher test accuracy; a post without a number last;
    on a tie the earlier post."""
    val = p.val_accuracy if p.val_accuracy is not None else -1.0
    test = p.test_accuracy if p.test_accuracy is not None else -1.0
    return (-val, -test, p.posted, p.id)


def best_per_learner(posts, dataset: str) -> list:
    """Each learner's best post on `dataset`, ranked (best first)."""
    best: dict = {}
    for p in posts:
        if p.dataset == dataset and (p.learner not in best or _rank_key(p) < _rank_key(best[p.learner])):
            best[p.learner] = p
    return sorted(best.values(), key=_rank_key)


def _percent(v):
    return None if v is None else round(100 * v, 2)


def _time(posted) -> str:
    return _dt.datetime.fromtimestamp(posted).strftime("%H:%M:%S") if posted else ""


RANK_COLUMNS = ["Rank", "Learner", "Validation %", "Test %", "Settings changed", "Seconds", "Runs", "Run",
                "Posted", "id"]


def ranking(posts, setup: dict, dataset: str) -> pd.DataFrame:
    """One row per learner on `dataset`: their best run (validation accuracy), the settings it
    changed from the room's setup ("" = the setup as given), its test accuracy and training time,
    how many runs they posted.  `id` is the post's (to hide it)."""
    runs: dict = {}
    for p in posts:
        if p.dataset == dataset:
            runs[p.learner] = runs.get(p.learner, 0) + 1
    rows = [{"Rank": i + 1, "Learner": _cell(clean(p.name)) or "?", "Validation %": _percent(p.val_accuracy),
             "Test %": _percent(p.test_accuracy), "Settings changed": settings_text(differing(p.settings, setup)),
             "Seconds": None if p.seconds is None else round(p.seconds, 2), "Runs": runs[p.learner],
             "Run": _cell(clean(p.run_name)) + (" (sweep's best)" if p.kind == "sweep-best" else ""),
             "Posted": _time(p.posted), "id": p.id}
            for i, p in enumerate(best_per_learner(posts, dataset))]
    return pd.DataFrame(rows, columns=RANK_COLUMNS)


def curves_wanted(posts, dataset: str, n: int = TOP) -> list:
    """The ids of the posts whose curves top_curves may draw (read the posts without their curves,
    then only these: the store's room_curves)."""
    return [p.id for p in best_per_learner(posts, dataset)[:2 * n]]  # (twice: a diverged run has none)


def top_curves(posts, dataset: str, n: int = TOP, curves: dict | None = None) -> list:
    """(label, history) of the best run of the top `n` learners that has a curve, in rank order:
    history = [{"epoch": 1, "val_accuracy": 0.9}, ...] as the run figures read it.  `curves`:
    {post id: curve} where the posts were read without theirs."""
    out = []
    for rank, p in enumerate(best_per_learner(posts, dataset), start=1):
        curve = list((curves.get(p.id) if curves is not None else p.curve) or [])
        if any(v is not None for v in curve):
            history = [{"epoch": e, "val_accuracy": v} for e, v in enumerate(curve, start=1)]
            out.append((f"{rank}. {clean(p.name) or '?'}", history))
        if len(out) == n:
            break
    return out


@dataclass
class Tried:
    """One setting the room changed: a point per learner and value (x the value, y the validation accuracy %
    of their best run with it)."""

    name: str
    label: str
    numeric: bool
    log: bool
    points: list = field(default_factory=list)  # dicts: x, text, y, who, changed (False: the setup's value)
    changed_by: int = 0                           # learners who changed it


def tried(posts, setup: dict, dataset: str, most: int = MAX_TRIED) -> list:
    """The settings people changed on `dataset` (the `most` changed by the most learners), each
    with a point per learner and value of it — their best run with that value (posts hold a run's
    whole settings) — at its validation accuracy."""
    mine = [p for p in posts if p.dataset == dataset and p.val_accuracy is not None]
    diffs = [(p, differing(p.settings, setup)) for p in mine]
    who: dict = {}
    for p, diff in diffs:
        for name in diff:
            if name in hyperparams.BY_NAME:
                who.setdefault(name, set()).add(p.learner)
    names = sorted(who, key=lambda n: (-len(who[n]), n))[:most]
    out = []
    for name in names:
        s = hyperparams.BY_NAME[name]
        best: dict = {}  # (learner, value) -> the point of their best run with it: one point each
        for p, diff in diffs:
            if name not in p.settings:
                continue  # (an optimizer's own setting the run's optimizer does not have)
            value = p.settings[name]
            key = (p.learner, _text(name, value))
            if key not in best or p.val_accuracy > best[key][0].val_accuracy:
                best[key] = (p, value, name in diff)
        points = [{"x": value, "text": key[1], "y": round(100 * p.val_accuracy, 2), "who": clean(p.name) or "?",
                   "changed": changed} for key, (p, value, changed) in best.items()]
        numeric = all(isinstance(q["x"], (int, float)) and not isinstance(q["x"], bool) for q in points)
        if not numeric:
            for q in points:
                q["x"] = q["text"]
        out.append(Tried(name, s.label or name, numeric, numeric and (s.log or name in LOG_AXIS), points,
                         len(who[name])))
    return out


TABLE_COLUMNS = ["posted", "learner", "run", "kind", "dataset", "validation_accuracy", "test_accuracy", "seconds",
                 "epochs", "settings_changed", "id"]


def table(posts, setup: dict) -> pd.DataFrame:
    """Every post, one row each, newest first (the CSV; the owner's list of hidden entries); text cells
    safe to open in a spreadsheet."""
    rows = [{"posted": _dt.datetime.fromtimestamp(p.posted).isoformat(timespec="seconds") if p.posted else "",
             "learner": _cell(clean(p.name)), "run": _cell(clean(p.run_name)), "kind": p.kind,
             "dataset": _cell(clean(p.dataset)),
             "validation_accuracy": p.val_accuracy, "test_accuracy": p.test_accuracy, "seconds": p.seconds,
             "epochs": len(p.curve or []) or None, "settings_changed": settings_text(differing(p.settings, setup)),
             "id": p.id} for p in posts]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def csv_text(posts, setup: dict) -> str:
    """The room's posts as CSV (UTF-8 text, a header row): table()."""
    out = io.StringIO()
    table(posts, setup).to_csv(out, index=False)
    return out.getvalue()
