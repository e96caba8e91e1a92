"""The repair stage: mojibake and broken Unicode fixed with ftfy, one edit per fix.

A ``ftfy`` rule names the ftfy fixes it runs (``fixes``) and a cheap ``pattern``
that finds the characters those fixes act on. Only the lines the pattern finds
go through ftfy, so clean text pays one C-speed scan per rule and nothing more.
ftfy works on whole lines, as :func:`ftfy.fix_text` does, because whether a run
of characters is mojibake depends on the rest of the line; the fixed line is
then compared with the original and only the characters that differ become
replacements, so a repaired ``CafÃ©`` is one edit of two characters, not a
rewritten paragraph.

Example::

    >>> from cleantext.rules import RepairRule
    >>> rule = RepairRule(id="demo.mojibake", category="repair", stage="repair", action="replace",
    ...             description="", pattern="Ã.", fixes=("fix_encoding",))
    >>> find_repairs(rule, "Fine.\\nCafÃ© open.\\n", 0, 20, None)
    [(9, 11, 'é')]
"""

from __future__ import annotations

import importlib.util
import re
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cleantext.cache import persisted
from cleantext.native import native_pattern, native_text
from cleantext.rules import FTFY_FIXES, Rule

if TYPE_CHECKING:
    import ftfy

# ftfy is imported where a fix runs (it takes a quarter of the time `import cleantext` takes): most
# documents have no line a repair rule's gate flags, and ftfy's test for mojibake reaches the core
# as a pattern kept in the startup cache (see _badness).

__all__ = ["ENCODING_FIXES", "badness_anywhere_on_core", "find_repairs", "gate_on_core"]

_LONG_LINE = 100_000
"""Longer lines go to ftfy in pieces cut at spaces, so one huge line costs linear time."""

_FINE_DIFF = 2_000
"""Changed stretches up to this long are split into per-character-run edits."""


@lru_cache(maxsize=64)
def _config(fixes: tuple[str, ...]) -> ftfy.TextFixerConfig:
    import ftfy

    # Everything off but the rule's own fixes: quotes, NFC and line breaks belong
    # to other rules, and one rule's edits must be explained by that rule alone.
    switches: dict[str, object] = {name: False for name in FTFY_FIXES}
    for name in fixes:
        switches[name] = "auto" if name == "unescape_html" else True
    return ftfy.TextFixerConfig(**switches, normalization=None, fix_line_breaks=False, explain=False)


def find_repairs(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> list[tuple[int, int, str]]:
    """Replacements for what the rule's ftfy fixes change on the lines its pattern finds."""
    gate = rule.compiled
    config = _config(rule.fixes)
    core = gate_on_core(rule.pattern)
    # The core finds every place at once; the lines are then taken in order, as the searches below would.
    spans = core.replacements(native_text(text), low, high) if core is not None else None
    hits = iter(spans) if spans is not None else None
    found: list[tuple[int, int, str]] = []
    position = low
    while True:
        if hits is None:
            hit = gate.search(text, position, high)
            if hit is None:
                return found
            hit_start, hit_end = hit.span()
        else:
            hit_start, hit_end = next(((start, end) for start, end, _ in hits if start >= position), (-1, -1))
            if hit_start < 0:
                return found
        line_start = max(text.rfind("\n", low, hit_start) + 1, low)
        line_end = text.find("\n", hit_end, high)
        if line_end < 0:
            line_end = high
        for start, end in _pieces(text, line_start, line_end):
            piece = text[start:end]
            if _holds(core, gate, piece) and _may_change(rule.fixes, piece):
                fixed = _fix_text(piece, config)
                if fixed != piece:
                    found.extend((start + a, start + b, new) for a, b, new in _differences(piece, fixed))
        position = max(line_end, hit_end)


def _fix_text(text: str, config: ftfy.TextFixerConfig) -> str:
    import ftfy

    return ftfy.fix_text(text, config)


def gate_on_core(pattern: str) -> Any | None:
    """The core's form of a repair rule's gate ``pattern``, or None: Python searches it.

    The gate is a pattern of Python's ``re`` (it scans large character classes
    fastest), which the core reads as ``regex`` does. The two agree but for
    class escapes (``re``'s ``\\w`` takes "²", ``regex``'s does not), word
    boundaries and flags: a gate with any of those stays on Python.
    """
    return native_pattern(pattern) if _reads_alike(pattern) else None


@lru_cache(maxsize=256)  # asked once per document: reading a long gate costs more than searching a text
def _reads_alike(pattern: str) -> bool:
    return _DIALECTS_DIFFER.search(pattern) is None


_DIALECTS_DIFFER = re.compile(r"\\[wWsSdDbB]|\(\?")
"""What ``re`` and ``regex`` may read apart in a pattern: class escapes, word boundaries, flags."""


def _holds(core: Any | None, gate: Any, piece: str) -> bool:
    """Whether the rule's pattern finds something in one piece of a line (on the core where it reads the piece)."""
    first = core.first(piece) if core is not None else None
    return bool(first) if first is not None else gate.search(piece) is not None


ENCODING_FIXES = frozenset(
    {"fix_encoding", "restore_byte_a0", "replace_lossy_sequences", "decode_inconsistent_utf8", "fix_c1_controls"}
)
"""The ftfy fixes that change nothing on a text ftfy's own test (``ftfy.badness.is_bad``) finds no mojibake in."""


def _may_change(fixes: tuple[str, ...], piece: str) -> bool:
    """False where ``fixes`` are sure to leave ``piece`` as it is: they are :data:`ENCODING_FIXES`, and
    the core finds nothing in it that ftfy's test could take for mojibake; else True (ftfy decides)."""
    if not ENCODING_FIXES.issuperset(fixes):
        return True
    badness = _badness_on_core()
    first = badness.first(piece) if badness is not None else None
    return first is None or bool(first)


def _badness_on_core() -> Any | None:
    """ftfy's test for mojibake on the core, or None (no core)."""
    return native_pattern(_badness())


def badness_anywhere_on_core() -> Any | None:
    """ftfy's test for mojibake on the core without its anchors (:func:`_badness_anywhere`): what it
    finds in a piece of a line, it finds in the line. None: no core, or a test whose anchors are
    not dropped so simply."""
    anywhere = _badness_anywhere()
    return None if anywhere is None else native_pattern(anywhere)


@lru_cache(maxsize=1)
def _badness() -> str:
    """ftfy's test for mojibake (``ftfy.badness.BADNESS_RE``) as the core searches it (:func:`_widened`),
    kept in the startup cache by the size and time of the file ftfy defines it in."""
    spec = importlib.util.find_spec("ftfy")
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    source = Path(folders[0], "badness.py") if folders else None
    if source is None or not source.is_file():  # not a folder of files: nothing to know it by
        return _widened()
    status = source.stat()
    return _kept_widened((str(source), status.st_size, status.st_mtime_ns))


@persisted
def _kept_widened(source: tuple[str, int, int]) -> str:
    """:func:`_widened`, kept by the file it comes from (``source``: its path, size and time)."""
    return _widened()


def _widened() -> str:
    """``ftfy.badness.BADNESS_RE``, a pattern of Python's ``re``, whose ``\\w`` and ``\\s`` take
    characters that the ``regex`` dialect the core follows does not (``³``, ``\\x1c``), widened
    (any character; ``\\s`` and those four), so that the core finds all that ftfy's test finds, and
    a little more, on which ftfy then decides."""
    import ftfy.badness

    return "(?x)" + ftfy.badness.BADNESS_RE.pattern.replace("\\w", "(?s:.)").replace("\\s", "[\\s\\x1c-\\x1f]")


def _unanchored(pattern: str) -> str | None:
    """``pattern`` with its anchors ``^`` and ``$`` (outside character classes and, in a verbose
    pattern, comments) dropped, so that it matches in a text wherever it matches in a piece of it;
    None where that cannot be had so simply (a look-around, a word boundary, ``\\A`` or ``\\Z``)."""
    if re.search(r"\(\?<?[=!]|\\[AbBZz]", pattern):
        return None
    verbose = pattern.startswith("(?x)")
    kept: list[str] = []
    in_class = escaped = comment = False
    for position, character in enumerate(pattern):
        if comment:
            comment = character != "\n"
        elif escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif in_class:
            # A "]" right after "[" or "[^" is a member, not the class's end.
            in_class = character != "]" or pattern[position - 1] == "[" or pattern[position - 2 : position] == "[^"
        elif character == "[":
            in_class = True
        elif verbose and character == "#":
            comment = True
        elif character in "^$":
            continue
        kept.append(character)
    return "".join(kept)


@lru_cache(maxsize=1)
def _badness_anywhere() -> str | None:
    """:func:`_badness` without its anchors (see :func:`_unanchored`): ftfy's test for mojibake over a
    whole line, which finds in the line whatever it finds in a piece of it (the test anchors one of its
    cases at the start of what it is given)."""
    return _unanchored(_badness())


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut at spaces into pieces of at most about :data:`_LONG_LINE` characters."""
    pieces = []
    while end - start > _LONG_LINE:
        cut = text.rfind(" ", start + _LONG_LINE // 2, start + _LONG_LINE)
        cut = start + _LONG_LINE if cut < 0 else cut + 1
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def _differences(old: str, new: str) -> list[tuple[int, int, str]]:
    """The smallest replacements that turn ``old`` into ``new``, in ``old`` coordinates."""
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_middle, new_middle = old[head : len(old) - tail], new[head : len(new) - tail]
    if len(old_middle) > _FINE_DIFF or len(new_middle) > _FINE_DIFF:
        return [(head, len(old) - tail, new_middle)]
    matcher = SequenceMatcher(None, old_middle, new_middle, autojunk=False)
    return [(head + i1, head + i2, new_middle[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]
