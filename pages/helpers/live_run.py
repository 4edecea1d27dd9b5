"""The loop every live page trains in (Train, the Playground): one script run
consumes a trainer's records and redraws, while newer script runs may take over.

    state = st.session_state.live                 # a LiveRun (the Playground's Play is one too)
    token = state.claim()                         # first thing in the script run
    loop = live_run.Loop(trainer.run(epochs), state.lock, owns=lambda: state.token is token)
    with live_run.header_stop(paused):       # Streamlit's own Stop: `paused()`, then out
        for record in loop:                  # each record taken under the lock
            draw(record)                     # (the page decides how often)
    if loop.taken_over:
        return                               # a newer script run draws the state

Why a lock and a token: a button press while a script run is looping starts a new
script run in a new thread while the old one still loops.  The newest run claims the
trainer (`LiveRun.claim`: a fresh token); the old one sees it at its next record and returns.
Each record is taken under the tab's lock, so two script runs never train the same
network at once (and nothing else touches the network in the middle of an epoch).
"""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field

try:  # raised at the next st.* call after Streamlit's header Stop
    from streamlit.runtime.scriptrunner_utils.exceptions import StopException
except ImportError:  # pragma: no cover - another Streamlit layout
    class StopException(BaseException):
        pass


@dataclass
class LiveRun:
    """One page's live training, whatever the page: Train's (st.session_state.live) and
    the Playground's (its `Play` extends it with its model and points)."""

    running: bool = False       # True while Train loops; Stop (or a finished run) sets it False
    step_pending: bool = False  # Step was pressed: the next script run trains one epoch
    token: object = None        # the script run that may train (`claim`)
    lock: threading.Lock = field(default_factory=threading.Lock)  # one epoch at a time
    last_run: tuple = None      # what the last Train/Step did (the page's own summary)

    def claim(self) -> object:
        """Called first thing in every script run of the page: from now on this run owns
        the trainer; an older run still looping sees the new token and returns."""
        self.token = object()
        return self.token


class Loop:
    """The records of `records` (a Trainer.run() generator), each taken under `lock`
    while `owns()` says this script run still owns the trainer; `keep(record)`, if
    given, runs under the lock too, right after the record (a checkpoint).  After the
    loop, `taken_over` says whether a newer script run took the trainer."""

    def __init__(self, records, lock, owns, keep=None):
        self.records, self.lock, self.owns, self.keep = records, lock, owns, keep
        self.taken_over = False

    def __iter__(self):
        while True:
            with self.lock:
                if not self.owns():
                    self.taken_over = True
                    return
                record = next(self.records, None)
                if record is not None and self.keep is not None:
                    self.keep(record)
            if record is None:
                return
            yield record


@contextlib.contextmanager
def header_stop(paused):
    """Streamlit's header Stop ends the script run at its next st.* call and starts no
    new one: `paused()` leaves the state as the page's own Stop does, then the stop goes on."""
    try:
        yield
    except StopException:
        paused()
        raise
