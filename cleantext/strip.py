"""The strip stage: block and line rules that remove whole paragraphs or lines.

A line rule fires on a line when its pattern matches somewhere in that line
(anchor it with ``^`` and ``$`` to demand the whole line); a block rule fires on a
paragraph the same way. A removal takes one line break with it; the layout rules
tidy the blank lines left behind.

Example::

    >>> from cleantext.rules import Rule
    >>> rule = Rule(id="demo.ad", category="promo", kind="line", stage="strip",
    ...             action="remove", description="", pattern=r"^Advertisement$")
    >>> find_line_matches(rule, "Text.\\nAdvertisement\\nMore.\\n", 0, 22, None)
    [(6, 20, '')]
"""

from __future__ import annotations

from functools import lru_cache

import regex

from cleantext.rules import Rule
from cleantext.segment import block_removal_span, block_spans, line_removal_span

__all__ = ["find_block_matches", "find_line_matches", "find_repeats"]

_WORD = regex.compile(r"\w+")

Replacements = list[tuple[int, int, str]]


REPEAT_MAX_CHARS = 5000
"""Blocks longer than this are never taken for a repeated title or standfirst."""

LINE_MAX_CHARS = 1000
"""Line rules look at lines of at most this many characters; longer lines are
paragraphs of prose, which only block rules judge."""


def find_line_matches(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> Replacements:
    """Replacements for every line in ``text[low:high]`` that ``rule`` fires on.

    Each line is matched on its own (the text is split once per text, whatever
    the number of rules), which is several times faster than one multi-line
    scan, and a match can never span two lines.
    """
    pattern = rule.compiled
    most = rule.max_words or LINE_MAX_CHARS
    found: Replacements = []
    for start, end, line, words in short_lines(text):
        if start < low or words > most or words < rule.min_words:
            continue  # the cheap test first: a rule for short lines skips prose
        if end > high:
            break
        match = pattern.search(line, timeout=timeout)
        if match is None:
            continue
        if rule.action == "remove":
            found.append((*line_removal_span(text, start, end), ""))
        else:
            found.append((start + match.start(), start + match.end(), match.expand(rule.replacement)))
    return _without_overlaps(found)


@lru_cache(maxsize=1)  # one entry: the cache keeps its text alive
def short_lines(text: str) -> tuple[tuple[int, int, str, int], ...]:
    """``(start, end, line, words)`` for every non-blank line of at most :data:`LINE_MAX_CHARS` characters."""
    lines = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if len(line) <= LINE_MAX_CHARS and not line.isspace() and line:
            lines.append((start, end, line, len(line.split())))
        start = end + 1
    return tuple(lines)


def find_block_matches(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> Replacements:
    """Replacements for every block in ``text[low:high]`` that ``rule`` fires on."""
    pattern = rule.compiled
    blocks = block_spans(text)
    found: Replacements = []
    for index, (start, end) in enumerate(blocks):
        if start < low or end > high:
            continue
        block = text[start:end]
        match = pattern.search(block, timeout=timeout)
        if match is None or not _fits(rule, block):
            continue
        if rule.action == "remove":
            found.append((*block_removal_span(text, blocks, index), ""))
        else:
            found.append((start + match.start(), start + match.end(), match.expand(rule.replacement)))
    return _without_overlaps(found)


def find_repeats(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> Replacements:
    """Removals of blocks that repeat an earlier block of ``text[low:high]`` (a title or standfirst).

    Blocks are compared by their words, case-folded, so quote styles and
    punctuation do not hide a repeat; blocks of fewer than ``min_words`` words
    are never treated as repeats. The first copy stays.
    """
    # A title or standfirst is short: longer blocks are neither originals nor
    # repeats, and are never split into words (a 20 MB paragraph would be).
    blocks = [(start, end) for start, end in block_spans(text) if end - start <= REPEAT_MAX_CHARS]
    # Only a block about as long as an original, and starting with the same
    # word, can repeat it: the others are never split into words.
    originals = [(start, end) for start, end in blocks if start >= low and end <= high]
    lengths = [end - start for start, end in originals]
    first_words = {_first_word(text, start, end) for start, end in originals}
    seen: set[tuple[str, ...]] = set()
    found: Replacements = []
    for start, end in blocks:
        original = start >= low and end <= high
        if not original and (
            not any(length // 2 <= end - start <= 2 * length for length in lengths)
            or _first_word(text, start, end) not in first_words
        ):
            continue
        words = tuple(_WORD.findall(text[start:end].casefold()))
        if len(words) < max(rule.min_words, 1):
            continue
        if words in seen:
            found.append((*line_removal_span(text, start, end), ""))
        elif start >= low and end <= high:
            seen.add(words)
    return _without_overlaps(found)


def _first_word(text: str, start: int, end: int) -> str:
    match = _WORD.search(text, start, end)
    return match.group().casefold() if match else ""


def _fits(rule: Rule, span: str) -> bool:
    """Whether a line or block has the number of words the rule allows."""
    if not (rule.min_words or rule.max_words):
        return True
    count = len(span.split())
    return count >= rule.min_words and (not rule.max_words or count <= rule.max_words)


def _without_overlaps(found: Replacements) -> Replacements:
    # Two removals can claim the same line break (a last line and the one before
    # it); the later one then gives its claim up.
    result: Replacements = []
    for start, end, new in found:
        if result and start < result[-1][1]:
            start = result[-1][1]
            if start > end:
                continue
        result.append((start, end, new))
    return result
