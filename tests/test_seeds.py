"""Golden outputs of the five seed articles, and their provenance JSON replayed."""

import json
from pathlib import Path

import pytest

from cleantext import Pipeline
from cleantext.cli import main
from cleantext.testing import assert_idempotent, assert_provenance, replay

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLDEN = ROOT / "tests" / "golden"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def golden(path: Path) -> Path:
    """The reviewed clean output of a seed."""
    return GOLDEN / (path.stem + ".clean.txt")


PIPELINE = Pipeline.load()


def test_there_are_five_seeds_each_with_a_golden_output():
    assert len(SEED_FILES) == 5
    assert sorted(golden(path) for path in SEED_FILES) == sorted(GOLDEN.glob("*.clean.txt"))


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_seed_matches_its_golden_output(path):
    expected = golden(path).read_text(encoding="utf-8")
    result = PIPELINE.clean(path.read_bytes(), name=str(path))
    assert result.text == expected
    assert result.encoding == "utf-8"
    assert_provenance(result)
    assert_idempotent(PIPELINE, result.source)


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_seed_json_replays_to_its_text(path, capsys):
    assert main(["clean", "--format", "json", str(path)]) == 0
    payload = json.loads(capsys.readouterr().out)
    source = path.read_bytes().decode(payload["encoding"])
    assert payload["source"] == str(path)
    assert replay(source, payload["edits"]) == payload["text"]
    for edit in payload["edits"]:
        assert source[slice(*edit["src"])] == edit["before"]
        assert payload["text"][slice(*edit["out"])] == edit["after"]
        assert edit["rule"] == edit["rules"][-1]
        assert edit["category"]


def test_seeds_come_out_with_ascii_quotes_and_plain_spaces():
    for path in SEED_FILES:
        text = PIPELINE.clean(path.read_bytes()).text
        for character in "\u201c\u201d\u2018\u2019\u00a0\u2009\u202f":
            assert character not in text, (path.name, character)
        assert text.endswith("\n") and not text.endswith("\n\n")
        assert all(line == line.rstrip(" ") for line in text.split("\n"))


def test_seed_001_loses_its_trailing_run_of_blank_lines():
    path = SEEDS / "001_ee7a9ebecb57a15f.txt"
    result = PIPELINE.clean(path.read_bytes())
    assert result.text.endswith("war.\n")
    assert any(edit.rule == "whitespace.trailing-blank-lines" for edit in result.edits)


BOILERPLATE_LINES = {
    "000_dd4f2a093bc6ca5d": ["By Anthony Solly"],
    "003_0175700b6812221d": [
        "by dharm",
        "February 3, 2026",
        "Unlock the White House Watch newsletter for free",
        "in Kyiv \u00a9 AP",
        "Andrii Sybiha/X",
        "Additional reporting by Raphael Minder in Warsaw",
        "Disclaimer:",
        "Suggested Topics:",
    ],
}


@pytest.mark.parametrize("stem", sorted(BOILERPLATE_LINES))
def test_seed_boilerplate_is_gone(stem):
    text = PIPELINE.clean((SEEDS / f"{stem}.txt").read_bytes()).text
    for line in BOILERPLATE_LINES[stem]:
        assert line not in text


def test_repeated_title_and_standfirst_are_kept_once():
    title = "Russia hits Ukraine energy sites as Trump truce unravels"
    assert PIPELINE.clean((SEEDS / "003_0175700b6812221d.txt").read_bytes()).text.count(title) == 1
    standfirst = "rather than diplomacy to end this war and called for"
    assert PIPELINE.clean((SEEDS / "000_dd4f2a093bc6ca5d.txt").read_bytes()).text.count(standfirst) == 1


def test_every_sentence_of_the_seeds_survives():
    # Each source line that is article text (not a known boilerplate line) is kept,
    # as the normalize stage alone would write it.
    normalize_only = Pipeline.load(disable=["bylines", "promos", "notices", "credits", "widgets", "repeats"])
    for path in SEED_FILES:
        result = PIPELINE.clean(path.read_bytes())
        clean_lines = set(result.text.split("\n"))
        known = BOILERPLATE_LINES.get(path.stem, [])
        for line in result.source.splitlines():
            if not line.strip() or any(b in line for b in known):
                continue
            assert normalize_only.clean(line).text.strip() in clean_lines, (path.name, line)


def test_metadata_comes_from_the_removed_bylines():
    assert PIPELINE.clean((SEEDS / "000_dd4f2a093bc6ca5d.txt").read_bytes()).metadata == {"author": "Anthony Solly"}
    assert PIPELINE.clean((SEEDS / "003_0175700b6812221d.txt").read_bytes()).metadata == {
        "author": "dharm",
        "published": "2026-02-03T11:32",
    }
