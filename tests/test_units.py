"""Temperatures and units: the canonical style, and no quantity ever broken."""

import json
from pathlib import Path

import pytest
import regex

from cleantext import Pipeline

PIPELINE = Pipeline.load()
QUANTITIES = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "quantulum3-quantities"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Temperatures dropped to -20C (-4F).", "Temperatures dropped to -20 °C (-4 °F)."),
        ("It fell below minus 20C overnight.", "It fell below -20 °C overnight."),
        ("It was minus 20 degrees Celsius.", "It was -20 °C."),
        ("It was 20 degrees below zero Celsius.", "It was -20 °C."),
        ("Lows of -20 C and -20\u00baC, or \u221220 \u00b0C.", "Lows of -20 °C and -20 °C, or -20 °C."),
        ("Forecast: -4 degrees Fahrenheit (\u22124 \u00b0F).", "Forecast: -4 °F (-4 °F)."),
        ("From -5C to -10C, then 20-25C.", "From -5 °C to -10 °C, then 20-25 °C."),
        ("He turned 20 degrees to the left.", "He turned 20 degrees to the left."),
        ("A 10km walk at 5mph with 3.5kg.", "A 10 km walk at 5 mph with 3.5 kg."),
        ("The 100m sprint cost $100m and 4mn people watched.", "The 100 m sprint cost $100m and 4mn people watched."),
    ],
)
def test_temperatures_and_units_take_the_canonical_style(text, expected):
    assert PIPELINE.clean(text).text == expected + "\n"


def test_millions_expand_only_when_asked():
    assert Pipeline.load(enable=["units.million"]).clean("some 4mn people").text == "some 4 million people\n"


def _quantity_cases():
    if not QUANTITIES.is_dir():
        pytest.skip(f"benchmark data not found at {QUANTITIES}")
    cases = []
    for name in ("quantities.json", "quantities.ambiguity.json"):
        for item in json.loads((QUANTITIES / name).read_text(encoding="utf-8")):
            cases.extend((item["req"], quantity["surface"]) for quantity in item["res"])
    return cases


def test_no_quantity_of_the_quantulum3_sentences_is_broken():
    # Each expected quantity's surface, followed through the provenance into the
    # output, keeps its digits in order and gains no letters: "-18 °C" may become
    # canonical, but no value or unit may change or disappear.
    broken = []
    cases = _quantity_cases()
    for sentence, surface in cases:
        result = PIPELINE.clean(sentence)
        start = sentence.find(surface)
        assert start >= 0
        out = result.text[slice(*result.output_span(start, start + len(surface)))]
        digits = regex.sub(r"\D", "", surface) == regex.sub(r"\D", "", out)
        letters = set(regex.sub(r"[^\p{L}]", "", out)) <= set(regex.sub(r"[^\p{L}]", "", surface))
        if not (out and digits and letters):
            broken.append((surface, out))
    assert len(cases) > 150
    assert broken == []
