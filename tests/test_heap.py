"""The C heap while a long document is cleaned: thresholds raised for it, settled and trimmed after."""

import pytest

from cleantext import heap
from cleantext.heap import LONG_DOCUMENT_CHARS, M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, RAISED, long_document_heap


class RecordingLibc:
    """A stand-in for glibc that records the calls."""

    def __init__(self):
        self.calls = []

    def mallopt(self, parameter, value):
        self.calls.append(("mallopt", parameter, value))
        return 1

    def malloc_trim(self, pad):
        self.calls.append(("malloc_trim", pad))
        return 1


@pytest.fixture
def libc(monkeypatch):
    recording = RecordingLibc()
    monkeypatch.setattr(heap, "_LIBC", recording)
    return recording


RAISE = [("mallopt", M_MMAP_THRESHOLD, RAISED), ("mallopt", M_TRIM_THRESHOLD, RAISED)]
SETTLE = [("mallopt", M_MMAP_THRESHOLD, 32 << 20), ("mallopt", M_TRIM_THRESHOLD, 64 << 20), ("malloc_trim", 0)]


def test_a_long_document_raises_the_thresholds_and_settles_and_trims_the_heap_after(libc):
    with long_document_heap(LONG_DOCUMENT_CHARS):
        assert libc.calls == RAISE
    assert libc.calls == RAISE + SETTLE


def test_a_shorter_document_leaves_the_heap_alone(libc):
    with long_document_heap(LONG_DOCUMENT_CHARS - 1):
        pass
    assert libc.calls == []


def test_long_documents_cleaned_at_once_raise_once_and_settle_when_the_last_ends(libc):
    with long_document_heap(LONG_DOCUMENT_CHARS), long_document_heap(2 * LONG_DOCUMENT_CHARS):
        pass
    assert libc.calls == RAISE + SETTLE


def test_the_heap_settles_when_cleaning_fails(libc):
    with pytest.raises(RuntimeError), long_document_heap(LONG_DOCUMENT_CHARS):
        raise RuntimeError("a rule failed")
    assert libc.calls == RAISE + SETTLE
    assert heap._cleaning == 0


def test_without_glibc_nothing_is_called(monkeypatch):
    monkeypatch.setattr(heap, "_LIBC", None)
    with long_document_heap(10 * LONG_DOCUMENT_CHARS):
        pass


def test_the_pipeline_cleans_a_long_document_inside_it_and_a_short_one_outside(libc):
    from cleantext import Pipeline

    pipeline = Pipeline.load()
    paragraph = "The council met on Monday and agreed the budget for the coming year.\n\n"
    long_text = paragraph * (LONG_DOCUMENT_CHARS // len(paragraph) + 1)
    assert pipeline.clean(paragraph * 3).text and libc.calls == []
    assert pipeline.clean(long_text).text.startswith("The council met") and libc.calls == RAISE + SETTLE
