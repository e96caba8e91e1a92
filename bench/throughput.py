"""Throughput, side by side: cleantext and its peers on the same documents, in one run, on one core.

The corpus is built deterministically from the five seeds and the gold article
bodies of ``../shared/benchmarks/article-extraction-benchmark`` (documents of
natural length, cycled until the corpus reaches ``--mb`` megabytes) and held in
memory as UTF-8. Each contender runs over every document ``--runs`` times, each
run on the documents decoded anew (outside the timing), as a reader hands over
the documents of a corpus: a string cleaned before keeps its UTF-8 and its hash,
which a run over the same strings again would not pay for. The table
gives the median MB/s and documents/s and each one's ratio to cleantext.
cleantext's pipelines and ftfy run in rounds, one run of each a round, so
that a machine whose speed drifts during the benchmark slows them alike.

- cleantext's default pipeline, provenance recorded (the normal and only mode);
- the same pipeline with ``triggers="off"``: every step evaluated on every
  document, the reference the plan's triggers are held to;
- where the native core runs, the same pipeline on the Python engine (what
  ``CLEANTEXT_ENGINE=python`` runs);
- ``ftfy.fix_text``;
- clean-text's ``clean()`` with its defaults, in a virtual environment of its
  own (it installs a module also called ``cleantext``), created on first use
  under ``--peer-venv``; skipped with ``--no-clean-text``;
- floors: decoding the corpus bytes, ``unicodedata.normalize("NFC")``, and one
  ``regex`` pass with a literal-prefixed pattern;
- the plan's pre-pass alone (every trigger literal looked for in the
  casefolded documents), on the active engine and, when that is the native
  core, on the Python reference (:mod:`cleantext.native`).

jusText and trafilatura extract articles from HTML and do not apply to plain
text; HTML input is measured by the extraction benchmark.

It also times a one-line document with nothing to clean, cleantext against
ftfy (best of five runs of 2,000 calls), first, before the corpus runs.

Run: ``python bench/throughput.py --mb 100`` (``--help`` for options; ``--json FILE`` also writes the
seconds of every contender, which ``bench/report.py`` turns into a table).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ftfy  # noqa: E402

import cleantext.native  # noqa: E402
from cleantext import Pipeline  # noqa: E402
from cleantext.native import ENGINE, PythonScanner  # noqa: E402
from cleantext.triggers import scanned_form  # noqa: E402

BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
T = TypeVar("T")
# The contenders' names, as the table and the JSON figures give them.
CLEANTEXT = "cleantext (default pipeline, provenance)"
FTFY = "ftfy.fix_text"
CLEAN_TEXT = "clean-text clean() (own venv)"
EVERY_STEP = "cleantext, every step evaluated (triggers off)"
PYTHON_ENGINE = "cleantext, Python engine (CLEANTEXT_ENGINE=python)"
PEER_SCRIPT = """
import json, statistics, sys, time
from cleantext import clean
docs = json.load(open(sys.argv[1], encoding="utf-8"))
runs = int(sys.argv[2])
times = []
for _ in range(runs):
    start = time.perf_counter()
    for doc in docs:
        clean(doc)
    times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def build_corpus(megabytes: float) -> list[str]:
    """Seeds and gold bodies, cycled in a fixed order until the corpus has ``megabytes`` of UTF-8."""
    gold = json.loads((BENCHMARKS / "article-extraction-benchmark" / "ground-truth.json").read_text(encoding="utf-8"))
    pool = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("0*_????????????????.txt"))]
    pool += [gold[key]["articleBody"] for key in sorted(gold)]
    corpus, size, index = [], 0, 0
    while size < megabytes * 1e6:
        document = pool[index % len(pool)]
        corpus.append(document)
        size += len(document.encode("utf-8"))
        index += 1
    return corpus


ONE_LINE = "Kyiv said on Tuesday that the grid held through the night.\n"
"""The one-line document: a sentence with nothing to clean, as most records of a large corpus are."""


def one_line_microseconds(work: Callable[[str], object], repeat: int = 5, number: int = 2000) -> float:
    """The best of ``repeat`` timings of ``number`` calls on :data:`ONE_LINE`, in microseconds per call."""
    work(ONE_LINE)
    return min(timeit.repeat(lambda: work(ONE_LINE), repeat=repeat, number=number)) / number * 1e6


def on_python_engine(work: Callable[[], T]) -> T:
    """``work()`` with the native core switched off: the pre-pass and every finder on Python."""
    saved, cleantext.native._NATIVE = cleantext.native._NATIVE, None
    try:
        return work()
    finally:
        cleantext.native._NATIVE = saved


def median_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_median_seconds(
    works: dict[str, Callable[[list[str]], object]], runs: int, encoded: list[bytes]
) -> dict[str, float]:
    """The median seconds of each of ``works``, run in ``runs`` rounds of one run of each, each run on
    the documents decoded anew from ``encoded`` (the decoding not timed)."""
    times: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(runs):
        for name, work in works.items():
            documents = [document.decode("utf-8") for document in encoded]
            start = time.perf_counter()
            work(documents)
            times[name].append(time.perf_counter() - start)
            del documents
    return {name: statistics.median(seconds) for name, seconds in times.items()}


def clean_text_seconds(corpus: list[str], runs: int, venv: Path) -> float | None:
    """Median seconds of clean-text's ``clean()`` over the corpus, in its own virtual environment."""
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        installed = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "clean-text"], capture_output=True, text=True, check=False
        )
        if installed.returncode != 0:
            print(f"clean-text could not be installed: {installed.stderr.strip()[:200]}", file=sys.stderr)
            return None
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as handle:
        json.dump(corpus, handle)
    try:
        done = subprocess.run(
            [str(python), "-I", "-c", PEER_SCRIPT, handle.name, str(runs)], capture_output=True, text=True, check=True
        )
    finally:
        Path(handle.name).unlink()
    return statistics.median(json.loads(done.stdout))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=100.0, help="corpus size in megabytes (default 100)")
    parser.add_argument("--runs", type=int, default=3, help="runs per contender; the median counts (default 3)")
    parser.add_argument("--no-clean-text", action="store_true", help="skip clean-text (needs PyPI on first use)")
    parser.add_argument("--peer-venv", type=Path, default=Path(tempfile.gettempdir()) / "cleantext-peer-clean-text")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the seconds per contender as JSON")
    args = parser.parse_args(argv)

    corpus = build_corpus(args.mb)
    encoded = [document.encode("utf-8") for document in corpus]
    megabytes = sum(map(len, encoded)) / 1e6
    pipeline = Pipeline.load()
    # First, in a process that holds nothing else yet: after the corpus runs, both take about 1.5 times as long.
    one_line = {
        "cleantext": one_line_microseconds(pipeline.clean),
        "ftfy": one_line_microseconds(ftfy.fix_text),
    }
    literal = regex.compile(r"Advertisement\b")
    every_step = Pipeline.load(triggers="off")
    works: dict[str, Callable[[list[str]], object]] = {
        CLEANTEXT: lambda documents: [pipeline.clean(d) for d in documents],
        EVERY_STEP: lambda documents: [every_step.clean(d) for d in documents],
        FTFY: lambda documents: [ftfy.fix_text(d) for d in documents],
    }
    if ENGINE == "native":
        on_python = on_python_engine(Pipeline.load)  # its plan's scanner is chosen as the plan is made
        works[PYTHON_ENGINE] = lambda documents: on_python_engine(lambda: [on_python.clean(d) for d in documents])
    contenders: dict[str, float | None] = dict(interleaved_median_seconds(works, args.runs, encoded))
    if not args.no_clean_text:
        contenders[CLEAN_TEXT] = clean_text_seconds(corpus, args.runs, args.peer_venv)
    contenders["floor: decode UTF-8"] = median_seconds(lambda: [b.decode("utf-8") for b in encoded], args.runs)
    contenders["floor: unicodedata NFC"] = median_seconds(
        lambda: [unicodedata.normalize("NFC", d) for d in corpus], args.runs
    )
    contenders["floor: one regex pass"] = median_seconds(lambda: [literal.findall(d) for d in corpus], args.runs)
    # The plan's pre-pass alone, on the casefolded documents: the engine's scanner and the Python reference.
    plan = pipeline.plan("file")
    folded = [scanned_form(d, ends=True) for d in corpus]
    scanners = {f"pre-pass: {ENGINE} engine": plan.scanner}
    if ENGINE != "python":
        scanners["pre-pass: Python reference"] = PythonScanner(plan.literals)
    for name, scanner in scanners.items():
        contenders[name] = median_seconds(lambda scanner=scanner: [scanner.scan(f) for f in folded], args.runs)

    print(
        f"{date.today()} on {platform.machine()} ({platform.python_implementation()} {platform.python_version()}), "
        f"one core, {len(corpus)} documents, {megabytes:.1f} MB, median of {args.runs} runs"
    )
    print(f"{'contender':<52}{'MB/s':>10}{'docs/s':>12}{'x cleantext':>13}")
    reference = contenders[CLEANTEXT]
    assert reference is not None
    for name, seconds in contenders.items():
        if seconds is None:
            print(f"{name:<52}{'n/a':>10}")
            continue
        print(f"{name:<52}{megabytes / seconds:>10.2f}{len(corpus) / seconds:>12.0f}{reference / seconds:>13.2f}")
    print(f"one-line document: cleantext {one_line['cleantext']:.0f} µs, ftfy {one_line['ftfy']:.0f} µs")
    if args.json:
        figures = {
            "documents": len(corpus),
            "megabytes": megabytes,
            "runs": args.runs,
            "ftfy": ftfy.__version__,
            "engine": ENGINE,
            "seconds": contenders,
            "one_line_us": one_line,
        }
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
