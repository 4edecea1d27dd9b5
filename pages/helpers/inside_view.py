"""The Inside page's live part: its charts are redrawn while the model trains (by
training_run.run_training, as the Train page's are) and once when it does not; the
gradients and one-example sections; the page's training callbacks.

Every chart is drawn from a snapshot of the model (a copy taken under the tab's
training lock), so looking never disturbs an epoch under way.
"""
import numpy as np
import streamlit as st

from nnlab.core import hyperparams
from nnlab.viz import figures, inspect
from nnlab.viz import figures_inside as fi
from pages.helpers import common
from pages.helpers import training_run as tr
from pages.helpers.train_view import TrainView

BATCH = 1000  # the fixed batch every statistic is measured on: the first 1,000 validation examples
RECORD_HELP = (hyperparams.get("record_grads").help + " New models on this tab record them unless you turn this "
               "off; switching it changes the model that trains now from its next epoch.")


def inspection_batch(data):
    """(X, y, where): the first BATCH validation examples, or test ones without a validation set."""
    if data.X_val is not None and len(data.X_val):
        return data.X_val[:BATCH], data.y_val[:BATCH], "validation"
    return data.X_test[:BATCH], data.y_test[:BATCH], "test"


def formulas(*tex):
    """Formulas side by side, one st.latex each: columns stack on a phone, so none is cut off."""
    for column, formula in zip(st.columns(len(tex)), tex):
        column.latex(formula)


def snapshot():
    with st.session_state.live.lock:  # not in the middle of an epoch's step
        return inspect.snapshot(st.session_state.net)


class InsideView(TrainView):
    """What run_training redraws, for the Inside page: the progress line and the
    sections' charts (each section adds a `painter(snapshot, history, key_suffix)`)."""

    def __init__(self, model_status=None):
        # Not TrainView.__init__: no loss and accuracy charts here; run_training needs these.
        self.model_status = model_status
        self.progress, self.last_run = st.empty(), st.empty()
        self.redraws, self.charted, self.live = 0, None, False
        self.painters = []

    def draw(self, trainer, history):
        self.redraws += 1
        self.charted = trainer.epoch if trainer is not None else len(history)
        if trainer is not None:
            self.draw_progress(trainer, history)
        snap = snapshot()
        suffix = f"_{self.redraws}" if self.live else ""  # live: a new chart key per redraw
        for paint in self.painters:
            paint(snap, history, suffix)
        if self.model_status is not None:
            with self.model_status.container():
                common.model_status_ui()


def run(view, token):
    """Train on live when the tab's model is training (Train on here, or Train pressed on the
    Train page before coming here); otherwise draw once."""
    trainer = st.session_state.trainer
    if trainer is not None and st.session_state.live.running:
        tr.run_training(view, token)
    else:
        view.draw(trainer, st.session_state.history)


def on_train():
    tr.on_train()
    s = st.session_state
    if not s.live.running and not s.ui_notice and not s.ui_error:  # the controls need a new model
        s.ui_notice = ("The controls on **Train** now describe another network than this model's: change them "
                       "back there to train this one on, or press **Reset** there to start a new one.")


def on_record_toggle():
    on = bool(st.session_state.inside_record)
    st.session_state.record_grads = on
    if st.session_state.trainer is not None:
        st.session_state.trainer.record_grads = on  # read at the start of each epoch


def _record_and_train():
    st.session_state.inside_record = True
    on_record_toggle()
    on_train()


# ---------------------------------------------------------------- gradients
def gradients_ui(view, net, X, y, where):
    st.subheader("Gradients per layer, epoch by epoch")
    st.markdown("How large each layer's weight gradient is (the size of the signal backpropagation brings "
                "it), and how much one step changes its weights. Going down from the output, every layer "
                "multiplies the signal by its weights and by the slope f′: with several **sigmoid** layers "
                "(σ′ ≤ ¼) the lines fan out on the log axis, the first layers get gradients many times smaller "
                "and barely learn — **vanishing gradients**. With **ReLU** and He initialisation they stay close.")
    formulas(r"\delta^{(l)} = \big(\delta^{(l+1)}\,W^{(l+1)\top}\big) \odot f'\big(z^{(l)}\big)",
             r"\frac{\partial L}{\partial W^{(l)}} = a^{(l-1)\top}\,\delta^{(l)}",
             r"\text{update/weight} = \frac{\lVert \Delta W^{(l)} \rVert}{\lVert W^{(l)} \rVert}")
    left, right = st.columns(2)
    norms, ratios, note = left.empty(), right.empty(), st.empty()
    names = inspect.layer_names(net)

    def paint(snap, history, suffix):
        recorded = [r for r in history if r.get("grad_norms")]
        if recorded:
            norms.plotly_chart(fi.gradient_norms_figure(history, names), key="inside_grads" + suffix,
                               config={"displayModeBar": False})
            ratios.plotly_chart(fi.update_ratio_figure(history, names), key="inside_ratios" + suffix,
                                config={"displayModeBar": False})
            missing = len(history) - len(recorded)
            note.caption("Each point: the mean over 8 batches spread over the epoch. The update/weight ratio is "
                         "often around 10⁻³ (dotted): far below, a layer hardly moves; far above, training can "
                         "become unstable." + (f" {missing} epoch{'s' if missing != 1 else ''} trained without "
                                               "recording are left out." if missing else ""))
            return
        now = inspect.gradient_norms(snap, X[:256], y[:256])
        norms.plotly_chart(fi.gradient_now_figure(now, names), key="inside_grads_now" + suffix,
                           config={"displayModeBar": False})
        with ratios.container():
            _not_recorded_ui(where)
        note.empty()
    view.painters.append(paint)


def _not_recorded_ui(where):
    trainer = st.session_state.trainer
    st.markdown(f"Left: the gradient norms **now**, on 256 {where} examples — one moment, not the story.")
    if trainer is None:
        st.info("This model was loaded from a file saved without gradient statistics, so there is no chart per "
                "epoch. Train a model on **Train** (with **Record gradient statistics** on) to see them epoch by "
                "epoch.", icon=":material/info:")
    elif not trainer.record_grads:
        st.info("**Recording was off** while this model trained. Turn it on and train on: the chart per epoch "
                "starts with the next epoch. (To see it from epoch 1: **Reset** and **Train** on the Train page.)",
                icon=":material/info:")
        st.button("Record and train on", icon=":material/monitoring:", on_click=_record_and_train,
                  key="inside_record_train")
    else:
        st.info("Recording is on: the chart per epoch appears after the next epoch.", icon=":material/info:")


# -------------------------------------------------------------- one example
def example_ui(view, net, data, X, y, where):
    st.subheader("One example through the network")
    drawn = st.session_state.drawn_input
    drawn_ok = drawn is not None and drawn[0].shape[1] == net.config.n_inputs
    c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
    source = where
    if drawn_ok:
        source = c1.radio("Example", [where, "drawing"], horizontal=True, key="inside_source",
                          format_func=lambda o: "your drawing on Draw" if o == "drawing" else f"a {o} example")
    if source == where:
        i = int(c2.number_input(f"Which {where} example (0 to {len(X) - 1:,})", 0, len(X) - 1, 0, 1,
                                key="inside_example"))
        x, true, image = X[i:i + 1], int(y[i]), X[i]
    else:
        x, true, image = drawn[0], None, drawn[1]
    if not drawn_ok and data.image_shape:
        c1.caption("Or draw a digit on **Draw**: it can go through the network here too.")
    formulas(r"a^{(l)} = f\big(a^{(l-1)} W^{(l)} + b^{(l)}\big)", r"p_k = \frac{e^{z_k}}{\sum_j e^{z_j}}")
    st.caption("Each strip is one hidden layer's output for this example, one cell per unit: white = 0 (a silent "
               "unit), red = positive, blue = negative. Few units speak for any one image: that is what each "
               "layer passes on. Then the output: the probability of each class.")
    left, mid, right = st.columns([1, 4, 3])
    picture, strips, probs = left.empty(), mid.empty(), right.empty()
    names = inspect.layer_names(net)[:-1]
    shape = data.image_shape if data.image_shape and int(np.prod(data.image_shape)) == x.shape[1] else None

    def paint(snap, history, suffix):
        trace = inspect.forward_trace(snap, x)
        if shape:
            picture.image(figures.image_array(np.reshape(image, shape), 1.0, scale=max(1, 128 // shape[0])),
                          caption="the input", width=128)
        if trace["hidden"]:
            strips.plotly_chart(fi.activation_strips_figure([a[0] for a in trace["hidden"]], names,
                                                            net.config.activations),
                                key="inside_strips" + suffix, config={"displayModeBar": False})
        probs.plotly_chart(figures.probability_figure(trace["proba"][0], data.classes, true),
                           key="inside_probs" + suffix, config={"displayModeBar": False})
    view.painters.append(paint)
