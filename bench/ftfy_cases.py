"""ftfy's own test cases through the full cleantext pipeline: how many come out right.

A case is right when cleaning its ``original`` gives the same text as
cleaning its expected repair with the repair pack off, i.e. the repair is
correct up to the canonical style. The expected repair is ``fixed`` (all of
ftfy's fixes) or ``fixed-encoding`` (the encoding repair alone), whichever
matches, since cleantext runs some of ftfy's other fixes (ligatures) and not
others (character width). For the negative cases both are the original text
(but for one C1 control character), so they are right when the repair pack
leaves them alone.

Usage: ``python bench/ftfy_cases.py [--show-misses]``
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cleantext.pipeline import Pipeline

CASES = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "ftfy-test-cases"
FILES = ("in-the-wild", "synthetic", "language-names", "negative", "known-failures")


def is_right(case: dict[str, str], full: Pipeline, without_repair: Pipeline) -> bool:
    """Whether cleaning the case's original gives its expected repair, up to the canonical style."""
    expected = {case["fixed"], case.get("fixed-encoding", case["fixed"])}
    return full.clean(case["original"]).text in {without_repair.clean(text).text for text in expected}


def main() -> None:
    """Print one row per case file: cases, right, and the share."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    full = Pipeline.load()
    without_repair = Pipeline.load(disable=["repair"])
    print("| file | cases | right | share |")
    print("| --- | ---: | ---: | ---: |")
    for name in FILES:
        cases = json.loads((args.cases / f"{name}.json").read_text(encoding="utf-8"))
        misses = [c for c in cases if not is_right(c, full, without_repair)]
        right = len(cases) - len(misses)
        print(f"| {name} | {len(cases)} | {right} | {right / len(cases):.3f} |")
        if args.show_misses:
            for case in misses:
                print(
                    f"|   miss: {case['label']} | {case['original'][:60]!r} "
                    f"| -> {full.clean(case['original']).text[:60]!r} |"
                )


if __name__ == "__main__":
    main()
