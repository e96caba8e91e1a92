"""The provenance core: replacements composed into edits in source coordinates."""

import pickle
from unittest.mock import patch

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import cleantext.native
from cleantext import document
from cleantext.document import Document, RuleRef
from cleantext.emit import Result
from cleantext.explain import Stats

A = RuleRef("test.a", "a")
B = RuleRef("test.b", "b")


def spans(doc):
    return [(e.src, e.out, e.before, e.after, e.rule_ids) for e in doc.edits()]


def test_a_replacement_is_recorded_in_both_coordinates():
    doc = Document("hello world")
    assert doc.apply([(0, 5, "HELLO")], rule=A) == 1
    assert doc.text == "HELLO world"
    assert spans(doc) == [((0, 5), (0, 5), "hello", "HELLO", ("test.a",))]


def test_later_replacements_map_through_earlier_deletions():
    doc = Document("aa XX bb YY cc")
    doc.apply([(3, 6, "")], rule=A)  # "aa bb YY cc"
    doc.apply([(6, 9, "")], rule=B)  # removes "YY " in current coordinates
    assert doc.text == "aa bb cc"
    assert spans(doc) == [
        ((3, 6), (3, 3), "XX ", "", ("test.a",)),
        ((9, 12), (6, 6), "YY ", "", ("test.b",)),
    ]


def test_overlapping_replacements_merge_into_one_edit_listing_both_rules():
    doc = Document("one \u201ctwo\u201d three")
    doc.apply([(4, 5, '"'), (8, 9, '"')], rule=A)
    doc.apply([(3, 10, " ")], rule=B)  # swallows both quote edits
    assert doc.text == "one three"
    assert spans(doc) == [((3, 10), (3, 4), " \u201ctwo\u201d ", " ", ("test.a", "test.a", "test.b"))]


def test_a_replacement_inside_an_earlier_replacement_keeps_its_outer_parts():
    doc = Document("ab")
    doc.apply([(0, 2, "xyz")], rule=A)
    doc.apply([(1, 2, "Y")], rule=B)
    assert doc.text == "xYz"
    assert spans(doc) == [((0, 2), (0, 3), "ab", "xYz", ("test.a", "test.b"))]


def test_an_edit_that_restores_the_source_is_dropped():
    doc = Document("it\u2019s")
    doc.apply([(2, 3, "'")], rule=A)
    doc.apply([(2, 3, "\u2019")], rule=B)
    assert doc.text == "it\u2019s"
    assert spans(doc) == []


def test_insertions_next_to_deletions_stay_ordered():
    doc = Document("abc")
    doc.apply([(1, 2, "")], rule=A)  # "ac"
    doc.apply([(1, 1, "-")], rule=B)  # "a-c": after the deletion of "b"
    assert doc.text == "a-c"
    assert spans(doc) == [((1, 2), (1, 1), "b", "", ("test.a",)), ((2, 2), (1, 2), "", "-", ("test.b",))]


def test_a_replacement_that_changes_nothing_is_not_recorded():
    doc = Document("same")
    assert doc.apply([(0, 4, "same")], rule=A) == 0
    assert spans(doc) == []


@pytest.mark.parametrize("bad", [[(2, 1, "")], [(0, 2, ""), (1, 3, "")], [(0, 99, "")]])
def test_malformed_replacements_are_refused(bad):
    with pytest.raises(ValueError, match=r"test\.a"):
        Document("abcdef").apply(bad, rule=A)


def test_many_edits_on_a_large_document_compose_in_linear_passes():
    # 200,000 quote edits, then a pass that shifts every one of them.
    source = "\u201cx\u201d " * 100_000
    doc = Document(source)
    quotes = [(i, i + 1, '"') for i, ch in enumerate(source) if ch in "\u201c\u201d"]
    doc.apply(quotes, rule=A)
    doc.apply([(i, i + 1, "") for i in range(3, len(doc.text), 4)], rule=B)
    assert doc.text == '"x"' * 100_000
    assert len(doc) == 300_000


def test_replacements_inside_one_earlier_edit_merge_into_one_edit():
    # A guillemet pair became quotes around two ellipsis characters, which then
    # became dots: one edit, listing every rule, never two overlapping ones.
    doc = Document("x \u00ab\u2026\u2026\u00bb")
    doc.apply([(2, 6, '"\u2026\u2026"')], rule=A)
    doc.apply([(3, 4, "..."), (4, 5, "...")], rule=B)
    assert doc.text == 'x "......"'
    assert spans(doc) == [((2, 6), (2, 10), "\u00ab\u2026\u2026\u00bb", '"......"', ("test.a", "test.b", "test.b"))]


def test_a_removal_of_text_an_earlier_rule_rewrote_covers_its_source():
    doc = Document("\u2026")
    doc.apply([(0, 1, "...")], rule=A)
    doc.apply([(0, 3, "")], rule=B)
    assert spans(doc) == [((0, 1), (0, 0), "\u2026", "", ("test.a", "test.b"))]


def test_the_text_changes_only_through_apply():
    document = Document("a  b")
    with pytest.raises(AttributeError):
        document.text = "a b"  # would leave edits() == [] for a changed text
    with pytest.raises(AttributeError):
        document.source = "x"
    assert document.text == "a  b" and document.edits() == []


def test_a_merged_edit_is_credited_to_the_rule_that_removed_most_of_it():
    caption, blank = RuleRef("credits.label", "credit"), RuleRef("whitespace.blank-lines", "whitespace")
    document = Document("xx\n\nLABEL LABEL\n\n\nyy")
    document.apply([(4, 16, "")], rule=caption)
    # The tidying rewrites the blank lines around the removal: one edit holds both.
    document.apply([(2, 6, "\n\n")], rule=blank)
    (edit,) = document.edits()
    assert document.text == "xx\n\nyy" and edit.rule_ids == ("credits.label", "whitespace.blank-lines")
    assert edit.rule == caption
    result = Result.from_document(document, name=None, encoding=None)
    assert (result.edits[0].rule, result.edits[0].category) == ("credits.label", "credit")
    stats = Stats()
    stats.add(result)
    # The caption rule removed its line; the tidying removed two line breaks and wrote what is left.
    assert (stats.by_rule["credits.label"].removed, stats.by_rule["whitespace.blank-lines"].removed) == (12, 2)
    assert stats.by_rule["credits.label"].replaced + stats.by_rule["whitespace.blank-lines"].replaced == 2


def test_an_edit_that_removes_nothing_is_credited_to_the_last_rule():
    quotes, names = RuleRef("typography.double-quotes", "typography"), RuleRef("names.kyiv", "names")
    document = Document("\u201cKiev\u201d")
    document.apply([(0, 1, '"'), (5, 6, '"')], rule=quotes)
    document.apply([(0, 6, '"Kyiv"')], rule=names)
    (edit,) = document.edits()
    assert edit.rule == names


@st.composite
def _passes(draw):
    """A text and passes of sorted, apart replacements, each pass in the coordinates of the text before it."""
    text = draw(st.text(alphabet="ab \n", min_size=40, max_size=160))
    passes, length = [], len(text)
    for _ in range(draw(st.integers(1, 4))):
        cuts = sorted(draw(st.lists(st.integers(0, length), min_size=2, max_size=80)))
        replacements = []
        for start, end in zip(cuts[::2], cuts[1::2], strict=False):
            if replacements and start < replacements[-1][1]:
                continue
            replacements.append((start, end, draw(st.sampled_from(["", "x", "yy", "a"]))))
        passes.append(replacements)
        length += sum(len(new) - (end - start) for start, end, new in replacements)
    return text, passes


@given(_passes())
def test_edits_passed_over_by_bisection_are_those_the_loop_passes_over(case):
    # Earlier edits are skipped by bisection (past two of them); the loop alone must give the same edits.
    text, passes = case
    by_bisection, by_loop = Document(text), Document(text)
    for number, replacements in enumerate(passes):
        rule = RuleRef(f"r{number}", "c")
        tagged = [(start, end, new, rule) for start, end, new in replacements]
        with patch.object(document, "_BISECT_ABOVE", 2):
            by_bisection.apply_in_python(tagged)
        with patch.object(document, "_BISECT_ABOVE", 10**9):
            by_loop.apply_in_python(tagged)
    assert by_bisection.edits() == by_loop.edits()
    assert by_bisection.text == by_loop.text
    rebuilt, copied = [], 0
    for edit in by_bisection.edits():
        rebuilt += [text[copied : edit.src[0]], edit.after]
        copied = edit.src[1]
    assert "".join(rebuilt) + text[copied:] == by_bisection.text


RULES = [A, B, RuleRef("test.a", "a", (("score", 0.5),)), RuleRef("test.c", "c", (("pages", 3),))]


def _draw_passes(draw, alphabet, *, text_size, passes, cuts, new, rules):
    """A text of ``alphabet`` and passes of replacements, ``new`` put in by ``rules``, each pass in the
    coordinates of the text before it."""
    text = draw(st.text(alphabet=alphabet, max_size=text_size))
    drawn, length = [], len(text)
    for _ in range(draw(st.integers(1, passes))):
        places = sorted(draw(st.lists(st.integers(0, length), max_size=cuts)))
        replacements = []
        for start, end in zip(places[::2], places[1::2], strict=False):
            if replacements and start < replacements[-1][1]:
                continue
            replacements.append((start, end, draw(new), draw(rules)))
        drawn.append(replacements)
        length += sum(len(new) - (end - start) for start, end, new, _ in replacements)
    return text, drawn


@st.composite
def _tagged_passes(draw):
    """A text of one-, two- and four-byte characters and passes of replacements, each tagged with one of
    :data:`RULES` (several rules in one pass, as fused passes have), in the coordinates of the text before."""
    alphabet = "ab \n\u00e9\u201c\U0001f600"
    new = st.one_of(st.sampled_from(["", "x", "\u00e9", "ab", "\U0001f600"]), st.text(alphabet, max_size=3))
    return _draw_passes(draw, alphabet, text_size=80, passes=5, cuts=30, new=new, rules=st.sampled_from(RULES))


@pytest.mark.skipif(document.edit_log() is None, reason="the native core is not built or not active")
@given(_tagged_passes())
def test_the_cores_walk_of_the_edits_gives_what_the_python_walk_gives(case):
    text, passes = case
    native, python = Document(text), Document(text)
    for replacements in passes:
        assert native.apply_tagged(replacements) == python.apply_in_python(replacements)
        assert native.text == python.text
        assert native.edit_rows() == python.edit_rows()
    assert [edit.rule for edit in native.edits()] == [edit.rule for edit in python.edits()]


@st.composite
def _passes_on_either_engine(draw):
    """Passes as :func:`_tagged_passes` draws them (a rule also as an equal reference of its own), each
    with the engine that applies it on the core's side."""
    alphabet = "ab \n\u00e9\u201c"
    new = st.sampled_from(["", "x", "\u00e9", "ab"])
    rules = st.sampled_from([*RULES, RuleRef(*A)])
    text, passes = _draw_passes(draw, alphabet, text_size=60, passes=5, cuts=20, new=new, rules=rules)
    return text, [(draw(st.booleans()), replacements) for replacements in passes]


@pytest.mark.skipif(document.edit_log() is None, reason="the native core is not built or not active")
@given(_passes_on_either_engine())
def test_a_document_whose_passes_take_turns_on_either_engine_records_what_the_python_walk_does(case):
    # A document's edits move from the reference's list to the core's log and back as the engine
    # that applies a pass changes (a rule the core cannot run, a test that switches engines).
    text, passes = case
    mixed, python = Document(text), Document(text)
    for on_core, replacements in passes:
        apply = mixed.apply_tagged if on_core else mixed.apply_in_python
        assert apply(replacements) == python.apply_in_python(replacements)
        assert (mixed.text, mixed.edit_rows(), len(mixed)) == (python.text, python.edit_rows(), len(python))


@pytest.mark.skipif(document.edit_log() is None, reason="the native core is not built or not active")
def test_the_cores_log_gives_back_the_edits_it_was_made_of_and_travels_as_them():
    doc = Document("one \u201ctwo\u201d three")
    doc.apply_in_python([(4, 5, '"', A), (8, 9, '"', A)])
    doc.apply_in_python([(3, 10, " ", B)])
    stored = doc._stored()
    log = document.edit_log()(stored)
    assert log.stored() == stored
    travelled = pickle.loads(pickle.dumps(log))
    assert type(travelled) is type(log) and travelled.stored() == stored


@pytest.mark.skipif(document.edit_log() is None, reason="the native core is not built or not active")
@given(_tagged_passes())
def test_the_cores_log_travels_packed_and_arrives_as_it_left(case):
    text, passes = case
    doc = Document(text)
    for replacements in passes:
        doc.apply_tagged(replacements)
    log = doc.edit_snapshot()
    numbers, texts, groups = log.__reduce__()[1]
    assert len(numbers) == 32 * len(log) and texts == "".join(after for _, _, after, _, _ in log.stored())
    # One group per distinct set of objects: edits of one pass share theirs.
    by_identity = {(*map(id, rules), id(removals)) for _, _, _, rules, removals in log.stored()}
    assert len(groups) == len(by_identity)
    travelled = pickle.loads(pickle.dumps(log))
    assert travelled.stored() == log.stored()
    assert travelled.rows(doc.source) == log.rows(doc.source)


@pytest.mark.skipif(document.edit_log() is None, reason="the native core is not built or not active")
def test_a_packed_log_that_does_not_add_up_is_refused():
    unpacked = document.edit_log().unpacked
    edit = (0).to_bytes(8, "little") + (3).to_bytes(8, "little") + (1).to_bytes(8, "little")
    group = [((A,), None)]
    assert unpacked(edit + bytes(8), "x", group).stored() == [(0, 3, "x", (A,), None)]
    with pytest.raises(ValueError, match="not a whole number of edits"):
        unpacked(edit, "x", group)
    with pytest.raises(ValueError, match="group 1 of 1"):
        unpacked(edit + (1).to_bytes(8, "little"), "x", group)
    with pytest.raises(ValueError, match="out of range"):
        unpacked(edit + bytes(8), "", group)
    with pytest.raises(ValueError, match="left over"):
        unpacked(edit + bytes(8), "xy", group)


def test_a_result_holds_the_edits_as_they_were_when_it_was_made():
    doc = Document("a \u201cb\u201d c")
    doc.apply([(2, 3, '"')], rule=A)
    result = Result.from_document(doc, name=None, encoding=None)
    rows = doc.edit_rows()
    doc.apply([(0, 1, "A"), (4, 5, '"')], rule=B)
    assert len(doc.edit_rows()[0]) == 3
    assert result._edit_rows() == rows
    assert [(edit.src, edit.after, edit.rule) for edit in result.edits] == [((2, 3), '"', "test.a")]


class _Text(str):
    """A subclass of str, as a rule's finder might hand one over."""


@pytest.mark.parametrize("apply", [Document.apply_tagged, Document.apply_in_python])
def test_an_edits_text_is_a_str_whatever_the_replacement_is(apply):
    doc = Document("one two three")
    apply(doc, [(4, 7, _Text("TWO"), A)])
    (edit,) = doc.edits()
    assert edit.after == "TWO" and type(edit.after) is str


@pytest.mark.skipif(document.edit_log() is None, reason="the native core is not built or not active")
@given(_tagged_passes())
def test_the_utf8_the_core_splices_for_each_new_text_is_its_encoding(case):
    from cleantext import _native

    text, passes = case
    spliced = Document(text)
    for replacements in passes:
        spliced.apply_tagged(replacements)
        assert _native.core_utf8(spliced.text) == spliced.text.encode("utf-8")


@st.composite
def _passes_over_read_text(draw):
    """A text and passes of replacements (as :func:`_tagged_passes`) whose characters the core reads
    differently: word characters outside ASCII, others, and one the core leaves to Python (İ)."""
    alphabet = "ab \n\u00e9\u201c\u0130\u0416"
    new = st.text(alphabet=alphabet, max_size=3)
    return _draw_passes(draw, alphabet, text_size=12, passes=4, cuts=12, new=new, rules=st.just(A))


@pytest.mark.skipif(document.edit_log() is None, reason="the native core is not built or not active")
@given(_passes_over_read_text())
@example(("ab \u00e9 cd", [[(3, 4, "", A)]]))  # the only word character outside ASCII removed
@example(("ab \u00e9 cd", [[(0, 1, "\u0130", A)]]))  # a character the core leaves to Python put in
def test_a_new_text_read_from_the_old_ones_reading_is_read_as_a_text_read_whole(case):
    from cleantext import _native

    text, passes = case
    cleantext.native._set_tables()
    spliced = Document(text)
    for replacements in passes:
        _native.Text(spliced.text)  # read, as the pass's rules read it before it applies
        spliced.apply_tagged(replacements)
        carried, whole = _native.Text(spliced.text), _native.Text(spliced.text + " ")
        assert (carried.readable, carried.readable and carried.non_ascii_words) == (
            whole.readable,
            whole.readable and whole.non_ascii_words,
        )


@pytest.mark.skipif(document.edit_log() is None, reason="the native core is not built or not active")
def test_a_text_with_a_lone_surrogate_gets_no_utf8_from_the_core():
    from cleantext import _native

    with_surrogate = Document("a \u201cb\u201d \ud800 c")
    with_surrogate.apply_tagged([(2, 3, '"', A)])
    assert with_surrogate.text == 'a "b\u201d \ud800 c'
    assert _native.core_utf8(with_surrogate.text) is None
    put_in = Document("a \u201cb\u201d c")
    put_in.apply_tagged([(2, 3, "\udc80", A)])
    assert _native.core_utf8(put_in.text) is None


@pytest.mark.skipif(document.edit_log() is None, reason="the native core is not built or not active")
@pytest.mark.parametrize("bad", [[(2, 1, "")], [(0, 2, ""), (1, 3, "")], [(0, 99, "")], [(-1, 2, "")]])
def test_the_cores_walk_refuses_what_the_python_walk_refuses(bad):
    tagged = [(*replacement, A) for replacement in bad]
    with pytest.raises(ValueError) as python:
        Document("abcdef").apply_in_python(tagged)
    with pytest.raises(ValueError) as native:
        Document("abcdef").apply_tagged(tagged)
    assert str(native.value) == str(python.value)
