"""Batches: the inputs of a run read, cleaned and written, as ``cleantext clean``, ``stats`` and ``variants`` do.

Sources are files, folders, stdin, JSON Lines and compressed files
(:mod:`cleantext.inputs`); sinks are text, JSON and JSON Lines on stdout, in
a file, in a folder or in place, each written atomically
(:mod:`cleantext.sinks`, :mod:`cleantext.outputs`); long documents are
cleaned in windows, and ``jobs`` spreads the work over worker processes
(:mod:`cleantext.parallel`). :class:`BatchOptions` says what to read and how
to write it; :func:`clean_inputs` runs it all and returns the exit code.
Problems with one input are reported on stderr, and the others still get
cleaned.

Example::

    >>> from cleantext import Pipeline
    >>> options = BatchOptions(paths=["seeds/001_0c4f9f67d9c3a7ce.txt"], quiet=True)  # doctest: +SKIP
    >>> clean_inputs(options, Pipeline.load())  # doctest: +SKIP
    0
"""

from __future__ import annotations

import copy
import io
import os
import shutil
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import IO, Any

from cleantext.decode import Decoded, decode_chunks, decode_text, stream_encoding
from cleantext.emit import Cleaned, Result, cleaned_text
from cleantext.errors import InputError
from cleantext.extract import starts_like_html
from cleantext.inputs import (
    COMPRESSED_SUFFIXES,
    DECOMPRESSION_ERRORS,
    HTML_SUFFIXES,
    MAX_DOCUMENT_BYTES,
    CountingReader,
    Input,
    compression_of,
    discover,
    get_field,
    open_input,
    read_bytes,
    read_jsonl_records,
    stdin_looks_like_jsonl,
)
from cleantext.outputs import AtomicFile, OutputError
from cleantext.pipeline import Pipeline
from cleantext.sinks import Sink
from cleantext.sites import SiteProfile
from cleantext.windows import WINDOW_CHARS, Window

__all__ = [
    "AUTO_PROFILE",
    "SITE_FIELDS",
    "BatchOptions",
    "Corpus",
    "clean_inputs",
    "count_sites",
    "report",
    "site_of_input",
]

PROG = "cleantext"


@dataclass(frozen=True)
class BatchOptions:
    """What a run reads and how it writes: the options of ``cleantext clean`` (and of ``stats``, ``variants``)."""

    paths: list[str] = field(default_factory=lambda: ["-"])
    output: str | None = None
    format: str = "text"
    provenance: bool = False
    in_place: bool = False
    mark: bool = False
    explain: bool = False
    diff: bool = False
    input_format: str = "auto"
    text_field: str | None = None
    site: str | None = None
    site_field: str | None = None
    profile: str | None = None
    encoding: str | None = None
    errors: str = "warn"
    on_error: str = "skip"
    exclude: list[str] = field(default_factory=list)
    follow_links: bool = False
    max_size: float = MAX_DOCUMENT_BYTES / 2**20
    window: int = WINDOW_CHARS
    jobs: int = 1
    quiet: bool = False
    verbose: bool = False

    @classmethod
    def from_namespace(cls, namespace: Any) -> BatchOptions:
        """The options from parsed command-line arguments (those the namespace has)."""
        return cls(**{f.name: getattr(namespace, f.name) for f in fields(cls) if hasattr(namespace, f.name)})


def report(message: str) -> None:
    """One line on stderr, as the command prints it."""
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


def _reads_as_jsonl(options: BatchOptions, item: Input) -> bool:
    """Whether ``item`` is read as JSON Lines: by ``--input-format``, else by its name, or on stdin by its content."""
    if options.input_format != "auto":
        return options.input_format == "jsonl"
    if item.path is not None:
        return item.is_jsonl
    return options.text_field is not None or stdin_looks_like_jsonl()


def _text_field(options: BatchOptions) -> str:
    """The JSON Lines field to clean: ``--text-field``, else ``text``."""
    return options.text_field or "text"


def _max_bytes(options: BatchOptions) -> int:
    return int(options.max_size * 2**20)


AUTO_PROFILE = "auto"
"""``--profile auto``: count the inputs' sites first, then clean them with that profile."""

SITE_FIELDS = ("url", "domain", "site")
"""The fields of a JSON Lines record whose value is taken as its site when ``--site-field`` is not given."""


def site_of_input(options: BatchOptions, item: Input, record: dict[str, Any] | None = None) -> str | None:
    """Where a document comes from, for a site profile: ``--site``; a record's ``--site-field`` (else its
    ``url``, ``domain`` or ``site``); a file's first folder under the folder given (``crawl/example.com/1.html``
    is of ``example.com`` when ``crawl`` was given); else None."""
    if options.site:
        return options.site
    if record is not None:
        for name in (options.site_field,) if options.site_field else SITE_FIELDS:
            try:
                value = get_field(record, name)
            except KeyError:
                continue
            if isinstance(value, str) and value.strip():
                return value
        return None
    parts = item.relative.parts
    return parts[0] if item.path is not None and len(parts) > 1 else None


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
    site: str | None = None  # where the document comes from (see site_of_input)


class _Run:
    """The bookkeeping of one ``clean`` run: where output goes and what failed."""

    def __init__(self, options: BatchOptions, inputs: list[Input], out_folder: Path | None, pipeline: Pipeline) -> None:
        self.options = options
        self.pipeline = pipeline
        self.view = next((v for v in ("mark", "explain", "diff") if getattr(options, v)), "clean")
        self.inputs = inputs
        self.out_folder = out_folder
        self.cleaned = 0
        self.failed = 0
        self.emitter: Sink | None = None
        self.target: AtomicFile | None = None
        self.shared: Sink | None = None
        self.shared_target: AtomicFile | None = None
        self.progress: _Progress | None = None
        self.per_input = bool(options.in_place or out_folder is not None)
        self.claimed: dict[Path, str] = {}  # output file -> the input that writes it

    def is_jsonl(self, item: Input) -> bool:
        return _reads_as_jsonl(self.options, item)

    def writes_text_only(self) -> bool:
        """Whether all the output holds of every input's documents is their clean text."""
        probe = self._emitter(io.BytesIO(), many=True)  # the options of every sink the run opens
        return all(probe.writes_text_only(records=self.is_jsonl(item)) for item in self.inputs)

    def open_shared(self) -> None:
        if self.per_input:
            return
        many = (
            len(self.inputs) != 1
            or any(self.is_jsonl(i) for i in self.inputs)
            or any(i.path is not None and i.relative != Path(i.path.name) for i in self.inputs)
        )
        if self.options.output:
            self.shared_target = AtomicFile(Path(self.options.output))  # OutputError: reported by the caller
            stream: IO[bytes] = self.shared_target.stream
        else:
            stream = sys.stdout.buffer
        self.shared = self._emitter(stream, many)

    def _emitter(self, stream: IO[bytes], many: bool) -> Sink:
        return Sink(
            stream,
            fmt=self.options.format,
            many=many,
            provenance=self.options.provenance,
            text_field=_text_field(self.options),
            view=self.view,
        )

    def start(self, item: Input) -> None:
        if not self.per_input:
            self.emitter = self.shared
            return
        if self.options.in_place:
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
            refusal = _in_place_refusal(path) if self.options.in_place else None
            if refusal:
                self.emitter = None
                self.fail(f"{item.label}: {refusal}")
                return
            # Subfolders under the output folder mirror the input tree.
            self.target = AtomicFile(path, make_parents=not self.options.in_place)
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
            self.options.format == "text"
            and self.options.input_format != "text"
            and relative.suffix.lower() in HTML_SUFFIXES
            and not self.is_jsonl(item)
        ):
            relative = relative.with_suffix(".txt")  # the article's text, not a page
        if self.options.format != "text" and not self.is_jsonl(item):
            relative = relative.with_name(relative.name + "." + self.options.format)
        return self.out_folder / relative

    def fail(self, message: str) -> None:
        self.failed += 1
        report(f"error: {message}")

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


def clean_inputs(options: BatchOptions, pipeline: Pipeline) -> int:
    """Clean every input of ``options.paths`` with ``pipeline``, write the results, report failures.

    The work of ``cleantext clean``: files, folders, stdin and JSON Lines in;
    the clean text, JSON or JSON Lines out, to stdout, a file, a folder or in
    place, each output written atomically. Returns the exit code: 0 all
    inputs cleaned, 1 some failed (each reported on stderr), 2 the output
    cannot be written at all. With ``--profile auto`` (:data:`AUTO_PROFILE`),
    the sites of the inputs are counted first (:func:`count_sites`), once the
    output is known to be usable, and the inputs cleaned with that profile.
    """
    paths = options.paths or ["-"]
    out_folder = _output_folder(options, paths)
    try:
        if out_folder is not None:
            _make_output_folder(out_folder)
        _refuse_output_among_inputs(options, paths, out_folder)
        inputs = list(discover(paths, exclude=options.exclude, skip=out_folder, follow_links=options.follow_links))
        if options.profile == AUTO_PROFILE:
            # The failures of this first pass are reported by the pass that cleans.
            profile = count_sites(pipeline, Corpus(options, quiet=True, skip=out_folder), options.jobs)
            pipeline = pipeline.with_profile(profile)
        run = _Run(options, inputs, out_folder, pipeline)
        run.open_shared()
    except OutputError as error:
        report(f"error: {error}")
        return 2
    pending: deque[_Task] = deque()

    def feed() -> Iterator[tuple[str | bytes, str | None, str | None, str | None]]:
        for task in _tasks(run):
            pending.append(task)
            if task.kind == "document":
                assert task.data is not None
                yield task.data, task.name, task.layout, task.site

    failed_inputs: set[str] = set()
    any_jsonl = any(map(run.is_jsonl, inputs))
    show_progress = not options.quiet and sys.stderr.isatty() and (len(inputs) > 1 or any_jsonl)
    # Without JSON Lines every input is one document, so the total is known.
    progress = _Progress(total=None if any_jsonl else len(inputs)) if show_progress else None
    run.progress = progress
    # Where the output is the clean text alone, that is all a worker sends back.
    then = cleaned_text if options.jobs > 1 and not options.verbose and run.writes_text_only() else None
    try:
        for outcome in pipeline.clean_many(feed(), jobs=options.jobs, on_error="return", then=then):
            run.advance(_source_chars(outcome))
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
            if task.encoding and isinstance(outcome, Result):
                outcome = replace(outcome, encoding=task.encoding)
            for warning in outcome.warnings:
                report(f"warning: {warning}")
            if task.record is not None:
                run.emitter.record(task.record, outcome)
            else:
                run.emitter.document(outcome)
            run.cleaned += 1
            if options.verbose:
                report(f"cleaned {outcome.name}: {len(outcome.edits)} edits")
        while pending:
            _handle_marker(run, pending.popleft(), failed_inputs)
        run.finish()
    except BrokenPipeError:
        run.abort()
        raise
    except OSError as error:
        # Writing failed (a full disk, a read-only folder): no partial file is left.
        target = run.target.path if run.target is not None else (options.output or "standard output")
        run.abort()
        report(f"error: cannot write {target}: {error.strerror or error}")
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
    if not options.quiet and (len(inputs) > 1 or run.failed or any_jsonl):
        report(f"cleaned {run.cleaned}, failed {run.failed}")
    return 1 if run.failed else 0


def _source_chars(outcome: Result | Cleaned | InputError) -> int:
    if isinstance(outcome, InputError):
        return 0
    return outcome.source_chars if isinstance(outcome, Cleaned) else len(outcome.source)


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
                report(f"warning: {warning}")
            edits += len(window.result.edits)
            yield window

    windows = run.pipeline.clean_windows(
        pieces(), name=item.label, encoding=encoding, window_chars=run.options.window, jobs=run.options.jobs
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
    if run.options.verbose:
        report(f"cleaned {item.label}: {edits} edits (in windows)")


def _refuse_output_among_inputs(options: BatchOptions, paths: list[str], out_folder: Path | None) -> None:
    """An output that is also an input would be read while it is written: refuse it."""
    if not options.output:
        return
    output = Path(options.output).resolve()
    for given in paths:
        if given == "-":
            continue
        source = Path(given).resolve()
        if source == output:
            what = "folder" if out_folder is not None else "file"
            raise OutputError(
                f"the output {what} {options.output} is also an input; write somewhere else, or use --in-place"
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


def _output_folder(options: BatchOptions, paths: list[str]) -> Path | None:
    if not options.output:
        return None
    output = Path(options.output)
    if (
        output.is_dir()
        or options.output.endswith(("/", os.sep))
        or len(paths) > 1
        or any(Path(p).is_dir() for p in paths)
    ):
        return output
    return None


def _tasks(run: _Run) -> Iterator[_Task]:
    options = run.options
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
                    for record in read_jsonl_records(
                        stream, item.label, _text_field(options), limit=_max_bytes(options)
                    ):
                        if record.error:
                            yield _Task("error", item, message=record.error)
                            if options.on_error == "keep":
                                yield _Task("raw", item, data=record.raw)
                        else:
                            name = f"{item.label}:{record.line}"
                            site = site_of_input(options, item, record.record)
                            yield _Task(
                                "document",
                                item,
                                data=record.text,
                                name=name,
                                record=record.record,
                                layout="field",
                                site=site,
                            )
                yield _Task("end", item)
                continue
            data = read_bytes(item, limit=_max_bytes(options))
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
        if options.encoding or options.errors != "warn":
            try:
                decoded = _decoded(data, item, options)
            except InputError as error:
                yield _Task("error", item, message=str(error.named(item.label)))
            else:
                yield _Task(
                    "document",
                    item,
                    data=decoded.text,
                    name=item.label,
                    encoding=decoded.encoding,
                    site=site_of_input(options, item),
                )
        else:
            yield _Task("document", item, data=data, name=item.label, site=site_of_input(options, item))
        yield _Task("end", item)


def _decoded(data: bytes, item: Input, options: BatchOptions, *, quiet: bool = False) -> Decoded:
    """``data`` decoded with ``--encoding`` and ``--errors``, a low-confidence guess reported on stderr
    (unless ``quiet``)."""
    decoded = decode_text(data, encoding=options.encoding, errors=options.errors)
    if decoded.doubtful and not quiet:
        report(f"warning: {decoded.warning(item.label)}")
    return decoded


def _window_encoding(run: _Run, item: Input) -> str | None:
    """The encoding to clean ``item`` in windows with, or None to clean it whole.

    Only a plain-text file of more than twice ``--window`` bytes is cut into
    windows, and only once it is known to decode all through (read once
    first), so an input that fails, fails before any of it is written.
    """
    options = run.options
    if not options.window or item.path is None or run.view != "clean" or options.input_format == "html":
        return None
    if run.is_jsonl(item):
        return None
    try:
        # A compressed file's own size says nothing of what it unpacks to: 90 KB of zstd can hold 1 GB.
        if compression_of(item.path) is None and item.path.stat().st_size <= 2 * options.window:
            return None
        with open_input(item) as stream:
            counted = CountingReader(stream)
            encoding = stream_encoding(counted, encoding=options.encoding)  # type: ignore[arg-type]
        if encoding is None or counted.count <= 2 * options.window:
            return None
        if options.input_format == "text":
            return encoding
        # A page is extracted whole; one that only starts like a page is too.
        with open_input(item) as stream:
            head = next(decode_chunks(stream, encoding), "")
        return None if starts_like_html(head) else encoding
    except (OSError, InputError, ValueError, *DECOMPRESSION_ERRORS):
        return None  # the whole-input path reads it again and reports what is wrong


class Corpus:
    """The documents of a corpus as ``(text, name, layout, site)``, read as ``clean`` reads them, failures reported.

    ``failed`` counts the inputs (or records) that could not be read; ``cleantext stats`` and
    ``variants`` iterate over it.
    """

    def __init__(self, options: BatchOptions, *, quiet: bool = False, skip: Path | None = None) -> None:
        self.options = options
        self.failed = 0
        # A first pass over inputs that are read again: failures and warnings are counted, not reported.
        self.quiet = quiet
        self.skip = skip  # a folder not to read (the output folder of the pass that cleans)

    def __iter__(self) -> Iterator[tuple[str, str, str | None, str | None]]:
        options = self.options
        for item in discover(options.paths, exclude=options.exclude, skip=self.skip, follow_links=options.follow_links):
            try:
                if item.error:
                    raise InputError(item.error)
                if _reads_as_jsonl(options, item):
                    with open_input(item) as stream:
                        records = read_jsonl_records(
                            stream, item.label, _text_field(options), limit=_max_bytes(options)
                        )
                        for record in records:
                            if record.text is not None:
                                site = site_of_input(options, item, record.record)
                                yield record.text, f"{item.label}:{record.line}", "field", site
                            else:
                                self.fail(record.error or f"{item.label}:{record.line}: no text")
                    continue
                text = _decoded(read_bytes(item, limit=_max_bytes(options)), item, options, quiet=self.quiet).text
                yield text, item.label, None, site_of_input(options, item)
            except InputError as error:
                self.fail(f"{item.label}: {error.reason}")
            except DECOMPRESSION_ERRORS as error:
                self.fail(f"{item.label}: cannot decompress ({error or type(error).__name__})")
            except OSError as error:
                self.fail(f"{item.label}: cannot read ({error.strerror or error})")

    def fail(self, message: str) -> None:
        self.failed += 1
        if not self.quiet:
            report(f"error: {message}")


def count_sites(pipeline: Pipeline, corpus: Corpus, jobs: int) -> SiteProfile:
    """The site profile of a corpus: its lines counted as the strip stage would see them (extracted,
    repaired, normalized). Documents without a site are not counted, and said so."""
    pipeline = pipeline.up_to("strip")
    profile = SiteProfile()
    sites: deque[str] = deque()
    unsited = 0

    def documents() -> Iterator[tuple[str, str, str | None, str]]:
        nonlocal unsited
        for text, name, layout, site in corpus:
            if site is None:
                unsited += 1
                continue
            sites.append(site)
            yield text, name, layout, site

    for outcome in pipeline.clean_many(documents(), jobs=jobs, on_error="return"):
        site = sites.popleft()
        if isinstance(outcome, InputError):
            corpus.fail(str(outcome))
        else:
            profile.add(site, outcome.text)
    if unsited:
        report(f"warning: {unsited} documents have no site and were not counted (give --site or --site-field)")
    return profile
