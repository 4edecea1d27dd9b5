"""A setting's type: how its values read as text, and how a value is checked.

    s = hyperparams.get("hidden")
    s.format([64, 32])      # "64-32"
    s.parse("64-32")        # [64, 32]   (also "64,32" and "64x32", forms people type)
    s.parse("none")         # []         (no hidden layer)
    hyperparams.get("batch_size").format(None)   # "full"

One text form per type, read back exactly (parse(format(v)) == v), and one reader for
every place a person types a value: the command line's flags (nnlab/cli/common.py),
shared links (nnlab/experiments/sharelink.py), a sweep's values
(nnlab/experiments/sweep.py).  The text forms:

    int            64
    float          0.001, 1e-05       (as short as it reads back exactly)
    choice         relu, adam         (its name; off / none for False or None where allowed)
    switch         on, off
    int list       64-32, none        (also 64,32 and 64x32)
    choice list    relu-tanh          (one name for every entry: relu; also relu,tanh)

A value that does not parse raises ValueError naming the setting and what it takes
("lr must be a number"); one that parses is then checked against the table
(`check`: the allowed range or names).
"""
from __future__ import annotations

import math
import re

import numpy as np

_INT = re.compile(r"[+-]?\d{1,12}", re.ASCII)
_FLOAT = re.compile(r"[+-]?(\d{1,20}\.?\d{0,20}|\.\d{1,20})(e[+-]?\d{1,3})?", re.ASCII | re.IGNORECASE)
OFF = ("off", "none", "false", "no")
ON = ("on", "true", "yes", "1")


def number_text(v) -> str:
    """A number as short as it reads back exactly: 0.01, 1e-05, 64, 0.2."""
    if isinstance(v, float):
        text = repr(v)
        return text[:-2] if text.endswith(".0") else text
    return str(v)


class Type:
    """How the values of a setting of this type read as text (`parse`, `format`) and are
    checked (`check`); the setting itself brings its range, names and aliases."""

    name = ""

    def parse(self, s, text: str):
        """The checked value of setting `s` that `text` says; ValueError saying why not."""
        return self.check(s, self.read(s, str(text).strip()))

    def check(self, s, value):
        return check_value(s, value)

    def read(self, s, text: str):
        """`text` as a value of this type, before the table's check."""
        low = text.lower()
        for alias, value in s.aliases.items():  # "full" batch size, "identity" output, ...
            if isinstance(alias, str) and alias and alias == low:
                return value
        if low in OFF and (False in s.choices or s.none):
            return False if False in s.choices else None
        return self.read_one(s, text)

    def read_one(self, s, text: str):
        raise NotImplementedError

    def format(self, s, value) -> str:
        if value is False:
            return "off"
        if value is True:
            return "on"
        if value is None:  # the word that reads back as None: "full" for the batch size, else "none"
            return next((a for a, v in s.aliases.items() if isinstance(a, str) and a and v is None), "none")
        return number_text(value)


class Int(Type):
    name = "int"

    def read_one(self, s, text):
        if _INT.fullmatch(text):
            return int(text)
        raise ValueError(f"{s.name} must be a whole number")


class Float(Type):
    name = "float"

    def read_one(self, s, text):
        if not _FLOAT.fullmatch(text):
            raise ValueError(f"{s.name} must be a number")
        return float(text)


class Choice(Type):
    name = "choice"

    def read_one(self, s, text):
        if s.choices == (False, True):  # a switch
            if text.lower() in ON:
                return True
            raise ValueError(f"{s.name} must be on or off")
        return text.lower()


class ListOf(Type):
    """A list of `item` values: "64-32"; "none" (or nothing) is the empty list."""

    def __init__(self, item: Type, separators: str):
        self.item, self.name = item, f"{item.name} list"
        # one separator between two entries ("64--32" has an empty entry: refused), spaces around it
        self._split = re.compile(f"\\s*[{re.escape(separators)}]\\s*|\\s+")

    def read(self, s, text):
        if text.lower() in ("", "none"):
            return []
        return [self.item.read(s, part) for part in self._split.split(text)]

    def format(self, s, value) -> str:
        items = list(value)
        if isinstance(self.item, Choice) and len(set(items)) == 1:
            items = items[:1]  # relu-relu-relu: relu (one name serves every entry)
        return "-".join(self.item.format(s, v) for v in items) or "none"


# Every type a setting may have, by its name in the table (Setting.type).
TYPES = {t.name: t for t in (Int(), Float(), Choice(), ListOf(Int(), "-,x"), ListOf(Choice(), "-,"))}


# ------------------------------------------------------------ checks
def check_value(s, value):
    """`value` for setting `s`, normalised (canonical name, int or float, None for
    "none"), or ValueError saying what is allowed; a list setting checks each entry."""
    if s.type.endswith("list"):
        items = [value] if isinstance(value, str) else value
        try:
            items = list(items)
        except TypeError:
            raise ValueError(f"{s.name} must be a list, got {value!r}") from None
        if s.max_len is not None and len(items) > s.max_len:
            raise ValueError(f"{s.name}: at most {s.max_len} items, got {len(items)}")
        return [_check_one(s, v, f"each {s.name} entry") for v in items]
    return _check_one(s, value)


def _check_one(s, v, who: str = ""):
    who = who or s.name
    try:
        if not isinstance(v, (bool, np.bool_)) and v in s.aliases:
            v = s.aliases[v]
    except TypeError:  # unhashable: not an alias
        pass
    if v is None:
        if s.none:
            return None
        raise ValueError(f"{s.name} must be given")
    if s.normalize is not None:
        v = s.normalize(v)
    if s.choices:
        key = v.strip().lower() if isinstance(v, str) else v
        if key not in s.choices:
            raise ValueError(f"unknown {s.name} {v!r}; choose one of: {', '.join(map(str, s.choices))}")
        return key
    what = "an integer" if s.type.startswith("int") else "a number"
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer, float, np.floating)) \
            or (s.type.startswith("int") and not isinstance(v, (int, np.integer))) or not math.isfinite(v):
        raise ValueError(f"{who} must be {what}, got {v!r}")
    v = int(v) if s.type.startswith("int") else float(v)
    if not in_range(s, v):
        raise ValueError(f"{who} must be {_range_words(s, what, v)}, got {v if isinstance(v, int) else format(v, 'g')}")
    return v


def in_range(s, v) -> bool:
    lo_in, hi_in = s.closed in ("both", "left"), s.closed in ("both", "right")
    return ((s.low is None or v > s.low or (lo_in and v == s.low))
            and (s.high is None or v < s.high or (hi_in and v == s.high)))


def _range_words(s, what: str, v) -> str:
    if s.high is None:
        if s.low == 0 and s.closed in ("neither", "right"):
            return f"{'a positive integer' if what == 'an integer' else 'a positive number'}"
        return f"{what} >= {s.low:g}" if s.closed in ("both", "left") else f"{what} > {s.low:g}"
    if s.closed == "both":  # say which end was missed: "at least 1", "at most 100000"
        return f"{what} of at least {s.low:g}" if v < s.low else f"{what} of at most {s.high:g}"
    return f"in {s.allowed()}"
