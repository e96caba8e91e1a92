"""Block and line rules, their positions, and segmentation."""

from cleantext import Pipeline
from cleantext.rules import Rule
from cleantext.segment import block_removal_span, block_spans, line_removal_span
from cleantext.strip import find_block_matches, find_line_matches


def rule(kind, pattern, **extra):
    return Rule(
        id="t.rule", category="t", kind=kind, stage="strip", action="remove", description="", pattern=pattern, **extra
    )


def test_blocks_are_runs_of_non_blank_lines():
    text = "Title\n \nOne\ntwo\n\n\nLast"
    assert [text[s:e] for s, e in block_spans(text)] == ["Title", "One\ntwo", "Last"]


def test_removal_spans_take_one_line_break_with_them():
    text = "A\nB\nC"
    assert text[slice(*line_removal_span(text, 2, 3))] == "B\n"
    assert text[slice(*line_removal_span(text, 4, 5))] == "\nC"
    text = "A\n\nB\n\nC\n"
    blocks = block_spans(text)
    assert [text[slice(*block_removal_span(text, blocks, i))] for i in range(3)] == ["A\n", "B\n", "C\n"]


def test_a_line_rule_removes_only_matching_lines():
    text = "Body.\nAdvertisement\nAn advertisement offering free bread.\n"
    found = find_line_matches(rule("line", r"^Advertisement$"), text, 0, len(text), None)
    assert [text[s:e] for s, e, _ in found] == ["Advertisement\n"]


def test_a_line_match_never_spans_two_lines():
    text = "Sign\nup now\n"
    assert find_line_matches(rule("line", r"Sign\s+up"), text, 0, len(text), None) == []


def test_a_block_rule_sees_whole_paragraphs():
    text = "Story.\n\nCopyright 2026\nAll rights reserved\n\nMore story.\n"
    found = find_block_matches(rule("block", r"\ACopyright .*\nAll rights reserved\Z"), text, 0, len(text), None)
    assert [text[s:e] for s, e, _ in found] == ["Copyright 2026\nAll rights reserved\n"]


def test_where_limits_a_rule_to_the_first_or_last_blocks(tmp_path):
    pack = tmp_path / "by.toml"
    pack.write_text(
        """
[[rule]]
id = "by.line"
category = "byline"
kind = "line"
pattern = '''^By [A-Z][a-z]+ [A-Z][a-z]+$'''
where = "tail:1"
description = "A byline at the very end"
""",
        encoding="utf-8",
    )
    pipeline = Pipeline.load(packs=["whitespace"], extra=[pack])
    text = "By Anna Smith\n\nBody text.\n\nBy Anthony Solly"
    assert pipeline.clean(text).text == "By Anna Smith\n\nBody text.\n"
