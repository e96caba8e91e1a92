"""Bad input and bad conditions: a clear error, the other inputs cleaned, nothing lost or half-written."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from cleantext import InputError, clean
from cleantext.cli import main
from cleantext.decode import decode


def test_invalid_utf8_inside_utf8_text_is_an_error_with_the_offset():
    head = "Zelensky said \u201cno\u201d again.".encode()
    data = head + b"\xff" + " More text \u00e9.".encode()
    with pytest.raises(InputError, match=rf"invalid UTF-8 \(byte 0xff at offset {len(head)}\)"):
        decode(data)
    text, _ = decode(data, errors="replace")
    assert "\ufffd" in text and "\u201cno\u201d" in text


def test_utf16_without_bom_is_recognised():
    assert decode("Strikes hit the grid overnight.\n".encode("utf-16-le")) == (
        "Strikes hit the grid overnight.\n",
        "utf-16-le",
    )
    assert decode("Удары по энергосистеме.".encode("utf-16-be"))[1] == "utf-16-be"


@pytest.mark.parametrize("data", [b"", b"   \n\t\n", "\u00a0\u200b\n".encode()])
def test_empty_and_blank_files_come_out_empty(tmp_path, data):
    path = tmp_path / "blank.txt"
    path.write_bytes(data)
    assert main(["clean", str(path), "-o", str(tmp_path / "out.txt")]) == 0
    assert (tmp_path / "out.txt").read_bytes() == b""


def test_lone_surrogates_in_json_lines_are_repaired_and_kept_in_the_edits(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "broken \\ud800 pair", "id": 1}\n', encoding="utf-8")
    assert main(["clean", str(corpus), "-q", "--provenance"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["text"] == "broken \ufffd pair\n" and record["id"] == 1
    edit = record["cleantext"]["edits"][0]
    assert (edit["rule"], edit["before"], edit["after"]) == ("repair.surrogates", "\ud800", "\ufffd")


def test_a_symlink_loop_in_a_folder_is_reported_and_the_rest_cleaned(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Good\u00a0text", encoding="utf-8")
    os.symlink(folder / "loop-a", folder / "loop-b")
    os.symlink(folder / "loop-b", folder / "loop-a")
    os.symlink(folder, folder / "self")  # a link to a folder is not followed
    assert main(["clean", str(folder), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "loop-a: cannot read" in err and "cleaned 1, failed 2" in err
    assert (tmp_path / "out" / "good.txt").read_text(encoding="utf-8") == "Good text\n"


def test_a_full_disk_is_a_clear_error_and_the_device_stays(tmp_path, capsys):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    source = tmp_path / "a.txt"
    source.write_text("text", encoding="utf-8")
    assert main(["clean", str(source), "-o", "/dev/full"]) == 1
    assert "cannot write /dev/full: No space left on device" in capsys.readouterr().err
    assert not os.path.isfile("/dev/full")


def test_a_runaway_user_line_rule_is_skipped_and_reported_once(tmp_path, capsys):
    pack = tmp_path / "slow.toml"
    pack.write_text(
        "[[rule]]\nid = \"user.slow\"\ncategory = \"test\"\nkind = \"line\"\npattern = '''(a|aa)+$'''\n"
        'description = "catastrophic"\n',
        encoding="utf-8",
    )
    doc = tmp_path / "doc.txt"
    doc.write_text(("a" * 40 + "!\n") * 3 + "It\u2019s fine.\n", encoding="utf-8")
    assert main(["clean", "--rules", str(pack), "--timeout", "0.2", str(doc)]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("rule user.slow timed out") == 1 and str(doc) in captured.err
    assert captured.out.endswith("It's fine.\n")


def test_sigterm_in_the_middle_of_a_batch_leaves_no_partial_file(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    paragraph = "Russia hit the grid\u00a0again, \u201cofficials\u201d said. " * 400
    for number in range(400):
        (folder / f"{number:03}.txt").write_text(paragraph, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "cleantext", "clean", str(folder), "-o", str(out), "-q"], stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.exists() and any(out.iterdir())):
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    written = sorted(out.iterdir())
    assert written and len(written) < 400
    assert not [p for p in written if p.name.startswith(".")]  # no temporary file left
    expected = clean(paragraph).text
    assert all(p.read_text(encoding="utf-8") == expected for p in written)
