"""The two plain configurations a model is made from, generated from the settings table.

    NetworkConfig(n_inputs=64, n_outputs=10, hidden=[64, 32], activations=["relu"])
    TrainConfig(optimizer="sgd")            # lr None: SGD's usual 0.1

Each field is one setting of ``hyperparams.SETTINGS`` (section "network" or
"train"), in the table's order and with its default; ``validate()`` checks every
field against the table, then what only the combination can tell (one activation
per hidden layer, an output that goes with the loss).  Both are JSON-serialisable
(``to_dict``/``from_dict``): model files keep them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import partial

from nnlab.core import hyperparams
from nnlab.core.losses import OUTPUTS

_ANNOTATIONS = {"int": "int", "float": "float", "choice": "str", "int list": "list", "choice list": "list"}


def from_table(section: str, what: str):
    """Class decorator: the settings of `section` become the dataclass's fields
    (in the table's order, with its defaults), and their help its docstring."""
    def wrap(cls):
        cls.__annotations__ = {}
        lines = []
        for s in hyperparams.section(section):
            kind = "str | bool" if False in s.choices else _ANNOTATIONS[s.type]  # augment: False = off
            cls.__annotations__[s.name] = kind + (" | None" if s.none else "")
            if not s.required:  # a list default: a fresh copy for every instance
                default = field(default_factory=partial(hyperparams.default, s.name)) \
                    if isinstance(s.default, list) else s.default
                setattr(cls, s.name, default)
            lines.append(f"    {s.name}: {s.help}")
        cls.__doc__ = f"{cls.__doc__}\n\n    Fields (see hyperparams.SETTINGS):\n" + "\n".join(lines)
        cls._section, cls._what = section, what
        return dataclass(cls)
    return wrap


class _Config:
    def __post_init__(self):
        self.validate()

    def validate(self):
        """Normalise every field (canonical names, int/float) and check it against
        the table; raise ValueError with a clear message."""
        for s in hyperparams.section(self._section):
            setattr(self, s.name, hyperparams.check(s.name, getattr(self, s.name)))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict):
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown {cls._what} config keys: {', '.join(sorted(unknown))}")
        return cls(**d)


@from_table("network", "network")
class NetworkConfig(_Config):
    """Architecture of a multilayer perceptron."""

    def validate(self):
        super().validate()
        if len(self.activations) == 1 and len(self.hidden) != 1:  # one name for every layer
            self.activations = self.activations * len(self.hidden)
        if len(self.activations) != len(self.hidden):
            raise ValueError(
                f"{len(self.activations)} activations given for {len(self.hidden)} hidden layers; "
                "give one per layer or a single one for all")
        allowed = OUTPUTS[self.loss]
        self.output = self.output or allowed[0]
        if self.output not in allowed:
            raise ValueError(f"output {self.output!r} does not go with loss {self.loss!r}; use {' or '.join(allowed)}")

    @property
    def sizes(self) -> list:
        return [self.n_inputs, *self.hidden, self.n_outputs]


@from_table("train", "training")
class TrainConfig(_Config):
    """How to train.  ``optimizer`` "gd" means full batch whatever ``batch_size``
    says; ``lr`` None means the optimizer's usual learning rate."""

    def validate(self):
        super().validate()
        if self.lr is None:
            self.lr = hyperparams.default("lr", self.optimizer)

    def optimizer_kwargs(self) -> dict:
        """The optimizer's own settings beyond the learning rate."""
        return {k: getattr(self, k) for k in hyperparams.taken_by(self.optimizer)}
