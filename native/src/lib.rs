//! The native core of cleantext, built as the Python module `cleantext._native`.
//!
//! It runs the hot path of the plan (see `cleantext/plan.py`): the pre-pass
//! that finds which trigger literals a casefolded document holds. The Python
//! engine (`cleantext.native.PythonScanner`) is the reference; a differential
//! test holds this module to it. Offsets never cross the boundary here: the
//! scanner answers with literal numbers only.

mod automaton;
mod edits;
mod fast_hash;
mod html;
mod lines;
mod offtopic;
mod patterns;
mod prefixes;
mod repeats;
mod run;
mod screen;
mod spellings;
mod tally;
mod utf8;

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};

use crate::fast_hash::FastMap;
use crate::prefixes::{Heard, Prefixes};
use crate::tally::Tally;

/// The core's own allocations (line tables, edit lists, match positions: many small ones a
/// document) go to mimalloc, whose per-thread free lists cost a fraction of the system
/// allocator's bins; Python's objects keep Python's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`, `mimalloc.h`, which the
/// `libmimalloc-sys` crate does not name).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Milliseconds memory freed by the core waits before it goes back to the system (mimalloc's
/// default: 1,000). A long document's versions are each a buffer of its length, freed and
/// made again a step later: purged after a second, each came back as fresh pages the kernel
/// zeroes, half the page faults of a 50 MB document (528,000 a clean, 242,000 never purged).
const PURGE_DELAY_MS: std::ffi::c_long = 10_000;

/// Which of a fixed set of literals occur in a text: one pass over its bytes and characters, and
/// one Aho-Corasick pass.
///
/// Literals are matched exactly (the caller casefolds both sides). The answer
/// lists each present literal's number once: those of one character first.
#[pyclass(frozen, module = "cleantext._native")]
struct LiteralScanner {
    count: usize,
    /// Literals of one byte, `(byte, number)`: found by which bytes the text has. The automaton
    /// would report every occurrence of a common one (".", ",") as a match.
    bytes: Vec<(u8, usize)>,
    /// Literals of one character of two to four bytes, found by which characters the text has
    /// (some two thousand: the lone surrogates, the repair rules' mojibake characters).
    characters: Characters,
    /// The other literals ("words"), `(bytes, number)`, and the automaton of their first bytes
    /// (`Prefixes`): a prefix found is a word's match where the word follows in full.
    words: Vec<(Vec<u8>, usize)>,
    /// Per literal number: whether it is one of the words.
    is_word: Vec<bool>,
    prefixes: Option<Prefixes>,
    /// Per code point of a literal: the length of the longest literal that holds it, less one;
    /// and the longest literal's length in code points (1 without literals, as `Plan.longest`).
    reaches: (FastMap<u32, usize>, usize),
    /// Per code point of a literal: the numbers of the literals that hold it, ascending.
    holders: FastMap<u32, Vec<usize>>,
    /// The literals, as their UTF-8 and their code points: what a subset is made of.
    spellings: Vec<(Vec<u8>, Vec<u32>)>,
    /// By the characters a pass put in (folded, sorted, distinct): the scanner of the literals
    /// that hold one of them (`Subset`), made as first asked; None where they are too many.
    subsets: Mutex<FastMap<Vec<u32>, Option<Arc<Subset>>>>,
}

/// The literals of a scanner that hold one of some characters, as a scanner of their own, and
/// each one's number in the whole scanner.
struct Subset {
    scanner: LiteralScanner,
    numbers: Vec<usize>,
}

/// What a pass's edits leave to scan (`LiteralScanner::stretches`).
enum Stretches {
    /// No literal can have turned up.
    Nothing,
    /// The stretches around the edits, folded and joined, and the subset of the literals
    /// that may be in them (None: all).
    Folded(Vec<u8>, Option<Arc<Subset>>),
}

/// A subset of more than this share of a scanner's literals is not made: its scan would cost
/// about as much as the whole scanner's.
const SUBSET_MOST_SHARE: usize = 4;

/// At most this many subsets are kept by a scanner (one per set of characters put in).
const SUBSETS_KEPT: usize = 256;

/// A set of characters outside ASCII: a bit per code point, and each one's literal number.
#[derive(Default)]
struct Characters {
    bits: Vec<u64>,
    numbers: FastMap<u32, usize>,
}

impl Characters {
    fn add(&mut self, point: u32, number: usize) {
        // As far as the highest code point: a subset's few characters take a few words.
        let word = point as usize / 64;
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        self.bits[word] |= 1 << (point % 64);
        self.numbers.insert(point, number);
    }

    /// The literal number of the character that starts at `position` of `text` (the UTF-8 of a
    /// Python string, lone surrogates as "surrogatepass" writes them; a byte that starts no
    /// character, as the 0xFF between the stretches `scan_edits_into` joins, is none).
    fn number_at(&self, text: &[u8], position: usize) -> Option<usize> {
        if !(0xC0..0xF8).contains(&text[position]) {
            return None;
        }
        let (point, _) = patterns::code_point_at(text, position);
        let word = self.bits.get(point as usize / 64)?;
        if word & (1 << (point % 64)) == 0 {
            return None;
        }
        self.numbers.get(&point).copied()
    }
}

/// The UTF-8 bytes of a Python string; a lone surrogate (which Python text may
/// hold) is encoded as its three bytes ("surrogatepass"), so that literals and
/// texts agree and matches still fall on character boundaries.
fn utf8<'a>(text: &'a Bound<'_, PyString>) -> PyResult<Cow<'a, [u8]>> {
    match text.to_str() {
        Ok(plain) => Ok(Cow::Borrowed(plain.as_bytes())),
        Err(_) => {
            let encoded = text.call_method1("encode", ("utf-8", "surrogatepass"))?;
            Ok(Cow::Owned(
                encoded.downcast::<PyBytes>()?.as_bytes().to_vec(),
            ))
        }
    }
}

/// `cleantext.triggers.TEXT_START` and `TEXT_END`: what a scan sees before and after a text.
const TEXT_START: &str = "\u{e000}";
const TEXT_END: &str = "\u{e001}";

/// The code points of a Python string, lone surrogates (which a literal may be) included.
fn code_points(text: &Bound<'_, PyString>) -> PyResult<Vec<u32>> {
    if let Ok(plain) = text.to_str() {
        return Ok(plain.chars().map(u32::from).collect());
    }
    let encoded = text.call_method1("encode", ("utf-32-le", "surrogatepass"))?;
    Ok(encoded
        .downcast::<PyBytes>()?
        .as_bytes()
        .chunks_exact(4)
        .map(|unit| u32::from_le_bytes([unit[0], unit[1], unit[2], unit[3]]))
        .collect())
}

/// Records literal `number` the first time it turns up (`seen`: a bit per literal); whether it
/// was new.
fn note(seen: &mut [u64], found: &mut Vec<usize>, number: usize) -> bool {
    if is_seen(seen, number) {
        return false;
    }
    seen[number / 64] |= 1 << (number % 64);
    found.push(number);
    true
}

/// Whether literal `number` has turned up (see `note`).
fn is_seen(seen: &[u64], number: usize) -> bool {
    seen[number / 64] & (1 << (number % 64)) != 0
}

impl LiteralScanner {
    /// A scanner of `spellings` (each literal's UTF-8 and code points; non-empty, distinct).
    fn of(spellings: Vec<(Vec<u8>, Vec<u32>)>) -> Result<Self, String> {
        let mut bytes = Vec::new();
        let mut characters = Characters::default();
        let mut words: Vec<(Vec<u8>, usize)> = Vec::new();
        let mut reach: FastMap<u32, usize> = FastMap::default();
        let mut holders: FastMap<u32, Vec<usize>> = FastMap::default();
        let mut longest = 1;
        for (number, (raw, points)) in spellings.iter().enumerate() {
            longest = longest.max(points.len());
            for point in points {
                let known = reach.entry(*point).or_insert(0);
                *known = (*known).max(points.len() - 1);
                let holding = holders.entry(*point).or_default();
                if holding.last() != Some(&number) {
                    holding.push(number);
                }
            }
            if raw.len() == 1 {
                bytes.push((raw[0], number));
            } else if points.len() == 1 {
                characters.add(points[0], number);
            } else {
                words.push((raw.clone(), number));
            }
        }
        let prefixes = {
            let spelled: Vec<&[u8]> = words.iter().map(|(bytes, _)| bytes.as_slice()).collect();
            Prefixes::new(&spelled)?
        };
        let mut is_word = vec![false; spellings.len()];
        for &(_, number) in &words {
            is_word[number] = true;
        }
        Ok(LiteralScanner {
            count: spellings.len(),
            bytes,
            characters,
            words,
            is_word,
            prefixes,
            reaches: (reach, longest),
            holders,
            spellings,
            subsets: Mutex::new(FastMap::default()),
        })
    }

    /// What `scan_edits_into` scans after a pass of `replacements` made `text` (see there): the
    /// stretches around the edits, folded and joined, and the subset of the literals that may
    /// have turned up; `Nothing` where none can have; None where Python must scan.
    fn stretches(
        &self,
        text: &Bound<'_, PyString>,
        replacements: &Bound<'_, PyList>,
    ) -> PyResult<Option<Stretches>> {
        let Some(table) = FOLD_TABLE.get() else {
            return Ok(None);
        };
        let (reaches, longest) = &self.reaches;
        let mut edits = Vec::with_capacity(replacements.len());
        for replacement in replacements.iter() {
            let start: isize = replacement.get_item(0)?.extract()?;
            let end: isize = replacement.get_item(1)?.extract()?;
            let new = replacement.get_item(2)?.downcast_into::<PyString>()?;
            edits.push((start, end, edits::length(&new)?, new));
        }
        let mut folded = Vec::new();
        let mut subset = None;
        let reach = if edits.iter().all(|edit| edit.2 > 0) {
            // Every literal that turns up holds a character put in.
            let mut reach: isize = -1;
            let mut put_in: Vec<u32> = Vec::new();
            let mut last: Option<&str> = None; // a pass often puts in one text many times
            for (_, _, _, new) in &edits {
                let Ok(plain) = new.to_str() else {
                    return Ok(None);
                };
                if last == Some(plain) {
                    continue;
                }
                last = Some(plain);
                folded.clear();
                if !table.fold_into(plain, &mut folded) {
                    return Ok(None);
                }
                for character in String::from_utf8_lossy(&folded).chars() {
                    if let Some(&length) = reaches.get(&u32::from(character)) {
                        reach = reach.max(length as isize);
                        put_in.push(u32::from(character));
                    }
                }
            }
            if reach < 0 {
                return Ok(Some(Stretches::Nothing));
            }
            put_in.sort_unstable();
            put_in.dedup();
            subset = self.subset(put_in);
            reach
        } else {
            *longest as isize - 1
        };
        let mut windows: Vec<(isize, isize)> = Vec::new();
        let mut shift: isize = 0;
        for (start, end, new_length, _) in &edits {
            let low = (start + shift - reach).max(0);
            let high = start + shift + new_length + reach;
            shift += new_length - (end - start);
            match windows.last_mut() {
                Some(last) if low <= last.1 => last.1 = last.1.max(high),
                _ => windows.push((low, high)),
            }
        }
        let text_length = edits::length(text)?;
        // The stretches are cut from the text's UTF-8 (which `compose` spliced for the version it
        // made), walking forward from one to the next.
        let Ok(whole) = utf8::utf8_of(text) else {
            return Ok(None);
        };
        // An ASCII text (as most are once their quotes and dashes are made plain) is cut where
        // its code points are.
        let ascii = whole.len() == text_length as usize;
        let (mut char_at, mut byte_at) = (0, 0);
        folded.clear();
        for (number, &(low, high)) in windows.iter().enumerate() {
            if number > 0 {
                folded.push(0xFF); // never in UTF-8: no literal spans two stretches
            }
            if low == 0 {
                folded.extend_from_slice(TEXT_START.as_bytes());
            }
            let low = low.min(text_length);
            let high = high.clamp(low, text_length);
            let (start, end) = if ascii {
                (low as usize, high as usize)
            } else {
                let start = utf8::advance(whole.as_bytes(), byte_at, (low - char_at) as usize);
                (
                    start,
                    utf8::advance(whole.as_bytes(), start, (high - low) as usize),
                )
            };
            (char_at, byte_at) = (high, end);
            if !table.fold_into(&whole[start..end], &mut folded) {
                return Ok(None);
            }
            if high >= text_length {
                folded.extend_from_slice(TEXT_END.as_bytes());
            }
        }
        Ok(Some(Stretches::Folded(folded, subset)))
    }

    /// The scanner of the literals that hold one of `put_in` (sorted, distinct code points), made
    /// once; None where none does, or where they are too many for a subset to pay.
    fn subset(&self, put_in: Vec<u32>) -> Option<Arc<Subset>> {
        let mut subsets = self.subsets.lock().ok()?;
        if let Some(known) = subsets.get(&put_in) {
            return known.clone();
        }
        let mut numbers: Vec<usize> = put_in
            .iter()
            .filter_map(|point| self.holders.get(point))
            .flatten()
            .copied()
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        let subset = (!numbers.is_empty() && numbers.len() * SUBSET_MOST_SHARE <= self.count)
            .then(|| {
                let spellings = numbers.iter().map(|&number| self.spellings[number].clone());
                LiteralScanner::of(spellings.collect()).ok()
            })
            .flatten()
            .map(|scanner| Arc::new(Subset { scanner, numbers }));
        if subsets.len() >= SUBSETS_KEPT {
            subsets.clear();
        }
        subsets.insert(put_in, subset.clone());
        subset
    }

    fn present(&self, text: &[u8]) -> Vec<usize> {
        // A bit per literal: a short scan (the stretches around a pass's edits) zeroes little.
        self.present_beyond(text, vec![0u64; self.count.div_ceil(64)], 0)
    }

    /// `present`, where the literals `seen` marks (a bit per literal; `words_seen` of them
    /// words) are known to be in the document already: only the others are reported, and a
    /// prefix all of whose words are known is passed over as soon as it is first found.
    fn present_beyond(&self, text: &[u8], mut seen: Vec<u64>, words_seen: usize) -> Vec<usize> {
        let mut found = Vec::new();
        let by_characters = !self.characters.numbers.is_empty();
        if !self.bytes.is_empty() || by_characters {
            // One pass marks the bytes the text has and notes the characters outside ASCII that
            // are literals; the literals of one byte are looked up after.
            let mut bytes_seen = [false; 256];
            for (position, &byte) in text.iter().enumerate() {
                bytes_seen[byte as usize] = true;
                if byte >= 0xC0 && by_characters {
                    if let Some(number) = self.characters.number_at(text, position) {
                        note(&mut seen, &mut found, number);
                    }
                }
            }
            for &(byte, number) in &self.bytes {
                if bytes_seen[byte as usize] {
                    note(&mut seen, &mut found, number);
                }
            }
        }
        let mut words_left = self.words.len().saturating_sub(words_seen);
        if let (Some(prefixes), true) = (&self.prefixes, words_left > 0) {
            prefixes.each(text, &mut |start, words| {
                let mut spent = true;
                for &word in words {
                    let (bytes, number) = &self.words[word];
                    if is_seen(&seen, *number) {
                        continue;
                    }
                    if text[start..].starts_with(bytes) {
                        note(&mut seen, &mut found, *number);
                        words_left -= 1;
                    } else {
                        spent = false;
                    }
                }
                if words_left == 0 {
                    Heard::Enough
                } else if spent {
                    Heard::Spent
                } else {
                    Heard::More
                }
            });
        }
        found
    }
}

#[pymethods]
impl LiteralScanner {
    /// A scanner of ``literals`` (non-empty, distinct strings).
    #[new]
    fn new(literals: Vec<Bound<'_, PyString>>) -> PyResult<Self> {
        let mut spellings = Vec::with_capacity(literals.len());
        let mut distinct: HashSet<Vec<u8>> = HashSet::with_capacity(literals.len());
        for literal in &literals {
            let raw = utf8(literal)?;
            if raw.is_empty() {
                return Err(PyValueError::new_err("a literal must not be empty"));
            }
            if !distinct.insert(raw.to_vec()) {
                return Err(PyValueError::new_err(format!(
                    "the literal {literal} is given twice"
                )));
            }
            spellings.push((raw.into_owned(), code_points(literal)?));
        }
        LiteralScanner::of(spellings).map_err(PyValueError::new_err)
    }

    /// The numbers of the literals ``text`` contains, each once (see the struct).
    fn scan(&self, py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Vec<usize>> {
        let bytes = utf8(text)?;
        if bytes.len() < 4096 {
            return Ok(self.present(&bytes)); // releasing the interpreter costs more than a short scan
        }
        Ok(py.allow_threads(|| self.present(&bytes)))
    }

    /// What `scan` answers for the case folding of `text` (`cleantext.triggers.fold`), folded
    /// here by the table `set_fold_table` set; None when that table is not set or does not
    /// cover a character of the text (then Python folds it). `ends`: the scan sees `TEXT_START`
    /// before the text and `TEXT_END` after it (the text itself is read as it is, whose UTF-8
    /// Python keeps for the core's next reading of it).
    #[pyo3(signature = (text, ends=false))]
    fn scan_folding(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyString>,
        ends: bool,
    ) -> PyResult<Option<Vec<usize>>> {
        let (Ok(text), Some(table)) = (utf8::utf8_of(text), FOLD_TABLE.get()) else {
            return Ok(None);
        };
        let mut folded = Vec::with_capacity(text.len() + 16);
        if ends {
            folded.extend_from_slice(TEXT_START.as_bytes());
        }
        if !table.fold_into(&text, &mut folded) {
            return Ok(None);
        }
        if ends {
            folded.extend_from_slice(TEXT_END.as_bytes());
        }
        if folded.len() < 4096 {
            return Ok(Some(self.present(&folded)));
        }
        Ok(Some(py.allow_threads(|| self.present(&folded))))
    }

    /// What `Presence.update` counts into the document's `tally` after a pass of `replacements`
    /// (`(start, end, new, ...)`, in the coordinates of the text before it) made `text`: the
    /// literals of the stretches around the edits, folded, as far either side as a literal
    /// holding a character put in reaches (as the longest literal reaches, where text was only
    /// removed), `TEXT_START` and `TEXT_END` at the text's ends; whether one was new. None where
    /// Python must scan (a character the fold table does not cover).
    ///
    /// Where every replacement puts text in, only the literals that hold a character put in are
    /// looked for (a `Subset`, where they are few): any other literal in the stretches lies in
    /// text the edits left as it was, which the presence has counted already.
    /// Nor is a literal the tally has counted already.
    pub(crate) fn scan_edits_into(
        &self,
        text: &Bound<'_, PyString>,
        replacements: &Bound<'_, PyList>,
        tally: &Bound<'_, Tally>,
    ) -> PyResult<Option<bool>> {
        let counts = tally.borrow().literal_count();
        if counts != self.count {
            return Err(PyValueError::new_err(format!(
                "the tally counts {counts} literals, the scanner looks for {}: not the same plan's",
                self.count
            )));
        }
        let Some(stretches) = self.stretches(text, replacements)? else {
            return Ok(None);
        };
        let numbers = match stretches {
            Stretches::Nothing => return Ok(Some(false)),
            Stretches::Folded(folded, None) => {
                let (seen, words_seen) = tally.borrow().seen_among(&self.is_word, None);
                self.present_beyond(&folded, seen, words_seen)
            }
            Stretches::Folded(folded, Some(subset)) => {
                let (seen, words_seen) = tally
                    .borrow()
                    .seen_among(&subset.scanner.is_word, Some(&subset.numbers));
                subset
                    .scanner
                    .present_beyond(&folded, seen, words_seen)
                    .into_iter()
                    .map(|number| subset.numbers[number])
                    .collect()
            }
        };
        tally.borrow_mut().count_numbers(&numbers).map(Some)
    }

    /// How many literals the scanner looks for.
    fn __len__(&self) -> usize {
        self.count
    }
}

/// Python's case folding as `cleantext.triggers.fold` has it, for the first two planes (below U+20000).
pub(crate) struct FoldTable {
    /// Per code point below U+20000: 0 when it folds to itself, else 1 + its image's index.
    images: Vec<u16>,
    strings: Vec<String>,
}

impl FoldTable {
    /// Appends the folding of `text` to `out`; false for a character the table does not cover
    /// (`out` is then as it was).
    pub(crate) fn fold_into(&self, text: &str, out: &mut Vec<u8>) -> bool {
        // The text is copied whole and folded in place: ASCII is lowered eight bytes at a time,
        // in a word, and most other characters (curly quotes, dashes, lower case letters) fold
        // to themselves, or to as many bytes (upper case letters). At the first that folds to
        // more or fewer bytes ("ß" to "ss"), the rest is folded character by character.
        let bytes = text.as_bytes();
        let base = out.len();
        out.extend_from_slice(bytes);
        let folding = &mut out[base..];
        let mut position = 0;
        while position < bytes.len() {
            if let Some(eight) = bytes.get(position..position + 8) {
                let word = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
                if word & patterns::HIGH_BITS == 0 {
                    folding[position..position + 8]
                        .copy_from_slice(&lowered_ascii(word).to_le_bytes());
                    position += 8;
                    continue;
                }
            }
            let byte = bytes[position];
            if byte.is_ascii() {
                folding[position] = byte.to_ascii_lowercase();
                position += 1;
                continue;
            }
            let (point, width) = patterns::code_point_at(bytes, position);
            let Some(&image) = self.images.get(point as usize) else {
                out.truncate(base);
                return false;
            };
            if image != 0 {
                let image = self.strings[image as usize - 1].as_bytes();
                if image.len() != width {
                    out.truncate(base + position);
                    return self.fold_each_into(&text[position..], out) || {
                        out.truncate(base);
                        false
                    };
                }
                folding[position..position + width].copy_from_slice(image);
            }
            position += width;
        }
        true
    }

    /// `fold_into`, a character at a time.
    fn fold_each_into(&self, text: &str, out: &mut Vec<u8>) -> bool {
        let mut buffer = [0u8; 4];
        for character in text.chars() {
            match self.images.get(character as usize) {
                None => return false,
                Some(0) => out.extend_from_slice(
                    character
                        .to_ascii_lowercase()
                        .encode_utf8(&mut buffer)
                        .as_bytes(),
                ),
                Some(&image) => out.extend_from_slice(self.strings[image as usize - 1].as_bytes()),
            }
        }
        true
    }
}

/// Eight ASCII bytes (a word without `patterns::HIGH_BITS`) in ASCII lower case: a byte at
/// least `A` and at most `Z` gains 0x20. Adding to each byte sets its high bit where it reaches
/// a bound, and no sum carries into the next byte (an ASCII byte plus less than 0x80 stays
/// below 0x100).
fn lowered_ascii(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let from_a = word + ONES * (0x80 - u64::from(b'A'));
    let past_z = word + ONES * (0x80 - u64::from(b'Z') - 1);
    word | ((from_a & !past_z & patterns::HIGH_BITS) >> 2)
}

pub(crate) static FOLD_TABLE: std::sync::OnceLock<FoldTable> = std::sync::OnceLock::new();

/// Sets, once per process, how characters below U+20000 fold: `changed` lists each one whose
/// folding is not itself, with its folding; every other one folds to itself. Later calls change nothing.
#[pyfunction]
fn set_fold_table(changed: Vec<(char, String)>) -> PyResult<()> {
    let mut images = vec![0u16; 0x20000];
    let mut strings = Vec::with_capacity(changed.len());
    for (character, image) in changed {
        let point = character as usize;
        if point >= images.len() {
            return Err(PyValueError::new_err(format!(
                "U+{point:04X} is past the table's plane"
            )));
        }
        strings.push(image);
        images[point] = u16::try_from(strings.len())
            .map_err(|_| PyValueError::new_err("too many characters fold to others"))?;
    }
    let _ = FOLD_TABLE.set(FoldTable { images, strings });
    Ok(())
}

/// The replacements that turn an HTML `page` into `extracted` text found in it, as
/// `(start, end, new, kind)` in code points of the page (kind 0: text between located
/// words, 1: markup inside a word, 2: a character reference); None when either text
/// holds a lone surrogate (the Python engine handles those).
///
/// `unescape` decodes a character reference (`html.unescape`); `word_char` says whether
/// a character is a word character to Python's `re` (`\b` after a raw-text tag name).
#[pyfunction]
fn locate(
    page: &Bound<'_, PyString>,
    extracted: &Bound<'_, PyString>,
    unescape: &Bound<'_, PyAny>,
    word_char: &Bound<'_, PyAny>,
) -> PyResult<Option<Vec<html::Replacement>>> {
    let (Ok(page), Ok(extracted)) = (page.to_str(), extracted.to_str()) else {
        return Ok(None);
    };
    let page: Vec<char> = page.chars().collect();
    let extracted: Vec<char> = extracted.chars().collect();
    html::locate(&page, &extracted, unescape, word_char).map(Some)
}

/// Whether Python's `str.isspace` holds for `character` (tests hold the table to Python's).
#[pyfunction]
fn python_space(character: char) -> bool {
    html::python_space(character)
}

/// How many words `text` has as the core counts them, up to one past `most` (tests hold it
/// to `len(text.split())`).
#[pyfunction]
#[pyo3(signature = (text, most=usize::MAX))]
fn word_count(text: &str, most: usize) -> usize {
    patterns::words_in(text, most)
}

/// The native core's version, which `cleantext config` reports.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    // SAFETY: sets one of mimalloc's options, which it reads as it frees; no memory is touched.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    module.add_class::<LiteralScanner>()?;
    module.add_class::<patterns::Pattern>()?;
    module.add_class::<patterns::CharMap>()?;
    module.add_class::<patterns::Text>()?;
    module.add_class::<patterns::PatternSet>()?;
    module.add_class::<tally::ClauseTable>()?;
    module.add_class::<screen::Screen>()?;
    module.add_class::<tally::Tally>()?;
    module.add_class::<offtopic::TopicWords>()?;
    module.add_class::<run::Run>()?;
    module.add_class::<run::Stages>()?;
    module.add_class::<edits::EditLog>()?;
    module.add_class::<spellings::Spellings>()?;
    module.add_function(wrap_pyfunction!(patterns::set_reading_tables, module)?)?;
    module.add_function(wrap_pyfunction!(patterns::crate_class_ranges, module)?)?;
    module.add_function(wrap_pyfunction!(patterns::block_spans, module)?)?;
    module.add_function(wrap_pyfunction!(screen::quiet, module)?)?;
    module.add_function(wrap_pyfunction!(offtopic::offtopic_removals, module)?)?;
    module.add_function(wrap_pyfunction!(repeats::repeat_removals, module)?)?;
    module.add_function(wrap_pyfunction!(set_fold_table, module)?)?;
    module.add_function(wrap_pyfunction!(version, module)?)?;
    module.add_function(wrap_pyfunction!(locate, module)?)?;
    module.add_function(wrap_pyfunction!(python_space, module)?)?;
    module.add_function(wrap_pyfunction!(word_count, module)?)?;
    module.add_function(wrap_pyfunction!(utf8::core_utf8, module)?)?;
    module.add("OFFTOPIC_LIMITS", patterns::OFFTOPIC_LIMITS)?;
    module.add("OFFTOPIC_CONTEXT", offtopic::OFFTOPIC_CONTEXT)?;
    module.add("OFFTOPIC_JUDGING", offtopic::OFFTOPIC_JUDGING)?;
    module.add("FUNCTION_WORDS", offtopic::FUNCTION_WORDS.to_vec())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_of_ascii_is_lowered_as_each_of_its_bytes_is() {
        for byte in 0u8..0x80 {
            for lane in 0..8 {
                let mut bytes = *b"aZ@[`{0~";
                bytes[lane] = byte;
                let lowered = lowered_ascii(u64::from_le_bytes(bytes)).to_le_bytes();
                assert_eq!(lowered, bytes.map(|each| each.to_ascii_lowercase()));
            }
        }
    }

    #[test]
    fn a_scan_beyond_known_literals_reports_only_the_others() {
        let literals = ["by", "by the", ",", "\u{e9}", "editor"];
        let spellings = literals
            .iter()
            .map(|literal| {
                (
                    literal.as_bytes().to_vec(),
                    literal.chars().map(u32::from).collect(),
                )
            })
            .collect();
        let scanner = LiteralScanner::of(spellings).unwrap();
        let text = "by the editor, caf\u{e9}".as_bytes();
        let mut everything = scanner.present(text);
        everything.sort_unstable();
        assert_eq!(everything, [0, 1, 2, 3, 4]);
        // "by" and "," known (one word among them): the others only.
        let known = vec![0b101u64];
        let mut beyond = scanner.present_beyond(text, known, 1);
        beyond.sort_unstable();
        assert_eq!(beyond, [1, 3, 4]);
        // Every word known: the prefixes are not walked, the one-character literals still looked for.
        let mut characters = scanner.present_beyond(text, vec![0b10011u64], 3);
        characters.sort_unstable();
        assert_eq!(characters, [2, 3]);
    }
}
