"""HTML input: trafilatura's article body, with offsets into the HTML that slice back to the text."""

import gzip
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleantext import clean
from cleantext.cli import main
from cleantext.document import Document
from cleantext.extract import locate_text, looks_like_html, visible_text
from cleantext.pipeline import Pipeline
from cleantext.testing import assert_provenance

AEB = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "article-extraction-benchmark" / "html"

PARAGRAPHS = [
    "Russian drones struck the power grid of Odesa overnight, leaving 200,000 homes without heating as "
    "temperatures fell to -20C, the regional governor said on Tuesday.",
    "By Tuesday morning, engineers had restored power to most of the city, but the water supply in the "
    "southern districts was still cut, and volunteers signed up for extra shifts at the heating points.",
    "Zelenskiy said the attack used more than forty drones and three missiles, and he asked allies for "
    "more air defence systems before the winter got any colder in the east.",
]
PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Odesa without heat after drone strike | The Daily</title>"
    '<meta name="author" content="Jane Doe"><meta property="article:published_time" content="2026-02-03">'
    "<script>var x = '<p>not text</p>';</script><style>p { color: red }</style></head>\n<body>"
    '<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li>Europe</li></ul></nav>'
    "<article><h1>Odesa without heat after drone strike</h1>"
    + "".join(f"<p>{p}</p>\n" for p in PARAGRAPHS)
    + "</article><footer><p>&copy; 2026 The Daily. All rights reserved.</p>"
    '<p>Follow us on <a href="#">X</a></p></footer></body></html>\n'
)


def slices_back(result):
    """Every output character outside the edits is the source character its offset names."""
    assert_provenance(result)
    for edit in result.edits:
        assert result.source[edit.src[0] : edit.src[1]] == edit.before


def test_a_page_comes_out_as_its_article_with_offsets_into_the_html():
    result = clean(PAGE)
    assert result.text == (
        "Russian drones struck the power grid of Odesa overnight, leaving 200,000 homes without heating as "
        "temperatures fell to -20 °C, the regional governor said on Tuesday.\n\n"
        + PARAGRAPHS[1]
        + "\n\n"
        + PARAGRAPHS[2].replace("Zelenskiy", "Zelenskyy")
        + "\n"
    )
    assert result.source == PAGE
    slices_back(result)
    start = result.text.index("By Tuesday morning")
    src = result.source_span(start, start + len("By Tuesday morning"))
    assert PAGE[src[0] : src[1]] == "By Tuesday morning"
    assert result.metadata["title"] == "Odesa without heat after drone strike"
    assert result.metadata["author"] == "Jane Doe"
    assert result.metadata["published"] == "2026-02-03"
    rules = {rule for edit in result.edits for rule in edit.rules}
    assert {"extract.markup", "extract.title", "units.temperature-signed", "names.zelenskyy"} <= rules


def test_the_repeated_headline_is_an_edit_of_its_own():
    result = clean(PAGE)
    titles = [edit for edit in result.edits if "extract.title" in edit.rules]
    assert len(titles) == 1
    assert titles[0].before == "Odesa without heat after drone strike</h1><p>"


def test_character_references_and_inline_tags_inside_words_are_edits():
    page = "<html><body><article><p>Tom &amp; Jerry met in <b>Ky</b>iv on Tuesday&#8217;s night.</p></article>"
    document = Document(page)
    locate_text(document, "Tom & Jerry met in Kyiv on Tuesday\u2019s night.")
    assert document.text == "Tom & Jerry met in Kyiv on Tuesday\u2019s night."
    inner = [(e.before, e.after, e.rule_ids) for e in document.edits()][1:-1]
    assert inner == [
        ("&amp;", "&", ("extract.entity",)),
        (" <b>", " ", ("extract.markup",)),
        ("</b>", "", ("extract.markup",)),
        ("&#8217;", "\u2019", ("extract.entity",)),
    ]


def test_text_that_is_not_in_the_page_is_marked_unlocated():
    document = Document("<html><body><p>Kyiv was cold on Tuesday night.</p></body></html>")
    locate_text(document, "Kyiv was cold on Tuesday night.\n\nA sentence the page never had.")
    assert document.text == "Kyiv was cold on Tuesday night.\n\nA sentence the page never had."
    last = document.edits()[-1]
    assert last.rule_ids == ("extract.unlocated",)
    assert last.after == "\n\nA sentence the page never had."
    assert last.before == "</p></body></html>"


def test_the_visible_text_skips_scripts_comments_and_keeps_words_apart():
    visible = visible_text("<p>one</p><p>two</p><!-- three --><script>four</script><span>fi</span>ve")
    assert visible.text.split() == ["one", "two", "five"]


def test_html_is_told_from_text_by_its_content():
    assert looks_like_html(PAGE)
    assert looks_like_html("<div class='story'><p>Hello</p></div>")
    assert not looks_like_html("Use <p> for paragraphs and <b> for bold.")
    assert not looks_like_html("Kyiv, Tuesday. The <html> tag starts a page.")


def test_the_command_line_reads_html_by_content_and_can_be_told(tmp_path, capsys):
    (tmp_path / "page.txt").write_text(PAGE, encoding="utf-8")
    assert main(["clean", str(tmp_path / "page.txt"), "-q"]) == 0
    assert capsys.readouterr().out.startswith("Russian drones struck")
    assert main(["clean", str(tmp_path / "page.txt"), "-q", "--input-format", "text"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")
    (tmp_path / "fragment.txt").write_text("<p>" + PARAGRAPHS[1] + "</p>", encoding="utf-8")
    assert main(["clean", str(tmp_path / "fragment.txt"), "-q", "--input-format", "html"]) == 0
    assert capsys.readouterr().out == PARAGRAPHS[1] + "\n"


def test_html_records_in_json_lines_are_extracted_one_by_one(tmp_path, capsys):
    import json

    corpus = tmp_path / "c.jsonl"
    records = [{"id": 1, "text": PAGE}, {"id": 2, "text": "Plain  text, \u201cquoted\u201d."}]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert main(["clean", str(corpus), "-q"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out[0]["text"].startswith("Russian drones struck") and out[1]["text"] == 'Plain text, "quoted".'


def test_a_page_without_an_article_is_empty_with_a_warning():
    result = clean("<html><body><nav><a href='/'>Home</a></nav></body></html>", name="empty.html")
    assert result.text == ""
    assert any("no article text" in warning and "empty.html" in warning for warning in result.warnings)
    slices_back(result)


def test_html_nested_100000_levels_deep_is_cleaned_without_crashing():
    page = "<html><body>" + "<div>" * 100_000 + "<p>" + PARAGRAPHS[0] + "</p>" + "</div>" * 100_000 + "</body></html>"
    result = clean(page)
    slices_back(result)
    assert result.text == "" or "Odesa" in result.text


def test_external_entities_and_doctypes_are_never_resolved(tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER", encoding="utf-8")
    connections = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: connections.append(address))
    page = (
        f'<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">'
        '<!ENTITY web SYSTEM "http://127.0.0.1:9/x.dtd">]>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><article>'
        f"<p>{PARAGRAPHS[1]} &xxe; &web;</p><p>{PARAGRAPHS[2]}</p></article></body></html>"
    )
    result = clean(page)
    assert "TOP-SECRET-MARKER" not in result.text
    assert connections == []
    slices_back(result)


@pytest.mark.skipif(not AEB.is_dir(), reason="needs ../shared/benchmarks/article-extraction-benchmark")
def test_real_pages_slice_back_and_keep_their_text_located():
    pipeline = Pipeline.load(input_format="html")
    for path in sorted(AEB.glob("*.html.gz"))[:12]:
        result = pipeline.clean(gzip.decompress(path.read_bytes()), name=path.name)
        slices_back(result)
        assert result.text
        unlocated = sum(len(e.after) for e in result.edits if "extract.unlocated" in e.rules)
        assert unlocated <= 0.05 * len(result.text), path.name


HTML_PIPELINE = Pipeline.load(input_format="html")
_TAGS = st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<b>", "</b>", "<br>", "<!-- c -->", "<script>x</script>"])
_BITS = st.one_of(
    _TAGS,
    st.sampled_from(["&amp;", "&nbsp;", "&#8217;", "&bogus;", "&", "<", ">", " ", "\n"]),
    st.text(st.characters(codec="utf-8", exclude_characters="<&"), max_size=30),
)


@given(st.lists(_BITS, max_size=40))
def test_any_html_is_cleaned_with_its_provenance_intact(bits):
    page = "<html><body>" + "".join(bits) + "</body></html>"
    result = HTML_PIPELINE.clean(page)
    slices_back(result)


def test_an_unknown_input_format_is_refused():
    with pytest.raises(ValueError, match="input_format must be one of auto, text, html"):
        clean("Kyiv", input_format="xml")
    with pytest.raises(ValueError, match="input_format"):
        Pipeline.load(input_format="xml")


def _paragraphs(count):
    return "<html><body>" + "".join(
        f"<p>Paragraph {i} of the article, with a few more words.</p>" for i in range(count)
    )


def test_extraction_past_its_time_limit_is_a_failure_named_and_the_run_goes_on(tmp_path, capsys):
    from cleantext.cli import main

    (tmp_path / "big.html").write_text(_paragraphs(3000) + "</body></html>", encoding="utf-8")
    (tmp_path / "note.txt").write_text("A\u00a0note.\n", encoding="utf-8")
    code = main(["clean", str(tmp_path / "big.html"), str(tmp_path / "note.txt"), "--timeout", "0.01", "-q"])
    captured = capsys.readouterr()
    assert code == 1
    assert "big.html: extracting the article took longer than 0.05 s" in captured.err  # 5 x --timeout
    assert captured.out == "A note.\n"


def test_the_worker_is_replaced_after_a_time_out_and_cleans_the_next_page():
    from cleantext import InputError, Pipeline

    with pytest.raises(InputError, match="took longer than"):
        Pipeline.load(timeout=0.001).clean(_paragraphs(2000), name="slow.html")
    assert Pipeline.load().clean(PAGE).text.startswith("Russian drones struck")


def test_an_article_nested_deeper_than_the_parser_reads_by_default_is_extracted():
    sentence = "The article sits three hundred elements deep in the page, and it is long enough to be the body. "
    page = "<html><body>" + "<div>" * 300 + "<p>" + sentence * 4 + "</p>" + "</div>" * 300 + "</body></html>"
    assert clean(page).text == (sentence * 4).strip() + "\n"


@pytest.mark.skipif(not os.environ.get("CLEANTEXT_SLOW_TESTS"), reason="15 s; CLEANTEXT_SLOW_TESTS=1 runs it")
def test_a_text_node_over_10_mb_is_extracted():
    page = "<html><body><article><p>" + "word " * 2_200_000 + "</p></article></body></html>"
    assert len(clean(page).text) == 11_000_000


def test_a_page_full_of_text_where_no_article_is_found_is_a_failure_not_an_empty_success(monkeypatch):
    import cleantext.extract
    from cleantext import InputError, Pipeline

    # As when the parser gives up on a page: nothing extracted from plenty of text.
    monkeypatch.setattr(
        cleantext.extract, "extract_article", lambda page, confirm=False: cleantext.extract.Article("", {})
    )
    pipeline = Pipeline.load(timeout=None)  # in this process, so the stand-in is what runs
    with pytest.raises(InputError, match=r"^lost\.html: no article found among the [\d,]+ characters of text"):
        pipeline.clean(PAGE, name="lost.html")
    result = pipeline.clean("<html><body><nav><a href='/'>Home</a></nav></body></html>", name="empty.html")
    assert result.text == "" and "no article text found" in result.warnings[0]


def test_the_confirming_run_of_trafilatura_happens_only_where_its_rule_is_on(monkeypatch):
    import trafilatura

    runs = []
    real = trafilatura.bare_extraction

    def counted(page, **settings):
        runs.append(settings.get("favor_precision", False))
        return real(page, **settings)

    monkeypatch.setattr(trafilatura, "bare_extraction", counted)
    # In this process (no time limit), so the counting stand-in is what runs.
    assert Pipeline.load(timeout=None).clean(PAGE).text.startswith("Russian drones")
    assert runs == [False]
    runs.clear()
    assert Pipeline.load(timeout=None, enable=["extract.unconfirmed"]).clean(PAGE).text.startswith("Russian drones")
    assert runs == [False, True]


def test_sigterm_stops_a_run_during_a_long_extraction(tmp_path):
    page = tmp_path / "long.html"
    page.write_text(_paragraphs(400_000) + "</body></html>", encoding="utf-8")  # minutes of parsing
    argv = ["clean", str(page), "-o", str(tmp_path / "out.txt"), "--timeout", "1000"]
    process = subprocess.Popen([sys.executable, "-m", "cleantext", *argv], stderr=subprocess.PIPE)
    time.sleep(4)  # the worker has started and is parsing
    process.send_signal(signal.SIGTERM)
    # Were the signal held until the parse ended, this would run out.
    _, err = process.communicate(timeout=30)
    assert process.returncode == 143, err
    assert not (tmp_path / "out.txt").exists()


@given(
    st.lists(st.sampled_from(["a", "b", "U.S.-backed", "x-y", "\u2014", "c"]), max_size=30),
    st.lists(st.lists(st.sampled_from(["a", "b", "U.S.-backed", "\u2014", "c"]), max_size=9), max_size=5),
)
def test_short_paragraphs_are_confirmed_exactly_when_their_words_run_so_in_the_precise_text(text, paragraphs):
    from cleantext.extract import _squeezed, _word_runs, _words

    precise = " ".join(text)
    shorts = [" ".join(words) for words in paragraphs]
    runs = _word_runs(precise, {len(_words(short)) for short in shorts})
    for short in shorts:
        # The set of word runs answers what a search of the whole precise text answered.
        assert (_words(short) in runs) == (_squeezed(short) in _squeezed(precise))


def test_where_no_worker_can_be_started_pages_are_extracted_here_with_a_warning(monkeypatch):
    import cleantext.extract
    import cleantext.sandbox

    def refuse(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(cleantext.sandbox.subprocess, "Popen", refuse)
    monkeypatch.setattr(cleantext.extract, "_sandbox", None)
    monkeypatch.setattr(cleantext.extract, "_unbounded_here", False)
    with pytest.warns(UserWarning, match="cannot start a worker process: Operation not permitted"):
        assert clean(PAGE).text.startswith("Russian drones struck")
    assert clean(PAGE).text.startswith("Russian drones struck")  # asked once: no second warning, no error


def test_the_headline_removal_is_a_rule_that_disable_turns_off(tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Storm floods coastal towns</title></head><body><article>"
        "<h1>Storm floods coastal towns</h1><p>The storm reached the coast on Monday night, bringing winds of "
        "120 km/h and heavy rain to the towns along the shore.</p></article></body></html>",
        encoding="utf-8",
    )
    assert main(["clean", str(page)]) == 0
    assert not capsys.readouterr().out.startswith("Storm floods")
    assert main(["clean", str(page), "--disable", "extract.title"]) == 0
    assert capsys.readouterr().out.startswith("Storm floods coastal towns\n\nThe storm reached")
    assert main(["rules", "list"]) == 0
    assert "extract.title" in capsys.readouterr().out


# Pages whose title, author and date come from each of the sources trafilatura reads them from.
_BODY = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
METADATA_PAGES = [
    PAGE,
    # JSON-LD: the headline and author there; the date in the URL of the canonical link.
    '<html><head><link rel="canonical" href="https://example.org/2025/11/30/odesa-grid">'
    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
    '"headline": "Grid &amp; heat", "author": {"@type": "Person", "name": "Olena Kovalenko"}}</script></head>'
    f"<body><article>{_BODY}</article></body></html>",
    # Open Graph title, a one-word author meta (a handle, dropped), a byline in the markup.
    '<html><head><meta property="og:title" content="  Kyiv   on the   mend "><meta name="author" content="desk">'
    '</head><body><article><p class="byline">By <span class="author">Marta Nowak</span></p>'
    f'<time datetime="2024-05-06T10:00:00">6 May</time>{_BODY}</article></body></html>',
    # Nothing but an h1: the title from the markup, no author, no date.
    f"<html><body><h1>Lviv &#8211; a quiet night</h1><div>{_BODY}</div></body></html>",
    # No metadata at all.
    f"<html><body><div>{_BODY}</div></body></html>",
]


@pytest.mark.parametrize("page", METADATA_PAGES)
def test_page_metadata_is_what_trafilatura_reads_for_title_author_and_date(page):
    from trafilatura.metadata import extract_metadata
    from trafilatura.utils import load_html

    from cleantext.extract import DATE_PARAMETERS, page_metadata

    full = extract_metadata(load_html(page), date_config=DATE_PARAMETERS)
    expected = {
        key: value for key, value in (("title", full.title), ("author", full.author), ("published", full.date)) if value
    }
    assert page_metadata(load_html(page)) == expected
