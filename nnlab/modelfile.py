"""Save and load models without pickle: one ``.npz`` holding the weights as
plain arrays and the configuration as a JSON string.

Loading uses ``allow_pickle=False`` and checks every name, shape and value
before anything is built, so a wrong or corrupt file gives one clear
`ModelFileError` instead of a traceback or a half-loaded model.
"""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np

from .dataerror import DataError, read_bytes
from .network import Network, NetworkConfig

FORMAT = "nnlab-model"
VERSION = 1
MAX_FILE_BYTES = 512 * 1024 * 1024


class ModelFileError(ValueError):
    """The file is not a valid nnlab model."""


def model_bytes(net: Network, meta: dict | None = None, history: list | None = None,
                train_config: dict | None = None) -> bytes:
    """The .npz file content for `net` (used for downloads and for `save`)."""
    header = {
        "format": FORMAT, "version": VERSION,
        "network": net.config.to_dict(),
        "data": meta or {},
        "train": train_config or {},
        "history": history or [],
    }
    arrays = {name: np.ascontiguousarray(value) for name, value in net.named_params().items()}
    buf = io.BytesIO()
    np.savez_compressed(buf, __config__=np.array(json.dumps(header, default=_jsonable)), **arrays)
    return buf.getvalue()


def save(path, net: Network, meta=None, history=None, train_config=None):
    with open(path, "wb") as f:
        f.write(model_bytes(net, meta, history, train_config))


def _jsonable(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    raise TypeError(f"cannot store {type(v).__name__} in a model file")


def load(source):
    """Load a model from a path, bytes or a binary file object.

    Returns (network, header) where header holds "data" (dataset meta),
    "train" (training config) and "history".  Raises ModelFileError."""
    try:  # missing, unreadable, empty or too large: one clear line
        raw = read_bytes(source, "model file", limit=MAX_FILE_BYTES)
    except DataError as e:
        raise ModelFileError(str(e)) from None
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as e:
        raise ModelFileError(f"not an nnlab model file (.npz): {e}") from None
    if not isinstance(arrays, dict) or "__config__" not in arrays:
        raise ModelFileError("not an nnlab model file: no configuration inside")
    try:
        header = json.loads(str(arrays.pop("__config__")))
    except (json.JSONDecodeError, TypeError) as e:
        raise ModelFileError(f"model configuration is not valid JSON: {e}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError("not an nnlab model file: wrong format marker")
    if header.get("version") != VERSION:
        raise ModelFileError(f"unsupported model file version {header.get('version')!r} (this nnlab reads {VERSION})")
    try:
        config = NetworkConfig.from_dict(header.get("network") or {})
    except (TypeError, ValueError) as e:
        raise ModelFileError(f"invalid network configuration in model file: {e}") from None
    for key in ("data", "train"):
        if not isinstance(header.get(key, {}), dict):
            raise ModelFileError(f"invalid {key!r} section in model file")
    if not isinstance(header.get("history", []), list):
        raise ModelFileError("invalid history in model file")
    net = Network(config)
    expected = net.named_params()
    missing = sorted(set(expected) - set(arrays))
    extra = sorted(set(arrays) - set(expected))
    if missing or extra:
        raise ModelFileError(
            f"model file weights do not match its configuration (missing: {missing or 'none'}, unexpected: {extra or 'none'})")
    for name, target in expected.items():
        value = arrays[name]
        if value.shape != target.shape:
            raise ModelFileError(f"weight {name} has shape {value.shape}, expected {target.shape}")
        if value.dtype.kind != "f":
            raise ModelFileError(f"weight {name} is not floating point ({value.dtype})")
        if not np.isfinite(value).all():
            raise ModelFileError(f"weight {name} contains NaN or infinite values")
        target[...] = value
    meta = header.get("data") or {}
    if meta:
        n_features, classes = meta.get("n_features"), meta.get("classes")
        if n_features is not None and n_features != config.n_inputs:
            raise ModelFileError("model file metadata disagrees with its network (n_features)")
        if classes is not None and (not isinstance(classes, list) or len(classes) != config.n_outputs):
            raise ModelFileError("model file metadata disagrees with its network (classes)")
    return net, header


def check_compatible(header: dict, net: Network, data) -> None:
    """Raise ModelFileError if a loaded model cannot be used on `data`."""
    if net.config.n_inputs != data.n_features:
        raise ModelFileError(
            f"this model expects {net.config.n_inputs} input features but the dataset {data.name!r} "
            f"has {data.n_features}; load a model trained on this kind of data")
    if net.config.n_outputs != data.n_classes:
        raise ModelFileError(
            f"this model predicts {net.config.n_outputs} classes but the dataset {data.name!r} "
            f"has {data.n_classes}")
    trained_on = (header.get("data") or {}).get("classes")
    classes = getattr(data, "classes", None)
    if trained_on and classes and [str(c) for c in classes] != [str(c) for c in trained_on]:
        raise ModelFileError(
            f"this model's classes ({', '.join(map(str, trained_on[:10]))}) are not the dataset's "
            f"({', '.join(map(str, list(classes)[:10]))}): it was trained on other labels")
