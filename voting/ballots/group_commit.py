"""Group commit: casts that arrive together are written in one transaction, one fsync.

A commit on SQLite with ``synchronous=FULL`` costs an fsync, and SQLAlchemy's begin and
commit cost about as much CPU as the cast's own statements. So the first cast to arrive
leads: it lets the casts already on their way queue behind it (one turn of the event
loop under gevent), takes the queue, and runs it through ``run_batch`` — one transaction
that settles every cast on its own (each claim still checked individually) and commits
once. Only then is each waiter woken, with its own outcome: a response never goes out
before its ballot is durable, and a crash before the commit wakes every waiter with the
error, so none claims acceptance.

When casts keep arriving but few are queued, the leader also waits, up to ``LINGER``
(10 ms) or until ``FEW`` are queued, before taking the queue, as PostgreSQL's
``commit_delay`` does: phones spread over a burst arrive one by one, and a batch of one
pays the whole transaction's CPU for a single ballot. Measured (docs/performance.md,
2,000 phones in 3 s): server CPU per ballot 1.15 → 0.61 ms, cast p99 10 → 22 ms. A quiet
room (no batch in the last ``BUSY`` seconds) does not wait, and a queue of ``FEW`` ends
the wait at once.

After its batch the leader hands the lead to the first cast that queued meanwhile and
returns, so no voter's answer waits on other people's batches. With nobody queued a
cast is a batch of one, no slower than before. Nothing here knows what a cast is.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")

#: Casts per transaction at most: a batch's lock (SQLite's writer, PostgreSQL's
#: conference row) is held while it runs, and the first in it waits for the last.
LIMIT = 64
#: Seconds a leader waits for more casts when the room is busy but few are queued.
LINGER = 0.010
#: A batch this recent means casts are arriving: wait for the next ones.
BUSY = 0.050
#: Queued casts from which a batch is worth running at once (its CPU already shared).
FEW = 8


@dataclass(eq=False)
class Pending(Generic[Item]):
    """One queued item; ``run_batch`` sets its ``result`` or its ``error``."""

    item: Item
    result: Any = None
    error: BaseException | None = None
    settled: bool = False
    lead: bool = False
    _woken: threading.Event = field(default_factory=threading.Event)

    def settle(self, result: Any = None, error: BaseException | None = None) -> None:
        self.result, self.error, self.settled = result, error, True


def let_arrivals_queue() -> None:
    """Give the requests already on their way a turn to reach the queue.

    Under gevent a transaction never yields (SQLite and the commit run in C), so without
    this turn no second cast could queue while the first is written. ``sleep(0)`` runs
    every greenlet that is ready, reading the sockets that have data, before returning.
    With OS threads the fsync releases the GIL and casts queue meanwhile anyway.
    """
    time.sleep(0)


class GroupCommit(Generic[Item]):
    def __init__(self, run_batch: Callable[[list[Pending[Item]]], None], limit: int = LIMIT):
        self._run_batch = run_batch
        self._limit = limit
        self._guard = threading.Lock()
        self._queue: deque[Pending[Item]] = deque()
        self._leading = False
        #: Batches run and items settled, for the benchmark (``scripts/bench_cast``).
        self.batches = 0
        self.items = 0
        self._last_batch = -BUSY
        self._enough = threading.Event()

    def submit(self, item: Item) -> Any:
        """Queue ``item``, wait until its batch has committed; its result, or raise its error."""
        pending: Pending[Item] = Pending(item)
        with self._guard:
            self._queue.append(pending)
            pending.lead = not self._leading
            self._leading = True
            if len(self._queue) >= FEW:
                self._enough.set()
        while not pending.settled:
            if pending.lead:
                self._lead()
            else:
                pending._woken.wait()
                pending._woken.clear()
        if pending.error is not None:
            raise pending.error
        return pending.result

    def _lead(self) -> None:
        let_arrivals_queue()
        if time.monotonic() - self._last_batch < BUSY:
            with self._guard:
                self._enough.clear()
                few = len(self._queue) < FEW
            if few:
                self._enough.wait(LINGER)
        with self._guard:
            batch = [self._queue.popleft() for _ in range(min(self._limit, len(self._queue)))]
        try:
            self._run_batch(batch)
        except BaseException as exc:
            for pending in batch:
                if not pending.settled:
                    pending.settle(error=exc)
            raise
        finally:
            for pending in batch:
                if not pending.settled:  # run_batch forgot one: never leave it waiting
                    pending.settle(error=RuntimeError("the cast was not settled"))
            self.batches += 1
            self.items += len(batch)
            self._last_batch = time.monotonic()
            with self._guard:
                successor = self._queue[0] if self._queue else None
                if successor is None:
                    self._leading = False
                else:
                    successor.lead = True
            for pending in batch:
                pending.lead = False
                pending._woken.set()
            if successor is not None:
                successor._woken.set()
