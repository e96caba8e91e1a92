//! The spellings of a lexicon pass (`cleantext.normalize.Lexicon`), found in one Aho-Corasick
//! pass over a text's UTF-8.
//!
//! The core only says where a spelling occurs: every occurrence, overlapping ones too, in code
//! points. Which of them the pass replaces (the longest that ends at a word boundary, not
//! inside a word, not in a protected expression) Python decides on these few places, with the
//! word characters of its own `re` module, as its trie search decides on the whole text.

use aho_corasick::{AhoCorasick, MatchKind};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::patterns::Offsets;
use crate::utf8::{advance, utf8_of};

/// A set of spellings (non-empty strings) to find in texts.
#[pyclass(frozen, module = "cleantext._native")]
pub struct Spellings {
    automaton: AhoCorasick,
}

#[pymethods]
impl Spellings {
    /// The automaton of `spellings`.
    #[new]
    fn new(spellings: Vec<String>) -> PyResult<Self> {
        if spellings.iter().any(String::is_empty) {
            return Err(PyValueError::new_err("a spelling must not be empty"));
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&spellings)
            .map_err(|error| PyValueError::new_err(error.to_string()))?;
        Ok(Spellings { automaton })
    }

    /// Every occurrence `(start, end)` of a spelling within `text[low:high]`, in code points,
    /// by start and, at one start, the longest first; None for a text with a lone surrogate
    /// (Python searches it).
    fn occurrences(
        &self,
        text: &Bound<'_, PyString>,
        low: usize,
        high: usize,
    ) -> Option<Vec<(usize, usize)>> {
        let plain = utf8_of(text).ok()?;
        let low_byte = advance(plain.as_bytes(), 0, low);
        let high_byte = advance(plain.as_bytes(), low_byte, high.saturating_sub(low));
        let mut found: Vec<(usize, usize)> = self
            .automaton
            .find_overlapping_iter(&plain.as_bytes()[low_byte..high_byte.max(low_byte)])
            .map(|occurrence| (low_byte + occurrence.start(), low_byte + occurrence.end()))
            .collect();
        if found.is_empty() {
            return Some(found); // the text is not read again
        }
        found.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        // The starts come in order; an end is its start and the spelling's code points.
        let mut starts = Offsets::from(&plain, low_byte, low.min(high));
        Some(
            found
                .into_iter()
                .map(|(start, end)| {
                    let start_char = starts.char_at(start);
                    (start_char, start_char + plain[start..end].chars().count())
                })
                .collect(),
        )
    }
}
