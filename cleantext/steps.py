"""Steps: one class per kind of rule, each with the one method that finds what it replaces.

A step is what the plan runs: a rule of a pack, compiled, or, for consecutive
lexicon rules, all of them fused into one pass. Every step has a ``label``
(the rule's id), ``category`` and ``stage``; a trigger, derived from what it
is (:meth:`Step.trigger`, see :mod:`cleantext.plan`); whether removals
elsewhere can change what it finds (:attr:`Step.sees_context`); and
:meth:`Step.find`, which gives its replacements in the current text, tagged
with the rule behind each. The run loop in :mod:`cleantext.pipeline` knows
nothing of kinds: adding a kind is one class here and one entry in
:data:`STEP_KINDS`, besides its record class in :mod:`cleantext.rules`.

Example::

    >>> from cleantext.rules import LineRule
    >>> rule = LineRule(id="demo.ad", category="promo", stage="strip",
    ...             action="remove", description="", pattern=r"^Advertisement$")
    >>> step = step_for(rule)
    >>> type(step).__name__, [found[:3] for found in step.find("Text.\\nAdvertisement\\nMore.\\n", None)]
    ('LineStep', [(6, 20, '')])
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache, partial
from heapq import merge
from itertools import pairwise
from operator import itemgetter
from typing import Any, ClassVar

from cleantext.document import Document, RuleRef
from cleantext.metadata import clean_author, parse_date
from cleantext.native import Check, native_span_pattern, native_topic_words, quiet
from cleantext.normalize import (
    Lexicon,
    find_charmap,
    find_inline,
    find_lexicon,
    find_unicode,
    native_charmap_of,
    native_inline_pattern,
    native_inline_prefilter,
    native_unstable_of,
)
from cleantext.repair import ENCODING_FIXES, badness_anywhere_on_core, find_repairs, gate_on_core
from cleantext.rules import PatternRule, RemovalRule, Rule, ScoreRule, SiteRule
from cleantext.scorer import LineScorer
from cleantext.sites import SiteProfile
from cleantext.strip import (
    LINE_MAX_CHARS,
    OFFTOPIC_MAX_WORDS,
    REPEAT_MAX_CHARS,
    Detailed,
    find_block_matches,
    find_line_matches,
    find_offtopic,
    find_repeats,
    find_scored_lines,
    find_site_repeats,
    native_removal_pattern,
)
from cleantext.triggers import Clause, Trigger, derive, fold, useful

__all__ = [
    "NEVER",
    "STEP_KINDS",
    "BlockStep",
    "CharmapStep",
    "InlineStep",
    "LexiconStep",
    "LinePass",
    "LineStep",
    "OfftopicStep",
    "RemovalStep",
    "RepairStep",
    "RepeatStep",
    "ScoreStep",
    "SiteStep",
    "Step",
    "StepTrigger",
    "UnicodeStep",
    "engine_of",
    "staged_steps",
    "step_for",
    "trigger_of",
]

Replacements = list[tuple[int, int, str]]
Tagged = list[tuple[int, int, str, RuleRef]]
Changed = Callable[[str, Tagged, str], None]
"""What hears of an application that changed a text: ``(text, replacements, text before)``."""

TIMEOUT_CHARS = 1_000_000
"""A step that scans a whole document gets the time limit once per this many characters."""

INLINE_REPEATS = 3
"""At most this many further applications of an inline rule that changed the text."""

NEVER: Trigger = (frozenset(),)
"""The trigger of a step that cannot fire on the text: a clause no string satisfies."""


class StepTrigger:
    """A step's triggers: for any text, and for texts of ASCII characters only. None: evaluate always."""

    __slots__ = ("any_text", "ascii_text")

    def __init__(self, any_text: Trigger | None, ascii_text: Trigger | None) -> None:
        self.any_text = any_text
        self.ascii_text = ascii_text

    @property
    def derived(self) -> bool:
        """Whether the step has a trigger at all (else it is evaluated on every document)."""
        return self.any_text is not None


class Step:
    """A rule of one kind, ready to run: its trigger, its finder, and how its findings are applied."""

    kind: ClassVar[str]
    finder: ClassVar[Callable[..., Replacements]]
    scans_lines: ClassVar[bool] = False
    """Whether the finder searches line by line or paragraph by paragraph (the time limit is per search)."""
    takes_literals: ClassVar[bool] = False
    """Whether the finder searches only the lines or paragraphs that hold one of the trigger's literals."""
    pattern_finds: ClassVar[bool] = True
    """Whether what the step changes matches its pattern, so that the pattern's literals are its trigger."""
    native_form: ClassVar[Callable[[Rule], Any] | None] = None
    """The kind's native form of a rule (its finder uses it where it is not None), if the core runs the kind."""

    __slots__ = ("category", "label", "rule", "stage")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.label = rule.id
        self.category = rule.category
        self.stage = rule.stage

    @property
    def sees_context(self) -> bool:
        """Whether removing lines elsewhere can change what the step finds (position, neighbours, whole blocks)."""
        return True

    @property
    def judges_lines_alone(self) -> bool:
        """Whether the step removes whole lines, judging each by its own text (not :attr:`sees_context`):
        steps of this kind in a row may be found on one text and applied in one pass (:class:`LinePass`)."""
        return False

    @property
    def engine(self) -> str:
        """``native`` when the Rust core finds what the step replaces, else ``python``.

        A kind the core runs may still leave a rule to Python (a pattern that
        needs a backtracking search), and the core leaves it a text it cannot
        read as Python's ``regex`` does (see :mod:`cleantext.translate`).
        """
        form = type(self).native_form
        core = form(self.rule) if form is not None else None
        # A pattern that only finds candidates for Python to judge (its automaton would be too large) is Python's.
        return "native" if core is not None and not getattr(core, "candidates", False) else "python"

    native_finds: ClassVar[bool] = True
    """Whether :meth:`native_finder` finds the step's replacements; else it only tells that the
    step changes nothing (a text that holds none of its table's characters)."""
    repeats: ClassVar[int] = 0
    """How many more times an application that changed the text is followed by another (:meth:`InlineStep.apply`)."""

    @property
    def runs_natively(self) -> bool:
        """Whether the core's run (:meth:`cleantext.plan.Plan.native_run`) may evaluate the step
        whole (its :meth:`native_finder` then says whether it can)."""
        return False

    def native_finder(self) -> Any | None:
        """The core's form of a step that :attr:`runs_natively`, whose ``replacements(text, low, high)``
        is all its finder does; None where the core cannot hold the rule."""
        return None

    def screen_check(self) -> Check | None:
        """What the core searches to tell, in one call for all of a pass's steps, that this
        step finds nothing in a text (see :meth:`cleantext.plan.Plan.screen`); None: the step
        is always evaluated. The check finds something wherever the step does."""
        return None

    def prepare(self) -> None:
        """Build what the core needs to run the step (its patterns, tables and screen), as its first
        document would: ahead of time, on another thread (the core builds without the
        interpreter's lock: :func:`cleantext.native.prepare_steps`)."""
        self.screen_check()
        if self.runs_natively:
            self.native_finder()
        form = type(self).native_form
        if form is not None:
            form(self.rule)
        for guard in getattr(self.rule, "guards", ()):  # a line, block or off-topic rule's
            native_span_pattern(guard.pattern)

    def trigger(self) -> StepTrigger:
        """The literals any text the step changes must contain, derived from its pattern, plus its ``requires`` hint."""
        rule = self.rule
        if not isinstance(rule, PatternRule) or not self.pattern_finds:
            hinted = _with_hint(None, getattr(rule, "requires", ()))
            return StepTrigger(hinted, hinted)
        # A whole-text inline rule sees the text's own start and end; the others search lines, paragraphs or regions.
        whole_text = self.kind == "inline" and not rule.where.parts
        return StepTrigger(
            _with_hint(derive(rule.pattern, whole_text=whole_text), rule.requires),
            _with_hint(derive(rule.pattern, ascii_text=True, whole_text=whole_text), rule.requires),
        )

    def time_limit(self, timeout: float | None, size: int) -> float | None:
        """The time limit of one search: per line or paragraph, or per million characters scanned.

        A runaway pattern blows up on a short stretch of text (40 characters do
        it), so scaling the limit with a long document's length still stops one,
        while an honest pass over 200 MB is not mistaken for one.
        """
        if timeout is None or self.scans_lines:
            return timeout
        return timeout * max(1.0, size / TIMEOUT_CHARS)

    def find(
        self,
        text: str,
        timeout: float | None,
        continues: tuple[bool, bool] = (False, False),
        literals: tuple[str, ...] = (),
        site: str | None = None,
    ) -> Tagged:
        """Every replacement in ``text`` (current coordinates, sorted, apart), tagged with its rule.

        ``continues``: whether the text is a window of a longer document that
        goes on before and after it (no head or tail there); ``literals``:
        what a line or paragraph must hold to be searched at all; ``site``:
        the site the document comes from (what a site-level step looks up).
        """
        ref = self.rule.ref
        return [(start, end, new, ref) for start, end, new in self.find_plain(text, timeout, continues, literals)]

    def find_plain(
        self,
        text: str,
        timeout: float | None,
        continues: tuple[bool, bool] = (False, False),
        literals: tuple[str, ...] = (),
    ) -> Replacements:
        """:meth:`find` without the tags: the rule's own replacements, in its ``where`` regions."""
        return self._in_regions(self._finder(literals), text, self.time_limit(timeout, len(text)), continues)

    def _in_regions(
        self, finder: Callable[..., Replacements], text: str, limit: float | None, continues: tuple[bool, bool]
    ) -> Replacements:
        """What ``finder`` finds in the rule's ``where`` regions of ``text``."""
        rule = self.rule
        if not rule.where.parts:
            return finder(rule, text, 0, len(text), limit)
        found: Replacements = []
        for low, high in self.regions(text, continues):
            # Each is (start, end, new, ...): a finder may add what it found about the replacement.
            for replacement in finder(rule, text, low, high, limit):
                # A removal may take the line break just outside its region, which
                # the next region can claim too; the first claim wins.
                if not found or replacement[0] >= found[-1][1]:
                    found.append(replacement)
        return found

    def regions(self, text: str, continues: tuple[bool, bool] = (False, False)) -> list[tuple[int, int]]:
        """The spans of ``text`` the rule's ``where`` lets it fire in (``continues``: as :meth:`find`)."""
        return self.rule.where.regions(text, head=not continues[0], tail=not continues[1])

    @property
    def where_parts(self) -> tuple[tuple[bool, int, int], ...]:
        """The rule's ``where`` as ``(head, first, last)`` block ranges (none: anywhere), as the core's
        screen and run take it."""
        return tuple((side == "head", first, last) for side, first, last in self.rule.where.parts)

    def _detailed(self, found: Detailed) -> Tagged:
        """Replacements tagged with the rule, and in the tag what the finder found about each (its detail)."""
        rule = self.rule
        return [(start, end, new, RuleRef(rule.id, rule.category, detail)) for start, end, new, detail in found]

    def _finder(self, literals: tuple[str, ...]) -> Callable[..., Replacements]:
        """The kind's finder, told which literals a line must hold when it searches only those lines."""
        if not (literals and self.takes_literals):
            return self.finder

        def finder(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> Replacements:
            return type(self).finder(rule, text, low, high, timeout, literals=literals)  # type: ignore[call-arg]

        return finder

    def apply(self, document: Document, found: Tagged, timeout: float | None, changed: Changed) -> int:
        """Apply the findings to ``document``; the number of replacements that changed it.

        ``changed(text, replacements, text before)`` hears of every
        application that changed the text (the plan scans what it may have
        made, and forgets what its screen knew of the text before).
        """
        before = document.text
        if self.rule.captures:
            _capture_metadata(self.rule, before, found, document.metadata)
        applied = document.apply_tagged(found)
        if applied:
            changed(document.text, found, before)
        return applied


class RemovalStep(Step):
    """A line or paragraph step: one that gives up on a document with more matches than ``abstain_above``."""

    rule: RemovalRule
    scans_lines = True
    takes_literals = True

    def find_plain(
        self,
        text: str,
        timeout: float | None,
        continues: tuple[bool, bool] = (False, False),
        literals: tuple[str, ...] = (),
    ) -> Replacements:
        """The replacements in the ``where`` regions, or none when the whole text has too many matches.

        More matches in the document than a page has of its kind are structure:
        a timeline's dates, a travel guide's "By Train", "By Bus", "By Car".
        """
        rule = self.rule
        if rule.abstain_above:
            everywhere = self._finder(literals)(rule, text, 0, len(text), self.time_limit(timeout, len(text)))
            if len(everywhere) > rule.abstain_above:
                return []
            if not rule.where.parts:
                return everywhere  # the whole text is the rule's region: no second search
        return super().find_plain(text, timeout, continues, literals)


class LineStep(RemovalStep):
    """``line``: a line the pattern matches is removed, or its match replaced."""

    kind = "line"
    finder = staticmethod(find_line_matches)
    native_form = staticmethod(native_removal_pattern)

    @property
    def sees_context(self) -> bool:
        """A line rule that removes lines anywhere judges each line alone: removals elsewhere change nothing."""
        rule = self.rule
        return not (rule.action == "remove" and not rule.where.parts and not rule.abstain_above)

    @property
    def judges_lines_alone(self) -> bool:
        """A line rule that removes lines anywhere: each removal takes a whole line with one line break."""
        return not self.sees_context

    def screen_check(self) -> Check | None:
        """The pattern over every line the rule judges in its regions."""
        core = native_removal_pattern(self.rule)
        if core is None:
            return None
        rule = self.rule
        most = rule.max_words or LINE_MAX_CHARS
        return ("lines", core, rule.min_words, most, rule.action == "remove", self.where_parts)


class BlockStep(RemovalStep):
    """``block``: a paragraph the pattern matches is removed, or its match replaced."""

    kind = "block"
    finder = staticmethod(find_block_matches)
    native_form = staticmethod(native_removal_pattern)

    def screen_check(self) -> Check | None:
        """The pattern over every block the rule judges in its regions."""
        core = native_removal_pattern(self.rule)
        rule = self.rule
        return None if core is None else ("blocks", core, rule.min_words, rule.max_words, False, self.where_parts)


class RepeatStep(Step):
    """``repeat``: a paragraph that repeats an earlier one (a title, a standfirst)."""

    kind = "repeat"
    finder = staticmethod(find_repeats)
    scans_lines = True

    def screen_check(self) -> Check | None:
        """A block short enough to compare with the same word characters, casefolded, as an earlier one
        of the rule's words in its regions."""
        return ("repeats", None, self.rule.min_words, REPEAT_MAX_CHARS, False, self.where_parts)


class OfftopicStep(Step):
    """``offtopic``: a short paragraph that shares no content word with the article."""

    kind = "offtopic"
    finder = staticmethod(find_offtopic)
    scans_lines = True
    # The pattern judges the shape of the lines the rule finds by their words: only the hint is a trigger.
    pattern_finds = False

    def screen_check(self) -> Check | None:
        """A short block in its regions that the rule would judge by its words: its shape, its run."""
        rule = self.rule
        core = native_span_pattern(rule.pattern)  # the form find_offtopic judges the shape by
        if core is None:
            return None
        return ("offtopic", core, rule.min_words, rule.max_words or OFFTOPIC_MAX_WORDS, False, self.where_parts)

    def prepare(self) -> None:
        """Its forms, and the reader of content words in text with letters outside ASCII."""
        super().prepare()
        native_topic_words()


class InlineStep(Step):
    """``inline``: every match of the pattern is replaced (or removed)."""

    kind = "inline"
    finder = staticmethod(find_inline)
    native_form = staticmethod(native_inline_pattern)
    repeats = INLINE_REPEATS

    @property
    def runs_natively(self) -> bool:
        """A rule without captures: its pattern and replacement, in its regions, are all it does."""
        return not self.rule.captures

    def native_finder(self) -> Any | None:
        """The rule's pattern and replacement on the core."""
        return native_inline_pattern(self.rule) if self.runs_natively else None

    def screen_check(self) -> Check | None:
        """The pattern, or its relaxed form (which matches wherever it does), over the text or its
        regions (the core searches those that end where the text ends)."""
        core = native_inline_pattern(self.rule)
        if core is None:
            core = native_inline_prefilter(self.rule)
        return None if core is None else ("text", core, 0, 0, False, self.where_parts)

    def apply(self, document: Document, found: Tagged, timeout: float | None, changed: Changed) -> int:
        """Apply, then apply again until nothing changes, at most :data:`INLINE_REPEATS` more times.

        One match can hide another until it is replaced (the outer pair of
        nested guillemets, "«a «b» c»", is only a pair once the inner one is
        gone), and cleaning must give in one go what it would give in two.
        """
        changes = super().apply(document, found, timeout, changed)
        if not changes:
            return 0
        check = self.screen_check()
        for _ in range(self.repeats):
            if check is not None and quiet(document.text, [(check, ())]):
                break  # the core finds nothing more (the usual answer), at less cost than a search
            before = document.text
            try:
                again = self.find(before, timeout, document.continues)
            except TimeoutError:
                break  # the first application got through; the next one is not worth a warning
            applied = document.apply_tagged(again) if again else 0
            if not applied:
                break
            changed(document.text, again, before)
            changes += applied
        return changes


class CharmapStep(Step):
    """``charmap``: single characters mapped through a table."""

    kind = "charmap"
    finder = staticmethod(find_charmap)
    native_form = staticmethod(native_charmap_of)

    @property
    def runs_natively(self) -> bool:
        """A rule without captures: its table, in its regions, is all it does."""
        return not self.rule.captures

    def native_finder(self) -> Any | None:
        """The rule's table on the core."""
        return native_charmap_of(self.rule) if self.runs_natively else None

    def screen_check(self) -> Check | None:
        """The table's characters, anywhere in the text (for a rule of regions too)."""
        table = native_charmap_of(self.rule)
        return None if table is None else ("characters", table, 0, 0, False, ())

    def trigger(self) -> StepTrigger:
        """The table's characters (on ASCII text, only its ASCII ones)."""
        characters = list(self.rule.mapping)
        return StepTrigger(_characters(characters, False), _characters(characters, True))


class UnicodeStep(Step):
    """``unicode``: the text brought into a normalization form."""

    kind = "unicode"
    finder = staticmethod(find_unicode)

    native_finds = False

    def trigger(self) -> StepTrigger:
        """None, but text of ASCII characters only is in every normalization form already."""
        return StepTrigger(None, NEVER)

    @property
    def runs_natively(self) -> bool:
        """The core's run tells a text that is in the form already (nearly all): it holds none of the
        characters the form may change or move; Python normalizes the others."""
        return True

    def native_finder(self) -> Any | None:
        """The characters the form may change or move (:func:`cleantext.normalize.unstable_characters`)."""
        return native_unstable_of(self.rule.form or "NFC")


class RepairStep(Step):
    """``ftfy``: ftfy's fixes on the lines a cheap pattern flags."""

    kind = "ftfy"
    finder = staticmethod(find_repairs)

    def screen_check(self) -> Check | None:
        """The gate over the text or its regions: ftfy sees only the lines it finds something in; for
        encoding fixes, only those lines where ftfy's test for mojibake finds something too."""
        gate = gate_on_core(self.rule.pattern)
        if gate is None:
            return None
        badness = badness_anywhere_on_core() if ENCODING_FIXES.issuperset(self.rule.fixes) else None
        if badness is None:
            return ("text", gate, 0, 0, False, self.where_parts)
        return ("repair", (gate, badness), 0, 0, False, self.where_parts)


class LexiconStep(Step):
    """``lexicon``: name variants to their canonical spelling; consecutive rules fused into one pass."""

    kind = "lexicon"
    finder = staticmethod(find_lexicon)
    __slots__ = ("lexicon",)

    def __init__(self, rules: Sequence[Rule]) -> None:
        super().__init__(rules[0])
        self.lexicon = _lexicon(tuple(rules))
        self.label = self.lexicon.label

    def trigger(self) -> StepTrigger:
        """Every spelling the step replaces (on ASCII text, only the ASCII ones)."""
        spellings = list(self.lexicon.replacements)
        return StepTrigger(_spellings(spellings, False), _spellings(spellings, True))

    def find(
        self,
        text: str,
        timeout: float | None,
        continues: tuple[bool, bool] = (False, False),
        literals: tuple[str, ...] = (),
        site: str | None = None,
    ) -> Tagged:
        """Every variant's replacement, tagged with the rule it belongs to."""
        rule = self.rule
        if len(self.lexicon.rules) == 1 and rule.where.parts:
            return super().find(text, timeout, continues, literals)
        return self.lexicon.find(text, 0, len(text), self.time_limit(timeout, len(text)))


class SiteStep(Step):
    """``site``: lines a site profile finds on many pages of the document's site (see :mod:`cleantext.sites`)."""

    kind = "site"
    scans_lines = True
    rule: SiteRule
    __slots__ = ("profile",)

    def __init__(self, rule: Rule, profile: SiteProfile | None = None) -> None:
        super().__init__(rule)
        self.profile = profile

    @property
    def sees_context(self) -> bool:
        """Each line is judged by its own count: removals elsewhere change nothing."""
        return False

    def trigger(self) -> StepTrigger:
        """None with a profile (every line is looked up); without one the step never runs."""
        return StepTrigger(NEVER, NEVER) if self.profile is None else StepTrigger(None, None)

    def find(
        self,
        text: str,
        timeout: float | None,
        continues: tuple[bool, bool] = (False, False),
        literals: tuple[str, ...] = (),
        site: str | None = None,
    ) -> Tagged:
        """The lines of ``text`` the profile counts on enough pages of ``site``; each edit's detail
        holds the pages the line is on and the pages of the site counted."""
        profile = self.profile
        pages = profile.pages(site) if profile is not None and site is not None else 0
        if not pages:
            return []
        counts = profile.counts(site)  # type: ignore[union-attr, arg-type]  # pages > 0: both are set

        def finder(rule: Rule, text: str, low: int, high: int, timeout: float | None) -> Detailed:
            return find_site_repeats(rule, text, low, high, timeout, counts=counts, pages=pages)

        return self._detailed(self._in_regions(finder, text, timeout, continues))  # type: ignore[arg-type]


class ScoreStep(Step):
    """``score``: lines a learned line scorer rates as furniture (see :mod:`cleantext.scorer`)."""

    kind = "score"
    scans_lines = True
    rule: ScoreRule
    __slots__ = ("scorer",)

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        self.scorer = LineScorer.load(self.rule.model_path)

    def trigger(self) -> StepTrigger:
        """None: every text is scored (the model needs no literal)."""
        return StepTrigger(None, None)

    def find(
        self,
        text: str,
        timeout: float | None,
        continues: tuple[bool, bool] = (False, False),
        literals: tuple[str, ...] = (),
        site: str | None = None,
    ) -> Tagged:
        """The removals of the lines the scorer rates as furniture, in the ``where`` regions; each
        edit's detail holds the line's score."""
        return self._detailed(self.find_plain(text, timeout, continues))  # type: ignore[arg-type]

    def _finder(self, literals: tuple[str, ...]) -> Callable[..., Replacements]:
        """The finder, with this step's model."""
        return partial(find_scored_lines, scorer=self.scorer)  # type: ignore[return-value]


STEP_KINDS: dict[str, type[Step]] = {
    step.kind: step
    for step in (
        LineStep,
        BlockStep,
        RepeatStep,
        OfftopicStep,
        InlineStep,
        CharmapStep,
        UnicodeStep,
        RepairStep,
        LexiconStep,
        SiteStep,
        ScoreStep,
    )
}
"""The class of each kind of rule that runs in the stages (``extract`` rules are choices of the extraction)."""


def step_for(rule: Rule, profile: SiteProfile | None = None) -> Step:
    """The step of one rule (``profile``: the site profile a site-level step looks lines up in)."""
    if rule.kind == "lexicon":
        return LexiconStep([rule])
    if rule.kind == "site":
        return SiteStep(rule, profile)
    return STEP_KINDS[rule.kind](rule)


def engine_of(rule: Rule) -> str:
    """Which engine finds what one rule replaces: ``native`` (the Rust core) or ``python``."""
    if rule.kind not in STEP_KINDS:
        return "python"
    return step_for(rule).engine


def trigger_of(rule: Rule) -> StepTrigger:
    """The triggers of one rule, as its step derives them."""
    if rule.kind not in STEP_KINDS:
        return StepTrigger(None, None)
    return step_for(rule).trigger()


def staged_steps(rules: Iterable[Rule], profile: SiteProfile | None = None) -> list[tuple[str, list[Step]]]:
    """The steps of ``rules`` grouped by stage, in order; consecutive lexicon rules fuse into one step.

    ``profile``: the site profile of the pipeline, for its site-level steps.
    """
    stages: dict[str, list[Rule | list[Rule]]] = {}
    for rule in rules:
        units = stages.setdefault(rule.stage, [])
        fusable = rule.kind == "lexicon" and not rule.where.parts
        if fusable and units and isinstance(units[-1], list):
            units[-1].append(rule)
        else:
            units.append([rule] if fusable else rule)
    return [
        (stage, [LexiconStep(unit) if isinstance(unit, list) else step_for(unit, profile) for unit in units])
        for stage, units in stages.items()
    ]


@lru_cache(maxsize=32)
def _lexicon(rules: tuple[Rule, ...]) -> Lexicon:
    # Pipelines built from the same rules (examples, workers) share one compiled trie.
    return Lexicon(rules)


def _with_hint(trigger: Trigger | None, requires: Iterable[str]) -> Trigger | None:
    """A derived trigger with a rule's ``requires`` hint as one more clause, when the hint is worth a search."""
    hint: Clause = frozenset(map(fold, requires))
    clauses = (*(trigger or ()), *((hint,) if hint and useful(hint) else ()))
    return clauses or None


def _spellings(spellings: Iterable[str], ascii_text: bool) -> Trigger | None:
    return (frozenset(fold(spelling) for spelling in spellings if spelling.isascii() or not ascii_text),)


def _characters(characters: Sequence[str], ascii_text: bool) -> Trigger | None:
    folded = frozenset(fold(character) for character in characters if character.isascii() or not ascii_text)
    if folded and not useful(folded):
        return None  # a common character: the step runs on every text
    return (folded,)


class LinePass:
    """Steps that judge lines alone (:attr:`Step.judges_lines_alone`), each found on the same text,
    their removals applied to the document in one pass.

    Such a step finds in a text that others of its kind removed lines from
    what it finds in the text before, less those lines: it judges each line
    by its own text, and their removals take whole lines. Except next to a
    removal: a line there may come to end the text (its removal then takes
    the line break before it) or to stand right under a line of as many
    table cells (and removals leave a table). So a step is taken only while
    its removals keep at least a character apart from those taken before
    (the removal of a line another step took is dropped: the step would not
    see that line), and the pass is made only where no earlier edit spans a
    gap between two removals (:meth:`Document.bridges`): one pass then makes
    the text and the edits that one pass per step makes.
    """

    __slots__ = ("_removed", "taken", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.taken: list[tuple[int, Step, Tagged]] = []
        """``(index, step, removals)`` of each step taken, in the order taken."""
        self._removed: list[tuple[int, int]] = []  # the spans taken, sorted

    def take(self, index: int, step: Step, found: Tagged) -> bool:
        """Adds the step's removals (``found`` in :attr:`text`: sorted, apart) unless one touches a
        removal taken before; whether it did. A removal of a line taken before is dropped: that line
        is gone from the text the step would see."""
        removed = self._removed
        kept: Tagged = []
        for removal in found:
            start, end = removal[0], removal[1]
            at = bisect_left(removed, (start,))
            if at < len(removed) and removed[at] == (start, end):
                continue
            if (at and removed[at - 1][1] >= start) or (at < len(removed) and removed[at][0] <= end):
                return False
            kept.append(removal)
        if kept:
            self._removed = list(merge(removed, [(start, end) for start, end, *_ in kept]))
            self.taken.append((index, step, kept))
        return True

    def apply(self, document: Document, changed: Changed) -> list[int] | None:
        """Applies the removals taken to ``document``, whose text is :attr:`text`, as :meth:`Step.apply`
        applies one step's; how many of each step's changed the text. None, the document left as it is,
        where an earlier edit spans a gap between two removals."""
        text = self.text
        removed = self._removed
        if len(self.taken) > 1:
            gaps = [(end, start) for (_, end), (start, _) in pairwise(removed) if start > end]
            if gaps and document.bridges(gaps):
                return None
        for _, step, found in self.taken:
            if step.rule.captures:
                _capture_metadata(step.rule, text, found, document.metadata)
        tagged = list(merge(*(found for _, _, found in self.taken), key=itemgetter(0)))
        if document.apply_tagged(tagged):
            changed(document.text, tagged, text)
        return [sum(text[start:end] != new for start, end, new, _ in found) for _, _, found in self.taken]


def _capture_metadata(rule: Rule, text: str, found: Tagged, metadata: dict[str, Any]) -> None:
    """Author and date from the named groups of a removal rule's matches (the first of each wins)."""
    for start, end, *_ in found:
        match = rule.compiled.search(text[start:end])
        if match is None:
            continue
        for group in rule.captures:
            value = match.group(group)
            if value and group not in metadata:
                metadata[group] = parse_date(value) if group == "published" else clean_author(value)
