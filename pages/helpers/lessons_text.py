"""The guided lessons, as data: one dict per step, drawn by pages/lessons.py.

Each lesson: `title`; `text` (a few sentences for someone who has never trained a
network; Markdown); `formula` (LaTeX; a double backslash breaks the line, so each
part fits a phone); `setup` (settings of nnlab/core/hyperparams.py that
"Load this setup" puts into the Train page's controls; anything left out is what a new
tab starts with); `question` (something to try); optionally `links`: other pages with
this setup, each {"page": a page of nnlab/experiments/sharelink.PAGES or a page file, "label": ...,
"values": that page's own link keys, and settings that replace the lesson's there}.
A link to a page the app does not have (yet) is not shown.  tests/test_lessons.py
builds every setup.

The steps follow the tutorials: softmax regression, one hidden layer, sigmoid against
ReLU, overfitting and L2 (the first tutorial's λ sweep), optimizers, dropout and early
stopping.  Every setup trains on the 8x8 digits in a few seconds.
"""
from __future__ import annotations

# Switched off unless a lesson is about them, so each lesson changes one idea.
PLAIN = {"dataset": "digits", "dropout": 0.0, "augment": False, "lr_schedule": "constant", "l2": 0.0, "l1": 0.0,
         "patience": 0, "init": "auto", "loss": "cross_entropy", "batch_size": 32, "seed": 0}

LESSONS = [
    {
        "title": "One layer: softmax regression",
        "text": "Each image is 64 numbers, one per pixel. The simplest network has **no hidden layer**: every one "
                "of the 10 outputs (one per digit) adds up the 64 pixels, each times a weight, plus a bias. "
                "*Softmax* turns the 10 sums into probabilities. Training nudges the weights, a small batch of "
                "images at a time, so the right digit gets a higher probability.",
        "formula": r"p = \operatorname{softmax}(xW + b) \\ \operatorname{softmax}(z)_k = "
                   r"\frac{e^{z_k}}{\sum_j e^{z_j}} \\ \text{loss} = -\log p_{\text{true digit}}",
        "setup": {"hidden": [], "activations": [], "optimizer": "sgd", "lr": 0.1, "epochs": 50},
        "question": "Press **Train**. How close do training and validation accuracy get? Then try the learning "
                    "rate at 0.01 and at 1 (press **Reset** before each run): what happens to the loss curve?",
    },
    {
        "title": "One hidden layer",
        "text": "A **hidden layer** sits between the pixels and the outputs. Each of its units computes its own "
                "weighted sum and passes it through a bend, the *activation* (here ReLU: negative numbers become "
                "0). The outputs then work from these new features instead of raw pixels, so the network can "
                "learn shapes that no single weighted sum of pixels can.",
        "formula": r"h = \operatorname{ReLU}(xW_1 + b_1) \\ p = \operatorname{softmax}(hW_2 + b_2) \\ "
                   r"\operatorname{ReLU}(z) = \max(0, z)",
        "setup": {"hidden": [32], "activations": ["relu"], "optimizer": "sgd", "lr": 0.1, "epochs": 50},
        "question": "Compare with the first lesson: is it better on the validation images? Try 8 units, then 256 "
                    "(Network tab). Which learns faster, which ends higher?",
        # In the plane: no straight line separates two circles; 8 ReLU units bend one around the inner circle.
        "links": [{"page": "playground", "label": "See a hidden layer bend the boundary on the Playground",
                   "values": {"toy": "circles", "hidden": [8], "activations": ["relu"], "optimizer": "adam",
                              "lr": 0.02, "batch_size": 16, "epochs": 200}}],
    },
    {
        "title": "Sigmoid against ReLU: vanishing gradients",
        "text": "Training sends the error back through the layers (*backpropagation*); at each layer it is "
                "multiplied by the slope of the activation. The *sigmoid*'s slope is at most ¼, so after four "
                "sigmoid layers almost nothing reaches the first one: the gradient *vanishes* and the network "
                "barely learns. ReLU's slope is 1 wherever a unit is active, so the error gets through.",
        "formula": r"\sigma(z) = \frac{1}{1 + e^{-z}} \\ \sigma'(z) = \sigma(z)\,(1 - \sigma(z)) \le \tfrac14 \\ "
                   r"\frac{\partial\,\text{loss}}{\partial W_1} \propto \prod_{l=1}^{4} \sigma'(z_l) "
                   r"\le \left(\tfrac14\right)^{4}",
        "setup": {"hidden": [32, 32, 32, 32], "activations": ["sigmoid"], "optimizer": "sgd", "lr": 0.1,
                  "epochs": 50},
        "question": "Train: the accuracy stays near chance (10 %). Now set the activation to **ReLU**, press "
                    "**Reset** and train again. What changed, with the same four layers?",
        "links": [{"page": "pages/inside.py", "label": "See the gradients layer by layer on Inside"}],
    },
    {
        "title": "Overfitting and L2 regularisation",
        "text": "A big enough network can learn the training images *by heart*: training accuracy reaches 100 % "
                "while the validation images — never trained on — stay lower. That gap is **overfitting**. "
                "*L2 regularisation* adds the size of the weights to the loss, so training prefers small, smooth "
                "weights. Its strength λ is found by trying several values: a *sweep*, as the first tutorial "
                "does (48-32 sigmoid, full-batch momentum).",
        "formula": r"\text{loss} = \text{cross-entropy} + \frac{\lambda}{2N}\sum W^2 \\ "
                   r"\text{gradient} = \ldots + \frac{\lambda}{N}\,W",
        "setup": {"hidden": [48, 32], "activations": ["sigmoid"], "init": "glorot_uniform", "optimizer": "momentum",
                  "lr": 0.2, "momentum": 0.9, "batch_size": None, "epochs": 1000},
        "question": "Train with λ = 0 and look at the gap between the training and validation accuracy. Then "
                    "open the sweep: which λ gives the best validation accuracy, and is the test accuracy close?",
        "links": [{"page": "sweep", "label": "Sweep λ from 0.01 to 100 on the Sweep page",
                   "values": {"sweep": "l2", "values": "logspace:-2:2:10"}}],
    },
    {
        "title": "Optimizers: SGD, momentum, Adam",
        "text": "The *optimizer* is the rule that turns the gradient into a step. Plain **SGD** steps straight "
                "downhill. **Momentum** keeps part of the last step, like a ball rolling, and gets through "
                "flat stretches faster. **Adam** also scales each weight's step by how large its gradients have "
                "been. Each has its own usual learning rate.",
        "formula": r"\text{SGD: } p \leftarrow p - \text{lr}\,g \\ \text{momentum: } v \leftarrow \mu v - "
                   r"\text{lr}\,g,\; p \leftarrow p + v \\ \text{Adam: } p \leftarrow p - \text{lr}\,"
                   r"\frac{\hat m}{\sqrt{\hat v} + \epsilon}",
        "setup": {"hidden": [64], "activations": ["relu"], "optimizer": "sgd", "lr": 0.05, "epochs": 30},
        "question": "Train with SGD, then switch the optimizer (Optimizer tab) to **momentum**, then to **Adam**, "
                    "pressing **Reset** before each run. On **Compare**, overlay the three loss curves: which "
                    "falls fastest?",
    },
    {
        "title": "Dropout and early stopping",
        "text": "Two more cures for overfitting. **Dropout** switches off a random share of the hidden units at "
                "every step, so no unit can rely on another; when predicting, all are on. **Early stopping** "
                "watches the validation loss and stops when it has not improved for a number of epochs (the "
                "*patience*), keeping the best weights seen.",
        "formula": r"h \leftarrow h \cdot \frac{\text{mask}}{1 - p} \\ \text{mask} \sim "
                   r"\operatorname{Bernoulli}(1 - p) \\ \text{stop when the validation loss} \\ "
                   r"\text{has not improved for } \textit{patience} \text{ epochs}",
        "setup": {"hidden": [256, 256], "activations": ["relu"], "dropout": 0.3, "optimizer": "adam", "lr": 0.001,
                  "epochs": 300, "patience": 20},
        "question": "Train: at which epoch does it stop, and why? Then set dropout and patience to 0 (press "
                    "**Reset**) and train 100 epochs: watch the validation loss turn up while the training loss "
                    "keeps falling.",
    },
]


def setup(lesson: dict) -> dict:
    """A lesson's complete settings: PLAIN, then its own."""
    return {**PLAIN, **lesson["setup"]}
