"""The strip stage: block and line rules that remove whole paragraphs or lines.

A line rule fires on a line when its pattern matches somewhere in that line
(anchor it with ``^`` and ``$`` to demand the whole line); a block rule fires on a
paragraph the same way. A removal takes one line break with it; the layout rules
tidy the blank lines left behind.

Example::

    >>> from cleantext.rules import LineRule
    >>> rule = LineRule(id="demo.ad", category="promo", stage="strip",
    ...             action="remove", description="", pattern=r"^Advertisement$")
    >>> find_line_matches(rule, "Text.\\nAdvertisement\\nMore.\\n", 0, 22, None)
    [(6, 20, '')]
"""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import filterfalse
from operator import itemgetter
from typing import Any

import regex

from cleantext.memo import last_text
from cleantext.native import (
    BACKTRACK_ALWAYS,
    found_in,
    native_pattern,
    native_span_pattern,
    native_text,
    native_topic_words,
    offtopic_removals,
    repeat_removals,
)
from cleantext.rules import Rule
from cleantext.scorer import LineScorer
from cleantext.segment import CACHED_MAX_CHARS, block_removal_span, block_spans, line_removal_span, line_spans
from cleantext.sites import line_key
from cleantext.triggers import fold

__all__ = [
    "at_most_words",
    "find_block_matches",
    "find_line_matches",
    "find_offtopic",
    "find_repeats",
    "find_scored_lines",
    "find_site_repeats",
    "native_removal_pattern",
    "python_split_verdicts",
    "split_verdicts",
]

_WORD = regex.compile(r"\w+")

Replacements = list[tuple[int, int, str]]


REPEAT_MAX_CHARS = 5000
"""Blocks longer than this are never taken for a repeated title or standfirst."""

LINE_MAX_CHARS = 1000
"""Line rules look at lines of at most this many characters; longer lines are
paragraphs of prose, which only block rules judge."""


def find_line_matches(
    rule: Rule, text: str, low: int, high: int, timeout: float | None, *, literals: tuple[str, ...] = ()
) -> Replacements:
    """Replacements for every line in ``text[low:high]`` that ``rule`` fires on.

    Each line is matched on its own (the text is split once per text, whatever
    the number of rules), which is several times faster than one multi-line
    scan, and a match can never span two lines. With ``literals`` (casefolded),
    only lines that hold one of them are searched: the literals of the
    rule's trigger that the text holds (see :mod:`cleantext.plan`).
    """
    most = rule.max_words or LINE_MAX_CHARS
    removes = rule.action == "remove"
    core = native_removal_pattern(rule)
    if core is not None:
        matches = core.lines(native_text(text), low, high, rule.min_words, most, removes, list(literals))
        if matches is not None:
            return _span_findings(rule, text, matches, timeout)
    candidates: list[tuple[int, int, int | None, int | None, str | None]] = []
    for start, end, _, words, folded, table_row in short_lines(text):
        if start < low or words > most or words < rule.min_words or (table_row and removes):
            continue  # the cheap test first: a rule for short lines skips prose; a table is content
        if end > high:
            break
        if literals and not any(literal in folded for literal in literals):
            continue  # C-speed substring tests instead of a search
        candidates.append((start, end, None, None, None))  # no match span: searched in _span_findings
    return _span_findings(rule, text, candidates, timeout)


def native_removal_pattern(rule: Rule) -> Any | None:
    """The native core's form of a line or block rule's pattern (searched in one line or paragraph
    at a time), or None: Python runs it."""
    replacement = None if rule.action == "remove" else rule.replacement
    return native_pattern(rule.pattern, replacement, lines=True, backtracking=BACKTRACK_ALWAYS)


def _span_findings(
    rule: Rule,
    text: str,
    matches: list[tuple[int, int, int | None, int | None, str | None]],
    timeout: float | None,
) -> Replacements:
    """The replacements of the lines (or blocks) the native core matched, and of those without a
    match span (left to Python by the core, or all lines on the Python engine), which are searched
    here (see :func:`find_line_matches` and :func:`find_block_matches`)."""
    found: Replacements = []
    removes = rule.action == "remove"
    for line_start, line_end, start, end, new in matches:
        line = text[line_start:line_end]
        if start is None:
            # pos, endpos, concurrent, partial, timeout by position: regex parses
            # keywords at about 1 µs a call, as long as searching a short line takes.
            match = rule.compiled.search(line, None, None, None, False, timeout)
            if match is None:
                continue
            start, end = line_start + match.start(), line_start + match.end()
            new = None if removes else match.expand(rule.replacement)
        if rule.guards and _guarded(rule, line, timeout):
            continue
        if removes:
            found.append((*line_removal_span(text, line_start, line_end), ""))
        else:
            found.append((start, end, new))
    return _without_overlaps(found)


@last_text  # the rules of a pass read the same text one after the other
def short_lines(text: str) -> tuple[tuple[int, int, str, int, str, bool], ...]:
    """``(start, end, line, words, casefolded line, table row)`` for every non-blank line of at most
    :data:`LINE_MAX_CHARS` characters.

    The casefolded line is made once per text for every rule's test of its trigger's literals.
    A table row is a line with two or more ``|`` or tabs, right above or below
    a line with as many: "Feature | Score | Comments" heads a table, which is
    content, however much it looks like a menu on its own.
    """
    lines = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if len(line) <= LINE_MAX_CHARS and not line.isspace() and line:
            lines.append((start, end, line, len(line.split()), fold(line), False))
        start = end + 1
    cells = [max(line.count("|"), line.count("\t")) for _, _, line, _, _, _ in lines]
    for index in range(1, len(lines)):
        if cells[index] >= 2 and cells[index] == cells[index - 1] and lines[index - 1][1] + 1 == lines[index][0]:
            lines[index - 1] = (*lines[index - 1][:5], True)
            lines[index] = (*lines[index][:5], True)
    return tuple(lines)


def find_block_matches(
    rule: Rule, text: str, low: int, high: int, timeout: float | None, *, literals: tuple[str, ...] = ()
) -> Replacements:
    """Replacements for every block in ``text[low:high]`` that ``rule`` fires on (``literals``: as for lines)."""
    pattern = rule.compiled
    removes = rule.action == "remove"
    core = native_removal_pattern(rule)
    if core is not None:
        matches = core.blocks(native_text(text), low, high, rule.min_words, rule.max_words, list(literals))
        if matches is not None:
            return _span_findings(rule, text, matches, timeout)
    blocks = block_spans(text)
    found: Replacements = []
    for index, (start, end) in enumerate(blocks):
        if start < low or end > high:
            continue
        block = text[start:end]
        if not _fits(rule, block) or (literals and not _has_any(block, literals)):
            continue  # word counts and substrings first: both cost less than a search
        first = core.first(block) if core is not None else None
        if first is not None:
            if not first or _guarded(rule, block, timeout):
                continue
            match_start, match_end, new = first[0]
        else:
            match = pattern.search(block, None, None, None, False, timeout)  # by position, see above
            if match is None or _guarded(rule, block, timeout):
                continue
            match_start, match_end = match.span()
            new = "" if removes else match.expand(rule.replacement)
        if removes:
            found.append((*block_removal_span(text, blocks, index), ""))
        else:
            found.append((start + match_start, start + match_end, new))
    return _without_overlaps(found)


def find_repeats(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> Replacements:
    """Removals of blocks that repeat an earlier block of ``text[low:high]`` (a title or standfirst).

    Blocks are compared by their words, case-folded, so quote styles and
    punctuation do not hide a repeat; blocks of fewer than ``min_words`` words
    are never treated as repeats. The first copy stays.
    """
    if "\n" not in text.strip():
        return []  # one line: nothing to repeat
    on_core = repeat_removals(text, low, high, max(rule.min_words, 1), REPEAT_MAX_CHARS)
    if on_core is not None:
        return _without_overlaps([(*line_removal_span(text, start, end), "") for start, end in on_core])
    # A title or standfirst is short: longer blocks are neither originals nor
    # repeats, and are never split into words (a 20 MB paragraph would be).
    blocks = [(start, end) for start, end in block_spans(text) if end - start <= REPEAT_MAX_CHARS]
    # Only a block about as long as an original, and starting with the same
    # word, can repeat it: the others are never split into words.
    originals = [(start, end) for start, end in blocks if start >= low and end <= high]
    lengths = [end - start for start, end in originals]
    first_words = {_first_word(text, start, end) for start, end in originals}
    compared: list[tuple[int, int, str, str]] = []  # (start, end, casefolded block, its first word)
    for start, end in blocks:
        original = start >= low and end <= high
        if not original and (
            not any(length // 2 <= end - start <= 2 * length for length in lengths)
            or _first_word(text, start, end) not in first_words
        ):
            continue
        folded = text[start:end].casefold()
        first = _WORD.search(folded)
        compared.append((start, end, folded, first.group() if first else ""))
    # Blocks of equal words have the same first word: a block whose first word no
    # other block has is never split into words (most blocks, and most texts).
    first_counts = Counter(first for _, _, _, first in compared)
    seen: set[tuple[str, ...]] = set()
    found: Replacements = []
    for start, end, folded, first in compared:
        if first_counts[first] < 2:
            continue
        words = tuple(_WORD.findall(folded))
        if len(words) < max(rule.min_words, 1):
            continue
        if words in seen:
            found.append((*line_removal_span(text, start, end), ""))
        elif start >= low and end <= high:
            seen.add(words)
    return _without_overlaps(found)


OFFTOPIC_MAX_WORDS = 10
"""An off-topic rule without ``max_words`` judges blocks of at most this many words."""

OFFTOPIC_SECTION_HEADINGS = 3
"""A text with this many lone heading-shaped lines between paragraphs is divided
into sections: the off-topic rules judge only its head and tail lines and
runs of two or more lines there (0: judge every run)."""

OFFTOPIC_RUN_MAX_BLOCKS = 3
"""An off-topic rule judges runs of at most this many short blocks; a longer run
of short lines is a list or a table (results, ingredients, tour dates)."""

OFFTOPIC_CONTEXT_MIN_WORDS = 150
"""An off-topic rule fires only where the paragraphs around the short blocks
hold at least this many words: a short text has too few words to tell."""

OFFTOPIC_SEARCHED_BLOCKS = 16
"""Up to this many short blocks to judge, each one's words are searched for in
the rest of the text; past it, the text is split into words once (a search per
block would grow with the square of a long document's length)."""

OFFTOPIC_SHORT_CHARS_PER_WORD = 12
"""A block longer than ``max_words`` times this many characters is never short
(the cheap test that spares splitting long paragraphs into words)."""

_WORDS_OF_THREE = regex.compile(r"\p{L}{3,}")  # runs of letters, three or more: the only words a topic counts
_FIRST_FIVE = itemgetter(slice(0, 5))

FUNCTION_WORDS = frozenset(
    """a about after all also an and any are as at be been before being but by can could did do does for from
    get got had has have he her here his how i if in into is it its just may me more most my new no not of on
    one or our out over she so than that the their them then there these they this those to two up us was we
    were what when where which who why will with would you your""".split()  # noqa: SIM905 (a list of 88 words)
)
"""Words that say nothing about what an article is about; they never count as shared."""


TOPIC_CHUNK_CHARS = 1 << 20
"""Long paragraphs are split into words a chunk at a time, so memory stays bounded."""


def _topic_keys(text: str, start: int, end: int) -> set[str]:
    """The content words of ``text[start:end]``, each by its first five letters."""
    keys: set[str] = set()
    while start < end:
        stop = min(end, start + TOPIC_CHUNK_CHARS)
        if stop < end:  # cut at a space, so no word is split in two
            space = text.rfind(" ", start, stop)
            stop = space + 1 if space > start else stop
        # Five letters stand in for a stem: "prisons" and "prison", "charging"
        # and "charger" are the same topic.
        words = _WORDS_OF_THREE.findall(text[start:stop].lower())
        keys.update(map(_FIRST_FIVE, filterfalse(FUNCTION_WORDS.__contains__, words)))
        start = stop
    return keys


def find_offtopic(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> Replacements:
    r"""Removals of short blocks in ``text[low:high]`` that share no content word with the rest of the text.

    A short block (at most ``max_words`` words, at least ``min_words``) that
    stands alone or in a run of at most :data:`OFFTOPIC_RUN_MAX_BLOCKS` short
    blocks between paragraphs, whose ``pattern`` matches, and none of whose
    content words (function words aside, compared by their first five
    letters) occurs anywhere outside its run, is furniture of the page: a menu
    item, a teaser for another story, a call to action. A subheading shares
    words with the paragraphs it heads, so it stays. Nor is a run judged that
    holds a line ending with a comma or a colon (see :func:`_leads_in`), nor,
    in a text with :data:`OFFTOPIC_SECTION_HEADINGS` or more lone
    heading-shaped lines between paragraphs, such a lone line: those are the
    text's section headings, which share no word with it as often as not.

    Nothing is split into words unless there is a run to judge. A few short
    blocks are judged by searching their words in the text on either side of
    their run; many are judged by splitting the whole text into words once.
    The two ways agree but for rare spellings: a word such as "theirs" whose
    first five letters are a function word, letters that ``str.isalpha``,
    ``\w`` and ``\p{L}`` disagree on, and characters whose lower case and
    case-insensitive match differ.
    """
    if len(text) < 2 * OFFTOPIC_CONTEXT_MIN_WORDS:
        return []  # too short to hold the words of context the rule asks for (a word and a space each)
    most = rule.max_words or OFFTOPIC_MAX_WORDS
    on_core = _offtopic_on_core(rule, text, low, high, most)
    if on_core is not None:
        return on_core
    blocks = block_spans(text)
    short = [
        end - start <= most * OFFTOPIC_SHORT_CHARS_PER_WORD and len(text[start:end].split()) <= most
        for start, end in blocks
    ]
    runs: list[tuple[int, int]] = []
    index = 0
    while index < len(blocks):
        if not short[index]:
            index += 1
            continue
        first = index
        while index < len(blocks) and short[index]:
            index += 1
        if index - first <= OFFTOPIC_RUN_MAX_BLOCKS and not _leads_in(text, blocks[first:index]):
            runs.append((first, index))
    candidates = [
        (first, last, index)
        for first, last in runs
        for index in range(first, last)
        if blocks[index][0] >= low and blocks[index][1] <= high and _judged(rule, text[slice(*blocks[index])], timeout)
    ]
    if not candidates or not _enough_context(text, blocks, short):
        return []
    # Lone lines between paragraphs, several of them through the body, are the
    # article's own section headings, which share no word with it as often as
    # not ("A rocky start", "Worth the wait"): guarded ones count too.
    lone = [first for first, last in runs if last - first == 1 and 0 < first < len(blocks) - 1]
    if OFFTOPIC_SECTION_HEADINGS and len(lone) >= OFFTOPIC_SECTION_HEADINGS:
        shaped = [first for first in lone if _judged(rule, text[slice(*blocks[first])], timeout, guarded=False)]
        if len(shaped) >= OFFTOPIC_SECTION_HEADINGS:
            headings = set(lone)
            candidates = [(first, last, index) for first, last, index in candidates if first not in headings]
            if not candidates:
                return []
    if len(candidates) <= OFFTOPIC_SEARCHED_BLOCKS:
        found = [
            (*block_removal_span(text, blocks, index), "")
            for first, last, index in candidates
            if _unshared(text, _topic_keys(text, *blocks[index]), blocks[first][0], blocks[last - 1][1])
        ]
        return _without_overlaps(found)
    found = [
        (*block_removal_span(text, blocks, index), "")
        for (_, _, index), unshared in zip(candidates, split_verdicts(text, blocks, short, candidates), strict=True)
        if unshared
    ]
    return _without_overlaps(found)


def _offtopic_on_core(rule: Rule, text: str, low: int, high: int, most: int) -> Replacements | None:
    """:func:`find_offtopic`'s removals judged on the core, or None where Python judges: no core, a
    pattern of the rule's that the core does not run, or a text the core leaves to Python (one
    whose words outside ASCII Python reads otherwise than the core's tables, as with a capital
    sigma; one whose words are ASCII, with more candidates than :data:`OFFTOPIC_SEARCHED_BLOCKS`;
    one of more than :data:`TOPIC_CHUNK_CHARS` with words outside ASCII and at most that many
    candidates, whose words Python searches with ``re``)."""
    shape = native_span_pattern(rule.pattern)
    guards = [native_span_pattern(guard.pattern) for guard in rule.guards]
    if shape is None or any(guard is None for guard in guards):
        return None
    removals = offtopic_removals(shape, guards, text, low, high, rule.min_words, most)
    return None if removals is None else [(start, end, "") for start, end in removals]


def split_verdicts(
    text: str, blocks: list[tuple[int, int]], short: list[bool], candidates: list[tuple[int, int, int]]
) -> list[bool]:
    """Per off-topic candidate ``(first, last, index)`` (block ``index``, in the run of short
    blocks ``first..last``), whether it has a content word and shares none with the blocks
    outside its run: the whole text split into words once, on the core where it is built."""
    reader = native_topic_words()
    verdicts: list[bool] | None = reader.unshared(text, len(blocks), candidates) if reader is not None else None
    return verdicts if verdicts is not None else python_split_verdicts(text, blocks, short, candidates)


def python_split_verdicts(
    text: str, blocks: list[tuple[int, int]], short: list[bool], candidates: list[tuple[int, int, int]]
) -> list[bool]:
    """:func:`split_verdicts` in Python, the core's reference."""
    block_keys: dict[int, set[str]] = {}
    blocks_with: Counter[str] = Counter()  # how many blocks each key occurs in
    for index, (start, end) in enumerate(blocks):
        keys = _topic_keys(text, start, end)
        if short[index]:
            block_keys[index] = keys
        blocks_with.update(keys)
    verdicts = []
    for first, last, index in candidates:
        keys = block_keys[index]
        in_run = [block_keys[other] for other in range(first, last)]
        # A word the run's own lines share ("Shop sofas", "Shop lamps") is still off topic.
        verdicts.append(bool(keys) and all(blocks_with[key] == sum(key in other for other in in_run) for key in keys))
    return verdicts


def _leads_in(text: str, run: list[tuple[int, int]]) -> bool:
    """Whether a line of the run ends with a comma or a colon.

    Such a line opens the next one ("With warm wishes," over a name, "Dear
    parents,", "Opening hours:" over the hours), so the run is the text's own:
    a letter's greeting or closing, a label and its value.
    """
    return any(text[start:end].rstrip().endswith((",", ":")) for start, end in run)


def _unshared(text: str, keys: set[str], start: int, end: int) -> bool:
    """Whether no word of ``text`` outside ``[start, end)`` starts with one of ``keys`` (any case).

    A key of five letters stands for every word it starts; a shorter one is a
    whole word. A text of up to a million characters is lowered once and each
    key found with ``str.find``; a longer one (or one whose lower case is not
    as long) is searched with one pattern, without a copy.
    """
    if not keys:
        return False
    lowered = _lowered(text) if len(text) <= CACHED_MAX_CHARS else None
    if lowered is None or len(lowered) != len(text):
        words = "|".join(re.escape(key) + ("" if len(key) == 5 else r"(?![^\W\d_])") for key in sorted(keys))
        pattern = re.compile(r"(?<![^\W\d_])(?:" + words + ")", re.IGNORECASE)
        return pattern.search(text, 0, start) is None and pattern.search(text, end) is None
    for key in keys:
        position = lowered.find(key)
        while position >= 0:
            after = position + len(key)
            if (
                (after <= start or position >= end)
                and not (position and lowered[position - 1].isalpha())
                and (len(key) == 5 or after == len(lowered) or not lowered[after].isalpha())
            ):
                return False
            position = lowered.find(key, position + 1)
    return True


@last_text  # the off-topic rule looks up several lines' words in the same text
def _lowered(text: str) -> str:
    return text.lower()


def _judged(rule: Rule, block: str, timeout: float | None, *, guarded: bool = True) -> bool:
    """Whether a short block has the words and the shape (``pattern``) the rule judges.

    Only one-line blocks are judged: short lines under one another are a list
    (ingredients, results), which is content whatever its words. A block one
    of the rule's guards finds is not judged (``guarded=False``: whatever the guards say).
    """
    return (
        "\n" not in block
        and len(block.split()) >= rule.min_words
        and found_in(rule.pattern, rule.compiled, block, timeout)
        and not (guarded and _guarded(rule, block, timeout))
    )


def _enough_context(text: str, blocks: list[tuple[int, int]], short: list[bool]) -> bool:
    words = 0
    for index, (start, end) in enumerate(blocks):
        if not short[index]:
            # Enough characters to hold the words still needed; a long paragraph is never split whole.
            words += len(text[start : min(end, start + 20 * OFFTOPIC_CONTEXT_MIN_WORDS)].split())
            if words >= OFFTOPIC_CONTEXT_MIN_WORDS:
                return True
    return False


def _guarded(rule: Rule, span: str, timeout: float | None) -> bool:
    """Whether one of the rule's guards (``unless``) finds something in the line or block it matched."""
    return any(found_in(guard.pattern, guard.compiled, span, timeout) for guard in rule.guards)


def _has_any(span: str, words: tuple[str, ...]) -> bool:
    """Whether ``span`` holds one of the (casefolded) ``words``, in any case."""
    folded = fold(span)
    return any(word in folded for word in words)


def _first_word(text: str, start: int, end: int) -> str:
    match = _WORD.search(text, start, end)
    return match.group().casefold() if match else ""


def _fits(rule: Rule, span: str) -> bool:
    """Whether a line or block has the number of words the rule allows."""
    if not (rule.min_words or rule.max_words):
        return True
    # Splitting stops one word past the limit: a long paragraph is not split whole.
    count = len(span.split(None, rule.max_words) if rule.max_words else span.split())
    return count >= rule.min_words and (not rule.max_words or count <= rule.max_words)


def _without_overlaps(found: list[Any]) -> list[Any]:
    # Two removals can claim the same line break (a last line and the one before
    # it); the later one then gives its claim up. Items are (start, end, new, ...).
    result: list[Any] = []
    for start, end, *rest in found:
        if result and start < result[-1][1]:
            start = result[-1][1]
            if start > end:
                continue
        result.append((start, end, *rest))
    return result


def at_most_words(line: str, count: int) -> bool:
    """Whether ``line`` has at most ``count`` words (without splitting all of a long line)."""
    return len(line.split(None, count)) <= count


Detailed = list[tuple[int, int, str, tuple[tuple[str, Any], ...]]]
"""Replacements, each with what the finder found about it (an edit's ``detail``)."""


def find_site_repeats(
    rule: Rule, text: str, low: int, high: int, timeout: float | None, *, counts: dict[str, int], pages: int
) -> Detailed:
    """Removals of the lines of ``text[low:high]`` that a site profile counts on many of the site's pages,
    each with the pages its line is on and the pages counted (``pages``, ``of``).

    ``counts``: pages of the site holding each line (by :func:`cleantext.sites.line_key`);
    ``pages``: pages of the site counted. A line fires when it is on at least
    ``min_pages`` pages and at least ``min_share`` of them, has at most
    ``max_words`` words (when set) and no guard of the rule finds it.
    """
    needed = max(rule.min_pages, math.ceil(rule.min_share * pages - 1e-9))
    if pages < needed:
        return []
    found = []
    for start, end in line_spans(text, low, high):
        line = text[start:end]
        if not rule.max_words or at_most_words(line, rule.max_words):
            pages_on = counts.get(line_key(line) or "", 0)
            if pages_on >= needed and not _guarded(rule, line, timeout):
                found.append((*line_removal_span(text, start, end), "", (("pages", pages_on), ("of", pages))))
    return _without_overlaps(found)


def find_scored_lines(
    rule: Rule, text: str, low: int, high: int, timeout: float | None, *, scorer: LineScorer
) -> Detailed:
    """Removals of the lines of ``text[low:high]`` that a line scorer rates as furniture, each with its
    ``score``.

    Every non-blank line of the text is context (its neighbours, its place,
    the words the rest of the text uses); a line is judged when it lies in the
    region and has at most ``max_words`` words, and fires when its score
    reaches the rule's ``threshold`` (0: the model's own) and no guard of the
    rule finds it.
    """
    threshold = rule.threshold or scorer.threshold
    spans = line_spans(text)
    lines = [text[start:end] for start, end in spans]
    judged = [
        index
        for index, (start, end) in enumerate(spans)
        if low <= start and end <= high and at_most_words(lines[index], rule.max_words)
    ]
    found = []
    for index, score in zip(judged, scorer.scores(lines, judged), strict=True):
        if score >= threshold and not _guarded(rule, lines[index], timeout):
            found.append((*line_removal_span(text, *spans[index]), "", (("score", round(score, 4)),)))
    return _without_overlaps(found)
