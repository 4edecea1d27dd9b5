"""The lessons (pages/helpers/lessons_text.py): every step is complete, its setup builds, the
Train page's controls can show it exactly, and what its text promises happens."""
import re

import pytest

from nnlab.core import hyperparams
from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.data.datasets import load_dataset
from nnlab.experiments import sharelink
from nnlab.train.trainer import Trainer
from pages.helpers import controls
from pages.helpers import lessons_text as lessons

LESSONS = lessons.LESSONS
IDS = [f"{i + 1}-{lesson['title'][:20]}" for i, lesson in enumerate(LESSONS)]


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def configs(setup: dict, data, **train):
    net = {k: v for k, v in setup.items() if hyperparams.get(k).section == "network"}
    tr = {k: v for k, v in setup.items() if hyperparams.get(k).section == "train"}
    return NetworkConfig(n_inputs=data.n_features, n_outputs=data.n_classes, **net), TrainConfig(**{**tr, **train})


def train(setup: dict, data, **overrides):
    net_cfg, train_cfg = configs({**setup, **overrides}, data)
    trainer = Trainer(Network(net_cfg, seed=train_cfg.seed), data, train_cfg)
    for _ in trainer.run():
        pass
    return trainer


def test_about_six_steps_in_the_tutorials_order():
    titles = [lesson["title"].lower() for lesson in LESSONS]
    assert len(titles) == 6
    for i, words in enumerate(["softmax", "one hidden layer", "sigmoid", "l2", "optimizers", "dropout"]):
        assert words in titles[i], titles


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_every_step_is_complete_and_its_setup_builds(lesson, digits):
    assert {"title", "text", "formula", "setup", "question"} <= set(lesson)
    assert len(lesson["text"]) > 200 and len(lesson["question"]) > 50
    assert lesson["formula"].count("{") == lesson["formula"].count("}")
    setup = lessons.setup(lesson)
    assert set(setup) <= {s.name for s in hyperparams.SETTINGS if s.widget}  # names of the table
    for name, value in setup.items():
        assert hyperparams.check(name, value) == value
    net_cfg, train_cfg = configs({k: v for k, v in setup.items() if k != "dataset"}, digits)
    Network(net_cfg, seed=0)
    for link in lesson.get("links", []):
        assert link["page"] in sharelink.PAGES or re.fullmatch(r"pages/\w+\.py", link["page"])
        keys = sharelink.all_keys()
        for name, value in link.get("values", {}).items():  # each a value its link can hold
            assert not sharelink.decode({name: [keys[name].format(value)]}).ignored


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_the_train_page_s_controls_show_each_setup_exactly(lesson):
    setup = lessons.setup(lesson)
    shown = controls.settings_of(controls.widget_values({**controls.START, **setup}).get, setup["dataset"])
    for name, value in setup.items():
        if name == "activations":  # one for every layer (none without hidden layers)
            assert shown[name] == (value * len(setup["hidden"]) if len(value) == 1 else value)
        elif name in shown:
            assert shown[name] == value, name
        else:  # a setting the chosen optimizer does not take: none is set
            assert hyperparams.get(name).optimizers and setup["optimizer"] not in hyperparams.get(name).optimizers
    # ... and so does the lesson's link, decoded and put into the controls as pages/helpers/share.py does
    link = sharelink.decode({n: [t] for n, t in sharelink.encode("train", shown, base=controls.START)})
    assert not link.ignored
    assert controls.settings_of(controls.widget_values({**controls.START, **link.values}).get, "digits") == shown


def by_title(words):
    return next(lesson for lesson in LESSONS if words in lesson["title"].lower())


def test_what_the_lessons_say_happens(digits):
    """Each claim of a lesson's text or question, on its own setup (seconds in all)."""
    softmax = train(lessons.setup(by_title("softmax")), digits)
    assert softmax.net.config.sizes == [64, 10] and softmax.history[-1]["val_accuracy"] > 0.9
    deep = lessons.setup(by_title("sigmoid"))
    assert train(deep, digits).history[-1]["val_accuracy"] < 0.2  # "stays near chance (10 %)"
    assert train(deep, digits, activations=["relu"]).history[-1]["val_accuracy"] > 0.9  # "what changed"
    big = train(lessons.setup(by_title("overfitting")), digits).history[-1]
    assert big["train_accuracy"] > 0.99 and big["val_accuracy"] < big["train_accuracy"] - 0.02  # the gap
    early = train(lessons.setup(by_title("dropout")), digits)
    assert early.stopped_reason == "early_stopping" and len(early.history) < 300
