//! Action attempts: Seam's receipt for work on a physical device. The mock finishes every
//! access-code action at once, so attempts are born `success`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

crate::wire_enum! {
    /// `action_type`: the work an attempt stands for.
    pub enum ActionType {
        CreateAccessCode = "CREATE_ACCESS_CODE",
        UpdateAccessCode = "UPDATE_ACCESS_CODE",
        DeleteAccessCode = "DELETE_ACCESS_CODE",
        LockDoor = "LOCK_DOOR",
        UnlockDoor = "UNLOCK_DOOR",
        /// `/locks/configure_auto_lock`.
        ConfigureAutoLock = "CONFIGURE_AUTO_LOCK",
        /// `/workspaces/reset_sandbox`.
        ResetSandboxWorkspace = "RESET_SANDBOX_WORKSPACE",
        /// Someone typed a PIN at the keypad (`/locks/simulate/keypad_code_entry`).
        SimulateKeypadCodeEntry = "SIMULATE_KEYPAD_CODE_ENTRY",
        /// Someone locked the door at the keypad (`/locks/simulate/manual_lock_via_keypad`).
        SimulateManualLockViaKeypad = "SIMULATE_MANUAL_LOCK_VIA_KEYPAD",
    }
}

crate::wire_enum! {
    /// `status` of an action attempt.
    #[schema(as = ActionAttemptStatus)]
    pub enum AttemptStatus {
        Pending = "pending",
        Success = "success",
        Error = "error",
    }
}

/// One action attempt, as `/action_attempts/get` returns it. `workspace_id` scopes it and is
/// not part of Seam's wire shape, so it is only kept in the database dump.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionAttempt {
    pub action_attempt_id: Uuid,
    /// Only in `/_fake/database`; API responses leave it out.
    #[serde(skip_serializing_if = "is_nil", default = "Uuid::nil")]
    pub workspace_id: Uuid,
    pub action_type: ActionType,
    /// Always `success`: the mock finishes every action at once.
    pub status: AttemptStatus,
    /// What the action produced (`{access_code}` for creates and updates, `{}` for deletes).
    #[schema(required = true, value_type = Option<Object>)]
    pub result: Option<Value>,
    /// Always `null` here.
    #[schema(required = true, value_type = Option<Object>)]
    pub error: Option<Value>,
}

fn is_nil(id: &Uuid) -> bool {
    id.is_nil()
}

impl ActionAttempt {
    /// A finished attempt of `action_type` with `result`.
    pub fn success(
        action_attempt_id: Uuid,
        workspace_id: Uuid,
        action_type: ActionType,
        result: Value,
    ) -> Self {
        Self {
            action_attempt_id,
            workspace_id,
            action_type,
            status: AttemptStatus::Success,
            result: Some(result),
            error: None,
        }
    }

    /// The attempt as a request that started it answers: `pending`, no result yet (the
    /// stored one may already be finished, so the next `/action_attempts/get` reads that).
    pub fn as_pending(&self) -> Self {
        Self {
            status: AttemptStatus::Pending,
            result: None,
            error: None,
            ..self.clone()
        }
    }

    /// The wire shape, without the scoping field.
    pub fn to_wire(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.remove("workspace_id");
        }
        v
    }
}
