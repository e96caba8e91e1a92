"""The emit stage: the clean text, its edits in source coordinates, metadata and lookups.

Example::

    >>> import cleantext
    >>> result = cleantext.clean("It\\u2019s  here.")
    >>> result.text
    "It's here.\\n"
    >>> [(e.src, e.rule, e.before, e.after) for e in result.edits][:1]
    [((2, 3), 'typography.single-quotes', '\\u2019', "'")]
    >>> result.source_span(0, 4)
    (0, 4)
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from cleantext.document import Document, EditRow, EditRows, RuleGroup, credited

__all__ = ["Cleaned", "Edit", "Result", "SourcelessResult", "StepTiming", "cleaned_text"]


@dataclass(frozen=True, slots=True)
class Edit:
    """One change: ``source[src[0]:src[1]] == before`` became ``text[out[0]:out[1]] == after``.

    ``rules`` are the rules that acted on the span, in order (more than one when
    rules touched overlapping text); ``rule`` is the one credited with it: the
    rule that removed most of its characters, else the last one (a paragraph
    removed, then the blank lines around it tidied, is the removal's edit).
    """

    src: tuple[int, int]
    out: tuple[int, int]
    rule: str
    rules: tuple[str, ...]
    category: str
    before: str
    after: str
    removals: tuple[tuple[str, str, int], ...] = field(default=(), compare=False)
    """When several rules share the edit: ``(rule, category, characters removed)`` for each that removed
    any, in the text as it found it. ``cleantext stats`` counts them per rule. Not part of the JSON."""
    detail: tuple[tuple[str, Any], ...] = ()
    """What the credited rule found about this edit, as ``(key, value)`` pairs: the line scorer's
    ``score``, a site profile's ``pages`` and ``of``. In the JSON as a ``detail`` object, when there is one."""

    def to_dict(self) -> dict[str, Any]:
        """The edit as in the JSON contract of docs/design.md."""
        return _edit_json(
            self.src, self.out, self.rule, self.rules, self.category, self.before, self.after, self.detail
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Results travel back from worker processes edit by edit: positional fields pickle in a
        # fraction of the time of a slotted dataclass's state dictionary.
        return (
            Edit,
            (
                self.src,
                self.out,
                self.rule,
                self.rules,
                self.category,
                self.before,
                self.after,
                self.removals,
                self.detail,
            ),
        )


@dataclass(slots=True)
class StepTiming:
    """What one step (a rule, a fused lexicon pass, the extraction) cost: seconds, evaluations, changes.

    Counted in the run loop for every document; :class:`~cleantext.explain.Stats`
    adds them up over a corpus (``cleantext stats --timing``).
    """

    seconds: float = 0.0
    evaluations: int = 0
    changes: int = 0

    def __reduce__(self) -> tuple[Any, ...]:
        return (StepTiming, (self.seconds, self.evaluations, self.changes))  # see Edit.__reduce__

    def add(self, seconds: float, changes: int, evaluations: int = 1) -> None:
        """Count one more evaluation (or, adding up another's figures, ``evaluations`` of them)."""
        self.seconds += seconds
        self.evaluations += evaluations
        self.changes += changes


@dataclass(frozen=True)
class Result:
    """A cleaned document: the clean ``text``, the ``edits`` from ``source`` to it, and metadata.

    ``source`` is the decoded input text that edit offsets point into; ``name``
    is the input's label (a path, ``-`` for stdin, or None) and ``encoding`` the
    encoding the input was decoded with (None for ``str`` input).

    A result made by :meth:`from_document` holds its document's edits as the
    core's edit log (on the Python engine, as rows), makes rows of them when
    its edits are first asked for, and builds ``edits`` from the rows when
    first read: a pipeline that keeps only the text builds neither, and one
    that writes JSON (:meth:`to_dict` reads the rows) builds no :class:`Edit`
    object. It holds its timings as rows too, and builds ``timings`` when first
    read: rows of numbers and strings, and the log, cost the garbage collector
    nothing once it has seen them, however many results a caller keeps.
    """

    source: str
    text: str
    edits: tuple[Edit, ...]
    name: str | None = None
    encoding: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    timings: Mapping[str, StepTiming] = field(default_factory=dict, compare=False, repr=False)
    """Seconds, evaluations and changes of every step that ran, by step id (not part of the JSON)."""

    @classmethod
    def from_document(
        cls,
        document: Document,
        *,
        name: str | None,
        encoding: str | None,
        warnings: Sequence[str] = (),
        timings: Mapping[str, StepTiming] | None = None,
    ) -> Result:
        """Freeze a cleaned :class:`Document` into a result (its metadata included)."""
        return _with_rows(
            cls,
            document.source,
            document.text,
            document.edit_snapshot(),
            name,
            encoding,
            dict(document.metadata),
            tuple(warnings),
            _timing_rows(timings or {}),
        )

    def __getattr__(self, name: str) -> Any:
        # Only for attributes the instance lacks: the edits and the timings of a result made from
        # rows, each built once.
        known = self.__dict__
        if name == "edits" and "_rows" in known:
            rows, groups = self._edit_rows()
            edits = known["edits"] = tuple([_edit_of(row, groups) for row in rows])
            return edits
        if name == "timings" and "_timing_rows" in known:
            timings = known["timings"] = {label: StepTiming(*figures) for label, *figures in known["_timing_rows"]}
            return timings
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Results travel back from worker processes: rows of plain tuples unpickle in half the
        # time of the Edit objects, which the parent may never need; so do the timings.
        edits, from_rows, fields = self._travelling()
        if from_rows:
            return (_with_rows, (type(self), self.source, self.text, edits, *fields))
        return (type(self), (self.source, self.text, edits, *fields))

    def without_source(self) -> SourcelessResult:
        """This result less its source, for a worker process to send back to a parent that holds
        the source (the text it sent): :meth:`SourcelessResult.with_source` puts it back."""
        return SourcelessResult(type(self), self.text, *self._travelling())

    def _travelling(self) -> tuple[EditRows | Any | tuple[Edit, ...], bool, tuple[Any, ...]]:
        """What the result travels as: its edit rows, or the core's edit log they are not made from yet
        (and True), or its :class:`Edit` objects (and False), then the fields after the edits, the timings
        as rows where the edits are. A log travels packed (``EditLog.__reduce__``), holding no copy of the
        source text its edits replace (a row's ``before``): a worker makes no rows, and sends less."""
        rows = self.__dict__.get("_rows")
        timings = self.timings if rows is None else self.__dict__["_timing_rows"]
        fields = (self.name, self.encoding, self.metadata, self.warnings, timings)
        return (self.edits, False, fields) if rows is None else (rows, True, fields)

    @property
    def changed(self) -> bool:
        """Whether cleaning changed anything."""
        rows = self.__dict__.get("_rows")  # the rows, or the core's edit log they are made from: not made here
        if rows is None:
            return bool(self.edits)
        return bool(rows[0] if type(rows) is tuple else len(rows))

    def source_span(self, out_start: int, out_end: int) -> tuple[int, int]:
        """The source span that output characters ``out_start:out_end`` came from.

        A position inside a replacement maps to the whole replaced source span.
        """
        _check_span(out_start, out_end, len(self.text), "output")
        index = self._offsets
        start = _map_start(out_start, index.out_starts, index.out_ends, index.src_starts, index.out_to_src)
        if out_end == out_start:
            return start, start
        return start, _map_end(out_end, index.out_starts, index.out_ends, index.src_ends, index.out_to_src)

    def output_span(self, src_start: int, src_end: int) -> tuple[int, int]:
        """The output span that source characters ``src_start:src_end`` became.

        A removed span maps to an empty span at the position it was removed from.
        """
        _check_span(src_start, src_end, len(self.source), "source")
        index = self._offsets
        start = _map_start(src_start, index.src_starts, index.src_ends, index.out_starts, index.src_to_out)
        if src_end == src_start:
            return start, start
        end = _map_end(src_end, index.src_starts, index.src_ends, index.out_ends, index.src_to_out)
        return start, max(start, end)

    def _edit_rows(self) -> EditRows | None:
        """The result's edit rows (None where it holds :class:`Edit` objects), made from the core's
        edit log (:meth:`Document.edit_snapshot`) when first asked."""
        known = self.__dict__
        rows = known.get("_rows")
        if rows is not None and type(rows) is not tuple:
            rows = known["_rows"] = rows.rows(self.source)
        return rows

    @cached_property
    def _offsets(self) -> _Offsets:
        rows = self._edit_rows()
        if rows is None:
            spans = [(*edit.src, *edit.out) for edit in self.edits]
        else:
            spans = [
                (src_start, src_end, out_start, out_start + len(after))
                for src_start, src_end, out_start, _, after, _ in rows[0]
            ]
        src_ends = [span[1] for span in spans]
        out_ends = [span[3] for span in spans]
        return _Offsets(
            src_starts=[span[0] for span in spans],
            src_ends=src_ends,
            out_starts=[span[2] for span in spans],
            out_ends=out_ends,
            # Between edits a position shifts by the difference after the last edit.
            out_to_src=[s - o for s, o in zip(src_ends, out_ends, strict=True)],
            src_to_out=[o - s for s, o in zip(src_ends, out_ends, strict=True)],
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as in the JSON contract of docs/design.md."""
        return {
            "source": self.name,
            "encoding": self.encoding,
            "text": self.text,
            "edits": [edit.to_dict() for edit in self.edits]
            if (rows := self._edit_rows()) is None
            else [_edit_dict(row, rows[1]) for row in rows[0]],
            "metadata": dict(self.metadata),
            "warnings": list(self.warnings),
        }

    def to_json(self, *, pretty: bool = False) -> str:
        """The result as JSON (non-ASCII kept as is); ``pretty`` puts each field and edit on a line."""
        payload = self.to_dict()
        if not pretty:
            return json.dumps(payload, ensure_ascii=False)
        lines = []
        for key, value in payload.items():
            if key == "edits" and value:
                items = ",\n".join(f"    {json.dumps(edit, ensure_ascii=False)}" for edit in value)
                lines.append(f'  "edits": [\n{items}\n  ]')
            else:
                lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
        return "{\n" + ",\n".join(lines) + "\n}"


class SourcelessResult(NamedTuple):
    """A :class:`Result` less its source (:meth:`Result.without_source`): what a worker of
    ``Pipeline.clean_many(jobs=N)`` sends back for a text it was sent, whose source is that
    text. The source is most of a result's bytes, and a string outside Latin-1 is encoded and
    decoded a character at a time on its way through a pipe."""

    cls: type[Result]
    text: str
    edits: EditRows | Any | tuple[Edit, ...]
    """The result's edit rows and their rule groups, or the core's edit log they are made from
    (``from_rows``), or its :class:`Edit` objects."""
    from_rows: bool
    fields: tuple[Any, ...]
    """``(name, encoding, metadata, warnings, timings)``, the timings as ``(label, seconds,
    evaluations, changes)`` tuples where ``from_rows``."""

    def __reduce__(self) -> tuple[type[SourcelessResult], tuple[Any, ...]]:
        # A named tuple pickles through copyreg and its __getnewargs__, two Python calls more per
        # result: a third of the time of a worker's results, both ways.
        return (SourcelessResult, tuple(self))

    def with_source(self, source: str) -> Result:
        """The result, ``source`` put back."""
        if self.from_rows:
            return _with_rows(self.cls, source, self.text, self.edits, *self.fields)
        return self.cls(source, self.text, self.edits, *self.fields)


def _with_rows(
    cls: type[Result],
    source: str,
    text: str,
    rows: EditRows | Any,
    name: str | None,
    encoding: str | None,
    metadata: Mapping[str, Any],
    warnings: tuple[str, ...],
    timing_rows: tuple[tuple[str, float, int, int], ...],
) -> Result:
    """A result whose edits are built from ``rows`` (:meth:`Document.edit_rows`, or the core's edit log
    they are made from, :meth:`Document.edit_snapshot`) when first read, and its timings from
    ``(label, seconds, evaluations, changes)`` rows."""
    # Every field but the edits, set as the frozen dataclass's own __init__ would (which needs the edits).
    result = object.__new__(cls)
    result.__dict__.update(
        source=source,
        text=text,
        _rows=rows,
        name=name,
        encoding=encoding,
        metadata=metadata,
        warnings=warnings,
        _timing_rows=timing_rows,
    )
    return result


def _timing_rows(timings: Mapping[str, StepTiming]) -> tuple[tuple[str, float, int, int], ...]:
    """``timings`` as ``(label, seconds, evaluations, changes)`` rows."""
    return tuple([(label, timing.seconds, timing.evaluations, timing.changes) for label, timing in timings.items()])


def _fields_of(row: EditRow, groups: tuple[RuleGroup, ...]) -> tuple[Any, ...]:
    """The fields of the :class:`Edit` of a document's edit row (its rules in ``groups``), in their order."""
    src_start, src_end, out_start, before, after, group = row
    rules, removals = groups[group]
    rule = credited(rules, removals)
    return (
        (src_start, src_end),
        (out_start, out_start + len(after)),
        rule.id,
        tuple([each.id for each in rules]),
        rule.category,
        before,
        after,
        tuple([(each.id, each.category, count) for each, count in removals]) if removals else (),
        rule.detail,
    )


def _edit_of(row: EditRow, groups: tuple[RuleGroup, ...]) -> Edit:
    """The :class:`Edit` of a document's edit row."""
    return Edit(*_fields_of(row, groups))


def _edit_dict(row: EditRow, groups: tuple[RuleGroup, ...]) -> dict[str, Any]:
    """:meth:`Edit.to_dict` of the edit of a row, without the edit."""
    src, out, rule, rules, category, before, after, _, detail = _fields_of(row, groups)
    return _edit_json(src, out, rule, rules, category, before, after, detail)


def _edit_json(
    src: tuple[int, int],
    out: tuple[int, int],
    rule: str,
    rules: Sequence[str],
    category: str,
    before: str,
    after: str,
    detail: tuple[tuple[str, Any], ...],
) -> dict[str, Any]:
    data = {
        "src": list(src),
        "out": list(out),
        "rule": rule,
        "rules": list(rules),
        "category": category,
        "before": before,
        "after": after,
    }
    if detail:
        data["detail"] = dict(detail)
    return data


class _Offsets(NamedTuple):
    src_starts: list[int]
    src_ends: list[int]
    out_starts: list[int]
    out_ends: list[int]
    out_to_src: list[int]
    src_to_out: list[int]


def _check_span(start: int, end: int, length: int, side: str) -> None:
    if not 0 <= start <= end <= length:
        raise ValueError(f"{side} span ({start}, {end}) is not within 0..{length}")


def _map_start(position: int, starts: list[int], ends: list[int], targets: list[int], deltas: list[int]) -> int:
    k = bisect_right(ends, position)
    if k < len(starts) and starts[k] <= position:
        return targets[k]
    return position + (deltas[k - 1] if k else 0)


def _map_end(position: int, starts: list[int], ends: list[int], targets: list[int], deltas: list[int]) -> int:
    k = bisect_left(ends, position)
    if k < len(starts) and starts[k] < position:
        return targets[k]
    return position + (deltas[k - 1] if k else 0)


class Cleaned(NamedTuple):
    """What is left of a :class:`Result` where only its clean text is written: the text, the
    input's name, the warnings and the length of the source. Worker processes send this back
    instead of the whole result when the output needs no more (``cleantext clean --jobs``)."""

    text: str
    name: str | None
    warnings: tuple[str, ...]
    source_chars: int

    def __reduce__(self) -> tuple[type[Cleaned], tuple[Any, ...]]:
        return (Cleaned, tuple(self))  # as SourcelessResult's


def cleaned_text(result: Result) -> Cleaned:
    """The :class:`Cleaned` of ``result`` (for ``Pipeline.clean_many(then=...)``)."""
    return Cleaned(result.text, result.name, result.warnings, len(result.source))
