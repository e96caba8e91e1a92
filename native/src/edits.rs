//! The edit list's walk: `Document.apply_tagged` (see `cleantext/document.py`, its reference).
//!
//! A pass of replacements, in current-text coordinates, is composed with the edits already
//! recorded, in source coordinates, in one walk over both. Offsets are code points, as Python's
//! strings count them: the texts are cut with `PyUnicode_Substring` and never read as UTF-8.
//! The edits stay Python tuples `(src_start, src_end, after, rules, removals)`; those a pass
//! leaves alone are handed on as they are. What several rules removed from one edit is added up
//! by the Python functions the caller gives (rare: only where a replacement meets earlier edits).

use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

use crate::patterns::{reading_after, Reading};
use crate::utf8::{advance, keep, reading_of, retreat, utf8_of};

/// The characters `start..end` of `text`.
pub(crate) fn cut<'py>(
    text: &Bound<'py, PyString>,
    start: isize,
    end: isize,
) -> PyResult<Bound<'py, PyString>> {
    // SAFETY: `text` is a live str; PyUnicode_Substring returns a new reference or sets an error.
    unsafe {
        let piece = ffi::PyUnicode_Substring(text.as_ptr(), start, end);
        Ok(Bound::from_owned_ptr_or_err(text.py(), piece)?.downcast_into_unchecked())
    }
}

/// The length of `text` in code points.
pub(crate) fn length(text: &Bound<'_, PyString>) -> PyResult<isize> {
    // SAFETY: `text` is a live str.
    let length = unsafe { ffi::PyUnicode_GetLength(text.as_ptr()) };
    if length < 0 {
        return Err(PyErr::fetch(text.py()));
    }
    Ok(length)
}

/// Whether `text[start..end]` (code points, within the text) is `new`: by its length, then in
/// place (`PyUnicode_Tailmatch`), without cutting the span out.
fn replaces_with_itself(
    text: &Bound<'_, PyString>,
    start: isize,
    end: isize,
    new: &Bound<'_, PyString>,
) -> PyResult<bool> {
    if length(new)? != end - start {
        return Ok(false);
    }
    // SAFETY: both are live strs; Tailmatch returns 1 (a match), 0 or -1 with an error set.
    let matched = unsafe { ffi::PyUnicode_Tailmatch(text.as_ptr(), new.as_ptr(), start, end, -1) };
    if matched < 0 {
        return Err(PyErr::fetch(text.py()));
    }
    Ok(matched == 1)
}

/// A recorded edit's source span and the length of its text.
fn span_of(edit: &Bound<'_, PyTuple>) -> PyResult<(isize, isize, isize)> {
    let after = edit.get_item(2)?;
    Ok((
        edit.get_item(0)?.extract()?,
        edit.get_item(1)?.extract()?,
        length(after.downcast::<PyString>()?)?,
    ))
}

/// Whether a replacement of `spans` (`(start, end)` in the current text, sorted and apart)
/// overlaps a recorded edit of `edits`, in the current text: where `compose` would absorb the
/// edit into the replacement's cluster.
pub(crate) fn meets_edits(edits: &Bound<'_, PyList>, spans: &[(isize, isize)]) -> PyResult<bool> {
    let count = edits.len();
    let mut next = 0;
    let mut delta: isize = 0; // source offset minus current offset, past the edits passed
    for &(start, end) in spans {
        while next < count {
            let (src_start, src_end, after_length) =
                span_of(edits.get_item(next)?.downcast::<PyTuple>()?)?;
            let out_start = src_start - delta;
            if out_start + after_length <= start {
                delta += (src_end - src_start) - after_length;
                next += 1;
                continue;
            }
            if out_start < end {
                return Ok(true);
            }
            break;
        }
        if next == count {
            return Ok(false);
        }
    }
    Ok(false)
}

/// The UTF-8 of a pass's new text, made from the old text's and the replacements' own.
struct Splice<'a> {
    old: &'a [u8],
    /// The old text's length in code points.
    length: isize,
    /// Whether the old text is ASCII: a code point offset is then a byte offset.
    ascii: bool,
    made: Vec<u8>,
    /// The new text's reading so far, from the old text's (None: not known, it is read whole).
    reading: Option<Reading>,
    /// How far the old text is copied or replaced: in code points, and in bytes.
    chars: isize,
    bytes: usize,
}

impl<'a> Splice<'a> {
    fn new(old: &'a [u8], length: isize, reading: Option<Reading>) -> Self {
        Splice {
            old,
            reading,
            length,
            ascii: old.len() == length as usize,
            made: Vec::with_capacity(old.len() + 16),
            chars: 0,
            bytes: 0,
        }
    }

    /// Moves to code point `at` of the old text (not before where it is); its byte offset.
    fn move_to(&mut self, at: isize) -> usize {
        self.bytes = if self.ascii {
            at as usize
        } else if self.length - at < at - self.chars {
            // Nearer the text's end than where the splice is (a final line break): counted back.
            retreat(self.old, (self.length - at).max(0) as usize)
        } else {
            advance(self.old, self.bytes, (at - self.chars) as usize)
        };
        self.chars = at;
        self.bytes
    }

    /// Copies the old text up to `start` and puts `new` in for `start..end`; false where `new`
    /// has a lone surrogate (no UTF-8).
    fn replace(&mut self, start: isize, end: isize, new: &Bound<'_, PyString>) -> bool {
        let from = self.bytes;
        let to = self.move_to(start);
        self.made.extend_from_slice(&self.old[from..to]);
        let Ok(piece) = new.to_str() else {
            return false;
        };
        self.made.extend_from_slice(piece.as_bytes());
        let removed_to = self.move_to(end);
        if let Some(reading) = self.reading {
            // SAFETY: the old text is UTF-8 cut where code points start.
            let removed = unsafe { std::str::from_utf8_unchecked(&self.old[to..removed_to]) };
            self.reading = reading_after(reading, removed, piece);
        }
        true
    }

    /// The new text's UTF-8, the rest of the old text copied, and its reading where known.
    fn finish(mut self) -> (String, Option<Reading>) {
        self.made.extend_from_slice(&self.old[self.bytes..]);
        // SAFETY: the pieces are UTF-8 (the old text's, cut where code points start, and the
        // replacements' own), so their concatenation is; a check would cost what the splice saves.
        let made = unsafe { String::from_utf8_unchecked(self.made) };
        (made, self.reading)
    }
}

/// Replacements and recorded edits that overlap: one edit in the end.
struct Cluster<'py> {
    src_start: isize,
    src_end: isize,
    cur_start: isize,
    cur_end: isize,
    new_start: isize,
    /// The rules of the recorded edits it absorbed, which acted first.
    old_rules: Vec<Bound<'py, PyAny>>,
    /// The rules of this pass's replacements.
    new_rules: Vec<Bound<'py, PyAny>>,
    /// What the absorbed edits' rules removed: `(rule, characters)` tuples.
    removed: Vec<Bound<'py, PyAny>>,
    /// The text of its one replacement, while it holds no other replacement and no recorded
    /// edit: the edit it makes then has that text, which differs from its source (the span it
    /// replaces holds no edit, so it is the source's).
    only: Option<Bound<'py, PyString>>,
}

impl<'py> Cluster<'py> {
    fn at(
        src_start: isize,
        cur_start: isize,
        new_start: isize,
        rule: &Bound<'py, PyAny>,
        only: Option<Bound<'py, PyString>>,
    ) -> Self {
        Cluster {
            src_start,
            src_end: src_start,
            cur_start,
            cur_end: cur_start,
            new_start,
            old_rules: Vec::new(),
            new_rules: vec![rule.clone()],
            removed: Vec::new(),
            only,
        }
    }
}

/// An edit of the new list: one handed on, or one a cluster made, whose text is cut from the
/// new text once it exists (`new_start..new_end`).
enum Merged<'py> {
    Kept(Bound<'py, PyAny>),
    Made {
        src_start: isize,
        src_end: isize,
        new_start: isize,
        new_end: isize,
        rules: Bound<'py, PyTuple>,
        removals: Bound<'py, PyAny>,
        /// Its text where it is one replacement's (see `Cluster::only`).
        only: Option<Bound<'py, PyString>>,
    },
}

/// Whether a rule of `rules` is not `first` (Python's equality, as a set of the rules tells).
fn differ(rules: &[Bound<'_, PyAny>], first: &Bound<'_, PyAny>) -> PyResult<bool> {
    for rule in rules {
        if !PyAnyMethods::eq(rule, first)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The walk's state: what `Document.apply_tagged` keeps in its locals.
struct Walk<'py, 'a> {
    merged: Vec<Merged<'py>>,
    cluster: Option<Cluster<'py>>,
    shift: isize,
    credits: &'a Bound<'py, PyAny>,
}

impl<'py> Walk<'py, '_> {
    /// Ends the open cluster; `new_end`: where it ends in the new text, when that is not its
    /// current end shifted by the replacements so far (inside a removal).
    fn close(&mut self, py: Python<'py>, new_end: Option<isize>) -> PyResult<()> {
        let Some(cluster) = self.cluster.take() else {
            return Ok(());
        };
        let end = new_end.unwrap_or(cluster.cur_end + self.shift);
        let first = &cluster.new_rules[0];
        let removals = if !cluster.old_rules.is_empty() || differ(&cluster.new_rules[1..], first)? {
            // Several rules: each is credited with what it removed from the text it saw.
            let removed_now = (cluster.cur_end - cluster.cur_start) - (end - cluster.new_start);
            let last = cluster.new_rules.last().unwrap_or(first);
            self.credits
                .call1((PyList::new(py, &cluster.removed)?, last, removed_now))?
        } else {
            py.None().into_bound(py)
        };
        let mut rules = cluster.old_rules;
        rules.extend(cluster.new_rules.iter().cloned());
        let rules = PyTuple::new(py, rules)?;
        self.merged.push(Merged::Made {
            src_start: cluster.src_start,
            src_end: cluster.src_end,
            new_start: cluster.new_start,
            new_end: end,
            rules,
            removals,
            only: cluster.only,
        });
        Ok(())
    }
}

/// Composes `replacements`, each `(start, end, new, rule)` in `text`'s coordinates, sorted and
/// apart, with the recorded `edits` of `source` (see `Document.apply_tagged`). Returns the
/// number of replacements that changed the text, the new text and the new edits (the text and
/// the edits as given when none did). `removals_of(source length, after, rules, removals)`: what
/// an absorbed edit's rules removed; `credits(removed, rule, removed now)`: the removals of an
/// edit of several rules.
#[pyfunction]
pub fn compose<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyString>,
    source: &Bound<'py, PyString>,
    edits: &Bound<'py, PyList>,
    replacements: &Bound<'py, PyList>,
    removals_of: &Bound<'py, PyAny>,
    credits: &Bound<'py, PyAny>,
) -> PyResult<(usize, Bound<'py, PyString>, Bound<'py, PyList>)> {
    let text_length = length(text)?;
    let count = edits.len();
    let mut walk = Walk {
        merged: Vec::with_capacity(count + replacements.len()),
        cluster: None,
        shift: 0,
        credits,
    };
    let mut pieces: Vec<Bound<'py, PyString>> = Vec::with_capacity(2 * replacements.len() + 1);
    // The new text's UTF-8, spliced from the old one's (None: a lone surrogate, not read).
    let old_utf8 = utf8_of(text).ok();
    let old_reading = reading_of(text).filter(|reading| reading.readable);
    let mut splice = old_utf8
        .as_ref()
        .map(|old| Splice::new(old.as_bytes(), text_length, old_reading));
    let mut copied_to: isize = 0;
    let mut next = 0; // the first recorded edit not yet handed on or absorbed
    let mut delta: isize = 0; // source offset minus current offset, past the edits handed on
    let mut applied = 0;
    let mut previous_end: isize = 0;
    for replacement in replacements.iter() {
        let replacement = replacement.downcast_into::<PyTuple>()?;
        let start: isize = replacement.get_item(0)?.extract()?;
        let end: isize = replacement.get_item(1)?.extract()?;
        let new = replacement.get_item(2)?.downcast_into::<PyString>()?;
        let rule = replacement.get_item(3)?;
        if start < previous_end || end < start || end > text_length {
            let id = rule.get_item(0)?;
            return Err(PyValueError::new_err(format!(
                "replacement ({start}, {end}) of rule {id} is out of order, overlapping or out of range (text length {text_length})"
            )));
        }
        previous_end = end;
        if replaces_with_itself(text, start, end, &new)? {
            continue;
        }
        applied += 1;
        match walk.cluster.as_mut() {
            Some(cluster) if start < cluster.cur_end => {
                cluster.new_rules.push(rule.clone());
                cluster.only = None;
            }
            _ => {
                walk.close(py, None)?;
                // Recorded edits that end at or before the replacement pass through untouched.
                while next < count {
                    let edit = edits.get_item(next)?;
                    let (src_start, src_end, after_length) = span_of(edit.downcast::<PyTuple>()?)?;
                    if src_start - delta + after_length > start {
                        break;
                    }
                    walk.merged.push(Merged::Kept(edit));
                    delta += (src_end - src_start) - after_length;
                    next += 1;
                }
                walk.cluster = Some(Cluster::at(
                    start + delta,
                    start,
                    start + walk.shift,
                    &rule,
                    // A subclass of str is not taken: the edit's text is a str, as cut.
                    Some(new.clone()).filter(|new| new.is_exact_instance_of::<PyString>()),
                ));
            }
        }
        // Recorded edits overlapping the replacement join the cluster.
        while next < count {
            let edit = edits.get_item(next)?.downcast_into::<PyTuple>()?;
            let (src_start, src_end, after_length) = span_of(&edit)?;
            let out_start = src_start - delta;
            if out_start >= end {
                break;
            }
            let out_end = out_start + after_length;
            let cluster = walk
                .cluster
                .as_mut()
                .expect("a replacement opens a cluster");
            if new.is_empty()?
                && after_length == 0
                && cluster.old_rules.is_empty()
                && cluster.new_rules.len() == 1
                && cluster.cur_start < out_start
            {
                // A removal around an earlier removal shares no source text with it: the part
                // before becomes its own edit, and the earlier edit keeps its rule.
                cluster.cur_end = out_start;
                cluster.src_end = src_start;
                let new_start = start + walk.shift;
                walk.close(py, Some(new_start))?;
                walk.merged.push(Merged::Kept(edit.into_any()));
                delta += src_end - src_start;
                next += 1;
                walk.cluster = Some(Cluster::at(src_end, out_start, new_start, &rule, None));
                continue;
            }
            if out_start < cluster.cur_start {
                cluster.src_start = src_start;
                cluster.cur_start = out_start;
                cluster.new_start = out_start + walk.shift;
            }
            cluster.only = None;
            let rules = edit.get_item(3)?;
            cluster
                .old_rules
                .extend(rules.downcast::<PyTuple>()?.iter());
            let removed = removals_of.call1((
                src_end - src_start,
                edit.get_item(2)?,
                &rules,
                edit.get_item(4)?,
            ))?;
            cluster
                .removed
                .extend(removed.try_iter()?.collect::<PyResult<Vec<_>>>()?);
            delta += (src_end - src_start) - after_length;
            next += 1;
            if out_end > cluster.cur_end {
                cluster.cur_end = out_end;
                cluster.src_end = src_end;
            }
        }
        let cluster = walk
            .cluster
            .as_mut()
            .expect("a replacement opens a cluster");
        if end > cluster.cur_end || (end == cluster.cur_end && end == start) {
            // The replacement ends the cluster: past the absorbed edits, the current offset maps
            // to the source by the running difference.
            cluster.cur_end = end;
            cluster.src_end = end + delta;
        }
        pieces.push(cut(text, copied_to, start)?);
        walk.shift += length(&new)? - (end - start);
        if let Some(spliced) = splice.as_mut() {
            if !spliced.replace(start, end, &new) {
                splice = None;
            }
        }
        pieces.push(new);
        copied_to = end;
    }
    if applied == 0 {
        return Ok((0, text.clone(), edits.clone()));
    }
    walk.close(py, None)?;
    pieces.push(cut(text, copied_to, text_length)?);
    let new_text = PyString::new(py, "")
        .call_method1("join", (PyList::new(py, pieces)?,))?
        .downcast_into::<PyString>()?;
    if let Some(spliced) = splice {
        let (plain, reading) = spliced.finish();
        keep(&new_text, plain, reading);
    }
    // The made edits' text; an edit that gives back its source text is no edit.
    let mut kept: Vec<Bound<'py, PyAny>> = Vec::with_capacity(walk.merged.len() + count - next);
    for entry in walk.merged {
        match entry {
            Merged::Kept(edit) => kept.push(edit),
            Merged::Made {
                src_start,
                src_end,
                new_start,
                new_end,
                rules,
                removals,
                only,
            } => {
                let (after, changed) = match only {
                    Some(after) => (after, true),
                    None => {
                        let after = cut(&new_text, new_start, new_end)?;
                        let changed =
                            !PyAnyMethods::eq(after.as_any(), cut(source, src_start, src_end)?)?;
                        (after, changed)
                    }
                };
                if changed {
                    kept.push(
                        PyTuple::new(
                            py,
                            [
                                src_start.into_pyobject(py)?.into_any(),
                                src_end.into_pyobject(py)?.into_any(),
                                after.into_any(),
                                rules.into_any(),
                                removals,
                            ],
                        )?
                        .into_any(),
                    );
                }
            }
        }
    }
    for index in next..count {
        kept.push(edits.get_item(index)?);
    }
    Ok((applied, new_text, PyList::new(py, kept)?))
}
