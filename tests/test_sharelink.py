"""Shared links without Streamlit (nnlab/experiments/sharelink.py): every setting of the table
survives a link, bad values are listed and not applied, and nothing a URL can hold
makes decode raise."""
import random
import string
import urllib.parse

import pytest

from nnlab.core import hyperparams
from nnlab.data import toy2d
from nnlab.experiments import sharelink, sweep

SETUP = {k.name: k for k in sharelink.SETUP}


def examples(s: hyperparams.Setting) -> list:
    """Values of setting `s` worth a round trip: default, choices, offered values, ends of its range."""
    if s.type == "int list":
        return [[], [64], [64, 32], [hyperparams.MAX_WIDTH] * 3, [1] * hyperparams.MAX_DEPTH]
    if s.type == "choice list":
        return [[c] for c in s.choices] + [list(s.choices[:3])]
    out = [s.default] + list(s.choices) + [v for v in s.values if not isinstance(v, str)] + list(s.slider[:2])
    if s.none:
        out.append(None)
    if s.type == "float":
        out += [1e-7, 0.30000000000000004, 1 / 3]
    if s.high is not None and s.type == "int":
        out.append(int(s.high))
    return [v for v in out if v is not None or s.none]


CASES = [(s, v) for s in hyperparams.SETTINGS if s.name in SETUP for v in examples(s)
         if not (s.name == "dataset" and v in sharelink.UPLOADED)]


@pytest.mark.parametrize("s, value", CASES, ids=[f"{s.name}={v!r}"[:40] for s, v in CASES])
def test_every_setting_of_the_table_survives_a_link(s, value):
    expected = hyperparams.check(s.name, value)
    text = SETUP[s.name].format(expected)
    assert text and urllib.parse.quote(text, safe="-_.,:~") == text  # readable in the address bar
    assert SETUP[s.name].parse(text) == expected
    link = sharelink.decode(urllib.parse.parse_qs(sharelink.query([(s.name, text)])))
    assert link.values == {s.name: expected} and not link.ignored


def test_every_control_of_the_dashboard_is_in_links_and_only_the_tables_names():
    widgets = {s.name for s in hyperparams.SETTINGS if s.widget}
    assert set(SETUP) == widgets
    for page in sharelink.PAGES.values():
        names = [k.name for k in page.keys]
        assert len(names) == len(set(names))
        # every page: the whole setup (the Playground's points are its own options, not a dataset)
        assert {n for n in names if n in hyperparams.BY_NAME} == widgets - ({"dataset"} if page.prefix else set())
    playground = [k.name for k in sharelink.PAGES["playground"].keys]
    assert [o.name for o in toy2d.OPTIONS] == [n for n in playground if n not in hyperparams.BY_NAME][:-2]
    assert playground[-2:] == ["present", "controls"]  # the presenter's options, as on Train
    assert sharelink.decode({"controls": ["toy,noise,lr"]}).values == {"controls": ("toy", "noise", "lr")}


def test_links_are_short_and_readable_and_leave_out_what_a_new_tab_has():
    base = {"hidden": [128, 64], "activations": ["relu"], "lr": 0.002, "optimizer": "adam", "epochs": 40}
    values = {**base, "hidden": [64, 32], "activations": ["relu", "relu"], "lr": 0.01}
    assert sharelink.query(sharelink.encode("train", values, base)) == "hidden=64-32&lr=0.01"
    values = {**base, "sweep": "l2", "values": "logspace:-2:2:10", "seeds": 1, "present": True,
              "controls": ("lr", "hidden")}
    assert sharelink.query(sharelink.encode("sweep", values, base)) == \
        "values=logspace:-2:2:10&present=1&controls=lr,hidden"
    assert sharelink.encode("train", {"hidden": [], "activations": []}, base) == [("hidden", "none")]
    assert sharelink.encode("train", {"batch_size": None, "augment": False}) == [("batch_size", "full"),
                                                                                 ("augment", "off")]


BAD = [
    ("lr", "fast", "must be a number"), ("lr", "-0.1", "positive"), ("lr", "nan", "must be a number"),
    ("lr", "1e400", "got inf"), ("epochs", "0", "at least 1"), ("epochs", "1e3", "whole number"),
    ("epochs", "99999999999999999999", "whole number"), ("seed", "-1", "at least 0"), ("hidden", "64-x", "whole number"),
    ("hidden", "0", "at least 1"), ("hidden", "-".join(["8"] * 65), "at most 64"), ("hidden", "64--32", "whole"),
    ("activations", "relu-swish", "swish"), ("optimizer", "adamw", "adamw"), ("dropout", "1", "[0, 1)"),
    ("momentum", "1.5", "[0, 1)"), ("batch_size", "half", "whole number"), ("augment", "on", "on"),
    ("dataset", "csv", "uploaded"), ("dataset", "imagenet", "imagenet"), ("output", "tanh", "tanh"),
    ("sweep", "seed", "not a setting"), ("seeds", "11", "1 to 10"), ("present", "maybe", "1 or 0"),
    ("controls", "lr,engine", "engine"), ("controls", ",", "lists no control"), ("lr", " ", "no value"),
    ("lr", "٣", "must be a number"), ("epochs", "５", "whole number"), ("bogus", "1", "unknown name"),
    ("l2", "0x10", "must be a number"), ("lr", "1" * 300, "longer than"),
]


@pytest.mark.parametrize("name, text, reason", BAD, ids=[f"{n}={t[:20]}" for n, t, _ in BAD])
def test_a_bad_value_is_listed_with_its_reason_and_not_applied(name, text, reason):
    good = "seed" if name != "seed" else "epochs"
    link = sharelink.decode({name: [text], good: ["7"]})
    assert link.values == {good: 7}  # the good one is used ...
    assert [(n, t) for n, t, _ in link.ignored] == [(name, text)]  # ... the bad one listed, with its reason
    assert reason in link.ignored[0][2], link.ignored


def test_repeated_and_unknown_keys_are_listed_once_each():
    link = sharelink.decode({"lr": ["0.1", "0.2"], "nope": ["1"], "hidden": ["32"]})
    assert link.values == {"hidden": [32]}
    assert [(n, r) for n, _, r in link.ignored] == [("lr", "given 2 times"), ("nope", "unknown name")]
    text = sharelink.describe(link.ignored)
    assert text == "`lr=0.2` (given 2 times), `nope=1` (unknown name)"
    many = sharelink.decode({f"k{i}": ["`x`" * 50] for i in range(150)})
    assert len(many.ignored) == 150 and "and 142 more" in sharelink.describe(many.ignored)
    assert "`x`" not in sharelink.describe(many.ignored)  # a backtick cannot break the notice's code spans


def test_a_sweep_s_values_must_be_values_of_the_setting_it_sweeps():
    ok = sharelink.decode({"sweep": ["dropout"], "values": ["0,0.2,0.5"], "seeds": ["3"]})
    assert ok.values == {"sweep": "dropout", "values": "0,0.2,0.5", "seeds": 3} and not ok.ignored
    bad = sharelink.decode({"sweep": ["dropout"], "values": ["0,2"], "sweep2": ["none"], "values2": ["1"]})
    assert bad.values == {"sweep": "dropout", "sweep2": "(none)", "values2": "1"}
    assert [n for n, _, _ in bad.ignored] == ["values"]
    default_axis = sharelink.decode({"values": ["relu,tanh"]})  # no sweep=: the Sweep page's first axis, l2
    assert not default_axis.values and "l2" in default_axis.ignored[0][2]
    assert sweep.parse_values("hidden", sharelink.decode({"sweep": ["hidden"], "values": ["16,64-32"]})
                              .values["values"]) == [[16], [64, 32]]


def test_presenter_keys():
    link = sharelink.decode({"present": ["1"], "controls": ["lr, activation,hidden,lr"]})
    assert link.values == {"present": True, "controls": ("lr", "activations", "hidden")}  # the spelling
    assert sharelink.decode({"present": ["0"]}).values == {"present": False}


ALPHABET = string.printable + "éλ٣５\u200b\x00"


def test_fuzz_no_link_makes_decode_raise_and_every_parameter_is_used_or_listed():
    rnd = random.Random(17)
    names = list(sharelink.all_keys()) + ["", "x", "hidden[]", "LR", "__class__"]
    pieces = ["", "-", "none", "full", "off", "1e308", "-1e308", "1e-400", "inf", "nan", "9" * 40, "0", "64-32",
              "relu", "logspace:-2:2:10", "linspace:0:1:100000", "%00", " ", ",", "lr,hidden"]
    for _ in range(3000):
        params = {}
        for _ in range(rnd.randint(0, 6)):
            texts = [rnd.choice(pieces) if rnd.random() < 0.6 else
                     "".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 30)))
                     for _ in range(rnd.choice([1, 1, 1, 2, 0]))]
            params[rnd.choice(names)] = texts
        link = sharelink.decode(params)
        used = set(link.values) | {n for n, _, _ in link.ignored}
        assert used == set(params), params
        assert not set(link.values) & {n for n, _, _ in link.ignored}, params
        for name, value in link.values.items():  # what is applied is valid
            if name in hyperparams.BY_NAME:
                assert hyperparams.check(name, value) == value
        sharelink.describe(link.ignored)
