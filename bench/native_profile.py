"""Where a document's time goes: a sampling profile of the default pipeline, by part of the work.

Cleans the throughput corpus (the documents of ``bench/throughput.py``, held in
memory, decoded anew for each pass) over and over in one process under
``perf record`` with DWARF call stacks, and counts each sample toward the part
of the work its stack is in: the innermost frame that names a part wins (a
search inside the screen counts as the screen's; Python running inside a
call of the core, such as ``Document.apply_tagged``, counts as the core
function that called it). The table gives each part's share of the samples
and its microseconds per document (the share of the measured time per
document, which the clean loop times itself). Timings on these machines drift
by a tenth from one minute to the next; the shares drift far less.

The core is built once more with debugging information (``CARGO_PROFILE_RELEASE_DEBUG``)
into a folder of its own, so that the functions the compiler inlined are seen
in the stacks; ``--installed`` profiles the installed core instead (its
inlined functions then count toward their callers).

``--instructions`` counts instructions instead, under valgrind's callgrind,
which gives the same count from one run to the next where timings drift: the
corpus (``--mb``, 1 by default there) is cleaned once to warm up and then
once more, and a run that stops after the warm-up is subtracted. It gives the
instructions a document takes, all told and inside each of the core's entry
points (their callees, Python called back included): what to compare before
and after a change to the installed core or to the Python around it, where a
gain of a few percent is lost in the timings' drift.

``--misses`` counts, the same way, the data misses of a cache that callgrind
simulates (``--cache-sim``) as large as this processor's second-level cache
(``--cache-bytes`` to choose): a document's first- and last-level misses, and
the functions that miss the most. Much of a document's time in the corpus is
its data coming back into the caches (each document cleaned over and over
takes about 60% of that time), which instruction counts do not show: a
change that moves fewer bytes (a smaller automaton, a copy less) is
measured here.

Needs Linux ``perf`` (the ``linux-perf`` package) with the permission to
sample its own processes, and, without ``--installed``, cargo; with
``--instructions`` or ``--misses``, valgrind and its ``callgrind_annotate``
instead.

Run: ``python bench/native_profile.py`` (``--help`` for options);
``python bench/native_profile.py --instructions``; ``python bench/native_profile.py --misses``.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# (the start of a frame's symbol, the part of the work it names), looked for from the innermost
# frame out. Only where no frame names one of these does a sample count toward the first of
# FALLBACKS any frame names: the core's parts named more broadly (a helper several parts call
# counts toward its caller's).
PARTS: tuple[tuple[str, str], ...] = (
    ("_native::LiteralScanner::scan_folding", "pre-pass: the literals of the whole text"),
    ("_native::LiteralScanner::__pymethod_scan_folding", "pre-pass: the literals of the whole text"),
    ("_native::LiteralScanner::scan_edits_into", "presence: the literals around a pass's edits"),
    ("_native::LiteralScanner::__pymethod_scan_edits_into", "presence: the literals around a pass's edits"),
    ("_native::edits::", "edit log: a pass's edits composed, the new text made"),
    ("_native::screen::", "screen: the checks of the steps Python evaluates"),
    ("_native::run::Run::apply_tagged", "applying a pass: Python's Document and Presence"),
    ("_native::run::Run::found", "core steps: finding replacements"),
    ("_native::run::Run::evaluate_fused", "core steps: finding replacements"),
    ("_native::patterns::Text::", "reading a text for the core (Text)"),
    ("_native::offtopic::", "off-topic blocks"),
    ("_native::repeats::", "repeated blocks"),
    ("_native::spellings::", "lexicon: spellings"),
    ("_native::tally::", "triggers: tally and selection"),
    ("_native::patterns::Pattern::__pymethod", "steps Python evaluates: their core searches"),
    ("_native::patterns::__pyfunction", "steps Python evaluates: their core searches"),
)

FALLBACKS: tuple[tuple[str, str], ...] = (
    ("_native::run::Run::", "core run loop: gates, calls"),
    ("_native::run::Stages::", "core run loop: gates, calls"),
    ("_native::", "core, other"),
)

PYTHON = "Python: the pipeline's loop, the steps Python evaluates, results"

PYTHON_FRAME = "_PyEval_EvalFrame"
"""The start of the symbol of the interpreter's frame: the frames outside it called Python (the core
calls back the steps Python evaluates), those inside it are what Python called."""


def part_of(stack: list[str]) -> str:
    """The part of the work a sample's ``stack`` (symbols, innermost first) is in."""
    for symbol in stack:
        for start, part in PARTS:
            if symbol.startswith(start):
                return part
    # Python called back by the core is Python's work, not the core's that called it.
    inside_python = list(itertools.takewhile(lambda symbol: not symbol.startswith(PYTHON_FRAME), stack))
    for start, part in FALLBACKS:
        if any(symbol.startswith(start) for symbol in inside_python):
            return part
    return PYTHON


def stacks(script_output: str) -> Iterator[list[str]]:
    """The stacks of ``perf script -F ip,sym``: symbols, innermost first, ``(inlined)`` dropped."""
    stack: list[str] = []
    for line in script_output.splitlines():
        line = line.strip()
        if not line:
            if stack:
                yield stack
            stack = []
            continue
        _, _, symbol = line.partition(" ")
        stack.append(symbol.removesuffix(" (inlined)").strip())
    if stack:
        yield stack


def build_core(folder: Path) -> Path:
    """The core built with debugging information into ``folder``; the path of its library."""
    environment = {**os.environ, "CARGO_PROFILE_RELEASE_DEBUG": "true", "CARGO_TARGET_DIR": str(folder)}
    subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--manifest-path", str(ROOT / "native" / "Cargo.toml")],
        check=True,
        env=environment,
    )
    return folder / "release" / "lib_native.so"


def package_with(core: Path, folder: Path) -> None:
    """A copy of the ``cleantext`` package in ``folder`` with ``core`` as its native module, and the
    checkout's rule packs beside it, where the package looks for them."""
    package = folder / "cleantext"
    shutil.copytree(ROOT / "cleantext", package, ignore=shutil.ignore_patterns("__pycache__", "_native*.so"))
    (folder / "rules").symlink_to(ROOT / "rules", target_is_directory=True)
    installed = next((ROOT / "cleantext").glob("_native*.so"), None)
    name = installed.name if installed else "_native.abi3.so"
    shutil.copy(core, package / name)


def warmed(megabytes: float) -> tuple[Any, list[bytes]]:
    """In a child process: the default pipeline and the corpus as UTF-8, every document cleaned once
    (the patterns compiled as their triggers first hold)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from throughput import build_corpus

    from cleantext import Pipeline

    pipeline = Pipeline.load()
    encoded = [document.encode() for document in build_corpus(megabytes)]
    for document in encoded:
        pipeline.clean(document.decode())
    return pipeline, encoded


def profiled(seconds: float, megabytes: float, frequency: int, data: Path) -> None:
    """In the child process: warm up, then clean the corpus under ``perf record`` of this process for ``seconds``."""
    from cleantext.native import engine_summary

    pipeline, encoded = warmed(megabytes)
    recording = ["perf", "record", "-q", "-e", "cpu-clock", "-F", str(frequency), "--call-graph", "dwarf,16384"]
    recorder = subprocess.Popen([*recording, "-p", str(os.getpid()), "-o", str(data)], stdout=subprocess.DEVNULL)
    time.sleep(0.5)  # perf attaches
    documents = 0
    spent = 0.0
    finish = time.perf_counter() + seconds
    while time.perf_counter() < finish:
        texts = [document.decode() for document in encoded]
        started = time.perf_counter()
        for text in texts:
            pipeline.clean(text)
        spent += time.perf_counter() - started
        documents += len(texts)
    recorder.send_signal(signal.SIGINT)
    recorder.wait()
    print(f"{documents} {spent} {engine_summary()}")


def counted(megabytes: float, passes: int) -> None:
    """In the child process under callgrind: warm up, then clean the corpus ``passes`` times."""
    pipeline, encoded = warmed(megabytes)
    for _ in range(passes):
        for text in [document.decode() for document in encoded]:
            pipeline.clean(text)
    print(len(encoded))


# An entry point of the core in callgrind_annotate's inclusive listing: its count and its name.
ENTRY_POINT = re.compile(r"^\s*([\d,]+) \([^)]*\)\s+\S*:(_native::\S*__py(?:method|function)_\w+)")


def checked(command: list[str], environment: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``command`` run to its end, its output captured; where it fails, its error output is shown and the
    profile stops with its exit status."""
    run = subprocess.run(command, capture_output=True, text=True, env=environment)
    if run.returncode:
        sys.stderr.write(run.stderr)
        raise SystemExit(f"native_profile: {Path(command[0]).name} exited with status {run.returncode}")
    return run


def callgrind_passes(
    megabytes: float, environment: dict[str, str], folder: Path, options: list[str]
) -> tuple[int, tuple[Path, Path]]:
    """The documents of the corpus, and the output files of two runs under callgrind (with ``options``): one
    that warms up and stops, one that cleans the corpus once more. What one pass costs is the second's count
    less the first's."""
    child = [sys.executable, __file__, "--mb", str(megabytes), "--child-passes"]
    # One seed of str hashes: the two runs then count the same up to the pass they differ by.
    environment = {**environment, "PYTHONHASHSEED": "0"}
    # A run as those below, first, leaves the startup cache as both of them find it.
    checked([*child, "0"], environment)
    documents = 0
    for passes in (0, 1):
        out = folder / f"callgrind.{passes}"
        command = ["valgrind", "--tool=callgrind", *options, f"--callgrind-out-file={out}", *child, str(passes)]
        documents = int(checked(command, environment).stdout.split()[-1])
    return documents, (folder / "callgrind.0", folder / "callgrind.1")


def valgrind_missing() -> bool:
    """Whether valgrind or callgrind_annotate is not installed (then says so)."""
    missing = [tool for tool in ("valgrind", "callgrind_annotate") if shutil.which(tool) is None]
    if missing:
        print(f"native_profile: {' and '.join(missing)} not found (install valgrind)", file=sys.stderr)
    return bool(missing)


def instructions(megabytes: float, environment: dict[str, str], folder: Path) -> tuple[int, int, dict[str, int]]:
    """The documents of the corpus, the instructions of one pass over them, and those inside each entry point
    of the core (inclusive), each the count of a run that cleans once more less that of one that does not."""
    documents, outputs = callgrind_passes(megabytes, environment, folder, [])
    totals = [totals_of(out.read_text())["Ir"] for out in outputs]
    entries: list[collections.Counter[str]] = []
    for out in outputs:
        listing = checked(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(out)]).stdout
        counter: collections.Counter[str] = collections.Counter()
        for line in listing.splitlines():
            if match := ENTRY_POINT.match(line):
                counter[match.group(2)] += int(match.group(1).replace(",", ""))
        entries.append(counter)
    inside = {name: entries[1][name] - entries[0][name] for name in entries[1]}
    return documents, totals[1] - totals[0], inside


# callgrind's events with a simulated cache: data reads and writes that miss the first level (D1) and the
# last level (DL).
MISS_EVENTS = ("D1mr", "D1mw", "DLmr", "DLmw")

# A function's line in a callgrind_annotate listing: its count of the event shown, and its name (the file it is
# in, before one colon, left out: a function inlined from several files is one).
FUNCTION_LINE = re.compile(r"^\s*([\d,]+) \([^)]*\)\s+(?:[^\s:]*:(?!:))?(\S.*?)(?: \[[^\]]*\])?$")


def second_level_cache_bytes() -> int:
    """The size of this processor's second-level cache (Linux's sysfs), or 2 MiB where it does not say."""
    for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            if (index / "level").read_text().strip() == "2":
                size = (index / "size").read_text().strip()
                return int(size[:-1]) * {"K": 1024, "M": 1024**2}[size[-1]]
        except (OSError, ValueError, KeyError):
            continue
    return 2 * 1024**2


def totals_of(callgrind_output: str) -> dict[str, int]:
    """The events of a callgrind output file and their totals (its ``events:`` and ``totals:`` lines)."""
    lines = callgrind_output.splitlines()
    events = next(line.split()[1:] for line in lines if line.startswith("events:"))
    totals = next(line.split()[1:] for line in lines if line.startswith("totals:"))
    return dict(zip(events, map(int, totals), strict=True))


def functions_of(listing: str) -> collections.Counter[str]:
    """Each function's count in a callgrind_annotate listing of one event (its own, its callees' left out)."""
    counts: collections.Counter[str] = collections.Counter()
    for line in listing.splitlines():
        if (match := FUNCTION_LINE.match(line)) and "PROGRAM TOTALS" not in line:
            counts[match.group(2)] += int(match.group(1).replace(",", ""))
    return counts


def misses(
    megabytes: float, environment: dict[str, str], folder: Path, cache_bytes: int
) -> tuple[int, dict[str, int], collections.Counter[str]]:
    """The documents of the corpus; the misses of each event (:data:`MISS_EVENTS`) in one pass over them,
    with a last level of ``cache_bytes``; and each function's own last-level misses (reads and writes):
    each the count of a run that cleans once more less that of one that does not."""
    simulated = ["--cache-sim=yes", f"--LL={cache_bytes},16,64"]
    documents, outputs = callgrind_passes(megabytes, environment, folder, simulated)
    totals = [totals_of(out.read_text()) for out in outputs]
    functions: list[collections.Counter[str]] = []
    for out in outputs:
        own: collections.Counter[str] = collections.Counter()
        for event in ("DLmr", "DLmw"):
            annotate = ["callgrind_annotate", "--auto=no", "--threshold=100", f"--show={event}", f"--sort={event}"]
            own.update(functions_of(checked([*annotate, str(out)]).stdout))
        functions.append(own)
    counted = {event: totals[1][event] - totals[0][event] for event in MISS_EVENTS}
    added = collections.Counter({name: functions[1][name] - functions[0][name] for name in functions[1]})
    return documents, counted, added


def count_misses(megabytes: float, cache_bytes: int | None) -> int:
    """``--misses``: the data misses of a simulated cache a document takes, and the functions that miss most."""
    if valgrind_missing():
        return 2
    size = cache_bytes or second_level_cache_bytes()
    with tempfile.TemporaryDirectory(prefix="cleantext-profile-") as scratch:
        documents, counted, own = misses(megabytes, dict(os.environ), Path(scratch), size)
    first = (counted["D1mr"] + counted["D1mw"]) / documents
    last = counted["DLmr"] + counted["DLmw"]
    print(f"{documents:,} documents, a simulated last level of {size / 1024**2:g} MiB: a document misses")
    print(f"{first:,.0f} times in the first level and {last / documents:,.0f} times in the last\n")
    print("The functions with the most last-level misses of their own (reads and writes):\n")
    print("| function | last-level misses a document | share |")
    print("|:---|---:|---:|")
    for name, count in own.most_common(15):
        print(f"| {name} | {count / documents:,.0f} | {count / last:.1%} |")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of cleaning to sample (default 10)")
    parser.add_argument(
        "--mb", type=float, help="corpus size in megabytes (default 5; 1 with --instructions or --misses)"
    )
    parser.add_argument("--frequency", type=int, default=1000, help="samples per second (default 1000)")
    parser.add_argument(
        "--installed", action="store_true", help="profile the installed core, not a build with debugging information"
    )
    parser.add_argument(
        "--stacks", metavar="FILE", type=Path, help="also write the samples' stacks (perf script) to FILE"
    )
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions under callgrind (the installed core)"
    )
    parser.add_argument(
        "--misses", action="store_true", help="count the data misses of a simulated cache (the installed core)"
    )
    parser.add_argument(
        "--cache-bytes", type=int, help="the simulated last level's size (default: this processor's second level)"
    )
    parser.add_argument("--child", metavar="DATA", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-passes", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    counting = options.instructions or options.misses
    megabytes = options.mb if options.mb is not None else 1.0 if counting else 5.0
    if options.child:
        profiled(options.seconds, megabytes, options.frequency, options.child)
        return 0
    if options.child_passes is not None:
        counted(megabytes, options.child_passes)
        return 0
    if options.instructions:
        return count_instructions(megabytes)
    if options.misses:
        return count_misses(megabytes, options.cache_bytes)
    if shutil.which("perf") is None:
        print("native_profile: perf not found (install linux-perf)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="cleantext-profile-") as scratch:
        folder = Path(scratch)
        environment = dict(os.environ)
        if not options.installed:
            if shutil.which("cargo") is None:
                print("native_profile: cargo not found (or profile the installed core: --installed)", file=sys.stderr)
                return 2
            package_with(build_core(folder / "target"), folder / "package")
            environment["PYTHONPATH"] = os.pathsep.join([str(folder / "package"), environment.get("PYTHONPATH", "")])
        data = folder / "perf.data"
        sizes = ["--seconds", str(options.seconds), "--mb", str(megabytes), "--frequency", str(options.frequency)]
        child = checked([sys.executable, __file__, "--child", str(data), *sizes], environment)
        documents, spent, engine = child.stdout.split(maxsplit=2)
        script = checked(["perf", "script", "-i", str(data), "-F", "ip,sym"]).stdout
    if options.stacks:
        options.stacks.write_text(script)
    counts = collections.Counter(part_of(stack) for stack in stacks(script))
    samples = sum(counts.values())
    per_document = float(spent) / int(documents) * 1e6
    print(f"{int(documents):,} documents in {float(spent):.1f} s: {per_document:.0f} µs a document; {engine.strip()}")
    print(f"{samples:,} samples\n")
    print("| part of the work | share | µs a document |")
    print("|:---|---:|---:|")
    for part, count in counts.most_common():
        print(f"| {part} | {count / samples:.1%} | {count / samples * per_document:.1f} |")
    return 0


def count_instructions(megabytes: float) -> int:
    """``--instructions``: the instructions a document takes, and inside each of the core's entry points."""
    if valgrind_missing():
        return 2
    with tempfile.TemporaryDirectory(prefix="cleantext-profile-") as scratch:
        documents, total, inside = instructions(megabytes, dict(os.environ), Path(scratch))
    print(f"{documents:,} documents: {total / documents:,.0f} instructions a document\n")
    print("Inside each entry point of the core, its callees included (Python called back too): the rows overlap.\n")
    print("| inside | instructions a document | share |")
    print("|:---|---:|---:|")
    for name, count in sorted(inside.items(), key=lambda item: -item[1]):
        if count / total >= 0.001:
            print(f"| {name} | {count / documents:,.0f} | {count / total:.1%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
