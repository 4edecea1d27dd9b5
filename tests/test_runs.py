"""The run log behind the Compare page: one run per model, settings diffs, the
table, legend names, CSV, rename / delete / baseline, a bounded size."""
import pandas as pd
import pytest

from nnlab.experiments.runs import RunLog


def hist(n, acc=0.9):
    return [{"epoch": i + 1, "train_loss": 1 / (i + 1), "val_loss": 1.2 / (i + 1), "train_accuracy": acc,
             "val_accuracy": acc - 0.01, "seconds": 0.1} for i in range(n)]


def test_one_run_per_model_and_what_changed_from_the_run_before():
    log = RunLog()
    a = log.record("m1", {"lr": 0.001, "hidden": [64]}, hist(5), 1.0, "digits")
    log.record("m1", {"lr": 0.01, "hidden": [64]}, hist(8), 0.5, "digits")  # trained on: same run
    b = log.record("m2", {"lr": 0.01, "hidden": [64, 32]}, hist(3), 0.7, "digits")
    assert [r.name for r in log.runs] == ["run 1", "run 2"]
    assert a.epochs == 8 and a.seconds == 1.5 and a.settings["lr"] == 0.01
    assert b.changes == ["hidden: 64 → 64, 32"]
    table = log.table()
    assert list(table["epochs"]) == [8, 3] and list(table["val accuracy %"]) == [89.0, 89.0]
    assert table.loc[1, "changes"] == "hidden: 64 → 64, 32"


def test_baseline_legend_names_and_csv():
    log = RunLog()
    for i, lr in enumerate((0.001, 0.01, 0.1)):
        log.record(i, {"optimizer": "adam", "lr": lr}, hist(2), 1.0)
    log.pin(1)
    t = log.table()
    # the baseline in a column of its own: a name column sized for "run 1" cut "run 1 (baseline)"
    assert list(t["name"]) == ["run 1", "run 2", "run 3"] and list(t["baseline"]) == [True, False, False]
    assert t.loc[2, "changes"] == "lr: 0.001 → 0.1"
    assert log.differences([1, 3]) == {"run 1": "lr 0.001", "run 3": "lr 0.1"}
    h = pd.read_csv(pd.io.common.StringIO(log.csv("histories", [1, 2])))
    assert list(h.columns) == ["run", "epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy"]
    assert len(h) == 4 and set(h["run"]) == {"run 1", "run 2"}
    assert log.csv("table").splitlines()[0].startswith("id,name,baseline,started")


def test_rename_delete_and_a_bounded_log():
    log = RunLog(max_runs=3)
    for i in range(5):
        log.record(i, {"seed": i}, hist(1), 0.1)
    assert [r.id for r in log.runs] == [3, 4, 5]
    log.rename(4, "  wide   net ")
    assert log.get(4).name == "wide net"
    with pytest.raises(ValueError):
        log.rename(4, "   ")
    log.pin(5)
    log.delete(5)
    assert log.baseline is None and [r.id for r in log.runs] == [3, 4]
    with pytest.raises(KeyError):
        log.get(5)


def test_only_the_latest_runs_keep_their_model():
    log = RunLog(max_models=2)
    for i in range(1, 5):
        log.record(i, {"lr": i}, hist(2), 1.0, model=f"weights {i}")
    assert [r.model for r in log.runs] == [None, None, "weights 3", "weights 4"]
    assert list(log.table()["model"]) == ["", "", "kept", "kept"]
    log.record(2, {"lr": 2}, hist(2), 1.0, model="weights 2, trained on")  # an older run trained on keeps its model
    assert [r.model for r in log.runs] == [None, "weights 2, trained on", None, "weights 4"]
    assert RunLog(max_models=0).record(1, {}, hist(2), 1.0, model="w").model is None


def test_a_setting_an_optimizer_does_not_take_is_never_shown_as_none():
    """Adam against momentum: beta1, beta2 and eps belong to the Adam run only (issue 21 §5)."""
    log = RunLog()
    log.record(1, {"optimizer": "adam", "lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "seed": 0}, hist(1), 1)
    log.record(2, {"optimizer": "momentum", "lr": 0.001, "momentum": 0.5, "seed": 0}, hist(1), 1)
    d = log.differences([1, 2])
    assert d == {"run 1": "optimizer adam, beta1 0.9, beta2 0.999, eps 1e-08", "run 2": "optimizer momentum, momentum 0.5"}
    assert "None" not in str(d)
    t = log.differences_table([1, 2])
    assert list(t.columns) == ["run", "optimizer", "beta1", "beta2", "eps", "momentum"]  # lr, seed: the same
    assert t.iloc[1].tolist() == ["run 2", "momentum", "", "", "", "0.5"]
    assert list(log.differences_table([1]).columns) == ["run"]


def test_delete_can_be_undone_with_its_place_name_model_and_pin():
    log = RunLog(max_models=2)
    for i in range(1, 4):
        log.record(i, {"lr": i}, hist(1), 1.0, model=f"weights {i}")
    log.rename(2, "my run")
    log.pin(2)
    undo = log.delete(2)
    assert [r.id for r in log.runs] == [1, 3] and log.baseline is None
    run = log.undelete(undo)
    assert [r.id for r in log.runs] == [1, 2, 3] and log.baseline == 2
    assert (run.name, run.model) == ("my run", "weights 2")
    assert log.undelete(undo) is run and len(log.runs) == 3  # twice: still one copy
    undo = log.delete(3)
    for i in (4, 5):
        log.record(i, {"lr": i}, hist(1), 1.0, model=f"weights {i}")
    log.undelete(undo)  # back, but the two runs trained since keep the models
    assert [r.id for r in log.runs] == [1, 2, 3, 4, 5] and [r.id for r in log.runs if r.model] == [4, 5]
