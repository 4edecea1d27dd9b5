"""The Playground's model: built from its own controls, trained by consuming
`Trainer.run()`, drawn as the decision boundary, the loss and the hidden units.

The Playground keeps everything in one object of its own, `Play`, in
st.session_state["playground"]: the Train page's model, trainer and controls
are never touched, so playing here loses nothing there.  Its controls are the
Train page's widgets under the prefix "pg_" (pages/helpers/controls.py) plus the data
options of nnlab.data.toy2d.OPTIONS, also "pg_<name>".

As in TensorFlow Playground, a change of the data, the features, the network or
the seed makes a new (untrained) model at once, and a run under way goes on
with it; a change of how to train (learning rate, optimizer, epochs, ...) goes
on training the same model, marked on the loss chart.  A combination that does
not work (no feature chosen) is explained and the current model stays.

Stop and the page's reruns work as on Train (pages/helpers/training_run.py): the
newest script run owns the trainer (a token), Stop's callback clears `running`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from nnlab.core.network import Network
from nnlab.data import toy2d
from nnlab.train.trainer import Trainer
from nnlab.viz import figures, figures_2d, plane
from pages.helpers import controls, live_run, state
from pages.helpers.live_chart import LiveCharts
from pages.helpers.training_run import finished_notice

PREFIX = state.PLAYGROUND_PREFIX
NEW_LAYER_WIDTH = 8  # a hidden layer added with the slider starts with this many units

# Redraws while training (measured: docs/playground.md).  A picture (boundary, loss,
# units) is sent at most every FRAME_SECONDS: each is a new plotly figure that the
# browser lays out from scratch.  Headless Chromium on the 2-core VM showed 2-3 of
# the 5 a second (it skips the rest without going blank: pages/helpers/live_chart.py); at 10
# a second it fell further behind and the last picture came later.  Between two
# pictures at most max(EPOCHS_PER_FRAME, epochs / PICTURES_PER_RUN) epochs are
# trained: an epoch of these small sets takes a few milliseconds at most, and
# without the cap a run would be over before the browser had shown three pictures.
FRAME_SECONDS = 0.2
EPOCHS_PER_FRAME = 10
PICTURES_PER_RUN = 25


@dataclass
class Play(live_run.LiveRun):
    points: object = None   # nnlab Dataset of the 2-D points (toy2d.make_dataset)
    data: object = None     # the same, mapped to the features: what the network trains on
    net: object = None
    trainer: object = None
    options: dict = None    # the data options the model was built with
    ctl: dict = None        # ... and the network and training controls (controls.read_controls)
    error: str = ""         # a combination that does not work: shown while it lasts
    notice: str = ""        # why Train/Step did nothing, shown once
    # (and from LiveRun: running, step_pending, token, lock, and last_run: (epochs, wall seconds, frames))


def state() -> Play:
    if st.session_state.get("playground") is None:
        st.session_state.playground = Play()
    return st.session_state.playground


def init_controls():
    """The Playground's widget values, once per tab: the data options' defaults,
    then toy2d.START_SETTINGS for the network and training."""
    start = toy2d.START_SETTINGS
    values = {**{f"width_{i}": NEW_LAYER_WIDTH for i in range(controls.MAX_LAYERS)},
              **{f"activation_{i}": start["activations"][0] for i in range(controls.MAX_LAYERS)},
              **controls.widget_values(start), **toy2d.defaults()}
    controls.init_controls(PREFIX, values)


def read_setup() -> tuple:
    """(data options, network and training controls) as the widgets show them."""
    options = {o.name: st.session_state[PREFIX + o.name] for o in toy2d.OPTIONS}
    return options, controls.read_controls(prefix=PREFIX)


# ------------------------------------------------------------- the model
def build(play: Play, options: dict, ctl: dict) -> bool:
    """A new model (and trainer) on newly drawn points; False, with play.error
    saying why, when the setup does not work (the current model stays)."""
    try:
        points = toy2d.make_dataset(**options)
        data = toy2d.featurize(points, options["features"])
        net_cfg, train_cfg = controls.build_configs(ctl, data)
        net = Network(net_cfg, seed=train_cfg.seed)
        trainer = Trainer(net, data, train_cfg)
    except ValueError as e:
        play.error = f"These settings do not work together: {e}." + (
            " The model on the screen stays until they do." if play.net is not None else "")
        play.running = False
        return False
    with play.lock:  # not in the middle of an epoch of an older run
        play.points, play.data, play.net, play.trainer = points, data, net, trainer
        play.options, play.ctl = dict(options), dict(ctl)
        play.error, play.last_run = "", None
    return True


def sync(play: Play):
    """Make the model match the controls: a new one for new data, features or
    network; the same one with new training settings otherwise."""
    options, ctl = read_setup()
    if play.net is None or options != play.options:
        build(play, options, ctl)
        return
    new_model, go_on = controls.describe_changes(play.ctl, ctl)
    if new_model:
        build(play, options, ctl)
    elif go_on:
        try:
            _, train_cfg = controls.build_configs(ctl, play.data)
            trained = play.trainer.epoch or play.trainer.epoch_progress
            with play.lock:  # (before the first epoch there is nothing to mark on the chart)
                play.trainer.reconfigure(train_cfg, note="; ".join(go_on) if trained else "")
        except ValueError as e:
            play.error, play.running = f"These settings do not work together: {e}.", False
            return
        play.ctl, play.error = dict(ctl), ""
    else:
        play.error = ""


# ------------------------------------------------------------- callbacks
def _ready(play: Play) -> bool:
    if play.trainer is None or play.error:
        return False
    if play.trainer.finished:
        play.notice = finished_notice(play.trainer)
        return False
    return True


def on_train():
    play = state()
    play.running = _ready(play)


def on_step():
    play = state()
    play.running, play.step_pending = False, _ready(play)


def on_stop():
    state().running = False


def on_reset():
    """The same setup from its first weights (and the same points)."""
    play = state()
    if play.options is not None:
        build(play, play.options, play.ctl)
    play.running = play.step_pending = False


# ------------------------------------------------------------- drawing
def _accuracy(net, data) -> float:
    """Validation accuracy without the layers' buffers (an older run may be mid-epoch)."""
    _, proba = plane.layer_outputs(net, data.X_val, 0)
    return float((proba.argmax(axis=1) == data.y_val).mean())


class PlayView:
    """The live parts of the page, redrawn in place: progress line, decision
    boundary, loss curves, hidden-unit maps."""

    def __init__(self, left, right):
        """left: the boundary; right (under the page's buttons): progress line, loss, units."""
        self.progress = right.empty()
        self.charts = LiveCharts(["boundary", "loss", "units"], {"boundary": left, "loss": right, "units": right},
                                 style_place=left)
        self.last_run = right.empty()

    def draw(self, play: Play, live: bool = False):
        net, trainer = play.net, play.trainer
        history = trainer.history
        maps = plane.plane_maps(net, play.options["features"], toy2d.extent(play.points))
        acc = history[-1]["val_accuracy"] if history else _accuracy(net, play.data)
        title = f"Epoch {trainer.epoch} · validation accuracy {acc:.1%}" if acc is not None else \
            f"Epoch {trainer.epoch}"
        boundary = figures_2d.boundary_figure(maps, play.points, title=title)
        loss = figures.loss_figure(history, trainer.marks)
        loss.update_layout(height=290)
        units = figures_2d.units_figure(maps)
        self.draw_progress(trainer, live)
        self.charts.draw({"boundary": boundary, "loss": loss, "units": units})

    def draw_progress(self, trainer, live: bool = False):
        history = trainer.history
        text = f"Epoch {trainer.epoch} of {trainer.config.epochs}"
        if history and history[-1].get("val_accuracy") is not None:
            text += f" · validation accuracy {history[-1]['val_accuracy']:.1%}"
        if trainer.finished and not live:
            text += f" · {trainer.message}"
        self.progress.progress(min(trainer.epoch / trainer.config.epochs, 1.0), text=text)

    def draw_last_run(self, play: Play):
        if play.last_run is None:
            return
        epochs, wall, frames = play.last_run
        rate = f" ({frames / wall:.0f} a second)" if wall > 0.5 else ""
        self.last_run.caption(f"Last run: {epochs} epoch{'s' if epochs != 1 else ''} in {wall:.1f} s; "
                              f"{frames} pictures sent to the browser{rate}.")


def run_training(play: Play, view: PlayView, token, epochs=None):
    """Train for `epochs` (None: to the end), drawing a frame after at most
    EPOCHS_PER_FRAME epochs and at most every FRAME_SECONDS."""
    trainer = play.trainer
    view.draw_progress(trainer, live=True)  # (the charts keep the last run's pictures until new ones come)
    loop = live_run.Loop(trainer.run(epochs), play.lock,  # (a new model made meanwhile: that run draws it)
                         owns=lambda: play.token is token and play.trainer is trainer)
    start_epoch, started = trainer.epoch, time.perf_counter()
    per_frame = max(EPOCHS_PER_FRAME, -(-(trainer.config.epochs - trainer.epoch) // PICTURES_PER_RUN))
    last_frame, since, frames = started, 0, 0

    def paused():  # Streamlit's own Stop in the header: paused, like the page's Stop
        if play.token is token:
            play.running = False

    with live_run.header_stop(paused):
        for _ in loop:
            since += 1
            now = time.perf_counter()
            if since >= per_frame or now - last_frame >= FRAME_SECONDS:
                time.sleep(max(0.0, FRAME_SECONDS - (now - last_frame)))
                last_frame, since = time.perf_counter(), 0
                view.draw(play, live=True)
                frames += 1
    if loop.taken_over:
        return
    play.running = False
    view.draw(play)
    play.last_run = (trainer.epoch - start_epoch, time.perf_counter() - started, frames + 1)
    view.draw_last_run(play)
