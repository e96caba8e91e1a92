//! The lines of a text, read in one pass: what the line table of the line rules
//! (`patterns::short_lines`) is made of.
//!
//! A line is what lies between line breaks (`'\n'`). For each, one walk over the text counts
//! its code points, its words (runs of characters other than Python's whitespace, as
//! `str.split` finds them), its bars and tabs (which make a table row), and tells whether it
//! is ASCII. Sixteen bytes at a time on x86-64 (SSE2, which every such processor has): a mask
//! a byte kind, split at the line breaks among them, where the characters whose first byte may
//! start a non-ASCII space are read one by one; elsewhere, and for the last bytes of a text,
//! character by character.

use crate::html::python_space;

/// One line: its bytes, and what the rules ask of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LineCounts {
    pub(crate) byte_start: usize,
    pub(crate) byte_end: usize,
    /// Its length in code points.
    pub(crate) chars: usize,
    pub(crate) words: usize,
    pub(crate) ascii: bool,
    pub(crate) bars: usize,
    pub(crate) tabs: usize,
}

impl LineCounts {
    /// A line that starts at byte `byte`, nothing of it read yet.
    fn starting_at(byte: usize) -> Self {
        LineCounts {
            byte_start: byte,
            byte_end: byte,
            chars: 0,
            words: 0,
            ascii: true,
            bars: 0,
            tabs: 0,
        }
    }
}

/// The line being read: its counts so far, and whether the byte before is a space.
struct LineReader {
    line: LineCounts,
    after_space: bool,
    lines: Vec<LineCounts>,
}

impl LineReader {
    fn new(capacity: usize) -> Self {
        LineReader {
            line: LineCounts::starting_at(0),
            after_space: true, // before the text, as after a space
            lines: Vec::with_capacity(capacity),
        }
    }

    /// Ends the line at the line break at byte `at`; the next starts after it.
    fn break_at(&mut self, at: usize) {
        self.line.byte_end = at;
        self.lines.push(self.line);
        self.line = LineCounts::starting_at(at + 1);
    }

    /// Reads the character `character` at byte `at` (not a line break's continuation byte).
    fn character(&mut self, character: char, at: usize) {
        if character == '\n' {
            self.break_at(at);
            self.after_space = true;
            return;
        }
        let space = python_space(character);
        let line = &mut self.line;
        line.words += usize::from(self.after_space && !space);
        line.chars += 1;
        line.ascii &= character.is_ascii();
        line.bars += usize::from(character == '|');
        line.tabs += usize::from(character == '\t');
        self.after_space = space;
    }

    /// Reads `text[from..to]` character by character, from where a character starts or goes on
    /// (the rest of one was read with its first byte), and the rest of the character at `to`.
    fn characters(&mut self, text: &str, from: usize, to: usize) {
        let bytes = text.as_bytes();
        let mut position = from;
        while position < to && bytes[position] & 0xC0 == 0x80 {
            position += 1;
        }
        while position < to {
            let character = text[position..]
                .chars()
                .next()
                .expect("a character starts here");
            self.character(character, position);
            position += character.len_utf8();
        }
    }

    /// The lines, the last one ended at the text's end.
    fn finish(mut self, length: usize) -> Vec<LineCounts> {
        self.line.byte_end = length;
        self.lines.push(self.line);
        self.lines
    }
}

/// Every line of `text`, in order (a text without a line break is one line; an empty one, one
/// empty line).
pub(crate) fn line_counts(text: &str) -> Vec<LineCounts> {
    let bytes = text.as_bytes();
    let mut reading = LineReader::new(bytes.len() / 40 + 1);
    let mut position = 0;
    // The bytes of a space the sixteen before began, a bit each.
    let mut carried_spaces = 0u32;
    while position + 16 <= bytes.len() {
        let sixteen: &[u8; 16] = bytes[position..position + 16]
            .try_into()
            .expect("sixteen bytes");
        let Some(mut kinds) = kinds_of_sixteen(sixteen) else {
            reading.characters(text, position, bytes.len());
            return reading.finish(bytes.len());
        };
        kinds.spaces |= carried_spaces;
        carried_spaces = 0;
        let mut leads = kinds.leads;
        while leads != 0 {
            let at = leads.trailing_zeros();
            leads &= leads - 1;
            let character = text[position + at as usize..]
                .chars()
                .next()
                .expect("a character starts at a lead byte");
            if python_space(character) {
                let all = (1u64 << (at as usize + character.len_utf8())) - (1u64 << at);
                kinds.spaces |= (all & 0xFFFF) as u32;
                carried_spaces |= (all >> 16) as u32;
            }
        }
        kinds.read(&mut reading, position);
        position += 16;
    }
    reading.characters(text, position, bytes.len());
    reading.finish(bytes.len())
}

/// The kinds of sixteen bytes, a bit each (the first byte's lowest).
struct Kinds {
    breaks: u32,
    /// ASCII spaces (and, once read, the bytes of non-ASCII ones).
    spaces: u32,
    /// Bytes that may start a non-ASCII space (0xC2 of U+0085 and U+00A0; 0xE0 to 0xE3 of
    /// U+1680, U+2000 to U+205F and U+3000).
    leads: u32,
    /// Bytes that go on a code point (`10xxxxxx`).
    continuing: u32,
    non_ascii: u32,
    bars: u32,
    tabs: u32,
}

impl Kinds {
    /// Adds the sixteen bytes at byte `at` to the lines they belong to.
    #[inline(always)]
    fn read(&self, reading: &mut LineReader, at: usize) {
        let carried = u32::from(reading.after_space);
        let word_starts = !self.spaces & ((self.spaces << 1) | carried) & 0xFFFF;
        reading.after_space = self.spaces >> 15 != 0;
        if self.breaks == 0 {
            // The common case: sixteen bytes of one line, most often ASCII without bars or tabs
            // (a count of bits is a dozen instructions where x86-64's baseline has no POPCNT).
            let line = &mut reading.line;
            line.words += word_starts.count_ones() as usize;
            line.chars += 16;
            if self.non_ascii != 0 {
                line.chars -= self.continuing.count_ones() as usize;
                line.ascii = false;
            }
            if self.bars | self.tabs != 0 {
                line.bars += self.bars.count_ones() as usize;
                line.tabs += self.tabs.count_ones() as usize;
            }
            return;
        }
        let mut low = 0; // the first byte of the stretch of the current line
        let mut breaks = self.breaks;
        loop {
            let high = if breaks == 0 {
                16
            } else {
                breaks.trailing_zeros()
            };
            // The bytes low..high, a line's.
            let within = ((1u32 << high) - 1) & !((1u32 << low) - 1);
            let line = &mut reading.line;
            line.words += (word_starts & within).count_ones() as usize;
            line.chars += (within.count_ones() - (self.continuing & within).count_ones()) as usize;
            line.ascii &= self.non_ascii & within == 0;
            line.bars += (self.bars & within).count_ones() as usize;
            line.tabs += (self.tabs & within).count_ones() as usize;
            if high == 16 {
                break;
            }
            reading.break_at(at + high as usize);
            low = high + 1;
            breaks &= breaks - 1;
        }
    }
}

/// The ASCII spaces of sixteen bytes (Python's: 0x09 to 0x0D and 0x1C to 0x20), and the bytes
/// that may start a non-ASCII space (see `Kinds::leads`), a bit each, the first byte's lowest.
/// SSE2, which every x86-64 processor has.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn spaces_and_leads(sixteen: &[u8; 16]) -> (u32, u32) {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of x86-64; the load reads the sixteen bytes of the array, unaligned.
    unsafe {
        let bytes = _mm_loadu_si128(sixteen.as_ptr().cast::<__m128i>());
        let byte = |value: u8| _mm_set1_epi8(value as i8);
        let mask = |lanes: __m128i| _mm_movemask_epi8(lanes) as u32;
        let mut leads = 0;
        if mask(bytes) != 0 {
            let lead_c2 = _mm_cmpeq_epi8(bytes, byte(0xC2));
            let lead_e0_to_e3 = _mm_cmpeq_epi8(_mm_and_si128(bytes, byte(0xFC)), byte(0xE0));
            leads = mask(_mm_or_si128(lead_c2, lead_e0_to_e3));
        }
        // Signed comparisons: a byte of a non-ASCII character is below zero, in neither range.
        let within = |low: u8, high: u8| {
            _mm_and_si128(
                _mm_cmpgt_epi8(bytes, byte(low - 1)),
                _mm_cmplt_epi8(bytes, byte(high + 1)),
            )
        };
        (
            mask(_mm_or_si128(within(0x09, 0x0D), within(0x1C, 0x20))),
            leads,
        )
    }
}

/// The kinds of sixteen bytes.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn kinds_of_sixteen(sixteen: &[u8; 16]) -> Option<Kinds> {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let (spaces, leads) = spaces_and_leads(sixteen);
    // SAFETY: as in `spaces_and_leads`.
    unsafe {
        let bytes = _mm_loadu_si128(sixteen.as_ptr().cast::<__m128i>());
        let byte = |value: u8| _mm_set1_epi8(value as i8);
        let mask = |lanes: __m128i| _mm_movemask_epi8(lanes) as u32;
        let equal = |value: u8| mask(_mm_cmpeq_epi8(bytes, byte(value)));
        let non_ascii = mask(bytes);
        // Signed: 0x80 to 0xBF are the lowest bytes, below 0xC0 (-64).
        let continuing = if non_ascii != 0 {
            mask(_mm_cmplt_epi8(bytes, byte(0xC0)))
        } else {
            0
        };
        Some(Kinds {
            breaks: equal(b'\n'),
            spaces,
            leads,
            continuing,
            non_ascii,
            bars: equal(b'|'),
            tabs: equal(b'\t'),
        })
    }
}

/// Elsewhere, the bytes are read character by character.
#[cfg(not(target_arch = "x86_64"))]
fn kinds_of_sixteen(_sixteen: &[u8; 16]) -> Option<Kinds> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines as Python's `str.split("\n")` and `str.split()` see them.
    fn expected(text: &str) -> Vec<LineCounts> {
        let mut lines = Vec::new();
        let mut start = 0;
        for piece in text.split('\n') {
            lines.push(LineCounts {
                byte_start: start,
                byte_end: start + piece.len(),
                chars: piece.chars().count(),
                words: piece.split(python_space).filter(|w| !w.is_empty()).count(),
                ascii: piece.is_ascii(),
                bars: piece.matches('|').count(),
                tabs: piece.matches('\t').count(),
            });
            start += piece.len() + 1;
        }
        lines
    }

    #[test]
    fn every_line_is_counted_as_python_splits_it() {
        let pieces = [
            "word",
            " ",
            "\n",
            "\n\n",
            "\t",
            "|",
            "a|b",
            "\u{a0}",
            "\u{3000}",
            "\u{85}",
            "é",
            "\u{201c}",
            "\u{1F600}",
            "\u{2009}",
            "\u{1c}",
            "x\ty",
            "  two words ",
            "\u{2014}",
            "\u{1680}",
            "\u{2028}",
            "\u{e0}\u{a0}",
            "\u{800}",
        ];
        // Every piece at every place of the sixteen-byte chunks, in long and short texts.
        for (first, a) in pieces.iter().enumerate() {
            for b in &pieces[first..] {
                for shift in 0..17 {
                    let text = format!("{}{a}{}{b}{a}", "x".repeat(shift), " y".repeat(shift));
                    assert_eq!(line_counts(&text), expected(&text), "{text:?}");
                }
            }
        }
        for text in ["", "\n", "abc", "line one\nline two\n", "é\n\n\u{a0}x"] {
            assert_eq!(line_counts(text), expected(text), "{text:?}");
        }
    }
}
