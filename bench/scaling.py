"""Scaling: how cleaning time grows with document size, lexicon size and worker count.

Three measurements, each printed as a Markdown table:

a. document size: one document of ~1 KB, 10 KB, 100 KB, 1 MB, 10 MB and 50 MB,
   cleaned by the default pipeline (provenance is always recorded). Small
   documents are cleaned repeatedly until one run takes at least a second; the
   median of ``--runs`` runs counts. Time per MB is given relative to the mean
   of the 1 KB and 10 KB documents (target: within 1.2x up to 50 MB).
b. rule count: a pipeline of ONLY a synthetic lexicon pack of 10 entries vs
   1,000 entries, then the default pipeline plus that pack, over the same
   ~10 MB corpus of natural-length documents (target: with the default pipeline,
   1,000 entries cost at most 10% more than 10).
c. ``--jobs``: ``Pipeline.clean_many(docs, jobs=1)`` vs ``jobs=2`` (this process and a worker) over a
   ~100 MB corpus of natural-length documents (target: >= 1.8x on 2 cores),
   and ``cleantext clean corpus.jsonl --jobs 1`` vs ``--jobs 2``.

Inputs are deterministic: the five seeds of ``../shared/seeds`` and the gold
article bodies of ``../shared/benchmarks/article-extraction-benchmark`` (sorted
by key), each with boilerplate lines inserted at places drawn from a fixed
seed, so every document has edits of the strip, typography and names stages.
Large single documents concatenate these articles' paragraphs in a fixed order.
Every run cleans documents decoded anew from their UTF-8 before it starts (each
repeat of a small document a copy of its own), as a reader hands over the
documents of a corpus: a string cleaned before keeps its UTF-8 and its hash.

Run: ``python bench/scaling.py`` (full, ~30 minutes on 2 cores) or
``python bench/scaling.py --quick`` (smoke run, ~1 minute); ``--max-size-mb``,
``--rules-mb`` and ``--jobs-mb`` set the sizes, ``--json FILE`` also writes the
figures, which ``bench/report.py`` turns into tables with the functions here.
Scratch files go to ``/tmp/bench-data``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleantext import Pipeline, Result  # noqa: E402
from cleantext.rules import lexicon_spellings  # noqa: E402

SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
GOLD = SHARED / "benchmarks" / "article-extraction-benchmark" / "ground-truth.json"
SCRATCH = Path("/tmp/bench-data")
SEED = 20260301
MB = 1_000_000

# Lines the default strip rules remove wherever they stand, so edits keep
# coming at a steady rate however long a document grows.
BOILERPLATE = (
    "Advertisement",
    "ADVERTISEMENT",
    "Story continues below advertisement",
    "Share this article",
    "Most Read",
    "Related Stories",
    "Click here to subscribe",
    "Sign up to First Edition, our free daily newsletter",
    "Accept all cookies",
    "Getty Images",
)

SIZE_TARGET = 1.2
"""a.: time per MB of any document within this factor of the 1-10 KB documents'."""

RULES_TARGET = 1.1
"""b.: the default pipeline with 1,000 lexicon entries within this factor of it with 10."""

JOBS_TARGET = 1.8
"""c.: two jobs at least this many times as fast as one."""

SIZES = (1_000, 10_000, 100_000, MB, 10 * MB, 50 * MB)
QUICK_SIZES = (1_000, 10_000, 100_000, MB)


# ---------------------------------------------------------------- corpus


def with_boilerplate(body: str, rng: random.Random) -> str:
    """``body`` with one to three boilerplate lines between its paragraphs (places from ``rng``)."""
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    for _ in range(rng.randint(1, 3)):
        paragraphs.insert(rng.randint(1, max(1, len(paragraphs))), rng.choice(BOILERPLATE))
    return "\n\n".join(paragraphs) + "\n"


@lru_cache(maxsize=1)
def article_pool(seed: int = SEED) -> tuple[str, ...]:
    """The seeds, then the gold bodies by key, each with boilerplate lines inserted (fixed seed)."""
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    bodies = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("0*_????????????????.txt"))]
    bodies += [gold[key]["articleBody"] for key in sorted(gold)]
    rng = random.Random(seed)
    return tuple(with_boilerplate(body, rng) for body in bodies)


def utf8_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8."""
    return len(text.encode("utf-8"))


def natural_corpus(megabytes: float) -> list[str]:
    """Articles of natural length, cycled in a fixed order until they hold ``megabytes`` of UTF-8."""
    corpus, size = [], 0
    for article in itertools.cycle(article_pool()):
        if size >= megabytes * MB:
            break
        corpus.append(article)
        size += utf8_size(article)
    return corpus


def paragraph_stream() -> Iterator[str]:
    """Every paragraph of the article pool in order, cycled forever."""
    paragraphs = [p for article in article_pool() for p in article.split("\n\n") if p.strip()]
    return itertools.cycle(paragraphs)


def single_document(nbytes: int) -> str:
    """One document of at least ``nbytes`` UTF-8 bytes: the pool's paragraphs, in order, blank-line separated."""
    parts, size = [], 0
    for paragraph in paragraph_stream():
        if size >= nbytes:
            break
        parts.append(paragraph)
        size += utf8_size(paragraph) + 2
    return "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------- timing and output


class Timing(NamedTuple):
    """Seconds of one piece of work: wall clock, CPU (user + system) of all processes, and of this one."""

    wall: float
    cpu: float
    own_cpu: float


SELF, CHILDREN = resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN


def cpu_seconds(who: int) -> float:
    """User + system CPU seconds of ``resource.RUSAGE_SELF`` or ``RUSAGE_CHILDREN`` (those that have ended)."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def timed(work: Callable[[], object]) -> Timing:
    """Wall and CPU seconds of one call of ``work``."""
    wall, own, children = time.perf_counter(), cpu_seconds(SELF), cpu_seconds(CHILDREN)
    work()
    own = cpu_seconds(SELF) - own
    return Timing(time.perf_counter() - wall, own + cpu_seconds(CHILDREN) - children, own)


def median_timing(samples: Sequence[Timing], per: int = 1) -> Timing:
    """The medians of each figure, divided by ``per``."""
    return Timing(*(statistics.median(figures) / per for figures in zip(*samples, strict=True)))


def repeats_for(work: Callable[[], object], min_seconds: float) -> int:
    """How many calls of ``work`` make one run last at least ``min_seconds`` (from one timed call)."""
    once = timed(work).wall
    return max(1, int(min_seconds / max(once, 1e-9)) + 1)


def progress(message: str) -> None:
    """A progress line on stderr (the tables go to stdout)."""
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def fresh(documents: Sequence[bytes]) -> list[str]:
    """The documents decoded anew from their UTF-8, as a reader hands them over: a string cleaned
    before keeps its UTF-8 and its hash, which a run over the same strings again would not pay for."""
    return [document.decode("utf-8") for document in documents]


def consume(results: Iterable[object]) -> None:
    """Run a generator to its end, keeping nothing."""
    deque(results, maxlen=0)


def cpu_model() -> str:
    """The CPU model from ``/proc/cpuinfo`` (or ``platform.processor()``)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def revision() -> str:
    """The checkout's commit, ``+changes`` when its working tree differs (read-only git calls).

    The files a benchmark report writes (the README's summary, docs/benchmarks.md) do not count.
    """

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!README.md", ":!docs/benchmarks.md")
    return commit + (" +changes" if changed else "")


def machine_line() -> str:
    """Date, cores, CPU model, Python, checkout revision and load average, for the head of a report."""
    return (
        f"{datetime.now().isoformat(timespec='minutes')}; nproc {os.cpu_count()}; {cpu_model()}; "
        f"{platform.python_implementation()} {platform.python_version()}; cleantext {revision()}; "
        f"load average {load_average()}"
    )


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table, first column left-aligned and the others right-aligned."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join([":---"] + ["---:"] * (len(headers) - 1)) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def human_size(nbytes: float) -> str:
    """``1 KB``, ``10 MB``, ``1 GB`` (decimal units)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes:.0f} B"


# ---------------------------------------------------------------- a. document size


def size_rows(pipeline: Pipeline, sizes: Sequence[int], runs: int) -> list[dict[str, Any]]:
    """Timing per clean of one document of each size, with its MB, repeats and edits."""
    rows = []
    for target in sizes:
        encoded = single_document(target).encode("utf-8")
        megabytes = len(encoded) / MB
        last: dict[str, Result] = {}

        def work(copies: list[str], last: dict[str, Result] = last) -> None:
            for copy in copies:
                last["result"] = pipeline.clean(copy)

        repeats = 1
        if megabytes < 1:
            # The first clean of a document compiles the patterns its rules need: it does not
            # count towards how many cleans make a run of a second.
            work(fresh([encoded]))
            first = fresh([encoded])
            repeats = repeats_for(lambda first=first: work(first), 1.0)
        # Each call cleans a copy of its own, decoded before the run (see `fresh`).
        samples = []
        for _ in range(runs):
            copies = fresh([encoded] * repeats)
            samples.append(timed(lambda copies=copies: work(copies)))
        timing = median_timing(samples, repeats)
        edits = len(last.pop("result").edits)
        rows.append({"target": target, "mb": megabytes, "repeats": repeats, "timing": timing, "edits": edits})
        progress(f"size {human_size(target)}: {timing.wall:.4f} s")
    return rows


def sizes_markdown(rows: list[dict[str, Any]], runs: int) -> str:
    """The document-size table under a heading, and the worst time-per-MB ratio to the 1-10 KB baseline."""
    wall = [row["timing"].wall / row["mb"] for row in rows]
    cpu = [row["timing"].cpu / row["mb"] for row in rows]
    wall_base, cpu_base = statistics.mean(wall[:2]), statistics.mean(cpu[:2])
    table = [
        (
            human_size(row["target"]),
            f"{row['mb'] * MB:,.0f}",
            row["repeats"],
            f"{row['timing'].wall:.4g}",
            f"{row['mb'] / row['timing'].wall:.3f}",
            f"{w:.3f}",
            f"{w / wall_base:.2f}x",
            f"{c / cpu_base:.2f}x",
            f"{row['edits']:,}",
        )
        for row, w, c in zip(rows, wall, cpu, strict=True)
    ]
    headers = ("document", "bytes", "cleans/run", "s per clean", "MB/s", "s per MB", "vs 1-10 KB", "CPU vs 1-10 KB")
    worst = max(wall) / wall_base
    return (
        f"### a. Document size (default pipeline, one document, median of {runs} runs)\n\n"
        + markdown_table((*headers, "edits"), table)
        + f"\n\nBaseline: mean s/MB of the 1 KB and 10 KB documents = {wall_base:.3f} (CPU {cpu_base:.3f}). "
        f"Worst ratio {worst:.2f}x wall, {max(cpu) / cpu_base:.2f}x CPU "
        f"(target <= {SIZE_TARGET}x): {'met' if worst <= SIZE_TARGET else 'NOT met'}."
    )


# ---------------------------------------------------------------- b. rule count


SYLLABLES = ("ba", "dro", "gel", "kav", "lor", "mib", "nus", "pel", "quo", "ras", "tiv", "vek", "wud", "zor", "hal")


def synthetic_entries(count: int, taken: set[str], seed: int = SEED) -> list[tuple[str, tuple[str, ...]]]:
    """``count`` made-up names (canonical, variants), none of whose spellings is in ``taken`` (casefolded)."""
    rng = random.Random(seed)
    entries: list[tuple[str, tuple[str, ...]]] = []
    while len(entries) < count:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4)))
        canonical = stem.capitalize() + rng.choice(("ov", "enko", "ski", "ic", "ev"))
        variants = (canonical.replace("v", "w"), canonical[:-1] + "y", canonical + "h")
        spellings = {canonical.casefold(), *(v.casefold() for v in variants)}
        if len(spellings) < 4 or spellings & taken:
            continue
        taken |= spellings
        entries.append((canonical, tuple(v for v in variants if v != canonical)))
    return entries


def lexicon_pack(entries: Sequence[tuple[str, tuple[str, ...]]]) -> str:
    """A TOML rule pack in the format of ``rules/names.toml`` with one lexicon rule per entry."""
    lines = [
        "[pack]",
        'name = "synthetic"',
        'description = "Made-up names for the rule-count benchmark."',
        'stage = "normalize"',
    ]
    for number, (canonical, variants) in enumerate(entries, 1):
        lines += [
            "",
            "[[rule]]",
            f'id = "synthetic.name-{number:04d}"',
            'category = "names"',
            'kind = "lexicon"',
            f'canonical = "{canonical}"',
            "variants = [" + ", ".join(f'"{v}"' for v in variants) + "]",
            'description = "A made-up name"',
        ]
    return "\n".join(lines) + "\n"


def synthetic_lexicon(count: int) -> list[tuple[str, tuple[str, ...]]]:
    """``count`` made-up entries whose spellings no default lexicon rule uses."""
    taken = {
        spelling.casefold()
        for rule in Pipeline.load().rules
        if rule.kind == "lexicon"
        for spelling in [rule.canonical or "", *lexicon_spellings(rule)]
    }
    return synthetic_entries(count, taken)


def write_packs(entries: Sequence[tuple[str, tuple[str, ...]]], counts: Sequence[int]) -> dict[int, Path]:
    """Packs of the first ``count`` entries for each of ``counts``, under the scratch folder."""
    SCRATCH.mkdir(parents=True, exist_ok=True)
    paths = {}
    for count in counts:
        path = SCRATCH / f"synthetic-lexicon-{count}.toml"
        path.write_text(lexicon_pack(entries[:count]), encoding="utf-8")
        paths[count] = path
    return paths


def mention_corpus(megabytes: float, entries: Sequence[tuple[str, tuple[str, ...]]]) -> list[str]:
    """The natural corpus, each document ending with a sentence naming a variant of one of ``entries``.

    Every pack of the comparison holds ``entries``, so all of them make the same edits.
    """
    corpus = natural_corpus(megabytes)
    return [
        f"{doc}\nOfficials said {entries[i % len(entries)][1][0]} would attend the talks.\n"
        for i, doc in enumerate(corpus)
    ]


def rule_count_rows(megabytes: float, runs: int, counts: Sequence[int] = (10, 1000)) -> dict[tuple[str, int], Timing]:
    """Timing over the corpus of no rules, the lexicon pack alone and the default pipeline plus the pack."""
    entries = synthetic_lexicon(max(counts))
    paths = write_packs(entries, counts)
    encoded = [document.encode("utf-8") for document in mention_corpus(megabytes, entries[: min(counts)])]
    pipelines: dict[tuple[str, int], Pipeline] = {(FLOOR, 0): Pipeline([])}
    for count, path in paths.items():
        pipelines[(LEXICON_ONLY, count)] = Pipeline.load(packs=[], extra=[path])
    for count, path in paths.items():
        pipelines[(WITH_DEFAULT, count)] = Pipeline.load(extra=[path])
    samples: dict[tuple[str, int], list[Timing]] = {key: [] for key in pipelines}
    for pipeline in pipelines.values():  # not timed: the first documents compile the patterns their rules need
        for doc in fresh(encoded[:200]):
            pipeline.clean(doc)
    for _ in range(runs):  # interleaved, so drift on a shared machine hits every configuration alike
        for key, pipeline in pipelines.items():
            corpus = fresh(encoded)
            samples[key].append(timed(lambda p=pipeline, corpus=corpus: [p.clean(doc) for doc in corpus]))
            progress(f"rule count: {key[0]}, {key[1]} entries: {samples[key][-1].wall:.2f} s")
    return {key: median_timing(times) for key, times in samples.items()}


FLOOR = "no rules (Document + Result only)"
LEXICON_ONLY = "lexicon pack only"
WITH_DEFAULT = "default pipeline + lexicon pack"


def rule_counts_markdown(timings: dict[tuple[str, int], Timing], megabytes: float, runs: int) -> str:
    """The rule-count table under a heading, and the 1,000-vs-10 ratios."""
    table = [
        (label, f"{count:,}" if count else "-", f"{t.wall:.2f}", f"{t.cpu:.2f}", f"{megabytes / t.wall:.2f}")
        for (label, count), t in timings.items()
    ]
    lines = [
        f"### b. Rule count (~{megabytes:g} MB of natural-length documents, median of {runs} runs)",
        "",
        markdown_table(("pipeline", "lexicon entries", "seconds", "CPU s", "MB/s"), table),
        "",
    ]
    for label in (LEXICON_ONLY, WITH_DEFAULT):
        small, large = timings[(label, 10)], timings[(label, 1000)]
        ratio = large.wall / small.wall
        verdict = f" (target <= {RULES_TARGET}x): {'met' if ratio <= RULES_TARGET else 'NOT met'}"
        lines.append(
            f"- {label}: 1,000 entries / 10 entries = {ratio:.3f}x wall, {large.cpu / small.cpu:.3f}x CPU"
            + (verdict if label == WITH_DEFAULT else "")
        )
    floor = timings[(FLOOR, 0)].wall
    small, large = timings[(LEXICON_ONLY, 10)].wall - floor, timings[(LEXICON_ONLY, 1000)].wall - floor
    lines.append(
        f"- the lexicon pass alone (less the no-rule floor of {floor:.2f} s): {small:.2f} s vs {large:.2f} s "
        f"= {large / max(small, 1e-9):.2f}x"
    )
    return "\n".join(lines)


# ---------------------------------------------------------------- c. --jobs


def write_jsonl(corpus: Sequence[str], path: Path) -> int:
    """Write ``corpus`` as JSON Lines records ``{"id": n, "text": doc}``; return the file size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for number, doc in enumerate(corpus):
            handle.write(json.dumps({"id": number, "text": doc}, ensure_ascii=False) + "\n")
    return path.stat().st_size


def cleantext_command() -> list[str]:
    """The ``cleantext`` console script next to this Python, else ``python -m cleantext``."""
    script = Path(sys.executable).with_name("cleantext")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cleantext"]


def cli_timing(path: Path, jobs: int, environment: dict[str, str] | None = None) -> Timing:
    """Wall and CPU seconds (all processes) of ``cleantext clean path -o out -q --jobs N``."""
    out = path.with_name(f"{path.stem}.out-jobs{jobs}.jsonl")
    command = [*cleantext_command(), "clean", str(path), "-o", str(out), "-q", "--jobs", str(jobs)]
    timing = timed(lambda: subprocess.run(command, check=True, env=environment))
    out.unlink()
    return timing


def jobs_rows(megabytes: float, runs: int, cli_runs: int) -> list[tuple[str, int, Timing]]:
    """(what, jobs, timing) for ``clean_many`` and the CLI with 1 and 2 jobs."""
    corpus = natural_corpus(megabytes)
    encoded = [document.encode("utf-8") for document in corpus]
    pipeline = Pipeline.load()
    samples: dict[int, list[Timing]] = {1: [], 2: []}
    for _ in range(runs):  # interleaved, as above
        for jobs in (1, 2):
            documents = fresh(encoded)
            samples[jobs].append(
                timed(lambda j=jobs, documents=documents: consume(pipeline.clean_many(documents, jobs=j)))
            )
            progress(f"clean_many jobs={jobs}: {samples[jobs][-1].wall:.1f} s")
    what = f"Pipeline.clean_many, {len(corpus):,} docs, median of {runs}"
    rows = [(what, jobs, median_timing(samples[jobs])) for jobs in (1, 2)]
    ceilings = []
    for _ in range(runs):
        ceilings.append(ceiling_timing(pipeline, encoded))
        progress(f"two processes at once: {ceilings[-1].wall:.1f} s")
    rows.append((f"{CEILING}, median of {runs}", 2, median_timing(ceilings)))
    if cli_runs:
        path = SCRATCH / f"scaling-jobs-{megabytes:g}mb.jsonl"
        write_jsonl(corpus, path)
        # The startup cache and the modules' bytecode as any earlier run on the machine leaves them
        # (Python writes bytecode unless PYTHONDONTWRITEBYTECODE says not to; pip does at install):
        # every timed run reads them.
        warm_up = SCRATCH / "scaling-jobs-warm-up.jsonl"
        write_jsonl(corpus[:10], warm_up)
        cli_timing(warm_up, 1, {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"})
        warm_up.unlink()
        cli_samples: dict[int, list[Timing]] = {1: [], 2: []}
        for _ in range(cli_runs):  # interleaved, as above
            for jobs in (1, 2):
                cli_samples[jobs].append(cli_timing(path, jobs))
                progress(f"CLI --jobs {jobs}: {cli_samples[jobs][-1].wall:.1f} s")
        for jobs in (1, 2):
            rows.append((f"cleantext clean {path.name}, median of {cli_runs}", jobs, median_timing(cli_samples[jobs])))
        path.unlink()
    return rows


CEILING = "ceiling: two processes, each clean_many(jobs=1) over half the docs, at once"
"""c.: the row of :func:`ceiling_timing`, whose speed-up is over ``clean_many`` with one job."""


def ceiling_timing(pipeline: Pipeline, encoded: Sequence[bytes]) -> Timing:
    """Two processes forked from this one, each cleaning every other document of ``encoded`` with
    ``clean_many(jobs=1)``, started together, handing nothing to each other: the most any two jobs
    can gain on this machine, where two busy cores may each run slower than one alone does."""
    context = multiprocessing.get_context("fork")
    start = context.Barrier(3)
    halves = (fresh(encoded[0::2]), fresh(encoded[1::2]))  # fresh strings, decoded before the clock starts

    def clean_half(documents: list[str]) -> None:
        start.wait()
        consume(pipeline.clean_many(documents, jobs=1))

    processes = [context.Process(target=clean_half, args=(half,)) for half in halves]
    for process in processes:
        process.start()
    start.wait()
    timing = timed(lambda: [process.join() for process in processes])
    if any(process.exitcode != 0 for process in processes):
        raise RuntimeError(f"a ceiling process failed: exit codes {[process.exitcode for process in processes]}")
    return timing


def free_core_estimate(single: Timing, double: Timing) -> float:
    """The speed-up two free cores would give: one job's CPU seconds over half those of the two jobs' processes,
    all of which clean (``clean_many`` and the CLI clean in their own process and one worker)."""
    return single.cpu / max(double.cpu / 2, 1e-9)


def jobs_markdown(rows: list[tuple[str, int, Timing]], megabytes: float) -> str:
    """The ``--jobs`` table under a heading: wall and CPU seconds, cores kept busy, speed-up over one job."""
    single = {what: timing for what, jobs, timing in rows if jobs == 1}
    one_job = rows[0][2]  # clean_many's, which the ceiling's speed-up is over
    table = [
        (
            what,
            jobs,
            f"{timing.wall:.1f}",
            f"{timing.cpu:.1f}",
            f"{timing.cpu / timing.wall:.2f}",
            f"{megabytes / timing.wall:.2f}",
            f"{single.get(what, one_job).wall / timing.wall:.2f}x",
            f"{free_core_estimate(single[what], timing):.2f}x" if jobs > 1 and what in single else "-",
        )
        for what, jobs, timing in rows
    ]
    ceiling = [timing for what, _, timing in rows if what.startswith(CEILING)]
    reached = (
        f"\n\n`clean_many` with 2 jobs reached {ceiling[0].wall / rows[1][2].wall:.0%} of the ceiling's speed-up "
        f"({one_job.wall / ceiling[0].wall:.2f}x): two processes that share nothing, on this machine, at that time."
        if ceiling
        else ""
    )
    headers = (
        "what",
        "jobs",
        "wall s",
        "CPU s (all processes)",
        "cores busy",
        "MB/s",
        f"speed-up (target >= {JOBS_TARGET}x)",
    )
    return (
        f"### c. --jobs (~{megabytes:g} MB of natural-length documents)\n\n"
        + markdown_table((*headers, "CPU-bound estimate, 2 free cores"), table)
        + "\n\n'cores busy' is CPU seconds over wall seconds: below ~1.9 with 2 jobs means a process waited "
        "(for the other, or for a core other programs held). The estimate divides one job's CPU seconds by "
        "half the CPU seconds of the two jobs' processes: the speed-up if the work spread evenly, nothing else "
        "ran and two busy cores ran as fast as one; the ceiling row measures what two busy cores do." + reached
    )


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: documents up to 1 MB, 2 MB and 5 MB corpora")
    parser.add_argument("--runs", type=int, help="runs per measurement; the median counts (default 3, --quick 1)")
    parser.add_argument("--cli-runs", type=int, default=3, help="runs of the CLI per job count (0: skip; default 3)")
    parser.add_argument("--only", choices=("size", "rules", "jobs"), action="append", help="run only these parts")
    parser.add_argument(
        "--max-size-mb", type=float, help="a.: only the documents up to this size (default 50, --quick 1)"
    )
    parser.add_argument("--rules-mb", type=float, help="b.: corpus size in MB (default 10, --quick 2)")
    parser.add_argument("--jobs-mb", type=float, help="c.: corpus size in MB (default 100, --quick 5)")
    parser.add_argument("--json", metavar="FILE", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    parts = args.only or ["size", "rules", "jobs"]
    runs = args.runs or (1 if args.quick else 3)
    sizes = QUICK_SIZES if args.quick else SIZES
    if args.max_size_mb is not None:
        sizes = tuple(size for size in SIZES if size <= args.max_size_mb * MB)
    rules_mb = args.rules_mb or (2.0 if args.quick else 10.0)
    jobs_mb = args.jobs_mb or (5.0 if args.quick else 100.0)
    figures: dict[str, Any] = {"runs": runs}

    print(f"## cleantext scaling benchmark{' (--quick)' if args.quick else ''}\n")
    print(machine_line())
    pool = article_pool()
    print(f"\nArticle pool: {len(pool)} articles, {sum(map(utf8_size, pool)) / MB:.2f} MB, boilerplate seed {SEED}.")
    if "size" in parts:
        figures["size"] = size_rows(Pipeline.load(), sizes, runs)
        print("\n" + sizes_markdown(figures["size"], runs))
    if "rules" in parts:
        timings = rule_count_rows(rules_mb, runs)
        figures["rules"] = {"megabytes": rules_mb, "timings": [[*key, timing] for key, timing in timings.items()]}
        print("\n" + rule_counts_markdown(timings, rules_mb, runs))
    if "jobs" in parts:
        figures["jobs"] = {"megabytes": jobs_mb, "rows": jobs_rows(jobs_mb, runs, args.cli_runs)}
        print("\n" + jobs_markdown(figures["jobs"]["rows"], jobs_mb))
    print(f"\nFinished {datetime.now().isoformat(timespec='minutes')}; load average {load_average()}.")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
