"""Save and load models without pickle: one ``.npz`` holding the weights as
plain arrays and the configuration as a JSON string.

Loading never unpickles (it reads each entry's .npy header itself and takes
only plain numbers) and checks every name, declared size, shape and value
before anything is built, so a wrong, corrupt or hostile file gives one clear
`ModelFileError` instead of a traceback, a half-loaded model or a server
out of memory.
"""
from __future__ import annotations

import io
import json
import math
import zipfile
import zlib

import numpy as np

from nnlab.core.config import NetworkConfig
from nnlab.core.hyperparams import MAX_DEPTH
from nnlab.core.network import Network
from nnlab.data.dataerror import DataError, read_bytes

FORMAT = "nnlab-model"
VERSION = 1
MAX_FILE_BYTES = 512 * 1024 * 1024
# What a model file may declare, checked before anything is built or unpacked.
# The dashboard's largest network (6 layers of 1,024 on MNIST) has 6.1 million
# parameters; 2**25 (134 MB in float32) leaves room for the CLI's own.
MAX_PARAMS = 2 ** 25
MAX_CONFIG_CHARS = 16 * 2 ** 20  # the JSON: settings and a per-epoch history (~200 characters an epoch)
MAX_ENTRIES = 2 * (MAX_DEPTH + 1) + 1  # W and b per layer, and the configuration


class ModelFileError(ValueError):
    """The file is not a valid nnlab model."""


def model_bytes(net: Network, meta: dict | None = None, history: list | None = None,
                train_config: dict | None = None, compress: bool = True) -> bytes:
    """The .npz file content for `net` (used for downloads and for `save`).  `compress=False`:
    the same file, its entries stored rather than deflated (the lab store's checkpoints:
    ~10x faster to write, ~10 % larger for trained float32 weights); `load` reads both."""
    header = {
        "format": FORMAT, "version": VERSION,
        "network": net.config.to_dict(),
        "data": meta or {},
        "train": train_config or {},
        "history": history or [],
    }
    arrays = {name: np.ascontiguousarray(value) for name, value in net.named_params().items()}
    buf = io.BytesIO()
    (np.savez_compressed if compress else np.savez)(buf, __config__=np.array(json.dumps(header, default=_jsonable)), **arrays)
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


def _npy_header(f, name: str):
    """(shape, dtype) from the .npy header at the start of the open member `f`:
    what the array declares, read before any of its data is decompressed."""
    try:
        version = np.lib.format.read_magic(f)
        read = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
        if version not in read:
            raise ValueError(f"unsupported .npy version {version}")
        shape, fortran, dtype = read[version](f, max_header_size=1000)
    except (ValueError, OSError, EOFError, SyntaxError, TypeError, zipfile.BadZipFile, zlib.error):
        # (NumPy's own text would suggest trusting the file with pickle: never for an upload)
        raise ModelFileError(f"entry {name[:40]!r} of the model file is not a plain array "
                             "(its .npy header is damaged or too long)") from None
    if fortran and len(shape) > 1:
        raise ModelFileError(f"entry {name!r} of the model file is stored in Fortran order; save it with nnlab")
    return shape, dtype


def _read_data(f, name: str, shape, dtype) -> np.ndarray:
    """Exactly the bytes the header declared (sizes already checked), and then the end of the entry."""
    nbytes = math.prod(shape) * dtype.itemsize
    try:
        data = f.read(nbytes)
        trailing = f.read(1)  # also makes zipfile check the entry's CRC
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as e:
        raise ModelFileError(f"entry {name!r} of the model file is corrupt: {e}") from None
    if len(data) != nbytes:
        raise ModelFileError(f"entry {name!r} of the model file is truncated")
    if trailing:
        raise ModelFileError(f"entry {name!r} of the model file holds more than its declared shape {shape}")
    return np.frombuffer(data, dtype).reshape(shape)


def _read_header(zf, member) -> dict:
    """The JSON configuration (a 0-d unicode array), checked for size and nesting."""
    with zf.open(member) as f:
        shape, dtype = _npy_header(f, "__config__")
        if shape != () or dtype.kind != "U":
            raise ModelFileError("not an nnlab model file: the configuration is not a text")
        if dtype.itemsize > 4 * MAX_CONFIG_CHARS:
            raise ModelFileError(f"the model file's configuration is {dtype.itemsize // 4:,} characters long; "
                                 f"an nnlab model's is at most {MAX_CONFIG_CHARS:,}")
        text = str(_read_data(f, "__config__", shape, dtype)[()])
    try:
        header = json.loads(text)
    except RecursionError:
        raise ModelFileError("model configuration is nested too deeply to be an nnlab model") from None
    except json.JSONDecodeError as e:
        raise ModelFileError(f"model configuration is not valid JSON: {e.msg} at character {e.pos}") from None
    except ValueError:  # an integer of thousands of digits
        raise ModelFileError("model configuration holds a number too long to be a setting") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ModelFileError("not an nnlab model file: wrong format marker")
    if header.get("version") != VERSION:
        raise ModelFileError(f"unsupported model file version {str(header.get('version'))[:20]!r} "
                             f"(this nnlab reads {VERSION})")
    return header


def expected_shapes(config: NetworkConfig) -> dict:
    """{"dense0.W": (n_in, n_out), "dense0.b": (n_out,), ...}: the arrays a
    network of `config` holds (as Network.named_params names them), computed
    without building it."""
    sizes = config.sizes
    out = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        out[f"dense{i}.W"] = (n_in, n_out)
        out[f"dense{i}.b"] = (n_out,)
    return out


def load(source):
    """Load a model from a path, bytes or a binary file object.

    Returns (network, header) where header holds "data" (dataset meta),
    "train" (training config) and "history".  Raises ModelFileError.

    Nothing is allocated from what the file declares before it is checked:
    the configuration's size and nesting, the network's parameter count
    (at most MAX_PARAMS), then each weight's .npy header (shape and dtype
    against the configuration) before its data is decompressed — so a small
    file cannot make the loader build a huge network or unpack gigabytes."""
    try:  # missing, unreadable, empty or too large: one clear line
        raw = read_bytes(source, "model file", limit=MAX_FILE_BYTES)
    except DataError as e:
        raise ModelFileError(str(e)) from None
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        members = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, zlib.error) as e:
        raise ModelFileError(f"not an nnlab model file (.npz): {e}") from None
    try:
        return _load_checked(zf, members)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, zlib.error, KeyError) as e:
        # an entry that zipfile cannot unpack: encrypted, an unknown compression, a wrong checksum...
        raise ModelFileError(f"the model file is damaged or not an nnlab model: {str(e)[:120]}") from None
    finally:
        zf.close()


def _load_checked(zf, members):
    """load() once the zip's directory is read: checks, then the network."""
    if len(members) > MAX_ENTRIES:
        raise ModelFileError(f"the model file holds {len(members):,} entries; an nnlab model has at most {MAX_ENTRIES}")
    by_name = {}
    for m in members:
        if not m.filename.endswith(".npy") or m.filename[:-4] in by_name:
            raise ModelFileError(f"not an nnlab model file (.npz): unexpected entry {m.filename[:60]!r}")
        by_name[m.filename[:-4]] = m
    if "__config__" not in by_name:
        raise ModelFileError("not an nnlab model file: no configuration inside")
    header = _read_header(zf, by_name.pop("__config__"))
    try:
        config = NetworkConfig.from_dict(header.get("network") or {})
    except (TypeError, ValueError) as e:
        raise ModelFileError(f"invalid network configuration in model file: {str(e)[:200]}") from None
    for key in ("data", "train"):
        if not isinstance(header.get(key, {}), dict):
            raise ModelFileError(f"invalid {key!r} section in model file")
    if not isinstance(header.get("history", []), list):
        raise ModelFileError("invalid history in model file")
    shapes = expected_shapes(config)
    n_params = sum(math.prod(s) for s in shapes.values())
    if n_params > MAX_PARAMS:
        raise ModelFileError(f"the network in this model file has {n_params:,} parameters; "
                             f"nnlab loads at most {MAX_PARAMS:,}")
    missing = sorted(set(shapes) - set(by_name))
    extra = sorted(set(by_name) - set(shapes))
    if missing or extra:
        raise ModelFileError("model file weights do not match its configuration "
                             f"(missing: {_few(missing)}, unexpected: {_few(extra)})")
    arrays = {}
    for name, shape in shapes.items():
        with zf.open(by_name[name]) as f:
            got, dtype = _npy_header(f, name)
            if got != shape:
                raise ModelFileError(f"weight {name} has shape {got}, expected {shape}")
            if dtype.kind != "f" or dtype.itemsize > 8:
                raise ModelFileError(f"weight {name} is not floating point ({dtype})")
            value = _read_data(f, name, shape, dtype)
        if not np.isfinite(value).all():
            raise ModelFileError(f"weight {name} contains NaN or infinite values")
        arrays[name] = value
    meta = header.get("data") or {}
    if meta:
        n_features, classes = meta.get("n_features"), meta.get("classes")
        if n_features is not None and n_features != config.n_inputs:
            raise ModelFileError("model file metadata disagrees with its network (n_features)")
        if classes is not None and (not isinstance(classes, list) or len(classes) != config.n_outputs):
            raise ModelFileError("model file metadata disagrees with its network (classes)")
    net = Network(config)
    for name, target in net.named_params().items():
        target[...] = arrays[name]
    return net, header


def _few(names, k=4):
    return (", ".join(n[:40] for n in names[:k]) + (f", ... ({len(names)} in all)" if len(names) > k else "")) if names else "none"


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
