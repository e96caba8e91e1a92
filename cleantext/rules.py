"""Rule packs: TOML files of rules, loaded and checked before any input is touched.

A pack is a TOML file with an optional ``[pack]`` table, an optional
``[guards]`` table and ``[[rule]]`` tables::

    [[rule]]
    id = "mysite.promo"
    category = "promo"
    kind = "line"
    pattern = '''(?i)^subscribe to .* newsletter\\.?$'''
    description = "Newsletter promo line of mysite.example"

    [[rule.example]]
    input = "Body.\\n\\nSubscribe to the Daily newsletter.\\n"
    output = "Body.\\n"

A guard is a named pattern that line, block, off-topic and site rules list in
``unless``: a line or block a guard finds is never removed by them. ``rules/guards.toml``
holds the built-in guards; a pack's own ``[guards]`` table adds more.

Files are read as data only (``tomllib``); nothing in them is evaluated as code.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import hashlib
import pickle
import re
import tomllib
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import regex

from cleantext.cache import persisted, persisted_by
from cleantext.document import RuleRef
from cleantext.errors import RuleError
from cleantext.segment import block_spans

__all__ = [
    "ACTIONS",
    "FTFY_FIXES",
    "KINDS",
    "OPTIONS",
    "RULE_KINDS",
    "STAGES",
    "BlockRule",
    "CharmapRule",
    "Example",
    "ExtractRule",
    "Guard",
    "InlineRule",
    "LexiconRule",
    "LineRule",
    "OfftopicRule",
    "PatternRule",
    "RemovalRule",
    "RepairRule",
    "RepeatRule",
    "Rule",
    "SiteRule",
    "UnicodeRule",
    "Where",
    "builtin_pack_names",
    "check_lexicon",
    "default_pack_names",
    "lexicon_spellings",
    "load_pack",
    "load_packs",
    "load_preferences",
    "prefer_spellings",
    "read_toml",
    "rules_dir",
    "select_rules",
    "spelled_for",
]

METADATA_GROUPS = ("author", "published")
"""Named groups of a removal rule's pattern whose text goes to the result's metadata."""

STAGES = ("extract", "repair", "prepare", "normalize", "strip", "layout")
"""The order rule stages run in: extract (an HTML page to its article: its rules are
choices of the extraction), repair (mojibake and broken Unicode), prepare (line
endings, invisible characters, stray spaces), normalize (typography, names, units),
strip (boilerplate), layout (blank lines, final newline). Strip runs on normalized
text, so a boilerplate rule sees one spelling of everything and what it keeps cannot
turn into boilerplate later."""

ACTIONS = ("remove", "replace")

FTFY_FIXES = (
    "unescape_html",
    "remove_terminal_escapes",
    "fix_encoding",
    "restore_byte_a0",
    "replace_lossy_sequences",
    "decode_inconsistent_utf8",
    "fix_c1_controls",
    "fix_latin_ligatures",
    "fix_character_width",
    "uncurl_quotes",
    "fix_surrogates",
    "remove_control_chars",
)
"""The ftfy fixes a rule may name (fields of :class:`ftfy.TextFixerConfig` that switch one fix)."""

OPTIONS: Mapping[str, tuple[str, ...]] = {
    "quotes": ("ascii", "curly"),
    "names": ("native", "ascii"),
    "layout": ("file", "field"),
}
"""Pipeline options a rule's ``when`` may test, with their allowed values (first is the default).

``names``: ``native`` leaves a name written with its own language's letters as
it is (Düsseldorf, Kraków, São Paulo); ``ascii`` gives every lexicon entry its
canonical spelling (Duesseldorf, Krakow, Sao Paulo). ``layout``: ``file``
ends non-empty text with a line break; ``field`` (a value inside a record,
such as a JSON Lines field) keeps the end as the source has it.
"""

_COMMON_FIELDS = {"id", "category", "kind", "stage", "action", "description", "example", "enabled", "when", "where"}
"""The fields every kind takes; each kind's own are its record class's ``fields`` (:data:`RULE_KINDS`)."""
_EXAMPLE_FIELDS = {"input", "output", "fires", "options", "pages"}
_PACK_FIELDS = {"name", "description", "stage"}
_ID_SHAPE = regex.compile(r"[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)+")
_WORD_CHAR = regex.compile(r"\w")


@dataclass(frozen=True, slots=True)
class Where:
    """Where a rule may fire: anywhere, or only in the first and/or last blocks.

    >>> Where.parse(["head:3", "tail:2"]).regions("A\\n\\nB\\n\\nC\\n\\nD\\n\\nE\\n\\nF\\n")
    [(0, 7), (12, 17)]
    >>> Where.parse(["head:3", "tail:2"]).regions("A\\n\\nB\\n\\nC\\n\\nD\\n\\nE\\n\\nF\\n", head=False)
    [(12, 17)]
    """

    parts: tuple[tuple[str, int, int], ...] = ()  # () is anywhere; else (head | tail, first, last) block ranges

    @classmethod
    def parse(cls, spec: str | list[str]) -> Where:
        """Parse ``any``, ``head:N``, ``tail:N``, ``head:M-N`` (blocks M to N), or a list of those."""
        specs = [spec] if isinstance(spec, str) else spec
        if not isinstance(specs, list) or not specs or not all(isinstance(s, str) for s in specs):
            raise ValueError(f"where must be 'any', 'head:N', 'tail:N' or a list of those, not {spec!r}")
        if specs == ["any"]:
            return cls()
        parts = []
        for part in specs:
            side, _, count = part.partition(":")
            first, _, last = count.rpartition("-")
            first = first or "1"
            if (
                side not in ("head", "tail")
                or not (first.isdigit() and last.isdigit())
                or not 1 <= int(first) <= int(last)
            ):
                raise ValueError(f"where must be 'any', 'head:N', 'tail:N' or 'head:M-N' with 0 < M <= N, not {part!r}")
            parts.append((side, int(first), int(last)))
        return cls(tuple(parts))

    def regions(self, text: str, *, head: bool = True, tail: bool = True) -> list[tuple[int, int]]:
        """The sorted, non-overlapping spans of ``text`` the rule may fire in.

        ``head``/``tail`` False: the text is a window of a longer document that
        goes on before/after it, so it has no head/tail blocks. A text without
        blocks (blank) is all head and all tail.
        """
        if not self.parts:
            return [(0, len(text))]
        parts = [part for part in self.parts if (head if part[0] == "head" else tail)]
        if not parts:
            return []
        blocks = block_spans(text)
        if not blocks:
            return [(0, len(text))]
        spans = []
        for side, first, last in parts:
            if first > len(blocks):
                continue
            last = min(last, len(blocks))
            if side == "head":
                spans.append((0 if first == 1 else blocks[first - 1][0], blocks[last - 1][1]))
            else:
                spans.append((blocks[-last][0], len(text) if first == 1 else blocks[-first][1]))
        if not spans:
            return []
        spans.sort()
        merged = [spans[0]]
        for start, end in spans[1:]:
            if start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def __str__(self) -> str:
        return ", ".join(f"{s}:{f}-{n}" if f > 1 else f"{s}:{n}" for s, f, n in self.parts) or "any"


@dataclass(frozen=True, slots=True)
class Example:
    """An input and the output a pipeline of this rule plus the whitespace pack must give.

    ``pages``: other pages of the input's site, which a site profile counts
    together with the input (for ``site`` rules).
    """

    input: str
    output: str
    fires: bool
    options: Mapping[str, str] = field(default_factory=dict)
    pages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Guard:
    """A named pattern that protects the line or paragraph it finds from removal (``unless = ["name"]``)."""

    name: str
    pattern: str

    @functools.cached_property
    def compiled(self) -> Any:
        """The pattern compiled on its own (a flag such as ``(?i)`` in one must not reach another),
        when first searched: a pack's guards are checked where the pack is read."""
        return regex.compile(self.pattern)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Guard, (self.name, self.pattern))


@dataclass(frozen=True, eq=False, kw_only=True)
class Rule:
    """One rule of a pack, validated and compiled: the fields every kind has.

    Each kind is a subclass holding only its own fields, and its schema:
    the TOML fields it reads besides the common ones (``fields``), those it
    requires, its stage when the rule and its pack name none, and its actions
    (the first is the default). :data:`RULE_KINDS` maps each kind's name to
    its class. Building a rule checks it: a wrong value raises ``ValueError``.
    """

    kind: ClassVar[str]
    fields: ClassVar[frozenset[str]] = frozenset()
    required: ClassVar[tuple[str, ...]] = ()
    default_stage: ClassVar[str] = "normalize"
    actions: ClassVar[tuple[str, ...]] = ("replace",)
    captures: ClassVar[tuple[str, ...]] = ()
    """The named groups of the rule's pattern whose text goes to the result's metadata."""
    takes_pages: ClassVar[bool] = False
    """Whether the kind's examples may bring ``pages``, other pages of the input's site."""

    id: str
    category: str
    description: str = ""
    stage: str = ""
    action: str = ""
    where: Where = Where()
    enabled: bool = True
    when: Mapping[str, str] = field(default_factory=dict)
    examples: tuple[Example, ...] = ()
    file: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "stage", self.stage or self.default_stage)
        object.__setattr__(self, "action", self.action or self.actions[0])
        object.__setattr__(self, "ref", RuleRef(self.id, self.category))
        if self.stage not in STAGES:
            raise ValueError(f"stage must be one of {', '.join(STAGES)}, not {self.stage!r}")
        if self.action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}, not {self.action!r}")
        if self.action not in self.actions:
            raise ValueError(f"{self.kind} rules can only {self.actions[0]}")
        if (self.kind == "extract") != (self.stage == "extract"):
            raise ValueError("extract rules, and only they, belong to the extract stage")
        for option, value in self.when.items():
            if option not in OPTIONS or value not in OPTIONS[option]:
                raise ValueError(f"when: unknown option {option} = {value!r}; known: {dict(OPTIONS)}")
        if not self.takes_pages and any(example.pages for example in self.examples):
            raise ValueError("example pages (other pages of the input's site) apply to site rules only")

    @property
    def pack(self) -> str:
        """The pack part of the id (``whitespace`` for ``whitespace.trailing``)."""
        return self.id.split(".", 1)[0]

    def active_under(self, options: Mapping[str, str]) -> bool:
        """Whether the rule runs by default under these pipeline options."""
        return self.enabled and all(options.get(k) == v for k, v in self.when.items())

    def facts(self) -> dict[str, str]:
        """What ``cleantext rules show`` adds about the rule beyond its fields (none for most kinds)."""
        return {}

    def summary(self) -> dict[str, Any]:
        """A plain description of the rule, for listings and JSON."""
        return {
            "id": self.id,
            "category": self.category,
            "kind": self.kind,
            "stage": self.stage,
            "action": self.action,
            "where": str(self.where),
            "unless": [guard.name for guard in getattr(self, "guards", ())],
            "description": self.description,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # Compiled patterns rebuild on unpickling, so pipelines travel to worker processes.
        state = {item.name: getattr(self, item.name) for item in dataclasses.fields(self)}
        return (_rebuild_rule, (type(self), state))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.id!r}, stage={self.stage!r})"


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class PatternRule(Rule):
    """A rule that finds what it changes with a ``regex`` pattern; ``requires`` is a hint for its trigger."""

    pattern: str
    requires: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.pattern and "pattern" in self.required:
            raise ValueError("pattern must not be empty")
        # A built-in pack's patterns compile when first searched (the test suite compiles them all);
        # any other rule's now, so that a broken pattern is refused where the rule is made.
        if not _bundled(self.file):
            _ = self.compiled
        # A group of a name holds the name: a pattern without any is not asked for its groups.
        named = [group for group in METADATA_GROUPS if group in self.pattern]
        groups = _group_names(self.pattern) if named else ()
        object.__setattr__(self, "captures", tuple(group for group in named if group in groups))

    @functools.cached_property
    def compiled(self) -> Any:
        """The pattern compiled (``regex``)."""
        return self._compile()

    def _compile(self) -> Any:
        return regex.compile(self.pattern)


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class RemovalRule(PatternRule):
    """A line or paragraph rule: what the pattern matches is removed whole, or its match replaced.

    ``abstain_above``: with more matches than this in the whole document,
    the rule removes none (0: no limit); ``guards``: what protects a line.
    """

    fields: ClassVar[frozenset[str]] = frozenset(
        {"pattern", "replacement", "min_words", "max_words", "abstain_above", "requires", "unless"}
    )
    required: ClassVar[tuple[str, ...]] = ("pattern",)
    default_stage: ClassVar[str] = "strip"
    actions: ClassVar[tuple[str, ...]] = ("remove", "replace")

    replacement: str = ""
    min_words: int = 0
    max_words: int = 0
    abstain_above: int = 0
    guards: tuple[Guard, ...] = ()


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class LineRule(RemovalRule):
    """``line``: a line the pattern matches is removed, or its match replaced."""

    kind: ClassVar[str] = "line"


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class BlockRule(RemovalRule):
    """``block``: a paragraph the pattern matches is removed, or its match replaced."""

    kind: ClassVar[str] = "block"


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class OfftopicRule(PatternRule):
    """``offtopic``: a short paragraph of the pattern's shape that shares no content word with the article."""

    kind: ClassVar[str] = "offtopic"
    fields: ClassVar[frozenset[str]] = frozenset({"pattern", "min_words", "max_words", "requires", "unless"})
    default_stage: ClassVar[str] = "strip"
    actions: ClassVar[tuple[str, ...]] = ("remove",)

    pattern: str = ""  # no pattern: a paragraph of any shape
    min_words: int = 0
    max_words: int = 0
    guards: tuple[Guard, ...] = ()


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class InlineRule(PatternRule):
    """``inline``: every match of the pattern is replaced (``\\1`` and ``\\g<name>`` expand), or removed."""

    kind: ClassVar[str] = "inline"
    fields: ClassVar[frozenset[str]] = frozenset({"pattern", "replacement", "requires"})
    required: ClassVar[tuple[str, ...]] = ("pattern",)
    actions: ClassVar[tuple[str, ...]] = ("replace", "remove")

    replacement: str = ""


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class RepairRule(PatternRule):
    """``ftfy``: ftfy's ``fixes`` on the lines a cheap pattern flags (mojibake, entities, ...)."""

    kind: ClassVar[str] = "ftfy"
    fields: ClassVar[frozenset[str]] = frozenset({"pattern", "fixes", "requires"})
    required: ClassVar[tuple[str, ...]] = ("pattern", "fixes")
    default_stage: ClassVar[str] = "repair"

    fixes: tuple[str, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.fixes:
            raise ValueError("fixes must not be empty")
        unknown = set(self.fixes) - set(FTFY_FIXES)
        if unknown:
            raise ValueError(f"unknown ftfy fix(es) {sorted(unknown)}; known: {', '.join(FTFY_FIXES)}")

    def _compile(self) -> Any:
        # A pre-check of single characters or short runs: the standard
        # library scans large character classes far faster than regex.
        return re.compile(self.pattern)


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class CharmapRule(Rule):
    """``charmap``: single characters mapped through a table."""

    kind: ClassVar[str] = "charmap"
    fields: ClassVar[frozenset[str]] = frozenset({"map"})
    required: ClassVar[tuple[str, ...]] = ("map",)

    mapping: Mapping[str, str]

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.mapping:
            raise ValueError("map must not be empty")
        if not all(isinstance(k, str) and len(k) == 1 and isinstance(v, str) for k, v in self.mapping.items()):
            raise TypeError("map must be a table of single characters to strings")
        object.__setattr__(self, "compiled", regex.compile("[" + "".join(map(regex.escape, self.mapping)) + "]"))


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class UnicodeRule(Rule):
    """``unicode``: the text brought into a normalization form."""

    kind: ClassVar[str] = "unicode"
    fields: ClassVar[frozenset[str]] = frozenset({"form"})
    required: ClassVar[tuple[str, ...]] = ("form",)

    form: str

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.form not in ("NFC", "NFKC"):
            raise ValueError(f"form must be NFC or NFKC, not {self.form!r}")


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class LexiconRule(Rule):
    """``lexicon``: variants of a name to its canonical spelling, except inside ``protected`` phrases."""

    kind: ClassVar[str] = "lexicon"
    fields: ClassVar[frozenset[str]] = frozenset({"canonical", "variants", "protected"})
    required: ClassVar[tuple[str, ...]] = ("canonical", "variants")

    canonical: str
    variants: tuple[str, ...]
    protected: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.variants:
            raise ValueError("variants must not be empty")
        if self.canonical in self.variants:
            raise ValueError("the canonical spelling must not also be a variant")
        for variant in self.variants:
            if not variant.strip() or not (_WORD_CHAR.match(variant[0]) and _WORD_CHAR.match(variant[-1])):
                raise ValueError(f"variant {variant!r} must start and end with a letter or digit")


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class RepeatRule(Rule):
    """``repeat``: a paragraph of at least ``min_words`` words that repeats an earlier one (title, standfirst)."""

    kind: ClassVar[str] = "repeat"
    fields: ClassVar[frozenset[str]] = frozenset({"min_words"})
    default_stage: ClassVar[str] = "strip"
    actions: ClassVar[tuple[str, ...]] = ("remove",)

    min_words: int = 0


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class SiteRule(Rule):
    """``site``: a line that a site profile finds on many pages of the document's site (its template).

    It fires on a line found on at least ``min_pages`` pages of the site and
    on at least ``min_share`` of the site's pages counted; lines longer than
    ``max_words`` words (0: no bound) and lines a guard finds stay. Without a
    profile, or for a document of a site the profile has not counted, it
    finds nothing.
    """

    kind: ClassVar[str] = "site"
    takes_pages: ClassVar[bool] = True
    fields: ClassVar[frozenset[str]] = frozenset({"min_pages", "min_share", "max_words", "unless"})
    default_stage: ClassVar[str] = "strip"
    actions: ClassVar[tuple[str, ...]] = ("remove",)

    min_pages: int = 3
    min_share: float = 0.5
    max_words: int = 0
    guards: tuple[Guard, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.min_pages < 2:
            raise ValueError("min_pages must be 2 or more: a line on one page is that page's own")
        if not 0 < self.min_share <= 1:
            raise ValueError("min_share must be a fraction of the site's pages, more than 0 and at most 1")


BUILTIN_PREFIX = "builtin:"
"""A score rule's ``model`` that starts with this names a model file of the built-in ``rules/``."""


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class ScoreRule(Rule):
    """``score``: a line that a learned line scorer (:mod:`cleantext.scorer`) rates as page furniture.

    ``model`` is the model file (absolute, relative to the pack's folder, or
    ``builtin:NAME`` for a model of the built-in ``rules/``); a line of at
    most ``max_words`` words whose score reaches
    ``threshold`` (0: the threshold the model was trained with) is removed,
    unless a guard finds it.
    """

    kind: ClassVar[str] = "score"
    fields: ClassVar[frozenset[str]] = frozenset({"model", "threshold", "max_words", "unless"})
    required: ClassVar[tuple[str, ...]] = ("model",)
    default_stage: ClassVar[str] = "strip"
    actions: ClassVar[tuple[str, ...]] = ("remove",)

    model: str
    threshold: float = 0.0
    max_words: int = 40
    guards: tuple[Guard, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.model:
            raise ValueError("model must name the line scorer's model file")
        if not 0 <= self.threshold < 1:
            raise ValueError("threshold must be a probability, at least 0 (the model's own) and under 1")
        if self.max_words < 1:
            raise ValueError("max_words must be 1 or more: longer lines are never scored")

    def facts(self) -> dict[str, str]:
        """The model file, the threshold in force, and what the model did on the sites it was tuned on."""
        from cleantext.scorer import LineScorer

        path = self.model_path
        try:
            scorer = LineScorer.load(path)
        except RuleError as error:
            return {"model file": f"{path} ({error.reason})"}
        tune = scorer.about.get("tune", {})
        tuned = (
            f"; on sites training never saw it kept {tune['content_kept']:.2%} of content lines and removed "
            f"{tune['furniture_removed']:.1%} of furniture lines"
            if {"content_kept", "furniture_removed"} <= set(tune)
            else ""
        )
        threshold = f"{self.threshold:g}" if self.threshold else f"{scorer.threshold:g} (the model's own{tuned})"
        return {"model file": str(path), "threshold": threshold}

    @property
    def model_path(self) -> Path:
        """The model file: ``builtin:NAME`` is the built-in ``rules/NAME``; a relative path is in the folder of
        the rule's pack (or the working folder for a rule built in Python)."""
        if self.model.startswith(BUILTIN_PREFIX):
            return rules_dir() / self.model.removeprefix(BUILTIN_PREFIX)
        path = Path(self.model)
        if path.is_absolute() or self.file is None:
            return path
        return Path(self.file).parent / path


@dataclass(frozen=True, eq=False, kw_only=True, repr=False)
class ExtractRule(Rule):
    """``extract``: a removal the extraction of an HTML page makes (``extract.title``), named so it can be disabled."""

    kind: ClassVar[str] = "extract"
    fields: ClassVar[frozenset[str]] = frozenset()
    default_stage: ClassVar[str] = "extract"
    actions: ClassVar[tuple[str, ...]] = ("remove",)


RULE_KINDS: dict[str, type[Rule]] = {
    kind.kind: kind
    for kind in (
        BlockRule,
        LineRule,
        RepeatRule,
        OfftopicRule,
        InlineRule,
        CharmapRule,
        UnicodeRule,
        LexiconRule,
        RepairRule,
        SiteRule,
        ScoreRule,
        ExtractRule,
    )
}
"""Each kind's name and its record class, whose schema says what its TOML may hold."""

KINDS = tuple(RULE_KINDS)
"""block/line: a paragraph or line matched as a whole; repeat: a paragraph that repeats
an earlier one (title, standfirst); offtopic: a short paragraph that shares no content
word with the article (menu items, teasers of other stories); inline: regex replacement; charmap: single
characters mapped; unicode: a normalization form; lexicon: names; ftfy: ftfy's
fixes on the lines a cheap pattern finds (mojibake, entities, ...); site: a line a site
profile finds on many pages of the document's site; score: a line a learned line
scorer rates as furniture; extract: a removal
the extraction of an HTML page makes, named by its id (the headline repeated as the
first paragraph, a short paragraph only the recall-oriented run kept)."""


def _rebuild_rule(kind: type[Rule], state: dict[str, Any]) -> Rule:
    return kind(**state)


def lexicon_spellings(rule: LexiconRule) -> dict[str, str]:
    """Every spelling a lexicon rule replaces, with its replacement.

    Each variant also matches in capitals and with a capital first letter, and
    is then replaced in the same casing.

    >>> rule = LexiconRule(id="n.q", category="names", canonical="al-Qaeda", variants=("al-Qaida",))
    >>> lexicon_spellings(rule)
    {'al-Qaida': 'al-Qaeda', 'AL-QAIDA': 'AL-QAEDA', 'Al-Qaida': 'Al-Qaeda'}
    """
    canonical = rule.canonical or ""
    spellings: dict[str, str] = {}
    for variant in rule.variants:
        spellings.setdefault(variant, canonical)
        spellings.setdefault(variant.upper(), canonical.upper())
        spellings.setdefault(variant[:1].upper() + variant[1:], canonical[:1].upper() + canonical[1:])
    return {spelling: new for spelling, new in spellings.items() if spelling != new}


def spelled_for(rules: Sequence[Rule], options: Mapping[str, str]) -> list[Rule]:
    """The rules with lexicon variants in a name's own letters left alone under ``names = "native"``.

    A variant with letters beyond ASCII (Kraków, Düsseldorf, Erdoğan) is the
    name as its own language writes it; the ASCII canonical form is a style
    of English news. A lexicon rule left without variants drops out.

    >>> rule = LexiconRule(id="n.k", category="names", canonical="Krakow", variants=("Kraków", "Cracow"))
    >>> [r.variants for r in spelled_for([rule], {"names": "native"})]
    [('Cracow',)]
    >>> [r.variants for r in spelled_for([rule], {"names": "ascii"})]
    [('Kraków', 'Cracow')]
    """
    if options.get("names", OPTIONS["names"][0]) != "native":
        return list(rules)
    styled = []
    for rule in rules:
        if isinstance(rule, LexiconRule) and not all(variant.isascii() for variant in rule.variants):
            variants = tuple(variant for variant in rule.variants if variant.isascii())
            if not variants:
                continue
            rule = replace(rule, variants=variants)
        styled.append(rule)
    return styled


@persisted
def _group_names(pattern: str) -> tuple[str, ...]:
    """The names of ``pattern``'s groups (kept in the startup cache: a built-in pattern then compiles
    only when it is first searched)."""
    return tuple(regex.compile(pattern).groupindex)


def _bundled(file: str | None) -> bool:
    """Whether ``file`` is one of the built-in packs."""
    return file is not None and Path(file).parent == _bundled_folder()


@lru_cache(maxsize=1)
def _bundled_folder() -> Path | None:
    try:
        return rules_dir()
    except RuleError:
        return None


def rules_dir() -> Path:
    """The folder of the built-in packs: inside the installed package, or the checkout's ``rules/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "pipeline.toml").is_file():
            return candidate
    raise RuleError("the built-in rule packs are missing; reinstall cleantext-toolkit")


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as data; :class:`RuleError` naming the file when it cannot be read or parsed."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise RuleError(f"cannot read the file ({error.strerror or error})", file=str(path)) from None
    try:
        if _bundled(str(path)):
            return pickle.loads(_parsed_toml(content))
        return tomllib.loads(content.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise RuleError(f"not UTF-8 text ({error.reason} at byte {error.start})", file=str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise RuleError(f"not valid TOML: {error}", file=str(path)) from None


@persisted_by(lambda content: hashlib.sha256(content).digest())
def _parsed_toml(content: bytes) -> bytes:
    """The data of a built-in TOML file's ``content``, pickled: kept in the startup cache by the content's
    digest (the built-in packs are parsed once, not at each start), and unpickled afresh for each
    caller. Other files (your packs, configuration) are parsed where they are read, and never kept."""
    return pickle.dumps(tomllib.loads(content.decode("utf-8")), protocol=pickle.HIGHEST_PROTOCOL)


def default_pack_names() -> list[str]:
    """The packs the default pipeline runs, from ``rules/pipeline.toml``."""
    data = read_toml(rules_dir() / "pipeline.toml")
    packs = data.get("packs")
    if not isinstance(packs, list) or not all(isinstance(p, str) for p in packs):
        raise RuleError("'packs' must be a list of pack names", file=str(rules_dir() / "pipeline.toml"))
    return packs


def builtin_pack_names() -> list[str]:
    """Every built-in pack, default or not."""
    return sorted(p.stem for p in rules_dir().glob("*.toml") if p.stem not in ("pipeline", "guards"))


@lru_cache(maxsize=1)  # every pack file loaded names them; the file is read once
def _builtin_guards() -> tuple[tuple[str, str], ...]:
    path = rules_dir() / "guards.toml"
    return tuple(_guards(read_toml(path), str(path)).items())


def builtin_guards() -> dict[str, str]:
    """The built-in guards, from ``rules/guards.toml``: name -> pattern."""
    return dict(_builtin_guards())


def _guards(data: Mapping[str, Any], file: str) -> dict[str, str]:
    table = data.get("guards", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) and v for v in table.values()):
        raise RuleError("[guards] must hold name = pattern entries (non-empty strings)", file=file)
    if _bundled(file):
        return dict(table)  # compiled when first searched, as the built-in packs' patterns are
    for name, pattern in table.items():
        try:
            regex.compile(pattern)
        except regex.error as error:
            raise RuleError(f"guard {name!r} is not a valid pattern: {error}", file=file) from None
    return dict(table)


def load_pack(path: str | Path) -> list[Rule]:
    """Load and validate one pack file; raise :class:`RuleError` naming the file and rule.

    Its rules may name the built-in guards and the pack's own in ``unless``.
    """
    path = Path(path)
    data = read_toml(path)
    file = str(path)
    unknown = set(data) - {"pack", "rule", "canonical", "guards"}
    if unknown:
        raise RuleError(
            f"unknown top-level table(s) {sorted(unknown)}; expected [pack], [guards], [[rule]] and [canonical]",
            file=file,
        )
    guards = {**builtin_guards(), **_guards(data, file)}
    pack = data.get("pack", {})
    if not isinstance(pack, dict) or set(pack) - _PACK_FIELDS:
        raise RuleError(f"[pack] may only have the fields {sorted(_PACK_FIELDS)}", file=file)
    entries = data.get("rule", [])
    if not isinstance(entries, list):
        raise RuleError("rules must be written as [[rule]] tables", file=file)
    rules = []
    for number, entry in enumerate(entries, 1):
        rule_id = entry.get("id") if isinstance(entry, dict) else None
        label = rule_id if isinstance(rule_id, str) else f"#{number}"
        try:
            rules.append(_build_rule(entry, pack, file, guards))
        except (ValueError, TypeError, regex.error) as error:
            raise RuleError(str(error), file=file, rule_id=label) from None
    _check_unique(rules, file)
    check_lexicon(rules)
    return rules


def _check_unique(rules: Sequence[Rule], file: str | None) -> None:
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen:
            other = seen[rule.id].file
            where = f" (also in {other})" if other and other != rule.file else ""
            raise RuleError(f"duplicate rule id{where}", file=rule.file or file, rule_id=rule.id)
        seen[rule.id] = rule


def check_lexicon(rules: Sequence[Rule]) -> None:
    """Raise :class:`RuleError` if one spelling belongs to two lexicon rules that both run."""
    spelled: dict[str, Rule] = {}
    for rule in rules:
        if not isinstance(rule, LexiconRule):
            continue
        for spelling in {rule.canonical, *rule.variants} - {""}:
            owner = spelled.setdefault(spelling.casefold(), rule)
            if owner is not rule:
                raise RuleError(
                    f"the spelling {spelling!r} is also in lexicon rule {owner.id}; "
                    "a spelling may belong to one entity (disable one of them)",
                    file=rule.file,
                    rule_id=rule.id,
                )


def _build_rule(entry: Any, pack: Mapping[str, Any], file: str, guards: Mapping[str, str]) -> Rule:
    if not isinstance(entry, dict):
        raise TypeError("each [[rule]] must be a table")
    entry = _renamed(entry)
    known = _COMMON_FIELDS.union(*(kind.fields for kind in RULE_KINDS.values()))
    unknown = set(entry) - known
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}; allowed: {sorted(known)}")
    rule_id = _string(entry, "id")
    if not _ID_SHAPE.fullmatch(rule_id):
        raise ValueError("id must look like 'pack.name' (lowercase letters, digits, '-', '_')")
    name = _string(entry, "kind")
    if name not in RULE_KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {name!r}")
    kind = RULE_KINDS[name]
    for required in kind.required:
        if required not in entry:
            raise ValueError(f"{name} rules need the field {required!r}")
    inapplicable = sorted(set(entry) - _COMMON_FIELDS - kind.fields)
    if inapplicable:
        raise ValueError(
            f"field(s) {inapplicable} do not apply to {name} rules, which read: {', '.join(sorted(kind.fields))}"
        )
    when = entry.get("when", {})
    if not isinstance(when, dict):
        raise TypeError("when must be a table of option = value")
    own = {}
    for toml_name in kind.fields & set(entry):
        attribute, read = _FIELD_READERS[toml_name]
        own[attribute] = read(entry, toml_name, guards)
    return kind(
        id=rule_id,
        category=_string(entry, "category"),
        description=_string(entry, "description"),
        stage=_string(entry, "stage", pack.get("stage", kind.default_stage)),
        action=_string(entry, "action", kind.actions[0]),
        where=Where.parse(entry.get("where", "any")),
        enabled=_boolean(entry, "enabled", True),
        when=dict(when),
        examples=tuple(_build_example(e) for e in _list(entry, "example")),
        file=file,
        **own,
    )


_RENAMED = {"max_matches": "abstain_above"}
"""Fields renamed since 0.x: the old name still loads, with a warning, for one minor release."""


def _renamed(entry: dict[str, Any]) -> dict[str, Any]:
    for old, new in _RENAMED.items():
        if old in entry:
            if new in entry:
                raise ValueError(f"{old!r} is the old name of {new!r}; give only {new!r}")
            warnings.warn(
                f"rule {entry.get('id')!r}: the field {old!r} is now {new!r} (same meaning); the old name goes in 1.0",
                DeprecationWarning,
                stacklevel=5,
            )
            entry = {(new if key == old else key): value for key, value in entry.items()}
    return entry


def _text(entry: Mapping[str, Any], name: str, guards: Mapping[str, str]) -> str:
    return _string(entry, name)


def _texts(entry: Mapping[str, Any], name: str, guards: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(_strings(entry, name))


def _words(entry: Mapping[str, Any], name: str, guards: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(word.casefold() for word in _strings(entry, name))


def _number(entry: Mapping[str, Any], name: str, guards: Mapping[str, str]) -> int:
    return _count(entry, name)


def _share(entry: Mapping[str, Any], name: str, guards: Mapping[str, str]) -> float:
    value = entry[name]
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number")
    return float(value)


def _table(entry: Mapping[str, Any], name: str, guards: Mapping[str, str]) -> dict[str, str]:
    value = entry[name]
    if not isinstance(value, dict):
        raise TypeError(f"{name} must be a table of single characters to strings")
    return dict(value)


def _guard_list(entry: Mapping[str, Any], name: str, guards: Mapping[str, str]) -> tuple[Guard, ...]:
    names = _strings(entry, name)
    unknown = [guard for guard in names if guard not in guards]
    if unknown:
        raise ValueError(f"unless: no guard named {unknown}; known: {', '.join(sorted(guards))}")
    return tuple(Guard(guard, guards[guard]) for guard in names)


_FIELD_READERS: dict[str, tuple[str, Callable[[Mapping[str, Any], str, Mapping[str, str]], Any]]] = {
    "pattern": ("pattern", _text),
    "replacement": ("replacement", _text),
    "min_words": ("min_words", _number),
    "max_words": ("max_words", _number),
    "abstain_above": ("abstain_above", _number),
    "min_pages": ("min_pages", _number),
    "min_share": ("min_share", _share),
    "threshold": ("threshold", _share),
    "model": ("model", _text),
    "requires": ("requires", _words),
    "unless": ("guards", _guard_list),
    "fixes": ("fixes", _texts),
    "map": ("mapping", _table),
    "form": ("form", _text),
    "canonical": ("canonical", _text),
    "variants": ("variants", _texts),
    "protected": ("protected", _texts),
}
"""Each kind-specific TOML field: the record attribute it fills, and how it is read (``unless`` names guards)."""


def _build_example(entry: Any) -> Example:
    if not isinstance(entry, dict):
        raise TypeError("each [[rule.example]] must be a table")
    unknown = set(entry) - _EXAMPLE_FIELDS
    if unknown:
        raise ValueError(f"example has unknown field(s) {sorted(unknown)}; allowed: {sorted(_EXAMPLE_FIELDS)}")
    text_in = _string(entry, "input")
    text_out = _string(entry, "output")
    options = entry.get("options", {})
    if not isinstance(options, dict):
        raise TypeError("example options must be a table")
    for option, value in options.items():
        if option not in OPTIONS or value not in OPTIONS[option]:
            raise ValueError(f"example options: unknown option {option} = {value!r}; known: {dict(OPTIONS)}")
    pages = tuple(_strings(entry, "pages"))
    return Example(text_in, text_out, _boolean(entry, "fires", text_in != text_out), dict(options), pages)


def _string(entry: Mapping[str, Any], name: str, default: str | None = None) -> str:
    value = entry.get(name, default)
    if value is None:
        raise ValueError(f"missing required field {name!r}")
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    return value


def _strings(entry: Mapping[str, Any], name: str) -> list[str]:
    value = entry.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{name} must be a list of strings")
    return value


def _list(entry: Mapping[str, Any], name: str) -> list[Any]:
    value = entry.get(name, [])
    if not isinstance(value, list):
        raise TypeError(f"{name} must be a list of tables")
    return value


def _count(entry: Mapping[str, Any], name: str) -> int:
    value = entry.get(name, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError(f"{name} must be a whole number, 0 or more")
    return value


def _boolean(entry: Mapping[str, Any], name: str, default: bool) -> bool:
    value = entry.get(name, default)
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be true or false")
    return value


def load_preferences(paths: Iterable[str | Path]) -> list[str]:
    """The spellings that pack files prefer, from their ``[canonical] prefer = [...]`` tables."""
    preferred: list[str] = []
    for path in paths:
        table = read_toml(Path(path)).get("canonical", {})
        spellings = table.get("prefer", []) if isinstance(table, dict) else None
        if not isinstance(spellings, list) or not all(isinstance(s, str) for s in spellings):
            raise RuleError("[canonical] must hold prefer = [list of spellings]", file=str(path))
        preferred.extend(spellings)
    return preferred


def prefer_spellings(rules: Sequence[Rule], spellings: Iterable[str]) -> list[Rule]:
    """The rules with each preferred spelling made its lexicon entry's canonical form.

    >>> rule = LexiconRule(id="n.z", category="names", canonical="Zelenskyy", variants=("Zelensky", "Zelenskiy"))
    >>> [(r.canonical, r.variants) for r in prefer_spellings([rule], ["Zelensky"])]
    [('Zelensky', ('Zelenskiy', 'Zelenskyy'))]
    """
    result = list(rules)
    for spelling in spellings:
        for index, rule in enumerate(result):
            if isinstance(rule, LexiconRule) and spelling in rule.variants:
                variants = (*(v for v in rule.variants if v != spelling), rule.canonical or "")
                result[index] = replace(rule, canonical=spelling, variants=variants)
                break
            if isinstance(rule, LexiconRule) and spelling == rule.canonical:
                break
        else:
            raise RuleError(f"no lexicon entry spells {spelling!r}; see 'cleantext rules list --format json'")
    return result


def load_packs(names: Iterable[str] = (), extra: Iterable[str | Path] = ()) -> list[Rule]:
    """Load built-in packs by name, then users' pack files, checking ids are unique across all."""
    rules: list[Rule] = []
    known = builtin_pack_names()
    for name in names:
        if name not in known:
            raise RuleError(f"no built-in pack named {name!r}; built-in packs: {', '.join(known)}")
        rules.extend(load_pack(rules_dir() / f"{name}.toml"))
    for path in extra:
        rules.extend(load_pack(path))
    _check_unique(rules, None)
    return rules


def select_rules(
    rules: Sequence[Rule],
    *,
    options: Mapping[str, str],
    enable: Iterable[str] = (),
    disable: Iterable[str] = (),
) -> list[Rule]:
    """The rules that run, in stage order, then load order.

    ``enable`` and ``disable`` name rules by id, category, pack or glob
    (``typography.*``); a selector that matches nothing is an error, and
    ``disable`` wins over ``enable``.
    """
    chosen = {rule.id: rule.active_under(options) for rule in rules}
    for selectors, state in ((enable, True), (disable, False)):
        for selector in selectors:
            matched = [rule for rule in rules if _selects(selector, rule)]
            if not matched:
                raise RuleError(f"no rule, category or pack matches {selector!r}; see 'cleantext rules list'")
            for rule in matched:
                chosen[rule.id] = state
    active = [rule for rule in rules if chosen[rule.id]]
    check_lexicon(active)
    return sorted(active, key=lambda rule: STAGES.index(rule.stage))


def _selects(selector: str, rule: Rule) -> bool:
    return selector in (rule.id, rule.category, rule.pack) or fnmatch.fnmatchcase(rule.id, selector)
