//! Moving an action attempt by hand (`/_fake/update_action_attempt`): tests drive an attempt
//! back to `pending`, or finish it with a result or an error, the way Seam's fake lets them.

use serde_json::{Value, json};

use super::action_attempt::{ActionAttempt, AttemptStatus};

/// Sets `status` on `a`, keeping Seam's invariant that only a success has a `result` and only
/// an error has an `error`. A success without a result gets `{}`; an error without one gets a
/// generic `{type, message}`.
pub fn apply(
    a: &mut ActionAttempt,
    status: AttemptStatus,
    result: Option<Value>,
    error: Option<Value>,
) {
    a.status = status;
    match status {
        AttemptStatus::Success => {
            a.result = Some(result.unwrap_or_else(|| json!({})));
            a.error = None;
        }
        AttemptStatus::Error => {
            a.result = None;
            a.error = Some(error.unwrap_or_else(
                || json!({"type": "unknown_error", "message": "The action failed."}),
            ));
        }
        AttemptStatus::Pending => {
            a.result = None;
            a.error = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::action_attempt::ActionType;
    use uuid::Uuid;

    #[test]
    fn only_success_has_a_result_and_only_error_an_error() {
        let mut a = ActionAttempt::success(
            Uuid::nil(),
            Uuid::nil(),
            ActionType::UnlockDoor,
            json!({"x": 1}),
        );
        apply(&mut a, AttemptStatus::Pending, Some(json!({"y": 2})), None);
        assert_eq!(
            (a.status, &a.result, &a.error),
            (AttemptStatus::Pending, &None, &None)
        );
        let e = json!({"type": "lock_jammed", "message": "Jammed"});
        apply(&mut a, AttemptStatus::Error, None, Some(e.clone()));
        assert_eq!(
            (a.status, &a.result, &a.error),
            (AttemptStatus::Error, &None, &Some(e))
        );
        apply(&mut a, AttemptStatus::Success, None, None);
        assert_eq!(
            (a.status, &a.result, &a.error),
            (AttemptStatus::Success, &Some(json!({})), &None)
        );
        apply(&mut a, AttemptStatus::Error, None, None);
        assert_eq!(a.error.unwrap()["type"], "unknown_error");
    }
}
