"""The document under cleaning: source text, current text and the edits between them.

Every stage changes a :class:`Document` only through :meth:`Document.apply`, which
takes replacements in current-text coordinates and composes them with the edits
already recorded, so provenance is kept by construction and never rebuilt.

Example::

    >>> doc = Document("a  b\\r\\n")
    >>> doc.apply([(1, 3, " ")], rule=RuleRef("whitespace.runs", "whitespace"))
    1
    >>> doc.apply([(3, 5, "\\n")], rule=RuleRef("whitespace.line-endings", "whitespace"))
    1
    >>> doc.text
    'a b\\n'
    >>> [(e.src, e.after, e.rule_ids) for e in doc.edits()]
    [((1, 3), ' ', ('whitespace.runs',)), ((4, 6), '\\n', ('whitespace.line-endings',))]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = ["Document", "EditRecord", "RuleRef"]


class RuleRef(NamedTuple):
    """The identity of the rule behind a replacement: its id and its category."""

    id: str
    category: str


# An edit as stored while cleaning: (src_start, src_end, after, rules). Output
# offsets are not stored: they follow from the source offsets and the lengths of
# the replacements before, so passing an edit through a rule pass costs nothing.
_Stored = tuple[int, int, str, tuple[RuleRef, ...]]


@dataclass(frozen=True, slots=True)
class EditRecord:
    """One edit in both coordinate systems, as reported by :meth:`Document.edits`."""

    src: tuple[int, int]
    out: tuple[int, int]
    before: str
    after: str
    rules: tuple[RuleRef, ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The ids of the rules that produced this edit, in the order they acted."""
        return tuple(rule.id for rule in self.rules)


class Document:
    """Source text, current text and the sorted, non-overlapping edits between them."""

    __slots__ = ("_edits", "metadata", "source", "text")

    def __init__(self, source: str) -> None:
        self.source = source
        self.text = source
        self.metadata: dict[str, Any] = {}
        self._edits: list[_Stored] = []

    def apply(self, replacements: Iterable[tuple[int, int, str]], *, rule: RuleRef) -> int:
        """Replace spans of the current text and record each change as an edit.

        ``replacements`` are ``(start, end, new_text)`` in current-text
        coordinates, sorted and non-overlapping. A replacement that changes
        nothing is skipped; one that overlaps earlier edits absorbs them, and an
        edit whose result equals its source text again is dropped. The cost is
        linear in the number of existing edits plus new replacements.

        Returns the number of replacements that changed the text.
        """
        return self.apply_tagged(((s, e, t, rule) for s, e, t in replacements))

    def apply_tagged(self, replacements: Iterable[tuple[int, int, str, RuleRef]]) -> int:
        """Like :meth:`apply`, with a rule for each replacement (for fused rule passes)."""
        text = self.text
        source = self.source
        old = self._edits
        n_old = len(old)
        merged: list[_Stored] = []
        pieces: list[str] = []
        copied_to = 0
        i = 0
        delta = 0  # source offset minus current offset, between edits
        applied = 0
        previous_end = 0
        for start, end, new, rule in replacements:
            if start < previous_end or end < start or end > len(text):
                raise ValueError(
                    f"replacement ({start}, {end}) of rule {rule.id} is out of order, "
                    f"overlapping or out of range (text length {len(text)})"
                )
            previous_end = end
            if text[start:end] == new:
                continue
            applied += 1
            # Edits that end at or before the replacement pass through untouched.
            while i < n_old:
                e_src_start, e_src_end, e_after, _ = old[i]
                if e_src_start - delta + len(e_after) > start:
                    break
                merged.append(old[i])
                delta += (e_src_end - e_src_start) - len(e_after)
                i += 1
            src_start = start + delta
            prefix = suffix = ""
            src_end = -1
            rules: tuple[RuleRef, ...] = ()
            # Edits overlapping the replacement are absorbed into one merged edit.
            while i < n_old:
                e_src_start, e_src_end, e_after, e_rules = old[i]
                e_out_start = e_src_start - delta
                if e_out_start >= end:
                    break
                if not new and not e_after:
                    # A removal around an earlier removal shares no source text
                    # with it: record the part before it and keep the earlier
                    # edit (and its rule) as it is.
                    if prefix != source[src_start:e_src_start]:
                        merged.append((src_start, e_src_start, prefix, (*rules, rule)))
                    merged.append(old[i])
                    delta += e_src_end - e_src_start
                    i += 1
                    src_start, prefix, rules = e_src_end, "", ()
                    continue
                if e_out_start < start:
                    src_start = e_src_start
                    prefix = e_after[: start - e_out_start]
                e_out_end = e_out_start + len(e_after)
                if e_out_end > end:
                    src_end = e_src_end
                    suffix = e_after[end - e_out_start :]
                rules += e_rules
                delta += (e_src_end - e_src_start) - len(e_after)
                i += 1
            if src_end < 0:
                src_end = end + delta
            after = prefix + new + suffix
            if after != source[src_start:src_end]:
                merged.append((src_start, src_end, after, (*rules, rule)))
            pieces.append(text[copied_to:start])
            pieces.append(new)
            copied_to = end
        if not applied:
            return 0
        merged.extend(old[i:])
        pieces.append(text[copied_to:])
        self.text = "".join(pieces)
        self._edits = merged
        return applied

    def edits(self) -> list[EditRecord]:
        """The edits in source order, with output offsets and the replaced source text."""
        records = []
        delta = 0
        source = self.source
        for src_start, src_end, after, rules in self._edits:
            out_start = src_start - delta
            records.append(
                EditRecord(
                    src=(src_start, src_end),
                    out=(out_start, out_start + len(after)),
                    before=source[src_start:src_end],
                    after=after,
                    rules=rules,
                )
            )
            delta += (src_end - src_start) - len(after)
        return records

    def __len__(self) -> int:
        return len(self._edits)

    def __repr__(self) -> str:
        return f"Document({len(self.source)} source chars, {len(self.text)} chars, {len(self._edits)} edits)"
