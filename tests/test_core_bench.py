"""The benchmark commands run and report what they promise (no timing asserts:
speed is judged by the benchmark's ratios, not by tests)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MNIST = ROOT.parent / "shared" / "data" / "mnist"

pytestmark = pytest.mark.slow


def run(*args, env=None):
    # Without the OpenBLAS setting the tests themselves use: `python -m nnlab` must make it.
    env = {**{k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}, **(env or {})}
    r = subprocess.run([sys.executable, "-m", "nnlab", "bench", *args], cwd=ROOT, capture_output=True,
                       text=True, timeout=1200, env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1]), r.stdout


def test_bench_accuracy_digits_one_seed():
    result, stdout = run("accuracy", "--dataset", "digits", "--seeds", "1", "--json")
    assert result["seeds"] == 1 and len(result["nnlab_test_accuracies"]) == 1
    assert result["nnlab_mean_test_accuracy"] > 0.96
    assert 0.9 < result["sklearn_mean_test_accuracy"] <= 1.0
    assert "seed 0: nnlab" in stdout


@pytest.mark.skipif(not MNIST.is_dir(), reason="MNIST IDX files not present in ../shared/data/mnist")
def test_bench_speed_reports_all_contenders():
    result, stdout = run("speed", "--epochs", "1", "--data-dir", str(MNIST), "--json")
    for key in ("nnlab_s_per_epoch", "sklearn_s_per_epoch", "torch_s_per_epoch", "gemm_floor_s_per_epoch",
                "nnlab_test_accuracy"):
        assert key in result
    assert result["nnlab_s_per_epoch"] > 0 and result["gemm_floor_s_per_epoch"] > 0
    assert 0 < result["nnlab_inference_10k_s"] < 10 and "inference of 10000 images (best of 5)" in stdout
    assert result["nnlab_test_accuracy"] > 0.93  # one epoch of Adam on MNIST
    assert "GEMM floor" in stdout and "ratios, best / best:" in stdout and "ratios, median over rounds:" in stdout
    assert result["nnlab_over_gemm_floor_median_round"] > 0 and result["nnlab_over_sklearn_median_round"] > 0
    # the textbook engine is timed in the same rounds, and trains as well
    assert result["reference_s_per_epoch"] > 0 and result["reference_over_gemm_floor"] > 0
    assert result["reference_test_accuracy"] > 0.93 and "reference engine: reference/GEMM floor" in stdout
    # `python -m nnlab` imports nnlab before NumPy: the OpenBLAS setting is made, and said so
    assert "set by nnlab" in result["openblas_setting"] and "OpenBLAS setting: OPENBLAS_THREAD_TIMEOUT=16" in stdout
    if result["nnlab_kernels"].startswith("numba"):  # one fused pass on the training thread
        assert result["nnlab_update_threads"] == 1 and "the helper thread gathers the next batch" in stdout
    elif (os.cpu_count() or 1) >= 2:  # the entry point quieted OpenBLAS's workers before NumPy loaded
        assert result["nnlab_update_threads"] == 2 and "optimizer update on 2 threads" in stdout
    assert "profile" not in result  # only with --profile


@pytest.mark.skipif(not MNIST.is_dir(), reason="MNIST IDX files not present in ../shared/data/mnist")
@pytest.mark.parametrize("numba", ["0", "auto"])
def test_bench_speed_profile_splits_an_epoch_into_its_passes(numba):
    result, stdout = run("speed", "--epochs", "1", "--profile", "--data-dir", str(MNIST), "--json",
                         env={"NNLAB_NUMBA": numba})
    profile = result["profile"]
    parts = ["forward GEMMs", "activation forward", "backward GEMMs", "activation derivative", "bias gradients",
             "softmax + cross-entropy + gradient", "optimizer update", "batch copies/gathers", "other"]
    assert list(profile["share"]) == parts and len(profile["epochs"]) == 2  # at least two instrumented epochs
    best = profile["best"]
    assert all(best[p] >= 0 for p in parts) and sum(best[p] for p in parts) == pytest.approx(best["epoch"])
    assert best["forward GEMMs"] > 0 and best["backward GEMMs"] > 0 and best["optimizer update"] > 0
    assert profile["gemm_floor_s_per_epoch"] == result["gemm_floor_s_per_epoch"]
    assert "profile of the fast engine" in stdout and "÷ floor" in stdout
    if profile["ops"] == "numba":  # the bias gradients are computed inside the fused kernels
        assert best["bias gradients"] == 0 and "bias gradients" in profile["fused"]
        assert result["nnlab_kernels"].startswith("numba")
    else:
        assert best["bias gradients"] > 0 and result["nnlab_kernels"] == "numpy"
    assert profile["ops"] == ("numpy" if numba == "0" else profile["ops"])
