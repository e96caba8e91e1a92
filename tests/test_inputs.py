"""Inputs: compressed files by content, JSON Lines streaming and its options, interrupted runs."""

import bz2
import gzip
import json
import lzma

import pytest
import zstandard

from cleantext import InputError
from cleantext.cli import main
from cleantext.inputs import Input, read_bytes, read_jsonl_records

TEXT = "\u201cQuoted\u201d\u00a0text\r\n"
COMPRESSORS = {
    "gz": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_compressed_text_is_read_by_content(tmp_path, suffix, capsys):
    path = tmp_path / f"article.{suffix}"
    path.write_bytes(COMPRESSORS[suffix](TEXT.encode()))
    assert read_bytes(Input(str(path), path, path)) == TEXT.encode()
    assert main(["clean", str(path)]) == 0
    assert capsys.readouterr().out == '"Quoted" text\n'


def test_compression_is_found_by_content_not_by_name(tmp_path, capsys):
    path = tmp_path / "article.txt"
    path.write_bytes(gzip.compress(TEXT.encode()))
    assert main(["clean", str(path)]) == 0
    assert capsys.readouterr().out == '"Quoted" text\n'


@pytest.mark.parametrize("suffix", sorted(COMPRESSORS))
def test_compressed_json_lines_in_a_folder_come_out_uncompressed(tmp_path, suffix):
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    lines = "".join(json.dumps({"id": i, "text": TEXT}) + "\n" for i in range(3)).encode()
    (source / f"corpus.jsonl.{suffix}").write_bytes(COMPRESSORS[suffix](lines))
    assert main(["clean", str(source), "-o", str(out), "-q"]) == 0
    records = [json.loads(line) for line in (out / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in records] == ['"Quoted" text\n'] * 3


def test_a_truncated_compressed_file_is_an_error_naming_it(tmp_path, capsys):
    path = tmp_path / "broken.gz"
    path.write_bytes(gzip.compress(TEXT.encode() * 100)[:30])
    assert main(["clean", str(path)]) == 1
    assert f"{path}: cannot decompress" in capsys.readouterr().err


def test_in_place_refuses_compressed_files_and_leaves_them_alone(tmp_path, capsys):
    path = tmp_path / "article.gz"
    data = gzip.compress(TEXT.encode())
    path.write_bytes(data)
    assert main(["clean", "--in-place", str(path)]) == 1
    assert "--in-place does not rewrite compressed files" in capsys.readouterr().err
    assert path.read_bytes() == data


def test_json_lines_are_read_as_a_stream():
    consumed = []

    def lines():
        for number in range(3):
            consumed.append(number)
            yield json.dumps({"text": f"line {number}"}).encode()

    records = read_jsonl_records(lines(), "stream.jsonl", "text")
    assert next(records).text == "line 0"
    assert consumed == [0]


def test_on_error_keep_passes_bad_lines_through_in_order(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "A\\u00a0b"}\nnot json\n{"body": 1}\n{"text": "C"}\n', encoding="utf-8")
    assert main(["clean", "--on-error", "keep", str(corpus)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ['{"text": "A b"}', "not json", '{"body": 1}', '{"text": "C"}']
    assert "c.jsonl:2: invalid JSON" in captured.err and "c.jsonl:3: no field 'text'" in captured.err


def test_an_interrupted_run_keeps_finished_files_and_leaves_no_partial_one(tmp_path, monkeypatch):
    source, out = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (source / name).write_text(f"{name}\u00a0text", encoding="utf-8")
    from cleantext import pipeline as pipeline_module

    original = pipeline_module.Pipeline.clean
    calls = []

    def interrupted(self, data, **options):
        calls.append(options.get("name"))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(self, data, **options)

    monkeypatch.setattr(pipeline_module.Pipeline, "clean", interrupted)
    assert main(["clean", str(source), "-o", str(out), "-q"]) == 130
    assert sorted(p.name for p in out.iterdir()) == ["a.txt"]
    assert (out / "a.txt").read_text(encoding="utf-8") == "a.txt text\n"


def test_read_bytes_names_a_missing_file(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(FileNotFoundError):
        read_bytes(Input(str(missing), missing, missing))
    assert issubclass(InputError, Exception)


def test_a_truncated_compressed_json_lines_file_keeps_the_lines_before_the_break(tmp_path, capsys):
    lines = "".join(json.dumps({"text": f"line {i}\u00a0x"}) + "\n" for i in range(2000)).encode()
    path = tmp_path / "corpus.jsonl.gz"
    path.write_bytes(gzip.compress(lines)[:-400])
    assert main(["clean", str(path)]) == 1
    captured = capsys.readouterr()
    assert f"{path}: cannot decompress" in captured.err
    kept = captured.out.splitlines()
    assert kept and json.loads(kept[0]) == {"text": "line 0 x"}
