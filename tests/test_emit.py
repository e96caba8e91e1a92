"""Results: the JSON contract and the two-way offset lookups."""

import dataclasses
import gc
import json
import pickle

import pytest

import cleantext
import cleantext.native
from cleantext import Pipeline
from cleantext.document import Document, RuleRef
from cleantext.emit import Result, StepTiming

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


@pytest.mark.skipif(cleantext.native.ENGINE != "native", reason="the native core is not built or not active")
def test_a_result_travels_and_says_it_changed_without_making_rows_of_its_edit_log():
    # A worker sends its results back pickled: the core's log goes packed, its edits holding no
    # copy of the source text each edit replaces, and the rows are made where they are asked for.
    result = PIPELINE.clean("By Jane Doe\n\n\u201cWe hold,\u201d she said \u2014 twice.  \n")
    assert result.changed
    sent = pickle.dumps(result)
    assert type(result.__dict__["_rows"]) is not tuple  # not made by pickling, nor by asking what changed
    arrived = pickle.loads(sent)
    assert type(arrived.__dict__["_rows"]) is not tuple
    assert arrived == result and arrived.to_dict() == result.to_dict()


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


def test_a_kept_result_holds_a_few_objects_for_the_garbage_collector_whatever_its_edits():
    # A caller that keeps results (a list, a dataset) has the collector walk every object they hold
    # that it tracks, at every full collection: a result keeps its edits and timings as rows of
    # numbers and strings, which the collector stops tracking once it has seen them.
    source = "".join(f"\u201cQuote {i}\u201d \u2014 it\u2019s line {i}\u2026\n\n" for i in range(40))
    result = PIPELINE.clean(source)
    rules = {edit.rule for edit in result.edits}
    assert len(result.edits) >= 160 and len(rules) == 4 and len(result.timings) >= 4
    gc.collect()
    before = len(gc.get_objects())
    kept = [PIPELINE.clean(source) for _ in range(10)]
    for _ in range(3):  # a tuple inside a tuple is let go of a collection after the inner one
        gc.collect()
    # The result and its attributes, the rows with their groups, and each group's two tuples.
    grown = len(gc.get_objects()) - before
    assert grown / len(kept) <= 4 + 2 * len(rules)
    assert all(each.changed for each in kept)


def test_edits_of_the_same_rules_share_a_group_whatever_objects_name_the_rules():
    document = Document("a b c d e")
    quotes = RuleRef("typography.double-quotes", "typography")
    five = RuleRef("site.repeated", "site", (("pages", 5),))
    document.apply([(0, 1, "A"), (4, 5, "C")], rule=quotes)
    document.apply([(2, 3, "B")], rule=five)
    document.apply([(6, 7, "D")], rule=RuleRef("typography.double-quotes", "typography"))
    document.apply([(8, 9, "E")], rule=RuleRef("site.repeated", "site", (("pages", 7),)))
    rows, groups = document.edit_rows()
    assert [row[5] for row in rows] == [0, 1, 0, 0, 2] and len(groups) == 3
    result = Result.from_document(document, name=None, encoding=None)
    assert [(edit.rule, edit.detail) for edit in result.edits] == [
        ("typography.double-quotes", ()),
        ("site.repeated", (("pages", 5),)),
        ("typography.double-quotes", ()),
        ("typography.double-quotes", ()),
        ("site.repeated", (("pages", 7),)),
    ]
    assert [edit["after"] for edit in result.to_dict()["edits"]] == ["A", "B", "C", "D", "E"]
