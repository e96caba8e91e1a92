"""Same output: the plan with triggers against every step evaluated, on every corpus we have.

For each document the default pipeline runs twice, with ``triggers="on"``
(steps whose trigger does not hold are skipped) and ``triggers="off"`` (the
reference: every step evaluated), and the two results must be identical in
text, edits and metadata. It also counts the (step, document) evaluations
each mode makes, which is the fraction the pre-pass lets through.

Corpora: the seeds, the gold article bodies of the Zyte benchmark, the HTML
pages of WCXB dev and test, trafilatura-eval and the readability pages
(extracted, then cleaned), the boilerplate benchmark's documents (gold bodies
with boilerplate lines put in, as ``bench/boilerplate.py`` builds them) and the
fuzz corpora. Run: ``python bench/same_output.py`` (``--quick``: a sample;
``--json FILE``: the figures for ``bench/report.py``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

import boilerplate  # noqa: E402

from cleantext import Pipeline  # noqa: E402
from cleantext.errors import InputError  # noqa: E402

BENCHMARKS = ROOT.parent / "shared" / "benchmarks"


def corpora(quick: bool = False) -> Iterator[tuple[str, str, bytes | str]]:
    """``(corpus, name, data)`` for every document of every corpus (every tenth with ``quick``)."""
    step = 10 if quick else 1
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


def outcome(pipeline: Pipeline, name: str, data: bytes | str) -> tuple[object, int]:
    """What cleaning gives (text, edits, metadata, warnings, or the error) and the step evaluations it took."""
    try:
        result = pipeline.clean(data, name=name)
    except InputError as error:
        return ("error", str(error)), 0
    evaluations = sum(timing.evaluations for label, timing in result.timings.items() if label != "extract")
    edits = [(e.src, e.after, e.rules) for e in result.edits]
    return (result.text, edits, dict(result.metadata), list(result.warnings)), evaluations


def compare(quick: bool = False) -> dict[str, object]:
    """Run both modes over every corpus; the differences and the counts of evaluations per corpus."""
    on, off = Pipeline.load(triggers="on"), Pipeline.load(triggers="off")
    figures: dict[str, dict[str, int]] = {}
    differences: list[str] = []
    for corpus, name, data in corpora(quick):
        with_triggers, evaluated = outcome(on, name, data)
        reference, every = outcome(off, name, data)
        entry = figures.setdefault(corpus, {"documents": 0, "different": 0, "evaluations": 0, "reference": 0})
        entry["documents"] += 1
        entry["evaluations"] += evaluated
        entry["reference"] += every
        if with_triggers != reference:
            entry["different"] += 1
            differences.append(f"{corpus}/{name}")
    return {"corpora": figures, "differences": differences}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="every tenth document of each corpus")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    figures = compare(args.quick)
    for corpus, entry in figures["corpora"].items():  # type: ignore[union-attr]
        share = entry["evaluations"] / entry["reference"] if entry["reference"] else 0.0
        print(
            f"{corpus:18} {entry['documents']:5} documents, {entry['different']} different; "
            f"step evaluations {entry['evaluations']:,} of {entry['reference']:,} ({share:.1%})"
        )
    for difference in figures["differences"]:  # type: ignore[union-attr]
        print("different:", difference)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 1 if figures["differences"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
