//! Action attempts: the finished ones the code use cases record, reads by id, and the
//! `/_fake/update_action_attempt` move.

use serde_json::Value;
use uuid::Uuid;

use crate::domain::action_attempt::{ActionAttempt, ActionType, AttemptStatus};
use crate::domain::attempt_update;
use crate::error::{Error, Result};

use super::Workspace;

impl Workspace {
    /// Records a finished action attempt and returns it.
    pub fn record_attempt(&mut self, action_type: ActionType, result: Value) -> ActionAttempt {
        let id = self.new_id();
        let a = ActionAttempt::success(id, self.record.workspace_id, action_type, result);
        self.action_attempts.insert(a.clone());
        a
    }

    /// An action attempt by id.
    pub fn action_attempt(&self, id: Uuid) -> Result<&ActionAttempt> {
        self.action_attempts
            .get(&id)
            .ok_or(Error::ActionAttemptNotFound)
    }

    /// Action attempts by id, in the order asked; unknown ids are left out.
    pub fn action_attempts(&self, ids: &[Uuid]) -> Vec<&ActionAttempt> {
        ids.iter()
            .filter_map(|id| self.action_attempts.get(id))
            .collect()
    }

    /// Moves an attempt to `status` (the fake control surface).
    pub fn update_attempt(
        &mut self,
        id: Uuid,
        status: AttemptStatus,
        result: Option<Value>,
        error: Option<Value>,
    ) -> Result<ActionAttempt> {
        let a = self
            .action_attempts
            .get_mut(&id)
            .ok_or(Error::ActionAttemptNotFound)?;
        attempt_update::apply(a, status, result, error);
        Ok(a.clone())
    }

    /// Whether this workspace holds the attempt.
    pub fn has_attempt(&self, id: Uuid) -> bool {
        self.action_attempts.contains_key(&id)
    }
}
