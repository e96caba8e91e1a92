"""Check rules against their own examples.

An example runs through a pipeline of the rule, the other rules of its pack that
are on under the example's options, and the whitespace pack (the canonical
layout every output has): what a user of the pack gets. It passes when the
output matches and the rule itself fired exactly when the example says so.

Example::

    >>> from cleantext.rules import load_packs
    >>> pack = load_packs(["typography"])
    >>> [problem for rule in pack for problem in check_rule_examples(rule, pack)]
    []
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from cleantext.pipeline import Pipeline, TriggerMissed, default_options
from cleantext.rules import STAGES, Example, Rule, load_packs
from cleantext.sites import SiteProfile

EXAMPLE_SITE = "example.com"
"""The site an example with ``pages`` comes from."""

__all__ = ["check_rule_examples", "run_example"]


@lru_cache(maxsize=1)
def _layout_rules() -> tuple[Rule, ...]:
    return tuple(load_packs(["whitespace"]))


def run_example(
    rule: Rule, example: Example, pack: Sequence[Rule] = (), *, triggers: str = "check"
) -> tuple[str, bool]:
    """The output of an example and whether ``rule`` took part in any edit.

    ``pack`` is the rules of the rule's own pack, which run with it where they are on.
    ``triggers="check"`` (the default) evaluates every step and raises
    :class:`~cleantext.pipeline.TriggerMissed` where a step's trigger would
    have skipped a change: every example proves its rule's trigger necessary.
    """
    options = {**default_options(), **example.options}
    companions = {r.id: r for r in (*_layout_rules(), *pack) if r.active_under(options)}
    companions[rule.id] = rule
    rules = sorted(companions.values(), key=lambda r: STAGES.index(r.stage))
    # A site rule's example brings the other pages of its site: they and the input make its profile.
    pages = (*example.pages, example.input)
    profile = SiteProfile.of((EXAMPLE_SITE, page) for page in pages) if example.pages else None
    pipeline = Pipeline(rules, options=options, timeout=None, triggers=triggers, profile=profile)
    result = pipeline.clean(example.input, site=EXAMPLE_SITE if example.pages else None)
    fired = any(rule.id in edit.rules for edit in result.edits)
    return result.text, fired


def check_rule_examples(rule: Rule, pack: Sequence[Rule] = ()) -> list[str]:
    """One message per failing example of ``rule`` (run with its ``pack``); empty when all pass."""
    problems = []
    for number, example in enumerate(rule.examples, 1):
        try:
            output, fired = run_example(rule, example, pack)
        except TriggerMissed as error:
            problems.append(f"example {number}: {error}")
            continue
        if output != example.output:
            problems.append(f"example {number}: expected {example.output!r}, got {output!r}")
        elif fired != example.fires:
            verb = "fired" if fired else "did not fire"
            problems.append(
                f"example {number}: the rule {verb}, but the example says fires = {str(example.fires).lower()}"
            )
    return problems
