//! The PINs already on one lock, kept as numbers: a PIN of up to 18 digits is one `u64`
//! (the digits after a leading 1, so `0042` and `42` differ), its first four digits one `u32`.
//! Sixteen bytes a PIN instead of a heap string and its map entry, and hashing one word instead
//! of a string. A 4-digit PIN (most locks' length) is one bit of a 10,000-bit map instead, which
//! is also its prefix. Anything that is not such a PIN (a fixture may hold one) goes to a string
//! map.

use std::collections::HashMap;

use foldhash::fast::FixedState;

/// Counted numbers. foldhash's fixed-seed hasher: a few cycles a word where std's SipHash takes
/// dozens, and the same order in every run (a seeded server stays reproducible).
type NumMap<K> = HashMap<K, u32, FixedState>;

/// Words in a bitmap of the 10,000 4-digit PINs.
pub const FOUR_WORDS: usize = 10_000usize.div_ceil(64);

/// The value of a 4-digit PIN (`0000` is 0) from its encoding.
fn four_digit(n: u64) -> Option<usize> {
    (10_000..20_000).contains(&n).then(|| (n - 10_000) as usize)
}

/// `pin` as `1` followed by its digits, when it is all digits and short enough.
fn encode(pin: &str) -> Option<u64> {
    if pin.is_empty() || pin.len() > 18 {
        return None;
    }
    let mut n: u64 = 1;
    for b in pin.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    Some(n)
}

fn prefix(pin: &str) -> &str {
    // Every char boundary is a byte boundary in the all-digit case; elsewhere take whole chars.
    let end = pin.char_indices().nth(4).map_or(pin.len(), |(i, _)| i);
    &pin[..end]
}

fn inc<K: std::hash::Hash + Eq>(map: &mut HashMap<K, u32, impl std::hash::BuildHasher>, k: K) {
    *map.entry(k).or_default() += 1;
}

/// Takes one copy of `k` away; true when that was its last copy.
fn dec<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, u32, impl std::hash::BuildHasher>,
    k: &K,
) -> bool {
    let Some(n) = map.get_mut(k) else {
        return false;
    };
    *n -= 1;
    let last = *n == 0;
    if last {
        map.remove(k);
    }
    last
}

/// The PINs already on one lock, managed and unmanaged, with the first-four-digit prefixes
/// that `unique_first_four_digits` compares. Counted, so removing one copy keeps the others.
#[derive(Clone, Debug, Default)]
pub struct PinSet {
    /// The PINs of up to 18 digits but 4.
    pins: NumMap<u64>,
    /// The 4-digit PINs, one bit each (empty until the lock has one): planning across many
    /// locks ORs these instead of walking every lock's map (`Taken` in `pin.rs`). Kept here
    /// alone, not also in `pins` and `prefixes`: ~30 B less a stored code (docs/performance.md).
    four: Vec<u64>,
    /// Copies of a 4-digit PIN beyond the first (rare: a lock seldom holds a PIN twice).
    four_copies: NumMap<u16>,
    /// The first four digits of the PINs in `pins` (a 4-digit PIN is its own, in `four`).
    prefixes: NumMap<u32>,
    /// PINs that are not all digits (or longer than 18), with their prefixes.
    other: HashMap<String, u32>,
    other_prefixes: HashMap<String, u32>,
}

impl PinSet {
    /// Whether the 4-digit PIN of value `v` is on the lock.
    fn has_four(&self, v: usize) -> bool {
        self.four
            .get(v / 64)
            .is_some_and(|w| w & (1 << (v % 64)) != 0)
    }

    /// Adds one copy of `pin`.
    pub fn add(&mut self, pin: &str) {
        match encode(pin) {
            Some(n) => match four_digit(n) {
                Some(v) if self.has_four(v) => return inc(&mut self.four_copies, v as u16),
                Some(v) => {
                    if self.four.is_empty() {
                        self.four = vec![0; FOUR_WORDS];
                    }
                    self.four[v / 64] |= 1 << (v % 64);
                    return;
                }
                None => inc(&mut self.pins, n),
            },
            None => inc(&mut self.other, pin.to_string()),
        }
        let p = prefix(pin);
        match encode(p) {
            Some(n) => inc(&mut self.prefixes, n as u32),
            None => inc(&mut self.other_prefixes, p.to_string()),
        }
    }

    /// Removes one copy of `pin`.
    pub fn remove(&mut self, pin: &str) {
        match encode(pin) {
            Some(n) => match four_digit(n) {
                Some(v) => {
                    if self.four_copies.contains_key(&(v as u16)) {
                        dec(&mut self.four_copies, &(v as u16));
                    } else if let Some(w) = self.four.get_mut(v / 64) {
                        *w &= !(1 << (v % 64));
                    }
                    return;
                }
                None => {
                    dec(&mut self.pins, &n);
                }
            },
            None => {
                dec(&mut self.other, &pin.to_string());
            }
        }
        let p = prefix(pin);
        match encode(p) {
            Some(n) => {
                dec(&mut self.prefixes, &(n as u32));
            }
            None => {
                dec(&mut self.other_prefixes, &p.to_string());
            }
        }
    }

    /// Whether `pin` is on the lock.
    pub fn contains(&self, pin: &str) -> bool {
        match encode(pin) {
            Some(n) => match four_digit(n) {
                Some(v) => self.has_four(v),
                None => self.pins.contains_key(&n),
            },
            None => self.other.contains_key(pin),
        }
    }

    /// Whether some PIN on the lock starts with the same four digits as `pin`.
    pub fn contains_prefix_of(&self, pin: &str) -> bool {
        let p = prefix(pin);
        match encode(p) {
            Some(n) => {
                four_digit(n).is_some_and(|v| self.has_four(v))
                    || self.prefixes.contains_key(&(n as u32))
            }
            None => self.other_prefixes.contains_key(p),
        }
    }

    /// Sets, in `bits` (one bit per value, `FOUR_WORDS` words at least), the value of every
    /// 4-digit PIN on the lock.
    pub fn or_four_digit(&self, bits: &mut [u64]) {
        for (b, w) in bits.iter_mut().zip(&self.four) {
            *b |= w;
        }
    }

    /// Calls `f` with the value of every PIN of exactly `len` digits on the lock.
    pub fn for_each_of_length(&self, len: usize, mut f: impl FnMut(u64)) {
        if len == 4 {
            for (i, w) in self.four.iter().enumerate() {
                let mut w = *w;
                while w != 0 {
                    f(i as u64 * 64 + u64::from(w.trailing_zeros()));
                    w &= w - 1;
                }
            }
            return;
        }
        let Some(low) = 10u64.checked_pow(len as u32).filter(|_| len <= 18) else {
            return;
        };
        for n in self.pins.keys() {
            if (low..2 * low).contains(n) {
                f(n - low);
            }
        }
    }

    /// Whether the lock has no PIN.
    pub fn is_empty(&self) -> bool {
        self.pins.is_empty() && self.other.is_empty() && self.four.iter().all(|w| *w == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any run of adds and removes (of PINs on the lock) answers like a plain list of the
        /// PINs: few digits, so copies and shared prefixes are common, 4-digit PINs among them.
        #[test]
        fn answers_like_a_list_of_its_pins(
            ops in prop::collection::vec((any::<bool>(), "[0-2]{3,6}"), 0..120)
        ) {
            let mut s = PinSet::default();
            let mut list: Vec<String> = Vec::new();
            for (add, pin) in &ops {
                if *add {
                    s.add(pin);
                    list.push(pin.clone());
                } else if let Some(i) = list.iter().position(|p| p == pin) {
                    s.remove(pin);
                    list.remove(i);
                }
            }
            for (_, pin) in &ops {
                prop_assert_eq!(s.contains(pin), list.contains(pin));
                let shares = list.iter().any(|p| prefix(p) == prefix(pin));
                prop_assert_eq!(s.contains_prefix_of(pin), shares);
            }
            for len in 3..=6 {
                let mut got = Vec::new();
                s.for_each_of_length(len, |v| got.push(v));
                got.sort_unstable();
                let mut want: Vec<u64> = list
                    .iter()
                    .filter(|p| p.len() == len)
                    .map(|p| p.parse().unwrap())
                    .collect();
                want.sort_unstable();
                want.dedup();
                prop_assert_eq!(got, want);
            }
            prop_assert_eq!(s.is_empty(), list.is_empty());
        }
    }

    #[test]
    fn counts_copies_and_tells_leading_zeros_apart() {
        let mut s = PinSet::default();
        s.add("0042");
        s.add("0042");
        assert!(s.contains("0042") && !s.contains("042") && !s.contains("42"));
        s.remove("0042");
        assert!(s.contains("0042"));
        s.remove("0042");
        assert!(!s.contains("0042") && s.is_empty());
    }

    #[test]
    fn prefixes_are_the_first_four_digits() {
        let mut s = PinSet::default();
        s.add("123456");
        assert!(s.contains_prefix_of("1234") && s.contains_prefix_of("12349"));
        assert!(!s.contains_prefix_of("0123") && !s.contains_prefix_of("123"));
        s.remove("123456");
        assert!(!s.contains_prefix_of("1234"));
    }

    #[test]
    fn pins_of_one_length_are_listed_by_value() {
        let mut s = PinSet::default();
        for p in ["0042", "9999", "12345", "042"] {
            s.add(p);
        }
        let mut four = Vec::new();
        s.for_each_of_length(4, |v| four.push(v));
        four.sort_unstable();
        assert_eq!(four, [42, 9999]);
    }

    /// The bitmap of 4-digit PINs follows adds and removes, copies counted.
    #[test]
    fn four_digit_pins_are_also_a_bitmap() {
        let bits = |s: &PinSet| {
            let mut b = vec![0u64; FOUR_WORDS];
            s.or_four_digit(&mut b);
            (0..10_000u64)
                .filter(|v| b[(*v / 64) as usize] & (1 << (v % 64)) != 0)
                .collect::<Vec<_>>()
        };
        let mut s = PinSet::default();
        assert!(bits(&s).is_empty());
        for p in ["0000", "0042", "9999", "0042", "12345", "042", "12a4"] {
            s.add(p);
        }
        assert_eq!(bits(&s), [0, 42, 9999]);
        s.remove("0042");
        assert_eq!(bits(&s), [0, 42, 9999], "one copy of 0042 is left");
        s.remove("0042");
        s.remove("9999");
        s.remove("12345");
        assert_eq!(bits(&s), [0]);
    }

    #[test]
    fn odd_pins_are_kept_as_strings() {
        let mut s = PinSet::default();
        s.add("12a4");
        s.add("1234567890123456789012");
        assert!(s.contains("12a4") && s.contains("1234567890123456789012"));
        assert!(!s.contains("1234") && s.contains_prefix_of("1234"));
        assert!(s.contains_prefix_of("12a4x"));
        s.remove("12a4");
        s.remove("1234567890123456789012");
        assert!(s.is_empty() && !s.contains_prefix_of("1234"));
    }
}
