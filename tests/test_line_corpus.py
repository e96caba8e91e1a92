"""learn/line_corpus.py: real pages' visible lines, labeled by their main content, split by domain."""

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "learn"))

import line_corpus  # noqa: E402

PAGE = """<html><head><title>Storm</title><style>p { color: red }</style></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<!-- a comment -->
<h1>Storm floods the coast</h1>
<p>The storm reached the coast on Monday night, bringing <b>winds</b> of 120 km/h.</p>
<p>Sign up for our newsletter<br>and get the news first.</p>
<script>track("page")</script>
<footer>© 2026 Example News. The storm reached the coast</footer>
</body></html>"""
TRUTH = {
    "url": "https://www.example.com/storm",
    "_internal": {"page_type": {"primary": "article"}},
    "ground_truth": {
        "main_content": "Storm floods the coast\n\nThe storm reached the coast on Monday night, "
        "bringing winds of 120 km/h."
    },
}


def write_wcxb(folder, pages):
    (folder / "html").mkdir(parents=True)
    (folder / "ground-truth").mkdir()
    for page_id, (html, truth) in pages.items():
        (folder / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))
        (folder / "ground-truth" / f"{page_id}.json").write_text(json.dumps(truth), encoding="utf-8")


def test_lines_are_what_a_reader_sees_labeled_by_the_main_content():
    rows = list(line_corpus.page_rows("0001", PAGE, TRUTH))
    assert [(row["text"], row["label"]) for row in rows] == [
        ("Home News", "boilerplate"),
        ("Storm floods the coast", "content"),
        ("The storm reached the coast on Monday night, bringing winds of 120 km/h.", "content"),
        ("Sign up for our newsletter", "boilerplate"),
        ("and get the news first.", "boilerplate"),
        ("© 2026 Example News. The storm reached the coast", "mixed"),
    ]
    assert {(row["domain"], row["type"], row["lines"]) for row in rows} == {("example.com", "article", 6)}


def test_the_corpus_is_the_same_bytes_on_every_run_and_splits_by_domain(tmp_path):
    pages = {
        "0001": (PAGE, TRUTH),
        "0002": (PAGE, {**TRUTH, "url": "https://example.com/other"}),
        **{f"1{n:03d}": (PAGE, {**TRUTH, "url": f"https://site{n}.example/a"}) for n in range(20)},
    }
    write_wcxb(tmp_path / "wcxb", pages)
    outputs = [tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"]
    for output in outputs:
        assert line_corpus.main(["--data", str(tmp_path / "wcxb"), "-o", str(output)]) == 0
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    with gzip.open(outputs[0]) as handle:
        rows = [json.loads(line) for line in handle]
    split_of_domain = {}
    for row in rows:
        assert split_of_domain.setdefault(row["domain"], row["split"]) == row["split"]
    assert set(split_of_domain.values()) == {"train", "tune"}


def test_the_cleaned_view_is_cleantexts_output_labeled_the_same_way():
    rows = line_corpus.page_rows("0001", PAGE, TRUTH, view="cleaned")
    texts = [row["text"] for row in rows]
    # The navigation, the script and the footer are gone; what is left is labeled by the main content.
    assert "Home News" not in texts
    assert ("The storm reached the coast on Monday night, bringing winds of 120 km/h.", "content") in [
        (row["text"], row["label"]) for row in rows
    ]
    assert all(row["lines"] == len(rows) for row in rows)
