//! What the dashboard (`/_fake/ui`) shows of one workspace, built under its lock in time that
//! does not grow with the codes or events it holds: the first locks with each one's newest
//! codes and counts, the newest linked groups, the newest events, and counts of the rest.
//! Every list is read from an index or from the end of a `Table`/`Chunked`, never by a scan;
//! the one walk is over the devices (to count the locks), which grow with locks, not codes.
//! Finding anything else is the search's job ([`Workspace::search_copy`]): it scans a copy
//! taken under the lock, after the lock is let go.

use std::collections::HashMap;
use std::sync::Arc;

use uuid::Uuid;

use crate::domain::access_code::{AccessCode, UnmanagedAccessCode};
use crate::domain::device::Device;
use crate::domain::event::Event;
use crate::store::chunked::Frozen;

use super::Workspace;

/// How many locks get a card.
pub const LOCKS: usize = 12;
/// How many of a lock's newest codes its card lists (managed and unmanaged each).
pub const CODES_PER_LOCK: usize = 5;
/// How many linked groups are shown.
pub const GROUPS: usize = 6;
/// How many of the newest code slots are looked at for linked groups (older groups are
/// counted, and found by the search).
pub const GROUP_SCAN: usize = 1_000;
/// How many lock names a group lists.
pub const GROUP_LOCKS: usize = 8;
/// How many events are shown.
pub const EVENTS: usize = 12;
/// How many devices without access codes are named.
pub const OTHERS: usize = 12;

/// A lock's card: the device, its newest codes, and how many it has.
#[derive(Clone, Debug)]
pub struct LockView {
    pub device: Device,
    /// Newest first, at most [`CODES_PER_LOCK`].
    pub codes: Vec<AccessCode>,
    /// Every managed code of the lock.
    pub code_count: usize,
    /// The managed codes on the lock itself (`set` or being removed).
    pub on_lock: usize,
    /// Newest first, at most [`CODES_PER_LOCK`].
    pub unmanaged: Vec<UnmanagedAccessCode>,
    pub unmanaged_count: usize,
}

/// A `common_code_key` and the codes that share it.
#[derive(Clone, Debug)]
pub struct GroupView {
    pub key: Arc<str>,
    /// The PIN of its first code.
    pub pin: Option<String>,
    pub code_count: usize,
    /// The names of the locks of its first [`GROUP_LOCKS`] codes.
    pub locks: Vec<String>,
}

/// One workspace as the dashboard shows it.
#[derive(Clone, Debug)]
pub struct WorkspaceView {
    pub workspace_id: Uuid,
    pub name: String,
    /// An API key of the workspace, for the door controls (filled by the store).
    pub key: String,
    /// The first [`LOCKS`] locks (devices that take codes online or hold some), in creation
    /// order.
    pub locks: Vec<LockView>,
    /// Every lock.
    pub lock_count: usize,
    /// The first [`OTHERS`] other devices: (name, type).
    pub others: Vec<(String, String)>,
    pub other_count: usize,
    pub code_count: usize,
    /// Every linked group.
    pub group_count: usize,
    /// The newest groups among the newest [`GROUP_SCAN`] codes, newest first.
    pub groups: Vec<GroupView>,
    /// The newest [`EVENTS`] events, newest first.
    pub events: Vec<Event>,
    /// Device names: those the events name and those asked for.
    pub names: HashMap<Uuid, String>,
}

/// The managed codes and device names of a workspace at one moment, to search without its
/// lock.
#[derive(Clone, Debug)]
pub struct SearchCopy {
    pub workspace_id: Uuid,
    pub codes: Frozen<AccessCode>,
    pub device_names: HashMap<Uuid, String>,
}

impl Workspace {
    /// Whether the dashboard gives a device a lock card.
    fn is_lock(&self, d: &Device) -> bool {
        d.can_program_online_access_codes
            || self
                .codes_by_device
                .get(&d.device_id)
                .is_some_and(|c| !c.is_empty())
    }

    fn lock_view(&self, d: &Device) -> LockView {
        let ids = self
            .codes_by_device
            .get(&d.device_id)
            .map_or(&[][..], Vec::as_slice);
        let codes = ids
            .iter()
            .rev()
            .take(CODES_PER_LOCK)
            .filter_map(|id| self.codes.get(id).cloned())
            .collect();
        let unmanaged_ids = self.unmanaged_by_device.get(&d.device_id);
        let unmanaged = unmanaged_ids
            .into_iter()
            .flat_map(|s| s.iter().rev())
            .take(CODES_PER_LOCK)
            .filter_map(|id| self.unmanaged.get(id).cloned())
            .collect();
        LockView {
            device: d.clone(),
            codes,
            code_count: ids.len(),
            on_lock: self.on_lock.get(&d.device_id).map_or(0, |n| *n as usize),
            unmanaged,
            unmanaged_count: unmanaged_ids.map_or(0, |s| s.len()),
        }
    }

    fn group_view(&self, key: &Arc<str>) -> GroupView {
        let ids = self.codes_by_key.get(key).map_or(&[][..], |v| v.as_slice());
        let first = ids.first().and_then(|id| self.codes.get(id));
        let locks = ids
            .iter()
            .take(GROUP_LOCKS)
            .filter_map(|id| self.codes.get(id))
            .map(|c| self.device_name(c.device_id))
            .collect();
        GroupView {
            key: key.clone(),
            pin: first.and_then(|c| c.pin()).map(|p| p.to_string()),
            code_count: ids.len(),
            locks,
        }
    }

    fn device_name(&self, id: Uuid) -> String {
        self.devices
            .get(&id)
            .map_or_else(String::new, |d| d.display_name.clone())
    }

    /// The dashboard's view, with the names of the `named` devices this workspace has (the
    /// fault rules' devices).
    pub fn dashboard(&self, named: &[Uuid]) -> WorkspaceView {
        let mut locks = Vec::new();
        let (mut lock_count, mut others, mut other_count) = (0, Vec::new(), 0);
        for d in self.devices.values() {
            if self.is_lock(d) {
                lock_count += 1;
                if locks.len() < LOCKS {
                    locks.push(self.lock_view(d));
                }
            } else {
                other_count += 1;
                if others.len() < OTHERS {
                    others.push((d.display_name.clone(), d.device_type.to_string()));
                }
            }
        }
        let mut keys: Vec<&Arc<str>> = Vec::new();
        for c in self.codes.newest(GROUP_SCAN) {
            if let Some(k) = &c.common_code_key
                && !keys.contains(&k)
            {
                keys.push(k);
                if keys.len() == GROUPS {
                    break;
                }
            }
        }
        let groups = keys.into_iter().map(|k| self.group_view(k)).collect();
        let events: Vec<Event> = self.events.iter().rev().take(EVENTS).cloned().collect();
        let names = events
            .iter()
            .filter_map(Event::device_id)
            .chain(named.iter().copied())
            .filter_map(|id| Some((id, self.devices.get(&id)?.display_name.clone())))
            .collect();
        WorkspaceView {
            workspace_id: self.record.workspace_id,
            name: self.record.name.clone(),
            key: String::new(),
            locks,
            lock_count,
            others,
            other_count,
            code_count: self.codes.len(),
            group_count: self.codes_by_key.len(),
            groups,
            events,
            names,
        }
    }

    /// How many devices there are, of every account.
    pub fn devices_len(&self) -> usize {
        self.devices.len()
    }

    /// How many managed codes there are.
    pub fn codes_len(&self) -> usize {
        self.codes.len()
    }

    /// What the search reads: the codes' chunks shared (no code copied) and the device names.
    pub fn search_copy(&self) -> SearchCopy {
        SearchCopy {
            workspace_id: self.record.workspace_id,
            codes: self.codes.frozen(),
            device_names: self
                .devices
                .values()
                .map(|d| (d.device_id, d.display_name.clone()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::domain::command::{CodeSettings, CreateMultiple, DeviceIds};
    use crate::domain::create_multiple;

    #[test]
    fn the_view_is_bounded_and_counts_the_rest() {
        let mut w = ws();
        for _ in 0..40 {
            let req = CreateMultiple {
                device_ids: DeviceIds::new(vec![dev(AUGUST_1), dev(NUKI)]).unwrap(),
                plan: create_multiple::Request::default(),
                settings: CodeSettings::default(),
            };
            w.create_multiple(req, &all()).unwrap();
        }
        let v = w.dashboard(&[]);
        let august = v
            .locks
            .iter()
            .find(|l| l.device.device_id == dev(AUGUST_1))
            .unwrap();
        assert_eq!(august.code_count, 40);
        assert_eq!(august.codes.len(), CODES_PER_LOCK);
        // Newest first.
        assert!(august.codes[0].created_at >= august.codes[4].created_at);
        assert_eq!(
            august.codes[0].access_code_id,
            *w.codes_by_device[&dev(AUGUST_1)].last().unwrap()
        );
        assert_eq!(v.code_count, 80);
        assert_eq!(v.group_count, 40);
        assert_eq!(v.groups.len(), GROUPS);
        assert_eq!(v.groups[0].code_count, 2);
        assert_eq!(v.groups[0].locks.len(), 2);
        let newest = w.codes.newest(1).next().unwrap();
        assert_eq!(v.groups[0].key, *newest.common_code_key.as_ref().unwrap());
        assert_eq!(v.events.len(), EVENTS);
        assert!(v.locks.len() <= LOCKS && v.lock_count >= v.locks.len());
        assert!(v.names.contains_key(&dev(NUKI)) || v.names.contains_key(&dev(AUGUST_1)));
    }
}
