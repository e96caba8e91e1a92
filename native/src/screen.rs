//! The screen: one call per text that tells which of a pass's selected steps surely find nothing.
//!
//! The plan's triggers (see `cleantext/plan.py`) select the steps whose literals a
//! document holds; most of those then find nothing, and asking each one from Python
//! costs more than the core's search itself. The screen runs the searches of every
//! selected step the core can answer for in one call, and names those that find
//! nothing in the text. Its answer errs in one direction only: a step it names finds
//! nothing; a step it does not name may still find nothing (the Python step decides, as
//! without the screen).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use std::collections::{HashMap, HashSet};
use std::hash::Hasher;
use std::sync::{Arc, Mutex};

use crate::automaton::Matches;
use crate::fast_hash::{FastHasher, FastMap};
use crate::patterns::{
    ascii_word_byte, within, word_character, BlockRange, CharMap, LineJudging, Pattern, PatternSet,
    Text,
};
use crate::{FoldTable, FOLD_TABLE};

/// A step's check, as Python gives it: `(kind, pattern or map, min_words, max_words,
/// skip_table_rows, regions)`, kind `text` (a pattern over the text: an inline rule's, a
/// repair rule's gate, a prefilter), `lines` (a line rule's pattern over the lines it
/// judges), `blocks` (a block rule's over the blocks it judges, by their least and most
/// words, 0: any), `characters` (a character map's characters), `repeats` (a block of at most
/// `max_words` characters that holds the same words, at least `min_words` of them, as an earlier
/// one in the regions; no pattern), `repair` (a repair rule's gate and ftfy's test for mojibake:
/// a line the gate finds something in, where the test does too) or `offtopic` (a block an
/// off-topic rule judges, of at most `max_words` words, that its shape pattern matches);
/// `regions`: the rule's `(head, first, last)` block ranges (`rules.Where`), none: anywhere.
type Check<'py> = (
    Bound<'py, PyString>,
    Bound<'py, PyAny>,
    usize,
    usize,
    bool,
    Vec<(bool, usize, usize)>,
);

/// What a check searches with (see `Check`).
enum Form {
    Pattern(Py<Pattern>),
    Map(Py<CharMap>),
    /// A repair rule's gate and ftfy's test for mojibake.
    GateAndTest(Py<Pattern>, Py<Pattern>),
    None,
}

/// The kinds of check (see `Check`), the cheapest to ask first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Characters,
    Text,
    Repair,
    Lines,
    Blocks,
    Repeats,
    Offtopic,
}

/// A step's check as the core reads it: read once from its tuple (`Parsed::of`).
struct Parsed {
    kind: Kind,
    form: Form,
    min_words: usize,
    max_words: usize,
    skip_table_rows: bool,
    parts: Vec<(bool, usize, usize)>,
}

impl Parsed {
    fn of(check: &Bound<'_, PyAny>) -> PyResult<Self> {
        let (kind, form, min_words, max_words, skip_table_rows, parts): Check<'_> =
            check.extract()?;
        let pattern = |form: &Bound<'_, PyAny>| -> PyResult<Py<Pattern>> {
            Ok(form.downcast::<Pattern>()?.clone().unbind())
        };
        let (kind, form) = match kind.to_str()? {
            "text" => (Kind::Text, Form::Pattern(pattern(&form)?)),
            "lines" => (Kind::Lines, Form::Pattern(pattern(&form)?)),
            "blocks" => (Kind::Blocks, Form::Pattern(pattern(&form)?)),
            "offtopic" => (Kind::Offtopic, Form::Pattern(pattern(&form)?)),
            "characters" => (
                Kind::Characters,
                Form::Map(form.downcast::<CharMap>()?.clone().unbind()),
            ),
            "repeats" => (Kind::Repeats, Form::None),
            "repair" => {
                let (gate, test): (Bound<'_, PyAny>, Bound<'_, PyAny>) = form.extract()?;
                (
                    Kind::Repair,
                    Form::GateAndTest(pattern(&gate)?, pattern(&test)?),
                )
            }
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown kind of check {other:?}"
                )))
            }
        };
        Ok(Parsed {
            kind,
            form,
            min_words,
            max_words,
            skip_table_rows,
            parts,
        })
    }

    /// The pattern of a check over the whole text (of kind `text`, without regions).
    fn whole_text_pattern(&self) -> Option<&Py<Pattern>> {
        match (&self.form, self.kind) {
            (Form::Pattern(pattern), Kind::Text) if self.parts.is_empty() => Some(pattern),
            _ => None,
        }
    }
}

/// The literals of a selected entry, as `&str` (they are a tuple of `str`).
fn literals_of<'a>(literals: &'a [Bound<'_, PyString>]) -> PyResult<Vec<&'a str>> {
    literals.iter().map(|literal| literal.to_str()).collect()
}

/// The spans, in code points, of the `parts` of a text (see `rules.Where.regions`, which this
/// follows for a text that is no window of a longer one: the regions of a window lie within).
pub(crate) fn regions(
    py: Python<'_>,
    text: &Text,
    parts: &[(bool, usize, usize)],
) -> Vec<(usize, usize)> {
    if parts.is_empty() {
        return vec![(0, text.length())]; // anywhere: the blocks are not needed
    }
    let blocks = text.blocks(py);
    if blocks.is_empty() {
        return vec![(0, text.length())];
    }
    let count = blocks.len();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for &(head, first, last) in parts {
        if first > count {
            continue;
        }
        let last = last.min(count);
        spans.push(if head {
            let start = if first == 1 {
                0
            } else {
                blocks[first - 1].start
            };
            (start, blocks[last - 1].end)
        } else {
            let end = if first == 1 {
                text.length()
            } else {
                blocks[count - first].end
            };
            (blocks[count - last].start, end)
        });
    }
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Whether a block of at most `longest` characters of `text` (`plain`) may repeat an earlier one
/// within the `regions` (code points), as `strip.find_repeats` compares them: by the words
/// (`\\w+`) of the casefolded block, at least `min_words` of them (and one). Blocks with the same
/// words have the same word characters, casefolded, in the same order: the blocks are told apart
/// by their first `REPEAT_PREFIX` such characters, and only those that share them, by all of them
/// (by their hashes). Only a block whose first word character is that of a block within the
/// regions can repeat one: the others are not read past their first word character.
fn may_repeat(
    py: Python<'_>,
    text: &Text,
    plain: &str,
    longest: usize,
    regions: &[(usize, usize)],
    min_words: usize,
) -> bool {
    let Some(table) = FOLD_TABLE.get() else {
        return true;
    };
    let blocks: Vec<&BlockRange> = text
        .blocks(py)
        .iter()
        .filter(|block| block.end - block.start <= longest)
        .collect();
    let block_text = |block: &BlockRange| &plain[block.byte_start..block.byte_end];
    // The hashes of the first word character of the blocks a later one may repeat.
    let mut firsts: Vec<u64> = Vec::new();
    for block in blocks.iter().filter(|block| within(regions, block)) {
        match word_hash(table, block_text(block), 1) {
            None => return true,
            Some(None) => {}
            Some(Some((first, _))) => firsts.push(first),
        }
    }
    if firsts.is_empty() {
        return false;
    }
    // The first block with each prefix.
    let mut by_prefix: HashMap<u64, usize> = HashMap::with_capacity(blocks.len());
    let mut shared: Vec<usize> = Vec::new(); // blocks whose prefix another block has
    for (index, block) in blocks.iter().enumerate() {
        match word_hash(table, block_text(block), 1) {
            None => return true,
            Some(Some((first, _))) if firsts.contains(&first) => {}
            Some(_) => continue, // no word character, or not the first one of any original
        }
        match word_hash(table, block_text(block), REPEAT_PREFIX) {
            None => return true, // a character the tables do not cover: Python compares
            Some(None) => {}
            Some(Some((prefix, _))) => {
                if let Some(&first) = by_prefix.get(&prefix) {
                    shared.extend([first, index]);
                } else {
                    by_prefix.insert(prefix, index);
                }
            }
        }
    }
    shared.sort_unstable();
    shared.dedup();
    // In order, as the rule takes them: a block repeats an earlier original of the same words.
    let mut originals = HashSet::new();
    for index in shared {
        match word_hash(table, block_text(blocks[index]), usize::MAX) {
            None => return true,
            Some(Some((whole, words))) if words >= min_words.max(1) => {
                if originals.contains(&whole) {
                    return true;
                }
                if within(regions, blocks[index]) {
                    originals.insert(whole);
                }
            }
            Some(_) => {} // too few words to be compared
        }
    }
    false
}

/// How many word characters of a block tell it from the others before all of them are hashed.
const REPEAT_PREFIX: usize = 24;

/// The hash of the first `most` word characters of `block` casefolded (`triggers.fold`, which
/// casefolding's equal strings are equal under), with how many words (runs of word characters)
/// they make: Some(None) when it has none, None when a character is past the tables.
fn word_hash(table: &FoldTable, block: &str, most: usize) -> Option<Option<(u64, usize)>> {
    // FxHash's step per word character (a block's fingerprint; the maps it goes into hash it again).
    let mut hash = FastHasher::default();
    let mut count = 0;
    let mut words = 0;
    let mut in_word = false;
    // The ASCII characters up to the first other one, a byte at a time (the block is read no
    // further than its first `most` word characters): an ASCII character folds to its lower
    // case, and is a word character where it is a letter, a digit or "_".
    let bytes = block.as_bytes();
    let mut ascii_end = 0;
    while ascii_end < bytes.len() && count < most && bytes[ascii_end] < 0x80 {
        let folded = bytes[ascii_end].to_ascii_lowercase();
        let is_word = ascii_word_byte(folded);
        if is_word {
            hash.write_u32(u32::from(folded));
            count += 1;
            words += usize::from(!in_word);
        }
        in_word = is_word;
        ascii_end += 1;
    }
    if count >= most || ascii_end == bytes.len() {
        return Some((count > 0).then_some((hash.finish(), words)));
    }
    let mut folded = Vec::with_capacity(8);
    // The rest from the first character outside ASCII (where the loop stopped: a character starts there).
    for character in block[ascii_end..].chars() {
        let mut push = |folded_character: char| -> Option<()> {
            // Exactly the first `most`: a character may fold to two ("ß" to "ss").
            let word_character = word_character(folded_character)?;
            if word_character && count < most {
                hash.write_u32(u32::from(folded_character));
                count += 1;
                words += usize::from(!in_word);
            }
            in_word = word_character;
            Some(())
        };
        if character.is_ascii() {
            push(character.to_ascii_lowercase())?;
        } else {
            folded.clear();
            let mut buffer = [0u8; 4];
            if !table.fold_into(character.encode_utf8(&mut buffer), &mut folded) {
                return None;
            }
            for folded_character in std::str::from_utf8(&folded).ok()?.chars() {
                push(folded_character)?;
            }
        }
        if count >= most {
            break;
        }
    }
    Some((count > 0).then_some((hash.finish(), words)))
}

/// The positions in `asked`, each `(check, literals)`, of the checks that find nothing in
/// `text`. `literals` (casefolded): what a line or block must hold to be searched, as the
/// step's finder is told; empty: any. `together`: whole-text patterns to search in one pass
/// (those of the checks over the whole text that are its members).
#[pyfunction]
#[pyo3(signature = (text, asked, together=None))]
pub fn quiet(
    py: Python<'_>,
    text: &Text,
    asked: Vec<(Bound<'_, PyAny>, Vec<Bound<'_, PyString>>)>,
    together: Option<&PatternSet>,
) -> PyResult<Vec<usize>> {
    let parsed = asked
        .iter()
        .map(|(check, _)| Parsed::of(check))
        .collect::<PyResult<Vec<_>>>()?;
    let literals = asked
        .iter()
        .map(|(_, literals)| literals_of(literals))
        .collect::<PyResult<Vec<_>>>()?;
    let asked: Vec<(&Parsed, &[&str])> = parsed
        .iter()
        .zip(&literals)
        .map(|(check, literals)| (check, literals.as_slice()))
        .collect();
    Ok(found_nothing(py, text, &asked, together))
}

/// `quiet` of checks the core has read.
fn found_nothing(
    py: Python<'_>,
    text: &Text,
    asked: &[(&Parsed, &[&str])],
    together: Option<&PatternSet>,
) -> Vec<usize> {
    let Some(plain) = text.readable_str(py) else {
        return Vec::new(); // Python searches this text: every step may find something
    };
    let mut matches: Option<Matches> = None; // the set's one pass, made when first asked
    asked
        .iter()
        .enumerate()
        .filter(|(_, &(check, literals))| {
            !may_find(py, text, plain, check, literals, together, &mut matches)
        })
        .map(|(position, _)| position)
        .collect()
}

/// Whether a check may find something in `text` (`plain`, read): false only where it surely
/// finds nothing (see `quiet`).
fn may_find(
    py: Python<'_>,
    text: &Text,
    plain: &str,
    check: &Parsed,
    literals: &[&str],
    together: Option<&PatternSet>,
    matches: &mut Option<Matches>,
) -> bool {
    let parts = &check.parts;
    match (&check.form, check.kind) {
        (Form::Pattern(pattern), Kind::Text) => {
            let pattern = pattern.get();
            let member = together
                .filter(|_| parts.is_empty() && pattern.reads_text(text))
                .and_then(|set| Some((set, set.member(pattern)?)));
            match member {
                // No match of the set's pattern: none of this one. A match: this one's
                // own, or where this one may match, which its own search then tells.
                Some((set, (number, exact))) => {
                    set.matched(plain, matches, number)
                        && (exact || pattern.may_find_in(py, text, 0, text.length()))
                }
                // The core searches a region that ends before the text's end only for a
                // pattern without look-arounds (see `Pattern::whole_text`).
                None => regions(py, text, parts)
                    .into_iter()
                    .any(|(low, high)| pattern.may_find_in(py, text, low, high)),
            }
        }
        (Form::Pattern(pattern), Kind::Lines) => {
            let judged = LineJudging {
                min_words: check.min_words,
                max_words: check.max_words,
                skip_table_rows: check.skip_table_rows,
            };
            regions(py, text, parts).into_iter().any(|(low, high)| {
                pattern
                    .get()
                    .line_matches(py, text, low, high, &judged, literals, true)
                    .is_none_or(|found| !found.is_empty())
            })
        }
        (Form::Pattern(pattern), Kind::Blocks) => pattern.get().may_find_in_blocks(
            py,
            text,
            &regions(py, text, parts),
            check.min_words,
            check.max_words,
            literals,
        ),
        (Form::Map(map), _) => map.get().holds_any(plain),
        (Form::None, Kind::Repeats) => may_repeat(
            py,
            text,
            plain,
            check.max_words,
            &regions(py, text, parts),
            check.min_words,
        ),
        (Form::GateAndTest(gate, test), _) => regions(py, text, parts)
            .into_iter()
            .any(|(low, high)| gate.get().may_repair_in(py, text, low, high, test.get())),
        (Form::Pattern(pattern), Kind::Offtopic) => pattern.get().may_find_offtopic(
            py,
            text,
            &regions(py, text, parts),
            check.min_words,
            check.max_words,
        ),
        _ => true,
    }
}

/// At most this many sets of whole-text checks (one per combination a screen asks) are kept
/// by a plan's screen.
const SETS_KEPT: usize = 64;

/// The screen of one plan (`Plan.screen` where the document's presence remembers nothing): a
/// selection's checks gathered, the set of its whole-text checks chosen and its answer applied,
/// in one call; and the sets of whole-text checks, made once per combination asked (also for
/// `Plan.screen`'s own loop, where the presence remembers), as a set's pass costs more the more
/// patterns it holds. The checks are the plan's own, by the identity of their step (`Plan._checks`),
/// made (`Step.screen_check`) and kept there as a step is first asked, and read by the core once.
#[pyclass(frozen, module = "cleantext._native")]
pub struct Screen {
    checks: Py<PyDict>,
    /// The checks as the core reads them, by the identity of their step (None: the step has none).
    parsed: Mutex<FastMap<usize, Option<Arc<Parsed>>>>,
    /// By the addresses of their patterns, sorted: the sets asked so far (None: too large).
    sets: Mutex<HashMap<Vec<usize>, Option<Py<PatternSet>>>>,
}

/// A selected step's check as the core reads it, with the literals the step was selected by
/// and its position in the selection.
type Asked<'py> = (Arc<Parsed>, Vec<Bound<'py, PyString>>, usize);

#[pymethods]
impl Screen {
    #[new]
    fn new(checks: Py<PyDict>) -> Self {
        Screen {
            checks,
            parsed: Mutex::new(FastMap::default()),
            sets: Mutex::new(HashMap::new()),
        }
    }

    /// The set of these whole-text check forms (`pattern_set`), made once per combination; None
    /// where it would be too large (each is then searched alone).
    pub(crate) fn together(
        &self,
        py: Python<'_>,
        forms: Vec<Bound<'_, Pattern>>,
    ) -> PyResult<Option<Py<PatternSet>>> {
        let mut key: Vec<usize> = forms.iter().map(|form| form.as_ptr() as usize).collect();
        key.sort_unstable();
        let mut sets = self
            .sets
            .lock()
            .map_err(|_| PyValueError::new_err("a screen's sets were poisoned"))?;
        if let Some(set) = sets.get(&key) {
            return Ok(set.as_ref().map(|set| set.clone_ref(py)));
        }
        if sets.len() >= SETS_KEPT {
            sets.clear();
        }
        let set = match PatternSet::new(forms) {
            Ok(set) => Some(Py::new(py, set)?),
            Err(_) => None, // too large: each is searched alone
        };
        sets.insert(key, set.as_ref().map(|set| set.clone_ref(py)));
        Ok(set)
    }

    /// The entries of `selected` (`(index, step, literals)`, as `Presence.select` gives them)
    /// less those whose check finds nothing in `text`: `selected` itself where none does.
    fn kept<'py>(
        &self,
        py: Python<'py>,
        text: &Text,
        selected: Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyList>> {
        let (asked, _) = self.checks_of(py, &selected, false)?;
        if asked.is_empty() {
            return Ok(selected);
        }
        let forms: Vec<Bound<'py, Pattern>> = asked
            .iter()
            .filter_map(|(check, _, _)| check.whole_text_pattern())
            .map(|pattern| pattern.bind(py).clone())
            .collect();
        let together = if forms.len() > 1 {
            self.together(py, forms)?
        } else {
            None
        };
        let literals = asked
            .iter()
            .map(|(_, literals, _)| literals_of(literals))
            .collect::<PyResult<Vec<_>>>()?;
        let checks: Vec<(&Parsed, &[&str])> = asked
            .iter()
            .zip(&literals)
            .map(|((check, _, _), literals)| (check.as_ref(), literals.as_slice()))
            .collect();
        let nothing = found_nothing(py, text, &checks, together.as_ref().map(|set| set.get()));
        if nothing.is_empty() {
            return Ok(selected);
        }
        let mut dropped = vec![false; selected.len()];
        for number in nothing {
            dropped[asked[number].2] = true;
        }
        let kept: Vec<Bound<'py, PyAny>> = selected
            .iter()
            .zip(dropped)
            .filter(|(_, dropped)| !dropped)
            .map(|(entry, _)| entry)
            .collect();
        PyList::new(py, kept)
    }

    /// Whether the screen keeps any entry of `selected` (as `kept` takes them): whether a step
    /// may change `text`. It stops at the first step without a check, or whose check may find
    /// something, asking the checks that read least of a text first; `kept` asks them all.
    fn finds_any(
        &self,
        py: Python<'_>,
        text: &Text,
        selected: Bound<'_, PyList>,
    ) -> PyResult<bool> {
        let (mut asked, unchecked) = self.checks_of(py, &selected, true)?;
        if unchecked {
            return Ok(true);
        }
        asked.sort_by_key(|(check, _, _)| check.kind);
        for (check, literals, _) in &asked {
            let literals = literals_of(literals)?;
            if found_nothing(py, text, &[(check.as_ref(), literals.as_slice())], None).is_empty() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl Screen {
    /// Whether the check of `step` may find something in `text`, where a line or block must
    /// hold one of `literals` (`kept` of that step alone; a run's screen of a step Python
    /// evaluates); None: the step has no check (it is evaluated whatever the text).
    pub(crate) fn may_find_for(
        &self,
        py: Python<'_>,
        text: &Text,
        step: &Bound<'_, PyAny>,
        literals: &[&str],
    ) -> PyResult<Option<bool>> {
        let Some(check) = self.check_of(py, step)? else {
            return Ok(None);
        };
        Ok(Some(
            found_nothing(py, text, &[(check.as_ref(), literals)], None).is_empty(),
        ))
    }

    /// The check, literals and position of each entry of `selected` that has a check; and
    /// whether an entry has none (its step is evaluated whatever the text; with
    /// `first_unchecked`, the first such entry ends the list). A step's check is made
    /// (`Step.screen_check`) and kept as it is first asked, and read by the core once.
    fn checks_of<'py>(
        &self,
        py: Python<'py>,
        selected: &Bound<'py, PyList>,
        first_unchecked: bool,
    ) -> PyResult<(Vec<Asked<'py>>, bool)> {
        let mut asked = Vec::new();
        let mut unchecked = false;
        for (position, entry) in selected.iter().enumerate() {
            let entry = entry.downcast_into::<PyTuple>()?;
            let step = entry.get_item(1)?;
            let Some(check) = self.check_of(py, &step)? else {
                unchecked = true;
                if first_unchecked {
                    break;
                }
                continue;
            };
            let literals = entry
                .get_item(2)?
                .downcast_into::<PyTuple>()?
                .iter()
                .map(|literal| literal.downcast_into::<PyString>().map_err(PyErr::from))
                .collect::<PyResult<Vec<_>>>()?;
            asked.push((check, literals, position));
        }
        Ok((asked, unchecked))
    }

    /// The check of `step` as the core reads it (None: it has none), read once; the check
    /// itself is made (`Step.screen_check`) and kept in the plan's checks as it is first asked.
    fn check_of(&self, py: Python<'_>, step: &Bound<'_, PyAny>) -> PyResult<Option<Arc<Parsed>>> {
        let key = step.as_ptr() as usize;
        let poisoned = |_| PyValueError::new_err("a screen's checks were poisoned");
        if let Some(known) = self.parsed.lock().map_err(poisoned)?.get(&key) {
            return Ok(known.clone());
        }
        let checks = self.checks.bind(py);
        let check = match checks.get_item(key)? {
            Some(check) => check,
            None => {
                let check = step.call_method0("screen_check")?;
                checks.set_item(key, &check)?;
                check
            }
        };
        let parsed = if check.is_none() {
            None
        } else {
            Some(Arc::new(Parsed::of(&check)?))
        };
        self.parsed
            .lock()
            .map_err(poisoned)?
            .insert(key, parsed.clone());
        Ok(parsed)
    }
}
