"""The native core against the Python reference: the same answers, and the same cleaned output.

Where the core is not built (no Rust toolchain at install), the comparisons
skip and the engine tests check that the Python engine runs.
"""

import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_plan import outcome, same_output_sample

import cleantext.plan
from cleantext import Pipeline
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
