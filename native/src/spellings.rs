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

use crate::utf8::{advance, utf8_of};

/// A set of spellings (non-empty strings) to find in texts.
#[pyclass(frozen, module = "cleantext._native")]
pub struct Spellings {
    automaton: AhoCorasick,
}

/// The code point offsets of the byte offsets `sorted` (ascending, each where a code point of
/// `plain` starts or at its end), counted from byte `from`, which is code point `from_char`.
fn char_offsets(plain: &[u8], sorted: &[usize], from: usize, from_char: usize) -> Vec<usize> {
    let (mut byte, mut chars) = (from, from_char);
    sorted
        .iter()
        .map(|&offset| {
            chars += plain[byte..offset]
                .iter()
                .filter(|&&unit| (unit as i8) >= -0x40)
                .count();
            byte = offset;
            chars
        })
        .collect()
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
        let plain = plain.as_bytes();
        let low_byte = advance(plain, 0, low);
        let high_byte = advance(plain, low_byte, high.saturating_sub(low));
        let mut found: Vec<(usize, usize)> = self
            .automaton
            .find_overlapping_iter(&plain[low_byte..high_byte.max(low_byte)])
            .map(|occurrence| (low_byte + occurrence.start(), low_byte + occurrence.end()))
            .collect();
        if found.is_empty() {
            return Some(found);
        }
        found.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut offsets: Vec<usize> = found
            .iter()
            .flat_map(|&(start, end)| [start, end])
            .collect();
        offsets.sort_unstable();
        offsets.dedup();
        let chars = char_offsets(plain, &offsets, low_byte, low.min(high));
        let char_of =
            |byte: usize| chars[offsets.binary_search(&byte).expect("an offset made above")];
        Some(
            found
                .into_iter()
                .map(|(start, end)| (char_of(start), char_of(end)))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_become_code_point_offsets_from_where_the_count_starts() {
        let plain = "a\u{e9}b\u{2019}c".as_bytes(); // 1 + 2 + 1 + 3 + 1 bytes
        assert_eq!(
            char_offsets(plain, &[0, 1, 3, 4, 7, 8], 0, 0),
            [0, 1, 2, 3, 4, 5]
        );
        assert_eq!(char_offsets(plain, &[4, 8], 3, 2), [3, 5]);
    }
}
