"""The errors cleantext raises, each naming what went wrong and where."""

from __future__ import annotations

__all__ = ["CleantextError", "InputError", "RuleError"]


class CleantextError(Exception):
    """Base class of every error cleantext raises on purpose."""


class InputError(CleantextError):
    """An input that cannot be cleaned: undecodable, binary, unreadable or malformed.

    ``str(error)`` is one line: the input's name, then the reason and what to do.
    """

    def __init__(self, reason: str, *, name: str | None = None) -> None:
        self.reason = reason
        self.name = name
        super().__init__(f"{name}: {reason}" if name else reason)

    def named(self, name: str) -> InputError:
        """The same error, naming the input it came from."""
        return InputError(self.reason, name=name)


class RuleError(CleantextError):
    """An invalid rule pack: names the file, the rule id (where known) and the problem."""

    def __init__(self, reason: str, *, file: str | None = None, rule_id: str | None = None) -> None:
        self.reason = reason
        self.file = file
        self.rule_id = rule_id
        where = ": ".join(part for part in (file, f"rule {rule_id}" if rule_id else None) if part)
        super().__init__(f"{where}: {reason}" if where else reason)
