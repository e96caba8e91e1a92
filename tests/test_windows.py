"""Huge documents in windows: the cut, the stitching, and equality with cleaning whole."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleantext import Pipeline
from cleantext.cli import main
from cleantext.decode import decode_chunks, stream_encoding
from cleantext.document import Document
from cleantext.emit import Edit, Result
from cleantext.testing import BOILERPLATE, assert_provenance
from cleantext.windows import Window, cut_windows, merged_metadata

CLEAN_ARTICLES = sorted((Path(__file__).parent / "data" / "clean_articles").glob("*.txt"))
# Paragraphs of real-looking prose, long enough that no rule judges them by
# their shape, and each different from the others (no repeats to find).
PROSE = tuple(
    dict.fromkeys(
        paragraph.strip()
        for path in CLEAN_ARTICLES
        for paragraph in path.read_text(encoding="utf-8").split("\n\n")
        if len(paragraph.split()) >= 15 and "\n" not in paragraph.strip()
    )
)
SEPARATORS = ("\n\n", "\n\n\n", "\n \n", "\n\n\n\n", "\n", "\r\n\r\n", "\n\xa0\n", "\r\n\r", "\n\u2029", "\n\t\n\n")


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.load()


def whole_result(windows: list[Window], source: str) -> Result:
    """The windows of one document as one result, for the provenance checks."""
    edits = tuple(edit for window in windows for edit in window.edits())
    text = "".join(window.text for window in windows)
    metadata = merged_metadata(window.result.metadata for window in windows)
    return Result(source=source, text=text, edits=edits, metadata=metadata)


def cleaned_in_windows(pipeline: Pipeline, text: str, window_chars: int) -> Result:
    windows = list(pipeline.clean_windows(text, window_chars=window_chars))
    for window, following in itertools.pairwise(windows):
        assert following.source_start == window.source_start + len(window.result.source)
        assert following.output_start == window.output_start + len(window.text)
    result = whole_result(windows, text)
    assert_provenance(result, text)
    return result


def rules_applied(edits: tuple[Edit, ...]) -> Counter[str]:
    """How often each rule but the whitespace ones acted, over all edits.

    Where windows meet, line breaks are removed by the stitcher, and an edit
    that absorbs its neighbours when the text is whole stays several edits in
    windows: the whitespace rule credited, and how edits are grouped, differ.
    What every other rule did must not.
    """
    return Counter(rule for edit in edits for rule in edit.rules if not rule.startswith("whitespace."))


def article(paragraphs: list[str], separator: str = "\n\n") -> str:
    return separator.join(paragraphs) + "\n"


# ---- cutting --------------------------------------------------------------------


def test_windows_join_back_into_the_text_and_start_at_the_blank_line() -> None:
    text = article(list(PROSE[:40]))
    windows = list(cut_windows([text], 1000))
    assert "".join(windows) == text
    assert len(windows) > 5
    for before, window in itertools.pairwise(windows):
        assert before.endswith(".\n") and window.startswith("\n") and window[1] != "\n"
        assert len(window) <= 2 * 1000


def test_text_in_small_chunks_cuts_as_text_in_one_piece() -> None:
    text = article(list(PROSE[:40]), "\r\n\r\n")
    pieces = [text[i : i + 37] for i in range(0, len(text), 37)]
    assert list(cut_windows(pieces, 1000)) == list(cut_windows([text], 1000))
    assert all(window.startswith("\r\n") for window in list(cut_windows(pieces, 1000))[1:])


def test_without_blank_lines_the_cut_falls_on_a_line_break_and_one_line_is_never_cut() -> None:
    lines = "\n".join(PROSE[:40]) + "\n"
    windows = list(cut_windows([lines], 1000))
    assert "".join(windows) == lines
    assert len(windows) > 1
    for before, window in itertools.pairwise(windows):
        assert before.endswith(".\n") and not window.startswith("\n")
    one_line = "word " * 5000
    assert list(cut_windows([one_line], 1000)) == [one_line]


def test_window_chars_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        list(cut_windows(["text"], 0))


# ---- cleaning -------------------------------------------------------------------


def test_a_long_article_comes_out_as_cleaned_whole(pipeline: Pipeline) -> None:
    paragraphs = ["By Anthony Solly", *PROSE[:30]]
    paragraphs[12:12] = ["Advertisement"]
    paragraphs[20:20] = ["Share this article"]
    paragraphs.append("\u00a9 2026 Example Media Ltd. All rights reserved.")
    text = article(paragraphs)
    whole = pipeline.clean(text)
    windowed = cleaned_in_windows(pipeline, text, 600)
    assert windowed.text == whole.text
    assert windowed.edits == whole.edits
    assert windowed.metadata == whole.metadata == {"author": "Anthony Solly"}
    assert "Advertisement" not in windowed.text and "Solly" not in windowed.text


def test_head_rules_see_only_the_first_window_and_tail_rules_only_the_last(pipeline: Pipeline) -> None:
    byline = "By Anthony Solly"
    credit = "Additional reporting by Raphael Minder in Warsaw"
    document = Document(f"{byline}\n\n{PROSE[0]}\n\n{credit}\n", continues=(True, True))
    pipeline.run(document)
    assert byline in document.text and credit in document.text
    assert not document.text.endswith("\n\n")  # the end of a window is no end of text
    first = Document(f"{byline}\n\n{PROSE[0]}\n\n{credit}", continues=(False, True))
    pipeline.run(first)
    assert first.text == f"{PROSE[0]}\n\n{credit}"


@pytest.mark.parametrize(
    "paragraphs",
    [
        pytest.param(["Advertisement", *PROSE[:8]], id="the first window starts with a removal"),
        pytest.param([*PROSE[:8], "Share this article"], id="the last window ends with a removal"),
        pytest.param([PROSE[0], *["Advertisement"] * 6, *PROSE[1:4]], id="a window that comes out empty"),
        pytest.param(["Advertisement"] * 12, id="every window comes out empty"),
        pytest.param([*PROSE[:3], *["Share this article"] * 8], id="the windows after the text come out empty"),
        pytest.param([p for pair in zip(PROSE[:6], ["Advertisement"] * 6, strict=True) for p in pair], id="mixed"),
    ],
)
@pytest.mark.parametrize("window_chars", [30, 90, 250])
def test_where_windows_meet_the_blank_lines_are_as_in_one_piece(
    pipeline: Pipeline, paragraphs: list[str], window_chars: int
) -> None:
    for text in (
        article(paragraphs),
        "\n\n\n" + article(paragraphs, "\n\n\n"),
        article(paragraphs)[:-1],
        article(paragraphs) + "\n\n  \n",
        article(paragraphs, "\n\xa0\n"),
        "\ufeff\n\n" + article(paragraphs, "\r\n\r\n"),
    ):
        whole = pipeline.clean(text)
        windowed = cleaned_in_windows(pipeline, text, window_chars)
        assert windowed.text == whole.text
        assert rules_applied(windowed.edits) == rules_applied(whole.edits)


@given(
    paragraphs=st.lists(
        st.one_of(st.sampled_from(PROSE), st.sampled_from(BOILERPLATE["middle"])), min_size=1, max_size=12
    ),
    separators=st.lists(st.sampled_from(SEPARATORS), min_size=11, max_size=11),
    byline=st.booleans(),
    window_chars=st.integers(20, 600),
)
def test_cleaned_in_windows_equals_cleaned_whole(
    pipeline: Pipeline, paragraphs: list[str], separators: list[str], byline: bool, window_chars: int
) -> None:
    # No paragraph twice: a repeat is only found within its window.
    paragraphs = [p for i, p in enumerate(paragraphs) if p not in PROSE or p not in paragraphs[:i]]
    if byline:
        paragraphs.insert(0, "By Anthony Solly")
    text = paragraphs[0] + "".join(sep + p for sep, p in zip(separators, paragraphs[1:], strict=False)) + "\n"
    whole = pipeline.clean(text)
    windowed = cleaned_in_windows(pipeline, text, window_chars)
    assert windowed.text == whole.text
    assert rules_applied(windowed.edits) == rules_applied(whole.edits)
    assert windowed.metadata == whole.metadata


def test_a_line_removed_at_a_cut_keeps_the_blank_line_before_it(pipeline: Pipeline) -> None:
    text = "First paragraph here.\n\nAdvertisement\nSecond paragraph here.\n"
    for window_chars in range(1, 40):
        windowed = cleaned_in_windows(pipeline, text, window_chars)
        assert windowed.text == "First paragraph here.\n\nSecond paragraph here.\n"
        assert windowed.edits == pipeline.clean(text).edits


def test_the_head_is_in_the_first_window_that_keeps_text(pipeline: Pipeline) -> None:
    text = article(["\ufeff", "By Anthony Solly", *PROSE[:4]])
    whole = pipeline.clean(text)
    windowed = cleaned_in_windows(pipeline, text, 3)
    assert windowed.text == whole.text and "Solly" not in windowed.text
    assert windowed.metadata == whole.metadata == {"author": "Anthony Solly"}


def test_windows_cleaned_in_a_process_pool_come_out_as_cleaned_in_one(pipeline: Pipeline) -> None:
    # The first windows come out empty: the pool's guess of where the head is fails.
    text = article([*["Advertisement"] * 12, "By Anthony Solly", *PROSE[:20]])
    one = list(pipeline.clean_windows(text, window_chars=150))
    pooled = list(pipeline.clean_windows(text, window_chars=150, jobs=2))
    assert [(w.text, w.edits(), w.result.metadata) for w in pooled] == [
        (w.text, w.edits(), w.result.metadata) for w in one
    ]
    assert "Solly" not in "".join(w.text for w in pooled)


def test_a_title_repeated_in_a_later_window_stays(pipeline: Pipeline) -> None:
    title = "Rye bread makes a comeback in the old market hall of the town"
    text = article([title, *PROSE[:12], title, *PROSE[12:14]])
    assert pipeline.clean(text).text.count(title) == 1
    assert cleaned_in_windows(pipeline, text, 400).text.count(title) == 2


def test_an_open_file_is_read_in_pieces(pipeline: Pipeline, tmp_path: Path) -> None:
    text = article(["By Anthony Solly", *PROSE[:20]])
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    with path.open(encoding="utf-8", newline="") as stream:
        windows = list(pipeline.clean_windows(stream, window_chars=500))
    assert len(windows) > 3
    assert "".join(window.text for window in windows) == pipeline.clean(text).text


# ---- decoding a stream -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Plain text, caf\u00e9.\n".encode() * 300_000, "utf-8"),
        ("\ufeffЖурнал\n".encode("utf-16-le"), "utf-16-le"),
        (b'<?xml version="1.0" encoding="iso-8859-1"?>\ncaf\xe9\n', "iso-8859-1"),
        (b"caf\xc3\xa9\n" * 400_000 + b"\xff", None),  # broken at the end: only the whole decode can tell
        (b"caf\xe9 au lait\n", None),  # legacy bytes: detection
        (b"text\x00\x00binary", None),
    ],
)
def test_stream_encoding_is_the_one_that_decodes_the_whole_stream(data: bytes, expected: str | None) -> None:
    assert stream_encoding(io.BytesIO(data)) == expected
    if expected:
        assert "".join(decode_chunks(io.BytesIO(data), expected)) == data.decode(expected)


def test_a_given_encoding_is_checked_through_the_stream() -> None:
    assert stream_encoding(io.BytesIO(b"caf\xe9\n"), encoding="latin-1") == "latin-1"
    assert stream_encoding(io.BytesIO(b"caf\xe9\n"), encoding="no-such-codec") is None
    assert stream_encoding(io.BytesIO(b"caf\xe9\n"), encoding="base64") is None


# ---- the command line ----------------------------------------------------------------


def long_article() -> str:
    paragraphs = ["By Anthony Solly", *PROSE[:40], "Sign up for our daily newsletter"]
    paragraphs[15:15] = ["Advertisement"]
    return article(paragraphs)


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl"])
def test_the_command_writes_a_long_file_cleaned_in_windows_as_cleaned_whole(tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "long.txt"
    source.write_text(long_article(), encoding="utf-8")
    whole, windowed = tmp_path / "whole", tmp_path / "windowed"
    assert main(["clean", str(source), "-o", str(whole), "--format", fmt, "--window", "0", "-q"]) == 0
    assert main(["clean", str(source), "-o", str(windowed), "--format", fmt, "--window", "500", "-q"]) == 0
    assert windowed.read_bytes() == whole.read_bytes()
    assert (
        main(["clean", str(source), "-o", str(windowed), "--format", fmt, "--window", "500", "--jobs", "2", "-q"]) == 0
    )
    assert windowed.read_bytes() == whole.read_bytes()
    if fmt != "text":
        payload = json.loads(windowed.read_text(encoding="utf-8"))
        assert payload["metadata"] == {"author": "Anthony Solly"}
        assert len(payload["edits"]) >= 3


def test_several_long_files_make_one_json_array(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(long_article(), encoding="utf-8")
    (tmp_path / "c.txt").write_text("Short.\n", encoding="utf-8")
    paths = [str(tmp_path / name) for name in ("a.txt", "b.txt", "c.txt")]
    assert main(["clean", *paths, "--format", "json", "--window", "0", "-q"]) == 0
    whole = capsysbinary.readouterr().out
    assert main(["clean", *paths, "--format", "json", "--window", "500", "-q"]) == 0
    windowed = capsysbinary.readouterr().out
    assert windowed == whole
    assert [item["source"] for item in json.loads(windowed)] == paths


def test_a_compressed_long_file_is_cleaned_in_windows(tmp_path: Path) -> None:
    plain, packed = tmp_path / "long.txt", tmp_path / "long.txt.gz"
    plain.write_text(long_article(), encoding="utf-8")
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    assert main(["clean", str(plain), "-o", str(one), "--window", "0", "-q"]) == 0
    assert main(["clean", str(packed), "-o", str(two), "--window", "300", "-q"]) == 0
    assert one.read_bytes() == two.read_bytes()


def test_a_long_file_broken_near_its_end_fails_as_a_whole_file_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "long.txt"
    source.write_bytes(long_article().encode() + "Caf\u00e9 cr\u00e8me.\n".encode() * 20 + b"caf\xff\n")
    out = tmp_path / "out.txt"
    assert main(["clean", str(source), "-o", str(out), "--window", "500", "-q"]) == 1
    windowed = capsys.readouterr().err
    assert f"error: {source}: invalid UTF-8" in windowed
    assert main(["clean", str(source), "-o", str(out), "--window", "0", "-q"]) == 1
    assert capsys.readouterr().err == windowed


def test_a_read_failing_halfway_is_named_and_leaves_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "long.txt"
    source.write_text(long_article(), encoding="utf-8")
    (tmp_path / "short.txt").write_text("Short text.\n", encoding="utf-8")
    out = tmp_path / "out"

    def failing(stream: io.BufferedReader, encoding: str):  # type: ignore[no-untyped-def]
        yield stream.read(3000).decode(encoding)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("cleantext.batch.decode_chunks", failing)
    assert main(["clean", str(source), str(tmp_path / "short.txt"), "-o", f"{out}/", "--window", "500", "-q"]) == 1
    assert f"error: {source}: cannot read (Input/output error)" in capsys.readouterr().err
    assert not (out / "long.txt").exists()
    assert (out / "short.txt").read_text(encoding="utf-8") == "Short text.\n"


def test_a_read_failing_halfway_leaves_nothing_of_it_in_a_shared_output(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, short = tmp_path / "long.txt", tmp_path / "short.txt"
    source.write_text(long_article(), encoding="utf-8")
    short.write_text("Short text.\n", encoding="utf-8")

    def failing(stream: io.BufferedReader, encoding: str):  # type: ignore[no-untyped-def]
        yield stream.read(3000).decode(encoding)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("cleantext.batch.decode_chunks", failing)
    assert main(["clean", str(source), str(short), "--format", "json", "--window", "500", "-q"]) == 1
    payload = json.loads(capsysbinary.readouterr().out)
    assert [item["source"] for item in payload] == [str(short)]


def test_lone_surrogates_in_a_name_give_the_same_json_in_windows(tmp_path: Path) -> None:
    source = tmp_path / os.fsdecode(b"caf\xe9.txt")
    source.write_text(long_article(), encoding="utf-8")
    for fmt in ("json", "jsonl"):
        outputs = []
        for window in ("0", "500"):
            out = tmp_path / f"out-{window}.{fmt}"
            assert main(["clean", str(source), "-o", str(out), "--format", fmt, "--window", window, "-q"]) == 0
            outputs.append(out.read_bytes())
        assert outputs[0] == outputs[1]
        assert b"\\udce9" in outputs[0] and json.loads(outputs[0])["source"] == str(source)


def test_a_utf16_page_is_extracted_whole(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    body = "".join(f"<p>{paragraph}</p>\n" for paragraph in PROSE[:30])
    page.write_bytes(f"<!DOCTYPE html><html><body><article>{body}</article></body></html>".encode("utf-16"))
    out = tmp_path / "page.txt"
    assert main(["clean", str(page), "-o", str(out), "--window", "200", "-q"]) == 0
    assert "<p>" not in out.read_text(encoding="utf-8") and PROSE[3] in out.read_text(encoding="utf-8")


def test_html_and_views_are_never_cut_into_windows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "page.html"
    body = "".join(f"<p>{paragraph}</p>\n" for paragraph in PROSE[:30])
    page.write_text(f"<!DOCTYPE html><html><body><article>{body}</article></body></html>", encoding="utf-8")
    out = tmp_path / "page.txt"
    assert main(["clean", str(page), "-o", str(out), "--window", "200", "-q"]) == 0
    assert "<p>" not in out.read_text(encoding="utf-8")
    source = tmp_path / "long.txt"
    source.write_text(long_article(), encoding="utf-8")
    assert main(["clean", str(source), "--diff", "--window", "200", "-q"]) == 0
    assert "-By Anthony Solly" in capsys.readouterr().out


def test_where_windows_meet_the_pipelines_own_layout_rules_apply(tmp_path):
    # A pack that keeps two blank lines between paragraphs, not one: the windows must agree.
    pack = tmp_path / "airy.toml"
    pack.write_text(
        """
[[rule]]
id = "mine.blank-lines"
category = "whitespace"
kind = "inline"
stage = "layout"
pattern = '''(?<=\\n\\n\\n)\\n+'''
action = "remove"
description = "Three or more blank lines in a row become two"
""",
        encoding="utf-8",
    )
    pipeline = Pipeline.load(disable=["whitespace.blank-lines"], extra=[pack])
    text = "\n\n\n\n" + "\n\n\n\n\n".join(f"Paragraph number {n} of the text." for n in range(12)) + "\n\n\n\n"
    whole = pipeline.clean(text)
    windows = list(pipeline.clean_windows(text, window_chars=60))
    assert len(windows) > 3
    assert "".join(window.text for window in windows) == whole.text
    assert "\n\n\nParagraph number 5" in whole.text
    rules = {edit.rule for window in windows for edit in window.edits()}
    assert "mine.blank-lines" in rules and "whitespace.blank-lines" not in rules
