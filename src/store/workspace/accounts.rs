//! Connected accounts as a caller reaches them: by id, by email, and a page of them, each
//! within the accounts a client session is limited to.

use serde_json::Value;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::store::records::ConnectedAccount;

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
            Ok(())
        })
        .unwrap();
    }
}
