"""Many trainings in one process (a workshop's browser tabs on one server):
each keeps its own BLAS thread count, the machine is shared in fair turns, and
the same seed and settings give the same numbers alone or in a crowd."""
import threading
import time

import pytest
from threadpoolctl import threadpool_info

from nnlab.core.config import NetworkConfig, TrainConfig
from nnlab.core.network import Network
from nnlab.data.datasets import load_dataset
from nnlab.train.engines import get_engine
from nnlab.train.fast.room import ALL, Room
from nnlab.train.trainer import Trainer

SMALL = (32, [64, 128, 10])    # 1 BLAS thread (nnlab/train/fast/threads.py: blas_threads)
BIG = (1257, [64, 512, 10])    # all cores: a full-batch product of 82 MFLOP


def blas_threads_now():
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


@pytest.fixture
def two_cores():
    found = blas_threads_now()
    if min(found) < 2:
        pytest.skip("needs a BLAS with 2+ threads")
    return found


def in_thread(fn):
    t = threading.Thread(target=fn, daemon=True)
    t.start()
    return t


def test_a_limit_set_by_one_training_does_not_change_anothers(two_cores):
    """A small problem's epoch runs with 1 BLAS thread; a big problem's epoch,
    started meanwhile by another session, still gets every core (in its turn, after
    the small one's), and the process is left as it was."""
    blas = get_engine("fast").blas
    small_in, small_out, seen = threading.Event(), threading.Event(), {}

    def small():
        with blas(*SMALL):
            seen["small"] = blas_threads_now()
            small_in.set()
            small_out.wait(10)

    def big():
        small_in.wait(10)
        with blas(*BIG):
            seen["big"] = blas_threads_now()

    a, b = in_thread(small), in_thread(big)
    small_in.wait(10)
    time.sleep(0.2)
    assert "big" not in seen  # waits for its turn rather than running on the small one's 1 thread
    small_out.set()
    a.join(10), b.join(10)
    assert seen["small"] == [1] * len(two_cores) and seen["big"] == two_cores
    assert blas_threads_now() == two_cores


def test_overlapping_small_epochs_leave_the_process_as_it_was(two_cores):
    """Before: each epoch saved and restored the count itself, so two interleaved
    epochs ran the second with all cores and left the process at 1 thread."""
    blas = get_engine("fast").blas
    first_in, first_out, second_in, seen = threading.Event(), threading.Event(), threading.Event(), {}

    def first():
        with blas(*SMALL):
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second():
        first_in.wait(10)
        with blas(*SMALL):
            second_in.set()
            first_out.wait(10)
            seen["second after first left"] = blas_threads_now()

    a, b = in_thread(first), in_thread(second)
    a.join(10), b.join(10)
    assert seen["second after first left"] == [1] * len(two_cores)
    assert blas_threads_now() == two_cores


class FakeController:
    def __init__(self):
        self.log = []

    def limit(self, limits, user_api):
        self.log.append(limits)
        controller = self

        class Limiter:
            def restore_original_limits(self):
                controller.log.append("restored")
        return Limiter()


def test_turns_are_first_come_first_served_and_one_thread_turns_run_together():
    fake = FakeController()
    room = Room(controller_factory=lambda: fake, cores=2)
    order, hold = [], threading.Event()

    def turn(name, threads, wait=None):
        def go():
            with room.turn(threads):
                order.append((name, room.alone()))
                if wait is not None:
                    wait.wait(10)
        return in_thread(go)

    a = turn("a", 1, hold)
    time.sleep(0.05)
    b = turn("b", 1, hold)          # joins a: both on one thread each
    time.sleep(0.05)
    c = turn("c", ALL)             # waits for a and b
    time.sleep(0.05)
    d = turn("d", 1)               # came after c: waits behind it, not beside a and b
    time.sleep(0.1)
    assert order == [("a", True), ("b", False)]
    hold.set()
    for t in (a, b, c, d):
        t.join(10)
    assert [name for name, _ in order] == ["a", "b", "c", "d"]
    assert order[2] == ("c", True)
    assert fake.log == [1, "restored", 1, "restored"]  # BLAS back as found whenever the room empties


def test_one_thread_turns_run_one_per_core_in_the_order_they_came_and_a_nested_turn_is_the_same():
    """Twenty tabs' small epochs: two at once on two cores (the rest would only share the
    cores and the GIL), the others served in turn; a turn taken inside a turn does not wait."""
    room = Room(controller_factory=FakeController, cores=2)
    running, most, order, hold = [0], [0], [], threading.Event()
    lock = threading.Lock()

    def go(name):
        with room.turn(1):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
                order.append(name)
            with room.turn(ALL):  # nested: the same turn, no new ticket
                hold.wait(10)
            with lock:
                running[0] -= 1

    threads = []
    for name in "abcde":
        threads.append(in_thread(lambda name=name: go(name)))
        time.sleep(0.05)
    assert order == ["a", "b"]  # c, d and e wait for a core
    hold.set()
    for t in threads:
        t.join(10)
    assert most[0] == 2 and order == list("abcde")


def run_records(net_cfg, train_cfg, data):
    trainer = Trainer(Network(net_cfg, seed=train_cfg.seed), data, train_cfg)
    return [{k: v for k, v in r.items() if k != "seconds"} for r in trainer.run()]


def test_two_sessions_training_at_once_get_the_same_records_as_each_alone():
    data = load_dataset("digits")
    small = (NetworkConfig(64, 10, [128], ["relu"]), TrainConfig(optimizer="adam", batch_size=32, epochs=3, seed=1))
    big = (NetworkConfig(64, 10, [512], ["sigmoid"]),
           TrainConfig(optimizer="momentum", lr=0.2, batch_size=None, epochs=25, seed=2))
    alone = [run_records(*small, data), run_records(*big, data)]
    together = [None, None]

    def go(i, setup):
        together[i] = run_records(*setup, data)

    threads = [in_thread(lambda i=i, s=s: go(i, s)) for i, s in enumerate((small, big))]
    for t in threads:
        t.join(120)
    assert together == alone


def test_a_training_counts_as_under_way_until_its_run_ends_or_is_dropped():
    from nnlab.train.fast.room import ROOM

    data = load_dataset("digits")
    trainer = Trainer(Network(NetworkConfig(64, 10, [16], ["relu"]), seed=0), data, TrainConfig(epochs=3))
    before = ROOM.size()
    run = trainer.run()
    next(run)
    assert ROOM.size() == before + 1   # paused between epochs (a dashboard drawing) still counts
    del run                            # a closed tab: Streamlit drops the script and its generator
    assert ROOM.size() == before
    list(trainer.run())
    assert ROOM.size() == before and trainer.finished


def test_every_tab_reads_the_same_read_only_copy_of_a_dataset():
    """MNIST is ~220 MB: a copy per tab cost a workshop's server that much per learner
    (docs/room.md). Tabs share one, and none can change it for the others."""
    from pathlib import Path

    import numpy as np
    from streamlit.testing.v1 import AppTest

    app = str(Path(__file__).resolve().parents[1] / "app.py")
    tabs = [AppTest.from_file(app, default_timeout=60) for _ in range(2)]
    for at in tabs:
        at.run()
        next(b for b in at.button if b.label == "Train").click().run()  # trains on it, read-only
        assert not at.exception and len(at.session_state.history) > 0
    first, second = (at.session_state.data_memo["digits"][1] for at in tabs)
    assert first is second
    with pytest.raises(ValueError, match="read-only"):
        first.X_train[0, 0] = np.float32(1.0)
