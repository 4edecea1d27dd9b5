"""Plotly figures of the Inside page: weights, activations and gradients (data in, go.Figure out).

Built like ``figures.py`` (one ``go.Figure(dict(...))`` call, template "none", fixed
axes, no background or text colour: Streamlit's theme makes them light or dark);
the numbers come from ``nnlab.viz.inspect`` and the trainer's records.
"""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from nnlab.viz import figures as base
from nnlab.viz.inspect import RELATIVE_SLOPE, SATURATION_SLOPE

# Blue (negative) - white (0) - red (positive): ColorBrewer's RdBu, centred on 0 by symmetric ranges.
DIVERGING = [[0.0, "#2166ac"], [0.25, "#92c5de"], [0.5, "#f7f7f7"], [0.75, "#f4a582"], [1.0, "#b2182b"]]
RATIO_GUIDE = 1e-3  # the rule of thumb for the update/weight ratio


def layer_colors(n: int) -> list:
    """One colour per layer, from the first (teal) through blue and violet to the output
    (magenta): the order reads at a glance.  Each is at least 3.3:1 against the light
    theme's white and the dark theme's near-black, so no layer's line disappears in
    either (a light-to-dark blue ramp lost the output layer on a dark page)."""
    ramp = ["#1a9e77", "#2a8fbd", "#4c6fd1", "#7b5fc9", "#a855a8", "#c2458f"]
    if n <= len(ramp):
        return ramp[len(ramp) - n:]
    return [ramp[min(int(i * len(ramp) / n), len(ramp) - 1)] for i in range(n)]


# ----------------------------------------------------------------- weights
def mosaic(tiles, cols: int, per_tile_scale: bool = True):
    """Tiles (n, h, w) laid out `cols` to a row with a one-pixel gap (NaN: drawn blank).
    Each tile divided by its own max |w| (or, per_tile_scale=False, by the 99th
    percentile of all |w|), so the colours run from -1 to 1.  Returns (image, rows)."""
    tiles = np.asarray(tiles, dtype=np.float64)
    n, h, w = tiles.shape
    rows = max(1, math.ceil(n / cols))
    if per_tile_scale:
        scale = np.abs(tiles).reshape(n, -1).max(axis=1)
    else:
        scale = np.full(n, np.percentile(np.abs(tiles), 99) if n else 1.0)
    scaled = tiles / np.where(scale > 0, scale, 1.0)[:, None, None]
    image = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    for k in range(n):
        r, c = divmod(k, cols)
        image[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = np.clip(scaled[k], -1, 1)
    return image, rows


def weights_grid_figure(tiles, units, cols: int = 8, selected=None, per_tile_scale: bool = True,
                        title: str = "First-layer weights, one tile per unit") -> go.Figure:
    """The units' incoming weights as images in one heatmap (blue negative, white 0, red
    positive).  tiles: (n, h, w) in the order shown; units: their unit numbers.  An
    invisible marker on each tile carries its unit number (customdata) for clicks, as
    on the confusion matrix (figures.confusion_figure); `selected` is outlined."""
    tiles = np.asarray(tiles)
    n, h, w = tiles.shape
    cols = max(1, min(cols, n))
    image, rows = mosaic(tiles, cols, per_tile_scale)
    # an array, not lists: plotly sends it as binary (a 232x232 MNIST mosaic: ~20 ms, not ~200); NaN = a gap
    heat = dict(type="heatmap", z=image.astype(np.float32), colorscale=DIVERGING, zmin=-1, zmax=1, hoverinfo="skip",
                colorbar=dict(orientation="h", x=0.5, xanchor="center", y=-0.02, yanchor="top", len=0.6,
                              thickness=12, tickvals=[-1, 0, 1],
                              ticktext=["− (lowers z)", "0", "+ (raises z)"] if per_tile_scale else ["−", "0", "+"]))
    xs = [(k % cols) * (w + 1) + (w - 1) / 2 for k in range(n)]
    ys = [(k // cols) * (h + 1) + (h - 1) / 2 for k in range(n)]
    cells = dict(type="scatter", mode="markers", x=xs, y=ys, customdata=[[int(u)] for u in units],
                 marker=dict(symbol="square", size=max(8, min(40, 300 // cols)), color="rgba(0,0,0,0)"),
                 selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=1)),
                 hovertemplate="unit %{customdata[0]}<extra>click: the images that excite it most</extra>",
                 showlegend=False)
    shapes = []
    if selected is not None and selected in list(units):
        k = list(units).index(selected)
        x0, y0 = (k % cols) * (w + 1) - 0.5, (k // cols) * (h + 1) - 0.5
        shapes.append(dict(type="rect", x0=x0 - 0.5, x1=x0 + w + 0.5, y0=y0 - 0.5, y1=y0 + h + 0.5,
                           line=dict(color="#111111", width=3)))
    hidden = dict(visible=False, showgrid=False, fixedrange=True)
    width_px = image.shape[1]
    return base._figure([heat, cells], title, height=int(130 + 520 * rows / max(cols, rows)), shapes=shapes,
                        xaxis=dict(range=[-1, width_px], constrain="domain", **hidden),
                        yaxis=dict(range=[image.shape[0], -1], scaleanchor="x", **hidden))


# ------------------------------------------------------------- activations
def _grid(n: int, cols: int, gap: float = 0.08):
    """Axis domains of a grid of n small charts, `cols` to a row: [(x domain, y domain), ...]."""
    rows = max(1, math.ceil(n / cols))
    out = []
    for k in range(n):
        r, c = divmod(k, cols)
        x0, x1 = c / cols + gap / 2, (c + 1) / cols - gap / 2
        y1 = 1 - r / rows - (0.16 / rows)  # room above for a two-line title
        y0 = 1 - (r + 1) / rows + gap
        out.append(([x0, x1], [y0, y1]))
    return out, rows


def activation_figure(stats: list, bins: int = 40, cols: int = 3) -> go.Figure:
    """One histogram per hidden layer of its activations on the batch (% of all values),
    titled with the layer, its activation and its dead or saturated share; for sigmoid
    and tanh the saturated ranges are shaded.  stats: inspect.layer_stats rows."""
    n = len(stats)
    cols = max(1, min(cols, n))
    cells, rows = _grid(n, cols)
    data, notes, shapes, axes = [], [], [], {}
    for k, (row, (xd, yd)) in enumerate(zip(stats, cells)):
        values = np.asarray(row["values"], dtype=np.float64).ravel()
        total = max(values.size, 1)
        lo, hi = (0.0, 1.0) if row["activation"] == "sigmoid" else (-1.0, 1.0) if row["activation"] == "tanh" \
            else (min(0.0, float(values.min())), max(float(values.max()), 1e-6))
        if row["activation"] == "relu":  # the exact zeros (units off) are a number in the title, not a bar
            values = values[values != 0]  # that would flatten every other bar
        counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
        share = 100 * counts / total
        ax = "" if k == 0 else str(k + 1)
        data.append(dict(type="bar", x=((edges[:-1] + edges[1:]) / 2).tolist(), y=share.tolist(),
                         width=float(edges[1] - edges[0]), marker=dict(color=base.TRAIN_COLOR), xaxis=f"x{ax}",
                         yaxis=f"y{ax}", showlegend=False, name=row["layer"],
                         hovertemplate="a ≈ %{x:.3g}: %{y:.1f} % of values<extra></extra>"))
        common = dict(zeroline=False, fixedrange=True, tickfont=dict(size=base.TICK_SIZE - 2))
        axes[f"xaxis{ax}"] = dict(domain=xd, anchor=f"y{ax}", range=[lo, hi], **common)
        axes[f"yaxis{ax}"] = dict(domain=yd, anchor=f"x{ax}", rangemode="tozero", ticksuffix="%", **common)
        notes.append(dict(x=sum(xd) / 2, y=yd[1], xref="paper", yref="paper", yanchor="bottom", showarrow=False,
                          text=_layer_title(row), font=dict(size=base.FONT_SIZE - 2)))
        if row["activation"] in RELATIVE_SLOPE:
            for a0, a1 in _saturated_ranges(row["activation"]):
                shapes.append(dict(type="rect", xref=f"x{ax}", yref=f"y{ax} domain", x0=a0, x1=a1, y0=0, y1=1,
                                   fillcolor="rgba(214,39,40,0.12)", line=dict(width=0)))
    return base._figure(data, "", height=70 + 250 * rows, annotations=notes, shapes=shapes, bargap=0,
                        xaxis=axes.pop("xaxis"), yaxis=axes.pop("yaxis"), **axes)


def _layer_title(row) -> str:
    """Two short lines (they fit three charts abreast on a 1024 px screen)."""
    facts = []
    if row["activation"] == "relu":
        facts.append(f"{100 * (1 - row['positive_share']):.0f} % zeros")
    if row["dead_units"] is not None:
        facts.append(f"dead {100 * row['dead_units']:.0f} %")
    if row["saturated_units"] is not None:
        facts.append(f"saturated {100 * row['saturated_units']:.0f} %")
    return f"<b>{row['layer']}</b> · {row['activation']}<br>" + " · ".join(facts)


def _saturated_ranges(activation: str) -> list:
    if activation == "sigmoid":
        low = (1 - math.sqrt(1 - SATURATION_SLOPE)) / 2
        return [(0.0, low), (1 - low, 1.0)]
    edge = math.sqrt(1 - SATURATION_SLOPE)
    return [(-1.0, -edge), (edge, 1.0)]


# -------------------------------------------------------------- gradients
def per_layer_figure(history: list, key: str, names: list, title: str, yaxis_title: str, guide=None) -> go.Figure:
    """One line per layer of a per-layer statistic of the records (`key`: "grad_norms" or
    "update_ratios"), on a log axis, epochs without it left out; `guide`: a dotted
    reference level (the update/weight ratio's 1e-3)."""
    points = [(r["epoch"], r[key]) for r in history if r.get(key)]
    colors = layer_colors(len(names))
    data = []
    for i, name in enumerate(names):
        xs = [e for e, v in points if i < len(v) and v[i] > 0]
        ys = [v[i] for e, v in points if i < len(v) and v[i] > 0]
        data.append(dict(type="scatter", x=xs, y=ys, name=name, mode="lines+markers" if len(xs) < 60 else "lines",
                         line=dict(color=colors[i], width=3), marker=dict(size=6),
                         hovertemplate=f"{name}, epoch %{{x}}: %{{y:.2e}}<extra></extra>"))
    n = max((r["epoch"] for r in history), default=0)
    xaxis = dict(title=dict(text="epoch"), range=[0.5, max(n, 1) + 0.5])
    if n < 10:
        xaxis.update(tick0=1, dtick=1)
    shapes = []
    if guide is not None:
        shapes.append(dict(type="line", xref="paper", x0=0, x1=1, y0=guide, y1=guide,
                           line=dict(color=base.MARK_COLOR, width=2, dash="dot")))
    fig = base._figure(data, title, height=380, xaxis=xaxis, shapes=shapes,
                       yaxis=dict(title=dict(text=yaxis_title), type="log", exponentformat="power"))
    fig.layout.legend.update(base.LEGEND_BELOW)
    return fig


def gradient_norms_figure(history: list, names: list) -> go.Figure:
    return per_layer_figure(history, "grad_norms", names, "Weight-gradient norm per layer",
                             "‖∂L/∂W‖ (log scale)")


def update_ratio_figure(history: list, names: list) -> go.Figure:
    return per_layer_figure(history, "update_ratios", names, "Update / weight per step",
                            "‖ΔW‖ / ‖W‖ (log scale)", guide=RATIO_GUIDE)


def gradient_now_figure(norms: list, names: list) -> go.Figure:
    """One bar per layer: ‖∂L/∂W‖ now, on one batch (inspect.gradient_norms), log scale."""
    bar = dict(type="bar", x=list(names), y=[max(v, 1e-30) for v in norms],
               marker=dict(color=layer_colors(len(names))), text=[f"{v:.1e}" for v in norms],
               textposition="outside", hovertemplate="%{x}: %{y:.2e}<extra></extra>")
    return base._figure([bar], "Weight-gradient norm per layer now (one validation batch)", height=320,
                        showlegend=False, xaxis=dict(type="category"),
                        yaxis=dict(title=dict(text="‖∂L/∂W‖"), type="log", exponentformat="power"))


# --------------------------------------------------------- one example
def activation_strips_figure(hidden: list, names: list, activations=None) -> go.Figure:
    """One example's activation vector per hidden layer, each a strip of its units
    (blue negative, white 0 = silent, red positive; each strip scaled to its own max |a|).
    activations: each layer's activation name (its share of positive units is said
    unless it is sigmoid, whose outputs are all positive)."""
    n = len(hidden)
    acts = list(activations or [""] * n)
    data, axes, notes = [], {}, []
    for k, (a, name, act) in enumerate(zip(hidden, names, acts)):
        a = np.asarray(a, dtype=np.float64).ravel()
        m = float(np.abs(a).max()) or 1.0
        ax = "" if k == 0 else str(k + 1)
        y0, y1 = 1 - (k + 1) / n + 0.35 / n, 1 - k / n - 0.05 / n
        data.append(dict(type="heatmap", z=[a.round(4).tolist()], colorscale=DIVERGING, zmin=-m, zmax=m,
                         showscale=False, xaxis=f"x{ax}", yaxis=f"y{ax}",
                         hovertemplate=f"{name}, unit %{{x}}: a = %{{z:.3g}}<extra></extra>"))
        hidden_axis = dict(showgrid=False, zeroline=False, fixedrange=True, ticks="", showline=False)
        axes[f"xaxis{ax}"] = dict(domain=[0, 1], anchor=f"y{ax}", showticklabels=False, **hidden_axis)
        axes[f"yaxis{ax}"] = dict(domain=[y0, y1], anchor=f"x{ax}", showticklabels=False, **hidden_axis)
        notes.append(dict(x=0, y=y1, xref="paper", yref="paper", xanchor="left", yanchor="bottom", showarrow=False,
                          text=f"<b>{name}</b>{' · ' + act if act else ''} · {a.size} units · max |a| {m:.2g}"
                               + ("" if act == "sigmoid" else f" · {100 * np.mean(a > 0):.0f} % positive"),
                          font=dict(size=base.FONT_SIZE - 3)))
    return base._figure(data, "", height=40 + 78 * max(n, 1), annotations=notes,
                        xaxis=axes.pop("xaxis"), yaxis=axes.pop("yaxis"), **axes)


def diverging_rgb(tile, scale: int = 8) -> np.ndarray:
    """A weight tile as an upscaled uint8 RGB image for st.image, in the grid's colours:
    blue negative, white 0, red positive, scaled to the tile's own max |w|."""
    t = np.asarray(tile, dtype=np.float64)
    m = float(np.abs(t).max()) or 1.0
    u = (np.clip(t / m, -1, 1) + 1) / 2  # 0..1, 0.5 = a weight of 0
    stops = np.array([s for s, _ in DIVERGING])
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for _, c in DIVERGING], dtype=np.float64)
    img = np.stack([np.interp(u, stops, rgb[:, k]) for k in range(3)], axis=-1)
    return np.kron(img, np.ones((scale, scale, 1))).astype(np.uint8)
