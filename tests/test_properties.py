"""Properties of the provenance contract on arbitrary text and bytes (docs/design.md, invariants 1-5)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cleantext
from cleantext import InputError, Pipeline
from cleantext.testing import articles, assert_idempotent, assert_provenance, replay
from tests.strategies import any_text, documents, noisy_text

DEFAULT = Pipeline.load()
CURLY = Pipeline.load(quotes="curly")
SCORED = Pipeline.load(enable=["scorer.boilerplate"])


@given(any_text)
def test_provenance_invariants_hold_on_any_text(text):
    result = DEFAULT.clean(text)
    assert_provenance(result, text)


@given(noisy_text)
def test_provenance_invariants_hold_with_curly_quotes(text):
    assert_provenance(CURLY.clean(text), text)


@given(any_text)
def test_cleaning_is_idempotent(text):
    assert_idempotent(DEFAULT, text)


@given(documents)
def test_documents_with_boilerplate_keep_the_contract_and_are_idempotent(text):
    assert_provenance(DEFAULT.clean(text), text)
    assert_idempotent(DEFAULT, text)


@given(documents)
def test_with_the_line_scorer_on_documents_keep_the_contract_and_are_idempotent(text):
    assert_provenance(SCORED.clean(text), text)
    assert_idempotent(SCORED, text)


@given(noisy_text)
def test_cleaning_with_curly_quotes_is_idempotent(text):
    assert_idempotent(CURLY, text)


@given(any_text)
def test_replaying_the_json_edits_rebuilds_the_text(text):
    result = DEFAULT.clean(text)
    payload = result.to_dict()
    assert replay(text, payload["edits"]) == payload["text"]


@given(any_text)
def test_every_output_character_is_copied_or_made_by_a_named_rule(text):
    result = DEFAULT.clean(text)
    rule_ids = {rule.id for rule in DEFAULT.rules}
    covered = 0
    for edit in result.edits:
        assert set(edit.rules) <= rule_ids
        covered += edit.out[1] - edit.out[0]
    copied = len(result.text) - covered
    assert copied == len(text) - sum(e.src[1] - e.src[0] for e in result.edits)


@given(any_text, st.data())
def test_lookups_are_consistent_both_ways(text, data):
    result = DEFAULT.clean(text)
    n = len(result.text)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    src_start, src_end = result.source_span(start, end)
    assert 0 <= src_start <= src_end <= len(text)
    inserted = [e.out for e in result.edits if e.src[0] == e.src[1]]
    for position in range(start, end):
        one_start, one_end = result.source_span(position, position + 1)
        assert src_start <= one_start <= one_end <= src_end
        if any(a <= position < b for a, b in inserted):
            continue  # text a rule inserted has no source of its own
        back_start, back_end = result.output_span(one_start, one_end)
        assert back_start <= position < back_end


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data):
    try:
        result = cleantext.clean(data)
    except InputError as error:
        assert str(error)
    else:
        assert_provenance(result)
        assert result.encoding


@pytest.mark.parametrize("text", ["", " ", "\n", "\r\n\r\n", "\u200b", "\ufeff"])
def test_empty_and_blank_inputs_come_out_empty(text):
    result = DEFAULT.clean(text)
    assert result.text == ""
    assert_provenance(result, text)


@given(articles())
def test_noisy_articles_come_back_clean(case):
    noisy, expected = case
    result = DEFAULT.clean(noisy)
    assert result.text == expected
    assert_provenance(result, noisy)
