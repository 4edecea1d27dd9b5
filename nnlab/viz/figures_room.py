"""A room's figures: the top runs' validation curves overlaid (Compare's figure), and "what
the room tried" — validation accuracy against one setting the learners changed, a point per
run.  Plain data in (nnlab/experiments/scoreboard.py), `go.Figure` out.  Learner names reach
the charts escaped (nnlab/viz/escape.py) and only as data, never inside a hover template."""
from __future__ import annotations

import plotly.graph_objects as go

from nnlab.viz import escape
from nnlab.viz.figures import MARK_COLOR, VAL_COLOR, _figure
from nnlab.viz.figures_runs import compare_figure

MAX_TICKS = 10  # distinct values of a setting each get a tick up to this many


def top_curves_figure(top: list) -> go.Figure:
    """`top`: scoreboard.top_curves() — (label, history) in rank order."""
    fig = compare_figure(top, "accuracy", "Validation accuracy of the top runs", percent=True)
    fig.layout.yaxis.title.text = "validation accuracy (%)"
    if not top:  # (an empty room: the axes the curves will come on)
        fig.layout.xaxis.range, fig.layout.yaxis.range = (1, 10), (0, 100)
    return fig


def _log_positions(values: list) -> tuple:
    """Positions on a log axis for values that may hold 0 (L2 off): a zero goes a decade left
    of the smallest positive value, its tick reads "0"."""
    positive = [v for v in values if v > 0]
    zero_at = min(positive) / 10 if positive else 1e-4
    return [v if v > 0 else zero_at for v in values], zero_at


def tried_figure(t) -> go.Figure:
    """`t`: a scoreboard.Tried.  Runs that changed this setting in colour, runs that kept the
    room's value in grey; hover: who, the value, the accuracy."""
    data = []
    xs_all = [q["x"] for q in t.points]
    zero_at = None
    if t.log:
        xs_all, zero_at = _log_positions(xs_all)
    for changed, color, name in ((False, MARK_COLOR, "the room's setup"), (True, VAL_COLOR, "changed")):
        pts = [(x, q) for x, q in zip(xs_all, t.points) if q["changed"] is changed]
        if not pts:
            continue
        data.append(dict(type="scatter", mode="markers", x=[x for x, _ in pts], y=[q["y"] for _, q in pts],
                         name=name, marker=dict(size=11, color=color, opacity=0.8, line=dict(width=1)),
                         customdata=[[escape.chart(q["who"]), escape.chart(q["text"])] for _, q in pts],
                         hovertemplate="%{customdata[0]}<br>" + escape.chart(t.name)
                         + " = %{customdata[1]}: %{y:.1f} %<extra></extra>"))
    xaxis = dict(title=dict(text=t.name))
    if not t.numeric:
        order = sorted({q["x"] for q in t.points}, key=_category_key)
        xaxis.update(type="category", categoryorder="array", categoryarray=order)
    elif t.log:
        xaxis["type"] = "log"
        ticks = sorted({(x, q["text"]) for x, q in zip(xs_all, t.points)})
        if len(ticks) <= MAX_TICKS:
            xaxis.update(tickvals=[x for x, _ in ticks],
                         ticktext=["0" if x == zero_at else escape.chart(text) for x, text in ticks])
    fig = _figure(data, escape.chart(t.label), height=280, xaxis=xaxis,
                  yaxis=dict(title=dict(text="validation %")), showlegend=False)
    fig.layout.margin.t = 40
    return fig


def _category_key(text: str):
    """Numbers by value (widths "64-32" by their first width), then names."""
    head = text.split("-")[0]
    try:
        return (0, float(head), text)
    except ValueError:
        return (1, 0.0, text)
