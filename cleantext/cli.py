"""The ``cleantext`` command: a thin layer over the library.

Exit codes: 0 all inputs cleaned; 1 some inputs failed (each named on stderr,
the others still cleaned); 2 usage or rule-file error (nothing was touched).
``main(argv)`` returns the exit code, so the command runs in-process in tests:
``main(["clean", "seeds/003_0175700b6812221d.txt"])`` prints the clean text.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import IO, Any

try:
    from cleantext import Pipeline, __version__
except ImportError:  # pragma: no cover - only with the clean-text package in the way
    raise SystemExit(
        "cleantext: the module 'cleantext' in this environment is not cleantext-toolkit's: the clean-text "
        "package installs a module with the same name. Uninstall both (pip uninstall clean-text "
        "cleantext-toolkit), then reinstall cleantext-toolkit, or keep them in separate environments."
    ) from None
from cleantext.config import Config, load_config
from cleantext.decode import ERRORS, Decoded, decode_chunks, decode_text, stream_encoding
from cleantext.errors import InputError, RuleError
from cleantext.examples import check_rule_examples
from cleantext.explain import Stats
from cleantext.extract import extract_article, looks_like_html, starts_like_html
from cleantext.inputs import (
    COMPRESSED_SUFFIXES,
    DECOMPRESSION_ERRORS,
    HTML_SUFFIXES,
    MAX_DOCUMENT_BYTES,
    CountingReader,
    Input,
    compression_of,
    discover,
    open_input,
    read_bytes,
    read_jsonl_records,
    stdin_looks_like_jsonl,
)
from cleantext.outputs import AtomicFile, OutputError, write_atomic
from cleantext.pipeline import DEFAULT_TIMEOUT
from cleantext.rules import OPTIONS, builtin_pack_names, load_pack, load_packs, rules_dir
from cleantext.sinks import Sink
from cleantext.steps import trigger_of
from cleantext.variants import count_names, find_clusters, lexicon_toml
from cleantext.windows import WINDOW_CHARS, Window

__all__ = ["main"]

PROG = "cleantext"


CLEAN_EXAMPLES = """\
examples:
  cleantext clean article.txt                   print the clean text
  cleantext clean seeds/ -o out/                a folder in, a folder out (same names; HTML pages as .txt)
  cleantext clean page.html --format json       the clean text with its edits and metadata
  cleantext clean corpus.jsonl -o clean.jsonl   clean the "text" field of every record
  cat corpus.jsonl | cleantext clean - --text-field body
  cleantext clean article.txt --explain         what each rule removed or changed
  cleantext clean notes/ --in-place             rewrite files where they are
"""

CORPUS_EXAMPLES = """\
examples:
  cleantext stats corpus/                       what every rule did, most impact first
  cleantext variants corpus/ -o my_names.toml   name spellings as a lexicon pack for --rules
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Strip boilerplate from article text and normalize it, with provenance.",
        epilog="Run 'cleantext COMMAND --help' for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    clean = commands.add_parser(
        "clean",
        help="clean files, folders or stdin",
        description="Clean files, folders (recursed) or stdin (-).",
        epilog=CLEAN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    clean.add_argument("paths", nargs="*", metavar="PATH", help="files, folders, or - for stdin (default: stdin)")
    reading = clean.add_argument_group("input")
    _add_input_options(reading)
    reading.add_argument(
        "--window",
        type=_non_negative_int,
        default=WINDOW_CHARS,
        metavar="CHARS",
        help="clean a plain-text file of more than twice this many bytes in windows of about this many "
        f"characters, cut at blank lines, in bounded memory (default {WINDOW_CHARS}; 0: always whole)",
    )
    writing = clean.add_argument_group("output")
    target = writing.add_mutually_exclusive_group()
    target.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="output file, or folder (a folder when several inputs or a folder are given, or OUT ends with /); "
        "default: standard output",
    )
    target.add_argument("--in-place", action="store_true", help="rewrite each input file atomically")
    writing.add_argument(
        "--format",
        choices=("text", "json", "jsonl"),
        default="text",
        help="text (default); json: the provenance object (an array for several documents); jsonl: one object per line",
    )
    writing.add_argument(
        "--provenance",
        action="store_true",
        help="JSON Lines output: add the edits and metadata under a 'cleantext' field",
    )
    writing.add_argument(
        "--on-error",
        choices=("skip", "keep"),
        default="skip",
        help="JSON Lines: skip a bad line (default) or pass it through untouched; either way it is reported",
    )
    view = clean.add_argument_group("seeing what cleaning does (nothing is rewritten)").add_mutually_exclusive_group()
    view.add_argument(
        "--mark",
        action="store_true",
        help="dry run: write the source with every proposed edit marked (--format text) or the edits (json)",
    )
    view.add_argument(
        "--explain",
        action="store_true",
        help="show each document with removals struck through and replacements as old -> new, with rule ids",
    )
    view.add_argument("--diff", action="store_true", help="print a unified diff of source and clean text")
    _add_rule_options(clean.add_argument_group("rules and style"))
    running = clean.add_argument_group("running")
    _add_jobs_option(running)
    running.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary line on stderr")
    running.add_argument("-v", "--verbose", action="store_true", help="one line on stderr per document cleaned")
    clean.set_defaults(handler=run_clean)

    stats = commands.add_parser(
        "stats",
        help="per rule and category: documents hit, characters removed or replaced, examples",
        description="Clean a corpus without writing it and report what every rule did, most impact first.",
        epilog=CORPUS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_corpus_options(stats)
    stats.add_argument("--examples", type=int, default=3, metavar="N", help="example snippets per rule (default 3)")
    stats.add_argument(
        "--timing",
        action="store_true",
        help="also report where the time went: seconds, evaluations and changes of every step, slowest first",
    )
    _add_rule_options(stats.add_argument_group("rules and style"))
    stats.set_defaults(handler=run_stats)

    variants = commands.add_parser(
        "variants",
        help="propose name-variant clusters as a lexicon",
        description="Find spellings of one name in a corpus (Zelensky / Zelenskyy / Zelenksy) and propose a lexicon.",
        epilog=CORPUS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_corpus_options(variants)
    variants.add_argument("-o", "--output", metavar="FILE", help="write the new clusters as a lexicon pack for --rules")
    variants.add_argument("--all", action="store_true", help="also write clusters the built-in lexicon already covers")
    variants.set_defaults(handler=run_variants)

    config = commands.add_parser(
        "config",
        help="print the effective configuration and where each value came from",
        description="Print the effective configuration: --config FILE, else cleantext.toml, else "
        "[tool.cleantext] in pyproject.toml, with command-line flags on top. Rule ids are checked.",
    )
    _add_rule_options(config)
    config.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    config.set_defaults(handler=run_config)

    rules = commands.add_parser("rules", help="list, show and test rules", description="List, show and test rules.")
    rule_commands = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    listing = rule_commands.add_parser("list", help="list the rules (id, category, kind, stage, description)")
    listing.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    listing.add_argument("--all", action="store_true", help="include rules that are off by default")
    listing.add_argument(
        "--untriggered",
        action="store_true",
        help="only the rules without a trigger: no literal could be derived from them, so they run on every document",
    )
    _add_rule_options(listing)
    listing.set_defaults(handler=run_rules_list)
    show = rule_commands.add_parser("show", help="show one rule with its examples")
    show.add_argument("rule_id", metavar="ID", help="the rule's id, such as bylines.by-name")
    show.add_argument("--rules", action="append", default=[], metavar="FILE", help="also load this pack file")
    show.set_defaults(handler=run_rules_show)
    test = rule_commands.add_parser("test", help="run the examples of pack files (default: the built-in packs)")
    test.add_argument("files", nargs="*", metavar="FILE", help="pack files (default: every built-in pack)")
    test.set_defaults(handler=run_rules_test)
    return parser


def _add_input_options(group: argparse._ActionsContainer) -> None:
    """How inputs are read: the same options for ``clean``, ``stats`` and ``variants``."""
    group.add_argument(
        "--input-format",
        choices=("auto", "text", "html", "jsonl"),
        default="auto",
        help="auto (default): .jsonl/.ndjson files and JSON Lines on stdin are JSON Lines, and a file or record "
        "that looks like an HTML page is reduced to its article body first; text, html, jsonl: treat every input so",
    )
    group.add_argument(
        "--text-field",
        metavar="FIELD",
        help="the text field of JSON Lines records, dotted for nested (meta.body); default: text. "
        "Given, it also marks stdin as JSON Lines",
    )
    group.add_argument(
        "--encoding", metavar="NAME", help="decode every input with this encoding instead of detecting it"
    )
    group.add_argument(
        "--errors",
        choices=ERRORS,
        default="warn",
        help="warn (default): refuse undecodable input, warn when the encoding is a low-confidence guess; "
        "strict: refuse both; replace: decode undecodable bytes as U+FFFD",
    )
    group.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files whose name matches GLOB when walking folders (repeatable)",
    )
    group.add_argument(
        "--max-size",
        type=_positive_float,
        default=MAX_DOCUMENT_BYTES / 2**20,
        metavar="MB",
        help="the most megabytes (unpacked) of one document cleaned whole: a page, a JSON Lines record, legacy "
        f"text (default {MAX_DOCUMENT_BYTES / 2**20:g}); plain UTF-8 text beyond it is cleaned in windows",
    )
    group.add_argument(
        "--follow-links",
        action="store_true",
        help="in folders, read symbolic links that lead out of the folder, and walk linked folders",
    )


def _add_jobs_option(group: argparse._ActionsContainer) -> None:
    group.add_argument("--jobs", type=_positive_int, default=1, metavar="N", help="worker processes (default 1)")


def _add_corpus_options(parser: argparse.ArgumentParser) -> None:
    """The options of the commands that read a corpus without writing it (what :class:`_Corpus` reads)."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursed), or - for stdin")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    _add_input_options(parser.add_argument_group("input"))
    _add_jobs_option(parser)


def _add_rule_options(parser: argparse._ActionsContainer) -> None:
    # Defaults are None so that a flag given on the command line can be told
    # apart from the configuration file's value, which it overrides.
    parser.add_argument(
        "--config", metavar="FILE", help="configuration file (default: cleantext.toml or pyproject.toml)"
    )
    parser.add_argument("--rules", action="append", metavar="FILE", help="add a rule pack file (repeatable)")
    parser.add_argument(
        "--enable", action="append", metavar="ID", help="turn on rules by id, category, pack or glob (repeatable)"
    )
    parser.add_argument(
        "--disable",
        action="append",
        metavar="ID",
        help="turn off rules by id, category, pack or glob (repeatable; wins over --enable)",
    )
    parser.add_argument(
        "--canonical",
        action="append",
        metavar="SPELLING",
        help="prefer this spelling for its lexicon entry (--canonical Zelensky; repeatable)",
    )
    parser.add_argument("--quotes", choices=OPTIONS["quotes"], help="quote style of the output (default ascii)")
    parser.add_argument(
        "--names",
        choices=OPTIONS["names"],
        help="native (default): names written in their own language's letters stay so (Kraków); "
        "ascii: every name in its lexicon spelling (Krakow)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help=f"time limit of one rule's pattern on one line or paragraph, or per million characters of a document "
        f"(default {DEFAULT_TIMEOUT})",
    )


def _reads_as_jsonl(args: argparse.Namespace, item: Input) -> bool:
    """Whether ``item`` is read as JSON Lines: by ``--input-format``, else by its name, or on stdin by its content."""
    if args.input_format != "auto":
        return args.input_format == "jsonl"
    if item.path is not None:
        return item.is_jsonl
    return args.text_field is not None or stdin_looks_like_jsonl()


def _text_field(args: argparse.Namespace) -> str:
    """The JSON Lines field to clean: ``--text-field``, else ``text``."""
    return args.text_field or "text"


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise argparse.ArgumentTypeError("must be above 0")
    return number


def _max_bytes(args: argparse.Namespace) -> int:
    return int(args.max_size * 2**20)


def _non_negative_int(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2
    previous = (
        signal.signal(signal.SIGTERM, _terminate) if threading.current_thread() is threading.main_thread() else None
    )
    try:
        return args.handler(args)
    except _Terminated:
        _say("terminated")
        return 143
    except RuleError as error:
        _say(f"error: {error}")
        return 2
    except BrokenPipeError:
        # The reader went away (``| head``); that is not a failure of ours.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class _Terminated(BaseException):
    """SIGTERM, raised where the program is so that partial outputs are dropped on the way out."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


def _in_place_refusal(path: Path) -> str | None:
    """Why ``--in-place`` must leave ``path`` alone, or None; OSError when it cannot even be looked at."""
    if compression_of(path):
        return "--in-place does not rewrite compressed files; write with -o instead"
    status = path.stat()
    # Read-only to us, or to everyone by its mode (root may write anything).
    if not os.access(path, os.W_OK) or not status.st_mode & 0o222:
        return "--in-place leaves read-only files alone; make it writable or use -o"
    if status.st_nlink > 1:
        return (
            f"--in-place leaves a file with {status.st_nlink} hard links alone (replacing it would part them); "
            "write with -o instead"
        )
    return None


def _say(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def _effective_config(args: argparse.Namespace) -> Config:
    keys = ("rules", "enable", "disable", "canonical", "quotes", "names", "timeout")
    return load_config(args.config).overridden({key: getattr(args, key) for key in keys})


def _load_pipeline(args: argparse.Namespace) -> Pipeline:
    # JSON Lines records are told apart as HTML or text one by one.
    input_format = getattr(args, "input_format", "auto")
    return Pipeline.load(
        **_effective_config(args).pipeline_options(), input_format="auto" if input_format == "jsonl" else input_format
    )


def run_config(args: argparse.Namespace) -> int:
    """``cleantext config``: the effective configuration and where each value came from.

    The pipeline is loaded as ``clean`` would load it, so an unknown rule id or
    a broken pack file is refused here too.
    """
    _load_pipeline(args)
    settings = _effective_config(args).as_dict()
    if args.format == "json":
        print(json.dumps(settings, ensure_ascii=False, indent=2))
        return 0
    for key, entry in settings.items():
        print(f"{key:<10} = {json.dumps(entry['value'], ensure_ascii=False):<40} ({entry['source']})")
    return 0


# ---- clean -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Task:
    """One step of a run in input order: a document to clean, or a marker for the writer."""

    kind: str  # "start", "document", "windows", "end", "error", "raw"
    item: Input | None = None
    data: str | bytes | None = None
    name: str | None = None
    record: dict[str, Any] | None = None
    message: str | None = None
    encoding: str | None = None
    layout: str | None = None  # "field" for a JSON Lines record's text


class _Run:
    """The bookkeeping of one ``clean`` run: where output goes and what failed."""

    def __init__(
        self, args: argparse.Namespace, inputs: list[Input], out_folder: Path | None, pipeline: Pipeline
    ) -> None:
        self.args = args
        self.pipeline = pipeline
        self.view = next((v for v in ("mark", "explain", "diff") if getattr(args, v)), "clean")
        self.inputs = inputs
        self.out_folder = out_folder
        self.cleaned = 0
        self.failed = 0
        self.emitter: Sink | None = None
        self.target: AtomicFile | None = None
        self.shared: Sink | None = None
        self.shared_target: AtomicFile | None = None
        self.progress: _Progress | None = None
        self.per_input = bool(args.in_place or out_folder is not None)
        self.claimed: dict[Path, str] = {}  # output file -> the input that writes it

    def is_jsonl(self, item: Input) -> bool:
        return _reads_as_jsonl(self.args, item)

    def open_shared(self) -> None:
        if self.per_input:
            return
        many = (
            len(self.inputs) != 1
            or any(self.is_jsonl(i) for i in self.inputs)
            or any(i.path is not None and i.relative != Path(i.path.name) for i in self.inputs)
        )
        if self.args.output:
            self.shared_target = AtomicFile(Path(self.args.output))  # OutputError: reported by the caller
            stream: IO[bytes] = self.shared_target.stream
        else:
            stream = sys.stdout.buffer
        self.shared = self._emitter(stream, many)

    def _emitter(self, stream: IO[bytes], many: bool) -> Sink:
        return Sink(
            stream,
            fmt=self.args.format,
            many=many,
            provenance=self.args.provenance,
            text_field=_text_field(self.args),
            view=self.view,
        )

    def start(self, item: Input) -> None:
        if not self.per_input:
            self.emitter = self.shared
            return
        if self.args.in_place:
            assert item.path is not None
            path = item.path.resolve()  # through a symbolic link, the file it names is rewritten
        else:
            path = self._folder_target(item)
        other = self.claimed.setdefault(path, item.label)
        if other != item.label:
            self.emitter = None
            self.fail(f"{item.label}: its output {path} is already written for {other}; rename one of them")
            return
        try:
            refusal = _in_place_refusal(path) if self.args.in_place else None
            if refusal:
                self.emitter = None
                self.fail(f"{item.label}: {refusal}")
                return
            # Subfolders under the output folder mirror the input tree.
            self.target = AtomicFile(path, make_parents=not self.args.in_place)
        except OutputError as error:
            self.target = self.emitter = None
            self.fail(f"{item.label}: {error}")
            return
        except OSError as error:
            self.target = self.emitter = None
            self.fail(f"{item.label}: cannot write {path}: {error.strerror or error}")
            return
        self.emitter = self._emitter(self.target.stream, self.is_jsonl(item))

    def end(self, item: Input, *, ok: bool) -> None:
        if not self.per_input or self.emitter is None or self.target is None:
            return
        try:
            self.emitter.close()
            if ok:
                self.target.commit()
            else:
                self.target.abort()
        except OSError as error:
            self.target.abort()
            self.fail(f"{item.label}: cannot write {self.target.path}: {error.strerror or error}")
        self.emitter = self.target = None

    def abort(self) -> None:
        """Leave no partial output behind (an interrupted or failed run)."""
        for target in (self.target, self.shared_target):
            if target is not None:
                target.abort()

    def _folder_target(self, item: Input) -> Path:
        assert self.out_folder is not None
        relative = item.relative
        if relative.suffix in COMPRESSED_SUFFIXES:
            relative = relative.with_suffix("")  # the output is written uncompressed
        if (
            self.args.format == "text"
            and self.args.input_format != "text"
            and relative.suffix.lower() in HTML_SUFFIXES
            and not self.is_jsonl(item)
        ):
            relative = relative.with_suffix(".txt")  # the article's text, not a page
        if self.args.format != "text" and not self.is_jsonl(item):
            relative = relative.with_name(relative.name + "." + self.args.format)
        return self.out_folder / relative

    def fail(self, message: str) -> None:
        self.failed += 1
        _say(f"error: {message}")

    def advance(self, characters: int = 0) -> None:
        """One more document done (cleaned or failed), for the progress bar."""
        if self.progress is not None:
            self.progress.update(characters, self.failed)

    def finish(self) -> None:
        if self.shared is None:
            return
        self.shared.close()
        if self.shared_target is None:
            return
        if self.failed and not self.cleaned and not self.shared.passed_through:
            # Nothing succeeded: an existing output stays as it was, and none is created.
            self.shared_target.abort()
        else:
            self.shared_target.commit()


def run_clean(args: argparse.Namespace) -> int:
    """``cleantext clean``: clean every input, write the results, report failures."""
    if args.in_place and args.format != "text":
        _say("error: --in-place writes clean text only; drop --format or use -o")
        return 2
    if args.in_place and (args.mark or args.explain or args.diff):
        _say("error: --mark, --explain and --diff change nothing; drop --in-place")
        return 2
    paths = args.paths or ["-"]
    if args.in_place and "-" in paths:
        _say("error: --in-place needs files, not stdin")
        return 2
    pipeline = _load_pipeline(args)
    out_folder = _output_folder(args, paths)
    try:
        if out_folder is not None:
            _make_output_folder(out_folder)
        _refuse_output_among_inputs(args, paths, out_folder)
        inputs = list(discover(paths, exclude=args.exclude, skip=out_folder, follow_links=args.follow_links))
        run = _Run(args, inputs, out_folder, pipeline)
        run.open_shared()
    except OutputError as error:
        _say(f"error: {error}")
        return 2
    pending: deque[_Task] = deque()

    def feed() -> Iterator[tuple[str | bytes, str | None, str | None]]:
        for task in _tasks(run):
            pending.append(task)
            if task.kind == "document":
                assert task.data is not None
                yield task.data, task.name, task.layout

    failed_inputs: set[str] = set()
    any_jsonl = any(map(run.is_jsonl, inputs))
    show_progress = not args.quiet and sys.stderr.isatty() and (len(inputs) > 1 or any_jsonl)
    # Without JSON Lines every input is one document, so the total is known.
    progress = _Progress(total=None if any_jsonl else len(inputs)) if show_progress else None
    run.progress = progress
    try:
        for outcome in pipeline.clean_many(feed(), jobs=args.jobs, on_error="return"):
            run.advance(0 if isinstance(outcome, InputError) else len(outcome.source))
            while pending[0].kind != "document":
                _handle_marker(run, pending.popleft(), failed_inputs)
            task = pending.popleft()
            assert task.item is not None
            if isinstance(outcome, InputError):
                run.fail(str(outcome))
                failed_inputs.add(task.item.label)
                continue
            if run.emitter is None:
                continue  # its output could not be opened, which was reported
            if task.encoding:
                outcome = replace(outcome, encoding=task.encoding)
            for warning in outcome.warnings:
                _say(f"warning: {warning}")
            if task.record is not None:
                run.emitter.record(task.record, outcome)
            else:
                run.emitter.document(outcome)
            run.cleaned += 1
            if args.verbose:
                _say(f"cleaned {outcome.name}: {len(outcome.edits)} edits")
        while pending:
            _handle_marker(run, pending.popleft(), failed_inputs)
        run.finish()
    except BrokenPipeError:
        run.abort()
        raise
    except OSError as error:
        # Writing failed (a full disk, a read-only folder): no partial file is left.
        target = run.target.path if run.target is not None else (args.output or "standard output")
        run.abort()
        _say(f"error: cannot write {target}: {error.strerror or error}")
        return 1
    except BaseException:
        # Interrupted or failed: the files finished so far stay (their end markers
        # come before the document that was cut short), the one being written is
        # dropped, and no input was touched.
        try:
            while pending and pending[0].kind != "document":
                _handle_marker(run, pending.popleft(), failed_inputs)
        finally:
            run.abort()
        raise
    finally:
        if progress is not None:
            progress.stop()
    if not args.quiet and (len(inputs) > 1 or run.failed or any_jsonl):
        _say(f"cleaned {run.cleaned}, failed {run.failed}")
    return 1 if run.failed else 0


class _Progress:
    """A progress bar on stderr: documents (of ``total`` when known, with the time left), speed and failures."""

    def __init__(self, total: int | None = None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        counted: tuple[ProgressColumn, ...] = (
            (BarColumn(), MofNCompleteColumn(), TextColumn("documents"))
            if total is not None
            else (TextColumn("{task.completed} documents"),)
        )
        remaining: tuple[ProgressColumn, ...] = (TimeRemainingColumn(),) if total is not None else ()
        self.bar = Progress(
            SpinnerColumn(),
            *counted,
            TextColumn("{task.fields[speed]}"),
            TextColumn("{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            *remaining,
            console=Console(stderr=True),
            transient=False,
        )
        self.task = self.bar.add_task("cleaning", total=total, failed=0, speed="")
        self.characters = 0
        self.started = time.monotonic()
        self.bar.start()

    def update(self, characters: int, failed: int) -> None:
        """One more document done, of ``characters`` characters."""
        self.characters += characters
        elapsed = max(time.monotonic() - self.started, 1e-9)
        speed = f"{self.characters / elapsed / 1e6:.2f} M chars/s"
        self.bar.update(self.task, advance=1, failed=failed, speed=speed)

    def stop(self) -> None:
        self.bar.stop()


def _handle_marker(run: _Run, task: _Task, failed_inputs: set[str]) -> None:
    assert task.item is not None
    if task.kind == "start":
        run.start(task.item)
    elif task.kind == "end":
        run.end(task.item, ok=task.item.label not in failed_inputs)
    elif task.kind == "error":
        run.fail(task.message or "failed")
        if not run.is_jsonl(task.item):
            failed_inputs.add(task.item.label)
            run.advance()
    elif task.kind == "raw" and run.emitter is not None:
        run.emitter.raw(task.data if isinstance(task.data, bytes) else b"")
    elif task.kind == "windows" and run.emitter is not None:
        _clean_in_windows(run, task.item, task.encoding or "utf-8", failed_inputs)


class _ReadFailed(Exception):
    """Reading an input failed halfway through (the message names it and the reason)."""


def _clean_in_windows(run: _Run, item: Input, encoding: str, failed_inputs: set[str]) -> None:
    """Clean one long plain-text file in windows, writing each as soon as it is clean."""
    assert run.emitter is not None

    def pieces() -> Iterator[str]:
        try:
            with open_input(item) as stream:
                yield from decode_chunks(stream, encoding)
        except (OSError, UnicodeDecodeError, InputError, *DECOMPRESSION_ERRORS) as error:
            reason = getattr(error, "strerror", None) or error or type(error).__name__
            raise _ReadFailed(f"{item.label}: cannot read ({reason})") from None

    edits = 0

    def reported(windows: Iterator[Window]) -> Iterator[Window]:
        nonlocal edits
        for window in windows:
            for warning in window.result.warnings:
                _say(f"warning: {warning}")
            edits += len(window.result.edits)
            yield window

    windows = run.pipeline.clean_windows(
        pieces(), name=item.label, encoding=encoding, window_chars=run.args.window, jobs=run.args.jobs
    )
    try:
        if run.per_input:
            # Its own file, renamed into place at the end (or dropped on failure).
            run.emitter.windows(reported(windows), name=item.label, encoding=encoding)
        else:
            # A shared output gets whole documents only: the windows wait on disk.
            with tempfile.TemporaryFile() as staged:
                staging = copy.copy(run.emitter)
                staging.stream = staged
                staging.windows(reported(windows), name=item.label, encoding=encoding)
                staged.seek(0)
                shutil.copyfileobj(staged, run.emitter.stream)
                run.emitter.count = staging.count
    except _ReadFailed as error:
        run.fail(str(error))
        failed_inputs.add(item.label)
        run.advance()
        return
    run.cleaned += 1
    run.advance()
    if run.args.verbose:
        _say(f"cleaned {item.label}: {edits} edits (in windows)")


def _refuse_output_among_inputs(args: argparse.Namespace, paths: list[str], out_folder: Path | None) -> None:
    """An output that is also an input would be read while it is written: refuse it."""
    if not args.output:
        return
    output = Path(args.output).resolve()
    for given in paths:
        if given == "-":
            continue
        source = Path(given).resolve()
        if source == output:
            what = "folder" if out_folder is not None else "file"
            raise OutputError(
                f"the output {what} {args.output} is also an input; write somewhere else, or use --in-place"
            )


def _make_output_folder(folder: Path) -> None:
    """Create the output folder; its parent must exist (a mistyped path is not created silently)."""
    if folder.is_dir():
        return
    if folder.exists():
        raise OutputError(f"cannot write {folder}/: it is a file, not a folder")
    if not folder.parent.is_dir():
        raise OutputError(f"cannot write {folder}/: no folder {folder.parent}")
    try:
        folder.mkdir()
    except OSError as error:
        raise OutputError(f"cannot write {folder}/: {error.strerror or error}") from None


def _output_folder(args: argparse.Namespace, paths: list[str]) -> Path | None:
    if not args.output:
        return None
    output = Path(args.output)
    if output.is_dir() or args.output.endswith(("/", os.sep)) or len(paths) > 1 or any(Path(p).is_dir() for p in paths):
        return output
    return None


def _tasks(run: _Run) -> Iterator[_Task]:
    args = run.args
    for item in run.inputs:
        if item.error:
            yield _Task("error", item, message=f"{item.label}: {item.error}")
            continue
        yield _Task("start", item)
        window_encoding = _window_encoding(run, item)
        if window_encoding is not None:
            yield _Task("windows", item, encoding=window_encoding)
            yield _Task("end", item)
            continue
        try:
            if run.is_jsonl(item):
                # Streamed line by line: memory stays flat however long the file.
                with open_input(item) as stream:
                    for record in read_jsonl_records(stream, item.label, _text_field(args), limit=_max_bytes(args)):
                        if record.error:
                            yield _Task("error", item, message=record.error)
                            if args.on_error == "keep":
                                yield _Task("raw", item, data=record.raw)
                        else:
                            name = f"{item.label}:{record.line}"
                            yield _Task(
                                "document", item, data=record.text, name=name, record=record.record, layout="field"
                            )
                yield _Task("end", item)
                continue
            data = read_bytes(item, limit=_max_bytes(args))
        except DECOMPRESSION_ERRORS as error:
            message = f"{item.label}: cannot decompress ({error or type(error).__name__})"
            yield _Task("error", item, message=message)
            yield _Task("end", item)
            continue
        except OSError as error:
            yield _Task("error", item, message=f"{item.label}: cannot read ({error.strerror or error})")
            yield _Task("end", item)
            continue
        except InputError as error:
            yield _Task("error", item, message=str(error.named(item.label)))
            yield _Task("end", item)
            continue
        if args.encoding or args.errors != "warn":
            try:
                decoded = _decoded(data, item, args)
            except InputError as error:
                yield _Task("error", item, message=str(error.named(item.label)))
            else:
                yield _Task("document", item, data=decoded.text, name=item.label, encoding=decoded.encoding)
        else:
            yield _Task("document", item, data=data, name=item.label)
        yield _Task("end", item)


def _decoded(data: bytes, item: Input, args: argparse.Namespace) -> Decoded:
    """``data`` decoded with ``--encoding`` and ``--errors``, a low-confidence guess reported on stderr."""
    decoded = decode_text(data, encoding=args.encoding, errors=args.errors)
    if decoded.doubtful:
        _say(f"warning: {decoded.warning(item.label)}")
    return decoded


def _window_encoding(run: _Run, item: Input) -> str | None:
    """The encoding to clean ``item`` in windows with, or None to clean it whole.

    Only a plain-text file of more than twice ``--window`` bytes is cut into
    windows, and only once it is known to decode all through (read once
    first), so an input that fails, fails before any of it is written.
    """
    args = run.args
    if not args.window or item.path is None or run.view != "clean" or args.input_format == "html":
        return None
    if run.is_jsonl(item):
        return None
    try:
        # A compressed file's own size says nothing of what it unpacks to: 90 KB of zstd can hold 1 GB.
        if compression_of(item.path) is None and item.path.stat().st_size <= 2 * args.window:
            return None
        with open_input(item) as stream:
            counted = CountingReader(stream)
            encoding = stream_encoding(counted, encoding=args.encoding)  # type: ignore[arg-type]
        if encoding is None or counted.count <= 2 * args.window:
            return None
        if args.input_format == "text":
            return encoding
        # A page is extracted whole; one that only starts like a page is too.
        with open_input(item) as stream:
            head = next(decode_chunks(stream, encoding), "")
        return None if starts_like_html(head) else encoding
    except (OSError, InputError, ValueError, *DECOMPRESSION_ERRORS):
        return None  # the whole-input path reads it again and reports what is wrong


# ---- stats and variants ----------------------------------------------------


class _Corpus:
    """The documents of a corpus as ``(text, name, layout)``, read as ``clean`` reads them, failures reported."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.failed = 0

    def __iter__(self) -> Iterator[tuple[str, str, str | None]]:
        args = self.args
        for item in discover(args.paths, exclude=args.exclude, follow_links=args.follow_links):
            try:
                if item.error:
                    raise InputError(item.error)
                if _reads_as_jsonl(args, item):
                    with open_input(item) as stream:
                        records = read_jsonl_records(stream, item.label, _text_field(args), limit=_max_bytes(args))
                        for record in records:
                            if record.text is not None:
                                yield record.text, f"{item.label}:{record.line}", "field"
                            else:
                                self.fail(record.error or f"{item.label}:{record.line}: no text")
                    continue
                yield _decoded(read_bytes(item, limit=_max_bytes(args)), item, args).text, item.label, None
            except InputError as error:
                self.fail(f"{item.label}: {error.reason}")
            except DECOMPRESSION_ERRORS as error:
                self.fail(f"{item.label}: cannot decompress ({error or type(error).__name__})")
            except OSError as error:
                self.fail(f"{item.label}: cannot read ({error.strerror or error})")

    def fail(self, message: str) -> None:
        self.failed += 1
        _say(f"error: {message}")


def run_stats(args: argparse.Namespace) -> int:
    """``cleantext stats PATH ...``: what every rule did over a corpus, most impact first."""
    pipeline = _load_pipeline(args)
    corpus = _Corpus(args)
    stats = Stats(examples=args.examples)
    for outcome in pipeline.clean_many(corpus, jobs=args.jobs, on_error="return"):
        if isinstance(outcome, InputError):
            corpus.fail(str(outcome))
        else:
            stats.add(outcome)
    if args.format == "json":
        report = stats.to_dict()
        if args.timing:
            report["timing"] = stats.timing()
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(stats.to_text(), end="")
        if args.timing:
            print("\n" + stats.timing_text(), end="")
    return 1 if corpus.failed else 0


def _article_text(text: str, input_format: str) -> str:
    """The text to count names in: a page's article body, else the text itself."""
    if input_format == "html" or (input_format == "auto" and looks_like_html(text)):
        return extract_article(text).body
    return text


def run_variants(args: argparse.Namespace) -> int:
    """``cleantext variants PATH ...``: print name-variant clusters and write the new ones as a pack."""
    corpus = _Corpus(args)
    texts = (_article_text(text, args.input_format) for text, _, _ in corpus)
    clusters = find_clusters(count_names(texts, jobs=args.jobs))
    known = {
        spelling: rule.id
        for rule in load_packs(builtin_pack_names())
        if rule.kind == "lexicon"
        for spelling in (rule.canonical or "", *rule.variants)
    }
    covered = {c.canonical: next((known[s] for s in (c.canonical, *c.variants) if s in known), None) for c in clusters}
    if args.format == "json":
        rows = [{**asdict(c), "counts": dict(c.counts), "in_lexicon": covered[c.canonical]} for c in clusters]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for cluster in clusters:
            note = f"  [already in {covered[cluster.canonical]}]" if covered[cluster.canonical] else ""
            print(cluster.describe() + note)
    new = [c for c in clusters if not covered[c.canonical]]
    _say(f"{len(clusters)} clusters, {len(new)} not in the built-in lexicon")
    if args.output:
        write_atomic(Path(args.output), lexicon_toml(clusters if args.all else new))
    return 1 if corpus.failed else 0


# ---- rules -----------------------------------------------------------------


def run_rules_list(args: argparse.Namespace) -> int:
    """``cleantext rules list``: the rules of the pipeline, one a line (or JSON)."""
    rules = (
        load_packs(builtin_pack_names(), _effective_config(args).rules)
        if args.all
        else list(_load_pipeline(args).rules)
    )
    triggers = {rule.id: trigger_of(rule).any_text for rule in rules}
    if args.untriggered:
        rules = [rule for rule in rules if triggers[rule.id] is None]
    if args.format == "json":
        # Whether a trigger was derived; `rules show` prints its literals.
        listed = [{**rule.summary(), "triggered": triggers[rule.id] is not None} for rule in rules]
        print(json.dumps(listed, ensure_ascii=False, indent=2))
        return 0
    width = max((len(rule.id) for rule in rules), default=0)
    for rule in rules:
        print(f"{rule.id:<{width}}  {rule.category:<11} {rule.kind:<8} {rule.stage:<9} {rule.description}")
    return 0


def _trigger_listing(trigger: tuple[frozenset[str], ...] | None) -> list[list[str]] | None:
    """A trigger as sorted lists of literals (None: the rule runs on every document)."""
    return None if trigger is None else [sorted(clause) for clause in trigger]


def run_rules_show(args: argparse.Namespace) -> int:
    """``cleantext rules show ID``: one rule, its pattern and its examples."""
    rules = load_packs(builtin_pack_names(), args.rules)
    matches = [rule for rule in rules if rule.id == args.rule_id]
    if not matches:
        _say(f"error: no rule {args.rule_id!r}; see 'cleantext rules list --all'")
        return 2
    rule = matches[0]
    for key, value in rule.summary().items():
        print(f"{key:<12} {value}")
    for key in ("pattern", "replacement", "canonical", "form"):
        value = getattr(rule, key)
        if value:
            print(f"{key:<12} {value!r}")
    trigger = _trigger_listing(trigger_of(rule).any_text)
    shown = " and ".join(f"any of {clause[:8]}{' ...' if len(clause) > 8 else ''}" for clause in trigger or [])
    print(f"{'trigger':<12} {shown or 'none: runs on every document'}")
    if rule.mapping:
        print(f"{'map':<12} {dict(rule.mapping)!r}")
    if rule.when:
        print(f"{'when':<12} {dict(rule.when)!r}")
    if not rule.enabled:
        print(f"{'enabled':<12} false (turn on with --enable {rule.id})")
    for number, example in enumerate(rule.examples, 1):
        verb = "fires" if example.fires else "must not fire"
        print(f"\nexample {number} ({verb}):\n  input:  {example.input!r}\n  output: {example.output!r}")
    return 0


def run_rules_test(args: argparse.Namespace) -> int:
    """``cleantext rules test [FILE ...]``: run every example of the packs; exit 1 on a failure."""
    files = args.files or [rules_dir() / f"{name}.toml" for name in builtin_pack_names()]
    packs = [load_pack(path) for path in files]
    rules = [rule for pack in packs for rule in pack]
    failures = 0
    examples = 0
    for pack in packs:
        for rule in pack:
            problems = check_rule_examples(rule, pack)
            examples += len(rule.examples)
            for problem in problems:
                failures += 1
                print(f"FAIL {rule.id}: {problem}")
    print(f"{len(rules)} rules, {examples} examples: {examples - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
