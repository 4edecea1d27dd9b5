"""Running training inside a Streamlit script: build the model from the
controls, consume `Trainer.run()` and redraw at a bounded rate.

How Stop works: a button press while the script is looping makes Streamlit
stop this run at its next `st.*` call and start a new one.  The trainer
lives in st.session_state, so every finished epoch is kept; the new run sees
`running == False` (set by Stop's callback) and just draws the result.  A
rerun caused by any other widget leaves `running` True, so training carries
on where it was.
"""
from __future__ import annotations

import time

import streamlit as st

from nnlab import figures
from nnlab.network import Network
from nnlab.training import DIVERGED, Trainer

from pages import common, controls

# Redraw rates while training.  The progress bar is one small message; a chart
# redraw costs ~20 ms of plotly on the server (in the training thread) plus a
# re-render in the browser, which shares the CPU with training.  Measured on the
# digits preset in headless Chromium: charts every 0.25 s cost ~9 % of the run in
# the server's draws alone.
PROGRESS_SECONDS = 0.25
CHART_SECONDS = 0.5
CHART_COST_SHARE = 0.1  # and charts wait at least 10x their last drawing time


# ------------------------------------------------------------- callbacks
def build_model(ctl: dict) -> bool:
    """Make a fresh model + trainer from the controls; False (and an error
    message in state) if the combination is invalid."""
    data = common.load_data(ctl["dataset"] or common.current_dataset_name())
    try:
        net_cfg, train_cfg = controls.build_configs(ctl, data)
        net = Network(net_cfg, seed=train_cfg.seed)
        trainer = Trainer(net, data, train_cfg)
    except ValueError as e:
        st.session_state.ui_error = f"These settings do not work together: {e}"
        return False
    common.set_model(net, trainer=trainer, controls=ctl, dataset=data.name, source="trained here",
                     train_config=train_cfg.to_dict())
    return True


def mismatch(ctl: dict) -> list:
    """The controls changed since the model was built (empty: they match or no model)."""
    built = st.session_state.model_controls
    if st.session_state.net is None or built is None:
        return []
    return controls.describe_changes(built, ctl)


def _ready(ctl) -> bool:
    """A trainer that matches the controls exists, or one was just built."""
    if st.session_state.trainer is None:
        if st.session_state.net is not None:  # a model loaded from a file: Reset first
            return False
        return build_model(ctl)
    return not mismatch(ctl)


def on_train():
    ctl = controls.read_controls(common.current_data())
    if _ready(ctl):
        st.session_state.running = True


def on_step():
    ctl = controls.read_controls(common.current_data())
    if _ready(ctl):
        st.session_state.running = False
        st.session_state.step_pending = True


def on_stop():
    st.session_state.running = False


def on_reset():
    common.clear_model()


# ------------------------------------------------------------- drawing
class TrainView:
    """Placeholders for the live parts of the Train page, redrawn in place."""

    def __init__(self, model_status=None):
        self.model_status = model_status  # the sidebar's "Model: ... N epochs" placeholder
        self.status = st.empty()
        self.progress = st.empty()
        self.last_run = st.empty()
        left, right = st.columns(2)
        self.loss = left.empty()
        self.accuracy = right.empty()
        self.redraws = 0
        self.live = False  # True while this run is training (an unfinished epoch is then not paused)

    def draw(self, trainer, history):
        self.draw_progress(trainer, history)
        self.redraws += 1  # a new key per redraw: identical figures must not clash
        self.loss.plotly_chart(figures.loss_figure(history), key=f"loss_chart_{self.redraws}",
                               config={"displayModeBar": False})
        self.accuracy.plotly_chart(figures.accuracy_figure(history), key=f"acc_chart_{self.redraws}",
                                   config={"displayModeBar": False})
        if self.model_status is not None:  # with the charts, so it never lags behind them
            with self.model_status.container():
                common.model_status_ui()

    def draw_progress(self, trainer, history):
        total = trainer.config.epochs if trainer is not None else max(len(history), 1)
        done = trainer.epoch if trainer is not None else len(history)
        last = next((r for r in reversed(history) if r.get("train_loss") is not None), None)
        text = f"Epoch {done} of {total}"
        if last is not None:
            text += f" · {1000 * last['seconds']:.0f} ms per epoch"
            if last.get("val_accuracy") is not None:
                text += f" · validation accuracy {last['val_accuracy']:.1%}"
        inside = trainer.epoch_progress if trainer is not None else None
        if inside is not None:  # an epoch under way (or paused half-way by Stop)
            batch, batches = inside
            text += f" · epoch {done + 1}: batch {batch} of {batches}" + ("" if self.live else " (paused)")
        fraction = (trainer.epochs_done if trainer is not None else done) / max(total, 1)
        self.progress.progress(min(fraction, 1.0), text=text)

    def draw_last_run(self):
        """How long the last Train/Step took, and how much of it was training: the
        rest is this page drawing (measured by tests/measure_dashboard.py).  Drawn
        only when a run is over, so a live run shows no stale figure."""
        if st.session_state.last_run is None:
            return
        epochs, wall, training = st.session_state.last_run
        self.last_run.caption(f"Last run: {epochs} epoch{'s' if epochs != 1 else ''} in {wall:.2f} s — "
                              f"{training:.2f} s training, {max(wall - training, 0.0):.2f} s drawing "
                              "the page.")


def claim_trainer():
    """Called at the start of every Train-page run: from now on this run owns
    the trainer.  (A button press starts the new run in a new thread while the
    old one is still looping; the old loop sees the new token and returns.)"""
    st.session_state.train_token = object()
    return st.session_state.train_token


def run_training(view: TrainView, token, epochs=None):
    """Train for `epochs` (None: to the end), redrawing the progress bar at most
    every PROGRESS_SECONDS and the charts at most every CHART_SECONDS.

    Each epoch runs under the tab's lock and only while this run holds the
    newest token, so two script runs never train the same network at once.
    No st.rerun() at the end: a rerun replays the button press that started
    this run."""
    trainer, lock = st.session_state.trainer, st.session_state.train_lock
    # Long (MNIST) epochs also yield progress records, so the bar moves inside an epoch.
    epochs_left = trainer.run(epochs, progress_seconds=PROGRESS_SECONDS)
    view.live = True
    start_epoch, start_seconds = len(trainer.history), trainer.train_seconds
    last_progress = last_chart = started = time.perf_counter()
    chart_cost = 0.0
    while True:
        with lock:
            if st.session_state.train_token is not token:
                return  # a newer run took over; it draws the state
            record = next(epochs_left, None)
        if record is None:
            break
        now = time.perf_counter()
        if record.get("progress"):  # inside an epoch: nothing new for the charts
            view.draw_progress(trainer, trainer.history)
            last_progress = now
        elif now - last_chart >= max(CHART_SECONDS, chart_cost / CHART_COST_SHARE):
            view.draw(trainer, trainer.history)
            last_progress = last_chart = time.perf_counter()
            chart_cost = last_chart - now
        elif now - last_progress >= PROGRESS_SECONDS:
            view.draw_progress(trainer, trainer.history)
            last_progress = now
    st.session_state.running = False
    view.live = False
    view.draw(trainer, trainer.history)  # the final charts count as drawing too
    st.session_state.last_run = (len(trainer.history) - start_epoch, time.perf_counter() - started,
                                 trainer.train_seconds - start_seconds)
    view.draw_last_run()


def draw_idle(view: TrainView):
    """Draw the tab's history once an epoch still running in an older run has finished."""
    with st.session_state.train_lock:
        view.draw(st.session_state.trainer, st.session_state.history)
    view.draw_last_run()


def outcome_ui(trainer):
    """The end-of-run message: divergence as an error with the fix, early stopping as info."""
    if trainer is None or not trainer.finished:
        return
    if trainer.stopped_reason == DIVERGED:
        st.error(f"**The loss exploded.** {trainer.message}\n\n**How to fix:** lower the learning "
                 "rate (Optimizer tab) by 10x, then press **Reset** and **Train**. The history so far "
                 "and the last good weights are kept until you do.", icon=":material/warning:")
    else:
        st.success(trainer.message, icon=":material/check_circle:")
