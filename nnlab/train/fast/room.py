"""The room: every training running in this process at once, and the one BLAS
setting they share.

A dashboard serves a whole workshop from one process: twenty browser tabs may
press Train within the same minute.  OpenBLAS keeps *one* thread count per
process (``openblas_set_num_threads_local`` changes the global count too, in the
pthreads build NumPy ships), and its products give different float rounding
with 1 and with 2 threads (784-wide inputs: measured), so:

* a small problem trains with 1 BLAS thread, a big one with all cores
  (``threads.blas_threads``), always — alone or in a crowd, so the same seed
  and settings give the same numbers in every session;
* each training does its work in *turns* (an epoch, or the part of one between
  two progress reports).  Turns with 1 thread run together, one per core (a
  twentieth 1-thread turn at once would only share the same cores, and the
  GIL, twenty ways — and starve the scripts of tabs that are not training);
  a turn with all cores runs alone.  Turns are granted first come, first
  served, so no training waits behind a stream of others;
* only the room changes the process's BLAS thread count, between turns, and
  it puts back what it found when the last turn ends.  (Before, each epoch
  set and restored the count itself through threadpoolctl, which since 3.8
  lets only the first thread that set OpenBLAS's count change it again and
  silently ignores the others: in a server, whichever session's thread came
  first decided every session's count, and a big problem could train on
  1 thread or a small one on 2, and its numbers change with them.)
* ``capped(1)`` holds every turn of the calling thread to 1 BLAS thread (a
  sweep's run: its workers must not fight over cores, and its numbers must
  be the same in this process as in a worker).

``alone()`` tells the fast optimizer whether it may share its update with the
helper thread (the result is the same bit for bit either way); ``size()`` is
the number of trainings under way, for a dashboard to space its redraws.
"""
from __future__ import annotations

import collections
import contextlib
import os
import threading

import threadpoolctl

ALL = None  # a turn with every core (the library's default BLAS thread count)


class Room:
    def __init__(self, controller_factory=None, cores: int | None = None):
        self._cores = cores or os.cpu_count() or 1  # 1-thread turns under way at once, at most
        self._cond = threading.Condition()
        self._waiting = collections.deque()  # tickets, first come first served
        self._holders = 0                    # turns under way
        self._all_cores = False              # the turn under way has every core
        self._members = 0                    # trainings under way (in a run, between turns too)
        self._limiter = None                 # threadpoolctl's limiter while the room holds BLAS at 1
        self._controller_factory = controller_factory
        self._cap = threading.local()        # .threads: a cap on this thread's turns (see capped)
        self._mine = threading.local()       # .depth: turns this thread is inside (a nested one is the same turn)

    # ---------------------------------------------------------------- turns
    @contextlib.contextmanager
    def turn(self, threads):
        """Run the block with `threads` BLAS threads (1, or ALL), sharing the
        machine with the other trainings' turns as described above."""
        depth = getattr(self._mine, "depth", 0)
        if depth:  # already in a turn: its threads stand (waiting for another would wait for itself)
            self._mine.depth = depth + 1
            try:
                yield
            finally:
                self._mine.depth = depth
            return
        cap = getattr(self._cap, "threads", None)
        all_cores = threads is ALL and cap is None
        ticket = object()
        with self._cond:
            self._waiting.append(ticket)
            while not (self._waiting[0] is ticket
                       and (self._holders == 0 if all_cores else not self._all_cores and self._holders < self._cores)):
                self._cond.wait()
            self._waiting.popleft()
            self._holders += 1
            self._all_cores = all_cores
            self._set_blas(all_cores)
            self._cond.notify_all()  # the next ticket may be a 1-thread turn that can start too
        self._mine.depth = 1
        try:
            yield
        finally:
            self._mine.depth = 0
            with self._cond:
                self._holders -= 1
                if self._holders == 0:
                    self._all_cores = False
                    if not self._waiting:
                        self._set_blas(True)  # as found
                self._cond.notify_all()

    @contextlib.contextmanager
    def capped(self, threads: int = 1):
        """Turns taken by this thread inside the block use `threads` (1) BLAS threads."""
        if threads != 1:
            raise ValueError("a turn has 1 BLAS thread or all of them")
        before, self._cap.threads = getattr(self._cap, "threads", None), threads
        try:
            yield
        finally:
            self._cap.threads = before

    def _set_blas(self, all_cores: bool):
        # threadpoolctl (>= 3.8) ignores a change of OpenBLAS's count from any thread but the
        # first that made one; the room is the one owner, so the turn's thread takes over.
        clear = getattr(getattr(threadpoolctl, "OpenBLASController", None), "clear_controlling_thread", None)
        if clear is not None:
            clear(force=True)
        if all_cores and self._limiter is not None:
            self._limiter.restore_original_limits()
            self._limiter = None
        elif not all_cores and self._limiter is None:
            self._limiter = self._controller().limit(limits=1, user_api="blas")

    def _controller(self):
        if self._controller_factory is not None:
            return self._controller_factory()
        from nnlab.train.fast.threads import controller

        return controller()

    # -------------------------------------------------------------- members
    @contextlib.contextmanager
    def member(self):
        """Count a training as under way for the block (a whole run, turns and the gaps between)."""
        with self._cond:
            self._members += 1
        try:
            yield
        finally:
            with self._cond:
                self._members -= 1

    def size(self) -> int:
        """Trainings under way in this process."""
        return self._members

    def alone(self) -> bool:
        """Whether the turn under way is the only one (its training may use the helper thread)."""
        return self._holders <= 1


ROOM = Room()
