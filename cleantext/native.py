"""The engine: the native core (``cleantext._native``, Rust) where it was built, else the Python reference.

The native core runs the plan's pre-pass (:func:`scanner`) and locates the
text extracted from an HTML page in the page (:func:`locate_natively`). This
module is its Python face; the pure-Python reference of each (here
:class:`PythonScanner`, and :func:`cleantext.extract.locate_text`'s own
code) stays, and a differential test holds the core to it
(``tests/test_native.py``). Which engine runs is decided
once, at import:

- ``CLEANTEXT_ENGINE=python`` runs the Python reference even where the core is built;
- ``CLEANTEXT_ENGINE=native`` makes a missing core an error;
- unset (or ``auto``): the core where it was built, else the Python engine.

``cleantext config`` and ``cleantext --version`` say which engine is active.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache, partial
from operator import methodcaller
from typing import Any, Protocol

import ahocorasick

from cleantext.cache import persisted
from cleantext.errors import CleantextError
from cleantext.memo import last_text
from cleantext.translate import (
    SHARED_CANDIDATES,
    Untranslatable,
    class_ranges,
    leading_guards,
    merged_ranges,
    translate,
    translate_template,
)
from cleantext.triggers import fold, scanned_form

__all__ = [
    "BACKTRACK_ALWAYS",
    "BACKTRACK_NEVER",
    "BACKTRACK_PLAIN_START",
    "CASE_DISPUTED",
    "ENGINE",
    "ENTITY",
    "GAP",
    "MARKUP",
    "NATIVE_VERSION",
    "Check",
    "PythonScanner",
    "Scanner",
    "edit_log",
    "engine_summary",
    "found_in",
    "locate_natively",
    "native_block_spans",
    "native_charmap",
    "native_pattern",
    "native_prefilter",
    "native_span_pattern",
    "native_text",
    "native_topic_words",
    "offtopic_removals",
    "pattern_set",
    "prepare_steps",
    "quiet",
    "repeat_removals",
    "scanner",
    "screens",
]


class Scanner(Protocol):
    """Which of a fixed list of literals a text contains."""

    def scan(self, text: str) -> list[int]:
        """The numbers (positions in the list) of the literals ``text`` contains, each once."""
        ...

    def scan_folding(self, text: str, ends: bool = False) -> list[int] | None:
        """What :meth:`scan` answers for the case folding of ``text`` (``ends``: between
        :data:`~cleantext.triggers.TEXT_START` and :data:`~cleantext.triggers.TEXT_END`); None when
        the caller must fold it."""
        ...


WEAK_LENGTH = 2
"""An ASCII literal this short with a letter, digit or space in it ("by", "in", "- "), or an ASCII
punctuation mark ("-", "."), is in most texts: the automaton would report it hundreds of times.
Such literals are looked for with one substring search each instead."""


def _weak(literal: str) -> bool:
    return literal.isascii() and (
        (len(literal) == 1 and literal.isprintable())  # a control character is rare: the character class finds it
        or (len(literal) <= WEAK_LENGTH and any(c.isalnum() or c.isspace() for c in literal))
    )


class PythonScanner:
    """The reference scanner: pyahocorasick for literals of two characters or more, one character
    class for single characters, and a substring search for each short, common literal.

    >>> PythonScanner(["by", "newsletter", "©"]).scan("Sign up to our newsletter © 2026")
    [2, 1]
    """

    __slots__ = ("automaton", "characters", "numbers", "weak")

    def __init__(self, literals: Sequence[str]) -> None:
        if len(set(literals)) != len(literals) or not all(literals):
            raise ValueError("literals must be distinct, non-empty strings")
        self.numbers = {literal: number for number, literal in enumerate(literals)}
        self.weak = tuple((literal, number) for number, literal in enumerate(literals) if _weak(literal))
        words = [literal for literal in literals if len(literal) > 1 and not _weak(literal)]
        characters = [literal for literal in literals if len(literal) == 1 and not _weak(literal)]
        self.automaton: ahocorasick.Automaton | None = None
        if words:
            self.automaton = ahocorasick.Automaton()
            for word in words:
                self.automaton.add_word(word, self.numbers[word])
            self.automaton.make_automaton()
        self.characters = re.compile("[" + "".join(map(re.escape, characters)) + "]") if characters else None

    def scan_folding(self, text: str, ends: bool = False) -> list[int]:
        """What :meth:`scan` answers for the case folding of ``text`` (:func:`cleantext.triggers.fold`)."""
        return self.scan(scanned_form(text, ends=ends))

    def scan(self, text: str) -> list[int]:
        """The numbers of the literals ``text`` contains, each once."""
        found = dict.fromkeys(number for literal, number in self.weak if literal in text)
        if self.characters is not None:
            found.update(dict.fromkeys(self.numbers[character] for character in set(self.characters.findall(text))))
        if self.automaton is not None:
            found.update(dict.fromkeys(number for _, number in self.automaton.iter(text)))
        return list(found)


def _load_native() -> Any:
    choice = os.environ.get("CLEANTEXT_ENGINE", "auto")
    if choice not in ("auto", "native", "python"):
        raise CleantextError(f"CLEANTEXT_ENGINE must be auto, native or python, not {choice!r}")
    if choice == "python":
        return None
    try:
        from cleantext import _native  # type: ignore[attr-defined]
    except ImportError as error:
        if choice == "native":
            raise CleantextError(
                f"CLEANTEXT_ENGINE=native, but the native core is not built ({error}); "
                "install with a Rust toolchain present (see the README)"
            ) from None
        return None
    return _native


_NATIVE = _load_native()

ENGINE = "native" if _NATIVE is not None else "python"
"""``native`` when the Rust core runs the plan's pre-pass and locates extracted text in its page,
``python`` when the reference does."""

NATIVE_VERSION: str | None = _NATIVE.version() if _NATIVE is not None else None


def edit_log() -> Any | None:
    """The core's edit log (``EditLog``), which holds a document's edits and composes a pass with
    them (:meth:`cleantext.document.Document.apply_tagged`), or None on the Python engine."""
    return None if _NATIVE is None else _NATIVE.EditLog


def scanner(literals: Sequence[str]) -> Scanner:
    """A scanner of ``literals`` on the active engine."""
    if _NATIVE is not None:
        _set_fold_table()
        return _NATIVE.LiteralScanner(list(literals))
    return PythonScanner(literals)


def clause_table(literals: Sequence[str], clauses_of: Sequence[Sequence[int]]) -> Any | None:
    """The core's table of ``literals`` and the numbers of the clauses each is in, whose ``tally()``
    counts a document's presence (see :class:`cleantext.plan.Presence`); None without the core."""
    if _NATIVE is None:
        return None
    return _NATIVE.ClauseTable(list(literals), [list(clauses) for clauses in clauses_of])


@lru_cache(maxsize=1)
def _set_fold_table() -> None:
    """Tell the core, once, how :func:`cleantext.triggers.fold` folds each character below U+20000.

    The folding is made character by character (no context), so a block whose
    folding is itself folds each of its characters to itself; only the others
    are listed (about 1,500 characters, found in about 10 milliseconds). Text with a
    character past those two planes is folded by Python.
    """
    assert _NATIVE is not None
    changed = []
    for block in range(0, 0x20000, 256):
        if 0xD800 <= block < 0xE000:
            continue  # surrogates: the core reads no text that holds one
        characters = "".join(map(chr, range(block, block + 256)))
        if fold(characters) != characters:
            changed.extend((character, image) for character in characters if (image := fold(character)) != character)
    _NATIVE.set_fold_table(changed)


Located = list[tuple[int, int, str, int]]
"""Replacements that turn a page into the text extracted from it: ``(start, end, new, kind)``, kind
:data:`GAP` (the text between two located words), :data:`MARKUP` (inside a word) or :data:`ENTITY`."""

GAP, MARKUP, ENTITY = 0, 1, 2


def _word_character(character: str) -> bool:
    # What ``re`` calls a word character in a str pattern (``\b``, ``\w``).
    return character.isalnum() or character == "_"


def locate_natively(page: str, extracted: str) -> Located | None:
    """The native core's :func:`cleantext.extract.locate_text` replacements; None without the core
    (or for text with a lone surrogate, which only the Python engine reads)."""
    if _NATIVE is None:
        return None
    result: Located | None = _NATIVE.locate(page, extracted, html.unescape, _word_character)
    return result


CASE_DISPUTED = ((0x130, 0x131),)
"""Characters ``regex`` matches case-insensitively where the core does not: "İ" and "ı" (it
also pairs them with "i" and "I"). ``tests/test_native.py`` checks every cased character."""

SHARED_DIFFERENCE_LIMIT = 50_000
"""A class escape runs on the crate's own table when it differs from ``regex``'s in at most this
many characters (those one Unicode version has and the other's not yet), which the core then
leaves to Python; else its ranges are spelled out in every pattern."""


def _set_tables() -> None:
    """Tell the core, once, which characters it reads otherwise than ``regex``, and ``regex``'s ``\\w``.

    Those are :data:`CASE_DISPUTED` and the characters where the crate's table
    of a shared class escape (:data:`cleantext.translate.SHARED_CANDIDATES`)
    is not ``regex``'s; a text holding one is left to the Python engine.
    """
    global _SHARED
    if _SHARED is not None or _NATIVE is None:
        return
    disputed: list[tuple[int, int]] = list(CASE_DISPUTED)
    shared = []
    for escape in SHARED_CANDIDATES:
        difference = _symmetric_difference(class_ranges(escape), _NATIVE.crate_class_ranges(escape))
        if sum(end - start + 1 for start, end in difference) <= SHARED_DIFFERENCE_LIMIT:
            disputed.extend(difference)
            shared.append(escape)
    folds_to_ascii, fold_images = _folding()
    _NATIVE.set_reading_tables(list(merged_ranges(disputed)), list(class_ranges(r"\w")), folds_to_ascii, fold_images)
    _SHARED = frozenset(shared)


@persisted
def _folding() -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """What the core needs to tell, from a line's ASCII lower case, whether its case folding (as
    :func:`cleantext.triggers.fold` has it) may hold a literal: the non-ASCII characters whose
    folding holds an ASCII one ("ß" to "ss", "K" to "k", "ı" to "i"), and the non-ASCII
    characters the folding of another character holds ("é" of "É")."""
    changing = [
        chr(point)
        for start, end in class_ranges(r"\p{Changes_When_Casefolded}")
        for point in range(max(start, 0x80), end + 1)
    ] + ["\u0131"]
    to_ascii = [ord(character) for character in changing if any(c.isascii() for c in fold(character))]
    images = {ord(c) for character in changing for c in fold(character) if not c.isascii() and c != character}
    return [*merged_ranges((point, point) for point in to_ascii)], [*merged_ranges((point, point) for point in images)]


_SHARED: frozenset[str] | None = None


def _symmetric_difference(first: Sequence[tuple[int, int]], second: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The code points in exactly one of two lists of inclusive ranges, as ranges."""
    events = sorted(
        [(start, 1, side) for side, ranges in enumerate((first, second)) for start, _ in ranges]
        + [(end + 1, -1, side) for side, ranges in enumerate((first, second)) for _, end in ranges]
    )
    inside = [0, 0]
    result: list[tuple[int, int]] = []
    open_at: int | None = None
    for index, (point, change, side) in enumerate(events):
        inside[side] += change
        if index + 1 < len(events) and events[index + 1][0] == point:
            continue  # every change at one point first
        differs = (inside[0] > 0) != (inside[1] > 0)
        if differs and open_at is None:
            open_at = point
        elif not differs and open_at is not None:
            result.append((open_at, point - 1))
            open_at = None
    return result


BACKTRACK_NEVER, BACKTRACK_PLAIN_START, BACKTRACK_ALWAYS = "never", "plain start", "always"
"""Which patterns that need a backtracking search (look-arounds) the core's backtracking engine
runs: none; those that start plainly (:attr:`cleantext.translate.Translation.starts_plainly`,
which it finds quickly in a whole text); all (for lines and paragraphs, which are short)."""


def native_pattern(
    pattern: str, replacement: str | None = None, *, lines: bool = False, backtracking: str = BACKTRACK_NEVER
) -> Any | None:
    """The core's compiled form of a rule's ``pattern`` (with its ``replacement`` template), or None
    when the Python engine runs it: no core, or a pattern :mod:`cleantext.translate` cannot carry over.

    ``lines``: the pattern searches one line or paragraph at a time (a line or
    block rule). ``backtracking``: which patterns that need a backtracking
    search run on the core (see :data:`BACKTRACK_ALWAYS`); the others run on Python.
    """
    if _NATIVE is None:
        return None
    return _compiled(pattern, replacement, lines, backtracking)


@lru_cache(maxsize=4096)
def _compiled(pattern: str, replacement: str | None, lines: bool, backtracking: str) -> Any | None:
    try:
        _set_tables()
        shared = _SHARED or frozenset()
        # \b is the automata's fast, ASCII one (a text with non-ASCII word characters is Python's).
        translation = translate(
            pattern, lines=lines, native_boundaries=True, ascii_boundaries=True, shared_classes=shared
        )
        # In a whole text, the backtracking engine is tried only where the relaxed form finds a
        # place a match may start (or, starting plainly, where its own search goes quickly).
        allowed = backtracking == BACKTRACK_ALWAYS or (
            backtracking == BACKTRACK_PLAIN_START
            and (translation.starts_plainly or (translation.backtracks and native_prefilter(pattern) is not None))
        )
        if translation.prefers_python or (translation.backtracks and not allowed):
            return None
        if not lines and _may_be_empty(pattern):
            # After an empty match, finditer tries the same place again for a longer one, which
            # neither crate can be asked for: a whole-text pattern that may match nothing, or
            # more, is Python's.
            return None
        prefilter = guarded = None
        if translation.backtracks:
            # fancy-regex has no ASCII \b; its Unicode one is the same on the texts the core reads.
            translation = translate(pattern, lines=lines, native_boundaries=True, shared_classes=shared)
            # Its relaxed form, on the automata, spares the backtracking search where it finds nothing.
            prefilter = _relaxed_form(pattern, lines)
            # A line or block pattern of look-aheads after ^ and a plain rest runs on the automata
            # where a line has no word character outside ASCII.
            leading = leading_guards(pattern, shared_classes=shared) if lines else None
            if leading is not None and leading.groups == translation.groups:
                guarded = (list(leading.guards), leading.rest, leading.rest_boundaries)
        template = None if replacement is None else list(translate_template(replacement, translation.groups))
        # Where the automata's ASCII \b is not exact (a text, line or block with word characters
        # outside ASCII), the core searches the pattern's form with Unicode ones, translated when
        # first needed: in a whole text, only where the relaxed form below finds a match starting.
        unicode_boundaries = (
            partial(_unicode_boundaries, pattern, shared, lines)
            if translation.boundaries and not translation.backtracks
            else None
        )
        # In a whole text with such word characters, the pattern relaxed (no word boundaries nor
        # look-arounds) tells where a match may start, and where it surely finds nothing.
        unbounded = (
            _relaxed_form(pattern, lines)
            if not lines and translation.boundaries and not translation.backtracks
            else None
        )
        try:
            return _NATIVE.Pattern(
                translation.pattern,
                template,
                translation.boundaries,
                translation.before,
                translation.backtracks,
                prefilter,
                unicode_boundaries=unicode_boundaries,
                unbounded=unbounded,
                guarded=guarded,
            )
        except ValueError:
            if not lines:
                raise
            # Its automaton is too large (counted repetitions of large classes): the relaxed
            # form, which has no upper bounds, finds the lines and paragraphs Python then judges.
            relaxed = _relaxed_form(pattern, lines)
            return None if relaxed is None else _NATIVE.Pattern(relaxed, candidates=True)
    except (Untranslatable, ValueError):
        return None


def prepare_steps(steps: Iterable[Any], threads: int) -> None:
    """Build what the core needs for each step (its :meth:`~cleantext.steps.Step.prepare`) on
    ``threads`` threads: the core builds a pattern's automata without the interpreter's lock, so
    one thread translates a pattern while others build theirs. Without the core, nothing."""
    if _NATIVE is None:
        return
    _set_tables()  # once, before the threads: each pattern reads them
    with ThreadPoolExecutor(max_workers=max(threads, 1)) as pool:
        for _ in pool.map(methodcaller("prepare"), steps):
            pass


def native_span_pattern(pattern: str) -> Any | None:
    """The core's form of ``pattern`` for :func:`found_in` (searched in one line or paragraph, no
    replacement), or None: Python searches it."""
    return native_pattern(pattern, lines=True, backtracking=BACKTRACK_ALWAYS)


def found_in(pattern: str, compiled: Any, span: str, timeout: float | None) -> bool:
    """Whether ``pattern`` (``compiled`` on Python) matches somewhere in one line or paragraph:
    the core's answer where it gives one, else Python's (under ``timeout``)."""
    core = native_span_pattern(pattern)
    if core is not None:
        first = core.first(span)
        if first is not None:
            return bool(first)
    # pos, endpos, concurrent, partial, timeout by position: regex parses keywords at about
    # 1 us a call, as long as searching a short line takes.
    return compiled.search(span, None, None, None, False, timeout) is not None


def _unicode_boundaries(pattern: str, shared: frozenset[str], lines: bool) -> str | None:
    """A pattern translated with Unicode word boundaries (``regex``'s), or None."""
    try:
        return translate(pattern, lines=lines, native_boundaries=True, shared_classes=shared).pattern
    except Untranslatable:
        return None


def _may_be_empty(pattern: str) -> bool:
    """Whether a match of ``pattern`` may be empty and may be longer (judged on its relaxed form,
    which matches more). A pattern that only ever matches nothing (``(?<=[^\\n])\\Z``) is no
    such pattern: there is no longer match to try for after an empty one."""
    relaxed = _relaxed(pattern)
    return relaxed is None or (not relaxed.minimum_length and relaxed.maximum_length != 0)


RELAXED_MINIMUM_BYTES = 2
"""The fewest UTF-8 bytes a match of a relaxed pattern must have for it to serve as a prefilter."""


def native_prefilter(pattern: str) -> Any | None:
    """The core's form of ``pattern`` relaxed (look-arounds dropped: see ``relaxed`` in
    :func:`cleantext.translate.translate`), whose ``starts`` are where ``pattern`` may match;
    None without the core, or where the relaxation still needs Python."""
    if _NATIVE is None:
        return None
    relaxed = _relaxed(pattern)
    # A relaxed pattern that may match nothing, or one ASCII character (" +"), would send the
    # rule to every position or every space: it finds places to try only if it needs two bytes.
    if relaxed is None or (relaxed.minimum_length or 0) < RELAXED_MINIMUM_BYTES:
        return None
    return relaxed


@lru_cache(maxsize=4096)
def _relaxed(pattern: str) -> Any | None:
    """The core's compiled relaxed form of ``pattern`` (searched in a whole text), or None where the
    relaxation still needs Python."""
    try:
        _set_tables()
        relaxed = _relaxed_form(pattern, lines=False)
        return None if relaxed is None else _NATIVE.Pattern(relaxed)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _relaxed_form(pattern: str, lines: bool) -> str | None:
    """``pattern`` relaxed (see ``relaxed`` in :func:`cleantext.translate.translate`) in the core's
    syntax, for a line or paragraph or for a whole text; None where the relaxation still needs
    Python. The reading tables must be set (:func:`_set_tables`)."""
    try:
        translation = translate(
            pattern, lines=lines, native_boundaries=True, shared_classes=_SHARED or frozenset(), relaxed=True
        )
    except Untranslatable:
        return None
    return None if translation.prefers_python or translation.backtracks else translation.pattern


@last_text  # the rules of a pass search the same text one after the other
def native_text(text: str) -> Any:
    """``text`` as the core's finders read it (once for every rule that searches it);
    only called where the core is built."""
    _set_tables()
    return _NATIVE.Text(text)


Check = tuple[str, Any, int, int, bool, tuple[tuple[bool, int, int], ...]]
"""What the core searches to tell that a step finds nothing (see :func:`quiet`): ``(kind, form,
min_words, max_words, skip_table_rows, regions)``, kind ``text`` (a pattern over the whole text),
``lines`` (a line rule's pattern over the lines it judges), ``blocks`` (a block rule's over the
blocks it judges; 0 words: any), ``characters`` (a character map), ``repeats`` (a block of at
most ``max_words`` characters with the same words, at least ``min_words`` of them, as an
earlier one in the regions, as :func:`cleantext.strip.find_repeats` compares them; no form),
``repair`` (a repair rule's gate and ftfy's test for mojibake, as a pair: a line the gate finds
something in, where the test does too) or ``offtopic`` (a short block an off-topic rule judges
that its shape pattern matches: see :func:`cleantext.strip.find_offtopic`); ``regions``: the
rule's ``where`` as ``(head, first, last)`` block ranges (none: anywhere)."""


def quiet(text: str, asked: Sequence[tuple[Check, Sequence[str]]], together: Any | None = None) -> list[int]:
    """The positions in ``asked``, each ``(check, literals)``, of the checks that find nothing in ``text``.

    ``literals`` are what a line or block must hold to be searched, as the
    step's finder is told. ``together``: a :func:`pattern_set` of the forms of
    checks over the whole text, searched in one pass. Without the core, and for
    a text the core leaves to Python, nothing is known to find nothing: ``[]``.
    """
    if _NATIVE is None:
        return []
    found_nothing: list[int] = _NATIVE.quiet(native_text(text), asked, together)
    return found_nothing


def native_screen(checks: dict[int, Check | None]) -> Any | None:
    """The core's screen of a plan (see :meth:`cleantext.plan.Plan.screen`), over the plan's
    ``checks`` by the identity of their step, which it makes (``Step.screen_check``) and keeps
    in them as a step is first asked; None without the core."""
    if _NATIVE is None:
        return None
    return _NATIVE.Screen(checks)


def screened(screen: Any, text: str, selected: list[Any]) -> list[Any]:
    """The entries of ``selected`` (``(index, step, literals)``) less those whose check finds
    nothing in ``text``, by the core's ``screen`` (:func:`native_screen`)."""
    kept: list[Any] = screen.kept(native_text(text), selected)
    return kept


def screen_finds_any(screen: Any, text: str, selected: list[Any]) -> bool:
    """Whether the core's ``screen`` keeps any entry of ``selected`` (see :func:`screened`): it stops
    at the first step without a check, or whose check may find something in ``text``."""
    finds: bool = screen.finds_any(native_text(text), selected)
    return finds


def pattern_set(forms: Sequence[Any]) -> Any | None:
    """The core's forms of whole-text checks (``text`` checks of :func:`quiet`) as one set, searched
    in one pass; None without the core or when the set's automaton would be too large."""
    if _NATIVE is None:
        return None
    try:
        return _NATIVE.PatternSet(list(forms))
    except ValueError:
        return None


def native_run(
    steps: Sequence[tuple[Any, ...]], screen: Any, scanner: Any, compose_callbacks: tuple[Any, Any]
) -> Any | None:
    """The core's run of a list of steps (see :meth:`cleantext.plan.Plan.native_run`), each
    ``(finds, label, rule ref, step, where as block ranges, repeats, gate words for any text, for
    ASCII text)`` (a step whose ``native_finder()`` is None is Python's to evaluate), whose
    whole-text patterns it searches a text for together with the sets of the plan's ``screen``
    (:func:`native_screen`). It applies a pass itself where the document's edits are the core's
    log, as :meth:`cleantext.document.Document.apply_tagged` does (``compose_callbacks``: its
    :data:`cleantext.document.COMPOSE_CALLBACKS`), and counts the literals around the edits with
    the plan's ``scanner`` where the presence remembers no screen check, as
    :meth:`cleantext.plan.Presence.update` does. None without the core."""
    if _NATIVE is None or screen is None:
        return None
    return _NATIVE.Run(list(steps), native_text, screen, (scanner, *compose_callbacks))


def native_stages(stages: Sequence[tuple[Any, ...]], rounds: int, screen_label: str) -> Any | None:
    """The core's run of a pipeline's stages (see :meth:`cleantext.pipeline.Pipeline.run`), each
    ``(is a repair stage, passes, run of its steps, the steps, run of its context steps, those
    steps)`` (a run None for an empty list), in at most ``rounds`` rounds; the screen's time counted
    under ``screen_label``. None without the core."""
    if _NATIVE is None:
        return None
    return _NATIVE.Stages(list(stages), rounds, screen_label)


def screens() -> bool:
    """Whether the core can tell steps that find nothing (:func:`quiet`): it is built and active."""
    return _NATIVE is not None


def native_block_spans(text: str) -> list[tuple[int, int]] | None:
    """The core's :func:`cleantext.segment.block_spans`, or None: no core, or a lone surrogate in ``text``."""
    if _NATIVE is None:
        return None
    spans: list[tuple[int, int]] | None = _NATIVE.block_spans(text)
    return spans


def offtopic_removals(
    shape: Any, guards: Sequence[Any], text: str, low: int, high: int, min_words: int, max_words: int
) -> list[tuple[int, int]] | None:
    """The spans an off-topic rule removes from ``text[low:high]`` (:func:`cleantext.strip.find_offtopic`),
    judged on the core: ``shape`` and ``guards`` are the core's forms of the rule's pattern and of
    its guards' (:func:`native_span_pattern`); None where Python judges the text. A text with
    word characters outside ASCII is read with :func:`native_topic_words` (whose tables are made
    only for such a text: it takes some 50 ms)."""
    read = native_text(text)
    topic = native_topic_words() if read.non_ascii_words else None
    removals: list[tuple[int, int]] | None = _NATIVE.offtopic_removals(
        shape, list(guards), read, low, high, min_words, max_words, topic
    )
    return removals


def repeat_removals(text: str, low: int, high: int, min_words: int, longest: int) -> list[tuple[int, int]] | None:
    """The blocks (``(start, end)``) the repeat rule removes from ``text``, before each is widened to its
    line break (:func:`cleantext.strip.find_repeats`), compared on the core: a block of at most ``longest``
    characters whose words, at least ``min_words``, are those of an earlier block within ``text[low:high]``.
    None where Python compares: no core, or a text with a word character outside ASCII."""
    if _NATIVE is None:
        return None
    removals: list[tuple[int, int]] | None = _NATIVE.repeat_removals(native_text(text), low, high, min_words, longest)
    return removals


def native_topic_words() -> Any | None:
    """The core's reader of a text's content words (``strip._topic_keys``), or None without the core.

    It is given what it must not read otherwise than Python: the letters of
    ``regex``'s ``\\p{L}`` and the lower case of those outside ASCII that
    ``str.lower`` changes (made once, in about 50 ms).
    """
    global _TOPIC_WORDS
    if _NATIVE is None:
        return None
    if _TOPIC_WORDS is None:
        _TOPIC_WORDS = _NATIVE.TopicWords(list(class_ranges(r"\p{L}")), _lowered_letters())
    return _TOPIC_WORDS


@persisted
def _lowered_letters() -> list[tuple[int, str]]:
    """``(code point, its lower case)`` for the letters outside ASCII that ``str.lower`` changes."""
    return [
        (point, chr(point).lower())
        for start, end in class_ranges(r"\p{L}")
        for point in range(max(start, 0x80), end + 1)
        if chr(point).lower() != chr(point)
    ]


_TOPIC_WORDS: Any | None = None


def native_charmap(mapping: Mapping[str, str]) -> Any | None:
    """The core's form of a character map, or None without the core (or for a map it cannot hold)."""
    if _NATIVE is None:
        return None
    key = tuple(mapping.items())
    found = _CHARMAPS.get(key)
    if found is None:
        try:
            found = _NATIVE.CharMap(dict(mapping))
        except (TypeError, ValueError, UnicodeEncodeError):
            found = False
        _CHARMAPS[key] = found
    return found or None


_CHARMAPS: dict[tuple[tuple[str, str], ...], Any] = {}


def native_spellings(spellings: Iterable[str]) -> Any | None:
    """The core's finder of ``spellings`` (``occurrences(text, low, high)``: every one, overlapping
    ones too, in code points), or None without the core or for a spelling it cannot hold."""
    if _NATIVE is None:
        return None
    try:
        return _NATIVE.Spellings(list(spellings))
    except (TypeError, ValueError, UnicodeError):
        return None


def engine_summary() -> str:
    """One line for ``--version`` and ``cleantext config``: the engine and, if native, the core's version."""
    if ENGINE == "native":
        return f"native core {NATIVE_VERSION} (Rust)"
    return "Python engine (the native core is not built or CLEANTEXT_ENGINE=python)"
