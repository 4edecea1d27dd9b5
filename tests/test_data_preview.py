"""The Data page's previews, as plain functions; and the upload limit agreeing with Streamlit's."""
import tomllib
from pathlib import Path

import numpy as np
from datafiles import image_csv

from nnlab.data import dataerror
from nnlab.data.datasets import load_dataset
from nnlab.viz.preview import class_counts, first_rows, image_grid

REPO = Path(__file__).resolve().parents[1]


def test_first_rows_of_an_upload_are_the_file_rows():
    data = load_dataset("csv", data=image_csv(n=30))
    df = first_rows(data, 5)
    assert list(df.columns[:2]) == ["label", "pixel0"] and len(df) == 5


def test_first_rows_of_digits_show_raw_pixels_and_labels():
    data = load_dataset("digits")
    df = first_rows(data, 3)
    assert df.shape == (3, 65) and df["label"].tolist() == [data.classes[i] for i in data.y_train[:3]]
    assert df.drop(columns="label").to_numpy().max() <= 16


def test_class_counts_add_up():
    data = load_dataset("digits")
    df = class_counts(data)
    assert len(df) == 10 and df["total"].sum() == 1797 and df["test"].sum() == 594


def test_image_grid_shape_and_range():
    X = np.linspace(0, 1, 12 * 64, dtype=np.float32).reshape(12, 64)
    g = image_grid(X, (8, 8), n=12, cols=5, pad=1, min_px=16)
    assert g.dtype == np.uint8 and g.shape == (3 * 17 + 1, 5 * 17 + 1)
    assert g.max() == 255
    assert image_grid(X[:0], (8, 8)).shape == (8, 8)


def test_streamlit_upload_limit_matches_the_library():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == dataerror.MAX_FILE_MB
