//! The backup access code pool (contract §9): a lock that supports one keeps, once a code asks
//! for it, [`POOL_SIZE`] spare PINs programmed on it. They count as PINs on the lock (new codes
//! avoid them) and are not access codes until one is pulled as the backup of a time-bound code.
//! Pure: the store keeps the pools and calls these rules under its lock.

use rand::Rng;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access_code::{AccessCode, CodeType};
use super::device::Device;
use super::pin::{self, LockRules, PinSet};

/// How many spare PINs an active pool holds.
pub const POOL_SIZE: usize = 5;

/// One lock's active pool, as the store keeps it and `/_fake/database` shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BackupPool {
    pub device_id: Uuid,
    pub workspace_id: Uuid,
    /// The spare PINs on the lock, oldest first (the next pull takes the first).
    pub codes: Vec<String>,
}

/// Whether `device` can have a pool at all.
pub fn supported(device: &Device) -> bool {
    device.supports_access_codes()
        && device
            .properties
            .supports_backup_access_code_pool
            .unwrap_or(false)
}

/// Whether a backup can be pulled for `code` on a lock whose pool is (or is not) active: a
/// managed time-bound code that is neither an offline nor a backup code itself, with no backup
/// pulled yet.
pub fn available(code: &AccessCode, pool_active: bool) -> bool {
    pool_active
        && code.is_managed
        && code.kind == CodeType::TimeBound
        && !code.is_backup
        && !code.is_offline_access_code
        && code.pulled_backup_access_code_id.is_none()
}

/// Tops `pool` up to [`POOL_SIZE`] PINs that fit `device` and are not in `in_use`; each new
/// PIN joins `in_use` as it is drawn, so pool PINs never collide with codes or with each
/// other. Stops early only when the lock has no free PIN left.
pub fn refill(device: &Device, in_use: &mut PinSet, pool: &mut Vec<String>, rng: &mut impl Rng) {
    while pool.len() < POOL_SIZE {
        // The pool is Seam's own: like the provider, it is not bound by cannot_specify_pin_code.
        let rules = LockRules::of(device, in_use).for_provider();
        let Some(p) = pin::generate_for(&rules, None, rng) else {
            return;
        };
        in_use.add(&p);
        pool.push(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access_code::{NewCode, Window};
    use chrono::{Duration, TimeZone, Utc};
    use proptest::prelude::*;
    use rand::{SeedableRng, rngs::StdRng};

    fn device(kind: &str) -> Device {
        Device {
            can_program_online_access_codes: true,
            ..Device::sample(kind)
        }
    }

    fn code(window: bool) -> AccessCode {
        let now = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
        AccessCode::new(
            NewCode {
                access_code_id: Uuid::from_u128(9),
                device_id: Uuid::from_u128(1),
                workspace_id: Uuid::from_u128(2),
                code: Some("1234".into()),
                window: window.then(|| Window::new(now, now + Duration::hours(2), now).unwrap()),
                ..NewCode::default()
            },
            now,
        )
    }

    #[test]
    fn augusts_and_kwiksets_support_a_pool_others_do_not() {
        assert!(supported(&device("august_lock")));
        assert!(supported(&device("kwikset_lock")));
        assert!(!supported(&device("schlage_lock")));
        assert!(!supported(&device("igloohome_lock")));
        assert!(!supported(&device("ecobee_thermostat")));
    }

    #[test]
    fn a_backup_is_available_for_a_time_bound_code_until_pulled() {
        assert!(available(&code(true), true));
        assert!(!available(&code(true), false));
        assert!(!available(&code(false), true));
        let mut pulled = code(true);
        pulled.pulled_backup_access_code_id = Some(Uuid::from_u128(5));
        assert!(!available(&pulled, true));
        let mut backup = code(true);
        backup.is_backup = true;
        assert!(!available(&backup, true));
        let mut offline = code(true);
        offline.is_offline_access_code = true;
        assert!(!available(&offline, true));
    }

    #[test]
    fn refill_tops_up_to_five_fitting_pins() {
        let d = device("august_lock");
        let mut used = PinSet::default();
        let mut pool = vec!["9999".to_string()];
        used.add("9999");
        refill(&d, &mut used, &mut pool, &mut StdRng::seed_from_u64(1));
        assert_eq!(pool.len(), POOL_SIZE);
        assert_eq!(pool[0], "9999");
        assert!(pool.iter().all(|p| p.len() == 4 && used.contains(p)));
    }

    #[test]
    fn refill_stops_when_the_lock_is_full() {
        let mut d = device("august_lock");
        d.properties.supported_code_lengths = Some(vec![1]);
        let mut used = PinSet::default();
        for n in 0..8 {
            used.add(&n.to_string());
        }
        let mut pool = Vec::new();
        refill(&d, &mut used, &mut pool, &mut StdRng::seed_from_u64(1));
        let mut got = pool.clone();
        got.sort();
        assert_eq!(got, ["8", "9"]);
    }

    proptest! {
        /// Pool PINs never collide with the codes on the lock nor with each other.
        #[test]
        fn pool_pins_never_collide_with_codes(taken in proptest::collection::vec(0u32..10_000, 0..400), seed in any::<u64>()) {
            let mut d = device("august_lock");
            d.properties.supported_code_lengths = Some(vec![4]);
            let mut used = PinSet::default();
            let codes: Vec<String> = taken.iter().map(|n| format!("{n:04}")).collect();
            codes.iter().for_each(|c| used.add(c));
            let mut pool = Vec::new();
            refill(&d, &mut used, &mut pool, &mut StdRng::seed_from_u64(seed));
            prop_assert_eq!(pool.len(), POOL_SIZE);
            for (i, p) in pool.iter().enumerate() {
                prop_assert!(!codes.contains(p), "{} is a code", p);
                prop_assert!(!pool[..i].contains(p), "{} twice in the pool", p);
            }
        }
    }
}
