"""The CLI's data options and `predict`: Kaggle submission.csv, one-line errors, the model kept intact."""
import numpy as np
import pytest
from datafiles import csv_bytes, image_csv, write_mnist_folder

from nnlab import modelfile
from nnlab.cli.main import main
from nnlab.core.config import NetworkConfig
from nnlab.core.network import Network
from nnlab.data.datasets import load_dataset
from nnlab.experiments.kaggle import submission_csv, submission_from_csv


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err):
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.fixture
def model_64(tmp_path):
    """A model saved for 8x8 images with pixel values 0..16 and 4 classes 0..3."""
    data = load_dataset("csv", data=image_csv(n=40, side=8, vmax=16, k=4))
    net = Network(NetworkConfig(n_inputs=64, n_outputs=4, hidden=[8]), seed=0)
    path = tmp_path / "m.npz"
    modelfile.save(path, net, data.meta())
    return path, net


def test_submission_format_exactly_as_kaggle_wants():
    assert submission_csv([3, 0, "7"]) == "ImageId,Label\n1,3\n2,0\n3,7\n"


def test_predict_writes_submission(tmp_path, capsys, model_64):
    path, net = model_64
    rng = np.random.default_rng(0)
    X = rng.integers(0, 17, size=(25, 64))
    (tmp_path / "test.csv").write_bytes(csv_bytes(X))
    out = tmp_path / "submission.csv"
    code, stdout, err = run(capsys, "predict", "--model", path, "--csv", tmp_path / "test.csv", "--out", out)
    assert code == 0, err
    lines = out.read_text().splitlines()
    assert lines[0] == "ImageId,Label" and len(lines) == 26
    assert [int(r.split(",")[0]) for r in lines[1:]] == list(range(1, 26))
    expected = net.predict((X / 16.0).astype(np.float32))  # scaled by the model's pixel_max
    assert [int(r.split(",")[1]) for r in lines[1:]] == expected.tolist()
    assert "wrote 25 predictions" in stdout


def test_predict_refuses_model_of_other_size(tmp_path, capsys, model_64):
    path, _ = model_64
    (tmp_path / "test.csv").write_bytes(csv_bytes(np.zeros((5, 784), int)))
    out = tmp_path / "submission.csv"
    code, _, err = run(capsys, "predict", "--model", path, "--csv", tmp_path / "test.csv", "--out", out)
    assert code == 1 and "expects 64 input features" in one_line_error(err)
    assert not out.exists()


def test_predict_refuses_pixels_beyond_training_range(tmp_path, model_64):
    path, _ = model_64
    net, header = modelfile.load(path)
    with pytest.raises(ValueError, match="pixel values from 0 to 191.*0..16"):
        submission_from_csv(net, header, csv_bytes(np.arange(3 * 64).reshape(3, 64) % 256))


@pytest.mark.parametrize("content, words", [
    (b"", "empty"), (b"\x00\x01binary", "not a CSV"), (b"pixel0,pixel1\n1,x\n", "text in feature column"),
])
def test_predict_bad_csv_one_line(tmp_path, capsys, model_64, content, words):
    path, _ = model_64
    (tmp_path / "t.csv").write_bytes(content)
    code, _, err = run(capsys, "predict", "--model", path, "--csv", tmp_path / "t.csv", "--out", tmp_path / "s.csv")
    assert code == 2 and words in one_line_error(err)


def test_evaluate_uses_check_compatible(tmp_path, capsys, model_64):
    path, _ = model_64
    csv = tmp_path / "feat.csv"
    csv.write_bytes(csv_bytes(np.arange(60).reshape(20, 3), np.arange(20) % 4))
    code, _, err = run(capsys, "evaluate", "--model", path, "--dataset", "csv", "--data-path", csv)
    assert code == 1 and "expects 64 input features" in one_line_error(err)
    code, out, err = run(capsys, "evaluate", "--model", path, "--dataset", "csv", "--data-path", tmp_path / "x.csv")
    assert code == 2 and "not found" in one_line_error(err)


def test_evaluate_classes_mismatch(tmp_path, capsys, model_64):
    path, _ = model_64
    csv = tmp_path / "img3.csv"
    csv.write_bytes(image_csv(n=30, k=3))
    code, _, err = run(capsys, "evaluate", "--model", path, "--dataset", "csv", "--data-path", csv)
    assert code == 1 and "predicts 4 classes" in one_line_error(err)


def test_train_and_evaluate_on_csv(tmp_path, capsys):
    csv, model = tmp_path / "train.csv", tmp_path / "m.npz"
    csv.write_bytes(image_csv(n=60, k=3))
    code, out, err = run(capsys, "train", "--dataset", "csv", "--data-path", csv, "--hidden", "8",
                         "--epochs", "2", "--quiet", "--save", model)
    assert code == 0, err
    code, out, err = run(capsys, "evaluate", "--model", model, "--dataset", "csv", "--data-path", csv)
    assert code == 0 and "test accuracy" in out


def test_train_label_column_flag(tmp_path, capsys):
    csv = tmp_path / "t.csv"
    csv.write_bytes(b"a,b,kind\n" + b"".join(f"{i},{i * 2},{i % 2}\n".encode() for i in range(30)))
    code, _, err = run(capsys, "train", "--dataset", "csv", "--data-path", csv, "--epochs", "1", "--quiet")
    assert code == 2 and "no label column" in one_line_error(err)
    code, _, err = run(capsys, "train", "--dataset", "csv", "--data-path", csv, "--label-column", "kind",
                       "--epochs", "1", "--quiet")
    assert code == 0, err


def test_train_mnist_from_data_dir(tmp_path, capsys):
    folder = write_mnist_folder(tmp_path / "m", n_train=100, n_test=20)
    code, out, err = run(capsys, "train", "--dataset", "mnist", "--data-dir", folder, "--hidden", "4",
                         "--epochs", "1", "--quiet")
    assert code == 0, err
    code, _, err = run(capsys, "train", "--dataset", "mnist", "--data-dir", tmp_path / "none", "--epochs", "1")
    assert code == 2 and "MNIST folder not found" in one_line_error(err)


def test_data_flags_on_digits_are_refused(capsys):
    code, _, err = run(capsys, "train", "--dataset", "digits", "--data-path", "x.csv", "--epochs", "1")
    assert code == 2 and "does not use --data-path" in one_line_error(err)
