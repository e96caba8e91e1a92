"""Block and line rules, their positions, and segmentation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleantext import Pipeline
from cleantext.rules import RULE_KINDS
from cleantext.segment import block_removal_span, block_spans, line_removal_span
from cleantext.strip import find_block_matches, find_line_matches
from cleantext.testing import assert_idempotent, assert_provenance


def rule(kind, pattern, **extra):
    return RULE_KINDS[kind](id="t.rule", category="t", stage="strip", action="remove", pattern=pattern, **extra)


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


def test_a_table_row_is_content_for_line_rules_that_remove():
    menu = rule("line", r"^\w+ \| \w+ \| \w+$")
    table = "Feature | Score | Comments\nBoard | 9 | Fast\nTimeline | 6 | Slow\n"
    assert find_line_matches(menu, table, 0, len(table), None) == []
    # Rows need as many cells as their neighbour and no blank line between them.
    for text in ["Home | News | World\n\nSport | Money | Life\n", "Home | News | World\nSport | Money\n"]:
        found = find_line_matches(menu, text, 0, len(text), None)
        assert text[found[0][0] : found[0][1]].strip() == "Home | News | World"


def test_a_block_rule_counts_words_before_it_searches():
    one_word = rule("block", r"^\S+$", max_words=1)
    text = "example.com\n\nA paragraph of several words.\n\nnews.org\n"
    assert [text[s:e] for s, e, _ in find_block_matches(one_word, text, 0, len(text), None)] == [
        "example.com\n",
        "news.org\n",
    ]


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


# An article body of about 160 words, for the off-topic rule to judge short lines against.
DEPOT = [
    "The city council voted on Tuesday to keep the old tram depot open through the winter, reversing a decision "
    "taken in the spring to close it for repairs. The vote was unanimous.",
    "Council members said the depot, which houses forty trams and a workshop, was needed while the new line to the "
    "airport is built. Engineers had warned that the roof leaks and that the heating system is more than fifty "
    "years old, but a report published last month found the building safe for another two years of use.",
    "The transport department will spend about two million euros on temporary repairs, mostly on the roof and on "
    "the heating. Unions welcomed the vote, saying that closing the depot would have forced mechanics to travel "
    "across the city every morning. Residents near the depot have complained about noise from night shifts, and the "
    "council promised to limit work after ten in the evening and to plant a row of trees along the fence.",
]
OFFTOPIC = Pipeline.load(packs=["offtopic", "whitespace"])


def with_lines(*inserted):
    """The depot article with ``inserted`` lines after its first paragraph."""
    return "\n\n".join([DEPOT[0], *inserted, *DEPOT[1:]]) + "\n"


def test_an_off_topic_line_between_paragraphs_is_removed_as_navigation():
    result = OFFTOPIC.clean(with_lines("Seven hiking boots worth buying this season"))
    assert result.text == "\n\n".join(DEPOT) + "\n"
    removals = [(e.rule, e.category) for e in result.edits if e.rule.startswith("offtopic.")]
    assert removals == [("offtopic.short-block", "navigation")]


def test_a_run_of_up_to_three_off_topic_lines_goes_and_a_longer_run_is_a_list():
    three = ["Shop garden furniture", "Best pizza ovens reviewed", "Celebrity chef opens bistro"]
    assert OFFTOPIC.clean(with_lines(*three)).text == "\n\n".join(DEPOT) + "\n"
    four = [*three, "Yoga mats for beginners"]
    assert OFFTOPIC.clean(with_lines(*four)).text == with_lines(*four)


def test_an_article_divided_into_sections_keeps_its_headings_and_loses_its_menu_lines():
    headings = ["Nobody saw it coming", "Cracks and kettles", "Who gains"]
    closing = "Unions and residents will meet the council again in March, when the engineers present a plan."
    blocks = ["Seven hiking boots worth buying this season", DEPOT[0], headings[0], DEPOT[1], headings[1], DEPOT[2]]
    sectioned = "\n\n".join([*blocks, headings[2], closing, "Shop garden furniture"]) + "\n"
    clean = OFFTOPIC.clean(sectioned).text
    assert [heading for heading in headings if heading not in clean] == []
    # The first and last blocks are still judged: a menu line there goes.
    assert "Seven hiking boots" not in clean
    assert "Shop garden furniture" not in clean
    # Two lone lines are not yet sections: each is judged by its words.
    two = sectioned.replace(headings[2] + "\n\n", "")
    assert headings[0] not in OFFTOPIC.clean(two).text


def test_a_signature_or_a_closing_stays():
    for line in ("Rev. Anne Fletcher", "Thomas Berger, Rektor", "Till next week, Jo"):
        assert line in OFFTOPIC.clean("\n\n".join([*DEPOT, line]) + "\n").text
    # Without the sign-off guard the same lines go: they share no word with the article.
    assert "Anne Fletcher" not in OFFTOPIC.clean("\n\n".join([*DEPOT, "Anne Fletcher sings"]) + "\n").text


def test_lines_sharing_a_word_with_the_article_stay():
    for line in ("Why the roof leaks", "Heating bills and mechanics", "Engineer warnings ignored"):
        assert OFFTOPIC.clean(with_lines(line)).text == with_lines(line), line


def test_questions_lead_ins_capitals_lists_and_sentences_stay():
    kept = [
        "Who pays for pizza ovens?",
        "Pizza ovens, explained:",
        "CELEBRITY CHEF OPENS BISTRO",
        "1. Celebrity chef opens bistro",
        "- celebrity chef opens bistro",
        "Celebrity chef opens a bistro.",
        "Garden furniture\nPizza ovens",
        "Furniture",
    ]
    for line in kept:
        assert OFFTOPIC.clean(with_lines(line)).text == with_lines(line), line


def test_a_short_text_is_never_judged():
    text = "Shop garden furniture\n\nThe depot stays open through the winter, the council said on Tuesday.\n"
    assert OFFTOPIC.clean(text).text == text


def test_off_topic_lines_at_the_top_and_bottom_are_removed():
    text = "Skip the queue: pizza ovens\n\n" + "\n\n".join(DEPOT) + "\n\nCelebrity chef opens bistro\n"
    assert OFFTOPIC.clean(text).text == "\n\n".join(DEPOT) + "\n"


def test_off_topic_removal_is_idempotent_when_another_rule_shortens_a_run():
    # "Advertisement" goes first; the run it leaves is three lines long and judged on the next pass.
    pipeline = Pipeline.load()
    text = with_lines("Shop garden furniture", "Advertisement", "Best pizza ovens reviewed", "Why the roof leaks")
    once = pipeline.clean(text).text
    assert once == with_lines("Why the roof leaks")
    assert pipeline.clean(once).text == once


def test_searching_each_short_line_and_splitting_the_whole_text_agree(monkeypatch):
    lines = [
        "Shop garden furniture",
        "Heating bills and mechanics",
        "Seven hiking boots worth buying",
        "Repairs ahead",
        "Shopping for winter?",
        "Ten best trams of Europe",
    ]
    text = "\n\n".join([DEPOT[0], *lines[:3], DEPOT[1], *lines[3:], DEPOT[2], "Celebrity chef opens bistro"]) + "\n"
    searched = OFFTOPIC.clean(text).text
    monkeypatch.setattr("cleantext.strip.OFFTOPIC_SEARCHED_BLOCKS", 0)
    assert OFFTOPIC.clean(text).text == searched
    assert "Shop garden furniture" not in searched and "Celebrity chef" not in searched
    assert "Heating bills" in searched and "Ten best trams" in searched


SHORT_LINE_WORDS = ["roof", "depot", "Shop", "garden", "pizza", "ovens", "winter", "Trams", "repairs", "chef", "News"]


@given(
    st.lists(
        st.tuples(
            st.integers(0, len(DEPOT)),
            st.lists(st.sampled_from(SHORT_LINE_WORDS), min_size=1, max_size=13).map(" ".join),
            st.sampled_from(["", ".", "?", ":"]),
        ),
        max_size=8,
    )
)
def test_off_topic_removal_keeps_the_contract_and_both_ways_of_judging_agree(insertions):
    blocks = [[paragraph] for paragraph in ["", *DEPOT]]
    for place, line, end in insertions:
        blocks[place].append(line + end)
    text = "\n\n".join(block for group in blocks for block in group if block) + "\n"
    result = OFFTOPIC.clean(text)
    assert_provenance(result, text)
    assert_idempotent(OFFTOPIC, text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("cleantext.strip.OFFTOPIC_SEARCHED_BLOCKS", 0)
        assert OFFTOPIC.clean(text).text == result.text
    assert all(paragraph in result.text for paragraph in DEPOT)


def test_a_text_whose_lower_case_is_longer_is_searched_with_a_pattern_and_judged_alike(monkeypatch):
    # "İ" lowers to two characters, so offsets in the lowered text would drift: the pattern search is used.
    text = with_lines("Shop garden furniture", "Heating bills in İzmir") + "\nCelebrity chef opens bistro\n"
    assert len(text.lower()) != len(text)
    searched = OFFTOPIC.clean(text).text
    assert "Shop garden" not in searched and "Celebrity chef" not in searched and "Heating bills" in searched
    monkeypatch.setattr("cleantext.strip.OFFTOPIC_SEARCHED_BLOCKS", 0)
    assert OFFTOPIC.clean(text).text == searched
