#!/usr/bin/env python3
"""Fuzz target: HTML pages built from the input bytes, through extract and clean.

Run: python fuzz/fuzz_html.py /tmp/fuzzcorpus/html fuzz/corpus/html -dict=fuzz/html.dict \
         -max_total_time=1200 -rss_limit_mb=4096 -timeout=20

The first byte picks a mode: the rest of the bytes decoded as UTF-8 (errors
replaced) and used as the page; or a page built with
:class:`atheris.FuzzedDataProvider` from block, inline and raw-text elements,
attributes (with ``>`` inside quotes), character references (valid, unknown,
unterminated, out of range), comments, boilerplate lines the strip rules know,
article sentences and arbitrary Unicode, so that trafilatura finds an article
and :mod:`cleantext.extract` has to align it with the visible text. The page is
cleaned with ``input_format="html"`` (as ``str``, or UTF-8 ``bytes`` so that a
declared charset is read too). Checks: no exception (``InputError`` only for
bytes), the provenance contract on the result and idempotence of its text.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["cleantext"]):
    from cleantext.errors import InputError
    from cleantext.pipeline import Pipeline
    from cleantext.rules import builtin_pack_names, load_packs
    from cleantext.testing import BOILERPLATE, CLEAN_PARAGRAPHS

import trafilatura  # noqa: F401
from _harness import EXPECTED_FAILURES, check, known

PIPELINE = Pipeline.load(input_format="html")  # extraction in its worker, under the default time limit

BLOCK = [
    "p",
    "div",
    "article",
    "main",
    "section",
    "h1",
    "h2",
    "h3",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tr",
    "td",
    "th",
    "blockquote",
    "header",
    "footer",
    "nav",
    "aside",
    "figure",
    "figcaption",
    "pre",
    "form",
    "dl",
    "dt",
    "dd",
    "details",
    "summary",
    "body",
    "html",
    "head",
]
INLINE = [
    "a",
    "span",
    "b",
    "i",
    "em",
    "strong",
    "code",
    "sub",
    "sup",
    "time",
    "small",
    "font",
    "q",
    "abbr",
    "mark",
    "u",
    "s",
    "cite",
]
VOID = ["<br>", "<br/>", "<hr>", "<img src='x.png' alt='A > B'>", "<wbr>", '<input value="<p>">']
RAW = ["script", "style", "noscript", "template", "textarea", "title"]
ATTRS = [
    ' class="content"',
    ' class="article-body"',
    ' id="main"',
    ' itemprop="articleBody"',
    " href='/a>b'",
    ' data-x=">"',
    ' class="nav menu"',
    ' class="share social"',
    ' class="byline author"',
    ' role="navigation"',
    " hidden",
    ' style="display:none"',
    ' lang="uk"',
    " title='\"'",
    " a=b",
    ' x="unterminated',
]
HEAD = [
    '<meta charset="utf-8">',
    '<meta name="author" content="Anthony Solly">',
    '<meta property="og:title" content="Russia hits Ukraine energy sites">',
    '<meta property="article:published_time" content="2026-02-03T10:00:00Z">',
    '<meta name="date" content="3 February 2026">',
    '<link rel="canonical" href="https://example.com/a">',
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Kyiv", "author": {"name": "X"}}</script>',
]
ENTITIES = [
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&#39;",
    "&nbsp;",
    "&#8217;",
    "&#x2014;",
    "&mdash;",
    "&hellip;",
    "&copy;",
    "&#0;",
    "&#x110000;",
    "&#xD800;",
    "&#128512;",
    "&#9999999;",
    "&amp",
    "&lt",
    "&nbspx",
    "&notit;",
    "&notin;",
    "&bogus;",
    "&#;",
    "&#x;",
    "&AMP;",
    "&ampx",
    "&#x0d;",
    "&#13;",
    "&#10;",
    "&#x85;",
    "&#160;",
    "&#173;",
    "&#8203;",
    "&#xfeff;",
    "&#x201c;",
    "&#x201d;",
]
MISC = [
    "<!-- comment -->",
    "<!--",
    "-->",
    "<!---->",
    "<![CDATA[x]]>",
    "<!DOCTYPE html>",
    "<?xml version='1.0'?>",
    "<",
    "&",
    "</",
    "< p>",
    "<p",
    "<//p>",
    "<p/>",
    "</p >",
    "<P>",
    "</DIV>",
    ">",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "\u00a0",
    "\u200b",
    "\ufeff",
    "\u2028",
    "\x0c",
    "\x00",
]
LINES = sorted(
    {
        line
        for rule in load_packs(builtin_pack_names())
        for example in rule.examples
        for line in example.input.split("\n")
        if line.strip()
    }
    | {line for lines in BOILERPLATE.values() for line in lines}
)
SENTENCES = [p.format(temp="-20 \u00b0C") for p in CLEAN_PARAGRAPHS] + [
    "Zelensky said Russia was \u201cchoosing terror\u201d rather than diplomacy.",
    "Kiev\u2019s mayor said 1,170 buildings   had no heat\u00a0on Tuesday\u2026",
]
WORDS = sorted({word for sentence in SENTENCES for word in sentence.split()})


def _text(fdp: atheris.FuzzedDataProvider) -> str:
    kind = fdp.ConsumeIntInRange(0, 5)
    if kind == 0:
        return fdp.PickValueInList(SENTENCES)
    if kind == 1:
        return fdp.PickValueInList(LINES)
    if kind in (2, 3):
        return " ".join(fdp.PickValueInList(WORDS) for _ in range(fdp.ConsumeIntInRange(1, 12)))
    if kind == 4:
        return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 24))
    return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 8))  # may hold lone surrogates


def _open(fdp: atheris.FuzzedDataProvider, name: str) -> str:
    attrs = "".join(fdp.PickValueInList(ATTRS) for _ in range(fdp.ConsumeIntInRange(0, 2)))
    return f"<{name}{attrs}>"


def build_page(fdp: atheris.FuzzedDataProvider) -> str:
    parts: list[str] = []
    open_tags: list[str] = []
    wrapper = fdp.ConsumeIntInRange(0, 3)
    if wrapper >= 1:
        parts.append("<!DOCTYPE html><html><head>" if wrapper >= 2 else "<html>")
        if wrapper >= 2:
            parts.append(f"<title>{_text(fdp)}</title>")
            parts.extend(fdp.PickValueInList(HEAD) for _ in range(fdp.ConsumeIntInRange(0, 3)))
            parts.append("</head>")
        parts.append("<body>")
    while fdp.remaining_bytes() and len(parts) < 600:
        choice = fdp.ConsumeIntInRange(0, 11)
        if choice in (0, 1):
            name = fdp.PickValueInList(BLOCK)
            parts.append(_open(fdp, name))
            open_tags.append(name)
        elif choice == 2:
            name = open_tags.pop() if open_tags and fdp.ConsumeBool() else fdp.PickValueInList(BLOCK + INLINE)
            parts.append(f"</{name}>")
        elif choice == 3:
            name = fdp.PickValueInList(INLINE)
            parts.append(f"{_open(fdp, name)}{_text(fdp)}</{name}>")
        elif choice == 4:
            # Inline markup or a reference inside a word: "Zelen<b>sky</b>", "Kyiv&#8217;s".
            word = fdp.PickValueInList(WORDS)
            cut = fdp.ConsumeIntInRange(0, len(word))
            inner = fdp.PickValueInList(ENTITIES) if fdp.ConsumeBool() else f"<{fdp.PickValueInList(INLINE)}>"
            parts.append(word[:cut] + inner + word[cut:])
        elif choice == 5:
            parts.append(fdp.PickValueInList(ENTITIES))
        elif choice in (6, 7, 8):
            parts.append(_text(fdp))
        elif choice == 9:
            name = fdp.PickValueInList(RAW)
            closing = f"</{name}>" if fdp.ConsumeIntInRange(0, 7) else ""
            parts.append(f"{_open(fdp, name)}{_text(fdp)}{closing}")
        elif choice == 10:
            parts.append(fdp.PickValueInList(VOID))
        else:
            parts.append(fdp.PickValueInList(MISC))
    if fdp.ConsumeBool():
        parts.extend(f"</{name}>" for name in reversed(open_tags))
    if wrapper >= 1:
        parts.append("</body></html>")
    return "".join(parts)


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    mode = data[0] % 3
    if mode == 0:
        page: str | bytes = data[1:].decode("utf-8", errors="replace")
    else:
        page = build_page(atheris.FuzzedDataProvider(data[1:]))
        if mode == 2:
            page = page.encode("utf-8", errors="surrogatepass")
    try:
        try:
            result = PIPELINE.clean(page, name="fuzz", input_format="html")
        except InputError as error:
            # Bytes may not be text; a page may outlast the extraction's time limit
            # or hold text but no article. A crash of the parser is a finding.
            if isinstance(page, bytes) or error.reason.startswith(EXPECTED_FAILURES):
                return
            raise
        check(PIPELINE, result, page, name="fuzz", input_format="html")
    except Exception as error:
        if known(error):
            return
        raise


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
