//! Registry-level state besides the workspaces' contents: who a credential is (API keys,
//! client sessions, personal access tokens, console-session JWTs, publishable keys),
//! workspaces as a whole (list, get, create), client sessions, and simulated outages.
//!
//! Every method takes the registry lock once and never while a workspace lock is held by the
//! same call, so nothing here can deadlock against [`Store::with_workspace`].

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::Rng;
use uuid::Uuid;

use crate::domain::console_session;
use crate::error::{Error, Result};

use super::records::{ClientSession, WorkspaceRecord};
use super::{Caller, Credential, Registry, Scope, Store, find_secret, lock};

/// The console-session secret when `--console-jwt-secret` is not given (Seam's fake's).
pub const DEFAULT_CONSOLE_JWT_SECRET: &str = "secret";

/// How long a new client session lasts when the request names no `expires_at` (Seam's fake's
/// default).
pub fn client_session_lifetime() -> Duration {
    Duration::days(365)
}

/// What a client session without an expiry shows as `expires_at`: the end of time, as JS
/// dates go in practice.
pub fn never() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .single()
        .unwrap_or_default()
}

/// A person behind a personal access token or a console session: member of some workspaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Member {
    /// A personal access token (the token itself names the member).
    Token(String),
    /// A console user, by `user_id`.
    User(Uuid),
}

/// Which kind of credential a caller used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Via {
    ApiKey,
    /// A client session, by `client_session_id`.
    ClientSession(Uuid),
    /// A personal access token or console session with `seam-workspace`.
    Member(Member),
    /// A `seam-publishable-key` (opens client sessions, nothing else).
    PublishableKey,
}

/// Who is calling: one workspace, or a member that named none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    Workspace(Caller),
    /// A personal access token or console session without `seam-workspace`.
    Member(Member),
}

impl Principal {
    /// The caller of a route that works inside one workspace.
    pub fn into_caller(self) -> Result<Caller> {
        match self {
            Principal::Workspace(c) if c.via == Via::PublishableKey => Err(Error::Unauthorized(
                "Unauthorized: a publishable key only opens client sessions".into(),
            )),
            Principal::Workspace(c) => Ok(c),
            Principal::Member(_) => Err(Error::Unauthorized(
                "Unauthorized: a personal access token or console session needs the \
                 seam-workspace header here"
                    .into(),
            )),
        }
    }

    /// The workspace the call runs in, if any.
    pub fn workspace_id(&self) -> Option<Uuid> {
        match self {
            Principal::Workspace(c) => Some(c.workspace_id),
            Principal::Member(_) => None,
        }
    }

    /// The member behind the call, if it is a person's credential.
    pub fn member(&self) -> Option<&Member> {
        match self {
            Principal::Workspace(Caller {
                via: Via::Member(m),
                ..
            })
            | Principal::Member(m) => Some(m),
            Principal::Workspace(_) => None,
        }
    }
}

/// A parsed `/workspaces/create`.
#[derive(Clone, Debug, Default)]
pub struct NewWorkspace {
    pub name: String,
    pub company_name: Option<String>,
    pub connect_partner_name: Option<String>,
    pub is_sandbox: bool,
}

/// A parsed `/client_sessions/create`: what the new session is limited to.
#[derive(Clone, Debug, Default)]
pub struct NewClientSession {
    pub connected_account_ids: Vec<Uuid>,
    pub user_identifier_key: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Which client sessions `/client_sessions/list` returns; `None` means any.
#[derive(Clone, Debug, Default)]
pub struct ClientSessionFilter {
    pub client_session_id: Option<Uuid>,
    pub user_identifier_key: Option<String>,
    pub without_user_identifier_key: bool,
}

const TOKEN_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn unauthorized(why: &str) -> Error {
    Error::Unauthorized(format!("Unauthorized: {why}"))
}

fn member_of(reg: &Registry, m: &Member) -> Vec<Uuid> {
    match m {
        Member::Token(t) => reg
            .personal_access_tokens
            .iter()
            .find(|p| &p.token == t)
            .map(|p| p.workspace_ids.clone()),
        Member::User(u) => reg
            .users
            .iter()
            .find(|x| &x.user_id == u)
            .map(|x| x.workspace_ids.clone()),
    }
    .unwrap_or_default()
}

impl Store {
    pub(super) fn read(&self) -> std::sync::RwLockReadGuard<'_, Registry> {
        self.inner
            .registry
            .read()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The registry, to change it: counted, so the state file knows to look at it again.
    pub(super) fn write(&self) -> std::sync::RwLockWriteGuard<'_, Registry> {
        let guard = self
            .inner
            .registry
            .write()
            .unwrap_or_else(|p| p.into_inner());
        self.inner
            .registry_writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        guard
    }

    pub(super) fn random_id(&self) -> Uuid {
        let mut bytes = [0u8; 16];
        lock(&self.inner.rng).fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    pub(super) fn random_token(&self, prefix: &str) -> String {
        let mut bytes = [0u8; 24];
        lock(&self.inner.rng).fill_bytes(&mut bytes);
        let tail: String = bytes
            .iter()
            .map(|b| TOKEN_ALPHABET[*b as usize % TOKEN_ALPHABET.len()] as char)
            .collect();
        format!("{prefix}{tail}")
    }

    /// Resolves a credential to the one workspace it works in, or says why not (contract §2).
    pub fn authenticate(&self, cred: &Credential) -> Result<Caller> {
        self.principal(cred)?.into_caller()
    }

    /// Resolves a credential: a caller in one workspace, or a member that named none.
    pub fn principal(&self, cred: &Credential) -> Result<Principal> {
        let reg = self.read();
        let all = Scope::default();
        let member_in = |m: Member, ws: Option<&String>| -> Result<Principal> {
            let Some(ws) = ws else {
                return Ok(Principal::Member(m));
            };
            let ws = Uuid::try_parse(ws)
                .ok()
                .filter(|w| member_of(&reg, &m).contains(w))
                .ok_or_else(|| unauthorized("not a member of that workspace"))?;
            Ok(Principal::Workspace(Caller {
                workspace_id: ws,
                scope: Scope::default(),
                via: Via::Member(m),
            }))
        };
        let principal = match cred {
            Credential::ApiKey(token) => {
                let key = find_secret(&reg.api_keys, token, |k| &k.token)
                    .ok_or_else(|| unauthorized("unknown API key"))?;
                Principal::Workspace(Caller {
                    workspace_id: key.workspace_id,
                    scope: all,
                    via: Via::ApiKey,
                })
            }
            Credential::ClientSession(token) => {
                let s = find_secret(&reg.client_sessions, token, |s| &s.token)
                    .ok_or(Error::ClientSessionNotFound)?;
                if s.expires_at.is_some_and(|e| e <= self.now()) {
                    return Err(unauthorized("the client session has expired"));
                }
                let scope = Scope {
                    connected_account_ids: (!s.connected_account_ids.is_empty())
                        .then(|| s.connected_account_ids.clone()),
                };
                Principal::Workspace(Caller {
                    workspace_id: s.workspace_id,
                    scope,
                    via: Via::ClientSession(s.client_session_id),
                })
            }
            Credential::PersonalAccessToken {
                token,
                workspace_id,
            } => {
                let pat = find_secret(&reg.personal_access_tokens, token, |p| &p.token)
                    .ok_or_else(|| unauthorized("unknown personal access token"))?;
                member_in(Member::Token(pat.token.clone()), workspace_id.as_ref())?
            }
            Credential::ConsoleSession {
                token,
                workspace_id,
            } => {
                let claims =
                    console_session::verify(token, &self.inner.settings.console_jwt_secret)
                        .map_err(|r| unauthorized(r.reason()))?;
                let user = Uuid::try_parse(&claims.user_id)
                    .ok()
                    .and_then(|id| reg.users.iter().find(|u| u.user_id == id))
                    .filter(|u| {
                        bool::from(subtle::ConstantTimeEq::ct_eq(
                            u.key.as_bytes(),
                            claims.key.as_bytes(),
                        ))
                    })
                    .ok_or_else(|| unauthorized("console session not found"))?;
                member_in(Member::User(user.user_id), workspace_id.as_ref())?
            }
            Credential::PublishableKey(key) => {
                let ws = reg
                    .workspaces
                    .iter()
                    .find(|(_, w)| {
                        let w = w.lock();
                        w.record.publishable_key.as_deref() == Some(key.as_str())
                            && w.record.settings.is_publishable_key_auth_enabled != Some(false)
                    })
                    .map(|(id, _)| *id)
                    .ok_or_else(|| unauthorized("unknown publishable key"))?;
                Principal::Workspace(Caller {
                    workspace_id: ws,
                    scope: all,
                    via: Via::PublishableKey,
                })
            }
        };
        if let Some(ws) = principal.workspace_id()
            && !reg.workspaces.contains_key(&ws)
        {
            return Err(unauthorized("the workspace no longer exists"));
        }
        Ok(principal)
    }

    // ----- workspaces ---------------------------------------------------------------------------

    /// One workspace's record.
    pub fn workspace_record(&self, id: Uuid) -> Result<WorkspaceRecord> {
        self.with_workspace_sync(id, |ws| Ok(ws.record.clone()))
    }

    /// The workspaces a principal sees in `/workspaces/list`: a member's every workspace, any
    /// other credential's own.
    pub fn visible_workspaces(&self, p: &Principal) -> Vec<WorkspaceRecord> {
        let ids = match p.member() {
            Some(m) => member_of(&self.read(), m),
            None => p.workspace_id().into_iter().collect(),
        };
        ids.into_iter()
            .filter_map(|id| self.workspace_record(id).ok())
            .collect()
    }

    /// Creates an empty workspace with its own publishable key and makes `m` a member.
    pub fn create_workspace(&self, m: &Member, new: NewWorkspace) -> Result<WorkspaceRecord> {
        let record = WorkspaceRecord {
            workspace_id: self.random_id(),
            name: new.name,
            is_sandbox: new.is_sandbox,
            publishable_key: Some(self.random_token("seam_pk")),
            created_at: self.now(),
            company_name: new.company_name,
            connect_partner_name: new.connect_partner_name,
            settings: Default::default(),
        };
        let ws = self.new_workspace(record.clone(), self.now());
        let mut reg = self.write();
        let list = match m {
            Member::Token(t) => reg
                .personal_access_tokens
                .iter_mut()
                .find(|p| &p.token == t)
                .map(|p| &mut p.workspace_ids),
            Member::User(u) => reg
                .users
                .iter_mut()
                .find(|x| &x.user_id == u)
                .map(|x| &mut x.workspace_ids),
        }
        .ok_or_else(|| unauthorized("the credential no longer exists"))?;
        list.push(record.workspace_id);
        reg.workspaces
            .insert(record.workspace_id, super::Slot::shared(ws));
        Ok(record)
    }

    /// The workspace that holds an action attempt (fake control calls name attempts only).
    pub fn workspace_of_attempt(&self, id: Uuid) -> Option<Uuid> {
        let all = self.workspaces();
        all.into_iter()
            .find(|(_, ws)| ws.lock().has_attempt(id))
            .map(|(k, _)| k)
    }

    // ----- outages ------------------------------------------------------------------------------

    /// From now on, these paths answer 503 for this workspace (replacing any earlier list).
    pub fn simulate_outage(&self, workspace_id: Uuid, routes: Vec<String>) -> Result<()> {
        let mut reg = self.write();
        if !reg.workspaces.contains_key(&workspace_id) {
            return Err(Error::WorkspaceNotFound(workspace_id));
        }
        reg.outages
            .insert(workspace_id, routes.into_iter().collect());
        Ok(())
    }

    /// Whether `path` is down for this workspace.
    pub fn in_outage(&self, workspace_id: Uuid, path: &str) -> bool {
        self.read()
            .outages
            .get(&workspace_id)
            .is_some_and(|r| r.contains(path))
    }

    // ----- client sessions ------------------------------------------------------------------

    /// Creates a client session in `workspace_id`, or, with `reuse`, returns the one that
    /// already has the same `user_identifier_key` there (then `Err` is never "exists").
    /// Without `reuse`, a taken `user_identifier_key` is refused. The token works at once.
    pub fn create_client_session(
        &self,
        workspace_id: Uuid,
        new: NewClientSession,
        reuse: bool,
    ) -> Result<ClientSession> {
        let token = self.random_token("seam_cst");
        let id = self.random_id();
        let now = self.now();
        let mut reg = self.write();
        if let Some(key) = &new.user_identifier_key
            && let Some(existing) = reg.client_sessions.iter().find(|s| {
                s.workspace_id == workspace_id && s.user_identifier_key.as_ref() == Some(key)
            })
        {
            return if reuse {
                Ok(existing.clone())
            } else {
                Err(Error::ClientSessionAlreadyExists)
            };
        }
        let s = ClientSession {
            client_session_id: id,
            token,
            workspace_id,
            connected_account_ids: new.connected_account_ids,
            user_identifier_key: new.user_identifier_key,
            created_at: now,
            expires_at: Some(new.expires_at.unwrap_or(now + client_session_lifetime())),
        };
        reg.client_sessions.push(s.clone());
        Ok(s)
    }

    /// The workspace's client sessions matching `f`, oldest first.
    pub fn client_sessions(
        &self,
        workspace_id: Uuid,
        f: &ClientSessionFilter,
    ) -> Vec<ClientSession> {
        self.read()
            .client_sessions
            .iter()
            .filter(|s| {
                s.workspace_id == workspace_id
                    && f.client_session_id
                        .is_none_or(|id| s.client_session_id == id)
                    && f.user_identifier_key
                        .as_ref()
                        .is_none_or(|k| s.user_identifier_key.as_ref() == Some(k))
                    && (!f.without_user_identifier_key || s.user_identifier_key.is_none())
            })
            .cloned()
            .collect()
    }

    /// Changes a client session of the workspace with `f` under the registry's lock; the
    /// session as it is afterwards.
    pub fn change_client_session(
        &self,
        workspace_id: Uuid,
        id: Uuid,
        f: impl FnOnce(&mut ClientSession),
    ) -> Result<ClientSession> {
        let mut reg = self.write();
        let s = reg
            .client_sessions
            .iter_mut()
            .find(|s| s.workspace_id == workspace_id && s.client_session_id == id)
            .ok_or(Error::NoSuchClientSession)?;
        f(s);
        Ok(s.clone())
    }

    /// `/client_sessions/revoke`: the token stops working now (it expires); the session is
    /// still listed, with that `expires_at`, until deleted.
    pub fn revoke_client_session(&self, workspace_id: Uuid, id: Uuid) -> Result<()> {
        let now = self.now();
        self.change_client_session(workspace_id, id, |s| {
            s.expires_at = Some(s.expires_at.map_or(now, |e| e.min(now)));
        })
        .map(|_| ())
    }

    /// Deletes a client session of the workspace; its token stops working at once.
    pub fn delete_client_session(&self, workspace_id: Uuid, id: Uuid) -> Result<()> {
        let mut reg = self.write();
        let before = reg.client_sessions.len();
        reg.client_sessions
            .retain(|s| !(s.workspace_id == workspace_id && s.client_session_id == id));
        if reg.client_sessions.len() == before {
            return Err(Error::NoSuchClientSession);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Settings, seed};
    use jsonwebtoken::{EncodingKey, Header, encode};

    fn store() -> Store {
        Store::new(
            seed::database(),
            Settings {
                rng_seed: Some(5),
                ..Settings::default()
            },
        )
        .unwrap()
    }

    fn jwt(user: &str, key: &str, secret: &str) -> String {
        encode(
            &Header::default(),
            &serde_json::json!({"user_id": user, "key": key}),
            &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn console_sessions_need_the_secret_the_user_and_membership() {
        let s = store();
        let cs = |t: String, ws: Option<Uuid>| Credential::ConsoleSession {
            token: t,
            workspace_id: ws.map(|w| w.to_string()),
        };
        let good = jwt(&seed::JOHN_USER.to_string(), seed::JOHN_USER_KEY, "secret");
        let c = s
            .authenticate(&cs(good.clone(), Some(seed::WORKSPACE_1)))
            .unwrap();
        assert_eq!(c.via, Via::Member(Member::User(seed::JOHN_USER)));
        assert!(
            s.authenticate(&cs(good.clone(), Some(seed::WORKSPACE_2)))
                .is_err()
        );
        assert_eq!(
            s.principal(&cs(good.clone(), None)).unwrap(),
            Principal::Member(Member::User(seed::JOHN_USER))
        );
        assert!(s.authenticate(&cs(good, None)).is_err());
        let wrong_key = jwt(&seed::JOHN_USER.to_string(), "nope", "secret");
        assert!(s.principal(&cs(wrong_key, None)).is_err());
        let wrong_secret = jwt(&seed::JOHN_USER.to_string(), seed::JOHN_USER_KEY, "other");
        assert!(s.principal(&cs(wrong_secret, None)).is_err());
    }

    #[test]
    fn a_pat_creates_a_workspace_it_then_belongs_to() {
        let s = store();
        let m = Member::Token(seed::PERSONAL_ACCESS_TOKEN_1.into());
        let before = s.visible_workspaces(&Principal::Member(m.clone())).len();
        let w = s
            .create_workspace(
                &m,
                NewWorkspace {
                    name: "New".into(),
                    is_sandbox: true,
                    ..NewWorkspace::default()
                },
            )
            .unwrap();
        let after = s.visible_workspaces(&Principal::Member(m.clone()));
        assert_eq!(after.len(), before + 1);
        let pat = Credential::PersonalAccessToken {
            token: seed::PERSONAL_ACCESS_TOKEN_1.into(),
            workspace_id: Some(w.workspace_id.to_string()),
        };
        assert_eq!(s.authenticate(&pat).unwrap().workspace_id, w.workspace_id);
        // Its publishable key opens client sessions there; the dump keeps the membership.
        let pk = Credential::PublishableKey(w.publishable_key.clone().unwrap());
        assert_eq!(
            s.principal(&pk).unwrap().workspace_id(),
            Some(w.workspace_id)
        );
        assert!(s.authenticate(&pk).is_err());
        assert!(
            s.dump().personal_access_tokens[0]
                .workspace_ids
                .contains(&w.workspace_id)
        );
    }

    #[test]
    fn client_sessions_are_made_found_reused_and_deleted() {
        let s = store();
        let new = || NewClientSession {
            user_identifier_key: Some("u1".into()),
            ..NewClientSession::default()
        };
        let cs = s
            .create_client_session(seed::WORKSPACE_2, new(), false)
            .unwrap();
        let cred = Credential::ClientSession(cs.token.clone());
        assert_eq!(
            s.authenticate(&cred).unwrap().workspace_id,
            seed::WORKSPACE_2
        );
        assert!(matches!(
            s.create_client_session(seed::WORKSPACE_2, new(), false),
            Err(Error::ClientSessionAlreadyExists)
        ));
        let again = s
            .create_client_session(seed::WORKSPACE_2, new(), true)
            .unwrap();
        assert_eq!(again.client_session_id, cs.client_session_id);
        // The same key in another workspace is another session.
        let other = s
            .create_client_session(seed::WORKSPACE_1, new(), false)
            .unwrap();
        assert_ne!(other.client_session_id, cs.client_session_id);
        let f = ClientSessionFilter {
            user_identifier_key: Some("u1".into()),
            ..ClientSessionFilter::default()
        };
        assert_eq!(s.client_sessions(seed::WORKSPACE_2, &f).len(), 1);
        s.delete_client_session(seed::WORKSPACE_2, cs.client_session_id)
            .unwrap();
        assert!(matches!(
            s.authenticate(&cred),
            Err(Error::ClientSessionNotFound)
        ));
        assert!(matches!(
            s.delete_client_session(seed::WORKSPACE_2, cs.client_session_id),
            Err(Error::NoSuchClientSession)
        ));
        // It expires on the server clock.
        let short = s
            .create_client_session(
                seed::WORKSPACE_2,
                NewClientSession {
                    expires_at: Some(s.now() + Duration::seconds(10)),
                    ..NewClientSession::default()
                },
                false,
            )
            .unwrap();
        let cred = Credential::ClientSession(short.token);
        assert!(s.authenticate(&cred).is_ok());
        s.advance(Duration::seconds(11));
        assert!(matches!(s.authenticate(&cred), Err(Error::Unauthorized(_))));
    }

    #[test]
    fn outages_are_per_workspace_and_path() {
        let s = store();
        s.simulate_outage(seed::WORKSPACE_1, vec!["/devices/list".into()])
            .unwrap();
        assert!(s.in_outage(seed::WORKSPACE_1, "/devices/list"));
        assert!(!s.in_outage(seed::WORKSPACE_1, "/devices/get"));
        assert!(!s.in_outage(seed::WORKSPACE_2, "/devices/list"));
        assert!(s.simulate_outage(Uuid::nil(), vec![]).is_err());
        s.reset();
        assert!(!s.in_outage(seed::WORKSPACE_1, "/devices/list"));
    }
}
