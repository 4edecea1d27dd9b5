"""Plotly figure builders (nnlab.viz.figures): pure functions, checked on their data."""
import math

import numpy as np
import plotly.graph_objects as go

from nnlab.viz import figures, figures_runs


def record(epoch, train_loss, val_loss=None, train_acc=None, val_acc=None):
    return {"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss, "train_accuracy": train_acc,
            "val_accuracy": val_acc, "lr": 0.01, "seconds": 0.01, "stopped_reason": None, "message": ""}


HISTORY = [record(1, 2.0, 2.1, 0.3, 0.25), record(2, 1.0, 1.2, 0.6, 0.55), record(3, 0.5, 0.7, 0.9, 0.8)]


def test_loss_figure_has_training_and_validation_curves():
    fig = figures.loss_figure(HISTORY)
    assert isinstance(fig, go.Figure)
    train, val = fig.data
    assert (train.name, val.name) == ("training", "validation")
    assert list(train.x) == [1, 2, 3] and list(train.y) == [2.0, 1.0, 0.5]
    assert list(val.y) == [2.1, 1.2, 0.7]
    assert "loss" in fig.layout.yaxis.title.text


def test_accuracy_figure_is_in_percent():
    fig = figures.accuracy_figure(HISTORY)
    np.testing.assert_allclose(fig.data[0].y, [30.0, 60.0, 90.0])
    np.testing.assert_allclose(fig.data[1].y, [25.0, 55.0, 80.0])
    assert tuple(fig.layout.yaxis.range) == (0, 100.5)


def test_curves_skip_missing_and_non_finite_points():
    """A diverged epoch has train_loss None; a run without validation has val_* None."""
    history = [record(1, 1.0), record(2, None), record(3, math.inf), record(4, 0.5)]
    fig = figures.loss_figure(history)
    assert list(fig.data[0].x) == [1, 4]
    assert len(fig.data[1].x) == 0


def test_empty_history_gives_empty_charts():
    for build in (figures.loss_figure, figures.accuracy_figure):
        fig = build([])
        assert all(len(trace.x) == 0 for trace in fig.data)


def test_confusion_figure_counts_and_labels():
    cm = np.array([[5, 1], [2, 7]])
    fig = figures.confusion_figure(cm, ["cat", "dog"])
    heat = fig.data[0]
    assert heat.type == "heatmap"
    np.testing.assert_array_equal(np.array(heat.z), cm)
    assert list(heat.x) == ["cat", "dog"] and list(heat.y) == ["cat", "dog"]
    assert [list(r) for r in heat.text] == [["5", "1"], ["2", "7"]]
    assert fig.layout.xaxis.title.text == "predicted class" and fig.layout.yaxis.title.text == "true class"
    assert tuple(fig.layout.yaxis.range) == (1.5, -0.5)  # true class 0 on top, like the printed matrix
    assert len(fig.layout.shapes) == 0


def test_confusion_figure_normalised_and_selected_cell():
    fig = figures.confusion_figure(np.array([[0.75, 0.25], [0.0, 1.0]]), [0, 1], normalized=True, selected=(0, 1))
    assert [list(r) for r in fig.data[0].text] == [["75%", "25%"], ["0%", "100%"]]
    assert "share" in fig.layout.title.text
    (rect,) = fig.layout.shapes
    assert (rect.x0, rect.x1, rect.y0, rect.y1) == (0.5, 1.5, -0.5, 0.5)  # column = predicted 1, row = true 0


def test_probability_figure_highlights_the_prediction():
    probs = np.array([0.1, 0.7, 0.2])
    fig = figures.probability_figure(probs, ["a", "b", "c"])
    bar = fig.data[0]
    np.testing.assert_allclose(bar.y, [10, 70, 20])
    colors = list(bar.marker.color)
    assert colors[1] == figures.PRED_COLOR and colors[0] == colors[2] != figures.PRED_COLOR
    assert fig.layout.title.text.startswith("Prediction: b (70%)")
    assert "true: a" in figures.probability_figure(probs, ["a", "b", "c"], true_index=0).layout.title.text


def test_network_figure_caps_wide_layers_and_labels_sizes():
    fig = figures.network_figure([64, 128, 10], ["relu"], max_nodes=10)
    edges, nodes = fig.data
    assert len(nodes.x) == 10 + 10 + 10
    assert len(edges.x) == 3 * (10 * 10 + 10 * 10)  # each edge: x0, x1, None
    texts = [a.text for a in fig.layout.annotations]
    assert any("128 units" in t and "relu" in t for t in texts)
    assert texts.count("⋮") == 2  # the two wide layers: a gap where units are left out
    small = figures.network_figure([2, 3, 2])
    assert len(small.data[1].x) == 7 and "⋮" not in [a.text for a in small.layout.annotations]


def test_network_figure_has_one_label_per_layer_so_labels_cannot_run_together():
    """At 1024x768 the labels "10 of 64 shown" and "10 of 128 shown" above
    neighbouring layers ran into each other: now one label per layer, below it."""
    fig = figures.network_figure([784, 1024, 512, 10], ["relu", "relu"])
    labels = [a for a in fig.layout.annotations if a.text != "⋮"]
    assert [a.x for a in labels] == [0, 1, 2, 3]
    assert "1,024 units" in labels[1].text  # thousands separators like the rest of the page
    assert all(len(line) <= 12 for a in labels for line in a.text.replace("<b>", "").replace("</b>", "").split("<br>"))


def test_an_empty_canvas_shows_no_class_in_red():
    fig = figures.probability_figure(None, list(range(10)))
    bar = fig.data[0]
    assert list(bar.y) == [0.0] * 10 and figures.PRED_COLOR not in str(bar.marker.color)
    assert "nothing drawn" in fig.layout.title.text


def every_figure():
    """One figure of each builder (figures, figures_2d, figures_inside), by name."""
    from types import SimpleNamespace

    from nnlab.viz import figures_2d, figures_inside
    xs = np.linspace(-3, 3, 6, dtype=np.float32)
    proba = np.full((6, 6, 2), 0.5, np.float32)
    maps = SimpleNamespace(xs=xs, proba=proba, units=[np.ones((3, 6, 6), np.float32)])
    pts = SimpleNamespace(X_train=np.zeros((4, 2)), y_train=np.array([0, 1, 0, 1]), X_val=np.zeros((2, 2)),
                          y_val=np.array([0, 1]))
    grads = [{**r, "grad_norms": [0.1, 0.2], "update_ratios": [1e-3, 2e-3]} for r in HISTORY]
    stats = [{"layer": "hidden 1", "activation": "sigmoid", "values": np.linspace(0, 1, 50), "positive_share": 1.0,
              "dead_units": 0.0, "saturated_units": 0.1}]
    rows = [{"lr": 0.1, "l2": 1, "val_accuracy_mean": 0.5, "val_accuracy_std": 0.01}]
    marks = [{"epoch": 2, "note": "Epochs: 2 → 3"}]
    return {
        "loss": figures.loss_figure(HISTORY, marks), "accuracy": figures.accuracy_figure(HISTORY, marks),
        "confusion": figures.confusion_figure(np.eye(3), ["a", "b", "c"], selected=(0, 1)),
        "probability": figures.probability_figure([0.2, 0.8], ["x", "y"]),
        "network": figures.network_figure([64, 32, 10], ["relu"]),
        "compare": figures_runs.compare_figure({"run 1": HISTORY}, "loss", "Loss"),
        "sweep": figures_runs.sweep_figure(rows, "lr", log_x=True, best=rows[0]),
        "sweep grid": figures_runs.sweep_grid_figure(rows, "lr", "l2"),
        "boundary": figures_2d.boundary_figure(maps, pts), "units": figures_2d.units_figure(maps),
        "weights": figures_inside.weights_grid_figure(np.ones((2, 3, 3)), [0, 1], selected=1),
        "activations": figures_inside.activation_figure(stats),
        "gradient norms": figures_inside.gradient_norms_figure(grads, ["hidden 1", "output"]),
        "gradient now": figures_inside.gradient_now_figure([0.1, 0.2], ["hidden 1", "output"]),
        "strips": figures_inside.activation_strips_figure([np.ones(4)], ["hidden 1"], ["relu"]),
    }


def colours(node, path=""):
    """(path, value) of every colour-like key ("color", "bgcolor", ...) in a layout as plain JSON."""
    if isinstance(node, dict):
        for key, value in node.items():
            if "color" in key and isinstance(value, str):
                yield f"{path}.{key}", value
            else:
                yield from colours(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from colours(value, f"{path}[{i}]")


def test_every_figure_follows_the_page_theme_light_or_dark():
    """Issue 21: a white paper under the dark theme's near-white titles was unreadable.
    No figure sets a background or a text colour: Streamlit's chart theme gives the
    page's own, and redraws them when the theme changes (pages/helpers/style.py colours the text)."""
    for name, fig in every_figure().items():
        layout = fig.to_plotly_json()["layout"]
        assert "paper_bgcolor" not in layout and "plot_bgcolor" not in layout, name
        for path, value in colours(layout):
            assert not path.endswith("font.color"), (name, path, value)
            assert value.lower() not in ("white", "#fff", "#ffffff", "black", "#000", "#000000"), (name, path)


def test_tick_labels_are_large_for_a_projector():
    """Streamlit's chart theme draws unset tick labels at 12 px."""
    figs = [figures.loss_figure(HISTORY), figures.accuracy_figure(HISTORY),
            figures.confusion_figure(np.eye(3), ["a", "b", "c"]), figures.probability_figure([0.2, 0.8], ["x", "y"]),
            figures_runs.compare_figure({"run": HISTORY}, "loss", "Loss"),
            figures_runs.sweep_figure([{"lr": 0.1, "val_accuracy_mean": 0.5, "val_accuracy_std": 0}], "lr", log_x=True)]
    for fig in figs:
        for axis in (fig.layout.xaxis, fig.layout.yaxis):
            assert axis.tickfont.size >= 14 and axis.title.font.size >= 14


def test_image_array_is_dark_ink_on_white_and_upscaled():
    img = np.array([[0, 16], [8, 0]])
    out = figures.image_array(img, pixel_max=16, scale=3)
    assert out.shape == (6, 6) and out.dtype == np.uint8
    assert out[0, 0] == 255 and out[0, 5] == 0 and out[3, 0] == 127


def test_figures_serialise_to_json():
    """What st.plotly_chart sends to the browser must be valid plotly JSON."""
    import json

    import plotly.io

    for fig, kinds in ((figures.loss_figure(HISTORY), {"scatter"}),
                       (figures.confusion_figure(np.eye(3), range(3)), {"heatmap"}),
                       (figures.probability_figure([0.2, 0.8], [0, 1]), {"bar"}),
                       (figures.network_figure([4, 3, 2]), {"scatter"})):
        text = fig.to_json()
        spec = json.loads(text)  # valid JSON...
        assert {t["type"] for t in spec["data"]} >= kinds and "layout" in spec  # ...with the traces drawn
        again = plotly.io.from_json(text)  # ...that plotly reads back (it rejects unknown properties)
        assert json.loads(again.to_json()) == spec


def test_every_chart_is_for_looking_not_panning():
    """A drag (or a phone swipe) over a chart must not move it out of view."""
    figs = [figures.loss_figure(HISTORY), figures.accuracy_figure(HISTORY),
            figures.confusion_figure(np.eye(3), ["a", "b", "c"]), figures.probability_figure([0.2, 0.8], ["x", "y"]),
            figures.network_figure([64, 32, 10])]
    for fig in figs:
        assert fig.layout.dragmode is False
        assert fig.layout.xaxis.fixedrange and fig.layout.yaxis.fixedrange


def test_confusion_cells_are_clickable_markers_read_back_as_true_predicted():
    cm = np.array([[5, 1, 0], [2, 7, 0], [0, 3, 4]])
    fig = figures.confusion_figure(cm, ["a", "b", "c"])
    cells = fig.data[1]
    assert cells.type == "scatter" and len(cells.x) == 9
    k = 1 * 3 + 2  # row 1 (true b), column 2 (predicted c)
    assert (cells.y[k], cells.x[k], list(cells.customdata[k])) == ("b", "c", [1, 2])
    assert figures.clicked_cell([{"x": "c", "y": "b", "customdata": [1, 2]}]) == (1, 2)
    assert figures.clicked_cell([]) is None and figures.clicked_cell([{"x": "c"}]) is None


def test_confusion_hover_is_one_short_line():
    """The hover box ("true 3, predicted 5: 2" plus "click: show these images") covered the
    neighbouring cells: one short line now, in a smaller font."""
    fig = figures.confusion_figure(np.array([[5, 1], [2, 7]]), ["a", "b"])
    cells = fig.data[1]
    assert cells.hovertemplate == "%{y} read as %{x}: %{text}<extra></extra>"
    assert cells.hoverlabel.font.size < figures.FONT_SIZE


def test_class_names_from_a_csv_are_drawn_as_written():
    cm = np.array([[1, 0], [0, 1]])
    assert list(figures.confusion_figure(cm, ["<i>a</i>", "b&c"]).data[0].x) == ["&lt;i&gt;a&lt;/i&gt;", "b&amp;c"]
    fig = figures.probability_figure([0.9, 0.1], ["<i>a</i>", "b"])
    assert list(fig.data[0].x)[0] == "&lt;i&gt;a&lt;/i&gt;" and "&lt;i&gt;a&lt;/i&gt;" in fig.layout.title.text


def test_settings_changes_are_marked_between_epochs():
    fig = figures.loss_figure(HISTORY, marks=[{"epoch": 2, "note": "Learning rate: 0.002 → 0.01"}])
    line = fig.layout.shapes[0]
    assert (line.x0, line.x1, line.line.dash) == (2.5, 2.5, "dash")
    assert fig.layout.annotations[0].text == "Learning rate: 0.002 → 0.01"
    long = figures.accuracy_figure(HISTORY, marks=[{"epoch": 1, "note": "x" * 100}])
    assert len(long.layout.annotations[0].text) == figures.MARK_LABEL_CHARS
    assert long.layout.annotations[0].hovertext == "x" * 100


def test_a_diverged_first_epoch_is_shown_not_an_empty_chart():
    diverged = dict(record(1, None), diverged_loss=4.51e6)
    for build in (figures.loss_figure, figures.accuracy_figure):
        fig = build([diverged])
        assert "exploded (to 4.51e+06)" in fig.layout.annotations[0].text
        assert fig.layout.xaxis.dtick == 1  # whole epochs, no tick at 0.6 or 1.4


def test_compare_figure_one_colour_per_run_train_and_validation():
    from nnlab.viz.figures_runs import compare_figure

    h = [{"epoch": i + 1, "train_loss": 1 / (i + 1), "val_loss": 1.1 / (i + 1)} for i in range(4)]
    fig = compare_figure({"lr 0.1": h, "lr 0.01": h[:2]}, "loss", "Loss")
    assert [(t.name, t.meta, t.showlegend) for t in fig.data] == [
        ("lr 0.1", "training", False), ("lr 0.1", "validation", True),
        ("lr 0.01", "training", False), ("lr 0.01", "validation", True)]  # the legend: each run once
    assert fig.data[0].line.color == fig.data[1].line.color != fig.data[2].line.color
    assert list(fig.data[3].y) == [1.1, 0.55] and fig.layout.dragmode is False
    two = compare_figure([("run 1", h), ("run 1", h)], "loss", "Loss")  # two runs of one name: both drawn
    assert len(two.data) == 4 and two.data[0].line.color != two.data[2].line.color


def test_compare_figure_shows_a_run_s_name_as_written_not_as_html():
    """A run named <b>my run</b> was drawn bold in the legend and the hover (issue 21 §5)."""
    from nnlab.viz.figures_runs import compare_figure

    h = [{"epoch": 1, "train_loss": 1.0, "val_loss": 1.1}]
    fig = compare_figure({"<b>my run</b> & %{y}": h}, "loss", "Loss")
    assert {t.name for t in fig.data} == {"&lt;b&gt;my run&lt;/b&gt; &amp; %{y}"}
    assert all("my run" not in t.hovertemplate and "%{fullData.name}" in t.hovertemplate for t in fig.data)


def test_legends_under_the_charts_keep_clear_of_the_epoch_axis_title():
    """A legend at a paper y below the plot (-0.2) landed on the "epoch" title (Compare and
    Inside's gradient charts): it sits at the figure's bottom edge, in a strip plotly keeps
    for it, with the axis title fitted above (checked in Chromium: no overlap)."""
    from nnlab.viz import figures_inside

    h = [{"epoch": 1, "train_loss": 1.0, "val_loss": 1.1, "grad_norms": [0.1, 0.01]}]
    for fig in (figures_runs.compare_figure({"a": h}, "loss", "Loss"),
                figures_inside.gradient_norms_figure(h, ["layer 1", "output"]),
                figures_inside.update_ratio_figure([dict(h[0], update_ratios=[1e-3, 1e-4])], ["layer 1", "output"])):
        legend = fig.layout.legend
        assert (legend.orientation, legend.yref, legend.y, legend.yanchor) == ("h", "container", 0, "bottom")
        assert fig.layout.xaxis.title.text == "epoch" and fig.layout.xaxis.automargin


def test_sweep_figure_log_axis_error_bars_and_the_best_marked():
    import pytest

    from nnlab.viz.figures_runs import sweep_figure, sweep_grid_figure

    rows = [{"l2": v, "val_accuracy_mean": a, "val_accuracy_std": 0.01} for v, a in ((1.0, 0.9), (0.01, 0.8))]
    fig = sweep_figure(rows, "l2", log_x=True, best=rows[0])
    assert fig.layout.xaxis.type == "log" and list(fig.data[0].x) == [0.01, 1.0]
    assert list(fig.data[0].y) == pytest.approx([80, 90]) and list(fig.data[0].error_y.array) == pytest.approx([1, 1])
    assert fig.data[1].name == "best" and list(fig.data[1].x) == [1.0]
    cat = sweep_figure([{"act": "relu", "val_accuracy_mean": 0.9, "val_accuracy_std": 0}], "act", log_x=False)
    assert cat.layout.xaxis.type == "category"
    grid = sweep_grid_figure([{"lr": 0.1, "l2": 1, "val_accuracy_mean": 0.5},
                              {"lr": 0.01, "l2": 1, "val_accuracy_mean": 0.75}], "lr", "l2")
    assert list(grid.data[0].x) == ["0.01", "0.1"] and grid.data[0].z[0] == [75.0, 50.0]


def wcag_contrast(a: str, b: str) -> float:
    def lum(h):
        c = [int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        c = [x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_layer_lines_show_on_the_light_and_the_dark_page():
    """The Inside page's per-layer lines ran from light to dark blue: the output layer's
    vanished on the dark theme (#171614), the first layer's on white.  WCAG asks 3:1 of graphics."""
    from nnlab.viz import figures_inside
    for n in range(1, 9):
        for colour in figures_inside.layer_colors(n):
            assert wcag_contrast(colour, "#ffffff") >= 3 and wcag_contrast(colour, "#171614") >= 3, colour
