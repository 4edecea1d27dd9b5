"""One setting of the table (hyperparams.py): what it is, how it reads, how a value
is checked against it.

    s = Setting("dropout", "float", 0.0, "...", "network", low=0.0, high=1.0, closed="left")
    s.check(0.2)             # 0.2
    s.check(1.0)             # ValueError: dropout must be in [0, 1), got 1
    s.allowed()              # "[0, 1)"
    s.parse("0.2")           # 0.2 (text: nnlab/core/types.py)
"""
from __future__ import annotations

from dataclasses import dataclass, field

from nnlab.core.types import TYPES


@dataclass(frozen=True)
class Setting:
    """One setting.  `type`: "int", "float", "choice", "int list" or "choice list".

    low/high/closed: the allowed interval ("both", "left", "right" or "neither" end
    included), for a list: of each element; choices: the allowed names (or values);
    labels: how a choice reads on screen where its name is snake_case or terse;
    none: what None means, if it is allowed; aliases: other inputs accepted for a value;
    normalize: the registry's own check (canonical name or ValueError);
    optimizers / losses: the only ones the setting matters for (empty: all);
    widget: the dashboard control ("" = none); values / slider: what it offers;
    cli: whether ``train`` has a flag ``--name-with-dashes``;
    pending: set while nothing consumes the setting yet (says what will)."""

    name: str
    type: str
    default: object
    help: str
    section: str
    label: str = ""
    low: float | None = None
    high: float | None = None
    closed: str = "both"
    choices: tuple = ()
    labels: dict = field(default_factory=dict)
    log: bool = False
    none: str = ""
    aliases: dict = field(default_factory=dict)
    normalize: object = None
    optimizers: tuple = ()
    losses: tuple = ()
    formula: str = ""
    widget: str = ""
    values: tuple = ()
    slider: tuple = ()
    cli: bool = True
    required: bool = False
    max_len: int | None = None
    by_optimizer: dict = field(default_factory=dict)  # lr only: each optimizer's default ...
    usual: dict = field(default_factory=dict)         # ... and the range it usually trains well in
    pending: str = ""

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def switch(self) -> bool:
        """An off/on setting (choices False, True): a bare flag on the command line."""
        return self.choices == (False, True)

    # ------------------------------------------------------------ its values
    @property
    def kind(self):
        """The setting's type (nnlab/core/types.py): how its values read as text and are checked."""
        return TYPES[self.type]

    def parse(self, text: str):
        """The checked value that `text` says ("64-32" -> [64, 32]); ValueError saying why not."""
        return self.kind.parse(self, text)

    def format(self, value) -> str:
        """`value` as text that parses back to it: [64, 32] -> "64-32", None -> "none" (or "full")."""
        return self.kind.format(self, value)

    def check(self, value):
        """`value` normalised (canonical name, int or float, None for "none"), or ValueError."""
        return self.kind.check(self, value)

    def label_of(self, value) -> str:
        """How one value reads on screen: its label, else the value itself."""
        return self.labels.get(value, "" if value is None else str(value))

    def allowed(self) -> str:
        """The allowed values in words: "[0, 1)", "one of: adam, sgd", "each 1 to 8192"."""
        if self.switch:
            text = "off or on"
        elif self.choices:
            text = "one of: " + ", ".join("none" if c is False else str(c) for c in self.choices)
        elif self.low is None and self.high is None:
            text = "any"
        else:
            lo_in, hi_in = self.closed in ("both", "left"), self.closed in ("both", "right")
            text = (f"{'[' if lo_in else '('}{_num(self.low, '-inf')}, "
                    f"{_num(self.high, 'inf')}{']' if hi_in and self.high is not None else ')'}")
        if self.type.endswith("list"):
            text = f"each {text}" + (f", at most {self.max_len} entries" if self.max_len else "")
        return text + (f"; none = {self.none}" if self.none else "")

    def to_json(self) -> dict:
        out = {"name": self.name, "type": self.type, "default": self.default, "help": self.help,
               "section": self.section, "label": self.label or self.name, "allowed": self.allowed()}
        for key in ("low", "high", "formula", "none", "pending"):
            if getattr(self, key) not in (None, ""):
                out[key] = getattr(self, key)
        if self.low is not None or self.high is not None:
            out["closed"] = self.closed
        if self.choices:
            out["choices"] = list(self.choices)
            out["choice_labels"] = [self.label_of(c) for c in self.choices]
        for key in ("optimizers", "losses"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        if self.by_optimizer:
            out["default_by_optimizer"] = dict(self.by_optimizer)
            out["usual_by_optimizer"] = {k: list(v) for k, v in self.usual.items()}
        out.update(log=self.log, required=self.required, flag=self.flag if self.cli else None,
                   widget=self.widget or None)
        return out


def _num(v, missing):
    return missing if v is None else str(v) if isinstance(v, int) else f"{v:g}"
