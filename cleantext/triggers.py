"""Triggers: the literals any match of a pattern must contain, derived from its syntax.

A trigger is a tuple of *clauses*; a clause is a set of casefolded strings, one
of which any text the pattern matches in must contain. Every clause must hold:
``(("subscri", "newsletter"), ("©",))`` says a match needs "subscri" or
"newsletter", and "©". The plan (:mod:`cleantext.plan`) finds every literal of
every step in one pass over the casefolded text and evaluates a step only
where its trigger holds; a step without a trigger is evaluated always.

Literals are casefolded whatever the pattern's flags: a match of a
case-sensitive literal is also one of its casefolded form in the casefolded
text, so the trigger stays necessary, only a little less selective.

Derivation follows the pattern's parse tree (the standard library's parser,
after the ``regex`` module's own syntax is rewritten into something it reads
with the same or weaker requirements):

- a literal character is an exact string; a small character class is a set
  of them; anything wider (``\\w``, ``.``, ``\\p{L}``, a negated class) is
  unconstrained;
- a sequence joins exact sets by their product while it stays small, and
  otherwise keeps each part's clauses;
- an alternation needs one clause from each branch: their union;
- a repeat of at least one keeps its item's clauses; an optional item none;
- a positive look-around's literals are in the text too; a negative one, a
  back-reference or a conditional promise nothing.

>>> [sorted(clause) for clause in derive(r"(?i)^\\W{0,3}subscribe to (?:our|the) newsletter\\.?$")]
[['subscribe to our newsletter', 'subscribe to the newsletter']]
>>> derive(r"[\\p{L}]+") is None
True
"""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

from cleantext.cache import persisted

__all__ = ["Clause", "Trigger", "derive", "fold", "scanned_form", "useful"]

Clause = frozenset[str]
Trigger = tuple[Clause, ...]

EXACT_MAX = 32
"""An exact set (every string a part of the pattern can match) grows by products up to this many strings."""

CLASS_MAX = 8
"""A character class of up to this many characters (casefolded) is a set of literals; a wider one is any character."""

CLAUSE_MAX = 256
"""A clause of more strings than this is dropped: it promises too little to be worth its search ..."""

CHARACTERS_MAX = 4096
"""... but for a clause of single characters, none of them common (a wide class of rare characters,
such as C1 controls or mojibake's letters), which may have this many."""

CLAUSES_KEPT = 3
"""The most selective clauses a trigger keeps."""

TEXT_START = "\ue000"
TEXT_END = "\ue001"
"""The pre-pass scans the casefolded text between these two characters (of Unicode's private use
area, which no rule's class names), so that a pattern anchored to the text's start or end
(``\\A\\n+``, ``[ \\t]+$``) has a literal: ``"\\ue000\\n"``, ``" \\n"``."""

BOUNDARIES = frozenset({"\n", TEXT_START, TEXT_END})
"""Characters a literal found across lines has: no single line or paragraph holds it."""

_COMMON_CHARACTERS = frozenset(" \nabcdefghijklmnopqrstuvwxyz0123456789" + TEXT_START + TEXT_END)
"""Single characters in nearly every text (or every scan): a clause with one of them promises nothing."""


# A named tuple: loading the rules makes some 76,000 of these, and a frozen dataclass sets each
# field through object.__setattr__ (a fifth of the derivation's time).
class _Info(NamedTuple):
    """What a part of a pattern requires: the exact strings it matches, if few, else clauses.

    ``edge``: a part that matches no exact strings but starts and ends with one
    of these (a repeat of an exact part), or, for a look-around (``behind``
    or ``ahead``), the strings right before or after the position.
    """

    exact: frozenset[str] | None = None
    clauses: tuple[Clause, ...] = ()
    edge: frozenset[str] | None = None
    side: str = ""  # "repeat", "behind" or "ahead", for an edge
    prefix: frozenset[str] | None = None  # a part that is not exact: what its matches start with, if known
    suffix: frozenset[str] | None = None  # ... and what they end with


_ANY = _Info()
_EMPTY = _Info(exact=frozenset({""}))


@persisted
def derive(pattern: str, *, ascii_text: bool = False, whole_text: bool = False) -> Trigger | None:
    """The trigger of a ``regex`` pattern, or None when no literal can be derived (evaluate always).

    ``ascii_text``: the trigger for texts of ASCII characters only, in which
    a literal that only a non-ASCII character can match never occurs (an
    empty clause: the step cannot fire on such a text). ``whole_text``: the
    pattern searches the whole text, so ``\\A`` is its start; otherwise it
    searches a line, a paragraph or a region, whose start and end are a line
    break or the text's start and end.
    """
    parsed = _parsed(pattern)
    if parsed is None:
        return None
    for anchors in (False, True):
        # Anchors as literals only where nothing else can be had: their clauses pick no lines.
        clauses = _clauses(_Deriver(ascii_text, anchors, whole_text).sequence(parsed, parsed.state.flags))
        if frozenset() in clauses:
            return (frozenset(),)
        trigger = best(clauses)
        if trigger is not None:
            return trigger
    return None


# A step derives its two triggers (any text, ASCII text) one after the other from one parse; `derive`
# keeps the triggers. Parse trees kept longer would be tens of thousands of objects that the garbage
# collector walks at every full collection.
@lru_cache(maxsize=2)
def _parsed(pattern: str) -> sre_parse.SubPattern | None:
    readable = _readable(pattern)
    try:
        return sre_parse.parse(readable) if readable is not None else None
    except (re.error, RecursionError, OverflowError, ValueError):
        return None


def best(clauses: Iterable[Clause]) -> Trigger | None:
    """The most selective useful clauses, at most :data:`CLAUSES_KEPT`, or None when none is useful."""
    kept = sorted({_minimal(clause) for clause in clauses if useful(clause)}, key=_selectivity)
    return tuple(kept[:CLAUSES_KEPT]) or None


def _minimal(clause: Clause) -> Clause:
    """The clause without strings that contain another of its strings: finding the shorter one is enough."""
    if all(len(text) == 1 for text in clause):
        return clause
    ordered = sorted(clause, key=len)
    kept: list[str] = []
    for text in ordered:
        if not any(shorter in text for shorter in kept):
            kept.append(text)
    return frozenset(kept)


def useful(clause: Clause) -> bool:
    """Whether a clause is worth a search: not too wide, and no string in it empty or a common single character."""
    if not clause or "" in clause or any(text in _COMMON_CHARACTERS for text in clause):
        return False
    return len(clause) <= (CHARACTERS_MAX if all(len(text) == 1 for text in clause) else CLAUSE_MAX)


def fold(text: str) -> str:
    """Text as triggers see it: casefolded, and the dotless "ı" as "i".

    A pattern that ignores case matches "ı" for "I" (and ``re`` for "i"),
    while casefolding keeps it apart; folded so, both sides meet. Character
    by character, so a slice of folded text is the folded slice.

    >>> fold("Advertısement ẞ")
    'advertisement ss'
    """
    folded = text.casefold()
    return folded.replace("\u0131", "i") if "\u0131" in folded else folded


def scanned_form(text: str, *, ends: bool = False) -> str:
    """``text`` as the pre-pass scans it: folded, and, for a whole text (``ends``), between
    :data:`TEXT_START` and :data:`TEXT_END`.

    >>> scanned_form("By", ends=True) == TEXT_START + "by" + TEXT_END
    True
    """
    return TEXT_START + fold(text) + TEXT_END if ends else fold(text)


def _selectivity(clause: Clause) -> tuple[int, int, str]:
    # Longer shortest strings are rarer; fewer strings cost less per line. Ties go by text, so the order is stable.
    return (-min(len(text) for text in clause), len(clause), min(clause))


def _clauses(info: _Info) -> tuple[Clause, ...]:
    if info.exact is not None:
        # No string at all: the part cannot match (a non-ASCII letter, in an ASCII text).
        return () if "" in info.exact else (info.exact,)
    return info.clauses


class _Deriver:
    """Derivation over a parse tree; ``ascii_text``: for texts without non-ASCII characters;
    ``anchors``: anchors are the text's boundaries (``\\n``, :data:`TEXT_START`, :data:`TEXT_END`)."""

    def __init__(self, ascii_text: bool, anchors: bool, whole_text: bool) -> None:
        self.ascii_text = ascii_text
        self.anchors = anchors
        self.whole_text = whole_text

    def character(self, code: int, ignorecase: bool) -> frozenset[str]:
        """The casefolded strings a character of the pattern can put in the text (none, in ASCII mode, for most)."""
        folded = fold(chr(code))
        if self.ascii_text and code >= 128 and not (ignorecase and folded.isascii()):
            return frozenset()  # the Kelvin sign matches "k" ignoring case; "é" never matches ASCII text
        return frozenset({folded})

    def sequence(self, items: Iterable[tuple[object, object]], flags: int) -> _Info:
        """A sequence of parsed items: products of exact sets while small, clauses otherwise."""
        current: frozenset[str] = frozenset({""})
        clauses: list[Clause] = []
        all_exact = True
        prefix: frozenset[str] | None = None
        for op, av in items:
            info = self.item(op, av, flags)
            breaks = info.edge is not None or info.exact is None or len(current) * len(info.exact) > EXACT_MAX
            if all_exact and breaks:
                # The first part that breaks the exact run: what came before starts every match
                # (unless a look-around comes first, whose text is not the match's).
                looks_around = info.edge is not None and info.side != "repeat"
                prefix = current if "" not in current and not looks_around else None
            if info.edge is not None:
                # A repeat's first copy follows what came before, and its last one what comes
                # next; a look-behind's text is right before what follows, a look-ahead's right
                # after what came before (and what follows starts at the same place).
                all_exact = False
                if info.side == "behind":
                    clauses.extend(_clauses(_Info(exact=current)))
                elif len(current) * len(info.edge) <= EXACT_MAX:
                    clauses.extend(_clauses(_Info(exact=frozenset(a + b for a in current for b in info.edge))))
                else:
                    clauses.extend((*_clauses(_Info(exact=current)), *_clauses(_Info(exact=info.edge))))
                clauses.extend(info.clauses)
                if info.side != "ahead":
                    current = info.edge
                continue
            if info.exact is not None and len(current) * len(info.exact) <= EXACT_MAX:
                current = frozenset(a + b for a in current for b in info.exact)
                continue
            all_exact = False
            if info.exact is not None:
                clauses.extend(_clauses(_Info(exact=current)))
                current = info.exact
                continue
            # What the part starts with follows what came before; what it ends with, what comes next.
            if info.prefix is not None and len(current) * len(info.prefix) <= EXACT_MAX:
                clauses.extend(_clauses(_Info(exact=frozenset(a + b for a in current for b in info.prefix))))
            else:
                clauses.extend(_clauses(_Info(exact=current)))
            clauses.extend(info.clauses)
            current = info.suffix or frozenset({""})
        if all_exact:
            return _Info(exact=current)
        clauses.extend(_clauses(_Info(exact=current)))
        suffix = current if "" not in current else None
        return _Info(clauses=tuple(clauses), prefix=prefix, suffix=suffix)

    def item(self, op: object, av: Any, flags: int) -> _Info:
        """What one parsed node requires."""
        ignorecase = bool(flags & sre.SRE_FLAG_IGNORECASE)
        if op is sre.LITERAL:
            return _Info(exact=self.character(av, ignorecase))
        if op is sre.IN:
            return self.character_class(av, ignorecase)
        if op is sre.SUBPATTERN:
            _, added, removed, items = av
            return self.sequence(items, (flags | added) & ~removed)
        if op is sre.ATOMIC_GROUP:
            return self.sequence(av, flags)
        if op is sre.BRANCH:
            return _alternation([self.sequence(branch, flags) for branch in av[1]])
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, items = av
            inner = self.sequence(items, flags)
            if high == 1 and inner.exact is not None:
                return _Info(exact=inner.exact | ({""} if low == 0 else set()))
            if low == 0:
                return _EMPTY if inner.exact == frozenset({""}) else _ANY
            if inner.exact is not None and "" not in inner.exact:
                return _Info(clauses=_clauses(inner), edge=inner.exact, side="repeat")
            # The first copy starts as the item does, the last one ends as it does.
            return _Info(clauses=_clauses(inner), prefix=inner.prefix, suffix=inner.suffix)
        if op is sre.AT:
            return self.anchor(av, bool(flags & sre.SRE_FLAG_MULTILINE))
        if op is sre.ASSERT_NOT:
            return _EMPTY
        if op is sre.ASSERT:
            direction, items = av
            inner = self.sequence(items, flags)
            if inner.exact is not None and "" not in inner.exact:
                return _Info(edge=inner.exact, side="behind" if direction < 0 else "ahead")
            # A look-behind's text ends right where the match goes on; a look-ahead's starts there.
            edge = inner.suffix if direction < 0 else inner.prefix
            if edge is not None:
                return _Info(clauses=_clauses(inner), edge=edge, side="behind" if direction < 0 else "ahead")
            return _Info(clauses=_clauses(inner))
        return _ANY  # any character, categories, back-references, conditionals

    def anchor(self, code: object, multiline: bool) -> _Info:
        """An anchor: nothing, or, with ``anchors``, the boundary before or after the position."""
        if not self.anchors:
            return _EMPTY
        if code in (sre.AT_BEGINNING, sre.AT_BEGINNING_STRING) and not self.whole_text:
            return _Info(edge=frozenset({TEXT_START, "\n"}), side="behind")
        if code in (sre.AT_END, sre.AT_END_STRING) and not self.whole_text:
            return _Info(edge=frozenset({"\n", TEXT_END}), side="ahead")
        if code is sre.AT_BEGINNING_STRING or (code is sre.AT_BEGINNING and not multiline):
            return _Info(edge=frozenset({TEXT_START}), side="behind")
        if code is sre.AT_BEGINNING:
            return _Info(edge=frozenset({TEXT_START, "\n"}), side="behind")
        if code is sre.AT_END_STRING:
            return _Info(edge=frozenset({TEXT_END}), side="ahead")
        if code is sre.AT_END:
            # Not multi-line: the end, or before a line break that ends the text.
            return _Info(edge=frozenset({"\n", TEXT_END} if multiline else {TEXT_END, "\n" + TEXT_END}), side="ahead")
        return _EMPTY

    def character_class(self, members: list[tuple[object, Any]], ignorecase: bool) -> _Info:
        """A few characters are exact strings; many rare ones a clause of characters; anything else any character."""
        characters: set[str] = set()
        for op, av in members:
            if op is sre.LITERAL:
                characters |= self.character(av, ignorecase)
            elif op is sre.RANGE and av[1] - av[0] < CHARACTERS_MAX:
                for code in range(av[0], av[1] + 1):
                    characters |= self.character(code, ignorecase)
            else:
                return _ANY  # negated, a category, a wide range
            if len(characters) > CHARACTERS_MAX:
                return _ANY
        if len(characters) <= CLASS_MAX:
            return _Info(exact=frozenset(characters))
        clause = frozenset(characters)
        return _Info(clauses=(clause,)) if useful(clause) else _ANY


def _alternation(branches: list[_Info]) -> _Info:
    if all(branch.exact is not None for branch in branches):
        union = frozenset().union(*(branch.exact for branch in branches))  # type: ignore[arg-type]
        if len(union) <= EXACT_MAX:
            return _Info(exact=union)
    picked: set[str] = set()
    for branch in branches:
        clauses = _clauses(branch)
        if frozenset() in clauses:
            continue  # a branch that cannot match asks for nothing
        kept = best(clauses)
        if kept is None:
            return _ANY
        picked |= kept[0]
    return _Info(clauses=(frozenset(picked),))


# Each rewrite matches an escape first, so that an escaped backslash or parenthesis is never taken
# for the start of the syntax it rewrites ("\\\\p{L}" is a backslash and "p{L}").
_ESCAPE = r"\\."
_PROPERTY = re.compile(r"\\[pP](?:\{[^}]*\}|[A-Za-z])|" + _ESCAPE)
_NAMED_GROUP = re.compile(_ESCAPE + r"|\(\?P?<([A-Za-z_]\w*)>")
_GROUP_REFERENCE = re.compile(r"\\g<\w+>|" + _ESCAPE + r"|\(\?P=\w+\)")
_SUBROUTINE = re.compile(_ESCAPE + r"|\(\?(?:P>|&)(\w+)\)")
_UNREADABLE = re.compile(
    # regex's own syntax that the standard library would read as something else, without an error:
    # fuzzy matching ({e<=1}), POSIX classes ([[:digit:]]), verbose mode (spaces inside {m,n}).
    _ESCAPE + r"|(?P<bad>\{[^{}]*[A-Za-z][^{}]*\}|\[:\^?[A-Za-z]+:\]|\(\?[A-Za-z]*x[A-Za-z]*[:)])"
)


def _readable(pattern: str) -> str | None:
    """``pattern`` rewritten so that the standard library's parser reads it, requiring no more.

    ``\\p{..}`` properties become ``\\w`` (a wide class either way), named
    groups become plain groups (``regex`` allows one name twice), references
    to a group's text become empty (its literals are required where it is),
    and a ``(?(DEFINE)...)`` block's subroutines are written out where called.
    None when a subroutine cannot be resolved, or the pattern uses ``regex``
    syntax that the standard library would misread (fuzzy matching, POSIX
    classes, verbose mode).
    """
    pattern = _PROPERTY.sub(lambda match: match.group() if len(match.group()) == 2 else r"\w", pattern)
    if any(match.group("bad") for match in _UNREADABLE.finditer(pattern)):
        return None
    definitions: dict[str, str] = {}
    start = pattern.find("(?(DEFINE)")
    if start >= 0:
        end = _closing(pattern, start)
        if end is None:
            return None
        block = pattern[start + len("(?(DEFINE)") : end]
        for match in _NAMED_GROUP.finditer(block):
            if match.group(1) is None:
                continue  # an escape
            close = _closing(block, match.start())
            if close is None:
                return None
            definitions[match.group(1)] = block[match.end() : close]
        pattern = pattern[:start] + pattern[end + 1 :]

    def call(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group()  # an escape stays
        body = definitions.get(match.group(1))
        return "(?:)" if body is None else f"(?:{body})"

    for _ in range(4):  # definitions may call one another; a deeper nesting is not resolved
        pattern = _SUBROUTINE.sub(call, pattern)
    if any(match.group(1) for match in _SUBROUTINE.finditer(pattern)):
        return None
    pattern = _NAMED_GROUP.sub(lambda match: match.group() if match.group(1) is None else "(?:", pattern)
    return _GROUP_REFERENCE.sub(lambda match: match.group() if len(match.group()) == 2 else "", pattern)


def _closing(pattern: str, start: int) -> int | None:
    """The index of the parenthesis that closes the one at ``start``, skipping escapes and classes."""
    depth = 0
    index = start
    in_class = False
    while index < len(pattern):
        character = pattern[index]
        if character == "\\":
            index += 2
            continue
        if in_class:
            in_class = character != "]"
        elif character == "[":
            in_class = True
            if pattern[index + 1 : index + 2] == "]":
                index += 1
        elif character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return None
