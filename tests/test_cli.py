"""The command line, run in-process through main(argv) and once as the installed script."""

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cleantext.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_003 = SEEDS / "003_0175700b6812221d.txt"


def golden(path):
    return (ROOT / "tests" / "golden" / (path.stem + ".clean.txt")).read_text(encoding="utf-8")


def test_clean_prints_clean_text(capsys):
    assert main(["clean", str(SEED_003)]) == 0
    captured = capsys.readouterr()
    assert captured.out == golden(SEED_003)
    assert captured.err == ""


def test_a_folder_in_gives_a_folder_out_with_the_same_names(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["clean", str(SEEDS), "-o", f"{out}/", "--quiet"]) == 0
    written = sorted(p.name for p in out.iterdir())
    sources = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert written == sources
    for name in written:
        assert (out / name).read_text(encoding="utf-8") == golden(SEEDS / name)
    assert capsys.readouterr().err == ""


def test_folder_runs_with_two_jobs_write_the_same_files(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["clean", str(SEEDS), "-o", str(one), "-q"]) == 0
    assert main(["clean", str(SEEDS), "-o", str(two), "--jobs", "2", "-q"]) == 0
    for path in one.iterdir():
        assert (two / path.name).read_bytes() == path.read_bytes()


@pytest.mark.parametrize(
    "options",
    [[], ["--provenance"], ["--format", "json"], ["--format", "jsonl"], ["--mark"], ["--diff"]],
)
def test_two_jobs_write_what_one_does_whatever_the_output_holds(tmp_path, options):
    # Where the output is the clean text alone, the workers send back only that (emit.Cleaned).
    records = tmp_path / "in.jsonl"
    with records.open("w", encoding="utf-8") as handle:
        for number, path in enumerate(sorted(SEEDS.glob("*.txt"))):
            handle.write(json.dumps({"id": number, "text": path.read_text(encoding="utf-8")}) + "\n")
    for inputs, suffix in (([str(records)], ".jsonl"), ([str(SEEDS)], "/")):
        one, two = f"{tmp_path}/one{suffix}", f"{tmp_path}/two{suffix}"
        assert main(["clean", *inputs, "-o", one, "-q", *options]) == 0
        assert main(["clean", *inputs, "-o", two, "-q", "--jobs", "2", *options]) == 0
        pairs = [(Path(one), Path(two))] if suffix != "/" else [(p, Path(two) / p.name) for p in Path(one).iterdir()]
        assert len(pairs) == 1 if suffix != "/" else len(pairs) == 5
        for first, second in pairs:
            assert second.read_bytes() == first.read_bytes()


def test_two_jobs_write_to_a_folder_where_standard_output_is_text_only(tmp_path, monkeypatch):
    # Deciding what the workers send back opens no sink on standard output.
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert main(["clean", str(SEEDS), "-o", f"{tmp_path}/out/", "-q", "--jobs", "2"]) == 0
    assert (tmp_path / "out" / SEED_003.name).read_text(encoding="utf-8") == golden(SEED_003)


def test_stdin_to_stdout(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("\u201cHi\u201d  there\r\n".encode())))
    assert main(["clean", "-"]) == 0
    assert capsys.readouterr().out == '"Hi" there\n'


def test_several_documents_print_as_a_json_array(tmp_path, capsys):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("One\u00a0two", encoding="utf-8")
    b.write_text("Three", encoding="utf-8")
    assert main(["clean", "--format", "json", str(a), str(b)]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [d["text"] for d in payload] == ["One two\n", "Three\n"]
    assert [d["source"] for d in payload] == [str(a), str(b)]


def test_in_place_rewrites_atomically_and_keeps_permissions(tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("It\u2019s\u00a0cold   \n\n\n\nOut there", encoding="utf-8")
    note.chmod(0o640)
    assert main(["clean", "--in-place", str(note)]) == 0
    assert note.read_text(encoding="utf-8") == "It's cold\n\nOut there\n"
    assert stat.S_IMODE(note.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["note.txt"]


def test_a_bad_input_is_named_and_the_others_are_still_cleaned(tmp_path, capsys):
    good, binary = tmp_path / "good.txt", tmp_path / "image.png"
    good.write_text("Fine\u00a0text", encoding="utf-8")
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out"
    code = main(["clean", str(good), str(binary), str(missing), "-o", str(out)])
    assert code == 1
    err = capsys.readouterr().err
    assert f"{binary}: binary content" in err
    assert f"{missing}: no such file or folder" in err
    assert "cleaned 1, failed 2" in err
    assert sorted(p.name for p in out.iterdir()) == ["good.txt"]
    assert (out / "good.txt").read_text(encoding="utf-8") == "Fine text\n"


def test_an_output_folder_inside_the_input_folder_is_not_read_back(tmp_path):
    (tmp_path / "a.txt").write_text("A\u00a0a", encoding="utf-8")
    assert main(["clean", str(tmp_path), "-o", str(tmp_path / "out"), "-q"]) == 0
    assert main(["clean", str(tmp_path), "-o", str(tmp_path / "out"), "-q"]) == 0
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == ["a.txt", "out/a.txt"]


def test_json_lines_keep_every_field_and_the_order(tmp_path, capsys):
    corpus = tmp_path / "corpus.jsonl"
    lines = [
        {"id": 1, "text": "\u201cOne\u201d  two", "lang": "en"},
        {"id": 2, "text": "Three\r\n\r\n\r\nfour", "tags": ["a"]},
    ]
    corpus.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    assert main(["clean", "--format", "jsonl", "--text-field", "text", str(corpus)]) == 0
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert records == [
        {"id": 1, "text": '"One" two', "lang": "en"},
        {"id": 2, "text": "Three\n\nfour", "tags": ["a"]},
    ]
    assert "cleaned 2, failed 0" in captured.err


def test_json_lines_with_bad_lines_report_line_numbers_and_keep_the_rest(tmp_path, capsys):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        '{"meta": {"body": "A\\u00a0b"}}\nnot json\n{"meta": {}}\n{"meta": {"body": 5}}\n\n{"meta": {"body": "C"}}\n',
        encoding="utf-8",
    )
    assert main(["clean", "--text-field", "meta.body", "--provenance", str(corpus)]) == 1
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert [r["meta"]["body"] for r in records] == ["A b", "C"]
    assert records[0]["cleantext"]["edits"][0]["rule"] == "whitespace.unicode-spaces"
    assert f"{corpus}:2: invalid JSON" in captured.err
    assert f"{corpus}:3: no field 'meta.body'" in captured.err
    assert f"{corpus}:4: field 'meta.body' is int, not a string" in captured.err
    assert "cleaned 2, failed 3" in captured.err


def test_an_invalid_rule_file_stops_the_run_before_any_input_is_touched(tmp_path, capsys):
    pack = tmp_path / "bad.toml"
    pack.write_text('[[rule]]\nid = "bad.rule"\ncategory = "x"\nkind = "line"\npattern = "(oops"\ndescription = "d"\n')
    target = tmp_path / "t.txt"
    target.write_text("x\u00a0y", encoding="utf-8")
    assert main(["clean", "--rules", str(pack), "--in-place", str(target)]) == 2
    err = capsys.readouterr().err
    assert str(pack) in err and "rule bad.rule" in err
    assert target.read_text(encoding="utf-8") == "x\u00a0y"


@pytest.mark.parametrize(
    "argv",
    [
        ["clean", "--in-place", "-o", "x", "a.txt"],
        ["clean", "--format", "yaml", "a.txt"],
        ["clean", "--in-place", "--format", "json", "a.txt"],
        ["clean", "--disable", "no-such-rule", "a.txt"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2


def test_rules_list_show_and_test(tmp_path, capsys):
    assert main(["rules", "list"]) == 0
    listing = capsys.readouterr().out
    assert "whitespace.trailing" in listing and "typography.double-quotes" in listing
    assert main(["rules", "list", "--format", "json", "--all"]) == 0
    ids = {rule["id"] for rule in json.loads(capsys.readouterr().out)}
    assert "typography.curly-apostrophes" in ids
    assert main(["rules", "show", "typography.ellipsis"]) == 0
    shown = capsys.readouterr().out
    assert "example 1 (fires)" in shown and "must not fire" in shown
    assert main(["rules", "test"]) == 0
    assert "0 failed" in capsys.readouterr().out
    pack = tmp_path / "mine.toml"
    pack.write_text(
        '[[rule]]\nid = "mine.ad"\ncategory = "promo"\nkind = "line"\npattern = "^Advertisement$"\n'
        'description = "ads"\n[[rule.example]]\n'
        'input = "Text.\\nAdvertisement\\n"\noutput = "Text.\\nAdvertisement\\n"\n'
    )
    assert main(["rules", "test", str(pack)]) == 1
    assert "FAIL mine.ad: example 1" in capsys.readouterr().out


def test_the_installed_console_script_runs():
    script = Path(sys.executable).parent / "cleantext"
    assert script.exists(), "install the project (pip install -e '.[test]') so the console script exists"
    completed = subprocess.run(
        [str(script), "clean", str(SEED_003)], capture_output=True, check=False, env={**os.environ, "PYTHONUTF8": "1"}
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.decode("utf-8") == golden(SEED_003)
    module = subprocess.run([sys.executable, "-m", "cleantext", "--version"], capture_output=True, check=False)
    assert module.returncode == 0 and module.stdout.startswith(b"cleantext ")
