"""A room: a presenter's short code that learners join and post their finished runs to
(docs/room.md, "Store side").  What every backend shares: the code's alphabet, the
learner's opaque key, the two records (`Room`, `RoomPost`), the limits, and the checks a
post goes through before any backend keeps it (`clean_post`).

A room shows only what learners post.  Nothing here holds or returns a lab token: a
learner is `learner_key(lab token)`, a one-way hash, and a room's code opens no lab.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
from dataclasses import dataclass, field

from nnlab.store.base import StoreError

ROOM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L look-alikes
CODE_LENGTH = 6                                     # 31**6: 887 million codes
_CODE = re.compile(f"[{ROOM_ALPHABET}]{{{CODE_LENGTH}}}")
_UNKEEPABLE = re.compile("[\x00\ud800-\udfff]")

# ---- limits of what one post may hold (longer is capped, a curve downsampled; settings refused)
MAX_NAME = 40             # a learner's display name, in characters
MAX_TEXT = 80             # run name, dataset, a room's title
MAX_CURVE = 200           # points of a post's curve: longer curves are downsampled to this many
MAX_SETTINGS_BYTES = 4096  # a post's settings as JSON
MAX_SETUP_BYTES = 16384    # a room's starting setup as JSON
KINDS = ("run", "sweep-best")

# ---- rate limits, counted in the database (they hold across server processes)
RUN_BURST, RUN_WINDOW = 6, 10.0  # finished-run posts per learner per room: at most 6 in any 10 s ...
RUN_LIFETIME = 300               # ... and 300 in the room's life; more: StoreError("rate")
PROGRESS_PER_SECOND = 4          # progress posts per learner per second (fixed 1 s windows); more are dropped
RUNNING_SECONDS = 30.0           # "running now": a progress row saying running, updated this recently

ANIMALS = ("otter", "heron", "lynx", "badger", "puffin", "ibex", "gecko", "marten", "wombat", "okapi", "tapir",
           "quokka", "jackdaw", "newt", "vole", "hare", "kestrel", "beaver", "yak", "koala", "lemur", "osprey",
           "stoat", "walrus")


def new_room_code() -> str:
    """6 characters of ROOM_ALPHABET, drawn with `secrets`."""
    return "".join(secrets.choice(ROOM_ALPHABET) for _ in range(CODE_LENGTH))


def parse_room_code(text) -> str | None:
    """The code in `text` (any case, spaces around it, or a 1-item list as query parameters
    come), or None when it is not a well-formed code.  Never raises, whatever `text` is."""
    if isinstance(text, (list, tuple)):
        text = text[0] if len(text) == 1 else None
    if not isinstance(text, str) or len(text) > 64:
        return None
    code = text.strip().upper()
    return code if _CODE.fullmatch(code) else None


def learner_key(lab_token: str) -> str:
    """A learner's opaque id: 32 hex characters of a SHA-256 of the lab token (which has 192
    random bits: the token cannot be found back from it)."""
    return hashlib.sha256(b"nnlab room learner\0" + str(lab_token).encode("utf-8", "replace")).hexdigest()[:32]


def animal_name(lab_token: str) -> str:
    """An anonymous learner's name, the same each time for one lab: "Anonymous otter"."""
    return "Anonymous " + ANIMALS[int(learner_key(lab_token), 16) % len(ANIMALS)]


@dataclass
class Room:
    code: str
    created: float
    closed: bool
    setup: dict
    title: str = ""


@dataclass
class RoomPost:
    id: int
    room: str
    learner: str          # learner_key(lab token), never the token
    name: str             # the learner's display name now (a rename shows on old posts too)
    run_name: str
    dataset: str
    settings: dict
    val_accuracy: float | None
    test_accuracy: float | None
    seconds: float | None
    curve: list = field(default_factory=list)  # floats (None where an epoch has no number); [] without curves
    kind: str = "run"     # "run" | "sweep-best"
    posted: float = 0.0
    hidden: bool = False


# ------------------------------------------------------------------ what a backend may keep
def clean_text(value, cap: int) -> str:
    """`value` as given (HTML, Markdown and all: the page escapes it), surrounding spaces
    stripped, at most `cap` characters.  Only what no database can hold is replaced: NUL
    (PostgreSQL text refuses it) and lone surrogates (not UTF-8), by U+FFFD."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise StoreError("bad-post")
    text = _UNKEEPABLE.sub("\ufffd", value[:100_000])  # (a bound on the work a hostile string costs)
    return text.strip()[:cap]


def clean_name(name) -> str:
    return clean_text(name, MAX_NAME)


def _number(v, low=-math.inf, high=math.inf):
    """A finite float in [low, high], None for None or a non-finite number (a diverged run)."""
    if v is None:
        return None
    numpy_number = getattr(getattr(v, "dtype", None), "kind", "") in ("f", "i", "u") and getattr(v, "ndim", 1) == 0
    if isinstance(v, bool) or not (isinstance(v, (int, float)) or numpy_number):
        raise StoreError("bad-post")
    v = float(v)
    if not math.isfinite(v):
        return None
    if not low <= v <= high:
        raise StoreError("bad-post")
    return v


def downsample(curve: list, n: int = MAX_CURVE) -> list:
    """At most `n` points, evenly spaced, the first and the last kept."""
    if len(curve) <= n:
        return list(curve)
    last = len(curve) - 1
    return [curve[round(i * last / (n - 1))] for i in range(n)]


def settings_json(settings, cap: int = MAX_SETTINGS_BYTES) -> str:
    """A dict as compact JSON text (at most `cap` bytes), or StoreError("bad-post")."""
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        raise StoreError("bad-post")
    try:
        text = json.dumps(settings, separators=(",", ":"), allow_nan=False, default=_plain)
    except (TypeError, ValueError, RecursionError):
        raise StoreError("bad-post") from None
    if len(text.encode("utf-8", "replace")) > cap:
        raise StoreError("bad-post")
    return text


def _plain(v):
    if hasattr(v, "tolist"):  # NumPy scalars and arrays
        return v.tolist()
    raise TypeError(type(v).__name__)


def clean_post(post: dict) -> dict:
    """The columns of a post as every backend stores them: run_name, dataset, settings (JSON
    text), val_accuracy, test_accuracy, seconds, curve (JSON text), kind.  Unknown keys are
    ignored; a wrong type, an accuracy outside [0, 1] or settings over 4 KB: StoreError("bad-post")."""
    if not isinstance(post, dict):
        raise StoreError("bad-post")
    kind = post.get("kind") or "run"
    if kind not in KINDS:
        raise StoreError("bad-post")
    curve = post.get("curve") or []
    if not isinstance(curve, (list, tuple)) and not hasattr(curve, "tolist"):
        raise StoreError("bad-post")
    curve = [_number(v) for v in downsample(list(curve))]
    return {"run_name": clean_text(post.get("run_name"), MAX_TEXT),
            "dataset": clean_text(post.get("dataset"), MAX_TEXT),
            "settings": settings_json(post.get("settings")),
            "val_accuracy": _number(post.get("val_accuracy"), 0.0, 1.0),
            "test_accuracy": _number(post.get("test_accuracy"), 0.0, 1.0),
            "seconds": _number(post.get("seconds"), 0.0), "curve": json.dumps(curve, separators=(",", ":")),
            "kind": kind}


def read_json(text, default):
    try:
        value = json.loads(text) if text else default
    except (ValueError, TypeError, RecursionError):
        return default
    return value if isinstance(value, type(default)) else default


def read_json_many(texts: list, default) -> list:
    """read_json of each text, parsed in one call (10,000 curves: one json.loads of a list
    instead of 10,000 calls, several times faster); row by row if one of them is damaged."""
    if texts and all(texts):
        try:
            values = json.loads("[" + ",".join(texts) + "]")
        except (ValueError, TypeError, RecursionError):
            values = None
        if values is not None and len(values) == len(texts):
            return [v if isinstance(v, type(default)) else type(default)() for v in values]
    return [read_json(t, default) for t in texts]


def progress_values(epoch, val_accuracy, running) -> tuple:
    """(epoch, val_accuracy, running) checked as a progress post stores them."""
    if isinstance(epoch, bool) or not isinstance(epoch, int) and not hasattr(epoch, "__index__"):
        raise StoreError("bad-post")
    epoch = int(epoch)
    if not 0 <= epoch < 2 ** 31:
        raise StoreError("bad-post")
    return epoch, _number(val_accuracy, 0.0, 1.0), bool(running)
