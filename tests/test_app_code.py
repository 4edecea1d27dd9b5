"""The Code button through AppTest: after training, Train offers both scripts of the tab's
model, and Compare the scripts of the run chosen in it; what they download compiles, and
the API script retrains the dashboard's model to the same history."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import app_test
from test_app_pages import new_app, train

ROOT = Path(__file__).resolve().parents[1]
LABELS = ("With nnlab (the same numbers)", "NumPy only (every formula written out)")


@pytest.fixture
def media(monkeypatch):
    """The media store of each AppTest run (where download buttons keep their data)."""
    stores = []

    class Kept(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stores.append(self)

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", Kept)
    return stores


def downloads(at, stores) -> dict:
    """{label: downloaded text} of the Code buttons on the page."""
    out = {}
    for d in at.get("download_button"):
        if d.label in LABELS:
            out[d.label] = stores[-1].get_file(d.proto.url.rsplit("/", 1)[-1]).content.decode("utf-8")
    return out


def test_train_offers_both_scripts_and_the_api_one_retrains_the_same_model(media, tmp_path):
    at = new_app()
    assert not downloads(at, media)  # nothing to take home before training
    at = train(at, epochs=3)
    scripts = downloads(at, media)
    assert set(scripts) == set(LABELS)
    for code in scripts.values():
        compile(code, "script.py", "exec")
        assert code.rstrip().endswith("main()") and "# Run: 'run 1'" in code
    assert "import nnlab" not in scripts[LABELS[1]] and "Left out: augmentation" in scripts[LABELS[1]]

    path = tmp_path / "script.py"
    path.write_text(scripts[LABELS[0]])
    done = subprocess.run([sys.executable, str(path), "--history", "h.json"], cwd=tmp_path, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    keys = ("epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "lr")
    assert json.loads((tmp_path / "h.json").read_text()) == \
        [{k: r[k] for k in keys} for r in at.session_state.history]
    assert done.stdout.strip().splitlines()[-1].startswith("validation accuracy ")


def test_compare_offers_the_code_of_the_chosen_run(media):
    at = train(new_app(), epochs=2)
    next(b for b in at.button if b.label == "Reset").click().run()
    next(b for b in at.button if b.label == "Yes, reset").click().run()  # (Reset asks first)
    at.slider(key="ctl_epochs").set_value(3)
    at.selectbox(key="ctl_optimizer").set_value("sgd")
    at.run()
    next(b for b in at.button if b.label == "Train").click()
    at.run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    scripts = downloads(at, media)
    assert set(scripts) == set(LABELS)  # the newest run is chosen: run 2, SGD
    assert "# Run: 'run 2'" in scripts[LABELS[1]] and "class SGD" in scripts[LABELS[1]]
    at.selectbox(key="compare_run").set_value(1)
    at.run()
    scripts = downloads(at, media)
    assert "# Run: 'run 1'" in scripts[LABELS[1]] and "class Adam" in scripts[LABELS[1]]
    for code in scripts.values():
        compile(code, "script.py", "exec")
