//! Locating extracted text in its HTML page: the native twin of `cleantext.extract`'s
//! `visible_text` and `locate_text`, which stay the reference (`tests/test_native.py`).
//!
//! Offsets are code points throughout (the page is held as a vector of chars), as
//! the provenance contract states. Where Python's `re` semantics decide what a token
//! is (case-insensitive ASCII letters, `\s`, `\b`), the same decisions are made here;
//! `html.unescape` and `str.isalnum` are called back in Python where they are needed.

use std::collections::HashMap;

use pyo3::prelude::*;

/// What a replacement is, for the caller's rule: text between located words (markup
/// or unlocated words, decided by the caller), markup inside a word, or a reference.
pub const GAP: u8 = 0;
pub const MARKUP: u8 = 1;
pub const ENTITY: u8 = 2;

const RAW_TAGS: [&str; 6] = [
    "script", "style", "noscript", "template", "textarea", "title",
];
const INLINE_TAGS: [&str; 27] = [
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "tt", "u", "var",
    "wbr",
];
const ANCHOR: usize = 3;
const CANDIDATES: usize = 64;

/// Whether Python's `str.isspace` (and `re`'s `\s`) holds for `c`.
pub fn python_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// The ASCII letter `c` matches in a case-insensitive `re` class or literal, if any
/// (U+017F, U+212A, U+0131 and U+0130 match s, k, i and i).
fn letter_fold(c: char) -> Option<char> {
    match c {
        'a'..='z' => Some(c),
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        '\u{17f}' => Some('s'),
        '\u{212a}' => Some('k'),
        '\u{131}' | '\u{130}' => Some('i'),
        _ => None,
    }
}

/// The simple lower case `re` compares a case-insensitive backreference by.
fn backref_lower(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        '\u{212a}' => 'k',
        '\u{130}' => 'i',
        _ => c,
    }
}

fn is_letter(c: char, ignore_case: bool) -> bool {
    if ignore_case {
        letter_fold(c).is_some()
    } else {
        c.is_ascii_alphabetic()
    }
}

fn is_alnum(c: char, ignore_case: bool) -> bool {
    c.is_ascii_digit() || is_letter(c, ignore_case)
}

fn find(page: &[char], from: usize, to: usize, needle: &[char]) -> Option<usize> {
    if needle.len() > to.saturating_sub(from) {
        return None;
    }
    (from..=to - needle.len()).find(|&at| page[at..at + needle.len()] == *needle)
}

fn find_char(page: &[char], from: usize, to: usize, wanted: char) -> Option<usize> {
    page[from..to]
        .iter()
        .position(|&c| c == wanted)
        .map(|at| from + at)
}

/// The visible text of a page and, for every run of it, where it came from.
struct Visible {
    text: Vec<char>,
    starts: Vec<usize>,
    plain: Vec<usize>,
    lengths: Vec<usize>,
    entity: Vec<bool>,
}

impl Visible {
    fn add(&mut self, text: &[char], start: usize, length: usize, is_entity: bool) {
        self.starts.push(start);
        self.plain.push(self.text.len());
        self.lengths.push(length);
        self.entity.push(is_entity);
        self.text.extend_from_slice(text);
    }

    fn run_at(&self, offset: usize) -> usize {
        self.plain.partition_point(|&p| p <= offset) - 1
    }

    fn source(&self, offset: usize, first: bool) -> usize {
        let run = self.run_at(offset);
        if self.entity[run] {
            return if first {
                self.starts[run]
            } else {
                self.starts[run] + self.lengths[run]
            };
        }
        self.starts[run] + offset - self.plain[run] + usize::from(!first)
    }

    fn source_span(&self, start: usize, end: usize) -> (usize, usize) {
        (self.source(start, true), self.source(end - 1, false))
    }
}

/// The end of the character reference at `at` (a "&"), if one starts there.
fn entity_end(page: &[char], at: usize, to: usize, ignore_case: bool) -> Option<usize> {
    let mut i = at + 1;
    let peek = |i: usize| if i < to { Some(page[i]) } else { None };
    if peek(i) == Some('#') {
        i += 1;
        let digits = (i..to.min(i + 7))
            .take_while(|&j| page[j].is_ascii_digit())
            .count();
        if digits > 0 {
            i += digits;
        } else if matches!(peek(i), Some('x') | Some('X')) {
            let hex = (i + 1..to.min(i + 7))
                .take_while(|&j| page[j].is_ascii_hexdigit())
                .count();
            if hex == 0 {
                return None;
            }
            i += 1 + hex;
        } else {
            return None;
        }
    } else if peek(i).is_some_and(|c| is_letter(c, ignore_case)) {
        let rest = (i + 1..to.min(i + 32))
            .take_while(|&j| is_alnum(page[j], ignore_case))
            .count();
        if rest == 0 {
            return None;
        }
        i += 1 + rest;
    } else {
        return None;
    }
    if peek(i) == Some(';') {
        i += 1;
    }
    Some(i)
}

/// The end of a raw-text element (script, style, ...) opening at `at`, if one does.
fn raw_end(
    page: &[char],
    at: usize,
    to: usize,
    word_char: &Bound<'_, PyAny>,
) -> PyResult<Option<usize>> {
    for name in RAW_TAGS {
        let name = name.as_bytes(); // ASCII letters: one byte, one char
        let after = at + 1 + name.len();
        if after > to
            || !(0..name.len()).all(|k| letter_fold(page[at + 1 + k]) == Some(char::from(name[k])))
        {
            continue;
        }
        // \b: the name may not go on with a word character.
        if after < to && word_char.call1((page[after].to_string(),))?.is_truthy()? {
            continue;
        }
        let Some(close) = find_char(page, after, to, '>') else {
            continue;
        };
        let group = &page[at + 1..after];
        let mut i = close + 1;
        while let Some(lt) = find(page, i, to, &['<', '/']) {
            let mut j = lt + 2;
            if j + group.len() <= to
                && (0..group.len()).all(|k| backref_lower(page[j + k]) == backref_lower(group[k]))
            {
                j += group.len();
                while j < to && python_space(page[j]) {
                    j += 1;
                }
                if j < to && page[j] == '>' {
                    return Ok(Some(j + 1));
                }
            }
            i = lt + 1;
        }
        return Ok(Some(to));
    }
    Ok(None)
}

/// The end of a tag at `at` (`<[!?/]?[A-Za-z][^>]*>`), if one starts there.
fn tag_end(page: &[char], at: usize, to: usize) -> Option<usize> {
    let mut i = at + 1;
    if i < to && matches!(page[i], '!' | '?' | '/') {
        i += 1;
    }
    if i >= to || letter_fold(page[i]).is_none() {
        return None;
    }
    find_char(page, i + 1, to, '>').map(|gt| gt + 1)
}

/// Whether a tag token (`<...>`) is an inline element: one that does not break a word.
fn inline_tag(token: &[char]) -> bool {
    let mut i = 1;
    if token.get(i) == Some(&'/') {
        i += 1;
    }
    if !token.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let length = token[i..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    let name: String = token[i..i + length]
        .iter()
        .map(|c| c.to_ascii_lowercase())
        .collect();
    INLINE_TAGS.contains(&name.as_str())
}

fn visible_text(
    page: &[char],
    unescape: &Bound<'_, PyAny>,
    word_char: &Bound<'_, PyAny>,
) -> PyResult<Visible> {
    let mut visible = Visible {
        text: Vec::new(),
        starts: Vec::new(),
        plain: Vec::new(),
        lengths: Vec::new(),
        entity: Vec::new(),
    };
    let tags_end = page.iter().rposition(|&c| c == '>').map_or(0, |at| at + 1);
    let space = [' '];
    let mut i = 0;
    while i < page.len() {
        let head = i < tags_end;
        let to = if head { tags_end } else { page.len() };
        let c = page[i];
        if head && c == '<' {
            let end = if page[i..to].starts_with(&['<', '!', '-', '-']) {
                Some(find(page, i + 4, to, &['-', '-', '>']).map_or(to, |at| at + 3))
            } else {
                raw_end(page, i, to, word_char)?
            };
            if let Some(end) = end {
                visible.add(&space, i, end - i, true); // a comment or a script: not visible
                i = end;
            } else if let Some(end) = tag_end(page, i, to) {
                if !inline_tag(&page[i..end]) {
                    visible.add(&space, i, end - i, true);
                }
                i = end;
            } else {
                visible.add(&page[i..i + 1], i, 1, false);
                i += 1;
            }
        } else if c == '&' {
            match entity_end(page, i, to, head) {
                Some(end) => {
                    let token: String = page[i..end].iter().collect();
                    let chars: String = unescape.call1((token.as_str(),))?.extract()?;
                    let decoded: Vec<char> = chars.chars().collect();
                    visible.add(&decoded, i, end - i, chars != token);
                    i = end;
                }
                None => {
                    visible.add(&page[i..i + 1], i, 1, false);
                    i += 1;
                }
            }
        } else {
            let stop = (i + 1..to)
                .find(|&j| page[j] == '&' || (head && page[j] == '<'))
                .unwrap_or(to);
            visible.add(&page[i..stop], i, stop - i, false);
            i = stop;
        }
    }
    Ok(visible)
}

fn words(text: &[char]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if python_space(text[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && !python_space(text[i]) {
            i += 1;
        }
        spans.push((start, i));
    }
    spans
}

pub type Replacement = (usize, usize, String, u8);

/// The replacements that turn `page` into `extracted`, in page coordinates, in order.
pub fn locate(
    page: &[char],
    extracted: &[char],
    unescape: &Bound<'_, PyAny>,
    word_char: &Bound<'_, PyAny>,
) -> PyResult<Vec<Replacement>> {
    let visible = visible_text(page, unescape, word_char)?;
    let visible_words = words(&visible.text);
    let visible_tokens: Vec<&[char]> = visible_words
        .iter()
        .map(|&(s, e)| &visible.text[s..e])
        .collect();
    let mut places: HashMap<&[char], Vec<usize>> = HashMap::new();
    for (index, token) in visible_tokens.iter().enumerate() {
        places.entry(token).or_default().push(index);
    }
    let extracted_words = words(extracted);
    let tokens: Vec<&[char]> = extracted_words
        .iter()
        .map(|&(s, e)| &extracted[s..e])
        .collect();

    let mut replacements: Vec<Replacement> = Vec::new();
    let mut source_end = 0;
    let mut extracted_end = 0;
    let mut cursor = 0;
    for (index, &(start, end)) in extracted_words.iter().enumerate() {
        let word = tokens[index];
        let found = if cursor < visible_tokens.len() && visible_tokens[cursor] == word {
            Some(cursor)
        } else {
            places.get(word).and_then(|positions| {
                let first = positions.partition_point(|&p| p < cursor);
                let anchor = &tokens[index..(index + ANCHOR).min(tokens.len())];
                positions[first..(first + CANDIDATES).min(positions.len())]
                    .iter()
                    .copied()
                    .find(|&position| {
                        position + anchor.len() <= visible_tokens.len()
                            && visible_tokens[position..position + anchor.len()] == *anchor
                    })
            })
        };
        let Some(found) = found else { continue };
        cursor = found + 1;
        let (vis_start, vis_end) = visible_words[found];
        let (src_start, src_end) = visible.source_span(vis_start, vis_end);
        gap(
            page,
            (source_end, src_start),
            &extracted[extracted_end..start],
            &mut replacements,
        );
        inside_word(&visible, vis_start, vis_end, &mut replacements);
        source_end = src_end;
        extracted_end = end;
    }
    gap(
        page,
        (source_end, page.len()),
        &extracted[extracted_end..],
        &mut replacements,
    );
    Ok(replacements)
}

/// The replacement of the HTML `page[span]` between two located words by the text between
/// them, `between`; none where the HTML is that text already (most spaces between words).
fn gap(page: &[char], span: (usize, usize), between: &[char], out: &mut Vec<Replacement>) {
    if page[span.0..span.1] != *between {
        out.push((span.0, span.1, between.iter().collect(), GAP));
    }
}

fn inside_word(visible: &Visible, start: usize, end: usize, out: &mut Vec<Replacement>) {
    let mut previous_end: Option<usize> = None;
    let count = visible.plain.len();
    let mut run = visible.run_at(start);
    while run < count && visible.plain[run] < end {
        let vis_start = visible.plain[run];
        let size = if run + 1 < count {
            visible.plain[run + 1]
        } else {
            visible.text.len()
        } - vis_start;
        let (src_start, length) = (visible.starts[run], visible.lengths[run]);
        if let Some(previous) = previous_end {
            if src_start > previous {
                out.push((previous, src_start, String::new(), MARKUP));
            }
        }
        if visible.entity[run] {
            out.push((
                src_start,
                src_start + length,
                visible.text[vis_start..vis_start + size].iter().collect(),
                ENTITY,
            ));
            previous_end = Some(src_start + length);
        } else {
            previous_end = Some(src_start + end.min(vis_start + size) - vis_start);
        }
        run += 1;
    }
}
