"""The records a training run yields, declared once.

``Trainer.run()`` yields an ``EpochRecord`` at the end of each epoch (also kept
in ``Trainer.history``, saved in model files and shown as charts) and, with
``progress_seconds``, ``ProgressRecord``s inside long epochs.  Both are plain
dicts (JSON, pandas and ``record["epoch"]`` work as they are); tell them apart
with ``record.get("progress")``.
"""
from __future__ import annotations

from typing import Literal, Optional, TypedDict


class EpochRecord(TypedDict):
    epoch: int                       # 1-based; a diverged epoch keeps the number it had
    train_loss: Optional[float]      # mean data loss over the epoch's batches (None: diverged)
    val_loss: Optional[float]        # None without a validation set or after a divergence
    train_accuracy: Optional[float]  # on the training batches as they were trained
    val_accuracy: Optional[float]
    lr: float                        # the learning rate of this epoch (schedules change it)
    seconds: float                   # training time of the epoch, not the consumer's
    stopped_reason: Optional[str]    # None, or why the run ended here: DIVERGED, EARLY_STOPPING, MAX_EPOCHS
    message: str                     # the run's message once it ended ("" before)
    diverged_loss: Optional[float]   # the exploded loss (inf for NaN) when this epoch diverged
    grad_norms: Optional[list]       # with record_grads: ‖∂L/∂W‖ per dense layer (hidden 1 ... output), else None
    update_ratios: Optional[list]    # with record_grads: ‖ΔW‖/‖W‖ of one step per dense layer (gradstats.py)


class ProgressRecord(TypedDict):
    progress: Literal[True]
    epoch: int        # the epoch under way, 1-based
    batch: int        # batches done in it
    batches: int      # batches in the epoch
    train_loss: float  # mean loss over the batches done


def epoch_record(epoch, train_loss, val_loss, train_accuracy, val_accuracy, lr, seconds,
                 grad_stats=None) -> EpochRecord:
    """grad_stats: gradstats.GradStats.result() of the epoch, if recorded."""
    grad_stats = grad_stats or {}
    return EpochRecord(epoch=epoch, train_loss=train_loss, val_loss=val_loss, train_accuracy=train_accuracy,
                       val_accuracy=val_accuracy, lr=lr, seconds=seconds, stopped_reason=None, message="",
                       diverged_loss=None, grad_norms=grad_stats.get("grad_norms"),
                       update_ratios=grad_stats.get("update_ratios"))


def progress_record(epoch, batch, batches, train_loss) -> ProgressRecord:
    return ProgressRecord(progress=True, epoch=epoch, batch=batch, batches=batches, train_loss=train_loss)


def summary(history, epochs_run, best_epoch, train_seconds, stopped_reason, message) -> dict:
    """Figures of a run so far (for the CLI's JSON and the UI)."""
    last = next((r for r in reversed(history) if r["train_loss"] is not None), None)
    return {
        "epochs_run": epochs_run,
        "train_loss": last["train_loss"] if last else None,
        "val_loss": last["val_loss"] if last else None,
        "train_accuracy": last["train_accuracy"] if last else None,
        "val_accuracy_last_epoch": last["val_accuracy"] if last else None,
        "best_epoch": best_epoch,
        "train_seconds": train_seconds,
        "seconds_per_epoch": train_seconds / max(len(history), 1),
        "stopped_reason": stopped_reason,
        "message": message,
    }
