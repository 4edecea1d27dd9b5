"""The Data page through Streamlit's AppTest: choosing digits / MNIST / a CSV,
previews, refusing bad files without touching the model, Kaggle submission.csv."""
import sys
import urllib.error
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from datafiles import csv_bytes, image_csv, write_mnist_folder  # noqa: E402

from nnlab.data import dataerror  # noqa: E402
from nnlab.data.datasets import MNIST_ENV  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def data_page():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception and at.title[0].value == "Data"
    return at


def button(at, label):
    return next(b for b in at.button if b.label.startswith(label))


def errors(at):
    return [e.value for e in at.error]


def upload_csv(at, name, raw):
    at.radio(key="data_view").set_value("csv").run()
    at.file_uploader(key="data_upload").set_value((name, raw, "text/csv")).run()
    assert not at.exception
    return at


def train(at, epochs=2):
    at.switch_page("pages/train.py").run()
    at.slider(key="ctl_epochs").set_value(epochs).run()
    button(at, "Train").click().run()
    assert not at.exception and at.session_state.net is not None
    at.switch_page("pages/data.py").run()
    return at


def test_digits_preview_rows_counts_and_images():
    at = data_page()
    assert at.radio(key="data_view").value == "digits"
    assert len(at.dataframe) == 1 and len(at.table) == 1 and len(at.get("image")) == 1
    assert list(at.table[0].value.columns)[-1] == "total" and at.table[0].value["total"].iloc[0] == "178"
    assert "721 training, 482 validation, 594 test" in " ".join(m.value for m in at.markdown)


def test_upload_csv_then_use_it_for_training():
    at = upload_csv(data_page(), "mine.csv", image_csv(n=60, side=8, vmax=16, k=3))
    assert not errors(at) and len(at.get("image")) == 1  # previewed as 8x8 images
    button(at, "Use this CSV").click().run()
    assert at.session_state["ctl_dataset"] == "csv"
    at = train(at)
    assert at.session_state.model_dataset == "csv" and at.session_state.net.config.n_outputs == 3


@pytest.mark.parametrize("raw, words", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n" + bytes(64), "not a CSV"),
    (b"a,b\n" + b"1,2\n" * 20, "no label column"),
    (b"label,x\n" + b"3,1\n" * 20, "only one class"),
    (b"label,x,y\n" + b"0,1,2\n1,2\n" * 10, "rows of different lengths"),
    (b"label,x\n" + b"0,abc\n1,2\n" * 10, "text in feature column"),
])
def test_bad_upload_is_refused_and_the_model_stays(raw, words):
    at = train(data_page())
    net = at.session_state.net
    at = upload_csv(at, "bad.csv", raw)
    msgs = errors(at)
    assert len(msgs) == 1 and words in msgs[0] and "\n" not in msgs[0]
    assert "csv" not in at.session_state.data_sources
    assert at.session_state["ctl_dataset"] == "digits" and at.session_state.net is net


def test_upload_over_the_limit(monkeypatch):
    monkeypatch.setattr(dataerror, "MAX_FILE_BYTES", 500)
    at = upload_csv(data_page(), "big.csv", image_csv(n=60))
    assert "larger than" in errors(at)[0]


def test_a_bad_upload_keeps_the_previous_good_one():
    at = upload_csv(data_page(), "good.csv", image_csv(n=40))
    key = at.session_state.data_sources["csv"]["key"]
    at.file_uploader(key="data_upload").set_value(("bad.csv", b"", "text/csv")).run()
    assert errors(at) and at.session_state.data_sources["csv"]["key"] == key


def test_mnist_from_a_folder_field(tmp_path):
    folder = write_mnist_folder(tmp_path / "mnist", n_train=60, n_test=20)
    at = data_page()
    at.radio(key="data_view").set_value("mnist").run()
    at.text_input(key="data_mnist_dir").set_value(str(folder)).run()
    button(at, "Use MNIST").click().run()
    assert not at.exception and not errors(at)
    assert at.session_state["ctl_dataset"] == "mnist" and len(at.get("image")) == 1


def test_mnist_bad_folder_and_offline_openml(monkeypatch, tmp_path):
    import sklearn.datasets

    def offline(*a, **k):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", offline)
    monkeypatch.delenv(MNIST_ENV, raising=False)
    at = data_page()
    at.radio(key="data_view").set_value("mnist").run()
    at.text_input(key="data_mnist_dir").set_value(str(tmp_path / "missing")).run()
    button(at, "Use MNIST").click().run()
    assert "MNIST folder not found" in errors(at)[0] and at.session_state["ctl_dataset"] == "digits"
    at.text_input(key="data_mnist_dir").set_value("").run()
    button(at, "Use MNIST").click().run()
    assert "OpenML" in errors(at)[0] and "folder" in errors(at)[0]
    assert at.session_state["ctl_dataset"] == "digits"


def test_offline_mnist_is_one_plain_error_under_the_title(monkeypatch):
    import sklearn.datasets

    def offline(*a, **k):
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(sklearn.datasets, "fetch_openml", offline)
    monkeypatch.delenv(MNIST_ENV, raising=False)
    at = data_page()
    at.radio(key="data_view").set_value("mnist").run()
    button(at, "Use MNIST").click().run()
    (msg,) = errors(at)
    for cli_words in ("URLError", "Errno", "--data-dir", MNIST_ENV, "idx3-ubyte"):
        assert cli_words not in msg
    assert "could not be downloaded" in msg and "**Advanced**" in msg
    order = [type(n).__name__ for n in at.main if type(n).__name__ in ("Title", "Error")]
    assert order == ["Title", "Error"]  # under the title, not above it
    at.selectbox(key="ctl_dataset").set_value("mnist").run()  # the same, chosen in the sidebar
    (msg,) = errors(at)
    assert "could not be downloaded" in msg and "URLError" not in msg and MNIST_ENV not in msg
    assert [type(n).__name__ for n in at.main if type(n).__name__ in ("Title", "Error")] == ["Title", "Error"]
    assert at.session_state["ctl_dataset"] == "digits"


def test_choosing_csv_in_the_sidebar_without_an_upload_falls_back():
    at = data_page()
    at.selectbox(key="ctl_dataset").set_value("csv").run()
    assert not at.exception
    assert "Could not load **Your CSV**" in errors(at)[0] and at.session_state["ctl_dataset"] == "digits"


def test_the_dataset_box_shows_labels_and_keeps_the_names():
    at = data_page()
    box = at.selectbox(key="ctl_dataset")
    assert box.options == ["Digits (8x8, scikit-learn)", "MNIST (28x28)", "Your CSV"] and box.value == "digits"
    assert at.radio(key="data_view").options == box.options


def test_a_refused_upload_clears_the_previous_files_button_and_preview():
    at = upload_csv(data_page(), "good.csv", image_csv(n=40))
    assert any(b.label == "Use this CSV" for b in at.button) and [s.value for s in at.subheader][0] == "Preview"
    at.file_uploader(key="data_upload").set_value(("bad.csv", b"", "text/csv")).run()
    assert len(errors(at)) == 1 and "bad.csv" in errors(at)[0]
    assert not any(b.label == "Use this CSV" for b in at.button)  # it belonged to good.csv
    assert "Preview" not in [s.value for s in at.subheader] and not at.get("image")


def test_a_refused_upload_keeps_the_csv_in_use_and_names_it():
    at = upload_csv(data_page(), "good.csv", image_csv(n=40))
    button(at, "Use this CSV").click().run()
    at.file_uploader(key="data_upload").set_value(("bad.csv", b"", "text/csv")).run()
    assert len(errors(at)) == 1 and not any(b.label == "Use this CSV" for b in at.button)
    assert any("Still in use: **good.csv**" in c.value for c in at.caption)  # the preview says whose it is
    assert at.session_state["ctl_dataset"] == "csv"
    at = train(at)  # nothing lost: the CSV in use still trains
    assert at.session_state.model_dataset == "csv"


def test_a_csv_preview_says_features_and_classes_once():
    rows = b"".join(b"%d,%d,%d,%d,%d\n" % (i % 3, i, i + 1, 2 * i, i % 5) for i in range(30))
    at = upload_csv(data_page(), "four.csv", b"label,a,b,c,d\n" + rows)
    assert not errors(at)
    text = " ".join(m.value for m in at.markdown)
    assert text.count("4 features, 3 classes") == 1


def test_a_missing_label_column_points_to_the_label_column_box():
    at = upload_csv(data_page(), "nolabel.csv", b"a,b\n" + b"1,2\n" * 20)
    msg = errors(at)[0]
    assert "**Label column** box" in msg and "name the column" not in msg and "a, b" in msg


def test_kaggle_submission_download_and_mismatch():
    at = upload_csv(data_page(), "train.csv", image_csv(n=60, side=8, vmax=16, k=3))
    button(at, "Use this CSV").click().run()
    at = train(at)
    net = at.session_state.net
    rng = np.random.default_rng(0)
    test_csv = csv_bytes(rng.integers(0, 17, size=(12, 64)))
    at.file_uploader(key="kaggle_upload").set_value(("test.csv", test_csv, "text/csv")).run()
    assert not errors(at)
    text = at.session_state.kaggle_csv
    lines = text.splitlines()
    assert lines[0] == "ImageId,Label" and len(lines) == 13 and lines[1].startswith("1,")
    assert {int(r.split(",")[1]) for r in lines[1:]} <= {0, 1, 2}
    assert any(b.label.startswith("Download submission.csv") for b in at.get("download_button"))
    wrong = csv_bytes(rng.integers(0, 256, size=(5, 784)))
    at.file_uploader(key="kaggle_upload").set_value(("test784.csv", wrong, "text/csv")).run()
    assert "expects 64 input features" in errors(at)[0] and at.session_state.net is net
    assert not at.get("download_button")


def test_kaggle_section_needs_a_model():
    at = data_page()
    assert any("Train a model first" in i.value for i in at.info)
