//! The repeat rule's finder on the core (`strip.find_repeats`): the blocks of a text that repeat,
//! word for word, an earlier block of the rule's region (a title or standfirst printed twice).
//!
//! A block is compared by its words (`\w+`), casefolded. The core compares them in a text none
//! of whose word characters is outside ASCII, where a word is a run of ASCII letters, digits and
//! "_" and casefolding is lower-casing; Python compares the others.

use std::collections::{HashMap, HashSet};

use pyo3::prelude::*;

use crate::patterns::{ascii_word_byte, BlockRange, Text};

/// The words of an ASCII-word block, lower-cased, one space apart ("" for a block without
/// words), and how many there are; only its first word with `first_only`.
fn words_of(block: &[u8], first_only: bool) -> (String, usize) {
    let mut words = String::new();
    let mut count = 0;
    let mut in_word = false;
    for &byte in block {
        if ascii_word_byte(byte) {
            if !in_word {
                if count > 0 {
                    if first_only {
                        break;
                    }
                    words.push(' ');
                }
                count += 1;
            }
            words.push(char::from(byte.to_ascii_lowercase()));
            in_word = true;
        } else {
            in_word = false;
        }
    }
    (words, count)
}

/// The blocks (`(start, end)` in code points) that `strip.find_repeats` removes from `text`, in
/// order, before each is widened to its line break: a block of at most `longest` characters whose
/// words, at least `min_words` of them, are those of an earlier block within `low..high`.
/// None where Python compares: a text the core does not read, or one with a word character
/// outside ASCII.
#[pyfunction]
pub fn repeat_removals(
    py: Python<'_>,
    text: PyRef<'_, Text>,
    low: usize,
    high: usize,
    min_words: usize,
    longest: usize,
) -> Option<Vec<(usize, usize)>> {
    let plain = text.readable_str(py)?;
    if text.non_ascii_words() {
        return None;
    }
    let bytes = plain.as_bytes();
    let block_bytes = |block: &BlockRange| &bytes[block.byte_start..block.byte_end];
    let within = |block: &BlockRange| block.start >= low && block.end <= high;
    // Each block a repeat may be, with its first word.
    let blocks: Vec<(&BlockRange, String)> = text
        .blocks(py)
        .iter()
        .filter(|block| block.end - block.start <= longest)
        .map(|block| (block, words_of(block_bytes(block), true).0))
        .collect();
    // Only a block about as long as an original, and starting with the same word, can repeat it.
    let lengths: Vec<usize> = blocks
        .iter()
        .filter(|(block, _)| within(block))
        .map(|(block, _)| block.end - block.start)
        .collect();
    let first_words: HashSet<&str> = blocks
        .iter()
        .filter(|(block, _)| within(block))
        .map(|(_, first)| first.as_str())
        .collect();
    let compared: Vec<&(&BlockRange, String)> = blocks
        .iter()
        .filter(|(block, first)| {
            let length = block.end - block.start;
            within(block)
                || (lengths
                    .iter()
                    .any(|&original| original / 2 <= length && length <= 2 * original)
                    && first_words.contains(first.as_str()))
        })
        .collect();
    // Blocks of equal words have the same first word: one whose first word no other block
    // has is never split into words.
    let mut first_counts: HashMap<&str, usize> = HashMap::new();
    for (_, first) in &compared {
        *first_counts.entry(first.as_str()).or_default() += 1;
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut found = Vec::new();
    for (block, first) in &compared {
        if first_counts[first.as_str()] < 2 {
            continue;
        }
        let (words, count) = words_of(block_bytes(block), false);
        if count < min_words.max(1) {
            continue;
        }
        if seen.contains(&words) {
            found.push((block.start, block.end));
        } else if within(block) {
            seen.insert(words);
        }
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_s_words_are_its_runs_of_word_characters_lower_cased() {
        assert_eq!(
            words_of(b"\"Most powerful BLOW\" - so_far, 2024!", false),
            ("most powerful blow so_far 2024".to_string(), 5)
        );
        assert_eq!(
            words_of(b"  -- Most powerful", true),
            ("most".to_string(), 1)
        );
        assert_eq!(words_of(b" -- ", false), (String::new(), 0));
    }
}
