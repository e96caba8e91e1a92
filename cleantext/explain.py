"""Show what cleaning did: marked source, a styled terminal view, a unified diff, statistics.

Example::

    >>> import cleantext
    >>> result = cleantext.clean("It\\u2019s cold.")
    >>> print(marked_text(result))
    It[-’-]{+'+}<typography.single-quotes>s cold.{+\\n+}<whitespace.final-newline>
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cleantext.emit import Edit, Result, StepTiming

__all__ = ["RuleStats", "Stats", "marked_text", "render_explain", "unified_diff"]

_VISIBLE = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _show(text: str) -> str:
    """Line breaks, tabs and invisible characters made visible (``\\n``, ``\\u00a0``)."""
    shown = []
    for character in text:
        if character in _VISIBLE:
            shown.append(_VISIBLE[character])
        elif character != " " and (character.isspace() or not character.isprintable()):
            shown.append(f"\\u{ord(character):04x}")
        else:
            shown.append(character)
    return "".join(shown)


def _pieces(result: Result) -> Iterable[tuple[str, Edit | None]]:
    """The source cut into copied text (edit None) and edited spans, in order."""
    copied = 0
    for edit in result.edits:
        if edit.src[0] > copied:
            yield result.source[copied : edit.src[0]], None
        yield edit.before, edit
        copied = edit.src[1]
    if copied < len(result.source):
        yield result.source[copied:], None


def marked_text(result: Result) -> str:
    """The source with every edit wrapped in a visible marker; nothing is deleted.

    Removed text shows as ``[-text-]``, added text as ``{+text+}``, each edit
    followed by its rule id in angle brackets.
    """
    out = []
    for text, edit in _pieces(result):
        if edit is None:
            out.append(text)
            continue
        if edit.before:
            out.append(f"[-{_show(edit.before)}-]")
        if edit.after:
            out.append(f"{{+{_show(edit.after)}+}}")
        out.append(f"<{edit.rule}>")
    return "".join(out)


def render_explain(result: Result) -> Any:
    """A ``rich`` Text of the source: removals struck through, replacements old -> new, rule ids dimmed."""
    from rich.text import Text

    view = Text()
    for text, edit in _pieces(result):
        if edit is None:
            view.append(text)
            continue
        if edit.before:
            view.append(_show(edit.before), style="red strike")
        if edit.before and edit.after:
            view.append(" -> ", style="dim")
        if edit.after:
            view.append(_show(edit.after), style="bold green")
        view.append(f" [{edit.rule}]", style="dim cyan")
    return view


def unified_diff(result: Result, *, name: str | None = None) -> str:
    """A unified diff of the source against the clean text."""
    label = name or result.name or "document"
    return "".join(
        difflib.unified_diff(
            result.source.splitlines(keepends=True),
            result.text.splitlines(keepends=True),
            fromfile=f"a/{label}",
            tofile=f"b/{label}",
        )
    )


@dataclass
class RuleStats:
    """What one rule (or category) did over a corpus."""

    documents: int = 0
    removed: int = 0
    replaced: int = 0
    edits: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def impact(self) -> int:
        """Characters removed plus characters replaced."""
        return self.removed + self.replaced


class Stats:
    """Per rule and per category over a corpus: documents hit, characters removed or replaced, examples.

    >>> import cleantext
    >>> stats = Stats()
    >>> stats.add(cleantext.clean("Advertisement\\n\\nBody."))
    >>> stats.by_rule["widgets.advertisement"].removed
    14
    """

    def __init__(self, examples: int = 3) -> None:
        self.documents = 0
        self.characters = 0
        self.by_rule: dict[str, RuleStats] = defaultdict(RuleStats)
        self.by_category: dict[str, RuleStats] = defaultdict(RuleStats)
        self.by_step: dict[str, StepTiming] = defaultdict(StepTiming)
        self.example_count = examples

    def add(self, result: Result) -> None:
        """Count one cleaned document."""
        self.documents += 1
        self.characters += len(result.source)
        for step, timing in result.timings.items():
            self.by_step[step].add(timing.seconds, timing.changes, timing.evaluations)
        hit: dict[str, set[str]] = {"rule": set(), "category": set()}
        for edit in result.edits:
            snippet = _show(edit.before[:60]) + ("..." if len(edit.before) > 60 else "")
            # An edit several rules share: each is credited with the characters it removed,
            # and the rule the edit is credited to with the rest.
            left = len(edit.before)
            shares = []
            for rule, category, count in edit.removals:
                count = min(count, left)
                left -= count
                shares.append((rule, category, count, 0))
            if left or not shares:
                shares.append((edit.rule, edit.category, 0 if edit.after else left, left if edit.after else 0))
            for rule, category, removed, replaced in shares:
                for kind, table, key in (("rule", self.by_rule, rule), ("category", self.by_category, category)):
                    entry = table[key]
                    entry.edits += 1
                    entry.removed += removed
                    entry.replaced += replaced
                    if len(entry.examples) < self.example_count and snippet not in entry.examples:
                        entry.examples.append(snippet)
                    hit[kind].add(key)
        for key in hit["rule"]:
            self.by_rule[key].documents += 1
        for key in hit["category"]:
            self.by_category[key].documents += 1

    def to_dict(self) -> dict[str, Any]:
        """The figures as plain data, rules and categories sorted by impact."""

        def rows(table: dict[str, RuleStats]) -> list[dict[str, Any]]:
            ordered = sorted(table.items(), key=lambda item: (-item[1].impact, item[0]))
            return [
                {
                    "id": key,
                    "documents": entry.documents,
                    "edits": entry.edits,
                    "removed": entry.removed,
                    "replaced": entry.replaced,
                    "examples": entry.examples,
                }
                for key, entry in ordered
            ]

        return {
            "documents": self.documents,
            "characters": self.characters,
            "rules": rows(self.by_rule),
            "categories": rows(self.by_category),
        }

    def timing(self) -> list[dict[str, Any]]:
        """Every step's seconds (and share of all steps' time), evaluations and changes, slowest first."""
        total = sum(entry.seconds for entry in self.by_step.values()) or 1.0
        ordered = sorted(self.by_step.items(), key=lambda item: (-item[1].seconds, item[0]))
        return [
            {
                "id": step,
                "seconds": entry.seconds,
                "share": entry.seconds / total,
                "evaluations": entry.evaluations,
                "changes": entry.changes,
            }
            for step, entry in ordered
        ]

    def timing_text(self) -> str:
        """:meth:`timing` as a table: where the time of cleaning went, step by step."""
        rows = self.timing()
        width = max((len(row["id"]) for row in rows), default=4)
        seconds = sum(row["seconds"] for row in rows)
        evaluations = sum(row["evaluations"] for row in rows)
        found = sum(1 for row in rows if row["changes"])
        lines = [
            f"{seconds:.3f} s in {len(rows)} steps, {evaluations} evaluations; {found} steps changed something",
            "",
            f"{'step':<{width}}  {'seconds':>9}  {'share':>6}  {'evaluations':>11}  {'changes':>8}",
        ]
        for row in rows:
            lines.append(
                f"{row['id']:<{width}}  {row['seconds']:>9.4f}  {row['share']:>6.1%}  "
                f"{row['evaluations']:>11}  {row['changes']:>8}"
            )
        return "\n".join(lines) + "\n"

    def to_text(self) -> str:
        """Two tables (rules, categories), most impact first, with example snippets."""
        data = self.to_dict()
        lines = [f"{data['documents']} documents, {data['characters']} characters"]
        for title in ("rules", "categories"):
            rows = data[title]
            width = max((len(row["id"]) for row in rows), default=4)
            lines += [
                "",
                f"{title[:-1]:<{width}}  {'docs':>6}  {'edits':>7}  {'removed':>9}  {'replaced':>9}  examples",
            ]
            for row in rows:
                examples = " | ".join(row["examples"])
                lines.append(
                    f"{row['id']:<{width}}  {row['documents']:>6}  {row['edits']:>7}  {row['removed']:>9}  "
                    f"{row['replaced']:>9}  {examples}"
                )
        return "\n".join(lines) + "\n"
