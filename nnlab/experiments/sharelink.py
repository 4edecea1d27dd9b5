"""Setups as links: a page's settings as a short, readable query string, and back.

    pairs = sharelink.encode("train", {"hidden": [64, 32], "lr": 0.01, ...}, base=start)
    sharelink.query(pairs)              # "hidden=64-32&lr=0.01"  (values equal to `base` left out)
    link = sharelink.decode({"hidden": ["64-32"], "lr": ["fast"], "bogus": ["1"]})
    link.values                         # {"hidden": [64, 32]}
    link.ignored                        # [("lr", "fast", "must be a number"), ("bogus", "1", "unknown name")]

Names: a link holds the settings under their own names from nnlab/core/hyperparams.py
(`hidden`, `activations`, `lr`, `l2`, ...), a page's own keys (the Sweep's `sweep`,
`values`, `seeds`) and the presenter's `present` and `controls`.  Values read as a
person types them: 64-32, relu, 0.01, full, off, none (no hidden layer).

Nothing in a link is trusted: every value is parsed strictly and checked against the
table; a bad one is left out and listed in `ignored` with the reason, the others are used.
A link holds a setup, never a model, and only built-in datasets (an uploaded CSV stays
in the browser that uploaded it).

Which page shares which keys: `PAGES`.  A new page registers one line there (its
table settings, plus `Key`s of its own with the session-state key of their control).
"""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Callable

from nnlab.core import hyperparams
from nnlab.core.types import OFF, ON
from nnlab.data import toy2d
from nnlab.experiments import sweep

MAX_TEXT = 200       # characters in one value (a sweep's values list is the longest)
MAX_KEYS = 100       # parameters read from one link; the rest are listed as ignored
NOT_SETUP = ("lab", "room")  # in the address but not a setup: the lab's token (nnlab/store), never in a
# link, and a room to join (docs/room.md), which a join link holds alone
UPLOADED = ("csv",)  # datasets made from a file the sharing browser uploaded: not in links


@dataclass(frozen=True)
class Key:
    """One parameter of a link.  `parse`: text -> checked value (ValueError says why);
    `format`: value -> text (parse(format(v)) == v); `default`: left out of links when
    equal (None: always written); `state`: the session-state key of its control ("" for
    a training control, which pages/helpers/controls.py sets from the settings)."""

    name: str
    parse: Callable[[str], object]
    format: Callable[[object], str]
    default: object = None
    state: str = ""


@dataclass
class Link:
    """A decoded link: the values it sets, and (name, text, reason) for each one left out."""

    values: dict = field(default_factory=dict)
    ignored: list = field(default_factory=list)


# ------------------------------------------------------------ the table's settings
def parse_setting(s, text: str):
    """Setting `s` from link text, checked against the table (ValueError with the reason,
    in the table's words without the name: "must be a number")."""
    try:
        return s.parse(text)
    except ValueError as e:  # "lr must be ..." -> "must be ..."
        raise ValueError(re.sub(rf"^(each )?{re.escape(s.name)}( entry)?:? ", "", str(e))) from None


def _setting_key(s: hyperparams.Setting, state: str = "") -> Key:
    def parse(text, s=s):
        if s.name == "dataset" and text.lower() in UPLOADED:
            raise ValueError("an uploaded dataset cannot be shared: choose it on the Data page")
        return parse_setting(s, text)
    return Key(s.name, parse, s.format, state=state)


# The settings of the training controls (pages/helpers/controls.py) and the dataset, in the table's order.
SETUP = tuple(_setting_key(s) for s in hyperparams.SETTINGS if s.widget)
CONTROLS = tuple(s.name for s in hyperparams.SETTINGS if s.widget and s.section != "data")


# ------------------------------------------------------------ the Sweep page's keys
def _text(text: str) -> str:
    if not text.strip():
        raise ValueError("is empty")
    return text.strip()


def _sweep_param(text: str, none_ok=False) -> str:
    if none_ok and text.lower() in OFF:
        return "(none)"
    try:
        return sweep.check_param(text)
    except ValueError:
        raise ValueError(f"not a setting a sweep can vary (one of {', '.join(sweep.SWEEPABLE)})") from None


def _seeds(text: str) -> int:
    if not re.fullmatch(r"\d{1,2}", text, re.ASCII) or not 1 <= int(text) <= 10:
        raise ValueError("must be a whole number from 1 to 10")
    return int(text)


SWEEP = (
    Key("sweep", _sweep_param, str, "l2", state="sweep_param_1"),
    Key("values", _text, str, None, state="sweep_values_1"),
    Key("sweep2", lambda t: _sweep_param(t, none_ok=True), lambda v: "none" if v == "(none)" else v, "(none)",
        state="sweep_param_2"),
    Key("values2", _text, str, None, state="sweep_values_2"),
    Key("seeds", _seeds, str, 1, state="sweep_seeds"),
)


def _check_sweep(values: dict) -> dict:
    """The sweep's values must be values of the setting it varies: {key: reason} for those that are not."""
    bad = {}
    for param_key, values_key, default in (("sweep", "values", "l2"), ("sweep2", "values2", "(none)")):
        param = values.get(param_key, default)
        if values_key in values and param != "(none)":
            try:
                sweep.parse_values(param, values[values_key])
            except ValueError as e:
                bad[values_key] = str(e)
    return bad


# ------------------------------------------------------------ the Playground's keys
# The Playground's controls are its own: its table settings and its data options
# (nnlab/data/toy2d.py OPTIONS, declared like the table's) live under this prefix.
PLAYGROUND_PREFIX = "pg_"
PLAYGROUND = tuple(_setting_key(o, state=PLAYGROUND_PREFIX + o.name) for o in toy2d.OPTIONS)
PLAYGROUND_CONTROLS = tuple(o.name for o in toy2d.OPTIONS)  # names a presenter's `controls=` may list there


# ------------------------------------------------------------ the presenter's keys
def _present(text: str) -> bool:
    if text.lower() in ON:
        return True
    if text.lower() in OFF + ("0",):
        return False
    raise ValueError("must be 1 or 0")


# A list setting also answers to its singular ("activation"), as the example link spells it.
_SINGULAR = {n[:-1]: n for n in CONTROLS if n.endswith("s") and hyperparams.get(n).type.endswith("list")}


def _controls(text: str) -> tuple:
    """The controls a link lists: training settings, and the Playground's data options
    (a page that lacks some of them lists those in its notice: pages/helpers/share.py)."""
    names = [_SINGULAR.get(n.strip(), n.strip()) for n in re.split(r"[,\s]+", text) if n.strip()]
    unknown = [n for n in names if n not in CONTROLS + PLAYGROUND_CONTROLS]
    if unknown:
        raise ValueError(f"no control named {', '.join(unknown)}")
    if not names:
        raise ValueError("lists no control")
    return tuple(dict.fromkeys(names))


PRESENTER = (
    Key("present", _present, lambda v: "1" if v else "0", False),
    Key("controls", _controls, ",".join, ()),
)


# ------------------------------------------------------------ which page shares which keys
@dataclass(frozen=True)
class Page:
    keys: tuple                      # the Keys this page's links hold, in the order they are written
    check: Callable | None = None    # values -> {key: reason} for values that do not fit together
    prefix: str = ""                 # its training controls' own session-state prefix ("": the Train page's)


PAGES = {
    "train": Page(SETUP + PRESENTER),
    "sweep": Page(SETUP + SWEEP + PRESENTER, check=_check_sweep),
    # No dataset: the points are the link's data options.
    "playground": Page(tuple(k for k in SETUP if k.name != "dataset") + PLAYGROUND + PRESENTER,
                       prefix=PLAYGROUND_PREFIX),
}


def controls_of(page: str) -> tuple:
    """The names `controls=` may list on `page`: its training controls, and its own data options."""
    return CONTROLS + (PLAYGROUND_CONTROLS if PAGES[page].prefix else ())


SETTING_KEYS = frozenset(k.name for k in SETUP + SWEEP + PLAYGROUND)  # what "the shared setup" counts


def local_host(host: str | None) -> bool:
    """Whether `host` names this computer only (localhost, 127.x, ::1, 0.0.0.0): a link
    with it opens nothing on anyone else's machine."""
    h = (host or "").strip("[]").lower()
    return h in ("localhost", "::1", "0.0.0.0", "::", "") or h.endswith(".localhost") or h.startswith("127.")


def rebase(url: str, base: str) -> str:
    """`url` with its scheme, host and port replaced by `base`'s (the path, which holds any
    base path of the app already, stays):
    rebase("http://localhost:8501/train?lr=1", "http://10.0.0.5:8501") -> "http://10.0.0.5:8501/train?lr=1"."""
    parts, new = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit((new.scheme, new.netloc, parts.path, parts.query, ""))


def all_keys() -> dict:
    """Every key any page's link may hold, by name (a link opened on another page still applies)."""
    return {k.name: k for page in PAGES.values() for k in page.keys}


# ------------------------------------------------------------ encode and decode
def encode(page: str, values: dict, base: dict | None = None) -> list:
    """[(name, text)] of page `page`'s keys in `values`, leaving out those that read
    the same as in `base` (what a fresh session starts with) or as the key's default."""
    base = base or {}
    pairs = []
    for key in PAGES[page].keys:
        if key.name not in values or (key.name == "activations" and values.get("hidden") == []):
            continue  # (no hidden layer: no activation to name)
        text = key.format(values[key.name])
        if key.name in base and text == key.format(base[key.name]):
            continue
        if key.name not in base and key.default is not None and text == key.format(key.default):
            continue
        pairs.append((key.name, text))
    return pairs


def query(pairs) -> str:
    """The query string, readable: 64-32, 0.01, logspace:-2:2:10 and lr,hidden stay as they are."""
    return "&".join(f"{urllib.parse.quote(n, safe='_')}={urllib.parse.quote(t, safe='-_.,:~')}" for n, t in pairs)


def decode(params: dict) -> Link:
    """A Link from query parameters {name: [texts]} (st.query_params as lists).
    Unknown names, repeated names, empty or bad values are listed in `ignored`."""
    keys, link = all_keys(), Link()
    params = {k: v for k, v in params.items() if k not in NOT_SETUP}  # ignored silently
    for n, (name, texts) in enumerate(params.items()):
        texts = list(texts) if isinstance(texts, (list, tuple)) else [texts]
        text = str(texts[-1]) if texts else ""
        if n >= MAX_KEYS:
            link.ignored.append((name, text, f"more than {MAX_KEYS} parameters"))
        elif name not in keys:
            link.ignored.append((name, text, "unknown name"))
        elif len(texts) != 1:
            link.ignored.append((name, text, f"given {len(texts)} times"))
        elif not text.strip():
            link.ignored.append((name, text, "no value"))
        elif len(text) > MAX_TEXT:
            link.ignored.append((name, text, f"longer than {MAX_TEXT} characters"))
        else:
            try:
                link.values[name] = keys[name].parse(text.strip())
            except ValueError as e:
                link.ignored.append((name, text, str(e)))
    for page in PAGES.values():
        if page.check is not None:
            for name, reason in page.check(link.values).items():
                link.ignored.append((name, str(params[name][-1] if isinstance(params[name], (list, tuple))
                                               else params[name]), reason))
                link.values.pop(name, None)
    return link


def describe(ignored: list, limit: int = 8) -> str:
    """The ignored parameters in one line: `lr=fast` (must be a number), `bogus` (unknown name), ..."""
    def show(text, n=40):
        text = text.replace("`", "'")
        return text if len(text) <= n else text[:n - 1] + "…"
    items = [f"`{show(name, 30)}{'=' + show(text) if text else ''}` ({show(reason, 120)})"
             for name, text, reason in ignored[:limit]]
    if len(ignored) > limit:
        items.append(f"and {len(ignored) - limit} more")
    return ", ".join(items)
