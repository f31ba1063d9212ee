//! PIN rules: what a caller-chosen PIN must look like, what each code constraint of §7 forbids,
//! which PINs are already on a lock, and a bounded search for a PIN that fits several locks.

use rand::{Rng, RngExt};

use super::device::{ConstraintType, Device};

/// Shortest PIN a caller may choose.
pub const MIN_PIN_LENGTH: usize = 4;
/// Longest PIN a caller may choose (the seed's rule; newer Seam specs allow 12).
pub const MAX_PIN_LENGTH: usize = 9;

/// A caller-chosen PIN that is well formed: digits only, 4–9 of them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pin(String);

impl Pin {
    /// Parses a PIN, saying what is wrong in Seam's words when it is not one.
    pub fn parse(s: &str) -> Result<Pin, String> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err("Invalid: code must contain digits only".into());
        }
        if s.len() < MIN_PIN_LENGTH {
            return Err(format!(
                "String must contain at least {MIN_PIN_LENGTH} character(s)"
            ));
        }
        if s.len() > MAX_PIN_LENGTH {
            return Err(format!(
                "String must contain at most {MAX_PIN_LENGTH} character(s)"
            ));
        }
        Ok(Pin(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

pub use super::pinset::PinSet;

/// Whether `pin` breaks constraint `c` on its own, without looking at other codes.
/// Constraints that do not restrict PIN digits (names, scheduling) never do.
pub fn violates(pin: &str, c: ConstraintType) -> bool {
    use ConstraintType::*;
    let d: Vec<i8> = pin.bytes().map(|b| (b - b'0') as i8).collect();
    match c {
        NoZeros => d.contains(&0),
        CannotStartWith12 => pin.starts_with("12"),
        NoTripleConsecutiveInts => d.windows(3).any(|w| {
            let step = w[1] - w[0];
            (-1..=1).contains(&step) && w[2] - w[1] == step
        }),
        NoAscendingOrDescendingSequence => {
            d.len() >= 2
                && [1, -1]
                    .iter()
                    .any(|step| d.windows(2).all(|w| w[1] - w[0] == *step))
        }
        AtLeastThreeUniqueDigits => {
            let mut seen = [false; 10];
            d.iter().for_each(|x| seen[*x as usize] = true);
            seen.iter().filter(|s| **s).count() < 3
        }
        NoAllSameDigits => d.windows(2).all(|w| w[0] == w[1]),
        UniqueFirstFourDigits => {
            let first = &d[..d.len().min(4)];
            (1..first.len()).any(|i| first[..i].contains(&first[i]))
        }
        CannotContain089 => d.iter().any(|x| matches!(x, 0 | 8 | 9)),
        CannotContain0789 => d.iter().any(|x| matches!(x, 0 | 7 | 8 | 9)),
        CannotSpecifyPinCode => true,
        PinCodeMatchesExistingSet | StartDateInFuture | NameLength | NameMustBeUnique => false,
    }
}

/// Why a PIN does not fit a lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Misfit {
    /// The provider assigns PINs itself (`cannot_specify_pin_code`).
    ProviderAssigned,
    /// The lock does not take PINs of this length.
    Length { len: usize, supported: Vec<u32> },
    /// The PIN breaks one of the lock's constraints.
    Constraint(ConstraintType),
    /// The PIN (or, under `unique_first_four_digits`, its first four digits) is already on the lock.
    InUse,
}

impl std::fmt::Display for Misfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Misfit::ProviderAssigned => {
                write!(
                    f,
                    "the provider assigns PINs itself (cannot_specify_pin_code)"
                )
            }
            Misfit::Length { len, supported } => write!(
                f,
                "a {len}-digit PIN is not supported (supported_code_lengths: {supported:?})"
            ),
            Misfit::Constraint(c) => write!(f, "the PIN breaks constraint {}", c.as_str()),
            Misfit::InUse => write!(f, "the PIN is already in use on the device"),
        }
    }
}

/// Everything a PIN must satisfy on one lock.
#[derive(Clone, Debug)]
pub struct LockRules<'a> {
    /// Accepted lengths, sorted ascending.
    pub lengths: Vec<u32>,
    pub constraints: Vec<ConstraintType>,
    pub in_use: &'a PinSet,
}

impl<'a> LockRules<'a> {
    /// The rules of `device`, whose current PINs are `in_use`.
    pub fn of(device: &Device, in_use: &'a PinSet) -> Self {
        Self {
            lengths: device.code_lengths(),
            constraints: device.constraint_types(),
            in_use,
        }
    }

    /// The rules the provider itself picks a PIN under: the lock's, without
    /// `cannot_specify_pin_code` (which forbids callers, not the provider, from choosing).
    pub fn for_provider(mut self) -> Self {
        self.constraints
            .retain(|c| *c != ConstraintType::CannotSpecifyPinCode);
        self
    }

    /// Whether the provider assigns PINs itself (`cannot_specify_pin_code`).
    pub fn provider_assigns_pins(&self) -> bool {
        self.constraints
            .contains(&ConstraintType::CannotSpecifyPinCode)
    }

    pub fn supports_length(&self, len: usize) -> bool {
        self.lengths.iter().any(|l| *l as usize == len)
    }

    /// Checks a PIN against this lock: provider assignment, length, constraints, PINs in use.
    pub fn check(&self, pin: &str) -> Result<(), Misfit> {
        if self.provider_assigns_pins() {
            return Err(Misfit::ProviderAssigned);
        }
        if !self.supports_length(pin.len()) {
            return Err(Misfit::Length {
                len: pin.len(),
                supported: self.lengths.clone(),
            });
        }
        if let Some(c) = self.constraints.iter().find(|c| violates(pin, **c)) {
            return Err(Misfit::Constraint(*c));
        }
        self.check_in_use(pin)
    }

    fn check_in_use(&self, pin: &str) -> Result<(), Misfit> {
        let prefix_taken = self
            .constraints
            .contains(&ConstraintType::UniqueFirstFourDigits)
            && self.in_use.contains_prefix_of(pin);
        if self.in_use.contains(pin) || prefix_taken {
            Err(Misfit::InUse)
        } else {
            Ok(())
        }
    }

    /// Lengths to try for a generated PIN: the preferred one if supported, then longer ones,
    /// then shorter ones (without a preference: shortest first).
    pub fn length_order(&self, preferred: Option<f64>) -> Vec<u32> {
        length_order(&self.lengths, preferred)
    }
}

/// Orders `lengths` (sorted ascending) for trying: `preferred` first when it is one of them,
/// then every longer length ascending, then the shorter ones ascending. A preferred length
/// that is not a whole number or not in the list is ignored.
pub fn length_order(lengths: &[u32], preferred: Option<f64>) -> Vec<u32> {
    let pref = preferred
        .filter(|p| p.fract() == 0.0)
        .and_then(|p| lengths.iter().copied().find(|l| f64::from(*l) == p));
    match pref {
        None => lengths.to_vec(),
        Some(p) => {
            let mut out = vec![p];
            out.extend(lengths.iter().copied().filter(|l| *l > p));
            out.extend(lengths.iter().copied().filter(|l| *l < p));
            out
        }
    }
}

/// How many random candidates the search draws before walking the space in order.
const RANDOM_TRIES: usize = 64;
/// Most candidates the ordered walk visits; spaces up to this size are walked whole, so a
/// PIN is found whenever one exists. A larger space cannot be exhausted by a lock's codes.
pub const MAX_WALK: u64 = 1_000_000;

/// The digits a PIN under `constraints` may use at all.
fn alphabet(constraints: &[ConstraintType]) -> Vec<u8> {
    (0u8..=9)
        .filter(|d| !constraints.iter().any(|c| forbidden_digits(*c).contains(d)))
        .map(|d| b'0' + d)
        .collect()
}

/// The digits no PIN under `c` may contain: the search leaves them out of its alphabet
/// instead of drawing candidates that [`violates`] would refuse. Every constraint is named,
/// so a new one cannot be left out silently.
fn forbidden_digits(c: ConstraintType) -> &'static [u8] {
    use ConstraintType::*;
    match c {
        NoZeros => &[0],
        CannotContain089 => &[0, 8, 9],
        CannotContain0789 => &[0, 7, 8, 9],
        CannotStartWith12
        | NoTripleConsecutiveInts
        | NoAscendingOrDescendingSequence
        | AtLeastThreeUniqueDigits
        | NoAllSameDigits
        | UniqueFirstFourDigits
        | CannotSpecifyPinCode
        | PinCodeMatchesExistingSet
        | StartDateInFuture
        | NameLength
        | NameMustBeUnique => &[],
    }
}

/// Finds a random PIN of `len` digits that every lock in `locks` accepts (length,
/// constraints, not in use), or `None` when there is none. Always terminates: a bounded
/// number of random draws, then an ordered walk from a random start over at most
/// [`MAX_WALK`] candidates.
pub fn find_pin(len: usize, locks: &[LockRules<'_>], rng: &mut impl Rng) -> Option<String> {
    if locks.is_empty()
        || locks
            .iter()
            .any(|l| l.provider_assigns_pins() || !l.supports_length(len))
    {
        return None;
    }
    let mut union: Vec<ConstraintType> = locks
        .iter()
        .flat_map(|l| l.constraints.iter().copied())
        .collect();
    union.sort_unstable();
    union.dedup();
    let digits = alphabet(&union);
    let k = digits.len() as u64;
    let fits = |pin: &str| {
        !union.iter().any(|c| violates(pin, *c))
            && locks.iter().all(|l| l.check_in_use(pin).is_ok())
    };

    let mut buf = vec![b'0'; len];
    for _ in 0..RANDOM_TRIES {
        for b in buf.iter_mut() {
            *b = digits[rng.random_range(0..digits.len())];
        }
        let pin = std::str::from_utf8(&buf).ok()?;
        if fits(pin) {
            return Some(pin.to_string());
        }
    }

    let space = k.checked_pow(len as u32).unwrap_or(u64::MAX);
    let start = rng.random_range(0..space);
    // Many locks: one bitmap of the PINs any of them holds, so a candidate costs one bit
    // instead of a look-up per lock; prefixes are still asked of the locks that compare them.
    let taken =
        (locks.len() >= BITMAP_LOCKS && len <= BITMAP_DIGITS).then(|| Taken::of(len, locks));
    let prefix_locks: Vec<&LockRules<'_>> = locks
        .iter()
        .filter(|l| {
            l.constraints
                .contains(&ConstraintType::UniqueFirstFourDigits)
        })
        .collect();
    for step in 0..space.min(MAX_WALK) {
        let mut idx = (start + step) % space;
        let mut value = 0u64;
        for b in buf.iter_mut().rev() {
            *b = digits[(idx % k) as usize];
            idx /= k;
        }
        for b in &buf {
            value = value * 10 + u64::from(b - b'0');
        }
        let pin = std::str::from_utf8(&buf).ok()?;
        let ok = match &taken {
            Some(t) => {
                !t.has(value)
                    && !union.iter().any(|c| violates(pin, *c))
                    && prefix_locks
                        .iter()
                        .all(|l| !l.in_use.contains_prefix_of(pin))
            }
            None => fits(pin),
        };
        if ok {
            return Some(pin.to_string());
        }
    }
    None
}

/// From this many locks on, the ordered walk reads a bitmap of their PINs.
const BITMAP_LOCKS: usize = 8;
/// Longest PIN the bitmap covers (10^7 bits: 1.25 MB).
const BITMAP_DIGITS: usize = 7;

/// Which PINs of one length some lock holds, one bit per value.
struct Taken(Vec<u64>);

impl Taken {
    fn of(len: usize, locks: &[LockRules<'_>]) -> Self {
        let mut bits = vec![0u64; 10usize.pow(len as u32).div_ceil(64)];
        for l in locks {
            if len == 4 {
                // Each lock keeps its 4-digit PINs as a bitmap: an OR of 157 words.
                l.in_use.or_four_digit(&mut bits);
            } else {
                l.in_use
                    .for_each_of_length(len, |v| bits[(v / 64) as usize] |= 1 << (v % 64));
            }
        }
        Taken(bits)
    }

    fn has(&self, v: u64) -> bool {
        self.0[(v / 64) as usize] & (1 << (v % 64)) != 0
    }
}

/// A random PIN for one lock, trying lengths in [`length_order`]; `None` when the lock takes
/// no PIN of ours (provider-assigned) or has none free.
pub fn generate_for(
    lock: &LockRules<'_>,
    preferred: Option<f64>,
    rng: &mut impl Rng,
) -> Option<String> {
    lock.length_order(preferred)
        .into_iter()
        .find_map(|len| find_pin(len as usize, std::slice::from_ref(lock), rng))
}

#[cfg(test)]
mod tests {
    use super::*;

    use ConstraintType::*;
    use proptest::prelude::*;
    use rand::{SeedableRng, rngs::StdRng};

    #[test]
    fn the_provider_picks_under_the_lock_rules_minus_cannot_specify_pin_code() {
        let used = PinSet::default();
        let rules = LockRules {
            lengths: vec![6],
            constraints: vec![
                ConstraintType::CannotSpecifyPinCode,
                ConstraintType::NoZeros,
            ],
            in_use: &used,
        };
        assert!(rules.provider_assigns_pins());
        let provider = rules.for_provider();
        assert!(!provider.provider_assigns_pins());
        assert_eq!(provider.constraints, [ConstraintType::NoZeros]);
    }

    /// The constraints that refuse some PINs but not all: every one the search must honour
    /// (derived from [`violates`] over the 4-digit PINs, so a new rule joins the property
    /// tests without a list to update).
    fn pin_constraints() -> Vec<ConstraintType> {
        ConstraintType::ALL
            .iter()
            .copied()
            .filter(|c| {
                let refused = (0..10_000)
                    .filter(|n| violates(&format!("{n:04}"), *c))
                    .count();
                refused > 0 && refused < 10_000
            })
            .collect()
    }

    #[test]
    fn the_property_tests_take_the_rules_on_digits_and_no_others() {
        let taken = pin_constraints();
        for c in [NoZeros, UniqueFirstFourDigits, NoAllSameDigits] {
            assert!(taken.contains(&c), "{} is missing", c.as_str());
        }
        for c in [CannotSpecifyPinCode, NameLength, StartDateInFuture] {
            assert!(!taken.contains(&c), "{} is taken", c.as_str());
        }
    }

    #[test]
    fn a_digit_left_out_of_the_alphabet_is_one_the_constraint_refuses() {
        for &c in ConstraintType::ALL {
            for &d in forbidden_digits(c) {
                for n in 0..1000 {
                    let pin = format!("{d}{n:03}");
                    assert!(
                        violates(&pin, c),
                        "{} leaves out {d}, yet takes {pin}",
                        c.as_str()
                    );
                }
            }
        }
        assert_eq!(alphabet(&[NoZeros, CannotContain0789]), b"123456");
        assert_eq!(alphabet(&[]), b"0123456789");
    }

    fn rules(
        lengths: &[u32],
        constraints: &[ConstraintType],
        in_use: &PinSet,
    ) -> LockRules<'static> {
        // Tests leak a PinSet clone to get a 'static borrow; fine in tests.
        let leaked: &'static PinSet = Box::leak(Box::new(in_use.clone()));
        LockRules {
            lengths: lengths.to_vec(),
            constraints: constraints.to_vec(),
            in_use: leaked,
        }
    }

    #[test]
    fn pin_parse_accepts_4_to_9_digits_only() {
        assert!(Pin::parse("1234").is_ok());
        assert!(Pin::parse("123456789").is_ok());
        assert!(Pin::parse("123").unwrap_err().contains("at least 4"));
        assert!(Pin::parse("1234567890").unwrap_err().contains("at most 9"));
        assert!(Pin::parse("12a4").unwrap_err().contains("digits"));
        assert!(Pin::parse("").is_err());
        assert!(Pin::parse("１２３４").is_err());
    }

    #[test]
    fn each_constraint_matches_the_contract_table() {
        let cases: &[(ConstraintType, &str, bool)] = &[
            (NoZeros, "1230", true),
            (NoZeros, "1234", false),
            (CannotStartWith12, "1299", true),
            (CannotStartWith12, "2129", false),
            (NoTripleConsecutiveInts, "91238", true),
            (NoTripleConsecutiveInts, "19872", true),
            (NoTripleConsecutiveInts, "15558", true),
            (NoTripleConsecutiveInts, "1357", false),
            (NoTripleConsecutiveInts, "1124", false),
            (NoAscendingOrDescendingSequence, "1234", true),
            (NoAscendingOrDescendingSequence, "9876", true),
            (NoAscendingOrDescendingSequence, "1235", false),
            (AtLeastThreeUniqueDigits, "1122", true),
            (AtLeastThreeUniqueDigits, "1123", false),
            (NoAllSameDigits, "7777", true),
            (NoAllSameDigits, "7778", false),
            (UniqueFirstFourDigits, "1213", true),
            (UniqueFirstFourDigits, "12344", false),
            (CannotContain089, "1238", true),
            (CannotContain089, "1237", false),
            (CannotContain0789, "1237", true),
            (CannotContain0789, "1236", false),
            (CannotSpecifyPinCode, "4821", true),
            (NameLength, "0000", false),
            (NameMustBeUnique, "0000", false),
            (StartDateInFuture, "0000", false),
            (PinCodeMatchesExistingSet, "0000", false),
        ];
        for (c, pin, bad) in cases {
            assert_eq!(violates(pin, *c), *bad, "{} on {pin}", c.as_str());
        }
        for c in ConstraintType::ALL {
            assert!(
                cases.iter().any(|(k, ..)| k == c),
                "the table has no row for {}: add one from contract §7",
                c.as_str()
            );
        }
    }

    #[test]
    fn check_reports_length_constraint_and_in_use() {
        let mut used = PinSet::default();
        used.add("4821");
        let lock = rules(&[4], &[UniqueFirstFourDigits], &used);
        assert!(matches!(lock.check("48213"), Err(Misfit::Length { .. })));
        assert_eq!(
            lock.check("4411"),
            Err(Misfit::Constraint(UniqueFirstFourDigits))
        );
        assert_eq!(lock.check("4821"), Err(Misfit::InUse));
        assert_eq!(lock.check("4812"), Ok(()));
        let salto = rules(&[6], &[CannotSpecifyPinCode], &used);
        assert_eq!(salto.check("482193"), Err(Misfit::ProviderAssigned));
    }

    #[test]
    fn unique_first_four_compares_prefixes_of_other_codes() {
        let mut used = PinSet::default();
        used.add("13579");
        let lock = rules(&[5], &[UniqueFirstFourDigits], &used);
        assert_eq!(lock.check("13572"), Err(Misfit::InUse));
        let plain = rules(&[5], &[], &used);
        assert_eq!(plain.check("13572"), Ok(()));
    }

    #[test]
    fn pin_set_counts_copies() {
        let mut s = PinSet::default();
        s.add("1111");
        s.add("1111");
        s.remove("1111");
        assert!(s.contains("1111"));
        s.remove("1111");
        assert!(!s.contains("1111") && s.is_empty());
    }

    #[test]
    fn length_order_prefers_then_longer_then_shorter() {
        assert_eq!(
            length_order(&[4, 5, 6, 7, 8], Some(6.0)),
            vec![6, 7, 8, 4, 5]
        );
        assert_eq!(length_order(&[4, 5, 6], None), vec![4, 5, 6]);
        assert_eq!(length_order(&[4, 5, 6], Some(30.0)), vec![4, 5, 6]);
        assert_eq!(length_order(&[4, 5, 6], Some(4.5)), vec![4, 5, 6]);
    }

    #[test]
    fn finds_the_last_free_pin_on_a_full_lock() {
        let mut used = PinSet::default();
        for n in 0..10_000u32 {
            if n != 4711 {
                used.add(&format!("{n:04}"));
            }
        }
        let lock = rules(&[4], &[], &used);
        let mut rng = StdRng::seed_from_u64(7);
        assert_eq!(
            find_pin(4, std::slice::from_ref(&lock), &mut rng).as_deref(),
            Some("4711")
        );
        used.add("4711");
        let full = rules(&[4], &[], &used);
        assert_eq!(find_pin(4, std::slice::from_ref(&full), &mut rng), None);
        // A lock with 4 and 5 digits falls back to 5 when 4 is full.
        let wider = rules(&[4, 5], &[], &used);
        assert_eq!(
            generate_for(&wider, None, &mut rng).map(|p| p.len()),
            Some(5)
        );
    }

    #[test]
    fn no_pin_for_provider_assigned_or_unsupported_length() {
        let used = PinSet::default();
        let mut rng = StdRng::seed_from_u64(1);
        assert_eq!(
            find_pin(6, &[rules(&[6], &[CannotSpecifyPinCode], &used)], &mut rng),
            None
        );
        assert_eq!(find_pin(5, &[rules(&[4], &[], &used)], &mut rng), None);
    }

    fn constraint_subset() -> impl Strategy<Value = Vec<ConstraintType>> {
        let all = pin_constraints();
        let n = all.len();
        proptest::sample::subsequence(all, 0..=n)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// A found PIN meets every constraint of every lock, has the asked length and is on
        /// none of the locks.
        #[test]
        fn found_pins_satisfy_every_rule_in_play(
            a in constraint_subset(),
            b in constraint_subset(),
            len in 4usize..=9,
            taken in proptest::collection::vec(0u32..100_000, 0..200),
            seed in any::<u64>(),
        ) {
            let mut used = PinSet::default();
            for t in &taken {
                let s = format!("{t:09}");
                used.add(&s[9 - len..]);
            }
            let locks = [rules(&[len as u32], &a, &used), rules(&[4, 5, 6, 7, 8, 9], &b, &PinSet::default())];
            let mut rng = StdRng::seed_from_u64(seed);
            if let Some(pin) = find_pin(len, &locks, &mut rng) {
                prop_assert_eq!(pin.len(), len);
                for lock in &locks {
                    prop_assert_eq!(lock.check(&pin), Ok(()));
                }
            }
        }

        /// With at most a few hundred codes in use, a PIN is always found: the search does not
        /// give up while free PINs remain.
        #[test]
        fn a_pin_is_found_while_the_space_has_room(
            cs in constraint_subset(),
            len in 4usize..=9,
            taken in proptest::collection::vec(0u32..10_000, 0..300),
            seed in any::<u64>(),
        ) {
            let mut used = PinSet::default();
            for t in &taken {
                used.add(&format!("{t:04}"));
            }
            let lock = rules(&[len as u32], &cs, &used);
            let mut rng = StdRng::seed_from_u64(seed);
            prop_assert!(find_pin(len, &[lock], &mut rng).is_some());
        }

        /// The search terminates and answers correctly on a lock whose 4-digit space is full
        /// but for a handful of PINs.
        #[test]
        fn search_terminates_on_a_nearly_full_lock(
            free in proptest::collection::btree_set(0u32..10_000, 0..4),
            seed in any::<u64>(),
        ) {
            let mut used = PinSet::default();
            for n in 0..10_000u32 {
                if !free.contains(&n) {
                    used.add(&format!("{n:04}"));
                }
            }
            let lock = rules(&[4], &[], &used);
            let mut rng = StdRng::seed_from_u64(seed);
            let got = find_pin(4, &[lock], &mut rng);
            match got {
                None => prop_assert!(free.is_empty()),
                Some(p) => prop_assert!(free.contains(&p.parse::<u32>().unwrap())),
            }
        }
    }
}
