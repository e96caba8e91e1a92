"""The native core against the Python reference: the same answers, and the same cleaned output.

Where the core is not built (no Rust toolchain at install), the comparisons
skip and the engine tests check that the Python engine runs.
"""

import concurrent.futures
import dataclasses
import functools
import gc
import html
import os
import pathlib
import pickle
import random
import subprocess
import sys
import unittest.mock
import weakref

import pytest
import regex
from hypothesis import example, given
from hypothesis import strategies as st
from test_plan import BENCHMARKS, outcome, same_output_sample

import cleantext.native
import cleantext.pipeline
import cleantext.plan
import cleantext.steps
import cleantext.translate
from cleantext import Document, Pipeline, segment, strip
from cleantext.document import RuleRef
from cleantext.extract import extract_article, located_natively, located_replacements, visible_text
from cleantext.native import CASE_DISPUTED, ENGINE, PythonScanner, native_pattern, native_text, pattern_set, quiet
from cleantext.normalize import Lexicon, find_charmap, find_inline
from cleantext.rules import LexiconRule, LineRule
from cleantext.steps import LinePass, engine_of
from cleantext.strip import find_block_matches, find_line_matches
from cleantext.triggers import TEXT_END, TEXT_START, fold

native = pytest.importorskip("cleantext._native", reason="the native core is not built") if ENGINE == "native" else None
needs_native = pytest.mark.skipif(native is None, reason="the native core is not built or not active")

# Literals as triggers have them: ASCII punctuation and words, accented and other scripts' letters, the text
# sentinels, a lone surrogate (which the repair rules look for, and a text read as "surrogateescape" may hold).
ALPHABET = st.sampled_from([*"ab .-,'\"\n\t©€éßıİ\u00a0\u200bЖ中🙂\udc80", TEXT_START, TEXT_END])
LITERALS = st.lists(st.text(ALPHABET, min_size=1, max_size=4), min_size=1, max_size=40, unique=True)


@needs_native
@given(LITERALS, st.text(ALPHABET, max_size=300))
def test_the_native_scanner_finds_what_the_reference_finds(literals, text):
    expected = set(PythonScanner(literals).scan(text))
    found = native.LiteralScanner(literals).scan(text)
    assert len(found) == len(set(found)), "a literal reported twice"
    assert set(found) == expected


@needs_native
def test_the_native_scanner_tells_apart_words_that_begin_alike():
    # The automaton holds words' first bytes only: the rest of each is compared where they turn up.
    literals = ["subscribe to our newsletter", "subscribe to our podcast", "subscribers", "subscribe", "\udc80"]
    scanner = native.LiteralScanner(literals)
    assert sorted(scanner.scan("please subscribe to our podcast")) == [1, 3]
    assert sorted(scanner.scan("subscribe to our news")) == [3]
    assert sorted(scanner.scan("subscribers: subscribe to our newsletter \udc80")) == [0, 2, 3, 4]


@needs_native
@given(LITERALS, st.text(st.one_of(ALPHABET, st.characters(max_codepoint=0x2FFFF)), max_size=300))
# Eight ASCII bytes at a time, characters that fold to as many bytes, then one that folds to more.
@example(["ecole", "strasse", "quote\u201d", "\u0161ko"], "\u201cQuote\u201d \u0160KOLA \u00c9COLE STRAßE Ecole")
@example(["i\u0307s", "fi"], "\u0130STANBUL \ufb01 \u0130s")
def test_the_native_scanner_folds_as_triggers_fold(literals, text):
    cleantext.native._set_fold_table()
    scanner = native.LiteralScanner(literals)
    found = scanner.scan_folding(text)
    if any(ord(character) >= 0x20000 or 0xD800 <= ord(character) < 0xE000 for character in text):
        assert found is None  # past the table, or unreadable: Python folds the text
    else:
        assert set(found) == set(PythonScanner(literals).scan(fold(text)))
        ends = PythonScanner(literals).scan(TEXT_START + fold(text) + TEXT_END)
        assert set(scanner.scan_folding(text, True)) == set(ends)


@needs_native
def test_the_fold_table_folds_every_character_of_the_first_two_planes_as_python_does():
    cleantext.native._set_fold_table()
    characters = [chr(point) for point in range(0x20000) if not 0xD800 <= point < 0xE000]
    images = sorted({fold(character) for character in characters})
    scanner, reference = native.LiteralScanner(images), PythonScanner(images)
    for character in characters:
        assert set(scanner.scan_folding(character)) == set(reference.scan(fold(character))), hex(ord(character))


@needs_native
def test_the_native_scanner_finds_the_built_in_literals_as_the_reference_does():
    plan = Pipeline.load().plan("file")
    reference = PythonScanner(plan.literals)
    for name, data in same_output_sample():
        text = data if isinstance(data, str) else data.decode("utf-8", "replace")
        folded = TEXT_START + fold(text) + TEXT_END
        assert set(plan.scanner.scan(folded)) == set(reference.scan(folded)), name


@needs_native
def test_both_engines_clean_alike(monkeypatch):
    native_engine = Pipeline.load()
    with monkeypatch.context() as patched:
        patched.setattr(cleantext.native, "_NATIVE", None)  # the scanner and every finder on Python
        python_engine = Pipeline.load()
        expected = {name: outcome(python_engine, name, data) for name, data in same_output_sample()}
    for name, data in same_output_sample():
        assert outcome(native_engine, name, data) == expected[name], name


@needs_native
def test_the_native_scanner_refuses_empty_or_repeated_literals():
    with pytest.raises(ValueError, match="must not be empty"):
        native.LiteralScanner(["ab", ""])
    with pytest.raises(ValueError, match="given twice"):
        native.LiteralScanner([".", "."])
    with pytest.raises(ValueError, match="given twice"):
        native.LiteralScanner(["news", "by", "news"])


def run_with_engine(engine, *argv):
    env = {**os.environ, "CLEANTEXT_ENGINE": engine}
    return subprocess.run([sys.executable, "-m", "cleantext", *argv], capture_output=True, text=True, env=env)


def test_the_python_engine_can_be_chosen_and_says_so():
    shown = run_with_engine("python", "--version")
    assert shown.returncode == 0 and "Python engine" in shown.stdout
    cleaned = subprocess.run(
        [sys.executable, "-m", "cleantext", "clean", "-"],
        input="Body.\n\nAdvertisement\n",
        capture_output=True,
        text=True,
        env={**os.environ, "CLEANTEXT_ENGINE": "python"},
    )
    assert cleaned.returncode == 0 and cleaned.stdout == "Body.\n"


def test_a_wrong_engine_name_is_refused_with_the_choices():
    shown = run_with_engine("rust", "--version")
    assert shown.returncode != 0 and "CLEANTEXT_ENGINE must be auto, native or python, not 'rust'" in shown.stderr


@needs_native
def test_the_native_engine_is_reported_where_it_is_built():
    shown = run_with_engine("native", "--version")
    assert shown.returncode == 0 and "native core" in shown.stdout
    config = run_with_engine("auto", "config")
    assert "engine" in config.stdout and "native core" in config.stdout


@needs_native
def test_the_native_whitespace_table_is_pythons():
    characters = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]  # a surrogate is never whitespace
    assert [c for c in characters if native.python_space(chr(c))] == [c for c in characters if chr(c).isspace()]


# HTML as pages have it, and as fuzzing found it: raw-text elements in odd cases and with
# letters that only match case-insensitively (U+017F, U+212A, U+0130, U+0131), unclosed
# comments, references with and without ";", inline tags inside words, Python's whitespace.
HTML_PIECES = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div class='a>b'>",
        "<br/>",
        "<b>",
        "</b>",
        "<span>",
        "</SPAN>",
        "<a href=x>",
        "</a>",
        "<!-- c -->",
        "<!--",
        "-->",
        "<!DOCTYPE html>",
        "<?xml x?>",
        "<script>",
        "</script >",
        "<SCRIPT>",
        "<ſcript>",
        "</ſcript>",
        "<\u212abd>",
        "<tıtle>",
        "<TİTLE>",
        "</title>",
        "<style type=x>",
        "</style>",
        "<scripts>",
        "<script_x>",
        "<script١>",
        "<textarea>",
        "</textarea\n>",
        "<noscript>",
        "<template>",
        "&amp;",
        "&amp",
        "&#8217;",
        "&#x2019;",
        "&#X41",
        "&#12345678;",
        "&nbsp;",
        "&notit;",
        "&ſ;",
        "&a",
        "&",
        "<",
        ">",
        "Tom",
        "Jerry",
        "met",
        "in",
        "Kyiv",
        "on",
        "Tuesday.",
        "don",
        "t",
        "’",
        "é",
        " ",
        "  ",
        "\n",
        "\t",
        "\x1c",
        "\u3000",
        "\u00a0",
        "\u200b",
        "x",
        "1",
    ]
)


@st.composite
def pages_and_extracts(draw):
    page = "".join(draw(st.lists(HTML_PIECES, max_size=60)))
    words = visible_text(page).text.split()
    kept = [word for word in words if draw(st.booleans()) or draw(st.booleans())]
    extra = draw(st.lists(st.sampled_from(["Tom", "new", "&", "-", "|", "x1"]), max_size=3))
    joined = draw(st.sampled_from([" ", "\n\n", "\n- "])).join([*kept, *extra])
    return page, joined


@needs_native
@given(pages_and_extracts())
def test_the_native_core_locates_extracted_text_as_the_reference_does(case):
    page, extracted = case
    assert located_natively(page, extracted) == located_replacements(page, extracted)


@needs_native
def test_the_native_core_locates_the_benchmark_pages_as_the_reference_does():
    pages = [(name, data) for name, data in same_output_sample() if name.endswith(".html.gz") or "built" in name]
    assert pages or not BENCHMARKS.is_dir()
    for name, data in pages:
        page = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        extracted = extract_article(page).body
        assert located_natively(page, extracted) == located_replacements(page, extracted), name


@needs_native
def test_text_with_a_lone_surrogate_is_left_to_the_python_engine():
    assert native.locate("<p>a\ud800</p>", "a", html.unescape, str.isalnum) is None


# Text as the finders meet it: the rules' own examples cut into lines, with characters the two
# engines could read apart (non-ASCII word characters and digits, the letters that fold
# specially, a character newer than the crate's Unicode tables, a lone surrogate).
TRICKY = ["é", "ß", "ı", "İ", "K", "ſ", "ς", "٣", "5", "\u0558", "\ud800", "“", "”", "—", "°", " ", "\t", "\n", "|"]
BUILT_IN = Pipeline.load().rules
EXAMPLE_LINES = sorted(
    {line for rule in BUILT_IN for example in rule.examples for line in example.input.split("\n") if line}
)
PATTERN_RULES = [rule for rule in BUILT_IN if rule.kind in ("line", "block", "inline", "charmap")]
FINDERS = {"line": find_line_matches, "block": find_block_matches, "inline": find_inline, "charmap": find_charmap}


def finder_results(rule, text):
    """What a rule's finder finds in ``text``, on the active engine."""
    try:
        return FINDERS[rule.kind](rule, text, 0, len(text), None)
    except TimeoutError:
        return "timed out"


def on_python(work, *args):
    """``work(*args)`` with the native core switched off: the scanner and every finder on Python."""
    saved, cleantext.native._NATIVE = cleantext.native._NATIVE, None
    try:
        return work(*args)
    finally:
        cleantext.native._NATIVE = saved


@needs_native
def test_the_core_runs_the_rules_it_can_and_says_which():
    engines = {rule.id: engine_of(rule) for rule in PATTERN_RULES}
    # Plain patterns, a leading look-behind, groups of one name, a character map: the core's.
    # The end of the text, and a pattern that only ever matches nothing there, too.
    native_ones = ("bylines.dateline", "credits.agency", "units.spacing", "units.temperature", "typography.primes")
    for rule_id in (*native_ones, "whitespace.final-newline", "whitespace.trailing-blank-lines"):
        assert engines[rule_id] == "native", rule_id
    # A whole text searched for a pattern that branches around look-arounds: the core's, tried
    # where its relaxed form finds a place a match may start; Python's where that form would
    # stop on every space (" +").
    for rule_id in ("typography.dashes", "typography.ellipsis"):
        assert engines[rule_id] == "native", rule_id
    assert engines["whitespace.runs"] == "python"
    assert engine_of(next(rule for rule in BUILT_IN if rule.kind == "repeat")) == "python"


@needs_native
@pytest.mark.parametrize("rule", PATTERN_RULES, ids=lambda rule: rule.id)
def test_each_built_in_pattern_finds_on_the_core_what_it_finds_on_python(rule):
    texts = ["\n".join(EXAMPLE_LINES), *(example.input for example in rule.examples)]
    texts += [text.replace("e", odd).replace("a", odd.upper()) for text in texts[1:] for odd in ("é", "ı", "\u0558")]
    for text in texts:
        assert finder_results(rule, text) == on_python(finder_results, rule, text), (rule.id, text[:200])


LINES = st.lists(st.sampled_from(EXAMPLE_LINES) | st.text(st.sampled_from(TRICKY), max_size=12), max_size=10)


@needs_native
@given(LINES, st.sampled_from(["\n", "\n\n", " "]), st.sampled_from(PATTERN_RULES))
def test_the_core_finds_what_python_finds_in_arbitrary_lines(lines, separator, rule):
    text = separator.join(lines)
    assert finder_results(rule, text) == on_python(finder_results, rule, text), rule.id


@needs_native
@given(LINES)
def test_both_engines_clean_arbitrary_text_alike(lines):
    text = "\n".join(lines)
    native_engine, python_engine = engines()
    assert outcome(native_engine, "t", text) == on_python(outcome, python_engine, "t", text)


@needs_native
@pytest.mark.parametrize("before", ["", "Caf\u00e9 \u201cfirst\u201d\n\n", "\u00e9\u00e9\u00e9 \U0001f600\n\n" * 40])
def test_a_rule_of_the_last_block_puts_its_edit_at_the_end_whatever_comes_before(before):
    # The final line break is found in the last block: its offset is counted from that block on.
    text = before + "The last line \u2014 \u00e9t\u00e9 \U0001f600 ends here."
    native_engine, python_engine = engines()
    result = native_engine.clean(text)
    assert result.text.endswith("ends here.\n")
    final = [edit for edit in result.edits if edit.rule == "whitespace.final-newline"]
    assert [edit.src for edit in final] == [(len(text), len(text))]
    assert outcome(native_engine, "t", text) == on_python(outcome, python_engine, "t", text)


@needs_native
def test_a_block_step_finds_on_the_core_what_it_finds_on_python_in_the_blocks_its_literals_pick():
    # The core judges a block by its words and the literals the step was selected by, as Python does.
    stages, plan = engines()[0]._stages_for("file")
    texts = [example.input for rule in BUILT_IN if rule.kind == "block" for example in rule.examples]
    texts += [text.replace("e", odd).replace("a", odd.upper()) for text in texts for odd in ("\u00e9", "\u0131")]
    found_by_literals = 0
    for text in texts:
        for _, steps in stages:
            for _, unit, literals in plan.scan(text).select(steps, text):
                if unit.kind == "block":
                    found = unit.find(text, None, literals=literals)
                    assert found == on_python(unit.find, text, None, (False, False), literals), (unit.label, text)
                    found_by_literals += bool(found and literals)
    assert found_by_literals >= 4  # the rules' examples that fire, where literals picked their blocks


def screened_out(pipeline, text):
    """The steps of each stage of ``pipeline`` the screen drops on ``text``, with the literals they were selected by."""
    stages, plan = pipeline._stages_for("file")
    presence = plan.scan(text)
    dropped = []
    for _, steps in stages:
        selected = presence.select(steps, text)
        kept = {id(unit) for _, unit, _ in plan.screen(selected, text)}
        dropped += [(unit, literals) for _, unit, literals in selected if id(unit) not in kept]
    return dropped


def assert_steps_the_screen_drops_find_nothing(text, kind=None):
    """Every step (of ``kind``, or any) the screen drops on ``text`` finds nothing there itself."""
    for unit, literals in screened_out(engines()[0], text):
        if kind is None or unit.kind == kind:
            assert unit.find(text, None, literals=literals) == [], unit.label


@needs_native
@given(LINES, st.sampled_from(["\n", "\n\n", " "]))
def test_a_step_the_screen_drops_finds_nothing(lines, separator):
    assert_steps_the_screen_drops_find_nothing(separator.join(lines))


@needs_native
@given(LINES, st.sampled_from(["\n", "\n\n", " "]))
def test_the_screen_tells_whether_any_step_may_change_a_text_as_its_whole_answer_does(lines, separator):
    # The short-text screen stops at the first step that may change the text: the same answer.
    text = separator.join(lines)
    plan = engines()[0].plan("file")
    presence = plan.scan(text)
    for units in (plan.units, [unit for unit in plan.units if unit.screen_check() is not None]):
        selected = presence.select(units, text)
        assert plan.may_change(selected, text) == bool(plan.screen(selected, text))


@functools.cache
def built_in_plan():
    return Pipeline.load().plan()


class _ScannerWithoutEdits:
    """A core scanner that leaves the stretches around edits to Python (the reference of ``scan_edits_into``)."""

    def __init__(self, scanner):
        self.scanner = scanner

    def scan(self, text):
        return self.scanner.scan(text)

    def scan_folding(self, text, ends=False):
        return self.scanner.scan_folding(text, ends)

    def scan_edits_into(self, text, replacements, tally):
        return None


@needs_native
@given(LINES, st.sampled_from(["\n", "\n\n", " "]))
def test_whole_text_checks_searched_together_answer_as_each_alone(lines, separator):
    text = separator.join(lines)
    checks = [check for unit in built_in_plan()._units if (check := unit.screen_check()) is not None]
    together = pattern_set([check[1] for check in checks if check[0] == "text" and not check[5]])
    assert together is not None and len(together) >= 5
    asked = [(check, ()) for check in checks]
    assert quiet(text, asked, together) == quiet(text, asked)


@needs_native
def test_a_set_holds_the_patterns_whose_search_skips_to_the_bytes_a_match_starts_with():
    steps = {unit.label: unit for unit in built_in_plan()._units}
    forms = {
        label: steps[label].screen_check()[1] for label in ("units.temperature", "units.spacing", "typography.dashes")
    }
    # A number starts with one of eighteen bytes (ten ASCII digits, the lead bytes of the others);
    # a dash's own search skips to its literals, which would make the set's pass stop on every space.
    assert len(pattern_set([forms["units.temperature"], forms["units.spacing"]])) == 2
    assert len(pattern_set([forms["units.temperature"], forms["typography.dashes"]])) == 1


@needs_native
def test_a_plan_its_pipeline_drops_is_freed_with_its_screen():
    plan = Pipeline.load().plan()
    text = "\u201cQuoted\u201d -- and 20C.\n"
    presence = plan.scan(text)
    assert plan.screen(presence.select(plan.units, text), text, presence)  # the core's screen, asked
    plan_ref = weakref.ref(plan)
    del plan, presence
    gc.collect()
    assert plan_ref() is None


@needs_native
def test_a_set_of_whole_text_patterns_is_only_where_a_pattern_with_a_look_behind_may_match():
    steps = {unit.label: unit for unit in built_in_plan()._units}
    checks = [steps[label].screen_check() for label in ("units.temperature", "typography.ellipsis")]
    together = pattern_set([check[1] for check in checks])
    asked = [(check, ()) for check in checks]
    # "20C" matches the set's form of units.temperature, whose look-behind (no word character
    # before the number) does not hold after "x": the rule's own search decides.
    assert quiet("Model x20C is out\u2026", asked, together) == [0]
    assert quiet("It was 20C today\u2026", asked, together) == []
    assert quiet("It was 20 degrees.", asked, together) == [0, 1]


PUT_IN = ["", "'", '"', "\u2019", "-", "\u2014", " ", "\n", "x", "5", "C", "\u00e9", "|"]


@st.composite
def edited(draw):
    """A text, replacements of it (sorted, apart) and the text they make: random ones, or whole lines removed."""
    text = draw(st.sampled_from(["\n", "\n\n"])).join(draw(LINES))
    if draw(st.booleans()):
        lines = text.splitlines(keepends=True)
        starts = [sum(map(len, lines[:index])) for index in range(len(lines))]
        gone = sorted(draw(st.sets(st.integers(0, max(0, len(lines) - 1)), max_size=3)))
        replacements = [(starts[i], starts[i] + len(lines[i]), "") for i in gone if i < len(lines)]
    else:
        replacements, position = [], 0
        for offset, length, new in draw(
            st.lists(st.tuples(st.integers(0, 60), st.integers(0, 4), st.sampled_from(PUT_IN)), max_size=4)
        ):
            start = min(len(text), position + offset)
            end = min(len(text), start + length)
            replacements.append((start, end, new))
            position = end
    pieces, copied = [], 0
    for start, end, new in replacements:
        pieces += [text[copied:start], new]
        copied = end
    return text, replacements, "".join(pieces) + text[copied:]


@needs_native
@given(edited())
def test_the_core_scans_around_edits_what_python_scans(case):
    before, replacements, text = case
    plan = built_in_plan()
    # As in a run: the presence has counted the text before the edits (what the scan around
    # them adds is what the edits made).
    reference = plan.scan(before)
    with unittest.mock.patch.object(plan, "scanner", _ScannerWithoutEdits(plan.scanner)):
        reference.update(text, replacements, before)
    native = plan.scan(before)
    native.update(text, replacements, before)
    readable = not any(0xD800 <= ord(c) <= 0xDFFF or ord(c) >= 0x20000 for c in before + text)
    answered = plan.scanner.scan_edits_into(text, replacements, plan.scan(before)._tally) is not None
    assert answered or not readable  # the core's, not Python's
    assert native.literals == reference.literals
    assert native.held == reference.held


QUOTE_PASS = (
    "Read 2 thoughts on \u201cKyiv\u201d, by the editors.\n",
    [(19, 20, '"'), (24, 25, '"')],
    'Read 2 thoughts on "Kyiv", by the editors.\n',
)
"""A text, a pass that makes its curly quotes plain, and the text it makes."""


@needs_native
def test_a_pass_that_puts_quotes_in_counts_the_literals_they_complete():
    plan = built_in_plan()
    before, replacements, text = QUOTE_PASS
    presence = plan.scan(before)
    assert ' thoughts on "' not in presence.literals
    # The core looks only for the literals that hold a quote, among the plan's thousands.
    presence.update(text, replacements, before)
    assert ' thoughts on "' in presence.literals
    assert presence.literals == plan.scan(text).literals | plan.scan(before).literals


@needs_native
def test_a_scan_around_edits_counts_into_the_tally_only_what_it_had_not_counted():
    plan = built_in_plan()
    before, replacements, text = QUOTE_PASS
    presence = plan.scan(before)
    tally = presence._tally
    held, counted = tally.held, set(tally.literals())
    assert plan.scanner.scan_edits_into(text, replacements, tally) is True
    assert set(tally.literals()) - counted == {' thoughts on "'} and tally.held != held
    # Scanned again, the same stretches hold nothing the tally has not counted.
    assert plan.scanner.scan_edits_into(text, replacements, tally) is False
    # The tally of another plan's literals is refused.
    other = cleantext.native.scanner([' thoughts on "', "zzz"])
    with pytest.raises(ValueError, match="not the same plan's"):
        other.scan_edits_into(text, replacements, tally)


def python_counted(plan):
    """A presence of ``plan`` that counts its literals in Python (the reference of the core's tally)."""
    presence = cleantext.plan.Presence(plan)
    presence._tally = None
    return presence


@needs_native
@given(st.lists(st.lists(st.integers(0, len(built_in_plan().literals) - 1), max_size=30), max_size=5))
def test_the_core_counts_a_presence_as_python_counts_it(scans):
    plan = built_in_plan()
    native, reference = cleantext.plan.Presence(plan), python_counted(plan)
    assert native._tally is not None
    for numbers in scans:
        before = native.found, reference.found
        native._count(numbers)
        reference._count(numbers)
        # A new literal makes a selection stale on both: how many times it was so is the engine's own.
        assert (native.found != before[0]) == (reference.found != before[1])
        assert native.held == reference.held and native.literals == reference.literals
        for clause in reference.clauses:
            assert native._literals_of(clause) == reference._literals_of(clause)
        for text in ("ascii", "caf\u00e9"):  # the steps whose triggers hold, with their first clause's literals
            assert native.select(plan.units, text) == reference.select(plan.units, text)
    with pytest.raises(IndexError):
        native._count([len(plan.literals)])


@needs_native
@given(edited())
def test_a_check_the_presence_keeps_through_edits_finds_nothing_after_them(case):
    text, replacements, after = case
    plan = built_in_plan()
    presence = plan.scan(text)
    presence.remember_chars = 0  # short texts too, which a run asks again
    plan.screen([(index, unit, ()) for index, unit in enumerate(plan._units)], text, presence)
    presence.update(after, replacements, text)
    for check, literals in presence.remembered.values():
        assert quiet(after, [(check, literals)]) == [0], (check, text, after)


@needs_native
def test_a_whole_text_pattern_is_untouched_by_characters_it_cannot_look_at():
    steps = {unit.label: unit for unit in built_in_plan()._units}
    temperature = steps["units.temperature"].screen_check()[1]
    assert temperature.untouched_by("\u2019'\"")  # quotes: no match can hold or border on one
    # A digit can be in a match; "-" and "x" are what its look-behind looks at; "é" is a word character.
    assert not any(temperature.untouched_by(character) for character in "5-x\u00e9C")


@needs_native
def test_the_presence_remembers_what_the_screen_found_nothing_for_and_forgets_it_as_edits_require():
    plan = built_in_plan()
    text = "It was cold.\n\nFollow us on Twitter\n\nThe end.\n"
    presence = plan.scan(text)
    presence.remember_chars = 0
    selected = presence.select(plan._units, text)
    kept = {id(unit) for _, unit, _ in plan.screen(selected, text, presence)}
    remembered = {id(check) for check, _ in presence.remembered.values()}
    labels = {unit.label: unit for unit in plan._units}
    separator = plan._checks[id(labels["widgets.separator"])]
    assert id(separator) in remembered and id(labels["widgets.share-follow"]) in kept
    # Removing a whole line keeps the line checks; putting a character in the text forgets them.
    removed = text.replace("Follow us on Twitter\n\n", "")
    presence.update(removed, [(14, 36, "")], text)
    assert id(separator) in {id(check) for check, _ in presence.remembered.values()}
    presence.update(removed.replace("cold", "warm"), [(7, 11, "warm")], removed)
    assert id(separator) not in {id(check) for check, _ in presence.remembered.values()}


@needs_native
def test_the_screen_drops_what_finds_nothing_and_keeps_what_fires():
    text = "Kyiv is cold today.\n\nIt was \u201ccold\u201d, he said, at -20C.\n\nFollow us on Twitter\n"
    dropped = {unit.label for unit, _ in screened_out(engines()[0], text)}
    # Line, block and whole-text patterns whose triggers hold, and which find nothing here.
    assert {"bylines.dateline", "widgets.separator", "widgets.bare-address", "units.temperature"} <= dropped
    # What changes this text is evaluated.
    fired = {"widgets.share-follow", "units.temperature-signed", "typography.double-quotes"}
    assert not fired & dropped
    assert fired <= {edit.rule for edit in engines()[0].clean(text).edits}


@needs_native
@pytest.mark.parametrize(
    ("text", "stages_run"),
    [
        ("The council met on Tuesday.", ["layout", "repair"]),  # the final line break alone
        ("The council met on Tuesday.\n", []),  # nothing to change: no stage runs
        ("The council said \u201cyes\u201d -- twice.", ["repair", "prepare", "normalize", "strip", "layout", "repair"]),
    ],
)
def test_a_short_text_runs_the_stages_from_the_first_the_screen_finds_may_change_it(monkeypatch, text, stages_run):
    pipeline = Pipeline.load()
    stages, _ = pipeline._stages_for("file")
    names = {id(steps): stage for stage, steps in stages}
    ran = []
    run_rules = Pipeline._run_rules

    def recording(self, steps, cleaning):
        ran.append(names.get(id(steps), "context"))
        return run_rules(self, steps, cleaning)

    on_core = pipeline.clean(text)
    # The stages as the run loop in Python takes them; the core's run of the stages takes them alike.
    monkeypatch.setattr(Pipeline, "_run_rules", recording)
    monkeypatch.setattr(Pipeline, "_stages_on_core", lambda self, layout: None)
    result = pipeline.clean(text)
    assert [stage for stage in ran if stage != "context"] == stages_run
    assert result.text == Pipeline.load(triggers="off").clean(text).text
    # Steps the core's runs evaluate whole go uncounted where they find nothing: the others count alike.
    whole = {step.label for _, steps in stages for step in steps if step.runs_natively}
    assert on_core == result
    assert {label: counts for label, counts in evaluations(on_core).items() if label not in whole} == {
        label: counts for label, counts in evaluations(result).items() if label not in whole
    }


@needs_native
def test_a_short_text_no_step_may_change_is_screened_twice_and_left_as_it_is():
    pipeline = engines()[0]
    clean = pipeline.clean("Kyiv said on Tuesday that the grid held through the night.\n")
    # The steps of the stages before the last, then the last stage's.
    assert not clean.edits and set(clean.timings) == {"screen"} and clean.timings["screen"].evaluations == 2
    # A short text with something to change runs the stages as before.
    text = "By Jane Doe\n\nIt\u2019s -20C in Kiev\n"
    result = pipeline.clean(text)
    assert result.text == "It's -20 °C in Kyiv\n"
    assert result == Pipeline.load(triggers="off").clean(text)


@functools.cache
def engines():
    """The default pipeline on the active engine, and on Python (its scanner is chosen when its plan is made)."""
    return Pipeline.load(), on_python(Pipeline.load)


@needs_native
def test_the_case_folding_the_core_leaves_to_python_is_all_there_is():
    # Every cased character, matched case-insensitively by each engine against all of them.
    cased = {
        chr(c)
        for c in range(0x110000)
        if not 0xD800 <= c <= 0xDFFF and (chr(c).lower() != chr(c) or chr(c).upper() != chr(c))
    }
    cased = sorted(cased | {m for c in list(cased) for m in (c.lower(), c.upper(), c.casefold()) if len(m) == 1})
    # The core leaves a text with a disputed character to Python: the others must fold alike.
    disputed = {point for start, end in CASE_DISPUTED for point in range(start, end + 1)}
    assert all(not native_text(chr(point)).readable for point in disputed)
    readable = [character for character in cased if native_text(character).readable]
    assert len(readable) > 2500
    haystack = " ".join(readable)
    text = native_text(haystack)
    differing = []
    for character in readable:
        python = {match.start() // 2 for match in regex.finditer("(?i)" + regex.escape(character), haystack)}
        pattern = native.Pattern(f"(?i)\\x{{{ord(character):X}}}")
        core = {start // 2 for start, _, _ in pattern.replacements(text, 0, len(haystack))}
        if python != core:
            differing.append(character)
    assert differing == []


@needs_native
def test_a_line_with_a_non_ascii_word_character_is_left_to_python_and_the_others_are_not():
    rule = LineRule(id="t.by", category="t", stage="strip", action="remove", description="", pattern=r"^By \w+\b$")
    text = "By Anna\nBody text here.\nBy José\nBy Zoë and more\n"
    found = find_line_matches(rule, text, 0, len(text), None)
    assert found == on_python(find_line_matches, rule, text, 0, len(text), None) == [(0, 8, ""), (24, 32, "")]
    matches = native_pattern(rule.pattern, lines=True).lines(native_text(text), 0, len(text), 0, 1000, True, [])
    assert [(start, end) for _, _, start, end, _ in matches] == [(0, 7), (None, None), (None, None)]


@needs_native
def test_a_whole_text_with_a_non_ascii_word_character_is_searched_with_unicode_word_boundaries():
    pattern = native_pattern(r"\b(?P<n>\d+)C\b", r"\g<n> °C")
    # The automata's word boundaries are ASCII ones, not regex's in a text with "é": the pattern's
    # form with Unicode ones is tried where the pattern without its boundaries finds a match starting.
    nothing, maybe = "Café: 20 degrees.\n", "Café: 20C outside, 21Cé, 2C\u0301.\n"
    assert pattern.replacements(native_text(nothing), 0, len(nothing)) == []
    assert pattern.starts(native_text(nothing), 0, len(nothing)) == []
    assert pattern.replacements(native_text(maybe), 0, len(maybe)) == [(6, 9, "20 °C")]
    assert pattern.replacements(native_text(maybe), 0, 10) == [(6, 9, "20 °C")]
    assert pattern.replacements(native_text(maybe), 12, len(maybe)) == []  # "21Cé", "2C" and a combining accent
    assert pattern.replacements(native_text(maybe), 10, 12) == []
    assert [match.span() for match in regex.finditer(r"\b(?P<n>\d+)C\b", maybe)] == [(6, 9)]
    # A look-behind is judged at each place the search starts from, as in ASCII text.
    behind, text = r"(?<!\w)minus (?P<n>\d+)C\b", "łminus 3C, ł minus 4C, Ж-minus 5C.\n"
    expected = [(match.start(), match.end(), f"-{match['n']} °C") for match in regex.finditer(behind, text)]
    assert native_pattern(behind, r"-\g<n> °C").replacements(native_text(text), 0, len(text)) == expected
    assert len(expected) == 2
    ascii_text = "It was 20C.\n"
    assert pattern.replacements(native_text(ascii_text), 0, len(ascii_text)) == [(7, 10, "20 °C")]


@needs_native
@pytest.mark.parametrize(
    "pattern",
    [
        "^(a|aa)+$",  # on the automata: linear time
        "^(a|aa)+(?!b)$",  # backtracking, where its relaxed form, on the automata, rules the line out first
    ],
)
def test_a_pattern_that_backtracks_in_python_runs_in_linear_time_on_the_core(tmp_path, pattern):
    pack = tmp_path / "slow.toml"
    pack.write_text(
        f"[[rule]]\nid = \"user.slow\"\ncategory = \"test\"\nkind = \"line\"\npattern = '''{pattern}'''\n"
        'description = "exponential backtracking in a backtracking engine"\n',
        encoding="utf-8",
    )
    pipeline = Pipeline.load(packs=["whitespace"], extra=[pack], timeout=0.2)
    text = "a" * 40 + "! a\n" + "a" * 60 + "\nIt is fine.\n"
    result = pipeline.clean(text)
    assert result.text == "a" * 40 + "! a\nIt is fine.\n" and result.warnings == ()
    core = native_pattern(pattern, None, lines=True, backtracking=cleantext.native.BACKTRACK_ALWAYS)
    assert core.first("a" * 40 + "! a") == [] and core.first("a" * 60) == [(0, 60, "")]


# Python's spaces, ASCII and not, and characters whose UTF-8 starts as a non-ASCII space's does
# (U+00A9 as U+00A0, U+2019 as U+2028, U+3001 as U+3000) or has a byte of one inside.
WORD_COUNT_CHARACTERS = [
    *"a  \n\t\r\x1c\x1f\x0b\x85\xa0\xa9é\u1680\u2000\u200a\u200b\u2028\u2029\u202f\u205f\u3000\u3001",
    *"\u2019\u201c\u2014\u2026",  # curly quotes, a dash, an ellipsis: the lead byte of most of the spaces
    "\U0001f600",
    "word",
]


@needs_native
@pytest.mark.parametrize("space", ["\x85", "\xa0", "\u2000", "\u3000", "\x1c", "\t"])
def test_the_core_counts_words_split_by_a_space_at_every_place_of_a_long_run(space):
    # Sixteen bytes at a time (the core reads a run of bytes whole where no byte in it may start a
    # space outside ASCII): the space at each place of a run, among letters and characters that
    # are no spaces but start as spaces do (U+00A9, U+2019), or none.
    for filler in ("ab", "a\xa9", "a\u2019"):
        for place in range(40):
            text = (filler * 30)[:place] + space + (filler * 30)[place:] + " z"
            assert native.word_count(text) == len(text.split()), (filler, place)


@needs_native
@given(st.lists(st.sampled_from(WORD_COUNT_CHARACTERS), max_size=60).map("".join), st.integers(0, 12))
def test_the_core_counts_the_words_str_split_finds(text, most):
    words = len(text.split())
    assert native.word_count(text) == words
    assert (native.word_count(text, most) > most) == (words > most)
    assert native.word_count(text, most) == words or words > most


@needs_native
@given(st.text(st.sampled_from(["a", " ", "\n", "\t", "\u00a0", "\u2028", "\r", "é", "\x1c"]), max_size=40))
def test_the_core_finds_the_blocks_the_reference_finds(text):
    assert native.block_spans(text) == [match.span() for match in segment._BLOCK.finditer(text)]


# Patterns at the end of a text, and patterns that only ever match nothing (the core runs
# those: no longer match is to be tried for after an empty one), with some that may match
# nothing or more (which stay Python's).
EMPTY_OR_AT_END = [
    r"(?<=[^\n])\Z",
    r"\Z",
    r"(?<=\n)\n+\Z",
    r"\s*\Z",
    r"a*\Z",
    r"\b",
    r"(?=a)",
    r"(?<=a)",
    r"b?\Z",
    r"a\Z",
]


@needs_native
@given(st.sampled_from(EMPTY_OR_AT_END), st.text(st.sampled_from("ab \n\u00e9"), max_size=12))
def test_patterns_at_the_end_or_always_empty_find_on_the_core_what_regex_finds(pattern, text):
    core = native_pattern(pattern, "<>", backtracking=cleantext.native.BACKTRACK_ALWAYS)
    assert (core is None) == (pattern in (r"\s*\Z", r"a*\Z", r"b?\Z"))  # those may match nothing, or more
    if core is not None:
        found = core.replacements(native_text(text), 0, len(text))
        expected = [(match.start(), match.end(), "<>") for match in regex.finditer(pattern, text)]
        assert found is None or found == expected


STARTING_WITH_A_LARGE_CLASS = [
    r"\d+\s?km",
    r"\d+(?:\.\d+)?\s*[CF]\b",
    r"[\u0132\u0133\ufb00-\ufb06]",
    r"[\u00c0-\u00ff][\u0080-\u00bf]",
    r"(?:\d|\u00e9)x?",
    r"[0-9A-F]+h",
]


@needs_native
@given(
    st.sampled_from(STARTING_WITH_A_LARGE_CLASS),
    st.text(st.sampled_from("5 km C.\n\u0663\u00e9\u00c3\u00a9\ufb01\U0001d7d8xFh"), max_size=16),
)
def test_a_search_that_skips_to_the_bytes_a_match_starts_with_finds_what_regex_finds(pattern, text):
    # The core gives these patterns a prefilter on their first bytes (digits: ten ASCII bytes
    # and the lead bytes of the others), which its automata have none of.
    core = native_pattern(pattern, "<>")
    assert core is not None
    if pattern == STARTING_WITH_A_LARGE_CLASS[0]:
        assert core.replacements(native_text("5km 7 km"), 0, 8) == [(0, 3, "<>"), (4, 8, "<>")]
    found = core.replacements(native_text(text), 0, len(text))
    # None: a text whose word characters the core reads otherwise (a word boundary) is Python's.
    assert found is None or found == [(match.start(), match.end(), "<>") for match in regex.finditer(pattern, text)]


@needs_native
def test_a_pattern_too_large_for_the_automata_finds_candidate_lines_that_python_judges():
    # A counted repetition of a large class unrolls past the automata's size limit.
    rule = LineRule(
        id="demo.big",
        category="promo",
        stage="strip",
        action="remove",
        description="",
        pattern=r"^(?:[\p{L}\p{M}' ]{1,60}, ){3}[\p{L}\p{M}' ]{1,60}$",
    )
    core = cleantext.native.native_pattern(rule.pattern, lines=True, backtracking="always")
    assert core is not None and core.candidates  # its relaxed form, without upper bounds
    assert engine_of(rule) == "python"  # Python's pattern decides which lines go
    text = "Home, News, Sport, Weather\n" + "a, " * 70 + "b\nBody text.\n"
    assert finder_results(rule, text) == on_python(finder_results, rule, text) == [(0, 27, "")]


@needs_native
def test_rules_show_says_where_the_core_finds_what_python_judges(capsys):
    from cleantext.cli import main

    assert main(["rules", "show", "widgets.more-headings"]) == 0
    engine = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("engine"))
    assert "python, on the lines or blocks where the core finds a relaxed form" in engine
    assert main(["rules", "show", "names.zelenskyy"]) == 0
    engine = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("engine"))
    assert "python, at the places where the core finds a spelling" in engine


@needs_native
def test_the_screen_lets_repeated_blocks_through_whatever_their_case_and_punctuation():
    pipeline = engines()[0]
    repeated = "A Title, Right Here\n\nBody text that goes on.\n\na title right here!\n"
    assert "repeats.title-or-standfirst" not in {unit.label for unit, _ in screened_out(pipeline, repeated)}
    assert "a title right here!" not in pipeline.clean(repeated).text
    distinct = "A Title, Right Here\n\nBody text that goes on.\n\nAnother title right here\n"
    assert "repeats.title-or-standfirst" in {unit.label for unit, _ in screened_out(pipeline, distinct)}


@needs_native
@pytest.mark.parametrize("spelling", ["\u212ayiv calls the west", "KYIV Calls The West!", "kyiv\u00a0calls the west"])
def test_the_screen_lets_a_repeat_through_whether_its_blocks_are_ascii_or_not(spelling):
    # The Kelvin sign folds to "k": an ASCII block and one outside ASCII may hold the same words.
    for first, second in (("Kyiv calls the West", spelling), (spelling, "Kyiv calls the West")):
        text = f"{first}\n\nBody text that goes on for a while.\n\n{second}\n"
        assert "repeats.title-or-standfirst" not in {unit.label for unit, _ in screened_out(engines()[0], text)}


REPEAT_LINES = st.sampled_from(
    [
        "Russia hits Ukraine energy sites",
        "RUSSIA HITS UKRAINE ENERGY SITES!",
        "\u2018Russia hits\u2019 Ukraine \u2014 energy sites",
        "Russia hits Ukraine energy",
        "Russiahits Ukraine energy sites",
        "The strikes were launched as temperatures dropped to -20C.",
        "the strikes were launched, as temperatures dropped to -20c",
        "Story continues below advertisement",
        "snake_case words 2024 and more",
        "Snake_Case Words 2024 And More",
        "A B",
        "\u201c \u2014 \u201d",
        "",
        "   ",
    ]
)


def python_repeats(rule, text, low, high):
    with unittest.mock.patch.object(strip, "repeat_removals", lambda *args: None):
        return strip.find_repeats(rule, text, low, high, None)


@needs_native
@given(
    st.lists(REPEAT_LINES, max_size=12),
    st.sampled_from(["\n\n", "\n", "\n \n\n"]),
    st.integers(0, 4),
    st.floats(0, 1),
    st.floats(0, 1),
    st.sampled_from([0, 1, 4, 6]),
)
@example(["Russia hits Ukraine energy sites", "Body.", "RUSSIA HITS UKRAINE ENERGY SITES!"], "\n\n", 4, 0.0, 1.0, 4)
# Twice the same words outside the region: only a block within it is an original.
@example(["Russia hits Ukraine energy", "Body.", *["Russia hits Ukraine energy sites"] * 2], "\n\n", 4, 0.0, 0.27, 4)
# The same words in a block over twice as long as an original: not compared.
@example(["A B", "Body text goes here.", "\u201cA \u2014 B\u201d"], "\n\n", 3, 0.0, 0.75, 1)
def test_the_core_finds_the_repeated_blocks_python_finds(lines, separator, longest_lines, low_share, high_share, words):
    # Regions that cut blocks, blocks too long to compare, fewer words than the rule asks for.
    rule = next(rule for rule in BUILT_IN if rule.id == "repeats.title-or-standfirst")
    rule = dataclasses.replace(rule, min_words=words)
    text = separator.join(lines) + "\n"
    low, high = sorted((int(low_share * len(text)), int(high_share * len(text))))
    longest = max((len(line) for line in lines[:longest_lines]), default=0)
    with unittest.mock.patch.object(strip, "REPEAT_MAX_CHARS", longest):
        on_core = cleantext.native.repeat_removals(text, low, high, max(words, 1), longest)
        assert on_core is not None
        assert strip.find_repeats(rule, text, low, high, None) == python_repeats(rule, text, low, high)


@needs_native
def test_the_core_leaves_repeats_in_a_text_with_words_outside_ascii_to_python():
    rule = next(rule for rule in BUILT_IN if rule.id == "repeats.title-or-standfirst")
    text = "Kyiv calls the West again\n\nBody of the article.\n\nKYIV CALLS THE WEST AGAIN\n\nCaf\u00e9.\n"
    assert cleantext.native.repeat_removals(text, 0, len(text), 4, strip.REPEAT_MAX_CHARS) is None
    removed = strip.find_repeats(rule, text, 0, len(text), None)
    assert [text[start:end] for start, end, _ in removed] == ["KYIV CALLS THE WEST AGAIN\n"]


@needs_native
def test_the_core_judges_off_topic_blocks_by_the_limits_python_does():
    limits = (2 * strip.OFFTOPIC_CONTEXT_MIN_WORDS, strip.OFFTOPIC_RUN_MAX_BLOCKS, strip.OFFTOPIC_SHORT_CHARS_PER_WORD)
    assert limits == cleantext.native._NATIVE.OFFTOPIC_LIMITS
    context = (strip.OFFTOPIC_CONTEXT_MIN_WORDS, 20 * strip.OFFTOPIC_CONTEXT_MIN_WORDS)
    assert context == cleantext.native._NATIVE.OFFTOPIC_CONTEXT
    assert set(cleantext.native._NATIVE.FUNCTION_WORDS) == strip.FUNCTION_WORDS


OFFTOPIC_ARTICLE = [
    block.strip()
    for rule in BUILT_IN
    if rule.id == "offtopic.short-block"
    for block in rule.examples[0].input.split("\n\n")
    if len(block.split()) > 30
]
SHORT_LINE_WORDS = [
    "Seven",
    "hiking",
    "boots",
    "worth",
    "buying",
    "this",
    "season",
    "Shop",
    "garden",
    "furniture",
    "depot",
    "depots",
    "Depot",
    "DEPOT",
    "council",
    "roof",
    "trams",
    "tram",
    "warned",
    "heating",
    "the",
    "their",
    "theirs",
    "Their",
    "caf\u00e9",
    "Krak\u00f3w",
    "\u212aelvin",
    "\u017fhop",
    "\u201cdepot\u201d",
    "depot\u2019s",
    "x9",
    "e-mail",
    "40",
    "Tours",
    "tour",
]
ARTICLE_WITH_SHORT_LINES = st.lists(
    st.sampled_from(OFFTOPIC_ARTICLE)
    | st.lists(st.sampled_from(SHORT_LINE_WORDS), min_size=1, max_size=7).map(" ".join),
    min_size=3,
    max_size=9,
).map("\n\n".join)


@needs_native
@given(ARTICLE_WITH_SHORT_LINES)
def test_an_off_topic_rule_the_screen_drops_finds_nothing(text):
    # The screen drops a short line that surely shares a content word with the rest of the text
    # (on ASCII: a word between ASCII characters, by its first five letters, no function word).
    assert_steps_the_screen_drops_find_nothing(text, "offtopic")


@needs_native
def test_the_screen_drops_an_off_topic_rule_where_every_short_line_shares_a_word():
    first, second, third = OFFTOPIC_ARTICLE
    pipeline = engines()[0]
    shared = f"{first}\n\nWinter depot tours\n\n{second}\n\n{third}\n"
    unshared = f"{first}\n\nSeven hiking boots\n\n{second}\n\n{third}\n"
    dropped = [unit.label for unit, _ in screened_out(pipeline, shared)]
    assert "offtopic.short-block" in dropped
    assert "offtopic.short-block" not in [unit.label for unit, _ in screened_out(pipeline, unshared)]
    assert pipeline.clean(unshared).text == f"{first}\n\n{second}\n\n{third}\n"
    assert pipeline.clean(shared).text == shared


def python_topic_words(text):
    """The keys ``strip._topic_keys`` gathers, in order and repeated as they come."""
    return [word[:5] for word in strip._WORDS_OF_THREE.findall(text.lower()) if word not in strip.FUNCTION_WORDS]


@needs_native
def test_the_core_reads_every_character_of_a_topic_word_as_python_does():
    # Each character between letters: a letter (lowered, perhaps to two characters) joins them
    # into one word, anything else parts them. A capital sigma is left to Python.
    points = [point for point in range(0x110000) if not 0xD800 <= point <= 0xDFFF and point != 0x3A3]
    text = " ".join(f"qq{chr(point)}z" for point in points)
    reader = cleantext.native.native_topic_words()
    assert reader.keys(text) == python_topic_words(text)
    assert set(reader.keys(text)) == strip._topic_keys(text, 0, len(text))
    assert reader.keys("\u03a3\u039f\u03a3") is None  # its lower case depends on where it stands
    assert reader.keys("\ud800abc") is None


TOPIC_WORD_PARTS = [*SHORT_LINE_WORDS, "\u0130stanbul", "\u039f\u0394\u039f\u03a3", "\u043c\u0438\u0440", "Stra\u00dfe"]
TOPIC_TEXT = st.lists(
    st.sampled_from(OFFTOPIC_ARTICLE)
    | st.lists(st.sampled_from(TOPIC_WORD_PARTS) | st.text(max_size=4), min_size=1, max_size=6).map(" ".join),
    min_size=1,
    max_size=12,
).map("\n\n".join)


@needs_native
@given(TOPIC_TEXT, st.integers(1, 3))
def test_the_core_judges_many_off_topic_candidates_as_python_does(text, longest_run):
    blocks = segment.block_spans(text)
    short = [len(text[start:end].split()) <= strip.OFFTOPIC_MAX_WORDS for start, end in blocks]
    candidates = []
    first = 0
    while first < len(blocks):  # every short block, in runs of at most longest_run of them
        last = first
        while last < len(blocks) and short[last] and last - first < longest_run:
            last += 1
        candidates += [(first, last, index) for index in range(first, last)]
        first = max(last, first + 1)
    reader = cleantext.native.native_topic_words()
    verdicts = reader.unshared(text, len(blocks), candidates)
    if verdicts is None:
        assert "\u03a3" in text  # a capital sigma, which Python lowers by what follows it
        return
    assert verdicts == strip.python_split_verdicts(text, blocks, short, candidates)


@needs_native
def test_the_core_refuses_candidates_of_other_blocks():
    reader = cleantext.native.native_topic_words()
    with pytest.raises(ValueError, match="blocks"):
        reader.unshared("one\n\ntwo", 3, [])
    with pytest.raises(ValueError, match="candidate"):
        reader.unshared("one\n\ntwo", 2, [(0, 1, 1)])


REGION_PATTERNS = [r"\A\n+", r"a\b", r"a$", r"a\Z", r"(?<=b)a+", r"\bab?\b", r"[ \n]+$", r"(?m)^a", r"é\w*"]
REGION_LOOK_AHEADS = [r"a(?=b)", r"a(?!b)"]


@needs_native
@given(
    st.sampled_from(REGION_PATTERNS + REGION_LOOK_AHEADS),
    st.text(st.sampled_from("ab \n\u00e9"), max_size=16),
    st.integers(0, 16),
    st.integers(0, 16),
)
def test_a_region_that_ends_before_the_text_does_is_searched_on_the_core_as_regex_searches_it(pattern, text, a, b):
    low, high = sorted((min(a, len(text)), min(b, len(text))))
    core = native_pattern(pattern, "<>", backtracking=cleantext.native.BACKTRACK_ALWAYS)
    if core is None:
        return  # a pattern the core does not take ("a$" also matches before a last line break)
    found = core.replacements(native_text(text), low, high)
    expected = [(match.start(), match.end(), "<>") for match in regex.finditer(pattern, text, pos=low, endpos=high)]
    assert found is None or found == expected
    if text.isascii() and pattern in REGION_PATTERNS:
        assert found is not None  # a region that ends early is the core's too, but for look-aheads


@needs_native
def test_the_screen_drops_a_rule_of_the_head_that_finds_nothing_there():
    plan = built_in_plan()
    (leading,) = [unit for unit in plan.units if unit.label == "whitespace.leading-blank-lines"]
    check = leading.screen_check()
    assert quiet("Title\n\nBody.\n", [(check, ())]) == [0]
    assert quiet("\n\nTitle\n\nBody.\n", [(check, ())]) == []


CHARMAP_RULES = [rule for rule in BUILT_IN if rule.kind == "charmap"]


@needs_native
@given(
    st.sampled_from(CHARMAP_RULES),
    st.text(st.sampled_from("a \n\u00e9\u2019\u201c\u00a0\ufb01\u2026\U0001d400\u200b\u0301"), max_size=24),
    st.integers(0, 24),
    st.integers(0, 24),
)
def test_a_character_map_finds_on_the_core_what_it_finds_on_python_in_any_span(rule, text, a, b):
    low, high = sorted((min(a, len(text)), min(b, len(text))))
    native = find_charmap(rule, text, low, high, None)
    assert native == on_python(find_charmap, rule, text, low, high, None)


@needs_native
def test_every_stage_runs_on_the_core_which_evaluates_the_inline_and_character_map_steps_whole():
    stages, plan = Pipeline.load()._stages_for("file")
    assert all(plan.native_run(steps) is not None for _, steps in stages)
    assert not cleantext.plan.Plan([]).native_run([])
    # Prepare, normalize and layout are such steps but for a few (runs of spaces, NFC, doubled quotes, the
    # lexicon, blank lines); repair (ftfy) and strip (lines and blocks) are Python's to evaluate, where the
    # run's screen lets them.
    whole = {stage: sum(step.runs_natively for step in steps) >= 0.75 * len(steps) for stage, steps in stages}
    assert whole == {"repair": False, "prepare": True, "normalize": True, "strip": False, "layout": True}


def evaluations(result):
    """Each step's evaluations and changes (the screen's own count aside)."""
    timings = result.timings.items()
    return {label: (timing.evaluations, timing.changes) for label, timing in timings if label != "screen"}


@needs_native
def test_a_run_screens_the_steps_it_hands_to_python_as_the_plans_screen_does():
    # The run asks each such step's check alone, on the text as it is when the run reaches the step; the
    # plan's screen (the run loop's in Python, without the core's run) asks the same checks after each
    # change, and remembers what it found (here on every text, from 0 characters on). Line steps are
    # evaluated one by one here, as the plan's screen has them (a line pass finds them all on one text).
    pipeline = Pipeline.load()
    stages, _ = pipeline._stages_for("file")
    whole = {step.label for _, steps in stages for step in steps if step.runs_natively}  # quiet ones go uncounted

    def python_evaluations(result):
        return {label: counts for label, counts in evaluations(result).items() if label not in whole}

    sample = [(name, data) for name, data in same_output_sample() if len(data) < 20_000]
    one_by_one = unittest.mock.patch.object(cleantext.steps.LineStep, "judges_lines_alone", False)
    for name, data in sample[:60]:
        try:
            with one_by_one:
                by_run = pipeline.clean(data, name=name)
        except cleantext.InputError:
            continue
        with (
            one_by_one,
            unittest.mock.patch.object(Pipeline, "_stages_on_core", return_value=None),
            unittest.mock.patch.object(cleantext.plan, "REMEMBER_CHARS", 0),
        ):
            by_screen = pipeline.clean(data, name=name)
        assert by_run.text == by_screen.text, name
        assert python_evaluations(by_run) == python_evaluations(by_screen), name
        assert "screen" in by_run.timings or not python_evaluations(by_run), name


# Lines the line steps of a row remove (promos, credits and widgets, each a row of steps that judge
# lines alone), lines next to which a removal makes a table (two lines of as many cells), and content.
PASS_LINES = [
    "The first paragraph holds a sentence of content.",
    "\u201cQuoted,\u201d she said -- on a -20C day.",
    "By Tuesday, the river had risen by two metres.",
    "Sign up for our newsletter",
    "Subscribe now",
    "Download our app",
    "Photo: Reuters",
    "Copyright 2024 Example News. All rights reserved.",
    "Advertisement",
    "Share this article",
    "Follow us on Twitter",
    "Related: Ukraine war latest",
    "Home | News | Sport",
    "Share | Tweet | Email",
    "Topics: Ukraine, Russia",
    "* * *",
    "",
]
TABLE_AFTER_A_REMOVAL = (
    "The first paragraph holds a sentence.\nHome | News | Sport\nShare this article\nShare | Tweet | Email\nMore.\n"
)


def line_pass_everywhere():
    """The line pass on texts of any length (it starts at ``LINE_PASS_CHARS``, beyond these tests' texts)."""
    return unittest.mock.patch.object(cleantext.pipeline, "LINE_PASS_CHARS", 0)


def one_by_one():
    """Line steps evaluated one by one, each on the text the one before left: the reference of a line pass."""
    return unittest.mock.patch.object(cleantext.steps.LineStep, "judges_lines_alone", False)


@needs_native
@given(st.lists(st.sampled_from(PASS_LINES), min_size=1, max_size=12), st.booleans())
@example([TABLE_AFTER_A_REMOVAL.removesuffix("\n")], True)
@example(["Content here.", "", "Share this article", "Advertisement"], False)
@example(["Content.", "Sign up for our newsletter", "Subscribe now", "Download our app", "More."], True)
def test_a_line_pass_cleans_as_one_pass_per_step_does(lines, final_break):
    # The steps of a row are found on one text and their removals applied at once, where that makes what
    # each step's own pass, on the text the last one left, makes: the same text, edits and metadata.
    text = "\n".join(lines) + ("\n" if final_break else "")
    pipeline = line_pass_pipeline()
    with one_by_one():
        reference = outcome(pipeline, "t", text)
    with line_pass_everywhere():
        assert outcome(pipeline, "t", text) == reference


@functools.lru_cache(maxsize=1)
def line_pass_pipeline():
    return Pipeline.load()


@needs_native
@pytest.mark.parametrize("packed", [False, True])
def test_a_long_text_past_the_line_pass_threshold_cleans_as_one_pass_per_step_does(packed):
    # Boilerplate between paragraphs, as in articles; or packed, where removals of different rules touch.
    shuffled = random.Random(18)
    if packed:
        lines = [shuffled.choice(PASS_LINES) for _ in range(cleantext.pipeline.LINE_PASS_CHARS // 15)]
    else:
        lines = [
            line
            for _ in range(cleantext.pipeline.LINE_PASS_CHARS // 60)
            for line in (PASS_LINES[0], shuffled.choice(PASS_LINES[3:]))
        ]
    text = "\n".join(lines) + "\n"
    assert len(text) >= cleantext.pipeline.LINE_PASS_CHARS
    pipeline = line_pass_pipeline()
    passes = []
    apply = cleantext.steps.LinePass.apply

    def spy(line_pass, document, changed):
        passes.append(len(line_pass.taken))
        return apply(line_pass, document, changed)

    with unittest.mock.patch.object(cleantext.steps.LinePass, "apply", spy):
        made = outcome(pipeline, "long", text)
    # Apart, a pass applies several steps' removals; packed, most steps' removals touch another's.
    assert max(passes) >= (1 if packed else 3)
    with one_by_one():
        assert made == outcome(pipeline, "long", text)


@needs_native
def test_a_line_pass_applies_a_rows_removals_at_once():
    text = "Content.\nSubscribe now\nMore content.\nDownload our app\nEnd.\n"
    applied = []
    apply_tagged = cleantext.Document.apply_tagged

    def spy(document, replacements):
        applied.append(sorted({rule.id for *_, rule in replacements}))
        return apply_tagged(document, replacements)

    with line_pass_everywhere(), unittest.mock.patch.object(cleantext.Document, "apply_tagged", spy):
        result = line_pass_pipeline().clean(text)
    assert result.text == "Content.\nMore content.\nEnd.\n"
    assert ["promos.app-prompt", "promos.subscribe"] in applied
    assert result.timings["promos.subscribe"].changes == 1 and result.timings["promos.subscribe"].evaluations == 1


@needs_native
def test_a_line_pass_leaves_a_line_next_to_a_removal_to_the_text_that_removal_leaves():
    # Once "Share this article" is gone, the two menus stand one under the other: a table, which
    # removal rules leave. The breadcrumbs rule, in the same row, must see that text, not the one before.
    with line_pass_everywhere():
        result = line_pass_pipeline().clean(TABLE_AFTER_A_REMOVAL)
    assert result.text == "The first paragraph holds a sentence.\nHome | News | Sport\nShare | Tweet | Email\nMore.\n"
    with one_by_one():
        assert line_pass_pipeline().clean(TABLE_AFTER_A_REMOVAL).text == result.text


@needs_native
def test_a_line_pass_is_not_made_where_an_earlier_edit_spans_the_gap_between_two_removals():
    stages, _ = line_pass_pipeline()._stages_for("file")
    steps = {step.label: step for _, row in stages for step in row}
    subscribe, app = steps["promos.subscribe"], steps["promos.app-prompt"]
    for upper_case, made in ((False, [1, 1]), (True, None)):
        document = Document("Subscribe now\nab\nDownload our app\n")
        if upper_case:  # one edit from the first line to the third: one pass would join both removals to it
            document.apply([(10, 20, "NOW\nAB\nDOW")], rule=RuleRef("test.upper", "test"))
        text = document.text
        line_pass = LinePass(text)
        assert line_pass.take(0, subscribe, [(0, 14, "", subscribe.rule.ref)])
        assert not line_pass.take(1, app, [(13, 20, "", app.rule.ref)])  # it touches the first removal
        assert line_pass.take(1, app, [(17, 34, "", app.rule.ref)])
        assert line_pass.apply(document, lambda *_: None) == made
        assert document.text == (text if made is None else "ab\n")


@pytest.mark.parametrize("on_core", [False, True])
def test_an_edit_bridges_a_gap_only_where_its_text_reaches_past_both_ends(on_core):
    if on_core and native is None:
        pytest.skip("the native core is not built or not active")
    document = Document("ab\ncd\nef\ngh")
    ref = RuleRef("test.join", "test")
    if on_core:
        document.apply([(1, 8, "B\nCD\nE")], rule=ref)
    else:
        document.apply_in_python([(1, 8, "B\nCD\nE", ref)])
    assert type(document._edits) is (list if not on_core else native.EditLog)
    assert document.text == "aB\nCD\nE\ngh"
    assert document.bridges([(3, 5)])  # the edit's text is 1..8: it reaches past 3..5 on both sides
    assert not document.bridges([(0, 2)])  # it starts inside
    assert not document.bridges([(7, 9)])  # it ends inside
    assert not document.bridges([(9, 10)])  # after it
    assert document.bridges([(0, 1), (4, 6)])  # the second gap


@needs_native
def test_a_run_passes_over_a_step_for_python_whose_check_finds_nothing():
    # Each line holds "by", the trigger of the byline rules; only the first is a byline.
    text = "By Jane Smith\n\nBy Tuesday, the river had risen by two metres.\n"
    pipeline = Pipeline.load()
    with unittest.mock.patch.object(cleantext.plan.Plan, "screen", side_effect=AssertionError("the plan's screen")):
        result = pipeline.clean(text)
    assert result.text == "By Tuesday, the river had risen by two metres.\n"
    assert result.timings["bylines.by-name"].changes == 1
    assert "bylines.by-handle" not in result.timings  # its trigger holds ("by"), its check finds nothing
    assert result.timings["screen"].evaluations >= 1


@needs_native
def test_a_long_text_is_cleaned_as_the_python_engine_cleans_it_its_versions_decoded_from_their_utf8():
    # From 1 Mi characters on, the core makes each new version of a text from its spliced UTF-8.
    paragraph = "\u201cQuoted\u201d \u2014 caf\u00e9, Stra\u00dfe \U0001f600 -- on a -20C day.\n\nBy Jane Smith\n\n"
    text = paragraph * (2**20 // len(paragraph) + 1)
    native_engine, python_engine = engines()
    result = native_engine.clean(text)
    assert "\u201c" not in result.text and "-20 \u00b0C" in result.text and len(result.text) < len(text) / 2
    assert bytes(native.core_utf8(result.text)) == result.text.encode("utf-8")
    assert outcome(native_engine, "t", text) == on_python(outcome, python_engine, "t", text)


@needs_native
def test_many_off_topic_lines_in_a_long_text_with_words_outside_ascii_are_judged_on_the_core():
    # Past a million characters, more candidates than are searched one by one: the whole text split
    # into words once (strip.split_verdicts), on the core, as Python would.
    rng = random.Random(7)
    body = (
        "The caf\u00e9 council in Orl\u00e9ans voted on Tuesday to keep the old tram depot open through "
        "the winter, reversing a decision taken in the spring to close it for repairs. The vote was unanimous.\n\n"
    )
    # Pairs of teasers of made-up words (two short blocks: a lone one would pass for a section heading).
    teasers = [" ".join("".join(rng.choices("bcdfghklmnprstvz", k=3)) + "ov" for _ in range(4)) for _ in range(60)]
    parts = []
    for number in range(2**20 // len(body) + 1):
        parts.append(body)
        if number % 180 == 1 and teasers:
            parts.append(teasers.pop().capitalize() + "\n\n" + teasers.pop().capitalize() + "\n\n")
    text = "".join(parts)
    assert len(text) > 2**20 and not teasers
    rule = next(rule for rule in BUILT_IN if rule.id == "offtopic.short-block")
    removals = strip._offtopic_on_core(rule, text, 0, len(text), rule.max_words)
    assert removals is not None and len(removals) > strip.OFFTOPIC_SEARCHED_BLOCKS
    assert removals == on_python(strip.find_offtopic, rule, text, 0, len(text), None)


@needs_native
def test_a_run_on_the_core_cleans_as_the_python_engine_and_every_step_do():
    native_engine, python_engine = engines()
    every_step = Pipeline.load(triggers="off")
    texts = [
        # Steps the run evaluates (quotes, dashes, units) between steps it hands to Python (the lexicon,
        # doubled quotes, NFC), and an inline rule applied again (nested guillemets).
        "\u201cIt\u2019s -20C\u201d in Kiev \u2014 says Zelenskiy\u2026 ''quoted'' cafe\u0301 "
        "\u00aba \u00abb\u00bb c\u00bb 5m tall\n",
        "Plain ASCII with nothing to change.\n",
        "Tabs\tand\u00a0spaces \u200b and a lone surrogate \ud800 the core leaves to Python: \u201cx\u201d\n",
        "",
    ]
    for text in texts:
        expected = on_python(outcome, python_engine, "t", text)
        assert outcome(native_engine, "t", text) == expected == outcome(every_step, "t", text), text
    # Rules of a text's first or last paragraph (blank lines, the final line break), in a window of a
    # longer document that goes on before it, after it, or both (no head, no tail there).
    text = "\n\nFirst \u201cparagraph\u201d.\n\n\n\nLast one\u2026"
    for continues in [(False, False), (True, False), (False, True), (True, True)]:
        on_core, on_python_engine = Document(text, continues=continues), Document(text, continues=continues)
        native_engine.run(on_core)
        on_python(python_engine.run, on_python_engine)
        assert (on_core.text, on_core.edit_rows()) == (on_python_engine.text, on_python_engine.edit_rows()), continues


@needs_native
def test_the_steps_a_run_evaluates_are_timed_and_counted():
    text = "\u201cIt\u2019s -20C\u201d in Kiev\n" * 200  # long enough for every stage to run
    timings = Pipeline.load().clean(text).timings
    assert timings["typography.double-quotes"].evaluations == 1
    assert timings["typography.double-quotes"].changes == 400
    assert timings["units.temperature-signed"].changes == 200
    # A step whose trigger does not hold is not evaluated, in the run as elsewhere.
    assert "units.metres" not in timings
    # Nor, as with the screen, one that a check finds nothing for (triggers hold: digits, "c", "km").
    quiet_text = "In 2024 the C-suite met 5 times, about 3 km away.\n" * 100
    assert set(Pipeline.load().clean(quiet_text).timings) == {"screen"}


OFFTOPIC_RULES = [rule for rule in BUILT_IN if rule.kind == "offtopic"]
OFF_TOPIC_WORDS = [*SHORT_LINE_WORDS, "Privacy", "Newsletter", "Dear", "parents,", "Hours:", "9", "x", "Tram"]


def article_with_off_topic_lines(words, most_blocks=12):
    """Articles of long paragraphs and short lines of ``words``, some lone, some in runs, some of several lines."""
    line = st.lists(st.sampled_from(words), min_size=1, max_size=7).map(" ".join)
    return st.lists(
        st.sampled_from(OFFTOPIC_ARTICLE) | line | st.lists(line, min_size=2, max_size=3).map("\n".join),
        min_size=3,
        max_size=most_blocks,
    ).map("\n\n".join)


# Most texts the core judges have only ASCII letters; the others are Python's.
ARTICLE_WITH_OFF_TOPIC_LINES = article_with_off_topic_lines(
    [word for word in OFF_TOPIC_WORDS if word.isascii()]
) | article_with_off_topic_lines(OFF_TOPIC_WORDS)


def python_offtopic(rule, text, low, high):
    """``strip.find_offtopic`` judged in Python, the core's reference."""
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(strip, "_offtopic_on_core", lambda *_: None)
        return strip.find_offtopic(rule, text, low, high, None)


@needs_native
@given(ARTICLE_WITH_OFF_TOPIC_LINES, st.sampled_from(OFFTOPIC_RULES), st.integers(0, 400), st.integers(0, 400))
def test_the_core_removes_the_off_topic_blocks_python_removes(text, rule, head, tail):
    low, high = min(head, len(text)), max(min(head, len(text)), len(text) - tail)
    assert strip.find_offtopic(rule, text, low, high, None) == python_offtopic(rule, text, low, high)


# More short lines than the core looks up the words of before it asks the patterns (16), in runs of
# one to three between paragraphs.
MANY_OFF_TOPIC_LINES = st.lists(
    st.tuples(
        st.sampled_from(OFFTOPIC_ARTICLE),
        st.lists(
            st.lists(st.sampled_from(OFF_TOPIC_WORDS), min_size=1, max_size=6).map(" ".join), min_size=1, max_size=3
        ).map("\n\n".join),
    ),
    min_size=8,
    max_size=24,
).map(lambda pairs: "\n\n".join(block for pair in pairs for block in pair))


@needs_native
@given(MANY_OFF_TOPIC_LINES | article_with_off_topic_lines(OFF_TOPIC_WORDS, most_blocks=40))
def test_the_core_removes_what_python_removes_from_an_article_of_many_short_lines(text):
    rule = next(rule for rule in OFFTOPIC_RULES if rule.id == "offtopic.short-block")
    assert strip.find_offtopic(rule, text, 0, len(text), None) == python_offtopic(rule, text, 0, len(text))


@needs_native
def test_the_core_judges_an_article_with_the_letters_python_reads_as_it_does():
    first, second, third = OFFTOPIC_ARTICLE
    rule = next(rule for rule in OFFTOPIC_RULES if rule.id == "offtopic.short-block")
    shape = cleantext.native.native_span_pattern(rule.pattern)
    guards = [cleantext.native.native_span_pattern(guard.pattern) for guard in rule.guards]
    judge = functools.partial(cleantext.native.offtopic_removals, shape, guards, min_words=2, max_words=12)
    text = f"{first}\n\nSeven hiking boots worth buying\n\n{second}\n\nWinter depot tours\n\n{third}\n"
    removed = judge(text, 0, len(text))
    assert [text[start:end] for start, end in removed] == ["Seven hiking boots worth buying\n"]
    assert [(start, end, "") for start, end in removed] == python_offtopic(rule, text, 0, len(text))
    for letter in ("\u00ef", "\ud55c", "\u212a"):  # letters outside ASCII, the Kelvin sign too
        other = text.replace("hiking", f"h{letter}king").replace("depot tours", f"d{letter}pot tours")
        assert [(start, end, "") for start, end in judge(other, 0, len(other))] == python_offtopic(
            rule, other, 0, len(other)
        )
    # A capital sigma lowers by what follows it; Python's str.isalpha and regex's \p{L} part on U+0558.
    for letter in ("\u03a3", "\u0558"):
        assert judge(text.replace("hiking", f"h{letter}king"), 0, len(text)) is None
    assert judge(text, len(first) + 2, len(text)) == removed  # the regions a rule's where gives
    assert judge(text, len(first) + 4, len(text)) == []


@needs_native
def test_the_screen_drops_the_repeat_rule_where_no_original_in_its_regions_is_repeated():
    pipeline = engines()[0]
    body = "Body text that goes on.\n\nMore body text here.\n\nAnd a third paragraph.\n\n"
    late = f"{body}A Title, Right Here\n\nBody.\n\na title right here!\n"  # the original is the fourth block
    short = "Title Here\n\nBody text that goes on.\n\ntitle here\n"  # two words, the rule asks for four
    for text in (late, short):
        assert "repeats.title-or-standfirst" in {unit.label for unit, _ in screened_out(pipeline, text)}
        assert pipeline.clean(text).text == text


REPEAT_BLOCKS = st.lists(
    st.sampled_from(["A Title, Right Here", "a title right here!", "Title Here", "TITLE here", "Body text goes on."])
    | st.sampled_from(OFFTOPIC_ARTICLE),
    min_size=2,
    max_size=7,
).map("\n\n".join)


@needs_native
@given(REPEAT_BLOCKS)
def test_a_repeat_rule_the_screen_drops_finds_nothing(text):
    assert_steps_the_screen_drops_find_nothing(text, "repeat")


# Rules and guards whose patterns have word boundaries, as line and block rules search them.
BOUNDED_PATTERNS = sorted(
    {rule.pattern for rule in BUILT_IN if "\\b" in getattr(rule, "pattern", "")}
    | {guard.pattern for rule in BUILT_IN for guard in getattr(rule, "guards", ()) if "\\b" in guard.pattern}
)


@needs_native
@given(
    st.sampled_from(BOUNDED_PATTERNS),
    st.lists(st.sampled_from(EXAMPLE_LINES) | st.text(st.sampled_from(TRICKY), max_size=6), min_size=1, max_size=3),
    st.sampled_from(["é", "ü", "\u0436", "\ud55c", "٣", "ſ"]),
)
def test_a_line_with_word_characters_outside_ascii_is_searched_as_python_searches_it(pattern, pieces, letter):
    # The automata's \b is ASCII's: such a line is searched with the pattern's Unicode form.
    span = " ".join(pieces).replace("e", letter).replace("\n", " ")
    first = cleantext.native.native_span_pattern(pattern).first(span)
    if first is not None:
        assert bool(first) == (regex.search(pattern, span) is not None)


@needs_native
def test_a_guard_with_word_boundaries_is_searched_on_the_core_in_a_line_of_korean():
    guard = next(
        guard for rule in BUILT_IN for guard in getattr(rule, "guards", ()) if guard.name == "article-structure"
    )
    core = cleantext.native.native_span_pattern(guard.pattern)
    for line in ("\uce7c\ub7fc\ub2c8\uc2a4\ud2b8 \ubc15\uc0dd\uac15", "Einrichtungs\u00fcbergreifende Intransparenzen"):
        assert core.first(line) == []
        assert regex.search(guard.pattern, line) is None


@needs_native
def test_consecutive_character_maps_apart_are_one_pass_with_each_edit_of_its_own_rule():
    text = "\u201c\u2018Quoted\u2019\u201d, she said: \u201cit\u2019s fine\u201d.\n"
    fused, every_step = Pipeline.load(), Pipeline.load(triggers="off")
    assert outcome(fused, "t", text) == outcome(every_step, "t", text)
    result = fused.clean(text)
    assert result.text == '"\'Quoted\'", she said: "it\'s fine".\n'
    assert {edit.rule for edit in result.edits} == {"typography.double-quotes", "typography.single-quotes"}


def _with_and_without_triggers(tmp_path, pack_text):
    """A pipeline of this pack alone, and the same with every step evaluated."""
    pack = tmp_path / "maps.toml"
    pack.write_text(pack_text, encoding="utf-8")
    return Pipeline.load(packs=[], extra=[pack]), Pipeline.load(packs=[], extra=[pack], triggers="off")


@needs_native
def test_a_character_map_that_puts_in_what_the_next_maps_is_not_fused_with_it(tmp_path):
    on, off = _with_and_without_triggers(
        tmp_path,
        '[[rule]]\nid = "mine.first"\ncategory = "typography"\nkind = "charmap"\nmap = { "\\u00e0" = "\\u00e8" }\n'
        'description = "d"\n\n'
        '[[rule]]\nid = "mine.second"\ncategory = "typography"\nkind = "charmap"\nmap = { "\\u00e8" = "e" }\n'
        'description = "d"\n',
    )
    text = "\u00e0 la \u00e8re.\n"
    assert on.clean(text).text == "e la ere.\n"
    assert outcome(on, "t", text) == outcome(off, "t", text)


@needs_native
def test_character_maps_that_change_what_an_earlier_edit_put_in_are_evaluated_in_turn(tmp_path):
    # One pass would give the merged edit its rules by position (single, then double quotes);
    # one map after the other gives them by map, as every step evaluated does.
    on, off = _with_and_without_triggers(
        tmp_path,
        '[[rule]]\nid = "mine.put"\ncategory = "typography"\nkind = "inline"\npattern = "Q"\n'
        'replacement = "\\u2018\\u201c"\ndescription = "d"\n\n'
        '[[rule]]\nid = "mine.double"\ncategory = "typography"\nkind = "charmap"\nmap = { "\\u201c" = "\\"" }\n'
        'description = "d"\n\n'
        '[[rule]]\nid = "mine.single"\ncategory = "typography"\nkind = "charmap"\nmap = { "\\u2018" = "\'" }\n'
        'description = "d"\n',
    )
    text = "He said Q and \u201cso\u201d, \u2018then\u2019.\n"
    result = on.clean(text)
    assert result.text == "He said '\" and \"so\u201d, 'then\u2019.\n"
    assert result.edits[0].rules == ("mine.put", "mine.double", "mine.single")
    assert outcome(on, "t", text) == outcome(off, "t", text)


# Spellings that start alike and one inside another, a protected expression, word characters
# in and outside ASCII around them ("é", "_", "1"), characters that are none (a curly quote, a
# dash), a character whose UTF-8 is longer than its one code point, and a spelling outside ASCII.
LEXICON_RULES = (
    LexiconRule(
        id="t.kyiv",
        category="names",
        canonical="Kyiv",
        variants=("Kiev", "Kievan", "Kiew", "Kyïv"),
        protected=("chicken Kiev",),
    ),
    LexiconRule(id="t.zelenskyy", category="names", canonical="Zelenskyy", variants=("Zelensky", "Zelenskiy")),
    LexiconRule(id="t.iv", category="names", canonical="IV", variants=("Iv",)),
    LexiconRule(id="t.rus", category="names", canonical="Rus'", variants=("Rus", "Kiev Rus")),
)
LEXICON_PIECES = [
    "Kiev",
    "Kyïv",
    "Kievan",
    "Kiew",
    "KIEV",
    "Zelensky",
    "Zelenskiy",
    "Zelenskyy",
    "Iv",
    "chicken ",
    "Rus",
    " ",
    "\n",
    ",",
    "a",
    "é",
    "_",
    "1",
    "\u2019",
    "\u2014",
    "\U0001f600",
]


@needs_native
@given(
    st.lists(st.sampled_from(LEXICON_PIECES), max_size=40).map("".join),
    st.integers(0, 8),
    st.integers(0, 8),
)
def test_the_core_finds_a_lexicon_s_spellings_where_python_s_trie_does(text, cut_start, cut_end):
    lexicon = Lexicon(LEXICON_RULES)
    low, high = min(cut_start, len(text)), max(min(cut_start, len(text)), len(text) - cut_end)
    assert lexicon.find(text, low, high, None) == lexicon.find_in_python(text, low, high)
    assert lexicon._core  # the core judged it


@needs_native
@pytest.mark.parametrize(
    ("text", "high", "expected"),
    [
        ("Kievan", 4, [(0, 4, "Kyiv")]),  # a spelling that ends where the region does
        ("aKiev Rus Ivan", 14, [(6, 9, "Rus'")]),  # inside a word: the search goes on from the next character
        ("Kiev Rus Rus", 12, [(0, 8, "Rus'"), (9, 12, "Rus'")]),  # not again inside a replacement
        ("chicken Kiev, Kiev", 18, [(14, 18, "Kyiv")]),  # protected
        ("Kyïv, Kyïvan Kiev", 17, [(0, 4, "Kyiv"), (13, 17, "Kyiv")]),  # a spelling outside ASCII
    ],
)
def test_the_core_s_lexicon_replaces_what_python_s_trie_does(text, high, expected):
    lexicon = Lexicon(LEXICON_RULES)
    found = [(start, end, new) for start, end, new, _ in lexicon.find(text, 0, high, None)]
    assert found == expected == [(start, end, new) for start, end, new, _ in lexicon.find_in_python(text, 0, high)]
    # A lexicon travels to worker processes without the core's finder, which is made there again.
    assert pickle.loads(pickle.dumps(lexicon)).find(text, 0, high, None) == lexicon.find(text, 0, high, None)


SEEDS = pathlib.Path(__file__).resolve().parent.parent / "seeds"
SEED_TEXTS = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]


@needs_native
def test_steps_prepared_on_threads_are_built_before_their_first_document():
    # What clean_many(jobs=2) does before its first batch: the forms of the steps whose triggers
    # hold on the batch, built on two threads. Cleaning the batch then builds almost nothing more
    # (only steps that an earlier step's edit triggers), and cleans it as an unprepared pipeline does.
    expected = [outcome(Pipeline.load(), None, text) for text in SEED_TEXTS]
    cleantext.native._compiled.cache_clear()
    pipeline = Pipeline.load()
    pipeline._prepare_for([(text, None, None, None) for text in SEED_TEXTS], threads=2)
    prepared = cleantext.native._compiled.cache_info().misses
    assert prepared >= 30
    assert [outcome(pipeline, None, text) for text in SEED_TEXTS] == expected
    assert cleantext.native._compiled.cache_info().misses - prepared <= 3


@needs_native
def test_patterns_built_on_several_threads_at_once_find_what_they_find_alone():
    # The core builds a pattern's automata without the interpreter's lock.
    sources = [rf"(?i){word}[\p{{L}}\p{{M}}]{{0,40}}" for word in ("alpha", "beta", "gamma", "delta", "omega")]
    plain = "Alpha Betaine, gammaray; DELTAS omega."
    text = native_text(plain)
    alone = [native_pattern(source, "<>").replacements(text, 0, len(plain)) for source in sources]
    translated = [cleantext.translate.translate(source).pattern for source in sources]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        built = list(pool.map(lambda source: native.Pattern(source, ["<>"]), translated))
    assert all(alone)
    assert [pattern.replacements(text, 0, len(plain)) for pattern in built] == alone
