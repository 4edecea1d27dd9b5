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

The progress line, the sidebar's model line and the charts are redrawn
together, from the same epoch count: they never disagree during a run.
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
from nnlab.viz import figures
from pages.helpers import common, controls, lab, live_run, room_post, state, wording

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


# ------------------------------------------------------------- drawing
class TrainView:
    """Placeholders for the live parts of the Train page, redrawn in place."""

    def __init__(self, model_status=None, outcome=None):
        """Top to bottom: status line, progress bar, the verdict (`outcome`, a
        placeholder the page made above the charts, or one made here), the two
        charts; under them the last run's timing."""
        self.model_status = model_status  # the sidebar's "Model: ... N epochs" placeholder
        self.status = st.empty()
        self.progress = st.empty()
        self.outcome = outcome if outcome is not None else st.empty()
        left, right = st.columns(2)
        self.loss = left.empty()
        self.accuracy = right.empty()
        self.accuracy_note = right.empty()  # why validation can be above training accuracy
        self.last_run = st.empty()
        self.redraws = 0
        self.charted = None  # the epoch count the charts show (drawn with the progress line)
        self.live = False  # True while this run is training (an unfinished epoch is then not paused)

    def draw(self, trainer, history):
        # Everything is computed first and then sent in quick succession, so a
        # header Stop (which ends the run at the next st.* call) leaves the progress
        # line, charts and sidebar showing the same epochs.
        marks = trainer.marks if trainer is not None else ()
        loss, accuracy = figures.loss_figure(history, marks), figures.accuracy_figure(history, marks)
        net = st.session_state.net
        note = verdict.val_above_train(history, net.config.dropout if net is not None else 0.0,
                                       trainer is not None and trainer.config.augment)
        self.redraws += 1  # a new key per redraw: identical figures must not clash
        self.charted = trainer.epoch if trainer is not None else len(history)
        self.draw_progress(trainer, history)
        self.loss.plotly_chart(loss, key=f"loss_chart_{self.redraws}", config={"displayModeBar": False})
        self.accuracy.plotly_chart(accuracy, key=f"acc_chart_{self.redraws}", config={"displayModeBar": False})
        if note:
            self.accuracy_note.caption(note)
        else:
            self.accuracy_note.empty()
        if self.model_status is not None:  # with the charts, so it never lags behind them
            with self.model_status.container():
                common.model_status_ui()

    def draw_progress(self, trainer, history):
        total = trainer.config.epochs if trainer is not None else max(len(history), 1)
        done = trainer.epoch if trainer is not None else len(history)
        last = next((r for r in reversed(history) if r.get("train_loss") is not None), None)
        text = f"Epoch {done} of {total}"
        if trainer is not None and trainer.stopped_reason == DIVERGED:
            text += f" · stopped: the loss exploded in epoch {trainer.diverged_at['epoch']}"
        elif last is not None:
            text += f" · {wording.seconds(last['seconds'])} per epoch"
            if last.get("val_accuracy") is not None:
                text += f" · validation accuracy {last['val_accuracy']:.1%}"
        inside = trainer.epoch_progress if trainer is not None else None
        if inside is not None:  # an epoch under way (or paused half-way by Stop)
            batch, batches = inside
            text += f" · epoch {done + 1}: batch {batch} of {batches}" + ("" if self.live else " (paused)")
        elif trainer is not None and not self.live and not trainer.finished and 0 < done < total:
            text += " · paused"  # stopped between epochs: Train goes on from here
        fraction = (trainer.epochs_done if trainer is not None else done) / max(total, 1)
        self.progress.progress(min(fraction, 1.0), text=text)

    def draw_last_run(self):
        """How long the last Train/Step took, and how much of it was training: the
        rest is this page drawing (measured by tests/measure/measure_dashboard.py).  Drawn
        only when a run is over, so a live run shows no stale figure."""
        if st.session_state.live.last_run is None:
            return
        epochs, wall, training, diverged = st.session_state.live.last_run
        what = f"{epochs} epoch{'s' if epochs != 1 else ''}"
        if diverged:
            what += f" (then the loss exploded in epoch {diverged})"
        self.last_run.caption(f"Last run: {what} in {wall:.2f} s — "
                              f"{training:.2f} s training, {max(wall - training, 0.0):.2f} s drawing "
                              "the page.")

    def record_last_run(self, trainer, start_epoch, start_seconds, started):
        diverged = trainer.diverged_at["epoch"] if trainer.stopped_reason == DIVERGED else None
        st.session_state.live.last_run = (trainer.epoch - start_epoch, time.perf_counter() - started,
                                     trainer.train_seconds - start_seconds, diverged)
        state.record_run(trainer.train_seconds - start_seconds)  # the Compare page's run of this model


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
