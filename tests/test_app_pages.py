"""The dashboard through Streamlit's AppTest: every page, training, evaluation,
drawing, bad input.  Each AppTest is its own session (browser tab)."""
import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nnlab import modelfile
from nnlab.data import datasets as nndata
from nnlab.experiments import presets
from nnlab.train.trainer import Trainer

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def new_app():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def button(at, label):
    return next(b for b in at.button if b.label == label)


def charts(at):
    """Every plotly chart on the page as its JSON spec."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def texts(elements):
    return " ".join(str(e.value) for e in elements)


RUN_SECONDS = {}  # the wall time of the last Train run, measured here around AppTest's run


def train(at, epochs=3):
    at.slider(key="ctl_epochs").set_value(epochs)
    at.run()
    button(at, "Train").click()
    t0 = time.perf_counter()
    at.run()
    RUN_SECONDS["train"] = time.perf_counter() - t0
    assert not at.exception
    return at


@pytest.fixture
def trained():
    return train(new_app(), epochs=3)


def test_every_page_renders_without_a_model():
    at = new_app()
    assert at.title[0].value == "Train"
    assert "No training yet" in texts(at.caption)
    for page, title in [("pages/evaluate.py", "Evaluate"), ("pages/draw.py", "Draw"), ("pages/train.py", "Train")]:
        at.switch_page(page).run()
        assert not at.exception, page
        assert at.title[0].value == title
    at.switch_page("pages/evaluate.py").run()
    assert "no model yet" in texts(at.info).lower()
    at.switch_page("pages/draw.py").run()
    assert "no trained model yet" in texts(at.info).lower()
    assert any(b.label == "Train a good default now" for b in at.button)


def test_train_runs_epochs_and_fills_history(trained):
    at = trained
    history = at.session_state.history
    assert [r["epoch"] for r in history] == [1, 2, 3]
    assert all(np.isfinite(r["train_loss"]) for r in history)
    loss, acc = charts(at)[:2]
    assert [t["name"] for t in loss["data"]] == ["training", "validation"]
    assert loss["data"][0]["x"] == [1, 2, 3] and len(loss["data"][1]["y"]) == 3
    assert len(acc["data"][0]["y"]) == 3
    assert "Finished 3 epochs" in texts(at.success)
    assert not at.warning and not at.error
    assert any("parameters" in m.value for m in at.markdown)  # the network summary
    # how long the run took, and how much of it was training (the rest: drawing the page)
    note = re.fullmatch(r"Last run: 3 epochs in ([\d.]+) s — ([\d.]+) s training, ([\d.]+) s drawing the page\.",
                        texts(c for c in at.caption if c.value.startswith("Last run")))
    wall, training, _drawing = map(float, note.groups())
    assert training == pytest.approx(sum(r["seconds"] for r in history), abs=0.006)
    # the page's wall time is the run's (within the caption's rounding), and training a part of it
    assert 0 <= training <= wall <= RUN_SECONDS["train"] + 0.005  # (both rounded to 0.01 s in the caption)


def test_step_trains_one_epoch_at_a_time():
    at = new_app()
    at.slider(key="ctl_epochs").set_value(5)
    at.run()
    for expected in (1, 2):
        button(at, "Step").click()
        at.run()
        assert len(at.session_state.history) == expected
    button(at, "Train").click()  # continues the same model to the end
    at.run()
    assert [r["epoch"] for r in at.session_state.history] == [1, 2, 3, 4, 5]


def test_progress_inside_an_epoch_and_a_paused_epoch_is_shown_and_finished(monkeypatch):
    # MNIST epochs take seconds: the trainer then also yields progress records and the
    # bar moves inside the epoch.  PROGRESS_SECONDS = 0 makes that happen on digits.
    from pages.helpers import training_run

    monkeypatch.setattr(training_run, "PROGRESS_SECONDS", 0)
    run = Trainer.run

    def stopped_after_two_batches(self, epochs=None, progress_seconds=None):
        records = run(self, epochs, progress_seconds)
        yield next(records)
        yield next(records)  # ...then Stop: the page stops reading the generator

    at = new_app()
    with monkeypatch.context() as m:
        m.setattr(Trainer, "run", stopped_after_two_batches)
        button(at, "Train").click()
        at.run()
    at.run()  # the idle page after the Stop
    assert not at.exception and at.session_state.history == []
    assert at.session_state.trainer.epoch_progress == (2, 23)
    bar = at.get("progress")[0].proto
    assert bar.text == "Epoch 0 of 40 · epoch 1: batch 2 of 23 (paused)"
    assert "No training yet" not in texts(at.caption)
    button(at, "Step").click()  # finishes epoch 1 from batch 3, drawing progress after every batch
    at.run()
    assert not at.exception and [r["epoch"] for r in at.session_state.history] == [1]
    assert at.session_state.trainer.epoch_progress is None
    assert "batch" not in at.get("progress")[0].proto.text


def reset(at):
    """Reset, and say yes when the page asks (it asks when there is a model)."""
    button(at, "Reset").click().run()
    if any(b.label == "Yes, reset" for b in at.button):
        button(at, "Yes, reset").click().run()
    return at


def test_reset_forgets_model_and_history(trained):
    at = trained
    reset(at)
    assert at.session_state.net is None and at.session_state.history == []
    assert "No training yet" in texts(at.caption) and "Last run" not in texts(at.caption)


def test_reset_asks_before_throwing_a_trained_model_away(trained):
    """With a model, Reset asks first; "Keep it" keeps everything.  Without one
    it is one click (issue 21)."""
    at = trained
    net = at.session_state.net
    button(at, "Reset").click().run()
    assert not at.exception and at.session_state.net is net and len(at.session_state.history) == 3
    assert "Throw away the current model?" in texts(at.warning) and "trained for 3 epochs" in texts(at.warning)
    button(at, "Keep it").click().run()
    assert at.session_state.net is net and "Throw away" not in texts(at.warning)
    button(at, "Reset").click().run()
    button(at, "Yes, reset").click().run()
    assert at.session_state.net is None and "Throw away" not in texts(at.warning)
    button(at, "Reset").click().run()  # nothing to lose: no question
    assert not at.exception and "Throw away" not in texts(at.warning)
    assert not any(b.label == "Yes, reset" for b in at.button)


def test_train_step_and_stop_have_keyboard_shortcuts():
    at = new_app()
    assert {b.label: b.proto.shortcut for b in at.button if b.label in ("Train", "Step", "Stop", "Reset")} == \
        {"Train": "t", "Step": "s", "Stop": "escape", "Reset": ""}  # as Streamlit normalises them


def test_a_new_architecture_needs_reset_and_the_warning_reads_like_the_controls(trained):
    at = trained
    net = at.session_state.net
    at.select_slider(key="ctl_width_1").set_value(32)
    at.selectbox(key="ctl_activation").set_value("sigmoid")
    at.run()
    assert not at.exception
    warning = texts(at.warning)
    assert "need a new model" in warning
    assert "Units in the hidden layers: 128, 64 → 128, 32" in warning and "Activation: ReLU → sigmoid" in warning
    assert "[" not in warning and "Augment" not in warning and "activations" not in warning  # labels, only what changed
    assert button(at, "Train").disabled and button(at, "Step").disabled  # never silently mix
    assert at.session_state.net is net and len(at.session_state.history) == 3
    at.select_slider(key="ctl_width_1").set_value(64)
    at.selectbox(key="ctl_activation").set_value("relu")  # back to the model's settings: no warning
    at.run()
    assert not at.warning and not button(at, "Train").disabled


def test_after_finishing_train_says_so_and_more_epochs_continue_the_same_model(trained):
    at = trained
    net, history = at.session_state.net, list(at.session_state.history)
    last_run = at.session_state.live.last_run
    for label in ("Train", "Step"):  # Epochs = 3 already reached: not a silent "Last run: 0 epochs"
        button(at, label).click()
        at.run()
        assert "All 3 epochs are done" in texts(at.info) and "raise **Epochs**" in texts(at.info)
        assert at.session_state.history == history and at.session_state.live.last_run == last_run
    at.slider(key="ctl_epochs").set_value(5)
    at.select_slider(key="ctl_lr").set_value(0.01)
    at.run()
    assert not at.warning and not button(at, "Train").disabled
    assert "go on training this model from epoch 4 with: Learning rate: 0.002 → 0.01; Epochs: 3 → 5" in texts(at.info)
    button(at, "Train").click()
    at.run()
    assert not at.exception
    trainer = at.session_state.trainer
    assert at.session_state.net is net and trainer.config.lr == 0.01  # the same model, the new settings
    assert [r["epoch"] for r in at.session_state.history] == [1, 2, 3, 4, 5]
    assert at.session_state.history[:3] == history
    assert trainer.marks == [{"epoch": 3, "note": "Learning rate: 0.002 → 0.01; Epochs: 3 → 5"}]
    loss = next(c for c in charts(at) if "Loss" in c["layout"]["title"]["text"])
    assert loss["layout"]["shapes"][0]["x0"] == 3.5 and "Learning rate" in loss["layout"]["annotations"][0]["text"]
    assert re.search(r"Last run: 2 epochs in", texts(at.caption))
    assert "Epoch 5 of 5" in str(at.get("progress")[0].proto.text)


def test_a_training_change_during_a_run_applies_at_once_and_training_goes_on(trained):
    at = trained
    at.session_state.live.running = True  # as if Train were still running when the widgets change
    at.select_slider(key="ctl_batch_size").set_value(64)  # a widget change reruns the page mid-run
    at.slider(key="ctl_epochs").set_value(6)
    at.run()
    assert not at.exception and not at.warning
    trainer = at.session_state.trainer
    assert trainer.epoch == 3 + 3 and trainer.batch_size() == 64
    assert trainer.marks[0]["epoch"] == 3 and "Batch size: 32 → 64" in trainer.marks[0]["note"]


def test_diverging_learning_rate_says_it_once_shows_the_epoch_and_a_rate_that_works():
    at = new_app()
    at.selectbox(key="ctl_optimizer").set_value("sgd")
    at.run()
    at.select_slider(key="ctl_lr").set_value(10.0)
    at.slider(key="ctl_epochs").set_value(20)
    at.run()
    button(at, "Train").click()
    at.run()
    assert not at.exception
    error = texts(at.error)
    assert error.count("exploded") == 1 and "learning rate 0.1" in error  # SGD's usual value, not 1
    assert not at.success
    trainer = at.session_state.trainer
    assert trainer.stopped_reason == "diverged"
    assert at.session_state.history  # the history is kept ...
    assert np.isfinite(at.session_state.net.flat_params).all()  # ... and so are the last good weights
    # progress, last run and sidebar agree: no epoch kept, epoch 1 exploded; the chart shows it
    assert "Epoch 0 of 20 · stopped: the loss exploded in epoch 1" in str(at.get("progress")[0].proto.text)
    assert "Last run: 0 epochs (then the loss exploded in epoch 1)" in texts(at.caption)
    assert "0 epochs" in texts(at.sidebar.caption)
    loss = next(c for c in charts(at) if "Loss" in c["layout"]["title"]["text"])
    assert "exploded" in loss["layout"]["annotations"][0]["text"] and loss["layout"]["xaxis"]["dtick"] == 1
    button(at, "Train").click()  # same settings: says what to change instead of exploding again
    at.run()
    assert "choose a lower one (try 0.1)" in texts(at.info)
    at.select_slider(key="ctl_lr").set_value(0.1)
    at.run()
    button(at, "Train").click()
    at.run()
    assert not at.exception and not at.error
    assert at.session_state.trainer is trainer and trainer.epoch == 20


def test_a_run_at_chance_level_is_amber_not_a_green_finished():
    at = new_app()
    at.selectbox(key="ctl_activation").set_value("sigmoid")
    at.run()
    at.select_slider(key="ctl_lr").set_value(10.0)
    at.slider(key="ctl_epochs").set_value(10)
    at.run()
    button(at, "Train").click()
    at.run()
    assert not at.exception and not at.success
    warning = texts(at.warning)
    assert "chance level" in warning and "far above Adam's usual range" in warning and "0.001" in warning
    # the chance level the lessons quote (10 %), not the training split's share of 3s (11.5 %)
    assert "picking one of the 10 classes at random scores 10.0%" in warning


def test_validation_above_training_accuracy_is_explained_under_the_chart():
    at = new_app()
    at.slider(key="ctl_dropout").set_value(0.5)
    at.run()
    train(at, epochs=3)
    last = at.session_state.history[-1]
    assert last["val_accuracy"] > last["train_accuracy"]  # dropout 50 % + shifted images
    assert "Why is validation above training? Training accuracy is measured with dropout (50% of the units " \
           "off) and on shifted images" in texts(at.caption)


def test_controls_keep_their_values_across_pages():
    at = new_app()
    at.slider(key="ctl_epochs").set_value(7)
    at.run()
    at.switch_page("pages/evaluate.py").run()
    at.switch_page("pages/train.py").run()
    assert at.slider(key="ctl_epochs").value == 7


def test_output_follows_the_loss_so_the_combination_stays_valid():
    at = new_app()
    assert at.selectbox(key="ctl_output").value == "softmax"
    at.selectbox(key="ctl_loss").set_value("mse")
    at.run()
    assert not at.exception
    assert at.selectbox(key="ctl_output").value == "sigmoid"
    assert at.selectbox(key="ctl_output").options == ["sigmoid", "linear"]
    button(at, "Step").click()
    at.run()
    assert not at.exception and not at.error
    assert at.session_state.net.config.loss == "mse" and len(at.session_state.history) == 1


def test_evaluate_shows_matrix_report_gallery_and_downloads(trained):
    at = trained
    at.switch_page("pages/evaluate.py").run()
    assert not at.exception
    assert at.metric[0].label == "Test accuracy" and at.metric[0].value.endswith("%")
    heat = next(c for c in charts(at) if c["data"][0]["type"] == "heatmap")
    z = np.array(heat["data"][0]["z"])
    assert z.shape == (10, 10) and z.sum() == 594  # every test image counted once
    report = at.table[0].value
    # in % like every other score, "F1" as the text calls it, every class and no blank row
    assert list(report.columns) == ["Precision", "Recall", "F1", "Support"] and len(report) == 10
    assert all(re.fullmatch(r"\d{1,3}%", v) for col in ("Precision", "Recall", "F1") for v in report[col])
    labels = [d.label for d in at.get("download_button")]
    assert any(".npz" in label for label in labels) and any(".csv" in label for label in labels)
    # the gallery: pick one (true, predicted) pair and see exactly those images
    pair_box = at.selectbox(key="eval_pair")
    first_pair = pair_box.options[1]
    pair_box.select_index(1)
    at.run()
    assert not at.exception
    n = int(first_pair.rsplit("(", 1)[1].rstrip(")"))
    assert f"of {n}." in texts(at.caption)
    at.toggle(key="eval_normalize").set_value(True).run()
    heat = next(c for c in charts(at) if c["data"][0]["type"] == "heatmap")
    assert np.allclose(np.array(heat["data"][0]["z"]).sum(axis=1), 1.0)


def test_evaluate_an_empty_cell_says_so_and_the_gallery_shows_more(trained):
    """Issue 21 §5: a clicked cell with no images was outlined while every mistake was shown;
    the gallery stopped at 24 with no way to see more."""
    from pages.evaluate import GALLERY_MAX

    at = trained
    at.switch_page("pages/evaluate.py").run()
    z = np.array(next(c for c in charts(at) if c["data"][0]["type"] == "heatmap")["data"][0]["z"])
    t, p = next((t, p) for t in range(10) for p in range(10) if t != p and z[t, p] == 0)
    at.switch_page("pages/train.py").run()  # (AppTest re-sends the shown select box's old value on a rerun)
    at.session_state.eval_pair = (t, p)  # what a click on that cell sets (evaluate._on_matrix_click)
    at.switch_page("pages/evaluate.py").run()
    assert not at.exception and at.selectbox(key="eval_pair").value == (t, p)
    assert f"No test image is a {t} read as {p}." in texts(at.info)
    assert not [c for c in at.caption if "Showing" in c.value]  # no gallery of every mistake
    at.selectbox(key="eval_pair").set_value(None).run()
    n = int((z.sum() - np.trace(z)))
    shown = min(n, GALLERY_MAX)
    assert f"Showing {shown} of {n}." in texts(at.caption)
    while shown < n:
        more = next(b for b in at.button if b.label.startswith("Show") and b.label.endswith("more"))
        assert more.label == f"Show {min(GALLERY_MAX, n - shown)} more"
        more.click().run()
        shown = min(n, shown + GALLERY_MAX)
        assert f"Showing {shown} of {n}." in texts(at.caption)
    assert not [b for b in at.button if b.label.endswith("more")]
    if n > GALLERY_MAX:  # another cell starts again at the first 24
        at.selectbox(key="eval_pair").select_index(1).run()
        assert "Showing" in texts(at.caption)


def _saved_model_bytes():
    ds = nndata.load_dataset("digits")
    net, cfg = presets.build("digits-quick", ds, seed=1, epochs=2)
    trainer = Trainer(net, ds, cfg)
    for _ in trainer.run():
        pass
    return modelfile.model_bytes(net, ds.meta(), trainer.history, cfg.to_dict())


def test_upload_a_saved_model_and_refuse_a_bad_one(trained):
    at = trained
    at.switch_page("pages/evaluate.py").run()
    own = at.session_state.net
    at.file_uploader(key="model_upload").upload("broken.npz", b"not a zip file").run()
    assert not at.exception
    assert "Could not use **broken.npz**" in texts(at.error) and "kept" in texts(at.error)
    assert at.session_state.net is own  # the current model stays
    at.file_uploader(key="model_upload").set_value(("good.npz", _saved_model_bytes(), "application/octet-stream"))
    at.run()
    assert not at.exception and not at.error
    assert at.session_state.net is not own and "loaded from good.npz" in at.session_state.model_source
    assert len(at.session_state.history) == 2
    assert at.metric[0].label == "Test accuracy"
    at.switch_page("pages/train.py").run()  # the Train page says where the model came from
    assert "loaded from good.npz" in texts(at.info) and button(at, "Train").disabled


def test_hostile_model_uploads_are_refused_and_the_model_stays(trained):
    from datafiles import hostile_model_files

    at = trained
    at.switch_page("pages/evaluate.py").run()
    own = at.session_state.net
    files = hostile_model_files()
    for name in ("huge network, no weights", "weight declares the right shape, holds 256 MiB",
                 "deeply nested configuration"):
        at.file_uploader(key="model_upload").set_value((f"{name}.npz", files[name], "application/octet-stream"))
        at.run()
        assert not at.exception and f"Could not use **{name}.npz**" in texts(at.error), name
        assert at.session_state.net is own


def test_draw_page_handles_an_empty_canvas(trained):
    at = trained
    at.switch_page("pages/draw.py").run()
    assert not at.exception
    assert "Draw a digit" in texts(at.info)
    assert any(b.label == "Clear" for b in at.button)
    button(at, "Clear").click()
    at.run()
    assert not at.exception and at.session_state.canvas_version == 1


def test_draw_page_says_a_diverged_model_has_no_usable_weights():
    at = new_app()
    at.selectbox(key="ctl_optimizer").set_value("sgd")
    at.run()
    at.select_slider(key="ctl_lr").set_value(10.0)
    train(at, epochs=3)
    assert at.session_state.trainer.stopped_reason == "diverged"
    at.switch_page("pages/draw.py").run()
    assert not at.exception
    error = texts(at.error)
    assert "no usable weights" in error and "diverged" in error and "smaller learning rate (0.1 instead of 10)" in error
    assert "affine" not in texts(at.caption)  # augmentation is not what is wrong with it


def test_draw_page_trains_a_good_default_when_there_is_no_model():
    at = new_app()
    at.switch_page("pages/draw.py").run()
    button(at, "Train a good default now").click()
    at.run(timeout=120)
    assert not at.exception
    assert at.session_state.net is not None
    from pages.helpers.common import DRAW_OFFER_EPOCHS  # (common has no side effects; page modules do)

    assert len(at.session_state.history) == DRAW_OFFER_EPOCHS["digits"]
    assert "Draw a digit" in texts(at.info)
    assert at.session_state.train_config["augment"] == "affine"  # drawing-like augmentation (docs/draw.md)
    at.switch_page("pages/train.py").run()  # the controls show this model's settings: no mismatch
    assert not at.warning
    assert at.selectbox(key="ctl_augment").value == "affine"
    at.selectbox(key="ctl_augment").set_value("shift").run()  # another augmentation: the same model goes on
    page = " ".join(m.value for m in [*at.info, *at.warning, *at.markdown, *at.caption])
    assert "Augmentation: affine (turn, slant, stretch) → shifts (1 pixel)" in page
    assert "no longer matches" not in page and not button(at, "Train").disabled


def test_draw_default_training_with_progress_inside_epochs(monkeypatch):
    # On MNIST the offer's epochs take seconds and its bar moves inside them;
    # PROGRESS_SECONDS = 0 takes that path on digits (a progress record per batch).
    from pages.helpers import training_run
    from pages.helpers.common import DRAW_OFFER_EPOCHS

    monkeypatch.setattr(training_run, "PROGRESS_SECONDS", 0)
    monkeypatch.setitem(DRAW_OFFER_EPOCHS, "digits", 2)
    at = new_app()
    at.switch_page("pages/draw.py").run()
    button(at, "Train a good default now").click()
    at.run(timeout=120)
    assert not at.exception and [r["epoch"] for r in at.session_state.history] == [1, 2]
    assert at.session_state.trainer.epoch_progress is None


def test_two_tabs_have_their_own_models(trained):
    other = new_app()
    assert other.session_state.net is None
    train(other, epochs=2)
    assert len(other.session_state.history) == 2 and len(trained.session_state.history) == 3
    assert other.session_state.net is not trained.session_state.net


def test_compare_keeps_every_model_as_a_run_and_overlays_them():
    at = new_app()
    at.switch_page("pages/compare.py").run()
    assert not at.exception and "No runs yet" in texts(at.info)
    at.switch_page("pages/train.py").run()
    at.slider(key="ctl_epochs").set_value(3).run()
    button(at, "Train").click().run()
    reset(at)
    at.select_slider(key="ctl_width_0").set_value(32).run()
    button(at, "Train").click().run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["name"]) == ["run 1", "run 2"] and list(table["epochs"]) == [3, 3]
    assert table["changes"].iloc[1].startswith("hidden: ")
    assert len(at.get("plotly_chart")) == 2
    names = [t["name"] for t in charts(at)[0]["data"]]
    assert names == ["run 1", "run 1", "run 2", "run 2"]  # the legend: the runs' names ...
    differ = at.dataframe[1].value  # ... and a table of the settings in which they differ
    assert list(differ["run"]) == ["run 1", "run 2"] and list(differ["Units in the hidden layers"]) == ["128, 64",
                                                                                                       "32, 64"]
    at.selectbox(key="compare_run").set_value(1).run()
    at.text_input(key="compare_name_1").set_value("baseline net").run()
    button(at, "Rename").click().run()
    button(at, "Pin as baseline").click().run()
    table = at.dataframe[0].value
    assert list(table["name"]) == ["baseline net", "run 2"] and list(table["baseline"]) == [True, False]
    button(at, "Delete").click().run()
    assert not at.exception and len(at.dataframe[0].value) == 1


def test_compare_a_renamed_run_in_the_chooser_its_name_as_written_and_delete_undone():
    """Issue 21 §5: after Rename the chooser still said "run 1"; a run named <b>my run</b> was
    bold in the charts; Delete had no way back; a momentum run read "beta1 None"."""
    at = new_app()
    at.slider(key="ctl_epochs").set_value(2).run()
    button(at, "Train").click().run()
    reset(at)
    at.selectbox(key="ctl_optimizer").set_value("momentum").run()
    button(at, "Train").click().run()
    at.switch_page("pages/compare.py").run()
    differ = at.dataframe[1].value
    assert "None" not in differ.to_string() and list(differ["Optimizer"]) == ["adam", "momentum"]
    assert list(differ["β1 (beta1)"]) == ["0.9", ""] and list(differ["Momentum"]) == ["", "0.9"]
    name = "<b>my *run*</b>"
    at.selectbox(key="compare_run").set_value(1).run()
    at.text_input(key="compare_name_1").set_value(name).run()
    button(at, "Rename").click().run()
    assert not at.exception
    chooser = at.selectbox(key="compare_run")
    # the browser holds the chooser's value as the option's text: it is sent the new one
    assert chooser.value == 1 and chooser.proto.set_value and chooser.proto.raw_value == name
    assert {t["name"] for c in charts(at) for t in c["data"]} == {"&lt;b&gt;my *run*&lt;/b&gt;", "run 2"}
    button(at, "Use this run's model").click().run()
    escaped = r"\<b\>my \*run\*\</b\>"
    assert escaped in texts(at.success) and escaped in texts(at.sidebar.caption)
    button(at, "Delete").click().run()
    assert list(at.dataframe[0].value["name"]) == ["run 2"] and escaped in texts(at.info)
    button(at, "Undo").click().run()
    assert not at.exception and list(at.dataframe[0].value["name"]) == [name, "run 2"]
    assert at.selectbox(key="compare_run").value == 1 and not [b for b in at.button if b.label == "Undo"]
    button(at, "Delete").click().run()  # the last run too: Undo is still offered on the empty page
    at.selectbox(key="compare_run").set_value(2).run()
    button(at, "Delete").click().run()
    assert "No runs yet" in texts(at.info)
    button(at, "Undo").click().run()
    assert list(at.dataframe[0].value["name"]) == ["run 2"]


def test_a_kept_run_s_model_becomes_the_tab_s_model_again_to_evaluate():
    import numpy as np

    at = new_app()
    at.session_state.run_log.max_models = 1  # only the run trained last keeps its model
    X = at.session_state.data_memo["digits"][1].X_test
    at.slider(key="ctl_epochs").set_value(3).run()
    button(at, "Train").click().run()
    reset(at)
    at.select_slider(key="ctl_width_0").set_value(32).run()
    button(at, "Train").click().run()
    second = at.session_state.net.predict_proba(X)
    reset(at)  # the tab has no model now
    at.switch_page("pages/compare.py").run()
    assert list(at.dataframe[0].value["model"]) == ["", "kept"]
    at.selectbox(key="compare_run").set_value(1).run()
    assert button(at, "Use this run's model").disabled  # its model was not kept: only its curves
    at.selectbox(key="compare_run").set_value(2).run()
    button(at, "Use this run's model").click().run()
    assert not at.exception and "is this tab's model again" in texts(at.success)
    net = at.session_state.net
    assert net.config.hidden == [32, 64] and np.array_equal(net.predict_proba(X), second)  # its weights, as trained
    assert at.session_state.trainer is None and "run 2" in at.session_state.model_source
    assert len(at.session_state.history) == 3
    at.switch_page("pages/evaluate.py").run()
    assert not at.exception and not at.error
    at.switch_page("pages/draw.py").run()
    assert not at.exception and not at.error
    # checked like a model file: one trained on other labels is refused and the tab keeps its model
    at.session_state.run_log.get(2).model["header"]["data"]["classes"] = list("abcdefghij")
    at.switch_page("pages/compare.py").run()
    at.selectbox(key="compare_run").set_value(2).run()
    button(at, "Use this run's model").click().run()
    assert "trained on other labels" in texts(at.error) and at.session_state.net is net


# ------------------------------------------------ issue 12, sections 4 and 5
def sidebar_epochs(at):
    return int(re.search(r"(\d+) epochs?", texts(at.sidebar.caption)).group(1))


def test_progress_sidebar_and_charts_count_the_same_epochs_during_a_run(monkeypatch):
    """The progress line said epoch 152 while the sidebar and charts said 135: they
    are now drawn together.  Charts held back (CHART_SECONDS huge), progress free."""
    from pages.helpers import train_view, training_run

    monkeypatch.setattr(training_run, "CHART_SECONDS", 1e9)
    monkeypatch.setattr(training_run, "PROGRESS_SECONDS", 0)
    seen = []
    draw_progress = train_view.TrainView.draw_progress

    def spy(self, trainer, history):
        seen.append((trainer.epoch, self.charted))
        return draw_progress(self, trainer, history)

    monkeypatch.setattr(train_view.TrainView, "draw_progress", spy)
    at = new_app()
    seen.clear()
    train(at, epochs=5)
    # every progress line drawn on its own (outside a full redraw) shows the charted epochs
    alone = [(e, c) for e, c in seen if c is not None]
    assert alone and all(e == c for e, c in alone), seen
    assert sidebar_epochs(at) == 5


def test_streamlit_header_stop_leaves_the_run_paused_like_the_app_stop(monkeypatch):
    """Streamlit's own Stop raises StopException at the next st.* call and starts no
    new run.  Before: `running` stayed True and the next visit to Train trained on."""
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException

    from pages.helpers import train_view, training_run

    draws = {"n": 0}
    draw = train_view.TrainView.draw

    def stop_on_third_draw(self, trainer, history):
        draws["n"] += 1
        if draws["n"] == 3 and self.live:
            raise StopException()  # what the header Stop does
        return draw(self, trainer, history)

    monkeypatch.setattr(training_run, "CHART_SECONDS", 0)
    monkeypatch.setattr(training_run, "CHART_COST_SHARE", 1e9)  # a chart every record, however slow (a loaded CI)
    monkeypatch.setattr(train_view.TrainView, "draw", stop_on_third_draw)
    at = new_app()
    at.slider(key="ctl_epochs").set_value(30)
    at.run()
    button(at, "Train").click()
    at.run()
    done = at.session_state.trainer.epoch
    assert 0 < done < 30 and at.session_state.live.running is False
    assert at.session_state.live.last_run[0] == done  # the run is accounted for
    at.switch_page("pages/evaluate.py").run()
    at.switch_page("pages/train.py").run()  # back on Train: paused, not training on
    assert not at.exception and at.session_state.trainer.epoch == done
    assert at.get("progress")[0].proto.text.startswith(f"Epoch {done} of 30") and "paused" in \
        at.get("progress")[0].proto.text
    assert sidebar_epochs(at) == done
    button(at, "Step").click()
    at.run()
    assert at.session_state.trainer.epoch == done + 1


def test_layer_table_keeps_every_column_with_thousands_separators():
    at = new_app()
    table = at.table[0].value
    assert list(table.columns) == ["Units", "Activation", "Params"]
    assert table.loc["hidden 1", "Params"] == "8,320"  # 64 * 128 + 128, written like "17,226"


def test_draw_with_an_empty_canvas_shows_no_class_in_red(trained, monkeypatch):
    from nnlab.viz import figures
    from pages.helpers.common import DRAW_OFFER_EPOCHS

    monkeypatch.setitem(DRAW_OFFER_EPOCHS, "digits", 2)
    at = trained
    at.switch_page("pages/draw.py").run()
    # the quick default (1-pixel shifts) is not the model trained for drawing: it says so
    assert "without *affine* augmentation" in texts(at.caption)
    assert any(b.label == "Train the Draw model" for b in at.button)
    bars = next(c for c in charts(at) if c["data"][0]["type"] == "bar")
    assert figures.PRED_COLOR not in json.dumps(bars["data"][0]["marker"])
    button(at, "Train the Draw model").click()
    at.run(timeout=120)
    assert not at.exception and at.session_state.train_config["augment"] == "affine"
    assert "without *affine* augmentation" not in texts(at.caption)


def _use_plain_feature_csv(at):
    from datafiles import feature_csv

    at.switch_page("pages/data.py").run()
    at.radio(key="data_view").set_value("csv").run()
    at.file_uploader(key="data_upload").set_value(("plain.csv", feature_csv(n=60, d=3, k=3), "text/csv")).run()
    next(b for b in at.button if b.label == "Use this CSV").click().run()
    assert not at.exception and at.session_state["ctl_dataset"] == "csv"


def test_plain_features_are_rows_not_images_and_draw_offers_to_train_on_digits():
    at = new_app()
    _use_plain_feature_csv(at)
    at.switch_page("pages/train.py").run()
    intro = texts(at.markdown)
    assert "for validation" in intro and "images" not in intro.split("Set it up")[0]
    train(at, epochs=2)
    at.switch_page("pages/evaluate.py").run()
    assert at.metric[2].label == "Test rows"
    at.switch_page("pages/draw.py").run()
    assert not at.exception
    assert "plain features, not images" in texts(at.info) and "choose an image dataset" not in texts(at.info)
    button(at, "Train on digits now").click()
    at.run(timeout=120)
    assert not at.exception
    assert at.session_state["ctl_dataset"] == "digits" and at.session_state.model_dataset == "digits"
    assert at.session_state.net.config.n_inputs == 64
    assert "Draw a digit" in texts(at.info)


def _use_mnist_folder(at, tmp_path):
    from datafiles import write_mnist_folder

    folder = write_mnist_folder(tmp_path / "srv-secret-mnist", n_train=200, n_test=20)
    at.switch_page("pages/data.py").run()
    at.radio(key="data_view").set_value("mnist").run()
    at.text_input(key="data_mnist_dir").set_value(str(folder)).run()
    next(b for b in at.button if b.label == "Use MNIST").click().run()
    assert not at.exception and at.session_state["ctl_dataset"] == "mnist"
    return folder


def test_switching_to_mnist_offers_its_preset_and_shows_no_server_path(tmp_path):
    at = new_app()
    folder = _use_mnist_folder(at, tmp_path)
    assert at.expander[0].label.startswith("Advanced")  # the folder field is tucked away
    assert any(t.key == "data_mnist_dir" for t in at.expander[0].text_input)
    page = " ".join(m.value for m in [*at.markdown, *at.caption, *at.info])
    assert str(folder) not in page and "srv-secret" not in page
    at.switch_page("pages/train.py").run()
    page = " ".join(m.value for m in [*at.markdown, *at.caption, *at.info])
    assert str(folder) not in page and "srv-secret" not in page
    assert "has a preset made for it: **mnist**" in texts(at.info)
    button(at, "Apply the mnist preset").click()
    at.run()
    assert not at.exception and at.session_state["ctl_preset"] == "mnist"
    assert at.session_state["ctl_width_0"] == 512 and at.session_state["ctl_epochs"] == 20
    assert "has a preset made for it" not in texts(at.info)


def test_a_long_run_says_how_long_before_it_starts(monkeypatch, tmp_path):
    """The estimate is measured (nnlab.experiments.estimate); here the measurement is replaced by
    the issue's 3.2 s per epoch, so 100 epochs read "about 5 min 20 s"."""
    from nnlab.experiments import estimate

    calls = []
    monkeypatch.setattr(estimate, "seconds_per_epoch", lambda *a, **k: calls.append(1) or 3.2)
    monkeypatch.setattr(estimate, "WORK_WORTH_MEASURING", 0)
    at = new_app()
    _use_mnist_folder(at, tmp_path)
    calls.clear()
    at.switch_page("pages/train.py").run()
    at.slider(key="ctl_epochs").set_value(100).run()
    assert "100 epochs: about 5 min 20 s" in texts(at.caption) and "3.20 s per epoch" in texts(at.caption)
    at.slider(key="ctl_epochs").set_value(50).run()
    assert "50 epochs: about 2 min 40 s" in texts(at.caption)
    assert len(calls) == 1  # measured once per network setup, not on every change of Epochs
    at.slider(key="ctl_epochs").set_value(5).run()
    assert "about" not in texts(at.caption)  # 16 s: no estimate for a short run


def test_sweep_page_runs_the_tutorial_sweep_shape_and_loads_the_best():
    at = new_app()
    at.switch_page("pages/sweep.py").run()
    assert not at.exception and at.title[0].value == "Sweep"
    button(at, "Set up the tutorial's λ sweep").click().run()
    assert [at.session_state[f"ctl_width_{i}"] for i in range(at.session_state["ctl_layers"])] == [48, 32]
    assert at.session_state["ctl_optimizer"] == "momentum" and at.session_state["ctl_epochs"] == 1000
    assert at.text_input(key="sweep_values_1").value == "logspace:-2:2:10"
    at.session_state["ctl_epochs"] = 60  # the tutorial's shape, fewer epochs: a test, not the experiment
    at.text_input(key="sweep_values_1").set_value("0.01,1,100").run()
    at.number_input(key="sweep_jobs").set_value(1).run()
    button(at, "Run the sweep").click().run(timeout=180)
    assert not at.exception and not at.error
    results = at.session_state.sweep_results
    assert sorted(r["l2"] for r in results) == [0.01, 1.0, 100.0]
    assert "test accuracy" in texts(at.success)
    best = at.session_state.sweep_best
    assert best["l2"] in (0.01, 1.0)  # λ = 100 crushes every weight
    button(at, "Load the best into the Train page").click().run()
    assert at.session_state["ctl_l2"] == (0.01 if best["l2"] == 0.01 else 1.0)


def test_sweep_page_bad_values_are_one_line():
    at = new_app()
    at.switch_page("pages/sweep.py").run()
    at.text_input(key="sweep_values_1").set_value("logspace:-2:2").run()
    button(at, "Run the sweep").click().run()
    assert not at.exception and "start:stop:count" in texts(at.error)


def test_sweep_page_a_failed_dask_run_leaves_no_stop_button_or_progress():
    """A scheduler address where nothing answers: one error, and neither the
    sweep's Stop button nor its "0 of 2 runs" progress under it (issue 21)."""
    import socket

    pytest.importorskip("distributed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed: nothing listens there
    at = new_app()
    at.switch_page("pages/sweep.py").run()
    at.text_input(key="sweep_values_1").set_value("0.01,1").run()
    at.text_input(key="sweep_scheduler").set_value(f"tcp://127.0.0.1:{port}").run()
    button(at, "Run the sweep").click().run(timeout=120)
    assert not at.exception and "does not answer" in texts(at.error)
    assert not any(b.label == "Stop" for b in at.button)
    assert not [p for p in at.get("progress") if "runs" in (p.proto.text or "")]


def test_sweep_page_names_each_setting_once():
    at = new_app()
    at.switch_page("pages/sweep.py").run()
    shown = at.selectbox(key="sweep_param_1").options  # as the box shows them
    assert "β1 (beta1)" in shown and "ε (eps)" in shown and "Learning rate (lr)" in shown
    for label in shown:
        assert label.count("(") == 1, label
