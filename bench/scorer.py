"""The optional line scorer, measured on the development pages it was tuned on: what each threshold keeps and removes.

Builds the lines ``learn/train_scorer.py`` learns from (``learn/line_corpus.py``'s
``cleaned`` view of ``../shared/benchmarks/wcxb-dev``: what is left of each
page after cleantext's rules, labeled by the page's main content), scores
every line the step would judge with the shipped model (``rules/line-scorer.json``,
the same inference as the step), and reports, per split and threshold, the
share of content lines kept and of furniture lines removed. The ``tune``
split's domains were never trained on: its rows say what a threshold does on
sites the model has not seen. The held-out figures (boilerplate, extraction)
are in those benchmarks, with the scorer on.

Run: ``python bench/scorer.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "learn"))

import line_corpus  # noqa: E402
from train_scorer import MAX_WORDS, pages  # noqa: E402

from cleantext.rules import rules_dir  # noqa: E402
from cleantext.scorer import LineScorer  # noqa: E402
from cleantext.strip import at_most_words  # noqa: E402

THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.98, 0.99)


def measure(rows: list[dict[str, Any]], scorer: LineScorer) -> dict[str, Any]:
    """Per split: lines judged, furniture among them, and what each threshold keeps and removes."""
    scored: dict[str, list[tuple[float, bool]]] = {}
    for page in pages(rows):
        lines = [row["text"] for row in page]
        judged = [index for index, line in enumerate(lines) if at_most_words(line, MAX_WORDS)]
        for index, score in zip(judged, scorer.scores(lines, judged), strict=True):
            scored.setdefault(page[0]["split"], []).append((score, page[index]["label"] == "boilerplate"))
    figures: dict[str, Any] = {}
    for split, pairs in sorted(scored.items()):
        furniture = sum(is_furniture for _, is_furniture in pairs)
        content = len(pairs) - furniture
        rows_out = []
        for threshold in sorted({round(value, 6) for value in (*THRESHOLDS, scorer.threshold)}):
            removed_furniture = sum(score >= threshold and is_furniture for score, is_furniture in pairs)
            removed_content = sum(score >= threshold and not is_furniture for score, is_furniture in pairs)
            rows_out.append(
                {
                    "threshold": threshold,
                    "content_kept": round(1 - removed_content / content, 4) if content else 1.0,
                    "furniture_removed": round(removed_furniture / furniture, 4) if furniture else 0.0,
                }
            )
        figures[split] = {"lines": len(pairs), "furniture": furniture, "rows": rows_out}
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="a cleaned-view corpus already written (else built)")
    parser.add_argument("--limit", type=int, help="only the first N pages (when the corpus is built)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes that build the corpus (default 2)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.corpus:
        rows = line_corpus.read(args.corpus)
    else:
        rows = list(line_corpus.corpus(line_corpus.DATA, args.limit, "cleaned", args.jobs))
    scorer = LineScorer.load(rules_dir() / "line-scorer.json")
    figures = {"model_threshold": scorer.threshold, "trained": scorer.about.get("script"), **measure(rows, scorer)}
    for split in ("train", "tune"):
        if split not in figures:
            continue
        entry = figures[split]
        print(f"\n{split}: {entry['lines']:,} lines judged, {entry['furniture']:,} of them furniture")
        for row in entry["rows"]:
            mark = "  <- the model's threshold" if row["threshold"] == round(scorer.threshold, 6) else ""
            print(
                f"  threshold {row['threshold']:<9} content kept {row['content_kept']:.4f}  "
                f"furniture removed {row['furniture_removed']:.4f}{mark}"
            )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
