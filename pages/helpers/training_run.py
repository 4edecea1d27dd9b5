"""Running training inside a Streamlit script: build the model from the
controls, consume `Trainer.run()` and redraw at a bounded rate.

How Stop works: a button press while the script is looping makes Streamlit
stop this run at its next `st.*` call and start a new one.  The trainer
lives in st.session_state, so every finished epoch is kept; the new run sees
`running == False` (set by Stop's callback) and just draws the result.  A
rerun caused by any other widget leaves `running` True, so training carries
on where it was.  Streamlit's own Stop (in the page header) ends the run at its
next `st.*` call with no new run: `run_training` then sets `running = False`
itself, so the model and history are left as after the app's Stop (and the
next visit to Train shows them paused instead of training on).

What it draws and how: train_view.TrainView.
"""
from __future__ import annotations

import os
import time

import streamlit as st

from nnlab.core.network import Network
from nnlab.experiments import verdict
from nnlab.train import engines
from nnlab.train.optimizers import suggest_lr
from nnlab.train.trainer import DIVERGED, EARLY_STOPPING, MAX_EPOCHS_REACHED, Trainer
from pages.helpers import controls, lab, live_run, room_post, state
from pages.helpers.train_view import TrainView

# Redraw rates while training.  A chart redraw costs ~20 ms of plotly on the
# server (in the training thread) plus a re-render in the browser, which shares
# the CPU with training.  Measured on the digits preset in headless Chromium:
# charts every 0.25 s cost ~9 % of the run in the server's draws alone.  The
# progress line and the sidebar are redrawn with the charts (the same epoch count
# everywhere); inside a long (MNIST) epoch the bar alone moves every PROGRESS_SECONDS.
# With many tabs training at once on one server (a workshop), every redraw is
# server time taken from all of them: charts then wait CHART_SECONDS for each
# core's worth of trainings under way (20 tabs on 2 cores: every 5 s).
PROGRESS_SECONDS = 0.25
CHART_SECONDS = 0.5
CHART_COST_SHARE = 0.1  # and charts wait at least 10x their last drawing time
CORES = os.cpu_count() or 1


def chart_seconds(chart_cost: float) -> float:
    """Seconds between two chart redraws of one tab: see above."""
    return max(CHART_SECONDS * max(1.0, engines.trainings_under_way() / CORES), chart_cost / CHART_COST_SHARE)


# ------------------------------------------------------------- callbacks
def build_model(ctl: dict) -> bool:
    """Make a fresh model + trainer from the controls; False (and an error
    message in state) if the combination is invalid."""
    data = state.load_data(ctl["dataset"] or state.current_dataset_name())
    try:
        net_cfg, train_cfg = controls.build_configs(ctl, data)
        net = Network(net_cfg, seed=train_cfg.seed)
        trainer = Trainer(net, data, train_cfg, record_grads=st.session_state.record_grads)
    except ValueError as e:
        st.session_state.ui_error = f"These settings do not work together: {e}"
        return False
    state.set_model(net, trainer=trainer, controls=ctl, dataset=data.name, source="trained here",
                     train_config=train_cfg.to_dict())
    return True


def mismatch(ctl: dict) -> tuple:
    """How the controls differ from the model's settings: (changes that need a new
    model, changes training goes on with); both empty when they match or there is
    no model."""
    built = st.session_state.model_controls
    if st.session_state.net is None or built is None:
        return [], []
    return controls.describe_changes(built, ctl)


def apply_changes(ctl: dict, changes: list) -> bool:
    """Go on training the tab's model with the controls' new training settings;
    the change is marked on the charts.  False (and the reason in ui_error) if
    they do not work together; the model and its settings are then unchanged."""
    trainer = st.session_state.trainer
    try:
        _, train_cfg = controls.build_configs(ctl, trainer.data)
        with st.session_state.live.lock:  # not in the middle of another run's epoch
            trainer.reconfigure(train_cfg, note="; ".join(changes))
    except ValueError as e:
        st.session_state.ui_error = f"These settings do not work together: {e}"
        return False
    st.session_state.model_controls = dict(ctl)
    st.session_state.train_config = train_cfg.to_dict()
    return True


def finished_notice(trainer) -> str:
    """What to do when Train or Step is pressed on a run that cannot go on as it is."""
    cfg = trainer.config
    if trainer.stopped_reason == DIVERGED:
        return (f"The loss exploded with learning rate {cfg.lr:g}: choose a lower one (try "
                f"{suggest_lr(cfg.optimizer, cfg.lr):g}) in the Optimizer tab, then press **Train** to go on "
                "from the last good weights.")
    if trainer.stopped_reason == EARLY_STOPPING:
        return (f"Early stopping ended this run at epoch {trainer.epoch}. To train on, raise **Early-stopping "
                "patience** or set it to 0 (off) in the Training tab, then press **Train**.")
    return (f"All {cfg.epochs} epochs are done. To train this model further, raise **Epochs** (Training tab) "
            "and press **Train**; **Reset** starts a new model.")


def _ready(ctl) -> bool:
    """A trainer that matches the controls and has epochs left exists (training
    settings the user changed are applied first), or one was just built."""
    if st.session_state.trainer is None:
        if st.session_state.net is not None:  # a model loaded from a file: Reset first
            return False
        return build_model(ctl)
    new_model, changes = mismatch(ctl)
    if new_model or (changes and not apply_changes(ctl, changes)):
        return False
    if st.session_state.trainer.finished:
        st.session_state.ui_notice = finished_notice(st.session_state.trainer)
        return False
    return True


def on_train():
    ctl = controls.read_controls(state.current_data())
    if _ready(ctl):
        st.session_state.live.running = True


def on_step():
    ctl = controls.read_controls(state.current_data())
    if _ready(ctl):
        st.session_state.live.running = False
        st.session_state.live.step_pending = True


def on_stop():
    st.session_state.live.running = False


def on_reset():
    """Reset: with a model, ask first (it and its history would be thrown away);
    the run pauses while the page asks.  Without one, nothing to lose: at once."""
    if state.has_model():
        st.session_state.live.running = False
        st.session_state.reset_asked = True
    else:
        state.clear_model()


def on_reset_answer(confirmed: bool):
    st.session_state.reset_asked = False
    if confirmed:
        state.clear_model()


def run_training(view: TrainView, token, epochs=None):
    """Train for `epochs` (None: to the end), redrawing the progress bar at most
    every PROGRESS_SECONDS and the charts at most every CHART_SECONDS.

    Each epoch runs under the tab's lock and only while this run holds the
    newest token, so two script runs never train the same network at once.
    No st.rerun() at the end: a rerun replays the button press that started
    this run."""
    trainer = st.session_state.trainer
    # Long (MNIST) epochs also yield progress records, so the bar moves inside an epoch.
    loop = live_run.Loop(trainer.run(epochs, progress_seconds=PROGRESS_SECONDS), st.session_state.live.lock,
                         owns=lambda: st.session_state.live.token is token, keep=lambda record: _keep(trainer, record))
    room_post.started(step=epochs is not None)  # a room gets the run when it ends (room_post.py)
    view.live = True
    start_epoch, start_seconds = trainer.epoch, trainer.train_seconds
    last_chart = started = time.perf_counter()
    chart_cost = 0.0

    def paused():  # Streamlit's header Stop: paused, the model and its history kept, as the page's Stop
        if st.session_state.live.token is token:
            st.session_state.live.running = False
            view.record_last_run(trainer, start_epoch, start_seconds, started)
            lab.save()  # no end of the script run follows to save it
            room_post.ended()

    with live_run.header_stop(paused):
        for record in loop:
            now = time.perf_counter()
            if record.get("progress") and view.charted == trainer.epoch:
                view.draw_progress(trainer, trainer.history)  # inside an epoch: nothing new for the charts
            elif now - last_chart >= chart_seconds(chart_cost):
                # (not on every progress record after an epoch ended: in a crowd every small epoch
                # outlasts PROGRESS_SECONDS, and the charts were redrawn each epoch, not each 5 s)
                view.draw(trainer, trainer.history)
                last_chart = time.perf_counter()
                chart_cost = last_chart - now
    if loop.taken_over:
        return  # a newer run took over; it draws the state
    st.session_state.live.running = False
    view.live = False
    view.draw(trainer, trainer.history)  # the final charts count as drawing too
    view.record_last_run(trainer, start_epoch, start_seconds, started)
    view.draw_last_run()
    room_post.said_ui(room_post.ended())


def _keep(trainer, record):
    lab.checkpoint(trainer, record)      # the lab keeps the model (lab.py)
    room_post.progress(trainer, record)  # a room sees it running (room_post.py)


def draw_idle(view: TrainView):
    """Draw the tab's history once an epoch still running in an older run has finished
    (and post a run the app's Stop ended in the script run before: room_post.py)."""
    with st.session_state.live.lock:
        view.draw(st.session_state.trainer, st.session_state.history)
    view.draw_last_run()
    room_post.said_ui(room_post.ended())


def outcome_ui(trainer, view: TrainView):
    """The end-of-run verdict (nnlab.experiments.verdict), above the charts: green only for a
    run that learned; amber with the likely cause and one thing to try; red for a
    divergence.  How to train further goes under the charts."""
    if trainer is None or not trainer.finished:
        return
    v = verdict.judge_trainer(trainer)
    with view.outcome.container():
        show = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}[v.level]
        icon = {"success": ":material/check_circle:", "info": ":material/info:"}.get(v.level, ":material/warning:")
        show(v.text, icon=icon)
    if trainer.stopped_reason == MAX_EPOCHS_REACHED and v.level in ("success", "info"):
        st.caption("To train this model further, raise **Epochs** (or change the learning rate, optimizer, "
                   "regularisation...) and press **Train**: it goes on from here, the change marked on the charts.")
