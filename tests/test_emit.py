"""Results: the JSON contract and the two-way offset lookups."""

import dataclasses
import json
import pickle

import pytest

import cleantext
from cleantext import Pipeline
from cleantext.emit import StepTiming

PIPELINE = Pipeline.load()


def test_json_has_the_fields_of_the_contract():
    result = PIPELINE.clean("\u201cHi\u201d\r\n", name="x.txt")
    payload = json.loads(result.to_json())
    assert set(payload) == {"source", "encoding", "text", "edits", "metadata", "warnings"}
    assert payload["source"] == "x.txt"
    assert payload["text"] == '"Hi"\n'
    assert payload["edits"][0] == {
        "src": [0, 1],
        "out": [0, 1],
        "rule": "typography.double-quotes",
        "rules": ["typography.double-quotes"],
        "category": "typography",
        "before": "\u201c",
        "after": '"',
    }


def test_source_span_of_untouched_and_replaced_text():
    source = "Kyiv\u00a0\u00a0said \u201cno\u201d."
    result = PIPELINE.clean(source)
    assert result.text == 'Kyiv said "no".\n'
    # "said" was copied: it maps to itself shifted past the collapsed spaces.
    start = result.text.index("said")
    assert source[slice(*result.source_span(start, start + 4))] == "said"
    # The single space came from the first no-break space; the second was removed.
    assert source[slice(*result.source_span(4, 5))] == "\u00a0"
    assert result.output_span(5, 6) == (5, 5)


def test_output_span_of_removed_text_is_empty_where_it_was():
    source = "a\u200bb"
    result = PIPELINE.clean(source)
    assert result.text == "ab\n"
    assert result.output_span(1, 2) == (1, 1)
    assert result.output_span(0, 3) == (0, 2)


@pytest.mark.parametrize("span", [(-1, 2), (2, 1), (0, 999)])
def test_out_of_range_spans_are_refused(span):
    result = cleantext.clean("text")
    with pytest.raises(ValueError, match="not within"):
        result.source_span(*span)
    with pytest.raises(ValueError, match="not within"):
        result.output_span(*span)


def test_a_result_travels_between_processes_whole():
    result = PIPELINE.clean("By Jane Doe\n\nKyiv \u2014 \u201cWe hold,\u201d she said.  \n\n\nShare this article\n")
    copy = pickle.loads(pickle.dumps(result))
    assert copy == result
    for edit, copied in zip(result.edits, copy.edits, strict=True):
        for item in dataclasses.fields(edit):  # every field, also those equality leaves out
            assert getattr(copied, item.name) == getattr(edit, item.name), item.name
    assert [(edit.removals, edit.detail) for edit in copy.edits] == [(e.removals, e.detail) for e in result.edits]
    assert {name: (t.seconds, t.evaluations, t.changes) for name, t in copy.timings.items()} == {
        name: (t.seconds, t.evaluations, t.changes) for name, t in result.timings.items()
    }
    # The timings travel as tuples of numbers, and become StepTiming objects when first read.
    assert b"StepTiming" not in pickle.dumps(result)
    assert all(isinstance(timing, StepTiming) for timing in copy.timings.values())
    again = pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(result))))
    assert again.timings.keys() == result.timings.keys() and again == result


def test_edits_built_from_a_documents_rows_say_what_the_json_says():
    source = "By Jane Doe\n\nKyiv \u2014 \u201cWe hold,\u201d she said.  \n\nShare this article\n"
    payload = PIPELINE.clean(source).to_dict()  # from the rows, before any Edit is built
    result = PIPELINE.clean(source)
    assert [edit.to_dict() for edit in result.edits] == payload["edits"]
    assert result.to_dict() == payload
    assert result.changed and not PIPELINE.clean("Plain.\n").changed
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        result.missing  # noqa: B018


def test_a_result_made_by_hand_travels_whole():
    made = PIPELINE.clean("It\u2019s here.\n")
    by_hand = cleantext.Result(source=made.source, text=made.text, edits=made.edits, name="x")
    copy = pickle.loads(pickle.dumps(by_hand))
    assert copy == by_hand and copy.edits == made.edits
    assert copy.source_span(0, 4) == made.source_span(0, 4)
    assert dataclasses.replace(made, name="y").edits == made.edits
