"""The plan: a pipeline's steps compiled once, with the triggers that decide which of them run.

Every step gets a trigger (:mod:`cleantext.triggers`): clauses of casefolded
literals that any text it can change must contain, derived from its pattern,
its character table or its lexicon's spellings, plus its hand-written
``requires`` words. All the literals of all the steps go into one
Aho-Corasick automaton; one pass of it over the casefolded document (the
pre-pass, :meth:`Plan.scan`) says which clauses hold, and a step whose
trigger does not hold is not evaluated at all. A step without a trigger
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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import ahocorasick

from cleantext.normalize import Lexicon
from cleantext.rules import Rule, lexicon_spellings
from cleantext.triggers import Clause, Trigger, derive, useful

__all__ = ["Plan", "Presence", "StepTrigger", "trigger_of"]

Unit = Rule | Lexicon

NEVER: Trigger = (frozenset(),)
"""The trigger of a step that cannot fire on the text: a clause no string satisfies."""


@dataclass(frozen=True, slots=True)
class StepTrigger:
    """A step's triggers: for any text, and for texts of ASCII characters only. None: evaluate always."""

    any_text: Trigger | None
    ascii_text: Trigger | None

    @property
    def derived(self) -> bool:
        """Whether the step has a trigger at all (else it is evaluated on every document)."""
        return self.any_text is not None


def trigger_of(unit: Unit) -> StepTrigger:
    """The triggers of one step, derived from what the step is."""
    if isinstance(unit, Lexicon):
        return StepTrigger(_spellings(unit.replacements, False), _spellings(unit.replacements, True))
    rule = unit
    hint: tuple[Clause, ...] = (frozenset(rule.requires),) if rule.requires else ()
    if rule.kind == "lexicon":
        spellings = lexicon_spellings(rule)
        return StepTrigger(_spellings(spellings, False), _spellings(spellings, True))
    if rule.kind == "charmap":
        characters = list(rule.mapping)
        return StepTrigger(_characters(characters, False), _characters(characters, True))
    if rule.kind == "unicode":
        return StepTrigger(None, NEVER)  # ASCII text is in every normalization form
    if rule.pattern is None or rule.kind in ("repeat", "offtopic", "extract"):
        return StepTrigger(_with(None, hint), _with(None, hint))
    return StepTrigger(
        _with(derive(rule.pattern), hint),
        _with(derive(rule.pattern, ascii_text=True), hint),
    )


def _with(trigger: Trigger | None, hint: tuple[Clause, ...]) -> Trigger | None:
    clauses = (*(trigger or ()), *(clause for clause in hint if useful(clause)))
    return clauses or None


def _spellings(spellings: Iterable[str], ascii_text: bool) -> Trigger | None:
    folded = frozenset(spelling.casefold() for spelling in spellings if spelling.isascii() or not ascii_text)
    return (folded,)


def _characters(characters: Sequence[str], ascii_text: bool) -> Trigger | None:
    folded = frozenset(character.casefold() for character in characters if character.isascii() or not ascii_text)
    if folded and not useful(folded):
        return None  # a common character: the step runs on every text
    return (folded,)


WEAK_LENGTH = 2
"""An ASCII literal this short with a letter, digit or space in it ("by", "in", "- ") is in nearly
every text: not worth the automaton's reports. A clause with one is tested with substring searches
instead, once per text, and still picks the lines a line step searches."""

LINE_LITERALS_MAX = 8
"""A weak clause picks lines only when it has at most this many literals (each is a substring test per line)."""


def _weak(literal: str) -> bool:
    return len(literal) <= WEAK_LENGTH and literal.isascii() and any(c.isalnum() or c.isspace() for c in literal)


@dataclass(slots=True)
class Presence:
    """Which literals one document holds (or held): the pre-pass's answer, kept up to date as the text changes."""

    plan: Plan
    literals: set[str] = field(default_factory=set)
    clauses: dict[int, list[str]] = field(default_factory=dict)
    # The casefolded current text and the weak literals found in it, made when first asked for.
    _text: str | None = None
    _folded: str = ""
    _weak: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def add(self, folded: str) -> None:
        """Count the literals of a casefolded stretch of text."""
        plan = self.plan
        found: set[str] = set()
        if plan.automaton is not None:
            found.update(literal for _, literal in plan.automaton.iter(folded))
        if plan.characters is not None:
            found.update(plan.characters.findall(folded))
        for literal in found - self.literals:
            self.literals.add(literal)
            for clause_id in plan.literal_clauses[literal]:
                self.clauses.setdefault(clause_id, []).append(literal)

    def allows(self, unit: Unit, text: str) -> tuple[str, ...] | None:
        """None when the step's trigger does not hold on ``text``; else the literals a line must hold.

        Those literals (empty when any line may do) are what a line or block
        of the text must contain for a line or block step to fire there: the
        present ones of its first clause.
        """
        plan = self.plan
        check = plan.checks.get(id(unit))
        if check is None:
            return ()
        ids = check[1] if text.isascii() else check[0]
        found = self.clauses
        for clause_id in ids:
            if clause_id not in found and not (plan.weak[clause_id] and self._weak_present(clause_id, text)):
                return None
        if not ids:
            return ()
        first = ids[0]
        strong = found.get(first, ())
        weak = self._weak_present(first, text) if plan.weak[first] else ()
        return (*strong, *weak) if weak else tuple(strong)

    def _weak_present(self, clause_id: int, text: str) -> tuple[str, ...]:
        """The weak literals of a clause in the current text, by substring searches (once per text and clause)."""
        if text is not self._text:
            self._text, self._folded = text, text.casefold()
            self._weak.clear()
        present = self._weak.get(clause_id)
        if present is None:
            folded = self._folded
            present = self._weak[clause_id] = tuple(
                literal for literal in self.plan.weak[clause_id] if literal in folded
            )
        return present

    def update(
        self, text: str, replacements: Sequence[tuple[int, int, str]] | Sequence[tuple[int, int, str, object]]
    ) -> None:
        """Count the literals that the replacements (as applied to the text before, now ``text``) may have made.

        Only stretches around the edits are scanned: as far either side as the
        longest literal, so a literal that spans an edit's edge is seen.
        """
        reach = self.plan.longest - 1
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
        for low, high in windows:
            self.add(text[low:high].casefold())


class Plan:
    """The steps of a pipeline with their triggers, and one pre-pass over every literal of them.

    Literals of two characters or more go into an Aho-Corasick automaton;
    single characters into one character class. Both scan the casefolded text.

    >>> from cleantext.rules import Rule
    >>> rule = Rule(id="demo.ad", category="promo", kind="line", stage="strip", action="remove",
    ...             description="", pattern=r"(?i)^advertisement$")
    >>> plan = Plan([rule])
    >>> plan.scan("Body.\\n").allows(rule, "Body.\\n") is None
    True
    >>> plan.scan("ADVERTISEMENT\\n").allows(rule, "ADVERTISEMENT\\n")
    ('advertisement',)
    """

    def __init__(self, units: Iterable[Unit]) -> None:
        self.triggers: dict[int, StepTrigger] = {}
        self.checks: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self.weak: list[tuple[str, ...]] = []  # by clause number: its weak literals, found by substring search
        clause_number: dict[Clause, int] = {}
        literal_clauses: dict[str, set[int]] = {}
        self._units: list[Unit] = []
        for unit in units:
            trigger = trigger_of(unit)
            self._units.append(unit)
            self.triggers[id(unit)] = trigger
            if trigger.any_text is None and trigger.ascii_text is None:
                continue
            checks = []
            for clauses in (trigger.any_text, trigger.ascii_text):
                ids = []
                for clause in clauses or ():
                    number = clause_number.get(clause)
                    if number is None:
                        number = clause_number[clause] = len(self.weak)
                        self.weak.append(tuple(sorted(literal for literal in clause if _weak(literal))))
                        for literal in clause:
                            if not _weak(literal):
                                literal_clauses.setdefault(literal, set()).add(number)
                    ids.append(number)
                checks.append(tuple(ids))
            self.checks[id(unit)] = (checks[0], checks[1])
        self.literal_clauses = {literal: tuple(sorted(numbers)) for literal, numbers in literal_clauses.items()}
        self.longest = max((len(literal) for literal in literal_clauses), default=1)
        words = [literal for literal in literal_clauses if len(literal) > 1]
        characters = sorted(literal for literal in literal_clauses if len(literal) == 1)
        self.automaton: ahocorasick.Automaton | None = None
        if words:
            self.automaton = ahocorasick.Automaton()
            for word in words:
                self.automaton.add_word(word, word)
            self.automaton.make_automaton()
        self.characters = re.compile("[" + "".join(map(re.escape, characters)) + "]") if characters else None

    def scan(self, text: str) -> Presence:
        """The pre-pass: the literals of the whole text."""
        presence = Presence(self)
        presence.add(text.casefold())
        return presence

    def untriggered(self) -> list[Unit]:
        """The steps evaluated on every document: no literal could be derived for them."""
        return [unit for unit in self._units if not self.triggers[id(unit)].derived]
