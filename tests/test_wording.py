"""How numbers and names read on the pages (pages/helpers/wording.py): one unit per kind of
number, no server paths, no command-line text in what the room sees."""
from types import SimpleNamespace

import pytest

from nnlab.experiments import presets
from pages.helpers import wording


def test_seconds_are_seconds_from_one_second_up():
    assert wording.seconds(3.187) == "3.19 s"  # not "3187 ms" next to "3.21 s"
    assert wording.seconds(0.0062) == "6 ms"


@pytest.mark.parametrize("s, text", [(5, "about 5 s"), (61, "about 1 min"), (320, "about 5 min 20 s"),
                                     (3599, "about 1 h"), (3900, "about 1 h 5 min")])
def test_durations_read_as_people_say_them(s, text):
    assert wording.duration(s) == text


def test_dataset_title_shows_no_server_folder():
    mnist = SimpleNamespace(name="mnist", description="MNIST handwritten digits, 28x28 (IDX files in /srv/x/mnist)")
    assert wording.dataset_title(mnist) == "MNIST handwritten digits, 28x28 (IDX files)"


def test_plain_features_are_rows_images_are_images():
    assert wording.examples(SimpleNamespace(image_shape=None), 8320) == "8,320 rows"
    assert wording.examples(SimpleNamespace(image_shape=(8, 8)), 1) == "1 image"


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_preset_descriptions_carry_no_command_line_text(name):
    text = wording.preset_text(presets.PRESETS[name]["description"])
    assert text and "--" not in text and "bench " not in text and "python -m" not in text
