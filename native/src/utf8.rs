//! The UTF-8 of the texts the core reads.
//!
//! The core's finders read a Python string as UTF-8. CPython keeps a string's UTF-8 once asked
//! for it, but makes it with a loop per character for a text outside Latin-1 (most texts with
//! curly quotes or dashes), and each version of a document is a new string: every pass that
//! changed the text would have the whole of it encoded again. `compose` instead splices the
//! new version's UTF-8 from the old one's and what the pass put in, and keeps it for that
//! version (the one made last), where `utf8_of` finds it. So with its reading (`Text`: whether
//! the core reads it, whether a word character is outside ASCII), which follows from the old
//! text's and what the pass removed and put in, where the old text was read last.

use std::ops::Deref;
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::patterns::Reading;
#[cfg(not(target_arch = "x86_64"))]
use crate::patterns::HIGH_BITS;

/// A text's UTF-8: CPython's own, or the one `compose` spliced.
pub(crate) enum Utf8<'a> {
    Cpython(&'a str),
    Spliced(Arc<String>),
}

impl Deref for Utf8<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Utf8::Cpython(plain) => plain,
            Utf8::Spliced(plain) => plain,
        }
    }
}

/// The version `compose` made last, its spliced UTF-8, and its reading where the walk knew it
/// from the old text's. The string is held, so that no other string can take its address
/// while it is kept.
static SPLICED: Mutex<Option<Spliced>> = Mutex::new(None);

/// A version `compose` made, its UTF-8, and its reading where known.
type Spliced = (Py<PyString>, Arc<String>, Option<Reading>);

/// The text read last (`Text::new`) and its reading: the old text of the next pass, whose
/// reading the walk carries over to the new one (`patterns::reading_after`).
static READ: Mutex<Option<(Py<PyString>, Reading)>> = Mutex::new(None);

/// The UTF-8 spliced for `text`, if it is the version `compose` made last, with its reading
/// where the walk knew it.
pub(crate) fn spliced(text: &Bound<'_, PyString>) -> Option<(Arc<String>, Option<Reading>)> {
    let kept = SPLICED.lock().ok()?;
    match kept.as_ref() {
        Some((known, plain, reading)) if known.is(text) => Some((plain.clone(), *reading)),
        _ => None,
    }
}

/// The UTF-8 of `text`: the spliced one where `compose` made it, else CPython's (an error for
/// a text with a lone surrogate, as `PyString::to_str`).
pub(crate) fn utf8_of<'a>(text: &'a Bound<'_, PyString>) -> PyResult<Utf8<'a>> {
    match spliced(text) {
        Some((plain, _)) => Ok(Utf8::Spliced(plain)),
        None => Ok(Utf8::Cpython(text.to_str()?)),
    }
}

/// Keeps `plain` as the UTF-8 of `text`, a version just made (in place of the one kept before),
/// with its reading where it is known.
pub(crate) fn keep(text: &Bound<'_, PyString>, plain: String, reading: Option<Reading>) {
    if let Ok(mut kept) = SPLICED.lock() {
        // The string moves into the `Arc` as it is: `Arc<str>` would copy the whole text.
        *kept = Some((text.clone().unbind(), Arc::new(plain), reading));
    }
}

/// Keeps the reading of `text`, just read (in place of the one kept before).
pub(crate) fn remember_reading(text: &Bound<'_, PyString>, reading: Reading) {
    if let Ok(mut kept) = READ.lock() {
        *kept = Some((text.clone().unbind(), reading));
    }
}

/// The reading of `text`, if it is the text read last.
pub(crate) fn reading_of(text: &Bound<'_, PyString>) -> Option<Reading> {
    let kept = READ.lock().ok()?;
    match kept.as_ref() {
        Some((known, reading)) if known.is(text) => Some(*reading),
        _ => None,
    }
}

/// Where the UTF-8 of the code point `chars` code points past byte `byte` of `plain` (a code
/// point's first byte) starts: the end of `plain` where there are fewer.
pub(crate) fn advance(plain: &[u8], mut byte: usize, mut chars: usize) -> usize {
    // Whole chunks, long then short, where they start no more code points than are left to
    // pass: a count of the bytes that start one (`starts_in`). The short
    // chunks keep the byte loop to a few bytes where a long chunk would pass the code point
    // sought. A chunk starts a code point every four bytes at least: one of more than four
    // times the code points left surely passes the one sought, and is not counted.
    for chunk in [4096, 64, 16, 8] {
        while byte + chunk <= plain.len() && chars >= chunk / 4 {
            let starts = starts_in(&plain[byte..byte + chunk]);
            if starts > chars {
                break;
            }
            chars -= starts;
            byte += chunk;
        }
    }
    // The rest byte by byte (a chunk may have ended inside a code point).
    while byte < plain.len() {
        if (plain[byte] as i8) >= -0x40 {
            if chars == 0 {
                return byte;
            }
            chars -= 1;
        }
        byte += 1;
    }
    plain.len()
}

/// How many code points start in `bytes`: its bytes less those that continue a code point
/// (`10xxxxxx`, below -0x40 as a signed byte), sixteen at a time with SSE2, which every x86-64
/// processor has (some 28 GB/s, where a count of bits in 64-bit words, without the `popcnt`
/// instruction the target does not assume, made 4).
#[cfg(target_arch = "x86_64")]
fn starts_in(bytes: &[u8]) -> usize {
    use std::arch::x86_64::{
        __m128i, _mm_cmpgt_epi8, _mm_cvtsi128_si64, _mm_extract_epi16, _mm_loadu_si128,
        _mm_sad_epu8, _mm_set1_epi8, _mm_setzero_si128, _mm_sub_epi8,
    };
    let mut sixteens = bytes.chunks_exact(16);
    let mut total = 0;
    // SAFETY: SSE2 is part of the x86-64 baseline; each load reads sixteen bytes of a slice of
    // sixteen, unaligned.
    unsafe {
        let continuation_below = _mm_set1_epi8(-0x41);
        loop {
            // Per byte lane, how many code points started there: at most 255 steps fit in a byte.
            let mut counts = _mm_setzero_si128();
            let mut steps = 0;
            for sixteen in sixteens.by_ref().take(255) {
                let read = _mm_loadu_si128(sixteen.as_ptr().cast::<__m128i>());
                // A lane that starts a code point compares as -1: subtracting it counts one.
                counts = _mm_sub_epi8(counts, _mm_cmpgt_epi8(read, continuation_below));
                steps += 1;
            }
            let sums = _mm_sad_epu8(counts, _mm_setzero_si128()); // two sums of eight lanes
            total += _mm_cvtsi128_si64(sums) as usize + _mm_extract_epi16::<4>(sums) as usize;
            if steps < 255 {
                break;
            }
        }
    }
    total
        + sixteens
            .remainder()
            .iter()
            .filter(|&&byte| (byte as i8) >= -0x40)
            .count()
}

/// How many code points start in `bytes`: eight bytes at a time, less those that continue a
/// code point (`10xxxxxx`: its high bit set, the next one clear).
#[cfg(not(target_arch = "x86_64"))]
fn starts_in(bytes: &[u8]) -> usize {
    let eights = bytes.chunks_exact(8);
    let rest = eights.remainder();
    eights
        .map(|eight| {
            let word = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
            8 - (word & !(word << 1) & HIGH_BITS).count_ones() as usize
        })
        .sum::<usize>()
        + rest.iter().filter(|&&byte| (byte as i8) >= -0x40).count()
}

/// Where the UTF-8 of the code point `chars` code points before the end of `plain` starts: its
/// start where there are fewer.
pub(crate) fn retreat(plain: &[u8], mut chars: usize) -> usize {
    let mut byte = plain.len();
    // Whole chunks, long then short, where they start fewer code points than are left to
    // pass back over.
    for chunk in [4096, 64, 16, 8] {
        // As in `advance`: a chunk of more than four times the code points left is not counted.
        while chars > chunk / 4 && byte >= chunk {
            let starts = starts_in(&plain[byte - chunk..byte]);
            if starts >= chars {
                break;
            }
            chars -= starts;
            byte -= chunk;
        }
    }
    while chars > 0 && byte > 0 {
        byte -= 1;
        if (plain[byte] as i8) >= -0x40 {
            chars -= 1;
        }
    }
    byte
}

/// The UTF-8 the core reads for `text`: the one `compose` spliced for it, else CPython's (for
/// the tests, which hold the splice to Python's encoding); None for a text with a lone surrogate.
#[pyfunction]
pub fn core_utf8(text: &Bound<'_, PyString>) -> Option<Vec<u8>> {
    utf8_of(text).ok().map(|plain| plain.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::{advance, retreat, starts_in};

    #[test]
    fn starts_in_counts_the_code_points_that_start_in_any_length_of_bytes() {
        // Past 255 steps of sixteen bytes (the counts of one byte lane), and every remainder.
        let piece = "a \u{201c}q\u{201d} \u{1F600} é ж";
        let text = piece.repeat(300);
        for length in (0..text.len())
            .step_by(7)
            .chain([4080, 4096, 4097, text.len()])
        {
            let bytes = &text.as_bytes()[..length.min(text.len())];
            let expected = bytes.iter().filter(|&&byte| (byte as i8) >= -0x40).count();
            assert_eq!(starts_in(bytes), expected, "{length}");
        }
    }

    #[test]
    fn advance_counts_code_points_across_ascii_strides_and_wide_characters() {
        let text = "abcdefghijklmnopqrstuvwxyz \u{201c}quoted\u{201d} \u{1F600} é";
        for chars in 0..=text.chars().count() {
            let expected = text
                .char_indices()
                .nth(chars)
                .map_or(text.len(), |(at, _)| at);
            assert_eq!(advance(text.as_bytes(), 0, chars), expected, "{chars}");
        }
        let from = advance(text.as_bytes(), 0, 20);
        assert_eq!(
            advance(text.as_bytes(), from, 10),
            advance(text.as_bytes(), 0, 30)
        );
        // Long enough for every chunk size, from every code point.
        let long = "ab \u{201c}é\u{1F600}cdefgh".repeat(30);
        let starts: Vec<usize> = long.char_indices().map(|(at, _)| at).collect();
        for (first, &from) in starts.iter().enumerate() {
            for chars in (0..=starts.len() - first + 1).step_by(7) {
                let expected = starts.get(first + chars).copied().unwrap_or(long.len());
                assert_eq!(
                    advance(long.as_bytes(), from, chars),
                    expected,
                    "{from} {chars}"
                );
            }
        }
    }

    #[test]
    fn a_long_text_is_passed_through_as_the_code_points_it_holds() {
        // Longer than the longest chunk, ASCII stretches and wide characters in turn; the
        // distances around a quarter of each chunk size, where a chunk is first counted.
        let mut text = String::new();
        for round in 0..40 {
            text.push_str(&"plain ascii text ".repeat(round % 7 * 9));
            text.push_str(&"\u{201c}é\u{1F600}".repeat(round % 5 * 20));
        }
        assert!(text.len() > 3 * 4096);
        let starts: Vec<usize> = text.char_indices().map(|(at, _)| at).collect();
        let distances = [
            0, 1, 2, 3, 4, 5, 15, 16, 17, 63, 64, 65, 1023, 1024, 1025, 4096, 5000,
        ];
        for first in (0..starts.len()).step_by(97) {
            for &chars in &distances {
                let expected = starts.get(first + chars).copied().unwrap_or(text.len());
                let from = starts[first];
                assert_eq!(
                    advance(text.as_bytes(), from, chars),
                    expected,
                    "{from} {chars}"
                );
            }
        }
        for &chars in &distances {
            let expected = match starts.len().checked_sub(chars) {
                _ if chars == 0 => text.len(),
                Some(at) => starts[at],
                None => 0,
            };
            assert_eq!(retreat(text.as_bytes(), chars), expected, "{chars}");
        }
    }

    #[test]
    fn retreat_counts_code_points_back_from_the_end_as_advance_counts_them_on() {
        let long = "\u{201c}é\u{1F600}ab".repeat(40);
        for text in [
            "",
            "abc",
            "x \u{201c}quoted\u{201d} \u{1F600} é",
            long.as_str(),
        ] {
            let length = text.chars().count();
            for chars in 0..=length + 2 {
                let expected = advance(text.as_bytes(), 0, length.saturating_sub(chars));
                assert_eq!(
                    retreat(text.as_bytes(), chars),
                    expected,
                    "{text:?} {chars}"
                );
            }
        }
    }
}
