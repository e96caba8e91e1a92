"""Every code example in README.md and docs/*.md runs as written.

The convention the documents follow:
- ```python blocks are executed, each on its own, in a temporary folder;
- ```sh blocks run with ``bash -euo pipefail`` there, the ``cleantext`` command on PATH;
- a ```toml block whose first line is ``# file: NAME`` is written to NAME before the document's blocks run;
- a block right after ``<!-- not run: REASON -->`` is skipped (the set-up commands, which CI runs itself);
- other blocks (console, text, json) are shown, not run.
The folder holds the fixtures below: the seeds, a short article, a page and a JSON Lines file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(?P<skip><!-- not run: [^>]*-->\n+)?^```(?P<lang>[\w-]*)\n(?P<code>.*?)^```$", re.M | re.S)

ARTICLE = """\
Storm floods coastal towns

By Jane Doe

The storm reached the coast on Monday night, bringing winds of 120 km/h and heavy rain.
Emergency services rescued dozens of people from flooded homes, officials said.

Sign up for our newsletter to get the latest news in your inbox.

Forecasters expect temperatures of -2C by Thursday.
"""

PAGE = """\
<html><head><title>Storm floods coastal towns</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article><h1>Storm floods coastal towns</h1>
<p>The storm reached the coast on Monday night, bringing winds of 120 km/h and heavy rain to the towns along
the shore, where many streets were under water by the morning.</p>
<p>Emergency services said they had rescued dozens of people from flooded homes and that more rain was expected
later in the week, with rivers still rising in the hills.</p></article>
<footer>Copyright 2026 Example News. All rights reserved.</footer></body></html>
"""

RECORDS = [
    {"url": "https://example.com/a", "text": "By Jane Doe\n\nThe council met on Monday.\u00a0It voted  twice.\n"},
    {"url": "https://example.com/b", "text": "President Zelensky spoke in Kyiv.\n\nShare this article\n"},
]


def _blocks(document: Path) -> list[tuple[str, str, bool]]:
    return [
        (match["lang"], match["code"], bool(match["skip"]))
        for match in BLOCK.finditer(document.read_text(encoding="utf-8"))
    ]


def _runnable() -> list[tuple[Path, int]]:
    cases = []
    for document in DOCUMENTS:
        for number, (lang, _, skipped) in enumerate(_blocks(document)):
            if lang in ("python", "sh") and not skipped:
                cases.append((document, number))
    return cases


def _workspace(folder: Path, document: Path) -> None:
    (folder / "seeds").mkdir()
    for seed in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(seed, folder / "seeds" / seed.name)
    (folder / "article.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "page.html").write_text(PAGE, encoding="utf-8")
    (folder / "articles.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    for lang, code, _ in _blocks(document):
        first, _, _rest = code.partition("\n")
        if lang == "toml" and first.startswith("# file: "):
            (folder / first.removeprefix("# file: ").strip()).write_text(code, encoding="utf-8")


def test_the_documents_have_examples_and_the_readme_starts_with_the_two_set_up_commands():
    assert len(_runnable()) >= 10
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 320, "the README is a manual of about 300 lines"
    blocks = _blocks(ROOT / "README.md")
    setup, tests = blocks[0][1].strip(), blocks[1][1].strip()
    assert "pip install" in setup and "cleantext clean seeds/" in setup
    assert tests in (ROOT / ".ci" / "run").read_text(encoding="utf-8"), ".ci/run runs the README's test command"


@pytest.mark.parametrize(
    ("document", "number"), _runnable(), ids=lambda value: value.name if isinstance(value, Path) else str(value)
)
def test_the_example_runs(document: Path, number: int, tmp_path: Path):
    _workspace(tmp_path, document)
    lang, code, _ = _blocks(document)[number]
    environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [sys.executable, "-c", code] if lang == "python" else ["bash", "-euo", "pipefail", "-c", code]
    completed = subprocess.run(
        command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=300, check=False
    )
    assert completed.returncode == 0, f"{document.name}, block {number}:\n{code}\n{completed.stderr[-3000:]}"
