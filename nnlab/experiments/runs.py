"""A tab's run history: every model trained in the tab, kept as a run — its
settings, its per-epoch history, its final metrics, when and for how long —
so runs can be compared after the model itself is gone.

    log = RunLog()
    run = log.record(model_id, settings, history, seconds, dataset="digits")  # after each Train/Step
    log.table()                     # a DataFrame, one row per run
    log.differences([a, b, c])      # {"run 1": "lr 0.001", ...}: the settings that tell them apart
    log.differences_table([a, b])   # the same as a table: one row per run, one column per setting

A run is one model: pressing Train again on the same model (more epochs, a new
learning rate) updates its run; Reset and Train starts a new one.  Histories
are small (a few numbers per epoch).  The MAX_MODELS runs trained last also keep
the model their caller hands in (its weights: opaque here), to evaluate or draw
with again; the others keep their history only.  Plain Python and pandas: the
Compare page only draws what this returns.
"""
from __future__ import annotations

import datetime as _dt
import io
from dataclasses import dataclass, field

import pandas as pd

MAX_RUNS = 50  # a tab keeps its 50 latest runs (about 2 KB of history per 100 epochs each)
MAX_MODELS = 5  # ... and the models of the 5 trained last (70 KB each for digits' default, 2 MB for MNIST's)
METRICS = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")


@dataclass
class Run:
    id: int
    model_id: object
    name: str
    settings: dict
    history: list
    seconds: float
    dataset: str
    started: str
    changes: list = field(default_factory=list)  # what differs from the run before, as "key: old → new"
    model: object = None  # the model as last trained, while among the MAX_MODELS runs trained last
    trained: int = 0      # when it was last recorded, in records of this log (which models to keep)
    created: str = ""     # date and time of its first record, ISO 8601 (the lab store's CLI lists it)

    @property
    def epochs(self) -> int:
        return len(self.history)

    def final(self, key: str):
        """The last epoch's value of `key` (None before the first epoch)."""
        for r in reversed(self.history):
            if r.get(key) is not None:
                return r[key]
        return None


def _plain(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def changes(before: dict | None, after: dict) -> list:
    """["lr: 0.001 → 0.01", ...]: the settings that differ, in `after`'s order."""
    if not before:
        return []
    return [f"{k}: {_plain(before.get(k))} → {_plain(v)}" for k, v in after.items()
            if k in before and before[k] != v]


class RunLog:
    """The runs of one browser tab (see the module docstring)."""

    def __init__(self, max_runs: int = MAX_RUNS, max_models: int = MAX_MODELS):
        self.runs: list = []
        self.max_runs = max_runs
        self.max_models = max_models
        self._records = 0
        self.baseline: int | None = None
        self._next_id = 1

    def record(self, model_id, settings: dict, history: list, seconds: float, dataset: str = "",
               now: _dt.datetime | None = None, model=None) -> Run:
        """Add the run of `model_id`, or update it when that model was trained before.
        `model`: the model now (kept while the run is among the MAX_MODELS trained last)."""
        history = [{k: r.get(k) for k in ("epoch", *METRICS)} for r in history if not r.get("progress")]
        for run in self.runs:
            if run.model_id == model_id:
                run.settings, run.history = dict(settings), history
                run.seconds += seconds
                run.model = model
                self._forget_old_models(run)
                return run
        previous = self.runs[-1].settings if self.runs else None
        now = now or _dt.datetime.now()
        run = Run(self._next_id, model_id, f"run {self._next_id}", dict(settings), history, float(seconds),
                  dataset, now.strftime("%H:%M:%S"), changes(previous, settings), model,
                  created=now.isoformat(timespec="seconds"))
        self._next_id += 1
        self.runs.append(run)
        self._drop_oldest_runs()
        self._forget_old_models(run)
        return run

    def _drop_oldest_runs(self):
        while len(self.runs) > self.max_runs:
            dropped = self.runs.pop(0)
            if dropped.id == self.baseline:
                self.baseline = None

    def _forget_old_models(self, latest: Run | None = None):
        """Only the max_models runs trained last keep a model (a tab's memory stays bounded)."""
        if latest is not None:
            self._records += 1
            latest.trained = self._records
        keeping = sorted((r for r in self.runs if r.model is not None), key=lambda r: r.trained)
        for run in keeping[:-self.max_models or None]:
            run.model = None

    def get(self, run_id: int) -> Run:
        for run in self.runs:
            if run.id == run_id:
                return run
        raise KeyError(f"no run {run_id}")

    def rename(self, run_id: int, name: str):
        name = " ".join(str(name).split())[:60]
        if not name:
            raise ValueError("a run's name cannot be empty")
        self.get(run_id).name = name

    def delete(self, run_id: int) -> dict:
        """Remove a run; returns what `undelete` needs to put it back as it was."""
        run = self.get(run_id)
        undo = {"run": run, "index": self.runs.index(run), "baseline": self.baseline == run_id}
        self.runs.remove(run)
        if self.baseline == run_id:
            self.baseline = None
        return undo

    def undelete(self, undo: dict) -> Run:
        """Put back a run `delete` removed: same place, name, model and baseline pin
        (within the log's bounds: a log filled up since then drops its oldest run)."""
        run = undo["run"]
        if any(r.id == run.id for r in self.runs):
            return run
        self.runs.insert(min(undo["index"], len(self.runs)), run)
        if undo["baseline"]:
            self.baseline = run.id
        self._drop_oldest_runs()
        self._forget_old_models()
        return run

    def pin(self, run_id: int | None):
        """Make `run_id` the baseline the table compares every run with (None: no baseline)."""
        if run_id is not None:
            self.get(run_id)
        self.baseline = run_id

    # ------------------------------------------------------------ views
    def table(self) -> pd.DataFrame:
        """One row per run: name, whether it is the baseline, when, data, epochs, final metrics (%),
        time, whether its model is kept, what changed.  The name is the run's name alone (a
        table column sized for "run 1" cut "run 1 (baseline)" to "run 1 (b")."""
        base = self.get(self.baseline).settings if self.baseline is not None else None
        rows = []
        for run in self.runs:
            acc, val = run.final("train_accuracy"), run.final("val_accuracy")
            rows.append({
                "id": run.id, "name": run.name, "baseline": run.id == self.baseline,
                "started": run.started, "dataset": run.dataset, "epochs": run.epochs,
                "val accuracy %": None if val is None else round(100 * val, 2),
                "train accuracy %": None if acc is None else round(100 * acc, 2),
                "val loss": run.final("val_loss"), "train loss": run.final("train_loss"),
                "seconds": round(run.seconds, 2), "model": "kept" if run.model is not None else "",
                "changes": "; ".join(changes(base, run.settings) if base is not None and run.id != self.baseline
                                     else run.changes),
            })
        return pd.DataFrame(rows, columns=["id", "name", "baseline", "started", "dataset", "epochs", "val accuracy %",
                                           "train accuracy %", "val loss", "train loss", "seconds", "model",
                                           "changes"])

    def _differing(self, runs) -> list:
        """The settings whose values are not the same in all `runs`.  A setting a run's
        optimizer does not take (Adam's beta1 for a momentum run) is not in that run's
        settings: it differs when another run has it, and shows there only."""
        keys = []
        for run in runs:
            keys += [k for k in run.settings if k not in keys]
        missing = object()
        return [k for k in keys if len({_plain(r.settings[k]) if k in r.settings else missing for r in runs}) > 1]

    def differences(self, run_ids) -> dict:
        """{run name: the settings in which it differs from the others ("" when none)}; a
        setting its optimizer does not take is left out of that run's text (never "beta1 None")."""
        runs = [self.get(i) for i in run_ids]
        keys = self._differing(runs)
        return {r.name: ", ".join(f"{k} {_plain(r.settings[k])}" for k in keys if k in r.settings) for r in runs}

    def differences_table(self, run_ids) -> pd.DataFrame:
        """One row per run (its name), one column per setting in which the runs differ; a
        setting the run's optimizer does not take is blank."""
        runs = [self.get(i) for i in run_ids]
        keys = self._differing(runs)
        return pd.DataFrame([{"run": r.name, **{k: _plain(r.settings[k]) if k in r.settings else "" for k in keys}}
                             for r in runs], columns=["run", *keys])

    def histories(self, run_ids=None) -> pd.DataFrame:
        """Every epoch of the chosen runs (all by default) in one long table."""
        ids = [r.id for r in self.runs] if run_ids is None else list(run_ids)
        frames = [pd.DataFrame(self.get(i).history).assign(run=self.get(i).name) for i in ids]
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=["run", "epoch", *METRICS])
        df = pd.concat(frames, ignore_index=True)
        return df[["run", "epoch", *METRICS]]

    def csv(self, what: str = "table", run_ids=None) -> str:
        buf = io.StringIO()
        (self.table() if what == "table" else self.histories(run_ids)).to_csv(buf, index=False)
        return buf.getvalue()
