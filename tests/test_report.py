"""bench/report.py without running a benchmark: figures rendered, sections kept by --only, the header, the writing."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPORT = Path(__file__).resolve().parent.parent / "bench" / "report.py"
spec = importlib.util.spec_from_file_location("bench_report", REPORT)
report = importlib.util.module_from_spec(spec)
sys.modules["bench_report"] = report  # its dataclasses look their module up while it loads
spec.loader.exec_module(report)

CLEANTEXT, FTFY, CLEAN_TEXT = report.throughput.CLEANTEXT, report.throughput.FTFY, report.throughput.CLEAN_TEXT
TIMING = [1.0, 1.0, 1.0]

# Figures in the shapes the scripts' --json writes, small and made up.
FIGURES = {
    "throughput": {
        "documents": 200,
        "megabytes": 1.0,
        "runs": 3,
        "ftfy": "6.3.1",
        "seconds": {CLEANTEXT: 2.0, FTFY: 1.0, CLEAN_TEXT: 4.0, "floor: decode UTF-8": 0.001},
    },
    "boilerplate": {
        "seed": 20261122,
        "documents": 2,
        "per_position": 3,
        "enabled": [],
        "snippets": {
            "inserted": {"classes:byline": 3, "classes:promo": 1, "trafilatura-without": 4, "wcxb-without": 2},
            "removed": {"classes:byline": 3, "classes:promo": 1, "trafilatura-without": 2, "wcxb-without": 0},
            "removal_recall": 0.6,
            "content_precision": 0.9,
            "sentences_total": 10,
            "sentences_kept": 9,
            "documents": 2,
            "offsets_ok": 2,
            "pools": {"trafilatura-without": 4, "wcxb-without": 2},
        },
    },
    "extraction": {
        "trafilatura": "2.3.1",
        "aeb": {"pages": 2, "rows": {"cleantext": {"precision": 0.9, "recall": 0.8, "f1": 0.847, "seconds": 1.5}}},
        "wcxb": {
            "pages": 2,
            "rows": {
                "cleantext": {
                    "precision": 0.9,
                    "recall": 0.8,
                    "f1": 0.847,
                    "word_f1": 0.85,
                    "with_found": 0.9,
                    "without_leaked": 0.05,
                    "seconds": 2.0,
                }
            },
        },
    },
    "ftfy_cases": [
        {
            "file": "in-the-wild",
            "cases": 2,
            "right": 1,
            "misses": [{"label": "Afrikaans", "original": "ŉ", "output": "ʼn\n"}],
        },
        {"file": "negative", "cases": 3, "right": 3, "misses": []},
    ],
    "memory": {
        "method": "/usr/bin/time -v",
        "articles": 186,
        "baseline": {"label": "empty file (baseline)", "input_bytes": 0, "records": 0, "wall": 0.5, "peak_kb": 36000},
        "jsonl": [
            {"label": "JSON Lines", "input_bytes": 1_000_000, "records": 200, "wall": 2.0, "peak_kb": 37000},
            {"label": "JSON Lines", "input_bytes": 10_000_000, "records": 2000, "wall": 20.0, "peak_kb": 37500},
        ],
        "text": [
            {
                "label": "one text document, in windows",
                "input_bytes": 10_000_000,
                "records": 1,
                "wall": 20.0,
                "peak_kb": 146_000,
            }
        ],
        "where": {"bytes": 50_000, "bytes_per_char": 2.0, "stages": [["repair", 0.0, 0.07, 0.04]]},
    },
    "scaling": {
        "runs": 1,
        "size": [
            {"target": 1000, "mb": 0.001, "repeats": 400, "timing": [0.0015, 0.0015, 0.0015], "edits": 13},
            {"target": 10000, "mb": 0.01, "repeats": 90, "timing": [0.012, 0.012, 0.012], "edits": 72},
        ],
        "rules": {
            "megabytes": 0.2,
            "timings": [
                ["no rules (Document + Result only)", 0, [0.01, 0.01, 0.01]],
                ["lexicon pack only", 10, TIMING],
                ["lexicon pack only", 1000, [1.1, 1.1, 1.1]],
                ["default pipeline + lexicon pack", 10, TIMING],
                ["default pipeline + lexicon pack", 1000, [1.5, 1.5, 1.5]],
            ],
        },
        "jobs": {"megabytes": 0.2, "rows": [["clean_many", 1, [2.0, 2.0, 2.0]], ["clean_many", 2, [1.0, 2.0, 0.1]]]},
    },
    "scorer": {
        "model_threshold": 0.9,
        "trained": "train_scorer 1",
        "tune": {
            "lines": 100,
            "furniture": 10,
            "rows": [
                {"threshold": 0.5, "content_kept": 0.95, "furniture_removed": 0.4},
                {"threshold": 0.9, "content_kept": 0.995, "furniture_removed": 0.1},
            ],
        },
        "train": {
            "lines": 400,
            "furniture": 40,
            "rows": [{"threshold": 0.9, "content_kept": 1.0, "furniture_removed": 0.3}],
        },
    },
    "same_output": {
        "corpora": {
            "seeds": {
                "documents": 5,
                "different": 0,
                "evaluations": 200,
                "reference": 500,
                "searches": 50,
                "reference searches": 1000,
            },
            "fuzz": {
                "documents": 2,
                "different": 1,
                "evaluations": 20,
                "reference": 100,
                "searches": 0,
                "reference searches": 0,
            },
        },
        "differences": ["fuzz/clean/x.txt"],
        "every": 1,
    },
    "hostile": [
        {
            "case": "2.15 GB of zeros as zst",
            "input_bytes": 70_000,
            "unpacked_bytes": 2_147_483_648,
            "seconds": 0.7,
            "peak_kb": 40_000,
            "exit_code": 1,
            "message": "error: binary content (NUL byte at offset 0); not text",
        },
        {
            "case": "a page of 1,000,000 <p> elements",
            "input_bytes": 50_000_000,
            "unpacked_bytes": 50_000_000,
            "seconds": 65.0,
            "peak_kb": 900_000,
            "exit_code": 1,
            "message": "error: extracting the article took longer than 60 s, the time limit",
        },
    ],
}


@pytest.fixture(autouse=True)
def fixed_checkout(monkeypatch):
    """A fixed commit (no git needed) and a fixed clock."""
    monkeypatch.setattr(report, "revision", lambda: "abc1234 +changes")
    monkeypatch.setattr(report, "now", lambda: "2026-12-04 10:00 UTC")


def canned(benchmark, quick):
    return FIGURES[benchmark.name]


def test_throughput_gives_mb_s_documents_s_and_cleantext_against_its_peers():
    text = report.render_throughput(FIGURES["throughput"])
    assert "| cleantext (default pipeline, provenance) | 0.50 | 100 | 1.00 |" in text
    assert "| ftfy.fix_text | 1.00 | 200 | 2.00 |" in text
    assert "| floor: decode UTF-8 | 1,000 | 200,000 | 2,000 |" in text
    assert "**cleantext: 0.50 MB/s, 100 documents/s; 0.50x ftfy, 2.00x clean-text**" in text
    assert "200 documents, 1.0 MB, median of 3 runs" in text


def test_a_peer_that_did_not_run_is_not_available():
    figures = {**FIGURES["throughput"], "seconds": {CLEANTEXT: 2.0, FTFY: 1.0, CLEAN_TEXT: None}}
    text = report.render_throughput(figures)
    assert "| clean-text clean() (own venv) | n/a | n/a | n/a |" in text
    assert "0.50x ftfy, clean-text: n/a**" in text


def test_same_output_gives_the_shares_of_work_left_and_lists_differences():
    text = report.render_same_output(FIGURES["same_output"])
    assert "| seeds | 5 | 0 | 200 of 500 (40.0%) | 50 of 1,000 (5.0%) |" in text
    assert "| fuzz | 2 | 1 | 20 of 100 (20.0%) | 0 of 0 (n/a) |" in text
    assert "**1 different on 7 documents; the triggers let 36.7% of the (step, document) evaluations" in text
    assert text.endswith("\n- `fuzz/clean/x.txt`")


def test_boilerplate_counts_the_template_classes_together_and_all_sources():
    text = report.render_boilerplate(FIGURES["boilerplate"])
    assert "### Snippets as given (drawn from 4 trafilatura-without, 2 wcxb-without)" in text
    assert "| templates (2 classes) | 4 | 4 | 1.000 |" in text
    assert "| trafilatura-eval-en `without` snippets | 4 | 2 | 0.500 |" in text
    assert "| **all** | 10 | 6 | **0.600** |" in text
    assert "content precision **0.9000** (9 of 10 gold sentences" in text
    assert "Whole lines" not in text  # a run the figures do not hold is left out


def test_every_section_renders_the_figures_its_script_writes():
    for benchmark in report.BENCHMARKS:
        assert benchmark.render(FIGURES[benchmark.name]).strip(), benchmark.name
    assert "| cleantext | 0.900 | 0.800 | 0.847 | 1.5 |" in report.render_extraction(FIGURES["extraction"])
    assert "Right: 4 of 5 cases." in report.render_ftfy_cases(FIGURES["ftfy_cases"])
    memory = report.render_memory(FIGURES["memory"])
    assert "- one document of 10 MB: peak RSS 15.0x the input" in memory and "NOT met" in memory
    scorer = report.render_scorer(FIGURES["scorer"])
    assert "| **0.9** (the model's) | 0.9950 | 0.1000 |" in scorer and "Tune split (domains never trained on)" in scorer
    assert report.headline_scorer(FIGURES["scorer"]).endswith(
        "99.50% of content lines kept, 10.0% of furniture removed"
    )
    scaling = report.render_scaling(FIGURES["scaling"])
    assert "1,000 entries / 10 entries = 1.500x wall" in scaling and "| clean_many | 2 | 1.0 |" in scaling


def test_the_commands_shown_are_the_ones_run_without_json(monkeypatch, tmp_path):
    calls = []

    def fake_run(command, **kwargs):
        calls.append(command)
        Path(command[-1]).write_text(json.dumps(FIGURES["throughput"]), encoding="utf-8")
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(report.subprocess, "run", fake_run)
    throughput = report.BENCHMARKS[0]
    assert report.run_benchmark(throughput, quick=False) == FIGURES["throughput"]
    assert calls[0][1:-2] == [str(REPORT.parent / "throughput.py"), "--mb", "20"]
    assert calls[0][-2] == "--json"
    assert throughput.command(quick=False) == "python bench/throughput.py --mb 20"
    assert throughput.command(quick=True) == "python bench/throughput.py --mb 1 --runs 1"


def test_a_failing_script_is_an_error_that_names_its_command(monkeypatch):
    monkeypatch.setattr(report.subprocess, "run", lambda command, **kwargs: subprocess.CompletedProcess(command, 2))
    with pytest.raises(RuntimeError, match=r"`python bench/memory.py --jsonl-mb .*` exited with status 2"):
        report.run_benchmark(report.BENCHMARKS[4], quick=False)


def test_the_header_says_it_is_generated_when_where_and_at_which_commit(tmp_path):
    output = tmp_path / "benchmarks.md"
    assert report.generate(output, report.NAMES, quick=False, runner=canned) == {}
    text = output.read_text(encoding="utf-8")
    head = text.split("<!-- section:")[0]
    assert text.startswith(report.GENERATED)
    assert "Generated by `python bench/report.py`: **do not edit this file by hand**" in head
    assert "- Generated: 2026-12-04 10:00 UTC" in head and "all sections, full sizes" in head
    assert f"- Python: {report.platform.python_implementation()} {report.platform.python_version()}" in head
    assert f"{report.os.cpu_count()} cores" in head
    assert "- Commit: abc1234 + uncommitted changes" in head
    assert "quick run" not in head.lower()
    assert "`wcxb-dev`: WCXB's development split, 1,358 pages | tuning | scorer (its tune split), same_output" in head
    for benchmark in report.BENCHMARKS:
        assert f"\n## {benchmark.title}\n" in text
        assert f"Reproduce: `{benchmark.command(quick=False)}`" in text


def test_a_quick_run_says_so_in_the_header_and_in_the_sections_it_shrank(tmp_path):
    output = tmp_path / "benchmarks.md"
    report.generate(output, report.NAMES, quick=True, runner=canned)
    text = output.read_text(encoding="utf-8")
    sections = report.parse_sections(text)
    assert "**quick run**" in text.split("<!-- section:")[0]
    assert sections["throughput"].stamp.quick and report.QUICK_NOTE in sections["throughput"].body
    # boilerplate runs at the same size either way: its figures are full ones
    assert not sections["boilerplate"].stamp.quick and report.QUICK_NOTE not in sections["boilerplate"].body


def test_only_reruns_its_sections_and_keeps_the_others_as_they_were(tmp_path):
    output = tmp_path / "benchmarks.md"
    report.generate(output, report.NAMES, quick=True, runner=canned)
    before = report.parse_sections(output.read_text(encoding="utf-8"))
    faster = {**FIGURES["throughput"], "seconds": {CLEANTEXT: 1.0, FTFY: 1.0, CLEAN_TEXT: 4.0}}
    report.generate(output, ["throughput"], quick=False, runner=lambda benchmark, quick: faster)
    text = output.read_text(encoding="utf-8")
    after = report.parse_sections(text)
    assert {name: after[name] for name in report.NAMES if name != "throughput"} == {
        name: before[name] for name in report.NAMES if name != "throughput"
    }
    assert "**cleantext: 1.00 MB/s" in after["throughput"].body and not after["throughput"].stamp.quick
    head = text.split("<!-- section:")[0]
    assert "throughput rerun (full sizes), the other sections kept from earlier runs" in head
    assert "- **Quick run** sections (smoke-test sizes, not figures to quote): extraction, memory, scaling" in head


def test_sections_never_measured_say_how_to_measure_them(tmp_path):
    output = tmp_path / "benchmarks.md"
    report.generate(output, ["ftfy_cases"], quick=False, runner=canned)
    sections = report.parse_sections(output.read_text(encoding="utf-8"))
    assert list(sections) == list(report.NAMES)
    assert sections["memory"].stamp is None
    assert "Not measured yet: run `python bench/report.py --only memory`" in sections["memory"].body


def test_a_benchmark_that_fails_keeps_its_previous_section_and_is_named_in_the_header(tmp_path):
    output = tmp_path / "benchmarks.md"
    report.generate(output, report.NAMES, quick=False, runner=canned)
    before = report.parse_sections(output.read_text(encoding="utf-8"))

    def broken(benchmark, quick):
        raise RuntimeError("`python bench/memory.py` exited with status 1")

    assert report.generate(output, ["memory"], quick=False, runner=broken) == {
        "memory": "`python bench/memory.py` exited with status 1"
    }
    text = output.read_text(encoding="utf-8")
    assert report.parse_sections(text)["memory"] == before["memory"]
    assert (
        "- **memory failed in this run** (`python bench/memory.py` exited with status 1); its section is kept" in text
    )


def test_a_file_the_report_did_not_write_is_left_alone(tmp_path):
    output = tmp_path / "benchmarks.md"
    output.write_text("# Benchmarks\n\nWritten by hand.\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"was not written by bench/report\.py"):
        report.generate(output, ["ftfy_cases"], quick=False, runner=canned)
    assert output.read_text(encoding="utf-8") == "# Benchmarks\n\nWritten by hand.\n"


def test_writing_replaces_the_file_whole_and_leaves_no_temporary_file(tmp_path):
    output = tmp_path / "docs" / "benchmarks.md"
    report.write_atomically(output, "one\n")
    output.chmod(0o640)
    report.write_atomically(output, "two\n")
    assert output.read_text(encoding="utf-8") == "two\n"
    assert output.stat().st_mode & 0o777 == 0o640
    assert [path.name for path in output.parent.iterdir()] == ["benchmarks.md"]


def test_main_takes_the_documented_options(monkeypatch, tmp_path):
    seen = {}

    def fake_generate(output, names, *, quick, readme):
        seen.update(output=output, names=names, quick=quick, readme=readme)
        return {}

    monkeypatch.setattr(report, "generate", fake_generate)
    assert report.main(["--quick", "--only", "memory", "--only", "scaling", "--output", str(tmp_path / "b.md")]) == 0
    assert seen == {"output": tmp_path / "b.md", "names": ["memory", "scaling"], "quick": True, "readme": None}
    assert report.main(["--output", str(tmp_path / "b.md")]) == 0
    assert seen["readme"] == report.ROOT / "README.md"  # a full run rewrites the README's summary too
    assert report.main(["--output", str(tmp_path / "b.md"), "--no-readme"]) == 0
    assert seen["readme"] is None
    with pytest.raises(SystemExit):
        report.main(["--only", "nonsense"])


def test_every_section_has_headline_figures_and_the_header_lists_them(tmp_path):
    for benchmark in report.BENCHMARKS:
        assert benchmark.headline(FIGURES[benchmark.name]), benchmark.name
    assert report.headline_memory(FIGURES["memory"]) == (
        "JSON Lines peak RSS 36 MB at 1 MB, 37 MB at 10 MB; one 10 MB document in windows peaks at 15.0x its size "
        "(target < 10x)"
    )
    assert report.headline_scaling(FIGURES["scaling"]) == (
        "time per MB at most 1.11x that of 1-10 KB documents up to 10 KB, at 1 KB (every other size within 0.89x; "
        "target 1.2x); 1,000 lexicon entries 1.50x the time of 10 (target 1.1x); "
        "2 jobs 2.00x as fast as 1 (target 1.8x)"
    )
    command = [["cleantext clean x.jsonl", 1, [3.0, 3.0, 0.1]], ["cleantext clean x.jsonl", 2, [2.0, 3.0, 0.1]]]
    jobs = {"megabytes": 0.2, "rows": FIGURES["scaling"]["jobs"]["rows"] + command}
    with_command = {**FIGURES["scaling"], "jobs": jobs}
    assert report.headline_scaling(with_command).endswith(
        "2 jobs 2.00x as fast as 1 (target 1.8x); `cleantext clean --jobs 2` 1.50x"
    )
    output = tmp_path / "benchmarks.md"
    report.generate(output, report.NAMES, quick=False, runner=canned)
    head = output.read_text(encoding="utf-8").split("<!-- section:")[0]
    assert "- [Throughput](#throughput): cleantext: 0.50 MB/s, 100 documents/s; 0.50x ftfy, 2.00x clean-text.\n" in head
    assert "- [Mojibake: ftfy's test cases](#mojibake-ftfys-test-cases): 4 of ftfy's 5 test cases right" in head


README = """# cleantext

## Benchmarks

Written by hand above the markers.

<!-- benchmarks: start -->
old summary
<!-- benchmarks: end -->

## Limits
"""


def test_the_readme_summary_replaces_only_what_stands_between_its_markers(tmp_path):
    readme, output = tmp_path / "README.md", tmp_path / "docs" / "benchmarks.md"
    readme.write_text(README, encoding="utf-8")
    report.generate(output, ["throughput", "boilerplate"], quick=False, readme=readme, runner=canned)
    text = readme.read_text(encoding="utf-8")
    head, rest = README.split("old summary\n")
    assert text.startswith(head) and text.endswith(rest) and "old summary" not in text
    assert "- [Throughput](docs/benchmarks.md#throughput): cleantext: 0.50 MB/s" in text
    assert "- [Boilerplate removal](docs/benchmarks.md#boilerplate-removal): snippets as given: removal recall" in text
    assert "Memory" not in text  # not measured: no headline
    assert "Generated 2026-12-04 10:00 UTC on " in text and ", commit abc1234 + uncommitted changes." in text


def test_a_readme_without_markers_stops_the_run_before_it_starts(tmp_path):
    readme, output = tmp_path / "README.md", tmp_path / "benchmarks.md"
    readme.write_text("# cleantext\n", encoding="utf-8")

    def never(benchmark, quick):
        raise AssertionError("no benchmark runs")

    with pytest.raises(SystemExit, match="needs one line <!-- benchmarks: start -->"):
        report.generate(output, report.NAMES, quick=False, readme=readme, runner=never)
    assert readme.read_text(encoding="utf-8") == "# cleantext\n" and not output.exists()
