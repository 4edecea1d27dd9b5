"""The Playground page through Streamlit's AppTest: its own controls and model,
training on the 2-D data, bad combinations, and the Train page left alone."""
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nnlab.data import toy2d

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(autouse=True)
def no_pacing(monkeypatch):
    """The page paces its pictures for a browser (5 per second); a test need not wait."""
    from pages.helpers import playground_run

    monkeypatch.setattr(playground_run, "FRAME_SECONDS", 0.0)


def playground():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/playground.py").run()
    assert not at.exception
    return at


def click(at, label):
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception
    return at


def specs(at):
    """The newest picture of each chart (boundary, loss, units), as plotly specs: the
    page keeps the last pictures in stacked slots, keyed live_<chart>_<picture number>."""
    newest = {}
    for c in at.get("plotly_chart"):
        name, n = re.search(r"live_(\w+)_(\d+)$", c.proto.id).groups()
        if int(n) >= newest.get(name, (-1, None))[0]:
            newest[name] = (int(n), json.loads(c.proto.spec))
    return [newest[name][1] for name in ("boundary", "loss", "units") if name in newest]


def test_renders_with_its_own_controls_and_an_untrained_model():
    at = playground()
    assert at.title[0].value == "Playground"
    play = at.session_state.playground
    assert play.trainer.epoch == 0 and play.points.name == "moons" and play.net.config.sizes == [2, 8, 8, 2]
    # every control in session_state under a stable key: "pg_" + a data option or a setting's widget
    for o in toy2d.OPTIONS:
        assert at.session_state["pg_" + o.name] == toy2d.OPTION[o.name].default
    assert at.session_state["pg_layers"] == 2 and at.session_state["pg_width_0"] == 8
    assert at.session_state["pg_optimizer"] == "adam" and at.session_state["pg_epochs"] == 100
    boundary, loss, units = specs(at)
    assert boundary["data"][0]["type"] == "heatmap" and boundary["layout"]["title"]["text"].startswith("Epoch 0 ")
    assert [t["type"] for t in units["data"]] == ["heatmap"]
    assert at.session_state.net is None  # the Train page has no model: nothing was made for it


def test_train_learns_the_moons_and_the_train_page_keeps_its_model():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.slider(key="ctl_epochs").set_value(1).run()
    click(at, "Train")
    train_net, train_history = at.session_state.net, list(at.session_state.history)
    at.switch_page("pages/playground.py").run()
    click(at, "Train")
    play = at.session_state.playground
    assert play.trainer.epoch == 100 and play.trainer.history[-1]["val_accuracy"] >= 0.95
    boundary = specs(at)[0]
    assert boundary["layout"]["title"]["text"].startswith("Epoch 100 · validation accuracy")
    assert "Finished 100 epochs" in at.get("progress")[0].proto.text
    assert any(c.value.startswith("Last run: 100 epochs") for c in at.caption)
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert at.session_state.net is train_net and at.session_state.history == train_history
    assert at.session_state["ctl_epochs"] == 1 and at.session_state["ctl_width_0"] == 128  # Train's own controls


def test_no_feature_is_a_message_and_the_model_stays():
    at = click(playground(), "Step")
    net = at.session_state.playground.net
    at.pills(key="pg_features").set_value([]).run()
    assert not at.exception
    assert "choose at least one input feature" in at.error[0].value and "model on the screen stays" in at.error[0].value
    play = at.session_state.playground
    assert play.net is net and play.trainer.epoch == 1 and len(specs(at)) == 3
    click(at, "Train")  # does nothing while the setup does not work
    assert play.trainer.epoch == 1
    at.pills(key="pg_features").set_value(["x1_squared", "x2_squared"]).run()  # a new model, on the new inputs
    assert not at.error and play.net is not net and play.net.config.n_inputs == 2 and play.trainer.epoch == 0
    assert play.data.notes == ["features: x1_squared, x2_squared"]


def test_blobs_with_four_classes_and_a_new_learning_rate_goes_on_training():
    at = playground()
    at.selectbox(key="pg_toy").set_value("blobs").run()
    at.slider(key="pg_classes").set_value(4).run()
    play = at.session_state.playground
    assert play.net.config.n_outputs == 4 and play.points.n_classes == 4
    at.slider(key="pg_epochs").set_value(20).run()
    click(at, "Train")
    net = play.net
    assert play.trainer.epoch == 20 and play.trainer.history[-1]["val_accuracy"] > 0.8
    at.select_slider(key="pg_lr").set_value(0.005).run()
    at.slider(key="pg_epochs").set_value(25).run()
    click(at, "Train")
    assert play.net is net and play.trainer.epoch == 25  # the same model, trained on
    assert [m["epoch"] for m in play.trainer.marks] == [20]  # (Epochs 100 → 20 before training: no mark)
    assert play.trainer.marks[0]["note"] == "Learning rate: 0.02 → 0.005; Epochs: 20 → 25"


def test_step_reset_and_the_settings_kept_while_another_page_shows():
    at = playground()
    click(click(at, "Step"), "Step")
    play = at.session_state.playground
    first = play.net.get_params()
    assert play.trainer.epoch == 2
    click(at, "Reset")
    assert play.trainer.epoch == 0 and play.trainer.history == []
    at.slider(key="pg_noise").set_value(0.35).run()
    at.switch_page("pages/train.py").run()
    at.switch_page("pages/playground.py").run()
    assert at.session_state["pg_noise"] == 0.35 and at.slider(key="pg_noise").value == 0.35
    assert not (play.net.get_params() == first).all()  # new noise, new points: a new model


def test_the_playground_has_the_train_page_s_keyboard_shortcuts():
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/playground.py").run()
    assert {b.label: b.proto.shortcut for b in at.button if b.label in ("Train", "Step", "Stop", "Reset")} == \
        {"Train": "t", "Step": "s", "Stop": "escape", "Reset": ""}  # as Streamlit normalises them
