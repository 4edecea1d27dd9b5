"""One tab's state: every session-state key with its initial value, the tab's
datasets (read once per server, shared read-only) and the tab's current model.

Each browser tab has its own `st.session_state`, so each tab has its own
model, trainer and history; nothing model-related goes in `st.cache_resource`
(that would be shared by every tab).  The page frame and the shared sidebar that
use it: common.py.
"""
from __future__ import annotations

import streamlit as st

from nnlab import modelfile
from nnlab.core.network import Network
from nnlab.data import datasets as nndata
from nnlab.experiments import sharelink
from nnlab.experiments.runs import RunLog
from nnlab.viz import escape
from pages.helpers import live_run

# Every session-state key the app uses, with its initial value.  Widget keys
# (the training controls, prefix "ctl_") are initialised in pages/helpers/controls.py.
STATE = {
    "net": None,             # the tab's current Network (None: no model yet)
    "trainer": None,         # the Trainer training `net` (None for a model loaded from a file)
    "history": [],           # epoch records of `net`: trainer.history, or the file's history
    "model_controls": None,  # control values `net` was built with (to detect later changes)
    "model_dataset": None,   # name of the dataset `net` belongs to
    "model_source": "",      # shown to the user: "trained here" or "loaded from <file>"
    "train_config": None,    # TrainConfig.to_dict() of the model, stored in downloads
    "live": None,            # Train's live training: running, step_pending, token, lock, last_run (live_run.py)
    "reset_asked": False,    # Reset was pressed with a model: Train asks before throwing it away
    "ui_error": "",          # a bad control combination, shown once as st.error
    "ui_notice": "",         # why Train/Step did nothing (all epochs done, ...), shown once as st.info
    "canvas_version": 0,     # Clear bumps it: the canvas (one key, never remounted) wipes itself (pages/draw.py)
    "canvas_cleared": None,  # Draw: the drawing Clear wiped, ignored until the canvas reports its wipe
    "canvas_seen": None,     # Draw: the drawing the canvas reported last
    "eval_clicked_diagonal": False,  # Evaluate: the last click on the confusion matrix hit the diagonal
    "eval_gallery": None,    # Evaluate: after "Show more", (its cell or None for all mistakes, images shown)
    "upload_id": None,       # file_id of the model file already loaded (load each upload once)
    "upload_error": "",      # why the last uploaded model file was refused
    "compare_used": None,    # Compare: (run name, why not or "") after "Use this run's model"
    "compare_deleted": None, # Compare: the run deleted last, as RunLog.delete returns it (for Undo)
    "compare_error": "",     # Compare: why a rename was refused (shown once)
    # set on the Data page (pages/data.py):
    "data_sources": {},      # dataset name -> how to load it: {"kwargs": {...}, "key": sha256, "data": bytes}
    "data_error": "",        # why the dataset chosen in the sidebar could not be loaded (shown once)
    "data_mnist_error": "",  # why "Use MNIST" failed, shown once under it (pages/data.py)
    "data_upload_sig": None, # (file_id, label column, images) of the CSV upload already processed
    "data_upload_error": "", # why the last CSV upload was refused (the previous data is kept)
    "kaggle_sig": None,      # (file_id, model id, epochs) of the test.csv already predicted
    "kaggle_csv": "",        # submission.csv text for the download button
    "kaggle_error": "",      # why the test.csv could not be predicted
    "data_memo": {},         # dataset name -> (source, Dataset): one copy per tab, not one per call
    "left_pages_folder_mode": False,  # this tab already reran once through app.py (see frame())
    "model_serial": 0,       # counts the tab's models: a run of the run log is one model
    "run_log": None,         # nnlab.experiments.runs.RunLog of this tab (set in init_state): what Compare shows
    "epoch_estimates": {},   # Train: measured seconds per epoch, per network/data setup (see train.estimate_ui)
    "draw_offer_pending": False,  # Draw: "train on digits" was pressed; its run trains the offer
    "sweep_running": None,   # Sweep: the number of runs of a sweep in progress (still set: it was stopped)
    "sweep_results": [],     # Sweep: one dict per finished run of the last sweep (kept when it is stopped)
    "sweep_axes": {},        # Sweep: {setting: values} of that sweep
    "sweep_best": None,      # Sweep: the best setting retrained, with its test accuracy
    # set from a shared link (pages/helpers/share.py):
    "link_applied": [],      # the links (query parameters) applied in this tab: each once, not on every rerun
    "link_notice": "",       # what a link set that was ignored or adjusted, shown once
    "link_loaded": 0,        # settings the last link set: a line under the title says so once
    "presenting": False,     # presenter mode: large type, the sidebar collapsed (pages/helpers/present.py)
    "show_only": (),         # the training controls a link lists; the others are not drawn (controls.py)
    "pg_show_only": (),      # ... the Playground's (its controls are its own)
    "lesson": None,          # the lesson (index in lessons_text.LESSONS) whose setup Train's controls hold
    "lesson_before": None,   # Train's control values before the first lesson was loaded ("Restore my setup")
    # the Inside page (pages/inside.py):
    "record_grads": True,    # new models record per-layer gradient statistics (train/gradstats.py, ~1 % of an epoch)
    "drawn_input": None,     # Draw: the last drawing as the network sees it, (x (1, n_features), image), for Inside
    "inside_check": None,    # Inside: the last gradient checks {"key": ..., "ok": result, "broken": result}
    "playground": None,      # Playground: its own model, trainer and 2-D data (pages/playground_run.Play)
    # the tab's lab, kept in the lab store (pages/helpers/lab.py, docs/lab.md):
    "lab_token": None,       # this tab's lab (also in the address: ?lab=TOKEN)
    "lab_saved": {},         # part name -> fingerprint of what the store holds (only changed parts are saved)
    "lab_notice": "",        # shown once: a wrong address, what could not be brought back, a new lab
    "lab_off": "",           # why this tab's work is no longer saved (the store failed), in the sidebar
    "lab_busy": 0.0,         # time.monotonic() when a write last found the database locked (0: it was not)
    "lab_busy_kind": "",     # why: "locked" or "no-server" (lab.PASSING)
    "lab_uncreated": False,  # the store did not answer when this tab's new lab was made: made later
    "lab_checkpoint": (0.0, 0.0),  # (time.monotonic() of the Train loop's last checkpoint, its cost in s)
    # rooms (pages/helpers/room_join.py, room_post.py, room_board.py; docs/room.md):
    "room": None,            # the room this lab posts to, {"code", "name"}: kept in the lab (its part "room")
    "room_asked": "",        # the join link (?room=...) already answered in this tab: Join, Not now, or said bad
    "room_invite": "",       # a good room's code whose join question is on screen
    "room_notice": "",       # about a join link or a post: one plain sentence, shown once
    "room_train": None,      # (model serial, Step?) of the Train page's run under way: posted when it ends
    "room_posted": None,     # (model serial, epoch) posted last: a run is posted once
    "room_unsent": None,     # (time.monotonic(), post) a room refused for now (too many posts): sent again later
    "room_progress": None,   # (time.monotonic(), Future, said) of the last "running now" post
    "room_board": "",        # the room the Room page shows
    "room_board_seen": None, # ((runs, hidden, closed) it drew, time.monotonic() then, its cost): the scoreboard
    "room_close_asked": "",  # the room whose Close was pressed: the Room page asks first
}

WIDGET_PREFIX = "ctl_"
PLAYGROUND_PREFIX = sharelink.PLAYGROUND_PREFIX  # the Playground's own controls: "pg_<setting>", "pg_<toy2d option>"
def init_state():
    """Give every key its initial value (once per tab) and keep the training
    controls' values while another page is shown."""
    for key, value in STATE.items():
        if key not in st.session_state:
            # a fresh list or dict per tab: the defaults above must never be shared between tabs
            st.session_state[key] = type(value)(value) if isinstance(value, (list, dict)) else value
    if st.session_state.live is None:  # (its last_run: epochs, wall s, training s, epoch that diverged or None)
        st.session_state.live = live_run.LiveRun()
    if st.session_state.run_log is None:
        st.session_state.run_log = RunLog()
    # Streamlit forgets a widget's value when a page without that widget runs;
    # re-assigning the value marks it as the user's, which keeps it (Streamlit's
    # documented workaround for multipage apps).
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith((WIDGET_PREFIX, PLAYGROUND_PREFIX)):
            st.session_state[key] = st.session_state[key]


@st.cache_resource(show_spinner="Loading the dataset…", max_entries=8)
def load_source(name: str, kwargs: dict, key: str = "", _data: bytes | None = None) -> nndata.Dataset:
    """Datasets are read once per server and shared by every tab, read-only (STYLE.md §11):
    MNIST is ~220 MB, and a copy per tab (st.cache_data) cost a workshop's server that much
    per learner (docs/room.md).  An upload's bytes (`_data`, not hashed) are identified by
    `key`, their SHA-256."""
    return nndata.load_dataset(name, **kwargs, **({"data": _data} if _data is not None else {})).read_only()


def load_data(name: str) -> nndata.Dataset:
    """Dataset `name` from the source this tab chose on the Data page (MNIST
    folder, uploaded CSV); the defaults otherwise.  Raises ValueError (DataError)."""
    src = st.session_state.get("data_sources", {}).get(name, {})
    ident = (repr(sorted(src.get("kwargs", {}).items())), src.get("key", ""))
    memo = st.session_state.setdefault("data_memo", {})
    if name not in memo or memo[name][0] != ident:
        # this tab's source, remembered (a cache hit still hashes the arguments)
        memo[name] = (ident, load_source(name, src.get("kwargs", {}), src.get("key", ""), _data=src.get("data")))
    return memo[name][1]


def dataset_names() -> list:
    return list(nndata.DATASETS)


def current_dataset_name() -> str:
    name = st.session_state.get(WIDGET_PREFIX + "dataset")
    return name if name in nndata.DATASETS else dataset_names()[0]


def current_data() -> nndata.Dataset:
    return load_data(current_dataset_name())


def model_data() -> nndata.Dataset | None:
    """The dataset the tab's model belongs to (None without a model)."""
    name = st.session_state.model_dataset
    if st.session_state.net is None or name is None:
        return None
    try:
        return load_data(name) if name in nndata.DATASETS else None
    except ValueError:  # its source is gone (e.g. the MNIST folder moved)
        return None


def set_model(net, *, trainer=None, history=None, controls=None, dataset=None, source="", train_config=None):
    """Make `net` the tab's model (the previous one is dropped)."""
    st.session_state.net = net
    st.session_state.trainer = trainer
    st.session_state.model_serial += 1
    st.session_state.history = trainer.history if trainer is not None else list(history or [])
    st.session_state.model_controls = dict(controls) if controls is not None else None
    st.session_state.model_dataset = dataset
    st.session_state.model_source = source
    st.session_state.train_config = train_config
    st.session_state.live.running = st.session_state.live.step_pending = False
    st.session_state.live.last_run = None


def record_run(seconds: float):
    """Keep the tab's model's training so far as a run of the run log (Compare page),
    with a copy of its weights while it is among the latest runs (nnlab/experiments/runs.py MAX_MODELS)."""
    net = st.session_state.net
    if net is None or not st.session_state.history:
        return
    settings = dict(st.session_state.model_controls or {})
    settings.pop("dataset", None)
    data = model_data()  # (its classes: a kept model is checked against the data as a model file is)
    kept = {"config": net.config, "params": net.get_params(), "train_config": st.session_state.train_config,
            "header": {"data": data.meta() if data is not None else None}}
    st.session_state.run_log.record(st.session_state.model_serial, settings, st.session_state.history, seconds,
                                    dataset=st.session_state.model_dataset or "", model=kept)


def use_kept_model(run) -> str:
    """Make a run's kept model the tab's model again, to evaluate or draw with (like a model
    loaded from a file: training goes on from a new model).  '' when done, else why not."""
    if run.model is None:
        kept = st.session_state.run_log.max_models
        return (f"**{escape.markdown(run.name)}** no longer keeps its model: only the {kept} "
                "runs trained last do. Its curves and scores stay here.")
    try:
        data = load_data(run.dataset)
    except ValueError as e:
        return f"**{escape.markdown(run.name)}** was trained on {run.dataset}, which cannot be loaded now: {e}"
    net = Network(run.model["config"])
    net.set_params(run.model["params"])
    try:
        modelfile.check_compatible(run.model["header"], net, data)
    except modelfile.ModelFileError as e:
        return f"**{escape.markdown(run.name)}** cannot be used on this tab's {run.dataset} data: {e}."
    set_model(net, history=run.history, controls={**run.settings, "dataset": run.dataset}, dataset=run.dataset,
              source=f"{run.name}, kept on Compare", train_config=run.model["train_config"])
    return ""


def clear_model():
    set_model(None)


def has_model() -> bool:
    return st.session_state.net is not None
