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
