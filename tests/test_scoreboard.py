"""The room's scoreboard as plain data (nnlab/experiments/scoreboard.py): ranking, the best
run per learner per dataset, the settings that differ from the room's setup, what the room
tried, the CSV."""
import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nnlab.experiments import scoreboard as sb
from nnlab.store import RoomPost

SETUP = {"dataset": "digits", "hidden": [128, 64], "activations": ["relu", "relu"], "optimizer": "adam",
         "lr": 0.002, "beta1": 0.9, "l2": 0.0, "epochs": 40, "batch_size": 32, "dropout": 0.1}
_ids = iter(range(1, 10_000))


def post(learner, val, test=None, dataset="digits", name=None, posted=100.0, curve=(0.5, 0.7), kind="run",
         run_name="run 1", seconds=1.5, **changes):
    settings = {k: v for k, v in SETUP.items() if k != "dataset"}
    settings.update(changes)
    if settings.get("optimizer") == "sgd":
        settings.pop("beta1", None)
    return RoomPost(next(_ids), "ABC234", learner, name or learner.title(), run_name, dataset, settings, val, test,
                    seconds, list(curve), kind, posted, False)


def test_differing_compares_by_text_and_ignores_the_dataset_and_settings_the_run_lacks():
    run = {**SETUP, "dataset": "mnist", "hidden": (128, 64), "lr": 0.01, "epochs": 40.0}
    run.pop("beta1")
    assert sb.differing(run, SETUP) == {"lr": 0.01}
    assert sb.differing({"momentum": 0.9}, SETUP) == {"momentum": 0.9}  # the setup has none: a change
    assert sb.differing(None, SETUP) == {} and sb.differing({"lr": 0.1}, None) == {"lr": 0.1}


def test_settings_text_in_the_tables_order_as_a_link_writes_them():
    assert sb.settings_text({"lr": 0.01, "hidden": [64, 32], "batch_size": None}) == \
        "hidden=64-32, lr=0.01, batch_size=full"
    assert sb.settings_text({}) == ""


def test_ranking_is_the_best_run_per_learner_per_dataset_best_first():
    posts = [post("ann", 0.90, 0.88, lr=0.01), post("ann", 0.95, 0.93, hidden=[64]), post("bob", 0.93, 0.94),
             post("cy", None), post("bob", 0.99, dataset="mnist"), post("dee", 0.93, 0.95, posted=50)]
    df = sb.ranking(posts, SETUP, "digits")
    assert list(df["Learner"]) == ["Ann", "Dee", "Bob", "Cy"]  # tie on validation: higher test accuracy first
    assert list(df["Rank"]) == [1, 2, 3, 4]
    assert list(df["Validation %"])[:3] == [95.0, 93.0, 93.0] and df["Validation %"].isna().iloc[3]
    assert df.loc[0, "Settings changed"] == "hidden=64" and df.loc[2, "Settings changed"] == ""
    assert list(df["Runs"]) == [2, 1, 1, 1]  # runs on this dataset
    assert list(sb.ranking(posts, SETUP, "mnist")["Learner"]) == ["Bob"]
    assert sb.ranking([], SETUP, "digits").empty


def test_a_tie_goes_to_the_earlier_post():
    a, b = post("a", 0.9, 0.9, posted=20), post("b", 0.9, 0.9, posted=10)
    assert [p.learner for p in sb.best_per_learner([a, b], "digits")] == ["b", "a"]


def test_datasets_the_rooms_own_first():
    posts = [post("a", 0.5, dataset="mnist"), post("b", 0.5, dataset="mnist"), post("c", 0.5, dataset="csv"),
             post("d", 0.5)]
    assert sb.datasets(posts, SETUP) == ["digits", "mnist", "csv"]
    assert sb.datasets([], SETUP) == []


def test_text_a_spreadsheet_would_run_is_shown_with_a_quote_before_it():
    df = sb.ranking([post("a", 0.9, name="=1+1", run_name="@x"), post("b", 0.8, name="a=b")], SETUP, "digits")
    assert list(df["Learner"]) == ["'=1+1", "a=b"] and df.loc[0, "Run"] == "'@x"


def test_top_curves_in_rank_order_at_most_n_and_only_runs_with_a_curve():
    posts = [post(f"l{i}", i / 20, curve=[0.1, i / 20]) for i in range(12)] + [post("z", 0.99, curve=[])]
    top = sb.top_curves(posts, "digits", n=8)
    assert len(top) == 8 and top[0][0] == "2. L11"  # z ranks first but has no curve
    assert top[0][1] == [{"epoch": 1, "val_accuracy": 0.1}, {"epoch": 2, "val_accuracy": 0.55}]


def test_top_curves_from_curves_read_apart():
    posts = [post("a", 0.9, curve=[]), post("b", 0.8, curve=[])]
    assert sb.curves_wanted(posts, "digits") == [posts[0].id, posts[1].id]
    top = sb.top_curves(posts, "digits", curves={posts[1].id: [0.4, 0.8]})
    assert [label for label, _ in top] == ["2. B"]


def test_what_the_room_tried_one_chart_per_setting_changed_with_every_post_that_has_it():
    posts = [post("a", 0.9, lr=0.01), post("b", 0.8, lr=0.1), post("c", 0.85), post("d", 0.7, hidden=[32]),
             post("e", 0.6, optimizer="sgd", lr=0.5), post("f", None, lr=1.0)]
    tried = {t.name: t for t in sb.tried(posts, SETUP, "digits")}
    assert list(tried) == ["lr", "hidden", "optimizer"]  # lr changed by 3 learners, the others by 1
    lr = tried["lr"]
    assert lr.numeric and lr.log and lr.changed_by == 3
    assert sorted((q["x"], q["y"], q["changed"]) for q in lr.points) == \
        [(0.002, 70.0, False), (0.002, 85.0, False), (0.01, 90.0, True), (0.1, 80.0, True), (0.5, 60.0, True)]
    hidden = tried["hidden"]
    assert not hidden.numeric and {q["x"] for q in hidden.points} == {"128-64", "32"}
    assert "beta1" not in tried  # sgd's run has no beta1: not a change
    l2 = sb.tried([post("a", 0.9, l2=0.1)], SETUP, "digits")[0]
    assert l2.name == "l2" and l2.log  # regularisation strengths on a log axis too


def test_what_the_room_tried_keeps_a_learners_best_run_per_value():
    posts = [post("a", 0.5, lr=0.01), post("a", 0.9, lr=0.01), post("a", 0.7, lr=0.1), post("b", 0.6, lr=0.01)]
    (lr,) = sb.tried(posts, SETUP, "digits")
    assert sorted((q["who"], q["x"], q["y"]) for q in lr.points) == [("A", 0.01, 90.0), ("A", 0.1, 70.0),
                                                                      ("B", 0.01, 60.0)]


def test_the_csv_has_every_post_and_no_cell_a_spreadsheet_would_run():
    posts = [post("a", 0.9, 0.8, name="=HYPERLINK(\"http://x\")", run_name="+1", lr=0.01),
             post("b", None, name="Bob, \"the\" builder\n", run_name="@run")]
    rows = list(csv.DictReader(io.StringIO(sb.csv_text(posts, SETUP))))
    assert [r["learner"] for r in rows] == ["'=HYPERLINK(\"http://x\")", "Bob, \"the\" builder"]
    assert [r["run"] for r in rows] == ["'+1", "'@run"]
    assert rows[0]["validation_accuracy"] == "0.9" and rows[1]["validation_accuracy"] == ""
    assert rows[0]["settings_changed"] == "lr=0.01" and rows[0]["epochs"] == "2"


@pytest.mark.parametrize("text,shown", [
    ("Ann\u202eevil", "Annevil"),            # a right-to-left override would turn the rest around
    ("a\x00b\x1bc\x07", "abc"),
    ("  two\n\tlines  ", "two lines"),
    ("👩\u200d💻 dev", "👩\u200d💻 dev"),     # the joiner that builds an emoji stays
    (None, ""),
])
def test_clean_drops_control_and_format_characters(text, shown):
    assert sb.clean(text) == shown


@given(st.text(max_size=60), st.one_of(st.none(), st.floats(0, 1)), st.dictionaries(st.text(max_size=8),
                                                                                      st.integers(), max_size=4))
def test_any_post_text_and_settings_never_break_the_board(name, val, settings):
    p = RoomPost(1, "ABC234", "k", name, name, "digits", settings, val, None, None, [val], "run", 1.0, False)
    df = sb.ranking([p], SETUP, "digits")
    assert len(df) == 1 and all(ord(c) >= 32 for c in df.loc[0, "Learner"])
    sb.tried([p], SETUP, "digits")
    sb.top_curves([p], "digits")
    assert sb.csv_text([p], SETUP).count("\n") >= 2
