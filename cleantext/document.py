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

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from operator import itemgetter, sub
from typing import Any, NamedTuple

from cleantext.native import edit_log

__all__ = ["Document", "EditRecord", "EditRow", "EditRows", "RuleGroup", "RuleRef", "credited"]


class RuleRef(NamedTuple):
    """The identity of the rule behind a replacement: its id and its category.

    ``detail``: what the rule found about this one replacement, as ``(key,
    value)`` pairs of strings and numbers (a line scorer's ``score``, a site
    profile's ``pages``): it goes with the edit into the result
    (:attr:`cleantext.emit.Edit.detail`). A reference is hashable: edits are
    grouped by their rules.
    """

    id: str
    category: str
    detail: tuple[tuple[str, Any], ...] = ()


# An edit as stored while cleaning: (src_start, src_end, after, rules, removals).
# Output offsets are not stored: they follow from the source offsets and the
# lengths of the replacements before, so passing an edit through a rule pass
# costs nothing. ``removals``: how many characters each rule removed, in the
# text as it found it, when the edit holds the work of several rules (else None).
# Where the core walks the edits, a document keeps them in the core's ``EditLog``,
# which gives these tuples back (``stored()``).
_Stored = tuple[int, int, str, tuple[RuleRef, ...], "tuple[tuple[RuleRef, int], ...] | None"]

RuleGroup = tuple[tuple[RuleRef, ...], tuple[tuple[RuleRef, int], ...]]
"""The rules of an edit and what each removed (empty for an edit of one rule)."""

EditRow = tuple[int, int, int, str, str, int]
"""An edit as :meth:`Document.edit_rows` gives it: src start and end, out start, before, after, and the
number of its :data:`RuleGroup` among the rows' groups."""

EditRows = tuple[tuple[EditRow, ...], tuple[RuleGroup, ...]]
"""The rows of a document's edits and the rule groups they number (see :meth:`Document.edit_rows`)."""


@dataclass(frozen=True, slots=True)
class EditRecord:
    """One edit in both coordinate systems, as reported by :meth:`Document.edits`."""

    src: tuple[int, int]
    out: tuple[int, int]
    before: str
    after: str
    rules: tuple[RuleRef, ...]
    removals: tuple[tuple[RuleRef, int], ...] = ()
    """When several rules share the edit: the characters each removed, in the text as it found it."""

    @property
    def rule(self) -> RuleRef:
        """The rule the edit is credited to: the one that removed most of its characters, else the last to act.

        When a removal and a later tidying merge (a paragraph removed, then the
        blank lines around it), the removal gets the credit, not the tidying.
        """
        return credited(self.rules, self.removals)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The ids of the rules that produced this edit, in the order they acted."""
        return tuple(rule.id for rule in self.rules)


class Document:
    """Source text, current text and the sorted, non-overlapping edits between them.

    ``source`` and ``text`` are read-only: the text changes only through
    :meth:`apply`, so it never drifts from the edits that explain it.

    >>> Document("a").text = "b"
    Traceback (most recent call last):
    ...
    AttributeError: property 'text' of 'Document' object has no setter
    """

    __slots__ = ("_edits", "_source", "_text", "continues", "metadata")

    def __init__(self, source: str, *, continues: tuple[bool, bool] = (False, False)) -> None:
        self._source = source
        self._text = source
        self.metadata: dict[str, Any] = {}
        # Whether the text is a window of a longer document that goes on before
        # it and after it: rules for a document's head or tail then skip that side.
        self.continues = continues
        # The reference's list of stored edits, or the core's log of them once the core walks them.
        self._edits: Any = []

    @property
    def source(self) -> str:
        """The text as it came in: what every edit's ``src`` offsets point into."""
        return self._source

    @property
    def text(self) -> str:
        """The current text: the source with every edit applied."""
        return self._text

    @property
    def edit_count(self) -> int:
        """How many edits stand between the source and the text (without building them, as :meth:`edits` does)."""
        return len(self._edits)

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
        log = edit_log()
        if log is None:
            return self.apply_in_python(replacements)
        found = replacements if isinstance(replacements, list) else list(replacements)
        edits = self._edits
        if type(edits) is list:
            edits = log(edits)
        applied, self._text, self._edits = edits.compose(self._text, self._source, found, *COMPOSE_CALLBACKS)
        return applied

    def bridges(self, gaps: Sequence[tuple[int, int]]) -> bool:
        """Whether an edit's text, in the current text, covers one of ``gaps`` (``(start, end)``, sorted
        and apart) and reaches past it on both sides.

        Replacements on both sides of such a gap, applied in one pass, would
        both join that edit; applied one pass after the other, only the first
        would. Elsewhere the two ways make the same edits.
        """
        edits = self._edits
        if type(edits) is not list:
            return bool(edits.bridges(gaps))
        delta = 0  # source offset minus current offset, past the edits passed
        passed = 0
        for start, end in gaps:
            while passed < len(edits):
                src_start, src_end, after, _, _ = edits[passed]
                out_start = src_start - delta
                if out_start >= start:
                    break  # it and the edits after it begin inside or after this gap
                if out_start + len(after) > end:
                    return True
                delta += (src_end - src_start) - len(after)
                passed += 1
        return False

    def apply_in_python(self, replacements: Iterable[tuple[int, int, str, RuleRef]]) -> int:
        """:meth:`apply_tagged` on the Python engine: the reference the core's walk is held to."""
        text = self.text
        source = self.source
        old = self._stored()
        n_old = len(old)
        merged: list[_Stored] = []
        # Merged edits whose text is cut from the new text once it exists:
        # (index in merged, start and end in the new text).
        pending: list[tuple[int, int, int]] = []
        pieces: list[str] = []
        copied_to = 0
        i = 0
        delta = 0  # source offset minus current offset, after the old edits passed so far
        shift = 0  # new offset minus current offset, after the replacements applied so far
        applied = 0
        previous_end = 0
        out_ends: list[int] | None = None  # where each old edit ends in the current text, made when needed
        # The open cluster: replacements and old edits that overlap, one edit in the end.
        open_cluster = False
        c_src_start = c_src_end = c_cur_start = c_cur_end = c_new_start = 0
        c_old: tuple[RuleRef, ...] = ()  # rules of the absorbed old edits, which acted first
        c_new: tuple[RuleRef, ...] = ()  # rules of this pass's replacements
        c_removed: list[tuple[RuleRef, int]] = []  # characters removed, by rule, by the absorbed old edits

        def close(new_end: int | None = None) -> None:
            # ``new_end``: where the cluster ends in the new text, when that is not
            # its current end shifted by the replacements so far (inside a removal).
            nonlocal open_cluster
            if open_cluster:
                end = c_cur_end + shift if new_end is None else new_end
                removals = None
                if c_old or len(set(c_new)) > 1:
                    # Several rules: each is credited with what it removed from the text it saw.
                    removed_now = (c_cur_end - c_cur_start) - (end - c_new_start)
                    removals = _cluster_credits(c_removed, c_new[-1], removed_now)
                merged.append((c_src_start, c_src_end, "", (*c_old, *c_new), removals))
                pending.append((len(merged) - 1, c_new_start, end))
                open_cluster = False

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
            if open_cluster and start < c_cur_end:
                c_new += (rule,)  # inside a cluster: it grows
            else:
                close()
                # Old edits that end at or before the replacement pass through untouched:
                # many at once, found by bisection, when there are many.
                if n_old - i > _BISECT_ABOVE:
                    if out_ends is None:
                        out_ends = _current_ends(old)
                    passed = bisect_right(out_ends, start, i)
                    if passed > i:
                        merged.extend(old[i:passed])
                        delta = old[passed - 1][1] - out_ends[passed - 1]
                        i = passed
                while i < n_old:
                    e_src_start, e_src_end, e_after = old[i][:3]
                    if e_src_start - delta + len(e_after) > start:
                        break
                    merged.append(old[i])
                    delta += (e_src_end - e_src_start) - len(e_after)
                    i += 1
                open_cluster = True
                c_src_start, c_cur_start, c_new_start = start + delta, start, start + shift
                c_src_end, c_cur_end, c_old, c_new = start + delta, start, (), (rule,)
                c_removed = []
            # Old edits overlapping the replacement join the cluster.
            while i < n_old:
                e_src_start, e_src_end, e_after, e_rules, e_removals = old[i]
                e_out_start = e_src_start - delta
                if e_out_start >= end:
                    break
                e_out_end = e_out_start + len(e_after)
                if not new and not e_after and not c_old and c_new == (rule,) and c_cur_start < e_out_start:
                    # A removal around an earlier removal shares no source text
                    # with it: the part before becomes its own edit, and the
                    # earlier edit keeps its rule.
                    c_cur_end, c_src_end = e_out_start, e_src_start
                    close(new_end=start + shift)
                    merged.append(old[i])
                    delta += e_src_end - e_src_start
                    i += 1
                    open_cluster = True
                    c_src_start, c_cur_start, c_new_start = e_src_end, e_out_start, start + shift
                    c_src_end, c_cur_end, c_old, c_new = e_src_end, e_out_start, (), (rule,)
                    c_removed = []
                    continue
                if e_out_start < c_cur_start:
                    c_src_start, c_cur_start = e_src_start, e_out_start
                    c_new_start = e_out_start + shift
                c_old += e_rules
                c_removed.extend(_removals(e_src_end - e_src_start, e_after, e_rules, e_removals))
                delta += (e_src_end - e_src_start) - len(e_after)
                i += 1
                if e_out_end > c_cur_end:
                    c_cur_end, c_src_end = e_out_end, e_src_end
            if end > c_cur_end or (end == c_cur_end == start):
                # The replacement ends the cluster: past the absorbed edits, the
                # current offset maps to the source by the running difference.
                c_cur_end, c_src_end = end, end + delta
            pieces.append(text[copied_to:start])
            pieces.append(new)
            copied_to = end
            shift += len(new) - (end - start)
        if not applied:
            return 0
        close()
        merged.extend(old[i:])
        pieces.append(text[copied_to:])
        self._text = "".join(pieces)
        # Fill in the merged edits' text; an edit that gives back its source text is no edit.
        dropped = set()
        for index, new_start, new_end in pending:
            src_start, src_end, _, rules, removals = merged[index]
            after = self.text[new_start:new_end]
            if after == source[src_start:src_end]:
                dropped.add(index)
            else:
                merged[index] = (src_start, src_end, after, rules, removals)
        self._edits = [edit for index, edit in enumerate(merged) if index not in dropped] if dropped else merged
        return applied

    def edits(self) -> list[EditRecord]:
        """The edits in source order, with output offsets and the replaced source text."""
        rows, groups = self.edit_rows()
        records = []
        for src_start, src_end, out_start, before, after, group in rows:
            rules, removals = groups[group]
            records.append(
                EditRecord(
                    src=(src_start, src_end),
                    out=(out_start, out_start + len(after)),
                    before=before,
                    after=after,
                    rules=rules,
                    removals=removals,
                )
            )
        return records

    def edit_rows(self) -> EditRows:
        """The edits as :meth:`edits` gives them, each a tuple of numbers and strings (what a result is
        built from, at less cost), and the distinct rule groups the rows number.

        A row holds no rule: a tuple of numbers and strings only is one the garbage collector stops
        tracking once it has seen it, while one that holds a ``RuleRef`` (a named tuple) it walks at
        every full collection for as long as it lives, as it does the results a caller keeps.
        """
        if type(self._edits) is not list:
            return self._edits.rows(self._source)  # the core's log
        rows = []
        groups: list[RuleGroup] = []
        numbers: dict[Any, int] = {}  # the number of a group, by its rules (and removals)
        delta = 0
        source = self.source
        for src_start, src_end, after, rules, removals in self._edits:
            key = rules if removals is None else (rules, removals)
            number = numbers.get(key)
            if number is None:
                number = numbers[key] = len(groups)
                groups.append((rules, removals or ()))
            rows.append((src_start, src_end, src_start - delta, source[src_start:src_end], after, number))
            delta += (src_end - src_start) - len(after)
        return tuple(rows), tuple(groups)

    def edit_snapshot(self) -> Any:
        """The edits as they stand, to read later (what :meth:`edit_rows` gives now): the core's
        ``EditLog``, whose ``rows(source)`` are those rows and which no later pass changes, or,
        on the Python engine, the rows themselves."""
        return self._edits if type(self._edits) is not list else self.edit_rows()

    def _stored(self) -> list[_Stored]:
        """The stored edits as the reference keeps them."""
        return self._edits if type(self._edits) is list else self._edits.stored()

    def __len__(self) -> int:
        return len(self._edits)

    def __repr__(self) -> str:
        return f"Document({len(self.source)} source chars, {len(self.text)} chars, {len(self._edits)} edits)"


_BISECT_ABOVE = 32
"""With more old edits than this ahead of a replacement, those it leaves alone are found by bisection."""


def _current_ends(edits: list[_Stored]) -> list[int]:
    """Where each stored edit ends in the current text (its source end less the characters removed up to there)."""
    removed = map(
        sub, map(sub, map(itemgetter(1), edits), map(itemgetter(0), edits)), map(len, map(itemgetter(2), edits))
    )
    return list(map(sub, map(itemgetter(1), edits), accumulate(removed)))


def credited(rules: tuple[RuleRef, ...], removals: tuple[tuple[RuleRef, int], ...]) -> RuleRef:
    """The rule an edit is credited to (see :attr:`EditRecord.rule`)."""
    return max(removals, key=lambda removal: removal[1])[0] if removals else rules[-1]


def _removals(
    source_length: int, after: str, rules: tuple[RuleRef, ...], removals: tuple[tuple[RuleRef, int], ...] | None
) -> tuple[tuple[RuleRef, int], ...]:
    """What an edit's rules removed: its own record, or, for an edit of one rule, what it removed net."""
    if removals is not None:
        return removals
    removed = source_length - len(after)
    return ((rules[-1], removed),) if removed > 0 else ()


def _cluster_credits(
    removed: list[tuple[RuleRef, int]], rule: RuleRef, removed_now: int
) -> tuple[tuple[RuleRef, int], ...]:
    """The removals of an edit of several rules: what the edits it absorbed removed, and what ``rule``,
    the last to act, removed now."""
    return _credits([*removed, *([(rule, removed_now)] if removed_now > 0 else [])])


def _credits(removals: Iterable[tuple[RuleRef, int]]) -> tuple[tuple[RuleRef, int], ...]:
    """Characters removed, added up per rule, in the order the rules first removed any.

    A rule is its id and category: removals of one rule with different details
    (two lines, two scores) add up, and the first one's detail stands for them.
    """
    totals: dict[tuple[str, str], list[Any]] = {}
    for rule, count in removals:
        total = totals.setdefault((rule.id, rule.category), [rule, 0])
        total[1] += count
    return tuple((rule, count) for rule, count in totals.values())


COMPOSE_CALLBACKS = (_removals, _cluster_credits)
"""What the core's edit log calls back as it composes a pass (``EditLog.compose``): what an absorbed
edit's rules removed, and the removals of an edit of several rules. The core's run of a stage
applies a pass with them too (:func:`cleantext.native.native_run`)."""
