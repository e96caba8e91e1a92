"""Memory: peak resident memory of separate ``cleantext clean`` processes as inputs grow.

Each measurement is one fresh ``cleantext clean INPUT -o OUTPUT -q`` process
(one job), its peak RSS taken with ``/usr/bin/time -v`` when that works, else
from ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` of a small wrapper
process that runs it (the table says which). Measured:

a. JSON Lines streaming at 10 MB, 100 MB and 1 GB: records ``{"id": n, "text":
   article}`` of natural article length (target: peak RSS flat);
b. one plain-text document of 10 MB and 100 MB (target: peak RSS < 10x the
   input at 100 MB), cleaned in windows as ``cleantext clean`` does by default
   for a long file, and at ``--whole-mb`` sizes (default 10) also cleaned whole
   (``--window 0``) for comparison;
c. the baseline: an empty file.

``--where MB`` (default 2, 0 to skip) adds an in-process look at where a single document's memory
goes: ``tracemalloc`` peaks stage by stage, in multiples of the document's
``str``.

Inputs are the deterministic articles of ``bench/scaling.py`` (seeds and gold
bodies with boilerplate lines inserted from a fixed seed); scratch files go to
``/tmp/bench-data`` and are deleted after each run.

Run: ``python bench/memory.py`` (full: ~1 hour, most of it the 1 GB file) or
``python bench/memory.py --quick`` (1 MB and 10 MB inputs, ~1 minute); ``--json FILE`` also
writes the figures, which ``bench/report.py`` turns into tables with the functions here.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scaling import (
    MB,
    SCRATCH,
    article_pool,
    cleantext_command,
    human_size,
    load_average,
    machine_line,
    markdown_table,
    natural_corpus,
    paragraph_stream,
    progress,
    single_document,
    utf8_size,
)

from cleantext import Pipeline
from cleantext.document import Document

TIME = "/usr/bin/time"
WRAPPER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[2:]).returncode
with open(sys.argv[1], "w") as report:
    report.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


BASELINE_TITLE = "c. Baseline"
JSONL_TITLE = "a. JSON Lines streaming (records of natural article length)"
TEXT_TITLE = "b. One plain-text document"


@dataclass(frozen=True)
class Measurement:
    """One ``cleantext clean`` process: what it read, how long it took, its peak RSS."""

    label: str
    input_bytes: int
    records: int
    wall: float
    peak_kb: int


# ---------------------------------------------------------------- inputs


def write_jsonl_corpus(path: Path, megabytes: float) -> int:
    """JSON Lines of natural-length articles ``{"id": n, "text": ...}`` up to ``megabytes``; return the records."""
    corpus = natural_corpus(megabytes)
    with path.open("w", encoding="utf-8") as handle:
        for number, article in enumerate(corpus):
            handle.write(json.dumps({"id": number, "text": article}, ensure_ascii=False) + "\n")
    return len(corpus)


def write_text_document(path: Path, nbytes: int) -> None:
    """The document ``scaling.single_document(nbytes)``, written paragraph by paragraph (never held whole)."""
    size = 0
    with path.open("w", encoding="utf-8") as handle:
        for paragraph in paragraph_stream():
            if size >= nbytes:
                break
            handle.write(("\n\n" if size else "") + paragraph)
            size += utf8_size(paragraph) + 2
        handle.write("\n")


# ---------------------------------------------------------------- measuring


def time_works() -> bool:
    """Whether ``/usr/bin/time -v`` runs here and reports a maximum resident set size."""
    if not Path(TIME).exists():
        return False
    done = subprocess.run([TIME, "-v", "true"], capture_output=True, text=True, check=False)
    return done.returncode == 0 and "Maximum resident set size" in done.stderr


def peak_command(command: Sequence[str], report: Path, method: str) -> list[str]:
    """``command`` wrapped so its peak RSS (kB) lands in ``report``."""
    if method == "time -v":
        return [TIME, "-v", "-o", str(report), *command]
    return [sys.executable, "-c", WRAPPER, str(report), *command]


def read_peak(report: Path, method: str) -> int:
    """The peak RSS in kB from a ``report`` written by :func:`peak_command`'s wrapper."""
    text = report.read_text(encoding="utf-8")
    if method != "time -v":
        return int(text)
    for line in text.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1])
    raise RuntimeError(f"no maximum resident set size in {report}:\n{text}")


def measure(label: str, source: Path, records: int, method: str, extra: Sequence[str] = ()) -> Measurement:
    """Run ``cleantext clean source -o out -q [extra]`` once; its wall seconds and peak RSS."""
    out = source.with_name(f"out-{source.name}")
    report = source.with_name(f"{source.name}.rss")
    command = [*cleantext_command(), "clean", str(source), "-o", str(out), "-q", *extra]
    start = time.perf_counter()
    subprocess.run(peak_command(command, report, method), check=True)
    wall = time.perf_counter() - start
    peak = read_peak(report, method)
    for path in (out, report):
        path.unlink()
    measurement = Measurement(label, source.stat().st_size, records, wall, peak)
    progress(f"{label} {human_size(measurement.input_bytes)}: {wall:.1f} s, {peak / 1024:.0f} MB peak RSS")
    return measurement


def measure_empty(method: str) -> Measurement:
    """(c) The baseline: an empty text file."""
    source = SCRATCH / "empty.txt"
    source.write_bytes(b"")
    try:
        return measure("empty file (baseline)", source, 0, method)
    finally:
        source.unlink()


def measure_jsonl(megabytes: float, method: str) -> Measurement:
    """(a) A JSON Lines file of ``megabytes``."""
    source = SCRATCH / f"memory-{megabytes:g}mb.jsonl"
    progress(f"writing {source}")
    records = write_jsonl_corpus(source, megabytes)
    try:
        return measure("JSON Lines", source, records, method)
    finally:
        source.unlink()


def measure_text(megabytes: float, method: str, *, whole: bool) -> list[Measurement]:
    """(b) One plain-text document of ``megabytes``: in windows, and also whole when ``whole``."""
    source = SCRATCH / f"memory-{megabytes:g}mb.txt"
    progress(f"writing {source}")
    write_text_document(source, int(megabytes * MB))
    try:
        rows = [measure("one text document, in windows", source, 1, method)]
        if whole:
            rows.append(measure("one text document, whole (--window 0)", source, 1, method, ["--window", "0"]))
        return rows
    finally:
        source.unlink()


# ---------------------------------------------------------------- where the memory goes


def stage_peaks(text: str) -> Iterator[tuple[str, float, float, float]]:
    """(stage, live before, peak, live after) of cleaning ``text`` in-process, in multiples of its ``str`` size.

    The last row is ``str.casefold`` of the text on its own: its peak is what it
    allocates on top of what was live.
    """
    unit = sys.getsizeof(text)
    pipeline = Pipeline.load()
    stages = list(dict.fromkeys(rule.stage for rule in pipeline.rules))
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        document = Document(text)
        for stage in stages:
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            Pipeline([rule for rule in pipeline.rules if rule.stage == stage], options=pipeline.options).run(document)
            live, peak = tracemalloc.get_traced_memory()
            yield stage, (before - base) / unit, (peak - base) / unit, (live - base) / unit
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        folded = text.casefold()
        live, peak = tracemalloc.get_traced_memory()
        del folded
        yield "(str.casefold of the text alone, for comparison)", 0.0, (peak - before) / unit, (live - before) / unit
    finally:
        tracemalloc.stop()


def where_figures(megabytes: float) -> dict[str, Any]:
    """The per-stage memory of :func:`stage_peaks` for one document of ``megabytes``, with its size in bytes."""
    text = single_document(int(megabytes * MB))
    return {
        "bytes": utf8_size(text),
        "bytes_per_char": sys.getsizeof(text) / len(text),
        "stages": [list(row) for row in stage_peaks(text)],
    }


def where_table(figures: dict[str, Any]) -> str:
    """The Markdown table of :func:`where_figures`, under a heading."""
    rows = [(stage, f"{b:.2f}", f"{p:.2f}", f"{a:.2f}") for stage, b, p, a in figures["stages"]]
    return (
        f"### Where one document's memory goes ({human_size(figures['bytes'])} in-process, tracemalloc; "
        f"its str takes {figures['bytes_per_char']:.0f} bytes per character; the input str itself is not counted)\n\n"
        + markdown_table(("stage", "live before, x str", "peak, x str", "live after, x str"), rows)
    )


# ---------------------------------------------------------------- report


def measurement_table(title: str, rows: Sequence[Measurement], baseline_kb: int) -> str:
    """A Markdown table of measurements under a heading: size, time, peak RSS, RSS / input."""
    table = [
        (
            m.label,
            human_size(m.input_bytes) if m.input_bytes else "0 B",
            f"{m.records:,}",
            f"{m.wall:.1f}",
            f"{m.input_bytes / MB / m.wall:.2f}",
            f"{m.peak_kb / 1024:.0f}",
            f"{(m.peak_kb - baseline_kb) / 1024:.0f}",
            f"{m.peak_kb * 1024 / m.input_bytes:.2f}x" if m.input_bytes else "-",
        )
        for m in rows
    ]
    headers = ("input", "size", "records", "wall s", "MB/s", "peak RSS MB", "over baseline MB", "RSS / input")
    return f"### {title}\n\n" + markdown_table(headers, table)


def verdicts(jsonl: Sequence[Measurement], text: Sequence[Measurement], baseline_kb: int) -> list[str]:
    """Whether the JSON Lines peak stayed flat and how the largest document compares with 10x, as list items."""
    lines = []
    if len(jsonl) > 1:
        low, high = jsonl[0], jsonl[-1]
        growth = (high.peak_kb - low.peak_kb) / 1024
        lines.append(
            f"- JSON Lines: peak RSS {low.peak_kb / 1024:.0f} MB at {human_size(low.input_bytes)} -> "
            f"{high.peak_kb / 1024:.0f} MB at {human_size(high.input_bytes)} ({growth:+.0f} MB for "
            f"{high.input_bytes / low.input_bytes:.0f}x the input): {'flat' if abs(growth) < 32 else 'NOT flat'}"
        )
    windowed = [row for row in text if "windows" in row.label]
    if windowed:
        big = windowed[-1]
        ratio = big.peak_kb * 1024 / big.input_bytes
        lines.append(
            f"- one document of {human_size(big.input_bytes)}: peak RSS {ratio:.1f}x the input "
            f"({(big.peak_kb - baseline_kb) * 1024 / big.input_bytes:.1f}x over the baseline; "
            f"target < 10x): {'met' if ratio < 10 else 'NOT met'}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the measurements and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 MB and 10 MB inputs")
    parser.add_argument("--jsonl-mb", type=float, nargs="+", help="JSON Lines sizes in MB (default 10 100 1000)")
    parser.add_argument("--text-mb", type=float, nargs="+", help="plain-text document sizes in MB (default 10 100)")
    parser.add_argument(
        "--whole-mb",
        type=float,
        nargs="*",
        default=[10.0],
        help="plain-text sizes also cleaned whole, for comparison (default 10)",
    )
    parser.add_argument("--method", choices=("auto", "time", "getrusage"), default="auto", help="how to take peak RSS")
    parser.add_argument(
        "--where",
        type=float,
        default=2.0,
        metavar="MB",
        help="trace one document of MB in-process (0: skip; default 2)",
    )
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    small = [1.0, 10.0] if args.quick else None
    jsonl_sizes = args.jsonl_mb or small or [10.0, 100.0, 1000.0]
    text_sizes = args.text_mb or small or [10.0, 100.0]
    use_time = args.method == "time" or (args.method == "auto" and time_works())
    method = "time -v" if use_time else "getrusage"

    SCRATCH.mkdir(parents=True, exist_ok=True)
    needed = 2.2 * max(jsonl_sizes + text_sizes) * MB
    if shutil.disk_usage(SCRATCH).free < needed:
        raise SystemExit(f"{SCRATCH} needs {human_size(needed)} free for input and output")
    print(f"## cleantext memory benchmark{' (--quick)' if args.quick else ''}\n")
    print(machine_line())
    method_text = f"{TIME} -v" if use_time else "getrusage(RUSAGE_CHILDREN).ru_maxrss of a wrapper"
    print(f"\nPeak RSS: {method_text}; `cleantext clean INPUT -o OUTPUT -q`, one job, one process per row.")
    print(f"Articles: {len(article_pool())} (seeds + gold bodies with boilerplate), cycled in a fixed order.")

    baseline = measure_empty(method)
    jsonl = [measure_jsonl(size, method) for size in jsonl_sizes]
    text = [row for size in text_sizes for row in measure_text(size, method, whole=size in args.whole_mb)]
    print("\n" + measurement_table(BASELINE_TITLE, [baseline], baseline.peak_kb))
    print("\n" + measurement_table(JSONL_TITLE, jsonl, baseline.peak_kb))
    print("\n" + measurement_table(TEXT_TITLE, text, baseline.peak_kb))
    if lines := verdicts(jsonl, text, baseline.peak_kb):
        print("\n" + "\n".join(lines))
    where = where_figures(args.where) if args.where else None
    if where:
        print("\n" + where_table(where))
    print(f"\nFinished {time.strftime('%Y-%m-%dT%H:%M')}; load average {load_average()}.")
    if args.json:
        figures = {
            "method": method_text,
            "articles": len(article_pool()),
            "baseline": asdict(baseline),
            "jsonl": [asdict(row) for row in jsonl],
            "text": [asdict(row) for row in text],
            "where": where,
        }
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
