"""Boilerplate removal, measured: real article bodies with boilerplate lines inserted.

Takes the gold article bodies of ``../shared/benchmarks/article-extraction-benchmark``
(real news text nobody here wrote), inserts boilerplate lines at the top, between
paragraphs and at the bottom with a fixed random seed, cleans the result, and
reports from the provenance alone:

- removal recall: the share of inserted lines that cleaning removed entirely;
- content precision: the share of gold sentences that no strip rule touched;
- offsets: whether every edit's ``src`` slices the input to its ``before``.

Boilerplate comes from three sources, reported apart: the "without" snippets of
``trafilatura-eval-en`` and ``wcxb-test-articles`` (real boilerplate seen on
pages), and lines made from templates of each class the strip packs handle.

Run: ``python bench/boilerplate.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleantext import Pipeline  # noqa: E402
from cleantext.testing import assert_provenance  # noqa: E402

BENCHMARKS = ROOT.parent / "shared" / "benchmarks"
WORD = regex.compile(r"\p{L}{2}")
SENTENCE_END = regex.compile(r"(?<=[.!?][\"')\]]?)\s+(?=[\"'(\[]?\p{Lu})")

NAMES = ["Anthony Solly", "Maria Lopez", "Shaun Walker", "Raphael Minder", "Jane Roe", "Olena Harmash", "Tom Balmforth"]
CITIES = ["Kyiv", "Warsaw", "London", "Paris", "Moscow", "Washington", "Berlin"]
OUTLETS = ["BBC News", "Reuters", "the Guardian", "Financial Times", "AP"]
TEMPLATES = {
    "byline": ["By {name}", "By {name} and {name2}", "By {name}, {outlet}", "by {handle}", "Posted by {name}"],
    "dateline": [
        "February 3, 2026 · 11:32 AM",
        "Tue 3 Feb 2026 09.14 GMT",
        "Published: 12 March 2025",
        "Updated 3 hours ago",
        "Last updated: 2026-02-03",
    ],
    "byline-place": ["{name} in {city}\nTue 3 Feb 2026 09.14 GMT"],
    "wire-credit": [
        "(Reporting by {name}; Editing by {name2})",
        "Additional reporting by {name} in {city}",
        "The Associated Press contributed to this report.",
    ],
    "promo": [
        "Unlock the White House Watch newsletter for free",
        "Sign up to First Edition, our free daily newsletter",
        "Click here to subscribe",
        "Subscribe to our newsletter for the latest updates",
        "Get our morning briefing in your inbox",
        "Already a subscriber? Log in",
    ],
    "disclaimer": [
        "Disclaimer: All information provided here is published in good faith for general purposes only.",
        "⚠️ Disclaimer: This article is not investment advice.",
        "Our Standards: The Thomson Reuters Trust Principles.",
    ],
    "copyright": ["Copyright 2026 {outlet}. All rights reserved.", "© 2026 {outlet}", "ALL RIGHTS RESERVED"],
    "credit": [
        "Residents shelter in a metro station in {city} © AP",
        "© {name}/X",
        "Photograph: {name}/Reuters",
        "Photo: {name}",
        "Getty Images",
        "(Photo by {name}/Getty Images)",
    ],
    "cookie": [
        "We use cookies to improve your experience. By continuing you accept our cookie policy.",
        "Accept all cookies",
    ],
    "advertisement": ["Advertisement", "ADVERTISEMENT", "Story continues below advertisement"],
    "widget": [
        "Share this article",
        "Follow us on Twitter",
        "Related Stories",
        "Read more: {name} says the talks will resume",
        "Most Read",
        "Leave a Reply",
        "5 min read",
    ],
    "navigation": [
        "HOME > WORLD > EUROPE",
        "Suggested Topics:",
        "Explore more on these topics",
        "Reuse this content",
        "Tags: Ukraine, Energy, Winter",
        "___",
        "Skip to main content",
    ],
}


def load_gold() -> dict[str, str]:
    path = BENCHMARKS / "article-extraction-benchmark" / "ground-truth.json"
    return {key: value["articleBody"] for key, value in sorted(json.loads(path.read_text(encoding="utf-8")).items())}


def load_snippets() -> dict[str, list[str]]:
    trafilatura = json.loads((BENCHMARKS / "trafilatura-eval-en" / "annotations-en.json").read_text(encoding="utf-8"))
    wcxb = []
    for path in sorted(glob.glob(str(BENCHMARKS / "wcxb-test-articles" / "ground-truth" / "*.json"))):
        wcxb.extend(json.loads(Path(path).read_text(encoding="utf-8"))["ground_truth"].get("without", []))
    clean = lambda items: sorted({" ".join(s.split()) for s in items if s and s.strip()})  # noqa: E731
    return {
        "trafilatura-without": clean(s for v in trafilatura.values() for s in v.get("without", [])),
        "wcxb-without": clean(wcxb),
    }


# Where each class stands on real pages (the strip rules are positional on purpose:
# "By Tuesday, ..." in the middle of an article is content).
PLACES = {
    "byline": ("top", "bottom"),
    "byline-place": ("top",),
    "dateline": ("top", "bottom"),
    "wire-credit": ("bottom",),
}


def synthetic_line(rng: random.Random, place: str) -> tuple[str, str]:
    classes = [c for c in sorted(TEMPLATES) if place in PLACES.get(c, ("top", "middle", "bottom"))]
    cls = rng.choice(classes)
    name, name2 = rng.sample(NAMES, 2)
    line = rng.choice(TEMPLATES[cls]).format(
        name=name, name2=name2, outlet=rng.choice(OUTLETS), city=rng.choice(CITIES), handle=name.split()[0].lower()
    )
    return f"classes:{cls}", line


def build_document(body: str, rng: random.Random, snippets: dict[str, list[str]], per_position: int):
    """The noisy text, the spans of inserted lines, and the spans of gold sentences."""
    paragraphs = [" ".join(p.split()) for p in body.split("\n") if p.strip()]
    pick = list(snippets)

    def boilerplate(place: str) -> tuple[str, str]:
        source = rng.choice([*pick, "classes"])
        if source == "classes":
            return synthetic_line(rng, place)
        return source, rng.choice(snippets[source])

    slots: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for _ in range(rng.randint(1, per_position)):
        slots[0].append(boilerplate("top"))
    for _ in range(rng.randint(1, per_position)):
        slots[rng.randint(1, max(1, len(paragraphs) - 1))].append(boilerplate("middle"))
    for _ in range(rng.randint(1, per_position)):
        slots[len(paragraphs)].append(boilerplate("bottom"))

    parts: list[str] = []
    inserted: list[tuple[int, int, str, str]] = []
    sentences: list[tuple[int, int, str]] = []
    position = 0

    def add(text: str) -> tuple[int, int]:
        nonlocal position
        if parts:
            parts.append("\n\n")
            position += 2
        start = position
        parts.append(text)
        position += len(text)
        return start, position

    for index in range(len(paragraphs) + 1):
        for source, line in slots.get(index, []):
            start, end = add(line)
            inserted.append((start, end, source, line))
        if index < len(paragraphs):
            start, _ = add(paragraphs[index])
            offset = 0
            for sentence in SENTENCE_END.split(paragraphs[index]):
                begin = paragraphs[index].index(sentence, offset)
                sentences.append((start + begin, start + begin + len(sentence), sentence))
                offset = begin + len(sentence)
    return "".join(parts) + "\n", inserted, sentences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--per-position", type=int, default=3, help="at most this many lines at each place")
    parser.add_argument("--misses", type=int, default=10, help="how many of the most frequent misses to print")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--enable", action="append", default=[], metavar="ID", help="rules to turn on (repeatable)")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    pipeline = Pipeline.load(enable=args.enable)
    strip_rules = {rule.id for rule in pipeline.rules if rule.stage == "strip"}
    snippets = load_snippets()
    removed = Counter()
    total = Counter()
    misses: Counter[str] = Counter()
    sentences_total = sentences_kept = 0
    damaged: Counter[str] = Counter()
    offsets_ok = 0
    documents = load_gold()
    for body in documents.values():
        text, inserted, sentences = build_document(body, rng, snippets, args.per_position)
        result = pipeline.clean(text)
        try:
            assert_provenance(result, text)
            offsets_ok += 1
        except AssertionError:
            pass
        strip_spans = [e.src for e in result.edits if strip_rules.intersection(e.rules)]
        for start, end, source, line in inserted:
            total[source] += 1
            out_start, out_end = result.output_span(start, end)
            if out_start == out_end:
                removed[source] += 1
            else:
                misses[f"[{source}] {line}"] += 1
        for start, end, sentence in sentences:
            if not WORD.search(sentence):
                continue  # separators such as '___' carry no sentence
            sentences_total += 1
            if any(s < end and start < e for s, e in strip_spans):
                damaged[sentence[:100]] += 1
            else:
                sentences_kept += 1

    enabled = f", enabled: {', '.join(args.enable)}" if args.enable else ""
    print(f"documents: {len(documents)} (gold bodies of article-extraction-benchmark), seed {args.seed}{enabled}")
    print(f"{'source':<24}{'inserted':>10}{'removed':>10}{'recall':>9}")
    figures: dict[str, object] = {"seed": args.seed, "documents": len(documents), "recall": {}}
    for source in sorted(total):
        recall = removed[source] / total[source]
        figures["recall"][source] = round(recall, 4)  # type: ignore[index]
        print(f"{source:<24}{total[source]:>10}{removed[source]:>10}{recall:>9.3f}")
    overall = sum(removed.values()) / sum(total.values())
    precision = sentences_kept / sentences_total
    print(f"{'all':<24}{sum(total.values()):>10}{sum(removed.values()):>10}{overall:>9.3f}")
    print(f"\nremoval recall {overall:.3f} (target >= 0.95)")
    print(
        f"content precision {precision:.4f}: {sentences_kept} of {sentences_total} gold sentences intact "
        "(target >= 0.995)"
    )
    print(f"offsets slice the input to the removed text in {offsets_ok} of {len(documents)} documents")
    print(f"\nthe {args.misses} most frequent misses:")
    for line, count in misses.most_common(args.misses):
        print(f"  {count:>3}  {line[:110]}")
    print("\ngold sentences touched by a strip rule:")
    for sentence, count in damaged.most_common(args.misses):
        print(f"  {count:>3}  {sentence}")
    figures.update(
        removal_recall=round(overall, 4),
        content_precision=round(precision, 4),
        offsets_ok=offsets_ok,
        misses=misses.most_common(args.misses),
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
