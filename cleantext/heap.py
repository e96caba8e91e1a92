"""The C heap while a long document is cleaned: the blocks a pass frees serve the next.

Each pass that changes a text makes a new string of its length and frees the
one before. glibc's ``malloc`` serves a block over its mmap threshold (128 KiB,
rising to at most 32 MiB as such blocks are freed) with fresh pages from the
kernel, which zeroes each page on first touch, and hands the free top of its
heap back past its trim threshold; so every version of a text of tens of
megabytes was new memory: a 20 MB document spent a third of its time in the
kernel (0.098 of 0.315 s per MB; 0.016 of 0.22 s for 1 MB documents).

While a document of at least :data:`LONG_DOCUMENT_CHARS` characters is
cleaned, :func:`long_document_heap` raises both thresholds, so freed blocks
stay in the heap for the next version; after it, the heap's free memory goes
back to the kernel (``malloc_trim``) and the thresholds stay where glibc's own
adjustment takes them once it has freed a block of 32 MiB (mmap 32 MiB, trim
64 MiB). Elsewhere than glibc, nothing changes.

Example::

    >>> with long_document_heap(10):  # short: the heap is left as it is
    ...     pass
"""

from __future__ import annotations

import ctypes
import platform
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

__all__ = ["LONG_DOCUMENT_CHARS", "long_document_heap"]

LONG_DOCUMENT_CHARS = 2_000_000
"""Characters from which a document is cleaned with the heap's thresholds raised (above the 1,000,000 of a
window, so cleaning in windows keeps its bounded memory)."""

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
"""``mallopt`` parameters (``malloc.h``)."""

RAISED = 1 << 30
"""Both thresholds while a long document is cleaned."""

SETTLED = ((M_MMAP_THRESHOLD, 32 << 20), (M_TRIM_THRESHOLD, 64 << 20))
"""The thresholds afterwards: where glibc's own adjustment takes them (its ``DEFAULT_MMAP_THRESHOLD_MAX``, and
twice that for trimming)."""

_lock = threading.Lock()
_cleaning = 0  # long documents being cleaned now, in any thread


def _glibc() -> Any | None:
    """glibc's functions, or None elsewhere."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(None)
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_LIBC = _glibc()


_AS_IT_IS = nullcontext()


def long_document_heap(chars: int) -> AbstractContextManager[None]:
    """Keep freed blocks in the heap while a document of ``chars`` characters is cleaned, where it is long
    (at least :data:`LONG_DOCUMENT_CHARS`) and the C library is glibc; else leave the heap as it is (at
    the cost of a ``with`` alone: every document asks)."""
    if _LIBC is None or chars < LONG_DOCUMENT_CHARS:
        return _AS_IT_IS
    return _kept_heap(_LIBC)


@contextmanager
def _kept_heap(libc: Any) -> Iterator[None]:
    """The thresholds raised for as long as any long document is cleaned, then settled and trimmed."""
    global _cleaning
    with _lock:
        _cleaning += 1
        if _cleaning == 1:
            libc.mallopt(M_MMAP_THRESHOLD, RAISED)
            libc.mallopt(M_TRIM_THRESHOLD, RAISED)
    try:
        yield
    finally:
        with _lock:
            _cleaning -= 1
            if _cleaning == 0:
                for parameter, value in SETTLED:
                    libc.mallopt(parameter, value)
                libc.malloc_trim(0)
