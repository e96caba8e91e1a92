"""What a new user meets on the command line: encodings, outputs, names of outputs, JSON Lines, help, options."""

import io
import json
import os
import stat
from pathlib import Path

import pytest

from cleantext.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
SEED_003 = ROOT / "seeds" / "003_0175700b6812221d.txt"
PAGE = (
    "<html><head><title>Storm hits coast</title></head><body><nav>Home | World | Sport</nav><article>"
    "<h1>Storm hits coast</h1><p>The storm reached the coast on Monday night, bringing winds of 120 km/h "
    "and heavy rain to the towns along the shore.</p><p>Emergency services said they had rescued dozens of "
    "people from flooded homes and that more rain was expected later in the week.</p></article>"
    "<footer>Copyright 2026 Example News</footer></body></html>"
)


def stdin_of(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))


# ---- short legacy text is read as Latin, and a guess is reported ------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xc9t\xe9 \xe0 Qu\xe9bec, na\xefvet\xe9.\n", "Été à Québec, naïveté.\n"),
        (b"Stra\xdfe in M\xfcnchen\n", "Straße in München\n"),
    ],
)
def test_short_latin_text_is_not_read_as_a_mac_code_page_and_the_guess_is_a_warning(
    monkeypatch, capsys, data, expected
):
    stdin_of(monkeypatch, data)
    assert main(["clean", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out == expected
    assert "warning: -: encoding guessed as windows-1252 (confidence 0." in captured.err


def test_errors_strict_refuses_a_low_confidence_guess(monkeypatch, capsys):
    stdin_of(monkeypatch, b"Stra\xdfe in M\xfcnchen\n")
    assert main(["clean", "-", "--errors", "strict"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "error: -: the encoding is uncertain (best guess windows-1252" in captured.err


def test_a_given_encoding_is_not_a_guess(monkeypatch, capsys):
    stdin_of(monkeypatch, b"Stra\xdfe in M\xfcnchen\n")
    assert main(["clean", "-", "--encoding", "latin-1"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "Straße in München\n"
    assert captured.err == ""


# ---- outputs: clear errors, no folders made silently, the umask honoured ----


def test_an_unwritable_output_file_is_a_one_line_error(tmp_path, capsys):
    assert main(["clean", str(SEED_003), "-o", "/proc/cleantext-test.txt"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cleantext: error: cannot write /proc/cleantext-test.txt: ")
    assert "Traceback" not in err and err.count("\n") == 1


def test_an_output_in_a_missing_folder_is_refused_and_no_folder_is_made(tmp_path, capsys):
    target = tmp_path / "missing" / "dir" / "x.txt"
    assert main(["clean", str(SEED_003), "-o", str(target)]) == 2
    assert f"cannot write {target}: no folder {target.parent}" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()


def test_an_output_folder_is_made_only_where_its_parent_exists(tmp_path, capsys):
    assert main(["clean", str(ROOT / "seeds"), "-o", f"{tmp_path}/a/b/", "--quiet"]) == 2
    assert f"no folder {tmp_path}/a" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()
    assert main(["clean", str(ROOT / "seeds"), "-o", f"{tmp_path}/out/", "--quiet"]) == 0
    assert len(list((tmp_path / "out").iterdir())) == 5


def test_new_outputs_honour_the_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        assert main(["clean", str(SEED_003), "-o", str(tmp_path / "one.txt")]) == 0
        assert main(["clean", str(ROOT / "seeds"), "-o", f"{tmp_path}/out/", "--quiet"]) == 0
        os.umask(0o077)
        assert main(["clean", str(SEED_003), "-o", str(tmp_path / "private.txt")]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "one.txt").stat().st_mode) == 0o644
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "out").iterdir()} == {0o644}
    assert stat.S_IMODE((tmp_path / "private.txt").stat().st_mode) == 0o600


def test_a_failed_input_leaves_an_existing_output_as_it_was_and_creates_none(tmp_path, capsys):
    previous = tmp_path / "prev.txt"
    previous.write_text("precious\n")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"abc\0\0\0def")
    assert main(["clean", str(binary), "-o", str(previous)]) == 1
    assert main(["clean", str(tmp_path / "no-such-file.txt"), "-o", str(previous)]) == 1
    assert previous.read_text() == "precious\n"
    assert main(["clean", str(binary), "-o", str(tmp_path / "new.txt")]) == 1
    assert not (tmp_path / "new.txt").exists()
    assert "binary content" in capsys.readouterr().err


# ---- text from HTML is named .txt -------------------------------------------


def test_text_extracted_from_a_page_is_written_under_a_txt_name(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "storm.html").write_text(PAGE, encoding="utf-8")
    (pages / "notes.txt").write_text("Plain notes.\n", encoding="utf-8")
    assert main(["clean", str(pages), "-o", f"{tmp_path}/out/", "--quiet"]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["notes.txt", "storm.txt"]
    assert "The storm reached the coast" in (tmp_path / "out" / "storm.txt").read_text(encoding="utf-8")
    assert main(["clean", str(pages), "-o", f"{tmp_path}/json/", "--format", "json", "--quiet"]) == 0
    assert sorted(p.name for p in (tmp_path / "json").iterdir()) == ["notes.txt.json", "storm.html.json"]


def test_two_inputs_with_one_output_name_are_refused_not_overwritten(tmp_path, capsys):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "storm.html").write_text(PAGE, encoding="utf-8")
    (pages / "storm.txt").write_text("Plain notes.\n", encoding="utf-8")
    assert main(["clean", str(pages), "-o", f"{tmp_path}/out/", "--quiet"]) == 1
    assert "already written for" in capsys.readouterr().err
    assert (tmp_path / "out" / "storm.txt").read_text(encoding="utf-8") != "Plain notes.\n"


# ---- JSON Lines on stdin, and fields keep their end -------------------------


def test_json_lines_on_stdin_are_recognized_by_their_content(monkeypatch, capsys):
    stdin_of(monkeypatch, b'{"id": 1, "text": "\xe2\x80\x9cHi\xe2\x80\x9d  there"}\n{"id": 2, "text": "Bye"}\n')
    assert main(["clean", "-", "--quiet"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records == [{"id": 1, "text": '"Hi" there'}, {"id": 2, "text": "Bye"}]


def test_a_text_field_marks_stdin_as_json_lines(monkeypatch, capsys):
    stdin_of(monkeypatch, b'  {"body": "One\\n\\n\\n\\nTwo\\n"}\n')
    assert main(["clean", "-", "--text-field", "body", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out) == {"body": "One\n\nTwo\n"}


def test_plain_text_with_braces_on_stdin_stays_plain_text(monkeypatch, capsys):
    stdin_of(monkeypatch, b"{braces} open this note.\n")
    assert main(["clean", "-"]) == 0
    assert capsys.readouterr().out == "{braces} open this note.\n"


# ---- help, options, config ---------------------------------------------------


def test_clean_help_groups_its_options_and_shows_examples(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["clean", "--help"])
    text = capsys.readouterr().out
    for heading in ("input:", "output:", "rules and style:", "running:", "examples:"):
        assert heading in text
    assert "cleantext clean seeds/ -o out/" in text


def test_every_option_of_every_command_has_help():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps them here
    missing = []
    for name, command in commands.items():
        subparsers = getattr(command, "_subparsers", None)
        nested = subparsers._group_actions[0].choices if subparsers else {name: command}
        for sub_name, sub in nested.items():
            missing += [
                f"{name} {sub_name} {action.dest}"
                for action in sub._actions
                if not action.help and action.dest not in ("help", "rules_command")
            ]
    assert missing == []


@pytest.mark.parametrize("command", ["stats", "variants"])
def test_stats_and_variants_read_inputs_as_clean_does(command, tmp_path):
    options = {action.dest for action in build_parser()._subparsers._group_actions[0].choices[command]._actions}
    assert {"encoding", "errors", "input_format", "text_field", "jobs", "exclude"} <= options
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Zelensky met Zelenskyy's aides in Kyiv on Monday.\n".encode("cp1252"))
    argv = [command, str(legacy), "--encoding", "cp1252", "--jobs", "2", "--format", "json"]
    assert main(argv) == 0


def test_stats_counts_json_lines_and_pages(tmp_path, capsys):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"body": "By Jane Doe\n\nThe council met on Monday.\n"}) + "\n", encoding="utf-8")
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    assert main(["stats", str(tmp_path), "--text-field", "body", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == 2


def test_config_refuses_an_unknown_rule_id_as_clean_does(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["config", "--disable", "no.such-rule"]) == 2
    assert "no rule, category or pack matches 'no.such-rule'" in capsys.readouterr().err
    (tmp_path / "cleantext.toml").write_text('disable = ["widgets.no-such-rule"]\n')
    assert main(["config"]) == 2
    assert main(["config", "--names", "ascii"]) == 2
    (tmp_path / "cleantext.toml").write_text('names = "ascii"\n')
    assert main(["config", "--format", "json"]) == 0
    settings = json.loads(capsys.readouterr().out)
    assert settings["names"] == {"value": "ascii", "source": str(tmp_path / "cleantext.toml")}
    # Not settings: the engine, and where the startup cache is (the test session's own folder).
    assert settings["cache"]["source"] == "CLEANTEXT_CACHE_DIR"
    assert Path(settings["cache"]["value"]).parent == Path(os.environ["CLEANTEXT_CACHE_DIR"])
    monkeypatch.setenv("CLEANTEXT_CACHE", "off")
    assert main(["config", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["cache"] == {
        "value": None,
        "source": "CLEANTEXT_CACHE=off: kept in memory only",
    }


def test_names_keep_their_own_letters_unless_ascii_is_asked(monkeypatch, capsys):
    source = "Wir fahren nach Düsseldorf und Zürich. São Paulo, Kraków.\n"
    stdin_of(monkeypatch, source.encode())
    assert main(["clean", "-"]) == 0
    assert capsys.readouterr().out == source
    stdin_of(monkeypatch, source.encode())
    assert main(["clean", "-", "--names", "ascii"]) == 0
    assert capsys.readouterr().out == "Wir fahren nach Duesseldorf und Zurich. Sao Paulo, Krakow.\n"


def test_rules_show_finds_the_rules_of_the_configurations_packs(tmp_path, capsys, monkeypatch):
    (tmp_path / "mine.toml").write_text(
        '[[rule]]\nid = "mine.ad"\ncategory = "promo"\nkind = "line"\npattern = "^Ad$"\ndescription = "An ad"\n',
        encoding="utf-8",
    )
    (tmp_path / "cleantext.toml").write_text('rules = ["mine.toml"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["rules", "show", "mine.ad"]) == 0
    assert "An ad" in capsys.readouterr().out
