//! Unmanaged codes: PINs set on a lock outside Seam. They hold their PIN on the lock (managed
//! codes may not reuse it) until deleted or converted to managed codes.

use uuid::Uuid;

use crate::domain::access_code::{AccessCode, NewCode, UnmanagedAccessCode};
use crate::domain::action_attempt::{ActionAttempt, ActionType};
use crate::domain::event::{CodeEvent, EventKind};
use crate::domain::pin::Pin;
use crate::domain::pindigits::PinDigits;
use crate::error::{Error, Result};

use super::{Scope, Workspace};

impl Workspace {
    /// Adds an unmanaged code to the state and its indexes.
    pub(super) fn insert_unmanaged(&mut self, u: UnmanagedAccessCode) {
        if let Some(pin) = &u.code {
            self.pins.entry(u.device_id).or_default().add(pin);
        }
        self.unmanaged_by_device
            .entry(u.device_id)
            .or_default()
            .insert(u.access_code_id);
        let device_id = u.device_id;
        self.unmanaged.insert(u.access_code_id, u);
        self.refresh_capacity(device_id, self.now);
    }

    pub(super) fn remove_unmanaged(&mut self, id: Uuid) -> UnmanagedAccessCode {
        let u = self
            .unmanaged
            .shift_remove(&id)
            .expect("removing an unmanaged code that exists");
        if let (Some(pin), Some(p)) = (&u.code, self.pins.get_mut(&u.device_id)) {
            p.remove(pin);
        }
        if let Some(set) = self.unmanaged_by_device.get_mut(&u.device_id) {
            set.shift_remove(&id);
        }
        self.refresh_capacity(u.device_id, self.now);
        u
    }

    /// `/access_codes/simulate/create_unmanaged_access_code`: a PIN set outside Seam. It must
    /// not already be on the lock.
    pub fn create_unmanaged(
        &mut self,
        device_id: Uuid,
        name: String,
        pin: Pin,
        scope: &Scope,
    ) -> Result<UnmanagedAccessCode> {
        let d = self.lock(device_id, scope)?.device_id;
        let pin = pin.into_string();
        if self.pins.get(&d).is_some_and(|p| p.contains(&pin)) {
            return Err(Error::DuplicateAccessCode(d));
        }
        let id = self.new_id();
        let u = UnmanagedAccessCode::new(id, d, self.record.workspace_id, name, pin, self.now);
        self.insert_unmanaged(u.clone());
        Ok(u)
    }

    /// An unmanaged code by id, if the caller may see its device.
    pub fn unmanaged_code(&self, id: Uuid, scope: &Scope) -> Result<&UnmanagedAccessCode> {
        let u = self.unmanaged.get(&id).ok_or(Error::AccessCodeNotFound)?;
        match self.devices.get(&u.device_id) {
            Some(d) if scope.allows(d) => Ok(u),
            _ => Err(Error::AccessCodeNotFound),
        }
    }

    /// Unmanaged codes on a device, in creation order.
    pub fn unmanaged_on_device(
        &self,
        device_id: Uuid,
        scope: &Scope,
    ) -> Result<Vec<&UnmanagedAccessCode>> {
        let d = self.lock(device_id, scope)?;
        Ok(self
            .unmanaged_by_device
            .get(&d.device_id)
            .into_iter()
            .flatten()
            .map(|id| &self.unmanaged[id])
            .collect())
    }

    /// An unmanaged code by device and PIN.
    pub fn unmanaged_by_pin(
        &self,
        device_id: Uuid,
        pin: &str,
        scope: &Scope,
    ) -> Result<&UnmanagedAccessCode> {
        self.unmanaged_on_device(device_id, scope)?
            .into_iter()
            .find(|u| u.code.as_deref() == Some(pin))
            .ok_or(Error::AccessCodeNotFound)
    }

    /// `/access_codes/unmanaged/convert_to_managed`: Seam takes over the PIN, same id.
    pub fn convert_to_managed(
        &mut self,
        id: Uuid,
        external_allowed: bool,
        scope: &Scope,
    ) -> Result<()> {
        let id = self.unmanaged_code(id, scope)?.access_code_id;
        let u = self.remove_unmanaged(id);
        let mut code = AccessCode::new(
            NewCode {
                access_code_id: u.access_code_id,
                device_id: u.device_id,
                workspace_id: u.workspace_id,
                name: u.name,
                // `Database::check` and the routes keep every PIN to 20 digits at most.
                code: u.code.as_deref().and_then(PinDigits::new),
                is_external_modification_allowed: external_allowed,
                ..NewCode::default()
            },
            self.now,
        );
        code.created_at = u.created_at;
        code.program();
        self.insert_code(code.clone());
        let now = self.now;
        let about = CodeEvent::of(&code, self.account_of(code.device_id));
        self.record(EventKind::AccessCodeConvertedToManaged(about), now);
        Ok(())
    }

    /// `/access_codes/unmanaged/delete`.
    pub fn delete_unmanaged(&mut self, id: Uuid, scope: &Scope) -> Result<ActionAttempt> {
        let id = self.unmanaged_code(id, scope)?.access_code_id;
        self.remove_unmanaged(id);
        Ok(self.record_attempt(ActionType::DeleteAccessCode, serde_json::json!({})))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::domain::access_code::Status;
    use crate::domain::command::CreateOne;
    use crate::domain::pin::Pin;
    use crate::error::Error;

    fn pin(s: &str) -> Pin {
        Pin::parse(s).unwrap()
    }

    #[test]
    fn unmanaged_codes_convert_keeping_id_and_pin() {
        let mut w = ws();
        let u = w
            .create_unmanaged(dev(AUGUST_1), "Cleaner".into(), pin("2468"), &all())
            .unwrap();
        let id = u.access_code_id;
        assert!(matches!(
            w.create_unmanaged(dev(AUGUST_1), "Again".into(), pin("2468"), &all()),
            Err(Error::DuplicateAccessCode(_))
        ));
        w.convert_to_managed(id, true, &all()).unwrap();
        assert!(w.unmanaged_code(id, &all()).is_err());
        let c = w.code(id, &all()).unwrap();
        assert_eq!(
            (
                c.pin().as_deref(),
                c.status,
                c.is_external_modification_allowed
            ),
            (Some("2468"), Status::Set, true)
        );
        assert!(matches!(
            w.create_one(
                CreateOne {
                    code: Some(pin("2468")),
                    ..one(AUGUST_1)
                },
                &all()
            ),
            Err(Error::DuplicateAccessCode(_))
        ));
        let u2 = w
            .create_unmanaged(dev(AUGUST_1), "Gone".into(), pin("1357"), &all())
            .unwrap();
        w.delete_unmanaged(u2.access_code_id, &all()).unwrap();
        assert!(
            w.unmanaged_on_device(dev(AUGUST_1), &all())
                .unwrap()
                .is_empty()
        );
    }
}
