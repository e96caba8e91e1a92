"""The ``cleantext`` command: a thin layer over the library.

Exit codes: 0 all inputs cleaned; 1 some inputs failed (each named on stderr,
the others still cleaned); 2 usage or rule-file error (nothing was touched).
``main(argv)`` returns the exit code, so the command runs in-process in tests:
``main(["clean", "seeds/003_0175700b6812221d.txt"])`` prints the clean text.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path

try:
    from cleantext import Pipeline, __version__
except ImportError:  # pragma: no cover - only with the clean-text package in the way
    raise SystemExit(
        "cleantext: the module 'cleantext' in this environment is not cleantext-toolkit's: the clean-text "
        "package installs a module with the same name. Uninstall both (pip uninstall clean-text "
        "cleantext-toolkit), then reinstall cleantext-toolkit, or keep them in separate environments."
    ) from None
from cleantext.batch import AUTO_PROFILE, PROG, BatchOptions, Corpus, clean_inputs, count_sites, report
from cleantext.cache import cache_path, cache_source
from cleantext.config import Config, load_config
from cleantext.decode import ERRORS
from cleantext.errors import InputError, RuleError
from cleantext.examples import check_rule_examples
from cleantext.explain import Stats
from cleantext.extract import extract_article, is_page
from cleantext.inputs import (
    MAX_DOCUMENT_BYTES,
)
from cleantext.native import ENGINE, engine_summary
from cleantext.normalize import native_inline_prefilter
from cleantext.outputs import remove_unfinished, write_atomic
from cleantext.pipeline import DEFAULT_TIMEOUT
from cleantext.rules import OPTIONS, LexiconRule, Rule, builtin_pack_names, load_pack, load_packs, rules_dir
from cleantext.sites import SiteProfile
from cleantext.steps import engine_of, trigger_of
from cleantext.strip import native_removal_pattern
from cleantext.variants import count_names, find_clusters, lexicon_toml
from cleantext.windows import WINDOW_CHARS

__all__ = ["main"]


CLEAN_EXAMPLES = """\
examples:
  cleantext clean article.txt                   print the clean text
  cleantext clean seeds/ -o out/                a folder in, a folder out (same names; HTML pages as .txt)
  cleantext clean page.html --format json       the clean text with its edits and metadata
  cleantext clean corpus.jsonl -o clean.jsonl   clean the "text" field of every record
  cat corpus.jsonl | cleantext clean - --text-field body
  cleantext clean article.txt --explain         what each rule removed or changed
  cleantext clean notes/ --in-place             rewrite files where they are
  cleantext clean crawl/ -o out/ --profile sites.json    also drop each site's template lines
  cleantext clean crawl/ -o out/ --profile auto          the same, counting the sites of crawl/ first
"""

CORPUS_EXAMPLES = """\
examples:
  cleantext stats corpus/                       what every rule did, most impact first
  cleantext variants corpus/ -o my_names.toml   name spellings as a lexicon pack for --rules
  cleantext profile crawl/ -o sites.json        count the lines each site repeats (crawl/SITE/page.html)
  cleantext profile pages.jsonl -o sites.json --site-field meta.url
  cleantext profile --merge part1.json --merge part2.json -o sites.json
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Strip boilerplate from article text and normalize it, with provenance.",
        epilog="Run 'cleantext COMMAND --help' for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}, {engine_summary()}")
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
    style = clean.add_argument_group("rules and style")
    _add_rule_options(style)
    _add_profile_option(style)
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
    stats_style = stats.add_argument_group("rules and style")
    _add_rule_options(stats_style)
    _add_profile_option(stats_style)
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

    profile = commands.add_parser(
        "profile",
        help="count the lines each site repeats across a batch, for clean --profile",
        description="Read a batch as 'clean' would (pages reduced to their article, text normalized) and count, "
        "per site, on how many pages each line occurs (normalized, hashed). 'clean --profile FILE' then "
        "removes a site's lines found on many of its pages. "
        "A document's site: --site, a JSON Lines record's --site-field (else url, domain or site), or the "
        "first folder under a folder given; documents without one are not counted.",
        epilog=CORPUS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    profile.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (recursed), or - for stdin")
    profile.add_argument("-o", "--output", required=True, metavar="FILE", help="the profile file to write (JSON)")
    profile.add_argument(
        "--merge",
        action="append",
        default=[],
        metavar="PROFILE",
        help="add the counts of a profile file (of another part of the batch, another worker); repeatable",
    )
    _add_input_options(profile.add_argument_group("input"))
    _add_jobs_option(profile)
    _add_rule_options(profile.add_argument_group("rules and style"))
    profile.set_defaults(handler=run_profile)

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
    show.add_argument(
        "--config", metavar="FILE", help="configuration file whose 'rules' packs are loaded too (default: as clean)"
    )
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
    group.add_argument("--site", metavar="NAME", help="the site (domain or URL) of every input, for a site profile")
    group.add_argument(
        "--site-field",
        metavar="FIELD",
        help="the field of JSON Lines records that holds their site (a URL or domain; dotted for nested); "
        "default: url, else domain, else site",
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


def _add_profile_option(group: argparse._ActionsContainer) -> None:
    group.add_argument(
        "--profile",
        metavar="FILE",
        help="a site profile (from 'cleantext profile'): remove the lines a document's site repeats on many "
        "pages; 'auto' counts the inputs themselves first (files and folders: they are read twice)",
    )


def _add_jobs_option(group: argparse._ActionsContainer) -> None:
    group.add_argument("--jobs", type=_positive_int, default=1, metavar="N", help="processes (default 1)")


def _add_corpus_options(parser: argparse.ArgumentParser) -> None:
    """The options of the commands that read a corpus without writing it (what ``batch.Corpus`` reads)."""
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
        remove_unfinished()
        report("terminated")
        return 143
    except RuleError as error:
        report(f"error: {error}")
        return 2
    except BrokenPipeError:
        # The reader went away (``| head``); that is not a failure of ours.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        remove_unfinished()
        report("interrupted")
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class _Terminated(BaseException):
    """SIGTERM, raised where the program is so that partial outputs are dropped on the way out."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


def _effective_config(args: argparse.Namespace) -> Config:
    keys = ("rules", "enable", "disable", "canonical", "quotes", "names", "timeout")
    return load_config(args.config).overridden({key: getattr(args, key) for key in keys})


def _load_pipeline(args: argparse.Namespace) -> Pipeline:
    # JSON Lines records are told apart as HTML or text one by one.
    input_format = getattr(args, "input_format", "auto")
    profile = getattr(args, "profile", None)
    return Pipeline.load(
        **_effective_config(args).pipeline_options(),
        input_format="auto" if input_format == "jsonl" else input_format,
        profile=None if profile == AUTO_PROFILE else profile,
    )


def _refuse_auto_profile_on_stdin(args: argparse.Namespace) -> bool:
    """Whether ``--profile auto`` was asked of stdin, which cannot be read twice (reported)."""
    if args.profile == AUTO_PROFILE and "-" in (args.paths or ["-"]):
        report("error: --profile auto reads the inputs twice: give files or folders, not stdin")
        return True
    return False


def run_config(args: argparse.Namespace) -> int:
    """``cleantext config``: the effective configuration and where each value came from.

    The pipeline is loaded as ``clean`` would load it, so an unknown rule id or
    a broken pack file is refused here too.
    """
    _load_pipeline(args)
    settings = _effective_config(args).as_dict()
    # Not a setting: which engine this installation runs (see cleantext.native).
    settings["engine"] = {"value": ENGINE, "source": engine_summary()}
    path = cache_path()
    settings["cache"] = {"value": None if path is None else str(path), "source": cache_source()}
    if args.format == "json":
        print(json.dumps(settings, ensure_ascii=False, indent=2))
        return 0
    for key, entry in settings.items():
        print(f"{key:<10} = {json.dumps(entry['value'], ensure_ascii=False):<40} ({entry['source']})")
    return 0


# ---- clean -----------------------------------------------------------------


def run_clean(args: argparse.Namespace) -> int:
    """``cleantext clean``: refuse contradictory options, then clean every input (see :mod:`cleantext.batch`)."""
    if args.in_place and args.format != "text":
        report("error: --in-place writes clean text only; drop --format or use -o")
        return 2
    if args.in_place and (args.mark or args.explain or args.diff):
        report("error: --mark, --explain and --diff change nothing; drop --in-place")
        return 2
    if args.in_place and "-" in (args.paths or ["-"]):
        report("error: --in-place needs files, not stdin")
        return 2
    if _refuse_auto_profile_on_stdin(args):
        return 2
    return clean_inputs(BatchOptions.from_namespace(args), _load_pipeline(args))


# ---- stats and variants ----------------------------------------------------


def run_stats(args: argparse.Namespace) -> int:
    """``cleantext stats PATH ...``: what every rule did over a corpus, most impact first."""
    if _refuse_auto_profile_on_stdin(args):
        return 2
    pipeline = _load_pipeline(args)
    corpus = Corpus(BatchOptions.from_namespace(args))
    if args.profile == AUTO_PROFILE:
        # The failures of this first pass are reported by the pass that counts the rules.
        pipeline = pipeline.with_profile(count_sites(pipeline, Corpus(corpus.options, quiet=True), args.jobs))
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


def run_profile(args: argparse.Namespace) -> int:
    """``cleantext profile PATH ... -o FILE``: count the lines each site repeats (see :mod:`cleantext.sites`)."""
    if not args.paths and not args.merge:
        report("error: give inputs to count, or --merge PROFILE files to add up")
        return 2
    profile = SiteProfile.merged(SiteProfile.load(path) for path in args.merge)
    if not args.paths:
        return _write_profile(profile, args.output, corpus_failed=0)
    corpus = Corpus(BatchOptions.from_namespace(args))
    counted = count_sites(_load_pipeline(args), corpus, args.jobs)
    return _write_profile(SiteProfile.merged([profile, counted]), args.output, corpus_failed=corpus.failed)


def _write_profile(profile: SiteProfile, output: str, *, corpus_failed: int) -> int:
    try:
        profile.save(output)
    except OSError as error:
        report(f"error: cannot write {output}: {error.strerror or error}")
        return 1
    counted = sum(profile.pages(site) for site in profile.sites())
    report(f"profiled {counted} pages of {len(profile.sites())} sites into {output}")
    return 1 if corpus_failed else 0


def _article_text(text: str, input_format: str) -> str:
    """The text to count names in: a page's article body, else the text itself."""
    if is_page(text, input_format):
        return extract_article(text).body
    return text


def run_variants(args: argparse.Namespace) -> int:
    """``cleantext variants PATH ...``: print name-variant clusters and write the new ones as a pack."""
    corpus = Corpus(BatchOptions.from_namespace(args))
    texts = (_article_text(text, args.input_format) for text, *_ in corpus)
    clusters = find_clusters(count_names(texts, jobs=args.jobs))
    known = {
        spelling: rule.id
        for rule in load_packs(builtin_pack_names())
        if isinstance(rule, LexiconRule)
        for spelling in (rule.canonical, *rule.variants)
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
    report(f"{len(clusters)} clusters, {len(new)} not in the built-in lexicon")
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
    engines = {rule.id: engine_of(rule) for rule in rules}
    if args.format == "json":
        # Whether a trigger was derived; `rules show` prints its literals.
        listed = [
            {**rule.summary(), "triggered": triggers[rule.id] is not None, "engine": engines[rule.id]} for rule in rules
        ]
        print(json.dumps(listed, ensure_ascii=False, indent=2))
        return 0
    width = max((len(rule.id) for rule in rules), default=0)
    for rule in rules:
        print(
            f"{rule.id:<{width}}  {rule.category:<11} {rule.kind:<8} {rule.stage:<9} {engines[rule.id]:<7} "
            f"{rule.description}"
        )
    return 0


def _trigger_listing(trigger: tuple[frozenset[str], ...] | None) -> list[list[str]] | None:
    """A trigger as sorted lists of literals (None: the rule runs on every document)."""
    return None if trigger is None else [sorted(clause) for clause in trigger]


def _trigger_text(rule: Rule) -> str:
    """What ``rules show`` says of a rule's trigger."""
    try:
        trigger = _trigger_listing(trigger_of(rule).any_text)
    except RuleError as error:  # a step that cannot be built (a score rule's missing model)
        return f"unknown: {error.reason}"
    if trigger is None:
        return "none: runs on every document"
    if not all(trigger):
        return "never holds: not evaluated (a site rule runs only with --profile)"  # a clause nothing satisfies
    return " and ".join(f"any of {clause[:8]}{' ...' if len(clause) > 8 else ''}" for clause in trigger)


def _engine_text(rule: Rule) -> str:
    """What ``rules show`` says of the engine that finds what a rule replaces."""
    try:
        engine = engine_of(rule)
    except RuleError as error:  # a step that cannot be built (a score rule's missing model)
        return f"unknown: {error.reason}"
    if engine == "native":
        return "native (the Rust core; a text it cannot read as Python's regex does goes to Python)"
    if ENGINE != "native":
        return "python (the native core is not built or not active)"
    if rule.kind == "inline" and native_inline_prefilter(rule) is not None:
        return "python, tried only where the core finds a relaxed form of the pattern (no look-arounds)"
    if rule.kind in ("line", "block") and native_removal_pattern(rule) is not None:
        return "python, on the lines or blocks where the core finds a relaxed form (its automaton is too large)"
    if rule.kind == "lexicon":
        return "python, at the places where the core finds a spelling (one pass for all the lexicon rules of a stage)"
    return "python (the native core does not run this kind of rule, or runs this pattern slowly or not at all)"


def run_rules_show(args: argparse.Namespace) -> int:
    """``cleantext rules show ID``: one rule, its pattern and its examples."""
    # The packs 'clean' would load: the built-in ones, the configuration's, and --rules.
    rules = load_packs(builtin_pack_names(), [*load_config(args.config).rules, *args.rules])
    matches = [rule for rule in rules if rule.id == args.rule_id]
    if not matches:
        report(f"error: no rule {args.rule_id!r}; see 'cleantext rules list --all'")
        return 2
    rule = matches[0]
    for key, value in rule.summary().items():
        print(f"{key:<12} {value}")
    common = {item.name for item in dataclasses.fields(Rule)} | {"guards"}  # guards: summary's "unless"
    facts = rule.facts()
    for item in dataclasses.fields(rule):
        value = getattr(rule, item.name)
        if item.name not in common and item.name not in facts and value:
            print(f"{item.name:<12} {dict(value) if isinstance(value, Mapping) else value!r}")
    for key, value in facts.items():
        print(f"{key:<12} {value}")
    print(f"{'trigger':<12} {_trigger_text(rule)}")
    print(f"{'engine':<12} {_engine_text(rule)}")
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
