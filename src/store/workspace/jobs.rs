//! What a lock makes of the jobs Seam gives it (contract §14): programming a code, taking one
//! off, carrying out an action. It does them, unless the lock is full
//! (`max_active_codes_supported`) or a fault rule's device outcome says otherwise — a refusal,
//! a delay, an error — each shown through the one model of `domain::hold`.
//!
//! Slots: a lock holds its managed codes that are `set` or `removing` and its unmanaged codes
//! (backup-pool spares and codes waiting for their window are not counted). The managed count
//! is kept per lock as codes come and go and change status ([`Workspace::note_on_lock`]), so
//! asking whether a lock has room costs two look-ups; at the limit the lock carries the
//! `max_access_codes_reached` warning. A code that found no room waits in its lock's queue and
//! is tried again when a slot frees, not at every tick.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::domain::access_code::Status;
use crate::domain::action_attempt::{ActionAttempt, ActionType, AttemptStatus};
use crate::domain::event::{CodeErrorsEvent, CodeEvent};
use crate::domain::fault::{DeviceOutcome, Job};
use crate::domain::hold::{self, Hold, SetFailure};

use super::Workspace;

/// What a lock makes of programming a code now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tried {
    /// It takes the code.
    Done,
    /// The code waits on these (a refusal is tried again at the next tick).
    Held(Vec<Hold>),
    /// The lock is full: the code waits for a slot.
    NoRoom,
    /// The lock is slow: the code is on it this many seconds after the attempt.
    Delayed(u64),
}

impl Workspace {
    /// Whether a lock has a slot for one more code.
    fn has_room(&self, device_id: Uuid) -> bool {
        let Some(max) = self
            .devices
            .get(&device_id)
            .and_then(|d| d.properties.max_active_codes_supported)
        else {
            return true;
        };
        self.active_codes(device_id) < max
    }

    /// The codes taking a lock's slots: managed codes on it and unmanaged ones.
    fn active_codes(&self, device_id: Uuid) -> u32 {
        let managed = self.on_lock.get(&device_id).copied().unwrap_or(0);
        let unmanaged = self
            .unmanaged_by_device
            .get(&device_id)
            .map_or(0, |s| s.len());
        managed.saturating_add(unmanaged as u32)
    }

    /// Counts a managed code into (`is`) or out of (`was`) its lock's slots; the lock's
    /// warning follows, and a slot that frees lets a waiting code in.
    pub(super) fn note_on_lock(&mut self, device_id: Uuid, was: bool, is: bool, at: DateTime<Utc>) {
        if was == is {
            return;
        }
        let n = self.on_lock.entry(device_id).or_default();
        *n = if is { *n + 1 } else { n.saturating_sub(1) };
        self.refresh_capacity(device_id, at);
    }

    /// Puts on a lock, or takes off it, the `max_access_codes_reached` warning its count of
    /// codes calls for, and lets waiting codes into the slots it has free.
    pub(super) fn refresh_capacity(&mut self, device_id: Uuid, at: DateTime<Utc>) {
        let active = self.active_codes(device_id);
        let Some(d) = self.devices.get(&device_id) else {
            return;
        };
        let max = d.properties.max_active_codes_supported;
        let shown = d
            .warnings
            .iter()
            .find(|w| hold::code_of(w) == Some(hold::CAPACITY_WARNING));
        let full = max.is_some_and(|m| active >= m);
        let stale = match (full, shown) {
            (true, Some(w)) => w["active_access_code_count"] != json!(active),
            (true, None) | (false, Some(_)) => true,
            (false, None) => false,
        };
        if stale && let Some(d) = self.devices.get_mut(&device_id) {
            d.warnings
                .retain(|w| hold::code_of(w) != Some(hold::CAPACITY_WARNING));
            if let (true, Some(max)) = (full, max) {
                d.warnings.push(hold::capacity_warning(active, max, at));
            }
        }
        if !full {
            self.let_in(device_id, at);
        }
    }

    /// Schedules, at `at`, as many of a lock's codes waiting for room as it has free slots.
    fn let_in(&mut self, device_id: Uuid, at: DateTime<Utc>) {
        let free = match self
            .devices
            .get(&device_id)
            .and_then(|d| d.properties.max_active_codes_supported)
        {
            Some(max) => max.saturating_sub(self.active_codes(device_id)) as usize,
            None => usize::MAX,
        };
        let Some(queue) = self.waiting_for_room.get_mut(&device_id) else {
            return;
        };
        let mut woken = Vec::new();
        while woken.len() < free
            && let Some(id) = queue.pop_front()
        {
            if self
                .codes
                .get(&id)
                .is_some_and(|c| c.status == Status::Setting)
            {
                woken.push(id);
            }
        }
        if queue.is_empty() {
            self.waiting_for_room.remove(&device_id);
        }
        for id in woken {
            self.schedule_at(id, at);
        }
    }

    /// What the lock makes of programming code `id` now: the one question the lifecycle asks
    /// before it programs a code. First what the lock's state holds it on (`holds_of`); then,
    /// unless the code has served a delay already, whether the lock has room, and what a
    /// live device outcome makes of this attempt (it counts as one of the rule's jobs).
    pub(super) fn try_program(&self, id: Uuid) -> Tried {
        let Some(code) = self.codes.get(&id) else {
            return Tried::Done;
        };
        let holds = self.holds_of(code);
        if !holds.is_empty() {
            return Tried::Held(holds);
        }
        if code.is_offline_access_code {
            return Tried::Done;
        }
        let delayed = code
            .warnings
            .iter()
            .any(|w| hold::code_of(w) == Some(Hold::Delayed.code()));
        if delayed {
            return Tried::Done;
        }
        if !self.has_room(code.device_id) {
            return Tried::NoRoom;
        }
        let outcome = self
            .faults
            .job(Job::Program, self.record.workspace_id, code.device_id);
        match outcome {
            None => Tried::Done,
            Some(DeviceOutcome::SetError(f)) => Tried::Held(vec![Hold::Failed(f)]),
            Some(DeviceOutcome::SetDelay(s)) => Tried::Delayed(s),
            // Outcomes of other jobs are not asked for here.
            Some(DeviceOutcome::RemoveError | DeviceOutcome::ActionError(_)) => Tried::Done,
        }
    }

    /// Leaves a code the lock would not program at `due` waiting as `tried` says: on its
    /// holds, for room, or out its delay.
    pub(super) fn wait_out(&mut self, id: Uuid, tried: Tried, due: DateTime<Utc>) {
        match tried {
            Tried::Done => {}
            Tried::Held(holds) => {
                self.hold_code(id, &holds, due);
                if holds.iter().any(|h| h.is_refusal()) {
                    self.retry.push(id);
                }
            }
            Tried::NoRoom => {
                let failure = Hold::Failed(SetFailure::NoSpaceForAccessCodeOnDevice);
                self.hold_code(id, &[failure], due);
                if let Some(c) = self.codes.get(&id) {
                    self.waiting_for_room
                        .entry(c.device_id)
                        .or_default()
                        .push_back(id);
                }
            }
            Tried::Delayed(seconds) => {
                self.hold_code(id, &[Hold::Delayed], due);
                let set_at = due + Duration::seconds(seconds as i64);
                let end = self.codes.get(&id).and_then(|c| c.ends_at);
                self.schedule_at(id, end.map_or(set_at, |e| e.min(set_at)));
            }
        }
    }

    /// Takes code `id` off its lock at `at` (a delete, or its window's end), with its events;
    /// a code the lock holds goes through the lock, which a device outcome can make refuse:
    /// the code then stays, `removing`, with `failed_to_remove_from_device` and its event, and
    /// is tried again at the next tick.
    pub(super) fn remove_from_lock(&mut self, id: Uuid, at: DateTime<Utc>, ended: bool) {
        let Some(code) = self.codes.get(&id) else {
            return;
        };
        let device_id = code.device_id;
        let refused = code.on_lock()
            && matches!(
                self.faults
                    .job(Job::Remove, self.record.workspace_id, device_id),
                Some(DeviceOutcome::RemoveError)
            );
        if !refused {
            if ended {
                self.remember_ended(id);
            }
            self.remove_with_events(id, at);
            return;
        }
        self.unschedule(id);
        self.retry.push(id);
        let Some(c) = self.codes.get_mut(&id) else {
            return;
        };
        if c.fail_removal(at) {
            let state = self.code_state(id);
            if let Some(kind) = Hold::RemovalFailed.event(&state) {
                self.record(kind, at);
            }
        }
    }

    /// A code with its own, its lock's and its account's errors and warnings as they stand:
    /// what the `access_code.<error>` events carry.
    pub(super) fn code_state(&self, id: Uuid) -> CodeErrorsEvent {
        let Some(c) = self.codes.get(&id) else {
            return CodeErrorsEvent::default();
        };
        let device = self.devices.get(&c.device_id);
        let account = device.and_then(|d| self.accounts.get(&d.connected_account_id));
        let list = |v: Option<&Vec<Value>>| v.cloned().unwrap_or_default();
        CodeErrorsEvent {
            about: CodeEvent::of(c, device.map(|d| d.connected_account_id)),
            access_code_errors: c.errors.to_vec(),
            access_code_warnings: c.warnings.to_vec(),
            device_errors: list(device.map(|d| &d.errors)),
            device_warnings: list(device.map(|d| &d.warnings)),
            connected_account_errors: list(account.map(|a| &a.errors)),
            connected_account_warnings: list(account.map(|a| &a.warnings)),
        }
    }

    /// The action attempt a lock refuses (an `action_attempt_error` device outcome), stored
    /// as an `error` with the rule's `{type, message}`; `None`: the lock carries it out.
    pub(super) fn refused_action(
        &mut self,
        device_id: Uuid,
        action_type: ActionType,
    ) -> Option<ActionAttempt> {
        let outcome = self
            .faults
            .job(Job::Action, self.record.workspace_id, device_id)?;
        let DeviceOutcome::ActionError(e) = outcome else {
            return None;
        };
        let id = self.new_id();
        let attempt = ActionAttempt {
            action_attempt_id: id,
            workspace_id: self.record.workspace_id,
            action_type,
            status: AttemptStatus::Error,
            result: None,
            error: Some(json!({"type": &*e.error_type, "message": &*e.message})),
        };
        self.action_attempts.insert(attempt.clone());
        Some(attempt.as_pending())
    }
}
