"""The Train page's live parts, redrawn in place while a run trains: the progress
line, the two charts, the sidebar's model line and the last run's timing
(`training_run.run_training` drives it; the Inside page's view extends it).

The progress line, the sidebar's model line and the charts are redrawn
together, from the same epoch count: they never disagree during a run.
"""
from __future__ import annotations

import time

import streamlit as st

from nnlab.experiments import verdict
from nnlab.train.trainer import DIVERGED
from nnlab.viz import figures
from pages.helpers import common, state, wording


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
