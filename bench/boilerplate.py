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

The "without" snippets are cut out of longer lines (WCXB's are 3-8 words by
design), so inserted as they are they make fragments no page holds ("Published
since September 1843 to take part in"). A second run inserts, in their place,
the whole lines they stand in on their own page: each page's HTML is split into
the lines a text extraction gives (one per block element), and a snippet takes
the line that holds it, or the run of up to four lines it spans.

Run: ``python bench/boilerplate.py`` (``--help`` for options).
"""

from __future__ import annotations

import argparse
import glob
import gzip
import json
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

import lxml.etree
import lxml.html
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


# Elements that start a new line in a text extraction; the rest run on in their parent's line.
BLOCK_TAGS = frozenset(
    """address article aside blockquote body br caption center dd div dl dt fieldset figcaption figure footer
    form h1 h2 h3 h4 h5 h6 header hr html label legend li main nav ol option p pre section select table td th
    tr ul""".split()  # noqa: SIM905
)
SILENT_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe"})
SPAN_MAX_LINES = 4


def page_lines(html: bytes) -> list[str]:
    """The text of a page as an extraction without boilerplate removal gives it: one line per block element."""
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    lines: list[str] = []
    pieces: list[str] = []

    def line_break() -> None:
        line = " ".join("".join(pieces).split())
        if line:
            lines.append(line)
        pieces.clear()

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag not in SILENT_TAGS:
            if tag in BLOCK_TAGS:
                line_break()
            pieces.append(element.text or "")
            for child in element:
                walk(child)
            if tag in BLOCK_TAGS:
                line_break()
        pieces.append(element.tail or "")

    walk(root)
    line_break()
    return lines


def whole_line(lines: list[str], snippet: str) -> str | None:
    """The line of ``lines`` that holds ``snippet``, or the shortest run of lines it spans (joined by line breaks)."""
    for count in range(1, SPAN_MAX_LINES + 1):
        for start in range(len(lines) - count + 1):
            if snippet in " ".join(lines[start : start + count]):
                return "\n".join(lines[start : start + count])
    return None


def load_whole_lines() -> tuple[dict[str, list[str]], int]:
    """The whole lines the "without" snippets stand in on their own pages, and how many snippets no line holds."""
    trafilatura = json.loads((BENCHMARKS / "trafilatura-eval-en" / "annotations-en.json").read_text(encoding="utf-8"))
    pages: list[tuple[str, Path, list[str]]] = [
        ("trafilatura-lines", BENCHMARKS / "trafilatura-eval-en" / "html" / f"{entry['file']}.gz", entry["without"])
        for entry in trafilatura.values()
        if entry.get("without")
    ]
    for path in sorted(glob.glob(str(BENCHMARKS / "wcxb-test-articles" / "ground-truth" / "*.json"))):
        truth = json.loads(Path(path).read_text(encoding="utf-8"))
        page = BENCHMARKS / "wcxb-test-articles" / "html" / f"{truth['file_id']}.html.gz"
        pages.append(("wcxb-lines", page, truth["ground_truth"].get("without", [])))
    pools: dict[str, set[str]] = defaultdict(set)
    unfound = 0
    for source, page, snippets in pages:
        lines = page_lines(gzip.decompress(page.read_bytes()))
        for snippet in snippets:
            if not snippet.strip():
                continue
            line = whole_line(lines, " ".join(snippet.split()))
            if line is None:
                unfound += 1
            else:
                pools[source].add(line)
    return {source: sorted(lines) for source, lines in sorted(pools.items())}, unfound


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


class Score:
    """What one run counted: inserted lines removed per source, gold sentences kept, offsets checked."""

    def __init__(self) -> None:
        self.removed: Counter[str] = Counter()
        self.total: Counter[str] = Counter()
        self.misses: Counter[str] = Counter()
        self.damaged: Counter[str] = Counter()
        self.sentences_total = self.sentences_kept = self.offsets_ok = self.documents = 0

    @property
    def recall(self) -> float:
        return sum(self.removed.values()) / sum(self.total.values())

    @property
    def precision(self) -> float:
        return self.sentences_kept / self.sentences_total


def measure(
    pipeline: Pipeline, documents: dict[str, str], snippets: dict[str, list[str]], args: argparse.Namespace
) -> Score:
    """Clean every gold body with boilerplate from ``snippets`` and the templates inserted, and score it."""
    rng = random.Random(args.seed)
    strip_rules = {rule.id for rule in pipeline.rules if rule.stage == "strip"}
    score = Score()
    for body in documents.values():
        text, inserted, sentences = build_document(body, rng, snippets, args.per_position)
        result = pipeline.clean(text)
        score.documents += 1
        try:
            assert_provenance(result, text)
            score.offsets_ok += 1
        except AssertionError:
            pass
        strip_spans = [e.src for e in result.edits if strip_rules.intersection(e.rules)]
        for start, end, source, line in inserted:
            score.total[source] += 1
            out_start, out_end = result.output_span(start, end)
            if out_start == out_end:
                score.removed[source] += 1
            else:
                score.misses[f"[{source}] {line}"] += 1
        for start, end, sentence in sentences:
            if not WORD.search(sentence):
                continue  # separators such as '___' carry no sentence
            score.sentences_total += 1
            if any(s < end and start < e for s, e in strip_spans):
                score.damaged[sentence[:100]] += 1
            else:
                score.sentences_kept += 1
    return score


def report(title: str, score: Score, misses: int) -> dict[str, object]:
    """Print one run's table, targets, misses and touched sentences; return its figures."""
    print(f"\n## {title}\n")
    print(f"{'source':<24}{'inserted':>10}{'removed':>10}{'recall':>9}")
    recall_by_source = {}
    for source in sorted(score.total):
        recall = score.removed[source] / score.total[source]
        recall_by_source[source] = round(recall, 4)
        print(f"{source:<24}{score.total[source]:>10}{score.removed[source]:>10}{recall:>9.3f}")
    print(f"{'all':<24}{sum(score.total.values()):>10}{sum(score.removed.values()):>10}{score.recall:>9.3f}")
    print(f"\nremoval recall {score.recall:.3f} (target >= 0.95)")
    print(
        f"content precision {score.precision:.4f}: {score.sentences_kept} of {score.sentences_total} gold sentences "
        "intact (target >= 0.995)"
    )
    print(f"offsets slice the input to the removed text in {score.offsets_ok} of {score.documents} documents")
    print(f"\nthe {misses} most frequent misses:")
    for line, count in score.misses.most_common(misses):
        print(f"  {count:>3}  {line[:110]}".replace("\n", " / "))
    print("\ngold sentences touched by a strip rule:")
    for sentence, count in score.damaged.most_common(misses):
        print(f"  {count:>3}  {sentence}")
    return {
        "recall": recall_by_source,
        "inserted": dict(sorted(score.total.items())),
        "removed": {source: score.removed[source] for source in sorted(score.total)},
        "removal_recall": round(score.recall, 4),
        "content_precision": round(score.precision, 4),
        "sentences_total": score.sentences_total,
        "sentences_kept": score.sentences_kept,
        "documents": score.documents,
        "offsets_ok": score.offsets_ok,
        "misses": score.misses.most_common(misses),
        "damaged": score.damaged.most_common(misses),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--per-position", type=int, default=3, help="at most this many lines at each place")
    parser.add_argument("--misses", type=int, default=10, help="how many of the most frequent misses to print")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--enable", action="append", default=[], metavar="ID", help="rules to turn on (repeatable)")
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="ID",
        help="also measure with this optional rule turned on, in the same run (repeatable)",
    )
    parser.add_argument(
        "--pools",
        choices=["snippets", "lines", "both"],
        default="both",
        help="insert the 'without' snippets as given, the whole lines they stand in on their pages, or both runs",
    )
    args = parser.parse_args(argv)

    pipeline = Pipeline.load(enable=args.enable)
    documents = load_gold()
    enabled = f", enabled: {', '.join(args.enable)}" if args.enable else ""
    print(f"documents: {len(documents)} (gold bodies of article-extraction-benchmark), seed {args.seed}{enabled}")
    figures: dict[str, object] = {
        "seed": args.seed,
        "documents": len(documents),
        "per_position": args.per_position,
        "enabled": args.enable,
    }
    runs: dict[str, dict[str, list[str]]] = {}
    if args.pools in ("snippets", "both"):
        runs["snippets"] = snippets = load_snippets()
        score = measure(pipeline, documents, snippets, args)
        figures["snippets"] = {
            **report("the 'without' snippets as given", score, args.misses),
            "pools": {source: len(lines) for source, lines in snippets.items()},
        }
    if args.pools in ("lines", "both"):
        pools, unfound = load_whole_lines()
        runs["lines"] = pools
        sizes = ", ".join(f"{len(lines)} {source}" for source, lines in pools.items())
        score = measure(pipeline, documents, pools, args)
        title = f"the whole lines the snippets stand in ({sizes}; {unfound} snippets in no line of their page)"
        figures["lines"] = {
            **report(title, score, args.misses),
            "pools": {source: len(lines) for source, lines in pools.items()},
            "unfound": unfound,
        }
    figures["also"] = {}
    for rule_id in args.also:
        optional = Pipeline.load(enable=[*args.enable, rule_id])
        figures["also"][rule_id] = also = {}
        for run, pool in runs.items():
            score = measure(optional, documents, pool, args)
            also[run] = {"removal_recall": round(score.recall, 4), "content_precision": round(score.precision, 4)}
            print(f"\nwith {rule_id} on, {run}: {also[run]}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
