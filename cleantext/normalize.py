"""The normalize stage: inline rules that replace spans inside lines.

Kinds: ``inline`` (a regex and its replacement), ``charmap`` (single characters
mapped through a table, found with one character-class scan), ``unicode`` (a
normalization form, applied only where the text is not already in it) and
``lexicon`` (name variants to one canonical spelling, one alternation per rule).

Example::

    >>> from cleantext.rules import CharmapRule
    >>> rule = CharmapRule(id="demo.quotes", category="typography", stage="normalize",
    ...             action="replace", description="", mapping={"\\u201c": '"', "\\u201d": '"'})
    >>> find_charmap(rule, "\\u201chi\\u201d", 0, 4, None)
    [(0, 1, '"'), (3, 4, '"')]
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cached_property, lru_cache
from typing import Any

import regex

from cleantext.cache import persisted
from cleantext.document import RuleRef
from cleantext.native import (
    BACKTRACK_PLAIN_START,
    native_charmap,
    native_pattern,
    native_prefilter,
    native_spellings,
    native_text,
)
from cleantext.rules import Rule, lexicon_spellings

__all__ = [
    "Lexicon",
    "find_charmap",
    "find_inline",
    "find_lexicon",
    "find_unicode",
    "native_charmap_of",
    "native_inline_pattern",
    "native_inline_prefilter",
    "native_unstable_of",
    "unstable_characters",
]

Replacements = list[tuple[int, int, str]]

# A base character with the marks and conjoining jamo that may compose with it,
# or a lone character that a normalization form maps to something else.
_COMPOSABLE_RUN = regex.compile(r".[\p{M}\u1160-\u11ff]+|[^\x00-\u02ff]", regex.DOTALL)


def find_inline(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> Replacements:
    """Replacements for every match of an inline rule's pattern."""
    template = rule.replacement
    literal = "\\" not in template
    if rule.action == "remove":
        template, literal = "", True
    core = native_inline_pattern(rule)
    if core is not None and (found := core.replacements(native_text(text), low, high)) is not None:
        return found
    # The core left the rule, or this text (its ASCII \b, a non-ASCII word character), to
    # Python: the relaxed form, which has no \b, tells Python where to try the pattern.
    prefilter = native_inline_prefilter(rule)
    if prefilter is not None and (starts := prefilter.starts(native_text(text), low, high)) is not None:
        return _tried_at(rule, text, starts, high, timeout, template, literal)
    return [
        (m.start(), m.end(), template if literal else m.expand(template))
        for m in rule.compiled.finditer(text, low, high, timeout=timeout)
    ]


def _tried_at(
    rule: Rule, text: str, starts: list[int], high: int, timeout: float | None, template: str, literal: bool
) -> Replacements:
    """What ``finditer`` finds, found by trying the pattern only where the core says a match may
    start (``starts``, in order: where its relaxed form matches, a superset).

    The relaxed form needs two bytes or more, and the pattern matches less than
    it: no match is empty, so each search goes on where the last match ended.
    """
    found: Replacements = []
    match_at = rule.compiled.match
    position = 0
    for start in starts:
        if start < position:
            continue
        match = match_at(text, start, high, timeout=timeout)
        if match is not None:
            found.append((start, match.end(), template if literal else match.expand(template)))
            position = match.end()
    return found


def native_inline_prefilter(rule: Rule) -> Any | None:
    """The core's relaxed form of an inline rule's pattern, which finds where the pattern may match
    (:func:`cleantext.native.native_prefilter`), or None: for a pattern the core does not run, and
    for a text it leaves to Python."""
    return native_prefilter(rule.pattern)


def native_inline_pattern(rule: Rule) -> Any | None:
    """The native core's form of an inline rule's pattern and replacement, or None: Python runs it."""
    replacement = "" if rule.action == "remove" else rule.replacement
    return native_pattern(rule.pattern, replacement, backtracking=BACKTRACK_PLAIN_START)


def native_charmap_of(rule: Rule) -> Any | None:
    """The native core's form of a charmap rule's table, or None: Python runs it."""
    return native_charmap(rule.mapping)


def find_charmap(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> Replacements:
    """Replacements for every character of a charmap rule's table."""
    table = rule.mapping
    core = native_charmap_of(rule)
    if core is not None and (found := core.replacements(text, low, high)) is not None:
        return found
    return [(m.start(), m.end(), table[m.group()]) for m in rule.compiled.finditer(text, low, high, timeout=timeout)]


def find_unicode(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> Replacements:
    """Replacements that bring the text into the rule's normalization form, line by line.

    Text already in the form (the common case) costs one C-level check. Within a
    line that is not, each composable run is normalized on its own; if that does
    not give the line's normalized form, the line is replaced whole.
    """
    form = rule.form or "NFC"
    if unicodedata.is_normalized(form, text[low:high]):
        return []
    found: Replacements = []
    position = low
    while position < high:
        end = text.find("\n", position, high)
        end = high if end < 0 else end
        line = text[position:end]
        if not unicodedata.is_normalized(form, line):
            found.extend(_normalize_line(line, position, form))
        position = end + 1
    return found


@persisted
def unstable_characters(form: str) -> dict[str, str]:
    """The characters a normalization form may change or move, each with its own normal form:
    a text without any of them is in the form already.

    Unstable are the characters the form maps to something else, those with a
    combining class (canonical ordering moves them), and, for the composing forms,
    those that compose with a character before them (the second of a primary
    composite's two, and the conjoining vowels and trailing consonants of Hangul).
    A text of stable characters only is its own normal form: each one is, and none
    reorders or composes with another. Read from Python's ``unicodedata`` (every
    code point, about a tenth of a second), once per form.
    """
    composing = form in ("NFC", "NFKC")
    decomposition, combining, normalize = unicodedata.decomposition, unicodedata.combining, unicodedata.normalize
    unstable: dict[str, str] = {}
    for point in range(sys.maxunicode + 1):
        character = chr(point)
        parts = decomposition(character)
        if not parts and not combining(character):
            continue
        normal = normalize(form, character)
        if normal != character or combining(character):
            unstable[character] = normal
        pair = parts.split()
        if composing and len(pair) == 2 and not parts.startswith("<") and normal == character:
            second = chr(int(pair[1], 16))  # ``character`` is a primary composite of two
            unstable[second] = normalize(form, second)
    # Hangul syllables decompose by rule, not by the table: the decomposing forms split them, and
    # the composing ones join a leading consonant and a vowel, or a syllable and a trailing consonant.
    hangul = [*range(0x1161, 0x1176), *range(0x11A8, 0x11C3)] if composing else range(0xAC00, 0xD7A4)
    for point in hangul:
        unstable[chr(point)] = normalize(form, chr(point))
    return unstable


def native_unstable_of(form: str) -> Any | None:
    """The core's table of :func:`unstable_characters`, or None without the core."""
    return native_charmap(unstable_characters(form))


def _normalize_line(line: str, offset: int, form: str) -> Replacements:
    expected = unicodedata.normalize(form, line)
    pieces: Replacements = []
    rebuilt = []
    copied = 0
    for match in _COMPOSABLE_RUN.finditer(line):
        run = match.group()
        normal = unicodedata.normalize(form, run)
        if normal != run:
            rebuilt.append(line[copied : match.start()])
            rebuilt.append(normal)
            copied = match.end()
            pieces.append((offset + match.start(), offset + match.end(), normal))
    rebuilt.append(line[copied:])
    if "".join(rebuilt) == expected:
        return pieces
    return [(offset, offset + len(line), expected)]


class Lexicon:
    """One matcher for the variants of many lexicon rules: one pass over the text for all of them.

    >>> from cleantext.rules import LexiconRule
    >>> kyiv = LexiconRule(id="names.kyiv", category="names", stage="normalize", action="replace",
    ...             description="", canonical="Kyiv", variants=("Kiev",), protected=("chicken Kiev",))
    >>> [(s, e, new) for s, e, new, _ in Lexicon([kyiv]).find("Kiev, KIEV and chicken Kiev", 0, 27, None)]
    [(0, 4, 'Kyiv'), (6, 10, 'KYIV')]
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        ids = [rule.id for rule in self.rules]
        # Named in warnings; built once, not per document (a pack can hold thousands of rules).
        self.label = ids[0] if len(ids) == 1 else f"{ids[0]} (with {len(ids) - 1} other lexicon rules)"
        self.replacements: dict[str, tuple[str, RuleRef]] = {}
        protected: set[str] = set()
        for rule in self.rules:
            for spelling, new in lexicon_spellings(rule).items():
                self.replacements.setdefault(spelling, (new, rule.ref))
            protected.update(rule.protected)
        self._protected_words = frozenset(protected)
        self.reach = max(map(len, protected), default=0)
        # Most spellings are in no protected expression, and need no search for one (see _protected).
        self._protected_lines = "\n".join(sorted(protected))
        self._held: dict[str, bool] = {}  # spelling: whether a protected expression may hold it
        # The core's finder of the spellings, made as first asked (False: the core cannot hold them).
        self._core: Any = None

    def __getstate__(self) -> dict[str, Any]:
        # The core's finder is made again where the lexicon is unpickled.
        return {**self.__dict__, "_core": None}

    # The spellings are literals, so the patterns are tries that run in linear time: the standard
    # library's engine is faster on them than ``regex`` and needs no time limit. They compile when
    # first searched: on the core, the matcher only where the core cannot hold the spellings, and the
    # guard only once a spelling a protected expression may hold turns up.

    @cached_property
    def matcher(self) -> re.Pattern[str]:
        """The trie of every spelling (:func:`_word_trie`), whose first letters the engine skips ahead
        to; the word boundary before a match is checked in Python, on the few places found."""
        return re.compile(_word_trie(self.replacements))

    @cached_property
    def guard(self) -> re.Pattern[str] | None:
        """Any protected expression as a whole word, in any case; None where the rules protect none."""
        return re.compile(_whole_words(self._protected_words), re.IGNORECASE) if self._protected_words else None

    def find(self, text: str, low: int, high: int, timeout: float | None) -> list[tuple[int, int, str, RuleRef]]:
        """Replacements of every variant in ``text[low:high]``, each tagged with its rule.

        On the core, one pass finds where the spellings occur, and the few places found are
        judged here as :meth:`find_in_python` judges them."""
        if self._core is None:
            self._core = native_spellings(self.replacements) or False
        if self._core and (occurrences := self._core.occurrences(text, low, high)) is not None:
            return self._judged(text, low, high, occurrences)
        return self.find_in_python(text, low, high)

    def _judged(
        self, text: str, low: int, high: int, occurrences: list[tuple[int, int]]
    ) -> list[tuple[int, int, str, RuleRef]]:
        """:meth:`find_in_python`'s replacements, from every occurrence of a spelling ``(start, end)``
        in ``text[low:high]``, by start and the longest first at each: at the first start past the
        last replacement, the longest spelling that ends at a word boundary (or at ``high``)."""
        found: list[tuple[int, int, str, RuleRef]] = []
        position = low
        index, count = 0, len(occurrences)
        while index < count:
            start = occurrences[index][0]
            following = index + 1
            while following < count and occurrences[following][0] == start:
                following += 1
            if start >= position:
                end = next(
                    (
                        end
                        for _, end in occurrences[index:following]
                        if end == high or not _is_word_character(text[end])
                    ),
                    None,
                )
                if end is not None:
                    if start and _is_word_character(text[start - 1]):
                        position = start + 1  # inside a word
                    else:
                        position = end
                        if not self._protected_words or not self._protected(text, start, end, low, high):
                            new, ref = self.replacements[text[start:end]]
                            found.append((start, end, new, ref))
            index = following
        return found

    def find_in_python(self, text: str, low: int, high: int) -> list[tuple[int, int, str, RuleRef]]:
        """:meth:`find` with the standard library's engine on the whole text: the reference."""
        found: list[tuple[int, int, str, RuleRef]] = []
        search = self.matcher.search
        position = low
        while (match := search(text, position, high)) is not None:
            start, end = match.span()
            if start and _is_word_character(text[start - 1]):
                position = start + 1  # inside a word: look again from the next character
                continue
            position = end
            if self._protected_words and self._protected(text, start, end, low, high):
                continue
            new, ref = self.replacements[match.group()]
            found.append((start, end, new, ref))
        return found

    def _protected(self, text: str, start: int, end: int, low: int, high: int) -> bool:
        """Whether a protected expression in ``text[low:high]`` holds the variant at ``start:end``.

        A protected expression is a whole word of at most :attr:`reach`
        characters, so only the word starts from that far before the variant's
        end up to its start are tried: the cost is the variant's, not the text's.
        One that starts by ``start`` ends by ``start + reach``, so the search reads
        no further than the character after that (which tells a whole word).
        """
        if not self._may_be_held(text[start:end]):
            return False
        assert self.guard is not None
        search = self.guard.search
        position, window_end = max(low, end - self.reach), min(high, start + self.reach + 1)
        while (held := search(text, position, window_end)) is not None and held.start() <= start:
            if held.end() >= end:
                return True
            position = held.start() + 1
        return False

    def _may_be_held(self, spelling: str) -> bool:
        """Whether ``spelling`` is in a protected expression, as the guard compares them (case-insensitively):
        only then can a protected expression in a text hold it. Asked once per spelling."""
        held = self._held.get(spelling)
        if held is None:
            found = re.search(re.escape(spelling), self._protected_lines, re.IGNORECASE)
            held = self._held[spelling] = found is not None
        return held


def _is_word_character(character: str) -> bool:
    """What ``\\w`` matches in a ``str`` pattern."""
    return character.isalnum() or character == "_"


def _word_trie(words: Iterable[str]) -> str:
    """A trie of ``words`` that must end at a word boundary; the start is the caller's to check.

    >>> _word_trie(["Kiev", "Kievan", "Kyiv"])
    '(?:K(?:iev(?:an)?|yiv))(?!\\\\w)'
    """
    trie = _trie(words)
    return rf"(?:{_trie_pattern(trie)})(?!\w)" if trie else r"(?!)"


def _trie(words: Iterable[str]) -> dict[str, dict]:
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for character in word:
            node = node.setdefault(character, {})
        node[""] = {}
    return trie


def _whole_words(words: Iterable[str]) -> str:
    """A pattern that matches any of ``words`` as a whole word, the longest where several fit.

    The words become a trie (common prefixes written once), and a look-ahead on
    the first letters lets the engine skip every other position quickly.

    >>> _whole_words(["Kiev", "Kievan", "Kyiv"])
    '(?<!\\\\w)(?=[Kk])(?:K(?:iev(?:an)?|yiv))(?!\\\\w)'
    """
    trie = _trie(words)
    if not trie:
        return r"(?!)"
    first = "".join(sorted({re.escape(c) for c in trie} | {re.escape(c.swapcase()) for c in trie}))
    return rf"(?<!\w)(?=[{first}])(?:{_trie_pattern(trie)})(?!\w)"


def _trie_pattern(root: dict[str, dict]) -> str:
    # Children before their parent, without recursion: a spelling of a thousand characters is a
    # thousand nodes deep.
    made: dict[int, str] = {}
    pending: list[tuple[dict[str, dict], bool]] = [(root, False)]
    while pending:
        node, children_made = pending.pop()
        if not children_made:
            pending.append((node, True))
            pending.extend((child, False) for character, child in node.items() if character)
            continue
        branches = [
            re.escape(character) + made.pop(id(child)) for character, child in sorted(node.items()) if character
        ]
        if not branches:
            made[id(node)] = ""
            continue
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # A word may end here or go on; the longer spelling is tried first.
        made[id(node)] = f"(?:{body})?" if "" in node else body
    return made[id(root)]


def find_lexicon(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> Replacements:
    """Replacements of one lexicon rule's variants by its canonical spelling (see :class:`Lexicon`)."""
    return [(start, end, new) for start, end, new, _ in _lexicon_of(rule).find(text, low, high, timeout)]


@lru_cache(maxsize=256)
def _lexicon_of(rule: Rule) -> Lexicon:
    return Lexicon([rule])
