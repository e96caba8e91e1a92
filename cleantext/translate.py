"""Rule patterns in the native core's syntax: the ``regex`` dialect of the rules, rewritten for the Rust crate.

The native core (:mod:`cleantext.native`) matches with the Rust crate
``regex``, whose Unicode tables and a few assertions differ from those of
Python's ``regex`` module. A rule's pattern is therefore not handed over as
it is: :func:`translate` rewrites it so that both engines match the same
strings.

- A class escape (``\\w``, ``\\d``, ``\\s``, ``\\p{L}`` and their negations,
  alone or inside ``[...]``) stays the crate's own where its table is
  ``regex``'s but for characters the core leaves to Python (those of a newer
  Unicode version: see :mod:`cleantext.native`); any other is spelled out as
  the code point ranges ``regex`` itself matches.
- ``\\b`` and ``\\B`` become the crate's ASCII word boundaries, which its fast
  automata run: they are exact on a text whose non-ASCII characters are none
  of them word characters, and the core leaves any other text to Python.
- ``$`` without ``(?m)`` is the end of the line for a line rule (which
  searches one line at a time); ``\\Z`` is the very end; ``.`` is any
  character but ``\\n``; ``^`` without ``(?m)`` is the start of the text only.
- Flags written anywhere (``(?i)`` in the middle of a pattern) apply to the
  whole pattern, as in ``regex``'s version 0; ``(?x)`` drops whitespace and
  comments.
- Groups of one name (``(?P<u>C)elsius|(?P<u>F)ahrenheit``) are one group, as
  in ``regex``: each gets its own name in the translation, and a replacement
  takes whichever of them took part in the match.
- A call of a group (``(?&name)``, of a group of ``(?(DEFINE)...)`` or of one
  in the pattern) becomes a copy of the group's pattern (which must not call itself).
- A look-behind of a few characters at the very start (``(?<![\\w.,])``,
  ``(?<=\\n\\n)``) is taken out of the pattern and checked on the characters
  before each match (:attr:`Translation.before`).

Look-arounds elsewhere, atomic groups and possessive quantifiers need a
backtracking search, which the crate has not (:attr:`Translation.backtracks`:
the core runs such patterns with ``fancy-regex``, where the caller allows). A
pattern the crate finds only with a look-ahead (``$`` at the end of a
text, which may come before a final line break) or builds slowly (long counted repetitions) is marked
:attr:`Translation.prefers_python`. Anything the translation cannot vouch
for (back-references, branch resets, conditionals, POSIX classes, fuzzy
matching, recursion, named characters) raises :class:`Untranslatable`. The
Python engine runs the rule in each case it does not take.

>>> translate(r"(?i)^a.b$", lines=True).pattern
'(?i)\\\\Aa[^\\\\n]b\\\\z'
>>> translate(r"(?P<u>C)elsius|(?P<u>F)ahrenheit").groups["u"]
(1, 2)
>>> translate(r"x(?=\\d)").backtracks, translate(r"(?<![.,])\\d+").before is not None
(True, True)
"""

from __future__ import annotations

import array
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import regex

from cleantext.cache import persisted

__all__ = [
    "SHARED_CANDIDATES",
    "Guarded",
    "Template",
    "Translation",
    "Untranslatable",
    "class_ranges",
    "every_character",
    "leading_guards",
    "merged_ranges",
    "translate",
    "translate_template",
]

Ranges = tuple[tuple[int, int], ...]

_SURROGATES = (0xD800, 0xDFFF)
_MAX = 0x10FFFF
_META = set("\\.+*?()|[]{}^$#&-~")
_FLAGS = set("imsx")
_MAX_CALL_DEPTH = 20


class Untranslatable(ValueError):
    """A pattern (or replacement) the translation cannot carry over exactly; the reason is the message."""


_LEADING_FLAGS = r"(?:\(\?[a-zA-Z]+\))*"
"""The flags a pattern may open with (``(?i)``), before a look-around the translation takes out."""

_ONE_CHARACTER = r"\\[wWdDsS]|\\[pP]\{[^}]*\}|\[(?:\\.|[^\]\\])*\]|\\[^xuUNgkpPbBAZzG0-9]|[^\\()\[\]|*+?{}.^$]"
"""One character of a look-behind the translation takes out of a pattern: a class escape, a
property, a bracketed class, an escape of one character (not an assertion, nor the start of a
longer escape: a code point, a name, a group) or a plain character."""

# The pieces of pattern syntax read at a position (matched there, the pattern not sliced).
_NAMED_GROUP = regex.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")
_DEFINED_GROUP = regex.compile(r"\(\?P?<(\w+)>")
_CALLABLE_GROUP = regex.compile(r"\(\?P?<([A-Za-z_]\w*)>")
_GLOBAL_FLAGS = regex.compile(r"\(\?([a-zA-Z]+)\)")
_GROUP_FLAGS = regex.compile(r"\(\?([a-zA-Z]*)(?:-([a-zA-Z]+))?([:)])")
_PLAIN_OPENER = regex.compile(r"\(\?(?::|=|!|<=|<!|>)")
_CALL = regex.compile(r"\(\?(?:&|P>)(\w+)\)")
_REPETITION = regex.compile(r"\{(\d*)(,?)(\d*)\}([?+]?)")
_TEMPLATE_REFERENCE = regex.compile(r"\\g<(\w+)>|\\(\d\d?)")


@dataclass(frozen=True)
class Translation:
    """A pattern in the core's syntax, and where each of the original pattern's groups went.

    ``groups`` maps every group name and number of the original pattern to the
    group numbers of the translation that stand for it (several for groups of one name).
    """

    pattern: str
    groups: dict[str | int, tuple[int, ...]]
    before: tuple[str, bool, int] | None = None
    """A leading look-behind of a few characters, one class each, taken out of ``pattern``:
    ``(pattern of the characters, positive, how many)``, checked on the characters before each
    match the rest of the pattern finds."""
    prefers_python: bool = False
    """Whether the ``regex`` module should run the pattern: the crate finds it only with a
    look-ahead (``$`` at the end of a text) or builds it slowly (a long counted repetition)."""
    backtracks: bool = False
    """Whether the pattern needs a backtracking search (look-arounds, atomic groups, possessive
    quantifiers), which only ``fancy-regex`` of the core's engines runs."""
    starts_plainly: bool = True
    """Whether the pattern neither starts with a look-around nor branches at its top level: a
    backtracking search then skips ahead to where its plain start matches, instead of trying
    every position of a whole text."""
    boundaries: bool = False
    """Whether ``pattern`` holds the crate's own ``\\b`` or ``\\B``."""


Template = tuple[str | tuple[int, ...], ...]
"""A replacement as the core expands it: literal text, and groups (the first of each that took part)."""


@lru_cache(maxsize=1)
def every_character() -> str:
    """Every code point Rust text can hold (no surrogates), in order: a class's members in one search."""
    points = array.array("I", range(_SURROGATES[0]))
    points.extend(range(_SURROGATES[1] + 1, _MAX + 1))
    return points.tobytes().decode("utf-32-le" if array.array("I").itemsize == 4 else "utf-32")


def _code_point(index: int) -> int:
    return index if index < _SURROGATES[0] else index + (_SURROGATES[1] - _SURROGATES[0] + 1)


@persisted
def class_ranges(escape: str) -> Ranges:
    """The code point ranges (inclusive, no surrogates) that ``regex`` matches with a class ``escape`` (``\\w``)."""
    try:
        spans = [match.span() for match in regex.finditer(f"(?:{escape})+", every_character())]
    except regex.error as error:
        raise Untranslatable(f"the class {escape} ({error})") from None
    ranges = ((_code_point(start), _code_point(end - 1)) for start, end in spans)
    return _without_surrogates(tuple(ranges))  # a run across the surrogates' gap is two ranges


def _complement(ranges: Ranges) -> Ranges:
    result = []
    next_start = 0
    for start, end in sorted(ranges):
        if start > next_start:
            result.append((next_start, start - 1))
        next_start = max(next_start, end + 1)
    if next_start <= _MAX:
        result.append((next_start, _MAX))
    return _without_surrogates(tuple(result))


def _without_surrogates(ranges: Ranges) -> Ranges:
    low, high = _SURROGATES
    kept = []
    for start, end in ranges:
        if end < low or start > high:
            kept.append((start, end))
            continue
        if start < low:
            kept.append((start, low - 1))
        if end > high:
            kept.append((high + 1, end))
    return tuple(kept)


def _char(point: int) -> str:
    return f"\\x{{{point:X}}}"


_ONE_LETTER_PROPERTIES = "CLMNPSZ"
"""The general categories a property escape may name with one letter and no braces (``\\pL``)."""


def _class(ranges: Ranges, negated: bool = False) -> str:
    if not ranges:
        raise Untranslatable("an empty character class")
    body = "".join(_char(start) if start == end else f"{_char(start)}-{_char(end)}" for start, end in ranges)
    return f"[{'^' if negated else ''}{body}]"


def _literal(character: str) -> str:
    if character in _META:
        return "\\" + character
    if (character.isascii() and not character.isprintable()) or character.isspace():
        return _char(ord(character))
    return character


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
_CLASS_ESCAPES = {"w": (r"\w", False), "W": (r"\w", True), "d": (r"\d", False), "D": (r"\d", True)}
_CLASS_ESCAPES |= {"s": (r"\s", False), "S": (r"\s", True)}


class _Translator:
    """One pass over a pattern, writing its translation (see :func:`translate`)."""

    def __init__(
        self,
        pattern: str,
        *,
        lines: bool,
        native_boundaries: bool,
        ascii_boundaries: bool,
        shared_classes: frozenset[str],
        relaxed: bool = False,
    ) -> None:
        self.source = pattern
        self.shared_classes = shared_classes
        self.relaxed = relaxed
        self.ascii_boundaries = ascii_boundaries
        self.boundaries = False  # a \b or \B was written as the crate's own
        self.lines = lines
        self.native_boundaries = native_boundaries
        self.python_groups = 0
        self.rust_groups = 0
        self.groups: dict[str | int, list[int]] = {}
        self.numbers: dict[str, int] = {}
        self.defines: dict[str, str] = {}
        self.global_flags: set[str] = set()
        self.alternation = False  # a | outside every group
        self.prefers_python = False
        self.backtracks = False

    def run(self) -> Translation:
        self._find_defines_and_flags(self.source)
        prefix = "(?i)" if "i" in self.global_flags else ""
        before, start = self._leading_lookbehind(prefix)
        body = self._sequence(self.source, start, set(self.global_flags), captures=True, depth=0)[0]
        if before is not None and (self.alternation or (self.backtracks and before[2] > 1)):
            # The look-behind belongs to the first alternative only: keep it in the pattern. Nor is
            # one of several characters taken out of a pattern that backtracks anyway: the
            # backtracking search, tried again after each start the look-behind rules out, costs
            # more than Python's search.
            self.alternation = self.prefers_python = self.backtracks = False
            self.rust_groups = self.python_groups = 0
            self.groups, self.numbers = {}, {}
            before, body = None, self._sequence(self.source, 0, set(self.global_flags), captures=True, depth=0)[0]
        return Translation(
            prefix + body,
            {key: tuple(value) for key, value in self.groups.items()},
            before=before,
            prefers_python=self.prefers_python,
            backtracks=self.backtracks,
            starts_plainly=not (self.alternation or body.startswith(("(?=", "(?!", "(?<=", "(?<!"))),
            boundaries=self.boundaries,
        )

    def _leading_lookbehind(self, prefix: str) -> tuple[tuple[str, bool, int] | None, int]:
        """A look-behind of a few characters, one class each, at the very start (after global
        flags), and where the rest begins."""
        if self.relaxed:
            return None, 0  # a relaxed pattern drops it with the other look-arounds
        leading = regex.match(
            _LEADING_FLAGS + r"\(\?<([=!])((?:" + _ONE_CHARACTER + r"){1,4})\)(?![*+?{])",
            self.source,
        )
        if leading is None or "x" in self.global_flags:
            return None, 0
        classes = []
        try:
            for item in regex.findall(_ONE_CHARACTER, leading.group(2)):
                if item.startswith("["):
                    character_class, _ = self._character_class(item, 0)
                else:
                    character_class, _ = self._sequence(item, 0, set(), captures=False, depth=0)
                classes.append(f"(?:{character_class})")
        except Untranslatable:
            return None, 0
        return (f"{prefix}\\A{''.join(classes)}\\z", leading.group(1) == "=", len(classes)), leading.end()

    # Scanning ahead: the (?(DEFINE)...) bodies and the flags that apply to the whole pattern.

    def _find_defines_and_flags(self, pattern: str) -> None:
        position = 0
        while position < len(pattern):
            character = pattern[position]
            if character == "\\":
                position += 2
            elif character == "[":
                position = self._skip_class(pattern, position)
            elif pattern.startswith("(?(DEFINE)", position):
                end = self._group_end(pattern, position)
                self._read_defines(pattern[position + len("(?(DEFINE)") : end - 1])
                position = end
            elif character == "(" and (named := _CALLABLE_GROUP.match(pattern, position)):
                # A group that a (?&name) call elsewhere may run again.
                end = self._group_end(pattern, position)
                self.defines.setdefault(named.group(1), pattern[named.end() : end - 1])
                position = named.end()
            elif character == "(" and (flags := _GLOBAL_FLAGS.match(pattern, position)):
                unknown = set(flags.group(1)) - _FLAGS
                if unknown:
                    raise Untranslatable(f"the flags {''.join(sorted(unknown))}")
                self.global_flags |= set(flags.group(1))
                position = flags.end()
            else:
                position += 1

    def _read_defines(self, body: str) -> None:
        position = 0
        while position < len(body):
            named = _DEFINED_GROUP.match(body, position)
            if not named or body[position].isspace():
                if body[position].isspace():
                    position += 1
                    continue
                raise Untranslatable("a DEFINE group that holds more than named groups")
            end = self._group_end(body, position)
            self.defines[named.group(1)] = body[named.end() : end - 1]
            position = end

    def _skip_class(self, pattern: str, position: int) -> int:
        position += 1
        if position < len(pattern) and pattern[position] == "^":
            position += 1
        if position < len(pattern) and pattern[position] == "]":
            position += 1
        while position < len(pattern) and pattern[position] != "]":
            position += 2 if pattern[position] == "\\" else 1
        if position >= len(pattern):
            raise Untranslatable("an unterminated character class")
        return position + 1

    def _group_end(self, pattern: str, position: int) -> int:
        depth = 0
        while position < len(pattern):
            character = pattern[position]
            if character == "\\":
                position += 2
                continue
            if character == "[":
                position = self._skip_class(pattern, position)
                continue
            if character == "(":
                depth += 1
            elif character == ")":
                depth -= 1
                if depth == 0:
                    return position + 1
            position += 1
        raise Untranslatable("an unbalanced group")

    # Translation proper.

    def _sequence(
        self, pattern: str, position: int, flags: set[str], *, captures: bool, depth: int, calls: int = 0
    ) -> tuple[str, int]:
        """Translate from ``position`` to the ``)`` that closes the current group (or the end)."""
        out: list[str] = []
        while position < len(pattern):
            character = pattern[position]
            if "x" in flags and character.isspace():
                position += 1
            elif "x" in flags and character == "#":
                newline = pattern.find("\n", position)
                position = len(pattern) if newline < 0 else newline + 1
            elif character == ")":
                return "".join(out), position
            elif character == "(":
                text, position = self._group(pattern, position, flags, captures=captures, depth=depth, calls=calls)
                out.append(text)
            elif character == "[":
                text, position = self._character_class(pattern, position)
                out.append(text)
            elif character == "\\":
                text, position = self._escape(pattern, position)
                out.append(text)
            elif character == ".":
                out.append("(?s:.)" if "s" in flags else "[^\\n]")
                position += 1
            elif character == "^":
                out.append("(?m:^)" if "m" in flags else "\\A")
                position += 1
            elif character == "$":
                if "m" in flags or self.lines:
                    out.append("(?m:$)" if "m" in flags else "\\z")
                elif not self.relaxed:  # relaxed: any position may be the end
                    self.prefers_python = True
                    out.append("(?=\\n?\\z)")
                position += 1
            elif character in "*+?":
                out.append(character)
                position += 1
                if position < len(pattern) and pattern[position] in "?+":
                    possessive = pattern[position] == "+"
                    self.backtracks |= possessive and not self.relaxed
                    if not (possessive and self.relaxed):
                        out.append(pattern[position])
                    position += 1
            elif character == "{":
                quantifier = _REPETITION.match(pattern, position)
                if quantifier and (quantifier.group(1) or quantifier.group(3)):
                    low, comma, high, mode = quantifier.groups()
                    # The crate unrolls a counted repetition: of a Unicode class, a long one is slow to build.
                    self.prefers_python |= max(int(low or 0), int(high or 0)) > LONGEST_REPETITION
                    if self.relaxed and mode == "+":
                        mode = ""  # possessive: greedy matches more
                    if self.relaxed and comma:
                        high = ""  # no upper bound matches more, and a large class is not unrolled
                    self.backtracks |= mode == "+"
                    out.append(f"{{{low or 0}{comma}{high}}}{mode}")
                    position = quantifier.end()
                else:
                    # A literal brace to re, but regex reads some ("{e<=1}") as fuzzy matching.
                    raise Untranslatable("a brace that is not a repetition")
            elif character == "|":
                out.append("|")
                self.alternation |= depth == 0 and calls == 0
                position += 1
            else:
                out.append(_literal(character))
                position += 1
        if depth:
            raise Untranslatable("an unbalanced group")
        return "".join(out), position

    def _group(
        self, pattern: str, position: int, flags: set[str], *, captures: bool, depth: int, calls: int
    ) -> tuple[str, int]:
        inner_flags = flags
        if pattern.startswith("(?(DEFINE)", position):
            return "", self._group_end(pattern, position)
        if pattern.startswith("(?#", position):
            end = pattern.find(")", position)
            if end < 0:
                raise Untranslatable("an unterminated comment")
            return "", end + 1
        call = _CALL.match(pattern, position)
        if call:
            name = call.group(1)
            if name not in self.defines:
                raise Untranslatable(f"a call of group {name}, which no DEFINE holds")
            if calls > _MAX_CALL_DEPTH:
                raise Untranslatable(f"group {name} calls itself")
            body, end = self._sequence(self.defines[name], 0, set(flags), captures=False, depth=0, calls=calls + 1)
            if end < len(self.defines[name]):
                raise Untranslatable(f"an unbalanced group in the definition of {name}")
            return f"(?:{body})", call.end()
        named = _NAMED_GROUP.match(pattern, position)
        flagged = _GROUP_FLAGS.match(pattern, position)
        if named:
            opener = self._capture(named.group(1)) if captures else "(?:"
            position = named.end()
        elif pattern.startswith(("(?:", "(?=", "(?!", "(?<=", "(?<!", "(?>"), position):
            opener = _PLAIN_OPENER.match(pattern, position).group()
            position += len(opener)
            if self.relaxed and opener != "(?:":
                # A look-around only rules matches out, an atomic group only some ways to match.
                body, position = self._sequence(
                    pattern, position, set(flags), captures=False, depth=depth + 1, calls=calls
                )
                if position >= len(pattern):
                    raise Untranslatable("an unbalanced group")
                return ("" if opener != "(?>" else f"(?:{body})"), position + 1
            self.backtracks |= opener != "(?:"
        elif flagged:
            on, off, end = flagged.group(1), flagged.group(2) or "", flagged.group(3)
            unknown = (set(on) | set(off)) - _FLAGS
            if unknown:
                raise Untranslatable(f"the flags {''.join(sorted(unknown))}")
            if end == ")":
                if off:
                    raise Untranslatable(f"the global flag -{off}")
                return "", flagged.end()  # a global flag: applied to the whole pattern already
            inner_flags = (set(flags) | set(on)) - set(off)
            case = ("i" if "i" in on else "") + ("-i" if "i" in off else "")
            opener = f"(?{case}:" if case else "(?:"
            position = flagged.end()
        elif pattern.startswith("(?", position):
            raise Untranslatable(f"the group syntax {pattern[position : position + 4]!r}")
        else:
            opener = self._capture(None) if captures else "(?:"
            position += 1
        body, position = self._sequence(
            pattern, position, set(inner_flags), captures=captures, depth=depth + 1, calls=calls
        )
        if position >= len(pattern):
            raise Untranslatable("an unbalanced group")
        return f"{opener}{body})", position + 1

    def _capture(self, name: str | None) -> str:
        self.rust_groups += 1
        rust = self.rust_groups
        if name is not None and name in self.numbers:
            number = self.numbers[name]  # regex: groups of one name are one group
        else:
            self.python_groups += 1
            number = self.python_groups
            if name is not None:
                self.numbers[name] = number
        self.groups.setdefault(number, []).append(rust)
        if name is None:
            return "("
        self.groups.setdefault(name, []).append(rust)
        return f"(?P<{name}__{rust}>"

    def _escape(self, pattern: str, position: int) -> tuple[str, int]:
        if position + 1 >= len(pattern):
            raise Untranslatable("a pattern that ends with a backslash")
        letter = pattern[position + 1]
        if letter in _CLASS_ESCAPES:
            escape, negated = _CLASS_ESCAPES[letter]
            if escape in self.shared_classes:
                return "\\" + letter, position + 2
            return _class(class_ranges(escape), negated), position + 2
        if letter in "pP":
            escape, end = self._property(pattern, position)
            if escape in self.shared_classes:
                return "\\" + letter + escape[2:], end
            return _class(class_ranges(escape), letter == "P"), end
        if letter in "bB":
            if self.relaxed:
                return "", position + 2  # relaxed: a word boundary is dropped with the look-arounds
            if self.native_boundaries:
                self.boundaries = True
                return (f"(?-u:\\{letter})" if self.ascii_boundaries else "\\" + letter), position + 2
            self.backtracks = True
            word = _class(class_ranges(r"\w"))
            if letter == "b":
                return f"(?:(?<={word})(?!{word})|(?<!{word})(?={word}))", position + 2
            return f"(?:(?<={word})(?={word})|(?<!{word})(?!{word}))", position + 2
        if letter == "A":
            return "\\A", position + 2
        if letter == "Z":
            return "\\z", position + 2
        character, end = self._character_escape(pattern, position)
        return _literal(character), end

    def _property(self, pattern: str, position: int) -> tuple[str, int]:
        if pattern.startswith("{", position + 2):
            close = pattern.find("}", position + 2)
            if close < 0:
                raise Untranslatable("an unterminated \\p{...}")
            return "\\p" + pattern[position + 2 : close + 1], close + 1
        name = pattern[position + 2 : position + 3]
        # One letter names a property only if it is a general category; regex reads any other
        # as that letter inside a class ("[\\pi]" is "p" or "i") and as something else outside.
        if len(name) != 1 or name not in _ONE_LETTER_PROPERTIES:
            raise Untranslatable(f"the property escape \\p{name}")
        return "\\p" + name, position + 3

    def _character_escape(self, pattern: str, position: int) -> tuple[str, int]:
        """The one character a ``\\`` escape stands for (``\\n``, ``\\x41``, ``\\u00e9``, ``\\.``)."""
        letter = pattern[position + 1]
        if letter in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[letter], position + 2
        sizes = {"x": 2, "u": 4, "U": 8}
        if letter in sizes:
            digits = pattern[position + 2 : position + 2 + sizes[letter]]
            if len(digits) != sizes[letter] or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise Untranslatable(f"the escape \\{letter}{digits}")
            point = int(digits, 16)
            if point > _MAX or _SURROGATES[0] <= point <= _SURROGATES[1]:
                raise Untranslatable(f"the code point {point:#x}, which Rust text cannot hold")
            return chr(point), position + 2 + sizes[letter]
        if letter.isascii() and letter.isalnum():
            raise Untranslatable(f"the escape \\{letter}")
        return letter, position + 2

    def _character_class(self, pattern: str, position: int) -> tuple[str, int]:
        position += 1
        negated = pattern.startswith("^", position)
        position += negated
        members: list[tuple[int, int]] = []
        shared: list[str] = []  # escapes written as the crate's own (see shared_classes)
        first = True
        while True:
            if position >= len(pattern):
                raise Untranslatable("an unterminated character class")
            character = pattern[position]
            if character == "]" and not first:
                position += 1
                break
            first = False
            if pattern.startswith("[:", position):
                raise Untranslatable("a POSIX class")
            if character == "\\" and position + 1 < len(pattern):
                letter = pattern[position + 1]
                if letter in _CLASS_ESCAPES:
                    escape, inverse = _CLASS_ESCAPES[letter]
                    if escape in self.shared_classes:
                        shared.append("\\" + letter)
                    else:
                        ranges = class_ranges(escape)
                        members.extend(_complement(ranges) if inverse else ranges)
                    position += 2
                    continue
                if letter in "pP":
                    escape, position = self._property(pattern, position)
                    if escape in self.shared_classes:
                        shared.append("\\" + letter + escape[2:])
                    else:
                        ranges = class_ranges(escape)
                        members.extend(_complement(ranges) if letter == "P" else ranges)
                    continue
                if letter == "b":
                    low, position = "\b", position + 2
                else:
                    low, position = self._character_escape(pattern, position)
            else:
                low, position = character, position + 1
            high = low
            if pattern.startswith("-", position) and position + 1 < len(pattern) and pattern[position + 1] != "]":
                if pattern[position + 1] == "\\":
                    high, position = self._character_escape(pattern, position + 1)
                else:
                    high, position = pattern[position + 1], position + 2
                if ord(high) < ord(low):
                    raise Untranslatable(f"the bad range {low}-{high}")
            members.append((ord(low), ord(high)))
        merged = _without_surrogates(merged_ranges(members))
        if shared:
            return f"[{'^' if negated else ''}{''.join(shared)}{_class(merged)[1:-1] if merged else ''}]", position
        return _class(merged, negated), position


def merged_ranges(ranges: Iterable[tuple[int, int]]) -> Ranges:
    """Inclusive code point ranges sorted, with overlapping and adjacent ones joined."""
    result: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if result and start <= result[-1][1] + 1:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return tuple(result)


LONGEST_REPETITION = 1000
"""A pattern with a counted repetition past this (``{2,160}``) is the Python engine's: ``regex``
repeats one compiled piece, the crate builds every copy."""

SHARED_CANDIDATES = (r"\w", r"\d", r"\s", *(f"\\p{{{name}}}" for name in ("L", "Lu", "Ll", "Lt", "M", "Mn", "N", "Nd")))
"""Class escapes the crate may run with its own table (see ``shared_classes`` in :func:`translate`)."""


@persisted
def translate(
    pattern: str,
    *,
    lines: bool = False,
    native_boundaries: bool = False,
    ascii_boundaries: bool = False,
    shared_classes: frozenset[str] = frozenset(),
    relaxed: bool = False,
) -> Translation:
    """``pattern`` (``regex`` syntax) in the core's syntax, matching the same strings.

    ``lines``: the pattern searches one line or paragraph at a time (a string
    that never ends with a line break), so ``$`` is its end.
    ``native_boundaries``: ``\\b`` and ``\\B`` stay the crate's own (the
    caller keeps texts where its word characters differ from ``regex``'s
    away), and with ``ascii_boundaries`` its ASCII ones (for texts whose
    non-ASCII characters are no word characters); else they become
    look-arounds. ``shared_classes``: class escapes (of
    :data:`SHARED_CANDIDATES`) written as the crate's own, because its table
    is ``regex``'s but for characters the caller keeps away; the others are
    spelled out as ranges. ``relaxed``: a pattern that matches, at any position,
    wherever ``pattern`` matches there and maybe more: look-arounds and word
    boundaries dropped, atomic groups and possessive quantifiers as plain ones,
    counted repetitions without their upper bound (it finds where to try
    ``pattern`` itself, on any text the core reads; it never backtracks, and its
    automaton stays small).
    Raises :class:`Untranslatable` for what only the Python engine can run.
    """
    return _Translator(
        pattern,
        lines=lines,
        native_boundaries=native_boundaries,
        ascii_boundaries=ascii_boundaries,
        shared_classes=shared_classes,
        relaxed=relaxed,
    ).run()


@dataclass(frozen=True)
class Guarded:
    """A line or paragraph pattern ``^(?!A)(?=B)...rest`` as look-aheads at its start and the rest,
    each in the core's syntax with ASCII word boundaries (see :func:`leading_guards`)."""

    guards: tuple[tuple[str, bool, bool], ...]
    """Each look-ahead as ``(pattern anchored at the start, positive, whether it has word boundaries)``."""
    rest: str
    """The pattern without its look-aheads, anchored at the start."""
    rest_boundaries: bool
    """Whether ``rest`` has word boundaries."""
    groups: dict[str | int, tuple[int, ...]]
    """Where each group of the pattern went in ``rest`` (as :attr:`Translation.groups`)."""


@persisted
def leading_guards(pattern: str, *, shared_classes: frozenset[str] = frozenset()) -> Guarded | None:
    """The look-aheads right after the ``^`` that starts a line or paragraph ``pattern``, and the rest,
    where each translates without a backtracking search; else None.

    A match of such a pattern can only start where the search starts (no
    ``(?m)``), and it is one there when every negative look-ahead finds nothing
    there, every positive one finds something, and the rest matches: the core
    answers with one search of each on its automata where the pattern would
    otherwise need ``fancy-regex`` (whose look-aheads, delegated to the crate's
    automata with Unicode word boundaries, fall back to a slow engine at the first
    character outside ASCII). The translations have ASCII word boundaries: they
    are exact on a line without word characters outside ASCII, as elsewhere.

    >>> guarded = leading_guards(r"^(?!.*x)(?=[A-Z]).*y\\b")
    >>> guarded.guards
    (('\\\\A(?:[^\\\\n]*x)', False, False), ('\\\\A(?:[\\\\x{41}-\\\\x{5A}])', True, False))
    >>> guarded.rest
    '\\\\A[^\\\\n]*y(?-u:\\\\b)'
    >>> leading_guards(r"^(?!a)b|c") is None  # the look-ahead belongs to the first branch only
    True
    """
    scanner = _Translator(
        pattern, lines=True, native_boundaries=True, ascii_boundaries=True, shared_classes=shared_classes
    )
    try:
        scanner._find_defines_and_flags(pattern)
    except Untranslatable:
        return None
    flags = scanner.global_flags
    # A group may be called from anywhere, and (?m) or (?x) change what the start and the text mean.
    if "(?&" in pattern or "(?P>" in pattern or flags & {"m", "x"}:
        return None
    start = regex.match(_LEADING_FLAGS + r"\^", pattern)
    if start is None:
        return None
    bodies: list[tuple[str, bool]] = []
    position = start.end()
    while pattern.startswith(("(?!", "(?="), position):
        try:
            end = scanner._group_end(pattern, position)
        except Untranslatable:
            return None
        bodies.append((pattern[position + 3 : end - 1], pattern[position + 2] == "="))
        position = end
    # A quantified look-ahead ("(?!a)*") is no condition the rest can go without.
    if not bodies or pattern.startswith(("*", "+", "?", "{"), position):
        return None
    prefix = f"(?{''.join(sorted(flags))})" if flags else ""

    def plain(source: str) -> Translation | None:
        try:
            translation = translate(
                prefix + source,
                lines=True,
                native_boundaries=True,
                ascii_boundaries=True,
                shared_classes=shared_classes,
            )
        except Untranslatable:
            return None
        if translation.backtracks or translation.prefers_python or translation.before is not None:
            return None
        return translation

    guards = []
    for body, positive in bodies:
        guard = plain(f"^(?:{body})")
        # A group captured in a look-ahead would renumber the rest's: such a pattern stays whole.
        if guard is None or guard.groups:
            return None
        guards.append((guard.pattern, positive, guard.boundaries))
    rest = plain("^" + pattern[position:])
    if rest is None or not rest.starts_plainly:
        return None
    return Guarded(tuple(guards), rest.pattern, rest.boundaries, rest.groups)


def translate_template(template: str, groups: dict[str | int, tuple[int, ...]]) -> Template:
    """A replacement (``\\g<name>``, ``\\1``, ``\\n``) as literal text and the translation's groups.

    >>> translate_template(r"-\\g<n> °\\g<u>", {"n": (1,), "u": (2, 3), 1: (1,), 2: (2, 3)})
    ('-', (1,), ' °', (2, 3))
    """
    pieces: list[str | tuple[int, ...]] = []
    literal: list[str] = []
    position = 0
    while position < len(template):
        character = template[position]
        if character != "\\":
            literal.append(character)
            position += 1
            continue
        reference = _TEMPLATE_REFERENCE.match(template, position)
        if reference:
            key: str | int = reference.group(1) or reference.group(2)
            key = int(key) if str(key).isdigit() else key
            if key == 0:
                target: tuple[int, ...] = (0,)
            elif key in groups:
                target = groups[key]
            else:
                raise Untranslatable(f"the replacement refers to the unknown group {key}")
            if literal:
                pieces.append("".join(literal))
                literal = []
            pieces.append(target)
            position = reference.end()
            continue
        letter = template[position + 1 : position + 2]
        if letter in _SIMPLE_ESCAPES:
            literal.append(_SIMPLE_ESCAPES[letter])
        elif letter == "\\":
            literal.append("\\")
        else:
            raise Untranslatable(f"the replacement escape \\{letter}")
        position += 2
    if literal:
        pieces.append("".join(literal))
    return tuple(pieces)
