"""The helpers of bench/boilerplate.py (how a page becomes lines, and a snippet its whole line) and of
bench/scaling.py (how the ``--jobs`` table reads its rows)."""

import importlib.util
import random
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "boilerplate.py"
spec = importlib.util.spec_from_file_location("bench_boilerplate", BENCH)
boilerplate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(boilerplate)
spec = importlib.util.spec_from_file_location("bench_scaling", BENCH.with_name("scaling.py"))
scaling = importlib.util.module_from_spec(spec)
spec.loader.exec_module(scaling)


def test_a_page_becomes_one_line_per_block_element_without_scripts():
    page = b"""<html><head><title>T</title><script>var x = 1;</script></head><body>
    <nav><ul><li><a href="/">Home</a></li><li>Privacy <b>Policy</b></li></ul></nav>
    <p>First   paragraph with <a href="#">a link</a> inside.</p>
    <div>Sign up for our newsletter<br>We won't share your email.<style>p {}</style></div>
    </body></html>"""
    assert boilerplate.page_lines(page) == [
        "Home",
        "Privacy Policy",
        "First paragraph with a link inside.",
        "Sign up for our newsletter",
        "We won't share your email.",
    ]


def test_a_page_that_does_not_parse_has_no_lines():
    assert boilerplate.page_lines(b"") == []


def test_a_snippet_takes_the_line_that_holds_it_or_the_lines_it_spans():
    lines = ["Home", "Privacy Policy", "Sign up for our newsletter", "We won't share your email."]
    assert boilerplate.whole_line(lines, "Privacy") == "Privacy Policy"
    spanned = boilerplate.whole_line(lines, "newsletter We won't")
    assert spanned == "Sign up for our newsletter\nWe won't share your email."
    assert boilerplate.whole_line(lines, "not on the page") is None


def test_inserted_lines_and_gold_sentences_are_where_the_document_says():
    body = "First paragraph. It has two sentences.\nSecond paragraph here.\nThird one."
    snippets = {"pool": ["Privacy Policy", "Share this article"]}
    text, inserted, sentences = boilerplate.build_document(body, random.Random(1), snippets, 3)
    assert inserted and all(text[start:end] == line for start, end, _, line in inserted)
    assert [text[start:end] for start, end, _ in sentences] == [
        "First paragraph.",
        "It has two sentences.",
        "Second paragraph here.",
        "Third one.",
    ]


def test_the_jobs_table_sets_the_two_jobs_against_one_and_against_two_processes_that_share_nothing():
    timing = scaling.Timing
    rows = [
        ("clean_many", 1, timing(wall=10.0, cpu=10.0, own_cpu=10.0)),
        ("clean_many", 2, timing(wall=8.0, cpu=15.0, own_cpu=1.0)),
        (f"{scaling.CEILING}, median of 3", 2, timing(wall=6.25, cpu=12.5, own_cpu=0.0)),
    ]
    table = scaling.jobs_markdown(rows, 100.0)
    ceiling_row = next(line for line in table.splitlines() if scaling.CEILING in line)
    assert "| 1.60x | - |" in ceiling_row  # over clean_many's one job; no estimate of its own
    assert "| 1.25x | 1.33x |" in table  # clean_many: 10 / 8; 10 / (15 / 2)
    assert "reached 78% of the ceiling's speed-up (1.60x)" in table


spec = importlib.util.spec_from_file_location("bench_native_profile", BENCH.with_name("native_profile.py"))
native_profile = importlib.util.module_from_spec(spec)
spec.loader.exec_module(native_profile)


def test_a_profile_sample_counts_toward_the_innermost_part_its_stack_names():
    script = (
        "\n"
        "\t          14de55 regex_automata::hybrid::search::find_fwd\n"
        "\t          14de55 _native::patterns::Pattern::line_matches (inlined)\n"
        "\t          1495e0 _native::screen::may_find\n"
        "\t          14b397 _native::run::Run::run\n"
        "\t          101b56 _PyEval_EvalFrameDefault\n"
        "\n"
        "\t          109d68 _native::edits::walk\n"
        "\t          109d00 _native::edits::EditLog::compose (inlined)\n"
        "\t          101b56 _PyEval_EvalFrameDefault\n"
        "\t          109000 _native::run::Run::apply_tagged\n"
        "\t          14b397 _native::run::Run::run\n"
        "\n"
        "\t          101b56 _PyEval_EvalFrameDefault\n"
        "\t          109000 _native::run::Run::apply_tagged\n"
        "\n"
        "\t          109000 _native::utf8::advance\n"
        "\t          14b397 _native::run::Run::run\n"
        "\n"
        "\t          101b56 _PyEval_EvalFrameDefault\n"
        "\n"
        "\t          101b56 _PyEval_EvalFrameDefault\n"
        "\t          14c000 _native::run::Stages::run_listed\n"
        "\n"
        "\t          14c010 _native::run::Stages::run_listed\n"
        "\t          101b56 _PyEval_EvalFrameDefault\n"
    )
    stacks = list(native_profile.stacks(script))
    assert stacks[0][:2] == ["regex_automata::hybrid::search::find_fwd", "_native::patterns::Pattern::line_matches"]
    assert [native_profile.part_of(stack) for stack in stacks] == [
        "screen: the checks of the steps Python evaluates",
        "edit log: a pass's edits composed, the new text made",
        "applying a pass: Python's Document and Presence",
        "core run loop: gates, calls",  # no part named: the broader one
        native_profile.PYTHON,
        native_profile.PYTHON,  # a step Python evaluates, called back by the core's run of the stages
        "core run loop: gates, calls",
    ]


def test_an_entry_point_of_the_core_is_read_from_callgrinds_inclusive_listing():
    listing = [
        " 2,150,797,486 (51.83%)  ???:_native::run::Run::__pymethod_run__ [/x/_native.abi3.so]",
        "   309,713 ( 7.3%)  native/src/lib.rs:_native::LiteralScanner::__pymethod_scan_folding__ [/x/_native.abi3.so]",
        "    36,221 ( 2.1%)  ???:_native::offtopic::__pyfunction_offtopic_removals [/x/_native.abi3.so]",
        " 1,754,956,627 (42.29%)  ???:_native::screen::Screen::check_of [/x/_native.abi3.so]",
        " 7,065,979,825 (170.3%)  Objects/call.c:_PyFunction_Vectorcall'2",
    ]
    read = [native_profile.ENTRY_POINT.match(line) for line in listing]
    assert [(match.group(1), match.group(2)) for match in read if match] == [
        ("2,150,797,486", "_native::run::Run::__pymethod_run__"),
        ("309,713", "_native::LiteralScanner::__pymethod_scan_folding__"),
        ("36,221", "_native::offtopic::__pyfunction_offtopic_removals"),
    ]


def test_a_simulated_caches_misses_are_read_from_callgrinds_output_and_listing():
    output = "\n".join(
        [
            "version: 1",
            "events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw",
            "fn=(1) main",
            "0 5 1 1 0 0 0 0 0 0",
            "totals: 5251 1200 800 12 130 90 9 40 35",
            "summary: 5251 1200 800 12 130 90 9 40 35",
        ]
    )
    assert native_profile.totals_of(output) == {
        "Ir": 5251,
        "Dr": 1200,
        "Dw": 800,
        "I1mr": 12,
        "D1mr": 130,
        "D1mw": 90,
        "ILmr": 9,
        "DLmr": 40,
        "DLmw": 35,
    }
    listing = "\n".join(
        [
            "22,276,006 (100.0%)  PROGRAM TOTALS",
            "",
            "4,503,925 (20.22%)  ???:_native::LiteralScanner::present_beyond [/x/_native.abi3.so]",
            "   66,684 ( 0.30%)  /rustc/abc/library/core/src/ptr/mod.rs:_native::edits::walk [/x/_native.abi3.so]",
            "    2,047 ( 0.01%)  ./string/../multiarch/memmove-vec-unaligned-erms.S:__memcpy_avx_unaligned_erms",
            "      900 ( 0.00%)  ???:_native::edits::walk [/x/_native.abi3.so]",
        ]
    )
    assert native_profile.functions_of(listing) == {
        "_native::LiteralScanner::present_beyond": 4_503_925,
        "_native::edits::walk": 67_584,  # inlined code from two files: one function
        "__memcpy_avx_unaligned_erms": 2_047,
    }
