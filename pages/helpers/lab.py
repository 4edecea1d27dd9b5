"""The tab's lab: its work kept in the lab store (nnlab/store, docs/lab.md), found again
by the address.  Not a page.

    open_lab()      frame(), before any widget: the lab of ?lab=TOKEN back into session
                    state (or a new lab), and the token put (back) in the address bar
    save()          after each page ran (pages/errors.run): the parts that changed, one
                    transaction each
    checkpoint()    the Train loop, after each record: the model, at each epoch's end and
                    every CHECKPOINT_SECONDS inside a long epoch, within the cost budget
    (the sidebar's New lab, Delete this lab and the warning: pages/helpers/lab_ui.py)

Nothing here shows where the data folder is.  A store that fails (read-only, full,
corrupt) stops saving for this tab, with one warning; the tab goes on in memory.  A
passing failure (a database locked by another process, a database server that does not
answer for a moment) is tried again RETRY_SECONDS later.  A lab that could not be opened
is never written by this tab: its saved work would be overwritten by an empty tab's.
"""
from __future__ import annotations

import time

import streamlit as st

from nnlab import modelfile
from nnlab.store import StoreError, new_token, open_store, parse_token, parts
from pages.helpers import state

QUERY = "lab"               # ?lab=TOKEN
CHECKPOINT_SECONDS = 5.0    # inside a long epoch: a checkpoint at most this often
RETRY_SECONDS = 30.0        # a database found locked, or a server that did not answer, is tried again this much later
PASSING = ("locked", "no-server")  # StoreError kinds that mend themselves (tried again)
CHECKPOINT_SHARE = 0.05     # ... and checkpoints take at most this share of the time (issue 23: < 5 %)
# The controls a lab keeps: the training controls, the Playground's, the Sweep's axes.
CONTROL_PREFIXES = ("ctl_", "pg_", "sweep_param_", "sweep_values_")
NOT_CONTROLS = ("pg_show_only",)


@st.cache_resource(show_spinner=False)
def store():
    """One store per server (a database file and how to reach it; no learner's data in
    this object unless the database is unusable and it is the in-memory fallback)."""
    return open_store()


def _s():
    return st.session_state


def fail(e: StoreError):
    """A write failed: a busy database or a server that did not answer is tried again
    RETRY_SECONDS later (the sidebar says which); anything else stops this tab's saving
    (a read-only, full or damaged store does not mend itself)."""
    if e.kind in PASSING:
        _s().lab_busy, _s().lab_busy_kind = time.monotonic(), e.kind
        return
    _s().lab_off = (f"Your work is no longer being saved: {e}. This tab keeps it until it is closed; "
                    "download a model on **Evaluate** to keep it.")


def _busy() -> bool:
    """A write found the database locked (or its server silent) less than RETRY_SECONDS ago."""
    return bool(_s().get("lab_busy")) and time.monotonic() - _s().lab_busy < RETRY_SECONDS


# ------------------------------------------------------------------ open
def open_lab():
    """Bring back the lab of the address once per tab (a new lab without one), and keep
    the token in the address bar on every page (navigation may drop it)."""
    s = _s()
    if s.lab_token is None:
        given = st.query_params.get_all(QUERY)
        token = parse_token(given[-1]) if given else None
        lab, opened = None, False  # opened: the address's lab was read (or there was none to read)
        try:
            lab = store().load_lab(token) if token else None
            opened = True
            if lab is None:
                if given:
                    s.lab_notice = ("The address held a lab that does not exist (a wrong or old link; labs unused "
                                    "for a while are removed): this is a new, empty lab.")
                token = store().create_lab()
        except StoreError as e:
            if not opened and e.kind in PASSING:  # the address's lab may be there: never write over it
                s.lab_off = (f"Your lab could not be opened: {e}. Reload this page in a moment to bring it "
                             "back; until then nothing you do in this tab is saved, so nothing overwrites it.")
            else:
                s.lab_uncreated = e.kind in PASSING  # a new lab: made at a page run once the store is back
                fail(e)
            token = token or new_token()  # (a valid token stays: the lab is there when the store is back)
        s.lab_token = token
        if lab is not None:
            restore(lab)
    elif s.get("lab_uncreated") and not _busy():
        try:
            s.lab_token, s.lab_uncreated, s.lab_busy = store().create_lab(), False, 0.0
        except StoreError as e:
            fail(e)
    if st.query_params.get(QUERY) != s.lab_token:
        st.query_params[QUERY] = s.lab_token


def restore(lab):
    """Put a loaded lab's parts into session state: data sources, controls, runs, sweep, model."""
    s, p, problems = _s(), lab.parts, []
    sources = parts.from_json(p.get("data_sources"), {}) or {}
    for name, src in sources.items():
        if src.get("stored"):
            data = p.get("dataset:" + name)
            if data is None:
                problems.append(f"the uploaded {name.upper()} file")
                continue
            src = {**src, "data": data}
        src.pop("stored", None)
        s.data_sources = {**s.data_sources, name: src}
    if not _restore_controls(parts.from_json(p.get("controls"), {}) or {}):
        problems.append("the controls' values (saved by another version of nnlab): they start afresh")
    if p.get("runs"):
        s.run_log, dropped = parts.runlog_from(p["runs"], lab.models)
        if dropped:
            problems.append(f"the models of {dropped} runs (their curves are kept)")
    room = parts.from_json(p.get("room"), None)  # the room it posts to (room_join.py writes it)
    s.room = room if isinstance(room, dict) and isinstance(room.get("code"), str) else None
    sweep = parts.from_json(p.get("sweep"), {}) or {}
    if sweep.get("results"):
        s.sweep_results, s.sweep_axes, s.sweep_best = sweep["results"], sweep.get("axes") or {}, sweep.get("best")
    why = _restore_model(p.get("model"), parts.from_json(p.get("model_state"), {}) or {}, p.get("optimizer"))
    if why:
        problems.append(why)
    if problems:
        s.lab_notice = "This lab is back, except " + "; ".join(problems) + "."
    s.lab_saved = signatures()


def _restore_controls(saved: dict) -> bool:
    """The saved control values into session state; those of a group whose values the
    controls cannot read (a lab saved by another version) are left out.  False then."""
    from pages.helpers import controls

    ok = True
    for prefix in (controls.K, "pg_"):
        values = {k: v for k, v in saved.items() if k.startswith(prefix) and k not in NOT_CONTROLS}
        before = {k: _s()[k] for k in values if k in _s()}
        for key, value in values.items():
            _s()[key] = value
        try:
            controls.read_controls(prefix=prefix)
        except (ValueError, TypeError, KeyError, AttributeError):
            for key in values:  # back to what the tab had (the starting values come in init_controls)
                if key in before:
                    _s()[key] = before[key]
                else:
                    del _s()[key]
            ok = False
    for key, value in saved.items():
        if key.startswith(("sweep_param_", "sweep_values_")) and isinstance(value, str):
            _s()[key] = value
    return ok


def _restore_model(raw, kept, optimizer=None) -> str:
    """The model (and its trainer, paused) from its checkpoint; '' when done or none, else what was lost."""
    s = _s()
    s.model_serial = max(s.model_serial, int(kept.get("serial", 0)))
    if raw is None:
        return ""
    dataset = kept.get("dataset")
    try:
        net, header = modelfile.load(raw)
        data = state.load_data(dataset)
        modelfile.check_compatible(header, net, data)
        trainer = None
        if kept.get("trainer") is not None and header.get("train"):
            trainer = parts.restore_trainer(net, data, header["train"], header.get("history") or [], kept["trainer"],
                                            record_grads=s.record_grads, optimizer=optimizer)
    except (ValueError, TypeError, KeyError):  # ModelFileError and DataError are ValueErrors
        return f"the model (it no longer fits its data, {dataset})"
    state.set_model(net, trainer=trainer, history=header.get("history"), controls=kept.get("controls"),
                     dataset=dataset, source=kept.get("source") or "kept in this lab",
                     train_config=header.get("train") or None)
    s.model_serial = int(kept.get("serial", s.model_serial))  # the same model: the same run on Compare
    return ""


# ------------------------------------------------------------------ save
def _controls() -> dict:
    s = _s()
    out = {}
    for key in list(s.keys()):
        if isinstance(key, str) and key.startswith(CONTROL_PREFIXES) and key not in NOT_CONTROLS:
            value = s[key]
            if isinstance(value, tuple):
                value = list(value)
            if value is None or isinstance(value, (str, int, float, bool, list)):
                out[key] = value
    return dict(sorted(out.items()))


def _model_signature():
    s = _s()
    t = s.trainer
    return (s.model_serial, id(s.net), len(s.history), repr(s.train_config), s.model_source,
            None if t is None else (t.epoch, t.epochs_done, t.stopped_reason, len(t.marks)))


def signatures() -> dict:
    """Cheap fingerprints of each part as session state holds it now."""
    s = _s()
    log = s.run_log
    return {
        "controls": parts.to_json(_controls()),
        "runs": None if log is None else (log.baseline, tuple((r.id, r.name, r.epochs, r.trained, r.seconds,
                                                                id(r.model)) for r in log.runs)),
        "sweep": (len(s.sweep_results or []), id(s.sweep_best), repr(s.sweep_axes)),
        "data_sources": tuple((k, v.get("key", ""), repr(v.get("kwargs"))) for k, v in s.data_sources.items()),
        "model": _model_signature(),
    }


def _model_parts() -> dict:
    s = _s()
    if s.net is None:
        return {"model": None, "optimizer": None, "model_state": parts.to_json({"serial": s.model_serial})}
    data = state.model_data()
    t = s.trainer
    history = t.history if t is not None else s.history
    kept = {"serial": s.model_serial, "controls": s.model_controls, "dataset": s.model_dataset,
             "source": s.model_source, "trainer": None if t is None else parts.trainer_state(t)}
    return {"model": parts.model_file(s.net, data.meta() if data is not None else None, history, s.train_config),
            "model_state": parts.to_json(kept), "optimizer": None if t is None else parts.optimizer_bytes(t.optimizer)}


def save():
    """Save every part that changed since it was last saved (each write one transaction)."""
    s = _s()
    if not s.get("lab_token") or s.get("lab_off") or s.get("lab_uncreated") or _busy():
        return
    now, saved = signatures(), s.lab_saved
    changed = [name for name in now if saved.get(name) != now[name]]
    if not changed:
        return
    try:
        if "controls" in changed:
            store().save_part(s.lab_token, "controls", now["controls"])
        if "sweep" in changed:
            store().save_part(s.lab_token, "sweep", parts.to_json(
                {"results": s.sweep_results, "axes": s.sweep_axes, "best": s.sweep_best}))
        if "data_sources" in changed:
            store().save_parts(s.lab_token, _data_parts())
        if "runs" in changed and s.run_log is not None:
            # (trained: counts every record of the run, so a new model of it never looks unchanged)
            before = {r[0]: (r[3], r[5]) for r in saved["runs"][1]} if saved.get("runs") else {}
            models = parts.runlog_models(s.run_log, unchanged=lambda r: before.get(r.id) == (r.trained, id(r.model)))
            store().save_models(s.lab_token, models, {"runs": parts.runlog_json(s.run_log)})
        if "model" in changed:
            with s.live.lock:  # not while an epoch changes the weights
                store().save_parts(s.lab_token, _model_parts())
    except StoreError as e:
        fail(e)
        return
    s.lab_saved, s.lab_busy = now, 0.0


def _data_parts() -> dict:
    """The Data page's sources: how each is loaded, and an uploaded file's bytes."""
    s = _s()
    sources, out = {}, {}
    for name, src in s.data_sources.items():
        sources[name] = {k: v for k, v in src.items() if k != "data"}
        if src.get("data") is not None:
            sources[name]["stored"] = True
            out["dataset:" + name] = src["data"]
    out["data_sources"] = parts.to_json(sources)
    return out


def checkpoint_due(since: float, cost: float, inside_epoch: bool) -> bool:
    """Whether to checkpoint now, `since` seconds after the last one, which took `cost` s:
    at an epoch's end or after CHECKPOINT_SECONDS inside one, within CHECKPOINT_SHARE."""
    if since < cost / CHECKPOINT_SHARE:
        return False
    return not inside_epoch or since >= CHECKPOINT_SECONDS


def checkpoint(trainer, record) -> None:
    """Called by the Train loop with each record (under the tab's training lock): save
    the model at an epoch's end, and every CHECKPOINT_SECONDS inside a long epoch — but
    never more than CHECKPOINT_SHARE of the time (tiny epochs: every few epochs)."""
    s = _s()
    if not s.get("lab_token") or s.get("lab_off") or s.get("lab_uncreated") or s.trainer is not trainer or _busy():
        return
    last, cost = s.lab_checkpoint
    if not checkpoint_due(time.monotonic() - last, cost, bool(record.get("progress"))):
        return
    t0 = time.monotonic()
    try:
        store().save_parts(s.lab_token, _model_parts())
    except StoreError as e:
        fail(e)
        return
    finally:  # (a failed attempt counts too: a busy database is not waited for at every epoch)
        s.lab_checkpoint = (time.monotonic(), time.monotonic() - t0)
    s.lab_saved, s.lab_busy = {**s.lab_saved, "model": _model_signature()}, 0.0
