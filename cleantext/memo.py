"""One-entry caches of what is read from a text, for the rules of a pass that read the same text.

A cache by value (``functools.lru_cache``) hashes its argument: every new
version of a document's text would be hashed whole, once per version, for no
use. These know the text by identity, and keep only the last one alive.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

__all__ = ["last_text"]

T = TypeVar("T")


def last_text(function: Callable[[str], T]) -> Callable[[str], T]:
    """``function`` of a text, remembered for the last text it was given (the same object).

    >>> calls = []
    >>> @last_text
    ... def length(text: str) -> int:
    ...     calls.append(text)
    ...     return len(text)
    >>> text = "a b"
    >>> length(text), length(text), len(calls)
    (3, 3, 1)
    """
    last: tuple[str | None, T | None] = (None, None)

    @wraps(function)
    def remembered(text: str) -> T:
        nonlocal last
        last_text, value = last
        if last_text is text:
            return value  # type: ignore[return-value]
        value = function(text)
        last = (text, value)  # one assignment: a thread never sees one text with another's value
        return value

    return remembered
