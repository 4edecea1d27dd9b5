"""Rooms through AppTest (docs/room.md): a presenter opens a room, two labs join with its link
and train, the presenter's scoreboard ranks both; hostile names shown escaped; bad codes, a
closed room, a non-owner's read-only view, hiding an entry, the CSV, rate limits, progress
and a sweep's best."""
import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from nnlab.experiments import scoreboard as sb
from nnlab.store import new_token
from nnlab.viz import escape
from pages.helpers import lab as app_lab

APP = str(Path(__file__).resolve().parents[1] / "app.py")
ROOM, TRAIN, SWEEP = "pages/room.py", "pages/train.py", "pages/sweep.py"


def store():
    return app_lab.store()  # the app's own store (one per process: the AppTests share it)


def session(page=None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    if page:
        at.switch_page(page)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    return at


def button(at, label):
    return next(b for b in at.button if b.label == label)


def labels(at) -> set:
    return {b.label for b in at.button}


def texts(*groups) -> str:
    return " ".join(str(e.value) for g in groups for e in g)


def open_room(title="") -> tuple:
    owner = session(ROOM)
    if title:
        owner.text_input(key="room_title").set_value(title)
    button(owner, "Open a room").click().run()
    assert not owner.exception
    code = owner.session_state.room_board
    assert owner.query_params["room"] in (code, [code])
    return owner, code


def join(code, name, **params) -> AppTest:
    at = session(room=code, **params)
    assert f"Join room {code}?" in texts(at.markdown)
    at.text_input(key="room_name").set_value(name)
    button(at, "Join").click().run()
    assert not at.exception and at.session_state.room["code"] == code
    return at


def train(at, epochs):
    at.slider(key="ctl_epochs").set_value(epochs).run()
    button(at, "Train").click().run()
    assert not at.exception
    return at


def board(owner):
    """The ranked table the page shows (after a rerun: what a poll would bring)."""
    owner.run()
    assert not owner.exception
    return next(df.value for df in owner.dataframe if "Rank" in df.value.columns)


def fake_learner(code, name, val, **post):
    token = new_token()
    store().join_room(code, token, name)
    store().post_run(code, token, {"run_name": "run 1", "dataset": "digits", "settings": {"lr": 0.01},
                                   "val_accuracy": val, "test_accuracy": val, "seconds": 1.0,
                                   "curve": [val / 2, val], **post})
    return token


def test_two_labs_join_train_and_the_owners_scoreboard_ranks_both():
    owner, code = open_room("Tuesday")
    assert f"/train?room={code}" in texts(owner.code)  # the join link (a relative one: AppTest has no URL)
    ann = train(join(code, "Ann"), 3)
    bob = join(code, "Bob")
    bob.select_slider(key="ctl_lr").set_value(0.01).run()
    train(bob, 6)
    for at, name in ((ann, "Ann"), (bob, "Bob")):
        assert f"Posting to room **{code}** as **{name}**" in texts(at.caption)
        assert f"Posted to room {code}: validation accuracy" in texts(at.caption)
    df = board(owner)
    assert sorted(df["Learner"]) == ["Ann", "Bob"] and list(df["Rank"]) == [1, 2]
    assert list(df["Validation %"]) == sorted(df["Validation %"], reverse=True)
    row = df.set_index("Learner")
    assert row.loc["Bob", "Settings changed"] == "lr=0.01, epochs=6"
    assert row.loc["Ann", "Settings changed"] == "epochs=3"
    assert 0 < row.loc["Ann", "Test %"] <= 100 and row.loc["Bob", "Seconds"] >= 0
    assert [m.value for m in owner.metric] == ["2", "2", "0"]  # learners, runs, running now
    curves = next(c for c in owner.get("plotly_chart") if "top runs" in c.proto.spec)
    assert "1. " in curves.proto.spec and "2. " in curves.proto.spec
    assert "What the room tried" in texts(owner.subheader)

    again = session(lab=ann.query_params["lab"], room=code)  # a reload: still in the room, nothing asked
    assert "Join room" not in texts(again.markdown) and f"Posting to room **{code}**" in texts(again.caption)
    button(again, "Leave").click().run()
    assert "Posting to room" not in texts(again.caption) and "room" not in again.query_params
    assert session(lab=ann.query_params["lab"]).session_state.room is None  # the lab left it


def test_a_setup_link_with_a_room_loads_the_setup_and_asks_to_join():
    _, code = open_room()
    at = session(room=code, lr="0.01", epochs="7")
    assert at.session_state["ctl_lr"] == 0.01 and at.session_state["ctl_epochs"] == 7
    assert "Loaded the shared setup (2 settings" in texts(at.success)  # `room` is not a setting
    assert f"Join room {code}?" in texts(at.markdown) and not at.warning
    button(at, "Not now").click().run()
    assert "Join room" not in texts(at.markdown) and "room" not in at.query_params
    assert at.session_state.room is None and at.session_state["ctl_lr"] == 0.01


HOSTILE = ["<script>alert(1)</script>", "**x**", "[a](javascript:alert(1))", "A" * 500,
           "ctl\x1b[31m\x07\u202eevil\u200b", ":red[big] $x$ # h"]


def test_hostile_names_are_shown_escaped_on_both_sides():
    owner, code = open_room("<b>title</b> **bold**")
    for i, name in enumerate(HOSTILE):
        at = join(code, name)
        line = next(c.value for c in at.caption if "Posting to room" in c.value)
        assert f"as **{escape.markdown(sb.clean(name[:40]))}**" in line  # (the store keeps 40 characters)
        store().post_run(code, at.session_state.lab_token, {"run_name": name, "dataset": "digits", "curve": [0.5],
                                                            "settings": {"lr": 0.01}, "val_accuracy": 0.5 + i / 100})
    df = board(owner)
    shown = set(df["Learner"])
    assert "<script>alert(1)</script>" in shown and "**x**" in shown  # a table shows text as text
    assert "A" * 40 in shown  # names are capped at 40 characters
    assert "ctl[31mevil" in shown  # control and direction characters dropped
    assert all(ord(c) >= 32 and c not in "\u202e\u200b" for n in shown for c in n)
    markdown = texts(owner.markdown, owner.caption, owner.info, owner.warning)
    for raw in ("<script>", "<b>title", "**bold**", "](javascript"):
        assert raw not in markdown
    specs = " ".join(c.proto.spec for c in owner.get("plotly_chart"))
    assert "<script>" not in specs and "&lt;script&gt;" in specs


BAD = ["", "abc", "ABC23", "ABC2345", "O0I1L5", "<script>", "x" * 5000, "ABC234&room=ZZZ", "\u202eABC234"]


@pytest.mark.parametrize("text", BAD)
def test_a_bad_code_says_so_once_and_the_page_works(text):
    at = session(room=text)
    assert "is not one" in texts(at.info) and at.title[0].value == "Train"
    at.run()
    assert "is not one" not in texts(at.info)  # once


def test_an_unknown_code_says_so_in_any_case():
    at = session(room="zzzzzz")
    assert "There is no room ZZZZZZ" in texts(at.info)
    two = session(room=["ABC234", "ZZZ234"])  # given twice: not one code
    assert "is not one" in texts(two.info)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hs.text(max_size=80), hs.sampled_from([TRAIN, ROOM]))
def test_any_text_in_room_never_raises(text, page):
    at = AppTest.from_file(APP, default_timeout=90).switch_page(page)
    at.query_params["room"] = text
    at.run()
    assert not at.exception
    said = texts(at.info, at.warning)
    assert "room" in said.lower() or "Join room" in texts(at.markdown)


def test_a_closed_room_refuses_posts_and_joins_and_says_so():
    owner, code = open_room()
    ann = train(join(code, "Ann"), 2)
    button(owner, "Close the room…").click().run()
    assert f"Close room {code}?" in texts(owner.warning)
    button(owner, "Yes, close it").click().run()
    assert store().room(code).closed and "is **closed**" in texts(owner.error)
    assert "Close the room…" not in labels(owner) and len(board(owner)) == 1  # the board stays for the owner
    ann.run()  # the page's next run says so, once, and leaves the room
    assert f"Room {code} is closed" in texts(ann.info) and ann.session_state.room is None
    train(ann, 4)
    assert "Posted" not in texts(ann.caption) and not ann.warning
    assert len(store().room_posts(code)) == 1  # nothing more was posted; ann's run is in her lab
    assert [r.epochs for r in ann.session_state.run_log.runs] == [4]
    late = session(room=code)
    assert f"Room {code} is closed" in texts(late.info) and "Join room" not in texts(late.markdown)
    viewer = session(ROOM, room=code)
    assert f"Room {code} is closed" in texts(viewer.warning) and not viewer.dataframe


def test_a_room_closed_during_a_run_refuses_its_post_and_the_learner_is_told(monkeypatch):
    owner, code = open_room()
    ann = join(code, "Ann")
    store().close_room(code, owner.session_state.lab_token)
    room = store().room(code)
    monkeypatch.setattr(type(store()), "room", lambda self, c: replace(room, closed=False))  # (closed mid-run)
    train(ann, 2)
    assert f"Not posted: this room is closed: the presenter closed it. You have left room {code}" in texts(ann.warning)
    assert ann.session_state.room is None and ann.session_state.run_log.runs[-1].epochs == 2


def test_a_non_owner_sees_the_scoreboard_read_only():
    owner, code = open_room()
    fake_learner(code, "Ann", 0.9)
    viewer = session(ROOM, room=code)
    assert "only the presenter who opened it can change it" in texts(viewer.caption)
    assert list(board(viewer)["Learner"]) == ["Ann"]
    assert not {"Close the room…", "Hide the selected entries", "Open a room"} & labels(viewer)
    assert not viewer.get("download_button")
    assert "Close the room…" in labels(owner) and owner.get("download_button")


def test_hide_removes_an_entry_show_again_brings_it_back_and_the_csv_has_what_is_shown(monkeypatch):
    files = {}  # file name -> what the download button gives (made when it is pressed)
    add = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        files[file_name] = data_callable
        return add(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    owner, code = open_room()
    fake_learner(code, "=HYPERLINK(\"http://evil\")", 0.95)
    fake_learner(code, "Bob", 0.9, settings={"hidden": [32]})
    df = board(owner)
    assert list(df["Learner"]) == ['\'=HYPERLINK("http://evil")', "Bob"]  # (the table's own CSV export too)
    rows = list(csv.DictReader(io.StringIO(files[f"room-{code}.csv"]())))
    assert [r["learner"] for r in rows] == ["Bob", "'=HYPERLINK(\"http://evil\")"]  # newest first, no formula
    assert rows[0]["settings_changed"] == "hidden=32" and rows[0]["validation_accuracy"] == "0.9"

    owner.session_state["rank_digits"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    owner.run()
    button(owner, "Hide the selected entries").click().run()
    assert list(board(owner)["Learner"]) == ["Bob"]
    assert button(owner, "Hide the selected entries").disabled  # the selection went with the entry
    assert [m.value for m in owner.metric][1] == "1"
    assert "Hidden entries (1)" in [e.label for e in owner.expander]
    rows = list(csv.DictReader(io.StringIO(files[f"room-{code}.csv"]())))
    assert [r["learner"] for r in rows] == ["Bob"]

    owner.session_state["room_hidden"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    owner.run()
    button(owner, "Show the selected again").click().run()
    assert len(board(owner)) == 2


def test_too_many_posts_are_said_and_kept_to_send_again():
    _, code = open_room()
    at = join(code, "Quick")
    for epochs in range(1, 8):  # 7 runs within a few seconds: the 7th is over the limit (6 in 10 s)
        train(at, epochs)
    assert "too many posts" in texts(at.warning) and at.session_state.room_unsent is not None
    assert len(store().room_posts(code)) == 6
    assert at.session_state.run_log.runs[-1].epochs == 7  # nothing of the learner's is lost


def test_a_step_is_not_posted_progress_is_and_a_sweeps_best_is():
    _, code = open_room()
    at = join(code, "Stepper")
    at.slider(key="ctl_epochs").set_value(3).run()
    button(at, "Step").click().run()
    assert not store().room_posts(code)  # one Step is not a finished run ...
    assert store().room_counts(code)["running"] == 0  # ... and it is not running after it
    button(at, "Train").click().run()
    posts = store().room_posts(code)
    assert len(posts) == 1 and len(posts[0].curve) == 3 and posts[0].kind == "run"
    counts = store().room_counts(code)
    assert counts["progress"] >= 1 and counts["running"] == 0
    at.switch_page(SWEEP).run()
    at.session_state["ctl_epochs"] = 4
    at.text_input(key="sweep_values_1").set_value("0.01,1").run()
    at.number_input(key="sweep_jobs").set_value(1).run()
    button(at, "Run the sweep").click().run(timeout=180)
    assert not at.exception and "Posted to room" in texts(at.caption)
    best = store().room_posts(code)[0]
    assert best.kind == "sweep-best" and best.run_name.startswith("sweep: l2=") and len(best.curve) == 4
    assert best.test_accuracy is not None and best.settings["l2"] in (0.01, 1.0)


def test_the_projector_view_is_a_big_type_table_names_escaped_and_entries_still_hidden():
    owner, code = open_room()
    fake_learner(code, "**x** <b>", 0.9)
    fake_learner(code, "Bob", 0.8)
    owner.toggle(key="room_projector").set_value(True).run()
    assert owner.session_state.presenting and not [d for d in owner.dataframe if "Rank" in d.value.columns]
    table = owner.table[0].value
    assert list(table["Learner"]) == [escape.markdown("**x** <b>"), "Bob"] and list(table["Validation %"]) == \
        ["90.0", "80.0"]
    owner.multiselect(key="rank_pick_digits").set_value([0]).run()
    button(owner, "Hide the selected entries").click().run()
    assert list(owner.table[0].value["Learner"]) == ["Bob"] and owner.multiselect(key="rank_pick_digits").value == []
    owner.toggle(key="room_projector").set_value(False).run()
    assert not owner.session_state.presenting and list(board(owner)["Learner"]) == ["Bob"]


def test_one_ranking_per_dataset_the_rooms_own_first():
    owner, code = open_room()
    fake_learner(code, "Ann", 0.9)
    fake_learner(code, "Mo", 0.97, dataset="mnist")
    fake_learner(code, "Eve", 0.5, dataset="**evil** [x](javascript:y)")
    assert list(board(owner)["Learner"]) == ["Ann"]  # digits: the room's own dataset
    group = next(w for w in owner.get("button_group") if w.key == "room_dataset")
    labels = " ".join(o.content for o in group.proto.options)
    assert "MNIST" in labels and "\\*\\*evil\\*\\*" in labels and "[x](javascript" not in labels
    owner.session_state["room_dataset"] = "mnist"
    assert list(board(owner)["Learner"]) == ["Mo"]


def test_a_room_removed_meanwhile_is_said_and_left(monkeypatch):
    _, code = open_room()
    ann = join(code, "Ann")
    monkeypatch.setattr(type(store()), "room", lambda self, c: None)  # (removed after 30 days unused)
    ann.run()
    assert f"Room {code} no longer exists" in texts(ann.info) and ann.session_state.room is None
