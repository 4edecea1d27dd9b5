"""2-D datasets for the Playground: points in the plane, two or more classes.

    pts = make_dataset("moons", points=400, noise=0.2, validation=0.3, data_seed=0)  # (the defaults)
    pts.X_train.shape                       # (280, 2): the points themselves, in about [-3, 3]
    data = featurize(pts, ["x1", "x2", "x1_squared"])
    data.X_train.shape                      # (280, 3): what the network reads; trains like any Dataset

Two registries, each looked up in one place: DATASETS (name -> the function
drawing the points) and FEATURES (name -> a label and a function of x1, x2,
TensorFlow Playground's inputs).  OPTIONS declares every data option once, as
rows like nnlab.core.hyperparams.SETTINGS (name, type, default, range, label, help):
the Playground's widgets and a link's parameters are named after them, and
`hyperparams.check(option, value)` checks a value.  make_dataset's keyword
arguments are exactly these names.

Each pattern is drawn in its own unit size by a seeded generator (scikit-learn's
where it has one) and then scaled into the plane; `noise` is the standard
deviation of the Gaussian jitter in those units (scikit-learn's `noise`), so
the same seed with more noise moves the same points further.  The split is a
seeded shuffle: validation = a share of the points, and no test set (the
Playground judges on validation; Dataset allows an empty split).
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from nnlab.core.hyperparams import check
from nnlab.core.setting import Setting
from nnlab.data.datasets import Dataset

MAX_CLASSES = 6


# ------------------------------------------------------------------ patterns
# Each returns (X float64 (n, 2), y int (n,)) in the plane; `seed` is an int.
def moons(n: int, noise: float, seed: int, classes: int = 2):
    """scikit-learn's two interleaving half circles, centred and doubled (x in [-3, 3])."""
    from sklearn.datasets import make_moons  # here: importing sklearn.datasets costs ~0.3 s

    X, y = make_moons(n, noise=noise, random_state=seed)
    return (X - [0.5, 0.25]) * 2.0, y


def circles(n: int, noise: float, seed: int, classes: int = 2):
    """scikit-learn's two concentric circles (radii 2.5 and 1.25): class 1 inside."""
    from sklearn.datasets import make_circles

    X, y = make_circles(n, noise=noise * 0.5, factor=0.5, random_state=seed)  # 0.5: the gap between them
    return X * 2.5, y


def blobs(n: int, noise: float, seed: int, classes: int = 3):
    """scikit-learn's Gaussian blobs, one per class, their centres evenly on a circle;
    each blob's spread is 0.25 + noise (in units of that circle's radius, 1.8)."""
    from sklearn.datasets import make_blobs

    angles = np.pi / 4 + 2 * np.pi * np.arange(classes) / classes
    centers = np.c_[np.cos(angles), np.sin(angles)]
    X, y = make_blobs(n, centers=centers, cluster_std=0.25 + 0.5 * noise, random_state=seed)
    return X * 1.8, y


def xor(n: int, noise: float, seed: int, classes: int = 2):
    """Uniform points in [-2.5, 2.5]², kept a little away from the axes; class 1
    where x1 and x2 have the same sign (x1·x2 > 0) — no straight line separates them."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    X += np.sign(X) * 0.06  # a gap along the axes, as TensorFlow Playground's XOR has
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)  # labelled before the noise: noise blurs the corners
    X += rng.normal(scale=noise * 0.5, size=X.shape)
    return X * 2.3, y


def spiral(n: int, noise: float, seed: int, classes: int = 2):
    """Two arms winding out from the centre 1¾ turns, half a turn apart (radius up to 2.8)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    r = np.linspace(0.0, 1.0, n, endpoint=False)
    t = 1.75 * 2 * np.pi * r + np.pi * y
    X = np.c_[r * np.sin(t), r * np.cos(t)] + rng.normal(scale=noise * 0.3, size=(n, 2))  # 0.3: arm spacing
    return X * 2.8, y


DATASETS = {"moons": moons, "circles": circles, "blobs": blobs, "xor": xor, "spiral": spiral}
MULTICLASS = ("blobs",)  # the patterns with a `classes` option; the others have two classes


# ------------------------------------------------------------------ features
class Feature(NamedTuple):
    label: str
    fn: Callable  # (x1, x2) -> values, arrays of the same shape


FEATURES = {
    "x1": Feature("x₁", lambda a, b: a),
    "x2": Feature("x₂", lambda a, b: b),
    "x1_squared": Feature("x₁²", lambda a, b: a * a),
    "x2_squared": Feature("x₂²", lambda a, b: b * b),
    "x1_times_x2": Feature("x₁·x₂", lambda a, b: a * b),
    "sin_x1": Feature("sin x₁", lambda a, b: np.sin(a)),
    "sin_x2": Feature("sin x₂", lambda a, b: np.sin(b)),
}


def check_features(names) -> list:
    """Feature names checked against FEATURES, in FEATURES' order without repeats
    (so the same choice is the same network input); ValueError for none or an unknown one."""
    names = check(OPTION["features"], names)
    if not names:
        raise ValueError("choose at least one input feature (x₁ and x₂ are the usual start)")
    return [f for f in FEATURES if f in names]


def feature_map(points, names) -> np.ndarray:
    """The chosen features of 2-D points: (n_points, 2) -> (n_points, len(names)), float32.
    The same function makes the network's data and the grid its boundary is drawn on."""
    P = np.asarray(points, dtype=np.float64)
    if P.ndim != 2 or P.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {P.shape}")
    cols = [FEATURES[f].fn(P[:, 0], P[:, 1]) for f in check_features(names)]
    return np.stack(cols, axis=1).astype(np.float32)


def featurize(points: Dataset, names) -> Dataset:
    """`points` (a make_dataset result) with each split mapped to the features `names`."""
    names = check_features(names)
    labels = ", ".join(FEATURES[f].label for f in names)
    return Dataset(points.name, feature_map(points.X_train, names), points.y_train,
                   feature_map(points.X_val, names), points.y_val,
                   feature_map(points.X_test, names), points.y_test, classes=list(points.classes),
                   description=f"{points.description}; inputs {labels}", notes=[f"features: {', '.join(names)}"])


# ------------------------------------------------------------------ options
OPTIONS = [
    Setting("toy", "choice", "moons", section="toy2d", label="Dataset", choices=tuple(DATASETS), cli=False,
            labels={"moons": "two moons", "circles": "circles", "blobs": "Gaussian blobs", "xor": "XOR",
                    "spiral": "spiral"}, widget="select",
            help="The pattern of points to tell apart. Moons and circles are curved; XOR needs two lines; the "
                 "spiral is the hardest; Gaussian blobs have 2 to 6 classes."),
    Setting("classes", "int", 3, section="toy2d", label="Classes (blobs)", low=2, high=MAX_CLASSES, cli=False,
            widget="slider", slider=(2, MAX_CLASSES, 1),
            help="Gaussian blobs only: how many classes, one blob each. The other patterns have two."),
    Setting("noise", "float", 0.2, section="toy2d", label="Noise", low=0.0, high=1.0, cli=False, widget="slider",
            slider=(0.0, 0.5, 0.05),
            help="How far points are scattered from the clean pattern (standard deviation, in units of the "
                 "pattern's size). More noise: classes overlap and no boundary gets every point right."),
    Setting("points", "int", 400, section="toy2d", label="Points", low=20, high=5000, cli=False, widget="slider",
            slider=(50, 1000, 50), help="How many points in all, training and validation together."),
    Setting("validation", "float", 0.3, section="toy2d", label="Validation share", low=0.1, high=0.9, cli=False,
            widget="slider", slider=(0.1, 0.9, 0.05),
            help="The share of the points kept aside to check the network on (drawn hollow); it learns from "
                 "the rest (drawn filled)."),
    Setting("data_seed", "int", 0, section="toy2d", label="Data seed", low=0, high=2**32 - 1, cli=False,
            widget="number", help="Which random points are drawn: another seed, other points of the same "
                                  "pattern. (The Training tab's seed sets the starting weights.)"),
    Setting("features", "choice list", ["x1", "x2"], section="toy2d", label="Input features",
            choices=tuple(FEATURES), labels={k: f.label for k, f in FEATURES.items()}, max_len=len(FEATURES),
            cli=False, widget="pills",
            help="What the network reads for each point: its coordinates x₁ and x₂, and optionally products and "
                 "sines of them. With x₁² and x₂², a circle is a straight cut for the network."),
]
OPTION = {o.name: o for o in OPTIONS}


# The Playground's first network and training: settings of hyperparams.SETTINGS (the
# table's defaults for the rest).  A click on Train fits the two moons in about two seconds.
START_SETTINGS = {"hidden": [8, 8], "activations": ["tanh"], "lr": 0.02, "batch_size": 16, "epochs": 100}


def defaults() -> dict:
    """Every data option's default: make_dataset(**defaults()) is the Playground's start."""
    return {o.name: list(o.default) if isinstance(o.default, list) else o.default for o in OPTIONS}


def check_options(options: dict) -> dict:
    """The options checked and normalised (defaults for the missing); ValueError
    naming the bad one, or an unknown name."""
    unknown = set(options) - set(OPTION)
    if unknown:
        raise ValueError(f"unknown data options: {', '.join(sorted(unknown))}; choose from: {', '.join(OPTION)}")
    out = {**defaults(), **options}
    return {name: check(OPTION[name], value) for name, value in out.items()}


def make_dataset(toy: str | None = None, **options) -> Dataset:
    """The 2-D points of pattern `toy` as a Dataset (X_* of shape (n, 2), float32).

    options: any of OPTIONS (the rest take their defaults) — `points` in all,
    `validation` of them for validation (none for test), `noise`, `data_seed`,
    and `classes` for the patterns in MULTICLASS (the others have two).
    `features` is accepted and not used here, so that make_dataset(**options)
    takes a whole setup; see featurize."""
    o = check_options({**options, **({"toy": toy} if toy is not None else {})})
    k = o["classes"] if o["toy"] in MULTICLASS else 2
    draw_seed, split_seed = np.random.SeedSequence(o["data_seed"]).generate_state(2)
    X, y = DATASETS[o["toy"]](o["points"], o["noise"], int(draw_seed), classes=k)
    X, y = X.astype(np.float32), np.asarray(y, dtype=np.int64)
    order = np.random.default_rng(split_seed).permutation(len(y))
    n_val = min(max(round(o["validation"] * len(y)), 1), len(y) - 1)
    val, train = order[:n_val], order[n_val:]
    label = OPTION["toy"].label_of(o["toy"])
    what = f"{label}: {len(y)} points, {k} classes, noise {o['noise']:g}"
    return Dataset(o["toy"], X[train], y[train], X[val], y[val], np.empty((0, 2), np.float32),
                   np.empty(0, np.int64), classes=list(range(k)), description=what)


def extent(points: Dataset, least: float = 3.0) -> float:
    """Half the side of the square drawn around the points: at least `least`,
    more when noise scatters points further (then with a margin)."""
    biggest = max(float(np.abs(points.X_train).max(initial=0)), float(np.abs(points.X_val).max(initial=0)))
    return max(least, float(np.ceil(biggest * 1.05 * 2) / 2))
