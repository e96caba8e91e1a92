//! What the screen knows of an off-topic rule's judgement (`strip.find_offtopic`) beyond the
//! shape of a block: whether the text has the words of context the rule asks for, and whether
//! a block surely shares a content word with the rest of the text, which keeps it.
//!
//! A block is surely kept where Python's two ways of judging it (a search for each of its
//! words, or the whole text split into words) both find one of its words elsewhere. That is
//! told here only on ASCII: the block's own words must be ASCII, and a word elsewhere counts
//! only between ASCII characters, where letters, case and word starts are the same on both
//! sides. Anything else is left for the rule to judge: the screen then lets it through.

use crate::patterns::{words_in, BlockRange};

/// The fewest words the long blocks of a text must hold for the rule to judge its short ones
/// (`OFFTOPIC_CONTEXT_MIN_WORDS`), and how many characters of each long block are counted for
/// them (20 a word); a test holds them to Python's.
pub const OFFTOPIC_CONTEXT: (usize, usize) = (150, 20 * 150);

/// Words that say nothing about what an article is about (`strip.FUNCTION_WORDS`): they never
/// count as shared. Sorted, for a binary search; a test holds them to Python's.
pub const FUNCTION_WORDS: [&str; 88] = [
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "before", "being", "but", "by", "can", "could", "did", "do", "does", "for", "from", "get",
    "got", "had", "has", "have", "he", "her", "here", "his", "how", "i", "if", "in", "into", "is",
    "it", "its", "just", "may", "me", "more", "most", "my", "new", "no", "not", "of", "on", "one",
    "or", "our", "out", "over", "she", "so", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "to", "two", "up", "us", "was", "we", "were",
    "what", "when", "where", "which", "who", "why", "will", "with", "would", "you", "your",
];

/// The first five letters of a content word stand in for its stem (`strip._topic_keys`).
const KEY_LETTERS: usize = 5;

/// Content words have at least this many letters.
const WORD_LETTERS: usize = 3;

/// Whether the long blocks of `plain` (those not `short`) hold the words of context the rule
/// asks for, counted as `strip._enough_context` counts them.
pub(crate) fn enough_context(plain: &str, blocks: &[BlockRange], short: &[bool]) -> bool {
    let (fewest, counted_chars) = OFFTOPIC_CONTEXT;
    let mut words = 0;
    for (block, &is_short) in blocks.iter().zip(short) {
        if is_short {
            continue;
        }
        let mut haystack = &plain[block.byte_start..block.byte_end];
        if block.end - block.start > counted_chars {
            let cut = haystack
                .char_indices()
                .nth(counted_chars)
                .map_or(haystack.len(), |(offset, _)| offset);
            haystack = &haystack[..cut];
        }
        words += words_in(haystack, fewest);
        if words >= fewest {
            return true;
        }
    }
    false
}

/// The maximal runs of ASCII letters in `text`, as byte spans, each with whether the
/// characters on either side of it are ASCII (or the text's ends).
fn letter_runs(text: &str) -> impl Iterator<Item = (usize, usize, bool)> + '_ {
    letter_runs_of(text.as_bytes())
}

/// `letter_runs` of UTF-8 bytes.
fn letter_runs_of(bytes: &[u8]) -> impl Iterator<Item = (usize, usize, bool)> + '_ {
    let mut position = 0;
    std::iter::from_fn(move || {
        let start = position + bytes[position..].iter().position(u8::is_ascii_alphabetic)?;
        let end = bytes[start..]
            .iter()
            .position(|byte| !byte.is_ascii_alphabetic())
            .map_or(bytes.len(), |length| start + length);
        position = end;
        let ascii_before = start == 0 || bytes[start - 1].is_ascii();
        let ascii_after = end == bytes.len() || bytes[end].is_ascii();
        Some((start, end, ascii_before && ascii_after))
    })
}

/// The key of a word: its first five letters, lowered, packed one a byte into an integer
/// (a shorter word's key is the word: its unused bytes are zero, which no letter is).
type Key = u64;

/// The key of a run of ASCII letters; None for a word too short to be a content word.
fn key_of(run: &[u8]) -> Option<Key> {
    (run.len() >= WORD_LETTERS).then(|| {
        run.iter().take(KEY_LETTERS).fold(0, |key, byte| {
            key << 8 | u64::from(byte.to_ascii_lowercase())
        })
    })
}

/// The bit of a word's first letter, in any case, among 26.
fn initial_bit(run: &[u8]) -> u32 {
    1 << (run[0].to_ascii_lowercase() - b'a')
}

/// Whether a run of ASCII letters is a function word, in any case.
fn is_function_word(run: &[u8]) -> bool {
    // No function word is longer than six letters.
    if run.len() > 6 {
        return false;
    }
    let mut lowered = [0u8; 6];
    for (into, byte) in lowered.iter_mut().zip(run) {
        *into = byte.to_ascii_lowercase();
    }
    let word = std::str::from_utf8(&lowered[..run.len()]).expect("ASCII letters");
    FUNCTION_WORDS.binary_search(&word).is_ok()
}

/// The key of a content word (see `Key`); None for a function word or a word too short.
fn content_key(run: &[u8]) -> Option<Key> {
    key_of(run).filter(|_| !is_function_word(run))
}

/// Per candidate (a block of `plain`, and the first and last block of its run of short blocks),
/// whether it surely shares a content word with the text outside its run, so that the rule
/// keeps it (see the module's docstring); false where that is not known here.
pub(crate) fn surely_shared(
    plain: &str,
    blocks: &[BlockRange],
    candidates: &[(usize, usize, usize)],
) -> Vec<bool> {
    // Each key of each candidate, with the candidate's number: sorted, for a binary search.
    let mut keys: Vec<(Key, usize)> = Vec::new();
    for (number, &(index, _, _)) in candidates.iter().enumerate() {
        let block = &plain[blocks[index].byte_start..blocks[index].byte_end];
        if !block.is_ascii() {
            continue; // its words are not known here: no key marks it shared
        }
        keys.extend(letter_runs(block).filter_map(|(start, end, _)| {
            content_key(&block.as_bytes()[start..end]).map(|key| (key, number))
        }));
    }
    keys.sort_unstable();
    keys.dedup();
    // A block without a content word is never taken; one with a key is shared once a key is
    // found outside its run; one whose words are not known here stays unshared.
    let mut shared: Vec<bool> = candidates
        .iter()
        .map(|&(index, _, _)| plain[blocks[index].byte_start..blocks[index].byte_end].is_ascii())
        .collect();
    let initials = candidates.iter().fold(0u32, |bits, &(index, _, _)| {
        let block = &plain.as_bytes()[blocks[index].byte_start..blocks[index].byte_end];
        letter_runs_of(block).fold(bits, |bits, (start, end, _)| {
            bits | initial_bit(&block[start..end])
        })
    });
    let mut left = 0; // the blocks with keys not yet found outside their run
    for &(_, number) in &keys {
        if shared[number] {
            shared[number] = false;
            left += 1;
        }
    }
    if left == 0 {
        return shared;
    }
    let spans: Vec<(usize, usize)> = candidates
        .iter()
        .map(|&(_, first, last)| (blocks[first].byte_start, blocks[last - 1].byte_end))
        .collect();
    for (start, end, ascii_around) in letter_runs(plain) {
        let run = &plain.as_bytes()[start..end];
        // Most words start with a letter no key starts with: one test of a bit rules them out.
        if initial_bit(run) & initials == 0 || !ascii_around {
            continue;
        }
        let Some(key) = key_of(run) else {
            continue;
        };
        let from = keys.partition_point(|(probe, _)| *probe < key);
        if keys.get(from).is_none_or(|(probe, _)| *probe != key) || is_function_word(run) {
            continue;
        }
        for &(_, number) in keys[from..].iter().take_while(|(probe, _)| *probe == key) {
            // A run of letters lies within one block: outside the run of blocks, or in it.
            let (low, high) = spans[number];
            if !shared[number] && (end <= low || start >= high) {
                shared[number] = true;
                left -= 1;
            }
        }
        if left == 0 {
            break;
        }
    }
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_function_words_are_sorted_for_their_search() {
        assert!(FUNCTION_WORDS.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn letter_runs_say_whether_their_neighbours_are_ascii() {
        let runs: Vec<_> = letter_runs("ab, c\u{e9}d 9ef").collect();
        assert_eq!(
            runs,
            vec![(0, 2, true), (4, 5, false), (7, 8, false), (10, 12, true)]
        );
    }
}
