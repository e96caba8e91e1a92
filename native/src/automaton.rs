//! The `regex` crate's automata, given a prefilter on the bytes a match can start with where
//! the crate finds none of its own.
//!
//! The crate skips ahead to a match's possible start with its literal prefilters: `memchr` on
//! a literal, Teddy on a few. A pattern that starts with a large class (`\d` spelled out as
//! Unicode's 680 digits, the repair rules' classes of mojibake characters) gets none, and the
//! lazy DFA then reads every byte of the text, at some 1.6 ns a byte on the benchmarks' articles.
//! The UTF-8 bytes such a match can start with are few (a class of non-ASCII characters has a
//! handful of lead bytes; the digits ten ASCII ones and eight others): a prefilter on them
//! skips the rest of the text, and the same search reads 0.03-0.4 ns a byte. Only the start is
//! skipped to: what matches is the crate's to say, so the answers are the crate's own.

use regex_automata::hybrid;
use regex_automata::nfa::thompson::{self, backtrack, pikevm};
use regex_automata::util::captures::Captures;
use regex_automata::util::pool::Pool;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{meta, Anchored, Input, MatchKind, PatternID, PatternSet};

/// The spans of a match's groups, in bytes (None: the group took no part).
pub(crate) type GroupSpans = Vec<Option<(usize, usize)>>;

/// The spans of every group of a match.
fn group_spans(captures: &Captures) -> GroupSpans {
    (0..captures.group_len())
        .map(|group| captures.get_group(group).map(|span| (span.start, span.end)))
        .collect()
}

/// Which patterns of a set match somewhere in a text.
pub(crate) type Matches = PatternSet;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// At most this many ASCII bytes among those a match can start with, for a prefilter on them:
/// more, and they are in every line of prose (where a start on one fails, the prefilter is
/// asked again, at a cost per call).
const ASCII_STARTS: usize = 16;

/// How many bytes from where a search starts are looked at to tell whether the bytes a match
/// starts with are crowded there (see `Skipping`).
const CROWD_SAMPLE: usize = 64;

/// The bytes a match starts with are crowded where more than one in this many bytes is one.
const CROWDED_ONE_IN: usize = 8;

/// A pattern whose search skips to the bytes a match starts with (`selective_starts`), and the
/// same without the skipping. A byte prefilter pays where those bytes are rare (a mojibake
/// gate's lead bytes in English), and costs several times the automaton's own pass where they
/// are everywhere (the same lead bytes in Cyrillic, every other byte): the search stops at each
/// one, tries the automaton and starts over. Where the bytes at a search's start are crowded,
/// the automaton reads the haystack itself.
struct Skipping {
    /// The pattern without the prefilter.
    plain: meta::Regex,
    /// The bytes a match starts with.
    starts: Box<[bool; 256]>,
}

impl Skipping {
    /// Whether the bytes a match starts with are crowded from byte `from` of `haystack`.
    fn crowded(&self, haystack: &[u8], from: usize) -> bool {
        let sample = &haystack[from.min(haystack.len())..(from + CROWD_SAMPLE).min(haystack.len())];
        let starting = sample
            .iter()
            .filter(|&&byte| self.starts[byte as usize])
            .count();
        starting * CROWDED_ONE_IN > sample.len()
    }
}

/// The bytes a match of `hir` can start with, when it cannot be empty; None where it can.
fn first_bytes(hir: &Hir) -> Option<[bool; 256]> {
    let mut bytes = [false; 256];
    (!starts(hir, &mut bytes)).then_some(bytes)
}

/// Adds to `bytes` those a match of `hir` can start with; true when the match can be empty
/// (then what follows it can start the match too).
fn starts(hir: &Hir, bytes: &mut [bool; 256]) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => match literal.0.first() {
            Some(&first) => {
                bytes[first as usize] = true;
                false
            }
            None => true,
        },
        HirKind::Class(Class::Bytes(class)) => {
            for range in class.iter() {
                for byte in range.start()..=range.end() {
                    bytes[byte as usize] = true;
                }
            }
            class.ranges().is_empty()
        }
        HirKind::Class(Class::Unicode(class)) => {
            for range in class.iter() {
                for (low, high) in utf8_lead_ranges(range.start(), range.end()) {
                    for byte in low..=high {
                        bytes[byte as usize] = true;
                    }
                }
            }
            class.ranges().is_empty()
        }
        HirKind::Repetition(repetition) => starts(&repetition.sub, bytes) || repetition.min == 0,
        HirKind::Capture(capture) => starts(&capture.sub, bytes),
        HirKind::Concat(parts) => parts.iter().all(|part| starts(part, bytes)),
        HirKind::Alternation(branches) => {
            // Every branch adds its bytes: no stopping at the first that can be empty.
            let mut empty = false;
            for branch in branches {
                empty |= starts(branch, bytes);
            }
            empty
        }
    }
}

/// The ranges of the first UTF-8 bytes of the characters `low..=high`: within one encoded
/// length, the first byte grows with the character.
fn utf8_lead_ranges(low: char, high: char) -> Vec<(u8, u8)> {
    const LENGTHS: [(u32, u32); 4] = [
        (0, 0x7F),
        (0x80, 0x7FF),
        (0x800, 0xFFFF),
        (0x10000, 0x10FFFF),
    ];
    let lead = |point: u32| {
        let mut buffer = [0u8; 4];
        char::from_u32(point).map(|character| character.encode_utf8(&mut buffer).as_bytes()[0])
    };
    let (low, high) = (low as u32, high as u32);
    LENGTHS
        .iter()
        .filter_map(|&(first, last)| {
            // The ends of a class's range, and of each encoded length, are characters.
            Some((lead(low.max(first))?, lead(high.min(last))?))
                .filter(|_| low.max(first) <= high.min(last))
        })
        .collect()
}

/// Whether the crate finds a literal prefilter of its own for `hir` (as `regex-automata`'s
/// `prefixes` does: the prefixes, at its default limits, optimized for a leftmost-first search).
fn has_own_prefilter(hir: &Hir) -> bool {
    let mut extractor = Extractor::new();
    extractor.kind(ExtractKind::Prefix);
    let mut prefixes = extractor.extract(hir);
    prefixes.optimize_for_prefix_by_preference();
    prefixes.literals().is_some_and(|literals| {
        !literals.is_empty() && literals.iter().all(|literal| !literal.is_empty())
    })
}

/// The bytes a match of `hir` starts with, when a prefilter on them is worth asking: the
/// crate has none of its own, a match cannot be empty, and few ASCII bytes start one (no
/// lower-case letter, space or line break, which prose is made of).
pub(crate) fn selective_starts(hir: &Hir) -> Option<[bool; 256]> {
    if has_own_prefilter(hir) {
        return None;
    }
    let bytes = first_bytes(hir)?;
    let ascii: Vec<u8> = (0u8..0x80).filter(|&byte| bytes[byte as usize]).collect();
    let prose = |byte: &u8| byte.is_ascii_lowercase() || matches!(byte, b' ' | b'\n' | b'\t');
    if ascii.len() > ASCII_STARTS || ascii.iter().any(prose) {
        return None;
    }
    Some(bytes)
}

/// A prefilter on any of the bytes `starts` marks.
fn prefilter_on(kind: MatchKind, starts: &[bool; 256]) -> Option<Prefilter> {
    let needles: Vec<[u8; 1]> = (0u8..=255)
        .filter(|&byte| starts[byte as usize])
        .map(|byte| [byte])
        .collect();
    Prefilter::new(kind, &needles)
}

/// `hirs` compiled as `regex::RegexBuilder` with these limits (NFA bytes, lazy DFA cache bytes)
/// does, with a prefilter on the bytes `starts` marks where there are any; then also without
/// it, for haystacks where those bytes are crowded (see `Skipping`).
fn compiled(
    hirs: &[Hir],
    kind: MatchKind,
    (nfa_bytes, cache_bytes): (usize, usize),
    starts: Option<[bool; 256]>,
) -> Result<(meta::Regex, Option<Skipping>), String> {
    let prefilter = starts
        .as_ref()
        .and_then(|starts| prefilter_on(kind, starts));
    let config = meta::Config::new()
        .match_kind(kind)
        .utf8_empty(true)
        .nfa_size_limit(Some(nfa_bytes))
        .hybrid_cache_capacity(cache_bytes);
    let build = |config: meta::Config| {
        meta::Builder::new()
            .configure(config)
            .build_many_from_hir(hirs)
            .map_err(|error| error.to_string())
    };
    let skipping = match (&prefilter, starts) {
        (Some(_), Some(starts)) => Some(Skipping {
            plain: build(config.clone().auto_prefilter(false))?,
            starts: Box::new(starts),
        }),
        _ => None,
    };
    Ok((build(config.prefilter(prefilter))?, skipping))
}

/// The engine for a search of `haystack` from byte `from`: `regex`, which skips, unless the
/// bytes it skips to are crowded there.
fn engine_for<'a>(
    regex: &'a meta::Regex,
    skipping: &'a Option<Skipping>,
    haystack: &str,
    from: usize,
) -> &'a meta::Regex {
    match skipping {
        Some(skipping) if skipping.crowded(haystack.as_bytes(), from) => &skipping.plain,
        _ => regex,
    }
}

/// What one search of a `Forward` engine needs for itself.
struct ForwardCache {
    dfa: hybrid::dfa::Cache,
    pikevm: pikevm::Cache,
    backtrack: backtrack::Cache,
}

type MakeForwardCache = Box<dyn Fn() -> ForwardCache + Send + Sync>;

/// The engines of a pattern whose every match starts where the haystack does (`\A`, `^`): a
/// forward lazy DFA finds where a match ends, and the bounded backtracker (the PikeVM where the
/// match is too long for it) its groups, within it. Where a match starts is known, so the
/// reverse automaton the crate's meta engine builds for every pattern, to find it, is not
/// built: it is about half of what building one of the line rules' patterns takes (counted
/// repetitions of large classes, `[\p{L}...]{0,40}`, built twice). The answers are the meta
/// engine's: it finds a match this way too, from a known start, and falls back to the PikeVM
/// as here where the lazy DFA gives up.
struct Forward {
    dfa: hybrid::dfa::DFA,
    pikevm: pikevm::PikeVM,
    backtrack: backtrack::BoundedBacktracker,
    caches: Pool<ForwardCache, MakeForwardCache>,
}

impl Forward {
    /// The engines of `hir` (a pattern anchored at the haystack's start) with these limits, as
    /// `compiled` configures the meta engine; None where one cannot be built.
    fn new(hir: &Hir, (nfa_bytes, cache_bytes): (usize, usize)) -> Option<Self> {
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .nfa_size_limit(Some(nfa_bytes))
                    .shrink(false),
            )
            .build_from_hir(hir)
            .ok()?;
        let dfa = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::Config::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .unicode_word_boundary(true)
                    .cache_capacity(cache_bytes)
                    .minimum_cache_clear_count(Some(3))
                    .minimum_bytes_per_state(Some(10)),
            )
            .build_from_nfa(nfa.clone())
            .ok()?;
        let pikevm = pikevm::PikeVM::new_from_nfa(nfa.clone()).ok()?;
        let backtrack = backtrack::BoundedBacktracker::new_from_nfa(nfa).ok()?;
        let (for_dfa, for_pikevm, for_backtrack) = (dfa.clone(), pikevm.clone(), backtrack.clone());
        let make: MakeForwardCache = Box::new(move || ForwardCache {
            dfa: for_dfa.create_cache(),
            pikevm: for_pikevm.create_cache(),
            backtrack: for_backtrack.create_cache(),
        });
        Some(Forward {
            dfa,
            pikevm,
            backtrack,
            caches: Pool::new(make),
        })
    }

    /// The match that starts at byte `at` of `haystack` (what is before it is seen by the
    /// assertions), and with `groups`, the spans of its groups.
    fn search(
        &self,
        haystack: &str,
        at: usize,
        groups: bool,
    ) -> Option<(usize, usize, Option<GroupSpans>)> {
        let input = Input::new(haystack).range(at..).anchored(Anchored::Yes);
        let mut cache = self.caches.get();
        let end = match self.dfa.try_search_fwd(&mut cache.dfa, &input) {
            Ok(found) => found?.offset(),
            // The lazy DFA gave up (its cache cleared too often) or met a character its
            // Unicode word boundary cannot judge: the PikeVM finds the match.
            Err(_) => {
                let mut slots = [None, None];
                self.pikevm
                    .search_slots(&mut cache.pikevm, &input, &mut slots)?;
                slots[1]?.get()
            }
        };
        if !groups {
            return Some((at, end, None));
        }
        let mut captures = Captures::all(self.pikevm.get_nfa().group_info().clone());
        let within = input.span(at..end);
        let backtracked = end - at <= self.backtrack.max_haystack_len()
            && self
                .backtrack
                .try_search(&mut cache.backtrack, &within, &mut captures)
                .is_ok();
        if !backtracked {
            self.pikevm
                .search(&mut cache.pikevm, &within, &mut captures);
        }
        let whole = captures.get_match()?;
        Some((whole.start(), whole.end(), Some(group_spans(&captures))))
    }
}

fn parse(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .utf8(true)
        .build()
        .parse(pattern)
        .map_err(|error| error.to_string())
}

/// One compiled pattern: `regex::Regex`'s engine and configuration, with the prefilter above.
pub(crate) struct Automaton {
    engines: Engines,
    source: String,
    /// The fewest and the most bytes a match has, if known.
    lengths: (Option<usize>, Option<usize>),
    /// For a pattern whose every match starts where the haystack does (`^`, `\A`), and is not
    /// empty: the bytes it starts with. A line whose first byte is not one is not searched.
    anchored_starts: Option<Box<[bool; 256]>>,
}

/// How an `Automaton` searches.
enum Engines {
    /// The crate's meta engine, as `regex::Regex` has it; for a pattern whose search skips to the
    /// bytes a match starts with (see `selective_starts`), the same without skipping, for
    /// crowded haystacks.
    Meta(meta::Regex, Option<Skipping>),
    /// A pattern anchored at the haystack's start (see `Automaton::anchored_starts`).
    Forward(Box<Forward>),
}

impl Automaton {
    /// Compiles `pattern` as `regex::RegexBuilder` with these limits does.
    pub(crate) fn new(pattern: &str, nfa_bytes: usize, cache_bytes: usize) -> Result<Self, String> {
        let hir = parse(pattern)?;

        let lengths = (
            hir.properties().minimum_len(),
            hir.properties().maximum_len(),
        );
        let anchored_starts = hir
            .properties()
            .look_set_prefix()
            .contains(Look::Start)
            .then(|| first_bytes(&hir).map(Box::new))
            .flatten();
        let forward = anchored_starts
            .as_ref()
            .and_then(|_| Forward::new(&hir, (nfa_bytes, cache_bytes)));
        let engines = match forward {
            Some(forward) => Engines::Forward(Box::new(forward)),
            None => {
                let (regex, skipping) = compiled(
                    std::slice::from_ref(&hir),
                    MatchKind::LeftmostFirst,
                    (nfa_bytes, cache_bytes),
                    selective_starts(&hir),
                )?;
                Engines::Meta(regex, skipping)
            }
        };
        Ok(Automaton {
            engines,
            source: pattern.to_owned(),
            lengths,
            anchored_starts,
        })
    }

    /// False where a search from byte `from` surely finds nothing without asking the engine: a
    /// pattern anchored at the haystack's start whose first byte cannot start a match.
    fn may_start(&self, haystack: &str, from: usize) -> bool {
        let Some(starts) = &self.anchored_starts else {
            return true;
        };
        from == 0
            && haystack
                .as_bytes()
                .first()
                .is_some_and(|&byte| starts[byte as usize])
    }

    /// Whether the search skips to the few bytes a match can start with: such patterns make a
    /// set that skips too (see `AutomatonSet`), where one that reads every byte would make the
    /// set's pass read every byte.
    pub(crate) fn skips(&self) -> bool {
        matches!(self.engines, Engines::Meta(_, Some(_)))
    }

    /// The fewest and the most bytes (UTF-8) a match has, if known.
    pub(crate) fn lengths(&self) -> (Option<usize>, Option<usize>) {
        self.lengths
    }

    /// The pattern as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern matches somewhere in `haystack`.
    pub(crate) fn is_match(&self, haystack: &str) -> bool {
        if !self.may_start(haystack, 0) {
            return false;
        }
        match &self.engines {
            Engines::Meta(regex, skipping) => {
                engine_for(regex, skipping, haystack, 0).is_match(Input::new(haystack))
            }
            Engines::Forward(forward) => forward.search(haystack, 0, false).is_some(),
        }
    }

    /// The first match that starts at byte `from` or later (what is before `from` is seen by
    /// the assertions), in bytes.
    pub(crate) fn find_at(&self, haystack: &str, from: usize) -> Option<(usize, usize)> {
        if !self.may_start(haystack, from) {
            return None;
        }
        match &self.engines {
            Engines::Meta(regex, skipping) => engine_for(regex, skipping, haystack, from)
                .search(&Input::new(haystack).range(from..))
                .map(|found| (found.start(), found.end())),
            // Every match starts at 0, where `may_start` let the search begin.
            Engines::Forward(forward) => forward
                .search(haystack, from, false)
                .map(|(start, end, _)| (start, end)),
        }
    }

    /// The match that starts at byte `at` of `haystack`, if one does (what is before `at` is
    /// seen by the assertions): its span and, when `groups`, the spans of every group.
    pub(crate) fn found_at(
        &self,
        haystack: &str,
        at: usize,
        groups: bool,
    ) -> Option<(usize, usize, Option<GroupSpans>)> {
        let regex = match &self.engines {
            Engines::Meta(regex, _) => regex,
            Engines::Forward(forward) => return forward.search(haystack, at, groups),
        };
        let input = Input::new(haystack).range(at..).anchored(Anchored::Yes);
        if !groups {
            return regex
                .search(&input)
                .map(|found| (found.start(), found.end(), None));
        }
        let mut captures: Captures = regex.create_captures();
        regex.search_captures(&input, &mut captures);
        let whole = captures.get_match()?;
        Some((whole.start(), whole.end(), Some(group_spans(&captures))))
    }

    /// As `find_at`, with the spans of every group (None: the group took no part).
    pub(crate) fn captures_at(&self, haystack: &str, from: usize) -> Option<GroupSpans> {
        if !self.may_start(haystack, from) {
            return None;
        }
        let engine = match &self.engines {
            Engines::Meta(regex, skipping) => engine_for(regex, skipping, haystack, from),
            Engines::Forward(forward) => {
                return forward
                    .search(haystack, from, true)
                    .and_then(|found| found.2)
            }
        };
        let mut captures: Captures = engine.create_captures();
        engine.search_captures(&Input::new(haystack).range(from..), &mut captures);
        captures.is_match().then(|| group_spans(&captures))
    }
}

/// Several patterns searched in one pass that tells which of them match somewhere.
pub(crate) struct AutomatonSet {
    regex: meta::Regex,
    /// The set without its prefilter, for crowded haystacks (see `Skipping`).
    skipping: Option<Skipping>,
}

impl AutomatonSet {
    /// The set of `patterns` (of automata that skip: see `Automaton::skips`), with a prefilter on
    /// the bytes any of them starts with.
    pub(crate) fn new(
        patterns: &[&str],
        nfa_bytes: usize,
        cache_bytes: usize,
    ) -> Result<Self, String> {
        let hirs = patterns
            .iter()
            .map(|pattern| parse(pattern))
            .collect::<Result<Vec<_>, _>>()?;
        let mut starts = [false; 256];
        let mut every_one_starts = true;
        for hir in &hirs {
            match first_bytes(hir) {
                Some(bytes) => (0..256).for_each(|byte| starts[byte] |= bytes[byte]),
                None => every_one_starts = false,
            }
        }
        let (regex, skipping) = compiled(
            &hirs,
            MatchKind::All,
            (nfa_bytes, cache_bytes),
            every_one_starts.then_some(starts),
        )?;
        Ok(AutomatonSet { regex, skipping })
    }

    /// The numbers of the patterns that match somewhere in `haystack`.
    pub(crate) fn matches(&self, haystack: &str) -> PatternSet {
        let engine = engine_for(&self.regex, &self.skipping, haystack, 0);
        let mut matched = PatternSet::new(engine.pattern_len());
        engine.which_overlapping_matches(&Input::new(haystack), &mut matched);
        matched
    }
}

/// Whether pattern `number` is among those `matched`.
pub(crate) fn matched(matched: &PatternSet, number: usize) -> bool {
    PatternID::new(number).is_ok_and(|id| matched.contains(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts_of(pattern: &str) -> Option<Vec<u8>> {
        first_bytes(&parse(pattern).unwrap())
            .map(|bytes| (0u8..=255).filter(|&b| bytes[b as usize]).collect())
    }

    #[test]
    fn the_first_bytes_of_a_class_are_its_characters_lead_bytes() {
        assert_eq!(
            starts_of("[\u{132}\u{133}\u{FB00}-\u{FB06}]x"),
            Some(vec![0xC4, 0xEF])
        );
        assert_eq!(starts_of(r"(?:ab)?c"), Some(vec![b'a', b'c']));
        assert_eq!(starts_of(r"\bx|y+"), Some(vec![b'x', b'y']));
        assert_eq!(starts_of(r"a*"), None);
        assert_eq!(starts_of(r"(?m:^)$"), None);
    }

    #[test]
    fn digits_get_a_prefilter_and_a_literal_keeps_its_own() {
        assert!(selective_starts(&parse(r"\d+km").unwrap()).is_some());
        assert!(selective_starts(&parse(r"minus \d").unwrap()).is_none());
        assert!(selective_starts(&parse(r"[a-z]+\d").unwrap()).is_none());
    }

    /// `ours` answers `is_match`, `find_at` and `captures_at` (group 0) from every position of
    /// `haystack` as the regex crate's `theirs` does.
    fn answers_as_the_crate(ours: &Automaton, theirs: &regex::Regex, haystack: &str) {
        let pattern = ours.as_str();
        assert_eq!(
            ours.is_match(haystack),
            theirs.is_match(haystack),
            "{pattern} in {haystack:?}"
        );
        for from in (0..=haystack.len()).filter(|&from| haystack.is_char_boundary(from)) {
            let expected = theirs.find_at(haystack, from).map(|m| (m.start(), m.end()));
            let context = format!("{pattern} in {haystack:?} from {from}");
            assert_eq!(ours.find_at(haystack, from), expected, "{context}");
            let spans = ours.captures_at(haystack, from).map(|groups| groups[0]);
            assert_eq!(spans, expected.map(Some), "{context}");
        }
    }

    #[test]
    fn a_pattern_that_skips_answers_as_the_crate_does_where_its_bytes_are_crowded_or_rare() {
        // Lead bytes of Cyrillic letters start a match: rare in English, every other byte in
        // Russian, where the search reads the haystack without skipping.
        let pattern = r"[\x{412}-\x{444}][\x{401}-\x{40C}]|\x{1A}";
        let ours = Automaton::new(pattern, 1 << 22, 1 << 23).unwrap();
        let theirs = regex::Regex::new(pattern).unwrap();
        let Engines::Meta(_, Some(skipping)) = &ours.engines else {
            panic!("a selective start");
        };
        let russian =
            "\u{412}\u{43e}\u{43b}\u{43e}\u{434}\u{438}\u{43c}\u{438}\u{440} \u{401}\u{436}";
        let english = "The council voted on Tuesday, \u{412}\u{401} and more words after it.";
        assert!(skipping.crowded(russian.as_bytes(), 0));
        assert!(!skipping.crowded(english.as_bytes(), 0));
        let mixed = format!("{english}{russian}{english}\x1A");
        let set = AutomatonSet::new(&[pattern, "\\d{4}"], 1 << 22, 1 << 23).unwrap();
        for haystack in [russian, english, mixed.as_str(), ""] {
            answers_as_the_crate(&ours, &theirs, haystack);
            assert_eq!(
                matched(&set.matches(haystack), 0),
                theirs.is_match(haystack)
            );
        }
    }

    #[test]
    fn a_pattern_anchored_at_the_start_answers_as_the_crate_does() {
        let patterns = [
            r"\A(?i:by)\s\w+",
            r"\A\s*[-_=\x{2014}]{3,}\z",
            r"^(?:Photo|\x{a9})",
            r"\A(?:x?)",
            r"(?m:^)By",
        ];
        let haystacks = [
            "By Jane Doe",
            "by the way",
            "Bylines",
            "  ---",
            "\u{2014}\u{2014}\u{2014}",
            "\u{a9} AP",
            "Photo: AP",
            "x By",
            "",
            "a\nBy",
        ];
        for pattern in patterns {
            let ours = Automaton::new(pattern, 1 << 22, 1 << 23).unwrap();
            let theirs = regex::Regex::new(pattern).unwrap();
            for haystack in haystacks {
                answers_as_the_crate(&ours, &theirs, haystack);
            }
        }
        // The first three skip the engine on a line that starts with another byte; the others
        // may match an empty start, or after a line break.
        let skipping: Vec<bool> = patterns
            .iter()
            .map(|pattern| {
                Automaton::new(pattern, 1 << 22, 1 << 23)
                    .unwrap()
                    .anchored_starts
                    .is_some()
            })
            .collect();
        assert_eq!(skipping, [true, true, true, false, false]);
    }

    #[test]
    fn a_pattern_anchored_at_the_start_is_searched_forward_only_with_the_crate_s_groups() {
        // The groups of a leftmost-first match, a Unicode word boundary the lazy DFA cannot
        // judge on non-ASCII text (its PikeVM then finds the match), a match longer than the
        // bounded backtracker takes (its groups are the PikeVM's).
        let long = format!("By {} Doe", "\u{e9}".repeat(5_000));
        let patterns = [
            r"\A(?i:by)\s+(?P<name>\w+)(?:\s+(?P<last>\w+))?",
            r"\A(a|ab)(c|bcd)?",
            r"\A\W{0,2}(?:(photo)|(image))s?\b",
            r"\A(?:By)\s(\p{L}+)\s(Doe)",
        ];
        let haystacks = [
            "By Jane Doe",
            "by \u{e9}mile Zola",
            "abcd",
            "ab",
            "-- photos: AP",
            "images\u{e9}",
            "images \u{e9}",
            long.as_str(),
            "x By",
        ];
        let mut past_backtracking = false;
        for pattern in patterns {
            let ours = Automaton::new(pattern, 1 << 22, 1 << 23).unwrap();
            let theirs = regex::Regex::new(pattern).unwrap();
            let Engines::Forward(forward) = &ours.engines else {
                panic!("{pattern}: not searched forward only");
            };
            past_backtracking |= long.len() > forward.backtrack.max_haystack_len();
            for haystack in haystacks {
                if haystack.len() < 100 {
                    answers_as_the_crate(&ours, &theirs, haystack); // from every position
                }
                let expected: Option<GroupSpans> = theirs.captures(haystack).map(|found| {
                    found
                        .iter()
                        .map(|group| group.map(|span| (span.start(), span.end())))
                        .collect()
                });
                let context = format!("{pattern} in {haystack:?}");
                assert_eq!(ours.captures_at(haystack, 0), expected, "{context}");
                let at_start = ours.found_at(haystack, 0, true);
                assert_eq!(at_start.and_then(|found| found.2), expected, "{context}");
                assert_eq!(ours.found_at(haystack, 1, true), None, "{context}");
            }
        }
        assert!(
            past_backtracking,
            "no match was too long for the bounded backtracker"
        );
    }

    #[test]
    fn a_prefilter_changes_no_answer() {
        let haystack = "It was 20\u{b0}C, \u{fb01}ne 5km a\u{f0}\u{9f}\u{98}\u{80} 7 km";
        for pattern in [r"\d+\s?km", r"[\u{FB00}-\u{FB06}]", r"\d+", r"\b\d\s*\p{L}"] {
            let ours = Automaton::new(pattern, 1 << 22, 1 << 23).unwrap();
            let theirs = regex::Regex::new(pattern).unwrap();
            for from in 0..=haystack.len() {
                if haystack.is_char_boundary(from) {
                    let expected = theirs.find_at(haystack, from).map(|m| (m.start(), m.end()));
                    assert_eq!(
                        ours.find_at(haystack, from),
                        expected,
                        "{pattern} from {from}"
                    );
                }
            }
        }
    }
}
