//! What the screen knows of an off-topic rule's judgement (`strip.find_offtopic`) beyond the
//! shape of a block: whether the text has the words of context the rule asks for, and whether
//! a block surely shares a content word with the rest of the text, which keeps it.
//!
//! A block is surely kept where Python's two ways of judging it (a search for each of its
//! words, or the whole text split into words) both find one of its words elsewhere. That is
//! told here only on ASCII: the block's own words must be ASCII, and a word elsewhere counts
//! only between ASCII characters, where letters, case and word starts are the same on both
//! sides. Anything else is left for the rule to judge: the screen then lets it through.

use std::collections::hash_map::{Entry, HashMap};
use std::sync::Mutex;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::patterns::{
    block_ranges, one_line_of, short_runs, words_in, BlockRange, Pattern, Text, OFFTOPIC_LIMITS,
};
use crate::utf8::utf8_of;

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
///
/// The letters are found sixteen bytes at a time, a bit each, and each run is read off the bits:
/// a branch per word boundary, taken one time in two at random, cost more than the rest of the
/// pass over the text's words.
fn letter_runs_of(bytes: &[u8]) -> impl Iterator<Item = (usize, usize, bool)> + '_ {
    let bits = letter_bits(bytes);
    let mut position = 0;
    std::iter::from_fn(move || {
        let (start, end) = next_run(&bits, bytes.len(), position)?;
        position = end;
        let ascii_before = start == 0 || bytes[start - 1].is_ascii();
        let ascii_after = end == bytes.len() || bytes[end].is_ascii();
        Some((start, end, ascii_before && ascii_after))
    })
}

/// A bit for each byte of `bytes` that is an ASCII letter, the first byte's the lowest bit of the
/// first word; the bits past the end are clear.
fn letter_bits(bytes: &[u8]) -> Vec<u64> {
    let mut bits = vec![0u64; bytes.len().div_ceil(64)];
    let mut sixteens = bytes.chunks_exact(16);
    for (number, sixteen) in sixteens.by_ref().enumerate() {
        let letters = letters_of_sixteen(sixteen.try_into().expect("sixteen bytes"));
        bits[number / 4] |= u64::from(letters) << (16 * (number % 4));
    }
    let rest = sixteens.remainder();
    if !rest.is_empty() {
        let mut padded = [0u8; 16];
        padded[..rest.len()].copy_from_slice(rest);
        let number = bytes.len() / 16;
        bits[number / 4] |= u64::from(letters_of_sixteen(&padded)) << (16 * (number % 4));
    }
    bits
}

/// The first run of set bits (of `length` bits in all) at or after bit `from`, as a span.
fn next_run(bits: &[u64], length: usize, from: usize) -> Option<(usize, usize)> {
    let mut word = from / 64;
    let mut set = bits.get(word)? & (!0u64 << (from % 64));
    while set == 0 {
        word += 1;
        set = *bits.get(word)?;
    }
    let start = word * 64 + set.trailing_zeros() as usize;
    let mut clear = !bits[word] & (!0u64 << (start % 64));
    while clear == 0 {
        word += 1;
        match bits.get(word) {
            Some(&next) => clear = !next,
            None => return Some((start, length)),
        }
    }
    Some((
        start,
        (word * 64 + clear.trailing_zeros() as usize).min(length),
    ))
}

/// The ASCII letters of sixteen bytes, a bit each, the first byte's lowest. SSE2, which every
/// x86-64 processor has.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn letters_of_sixteen(sixteen: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8,
        _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of x86-64; the load reads the sixteen bytes of the array, unaligned.
    unsafe {
        let bytes = _mm_loadu_si128(sixteen.as_ptr().cast::<__m128i>());
        // A capital is its small letter less 0x20. Signed comparisons: a byte of a non-ASCII
        // character is below zero, outside the range.
        let lowered = _mm_or_si128(bytes, _mm_set1_epi8(0x20));
        let letters = _mm_and_si128(
            _mm_cmpgt_epi8(lowered, _mm_set1_epi8((b'a' - 1) as i8)),
            _mm_cmplt_epi8(lowered, _mm_set1_epi8((b'z' + 1) as i8)),
        );
        _mm_movemask_epi8(letters) as u32
    }
}

/// Elsewhere, a byte at a time.
#[cfg(not(target_arch = "x86_64"))]
fn letters_of_sixteen(sixteen: &[u8; 16]) -> u32 {
    sixteen.iter().enumerate().fold(0, |bits, (at, byte)| {
        bits | u32::from(byte.is_ascii_alphabetic()) << at
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

/// The most letters a function word has.
const FUNCTION_WORD_LETTERS: usize = 6;

/// A run of at most `FUNCTION_WORD_LETTERS` ASCII letters in lower case, as one number: its
/// bytes from the most significant down, zeros after them, so that numbers sort as words do.
const fn packed_word(run: &[u8]) -> u64 {
    let mut packed = 0u64;
    let mut index = 0;
    while index < FUNCTION_WORD_LETTERS {
        let byte = if index < run.len() {
            run[index].to_ascii_lowercase()
        } else {
            0
        };
        packed = (packed << 8) | byte as u64;
        index += 1;
    }
    packed
}

/// `FUNCTION_WORDS` packed (`packed_word`), in the same order: a word is looked up with a
/// binary search of numbers, where comparing strings cost a call to `memcmp` per probe.
const PACKED_FUNCTION_WORDS: [u64; FUNCTION_WORDS.len()] = {
    let mut packed = [0u64; FUNCTION_WORDS.len()];
    let mut index = 0;
    while index < FUNCTION_WORDS.len() {
        packed[index] = packed_word(FUNCTION_WORDS[index].as_bytes());
        index += 1;
    }
    packed
};

/// Whether a run of ASCII letters is a function word, in any case.
fn is_function_word(run: &[u8]) -> bool {
    run.len() <= FUNCTION_WORD_LETTERS
        && PACKED_FUNCTION_WORDS
            .binary_search(&packed_word(run))
            .is_ok()
}

/// The key of a content word (see `Key`); None for a function word or a word too short.
fn content_key(run: &[u8]) -> Option<Key> {
    key_of(run).filter(|_| !is_function_word(run))
}

/// A key as 64 bits, for `KeyFilter`.
trait FilterKey: Copy {
    fn folded(self) -> u64;
}

impl FilterKey for Key {
    fn folded(self) -> u64 {
        self
    }
}

impl FilterKey for WideKey {
    fn folded(self) -> u64 {
        (self as u64) ^ ((self >> 64) as u64)
    }
}

/// A set of keys as 4,096 bits, one per hash: most words of a text have no key of a candidate's,
/// and one test of a bit rules them out before a search of the sorted keys.
struct KeyFilter {
    bits: [u64; 64],
}

impl KeyFilter {
    fn new<K: FilterKey>(keys: impl Iterator<Item = K>) -> Self {
        let mut bits = [0u64; 64];
        for key in keys {
            let bit = Self::bit_of(key);
            bits[bit >> 6] |= 1 << (bit & 63);
        }
        Self { bits }
    }

    /// The bit of a key: the top 12 bits of its multiplicative hash.
    fn bit_of<K: FilterKey>(key: K) -> usize {
        (key.folded().wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize
    }

    /// False where `key` is surely not in the set.
    fn may_hold<K: FilterKey>(&self, key: K) -> bool {
        let bit = Self::bit_of(key);
        self.bits[bit >> 6] >> (bit & 63) & 1 == 1
    }
}

/// Per candidate (a block of `plain`, and the first and last block of its run of short blocks),
/// whether it surely shares a content word with the text outside its run, so that the rule
/// keeps it (see the module's docstring); false where that is not known here.
pub(crate) fn surely_shared(
    plain: &str,
    blocks: &[BlockRange],
    candidates: &[(usize, usize, usize)],
) -> Vec<bool> {
    // Each key of each candidate, with the candidate's number.
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
    // A block without a content word is never taken; one with a key is shared once a key is
    // found outside its run (a content word between ASCII characters: both of Python's ways of
    // judging count it); one whose words are not known here stays unshared.
    let mut sharing = Sharing::new(keys, run_spans(blocks, candidates));
    if !sharing.settled() {
        for (start, end, ascii_around) in letter_runs(plain) {
            let run = &plain.as_bytes()[start..end];
            if !ascii_around {
                continue;
            }
            let Some(key) = key_of(run).filter(|&key| sharing.may_hear(key)) else {
                continue;
            };
            if !is_function_word(run) {
                sharing.hear(key, start, end);
                if sharing.settled() {
                    break;
                }
            }
        }
    }
    candidates
        .iter()
        .zip(sharing.unshared)
        .map(|(&(index, _, _), unshared)| {
            plain[blocks[index].byte_start..blocks[index].byte_end].is_ascii() && !unshared
        })
        .collect()
}

/// How an off-topic rule judges its candidates: a text with this many lone heading-shaped lines
/// between paragraphs has sections (`OFFTOPIC_SECTION_HEADINGS`), and up to this many candidates
/// each have their words searched in the rest of the text (`OFFTOPIC_SEARCHED_BLOCKS`); a test
/// holds them to Python's.
pub const OFFTOPIC_JUDGING: (usize, usize) = (3, 16);

/// The removals of an off-topic rule in `text[low:high]`, as `strip.find_offtopic` makes them,
/// in code points; `shape`: the rule's pattern, `guards`: its guards' patterns (each searched in
/// a block on its own); `topic`: the reader of words with letters outside ASCII. None where
/// Python judges: a text with a word character outside ASCII that `topic` does not read as
/// Python does (or no `topic`), more candidates than are searched one by one in a text whose
/// words are ASCII, a few in a text past `TOPIC_CHUNK_CHARS` with words outside ASCII (Python
/// searches those with `re`), or a block a pattern leaves to Python.
#[pyfunction]
#[pyo3(signature = (shape, guards, text, low, high, min_words, max_words, topic))]
#[allow(clippy::too_many_arguments)]
pub fn offtopic_removals(
    py: Python<'_>,
    shape: PyRef<'_, Pattern>,
    guards: Vec<PyRef<'_, Pattern>>,
    text: PyRef<'_, Text>,
    low: usize,
    high: usize,
    min_words: usize,
    max_words: usize,
    topic: Option<PyRef<'_, TopicWords>>,
) -> Option<Vec<(usize, usize)>> {
    if text.length() < OFFTOPIC_LIMITS.0 {
        return Some(Vec::new());
    }
    // Words of letters outside ASCII are read with `topic`'s tables, where Python reads them alike.
    let topic = match topic {
        _ if !text.non_ascii_words() => None,
        Some(topic) => Some(topic),
        None => return None,
    };
    judge_offtopic(
        py,
        &shape,
        &guards,
        &text,
        (low, high),
        (min_words, max_words),
        topic.as_deref(),
    )
}

/// `offtopic_removals` of a text it judges: None where a pattern leaves a block to Python, where
/// there are more candidates than are searched one by one in a text whose words are ASCII (no
/// `topic`), or where a few are, in a text past `TOPIC_CHUNK_CHARS` with words outside ASCII.
///
/// A block is removed where it is one line of enough words in a run of short blocks, its words
/// are shared nowhere outside its run, the shape pattern matches it and no guard does. With no
/// more such lines than are searched one by one, their words are looked up first, in one pass
/// over the text's words, and the patterns (on the backtracking engine, each tens of times the
/// cost of a line's words) asked only of the lines that share none; else the patterns pick the
/// candidates first, as `strip.find_offtopic` does.
fn judge_offtopic(
    py: Python<'_>,
    shape: &Pattern,
    guards: &[PyRef<'_, Pattern>],
    text: &Text,
    (low, high): (usize, usize),
    (min_words, max_words): (usize, usize),
    topic: Option<&TopicWords>,
) -> Option<Vec<(usize, usize)>> {
    let plain = text.readable_str(py)?;
    let blocks = text.blocks(py);
    let (short, runs) = short_runs(plain, blocks, max_words);
    let line_of = |index: usize| &plain[blocks[index].byte_start..blocks[index].byte_end];
    // `strip._judged` of a line of the words asked: the pattern finds it, and (`guarded`) no guard does.
    let judged = |index: usize, guarded: bool| -> Option<bool> {
        let block = line_of(index);
        if shape.first_in_span(block)?.is_none() {
            return Some(false);
        }
        if guarded {
            for guard in guards {
                if guard.first_in_span(block)?.is_some() {
                    return Some(false);
                }
            }
        }
        Some(true)
    };
    let mut lines = Vec::new(); // (block, first and last of its run): one line of the words asked
    for &(first, last) in &runs {
        for (index, block) in blocks.iter().enumerate().take(last).skip(first) {
            if block.start >= low && block.end <= high && one_line_of(line_of(index), min_words) {
                lines.push((index, first, last));
            }
        }
    }
    if lines.is_empty() || !enough_context(plain, blocks, &short) {
        return Some(Vec::new());
    }
    let (headings, searched) = OFFTOPIC_JUDGING;
    // The words of a few candidates searched in the rest of the text (`strip._unshared`), which
    // Python does with `re` in a text past a million characters: such a text's are Python's.
    let unshared_of = |candidates: &[(usize, usize, usize)]| match topic {
        None => Some(unshared_words(plain, blocks, candidates)),
        Some(_) if text.length() > TOPIC_CHUNK_CHARS => None,
        Some(topic) => topic.unshared_words(py, plain, blocks, candidates),
    };
    let mut candidates = Vec::new();
    if lines.len() <= searched {
        for (line, unshared) in lines.iter().zip(unshared_of(&lines)?) {
            if unshared && judged(line.0, true)? {
                candidates.push(*line);
            }
        }
    } else {
        for line in &lines {
            if judged(line.0, true)? {
                candidates.push(*line);
            }
        }
    }
    if candidates.is_empty() {
        return Some(Vec::new());
    }
    // Lone heading-shaped lines between paragraphs, enough of them, are the text's sections.
    let lone: Vec<usize> = runs
        .iter()
        .filter(|&&(first, last)| last - first == 1 && first > 0 && first + 1 < blocks.len())
        .map(|&(first, _)| first)
        .collect();
    if headings > 0 && lone.len() >= headings {
        let mut shaped = 0;
        for &first in &lone {
            shaped += usize::from(one_line_of(line_of(first), min_words) && judged(first, false)?);
        }
        if shaped >= headings {
            candidates.retain(|&(_, first, _)| lone.binary_search(&first).is_err());
            if candidates.is_empty() {
                return Some(Vec::new());
            }
        }
    }
    if lines.len() > searched {
        // Many candidates: the whole text is split into words once (`strip.split_verdicts`),
        // with the tables of a text whose words have letters outside ASCII (else Python's).
        let unshared = if candidates.len() > searched {
            // As Python hands them over: (first and last of its run, block).
            let runs: Vec<(usize, usize, usize)> = candidates
                .iter()
                .map(|&(index, first, last)| (first, last, index))
                .collect();
            topic?.split_unshared(plain, blocks, &runs)?
        } else {
            unshared_of(&candidates)?
        };
        candidates = candidates
            .into_iter()
            .zip(unshared)
            .filter_map(|(candidate, unshared)| unshared.then_some(candidate))
            .collect();
    }
    let length = text.length();
    let mut removals: Vec<(usize, usize)> = Vec::new();
    for &(index, _, _) in &candidates {
        // `segment.block_removal_span`, then `strip._without_overlaps`.
        let (start, end) = (blocks[index].start, blocks[index].end);
        let (mut start, end) = if end < length {
            (start, end + 1)
        } else {
            (start.saturating_sub(1), end)
        };
        if let Some(&(_, previous_end)) = removals.last() {
            if start < previous_end {
                start = previous_end;
                if start > end {
                    continue;
                }
            }
        }
        removals.push((start, end));
    }
    Some(removals)
}

/// Per candidate (a block of `plain`, and the first and last block of its run of short blocks):
/// whether it has a content word and no word outside its run starts with one of its keys
/// (`strip._unshared`: a key of five letters starts a word, a shorter one is a whole word, and a
/// function word elsewhere counts), for a text whose letters are ASCII ones, where Python's
/// words are its runs of ASCII letters.
fn unshared_words(
    plain: &str,
    blocks: &[BlockRange],
    candidates: &[(usize, usize, usize)],
) -> Vec<bool> {
    let bytes = plain.as_bytes();
    let mut keys: Vec<(Key, usize)> = Vec::new();
    for (number, &(index, _, _)) in candidates.iter().enumerate() {
        let block = &bytes[blocks[index].byte_start..blocks[index].byte_end];
        keys.extend(letter_runs_of(block).filter_map(|(start, end, _)| {
            content_key(&block[start..end]).map(|key| (key, number))
        }));
    }
    let mut sharing = Sharing::new(keys, run_spans(blocks, candidates));
    for (start, end, _) in letter_runs_of(bytes) {
        // Once every candidate shares a word, no later word changes a verdict: the text's
        // words are not read further.
        if sharing.settled() {
            break;
        }
        if let Some(key) = key_of(&bytes[start..end]) {
            sharing.hear(key, start, end);
        }
    }
    sharing.unshared
}

impl TopicWords {
    /// `unshared_words` for a text with letters outside ASCII, read with these tables; None
    /// where Python reads the text otherwise (see `reads_as_python`).
    fn unshared_words(
        &self,
        py: Python<'_>,
        plain: &str,
        blocks: &[BlockRange],
        candidates: &[(usize, usize, usize)],
    ) -> Option<Vec<bool>> {
        if !self.reads_as_python(py, plain).ok()? {
            return None;
        }
        let mut keys: Vec<(WideKey, usize)> = Vec::new();
        for (number, &(index, _, _)) in candidates.iter().enumerate() {
            let block = &plain[blocks[index].byte_start..blocks[index].byte_end];
            if !self.each_key(block, |key| keys.push((key, number))) {
                return None;
            }
        }
        let mut sharing = Sharing::new(keys, run_spans(blocks, candidates));
        // Every word counts, function words too (`strip._unshared`); each is heard as it is
        // read, none kept.
        let read = self.each_word(plain, false, |key, _, start, end| {
            if !sharing.settled() {
                sharing.hear(key, start, end);
            }
        });
        read.then_some(sharing.unshared)
    }
}

/// The byte span of each candidate's run of blocks.
fn run_spans(blocks: &[BlockRange], candidates: &[(usize, usize, usize)]) -> Vec<(usize, usize)> {
    candidates
        .iter()
        .map(|&(_, first, last)| (blocks[first].byte_start, blocks[last - 1].byte_end))
        .collect()
}

/// Per candidate, whether it has a key (`keys`: each with its candidate's number) and no word
/// heard so far (each key with its byte span) outside its run's byte span (`spans`) has one of them.
struct Sharing<K> {
    keys: Vec<(K, usize)>,
    filter: KeyFilter,
    spans: Vec<(usize, usize)>,
    unshared: Vec<bool>,
    /// The candidates still unshared: none left, no later word changes a verdict.
    open: usize,
}

impl<K: Ord + FilterKey> Sharing<K> {
    fn new(mut keys: Vec<(K, usize)>, spans: Vec<(usize, usize)>) -> Self {
        keys.sort_unstable();
        keys.dedup();
        let mut unshared = vec![false; spans.len()];
        for &(_, number) in &keys {
            unshared[number] = true; // a block without a content word is never taken
        }
        let open = unshared.iter().filter(|&&unshared| unshared).count();
        Sharing {
            filter: KeyFilter::new(keys.iter().map(|&(key, _)| key)),
            keys,
            spans,
            unshared,
            open,
        }
    }

    /// Whether every candidate shares a word already.
    fn settled(&self) -> bool {
        self.open == 0
    }

    /// False where no candidate has `key`: hearing it changes nothing.
    fn may_hear(&self, key: K) -> bool {
        self.filter.may_hold(key)
    }

    /// A word of the text: its key and its byte span.
    fn hear(&mut self, key: K, start: usize, end: usize) {
        if !self.may_hear(key) {
            return;
        }
        let from = self.keys.partition_point(|(probe, _)| *probe < key);
        for &(_, number) in self.keys[from..]
            .iter()
            .take_while(|(probe, _)| *probe == key)
        {
            // A word lies within one block: outside the run of blocks, or in it.
            let (low, high) = self.spans[number];
            if (end <= low || start >= high) && self.unshared[number] {
                self.unshared[number] = false;
                self.open -= 1;
            }
        }
    }
}

/// A paragraph longer than this is split into words a chunk at a time by Python
/// (`strip.TOPIC_CHUNK_CHARS`), which may cut a word where a chunk holds no space: such a text
/// is left to Python.
const TOPIC_CHUNK_CHARS: usize = 1 << 20;

/// The one character whose lower case (`str.lower`) depends on its neighbours: a capital sigma
/// ends a word as "ς", and is "σ" elsewhere. A text holding one is left to Python.
const CAPITAL_SIGMA: char = '\u{3a3}';

/// The key of a word of any letters: its first five, lowered, 21 bits each (a shorter word's
/// key is the word: no letter is zero).
type WideKey = u128;

/// The content words of a text as `strip._topic_keys` reads them, for the rule's judgement of
/// many candidates at once (`strip.find_offtopic` splits the whole text into words once).
///
/// Python lowers the text (`str.lower`), then takes the runs of three or more letters (`\p{L}`
/// of the `regex` module). Letters outside ASCII and their lower case are the tables Python
/// hands over, so the two never disagree on a character, whatever the Unicode versions of
/// Python, `regex` and Rust. Lowering a letter may give a non-letter ("İ" is "i" and a
/// combining dot), which ends the word; no non-letter lowers to a letter (a test checks every
/// character).
#[pyclass(frozen, module = "cleantext._native")]
pub struct TopicWords {
    /// The letters outside ASCII, as sorted ranges of code points (inclusive).
    letters: Vec<(u32, u32)>,
    /// The letters outside ASCII that lowering changes, sorted, each with its lower case.
    lowered: Vec<(u32, Vec<char>)>,
    /// Characters outside ASCII, by whether `strip._unshared` reads them as these tables do
    /// (see `reads_as_python`), as Python was asked.
    alike: Mutex<Alike>,
}

/// What Python was asked of characters outside ASCII (`TopicWords::reads_as_python`): a byte
/// each for the first 64 Ki code points (0: not asked, 1: alike, 2: not), the others by number.
#[derive(Default)]
struct Alike {
    basic: Vec<u8>,
    others: HashMap<u32, bool>,
}

impl Alike {
    fn get(&self, character: char) -> Option<bool> {
        let point = u32::from(character);
        if point < 0x1_0000 {
            match self.basic.get(point as usize) {
                Some(1) => Some(true),
                Some(2) => Some(false),
                _ => None,
            }
        } else {
            self.others.get(&point).copied()
        }
    }

    fn set(&mut self, character: char, reads_alike: bool) {
        let point = u32::from(character);
        if point < 0x1_0000 {
            if self.basic.is_empty() {
                self.basic = vec![0; 0x1_0000];
            }
            self.basic[point as usize] = if reads_alike { 1 } else { 2 };
        } else {
            self.others.insert(point, reads_alike);
        }
    }
}

/// A word being read: how many letters it has so far, its key, and whether it is a function
/// word so far (its first six letters, where all are ASCII).
struct Word {
    letters: usize,
    key: WideKey,
    ascii: [u8; 6],
    plain: bool,
    /// The byte where its first letter's character starts.
    start: usize,
}

impl Word {
    const fn new() -> Self {
        Self {
            letters: 0,
            key: 0,
            ascii: [0; 6],
            plain: true,
            start: 0,
        }
    }

    /// Adds a letter of the character at byte `at`.
    fn push(&mut self, letter: char, at: usize) {
        if self.letters == 0 {
            self.start = at;
        }
        if self.letters < KEY_LETTERS {
            self.key = self.key << 21 | WideKey::from(u32::from(letter));
        }
        if self.letters < self.ascii.len() && letter.is_ascii() {
            self.ascii[self.letters] = letter as u8;
        } else {
            self.plain = false;
        }
        self.letters += 1;
    }

    /// Ends the word at byte `at`: `found` gets a word of three letters or more, its key,
    /// whether it is a content word (no function word; with `judged` false, every word is
    /// taken for one), and its byte span.
    fn end(
        &mut self,
        at: usize,
        judged: bool,
        found: &mut impl FnMut(WideKey, bool, usize, usize),
    ) {
        if self.letters >= WORD_LETTERS {
            // `plain`: all its letters are ASCII and held, which a function word's are.
            let function_word =
                judged && self.plain && is_function_word(&self.ascii[..self.letters]);
            found(self.key, !function_word, self.start, at);
        }
        *self = Self::new();
    }
}

impl TopicWords {
    fn is_letter(&self, character: char) -> bool {
        if character.is_ascii() {
            return character.is_ascii_alphabetic();
        }
        let point = u32::from(character);
        let after = self.letters.partition_point(|&(start, _)| start <= point);
        after > 0 && self.letters[after - 1].1 >= point
    }

    /// Calls `found` with the key of each content word of `text`, in order and repeated as
    /// they come; false (with some keys given) where `text` holds a capital sigma.
    fn each_key(&self, text: &str, mut found: impl FnMut(WideKey)) -> bool {
        self.each_word(text, true, |key, content, _, _| {
            if content {
                found(key);
            }
        })
    }

    /// Calls `found` with each word of three letters or more of `text` (see `Word::end`, which
    /// tells function words only where `judged`), in order; false (with some words given)
    /// where `text` holds a capital sigma.
    fn each_word(
        &self,
        text: &str,
        judged: bool,
        mut found: impl FnMut(WideKey, bool, usize, usize),
    ) -> bool {
        let mut word = Word::new();
        for (at, character) in text.char_indices() {
            if character.is_ascii() {
                if character.is_ascii_alphabetic() {
                    word.push(character.to_ascii_lowercase(), at);
                } else {
                    word.end(at, judged, &mut found);
                }
            } else if character == CAPITAL_SIGMA {
                return false;
            } else if !self.is_letter(character) {
                word.end(at, judged, &mut found);
            } else if let Some(lower) = self.lower(character) {
                for &lower in lower {
                    if self.is_letter(lower) {
                        word.push(lower, at);
                    } else {
                        word.end(at, judged, &mut found);
                    }
                }
            } else {
                word.push(character, at);
            }
        }
        word.end(text.len(), judged, &mut found);
        true
    }

    /// The lower case of a letter outside ASCII that `str.lower` changes; None for the others.
    fn lower(&self, character: char) -> Option<&[char]> {
        self.lowered
            .binary_search_by_key(&u32::from(character), |(point, _)| *point)
            .ok()
            .map(|at| self.lowered[at].1.as_slice())
    }

    /// Whether `strip._unshared` reads `text` as these tables do: every character outside ASCII
    /// lowered (`str.lower`) to one character, and it and its lower case letters to `str.isalpha`
    /// just where they are letters here (the Unicode versions of Python and of `regex` part on
    /// thousands of characters); no capital sigma. Python is asked once per character.
    fn reads_as_python(&self, py: Python<'_>, text: &str) -> PyResult<bool> {
        let mut alike = self
            .alike
            .lock()
            .map_err(|_| PyValueError::new_err("the topic reader's cache was poisoned"))?;
        for character in text.chars().filter(|character| !character.is_ascii()) {
            let reads_alike = match alike.get(character) {
                Some(known) => known,
                None => {
                    let reads_alike = self.python_reads_alike(py, character)?;
                    alike.set(character, reads_alike);
                    reads_alike
                }
            };
            if !reads_alike {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether `str.lower` lowers `character` to one character, and `str.isalpha` takes it and
    /// its lower case for letters just where these tables do.
    fn python_reads_alike(&self, py: Python<'_>, character: char) -> PyResult<bool> {
        let is_alpha = |character: char| -> PyResult<bool> {
            PyString::new(py, character.encode_utf8(&mut [0; 4]))
                .call_method0("isalpha")?
                .extract()
        };
        let lowered: String = PyString::new(py, character.encode_utf8(&mut [0; 4]))
            .call_method0("lower")?
            .extract()?;
        let mut lower = lowered.chars();
        Ok(match (lower.next(), lower.next()) {
            (Some(lower), None) => {
                character != CAPITAL_SIGMA
                    && is_alpha(character)? == self.is_letter(character)
                    && is_alpha(lower)? == self.is_letter(lower)
            }
            _ => false,
        })
    }

    /// The keys of `text`'s content words, sorted, once each; None for a capital sigma.
    fn key_set(&self, text: &str) -> Option<Vec<WideKey>> {
        let mut keys = Vec::new();
        self.each_key(text, |key| keys.push(key)).then(|| {
            keys.sort_unstable();
            keys.dedup();
            keys
        })
    }
}

#[pymethods]
impl TopicWords {
    /// `letters`: the ranges of code points `\p{L}` matches; `lowered`: each letter outside
    /// ASCII that `str.lower` changes, with its lower case.
    #[new]
    fn new(letters: Vec<(u32, u32)>, lowered: Vec<(u32, String)>) -> PyResult<Self> {
        let mut letters: Vec<(u32, u32)> = letters
            .into_iter()
            .filter(|&(_, end)| end >= 0x80)
            .map(|(start, end)| (start.max(0x80), end))
            .collect();
        letters.sort_unstable();
        if letters.windows(2).any(|pair| pair[0].1 >= pair[1].0) {
            return Err(PyValueError::new_err("the letters' ranges overlap"));
        }
        let mut lowered: Vec<(u32, Vec<char>)> = lowered
            .into_iter()
            .map(|(point, lower)| (point, lower.chars().collect()))
            .collect();
        lowered.sort_unstable();
        Ok(Self {
            letters,
            lowered,
            alike: Mutex::new(Alike::default()),
        })
    }

    /// The keys of the content words of `text` in order, repeated as they come, each as the
    /// word's first five letters; None where Python must read it (a capital sigma or a lone
    /// surrogate).
    fn keys(&self, text: &Bound<'_, PyString>) -> Option<Vec<String>> {
        let plain = utf8_of(text).ok()?;
        let plain: &str = &plain;
        let mut keys = Vec::new();
        let read = self.each_key(plain, |key| {
            let mut letters = Vec::with_capacity(KEY_LETTERS);
            let mut rest = key;
            while rest != 0 {
                letters.push(char::from_u32((rest & 0x1F_FFFF) as u32).expect("a letter"));
                rest >>= 21;
            }
            keys.push(letters.iter().rev().collect());
        });
        read.then_some(keys)
    }

    /// For each candidate `(first, last, index)` of `strip.find_offtopic` (block `index` of
    /// `text`, in the run of short blocks `first..last`): whether it has a content word and
    /// none of them occurs in a block outside its run, as the rule judges when it splits the
    /// whole text into words once. `blocks`: how many blocks the caller found (a check that
    /// both read the same blocks). None where Python must judge: a lone surrogate, a capital
    /// sigma, or a block too long to be read in one piece.
    fn unshared(
        &self,
        text: &Bound<'_, PyString>,
        blocks: usize,
        candidates: Vec<(usize, usize, usize)>,
    ) -> PyResult<Option<Vec<bool>>> {
        let Ok(plain) = utf8_of(text) else {
            return Ok(None);
        };
        let plain: &str = &plain;
        let ranges = block_ranges(plain);
        if ranges.len() != blocks {
            return Err(PyValueError::new_err(format!(
                "the text has {} blocks, not {blocks}",
                ranges.len()
            )));
        }
        if candidates
            .iter()
            .any(|&(first, last, index)| first > index || index >= last || last > blocks)
        {
            return Err(PyValueError::new_err(
                "a candidate outside its run of blocks",
            ));
        }
        Ok(self.split_unshared(plain, &ranges, &candidates))
    }
}

impl TopicWords {
    /// `unshared` of a text's UTF-8 and its blocks; None where Python must judge.
    pub(crate) fn split_unshared(
        &self,
        plain: &str,
        ranges: &[BlockRange],
        candidates: &[(usize, usize, usize)],
    ) -> Option<Vec<bool>> {
        if ranges
            .iter()
            .any(|block| block.end - block.start > TOPIC_CHUNK_CHARS)
        {
            return None;
        }
        let slice = |index: usize| &plain[ranges[index].byte_start..ranges[index].byte_end];
        // The keys of every block of a candidate's run.
        let mut run_keys: HashMap<usize, Vec<WideKey>> = HashMap::new();
        for &(first, last, _) in candidates {
            for index in first..last {
                if let Entry::Vacant(entry) = run_keys.entry(index) {
                    entry.insert(self.key_set(slice(index))?);
                }
            }
        }
        let mut wanted: Vec<WideKey> = candidates
            .iter()
            .flat_map(|(_, _, index)| run_keys[index].iter().copied())
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        // How many blocks hold each wanted key (a block counts once).
        let mut blocks_with = vec![0usize; wanted.len()];
        let mut last_block = vec![usize::MAX; wanted.len()];
        for index in 0..ranges.len() {
            let read = self.each_key(slice(index), |key| {
                if let Ok(at) = wanted.binary_search(&key) {
                    if last_block[at] != index {
                        last_block[at] = index;
                        blocks_with[at] += 1;
                    }
                }
            });
            if !read {
                return None;
            }
        }
        Some(
            candidates
                .iter()
                .map(|&(first, last, index)| {
                    let keys = &run_keys[&index];
                    // A word the run's own lines share ("Shop sofas", "Shop lamps") is still off topic.
                    !keys.is_empty()
                        && keys.iter().all(|key| {
                            let in_run = (first..last)
                                .filter(|other| run_keys[other].binary_search(key).is_ok())
                                .count();
                            wanted
                                .binary_search(key)
                                .is_ok_and(|at| blocks_with[at] == in_run)
                        })
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_function_words_are_sorted_for_their_search() {
        assert!(FUNCTION_WORDS.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(PACKED_FUNCTION_WORDS
            .windows(2)
            .all(|pair| pair[0] < pair[1]));
        assert!(FUNCTION_WORDS
            .iter()
            .all(|word| word.len() <= FUNCTION_WORD_LETTERS));
    }

    #[test]
    fn a_function_word_is_known_in_any_case_and_no_other_word_is() {
        for word in FUNCTION_WORDS {
            assert!(is_function_word(word.as_bytes()), "{word}");
            assert!(
                is_function_word(word.to_ascii_uppercase().as_bytes()),
                "{word}"
            );
        }
        for word in [
            "theme", "th", "abouts", "yours", "whence", "Zelensky", "wouldst", "ab",
        ] {
            assert!(!is_function_word(word.as_bytes()), "{word}");
        }
    }

    #[test]
    fn letter_runs_are_the_runs_of_ascii_letters_across_every_sixteen_and_sixty_four_bytes() {
        // Runs that start and end on either side of each boundary of sixteen and of sixty-four
        // bytes, at the text's ends, and around letters outside ASCII and bytes next to letters.
        let mut texts = vec![String::new(), "a".into(), "@[`{".into()];
        for length in [15, 16, 17, 63, 64, 65, 127, 128, 129] {
            for gap in [0, 1, 2, 15, 16, 17] {
                let mut text = String::new();
                while text.len() < length {
                    text.push_str(&"Word".repeat(gap + 1));
                    text.push_str(["@", " ", "`", "\u{e9}", "[", "{", "Z9"][text.len() % 7]);
                }
                texts.push(text.clone());
                texts.push(format!("{text}xyz"));
                texts.push(format!(" {text}"));
            }
        }
        for text in &texts {
            let bytes = text.as_bytes();
            let mut expected = Vec::new();
            let mut at = 0;
            while at < bytes.len() {
                if bytes[at].is_ascii_alphabetic() {
                    let start = at;
                    while at < bytes.len() && bytes[at].is_ascii_alphabetic() {
                        at += 1;
                    }
                    let before = start == 0 || bytes[start - 1].is_ascii();
                    let after = at == bytes.len() || bytes[at].is_ascii();
                    expected.push((start, at, before && after));
                } else {
                    at += 1;
                }
            }
            assert_eq!(letter_runs(text).collect::<Vec<_>>(), expected, "{text:?}");
        }
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
