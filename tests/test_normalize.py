"""Inline rule kinds: inline regex, charmap, Unicode normalization and lexicon."""

import dataclasses
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleantext import Pipeline
from cleantext.normalize import find_lexicon, find_unicode, unstable_characters
from cleantext.rules import LexiconRule, UnicodeRule

NFC = UnicodeRule(id="t.nfc", category="t", stage="normalize", action="replace", description="", form="NFC")


def test_nfc_replaces_only_the_runs_that_change():
    text = "cafe\u0301 and Å (\u212b) stay apart\nplain line"
    found = find_unicode(NFC, text, 0, len(text), None)
    assert [(text[s:e], new) for s, e, new in found] == [("e\u0301", "\u00e9"), ("\u212b", "\u00c5")]


def test_nfc_of_hangul_jamo_and_text_already_normal():
    text = "\u1100\u1161\u11a8"
    found = find_unicode(NFC, text, 0, len(text), None)
    assert found == [(0, 3, unicodedata.normalize("NFC", text))]
    assert find_unicode(NFC, "already fine é", 0, 14, None) == []


def test_nfc_result_is_normalized_for_reordered_marks():
    text = "a\u0323\u0302 q\u0307\u0323"
    pipeline = Pipeline.load(packs=["typography"])
    assert pipeline.clean(text).text == unicodedata.normalize("NFC", text)


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_the_unstable_characters_of_a_form_are_those_it_changes_moves_or_composes(form):
    unstable = unstable_characters(form)
    # A mark (moved, composed), a singleton (the Angstrom sign), each with its normal form.
    assert {"\u0301", "\u212b"} <= unstable.keys()
    assert all(unstable[character] == unicodedata.normalize(form, character) for character in unstable)
    # A Hangul vowel composes with a consonant before it; a Hangul syllable or an accented letter decomposes.
    assert ("\u1161" in unstable) == (form == "NFC")
    assert ("\uac00" in unstable) == ("\u00e9" in unstable) == (form == "NFD")
    # Letters and punctuation the form leaves as they are, in any company.
    assert not {"a", "\u2019", "\u00a0", "\u4e2d"} & unstable.keys()


@pytest.mark.parametrize("form", ["NFC", "NFKC", "NFD"])
@given(data=st.data())
def test_a_text_of_stable_characters_is_in_the_form_already(form, data):
    unstable = unstable_characters(form)
    # Any characters, and those a composing form could join: consonants, syllables, bases of marks.
    stable = st.characters(exclude_categories=("Cs",)) | st.sampled_from("e\u00e9A\u1100\u1112\uac00\uac01 ")
    text = data.draw(st.text(stable.filter(lambda character: character not in unstable), max_size=40))
    assert unicodedata.is_normalized(form, text)


def test_a_text_with_an_unstable_character_is_normalized_through_the_pipeline():
    pipeline = Pipeline.load(packs=["whitespace", "typography"])
    for text in ("cafe\u0301\n", "\u1100\u1161 \u212b\n", "plain \u00e9 and \u2019\n"):
        assert pipeline.clean(text).text == unicodedata.normalize("NFC", text).replace("\u2019", "'")


LEXICON = LexiconRule(
    id="names.kyiv",
    category="names",
    stage="normalize",
    action="replace",
    description="",
    canonical="Kyiv",
    variants=("Kiev",),
    protected=("chicken Kiev", "Kievan Rus"),
)


def test_lexicon_replaces_whole_words_keeps_capitals_and_skips_protected_expressions():
    text = "Kiev, KIEV and Kiev's chicken Kiev; Kievan Rus; Kievskaya"
    found = find_lexicon(LEXICON, text, 0, len(text), None)
    assert [(text[s:e], new) for s, e, new in found] == [("Kiev", "Kyiv"), ("KIEV", "KYIV"), ("Kiev", "Kyiv")]


def test_inline_replacement_templates_expand_groups(tmp_path):
    pack = tmp_path / "units.toml"
    pack.write_text(
        """
[[rule]]
id = "units.km"
category = "units"
kind = "inline"
pattern = '''(?<=\\d)(km)\\b'''
replacement = " \\\\1"
description = "space before km"
""",
        encoding="utf-8",
    )
    pipeline = Pipeline.load(packs=["whitespace"], extra=[pack])
    result = pipeline.clean("It flew 10km.")
    assert result.text == "It flew 10 km.\n"
    assert result.edits[0].rule == "units.km"


def test_a_lexicon_takes_a_spelling_of_over_a_thousand_characters():
    # Its trie is as deep as the spelling is long (found by the fuzz target: it once recursed past Python's limit).
    spelling = "ab" * 700
    rule = LexiconRule(id="t.long", category="names", canonical="X", variants=(spelling,), protected=(spelling + " c",))
    text = f"x {spelling} y, {spelling} c"
    assert find_lexicon(rule, text, 0, len(text), None) == [(2, 2 + len(spelling), "X")]


def test_the_lexicon_finds_exactly_what_a_whole_word_pattern_finds():
    import re

    from hypothesis import given
    from hypothesis import strategies as st

    from cleantext.normalize import _whole_words
    from cleantext.pipeline import Pipeline
    from cleantext.steps import LexiconStep

    stages = Pipeline.load()._stages_for("file")[0]
    lexicon = next(s.lexicon for _, steps in stages for s in steps if isinstance(s, LexiconStep))
    reference = re.compile(_whole_words(lexicon.replacements))
    spellings = sorted(lexicon.replacements)
    # Protected expressions too: a variant inside one is looked for around the variant only.
    protected = sorted({phrase for rule in lexicon.rules for phrase in rule.protected})
    pieces = st.one_of(
        st.sampled_from(spellings),
        st.sampled_from(protected),
        st.sampled_from(["", " ", "x", "_", "é", "-", "1", ". "]),
    )

    @given(st.lists(pieces, max_size=12))
    def check(parts):
        text = "".join(parts)
        expected = [m.span() for m in reference.finditer(text)]
        found = [(start, end) for start, end, _, _ in lexicon.find(text, 0, len(text), None)]
        guarded = [m.span() for m in lexicon.guard.finditer(text)] if lexicon.guard else []
        unguarded = [(s, e) for s, e in expected if not any(gs <= s and e <= ge for gs, ge in guarded)]
        assert found == unguarded

    check()


def _protected_at_every_position(lexicon, text, start, end, low, high):
    """A protected expression holds ``text[start:end]``: tried at every place it could start (the reference)."""
    return any(
        (held := lexicon.guard.match(text, position, high)) is not None and held.end() >= end
        for position in range(max(low, end - lexicon.reach), start + 1)
    )


KELVIN_SIGN, DOTLESS_I, LONG_S = "\u212a", "\u0131", "\u017f"

EXOTIC = dataclasses.replace(
    LEXICON,
    variants=("Kiev", "Kievs", "Kyjiw"),
    # Letters the guard takes for K, i and s, as the standard library's case-insensitive matching does.
    protected=(f"{KELVIN_SIGN}iev Rus", f"chicken K{DOTLESS_I}ev", f"Kiev{LONG_S} Fort", "Battle of Kyjiw Hill"),
)


@given(
    st.lists(
        st.sampled_from(["Kiev", "KIEV", "kiev", "Kievs", "Kyjiw", " ", "Rus", "chicken", "Fort", "Battle of", "Hill"])
        | st.sampled_from([KELVIN_SIGN, DOTLESS_I, LONG_S, "x", ", "]),
        max_size=10,
    ),
    st.integers(0, 3),
)
def test_a_variant_is_protected_exactly_where_a_protected_expression_around_it_matches(parts, trimmed):
    # The lexicon skips the guard for a spelling that no protected expression holds, and searches
    # only as far as one could reach: neither may change what a match at each place would tell.
    from cleantext.normalize import Lexicon

    lexicon = Lexicon([EXOTIC])
    text = " ".join(parts)
    low, high = min(trimmed, len(text)), max(min(trimmed, len(text)), len(text) - trimmed)
    for match in lexicon.matcher.finditer(text, low, high):
        start, end = match.span()
        expected = _protected_at_every_position(lexicon, text, start, end, low, high)
        assert lexicon._protected(text, start, end, low, high) == expected, (text, start, end)


def test_a_variant_in_a_protected_expression_written_with_other_letters_for_the_same_ones_stays():
    text = "Kiev Rus, chicken Kiev, Kievs Fort, KIEV RUS and Kiev"
    found = find_lexicon(EXOTIC, text, 0, len(text), None)
    assert [(text[s:e], s) for s, e, _ in found] == [("Kiev", text.rindex("Kiev"))]


def test_names_in_their_own_letters_stay_by_default_and_take_the_lexicon_spelling_in_ascii_style():
    source = "Wir fahren nach Düsseldorf und Zürich. São Paulo, Kraków. Zelensky met Erdoğan.\n"
    native = Pipeline.load().clean(source).text
    assert native == "Wir fahren nach Düsseldorf und Zürich. São Paulo, Kraków. Zelenskyy met Erdoğan.\n"
    ascii_style = Pipeline.load(names="ascii").clean(source).text
    assert ascii_style == "Wir fahren nach Duesseldorf und Zurich. Sao Paulo, Krakow. Zelenskyy met Erdogan.\n"


def test_a_field_keeps_its_end_and_a_file_gets_a_final_line_break():
    pipeline = Pipeline.load()
    assert pipeline.clean("One  two").text == "One two\n"
    assert pipeline.clean("One  two", layout="field").text == "One two"
    assert pipeline.clean("One  two\n\n\n", layout="field").text == "One two\n"
    assert Pipeline.load(layout="field").clean("One  two").text == "One two"
