//! What the state file (`store::statefile`) takes from a workspace: the records written since
//! it last asked, noted by the [`Tracked`](crate::store::tracked::Tracked) collections, or
//! the whole content when a collection is not tracked (new to the state file, or replaced
//! whole by a restore or a reset).

use uuid::Uuid;

use super::Workspace;
use crate::domain::backup::BackupPool;
use crate::store::records::Database;
use crate::store::statefile::rows::{Key, Record, content_of};

/// A workspace's changes since the last [`Workspace::take_changes`].
#[derive(Debug)]
pub enum Changes {
    /// Everything: the rows of its content so far are to be replaced by these.
    Whole(Vec<Record>),
    /// These records were written (`Ok`) or removed (`Err`, the row's key).
    Some(Vec<Result<Record, Key>>),
}

impl Workspace {
    fn tracked(&self) -> bool {
        self.accounts.is_tracked()
            && self.devices.is_tracked()
            && self.codes.is_tracked()
            && self.unmanaged.is_tracked()
            && self.pools.is_tracked()
            && self.action_attempts.is_tracked()
            && self.events.is_tracked()
            && self.profiles.is_tracked()
            && self.keypads.is_tracked()
    }

    fn track(&mut self) {
        self.accounts.track();
        self.devices.track();
        self.codes.track();
        self.unmanaged.track();
        self.pools.track();
        self.action_attempts.track();
        self.events.track();
        self.profiles.track();
        self.keypads.track();
    }

    /// Counts everything it holds as written (it was just read from the state file).
    pub(crate) fn mark_saved(&mut self) {
        self.track();
    }

    /// The records written since the last call (cloned under the lock; the state file turns
    /// them into JSON after letting it go), and tracks every collection from now on.
    pub(crate) fn take_changes(&mut self) -> Changes {
        if !self.tracked() {
            self.track();
            let mut db = Database::default();
            self.dump(&mut db);
            return Changes::Whole(content_of(&db).collect());
        }
        let ws = Some(self.record.workspace_id);
        let mut out = Vec::new();
        let gone = |kind, id: Uuid| Err(Key::new(kind, ws, id));
        for id in self.accounts.take_changes().unwrap_or_default() {
            out.push(match self.accounts.get(&id) {
                Some(a) => Ok(Record::ConnectedAccount(a.clone())),
                None => gone("connected_account", id),
            });
        }
        for id in self.devices.take_changes().unwrap_or_default() {
            out.push(match self.devices.get(&id) {
                Some(d) => Ok(Record::Device(Box::new(d.clone()))),
                None => gone("device", id),
            });
        }
        for id in self.codes.take_changes().unwrap_or_default() {
            out.push(match self.codes.get(&id) {
                Some(c) => Ok(Record::AccessCode(c.clone())),
                None => gone("access_code", id),
            });
        }
        for id in self.unmanaged.take_changes().unwrap_or_default() {
            out.push(match self.unmanaged.get(&id) {
                Some(u) => Ok(Record::UnmanagedAccessCode(u.clone())),
                None => gone("unmanaged_access_code", id),
            });
        }
        for id in self.pools.take_changes().unwrap_or_default() {
            out.push(match self.pools.get(&id) {
                Some(codes) => Ok(Record::BackupPool(BackupPool {
                    device_id: id,
                    workspace_id: self.record.workspace_id,
                    codes: codes.clone(),
                })),
                None => gone("backup_access_code_pool", id),
            });
        }
        for id in self.action_attempts.take_changes().unwrap_or_default() {
            out.push(match self.action_attempts.get(&id) {
                Some(a) => Ok(Record::ActionAttempt(a.clone())),
                None => gone("action_attempt", id),
            });
        }
        for id in self.profiles.take_changes().unwrap_or_default() {
            out.push(match self.profiles.get(&id) {
                Some(p) => Ok(Record::CustomizationProfile(p.clone())),
                None => gone("customization_profile", id),
            });
        }
        for id in self.keypads.take_changes().unwrap_or_default() {
            out.push(match self.keypads.get(&id) {
                Some(k) => Ok(Record::Keypad(k.clone())),
                None => gone("keypad", id),
            });
        }
        let from = self.events.take_changes().unwrap_or(self.events.len());
        out.extend(
            self.events
                .iter_from(from)
                .cloned()
                .map(Record::Event)
                .map(Ok),
        );
        Changes::Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn kinds(c: &Changes) -> Vec<(&'static str, bool)> {
        match c {
            Changes::Whole(_) => vec![("whole", true)],
            Changes::Some(rows) => rows
                .iter()
                .map(|r| match r {
                    Ok(r) => (r.key().kind, true),
                    Err(k) => (k.kind, false),
                })
                .collect(),
        }
    }

    #[test]
    fn the_first_call_takes_everything_and_later_ones_what_changed() {
        let mut w = ws();
        let Changes::Whole(everything) = w.take_changes() else {
            panic!("an untracked workspace gives all it holds");
        };
        assert_eq!(
            everything
                .iter()
                .filter(|r| r.key().kind == "device")
                .count(),
            w.devices.len()
        );
        assert!(kinds(&w.take_changes()).is_empty());
        let (code, _) = w.create_one(one(AUGUST_1), &all()).unwrap();
        let changed = kinds(&w.take_changes());
        assert!(changed.contains(&("access_code", true)), "{changed:?}");
        assert!(changed.contains(&("event", true)), "{changed:?}");
        let p = w.create_profile(Default::default());
        w.update_profile(p.customization_profile_id, Default::default())
            .unwrap();
        w.keypad_entry(dev(AUGUST_1), "0000", &all()).unwrap();
        let changed = kinds(&w.take_changes());
        assert!(
            changed.contains(&("customization_profile", true)),
            "{changed:?}"
        );
        assert!(changed.contains(&("keypad", true)), "{changed:?}");
        w.delete(code.access_code_id, &all()).unwrap();
        let changed = kinds(&w.take_changes());
        assert!(changed.contains(&("access_code", false)), "{changed:?}");
        let copy = w.copy_content();
        w.take_content(copy);
        assert_eq!(kinds(&w.take_changes()), [("whole", true)]);
    }
}
