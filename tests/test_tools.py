"""Users' tools: --mark, --explain, --diff, stats, the testing kit, the distribution name guard."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cleantext.native
from cleantext.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED_003 = ROOT / "seeds" / "003_0175700b6812221d.txt"


def test_mark_is_a_dry_run_that_wraps_every_edit(tmp_path, capsys):
    source = tmp_path / "a.txt"
    source.write_text("Advertisement\n\nIt\u2019s\u00a0cold.\n", encoding="utf-8")
    assert main(["clean", "--mark", str(source)]) == 0
    out = capsys.readouterr().out
    assert out == (
        "[-Advertisement\\n-]<widgets.advertisement>[-\\n-]<whitespace.leading-blank-lines>"
        "It[-\u2019-]{+'+}<typography.single-quotes>s[-\\u00a0-]{+ +}<whitespace.unicode-spaces>cold.\n"
    )
    assert source.read_text(encoding="utf-8") == "Advertisement\n\nIt\u2019s\u00a0cold.\n"


def test_mark_on_json_lines_keeps_the_text_and_adds_the_proposed_edits(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "Advertisement\\n\\nBody."}\n', encoding="utf-8")
    assert main(["clean", "--mark", "-q", str(corpus)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["text"] == "Advertisement\n\nBody."
    assert record["cleantext"]["edits"][0]["rule"] == "widgets.advertisement"


def test_diff_prints_a_unified_diff(capsys):
    assert main(["clean", "--diff", str(SEED_003)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"--- a/{SEED_003}\n+++ b/{SEED_003}\n")
    assert "-Unlock the White House Watch newsletter for free\n" in out
    assert "+The large-scale assault came as temperatures overnight plunged to -23 \u00b0C." in out


def test_explain_in_a_pipe_has_no_colour_codes():
    completed = subprocess.run(
        [sys.executable, "-m", "cleantext", "clean", "--explain", str(SEED_003)], capture_output=True, check=True
    )
    out = completed.stdout.decode("utf-8")
    assert "\x1b[" not in out
    assert "[-by dharm\\n-]<bylines.by-handle>" in out


def test_explain_on_a_terminal_strikes_removals_through():
    code, terminal, _ = _run_on_terminal(["clean", "--explain", str(SEED_003)], stream="stdout")
    assert code == 0
    assert "\x1b[" in terminal and "[bylines.by-handle]" in terminal and "9" in terminal  # ANSI strike is SGR 9


def test_stats_reports_rules_by_impact(capsys):
    assert main(["stats", str(ROOT / "seeds"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["documents"] == 5
    rules = {row["id"]: row for row in data["rules"]}
    assert rules["names.zelenskyy"]["documents"] == 4
    assert rules["bylines.by-name"]["removed"] == len("\nBy Anthony Solly")
    impacts = [row["removed"] + row["replaced"] for row in data["rules"]]
    assert impacts == sorted(impacts, reverse=True)
    assert main(["stats", str(SEED_003)]) == 0
    assert "notices.disclaimer" in capsys.readouterr().out


def test_a_mixed_in_clean_text_package_is_reported(tmp_path):
    copy = tmp_path / "cleantext"
    shutil.copytree(ROOT / "cleantext", copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "clean.py").write_text("def clean(text):\n    return text\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-W", "always", "-c", "import cleantext"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "clean-text package's files are mixed into this cleantext package" in completed.stderr


def _run_on_terminal(argv, stream="stderr"):
    """Run the command with ``stream`` on a pseudo-terminal; return (exit code, terminal output, the other stream)."""
    import pty

    leader, follower = pty.openpty()
    other = subprocess.PIPE
    process = subprocess.Popen(
        [sys.executable, "-m", "cleantext", *argv],
        stdout=follower if stream == "stdout" else other,
        stderr=follower if stream == "stderr" else other,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "200"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    rest = (process.stderr if stream == "stdout" else process.stdout).read()
    process.wait(timeout=60)
    os.close(leader)
    return process.returncode, b"".join(chunks).decode("utf-8", errors="replace"), rest


def test_a_progress_bar_shows_on_a_terminal_and_not_in_a_pipe(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for number in range(30):
        (folder / f"{number:02}.txt").write_text(f"Document {number}\u00a0text.", encoding="utf-8")
    code, terminal, _ = _run_on_terminal(["clean", str(folder), "-o", str(tmp_path / "out")])
    assert code == 0
    # The number of files is known, so the bar shows the total (and the time left).
    assert "30/30" in terminal and "documents" in terminal and "0 failed" in terminal
    quiet_code, quiet, _ = _run_on_terminal(["clean", str(folder), "-o", str(tmp_path / "out2"), "--quiet"])
    assert quiet_code == 0 and "documents" not in quiet
    piped = subprocess.run(
        [sys.executable, "-m", "cleantext", "clean", str(folder), "-o", str(tmp_path / "out3")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert piped.stderr == "cleantext: cleaned 30, failed 0\n"


def test_verbose_names_every_document(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("A\u00a0b", encoding="utf-8")
    assert main(["clean", str(tmp_path / "a.txt"), "--verbose"]) == 0
    assert f"cleaned {tmp_path / 'a.txt'}: 2 edits" in capsys.readouterr().err  # the space and the final newline


def test_configuration_files_and_flags(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.cleantext]\nquotes = "curly"\n', encoding="utf-8")
    (tmp_path / "a.txt").write_text("He said 'no' in Kiev.", encoding="utf-8")
    assert main(["clean", "a.txt"]) == 0
    assert capsys.readouterr().out == "He said \u2018no\u2019 in Kyiv.\n"
    (tmp_path / "cleantext.toml").write_text('canonical = ["Kiev"]\n', encoding="utf-8")
    assert main(["clean", "a.txt"]) == 0  # cleantext.toml wins over pyproject.toml
    assert capsys.readouterr().out == "He said 'no' in Kiev.\n"
    assert main(["clean", "a.txt", "--canonical", "Kyiv", "--quotes", "curly"]) == 0  # flags win over the file
    assert capsys.readouterr().out == "He said \u2018no\u2019 in Kyiv.\n"
    assert main(["config", "--quotes", "curly", "--format", "json"]) == 0
    settings = json.loads(capsys.readouterr().out)
    assert settings["canonical"] == {"value": ["Kiev"], "source": str(tmp_path / "cleantext.toml")}
    assert settings["quotes"] == {"value": "curly", "source": "command line"}
    assert settings["timeout"]["source"] == "default"
    (tmp_path / "bad.toml").write_text("colour = 1\n", encoding="utf-8")
    assert main(["clean", "--config", "bad.toml", "a.txt"]) == 2
    assert "unknown setting 'colour'" in capsys.readouterr().err


def test_the_testing_strategies_say_which_extra_to_install_when_hypothesis_is_missing(monkeypatch):
    import cleantext.testing

    monkeypatch.setitem(sys.modules, "hypothesis", None)  # as if it were not installed
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'cleantext-toolkit\[testing\]'"):
        cleantext.testing.articles()
    # The checks themselves need nothing beyond cleantext.
    result = cleantext.clean("\u201cKyiv\u201d  said")
    cleantext.testing.assert_provenance(result)


def test_every_step_is_timed_on_the_result_and_stats_adds_them_up(capsys):
    from cleantext import Pipeline

    result = Pipeline.load().clean("By Jane Doe\n\nIt\u2019s cold in Kiev.\n")
    assert result.timings["bylines.by-name"].changes == 1
    assert result.timings["typography.single-quotes"].evaluations == 1
    assert all(t.seconds >= 0 and t.evaluations >= 1 for t in result.timings.values())
    assert "timings" not in result.to_dict()  # the JSON contract is unchanged
    assert main(["stats", str(ROOT / "seeds"), "--timing", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    timing = {row["id"]: row for row in report["timing"]}
    assert timing["bylines.by-name"]["evaluations"] >= 1 and timing["bylines.by-name"]["changes"] >= 1
    if cleantext.native.ENGINE == "native":  # one screen per stage and document at least
        assert timing["screen"]["evaluations"] >= 5 * 4
    assert abs(sum(row["share"] for row in report["timing"]) - 1) < 1e-9
    assert [row["seconds"] for row in report["timing"]] == sorted(
        (r["seconds"] for r in report["timing"]), reverse=True
    )
    assert main(["stats", str(SEED_003), "--timing"]) == 0
    assert "step" in capsys.readouterr().out.split("steps changed something")[1]
