"""Shared links, presenter mode and the Lessons page through Streamlit's AppTest."""
import urllib.parse
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nnlab import lessons, sharelink, toy2d
from pages import controls

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_link(query: str, page: str | None = None) -> AppTest:
    """A new tab opened on a link: the root URL (which goes to Train) or `page`, with `query`."""
    at = AppTest.from_file(APP, default_timeout=60)
    if page:
        at.switch_page(page)
    for name, texts in urllib.parse.parse_qs(query, keep_blank_values=True).items():
        at.query_params[name] = texts
    at.run()
    assert not at.exception
    return at


def shown(at) -> dict:
    """The settings the training controls hold, as the Train page reads them."""
    return controls.settings_of(lambda n: at.session_state[controls.K + n] if controls.K + n in at.session_state
                                else controls.DEFAULTS.get(n), at.session_state[controls.K + "dataset"])


def labels(elements) -> set:
    return {e.label for e in elements}


def test_a_link_sets_the_controls_once_and_lists_what_it_ignored_in_one_notice():
    at = open_link("hidden=64-32&activations=tanh&lr=0.01&epochs=12&l2=abc&bogus=1&seed=7&seed=8")
    assert at.title[0].value == "Train"
    c = shown(at)
    assert (c["hidden"], c["activations"], c["lr"], c["epochs"]) == ([64, 32], ["tanh", "tanh"], 0.01, 12)
    assert c["l2"] == controls.START["l2"] and c["seed"] == controls.START["seed"]  # not applied
    assert c["dropout"] == controls.START["dropout"]  # not in the link: what a new tab has
    assert len(at.warning) == 1
    notice = at.warning[0].value
    for part in ("`l2=abc` (must be a number)", "`bogus=1` (unknown name)", "`seed=8` (given 2 times)"):
        assert part in notice
    assert "Loaded the shared setup" in at.toast[0].value
    at.slider(key="ctl_epochs").set_value(20).run()  # a later change is not overwritten by the link
    assert shown(at)["epochs"] == 20 and at.session_state["ctl_width_0"] == 64
    assert not at.warning and not at.toast  # said once


def test_values_a_control_cannot_show_are_listed_as_adjusted():
    at = open_link("hidden=100&lr=0.003&momentum=0.5", page="pages/train.py")
    notice = at.warning[0].value
    assert "`hidden=100` (the control offers 96)" in notice and "`lr=0.003` (the control offers 0.002)" in notice
    assert "`momentum=0.5` (not used by adam)" in notice
    assert shown(at)["hidden"] == [96]


@pytest.mark.parametrize("query", ["", "=", "&&&", "hidden", "hidden=", "hidden=" + "9" * 5000, "lr=1e308",
                                   "epochs=-0", "%ZZ=%00", "controls=" + ",".join(["lr"] * 500), "present=1&present=0",
                                   "dataset=csv", "dataset=digits&hidden=none&activations=relu-tanh"])
def test_a_garbage_link_never_breaks_the_page(query):
    at = open_link(query, page="pages/train.py")
    assert at.title[0].value == "Train" and not at.error
    assert len(at.warning) <= 1


def test_share_shows_a_link_that_opens_the_same_setup_in_a_new_tab():
    at = open_link("")
    at.selectbox(key="ctl_activation").set_value("tanh").run()
    at.slider(key="ctl_epochs").set_value(33).run()
    at.select_slider(key="ctl_width_1").set_value(16).run()
    at.selectbox(key="ctl_optimizer").set_value("momentum").run()
    at.slider(key="ctl_momentum").set_value(0.5).run()
    link = at.code[0].value
    path, _, query = link.partition("?")
    assert path == "/train"
    assert query == "hidden=128-16&activations=tanh&optimizer=momentum&lr=0.05&momentum=0.5&epochs=33"
    other = open_link(query)
    assert shown(other) == shown(at) and not other.warning


def test_presenter_mode_draws_only_the_listed_controls_and_applies_the_others():
    at = open_link("present=1&controls=lr,activation,hidden&epochs=3&optimizer=sgd&lr=0.1")
    assert at.session_state["presenting"]
    assert not any(h.value == "Training controls" for h in at.sidebar.subheader)
    assert {"Hidden layers", "Activation", "Learning rate"} <= labels(at.main.slider) | labels(at.main.select_slider) \
        | labels(at.main.selectbox)
    drawn = labels(at.slider) | labels(at.select_slider) | labels(at.selectbox) | labels(at.number_input)
    assert not {"Epochs", "Optimizer", "Preset", "Dropout", "Seed", "Batch size"} & drawn
    next(b for b in at.button if b.label == "Train").click().run()
    assert len(at.session_state.history) == 3  # epochs=3, never drawn, still applied
    assert at.session_state.trainer.config.optimizer == "sgd"
    assert "present=1&controls=lr,activations,hidden" in at.code[0].value  # Share keeps the presenter's view


def test_a_sweep_link_sets_the_sweep_and_the_setup():
    at = open_link("hidden=48-32&sweep=dropout&values=0,0.25,0.5&seeds=2", page="pages/sweep.py")
    assert at.title[0].value == "Sweep" and not at.warning
    assert at.selectbox(key="sweep_param_1").value == "dropout"
    assert at.text_input(key="sweep_values_1").value == "0,0.25,0.5"
    assert at.number_input(key="sweep_seeds").value == 2 and shown(at)["hidden"] == [48, 32]
    assert at.code[0].value.startswith("/sweep?hidden=48-32&")
    assert "sweep=dropout&values=0,0.25,0.5&seeds=2" in at.code[0].value


def test_no_hidden_layer_trains_and_the_sweep_page_describes_it():
    at = open_link("hidden=none&epochs=2")
    assert at.slider(key="ctl_layers").value == 0 and "softmax regression" in " ".join(c.value for c in at.caption)
    next(b for b in at.button if b.label == "Train").click().run()
    assert at.session_state.net.config.sizes == [64, 10] and len(at.session_state.history) == 2
    at.switch_page("pages/sweep.py").run()
    assert not at.exception and "64-10 no hidden layer" in " ".join(c.value for c in at.caption)
    at.switch_page("pages/train.py").run()
    at.slider(key="ctl_layers").set_value(1).run()
    assert "Units in the hidden layers: none → 128" in at.warning[0].value  # needs a new model, in words


@pytest.mark.parametrize("i", range(len(lessons.LESSONS)))
def test_each_lesson_s_load_this_setup_sets_the_train_page_s_controls(i):
    at = open_link("")
    next(b for b in at.button if b.label == "Train").click().run()  # a model to be replaced
    at.switch_page("pages/lessons.py").run()
    assert at.title[0].value == "Lessons" and len(at.latex) == len(lessons.LESSONS)
    at.button(key=f"lesson_{i}").click().run()
    assert at.title[0].value == "Train" and not at.warning and at.session_state.net is None
    setup, c = lessons.setup(lessons.LESSONS[i]), shown(at)
    for name, value in setup.items():
        if name == "activations":
            assert c[name] == (value * len(setup["hidden"]) if len(value) == 1 else value)
        else:
            assert c[name] == value, name
    next(b for b in at.button if b.label == "Train").click().run()
    assert at.session_state.net.config.hidden == setup["hidden"] and not at.error


def test_the_lambda_lesson_opens_the_tutorial_sweep():
    at = open_link("")
    at.switch_page("pages/lessons.py").run()
    i = next(i for i, lesson in enumerate(lessons.LESSONS) if any(k["page"] == "sweep" for k in lesson.get("links", [])))
    link = next(b for b in at.button if b.key == f"lesson_{i}_sweep")
    link.click().run()
    assert at.title[0].value == "Sweep"
    assert at.text_input(key="sweep_values_1").value == "logspace:-2:2:10"
    assert shown(at)["hidden"] == [48, 32] and shown(at)["optimizer"] == "momentum"
    assert "Setup: 64-48-32-10 sigmoid, momentum learning rate 0.2, 1000 epochs" in \
        " ".join(c.value for c in at.caption)


def test_the_hidden_layer_lesson_opens_the_circles_on_the_playground_and_keeps_the_train_model(no_pacing):
    at = open_link("")
    next(b for b in at.button if b.label == "Train").click().run()  # the Train page's model
    model = at.session_state.net
    at.switch_page("pages/lessons.py").run()
    i = next(i for i, lesson in enumerate(lessons.LESSONS)
             if any(k["page"] == "playground" for k in lesson.get("links", [])))
    next(b for b in at.button if b.key == f"lesson_{i}_playground").click().run()
    assert at.title[0].value == "Playground" and not at.exception and not at.warning
    play = at.session_state.playground
    assert play.points.name == "circles" and play.net.config.sizes == [2, 8, 2]
    assert at.session_state["pg_optimizer"] == "adam" and at.session_state["pg_epochs"] == 200
    assert at.session_state.net is model  # the Train page's model and controls are not the Playground's
    assert shown(at) == controls.START
    at.switch_page("pages/playground.py").run()  # (AppTest reruns the page it last switched to: Lessons)
    assert at.session_state["pg_toy"] == "circles" and not at.warning  # the link is not applied twice
    next(b for b in at.button if b.label == "Train").click().run()
    assert at.session_state.playground.trainer.history[-1]["val_accuracy"] > 0.9  # bent around the circle


def test_the_links_keys_are_the_pages_registered_keys():
    for page in sharelink.PAGES:  # every page a link can name opens (app.py's url_path = the registry's name)
        at = open_link("", page=f"pages/{page}.py")
        assert at.title[0].value.lower() == page


def test_a_lesson_loaded_again_brings_its_setup_back_but_a_rerun_does_not():
    at = open_link("")
    at.switch_page("pages/lessons.py").run()
    at.button(key="lesson_1").click().run()
    epochs = lessons.setup(lessons.LESSONS[1])["epochs"]
    assert shown(at)["epochs"] == epochs
    at.slider(key="ctl_epochs").set_value(epochs + 5).run()
    at.run()
    assert shown(at)["epochs"] == epochs + 5  # the link in the address bar is not applied again
    at.switch_page("pages/lessons.py").run()
    at.button(key="lesson_1").click().run()
    assert at.title[0].value == "Train" and shown(at)["epochs"] == epochs


def playground_shown(at) -> dict:
    """The Playground's controls: its data options and its training settings (its own, "pg_")."""
    options = {o.name: at.session_state["pg_" + o.name] for o in toy2d.OPTIONS}
    return {**options, **controls.settings_of(lambda n: at.session_state["pg_" + n])}


@pytest.fixture
def no_pacing(monkeypatch):
    from pages import playground_run

    monkeypatch.setattr(playground_run, "FRAME_SECONDS", 0.0)  # the Playground paces its pictures for a browser


def test_the_playground_shares_its_points_network_and_training_and_leaves_train_alone(no_pacing):
    at = open_link("", page="pages/playground.py")
    assert at.title[0].value == "Playground" and not at.warning
    assert at.code[0].value == "/playground"  # the starting setup: nothing to say
    at.selectbox(key="pg_toy").set_value("spiral").run()
    at.slider(key="pg_noise").set_value(0.1).run()
    at.pills(key="pg_features").set_value(["x1", "x2", "sin_x1"]).run()
    at.selectbox(key="pg_activation").set_value("relu").run()
    at.select_slider(key="pg_lr").set_value(0.01).run()
    link = at.code[0].value
    path, _, query = link.partition("?")
    assert path == "/playground"
    assert query == "activations=relu&lr=0.01&toy=spiral&noise=0.1&features=x1-x2-sin_x1"
    other = open_link(query, page="pages/playground.py")
    assert playground_shown(other) == playground_shown(at) and not other.warning
    assert other.session_state.playground.points.name == "spiral"
    assert other.session_state.playground.net.config.sizes == [3, 8, 8, 2]
    assert shown(other) == controls.START  # the Train page's controls are not the Playground's


def test_a_playground_link_adjusts_what_its_controls_cannot_show_and_ignores_other_pages_keys(no_pacing):
    at = open_link("toy=blobs&classes=5&points=333&noise=0.9&hidden=none&dataset=mnist&sweep=l2&lr=fast",
                   page="pages/playground.py")
    assert at.title[0].value == "Playground" and not at.exception and not at.error
    notice = at.warning[0].value
    for part in ("`points=333` (the control offers 350)", "`noise=0.9` (the control offers 0.5)",
                 "`hidden=none` (the Playground needs at least one hidden layer)",
                 "`dataset=mnist` (not used on the Playground)", "`sweep=l2` (not used on the Playground)",
                 "`lr=fast` (must be a number)"):
        assert part in notice, part
    play = at.session_state.playground
    assert play.points.name == "blobs" and len(play.points.classes) == 5 and at.session_state["pg_layers"] == 2
    next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception and at.session_state.playground.trainer.epoch > 0
