"""The pipeline: decode, then the rule stages in order, then emit.

A :class:`Pipeline` is an immutable list of selected rules plus options; it is
picklable (patterns recompile on arrival) so it runs unchanged in worker
processes. ``cleantext.clean`` uses a shared default pipeline.

Example::

    >>> pipeline = Pipeline.load(disable=["typography"])
    >>> pipeline.clean("\\u201cHi\\u201d  there \\r\\n").text
    '\\u201cHi\\u201d there\\n'
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from cleantext.decode import decode_text
from cleantext.document import Document, RuleRef
from cleantext.emit import Result, SourcelessResult, StepTiming
from cleantext.errors import InputError, RuleError
from cleantext.extract import (
    SHORT_BODY,
    TITLE,
    UNCONFIRMED,
    extract_article_within,
    is_page,
    locate_text,
    visible_text,
)
from cleantext.heap import long_document_heap
from cleantext.native import ENGINE, native_stages, prepare_steps
from cleantext.parallel import batched, bounded_map
from cleantext.plan import Plan, Presence, Selected
from cleantext.rules import (
    OPTIONS,
    STAGES,
    Rule,
    default_pack_names,
    load_packs,
    load_preferences,
    prefer_spellings,
    select_rules,
    spelled_for,
)
from cleantext.segment import block_removal_span, block_spans
from cleantext.sites import SiteProfile, site_of
from cleantext.steps import TIMEOUT_CHARS, LinePass, Step, Tagged, staged_steps
from cleantext.windows import WINDOW_CHARS, Window, clean_in_windows

__all__ = [
    "BATCH_CHARS",
    "BATCH_DOCUMENTS",
    "DEFAULT_TIMEOUT",
    "INPUT_FORMATS",
    "TRIGGERS",
    "Pipeline",
    "TriggerMissed",
    "clean",
]

DEFAULT_TIMEOUT = 2.0
"""Seconds one rule may spend on one document before it is skipped there."""

LINE_PASS_CHARS = 1 << 17
"""From this many characters on, line steps in a row are found on one text and applied in one pass
(:meth:`Pipeline._evaluate_line_pass`): each pass makes a new version of the text, whose cost grows
with its length, while finding the row's steps in Python costs more than the core's run of them
one by one on a short text (measured: even at 100,000 characters, better from 300,000)."""

BATCH_DOCUMENTS = 64
"""The most documents ``clean_many`` sends a worker at once."""

BATCH_CHARS = 1 << 17
"""A batch of ``clean_many`` ends once its documents hold this many characters (or bytes):
each batch costs the parent a task to send and a result to take back, so short documents
travel many to a batch, and long ones few, which keeps the workers evenly busy."""

INPUT_FORMATS = ("auto", "text", "html")
"""What an input is: ``auto`` tells HTML from plain text by its content."""

EXTRACT_TIMEOUT_FACTOR = 5.0
"""The extraction of a page gets this many times the rule time limit per million characters ..."""

EXTRACT_TIMEOUT_CAP = 30.0
"""... and at most this many times it, whatever the page's size."""

SCREEN = "screen"
"""The step name the screen's time is counted under in a result's timings (see :meth:`Plan.screen`)."""

TRIGGERS = ("on", "off", "check")
"""How a pipeline uses its steps' triggers: ``on`` skips a step whose trigger does not hold; ``off``
evaluates every step (the reference); ``check`` evaluates every step and raises
:class:`TriggerMissed` where a skipped one would have changed the text."""

PIPELINE_ROUNDS = 3
"""At most this many runs of all the stages, while the repair stage still finds something at the end."""

STRIP_PASSES = 8
"""At most this many passes of the strip stage over one document."""

SCREEN_WHOLE_CHARS = 2_000
"""A text shorter than this is first screened for every stage at once: one call to the core tells
whether any step may change it (most short records are clean). A longer text nearly always changes
in an early stage, and asking the later stages' checks of the text before costs more than it spares."""


class TriggerMissed(AssertionError):
    """A step whose trigger did not hold would have changed the text (``triggers="check"``): a bug in a trigger."""


class Pipeline:
    """Selected rules in run order, with the options they were selected under."""

    __slots__ = (
        "_before_last",
        "_extraction",
        "_layouts",
        "_on_core",
        "input_format",
        "options",
        "profile",
        "rules",
        "timeout",
        "triggers",
    )

    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        options: Mapping[str, str] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        input_format: str = "auto",
        triggers: str = "on",
        profile: SiteProfile | None = None,
    ) -> None:
        if input_format not in INPUT_FORMATS:
            raise ValueError(f"input_format must be one of {', '.join(INPUT_FORMATS)}, not {input_format!r}")
        if triggers not in TRIGGERS:
            raise ValueError(f"triggers must be one of {', '.join(TRIGGERS)}, not {triggers!r}")
        self.triggers = triggers
        self.profile = profile
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.options: Mapping[str, str] = {**default_options(), **(options or {})}
        self.timeout = timeout
        self.input_format = input_format
        # The extraction's own removals (extract.title, extract.unconfirmed) run when their rules are selected.
        self._extraction = frozenset(rule.id for rule in self.rules if rule.kind == "extract")
        self._layouts: dict[str, tuple[list[tuple[str, list[Step]]], Plan]] = {}
        # Per layout, the steps of every stage but the last, in one list (one selection of the plan).
        self._before_last: dict[str, list[Step]] = {}
        self._on_core: dict[str, Any | None] = {}  # by layout: see _stages_on_core
        # The default plan, compiled here: a rule its steps cannot be built for (a score rule's
        # missing model) is an error of loading, and forked workers inherit the plan.
        self._stages_for(self.options["layout"])

    @classmethod
    def load(
        cls,
        *,
        packs: Iterable[str] | None = None,
        extra: Iterable[str | Path] = (),
        enable: Iterable[str] = (),
        disable: Iterable[str] = (),
        quotes: str = "ascii",
        names: str = "native",
        layout: str = "file",
        canonical: Iterable[str] = (),
        timeout: float | None = DEFAULT_TIMEOUT,
        input_format: str = "auto",
        triggers: str = "on",
        profile: SiteProfile | str | Path | None = None,
    ) -> Pipeline:
        """Load built-in ``packs`` (default: ``rules/pipeline.toml``) and ``extra`` pack files.

        ``enable``/``disable`` select rules by id, category, pack or glob;
        ``quotes`` is ``"ascii"`` or ``"curly"``; ``names`` is ``"native"``
        (Kraków stays Kraków) or ``"ascii"`` (Krakow); ``layout`` is ``"file"``
        (the text ends with a line break) or ``"field"`` (as the source ends,
        for values inside records); ``canonical`` names spellings
        to prefer over a lexicon entry's canonical one (``["Zelensky"]``), as do
        the ``[canonical] prefer`` lists of ``extra`` pack files; ``timeout``
        bounds the seconds one rule's pattern may take on one line or paragraph
        (line and block rules), or on each million characters of a document
        (rules that scan the whole text); None: no bound;
        ``input_format`` is ``"auto"`` (HTML when the text looks like a page),
        ``"text"`` or ``"html"``; ``triggers`` is ``"on"`` (a step runs only
        where its trigger holds), ``"off"`` or ``"check"`` (see :data:`TRIGGERS`);
        ``profile`` is a :class:`~cleantext.sites.SiteProfile` or its file, which
        the ``site.repeated`` rule looks up the lines of a document cleaned with
        a ``site`` in (see :mod:`cleantext.sites`).
        """
        options = {"quotes": quotes, "names": names, "layout": layout}
        if profile is not None and not isinstance(profile, SiteProfile):
            profile = SiteProfile.load(profile)
        check_options(options)
        names = default_pack_names() if packs is None else list(packs)
        extra = list(extra)
        every_rule = prefer_spellings(load_packs(names, extra), [*canonical, *load_preferences(extra)])
        chosen = select_rules(every_rule, options=options, enable=enable, disable=disable)
        return cls(
            chosen, options=options, timeout=timeout, input_format=input_format, triggers=triggers, profile=profile
        )

    def clean(
        self,
        data: str | bytes,
        *,
        name: str | None = None,
        encoding: str | None = None,
        errors: str = "warn",
        input_format: str | None = None,
        layout: str | None = None,
        site: str | None = None,
    ) -> Result:
        """Clean one document (text, or bytes to decode) and return its :class:`Result`.

        An HTML page (``input_format="html"``, or ``"auto"`` and the text looks
        like one) is first reduced to its article body by :mod:`cleantext.extract`;
        the result's ``source`` is then the HTML and its edits point into it.
        ``input_format`` defaults to the pipeline's, and so does ``layout``
        (``"field"`` for a value inside a record: no final line break is added).

        Bytes are decoded by :func:`cleantext.decode.decode_text` with
        ``encoding`` and ``errors``; a low-confidence guess of the encoding is
        a warning on the result (``errors="warn"``) or refused (``"strict"``).

        ``site`` (a URL or a domain) is where the document comes from: with a
        site profile (``profile``), the lines that site repeats on many pages
        are removed (each edit's ``detail`` holds the pages the line is on and
        the pages counted), and the result's metadata holds ``site``.

        Raises :class:`~cleantext.errors.InputError` when bytes are not text.
        """
        used_encoding = None
        warnings = []
        if isinstance(data, bytes | bytearray | memoryview):
            try:
                decoded = decode_text(bytes(data), encoding=encoding, errors=errors)
            except InputError as error:
                if name is None:
                    raise
                raise error.named(name) from None
            text, used_encoding = decoded.text, decoded.encoding
            if decoded.doubtful:
                warnings.append(decoded.warning(name))
        else:
            text = data
        document = Document(text)
        input_format = input_format or self.input_format
        if input_format not in INPUT_FORMATS:
            raise ValueError(f"input_format must be one of {', '.join(INPUT_FORMATS)}, not {input_format!r}")
        is_html = is_page(text, input_format)
        timings: dict[str, StepTiming] = {}
        if is_html:
            started = time.perf_counter()
            try:
                _extract(document, extraction_time_limit(self.timeout, len(text)), self._extraction)
            except InputError as error:
                raise error.named(name) if name is not None else error from None
            _timing(timings, "extract").add(time.perf_counter() - started, document.edit_count)
            visible = len(visible_text(text).text.strip()) if not document.text else 0
            if visible >= SHORT_BODY:
                # An empty result from a page full of text is a failure, not a clean page.
                raise InputError(
                    f"no article found among the {visible:,} characters of text of this page; "
                    "--input-format text cleans it as text",
                    name=name,
                )
        warnings += self.run(document, name=name, layout=layout, timings=timings, site=site)
        if is_html and not document.text:
            warnings.append(f"no article text found in the HTML of {name or 'the document'}; the output is empty")
        return Result.from_document(document, name=name, encoding=used_encoding, warnings=warnings, timings=timings)

    def clean_windows(
        self,
        text: str | Iterable[str],
        *,
        name: str | None = None,
        encoding: str | None = None,
        window_chars: int = WINDOW_CHARS,
        jobs: int = 1,
    ) -> Iterator[Window]:
        """Clean plain text of any length in windows of about ``window_chars`` characters.

        ``text`` is a string or an iterable of pieces (an open text file, a
        generator). Yields :class:`~cleantext.windows.Window` objects as soon
        as they are clean: joined, their ``text`` is the clean document, and
        their ``edits()`` are in the whole document's coordinates. Memory
        stays at a few windows, whatever the length. The result equals
        :meth:`clean`'s except where a rule compares a paragraph with the rest
        of the document (a title repeated in a later window stays). HTML is
        not extracted here: pass a page to :meth:`clean`. ``jobs > 1`` cleans
        windows in a process pool, a few ahead of the one handed on.
        """
        return clean_in_windows(self, text, name=name, encoding=encoding, window_chars=window_chars, jobs=jobs)

    def run(
        self,
        document: Document,
        *,
        name: str | None = None,
        layout: str | None = None,
        timings: dict[str, StepTiming] | None = None,
        site: str | None = None,
    ) -> list[str]:
        """Apply every rule to ``document`` in order; return warnings (rules skipped on time-outs).

        This is the pipeline as a step: it only needs a :class:`Document`.
        ``layout`` overrides the pipeline's option of that name for this
        document; ``timings``, when given, gains each step's seconds,
        evaluations and changes; ``site``: where the document comes from (see :meth:`clean`).
        """
        if site is not None and self.profile is not None:
            document.metadata["site"] = site_of(site)
        warnings: list[str] = []
        timings = {} if timings is None else timings
        layout = layout or self.options["layout"]
        stages, plan = self._stages_for(layout)
        text = document.text
        presence = plan.scan(text)
        first_stage = 0
        # A short text no step of a stage before the last may change runs the last stage alone (which
        # ends it with a line break, as a rule): each other would find the text as it is. Where no
        # step of the last stage may change it either, no stage runs.
        if len(text) < SCREEN_WHOLE_CHARS and self.triggers == "on" and stages:
            before_last = self._before_last[layout]
            if not _may_change(presence, presence.select(before_last, text), text, timings):
                if not _may_change(presence, presence.select(stages[-1][1], text), text, timings):
                    return warnings
                first_stage = len(stages) - 1
        cleaning = _Cleaning(document, name, warnings, timings, presence)
        on_core = self._stages_on_core(layout) if self.triggers == "on" else None
        with long_document_heap(len(text)):
            if on_core is not None:
                hand_off = partial(self._hand_off, cleaning)
                skipped = cleaning.timed_out
                on_core.run(document, presence, first_stage, hand_off, timings, StepTiming, skipped, self.timeout)
            else:
                self._run_rounds(stages, first_stage, cleaning, plan)
        return warnings

    def _run_rounds(
        self, stages: list[tuple[str, list[Step]]], first_stage: int, cleaning: _Cleaning, plan: Plan
    ) -> None:
        """The stages from ``first_stage`` on, then all of them again while the repair rules find more.
        With the core, :meth:`_stages_on_core` runs them in one call, as here."""
        document = cleaning.document
        repair = [rules for stage, rules in stages if stage == "repair"]
        unrepairable = None  # a text the repair rules found nothing in
        for round_number in range(1, PIPELINE_ROUNDS + 1):
            for stage, rules in stages[first_stage:] if round_number == 1 else stages:
                # A removal moves other blocks into a rule's head or tail window, so
                # the strip stage runs again until it removes nothing more.
                passes = STRIP_PASSES if stage == "strip" else 1
                for number in range(passes):
                    # Only rules that look at position or at other blocks can find
                    # something new once lines are gone; a line rule for any line
                    # judges each line alone, and the lines left are the same.
                    todo = rules if number == 0 else plan.context_of(rules)
                    before = document.text
                    if not self._run_rules(todo, cleaning):
                        if stage == "repair":
                            unrepairable = before
                        break
            # Removing an invisible character or a stray control inside mojibake
            # completes it, and only then can ftfy repair it: the repair rules
            # look once more, and whatever they repair goes through every stage
            # (so the last round never ends with a repair no stage has seen). On the
            # very text they found nothing in (no stage changed it), they would find nothing again.
            if round_number == PIPELINE_ROUNDS or not repair or document.text is unrepairable:
                break
            if not self._run_rules(repair[0], cleaning):
                break

    def _stages_for(self, layout: str) -> tuple[list[tuple[str, list[Step]]], Plan]:
        """The stages under a ``layout`` (rules whose ``when`` asks for another one drop out) and their plan."""
        planned = self._layouts.get(layout)
        if planned is None:
            check_options({"layout": layout})
            options = {**self.options, "layout": layout}
            rules = [
                rule for rule in self.rules if rule.when.get("layout", layout) == layout and rule.kind != "extract"
            ]
            stages = staged_steps(spelled_for(rules, options), self.profile)
            plan = Plan(step for _, steps in stages for step in steps)
            planned = self._layouts[layout] = (stages, plan)
            self._before_last[layout] = [step for _, steps in stages[:-1] for step in steps]
        return planned

    def _stages_on_core(self, layout: str) -> Any | None:
        """The core's run of the stages under ``layout`` (``Stages``: :meth:`_run_rounds` in one call,
        each list of steps run by its plan's run, :meth:`Plan.native_run`), made once per layout; None
        where the plan has no runs (the Python engine, or a presence counted in Python)."""
        if layout not in self._on_core:
            stages, plan = self._stages_for(layout)
            spec = []
            for stage, steps in stages:
                context = plan.context_of(steps)
                run, context_run = plan.native_run(steps), plan.native_run(context)
                if (run is None and steps) or (context_run is None and context):
                    spec = None
                    break
                passes = STRIP_PASSES if stage == "strip" else 1
                spec.append((stage == "repair", passes, run, steps, context_run, context))
            self._on_core[layout] = None if spec is None else native_stages(spec, PIPELINE_ROUNDS, SCREEN)
        return self._on_core[layout]

    def up_to(self, stage: str) -> Pipeline:
        """This pipeline without ``stage`` and the stages after it (``up_to("strip")``: the text as the
        boilerplate rules see it, which is what a site profile counts)."""
        if stage not in STAGES:
            raise ValueError(f"stage must be one of {', '.join(STAGES)}, not {stage!r}")
        kept = [rule for rule in self.rules if STAGES.index(rule.stage) < STAGES.index(stage)]
        return Pipeline(
            kept,
            options=self.options,
            timeout=self.timeout,
            input_format=self.input_format,
            triggers=self.triggers,
            profile=self.profile,
        )

    def with_profile(self, profile: SiteProfile | None) -> Pipeline:
        """This pipeline with another site profile (None: none), for its ``site`` rules."""
        return Pipeline(
            self.rules,
            options=self.options,
            timeout=self.timeout,
            input_format=self.input_format,
            triggers=self.triggers,
            profile=profile,
        )

    def plan(self, layout: str | None = None) -> Plan:
        """The compiled plan of the steps that run under ``layout`` (default: the pipeline's), with their triggers."""
        return self._stages_for(layout or self.options["layout"])[1]

    def _run_rules(self, steps: Sequence[Step], cleaning: _Cleaning) -> int:
        """Evaluate ``steps`` in order on the document being cleaned; the number of replacements that changed it."""
        document, presence, timings = cleaning.document, cleaning.presence, cleaning.timings
        selecting = self.triggers == "on"
        # Steps whose trigger does not hold are never looked at: they cost nothing; nor are those
        # the core's screen finds nothing for.
        todo = (
            _screened(presence, presence.select(steps, document.text), document.text, timings)
            if selecting
            else [(i, s, ()) for i, s in enumerate(steps)]
        )
        changes = 0
        while todo:
            chosen, todo = todo, []
            for index, step, literals in chosen:
                if not document.text:
                    return changes
                applied = self._evaluate(step, literals, cleaning)
                changes += applied
                if selecting and applied:
                    # The new text may hold literals the old one did not: the rest of the steps are chosen again.
                    selected = presence.select(steps, document.text, index + 1)
                    todo = _screened(presence, selected, document.text, timings)
                    break
        return changes

    def _hand_off(self, cleaning: _Cleaning, steps: Sequence[Step], start: int, screened: bool) -> tuple[int, int]:
        """The step at ``start``, which the core's run of ``steps`` hands on (:meth:`Plan.native_run`),
        evaluated where its trigger holds, and its screen (the run's, where ``screened``; else the
        plan's) may find something; the number of replacements that changed the text, and the index
        of the step the run goes on from."""
        document, presence = cleaning.document, cleaning.presence
        step = steps[start]
        text = document.text
        literals = presence.allows(step, text)
        if literals is None or not (screened or _screened(presence, [(start, step, literals)], text, cleaning.timings)):
            return 0, start + 1
        if step.judges_lines_alone and len(text) >= LINE_PASS_CHARS:
            return self._evaluate_line_pass(start, steps, literals, cleaning)
        return self._evaluate(step, literals, cleaning), start + 1

    def _evaluate_line_pass(
        self, first: int, steps: Sequence[Step], literals: tuple[str, ...], cleaning: _Cleaning
    ) -> tuple[int, int]:
        """The step at ``first``, which judges lines alone, and those of its kind that follow it whose
        triggers hold and whose screen may find something, each found on the text as it is and applied in
        one pass (a :class:`LinePass`): one new version of a long text where each step made one. The number
        of replacements that changed the text, and the index of the step to go on from: past the row, or
        the first step whose removals the pass could not take, found again on the text the pass leaves."""
        document, presence, timings = cleaning.document, cleaning.presence, cleaning.timings
        text = document.text
        row = [(first, steps[first], literals)]
        after = first + 1
        while after < len(steps) and steps[after].judges_lines_alone:
            step = steps[after]
            words = presence.allows(step, text) if step.label not in cleaning.timed_out else None
            if words is not None:
                row.append((after, step, words))
            after += 1
        if len(row) > 1:
            row[1:] = _screened(presence, row[1:], text, timings)
        line_pass = LinePass(text)
        for index, step, words in row:
            found, seconds = self._found(step, words, cleaning)
            if step.label in cleaning.timed_out:
                continue  # counted as such
            taken = not found or line_pass.take(index, step, found)
            # A step not taken is evaluated again: this evaluation is not counted, its time is.
            _timing(timings, step.label).add(seconds, 0, evaluations=int(taken))
            if not taken:
                after = index
                break
        if not line_pass.taken:
            return 0, after
        started = time.monotonic()
        counts = line_pass.apply(document, presence.update)
        if counts is None:
            # An earlier edit spans a gap between two steps' removals: the first step alone, the others again.
            (_, step, found), (after, _, _) = line_pass.taken[:2]
            counts = [step.apply(document, found, self.timeout, presence.update)]
        spent = time.monotonic() - started  # the first step's, as if it made the pass
        for (_, step, _), count in zip(line_pass.taken, counts, strict=False):
            _timing(timings, step.label).add(spent, count, evaluations=0)
            spent = 0.0
        return sum(counts), after

    def _found(self, step: Step, literals: tuple[str, ...], cleaning: _Cleaning) -> tuple[Tagged, float]:
        """The step's replacements in the document's text and the seconds it took (none for a step that
        timed out, counted as such: it is not evaluated again on this document)."""
        if step.label in cleaning.timed_out:
            return [], 0.0
        document = cleaning.document
        site = document.metadata.get("site")  # see _evaluate
        started = time.monotonic()
        try:
            found = step.find(document.text, self.timeout, document.continues, literals, site)
        except TimeoutError:
            self._time_out(step, started, cleaning)
            return [], 0.0
        return found, time.monotonic() - started

    def _time_out(self, step: Step, started: float, cleaning: _Cleaning) -> None:
        """Records that ``step`` timed out on the document: it is skipped there from now on, with a warning."""
        cleaning.timed_out.add(step.label)
        spent = time.monotonic() - started
        cleaning.warnings.append(
            f"rule {step.label} timed out after {spent:.1f}s on {cleaning.name or 'the document'}; "
            "skipped there (raise the time limit with --timeout)"
        )
        _timing(cleaning.timings, step.label).add(spent, 0)

    def _evaluate(self, step: Step, literals: tuple[str, ...], cleaning: _Cleaning) -> int:
        """One step on the document, its time counted; the number of replacements that changed the
        text (0 for a step that timed out, which is not evaluated again on this document)."""
        label = step.label
        if label in cleaning.timed_out:
            return 0
        document, name = cleaning.document, cleaning.name
        text = document.text
        checking = self.triggers == "check"
        words = cleaning.presence.allows(step, text) if checking else literals
        site = document.metadata.get("site")  # set by run() for a document of a site, with a profile
        started = time.monotonic()
        try:
            found = step.find(text, self.timeout, document.continues, words or (), site)
            if checking:
                reference = step.find(text, self.timeout, document.continues, site=site)
                _check_trigger(step, text, found, words, reference, name)
            applied = step.apply(document, found, self.timeout, cleaning.presence.update) if found else 0
        except TimeoutError:
            self._time_out(step, started, cleaning)
            return 0
        _timing(cleaning.timings, label).add(time.monotonic() - started, applied)
        return applied

    def clean_many(
        self,
        items: Iterable[str | bytes | tuple[str | bytes, str | None] | tuple[str | bytes, str | None, str | None]],
        *,
        jobs: int = 1,
        chunksize: int = BATCH_DOCUMENTS,
        on_error: str = "raise",
        then: Callable[[Result], Any] | None = None,
    ) -> Iterator[Any]:
        """Clean many documents and yield their results in input order.

        An item is text, bytes, ``(data, name)``, ``(data, name, layout)`` or ``(data, name, layout, site)``
        (see :meth:`clean`). ``jobs > 1`` spreads the work
        over ``jobs`` processes, this one and ``jobs - 1`` workers, while only a
        bounded window of items is in flight, so memory stays flat on long
        inputs: the documents go at most ``chunksize`` at a time, fewer where
        they hold :data:`BATCH_CHARS` characters. With ``on_error="return"`` an input
        that cannot be cleaned yields its :class:`InputError` instead of raising.

        ``then``: each result is handed to it where it was made (with ``jobs > 1``,
        in a worker, or in this process for the first batch, which it cleans
        before the workers start, and for those it cleans between the workers'),
        and what it returns is yielded instead, so a worker
        sends back only what the caller keeps: ``then=operator.attrgetter("text")``
        yields the clean texts. With ``jobs > 1`` it must be picklable (a
        function of a module, not a lambda), as the pool may start its workers afresh.
        """
        if on_error not in ("raise", "return"):
            raise ValueError("on_error must be 'raise' or 'return'")
        work = ((*item, None, None)[:4] if isinstance(item, tuple) else (item, None, None, None) for item in items)
        if jobs <= 1:
            for data, name, layout, site in work:
                outcome = _clean_or_error(self, data, name, layout, site, then)
                if isinstance(outcome, InputError) and on_error == "raise":
                    raise outcome
                yield outcome
            return
        batches = batched(work, chunksize, budget=BATCH_CHARS, weight=_weight)
        # The first batch is cleaned here: the patterns its documents need are compiled once, and
        # workers forked after it start with them (else each compiles them anew). They are built
        # first on as many threads as there are jobs.
        for first in itertools.islice(batches, 1):
            self._prepare_for(first, threads=jobs)
            yield from _unwrap(_clean_batch_here(self, then, first), on_error)
        outcomes = bounded_map(
            _clean_batch_in_worker,
            batches,
            jobs=jobs,
            initializer=_install_worker,
            initargs=(self, then),
            here=partial(_clean_batch_here, self, then),
        )
        for batch, batch_outcomes in outcomes:
            yield from _unwrap(_with_sources(batch, batch_outcomes), on_error)

    def _prepare_for(
        self, batch: Sequence[tuple[str | bytes, str | None, str | None, str | None]], *, threads: int
    ) -> None:
        """Build on ``threads`` threads what the core needs for the steps whose triggers hold on the
        plain texts of ``batch`` (see :func:`cleantext.native.prepare_steps`). Bytes and pages
        are read only when cleaned: what their steps need is built then. The Python engine builds nothing ahead."""
        if ENGINE != "native":
            return
        steps: dict[int, Step] = {}
        for data, _name, layout, _site in batch:
            if not isinstance(data, str) or is_page(data, self.input_format):
                continue
            stages, plan = self._stages_for(layout or self.options["layout"])
            presence = plan.scan(data)
            for _stage, stage_steps in stages:
                steps.update((id(step), step) for _index, step, _literals in presence.select(stage_steps, data))
        prepare_steps(steps.values(), threads)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_pipeline,
            (self.rules, dict(self.options), self.timeout, self.input_format, self.triggers, self.profile),
        )

    def __repr__(self) -> str:
        return f"Pipeline({len(self.rules)} rules, options={dict(self.options)})"


def _weight(work: tuple[str | bytes, str | None, str | None, str | None]) -> int:
    return len(work[0])


def default_options() -> dict[str, str]:
    """Every pipeline option at its default value."""
    return {name: values[0] for name, values in OPTIONS.items()}


def check_options(options: Mapping[str, str]) -> None:
    """Raise :class:`RuleError` for an unknown option or value."""
    for name, value in options.items():
        if name not in OPTIONS:
            raise RuleError(f"unknown option {name!r}; known options: {', '.join(OPTIONS)}")
        if value not in OPTIONS[name]:
            raise RuleError(f"option {name} must be one of {', '.join(OPTIONS[name])}, not {value!r}")


def extraction_time_limit(timeout: float | None, size: int) -> float | None:
    """Seconds the extraction of a page of ``size`` characters may take under a rule ``timeout``.

    trafilatura parses a page three times and runs its own heuristics, so it
    gets :data:`EXTRACT_TIMEOUT_FACTOR` times the rule limit per million
    characters, at most :data:`EXTRACT_TIMEOUT_CAP` times it: 10 s to 60 s
    with the default of 2 s. The benchmarks' pages take 0.05 s (median) to 0.5 s.

    >>> extraction_time_limit(2.0, 300_000), extraction_time_limit(2.0, 3_000_000), extraction_time_limit(2.0, 10**8)
    (10.0, 30.0, 60.0)
    """
    if timeout is None:
        return None
    return min(timeout * EXTRACT_TIMEOUT_FACTOR * max(1.0, size / TIMEOUT_CHARS), timeout * EXTRACT_TIMEOUT_CAP)


class _Cleaning:
    """One document as :meth:`Pipeline.run` cleans it: what the run loop's calls share."""

    __slots__ = ("document", "name", "presence", "timed_out", "timings", "warnings")

    def __init__(
        self,
        document: Document,
        name: str | None,
        warnings: list[str],
        timings: dict[str, StepTiming],
        presence: Presence,
    ) -> None:
        self.document = document
        self.name = name
        self.warnings = warnings  # the run's, which it returns
        self.timings = timings
        self.presence = presence
        self.timed_out: set[str] = set()  # rules skipped on this document after a time-out


def _timing(timings: dict[str, StepTiming], label: str) -> StepTiming:
    entry = timings.get(label)
    if entry is None:
        entry = timings[label] = StepTiming()
    return entry


def _screened(
    presence: Presence, selected: list[Selected], text: str, timings: dict[str, StepTiming]
) -> list[Selected]:
    """The selected steps the plan's screen keeps (:meth:`Plan.screen`), its time counted as the ``screen`` step's."""
    if not presence.plan.screening or not selected:
        return selected
    started = time.perf_counter()
    kept = presence.plan.screen(selected, text, presence)
    _timing(timings, SCREEN).add(time.perf_counter() - started, 0)
    return kept


def _may_change(presence: Presence, selected: list[Selected], text: str, timings: dict[str, StepTiming]) -> bool:
    """Whether the plan's screen keeps any of the selected steps (:meth:`Plan.may_change`), its time
    counted as the ``screen`` step's."""
    if not presence.plan.screening or not selected:
        return bool(selected)
    started = time.perf_counter()
    may = presence.plan.may_change(selected, text)
    _timing(timings, SCREEN).add(time.perf_counter() - started, 0)
    return may


def _check_trigger(
    step: Step,
    text: str,
    found: list[tuple[int, int, str, RuleRef]],
    words: tuple[str, ...] | None,
    reference: list[tuple[int, int, str, RuleRef]],
    name: str | None,
) -> None:
    """Raise :class:`TriggerMissed` if the trigger skipped a step, or a line, where it changes the text."""
    changing = [(start, end, new) for start, end, new, _ in reference if text[start:end] != new]
    if words is None and changing:
        start, end, new = changing[0]
        raise TriggerMissed(
            f"{step.label}: trigger did not hold on {name or 'the document'}, "
            f"yet it replaces {text[start:end]!r} with {new!r} at {start}"
        )
    if words and found != reference:
        raise TriggerMissed(
            f"{step.label}: the literals {list(words)} skipped a line or block it changes, in {name or 'the document'}"
        )


def _rebuild_pipeline(
    rules: tuple[Rule, ...],
    options: dict[str, str],
    timeout: float | None,
    input_format: str,
    triggers: str,
    profile: SiteProfile | None = None,
) -> Pipeline:
    return Pipeline(
        rules, options=options, timeout=timeout, input_format=input_format, triggers=triggers, profile=profile
    )


def _extract(document: Document, timeout: float | None, removals_on: frozenset[str]) -> None:
    """Reduce an HTML ``document`` to its article body, with edits that say what went.

    The headline repeated as the first paragraph goes too where its rule
    (``extract.title``) is in ``removals_on``, and the short paragraphs a
    precision-favouring run does not confirm where ``extract.unconfirmed`` is.
    """
    article = extract_article_within(document.text, timeout, confirm=UNCONFIRMED.id in removals_on)
    locate_text(document, article.body)
    document.metadata.update(article.metadata)
    # The body has one paragraph per block, so block i is paragraph i.
    blocks = block_spans(document.text)
    removals = [(index, UNCONFIRMED) for index in article.doubtful if index != article.title]
    if article.title is not None and TITLE.id in removals_on:
        removals.append((article.title, TITLE))
    document.apply_tagged(
        (*block_removal_span(document.text, blocks, index), "", rule) for index, rule in sorted(removals)
    )


_worker_pipeline: Pipeline | None = None
_worker_then: Callable[[Result], Any] | None = None


def _install_worker(pipeline: Pipeline, then: Callable[[Result], Any] | None = None) -> None:
    global _worker_pipeline, _worker_then
    _worker_pipeline, _worker_then = pipeline, then


def _clean_or_error(
    pipeline: Pipeline,
    data: str | bytes,
    name: str | None,
    layout: str | None = None,
    site: str | None = None,
    then: Callable[[Result], Any] | None = None,
) -> Any:
    try:
        result = pipeline.clean(data, name=name, layout=layout, site=site)
    except InputError as error:
        return error
    return result if then is None else then(result)


def run_window_in_worker(window: tuple[str, tuple[bool, bool], str | None]) -> tuple[Document, list[str]]:
    """Clean one window, ``(source, continues, name)``, of a long document in a worker (:mod:`cleantext.windows`)."""
    assert _worker_pipeline is not None, "worker started without a pipeline"
    return run_window(_worker_pipeline, window)


def run_window(pipeline: Pipeline, window: tuple[str, tuple[bool, bool], str | None]) -> tuple[Document, list[str]]:
    """Clean one window, ``(source, continues, name)``, of a long document: its document and warnings."""
    source, continues, name = window
    document = Document(source, continues=continues)
    return document, pipeline.run(document, name=name)


def _clean_batch_in_worker(
    batch: list[tuple[str | bytes, str | None, str | None, str | None]],
) -> list[Any]:
    assert _worker_pipeline is not None, "worker started without a pipeline"
    outcomes = _clean_batch_here(_worker_pipeline, _worker_then, batch)
    # The source of a result for a text is that text, which the parent holds: it is not sent back.
    return [
        outcome.without_source() if isinstance(outcome, Result) and outcome.source is data else outcome
        for (data, *_), outcome in zip(batch, outcomes, strict=True)
    ]


def _clean_batch_here(
    pipeline: Pipeline,
    then: Callable[[Result], Any] | None,
    batch: list[tuple[str | bytes, str | None, str | None, str | None]],
) -> list[Any]:
    """A batch of ``clean_many`` cleaned with ``pipeline``: in its own process (the first, and those it
    takes between the workers'), or in a worker (:func:`_clean_batch_in_worker`)."""
    return [_clean_or_error(pipeline, *item, then) for item in batch]


def _with_sources(
    batch: list[tuple[str | bytes, str | None, str | None, str | None]], outcomes: list[Any]
) -> list[Any]:
    """A worker's ``outcomes`` for ``batch``, each result's source put back (see :func:`_clean_batch_in_worker`)."""
    return [
        outcome.with_source(data) if isinstance(outcome, SourcelessResult) and isinstance(data, str) else outcome
        for (data, *_), outcome in zip(batch, outcomes, strict=True)
    ]


def _unwrap(outcomes: list[Any], on_error: str) -> Iterator[Any]:
    for outcome in outcomes:
        if isinstance(outcome, InputError) and on_error == "raise":
            raise outcome
        yield outcome


@lru_cache(maxsize=1)
def _default_pipeline() -> Pipeline:
    return Pipeline.load()


def clean(
    data: str | bytes, *, name: str | None = None, encoding: str | None = None, input_format: str | None = None
) -> Result:
    """Clean one document (plain text or an HTML page) with the default pipeline.

    >>> clean("Kyiv\\u00a0\\u2014 \\u201cquoted\\u201d   \\n\\n\\n\\nnext").text
    'Kyiv \\u2014 "quoted"\\n\\nnext\\n'
    """
    return _default_pipeline().clean(data, name=name, encoding=encoding, input_format=input_format)
