//! A stage's run of steps on the core (`cleantext.plan.Plan.native_run`): the inline,
//! character-map and normalization steps of a list, each evaluated in turn where its trigger
//! holds, its replacements applied and recorded as edits, in one call per stretch of such steps.
//!
//! It does what the run loop (`Pipeline._run_rules`) does for these steps, without a Python
//! call per step: no screen first (a step's own search is as cheap as its check), no selection
//! (each step's trigger is tested against the document's tally as it comes). A step it cannot
//! run (another kind, a rule with captures, a text or a search the core leaves to Python, a
//! normalization to make) ends the call: Python evaluates that one and calls again from the next.
//!
//! `Stages` runs a pipeline's stages with these runs in one call per document
//! (`Pipeline._run_rounds` on the core), calling Python back for each step a run hands on.

use std::sync::OnceLock;
use std::time::Instant;

use pyo3::exceptions::PyTimeoutError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PySet, PyString, PyTuple};

use crate::automaton::Matches;
use crate::edits::EditLog;
use crate::patterns::{CharMap, Pattern, PatternSet, Text};
use crate::screen::{regions, Screen};
use crate::tally::Tally;
use crate::LiteralScanner;

/// How a step finds its replacements on the core.
enum Finder {
    Pattern(Py<Pattern>),
    CharMap(Py<CharMap>),
}

/// One step of a run, as `Plan.native_run` describes it.
struct RunStep {
    /// Whether the finder finds the step's replacements; else (a character map of what the step
    /// may change) it only tells a text the step leaves as it is, and Python evaluates the others.
    finds: bool,
    /// Its finder, made (`Step.native_finder`) as the step is first evaluated, so that a rule's
    /// pattern is compiled only once its trigger holds; None: Python evaluates the step.
    finder: OnceLock<Option<Finder>>,
    label: Py<PyString>,
    /// The rule's `RuleRef`, which tags each replacement.
    rule: Py<PyAny>,
    /// The step itself, whose `find` searches again where the core leaves a text to Python.
    step: Py<PyAny>,
    /// The rule's `where` as `(head, first, last)` block ranges (`Step.where_parts`); none: anywhere.
    parts: Vec<(bool, usize, usize)>,
    /// Whether an application that changed the text is followed by more, until one changes
    /// nothing (`InlineStep.apply`; at most `repeats` more).
    repeats: usize,
    /// The bits of the clauses of its trigger, for any text and for ASCII text (`Plan.gates`),
    /// as 64-bit words: the step is evaluated where all of them hold.
    gates: [Vec<u64>; 2],
    /// The first clause of its trigger, for any text and for ASCII text (-1: none): the lines
    /// or blocks it searches must hold one of that clause's literals found (`Presence.allows`).
    firsts: [isize; 2],
}

/// What the run knows of the document's text as it is: whether it is ASCII, and its reading
/// for the core's patterns (made for the first pattern that searches it).
#[derive(Default)]
struct Current {
    text: Option<Py<PyString>>,
    ascii: bool,
    read: Option<Py<Text>>,
    /// The set of the whole-text patterns of the steps from the first one evaluated on this text
    /// whose triggers hold (None inside: no set), and its one pass over the text, made when first asked.
    set: Option<Option<Py<PatternSet>>>,
    matches: Option<Matches>,
}

impl Current {
    /// What it knows of `text`: kept while the document's text is the same object.
    fn of(&mut self, text: &Bound<'_, PyString>) -> PyResult<&mut Self> {
        if !self.text.as_ref().is_some_and(|known| known.is(text)) {
            self.ascii = text.call_method0("isascii")?.is_truthy()?;
            self.text = Some(text.clone().unbind());
            self.read = None;
            self.set = None;
            self.matches = None;
        }
        Ok(self)
    }

    /// Forgets what only one run's call may use (the set of its steps' patterns and its pass):
    /// the text's reading serves the next.
    fn new_run(&mut self) {
        self.set = None;
        self.matches = None;
    }

    /// The reading of `text` (from now on the text it knows), as `reader`
    /// (`cleantext.native.native_text`, which the steps Python evaluates share) gives it.
    fn read(
        &mut self,
        py: Python<'_>,
        reader: &Py<PyAny>,
        text: &Bound<'_, PyString>,
    ) -> PyResult<Py<Text>> {
        let known = self.of(text)?;
        if known.read.is_none() {
            let read = reader.bind(py).call1((text,))?.downcast_into::<Text>()?;
            known.read = Some(read.unbind());
        }
        Ok(known.read.as_ref().expect("made above").clone_ref(py))
    }
}

/// The document's text as it is (`Document.text`, read from its slot).
fn text_of<'py>(document: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyString>> {
    Ok(document
        .getattr(intern!(document.py(), "_text"))?
        .downcast_into::<PyString>()?)
}

/// The document's edits as the core's log: the log itself, or the reference's list (before the
/// core's first pass on the document) made one.
fn edit_log_of<'py>(document: &Bound<'py, PyAny>) -> PyResult<Bound<'py, EditLog>> {
    let py = document.py();
    match document
        .getattr(intern!(py, "_edits"))?
        .downcast_into::<EditLog>()
    {
        Ok(log) => Ok(log),
        Err(error) => Bound::new(py, EditLog::new(error.into_inner().extract()?)?),
    }
}

/// What one step's evaluation comes to.
enum Outcome {
    /// How many replacements changed the text.
    Applied(usize),
    /// A check told that the step finds nothing: it is not evaluated (as a step the screen drops).
    Quiet,
    /// The core leaves the step's search of this text to Python.
    Python,
}

/// What a step's search of a text comes to.
enum Search {
    /// A check (the set's pass, a search without groups, a table's characters) tells that
    /// there is nothing to find.
    Nothing,
    /// What the step's own search found.
    Found(Vec<(usize, usize, String)>),
    /// The core leaves the text to Python.
    Python,
}

/// A search's answer as a `Search`: None, the core left the text to Python.
fn searched(found: Option<Vec<(usize, usize, String)>>) -> Search {
    found.map_or(Search::Python, Search::Found)
}

/// The steps of one list of a plan, run on the core (see the module's documentation).
#[pyclass(frozen, module = "cleantext._native")]
pub struct Run {
    steps: Vec<RunStep>,
    /// `cleantext.native.native_text`: a text's reading, shared with the steps Python evaluates.
    reader: Py<PyAny>,
    /// The plan's screen, whose sets of whole-text patterns (`Screen.together`) the run searches
    /// a text with in one pass, for the steps after the one it evaluates.
    screen: Py<Screen>,
    /// How the run applies a pass without Python's `Document.apply_tagged` and
    /// `Presence.update` (see `Run::apply_tagged`).
    applying: Applying,
}

/// What applying a pass on the core takes: the plan's scanner (`Plan.scanner`), and what the
/// edit log calls back as it composes a pass (`document.COMPOSE_CALLBACKS`).
struct Applying {
    scanner: Py<LiteralScanner>,
    removals_of: Py<PyAny>,
    credits: Py<PyAny>,
}

/// A step as `Plan.native_run` hands it over: `(finds, label, rule ref, step, where parts,
/// repeats, gate for any text, gate for ASCII text, first clause for any text, for ASCII
/// text)`, a gate as the 64-bit words of its clause bits.
type StepSpec<'py> = (
    bool,
    Bound<'py, PyString>,
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    Vec<(bool, usize, usize)>,
    usize,
    Vec<u64>,
    Vec<u64>,
    isize,
    isize,
);

/// `(changes, the step Python must evaluate next or None, per step evaluated: (index, seconds,
/// changes), the seconds the screen took (None: not asked), whether the screen was asked of
/// the step Python must evaluate)`.
type RunOutcome = (
    usize,
    Option<usize>,
    Vec<(usize, f64, usize)>,
    Option<f64>,
    bool,
);

#[pymethods]
impl Run {
    #[new]
    fn new(
        steps: Vec<StepSpec<'_>>,
        reader: Py<PyAny>,
        screen: Py<Screen>,
        applying: (Py<LiteralScanner>, Py<PyAny>, Py<PyAny>),
    ) -> Self {
        let steps = steps
            .into_iter()
            .map(
                |(
                    finds,
                    label,
                    rule,
                    step,
                    parts,
                    repeats,
                    any_text,
                    ascii_text,
                    first,
                    first_ascii,
                )| RunStep {
                    finds,
                    finder: OnceLock::new(),
                    label: label.unbind(),
                    rule: rule.unbind(),
                    step: step.unbind(),
                    parts,
                    repeats,
                    gates: [any_text, ascii_text],
                    firsts: [first, first_ascii],
                },
            )
            .collect();
        Run {
            steps,
            reader,
            screen,
            applying: Applying {
                scanner: applying.0,
                removals_of: applying.1,
                credits: applying.2,
            },
        }
    }
}

impl Run {
    /// Evaluates the steps from `start` on, in order, on `document` (a `Document`) whose
    /// presence (`Presence`) counts on the core (its `_tally`); `skipped`: labels not to evaluate
    /// (timed out); `timeout`: the run's time limit, for a search left to Python; `current`:
    /// what is known of the document's text as it is, which `Stages` keeps from one run to the
    /// next. Stops at the end, at an empty text, or at a step Python must evaluate. A step
    /// Python evaluates whose trigger holds is first screened here (the plan's screen, the
    /// step's check alone, as `Plan.screen` asks it of a text its presence remembers nothing
    /// of), and passed over where its check finds nothing.
    fn run(
        &self,
        py: Python<'_>,
        document: &Bound<'_, PyAny>,
        presence: &Bound<'_, PyAny>,
        (start, skipped, timeout): (usize, &Bound<'_, PySet>, Option<f64>),
        current: &mut Current,
    ) -> PyResult<RunOutcome> {
        current.new_run();
        let tally = presence
            .getattr(intern!(py, "_tally"))?
            .downcast_into::<Tally>()?;
        let mut changes = 0;
        let mut spent = Vec::new();
        let mut screen_seconds: Option<f64> = None;
        // The document's text, read again only after a step was evaluated (only an evaluation
        // changes it here).
        let mut text = text_of(document)?;
        let mut resume = start; // past the steps a fused pass evaluated
        for (index, step) in self.steps.iter().enumerate().skip(start) {
            if index < resume {
                continue;
            }
            if text.len()? == 0 {
                return Ok((changes, None, spent, screen_seconds, false));
            }
            let is_ascii = current.of(&text)?.ascii;
            if !tally.borrow().holds(&step.gates[usize::from(is_ascii)]) {
                continue;
            }
            if self.finder(py, step)?.is_none() {
                if !skipped.is_empty() && skipped.contains(step.label.bind(py))? {
                    return Ok((changes, Some(index), spent, screen_seconds, false));
                }
                let started = Instant::now();
                let literals = tally
                    .borrow()
                    .clause_texts(step.firsts[usize::from(is_ascii)]);
                // A literal without UTF-8 is in no text the core reads: Python screens the step.
                let Some(texts) = literals.texts() else {
                    return Ok((changes, Some(index), spent, screen_seconds, false));
                };
                let read = current.read(py, &self.reader, &text)?;
                let may = self.screen.get().may_find_for(
                    py,
                    read.bind(py).get(),
                    step.step.bind(py),
                    &texts,
                )?;
                *screen_seconds.get_or_insert(0.0) += started.elapsed().as_secs_f64();
                if may == Some(false) {
                    continue;
                }
                return Ok((changes, Some(index), spent, screen_seconds, true));
            }
            if current.set.is_none() && self.whole_text_pattern(py, step)?.is_some() {
                current.set = Some(self.set_from(py, index, &tally, is_ascii)?);
            }
            if !skipped.is_empty() && skipped.contains(step.label.bind(py))? {
                continue;
            }
            let started = Instant::now();
            let chain = self.fused_chain(py, index, &tally, is_ascii, skipped)?;
            if chain.len() > 1 {
                if let Some(counts) = self.evaluate_fused(py, &chain, document, presence, &text)? {
                    for (&number, &count) in chain.iter().zip(&counts) {
                        if count > 0 {
                            // The pass's time is the first step's.
                            let seconds = if number == index {
                                started.elapsed().as_secs_f64()
                            } else {
                                0.0
                            };
                            spent.push((number, seconds, count));
                        }
                    }
                    changes += counts.iter().sum::<usize>();
                    if counts.iter().any(|&count| count > 0) {
                        text = text_of(document)?;
                    }
                    resume = chain[chain.len() - 1] + 1;
                    continue;
                }
            }
            match self.evaluate(py, step, document, presence, &text, current, timeout)? {
                Outcome::Python => return Ok((changes, Some(index), spent, screen_seconds, false)),
                Outcome::Quiet => {}
                Outcome::Applied(applied) => {
                    spent.push((index, started.elapsed().as_secs_f64(), applied));
                    changes += applied;
                    text = text_of(document)?;
                }
            }
        }
        Ok((changes, None, spent, screen_seconds, false))
    }

    /// The finder of a step that finds its replacements anywhere in the text; None for the others.
    fn whole_text_finder<'a>(
        &self,
        py: Python<'_>,
        step: &'a RunStep,
    ) -> PyResult<Option<&'a Finder>> {
        if !step.finds || !step.parts.is_empty() {
            return Ok(None);
        }
        self.finder(py, step)
    }

    /// The pattern of a step that replaces its matches anywhere in the text; None for the others.
    fn whole_text_pattern<'a>(
        &self,
        py: Python<'_>,
        step: &'a RunStep,
    ) -> PyResult<Option<&'a Py<Pattern>>> {
        Ok(match self.whole_text_finder(py, step)? {
            Some(Finder::Pattern(pattern)) => Some(pattern),
            _ => None,
        })
    }

    /// The set (`Screen.together`) of the whole-text patterns of the steps from `from` on whose
    /// triggers hold; None where there are fewer than two, or the set would be too large.
    fn set_from(
        &self,
        py: Python<'_>,
        from: usize,
        tally: &Bound<'_, Tally>,
        is_ascii: bool,
    ) -> PyResult<Option<Py<PatternSet>>> {
        let mut forms = Vec::new();
        for step in &self.steps[from..] {
            if !tally.borrow().holds(&step.gates[usize::from(is_ascii)]) {
                continue;
            }
            if let Some(pattern) = self.whole_text_pattern(py, step)? {
                forms.push(pattern.bind(py).clone());
            }
        }
        if forms.len() < 2 {
            return Ok(None);
        }
        self.screen.get().together(py, forms)
    }

    /// The character map of a step that a pass can fuse with others: it finds its replacements,
    /// anywhere in the text, in one application.
    fn fusable_map<'a>(
        &self,
        py: Python<'_>,
        step: &'a RunStep,
    ) -> PyResult<Option<&'a Py<CharMap>>> {
        if step.repeats > 0 {
            return Ok(None);
        }
        Ok(match self.whole_text_finder(py, step)? {
            Some(Finder::CharMap(map)) => Some(map),
            _ => None,
        })
    }

    /// The step at `index` and those after it that one pass evaluates together: consecutive
    /// character maps whose triggers hold, none of which changes a character a later one maps
    /// or puts one in (`CharMap::composes_with`), so that the pass's replacements are those of
    /// the maps applied one after the other, and no map's trigger could have come to hold by
    /// an earlier one's edits. One step (or none) where there is nothing to fuse.
    fn fused_chain(
        &self,
        py: Python<'_>,
        index: usize,
        tally: &Bound<'_, Tally>,
        is_ascii: bool,
        skipped: &Bound<'_, PySet>,
    ) -> PyResult<Vec<usize>> {
        let Some(first) = self.fusable_map(py, &self.steps[index])? else {
            return Ok(vec![index]);
        };
        let mut maps = vec![first.get()];
        let mut chain = vec![index];
        for (number, step) in self.steps.iter().enumerate().skip(index + 1) {
            let Some(map) = self.fusable_map(py, step)? else {
                break;
            };
            let map = map.get();
            if !tally.borrow().holds(&step.gates[usize::from(is_ascii)])
                || (!skipped.is_empty() && skipped.contains(step.label.bind(py))?)
                || !maps.iter().all(|earlier| earlier.composes_with(map))
            {
                break;
            }
            maps.push(map);
            chain.push(number);
        }
        Ok(chain)
    }

    /// The steps of a fused `chain` (see `fused_chain`) as one pass over `text`, each
    /// replacement tagged with its step's rule; how many replacements each step made. None
    /// where the core does not read the text, or a replacement falls inside an earlier edit
    /// (the steps are then evaluated one by one).
    fn evaluate_fused(
        &self,
        py: Python<'_>,
        chain: &[usize],
        document: &Bound<'_, PyAny>,
        presence: &Bound<'_, PyAny>,
        text: &Bound<'_, PyString>,
    ) -> PyResult<Option<Vec<usize>>> {
        let length = text.len()?;
        let mut tagged = Vec::new();
        let mut counts = Vec::with_capacity(chain.len());
        for &number in chain {
            let step = &self.steps[number];
            let Some(map) = self.fusable_map(py, step)? else {
                return Ok(None);
            };
            let Some(found) = map.get().replacements(text, 0, length)? else {
                return Ok(None);
            };
            counts.push(found.len());
            let rule = step.rule.bind(py);
            tagged.extend(
                found
                    .into_iter()
                    .map(|(start, end, new)| (start, end, new, rule.clone())),
            );
        }
        // The maps take characters apart: their replacements never overlap.
        tagged.sort_unstable_by_key(|&(start, _, _, _)| start);
        // A replacement inside an earlier edit joins that edit, whose rules one pass would order
        // by position and one pass after the other by map: the maps are then evaluated in turn.
        let spans: Vec<(isize, isize)> = tagged
            .iter()
            .map(|&(start, end, _, _)| (start as isize, end as isize))
            .collect();
        if edit_log_of(document)?.get().meets(&spans) {
            return Ok(None);
        }
        self.apply_tagged(py, document, presence, text, tagged)?;
        Ok(Some(counts))
    }

    /// The step's finder on the core, made as it is first asked for; None: Python's.
    fn finder<'a>(&self, py: Python<'_>, step: &'a RunStep) -> PyResult<Option<&'a Finder>> {
        if let Some(finder) = step.finder.get() {
            return Ok(finder.as_ref());
        }
        let form = step.step.bind(py).call_method0("native_finder")?;
        let finder = if form.is_none() {
            None
        } else if let Ok(pattern) = form.downcast::<Pattern>() {
            Some(Finder::Pattern(pattern.clone().unbind()))
        } else {
            Some(Finder::CharMap(
                form.downcast::<CharMap>()?.clone().unbind(),
            ))
        };
        Ok(step.finder.get_or_init(|| finder).as_ref())
    }

    /// One step on the document's `text`: its replacements applied, and applied again while
    /// they change it (an inline step).
    #[allow(clippy::too_many_arguments)]
    fn evaluate(
        &self,
        py: Python<'_>,
        step: &RunStep,
        document: &Bound<'_, PyAny>,
        presence: &Bound<'_, PyAny>,
        text: &Bound<'_, PyString>,
        current: &mut Current,
        timeout: Option<f64>,
    ) -> PyResult<Outcome> {
        let found = match self.found(py, step, document, text, current)? {
            Search::Nothing => return Ok(Outcome::Quiet),
            Search::Python => return Ok(Outcome::Python),
            Search::Found(found) => found,
        };
        let mut applied = self.apply(py, step, document, presence, text, found)?;
        if applied == 0 {
            return Ok(Outcome::Applied(0));
        }
        for _ in 0..step.repeats {
            let text = text_of(document)?;
            let again = match self.found(py, step, document, &text, current)? {
                Search::Nothing => break,
                Search::Found(found) => found,
                // The core leaves the new text to Python: the step's own search, as
                // `InlineStep.apply` makes it (a time-out ends the repeats, as there).
                Search::Python => {
                    let continues = document.getattr("continues")?;
                    match step
                        .step
                        .bind(py)
                        .call_method1("find", (&text, timeout, continues))
                    {
                        Ok(found) => found
                            .downcast_into::<PyList>()?
                            .iter()
                            .map(|entry| {
                                let (start, end, new, _): (usize, usize, String, Bound<'_, PyAny>) =
                                    entry.extract()?;
                                Ok((start, end, new))
                            })
                            .collect::<PyResult<Vec<_>>>()?,
                        Err(error) if error.is_instance_of::<PyTimeoutError>(py) => break,
                        Err(error) => return Err(error),
                    }
                }
            };
            let more = self.apply(py, step, document, presence, &text, again)?;
            if more == 0 {
                break;
            }
            applied += more;
        }
        Ok(Outcome::Applied(applied))
    }

    /// The step's replacements in `text` (in its regions, the first claim to a stretch winning,
    /// as `Step.find` has them).
    fn found(
        &self,
        py: Python<'_>,
        step: &RunStep,
        document: &Bound<'_, PyAny>,
        text: &Bound<'_, PyString>,
        current: &mut Current,
    ) -> PyResult<Search> {
        let length = text.len()?;
        if !step.finds {
            // A table of what the step may change: a text without any of it is left as it is.
            return Ok(match self.finder(py, step)? {
                Some(Finder::CharMap(table)) if !table.get().holds_any_in(text) => Search::Nothing,
                _ => Search::Python,
            });
        }
        if step.parts.is_empty() {
            return self.found_in(py, step, text, current, 0, length);
        }
        // The regions as `Where.regions` has them: a window that goes on before (after) the
        // text has no head (tail).
        let (before, after): (bool, bool) = document.getattr("continues")?.extract()?;
        let parts: Vec<(bool, usize, usize)> = step
            .parts
            .iter()
            .copied()
            .filter(|&(head, _, _)| if head { !before } else { !after })
            .collect();
        if parts.is_empty() {
            return Ok(Search::Nothing);
        }
        let read = current.read(py, &self.reader, text)?;
        let read = read.bind(py).get();
        if read.readable_str(py).is_none() {
            return Ok(Search::Python); // its blocks are Python's to find
        }
        let spans = regions(py, read, &parts);
        let mut found: Option<Vec<(usize, usize, String)>> = None; // None: nothing searched yet
        for (low, high) in spans {
            match self.found_in(py, step, text, current, low, high)? {
                Search::Python => return Ok(Search::Python),
                Search::Nothing => {}
                Search::Found(part) => {
                    let found = found.get_or_insert_with(Vec::new);
                    for replacement in part {
                        if found.last().is_none_or(|last| replacement.0 >= last.1) {
                            found.push(replacement);
                        }
                    }
                }
            }
        }
        Ok(found.map_or(Search::Nothing, Search::Found))
    }

    /// The step's replacements in `text[low:high]`.
    fn found_in(
        &self,
        py: Python<'_>,
        step: &RunStep,
        text: &Bound<'_, PyString>,
        current: &mut Current,
        low: usize,
        high: usize,
    ) -> PyResult<Search> {
        match self.finder(py, step)? {
            Some(Finder::Pattern(pattern)) => {
                let read = current.read(py, &self.reader, text)?;
                let read = read.bind(py).get();
                let pattern = pattern.get();
                // Most steps find nothing: the set's one pass, or a search without the groups a
                // replacement needs, says so.
                let whole = low == 0 && high == text.len()?;
                let member = match (&current.set, read.readable_str(py)) {
                    (Some(Some(set)), Some(plain)) if whole && pattern.reads_text(read) => {
                        let set = set.bind(py).get();
                        set.member(pattern).map(|(number, exact)| {
                            (set.matched(plain, &mut current.matches, number), exact)
                        })
                    }
                    _ => None,
                };
                match member {
                    Some((false, _)) => return Ok(Search::Nothing),
                    Some((true, true)) => {}
                    _ => {
                        if !pattern.may_find_in(py, read, low, high) {
                            return Ok(Search::Nothing);
                        }
                    }
                }
                Ok(searched(pattern.replacements(py, read, low, high)?))
            }
            // A table's characters not in the text: what the screen's check of it tells.
            Some(Finder::CharMap(table)) => {
                Ok(match table.get().replacements(text, low, high)? {
                    Some(found) if found.is_empty() => Search::Nothing,
                    found => searched(found),
                })
            }
            None => Ok(Search::Python),
        }
    }

    /// Applies the step's `found` (see `apply_tagged`).
    fn apply(
        &self,
        py: Python<'_>,
        step: &RunStep,
        document: &Bound<'_, PyAny>,
        presence: &Bound<'_, PyAny>,
        text: &Bound<'_, PyString>,
        found: Vec<(usize, usize, String)>,
    ) -> PyResult<usize> {
        let rule = step.rule.bind(py);
        let tagged = found
            .into_iter()
            .map(|(start, end, new)| (start, end, new, rule.clone()))
            .collect();
        self.apply_tagged(py, document, presence, text, tagged)
    }

    /// Applies `found`, each replacement with its rule, to the document as
    /// `Document.apply_tagged` does, and tells the presence of a change as `Presence.update`
    /// does (here where it only counts literals, else by calling it); how many replacements
    /// changed the text. Calling the two instead costs a document about 6 µs.
    fn apply_tagged(
        &self,
        py: Python<'_>,
        document: &Bound<'_, PyAny>,
        presence: &Bound<'_, PyAny>,
        text: &Bound<'_, PyString>,
        found: Vec<(usize, usize, String, Bound<'_, PyAny>)>,
    ) -> PyResult<usize> {
        if found.is_empty() {
            return Ok(0);
        }
        let tagged = PyList::empty(py);
        for (start, end, new, rule) in found {
            tagged.append(PyTuple::new(
                py,
                [
                    start.into_pyobject(py)?.into_any(),
                    end.into_pyobject(py)?.into_any(),
                    PyString::new(py, &new).into_any(),
                    rule,
                ],
            )?)?;
        }
        let applied = self.composed(py, document, &tagged)?;
        if applied > 0 {
            let new_text = text_of(document)?.into_any();
            if !self.counted(py, presence, &new_text, &tagged)? {
                presence.call_method1(intern!(py, "update"), (new_text, tagged, text))?;
            }
        }
        Ok(applied)
    }

    /// `Document.apply_tagged` of `tagged`, as there: the pass composed with the document's edits
    /// (`edit_log_of`), the document given the new text and log.
    fn composed(
        &self,
        py: Python<'_>,
        document: &Bound<'_, PyAny>,
        tagged: &Bound<'_, PyList>,
    ) -> PyResult<usize> {
        let source = document.getattr(intern!(py, "_source"))?;
        let (applied, new_text, new_log) = EditLog::compose(
            &edit_log_of(document)?,
            &text_of(document)?,
            source.downcast()?,
            tagged,
            self.applying.removals_of.bind(py),
            self.applying.credits.bind(py),
        )?;
        document.setattr(intern!(py, "_text"), new_text)?;
        document.setattr(intern!(py, "_edits"), new_log)?;
        Ok(applied)
    }

    /// `Presence.update` after a pass made `new_text`, where it only counts the literals around
    /// the edits (the presence remembers no screen check, and the core's scanner reads the
    /// stretches): false where Python's must run.
    fn counted(
        &self,
        py: Python<'_>,
        presence: &Bound<'_, PyAny>,
        new_text: &Bound<'_, PyAny>,
        tagged: &Bound<'_, PyList>,
    ) -> PyResult<bool> {
        if presence.getattr(intern!(py, "remembered"))?.is_truthy()? {
            return Ok(false);
        }
        let tally = presence
            .getattr(intern!(py, "_tally"))?
            .downcast_into::<Tally>()?;
        let scanner = self.applying.scanner.bind(py).borrow();
        let Some(new) = scanner.scan_edits_into(new_text.downcast()?, tagged, &tally)? else {
            return Ok(false);
        };
        if new {
            presence.setattr(intern!(py, "held"), tally.getattr(intern!(py, "held"))?)?;
            let found: usize = presence.getattr(intern!(py, "found"))?.extract()?;
            presence.setattr(intern!(py, "found"), found + 1)?;
        }
        Ok(true)
    }
}

/// A list of steps as `Stages` runs it: its run on the core, and the list itself, which the
/// hand-off to Python gets with the index of a step Python must evaluate.
struct Listed {
    run: Py<Run>,
    steps: Py<PyAny>,
}

/// One stage of a pipeline as `Stages` runs it.
struct Stage {
    /// Whether it is a repair stage, whose steps finding nothing mark the text unrepairable.
    repair: bool,
    /// At most this many passes (the strip stage's, while a pass removes something).
    passes: usize,
    /// Its steps; None where it has none.
    steps: Option<Listed>,
    /// Its steps that look at position or at other blocks (`Plan.context_of`), for the passes
    /// after the first; None where it has none.
    context: Option<Listed>,
}

/// What one document's run of the stages works with.
struct Cleaning<'a, 'py> {
    document: &'a Bound<'py, PyAny>,
    presence: &'a Bound<'py, PyAny>,
    /// `(steps, index, screened) -> (changes, index to go on from)`: Python's evaluation of a
    /// step the core hands on (`Pipeline._hand_off`).
    hand_off: &'a Bound<'py, PyAny>,
    /// The document's step timings by label, and what makes a new one (`StepTiming`).
    timings: &'a Bound<'py, PyDict>,
    new_timing: &'a Bound<'py, PyAny>,
    skipped: &'a Bound<'py, PySet>,
    timeout: Option<f64>,
    /// What is known of the text as it is, kept from one run to the next.
    current: Current,
}

impl Cleaning<'_, '_> {
    /// Counts an evaluation of the step `label` (`_timing(timings, label).add(seconds, changes)`).
    fn note(&self, label: &Bound<'_, PyAny>, seconds: f64, changes: usize) -> PyResult<()> {
        let timing = match self.timings.get_item(label)? {
            Some(timing) => timing,
            None => {
                let timing = self.new_timing.call0()?;
                self.timings.set_item(label, &timing)?;
                timing
            }
        };
        timing.call_method1(intern!(label.py(), "add"), (seconds, changes))?;
        Ok(())
    }
}

/// A pipeline's stages under one layout on the core: `Pipeline._run_rounds` in one call per
/// document, each list of steps run by its `Run`, and each step a run hands on evaluated by
/// Python (`Pipeline._hand_off`). The Python engine's `_run_rounds` stays the reference: the
/// same stages, passes and rounds, each list's steps evaluated in `Pipeline._run_rules`.
#[pyclass(frozen, module = "cleantext._native")]
pub struct Stages {
    stages: Vec<Stage>,
    /// Which stage's steps look once more at the end of a round: the first repair stage's.
    repair: Option<usize>,
    /// At most this many rounds of the stages (`PIPELINE_ROUNDS`).
    rounds: usize,
    /// The label the screen's time is counted under (`pipeline.SCREEN`).
    screen_label: Py<PyString>,
}

/// A stage as `Stages` is given it: whether it is a repair stage, its passes, and its run and
/// list, then those of its context steps (a run None for an empty list).
type StageSpec = (
    bool,
    usize,
    Option<Py<Run>>,
    Py<PyAny>,
    Option<Py<Run>>,
    Py<PyAny>,
);

#[pymethods]
impl Stages {
    #[new]
    fn new(stages: Vec<StageSpec>, rounds: usize, screen_label: Py<PyString>) -> Self {
        let listed = |run: Option<Py<Run>>, steps: Py<PyAny>| run.map(|run| Listed { run, steps });
        let stages: Vec<Stage> = stages
            .into_iter()
            .map(
                |(repair, passes, run, steps, context_run, context_steps)| Stage {
                    repair,
                    passes,
                    steps: listed(run, steps),
                    context: listed(context_run, context_steps),
                },
            )
            .collect();
        Stages {
            repair: stages.iter().position(|stage| stage.repair),
            stages,
            rounds,
            screen_label,
        }
    }

    /// Runs the stages from `first_stage` on, then all of them again while the repair steps
    /// find more, on `document` and its `presence` (see `Run::run`); `hand_off`, `timings`,
    /// `new_timing`: see `Cleaning`; `skipped`: labels not to evaluate (timed out).
    #[pyo3(signature = (document, presence, first_stage, hand_off, timings, new_timing, skipped, timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        py: Python<'_>,
        document: &Bound<'_, PyAny>,
        presence: &Bound<'_, PyAny>,
        first_stage: usize,
        hand_off: &Bound<'_, PyAny>,
        timings: &Bound<'_, PyDict>,
        new_timing: &Bound<'_, PyAny>,
        skipped: &Bound<'_, PySet>,
        timeout: Option<f64>,
    ) -> PyResult<()> {
        let mut cleaning = Cleaning {
            document,
            presence,
            hand_off,
            timings,
            new_timing,
            skipped,
            timeout,
            current: Current::default(),
        };
        let mut unrepairable: Option<Bound<'_, PyString>> = None; // a text the repair steps found nothing in
        for round in 1..=self.rounds {
            let from = if round == 1 { first_stage } else { 0 };
            for stage in self.stages.iter().skip(from) {
                // A removal moves other blocks into a rule's head or tail window, so the strip
                // stage runs again, its steps that look at position or other blocks, until it
                // removes nothing more.
                for number in 0..stage.passes {
                    let todo = if number == 0 {
                        &stage.steps
                    } else {
                        &stage.context
                    };
                    let before = text_of(document)?;
                    if self.run_listed(py, todo.as_ref(), &mut cleaning)? == 0 {
                        if stage.repair {
                            unrepairable = Some(before);
                        }
                        break;
                    }
                }
            }
            // The repair steps look once more (`Pipeline._run_rounds`), but not on the very
            // text they found nothing in.
            let Some(repair) = self.repair else {
                break;
            };
            let now = text_of(document)?;
            if round == self.rounds || unrepairable.as_ref().is_some_and(|text| text.is(&now)) {
                break;
            }
            if self.run_listed(py, self.stages[repair].steps.as_ref(), &mut cleaning)? == 0 {
                break;
            }
        }
        Ok(())
    }
}

impl Stages {
    /// One list of steps on the document (`Pipeline._run_rules` on the core): its run from the
    /// first step, each step it hands on evaluated by Python, the run going on after it; how many
    /// replacements changed the text.
    fn run_listed(
        &self,
        py: Python<'_>,
        listed: Option<&Listed>,
        cleaning: &mut Cleaning<'_, '_>,
    ) -> PyResult<usize> {
        let Some(listed) = listed else {
            return Ok(0);
        };
        let run = listed.run.bind(py).get();
        let steps = listed.steps.bind(py);
        let mut changes = 0;
        let mut start = 0;
        loop {
            let (applied, next, spent, screen_seconds, screened) = run.run(
                py,
                cleaning.document,
                cleaning.presence,
                (start, cleaning.skipped, cleaning.timeout),
                &mut cleaning.current,
            )?;
            changes += applied;
            for (index, seconds, changed) in spent {
                cleaning.note(run.steps[index].label.bind(py), seconds, changed)?;
            }
            if let Some(seconds) = screen_seconds {
                cleaning.note(self.screen_label.bind(py), seconds, 0)?;
            }
            let Some(index) = next else {
                return Ok(changes);
            };
            let (applied, after): (usize, usize) = cleaning
                .hand_off
                .call1((steps, index, screened))?
                .extract()?;
            changes += applied;
            start = after;
        }
    }
}
