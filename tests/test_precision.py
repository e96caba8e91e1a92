"""Precision: clean articles full of boilerplate-looking words come out with every sentence intact."""

from pathlib import Path

import pytest

from cleantext import Pipeline

ARTICLES = sorted((Path(__file__).parent / "data" / "clean_articles").glob("*.txt"))
PIPELINE = Pipeline.load()


def test_the_precision_set_is_large_enough():
    paragraphs = [p for path in ARTICLES for p in path.read_text(encoding="utf-8").split("\n\n")]
    assert len(ARTICLES) >= 8
    assert len(paragraphs) >= 60


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_a_clean_article_comes_out_unchanged(path):
    text = path.read_text(encoding="utf-8")
    result = PIPELINE.clean(text)
    assert [e.to_dict() for e in result.edits] == []
    assert result.text == text


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_a_clean_article_survives_between_boilerplate(path):
    text = path.read_text(encoding="utf-8")
    noisy = (
        "Skip to main content\n\nHOME > NEWS > LOCAL\n\n"
        + text.replace("\n\n", "\n\nAdvertisement\n\n", 1)
        + "\nShare this article\n\nRead more: Council approves the budget\n\n"
        "\u00a9 2026 Valley Media Ltd. All rights reserved.\n"
    )
    assert PIPELINE.clean(noisy).text == text
