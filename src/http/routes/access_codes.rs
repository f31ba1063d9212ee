//! `/access_codes/*`: create_multiple (the heart), reads and lists, and unmanaged codes.

use std::collections::HashSet;

use axum::{extract::State, response::Response};
use serde_json::{Map, json};

use crate::domain::access_code::CodeType;
use crate::domain::create_multiple::{Behavior, Request as PlanRequest};
use crate::domain::pin::Pin;
use crate::error::{Error, Result};
use crate::http::{AppState, input::Input, ok, ok_empty, ok_fields};
use crate::store::{
    Caller,
    workspace::{CreateMultiple, CreateOne, Update, paginate},
};

use super::{page_args, pagination};

/// Reads an optional caller-chosen PIN.
fn opt_pin(input: &mut Input, key: &str) -> Option<Pin> {
    let s = input.opt_string(key)?;
    match Pin::parse(&s) {
        Ok(p) => Some(p),
        Err(msg) => {
            input.issue(key, msg);
            None
        }
    }
}

/// Parses a create_multiple body into the domain request (contract §4).
pub fn parse_create_multiple(input: &mut Input) -> Result<CreateMultiple> {
    let device_ids = input.req_string_array("device_ids");
    if input.has_issues() {
        // Fall through to collect the other fields' problems too.
    } else if device_ids.is_empty() {
        input.issue("device_ids", "Array must contain at least 1 element(s)");
    } else {
        let mut seen = HashSet::new();
        if let Some(dup) = device_ids.iter().find(|d| !seen.insert(d.as_str())) {
            input.issue(
                "device_ids",
                format!("device_ids must not contain duplicates ({dup})"),
            );
        }
    }
    let code = opt_pin(input, "code");
    let preferred_code_length = input.opt_number("preferred_code_length");
    let behavior = input
        .opt_enum(
            "behavior_when_code_cannot_be_shared",
            &["throw", "create_random_code"],
        )
        .and_then(|b| Behavior::parse(&b))
        .unwrap_or_default();
    let name = input.opt_string("name");
    let starts_at = input.opt_timestamp("starts_at");
    let ends_at = input.opt_timestamp("ends_at");
    let allow = input.opt_bool("allow_external_modification");
    let is_allowed = input.opt_bool("is_external_modification_allowed");
    let use_backup_access_code_pool = input
        .opt_bool("use_backup_access_code_pool")
        .unwrap_or(false);
    let _ = input.opt_bool("attempt_for_offline_device");
    let _ = input.opt_bool("prefer_native_scheduling");
    input.finish()?;
    Ok(CreateMultiple {
        device_ids,
        plan: PlanRequest {
            code,
            preferred_code_length,
            behavior,
        },
        name,
        starts_at,
        ends_at,
        is_external_modification_allowed: allow.unwrap_or(false) || is_allowed.unwrap_or(false),
        use_backup_access_code_pool,
    })
}

/// `POST|PUT /access_codes/create_multiple`: one PIN across several locks, or nothing.
pub async fn create_multiple(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let req = parse_create_multiple(&mut input)?;
    let codes = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.create_multiple(req, &caller.scope)
    })??;
    Ok(ok("access_codes", codes))
}

/// `/access_codes/get`: by `access_code_id`, or by `device_id` and `code`.
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let id = input.opt_string("access_code_id");
    let device_id = input.opt_string("device_id");
    let code = input.opt_string("code");
    if id.is_none() && (device_id.is_none() || code.is_none()) {
        input.issue("access_code_id", "Required");
    }
    input.finish()?;
    let code =
        app.store
            .with_workspace(caller.workspace_id, |ws| match (&id, &device_id, &code) {
                (Some(id), _, _) => ws.code(id, &caller.scope).cloned(),
                (None, Some(d), Some(c)) => ws.code_by_pin(d, c, &caller.scope).cloned(),
                _ => Err(Error::AccessCodeNotFound),
            })??;
    Ok(ok("access_code", code))
}

/// `/access_codes/list`: the codes of a `device_id`, or those named in `access_code_ids`.
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let device_id = input.opt_string("device_id");
    let ids = input.opt_string_array("access_code_ids");
    let _ = input.opt_string("user_identifier_key");
    if device_id.is_none() && ids.is_none() {
        input.issue("device_id", "Required");
    }
    let page = page_args(&mut input, 500);
    input.finish()?;
    let (codes, pagination) = app.store.with_workspace(caller.workspace_id, |ws| {
        let p = match (&device_id, &ids) {
            (Some(d), _) => {
                let mut p = ws.codes_on_device(d, &caller.scope, 0, usize::MAX)?;
                if let Some(ids) = &ids {
                    p.items
                        .retain(|c| ids.contains(&c.access_code_id.to_string()));
                }
                paginate(p.items.into_iter(), page.offset, page.limit)
            }
            (None, Some(ids)) => ws.codes_by_ids(ids, &caller.scope, page.offset, page.limit),
            (None, None) => return Err(Error::AccessCodeNotFound),
        };
        let pg = pagination(&p, &input);
        Ok((p.items.into_iter().cloned().collect::<Vec<_>>(), pg))
    })??;
    let mut m = Map::new();
    m.insert("access_codes".into(), json!(codes));
    m.insert("pagination".into(), pagination);
    Ok(ok_fields(m))
}

/// `/access_codes/simulate/create_unmanaged_access_code`: a PIN set outside Seam.
pub async fn create_unmanaged(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let device_id = input.req_string("device_id");
    let name = input.req_string("name");
    let code = match input.has("code") {
        true => opt_pin(&mut input, "code"),
        false => {
            input.issue("code", "Required");
            None
        }
    };
    input.finish()?;
    let code = code.ok_or_else(|| Error::field("code", "Required"))?;
    let created = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.create_unmanaged(&device_id, name, code.into_string(), &caller.scope)
    })??;
    Ok(ok("access_code", created))
}

/// `/access_codes/unmanaged/list`: the unmanaged codes on a device.
pub async fn unmanaged_list(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let device_id = input.req_string("device_id");
    let _ = input.opt_string("user_identifier_key");
    input.finish()?;
    let codes = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.unmanaged_on_device(&device_id, &caller.scope)
            .map(|v| v.into_iter().cloned().collect::<Vec<_>>())
    })??;
    Ok(ok("access_codes", codes))
}

/// Reads `allow_external_modification` / `is_external_modification_allowed` (either sets it).
fn external_modification(input: &mut Input) -> Option<bool> {
    let a = input.opt_bool("allow_external_modification");
    let b = input.opt_bool("is_external_modification_allowed");
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(false) || b.unwrap_or(false)),
    }
}

/// Fields Seam accepts that change nothing in the mock.
fn accepted(input: &mut Input) {
    for key in [
        "attempt_for_offline_device",
        "prefer_native_scheduling",
        "sync",
        "is_one_time_use",
    ] {
        let _ = input.opt_bool(key);
    }
}

/// `/access_codes/create`: one code on one lock.
pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let device_id = input.req_string("device_id");
    let code = opt_pin(&mut input, "code");
    let common_code_key = input.opt_string("common_code_key");
    let preferred_code_length = input.opt_number("preferred_code_length");
    let name = input.opt_string("name");
    let starts_at = input.opt_timestamp("starts_at");
    let ends_at = input.opt_timestamp("ends_at");
    let ext = external_modification(&mut input).unwrap_or(false);
    let use_backup_access_code_pool = input
        .opt_bool("use_backup_access_code_pool")
        .unwrap_or(false);
    accepted(&mut input);
    input.finish()?;
    let req = CreateOne {
        device_id,
        code,
        common_code_key,
        preferred_code_length,
        name,
        starts_at,
        ends_at,
        is_external_modification_allowed: ext,
        use_backup_access_code_pool,
    };
    let (code, attempt) = app
        .store
        .with_workspace(caller.workspace_id, |ws| ws.create_one(req, &caller.scope))??;
    let mut m = Map::new();
    m.insert("access_code".into(), json!(code));
    m.insert("action_attempt".into(), attempt.to_wire());
    Ok(ok_fields(m))
}

/// `/access_codes/update`: name, PIN, window or type of one code.
pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let access_code_id = input.req_string("access_code_id");
    let _ = input.opt_string("device_id");
    let _ = input.opt_bool("is_managed");
    let name = input.opt_string("name");
    let code = opt_pin(&mut input, "code");
    let starts_at = input.opt_timestamp("starts_at");
    let ends_at = input.opt_timestamp("ends_at");
    let kind = input
        .opt_enum("type", &["ongoing", "time_bound"])
        .map(|t| match t.as_str() {
            "ongoing" => CodeType::Ongoing,
            _ => CodeType::TimeBound,
        });
    let ext = external_modification(&mut input);
    accepted(&mut input);
    input.finish()?;
    let req = Update {
        access_code_id,
        name,
        code,
        starts_at,
        ends_at,
        kind,
        is_external_modification_allowed: ext,
    };
    let attempt = app
        .store
        .with_workspace(caller.workspace_id, |ws| ws.update(req, &caller.scope))??;
    Ok(ok("action_attempt", attempt.to_wire()))
}

/// `/access_codes/update_multiple`: name and/or window of every code of a `common_code_key`.
pub async fn update_multiple(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let key = input.req_string("common_code_key");
    let name = input.opt_string("name");
    let starts_at = input.opt_timestamp("starts_at");
    let ends_at = input.opt_timestamp("ends_at");
    input.finish()?;
    app.store.with_workspace(caller.workspace_id, |ws| {
        ws.update_multiple(&key, name, starts_at, ends_at, &caller.scope)
    })??;
    Ok(ok_empty())
}

/// `/access_codes/delete` (POST with a body, DELETE with a query).
pub async fn delete(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let id = input.req_string("access_code_id");
    let _ = input.opt_string("device_id");
    accepted(&mut input);
    input.finish()?;
    let attempt = app
        .store
        .with_workspace(caller.workspace_id, |ws| ws.delete(&id, &caller.scope))??;
    Ok(ok("action_attempt", attempt.to_wire()))
}

/// `/access_codes/generate_code`: a PIN valid for the lock right now.
pub async fn generate_code(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let device_id = input.req_string("device_id");
    input.finish()?;
    let generated = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.generate_code(&device_id, &caller.scope)
    })??;
    Ok(ok("generated_code", generated))
}

/// `/access_codes/unmanaged/get`: by `access_code_id`, or by `device_id` and `code`.
pub async fn unmanaged_get(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let id = input.opt_string("access_code_id");
    let device_id = input.opt_string("device_id");
    let code = input.opt_string("code");
    if id.is_none() && (device_id.is_none() || code.is_none()) {
        input.issue("access_code_id", "Required");
    }
    input.finish()?;
    let found =
        app.store
            .with_workspace(caller.workspace_id, |ws| match (&id, &device_id, &code) {
                (Some(id), _, _) => ws.unmanaged_code(id, &caller.scope).cloned(),
                (None, Some(d), Some(c)) => ws.unmanaged_by_pin(d, c, &caller.scope).cloned(),
                _ => Err(Error::AccessCodeNotFound),
            })??;
    Ok(ok("access_code", found))
}

/// `/access_codes/unmanaged/convert_to_managed`.
pub async fn convert_to_managed(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let id = input.req_string("access_code_id");
    let ext = external_modification(&mut input).unwrap_or(false);
    let _ = input.opt_bool("force");
    accepted(&mut input);
    input.finish()?;
    app.store.with_workspace(caller.workspace_id, |ws| {
        ws.convert_to_managed(&id, ext, &caller.scope)
    })??;
    Ok(ok_empty())
}

/// `/access_codes/unmanaged/delete`.
pub async fn unmanaged_delete(
    State(app): State<AppState>,
    caller: Caller,
    mut input: Input,
) -> Result<Response> {
    let id = input.req_string("access_code_id");
    accepted(&mut input);
    input.finish()?;
    let attempt = app.store.with_workspace(caller.workspace_id, |ws| {
        ws.delete_unmanaged(&id, &caller.scope)
    })??;
    Ok(ok("action_attempt", attempt.to_wire()))
}
