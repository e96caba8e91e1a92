"""One bounded parallel map: work spread over worker processes, results in input order, memory flat.

``Pipeline.clean_many`` (``cleantext clean --jobs``) and the windows of a long
document (``Pipeline.clean_windows``, ``--window``) both use it: at most
``ahead`` items are in flight, so a stream of any length never piles up in
memory, and results come back in the order the items went in.

Example::

    >>> list(bounded_map(abs, [-1, 2, -3], jobs=1))
    [(-1, 1), (2, 2), (-3, 3)]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

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


def bounded_map(
    function: Callable[[Item], Outcome],
    items: Iterable[Item],
    *,
    jobs: int,
    ahead: int | None = None,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[tuple[Item, Outcome]]:
    """``(item, function(item))`` for every item, in order, computed by ``jobs`` worker processes.

    At most ``ahead`` items (default: four per worker) are submitted and not
    yet handed on. ``initializer(*initargs)`` runs once in each worker (it
    installs the pipeline there). ``jobs <= 1``: in this process, one item at
    a time (the initializer is then the caller's business).
    """
    if jobs <= 1:
        for item in items:
            yield item, function(item)
        return
    limit = ahead or 4 * jobs
    with ProcessPoolExecutor(max_workers=jobs, initializer=initializer, initargs=initargs) as pool:
        in_flight: deque[tuple[Item, Future[Outcome]]] = deque()
        for item in items:
            in_flight.append((item, pool.submit(function, item)))
            if len(in_flight) >= limit:
                done, future = in_flight.popleft()
                yield done, future.result()
        while in_flight:
            done, future = in_flight.popleft()
            yield done, future.result()
