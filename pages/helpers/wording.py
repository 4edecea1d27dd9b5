"""How numbers and names read on every page: one unit per kind of number,
thousands separators, no server paths, no command-line text.

Plain functions (no Streamlit), so the pages agree and the tests check them.
"""
from __future__ import annotations

import re

# A preset description may end with a note for the command line ("(benchmark:
# bench accuracy --dataset digits)"); the room sees the sentence without it.
# The live pages' keyboard shortcuts (Streamlit's st.button(shortcut=...), shown on the
# buttons), alike on Train and the Playground.  "C" and "R" are Streamlit's own; Reset has
# none: it throws a model away.
SHORTCUTS = {"Train": "T", "Step": "S", "Stop": "Esc"}

_CLI_NOTE = re.compile(r"\s*\([^()]*(--|python -m|bench )[^()]*\)")
# A folder on the server in a dataset's description ("IDX files in /srv/data/mnist").
_FOLDER = re.compile(r"IDX files in [^)]*")


# The dataset names (nnlab.data.datasets.DATASETS keys, kept in links and settings) as people read them.
DATASET_LABELS = {"digits": "Digits (8x8, scikit-learn)", "mnist": "MNIST (28x28)", "csv": "Your CSV"}

# Downloading MNIST failed (nnlab.data.dataerror.Unreachable): the app's words, not the CLI's flags.
MNIST_OFFLINE = ("MNIST could not be downloaded: this server cannot reach OpenML (no internet?). To use it "
                 "anyway, put the four MNIST files in a folder on the server and type that folder under "
                 "**Advanced** above; meanwhile the data in use stays as it was.")


def dataset_label(name: str) -> str:
    """A dataset's name for the select boxes and messages ("mnist" -> "MNIST (28x28)")."""
    return DATASET_LABELS.get(name, name)


def seconds(s: float) -> str:
    """A duration as the progress line and the last-run line write it: seconds from
    one second up ("3.19 s", never "3187 ms" next to "3.21 s"), ms below."""
    return f"{1000 * s:.0f} ms" if s < 1 else f"{s:.2f} s"


def duration(s: float) -> str:
    """A long duration rounded as people say it: "about 40 s", "about 5 min 20 s", "about 1 h 5 min"."""
    s = max(0.0, float(s))
    if s < 60:
        return f"about {max(1, round(s))} s"
    if s < 3570:
        m, sec = divmod(int(round(s / 10) * 10), 60)  # to 10 s: an estimate, not a stopwatch
        return f"about {m} min" + (f" {sec} s" if sec else "")
    h, m = divmod(int(round(s / 60)), 60)
    return f"about {h} h" + (f" {m} min" if m else "")


def dataset_title(data) -> str:
    """The dataset's name and source for people in the room: no folder on the server."""
    text = data.description or data.name
    return _FOLDER.sub("IDX files", text)


def examples(data, n: int | None = None) -> str:
    """What one example of `data` is called: images for an image dataset, rows for
    plain features ("721 images", "60 rows")."""
    word = "images" if data.image_shape else "rows"
    if n is None:
        return word
    return f"{n:,} {word[:-1] if n == 1 else word}"


def preset_text(description: str) -> str:
    """A preset's description without notes meant for the command line."""
    return _CLI_NOTE.sub("", description).strip()
