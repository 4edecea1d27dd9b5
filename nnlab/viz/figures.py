"""Plotly figure builders for the dashboard: plain data in, `go.Figure` out.

No Streamlit here, so each builder is tested on its own.  Fonts are large:
the dashboard is used on projectors.

Each figure is built in one `go.Figure(dict(data=..., layout=...))` call with
template "none": plotly validates a whole spec once that way, ~10x faster
than `update_layout`/`update_xaxes` calls and a named template (~50 ms per
figure), which matters when the training charts redraw several times a second.

The charts are for looking, not panning: dragging does nothing (`dragmode=False`,
fixed axes), so a drag or a swipe over a chart never moves it out of view.

No background, grid or text colour is set here: the dashboard draws the charts
with Streamlit's chart theme (`st.plotly_chart(theme="streamlit")`, its default),
which fills in whatever a figure leaves unset from the page's light or dark theme,
and redraws them when the user switches theme; pages/helpers/style.py makes their text the
page's own text colour.  A figure that hard-codes them is unreadable in the other
theme (a white paper under the dark theme's near-white titles: issue 21,
docs/themes.md).  Colours that carry meaning (the series, the classes, the
heatmaps) stay fixed: they read on both backgrounds.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nnlab.viz import escape

FONT_SIZE = 16
TICK_SIZE = 15  # tick labels: Streamlit's theme would draw them at 12 px, too small on a projector
TRAIN_COLOR = "#1f77b4"
VAL_COLOR = "#ff7f0e"
BAR_COLOR = "#9db4cf"
PRED_COLOR = "#d62728"
MARK_COLOR = "#7f7f7f"  # mid grey: seen on a white and on a dark background
NOTE_BG = "rgba(128,128,128,0.15)"  # behind a note over the curves: a shade darker in light, lighter in dark
MARK_LABEL_CHARS = 48  # a longer settings note is cut (the full text shows on hover)
# A legend under the chart, at the bottom of the figure ("container"): plotly keeps that
# strip for it and fits the x-axis title above it, so the two never overlap (a legend
# placed at a paper y below the axis lands on the title: issue 21).
LEGEND_BELOW = dict(orientation="h", xref="paper", x=0, xanchor="left", yref="container", y=0, yanchor="bottom",
                    font=dict(size=FONT_SIZE - 2))


def _figure(data, title: str, height: int = 340, xaxis=None, yaxis=None, **layout) -> go.Figure:
    # Font sizes only: Streamlit's chart theme fills in every colour from the page's theme.
    axis = dict(zeroline=False, automargin=True, fixedrange=True, tickfont=dict(size=TICK_SIZE),
                title=dict(font=dict(size=FONT_SIZE)))
    return go.Figure(dict(data=data, layout=dict(
        template="none", dragmode=False,
        title=dict(text=title, x=0.01, font=dict(size=FONT_SIZE + 2)),
        height=height, font=dict(size=FONT_SIZE), margin=dict(l=10, r=10, t=50, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        xaxis=_merge(axis, xaxis), yaxis=_merge(axis, yaxis), **layout)))


def _merge(base: dict, extra) -> dict:
    """`base` updated by `extra`, one level deep (an axis title's text keeps the common font)."""
    out = dict(base)
    for key, value in (extra or {}).items():
        out[key] = {**out[key], **value} if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _series(history, key):
    """(epochs, values) for the records where `key` has a finite number."""
    pts = [(r["epoch"], r[key]) for r in history if r.get(key) is not None and np.isfinite(r[key])]
    return [p[0] for p in pts], [float(p[1]) for p in pts]


def _marks(history, marks, n_epochs):
    """Shapes and notes for the settings changes (dashed lines between epochs) and a
    divergence (a red note at the epoch where the loss exploded)."""
    shapes, notes = [], []
    for m in marks or ():
        x = m["epoch"] + 0.5
        label = m["note"] if len(m["note"]) <= MARK_LABEL_CHARS else m["note"][:MARK_LABEL_CHARS - 1] + "…"
        shapes.append(dict(type="line", x0=x, x1=x, y0=0, y1=1, yref="paper",
                           line=dict(color=MARK_COLOR, width=2, dash="dash")))
        right_half = x > 0.5 * n_epochs  # the label goes on the side with room: never cut at the edge
        notes.append(dict(x=x, y=1, yref="paper", text=label, hovertext=m["note"], showarrow=False,
                          xanchor="right" if right_half else "left", yanchor="top", align="left", bgcolor=NOTE_BG,
                          font=dict(size=FONT_SIZE - 3)))
    for r in history:
        if r.get("diverged_loss") is not None:
            to = f" (to {r['diverged_loss']:.3g})" if np.isfinite(r["diverged_loss"]) else ""
            shapes.append(dict(type="rect", x0=r["epoch"] - 0.5, x1=r["epoch"] + 0.5, y0=0, y1=1, yref="paper",
                               fillcolor="rgba(214,39,40,0.12)", line=dict(width=0)))
            lines = [f"epoch {r['epoch']}:", "the loss", f"exploded{to}"]
            # red in the text itself (a note's own colour is the page's text colour: pages/helpers/style.py)
            notes.append(dict(x=r["epoch"], y=0.5, yref="paper", showarrow=False, font=dict(size=FONT_SIZE - 2),
                              text="<br>".join(f'<span style="color:{PRED_COLOR}">{t}</span>' for t in lines)))
    return shapes, notes


def _curves(history, keys_names, title, yaxis_title, percent=False, marks=()) -> go.Figure:
    data = []
    for key, name, color in keys_names:
        x, y = _series(history, key)
        if percent:
            y = [100.0 * v for v in y]
        data.append(dict(type="scatter", x=x, y=y, name=name, mode="lines+markers" if len(x) < 60 else "lines",
                         line=dict(color=color, width=3), marker=dict(size=6)))
    n = max((r["epoch"] for r in history), default=0)
    xaxis = dict(title=dict(text="epoch"), range=[0.5, max(n, 1) + 0.5])  # fixed: room for the first epoch
    if n < 10:  # few points: whole epochs only (no ticks at 0.6, 0.8, ...)
        xaxis.update(tick0=1, dtick=1)
    yaxis = dict(title=dict(text=yaxis_title), rangemode="tozero")
    if percent:
        yaxis["range"] = [0, 100.5]
    shapes, notes = _marks(history, marks, n)
    return _figure(data, title, xaxis=xaxis, yaxis=yaxis, shapes=shapes, annotations=notes)


def loss_figure(history: list, marks=()) -> go.Figure:
    """Training and validation loss per epoch (records as yielded by Trainer.run).
    marks: Trainer.marks, [{"epoch": n, "note": text}]: a dashed line after epoch n."""
    return _curves(history, [("train_loss", "training", TRAIN_COLOR), ("val_loss", "validation", VAL_COLOR)],
                   "Loss (lower is better)", "loss", marks=marks)


def accuracy_figure(history: list, marks=()) -> go.Figure:
    """Training and validation accuracy per epoch, in percent."""
    return _curves(history, [("train_accuracy", "training", TRAIN_COLOR),
                             ("val_accuracy", "validation", VAL_COLOR)],
                   "Accuracy (higher is better)", "accuracy (%)", percent=True, marks=marks)


def confusion_figure(cm, classes, normalized: bool = False, selected=None) -> go.Figure:
    """Confusion matrix heatmap: rows = true class, columns = predicted class.

    cm: (n_classes, n_classes) counts, or row fractions when `normalized`.
    selected: optional (true_index, predicted_index) cell to outline.

    A heatmap cannot be clicked in Streamlit (its plotly selection events carry
    no points for heatmaps), so a second trace lays one invisible square marker
    on each cell: a click selects that marker, whose customdata is
    [true_index, predicted_index] (read back by `clicked_cell`)."""
    cm = np.asarray(cm, dtype=float)
    labels = [escape.chart(c) for c in classes]  # a CSV's class names are user text
    text = [[f"{v:.0%}" if normalized else f"{int(v)}" for v in row] for row in cm]
    heat = dict(type="heatmap", z=cm.tolist(), x=labels, y=labels, text=text, texttemplate="%{text}",
                colorscale="Blues", textfont=dict(size=FONT_SIZE), showscale=False, xgap=2, ygap=2,
                hoverinfo="skip")
    n = len(labels)
    cells = dict(type="scatter", mode="markers", x=[labels[p] for t in range(n) for p in range(n)],
                 y=[labels[t] for t in range(n) for p in range(n)],
                 customdata=[[t, p] for t in range(n) for p in range(n)],
                 text=[text[t][p] for t in range(n) for p in range(n)],
                 marker=dict(symbol="square", size=30, color="rgba(0,0,0,0)"),
                 selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=1)),
                 # one short line ("3 read as 5: 2"): a two-part box covered the neighbouring cells
                 hovertemplate="%{y} read as %{x}: %{text}<extra></extra>", hoverlabel=dict(font=dict(size=FONT_SIZE - 3)),
                 showlegend=False)
    shapes = []
    if selected is not None:
        t, p = selected
        shapes.append(dict(type="rect", x0=p - 0.5, x1=p + 0.5, y0=t - 0.5, y1=t + 0.5,
                           line=dict(color=PRED_COLOR, width=4)))
    tick = dict(type="category", tickfont=dict(size=FONT_SIZE), showgrid=False)
    title = "Confusion matrix" + (" (share of each true class)" if normalized else " (counts)")
    return _figure([heat, cells], title, height=max(360, 42 * len(labels) + 110),
                   # fixed ranges: the cell markers would otherwise pad the axes with an empty band
                   xaxis=dict(title=dict(text="predicted class"), side="bottom", range=[-0.5, n - 0.5], **tick),
                   yaxis=dict(title=dict(text="true class"), range=[n - 0.5, -0.5], **tick),  # row 0 on top
                   shapes=shapes)


def clicked_cell(points):
    """(true_index, predicted_index) of the first clicked cell of a confusion
    figure, from Streamlit's selection event points (None if there is none)."""
    for point in points or ():
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)) and len(custom) == 2:
            try:
                return int(custom[0]), int(custom[1])
            except (TypeError, ValueError):
                continue
    return None


def probability_figure(probs, classes, true_index=None) -> go.Figure:
    """Bar chart of the predicted probabilities; the predicted class in red.
    probs=None: nothing drawn yet, so no bars and no class in red."""
    labels = [escape.chart(c) for c in classes]  # a CSV's class names are user text
    if probs is None:
        bar = dict(type="bar", x=labels, y=[0.0] * len(labels), marker=dict(color=BAR_COLOR), hoverinfo="skip")
        return _probability_layout([bar], "Prediction: (nothing drawn yet)")
    probs = np.asarray(probs, dtype=float).ravel()
    best = int(np.argmax(probs)) if probs.size else -1
    bar = dict(type="bar", x=labels, y=(100 * probs).tolist(),
               marker=dict(color=[PRED_COLOR if i == best else BAR_COLOR for i in range(len(probs))]),
               text=[f"{100 * p:.0f}%" for p in probs], textposition="outside",
               hovertemplate="%{x}: %{y:.1f}%<extra></extra>")
    title = f"Prediction: {labels[best]} ({100 * probs[best]:.0f}%)" if best >= 0 else "Prediction"
    if true_index is not None:
        title += f" — true: {labels[true_index]}"
    return _probability_layout([bar], title)


def _probability_layout(data, title) -> go.Figure:
    return _figure(data, title, height=320, showlegend=False,
                   xaxis=dict(type="category", title=dict(text="class"), tickfont=dict(size=FONT_SIZE + 2)),
                   yaxis=dict(range=[0, 115], title=dict(text="probability (%)"), showticklabels=False))


def _node_rows(n: int, max_nodes: int):
    """Vertical positions of a layer's drawn nodes.  A layer wider than `max_nodes`
    gets max_nodes nodes with a gap in the middle, where a "⋮" says units are left out."""
    if n <= max_nodes:
        return np.linspace(-1, 1, n) if n > 1 else np.zeros(1)
    slots = np.linspace(-1, 1, max_nodes + 1)
    return np.delete(slots, max_nodes // 2)


def network_figure(sizes, activations=None, max_nodes: int = 10) -> go.Figure:
    """The layers as columns of nodes joined by lines.  A wide layer is drawn with
    `max_nodes` nodes and a "⋮" in the gap; its label below gives its real size (one
    short label per layer, so neighbouring labels never run into each other)."""
    sizes = [int(s) for s in sizes]
    names = ["input"] + [f"hidden {i}" for i in range(1, len(sizes) - 1)] + ["output"]
    acts = list(activations or [])
    cols = [_node_rows(n, max_nodes) for n in sizes]
    edge_x, edge_y = [], []
    for i in range(len(sizes) - 1):
        for y0 in cols[i]:
            for y1 in cols[i + 1]:
                edge_x += [i, i + 1, None]
                edge_y += [float(y0), float(y1), None]
    node_x = [i for i, ys in enumerate(cols) for _ in ys]
    node_y = [float(y) for ys in cols for y in ys]
    data = [
        dict(type="scatter", x=edge_x, y=edge_y, mode="lines", hoverinfo="skip", showlegend=False,
             line=dict(color="rgba(120,120,120,0.25)", width=1)),
        dict(type="scatter", x=node_x, y=node_y, mode="markers", hoverinfo="skip", showlegend=False,
             marker=dict(size=14, color="#ffffff", line=dict(color=TRAIN_COLOR, width=2))),
    ]
    notes = []
    for i, n in enumerate(sizes):
        label = f"<b>{names[i]}</b><br>{n:,} units"
        if 0 < i < len(sizes) - 1 and i - 1 < len(acts):
            label += f"<br>{acts[i - 1]}"
        notes.append(dict(x=i, y=-1.2, text=label, showarrow=False, yanchor="top", font=dict(size=FONT_SIZE - 2)))
        if n > max_nodes:  # the gap left by _node_rows
            notes.append(dict(x=i, y=0, text="⋮", showarrow=False, font=dict(size=FONT_SIZE + 4)))
    hidden = dict(visible=False, showgrid=False)
    return _figure(data, "", height=300, annotations=notes,
                   xaxis=dict(range=[-0.5, len(sizes) - 0.5], **hidden), yaxis=dict(range=[-2.1, 1.2], **hidden))


def image_array(img, pixel_max: float = 1.0, scale: int = 16) -> np.ndarray:
    """A small grey image (values 0..pixel_max, ink = high) as an upscaled
    uint8 array for st.image: dark ink on white, sharp pixel blocks."""
    a = np.clip(np.asarray(img, dtype=float) / float(pixel_max), 0.0, 1.0)
    a = np.kron(a, np.ones((scale, scale)))
    return (255 * (1.0 - a)).astype(np.uint8)
