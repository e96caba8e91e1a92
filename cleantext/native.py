"""The engine: the native core (``cleantext._native``, Rust) where it was built, else the Python reference.

The native core runs the plan's pre-pass (:func:`scanner`) and locates the
text extracted from an HTML page in the page (:func:`locate_natively`). This
module is its Python face; the pure-Python reference of each (here
:class:`PythonScanner`, and :func:`cleantext.extract.locate_text`'s own
code) stays, and a differential test holds the core to it
(``tests/test_native.py``). Which engine runs is decided
once, at import:

- ``CLEANTEXT_ENGINE=python`` runs the Python reference even where the core is built;
- ``CLEANTEXT_ENGINE=native`` makes a missing core an error;
- unset (or ``auto``): the core where it was built, else the Python engine.

``cleantext config`` and ``cleantext --version`` say which engine is active.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from typing import Any, Protocol

import ahocorasick

from cleantext.errors import CleantextError

__all__ = [
    "ENGINE",
    "ENTITY",
    "GAP",
    "MARKUP",
    "NATIVE_VERSION",
    "PythonScanner",
    "Scanner",
    "engine_summary",
    "locate_natively",
    "scanner",
]


class Scanner(Protocol):
    """Which of a fixed list of literals a text contains."""

    def scan(self, text: str) -> list[int]:
        """The numbers (positions in the list) of the literals ``text`` contains, each once."""
        ...


WEAK_LENGTH = 2
"""An ASCII literal this short with a letter, digit or space in it ("by", "in", "- "), or an ASCII
punctuation mark ("-", "."), is in most texts: the automaton would report it hundreds of times.
Such literals are looked for with one substring search each instead."""


def _weak(literal: str) -> bool:
    return literal.isascii() and (
        (len(literal) == 1 and literal.isprintable())  # a control character is rare: the character class finds it
        or (len(literal) <= WEAK_LENGTH and any(c.isalnum() or c.isspace() for c in literal))
    )


class PythonScanner:
    """The reference scanner: pyahocorasick for literals of two characters or more, one character
    class for single characters, and a substring search for each short, common literal.

    >>> PythonScanner(["by", "newsletter", "©"]).scan("Sign up to our newsletter © 2026")
    [2, 1]
    """

    __slots__ = ("automaton", "characters", "numbers", "weak")

    def __init__(self, literals: Sequence[str]) -> None:
        if len(set(literals)) != len(literals) or not all(literals):
            raise ValueError("literals must be distinct, non-empty strings")
        self.numbers = {literal: number for number, literal in enumerate(literals)}
        self.weak = tuple((literal, number) for number, literal in enumerate(literals) if _weak(literal))
        words = [literal for literal in literals if len(literal) > 1 and not _weak(literal)]
        characters = [literal for literal in literals if len(literal) == 1 and not _weak(literal)]
        self.automaton: ahocorasick.Automaton | None = None
        if words:
            self.automaton = ahocorasick.Automaton()
            for word in words:
                self.automaton.add_word(word, self.numbers[word])
            self.automaton.make_automaton()
        self.characters = re.compile("[" + "".join(map(re.escape, characters)) + "]") if characters else None

    def scan(self, text: str) -> list[int]:
        """The numbers of the literals ``text`` contains, each once."""
        found = dict.fromkeys(number for literal, number in self.weak if literal in text)
        if self.characters is not None:
            found.update(dict.fromkeys(self.numbers[character] for character in set(self.characters.findall(text))))
        if self.automaton is not None:
            found.update(dict.fromkeys(number for _, number in self.automaton.iter(text)))
        return list(found)


def _load_native() -> Any:
    choice = os.environ.get("CLEANTEXT_ENGINE", "auto")
    if choice not in ("auto", "native", "python"):
        raise CleantextError(f"CLEANTEXT_ENGINE must be auto, native or python, not {choice!r}")
    if choice == "python":
        return None
    try:
        from cleantext import _native  # type: ignore[attr-defined]
    except ImportError as error:
        if choice == "native":
            raise CleantextError(
                f"CLEANTEXT_ENGINE=native, but the native core is not built ({error}); "
                "install with a Rust toolchain present (see the README)"
            ) from None
        return None
    return _native


_NATIVE = _load_native()

ENGINE = "native" if _NATIVE is not None else "python"
"""``native`` when the Rust core runs the plan's pre-pass and locates extracted text in its page,
``python`` when the reference does."""

NATIVE_VERSION: str | None = _NATIVE.version() if _NATIVE is not None else None


def scanner(literals: Sequence[str]) -> Scanner:
    """A scanner of ``literals`` on the active engine."""
    if _NATIVE is not None:
        return _NATIVE.LiteralScanner(list(literals))
    return PythonScanner(literals)


Located = list[tuple[int, int, str, int]]
"""Replacements that turn a page into the text extracted from it: ``(start, end, new, kind)``, kind
:data:`GAP` (the text between two located words), :data:`MARKUP` (inside a word) or :data:`ENTITY`."""

GAP, MARKUP, ENTITY = 0, 1, 2


def _word_character(character: str) -> bool:
    # What ``re`` calls a word character in a str pattern (``\b``, ``\w``).
    return character.isalnum() or character == "_"


def locate_natively(page: str, extracted: str) -> Located | None:
    """The native core's :func:`cleantext.extract.locate_text` replacements; None without the core
    (or for text with a lone surrogate, which only the Python engine reads)."""
    if _NATIVE is None:
        return None
    result: Located | None = _NATIVE.locate(page, extracted, html.unescape, _word_character)
    return result


def engine_summary() -> str:
    """One line for ``--version`` and ``cleantext config``: the engine and, if native, the core's version."""
    if ENGINE == "native":
        return f"native core {NATIVE_VERSION} (Rust)"
    return "Python engine (the native core is not built or CLEANTEXT_ENGINE=python)"
