//! Offline (algoPIN) codes: created on locks that derive them, with the window rounded the way
//! the lock's algorithm needs, the per-lock limits checked, and a PIN of the lock's own —
//! never shared with another lock. The rules are in `crate::domain::offline`.

use uuid::Uuid;

use crate::domain::access_code::{AccessCode, Window};
use crate::domain::command::{CodeSettings, CreateMultiple, CreateOne};
use crate::domain::create_multiple::Behavior;
use crate::domain::offline::{self, Rounding};
use crate::domain::pin::{self, LockRules, PinSet};
use crate::error::{Error, Result};

use super::{Scope, Workspace};

impl Workspace {
    /// A lock the caller may see that can program offline codes.
    fn offline_lock(&self, device_id: Uuid, scope: &Scope) -> Result<Uuid> {
        let d = self.lock(device_id, scope)?;
        if !d.can_program_offline_access_codes {
            return Err(Error::UnsupportedByDevice {
                message: "The device cannot program offline access codes (can_program_offline_access_codes is false)".into(),
                device_id: d.device_id,
            });
        }
        Ok(d.device_id)
    }

    /// The rounded window of an offline request, and its kind.
    fn offline_window(&self, s: &CodeSettings) -> Result<(Rounding, Window)> {
        let rounding = s
            .offline
            .ok_or_else(|| Error::Internal("an offline create without a rounding".into()))?;
        let window = offline::round_window(rounding, s.starts_at, s.ends_at, self.now)?;
        Ok((rounding, window))
    }

    /// Checks the lock's limit for a new code of `rounding` in `window`.
    fn check_offline_limit(
        &self,
        device_id: Uuid,
        rounding: Rounding,
        window: &Window,
    ) -> Result<()> {
        let existing = self
            .codes_by_device
            .get(&device_id)
            .into_iter()
            .flatten()
            .map(|id| &self.codes[id]);
        offline::check_limit(rounding, window, existing).map_err(|e| Error::UnsupportedByDevice {
            message: e.to_string(),
            device_id,
        })
    }

    /// The lock derives a PIN: one that fits it and is not on it.
    fn algo_pin(&mut self, device_id: Uuid, preferred: Option<f64>) -> Result<String> {
        let empty = PinSet::default();
        let rules = LockRules::of(
            &self.devices[&device_id],
            self.pins.get(&device_id).unwrap_or(&empty),
        )
        .for_provider();
        pin::generate_for(&rules, preferred, &mut self.rng).ok_or_else(|| {
            Error::InvalidAccessCode {
                message: "The device has no free PIN of any supported length".into(),
                device_id,
            }
        })
    }

    /// `/access_codes/create` with `is_offline_access_code`.
    pub(super) fn create_offline_one(
        &mut self,
        req: CreateOne,
        scope: &Scope,
    ) -> Result<AccessCode> {
        offline::check_request(req.code.is_some(), req.common_code_key.is_some())?;
        let device_id = self.offline_lock(req.device_id, scope)?;
        let (rounding, window) = self.offline_window(&req.settings)?;
        self.check_offline_limit(device_id, rounding, &window)?;
        let pin = self.algo_pin(device_id, req.preferred_code_length)?;
        Ok(self.create_code(device_id, Some(pin), None, Some(window), &req.settings))
    }

    /// `/access_codes/create_multiple` with `is_offline_access_code`: each lock derives its own
    /// PIN, so two or more locks cannot share one (`code_cannot_be_shared` under `throw`);
    /// under `create_random_code` every lock gets its own, none keyed.
    pub(super) fn create_offline_multiple(
        &mut self,
        req: CreateMultiple,
        scope: &Scope,
    ) -> Result<Vec<AccessCode>> {
        offline::check_request(req.plan.code.is_some(), false)?;
        let ids = req.device_ids.as_slice();
        for id in ids {
            self.offline_lock(*id, scope)?;
        }
        let (rounding, window) = self.offline_window(&req.settings)?;
        if ids.len() > 1 && req.plan.behavior == Behavior::Throw {
            return Err(Error::CodeCannotBeShared {
                message: "Offline access codes cannot be shared: each lock derives its own PIN"
                    .into(),
                device_ids: ids.to_vec(),
            });
        }
        for id in ids {
            self.check_offline_limit(*id, rounding, &window)?;
        }
        // Every check passed; derive the PINs before writing anything.
        let mut pins = Vec::with_capacity(ids.len());
        for id in ids {
            pins.push(self.algo_pin(*id, req.plan.preferred_code_length)?);
        }
        Ok(ids
            .iter()
            .zip(pins)
            .map(|(id, p)| self.create_code(*id, Some(p), None, Some(window), &req.settings))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::domain::access_code::{CodeType, Status};
    use crate::domain::command::{CodeSettings, CreateMultiple, CreateOne, DeviceIds, Update};
    use crate::domain::create_multiple::{self, Behavior};
    use crate::domain::offline::Rounding;
    use crate::domain::pin::Pin;
    use crate::error::Error;
    use chrono::Duration;

    fn offline(r: Rounding, hours: i64) -> CodeSettings {
        CodeSettings {
            starts_at: Some(t0() + Duration::minutes(90)),
            ends_at: Some(t0() + Duration::minutes(90) + Duration::hours(hours)),
            offline: Some(r),
            ..CodeSettings::default()
        }
    }

    #[test]
    fn an_hourly_offline_code_is_rounded_with_a_pin_and_lives_its_window() {
        let mut w = ws();
        let req = CreateOne {
            settings: offline(Rounding::Hourly, 2),
            ..one(IGLOO_1)
        };
        let (c, _) = w.create_one(req, &all()).unwrap();
        assert!(c.is_offline_access_code && !c.is_one_time_use);
        assert_eq!(c.kind, CodeType::TimeBound);
        assert_eq!(c.starts_at, Some(t0() + Duration::hours(1)));
        assert_eq!(c.ends_at, Some(t0() + Duration::hours(4)));
        assert_eq!(c.pin().map(|p| p.len()), Some(6));
        assert!(!c.is_waiting_for_code_assignment && c.common_code_key.is_none());
        let id = c.access_code_id;
        assert!(matches!(
            w.update(
                Update {
                    name: Some("x".into()),
                    ..Update::of(id)
                },
                &all()
            ),
            Err(Error::InvalidRequest(_))
        ));
        assert!(matches!(
            w.delete(id, &all()),
            Err(Error::InvalidRequest(_))
        ));
        advance(&mut w, Duration::hours(2));
        assert_eq!(w.code(id, &all()).unwrap().status, Status::Set);
        advance(&mut w, Duration::hours(2));
        assert!(w.code(id, &all()).is_err());
    }

    #[test]
    fn offline_requests_are_refused_where_they_cannot_be_met() {
        let mut w = ws();
        let on_august = CreateOne {
            settings: offline(Rounding::Hourly, 2),
            ..one(AUGUST_1)
        };
        assert!(matches!(
            w.create_one(on_august, &all()),
            Err(Error::UnsupportedByDevice { .. })
        ));
        let custom = CreateOne {
            code: Some(Pin::parse("135790").unwrap()),
            settings: offline(Rounding::Hourly, 2),
            ..one(IGLOO_1)
        };
        assert!(matches!(
            w.create_one(custom, &all()),
            Err(Error::InvalidRequest(_))
        ));
        let no_window = CreateOne {
            settings: CodeSettings {
                offline: Some(Rounding::Hourly),
                ..CodeSettings::default()
            },
            ..one(IGLOO_1)
        };
        assert!(w.create_one(no_window, &all()).is_err());
        assert!(
            w.codes_on_device(dev(IGLOO_1), &all(), 0, 10)
                .unwrap()
                .items
                .is_empty()
        );
    }

    #[test]
    fn a_lock_takes_three_hourly_codes_per_hour() {
        let mut w = ws();
        for _ in 0..3 {
            w.create_one(
                CreateOne {
                    settings: offline(Rounding::Hourly, 2),
                    ..one(IGLOO_1)
                },
                &all(),
            )
            .unwrap();
        }
        let fourth = CreateOne {
            settings: offline(Rounding::Hourly, 2),
            ..one(IGLOO_1)
        };
        assert!(w.create_one(fourth, &all()).is_err());
        // The other igloohome is not affected.
        w.create_one(
            CreateOne {
                settings: offline(Rounding::Hourly, 2),
                ..one(IGLOO_2)
            },
            &all(),
        )
        .unwrap();
    }

    #[test]
    fn create_multiple_never_shares_an_algopin() {
        let mut w = ws();
        let req = |b| CreateMultiple {
            device_ids: DeviceIds::new(vec![dev(IGLOO_1), dev(IGLOO_2)]).unwrap(),
            plan: create_multiple::Request {
                behavior: b,
                ..Default::default()
            },
            settings: offline(Rounding::OneTime, 1),
        };
        assert!(matches!(
            w.create_multiple(req(Behavior::Throw), &all()),
            Err(Error::CodeCannotBeShared { .. })
        ));
        let codes = w
            .create_multiple(req(Behavior::CreateRandomCode), &all())
            .unwrap();
        assert_eq!(codes.len(), 2);
        assert!(
            codes.iter().all(|c| c.common_code_key.is_none()
                && c.is_one_time_use
                && c.is_offline_access_code)
        );
        assert_eq!(
            codes[0].ends_at.unwrap() - codes[0].starts_at.unwrap(),
            Duration::days(1)
        );
    }
}
