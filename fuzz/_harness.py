"""Shared checks of the fuzz targets (imported after cleantext is instrumented).

``check(pipeline, result, data)`` asserts the provenance contract (invariants
1-3, 5) and idempotence (invariant 4) on one result. ``known(error)`` and
``skip_known(name, detail)`` let a long run go past a crash that is reported
but not fixed yet, when ``FUZZ_IGNORE_KNOWN=1``; by default every crash stops
the run. Add an entry to ``KNOWN`` when a crash is reported, remove it when
its fix lands.
"""

from __future__ import annotations

import os
import sys
from collections import Counter

from cleantext.emit import Result
from cleantext.pipeline import Pipeline
from cleantext.testing import assert_provenance

IGNORE_KNOWN = os.environ.get("FUZZ_IGNORE_KNOWN") == "1"
_seen: Counter[str] = Counter()


def check(pipeline: Pipeline, result: Result, data: str | bytes, **options: str) -> None:
    """Provenance invariants on ``result`` (of ``pipeline.clean(data, **options)``); then cleaning
    its text again (as text) changes nothing."""
    assert_provenance(result)
    second = pipeline.clean(result.text, input_format="text")
    assert_provenance(second)
    if second.text != result.text or second.edits:
        rules = sorted({edit.rule for edit in second.edits})
        raise AssertionError(
            f"cleaning twice changed the text (second-pass rules: {rules}): {result.text!r} -> {second.text!r}; "
            f"edits: {[edit.to_dict() for edit in second.edits]}"
        )


# Crashes reported but not fixed yet: (short name, exception type, text its message contains), e.g.
# ("decode-binary-codec", LookupError, "is not a text encoding"). Empty: every crash found so far is
# fixed (fuzz/README.md, "Crashes found").
EXPECTED_FAILURES = ("extracting the article took longer than", "no article found among")
"""How a page may legitimately fail (InputError reasons): past the extraction's time limit, or text but no article."""

KNOWN: tuple[tuple[str, type[BaseException], str], ...] = ()


def known(error: BaseException) -> bool:
    """Whether ``error`` is a known, reported crash and known crashes are being skipped."""
    if not IGNORE_KNOWN:
        return False
    for name, kind, text in KNOWN:
        if isinstance(error, kind) and text in str(error):
            _note(name, f"{type(error).__name__}: {error}")
            return True
    return False


def skip_known(name: str, detail: str) -> bool:
    """Whether a failed check that a target recognised as known crash ``name`` is to be skipped."""
    if IGNORE_KNOWN:
        _note(name, detail)
    return IGNORE_KNOWN


def _note(name: str, detail: str) -> None:
    _seen[name] += 1
    count = _seen[name]
    if count == 1:
        print(f"fuzz: skipping known crash {name}: {detail[:300]}", file=sys.stderr)
    elif count & (count - 1) == 0:  # 2, 4, 8 ...: the counts show in the log without flooding it
        print(f"fuzz: known crash {name} skipped {count} times", file=sys.stderr)
