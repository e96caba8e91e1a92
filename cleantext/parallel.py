"""One bounded parallel map: work spread over worker processes (and this one), results in input order, memory flat.

``Pipeline.clean_many`` (``cleantext clean --jobs``) and the windows of a long
document (``Pipeline.clean_windows``, ``--window``) both use it: at most
``ahead`` items are in flight, so a stream of any length never piles up in
memory, and results come back in the order the items went in.

Example::

    >>> list(bounded_map(abs, [-1, 2, -3], jobs=1))
    [(-1, 1), (2, 2), (-3, 3)]
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["batched", "bounded_map"]

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


def batched(
    items: Iterable[Item], size: int, *, budget: int | None = None, weight: Callable[[Item], int] = len
) -> Iterator[list[Item]]:
    """``items`` in lists of ``size`` (the last may be shorter): one task per list is cheaper than per item.

    With a ``budget``, a list also ends once the ``weight`` of its items adds up
    to it (an item heavier than the budget is a list of its own), so that
    long documents still spread over the workers and short ones travel many
    to a task.

    >>> list(batched("abcde", 2))
    [['a', 'b'], ['c', 'd'], ['e']]
    >>> list(batched(["aaaa", "b", "c", "dd", "e"], 8, budget=3))
    [['aaaa'], ['b', 'c', 'dd'], ['e']]
    """
    batch: list[Item] = []
    weighed = 0
    for item in items:
        batch.append(item)
        if budget is not None:
            weighed += weight(item)
        if len(batch) >= size or (budget is not None and weighed >= budget):
            yield batch
            batch = []
            weighed = 0
    if batch:
        yield batch


QUEUED = 3
"""With ``here``, items each worker has waiting or in hand before this process takes one itself."""


def bounded_map(
    function: Callable[[Item], Outcome],
    items: Iterable[Item],
    *,
    jobs: int,
    ahead: int | None = None,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
    here: Callable[[Item], Outcome] | None = None,
) -> Iterator[tuple[Item, Outcome]]:
    """``(item, function(item))`` for every item, in order, computed by ``jobs`` processes.

    At most ``ahead`` items (default: four per job) are taken and not yet
    handed on. ``initializer(*initargs)`` runs once in each worker (it
    installs the pipeline there). ``jobs <= 1``: in this process, one item at
    a time (the initializer is then the caller's business).

    Without ``here``, all ``jobs`` are workers. ``here``: how this process
    computes an outcome itself (what ``function`` computes in a worker),
    which makes it one of the ``jobs``: ``jobs - 1`` workers, and this
    process takes an item whenever each worker has :data:`QUEUED` waiting or
    in hand. It sends and receives the workers' items besides, so it takes
    fewer; no core waits while a third process only hands items on.
    """
    if jobs <= 1:
        for item in items:
            yield item, function(item)
        return
    workers = jobs - 1 if here is not None else jobs
    limit = ahead or 4 * jobs
    with ProcessPoolExecutor(max_workers=workers, initializer=initializer, initargs=initargs) as pool:
        _widen_pipes(pool)
        in_flight: deque[tuple[Item, Future[Outcome]]] = deque()
        sent: deque[Future[Outcome]] = deque()  # the workers' items, but those seen done
        for item in items:
            while sent and sent[0].done():
                sent.popleft()
            if here is not None and len(sent) >= QUEUED * workers:
                in_flight.append((item, _computed(here, item)))
            else:
                sent.append(pool.submit(function, item))
                in_flight.append((item, sent[-1]))
            while in_flight and (len(in_flight) >= limit or in_flight[0][1].done()):
                done, future = in_flight.popleft()
                yield done, future.result()
        while in_flight:
            done, future = in_flight.popleft()
            yield done, future.result()


PIPE_BYTES = 1 << 20
"""What a pool's pipes hold where the system lets them (Linux: ``/proc/sys/fs/pipe-max-size``, 1 MiB by default)."""


def _widen_pipes(pool: ProcessPoolExecutor) -> None:
    """Let the pool's pipes hold :data:`PIPE_BYTES`. A worker's results for a batch are some hundred
    kilobytes: through a pipe of 64 KiB, it waits after each 64 KiB until a thread of this process
    has the interpreter to read them, while this process cleans (a quarter of a worker's time,
    measured). Where the pipes cannot be widened (not Linux, a lower limit), they stay as they are."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if set_size is None:
        return
    for queue in (getattr(pool, "_result_queue", None), getattr(pool, "_call_queue", None)):
        for end in (getattr(queue, "_reader", None), getattr(queue, "_writer", None)):
            with contextlib.suppress(AttributeError, OSError):  # no such end; a limit below PIPE_BYTES
                fcntl.fcntl(end.fileno(), set_size, PIPE_BYTES)  # type: ignore[union-attr]


def _computed(function: Callable[[Item], Outcome], item: Item) -> Future[Outcome]:
    """``function(item)`` computed here, as a done future: what it raises is raised where it is handed on, in order."""
    future: Future[Outcome] = Future()
    try:
        future.set_result(function(item))
    except Exception as error:  # handed on with the outcome, as a worker's would be
        future.set_exception(error)
    return future
