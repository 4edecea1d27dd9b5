"""What a learner in a room posts (docs/room.md), from the Train loop and the Sweep.  Not a page.

    started(step)      run_training, before its loop: this run's model is to be posted when it ends
    progress(trainer)  the loop, after each record (under the tab's lock): "running now", at most
                       every PROGRESS_SECONDS, written by a helper thread (training never waits)
    ended()            after the loop (or after the app's Stop, in the next script run): a run that
                       trained at least one epoch and was a Train run (or a Step that reached the
                       end) is posted once — a few ms, then the presenter's scoreboard has it
    sweep_best(...)    the Sweep page, once its best setting was trained again and tested

A post holds: the run's name, dataset, its whole settings (the scoreboard shows those that
differ from the room's setup), validation and test accuracy of the finished model, its
training time and its per-epoch validation curve.  Nothing else of the lab.

The store may refuse (a closed room, too many posts) or fail: the learner is told in one line,
training goes on, and nothing of theirs is lost (a post refused for being too many is sent
again at the next run's end or page run after RETRY_SECONDS).
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, wait

import streamlit as st

from nnlab.store import StoreError
from nnlab.store.rooms import RUN_WINDOW
from pages.helpers import lab, room_join, state

PROGRESS_SECONDS = 2.0
RETRY_SECONDS = RUN_WINDOW  # a post refused as too many goes again this much later


@st.cache_resource(show_spinner=False)
def _writer() -> ThreadPoolExecutor:
    """One small pool per server for "running now" posts: the training thread only hands them over."""
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="nnlab-room")


def _s():
    return st.session_state


def started(step: bool):
    if _s().room:
        _s().room_train = (_s().model_serial, step)


def progress(trainer, record):
    """Called with every record of the Train loop: cheap unless a post is due."""
    s = _s()
    if not s.room:
        return
    now = time.monotonic()
    last, future, said = s.room_progress or (0.0, None, False)
    if now - last < PROGRESS_SECONDS or (future is not None and not future.done()):
        return
    if future is not None and future.exception() is not None and not said:
        s.room_notice, said = f"Your progress is not reaching room {s.room['code']}: {future.exception()}.", True
    val = next((r["val_accuracy"] for r in reversed(trainer.history) if r.get("val_accuracy") is not None), None)
    task = _writer().submit(lab.store().post_progress, s.room["code"], s.lab_token, trainer.epoch, val, True)
    s.room_progress = (now, task, said)


def _finished(trainer, step: bool) -> bool:
    return trainer.epoch >= 1 and (trainer.finished or not step)


def ended() -> str:
    """Post the tab's model if its Train run just ended; returns what to tell the learner ("" for nothing)."""
    s = _s()
    trainer, pending = s.trainer, s.room_train
    if not s.room or trainer is None or s.live.running or pending is None or pending[0] != s.model_serial:
        return retry()
    s.room_train = None
    words = ""
    if _finished(trainer, pending[1]) and s.room_posted != (s.model_serial, trainer.epoch):
        s.room_posted = (s.model_serial, trainer.epoch)
        words = send(run_post(trainer))  # first: the scoreboard waits for this one
    _not_running(trainer.epoch)
    return " ".join(w for w in (words, retry()) if w)


def _not_running(epoch: int):
    """The run's "running now" row says it stopped (after the helper thread's last post, so it is
    not overwritten by it)."""
    s = _s()
    last, s.room_progress = s.room_progress, None
    if not s.room or last is None:
        return
    wait([last[1]], timeout=PROGRESS_SECONDS)
    try:
        lab.store().post_progress(s.room["code"], s.lab_token, epoch, None, False)
    except StoreError:
        pass  # (it stops counting as running by itself, rooms.RUNNING_SECONDS later)


def run_post(trainer) -> dict:
    """The tab's model as a post: accuracies of the finished model (early stopping's best weights
    are back by then), the run's name on Compare, its settings and curve."""
    s = _s()
    data = state.model_data()
    val = test = None
    if data is not None:
        with s.live.lock:  # (not in the middle of another script run's epoch)
            val = s.net.evaluate(data.X_val, data.y_val)[1]
            test = s.net.evaluate(data.X_test, data.y_test)[1]
    run = next((r for r in s.run_log.runs if r.model_id == s.model_serial), None)
    return {"run_name": run.name if run is not None else "", "dataset": s.model_dataset or "",
            "settings": {k: v for k, v in (s.model_controls or {}).items() if k != "dataset"},
            "val_accuracy": val, "test_accuracy": test, "seconds": trainer.train_seconds,
            "curve": [r.get("val_accuracy") for r in trainer.history], "kind": "run"}


def sweep_best(best: dict, axes: dict, settings: dict, dataset: str) -> str:
    """The Sweep's best setting (trained again and tested) as a post: the Train page's settings
    with the best values."""
    if not _s().room or not best:
        return ""
    shown = ", ".join(f"{k}={best[k]:g}" if isinstance(best[k], float) else f"{k}={best[k]}" for k in axes)
    return send({"run_name": f"sweep: {shown}", "dataset": dataset, "kind": "sweep-best",
                 "settings": {**{k: v for k, v in settings.items() if k != "dataset"}, **{k: best[k] for k in axes}},
                 "val_accuracy": best.get("val_accuracy"), "test_accuracy": best.get("test_accuracy"),
                 "seconds": best.get("seconds"), "curve": best.get("curve") or []})


def send(post: dict, again: bool = False) -> str:
    """Post to the tab's room; what to say about it.  A room that closed or went away is left.
    A post refused as too many is kept to send again (the better of two such: one is kept)."""
    s = _s()
    code = s.room["code"]
    try:
        try:
            lab.store().post_run(code, s.lab_token, post)
        except StoreError as e:
            if e.kind != "not-joined":
                raise
            lab.store().join_room(code, s.lab_token, s.room.get("name") or "")  # (a store that lost the learner)
            lab.store().post_run(code, s.lab_token, post)
    except StoreError as e:
        if e.kind == "rate":
            kept = s.room_unsent[1] if s.room_unsent and not again else None
            if kept is None or _acc(post) >= _acc(kept):
                kept = post
            s.room_unsent = (time.monotonic(), kept)
            return (f"Not posted to room {code} yet: {e}. It goes at your next run (or in "
                    f"{RETRY_SECONDS:.0f} s, when this page runs again); your run is kept here.")
        if e.kind in ("closed", "no-room"):
            room_join.leave()
            return f"Not posted: {e}. You have left room {code}; your runs stay here, on **Compare**."
        return f"Not posted to room {code}: {e}. Your run is kept here, on **Compare**."
    if again:
        s.room_unsent = None
    return f"Posted to room {code}" + (f": validation accuracy {post['val_accuracy']:.1%}." if
                                       post.get("val_accuracy") is not None else ".")


def _acc(post) -> float:
    return post.get("val_accuracy") if post.get("val_accuracy") is not None else -1.0


def retry() -> str:
    """A post refused as too many, sent again once RETRY_SECONDS have passed."""
    s = _s()
    if not s.room or not s.room_unsent or time.monotonic() - s.room_unsent[0] < RETRY_SECONDS:
        return ""
    return send(s.room_unsent[1], again=True)


def said_ui(words: str):
    """One line about a post, where the run's results are."""
    if words.startswith("Posted"):
        st.caption(f":material/groups: {words}")
    elif words:
        st.warning(words, icon=":material/groups:")
