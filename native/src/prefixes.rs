//! The words of the pre-pass (`LiteralScanner`): an Aho-Corasick automaton of their first
//! bytes, walked over a text in several stretches at once.
//!
//! A walk of an automaton is a chain of loads, each of which waits for the one before: a
//! byte costs the latency of a load, more where the state is not in the cache (the automaton
//! of the built-in words takes 3 MB). Four walks over four stretches of the text, stepped in
//! turn, wait for their loads together, and read a text in about half the time of the crate's
//! own overlapping search. A stretch starts as far before its share of the text as a prefix
//! is long, less one, so that every prefix that ends in its share is seen whole.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::contiguous;
use aho_corasick::{dfa, Anchored, MatchKind};

/// At most this many bytes of a word go into the automaton. An automaton of the two thousand
/// words of the built-in rules in full takes 12 MB, whose states a document's scan reads
/// scattered, from memory; of their first eight bytes, 3 MB, and the words that follow
/// a prefix found are compared in full (about one in ten does not).
pub(crate) const WORD_PREFIX: usize = 8;

/// How many stretches of a text are walked at once.
const WALKS: usize = 4;

/// A text shorter than this is walked in one stretch.
const SPLIT_ABOVE: usize = 256;

/// What the caller of `Prefixes::each` makes of a prefix found.
pub(crate) enum Heard {
    /// Report it again where it occurs again.
    More,
    /// Not again: each of its words is found.
    Spent,
    /// Report no prefix more.
    Enough,
}

/// The automaton: a DFA, or where the DFA would be too large, the contiguous NFA.
enum Walker {
    Dfa(dfa::DFA),
    Nfa(contiguous::NFA),
}

/// The distinct prefixes of a set of words, each with the words it starts.
pub(crate) struct Prefixes {
    walker: Walker,
    /// Per prefix number: the indices of the words it starts.
    words_of: Vec<Vec<usize>>,
}

impl Prefixes {
    /// The automaton of the first `WORD_PREFIX` bytes of `words` (non-empty); None without words.
    pub(crate) fn new(words: &[&[u8]]) -> Result<Option<Self>, String> {
        if words.is_empty() {
            return Ok(None);
        }
        let mut prefixes: Vec<&[u8]> = Vec::new();
        let mut words_of: Vec<Vec<usize>> = Vec::new();
        let mut numbers: std::collections::HashMap<&[u8], usize> = Default::default();
        for (index, word) in words.iter().enumerate() {
            let prefix = &word[..word.len().min(WORD_PREFIX)];
            let number = *numbers.entry(prefix).or_insert_with(|| {
                prefixes.push(prefix);
                words_of.push(Vec::new());
                words_of.len() - 1
            });
            words_of[number].push(index);
        }
        // No prefilter: the walk below steps the automaton itself, and prose starts a prefix
        // at nearly every byte.
        let walker = match dfa::DFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&prefixes)
        {
            Ok(automaton) => Walker::Dfa(automaton),
            Err(_) => Walker::Nfa(
                contiguous::NFA::builder()
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(&prefixes)
                    .map_err(|error| error.to_string())?,
            ),
        };
        Ok(Some(Prefixes { walker, words_of }))
    }

    /// Calls `found(start, words)` for every prefix that occurs in `text`, with where it starts and
    /// the indices of the words it starts (a prefix may be reported more than once, or in
    /// another order than the text's), until it answers `Heard::Enough`; a prefix it answers
    /// `Heard::Spent` for is not reported again.
    pub(crate) fn each(&self, text: &[u8], found: &mut impl FnMut(usize, &[usize]) -> Heard) {
        match &self.walker {
            Walker::Dfa(automaton) => self.walk(automaton, text, found),
            Walker::Nfa(automaton) => self.walk(automaton, text, found),
        }
    }

    fn walk<A: Automaton>(
        &self,
        automaton: &A,
        text: &[u8],
        found: &mut impl FnMut(usize, &[usize]) -> Heard,
    ) {
        let Ok(start) = automaton.start_state(Anchored::No) else {
            return;
        };
        // The prefixes not to report again, a bit each (made at the first): in prose most
        // reports are of a few short words ("in", "at") the caller has seen already.
        let mut spent: Vec<u64> = Vec::new();
        // Reports the prefixes of a match state entered at byte `at`; false: stop.
        let mut report = |state: StateID, at: usize| -> bool {
            for index in 0..automaton.match_len(state) {
                let pattern = automaton.match_pattern(state, index);
                let number = pattern.as_usize();
                if spent
                    .get(number / 64)
                    .is_some_and(|bits| bits & (1 << (number % 64)) != 0)
                {
                    continue;
                }
                let begins = at + 1 - automaton.pattern_len(pattern);
                match found(begins, &self.words_of[number]) {
                    Heard::Enough => return false,
                    Heard::Spent => {
                        if spent.is_empty() {
                            spent = vec![0; self.words_of.len().div_ceil(64)];
                        }
                        spent[number / 64] |= 1 << (number % 64);
                    }
                    Heard::More => {}
                }
            }
            true
        };
        let matches = |state: StateID| automaton.is_special(state) && automaton.is_match(state);
        let mut states = [start; WALKS];
        // A short text is one stretch: the first, the others empty.
        let (mut positions, ends) = if text.len() < SPLIT_ABOVE {
            ([0, text.len(), text.len(), text.len()], [text.len(); WALKS])
        } else {
            let share = text.len().div_ceil(WALKS);
            (
                std::array::from_fn(|walk| (walk * share).saturating_sub(WORD_PREFIX - 1)),
                std::array::from_fn(|walk| ((walk + 1) * share).min(text.len())),
            )
        };
        // The stretches in step, as long as the shortest lasts.
        let together = (0..WALKS)
            .map(|walk| ends[walk] - positions[walk])
            .min()
            .unwrap_or(0);
        let [first, second, third, fourth]: [&[u8]; WALKS] =
            std::array::from_fn(|walk| &text[positions[walk]..positions[walk] + together]);
        let bytes = first.iter().zip(second).zip(third).zip(fourth);
        for (step, (((&one, &two), &three), &four)) in bytes.enumerate() {
            for (walk, byte) in [one, two, three, four].into_iter().enumerate() {
                states[walk] = automaton.next_state(Anchored::No, states[walk], byte);
            }
            for walk in 0..WALKS {
                if matches(states[walk]) && !report(states[walk], positions[walk] + step) {
                    return;
                }
            }
        }
        for position in &mut positions {
            *position += together;
        }
        for walk in 0..WALKS {
            let mut state = states[walk];
            for (at, &byte) in text
                .iter()
                .enumerate()
                .take(ends[walk])
                .skip(positions[walk])
            {
                state = automaton.next_state(Anchored::No, state, byte);
                if matches(state) && !report(state, at) {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (start, word) the walk reports, sorted and without repeats.
    fn reported(words: &[&[u8]], text: &[u8]) -> Vec<(usize, usize)> {
        let prefixes = Prefixes::new(words).unwrap().unwrap();
        let mut seen = Vec::new();
        prefixes.each(text, &mut |start, found| {
            seen.extend(found.iter().map(|&word| (start, word)));
            Heard::More
        });
        seen.sort_unstable();
        seen.dedup();
        seen
    }

    #[test]
    fn the_stretches_together_see_every_prefix_once_at_least() {
        let words: [&[u8]; 4] = [b"subscribe to", b"subscriber", b"ab", b"xyz"];
        // Long enough to be walked in four stretches, with matches across their edges.
        let text: Vec<u8> = b"subscribe to ab xyz "
            .iter()
            .copied()
            .cycle()
            .take(1000)
            .collect();
        let mut expected = Vec::new();
        for start in 0..text.len() {
            for (index, word) in words.iter().enumerate() {
                let prefix = &word[..word.len().min(WORD_PREFIX)];
                if text[start..].starts_with(prefix) {
                    expected.push((start, index));
                }
            }
        }
        expected.sort_unstable();
        assert_eq!(reported(&words, &text), expected);
    }

    #[test]
    fn a_prefix_heard_as_spent_is_not_reported_again() {
        let words: [&[u8]; 2] = [b"in", b"inside"];
        let prefixes = Prefixes::new(&words).unwrap().unwrap();
        let text: Vec<u8> = b"in inside ".iter().copied().cycle().take(600).collect();
        let mut heard = Vec::new();
        prefixes.each(&text, &mut |start, found| {
            heard.push((start, found.to_vec()));
            if found == [0] {
                Heard::Spent
            } else {
                Heard::More
            }
        });
        // Each of the four stretches reports "in" once, then only "inside", at each of its 60
        // places (some twice, where the stretches overlap).
        let ins = heard.iter().filter(|(_, found)| found == &[0]).count();
        let mut insides: Vec<usize> = heard
            .iter()
            .filter(|(_, found)| found == &[1])
            .map(|&(start, _)| start)
            .collect();
        insides.sort_unstable();
        insides.dedup();
        assert!((1..=4).contains(&ins), "{ins}");
        assert_eq!(insides.len(), 60);
    }

    #[test]
    fn a_short_text_is_walked_whole() {
        let words: [&[u8]; 2] = [b"by the", b"the"];
        assert_eq!(reported(&words, b"by the way"), vec![(0, 0), (3, 1)]);
    }
}
