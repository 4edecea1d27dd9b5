"""Shared links, presenter mode and the Lessons page through Streamlit's AppTest."""
import urllib.parse
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from nnlab.data import toy2d
from nnlab.experiments import sharelink
from pages.helpers import controls
from pages.helpers import lessons_text as lessons

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
    assert "Loaded the shared setup (4 settings" in at.success[0].value  # hidden, activations, lr, epochs
    at.slider(key="ctl_epochs").set_value(20).run()  # a later change is not overwritten by the link
    assert shown(at)["epochs"] == 20 and at.session_state["ctl_width_0"] == 64
    assert not at.warning and not at.success  # said once


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
    from pages.helpers import playground_run

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


def main_order(at) -> list:
    """The main area's elements in page order, as (type, value) pairs."""
    out = []

    def walk(node):
        children = getattr(node, "children", None)
        if children:
            for child in children.values():
                walk(child)
        else:
            out.append((node.type, getattr(node, "value", None)))
    walk(at.main)
    return out


def test_the_loaded_line_counts_only_settings_and_sits_under_the_title_not_over_share():
    at = open_link("present=1&controls=lr,hidden&epochs=5&lr=0.01", page="pages/train.py")
    assert not at.toast  # a toast covers the Share button (top right)
    assert [s.value for s in at.success] == ["Loaded the shared setup (2 settings from the link)."]
    order = [t for t, _ in main_order(at)]
    assert order.index("title") < order.index("success") < order.index("markdown", order.index("caption"))  # under the title
    only_presenter = open_link("present=1", page="pages/train.py")
    assert not only_presenter.success  # no setting: nothing "loaded"


def test_presenter_mode_s_intro_does_not_send_the_room_to_the_closed_sidebar():
    intro = lambda at: next(m.value for m in at.markdown if "Teach a network" in m.value)  # noqa: E731
    assert "Set it up in the sidebar," in intro(open_link("", page="pages/train.py"))
    presenting = intro(open_link("present=1", page="pages/train.py"))
    assert "Set it up in the sidebar," not in presenting and "at the top left opens it" in presenting
    assert "with the controls below" in intro(open_link("present=1&controls=lr", page="pages/train.py"))


def test_the_playground_in_presenter_mode_has_its_controls_on_the_page(no_pacing):
    at = open_link("present=1", page="pages/playground.py")
    assert at.session_state["presenting"] and not at.exception
    assert not at.sidebar.selectbox and not at.sidebar.slider  # the closed sidebar holds nothing
    assert {"Dataset", "Optimizer"} <= labels(at.main.selectbox)
    assert {"Noise", "Hidden layers", "Epochs"} <= labels(at.main.slider)
    at.selectbox(key="pg_toy").set_value("circles").run()
    assert at.session_state.playground.points.name == "circles"


def test_a_playground_link_s_controls_list_draws_only_those_and_share_offers_it(no_pacing):
    at = open_link("present=1&controls=toy,noise,lr&epochs=7", page="pages/playground.py")
    assert not at.warning and not at.exception
    drawn = labels(at.slider) | labels(at.select_slider) | labels(at.selectbox) | labels(at.pills)
    assert drawn >= {"Dataset", "Noise", "Learning rate"}
    assert not drawn & {"Points", "Hidden layers", "Optimizer", "Epochs", "Features"}
    assert at.session_state["pg_epochs"] == 7  # undrawn, applied
    assert at.multiselect(key="pg_share_controls").value == ["toy", "noise", "lr"]
    assert "toy" in at.multiselect(key="pg_share_controls").options or \
        "Dataset" in at.multiselect(key="pg_share_controls").options
    assert "present=1&controls=toy,noise,lr" in at.code[0].value
    next(b for b in at.button if b.label == "Train").click().run()
    assert at.session_state.playground.trainer.epoch == 7
    at.button(key="play_show_all_controls").click().run()
    assert "Points" in labels(at.slider)  # every control again (on the page: presenter mode)
    train = open_link("controls=toy,lr", page="pages/train.py")  # the Playground's data options are not Train's
    assert "`controls=toy` (no such control on this page)" in train.warning[0].value
    assert train.session_state["show_only"] == ("lr",)


def test_share_replaces_a_local_host_by_the_network_address_and_shows_a_qr_code(monkeypatch):
    from pages.helpers import share

    monkeypatch.setattr(share, "browser_url", lambda: "http://localhost:8501/train")
    monkeypatch.setattr(share, "network_url", lambda: "http://192.168.1.20:8501")
    at = open_link("", page="pages/train.py")
    at.slider(key="ctl_epochs").set_value(33).run()
    assert at.code[0].value == "http://192.168.1.20:8501/train?epochs=33"
    assert any("localhost" in i.value and "192.168.1.20:8501" in i.value for i in at.info)
    assert [i.captions for i in at.get("image")] == [["Scan to open this link."]]  # the QR code
    monkeypatch.setattr(share, "network_url", lambda: None)  # no address known: say that the link is local
    at.run()
    assert at.code[0].value == "http://localhost:8501/train?epochs=33"
    assert any("nobody else can open this link" in w.value for w in at.warning)
    monkeypatch.setattr(share, "browser_url", lambda: "http://nnlab.example.org/train")
    at.run()
    assert at.code[0].value == "http://nnlab.example.org/train?epochs=33" and not at.warning


def test_a_loaded_lesson_shows_itself_on_train_without_a_stale_preset_and_offers_a_way_back():
    at = open_link("")
    at.select_slider(key="ctl_width_0").set_value(16).run()  # the learner's own setup
    at.switch_page("pages/sweep.py").run()
    next(b for b in at.button if "tutorial" in b.label).click().run()  # the tutorial preset's setup
    at.switch_page("pages/lessons.py").run()
    at.button(key="lesson_2").click().run()
    lesson = lessons.LESSONS[2]
    assert at.title[0].value == "Train"
    assert not any(b.key == "offer_preset" for b in at.button)  # no "Apply the digits preset"
    box = " ".join(m.value for m in at.main.markdown)
    assert f"Lesson 3: {lesson['title']}" in box and lesson["question"] in box
    assert not any("tutorial" in c.value.lower() for c in at.sidebar.caption)  # no other preset's description
    assert any(p.label == "Back to the lesson" for p in at.get("page_link"))
    at.button(key="lesson_restore").click().run()
    assert at.session_state["ctl_width_0"] == 48 and at.session_state["ctl_epochs"] == 1000  # before the lesson
    assert at.session_state.lesson is None and not any(b.key == "lesson_restore" for b in at.button)
    at.switch_page("pages/lessons.py").run()
    at.button(key="lesson_1").click().run()
    assert at.session_state.lesson == 1
    at.switch_page("pages/sweep.py").run()
    next(b for b in at.button if "tutorial" in b.label).click().run()  # a preset replaces the lesson's setup
    at.switch_page("pages/train.py").run()
    assert not any(b.key == "lesson_restore" for b in at.button)


def test_the_qr_code_is_a_png_of_the_link():
    import io

    import segno
    from PIL import Image

    from pages.helpers import qr

    url = "http://192.168.1.20:8501/train?epochs=33"
    image = Image.open(io.BytesIO(qr.png(url, scale=1)))
    modules = segno.make(url, error="m").symbol_size(scale=1, border=4)
    assert image.size == modules  # one pixel a module, with the quiet zone
    dark = [[image.getpixel((x + 4, y + 4)) in (0, (0, 0, 0)) for x in range(modules[0] - 8)]
            for y in range(modules[1] - 8)]
    assert dark == [[bool(v) for v in row] for row in segno.make(url, error="m").matrix]


def test_local_hosts_and_rebase():
    for host in ("localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "0.0.0.0", "app.localhost"):
        assert sharelink.local_host(host), host
    for host in ("192.168.1.20", "10.0.0.5", "nnlab.example.org", "localhost.example.org"):
        assert not sharelink.local_host(host), host
    assert sharelink.rebase("http://localhost:8501/nnlab/train?lr=1", "https://10.0.0.5:8443/nnlab") == \
        "https://10.0.0.5:8443/nnlab/train?lr=1"


def test_the_network_address_is_the_one_streamlit_prints(monkeypatch):
    from streamlit import config, net_util

    from pages.helpers import share

    monkeypatch.setattr(net_util, "get_internal_ip", lambda: "10.1.2.3")
    assert share.network_url().startswith("http://10.1.2.3:")  # the machine's own address
    get, manual = config.get_option, {}
    monkeypatch.setattr(config, "is_manually_set", lambda key: key in manual)
    monkeypatch.setattr(config, "get_option", lambda key: manual.get(key, get(key)))
    manual["server.address"] = "127.0.0.1"  # listens on this computer only: no address for the room
    assert share.network_url() is None
    manual["server.address"] = "0.0.0.0"  # every interface: the machine's own address
    assert share.network_url().startswith("http://10.1.2.3:")
    manual["browser.serverAddress"] = "nnlab.example.org"  # what the presenter configured wins
    assert share.network_url().startswith("http://nnlab.example.org:")
    monkeypatch.setattr(net_util, "get_internal_ip", lambda: "127.0.0.1")  # offline
    del manual["browser.serverAddress"]
    assert share.network_url() is None


@pytest.mark.parametrize("query", ["present=1", "present=1&controls=lr"])
def test_a_link_that_only_asks_for_the_presenter_s_view_keeps_the_tab_s_setup(query):
    """The presenter set up Train, then opened the room's projector view (/room?room=CODE&present=1)
    or a bookmark of presenter mode: their setup stays (it was reset to a new tab's)."""
    at = open_link("")
    at.slider(key="ctl_epochs").set_value(17).run()
    at.slider(key="ctl_layers").set_value(3).run()
    for name, texts in urllib.parse.parse_qs(query).items():
        at.query_params[name] = texts
    at.run()
    assert not at.exception and at.session_state.presenting
    c = shown(at)
    assert c["epochs"] == 17 and len(c["hidden"]) == 3
    assert not at.success  # nothing "loaded"
    with_setup = open_link("")
    with_setup.slider(key="ctl_epochs").set_value(17).run()
    with_setup.query_params["present"], with_setup.query_params["lr"] = ["1"], ["0.01"]
    with_setup.run()
    assert shown(with_setup)["epochs"] == controls.START["epochs"]  # a setup in the link replaces the tab's
