"""Find the inputs of a run and read them: files, folders (recursed), stdin, JSON Lines.

Example::

    >>> records = list(read_jsonl_records(b'{"id": 1, "text": "Hi"}\\n\\n[1]\\n', "c.jsonl", "text"))
    >>> [(r.line, r.text, r.error) for r in records]
    [(1, 'Hi', None), (3, None, 'c.jsonl:3: expected a JSON object, got list')]
"""

from __future__ import annotations

import fnmatch
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Input", "JsonRecord", "discover", "get_field", "read_bytes", "read_jsonl_records", "set_field"]

JSONL_SUFFIXES = (".jsonl", ".ndjson")


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
        """Whether the name says JSON Lines."""
        return self.label.lower().endswith(JSONL_SUFFIXES)


def discover(paths: Iterable[str], *, exclude: Iterable[str] = (), skip: Path | None = None) -> Iterator[Input]:
    """Expand ``paths`` (files, folders, ``-``) into inputs, in a stable order.

    Folders are walked recursively in sorted order, without following links to
    folders and without hidden entries; names matching an ``exclude`` glob and
    anything under ``skip`` (the output folder) are left out.
    """
    patterns = tuple(exclude)
    skip_resolved = skip.resolve() if skip is not None else None
    for given in paths:
        if given == "-":
            yield Input("-", None, Path("stdin"))
            continue
        path = Path(given)
        if path.is_dir():
            yield from _walk(path, patterns, skip_resolved)
        elif path.exists():
            yield Input(given, path, Path(path.name))
        else:
            yield Input(given, path, Path(path.name), error="no such file or folder")


def _walk(root: Path, patterns: tuple[str, ...], skip: Path | None) -> Iterator[Input]:
    for folder, subfolders, files in os.walk(root, onerror=None, followlinks=False):
        here = Path(folder)
        if skip is not None and _is_within(here.resolve(), skip):
            subfolders[:] = []
            continue
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or any(fnmatch.fnmatch(name, p) for p in patterns):
                continue
            path = here / name
            yield Input(str(path), path, path.relative_to(root))


def _is_within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def read_bytes(item: Input) -> bytes:
    """The bytes of an input (stdin read whole); raises OSError as the OS reports it."""
    if item.path is None:
        return sys.stdin.buffer.read()
    if item.path.is_dir():
        raise IsADirectoryError(21, "is a folder", str(item.path))
    return item.path.read_bytes()


@dataclass(frozen=True, slots=True)
class JsonRecord:
    """One line of a JSON Lines input: its record and text, or the error that stops it."""

    line: int
    record: dict[str, Any] | None
    text: str | None
    error: str | None = None


def read_jsonl_records(data: bytes, label: str, field: str) -> Iterator[JsonRecord]:
    """Parse JSON Lines, one record per non-blank line; bad lines become error records.

    ``field`` may be a dotted path (``meta.body``) into nested objects.
    """
    for number, raw in enumerate(data.splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{label}:{number}"
        try:
            record = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            yield JsonRecord(number, None, None, f"{where}: invalid JSON ({error})")
            continue
        if not isinstance(record, dict):
            yield JsonRecord(number, None, None, f"{where}: expected a JSON object, got {type(record).__name__}")
            continue
        try:
            text = get_field(record, field)
        except KeyError:
            yield JsonRecord(number, record, None, f"{where}: no field {field!r}; choose it with --text-field")
            continue
        if not isinstance(text, str):
            yield JsonRecord(number, record, None, f"{where}: field {field!r} is {type(text).__name__}, not a string")
            continue
        yield JsonRecord(number, record, text)


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
