"""The one bounded parallel map: order kept, memory bounded, the same answers as in one process."""

from cleantext.parallel import bounded_map
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
