"""The measurement scripts the README quotes still run and report what they promise
(no timing asserts: they measure, the README reports)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MNIST = ROOT.parent / "shared" / "data" / "mnist"

pytestmark = pytest.mark.slow


def run_script(name, *args):
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "measure" / name), *args], cwd=ROOT, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1]), r.stdout


@pytest.mark.skipif(not MNIST.is_dir(), reason="MNIST IDX files not present in ../shared/data/mnist")
def test_measure_epoch_splits_a_real_epoch_into_parts():
    result, stdout = run_script("measure_epoch.py", "--epochs", "1", "--data-dir", str(MNIST), "--json")
    row = result["rounds"][0]
    parts = ("gather", "forward", "loss", "backward", "optimizer")
    assert all(row[p] > 0 for p in parts) and row["floor"] > 0
    assert sum(row[p] for p in parts) <= row["epoch"]  # the parts are inside the epoch
    assert row["other"] >= 0 and row["epoch_without_update"] > 0
    assert "x the GEMM floor" in stdout


def test_measure_dashboard_headless_and_apptest():
    result, stdout = run_script("measure_dashboard.py", "--preset", "digits-quick", "--reps", "1",
                                "--no-browser", "--json")
    assert result["headless_median_s"] > 0 and result["apptest_median_s"] > 0
    # the medians and ratios it prints are those of the runs it made
    runs = result["all_seconds"]
    assert len(runs["headless"]) == len(runs["apptest"]) == 1 and runs["apptest"] == [result["apptest_median_s"]]
    ratio = result["apptest_median_s"] / result["headless_median_s"]
    assert result["apptest_over_headless"] == pytest.approx(ratio) and f"{ratio:.2f}x headless" in stdout
    assert "browser_median_s" not in result
    assert result["epochs"] > 0 and "apptest" in stdout


@pytest.mark.skipif(not MNIST.is_dir(), reason="MNIST IDX files not present in ../shared/data/mnist")
def test_measure_dashboard_on_mnist_picks_the_dataset_in_the_app():
    result, stdout = run_script("measure_dashboard.py", "--preset", "mnist", "--data-dir", str(MNIST),
                                "--epochs", "1", "--reps", "1", "--no-browser", "--json")
    assert result["preset"] == "mnist" and result["epochs"] == 1
    assert result["headless_median_s"] > 0 and result["apptest_median_s"] > 0


def test_measure_draw_reports_the_offers_rates():
    from strokes import drawings

    result, _ = run_script("measure_draw.py", "--json")
    r = result[0]
    assert r["seed"] == 0 and r["train_seconds"] > 0 and 0.9 < r["test_accuracy"] <= 1.0
    assert r["varied"]["n"] == len(drawings()) and r["plain"]["n"] == 10
    assert 0 <= r["varied"]["clear"] <= r["varied"]["right"] <= r["varied"]["n"]
    assert sum(int(v.split("/")[1]) for v in r["varied"]["by_placement"].values()) == r["varied"]["n"]


def test_measure_uploads_reports_each_case_and_its_outcome():
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "measure" / "measure_uploads.py"), "--only", "duplicate names"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1 and "40,000 duplicate names" in lines[0]
    assert "refused: duplicate column names" in lines[0] and " MB " in lines[0]


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no Chromium at /usr/bin/chromium")
def test_measure_playground_counts_the_pictures_the_browser_shows():
    result, stdout = run_script("measure_playground.py", "--reps", "1", "--json")
    m = result["median"]
    assert m["epochs"] == 100 and 1 <= m["shown"] <= m["sent"] and m["seconds"] > 0
    assert m["shown_per_s"] == pytest.approx(m["shown"] / m["seconds"])
    assert "pictures sent" in stdout


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="no Chromium at /usr/bin/chromium")
def test_measure_draw_clear_counts_digits_drawn_after_clear():
    result, stdout = run_script("measure_draw_clear.py", "--digits", "3", "--json")
    assert result["digits"] == 3 and result["after"] == "reading" and isinstance(result["lost"], list)
    assert stdout.count("read as") + len(result["lost"]) == 3


def test_measure_lab_reports_the_checkpoint_cost():
    result, stdout = run_script("measure_lab.py", "--epochs", "1", "--json") if not MNIST.is_dir() else \
        run_script("measure_lab.py", "--epochs", "1", "--data-dir", str(MNIST), "--json")
    assert all(r["median_checkpoint_s"] > 0 and r["best_epoch_s"] > 0 for r in result["rows"])
    assert "% of an epoch" in stdout


def test_measure_store_load_counts_every_post_back():
    import pgcluster

    which = "both" if pgcluster.binaries() else "sqlite"
    result, stdout = run_script("measure_store_load.py", "--learners", "3", "--store", which, "--seconds", "3",
                                "--fill", "300", "--json")
    rows = result["rows"]
    assert [r["store"] for r in rows] == (["sqlite", "postgres"] if which == "both" else ["sqlite"])
    for r in rows:
        assert r["learners"] == 3 and r["counted_back"] and r["lost"] == 0 and not r["errors"]
        assert r["run_posts"] >= 3 and r["progress_posts"] >= 3 * 4 and r["runs_in_room"] == 300 + r["run_posts"]
        assert 0 < r["progress_p50_ms"] <= r["progress_p99_ms"] and 0 < r["run_p50_ms"] <= r["run_p99_ms"]
        assert r["scoreboard_idle_ms"] > 0 and r["scoreboard_under_load_p50_ms"] > 0
    assert "lost 0" in stdout and result["cpu"]
