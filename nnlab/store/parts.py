"""What a lab's parts hold, as bytes: JSON for settings, runs and sweeps; nnlab's own
model-file format (nnlab/modelfile.py: .npz + JSON, no pickle) for weights, read back
through the same checks as an uploaded model file.  No Streamlit here: the app
(pages/helpers/lab.py) and the CLI (nnlab/cli/runs.py) both use these.

A trainer comes back as far as a checkpoint can take it (docs/lab.md): the weights,
the optimizer's state (its step count and arrays: Adam's moments, momentum's velocity,
as plain .npy arrays, no pickle), the random generators of the batch order and of dropout, the
epoch count, the history, the change marks and how the run ended: from an epoch's end
the reference engine goes on bit for bit as if never stopped (the fast engine to float
rounding: it keeps Adam's moments rescaled).  Early stopping's copy of the best weights
is not kept (it counts afresh), and an epoch that was half done when the checkpoint was
taken starts again from its first batch, in a new order.
"""
from __future__ import annotations

import io
import json
import math
import zipfile

import numpy as np

from nnlab import modelfile
from nnlab.core.config import TrainConfig
from nnlab.core.network import Network
from nnlab.experiments.runs import Run, RunLog
from nnlab.store.base import StoreError


# ------------------------------------------------------------------ JSON
def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (set, frozenset)):
        return sorted(v)
    raise TypeError(f"cannot keep {type(v).__name__} in a lab")


def to_json(obj) -> bytes:
    """JSON bytes; NaN and infinities as JSON allows Python to read them back."""
    return json.dumps(obj, default=_plain, separators=(",", ":")).encode("utf-8")


def from_json(raw: bytes | None, default=None):
    if raw is None:
        return default
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return default


# ------------------------------------------------------------------ models
def model_file(net: Network, meta: dict | None, history: list | None, train_config: dict | None) -> bytes:
    """The model file of a checkpoint: stored, not deflated (deflating MNIST's 2 MB of weights
    took ~60 ms, a tenth of an epoch; see docs/lab.md)."""
    return modelfile.model_bytes(net, meta, history, train_config, compress=False)


def kept_model_bytes(model: dict) -> bytes:
    """A run's kept model (nnlab/experiments/runs.py: config, params, train_config, header) as a model file."""
    net = Network(model["config"])
    net.set_params(model["params"])
    return modelfile.model_bytes(net, (model.get("header") or {}).get("data"), None, model.get("train_config"))


def kept_model(raw: bytes) -> dict | None:
    """A kept model back from its model file (checked as an upload is); None if it is refused."""
    try:
        net, header = modelfile.load(raw)
    except modelfile.ModelFileError:
        return None
    return {"config": net.config, "params": net.get_params(), "train_config": header.get("train") or None,
            "header": {"data": header.get("data") or None}}


# ------------------------------------------------------------------ run log
_RUN_FIELDS = ("id", "model_id", "name", "settings", "history", "seconds", "dataset", "started", "changes",
               "trained", "created")


def runlog_json(log: RunLog) -> bytes:
    return to_json({
        "runs": [{**{k: getattr(r, k) for k in _RUN_FIELDS}, "kept": r.model is not None} for r in log.runs],
        "max_runs": log.max_runs, "max_models": log.max_models, "records": log._records,
        "baseline": log.baseline, "next_id": log._next_id})


def runlog_from(raw: bytes | None, models: dict) -> tuple:
    """(RunLog, models dropped): the log saved by runlog_json, its runs' kept models put back
    from `models` ({run id: model-file bytes}); a run whose model was not kept (the lab's
    limit, or a model file refused) keeps its curves."""
    d = from_json(raw, {}) or {}
    log = RunLog(d.get("max_runs", RunLog().max_runs), d.get("max_models", RunLog().max_models))
    dropped = 0
    for r in d.get("runs", []):
        try:
            run = Run(**{k: r[k] for k in _RUN_FIELDS if k in r})
        except TypeError:
            continue
        if r.get("kept"):
            run.model = kept_model(models[run.id]) if run.id in models else None
            dropped += run.model is None
        log.runs.append(run)
    log._records, log.baseline = d.get("records", 0), d.get("baseline")
    log._next_id = d.get("next_id", max((r.id for r in log.runs), default=0) + 1)
    return log, dropped


def runlog_models(log: RunLog, unchanged=lambda run: False) -> dict:
    """{run id: model-file bytes} of the runs keeping a model; None for those `unchanged` says
    are stored already (the store keeps them as they are)."""
    return {r.id: None if unchanged(r) else kept_model_bytes(r.model) for r in log.runs if r.model is not None}


# ------------------------------------------------------------------ trainer
def trainer_state(trainer) -> dict:
    """What a checkpoint keeps of a Trainer beside its weights (see the module docstring)."""
    return {"epoch": trainer.epoch, "marks": trainer.marks, "stopped_reason": trainer.stopped_reason,
            "message": trainer.message, "train_seconds": trainer.train_seconds, "diverged_at": trainer.diverged_at,
            "mid_epoch": trainer.epoch_progress is not None, "engine": trainer.engine.name,
            "rng": trainer.rng.bit_generator.state,  # the next epoch's order (drawn at its first batch)
            "dropout_rng": trainer.net.dropout_rng.bit_generator.state,  # the network's dropout masks
            "best_epoch": trainer.stopping.best_epoch,
            "best_val_loss": trainer.stopping.best_val_loss if math.isfinite(trainer.stopping.best_val_loss) else None}


def optimizer_bytes(optimizer) -> bytes:
    """The optimizer's step count and state arrays (the paper's names) as an uncompressed .npz."""
    buf = io.BytesIO()
    np.savez(buf, __t__=np.array(optimizer.t, dtype=np.int64), **optimizer.state())
    return buf.getvalue()


def load_optimizer(optimizer, raw: bytes | None, n_params: int) -> bool:
    """Put saved state into `optimizer` when it fits (its own arrays' names, one float per
    parameter, finite); False (the optimizer left fresh) otherwise.  Never unpickles."""
    if not raw:
        return False
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError):
        return False
    t = arrays.pop("__t__", None)
    fresh = type(optimizer)(lr=optimizer.lr)  # which arrays this optimizer keeps, by name
    expected = set(getattr(fresh, "slots", ())) or {k for k in ("m", "v", "s") if hasattr(fresh, k)}
    if t is None or t.shape != () or set(arrays) != (expected if int(t) > 0 else set()):
        return False
    if any(a.shape != (n_params,) or a.dtype.kind != "f" or not np.isfinite(a).all() for a in arrays.values()):
        return False
    optimizer.load_state(int(t), arrays)
    return True


def restore_trainer(net, data, train_config: dict, history: list, state: dict, record_grads: bool = True,
                    optimizer: bytes | None = None):
    """A Trainer that goes on from a checkpoint: `net` (its weights), the run's history, `state`
    and the optimizer's state (`optimizer_bytes`; a fresh optimizer when missing or unfit)."""
    from nnlab.train.trainer import Trainer

    trainer = Trainer(net, data, TrainConfig.from_dict(train_config), engine=state.get("engine", "fast"),
                      record_grads=record_grads)
    trainer.history = [r for r in history if not r.get("progress")]
    trainer.epoch = int(state.get("epoch", len(trainer.history)))
    trainer.marks = list(state.get("marks") or [])
    trainer.stopped_reason, trainer.message = state.get("stopped_reason"), state.get("message") or ""
    trainer.train_seconds = float(state.get("train_seconds") or 0.0)
    trainer.diverged_at = state.get("diverged_at")
    if state.get("rng") and not state.get("mid_epoch"):  # (half an epoch: it starts again, in a new order)
        for rng, key in ((trainer.rng, "rng"), (net.dropout_rng, "dropout_rng")):
            try:  # (in place: the batch source and the Dropout layers draw from these very generators)
                rng.bit_generator.state = state[key]
            except (TypeError, ValueError, KeyError):
                pass
    trainer.optimizer.lr = trainer.lr_at(trainer.epoch)
    load_optimizer(trainer.optimizer, optimizer, net.flat_params.size)
    return trainer


# ------------------------------------------------------------------ the CLI's view
def list_runs(store, token: str | None = None) -> list:
    """One dict per run of lab `token` (every lab's when None): lab, run, name, dataset,
    settings, val_accuracy, test_accuracy, epochs, created, model kept."""
    out = []
    for t in ([token] if token else store.labs()):
        lab = store.load_lab(t)
        if lab is None:
            continue
        for r in (from_json(lab.parts.get("runs"), {}) or {}).get("runs", []):
            val = next((h.get("val_accuracy") for h in reversed(r.get("history") or [])
                        if h.get("val_accuracy") is not None), None)
            out.append({"lab": t, "run": r.get("id"), "name": r.get("name"), "dataset": r.get("dataset"),
                        "settings": r.get("settings"), "epochs": len(r.get("history") or []),
                        "val_accuracy": val, "test_accuracy": r.get("test_accuracy"),
                        "created": r.get("created") or r.get("started"),
                        "model": bool(r.get("kept")) and r.get("id") in lab.models})
    return out


def export_run(store, token: str, run_id: int) -> bytes:
    """Run `run_id`'s kept model file, checked; StoreError/KeyError/ModelFileError say why not."""
    lab = store.load_lab(token)
    if lab is None:
        raise KeyError("no such lab in this store")
    if run_id not in lab.models:
        known = {r.get("id") for r in (from_json(lab.parts.get("runs"), {}) or {}).get("runs", [])}
        raise KeyError(f"run {run_id} of this lab keeps no model (only the runs trained last keep theirs)"
                       if run_id in known else f"this lab has no run {run_id}")
    raw = lab.models[run_id]
    modelfile.load(raw)  # the same checks as an upload
    return raw


__all__ = ["StoreError", "export_run", "from_json", "kept_model", "kept_model_bytes", "list_runs", "load_optimizer",
           "model_file", "optimizer_bytes", "restore_trainer", "runlog_from", "runlog_json", "runlog_models", "to_json",
           "trainer_state"]
