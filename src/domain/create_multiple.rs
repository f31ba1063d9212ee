//! The planner behind `/access_codes/create_multiple` (contract §4): given the locks, the PINs
//! already on them and the request, decide which PIN and `common_code_key` each lock gets — or
//! why the PIN cannot be shared. Pure: the store commits the plan under its lock.

use std::sync::Arc;

use rand::Rng;
use uuid::Uuid;

use super::pin::{self, LockRules, Misfit, Pin};

/// `behavior_when_code_cannot_be_shared`: what to do when some lock cannot take the shared PIN.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = BehaviorWhenCodeCannotBeShared)]
pub enum Behavior {
    /// Create nothing and fail when any lock cannot share (the default).
    #[default]
    Throw,
    /// Share among the largest group that can; every other lock gets its own random PIN.
    CreateRandomCode,
}

impl Behavior {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "throw" => Some(Self::Throw),
            "create_random_code" => Some(Self::CreateRandomCode),
            _ => None,
        }
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
    let (group, shared, why) = match &req.code {
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

/// The locks (by index) that accept the caller's PIN, and a message for those that do not.
fn custom_group(locks: &[Lock<'_>], code: &Pin) -> (Vec<usize>, Option<String>, Option<String>) {
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
    (group, Some(code.as_str().to_string()), why)
}

/// The largest group of locks that can share a generated PIN, with that PIN.
///
/// Candidate lengths are ranked by how many locks support them, then the preferred length,
/// then longer before shorter than it (shortest first without a preference). The first
/// candidate whose group has a free PIN wins; provider-assigned locks never join.
fn generated_group(
    locks: &[Lock<'_>],
    preferred: Option<f64>,
    rng: &mut impl Rng,
) -> (Vec<usize>, Option<String>, Option<String>) {
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

    for (_, group, len) in &candidates {
        let rules: Vec<LockRules<'_>> = group.iter().map(|i| locks[*i].rules.clone()).collect();
        if let Some(pin) = pin::find_pin(*len as usize, &rules, rng) {
            let why = (group.len() < locks.len()).then(|| explain(locks, group));
            return (group.clone(), Some(pin), why);
        }
    }
    let why = if locks.iter().all(|l| l.rules.provider_assigns_pins()) {
        "The provider assigns PINs on every device (cannot_specify_pin_code)".to_string()
    } else {
        "No PIN is free on the devices at any common length".to_string()
    };
    (Vec::new(), None, Some(why))
}

fn explain(locks: &[Lock<'_>], group: &[usize]) -> String {
    let reasons: Vec<String> = (0..locks.len())
        .filter(|i| !group.contains(i))
        .map(|i| {
            let r = &locks[i].rules;
            let why = if r.provider_assigns_pins() {
                Misfit::ProviderAssigned.to_string()
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
    fn keys_differ_between_calls() {
        let mut r = rng();
        assert_ne!(new_common_code_key(&mut r), new_common_code_key(&mut r));
    }
}
