"""Canvas drawing -> network input (nnlab.data.preprocess)."""
import numpy as np
import pytest
from conftest import render_strokes
from sklearn.datasets import load_digits

from nnlab.data import preprocess


def blank(size=320):
    img = np.zeros((size, size, 4), dtype=np.uint8)
    img[..., 3] = 255
    return img


def test_empty_canvas_gives_none():
    assert preprocess.preprocess(blank(), (8, 8), 16) is None
    assert preprocess.preprocess(blank(), (28, 28), 255) is None
    transparent = np.zeros((50, 50, 4), dtype=np.uint8)  # the canvas before any background is painted
    assert preprocess.preprocess(transparent, (8, 8), 16) is None


def test_ink_reads_light_on_dark_and_dark_on_transparent():
    light = blank(10)
    light[2:4, 2:4, :3] = 255
    dark = np.zeros((10, 10, 4), dtype=np.uint8)
    dark[2:4, 2:4, 3] = 255  # black, opaque strokes on a transparent canvas
    for img in (light, dark):
        ink = preprocess.ink(img)
        assert ink.shape == (10, 10)
        assert ink[2:4, 2:4].min() == pytest.approx(1.0)
        assert ink.sum() == pytest.approx(4.0)


def test_ink_rejects_wrong_shape():
    with pytest.raises(ValueError, match="image"):
        preprocess.ink(np.zeros((4, 4, 2)))


def test_digits_output_is_the_datasets_format(digit_strokes):
    r = preprocess.preprocess(render_strokes(digit_strokes[3]), (8, 8), 16)
    assert r.x.shape == (1, 64) and r.x.dtype == np.float32
    assert r.x.min() >= 0.0 and r.x.max() <= 1.0
    assert r.image.shape == (8, 8)
    np.testing.assert_array_equal(r.image, np.round(r.image))  # block counts: integers 0..16
    assert r.image.max() <= 16
    np.testing.assert_allclose(r.x.reshape(8, 8), r.image / 16.0)
    assert [title for title, _ in r.steps][0] == "your drawing"


def test_digits_scaling_and_centring_match_the_dataset(digit_strokes):
    """The dataset's digits fill the 8 rows, are centred left-right and hold ~30 % ink."""
    r = preprocess.preprocess(render_strokes(digit_strokes[0]), (8, 8), 16)
    rows = np.flatnonzero(r.image.sum(axis=1))
    assert rows[0] == 0 and rows[-1] == 7
    cols = r.image.sum(axis=0)
    cx = (cols * np.arange(8)).sum() / cols.sum()
    assert 3.0 <= cx <= 4.0
    assert r.image.sum() / 16 == pytest.approx(0.30 * 64, rel=0.15)


def test_position_size_and_pen_width_do_not_matter(digit_strokes):
    """A small digit drawn in a corner with a thin pen gives nearly the same input
    as a big, centred one drawn with a thick pen."""
    big = preprocess.preprocess(render_strokes(digit_strokes[7], width=30, scale=0.8), (8, 8), 16)
    small = preprocess.preprocess(
        render_strokes(digit_strokes[7], width=8, scale=0.35, offset=(-0.25, 0.2)), (8, 8), 16)
    assert np.abs(big.image - small.image).mean() < 2.0  # of 16


def test_digits_ink_matches_every_dataset_class():
    """Guard for DIGITS_INK: the dataset's share of ink really is ~30 % in every class."""
    d = load_digits()
    for c in range(10):
        share = d.images[d.target == c].sum(axis=(1, 2)).mean() / 16 / 64
        assert share == pytest.approx(preprocess.DIGITS_INK, abs=0.03)


def test_mnist_recipe_box_and_centre_of_mass(digit_strokes):
    r = preprocess.preprocess(render_strokes(digit_strokes[7], offset=(0.2, -0.1)), (28, 28), 255)
    assert r.x.shape == (1, 784) and r.x.max() <= 1.0
    img = r.x.reshape(28, 28)
    box = preprocess.bounding_box(img, 0.05)
    height, width = box[1] - box[0], box[3] - box[2]
    assert max(height, width) <= 21  # fits the 20x20 box (+1 for rounding at the edges)
    yy, xx = np.indices(img.shape)
    cy, cx = (yy * img).sum() / img.sum(), (xx * img).sum() / img.sum()
    assert abs(cy - 13.5) <= 1.0 and abs(cx - 13.5) <= 1.0
    np.testing.assert_allclose(r.image, img * 255, rtol=1e-6)


def test_other_image_shapes_use_the_centred_recipe(digit_strokes):
    r = preprocess.preprocess(render_strokes(digit_strokes[1]), (16, 12), 1.0)
    assert r.x.shape == (1, 16 * 12)


def test_needs_an_image_dataset():
    with pytest.raises(ValueError, match="image"):
        preprocess.preprocess(blank(), None)


@pytest.mark.parametrize("width,scale", [(12, 0.55), (22, 0.75), (34, 0.9)])
def test_drawn_digits_are_recognised(digits_model, digit_strokes, width, scale):
    """The point of it all: clearly drawn digits, any pen, any size, are read right."""
    read = {d: int(digits_model.predict(preprocess.preprocess(
        render_strokes(s, width=width, scale=scale), (8, 8), 16).x)[0]) for d, s in digit_strokes.items()}
    wrong = {d: p for d, p in read.items() if d != p}
    assert len(wrong) <= 1, f"misread (true: predicted): {wrong}"


def test_a_tap_is_too_little_ink_and_the_smallest_digit_is_not(digit_strokes):
    """A single tap on Draw read as "0" at 90 %: a dot of ink is not a digit."""
    from conftest import render_strokes

    dot = render_strokes([[(0.5, 0.5), (0.51, 0.5)]], scale=1.0)
    assert preprocess.too_little_ink(dot)
    assert not preprocess.too_little_ink(np.zeros((320, 320, 4), dtype=np.uint8))  # empty: nothing to say yet
    for digit, strokes in digit_strokes.items():  # the Draw tests' smallest placement: 35 % of the canvas
        assert not preprocess.too_little_ink(render_strokes(strokes, scale=0.35, offset=(-0.25, -0.22))), digit
