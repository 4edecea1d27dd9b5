"""Inside: what the network has learned and how it learns — its first-layer weights,
each layer's activations, the gradients per layer over training, one example layer by
layer, and the gradient check.  The numbers come from nnlab.viz.inspect (no Streamlit)."""
import numpy as np
import pandas as pd
import streamlit as st

from nnlab.core import hyperparams
from nnlab.viz import figures, inspect
from nnlab.viz import figures_inside as fi
from pages.helpers import common, errors, inside_check, inside_view, state, wording
from pages.helpers import training_run as tr

TOP_IMAGES = 8
PAGE_UNITS = 64  # weight tiles per page of the grid


def intro_ui():
    st.title("Inside")
    st.markdown("What the network has learned and how it learns: the weights of its first layer as pictures, "
                "what each layer outputs, how large the gradients are in each layer as it trains, one example "
                "through every layer, and a check that backpropagation computes the right gradients.")


def no_model_ui():
    st.info("There is no model yet to look inside. **Train first or load a model**: train one on the **Train** "
            "page, or load a saved one on **Evaluate**.", icon=":material/info:")
    c1, c2 = st.columns(2)
    c1.page_link("pages/train.py", label="Go to Train", icon=":material/model_training:")
    c2.page_link("pages/evaluate.py", label="Load a model on Evaluate", icon=":material/upload_file:")


def training_ui():
    """Train on / Stop (a model trained here), and whether new epochs record gradient statistics."""
    trainer = st.session_state.trainer
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    if trainer is not None:
        row.button("Train on", type="primary", icon=":material/play_arrow:", on_click=inside_view.on_train,
                   help="Go on training this model to its last epoch, watching the charts below change.")
        row.button("Stop", icon=":material/stop:", on_click=tr.on_stop, help="Pause training.")
    if "inside_record" not in st.session_state:  # the toggle shows the tab's setting
        st.session_state.inside_record = st.session_state.record_grads
    row.toggle(hyperparams.get("record_grads").label, key="inside_record", on_change=inside_view.on_record_toggle,
               help=inside_view.RECORD_HELP)
    for key, show in (("ui_error", st.error), ("ui_notice", st.info)):
        if st.session_state[key]:
            show(st.session_state[key])
            st.session_state[key] = ""


# ------------------------------------------------------------------ weights
def _on_tile_click():
    """A click on a tile of the grid chooses that unit (a callback: once per click)."""
    event = st.session_state.get("inside_weights") or {}
    for point in event.get("selection", {}).get("points", []):
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)) and custom:
            st.session_state.inside_unit = int(custom[0])
            return


def weights_ui(view, net, data, X, y, where):
    st.subheader("First-layer weights")
    first = "hidden unit" if net.config.hidden else "output class (no hidden layer)"
    if not data.image_shape or int(np.prod(data.image_shape)) != net.config.n_inputs:
        st.info(f"**{wording.dataset_title(data)}** is made of plain features, not images, so the weights cannot be "
                "drawn as pictures. The rest of this page works as usual.", icon=":material/info:")
        return
    n = net.dense_layers[0].n_out
    h, w = data.image_shape
    st.markdown(f"Each tile is one {first}'s {h * w} incoming weights, laid out like the {h}x{w} image: **red** "
                "pixels raise the unit's sum when the image has ink there, **blue** ones lower it, white ones do "
                "not matter. Click a tile (or choose a unit) to see the images that excite it most.")
    inside_view.formulas(r"z_j = \sum_i x_i\,W_{ij} + b_j", r"a_j = f(z_j)")
    c1, c2, c3 = st.columns([2, 2, 3], vertical_alignment="bottom")
    order = c1.selectbox("Order", list(inspect.UNIT_ORDERS), key="inside_order",
                         help="unit number; strongest weights (‖w‖); most or least active on the validation batch "
                              "(a dead ReLU unit is among the least active).")
    pages = max(1, -(-n // PAGE_UNITS))
    page = c2.selectbox("Units", list(range(pages)), key="inside_page", disabled=pages == 1,
                        format_func=lambda p: f"{p * PAGE_UNITS + 1}–{min(n, (p + 1) * PAGE_UNITS)} of {n}")
    own = c3.toggle("Each tile on its own scale", value=True, key="inside_own_scale",
                    help="On: each tile is scaled to its own largest weight, so every pattern is visible, "
                         "whatever its size. Off: one scale for all tiles, so weak units look pale.")
    if st.session_state.get("inside_unit") not in range(n):
        st.session_state.inside_unit = 0
    left, right = st.columns([3, 2])
    grid = left.empty()
    with right:
        unit = st.selectbox("Unit", list(range(n)), key="inside_unit", format_func=lambda u: f"unit {u}",
                            help="Or click its tile in the grid.")
        detail = st.empty()

    def paint(snap, history, suffix):
        tiles = inspect.weight_tiles(snap, data.image_shape)
        units = inspect.unit_order(snap, X, order)[page * PAGE_UNITS:(page + 1) * PAGE_UNITS]
        fig = fi.weights_grid_figure(tiles[units], units, selected=unit, per_tile_scale=own,
                                     title=f"Weights into each {first.split(' (')[0]}")
        if suffix:  # live: a new key per redraw, no clicks
            grid.plotly_chart(fig, key="inside_weights" + suffix, config={"displayModeBar": False})
        else:
            grid.plotly_chart(fig, key="inside_weights", on_select=_on_tile_click, selection_mode="points",
                              config={"displayModeBar": False})
        best, z = inspect.top_images(snap, X, unit, TOP_IMAGES)
        with detail.container():
            st.caption(f"Unit {unit}'s weights, then the {len(best)} {where} images with the largest sum z "
                       "(their class in brackets): what it looks for.")
            scale = max(1, 72 // h)
            images = [fi.diverging_rgb(tiles[unit], scale)] + [
                figures.image_array(X[i].reshape(h, w), 1.0, scale=scale) for i in best]
            captions = ["weights"] + [f"z = {v:.2f} ({data.classes[y[i]]})" for i, v in zip(best, z)]
            st.image(images, caption=captions, width=72)
    view.painters.append(paint)


# -------------------------------------------------------------- activations
def activations_ui(view, net, X, where):
    st.subheader("Activations")
    if not net.config.hidden:
        st.caption("This network has no hidden layer: nothing between the input and the output.")
        return
    st.markdown(f"What each hidden layer outputs on {len(X):,} {where} examples (% of all its values). Look for "
                "**dead** ReLU units — never positive on any example, so no gradient reaches their weights and "
                "they stop learning — and **saturated** sigmoid or tanh units, stuck near a limit where the "
                "slope (red bands) is almost 0.")
    inside_view.formulas(r"\mathrm{ReLU}'(z) = [z > 0]", r"\sigma'(z) = \sigma(z)\,(1-\sigma(z)) \le \tfrac14",
                         r"\tanh'(z) = 1 - \tanh^2 z \le 1")
    chart, table = st.empty(), st.empty()
    st.caption(f"Dead: never positive on these examples. Saturated: the slope f′(z) is below "
               f"{inspect.SATURATION_SLOPE:.0%} of its peak (sigmoid {inspect.saturation_rule('sigmoid')}, tanh "
               f"{inspect.saturation_rule('tanh')}) on at least {inspect.SATURATED_SHARE:.0%} of the examples.")

    def paint(snap, history, suffix):
        stats = inspect.layer_stats(snap, X)
        chart.plotly_chart(fi.activation_figure(stats), key="inside_acts" + suffix, config={"displayModeBar": False})
        table.table(stats_table(stats))
    view.painters.append(paint)


def _share(share, units):
    return "—" if share is None else f"{round(share * units)} of {units} ({share:.0%})"


def stats_table(stats) -> pd.DataFrame:
    label = hyperparams.get("activations").label_of
    return pd.DataFrame([{"Layer": r["layer"], "Activation": label(r["activation"]), "Mean": f"{r['mean']:.3f}",
                          "Positive": "—" if r["activation"] == "sigmoid" else f"{r['positive_share']:.0%}",
                          "Dead units": _share(r["dead_units"], r["units"]),
                          "Saturated units": _share(r["saturated_units"], r["units"])} for r in stats]).set_index("Layer")


def inside_page():
    status = common.frame()
    token = st.session_state.live.claim()  # first thing: this run owns the trainer (live_run.py)
    intro_ui()
    net = st.session_state.net
    if net is None:
        no_model_ui()
        training_ui()  # recording can be set before the first model
        inside_check.check_ui(None)
        return
    data = state.model_data()
    if data is None or data.n_features != net.config.n_inputs or data.n_classes != net.config.n_outputs:
        st.error(f"The data this model was trained on ({st.session_state.model_dataset}) cannot be loaded now; "
                 "choose it on the **Data** page, or train a new model.", icon=":material/error:")
        return
    X, y, where = inside_view.inspection_batch(data)
    view = inside_view.InsideView(status)
    training_ui()
    weights_ui(view, net, data, X, y, where)
    activations_ui(view, net, X, where)
    inside_view.gradients_ui(view, net, X, y, where)
    inside_view.example_ui(view, net, data, X, y, where)
    inside_check.check_ui(net, data)
    inside_view.run(view, token)


errors.run(inside_page)
