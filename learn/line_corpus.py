"""The labeled line corpus: every line of the visible text of real pages, labeled content or boilerplate.

It is what a line scorer learns from (and nothing held out goes into it): by
default the development split of WCXB, ``../shared/benchmarks/wcxb-dev``
(1,358 real pages of about 1,180 domains, each with its reviewed main
content). Each page's HTML becomes the lines a reader sees (block elements
and ``<br>`` end a line; scripts, styles and comments are not text), and
each line is labeled by the page's main content:

- ``content``: a line of three words or more whose words occur, in order, in
  the main content (with the page's title, which cleantext keeps); or a
  shorter line equal to a line of the main content (a subheading, a name);
- ``boilerplate``: a line none of whose 3-word runs occurs in the main
  content (a shorter one: not a line of the main content);
- ``mixed``: the rest (part of it is content); kept, so a learner can choose.

Rows are JSON Lines, in page order then line order, with the page id, its
domain and page type, the line's index and the page's line count, the line,
its label, and the split: pages are split by domain (a domain's pages are
all ``train`` or all ``tune``, about one domain in five tunes), so tuning sees
only sites training did not. The output is the same on every run.

Two views of a page (``--view``): ``visible``, every line a reader sees on it
(above), and ``cleaned``, the lines of cleantext's own output for it (the
default pipeline, HTML input, with the line scorer off): what is left for a
line scorer to judge, and what ``learn/train_scorer.py`` learns from.

Usage: ``python learn/line_corpus.py -o lines.jsonl.gz [--data DIR] [--view visible|cleaned] [--limit N] [--jobs N]``
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleantext import Pipeline  # noqa: E402
from cleantext.errors import CleantextError  # noqa: E402
from cleantext.sites import site_of  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "wcxb-dev"
TUNE_SHARE = 5
"""One domain in this many goes to the tuning split."""

BLOCK_TAGS = frozenset(
    """address article aside blockquote body br caption dd details dialog div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol option p pre section summary table tbody td tfoot th
    thead title tr ul""".split()  # noqa: SIM905
)
INVISIBLE_TAGS = ("script", "style", "noscript", "template", "head")
VIEWS = ("visible", "cleaned")
_WORD = re.compile(r"\w+")


def visible_lines(html: str) -> list[str]:
    """The lines a reader sees on a page: block elements and ``<br>`` break lines; blank lines dropped.

    >>> visible_lines("<html><body><nav>Home</nav><p>Tom <b>met</b> Jerry.</p><script>x()</script></body></html>")
    ['Home', 'Tom met Jerry.']
    """
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    # Listed first: dropping an element while iterating over the tree skips its neighbours.
    for element in [*tree.iter(*INVISIBLE_TAGS), *tree.iter(lxml.etree.Comment)]:
        element.drop_tree()
    for element in tree.iter(*BLOCK_TAGS):
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().split("\n"))
    return [line for line in lines if line]


@lru_cache(maxsize=1)  # one pipeline per process
def _pipeline() -> Pipeline:
    # No time limit: a loaded machine must not change the corpus.
    return Pipeline.load(disable=["scorer"], timeout=None)


def cleaned_lines(html: str) -> list[str] | None:
    """The non-blank lines of cleantext's output for a page (the default pipeline, the line scorer off);
    None when cleantext refuses the page."""
    try:
        text = _pipeline().clean(html, input_format="html").text
    except CleantextError:
        return None
    return [line for line in text.split("\n") if line.strip()]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def label(line: str, content_text: str, content_lines: set[str]) -> str:
    """``content``, ``boilerplate`` or ``mixed``, by the main content (see the module's docstring).

    >>> main = "Storm floods the coast\\n\\nThe storm reached the coast on Monday night."
    >>> lines = {" ".join(_words(line)) for line in main.split("\\n")}
    >>> [label(line, " " + " ".join(_words(main)) + " ", lines)
    ...  for line in ("The storm reached the coast", "Sign up for our newsletter", "Storm floods the coast", "Home")]
    ['content', 'boilerplate', 'content', 'boilerplate']
    """
    words = _words(line)
    if not words:
        return "boilerplate"
    joined = " ".join(words)
    if len(words) < 3:
        return "content" if joined in content_lines else "boilerplate"
    if f" {joined} " in content_text:
        return "content"
    runs = [" ".join(words[i : i + 3]) for i in range(len(words) - 2)]
    found = sum(f" {run} " in content_text for run in runs)
    return "boilerplate" if not found else "mixed"


def split_of(domain: str) -> str:
    """``train`` or ``tune``, by a stable hash of the domain."""
    digest = int(hashlib.blake2b(domain.encode("utf-8"), digest_size=8).hexdigest(), 16)
    return "tune" if digest % TUNE_SHARE == 0 else "train"


def page_rows(page_id: str, html: str, truth: dict[str, Any], view: str = "visible") -> list[dict[str, Any]]:
    """The labeled lines of one page, in the given view (``visible`` or ``cleaned``).

    The page's title counts as main content: WCXB keeps it apart, and cleantext keeps the headline.
    """
    ground_truth = truth["ground_truth"]
    main = "\n".join(part for part in (ground_truth.get("title"), ground_truth.get("main_content")) if part)
    content_text = " " + " ".join(_words(main)) + " "
    content_lines = {" ".join(_words(line)) for line in main.split("\n")} - {""}
    domain = site_of(truth.get("url") or page_id)
    lines = visible_lines(html) if view == "visible" else cleaned_lines(html)
    if lines is None:
        print(f"{page_id}: cleantext refused the page; it has no lines", file=sys.stderr)
        lines = []
    page_type = truth.get("_internal", {}).get("page_type", {}).get("primary")
    return [
        {
            "page": page_id,
            "domain": domain,
            "type": page_type,
            "split": split_of(domain),
            "index": index,
            "lines": len(lines),
            "text": line,
            "label": label(line, content_text, content_lines),
        }
        for index, line in enumerate(lines)
    ]


def _rows_of_file(task: tuple[Path, str]) -> list[dict[str, Any]]:
    path, view = task
    truth = json.loads(path.read_text(encoding="utf-8"))
    html = gzip.decompress((path.parent.parent / "html" / f"{path.stem}.html.gz").read_bytes())
    return page_rows(path.stem, html.decode("utf-8", "replace"), truth, view)


def corpus(data: Path, limit: int | None = None, view: str = "visible", jobs: int = 1) -> Iterator[dict[str, Any]]:
    """Every row of every page of ``data`` (a WCXB folder: ``html/ID.html.gz``, ``ground-truth/ID.json``), in order.

    ``jobs``: worker processes (the ``cleaned`` view runs the pipeline on every page).
    """
    tasks = [(path, view) for path in sorted((data / "ground-truth").glob("*.json"))[:limit]]
    if jobs <= 1:
        for task in tasks:
            yield from _rows_of_file(task)
        return
    with ProcessPoolExecutor(jobs) as pool:
        for rows in pool.map(_rows_of_file, tasks, chunksize=8):
            yield from rows


def read(path: Path) -> list[dict[str, Any]]:
    """The rows of a corpus file this script wrote (``.jsonl`` or ``.jsonl.gz``)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def main(argv: list[str] | None = None) -> int:
    """Write the corpus; print its counts by split and label."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", required=True, type=Path, help="the corpus (.jsonl or .jsonl.gz)")
    parser.add_argument("--data", type=Path, default=DATA, help=f"a WCXB folder (default {DATA})")
    parser.add_argument("--view", choices=VIEWS, default="visible", help="the lines a reader sees, or cleantext's")
    parser.add_argument("--limit", type=int, help="only the first N pages")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    args = parser.parse_args(argv)
    counts: dict[tuple[str, str], int] = {}
    # gzip without a timestamp: the same corpus gives the same bytes.
    binary = open(args.output, "wb")  # noqa: SIM115 (closed by the with below, through the gzip layer or not)
    handle = gzip.GzipFile(fileobj=binary, mode="wb", mtime=0, filename="") if args.output.suffix == ".gz" else binary
    with binary, handle:
        for row in corpus(args.data, args.limit, args.view, args.jobs):
            handle.write((json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
            key = (row["split"], row["label"])
            counts[key] = counts.get(key, 0) + 1
    for (split, kind), count in sorted(counts.items()):
        print(f"{split:6} {kind:12} {count:>8,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
