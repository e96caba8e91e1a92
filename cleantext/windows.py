"""Huge documents in windows: clean a plain-text document of any length in bounded memory.

The text is cut at blank lines into windows of about ``window_chars``
characters. Each window is cleaned as a :class:`~cleantext.document.Document`
that goes on before and/or after it, so rules for a document's head only see
the first window that keeps any text, and rules for its tail only the last.
Where two windows meet, the line breaks are tidied as the layout rules tidy
them inside one text, and a window is handed on as soon as the next one with
text is cleaned: a few windows and the text still to be cut are in memory,
whatever the length.

Cleaned in windows, a document comes out as the same text as cleaned whole,
except where a rule looks further than its window:

- a title repeated in a later window stays, and an off-topic line is judged
  against its own window;
- a metadata key takes the first window's value (cleaned whole, the first
  rule's);
- a head or tail rule does not reach past the first or last window, which
  matters only for windows shorter than an article's head or tail;
- a pattern never matches across a cut (a blank line).

The same rules act on the same text, the layout rules where windows meet
too; an edit that absorbs its neighbours when the text is whole stays
several edits.

Example::

    >>> from cleantext import Pipeline
    >>> text = "By Ann Lee\\n\\nFirst paragraph.\\n\\nSecond paragraph.\\n"
    >>> windows = list(Pipeline.load().clean_windows(text, window_chars=20))
    >>> "".join(window.text for window in windows)
    'First paragraph.\\n\\nSecond paragraph.\\n'
    >>> [(edit.src, edit.rule) for window in windows for edit in window.edits()]
    [((0, 11), 'bylines.by-name'), ((11, 12), 'whitespace.leading-blank-lines')]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from cleantext.document import Document, RuleRef
from cleantext.emit import Edit, Result
from cleantext.parallel import bounded_map

if TYPE_CHECKING:
    from cleantext.pipeline import Pipeline

__all__ = ["WINDOW_CHARS", "Window", "clean_in_windows", "cut_windows", "merged_metadata"]

WINDOW_CHARS = 1_000_000
"""Characters per window by default: big enough that every rule has an article's
worth of context, small enough that a window's copies stay in tens of megabytes."""

LINE_CUT_FACTOR = 4
"""Text with no blank line in this many windows' worth is cut at a line break instead."""

_SPACE = " \t\r\n\f\v"


@dataclass(frozen=True)
class Window:
    """One window of a document cleaned in windows.

    ``result`` is the window cleaned on its own, in the window's coordinates;
    ``source_start`` and ``output_start`` say where its source and its clean
    text start in the whole document's. Joined in order, the windows' ``text``
    is the clean document and their :meth:`edits` its edits.
    """

    result: Result
    source_start: int
    output_start: int

    @property
    def text(self) -> str:
        """The window's clean text."""
        return self.result.text

    def edits(self) -> list[Edit]:
        """The window's edits in the whole document's coordinates."""
        source_start, output_start = self.source_start, self.output_start
        return [
            replace(
                edit,
                src=(edit.src[0] + source_start, edit.src[1] + source_start),
                out=(edit.out[0] + output_start, edit.out[1] + output_start),
            )
            for edit in self.result.edits
        ]


def cut_windows(chunks: Iterable[str], window_chars: int = WINDOW_CHARS) -> Iterator[str]:
    """Cut text arriving in ``chunks`` into windows of about ``window_chars`` characters.

    A window ends with the line break of its last line, and the next starts
    with the rest of the whitespace between them: the rest of a blank line,
    or nothing at a line break, which is the cut only when no blank line
    comes for :data:`LINE_CUT_FACTOR` windows. Text without any line break is
    never cut.
    """
    if window_chars < 1:
        raise ValueError("window_chars must be at least 1")
    # The text not yet handed on is buffer[offset:]: windows are cut by moving
    # the offset, and the rest is copied only when more text joins it, so a
    # long string passed whole is never copied over and over.
    buffer = ""
    offset = 0
    pending: list[str] = []
    pending_size = 0
    # After a failed cut (a line longer than the window), wait until the text
    # has doubled before trying again: joining on every chunk would copy a huge
    # line over and over.
    retry_at = 2 * window_chars
    for chunk in chunks:
        pending.append(chunk)
        pending_size += len(chunk)
        if len(buffer) - offset + pending_size < retry_at:
            continue
        buffer, offset = "".join([buffer[offset:], *pending]), 0
        pending, pending_size = [], 0
        while len(buffer) - offset >= 2 * window_chars:
            cut = _cut(buffer, offset, window_chars)
            if cut is None:
                break
            yield buffer[offset:cut]
            offset = cut
        retry_at = max(2 * window_chars, 2 * (len(buffer) - offset))
    buffer, offset = "".join([buffer[offset:], *pending]), 0
    while len(buffer) - offset > 2 * window_chars:
        cut = _cut(buffer, offset, window_chars)
        if cut is None:
            break
        yield buffer[offset:cut]
        offset = cut
    yield buffer[offset:]


def _cut(buffer: str, offset: int, window_chars: int) -> int | None:
    """Where to end the window starting at ``offset``.

    The cut falls just after the first line break of the last blank line in
    the window's second half (so a window's last line keeps its line break,
    as in the whole text), which must be followed by text in ``buffer`` (so
    the whitespace around it is whole). Failing that, in a buffer of
    :data:`LINE_CUT_FACTOR` windows, after the last line break within the
    window, or else the first one after it.
    """
    cut = _last_separator(buffer, offset, offset + window_chars // 2, offset + window_chars, blank=True)
    if cut is None and len(buffer) - offset >= LINE_CUT_FACTOR * window_chars:
        cut = _last_separator(buffer, offset, offset + 1, offset + window_chars, blank=False)
        if cut is None:
            newline = buffer.find("\n", offset + window_chars)
            if newline >= 0:
                cut = _separator_at(buffer, offset, newline, blank=False)
    return cut


def _last_separator(buffer: str, offset: int, floor: int, limit: int, *, blank: bool) -> int | None:
    position = limit
    while True:
        newline = buffer.rfind("\n", floor, position)
        if newline < 0:
            return None
        cut = _separator_at(buffer, offset, newline, blank=blank)
        if cut is not None:
            return cut
        position = newline
        while position > offset and buffer[position - 1] in _SPACE:
            position -= 1  # past the whitespace run: its line breaks were judged with this one


def _separator_at(buffer: str, offset: int, newline: int, *, blank: bool) -> int | None:
    """The cut in the whitespace around the line break at ``newline``, if it can fall there."""
    start = newline
    while start > offset and buffer[start - 1] in _SPACE:
        start -= 1
    end = newline + 1
    while end < len(buffer) and buffer[end] in _SPACE:
        end += 1
    if start > offset and end < len(buffer) and (not blank or buffer.count("\n", start, end) >= 2):
        return buffer.index("\n", start) + 1
    return None


def clean_in_windows(
    pipeline: Pipeline,
    text: str | Iterable[str],
    *,
    name: str | None = None,
    encoding: str | None = None,
    window_chars: int = WINDOW_CHARS,
    jobs: int = 1,
) -> Iterator[Window]:
    """Clean plain ``text`` (a string, or an iterable of pieces such as an open file) in windows.

    See :meth:`cleantext.Pipeline.clean_windows`.
    """
    chunks = [text] if isinstance(text, str) else text
    stitcher = _Stitcher(pipeline, name=name, encoding=encoding)
    # One window of look-ahead: a window only knows it is the last when no other follows.
    windows = _with_last(cut_windows(chunks, window_chars))
    if jobs <= 1:
        for source, last in windows:
            yield from stitcher.add(source, last=last)
        yield from stitcher.finish()
        return
    from cleantext.pipeline import _install_worker, run_window, run_window_in_worker  # it imports this module

    # Workers (and this process) take every window after the first for one that
    # goes on before it; the stitcher cleans one again if the text started later.
    work = ((source, (index > 0, not last), name) for index, (source, last) in enumerate(windows))
    cleaned = bounded_map(
        run_window_in_worker,
        work,
        jobs=jobs,
        ahead=2 * jobs + 1,
        initializer=_install_worker,
        initargs=(pipeline,),
        here=partial(run_window, pipeline),
    )
    for (source, continues, _), outcome in cleaned:
        yield from stitcher.add(source, last=not continues[1], cleaned=outcome)
    yield from stitcher.finish()


def _with_last(windows: Iterator[str]) -> Iterator[tuple[str, bool]]:
    previous = None
    for window in windows:
        if previous is not None:
            yield previous, False
        previous = window
    if previous is not None:
        yield previous, True


JUNCTION_CONTEXT = 200
"""Characters of text on either side of the line breaks where windows meet that the layout steps see there."""


class _Stitcher:
    """Cleans windows and mends the line breaks where their clean texts meet.

    Where two windows meet, the run of line breaks is the end of one clean
    text, any windows that came out blank, and the start of the next. The
    pipeline's own layout steps run over that run (with some text either side,
    and the text's start or end where it is one), and their edits are written
    back to the windows they fall in: the windows come out as the layout rules
    leave one text, whatever those rules say.
    """

    def __init__(self, pipeline: Pipeline, *, name: str | None, encoding: str | None) -> None:
        self.pipeline = pipeline
        self.name = name
        self.encoding = encoding
        stages, _ = pipeline._stages_for(pipeline.options["layout"])
        self.layout = [step for stage, steps in stages if stage == "layout" for step in steps]
        # Cleaned windows not yet handed on: the last one with text first (once
        # there is one), then those that came out empty or blank after it.
        self.held: list[tuple[Document, list[str]]] = []
        self.has_text = False
        self.source_at = 0
        self.output_at = 0

    def add(self, source: str, *, last: bool, cleaned: tuple[Document, list[str]] | None = None) -> list[Window]:
        """Clean the next window (or take it ``cleaned`` elsewhere); return the windows that are now final."""
        # The head of the clean text is in the first window that keeps any text.
        continues = (self.has_text, not last)
        if cleaned is None or cleaned[0].continues != continues:
            document = Document(source, continues=continues)
            cleaned = document, self.pipeline.run(document, name=self.name)
        document, warnings = cleaned
        self.held.append((document, warnings))
        if not document.text.strip("\n"):
            return []  # its line breaks join the run where text resumes
        self._mend(at_start=not self.has_text, at_end=False)
        ready = self._hand_on(self.held[:-1])
        self.held = self.held[-1:]
        self.has_text = True
        return ready

    def finish(self) -> list[Window]:
        """Mend the end of the text; return the windows still held."""
        self._mend(at_start=not self.has_text, at_end=True)
        return self._hand_on(self.held)

    def _mend(self, *, at_start: bool, at_end: bool) -> None:
        """Run the layout steps where the held windows meet, and write their edits back to the windows.

        The junction is the end of the first held window when it has text (with
        up to :data:`JUNCTION_CONTEXT` characters before its last line breaks),
        every blank window, and the start of the last one when it has text
        (its first line breaks and as many characters after them). It is a
        document that goes on before it unless it is the text's start, and
        after it unless it is the text's end.
        """
        pieces: list[tuple[Document, int, int]] = []  # a span of each held window's current text, in order
        for index, (document, _) in enumerate(self.held):
            text = document.text
            if not text.strip("\n"):
                pieces.append((document, 0, len(text)))
            elif index == 0 and self.has_text:
                pieces.append((document, max(0, len(text.rstrip("\n")) - JUNCTION_CONTEXT), len(text)))
            else:
                lead = len(text) - len(text.lstrip("\n"))
                pieces.append((document, 0, min(len(text), lead + JUNCTION_CONTEXT)))
        junction = Document("".join(d.text[a:b] for d, a, b in pieces), continues=(not at_start, not at_end))
        timeout = self.pipeline.timeout
        for step in self.layout:
            found = step.find(junction.text, timeout, junction.continues)
            if found:
                step.apply(junction, found, timeout, _ignore)
        if not junction.edit_count:
            return
        replacements: dict[int, list[tuple[int, int, str, RuleRef]]] = {}
        for edit in junction.edits():
            self._write_back(edit.src, edit.after, edit.rule, pieces, replacements)
        for index, found in replacements.items():
            pieces[index][0].apply_tagged(sorted(found, key=lambda replacement: replacement[:2]))

    @staticmethod
    def _write_back(
        span: tuple[int, int],
        after: str,
        rule: RuleRef,
        pieces: list[tuple[Document, int, int]],
        replacements: dict[int, list[tuple[int, int, str, RuleRef]]],
    ) -> None:
        """One junction edit as replacements in the windows it spans (what it writes goes to the first)."""
        start, end = span
        offset = 0
        for index, (_, low, high) in enumerate(pieces):
            length = high - low
            last = index == len(pieces) - 1
            if start == end:  # an insertion: at the end of the piece it touches first
                if offset <= start < offset + length or (start == offset + length and (last or not length)):
                    replacements.setdefault(index, []).append((low + start - offset, low + start - offset, after, rule))
                    return
            elif start < offset + length and end > offset:
                cut_start, cut_end = low + max(start, offset) - offset, low + min(end, offset + length) - offset
                replacements.setdefault(index, []).append((cut_start, cut_end, after, rule))
                after = ""
            offset += length

    def _hand_on(self, held: list[tuple[Document, list[str]]]) -> list[Window]:
        windows = []
        for document, warnings in held:
            result = Result.from_document(document, name=self.name, encoding=self.encoding, warnings=warnings)
            windows.append(Window(result, self.source_at, self.output_at))
            self.source_at += len(document.source)
            self.output_at += len(document.text)
        return windows


def _ignore(text: str, replacements: object, before: str) -> None:
    """Nothing to scan: the junction's steps run without a plan."""


def merged_metadata(windows_metadata: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The metadata of a document cleaned in windows, from its windows' in order: each key's first value."""
    metadata: dict[str, Any] = {}
    for window_metadata in windows_metadata:
        for key, value in window_metadata.items():
            metadata.setdefault(key, value)
    return metadata
