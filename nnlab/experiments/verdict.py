"""An honest verdict on a finished run, in words a learner can act on.

A run that reaches its last epoch is not automatically a success: it may sit
at chance level, have stopped improving long ago, or have a loss that went
up.  ``judge()`` reads the history and the settings and says which, with the
likely cause and one thing to try.  Plain data in, plain text out: the
dashboard shows it, the tests check it without Streamlit.

    v = judge_trainer(trainer)     # Verdict(level="warning", text="**Validation accuracy ...")
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnlab.train.optimizers import DEFAULT_LR, NAMES, USUAL_LR, suggest_lr

NEAR_CHANCE = 0.15      # accuracy below chance + 15 % of the way to 100 % counts as chance level
LOSS_ROSE = 1.5         # the last epochs' training loss above 1.5x its lowest value...
ROSE_SHARE = 0.25       # ...and up by a quarter of its whole descent: the loss went up
STALLED_SHARE = 0.5     # no real progress in the last half of the run (and at least...)
STALLED_EPOCHS = 10     # ...10 epochs) counts as stopped improving long ago
PROGRESS = 0.1          # "real progress": cutting the validation error by 10 % of what is left
LOW_ACCURACY = 0.8      # a stalled run below this accuracy is a problem, above it a note
BALANCED = 0.05         # a most common class within 5 points of 1/n_classes: the classes count as balanced
SATURATING = ("sigmoid", "tanh")


@dataclass
class Verdict:
    """level: "success", "info", "warning" (amber) or "error"; text: markdown, a sentence or two."""
    level: str
    text: str


def chance_level(y, n_classes: int) -> float:
    """Accuracy of guessing, from the training labels `y`.

    Balanced classes (the most common one's share within BALANCED of 1/n_classes):
    1/n_classes, picking a class at random — 10 % for ten digits, as the lessons say.
    The digits' training split has 11.5 % of 3s, but that is the split's noise, not
    something a network could learn by answering "3" (3s are 7 % of its validation
    images).  Unbalanced classes: the most common class's share, since always
    answering it scores that (90 % on a 90/10 set)."""
    y = np.asarray(y)
    uniform = 1.0 / max(n_classes, 1)
    share = float(np.bincount(y, minlength=n_classes).max() / len(y)) if len(y) else 0.0
    return share if share > uniform + BALANCED else uniform


def chance_words(chance: float, n_classes: int = 0) -> str:
    """How a learner gets `chance` without learning anything (see chance_level)."""
    if n_classes and math.isclose(chance, 1.0 / n_classes):
        return f"picking one of the {n_classes} classes at random scores {_pct(chance)}"
    if n_classes:
        return f"always answering the most common class scores {_pct(chance)}"
    return f"guessing scores about {_pct(chance)}"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _finite(history, key):
    return [(r["epoch"], r[key]) for r in history
            if not r.get("progress") and r.get(key) is not None and math.isfinite(r[key])]


def stalled_since(history, n_val: int = 0):
    """The epoch from which validation accuracy made no real progress (it never
    again cut the error left by more than PROGRESS, plus one validation image's
    worth of noise), or None if there is no validation accuracy."""
    acc = _finite(history, "val_accuracy")
    if not acc:
        return None
    best = max(a for _, a in acc)
    tol = PROGRESS * (1.0 - best) + (1.0 / n_val if n_val else 0.0)
    return next(e for e, a in acc if a >= best - tol)


def likely_cause(optimizer: str, lr: float, activations=(), train_acc=None, val_acc=None, hidden=None):
    """(cause, what to try) for a run that did not learn well, from its settings.
    hidden: the hidden layers' widths ([] = none; None = not known)."""
    low, high = USUAL_LR[optimizer]
    name = NAMES[optimizer]
    if lr > high:
        return (f"the learning rate {lr:g} is far above {name}'s usual range ({low:g} to {high:g}), so each step "
                "overshoots", f"learning rate {DEFAULT_LR[optimizer]:g}, {name}'s usual value")
    if lr < low:
        return (f"the learning rate {lr:g} is below {name}'s usual range ({low:g} to {high:g}), so the steps are "
                "tiny", f"learning rate {DEFAULT_LR[optimizer]:g}, {name}'s usual value")
    deep = [a for a in activations if a in SATURATING]
    if len(deep) >= 3:
        return (f"{len(deep)} hidden layers of {' and '.join(sorted(set(deep)))}: the gradient fades on its way back "
                "through them (vanishing gradients), so the first layers hardly learn", "relu as the activation")
    if train_acc is not None and val_acc is not None and train_acc - val_acc > 0.1:
        return (f"the network memorises its training images (training accuracy {_pct(train_acc)}, validation "
                f"{_pct(val_acc)}: overfitting)", "more dropout, L2 regularisation or augmentation")
    if hidden is not None and len(hidden) == 0:
        # no hidden layer: a linear model, which no width can change
        return ("with no hidden layer the network can only draw straight boundaries between the classes",
                "adding a hidden layer (e.g. 64 units, relu) on the Network tab")
    return ("these settings have taken the network as far as they can",
            "a wider network, or early stopping (patience 10) to stop when it stops improving")


def judge(history, *, optimizer: str, lr: float, activations=(), chance: float = 0.0, n_val: int = 0,
          stopped_reason=None, message: str = "", diverged_at=None, hidden=None, n_classes: int = 0) -> Verdict:
    """The verdict on a finished run.

    history: the trainer's epoch records; optimizer, lr: its settings; activations,
    hidden: the hidden layers' activations and widths (None: not known); chance:
    guessing's accuracy (see chance_level) among `n_classes` classes; n_val: the
    number of validation images (the noise in its accuracy)."""
    records = [r for r in history if not r.get("progress")]
    if stopped_reason == "diverged":
        d = diverged_at or {}
        where = f"batch {d['batch']} of {d['batches']} in " if d.get("batch") else ""
        to = f" (to {d['loss']:.3g})" if d.get("loss") is not None and math.isfinite(d["loss"]) else ""
        good = sum(1 for r in records if r.get("diverged_loss") is None)
        kept = f"the weights after epoch {good}" if good else "the initial weights"
        return Verdict("error", (
            f"**The loss exploded**{to} in {where}epoch {d.get('epoch', len(records))}: the learning rate "
            f"{lr:g} is too high for {NAMES[optimizer]}. **Try** learning rate "
            f"{suggest_lr(optimizer, lr):g} (Optimizer tab) and press **Train**: it goes on from {kept}, "
            "the last good ones."))
    done = message or f"Finished {len(records)} epochs."
    acc_key = "val_accuracy" if _finite(records, "val_accuracy") else "train_accuracy"
    accs = _finite(records, acc_key)
    if not accs:
        return Verdict("success", done)
    which = "Validation accuracy" if acc_key == "val_accuracy" else "Training accuracy"
    last_acc = accs[-1][1]
    train_acc = next((a for _, a in reversed(_finite(records, "train_accuracy"))), None)
    val_acc = next((a for _, a in reversed(_finite(records, "val_accuracy"))), None)
    if chance and last_acc < chance + NEAR_CHANCE * (1.0 - chance):
        cause, fix = likely_cause(optimizer, lr, activations, hidden=hidden)
        return Verdict("warning", (
            f"**{which} {_pct(last_acc)} is chance level** — {chance_words(chance, n_classes)}: the network has "
            f"not learned. Likely cause: {cause}. **Try** {fix}."))
    losses = _finite(records, "train_loss")
    if len(losses) >= 3:
        low_epoch, low = min(losses, key=lambda p: p[1])
        first = losses[0][1]
        end = float(np.mean([v for _, v in losses[-3:]]))  # the last 3 epochs: one noisy epoch is no trend
        # up by half its lowest value, and by a good share of what it had come down (a loss that
        # fell from 2.2 to 0.035 and wobbles to 0.055 under dropout has not "gone up")
        if end > LOSS_ROSE * low and end - low > ROSE_SHARE * max(first - low, 0.0) and losses[-1][0] - low_epoch >= 2:
            return Verdict("warning", (
                f"**The training loss went up**, from {low:.3g} (epoch {low_epoch}) to {losses[-1][1]:.3g}: the "
                f"steps overshoot. **Try** a lower learning rate: {suggest_lr(optimizer, lr):g}."))
    since = stalled_since(records, n_val)
    n = records[-1]["epoch"]
    if since is not None and n - since >= max(STALLED_EPOCHS, STALLED_SHARE * n):
        head = (f"{done} **Validation accuracy stopped improving at epoch {since}** of {n} "
                f"(now {_pct(last_acc)}).")
        if last_acc < LOW_ACCURACY:
            cause, fix = likely_cause(optimizer, lr, activations, train_acc, val_acc, hidden=hidden)
            return Verdict("warning", f"{head} Likely cause: {cause}. **Try** {fix}.")
        return Verdict("info", f"{head} The later epochs did not help: early stopping (patience 10) "
                               "would have stopped there.")
    return Verdict("success", f"{done} {which}: {_pct(last_acc)}.")


def diverged_model(history, optimizer: str | None = None, lr: float | None = None) -> Verdict | None:
    """What a page that uses the model (Draw) says when its training ended in a
    divergence (the last record exploded): no usable weights, or only those of an
    earlier epoch, and to retrain with a smaller learning rate.  None otherwise."""
    records = [r for r in history if not r.get("progress")]
    if not records or records[-1].get("diverged_loss") is None:
        return None
    good = next((r["epoch"] for r in reversed(records) if r.get("diverged_loss") is None), 0)
    where = f"in epoch {records[-1]['epoch']}"
    smaller = (f"a smaller learning rate ({suggest_lr(optimizer, lr):g} instead of {lr:g})"
               if optimizer in USUAL_LR and lr else "a smaller learning rate")
    if not good:
        return Verdict("error", (
            f"**This model has no usable weights**: its training diverged (the loss exploded {where}), "
            "so it still has its random starting weights and its answers mean nothing. **Retrain it** on "
            f"**Train** with {smaller}."))
    return Verdict("warning", (
        f"**This model's training diverged** (the loss exploded {where}): it answers with the weights "
        f"of epoch {good}, the last good ones. **Retrain it** on **Train** with {smaller}."))


def judge_trainer(trainer) -> Verdict:
    """judge() for a nnlab.train.trainer.Trainer."""
    n_classes = trainer.net.config.n_outputs
    return judge(trainer.history, optimizer=trainer.config.optimizer, lr=trainer.config.lr,
                 activations=trainer.net.config.activations, chance=chance_level(trainer.y, n_classes),
                 n_val=len(trainer.y_val) if trainer.has_val else 0, stopped_reason=trainer.stopped_reason,
                 message=trainer.message, diverged_at=trainer.diverged_at, hidden=list(trainer.net.config.hidden),
                 n_classes=n_classes)


def val_above_train(history, dropout: float = 0.0, augment: bool = False) -> str:
    """One line explaining why validation accuracy is above training accuracy in
    the last epoch ("" when it is not)."""
    last = next((r for r in reversed(history) if r.get("val_accuracy") is not None
                 and r.get("train_accuracy") is not None), None)
    if last is None or last["val_accuracy"] <= last["train_accuracy"] + 0.005:
        return ""
    handicaps = []
    if dropout:
        handicaps.append(f"with dropout ({dropout:.0%} of the units off)")
    if augment:
        handicaps.append("on shifted images (augmentation)")
    if handicaps:
        return ("Why is validation above training? Training accuracy is measured " + " and ".join(handicaps)
                + ", which makes it harder; validation uses the whole network on plain images.")
    return ("Why is validation above training? Training accuracy is averaged over the epoch while the weights "
            "were still improving; validation is measured at its end.")
