//! `/workspaces/find_anything`: whatever in the workspace has a given id — a device (managed
//! or not), a managed or unmanaged access code, a connected account, an action attempt, an
//! event or a customization profile — within what the caller may see.

use uuid::Uuid;

use crate::domain::access_code::{AccessCode, UnmanagedAccessCode};
use crate::domain::action_attempt::ActionAttempt;
use crate::domain::customization::CustomizationProfile;
use crate::domain::device::Device;
use crate::domain::event::Event;
use crate::store::records::ConnectedAccount;

use super::{Scope, Workspace};

/// What one id names in a workspace; at most one entry in all (ids are unique), but each kind
/// keeps its own list, as Seam's `batch` does.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Found {
    pub devices: Vec<Device>,
    pub unmanaged_devices: Vec<Device>,
    pub access_codes: Vec<AccessCode>,
    pub unmanaged_access_codes: Vec<UnmanagedAccessCode>,
    pub connected_accounts: Vec<ConnectedAccount>,
    pub action_attempts: Vec<ActionAttempt>,
    pub events: Vec<Event>,
    pub customization_profiles: Vec<CustomizationProfile>,
}

impl Workspace {
    /// Everything the caller may see whose id is `id`.
    pub fn find_anything(&self, id: Uuid, scope: &Scope) -> Found {
        Found {
            devices: self.device(id, scope).cloned().into_iter().collect(),
            unmanaged_devices: self
                .unmanaged_device(id, scope)
                .cloned()
                .into_iter()
                .collect(),
            access_codes: self.code(id, scope).cloned().into_iter().collect(),
            unmanaged_access_codes: self
                .unmanaged_code(id, scope)
                .cloned()
                .into_iter()
                .collect(),
            connected_accounts: self
                .connected_account(id, scope)
                .cloned()
                .into_iter()
                .collect(),
            action_attempts: self.action_attempt(id).cloned().into_iter().collect(),
            events: self
                .event(id)
                .ok()
                .filter(|e| e.device_id().is_none_or(|d| self.device(d, scope).is_ok()))
                .cloned()
                .into_iter()
                .collect(),
            customization_profiles: self.profile(id).cloned().into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn an_id_finds_its_one_thing() {
        let mut w = ws();
        let (c, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        let found = w.find_anything(c.access_code_id, &all());
        assert_eq!(found.access_codes.len(), 1);
        assert!(found.devices.is_empty() && found.events.is_empty());
        let found = w.find_anything(dev(AUGUST_1), &all());
        assert_eq!(found.devices.len(), 1);
        assert_eq!(w.find_anything(Uuid::nil(), &all()), Found::default());
    }
}
