//! `GET /_fake/ui`: the dashboard. One server-rendered page (maud; no external assets, so it
//! works offline) showing, per workspace, its first locks with each one's newest PINs and
//! counts, the newest codes that `create_multiple` linked, the latest events and the latest
//! requests, by the server clock; above them the live fault rules and their hits, and a
//! search box that asks the server (`ui_search`) for any other code.
//!
//! What it shows is bounded by construction (`store::dashboard`): its size and the time to
//! build it do not grow with the codes or events stored. A few lines of inline script fetch
//! it again every two seconds with `If-None-Match`; the `ETag` is a hash of everything the
//! page shows but the clock, so an unchanged state answers 304 with no body and the clock
//! comes in the `seam-mock-clock` header (a `<noscript>` refresh otherwise). Each lock card
//! carries the door's control panel (`ui_door`: keypad, offline/online, hub, remove) and the
//! clock its controls.

use std::collections::HashMap;
use std::hash::BuildHasher;

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Serialize;
use uuid::Uuid;

use crate::domain::access_code::AccessCode;
use crate::domain::device::Device;
use crate::http::state::AppState;
use crate::store::dashboard::{DashboardView, FULL, LISTED};
use crate::store::faults::FaultView;
use crate::store::journal::JournalEntry;
use crate::store::workspace::{LockView, WorkspaceView};

use super::ui_door;

/// How many requests each workspace shows.
const LATEST: usize = 12;

/// The response header that carries the server clock (on a 304 too).
pub const CLOCK_HEADER: &str = "seam-mock-clock";

const STYLE: &str = include_str!("ui.css");

const REFRESH: &str = "async function refresh() {
  const badge = document.getElementById('conn');
  // Someone typing in a control keeps what they typed.
  if (document.activeElement && document.activeElement.closest('#live input')) return;
  try {
    const live = document.getElementById('live');
    const res = await fetch(location.href, {cache: 'no-store', headers: {'if-none-match': live.dataset.etag}});
    if (res.status === 304) {
      const now = res.headers.get('seam-mock-clock');
      const t = live.querySelector('.clock time');
      if (now && t) { t.dateTime = now; t.textContent = now.slice(0, 19).replace('T', ' ') + ' UTC'; }
    } else if (res.ok) {
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      live.replaceWith(doc.getElementById('live'));
    } else throw new Error(res.status);
    badge.textContent = 'live'; badge.className = 'conn ok';
  } catch (e) {
    badge.textContent = 'server unreachable'; badge.className = 'conn down';
  }
}
setInterval(refresh, 2000);";

/// The search box's script: asks `/_fake/ui/search` and lists what it found (as text, never
/// as markup).
const SEARCH: &str = r#"
async function searchCodes(form) {
  const out = document.getElementById('results');
  const q = form.q.value.trim();
  out.replaceChildren();
  if (!q) return false;
  const res = await fetch('/_fake/ui/search?' + new URLSearchParams({q, limit: 50}), {cache: 'no-store'});
  const json = await res.json();
  const note = document.createElement('p');
  note.className = 'muted';
  if (!res.ok) { note.textContent = json.error ? json.error.message : String(res.status); out.append(note); return false; }
  const n = json.results.length;
  note.textContent = n === 0 ? 'No code matches.' : `${n}${json.more ? '+' : ''} code${n === 1 ? '' : 's'}` + (json.more ? ' (more: narrow the search)' : '');
  out.append(note);
  if (n === 0) return false;
  const table = document.createElement('table');
  table.className = 'codes found';
  for (const r of json.results) {
    const c = r.access_code, tr = table.insertRow();
    tr.dataset.accessCodeId = c.access_code_id;
    const cells = [[c.code || '····', 'pin'], [c.name || '(no name)', ''], [c.status, 'status s-' + c.status],
      [r.device_name, ''], [c.common_code_key || '', 'muted'], [c.access_code_id, 'id']];
    for (const [text, cls] of cells) { const td = tr.insertCell(); const s = document.createElement('span'); s.className = cls; s.textContent = text; td.append(s); }
  }
  out.append(table);
  return false;
}
"#;

/// The dashboard: a bounded view of every workspace (its first locks, their newest PINs,
/// linked groups, events and requests), answered 304 when nothing it shows changed.
#[utoipa::path(
    get,
    path = "/_fake/ui",
    tag = "fake",
    responses(
        (status = 200, description = "The dashboard, an HTML page that refreshes itself. Its `ETag` covers all it shows but the clock; `seam-mock-clock` carries the server clock.", content_type = "text/html", body = String),
        (status = 304, description = "Nothing shown changed since the `If-None-Match` ETag (no body); `seam-mock-clock` carries the server clock."),
    )
)]
pub async fn dashboard(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let faults = app.store.faults().list();
    let named: Vec<Uuid> = faults
        .iter()
        .filter_map(|f| f.matcher.get("device_id")?.as_str()?.parse().ok())
        .collect();
    let view = app.store.dashboard(&named);
    let journal = app.store.journal();
    let requests: HashMap<Option<Uuid>, Vec<JournalEntry>> = view
        .workspaces
        .iter()
        .map(|w| Some(w.workspace_id))
        .chain([None])
        .map(|w| (w, journal.latest(LATEST, w)))
        .collect();
    let now = app.store.now();
    let shown = live(&view, &requests, &faults).into_string();
    // A fixed-seed hash: the same content gives the same tag after a restart too.
    let tag = foldhash::quality::FixedState::default().hash_one(&shown);
    let etag = format!("\"{tag:016x}\"");
    let stamp = crate::domain::timestamp::format(&now);
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut res = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Html(page(now, &etag, &shown).into_string()).into_response()
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&stamp) {
        h.insert(CLOCK_HEADER, v);
    }
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

/// `1,988`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// "and 1,988 more locks — search": what a bounded list leaves out.
fn and_more(n: usize, what: &str) -> Markup {
    html! {
        @if n > 0 {
            p.more { "and " (thousands(n)) " more " (what) (if n == 1 { "" } else { "s" }) " — search" }
        }
    }
}

/// Requests, newest first.
fn requests_table(entries: &[JournalEntry]) -> Markup {
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

/// A lock's card: its newest codes (managed, then unmanaged) and how many it has.
fn lock_card(l: &LockView, group_of: &HashMap<&str, usize>) -> Markup {
    let d = &l.device;
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
                @if l.code_count > 0 {
                    span.muted.counts { (count(l.code_count, "code")) " · " (thousands(l.on_lock)) " on the lock" }
                }
            }
            (ui_door::door_controls(d))
            @if l.codes.is_empty() && l.unmanaged.is_empty() {
                p.none { "No codes." }
            } @else {
                table.codes {
                    @for c in &l.codes {
                        tr {
                            td.pin { (c.pin().as_deref().unwrap_or("····")) }
                            td { (c.name.as_deref().unwrap_or("(no name)")) }
                            td { (status_badge(wire(&c.status))) }
                            td.muted { (window(c)) }
                            td {
                                @if let Some(k) = c.common_code_key.as_deref() {
                                    @match group_of.get(k) {
                                        Some(n) => (group_tag(*n)),
                                        None => span.muted { "linked" },
                                    }
                                }
                                @for e in &c.errors {
                                    span.err { (e.get("error_code").and_then(|v| v.as_str()).unwrap_or("error")) }
                                }
                            }
                        }
                    }
                    @for u in &l.unmanaged {
                        tr.unmanaged {
                            td.pin { (u.code.as_deref().unwrap_or("····")) }
                            td { (u.name.as_deref().unwrap_or("(no name)")) }
                            td { (status_badge(wire(&u.status))) }
                            td.muted { "unmanaged" }
                            td {}
                        }
                    }
                }
                (and_more(l.code_count - l.codes.len(), "code"))
                (and_more(l.unmanaged_count - l.unmanaged.len(), "unmanaged code"))
            }
            p.id { (d.device_id) }
        }
    }
}

fn workspace_section(w: &WorkspaceView, requests: &[JournalEntry]) -> Markup {
    let group_of: HashMap<&str, usize> = w
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (&*g.key, i))
        .collect();
    let name_of = |id: Option<Uuid>| {
        id.and_then(|id| w.names.get(&id))
            .map_or("", String::as_str)
    };
    html! {
        // The door controls call the Seam routes with the workspace's own key.
        section.workspace data-workspace-id=(w.workspace_id) data-key=(w.key) {
            h2 { (w.name) " " span.muted { (w.workspace_id) } }
            p.summary {
                (count(w.lock_count, "lock")) " · " (count(w.code_count, "access code")) " · "
                (count(w.group_count, "linked group"))
            }
            @if !w.groups.is_empty() {
                div.groups {
                    @for (i, g) in w.groups.iter().enumerate() {
                        div.linked data-group=(i + 1) {
                            (group_tag(i))
                            span.pin { (g.pin.as_deref().unwrap_or("····")) }
                            " on "
                            @for (j, name) in g.locks.iter().enumerate() {
                                @if j > 0 { ", " }
                                b { (name) }
                            }
                            @if g.code_count > g.locks.len() {
                                " and " (thousands(g.code_count - g.locks.len())) " more"
                            }
                        }
                    }
                    @if w.group_count > w.groups.len() {
                        span.muted { "newest " (w.groups.len()) " of " (thousands(w.group_count)) " groups" }
                    }
                }
            }
            div.locks {
                @for l in &w.locks { (lock_card(l, &group_of)) }
            }
            (and_more(w.lock_count - w.locks.len(), "lock"))
            @if !w.others.is_empty() {
                p.muted { "Without access codes: "
                    @for (i, (name, kind)) in w.others.iter().enumerate() {
                        @if i > 0 { ", " }
                        (name) " (" (kind) ")"
                    }
                    @if w.other_count > w.others.len() {
                        " and " (thousands(w.other_count - w.others.len())) " more"
                    }
                }
            }
            div.columns {
                div {
                    h4 { "Latest events" }
                    @if w.events.is_empty() { p.none { "No events yet." } }
                    @else {
                        table.events {
                            @for e in &w.events {
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
                    (requests_table(requests))
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
/// that names a device shows its name (`names`: device names by id).
fn faults_panel(faults: &[FaultView], names: &HashMap<Uuid, &str>) -> Markup {
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
                        @let device = f.matcher.get("device_id")
                            .and_then(|id| id.as_str()?.parse::<Uuid>().ok())
                            .and_then(|id| names.get(&id));
                        tr data-fault-id=(f.fault_id) {
                            td.t { (f.fault_id) }
                            td {
                                @if let Some(d) = device { (d) " " }
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

/// Everything the page shows but the clock: what its `ETag` covers. `requests` holds each
/// shown workspace's latest requests, and under `None` those without a workspace.
pub fn live(
    view: &DashboardView,
    requests: &HashMap<Option<Uuid>, Vec<JournalEntry>>,
    faults: &[FaultView],
) -> Markup {
    let names: HashMap<Uuid, &str> = view
        .workspaces
        .iter()
        .flat_map(|w| w.names.iter().map(|(id, n)| (*id, n.as_str())))
        .collect();
    let none = Vec::new();
    let anonymous = requests.get(&None).unwrap_or(&none);
    html! {
        @if !faults.is_empty() { (faults_panel(faults, &names)) }
        @if view.workspaces.is_empty() { p.none { "No workspaces: load some with PUT /_fake/database." } }
        @for w in &view.workspaces {
            (workspace_section(w, requests.get(&Some(w.workspace_id)).unwrap_or(&none)))
        }
        @if !view.listed.is_empty() {
            section.workspace.listed {
                h2 { "More workspaces" }
                p.muted { "The first " (FULL) " are shown above; the next " (LISTED) " here; search finds codes in all." }
                table.requests {
                    tr { th { "workspace" } th { "id" } th { "devices" } th { "codes" } }
                    @for b in &view.listed {
                        tr data-workspace-id=(b.workspace_id) {
                            td { (b.name) } td.t { (b.workspace_id) }
                            td.t { (thousands(b.device_count)) } td.t { (thousands(b.code_count)) }
                        }
                    }
                }
                (and_more(view.more, "workspace"))
            }
        }
        @if !anonymous.is_empty() {
            section.workspace {
                h2 { "Requests without a workspace" }
                (requests_table(anonymous))
            }
        }
    }
}

/// The whole page: the server clock `now`, the `etag` the script sends back, and `shown`
/// (what [`live`] rendered).
pub fn page(now: DateTime<Utc>, etag: &str, shown: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "seam-mock" }
                // No request for /favicon.ico: it would land in the journal, and on the page.
                link rel="icon" href="data:,";
                noscript { meta http-equiv="refresh" content="2"; }
                style { (PreEscaped(STYLE)) (PreEscaped(ui_door::STYLE)) }
            }
            body {
                div.bar {
                    b { "seam-mock" }
                    span id="conn" class="conn ok" { "live" }
                    form #search onsubmit="searchCodes(this); return false;" {
                        input name="q" type="search" autocomplete="off" aria-label="search codes"
                            placeholder="Search codes: PIN, name, key, lock, id";
                        button type="submit" { "Search" }
                    }
                }
                div #results {}
                main id="live" data-etag=(etag) {
                    p.clock { "Server clock " time datetime=(crate::domain::timestamp::format(&now)) { (when(&now)) " UTC" } (ui_door::clock_controls()) }
                    (PreEscaped(shown))
                }
                script { (PreEscaped(REFRESH)) (PreEscaped(SEARCH)) (PreEscaped(ui_door::SCRIPT)) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::command::{CodeSettings, CreateMultiple, DeviceIds};
    use crate::domain::create_multiple;
    use crate::store::{Scope, Settings, Store, seed};

    fn store() -> Store {
        let settings = Settings {
            rng_seed: Some(1),
            ..Settings::default()
        };
        Store::new(seed::database(), settings).unwrap()
    }

    fn shown(store: &Store, faults: &[FaultView]) -> String {
        live(&store.dashboard(&[]), &HashMap::new(), faults).into_string()
    }

    #[test]
    fn a_linked_pin_shows_on_both_cards_and_as_one_group() {
        let store = store();
        let (a, b) = (seed::device_id(1), seed::device_id(7));
        let req = CreateMultiple {
            device_ids: DeviceIds::new(vec![a, b]).unwrap(),
            plan: create_multiple::Request::default(),
            settings: CodeSettings {
                name: Some("Guest".into()),
                ..CodeSettings::default()
            },
        };
        let codes = store
            .with_workspace_sync(seed::WORKSPACE_1, |w| {
                w.create_multiple(req, &Scope::default())
            })
            .unwrap();
        let pin = codes[0].pin().unwrap().to_string();
        let html = shown(&store, &[]);
        for id in [a, b] {
            let start = html.find(&format!("data-device-id=\"{id}\"")).unwrap();
            let card = &html[start..start + html[start..].find("</section>").unwrap()];
            assert!(card.contains(&pin) && card.contains("group 1"), "{card}");
            assert!(card.contains("Guest") && card.contains("1 code"), "{card}");
        }
        assert_eq!(html.matches("data-group=").count(), 1);
        assert!(html.contains("1 linked group"));
    }

    #[test]
    fn big_numbers_read_with_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_988), "1,988");
        assert_eq!(thousands(1_000_000), "1,000,000");
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
        let store = store();
        let html = shown(&store, &[]);
        assert!(!html.contains("Fault rules"));
        let faults = [rule(1, Some(3), 2), rule(2, Some(1), 1), rule(3, None, 7)];
        let html = shown(&store, &faults);
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
        let lock = seed::device_id(1);
        let device = FaultView {
            matcher: serde_json::json!({"device_id": lock}),
            effect: serde_json::json!({"remove_error": "failed_to_remove_from_device"}),
            ..rule(4, None, 1)
        };
        let view = store.dashboard(&[lock]);
        let name = view.workspaces[0].names[&lock].clone();
        let html = live(&view, &HashMap::new(), &[device]).into_string();
        let at = html.find("data-fault-id").unwrap();
        let row = &html[at..at + html[at..].find("</tr>").unwrap()];
        assert!(row.contains(&name), "{row}");
        assert!(row.contains("codes removed"), "{row}");
    }
}
