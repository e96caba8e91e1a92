"""The pipeline as a whole: options, time limits, many documents, parallel runs."""

import operator
import os
import pickle
from pathlib import Path

import pytest

import cleantext.steps as steps_module
from cleantext import InputError, Pipeline
from cleantext.document import Document
from cleantext.emit import Cleaned, SourcelessResult, cleaned_text
from cleantext.parallel import QUEUED, batched
from cleantext.pipeline import BATCH_CHARS
from cleantext.rules import RULE_KINDS

SLOW_PACK = """
[[rule]]
id = "user.catastrophic"
category = "test"
kind = "inline"
pattern = '''(a|aa)+$'''
action = "remove"
description = "exponential backtracking on a run of a's followed by '!'"

[[rule]]
id = "user.fine"
category = "test"
kind = "inline"
pattern = '''bad'''
replacement = "good"
description = "a well-behaved rule"
"""


def test_a_runaway_rule_is_skipped_with_a_warning_and_other_rules_still_apply(tmp_path):
    pack = tmp_path / "slow.toml"
    pack.write_text(SLOW_PACK, encoding="utf-8")
    pipeline = Pipeline.load(extra=[pack], timeout=0.2)
    # The text ends with an "a", so the rule's trigger holds and its pattern gets to run.
    result = pipeline.clean("bad \u201cquote\u201d " + "a" * 40 + "! a", name="doc-7")
    assert result.text == 'good "quote" ' + "a" * 40 + "! a\n"
    assert len(result.warnings) == 1
    assert "user.catastrophic" in result.warnings[0] and "doc-7" in result.warnings[0]


def test_curly_quotes_option_gives_typographic_quotes():
    pipeline = Pipeline.load(quotes="curly")
    text = "'Russia won't get what it wants,' he said. \"We endure.\""
    expected = "\u2018Russia won\u2019t get what it wants,\u2019 he said. \u201cWe endure.\u201d\n"
    assert pipeline.clean(text).text == expected


def test_correctly_curly_text_records_no_edits_in_curly_mode():
    pipeline = Pipeline.load(quotes="curly")
    assert pipeline.clean("\u201cIt\u2019s cold,\u201d she said.\n").edits == ()


def test_an_unknown_option_value_is_refused():
    with pytest.raises(Exception, match="quotes must be one of ascii, curly"):
        Pipeline.load(quotes="fancy")


def test_the_pipeline_is_a_step_over_a_document():
    document = Document("x\u00a0\u00a0y")
    assert Pipeline.load().run(document) == []
    assert document.text == "x y\n"


DOCUMENTS = [f"Doc {i}: \u201cquote\u201d\u00a0 text\r\n".encode() if i % 3 else f"Doc {i}  \u2026" for i in range(40)]


def test_clean_many_in_parallel_gives_the_same_results_in_order():
    pipeline = Pipeline.load()
    serial = [r.text for r in pipeline.clean_many(DOCUMENTS)]
    parallel = [r.text for r in pipeline.clean_many(DOCUMENTS, jobs=2, chunksize=3)]
    assert serial == parallel
    assert serial[1] == 'Doc 1: "quote" text\n'


def test_a_worker_sends_a_result_back_without_the_text_it_was_sent():
    from cleantext import pipeline as pipeline_module

    pipeline = Pipeline.load()
    pipeline_module._install_worker(pipeline)
    try:
        text = "A \u201cquoted\u201d text\u00a0 with a \u2018long\u2019 tail. " * 50
        batch = [(text, "a.txt", None, None), (text.encode(), "b.txt", None, None)]
        sent = pipeline_module._clean_batch_in_worker(batch)
    finally:
        pipeline_module._install_worker(None)
    assert isinstance(sent[0], SourcelessResult)  # bytes were decoded there: the second keeps its source
    assert len(pickle.dumps(sent[0])) < len(pickle.dumps(pipeline.clean(text, name="a.txt")))
    back = pipeline_module._with_sources(batch, pickle.loads(pickle.dumps(sent)))
    assert back == [pipeline.clean(text, name="a.txt"), pipeline.clean(text.encode(), name="b.txt")]
    assert back[0].edits == pipeline.clean(text).edits and back[0].source is text
    assert list(pipeline.clean_many([text, text], jobs=2)) == [pipeline.clean(text), pipeline.clean(text)]


def test_what_a_worker_sends_back_pickles_as_itself():
    result = Pipeline.load().clean("By Jane Doe\n\nA \u201cquoted\u201d text.\n", name="a.txt")
    cleaned = pickle.loads(pickle.dumps(cleaned_text(result), protocol=pickle.HIGHEST_PROTOCOL))
    assert type(cleaned) is Cleaned and cleaned == cleaned_text(result)
    sourceless = pickle.loads(pickle.dumps(result.without_source(), protocol=pickle.HIGHEST_PROTOCOL))
    assert type(sourceless) is SourcelessResult and sourceless.with_source(result.source) == result


def _cleaned_in(result):
    return os.getpid()


def test_clean_many_cleans_the_first_batch_itself_and_the_rest_in_a_worker_and_itself():
    # The worker, forked after it, starts with the patterns the first batch compiled; then this
    # process cleans a batch whenever the worker has enough in hand.
    pids = list(Pipeline.load().clean_many(DOCUMENTS * 4, jobs=2, chunksize=4, then=_cleaned_in))
    assert pids[:4] == [os.getpid()] * 4
    assert os.getpid() not in pids[4 : 4 + 4 * QUEUED]
    assert os.getpid() in pids[4 + 4 * QUEUED :] and len(set(pids)) == 2


def test_clean_many_hands_each_result_to_then_where_it_was_made():
    pipeline = Pipeline.load()
    texts = [r.text for r in pipeline.clean_many(DOCUMENTS)]
    for jobs in (1, 2):
        assert list(pipeline.clean_many(DOCUMENTS, jobs=jobs, then=operator.attrgetter("text"))) == texts
    items = ["fine", (b"\x00\x01binary", "bin.dat")]
    outcomes = list(pipeline.clean_many(items, jobs=2, on_error="return", then=cleaned_text))
    assert outcomes[0] == Cleaned("fine\n", None, (), 4)
    assert isinstance(outcomes[1], InputError)  # errors are not handed to then


def test_clean_many_sends_short_documents_many_to_a_worker_and_long_ones_few():
    sizes = [len(batch) for batch in batched(["x" * 100] * 10 + ["y" * 5000] + ["z"] * 3, 64, budget=1000)]
    assert sizes == [10, 1, 3]
    long_document = "Paragraph one.\n\n" * (BATCH_CHARS // 8)
    results = list(Pipeline.load().clean_many([long_document, "short", long_document], jobs=2))
    assert [r.text for r in results][1] == "short\n"
    assert results[0].text == results[2].text


def test_clean_many_can_return_errors_in_place():
    pipeline = Pipeline.load()
    items = ["fine", (b"\x00\x01binary", "bin.dat"), "also fine"]
    outcomes = list(pipeline.clean_many(items, on_error="return"))
    assert outcomes[0].text == "fine\n" and outcomes[2].text == "also fine\n"
    assert isinstance(outcomes[1], InputError) and str(outcomes[1]).startswith("bin.dat: binary content")
    with pytest.raises(InputError):
        list(pipeline.clean_many(items))


def test_the_time_limit_grows_with_a_long_document_but_not_with_a_line():
    def limit(kind, timeout, size):
        own = {"canonical": "Kyiv", "variants": ("Kiev",)} if kind == "lexicon" else {"pattern": "x"}
        rule = RULE_KINDS[kind](id=f"t.{kind}", category="t", stage="normalize", action="replace", **own)
        return steps_module.step_for(rule).time_limit(timeout, size)

    assert limit("inline", 2.0, 40) == 2.0
    assert limit("inline", 2.0, 200_000_000) == 400.0
    assert limit("lexicon", 2.0, 3_000_000) == 6.0
    assert limit("line", 2.0, 200_000_000) == 2.0
    assert limit("inline", None, 200_000_000) is None


def test_a_10_mb_document_with_many_edits_is_cleaned_and_replays():
    from cleantext.testing import assert_provenance

    paragraph = (
        "Kyiv said on Tuesday that \u201cthe grid held\u201d at -20C,  and officials thanked allies. "
        + "The city restored heating to the districts one by one after the strike. " * 12
    )
    text = "\n\n".join(f"{n}. {paragraph}" for n in range(10_000_000 // len(paragraph)))
    result = Pipeline.load().clean(text)
    assert len(text) > 9_500_000
    assert len(result.edits) > 40_000
    assert result.text.count("\u00b0C") == text.count("-20C")
    assert_provenance(result)


@pytest.mark.parametrize("kind", ["line", "block", "offtopic"])
def test_a_runaway_pattern_is_stopped_in_every_kind_that_matches_lines_or_paragraphs(tmp_path, kind):
    # The look-ahead needs a backtracking search, which the native core gives up on past its
    # step limit (tests/test_native.py: without one, the core runs the pattern in linear time);
    # the pattern without it finds the line, so the core's prefilter lets the search through.
    pack = tmp_path / "slow.toml"
    pack.write_text(
        f"[[rule]]\nid = \"user.slow\"\ncategory = \"test\"\nkind = \"{kind}\"\npattern = '''^(a|aa)+(?!!)!'''\n"
        'max_words = 12\ndescription = "exponential backtracking"\n',
        encoding="utf-8",
    )
    pipeline = Pipeline.load(packs=["whitespace"], extra=[pack], timeout=0.2)
    prose = " ".join(["The council met on Tuesday and voted to keep the depot open."] * 15)
    # The line holds a "!", so the rule's trigger holds and its pattern gets to run.
    text = f"{prose}\n\n{'a' * 40}! a\n\n{prose}\n"
    result = pipeline.clean(text)
    assert result.text == text
    assert len(result.warnings) == 1 and "user.slow timed out" in result.warnings[0]


def test_later_strip_passes_skip_only_rules_whose_findings_cannot_change(monkeypatch):
    # Every rule in every pass must give exactly what the pipeline gives.
    here = Path(__file__).resolve().parent
    texts = [path.read_text(encoding="utf-8") for path in sorted((here.parent / "seeds").glob("*[0-9a-f].txt"))]
    body = (here / "data" / "clean_articles" / "01_harbour-bridge-reopens.txt").read_text(encoding="utf-8")
    texts.append(
        "Skip to main content\n\nBy Jane Roe\n\nFebruary 3, 2026\n\n"
        + body.replace("\n\n", "\n\nAdvertisement\n\nSign up to First Edition, our free daily newsletter\n\n", 2)
        + "\nShare this article\n\n(Reporting by Jane Roe; Editing by John Doe)\n\n© 2026 Valley Media Ltd.\n"
    )
    pipeline = Pipeline.load()
    results = [pipeline.clean(text) for text in texts]
    monkeypatch.setattr(steps_module.LineStep, "sees_context", True)
    every_rule = Pipeline.load()  # a new pipeline, whose plan takes every line step as context-seeing
    for text, result in zip(texts, results, strict=True):
        every_pass = every_rule.clean(text)
        assert every_pass.text == result.text
        assert [e.to_dict() for e in every_pass.edits] == [e.to_dict() for e in result.edits]
