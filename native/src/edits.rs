//! A document's edits on the core (`EditLog`) and their walk: `Document.apply_tagged` (see
//! `cleantext/document.py`, its reference).
//!
//! A pass of replacements, in current-text coordinates, is composed with the edits already
//! recorded, in source coordinates, in one walk over both. Offsets are code points, as Python's
//! strings count them: the texts are cut with `PyUnicode_Substring`. The edits live in the log,
//! not in Python tuples: those a pass leaves alone are shared with the new log as they are, and
//! a result builds the rows it reads of them (`EditLog::rows`) only when its edits are asked
//! for. What several rules removed from one edit is added up by the Python functions the caller
//! gives (rare: only where a replacement meets earlier edits).

use std::sync::Arc;

use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple, PyType};

use crate::fast_hash::FastMap;
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

/// A recorded edit: the source span it replaces, its text, the rules that made it (`RuleRef`s,
/// in the order they acted) and what each of several rules removed (None, or a tuple of `(rule,
/// count)`), as `Document`'s reference stores it in a tuple `(src_start, src_end, after, rules,
/// removals)`. The rules are held one by one, not in a tuple of their own: a tuple that holds a
/// `RuleRef` (a named tuple) is one the garbage collector walks for as long as it lives, while
/// the references themselves are the pipeline's.
struct Stored {
    src_start: isize,
    src_end: isize,
    after: Py<PyString>,
    /// The length of `after` in code points.
    after_length: isize,
    rules: Vec<Py<PyAny>>,
    removals: Py<PyAny>,
}

impl Stored {
    /// The edit of a stored tuple.
    fn of(edit: &Bound<'_, PyAny>) -> PyResult<Self> {
        let (src_start, src_end, after, rules, removals): (
            isize,
            isize,
            Bound<'_, PyString>,
            Bound<'_, PyTuple>,
            Bound<'_, PyAny>,
        ) = edit.extract()?;
        Ok(Stored {
            src_start,
            src_end,
            after_length: length(&after)?,
            after: after.unbind(),
            rules: rules.iter().map(Bound::unbind).collect(),
            removals: removals.unbind(),
        })
    }

    /// Its rule group as its objects are: edits of one pass share them. Looked up in a map, as
    /// an edit's removals are a tuple of its own, so a log can hold as many groups as edits.
    fn identity(&self) -> GroupIdentity {
        (
            self.rules.iter().map(Py::as_ptr).collect(),
            self.removals.as_ptr(),
        )
    }

    /// Its rules as the reference's tuple.
    fn rules_tuple<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.rules.iter().map(|rule| rule.bind(py)))
    }

    /// The stored tuple.
    fn tuple<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(
            py,
            [
                self.src_start.into_pyobject(py)?.into_any(),
                self.src_end.into_pyobject(py)?.into_any(),
                self.after.bind(py).clone().into_any(),
                self.rules_tuple(py)?.into_any(),
                self.removals.bind(py).clone(),
            ],
        )
    }

    /// How many characters the edit removes, net (negative where it puts more in).
    fn shrinks_by(&self) -> isize {
        (self.src_end - self.src_start) - self.after_length
    }
}

/// A document's recorded edits, in source order, on the core: what `Document` keeps where the
/// core walks its edit list. A log does not change: a pass that changes the text makes a new
/// one (`compose`), which shares the edits the pass left alone, so a result that holds a log
/// holds the edits as they were. The garbage collector does not track it: it holds strings and
/// the pipeline's rule references, never itself.
#[pyclass(frozen, module = "cleantext._native")]
pub struct EditLog {
    edits: Vec<Arc<Stored>>,
}

/// A rule group as `EditLog::rows` and `EditLog::packed` know it (`Stored::identity`): its rules' and its removals' objects.
type GroupIdentity = (Vec<*mut ffi::PyObject>, *mut ffi::PyObject);

#[pymethods]
impl EditLog {
    /// A log of `stored` edits (tuples as `Document`'s reference stores them, in source order).
    #[new]
    #[pyo3(signature = (stored=Vec::new()))]
    pub(crate) fn new(stored: Vec<Bound<'_, PyAny>>) -> PyResult<Self> {
        Ok(EditLog {
            edits: stored
                .iter()
                .map(|edit| Stored::of(edit).map(Arc::new))
                .collect::<PyResult<_>>()?,
        })
    }

    fn __len__(&self) -> usize {
        self.edits.len()
    }

    /// A log travels to and from worker processes (with the document or result that holds it)
    /// packed: its numbers in one `bytes`, its texts in one `str` and its distinct rule groups in
    /// a list (see `packed`). A tuple per edit costs a worker and the parent ten times as long
    /// to pickle and unpickle as the edits take to make.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Packed<'py>)> {
        let unpacked = slf.get_type().getattr("unpacked")?;
        Ok((unpacked, slf.get().packed(slf.py())?))
    }

    /// The log `packed` made (`__reduce__`): `numbers` holds four little-endian 64-bit integers
    /// per edit (its source span, the length of its text in code points and the number of its
    /// group), `texts` the edits' texts one after the other, `groups` a `(rules, removals)` tuple
    /// per distinct group.
    #[classmethod]
    fn unpacked(
        _cls: &Bound<'_, PyType>,
        numbers: &[u8],
        texts: &Bound<'_, PyString>,
        groups: Vec<(Vec<Py<PyAny>>, Py<PyAny>)>,
    ) -> PyResult<Self> {
        let py = texts.py();
        if !numbers.len().is_multiple_of(PACKED_EDIT) {
            return Err(PyValueError::new_err(format!(
                "packed edit log: {} bytes of numbers is not a whole number of edits",
                numbers.len()
            )));
        }
        let texts_length = length(texts)?;
        let mut at = 0;
        let mut edits = Vec::with_capacity(numbers.len() / PACKED_EDIT);
        for packed in numbers.chunks_exact(PACKED_EDIT) {
            let [src_start, src_end, after_length, group] = std::array::from_fn(|field| {
                let bytes = &packed[8 * field..8 * field + 8];
                i64::from_le_bytes(bytes.try_into().expect("eight bytes")) as isize
            });
            let Some((rules, removals)) = usize::try_from(group).ok().and_then(|g| groups.get(g))
            else {
                return Err(PyValueError::new_err(format!(
                    "packed edit log: group {group} of {}",
                    groups.len()
                )));
            };
            if src_start < 0
                || src_start > src_end
                || after_length < 0
                || at + after_length > texts_length
            {
                return Err(PyValueError::new_err(
                    "packed edit log: an edit's span or text is out of range",
                ));
            }
            edits.push(Arc::new(Stored {
                src_start,
                src_end,
                after: cut(texts, at, at + after_length)?.unbind(),
                after_length,
                rules: rules.iter().map(|rule| rule.clone_ref(py)).collect(),
                removals: removals.clone_ref(py),
            }));
            at += after_length;
        }
        if at != texts_length {
            return Err(PyValueError::new_err(
                "packed edit log: texts left over past the last edit",
            ));
        }
        Ok(EditLog { edits })
    }

    /// The edits as the tuples `Document`'s reference stores.
    fn stored<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let tuples = self
            .edits
            .iter()
            .map(|edit| edit.tuple(py))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, tuples)
    }

    /// `Document.edit_rows` of these edits of `source`: a row `(src_start, src_end, out_start,
    /// before, after, group)` per edit and the distinct `(rules, removals)` groups the rows
    /// number, in the order first met (removals `()` where the edit's rules removed nothing apart).
    fn rows<'py>(
        &self,
        py: Python<'py>,
        source: &Bound<'py, PyString>,
    ) -> PyResult<(Bound<'py, PyTuple>, Bound<'py, PyTuple>)> {
        let mut rows = Vec::with_capacity(self.edits.len());
        let mut groups: Vec<Bound<'py, PyTuple>> = Vec::new();
        // The groups by equality, as the reference numbers them (a key of equal rules made of
        // other objects is the same group) ...
        let numbers = PyDict::new(py);
        // ... and by the identity of their objects, which most edits share with an earlier one.
        let mut known: FastMap<GroupIdentity, usize> = FastMap::default();
        let empty = PyTuple::empty(py);
        let mut delta = 0;
        for edit in &self.edits {
            let removals = edit.removals.bind(py);
            let identity = edit.identity();
            let number = match known.get(&identity) {
                Some(&number) => number,
                None => {
                    let rules = edit.rules_tuple(py)?;
                    let key = if removals.is_none() {
                        rules.clone().into_any()
                    } else {
                        PyTuple::new(py, [rules.clone().into_any(), removals.clone()])?.into_any()
                    };
                    let number = match numbers.get_item(&key)? {
                        Some(number) => number.extract()?,
                        None => {
                            let number = groups.len();
                            numbers.set_item(&key, number)?;
                            let group_removals = if removals.is_truthy()? {
                                removals.clone()
                            } else {
                                empty.clone().into_any()
                            };
                            groups.push(PyTuple::new(py, [rules.into_any(), group_removals])?);
                            number
                        }
                    };
                    known.insert(identity, number);
                    number
                }
            };
            rows.push(PyTuple::new(
                py,
                [
                    edit.src_start.into_pyobject(py)?.into_any(),
                    edit.src_end.into_pyobject(py)?.into_any(),
                    (edit.src_start - delta).into_pyobject(py)?.into_any(),
                    cut(source, edit.src_start, edit.src_end)?.into_any(),
                    edit.after.bind(py).clone().into_any(),
                    number.into_pyobject(py)?.into_any(),
                ],
            )?);
            delta += edit.shrinks_by();
        }
        Ok((PyTuple::new(py, rows)?, PyTuple::new(py, groups)?))
    }

    /// Whether an edit's text, in the current text, covers one of `gaps` (`(start, end)`, sorted
    /// and apart) and reaches past it on both sides: the one edit that a pass replacing on both
    /// sides of the gap would join to both replacements (see `Document.bridges`).
    fn bridges(&self, gaps: Vec<(isize, isize)>) -> bool {
        let mut edits = self.edits.iter().peekable();
        let mut delta: isize = 0; // source offset minus current offset, past the edits passed
        for (start, end) in gaps {
            while let Some(edit) = edits.peek() {
                let out_start = edit.src_start - delta;
                if out_start >= start {
                    break; // it and the edits after it begin inside or after this gap
                }
                if out_start + edit.after_length > end {
                    return true;
                }
                delta += edit.shrinks_by();
                edits.next();
            }
        }
        false
    }

    /// Composes `replacements`, each `(start, end, new, rule)` in `text`'s coordinates, sorted
    /// and apart, with these edits of `source` (see `Document.apply_tagged`). Returns the number
    /// of replacements that changed the text, the new text and the new log (the text and this
    /// log where none did). `removals_of(source length, after, rules, removals)`: what an
    /// absorbed edit's rules removed; `credits(removed, rule, removed now)`: the removals of an
    /// edit of several rules.
    pub(crate) fn compose<'py>(
        slf: &Bound<'py, Self>,
        text: &Bound<'py, PyString>,
        source: &Bound<'py, PyString>,
        replacements: &Bound<'py, PyList>,
        removals_of: &Bound<'py, PyAny>,
        credits: &Bound<'py, PyAny>,
    ) -> PyResult<(usize, Bound<'py, PyString>, Bound<'py, EditLog>)> {
        let py = slf.py();
        let edits = &slf.get().edits;
        let walked = walk(py, text, source, edits, replacements, removals_of, credits)?;
        let Some((applied, new_text, made)) = walked else {
            return Ok((0, text.clone(), slf.clone()));
        };
        Ok((applied, new_text, Bound::new(py, EditLog { edits: made })?))
    }
}

/// Bytes of an edit's numbers in a packed log.
const PACKED_EDIT: usize = 32;

/// A packed log's arguments to `EditLog.unpacked`.
type Packed<'py> = (
    Bound<'py, PyBytes>,
    Bound<'py, PyString>,
    Bound<'py, PyList>,
);

impl EditLog {
    /// The log packed for `unpacked`: its numbers, texts and groups. Groups are told apart by
    /// the identity of their objects: edits of one pass share them.
    fn packed<'py>(&self, py: Python<'py>) -> PyResult<Packed<'py>> {
        let mut numbers = Vec::with_capacity(self.edits.len() * PACKED_EDIT);
        let texts = PyList::empty(py);
        let groups = PyList::empty(py);
        let mut known: FastMap<GroupIdentity, usize> = FastMap::default();
        for edit in &self.edits {
            let next = known.len();
            let group = *known.entry(edit.identity()).or_insert(next);
            if group == next {
                groups.append((edit.rules_tuple(py)?, edit.removals.bind(py)))?;
            }
            for number in [
                edit.src_start,
                edit.src_end,
                edit.after_length,
                group as isize,
            ] {
                numbers.extend_from_slice(&(number as i64).to_le_bytes());
            }
            if edit.after_length > 0 {
                texts.append(edit.after.bind(py))?;
            }
        }
        let texts = PyString::new(py, "").call_method1("join", (texts,))?;
        Ok((PyBytes::new(py, &numbers), texts.downcast_into()?, groups))
    }

    /// Whether a replacement of `spans` (`(start, end)` in the current text, sorted and apart)
    /// overlaps one of these edits, in the current text: where `compose` would absorb the edit
    /// into the replacement's cluster.
    pub(crate) fn meets(&self, spans: &[(isize, isize)]) -> bool {
        let count = self.edits.len();
        let mut next = 0;
        let mut delta: isize = 0; // source offset minus current offset, past the edits passed
        for &(start, end) in spans {
            while next < count {
                let edit = &self.edits[next];
                let out_start = edit.src_start - delta;
                if out_start + edit.after_length <= start {
                    delta += edit.shrinks_by();
                    next += 1;
                    continue;
                }
                if out_start < end {
                    return true;
                }
                break;
            }
            if next == count {
                return false;
            }
        }
        false
    }
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
    /// The recorded edit of this index.
    Kept(usize),
    Made {
        src_start: isize,
        src_end: isize,
        new_start: isize,
        new_end: isize,
        rules: Vec<Py<PyAny>>,
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

/// A piece of a pass's new text: a stretch of the old text (code points), or a replacement's text.
enum Piece<'py> {
    Old(isize, isize),
    New(Bound<'py, PyString>),
}

/// A text from this many code points on gets its new version decoded from the spliced UTF-8
/// (see `walk`): 1 Mi, the length of a window of a document cleaned in windows.
const DECODED_FROM_CHARS: isize = 1 << 20;

/// A pass that cuts its text into a piece for every this many bytes or fewer gets its new
/// version decoded from the spliced UTF-8 too: a piece cut and joined costs about what
/// decoding this many bytes does (a quote pass over an article cuts it into hundreds).
const DECODED_BYTES_PER_PIECE: usize = 128;

/// Whether a pass's new text of `bytes` bytes of UTF-8, made of `pieces` pieces, is made by
/// decoding its spliced UTF-8 rather than by joining its pieces (see `walk`).
fn decoded(length: isize, bytes: usize, pieces: usize) -> bool {
    length >= DECODED_FROM_CHARS || pieces * DECODED_BYTES_PER_PIECE > bytes
}

/// The new text: the pieces, the old text's stretches cut out of `text`, joined.
fn joined<'py>(
    text: &Bound<'py, PyString>,
    pieces: Vec<Piece<'py>>,
) -> PyResult<Bound<'py, PyString>> {
    let pieces = pieces
        .into_iter()
        .map(|piece| match piece {
            Piece::Old(start, end) => cut(text, start, end),
            Piece::New(new) => Ok(new),
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyString::new(text.py(), "")
        .call_method1("join", (PyList::new(text.py(), pieces)?,))?
        .downcast_into::<PyString>()?)
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
        let rules: Vec<Py<PyAny>> = cluster
            .old_rules
            .iter()
            .chain(&cluster.new_rules)
            .map(|rule| rule.clone().unbind())
            .collect();
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

/// What a pass that changed the text comes to: how many replacements changed it, the new text
/// and the new edits.
type Walked<'py> = (usize, Bound<'py, PyString>, Vec<Arc<Stored>>);

/// `EditLog::compose`'s walk over `replacements` and the recorded `edits` together: the number
/// of replacements that changed the text, the new text and the new edits; None where none did.
fn walk<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyString>,
    source: &Bound<'py, PyString>,
    edits: &[Arc<Stored>],
    replacements: &Bound<'py, PyList>,
    removals_of: &Bound<'py, PyAny>,
    credits: &Bound<'py, PyAny>,
) -> PyResult<Option<Walked<'py>>> {
    let text_length = length(text)?;
    let count = edits.len();
    let mut walk = Walk {
        merged: Vec::with_capacity(count + replacements.len()),
        cluster: None,
        shift: 0,
        credits,
    };
    // The new text's pieces: the old text's stretches (code points, cut out only where they
    // are joined) and the replacements; a long text's is decoded from the splice instead.
    let mut pieces: Vec<Piece<'py>> = Vec::with_capacity(2 * replacements.len() + 1);
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
                    let edit = &edits[next];
                    if edit.src_start - delta + edit.after_length > start {
                        break;
                    }
                    walk.merged.push(Merged::Kept(next));
                    delta += edit.shrinks_by();
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
            let edit = &edits[next];
            let (src_start, src_end, after_length) =
                (edit.src_start, edit.src_end, edit.after_length);
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
                walk.merged.push(Merged::Kept(next));
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
            cluster
                .old_rules
                .extend(edit.rules.iter().map(|rule| rule.bind(py).clone()));
            let removed = removals_of.call1((
                src_end - src_start,
                edit.after.bind(py),
                edit.rules_tuple(py)?,
                edit.removals.bind(py),
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
        pieces.push(Piece::Old(copied_to, start));
        walk.shift += length(&new)? - (end - start);
        if let Some(spliced) = splice.as_mut() {
            if !spliced.replace(start, end, &new) {
                splice = None;
            }
        }
        pieces.push(Piece::New(new));
        copied_to = end;
    }
    if applied == 0 {
        return Ok(None);
    }
    walk.close(py, None)?;
    pieces.push(Piece::Old(copied_to, text_length));
    let new_text = match splice.map(Splice::finish) {
        // A long text's new string is decoded from its spliced UTF-8: cutting the old text's
        // stretches and joining them would hold a second copy of it, fresh memory the kernel
        // zeroes page by page. So is one cut into many pieces (each a string of its own). A
        // short text cut into a few pieces is joined: a final line break is two.
        Some((plain, reading)) if decoded(text_length, plain.len(), pieces.len()) => {
            let new_text = PyString::new(py, &plain);
            keep(&new_text, plain, reading);
            new_text
        }
        Some((plain, reading)) => {
            let new_text = joined(text, pieces)?;
            keep(&new_text, plain, reading);
            new_text
        }
        None => joined(text, pieces)?,
    };
    // The made edits' text; an edit that gives back its source text is no edit.
    let mut kept: Vec<Arc<Stored>> = Vec::with_capacity(walk.merged.len() + count - next);
    for entry in walk.merged {
        match entry {
            Merged::Kept(index) => kept.push(Arc::clone(&edits[index])),
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
                    kept.push(Arc::new(Stored {
                        src_start,
                        src_end,
                        after_length: length(&after)?,
                        after: after.unbind(),
                        rules,
                        removals: removals.unbind(),
                    }));
                }
            }
        }
    }
    kept.extend(edits[next..].iter().map(Arc::clone));
    Ok(Some((applied, new_text, kept)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_into_many_pieces_or_over_a_long_text_is_decoded_a_few_pieces_joined() {
        // A final line break on an article: two pieces, joined.
        assert!(!decoded(5_000, 5_000, 2));
        // A quote pass over the same article: a hundred replacements, two hundred pieces and more.
        assert!(decoded(5_000, 5_000, 201));
        // One piece for every 128 bytes is the line.
        assert!(!decoded(1_280, 1_280, 10));
        assert!(decoded(1_280, 1_280, 11));
        // A text of a window's length or more, however few its pieces.
        assert!(decoded(DECODED_FROM_CHARS, 1 << 21, 2));
    }
}
