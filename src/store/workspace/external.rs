//! Changes made at the lock itself (contract §12, `/_fake/simulate_external_modification`): an
//! owner editing or deleting a PIN in the manufacturer's app. What follows depends on the
//! code's `is_external_modification_allowed`: forbidden, Seam sets the code again (a
//! `conflicting_external_modification` hold of `domain::hold`); allowed, the change stands.

use uuid::Uuid;

use crate::domain::event::{CodeEvent, EventKind};
use crate::domain::hold::{ChangeType, Hold};
use crate::domain::pin::Pin;
use crate::error::{Error, Result};

use super::Workspace;

impl Workspace {
    /// Someone changed (`modified`, to `pin` when given) or removed a code at its lock.
    pub fn external_modification(
        &mut self,
        id: Uuid,
        change: ChangeType,
        pin: Option<Pin>,
    ) -> Result<()> {
        let code = self.codes.get(&id).ok_or(Error::AccessCodeNotFound)?;
        if !self.is_set(id) {
            return Err(Error::field(
                "access_code_id",
                "Only a code that is set on its lock can be changed there",
            ));
        }
        let now = self.now;
        let device_id = code.device_id;
        let account = self.account_of(device_id);
        if !code.is_external_modification_allowed {
            // Seam holds its version: the code waits on the conflict, then is set again.
            self.hold_code(id, &[Hold::ExternalModification(change)], now);
            let holds = self.holds_of(&self.codes[&id]);
            if holds.is_empty() {
                self.schedule_at(id, now + self.delay);
            } else {
                self.hold_code(id, &holds, now);
            }
            return Ok(());
        }
        match change {
            ChangeType::Modified => {
                let pin = pin
                    .ok_or_else(|| {
                        Error::field(
                            "code",
                            "Required when a code allowing external modification is modified",
                        )
                    })?
                    .into_string();
                let own = code.pin();
                self.check_pin(device_id, &pin, own.as_deref())?;
                self.set_pin(id, &pin);
                if let Some(c) = self.codes.get_mut(&id) {
                    let in_effect = c.warnings.iter().any(|w| {
                        w.get("warning_code").and_then(|v| v.as_str())
                            == Some("external_modification_in_effect")
                    });
                    if !in_effect {
                        c.warnings.push(serde_json::json!({
                            "warning_code": "external_modification_in_effect",
                            "message": "The PIN was changed at the lock, outside Seam, and the change stands.",
                        }));
                    }
                }
                let about = CodeEvent::of(&self.codes[&id], account);
                self.record(EventKind::AccessCodeModifiedExternalToSeam(about), now);
            }
            ChangeType::Removed => {
                let removed = self.remove_code(id);
                let about = CodeEvent::of(&removed, account);
                self.record(EventKind::AccessCodeDeletedExternalToSeam(about), now);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::domain::access_code::Status;
    use crate::domain::command::{CodeSettings, CreateOne};
    use crate::domain::event::EventType;
    use crate::domain::hold::ChangeType;
    use crate::domain::pin::Pin;
    use crate::error::Error;
    use chrono::Duration;

    #[test]
    fn a_forbidden_change_is_undone_after_the_programming_delay() {
        let mut w = ws();
        w.delay = Duration::seconds(10);
        let (c, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        let id = c.access_code_id;
        assert!(matches!(
            w.external_modification(id, ChangeType::Removed, None),
            Err(Error::InvalidInput(_))
        ));
        advance(&mut w, Duration::seconds(10));
        w.external_modification(id, ChangeType::Modified, Pin::parse("5555").ok())
            .unwrap();
        let held = w.code(id, &all()).unwrap();
        assert_eq!(held.status, Status::Setting);
        assert_eq!(
            held.errors[0]["error_code"],
            "conflicting_external_modification"
        );
        assert_eq!(held.code, c.code);
        advance(&mut w, Duration::seconds(10));
        let back = w.code(id, &all()).unwrap();
        assert_eq!((back.status, back.errors.len()), (Status::Set, 0));
        let types: Vec<EventType> = w.events().iter().map(|e| e.event_type()).collect();
        assert_eq!(
            types[types.len() - 2..],
            [
                EventType::AccessCodeModifiedExternalToSeam,
                EventType::AccessCodeSetOnDevice
            ]
        );
    }

    #[test]
    fn an_allowed_change_stands() {
        let mut w = ws();
        let req = CreateOne {
            settings: CodeSettings {
                is_external_modification_allowed: true,
                ..CodeSettings::default()
            },
            ..one(AUGUST_1)
        };
        let (c, _) = w.create_one(req.clone(), &all()).unwrap();
        advance(&mut w, Duration::seconds(1));
        let id = c.access_code_id;
        w.external_modification(id, ChangeType::Modified, Pin::parse("5557").ok())
            .unwrap();
        let now = w.code(id, &all()).unwrap();
        assert_eq!(now.pin().as_deref(), Some("5557"));
        assert_eq!(
            now.warnings[0]["warning_code"],
            "external_modification_in_effect"
        );
        w.external_modification(id, ChangeType::Removed, None)
            .unwrap();
        assert!(w.code(id, &all()).is_err());
    }
}
