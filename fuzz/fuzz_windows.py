#!/usr/bin/env python3
"""Fuzz target: arbitrary text cleaned in windows, against the same text cleaned whole.

Run: python fuzz/fuzz_windows.py /tmp/fuzzcorpus/windows fuzz/corpus/clean -dict=fuzz/html.dict \
         -max_total_time=1200 -rss_limit_mb=4096 -timeout=20

The first byte picks the window size (1 to 256 characters, so that a short
input is cut many times); the rest, decoded as UTF-8 with U+FFFD for broken
bytes, is the text. Checks: ``Pipeline.clean_windows`` raises nothing; the
windows' offsets follow on from each other; their edits, put together, keep
the provenance contract over the whole text (:func:`cleantext.testing.assert_provenance`);
and the clean text equals the text cleaned whole. The pipeline leaves out
what looks further than a window by design (the documented differences): the
``offtopic`` and ``repeats`` packs, and the rules for a document's head or
tail, which windows this short cut off from most of the text.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["cleantext"]):
    from cleantext.emit import Result
    from cleantext.pipeline import Pipeline
    from cleantext.testing import assert_provenance

from _harness import known

_FAR_SIGHTED = [rule.id for rule in Pipeline.load().rules if rule.where.parts and not rule.id.startswith("whitespace.")]
PIPELINE = Pipeline.load(disable=["offtopic", "repeats", *_FAR_SIGHTED], input_format="text")


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    window_chars = data[0] + 1
    text = data[1:].decode("utf-8", errors="replace")
    try:
        windows = list(PIPELINE.clean_windows(text, window_chars=window_chars))
        source_at = output_at = 0
        for window in windows:
            assert (window.source_start, window.output_start) == (source_at, output_at), "windows do not follow on"
            source_at += len(window.result.source)
            output_at += len(window.text)
        assert source_at == len(text), "the windows do not cover the text"
        edits = tuple(edit for window in windows for edit in window.edits())
        joined = Result(source=text, text="".join(window.text for window in windows), edits=edits)
        assert_provenance(joined, text)
        whole = PIPELINE.clean(text)
        if joined.text != whole.text:
            raise AssertionError(f"window_chars={window_chars}: {whole.text!r} whole, {joined.text!r} in windows")
    except Exception as error:
        if known(error):
            return
        raise


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
