"""No page ever shows a traceback: an unexpected error is one plain sentence on screen
and the whole traceback in the server's log (pages/helpers/errors.py)."""
import logging
import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pages.helpers import common, errors

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_an_unexpected_error_is_one_plain_sentence_and_logged_and_the_model_stays(monkeypatch, caplog):
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/train.py").run()
    at.slider(key="ctl_epochs").set_value(2).run()
    next(b for b in at.button if b.label == "Train").click().run()
    net = at.session_state.net
    assert net is not None

    def broken():
        raise IndexError("list index out of range")

    monkeypatch.delenv("NNLAB_SHOW_ERRORS")  # as the app runs for a user
    monkeypatch.setattr(common, "model_status_ui", broken)
    with caplog.at_level(logging.ERROR, logger="nnlab.app"):
        at.switch_page("pages/evaluate.py").run()
    assert not at.exception  # no traceback on screen
    assert [e.value for e in at.error] == [errors.PLAIN]
    logged = [r for r in caplog.records if r.name == "nnlab.app"]
    assert logged and logged[0].exc_info[0] is IndexError  # the traceback is in the server's log
    monkeypatch.undo()
    at.switch_page("pages/evaluate.py").run()
    assert not at.exception and not at.error and at.session_state.net is net  # nothing lost


def test_in_the_tests_errors_still_reach_apptest(monkeypatch):
    """The suite's NNLAB_SHOW_ERRORS (tests/conftest.py) lets a page's exception through, so
    `not at.exception` in the other tests still means the page ran without one."""
    monkeypatch.setattr(common, "model_status_ui", lambda: 1 / 0)
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/train.py").run()
    assert at.exception and at.exception[0].value == "division by zero"


def test_errors_outside_a_page_show_no_details_either():
    """A widget callback's error happens before the page runs: Streamlit's own sentence, no details."""
    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
