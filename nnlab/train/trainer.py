"""Training as a generator: one record per epoch, consumed by the CLI or the UI.

    trainer = Trainer(net, data, TrainConfig(optimizer="adam", lr=1e-3, epochs=30))
    for record in trainer.run():          # stop at any time by leaving the loop
        print(record["epoch"], record["val_loss"])
    next(trainer.run(1))                  # ...and resume later, one epoch at a time

The trainer owns the optimizer state, the epoch counter and the history, so
stopping between epochs and resuming continues exactly where it left off.
``run(progress_seconds=0.25)`` also yields progress records inside long epochs;
stopping at one of those pauses the epoch, and the next ``run()`` finishes it
from the same batch.  Where each idea lives:

    loop.py      the batches of one epoch: forward, backward, step (pausable)
    policies.py  learning-rate schedules, early stopping, the divergence guard
    records.py   the shape of the records run() yields
    engines.py   engine="fast" (default) or "reference": who does the arithmetic
"""
from __future__ import annotations

import math
import time

import numpy as np

from nnlab.core.config import TrainConfig
from nnlab.core.hyperparams import default as setting_default
from nnlab.train import records
from nnlab.train.engines import DEFAULT_ENGINE, counted_training, get_engine, make_optimizer
from nnlab.train.gradstats import GradStats
from nnlab.train.loop import EpochPass
from nnlab.train.policies import DivergenceGuard, EarlyStopping, learning_rate


def _check_settings(config, data, has_val):
    if config.augment and not data.image_shape:
        raise ValueError("augmentation changes images, but this dataset has no image shape")
    if config.patience and not has_val:
        raise ValueError("early stopping needs a validation set")


DIVERGED = "diverged"
EARLY_STOPPING = "early_stopping"
MAX_EPOCHS_REACHED = "max_epochs"


class Trainer:
    """Trains `net` on `data` with `config`; see the module docstring.
    engine: a key of engines.ENGINES — "fast" (default) or "reference".
    record_grads: put each layer's gradient norm and update/weight ratio in the
    epoch records (gradstats.py); may be switched at any time (from the next epoch)."""

    def __init__(self, net, data, config: TrainConfig, engine: str = DEFAULT_ENGINE,
                 record_grads: bool = setting_default("record_grads")):
        if data.n_features != net.config.n_inputs or data.n_classes != net.config.n_outputs:
            raise ValueError(
                f"the network ({net.config.n_inputs} inputs, {net.config.n_outputs} outputs) does not match "
                f"the dataset ({data.n_features} features, {data.n_classes} classes)")
        self.has_val = data.X_val is not None and len(data.X_val) > 0
        _check_settings(config, data, self.has_val)
        self.net, self.data, self.config, self.engine = net, data, config, get_engine(engine)
        self.record_grads = bool(record_grads)
        self.X, self.y = np.ascontiguousarray(data.X_train, dtype=net.dtype), np.asarray(data.y_train, np.int64)
        if self.has_val:
            self.X_val, self.y_val = np.ascontiguousarray(data.X_val, net.dtype), np.asarray(data.y_val, np.int64)
        self.backprop = self.engine.backprop(net)  # forward + backward of one batch, as net.loss_and_grad
        self.optimizer = self._new_optimizer()
        self.rng = np.random.default_rng(np.random.SeedSequence(config.seed).spawn(3)[2])
        self.source = self.engine.batches(self.X, self.y, self.rng, data.image_shape)
        self.history: list = []  # records.EpochRecord, one per epoch
        self.marks: list = []  # [{"epoch": n, "note": text}]: settings changed after epoch n (see reconfigure)
        self.epoch, self.stopped_reason, self.message = 0, None, ""
        self.last_good_params = net.get_params()
        self.train_seconds = 0.0
        self._pass = None  # the loop.EpochPass under way, if any
        self.stopping = EarlyStopping()
        self.guard = DivergenceGuard(net.evaluate(self.X[:1024], self.y[:1024])[0])
        self.diverged_at = None  # {"epoch", "batch", "batches", "loss"} of the last divergence

    def _new_optimizer(self):
        cfg = self.config
        return make_optimizer(cfg.optimizer, cfg.lr, engine=self.engine.name, **cfg.optimizer_kwargs())

    @property
    def finished(self) -> bool:
        return self.stopped_reason is not None

    @property
    def best_epoch(self) -> int:
        return self.stopping.best_epoch

    def reconfigure(self, config: "TrainConfig", note: str = ""):
        """Go on training with new settings; the weights, the epoch count and the history
        carry on.  A new optimizer (or new optimizer settings) starts with fresh state.
        A finished run (all epochs done, early stopping, a divergence) goes on if the
        new settings leave epochs to train.  `note` (e.g. "learning rate 0.002 → 0.01")
        is kept in ``marks`` at the current epoch, for the charts.  An epoch under way
        finishes with the batches it already drew."""
        _check_settings(config, self.data, self.has_val)
        old, self.config = self.config, config
        if (config.optimizer, config.optimizer_kwargs()) != (old.optimizer, old.optimizer_kwargs()):
            self.optimizer = self._new_optimizer()
        self.optimizer.lr = self.lr_at(self.epoch)
        if self.stopped_reason is not None and self.epoch < config.epochs:
            self.stopped_reason, self.message = None, ""
            self.stopping.bad_epochs = 0  # early stopping counts afresh from here
            self.guard.reset()
        elif self.stopped_reason is None and self.epoch >= config.epochs and self._pass is None:
            self._stop(MAX_EPOCHS_REACHED, f"Finished {self.epoch} epochs.")  # Epochs lowered to what is done
        if note:
            if self.marks and self.marks[-1]["epoch"] == self.epoch:  # two changes before one epoch: one mark
                self.marks[-1]["note"] += "; " + note
            else:
                self.marks.append({"epoch": self.epoch, "note": note})

    def batch_size(self) -> int:
        n = len(self.X)
        if self.config.optimizer == "gd" or not self.config.batch_size:
            return n
        return min(self.config.batch_size, n)

    def lr_at(self, epoch: int) -> float:
        """Learning rate used in `epoch` (0-based)."""
        return learning_rate(self.config, epoch)

    @property
    def epoch_progress(self):
        """(batches done, batches in the epoch) while an epoch is under way, else None."""
        return None if self._pass is None else (self._pass.done, self._pass.n_batches)

    @property
    def epochs_done(self) -> float:
        """Epochs trained, an epoch under way counted by its share of batches (for progress bars)."""
        return self.epoch if self._pass is None else self.epoch + self._pass.done / self._pass.n_batches

    def run(self, epochs: int | None = None, progress_seconds: float | None = None):
        """Yield one records.EpochRecord per epoch, for at most `epochs` epochs (default:
        until config.epochs is reached, early stopping triggers or the loss diverges).

        With `progress_seconds`, an epoch that takes longer also yields
        records.ProgressRecord about that often, so a UI shows life inside long
        (MNIST) epochs.  Leaving the loop at one pauses the epoch; the next run()
        continues it."""
        remaining = self.config.epochs - self.epoch if epochs is None else min(epochs, self.config.epochs - self.epoch)
        with counted_training():  # counted among this process's trainings until the run ends or is dropped
            yield from self._run(remaining, progress_seconds)

    def _run(self, remaining, progress_seconds):
        while remaining > 0 and not self.finished:
            if self._pass is None:
                self.optimizer.lr = self.lr_at(self.epoch)
                bs = self.batch_size()
                n_batches = math.ceil(len(self.X) / bs)
                stats = GradStats(self.net, n_batches) if self.record_grads else None
                self._pass = EpochPass(self.source.epoch(bs, self.config.augment), n_batches, stats)
            p = self._pass
            # Not held across the yield: the consumer runs unlimited.  Overflow warnings
            # are silenced because divergence is detected and explained in one message.
            with self.engine.blas(self.batch_size(), self.net.config.sizes), \
                    np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                # counted from the start of the turn, not from a wait for it (fast/room.py)
                deadline = None if progress_seconds is None else time.perf_counter() + progress_seconds
                ended = p.train(self.net, self.backprop, self.optimizer, self.config, len(self.X), self.guard,
                                self.source, deadline)
                record = self._end_epoch() if ended else records.progress_record(
                    self.epoch + 1, p.done, p.n_batches, p.total_loss / p.seen)
            if ended:
                remaining -= 1
            yield record

    def _end_epoch(self) -> records.EpochRecord:
        p, self._pass = self._pass, None
        n = len(self.X)
        train_loss, train_acc = p.total_loss / n, (p.correct / n if math.isfinite(p.total_loss) else 0.0)
        t0 = time.perf_counter()
        val_loss = val_acc = None
        if math.isfinite(train_loss) and self.has_val:
            val_loss, val_acc = self.net.evaluate(self.X_val, self.y_val)
        seconds = p.seconds + time.perf_counter() - t0  # training time only, not the consumer's
        self.train_seconds += seconds
        record = records.epoch_record(self.epoch + 1, train_loss, val_loss, train_acc, val_acc,
                                      self.lr_at(self.epoch), seconds,
                                      p.stats.result() if p.stats is not None and p.stats.measured else None)
        self.epoch += 1
        if not (math.isfinite(train_loss) and (val_loss is None or math.isfinite(val_loss))
                and np.isfinite(self.net.flat_params).all()):
            self._diverged(record, p.n_batches)
        else:
            self.last_good_params = self.net.get_params()
            patience = self.config.patience if self.has_val else 0
            if patience and self.stopping.update(self.epoch, val_loss, self.net, patience):
                self.stopping.restore(self.net)
                self._stop(EARLY_STOPPING, f"Early stopping: no better validation loss for {patience} epochs; "
                                           f"restored {self.stopping.restored_text()}.")
            if not self.finished and self.epoch >= self.config.epochs:
                message = f"Finished {self.epoch} epochs."
                if patience and self.stopping.restore(self.net) and self.stopping.best_epoch != self.epoch:
                    message += f" Restored {self.stopping.restored_text()}."
                self._stop(MAX_EPOCHS_REACHED, message)
        record["stopped_reason"], record["message"] = self.stopped_reason, self.message
        self.history.append(record)
        return record

    def _stop(self, reason, message):
        self.stopped_reason, self.message = reason, message

    def _diverged(self, record, n_batches):
        """Keep the last finite weights, start the optimizer afresh, explain."""
        self.net.set_params(self.last_good_params)
        self.optimizer = self._new_optimizer()
        bad = self.guard.bad_loss
        self.diverged_at = {"epoch": self.epoch, "batch": self.guard.bad_batch, "loss": bad, "batches": n_batches}
        self._stop(DIVERGED, self.guard.message(self.epoch, self.config))
        record["diverged_loss"] = float(bad) if bad is not None else math.inf
        if not math.isfinite(record["train_loss"]):
            record["train_loss"] = record["train_accuracy"] = None
        self.epoch -= 1  # the diverged epoch does not count

    def summary(self) -> dict:
        """Figures of the run so far (for the CLI's JSON and the UI)."""
        best = self.stopping.best_epoch if self.config.patience and self.stopping.best_params is not None else None
        return records.summary(self.history, self.epoch, best, self.train_seconds, self.stopped_reason,
                               self.message)
