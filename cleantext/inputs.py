"""Find the inputs of a run and read them: files, folders (recursed), stdin, JSON Lines.

Example::

    >>> records = list(read_jsonl_records(b'{"id": 1, "text": "Hi"}\\n\\n[1]\\n', "c.jsonl", "text"))
    >>> [(r.line, r.text, r.error) for r in records]
    [(1, 'Hi', None), (3, None, 'c.jsonl:3: expected a JSON object, got list')]
"""

from __future__ import annotations

import bz2
import errno
import fnmatch
import gzip
import io
import json
import lzma
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import zstandard

from cleantext.decode import refuse_binary_head
from cleantext.errors import InputError

__all__ = [
    "DECOMPRESSION_ERRORS",
    "MAX_DOCUMENT_BYTES",
    "CountingReader",
    "Input",
    "JsonRecord",
    "compression_of",
    "discover",
    "get_field",
    "looks_like_jsonl",
    "open_input",
    "read_bytes",
    "read_jsonl_records",
    "set_field",
    "stdin_looks_like_jsonl",
    "stdin_stream",
]

JSONL_SUFFIXES = (".jsonl", ".ndjson")
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")

MAX_DOCUMENT_BYTES = 512 * 2**20
"""The most bytes (unpacked) of one document cleaned whole: a page, a JSON Lines record, legacy text."""

READ_CHUNK_BYTES = 1 << 20
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


@dataclass(frozen=True, slots=True)
class Input:
    """One input: a file (``path``), or stdin when ``path`` is None.

    ``relative`` is the name it gets under an output folder; ``error`` is set
    when the input could not even be listed.
    """

    label: str
    path: Path | None
    relative: Path
    error: str | None = None

    @property
    def is_jsonl(self) -> bool:
        """Whether the name says JSON Lines (``corpus.jsonl``, ``corpus.jsonl.gz``)."""
        name = self.label.lower()
        for suffix in COMPRESSED_SUFFIXES:
            name = name.removesuffix(suffix)
        return name.endswith(JSONL_SUFFIXES)


def discover(
    paths: Iterable[str], *, exclude: Iterable[str] = (), skip: Path | None = None, follow_links: bool = False
) -> Iterator[Input]:
    """Expand ``paths`` (files, folders, ``-``) into inputs, in a stable order.

    Folders are walked recursively in sorted order, without hidden entries;
    names matching an ``exclude`` glob and anything under ``skip`` (the output
    folder) are left out. In a walk, only regular files are read: a FIFO, a
    socket or a device is an input with an error, and so is a symbolic link
    that loops or, unless ``follow_links``, leads out of the folder given.
    With ``follow_links`` links to folders are walked too, each folder once.
    A path given by name is read whatever it is.
    """
    patterns = tuple(exclude)
    skip_resolved = skip.resolve() if skip is not None else None
    for given in paths:
        if given == "-":
            yield Input("-", None, Path("stdin"))
            continue
        path = Path(given)
        if path.is_dir():
            yield from _walk(path, patterns, skip_resolved, follow_links)
        elif path.exists():
            yield Input(given, path, Path(path.name))
        elif path.is_symlink():
            yield Input(given, path, Path(path.name), error=_broken_link(path))
        else:
            yield Input(given, path, Path(path.name), error="no such file or folder")


def _walk(root: Path, patterns: tuple[str, ...], skip: Path | None, follow_links: bool) -> Iterator[Input]:
    inside = root.resolve()
    seen: set[tuple[int, int]] = set()
    for folder, subfolders, files in os.walk(root, onerror=None, followlinks=follow_links):
        here = Path(folder)
        if skip is not None and _is_within(here.resolve(), skip):
            subfolders[:] = []
            continue
        if follow_links:  # only through links can a walk reach a folder twice
            identity = os.stat(here)
            if (identity.st_dev, identity.st_ino) in seen:
                subfolders[:] = []  # reached again through a link: walked once already
                continue
            seen.add((identity.st_dev, identity.st_ino))
        kept = []
        for name in sorted(d for d in subfolders if not d.startswith(".")):
            link = here / name
            if link.is_symlink() and not follow_links and not _is_within(link.resolve(), inside):
                yield Input(str(link), link, link.relative_to(root), error=_outside(link))
            kept.append(name)
        subfolders[:] = kept
        for name in sorted(files):
            if name.startswith(".") or any(fnmatch.fnmatch(name, p) for p in patterns):
                continue
            path = here / name
            yield Input(str(path), path, path.relative_to(root), error=_unreadable_in_walk(path, inside, follow_links))


def _unreadable_in_walk(path: Path, inside: Path, follow_links: bool) -> str | None:
    """Why a walk does not read ``path``, or None for a regular file it reads."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except RuntimeError:
            return "symbolic link loop; skipped"
        except OSError as error:
            if error.errno == errno.ELOOP:
                return "symbolic link loop; skipped"
            return _broken_link(path)
        if not follow_links and not _is_within(target, inside):
            return _outside(path)
    try:
        mode = path.stat().st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symbolic link loop; skipped"
        return None  # reading it reports the reason
    if stat.S_ISREG(mode):
        return None
    kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
    return f"{kind}, not a regular file; skipped (name it on the command line to read it)"


def _outside(link: Path) -> str:
    return f"symbolic link to {os.readlink(link)}, outside the folder; skipped (--follow-links reads it)"


def _broken_link(link: Path) -> str:
    return f"symbolic link to {os.readlink(link)}, which does not exist"


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def open_input(item: Input) -> BinaryIO:
    """A binary stream of an input, decompressed when its first bytes say gzip, bz2, xz or zstd.

    Raises OSError as the OS reports it, and :class:`InputError` for a
    compressed stream that cannot be read.
    """
    if item.path is None:
        buffered = stdin_stream()
    elif item.path.is_dir():
        raise IsADirectoryError(21, "is a folder", str(item.path))
    else:
        buffered = item.path.open("rb")
    head = buffered.peek(8)[:8]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return _decompressed(buffered, kind)
    return buffered


_stdin_wrapper: tuple[object, io.BufferedReader] | None = None


def stdin_stream() -> io.BufferedReader:
    """Standard input as one buffered stream, so that what is peeked at is still there to read."""
    global _stdin_wrapper
    raw = sys.stdin.buffer
    if isinstance(raw, io.BufferedReader):
        return raw
    if _stdin_wrapper is None or _stdin_wrapper[0] is not raw:
        _stdin_wrapper = (raw, io.BufferedReader(raw))  # type: ignore[arg-type]
    return _stdin_wrapper[1]


_stdin_verdict: tuple[io.BufferedReader, bool] | None = None


def stdin_looks_like_jsonl() -> bool:
    """:func:`looks_like_jsonl` for standard input, asked once (it may be read and closed afterwards)."""
    global _stdin_verdict
    stream = stdin_stream()
    if _stdin_verdict is None or _stdin_verdict[0] is not stream:
        _stdin_verdict = (stream, looks_like_jsonl(stream))
    return _stdin_verdict[1]


def looks_like_jsonl(stream: io.BufferedReader) -> bool:
    """Whether a stream (stdin) starts with a JSON object on a line of its own; reads nothing off it.

    >>> looks_like_jsonl(io.BufferedReader(io.BytesIO(b'\\n{"text": "Hi"}\\n{"text": "Bye"}\\n')))
    True
    >>> looks_like_jsonl(io.BufferedReader(io.BytesIO(b'{braces} in plain text\\n')))
    False
    """
    head = stream.peek(1 << 16).lstrip()
    if not head.startswith(b"{"):
        return False
    line, newline, _ = head.partition(b"\n")
    if not newline:
        # A record longer than what can be peeked: an object's first key is enough of a sign.
        return head[1:].lstrip().startswith(b'"')
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def compression_of(path: Path) -> str | None:
    """``gzip``, ``bz2``, ``xz`` or ``zstd`` when the file's first bytes say so, else None."""
    with path.open("rb") as stream:
        head = stream.read(8)
    return next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)


def _decompressed(stream: BinaryIO, kind: str) -> BinaryIO:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=stream)  # type: ignore[return-value]
    if kind == "bz2":
        return bz2.BZ2File(stream)  # type: ignore[return-value]
    if kind == "xz":
        return lzma.LZMAFile(stream)  # type: ignore[return-value]
    # The zstd reader has no line iteration of its own; a buffer gives it one.
    reader = zstandard.ZstdDecompressor().stream_reader(stream, read_across_frames=True)
    return io.BufferedReader(reader)  # type: ignore[arg-type]


DECOMPRESSION_ERRORS = (EOFError, gzip.BadGzipFile, lzma.LZMAError, zstandard.ZstdError)
"""What a truncated or corrupt compressed stream raises while it is read."""


def read_bytes(item: Input, *, limit: int | None = MAX_DOCUMENT_BYTES) -> bytes:
    """The whole (decompressed) bytes of an input; raises OSError, or InputError for broken compression.

    Decompression streams: binary content is refused on its first bytes
    (a compressed run of zeros never unpacks), and an input of more than
    ``limit`` bytes once unpacked is refused as it reaches the limit.
    """
    with open_input(item) as stream:
        try:
            head = stream.read(READ_CHUNK_BYTES)
            refuse_binary_head(head)
            pieces = [head]
            size = len(head)
            while chunk := stream.read(READ_CHUNK_BYTES):
                size += len(chunk)
                if limit is not None and size > limit:
                    raise InputError(_too_large(limit))
                pieces.append(chunk)
            return b"".join(pieces)
        except (*DECOMPRESSION_ERRORS, ValueError) as error:
            raise InputError(f"cannot decompress ({error or type(error).__name__})") from None


class CountingReader:
    """A binary stream that counts the bytes read through it (the unpacked size of a compressed input)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        """Read as the wrapped stream does, and count."""
        data = self.stream.read(size)
        self.count += len(data)
        return data


def _too_large(limit: int) -> str:
    return (
        f"more than {limit / 2**20:g} MB to clean whole (unpacked); raise --max-size, or for plain text "
        "let it be cleaned in windows (--window)"
    )


@dataclass(frozen=True, slots=True)
class JsonRecord:
    """One line of a JSON Lines input: its record and text, or the error that stops it."""

    line: int
    record: dict[str, Any] | None
    text: str | None
    error: str | None = None
    raw: bytes = b""


def read_jsonl_records(
    lines: bytes | Iterable[bytes], label: str, field: str, *, limit: int | None = MAX_DOCUMENT_BYTES
) -> Iterator[JsonRecord]:
    """Parse JSON Lines, one record per non-blank line; bad lines become error records.

    ``lines`` is the whole input or, for streaming, an iterable of lines (an
    open binary file). ``field`` may be a dotted path (``meta.body``). From a
    stream, a line of more than ``limit`` bytes is an error record, skipped
    without being held in memory.
    """
    if isinstance(lines, bytes):
        # Lines end at "\n" only, as when a file is read line by line: a lone
        # "\r" is whitespace inside a JSON value.
        lines = lines.split(b"\n")
    elif limit is not None and hasattr(lines, "readline"):
        lines = _bounded_lines(lines, limit)  # type: ignore[arg-type]
    for number, raw in enumerate(lines, 1):
        where = f"{label}:{number}"
        if raw is None:
            yield JsonRecord(number, None, None, f"{where}: {_too_large(limit or 0)}")
            continue
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except ValueError as error:  # also UnicodeDecodeError, and numbers too long to convert
            yield JsonRecord(number, None, None, f"{where}: invalid JSON ({error})", raw=raw)
            continue
        except RecursionError:
            yield JsonRecord(number, None, None, f"{where}: invalid JSON (nested too deeply)", raw=raw)
            continue
        if not isinstance(record, dict):
            kind = type(record).__name__
            yield JsonRecord(number, None, None, f"{where}: expected a JSON object, got {kind}", raw=raw)
            continue
        try:
            text = get_field(record, field)
        except KeyError:
            yield JsonRecord(number, record, None, f"{where}: no field {field!r}; choose it with --text-field", raw=raw)
            continue
        if not isinstance(text, str):
            yield JsonRecord(
                number, record, None, f"{where}: field {field!r} is {type(text).__name__}, not a string", raw=raw
            )
            continue
        yield JsonRecord(number, record, text, raw=raw)


def _bounded_lines(stream: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """The lines of a stream; None for a line longer than ``limit`` bytes, which is read past, not kept."""
    while line := stream.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(READ_CHUNK_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield line


def get_field(record: dict[str, Any], dotted: str) -> Any:
    """The value at a dotted path; KeyError when any step is missing."""
    value: Any = record
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(dotted)
        value = value[part]
    return value


def set_field(record: dict[str, Any], dotted: str, value: Any) -> None:
    """Set the value at a dotted path that :func:`get_field` found."""
    *parents, last = dotted.split(".")
    target = record
    for part in parents:
        target = target[part]
    target[last] = value
