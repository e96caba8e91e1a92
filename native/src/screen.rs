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
use std::sync::Mutex;

use crate::automaton::Matches;
use crate::patterns::{
    within, word_character, BlockRange, CharMap, LineJudging, Pattern, PatternSet, Text,
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

/// The spans, in code points, of the `parts` of a text (see `rules.Where.regions`, which this
/// follows for a text that is no window of a longer one: the regions of a window lie within).
pub(crate) fn regions(
    py: Python<'_>,
    text: &Text,
    parts: &[(bool, usize, usize)],
) -> Vec<(usize, usize)> {
    let blocks = text.blocks(py);
    if parts.is_empty() || blocks.is_empty() {
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
/// (by their hashes).
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
    let mut by_prefix: HashMap<u64, usize> = HashMap::new(); // the first block with each prefix
    let mut shared: Vec<usize> = Vec::new(); // blocks whose prefix another block has
    for (index, block) in blocks.iter().enumerate() {
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
    let mut hash: u64 = 0;
    let mut count = 0;
    let mut words = 0;
    let mut in_word = false;
    let mut folded = Vec::with_capacity(8);
    for character in block.chars() {
        let mut push = |folded_character: char| -> Option<()> {
            // Exactly the first `most`: a character may fold to two ("ß" to "ss").
            let word_character = word_character(folded_character)?;
            if word_character && count < most {
                // FxHash's step: a rotation, an exclusive or and a multiplication per character.
                hash = (hash.rotate_left(5) ^ u64::from(folded_character))
                    .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
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
    Some((count > 0).then_some((hash, words)))
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
    asked: Vec<(Check<'_>, Vec<String>)>,
    together: Option<&PatternSet>,
) -> PyResult<Vec<usize>> {
    let Some(plain) = text.readable_str(py) else {
        return Ok(Vec::new()); // Python searches this text: every step may find something
    };
    let mut matches: Option<Matches> = None; // the set's one pass, made when first asked
    let mut found_nothing = Vec::new();
    for (position, ((kind, form, min_words, max_words, skip_table_rows, parts), literals)) in
        asked.into_iter().enumerate()
    {
        let may_find = match kind.to_str()? {
            "text" => {
                let pattern = form.downcast::<Pattern>()?.get();
                let member = together
                    .filter(|_| parts.is_empty() && pattern.reads_text(text))
                    .and_then(|set| Some((set, set.member(pattern)?)));
                match member {
                    // No match of the set's pattern: none of this one. A match: this one's
                    // own, or where this one may match, which its own search then tells.
                    Some((set, (number, exact))) => {
                        set.matched(plain, &mut matches, number)
                            && (exact || pattern.may_find_in(py, text, 0, text.length()))
                    }
                    // The core searches a region that ends before the text's end only for a
                    // pattern without look-arounds (see `Pattern::whole_text`).
                    None => regions(py, text, &parts)
                        .into_iter()
                        .any(|(low, high)| pattern.may_find_in(py, text, low, high)),
                }
            }
            "lines" => {
                let judged = LineJudging {
                    min_words,
                    max_words,
                    skip_table_rows,
                };
                let pattern = form.downcast::<Pattern>()?.get();
                regions(py, text, &parts).into_iter().any(|(low, high)| {
                    pattern
                        .line_matches(py, text, low, high, &judged, &literals, true)
                        .is_none_or(|found| !found.is_empty())
                })
            }
            "blocks" => form.downcast::<Pattern>()?.get().may_find_in_blocks(
                py,
                text,
                &regions(py, text, &parts),
                min_words,
                max_words,
                &literals,
            ),
            "characters" => form.downcast::<CharMap>()?.get().holds_any(plain),
            "repeats" => may_repeat(
                py,
                text,
                plain,
                max_words,
                &regions(py, text, &parts),
                min_words,
            ),
            "repair" => {
                let (gate, badness): (Bound<'_, Pattern>, Bound<'_, Pattern>) = form.extract()?;
                regions(py, text, &parts)
                    .into_iter()
                    .any(|(low, high)| gate.get().may_repair_in(py, text, low, high, badness.get()))
            }
            "offtopic" => form.downcast::<Pattern>()?.get().may_find_offtopic(
                py,
                text,
                &regions(py, text, &parts),
                min_words,
                max_words,
            ),
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown kind of check {other:?}"
                )))
            }
        };
        if !may_find {
            found_nothing.push(position);
        }
    }
    Ok(found_nothing)
}

/// At most this many sets of whole-text checks (one per combination a screen asks) are kept
/// by a plan's screen.
const SETS_KEPT: usize = 64;

/// The screen of one plan (`Plan.screen` where the document's presence remembers nothing): a
/// selection's checks gathered, the set of its whole-text checks chosen and its answer applied,
/// in one call; and the sets of whole-text checks, made once per combination asked (also for
/// `Plan.screen`'s own loop, where the presence remembers), as a set's pass costs more the more
/// patterns it holds. The checks are the plan's own, by the identity of their step (`Plan._checks`),
/// made (`Step.screen_check`) and kept there as a step is first asked.
#[pyclass(frozen, module = "cleantext._native")]
pub struct Screen {
    checks: Py<PyDict>,
    /// By the addresses of their patterns, sorted: the sets asked so far (None: too large).
    sets: Mutex<HashMap<Vec<usize>, Option<Py<PatternSet>>>>,
}

#[pymethods]
impl Screen {
    #[new]
    fn new(checks: Py<PyDict>) -> Self {
        Screen {
            checks,
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
        let (asked, positions): (Vec<_>, Vec<usize>) = asked.into_iter().unzip();
        let forms: Vec<Bound<'py, Pattern>> = asked
            .iter()
            .filter(|((kind, _, _, _, _, parts), _)| {
                parts.is_empty() && kind.to_str().is_ok_and(|kind| kind == "text")
            })
            .map(|(check, _)| check.1.downcast::<Pattern>().cloned())
            .collect::<Result<_, _>>()?;
        if asked.is_empty() {
            return Ok(selected);
        }
        let together = if forms.len() > 1 {
            self.together(py, forms)?
        } else {
            None
        };
        let found_nothing = quiet(py, text, asked, together.as_ref().map(|set| set.get()))?;
        if found_nothing.is_empty() {
            return Ok(selected);
        }
        let dropped: HashSet<usize> = found_nothing
            .into_iter()
            .map(|number| positions[number])
            .collect();
        let kept: Vec<Bound<'py, PyAny>> = selected
            .iter()
            .enumerate()
            .filter(|(position, _)| !dropped.contains(position))
            .map(|(_, entry)| entry)
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
        let cost = |kind: &Bound<'_, PyString>| match kind.to_str() {
            Ok("characters") => 0,
            Ok("text" | "repair") => 1,
            Ok("lines") => 2,
            Ok("blocks") => 3,
            Ok("repeats") => 4,
            _ => 5,
        };
        asked.sort_by_cached_key(|((check, _), _)| cost(&check.0));
        for (check, _) in asked {
            if quiet(py, text, vec![check], None)?.is_empty() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl Screen {
    /// The check and literals of each entry of `selected` that has a check, with its position;
    /// and whether an entry has none (its step is evaluated whatever the text; with `first_unchecked`,
    /// the first such entry ends the list). A step's check is made (`Step.screen_check`) and
    /// kept as it is first asked.
    #[allow(clippy::type_complexity)]
    fn checks_of<'py>(
        &self,
        py: Python<'py>,
        selected: &Bound<'py, PyList>,
        first_unchecked: bool,
    ) -> PyResult<(Vec<((Check<'py>, Vec<String>), usize)>, bool)> {
        let checks = self.checks.bind(py);
        let mut asked = Vec::new();
        let mut unchecked = false;
        for (position, entry) in selected.iter().enumerate() {
            let entry = entry.downcast_into::<PyTuple>()?;
            let step = entry.get_item(1)?;
            let key = step.as_ptr() as usize;
            let check = match checks.get_item(key)? {
                Some(check) => check,
                None => {
                    let check = step.call_method0("screen_check")?;
                    checks.set_item(key, &check)?;
                    check
                }
            };
            if check.is_none() {
                unchecked = true;
                if first_unchecked {
                    break;
                }
                continue;
            }
            let check: Check<'py> = check.extract()?;
            asked.push((
                (check, entry.get_item(2)?.extract::<Vec<String>>()?),
                position,
            ));
        }
        Ok((asked, unchecked))
    }
}
