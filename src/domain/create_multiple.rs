//! The planner behind `/access_codes/create_multiple` (contract §4): given the locks, the PINs
//! already on them and the request, decide which PIN and `common_code_key` each lock gets — or
//! why the PIN cannot be shared. Pure: the store commits the plan under its lock.

use std::sync::Arc;

use rand::{Rng, RngExt};
use uuid::Uuid;

use super::pin::{self, LockRules, Misfit, Pin};

crate::wire_enum! {
    /// `behavior_when_code_cannot_be_shared`: what to do when some lock cannot take the shared PIN.
    #[derive(Default)]
    #[schema(as = BehaviorWhenCodeCannotBeShared)]
    pub enum Behavior {
        /// Create nothing and fail when any lock cannot share (the default).
        #[default]
        Throw = "throw",
        /// Share among the largest group that can; every other lock gets its own random PIN.
        CreateRandomCode = "create_random_code",
    }
}

/// One lock in the request, in request order.
#[derive(Clone, Debug)]
pub struct Lock<'a> {
    pub device_id: Uuid,
    pub rules: LockRules<'a>,
}

/// What the caller asked for, already parsed.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub code: Option<Pin>,
    pub preferred_code_length: Option<f64>,
    pub behavior: Behavior,
}

/// The PIN and key one lock gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    pub device_id: Uuid,
    /// `None` for a provider-assigned lock: Seam waits for the provider to pick the PIN.
    pub code: Option<String>,
    /// One key for the group, shared by every lock in it.
    pub common_code_key: Option<Arc<str>>,
}

/// Why the PIN cannot be shared (under `throw`, or a lock with no free PIN at all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CannotShare {
    /// The locks that could not take the shared PIN, in request order.
    pub device_ids: Vec<Uuid>,
    pub message: String,
}

/// Makes a fresh `common_code_key` in Seam's form.
pub fn new_common_code_key(rng: &mut impl Rng) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    format!(
        "auto_set_by_create_multiple_{}",
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    )
}

/// Plans the codes for `locks` (non-empty, distinct). One entry per lock, in request order.
pub fn plan(
    locks: &[Lock<'_>],
    req: &Request,
    rng: &mut impl Rng,
) -> Result<Vec<Planned>, CannotShare> {
    let Group {
        members: group,
        pin: shared,
        why,
    } = match &req.code {
        Some(code) => custom_group(locks, code),
        None => generated_group(locks, req.preferred_code_length, rng),
    };
    // Membership by index, not `group.contains` per lock (quadratic in the locks).
    let mut in_group = vec![false; locks.len()];
    for i in &group {
        in_group[*i] = true;
    }
    let outliers: Vec<usize> = (0..locks.len()).filter(|i| !in_group[*i]).collect();

    if !outliers.is_empty() && req.behavior == Behavior::Throw {
        // With nobody to share with, every lock is one that could not share.
        let failed = if group.len() <= 1 && req.code.is_none() {
            (0..locks.len()).collect()
        } else {
            outliers
        };
        return Err(CannotShare {
            device_ids: failed.iter().map(|i| locks[*i].device_id).collect(),
            message: why.unwrap_or_else(|| "the code cannot be shared".into()),
        });
    }

    // A key links codes that share a generated PIN; a custom code is never keyed, and a
    // "group" of one in a partial result shares with nobody.
    let key = match (&req.code, &shared) {
        (None, Some(_)) if outliers.is_empty() || group.len() > 1 => {
            Some(Arc::<str>::from(new_common_code_key(rng)))
        }
        _ => None,
    };
    let grouped = key.is_some() || req.code.is_some();

    let mut out = Vec::with_capacity(locks.len());
    for (i, lock) in locks.iter().enumerate() {
        let (code, common_code_key) = if grouped && in_group[i] {
            (shared.clone(), key.clone())
        } else if lock.rules.provider_assigns_pins() {
            (None, None)
        } else {
            let pin = pin::generate_for(&lock.rules, req.preferred_code_length, rng).ok_or_else(
                || CannotShare {
                    device_ids: vec![lock.device_id],
                    message: "the device has no free PIN of any supported length".into(),
                },
            )?;
            (Some(pin), None)
        };
        out.push(Planned {
            device_id: lock.device_id,
            code,
            common_code_key,
        });
    }
    Ok(out)
}

/// The locks that can share one PIN, as the planner found them.
struct Group {
    /// Indices into the request's locks, ascending.
    members: Vec<usize>,
    /// The PIN they share; `None` when no PIN fits even one of them.
    pin: Option<String>,
    /// Why the locks outside the group cannot share; `None` when every lock is in it.
    why: Option<String>,
}

/// The locks (by index) that accept the caller's PIN, and a message for those that do not.
fn custom_group(locks: &[Lock<'_>], code: &Pin) -> Group {
    let mut group = Vec::new();
    let mut reasons = Vec::new();
    for (i, lock) in locks.iter().enumerate() {
        match lock.rules.check(code.as_str()) {
            Ok(()) => group.push(i),
            Err(m) => reasons.push(format!("device {}: {m}", lock.device_id)),
        }
    }
    let why = (!reasons.is_empty()).then(|| {
        format!(
            "The code cannot be set on every device: {}",
            reasons.join("; ")
        )
    });
    Group {
        members: group,
        pin: Some(code.as_str().to_string()),
        why,
    }
}

/// The largest group of locks that can share a generated PIN, with that PIN.
///
/// Candidate lengths are ranked by how many locks support them, then the preferred length,
/// then longer before shorter than it (shortest first without a preference). The first
/// candidate whose group has a free PIN wins, unless a larger group that no PIN fits whole has
/// a larger part that one PIN fits; provider-assigned locks never join.
fn generated_group(locks: &[Lock<'_>], preferred: Option<f64>, rng: &mut impl Rng) -> Group {
    let mut all_lengths: Vec<u32> = locks
        .iter()
        .filter(|l| !l.rules.provider_assigns_pins())
        .flat_map(|l| l.rules.lengths.iter().copied())
        .collect();
    all_lengths.sort_unstable();
    all_lengths.dedup();

    let members = |len: u32| -> Vec<usize> {
        (0..locks.len())
            .filter(|i| {
                let r = &locks[*i].rules;
                !r.provider_assigns_pins() && r.supports_length(len as usize)
            })
            .collect()
    };
    let order = pin::length_order(&all_lengths, preferred);
    let mut candidates: Vec<(usize, Vec<usize>, u32)> = order
        .iter()
        .enumerate()
        .map(|(rank, len)| (rank, members(*len), *len))
        .collect();
    // Larger groups first; among equals, the order `length_order` gave.
    candidates.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));

    let mut found = None;
    let mut crowded = Vec::new();
    for (_, group, len) in &candidates {
        let rules: Vec<LockRules<'_>> = group.iter().map(|i| locks[*i].rules.clone()).collect();
        match pin::find_pin(*len as usize, &rules, rng) {
            Some(pin) => {
                found = Some((group.clone(), pin, *len));
                break;
            }
            None => crowded.push((group, *len)),
        }
    }
    // A larger group that no PIN fits whole may have a part, still larger than the group
    // found, that one PIN fits.
    for (group, len) in crowded {
        let floor = found.as_ref().map_or(1, |(g, ..)| g.len().max(1));
        if let Some((part, pin)) = largest_part(locks, group, len, floor, rng) {
            found = Some((part, pin, len));
        }
    }
    if let Some((members, pin, len)) = found {
        let why = (members.len() < locks.len()).then(|| explain(locks, &members, len));
        return Group {
            members,
            pin: Some(pin),
            why,
        };
    }
    let why = if locks.iter().all(|l| l.rules.provider_assigns_pins()) {
        "The provider assigns PINs on every device (cannot_specify_pin_code)".to_string()
    } else {
        "No PIN is free on the devices at any common length".to_string()
    };
    Group {
        members: Vec::new(),
        pin: None,
        why: Some(why),
    }
}

/// The largest part of `group` (more than `floor` locks) that one PIN of `len` digits fits,
/// with that PIN, searching every PIN of that length from a random start. Runs only when no
/// PIN fits the whole group, and only on spaces small enough to walk ([`pin::MAX_WALK`]):
/// locks cannot fill a larger one.
fn largest_part(
    locks: &[Lock<'_>],
    group: &[usize],
    len: u32,
    floor: usize,
    rng: &mut impl Rng,
) -> Option<(Vec<usize>, String)> {
    let space = 10u64.checked_pow(len).filter(|s| *s <= pin::MAX_WALK)?;
    if group.len() <= floor + 1 {
        return None;
    }
    let start = rng.random_range(0..space);
    let mut best: Option<(usize, String)> = None;
    for step in 0..space {
        let pin = format!("{:0width$}", (start + step) % space, width = len as usize);
        let takers = group
            .iter()
            .filter(|i| locks[**i].rules.check(&pin).is_ok())
            .count();
        if takers > best.as_ref().map_or(floor, |b| b.0) {
            let whole_but_one = takers + 1 == group.len();
            best = Some((takers, pin));
            if whole_but_one {
                break;
            }
        }
    }
    let (_, pin) = best?;
    let part = group
        .iter()
        .copied()
        .filter(|i| locks[*i].rules.check(&pin).is_ok())
        .collect();
    Some((part, pin))
}

/// Why each lock outside `group` (which shares a PIN of `len` digits) cannot join it.
fn explain(locks: &[Lock<'_>], group: &[usize], len: u32) -> String {
    let reasons: Vec<String> = (0..locks.len())
        .filter(|i| !group.contains(i))
        .map(|i| {
            let r = &locks[i].rules;
            let why = if r.provider_assigns_pins() {
                Misfit::ProviderAssigned.to_string()
            } else if r.supports_length(len as usize) {
                format!("no {len}-digit PIN is free on it and on the others")
            } else {
                format!(
                    "no PIN length in common (supported_code_lengths: {:?})",
                    r.lengths
                )
            };
            format!("device {}: {why}", locks[i].device_id)
        })
        .collect();
    format!(
        "The code cannot be shared by every device: {}",
        reasons.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::device::ConstraintType::{self, *};
    use crate::domain::pin::PinSet;
    use rand::{SeedableRng, rngs::StdRng};

    fn lock<'a>(n: u128, lengths: &[u32], cs: &[ConstraintType], used: &'a PinSet) -> Lock<'a> {
        Lock {
            device_id: Uuid::from_u128(n),
            rules: LockRules {
                lengths: lengths.to_vec(),
                constraints: cs.to_vec(),
                in_use: used,
            },
        }
    }

    fn rng() -> StdRng {
        StdRng::seed_from_u64(42)
    }

    const AUGUST: &[u32] = &[4, 5, 6, 7, 8];

    #[test]
    fn two_augusts_share_a_four_digit_pin_and_key() {
        let e = PinSet::default();
        let locks = [lock(1, AUGUST, &[], &e), lock(2, AUGUST, &[], &e)];
        let p = plan(&locks, &Request::default(), &mut rng()).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].code, p[1].code);
        assert_eq!(p[0].code.as_ref().unwrap().len(), 4);
        let key = p[0].common_code_key.clone().unwrap();
        assert!(key.starts_with("auto_set_by_create_multiple_"));
        assert_eq!(p[1].common_code_key.as_ref(), Some(&key));
        assert_eq!(
            (p[0].device_id, p[1].device_id),
            (Uuid::from_u128(1), Uuid::from_u128(2))
        );
    }

    #[test]
    fn august_and_nuki_share_six_digits_without_zeros() {
        let e = PinSet::default();
        let locks = [
            lock(1, AUGUST, &[], &e),
            lock(2, &[6], &[NoZeros, CannotStartWith12], &e),
        ];
        for seed in 0..50 {
            let p = plan(
                &locks,
                &Request::default(),
                &mut StdRng::seed_from_u64(seed),
            )
            .unwrap();
            let pin = p[0].code.clone().unwrap();
            assert_eq!(pin.len(), 6);
            assert!(!pin.contains('0') && !pin.starts_with("12"));
            assert_eq!(p[1].code.as_ref(), Some(&pin));
        }
    }

    #[test]
    fn preferred_length_is_used_when_common_else_shortest() {
        let e = PinSet::default();
        let locks = [lock(1, AUGUST, &[], &e), lock(2, &[5, 6, 7, 8], &[], &e)];
        let mut req = Request {
            preferred_code_length: Some(7.0),
            ..Default::default()
        };
        assert_eq!(
            plan(&locks, &req, &mut rng()).unwrap()[0]
                .code
                .as_ref()
                .unwrap()
                .len(),
            7
        );
        req.preferred_code_length = Some(30.0);
        assert_eq!(
            plan(&locks, &req, &mut rng()).unwrap()[0]
                .code
                .as_ref()
                .unwrap()
                .len(),
            5
        );
        req.preferred_code_length = Some(4.5);
        assert_eq!(
            plan(&locks, &req, &mut rng()).unwrap()[0]
                .code
                .as_ref()
                .unwrap()
                .len(),
            5
        );
    }

    #[test]
    fn a_full_length_falls_back_to_the_next_longer_one() {
        let mut full = PinSet::default();
        for n in 0..10_000u32 {
            full.add(&format!("{n:04}"));
        }
        let e = PinSet::default();
        let locks = [lock(1, AUGUST, &[], &full), lock(2, AUGUST, &[], &e)];
        let p = plan(&locks, &Request::default(), &mut rng()).unwrap();
        assert_eq!(p[0].code.as_ref().unwrap().len(), 5);
        assert!(p[0].common_code_key.is_some());
    }

    #[test]
    fn generated_pin_avoids_pins_on_every_lock() {
        // Lock 1 has every 4-digit PIN but 1357; lock 2 has 1357 itself: no 4-digit PIN is
        // free on both, so they share 5 digits.
        let mut a = PinSet::default();
        for n in 0..10_000u32 {
            if n != 1357 {
                a.add(&format!("{n:04}"));
            }
        }
        let mut b = PinSet::default();
        b.add("1357");
        let locks = [lock(1, AUGUST, &[], &a), lock(2, AUGUST, &[], &b)];
        let p = plan(&locks, &Request::default(), &mut rng()).unwrap();
        assert_eq!(p[0].code.as_ref().unwrap().len(), 5);
    }

    #[test]
    fn schlage_and_nuki_cannot_share_under_throw() {
        let e = PinSet::default();
        let locks = [
            lock(1, &[4], &[UniqueFirstFourDigits], &e),
            lock(2, &[6], &[NoZeros], &e),
        ];
        let err = plan(&locks, &Request::default(), &mut rng()).unwrap_err();
        assert_eq!(err.device_ids, vec![Uuid::from_u128(1), Uuid::from_u128(2)]);
    }

    #[test]
    fn schlage_and_nuki_get_own_unkeyed_pins_under_create_random_code() {
        let e = PinSet::default();
        let locks = [
            lock(1, &[4], &[UniqueFirstFourDigits], &e),
            lock(2, &[6], &[NoZeros], &e),
        ];
        let req = Request {
            behavior: Behavior::CreateRandomCode,
            ..Default::default()
        };
        let p = plan(&locks, &req, &mut rng()).unwrap();
        assert_eq!(p[0].code.as_ref().unwrap().len(), 4);
        assert_eq!(p[1].code.as_ref().unwrap().len(), 6);
        assert!(p.iter().all(|c| c.common_code_key.is_none()));
    }

    #[test]
    fn largest_group_keeps_the_key_and_outliers_get_their_own() {
        let e = PinSet::default();
        let locks = [
            lock(1, AUGUST, &[], &e),
            lock(2, &[6], &[NoZeros], &e),
            lock(3, &[4], &[], &e),
            lock(4, AUGUST, &[], &e),
            lock(5, &[6], &[CannotSpecifyPinCode], &e),
        ];
        let thrown = plan(&locks, &Request::default(), &mut rng()).unwrap_err();
        // Group {1, 3, 4} shares 4 digits; 2 (6 only) and 5 (provider-assigned) cannot.
        assert_eq!(
            thrown.device_ids,
            vec![Uuid::from_u128(2), Uuid::from_u128(5)]
        );
        let req = Request {
            behavior: Behavior::CreateRandomCode,
            ..Default::default()
        };
        let p = plan(&locks, &req, &mut rng()).unwrap();
        let key = p[0].common_code_key.clone().unwrap();
        for i in [0, 2, 3] {
            assert_eq!(p[i].common_code_key.as_ref(), Some(&key));
            assert_eq!(p[i].code, p[0].code);
        }
        assert_eq!(p[1].common_code_key, None);
        assert_eq!(p[1].code.as_ref().unwrap().len(), 6);
        assert_eq!(
            p[4],
            Planned {
                device_id: Uuid::from_u128(5),
                code: None,
                common_code_key: None
            }
        );
    }

    #[test]
    fn custom_code_gets_no_key_and_must_fit_every_lock() {
        let mut used = PinSet::default();
        used.add("4821");
        let e = PinSet::default();
        let req = Request {
            code: Some(Pin::parse("4821").unwrap()),
            ..Default::default()
        };
        let ok = [lock(1, AUGUST, &[], &e), lock(2, &[4], &[], &e)];
        let p = plan(&ok, &req, &mut rng()).unwrap();
        assert!(
            p.iter()
                .all(|c| c.code.as_deref() == Some("4821") && c.common_code_key.is_none())
        );

        let clash = [
            lock(1, AUGUST, &[], &e),
            lock(2, AUGUST, &[], &used),
            lock(3, &[6], &[], &e),
        ];
        let err = plan(&clash, &req, &mut rng()).unwrap_err();
        assert_eq!(err.device_ids, vec![Uuid::from_u128(2), Uuid::from_u128(3)]);
        assert!(err.message.contains("already in use"), "{}", err.message);

        let random = Request {
            behavior: Behavior::CreateRandomCode,
            ..req
        };
        let p = plan(&clash, &random, &mut rng()).unwrap();
        assert_eq!(p[0].code.as_deref(), Some("4821"));
        assert_ne!(p[1].code.as_deref(), Some("4821"));
        assert_eq!(p[2].code.as_ref().unwrap().len(), 6);
        assert!(p.iter().all(|c| c.common_code_key.is_none()));
    }

    #[test]
    fn custom_code_breaking_a_constraint_cannot_be_shared() {
        let e = PinSet::default();
        let req = Request {
            code: Some(Pin::parse("120456").unwrap()),
            ..Default::default()
        };
        let locks = [
            lock(1, AUGUST, &[], &e),
            lock(2, &[6], &[NoZeros, CannotStartWith12], &e),
        ];
        let err = plan(&locks, &req, &mut rng()).unwrap_err();
        assert_eq!(err.device_ids, vec![Uuid::from_u128(2)]);
        assert!(err.message.contains("no_zeros"), "{}", err.message);
    }

    #[test]
    fn a_single_lock_gets_a_key_but_a_provider_assigned_one_cannot_share() {
        let e = PinSet::default();
        let p = plan(&[lock(1, AUGUST, &[], &e)], &Request::default(), &mut rng()).unwrap();
        assert!(p[0].common_code_key.is_some());
        let salto = [lock(1, &[6], &[CannotSpecifyPinCode], &e)];
        assert!(plan(&salto, &Request::default(), &mut rng()).is_err());
        let req = Request {
            behavior: Behavior::CreateRandomCode,
            ..Default::default()
        };
        let p = plan(&salto, &req, &mut rng()).unwrap();
        assert_eq!(p[0].code, None);
    }

    #[test]
    fn a_lock_whose_pins_are_all_taken_does_not_stop_the_others_sharing() {
        // All three take 4 digits, but lock 3 holds every 4-digit PIN: the largest group is
        // locks 1 and 2 at 4 digits, not lock 3 alone at 5.
        let mut full = PinSet::default();
        for n in 0..10_000u32 {
            full.add(&format!("{n:04}"));
        }
        let e = PinSet::default();
        let locks = [
            lock(1, &[4], &[], &e),
            lock(2, &[4], &[], &e),
            lock(3, &[4, 5], &[], &full),
        ];
        let req = Request {
            behavior: Behavior::CreateRandomCode,
            ..Default::default()
        };
        let p = plan(&locks, &req, &mut rng()).unwrap();
        assert!(p[0].common_code_key.is_some());
        assert_eq!(p[0].common_code_key, p[1].common_code_key);
        assert_eq!(p[0].code, p[1].code);
        assert_eq!(p[2].common_code_key, None);
        assert_eq!(p[2].code.as_ref().unwrap().len(), 5);
        let thrown = plan(&locks, &Request::default(), &mut rng()).unwrap_err();
        assert_eq!(thrown.device_ids, vec![Uuid::from_u128(3)]);
        assert!(
            thrown.message.contains("no 4-digit PIN is free on it"),
            "{}",
            thrown.message
        );
    }

    #[test]
    fn keys_differ_between_calls() {
        let mut r = rng();
        assert_ne!(new_common_code_key(&mut r), new_common_code_key(&mut r));
    }

    /// `plan` against a brute-force search over every PIN the locks could take: whatever the
    /// locks, lengths, constraints and PINs already in use, a plan fits every lock and
    /// collides with nothing; `throw` fails exactly when no PIN fits every lock; and
    /// `create_random_code` keys the largest group any one PIN could serve.
    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// One lock as drawn: lengths (ascending), constraints and the PINs already on it.
        #[derive(Clone, Debug)]
        struct Spec {
            lengths: Vec<u32>,
            constraints: Vec<ConstraintType>,
            in_use: Vec<String>,
        }

        /// Up to `max` PINs of `len` digits (repeats allowed, as a lock's codes may repeat).
        fn pins(len: usize, max: usize) -> impl Strategy<Value = Vec<String>> {
            proptest::collection::vec(0..10u32.pow(len as u32), 0..=max)
                .prop_map(move |v| v.into_iter().map(|n| format!("{n:0len$}")).collect())
        }

        /// Any of the constraints a device can carry, PIN rules or not.
        fn constraints() -> impl Strategy<Value = Vec<ConstraintType>> {
            proptest::sample::subsequence(ConstraintType::ALL.to_vec(), 0..=4)
        }

        /// Locks small enough to search whole: lengths 2 to 4, and spaces of 2 and 3 digits
        /// often nearly full, so that some locks cannot share and some have no PIN at all.
        fn small_lock() -> impl Strategy<Value = Spec> {
            (
                proptest::sample::subsequence(vec![2u32, 3, 4], 1..=3),
                constraints(),
                pins(2, 120),
                pins(3, 400),
                pins(4, 30),
            )
                .prop_map(|(lengths, constraints, two, three, four)| Spec {
                    lengths,
                    constraints,
                    in_use: [two, three, four].concat(),
                })
        }

        /// Locks of any length a device may support, with a few PINs in use.
        fn any_lock() -> impl Strategy<Value = Spec> {
            (
                proptest::sample::subsequence((1u32..=9).collect::<Vec<_>>(), 1..=4),
                constraints(),
                proptest::collection::vec((4usize..=9, 0..1_000_000_000u32), 0..20),
            )
                .prop_map(|(lengths, constraints, used)| Spec {
                    lengths,
                    constraints,
                    in_use: used
                        .into_iter()
                        .map(|(len, n)| format!("{n:09}")[9 - len..].to_string())
                        .collect(),
                })
        }

        fn behavior() -> impl Strategy<Value = Behavior> {
            prop_oneof![Just(Behavior::Throw), Just(Behavior::CreateRandomCode)]
        }

        fn sets(specs: &[Spec]) -> Vec<PinSet> {
            specs
                .iter()
                .map(|s| {
                    let mut set = PinSet::default();
                    s.in_use.iter().for_each(|p| set.add(p));
                    set
                })
                .collect()
        }

        fn locks<'a>(specs: &[Spec], sets: &'a [PinSet]) -> Vec<Lock<'a>> {
            specs
                .iter()
                .zip(sets)
                .enumerate()
                .map(|(i, (s, set))| lock(i as u128 + 1, &s.lengths, &s.constraints, set))
                .collect()
        }

        /// Every PIN of every length some lock supports.
        fn every_pin(locks: &[Lock<'_>]) -> Vec<String> {
            let mut lengths: Vec<u32> = locks
                .iter()
                .flat_map(|l| l.rules.lengths.iter().copied())
                .collect();
            lengths.sort_unstable();
            lengths.dedup();
            lengths
                .into_iter()
                .flat_map(|len| {
                    let len = len as usize;
                    (0..10u32.pow(len as u32)).map(move |n| format!("{n:0len$}"))
                })
                .collect()
        }

        /// What holds of any plan: one entry per lock in request order; a lock whose provider
        /// assigns PINs gets none, every other lock a PIN that fits it (length, constraints)
        /// and is not on it; one key at most, and the codes that carry it share one PIN.
        fn check_fits(
            locks: &[Lock<'_>],
            req: &Request,
            p: &[Planned],
        ) -> Result<(), TestCaseError> {
            prop_assert_eq!(p.len(), locks.len());
            for (lock, planned) in locks.iter().zip(p) {
                prop_assert_eq!(planned.device_id, lock.device_id);
                match &planned.code {
                    None => prop_assert!(lock.rules.provider_assigns_pins(), "{:?}", planned),
                    Some(pin) => prop_assert_eq!(lock.rules.check(pin), Ok(()), "{}", pin),
                }
            }
            let keyed: Vec<&Planned> = p.iter().filter(|c| c.common_code_key.is_some()).collect();
            if let Some(first) = keyed.first() {
                prop_assert!(req.code.is_none(), "a custom code is never keyed");
                for c in &keyed {
                    prop_assert_eq!(&c.common_code_key, &first.common_code_key);
                    prop_assert_eq!(&c.code, &first.code);
                }
            }
            if let Some(code) = &req.code {
                let fit = locks
                    .iter()
                    .zip(p)
                    .filter(|(l, _)| l.rules.check(code.as_str()).is_ok());
                for (_, c) in fit {
                    prop_assert_eq!(c.code.as_deref(), Some(code.as_str()));
                }
            }
            Ok(())
        }

        /// A failure names locks of the request, each once, in request order.
        fn check_names(locks: &[Lock<'_>], e: &CannotShare) -> Result<(), TestCaseError> {
            prop_assert!(!e.device_ids.is_empty());
            let order: Vec<usize> = e
                .device_ids
                .iter()
                .map(|id| {
                    locks
                        .iter()
                        .position(|l| l.device_id == *id)
                        .expect("a lock of the request")
                })
                .collect();
            prop_assert!(order.windows(2).all(|w| w[0] < w[1]), "{:?}", order);
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(96))]

            /// Small cases, searched whole: `throw` fails exactly when no PIN fits every lock;
            /// `create_random_code` keys the largest group one PIN can serve, and fails only
            /// for a lock that takes our PINs but has none free.
            #[test]
            fn plan_matches_a_brute_force_search(
                specs in proptest::collection::vec(small_lock(), 1..=4),
                preferred in proptest::option::of(1u32..=5),
                seed in any::<u64>(),
            ) {
                let sets = sets(&specs);
                let locks = locks(&specs, &sets);
                // How many locks each PIN fits; the largest count is the largest possible group.
                let takers: Vec<usize> = every_pin(&locks)
                    .iter()
                    .map(|pin| locks.iter().filter(|l| l.rules.check(pin).is_ok()).count())
                    .collect();
                let best = takers.iter().copied().max().unwrap_or(0);
                let stranded = locks.iter().any(|l| {
                    !l.rules.provider_assigns_pins()
                        && !l.rules.lengths.iter().any(|len| {
                            let len = *len as usize;
                            (0..10u32.pow(len as u32)).any(|n| l.rules.check(&format!("{n:0len$}")).is_ok())
                        })
                });
                let mut rng = StdRng::seed_from_u64(seed);
                let preferred_code_length = preferred.map(f64::from);

                let throw = Request { preferred_code_length, ..Request::default() };
                match plan(&locks, &throw, &mut rng) {
                    Ok(p) => {
                        prop_assert_eq!(best, locks.len(), "shared though no PIN fits every lock");
                        check_fits(&locks, &throw, &p)?;
                        prop_assert!(p.iter().all(|c| c.common_code_key.is_some()));
                    }
                    Err(e) => {
                        prop_assert!(best < locks.len(), "refused though a PIN fits every lock");
                        check_names(&locks, &e)?;
                    }
                }

                let random = Request { behavior: Behavior::CreateRandomCode, ..throw };
                match plan(&locks, &random, &mut rng) {
                    Ok(p) => {
                        prop_assert!(!stranded, "a lock with no free PIN got one");
                        check_fits(&locks, &random, &p)?;
                        let keyed = p.iter().filter(|c| c.common_code_key.is_some()).count();
                        // A group of one shares with nobody and is keyed only when alone.
                        let expected = if best >= 2 || best == locks.len() { best } else { 0 };
                        prop_assert_eq!(keyed, expected, "keyed {} of {} locks; one PIN fits {}", keyed, locks.len(), best);
                    }
                    Err(e) => {
                        prop_assert!(stranded, "failed under create_random_code: {:?}", e);
                        check_names(&locks, &e)?;
                    }
                }
            }

            /// A caller's PIN: `throw` fails exactly when some lock does not take it, naming
            /// those locks; `create_random_code` gives it to every lock that does.
            #[test]
            fn a_custom_code_goes_where_it_fits(
                specs in proptest::collection::vec(small_lock(), 1..=4),
                pick in any::<prop::sample::Index>(),
                random_pin in 0u32..10_000,
                reuse in any::<bool>(),
                behavior in behavior(),
                seed in any::<u64>(),
            ) {
                let sets = sets(&specs);
                let locks = locks(&specs, &sets);
                // Often a PIN already on some lock, to meet collisions.
                let used: Vec<&String> = specs.iter().flat_map(|s| &s.in_use).filter(|p| p.len() == 4).collect();
                let code = match (reuse, used.is_empty()) {
                    (true, false) => used[pick.index(used.len())].clone(),
                    _ => format!("{random_pin:04}"),
                };
                let req = Request { code: Some(Pin::parse(&code).expect("4 digits")), behavior, ..Request::default() };
                let refused: Vec<Uuid> = locks
                    .iter()
                    .filter(|l| l.rules.check(&code).is_err())
                    .map(|l| l.device_id)
                    .collect();
                match (plan(&locks, &req, &mut StdRng::seed_from_u64(seed)), behavior) {
                    (Ok(p), Behavior::Throw) => {
                        prop_assert!(refused.is_empty(), "{:?} refuse {}", refused, code);
                        check_fits(&locks, &req, &p)?;
                    }
                    (Err(e), Behavior::Throw) => prop_assert_eq!(e.device_ids, refused),
                    (Ok(p), Behavior::CreateRandomCode) => check_fits(&locks, &req, &p)?,
                    (Err(e), Behavior::CreateRandomCode) => {
                        // Only a lock that refuses the PIN and has no other free PIN.
                        prop_assert_eq!(e.device_ids.len(), 1);
                        prop_assert!(refused.contains(&e.device_ids[0]));
                    }
                }
            }

            /// Any lengths a device may support (1 to 9 digits), any constraints, some PINs in
            /// use, either behaviour, with or without a preferred length or a custom code: a
            /// plan always fits every lock and collides with nothing.
            #[test]
            fn any_plan_fits_every_lock(
                specs in proptest::collection::vec(any_lock(), 1..=6),
                code in proptest::option::of((4usize..=9, 0..1_000_000_000u32)),
                preferred in proptest::option::of(prop_oneof![(1u32..=10).prop_map(f64::from), any::<f64>()]),
                behavior in behavior(),
                seed in any::<u64>(),
            ) {
                let sets = sets(&specs);
                let locks = locks(&specs, &sets);
                let code = code.map(|(len, n)| Pin::parse(&format!("{n:09}")[9 - len..]).expect("digits"));
                let req = Request { code, preferred_code_length: preferred, behavior };
                match plan(&locks, &req, &mut StdRng::seed_from_u64(seed)) {
                    Ok(p) => check_fits(&locks, &req, &p)?,
                    Err(e) => check_names(&locks, &e)?,
                }
            }
        }
    }
}
