"""The repair stage: ftfy's fixes, one edit per repaired stretch, only where text looks broken."""

import functools
import json
from pathlib import Path

import ftfy
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleantext import clean, native, repair
from cleantext.pipeline import Pipeline
from cleantext.testing import assert_provenance

CASES = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "ftfy-test-cases"


def test_each_repaired_stretch_is_its_own_edit_with_source_offsets():
    source = "Caf\u00c3\u00a9 Ren\u00c3\u00a9e opened in Lviv.\n"
    result = clean(source)
    assert result.text == "Caf\u00e9 Ren\u00e9e opened in Lviv.\n"
    repairs = [edit for edit in result.edits if edit.category == "repair"]
    assert [(edit.rule, edit.before, edit.after) for edit in repairs] == [
        ("repair.mojibake", "\u00c3\u00a9", "\u00e9"),
        ("repair.mojibake", "\u00c3\u00a9", "\u00e9"),
    ]
    for edit in repairs:
        assert source[edit.src[0] : edit.src[1]] == edit.before
        assert result.text[edit.out[0] : edit.out[1]] == edit.after
    assert_provenance(result)


def test_mojibake_of_curly_quotes_becomes_ascii_quotes_through_both_rules():
    result = clean("She said \u00e2\u20ac\u0153no\u00e2\u20ac\u009d.\n")
    assert result.text == 'She said "no".\n'
    assert [edit.rules for edit in result.edits] == [
        ("repair.mojibake", "typography.double-quotes"),
        ("repair.mojibake", "typography.double-quotes"),
    ]


def test_html_entities_then_mojibake_as_ftfy_orders_them():
    assert clean("10\u00ce&frac14;s\n").text == "10\u03bcs\n"


def test_a_lone_surrogate_becomes_the_replacement_character():
    result = clean("A lone \ud800 surrogate.\n")
    assert result.text == "A lone \ufffd surrogate.\n"
    assert [(e.rule, e.before) for e in result.edits] == [("repair.surrogates", "\ud800")]


def test_a_surrogate_pair_becomes_the_character_it_encodes():
    result = clean("Smile \ud83d\ude00 now.\n")
    assert result.text == "Smile \U0001f600 now.\n"
    assert [(e.rule, e.before, e.after) for e in result.edits] == [("repair.surrogates", "\ud83d\ude00", "\U0001f600")]


def test_clean_text_hardly_reaches_ftfy(monkeypatch):
    calls = []
    monkeypatch.setattr(ftfy, "fix_text", lambda text, config=None: calls.append(text) or text)
    lines = 0
    for path in sorted((Path(__file__).parent.parent / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        lines += text.count("\n")
        Pipeline.load().clean(text)
    # One seed line ends in a doubled closing quote, which is also what the
    # UTF-8 of a dash looks like in Windows-1250; ftfy sees it and leaves it.
    # The core runs ftfy's own test for mojibake first, which finds none there.
    expected = [] if native.ENGINE == "native" else ["ar.\u201d\u201d"[-3:]]
    assert [call[-3:] for call in calls] == expected
    assert lines > 100


def test_only_the_broken_line_goes_to_ftfy(monkeypatch):
    calls = []
    real = ftfy.fix_text
    monkeypatch.setattr(ftfy, "fix_text", lambda text, config=None: calls.append(text) or real(text, config))
    Pipeline.load().clean("Fine line one.\nCaf\u00c3\u00a9 line.\nFine line three.\n")
    assert calls == ["Caf\u00c3\u00a9 line."]


def test_a_huge_line_with_mojibake_is_repaired_in_pieces():
    chunk = "word " * 30_000 + "Caf\u00c3\u00a9 "
    source = chunk * 10 + "\n"
    result = clean(source)
    repairs = [edit for edit in result.edits if edit.rule == "repair.mojibake"]
    assert len(repairs) == 10
    assert all(edit.before == "\u00c3\u00a9" and edit.after == "\u00e9" for edit in repairs)


def test_correct_accented_text_is_left_alone():
    without_repair = Pipeline.load(disable=["repair"])
    for text in (
        "n\u00e3o, a\u00e7\u00e3o, cora\u00e7\u00e3o",
        "\u00abnon\u00bb",
        "Zelensk\u00fdi \u00e0 Paris",
        "\u0440\u0451\u0432",
    ):
        assert clean(text + "\n").text == without_repair.clean(text + "\n").text


def test_the_width_rule_is_off_by_default_and_can_be_enabled():
    text = "\u4f60\u597d\uff0c\u4e16\u754c\uff01\n"
    assert clean(text).text == text
    assert Pipeline.load(enable=["repair.width"]).clean("\uff2c\uff2f\uff35\uff24\n").text == "LOUD\n"


def test_a_rule_with_an_unknown_ftfy_fix_is_refused(tmp_path):
    pack = tmp_path / "mine.toml"
    pack.write_text(
        '[[rule]]\nid = "mine.fix"\ncategory = "repair"\nkind = "ftfy"\nfixes = ["fix_everything"]\n'
        'pattern = "x"\ndescription = "d"\n',
        encoding="utf-8",
    )
    with pytest.raises(Exception, match=r"mine\.fix.*unknown ftfy fix"):
        Pipeline.load(extra=[pack])


@pytest.mark.skipif(not CASES.is_dir(), reason="needs ../shared/benchmarks/ftfy-test-cases")
@pytest.mark.parametrize(
    ("name", "least"), [("synthetic", 30), ("language-names", 20), ("negative", 31), ("in-the-wild", 69)]
)
def test_ftfy_test_cases_come_out_right_through_the_whole_pipeline(name, least):
    full = Pipeline.load()
    without_repair = Pipeline.load(disable=["repair"])
    cases = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    right = 0
    for case in cases:
        expected = {case["fixed"], case.get("fixed-encoding", case["fixed"])}
        right += full.clean(case["original"]).text in {without_repair.clean(text).text for text in expected}
    assert right >= least


# Characters of ftfy's test for mojibake, and the few that Python's re and the
# regex dialect read differently (superscripts are re's \w; \x1c-\x1f are re's \s).
_BADNESS_ALPHABET = sorted({c for c in ftfy.badness.BADNESS_RE.pattern if ord(c) > 32} | set("aZ 0.,\u00b3\x1c\x1f"))


@pytest.mark.skipif(native.ENGINE != "native", reason="needs the native core")
@given(st.text(alphabet=st.sampled_from(_BADNESS_ALPHABET), max_size=8))
def test_the_cores_test_for_mojibake_finds_all_that_ftfys_finds(text):
    found = repair._badness_on_core().first(text)
    if found == []:  # None: the core leaves the text to ftfy
        assert not ftfy.badness.is_bad(text)
        assert not repair._may_change(repair.ENCODING_FIXES, text)


@pytest.mark.skipif(native.ENGINE != "native", reason="needs the native core")
@given(st.text(alphabet=st.sampled_from(_BADNESS_ALPHABET), max_size=8))
def test_lines_the_core_spares_ftfy_are_lines_ftfy_leaves_alone(text):
    if not repair._may_change(repair.ENCODING_FIXES, text):
        assert ftfy.fix_text(text, repair._config(tuple(sorted(repair.ENCODING_FIXES)))) == text


@functools.cache
def _default_pipeline():
    return Pipeline.load()


def _screened_out_repairs(text):
    """The repair steps the plan's screen drops on ``text``, with the literals they were selected by."""
    stages, plan = _default_pipeline()._stages_for("file")
    steps = next(steps for stage, steps in stages if stage == "repair")
    presence = plan.scan(text)
    selected = presence.select(steps, text)
    kept = {id(unit) for _, unit, _ in plan.screen(selected, text)}
    return [(unit, literals) for _, unit, literals in selected if id(unit) not in kept]


@pytest.mark.skipif(native.ENGINE != "native", reason="needs the native core")
def test_the_screen_drops_the_mojibake_rule_where_ftfys_test_finds_nothing_on_the_gates_lines():
    fine = "Ele disse \u201cn\u00e3o\u201d, a a\u00e7\u00e3o \u2018sim\u2019\u201d.\nTwo.\n"  # the gate finds "çã"
    assert "repair.mojibake" in [unit.label for unit, _ in _screened_out_repairs(fine)]
    broken = fine + "Caf\u00c3\u00a9 open.\n"
    assert "repair.mojibake" not in [unit.label for unit, _ in _screened_out_repairs(broken)]
    assert clean(broken).text.endswith("Caf\u00e9 open.\n")


@pytest.mark.skipif(native.ENGINE != "native", reason="needs the native core")
@given(
    st.lists(st.text(alphabet=st.sampled_from([*_BADNESS_ALPHABET, " ", "\u00e7", "\u00e3"]), max_size=10), max_size=4)
)
def test_a_repair_rule_the_screen_drops_finds_nothing(lines):
    text = "\n".join(lines)
    for unit, literals in _screened_out_repairs(text):
        assert unit.find(text, None, literals=literals) == [], unit.label


def test_ftfys_test_over_a_whole_line_drops_only_its_anchors():
    assert repair._unanchored("(?x)^a[^]^]$ # [ ^\n^b") == "(?x)a[^]^] # [ ^\nb"
    assert repair._unanchored("(?<=a)b") is None
    assert repair._unanchored(r"\bword") is None
    anywhere = repair._badness_anywhere()
    assert anywhere is not None and "^[" not in anywhere


def test_only_encoding_fixes_are_spared_on_the_cores_word():
    assert repair._may_change(("fix_encoding", "fix_latin_ligatures"), "plain text")


def test_the_mojibake_rule_finds_the_same_lines_on_both_engines(monkeypatch):
    text = "Caf\u00c3\u00a9 open.\nS\u00e3o Paulo.\ndon\u00e2\u20ac\u2122t\n\u201cquoted\u201d\u201d\nA\u0085B\n"
    rule = next(rule for rule in Pipeline.load().rules if rule.id == "repair.mojibake")
    on_core = repair.find_repairs(rule, text, 0, len(text), None)
    monkeypatch.setattr(native, "_NATIVE", None)
    assert repair.find_repairs(rule, text, 0, len(text), None) == on_core
    assert [text[start:end] for start, end, _ in on_core] == ["\u00c3\u00a9", "\u00e2\u20ac\u2122", "\u0085"]


def test_a_gate_that_re_and_regex_read_apart_is_searched_by_python(tmp_path, monkeypatch):
    # A repair rule's gate is a pattern of Python's re, whose \w takes "²" (regex's does not).
    pack = tmp_path / "mine.toml"
    pack.write_text(
        '[[rule]]\nid = "mine.ligature-after-a-digit"\ncategory = "repair"\nkind = "ftfy"\n'
        "fixes = [\"fix_latin_ligatures\"]\npattern = '''\\w\\ufb01'''\ndescription = \"d\"\n",
        encoding="utf-8",
    )
    text = "Note \u00b2\ufb01 here.\n"
    assert Pipeline.load(packs=[], extra=[pack]).clean(text).text == "Note \u00b2fi here.\n"
    monkeypatch.setattr(native, "_NATIVE", None)
    assert Pipeline.load(packs=[], extra=[pack]).clean(text).text == "Note \u00b2fi here.\n"


def test_the_built_in_gates_run_on_the_core():
    rules = [rule for rule in Pipeline.load().rules if rule.kind == "ftfy"]
    on_core = {rule.id for rule in rules if repair.gate_on_core(rule.pattern) is not None}
    assert {"repair.mojibake", "repair.ligatures"} <= on_core or native.ENGINE != "native"


FTFY_IMPORTED = """
import glob, sys
from cleantext import Pipeline
pipeline = Pipeline.load()
for path in sorted(glob.glob(sys.argv[1] + "/*.txt")):
    pipeline.clean(open(path, encoding="utf-8").read())
print("ftfy" in sys.modules)
print(pipeline.clean("Caf\\u00c3\\u00a9 open.\\n").text.strip(), "ftfy" in sys.modules)
"""


@pytest.mark.skipif(native.ENGINE != "native", reason="the Python engine runs ftfy on every line a gate finds")
def test_ftfy_is_imported_only_where_a_fix_runs(tmp_path):
    # The first process derives ftfy's test for mojibake from ftfy and keeps it in the startup cache;
    # the next one cleans the sample articles, where the core's test for mojibake finds no line for
    # ftfy, without importing it.
    import os
    import subprocess
    import sys

    seeds = str(Path(__file__).resolve().parent.parent / "seeds")
    environment = {**os.environ, "CLEANTEXT_CACHE_DIR": str(tmp_path)}
    command = [sys.executable, "-c", FTFY_IMPORTED, seeds]
    for _ in range(2):
        done = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    assert done.stdout.splitlines() == ["False", "Café open. True"]
