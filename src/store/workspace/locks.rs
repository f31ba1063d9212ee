//! Locks, connected accounts and hand-moved action attempts: door actions (attempt,
//! `properties.locked` and event in one locked call), the `/_fake/update_action_attempt` move,
//! and connected-account lookups.

use serde_json::Value;
use uuid::Uuid;

use crate::domain::action_attempt::{ActionAttempt, AttemptStatus};
use crate::domain::attempt_update;
use crate::domain::command::DeviceFilter;
use crate::domain::device::Device;
use crate::domain::event::Event;
use crate::domain::lock::{self, DoorAction};
use crate::error::{Error, Result};
use crate::store::records::ConnectedAccount;

use super::{Page, Scope, Workspace, paginate};

impl Workspace {
    /// A device `/locks/*` may act on: one the caller can see that is a lock; anything else
    /// reads as not found, as Seam's fake answers.
    pub fn door_lock(&self, id: Uuid, scope: &Scope) -> Result<&Device> {
        let d = self.device(id, scope)?;
        if lock::is_lock(d) {
            Ok(d)
        } else {
            Err(Error::DeviceNotFound(id.to_string()))
        }
    }

    /// The locks matching `f` that the caller can see, in creation order.
    pub fn door_locks(&self, f: &DeviceFilter, scope: &Scope) -> Vec<&Device> {
        self.devices(f, scope, 0, usize::MAX)
            .items
            .into_iter()
            .filter(|d| lock::is_lock(d))
            .collect()
    }

    /// Locks or unlocks a door. The lock answers at once: the stored attempt is already a
    /// success, `properties.locked` follows and the lock's event is recorded; the caller gets
    /// the attempt as Seam first answers it, `pending`.
    pub fn door_action(
        &mut self,
        device_id: Uuid,
        action: DoorAction,
        scope: &Scope,
    ) -> Result<ActionAttempt> {
        let mut device = self.door_lock(device_id, scope)?.clone();
        let id = self.new_id();
        let ws = self.record.workspace_id;
        self.action_attempts.insert(id, action.done(id, ws));
        device
            .properties
            .extra
            .insert("locked".into(), Value::Bool(action.locked()));
        let (dev, account) = (device.device_id, device.connected_account_id);
        self.replace_device(device);
        let event_id = self.next_event_id();
        self.push_event(Event {
            event_id,
            event_type: action.event_type(),
            workspace_id: ws,
            device_id: Some(dev),
            access_code_id: None,
            backup_access_code_id: None,
            connected_account_id: Some(account),
            code: None,
            created_at: self.now,
            occurred_at: self.now,
        });
        Ok(action.pending(id, ws))
    }

    /// Moves an attempt to `status` (the fake control surface).
    pub fn update_attempt(
        &mut self,
        id: Uuid,
        status: AttemptStatus,
        result: Option<Value>,
        error: Option<Value>,
    ) -> Result<ActionAttempt> {
        let a = self
            .action_attempts
            .get_mut(&id)
            .ok_or(Error::ActionAttemptNotFound)?;
        attempt_update::apply(a, status, result, error);
        Ok(a.clone())
    }

    /// Whether this workspace holds the attempt.
    pub fn has_attempt(&self, id: Uuid) -> bool {
        self.action_attempts.contains_key(&id)
    }

    /// A connected account the caller may see.
    pub fn connected_account(&self, id: Uuid, scope: &Scope) -> Result<&ConnectedAccount> {
        self.accounts
            .values()
            .find(|a| a.connected_account_id == id && visible(a, scope))
            .ok_or(Error::ConnectedAccountNotFound)
    }

    /// The first connected account whose `user_identifier.email` is `email`.
    pub fn connected_account_by_email(
        &self,
        email: &str,
        scope: &Scope,
    ) -> Result<&ConnectedAccount> {
        self.accounts
            .values()
            .find(|a| {
                visible(a, scope)
                    && a.user_identifier.get("email").and_then(Value::as_str) == Some(email)
            })
            .ok_or(Error::ConnectedAccountNotFound)
    }

    /// A page of the connected accounts the caller may see that `keep` keeps, in creation
    /// order.
    pub fn connected_accounts_page(
        &self,
        scope: &Scope,
        keep: impl Fn(&ConnectedAccount) -> bool,
        offset: usize,
        limit: usize,
    ) -> Page<&ConnectedAccount> {
        paginate(
            self.accounts
                .values()
                .filter(|a| visible(a, scope) && keep(a)),
            offset,
            limit,
        )
    }

    /// How many devices a client session limited to these connected accounts sees (its
    /// `device_count`); none listed means every account, as [`Scope`] reads it.
    pub fn device_count(&self, accounts: &[Uuid]) -> usize {
        let scope = Scope {
            connected_account_ids: (!accounts.is_empty()).then(|| accounts.to_vec()),
        };
        self.devices(&DeviceFilter::default(), &scope, 0, usize::MAX)
            .items
            .len()
    }
}

fn visible(a: &ConnectedAccount, scope: &Scope) -> bool {
    scope
        .connected_account_ids
        .as_ref()
        .is_none_or(|ids| ids.contains(&a.connected_account_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Settings, Store, seed};

    fn store() -> Store {
        Store::new(
            seed::database(),
            Settings {
                rng_seed: Some(3),
                ..Settings::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn a_door_action_answers_pending_and_leaves_success_state_and_event() {
        let s = store();
        let dev = seed::device_id(1);
        s.with_workspace(seed::WORKSPACE_1, |ws| {
            let all = Scope::default();
            let p = ws.door_action(dev, DoorAction::Lock, &all).unwrap();
            assert_eq!(p.status, AttemptStatus::Pending);
            let stored = ws.action_attempt(p.action_attempt_id).unwrap();
            assert_eq!(
                (stored.status, stored.action_type.as_str()),
                (AttemptStatus::Success, "LOCK_DOOR")
            );
            assert_eq!(lock::locked(ws.device(dev, &all).unwrap()), Some(true));
            ws.door_action(dev, DoorAction::Unlock, &all).unwrap();
            assert_eq!(lock::locked(ws.device(dev, &all).unwrap()), Some(false));
            let kinds: Vec<&str> = ws.events().iter().map(|e| e.event_type.as_str()).collect();
            assert_eq!(kinds, ["lock.locked", "lock.unlocked"]);
            // A thermostat is not a lock; nothing is recorded for it.
            let ecobee = seed::device_id(4);
            assert!(matches!(
                ws.door_action(ecobee, DoorAction::Unlock, &all),
                Err(Error::DeviceNotFound(_))
            ));
            assert_eq!(ws.events().len(), 2);
            let moved = ws
                .update_attempt(p.action_attempt_id, AttemptStatus::Pending, None, None)
                .unwrap();
            assert_eq!(moved.status, AttemptStatus::Pending);
            assert!(matches!(
                ws.update_attempt(Uuid::nil(), AttemptStatus::Success, None, None),
                Err(Error::ActionAttemptNotFound)
            ));
        })
        .unwrap();
    }

    #[test]
    fn connected_accounts_page_and_respect_scope() {
        let s = store();
        s.with_workspace(seed::WORKSPACE_1, |ws| {
            let all = Scope::default();
            let p = ws.connected_accounts_page(&all, |_| true, 0, 2);
            assert_eq!((p.items.len(), p.next_offset), (2, Some(2)));
            let p = ws.connected_accounts_page(&all, |_| true, 2, 2);
            assert_eq!((p.items.len(), p.next_offset), (1, None));
            let john = Scope {
                connected_account_ids: Some(vec![seed::JOHN]),
            };
            assert_eq!(
                ws.connected_accounts_page(&john, |_| true, 0, 10)
                    .items
                    .len(),
                1
            );
            assert!(ws.connected_account(seed::JANE, &john).is_err());
            assert!(ws.connected_account(seed::JANE, &all).is_ok());
            assert_eq!(
                ws.connected_account_by_email("jane@example.com", &all)
                    .unwrap()
                    .connected_account_id,
                seed::JANE
            );
            let johns = ws.device_count(&[seed::JOHN]);
            assert!(johns > 0 && johns < seed::DEVICES.len());
            assert_eq!(ws.device_count(&[]), seed::DEVICES.len());
        })
        .unwrap();
    }
}
