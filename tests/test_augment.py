"""Augmentation (nnlab.core.augment): seeded, vectorised, values kept in range, and the
"affine" kind really turns, slants and stretches."""
import numpy as np
import pytest

from nnlab.core.augment import AUGMENTATIONS, check_augment, random_affine, random_matrices
from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.data.datasets import load_dataset
from nnlab.train.trainer import Trainer

STILL = dict(rotate=0.0, slant=0.0, scale=(1.0, 1.0), aspect=0.0, shift=0.0)


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


@pytest.mark.parametrize("name", list(AUGMENTATIONS))
def test_every_augmentation_is_seeded_and_keeps_shape_dtype_and_range(digits, name):
    fn = AUGMENTATIONS[name]
    X = digits.X_train[:200]
    a = fn(X, (8, 8), np.random.default_rng(7))
    b = fn(X, (8, 8), np.random.default_rng(7))
    c = fn(X, (8, 8), np.random.default_rng(8))
    assert a.shape == X.shape and a.dtype == X.dtype
    np.testing.assert_array_equal(a, b)                 # same seed, same images
    assert not np.array_equal(a, c)                     # another seed, other images
    assert a.min() >= 0.0 and a.max() <= 1.0            # digits are 0..16 / 16
    assert not np.shares_memory(a, X) and np.array_equal(X, digits.X_train[:200])  # input untouched


def test_affine_keeps_raw_0_to_16_values_in_range(digits):
    X16 = digits.X_train * 16.0
    out = random_affine(X16, (8, 8), np.random.default_rng(0))
    assert out.min() >= 0.0 and out.max() <= 16.0
    # an average of block counts: the ink moves but is not created from nothing
    assert 0.8 < out.sum() / X16.sum() < 1.2


def test_affine_with_no_change_gives_the_image_back(digits):
    X = digits.X_train[:50]
    np.testing.assert_array_equal(random_affine(X, (8, 8), np.random.default_rng(0), **STILL), X)


def test_affine_is_vectorised_each_image_its_own_transform(digits):
    """One call for the batch; image i's result depends on image i only, and the
    same image gets a different transform in each row."""
    X = np.repeat(digits.X_train[:1], 300, axis=0)
    out = random_affine(X, (8, 8), np.random.default_rng(0))
    assert len(np.unique(out.round(4), axis=0)) > 250
    Y = X.copy()
    Y[1:] = digits.X_train[1:300]                       # change every other image
    np.testing.assert_array_equal(random_affine(Y, (8, 8), np.random.default_rng(0))[0], out[0])


def test_affine_turns_a_vertical_bar():
    """A one-pixel-wide vertical stroke, turned by 15-20 degrees, leans: its top
    and bottom ink sit on different columns; with no turn it stays put."""
    bar = np.zeros((1, 8, 8), dtype=np.float32)
    bar[0, :, 3] = 1.0
    X = np.repeat(bar.reshape(1, 64), 200, axis=0)
    still = random_affine(X, (8, 8), np.random.default_rng(0), **STILL).reshape(-1, 8, 8)
    assert np.array_equal(still, np.repeat(bar, 200, axis=0))
    turned = random_affine(X, (8, 8), np.random.default_rng(0), **{**STILL, "rotate": 20.0}).reshape(-1, 8, 8)
    cols = np.arange(8)
    top = (turned[:, 1] * cols).sum(1) / turned[:, 1].sum(1)
    bottom = (turned[:, 6] * cols).sum(1) / turned[:, 6].sum(1)
    lean = np.abs(top - bottom)
    assert lean.max() > 1.2 and lean.min() < 0.3        # up to ~5 * tan(20 deg) = 1.8 columns; some barely turned


def test_random_matrices_stay_in_their_ranges():
    m = random_matrices(2000, np.random.default_rng(0), rotate=15.0, slant=0.35, scale=(0.85, 1.1), aspect=0.15)
    assert m.shape == (2000, 2, 2)
    det = np.linalg.det(m)                              # turn and slant keep area: det = size^2
    assert det.min() >= 0.85 ** 2 - 1e-9 and det.max() <= 1.1 ** 2 + 1e-9
    turn_only = random_matrices(2000, np.random.default_rng(0), rotate=15.0, slant=0.0, scale=(1, 1), aspect=0.0)
    np.testing.assert_allclose(turn_only @ turn_only.transpose(0, 2, 1), np.broadcast_to(np.eye(2), (2000, 2, 2)),
                               atol=1e-12)
    angles = np.degrees(np.arctan2(turn_only[:, 1, 0], turn_only[:, 0, 0]))
    assert np.abs(angles).max() <= 15.0 and np.abs(angles).max() > 14.0


def test_check_augment_names():
    assert check_augment(True) == "shift"               # what augment=True always meant
    assert check_augment(np.True_) == "shift"
    for off in (False, None, "", "none", "off", np.False_):
        assert check_augment(off) is False
    for name in AUGMENTATIONS:
        assert check_augment(name.upper()) == name
        assert TrainConfig(augment=name).augment == name
    with pytest.raises(ValueError, match="shift, affine"):
        check_augment("rotate")
    with pytest.raises(ValueError, match="unknown augmentation"):
        TrainConfig(augment="rotate")


@pytest.mark.parametrize("name", list(AUGMENTATIONS))
def test_the_trainer_applies_the_named_augmentation(digits, monkeypatch, name):
    calls = []
    real = AUGMENTATIONS[name]
    monkeypatch.setitem(AUGMENTATIONS, name, lambda X, shape, rng: calls.append(X.shape) or real(X, shape, rng))
    net = Network(NetworkConfig(64, 10, [16], ["relu"]), seed=0)
    records = list(Trainer(net, digits, TrainConfig(epochs=1, batch_size=128, augment=name)).run())
    assert len(calls) == 6 and all(s[1] == 64 for s in calls)   # ceil(721 / 128) batches
    assert np.isfinite(records[-1]["train_loss"])
