"""Shared fixtures: handwritten-digit stroke paths (drawn by the preprocessing
tests with PIL and by the browser tests with the mouse) and a trained digits model."""
# The tests run NumPy as the app and the CLI do: nnlab imported first, so OpenBLAS's
# idle workers sleep quickly and the shared optimizer update is exercised on big networks.
import os  # noqa: E402

import nnlab  # noqa: F401  (nnlab/fast/openblas.py)

# A page's unexpected error reaches AppTest as an exception (in the app a user gets one
# plain sentence instead: pages/helpers/errors.py; tests/test_app_errors.py checks that one).
os.environ.setdefault("NNLAB_SHOW_ERRORS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from streamlit import config as _st_config  # noqa: E402

# The tests see a failing page's exception in full (config.toml says "none" to users).
_st_config.set_option("client.showErrorDetails", "full")


def _arc(cx, cy, rx, ry, a0, a1, n=24):
    """Points on an ellipse from angle a0 to a1 (degrees; 0 = right, 90 = down)."""
    t = np.radians(np.linspace(a0, a1, n))
    return [(round(cx + rx * np.cos(a), 3), round(cy + ry * np.sin(a), 3)) for a in t]


# Each digit: a list of strokes, each a list of (x, y) in the unit square (y down),
# shaped like a person writes them: ~0.5 wide, 0.8 tall, one stroke where a pen would.
DIGIT_STROKES = {
    0: [_arc(0.5, 0.5, 0.24, 0.4, -90, 270)],
    1: [[(0.42, 0.22), (0.55, 0.1), (0.55, 0.9)]],
    2: [_arc(0.5, 0.3, 0.22, 0.2, 190, 390, 16) + [(0.28, 0.88), (0.76, 0.88)]],
    3: [_arc(0.48, 0.3, 0.22, 0.2, 210, 450, 18) + _arc(0.48, 0.7, 0.25, 0.2, 270, 500, 18)],
    4: [[(0.58, 0.1), (0.26, 0.62), (0.78, 0.62)], [(0.62, 0.38), (0.62, 0.92)]],
    5: [[(0.72, 0.1), (0.34, 0.1), (0.3, 0.45)] + _arc(0.5, 0.66, 0.24, 0.24, 225, 495, 18)],
    6: [_arc(0.75, 0.62, 0.43, 0.52, 245, 180, 12) + _arc(0.52, 0.7, 0.2, 0.2, 180, 530, 24)],
    7: [[(0.26, 0.1), (0.76, 0.1), (0.44, 0.9)]],
    8: [_arc(0.5, 0.29, 0.19, 0.19, 90, 450, 20) + _arc(0.5, 0.7, 0.23, 0.21, -90, 270, 20)],
    9: [_arc(0.5, 0.31, 0.21, 0.21, 0, 360, 22) + [(0.71, 0.55), (0.68, 0.92)]],
}


@pytest.fixture(scope="session", autouse=True)
def lab_home(tmp_path_factory):
    """Tests never write to ~/.nnlab: the lab store (and every server a test starts,
    which inherits the environment) uses a folder of this session's."""
    home = tmp_path_factory.mktemp("nnlab_home")
    old = os.environ.get("NNLAB_HOME")
    os.environ["NNLAB_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("NNLAB_HOME", None)
    else:
        os.environ["NNLAB_HOME"] = old


@pytest.fixture(scope="session")
def digit_strokes():
    return DIGIT_STROKES


def render_strokes(strokes, size=320, width=22, scale=0.75, offset=(0.0, 0.0)):
    """The strokes as the dashboard's canvas draws them: white, round pen on black, RGBA uint8."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (size, size), (0, 0, 0, 255))
    draw = ImageDraw.Draw(img)
    for stroke in strokes:
        pts = [((offset[0] + 0.5 + (x - 0.5) * scale) * size, (offset[1] + 0.5 + (y - 0.5) * scale) * size)
               for x, y in stroke]
        draw.line(pts, fill=(255, 255, 255, 255), width=width, joint="curve")
        for px, py in (pts[0], pts[-1]):  # round caps
            draw.ellipse([px - width / 2, py - width / 2, px + width / 2, py + width / 2], fill=(255, 255, 255, 255))
    return np.asarray(img)


@pytest.fixture(scope="session")
def digits_model():
    """The Draw page's default model (the 'digits' preset, 100 epochs: ~3 s), trained once per session."""
    from nnlab.data import datasets as data
    from nnlab.experiments import presets
    from nnlab.train.trainer import Trainer

    ds = data.load_dataset("digits")
    net, cfg = presets.build("digits", ds, seed=0, epochs=100)
    for _ in Trainer(net, ds, cfg).run():
        pass
    return net


# ------------------------------------------------------------------ the lab store, on every backend
STORE_KINDS = ("memory", "sqlite", "postgres")


@pytest.fixture(scope="session")
def pg_url():
    """A throwaway PostgreSQL cluster for this session (tests/pgcluster.py), as a URL.  Skipped
    when Debian's binaries are absent, but not in CI (.ci/run sets CI and installs them)."""
    import pgcluster

    if pgcluster.binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("no PostgreSQL binaries under /usr/lib/postgresql in CI (.ci/run installs postgresql)")
        pytest.skip("no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql)")
    with pgcluster.Cluster() as url:
        yield url


@pytest.fixture(params=STORE_KINDS)
def any_store(request, tmp_path):
    """An empty store of each kind (tests/stores.py)."""
    from stores import make_store

    return make_store(request.param, tmp_path, request)
