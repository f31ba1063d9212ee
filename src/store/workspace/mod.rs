//! One workspace's state behind its lock: devices, managed and unmanaged codes, events and
//! action attempts, with the indexes that keep every request path off a full scan (codes per
//! device, PINs per device, codes per `common_code_key`, a schedule of due transitions).
//!
//! Methods are synchronous and run under the workspace's mutex, so each one — a whole
//! create_multiple included — checks and writes atomically. They take typed values only
//! (`Uuid` ids, `domain::command` structs); the rules they apply live in `crate::domain`.
//!
//! One job per file: this one holds the state, its indexes and load/dump; `lifecycle` the
//! scheduler (programming, expiry, offline locks, events); `codes` the managed-code use cases;
//! `offline` algoPIN codes; `backup` the backup access code pools; `constraints` what a lock
//! reports about its PINs; `unmanaged` codes set outside Seam; `devices` devices by id and by
//! filter (`lock()`: one that takes access codes) and the door actions of `/locks/*`;
//! `accounts` connected accounts (read, updated, deleted with their devices); `managing` what a
//! user changes about a device (name, metadata, managed or not, auto-lock, deleted);
//! `attempts` action attempts; `reads` managed codes and events by id, by filter and as a
//! timeline, and the pagination every list shares; `find` a search by id across everything;
//! `profiles` customization profiles; `dashboard` the dashboard's bounded view and the search's copy; `door` the simulated door (keypad entries, devices and
//! accounts that drop and come back, removal); `external` changes made at the lock itself;
//! `jobs` what a lock makes of the jobs Seam gives it (its room for codes, the fault rules'
//! device outcomes).

mod accounts;
mod attempts;
mod backup;
mod changes;
mod codes;
mod constraints;
mod dashboard;
mod devices;
mod door;
mod external;
mod find;
mod jobs;
mod lifecycle;
mod managing;
mod offline;
mod profiles;
mod reads;
mod unmanaged;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
// Maps keyed by server-made ids hash with foldhash (fast, and the same order in every run).
use foldhash::fast::FixedState;
use indexmap::{IndexMap, IndexSet};
use rand::{Rng, rngs::StdRng};
use smallvec::SmallVec;
use uuid::Uuid;

use crate::domain::access_code::{AccessCode, UnmanagedAccessCode};
use crate::domain::action_attempt::ActionAttempt;
use crate::domain::backup::BackupPool;
use crate::domain::customization::CustomizationProfile;
use crate::domain::device::Device;
use crate::domain::door::Keypad;
use crate::domain::event::Event;
use crate::domain::pin::PinSet;

use super::chunked::{Chunked, Keyed, SteadyMap, Table};
use super::faults::Faults;
use super::records::{ConnectedAccount, Database, WorkspaceRecord};
use super::tracked::Tracked;

/// No earlier event (the end of a code's chain of events).
const NO_EVENT: u32 = u32::MAX;

/// A bijection on `u32` (Chris Wellons' "lowbias32"), so ids made from consecutive positions
/// look as random as the rest of the id.
fn scramble(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

/// The inverse of [`scramble`].
fn unscramble(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x4302_1123);
    x ^= (x >> 15) ^ (x >> 30);
    x = x.wrapping_mul(0x1d69_e2a5);
    x ^ (x >> 16)
}

/// A version-4 UUID from 16 random bytes whose last four bytes (random bits in a v4 UUID)
/// carry `at` scrambled.
fn event_id_at(mut bytes: [u8; 16], at: u32) -> Uuid {
    bytes[12..].copy_from_slice(&scramble(at).to_be_bytes());
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// The position an event id carries (meaningful only for ids made by [`event_id_at`]; a
/// look-up checks the event there has this id).
fn position_in_id(id: Uuid) -> u32 {
    let b = id.as_bytes();
    unscramble(u32::from_be_bytes([b[12], b[13], b[14], b[15]]))
}

impl Keyed for AccessCode {
    fn id(&self) -> Uuid {
        self.access_code_id
    }
}

impl Keyed for ActionAttempt {
    fn id(&self) -> Uuid {
        self.action_attempt_id
    }
}

pub use accounts::AccountChanges;
pub use changes::Changes;
pub use dashboard::{GroupView, LockView, SearchCopy, WorkspaceView};
pub use door::Simulate;
pub use find::Found;
pub use managing::DeviceChanges;
pub use reads::{Page, paginate};

/// Which devices a caller may see: all of the workspace, or those of some connected accounts
/// (a client session limited to them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub connected_account_ids: Option<Vec<Uuid>>,
}

impl Scope {
    fn allows(&self, d: &Device) -> bool {
        self.connected_account_ids
            .as_ref()
            .is_none_or(|ids| ids.contains(&d.connected_account_id))
    }
}

/// One workspace's state: the records the API serves and the indexes that answer each
/// request without a scan. Every index is kept by the methods that insert or remove the
/// records it points at (`insert_code`, `remove_code`, `insert_unmanaged`, ...), never
/// rebuilt, and is left out of `dump`: `load` rebuilds it.
#[derive(Debug)]
pub struct Workspace {
    /// The workspace itself (id, name, keys) as `/workspaces/get` returns it and `dump` writes it.
    pub record: WorkspaceRecord,
    /// Connected accounts by id, in creation order: lists page in that order, and a fake
    /// device that names no account goes to the first.
    accounts: Tracked<IndexMap<Uuid, ConnectedAccount>>,
    /// Devices by id, in creation order: every code request looks its lock up by id, and
    /// `/devices/list` pages in creation order.
    devices: Tracked<IndexMap<Uuid, Device, FixedState>>,
    /// Managed access codes by id, in creation order (the order `dump` writes them).
    codes: Tracked<Table<AccessCode>>,
    /// The codes of each lock, in creation order (a delete is O(codes on that lock), as an
    /// order-keeping set's would be).
    codes_by_device: HashMap<Uuid, Vec<Uuid>, FixedState>,
    /// The codes of each `common_code_key`, in creation order (groups are small: a list, its
    /// first two ids inline, as most groups are pairs: 833 → 818 B of RSS a code after 1.4M
    /// codes, against a `Vec`'s heap block of four).
    codes_by_key: SteadyMap<Arc<str>, SmallVec<[Uuid; 2]>>,
    /// The PINs each lock holds — managed codes, unmanaged codes and backup-pool spares
    /// alike — so a new PIN is checked against the lock without walking its codes.
    pins: HashMap<Uuid, PinSet, FixedState>,
    /// Active backup pools: each lock's spare PINs (also counted in `pins`), in the order
    /// the pools were made (the order `dump` writes them).
    pools: Tracked<IndexMap<Uuid, Vec<String>>>,
    /// Codes set outside Seam, by id, in creation order (the order their list pages in).
    unmanaged: Tracked<IndexMap<Uuid, UnmanagedAccessCode>>,
    /// The unmanaged codes of each lock, in creation order, for `/access_codes/unmanaged/list`
    /// by device.
    unmanaged_by_device: HashMap<Uuid, IndexSet<Uuid>>,
    /// Action attempts in creation order (the order `dump` writes them): a `Table`, so a
    /// snapshot shares them.
    action_attempts: Tracked<Table<ActionAttempt>>,
    /// Every event, oldest first: `/events/list` reads them in that order, and webhooks are
    /// fed from the end (`published`).
    events: Tracked<Chunked<Event>>,
    /// Position in `events` of the events whose id does not carry it (loaded ones; see
    /// [`event_id_at`]).
    event_index: HashMap<Uuid, u32, FixedState>,
    /// The position of each access code's latest event ...
    last_event_of_code: SteadyMap<Uuid, u32>,
    /// ... and, for every event, its code's event before it ([`NO_EVENT`] when none): each
    /// code's events as a chain, without a list per code.
    earlier_event_of_code: Chunked<u32>,
    /// Each code's next transition as `(due, code)`, earliest first: `tick` pops what is due
    /// instead of looking at every code.
    schedule: BTreeSet<(DateTime<Utc>, Uuid)>,
    /// When each scheduled code is due, so its entry in `schedule` can be found and moved.
    scheduled: SteadyMap<Uuid, DateTime<Utc>>,
    /// Every random choice of the workspace (ids, PINs, pool spares) comes from here, so a
    /// `--rng-seed` run repeats itself.
    rng: StdRng,
    /// The server clock's reading for the operation under way, set when the lock is taken.
    pub(crate) now: DateTime<Utc>,
    /// How long a device takes to program a code.
    pub(crate) delay: Duration,
    /// How many of `events` were handed to webhooks (`Store::publish_outbox`); the rest are
    /// news.
    published: usize,
    /// Customization profiles by id, in creation order (the order their list gives).
    profiles: Tracked<IndexMap<Uuid, CustomizationProfile>>,
    /// What each lock's keypad remembers (ended PINs, recent wrong entries, a lockout), for
    /// the locks that have had one of these.
    keypads: Tracked<IndexMap<Uuid, Keypad>>,
    /// The fault rules, shared with the store: the lifecycle asks them about each job a lock
    /// takes on (`jobs`).
    pub(crate) faults: Arc<Faults>,
    /// Codes a lock refused to program or remove at its last try: tried again at the next tick.
    retry: Vec<Uuid>,
    /// How many managed codes each lock holds (`set` or `removing`), for its room.
    on_lock: HashMap<Uuid, u32, FixedState>,
    /// Per lock, the codes that found it full, oldest first: let in as slots free.
    waiting_for_room: HashMap<Uuid, VecDeque<Uuid>, FixedState>,
}

impl Workspace {
    /// An empty workspace.
    pub fn new(record: WorkspaceRecord, rng: StdRng, now: DateTime<Utc>, delay: Duration) -> Self {
        Self {
            record,
            accounts: Tracked::default(),
            devices: Tracked::default(),
            codes: Tracked::default(),
            codes_by_device: HashMap::default(),
            codes_by_key: SteadyMap::default(),
            pins: HashMap::default(),
            pools: Tracked::default(),
            unmanaged: Tracked::default(),
            unmanaged_by_device: HashMap::new(),
            action_attempts: Tracked::default(),
            events: Tracked::default(),
            event_index: HashMap::default(),
            last_event_of_code: SteadyMap::default(),
            earlier_event_of_code: Chunked::default(),
            schedule: BTreeSet::new(),
            scheduled: SteadyMap::default(),
            rng,
            now,
            delay,
            published: 0,
            profiles: Tracked::default(),
            keypads: Tracked::default(),
            faults: Arc::new(Faults::new(Some(0))),
            retry: Vec::new(),
            on_lock: HashMap::default(),
            waiting_for_room: HashMap::default(),
        }
    }

    /// Loads this workspace's share of a checked database.
    pub fn load(&mut self, db: &Database) {
        let id = self.record.workspace_id;
        for a in db
            .connected_accounts
            .iter()
            .filter(|a| a.workspace_id == id)
        {
            self.accounts.insert(a.connected_account_id, a.clone());
        }
        for d in db.devices.iter().filter(|d| d.workspace_id == id) {
            self.devices.insert(d.device_id, d.clone());
        }
        for c in db.access_codes.iter().filter(|c| c.workspace_id == id) {
            self.insert_code(c.clone());
        }
        for u in db
            .unmanaged_access_codes
            .iter()
            .filter(|u| u.workspace_id == id)
        {
            self.insert_unmanaged(u.clone());
        }
        for p in db
            .backup_access_code_pools
            .iter()
            .filter(|p| p.workspace_id == id)
        {
            let pins = self.pins.entry(p.device_id).or_default();
            p.codes.iter().for_each(|c| pins.add(c));
            self.pools.insert(p.device_id, p.codes.clone());
        }
        for a in db.action_attempts.iter().filter(|a| a.workspace_id == id) {
            self.action_attempts.insert(a.clone());
        }
        for e in db.events.iter().filter(|e| e.workspace_id == id) {
            self.push_event(e.clone());
        }
        for p in db
            .customization_profiles
            .iter()
            .filter(|p| p.workspace_id == id)
        {
            self.profiles.insert(p.customization_profile_id, p.clone());
        }
        for k in db.keypads.iter().filter(|k| k.workspace_id == id) {
            self.keypads.insert(k.device_id, k.clone());
        }
    }

    /// Appends this workspace's records to `db`.
    pub fn dump(&self, db: &mut Database) {
        db.workspaces.push(self.record.clone());
        db.connected_accounts
            .extend(self.accounts.values().cloned());
        db.devices.extend(self.devices.values().cloned());
        db.access_codes.extend(self.codes.values().cloned());
        db.unmanaged_access_codes
            .extend(self.unmanaged.values().cloned());
        db.backup_access_code_pools
            .extend(self.pools.iter().map(|(d, codes)| BackupPool {
                device_id: *d,
                workspace_id: self.record.workspace_id,
                codes: codes.clone(),
            }));
        db.action_attempts
            .extend(self.action_attempts.values().cloned());
        db.events.extend(self.events.iter().cloned());
        db.customization_profiles
            .extend(self.profiles.values().cloned());
        db.keypads.extend(self.keypads.values().cloned());
    }

    /// A copy of the content, indexes included (a snapshot, `store::snapshots`). Generators
    /// do not clone: the copy's is a fixed one that [`take_content`](Self::take_content)
    /// never keeps.
    pub(crate) fn copy_content(&self) -> Workspace {
        Workspace {
            record: self.record.clone(),
            accounts: self.accounts.clone(),
            devices: self.devices.clone(),
            codes: self.codes.clone(),
            codes_by_device: self.codes_by_device.clone(),
            codes_by_key: self.codes_by_key.clone(),
            pins: self.pins.clone(),
            pools: self.pools.clone(),
            unmanaged: self.unmanaged.clone(),
            unmanaged_by_device: self.unmanaged_by_device.clone(),
            action_attempts: self.action_attempts.clone(),
            events: self.events.clone(),
            event_index: self.event_index.clone(),
            last_event_of_code: self.last_event_of_code.clone(),
            earlier_event_of_code: self.earlier_event_of_code.clone(),
            schedule: self.schedule.clone(),
            scheduled: self.scheduled.clone(),
            rng: rand::SeedableRng::seed_from_u64(0),
            now: self.now,
            delay: self.delay,
            published: self.published,
            profiles: self.profiles.clone(),
            keypads: self.keypads.clone(),
            faults: self.faults.clone(),
            retry: self.retry.clone(),
            on_lock: self.on_lock.clone(),
            waiting_for_room: self.waiting_for_room.clone(),
        }
    }

    /// Takes `saved`'s content (devices, codes, events, action attempts, profiles, keypads
    /// and the indexes)
    /// and keeps this workspace's record, clock reading, settings and generator, so no id
    /// handed out before is handed out again. Its events are history, not news. Returns the
    /// content it replaced, for the caller to drop outside the lock.
    pub(crate) fn take_content(&mut self, saved: Workspace) -> Workspace {
        let mut old = std::mem::replace(self, saved);
        std::mem::swap(&mut self.record, &mut old.record);
        std::mem::swap(&mut self.rng, &mut old.rng);
        self.now = old.now;
        self.delay = old.delay;
        self.mark_published();
        old
    }

    /// A fresh id from the workspace's generator (seeded under `--rng-seed`).
    pub(crate) fn new_id(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(self.random_bytes()).into_uuid()
    }

    /// Sixteen bytes from the workspace's generator.
    fn random_bytes(&mut self) -> [u8; 16] {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        bytes
    }

    /// Whether the workspace has this connected account (the fake control surface).
    pub fn has_connected_account(&self, id: Uuid) -> bool {
        self.accounts.contains_key(&id)
    }

    /// The first connected account, owner of fake devices that name none.
    pub fn default_connected_account(&self) -> Option<Uuid> {
        self.accounts.keys().next().copied()
    }

    /// Adds a device (the fake control surface).
    pub fn add_device(&mut self, d: Device) -> &Device {
        let id = d.device_id;
        self.devices.insert(id, d);
        &self.devices[&id]
    }

    /// Adds a managed code to the state and its indexes, and schedules its next transition.
    ///
    /// The id is new: every caller makes a fresh one, and a loaded file's ids are distinct
    /// (`invariants`), so the indexes below append without looking for it first.
    fn insert_code(&mut self, c: AccessCode) {
        let id = c.access_code_id;
        debug_assert!(
            self.codes.get(&id).is_none(),
            "insert_code with a stored id"
        );
        if let Some(pin) = c.pin() {
            self.pins.entry(c.device_id).or_default().add(&pin);
        }
        self.codes_by_device
            .entry(c.device_id)
            .or_default()
            .push(id);
        if let Some(k) = &c.common_code_key {
            self.codes_by_key.entry(k.clone()).or_default().push(id);
        }
        let next = c.next_transition(self.delay);
        let (device_id, on_lock) = (c.device_id, c.on_lock());
        self.codes.insert(c);
        self.note_on_lock(device_id, false, on_lock, self.now);
        match next {
            Some(at) => self.schedule_at(id, at),
            None => self.unschedule(id),
        }
    }

    /// Takes a managed code out of the state and its indexes, freeing its PIN.
    fn remove_code(&mut self, id: Uuid) -> AccessCode {
        self.unschedule(id);
        let c = self.codes.remove(&id).expect("removing a code that exists");
        if let (Some(pin), Some(p)) = (c.pin(), self.pins.get_mut(&c.device_id)) {
            p.remove(&pin);
        }
        if let Some(list) = self.codes_by_device.get_mut(&c.device_id)
            && let Some(at) = list.iter().position(|x| *x == id)
        {
            list.remove(at);
        }
        if let Some(k) = &c.common_code_key {
            self.leave_group(id, k);
        }
        self.note_on_lock(c.device_id, c.on_lock(), false, self.now);
        c
    }

    /// Drops a code from the index of its `common_code_key`.
    fn leave_group(&mut self, id: Uuid, key: &str) {
        if let Some(set) = self.codes_by_key.get_mut(key) {
            set.retain(|c| *c != id);
            if set.is_empty() {
                self.codes_by_key.remove(key);
            }
        }
    }

    /// Appends an event and indexes it.
    fn push_event(&mut self, e: Event) {
        // Positions as u32 (4 billion events a workspace): 8 bytes less per event in the indexes.
        let at = u32::try_from(self.events.len()).expect("fewer than 2^32 events in a workspace");
        if position_in_id(e.event_id) != at {
            self.event_index.insert(e.event_id, at);
        }
        let earlier = match e.access_code_id() {
            Some(code) => self.last_event_of_code.insert(code, at).unwrap_or(NO_EVENT),
            None => NO_EVENT,
        };
        self.earlier_event_of_code.push(earlier);
        self.events.push(e);
    }

    /// A fresh id for the event about to be pushed: random, with its position in `events`
    /// (scrambled) in the last four bytes, so finding an event by id needs no index of every
    /// id (a hash insert per event, a cache miss on a big store, and ~65 bytes a stored code).
    pub(crate) fn next_event_id(&mut self) -> Uuid {
        let at = u32::try_from(self.events.len()).unwrap_or(u32::MAX);
        event_id_at(self.random_bytes(), at)
    }

    /// Where the event with this id is in `events`.
    fn event_position(&self, id: Uuid) -> Option<usize> {
        let at = position_in_id(id) as usize;
        if self.events.get(at).is_some_and(|e| e.event_id == id) {
            return Some(at);
        }
        self.event_index.get(&id).map(|i| *i as usize)
    }

    /// The positions of an access code's events, oldest first.
    fn code_event_positions(&self, code: Uuid) -> Vec<usize> {
        let mut out = Vec::new();
        let mut at = self.last_event_of_code.get(&code).copied();
        while let Some(i) = at.filter(|i| *i != NO_EVENT) {
            out.push(i as usize);
            at = self.earlier_event_of_code.get(i as usize).copied();
        }
        out.reverse();
        out
    }

    /// The events recorded since the last [`mark_published`](Self::mark_published), oldest
    /// first.
    pub fn unpublished(&self) -> impl Iterator<Item = &Event> {
        self.events.iter_from(self.published)
    }

    /// Marks every event recorded so far as handed to webhooks.
    pub fn mark_published(&mut self) {
        self.published = self.events.len();
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A seeded workspace and shorthands the per-file tests share.

    use super::*;
    use crate::store::seed;
    use chrono::TimeZone;
    use rand::SeedableRng;

    pub fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap()
    }

    pub fn ws() -> Workspace {
        let db = seed::database();
        let mut w = Workspace::new(
            db.workspaces[0].clone(),
            StdRng::seed_from_u64(3),
            t0(),
            Duration::zero(),
        );
        w.load(&db);
        w
    }

    pub fn dev(n: usize) -> Uuid {
        seed::device_id(n)
    }

    pub const AUGUST_1: usize = 1;
    pub const AUGUST_2: usize = 2;
    pub const SCHLAGE_1: usize = 3;
    pub const NUKI: usize = 7;
    pub const IGLOO_1: usize = 10;
    pub const SALTO: usize = 11;
    pub const KWIKSET: usize = 12;
    pub const IGLOO_2: usize = 13;

    pub fn advance(w: &mut Workspace, by: Duration) {
        w.now += by;
        let now = w.now;
        w.tick(now);
    }

    pub fn all() -> Scope {
        Scope::default()
    }

    pub fn one(device: usize) -> crate::domain::command::CreateOne {
        crate::domain::command::CreateOne::on(dev(device))
    }

    /// The PINs still held on every lock (tests check that removals free them).
    pub fn pins(w: &Workspace) -> &HashMap<Uuid, PinSet, FixedState> {
        &w.pins
    }
}
