"""CSV files and uploads: good ones become Datasets, each kind of bad one one clear DataError."""
import gzip

import numpy as np
import pytest
from datafiles import csv_bytes, feature_csv, image_csv

from nnlab.data import dataerror
from nnlab.data.dataerror import DataError
from nnlab.data.datasets import load_dataset
from nnlab.data.tabular import parse_labeled, parse_unlabeled


def load(raw, **kw):
    return load_dataset("csv", data=raw, **kw)


def refuses(raw, pattern, **kw):
    with pytest.raises(DataError, match=pattern) as exc:
        load(raw, **kw)
    assert "\n" not in str(exc.value)
    return str(exc.value)


# ------------------------------------------------------------------- good files
def test_image_csv_becomes_scaled_images():
    data = load(image_csv(n=50, side=8, vmax=16))
    assert data.image_shape == (8, 8) and data.pixel_max == 16.0 and data.n_features == 64
    assert data.X_train.dtype == np.float32 and 0 <= data.X_train.min() and data.X_train.max() <= 1
    assert sum(data.sizes().values()) == 50 and data.sizes()["test"] == 10
    assert data.classes == [0, 1, 2, 3] and data.head is not None and list(data.head.columns)[0] == "label"


def test_kaggle_style_28x28_uses_255():
    rng = np.random.default_rng(1)
    data = load(csv_bytes(rng.integers(0, 256, size=(30, 784)), np.arange(30) % 3))
    assert data.image_shape == (28, 28) and data.pixel_max == 255.0


def test_feature_csv_is_not_images_and_unscaled():
    raw = feature_csv(n=30, d=3)
    data = load(raw)
    assert data.image_shape is None and data.pixel_max == 1.0 and data.n_features == 3
    assert data.X_train.min() < 0  # used as written


def test_split_is_seeded_and_stratified():
    a, b = load(feature_csv(n=60)), load(feature_csv(n=60))
    assert np.array_equal(a.X_test, b.X_test)
    assert np.bincount(a.y_test).tolist() == [4, 4, 4]
    c = load(feature_csv(n=60), seed=5)
    assert not np.array_equal(a.X_test, c.X_test)


def test_label_column_anywhere_any_case_and_by_name():
    raw = b"f1,Class,f2\n" + b"".join(f"{i},{'ab'[i % 2]},{i * 2}\n".encode() for i in range(20))
    data = load(raw)
    assert data.classes == ["a", "b"] and data.n_features == 2
    raw2 = b"a,b,c\n" + b"".join(f"{i},{i % 2},{i}\n".encode() for i in range(20))
    assert load(raw2, label_column="b").classes == [0, 1]


def test_semicolon_and_tab_delimiters_and_gzip():
    raw = feature_csv(n=20)
    for sep in (b";", b"\t"):
        assert load(raw.replace(b",", sep)).n_features == 3
    assert load(gzip.compress(raw)).n_features == 3


def test_labels_mapped_with_a_note():
    raw = csv_bytes(np.arange(40).reshape(20, 2), np.arange(20) % 3 + 1)  # labels 1..3
    data = load(raw, images=False)
    assert data.classes == [1, 2, 3] and set(np.unique(data.y_train)) <= {0, 1, 2}
    assert any("1→0, 2→1, 3→2" in n for n in data.notes)
    float_labels = csv_bytes(np.arange(40).reshape(20, 2), [f"{i % 2}.0" for i in range(20)])
    assert load(float_labels).classes == [0, 1]
    names = csv_bytes(np.arange(40).reshape(20, 2), ["cat", "dog"] * 10)
    assert any("cat→0" in n for n in load(names).notes)


def test_images_flag_forces_or_refuses():
    small = csv_bytes(np.arange(80).reshape(20, 4) % 10, np.arange(20) % 2)
    assert load(small).image_shape is None  # auto: 2x2 is too small to be an image
    assert load(small, images=True).image_shape == (2, 2)
    assert load(image_csv(), images=False).image_shape is None


# -------------------------------------------------------------- bad input, one test each
def test_empty_file():
    refuses(b"", "empty")
    refuses(b"\n\n  \n", "empty")


def test_header_only():
    refuses(b"label,a,b\n", "no data rows")


def test_not_a_csv_binary():
    refuses(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100), "not a CSV")


def test_not_a_csv_zip_or_excel():
    refuses(b"PK\x03\x04" + bytes(100), "zip archive")


def test_not_a_csv_single_column():
    refuses(b"hello world\nthis is prose\n", "single column")


def test_no_label_column():
    msg = refuses(b"a,b,c\n" + b"1,2,3\n" * 20, "no label column")
    assert "'label'" in msg  # the CLI's words; the app points to its Label column box instead
    with pytest.raises(dataerror.NoLabelColumn) as exc:  # ... with the columns it found
        load(b"a,b,c\n" + b"1,2,3\n" * 20)
    assert exc.value.found == "a, b, c"


def test_headerless_numbers():
    refuses(b"1,2,3\n" * 20, "holds numbers, not column names")


def test_ambiguous_label_column():
    refuses(b"label,class,x\n" + b"1,2,3\n" * 20, "ambiguous label column")


def test_named_label_column_missing():
    refuses(feature_csv(), "no column named 'kind'", label_column="kind")


def test_text_in_feature_column():
    raw = b"label,f0,f1,f2\n" + b"".join(f"{i % 2},1,2,3\n".encode() for i in range(20))
    raw = raw.replace(b"1,1,2,3\n", b"1,1,abc,3\n", 1)
    msg = refuses(raw, "text in feature column 'f1'")
    assert "'abc'" in msg and "line 3" in msg


def test_boolean_feature_column_is_text():
    raw = b"label,f0,f1\n" + b"".join(f"{i % 2},{i},{'True' if i % 3 else 'False'}\n".encode() for i in range(20))
    refuses(raw, "text in feature column 'f1'")


def test_empty_cell():
    raw = b"label,f0,f1\n" + b"".join(f"{i % 2},{i},{i}\n".encode() for i in range(20))
    raw = raw.replace(b"1,3,3\n", b"1,3,\n")
    refuses(raw, r"1 empty or NaN cell\(s\).*line 5 in column 'f1'")


def test_nan_cell():
    raw = b"label,f0,f1\n" + b"".join(f"{i % 2},{i},{'NaN' if i == 7 else i}\n".encode() for i in range(20))
    refuses(raw, "empty or NaN")


def test_infinite_value():
    raw = b"label,f0,f1\n" + b"".join(f"{i % 2},{i},{'inf' if i == 7 else i}\n".encode() for i in range(20))
    refuses(raw, "infinite")


def test_empty_label():
    raw = b"label,f0\n" + b"".join(f"{'' if i == 4 else i % 2},{i}\n".encode() for i in range(20))
    refuses(raw, "empty label.*line 6")


def test_fractional_labels_refused():
    raw = b"label,f0\n" + b"".join(f"{i / 4},{i}\n".encode() for i in range(20))
    refuses(raw, "not an integer")


def test_too_many_classes_refused():
    raw = b"label,f0\n" + b"".join(f"{i},{i}\n".encode() for i in range(20))
    refuses(raw, "20 different values in 20 rows")


def test_one_class_only():
    raw = b"label,f0\n" + b"".join(f"7,{i}\n".encode() for i in range(20))
    refuses(raw, r"only one class \(7\)")


def test_rows_of_different_lengths():
    raw = b"label,f0,f1\n" + b"".join(f"{i % 2},{i},{i}\n".encode() for i in range(20))
    refuses(raw.replace(b"1,3,3\n", b"1,3,3,3\n"), "line 5 .* has 4 values but the header has 3")
    refuses(raw.replace(b"1,3,3\n", b"1,3\n"), "line 5 .* has 2 values")


def test_ragged_rows_with_quotes_still_refused():
    raw = b'label,f0,f1\n"a",1,2\n' + b"".join(f"{'ab'[i % 2]},{i},{i}\n".encode() for i in range(20))
    refuses(raw.replace(b"b,3,3\n", b"b,3,3,3,3\n"), "line 6 of the upload has 5 values but the header has 3")
    refuses(raw.replace(b"b,3,3\n", b"b,3\n").replace(b"b,5,5\n", b"b,5\n"), "line 6 .* has 2 values")
    # separators and line breaks inside quotes are part of a value, not of the row's shape
    quoted = raw.replace(b"a,4,4\n", b'"a,\n""x""",4,4\n')
    assert load_dataset("csv", data=quoted).classes == ["a", 'a,\n"x"', "b"]
    refuses(quoted.replace(b"b,7,7\n", b"b,7\n"), "line 11 .* has 2 values")


def test_images_requested_but_not_square():
    refuses(feature_csv(d=5), "5 pixels per row is not a square", images=True)


def test_pixel_values_out_of_range_for_images():
    raw = csv_bytes(np.full((20, 4), 300), np.arange(20) % 2)
    refuses(raw, "outside 0..255", images=True)
    raw = csv_bytes(np.full((20, 4), -1), np.arange(20) % 2)
    refuses(raw, "outside 0..255", images=True)


def test_feature_values_out_of_range():
    raw = b"label,f0\n" + b"".join(f"{i % 2},{i * 1e8}\n".encode() for i in range(20))
    refuses(raw, "outside the expected range")


def test_too_few_rows():
    refuses(b"label,f0\n0,1\n1,2\n", "only 2 data row")


def test_no_feature_columns():
    refuses(b"label,\n" + b"0,\n1,\n" * 10, "no feature columns|empty or NaN|single column")


def test_file_over_the_limit(monkeypatch, tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:  # sparse: 101 MB on paper, nothing on disk
        f.truncate((dataerror.MAX_FILE_MB + 1) * 1024 * 1024)
    with pytest.raises(DataError, match=r"101 MB; the limit for a CSV file is 100 MB"):
        load_dataset("csv", path=str(big))
    monkeypatch.setattr(dataerror, "MAX_FILE_BYTES", 1000)
    refuses(feature_csv(n=100), "larger than")


def test_file_not_found_and_folder(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_dataset("csv", path=str(tmp_path / "nope.csv"))
    with pytest.raises(DataError, match="is a folder"):
        load_dataset("csv", path=str(tmp_path))


def test_needs_exactly_one_source():
    with pytest.raises(DataError, match="no CSV file given: --data-path"):
        load_dataset("csv")


def test_unknown_loader_argument_is_a_clean_error():
    with pytest.raises(DataError, match="does not use --data-dir"):
        load_dataset("digits", data_dir="/tmp")


def test_latin1_labels_decode():
    raw = "label,f0\n".encode() + b"".join(f"{'éa'[i % 2]},{i}\n".encode("latin-1") for i in range(20))
    assert load(raw).classes == ["a", "é"]


# --------------------------------------------------------------- unlabelled files
def test_unlabeled_kaggle_test_csv():
    X = np.arange(3 * 784).reshape(3, 784) % 256
    t = parse_unlabeled(csv_bytes(X))
    assert t.X.shape == (3, 784) and t.y is None and t.image_shape == (28, 28)


def test_unlabeled_ignores_a_label_column():
    t = parse_unlabeled(image_csv(n=5))
    assert t.X.shape == (5, 64) and any("ignored the label column" in n for n in t.notes)


def test_parse_labeled_keeps_raw_values():
    t = parse_labeled(image_csv(n=20, vmax=255))
    assert t.X.max() > 16 and t.pixel_max == 255.0
