"""Checks of the provenance contract and hypothesis strategies, for cleantext's own tests and users' suites.

Example::

    >>> import cleantext
    >>> source = "\\u201cKyiv\\u201d  said\\r\\n"
    >>> result = cleantext.clean(source)
    >>> assert_provenance(result, source)
    >>> replay(source, [edit.to_dict() for edit in result.edits]) == result.text
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cleantext.emit import Edit, Result
from cleantext.pipeline import Pipeline

__all__ = ["articles", "assert_idempotent", "assert_provenance", "replay"]


def replay(source: str, edits: Iterable[Edit | Mapping[str, Any]]) -> str:
    """Rebuild the clean text from the source and edits (objects or their JSON dicts)."""
    pieces = []
    copied = 0
    for edit in edits:
        start, end = edit.src if isinstance(edit, Edit) else edit["src"]
        after = edit.after if isinstance(edit, Edit) else edit["after"]
        pieces.append(source[copied:start])
        pieces.append(after)
        copied = end
    pieces.append(source[copied:])
    return "".join(pieces)


def assert_provenance(result: Result, source: str | None = None) -> None:
    """Assert invariants 1-3 and 5 of the provenance contract (docs/design.md) for ``result``.

    1. edits are sorted by ``src``, never overlap, ``before == source[src]`` and
       ``after == text[out]``; 2. replaying them over the source rebuilds the
    text; 3. ``out`` offsets are those the replay gives; 5. offsets map both ways.
    """
    source = result.source if source is None else source
    assert result.source == source, "result.source is not the text that was cleaned"
    text = result.text
    copied_src = copied_out = 0
    for number, edit in enumerate(result.edits):
        (s0, s1), (o0, o1) = edit.src, edit.out
        assert copied_src <= s0 <= s1 <= len(source), f"edit {number} {edit.src} is out of order or out of range"
        assert source[s0:s1] == edit.before, f"edit {number}: before is not source[{s0}:{s1}]"
        assert o0 == copied_out + (s0 - copied_src), f"edit {number}: out start {o0} does not follow from the replay"
        assert o1 - o0 == len(edit.after), f"edit {number}: out span length differs from after"
        assert text[o0:o1] == edit.after, f"edit {number}: after is not text[{o0}:{o1}]"
        assert edit.before != edit.after, f"edit {number} changes nothing"
        assert edit.rule and edit.rule in edit.rules, f"edit {number} has no rule"
        copied_out = o1
        copied_src = s1
    assert len(text) - copied_out == len(source) - copied_src, "the text after the last edit is not copied verbatim"
    assert replay(source, result.edits) == text, "replaying the edits does not rebuild the text"
    _assert_lookups(result)


def _assert_lookups(result: Result) -> None:
    source, text = result.source, result.text
    copied_src = copied_out = 0
    for edit in (*result.edits, None):
        # Between edits, every character maps to itself in both directions.
        src_end = edit.src[0] if edit else len(source)
        for offset in range(copied_src, src_end, max(1, (src_end - copied_src) // 4)):
            out = copied_out + offset - copied_src
            assert result.source_span(out, out + 1) == (offset, offset + 1), f"output {out} maps wrongly"
            assert result.output_span(offset, offset + 1) == (out, out + 1), f"source {offset} maps wrongly"
            assert source[offset] == text[out]
        if edit is None:
            break
        (s0, s1), (o0, o1) = edit.src, edit.out
        if s1 > s0:
            assert result.output_span(s0, s1) == (o0, o1), f"edit {edit.src} maps to the wrong output span"
        if o1 > o0:
            assert result.source_span(o0, o1) == (s0, s1), f"edit output {edit.out} maps to the wrong source span"
        copied_src, copied_out = s1, o1


def assert_idempotent(pipeline: Pipeline, text: str | bytes) -> None:
    """Assert that cleaning the clean output again changes nothing (invariant 4)."""
    first = pipeline.clean(text)
    second = pipeline.clean(first.text)
    assert second.text == first.text, f"cleaning twice changed the text: {first.text!r} -> {second.text!r}"
    assert not second.edits, f"cleaning the output again made edits: {[e.to_dict() for e in second.edits]}"


# Paragraphs already in the default canonical style (ASCII quotes, canonical
# names and units), each different from the others, none of them boilerplate.
CLEAN_PARAGRAPHS = (
    'Russia launched a record number of missiles at the grid, President Volodymyr Zelenskyy said on "Tuesday".',
    "Residents of Kyiv spent the night in metro stations as temperatures fell to {temp}.",
    "By Wednesday, engineers had restored heating to most of the 1,170 buildings in the capital.",
    "Volunteers sign up for shifts at the depot, where an advertisement offering free bread hangs in the window.",
    "The ministry issued a disclaimer about the figures, which it called provisional.",
    "Follow-up talks in Abu Dhabi are expected to begin on Thursday, officials in Kharkiv said.",
    'A photograph of the damage in Odesa showed a power plant "beyond repair", the mayor\'s office said.',
    "The second round of talks will cover energy facilities, prisoner swaps and a ceasefire line.",
)
TEMPERATURES = {"-20 °C": ("-20C", "minus 20C", "\u221220 \u00b0C", "-20 \u00b0C", "minus 20 degrees Celsius")}
NAME_VARIANTS = {
    "Zelenskyy": ("Zelenskyy", "Zelensky", "Zelenskiy", "Zelenksy"),
    "Kyiv": ("Kyiv", "Kiev"),
    "Kharkiv": ("Kharkiv", "Kharkov"),
    "Odesa": ("Odesa", "Odessa"),
}
BOILERPLATE = {
    "top": (
        "By Anthony Solly",
        "HOME > WORLD > EUROPE",
        "Advertisement",
        "Unlock the White House Watch newsletter for free",
    ),
    "middle": ("Advertisement", "Read more: Zelenskyy says Russia is choosing terror", "Share this article"),
    "bottom": (
        "Additional reporting by Raphael Minder in Warsaw",
        "\u00a9 2026 Example Media Ltd. All rights reserved.",
        "Explore more on these topics",
        "Suggested Topics:",
    ),
}


def articles(*, max_paragraphs: int = 6) -> Any:
    """A hypothesis strategy of ``(noisy_text, expected_clean_text)`` for the default pipeline.

    Articles are built from clean paragraphs, then made noisy the ways news text
    is: boilerplate lines at the top, between paragraphs and at the bottom, curly
    quotes and apostrophes, transliteration variants of names, temperatures in
    several forms, no-break spaces and Windows line endings. A correct cleaner
    turns the noisy text back into the clean one.

    >>> import cleantext
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20, deadline=None)
    ... @given(articles())
    ... def test_cleaning_restores_the_article(case):
    ...     noisy, expected = case
    ...     assert cleantext.clean(noisy).text == expected
    >>> test_cleaning_restores_the_article()
    """
    try:
        from hypothesis import strategies as st
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "cleantext.testing.articles() needs hypothesis: pip install 'cleantext-toolkit[testing]'",
            name="hypothesis",
        ) from None

    @st.composite
    def build(draw: Any) -> tuple[str, str]:
        indexes = draw(
            st.lists(st.integers(0, len(CLEAN_PARAGRAPHS) - 1), min_size=1, max_size=max_paragraphs, unique=True)
        )
        clean, noisy = [], []
        for index in indexes:
            paragraph = CLEAN_PARAGRAPHS[index]
            canonical_temp, temp_forms = next(iter(TEMPERATURES.items()))
            clean.append(paragraph.format(temp=canonical_temp))
            text = paragraph.format(temp=draw(st.sampled_from(temp_forms)))
            for canonical, variants in NAME_VARIANTS.items():
                text = text.replace(canonical, draw(st.sampled_from(variants)))
            if draw(st.booleans()):
                text = _curl(text)
            if draw(st.booleans()):
                text = text.replace(" ", "\u00a0", 1)
            noisy.append(text)
        blocks = [*draw(st.lists(st.sampled_from(BOILERPLATE["top"]), max_size=2, unique=True))]
        for position, text in enumerate(noisy):
            blocks.append(text)
            if position < len(noisy) - 1 and draw(st.booleans()):
                blocks.append(draw(st.sampled_from(BOILERPLATE["middle"])))
        blocks += draw(st.lists(st.sampled_from(BOILERPLATE["bottom"]), max_size=2, unique=True))
        separator = draw(st.sampled_from(["\n\n", "\r\n\r\n", "\n\n\n"]))
        return separator.join(blocks) + draw(st.sampled_from(["", "\n", "  \n\n"])), "\n\n".join(clean) + "\n"

    return build()


def _curl(text: str) -> str:
    """Typographic quotes in place of ASCII ones: what many sources publish."""
    out, double_open = [], True
    for position, character in enumerate(text):
        if character == '"':
            out.append("\u201c" if double_open else "\u201d")
            double_open = not double_open
        elif character == "'":
            before = text[position - 1] if position else " "
            out.append("\u2019" if before.isalnum() else "\u2018")
        else:
            out.append(character)
    return "".join(out)
