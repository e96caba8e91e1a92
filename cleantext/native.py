"""The engine: the native core (``cleantext._native``, Rust) where it was built, else the Python reference.

The native core runs the plan's hot path; this module is its Python face and
holds the pure-Python reference of everything it does, which a differential
test holds it to (``tests/test_native.py``). Which engine runs is decided
once, at import:

- ``CLEANTEXT_ENGINE=python`` runs the Python reference even where the core is built;
- ``CLEANTEXT_ENGINE=native`` makes a missing core an error;
- unset (or ``auto``): the core where it was built, else the Python engine.

``cleantext config`` and ``cleantext --version`` say which engine is active.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import Protocol

import ahocorasick

from cleantext.errors import CleantextError

__all__ = ["ENGINE", "NATIVE_VERSION", "PythonScanner", "Scanner", "engine_summary", "scanner"]


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


def _load_native() -> tuple[type | None, str | None]:
    choice = os.environ.get("CLEANTEXT_ENGINE", "auto")
    if choice not in ("auto", "native", "python"):
        raise CleantextError(f"CLEANTEXT_ENGINE must be auto, native or python, not {choice!r}")
    if choice == "python":
        return None, None
    try:
        from cleantext import _native  # type: ignore[attr-defined]
    except ImportError as error:
        if choice == "native":
            raise CleantextError(
                f"CLEANTEXT_ENGINE=native, but the native core is not built ({error}); "
                "install with a Rust toolchain present (see the README)"
            ) from None
        return None, None
    return _native.LiteralScanner, _native.version()


_NATIVE_SCANNER, NATIVE_VERSION = _load_native()

ENGINE = "native" if _NATIVE_SCANNER is not None else "python"
"""``native`` when the Rust core runs the plan's pre-pass, ``python`` when the reference does."""


def scanner(literals: Sequence[str]) -> Scanner:
    """A scanner of ``literals`` on the active engine."""
    if _NATIVE_SCANNER is not None:
        return _NATIVE_SCANNER(list(literals))
    return PythonScanner(literals)


def engine_summary() -> str:
    """One line for ``--version`` and ``cleantext config``: the engine and, if native, the core's version."""
    if ENGINE == "native":
        return f"native core {NATIVE_VERSION} (Rust)"
    return "Python engine (the native core is not built or CLEANTEXT_ENGINE=python)"
