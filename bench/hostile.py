"""Hostile inputs: wall time and peak memory of ``cleantext clean`` on inputs built to exhaust it.

Cases, each run once as its own ``cleantext clean FILE -o OUT`` process:

- compression bombs: ``--bomb-mb`` MB of zeros as gzip, xz and zstd (a few
  kilobytes to a few megabytes each), refused as binary on their first bytes;
- a small archive of long text: ``--text-mb`` MB of article paragraphs as
  zstd, cleaned in windows because its unpacked size decides;
- a page of ``--elements`` ``<p>`` elements: extraction runs in its worker
  process under the time limit (``--timeout`` per MB of HTML) and ends with a
  clean result or a failure naming the page.

Peak memory is the largest resident set of the cleantext process and its
extraction worker (the children's rusage of a small wrapper process, or
``/usr/bin/time -v``). The outcome column is the exit status and the first
line cleantext wrote to stderr.

Run: ``python bench/hostile.py`` (``--quick`` for small sizes).
"""

from __future__ import annotations

import argparse
import gzip
import json
import lzma
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

import zstandard

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memory import cleantext_command, peak_command, read_peak, time_works
from scaling import article_pool, human_size, markdown_table

CHUNK = 1 << 20


@dataclass(frozen=True)
class Outcome:
    """One hostile input and what cleantext did with it."""

    case: str
    input_bytes: int
    unpacked_bytes: int
    seconds: float
    peak_kb: int
    exit_code: int
    message: str


def write_zeros(path: Path, megabytes: int) -> int:
    """``megabytes`` MB of zeros, compressed by the file's suffix; returns the unpacked size."""
    with path.open("wb") as raw, _compressor(path.suffix, raw) as packed:
        zeros = bytes(CHUNK)
        for _ in range(megabytes):
            packed.write(zeros)
    return megabytes * CHUNK


def _compressor(suffix: str, raw: BinaryIO) -> BinaryIO:
    if suffix == ".gz":
        return gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1)  # type: ignore[return-value]
    if suffix == ".xz":
        return lzma.LZMAFile(raw, "wb", preset=0)  # type: ignore[return-value]
    return zstandard.ZstdCompressor(level=1).stream_writer(raw, closefd=False)  # type: ignore[return-value]


def write_packed_text(path: Path, megabytes: int) -> int:
    """Article paragraphs to ``megabytes`` MB, as zstd; returns the unpacked size."""
    pool = article_pool()
    size = 0
    with zstandard.ZstdCompressor(level=3).stream_writer(path.open("wb")) as packed:
        index = 0
        while size < megabytes * CHUNK:
            data = (pool[index % len(pool)].strip() + "\n\n").encode()
            packed.write(data)
            size += len(data)
            index += 1
    return size


def write_page(path: Path, elements: int) -> int:
    """An HTML page of ``elements`` short paragraphs; returns its size."""
    with path.open("w", encoding="utf-8") as page:
        page.write("<html><body>")
        for number in range(elements):
            page.write(f"<p>Paragraph {number} of a page built to be long.</p>")
        page.write("</body></html>")
    return path.stat().st_size


def run(case: str, source: Path, unpacked: int, method: str, extra: Sequence[str] = ()) -> Outcome:
    """``cleantext clean source -o out -q`` once: wall time, peak RSS, exit code and first message."""
    out, report = source.with_name("out.txt"), source.with_name("peak.rss")
    command = [*cleantext_command(), "clean", str(source), "-o", str(out), "-q", *extra]
    start = time.perf_counter()
    done = subprocess.run(peak_command(command, report, method), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    peak = read_peak(report, method)
    out.unlink(missing_ok=True)
    report.unlink()
    message = next(iter(done.stderr.splitlines()), "").removeprefix("cleantext: ").replace(f"{source}: ", "")
    outcome = Outcome(case, source.stat().st_size, unpacked, seconds, peak, done.returncode, message)
    print(f"{case}: {seconds:.1f} s, {peak / 1024:.0f} MB, exit {done.returncode} {message}", file=sys.stderr)
    return outcome


def measure(bomb_mb: int, text_mb: int, elements: int, timeout: float | None) -> list[Outcome]:
    """Every case, in a temporary folder."""
    method = "time -v" if time_works() else "getrusage"
    outcomes = []
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        for suffix in (".gz", ".xz", ".zst"):
            bomb = here / f"zeros.txt{suffix}"
            unpacked = write_zeros(bomb, bomb_mb)
            outcomes.append(run(f"{human_size(unpacked)} of zeros as {suffix[1:]}", bomb, unpacked, method))
            bomb.unlink()
        packed = here / "long.txt.zst"
        unpacked = write_packed_text(packed, text_mb)
        outcomes.append(run(f"{human_size(unpacked)} of text as zstd", packed, unpacked, method))
        packed.unlink()
        page = here / "page.html"
        size = write_page(page, elements)
        extra = ["--timeout", str(timeout)] if timeout is not None else []
        outcomes.append(run(f"a page of {elements:,} <p> elements", page, size, method, extra))
    return outcomes


def table(outcomes: Sequence[Outcome]) -> str:
    """The outcomes as a Markdown table."""
    rows = [
        (
            o.case,
            human_size(o.input_bytes),
            human_size(o.unpacked_bytes),
            f"{o.seconds:.1f}",
            f"{o.peak_kb / 1024:.0f}",
            f"{o.exit_code}: {o.message}" if o.message else str(o.exit_code),
        )
        for o in outcomes
    ]
    headers = ("input", "file", "unpacked", "seconds", "peak MB", "exit and message")
    return markdown_table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    """Measure every case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: 64 MB bombs, 2 MB of text, 20,000 elements")
    parser.add_argument("--bomb-mb", type=int, default=2048, help="megabytes of zeros in each bomb (default 2048)")
    parser.add_argument("--text-mb", type=int, default=20, help="megabytes of packed text (default 20)")
    parser.add_argument("--elements", type=int, default=1_000_000, help="<p> elements of the page (default 1,000,000)")
    parser.add_argument("--timeout", type=float, help="cleantext's --timeout (default: its own)")
    parser.add_argument("--json", metavar="FILE", help="also write the outcomes as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.bomb_mb, args.text_mb, args.elements = 64, 2, 20_000
    outcomes = measure(args.bomb_mb, args.text_mb, args.elements, args.timeout)
    print(table(outcomes))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(o) for o in outcomes], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
