"""`python -m nnlab runs list|export`: the runs a lab keeps, from the command line."""
import json

import numpy as np

from nnlab import modelfile
from nnlab.cli.main import main
from nnlab.core.config import NetworkConfig
from nnlab.core.network import Network
from nnlab.experiments.runs import RunLog
from nnlab.store import open_store, parts


def make_lab(home):
    store = open_store(home)
    token = store.create_lab()
    log = RunLog()
    for serial, hidden in ((1, [8]), (2, [16, 8])):
        net = Network(NetworkConfig(n_inputs=64, n_outputs=10, hidden=hidden, activations=["relu"]), seed=serial)
        log.record(serial, {"hidden": hidden, "lr": 0.001}, [{"epoch": 1, "val_accuracy": 0.9 + serial / 100}], 1.0,
                   dataset="digits", model={"config": net.config, "params": net.get_params(), "train_config": {},
                                            "header": {"data": None}})
    log.rename(2, "wide, then narrow")
    store.save_models(token, parts.runlog_models(log), {"runs": parts.runlog_json(log)})
    return store, token, log


def test_runs_list_one_line_or_json_object_per_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NNLAB_HOME", str(tmp_path))
    store, token, log = make_lab(tmp_path)
    other = store.create_lab()
    assert main(["runs", "list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["lab"], r["run"], r["name"], r["dataset"]) for r in rows] == \
        [(token, 1, "run 1", "digits"), (token, 2, "wide, then narrow", "digits")]
    assert rows[1]["settings"] == {"hidden": [16, 8], "lr": 0.001} and rows[1]["val_accuracy"] == 0.92
    assert rows[0]["created"] == log.runs[0].created and "test_accuracy" in rows[0]
    assert main(["runs", "list", "--lab", token]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "run 2  wide, then narrow  digits  val 92.00%" in lines[1] and "hidden=16-8" in lines[1]
    assert main(["runs", "list", "--lab", other]) == 0 and capsys.readouterr().out == ""


def test_runs_export_writes_the_run_s_model_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NNLAB_HOME", str(tmp_path))
    _, token, log = make_lab(tmp_path)
    out = tmp_path / "run2.npz"
    assert main(["runs", "export", "--lab", token, "--run", "2", "--save", str(out)]) == 0
    net, _ = modelfile.load(out)
    assert net.config.hidden == [16, 8]
    assert all(np.array_equal(a, b) for a, b in zip(net.get_params(), log.get(2).model["params"]))


def test_runs_errors_are_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NNLAB_HOME", str(tmp_path / "empty"))
    assert main(["runs", "list"]) == 0 and capsys.readouterr().out == ""
    assert not (tmp_path / "empty").exists()  # listing creates nothing
    monkeypatch.setenv("NNLAB_HOME", str(tmp_path))
    _, token, _ = make_lab(tmp_path)
    for argv, code, words in [
        (["runs", "list", "--lab", "nope"], 2, "not a lab token"),
        (["runs", "list", "--lab", "A" * 32], 1, "no such lab"),
        (["runs", "export", "--lab", token, "--run", "9", "--save", str(tmp_path / "x.npz")], 1, "no run 9"),
        (["runs", "export", "--lab", "A" * 32, "--run", "1", "--save", str(tmp_path / "x.npz")], 1, "no such lab"),
    ]:
        assert main(argv) == code, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and words in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x.npz").exists()


# ------------------------------------------------------------------ a room's posts
def make_room(store):
    presenter, ann, eve = store.create_lab(), store.create_lab(), store.create_lab()
    room = store.open_room(presenter, {"lr": 0.01})
    store.join_room(room.code, ann, "Ann")
    store.join_room(room.code, eve, "Eve\x1b[2J<b>")  # an escape sequence that would clear the terminal
    first = store.post_run(room.code, ann, {"run_name": "run 1", "dataset": "digits", "settings": {"lr": 0.1},
                                            "val_accuracy": 0.92, "test_accuracy": 0.9, "seconds": 2.0,
                                            "curve": [0.5, 0.92], "kind": "run"})
    store.post_run(room.code, eve, {"run_name": "best", "dataset": "mnist", "settings": {"hidden": [64, 32]},
                                    "val_accuracy": 0.5, "test_accuracy": None, "seconds": 1.0, "curve": [],
                                    "kind": "sweep-best"})
    store.hide_post(room.code, presenter, first)
    return room


def check_room_listing(room, capsys):
    assert main(["runs", "list", "--room", room.code.lower(), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["name"], r["run"], r["dataset"], r["val_accuracy"], r["test_accuracy"], r["hidden"]) for r in rows] == \
        [("Ann", "run 1", "digits", 0.92, 0.9, True), ("Eve\x1b[2J<b>", "best", "mnist", 0.5, None, False)]
    assert rows[0]["settings"] == {"lr": 0.1} and rows[1]["kind"] == "sweep-best" and rows[0]["posted"] > 0
    assert "curve" not in rows[0] and "lab" not in rows[0] and "learner" not in rows[0]
    assert main(["runs", "list", "--room", room.code]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 2 and "Ann  run 1  digits  val 92.00%  test 90.00%  lr=0.1  (hidden)" in lines[0]
    assert "Eve\\x1b[2J<b>  best  mnist  val 50.00%  test -  hidden=64-32  (best of a sweep)" in lines[1]
    assert "\x1b" not in out


def test_runs_list_room_lists_its_posts(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NNLAB_HOME", str(tmp_path))
    monkeypatch.delenv("NNLAB_STORE", raising=False)
    check_room_listing(make_room(open_store(tmp_path)), capsys)


def test_runs_list_room_reads_the_store_nnlab_store_chooses(tmp_path, monkeypatch, capsys, pg_url):
    import pgcluster

    from nnlab.store.postgres import PostgresStore

    url = pgcluster.schema_url(pg_url)
    monkeypatch.setenv("NNLAB_HOME", str(tmp_path / "not used"))
    monkeypatch.setenv("NNLAB_STORE", url)
    store = PostgresStore(url)
    try:
        check_room_listing(make_room(store), capsys)
    finally:
        store.close()
    assert not (tmp_path / "not used").exists()


def test_runs_list_room_errors_are_one_line_with_exit_code_2(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("NNLAB_STORE", raising=False)
    monkeypatch.setenv("NNLAB_HOME", str(tmp_path / "empty"))
    assert main(["runs", "list", "--room", "ABC234"]) == 2  # no store at all: no such room
    assert "no room ABC234" in capsys.readouterr().err and not (tmp_path / "empty").exists()
    monkeypatch.setenv("NNLAB_HOME", str(tmp_path))
    room = make_room(open_store(tmp_path))
    other = "ABC234" if room.code != "ABC234" else "ABC235"
    for argv, words in [(["runs", "list", "--room", "nope"], "not a room code"),
                        (["runs", "list", "--room", "ABC23O"], "not a room code"),
                        (["runs", "list", "--room", other], f"no room {other}"),
                        (["runs", "list", "--room", other, "--lab", "A" * 32], "not allowed with"),
                        (["runs", "list", "--room", "\x1b[2J"], "not a room code")]:
        assert main(argv) == 2, argv
        captured = capsys.readouterr()
        err = captured.err
        assert err.startswith("error: ") and words in err and len(err.splitlines()) == 1 and not captured.out
        assert "Traceback" not in err and "\x1b" not in err
