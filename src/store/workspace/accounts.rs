//! Connected accounts as a caller reaches them: by id, by email, and a page of them, each
//! within the accounts a client session is limited to; updated, and deleted with everything
//! that came through them.

use serde_json::{Map, Value};
use uuid::Uuid;

use crate::domain::event::{AccountEvent, EventKind};
use crate::domain::metadata;
use crate::error::{Error, Result};
use crate::store::records::ConnectedAccount;

/// What `/connected_accounts/update` changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccountChanges {
    pub display_name: Option<String>,
    pub customer_key: Option<String>,
    pub accepted_capabilities: Option<Vec<String>>,
    pub automatically_manage_new_devices: Option<bool>,
    /// Keys to set (null: remove).
    pub custom_metadata: Option<Map<String, Value>>,
}

use super::{Page, Scope, Workspace, paginate};

impl Workspace {
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
}

impl Workspace {
    /// `/connected_accounts/update`: the fields given change; the account as it is now.
    pub fn update_connected_account(
        &mut self,
        id: Uuid,
        changes: AccountChanges,
        scope: &Scope,
    ) -> Result<&ConnectedAccount> {
        let id = self.connected_account(id, scope)?.connected_account_id;
        let a = self
            .accounts
            .get_mut(&id)
            .ok_or(Error::ConnectedAccountNotFound)?;
        let AccountChanges {
            display_name,
            customer_key,
            accepted_capabilities,
            automatically_manage_new_devices,
            custom_metadata,
        } = changes;
        if display_name.is_some() {
            a.display_name = display_name;
        }
        if customer_key.is_some() {
            a.customer_key = customer_key;
        }
        if let Some(c) = accepted_capabilities {
            a.accepted_capabilities = c;
        }
        if let Some(m) = automatically_manage_new_devices {
            a.automatically_manage_new_devices = m;
        }
        if let Some(m) = custom_metadata {
            metadata::merge(&mut a.custom_metadata, m);
        }
        Ok(a)
    }

    /// `/connected_accounts/delete`: its devices leave with their codes (`access_code.deleted`,
    /// `device.deleted`), then the account (`connected_account.deleted`).
    pub fn delete_connected_account(&mut self, id: Uuid, scope: &Scope) -> Result<()> {
        let id = self.connected_account(id, scope)?.connected_account_id;
        for device in self.devices_of_account(id) {
            self.drop_device(device);
        }
        self.accounts.shift_remove(&id);
        let e = AccountEvent {
            connected_account_id: id,
        };
        self.record(EventKind::ConnectedAccountDeleted(e), self.now);
        Ok(())
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
    fn connected_accounts_page_and_respect_scope() {
        let s = store();
        s.with_workspace_sync(seed::WORKSPACE_1, |ws| {
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
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn deleting_an_account_takes_its_devices_and_records_it_last() {
        let s = store();
        s.with_workspace_sync(seed::WORKSPACE_1, |ws| {
            let all = Scope::default();
            let before = ws.device_count(&[]);
            let johns = ws.device_count(&[seed::JOHN]);
            ws.delete_connected_account(seed::JOHN, &all).unwrap();
            assert_eq!(ws.device_count(&[]), before - johns);
            assert!(ws.connected_account(seed::JOHN, &all).is_err());
            let last = ws.events().iter().last().unwrap();
            assert_eq!(last.event_type().as_str(), "connected_account.deleted");
            assert_eq!(last.connected_account_id(), Some(seed::JOHN));
            let changed = ws
                .update_connected_account(
                    seed::JANE,
                    AccountChanges {
                        display_name: Some("Jane's locks".into()),
                        ..AccountChanges::default()
                    },
                    &all,
                )
                .unwrap();
            assert_eq!(changed.display_name.as_deref(), Some("Jane's locks"));
            Ok(())
        })
        .unwrap();
    }
}
