"""The plan: triggers derived from patterns, the pre-pass, and output identical to every step evaluated."""

import gc
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleantext import InputError, Pipeline
from cleantext.document import Document, RuleRef
from cleantext.plan import Plan
from cleantext.rules import CharmapRule, InlineRule, LexiconRule, LineRule, UnicodeRule
from cleantext.steps import step_for, trigger_of
from cleantext.triggers import TEXT_END, TEXT_START, derive
from tests.strategies import documents

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"


def clauses(trigger):
    return None if trigger is None else [sorted(clause) for clause in trigger]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # Literals are casefolded whatever the flags; a sequence joins them.
        (r"Advertisement", [["advertisement"]]),
        (
            r"(?i)^\W{0,3}subscribe to (?:our|the) newsletter\.?$",
            [["subscribe to our newsletter", "subscribe to the newsletter"]],
        ),
        # A small class is a set of strings; an optional part doubles them, and the longer ones go.
        (r"colou?r [Cc]hart", [["color chart", "colour chart"]]),
        # An alternation needs a string of each branch.
        (r"(?:sign up|register)\b.*\bfree", [["register", "sign up"], ["free"]]),
        # A repeat of at least one keeps its item; a repeat of none promises nothing.
        (r"(?:ab)+cd", [["abcd"], ["ab"]]),
        (r"(?:xyz)*", None),
        # A positive look-around's literals are in the text; a negative one promises nothing.
        (r"(?=[^\n]*\bclick)sign", [["click"], ["sign"]]),
        (r"(?!unsubscribe)\w+", None),
        # Wide classes, categories and properties are any character.
        (r"\p{Lu}[\p{L}-]+ \d+", None),
        # A wide class of rare characters is a clause of characters.
        (r"[\u200b-\u200f\u2060]", [["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060"]]),
        # regex's own syntax: one group name twice, a subroutine of a DEFINE block.
        (r"(?P<u>C)elsius|(?P<u>F)ahrenheit", [["celsius", "fahrenheit"]]),
        (r"(?(DEFINE)(?P<x>cookie policy|privacy policy))^(?&x)$", [["cookie policy", "privacy policy"]]),
    ],
)
def test_a_trigger_holds_the_literals_every_match_contains(pattern, expected):
    assert clauses(derive(pattern)) == expected


def test_a_look_around_or_a_repeat_joins_the_literals_beside_it():
    # Two spaces in a row: the look-behind ends with one, the run starts with another.
    assert clauses(derive(r"(?<=\S ) +(?=\S)")) == [["  "]]
    assert clauses(derive(r"(?:\w+ )?by (?:\w+) said")) == [[" said"], ["by "]]


def test_anchors_become_boundaries_only_where_nothing_else_can_be_had():
    # Lines and paragraphs start after a line break or at the text's start.
    assert clauses(derive(r"[ \t]+$")) == [sorted({" \n", "\t\n", " " + TEXT_END, "\t" + TEXT_END})]
    assert clauses(derive(r"\A\n+", whole_text=True)) == [[TEXT_START + "\n"]]
    assert clauses(derive(r"\A\n+")) == [["\n\n", TEXT_START + "\n"]]
    assert clauses(derive(r"(?<=\n\n)\n+", whole_text=True)) == [["\n\n\n"]]
    # With a literal of its own, a line rule's anchors are left out: its clause picks lines.
    assert clauses(derive(r"^Advertisement$")) == [["advertisement"]]


def test_texts_of_ascii_characters_only_rule_out_what_only_other_characters_match():
    assert derive(r"[\ufb00-\ufb06]", ascii_text=True) == (frozenset(),)
    assert clauses(derive(r"(?i)caf[eé] noir", ascii_text=True)) == [["cafe noir"]]
    assert clauses(derive(r"(?i)caf[eé] noir")) == [["cafe noir", "café noir"]]
    # The Kelvin sign matches "k" ignoring case: the ASCII trigger keeps the letter (and, a common one, drops it).
    assert derive("(?i)\u212a", ascii_text=True) is None


def test_a_loaded_pipeline_keeps_no_parse_trees_of_its_patterns():
    # The garbage collector walks every object a process keeps at each full collection: a tree per
    # pattern would be tens of thousands of them. The triggers are kept; the trees they came from are not.
    Pipeline.load()
    gc.collect()
    trees = sum(type(item).__name__ == "SubPattern" for item in gc.get_objects())
    assert trees < 100


def test_a_pattern_the_parser_cannot_read_has_no_trigger():
    assert derive(r"(?r)reverse\L<names>") is None


def test_each_kind_of_step_has_its_trigger():
    charmap = CharmapRule(
        id="t.quotes",
        category="t",
        stage="normalize",
        action="replace",
        description="",
        mapping={"\u201c": '"', "\u201d": '"'},
    )
    assert clauses(trigger_of(charmap).any_text) == [["\u201c", "\u201d"]]
    assert trigger_of(charmap).ascii_text == (frozenset(),)
    lexicon = LexiconRule(
        id="t.kyiv",
        category="names",
        stage="normalize",
        action="replace",
        description="",
        canonical="Kyiv",
        variants=("Kiev",),
    )
    assert clauses(trigger_of(lexicon).any_text) == [["kiev"]]
    nfc = UnicodeRule(id="t.nfc", category="t", stage="prepare", action="replace", description="", form="NFC")
    assert trigger_of(nfc).any_text is None and trigger_of(nfc).ascii_text == (frozenset(),)
    hinted = LineRule(
        id="t.line",
        category="t",
        stage="strip",
        action="remove",
        description="",
        pattern=r"^\p{Lu}+$",
        requires=("menu",),
    )
    assert clauses(trigger_of(hinted).any_text) == [["menu"]]


def test_the_pre_pass_finds_literals_made_by_edits_across_their_edges():
    rule = LineRule(id="t.ad", category="t", stage="strip", action="remove", description="", pattern=r"^Advertisement$")
    step = step_for(rule)
    plan = Plan([step])
    before = "Adverti\nsement\n"
    presence = plan.scan(before)
    assert presence.allows(step, before) is None
    after = "Advertisement\n"  # the line break between the halves went
    presence.update(after, [(7, 8, "")])
    assert presence.allows(step, after) == ("advertisement",)


def test_untriggered_steps_are_listed():
    pipeline = Pipeline.load()
    untriggered = {step.label for step in pipeline.plan().untriggered()}
    assert {"whitespace.final-newline", "offtopic.short-block", "repeats.title-or-standfirst"} <= untriggered
    assert "promos.newsletter" not in untriggered
    listed = subprocess.run(
        [sys.executable, "-m", "cleantext", "rules", "list", "--untriggered"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "whitespace.final-newline" in listed and "promos.newsletter" not in listed


CHECKING = (Pipeline.load(triggers="check"), Pipeline.load(triggers="check", quotes="curly", names="ascii"))


@given(documents)
def test_no_trigger_ever_skips_a_change(text):
    # Check mode evaluates every step and fails where a skipped one would have changed the text.
    for pipeline in CHECKING:
        pipeline.clean(text)


def same_output_sample():
    """The seeds, every tenth gold body and page of the Zyte benchmark, and the fuzz corpora."""
    sample = [(path.name, path.read_bytes()) for path in sorted((ROOT / "seeds").glob("*.txt"))]
    truth = BENCHMARKS / "article-extraction-benchmark" / "ground-truth.json"
    if truth.is_file():
        gold = json.loads(truth.read_text(encoding="utf-8"))
        sample += [(key, gold[key]["articleBody"]) for key in sorted(gold)[::10]]
        pages = sorted((BENCHMARKS / "article-extraction-benchmark" / "html").glob("*.html.gz"))[::20]
        sample += [(path.name, gzip.decompress(path.read_bytes())) for path in pages]
    sample += [
        (path.name, path.read_bytes()) for path in sorted((ROOT / "fuzz" / "corpus").rglob("*")) if path.is_file()
    ]
    return sample


def outcome(pipeline, name, data):
    try:
        result = pipeline.clean(data, name=name)
    except InputError as error:  # the same error either way is the same output
        return repr(error)
    return result.text, [e.to_dict() for e in result.edits], dict(result.metadata), result.warnings


def test_the_plan_gives_what_every_step_evaluated_gives():
    # bench/same_output.py runs this over every corpus; here a sample of them.
    with_triggers, every_step = Pipeline.load(), Pipeline.load(triggers="off")
    for name, data in same_output_sample():
        assert outcome(with_triggers, name, data) == outcome(every_step, name, data), name


def test_a_long_document_comes_out_as_with_every_step_evaluated():
    # Past 20,000 characters the screen remembers through edits, past 100,000 it keeps what finds
    # something (plan.REMEMBER_CHARS, KEEP_FINDING_CHARS): the seeds, each with a byline and a promo.
    seeds = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "seeds").glob("*.txt"))]
    parts = [f"By Jane Doe\n\n{seed}\n\nSign up for our newsletter\n\n" for seed in seeds]
    text = "".join(parts * (1 + 120_000 // len("".join(parts))))
    with_triggers, every_step = Pipeline.load(), Pipeline.load(triggers="off")
    assert outcome(with_triggers, "long", text) == outcome(every_step, "long", text)


def test_triggers_must_be_on_off_or_check():
    with pytest.raises(ValueError, match="triggers must be one of on, off, check"):
        Pipeline.load(triggers="maybe")
    assert Pipeline.load(triggers="off").clean("x\n").text == "x\n"


def test_the_plan_skips_most_steps_on_a_plain_document():
    result = Pipeline.load().clean("A one-line document about the weather.\n")
    every = Pipeline.load(triggers="off").clean("A one-line document about the weather.\n")
    evaluated = sum(timing.evaluations for timing in result.timings.values())
    assert evaluated * 4 < sum(timing.evaluations for timing in every.timings.values())


PIECES = ["adver", "tisement", "Advertisement", "sign", " up", "\n", " ", "\u201c", "x", "©", "cookie", "s"]


@st.composite
def edited_texts(draw):
    """A text of pieces of literals, and replacements (sorted, apart) that join, split and make them."""
    text = "".join(draw(st.lists(st.sampled_from(PIECES), max_size=12)))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=8)))
    replacements, last = [], -1
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        if start > last:
            replacements.append((start, end, draw(st.sampled_from(["", *PIECES]))))
            last = end
    return text, replacements


@given(edited_texts())
def test_a_presence_updated_around_edits_holds_every_literal_of_the_new_text(case):
    text, replacements = case
    plan = CHECKING[0].plan()
    presence = plan.scan(text)
    document = Document(text)
    document.apply(replacements, rule=RuleRef("t.edit", "t"))
    presence.update(document.text, replacements)
    assert plan.scan(document.text).literals <= presence.literals


def test_literals_an_inline_rule_makes_on_its_second_application_are_seen(tmp_path):
    pack = tmp_path / "nested.toml"
    pack.write_text(
        """
[[rule]]
id = "t.unwrap"
category = "t"
kind = "inline"
pattern = '''\\(([^()]*)\\)'''
replacement = '''\\1'''
description = "innermost parentheses go"

[[rule]]
id = "t.ad"
category = "t"
kind = "line"
pattern = '''^Advertisement$'''
description = "an advertisement label"
""",
        encoding="utf-8",
    )
    # Only the second pass of t.unwrap makes the word t.ad's trigger needs.
    for triggers in ("on", "check"):
        pipeline = Pipeline.load(packs=["whitespace"], extra=[pack], triggers=triggers)
        assert pipeline.clean("Body.\n\nAdver((tise))ment\n").text == "Body.\n"


def test_every_kind_that_runs_in_the_stages_has_one_step_class():
    from cleantext.rules import KINDS
    from cleantext.steps import STEP_KINDS

    assert set(STEP_KINDS) == set(KINDS) - {"extract"}
    assert all(step.kind == kind for kind, step in STEP_KINDS.items())


def test_rules_show_prints_the_trigger(capsys):
    from cleantext.cli import main

    assert main(["rules", "show", "whitespace.trailing"]) == 0
    assert "trigger      any of ['\\t\\n', '\\t\\ue001', ' \\n', ' \\ue001']" in capsys.readouterr().out
    assert main(["rules", "show", "offtopic.short-block"]) == 0
    assert "trigger      none: runs on every document" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        # Ignoring case, "I" matches the dotless "ı", which casefolding keeps apart.
        (r"(?i)^ADVERTISEMENT$", "advert\u0131sement"),
        # regex's own syntax the standard library would misread: no trigger, so the rule always runs.
        (r"^(?:subscribe){e<=1}$", "subscrbe"),
        (r"^[[:digit:]]x$", "5x"),
        (r"(?x)^xa{ 2}y$", "xaay"),
        # Escapes are not the syntax they look like.
        (r"^\\p{L}$", "\\p{L}"),
        (r"^x\(?P<n>abc$", "xP<n>abc"),
    ],
)
def test_a_trigger_never_skips_what_the_pattern_matches(pattern, text):
    rule = LineRule(id="t.line", category="t", stage="strip", action="remove", description="", pattern=pattern)
    document = f"{text}\nbody\n"
    for triggers in ("on", "check"):
        assert Pipeline([rule], triggers=triggers, input_format="text").clean(document).text == "body\n"


def test_literals_a_step_makes_join_the_lines_a_later_step_searches():
    # The clause "foo" or "bar" holds already; the inline step makes a second "bar" line.
    tilde = InlineRule(id="t.tilde", category="t", stage="strip", action="remove", description="", pattern="~")
    line = LineRule(id="t.line", category="t", stage="strip", action="remove", description="", pattern="^(?:foo|bar)$")
    assert Pipeline([tilde, line], input_format="text").clean("foo\nba~r\nkeep\n").text == "keep\n"
