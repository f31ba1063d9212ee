//! The one error type of seam-mock. Every failure a request can meet is a variant here; the
//! HTTP edge (`http::error`) turns it into Seam's envelope
//! `{"error": {"type", "message", "validation_errors"?, "data"?}, "ok": false}`.
//! Each variant's doc gives its HTTP status and `error.type`.

use serde_json::{Map, Value, json};
use uuid::Uuid;

/// One problem with a request field, at a path such as `["device_ids", "0"]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub path: Vec<String>,
    pub message: String,
}

impl Issue {
    pub fn new(path: Vec<String>, message: impl Into<String>) -> Self {
        Self {
            path,
            message: message.into(),
        }
    }

    /// `<field> is required` for a missing field, else `<msg> for "<field>"`; zod's phrasing.
    pub fn describe(&self) -> String {
        let field = self.path.join(".");
        if field.is_empty() {
            self.message.clone()
        } else if self.message == "Required" {
            format!("{field} is required")
        } else {
            format!("{} for \"{field}\"", self.message)
        }
    }
}

/// Builds zod's `format()` tree: `{"_errors": [], "<field>": {"_errors": ["<msg>"]}}`.
pub fn validation_tree(issues: &[Issue]) -> Value {
    fn node() -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("_errors".into(), json!([]));
        m
    }
    let mut root = node();
    for issue in issues {
        let mut cur = &mut root;
        for seg in &issue.path {
            cur = cur
                .entry(seg.clone())
                .or_insert_with(|| Value::Object(node()))
                .as_object_mut()
                .expect("tree nodes are objects");
        }
        if let Some(Value::Array(errs)) = cur.get_mut("_errors") {
            errs.push(Value::String(issue.message.clone()));
        }
    }
    Value::Object(root)
}

/// Everything that can go wrong, with Seam's status and `error.type`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400 `invalid_input`: the request does not match the endpoint's schema.
    #[error("{}", describe_issues(.0))]
    InvalidInput(Vec<Issue>),

    /// 400 `invalid_input`: the input is well typed but breaks a rule (e.g. `ends_at` before
    /// `starts_at`), with no field tree.
    #[error("{0}")]
    InvalidRequest(String),

    /// 400 `invalid_content_type`: a non-empty body that is not JSON.
    #[error("{0}")]
    InvalidContentType(String),

    /// 413 `payload_too_large`: the body is over the configured limit.
    #[error("The request body is too large")]
    PayloadTooLarge,

    /// 401 `unauthorized`: missing, malformed or unknown credentials.
    #[error("{0}")]
    Unauthorized(String),

    /// 401 `client_session_not_found`: an unknown client session token.
    #[error("Client session not found")]
    ClientSessionNotFound,

    /// 400 `invalid_client_session_token`: a client-session header that is not a `seam_cst` token.
    #[error("Invalid client session token")]
    InvalidClientSessionToken,

    /// 404 `device_not_found` (`data.device_id`): no such device in the caller's workspace.
    /// Carries the id as given: a malformed id is simply one that does not exist.
    #[error("Device not found")]
    DeviceNotFound(String),

    /// 401 `unauthorized`: the device is outside the client session's connected accounts.
    #[error("The client session cannot access this device")]
    DeviceNotAccessible(Uuid),

    /// 400 `device_does_not_support_access_codes` (`data.device_id`).
    #[error("The device does not support access codes")]
    DeviceDoesNotSupportAccessCodes(Uuid),

    /// 400 `code_cannot_be_shared` (`data.device_ids`): nothing was created.
    #[error("{message}")]
    CodeCannotBeShared {
        message: String,
        device_ids: Vec<Uuid>,
    },

    /// 400 `invalid_input` (`data.device_id`): the lock cannot do what was asked of it (offline
    /// codes on a lock that cannot program them, a backup from a lock without an active pool).
    #[error("{message}")]
    UnsupportedByDevice { message: String, device_id: Uuid },

    /// 400 `device_offline` (`data.device_id`): the lock is offline, so nothing can happen at
    /// it (a simulated keypad entry).
    #[error("The device is offline")]
    DeviceOffline(Uuid),

    /// 400 `invalid_access_code` (`data.device_id`): the PIN does not fit the lock.
    #[error("{message}")]
    InvalidAccessCode { message: String, device_id: Uuid },

    /// 409 `duplicate_access_code` (`data.device_id`): the PIN is already on the lock.
    #[error("An access code with this PIN already exists on the device")]
    DuplicateAccessCode(Uuid),

    /// 404 `access_code_not_found`.
    #[error("Access code not found")]
    AccessCodeNotFound,

    /// 404 `action_attempt_not_found`.
    #[error("Action attempt not found")]
    ActionAttemptNotFound,

    /// 404 `event_not_found`.
    #[error("Event not found")]
    EventNotFound,

    /// 404 `connected_account_not_found`: no such connected account the caller may see.
    #[error("Connected account not found")]
    ConnectedAccountNotFound,

    /// 404 `client_session_not_found`: no such client session in the caller's workspace (a
    /// lookup by id or key; an unknown session *token* is a 401, [`Error::ClientSessionNotFound`]).
    #[error("Could not find client session")]
    NoSuchClientSession,

    /// 400 `client_session_token_already_exists`: `POST /client_sessions/create` with a
    /// `user_identifier_key` that already has a session (PUT and get_or_create return it).
    #[error(
        "A client session already exists for this user_identifier_key; use /client_sessions/get_or_create"
    )]
    ClientSessionAlreadyExists,

    /// 400 `publishable_key_requires_user_identifier_key`: a publishable key without a
    /// `user_identifier_key`.
    #[error("Must provide a user_identifier_key with a seam-publishable-key")]
    PublishableKeyRequiresUserIdentifierKey,

    /// 403 `publishable_keys_must_create_empty_client_sessions`: a publishable key asked for a
    /// session limited to connected accounts or webviews.
    #[error(
        "You cannot specify connect_webview_ids or connected_account_ids when using a publishable key"
    )]
    PublishableKeysMustCreateEmptyClientSessions,
    /// 404 `customization_profile_not_found`: no such profile in the caller's workspace.
    #[error("Customization profile not found")]
    CustomizationProfileNotFound,

    /// 400 `workspace_not_sandbox`: `/workspaces/reset_sandbox` on a production workspace.
    #[error("Only a sandbox workspace can be reset")]
    WorkspaceNotSandbox,

    /// 404 `webhook_not_found`: no webhook with that id in the caller's workspace.
    #[error("Webhook not found")]
    WebhookNotFound,

    /// 404 `fault_not_found`: no fault rule with that id (`/_fake/faults/delete`).
    #[error("Fault rule not found")]
    FaultNotFound,

    /// 404 `workspace_not_found` (`data.workspace_id`), from the fake control routes.
    #[error("Workspace not found")]
    WorkspaceNotFound(Uuid),

    /// 404 `snapshot_not_found` (`data.name`): no snapshot of that name (`/_fake/snapshots/*`).
    #[error("Snapshot not found: {0}")]
    SnapshotNotFound(String),

    /// 404 `not_found`: no such route.
    #[error("Route not found: {0}")]
    RouteNotFound(String),

    /// 405 `method_not_allowed`: the route exists, the verb does not.
    #[error("Method {method} is not allowed on {path}")]
    MethodNotAllowed { method: String, path: String },

    /// 500 `internal_server_error`: a bug; the message is generic, details go to the log.
    #[error("Internal server error")]
    Internal(String),
}

fn describe_issues(issues: &[Issue]) -> String {
    match issues {
        [one] => one.describe(),
        many => format!(
            "{} Input Errors: {}",
            many.len(),
            many.iter()
                .map(Issue::describe)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Error {
    /// A single-field `invalid_input`.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Error::InvalidInput(vec![Issue::new(vec![field.to_string()], message)])
    }

    /// An `invalid_input` about the whole body rather than a field.
    pub fn field_root(message: String) -> Self {
        Error::InvalidInput(vec![Issue::new(Vec::new(), message)])
    }

    /// The HTTP status, `error.type` and `data` of each variant, from one exhaustive match so a
    /// new variant states all three in one place.
    pub fn seam(&self) -> Seam {
        use Error::*;
        fn device(id: impl serde::Serialize) -> Option<Value> {
            Some(json!({ "device_id": id }))
        }
        let (status, kind, data) = match self {
            InvalidInput(_) | InvalidRequest(_) => (400, "invalid_input", None),
            UnsupportedByDevice { device_id, .. } => (400, "invalid_input", device(device_id)),
            InvalidContentType(_) => (400, "invalid_content_type", None),
            InvalidClientSessionToken => (400, "invalid_client_session_token", None),
            ClientSessionAlreadyExists => (400, "client_session_token_already_exists", None),
            PublishableKeyRequiresUserIdentifierKey => {
                (400, "publishable_key_requires_user_identifier_key", None)
            }
            DeviceDoesNotSupportAccessCodes(id) => {
                (400, "device_does_not_support_access_codes", device(id))
            }
            CodeCannotBeShared { device_ids, .. } => (
                400,
                "code_cannot_be_shared",
                Some(json!({ "device_ids": device_ids })),
            ),
            InvalidAccessCode { device_id, .. } => (400, "invalid_access_code", device(device_id)),
            DeviceOffline(id) => (400, "device_offline", device(id)),
            Unauthorized(_) => (401, "unauthorized", None),
            DeviceNotAccessible(id) => (401, "unauthorized", device(id)),
            ClientSessionNotFound => (401, "client_session_not_found", None),
            PublishableKeysMustCreateEmptyClientSessions => (
                403,
                "publishable_keys_must_create_empty_client_sessions",
                None,
            ),
            DeviceNotFound(id) => (404, "device_not_found", device(id)),
            AccessCodeNotFound => (404, "access_code_not_found", None),
            ActionAttemptNotFound => (404, "action_attempt_not_found", None),
            EventNotFound => (404, "event_not_found", None),
            WebhookNotFound => (404, "webhook_not_found", None),
            FaultNotFound => (404, "fault_not_found", None),
            CustomizationProfileNotFound => (404, "customization_profile_not_found", None),
            WorkspaceNotSandbox => (400, "workspace_not_sandbox", None),
            WorkspaceNotFound(id) => (
                404,
                "workspace_not_found",
                Some(json!({ "workspace_id": id })),
            ),
            SnapshotNotFound(name) => (404, "snapshot_not_found", Some(json!({ "name": name }))),
            ConnectedAccountNotFound => (404, "connected_account_not_found", None),
            NoSuchClientSession => (404, "client_session_not_found", None),
            RouteNotFound(_) => (404, "not_found", None),
            MethodNotAllowed { .. } => (405, "method_not_allowed", None),
            DuplicateAccessCode(id) => (409, "duplicate_access_code", device(id)),
            PayloadTooLarge => (413, "payload_too_large", None),
            Internal(_) => (500, "internal_server_error", None),
        };
        Seam { status, kind, data }
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.seam().status
    }

    /// Seam's `error.type`.
    pub fn error_type(&self) -> &'static str {
        self.seam().kind
    }

    /// The `error` object of the envelope.
    pub fn body(&self) -> Value {
        self.body_of(self.seam())
    }

    /// The `error` object of the envelope, given this error's [`Seam`] parts.
    pub fn body_of(&self, seam: Seam) -> Value {
        let mut e = json!({ "type": seam.kind, "message": self.to_string() });
        if let Some(d) = seam.data {
            e["data"] = d;
        }
        if let Error::InvalidInput(issues) = self {
            e["validation_errors"] = validation_tree(issues);
        }
        e
    }
}

/// What Seam's envelope says about an error besides its message.
#[derive(Clone, Debug, PartialEq)]
pub struct Seam {
    /// The HTTP status code.
    pub status: u16,
    /// `error.type`.
    pub kind: &'static str,
    /// `error.data`: the ids involved, on the errors that name them.
    pub data: Option<Value>,
}

/// Shorthand for results that fail with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_issue_messages_follow_zod() {
        let e = Error::field("device_ids", "Expected array, received number");
        assert_eq!(
            e.to_string(),
            "Expected array, received number for \"device_ids\""
        );
        let body = e.body();
        assert_eq!(body["type"], "invalid_input");
        assert_eq!(
            body["validation_errors"]["device_ids"]["_errors"],
            json!(["Expected array, received number"])
        );
        assert_eq!(body["validation_errors"]["_errors"], json!([]));
        assert_eq!(
            Error::field("device_id", "Required").to_string(),
            "device_id is required"
        );
    }

    #[test]
    fn several_issues_are_counted_and_nested() {
        let e = Error::InvalidInput(vec![
            Issue::new(vec!["device_id".into()], "Required"),
            Issue::new(vec!["device_ids".into(), "1".into()], "Invalid uuid"),
        ]);
        assert_eq!(
            e.to_string(),
            "2 Input Errors: device_id is required, Invalid uuid for \"device_ids.1\""
        );
        assert_eq!(
            e.body()["validation_errors"]["device_ids"]["1"]["_errors"],
            json!(["Invalid uuid"])
        );
    }

    #[test]
    fn data_carries_the_ids() {
        let id = Uuid::from_u128(9);
        let e = Error::CodeCannotBeShared {
            message: "m".into(),
            device_ids: vec![id],
        };
        assert_eq!(e.status(), 400);
        assert_eq!(e.body()["data"]["device_ids"], json!([id]));
        assert_eq!(
            Error::DeviceNotFound(id.to_string()).body()["data"]["device_id"],
            json!(id)
        );
        assert_eq!(Error::DuplicateAccessCode(id).status(), 409);
    }
}
