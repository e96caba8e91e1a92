"""Regression tests for what the atheris fuzz targets found (fuzz/README.md; reproducers in fuzz/crashes/)."""

import json
from pathlib import Path

import pytest
import regex

import cleantext
from cleantext import InputError
from cleantext.decode import decode
from cleantext.inputs import read_jsonl_records
from cleantext.normalize import find_inline
from cleantext.pipeline import Pipeline
from cleantext.rules import InlineRule
from cleantext.testing import assert_idempotent, assert_provenance

# A C1 control ftfy leaves alone, a no-break space, a thin space, a tab, a
# zero-width space or a curly quote sits inside or beside mojibake; the repair
# stage decides on the line before a later stage removes or replaces it, so only
# a second run repairs what is left.
LATE_MOJIBAKE = [
    "\u0101\x80\x9d y",  # fuzz_clean: repair.mojibake, then whitespace.control-characters
    "\u0100\u00a0\u0106\u00a2\u0101\x80\x9d",  # fuzz_clean: whitespace.unicode-spaces + control-characters
    "Zelensky said \u0101\x80\x9cno\u0101\x80\x9d on Tuesday.",  # fuzz_clean, the first crash, in a sentence
    "\u201d\u221a\u00c7",  # fuzz_clean (from <html>&rdquo;√Ç</p>): typography.double-quotes, then MacRoman
    "Caf\u00c3\u200b\u00a9 open.",  # whitespace.invisible (found by hand while analysing)
    "voil\u00c3\u2009 tout",  # whitespace.unicode-spaces
    "Caf\u00c3\t\u00a9",  # whitespace.tabs
    "don\u00e2\u20ac\u200b\u2122t",  # whitespace.invisible, then typography.single-quotes
]


@pytest.mark.parametrize("text", LATE_MOJIBAKE)
def test_fuzz_mojibake_completed_by_a_later_stage_is_repaired_in_one_run(text):
    result = cleantext.clean(text)
    assert_provenance(result, text)
    assert_idempotent(Pipeline.load(), text)
    assert_idempotent(Pipeline.load(), text.encode("utf-8"))


def test_fuzz_quote_then_macroman_mojibake_in_html_is_repaired_in_one_run():
    page = "<html>&rdquo;\u221a\u00c7</p>"
    result = cleantext.clean(page, input_format="html")
    assert_provenance(result, page)
    assert cleantext.clean(result.text, input_format="text").text == result.text


@pytest.mark.parametrize("text", ["Wait\u2026 - then", "said.\u2026 - night"])
def test_fuzz_dash_after_an_ellipsis_becomes_an_em_dash_in_one_run(text):
    # fuzz_html: typography.dashes ran before typography.ellipsis turned "…" into "...".
    result = cleantext.clean(text)
    assert " \u2014 " in result.text
    assert_idempotent(Pipeline.load(), text)
    page = f"<p>{text}</p>"
    html = cleantext.clean(page, input_format="html")
    assert_provenance(html, page)
    assert cleantext.clean(html.text, input_format="text").text == html.text


@pytest.mark.parametrize("codec", ["hex", "base64", "rot13", "uu", "zlib", "bz2", "quopri"])
def test_fuzz_declared_charset_that_is_not_a_text_encoding_is_ignored(codec):
    page = f'<html><head><meta charset="{codec}"></head><body><p>Kyiv said so on Tuesday.</p></body></html>'
    text, encoding = decode(page.encode())
    assert (text, encoding) == (page, "utf-8")
    assert decode(f"<?xml version='1.0' encoding='{codec}'?><a>x</a>".encode())[1] == "utf-8"
    result = cleantext.clean(f"<meta charset={codec}>Caf\u00e9 text".encode())
    assert result.encoding == "utf-8"


@pytest.mark.parametrize("codec", ["hex", "rot13"])
def test_fuzz_explicit_encoding_that_is_not_a_text_encoding_is_an_input_error(codec):
    with pytest.raises(InputError, match=codec):
        decode(b"Kyiv", encoding=codec)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"[" * 100_000, "recursion"),  # RecursionError from json.loads
        (b'{"text": "a", "n": ' + b"1" * 5000 + b"}", "digits"),  # ValueError: int max_str_digits
    ],
)
def test_fuzz_json_lines_that_json_cannot_load_are_error_records(line, reason):
    data = b'{"text": "first"}\n' + line + b'\n{"text": "last"}\n'
    records = list(read_jsonl_records(data, "c.jsonl", "text"))
    assert [(r.line, r.text) for r in records] == [(1, "first"), (2, None), (3, "last")]
    assert records[1].error.startswith("c.jsonl:2: invalid JSON")
    streamed = list(read_jsonl_records(iter(data.splitlines(keepends=True)), "c.jsonl", "text"))
    assert [(r.line, r.text, r.error) for r in streamed] == [(r.line, r.text, r.error) for r in records]


def test_fuzz_json_lines_cli_reports_the_bad_line_and_cleans_the_rest(tmp_path, capsys):
    from cleantext.cli import main

    corpus = tmp_path / "c.jsonl"
    corpus.write_bytes(b"[" * 100_000 + b"\n" + json.dumps({"text": "Kiev\u00a0said"}).encode() + b"\n")
    assert main(["clean", str(corpus), "-q"]) == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out)["text"] == "Kyiv said"
    assert "c.jsonl:1: invalid JSON" in captured.err


def test_fuzz_unclosed_tags_are_scanned_in_linear_time():
    # extract.visible_text: each "<a " or "<script " without a ">" was matched
    # against the rest of the page, so a 36 kB page took about 35 s, 64 kB 80 s.
    import time

    article = "<html><body><p>Kyiv said on Tuesday that the grid held.</p>"
    page = article + "<a " * 10_000 + "<script " * 4_000 + '<p title="' * 2_000
    started = time.perf_counter()
    result = cleantext.clean(page, input_format="html")
    assert time.perf_counter() - started < 10
    assert result.text == "Kyiv said on Tuesday that the grid held.\n"
    assert_provenance(result, page)


def test_fuzz_json_lines_bytes_and_stream_agree_on_a_lone_carriage_return():
    # bytes.splitlines() also split at a lone "\r", which JSON allows as whitespace;
    # a file read line by line (the CLI) does not.
    import io

    data = b'{"text":\r"Kyiv"}\r\n{"text": "b"}\n'
    whole = [(r.line, r.text, r.error) for r in read_jsonl_records(data, "c.jsonl", "text")]
    streamed = [(r.line, r.text, r.error) for r in read_jsonl_records(io.BytesIO(data), "c.jsonl", "text")]
    assert whole == streamed == [(1, "Kyiv", None), (2, "b", None)]


# fuzz_clean: a pair of guillemets inside another; the outer pair is only a pair
# once the inner one is replaced, so an inline rule applies until it changes nothing.
NESTED_GUILLEMETS = [
    "\u00aba \u00abb\u00bb c\u00bb",
    "\u041e\u043d \u0441\u043a\u0430\u0437\u0430\u043b: \u00ab\u042d\u0442\u043e \u00ab\u043d\u0435\u0442\u00bb.\u00bb",
    "Il a dit \u00ab c'est \u00ab non \u00bb \u00bb.",
]


@pytest.mark.parametrize("text", NESTED_GUILLEMETS)
def test_nested_guillemets_come_out_in_one_clean(text):
    assert "\u00ab" not in cleantext.clean(text).text
    assert_idempotent(Pipeline.load(), text)


def test_the_nested_guillemets_reproducer_is_idempotent():
    from pathlib import Path

    data = (Path(__file__).parent.parent / "fuzz" / "crashes" / "clean-idempotence-nested-guillemets").read_bytes()
    pipeline = Pipeline.load()
    result = pipeline.clean(data)
    assert_provenance(result, result.source)
    assert pipeline.clean(result.text).text == result.text


def test_a_page_that_lxml_finds_empty_on_the_second_parse_is_cleaned():
    from pathlib import Path

    data = (Path(__file__).parent.parent / "fuzz" / "crashes" / "html-empty-document-second-parse").read_bytes()
    page = data[1:].decode("utf-8", errors="replace")  # the target's first byte picks the mode
    for pipeline in (Pipeline.load(input_format="html"), Pipeline.load(input_format="html", timeout=None)):
        result = pipeline.clean(page, name="fuzz")
        assert result.text == "" and result.warnings


def test_fuzz_native_a_pattern_with_empty_alternatives_finds_what_regex_finds():
    # fuzz_native: after an empty match finditer tries the same place again for a longer one.
    pattern, text = "Russih tba|||\x01", "\x00\x01\x00\x00\x00|||r\x00"
    rule = InlineRule(id="t.empty", category="t", stage="normalize", action="replace", description="", pattern=pattern)
    expected = [(m.start(), m.end(), "") for m in regex.finditer(pattern, text)]
    assert find_inline(rule, text, 0, len(text), None) == expected
    assert (1, 2, "") in expected


def test_fuzz_native_a_short_property_escape_in_a_class_finds_what_regex_finds():
    # fuzz_native: inside a class regex reads "\\Pi" as the letters "P" and "i", not as a property.
    data = (Path(__file__).parent.parent / "fuzz" / "crashes" / "native-short-property-in-class").read_bytes()
    head, _, tail = data.partition(b"\0")
    pattern = head.decode("utf-8", errors="surrogateescape").split("\n")[0]
    text = tail.decode("utf-8", errors="surrogateescape")
    rule = InlineRule(id="t.class", category="t", stage="normalize", action="replace", description="", pattern=pattern)
    expected = [(m.start(), m.end(), "") for m in regex.finditer(pattern, text)]
    assert find_inline(rule, text, 0, len(text), None) == expected == [(1, 2, "")]
