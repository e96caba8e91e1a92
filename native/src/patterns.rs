//! Rule patterns run natively: the finders of inline, line and block rules and of character maps.
//!
//! A pattern arrives translated (`cleantext/translate.py`): its classes spelled
//! out as `regex`'s own ranges, its assertions rewritten to Python's meaning, so
//! that the `fancy-regex` crate matches what Python's `regex` matches. Offsets
//! cross the boundary in code points, as the provenance contract states; text
//! travels as UTF-8, and a text that holds a lone surrogate is answered with
//! None (the Python engine takes it).

use std::collections::HashMap;
use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyString, PyTuple};
use regex::{Regex, RegexBuilder};

use crate::automaton::{matched, Automaton, AutomatonSet, GroupSpans, Matches};

use crate::fast_hash::FastMap;
use crate::html::python_space;
use crate::lines::line_counts;
use crate::offtopic::{enough_context, surely_shared};
use crate::utf8::{advance, remember_reading, retreat, spliced, utf8_of};

/// How many backtracking steps one search may take; past it the Python engine decides
/// (and its time limit, if any, stops a runaway rule as it does on the Python engine).
const BACKTRACK_LIMIT: usize = 1_000_000;

/// The lazy DFA's cache, per pattern: at the regex crate's default of 2 MiB a large
/// case-insensitive Unicode pattern (a line rule's) clears it so often that each search
/// falls back to the NFA, some fifteen times slower per line.
const DFA_CACHE_BYTES: usize = 1 << 23;

/// The most memory one pattern's automaton (or a backtracking pattern's delegate) may take;
/// a larger one does not compile and its rule stays on Python. Counted repetitions of large
/// case-insensitive Unicode classes (`[\p{L} ]{1,40}`) are what grow past it: five built-in
/// rules, evaluated on about one document in four between them, which would take 57 MB.
const NFA_BYTES: usize = 1 << 22;

/// Longer lines are prose, which line rules never judge (`strip.LINE_MAX_CHARS`).
const LINE_MAX_CHARS: usize = 1000;

/// One piece of a replacement: literal text, or a group (the first of several that took part).
enum Piece {
    Text(String),
    Group(Vec<usize>),
}

/// Code point offsets for byte offsets of one text, asked in increasing order.
pub(crate) struct Offsets<'a> {
    bytes: &'a [u8],
    ascii: bool,
    byte: usize,
    char: usize,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        Self::from(text, 0, 0)
    }

    /// Offsets asked from byte `byte` on, which is code point `char` (a search from there, whose
    /// matches are not counted from the text's start: a text's last block is at its end).
    pub(crate) fn from(text: &'a str, byte: usize, char: usize) -> Self {
        Offsets {
            bytes: text.as_bytes(),
            ascii: text.is_ascii(),
            byte,
            char,
        }
    }

    /// The code point offset of byte offset `byte` (not before the last one asked).
    pub(crate) fn char_at(&mut self, byte: usize) -> usize {
        if self.ascii {
            return byte;
        }
        if byte < self.byte {
            self.byte = 0;
            self.char = 0;
        }
        self.char += self.bytes[self.byte..byte]
            .iter()
            .filter(|&&b| (b as i8) >= -0x40)
            .count();
        self.byte = byte;
        self.char
    }
}

/// The byte offset in `text` (of `length` code points) of code point offset `char`, walked to
/// from the nearer end: a search of a text's tail region starts near its end.
fn byte_offset(text: &str, length: usize, char: usize) -> usize {
    if char >= length {
        return text.len();
    }
    if char == 0 || length == text.len() {
        return char;
    }
    if char <= length / 2 {
        return advance(text.as_bytes(), 0, char);
    }
    retreat(text.as_bytes(), length - char)
}

/// Whether an ASCII byte is a word character (`\\w`): a letter, a digit or "_".
pub(crate) fn ascii_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// The byte offset just past the character at byte `at` of `haystack` (where a search that
/// found nothing there, or an empty match, goes on); None at the end.
fn past_character(haystack: &str, at: usize) -> Option<usize> {
    haystack[at..]
        .chars()
        .next()
        .map(|next| at + next.len_utf8())
}

/// Whether `character` is a word character to `regex` (`\\w`); None before the tables are set.
pub(crate) fn word_character(character: char) -> Option<bool> {
    if character.is_ascii() {
        return Some(ascii_word_byte(character as u8));
    }
    READING_TABLES
        .get()
        .map(|tables| tables.word.holds(character as u32))
}

/// The characters that the matches of the `patterns` (in the automata's syntax), and what their
/// assertions look at, can be: their literals and classes, line breaks for line anchors, word
/// characters for word boundaries (and for `word_boundaries`). None when a pattern does not parse.
fn touchable_characters(patterns: &[&str], word_boundaries: bool) -> Option<Ranges> {
    use regex_syntax::hir::{Class, Hir, HirKind, Look};

    fn gather(hir: &Hir, ranges: &mut Vec<(u32, u32)>, words: &mut bool) {
        match hir.kind() {
            HirKind::Empty => {}
            HirKind::Literal(literal) => match std::str::from_utf8(&literal.0) {
                Ok(text) => ranges.extend(text.chars().map(|c| (c as u32, c as u32))),
                Err(_) => ranges.push((0, 0x10FFFF)),
            },
            HirKind::Class(Class::Unicode(class)) => ranges.extend(
                class
                    .iter()
                    .map(|range| (range.start() as u32, range.end() as u32)),
            ),
            HirKind::Class(Class::Bytes(class)) => {
                for range in class.iter() {
                    if range.end() >= 0x80 {
                        ranges.push((0x80, 0x10FFFF)); // part of some non-ASCII character
                    }
                    if range.start() < 0x80 {
                        ranges.push((u32::from(range.start()), u32::from(range.end().min(0x7F))));
                    }
                }
            }
            HirKind::Look(look) => match look {
                Look::Start | Look::End => {}
                Look::StartLF | Look::EndLF => ranges.push((0x0A, 0x0A)),
                Look::StartCRLF | Look::EndCRLF => ranges.extend([(0x0A, 0x0A), (0x0D, 0x0D)]),
                _ => *words = true,
            },
            HirKind::Repetition(repetition) => gather(&repetition.sub, ranges, words),
            HirKind::Capture(capture) => gather(&capture.sub, ranges, words),
            HirKind::Concat(parts) | HirKind::Alternation(parts) => {
                for part in parts {
                    gather(part, ranges, words);
                }
            }
        }
    }

    let mut ranges = Vec::new();
    let mut words = word_boundaries;
    for pattern in patterns {
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(pattern)
            .ok()?;
        gather(&hir, &mut ranges, &mut words);
    }
    if words {
        ranges.extend([(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)]);
        ranges.extend(READING_TABLES.get()?.word.ranges.iter().copied());
    }
    ranges.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1.saturating_add(1) => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    Some(Ranges::new(merged))
}

/// Sorted, inclusive code point ranges, searched by halves; those of the reading tables also
/// as a bitmap of the first plane, which holds most characters a text has.
struct Ranges {
    ranges: Vec<(u32, u32)>,
    first_plane: Option<Vec<u64>>,
}

impl Ranges {
    fn new(ranges: Vec<(u32, u32)>) -> Self {
        Ranges {
            ranges,
            first_plane: None,
        }
    }

    /// The ranges, with the bitmap of the first plane (8 KiB): for tables every text is read by.
    fn with_bitmap(ranges: Vec<(u32, u32)>) -> Self {
        let mut bits = vec![0u64; 0x10000 / 64];
        for &(start, end) in &ranges {
            for point in start..=end.min(0xFFFF) {
                bits[point as usize / 64] |= 1 << (point % 64);
            }
        }
        Ranges {
            ranges,
            first_plane: Some(bits),
        }
    }

    fn holds(&self, point: u32) -> bool {
        if let (Some(bits), true) = (&self.first_plane, point < 0x10000) {
            return bits[point as usize / 64] & (1 << (point % 64)) != 0;
        }
        self.ranges
            .binary_search_by(|&(start, end)| {
                if end < point {
                    std::cmp::Ordering::Less
                } else if start > point {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    /// Whether a non-ASCII character of `text` is in the ranges.
    fn any_in(&self, text: &str) -> bool {
        non_ascii_characters(text).any(|c| self.holds(c as u32))
    }
}

/// A translated pattern with its replacement, compiled once per rule.
#[pyclass(frozen, module = "cleantext._native")]
pub struct Pattern {
    engine: Engine,
    /// Whether the pattern has word boundaries, which are exact only on a text whose
    /// non-ASCII characters are none of them word characters (the automata's are ASCII ones).
    word_boundaries: bool,
    template: Option<Vec<Piece>>,
    /// A leading look-behind of a few characters: their pattern, whether they must match it,
    /// and how many they are.
    before: Option<(Regex, bool, usize)>,
    /// For a backtracking pattern, its relaxed form on the automata, which matches wherever the
    /// pattern does: where it finds nothing, the backtracking search is not made.
    prefilter: Option<Automaton>,
    /// The fewest and the most characters (UTF-8 bytes) a match of the automata's pattern has, if known.
    minimum_length: Option<usize>,
    maximum_length: Option<usize>,
    /// Whether the pattern stands in for a rule's own, which the core cannot hold: it matches
    /// wherever that one does, and a line or block it matches is Python's to judge.
    candidates: bool,
    /// Every character a match, or what one of its assertions looks at, can be (see
    /// `untouched_by`); None for a backtracking pattern, whose look-arounds are not read here.
    touchable: Option<Ranges>,
    /// What gives the pattern with Unicode word boundaries (`regex`'s), for a line or block
    /// with word characters outside ASCII where the automata's ASCII ones are not exact: a
    /// Python callable that returns its translation (or None), called and compiled when first
    /// needed (None inside: there is none, or it does not compile).
    unicode_source: Option<Py<PyAny>>,
    unicode: GILOnceCell<Option<Engine>>,
    /// For a whole-text pattern with word boundaries, its relaxed form (no word boundaries nor
    /// look-arounds), which matches wherever the pattern does: in a text with word characters
    /// outside ASCII, which the core leaves to Python, a place where it finds nothing is one
    /// where the pattern finds nothing either.
    unbounded: Option<Automaton>,
    /// For a backtracking line or block pattern that starts `^(?!A)(?=B)...`: its look-aheads and
    /// the rest on the automata, with ASCII word boundaries (see `Guarded`).
    guarded: Option<Guarded>,
}

/// A `Guarded` as Python gives it: each look-ahead as `(pattern, positive, word boundaries)`,
/// the rest and whether it has word boundaries.
type GuardedSource = (Vec<(String, bool, bool)>, String, bool);

/// A backtracking pattern `^(?!A)(?=B)...rest` of a line or block as the automata answer it
/// (`translate.leading_guards`): a match starts only at the haystack's start, where each
/// negative look-ahead finds nothing, each positive one finds something, and the rest matches.
/// `fancy-regex` delegates each look-ahead to the crate's automata with Unicode word
/// boundaries, which give up at the first character outside ASCII (a curly quote) for a search
/// that costs as much as the haystack is long, every time. The automata's word boundaries are
/// ASCII ones: on a haystack with word characters outside ASCII, only the look-aheads without
/// any can rule a match out, and the backtracking engine judges the rest.
struct Guarded {
    /// Each look-ahead anchored at the start (`\A(?:A)`), whether it must match, and whether
    /// it has word boundaries.
    guards: Vec<(Automaton, bool, bool)>,
    /// The pattern without its look-aheads, anchored at the start.
    rest: Automaton,
    /// Whether `rest` has word boundaries.
    rest_boundaries: bool,
}

impl Guarded {
    /// The match from byte `from` of `haystack`, with its groups when `groups`; None: it is not
    /// known here, and the backtracking engine searches.
    fn find(&self, haystack: &str, from: usize, groups: bool) -> Option<Option<Found>> {
        if from > 0 {
            return Some(None); // `\A`: a match starts at the haystack's start or nowhere
        }
        let exact = !may_have_non_ascii_words(haystack);
        let mut unsure = false;
        for (guard, positive, boundaries) in &self.guards {
            if *boundaries && !exact {
                unsure = true;
            } else if guard.is_match(haystack) != *positive {
                return Some(None);
            }
        }
        if unsure || (self.rest_boundaries && !exact) {
            return None;
        }
        Some(automaton_find(&self.rest, haystack, 0, groups))
    }
}

/// Whether `haystack` may hold a word character outside ASCII, where the automata's ASCII word
/// boundaries are not `regex`'s (true where the reading tables are not set).
fn may_have_non_ascii_words(haystack: &str) -> bool {
    READING_TABLES
        .get()
        .is_none_or(|tables| tables.word.any_in(haystack))
}

/// The tables every text is read by (see `set_reading_tables`).
struct ReadingTables {
    /// Characters the core reads otherwise than `regex`: those the crate's class tables
    /// judge otherwise (one Unicode version has them, the other not yet), and those `regex`
    /// folds otherwise. A text holding one is left to the Python engine.
    disputed: Ranges,
    /// `regex`'s word characters (`\w`).
    word: Ranges,
    /// Non-ASCII characters whose case folding holds an ASCII character ("ß" to "ss", "K" to "k").
    folds_to_ascii: Ranges,
    /// Non-ASCII characters that the case folding of another character holds ("é" of "É"):
    /// a literal without any is in a line's case folding just where it is in its ASCII lower case.
    fold_images: Ranges,
}

impl ReadingTables {
    /// Whether a non-ASCII character of `text` folds to something with an ASCII character in
    /// it, and whether one is a word character: one pass over its non-ASCII characters.
    fn non_ascii_kinds(&self, text: &str) -> (bool, bool) {
        let (mut folds_to_ascii, mut words) = (false, false);
        for character in non_ascii_characters(text) {
            let point = character as u32;
            folds_to_ascii = folds_to_ascii || self.folds_to_ascii.holds(point);
            words = words || self.word.holds(point);
            if folds_to_ascii && words {
                break;
            }
        }
        (folds_to_ascii, words)
    }
}

static READING_TABLES: std::sync::OnceLock<ReadingTables> = std::sync::OnceLock::new();

/// Sets, once per process, the characters the core reads otherwise than `regex` (a text
/// holding one is left to Python) and `regex`'s word characters (`\w`). Later calls change nothing.
/// `folds_to_ascii`: the non-ASCII characters whose case folding holds an ASCII one;
/// `fold_images`: the non-ASCII characters the case folding of another character holds.
#[pyfunction]
pub fn set_reading_tables(
    disputed: Vec<(u32, u32)>,
    word: Vec<(u32, u32)>,
    folds_to_ascii: Vec<(u32, u32)>,
    fold_images: Vec<(u32, u32)>,
) {
    let _ = READING_TABLES.set(ReadingTables {
        disputed: Ranges::with_bitmap(disputed),
        word: Ranges::with_bitmap(word),
        folds_to_ascii: Ranges::with_bitmap(folds_to_ascii),
        fold_images: Ranges::with_bitmap(fold_images),
    });
}

/// What the core needs to know of a text before any pattern searches it.
#[derive(Clone, Copy)]
pub(crate) struct Reading {
    /// Whether the core reads the text at all: valid UTF-8 (no lone surrogate), word
    /// tables set, and no disputed character.
    pub(crate) readable: bool,
    /// Whether a non-ASCII character of the text is a word character.
    non_ascii_words: bool,
}

/// The high bit of each byte of a word: where a byte is not ASCII.
pub(crate) const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Where the first byte of `bytes` that is not ASCII is, found eight bytes at a time.
pub(crate) fn first_non_ascii(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        if word & HIGH_BITS != 0 {
            return Some(offset + (word & HIGH_BITS).trailing_zeros() as usize / 8);
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|byte| !byte.is_ascii())
        .map(|position| offset + position)
}

/// The non-ASCII characters of `text`, in order, with their code point offsets: ASCII runs are
/// skipped eight bytes at a time, without decoding, and a character is decoded from its bytes
/// where it starts (a text's next byte is looked at first: in Cyrillic or Greek, the next
/// character is as often as not another non-ASCII one).
fn non_ascii_positions(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let bytes = text.as_bytes();
    let mut position = 0;
    let mut continuation_bytes = 0; // of the characters passed: code point offset = byte offset less these
    std::iter::from_fn(move || {
        let &lead = bytes.get(position)?;
        if lead < 0x80 {
            position += 1 + first_non_ascii(&bytes[position + 1..])?;
        }
        let (character, width) = decode_at(bytes, position);
        let offset = position - continuation_bytes;
        position += width;
        continuation_bytes += width - 1;
        Some((offset, character))
    })
}

/// The code point that starts at `position` of `bytes` (UTF-8, a lead byte there that is not
/// ASCII, or the three bytes of a lone surrogate as Python's "surrogatepass" writes them), and
/// its width in bytes.
#[inline]
pub(crate) fn code_point_at(bytes: &[u8], position: usize) -> (u32, usize) {
    let lead = u32::from(bytes[position]);
    let next = |offset: usize| u32::from(bytes[position + offset] & 0x3F);
    if lead < 0xE0 {
        (((lead & 0x1F) << 6) | next(1), 2)
    } else if lead < 0xF0 {
        (((lead & 0x0F) << 12) | (next(1) << 6) | next(2), 3)
    } else {
        (
            ((lead & 0x07) << 18) | (next(1) << 12) | (next(2) << 6) | next(3),
            4,
        )
    }
}

/// The character that starts at `position` of `bytes` (valid UTF-8, a lead byte there that is
/// not ASCII), and its width in bytes.
#[inline]
fn decode_at(bytes: &[u8], position: usize) -> (char, usize) {
    let (point, width) = code_point_at(bytes, position);
    // The text is valid UTF-8: every point decoded is a character.
    (
        char::from_u32(point).unwrap_or(char::REPLACEMENT_CHARACTER),
        width,
    )
}

/// The non-ASCII characters of `text`, in order (see `non_ascii_positions`).
fn non_ascii_characters(text: &str) -> impl Iterator<Item = char> + '_ {
    non_ascii_positions(text).map(|(_, character)| character)
}

fn reading(text: Option<&str>) -> Reading {
    let (Some(text), Some(tables)) = (text, READING_TABLES.get()) else {
        return Reading {
            readable: false,
            non_ascii_words: false,
        };
    };
    // One pass over the non-ASCII characters for both tables; a disputed one ends the reading.
    let mut non_ascii_words = false;
    for character in non_ascii_characters(text) {
        let point = character as u32;
        if tables.disputed.holds(point) {
            return Reading {
                readable: false,
                non_ascii_words: false,
            };
        }
        non_ascii_words = non_ascii_words || tables.word.holds(point);
    }
    Reading {
        readable: true,
        non_ascii_words,
    }
}

/// The reading of a text made by replacing `removed` of a readable text read as `reading`
/// with `put_in` (one replacement of a pass; the next is given the reading this gives): None
/// where it is not known without reading the new text (a non-ASCII word character removed
/// from a text that had one, or no tables).
pub(crate) fn reading_after(reading: Reading, removed: &str, put_in: &str) -> Option<Reading> {
    if !reading.readable {
        return Some(reading); // a disputed character put in earlier in the pass is still there
    }
    let tables = READING_TABLES.get()?;
    if reading.non_ascii_words && non_ascii_characters(removed).any(|c| tables.word.holds(c as u32))
    {
        return None;
    }
    let mut after = reading;
    for character in non_ascii_characters(put_in) {
        let point = character as u32;
        if tables.disputed.holds(point) {
            return Some(Reading {
                readable: false,
                non_ascii_words: false,
            });
        }
        after.non_ascii_words = after.non_ascii_words || tables.word.holds(point);
    }
    Some(after)
}

/// One text as the native finders see it: read once, searched by every rule of a pass.
#[pyclass(frozen, module = "cleantext._native")]
pub struct Text {
    text: Py<PyString>,
    /// Its UTF-8 where `compose` spliced it (see `crate::utf8`); else CPython's is read.
    spliced: Option<Arc<String>>,
    /// Its length in code points.
    length: usize,
    reading: Reading,
    /// The lines that line rules judge, and the text in ASCII lower case (the same offsets),
    /// made for the first line rule.
    lines: std::sync::OnceLock<(Vec<Line>, String)>,
    /// Its blocks (see `block_ranges`), made for the first block rule the screen asks about.
    blocks: std::sync::OnceLock<Vec<BlockRange>>,
}

impl Text {
    /// The text, when the core reads it (else None: Python searches it).
    pub(crate) fn readable_str<'a>(&'a self, py: Python<'a>) -> Option<&'a str> {
        if !self.reading.readable {
            return None;
        }
        self.utf8(py)
    }

    /// Its UTF-8 (None for a text with a lone surrogate).
    fn utf8<'a>(&'a self, py: Python<'a>) -> Option<&'a str> {
        match &self.spliced {
            Some(plain) => Some(plain),
            None => self.text.bind(py).to_str().ok(),
        }
    }

    /// Its blocks; only for a readable text.
    pub(crate) fn blocks(&self, py: Python<'_>) -> &[BlockRange] {
        self.blocks
            .get_or_init(|| block_ranges(self.utf8(py).expect("a readable text is UTF-8")))
    }

    /// The lines line rules judge, and the text in ASCII lower case; only for a readable text.
    fn line_table(&self, py: Python<'_>) -> &(Vec<Line>, String) {
        self.lines.get_or_init(|| {
            let tables = READING_TABLES.get().expect("a readable text has tables");
            let plain = self.utf8(py).expect("a readable text is UTF-8");
            (short_lines(plain, tables), plain.to_ascii_lowercase())
        })
    }
}

#[pymethods]
impl Text {
    /// `text`, read for the native finders.
    #[new]
    pub(crate) fn new(text: Bound<'_, PyString>) -> Self {
        let (spliced, known) = match spliced(&text) {
            Some((plain, known)) => (Some(plain), known),
            None => (None, None),
        };
        let reading = known.unwrap_or_else(|| match &spliced {
            Some(plain) => reading(Some(plain)),
            None => reading(text.to_str().ok()),
        });
        remember_reading(&text, reading);
        Text {
            spliced,
            length: text.len().unwrap_or(0),
            text: text.unbind(),
            reading,
            lines: std::sync::OnceLock::new(),
            blocks: std::sync::OnceLock::new(),
        }
    }

    /// Its length in code points.
    #[getter]
    pub(crate) fn length(&self) -> usize {
        self.length
    }

    /// Whether the native finders read this text (else the Python engine searches it).
    #[getter]
    fn readable(&self) -> bool {
        self.reading.readable
    }

    /// Whether a character outside ASCII is a word character (`\\w`) in it; only for a readable text.
    #[getter]
    pub(crate) fn non_ascii_words(&self) -> bool {
        self.reading.non_ascii_words
    }
}

/// A match: its span in bytes and, when the replacement needs them, its groups.
type Found = (usize, usize, Option<GroupSpans>);

/// A search the backtracking engine gave up on (its step limit): the Python engine decides.
struct GaveUp;

/// The engine a pattern runs on: the `regex` crate's automata, or `fancy-regex`'s
/// backtracking for the look-arounds and atomic groups the automata have not.
enum Engine {
    Automata(Automaton),
    Backtracking(fancy_regex::Regex),
}

/// A match of either crate, with the spans of its groups: both crates' captures have the
/// same shape (group 0, then each group, as an optional match with `start` and `end`).
macro_rules! found_with_groups {
    ($captures:expr) => {{
        let captures = $captures;
        let whole = captures.get(0).expect("group 0 is the match");
        let spans = captures
            .iter()
            .map(|group| group.map(|group| (group.start(), group.end())))
            .collect();
        (whole.start(), whole.end(), Some(spans))
    }};
}

/// What `regex` finds first from byte `from` of `haystack`, with the spans of its groups when
/// `groups`.
fn automaton_find(regex: &Automaton, haystack: &str, from: usize, groups: bool) -> Option<Found> {
    if groups {
        regex.captures_at(haystack, from).map(|spans| {
            let (start, end) = spans[0].expect("group 0 is the match");
            (start, end, Some(spans))
        })
    } else {
        regex
            .find_at(haystack, from)
            .map(|(start, end)| (start, end, None))
    }
}

impl Engine {
    fn find(&self, haystack: &str, from: usize, groups: bool) -> Result<Option<Found>, GaveUp> {
        match self {
            Engine::Automata(regex) => Ok(automaton_find(regex, haystack, from, groups)),
            Engine::Backtracking(regex) if groups => Ok(regex
                .captures_from_pos(haystack, from)
                .map_err(|_| GaveUp)?
                .map(|captures| found_with_groups!(captures))),
            Engine::Backtracking(regex) => Ok(regex
                .find_from_pos(haystack, from)
                .map_err(|_| GaveUp)?
                .map(|whole| (whole.start(), whole.end(), None))),
        }
    }
}

/// What the backtracking `regex` finds first from byte `from`, tried only where its `relaxed`
/// form, on the automata, has a match start: no match of the pattern starts anywhere else,
/// and the first place where one does is the first it finds. The backtracking engine's own
/// search tries every position, at some thirty megabytes a second.
fn find_at_candidates(
    regex: &fancy_regex::Regex,
    relaxed: &Automaton,
    haystack: &str,
    from: usize,
    groups: bool,
) -> Result<Option<Found>, GaveUp> {
    let mut position = from;
    while position <= haystack.len() {
        let Some((start, _)) = relaxed.find_at(haystack, position) else {
            return Ok(None);
        };
        let input = fancy_regex::RegexInput::new(haystack)
            .from_pos(start)
            .anchored(true);
        let found = if groups {
            regex
                .captures_input(input)
                .map_err(|_| GaveUp)?
                .map(|captures| found_with_groups!(captures))
        } else {
            regex
                .find_input(input)
                .map_err(|_| GaveUp)?
                .map(|whole| (whole.start(), whole.end(), None))
        };
        if found.is_some() {
            return Ok(found);
        }
        let Some(next) = past_character(haystack, start) else {
            return Ok(None);
        };
        position = next;
    }
    Ok(None)
}

/// `text` (its UTF-8) up to `high`, and the byte and code point offsets in it where a search
/// of `text[low:high]` starts (`low`, not past `high` or the text's end); None for a text with
/// a lone surrogate.
fn searched_part<'a>(
    py: Python<'a>,
    text: &'a Text,
    low: usize,
    high: usize,
) -> Option<(&'a str, usize, usize)> {
    let plain = text.utf8(py)?;
    let plain = if high < text.length {
        &plain[..byte_offset(plain, text.length, high)]
    } else {
        plain
    };
    let low = low.min(high).min(text.length);
    Some((plain, byte_offset(plain, high.min(text.length), low), low))
}

impl Pattern {
    /// `text` up to `high`, and the byte and code point offsets in it where a search of
    /// `text[low:high]` starts (`low`, not past `high` or the text's end);
    /// None when the core leaves the text to Python, or when `high` is not its end and the
    /// pattern has look-arounds (`regex` lets look-arounds see past `endpos`, which no search
    /// here reproduces; the automata's `$`, `\Z` and `\b` see the end of the text cut at
    /// `high`, as `regex`'s see `endpos`).
    fn whole_text<'a>(
        &self,
        py: Python<'a>,
        text: &'a Text,
        low: usize,
        high: usize,
    ) -> PyResult<Option<(&'a str, usize, usize)>> {
        let cut = high < text.length;
        if !self.reads(&text.reading) || (cut && !matches!(self.engine, Engine::Automata(_))) {
            return Ok(None);
        }
        Ok(searched_part(py, text, low, high))
    }

    /// Whether the pattern surely finds nothing in `text[low:high]` (code points), which the core
    /// leaves to Python only for its word boundaries: its form without them (`unbounded`) finds
    /// nothing there. False where that is not known.
    fn surely_nothing_in(&self, py: Python<'_>, text: &Text, low: usize, high: usize) -> bool {
        let Some(unbounded) = &self.unbounded else {
            return false;
        };
        if !text.reading.readable {
            return false;
        }
        searched_part(py, text, low, high)
            .is_some_and(|(haystack, from, _)| unbounded.find_at(haystack, from).is_none())
    }

    /// Whether the core reads a text as `regex` does (else the Python engine takes it).
    fn reads(&self, reading: &Reading) -> bool {
        reading.readable && !(self.ascii_boundaries() && reading.non_ascii_words)
    }

    /// Whether the pattern's word boundaries are ASCII ones (the automata's), exact only on
    /// text whose non-ASCII characters are none of them word characters. The backtracking
    /// engine's are Unicode ones, the same as `regex`'s on every text the core reads.
    fn ascii_boundaries(&self) -> bool {
        self.word_boundaries && matches!(self.engine, Engine::Automata(_))
    }

    /// False where the relaxed form finds nothing in `haystack`: then neither does the pattern.
    fn may_match(&self, haystack: &str) -> bool {
        self.prefilter
            .as_ref()
            .is_none_or(|relaxed| relaxed.is_match(haystack))
    }

    /// Whether the leading look-behind holds at byte `start` of `haystack`.
    fn before_holds(&self, haystack: &str, start: usize) -> bool {
        let Some((characters, positive, count)) = &self.before else {
            return true;
        };
        // Where the `count` characters before the match begin: fewer, and the look-behind fails.
        let mut from = start;
        for _ in 0..*count {
            let Some(previous) = haystack[..from].chars().next_back() else {
                return !positive;
            };
            from -= previous.len_utf8();
        }
        characters.is_match(&haystack[from..start]) == *positive
    }

    /// The first match in `haystack` that starts at byte `from` or later.
    fn find_at(&self, haystack: &str, from: usize) -> Result<Option<Found>, GaveUp> {
        self.find_with(&self.engine, haystack, from)
    }

    /// `find_at` with `engine` (the pattern's own, or its form with Unicode word boundaries).
    fn find_with(
        &self,
        engine: &Engine,
        haystack: &str,
        from: usize,
    ) -> Result<Option<Found>, GaveUp> {
        let groups = self.needs_groups();
        if let (Engine::Backtracking(_), Some(guarded)) = (engine, &self.guarded) {
            if let Some(found) = guarded.find(haystack, from, groups) {
                return Ok(found);
            }
        }
        let mut position = from;
        while position <= haystack.len() {
            let found = match (engine, &self.prefilter) {
                (Engine::Backtracking(regex), Some(relaxed)) => {
                    find_at_candidates(regex, relaxed, haystack, position, groups)?
                }
                _ => engine.find(haystack, position, groups)?,
            };
            let Some(found) = found else {
                return Ok(None);
            };
            if self.before_holds(haystack, found.0) {
                return Ok(Some(found));
            }
            // The match at the next start is the search's next find: the look-behind only judges starts.
            let Some(next) = past_character(haystack, found.0) else {
                return Ok(None);
            };
            position = next;
        }
        Ok(None)
    }

    fn needs_groups(&self) -> bool {
        self.template
            .iter()
            .flatten()
            .any(|piece| matches!(piece, Piece::Group(_)))
    }

    /// Every match in `haystack` from byte `from`, as Python's `finditer` gives them:
    /// after an empty match the search goes on one character further.
    fn each_match(
        &self,
        haystack: &str,
        from: usize,
        mut visit: impl FnMut(usize, usize, Option<&GroupSpans>),
    ) -> Result<(), GaveUp> {
        let mut position = from;
        while position <= haystack.len() {
            let Some((start, end, groups)) = self.find_at(haystack, position)? else {
                break;
            };
            visit(start, end, groups.as_ref());
            position = if end > start {
                end
            } else {
                let Some(next) = past_character(haystack, end) else {
                    break;
                };
                next
            };
        }
        Ok(())
    }

    /// The replacement of one match in `haystack`: the template, with its groups' text.
    fn replacement(&self, haystack: &str, groups: Option<&GroupSpans>) -> String {
        let mut new = String::new();
        for piece in self.template.iter().flatten() {
            match piece {
                Piece::Text(text) => new.push_str(text),
                Piece::Group(numbers) => {
                    let group = groups.and_then(|groups| {
                        numbers
                            .iter()
                            .find_map(|&number| groups.get(number).copied().flatten())
                    });
                    if let Some((start, end)) = group {
                        new.push_str(&haystack[start..end]);
                    }
                }
            }
        }
        new
    }
}

fn template_of(template: Option<Vec<Bound<'_, PyAny>>>) -> PyResult<Option<Vec<Piece>>> {
    let Some(pieces) = template else {
        return Ok(None);
    };
    let mut result = Vec::with_capacity(pieces.len());
    for piece in pieces {
        if let Ok(text) = piece.downcast::<PyString>() {
            result.push(Piece::Text(text.to_str()?.to_owned()));
        } else {
            let numbers: Vec<usize> = piece.downcast::<PyTuple>()?.extract()?;
            result.push(Piece::Group(numbers));
        }
    }
    Ok(Some(result))
}

/// A line of a text as the line rules see it: offsets in code points and in bytes, and its word count.
struct Line {
    start: usize,
    end: usize,
    byte_start: usize,
    byte_end: usize,
    words: usize,
    table_row: bool,
    /// Whether the line is ASCII: its case folding is then its ASCII lower case.
    ascii: bool,
    /// Whether, for ASCII literals, the line's ASCII lower case is its case folding: no
    /// character of it folds to something with an ASCII character in it ("ß" to "ss").
    folds_plainly: bool,
    /// Whether a non-ASCII character of the line is a word character.
    non_ascii_words: bool,
}

/// The non-blank lines of at most `LINE_MAX_CHARS` characters, as `strip.short_lines` gives them.
fn short_lines(text: &str, tables: &ReadingTables) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut cells: Vec<usize> = Vec::new();
    let mut char_start = 0;
    for counts in line_counts(text) {
        // A long line (prose, most of a text's bytes) is only counted: no line rule judges it.
        if counts.words > 0 && counts.chars <= LINE_MAX_CHARS {
            let (folds_to_ascii, non_ascii_words) = if counts.ascii {
                (false, false)
            } else {
                tables.non_ascii_kinds(&text[counts.byte_start..counts.byte_end])
            };
            lines.push(Line {
                start: char_start,
                end: char_start + counts.chars,
                byte_start: counts.byte_start,
                byte_end: counts.byte_end,
                words: counts.words,
                table_row: false,
                ascii: counts.ascii,
                folds_plainly: !folds_to_ascii,
                non_ascii_words,
            });
            cells.push(counts.bars.max(counts.tabs));
        }
        char_start += counts.chars + 1;
    }
    for index in 1..lines.len() {
        if cells[index] >= 2
            && cells[index] == cells[index - 1]
            && lines[index - 1].end + 1 == lines[index].start
        {
            lines[index - 1].table_row = true;
            lines[index].table_row = true;
        }
    }
    lines
}

/// Whether a line may hold one of the (casefolded) literals, judged on its ASCII lower case
/// `lowered`. A plain literal (no character that the case folding of another character holds)
/// is in the line's case folding just where it is in its ASCII lower case, unless a character
/// of the line folds to ASCII letters ("ß" to "ss"); another literal can only be in a line
/// with non-ASCII characters.
fn may_hold(
    ascii: bool,
    folds_plainly: bool,
    lowered: &str,
    plain_literals: &[&str],
    other_literals: bool,
) -> bool {
    if plain_literals.is_empty() && !other_literals {
        return true;
    }
    if (other_literals && !ascii) || (!plain_literals.is_empty() && !folds_plainly) {
        return true;
    }
    plain_literals
        .iter()
        .any(|literal| lowered.contains(literal))
}

/// `(line start, line end, match start, match end, new)` (or a block's); no match span: a line the
/// core leaves to Python (a non-ASCII word character next to where an ASCII word boundary would be judged).
type LineMatch = (usize, usize, Option<usize>, Option<usize>, Option<String>);

/// The compiled parts of a `Pattern`, built from its sources alone (no Python object).
struct Built {
    engine: Engine,
    before: Option<(Regex, bool, usize)>,
    prefilter: Option<Automaton>,
    touchable: Option<Ranges>,
    unbounded: Option<Automaton>,
    guarded: Option<Guarded>,
}

impl Built {
    /// See `Pattern::new` for what each source is.
    fn new(
        pattern: &str,
        word_boundaries: bool,
        before: Option<(String, bool, usize)>,
        backtracking: bool,
        prefilter: Option<&str>,
        unbounded: Option<&str>,
        guarded: Option<GuardedSource>,
    ) -> Result<Self, String> {
        let compile = |pattern: &str| {
            RegexBuilder::new(pattern)
                .size_limit(NFA_BYTES)
                .dfa_size_limit(DFA_CACHE_BYTES)
                .build()
                .map_err(|error| error.to_string())
        };
        let automaton = |pattern: &str| Automaton::new(pattern, NFA_BYTES, DFA_CACHE_BYTES);
        let before = match before {
            Some((characters, positive, count)) => Some((compile(&characters)?, positive, count)),
            None => None,
        };
        let prefilter = match prefilter {
            Some(relaxed) if backtracking => Some(automaton(relaxed)?),
            _ => None,
        };
        let touchable = if backtracking {
            None
        } else {
            let mut sources = vec![pattern];
            sources.extend(
                before
                    .as_ref()
                    .map(|(characters, _, _)| characters.as_str()),
            );
            touchable_characters(&sources, word_boundaries)
        };
        let engine = if backtracking {
            Engine::Backtracking(
                fancy_regex::RegexBuilder::new(pattern)
                    .backtrack_limit(BACKTRACK_LIMIT)
                    .delegate_size_limit(NFA_BYTES)
                    .delegate_dfa_size_limit(DFA_CACHE_BYTES)
                    .build()
                    .map_err(|error| error.to_string())?,
            )
        } else {
            Engine::Automata(automaton(pattern)?)
        };
        let guarded = match guarded {
            Some((guards, rest, rest_boundaries)) if backtracking && before.is_none() => {
                Some(Guarded {
                    guards: guards
                        .iter()
                        .map(|(guard, positive, boundaries)| {
                            Ok((automaton(guard)?, *positive, *boundaries))
                        })
                        .collect::<Result<_, String>>()?,
                    rest: automaton(&rest)?,
                    rest_boundaries,
                })
            }
            _ => None,
        };
        let unbounded = match unbounded {
            Some(relaxed) if word_boundaries && !backtracking => Some(automaton(relaxed)?),
            _ => None,
        };
        Ok(Built {
            engine,
            before,
            prefilter,
            touchable,
            unbounded,
            guarded,
        })
    }
}

#[pymethods]
impl Pattern {
    /// A translated `pattern`; `template`: its replacement as text and group numbers (None: no replacement).
    ///
    /// `word_boundaries`: it has `\\b` or `\\B`; `before`: a leading look-behind of a few
    /// characters taken out of the pattern, as `(their pattern, positive, how many)`; `backtracking`:
    /// it needs look-arounds or atomic groups, which only the backtracking engine has;
    /// `guarded`: for such a line or block pattern, its leading look-aheads, each as `(pattern,
    /// positive, word boundaries)`, and the rest and whether it has word boundaries (see `Guarded`).
    #[new]
    #[pyo3(signature = (pattern, template=None, word_boundaries=false, before=None, backtracking=false, prefilter=None, candidates=false, unicode_boundaries=None, unbounded=None, guarded=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        pattern: &str,
        template: Option<Vec<Bound<'_, PyAny>>>,
        word_boundaries: bool,
        before: Option<(String, bool, usize)>,
        backtracking: bool,
        prefilter: Option<&str>,
        candidates: bool,
        unicode_boundaries: Option<Py<PyAny>>,
        unbounded: Option<&str>,
        guarded: Option<GuardedSource>,
    ) -> PyResult<Self> {
        let template = template_of(template)?;
        // The automata are built without the interpreter's lock: other threads may build theirs
        // meanwhile (`cleantext.native.prepare_steps`).
        let built = py
            .allow_threads(|| {
                Built::new(
                    pattern,
                    word_boundaries,
                    before,
                    backtracking,
                    prefilter,
                    unbounded,
                    guarded,
                )
            })
            .map_err(PyValueError::new_err)?;
        let (minimum_length, maximum_length) = match &built.engine {
            Engine::Automata(regex) => regex.lengths(),
            Engine::Backtracking(_) => (None, None),
        };
        Ok(Pattern {
            engine: built.engine,
            word_boundaries,
            template,
            before: built.before,
            prefilter: built.prefilter,
            minimum_length,
            maximum_length,
            candidates,
            touchable: built.touchable,
            unicode_source: unicode_boundaries.filter(|_| word_boundaries && !backtracking),
            unicode: GILOnceCell::new(),
            unbounded: built.unbounded,
            guarded: built.guarded,
        })
    }

    /// Whether edits that put in and take out only the `characters` given, each replacing text
    /// with text, leave the pattern finding nothing where it found nothing before: none of them
    /// is a character a match or an assertion of the pattern can look at, nor one the core
    /// reads otherwise than `regex`. A text edited so has a match only where the text before
    /// had one: a match of the new text holds no character put in, and what its assertions
    /// look at is either untouched or a character that is no more in their classes than the
    /// one it replaced. False where that is not known (a backtracking pattern).
    fn untouched_by(&self, characters: &Bound<'_, PyString>) -> bool {
        let (Some(touchable), Some(tables), Ok(characters)) =
            (&self.touchable, READING_TABLES.get(), characters.to_str())
        else {
            return false;
        };
        let ascii_boundaries = self.ascii_boundaries();
        characters.chars().all(|character| {
            let point = character as u32;
            !touchable.holds(point)
                && (character.is_ascii()
                    || !(tables.disputed.holds(point)
                        || (ascii_boundaries && tables.word.holds(point))))
        })
    }

    /// Whether the pattern only finds the lines and blocks that Python then judges (see `candidates`
    /// of `new`): it stands in for a rule's pattern whose automaton would be too large.
    #[getter]
    fn candidates(&self) -> bool {
        self.candidates
    }

    /// The fewest bytes a match has (0: it may be empty), or None where unknown (backtracking).
    #[getter]
    fn minimum_length(&self) -> Option<usize> {
        self.minimum_length
    }

    /// The most bytes a match has (0: it is always empty), or None where unknown or unbounded.
    #[getter]
    fn maximum_length(&self) -> Option<usize> {
        self.maximum_length
    }

    /// `(start, end, new)` for every match in `text[low:]` (code points), as
    /// `finditer` and `expand` give them; None for text with a lone surrogate, or
    /// when `high` is not the text's end.
    pub(crate) fn replacements(
        &self,
        py: Python<'_>,
        text: &Text,
        low: usize,
        high: usize,
    ) -> PyResult<Option<Vec<(usize, usize, String)>>> {
        let Some((haystack, byte_low, low)) = self.whole_text(py, text, low, high)? else {
            if let Some(found) = self.unicode_replacements(py, text, low, high) {
                return Ok(Some(found));
            }
            return Ok(self.surely_nothing_in(py, text, low, high).then(Vec::new));
        };
        if self.candidates {
            return Ok(None); // where it matches, only Python knows the rule's own match
        }
        let mut spans: Vec<(usize, usize, String)> = Vec::new();
        if !self.may_match(&haystack[byte_low..]) {
            return Ok(Some(spans));
        }
        let mut positions = Offsets::from(haystack, byte_low, low);
        let searched = self.each_match(haystack, byte_low, |start, end, groups| {
            let new = self.replacement(haystack, groups);
            let start = positions.char_at(start);
            let end = positions.char_at(end);
            spans.push((start, end, new));
        });
        Ok(searched.ok().map(|()| spans))
    }

    /// `replacements` in a text with word characters outside ASCII, where the automata's word
    /// boundaries (ASCII ones) are not `regex`'s: each match is the pattern's form with Unicode
    /// word boundaries (`unicode_engine`) anchored where its form without word boundaries
    /// (`unbounded`) has a match starting, the only places where one can. None where the pattern
    /// has neither form, or the core does not read the text.
    fn unicode_replacements(
        &self,
        py: Python<'_>,
        text: &Text,
        low: usize,
        high: usize,
    ) -> Option<Vec<(usize, usize, String)>> {
        let unbounded = self.unbounded.as_ref()?;
        if self.candidates || !text.reading.readable || !self.ascii_boundaries() {
            return None;
        }
        let Engine::Automata(unicode) = self.unicode_engine()? else {
            return None;
        };
        let (haystack, byte_low, low) = searched_part(py, text, low, high)?;
        let groups = self.needs_groups();
        let mut positions = Offsets::from(haystack, byte_low, low);
        let mut spans = Vec::new();
        let mut position = byte_low;
        while position <= haystack.len() {
            let Some((candidate, _)) = unbounded.find_at(haystack, position) else {
                break;
            };
            let found = if self.before_holds(haystack, candidate) {
                unicode.found_at(haystack, candidate, groups)
            } else {
                None
            };
            // The search goes on past the match, or past the character where one was tried or
            // ended empty (as `each_match`).
            let next = match found {
                Some((start, end, groups)) => {
                    let new = self.replacement(haystack, groups.as_ref());
                    spans.push((positions.char_at(start), positions.char_at(end), new));
                    if end > start {
                        Some(end)
                    } else {
                        past_character(haystack, end)
                    }
                }
                None => past_character(haystack, candidate),
            };
            let Some(next) = next else {
                break;
            };
            position = next;
        }
        Some(spans)
    }

    /// Every position of `text[low:]` (code points) where a match starts, each found by a
    /// search from the one before it plus one character (overlapping matches too): where a
    /// relaxed pattern finds them, the places to try the rule's own. None for text the core
    /// leaves to Python, or when `high` is not the text's end.
    fn starts(
        &self,
        py: Python<'_>,
        text: &Text,
        low: usize,
        high: usize,
    ) -> PyResult<Option<Vec<usize>>> {
        let Some((haystack, byte_low, low)) = self.whole_text(py, text, low, high)? else {
            return Ok(self.surely_nothing_in(py, text, low, high).then(Vec::new));
        };
        let mut positions = Offsets::from(haystack, byte_low, low);
        let mut found = Vec::new();
        let mut position = byte_low;
        while position <= haystack.len() {
            let Ok(Some((start, _, _))) = self.find_at(haystack, position) else {
                break;
            };
            found.push(positions.char_at(start));
            let Some(next) = past_character(haystack, start) else {
                break;
            };
            position = next;
        }
        Ok(Some(found))
    }

    /// The first match in `text` (a block, searched on its own) as `[(start, end, new)]`
    /// in code points, `[]` when there is none, None for text the core leaves to Python.
    fn first(&self, text: &Bound<'_, PyString>) -> PyResult<Option<Vec<(usize, usize, String)>>> {
        let Ok(text) = utf8_of(text) else {
            return Ok(None);
        };
        let text: &str = &text;
        let Some(found) = self.first_in_span(text) else {
            return Ok(None);
        };
        Ok(Some(
            found
                .map(|(start, end, groups)| {
                    let new = self.replacement(text, groups.as_ref());
                    let mut offsets = Offsets::new(text);
                    let start = offsets.char_at(start);
                    (start, offsets.char_at(end), new)
                })
                .into_iter()
                .collect(),
        ))
    }

    /// The first match in each line of `text[low:high]` that a line rule judges:
    /// `(line start, line end, match start, match end, new)`, in code points; a line the
    /// core leaves to Python comes without a match span (None, None).
    ///
    /// The lines are `strip.short_lines`'s; a line is judged when it has from
    /// `min_words` to `max_words` words, is not a table row (`skip_table_rows`),
    /// and, when ASCII, holds one of `literals`. None for text with a lone surrogate.
    #[allow(clippy::too_many_arguments)]
    fn lines(
        &self,
        py: Python<'_>,
        text: &Text,
        low: usize,
        high: usize,
        min_words: usize,
        max_words: usize,
        skip_table_rows: bool,
        literals: Vec<String>,
    ) -> PyResult<Option<Vec<LineMatch>>> {
        let judged = LineJudging {
            min_words,
            max_words,
            skip_table_rows,
        };
        let literals: Vec<&str> = literals.iter().map(String::as_str).collect();
        Ok(self.line_matches(py, text, low, high, &judged, &literals, false))
    }

    /// The first match in each block of `text[low:high]` that a block rule judges:
    /// `(block start, block end, match start, match end, new)`, in code points; a block the
    /// core leaves to Python comes without a match span (None, None).
    ///
    /// The blocks are `segment.block_spans`'s; a block is judged,
    /// as `strip.find_block_matches` judges it, when it lies within `text[low:high]`, has from
    /// `min_words` to `max_words` words (0: any number) and, when ASCII, holds one of
    /// `literals`. None for a text the core does not read.
    #[allow(clippy::too_many_arguments)]
    fn blocks(
        &self,
        py: Python<'_>,
        text: &Text,
        low: usize,
        high: usize,
        min_words: usize,
        max_words: usize,
        literals: Vec<String>,
    ) -> Option<Vec<LineMatch>> {
        let literals: Vec<&str> = literals.iter().map(String::as_str).collect();
        let placed = |block: &BlockRange| block.start >= low && block.end <= high;
        let judged = judged_blocks(py, text, placed, (min_words, max_words), &literals)?;
        let mut found = Vec::new();
        for (block, haystack) in judged {
            match self.first_in_span(haystack) {
                None => found.push((block.start, block.end, None, None, None)), // Python's to judge
                Some(None) => {}
                Some(Some(first)) => {
                    found.push(self.span_match(haystack, (block.start, block.end), first));
                }
            }
        }
        Some(found)
    }
}

/// Which lines a line rule judges: by their words, and whether table rows are left alone.
pub(crate) struct LineJudging {
    pub(crate) min_words: usize,
    pub(crate) max_words: usize,
    pub(crate) skip_table_rows: bool,
}

/// The literals a line or block must hold, split as `may_hold` takes them.
fn split_literals<'a>(literals: &[&'a str], tables: &ReadingTables) -> (Vec<&'a str>, bool) {
    let plain: Vec<&str> = literals
        .iter()
        .copied()
        .filter(|literal| !tables.fold_images.any_in(literal))
        .collect();
    let other = plain.len() < literals.len();
    (plain, other)
}

/// The blocks of `text` a block rule judges (`strip.find_block_matches`), each with its text:
/// those `placed` lets through, of `min_words` to `max_words` words (0: any number) that, when
/// ASCII, hold one of `literals`. None for a text the core does not read.
fn judged_blocks<'a>(
    py: Python<'a>,
    text: &'a Text,
    placed: impl Fn(&BlockRange) -> bool + 'a,
    (min_words, max_words): (usize, usize),
    literals: &[&'a str],
) -> Option<impl Iterator<Item = (&'a BlockRange, &'a str)> + 'a> {
    let plain = text.readable_str(py)?;
    let tables = READING_TABLES.get().expect("a readable text has tables");
    // The text's ASCII lower case, made with its line table, only where literals pick blocks.
    let lowered = (!literals.is_empty()).then(|| text.line_table(py).1.as_str());
    let (plain_literals, other_literals) = split_literals(literals, tables);
    Some(text.blocks(py).iter().filter_map(move |block| {
        let haystack = &plain[block.byte_start..block.byte_end];
        if !placed(block) || !fits(haystack, min_words, max_words) {
            return None;
        }
        if let Some(lowered) = lowered {
            let ascii = haystack.is_ascii();
            let folds_plainly = ascii || !tables.folds_to_ascii.any_in(haystack);
            let lowered = &lowered[block.byte_start..block.byte_end];
            if !may_hold(
                ascii,
                folds_plainly,
                lowered,
                &plain_literals,
                other_literals,
            ) {
                return None;
            }
        }
        Some((block, haystack))
    }))
}

impl Pattern {
    /// What `lines` and `blocks` answer for the match `found` in `haystack`, the text of the
    /// line or block `start..end` (code points): the span, the match in code points of the
    /// text, and the replacement where the pattern has one.
    fn span_match(&self, haystack: &str, (start, end): (usize, usize), found: Found) -> LineMatch {
        let (match_start, match_end, groups) = found;
        let new = self
            .template
            .as_ref()
            .map(|_| self.replacement(haystack, groups.as_ref()));
        let mut offsets = Offsets::new(haystack);
        let match_start = start + offsets.char_at(match_start);
        let match_end = start + offsets.char_at(match_end);
        (start, end, Some(match_start), Some(match_end), new)
    }

    /// What `lines` answers; with `first_only`, it stops at the first line it answers with
    /// (the screen asks only whether there is one).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn line_matches(
        &self,
        py: Python<'_>,
        text: &Text,
        low: usize,
        high: usize,
        judged: &LineJudging,
        literals: &[&str],
        first_only: bool,
    ) -> Option<Vec<LineMatch>> {
        let plain = text.readable_str(py)?;
        let tables = READING_TABLES.get().expect("a readable text has tables");
        let (lines, lowered) = text.line_table(py);
        let (plain_literals, other_literals) = split_literals(literals, tables);
        let mut found = Vec::new();
        for line in lines {
            if first_only && !found.is_empty() {
                break;
            }
            if line.start < low
                || line.words > judged.max_words
                || line.words < judged.min_words
                || (line.table_row && judged.skip_table_rows)
            {
                continue;
            }
            if line.end > high {
                break;
            }
            if !may_hold(
                line.ascii,
                line.folds_plainly,
                &lowered[line.byte_start..line.byte_end],
                &plain_literals,
                other_literals,
            ) {
                continue;
            }
            if line.non_ascii_words && self.ascii_boundaries() {
                found.push((line.start, line.end, None, None, None)); // Python's to judge
                continue;
            }
            let haystack = &plain[line.byte_start..line.byte_end];
            if !self.may_match(haystack) {
                continue;
            }
            let Ok(first) = self.find_at(haystack, 0) else {
                return None; // the backtracking engine gave up: Python judges the text
            };
            if first.is_some() && self.candidates {
                found.push((line.start, line.end, None, None, None)); // Python judges the line
            } else if let Some(first) = first {
                found.push(self.span_match(haystack, (line.start, line.end), first));
            }
        }
        Some(found)
    }

    /// The automata pattern that stands for this one in a set of whole-text searches
    /// (`PatternSet`), and whether the set's answer is this pattern's own; else a match of the
    /// set's pattern is only where this one may match (the pattern without its leading
    /// look-behind, or a backtracking pattern's relaxed form). None: no automata form.
    fn set_form(&self) -> Option<(&str, bool)> {
        match (&self.engine, &self.prefilter) {
            (Engine::Automata(regex), _) if regex.skips() => {
                Some((regex.as_str(), self.before.is_none()))
            }
            (Engine::Backtracking(_), Some(relaxed)) if relaxed.skips() => {
                Some((relaxed.as_str(), false))
            }
            _ => None,
        }
    }

    /// Whether the core reads `text` for this pattern as `regex` does (else Python searches it).
    pub(crate) fn reads_text(&self, text: &Text) -> bool {
        self.reads(&text.reading)
    }

    /// Whether a search of `text[low:high]` (code points) may find something: false only where
    /// the core reads the text and finds no match there.
    pub(crate) fn may_find_in(&self, py: Python<'_>, text: &Text, low: usize, high: usize) -> bool {
        let Ok(Some((haystack, byte_low, _))) = self.whole_text(py, text, low, high) else {
            return !self.surely_nothing_in(py, text, low, high);
        };
        self.may_find_from(haystack, byte_low)
    }

    /// Whether a search of `haystack` from byte `from` may find something: false only where
    /// the relaxed form or the search itself finds nothing.
    fn may_find_from(&self, haystack: &str, from: usize) -> bool {
        self.may_match(&haystack[from..]) && !matches!(self.find_at(haystack, from), Ok(None))
    }

    /// Whether a block rule may fire on a block of `text` within one of the `regions` (code
    /// points): false only where the core reads every block it judges and finds no match in
    /// any. A block is judged as `strip.find_block_matches` judges it: by its words
    /// (`min_words`, and `max_words` unless 0) and, when ASCII, whether it holds one of `literals`.
    pub(crate) fn may_find_in_blocks(
        &self,
        py: Python<'_>,
        text: &Text,
        regions: &[(usize, usize)],
        min_words: usize,
        max_words: usize,
        literals: &[&str],
    ) -> bool {
        let placed = |block: &BlockRange| within(regions, block);
        let Some(judged) = judged_blocks(py, text, placed, (min_words, max_words), literals) else {
            return true;
        };
        for (_, haystack) in judged {
            if self.may_find_in_block(haystack) {
                return true;
            }
        }
        false
    }
}

/// What `strip.find_offtopic` asks of a text and its blocks before it judges any: the fewest
/// characters of a text (`2 * OFFTOPIC_CONTEXT_MIN_WORDS`), the most blocks in a run
/// (`OFFTOPIC_RUN_MAX_BLOCKS`) and the most characters per word of a short block
/// (`OFFTOPIC_SHORT_CHARS_PER_WORD`); a test holds them to Python's.
pub const OFFTOPIC_LIMITS: (usize, usize, usize) = (300, 3, 12);

impl Pattern {
    /// Whether the off-topic rule whose shape this pattern is may find a block of `text` within
    /// one of the `regions` (`strip.find_offtopic`): a one-line block of at least `min_words`
    /// words the pattern matches, in a run of at most three blocks of at most `max_words` words
    /// between longer ones, none of which ends with a comma or a colon, in a text with the
    /// words of context the rule asks for, and that does not surely share a content word with
    /// the text outside its run (see `offtopic`). The rule's guards are the rule's to apply.
    pub(crate) fn may_find_offtopic(
        &self,
        py: Python<'_>,
        text: &Text,
        regions: &[(usize, usize)],
        min_words: usize,
        max_words: usize,
    ) -> bool {
        if text.length < OFFTOPIC_LIMITS.0 {
            return false;
        }
        let Some(plain) = text.readable_str(py) else {
            return true;
        };
        let blocks = text.blocks(py);
        let (short, runs) = short_runs(plain, blocks, max_words);
        let mut candidates = Vec::new(); // (block, first and last of its run)
        for &(first, last) in &runs {
            for (number, block) in blocks[first..last].iter().enumerate() {
                let haystack = &plain[block.byte_start..block.byte_end];
                if within(regions, block) && one_line_of(haystack, min_words) {
                    candidates.push((first + number, first, last));
                }
            }
        }
        // The shape pattern first where it runs on the automata; one with look-arounds (the
        // backtracking engine) last, on the blocks that share no word.
        let shape = |&(block, _, _): &(usize, usize, usize)| {
            self.may_find_in_block(&plain[blocks[block].byte_start..blocks[block].byte_end])
        };
        let shape_first = matches!(self.engine, Engine::Automata(_));
        if shape_first {
            candidates.retain(shape);
        }
        if candidates.is_empty() || !enough_context(plain, blocks, &short) {
            return false;
        }
        let shared = surely_shared(plain, blocks, &candidates);
        candidates
            .iter()
            .zip(shared)
            .any(|(candidate, shared)| !shared && (shape_first || shape(candidate)))
    }

    /// The pattern with Unicode word boundaries, translated and compiled as it is first asked
    /// for; None where Python gives none or it does not compile.
    fn unicode_engine(&self) -> Option<&Engine> {
        // Python runs the translation, and may let another thread in: the cell does not lock.
        Python::with_gil(|py| {
            self.unicode
                .get_or_init(py, || {
                    let source = self
                        .unicode_source
                        .as_ref()?
                        .call0(py)
                        .and_then(|source| source.extract::<Option<String>>(py))
                        .ok()
                        .flatten()?;
                    Automaton::new(&source, NFA_BYTES, DFA_CACHE_BYTES)
                        .ok()
                        .map(Engine::Automata)
                })
                .as_ref()
        })
    }

    /// Whether a repair rule whose gate this pattern is may change a line of `text[low:high]`
    /// (`repair.find_repairs`): a line the gate finds something in, in which `badness` (ftfy's
    /// test for mojibake, without its anchors, so that it finds in a line whatever it finds in a
    /// piece of it) finds something too; true where the core leaves the text or a line to Python.
    pub(crate) fn may_repair_in(
        &self,
        py: Python<'_>,
        text: &Text,
        low: usize,
        high: usize,
        badness: &Pattern,
    ) -> bool {
        let Ok(Some((haystack, from, _))) = self.whole_text(py, text, low, high) else {
            return true;
        };
        let bytes = haystack.as_bytes();
        let mut position = from;
        while position <= haystack.len() {
            let Ok(found) = self.find_at(haystack, position) else {
                return true;
            };
            let Some((start, end, _)) = found else {
                return false;
            };
            let line_start = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |at| at + 1);
            let line_end = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |at| end + at);
            if !matches!(
                badness.first_in_span(&haystack[line_start..line_end]),
                Some(None)
            ) {
                return true;
            }
            position = line_end + 1; // the gate's next line
        }
        false
    }

    /// The first match in `span` (a line or block searched on its own), in bytes; None where
    /// the core leaves the span to Python (`first` gives the match in code points).
    pub(crate) fn first_in_span(&self, span: &str) -> Option<Option<Found>> {
        let read = reading(Some(span));
        let engine = if self.reads(&read) {
            &self.engine
        } else if read.readable && self.ascii_boundaries() {
            self.unicode_engine()? // word characters outside ASCII: Unicode word boundaries
        } else {
            return None;
        };
        if !self.may_match(span) {
            return Some(None);
        }
        let found = self.find_with(engine, span, 0).ok()?;
        if self.candidates && found.is_some() {
            return None; // Python judges the block
        }
        Some(found)
    }

    /// Whether a search of one block may find something: false only where the core reads it
    /// and finds no match.
    fn may_find_in_block(&self, haystack: &str) -> bool {
        if self.ascii_boundaries() && may_have_non_ascii_words(haystack) {
            return true; // Python's to judge
        }
        self.may_find_from(haystack, 0)
    }
}

/// Whether a block has the words a rule allows (`strip._fits`): at least `min_words`, and at
/// most `max_words` unless that is 0. Words are runs of characters other than Python's whitespace.
fn fits(block: &str, min_words: usize, max_words: usize) -> bool {
    if min_words == 0 && max_words == 0 {
        return true;
    }
    let most = if max_words > 0 { max_words } else { usize::MAX };
    let words = words_in(block, most);
    words >= min_words && words <= most
}

/// Which blocks of `plain` are short for an off-topic rule that judges blocks of at most
/// `max_words` words, and the runs of short blocks it judges, as `(first, last)` block ranges
/// (`strip.find_offtopic`): at most `OFFTOPIC_LIMITS.1` blocks, none ending with a comma or a colon.
pub(crate) fn short_runs(
    plain: &str,
    blocks: &[BlockRange],
    max_words: usize,
) -> (Vec<bool>, Vec<(usize, usize)>) {
    let (_, longest_run, chars_per_word) = OFFTOPIC_LIMITS;
    let short: Vec<bool> = blocks
        .iter()
        .map(|block| {
            block.end - block.start <= max_words * chars_per_word
                && fits(&plain[block.byte_start..block.byte_end], 0, max_words)
        })
        .collect();
    let mut runs = Vec::new();
    let mut index = 0;
    while index < blocks.len() {
        if !short[index] {
            index += 1;
            continue;
        }
        let first = index;
        while index < blocks.len() && short[index] {
            index += 1;
        }
        let leads_in = blocks[first..index].iter().any(|block| {
            plain[block.byte_start..block.byte_end]
                .trim_end_matches(python_space)
                .ends_with([',', ':'])
        });
        if index - first <= longest_run && !leads_in {
            runs.push((first, index));
        }
    }
    (short, runs)
}

/// Whether a short block is one the off-topic rule judges by its words (`strip._judged`, before
/// its pattern): one line of at least `min_words` words.
pub(crate) fn one_line_of(block: &str, min_words: usize) -> bool {
    !block.contains('\n') && fits(block, min_words, 0)
}

/// Each byte of a word of eight: `byte` in every lane.
const fn lanes(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// The high bit of each lane of `word` (eight ASCII bytes) whose byte is in `low..=high`: an
/// addition per bound, which cannot carry from one lane into the next below 0x80.
fn lanes_within(word: u64, low: u8, high: u8) -> u64 {
    let at_least_low = word.wrapping_add(lanes(0x80 - low));
    let above_high = word.wrapping_add(lanes(0x7F - high));
    at_least_low & !above_high & lanes(0x80)
}

/// Whether a lane of `word` may be the lead byte of one of Python's non-ASCII spaces (0xC2
/// of U+0085 and U+00A0; 0xE1 to 0xE3 of U+1680, U+2000 to U+205F and U+3000; 0xE0 too).
fn may_lead_space(word: u64) -> bool {
    let zero_lane =
        |lanes_word: u64| lanes_word.wrapping_sub(lanes(1)) & !lanes_word & lanes(0x80) != 0;
    zero_lane(word ^ lanes(0xC2)) || zero_lane((word & lanes(0xFC)) ^ lanes(0xE0))
}

/// The ASCII spaces of sixteen bytes, a bit each (see `lines::spaces_and_leads`); None where a
/// byte may be the lead byte of a non-ASCII space (see `may_lead_space`).
#[cfg(target_arch = "x86_64")]
fn spaces_of_sixteen(sixteen: &[u8; 16]) -> Option<u32> {
    let (spaces, leads) = crate::lines::spaces_and_leads(sixteen);
    (leads == 0).then_some(spaces)
}

#[cfg(not(target_arch = "x86_64"))]
fn spaces_of_sixteen(_sixteen: &[u8; 16]) -> Option<u32> {
    None // eight bytes at a time instead
}

/// How many words `text` has (runs of characters other than Python's whitespace, as
/// `str.split` finds them), counted up to one past `most` (or a few further).
///
/// Sixteen bytes at a time (`spaces_of_sixteen`), else eight: a byte starts a word where it is
/// no space and the byte before it is one; a byte of a non-ASCII character is no space unless
/// the bytes may hold the lead byte of a non-ASCII space, which are then read character by
/// character.
pub(crate) fn words_in(text: &str, most: usize) -> usize {
    let bytes = text.as_bytes();
    let mut words = 0;
    let mut after_space = true; // before the text, as after a space
    let mut position = 0;
    while position < bytes.len() && words <= most {
        if let Some(sixteen) = bytes
            .get(position..position + 16)
            .and_then(|sixteen| <&[u8; 16]>::try_from(sixteen).ok())
        {
            if let Some(spaces) = spaces_of_sixteen(sixteen) {
                let before = (spaces << 1) | u32::from(after_space);
                words += (!spaces & before & 0xFFFF).count_ones() as usize;
                after_space = spaces >> 15 != 0;
                position += 16;
                continue;
            }
        }
        if let Some(eight) = bytes.get(position..position + 8) {
            let word = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
            let non_ascii = word & lanes(0x80);
            if non_ascii == 0 || !may_lead_space(word) {
                let ascii = word & lanes(0x7F);
                let spaces = (lanes_within(ascii, 0x09, 0x0D) | lanes_within(ascii, 0x1C, 0x20))
                    & !non_ascii;
                let before = (spaces << 8) | if after_space { 0x80 } else { 0 };
                words += (!spaces & before & lanes(0x80)).count_ones() as usize;
                after_space = spaces >> 63 != 0;
                position += 8;
                continue;
            }
        }
        if bytes[position] & 0xC0 == 0x80 {
            // The rest of a character the eight bytes before began: part of a word.
            after_space = false;
            position += 1;
            continue;
        }
        let character = text[position..]
            .chars()
            .next()
            .expect("a character starts here");
        let space = python_space(character);
        words += usize::from(after_space && !space);
        after_space = space;
        position += character.len_utf8();
    }
    words
}

/// Whether a block lies within one of the `regions` (code points).
pub(crate) fn within(regions: &[(usize, usize)], block: &BlockRange) -> bool {
    regions
        .iter()
        .any(|&(low, high)| low <= block.start && block.end <= high)
}

/// A character map: every character of the table, replaced by its text.
#[pyclass(frozen, module = "cleantext._native")]
pub struct CharMap {
    table: FastMap<char, String>,
    /// Whether a character is in the table, for the first 64 Ki code points.
    present: Vec<bool>,
    ascii_keys: bool,
}

#[pymethods]
impl CharMap {
    /// A map of single characters to their replacements.
    #[new]
    fn new(mapping: HashMap<char, String>) -> Self {
        let ascii_keys = mapping.keys().any(char::is_ascii);
        let mut present = vec![false; 0x1_0000];
        for &key in mapping.keys() {
            if (key as usize) < present.len() {
                present[key as usize] = true;
            }
        }
        CharMap {
            table: mapping.into_iter().collect(),
            present,
            ascii_keys,
        }
    }

    /// Whether `character` is one of the table's.
    fn lists(&self, character: char) -> bool {
        match self.present.get(character as usize) {
            Some(&listed) => listed,
            None => self.table.contains_key(&character),
        }
    }

    /// Whether this map, then `next`, do what one pass of both does: no character of this
    /// map is one of `next`'s, and none it puts in is either.
    pub(crate) fn composes_with(&self, next: &CharMap) -> bool {
        self.table.iter().all(|(key, new)| {
            !next.table.contains_key(key) && new.chars().all(|put| !next.table.contains_key(&put))
        })
    }

    /// Whether a character of the table is in `text`.
    pub(crate) fn holds_any(&self, text: &str) -> bool {
        if self.ascii_keys {
            return text.chars().any(|character| self.lists(character));
        }
        non_ascii_characters(text).any(|character| self.lists(character))
    }

    /// Whether a character of the table is in `text` (true for text with a lone surrogate,
    /// which the core does not read).
    pub(crate) fn holds_any_in(&self, text: &Bound<'_, PyString>) -> bool {
        utf8_of(text).map_or(true, |text| self.holds_any(&text))
    }

    /// `(start, end, new)` for every character of the table in `text[low:high]` (code points);
    /// None for text with a lone surrogate.
    pub(crate) fn replacements(
        &self,
        text: &Bound<'_, PyString>,
        low: usize,
        high: usize,
    ) -> PyResult<Option<Vec<(usize, usize, String)>>> {
        let Ok(text) = utf8_of(text) else {
            return Ok(None);
        };
        let text: &str = &text;
        let mut found = Vec::new();
        let mut note = |offset: usize, character: char| {
            if offset >= low && self.lists(character) {
                found.push((offset, offset + 1, self.table[&character].clone()));
            }
        };
        let before_high = |&(offset, _): &(usize, char)| offset < high;
        if self.ascii_keys {
            text.chars()
                .enumerate()
                .take_while(before_high)
                .for_each(|(offset, character)| note(offset, character));
        } else {
            // Only non-ASCII characters can be the table's: the ASCII runs are skipped.
            non_ascii_positions(text)
                .take_while(before_high)
                .for_each(|(offset, character)| note(offset, character));
        }
        Ok(Some(found))
    }
}

/// The code point ranges of a class escape (`\w`, `\p{Lu}`) in the crate's own Unicode tables.
#[pyfunction]
pub fn crate_class_ranges(escape: &str) -> PyResult<Vec<(u32, u32)>> {
    use regex_syntax::hir::{Class, HirKind};
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(escape)
        .map_err(|error| PyValueError::new_err(error.to_string()))?;
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => Ok(class
            .ranges()
            .iter()
            .map(|range| (range.start() as u32, range.end() as u32))
            .collect()),
        _ => Err(PyValueError::new_err(format!(
            "{escape} is not a class of characters"
        ))),
    }
}

/// A block of a text: its span in bytes and in code points.
pub(crate) struct BlockRange {
    pub(crate) byte_start: usize,
    pub(crate) byte_end: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Every block of `text`: maximal runs of lines with a character other than whitespace
/// (Python's `str.isspace`), from the start of the first line to the end of the last
/// (`segment.block_spans`).
pub(crate) fn block_ranges(text: &str) -> Vec<BlockRange> {
    let bytes = text.as_bytes();
    let ascii = text.is_ascii();
    // Code points in a stretch of bytes (each byte, for ASCII text).
    let count = |from: usize, to: usize| {
        if ascii {
            to - from
        } else {
            text[from..to].chars().count()
        }
    };
    let mut blocks: Vec<BlockRange> = Vec::new();
    let mut open: Option<(usize, usize)> = None; // where the current block starts: byte, code point
    let (mut line_byte, mut line_char) = (0, 0); // where the current line starts
    loop {
        let end_byte = memchr::memchr(b'\n', &bytes[line_byte..])
            .map_or(bytes.len(), |offset| line_byte + offset);
        let line = &text[line_byte..end_byte];
        let blank = words_in(line, 0) == 0;
        let end_char = line_char + count(line_byte, end_byte);
        match (blank, open) {
            (false, None) => open = Some((line_byte, line_char)),
            (true, Some((byte_start, start))) => {
                // It ends before the line break.
                blocks.push(BlockRange {
                    byte_start,
                    byte_end: line_byte - 1,
                    start,
                    end: line_char - 1,
                });
                open = None;
            }
            _ => {}
        }
        if end_byte == bytes.len() {
            if let (false, Some((byte_start, start))) = (blank, open) {
                blocks.push(BlockRange {
                    byte_start,
                    byte_end: end_byte,
                    start,
                    end: end_char,
                });
            }
            return blocks;
        }
        line_byte = end_byte + 1;
        line_char = end_char + 1;
    }
}

/// The `(start, end)` of every block of `text` in code points (see `block_ranges`); None for
/// text with a lone surrogate.
#[pyfunction]
pub fn block_spans(text: &Bound<'_, PyString>) -> Option<Vec<(usize, usize)>> {
    let text = utf8_of(text).ok()?;
    Some(
        block_ranges(&text)
            .iter()
            .map(|block| (block.start, block.end))
            .collect(),
    )
}

/// Whole-text patterns searched together: one pass over a text tells which of them match in
/// it, where each alone is a pass of its own (`screen::quiet` asks it for every selected step
/// whose check is a whole-text pattern).
#[pyclass(frozen, module = "cleantext._native")]
pub struct PatternSet {
    /// None: no member.
    set: Option<AutomatonSet>,
    /// By the address of each member: its number in the set, and whether the set's answer is its own.
    members: FastMap<usize, (usize, bool)>,
    /// The members, held so that no other pattern can take one's address.
    _patterns: Vec<Py<Pattern>>,
}

impl PatternSet {
    /// `pattern`'s number in the set and whether the set's answer is its own; None: not a member.
    pub(crate) fn member(&self, pattern: &Pattern) -> Option<(usize, bool)> {
        self.members
            .get(&(std::ptr::from_ref(pattern) as usize))
            .copied()
    }

    /// Whether the member of this number matches somewhere in `haystack`, by the set's one pass
    /// over it (`matches`, made when first asked).
    pub(crate) fn matched(
        &self,
        haystack: &str,
        matches: &mut Option<Matches>,
        number: usize,
    ) -> bool {
        let Some(set) = &self.set else {
            return false;
        };
        matched(matches.get_or_insert_with(|| set.matches(haystack)), number)
    }
}

#[pymethods]
impl PatternSet {
    /// The set of `patterns` that have an automata form (see `Pattern::set_form`); the others
    /// are not members. Raises ValueError when the set's automaton would be too large.
    #[new]
    pub(crate) fn new(patterns: Vec<Bound<'_, Pattern>>) -> PyResult<Self> {
        let mut members = FastMap::default();
        let mut sources = Vec::new();
        let mut held = Vec::new();
        for pattern in patterns {
            let Some((source, exact)) = pattern.get().set_form() else {
                continue;
            };
            let address = std::ptr::from_ref(pattern.get()) as usize;
            if members.contains_key(&address) {
                continue;
            }
            members.insert(address, (sources.len(), exact));
            sources.push(source.to_owned());
            held.push(pattern.unbind());
        }
        let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
        let set = if sources.is_empty() {
            None
        } else {
            Some(
                AutomatonSet::new(&sources, 4 * NFA_BYTES, DFA_CACHE_BYTES)
                    .map_err(PyValueError::new_err)?,
            )
        };
        Ok(PatternSet {
            set,
            members,
            _patterns: held,
        })
    }

    /// How many patterns the set holds.
    fn __len__(&self) -> usize {
        self.members.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_positions_are_the_code_point_offsets_of_the_non_ascii_characters() {
        for text in [
            "",
            "plain ASCII only",
            "é",
            "“Quoted” — and ‘so’ on…",
            "Привет, мир: ещё",
            "a😀b𝄞c€dé",
            "eight bytes then é: 12345678é",
        ] {
            let expected: Vec<(usize, char)> = text
                .chars()
                .enumerate()
                .filter(|(_, character)| !character.is_ascii())
                .collect();
            assert_eq!(
                non_ascii_positions(text).collect::<Vec<_>>(),
                expected,
                "{text}"
            );
        }
    }
}
