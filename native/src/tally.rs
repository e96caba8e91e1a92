//! A document's presence counted on the core (`cleantext.plan.Presence`): which literals of
//! the plan it holds, which of the triggers' clauses hold, and each clause's literals in the
//! order they turned up. The pre-pass finds some fifty literals in an article and each edit a
//! few more; counting them in Python cost a quarter of a microsecond each.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

/// The plan's literals and the clauses each one is in, shared by the tallies of its documents.
#[pyclass(frozen, module = "cleantext._native")]
pub struct ClauseTable {
    table: Arc<Table>,
}

struct Table {
    literals: Vec<Py<PyString>>,
    /// The literals as the core's searches take them (None: one with a lone surrogate, which
    /// has no UTF-8).
    texts: Vec<Option<String>>,
    /// Per literal number, the numbers of its clauses.
    clauses_of: Vec<Vec<usize>>,
    clause_count: usize,
}

#[pymethods]
impl ClauseTable {
    /// `literals` in the plan's order, and per literal the numbers of the clauses it is in.
    #[new]
    fn new(
        py: Python<'_>,
        literals: Vec<Py<PyString>>,
        clauses_of: Vec<Vec<usize>>,
    ) -> PyResult<Self> {
        if literals.len() != clauses_of.len() {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "one list of clauses per literal",
            ));
        }
        let clause_count = clauses_of
            .iter()
            .flatten()
            .max()
            .map_or(0, |&last| last + 1);
        let texts = literals
            .iter()
            .map(|literal| literal.bind(py).to_str().ok().map(str::to_owned))
            .collect();
        Ok(ClauseTable {
            table: Arc::new(Table {
                literals,
                texts,
                clauses_of,
                clause_count,
            }),
        })
    }

    /// An empty tally for one document.
    fn tally(&self) -> Tally {
        let table = Arc::clone(&self.table);
        Tally {
            seen: vec![false; table.literals.len()],
            counted: Vec::new(),
            held: vec![0; table.clause_count.div_ceil(64)],
            found: vec![Vec::new(); table.clause_count],
            table,
        }
    }
}

/// Which literals one document holds (or held), and which clauses that makes hold.
#[pyclass(module = "cleantext._native")]
pub struct Tally {
    table: Arc<Table>,
    seen: Vec<bool>,
    /// The literals counted, in the order counted.
    counted: Vec<usize>,
    /// A bit per clause that holds.
    held: Vec<u64>,
    /// Per clause, the numbers of its literals found, in the order found.
    found: Vec<Vec<usize>>,
}

impl Tally {
    /// Whether every clause of `mask` (a bit each, in 64-bit words) holds.
    pub(crate) fn holds(&self, mask: &[u64]) -> bool {
        mask.iter().enumerate().all(|(index, &bits)| {
            bits == 0
                || self
                    .held
                    .get(index)
                    .is_some_and(|&held| held & bits == bits)
        })
    }

    /// How many literals the plan has.
    pub(crate) fn literal_count(&self) -> usize {
        self.seen.len()
    }

    /// `count` of these numbers.
    pub(crate) fn count_numbers(&mut self, numbers: &[usize]) -> PyResult<bool> {
        let mut new = false;
        for &number in numbers {
            let Some(clauses) = self.table.clauses_of.get(number) else {
                return Err(pyo3::exceptions::PyIndexError::new_err(format!(
                    "no literal {number}"
                )));
            };
            if std::mem::replace(&mut self.seen[number], true) {
                continue;
            }
            self.counted.push(number);
            new = true;
            for &clause in clauses {
                self.held[clause / 64] |= 1 << (clause % 64);
                self.found[clause].push(number);
            }
        }
        Ok(new)
    }

    /// The literals counted, a bit each in the numbering of a scanner whose word literals
    /// `is_word` marks (`numbers`: each of its literals' number in the plan, for a scanner of
    /// some of them; None: the plan's own numbering), and how many of them are words.
    pub(crate) fn seen_among(
        &self,
        is_word: &[bool],
        numbers: Option<&[usize]>,
    ) -> (Vec<u64>, usize) {
        let mut bits = vec![0u64; is_word.len().div_ceil(64)];
        let mut words = 0;
        let mut mark = |number: usize| {
            bits[number / 64] |= 1 << (number % 64);
            words += usize::from(is_word[number]);
        };
        match numbers {
            None => self.counted.iter().for_each(|&number| mark(number)),
            Some(numbers) => numbers
                .iter()
                .enumerate()
                .filter(|&(_, &number)| self.seen[number])
                .for_each(|(own, _)| mark(own)),
        }
        (bits, words)
    }

    /// The literals of clause `clause` found, in the order found (as `literals_of`), as the
    /// core's searches take them; none for a clause of -1 (a step whose trigger has none).
    pub(crate) fn clause_texts(&self, clause: isize) -> Literals {
        let numbers = usize::try_from(clause).map_or(&[][..], |clause| self.found_of(clause));
        Literals {
            table: Arc::clone(&self.table),
            numbers: numbers.to_vec(),
        }
    }

    /// The numbers of the literals of clause `clause` found, in the order found (none for a
    /// clause it does not have).
    fn found_of(&self, clause: usize) -> &[usize] {
        self.found.get(clause).map_or(&[][..], Vec::as_slice)
    }
}

/// Some literals of a plan's table, by number (`Tally::clause_texts`): they stay readable
/// while the tally that gave them counts more.
pub(crate) struct Literals {
    table: Arc<Table>,
    numbers: Vec<usize>,
}

impl Literals {
    /// The literals' texts, in order; None where one has no UTF-8 (a lone surrogate).
    pub(crate) fn texts(&self) -> Option<Vec<&str>> {
        self.numbers
            .iter()
            .map(|&number| self.table.texts[number].as_deref())
            .collect()
    }
}

#[pymethods]
impl Tally {
    /// Counts the literals of these `numbers` as present; whether one of them was new.
    fn count(&mut self, numbers: Vec<usize>) -> PyResult<bool> {
        self.count_numbers(&numbers)
    }

    /// The clauses that hold, a bit each (`Presence.held`).
    #[getter]
    fn held<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let bytes: Vec<u8> = self
            .held
            .iter()
            .flat_map(|word| word.to_le_bytes())
            .collect();
        py.get_type::<pyo3::types::PyInt>()
            .call_method1("from_bytes", (PyBytes::new(py, &bytes), "little"))
    }

    /// The literals of clause `clause` found, in the order found.
    fn literals_of<'py>(&self, py: Python<'py>, clause: usize) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(
            py,
            self.found_of(clause)
                .iter()
                .map(|&number| self.table.literals[number].bind(py)),
        )
    }

    /// `Presence.select`'s selection in one call: for each `(index, step, first clause)` of
    /// `holding`, `(index, step, the literals of its first clause found)` (none for a step
    /// whose first clause is -1: it has none).
    fn selected<'py>(
        &self,
        py: Python<'py>,
        holding: &Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut selected = Vec::with_capacity(holding.len());
        for entry in holding.iter() {
            let entry = entry.downcast_into::<PyTuple>()?;
            let first: isize = entry.get_item(2)?.extract()?;
            let literals = match usize::try_from(first) {
                Ok(clause) => self.literals_of(py, clause)?,
                Err(_) => PyTuple::empty(py),
            };
            selected.push(PyTuple::new(
                py,
                [entry.get_item(0)?, entry.get_item(1)?, literals.into_any()],
            )?);
        }
        PyList::new(py, selected)
    }

    /// Every literal found.
    fn literals<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyString>> {
        self.seen
            .iter()
            .enumerate()
            .filter(|&(_, &seen)| seen)
            .map(|(number, _)| self.table.literals[number].bind(py).clone())
            .collect()
    }
}
