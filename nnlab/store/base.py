"""The interface every lab store implements, and the lab's token.

A lab is a token and its saved *parts*: each part is bytes under a name
("controls", "runs", "sweep", "model", "model_state", "data_sources",
"dataset:csv", ...) — the app decides what they hold (JSON, or a model file
in nnlab's own format: never pickle).  Kept models are stored one per run
(`save_models`), at most MAX_MODELS per lab: the oldest are dropped.

Every write is one transaction: a part is replaced whole, or not at all.
"""
from __future__ import annotations

import os
import re
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

HOME_ENV = "NNLAB_HOME"        # the data folder (default ~/.nnlab)
DAYS_ENV = "NNLAB_LAB_DAYS"    # labs unused this many days are removed (default 30)
DEFAULT_DAYS = 30
TOKEN_BYTES = 24               # secrets.token_urlsafe(24): 32 characters, 192 random bits
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}", re.ASCII)
MAX_MODELS = 5                 # kept models per lab (as nnlab/experiments/runs.py MAX_MODELS): older ones dropped
MAX_PART_BYTES = 128 * 2 ** 20  # one part: the largest upload (100 MB) with room


class StoreError(Exception):
    """The store cannot be used, or refuses a room's request.  `kind` is one of "missing",
    "read-only", "locked", "full", "corrupt", "too-large", "gone" (the lab was deleted),
    "unavailable", "no-server" (a database server that does not answer); for rooms
    (rooms.py) "no-room", "closed", "not-owner", "not-joined", "rate", "bad-post".  The text
    is for a learner: it never holds a path, a URL or a password."""

    WORDS = {
        "missing": "its data folder cannot be created",
        "read-only": "its data folder is read-only",
        "locked": "its database is busy (locked by another process)",
        "full": "the disk is full",
        "corrupt": "its database file is damaged",
        "too-large": "this part of the lab is too large to keep",
        "gone": "this lab was deleted (in another tab or window)",
        "unavailable": "its database cannot be opened",
        "no-server": "its database server does not answer",
        "no-room": "there is no room with this code",
        "closed": "this room is closed: the presenter closed it",
        "not-owner": "only the presenter who opened this room can do that",
        "not-joined": "join the room first (your name, then post)",
        "rate": "too many posts: wait a few seconds",
        "bad-post": "this run cannot be posted (its settings are too large or malformed)",
    }

    def __init__(self, kind: str):
        self.kind = kind if kind in self.WORDS else "unavailable"
        super().__init__(self.WORDS[self.kind])


def new_token() -> str:
    """A new lab's token.  Never one that starts with "-": on the command line
    (`runs list --lab TOKEN`) it would read as an option (1 token in 64 did)."""
    while True:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        if not token.startswith("-"):
            return token


def parse_token(text) -> str | None:
    """`text` if it is a well-formed lab token (32 URL-safe characters), else None.
    Never raises, whatever `text` is."""
    if isinstance(text, (list, tuple)):
        text = text[-1] if len(text) == 1 else None
    if not isinstance(text, str) or len(text) != 32:
        return None
    return text if _TOKEN.fullmatch(text) else None


def home_dir() -> Path:
    """NNLAB_HOME, or ~/.nnlab (created on first use, not here)."""
    return Path(os.environ.get(HOME_ENV) or Path.home() / ".nnlab").expanduser()


def lab_days() -> float:
    try:
        days = float(os.environ.get(DAYS_ENV, DEFAULT_DAYS))
    except ValueError:
        return DEFAULT_DAYS
    return days if days > 0 else DEFAULT_DAYS


@dataclass
class Lab:
    """A lab as loaded: its parts {name: bytes} and kept models {run id: model-file bytes}."""

    token: str
    parts: dict = field(default_factory=dict)
    models: dict = field(default_factory=dict)
    created: float = 0.0
    used: float = 0.0


class LabStore(ABC):
    """Where labs live.  Methods raise StoreError when the store cannot be used."""

    kind = "abstract"
    warning = ""  # why work is not kept (MemoryStore as a fallback), in a learner's words

    @property
    def persistent(self) -> bool:
        return False

    def close(self) -> None:
        """Let go of the store's connections (PostgreSQL's pool); nothing for the others."""

    @abstractmethod
    def create_lab(self) -> str:
        """A new, empty lab; returns its token."""

    @abstractmethod
    def lab_exists(self, token: str) -> bool: ...

    @abstractmethod
    def load_lab(self, token: str) -> Lab | None:
        """The lab (and marks it used now), or None when there is no such lab."""

    @abstractmethod
    def save_parts(self, token: str, parts: dict) -> None:
        """Replace the named parts ({name: bytes, or None to remove it}) in one transaction.
        A lab that does not exist (deleted meanwhile) raises StoreError("gone")."""

    def save_part(self, token: str, name: str, value: bytes | None) -> None:
        self.save_parts(token, {name: value})

    @abstractmethod
    def save_models(self, token: str, models: dict, parts: dict | None = None) -> None:
        """Make {run id: model-file bytes} the lab's kept models (others removed; at most
        MAX_MODELS, the highest run ids kept), with `parts` in the same transaction."""

    @abstractmethod
    def delete_lab(self, token: str) -> None: ...

    @abstractmethod
    def purge_unused(self, days: float) -> int:
        """Remove labs unused for `days` days; returns how many."""

    @abstractmethod
    def labs(self) -> list:
        """Every lab's token (for the server's own CLI, never shown in the app)."""

    # ------------------------------------------------------------------ rooms (rooms.py, docs/room.md)
    # A learner is named by their lab token and kept as learner_key(token) only; nothing below
    # returns a token or anything of a lab.  A code is read by parse_room_code (any case, spaces
    # around); one that is malformed is a room that does not exist.  Room and RoomPost: rooms.py.
    @abstractmethod
    def open_room(self, owner_token: str, setup: dict, title: str = ""):
        """A new open room with a fresh code; its owner is the presenter's lab token."""

    @abstractmethod
    def room(self, code: str):
        """The Room, or None when there is no room with this code."""

    @abstractmethod
    def is_owner(self, code: str, owner_token: str) -> bool: ...

    @abstractmethod
    def close_room(self, code: str, owner_token: str) -> None:
        """Refuse posts and joins from now on.  StoreError("no-room") / ("not-owner")."""

    @abstractmethod
    def hide_post(self, code: str, owner_token: str, post_id: int, hidden: bool = True) -> None:
        """Hide (or show again) one post.  StoreError("no-room") / ("not-owner")."""

    @abstractmethod
    def join_room(self, code: str, lab_token: str, name: str) -> None:
        """Record the learner (or rename them): `name` stripped and capped (rooms.MAX_NAME), an
        animal name when empty.  StoreError("no-room") / ("closed")."""

    @abstractmethod
    def learner_name(self, code: str, lab_token: str) -> str | None: ...

    @abstractmethod
    def post_run(self, code: str, lab_token: str, post: dict) -> int:
        """Post a finished run (keys: RoomPost's fields but id, room, learner, name, posted,
        hidden; checked by rooms.clean_post); returns its id.  StoreError("no-room"),
        ("closed"), ("not-joined"), ("rate") (rooms.RUN_BURST, RUN_LIFETIME), ("bad-post")."""

    @abstractmethod
    def post_progress(self, code: str, lab_token: str, epoch: int, val_accuracy: float | None,
                      running: bool) -> bool:
        """The learner's one "running now" row, replaced.  Over rooms.PROGRESS_PER_SECOND it is
        dropped silently (returns False; True when kept).  StoreError as post_run, never "rate"."""

    @abstractmethod
    def room_posts(self, code: str, include_hidden: bool = False, with_curves: bool = True,
                   limit: int | None = None) -> list:
        """The room's posts (RoomPost), newest first; `curve` is [] without curves."""

    @abstractmethod
    def room_curves(self, code: str, post_ids) -> dict:
        """{post id: curve} of these posts of the room (ids of other rooms are left out): the
        scoreboard reads its table with_curves=False, then the curves of the runs it draws."""

    @abstractmethod
    def room_counts(self, code: str) -> dict:
        """{"learners", "runs" (shown), "hidden", "running" (progress rows saying running,
        updated in the last rooms.RUNNING_SECONDS), "progress" (progress posts kept)}."""

    @abstractmethod
    def rooms_of(self, owner_token: str) -> list:
        """The rooms this presenter opened (Room), newest first."""
