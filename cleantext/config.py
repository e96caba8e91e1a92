"""Configuration: ``--config FILE``, else ``cleantext.toml``, else ``[tool.cleantext]`` in ``pyproject.toml``.

Command-line flags override the file; every value remembers where it came from,
which ``cleantext config`` prints.

Example (``cleantext.toml``)::

    quotes = "curly"
    names = "ascii"
    disable = ["widgets.teaser"]
    canonical = ["Zelensky"]
    rules = ["packs/mysite.toml"]     # relative to the file
    timeout = 5.0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cleantext.errors import RuleError
from cleantext.pipeline import DEFAULT_TIMEOUT
from cleantext.rules import OPTIONS, read_toml

__all__ = ["Config", "find_config_file", "load_config"]

_LISTS = ("packs", "rules", "enable", "disable", "canonical")
_STYLES = ("quotes", "names")


@dataclass(frozen=True)
class Config:
    """The effective settings of a run and the source of each one."""

    packs: tuple[str, ...] | None = None
    rules: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    canonical: tuple[str, ...] = ()
    quotes: str = OPTIONS["quotes"][0]
    names: str = OPTIONS["names"][0]
    timeout: float | None = DEFAULT_TIMEOUT
    sources: Mapping[str, str] = field(default_factory=dict)

    def source_of(self, key: str) -> str:
        """Where a value came from: ``default``, a file name, or ``command line``."""
        return self.sources.get(key, "default")

    def overridden(self, values: Mapping[str, Any]) -> Config:
        """The configuration with the values given on the command line (None: not given)."""
        given = {key: value for key, value in values.items() if value is not None}
        converted = {key: tuple(value) if key in _LISTS else value for key, value in given.items()}
        sources = {**self.sources, **{key: "command line" for key in given}}
        return replace(self, **converted, sources=sources)

    def pipeline_options(self) -> dict[str, Any]:
        """Keyword arguments for :meth:`cleantext.Pipeline.load`."""
        return {
            "packs": self.packs,
            "extra": self.rules,
            "enable": self.enable,
            "disable": self.disable,
            "canonical": self.canonical,
            "quotes": self.quotes,
            "names": self.names,
            "timeout": self.timeout,
        }

    def as_dict(self) -> dict[str, Any]:
        """Every setting with its value and source."""
        keys = ("packs", "rules", "enable", "disable", "canonical", "quotes", "names", "timeout")
        return {key: {"value": _plain(getattr(self, key)), "source": self.source_of(key)} for key in keys}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def find_config_file(explicit: str | None, directory: Path) -> tuple[Path, str] | None:
    """The configuration file and its table: ``--config``, ``cleantext.toml`` or ``pyproject.toml``."""
    if explicit:
        return Path(explicit), ""
    if (directory / "cleantext.toml").is_file():
        return directory / "cleantext.toml", ""
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file() and "cleantext" in read_toml(pyproject).get("tool", {}):
        return pyproject, "tool.cleantext"
    return None


def load_config(explicit: str | None = None, directory: Path | None = None) -> Config:
    """Read the configuration file that applies (see :func:`find_config_file`)."""
    found = find_config_file(explicit, directory or Path.cwd())
    if found is None:
        return Config()
    path, table = found
    data = read_toml(path)
    for part in table.split(".") if table else ():
        data = data.get(part, {})
    label = f"{path} [{table}]" if table else str(path)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in _LISTS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise RuleError(f"{key} must be a list of strings", file=label)
            if key == "rules":
                value = [str((path.parent / v).resolve()) for v in value]
            values[key] = tuple(value)
        elif key in _STYLES:
            if value not in OPTIONS[key]:
                raise RuleError(f"{key} must be one of {', '.join(OPTIONS[key])}, not {value!r}", file=label)
            values[key] = value
        elif key == "timeout":
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise RuleError("timeout must be a number of seconds above 0", file=label)
            values[key] = float(value)
        else:
            known = ", ".join((*_LISTS, *_STYLES, "timeout"))
            raise RuleError(f"unknown setting {key!r}; known settings: {known}", file=label)
    return Config(**values, sources={key: label for key in values})
