//! The words of the pre-pass (`LiteralScanner`): an Aho-Corasick automaton of their first
//! bytes, walked over a text in several stretches at once.
//!
//! A walk of an automaton is a chain of loads, each of which waits for the one before: a
//! byte costs the latency of a load, more where the state is not in the cache (the automaton
//! of the built-in words takes 1.5 MB: see `OWN_CODES`). Four walks over four stretches of
//! the text, stepped in turn, wait for their loads together, and read a text in about half
//! the time of the crate's own overlapping search. A stretch starts as far before its share of the text as a prefix
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

/// At most this many of the bytes the prefixes hold keep a code of their own in the automaton's
/// alphabet, the most used first; the others share one code per kind (ASCII, a byte that starts
/// a UTF-8 sequence, one that continues it). The DFA gives each state a row of transitions as
/// long as its classes of bytes rounded up to a power of two: the built-in words' 68 bytes made
/// 70 classes and rows of 128 (3 MB, more than this processor's second-level cache); 61 codes
/// make at most 63 classes, rows of 64 (1.5 MB).
const OWN_CODES: usize = 58;

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
    /// Per byte: its code in the automaton's alphabet (see `OWN_CODES`; 0: in no prefix).
    codes: [u8; 256],
    /// Per prefix number: the indices of the words it starts.
    words_of: Vec<Vec<usize>>,
}

/// The codes of the bytes of `prefixes` in the automaton's alphabet (see `OWN_CODES`): the
/// `OWN_CODES` most used bytes one each, the rest one per kind, a byte in no prefix 0.
fn alphabet(prefixes: &[&[u8]]) -> [u8; 256] {
    let mut uses = [0usize; 256];
    for &byte in prefixes.iter().copied().flatten() {
        uses[usize::from(byte)] += 1;
    }
    let mut used: Vec<u8> = (0..=u8::MAX)
        .filter(|&byte| uses[usize::from(byte)] > 0)
        .collect();
    used.sort_by_key(|&byte| (std::cmp::Reverse(uses[usize::from(byte)]), byte));
    let mut codes = [0u8; 256];
    let mut given = 0u8; // the last code given
    let mut shared = [0u8; 3]; // per kind (ASCII, a UTF-8 lead byte, a continuation byte): 0, none yet
    for (rank, &byte) in used.iter().enumerate() {
        let kind = match byte {
            0..=0x7F => 0,
            0xC0..=0xFF => 1,
            _ => 2,
        };
        codes[usize::from(byte)] = if rank < OWN_CODES || shared[kind] == 0 {
            given += 1;
            if rank >= OWN_CODES {
                shared[kind] = given;
            }
            given
        } else {
            shared[kind]
        };
    }
    codes
}

impl Prefixes {
    /// The automaton of the first `WORD_PREFIX` bytes of `words` (non-empty); None without words.
    pub(crate) fn new(words: &[&[u8]]) -> Result<Option<Self>, String> {
        if words.is_empty() {
            return Ok(None);
        }
        let heads: Vec<&[u8]> = words
            .iter()
            .map(|word| &word[..word.len().min(WORD_PREFIX)])
            .collect();
        let codes = alphabet(&heads);
        // The prefixes in the alphabet's codes: two that differ only in bytes of a shared code
        // are one, which starts the words of both.
        let mut prefixes: Vec<Vec<u8>> = Vec::new();
        let mut words_of: Vec<Vec<usize>> = Vec::new();
        let mut numbers: std::collections::HashMap<Vec<u8>, usize> = Default::default();
        for (index, head) in heads.iter().enumerate() {
            let coded: Vec<u8> = head.iter().map(|&byte| codes[usize::from(byte)]).collect();
            let number = *numbers.entry(coded).or_insert_with_key(|coded| {
                prefixes.push(coded.clone());
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
        Ok(Some(Prefixes {
            walker,
            codes,
            words_of,
        }))
    }

    /// Calls `found(start, words)` for every prefix that occurs in `text`, with where it starts and
    /// the indices of the words it starts (a prefix may be reported more than once, or in
    /// another order than the text's), until it answers `Heard::Enough`; a prefix it answers
    /// `Heard::Spent` for is not reported again. Where some bytes share a code (see
    /// `OWN_CODES`), a prefix is also reported where the text differs from it only in bytes of
    /// the same shared code: the caller compares the words in full.
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
                let code = self.codes[usize::from(byte)];
                states[walk] = automaton.next_state(Anchored::No, states[walk], code);
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
                state = automaton.next_state(Anchored::No, state, self.codes[usize::from(byte)]);
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
    fn the_most_used_bytes_keep_codes_of_their_own_and_the_others_one_per_kind() {
        // Ninety-four words "a?z", each with a byte of its own between two it shares with all.
        let words: Vec<Vec<u8>> = (0x21u8..=0x7E).map(|byte| vec![b'a', byte, b'z']).collect();
        let heads: Vec<&[u8]> = words.iter().map(Vec::as_slice).collect();
        let codes = alphabet(&heads);
        // "a" and "z" (in every word) first; the ASCII bytes past the first OWN_CODES share one.
        assert_eq!((codes[usize::from(b'a')], codes[usize::from(b'z')]), (1, 2));
        let given: std::collections::BTreeSet<u8> =
            codes.iter().copied().filter(|&code| code > 0).collect();
        assert_eq!(given.len(), OWN_CODES + 1);
        assert_eq!(codes[usize::from(b'~')], codes[usize::from(b'}')]);
        assert_eq!(codes[0x80], 0); // in no word
                                    // A byte outside ASCII shares no code with one inside it.
        let mut more = heads.clone();
        more.extend([&b"\xC3\xA9"[..], &b"\xC3\xA8"[..]]);
        let codes = alphabet(&more);
        assert_ne!(codes[0xC3], codes[usize::from(b'~')]);
        assert_ne!(codes[0xA9], codes[0xC3]);
    }

    #[test]
    fn a_prefix_whose_bytes_share_codes_is_reported_wherever_it_may_occur() {
        let words: Vec<Vec<u8>> = (0x21u8..=0x7E).map(|byte| vec![b'a', byte, b'z']).collect();
        let heads: Vec<&[u8]> = words.iter().map(Vec::as_slice).collect();
        let text = b"xa~zx a}z";
        let reported = reported(&heads, text);
        // Every word where it occurs; where a byte of a shared code stands, every word of that code.
        let tilde = usize::from(b'~' - 0x21);
        let brace = usize::from(b'}' - 0x21);
        assert!(reported.contains(&(1, tilde)) && reported.contains(&(6, brace)));
        assert!(reported.contains(&(1, brace)) && reported.contains(&(6, tilde)));
        // A word whose bytes keep their own codes is reported only where it occurs.
        assert!(!reported
            .iter()
            .any(|&(_, word)| word == usize::from(b'!' - 0x21)));
    }

    #[test]
    fn a_short_text_is_walked_whole() {
        let words: [&[u8]; 2] = [b"by the", b"the"];
        assert_eq!(reported(&words, b"by the way"), vec![(0, 0), (3, 1)]);
    }
}
