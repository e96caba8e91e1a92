"""Train the line scorer (:mod:`cleantext.scorer`) on labeled pages and choose its threshold.

The lines are those of ``learn/line_corpus.py``'s ``cleaned`` view: what is
left of each page after cleantext's own rules, which is what the scorer
judges. They are built here from ``--data`` (a WCXB folder: ``html/ID.html.gz``
and ``ground-truth/ID.json`` with the page's ``main_content``; by default
WCXB's development split) unless ``--corpus`` names a corpus already written.
Lines labeled ``boilerplate`` are furniture; ``content`` and ``mixed`` lines
are content; lines longer than ``--max-words`` are context only, as in the
step.

The model is a logistic regression over the hashed features of
:func:`cleantext.scorer.line_features`, fitted with numpy in a fixed order
(the same corpus gives the same model) on the ``train`` split. Words, word
pairs and letter 3-grams seen on fewer than ``--min-domains`` of the
training domains are left out, so the model learns what many sites share,
not one site's vocabulary (at run time they are still there, in the hashed
buckets they share with other features, so the figures below are taken with
every feature, as the step sees them). The threshold is the lowest score
that keeps at least ``--content-kept`` (default 0.995) of the content lines
of the ``tune`` split, whose domains training never saw. The model file records the script's
version, the corpus's checksum, the options, and the figures on both splits.

Usage: ``python learn/train_scorer.py -o rules/line-scorer.json [--data DIR | --corpus FILE] [--jobs N]``
(needs numpy: ``pip install -e '.[learn]'``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "learn"))

import line_corpus  # noqa: E402

from cleantext.scorer import (  # noqa: E402
    LEXICAL_PREFIXES,
    LineScorer,
    encode,
    fit,
    line_features,
    probabilities,
    text_words,
    threshold_for,
)
from cleantext.strip import at_most_words  # noqa: E402

VERSION = "train_scorer 1"
MIN_DOMAINS = 3
MAX_WORDS = 40


def pages(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The corpus's rows grouped by page, in order."""
    page: list[dict[str, Any]] = []
    for row in rows:
        if page and row["page"] != page[0]["page"]:
            yield page
            page = []
        page.append(row)
    if page:
        yield page


def shared_features(train: Sequence[list[dict[str, Any]]], min_domains: int) -> frozenset[str]:
    """The lexical features found on at least ``min_domains`` domains of the training pages."""
    domains: dict[str, set[str]] = defaultdict(set)
    for page in train:
        lines = [row["text"] for row in page]
        words_in = text_words(lines)
        for index in range(len(lines)):
            for feature in line_features(lines, index, words_in):
                if feature.startswith(LEXICAL_PREFIXES):
                    domains[feature].add(page[0]["domain"])
    return frozenset(feature for feature, seen in domains.items() if len(seen) >= min_domains)


def split_arrays(
    split_pages: Sequence[list[dict[str, Any]]], keep: frozenset[str] | None, max_words: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature ids, offsets and labels (1: furniture) of the lines the step would judge.

    ``keep``: the lexical features to keep (None: all, as the step sees them).
    """
    all_ids, all_offsets = encode(([row["text"] for row in page] for page in split_pages), keep)
    ids: list[int] = []
    offsets = [0]
    labels = []
    rows = (row for page in split_pages for row in page)
    for number, row in enumerate(rows):
        if not at_most_words(row["text"], max_words):
            continue
        ids.extend(all_ids[all_offsets[number] : all_offsets[number + 1]])
        offsets.append(len(ids))
        labels.append(1.0 if row["label"] == "boilerplate" else 0.0)
    return np.asarray(ids, dtype=np.int64), np.asarray(offsets, dtype=np.int64), np.asarray(labels)


def train(
    rows: Iterable[dict[str, Any]],
    *,
    content_kept: float = 0.995,
    min_domains: int = MIN_DOMAINS,
    max_words: int = MAX_WORDS,
) -> LineScorer:
    """A scorer trained on the ``train`` rows, its threshold chosen on the ``tune`` rows."""
    digest = hashlib.sha256()
    by_split: dict[str, list[list[dict[str, Any]]]] = {"train": [], "tune": []}
    for page in pages(rows):
        for row in page:
            digest.update(json.dumps(row, sort_keys=True, ensure_ascii=False).encode("utf-8"))
        by_split.setdefault(page[0]["split"], []).append(page)
    if not by_split["train"] or not by_split["tune"]:
        raise ValueError("the corpus needs pages of both splits, train and tune")
    keep = shared_features(by_split["train"], min_domains)
    weights, bias = fit(*split_arrays(by_split["train"], keep, max_words))
    # Judged as the step will judge: with every feature of a line.
    tune_ids, tune_offsets, tune_labels = split_arrays(by_split["tune"], None, max_words)
    tune = threshold_for(probabilities(weights, bias, tune_ids, tune_offsets), tune_labels, content_kept)
    train_ids, train_offsets, train_labels = split_arrays(by_split["train"], None, max_words)
    train_scores = probabilities(weights, bias, train_ids, train_offsets)
    at_threshold = train_scores >= tune["threshold"]
    furniture = train_labels == 1
    about = {
        "script": VERSION,
        "corpus_sha256": digest.hexdigest(),
        "options": {"content_kept": content_kept, "min_domains": min_domains, "max_words": max_words},
        "tune": tune,
        "train": {
            "content_kept": round(float(1 - at_threshold[~furniture].mean()), 6),
            "furniture_removed": round(float(at_threshold[furniture].mean()), 6),
            "lines": len(train_labels),
        },
    }
    return LineScorer(weights.astype(np.float32).tolist(), bias, tune["threshold"], about)


def main(argv: list[str] | None = None) -> int:
    """Train, choose the threshold, write the model; print what it does on both splits."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", required=True, type=Path, help="the model file to write (JSON)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", type=Path, default=line_corpus.DATA, help="a WCXB folder of labeled pages")
    source.add_argument("--corpus", type=Path, help="a cleaned-view corpus written by learn/line_corpus.py")
    parser.add_argument("--limit", type=int, help="only the first N pages (with --data)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes that clean the pages (with --data)")
    parser.add_argument("--content-kept", type=float, default=0.995, help="the share of content lines to keep")
    parser.add_argument("--min-domains", type=int, default=MIN_DOMAINS, help="domains a word must be seen on")
    parser.add_argument("--max-words", type=int, default=MAX_WORDS, help="longer lines are not judged")
    args = parser.parse_args(argv)
    if not 0 < args.content_kept <= 1:
        parser.error("--content-kept is a share of the content lines: more than 0, at most 1")
    if args.corpus:
        rows = line_corpus.read(args.corpus)
    else:
        rows = list(line_corpus.corpus(args.data, args.limit, "cleaned", args.jobs))
    try:
        scorer = train(rows, content_kept=args.content_kept, min_domains=args.min_domains, max_words=args.max_words)
    except ValueError as error:
        parser.error(str(error))
    scorer.save(args.output)
    print(json.dumps({"threshold": scorer.threshold, "tune": scorer.about["tune"], "train": scorer.about["train"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
