"""Figures of many runs side by side: Compare's overlaid curves, the Sweep's accuracy
against a setting and its two-setting grid.  Plain data in, `go.Figure` out, built like
the single run's figures (nnlab/viz/figures.py: its fonts, its theme-free layout)."""
from __future__ import annotations

import plotly.graph_objects as go

from nnlab.viz import escape
from nnlab.viz.figures import LEGEND_BELOW, PRED_COLOR, VAL_COLOR, _figure, _series

RUN_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
              "#bcbd22", "#17becf"]


def compare_figure(runs, key: str, title: str, percent: bool = False) -> go.Figure:
    """Several runs' curves of one metric on one chart: `runs` maps a run's name to its
    history (list of epoch records), or is a list of (name, history) pairs (two runs may
    share a name); one colour per run, training dotted and validation
    solid when `key` is e.g. "loss" (both are drawn).  The legend names each run once (its
    name only, as the user wrote it: escaped, so "<b>" is not bold); what tells the runs
    apart goes in a table below the chart (runs.RunLog.differences_table)."""
    data = []
    for i, (name, history) in enumerate(runs.items() if isinstance(runs, dict) else runs):
        color, label = RUN_COLORS[i % len(RUN_COLORS)], escape.chart(name)
        for part, dash, word in (("train", "dot", "training"), ("val", "solid", "validation")):
            x, y = _series(history, f"{part}_{key}")
            if percent:
                y = [100 * v for v in y]
            # the name reaches the hover through %{fullData.name}, never the template itself
            # (a run named "%{y}" would be read as a template)
            data.append(dict(type="scatter", mode="lines", x=x, y=y, name=label, legendgroup=str(i),
                             showlegend=part == "val", meta=word, line=dict(color=color, dash=dash, width=2.5),
                             hovertemplate="%{fullData.name}, %{meta}<br>epoch %{x}: %{y:.4g}<extra></extra>"))
    fig = _figure(data, title, height=340 + 24 * len(runs), xaxis=dict(title=dict(text="epoch")),  # + the legend
                  yaxis=dict(title=dict(text="%" if percent else key)))
    fig.layout.legend.update(LEGEND_BELOW)  # (its other properties, e.g. colours, as _figure set them)
    return fig


def sweep_figure(rows: list, param: str, log_x: bool, best=None) -> go.Figure:
    """Validation accuracy (mean ± std over seeds, %) against one setting's values;
    the best value marked.  `rows`: sweep.summary() rows."""
    rows = [r for r in rows if r["val_accuracy_mean"] is not None]
    numeric = all(isinstance(r[param], (int, float)) and not isinstance(r[param], bool) for r in rows)
    rows = sorted(rows, key=lambda r: r[param]) if numeric else rows
    x = [r[param] if numeric else str(r[param]) for r in rows]
    y = [100 * r["val_accuracy_mean"] for r in rows]
    err = [100 * (r["val_accuracy_std"] or 0) for r in rows]
    data = [dict(type="scatter", mode="lines+markers", x=x, y=y, name="validation accuracy",
                 error_y=dict(type="data", array=err, visible=True), line=dict(color=VAL_COLOR, width=3),
                 marker=dict(size=10))]
    if best is not None:
        bx = best[param] if numeric else str(best[param])
        data.append(dict(type="scatter", mode="markers", x=[bx], y=[100 * best["val_accuracy_mean"]], name="best",
                         marker=dict(size=20, symbol="star", color=PRED_COLOR)))
    xaxis = dict(title=dict(text=param), type="log" if (numeric and log_x) else ("linear" if numeric else "category"))
    return _figure(data, f"Validation accuracy against {param}", height=400, xaxis=xaxis,
                   yaxis=dict(title=dict(text="validation accuracy (%)")))


def sweep_grid_figure(rows: list, px: str, py: str) -> go.Figure:
    """Mean validation accuracy (%) over a two-setting grid, as a heatmap."""
    xs = sorted({str(r[px]) for r in rows}, key=lambda v: _num(v))
    ys = sorted({str(r[py]) for r in rows}, key=lambda v: _num(v))
    z = [[None] * len(xs) for _ in ys]
    for r in rows:
        if r["val_accuracy_mean"] is not None:
            z[ys.index(str(r[py]))][xs.index(str(r[px]))] = round(100 * r["val_accuracy_mean"], 2)
    data = [dict(type="heatmap", x=xs, y=ys, z=z, colorscale="Viridis", texttemplate="%{z:.1f}",
                 colorbar=dict(title="val %"))]
    return _figure(data, f"Validation accuracy: {py} against {px}", height=420,
                   xaxis=dict(title=dict(text=px), type="category"), yaxis=dict(title=dict(text=py), type="category"))


def _num(v):
    try:
        return (0, float(v))
    except ValueError:
        return (1, v)
