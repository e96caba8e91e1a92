"""The native core against the Python reference: the same answers, and the same cleaned output.

Where the core is not built (no Rust toolchain at install), the comparisons
skip and the engine tests check that the Python engine runs.
"""

import html
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_plan import BENCHMARKS, outcome, same_output_sample

import cleantext.plan
from cleantext import Pipeline
from cleantext.extract import extract_article, located_natively, located_replacements, visible_text
from cleantext.native import ENGINE, PythonScanner
from cleantext.triggers import TEXT_END, TEXT_START, fold

native = pytest.importorskip("cleantext._native", reason="the native core is not built") if ENGINE == "native" else None
needs_native = pytest.mark.skipif(native is None, reason="the native core is not built or not active")

# Literals as triggers have them: ASCII punctuation and words, accented and other scripts' letters, the text sentinels.
ALPHABET = st.sampled_from([*"ab .-,'\"\n\t©€éßıİ\u00a0\u200bЖ中🙂", TEXT_START, TEXT_END])
LITERALS = st.lists(st.text(ALPHABET, min_size=1, max_size=4), min_size=1, max_size=40, unique=True)


@needs_native
@given(LITERALS, st.text(ALPHABET, max_size=300))
def test_the_native_scanner_finds_what_the_reference_finds(literals, text):
    expected = set(PythonScanner(literals).scan(text))
    found = native.LiteralScanner(literals).scan(text)
    assert len(found) == len(set(found)), "a literal reported twice"
    assert set(found) == expected


@needs_native
def test_the_native_scanner_finds_the_built_in_literals_as_the_reference_does():
    plan = Pipeline.load().plan("file")
    reference = PythonScanner(plan.literals)
    for name, data in same_output_sample():
        text = data if isinstance(data, str) else data.decode("utf-8", "replace")
        folded = TEXT_START + fold(text) + TEXT_END
        assert set(plan.scanner.scan(folded)) == set(reference.scan(folded)), name


@needs_native
def test_both_engines_clean_alike(monkeypatch):
    native_engine = Pipeline.load()
    with monkeypatch.context() as patched:
        patched.setattr(cleantext.plan, "scanner", PythonScanner)
        python_engine = Pipeline.load()
        expected = {name: outcome(python_engine, name, data) for name, data in same_output_sample()}
    for name, data in same_output_sample():
        assert outcome(native_engine, name, data) == expected[name], name


@needs_native
def test_the_native_scanner_refuses_empty_or_repeated_literals():
    with pytest.raises(ValueError, match="must not be empty"):
        native.LiteralScanner(["ab", ""])
    with pytest.raises(ValueError, match="given twice"):
        native.LiteralScanner([".", "."])
    with pytest.raises(ValueError, match="given twice"):
        native.LiteralScanner(["news", "by", "news"])


def run_with_engine(engine, *argv):
    env = {**os.environ, "CLEANTEXT_ENGINE": engine}
    return subprocess.run([sys.executable, "-m", "cleantext", *argv], capture_output=True, text=True, env=env)


def test_the_python_engine_can_be_chosen_and_says_so():
    shown = run_with_engine("python", "--version")
    assert shown.returncode == 0 and "Python engine" in shown.stdout
    cleaned = subprocess.run(
        [sys.executable, "-m", "cleantext", "clean", "-"],
        input="Body.\n\nAdvertisement\n",
        capture_output=True,
        text=True,
        env={**os.environ, "CLEANTEXT_ENGINE": "python"},
    )
    assert cleaned.returncode == 0 and cleaned.stdout == "Body.\n"


def test_a_wrong_engine_name_is_refused_with_the_choices():
    shown = run_with_engine("rust", "--version")
    assert shown.returncode != 0 and "CLEANTEXT_ENGINE must be auto, native or python, not 'rust'" in shown.stderr


@needs_native
def test_the_native_engine_is_reported_where_it_is_built():
    shown = run_with_engine("native", "--version")
    assert shown.returncode == 0 and "native core" in shown.stdout
    config = run_with_engine("auto", "config")
    assert "engine" in config.stdout and "native core" in config.stdout


@needs_native
def test_the_native_whitespace_table_is_pythons():
    characters = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]  # a surrogate is never whitespace
    assert [c for c in characters if native.python_space(chr(c))] == [c for c in characters if chr(c).isspace()]


# HTML as pages have it, and as fuzzing found it: raw-text elements in odd cases and with
# letters that only match case-insensitively (U+017F, U+212A, U+0130, U+0131), unclosed
# comments, references with and without ";", inline tags inside words, Python's whitespace.
HTML_PIECES = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div class='a>b'>",
        "<br/>",
        "<b>",
        "</b>",
        "<span>",
        "</SPAN>",
        "<a href=x>",
        "</a>",
        "<!-- c -->",
        "<!--",
        "-->",
        "<!DOCTYPE html>",
        "<?xml x?>",
        "<script>",
        "</script >",
        "<SCRIPT>",
        "<ſcript>",
        "</ſcript>",
        "<\u212abd>",
        "<tıtle>",
        "<TİTLE>",
        "</title>",
        "<style type=x>",
        "</style>",
        "<scripts>",
        "<script_x>",
        "<script١>",
        "<textarea>",
        "</textarea\n>",
        "<noscript>",
        "<template>",
        "&amp;",
        "&amp",
        "&#8217;",
        "&#x2019;",
        "&#X41",
        "&#12345678;",
        "&nbsp;",
        "&notit;",
        "&ſ;",
        "&a",
        "&",
        "<",
        ">",
        "Tom",
        "Jerry",
        "met",
        "in",
        "Kyiv",
        "on",
        "Tuesday.",
        "don",
        "t",
        "’",
        "é",
        " ",
        "  ",
        "\n",
        "\t",
        "\x1c",
        "\u3000",
        "\u00a0",
        "\u200b",
        "x",
        "1",
    ]
)


@st.composite
def pages_and_extracts(draw):
    page = "".join(draw(st.lists(HTML_PIECES, max_size=60)))
    words = visible_text(page).text.split()
    kept = [word for word in words if draw(st.booleans()) or draw(st.booleans())]
    extra = draw(st.lists(st.sampled_from(["Tom", "new", "&", "-", "|", "x1"]), max_size=3))
    joined = draw(st.sampled_from([" ", "\n\n", "\n- "])).join([*kept, *extra])
    return page, joined


@needs_native
@given(pages_and_extracts())
def test_the_native_core_locates_extracted_text_as_the_reference_does(case):
    page, extracted = case
    assert located_natively(page, extracted) == located_replacements(page, extracted)


@needs_native
def test_the_native_core_locates_the_benchmark_pages_as_the_reference_does():
    pages = [(name, data) for name, data in same_output_sample() if name.endswith(".html.gz") or "built" in name]
    assert pages or not BENCHMARKS.is_dir()
    for name, data in pages:
        page = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        extracted = extract_article(page).body
        assert located_natively(page, extracted) == located_replacements(page, extracted), name


@needs_native
def test_text_with_a_lone_surrogate_is_left_to_the_python_engine():
    assert native.locate("<p>a\ud800</p>", "a", html.unescape, str.isalnum) is None
