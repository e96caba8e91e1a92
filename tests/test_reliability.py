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
from cleantext.outputs import AtomicFile, remove_unfinished, write_atomic


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
    assert record["text"] == "broken \ufffd pair" and record["id"] == 1
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
    assert "loop-a: symbolic link loop; skipped" in err and "cleaned 1, failed 2" in err
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
    # The look-ahead makes the search backtrack, which the native core gives up on past its
    # step limit: the regex module then decides, under the time limit.
    pack = tmp_path / "slow.toml"
    pack.write_text(
        "[[rule]]\nid = \"user.slow\"\ncategory = \"test\"\nkind = \"line\"\npattern = '''(a|aa)+(?!!)!'''\n"
        'description = "catastrophic"\n',
        encoding="utf-8",
    )
    doc = tmp_path / "doc.txt"
    # Lines that hold a "!": the rule's trigger holds, and its pattern gets to run.
    doc.write_text(("a" * 40 + "! a\n") * 3 + "It\u2019s fine.\n", encoding="utf-8")
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
    # Wait for a finished file: a staged one (.name.tmp) alone may be all there is when the signal lands.
    while time.monotonic() < deadline and not (out.exists() and any(not f.name.startswith(".") for f in out.iterdir())):
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    written = sorted(out.iterdir())
    assert written and len(written) < 400
    assert not [p for p in written if p.name.startswith(".")]  # no temporary file left
    expected = clean(paragraph).text
    assert all(p.read_text(encoding="utf-8") == expected for p in written)


def test_in_place_leaves_a_read_only_file_alone_and_cleans_the_rest(tmp_path, capsys):
    locked, open_ = tmp_path / "locked.txt", tmp_path / "open.txt"
    for path in (locked, open_):
        path.write_text("Kyiv\u00a0\u2014 cold.  ", encoding="utf-8")
    locked.chmod(0o444)
    assert main(["clean", "--in-place", str(locked), str(open_)]) == 1
    err = capsys.readouterr().err
    assert f"{locked}: --in-place leaves read-only files alone" in err and "cleaned 1, failed 1" in err
    assert locked.read_text(encoding="utf-8") == "Kyiv\u00a0\u2014 cold.  "
    assert open_.read_text(encoding="utf-8") == "Kyiv \u2014 cold.\n"


def _run_as_nobody(argv, folder):
    """Run the command line in a child process without root's power to read anything; its exit code and stderr."""
    err_path = folder / "stderr.txt"
    pid = os.fork()
    if pid == 0:  # the child: drop privileges, run, and leave without running pytest's cleanup
        code = 99
        try:
            sys.stderr = open(err_path, "w", encoding="utf-8")  # noqa: SIM115  (closed by _exit's flush below)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            code = main(argv)
        finally:
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), err_path.read_text(encoding="utf-8")


def test_an_unreadable_file_is_reported_and_the_others_cleaned():
    import tempfile
    from pathlib import Path

    # Outside pytest's private temporary folders, which the unprivileged child could not enter.
    folder = Path(tempfile.mkdtemp(prefix="cleantext-perm-"))
    try:
        folder.chmod(0o777)
        (folder / "in").mkdir()
        (folder / "in").chmod(0o777)
        (folder / "in" / "good.txt").write_text("Good\u00a0text", encoding="utf-8")
        (folder / "in" / "secret.txt").write_text("Secret text", encoding="utf-8")
        (folder / "in" / "good.txt").chmod(0o644)
        (folder / "in" / "secret.txt").chmod(0o000)
        code, err = _run_as_nobody(["clean", str(folder / "in"), "-o", str(folder / "out")], folder)
        assert code == 1
        assert "secret.txt: cannot read" in err and "Permission denied" in err and "cleaned 1, failed 1" in err
        assert (folder / "out" / "good.txt").read_text(encoding="utf-8") == "Good text\n"
        assert not (folder / "out" / "secret.txt").exists()
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def test_a_json_lines_record_of_100_mb_with_a_bad_field_is_reported_by_line_and_skipped(tmp_path, capsys):
    corpus = tmp_path / "big.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        out.write('{"id": 1, "text": "First  record."}\n')
        out.write('{"id": 2, "text": 7, "blob": "' + "x" * 100_000_000 + '"}\n')
        out.write('{"id": 3, "text": "Third  record."}\n')
    assert main(["clean", str(corpus), "-o", str(tmp_path / "out.jsonl")]) == 1
    err = capsys.readouterr().err
    assert "big.jsonl:2:" in err and "cleaned 2, failed 1" in err
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [1, 3]


SLOW = pytest.mark.skipif(
    not os.environ.get("CLEANTEXT_SLOW_TESTS"), reason="minutes of work; set CLEANTEXT_SLOW_TESTS=1 to run"
)


@SLOW
def test_a_200_mb_single_line_is_cleaned(tmp_path):
    path = tmp_path / "line.txt"
    sentence = "Kyiv said on Tuesday that the grid held at minus twenty, and officials thanked allies. "
    body = sentence * (200_000_000 // len(sentence))
    path.write_text("\u201cQuoted\u201d at -20C. " + body + "  ", encoding="utf-8")
    assert main(["clean", str(path), "-o", str(tmp_path / "out.txt"), "-q"]) == 0
    out = (tmp_path / "out.txt").read_text(encoding="utf-8")
    assert out == '"Quoted" at -20 \u00b0C. ' + body.rstrip() + "\n"


@SLOW
def test_a_json_lines_record_with_100_mb_of_text_is_cleaned(tmp_path):
    corpus = tmp_path / "big.jsonl"
    # Distinct paragraphs: identical ones would be removed as repeats of the first.
    paragraphs = [f"Kyiv said on day {n} that the grid held, and officials thanked allies." for n in range(1_300_000)]
    corpus.write_text('{"id": 1, "text": "' + "\\n\\n".join(paragraphs) + '"}\n', encoding="utf-8")
    assert corpus.stat().st_size > 100_000_000
    assert main(["clean", str(corpus), "-o", str(tmp_path / "out.jsonl"), "-q"]) == 0
    record = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert record == {"id": 1, "text": "\n\n".join(paragraphs) + "\n"}


def test_a_fifo_in_a_folder_is_reported_and_skipped_not_waited_on(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Good\u00a0text", encoding="utf-8")
    os.mkfifo(folder / "f.txt")  # opening it would block until a writer came
    assert main(["clean", str(folder), "-o", f"{tmp_path}/out/", "--quiet"]) == 1
    assert "f.txt: a FIFO, not a regular file; skipped" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good.txt"]


def test_symbolic_links_out_of_the_folder_are_not_followed_unless_asked(tmp_path, capsys):
    secret = tmp_path / "secret.txt"
    secret.write_text("Outside text.\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "more.txt").write_text("More text.\n", encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Good text.\n", encoding="utf-8")
    os.symlink(secret, folder / "passwd.txt")
    os.symlink(folder / "good.txt", folder / "alias.txt")  # inside the folder: read
    os.symlink(elsewhere, folder / "linked")
    assert main(["clean", str(folder), "-o", f"{tmp_path}/out/", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"passwd.txt: symbolic link to {secret}, outside the folder; skipped (--follow-links reads it)" in err
    assert "linked: symbolic link to" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["alias.txt", "good.txt"]
    assert main(["clean", str(folder), "-o", f"{tmp_path}/all/", "--quiet", "--follow-links"]) == 0
    assert (tmp_path / "all" / "passwd.txt").read_text(encoding="utf-8") == "Outside text.\n"
    assert (tmp_path / "all" / "linked" / "more.txt").read_text(encoding="utf-8") == "More text.\n"


def test_follow_links_walks_a_folder_that_links_to_itself_once(tmp_path, capsys):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text("A text.\n", encoding="utf-8")
    os.symlink(folder, folder / "sub" / "up")
    assert main(["clean", str(folder), "-o", f"{tmp_path}/out/", "--quiet", "--follow-links"]) == 0
    assert [p.relative_to(tmp_path / "out").as_posix() for p in sorted((tmp_path / "out").rglob("*.txt"))] == [
        "sub/a.txt"
    ]


def test_in_place_through_a_symbolic_link_rewrites_its_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "article.txt"
    target.write_text("It\u2019s\u00a0cold.\n", encoding="utf-8")
    link = tmp_path / "link.txt"
    os.symlink(target, link)
    assert main(["clean", "--in-place", str(link)]) == 0
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == "It's cold.\n"


def test_in_place_leaves_a_hard_linked_file_alone_with_a_reason(tmp_path, capsys):
    target = tmp_path / "article.txt"
    target.write_text("It\u2019s\u00a0cold.\n", encoding="utf-8")
    os.link(target, tmp_path / "other-name.txt")
    assert main(["clean", "--in-place", str(target)]) == 1
    assert "leaves a file with 2 hard links alone" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "It\u2019s\u00a0cold.\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_in_place_keeps_the_owner_and_group(tmp_path):
    target = tmp_path / "article.txt"
    target.write_text("It\u2019s\u00a0cold.\n", encoding="utf-8")
    os.chown(target, 1234, 5678)
    target.chmod(0o640)
    assert main(["clean", "--in-place", str(target)]) == 0
    status = target.stat()
    assert (status.st_uid, status.st_gid, status.st_mode & 0o777) == (1234, 5678, 0o640)
    assert target.read_text(encoding="utf-8") == "It's cold.\n"


def test_the_temporary_file_of_a_killed_run_is_removed_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftover = out / f".good.txt.cleantext-{dead.stdout.strip()}.abc123.tmp"
    leftover.write_text("half of a file")
    alive = out / f".good.txt.cleantext-{os.getpid()}.def456.tmp"  # a run still writing it
    alive.write_text("being written")
    source = tmp_path / "good.txt"
    source.write_text("Good text.\n", encoding="utf-8")
    assert main(["clean", str(source), "-o", f"{out}/"]) == 0
    assert not leftover.exists() and alive.exists()
    assert (out / "good.txt").read_text(encoding="utf-8") == "Good text.\n"


def test_an_output_that_is_also_an_input_is_refused(tmp_path, capsys, monkeypatch):
    (tmp_path / "a.txt").write_text("It\u2019s\u00a0cold.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["clean", ".", "-o", "."]) == 2
    assert "the output folder . is also an input" in capsys.readouterr().err
    assert main(["clean", "a.txt", "-o", "a.txt"]) == 2
    assert "the output file a.txt is also an input" in capsys.readouterr().err
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "It\u2019s\u00a0cold.\n"


def _zstd_of_zeros(path, megabytes):
    import zstandard

    with path.open("wb") as raw, zstandard.ZstdCompressor(level=3).stream_writer(raw) as packed:
        for _ in range(megabytes):
            packed.write(bytes(1 << 20))


def test_a_compression_bomb_of_zeros_is_refused_on_its_first_bytes_in_bounded_memory(tmp_path):
    bomb = tmp_path / "bomb.txt.zst"
    _zstd_of_zeros(bomb, 1024)  # 1 GB of zeros in a few dozen kilobytes
    assert bomb.stat().st_size < 200_000
    # VmHWM, not ru_maxrss: Linux carries the forking parent's (pytest's) peak over into ru_maxrss.
    script = (
        "import sys\n"
        "from cleantext.cli import main\n"
        "code = main(['clean', sys.argv[1], '-o', sys.argv[2]])\n"
        "peak = next(line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
        "print(code, peak)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, str(bomb), str(tmp_path / "out.txt")], capture_output=True, text=True
    )
    code, peak_kb = completed.stdout.split()
    assert code == "1" and "binary content (NUL byte at offset 0)" in completed.stderr
    assert int(peak_kb) < 300 * 1024
    assert not (tmp_path / "out.txt").exists()


def test_a_small_archive_of_long_text_is_cleaned_in_windows_by_its_unpacked_size(tmp_path, capsys):
    import zstandard

    text = "".join(f"Item {n}: the council met on Monday\u00a0and voted on the budget.\n\n" for n in range(4000))
    packed = tmp_path / "long.txt.zst"
    packed.write_bytes(zstandard.ZstdCompressor().compress(text.encode()))
    assert packed.stat().st_size < 2 * 50_000 < len(text)
    assert main(["clean", str(packed), "-o", str(tmp_path / "out.txt"), "--window", "50000", "--verbose"]) == 0
    assert "(in windows)" in capsys.readouterr().err
    expected = "".join(f"Item {n}: the council met on Monday and voted on the budget.\n\n" for n in range(4000))
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == expected.rstrip("\n") + "\n"


def test_a_document_over_the_size_limit_is_refused_and_a_json_lines_record_over_it_skipped(tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>" + "word " * 300_000 + "</p></body></html>", encoding="utf-8")
    assert main(["clean", str(page), "--max-size", "1"]) == 1
    assert f"{page}: more than 1 MB to clean whole (unpacked); raise --max-size" in capsys.readouterr().err
    corpus = tmp_path / "c.jsonl"
    lines = [{"text": "Short\u00a0one."}, {"text": "long " * 300_000}, {"text": "Last\u00a0one."}]
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    assert main(["clean", str(corpus), "--max-size", "1"]) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["text"] for line in captured.out.splitlines()] == ["Short one.", "Last one."]
    assert f"{corpus}:2: more than 1 MB to clean whole" in captured.err


def test_a_termination_removes_temporary_files_not_yet_in_a_with_block(tmp_path):
    # A signal can land after a temporary file is made and before the block that would drop it.
    staged = AtomicFile(tmp_path / "a.txt")
    assert staged.temporary is not None and staged.temporary.exists()
    remove_unfinished()
    assert not staged.temporary.exists() and list(tmp_path.iterdir()) == []
    staged.stream.close()
    write_atomic(tmp_path / "b.txt", "kept")  # a finished file is not the termination's to remove
    remove_unfinished()
    assert [p.name for p in tmp_path.iterdir()] == ["b.txt"]
