"""The extract stage: the article body of an HTML page, with offsets into the HTML.

trafilatura finds the article body. Its text is then located in the HTML so
that every output character keeps its provenance: the page is scanned once
into its visible text (tags dropped, entities decoded, each character mapped
back to its source span), the extracted words are aligned with the visible
words in order, and the HTML between located words becomes edits:

- ``extract.markup``: tags, scripts, navigation and other text trafilatura left
  out, replaced by the paragraph breaks and the list and table markers
  (``- ``, ``| ``) of the extracted text;
- ``extract.entity``: a character reference (``&amp;``, ``&#8217;``) replaced by
  its character;
- ``extract.unlocated``: extracted words that could not be found in the HTML at
  that place; the edit's source span is the HTML between the located words
  around them, so a user can tell which output has no exact source.

Example::

    >>> from cleantext.document import Document
    >>> page = "<html><body><nav>Home</nav><article><p>Tom &amp; Jerry met in Kyiv on Tuesday.</p>"
    >>> doc = Document(page)
    >>> locate_text(doc, "Tom & Jerry met in Kyiv on Tuesday.")
    >>> doc.text
    'Tom & Jerry met in Kyiv on Tuesday.'
    >>> [(e.before, e.after, e.rule_ids) for e in doc.edits()][1]
    ('&amp;', '&', ('extract.entity',))
"""

from __future__ import annotations

import contextlib
import html
import itertools
import os
import re
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cleantext.document import Document, RuleRef
from cleantext.errors import InputError
from cleantext.native import ENTITY as ENTITY_KIND
from cleantext.native import GAP, locate_natively
from cleantext.native import MARKUP as MARKUP_KIND
from cleantext.sandbox import Sandbox, SandboxCrash, SandboxUnavailable, can_sandbox

__all__ = [
    "ENTITY",
    "MARKUP",
    "TITLE",
    "UNCONFIRMED",
    "UNLOCATED",
    "Article",
    "extract_article",
    "extract_article_within",
    "is_page",
    "locate_text",
    "located_natively",
    "located_replacements",
    "looks_like_html",
    "page_metadata",
]

MARKUP = RuleRef("extract.markup", "extract")
ENTITY = RuleRef("extract.entity", "extract")
UNLOCATED = RuleRef("extract.unlocated", "extract")
TITLE = RuleRef("extract.title", "title")
UNCONFIRMED = RuleRef("extract.unconfirmed", "extract")

_HTML_START = re.compile(
    r"\A(?:\ufeff)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    r"<(?:!doctype\s+html|html|head|body|meta|title|article|main|div|section|p|table|h[1-6])\b",
    re.IGNORECASE | re.DOTALL,
)
_CLOSING_TAG = re.compile(r"</(?:html|head|body|article|main|div|section|p|table|h[1-6]|ul|span|a)\s*>", re.IGNORECASE)

# One token of HTML: a comment, a raw-text element with its content, any other
# tag, a character reference, or text. Unclosed comments and raw-text elements
# run to the end of the page, as in a browser; a tag runs to the next ">" (a
# quoted ">" in an attribute value is rare, and honouring quotes would make an
# unclosed quote scan the rest of the page for every tag after it).
_TOKEN = re.compile(
    r"(?P<comment><!--.*?(?:-->|\Z))"
    r"|(?P<raw><(?P<rawtag>script|style|noscript|template|textarea|title)\b[^>]*>.*?(?:</(?P=rawtag)\s*>|\Z))"
    r"|(?P<tag><[!?/]?[A-Za-z][^>]*>)"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?)"
    r"|(?P<text>[^<&]+|[<&])",
    re.IGNORECASE | re.DOTALL,
)
# After the last ">" of a page no tag can close: text and references only, so
# a run of unclosed "<a " costs one step each.
_TAIL_TOKEN = re.compile(
    r"(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?)|(?P<text>[^&]+|&)"
)
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")

# Tags that do not break a word: text on both sides may be one word.
_INLINE = frozenset(
    {
        *("a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "mark"),
        *("q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr"),
    }
)
_WORD = re.compile(r"\S+")
_WORD_CHARS = re.compile(r"\w+")
_WHOLE_PAGE = re.compile(r"<(?:html|body)\b", re.IGNORECASE)
_ANCHOR = 3  # words that must agree before an alignment jumps ahead
_CANDIDATES = 64  # places tried for a word before it is declared unlocated


def starts_like_html(text: str) -> bool:
    """Whether ``text`` starts the way an HTML page or article does (what :func:`looks_like_html` asks first).

    >>> starts_like_html("<!DOCTYPE html><html>")
    True
    """
    return _HTML_START.match(text[:4096]) is not None


def is_page(text: str, input_format: str) -> bool:
    """Whether ``text`` is read as an HTML page under ``input_format`` (``html``, or ``auto`` and it
    :func:`looks_like_html`), whose article is then extracted."""
    return input_format == "html" or (input_format == "auto" and looks_like_html(text))


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is an HTML page or fragment rather than plain text.

    It must start with a tag an HTML page or article starts with, and close
    some element too, so plain text that begins with ``<p>`` once is text.

    >>> looks_like_html("<!DOCTYPE html><html><body><p>Hi</p></body></html>")
    True
    >>> looks_like_html("Use <p> for paragraphs.")
    False
    """
    return starts_like_html(text) and _CLOSING_TAG.search(text) is not None


@dataclass(slots=True)
class _Visible:
    """The visible text of a page and, for every character, its span in the HTML."""

    text: str
    starts: list[int]  # source start of each run of visible characters
    plain: list[int]  # visible offset where each run starts
    lengths: list[int]  # source length of each run
    entity: list[bool]  # whether the run stands for a whole span (a reference, a tag, a script): no inner offsets

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The HTML span of visible characters ``start:end`` (``end > start``)."""
        return self._source(start, first=True), self._source(end - 1, first=False)

    def _source(self, offset: int, *, first: bool) -> int:
        run = bisect_right(self.plain, offset) - 1
        if self.entity[run]:
            return self.starts[run] if first else self.starts[run] + self.lengths[run]
        inside = offset - self.plain[run]
        return self.starts[run] + inside + (0 if first else 1)

    def runs(self, start: int, end: int) -> Iterator[tuple[int, int, int, int, bool]]:
        """(visible start, visible length, source start, source length, is reference) of the runs under a span."""
        run = bisect_right(self.plain, start) - 1
        count = len(self.plain)
        while run < count and self.plain[run] < end:
            size = (self.plain[run + 1] if run + 1 < count else len(self.text)) - self.plain[run]
            yield self.plain[run], size, self.starts[run], self.lengths[run], self.entity[run]
            run += 1


def visible_text(page: str) -> _Visible:
    """Scan ``page`` once into its visible text, keeping where each character came from.

    Tags that break words (block elements) become one space; inline tags
    vanish; raw-text elements (scripts, styles) and comments are not visible.
    """
    pieces: list[str] = []
    starts: list[int] = []
    plain: list[int] = []
    lengths: list[int] = []
    entity: list[bool] = []
    size = 0

    def add(text: str, start: int, length: int, is_entity: bool) -> None:
        nonlocal size
        pieces.append(text)
        starts.append(start)
        plain.append(size)
        lengths.append(length)
        entity.append(is_entity)
        size += len(text)

    tags_end = page.rfind(">") + 1
    tokens = itertools.chain(_TOKEN.finditer(page, 0, tags_end), _TAIL_TOKEN.finditer(page, tags_end))
    for token in tokens:
        kind = token.lastgroup
        start, end = token.span()
        if kind == "text":
            add(token.group(), start, end - start, False)
        elif kind == "entity":
            chars = html.unescape(token.group())
            add(chars, start, end - start, chars != token.group())
        elif kind == "tag":
            name = _TAG_NAME.match(token.group())
            if name is None or name.group(1).lower() not in _INLINE:
                add(" ", start, end - start, True)
        else:
            add(" ", start, end - start, True)
    return _Visible("".join(pieces), starts, plain, lengths, entity)


def locate_text(document: Document, extracted: str) -> None:
    """Turn ``document`` (an HTML page) into ``extracted`` (text found in it), with edits in the HTML.

    Words of ``extracted`` are located in the page's visible text in order;
    everything between them is replaced by what lies between them in
    ``extracted``. See the module docstring for the rules the edits carry.
    The native core does it where it is built; :func:`located_replacements`
    is the Python reference it is held to.
    """
    page = document.text
    located = located_natively(page, extracted)
    document.apply_tagged(located_replacements(page, extracted) if located is None else located)


def located_natively(page: str, extracted: str) -> list[tuple[int, int, str, RuleRef]] | None:
    """The edits of :func:`locate_text`, found by the native core; None where it does not run."""
    located = locate_natively(page, extracted)
    if located is None:
        return None
    kinds = {MARKUP_KIND: MARKUP, ENTITY_KIND: ENTITY}
    return [(start, end, new, _gap_rule(new) if kind == GAP else kinds[kind]) for start, end, new, kind in located]


def located_replacements(page: str, extracted: str) -> list[tuple[int, int, str, RuleRef]]:
    """The edits of :func:`locate_text`, found in Python: the reference of the native core."""
    visible = visible_text(page)
    visible_words = [(m.start(), m.end()) for m in _WORD.finditer(visible.text)]
    visible_tokens = [visible.text[s:e] for s, e in visible_words]
    places: dict[str, list[int]] = {}
    for index, token in enumerate(visible_tokens):
        places.setdefault(token, []).append(index)
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(extracted)]
    tokens = [word for _, _, word in words]

    replacements: list[tuple[int, int, str, RuleRef]] = []
    source_end = 0  # HTML consumed so far
    extracted_end = 0  # extracted text accounted for so far
    cursor = 0  # next visible word the alignment may use
    for index, (start, end, word) in enumerate(words):
        found = _place(word, index, tokens, cursor, visible_tokens, places)
        if found is None:
            continue
        cursor = found + 1
        vis_start, vis_end = visible_words[found]
        src_start, src_end = visible.source_span(vis_start, vis_end)
        between = extracted[extracted_end:start]
        if page[source_end:src_start] != between:  # most spaces between words are the same in both
            replacements.append((source_end, src_start, between, _gap_rule(between)))
        replacements.extend(_inside_word(visible, vis_start, vis_end))
        source_end, extracted_end = src_end, end
    rest = extracted[extracted_end:]
    if page[source_end:] != rest:
        replacements.append((source_end, len(page), rest, _gap_rule(rest)))
    return replacements


def _gap_rule(between: str) -> RuleRef:
    """What replacing the HTML between two located words by ``between`` is: markup, or unlocated words."""
    return UNLOCATED if any(character.isalnum() for character in between) else MARKUP


def _place(
    word: str,
    index: int,
    tokens: list[str],
    cursor: int,
    visible_tokens: list[str],
    places: dict[str, list[int]],
) -> int | None:
    """Where extracted word ``index`` is among the visible words, at or after ``cursor``."""
    if cursor < len(visible_tokens) and visible_tokens[cursor] == word:
        return cursor
    positions = places.get(word)
    if not positions:
        return None
    first = bisect_left(positions, cursor)
    anchor = tokens[index : index + _ANCHOR]
    for position in positions[first : first + _CANDIDATES]:
        if visible_tokens[position : position + len(anchor)] == anchor:
            return position
    return None


def _inside_word(visible: _Visible, start: int, end: int) -> Iterator[tuple[int, int, str, RuleRef]]:
    """Edits inside one located word: its character references and the inline tags within it."""
    previous_end = None
    for vis_start, size, src_start, length, is_reference in visible.runs(start, end):
        if previous_end is not None and src_start > previous_end:
            yield previous_end, src_start, "", MARKUP
        if is_reference:
            yield src_start, src_start + length, visible.text[vis_start : vis_start + size], ENTITY
            previous_end = src_start + length
        else:
            previous_end = src_start + min(end, vis_start + size) - vis_start


@dataclass(frozen=True, slots=True)
class Article:
    """What trafilatura found in a page: the body, its metadata, and the paragraphs to drop.

    ``body`` holds one paragraph per block, separated by blank lines.
    ``doubtful`` are indices of short paragraphs that trafilatura keeps by
    default but not when it favours precision: navigation and teaser leftovers,
    mostly. ``title`` is the index of a first paragraph that repeats the page
    title, or None.
    """

    body: str
    metadata: dict[str, str]
    doubtful: tuple[int, ...] = ()
    title: int | None = None


SHORT_BODY = 500
"""A body shorter than this many characters from the fast run sends the page through trafilatura's fallbacks."""

DOUBTFUL_WORDS = 10
"""Paragraphs shorter than this many words must be confirmed by the precise extraction."""


def extract_article(page: str, *, confirm: bool = False, **options: Any) -> Article:
    """The article body of ``page`` (paragraphs separated by blank lines), its metadata and doubts.

    trafilatura runs without its fallback extractors (``fast``), which on the
    Zyte benchmark is both more precise and more complete than its default;
    with them only when that finds less than :data:`SHORT_BODY` characters,
    which recovers the pages where it fails (WCXB). With ``confirm``, a second
    run favours precision: a short paragraph that only the first run keeps is
    doubtful (the rule ``extract.unconfirmed``, off by default, removes it).
    ``options`` go to every run. The metadata holds ``title``, ``author`` and
    ``published`` where trafilatura finds them (see :func:`page_metadata`),
    read from the page parsed once for every run. An empty body means
    trafilatura found no article.
    """
    import trafilatura  # slow to import, and plain-text runs never need it
    from trafilatura.utils import load_html

    settings = {
        "include_comments": False,
        "include_tables": True,
        "with_metadata": False,
        "fast": True,
        **options,
    }
    if _WHOLE_PAGE.search(page) is None:
        # trafilatura refuses a bare fragment; as the body of a page it reads it.
        page = f"<html><body>{page}</body></html>"
    # Parsed here as trafilatura would parse it: each run takes a copy of the tree.
    tree = load_html(page)
    read_from = tree if tree is not None else page
    found = trafilatura.bare_extraction(read_from, **settings)
    if found is None or len(found.text or "") < SHORT_BODY:
        # The fast run found hardly anything: let trafilatura's fallback extractors try.
        fuller = trafilatura.bare_extraction(read_from, **{**settings, "fast": False})
        if fuller is not None and (found is None or len(fuller.text or "") > len(found.text or "")):
            found = fuller
    if found is None or not found.text:
        # libxml2 drops a text node over 10 MB and stops 256 elements deep unless
        # told to read huge trees; trafilatura's own parse does not ask.
        huge = _huge_tree(page)
        if huge is not None:
            in_huge = trafilatura.bare_extraction(huge, **{**settings, "fast": False})
            if in_huge is not None:
                found, tree = in_huge, huge
    if found is None:
        return Article("", {})
    paragraphs = [line.strip() for line in (found.text or "").split("\n") if line.strip()]
    metadata = page_metadata(tree) if tree is not None else {}
    title = metadata.get("title")
    title_index = 0 if paragraphs and title and _is_title(paragraphs[0], title) else None
    doubtful = _unconfirmed(read_from, paragraphs, settings) if confirm else ()
    return Article("\n\n".join(paragraphs), metadata, doubtful, title_index)


DATE_PARAMETERS = {"extensive_search": False, "original_date": True}
"""How htmldate looks for a page's date: in its markup and URL, not in its whole text."""

METADATA_LIMIT = 10_000
"""A metadata value longer than this is cut, as trafilatura cuts it."""


def page_metadata(tree: Any) -> dict[str, str]:
    """``title``, ``author`` and ``published`` of a parsed page, where found: what trafilatura's
    ``extract_metadata`` finds for them, in its order of sources, without the fields cleantext
    never reads (site name, categories, tags, licence: a third of that function's time).

    A test holds it to ``extract_metadata`` on pages that exercise every source.
    """
    from htmldate import find_date
    from trafilatura.metadata import examine_meta, extract_author, extract_meta_json, extract_title, extract_url
    from trafilatura.utils import line_processing

    found = examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None  # a single word is a handle, not a name (as extract_metadata has it)
    # trafilatura survives its own errors reading JSON-LD the same way, with the metadata read so far.
    with contextlib.suppress(Exception):
        found = extract_meta_json(tree, found)
    title = found.title or extract_title(tree)
    author = found.author or extract_author(tree)
    url = found.url or extract_url(tree)
    published = find_date(tree, url=url, **DATE_PARAMETERS)
    metadata = {}
    for key, value in (("title", title), ("author", author), ("published", published)):
        if isinstance(value, str):
            if len(value) > METADATA_LIMIT:
                value = value[: METADATA_LIMIT - 1] + "…"
            value = line_processing(html.unescape(value))
        if value:
            metadata[key] = value
    return metadata


def _unconfirmed(page: Any, paragraphs: list[str], settings: dict[str, Any]) -> tuple[int, ...]:
    """The short paragraphs (by index) whose words, in order, a run of trafilatura that favours precision
    lacks; ``page``: the page or its tree."""
    import trafilatura

    precise = trafilatura.bare_extraction(page, **{**settings, "fast": False, "favor_precision": True})
    short = [(index, _words(p)) for index, p in enumerate(paragraphs) if len(p.split()) < DOUBTFUL_WORDS]
    confirmed = _word_runs(precise.text or "" if precise is not None else "", {len(words) for _, words in short})
    return tuple(index for index, words in short if words not in confirmed)


def _huge_tree(page: str) -> Any:
    """``page`` parsed without libxml2's limits on text size and depth (trafilatura takes a tree as well).

    None when lxml finds no document in it ("Document is empty").
    """
    import lxml.etree
    import lxml.html

    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(page, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None


_sandbox: tuple[int, Sandbox] | None = None
_unbounded_here = False  # no worker could be started in this process: extract here


def extract_article_within(page: str, timeout: float | None, *, confirm: bool = False) -> Article:
    """:func:`extract_article` (``confirm`` as there) in a worker process that is killed when it takes
    longer than ``timeout`` seconds.

    Raises :class:`InputError` on a time-out or a crash of the parser. With
    ``timeout=None``, on a system without POSIX pipes, or where no worker
    process can be started (a warning says so, once), it runs here, unbounded.
    """
    global _sandbox, _unbounded_here
    if timeout is None or _unbounded_here or not can_sandbox():
        return extract_article(page, confirm=confirm)
    if _sandbox is None or _sandbox[0] != os.getpid():  # a forked child starts its own
        _sandbox = (os.getpid(), Sandbox(_extract_request, preload=("trafilatura",)))
    try:
        return _sandbox[1].call((page, confirm), timeout=timeout)
    except TimeoutError:
        raise InputError(
            f"extracting the article took longer than {timeout:g} s, the time limit for a page of this size; "
            "skipped (raise --timeout, or clean it as text with --input-format text)"
        ) from None
    except SandboxUnavailable as error:
        _unbounded_here = True
        warnings.warn(f"{error}; HTML is extracted in this process, without a time limit", stacklevel=2)
        return extract_article(page, confirm=confirm)
    except SandboxCrash:
        raise InputError(
            "the HTML parser crashed on this page; skipped (--input-format text cleans it as text)"
        ) from None


def _extract_request(request: tuple[str, bool]) -> Article:
    """:func:`extract_article` of ``(page, confirm)``, as the sandbox's worker is asked."""
    page, confirm = request
    return extract_article(page, confirm=confirm)


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD_CHARS.findall(text.casefold()))


def _word_runs(text: str, lengths: set[int]) -> set[tuple[str, ...]]:
    """Every run of consecutive words of ``text`` of one of the ``lengths`` (the empty run only for no words).

    A short paragraph is confirmed when its words run so in the precise
    extraction; a set of runs answers that in constant time, where searching
    the whole extraction for each paragraph grew with the square of the page.
    A paragraph of few spaces can hold many words ("U.S.-backed" is three).
    """
    words = _words(text)
    runs: set[tuple[str, ...]] = set()
    for length in lengths:
        if length == 0:
            if not words:
                runs.add(())
            continue
        runs.update(words[start : start + length] for start in range(len(words) - length + 1))
    return runs


def _squeezed(text: str) -> str:
    return " " + " ".join(_WORD_CHARS.findall(text.casefold())) + " "


def _is_title(paragraph: str, title: str) -> bool:
    """Whether a first paragraph is the page title (or the title is it plus the site name)."""
    words, title_words = _squeezed(paragraph), _squeezed(title)
    return len(paragraph) < 300 and words.strip() != "" and (words in title_words or title_words in words)
