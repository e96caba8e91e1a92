"""Segment text into blocks (paragraphs) and lines, as spans of the current text.

A line is a span without its ``\\n``; a block is a run of non-blank lines, from the
start of its first line to the end of its last. Removal spans take one line break
with them, so removing a line or block never glues its neighbours together.

Example::

    >>> text = "Title\\n\\nFirst line\\nsecond line\\n"
    >>> block_spans(text)
    [(0, 5), (7, 29)]
    >>> text[slice(*block_removal_span(text, block_spans(text), 0))]
    'Title\\n'
"""

from __future__ import annotations

import re

from cleantext.memo import last_text
from cleantext.native import native_block_spans

__all__ = ["block_removal_span", "block_spans", "line_removal_span", "line_spans"]

_BLOCK = re.compile(r"^[^\S\n]*\S[^\n]*(?:\n[^\S\n]*\S[^\n]*)*", re.MULTILINE)


CACHED_MAX_CHARS = 1 << 20
"""Texts up to this long keep their blocks for the next rule; a longer one is
segmented again each time, so that no text older than the current one stays
alive in the cache while a huge document is rewritten."""


def block_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every block: maximal runs of lines that are not blank."""
    if len(text) > CACHED_MAX_CHARS:
        return _block_spans(text)
    return list(_cached_block_spans(text))


@last_text  # the rules of a pass segment the same text one after the other
def _cached_block_spans(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(_block_spans(text))


def _block_spans(text: str) -> list[tuple[int, int]]:
    spans = native_block_spans(text)
    return [match.span() for match in _BLOCK.finditer(text)] if spans is None else spans


def line_spans(text: str, low: int = 0, high: int | None = None) -> list[tuple[int, int]]:
    """The (start, end) of every line of ``text[low:high]`` that is not blank.

    >>> line_spans("Title\\n\\n  \\nBody\\n")
    [(0, 5), (10, 14)]
    """
    spans = []
    start = low
    for line in text[low:high].split("\n"):
        end = start + len(line)
        if line.strip():
            spans.append((start, end))
        start = end + 1
    return spans


def line_removal_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The span that removes the line ``text[start:end]`` with one adjacent line break."""
    if end < len(text):
        return start, end + 1
    if start > 0:
        return start - 1, end
    return start, end


def block_removal_span(text: str, blocks: list[tuple[int, int]], index: int) -> tuple[int, int]:
    """The span that removes block ``index`` with one adjacent line break, like a line.

    The blank lines around it stay for the layout rules to tidy, so a removal
    never reaches into the text (or the earlier removals) next to it.
    """
    return line_removal_span(text, *blocks[index])
