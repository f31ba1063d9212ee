//! `/access_codes/report_device_constraints`: a lock's PIN lengths as its provider reports
//! them, which later PINs follow.

use axum::extract::State;
use uuid::Uuid;

use crate::domain::command::ReportConstraints;
use crate::domain::device::MAX_CODE_LENGTH;
use crate::error::{Issue, Result};
use crate::http::{
    params::Params,
    schema::{ErrorResponse, OkResponse, PAYLOAD_TOO_LARGE},
    state::AppState,
};
use crate::store::Caller;

/// The shortest PIN length a report may name.
const MIN_REPORTED: f64 = 4.0;

crate::request! {
    /// The fields `/access_codes/report_device_constraints` reads: `supported_code_lengths`,
    /// or `min_code_length` with `max_code_length` — exactly one form.
    #[schema(example = json!({"device_id": "5ea10003-0000-4000-8000-000000000001", "supported_code_lengths": [4, 6]}))]
    pub struct ReportConstraintsRequest {
        pub device_id: Uuid,
        /// Each a whole number from 4 to 20.
        #[schema(min_items = 1)]
        pub supported_code_lengths: Option<Vec<f64>>,
        /// From 4 to 20, with `max_code_length`.
        #[schema(minimum = 4, maximum = 20)]
        pub min_code_length: Option<f64>,
        /// From 4 to 20, with `min_code_length`.
        #[schema(minimum = 4, maximum = 20)]
        pub max_code_length: Option<f64>,
    }
    check(req, issues) {
        check_lengths(req, issues);
    }
}

/// One length: a whole number from 4 to 20.
fn length(v: f64, at: Vec<String>, issues: &mut Vec<Issue>) {
    if v.fract() != 0.0 {
        issues.push(Issue::new(at, "Expected integer, received float"));
    } else if v < MIN_REPORTED {
        issues.push(Issue::new(at, "Number must be greater than or equal to 4"));
    } else if v > f64::from(MAX_CODE_LENGTH) {
        issues.push(Issue::new(
            at,
            format!("Number must be less than or equal to {MAX_CODE_LENGTH}"),
        ));
    }
}

fn check_lengths(req: &ReportConstraintsRequest, issues: &mut Vec<Issue>) {
    let at = |f: &str| vec![f.to_string()];
    let range = req.min_code_length.is_some() || req.max_code_length.is_some();
    match (&req.supported_code_lengths, range) {
        (Some(_), true) => issues.push(Issue::new(
            at("supported_code_lengths"),
            "Give either supported_code_lengths or min_code_length and max_code_length, not both",
        )),
        (None, false) => issues.push(Issue::new(at("supported_code_lengths"), "Required")),
        (Some(list), false) => {
            if list.is_empty() {
                issues.push(Issue::new(
                    at("supported_code_lengths"),
                    "Array must contain at least 1 element(s)",
                ));
            }
            for (i, v) in list.iter().enumerate() {
                length(
                    *v,
                    vec!["supported_code_lengths".into(), i.to_string()],
                    issues,
                );
            }
        }
        (None, true) => {
            for (f, v) in [
                ("min_code_length", req.min_code_length),
                ("max_code_length", req.max_code_length),
            ] {
                match v {
                    Some(v) => length(v, at(f), issues),
                    None => issues.push(Issue::new(at(f), "Required")),
                }
            }
            if let (Some(lo), Some(hi)) = (req.min_code_length, req.max_code_length)
                && lo > hi
            {
                issues.push(Issue::new(
                    at("max_code_length"),
                    "max_code_length must be at least min_code_length",
                ));
            }
        }
    }
}

impl ReportConstraintsRequest {
    /// The lengths, sorted and without repeats (the request passed its checks).
    fn lengths(&self) -> Vec<u32> {
        let mut v: Vec<u32> = match (
            &self.supported_code_lengths,
            self.min_code_length,
            self.max_code_length,
        ) {
            (Some(list), _, _) => list.iter().map(|l| *l as u32).collect(),
            (None, Some(lo), Some(hi)) => (lo as u32..=hi as u32).collect(),
            _ => Vec::new(),
        };
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Records the PIN lengths a lock takes; later PINs follow them.
#[utoipa::path(
    post,
    path = "/access_codes/report_device_constraints",
    tag = "access_codes",
    request_body = ReportConstraintsRequest,
    responses(
        (status = 200, description = "The lock's `properties.supported_code_lengths` is now that list.", body = OkResponse),
        (status = 400, description = bad_request!("`invalid_input` also for a `device_id` that is not a UUID, both forms or neither, or a length that is not a whole number from 4 to 20; `device_does_not_support_access_codes` (`data.device_id`)."), body = ErrorResponse),
        (status = 401, description = unauthorized!("; or a lock outside the client session's connected accounts."), body = ErrorResponse),
        (status = 404, description = "`device_not_found` (`data.device_id`).", body = ErrorResponse),
        (status = 413, description = PAYLOAD_TOO_LARGE, body = ErrorResponse),
    )
)]
pub async fn report_device_constraints(
    State(app): State<AppState>,
    caller: Caller,
    Params(r): Params<ReportConstraintsRequest>,
) -> Result<OkResponse> {
    let req = ReportConstraints {
        device_id: r.device_id,
        supported_code_lengths: r.lengths(),
    };
    app.store
        .with_workspace(caller.workspace_id, |ws| {
            ws.report_constraints(req, &caller.scope)
        })
        .await?;
    Ok(OkResponse::new())
}
