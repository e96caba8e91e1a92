#!/usr/bin/env python3
"""Fuzz target: arbitrary bytes through decode, extract (when they look like HTML) and clean.

Run: python fuzz/fuzz_clean.py /tmp/fuzzcorpus/clean fuzz/corpus/clean -dict=fuzz/html.dict \
         -max_total_time=1200 -rss_limit_mb=4096 -timeout=20

Checks, for every input: ``Pipeline.clean(data)`` with ``input_format="auto"``
either raises :class:`cleantext.errors.InputError` (undecodable or binary bytes)
or returns a result that keeps the provenance contract
(:func:`cleantext.testing.assert_provenance`) and is idempotent: cleaning
``result.text`` again as text gives the same text and no edits. Any other
exception or failed assertion is a crash.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["cleantext"]):
    from cleantext.errors import InputError
    from cleantext.pipeline import Pipeline

import trafilatura  # noqa: F401  (imported once here, not on the first HTML input; not instrumented)
from _harness import check, known

PIPELINE = Pipeline.load(input_format="auto")


def TestOneInput(data: bytes) -> None:
    try:
        try:
            result = PIPELINE.clean(data, name="fuzz")
        except InputError:
            return
        check(PIPELINE, result, data, name="fuzz")
    except Exception as error:
        if known(error):
            return
        raise


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
