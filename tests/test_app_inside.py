"""The Inside page (issue 16) through Streamlit's AppTest: without a model, after a
short training, with recording off, on a dataset of plain features, and the
gradient check with backward broken on purpose (on a copy, never the tab's model)."""
import json
import sys
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datafiles import feature_csv  # noqa: E402

from nnlab import modelfile  # noqa: E402
from nnlab.core.activations import DERIVATIVES  # noqa: E402
from nnlab.core.layers import Activation  # noqa: E402
from nnlab.data.datasets import load_dataset  # noqa: E402
from nnlab.experiments import presets  # noqa: E402
from nnlab.train.trainer import Trainer  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "app.py")
INSIDE = "pages/inside.py"


def new_app():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def button(at, label):
    return next(b for b in at.button if b.label == label)


def charts(at):
    return {json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "") or c.proto.id: json.loads(c.proto.spec)
            for c in at.get("plotly_chart")}


def texts(elements):
    return " ".join(str(e.value) for e in elements)


def train(at, epochs=3):
    at.switch_page("pages/train.py").run()
    at.slider(key="ctl_epochs").set_value(epochs).run()
    button(at, "Train").click().run()
    assert not at.exception and len(at.session_state.history) == epochs
    return at


def test_without_a_model_it_says_train_first_or_load_one_and_links_there():
    at = new_app()
    at.switch_page(INSIDE).run()
    assert not at.exception and at.title[0].value == "Inside"
    assert "Train first or load a model" in texts(at.info)
    links = [link.proto.page for link in at.get("page_link")]
    assert links == ["train", "evaluate"]
    assert not at.get("plotly_chart")  # nothing to draw yet; the check runs on the controls' network
    button(at, "Check backpropagation").click().run()
    assert not at.exception and "**Pass**" in texts(at.success)
    assert at.session_state.net is None  # checking made no model


def test_after_a_short_training_the_page_shows_every_part():
    at = train(new_app(), epochs=3)
    at.switch_page(INSIDE).run()
    assert not at.exception and not at.error and not at.warning
    assert [s.value for s in at.subheader] == ["First-layer weights", "Activations", "Gradients per layer, epoch by epoch",
                                               "One example through the network", "Gradient check"]
    figs = charts(at)
    grid = figs["Weights into each hidden unit"]
    assert len(grid["data"][1]["customdata"]) == 64  # 128 units: the first page of 64 tiles
    norms = figs["Weight-gradient norm per layer"]
    assert norms["layout"]["yaxis"]["type"] == "log"
    assert [t["name"] for t in norms["data"]] == ["hidden 1", "hidden 2", "output"]
    history = at.session_state.history
    assert norms["data"][0]["x"] == [1, 2, 3] and norms["data"][2]["y"][2] == history[2]["grad_norms"][2]
    assert "Update / weight per step" in figs
    assert any(k.startswith("Prediction:") for k in figs)  # one example, its probabilities
    table = at.table[0].value
    assert list(table.index) == ["hidden 1", "hidden 2"] and table["Dead units"].str.contains(" of 128 ").iloc[0]
    assert len(at.latex) >= 4  # each part shows its formula
    # a unit chosen (as a click on its tile does): its images that excite it most
    at.selectbox(key="inside_unit").set_value(7).run()
    assert "Unit 7's weights" in texts(at.caption) and len(at.get("image")) == 2  # the tile + 8 images; the example's input


def test_the_broken_backward_fails_the_check_on_a_copy_and_the_model_is_untouched():
    at = train(new_app(), epochs=2)
    at.switch_page(INSIDE).run()
    net = at.session_state.net
    before = net.get_params()
    button(at, "Break backward on purpose, then check").click().run()
    assert not at.exception
    assert "**Fail** in hidden 1 W, hidden 1 b" in texts(at.error) and not at.success
    assert "forgets the derivative of relu" in texts(at.markdown)
    broken = at.table[-1].value
    assert list(broken["Result"]) == ["FAIL", "FAIL", "pass", "pass", "pass", "pass"]
    button(at, "Check backpropagation").click().run()
    assert "**Pass**" in texts(at.success) and "**Fail**" in texts(at.error)  # both, to compare
    assert at.session_state.net is net and np.array_equal(net.get_params(), before)
    for layer in net.layers:  # the tab's own network still has the real derivatives
        if isinstance(layer, Activation):
            assert layer._df is DERIVATIVES[layer.name]
    at.switch_page("pages/train.py").run()
    button(at, "Train").click().run()  # all epochs done: nothing changed by the check
    assert not at.exception and len(at.session_state.history) == 2


def test_with_recording_off_it_says_so_and_record_and_train_on_records_the_next_epochs():
    at = new_app()
    at.switch_page(INSIDE).run()
    at.toggle(key="inside_record").set_value(False).run()
    assert at.session_state.record_grads is False
    at = train(at, epochs=2)
    assert all(r["grad_norms"] is None for r in at.session_state.history)
    at.slider(key="ctl_epochs").set_value(4).run()  # two more epochs to go
    at.switch_page(INSIDE).run()
    assert not at.exception and "Recording was off" in texts(at.info)
    assert "Weight-gradient norm per layer now (one validation batch)" in charts(at)
    button(at, "Record and train on").click().run()  # trains here, live, recording from the next epoch
    assert not at.exception
    history = at.session_state.history
    assert [r["grad_norms"] is not None for r in history] == [False, False, True, True]
    assert at.session_state.trainer.record_grads and at.toggle(key="inside_record").value
    norms = charts(at)["Weight-gradient norm per layer"]
    assert norms["data"][0]["x"] == [3, 4]
    assert "2 epochs trained without recording are left out" in texts(at.caption)


def test_a_model_of_plain_features_has_no_weight_pictures_but_the_rest_works():
    at = new_app()
    at.switch_page("pages/data.py").run()
    at.radio(key="data_view").set_value("csv").run()
    at.file_uploader(key="data_upload").set_value(("plain.csv", feature_csv(n=90, d=5), "text/csv")).run()
    next(b for b in at.button if b.label.startswith("Use this CSV")).click().run()
    at = train(at, epochs=2)
    at.switch_page(INSIDE).run()
    assert not at.exception and not at.error
    assert "plain features, not images" in texts(at.info)
    figs = charts(at)
    assert not any(k.startswith("Weights into") for k in figs)
    assert "Weight-gradient norm per layer" in figs and any(k.startswith("Prediction:") for k in figs)


def saved_model(record_grads):
    ds = load_dataset("digits")
    net, cfg = presets.build("digits-quick", ds, seed=1, epochs=2)
    trainer = Trainer(net, ds, cfg, record_grads=record_grads)
    for _ in trainer.run():
        pass
    return modelfile.model_bytes(net, ds.meta(), trainer.history, cfg.to_dict())


def test_a_model_loaded_on_evaluate_shows_the_gradients_its_file_recorded_or_says_it_has_none():
    at = new_app()
    at.switch_page("pages/evaluate.py").run()
    at.file_uploader(key="model_upload").set_value(("with.npz", saved_model(True), "application/octet-stream")).run()
    assert at.session_state.trainer is None and at.session_state.net is not None
    at.switch_page(INSIDE).run()
    assert not at.exception and not at.error
    assert not any(b.label == "Train on" for b in at.button)  # a loaded model does not train here
    norms = charts(at)["Weight-gradient norm per layer"]
    assert norms["data"][0]["x"] == [1, 2]  # the history the file kept
    at.switch_page("pages/evaluate.py").run()
    at.file_uploader(key="model_upload").set_value(("without.npz", saved_model(False), "application/octet-stream"))
    at.run()
    at.switch_page(INSIDE).run()
    assert not at.exception and "loaded from a file saved without gradient statistics" in texts(at.info)
    assert "Weight-gradient norm per layer now (one validation batch)" in charts(at)
