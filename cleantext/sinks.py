"""Sinks: cleaned documents written to a stream as text, JSON or JSON Lines, whole or window by window.

The command line writes through them (to standard output or an atomic file,
see :mod:`cleantext.outputs`); a long document cleaned in windows streams its
JSON with the edits spooled to disk, so memory stays at a few windows.

Example::

    >>> import io
    >>> from cleantext import clean
    >>> stream = io.BytesIO()
    >>> sink = Sink(stream, fmt="jsonl", many=True, provenance=False, text_field="text")
    >>> sink.document(clean("Kiev  said.", name="a.txt"))
    >>> sink.close()
    >>> stream.getvalue().decode().startswith('{"source": "a.txt"')
    True
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from typing import IO, Any

from cleantext.emit import Cleaned, Result
from cleantext.explain import marked_text, render_explain, unified_diff
from cleantext.inputs import set_field
from cleantext.windows import Window, merged_metadata

__all__ = ["Sink", "encode_json", "json_bytes", "json_line"]


class Sink:
    """Writes cleaned documents in one output format to one stream.

    ``fmt``: ``text`` (the clean text), ``json`` (one JSON object, or an array
    of them when ``many``) or ``jsonl`` (one object a line); ``view``:
    ``clean``, or ``mark``, ``explain`` or ``diff`` (what cleaning would do);
    ``provenance``: JSON Lines records carry their edits; ``text_field``: the
    field of a JSON Lines record that holds its text.
    """

    def __init__(
        self, stream: IO[bytes], *, fmt: str, many: bool, provenance: bool, text_field: str, view: str = "clean"
    ) -> None:
        self.stream = stream
        self.fmt = fmt
        self.many = many
        self.provenance = provenance or view == "mark"
        self.text_field = text_field
        self.view = view
        self.count = 0
        self.passed_through = 0

    def writes_text_only(self, *, records: bool) -> bool:
        """Whether all this sink writes of a document (``records``: of a JSON Lines record) is its
        clean text, so that a :class:`~cleantext.emit.Cleaned` does for the whole result."""
        if self.view != "clean" or self.fmt == "json":
            return False
        return not self.provenance if records else self.fmt == "text"

    def document(self, result: Result | Cleaned) -> None:
        """Write one cleaned document (a :class:`~cleantext.emit.Cleaned` where :meth:`writes_text_only`)."""
        if self.view in ("explain", "diff") or (self.view == "mark" and self.fmt == "text"):
            self._show(result)
        elif self.fmt == "text":
            self.stream.write(result.text.encode("utf-8"))
        elif self.fmt == "jsonl":
            self.stream.write(json_line(result.to_dict()))
        else:
            prefix = (b"[\n" if self.count == 0 else b",\n") if self.many else b""
            self.stream.write(prefix + encode_json(result.to_json(pretty=True)))
            if not self.many:
                self.stream.write(b"\n")
        self.count += 1

    def windows(self, windows: Iterable[Window], *, name: str | None, encoding: str | None) -> None:
        """Write one document cleaned in windows, window by window, as :meth:`document` writes it whole."""
        if self.fmt == "text":
            for window in windows:
                self.stream.write(window.text.encode("utf-8"))
            self.count += 1
            return
        pretty = self.fmt == "json"
        if pretty and self.many:
            self.stream.write(b"[\n" if self.count == 0 else b",\n")
        separator = b",\n  " if pretty else b", "
        write = self.stream.write
        write((b"{\n  " if pretty else b"{") + b'"source": ' + json_bytes(name))
        write(separator + b'"encoding": ' + json_bytes(encoding) + separator + b'"text": "')
        metadata: list[Mapping[str, Any]] = []  # each window's: a few small dicts
        warnings: list[str] = []
        edits = 0
        # The edits come with the text but are written after it: they wait on disk.
        with tempfile.TemporaryFile() as spool:
            for window in windows:
                write(json_bytes(window.text)[1:-1])
                for edit in window.edits():
                    spool.write(b"" if edits == 0 else (b",\n    " if pretty else b", "))
                    spool.write(json_bytes(edit.to_dict()))
                    edits += 1
                metadata.append(window.result.metadata)
                warnings += window.result.warnings
            write(b'"' + separator + b'"edits": [')
            if edits:
                write(b"\n    " if pretty else b"")
                spool.seek(0)
                shutil.copyfileobj(spool, self.stream)
                write(b"\n  " if pretty else b"")
        write(b"]" + separator + b'"metadata": ' + json_bytes(merged_metadata(metadata)))
        write(separator + b'"warnings": ' + json_bytes(warnings) + (b"\n}" if pretty else b"}\n"))
        if pretty and not self.many:
            write(b"\n")
        self.count += 1

    def _show(self, result: Result) -> None:
        if self.view == "diff":
            self.stream.write(unified_diff(result).encode("utf-8"))
            return
        if self.many:
            self.stream.write(f"==> {result.name or 'document'} <==\n".encode())
        if self.view == "explain" and self.stream is sys.stdout.buffer and sys.stdout.isatty():
            from rich.console import Console

            sys.stdout.flush()
            Console(highlight=False).print(render_explain(result), end="")
        else:
            self.stream.write(marked_text(result).encode("utf-8"))
        if self.many:
            self.stream.write(b"\n")

    def record(self, record: dict[str, Any], result: Result | Cleaned) -> None:
        """Write a JSON Lines record with its text field replaced by the clean text (and its edits;
        a :class:`~cleantext.emit.Cleaned` where :meth:`writes_text_only`)."""
        if self.fmt == "json" or self.view in ("explain", "diff"):
            self.document(result)
            return
        if self.view != "mark":
            set_field(record, self.text_field, result.text)
        if self.provenance:
            details = result.to_dict()
            record["cleantext"] = {key: details[key] for key in ("encoding", "edits", "metadata", "warnings")}
        self.stream.write(json_line(record))
        self.count += 1

    def raw(self, line: bytes) -> None:
        """A JSON Lines input line passed through untouched (``--on-error keep``)."""
        self.stream.write(line.rstrip(b"\r\n") + b"\n")
        self.passed_through += 1

    def close(self) -> None:
        """End the output (a JSON array's bracket) and flush it."""
        if self.fmt == "json" and self.many:
            self.stream.write(b"[]\n" if self.count == 0 else b"\n]\n")
        self.stream.flush()


def json_bytes(value: Any) -> bytes:
    """``value`` as JSON in UTF-8 (see :func:`_encode`)."""
    return encode_json(json.dumps(value, ensure_ascii=False))


def json_line(value: Any) -> bytes:
    """``value`` as one line of JSON Lines in UTF-8."""
    return encode_json(json.dumps(value, ensure_ascii=False) + "\n")


def encode_json(json_text: str) -> bytes:
    """JSON text as UTF-8. Lone surrogates (a file name of undecodable bytes,
    text that had them) cannot be UTF-8; inside a JSON string they become
    ``\\udcXX`` escapes, and everything else stays as it is."""
    return json_text.encode("utf-8", errors="backslashreplace")
