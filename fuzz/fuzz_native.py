#!/usr/bin/env python3
"""Fuzz target: the native core, through its Python API, against the Python reference.

Run: python fuzz/fuzz_native.py /tmp/fuzzcorpus/native -max_total_time=1200 -rss_limit_mb=4096 -timeout=20

The input is split at its first NUL byte: before it, literals (one per line,
decoded as UTF-8 with surrogates allowed, so lone surrogates occur as Python
text may hold them); after it, the text, decoded the same way. Checks:
the core counts the words ``str.split`` finds; building the scanner
either raises ``ValueError`` on both engines (an empty or repeated
literal) or on neither; scanning raises nothing; and both engines
find the same set of literals, each once. The first literal is also taken
for a rule's pattern: where ``regex`` compiles it and the core takes it (on
either of its engines), the core finds in the text what ``regex.finditer``
finds, or leaves the text to Python. A second scan, of the built-in
plan's literals, runs on the same text, and so does the whole pipeline on
both engines (the core switched off for the Python one: scanner, finders and
the walk of the edit list), which must give the same text and edits, and the
UTF-8 the core reads for the clean text (spliced by the walk) must be its encoding; every step the core's screen
says finds nothing in the text (``cleantext.native.quiet``) must find
nothing there. The core's reading of the text's content words and its
judgement of every short block as an off-topic candidate
(``TopicWords``) must be Python's (``strip.python_split_verdicts``), where
the core answers, and so must the off-topic rules' removals judged on the
core (``strip._offtopic_on_core``). Last, the text is
read as an HTML page and the words of its visible text, every other one, as
the text extracted from it: the native core must locate them in the page as
the Python reference does (``cleantext.extract.located_replacements``).
"""

from __future__ import annotations

import contextlib
import functools
import pickle
import sys
from collections.abc import Callable
from typing import TypeVar

import atheris

with atheris.instrument_imports(include=["cleantext"]):
    import regex

    import cleantext.native
    from cleantext import _native
    from cleantext.extract import located_natively, located_replacements, visible_text
    from cleantext.native import BACKTRACK_ALWAYS, PythonScanner, native_pattern, native_text
    from cleantext.normalize import Lexicon
    from cleantext.pipeline import Pipeline
    from cleantext.rules import LexiconRule
    from cleantext.segment import block_spans
    from cleantext.strip import (
        _WORDS_OF_THREE,
        FUNCTION_WORDS,
        OFFTOPIC_MAX_WORDS,
        OFFTOPIC_RUN_MAX_BLOCKS,
        _offtopic_on_core,
        find_offtopic,
        python_split_verdicts,
    )
    from cleantext.triggers import TEXT_END, TEXT_START, scanned_form

T = TypeVar("T")

NATIVE_PIPELINE = Pipeline.load(input_format="text")
PLAN = NATIVE_PIPELINE.plan("file")
REFERENCE = PythonScanner(PLAN.literals)
_CORE = cleantext.native._NATIVE


def on_python(work: Callable[[], T]) -> T:
    """``work()`` with the native core switched off: the scanner and every finder on Python."""
    cleantext.native._NATIVE = None
    try:
        return work()
    finally:
        cleantext.native._NATIVE = _CORE


PYTHON_PIPELINE = on_python(lambda: Pipeline.load(input_format="text"))
SCREENED = [(step, check) for step in PLAN._units if (check := step.screen_check()) is not None]
TOGETHER = cleantext.native.pattern_set([check[1] for _, check in SCREENED if check[0] == "text" and not check[5]])


def check_screen(text: str) -> None:
    """Every step whose screen check finds nothing in ``text`` finds nothing there itself, and the
    whole-text checks searched together answer as each searched alone."""
    asked = [(check, ()) for _, check in SCREENED]
    found_nothing = cleantext.native.quiet(text, asked, TOGETHER)
    assert found_nothing == cleantext.native.quiet(text, asked), text
    for position in found_nothing:
        step = SCREENED[position][0]
        try:
            found = step.find(text, 1.0)
        except TimeoutError:
            continue
        assert found == [], (step.label, text)


def check_topic_words(text: str) -> None:
    """The core reads ``text``'s content words, and judges its short blocks as off-topic
    candidates, as Python does (or leaves the text to Python)."""
    reader = cleantext.native.native_topic_words()
    keys = reader.keys(text)
    if keys is not None:
        expected = [word[:5] for word in _WORDS_OF_THREE.findall(text.lower()) if word not in FUNCTION_WORDS]
        assert keys == expected, text
    blocks = block_spans(text)
    short = [len(text[start:end].split()) <= OFFTOPIC_MAX_WORDS for start, end in blocks]
    candidates = []
    for first in range(len(blocks)):
        last = first
        while last < len(blocks) and short[last] and last - first < OFFTOPIC_RUN_MAX_BLOCKS:
            last += 1
        candidates += [(first, last, index) for index in range(first, last)]
    verdicts = reader.unshared(text, len(blocks), candidates)
    assert verdicts is None or verdicts == python_split_verdicts(text, blocks, short, candidates), text


OFFTOPIC_RULES = [rule for rule in NATIVE_PIPELINE.rules if rule.kind == "offtopic"]


def check_offtopic(text: str) -> None:
    """The off-topic rules' removals judged on the core are Python's, where the core judges."""
    for rule in OFFTOPIC_RULES:
        on_core = _offtopic_on_core(rule, text, 0, len(text), rule.max_words or OFFTOPIC_MAX_WORDS)
        if on_core is not None:
            judged = functools.partial(find_offtopic, rule, text, 0, len(text), None)
            assert on_core == on_python(judged), (rule.id, text)


BUILT_IN_LEXICON = Lexicon([rule for rule in NATIVE_PIPELINE.rules if rule.kind == "lexicon"])


def check_lexicon(spellings: list[str], text: str) -> None:
    """A lexicon pass finds on the core what its trie search finds: the built-in names' and one of
    ``spellings`` (where a rule takes them), over the whole text and over a region cut short."""
    lexicons = [BUILT_IN_LEXICON]
    variants = tuple(dict.fromkeys(spelling for spelling in spellings if spelling and spelling != "X"))
    with contextlib.suppress(ValueError, TypeError):  # spellings no lexicon rule takes
        lexicons.append(Lexicon([LexiconRule(id="fuzz.x", category="names", canonical="X", variants=variants)]))
    for lexicon in lexicons:
        for low, high in ((0, len(text)), (len(text) // 3, 2 * len(text) // 3)):
            assert lexicon.find(text, low, high, None) == lexicon.find_in_python(text, low, high), (spellings, text)


def check_pattern(pattern: str, text: str) -> None:
    """A pattern the core takes finds in ``text`` what ``regex`` finds (or the core leaves the text to Python)."""
    try:
        compiled = regex.compile(pattern)
    except (regex.error, ValueError, OverflowError, RecursionError):
        return
    core = native_pattern(pattern, "<>", backtracking=BACKTRACK_ALWAYS)
    if core is None:
        return
    try:
        expected = [(m.start(), m.end(), "<>") for m in compiled.finditer(text, timeout=1.0)]
    except TimeoutError:
        return
    found = core.replacements(native_text(text), 0, len(text))
    assert found is None or found == expected, (pattern, text)


def _decode(data: bytes) -> str:
    # Broken bytes become lone surrogates (U+DC80-U+DCFF): Python text may hold them, and so must the scanners.
    return data.decode("utf-8", errors="surrogateescape")


def TestOneInput(data: bytes) -> None:
    head, _, tail = data.partition(b"\0")
    literals = _decode(head).split("\n")
    text = _decode(tail)
    try:
        reference = PythonScanner(literals)
    except ValueError:
        reference = None
    try:
        native = _native.LiteralScanner(literals)
    except ValueError:
        native = None
    assert (reference is None) == (native is None), ("one engine refused the literals", literals)
    if native is not None and reference is not None:
        found = native.scan(text)
        assert len(found) == len(set(found)), ("a literal found twice", literals, text)
        assert set(found) == set(reference.scan(text)), (literals, text)
    folded = scanned_form(text, ends=True)
    assert set(PLAN.scanner.scan(folded)) == set(REFERENCE.scan(folded)), text
    unfolded = PLAN.scanner.scan_folding(TEXT_START + text + TEXT_END)
    assert unfolded is None or set(unfolded) == set(REFERENCE.scan(folded)), text
    between_ends = PLAN.scanner.scan_folding(text, True)
    assert between_ends is None or set(between_ends) == set(REFERENCE.scan(folded)), text
    if not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert _native.word_count(text) == len(text.split()), text
    check_pattern(literals[0], text)
    check_lexicon(literals, text)
    check_screen(text)
    check_topic_words(text)
    check_offtopic(text)
    # A result as a worker sends it back: its edit log packed, unpacked, its rows made after.
    travelled = pickle.loads(pickle.dumps(NATIVE_PIPELINE.clean(text)))
    native_result = NATIVE_PIPELINE.clean(text)
    python_result = on_python(lambda: PYTHON_PIPELINE.clean(text))
    assert travelled.to_dict() == python_result.to_dict(), text
    assert native_result.text == python_result.text, text
    assert [e.to_dict() for e in native_result.edits] == [e.to_dict() for e in python_result.edits], text
    spliced = _native.core_utf8(native_result.text)
    assert spliced is None or spliced == native_result.text.encode("utf-8"), text
    extracted = " ".join(visible_text(text).text.split()[::2])
    located = located_natively(text, extracted)
    if located is None:
        assert any(0xD800 <= ord(c) <= 0xDFFF for c in text + extracted), text
        return
    assert located == located_replacements(text, extracted), text


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
