//! The store: every workspace's state, the credentials that lead to it, and the server clock.
//!
//! A cheap-to-clone handle ([`Store`]) over a registry behind a `RwLock` (credentials and the
//! workspace map) and one (parking_lot) `Mutex` per workspace. Requests lock only their own
//! workspace (waiting for it as parked tasks), run a synchronous method on it
//! ([`Store::with_workspace`]) and never hold a lock across `.await`.

pub mod chunked;
pub mod clock;
pub mod dashboard;
pub mod faults;
mod invariants;
pub mod journal;
pub mod records;
pub mod sandboxes;
pub mod seed;
pub mod sessions;
pub mod snapshots;
pub mod statefile;
pub mod tracked;
pub mod webhooks;
pub mod workspace;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};

use chrono::{DateTime, Duration, Utc};
use indexmap::IndexMap;
use rand::{SeedableRng, rngs::StdRng};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::error::{Error, Result};
use clock::Clock;
use records::{ApiKey, ClientSession, ConsoleUser, Database, PersonalAccessToken};
pub use sessions::{Member, Principal, Via};
pub use workspace::{Scope, Workspace};

/// Store-wide settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How long after creation (or the start of its window) a device has a code.
    pub programming_delay: Duration,
    /// Seed for every random choice (PINs, keys, ids); `None` draws from the OS.
    pub rng_seed: Option<u64>,
    /// How many requests the journal keeps (`--journal-size`; 0 keeps none).
    pub journal_size: usize,
    /// The HS256 secret console-session JWTs are signed with.
    pub console_jwt_secret: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            programming_delay: Duration::zero(),
            rng_seed: None,
            journal_size: 0,
            console_jwt_secret: sessions::DEFAULT_CONSOLE_JWT_SECRET.into(),
        }
    }
}

/// A credential as the edge read it from the headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    ApiKey(String),
    ClientSession(String),
    PersonalAccessToken {
        token: String,
        workspace_id: Option<String>,
    },
    /// A console-session JWT, with the `seam-workspace` header when sent.
    ConsoleSession {
        token: String,
        workspace_id: Option<String>,
    },
    /// A `seam-publishable-key` header (client sessions only).
    PublishableKey(String),
}

/// Who is calling: the one workspace the credential resolves to, and what it may see there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub workspace_id: Uuid,
    pub scope: Scope,
    /// The kind of credential, for the routes whose answer depends on it.
    pub via: Via,
}

/// A workspace behind its lock, and the bell its waiting requests listen for.
pub(crate) struct Slot {
    /// parking_lot's mutex spins briefly before it parks a thread: the synchronous callers
    /// (background ticks, fake control calls) rarely sleep in the kernel.
    workspace: parking_lot::Mutex<Workspace>,
    /// Rung each time the lock is let go. A request that finds the workspace busy waits for it
    /// as a parked task, its worker thread free for other connections, then tries again
    /// (docs/performance.md: the bench's throughput).
    freed: tokio::sync::Notify,
}

impl Slot {
    fn shared(ws: Workspace) -> Shared {
        Arc::new(Slot {
            workspace: parking_lot::Mutex::new(ws),
            freed: tokio::sync::Notify::new(),
        })
    }

    /// The workspace, locked, waiting in the thread if it is busy.
    pub(crate) fn lock(&self) -> Locked<'_> {
        Locked {
            guard: self.workspace.lock(),
            _bell: Bell(&self.freed),
        }
    }

    /// The workspace, locked, or `None` at once if it is busy.
    fn try_lock(&self) -> Option<Locked<'_>> {
        Some(Locked {
            guard: self.workspace.try_lock()?,
            _bell: Bell(&self.freed),
        })
    }
}

/// A locked workspace. Letting it go unlocks, then wakes a waiting request: fields drop in
/// order, so the bell rings after the lock is free.
pub(crate) struct Locked<'a> {
    guard: parking_lot::MutexGuard<'a, Workspace>,
    _bell: Bell<'a>,
}

struct Bell<'a>(&'a tokio::sync::Notify);

impl Drop for Bell<'_> {
    fn drop(&mut self) {
        self.0.notify_one();
    }
}

impl std::ops::Deref for Locked<'_> {
    type Target = Workspace;

    fn deref(&self) -> &Workspace {
        &self.guard
    }
}

impl std::ops::DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut Workspace {
        &mut self.guard
    }
}

type Shared = Arc<Slot>;

#[derive(Default)]
pub(crate) struct Registry {
    workspaces: IndexMap<Uuid, Shared>,
    api_keys: Vec<ApiKey>,
    client_sessions: Vec<ClientSession>,
    personal_access_tokens: Vec<PersonalAccessToken>,
    users: Vec<ConsoleUser>,
    /// Per workspace, the paths that answer 503 (`/_fake/simulate_workspace_outage`).
    outages: HashMap<Uuid, HashSet<String>>,
}

struct Inner {
    registry: RwLock<Registry>,
    /// Ids and tokens made outside any workspace (new workspaces, client sessions).
    rng: Mutex<StdRng>,
    clock: Clock,
    settings: Settings,
    initial: Database,
    journal: journal::Journal,
    /// The fault rules (`/_fake/faults/*`), apart from the workspaces like the journal; each
    /// workspace holds a handle, for the device outcomes its locks' jobs ask about.
    faults: Arc<faults::Faults>,
    /// Webhooks and their delivery queue (a leaf lock, taken under workspace locks).
    webhooks: webhooks::Hub,
    /// Each sandbox's seed, by workspace id: what resetting it returns to.
    sandboxes: Mutex<HashMap<Uuid, Arc<Database>>>,
    /// Named snapshots (a leaf lock).
    snapshots: Mutex<snapshots::Shelf>,
    /// How many times the registry was taken to be changed (`Store::write`).
    registry_writes: std::sync::atomic::AtomicU64,
    /// The state file's writer, when there is one.
    state_file: Mutex<Option<statefile::Writer>>,
}

/// The handle every request holds.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

/// A handle that does not keep the store alive: background tasks hold it and end when the
/// server (its store) is gone.
#[derive(Clone)]
pub struct WeakStore(Weak<Inner>);

impl WeakStore {
    /// The store, while it exists.
    pub fn upgrade(&self) -> Option<Store> {
        self.0.upgrade().map(|inner| Store { inner })
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Compares a secret with every candidate in constant time per candidate, without stopping at
/// the first match, so timing does not tell how much of a token was right.
fn find_secret<'a, T>(items: &'a [T], secret: &str, token: impl Fn(&T) -> &str) -> Option<&'a T> {
    let mut found = None;
    for item in items {
        if bool::from(token(item).as_bytes().ct_eq(secret.as_bytes())) {
            found = Some(item);
        }
    }
    found
}

impl Store {
    /// A store holding `initial`, which `/_fake/reset` returns to.
    pub fn new(initial: Database, settings: Settings) -> std::result::Result<Self, String> {
        let store = Store {
            inner: Arc::new(Inner {
                registry: RwLock::new(Registry::default()),
                rng: Mutex::new(match settings.rng_seed {
                    Some(seed) => StdRng::seed_from_u64(seed.rotate_left(29)),
                    None => rand::make_rng(),
                }),
                clock: Clock::default(),
                journal: journal::Journal::new(settings.journal_size),
                faults: Arc::new(faults::Faults::new(settings.rng_seed)),
                settings,
                initial: initial.clone(),
                webhooks: webhooks::Hub::default(),
                sandboxes: Mutex::default(),
                snapshots: Mutex::default(),
                registry_writes: Default::default(),
                state_file: Mutex::default(),
            }),
        };
        store.replace(initial)?;
        Ok(store)
    }

    /// The server clock's now.
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// The request journal (kept apart from the workspaces; reset leaves it alone).
    pub fn journal(&self) -> &journal::Journal {
        &self.inner.journal
    }

    fn workspace_rng(&self, id: Uuid) -> StdRng {
        match self.inner.settings.rng_seed {
            Some(seed) => {
                let (hi, lo) = id.as_u64_pair();
                StdRng::seed_from_u64(seed ^ hi ^ lo.rotate_left(17))
            }
            None => rand::make_rng(),
        }
    }

    /// The fault rules (cleared by reset, kept by `PUT /_fake/database`).
    pub fn faults(&self) -> &faults::Faults {
        &self.inner.faults
    }

    /// Replaces the whole state with `db`, after checking it is consistent.
    pub fn replace(&self, db: Database) -> std::result::Result<(), String> {
        db.check()?;
        let now = self.now();
        let mut reg = Registry {
            api_keys: db.api_keys.clone(),
            client_sessions: db.client_sessions.clone(),
            personal_access_tokens: db.personal_access_tokens.clone(),
            users: db.users.clone(),
            ..Registry::default()
        };
        for w in &db.workspaces {
            let mut ws = self.new_workspace(w.clone(), now);
            ws.load(&db);
            // Loaded history is not news: nothing to deliver.
            ws.mark_published();
            reg.workspaces.insert(w.workspace_id, Slot::shared(ws));
        }
        // Webhooks go with the registry, under its lock: the state file never reads one
        // without the other.
        let mut guard = self.write();
        *guard = reg;
        self.inner.webhooks.clear();
        drop(guard);
        Ok(())
    }

    /// Back to the state the server started with (sandboxes are gone; snapshots are kept).
    pub fn reset(&self) {
        self.inner.faults.clear();
        // The initial database was checked when the store was made.
        let _ = self.replace(self.inner.initial.clone());
        lock(&self.inner.sandboxes).clear();
    }

    /// The whole state.
    pub fn dump(&self) -> Database {
        let reg = self
            .inner
            .registry
            .read()
            .unwrap_or_else(|p| p.into_inner());
        let mut db = Database {
            api_keys: reg.api_keys.clone(),
            client_sessions: reg.client_sessions.clone(),
            personal_access_tokens: reg.personal_access_tokens.clone(),
            users: reg.users.clone(),
            ..Database::default()
        };
        let now = self.now();
        for ws in reg.workspaces.values() {
            let mut ws = ws.lock();
            ws.now = now;
            ws.tick(now);
            self.publish_outbox(&mut ws);
            ws.dump(&mut db);
        }
        db
    }

    /// Moves the server clock forward and runs every transition it passes, in every workspace.
    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        let now = self.inner.clock.advance(by);
        let all = self.workspaces();
        for (_, ws) in all {
            let mut ws = ws.lock();
            ws.now = now;
            ws.tick(now);
            self.publish_outbox(&mut ws);
        }
        self.inner.webhooks.wake_all();
        now
    }

    /// An empty workspace with this store's clock, settings and random source.
    fn new_workspace(&self, record: records::WorkspaceRecord, now: DateTime<Utc>) -> Workspace {
        let id = record.workspace_id;
        let mut ws = Workspace::new(
            record,
            self.workspace_rng(id),
            now,
            self.inner.settings.programming_delay,
        );
        ws.faults = self.inner.faults.clone();
        ws
    }

    fn shared(&self, id: Uuid) -> Option<Shared> {
        let reg = self
            .inner
            .registry
            .read()
            .unwrap_or_else(|p| p.into_inner());
        reg.workspaces.get(&id).cloned()
    }

    /// A request's way to a workspace: locks it (waiting as a parked task while it is busy),
    /// brings it up to the server clock and runs `f` on it. `f` is synchronous, so the lock is
    /// never held across an `.await`. One `Result`: a missing workspace and `f`'s own failure
    /// are both an [`Error`].
    pub async fn with_workspace<R>(
        &self,
        id: Uuid,
        f: impl FnOnce(&mut Workspace) -> Result<R>,
    ) -> Result<R> {
        let slot = self.shared(id).ok_or(Error::WorkspaceNotFound(id))?;
        loop {
            // Listening before trying: a release between the try and the wait still wakes it.
            let mut freed = std::pin::pin!(slot.freed.notified());
            freed.as_mut().enable();
            if let Some(ws) = slot.try_lock() {
                return self.run_on(ws, f);
            }
            freed.await;
        }
    }

    /// [`Store::with_workspace`] for synchronous callers: waits for the lock in the thread.
    pub fn with_workspace_sync<R>(
        &self,
        id: Uuid,
        f: impl FnOnce(&mut Workspace) -> Result<R>,
    ) -> Result<R> {
        let slot = self.shared(id).ok_or(Error::WorkspaceNotFound(id))?;
        self.run_on(slot.lock(), f)
    }

    fn run_on<R>(
        &self,
        mut ws: Locked<'_>,
        f: impl FnOnce(&mut Workspace) -> Result<R>,
    ) -> Result<R> {
        let now = self.now();
        ws.now = now;
        ws.tick(now);
        let out = f(&mut ws);
        self.publish_outbox(&mut ws);
        out
    }

    /// The workspace a fake control call names.
    pub fn has_workspace(&self, id: Uuid) -> bool {
        self.shared(id).is_some()
    }

    /// Every workspace's handle, copied out of the registry so the caller locks each one
    /// without holding the registry's lock.
    pub(crate) fn workspaces(&self) -> Vec<(Uuid, Shared)> {
        self.read()
            .workspaces
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect()
    }

    /// Finds the workspace for which `holds` is true (fake control calls name a record, not a
    /// workspace).
    pub fn workspace_where(&self, holds: impl Fn(&Workspace) -> bool) -> Option<Uuid> {
        let all = self.workspaces();
        all.into_iter()
            .find(|(_, ws)| holds(&ws.lock()))
            .map(|(id, _)| id)
    }

    /// Finds the workspace that holds a device (fake control calls name devices only).
    pub fn workspace_of_device(&self, device_id: Uuid) -> Option<Uuid> {
        let all = self.workspaces();
        all.into_iter()
            .find(|(_, ws)| ws.lock().device(device_id, &Scope::default()).is_ok())
            .map(|(id, _)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        Store::new(
            seed::database(),
            Settings {
                rng_seed: Some(1),
                ..Settings::default()
            },
        )
        .unwrap()
    }

    /// On a runtime of one thread, in a thread of its own: a request for a busy workspace
    /// must wait without blocking that thread (or the test would not hear back) and must run
    /// once the holder lets go (or it would time out).
    #[test]
    fn a_request_for_a_busy_workspace_waits_as_a_task_and_runs_when_freed() {
        let (tell, heard) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap();
            rt.block_on(async {
                let s = store();
                let slot = s.shared(seed::WORKSPACE_1).unwrap();
                let someone_else = slot.lock();
                let waiting = tokio::spawn({
                    let s = s.clone();
                    async move {
                        s.with_workspace(seed::WORKSPACE_1, |ws| Ok(ws.codes_len()))
                            .await
                    }
                });
                for _ in 0..10 {
                    tokio::task::yield_now().await;
                }
                let waited = !waiting.is_finished();
                drop(someone_else);
                let ran = tokio::time::timeout(std::time::Duration::from_secs(5), waiting).await;
                let missing = s.with_workspace(Uuid::nil(), |_| Ok(())).await;
                let _ = tell.send((
                    waited,
                    matches!(ran, Ok(Ok(Ok(_)))),
                    matches!(missing, Err(Error::WorkspaceNotFound(_))),
                ));
            });
        });
        let (waited, ran, missing) = heard
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the runtime's one thread was not blocked");
        assert!(waited, "it waits while the workspace is busy");
        assert!(ran, "it runs once the workspace is let go");
        assert!(missing, "a missing workspace is an error");
    }

    #[test]
    fn credentials_resolve_to_their_workspace() {
        let s = store();
        let c = s
            .authenticate(&Credential::ApiKey("seam_apikey1_token".into()))
            .unwrap();
        assert_eq!(c.workspace_id, seed::WORKSPACE_1);
        let c = s
            .authenticate(&Credential::ApiKey("seam_apikey2_token".into()))
            .unwrap();
        assert_eq!(c.workspace_id, seed::WORKSPACE_2);
        assert!(matches!(
            s.authenticate(&Credential::ApiKey("seam_apikey1_tokem".into())),
            Err(Error::Unauthorized(_))
        ));
        let c = s
            .authenticate(&Credential::ClientSession("seam_cst1_token".into()))
            .unwrap();
        assert_eq!(c.scope.connected_account_ids, Some(vec![seed::JOHN]));
        assert!(matches!(
            s.authenticate(&Credential::ClientSession("seam_cst_nope".into())),
            Err(Error::ClientSessionNotFound)
        ));
        let pat = |w: Option<&str>| Credential::PersonalAccessToken {
            token: "seam_at1_longtoken".into(),
            workspace_id: w.map(String::from),
        };
        assert_eq!(
            s.authenticate(&pat(Some(&seed::WORKSPACE_2.to_string())))
                .unwrap()
                .workspace_id,
            seed::WORKSPACE_2
        );
        assert!(s.authenticate(&pat(None)).is_err());
        assert!(
            s.authenticate(&pat(Some(&Uuid::nil().to_string())))
                .is_err()
        );
    }

    #[test]
    fn dump_round_trips_through_replace() {
        let s = store();
        let db = s.dump();
        assert_eq!(db.devices.len(), seed::DEVICES.len());
        let json = serde_json::to_string(&db).unwrap();
        let back: Database = serde_json::from_str(&json).unwrap();
        s.replace(back.clone()).unwrap();
        assert_eq!(s.dump(), back);
        let mut broken = back;
        broken.devices[0].connected_account_id = Uuid::nil();
        assert!(s.replace(broken).is_err());
    }
}
