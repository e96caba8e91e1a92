"""The plan: a pipeline's steps compiled once, with the triggers that decide which of them run.

Every step gets a trigger (:meth:`cleantext.steps.Step.trigger`): clauses of
casefolded literals that any text it can change must contain, derived from
its pattern, its character table or its lexicon's spellings, plus its
hand-written ``requires`` words. One pass over the casefolded document (the
pre-pass, :meth:`Plan.scan`, on the native core or its Python reference:
see :mod:`cleantext.native`) says which clauses hold, and a step whose trigger
does not hold is not evaluated at all. A step without a trigger
(nothing could be derived: see ``cleantext rules list --untriggered``) is
evaluated always.

As steps edit the text, :meth:`Presence.update` scans only the stretches
around each edit: a literal that appears in the new text and not in the old
one must overlap an edit. What was present stays counted (the text may have
lost it), so a trigger may hold where the step then finds nothing, never the
other way round.

A text of ASCII characters only is judged by each step's ASCII trigger, in
which literals that only a non-ASCII character can match never occur: the
repair, invisible-character and normalization steps then do not run at all.

Where the native core runs, the steps a trigger selects then pass the
screen (:meth:`Plan.screen`): one call to the core searches the text with
every selected step's own pattern or table (:meth:`Step.screen_check`), and
a step it finds nothing for is not evaluated either. Most selected steps
find nothing; the screen costs them their search, not a Python call each.
The patterns of the checks over the whole text that one screen asks are
searched together, in one pass that tells which of them match. A
document's presence remembers the checks that found nothing, and keeps
them while the edits cannot have made them find something
(:meth:`Presence.update`): a character map's while no character of it is
put in; a whole-text pattern's while edits only replace text with text
and touch no character it can look at; a line pattern's while edits only
remove whole lines; a block pattern's and the repeat rule's while they
only remove whole paragraphs. A remembered check is not asked again, nor,
in a long text (:data:`KEEP_FINDING_CHARS`), one that found something. A
short text (:data:`REMEMBER_CHARS`) is asked again: that costs less than
keeping track.

Where the core counts the presence, each stage runs on the core
(:meth:`Plan.native_run`), which screens every step it hands to Python as
it reaches it, with that step's check alone; the plan's screen, and what
the presence remembers, then serve only the steps the run hands on
unscreened (a literal the core cannot read). The Python engine uses them
throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cleantext.document import COMPOSE_CALLBACKS
from cleantext.native import (
    Check,
    clause_table,
    native_run,
    native_screen,
    quiet,
    scanner,
    screen_finds_any,
    screened,
    screens,
)
from cleantext.steps import Step, StepTrigger
from cleantext.triggers import BOUNDARIES, TEXT_END, TEXT_START, Clause, fold, scanned_form

__all__ = ["Plan", "Presence"]

Unit = Step

Selected = tuple[int, Unit, tuple[str, ...]]
"""A step as :meth:`Presence.select` gives it: its index in its list, itself, the literals a line must hold."""

Gated = tuple[int, Unit, int, int]
"""A step of a list as :meth:`Plan.gated` gives it: its index, itself, its trigger's bits, its first clause."""


HOLDING_KEPT = 4096
"""At most this many selections (by list of steps and the clauses that hold) are kept by a plan;
short documents, which hold few clauses, share a few of them."""

REMEMBERED = frozenset({"characters", "text", "lines", "blocks", "repeats"})
"""The kinds of screen check a document's presence remembers (see :meth:`Presence.update`); those of a
rule with regions are not remembered, nor off-topic ones, which look at the paragraphs around."""

REMEMBER_CHARS = 20_000
"""A document's presence remembers what the screen found only for a text of at least this many
characters: in a shorter one, asking again costs less than keeping track of the edits."""

KEEP_FINDING_CHARS = 100_000
"""In a text of at least this many characters, a screen check that finds something is not asked
again as the document changes: its step is evaluated. Asking again costs a pass over the text, as
much as the step's own search there; in a shorter text it costs less than the step's Python call."""

SEPARATORS = ("\ue002", "\ufdd0", "\uffff")
"""Characters (private use, non-characters) to join the stretches of one update by, the first that
no literal of the plan holds."""


class Presence:
    """Which literals one document holds (or held): the pre-pass's answer, kept up to date as the text changes.

    ``held`` has a bit set for every clause that holds; a step runs when all
    the bits of its trigger are set.
    """

    __slots__ = (
        "_literals",
        "_selected",
        "_tally",
        "clauses",
        "finding",
        "found",
        "held",
        "plan",
        "remember_chars",
        "remembered",
    )

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        # The counting, on the core where it is built (its ``tally``); else here, in these two.
        self._tally = plan.clause_table.tally() if plan.clause_table is not None else None
        self._literals: set[str] = set()
        self.clauses: dict[int, list[str]] = {}  # clause number: its literals found, in the order found
        self.held = 0
        self.found = 0  # how many times new literals turned up: a selection made before is stale
        # Per list of steps and kind of text (ASCII or not), the steps selected while no new literal turned up.
        self._selected: dict[tuple[int, bool], tuple[int, list[Selected]]] = {}
        # Screen checks (by id) that found nothing in the text as it is, with the literals they were asked
        # with: kept for a text of at least remember_chars characters.
        self.remembered: dict[int, tuple[Check, tuple[str, ...]]] = {}
        self.remember_chars = REMEMBER_CHARS
        # Screen checks (by id) that found something in a long text, with their literals: not asked again.
        self.finding: dict[int, tuple[str, ...]] = {}

    def add(self, text: str, *, ends: bool = False) -> None:
        """Count the literals of a stretch of text (casefolded here: on the core where its table covers the text);
        ``ends``: the whole text, which the scan sees between :data:`TEXT_START` and :data:`TEXT_END`."""
        numbers = self.plan.scanner.scan_folding(text, ends)
        if numbers is None:
            numbers = self.plan.scanner.scan(scanned_form(text, ends=ends))
        self._count(numbers)

    @property
    def literals(self) -> set[str]:
        """The literals found."""
        return set(self._tally.literals()) if self._tally is not None else self._literals

    def _count(self, numbers: Iterable[int]) -> None:
        """Count the literals of these numbers (of :attr:`Plan.literals`) as present."""
        tally = self._tally
        if tally is not None:
            if tally.count(numbers if isinstance(numbers, list) else list(numbers)):
                self.held = tally.held
                self.found += 1
            return
        plan = self.plan
        literals, masks, seen, clauses = plan.literals, plan.literal_masks, self._literals, self.clauses
        for number in numbers:
            literal = literals[number]
            if literal in seen:
                continue
            seen.add(literal)
            mask, clause_ids = masks[number]
            self.held |= mask
            for clause_id in clause_ids:
                if clause_id in clauses:
                    clauses[clause_id].append(literal)
                else:
                    clauses[clause_id] = [literal]
            self.found += 1

    def select(self, units: Sequence[Unit], text: str, start: int = 0) -> list[Selected]:
        """``(index, step, literals)`` for the steps of ``units`` from ``start`` on whose trigger holds.

        The literals (empty when any line may do) are what a line or block of
        the text must contain for a line or block step to fire there: the
        present ones of its trigger's first clause. The selection is made once
        per list of steps for as long as no new literal turns up; which steps
        hold under which clauses is kept by the plan, for the next documents.
        """
        ascii_text = text.isascii()
        key = (id(units), ascii_text)
        cached = self._selected.get(key)
        # A new literal may hold a new clause, or join a clause's literals that pick lines: select again.
        if cached is None or cached[0] != self.found:
            holding = self.plan.holding(units, ascii_text, self.held)
            if self._tally is not None:
                selected = self._tally.selected(holding)  # the same, in one call to the core
            else:
                selected = [
                    (index, unit, self._literals_of(first) if first >= 0 else ()) for index, unit, first in holding
                ]
            cached = self._selected[key] = (self.found, selected)
        return cached[1] if not start else [entry for entry in cached[1] if entry[0] >= start]

    def allows(self, unit: Unit, text: str) -> tuple[str, ...] | None:
        """None when the step's trigger does not hold on ``text``; else the literals a line must hold (as above)."""
        gate = self.plan.gates.get(id(unit))
        if gate is None:
            return ()
        mask, first = gate[text.isascii()]
        if mask & self.held != mask:
            return None
        return self._literals_of(first) if first >= 0 else ()

    def _literals_of(self, clause: int) -> tuple[str, ...]:
        """The literals of a clause that holds, in the order found."""
        return self._tally.literals_of(clause) if self._tally is not None else tuple(self.clauses[clause])

    def update(
        self,
        text: str,
        replacements: Sequence[tuple[int, int, str]] | Sequence[tuple[int, int, str, object]],
        before: str | None = None,
    ) -> None:
        """Count the literals that the replacements (as applied to the text ``before``, now ``text``) may
        have made, and forget the remembered screen checks they may have made find something.

        Only stretches around the edits are scanned: as far either side as the
        longest literal, so a literal that spans an edit's edge is seen. Where
        no edit removes text without putting any in its place, a literal that
        turns up holds a character of the text put in, so the reach is that of
        the longest such literal (none: nothing can have turned up). Without
        ``before``, every remembered check is forgotten.
        """
        if self.remembered:
            self._forget(replacements, before)
        plan = self.plan
        tally = self._tally
        if tally is not None:
            # The core scans the stretches as below for the literals not counted yet, and counts them.
            listed = replacements if isinstance(replacements, list) else list(replacements)
            new = plan.scanner.scan_edits_into(text, listed, tally)
            if new is not None:
                if new:
                    self.held = tally.held
                    self.found += 1
                return
        if all(replacement[2] for replacement in replacements):
            put_in = "".join([replacement[2] for replacement in replacements])
            reach = max((plan.reaches.get(character, -1) for character in set(fold(put_in))), default=-1)
            if reach < 0:
                return
        else:
            reach = plan.longest - 1
        windows: list[list[int]] = []
        shift = 0
        for replacement in replacements:
            start, end, new = replacement[0], replacement[1], replacement[2]
            low = max(0, start + shift - reach)
            high = start + shift + len(new) + reach
            shift += len(new) - (end - start)
            if windows and low <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], high)
            else:
                windows.append([low, high])
        stretches = [
            (TEXT_START if low == 0 else "") + text[low:high] + (TEXT_END if high >= len(text) else "")
            for low, high in windows
        ]
        separator = plan.separator
        if separator is None:
            for stretch in stretches:
                self.add(stretch)
        else:
            self.add(separator.join(stretches))  # one scan: no literal holds the separator

    def _forget(
        self,
        replacements: Sequence[tuple[int, int, str]] | Sequence[tuple[int, int, str, object]],
        before: str | None,
    ) -> None:
        """Forget the remembered checks that the replacements, made to ``before``, may have made find something."""
        remembered = self.remembered
        if before is None:
            remembered.clear()
            return
        put_in = "".join([replacement[2] for replacement in replacements])
        taken_out = "".join([before[replacement[0] : replacement[1]] for replacement in replacements])
        replaced = all(replacement[2] and replacement[1] > replacement[0] for replacement in replacements)
        whole_lines = all(
            not new and end > start and (start == 0 or before[start - 1] == "\n") and before[end - 1] == "\n"
            for start, end, new, *_ in replacements
        )
        rows = "|" in taken_out or "\t" in taken_out  # a line removed may have made its neighbours a table
        # Whole lines between blank lines (or the text's ends) are whole paragraphs: the others stay as they were.
        whole_blocks = whole_lines and all(
            (start < 2 or before[start - 2] == "\n") and (end == len(before) or before[end] == "\n")
            for start, end, *_ in replacements
        )
        for key, (check, _) in list(remembered.items()):
            kind, form = check[0], check[1]
            if kind == "characters":
                kept = not form.holds_any_in(put_in)
            elif kind == "text":
                kept = replaced and form.untouched_by(put_in + taken_out)
            elif kind == "lines":  # a line of the text now is one of the text before unless edits cut into lines
                kept = whole_lines and not (check[4] and rows)
            else:  # blocks, repeats: nor can a pair of paragraphs repeat that did not
                kept = whole_blocks
            if not kept:
                del remembered[key]


def _words(mask: int, count: int) -> list[int]:
    """A clause mask as ``count`` 64-bit words, the lowest first (as the core's tally holds them)."""
    return [(mask >> (64 * index)) & 0xFFFF_FFFF_FFFF_FFFF for index in range(count)]


class Plan:
    """The steps of a pipeline with their triggers, and one pre-pass over every literal of them.

    One scanner (:func:`cleantext.native.scanner`) finds them all in the
    casefolded text.

    >>> from cleantext.rules import LineRule
    >>> from cleantext.steps import step_for
    >>> step = step_for(LineRule(id="demo.ad", category="promo", stage="strip", action="remove",
    ...                      description="", pattern=r"(?i)^advertisement$"))
    >>> plan = Plan([step])
    >>> plan.scan("Body.\\n").allows(step, "Body.\\n") is None
    True
    >>> plan.scan("ADVERTISEMENT\\n").allows(step, "ADVERTISEMENT\\n")
    ('advertisement',)
    """

    def __init__(self, units: Iterable[Unit]) -> None:
        self.triggers: dict[int, StepTrigger] = {}  # by id of step
        # Per step, for any text and for ASCII text: the bits of its clauses, and the number of its first (-1: none).
        self.gates: dict[int, tuple[tuple[int, int], tuple[int, int]]] = {}
        clause_number: dict[Clause, int] = {}
        literal_clauses: dict[str, set[int]] = {}
        self._units: list[Unit] = []
        self._gated: dict[int, tuple[list[Gated], list[Gated]]] = {}
        self._context: dict[int, Sequence[Unit]] = {}
        self._lists: list[Sequence[Unit]] = []
        # Per step, by id: its screen check (None: always evaluated), made as it is first selected,
        # so that a rule's pattern is compiled for the core only once its trigger holds.
        self._checks: dict[int, Check | None] = {}
        self._holding: dict[tuple[int, bool, int], list[tuple[int, Unit, int]]] = {}
        self._runs: dict[int, Any] = {}
        self.screening = screens()  # decided as the scanner is, when the plan is made
        # The core's screen: the whole screen of a text whose presence remembers nothing (the others:
        # Plan.screen, here), and the sets of whole-text checks asked together for both.
        self._screen = native_screen(self._checks)
        for unit in units:
            trigger = unit.trigger()
            self._units.append(unit)
            self.triggers[id(unit)] = trigger
            if trigger.any_text is None and trigger.ascii_text is None:
                continue
            gates = []
            for clauses in (trigger.any_text, trigger.ascii_text):
                mask, first = 0, -1
                for clause in clauses or ():
                    number = clause_number.get(clause)
                    if number is None:
                        number = clause_number[clause] = len(clause_number)
                        for literal in clause:
                            literal_clauses.setdefault(literal, set()).add(number)
                    mask |= 1 << number
                    if first < 0 and not any(BOUNDARIES.intersection(literal) for literal in clause):
                        first = number  # the clause that picks lines: one a line can hold
                gates.append((mask, first))
            self.gates[id(unit)] = (gates[0], gates[1])
        self.clause_count = len(clause_number)
        self.literal_clauses = {literal: tuple(sorted(numbers)) for literal, numbers in literal_clauses.items()}
        self.longest = max((len(literal) for literal in literal_clauses), default=1)
        # Per character of a literal: the length of the longest literal that holds it, less one.
        self.reaches: dict[str, int] = {}
        for literal in literal_clauses:
            for character in literal:
                self.reaches[character] = max(self.reaches.get(character, 0), len(literal) - 1)
        self.literals = tuple(sorted(literal_clauses))
        # Per literal number: the bits of its clauses, and their numbers.
        self.literal_masks = tuple(
            (sum(1 << number for number in self.literal_clauses[literal]), self.literal_clauses[literal])
            for literal in self.literals
        )
        self.scanner = scanner(self.literals)
        # The core's table of literals and their clauses, which counts a document's presence (None: Python counts).
        self.clause_table = clause_table(self.literals, [self.literal_clauses[literal] for literal in self.literals])
        # A character no literal holds: the stretches an update scans are joined by it into one text.
        self.separator = next(
            (mark for mark in SEPARATORS if not any(mark in literal for literal in self.literals)), None
        )

    @property
    def units(self) -> Sequence[Unit]:
        """Every step of the plan, in the order the stages run them."""
        return self._units

    def gated(self, units: Sequence[Unit]) -> tuple[list[Gated], list[Gated]]:
        """``(index, step, mask, first)`` for a list of the plan's steps, for any text and for ASCII
        text (see :attr:`gates`; a step without a trigger has mask 0 and no first clause), made once per list.

        The lists are the pipeline's own, which live as long as the plan: they
        are known by identity.
        """
        gated = self._gated.get(id(units))
        if gated is None:
            sides: tuple[list[Gated], list[Gated]] = ([], [])
            for index, unit in enumerate(units):
                gates = self.gates.get(id(unit), ((0, -1), (0, -1)))
                for side, (mask, first) in zip(sides, gates, strict=True):
                    side.append((index, unit, mask, first))
            gated = self._gated[id(units)] = sides
            self._lists.append(units)  # kept alive, so that no other list can take its identity
        return gated

    def native_run(self, units: Sequence[Unit]) -> Any | None:
        """The core's run of a list of the plan's steps (``Run``), made once per list: in one call,
        each step it can run whole (:attr:`Step.runs_natively`) is evaluated in turn where its
        trigger holds, without the screen or a Python call; each of the others whose trigger holds
        it screens (:meth:`screen` of that step alone), and stops at those that may find
        something, which Python evaluates (the core's run of the stages calls
        :meth:`cleantext.pipeline.Pipeline._hand_off` back). None without the core, or where the
        presence is counted in Python."""
        key = id(units)
        if key not in self._runs:
            run = None
            if self.clause_table is not None and units:
                words = (self.clause_count + 63) // 64
                steps = []
                for unit in units:
                    gates = self.gates.get(id(unit), ((0, -1), (0, -1)))
                    gate_words = (_words(mask, words) for mask, _ in gates)
                    spec = (unit.native_finds, unit.label, unit.rule.ref, unit, unit.where_parts, unit.repeats)
                    steps.append((*spec, *gate_words, gates[0][1], gates[1][1]))
                run = native_run(steps, self._screen, self.scanner, COMPOSE_CALLBACKS)
            self._runs[key] = run
            self._lists.append(units)  # kept alive, so that no other list can take its identity
        return self._runs[key]

    def holding(self, units: Sequence[Unit], ascii_text: bool, held: int) -> list[tuple[int, Unit, int]]:
        """``(index, step, first clause)`` for the steps of ``units`` whose trigger the clauses ``held``
        satisfy (on ASCII text: their ASCII triggers), kept for the next text that holds the same clauses."""
        key = (id(units), ascii_text, held)
        holding = self._holding.get(key)
        if holding is None:
            # The gate test of ``allows``, written out: a call per step costs a one-line document 5 %.
            gated = self.gated(units)[ascii_text]
            holding = [(index, unit, first) for index, unit, mask, first in gated if mask & held == mask]
            if len(self._holding) >= HOLDING_KEPT:
                self._holding.clear()
            self._holding[key] = holding
        return holding

    def screen(self, selected: list[Selected], text: str, memory: Presence | None = None) -> list[Selected]:
        """The ``selected`` steps less those the core finds nothing for in ``text`` (see the module's
        docstring); all of them on the Python engine.

        A step's check finds something wherever the step does: a line rule's
        pattern is searched in every line its rule judges in its regions that
        holds one of the literals it was selected with, an inline rule's in the
        text (see :meth:`Step.screen_check`). ``memory``: the presence of the
        document ``text`` is, whose remembered checks (:attr:`Presence.remembered`,
        :attr:`Presence.finding`) are not asked again, and which remembers
        what this screen finds. Where it remembers nothing (a short text, or
        no ``memory``), the whole screen is one call to the core (``Screen.kept``)."""
        if not self.screening:
            return selected
        if memory is None or len(text) < memory.remember_chars:
            return screened(self._screen, text, selected)
        asked: list[tuple[Check, tuple[str, ...]]] = []
        positions: list[int] = []
        known: list[int] = []
        whole_text: list[object] = []
        remembered, finding = memory.remembered, memory.finding
        checks = self._checks
        for position, (_, unit, literals) in enumerate(selected):
            key = id(unit)
            check = checks[key] if key in checks else self._check_of(unit)
            if check is None:
                continue
            if remembered and (quiet_with := remembered.get(id(check))) is not None and quiet_with[1] == literals:
                known.append(position)
            elif finding and finding.get(id(check)) == literals:
                continue
            else:
                asked.append((check, literals))
                positions.append(position)
                if check[0] == "text" and not check[5]:
                    whole_text.append(check[1])
        together = self._screen.together(whole_text) if len(whole_text) > 1 else None
        found_nothing = quiet(text, asked, together) if asked else []
        for number in found_nothing:
            check, literals = asked[number]
            if check[0] in REMEMBERED and not check[5]:
                remembered[id(check)] = (check, literals)
        if len(text) >= KEEP_FINDING_CHARS:
            quiet_now = set(found_nothing)
            for number, (check, literals) in enumerate(asked):
                if number not in quiet_now:
                    finding[id(check)] = literals
        if not found_nothing and not known:
            return selected
        dropped = {positions[number] for number in found_nothing}.union(known)
        return [entry for position, entry in enumerate(selected) if position not in dropped]

    def may_change(self, selected: list[Selected], text: str) -> bool:
        """Whether :meth:`screen` keeps any of the ``selected`` steps: whether one may change ``text``.
        The core stops at the first that may, asking the checks that read least of a text first."""
        if not self.screening or not selected:
            return bool(selected)
        return screen_finds_any(self._screen, text, selected)

    def _check_of(self, unit: Unit) -> Check | None:
        """The screen check of a step, made (and kept) as the step is first asked, so that a rule's
        pattern is compiled for the core only once its trigger holds."""
        check = self._checks[id(unit)] = unit.screen_check()
        return check

    def context_of(self, units: Sequence[Unit]) -> Sequence[Unit]:
        """The steps of ``units`` that look at position or at other blocks, made once per list."""
        subset = self._context.get(id(units))
        if subset is None:
            subset = self._context[id(units)] = tuple(unit for unit in units if unit.sees_context)
            self._lists.append(units)
        return subset

    def scan(self, text: str) -> Presence:
        """The pre-pass: the literals of the whole text."""
        presence = Presence(self)
        presence.add(text, ends=True)
        return presence

    def untriggered(self) -> list[Unit]:
        """The steps evaluated on every document: no literal could be derived for them."""
        return [unit for unit in self._units if not self.triggers[id(unit)].derived]
