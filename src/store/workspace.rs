//! One workspace's state behind its lock: devices, managed and unmanaged codes, events and
//! action attempts, with the indexes that keep every request path off a full scan (codes per
//! device, PINs per device, codes per `common_code_key`, a schedule of due transitions).
//!
//! Methods are synchronous and run under the workspace's mutex, so each one — a whole
//! create_multiple included — checks and writes atomically.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use indexmap::{IndexMap, IndexSet};
use rand::{Rng, rngs::StdRng};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::access_code::{
    AccessCode, CodeType, NewCode, Status, UnmanagedAccessCode, Window,
};
use crate::domain::action_attempt::ActionAttempt;
use crate::domain::create_multiple::{self, Lock};
use crate::domain::device::Device;
use crate::domain::event::{self, Event};
use crate::domain::pin::{self, LockRules, Misfit, Pin, PinSet};
use crate::error::{Error, Issue, Result};

use super::records::{ConnectedAccount, Database, WorkspaceRecord};

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

/// A page of a list: the items and, when more follow, the offset of the next page.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_offset: Option<usize>,
}

/// Cuts one page out of `items`.
pub fn paginate<T>(items: impl Iterator<Item = T>, offset: usize, limit: usize) -> Page<T> {
    let mut items: Vec<T> = items.skip(offset).take(limit.saturating_add(1)).collect();
    let more = items.len() > limit;
    items.truncate(limit);
    Page {
        next_offset: more.then_some(offset + limit),
        items,
    }
}

/// Filters of `/devices/list`; `None` means "any".
#[derive(Clone, Debug, Default)]
pub struct DeviceFilter {
    pub device_ids: Option<Vec<String>>,
    pub device_types: Option<Vec<String>>,
    pub connected_account_ids: Option<Vec<Uuid>>,
    pub manufacturer: Option<String>,
}

/// What every new code takes besides its lock and PIN, the same for `create` and
/// `create_multiple`.
#[derive(Clone, Debug, Default)]
pub struct CodeSettings {
    pub name: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub is_external_modification_allowed: bool,
    pub use_backup_access_code_pool: bool,
}

/// A parsed `/access_codes/create_multiple` request.
#[derive(Clone, Debug, Default)]
pub struct CreateMultiple {
    /// Non-empty and distinct (checked at the edge); ids as given.
    pub device_ids: Vec<String>,
    pub plan: create_multiple::Request,
    pub settings: CodeSettings,
}

/// A parsed `/access_codes/create` request.
#[derive(Clone, Debug, Default)]
pub struct CreateOne {
    pub device_id: String,
    pub code: Option<Pin>,
    pub common_code_key: Option<String>,
    pub preferred_code_length: Option<f64>,
    pub settings: CodeSettings,
}

/// A parsed `/access_codes/update` request; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct Update {
    pub access_code_id: String,
    pub name: Option<String>,
    pub code: Option<Pin>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub kind: Option<CodeType>,
    pub is_external_modification_allowed: Option<bool>,
}

/// Filters of `/events/list`; `None` means "any".
#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub access_code_ids: Option<Vec<String>>,
    pub device_ids: Option<Vec<String>>,
    pub event_types: Option<Vec<String>>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl EventFilter {
    fn matches(&self, e: &Event) -> bool {
        let ids = |list: &Option<Vec<String>>, v: Option<Uuid>| {
            list.as_ref()
                .is_none_or(|l| v.is_some_and(|v| names_id(l, v)))
        };
        ids(&self.access_code_ids, e.access_code_id)
            && ids(&self.device_ids, e.device_id)
            && self
                .event_types
                .as_ref()
                .is_none_or(|l| l.contains(&e.event_type))
            && self.since.is_none_or(|s| e.occurred_at >= s)
            && self.until.is_none_or(|u| e.occurred_at <= u)
    }
}

/// One workspace's state.
#[derive(Debug)]
pub struct Workspace {
    pub record: WorkspaceRecord,
    accounts: IndexMap<Uuid, ConnectedAccount>,
    devices: IndexMap<Uuid, Device>,
    codes: IndexMap<Uuid, AccessCode>,
    codes_by_device: HashMap<Uuid, IndexSet<Uuid>>,
    codes_by_key: HashMap<String, IndexSet<Uuid>>,
    pins: HashMap<Uuid, PinSet>,
    unmanaged: IndexMap<Uuid, UnmanagedAccessCode>,
    unmanaged_by_device: HashMap<Uuid, IndexSet<Uuid>>,
    action_attempts: IndexMap<Uuid, ActionAttempt>,
    events: Vec<Event>,
    /// Position in `events` by `event_id`.
    event_index: HashMap<Uuid, usize>,
    /// Positions in `events` by `access_code_id`, ascending.
    events_by_code: HashMap<Uuid, Vec<usize>>,
    schedule: BTreeSet<(DateTime<Utc>, Uuid)>,
    scheduled: HashMap<Uuid, DateTime<Utc>>,
    rng: StdRng,
    /// The server clock's reading for the operation under way, set when the lock is taken.
    pub(crate) now: DateTime<Utc>,
    /// How long a device takes to program a code.
    pub(crate) delay: Duration,
    /// Events recorded since the store last took them (for webhooks, `Store::publish_outbox`).
    outbox: Vec<Event>,
}

/// Parses an id as given on the wire; a malformed id cannot exist.
fn parse_id(id: &str) -> Option<Uuid> {
    Uuid::try_parse(id).ok()
}

/// Whether a filter list (ids as sent, in any UUID spelling) names `id`.
fn names_id(list: &[String], id: Uuid) -> bool {
    list.iter().any(|x| parse_id(x) == Some(id))
}

impl Workspace {
    /// An empty workspace.
    pub fn new(record: WorkspaceRecord, rng: StdRng, now: DateTime<Utc>, delay: Duration) -> Self {
        Self {
            record,
            accounts: IndexMap::new(),
            devices: IndexMap::new(),
            codes: IndexMap::new(),
            codes_by_device: HashMap::new(),
            codes_by_key: HashMap::new(),
            pins: HashMap::new(),
            unmanaged: IndexMap::new(),
            unmanaged_by_device: HashMap::new(),
            action_attempts: IndexMap::new(),
            events: Vec::new(),
            event_index: HashMap::new(),
            events_by_code: HashMap::new(),
            schedule: BTreeSet::new(),
            scheduled: HashMap::new(),
            rng,
            now,
            delay,
            outbox: Vec::new(),
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
        for a in db.action_attempts.iter().filter(|a| a.workspace_id == id) {
            self.action_attempts.insert(a.action_attempt_id, a.clone());
        }
        for e in db.events.iter().filter(|e| e.workspace_id == id) {
            self.push_event(e.clone());
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
        db.action_attempts
            .extend(self.action_attempts.values().cloned());
        db.events.extend(self.events.iter().cloned());
    }

    pub(crate) fn new_id(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        self.rng.fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    // ----- devices -------------------------------------------------------------------------

    /// A device the caller may see: 404 when it is not in this workspace, 401 when it is
    /// outside the caller's connected accounts.
    pub fn device(&self, id: &str, scope: &Scope) -> Result<&Device> {
        let d = parse_id(id)
            .and_then(|u| self.devices.get(&u))
            .ok_or_else(|| Error::DeviceNotFound(id.to_string()))?;
        if scope.allows(d) {
            Ok(d)
        } else {
            Err(Error::DeviceNotAccessible(d.device_id))
        }
    }

    /// A device that takes access codes.
    fn lock(&self, id: &str, scope: &Scope) -> Result<&Device> {
        let d = self.device(id, scope)?;
        if d.supports_access_codes() {
            Ok(d)
        } else {
            Err(Error::DeviceDoesNotSupportAccessCodes(d.device_id))
        }
    }

    /// Devices matching `f` that the caller may see, in creation order.
    pub fn devices(
        &self,
        f: &DeviceFilter,
        scope: &Scope,
        offset: usize,
        limit: usize,
    ) -> Page<&Device> {
        let any = |list: &Option<Vec<String>>, v: &str| {
            list.as_ref().is_none_or(|l| l.iter().any(|x| x == v))
        };
        let it = self.devices.values().filter(move |d| {
            scope.allows(d)
                && f.device_ids
                    .as_ref()
                    .is_none_or(|l| names_id(l, d.device_id))
                && any(&f.device_types, &d.device_type)
                && f.connected_account_ids
                    .as_ref()
                    .is_none_or(|l| l.contains(&d.connected_account_id))
                && f.manufacturer
                    .as_ref()
                    .is_none_or(|m| d.properties.manufacturer.as_deref() == Some(m))
        });
        paginate(it, offset, limit)
    }

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

    /// Replaces a device's state (the fake control surface). A device coming back online has
    /// its waiting codes programmed now.
    pub fn replace_device(&mut self, d: Device) -> &Device {
        let id = d.device_id;
        let was_online = self.devices.get(&id).map(|old| old.properties.online);
        let online = d.properties.online;
        let back_online = online && was_online == Some(false);
        let account = d.connected_account_id;
        self.devices.insert(id, d);
        if was_online.is_some_and(|was| was != online) {
            let event_id = self.new_id();
            self.push_event(Event {
                event_id,
                event_type: event::device_online_event(online).to_string(),
                workspace_id: self.record.workspace_id,
                device_id: Some(id),
                access_code_id: None,
                connected_account_id: Some(account),
                code: None,
                created_at: self.now,
                occurred_at: self.now,
            });
        }
        if back_online {
            let now = self.now;
            let waiting: Vec<Uuid> = self
                .codes_by_device
                .get(&id)
                .into_iter()
                .flatten()
                .copied()
                .filter(|c| self.codes[c].status == Status::Setting)
                .collect();
            for c in waiting {
                let due = self.codes[&c]
                    .next_transition(self.delay)
                    .map_or(now, |t| t.max(now));
                self.schedule_at(c, due);
            }
            self.tick(now);
        }
        &self.devices[&id]
    }

    // ----- lifecycle ------------------------------------------------------------------------

    fn schedule_at(&mut self, id: Uuid, at: DateTime<Utc>) {
        if let Some(old) = self.scheduled.insert(id, at) {
            self.schedule.remove(&(old, id));
        }
        self.schedule.insert((at, id));
    }

    fn unschedule(&mut self, id: Uuid) {
        if let Some(old) = self.scheduled.remove(&id) {
            self.schedule.remove(&(old, id));
        }
    }

    /// Schedules a code's next transition, or marks it offline when it waits on an offline lock.
    fn reschedule(&mut self, id: Uuid) {
        let Some(code) = self.codes.get(&id) else {
            return;
        };
        match code.next_transition(self.delay) {
            Some(at) => self.schedule_at(id, at),
            None => self.unschedule(id),
        }
    }

    /// Leaves a code waiting on an offline lock: `setting` with a `device_offline` error, and
    /// only its window's end (if any) still scheduled.
    fn park_offline(&mut self, id: Uuid, at: DateTime<Utc>) {
        let Some(c) = self.codes.get_mut(&id) else {
            return;
        };
        c.mark_offline(at);
        match c.ends_at {
            Some(end) => self.schedule_at(id, end.max(at)),
            None => self.unschedule(id),
        }
    }

    /// Runs every transition due at or before `now`, in time order: codes get programmed
    /// (`set`), offline locks leave them `setting` with an error, ended windows remove them.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        while let Some(&(due, id)) = self.schedule.first() {
            if due > now {
                break;
            }
            self.unschedule(id);
            let Some(code) = self.codes.get(&id) else {
                continue;
            };
            if code.expired(due) {
                let was_set = code.status == Status::Set;
                let removed = self.remove_code(id);
                if was_set {
                    self.emit(event::ACCESS_CODE_REMOVED_FROM_DEVICE, &removed, false, due);
                }
                self.emit(event::ACCESS_CODE_DELETED, &removed, true, due);
                continue;
            }
            let device_id = code.device_id;
            let online = self
                .devices
                .get(&device_id)
                .is_some_and(|d| d.properties.online);
            if !online {
                self.park_offline(id, due);
                continue;
            }
            if code.code.is_none() {
                self.assign_provider_pin(id);
            }
            if let Some(c) = self.codes.get_mut(&id) {
                c.program();
                let c = c.clone();
                self.emit(event::ACCESS_CODE_SET_ON_DEVICE, &c, true, due);
            }
            self.reschedule(id);
        }
    }

    /// The provider picks a PIN for a code that waited for one.
    fn assign_provider_pin(&mut self, id: Uuid) {
        let Some(code) = self.codes.get(&id) else {
            return;
        };
        let Some(device) = self.devices.get(&code.device_id) else {
            return;
        };
        let empty = PinSet::default();
        let used = self.pins.get(&device.device_id).unwrap_or(&empty);
        let mut rules = LockRules::of(device, used);
        rules
            .constraints
            .retain(|c| *c != crate::domain::device::ConstraintType::CannotSpecifyPinCode);
        if let Some(pin) = pin::generate_for(&rules, None, &mut self.rng) {
            let device_id = device.device_id;
            self.pins.entry(device_id).or_default().add(&pin);
            if let Some(c) = self.codes.get_mut(&id) {
                c.code = Some(pin);
                c.is_waiting_for_code_assignment = false;
            }
        }
    }

    /// Appends an event and indexes it.
    fn push_event(&mut self, e: Event) {
        let at = self.events.len();
        self.event_index.insert(e.event_id, at);
        if let Some(code) = e.access_code_id {
            self.events_by_code.entry(code).or_default().push(at);
        }
        self.outbox.push(e.clone());
        self.events.push(e);
    }

    /// The events recorded since the last call, oldest first.
    pub fn take_outbox(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.outbox)
    }

    fn emit(&mut self, event_type: &str, code: &AccessCode, with_pin: bool, at: DateTime<Utc>) {
        let connected_account_id = self
            .devices
            .get(&code.device_id)
            .map(|d| d.connected_account_id);
        let event_id = self.new_id();
        self.push_event(Event {
            event_id,
            event_type: event_type.to_string(),
            workspace_id: self.record.workspace_id,
            device_id: Some(code.device_id),
            access_code_id: Some(code.access_code_id),
            connected_account_id,
            code: if with_pin { code.code.clone() } else { None },
            created_at: self.now.max(at),
            occurred_at: at,
        });
    }

    // ----- managed codes ----------------------------------------------------------------------

    fn insert_code(&mut self, c: AccessCode) {
        let id = c.access_code_id;
        if let Some(pin) = &c.code {
            self.pins.entry(c.device_id).or_default().add(pin);
        }
        self.codes_by_device
            .entry(c.device_id)
            .or_default()
            .insert(id);
        if let Some(k) = &c.common_code_key {
            self.codes_by_key.entry(k.clone()).or_default().insert(id);
        }
        self.codes.insert(id, c);
        self.reschedule(id);
    }

    fn remove_code(&mut self, id: Uuid) -> AccessCode {
        self.unschedule(id);
        let c = self
            .codes
            .shift_remove(&id)
            .expect("removing a code that exists");
        if let (Some(pin), Some(p)) = (&c.code, self.pins.get_mut(&c.device_id)) {
            p.remove(pin);
        }
        if let Some(set) = self.codes_by_device.get_mut(&c.device_id) {
            set.shift_remove(&id);
        }
        if let Some(k) = &c.common_code_key
            && let Some(set) = self.codes_by_key.get_mut(k)
        {
            set.shift_remove(&id);
            if set.is_empty() {
                self.codes_by_key.remove(k);
            }
        }
        c
    }

    /// Creates a new managed code from a decided PIN (`None`: the provider will assign one)
    /// and records its `access_code.created`.
    fn create_code(
        &mut self,
        device_id: Uuid,
        code: Option<String>,
        common_code_key: Option<String>,
        window: Option<Window>,
        settings: &CodeSettings,
    ) -> AccessCode {
        let n = NewCode {
            access_code_id: self.new_id(),
            device_id,
            workspace_id: self.record.workspace_id,
            name: settings.name.clone(),
            code,
            common_code_key,
            window,
            is_external_modification_allowed: settings.is_external_modification_allowed,
            use_backup_access_code_pool: settings.use_backup_access_code_pool,
            device_supports_backup_pool: self.devices[&device_id]
                .properties
                .supports_backup_access_code_pool
                .unwrap_or(false),
        };
        let now = self.now;
        let online = self
            .devices
            .get(&n.device_id)
            .is_some_and(|d| d.properties.online);
        let code = AccessCode::new(n, now);
        let id = code.access_code_id;
        self.insert_code(code);
        if !online && self.codes[&id].status == Status::Setting {
            self.park_offline(id, now);
        }
        let code = self.codes[&id].clone();
        self.emit(event::ACCESS_CODE_CREATED, &code, false, now);
        code
    }

    /// The window from the request, checked against the server clock.
    pub fn window(
        &self,
        starts_at: Option<DateTime<Utc>>,
        ends_at: Option<DateTime<Utc>>,
    ) -> Result<Option<Window>> {
        match (starts_at, ends_at) {
            (None, None) => Ok(None),
            (Some(s), Some(e)) => Window::new(s, e, self.now)
                .map(Some)
                .map_err(Error::InvalidRequest),
            _ => Err(Error::InvalidRequest(
                "starts_at and ends_at must be given together".into(),
            )),
        }
    }

    /// The window of new codes, and the rule that a backup pool needs one.
    fn settings_window(&self, s: &CodeSettings) -> Result<Option<Window>> {
        let window = self.window(s.starts_at, s.ends_at)?;
        if s.use_backup_access_code_pool && window.is_none() {
            return Err(Error::InvalidRequest(
                "use_backup_access_code_pool can only be used with time-bound codes (starts_at and ends_at)".into(),
            ));
        }
        Ok(window)
    }

    /// `/access_codes/create_multiple`: plans every lock's PIN and key and commits all codes,
    /// or fails with nothing written.
    pub fn create_multiple(
        &mut self,
        req: CreateMultiple,
        scope: &Scope,
    ) -> Result<Vec<AccessCode>> {
        let window = self.settings_window(&req.settings)?;
        let mut devices = Vec::with_capacity(req.device_ids.len());
        for id in &req.device_ids {
            let device_id = self.lock(id, scope)?.device_id;
            // The edge compares ids as sent; one lock spelled two ways is still a duplicate.
            if devices.contains(&device_id) {
                return Err(Error::InvalidInput(vec![Issue::new(
                    vec!["device_ids".into()],
                    format!("device_ids must not contain duplicates ({device_id})"),
                )]));
            }
            devices.push(device_id);
        }
        let empty = PinSet::default();
        let locks: Vec<Lock<'_>> = devices
            .iter()
            .map(|id| Lock {
                device_id: *id,
                rules: LockRules::of(&self.devices[id], self.pins.get(id).unwrap_or(&empty)),
            })
            .collect();
        let planned = create_multiple::plan(&locks, &req.plan, &mut self.rng).map_err(|e| {
            Error::CodeCannotBeShared {
                message: e.message,
                device_ids: e.device_ids,
            }
        })?;
        drop(locks);

        let mut out = Vec::with_capacity(planned.len());
        for p in planned {
            out.push(self.create_code(
                p.device_id,
                p.code,
                p.common_code_key,
                window,
                &req.settings,
            ));
        }
        Ok(out)
    }

    /// A managed code by id, if the caller may see its device.
    pub fn code(&self, id: &str, scope: &Scope) -> Result<&AccessCode> {
        let c = parse_id(id)
            .and_then(|u| self.codes.get(&u))
            .ok_or(Error::AccessCodeNotFound)?;
        self.visible(c, scope)
    }

    fn visible<'a>(&self, c: &'a AccessCode, scope: &Scope) -> Result<&'a AccessCode> {
        match self.devices.get(&c.device_id) {
            Some(d) if scope.allows(d) => Ok(c),
            _ => Err(Error::AccessCodeNotFound),
        }
    }

    /// A managed code by device and PIN.
    pub fn code_by_pin(&self, device_id: &str, pin: &str, scope: &Scope) -> Result<&AccessCode> {
        let d = self.device(device_id, scope)?;
        self.codes_by_device
            .get(&d.device_id)
            .into_iter()
            .flatten()
            .map(|id| &self.codes[id])
            .find(|c| c.code.as_deref() == Some(pin))
            .ok_or(Error::AccessCodeNotFound)
    }

    /// Managed codes on a device, in creation order.
    pub fn codes_on_device(
        &self,
        device_id: &str,
        scope: &Scope,
        offset: usize,
        limit: usize,
    ) -> Result<Page<&AccessCode>> {
        let d = self.device(device_id, scope)?;
        let ids = self.codes_by_device.get(&d.device_id);
        Ok(paginate(
            ids.into_iter().flatten().map(|id| &self.codes[id]),
            offset,
            limit,
        ))
    }

    /// Managed codes by id, in the order asked; unknown or invisible ids are left out.
    pub fn codes_by_ids(
        &self,
        ids: &[String],
        scope: &Scope,
        offset: usize,
        limit: usize,
    ) -> Page<&AccessCode> {
        let it = ids.iter().filter_map(move |id| self.code(id, scope).ok());
        paginate(it, offset, limit)
    }

    /// The codes of one `common_code_key`.
    pub fn codes_with_key(&self, key: &str) -> Vec<&AccessCode> {
        self.codes_by_key
            .get(key)
            .into_iter()
            .flatten()
            .map(|id| &self.codes[id])
            .collect()
    }

    // ----- unmanaged codes --------------------------------------------------------------------

    fn insert_unmanaged(&mut self, u: UnmanagedAccessCode) {
        if let Some(pin) = &u.code {
            self.pins.entry(u.device_id).or_default().add(pin);
        }
        self.unmanaged_by_device
            .entry(u.device_id)
            .or_default()
            .insert(u.access_code_id);
        self.unmanaged.insert(u.access_code_id, u);
    }

    /// `/access_codes/simulate/create_unmanaged_access_code`: a PIN set outside Seam. It must
    /// not already be on the lock.
    pub fn create_unmanaged(
        &mut self,
        device_id: &str,
        name: String,
        pin: String,
        scope: &Scope,
    ) -> Result<UnmanagedAccessCode> {
        let d = self.lock(device_id, scope)?.device_id;
        if self.pins.get(&d).is_some_and(|p| p.contains(&pin)) {
            return Err(Error::DuplicateAccessCode(d));
        }
        let id = self.new_id();
        let u = UnmanagedAccessCode::new(id, d, self.record.workspace_id, name, pin, self.now);
        self.insert_unmanaged(u.clone());
        Ok(u)
    }

    /// Unmanaged codes on a device, in creation order.
    pub fn unmanaged_on_device(
        &self,
        device_id: &str,
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

    // ----- the single-code lifecycle -----------------------------------------------------------

    /// Checks that `pin` fits `device_id` (length, constraints, not on the lock): 409
    /// `duplicate_access_code` when it is already there, 400 `invalid_access_code` otherwise.
    /// `own` is a PIN of the code being changed, left out of the comparison.
    fn check_pin(&mut self, device_id: Uuid, pin: &str, own: Option<&str>) -> Result<()> {
        let set = self.pins.entry(device_id).or_default();
        if let Some(own) = own {
            set.remove(own);
        }
        let result = LockRules::of(&self.devices[&device_id], &self.pins[&device_id]).check(pin);
        if let Some(own) = own {
            self.pins.entry(device_id).or_default().add(own);
        }
        match result {
            Ok(()) => Ok(()),
            Err(Misfit::InUse) => Err(Error::DuplicateAccessCode(device_id)),
            Err(m) => Err(Error::InvalidAccessCode {
                message: format!("The code cannot be set on the device: {m}"),
                device_id,
            }),
        }
    }

    /// A random PIN for one lock, or `None` for a provider-assigned lock.
    fn generate_pin(&mut self, device_id: Uuid, preferred: Option<f64>) -> Result<Option<String>> {
        let device = &self.devices[&device_id];
        if device.provider_assigns_pins() {
            return Ok(None);
        }
        let empty = PinSet::default();
        let rules = LockRules::of(device, self.pins.get(&device_id).unwrap_or(&empty));
        pin::generate_for(&rules, preferred, &mut self.rng)
            .map(Some)
            .ok_or_else(|| Error::InvalidAccessCode {
                message: "The device has no free PIN of any supported length".into(),
                device_id,
            })
    }

    /// `/access_codes/create`: one code on one lock, optionally joining (or starting) the
    /// group of a `common_code_key`.
    pub fn create_one(
        &mut self,
        req: CreateOne,
        scope: &Scope,
    ) -> Result<(AccessCode, ActionAttempt)> {
        let window = self.settings_window(&req.settings)?;
        let device_id = self.lock(&req.device_id, scope)?.device_id;
        let group_pin = match &req.common_code_key {
            Some(key) => {
                let members = self.codes_with_key(key);
                match members.iter().find_map(|c| c.code.clone()) {
                    Some(p) => Some(p),
                    None if members.is_empty() => None,
                    None => {
                        return Err(Error::InvalidRequest(
                            "The codes of that common_code_key have no PIN yet".into(),
                        ));
                    }
                }
            }
            None => None,
        };
        let pin = match (group_pin, &req.code) {
            (Some(g), Some(c)) if g != c.as_str() => {
                return Err(Error::InvalidRequest(
                    "code must be the PIN the codes of common_code_key share".into(),
                ));
            }
            (Some(g), _) => Some(g),
            (None, Some(c)) => Some(c.as_str().to_string()),
            (None, None) => None,
        };
        let pin = match pin {
            Some(p) => {
                self.check_pin(device_id, &p, None)?;
                Some(p)
            }
            None => self.generate_pin(device_id, req.preferred_code_length)?,
        };
        let code = self.create_code(device_id, pin, req.common_code_key, window, &req.settings);
        let attempt = self.record_attempt(
            "CREATE_ACCESS_CODE",
            serde_json::json!({ "access_code": code }),
        );
        Ok((code, attempt))
    }

    /// The window a change asks for, merged with the code's current one.
    fn changed_window(
        &self,
        current: &AccessCode,
        kind: Option<CodeType>,
        starts_at: Option<DateTime<Utc>>,
        ends_at: Option<DateTime<Utc>>,
    ) -> Result<Option<Window>> {
        if kind == Some(CodeType::Ongoing) {
            if starts_at.is_some() || ends_at.is_some() {
                return Err(Error::InvalidRequest(
                    "An ongoing code cannot have starts_at or ends_at".into(),
                ));
            }
            return Ok(None);
        }
        let s = starts_at.or(current.starts_at);
        let e = ends_at.or(current.ends_at);
        if kind == Some(CodeType::TimeBound) && (s.is_none() || e.is_none()) {
            return Err(Error::InvalidRequest(
                "A time_bound code needs starts_at and ends_at".into(),
            ));
        }
        self.window(s, e)
    }

    /// Puts a changed code back through programming: `setting` (or `unset` before its
    /// window), rescheduled, and `access_code.changed` recorded.
    fn reprogram(&mut self, id: Uuid, window: Option<Window>) {
        let now = self.now;
        let device_online = {
            let c = &self.codes[&id];
            self.devices
                .get(&c.device_id)
                .is_some_and(|d| d.properties.online)
        };
        if let Some(c) = self.codes.get_mut(&id) {
            c.set_window(window, now);
        }
        let status = self.codes[&id].status;
        if !device_online && status == Status::Setting {
            self.park_offline(id, now);
        } else if let Some(at) = self.codes[&id].next_transition(self.delay) {
            // A change made now cannot take effect in the past.
            self.schedule_at(id, at.max(now));
        } else {
            self.unschedule(id);
        }
        let c = self.codes[&id].clone();
        self.emit(event::ACCESS_CODE_CHANGED, &c, false, now);
    }

    /// `/access_codes/update`: name, PIN, window, type. Nothing changes on error.
    pub fn update(&mut self, req: Update, scope: &Scope) -> Result<ActionAttempt> {
        let current = self.code(&req.access_code_id, scope)?.clone();
        let id = current.access_code_id;
        let window_asked = req.kind.is_some() || req.starts_at.is_some() || req.ends_at.is_some();
        let window = if window_asked {
            self.changed_window(&current, req.kind, req.starts_at, req.ends_at)?
        } else {
            current.starts_at.zip(current.ends_at).map(|(s, e)| Window {
                starts_at: s,
                ends_at: e,
            })
        };
        let new_pin = req
            .code
            .map(Pin::into_string)
            .filter(|p| current.code.as_deref() != Some(p.as_str()));
        if let Some(p) = &new_pin {
            self.check_pin(current.device_id, p, current.code.as_deref())?;
        }

        if let Some(p) = &new_pin {
            self.set_pin(id, p);
        }
        if let Some(c) = self.codes.get_mut(&id) {
            if let Some(n) = req.name {
                c.name = Some(n);
            }
            if let Some(x) = req.is_external_modification_allowed {
                c.is_external_modification_allowed = x;
            }
        }
        if new_pin.is_some() || window_asked {
            self.reprogram(id, window);
        } else {
            let c = self.codes[&id].clone();
            self.emit(event::ACCESS_CODE_CHANGED, &c, false, self.now);
        }
        let code = self.codes[&id].clone();
        Ok(self.record_attempt(
            "UPDATE_ACCESS_CODE",
            serde_json::json!({ "access_code": code }),
        ))
    }

    /// Gives a code a new PIN in place, keeping the indexes right. A new PIN leaves the group:
    /// two codes with one key always share a PIN.
    fn set_pin(&mut self, id: Uuid, pin: &str) {
        let Some(c) = self.codes.get_mut(&id) else {
            return;
        };
        let old = c.code.replace(pin.to_string());
        let key = c.common_code_key.take();
        c.is_waiting_for_code_assignment = false;
        let device_id = c.device_id;
        let pins = self.pins.entry(device_id).or_default();
        if let Some(old) = old {
            pins.remove(&old);
        }
        pins.add(pin);
        if let Some(k) = key
            && let Some(set) = self.codes_by_key.get_mut(&k)
        {
            set.shift_remove(&id);
            if set.is_empty() {
                self.codes_by_key.remove(&k);
            }
        }
    }

    /// `/access_codes/update_multiple`: a new name and/or window for every code of a group
    /// the caller can see. Every code is checked before any changes.
    pub fn update_multiple(
        &mut self,
        key: &str,
        name: Option<String>,
        starts_at: Option<DateTime<Utc>>,
        ends_at: Option<DateTime<Utc>>,
        scope: &Scope,
    ) -> Result<()> {
        let members: Vec<AccessCode> = self
            .codes_with_key(key)
            .into_iter()
            .filter(|c| self.visible(c, scope).is_ok())
            .cloned()
            .collect();
        if members.is_empty() {
            return Err(Error::AccessCodeNotFound);
        }
        let window_asked = starts_at.is_some() || ends_at.is_some();
        let mut windows = Vec::with_capacity(members.len());
        for c in &members {
            windows.push(if window_asked {
                self.changed_window(c, None, starts_at, ends_at)?
            } else {
                None
            });
        }
        for (c, w) in members.iter().zip(windows) {
            let id = c.access_code_id;
            if let (Some(n), Some(code)) = (&name, self.codes.get_mut(&id)) {
                code.name = Some(n.clone());
            }
            if window_asked {
                self.reprogram(id, w);
            } else {
                let c = self.codes[&id].clone();
                self.emit(event::ACCESS_CODE_CHANGED, &c, false, self.now);
            }
        }
        Ok(())
    }

    /// `/access_codes/delete`: the code leaves the lock and Seam.
    pub fn delete(&mut self, access_code_id: &str, scope: &Scope) -> Result<ActionAttempt> {
        let id = self.code(access_code_id, scope)?.access_code_id;
        let was_set = self.codes[&id].status == Status::Set;
        let removed = self.remove_code(id);
        let now = self.now;
        if was_set {
            self.emit(event::ACCESS_CODE_REMOVED_FROM_DEVICE, &removed, false, now);
        }
        self.emit(event::ACCESS_CODE_DELETED, &removed, true, now);
        Ok(self.record_attempt("DELETE_ACCESS_CODE", serde_json::json!({})))
    }

    /// `/access_codes/generate_code`: a PIN valid for the lock, not stored.
    pub fn generate_code(&mut self, device_id: &str, scope: &Scope) -> Result<AccessCode> {
        let device_id = self.lock(device_id, scope)?.device_id;
        let pin = self.generate_pin(device_id, None)?;
        let id = self.new_id();
        Ok(AccessCode::new(
            NewCode {
                access_code_id: id,
                device_id,
                workspace_id: self.record.workspace_id,
                name: None,
                code: pin,
                common_code_key: None,
                window: None,
                is_external_modification_allowed: false,
                use_backup_access_code_pool: false,
                device_supports_backup_pool: false,
            },
            self.now,
        ))
    }

    /// An unmanaged code by id, if the caller may see its device.
    pub fn unmanaged_code(&self, id: &str, scope: &Scope) -> Result<&UnmanagedAccessCode> {
        let u = Uuid::try_parse(id)
            .ok()
            .and_then(|u| self.unmanaged.get(&u))
            .ok_or(Error::AccessCodeNotFound)?;
        match self.devices.get(&u.device_id) {
            Some(d) if scope.allows(d) => Ok(u),
            _ => Err(Error::AccessCodeNotFound),
        }
    }

    /// An unmanaged code by device and PIN.
    pub fn unmanaged_by_pin(
        &self,
        device_id: &str,
        pin: &str,
        scope: &Scope,
    ) -> Result<&UnmanagedAccessCode> {
        self.unmanaged_on_device(device_id, scope)?
            .into_iter()
            .find(|u| u.code.as_deref() == Some(pin))
            .ok_or(Error::AccessCodeNotFound)
    }

    fn remove_unmanaged(&mut self, id: Uuid) -> UnmanagedAccessCode {
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
        u
    }

    /// `/access_codes/unmanaged/convert_to_managed`: Seam takes over the PIN, same id.
    pub fn convert_to_managed(
        &mut self,
        id: &str,
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
                code: u.code,
                common_code_key: None,
                window: None,
                is_external_modification_allowed: external_allowed,
                use_backup_access_code_pool: false,
                device_supports_backup_pool: false,
            },
            self.now,
        );
        code.created_at = u.created_at;
        code.program();
        self.insert_code(code.clone());
        self.emit(
            event::ACCESS_CODE_CONVERTED_TO_MANAGED,
            &code,
            false,
            self.now,
        );
        Ok(())
    }

    /// `/access_codes/unmanaged/delete`.
    pub fn delete_unmanaged(&mut self, id: &str, scope: &Scope) -> Result<ActionAttempt> {
        let id = self.unmanaged_code(id, scope)?.access_code_id;
        self.remove_unmanaged(id);
        Ok(self.record_attempt("DELETE_ACCESS_CODE", serde_json::json!({})))
    }

    /// An action attempt by id.
    pub fn action_attempt(&self, id: &str) -> Result<&ActionAttempt> {
        Uuid::try_parse(id)
            .ok()
            .and_then(|u| self.action_attempts.get(&u))
            .ok_or(Error::ActionAttemptNotFound)
    }

    /// Action attempts by id, in the order asked; unknown ids are left out.
    pub fn action_attempts(&self, ids: &[String]) -> Vec<&ActionAttempt> {
        ids.iter()
            .filter_map(|id| self.action_attempt(id).ok())
            .collect()
    }

    /// Events matching `f`, oldest first, at most `limit`.
    /// Filtering by access code reads only those codes' events.
    pub fn events_matching(&self, f: &EventFilter, limit: usize) -> Vec<&Event> {
        let Some(codes) = &f.access_code_ids else {
            return self
                .events
                .iter()
                .filter(|e| f.matches(e))
                .take(limit)
                .collect();
        };
        let mut at: Vec<usize> = codes
            .iter()
            .filter_map(|c| parse_id(c))
            .flat_map(|c| self.events_by_code.get(&c).into_iter().flatten().copied())
            .collect();
        at.sort_unstable();
        at.dedup();
        at.into_iter()
            .map(|i| &self.events[i])
            .filter(|e| f.matches(e))
            .take(limit)
            .collect()
    }

    /// An event by id.
    pub fn event(&self, id: &str) -> Result<&Event> {
        parse_id(id)
            .and_then(|id| self.event_index.get(&id))
            .map(|i| &self.events[*i])
            .ok_or(Error::EventNotFound)
    }

    // ----- events -----------------------------------------------------------------------------

    /// Every event, in time order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Records an action attempt and returns its wire form.
    pub fn record_attempt(&mut self, action_type: &str, result: Value) -> ActionAttempt {
        let id = self.new_id();
        let a = ActionAttempt::success(id, self.record.workspace_id, action_type, result);
        self.action_attempts.insert(id, a.clone());
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::create_multiple::Behavior;
    use crate::store::seed;
    use chrono::TimeZone;
    use rand::SeedableRng;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap()
    }

    fn ws() -> Workspace {
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

    fn dev(n: usize) -> String {
        seed::device_id(n).to_string()
    }

    const AUGUST_1: usize = 1;
    const AUGUST_2: usize = 2;
    const SCHLAGE_1: usize = 3;
    const NUKI: usize = 7;
    const SALTO: usize = 11;

    fn advance(w: &mut Workspace, by: Duration) {
        w.now += by;
        let now = w.now;
        w.tick(now);
    }

    fn all() -> Scope {
        Scope::default()
    }

    fn one(device: usize) -> CreateOne {
        CreateOne {
            device_id: dev(device),
            ..CreateOne::default()
        }
    }

    #[test]
    fn paginate_cuts_pages_and_takes_everything_without_a_limit() {
        let p = paginate(0..10, 0, 4);
        assert_eq!((p.items, p.next_offset), (vec![0, 1, 2, 3], Some(4)));
        let p = paginate(0..10, 8, 4);
        assert_eq!((p.items, p.next_offset), (vec![8, 9], None));
        let p = paginate(0..10, 0, usize::MAX);
        assert_eq!((p.items.len(), p.next_offset), (10, None));
    }

    #[test]
    fn one_lock_spelled_two_ways_is_a_duplicate_and_filters_ignore_spelling() {
        let mut w = ws();
        let a = dev(AUGUST_1);
        let req = CreateMultiple {
            device_ids: vec![a.clone(), a.to_uppercase()],
            ..CreateMultiple::default()
        };
        assert!(matches!(
            w.create_multiple(req, &all()),
            Err(Error::InvalidInput(_))
        ));
        assert!(
            w.codes_on_device(&a, &all(), 0, 10)
                .unwrap()
                .items
                .is_empty()
        );
        let f = DeviceFilter {
            device_ids: Some(vec![a.to_uppercase()]),
            ..DeviceFilter::default()
        };
        assert_eq!(w.devices(&f, &all(), 0, 10).items.len(), 1);
    }

    #[test]
    fn events_are_found_by_id_and_by_code_through_the_indexes() {
        let mut w = ws();
        let (a, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        let (b, _) = w.create_one(one(AUGUST_2), &all()).unwrap();
        advance(&mut w, Duration::seconds(1));
        let ids = |c: &AccessCode| Some(vec![c.access_code_id.to_string().to_uppercase()]);
        let f = EventFilter {
            access_code_ids: ids(&b),
            ..EventFilter::default()
        };
        let of_b = w.events_matching(&f, 10);
        assert_eq!(of_b.len(), 2);
        assert!(
            of_b.iter()
                .all(|e| e.access_code_id == Some(b.access_code_id))
        );
        let both = EventFilter {
            access_code_ids: Some(vec![
                a.access_code_id.to_string(),
                b.access_code_id.to_string(),
            ]),
            event_types: Some(vec![event::ACCESS_CODE_SET_ON_DEVICE.into()]),
            ..EventFilter::default()
        };
        let set: Vec<_> = w
            .events_matching(&both, 10)
            .iter()
            .map(|e| e.access_code_id)
            .collect();
        assert_eq!(
            set,
            [Some(a.access_code_id), Some(b.access_code_id)],
            "time order kept"
        );
        let first = w.events()[0].clone();
        assert_eq!(w.event(&first.event_id.to_string()).unwrap(), &first);
        assert!(matches!(w.event("nope"), Err(Error::EventNotFound)));
        // The indexes survive a dump and load.
        let mut db = Database::default();
        w.dump(&mut db);
        let mut back = Workspace::new(w.record.clone(), StdRng::seed_from_u64(1), w.now, w.delay);
        back.load(&db);
        assert_eq!(back.events_matching(&f, 10).len(), 2);
        assert_eq!(back.event(&first.event_id.to_string()).unwrap(), &first);
    }

    #[test]
    fn create_one_generates_a_fitting_pin_and_rejects_taken_ones() {
        let mut w = ws();
        let (c, attempt) = w.create_one(one(NUKI), &all()).unwrap();
        let pin = c.code.clone().unwrap();
        assert_eq!(pin.len(), 6);
        assert!(!pin.contains('0') && !pin.starts_with("12"));
        assert_eq!(
            (attempt.action_type.as_str(), attempt.status.as_str()),
            ("CREATE_ACCESS_CODE", "success")
        );

        let again = CreateOne {
            code: Some(Pin::parse(&pin).unwrap()),
            ..one(NUKI)
        };
        assert!(matches!(
            w.create_one(again, &all()),
            Err(Error::DuplicateAccessCode(_))
        ));
        let zero = CreateOne {
            code: Some(Pin::parse("345078").unwrap()),
            ..one(NUKI)
        };
        assert!(matches!(
            w.create_one(zero, &all()),
            Err(Error::InvalidAccessCode { .. })
        ));
        let short = CreateOne {
            code: Some(Pin::parse("3456").unwrap()),
            ..one(NUKI)
        };
        assert!(matches!(
            w.create_one(short, &all()),
            Err(Error::InvalidAccessCode { .. })
        ));
        assert_eq!(
            w.codes_on_device(&dev(NUKI), &all(), 0, 100)
                .unwrap()
                .items
                .len(),
            1
        );
    }

    #[test]
    fn create_one_joins_or_starts_a_common_code_key_group() {
        let mut w = ws();
        let key = "my_group".to_string();
        let first = CreateOne {
            common_code_key: Some(key.clone()),
            ..one(AUGUST_1)
        };
        let (a, _) = w.create_one(first, &all()).unwrap();
        let second = CreateOne {
            common_code_key: Some(key.clone()),
            ..one(AUGUST_2)
        };
        let (b, _) = w.create_one(second, &all()).unwrap();
        assert_eq!(a.code, b.code);
        assert_eq!(w.codes_with_key(&key).len(), 2);
        let other = CreateOne {
            common_code_key: Some(key.clone()),
            code: Some(Pin::parse("97531").unwrap()),
            ..one(SCHLAGE_1)
        };
        assert!(matches!(
            w.create_one(other, &all()),
            Err(Error::InvalidRequest(_))
        ));
    }

    #[test]
    fn provider_assigned_lock_gets_its_pin_when_programmed() {
        let mut w = ws();
        let (c, _) = w.create_one(one(SALTO), &all()).unwrap();
        assert_eq!(
            (c.code.as_deref(), c.is_waiting_for_code_assignment),
            (None, true)
        );
        advance(&mut w, Duration::seconds(1));
        let c = w.code(&c.access_code_id.to_string(), &all()).unwrap();
        assert_eq!(c.status, Status::Set);
        assert_eq!(c.code.as_ref().map(String::len), Some(6));
        assert!(!c.is_waiting_for_code_assignment);
    }

    #[test]
    fn update_changes_pin_out_of_its_group_and_errors_change_nothing() {
        let mut w = ws();
        let req = CreateMultiple {
            device_ids: vec![dev(AUGUST_1), dev(AUGUST_2)],
            ..CreateMultiple::default()
        };
        let codes = w.create_multiple(req, &all()).unwrap();
        let key = codes[0].common_code_key.clone().unwrap();
        let id = codes[0].access_code_id.to_string();
        let taken = codes[1].code.clone();
        // A PIN already on August 2 is fine on August 1 only if not in use there: put one there.
        let (other, _) = w
            .create_one(
                CreateOne {
                    code: Some(Pin::parse("86420").unwrap()),
                    ..one(AUGUST_1)
                },
                &all(),
            )
            .unwrap();
        let clash = Update {
            access_code_id: id.clone(),
            code: Some(Pin::parse("86420").unwrap()),
            ..Update::default()
        };
        assert!(matches!(
            w.update(clash, &all()),
            Err(Error::DuplicateAccessCode(_))
        ));
        assert_eq!(w.code(&id, &all()).unwrap().code, taken);
        assert_eq!(w.codes_with_key(&key).len(), 2);

        let change = Update {
            access_code_id: id.clone(),
            code: Some(Pin::parse("13579").unwrap()),
            name: Some("new".into()),
            ..Update::default()
        };
        let attempt = w.update(change, &all()).unwrap();
        assert_eq!(attempt.action_type, "UPDATE_ACCESS_CODE");
        let c = w.code(&id, &all()).unwrap();
        assert_eq!(
            (
                c.code.as_deref(),
                c.common_code_key.as_deref(),
                c.name.as_deref()
            ),
            (Some("13579"), None, Some("new"))
        );
        assert_eq!(c.status, Status::Setting);
        assert_eq!(w.codes_with_key(&key).len(), 1);
        assert!(w.code_by_pin(&dev(AUGUST_1), "13579", &all()).is_ok());
        assert!(
            w.code_by_pin(&dev(AUGUST_1), taken.as_deref().unwrap(), &all())
                .is_err()
        );
        let _ = other;
    }

    #[test]
    fn update_type_ongoing_clears_the_window_and_bad_windows_are_refused() {
        let mut w = ws();
        let req = CreateOne {
            settings: CodeSettings {
                starts_at: Some(t0() + Duration::hours(1)),
                ends_at: Some(t0() + Duration::hours(2)),
                ..CodeSettings::default()
            },
            ..one(AUGUST_1)
        };
        let (c, _) = w.create_one(req, &all()).unwrap();
        let id = c.access_code_id.to_string();
        assert_eq!((c.kind, c.status), (CodeType::TimeBound, Status::Unset));
        let bad = Update {
            access_code_id: id.clone(),
            ends_at: Some(t0()),
            ..Update::default()
        };
        assert!(w.update(bad, &all()).is_err());
        assert_eq!(
            w.code(&id, &all()).unwrap().ends_at,
            Some(t0() + Duration::hours(2))
        );
        let ongoing = Update {
            access_code_id: id.clone(),
            kind: Some(CodeType::Ongoing),
            ..Update::default()
        };
        w.update(ongoing, &all()).unwrap();
        let c = w.code(&id, &all()).unwrap();
        assert_eq!(
            (c.kind, c.starts_at, c.ends_at),
            (CodeType::Ongoing, None, None)
        );
    }

    #[test]
    fn a_linked_group_lives_its_whole_life() {
        let mut w = ws();
        let req = CreateMultiple {
            device_ids: vec![dev(AUGUST_1), dev(NUKI)],
            settings: CodeSettings {
                starts_at: Some(t0() + Duration::hours(1)),
                ends_at: Some(t0() + Duration::hours(3)),
                ..CodeSettings::default()
            },
            ..CreateMultiple::default()
        };
        let codes = w.create_multiple(req, &all()).unwrap();
        let key = codes[0].common_code_key.clone().unwrap();
        assert!(codes.iter().all(|c| c.status == Status::Unset));
        advance(&mut w, Duration::minutes(90));
        assert!(
            w.codes_with_key(&key)
                .iter()
                .all(|c| c.status == Status::Set)
        );
        w.update_multiple(
            &key,
            Some("moved".into()),
            None,
            Some(t0() + Duration::hours(5)),
            &all(),
        )
        .unwrap();
        advance(&mut w, Duration::minutes(1));
        assert!(
            w.codes_with_key(&key)
                .iter()
                .all(|c| c.status == Status::Set && c.name.as_deref() == Some("moved"))
        );
        advance(&mut w, Duration::hours(2));
        assert_eq!(
            w.codes_with_key(&key).len(),
            2,
            "still inside the moved window"
        );
        advance(&mut w, Duration::hours(2));
        assert!(w.codes_with_key(&key).is_empty());
        for c in &codes {
            assert!(matches!(
                w.code(&c.access_code_id.to_string(), &all()),
                Err(Error::AccessCodeNotFound)
            ));
            let f = EventFilter {
                access_code_ids: Some(vec![c.access_code_id.to_string()]),
                ..EventFilter::default()
            };
            let story: Vec<&str> = w
                .events_matching(&f, 100)
                .iter()
                .map(|e| e.event_type.as_str())
                .collect();
            assert_eq!(
                story,
                [
                    event::ACCESS_CODE_CREATED,
                    event::ACCESS_CODE_SET_ON_DEVICE,
                    event::ACCESS_CODE_CHANGED,
                    event::ACCESS_CODE_SET_ON_DEVICE,
                    event::ACCESS_CODE_REMOVED_FROM_DEVICE,
                    event::ACCESS_CODE_DELETED,
                ]
            );
        }
        let times: Vec<_> = w.events().iter().map(|e| e.occurred_at).collect();
        assert!(
            times.windows(2).all(|p| p[0] <= p[1]),
            "events in time order"
        );
        assert!(
            w.pins.values().all(PinSet::is_empty),
            "removed PINs free their locks"
        );
    }

    #[test]
    fn offline_lock_keeps_codes_setting_until_back_online() {
        let mut w = ws();
        let mut d = w.device(&dev(AUGUST_1), &all()).unwrap().clone();
        d.properties.online = false;
        w.replace_device(d.clone());
        let (c, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        assert_eq!(c.status, Status::Setting);
        assert_eq!(c.errors[0]["error_code"], "device_offline");
        advance(&mut w, Duration::hours(1));
        let id = c.access_code_id.to_string();
        assert_eq!(w.code(&id, &all()).unwrap().status, Status::Setting);
        d.properties.online = true;
        w.replace_device(d);
        let c = w.code(&id, &all()).unwrap();
        assert_eq!(c.status, Status::Set);
        assert!(c.errors.is_empty());
    }

    #[test]
    fn a_window_ends_even_while_the_lock_is_offline() {
        let mut w = ws();
        let mut d = w.device(&dev(AUGUST_1), &all()).unwrap().clone();
        d.properties.online = false;
        w.replace_device(d);
        let req = CreateOne {
            settings: CodeSettings {
                starts_at: Some(t0() + Duration::hours(1)),
                ends_at: Some(t0() + Duration::hours(2)),
                ..CodeSettings::default()
            },
            ..one(AUGUST_1)
        };
        let (c, _) = w.create_one(req, &all()).unwrap();
        let id = c.access_code_id.to_string();
        advance(&mut w, Duration::minutes(90));
        let parked = w.code(&id, &all()).unwrap();
        assert_eq!((parked.status, parked.errors.len()), (Status::Setting, 1));
        advance(&mut w, Duration::hours(1));
        assert!(matches!(
            w.code(&id, &all()),
            Err(Error::AccessCodeNotFound)
        ));
        // The code's own events (taking the lock offline is a `device.disconnected` event).
        let types: Vec<&str> = w
            .events()
            .iter()
            .filter(|e| e.access_code_id.is_some())
            .map(|e| e.event_type.as_str())
            .collect();
        assert_eq!(
            types,
            [event::ACCESS_CODE_CREATED, event::ACCESS_CODE_DELETED]
        );
    }

    #[test]
    fn programming_delay_holds_codes_in_setting() {
        let mut w = ws();
        w.delay = Duration::seconds(30);
        let (c, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        let id = c.access_code_id.to_string();
        advance(&mut w, Duration::seconds(29));
        assert_eq!(w.code(&id, &all()).unwrap().status, Status::Setting);
        advance(&mut w, Duration::seconds(1));
        assert_eq!(w.code(&id, &all()).unwrap().status, Status::Set);
    }

    #[test]
    fn delete_frees_the_pin_and_records_events() {
        let mut w = ws();
        let (c, _) = w
            .create_one(
                CreateOne {
                    code: Some(Pin::parse("4682").unwrap()),
                    ..one(SCHLAGE_1)
                },
                &all(),
            )
            .unwrap();
        advance(&mut w, Duration::seconds(1));
        let id = c.access_code_id.to_string();
        assert_eq!(
            w.delete(&id, &all()).unwrap().action_type,
            "DELETE_ACCESS_CODE"
        );
        assert!(matches!(
            w.code(&id, &all()),
            Err(Error::AccessCodeNotFound)
        ));
        assert!(matches!(
            w.delete(&id, &all()),
            Err(Error::AccessCodeNotFound)
        ));
        let last: Vec<_> = w
            .events()
            .iter()
            .rev()
            .take(2)
            .map(|e| (e.event_type.clone(), e.code.clone()))
            .collect();
        assert_eq!(
            last[0],
            (event::ACCESS_CODE_DELETED.to_string(), Some("4682".into()))
        );
        assert_eq!(last[1].0, event::ACCESS_CODE_REMOVED_FROM_DEVICE);
        // The PIN (and its prefix, under unique_first_four_digits) is free again.
        w.create_one(
            CreateOne {
                code: Some(Pin::parse("4682").unwrap()),
                ..one(SCHLAGE_1)
            },
            &all(),
        )
        .unwrap();
    }

    #[test]
    fn unmanaged_codes_convert_keeping_id_and_pin() {
        let mut w = ws();
        let u = w
            .create_unmanaged(&dev(AUGUST_1), "Cleaner".into(), "2468".into(), &all())
            .unwrap();
        let id = u.access_code_id.to_string();
        assert!(matches!(
            w.create_unmanaged(&dev(AUGUST_1), "Again".into(), "2468".into(), &all()),
            Err(Error::DuplicateAccessCode(_))
        ));
        w.convert_to_managed(&id, true, &all()).unwrap();
        assert!(w.unmanaged_code(&id, &all()).is_err());
        let c = w.code(&id, &all()).unwrap();
        assert_eq!(
            (
                c.code.as_deref(),
                c.status,
                c.is_external_modification_allowed
            ),
            (Some("2468"), Status::Set, true)
        );
        assert!(matches!(
            w.create_one(
                CreateOne {
                    code: Some(Pin::parse("2468").unwrap()),
                    ..one(AUGUST_1)
                },
                &all()
            ),
            Err(Error::DuplicateAccessCode(_))
        ));
        let u2 = w
            .create_unmanaged(&dev(AUGUST_1), "Gone".into(), "1357".into(), &all())
            .unwrap();
        w.delete_unmanaged(&u2.access_code_id.to_string(), &all())
            .unwrap();
        assert!(
            w.unmanaged_on_device(&dev(AUGUST_1), &all())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn generate_code_fits_the_lock_and_stores_nothing() {
        let mut w = ws();
        for _ in 0..20 {
            let c = w.generate_code(&dev(SCHLAGE_1), &all()).unwrap();
            let pin = c.code.unwrap();
            assert_eq!(pin.len(), 4);
            let b = pin.as_bytes();
            assert!(
                (1..4).all(|i| !b[..i].contains(&b[i])),
                "{pin} repeats a digit"
            );
        }
        assert!(
            w.codes_on_device(&dev(SCHLAGE_1), &all(), 0, 10)
                .unwrap()
                .items
                .is_empty()
        );
    }

    #[test]
    fn create_random_code_behavior_reaches_the_store() {
        let mut w = ws();
        let req = CreateMultiple {
            device_ids: vec![dev(SCHLAGE_1), dev(NUKI)],
            plan: create_multiple::Request {
                behavior: Behavior::CreateRandomCode,
                ..Default::default()
            },
            ..CreateMultiple::default()
        };
        let codes = w.create_multiple(req, &all()).unwrap();
        assert!(codes.iter().all(|c| c.common_code_key.is_none()));
        let created = w
            .events()
            .iter()
            .filter(|e| e.event_type == event::ACCESS_CODE_CREATED)
            .count();
        assert_eq!(created, 2);
    }
}
