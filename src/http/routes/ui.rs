//! `GET /_fake/ui`: the dashboard. One server-rendered page (maud; no external assets, so it
//! works offline) showing, per workspace, each lock with the PINs on it, the codes that
//! `create_multiple` linked, the latest events and the latest requests, by the server clock;
//! above them the live fault rules and their hits.
//! A few lines of inline script swap in a fresh copy every two seconds (a `<noscript>` refresh
//! otherwise), so a developer can leave it open beside a test run. Each lock card carries the
//! door's control panel (`ui_door`: keypad, offline/online, hub, remove) and the clock its
//! controls.

use std::collections::HashMap;

use axum::{
    extract::State,
    http::{HeaderValue, header},
    response::{Html, IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::access_code::AccessCode;
use crate::domain::device::Device;
use crate::http::state::AppState;
use crate::store::faults::FaultView;
use crate::store::journal::{JournalEntry, JournalFilter};
use crate::store::records::Database;

use super::ui_door;

/// How many events and requests each workspace shows.
const LATEST: usize = 12;

const STYLE: &str = include_str!("ui.css");

const REFRESH: &str = "async function refresh() {
  const badge = document.getElementById('conn');
  // Someone typing in a control keeps what they typed.
  if (document.activeElement && document.activeElement.closest('#live input')) return;
  try {
    const res = await fetch(location.href, {cache: 'no-store'});
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    document.getElementById('live').replaceWith(doc.getElementById('live'));
    badge.textContent = 'live'; badge.className = 'conn ok';
  } catch (e) {
    badge.textContent = 'server unreachable'; badge.className = 'conn down';
  }
}
setInterval(refresh, 2000);";

/// The dashboard: every workspace's locks, PINs, linked groups, events and requests.
#[utoipa::path(
    get,
    path = "/_fake/ui",
    tag = "fake",
    responses((status = 200, description = "The dashboard, an HTML page that refreshes itself.", content_type = "text/html", body = String))
)]
pub async fn dashboard(State(app): State<AppState>) -> Response {
    let db = app.store.dump();
    let requests = app.store.journal().query(&JournalFilter::default());
    let faults = app.store.faults().list();
    let mut res =
        Html(page(&db, &requests, &faults, app.store.now()).into_string()).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A value's wire name (`set`, `access_code.created`), as the API writes it.
fn wire<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn when(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn clock(t: &DateTime<Utc>) -> String {
    t.format("%H:%M:%S%.3f").to_string()
}

/// `6 digits`, `4–8 digits`, `4, 6 digits`, or `any length`.
fn lengths(d: &Device) -> String {
    let Some(mut ls) = d.properties.supported_code_lengths.clone() else {
        return "any length".into();
    };
    ls.sort_unstable();
    ls.dedup();
    match ls.as_slice() {
        [] => "any length".into(),
        [one] => format!("{one} digits"),
        [first, .., last] if (last - first) as usize + 1 == ls.len() => {
            format!("{first}–{last} digits")
        }
        _ => format!(
            "{} digits",
            ls.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn window(c: &AccessCode) -> String {
    match (&c.starts_at, &c.ends_at) {
        (None, None) => "ongoing".into(),
        (Some(s), Some(e)) => format!("{} → {}", when(s), when(e)),
        (Some(s), None) => format!("from {}", when(s)),
        (None, Some(e)) => format!("until {}", when(e)),
    }
}

/// The linked groups of a workspace: each `common_code_key`, numbered in order of first
/// appearance, with its codes.
fn groups<'a>(codes: &[&'a AccessCode]) -> Vec<(&'a str, Vec<&'a AccessCode>)> {
    let mut out: Vec<(&str, Vec<&AccessCode>)> = Vec::new();
    for c in codes {
        if let Some(key) = c.common_code_key.as_deref() {
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some((_, list)) => list.push(c),
                None => out.push((key, vec![c])),
            }
        }
    }
    out
}

/// `1 lock`, `2 locks`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn group_tag(n: usize) -> Markup {
    let hue = (n * 67 + 200) % 360;
    html! { span.group style=(format!("--hue:{hue}")) { "group " (n + 1) } }
}

fn status_badge(status: String) -> Markup {
    html! { span class=(format!("status s-{status}")) { (status) } }
}

/// Requests, newest first.
fn requests_table(entries: &[&JournalEntry]) -> Markup {
    html! {
        @if entries.is_empty() {
            p.none { "No requests yet." }
        } @else {
            table.requests {
                tr { th { "time" } th { "request" } th { "status" } th { "ms" } }
                @for e in entries {
                    tr {
                        td.t { (clock(&e.received_at)) }
                        td { b { (e.method) } " " code { (e.path) } }
                        td class=(if e.status < 400 { "st-ok" } else { "st-bad" }) {
                            (e.status) @if let Some(t) = &e.error_type { " " (t) }
                        }
                        td.t { (format!("{:.1}", e.duration_ms)) }
                    }
                }
            }
        }
    }
}

fn lock_card(
    d: &Device,
    codes: &[&AccessCode],
    group_of: &HashMap<&str, usize>,
    db: &Database,
) -> Markup {
    let unmanaged: Vec<_> = db
        .unmanaged_access_codes
        .iter()
        .filter(|u| u.device_id == d.device_id)
        .collect();
    html! {
        section.lock data-device-id=(d.device_id) {
            header {
                span class=(if d.properties.online { "dot on" } else { "dot off" }) {}
                h3 { (d.display_name) }
                span.muted {
                    (d.device_type) " · " (if d.properties.online { "online" } else { "offline" })
                    @if !d.is_managed { " · unmanaged" }
                }
            }
            p.rules {
                span.len { (lengths(d)) }
                @for c in d.properties.code_constraints.iter().flatten() {
                    span.rule { (wire(&c.constraint_type)) }
                }
            }
            (ui_door::door_controls(d))
            @if codes.is_empty() && unmanaged.is_empty() {
                p.none { "No codes." }
            } @else {
                table.codes {
                    @for c in codes {
                        tr {
                            td.pin { (c.pin().as_deref().unwrap_or("····")) }
                            td { (c.name.as_deref().unwrap_or("(no name)")) }
                            td { (status_badge(wire(&c.status))) }
                            td.muted { (window(c)) }
                            td {
                                @if let Some(n) = c.common_code_key.as_deref().and_then(|k| group_of.get(k)) {
                                    (group_tag(*n))
                                }
                                @for e in &c.errors {
                                    span.err { (e.get("error_code").and_then(|v| v.as_str()).unwrap_or("error")) }
                                }
                            }
                        }
                    }
                    @for u in &unmanaged {
                        tr.unmanaged {
                            td.pin { (u.code.as_deref().unwrap_or("····")) }
                            td { (u.name.as_deref().unwrap_or("(no name)")) }
                            td { (status_badge(wire(&u.status))) }
                            td.muted { "unmanaged" }
                            td {}
                        }
                    }
                }
            }
            p.id { (d.device_id) }
        }
    }
}

fn workspace_section(db: &Database, w: Uuid, name: &str, requests: &[JournalEntry]) -> Markup {
    let devices: Vec<&Device> = db.devices.iter().filter(|d| d.workspace_id == w).collect();
    let codes: Vec<&AccessCode> = db
        .access_codes
        .iter()
        .filter(|c| c.workspace_id == w)
        .collect();
    let linked = groups(&codes);
    let group_of: HashMap<&str, usize> = linked
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (*k, i))
        .collect();
    let locks: Vec<&Device> = devices
        .iter()
        .copied()
        .filter(|d| {
            d.can_program_online_access_codes || codes.iter().any(|c| c.device_id == d.device_id)
        })
        .collect();
    let others: Vec<&Device> = devices
        .iter()
        .copied()
        .filter(|d| !locks.iter().any(|l| l.device_id == d.device_id))
        .collect();
    let name_of = |id: Option<Uuid>| {
        id.and_then(|id| db.devices.iter().find(|d| d.device_id == id))
            .map_or_else(String::new, |d| d.display_name.clone())
    };
    let mut events: Vec<_> = db.events.iter().filter(|e| e.workspace_id == w).collect();
    events.sort_by_key(|e| e.created_at);
    let events: Vec<_> = events.iter().rev().take(LATEST).collect();
    let recent: Vec<&JournalEntry> = requests
        .iter()
        .filter(|e| e.workspace_id == Some(w))
        .rev()
        .take(LATEST)
        .collect();
    // The door controls call the Seam routes with the workspace's own key.
    let key = db
        .api_keys
        .iter()
        .find(|k| k.workspace_id == w)
        .map_or("", |k| k.token.as_str());
    html! {
        section.workspace data-workspace-id=(w) data-key=(key) {
            h2 { (name) " " span.muted { (w) } }
            p.summary { (count(locks.len(), "lock")) " · " (count(codes.len(), "access code")) " · " (count(linked.len(), "linked group")) }
            @if !linked.is_empty() {
                div.groups {
                    @for (i, (_, members)) in linked.iter().enumerate() {
                        div.linked data-group=(i + 1) {
                            (group_tag(i))
                            span.pin { (members.first().and_then(|c| c.pin()).as_deref().unwrap_or("····")) }
                            " on "
                            @for (j, c) in members.iter().enumerate() {
                                @if j > 0 { ", " }
                                b { (name_of(Some(c.device_id))) }
                            }
                        }
                    }
                }
            }
            div.locks {
                @for d in &locks {
                    @let mine: Vec<&AccessCode> = codes.iter().copied().filter(|c| c.device_id == d.device_id).collect();
                    (lock_card(d, &mine, &group_of, db))
                }
            }
            @if !others.is_empty() {
                p.muted { "Without access codes: "
                    @for (i, d) in others.iter().enumerate() {
                        @if i > 0 { ", " }
                        (d.display_name) " (" (d.device_type) ")"
                    }
                }
            }
            div.columns {
                div {
                    h4 { "Latest events" }
                    @if events.is_empty() { p.none { "No events yet." } }
                    @else {
                        table.events {
                            @for e in &events {
                                tr {
                                    td.t { (clock(&e.created_at)) }
                                    td { code { (wire(&e.event_type())) } }
                                    td { (name_of(e.device_id())) }
                                    td.pin-s { (e.pin().unwrap_or_default()) }
                                    td.detail { (ui_door::event_detail(e)) }
                                }
                            }
                        }
                    }
                }
                div {
                    h4 { "Latest requests" }
                    (requests_table(&recent))
                }
            }
        }
    }
}

/// What a rule's hits count: requests, or for a device outcome the jobs of the lock it names.
fn counts(effect: &serde_json::Value) -> &'static str {
    let has = |k: &str| effect.get(k).is_some();
    if has("access_code_error") || has("access_code_delay_s") {
        "codes programmed"
    } else if has("remove_error") {
        "codes removed"
    } else if has("action_attempt_error") {
        "action attempts"
    } else {
        "requests"
    }
}

/// The live fault rules with their hits, in matching order, and how many have retired. A rule
/// that names a device shows its name.
fn faults_panel(faults: &[FaultView], db: &Database) -> Markup {
    let live: Vec<&FaultView> = faults
        .iter()
        .filter(|f| f.times.is_none_or(|t| f.hits < t))
        .collect();
    let retired = faults.len() - live.len();
    html! {
        section.workspace.faults {
            h2 { "Fault rules" }
            @if live.is_empty() { p.none { "No live rule." } }
            @else {
                table.requests {
                    tr { th { "rule" } th { "match" } th { "effect" } th { "on" } th { "hits" } }
                    @for f in &live {
                        @let device = f.matcher.get("device_id").and_then(|id| {
                            db.devices.iter().find(|d| id == &serde_json::json!(d.device_id))
                        });
                        tr data-fault-id=(f.fault_id) {
                            td.t { (f.fault_id) }
                            td {
                                @if let Some(d) = device { (d.display_name) " " }
                                code { (f.matcher) }
                            }
                            td { code { (f.effect) } }
                            td { (counts(&f.effect)) }
                            td.t {
                                (f.hits)
                                @if let Some(t) = f.times { " / " (t) }
                            }
                        }
                    }
                }
            }
            @if retired > 0 { p.muted { (count(retired, "retired rule")) " (see /_fake/faults/list)" } }
        }
    }
}

/// The whole page for `db`, the journal's `requests`, the fault rules and the server clock
/// `now`.
pub fn page(
    db: &Database,
    requests: &[JournalEntry],
    faults: &[FaultView],
    now: DateTime<Utc>,
) -> Markup {
    let anonymous: Vec<&JournalEntry> = requests
        .iter()
        .filter(|e| e.workspace_id.is_none())
        .rev()
        .take(LATEST)
        .collect();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "seam-mock" }
                noscript { meta http-equiv="refresh" content="2"; }
                style { (PreEscaped(STYLE)) (PreEscaped(ui_door::STYLE)) }
            }
            body {
                div.bar {
                    b { "seam-mock" }
                    span id="conn" class="conn ok" { "live" }
                }
                main id="live" {
                    p.clock { "Server clock " time datetime=(crate::domain::timestamp::format(&now)) { (when(&now)) " UTC" } (ui_door::clock_controls()) }
                    @if !faults.is_empty() { (faults_panel(faults, db)) }
                    @if db.workspaces.is_empty() { p.none { "No workspaces: load some with PUT /_fake/database." } }
                    @for w in &db.workspaces {
                        (workspace_section(db, w.workspace_id, &w.name, requests))
                    }
                    @if !anonymous.is_empty() {
                        section.workspace {
                            h2 { "Requests without a workspace" }
                            (requests_table(&anonymous))
                        }
                    }
                }
                script { (PreEscaped(REFRESH)) (PreEscaped(ui_door::SCRIPT)) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access_code::NewCode;
    use crate::store::seed;

    #[test]
    fn a_linked_pin_shows_on_both_cards_and_as_one_group() {
        let mut db = seed::database();
        let (a, b) = (seed::device_id(1), seed::device_id(7));
        let template = db
            .devices
            .iter()
            .find(|d| d.device_id == a)
            .unwrap()
            .clone();
        assert_eq!(lengths(&template), "4–8 digits");
        let code = |device_id: Uuid, n: u128| {
            let mut c = AccessCode::new(
                NewCode {
                    access_code_id: Uuid::from_u128(n),
                    device_id,
                    workspace_id: seed::WORKSPACE_1,
                    name: Some("Guest".into()),
                    code: Some("246813".into()),
                    common_code_key: Some("key-1".into()),
                    ..NewCode::default()
                },
                seed::seeded_at(),
            );
            c.program();
            c
        };
        db.access_codes = vec![code(a, 1), code(b, 2)];
        let html = page(&db, &[], &[], chrono::Utc::now()).into_string();
        for id in [a, b] {
            let start = html.find(&format!("data-device-id=\"{id}\"")).unwrap();
            let card = &html[start..start + html[start..].find("</section>").unwrap()];
            assert!(
                card.contains("246813") && card.contains("group 1"),
                "{card}"
            );
        }
        assert_eq!(html.matches("data-group=").count(), 1);
        assert!(html.contains("1 linked group"));
    }

    #[test]
    fn the_live_fault_rules_show_with_their_hits() {
        let rule = |n: u128, times: Option<u64>, hits: u64| FaultView {
            fault_id: Uuid::from_u128(n),
            matcher: serde_json::json!({"path": "/devices/list"}),
            effect: serde_json::json!({"respond": {"status": 503, "empty_body": true}}),
            times,
            probability: None,
            after: 0,
            hits,
            created_at: chrono::Utc::now(),
        };
        let db = seed::database();
        let html = page(&db, &[], &[], chrono::Utc::now()).into_string();
        assert!(!html.contains("Fault rules"));
        let faults = [rule(1, Some(3), 2), rule(2, Some(1), 1), rule(3, None, 7)];
        let html = page(&db, &[], &faults, chrono::Utc::now()).into_string();
        assert!(
            html.contains("Fault rules") && html.contains("1 retired rule"),
            "{html}"
        );
        let row = |n: u128| {
            let at = html.find(&format!("data-fault-id=\"{}\"", Uuid::from_u128(n)))?;
            Some(html[at..at + html[at..].find("</tr>")?].to_string())
        };
        assert!(row(1).unwrap().contains("2 / 3"), "{:?}", row(1));
        assert!(row(1).unwrap().contains("/devices/list"));
        assert!(row(2).is_none());
        assert!(row(3).unwrap().contains(">7<"), "{:?}", row(3));
        assert!(row(3).unwrap().contains("requests"));
        let lock = &db.devices[0];
        let device = FaultView {
            matcher: serde_json::json!({"device_id": lock.device_id}),
            effect: serde_json::json!({"remove_error": "failed_to_remove_from_device"}),
            ..rule(4, None, 1)
        };
        let html = page(&db, &[], &[device], chrono::Utc::now()).into_string();
        let at = html.find("data-fault-id").unwrap();
        let row = &html[at..at + html[at..].find("</tr>").unwrap()];
        assert!(row.contains(&lock.display_name), "{row}");
        assert!(row.contains("codes removed"), "{row}");
    }
}
