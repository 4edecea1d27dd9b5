"""The lab through AppTest: a new session with the same ?lab= token (a reload, another tab,
another device, a restarted server) gets the same model, runs, sweep and controls back;
a wrong token starts a new lab with a notice; share links never carry the token; New lab
and Delete; a store that fails says so once and the tab goes on in memory."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nnlab.store import MemoryStore, StoreError, parse_token

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def session(token=None, page=None):
    """A new session (a reload, or another browser) on `page`, with ?lab=token."""
    at = AppTest.from_file(APP, default_timeout=90)
    if token is not None:
        at.query_params["lab"] = token
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at


def button(at, label):
    return next(b for b in at.button if b.label == label)


def texts(elements):
    return " ".join(str(e.value) for e in elements)


def token_of(at):
    token = at.query_params["lab"]
    token = token[-1] if isinstance(token, list) else token
    assert parse_token(token) == token
    return token


def train(at, epochs):
    at.slider(key="ctl_epochs").set_value(epochs).run()
    button(at, "Train").click().run()
    assert not at.exception
    return at


def test_a_new_session_opens_a_new_lab_and_puts_it_in_the_address():
    a, b = session(), session()
    assert token_of(a) != token_of(b)
    assert "lab" in texts(a.sidebar.caption).lower() and not a.warning


def test_the_lab_comes_back_in_a_new_session_model_runs_controls_and_training_goes_on():
    at = session()
    at.slider(key="ctl_layers").set_value(1).run()  # not the default: must come back
    train(at, 3)
    token = token_of(at)
    params = at.session_state.net.get_params()

    again = session(token, "pages/evaluate.py")  # a reload on Evaluate
    assert "no model yet" not in texts(again.info).lower()
    assert "test accuracy" in (texts(again.markdown) + texts(again.metric) + texts(again.caption)).lower() or \
        again.get("metric")
    net = again.session_state.net
    assert all((p == q).all() for p, q in zip(net.get_params(), params))
    assert again.session_state.trainer.optimizer.t > 0  # Adam's state came back too
    assert again.session_state["ctl_epochs"] == 3 and again.session_state["ctl_layers"] == 1
    again.switch_page("pages/compare.py").run()
    assert "no runs yet" not in texts(again.info).lower()
    assert [r.name for r in again.session_state.run_log.runs] == ["run 1"]

    again.switch_page("pages/train.py").run()  # Train goes on from epoch 3, in the same run
    assert "Epoch 3 of 3" in texts(again.get("progress")) or again.session_state.trainer.epoch == 3
    train(again, 5)
    assert again.session_state.trainer.epoch == 5 and len(again.session_state.history) == 5
    assert [r.epochs for r in again.session_state.run_log.runs] == [5]

    third = session(token, "pages/compare.py")  # and that too is kept
    assert [r.epochs for r in third.session_state.run_log.runs] == [5]
    assert third.session_state.trainer.epoch == 5


def test_a_stopped_training_comes_back_paused_at_its_checkpoint():
    at = train(session(), 4)
    token = token_of(at)
    back = session(token)
    assert back.session_state.live.running is False and back.session_state.trainer.epoch == 4
    assert back.session_state.trainer.finished  # all 4 epochs were done: raise Epochs to go on


def test_the_sweep_results_and_an_uploaded_csv_come_back(tmp_path):
    at = session(page="pages/sweep.py")
    at.session_state["ctl_epochs"] = 5
    at.text_input(key="sweep_values_1").set_value("0.01,1").run()
    at.number_input(key="sweep_jobs").set_value(1).run()
    button(at, "Run the sweep").click().run(timeout=180)
    assert not at.exception and len(at.session_state.sweep_results) == 2
    csv = b"label,a,b\n" + b"".join(b"%d,%d,%d\n" % (i % 2, i, i % 2 * 10 + i % 7) for i in range(200))
    at.session_state["data_sources"] = {"csv": {"kwargs": {"label_column": None, "images": "auto", "name": "t.csv"},
                                                "key": "k1", "data": csv}}
    at.run()
    back = session(token_of(at), "pages/sweep.py")
    assert sorted(r["l2"] for r in back.session_state.sweep_results) == [0.01, 1.0]
    assert back.session_state.sweep_best["l2"] == at.session_state.sweep_best["l2"]
    assert "test accuracy" in texts(back.success)
    assert back.text_input(key="sweep_values_1").value == "0.01,1"
    assert back.session_state.data_sources["csv"]["data"] == csv


@pytest.mark.parametrize("bad", ["not-a-token", "A" * 32, "x" * 500, "../../etc/passwd"])
def test_a_wrong_or_malformed_token_starts_a_new_lab_with_a_notice(bad):
    at = session(bad)
    assert "does not exist" in texts(at.info) and "new, empty lab" in texts(at.info)
    token = token_of(at)
    assert token != bad and at.session_state.net is None
    at.run()
    assert "does not exist" not in texts(at.info)  # once


def test_a_share_link_never_carries_the_lab(monkeypatch):
    from pages.helpers import share

    at = session()
    token = token_of(at)
    monkeypatch.setattr(share, "browser_url", lambda: f"http://nnlab.example.org/train?lab={token}")
    at.slider(key="ctl_epochs").set_value(33).run()
    assert at.code[0].value == "http://nnlab.example.org/train?epochs=33"
    assert token not in "".join(c.value for c in at.code)
    assert not at.session_state.link_notice  # the lab in the address is not an "unknown" setting


def test_new_lab_starts_empty_and_delete_removes_the_lab():
    at = train(session(), 2)
    first = token_of(at)
    button(at, "New lab").click().run()
    second = token_of(at)
    assert second != first and at.session_state.net is None and not at.session_state.run_log.runs
    assert "new, empty lab" in texts(at.info)
    assert session(first).session_state.net is not None  # the first lab is still at its address
    old = session(first)
    button(old, "Delete this lab").click().run()
    assert token_of(old) not in (first, second) and old.session_state.net is None
    assert "deleted" in texts(old.info)
    assert "does not exist" in texts(session(first).info)


def test_a_lab_deleted_in_another_tab_is_not_brought_back_by_this_one():
    a = train(session(), 2)
    token = token_of(a)
    b = session(token)
    button(b, "Delete this lab").click().run()
    train(a, 3)  # the first tab goes on: its work stays in the tab, and it says why it is not kept
    assert "this lab was deleted" in texts(a.sidebar.warning) and a.session_state.trainer.epoch == 3
    assert "does not exist" in texts(session(token).info)


def test_an_unusable_store_warns_once_and_the_tab_goes_on_in_memory(monkeypatch):
    from pages.helpers import lab

    memory = MemoryStore(warning="Your work is not being saved on this server: its data folder is read-only.")
    monkeypatch.setattr(lab, "store", lambda: memory)
    at = train(session(), 2)
    assert [w.value for w in at.sidebar.get("alert") if "not being saved" in str(w.value)] or \
        "not being saved" in texts(at.sidebar.warning)
    assert at.session_state.trainer.epoch == 2


def test_a_store_that_fails_mid_session_stops_saving_with_one_warning(monkeypatch):
    from pages.helpers import lab

    class Full(MemoryStore):
        def save_parts(self, token, parts):
            raise StoreError("full")

    monkeypatch.setattr(lab, "store", lambda: Full())
    at = train(session(), 2)
    assert "no longer being saved: the disk is full" in texts(at.sidebar.warning)
    assert len([w for w in at.sidebar.warning if "saved" in w.value]) == 1
    assert at.session_state.trainer.epoch == 2 and len(at.session_state.run_log.runs) == 1


def test_checkpoints_at_each_epoch_end_every_few_seconds_inside_one_within_the_budget():
    from pages.helpers.lab import CHECKPOINT_SECONDS, CHECKPOINT_SHARE, checkpoint_due

    assert checkpoint_due(0.6, 0.01, inside_epoch=False)  # MNIST: every epoch's end
    assert not checkpoint_due(0.25, 0.01, inside_epoch=True)  # a progress record inside it: not yet
    assert checkpoint_due(CHECKPOINT_SECONDS, 0.01, inside_epoch=True)  # a long epoch: every few seconds
    assert checkpoint_due(0.6, 0.025, inside_epoch=False)  # MNIST with Adam's state: still every epoch
    assert not checkpoint_due(0.004, 0.003, inside_epoch=False)  # tiny epochs: spaced out by the budget...
    assert checkpoint_due(0.003 / CHECKPOINT_SHARE, 0.003, inside_epoch=False)  # ...to at most 5 % of the time


def test_a_training_cut_off_comes_back_paused_at_its_last_checkpoint(monkeypatch):
    """The tab closed (or the server died) in the middle of Train: nothing but the loop's
    checkpoints reached the store.  The lab comes back paused there; Train goes on."""
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    from pages.helpers import lab, train_view, training_run

    draws = {"n": 0}
    draw = train_view.TrainView.draw

    def cut_off(self, trainer, history):
        draws["n"] += 1
        if draws["n"] == 4 and self.live:
            raise StopException()  # the session ends here
        return draw(self, trainer, history)

    monkeypatch.setattr(training_run, "CHART_SECONDS", 0)
    monkeypatch.setattr(train_view.TrainView, "draw", cut_off)
    at = session()
    at.slider(key="ctl_epochs").set_value(40).run()
    monkeypatch.setattr(lab, "save", lambda: None)  # only the loop's checkpoints are written
    button(at, "Train").click().run()
    done = at.session_state.trainer.epoch
    assert 0 < done < 40
    monkeypatch.undo()
    back = session(token_of(at))
    kept = back.session_state.trainer.epoch
    assert 1 <= kept <= done and back.session_state.live.running is False and not back.session_state.trainer.finished
    progress = back.get("progress")[0].proto.text
    assert "paused" in progress and f"Epoch {kept} of 40" in progress
    button(back, "Train").click().run()
    assert back.session_state.trainer.epoch == 40 and len(back.session_state.history) == 40


def test_controls_the_app_cannot_read_start_afresh_with_a_notice(lab_home):
    """A lab saved by another version of nnlab (values the controls no longer read) still opens."""
    from nnlab.store import open_store, parts

    store = open_store(lab_home)
    token = store.create_lab()
    store.save_part(token, "controls", parts.to_json({"ctl_layers": 99, "ctl_epochs": "many", "pg_lr": [1]}))
    at = session(token)
    assert "controls' values" in texts(at.info) and at.session_state["ctl_layers"] != 99
    button(at, "Train").click().run()
    assert not at.exception and at.session_state.trainer is not None


@pytest.mark.parametrize("kind, said", [("locked", "busy"), ("no-server", "server does not answer")])
def test_a_busy_database_is_said_and_tried_again_later(monkeypatch, kind, said):
    """Locked by another process beyond the timeout, or a database server that does not
    answer for a moment (restarted): a warning, the work stays in the tab, and saving goes
    on once the store is back (not switched off for good)."""
    from pages.helpers import lab

    class Busy(MemoryStore):
        locked = True

        def save_parts(self, token, parts):
            if self.locked:
                raise StoreError(kind)
            super().save_parts(token, parts)

    busy = Busy()
    monkeypatch.setattr(lab, "store", lambda: busy)
    at = train(session(), 2)
    assert said in texts(at.sidebar.warning) and at.session_state.trainer.epoch == 2
    token = token_of(at)
    assert "model" not in busy.load_lab(token).parts
    busy.locked = False
    monkeypatch.setattr(lab, "RETRY_SECONDS", 0.0)
    at.run()  # (its sidebar was drawn before the save at the end of the run)
    assert "model" in busy.load_lab(token).parts
    at.run()
    assert said not in texts(at.sidebar.warning)


def test_a_lab_that_cannot_be_opened_is_not_overwritten_by_the_tab(monkeypatch):
    """The database server did not answer when a tab opened its lab (a restart): the tab
    starts empty, says to reload, and saves nothing over the lab, which a reload brings back."""
    from pages.helpers import lab

    class Silent(MemoryStore):
        down = False

        def load_lab(self, token):
            if self.down:
                raise StoreError("no-server")
            return super().load_lab(token)

    store = Silent()
    monkeypatch.setattr(lab, "store", lambda: store)
    first = train(session(), 3)
    token = token_of(first)
    assert store.load_lab(token).parts.get("model")
    store.down = True
    at = session(token)
    assert "could not be opened" in texts(at.sidebar.warning) and "Reload" in texts(at.sidebar.warning)
    assert token_of(at) == token  # the address still leads to the lab
    train(at, 1)  # a new model in this tab, and controls changed
    store.down = False
    back = session(token)
    assert back.session_state.trainer.epoch == 3  # the lab as it was, not the tab's


def test_a_new_lab_the_store_could_not_make_is_made_once_it_answers(monkeypatch):
    """A new tab while the database server does not answer: the tab works in memory, says so,
    and once the server is back its lab is made and its work saved there (not "deleted")."""
    from pages.helpers import lab

    class Silent(MemoryStore):
        down = True

        def create_lab(self):
            if self.down:
                raise StoreError("no-server")
            return super().create_lab()

    store = Silent()
    monkeypatch.setattr(lab, "store", lambda: store)
    at = train(session(), 2)
    assert "server does not answer" in texts(at.sidebar.warning)
    store.down = False
    monkeypatch.setattr(lab, "RETRY_SECONDS", 0.0)
    at.run()
    at.run()
    token = token_of(at)
    assert store.lab_exists(token) and store.load_lab(token).parts.get("model")
    assert not texts(at.sidebar.warning)
    assert session(token).session_state.trainer.epoch == 2
