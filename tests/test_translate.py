"""Rule patterns translated for the native core: what is carried over, what is left to Python, and
(where the core is built) that the translation matches what ``regex`` matches."""

import pytest
import regex
from hypothesis import example, given
from hypothesis import strategies as st

from cleantext.native import BACKTRACK_ALWAYS, ENGINE, native_pattern, native_text
from cleantext.translate import Untranslatable, class_ranges, leading_guards, translate, translate_template

needs_native = pytest.mark.skipif(ENGINE != "native", reason="the native core is not built or not active")

# Patterns that exercise each rewrite: classes inside and outside sets, negated ones, flags in the
# middle, scoped flags, groups of one name, DEFINE calls, quantifiers Python spells otherwise,
# a leading look-behind, $ without (?m), dots, word boundaries.
PATTERNS = [
    r"\w+",
    r"[\w.,-]+",
    r"[^\s\"]+x",
    r"\d{1,3}(?:\.\d+)?",
    r"[\p{L}\p{M}]+",
    r"\p{Lu}\p{Ll}+",
    r"\P{L}+",
    r"(?i)straße|KELVIN|sigma σ",
    r"a(?i)b",
    r"(?i:by)\s+(?-i:[A-Z]\w*)",
    r"(?P<u>C)elsius|(?P<u>F)ahrenheit|(?P<u>[CF])\b",
    r"\bthe\b",
    r"\Bhe\B",
    r"(?<![\w.])\d+m\b",
    r"(?<=\s)-(?=\s)",
    r"\d+m\b(?=\s+(?:tall|high))",
    r"(?<=ab)c|(?<!\. ?)\.(?: \.){2}(?! ?\.)",
    r"(?i)^(?!the\b)\w+",
    r"(?>a+)b|a++c",
    r"a{,2}b",
    r"x{2}|y{1,}",
    r"(?x) a \s b  # a comment",
    r"(?m)^\w+$",
    r"^\w+$",
    r"\w+\Z",
    r"(?s)a.b",
    r"a.b",
    r"(?(DEFINE)(?P<word>[a-z]+))(?&word) (?&word)",
    r"[\]a-]+",
    r"\u00e9|\x41|\t",
    r"[^\x00-\x7f]+",
    r"(?<=\n\n)\n+",
    r"(?<!ab)x",
    r"(?<=\S )\w",
    r"(?<![\d.]\.)\d",
]

ALPHABET = st.sampled_from([*"abAB xyzC5-.,\t\n\"'", *"éßıİKſσςΣ٣\u0558—“", "\u212a", "\u1e9e"])


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_pattern_here_translates(pattern):
    translation = translate(pattern, native_boundaries=True)
    assert translation.pattern


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a)\1", "the escape \\1"),
        (r"(?|(a)|(b))", "the group syntax"),
        (r"(?(1)a|b)", "the group syntax"),
        (r"[[:alpha:]]", "a POSIX class"),
        (r"\N{BULLET}", "the escape \\N"),
        (r"(?(DEFINE)(?P<a>x(?&a)))(?&a)", "calls itself"),
        (r"a{e<=1}", "a brace"),
        (r"(?a)\w", "the flags a"),
        (r"(?-i)a", "the global flag -i"),
        (r"[a", "an unterminated character class"),
        (r"\P\\", "the property escape"),  # found by fuzzing: "\\P\\" reached regex as a class
        (r"[\Pi]", "the property escape \\pi"),  # found by fuzzing: in a class regex reads "P" and "i"
        (r"\pl", "the property escape \\pl"),  # one letter names a general category only
        (r"\p{Nonsense}", "the class"),
        (r"(a", "an unbalanced group"),
    ],
)
def test_what_the_translation_cannot_vouch_for_is_left_to_python(pattern, reason):
    with pytest.raises(Untranslatable, match=regex.escape(reason)):
        translate(pattern)


def test_a_class_is_spelled_out_as_regexs_own_ranges():
    assert class_ranges(r"\d")[:2] == ((0x30, 0x39), (0x660, 0x669))
    assert all(start <= end for start, end in class_ranges(r"\w"))
    assert not any(start <= 0xD800 <= end for start, end in class_ranges(r"\W"))


def test_what_needs_backtracking_and_what_the_crate_runs_slowly_are_told_apart():
    assert translate(r"a(?=b)").backtracks and translate(r"(?>a)").backtracks and translate(r"a++").backtracks
    assert not translate(r"a(?=b)").prefers_python
    assert translate(r"a$").prefers_python and not translate(r"a$", lines=True).prefers_python
    assert not translate(r"\w\Z").prefers_python and not translate(r"(?m)a$").prefers_python
    assert translate(r"a{1,2000}").prefers_python and not translate(r"a{1,200}").prefers_python
    # A backtracking search of a whole text skips ahead only to a plain start.
    assert translate(r"\d+m(?=\s)").starts_plainly
    assert not translate(r"(?=\n\n)\n+").starts_plainly and not translate(r"a|(?<!b)c").starts_plainly


def test_a_leading_look_behind_of_a_few_characters_is_taken_apart():
    leading = translate(r"(?i)(?<![\w.])\d+")
    assert leading.before is not None and leading.before[1:] == (False, 1) and not leading.backtracks
    assert translate(r"(?<!x)a|b").before is None  # the look-behind belongs to one alternative
    blank_lines = translate(r"(?<=\n\n)\n+")
    assert blank_lines.before[1:] == (True, 2) and not blank_lines.backtracks and blank_lines.starts_plainly
    # Not out of a pattern that backtracks anyway; not an escape of several characters taken for several.
    assert translate(r"(?<=\S ) +(?=\S)").before is None
    assert translate(r"(?<=\x41)b").before is None and translate(r"(?<=a{2})b").before is None


def test_look_aheads_after_a_leading_caret_are_taken_apart_from_the_rest():
    guarded = leading_guards(r"(?i)^(?![-*]|\d+\.)(?=\w)(?!.*\bday\b).*[a-z]$")
    assert [(positive, boundaries) for _, positive, boundaries in guarded.guards] == [
        (False, False),
        (True, False),
        (False, True),
    ]
    assert all(guard.startswith(r"(?i)\A(?:") for guard, _, _ in guarded.guards)
    assert guarded.rest == r"(?i)\A[^\n]*[\x{61}-\x{7A}]\z" and not guarded.rest_boundaries
    assert leading_guards(r"^(?!a)(b)").groups == {1: (1,)}  # the rest keeps its groups
    # Not where a look-ahead holds only for one branch, may start at any line, captures, looks
    # around itself, calls a defined group; nor without a look-ahead right after the ^.
    for pattern in [
        r"^(?!a)b|c",
        r"(?m)^(?!a)b",
        r"^(?!(a))b",
        r"^(?!a(?=b))c",
        r"^(?!(?&x))b(?(DEFINE)(?P<x>a))",
        r"^a(?!b)",
        r"a^(?!b)",
        r"^(?!a)(?<=b)c",
        r"^(?!a)*b",
    ]:
        assert leading_guards(pattern) is None, pattern


def test_a_relaxed_pattern_drops_look_arounds_and_never_backtracks():
    assert translate(r"(?<=a)b(?!c)", relaxed=True).pattern == "b"
    assert translate(r"(?>ab)c++", relaxed=True).pattern == "(?:ab)c+"
    assert translate(r"a{2,5}b{3}c{,4}", relaxed=True).pattern == "a{2,}b{3}c{0,}"
    assert translate(r"\bkm\B", relaxed=True, native_boundaries=True).pattern == "km"
    relaxed = translate(r" (?<=[.,] )-- (?=\w)|--(?<=\w--)", relaxed=True)
    assert relaxed.pattern == r"\x{20}\-\-\x{20}|\-\-" and not relaxed.backtracks and relaxed.before is None


def test_a_replacement_becomes_text_and_groups():
    groups = translate(r"(?P<n>\d+)\s*(?P<u>C)|(?P<u>F)").groups
    assert translate_template(r"\g<n> °\g<u>\n\\", groups) == ((1,), " °", (2, 3), "\n\\")
    assert translate_template(r"[\1]", groups) == ("[", (1,), "]")
    with pytest.raises(Untranslatable):
        translate_template(r"\g<missing>", groups)


def python_replacements(pattern, template, text):
    compiled = regex.compile(pattern)
    return [(m.start(), m.end(), m.expand(template) if template else "") for m in compiled.finditer(text)]


@needs_native
@pytest.mark.parametrize("pattern", PATTERNS)
@given(text=st.text(ALPHABET, max_size=40))
def test_the_translation_matches_what_regex_matches(pattern, text):
    template = r"<\g<u>>" if "?P<u>" in pattern else "<>"
    core = native_pattern(pattern, template, backtracking=BACKTRACK_ALWAYS)  # both of the core's engines
    if core is None:
        assert translate(pattern, native_boundaries=True, ascii_boundaries=True).prefers_python
        return
    found = core.replacements(native_text(text), 0, len(text))
    if found is None:  # a character the core leaves to Python
        assert not native_text(text).readable or regex.search(r"[^\x00-\x7f]", text)
        return
    assert found == python_replacements(pattern, template, text)


# Line patterns of look-aheads after ^ (the off-topic rule's shape), with and without word
# boundaries, that the core runs on its automata where a line has no word character outside ASCII.
GUARDED_PATTERNS = [
    r"^(?![-*]|\d+\.)(?!.*\bab\b)(?!\P{Ll}*$)(?=.*[xy]).*\p{L}",
    r"(?i)^(?!.*[?:]$)(?!a\b)(?:\w+ )+\w+$",
    r"^(?![\"“]?\p{Lu}.*[.!?]$)(?P<word>\w+)\s*(?P<rest>.*)",
]


@needs_native
@pytest.mark.parametrize("pattern", GUARDED_PATTERNS)
@given(text=st.text(ALPHABET, max_size=30))
@example(text="\u00e9ab xy")  # no word boundary before "ab" in regex's reading, an ASCII one
@example(text="\u00e9 ab xy")  # a word outside ASCII: a look-ahead with \b still rules the match out
@example(text="Ab cd: ef")
def test_look_aheads_taken_apart_find_in_a_line_what_regex_finds(pattern, text):
    line = text.replace("\n", " ")
    template = r"<\g<word>>" if "?P<word>" in pattern else "<>"
    core = native_pattern(pattern, template, lines=True, backtracking=BACKTRACK_ALWAYS)
    assert core is not None and leading_guards(pattern) is not None
    found = core.first(line)
    if found is None:  # a character the core leaves to Python
        return
    assert found == python_replacements(pattern, template, line)
    # Every match of the line, the search going on after the first: a match starts only at the start.
    assert core.replacements(native_text(line), 0, len(line)) == python_replacements(pattern, template, line)


@needs_native
def test_a_whole_text_pattern_that_may_match_nothing_is_left_to_python():
    # finditer tries the place of an empty match again for a longer one (found by fuzzing).
    assert native_pattern("Russih tba|||\x01", "<>") is None
    assert native_pattern("Russih tba|||\x01", lines=True) is not None  # a line's first match is the same
    assert native_pattern(r"(?<=a)\d+", "<>") is not None


@needs_native
def test_a_text_with_a_lone_surrogate_is_left_to_python():
    core = native_pattern(r"a+")
    assert core.replacements(native_text("a\ud800a"), 0, 3) is None
    assert core.replacements(native_text("aa"), 0, 2) == [(0, 2, "")]


@needs_native
def test_word_boundaries_on_text_with_non_ascii_word_characters_are_unicode_ones():
    core = native_pattern(r"\bcafe\b", "x")
    assert core.replacements(native_text("cafe café cafeé"), 0, 15) == [(0, 4, "x")]
    assert core.replacements(native_text("cafe — “cafe”"), 0, 13) == [(0, 4, "x"), (8, 12, "x")]
