"""Models are saved without pickle and validated when loaded."""
import io
import json

import numpy as np
import pytest

from nnlab import modelfile
from nnlab.core.config import NetworkConfig
from nnlab.core.network import Network
from nnlab.data.datasets import load_dataset
from nnlab.modelfile import ModelFileError


@pytest.fixture()
def net():
    return Network(NetworkConfig(64, 10, [12, 7], ["tanh", "relu"], dropout=0.1), seed=3)


def test_round_trip_keeps_weights_config_and_history(tmp_path, net):
    path = tmp_path / "m.npz"
    history = [{"epoch": 1, "train_loss": 0.5, "val_loss": None}]
    modelfile.save(path, net, {"dataset": "digits", "n_features": 64, "classes": list("0123456789")},
                   history, {"optimizer": "adam"})
    loaded, header = modelfile.load(path)
    np.testing.assert_array_equal(loaded.flat_params, net.flat_params)
    assert loaded.config == net.config
    assert header["history"] == history and header["train"] == {"optimizer": "adam"}
    X = np.random.default_rng(0).random((5, 64))
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))


def test_file_has_no_pickled_objects(net):
    raw = modelfile.model_bytes(net)
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        assert all(npz[k].dtype != object for k in npz.files)


def _rewrite(raw, mutate):
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    mutate(arrays)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _set_header(arrays, **changes):
    header = json.loads(str(arrays["__config__"]))
    header.update(changes)
    arrays["__config__"] = np.array(json.dumps(header))


@pytest.mark.parametrize("mutate,message", [
    (lambda a: a.__setitem__("dense0.W", a["dense0.W"][:, :3]), "shape"),
    (lambda a: a.pop("dense1.b"), "missing"),
    (lambda a: a.__setitem__("extra", np.zeros(3)), "unexpected"),
    (lambda a: a.__setitem__("dense0.b", np.full(12, np.nan)), "NaN"),
    (lambda a: a.__setitem__("dense0.b", np.zeros(12, dtype=np.int64)), "floating"),
    (lambda a: a.pop("__config__"), "no configuration"),
    (lambda a: a.__setitem__("__config__", np.array("{not json")), "JSON"),
    (lambda a: _set_header(a, format="other"), "format"),
    (lambda a: _set_header(a, version=99), "version"),
    (lambda a: _set_header(a, network={"n_inputs": 64, "n_outputs": 10, "hidden": [12, 7], "activations": ["tanh", "zap"]}), "activation"),
])
def test_bad_files_raise_one_clear_error(net, mutate, message):
    raw = _rewrite(modelfile.model_bytes(net), mutate)
    with pytest.raises(ModelFileError, match=message):
        modelfile.load(raw)


def test_pickled_object_array_is_refused(tmp_path):
    buf = io.BytesIO()
    np.savez(buf, __config__=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(ModelFileError):
        modelfile.load(buf.getvalue())


@pytest.mark.parametrize("raw", [b"", b"hello, I am a CSV\n1,2,3\n", b"PK\x03\x04broken zip"])
def test_garbage_is_refused(raw):
    with pytest.raises(ModelFileError):
        modelfile.load(raw)


def test_truncated_file_is_refused(net):
    raw = modelfile.model_bytes(net)
    with pytest.raises(ModelFileError):
        modelfile.load(raw[: len(raw) // 2])


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        modelfile.load(tmp_path / "nope.npz")


def test_model_must_match_the_dataset(net):
    other = Network(NetworkConfig(30, 10, [5]), seed=0)
    digits = load_dataset("digits")
    modelfile.check_compatible({}, net, digits)  # fine
    with pytest.raises(ModelFileError, match="30 input features"):
        modelfile.check_compatible({}, other, digits)
    same_shape_other_labels = {"data": {"classes": list("abcdefghij")}}
    with pytest.raises(ModelFileError, match="other labels"):
        modelfile.check_compatible(same_shape_other_labels, net, digits)
    modelfile.check_compatible({"data": digits.meta()}, net, digits)


@pytest.fixture(scope="module")
def hostile():
    from datafiles import hostile_model_files

    return hostile_model_files()


HOSTILE = ["huge network, no weights", "2 GiB network, no weights", "weight declares an enormous shape",
           "weight declares the right shape, holds 256 MiB", "an extra entry of 256 MiB zeros",
           "configuration declares 256 MiB of text", "deeply nested configuration", "object array (pickle)",
           "100,000 entries", "integer too long for JSON", "npy header of 60 KB"]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_are_refused_before_anything_big_is_built(hostile, name, monkeypatch):
    """Each file once made the loader allocate gigabytes, recurse, or load trailing junk; now
    one clear line, no network built, and the loader's own allocations stay small."""
    import tracemalloc

    built = []
    monkeypatch.setattr(modelfile, "Network", lambda *a, **k: built.append(a) or Network(*a, **k))
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError) as exc:
            modelfile.load(hostile[name])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    msg = str(exc.value)
    assert "\n" not in msg and len(msg) < 300 and "pickle" not in msg.lower(), msg
    assert not built
    assert peak < 64 * 2 ** 20, f"{peak / 2**20:.0f} MiB allocated while refusing {name!r}"


def test_the_hostile_set_is_the_one_the_tests_name(hostile):
    assert sorted(hostile) == sorted(HOSTILE)


def test_the_largest_allowed_network_still_loads():
    # a width that puts the parameter count just under MAX_PARAMS, and one unit more just over
    n_in = 4096
    width = (modelfile.MAX_PARAMS - 10) // (n_in + 1 + 10) - 1
    cfg = NetworkConfig(n_in, 10, [width], ["relu"])
    assert sum(np.prod(s) for s in modelfile.expected_shapes(cfg).values()) <= modelfile.MAX_PARAMS
    net = Network(cfg, seed=0)
    loaded, _ = modelfile.load(modelfile.model_bytes(net))
    np.testing.assert_array_equal(loaded.flat_params, net.flat_params)
    too_big = NetworkConfig(n_in, 10, [width + 10], ["relu"])
    assert sum(np.prod(s) for s in modelfile.expected_shapes(too_big).values()) > modelfile.MAX_PARAMS


def test_expected_shapes_match_a_built_network():
    cfg = NetworkConfig(7, 3, [5, 4], ["relu", "tanh"])
    assert modelfile.expected_shapes(cfg) == {k: v.shape for k, v in Network(cfg).named_params().items()}


def test_big_endian_and_float16_weights_load(net):
    from datafiles import _config_entry, _npy, npz_bytes

    raw = modelfile.model_bytes(net)
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(str(arrays.pop("__config__")))
    entries = {"__config__": _config_entry(header)}
    for k, v in arrays.items():
        dt = ">f8" if k.endswith("W") else "<f2"
        entries[k] = _npy(v.shape, dt, v.astype(dt).tobytes())
    loaded, _ = modelfile.load(npz_bytes(entries))
    np.testing.assert_allclose(loaded.flat_params, net.flat_params, atol=2e-3)
