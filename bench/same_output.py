"""Same output: the plan with triggers against every step evaluated, on every corpus we have.

For each document the default pipeline runs twice, with ``triggers="on"``
(steps whose trigger does not hold are skipped) and ``triggers="off"`` (the
reference: every step evaluated), and the two results must be identical in
text, edits, metadata and warnings. It also counts the (step, document)
evaluations and the (line or block step, line or block) searches each mode
makes: the fractions the pre-pass (and, where the native core runs, its
screen) lets through. The screen's own searches, on the core, are not counted.

Corpora: the seeds, the gold article bodies of the Zyte benchmark, the HTML
pages of WCXB dev and test, trafilatura-eval and the readability pages
(extracted, then cleaned), the boilerplate benchmark's documents (gold bodies
with boilerplate lines put in, as ``bench/boilerplate.py`` builds them) and the
fuzz corpora. Run: ``python bench/same_output.py`` (``--every N``: every Nth
document of each corpus; ``--json FILE``: the figures for ``bench/report.py``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

import boilerplate  # noqa: E402

from cleantext import Pipeline  # noqa: E402
from cleantext.errors import InputError  # noqa: E402
from cleantext.pipeline import SCREEN  # noqa: E402
from cleantext.segment import block_spans  # noqa: E402
from cleantext.steps import BlockStep, LineStep  # noqa: E402
from cleantext.strip import short_lines  # noqa: E402

BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
NOT_STEPS = ("extract", SCREEN)  # timed, but no rule's evaluation


def corpora(step: int = 1) -> Iterator[tuple[str, str, bytes | str]]:
    """``(corpus, name, data)`` for every ``step``-th document of every corpus."""
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        yield "seeds", path.name, path.read_bytes()
    gold = json.loads((BENCHMARKS / "article-extraction-benchmark" / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(gold)[::step]:
        yield "zyte-gold", key, gold[key]["articleBody"]
    pages = {
        "zyte-html": BENCHMARKS / "article-extraction-benchmark" / "html",
        "wcxb-dev": BENCHMARKS / "wcxb-dev" / "html",
        "wcxb-test": BENCHMARKS / "wcxb-test-articles" / "html",
        "trafilatura-eval": BENCHMARKS / "trafilatura-eval-en" / "html",
        "readability": BENCHMARKS / "readability-test-pages" / "pages",
    }
    for corpus, folder in pages.items():
        files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name.endswith((".html", ".html.gz")))
        for path in files[::step]:
            data = path.read_bytes()
            yield corpus, str(path.relative_to(folder)), gzip.decompress(data) if path.suffix == ".gz" else data
    rng = random.Random(20261122)  # bench/boilerplate.py's documents: gold bodies with boilerplate put in
    snippets = boilerplate.load_snippets()
    for key, body in sorted(gold.items())[::step]:
        text, _, _ = boilerplate.build_document(body["articleBody"], rng, snippets, 3)
        yield "boilerplate", key, text
    for path in sorted((ROOT / "fuzz" / "corpus").rglob("*"))[::step]:
        if path.is_file():
            yield "fuzz", str(path.relative_to(ROOT / "fuzz" / "corpus")), path.read_bytes()


class SearchCounter:
    """Counts the lines and paragraphs line and block steps search: those the trigger's literals let through."""

    def __init__(self) -> None:
        self.searched = 0
        self.originals = {LineStep: LineStep.finder, BlockStep: BlockStep.finder}

    def __enter__(self) -> SearchCounter:
        for step, finder in self.originals.items():
            step.finder = staticmethod(self.counting(step.kind, finder))  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        for step, finder in self.originals.items():
            step.finder = staticmethod(finder)  # type: ignore[assignment]

    def counting(self, kind: str, finder: Callable[..., Any]) -> Callable[..., Any]:
        def count(rule: Any, text: str, low: int, high: int, timeout: Any, *, literals: tuple[str, ...] = ()) -> Any:
            if kind == "line":
                units = [line for start, end, line, *_ in short_lines(text) if start >= low and end <= high]
            else:
                units = [text[start:end] for start, end in block_spans(text) if start >= low and end <= high]
            folded = [unit.casefold() for unit in units]
            self.searched += sum(1 for unit in folded if not literals or any(word in unit for word in literals))
            return finder(rule, text, low, high, timeout, literals=literals)

        return count


def outcome(pipeline: Pipeline, name: str, data: bytes | str) -> tuple[object, int]:
    """What cleaning gives (text, edits, metadata, warnings, or the error) and the step evaluations it took."""
    try:
        result = pipeline.clean(data, name=name)
    except InputError as error:
        return ("error", str(error)), 0
    evaluations = sum(timing.evaluations for label, timing in result.timings.items() if label not in NOT_STEPS)
    edits = [(e.src, e.after, e.rules) for e in result.edits]
    return (result.text, edits, dict(result.metadata), list(result.warnings)), evaluations


def compare(step: int = 1) -> dict[str, object]:
    """Run both modes over every corpus; the differences and the counts of evaluations per corpus."""
    on, off = Pipeline.load(triggers="on"), Pipeline.load(triggers="off")
    figures: dict[str, dict[str, int]] = {}
    differences: list[str] = []
    keys = ("documents", "different", "evaluations", "reference", "searches", "reference searches")
    for corpus, name, data in corpora(step):
        with SearchCounter() as counted:
            with_triggers, evaluated = outcome(on, name, data)
        with SearchCounter() as counted_off:
            reference, every = outcome(off, name, data)
        entry = figures.setdefault(corpus, dict.fromkeys(keys, 0))
        entry["documents"] += 1
        entry["evaluations"] += evaluated
        entry["reference"] += every
        entry["searches"] += counted.searched
        entry["reference searches"] += counted_off.searched
        if with_triggers != reference:
            entry["different"] += 1
            differences.append(f"{corpus}/{name}")
    return {"corpora": figures, "differences": differences}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=int, default=1, metavar="N", help="every Nth document of each corpus")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    figures = compare(args.every)
    figures["every"] = args.every
    for corpus, entry in figures["corpora"].items():  # type: ignore[union-attr]
        share = entry["evaluations"] / entry["reference"] if entry["reference"] else 0.0
        searched = entry["searches"] / entry["reference searches"] if entry["reference searches"] else 0.0
        print(
            f"{corpus:18} {entry['documents']:5} documents, {entry['different']} different; "
            f"step evaluations {entry['evaluations']:,} of {entry['reference']:,} ({share:.1%}); "
            f"lines and paragraphs searched {entry['searches']:,} of {entry['reference searches']:,} ({searched:.1%})"
        )
    for difference in figures["differences"]:  # type: ignore[union-attr]
        print("different:", difference)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 1 if figures["differences"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
