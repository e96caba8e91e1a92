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

from cleantext.rules import Rule
from cleantext.segment import block_removal_span, block_spans, line_at, line_removal_span

__all__ = ["find_block_matches", "find_line_matches"]

Replacements = list[tuple[int, int, str]]


def find_line_matches(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> Replacements:
    """Replacements for every line in ``text[low:high]`` that ``rule`` fires on."""
    pattern = rule.compiled
    found: Replacements = []
    position = low
    while position < high:
        # One search over the rest of the text finds the next candidate line; the
        # line alone is then matched again so a match can never span two lines.
        match = pattern.search(text, position, high, timeout=timeout)
        if match is None:
            break
        start, end = line_at(text, match.start())
        if end > high:
            break
        line = text[start:end]
        confirmed = pattern.search(line, timeout=timeout)
        if confirmed is not None:
            if rule.action == "remove":
                found.append((*line_removal_span(text, start, end), ""))
            else:
                found.append((start + confirmed.start(), start + confirmed.end(), confirmed.expand(rule.replacement)))
        position = end + 1
    return _without_overlaps(found)


def find_block_matches(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> Replacements:
    """Replacements for every block in ``text[low:high]`` that ``rule`` fires on."""
    pattern = rule.compiled
    blocks = block_spans(text)
    found: Replacements = []
    for index, (start, end) in enumerate(blocks):
        if start < low or end > high:
            continue
        match = pattern.search(text[start:end], timeout=timeout)
        if match is None:
            continue
        if rule.action == "remove":
            found.append((*block_removal_span(text, blocks, index), ""))
        else:
            found.append((start + match.start(), start + match.end(), match.expand(rule.replacement)))
    return _without_overlaps(found)


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
