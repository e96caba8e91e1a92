"""The batch module: what ``cleantext clean``, ``stats`` and ``variants`` do, reachable from the library."""

from cleantext import Pipeline
from cleantext.batch import BatchOptions, Corpus, clean_inputs


def test_a_folder_is_cleaned_into_a_folder_without_the_command_line(tmp_path, capsys):
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / "a.txt").write_text("Advertisement\n\nKiev  said.\n", encoding="utf-8")
    (inputs / "b.jsonl").write_text('{"id": 1, "text": "\\u201cHi\\u201d"}\n', encoding="utf-8")
    options = BatchOptions(paths=[str(inputs)], output=str(outputs), quiet=True)
    assert clean_inputs(options, Pipeline.load()) == 0
    assert (outputs / "a.txt").read_text(encoding="utf-8") == "Kyiv said.\n"
    assert (outputs / "b.jsonl").read_text(encoding="utf-8") == '{"id": 1, "text": "\\"Hi\\""}\n'
    assert capsys.readouterr().err == ""


def test_a_bad_input_is_reported_and_the_others_are_cleaned(tmp_path, capsys):
    (tmp_path / "good.txt").write_text("Fine text.\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01binary\x00")
    options = BatchOptions(paths=[str(tmp_path / "bad.txt"), str(tmp_path / "good.txt")], quiet=True)
    assert clean_inputs(options, Pipeline.load()) == 1
    captured = capsys.readouterr()
    assert captured.out == "Fine text.\n" and "bad.txt" in captured.err


def test_a_corpus_yields_texts_and_records_and_counts_failures(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("One.\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"text": "Two."}\nnot json\n', encoding="utf-8")
    corpus = Corpus(BatchOptions(paths=[str(tmp_path)]))
    documents = sorted(corpus)
    assert [(text, layout, site) for text, _, layout, site in documents] == [
        ("One.\n", None, None),
        ("Two.", "field", None),
    ]
    assert corpus.failed == 1 and "b.jsonl:2" in capsys.readouterr().err
