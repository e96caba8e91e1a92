"""Golden outputs of the five seed articles, and their provenance JSON replayed."""

import json
from pathlib import Path

import pytest

from cleantext import Pipeline
from cleantext.cli import main
from cleantext.testing import assert_idempotent, assert_provenance, replay

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(p for p in SEEDS.glob("*.txt") if not p.name.endswith(".clean.txt"))
PIPELINE = Pipeline.load()


def test_there_are_five_seeds_each_with_a_golden_output():
    assert len(SEED_FILES) == 5
    for path in SEED_FILES:
        assert path.with_name(path.stem + ".clean.txt").is_file()


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.stem)
def test_seed_matches_its_golden_output(path):
    expected = path.with_name(path.stem + ".clean.txt").read_text(encoding="utf-8")
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
    assert any(edit.rule == "whitespace.final-newline" for edit in result.edits)
