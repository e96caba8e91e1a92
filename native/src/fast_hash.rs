//! A hasher for the core's own keys: code points of literals, addresses of steps and patterns.
//!
//! The standard library hashes with SipHash, which resists keys chosen to collide at tens of
//! instructions a key; these keys are the plan's, not a text's, so FxHash's multiplication and
//! rotation a word does. A key a text makes (the repeat check's fingerprint of a block's words,
//! made with this hasher) goes into a map of the standard hasher.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash's state: a rotation, an exclusive or and a multiplication per word hashed.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.add(u64::from(byte));
        }
    }

    fn write_u32(&mut self, word: u32) {
        self.add(u64::from(word));
    }

    fn write_u64(&mut self, word: u64) {
        self.add(word);
    }

    fn write_usize(&mut self, word: usize) {
        self.add(word as u64);
    }
}

/// A map of the core's own keys (see the module).
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

#[cfg(test)]
mod tests {
    use super::FastMap;

    #[test]
    fn a_fast_map_finds_what_it_holds_and_nothing_else() {
        let mut map: FastMap<usize, usize> = FastMap::default();
        for key in (0..10_000).map(|n| n * 16) {
            map.insert(key, key + 1);
        }
        assert!((0..10_000).all(|n| map.get(&(n * 16)) == Some(&(n * 16 + 1))));
        assert!((0..10_000).all(|n| !map.contains_key(&(n * 16 + 8))));
    }
}
