"""Whether the fast engine uses its numba kernels, and loading them.

numba is optional: without it (ImportError), with ``NNLAB_NUMBA=0``, or for a small
network, the fast engine runs its NumPy code (``ops.NumpyOps``, the ``_update`` methods
of ``optimizers.py``).  The rule, read at each decision so a test can change it:

    NNLAB_NUMBA unset or "auto"   kernels for networks of MIN_PARAMS parameters or more
    NNLAB_NUMBA=1                 kernels for every network
    NNLAB_NUMBA=0                 never

Why a size: loading numba and the MNIST task's kernels from the on-disk cache costs
~0.35 s per process (compiling them, the first time: ~0.9 s), and the kernels save
~20 % of a digits epoch — 0.03 s of the digits-quick preset's 40 epochs, ~0.4 s of the
digits preset's 300; on MNIST, ~0.1 s of every epoch.  So: the MNIST-sized networks.

The compiled kernels are cached on disk (``cache=True``): beside the modules in
``__pycache__``, or where ``NUMBA_CACHE_DIR`` says; when this folder is read-only (an
installed package), under ``$NNLAB_HOME/numba-cache``, else the temporary folder.

Every kernel runs on the calling thread (no ``parallel=True``: measured slower here,
see docs/performance.md), so numba starts no threads of its own and the room's thread
budget (``room.py``) holds as it is.
"""
from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

VARIABLE = "NNLAB_NUMBA"
MIN_PARAMS = 65_536  # as threads.PARALLEL_UPDATE_MIN: the MNIST networks, not the digits ones


def wanted(n_params: int) -> bool:
    """Whether a network of `n_params` parameters should use the kernels (before asking
    whether numba is there)."""
    setting = os.environ.get(VARIABLE, "auto").strip().lower()
    if setting in ("0", "false", "no", "off"):
        return False
    if setting in ("1", "true", "yes", "on"):
        return True
    return n_params >= MIN_PARAMS


def kernels(n_params: int):
    """The kernel modules as a namespace (``.activations``, ``.layers``, ``.update``) for a network of
    `n_params` parameters, or None: the NumPy path."""
    return _load() if wanted(n_params) else None


def available() -> bool:
    """Whether numba can be imported here (loads it)."""
    return _load() is not None


@functools.lru_cache(maxsize=1)
def _load():
    try:
        import numba
    except ImportError:
        return None
    folder = cache_dir()
    if folder is not None:
        numba.config.CACHE_DIR = str(folder)  # read when a kernel is decorated: before the imports below
    from types import SimpleNamespace

    from nnlab.train.fast import activation_kernels, layer_kernels, update_kernels

    return SimpleNamespace(activations=activation_kernels, layers=layer_kernels, update=update_kernels,
                           version=numba.__version__)


def cache_dir(here: Path | None = None, environ=None) -> Path | None:
    """Where numba should keep the compiled kernels, or None for its own choice
    (``__pycache__`` beside the modules, or ``NUMBA_CACHE_DIR`` when the user set it)."""
    environ = os.environ if environ is None else environ
    here = Path(__file__).resolve().parent if here is None else here
    if environ.get("NUMBA_CACHE_DIR") or _writable(here):
        return None
    home = environ.get("NNLAB_HOME")
    for folder in ([Path(home) / "numba-cache"] if home else []) + [Path(tempfile.gettempdir()) / "nnlab-numba-cache"]:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if _writable(folder):
            return folder
    return None


def _writable(folder: Path) -> bool:
    cache = folder / "__pycache__"
    return os.access(cache if cache.is_dir() else folder, os.W_OK)
