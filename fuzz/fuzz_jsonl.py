#!/usr/bin/env python3
"""Fuzz target: arbitrary bytes as JSON Lines, each text record cleaned.

Run: python fuzz/fuzz_jsonl.py /tmp/fuzzcorpus/jsonl fuzz/corpus/jsonl -dict=fuzz/jsonl.dict \
         -max_total_time=1200 -rss_limit_mb=4096 -timeout=20

Checks: :func:`cleantext.inputs.read_jsonl_records` never raises (its contract:
every bad line becomes an error record), each record has either a text or an
error, blank lines give no record and line numbers rise; the streaming form
(an iterable of lines, as the CLI reads a file) agrees with the whole-bytes form;
each text is cleaned (``input_format="auto"``, so a record holding a page goes
through extract too) without an exception, and the result keeps the provenance
contract and is idempotent. The first input byte chooses the text field:
``text`` or the dotted ``meta.body``.
"""

from __future__ import annotations

import io
import sys

import atheris

with atheris.instrument_imports(include=["cleantext"]):
    from cleantext.errors import InputError
    from cleantext.inputs import read_jsonl_records
    from cleantext.pipeline import Pipeline

import trafilatura  # noqa: F401
from _harness import EXPECTED_FAILURES, check, known

PIPELINE = Pipeline.load(input_format="auto")


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    field = "meta.body" if data[0] & 1 else "text"
    data = data[1:]
    try:
        records = list(read_jsonl_records(data, "fuzz.jsonl", field))
        streamed = list(read_jsonl_records(io.BytesIO(data), "fuzz.jsonl", field))
    except Exception as error:
        if known(error):
            return
        raise

    # Error messages may differ (the streamed line keeps its "\n"); lines and texts may not.
    assert [(r.line, r.text, r.error is None) for r in streamed] == [
        (r.line, r.text, r.error is None) for r in records
    ], "streaming and whole-bytes reading disagree"
    previous = 0
    for record in records:
        assert record.line > previous, "line numbers do not rise"
        previous = record.line
        assert (record.text is None) != (record.error is None), "a record needs a text or an error, not both"
        if record.error is not None:
            assert record.error.startswith(f"fuzz.jsonl:{record.line}: "), record.error
            continue
        assert isinstance(record.record, dict) and isinstance(record.text, str)
        try:
            check(PIPELINE, PIPELINE.clean(record.text), record.text)
        except InputError as error:
            if error.reason.startswith(EXPECTED_FAILURES):
                continue  # a record that is a page may have no article, or outlast the time limit
            raise
        except Exception as error:
            if known(error):
                continue
            raise


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
