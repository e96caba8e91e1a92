"""ftfy's own test cases through the full cleantext pipeline: how many come out right.

A case is right when cleaning its ``original`` gives the same text as
cleaning its expected repair with the repair pack off, i.e. the repair is
correct up to the canonical style. The expected repair is ``fixed`` (all of
ftfy's fixes) or ``fixed-encoding`` (the encoding repair alone), whichever
matches, since cleantext runs some of ftfy's other fixes (ligatures) and not
others (character width). For the negative cases both are the original text
(but for one C1 control character), so they are right when the repair pack
leaves them alone.

Usage: ``python bench/ftfy_cases.py [--show-misses] [--json FILE]``
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from cleantext.pipeline import Pipeline

CASES = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "ftfy-test-cases"
FILES = ("in-the-wild", "synthetic", "language-names", "negative", "known-failures")


def is_right(case: dict[str, str], full: Pipeline, without_repair: Pipeline) -> bool:
    """Whether cleaning the case's original gives its expected repair, up to the canonical style."""
    expected = {case["fixed"], case.get("fixed-encoding", case["fixed"])}
    return full.clean(case["original"]).text in {without_repair.clean(text).text for text in expected}


TABLE_HEAD = ("| file | cases | right | share |", "| --- | ---: | ---: | ---: |")


def table_row(name: str, cases: int, right: int) -> str:
    """One case file's row of the Markdown table."""
    return f"| {name} | {cases} | {right} | {right / cases:.3f} |"


def cases_table(rows: list[dict[str, Any]]) -> str:
    """The Markdown table of ``rows`` as ``--json`` writes them (``file``, ``cases``, ``right``)."""
    return "\n".join([*TABLE_HEAD, *(table_row(row["file"], row["cases"], row["right"]) for row in rows)])


def main(argv: list[str] | None = None) -> int:
    """Print one row per case file: cases, right, and the share."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the counts and misses as JSON")
    args = parser.parse_args(argv)
    full = Pipeline.load()
    without_repair = Pipeline.load(disable=["repair"])
    print("\n".join(TABLE_HEAD))
    rows = []
    for name in FILES:
        cases = json.loads((args.cases / f"{name}.json").read_text(encoding="utf-8"))
        misses = [
            {"label": c["label"], "original": c["original"], "output": full.clean(c["original"]).text}
            for c in cases
            if not is_right(c, full, without_repair)
        ]
        right = len(cases) - len(misses)
        print(table_row(name, len(cases), right))
        if args.show_misses:
            for miss in misses:
                print(f"|   miss: {miss['label']} | {miss['original'][:60]!r} | -> {miss['output'][:60]!r} |")
        rows.append({"file": name, "cases": len(cases), "right": right, "misses": misses})
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
