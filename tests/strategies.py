"""Hypothesis strategies for the tests: text full of what cleantext changes."""

from hypothesis import strategies as st

# Characters every rule pack cares about, mixed with plain text so that edits
# land next to each other, overlap and nest.
TRICKY = (
    "\r\n",
    "\r",
    "\n",
    "\n\n\n",
    "\t",
    " ",
    "  ",
    "\u00a0",
    "\u2009",
    "\u202f",
    "\u3000",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\ufe0f",
    "\u2028",
    "\u2029",
    "\x00",
    "\x07",
    "\x85",
    "\u201c",
    "\u201d",
    "\u2018",
    "\u2019",
    "\u201e",
    "'",
    '"',
    "\u2026",
    ". . .",
    "e\u0301",
    "\u0301",
    "\u212b",
    "\u1100\u1161",
    "\uac00\u11a8",
    "\ufb01",
    "Kyiv",
    "said",
    "-",
    "\u2014",
    "\u0645\u06cc",
    "\ud800",
    "\U0001f600",
)

fragments = st.one_of(st.sampled_from(TRICKY), st.text(min_size=1, max_size=8))
noisy_text = st.lists(fragments, max_size=40).map("".join)
"""Text built from fragments that trigger every whitespace and typography rule."""

any_text = st.one_of(noisy_text, st.text(max_size=200))
"""Noisy text or arbitrary Unicode (including lone surrogates)."""

# Lines from every built-in rule's examples (boilerplate and its look-alikes), so
# that generated documents exercise the strip rules too.
from cleantext.rules import builtin_pack_names, load_packs  # noqa: E402

RULE_LINES = sorted(
    {
        line
        for rule in load_packs(builtin_pack_names())
        for example in rule.examples
        for line in example.input.split("\n")
        if line.strip()
    }
)
line_parts = st.one_of(st.sampled_from(RULE_LINES), noisy_text)
documents = st.lists(st.tuples(line_parts, st.sampled_from(["\n", "\n\n", "\n\n\n", "\r\n", " \n"])), max_size=12).map(
    lambda parts: "".join(line + end for line, end in parts)
)
"""Documents made of boilerplate lines, their look-alikes and noisy text."""
