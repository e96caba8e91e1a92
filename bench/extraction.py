"""Article extraction quality: cleantext on HTML pages against trafilatura alone, same run.

Two benchmarks from ``../shared/benchmarks``:

- article-extraction-benchmark (Zyte): 181 news pages and their human-annotated
  article bodies. Metric as upstream describes it: 4-token shingles over
  ``\\w+`` tokens, per page TP/FP/FN normalized to sum 1, macro precision and
  recall, F1 of the two. The published trafilatura 2.0.0 outputs are scored
  too, to check this implementation against the published 0.958.
- WCXB test articles: 257 pages (one with an empty truth, skipped). The same
  shingle metric, plus WCXB's own: bag-of-words F1 of lower-cased ``\\w+``
  tokens per page, averaged, and the share of its ``with`` snippets found and
  ``without`` snippets leaked.

Usage: ``python bench/extraction.py [--limit N] [--jobs N] [--json FILE]``
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import trafilatura

from cleantext.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
AEB = BENCHMARKS / "article-extraction-benchmark"
WCXB = BENCHMARKS / "wcxb-test-articles"
TOKEN = re.compile(r"\w+")

Extractor = Callable[[bytes], str]


def shingle_counts(true: str, predicted: str, n: int = 4) -> tuple[float, float, float]:
    """TP, FP and FN of 4-token shingles, normalized to sum 1 (all zero when both are empty)."""
    true_shingles, predicted_shingles = _shingles(true, n), _shingles(predicted, n)
    tp = sum((true_shingles & predicted_shingles).values())
    fp = sum((predicted_shingles - true_shingles).values())
    fn = sum((true_shingles - predicted_shingles).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _shingles(text: str, n: int) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_scores(counts: Iterable[tuple[float, float, float]]) -> dict[str, float]:
    """Macro precision and recall over pages (a page with nothing predicted has precision 0), and F1."""
    counts = list(counts)
    precision = statistics.fmean(tp / (tp + fp) if tp + fp else 0.0 for tp, fp, _ in counts)
    recall = statistics.fmean(tp / (tp + fn) if tp + fn else 0.0 for tp, _, fn in counts)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall)}


def bag_of_words_f1(true: str, predicted: str) -> float:
    """WCXB's page score: F1 of the lower-cased word multisets."""
    true_words = Counter(w.lower() for w in TOKEN.findall(true))
    predicted_words = Counter(w.lower() for w in TOKEN.findall(predicted))
    common = sum((true_words & predicted_words).values())
    if not common:
        return 0.0
    precision, recall = common / sum(predicted_words.values()), common / sum(true_words.values())
    return 2 * precision * recall / (precision + recall)


def _squeeze(text: str) -> str:
    return " ".join(TOKEN.findall(text.lower()))


def aeb_pages(limit: int | None) -> list[tuple[str, bytes, str]]:
    """(id, HTML bytes, true article body) of the Zyte benchmark."""
    truth = json.loads((AEB / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit]
    return [(i, gzip.decompress((AEB / "html" / f"{i}.html.gz").read_bytes()), truth[i]["articleBody"]) for i in ids]


def wcxb_pages(limit: int | None) -> list[tuple[str, bytes, dict[str, object]]]:
    """(id, HTML bytes, ground truth) of the WCXB articles with a non-empty main content."""
    pages = []
    for path in sorted((WCXB / "ground-truth").glob("*.json"))[:limit]:
        truth = json.loads(path.read_text(encoding="utf-8"))["ground_truth"]
        if (truth["main_content"] or "").strip():
            html = gzip.decompress((WCXB / "html" / f"{path.stem}.html.gz").read_bytes())
            pages.append((path.stem, html, truth))
    return pages


_pipelines: dict[str, Pipeline] = {}


def extract_cleantext(page: bytes) -> str:
    """cleantext's default pipeline on the page."""
    if "default" not in _pipelines:
        _pipelines["default"] = Pipeline.load(input_format="html")
    return _pipelines["default"].clean(page).text


def extract_cleantext_style_neutral(page: bytes) -> str:
    """cleantext without the names and units packs, whose canonical spellings the truth does not use."""
    if "neutral" not in _pipelines:
        _pipelines["neutral"] = Pipeline.load(input_format="html", disable=["names", "units"])
    return _pipelines["neutral"].clean(page).text


def extract_cleantext_scored(page: bytes) -> str:
    """cleantext with the optional learned line scorer on (trained on wcxb-dev only)."""
    if "scored" not in _pipelines:
        _pipelines["scored"] = Pipeline.load(input_format="html", enable=["scorer.boilerplate"])
    return _pipelines["scored"].clean(page).text


def extract_cleantext_confirming(page: bytes) -> str:
    """cleantext with the optional extract.unconfirmed on (a second, precision-favouring run of trafilatura)."""
    if "confirming" not in _pipelines:
        _pipelines["confirming"] = Pipeline.load(input_format="html", enable=["extract.unconfirmed"])
    return _pipelines["confirming"].clean(page).text


def extract_trafilatura(page: bytes) -> str:
    """trafilatura alone, with its defaults (what upstream benchmarks)."""
    return trafilatura.extract(page) or ""


def extract_trafilatura_as_cleantext(page: bytes) -> str:
    """trafilatura with the options cleantext passes it, before any rule."""
    from cleantext.decode import decode
    from cleantext.extract import extract_article

    return extract_article(decode(page)[0]).body


EXTRACTORS: dict[str, Extractor] = {
    "cleantext": extract_cleantext,
    "cleantext without names and units": extract_cleantext_style_neutral,
    "cleantext with the line scorer on": extract_cleantext_scored,
    "cleantext with extract.unconfirmed on": extract_cleantext_confirming,
    "trafilatura (defaults)": extract_trafilatura,
    "trafilatura (cleantext's options, no rules)": extract_trafilatura_as_cleantext,
}


def warm_up_pages() -> list[bytes]:
    """The five seeds as article pages (a paragraph per block): what every worker runs every extractor
    on before the timing starts, so that loading the rules, compiling the patterns the pages select
    and starting the extraction's worker process are not timed on the first pages."""
    pages = []
    for seed in sorted((ROOT / "seeds").glob("0*_????????????????.txt")):
        blocks = [html.escape(block.strip()) for block in seed.read_text(encoding="utf-8").split("\n\n")]
        body = "".join(f"<p>{block}</p>" for block in blocks if block)
        pages.append(f"<html><head><title>{seed.stem}</title></head><body><article>{body}</article></body></html>")
    return [page.encode("utf-8") for page in pages]


def _warm_up() -> None:
    for page in warm_up_pages():
        for extractor in EXTRACTORS.values():
            extractor(page)


TIMED_ROUNDS = 3
"""The extractors take turns over the pages this many times, a pass of each a round; the median
pass counts: one pass each, in a row, swung the ratios by half on a machine whose speed drifts."""


def run_all(pages: list[bytes], jobs: int) -> tuple[dict[str, list[str]], dict[str, float]]:
    """Every extractor's output for every page, and its median seconds over :data:`TIMED_ROUNDS`
    rounds (each worker warmed up first)."""
    outputs: dict[str, list[str]] = {}
    times: dict[str, list[float]] = {name: [] for name in EXTRACTORS}
    with ProcessPoolExecutor(max_workers=jobs, initializer=_warm_up) as pool:
        list(pool.map(abs, range(jobs * 4)))  # every worker started, and warmed up, before the clock runs
        for _ in range(TIMED_ROUNDS):
            for name, extractor in EXTRACTORS.items():
                started = time.perf_counter()
                outputs[name] = list(pool.map(extractor, pages, chunksize=4))
                times[name].append(time.perf_counter() - started)
    return outputs, {name: statistics.median(seconds) for name, seconds in times.items()}


def aeb_figures(limit: int | None, jobs: int) -> dict[str, Any]:
    """Score every extractor, and trafilatura 2.0.0's published outputs, on the Zyte benchmark."""
    pages = aeb_pages(limit)
    outputs, seconds = run_all([html for _, html, _ in pages], jobs)
    published = json.loads((AEB / "baseline-outputs" / "trafilatura.json").read_text(encoding="utf-8"))["output"]
    outputs["trafilatura 2.0.0 (published outputs)"] = [published[i]["articleBody"] for i, _, _ in pages]
    rows = {}
    for name, texts in outputs.items():
        scores = shingle_scores(shingle_counts(truth, text) for (_, _, truth), text in zip(pages, texts, strict=True))
        rows[name] = {**scores, "seconds": seconds.get(name)}
    return {"pages": len(pages), "rows": rows}


def aeb_table(figures: dict[str, Any]) -> str:
    """The Zyte benchmark's figures as a Markdown table under a heading."""
    lines = [
        f"### article-extraction-benchmark ({figures['pages']} pages)",
        "",
        "| extractor | precision | recall | F1 | seconds | x trafilatura's time |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in figures["rows"].items():
        spent = "-" if row["seconds"] is None else f"{row['seconds']:.1f}"
        lines.append(
            f"| {name} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {spent} "
            f"| {time_ratio(figures['rows'], name)} |"
        )
    return "\n".join(lines)


BASE_TIME = "trafilatura (defaults)"
"""The extractor whose seconds the others' are divided by."""


def time_ratio(rows: dict[str, Any], name: str) -> str:
    """An extractor's seconds over trafilatura's with its defaults, as a table cell ("-": not timed)."""
    spent, base = rows[name].get("seconds"), rows.get(BASE_TIME, {}).get("seconds")
    return "-" if spent is None or not base else f"{spent / base:.2f}"


def wcxb_figures(limit: int | None, jobs: int) -> dict[str, Any]:
    """Score every extractor on the WCXB test articles: shingles, word F1, snippets found and leaked."""
    pages = wcxb_pages(limit)
    outputs, seconds = run_all([html for _, html, _ in pages], jobs)
    truths = [truth for _, _, truth in pages]
    rows = {}
    for name, texts in outputs.items():
        scores = shingle_scores(shingle_counts(t["main_content"], text) for t, text in zip(truths, texts, strict=True))
        word_f1 = statistics.fmean(
            bag_of_words_f1(t["main_content"], text) for t, text in zip(truths, texts, strict=True)
        )
        found = leaked = with_total = without_total = 0
        for truth, text in zip(truths, texts, strict=True):
            squeezed = _squeeze(text)
            found += sum(_squeeze(s) in squeezed for s in truth["with"])
            leaked += sum(_squeeze(s) in squeezed for s in truth["without"])
            with_total += len(truth["with"])
            without_total += len(truth["without"])
        rows[name] = {
            **scores,
            "word_f1": word_f1,
            "with_found": found / with_total,
            "without_leaked": leaked / without_total,
            "seconds": seconds[name],
        }
    return {"pages": len(pages), "rows": rows}


def wcxb_table(figures: dict[str, Any]) -> str:
    """The WCXB figures as a Markdown table under a heading."""
    lines = [
        f"### wcxb-test-articles ({figures['pages']} pages with a main content)",
        "",
        "| extractor | shingle P | shingle R | shingle F1 | word F1 | `with` found | `without` leaked | seconds "
        "| x trafilatura's time |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in figures["rows"].items():
        lines.append(
            f"| {name} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} | {row['word_f1']:.3f} "
            f"| {row['with_found']:.3f} | {row['without_leaked']:.3f} | {row['seconds']:.1f} "
            f"| {time_ratio(figures['rows'], name)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N pages of each benchmark")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    print(f"trafilatura {trafilatura.__version__}")
    figures = {"trafilatura": trafilatura.__version__, "aeb": aeb_figures(args.limit, args.jobs)}
    print("\n" + aeb_table(figures["aeb"]))
    figures["wcxb"] = wcxb_figures(args.limit, args.jobs)
    print("\n" + wcxb_table(figures["wcxb"]))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
