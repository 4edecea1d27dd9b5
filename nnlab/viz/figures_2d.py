"""Plotly figures of the Playground: the decision boundary under the points, and a
small map of each hidden unit over the plane.  Plain data in, `go.Figure` out
(no Streamlit), built as one dict like nnlab/viz/figures.py's, because they are
redrawn several times a second while training.

Colours follow TensorFlow Playground's: orange for class 0 and negative unit
outputs, blue for class 1 and positive ones (more classes add green, red,
purple, brown).  Arrays go in as NumPy float32, which plotly sends as compact
binary instead of decimal text.  As in figures.py, no background or text colour
is set: Streamlit's chart theme makes them light or dark; the maps are pictures and
keep their own colours in both.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nnlab.viz.figures import FONT_SIZE, TICK_SIZE

CLASS_COLORS = ["#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
TINT = 0.45  # the background's colour at full confidence: this much of the class colour, the rest white
LEVELS = 40  # shades per class of a many-class boundary
UNITS_PER_ROW = 8
GAP, GAP_COLOR = 3, "#d9d9d9"  # cells between two unit maps, and their colour
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
        return dict(z=z, zmin=0, zmax=254, colorscale=scale, zsmooth="fast", **common)  # the browser smooths
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
                y=np.asarray(X[:, 1], np.float32), name=name, marker=marker, showlegend=False,
                hovertemplate="(%{x:.2f}, %{y:.2f})<extra>" + name + "</extra>")


def _legend() -> list:
    """Legend entries in grey (the points' own colours are their classes): filled = training, hollow = validation."""
    grey = "#777777"
    return [dict(type="scatter", mode="markers", x=[None], y=[None], name=name, hoverinfo="skip",
                 marker=dict(size=10, color=grey, symbol=symbol, line=dict(color=grey, width=2)))
            for name, symbol in (("training", "circle"), ("validation", "circle-open"))]


# The boundary's margins (px), fixed: axes with automargin make the browser lay the
# plot out twice (measured: ~150 ms instead of ~45 ms per picture in headless
# Chromium; docs/playground.md).
MARGIN = dict(l=62, r=14, t=78, b=52)


def boundary_figure(maps, points, title: str = "Decision boundary", height: int = 510) -> go.Figure:
    """The decision boundary (the class probabilities of `maps`, a plane.PlaneMaps)
    under the points of `points` (a toy2d.make_dataset Dataset): training points
    filled, validation points hollow, coloured by their true class.  The plot area
    is square (equal units on both axes) at any width."""
    extent = float(maps.xs[-1])
    axis = dict(tickfont=dict(size=TICK_SIZE - 2), showgrid=False, zeroline=False,
                fixedrange=True, range=[-extent, extent], ticks="outside", dtick=1 if extent <= 4 else 2,
                automargin=False, constrain="domain")  # "domain": the plot shrinks to a square, the ranges stay
    data = [_boundary_trace(maps),
            _points_trace(points.X_train, points.y_train, "training", hollow=False),
            _points_trace(points.X_val, points.y_val, "validation", hollow=True),
            *_legend()]
    return go.Figure(dict(data=data, layout=dict(
        template="none", dragmode=False, height=height, margin=MARGIN,
        title=dict(text=title, x=0.01, font=dict(size=FONT_SIZE + 2)), font=dict(size=FONT_SIZE),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0, font=dict(size=FONT_SIZE - 2),
                    itemclick=False, itemdoubleclick=False),
        xaxis=dict(axis, title=dict(text="x₁", font=dict(size=FONT_SIZE), standoff=6)),
        # constraintoward "top": a column narrower than the figure is tall (1024x768) keeps the square plot
        # under its title and legend, the spare height below it, not above.
        yaxis=dict(axis, title=dict(text="x₂", font=dict(size=FONT_SIZE), standoff=10), scaleanchor="x",
                   constraintoward="top"))))


def _tiles(layers, cols: int, gap: int):
    """The unit maps side by side in one int8 matrix: each unit on its own scale
    (±its largest output -> ±127), GAP cells of -128 (grey) between them, a row
    of `cols` units per line, layer 1 on top.  Returns (z, the y of each layer's middle)."""
    m = layers[0].shape[-1]
    step = m + gap
    lines = []  # (layer, units of one line), top to bottom
    for li, units in enumerate(layers):
        lines += [(li, units[i:i + cols]) for i in range(0, len(units), cols)]
    z = np.full((len(lines) * step - gap, cols * step - gap), -128, np.int8)
    middles = {}
    for r, (li, units) in enumerate(lines):
        y0 = (len(lines) - 1 - r) * step  # row 0 of the matrix is drawn at the bottom
        for c, unit in enumerate(units):
            top = float(np.abs(unit).max()) or 1.0
            z[y0:y0 + m, c * step:c * step + m] = np.round(unit * (127 / top))
        middles.setdefault(li, []).append(y0 + (m - 1) / 2)
    return z, [float(np.mean(v)) for v in middles.values()]


def units_figure(maps, max_units: int = MAX_UNITS, per_row: int = UNITS_PER_ROW) -> go.Figure:
    """One small map per hidden unit of the layers in `maps.units`: the unit's
    output over the plane, orange below 0 and blue above, each on its own scale
    (±its largest output), so every unit's pattern shows; a line (or two) per layer.

    All maps are one heatmap (tiles with grey gaps) on one pair of axes: the
    browser draws a new figure several times a second, and one trace is far
    cheaper to draw than a subplot per unit."""
    layers = [u[:max_units] for u in maps.units]
    if not layers:
        return go.Figure(dict(data=[], layout=dict(template="none", height=60, title=dict(text="No hidden layer"))))
    cols = min(per_row, max(len(u) for u in layers))
    z, middles = _tiles(layers, cols, GAP)
    scale = [[0.0, GAP_COLOR], [0.5 / 255, GAP_COLOR], [1 / 255, CLASS_COLORS[0]], [128 / 255, "rgb(255,255,255)"],
             [1.0, CLASS_COLORS[1]]]  # -128: the gaps; -127..127: the units' outputs
    heat = dict(type="heatmap", z=z, zmin=-128, zmax=127, colorscale=scale, showscale=False, zsmooth="fast",
                hoverinfo="skip")
    axis = dict(showgrid=False, zeroline=False, fixedrange=True, ticks="", showline=False)
    shown = ", ".join(f"layer {li + 1}: first {max_units} of {len(u)}" for li, u in enumerate(maps.units)
                      if len(u) > max_units)
    title = "Hidden units over the plane" + (f" ({shown})" if shown else "")
    n_lines = z.shape[0] / (layers[0].shape[-1] + GAP)
    return go.Figure(dict(data=[heat], layout=dict(
        template="none", dragmode=False,
        height=int(70 + 420 / cols * n_lines), showlegend=False,
        title=dict(text=title, x=0.01, font=dict(size=FONT_SIZE)), font=dict(size=FONT_SIZE),
        margin=dict(l=70, r=6, t=44, b=6),
        xaxis=dict(axis, showticklabels=False, range=[-0.5, z.shape[1] - 0.5], constrain="domain"),
        yaxis=dict(axis, range=[-0.5, z.shape[0] - 0.5], scaleanchor="x", constrain="domain", automargin=False,
                   tickvals=middles, ticktext=[f"layer {i + 1}" for i in range(len(middles))],
                   tickfont=dict(size=TICK_SIZE - 1)))))
