"""One step of each optimizer against its formula, written out by hand — for both
engines (the textbook classes in nnlab/train/optimizers.py and nnlab/train/fast/optimizers.py),
the fast one both ways: its NumPy code and its numba kernels (NNLAB_NUMBA, fast/jit.py)."""
import numpy as np
import pytest

from nnlab.train.engines import ENGINES, make_optimizer
from nnlab.train.fast import jit
from nnlab.train.optimizers import OPTIMIZERS

P0 = np.array([1.0, -2.0, 0.5, 3.0])
G1 = np.array([0.1, -0.3, 2.0, 0.0])
G2 = np.array([-0.2, 0.1, 1.0, 0.4])


def use_numba(monkeypatch, on: bool):
    """The fast engine's numba kernels for every network (on) or never (off)."""
    if on and not jit.available():
        pytest.skip("numba is not installed")
    monkeypatch.setenv(jit.VARIABLE, "1" if on else "0")


@pytest.fixture(params=sorted(ENGINES) + ["fast+numba"])
def engine(request, monkeypatch):
    if request.param.startswith("fast"):
        use_numba(monkeypatch, request.param == "fast+numba")
    return request.param.split("+")[0]


def two_steps(name, engine, **kw):
    opt = make_optimizer(name, engine=engine, **kw)
    p = P0.copy()
    opt.step(p, G1.copy())
    after_one = p.copy()
    opt.step(p, G2.copy())
    return after_one, p


@pytest.mark.parametrize("name", ["gd", "sgd"])
def test_sgd(name, engine):
    one, two = two_steps(name, engine, lr=0.1)
    np.testing.assert_allclose(one, P0 - 0.1 * G1)
    np.testing.assert_allclose(two, P0 - 0.1 * G1 - 0.1 * G2)


def test_momentum(engine):
    one, two = two_steps(engine=engine, name="momentum", lr=0.1, momentum=0.9)
    v1 = -0.1 * G1
    v2 = 0.9 * v1 - 0.1 * G2
    np.testing.assert_allclose(one, P0 + v1)
    np.testing.assert_allclose(two, P0 + v1 + v2)


def test_nesterov(engine):
    one, two = two_steps(engine=engine, name="nesterov", lr=0.1, momentum=0.9)
    v1 = -0.1 * G1
    p1 = P0 + 0.9 * v1 - 0.1 * G1
    v2 = 0.9 * v1 - 0.1 * G2
    np.testing.assert_allclose(one, p1)
    np.testing.assert_allclose(two, p1 + 0.9 * v2 - 0.1 * G2)


def test_rmsprop(engine):
    one, two = two_steps(engine=engine, name="rmsprop", lr=0.01, rho=0.9, eps=1e-8)
    s1 = 0.1 * G1 ** 2
    p1 = P0 - 0.01 * G1 / (np.sqrt(s1) + 1e-8)
    s2 = 0.9 * s1 + 0.1 * G2 ** 2
    np.testing.assert_allclose(one, p1)
    np.testing.assert_allclose(two, p1 - 0.01 * G2 / (np.sqrt(s2) + 1e-8))


def test_adam(engine):
    one, two = two_steps(engine=engine, name="adam", lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8)
    m1, v1 = 0.1 * G1, 0.001 * G1 ** 2
    p1 = P0 - 0.01 * (m1 / 0.1) / (np.sqrt(v1 / 0.001) + 1e-8)
    m2, v2 = 0.9 * m1 + 0.1 * G2, 0.999 * v1 + 0.001 * G2 ** 2
    mhat, vhat = m2 / (1 - 0.9 ** 2), v2 / (1 - 0.999 ** 2)
    # the fast engine folds the bias correction into the step size and eps: the same formula
    np.testing.assert_allclose(one, p1, rtol=1e-12)
    np.testing.assert_allclose(two, p1 - 0.01 * mhat / (np.sqrt(vhat) + 1e-8), rtol=1e-12)


def test_optimizers_update_float32_in_place(engine):
    for name in OPTIMIZERS:
        p = P0.astype(np.float32)
        buf = p
        make_optimizer(name, lr=0.01, engine=engine).step(p, G1.astype(np.float32))
        assert p is buf and p.dtype == np.float32 and not np.allclose(p, P0)


@pytest.mark.parametrize("kw", [dict(name="adam", lr=-1), dict(name="adam", lr=0), dict(name="adam", lr=float("nan")),
                                dict(name="momentum", lr=0.1, momentum=1.5), dict(name="lbfgs", lr=0.1),
                                dict(name="rmsprop", lr=0.1, eps=0)])
def test_bad_optimizer_settings(kw):
    with pytest.raises(ValueError):
        make_optimizer(**kw)


@pytest.mark.parametrize("numba", [False, True], ids=["numpy", "numba"])
@pytest.mark.parametrize("name", ["adam", "momentum", "rmsprop"])
def test_state_of_a_weight_without_gradient_never_goes_subnormal(name, numba, monkeypatch):
    """A weight whose gradient stays zero (an MNIST border pixel) has its state
    decay geometrically; subnormal floats would make every pass over the buffer
    slow, so the optimizer flushes tiny state values to exactly zero."""
    import nnlab.train.fast.optimizers as optimizers

    use_numba(monkeypatch, numba)

    def subnormals_after(steps):
        opt, p = make_optimizer(name, lr=1e-3), np.ones(8, np.float32)
        opt.step(p, np.full(8, 1e-3, np.float32))
        zero = np.zeros(8, np.float32)
        for _ in range(steps):
            opt.step(p, zero)
        tiny = np.finfo(np.float32).tiny
        return sum(int(np.count_nonzero((s != 0) & (np.abs(s) < tiny))) for s in opt.state().values())

    assert subnormals_after(850) == 0
    monkeypatch.setattr(optimizers, "FLUSH_EVERY", 10 ** 9)
    assert subnormals_after(850) > 0  # what the flush prevents


@pytest.mark.parametrize("numba", [False, True], ids=["numpy", "numba"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_update_shared_with_the_helper_thread_equals_one_thread(name, numba, monkeypatch):
    """On a big network the helper thread updates part of the buffers; each
    element's update is independent, so the result must be bit-identical to one
    thread's wherever the cut falls, and the helper must work under the caller's
    np.errstate (the trainer silences overflow warnings while it detects
    divergence itself)."""
    import warnings

    from nnlab.train.fast import optimizers, threads

    use_numba(monkeypatch, numba)  # numba's kernel is shared only when asked (SHARE_FUSED_UPDATE: it did not pay)
    rng = np.random.default_rng(1)
    n = 100_003
    p0 = rng.standard_normal(n).astype(np.float32)
    grads = [rng.standard_normal(n).astype(np.float32) for _ in range(4)]
    grads[2][-5:] = np.float32(3e38)  # overflows in g**2 inside the helper's part
    results, helper_jobs, shares = {}, {}, []
    for workers in (1, 2):
        use_numba(monkeypatch, numba)
        monkeypatch.setattr(optimizers, "SHARE_FUSED_UPDATE", True)
        monkeypatch.setattr(threads, "optimizer_threads", lambda n_params, w=workers: w)
        jobs = []
        submit = threads.helper().submit
        monkeypatch.setattr(threads.helper(), "submit", lambda *a, **k: jobs.append(1) or submit(*a, **k))
        opt, p = make_optimizer(name, lr=1e-3), p0.copy()
        assert not opt.shared
        with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
            warnings.simplefilter("error")  # a RuntimeWarning from either thread fails the test
            for g in grads:
                opt.step(p, g)
                shares.append(opt._share)
        assert opt.shared is (workers == 2) and (opt._kernels is not None) is numba
        results[workers], helper_jobs[workers] = p, len(jobs)
        monkeypatch.undo()
    assert helper_jobs == {1: 0, 2: 4}  # the helper really took part, once per step
    assert len(set(shares[4:])) > 1  # the cut moved between steps...
    np.testing.assert_array_equal(results[2], results[1])  # ...and changed nothing
    assert not np.allclose(results[1][:1000], p0[:1000])


def test_numba_update_runs_on_this_thread_while_the_helper_gathers(monkeypatch):
    from nnlab.train.fast import threads

    use_numba(monkeypatch, True)
    monkeypatch.setattr(threads, "optimizer_threads", lambda n_params: 2)
    jobs = []
    submit = threads.helper().submit
    monkeypatch.setattr(threads.helper(), "submit", lambda *a, **k: jobs.append(1) or submit(*a, **k))
    opt, p = make_optimizer("adam", lr=1e-3), np.zeros(100_000, np.float32)
    opt.step(p, np.ones_like(p))
    assert opt.shared and not jobs and p[0] < 0  # the batch source may still use the helper meanwhile


def test_shared_update_moves_its_cut_towards_a_helper_that_is_late(monkeypatch):
    """When the helper thread is busy with something else first (the trainer's
    next batch), this thread takes a larger share so both finish together."""
    import time

    from nnlab.train.fast import threads

    use_numba(monkeypatch, False)
    monkeypatch.setattr(threads, "optimizer_threads", lambda n_params: 2)
    opt = make_optimizer("adam", lr=1e-3)
    p, g = np.zeros(200_000, np.float32), np.ones(200_000, np.float32)
    for _ in range(20):
        threads.helper().submit(time.sleep, 0.02)  # the helper starts 20 ms late: far more than an update
        opt.step(p, g)
    assert opt._share > 0.7
    assert 0.1 <= opt._share <= 0.9


def test_update_is_shared_only_for_big_networks_and_quiet_blas(monkeypatch):
    from nnlab.train.fast import threads

    monkeypatch.setattr(threads, "_blas_workers_sleep", lambda: True)
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)
    assert threads.optimizer_threads(235_146) == 2          # the MNIST speed task
    assert threads.optimizer_threads(4_810) == 1            # a digits network: not worth a hand-off
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 1)
    assert threads.optimizer_threads(235_146) == 1
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(threads, "_blas_workers_sleep", lambda: False)  # spinning workers own the other core
    assert threads.optimizer_threads(235_146) == 1


def test_blas_workers_count_as_sleeping_only_with_a_short_timeout(monkeypatch):
    from nnlab.train.fast import threads

    if not threads._openblas_only():
        pytest.skip("NumPy's BLAS here is not OpenBLAS")
    for value, expected in (("16", True), ("4", True), ("28", False), ("", False), ("x", False)):
        monkeypatch.setenv("OPENBLAS_THREAD_TIMEOUT", value)
        assert threads._blas_workers_sleep() is expected, value


def _step_in_child(queue):
    import os

    from nnlab.train.fast import jit, threads

    os.environ[jit.VARIABLE] = "0"  # the NumPy update, which uses the helper thread
    threads.optimizer_threads = lambda n_params: 2
    opt, p = make_optimizer("adam", lr=1e-3), np.zeros(100_000, np.float32)
    opt.step(p, np.ones_like(p))
    queue.put(float(p[0]))


def test_a_forked_child_gets_its_own_helper_thread():
    """A process forked after the helper thread started (multiprocessing's
    default on Linux) must not queue work for the parent's thread, which the
    child does not have: it would wait forever."""
    import multiprocessing

    from nnlab.train.fast import threads

    threads.helper().submit(lambda: None).result()  # the parent's helper thread is running
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_step_in_child, args=(queue,))
    child.start()
    child.join(30)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung on the parent's helper thread")
    assert child.exitcode == 0 and queue.get(timeout=5) < 0  # the step moved the weight
