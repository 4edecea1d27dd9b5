"""The small decisions the training loop asks about once per epoch (or batch):
the learning rate of an epoch, early stopping, and whether the loss diverged."""
from __future__ import annotations

import math

from nnlab.train.optimizers import NAMES, suggest_lr

EXPLOSION_FACTOR = 1000.0  # a batch loss above 1000x the initial loss counts as diverged


# ------------------------------------------------------- learning-rate schedule
def constant(lr: float, epoch: int, epochs: int) -> float:
    return lr


def cosine(lr: float, epoch: int, epochs: int) -> float:
    """From lr at the first epoch down to lr/100 at the last, along half a cosine."""
    if epochs <= 1:
        return lr
    floor = lr / 100
    return floor + 0.5 * (lr - floor) * (1 + math.cos(math.pi * epoch / (epochs - 1)))


SCHEDULES = {"constant": constant, "cosine": cosine}


def learning_rate(config, epoch: int) -> float:
    """Learning rate of `epoch` (0-based) under `config` (a TrainConfig)."""
    return SCHEDULES[config.lr_schedule](config.lr, epoch, config.epochs)


# --------------------------------------------------------------- early stopping
class EarlyStopping:
    """A patience counter and a copy of the best weights, restored at the end
    (as scikit-learn's ``_update_no_improvement_count``)."""

    def __init__(self):
        self.best_val_loss = math.inf
        self.best_epoch = 0
        self.best_params = None
        self.bad_epochs = 0  # epochs since the best

    def update(self, epoch: int, val_loss: float, net, patience: int) -> bool:
        """Count `epoch`'s validation loss; True when `patience` epochs went without a better one."""
        if val_loss < self.best_val_loss - 1e-12:
            self.best_val_loss, self.best_epoch = val_loss, epoch
            self.best_params = net.get_params()
            self.bad_epochs = 0
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= patience

    def restore(self, net) -> bool:
        """Put the best weights back into `net`; False if there are none."""
        if self.best_params is None:
            return False
        net.set_params(self.best_params)
        return True

    def restored_text(self) -> str:
        return f"the best weights, from epoch {self.best_epoch} (validation loss {self.best_val_loss:.4f})"


# -------------------------------------------------------------- divergence guard
class DivergenceGuard:
    """Watches each batch's loss.  A loss far above its starting value has exploded
    even if it is still finite (ReLU nets can sit at 1e20 without overflowing):
    training stops there, as it does for NaN."""

    def __init__(self, start_loss: float):
        self.explode_at = EXPLOSION_FACTOR * max(start_loss, 1.0) if math.isfinite(start_loss) else math.inf
        self.reset()

    def reset(self):
        self.bad_batch = self.bad_loss = None  # where and how the loss diverged

    def exploded(self, loss: float, batch: int) -> bool:
        """True (and remember where) when batch number `batch`'s loss diverged."""
        if loss <= self.explode_at:  # False for NaN too
            return False
        self.bad_batch, self.bad_loss = batch, loss
        return True

    def message(self, epoch: int, config) -> str:
        """What happened in `epoch` (1-based), what was kept, and a learning rate to try."""
        bad = self.bad_loss
        what = (f"exploded to {bad:.3g} (over {EXPLOSION_FACTOR:g}x its starting value)"
                if bad is not None and math.isfinite(bad) else "became NaN or infinite")
        where = f"batch {self.bad_batch} of " if self.bad_batch is not None else ""
        kept = f"the weights after epoch {epoch - 1}" if epoch > 1 else "the initial weights"
        return (f"The loss {what} in {where}epoch {epoch}: the learning rate {config.lr:g} is too high "
                f"for {NAMES[config.optimizer]} — try {suggest_lr(config.optimizer, config.lr):g}. "
                f"Training stopped and {kept}, the last finite ones, were kept.")
