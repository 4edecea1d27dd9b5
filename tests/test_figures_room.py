"""The room's figures (nnlab/viz/figures_room.py): learner text escaped and only as data,
log axes for lr and L2 with L2 = 0 still drawn."""
from nnlab.experiments import scoreboard as sb
from nnlab.viz import figures_room
from test_scoreboard import SETUP, post

HOSTILE = "<script>alert(1)</script> %{y} [a](javascript:x) **x**"


def test_top_curves_legend_escaped_and_in_percent():
    top = sb.top_curves([post("a", 0.9, name=HOSTILE, curve=[0.5, 0.9]), post("b", 0.8)], "digits")
    fig = figures_room.top_curves_figure(top)
    names = [t.name for t in fig.data if t.showlegend]
    assert names[0].startswith("1. &lt;script&gt;") and "<script>" not in fig.to_json()
    assert list(fig.data[0].y) == [50.0, 90.0] or list(fig.data[1].y) == [50.0, 90.0]
    assert all("%{y}" not in (t.hovertemplate or "").replace("%{y:.4g}", "") for t in fig.data)


def test_tried_figures_log_axes_zero_on_the_axis_and_names_as_data_only():
    posts = [post("a", 0.9, name=HOSTILE, l2=0.1), post("b", 0.8, l2=1.0), post("c", 0.7)]
    (l2,) = sb.tried(posts, SETUP, "digits")
    fig = figures_room.tried_figure(l2)
    assert fig.layout.xaxis.type == "log"
    assert "0" in fig.layout.xaxis.ticktext and min(fig.layout.xaxis.tickvals) == 0.01
    text = fig.to_json()
    assert "<script>" not in text and HOSTILE not in "".join(t.hovertemplate for t in fig.data)
    hidden = sb.tried([post("a", 0.9, hidden=[32]), post("b", 0.8, hidden=[256, 128]), post("c", 0.5)], SETUP,
                      "digits")[0]
    fig = figures_room.tried_figure(hidden)
    assert fig.layout.xaxis.type == "category" and list(fig.layout.xaxis.categoryarray) == ["32", "128-64",
                                                                                            "256-128"]
