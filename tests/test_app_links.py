"""Every setup the controls can make survives its own Share link, and no query string
breaks a page (property-based, through Streamlit's AppTest).

The setups are drawn from the controls' own declarations (nnlab/core/hyperparams.py,
nnlab/data/toy2d.py OPTIONS): a control added there is drawn here too.  Issue 21: a link
of three hidden layers crashed every page that opened it; these tests draw any depth
up to the maximum, any widths, one or per-layer activations, every optimizer with its
own settings, and every dataset a link can hold.
"""
import os
import string
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from nnlab.core import losses
from nnlab.data import toy2d
from nnlab.experiments import sharelink
from pages.helpers import controls, state
from pages.helpers import playground_run as pr

APP = str(Path(__file__).resolve().parents[1] / "app.py")
MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
PAGES = {"train": ("pages/train.py", controls.K, 0), "playground": ("pages/playground.py", pr.PREFIX, 1)}
LINKED_DATASETS = [d for d in controls.hyperparams.get("dataset").choices if d not in sharelink.UPLOADED]
# Each example opens one or two AppTest sessions (~1 s each): few examples per run, no
# example database (CI starts clean), Hypothesis's own shrinking kept for a readable failure.
SLOW = settings(max_examples=20, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(autouse=True, scope="module")
def forget_the_datasets_loaded_here():
    """The datasets loaded here (MNIST from ../shared when present) stay cached for the
    server's life (st.cache_resource): forgotten after this module, so a later test that
    expects MNIST offline does not find it."""
    yield
    state.load_source.clear()


def offered(s) -> st.SearchStrategy:
    """Any value the widget of setting (or data option) `s` can show."""
    if s.widget == "select":
        return st.sampled_from(list(s.choices))
    if s.widget == "slider":
        lo, hi, step = s.slider
        return st.integers(0, round((hi - lo) / step)).map(lambda k: type(lo)(round(lo + k * step, 10)))
    if s.widget == "select_slider":
        return st.sampled_from(list(s.values))
    if s.widget == "number":
        return st.integers(int(s.low), int(min(s.high, 10**6)))
    if s.widget == "pills":
        return st.lists(st.sampled_from(list(s.choices)), min_size=1, unique=True)
    raise AssertionError(f"no strategy for widget {s.widget!r} of {s.name}")


@st.composite
def setups(draw, page: str) -> dict:
    """Widget name -> value: one setup the page's controls can show."""
    first_depth = PAGES[page][2]
    values = {s.name: draw(offered(s)) for s in controls.SIMPLE}
    values["output"] = draw(st.sampled_from(losses.OUTPUTS[values["loss"]]))
    n = draw(st.integers(first_depth, controls.MAX_LAYERS))
    values["layers"] = n
    values.update({f"width_{i}": draw(st.sampled_from(controls.WIDTHS)) for i in range(n)})
    values["same_activation"] = draw(st.booleans())
    acts = controls.hyperparams.get("activations").choices
    values["activation"] = draw(st.sampled_from(acts))
    values.update({f"activation_{i}": draw(st.sampled_from(acts)) for i in range(n)})
    if page == "train":
        values["dataset"] = draw(st.sampled_from(LINKED_DATASETS))
    else:
        values.update({o.name: draw(offered(o)) for o in toy2d.OPTIONS})
    return values


def open_page(page: str, state: dict | None = None, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(PAGES[page][0])
    for name, value in (state or {}).items():
        at.session_state[PAGES[page][1] + name] = value
    for name, texts in (params or {}).items():
        at.query_params[name] = texts
    return at.run()


def controls_of(at, page: str) -> dict:
    """What the page's controls show: its settings (as Train reads them), its data options or dataset."""
    prefix = PAGES[page][1]
    shown = controls.settings_of(lambda n: at.session_state[prefix + n] if prefix + n in at.session_state
                                 else controls.DEFAULTS.get(n), at.session_state[controls.K + "dataset"])
    if page == "playground":
        shown.pop("dataset")
        shown.update({o.name: at.session_state[prefix + o.name] for o in toy2d.OPTIONS})
    return shown


def no_traceback(at):
    assert not at.exception, [e.value for e in at.exception]


def round_trip(page: str, state: dict):
    at = open_page(page, state=state)
    no_traceback(at)
    link = at.code[0].value
    path, _, query = link.partition("?")
    assert path == "/" + page
    other = open_page(page, params=urllib.parse.parse_qs(query, keep_blank_values=True))
    no_traceback(other)
    assert controls_of(other, page) == controls_of(at, page), link
    assert not other.warning, (link, [w.value for w in other.warning])  # nothing in it left out or adjusted


@given(state=setups("train"))
@SLOW
def test_any_train_setup_opens_from_its_share_link_with_the_same_controls(state, monkeypatch):
    if MNIST.is_dir():
        monkeypatch.setenv("NNLAB_MNIST_DIR", str(MNIST))  # else MNIST falls back to the digits, in both tabs
    round_trip("train", state)


@given(state=setups("playground"))
@SLOW
def test_any_playground_setup_opens_from_its_share_link_with_the_same_controls(state, monkeypatch):
    monkeypatch.setattr(pr, "FRAME_SECONDS", 0.0)
    round_trip("playground", state)


def test_the_issue_s_deep_links_open_with_every_layer():
    for query, page, hidden, acts in [
            ("hidden=128-64-32", "train", [128, 64, 32], ["relu"] * 3),
            ("hidden=8-8-8-8-8-8", "train", [8] * 6, ["relu"] * 6),
            ("hidden=32-32-32&activations=relu-tanh", "train", [32] * 3, ["relu", "tanh", "tanh"]),
            ("hidden=8-8-8", "playground", [8] * 3, ["tanh"] * 3)]:
        at = open_page(page, params=urllib.parse.parse_qs(query))
        no_traceback(at)
        shown = controls_of(at, page)
        assert (shown["hidden"], shown["activations"]) == (hidden, acts), query
    # the stretched activations are said, not silently applied
    at = open_page("train", params={"hidden": ["32-32-32"], "activations": ["relu-tanh"]})
    assert "`activations=relu-tanh` (the control offers relu-tanh-tanh)" in at.warning[0].value


# ---------------------------------------------------------------- any query string
NAMES = sorted(sharelink.all_keys())
TOKENS = st.one_of(
    st.sampled_from(["none", "off", "full", "1", "0", "-1", "nan", "inf", "1e308", "0.5", "", " ", "%00", "--",
                     "relu", "tanh", "adam", "sgd", "mnist", "csv", "digits", "moons", "logspace:-2:2:5"]),
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=12))
VALUES = st.one_of(st.lists(TOKENS, min_size=0, max_size=8).map("-".join),
                   st.lists(TOKENS, min_size=1, max_size=4).map(",".join),
                   st.text(string.printable, max_size=30), st.text(max_size=30))
QUERIES = st.dictionaries(st.one_of(st.sampled_from(NAMES), st.text(string.ascii_letters + "_", min_size=1,
                                                                    max_size=10)),
                          st.lists(VALUES, min_size=1, max_size=2), max_size=8)


@given(params=QUERIES, page=st.sampled_from(["train", "playground", "sweep"]))
@SLOW
def test_any_query_string_opens_the_page_without_an_exception(params, page, monkeypatch):
    monkeypatch.setattr(pr, "FRAME_SECONDS", 0.0)
    paths = {**{k: v[0] for k, v in PAGES.items()}, "sweep": "pages/sweep.py"}
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(paths[page])
    for name, texts in params.items():
        at.query_params[name] = texts
    at.run()
    no_traceback(at)
    assert at.title[0].value.lower() == page
    assert len(at.warning) <= 1  # what the link could not use: one notice
    assert os.environ.get("NNLAB_SHOW_ERRORS")  # (so an exception would have reached AppTest)
