"""The one bounded parallel map: order kept, memory bounded, the same answers as in one process."""

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from cleantext.parallel import PIPE_BYTES, QUEUED, _widen_pipes, bounded_map
from cleantext.variants import count_names


def test_results_come_back_in_input_order_from_worker_processes():
    items = list(range(40))
    assert list(bounded_map(abs, (-n for n in items), jobs=2, ahead=3)) == [(-n, n) for n in items]


def test_no_more_than_ahead_items_are_taken_before_the_first_result_is_handed_on():
    taken = []

    def items():
        for n in range(100):
            taken.append(n)
            yield n

    results = bounded_map(abs, items(), jobs=2, ahead=5)
    next(results)
    assert len(taken) <= 6
    results.close()


def test_names_are_counted_the_same_in_worker_processes():
    texts = ["Kyiv and Kiev met Zelensky.", "Zelenskyy in Kyiv, not kyiv."] * 30
    assert count_names(texts, jobs=2) == count_names(texts, jobs=1)


def _pid_of(n):
    return n, os.getpid()


def test_this_process_takes_items_itself_once_the_workers_have_enough_in_hand():
    # One worker and this process: the first QUEUED items go to the worker, whatever comes after.
    mapped = list(bounded_map(_pid_of, range(200), jobs=2, here=lambda n: (n, os.getpid())))
    assert [item for item, _ in mapped] == list(range(200))
    assert [outcome[0] for _, outcome in mapped] == list(range(200))
    pids = [pid for _, (_, pid) in mapped]
    assert os.getpid() not in pids[:QUEUED]
    assert len(set(pids)) <= 2


def _inverse(n):
    return 1 / n


def test_an_error_here_is_raised_in_its_turn_after_the_items_before_it():
    def here(n):
        return 1 / n

    mapped = bounded_map(_inverse, [4, 2, 1, *range(5, 40), 0, 3], jobs=2, here=here)
    handed = []
    with pytest.raises(ZeroDivisionError):
        for item, _ in mapped:
            handed.append(item)
    assert handed == [4, 2, 1, *range(5, 40)]


PIPE_MAX = Path("/proc/sys/fs/pipe-max-size")


@pytest.mark.skipif(
    not PIPE_MAX.exists() or int(PIPE_MAX.read_text()) < PIPE_BYTES, reason="pipes cannot be widened here"
)
def test_a_pools_pipes_hold_a_batch_of_results_without_waiting_for_the_reader():
    import fcntl

    with ProcessPoolExecutor(max_workers=1) as pool:
        _widen_pipes(pool)
        for queue in (pool._result_queue, pool._call_queue):
            assert fcntl.fcntl(queue._reader.fileno(), fcntl.F_GETPIPE_SZ) == PIPE_BYTES
