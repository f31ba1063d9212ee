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

use crate::domain::access_code::{AccessCode, NewCode, Status, UnmanagedAccessCode, Window};
use crate::domain::action_attempt::ActionAttempt;
use crate::domain::create_multiple::{self, Lock};
use crate::domain::device::Device;
use crate::domain::event::{self, Event};
use crate::domain::pin::{LockRules, PinSet};
use crate::error::{Error, Result};

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
    let mut items: Vec<T> = items.skip(offset).take(limit + 1).collect();
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

/// A parsed `/access_codes/create_multiple` request.
#[derive(Clone, Debug, Default)]
pub struct CreateMultiple {
    /// Non-empty and distinct (checked at the edge); ids as given.
    pub device_ids: Vec<String>,
    pub plan: create_multiple::Request,
    pub name: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub is_external_modification_allowed: bool,
    pub use_backup_access_code_pool: bool,
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
    schedule: BTreeSet<(DateTime<Utc>, Uuid)>,
    scheduled: HashMap<Uuid, DateTime<Utc>>,
    rng: StdRng,
    /// The server clock's reading for the operation under way, set when the lock is taken.
    pub(crate) now: DateTime<Utc>,
    /// How long a device takes to program a code.
    pub(crate) delay: Duration,
}

/// Parses an id as given on the wire; a malformed id cannot exist.
fn parse_id(id: &str) -> Option<Uuid> {
    Uuid::try_parse(id).ok()
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
            schedule: BTreeSet::new(),
            scheduled: HashMap::new(),
            rng,
            now,
            delay,
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
        self.events = db
            .events
            .iter()
            .filter(|e| e.workspace_id == id)
            .cloned()
            .collect();
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
                && any(&f.device_ids, &d.device_id.to_string())
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
        let back_online = d.properties.online
            && self
                .devices
                .get(&id)
                .is_some_and(|old| !old.properties.online);
        self.devices.insert(id, d);
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
                if let Some(c) = self.codes.get_mut(&id) {
                    c.mark_offline(due);
                }
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
        if let Some(pin) = crate::domain::pin::generate_for(&rules, None, &mut self.rng) {
            let device_id = device.device_id;
            self.pins.entry(device_id).or_default().add(&pin);
            if let Some(c) = self.codes.get_mut(&id) {
                c.code = Some(pin);
                c.is_waiting_for_code_assignment = false;
            }
        }
    }

    fn emit(&mut self, event_type: &str, code: &AccessCode, with_pin: bool, at: DateTime<Utc>) {
        let connected_account_id = self
            .devices
            .get(&code.device_id)
            .map(|d| d.connected_account_id);
        let event_id = self.new_id();
        self.events.push(Event {
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

    /// Creates a new managed code from a decided PIN and records its `access_code.created`.
    fn create_code(&mut self, mut n: NewCode) -> AccessCode {
        n.access_code_id = self.new_id();
        let now = self.now;
        let online = self
            .devices
            .get(&n.device_id)
            .is_some_and(|d| d.properties.online);
        let mut code = AccessCode::new(n, now);
        if !online && code.status == Status::Setting {
            code.mark_offline(now);
        }
        let id = code.access_code_id;
        self.insert_code(code.clone());
        if !online && code.status == Status::Setting {
            self.unschedule(id);
        }
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

    /// `/access_codes/create_multiple`: plans every lock's PIN and key and commits all codes,
    /// or fails with nothing written.
    pub fn create_multiple(
        &mut self,
        req: CreateMultiple,
        scope: &Scope,
    ) -> Result<Vec<AccessCode>> {
        let window = self.window(req.starts_at, req.ends_at)?;
        if req.use_backup_access_code_pool && window.is_none() {
            return Err(Error::InvalidRequest(
                "use_backup_access_code_pool can only be used with time-bound codes (starts_at and ends_at)".into(),
            ));
        }
        let mut devices = Vec::with_capacity(req.device_ids.len());
        for id in &req.device_ids {
            devices.push(self.lock(id, scope)?.device_id);
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
            let supports_pool = self.devices[&p.device_id]
                .properties
                .supports_backup_access_code_pool
                .unwrap_or(false);
            out.push(self.create_code(NewCode {
                access_code_id: Uuid::nil(),
                device_id: p.device_id,
                workspace_id: self.record.workspace_id,
                name: req.name.clone(),
                code: p.code,
                common_code_key: p.common_code_key,
                window,
                is_external_modification_allowed: req.is_external_modification_allowed,
                use_backup_access_code_pool: req.use_backup_access_code_pool,
                device_supports_backup_pool: supports_pool,
            }));
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
