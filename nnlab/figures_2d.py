"""Plotly figures of the Playground: the decision boundary under the points, and a
small map of each hidden unit over the plane.  Plain data in, `go.Figure` out
(no Streamlit), built as one dict like nnlab/figures.py's, because they are
redrawn several times a second while training.

Colours follow TensorFlow Playground's: orange for class 0 and negative unit
outputs, blue for class 1 and positive ones (more classes add green, red,
purple, brown).  Arrays go in as NumPy float32, which plotly sends as compact
binary instead of decimal text.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .figures import FONT_SIZE, TEXT_COLOR, TICK_SIZE

CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
TINT = 0.55  # the background's colour at full confidence: this much of the class colour, the rest white
LEVELS = 40  # shades per class of a many-class boundary
UNITS_PER_ROW = 8
MAX_UNITS = 16  # per layer; a wider layer shows its first 16 units


def _rgb(hex_color: str, share: float = 1.0) -> str:
    """The colour mixed with white: `share` of it (1: the colour itself)."""
    c = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)])
    r, g, b = (np.round(255 - share * (255 - c))).astype(int)
    return f"rgb({r},{g},{b})"


def _class_scale() -> list:
    """Class index -> its colour (a colour scale over 0..len(CLASS_COLORS)-1, cmin/cmax set to that)."""
    n = len(CLASS_COLORS) - 1
    return [[i / n, c] for i, c in enumerate(CLASS_COLORS)]


def _grid(xs) -> dict:
    """A regular grid as a start and a step: no coordinate arrays to send."""
    return dict(x0=float(xs[0]), dx=float(xs[1] - xs[0]), y0=float(xs[0]), dy=float(xs[1] - xs[0]))


def _boundary_trace(maps) -> dict:
    """The heatmap of the class probabilities, sent as bytes (uint8).  Two classes:
    P(class 1), white at 0.5, smoothed.  More: the likeliest class, tinted by how
    sure the network is (z = class·LEVELS + confidence level, a colour scale of one
    band per class; not smoothed, which would blend one band's end into the next)."""
    proba = maps.proba
    k = proba.shape[-1]
    common = dict(type="heatmap", showscale=False, hoverinfo="skip", **_grid(maps.xs))
    if k == 2:
        scale = [[0.0, _rgb(CLASS_COLORS[0], TINT)], [0.5, "rgb(255,255,255)"], [1.0, _rgb(CLASS_COLORS[1], TINT)]]
        z = np.round(proba[..., 1] * 254).astype(np.uint8)  # 0..254: 127 is exactly a tie
        return dict(z=z, zmin=0, zmax=254, colorscale=scale, zsmooth="best", **common)
    sure = (proba.max(axis=-1) - 1.0 / k) / (1.0 - 1.0 / k)  # 0 at a tie of all classes, 1 when certain
    z = (proba.argmax(axis=-1) * LEVELS + np.round(np.clip(sure, 0.0, 1.0) * (LEVELS - 1))).astype(np.uint8)
    top = k * LEVELS - 1
    scale = []
    for c in range(k):
        scale += [[c * LEVELS / top, "rgb(255,255,255)"], [(c * LEVELS + LEVELS - 1) / top, _rgb(CLASS_COLORS[c], TINT)]]
    return dict(z=z, zmin=0, zmax=top, colorscale=scale, zsmooth=False, **common)


def _points_trace(X, y, name: str, hollow: bool) -> dict:
    """Points coloured by class (numbers and a colour scale: bytes, not colour names)."""
    colors = dict(color=np.asarray(y, np.uint8), colorscale=_class_scale(), cmin=0, cmax=len(CLASS_COLORS) - 1)
    marker = dict(size=9, line=dict(color="white", width=1.2), **colors) if not hollow else \
        dict(size=9, symbol="circle-open", line=dict(width=2.2), **colors)
    return dict(type="scatter", mode="markers", x=np.asarray(X[:, 0], np.float32),
                y=np.asarray(X[:, 1], np.float32), name=name, marker=marker,
                hovertemplate="(%{x:.2f}, %{y:.2f})<extra>" + name + "</extra>")


def _square_axes(extent: float) -> tuple:
    tick = dict(tickfont=dict(size=TICK_SIZE - 2, color=TEXT_COLOR), showgrid=False, zeroline=False,
                fixedrange=True, range=[-extent, extent], ticks="outside", dtick=1 if extent <= 4 else 2)
    return dict(tick, title=dict(text="x₁", font=dict(size=FONT_SIZE))), \
        dict(tick, title=dict(text="x₂", font=dict(size=FONT_SIZE)), scaleanchor="x", constrain="domain")


def boundary_figure(maps, points, title: str = "Decision boundary", height: int = 470) -> go.Figure:
    """The decision boundary (the class probabilities of `maps`, a plane.PlaneMaps)
    under the points of `points` (a toy2d.make_dataset Dataset): training points
    filled, validation points hollow, coloured by their true class."""
    extent = float(maps.xs[-1])
    xaxis, yaxis = _square_axes(extent)
    data = [_boundary_trace(maps),
            _points_trace(points.X_train, points.y_train, "training (filled)", hollow=False),
            _points_trace(points.X_val, points.y_val, "validation (hollow)", hollow=True)]
    return go.Figure(dict(data=data, layout=dict(
        template="none", paper_bgcolor="white", plot_bgcolor="white", dragmode=False, height=height,
        title=dict(text=title, x=0.01, font=dict(size=FONT_SIZE + 2)),
        font=dict(size=FONT_SIZE, color=TEXT_COLOR), margin=dict(l=10, r=10, t=80, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0, font=dict(size=FONT_SIZE - 2),
                    itemclick=False, itemdoubleclick=False),
        xaxis=dict(xaxis, automargin=True), yaxis=dict(yaxis, automargin=True))))


def units_figure(maps, max_units: int = MAX_UNITS, per_row: int = UNITS_PER_ROW) -> go.Figure:
    """One small map per hidden unit of the layers in `maps.units`: the unit's
    output over the plane, orange below 0 and blue above, each on its own scale
    (±its largest output), so every unit's pattern shows.  A row (or two) per layer."""
    layers = [u[:max_units] for u in maps.units]
    cols = min(per_row, max((len(u) for u in layers), default=1))
    rows = [(li, i0) for li, u in enumerate(layers) for i0 in range(0, len(u), cols)]
    scale = [[0.0, CLASS_COLORS[0]], [0.5, "rgb(255,255,255)"], [1.0, CLASS_COLORS[1]]]
    gap_x, gap_y, label_w = 0.012, 0.06, 0.09
    width, height = (1 - label_w) / cols, 1 / max(len(rows), 1)
    data, layout, notes = [], {}, []
    extent = float(maps.unit_xs[-1])
    for r, (li, i0) in enumerate(rows):
        top = 1 - r * height
        if i0 == 0:
            notes.append(dict(text=f"layer {li + 1}", x=0, xanchor="left", y=top - height / 2, yanchor="middle",
                              xref="paper", yref="paper", showarrow=False, font=dict(size=FONT_SIZE - 2)))
        for c, unit in enumerate(layers[li][i0:i0 + cols]):
            n = len(data) + 1
            m = float(np.abs(unit).max()) or 1.0
            z = np.round(unit * (127 / m)).astype(np.int8)  # its own scale, as bytes: -127..127
            data.append(dict(type="heatmap", z=z, zmin=-127, zmax=127, colorscale=scale, showscale=False,
                             zsmooth="best", xaxis=f"x{n}", yaxis=f"y{n}", **_grid(maps.unit_xs),
                             hovertemplate=f"layer {li + 1}, unit {i0 + c + 1}<extra></extra>"))
            x0 = label_w + c * width
            axis = dict(showticklabels=False, showgrid=False, zeroline=False, fixedrange=True, ticks="",
                        range=[-extent, extent], showline=True, linecolor="#bbbbbb", mirror=True)
            layout[f"xaxis{n}"] = dict(axis, domain=[x0 + gap_x / 2, x0 + width - gap_x / 2], anchor=f"y{n}")
            layout[f"yaxis{n}"] = dict(axis, domain=[top - height + gap_y / 2, top - gap_y / 2], anchor=f"x{n}",
                                       scaleanchor=f"x{n}", constrain="domain")
    shown = ", ".join(f"layer {li + 1}: first {max_units} of {len(u)}" for li, u in enumerate(maps.units)
                      if len(u) > max_units)
    title = "Hidden units over the plane" + (f" ({shown})" if shown else "")
    return go.Figure(dict(data=data, layout=dict(
        template="none", paper_bgcolor="white", plot_bgcolor="white", dragmode=False,
        height=60 + 95 * max(len(rows), 1), showlegend=False, annotations=notes,
        title=dict(text=title, x=0.01, font=dict(size=FONT_SIZE)), font=dict(size=FONT_SIZE, color=TEXT_COLOR),
        margin=dict(l=6, r=6, t=44, b=6), **layout)))
