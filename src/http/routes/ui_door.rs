//! The dashboard's control panel for the door (contract §12): beside each lock a keypad (type
//! a PIN, see accepted or denied and why), take offline / bring online, disconnect or
//! reconnect its hub, remove it; above, the server clock's controls (advance 1 h, 1 day, or to
//! a given time). Every button calls the same public routes a test would — the Seam routes
//! with the workspace's API key, `/_fake/advance_time` for the clock — from a few lines of
//! inline script, so it works without network access.

use maud::{Markup, html};
use serde_json::Value;

use crate::domain::device::Device;
use crate::domain::event::{Event, EventKind};

/// The panel's styles, added to the page's.
pub const STYLE: &str = "
.door { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 6px 0 2px; }
.keypad input { width: 7em; font: 600 14px ui-monospace, monospace; padding: 2px 6px; }
.door button, .clockctl button { font-size: 12px; padding: 2px 8px; border-radius: 4px;
  border: 1px solid #c5cbd6; background: #f7f8fa; cursor: pointer; }
.verdict { font-size: 12px; font-weight: 600; }
.verdict.accepted { color: #1e6b3f; } .verdict.denied { color: #b3261e; }
.clockctl { display: inline-flex; gap: 6px; margin-left: 12px; align-items: center; }
";

/// The panel's script: each control posts to a public route, then the page refreshes.
pub const SCRIPT: &str = r#"
const doorVerdicts = {};
async function call(path, body, key) {
  const headers = {'content-type': 'application/json'};
  if (key) headers['authorization'] = 'Bearer ' + key;
  const res = await fetch(path, {method: 'POST', headers, body: JSON.stringify(body)});
  const json = await res.json();
  if (!res.ok) throw new Error((json.error && (json.error.type + ': ' + json.error.message)) || res.status);
  return json;
}
function keyOf(el) { return el.closest('[data-key]').dataset.key; }
function showVerdicts() {
  for (const [id, v] of Object.entries(doorVerdicts)) {
    const out = document.querySelector(`.door[data-device-id="${id}"] .verdict`);
    if (out && out.textContent !== v.text) { out.textContent = v.text; out.className = 'verdict ' + v.kind; }
  }
}
async function keypad(form) {
  const id = form.closest('.door').dataset.deviceId, key = keyOf(form);
  const pin = form.pin.value;
  let v;
  try {
    const since = (await call('/_fake/advance_time', {seconds: 0})).now;
    await call('/locks/simulate/keypad_code_entry', {device_id: id, code: pin}, key);
    const events = (await call('/events/list', {device_id: id, since,
      event_types: ['lock.unlocked', 'lock.access_denied']}, key)).events;
    const e = events[events.length - 1];
    v = e.event_type === 'lock.unlocked'
      ? {kind: 'accepted', text: `${pin}: accepted`}
      : {kind: 'denied', text: `${pin}: denied, ${e.reason.reason_code}`};
  } catch (err) {
    v = {kind: 'denied', text: `${pin}: ${err.message}`};
  }
  doorVerdicts[id] = v;
  showVerdicts();
  await refresh();
  return false;
}
async function doorAction(button, path) {
  const id = button.closest('.door').dataset.deviceId;
  try { await call(path, {device_id: id}, keyOf(button)); }
  catch (err) { doorVerdicts[id] = {kind: 'denied', text: err.message}; }
  await refresh();
}
async function advanceClock(seconds) {
  await call('/_fake/advance_time', {seconds});
  await refresh();
}
async function advanceTo(input) {
  const target = Date.parse(input.value + 'Z');
  const now = Date.parse((await call('/_fake/advance_time', {seconds: 0})).now);
  if (target > now) await advanceClock((target - now) / 1000);
}
new MutationObserver(showVerdicts).observe(document.body, {childList: true, subtree: true});
"#;

/// The clock's controls, beside the server clock.
pub fn clock_controls() -> Markup {
    html! {
        span.clockctl {
            button type="button" data-advance="3600" onclick="advanceClock(3600)" { "+1 h" }
            button type="button" data-advance="86400" onclick="advanceClock(86400)" { "+1 day" }
            input type="datetime-local" step="1" name="to" aria-label="advance to (UTC)";
            button type="button" onclick="advanceTo(this.previousElementSibling)" { "advance to" }
        }
    }
}

/// A lock's controls: its keypad (when it has one) and the state changes its flags allow.
pub fn door_controls(d: &Device) -> Markup {
    let online = d.properties.online;
    let hub_down = d
        .errors
        .iter()
        .any(|e| e.get("error_code").and_then(Value::as_str) == Some("hub_disconnected"));
    html! {
        div.door data-device-id=(d.device_id) {
            @for e in &d.errors {
                span.err.device-error { (e.get("error_code").and_then(Value::as_str).unwrap_or("error")) }
            }
            @if d.can_unlock_with_code {
                form.keypad onsubmit="keypad(this); return false;" {
                    input name="pin" inputmode="numeric" autocomplete="off" placeholder="PIN";
                    button type="submit" { "Enter" }
                }
                output.verdict {}
            }
            @if online && d.can_simulate_disconnection {
                button type="button" data-action="disconnect" onclick="doorAction(this, '/devices/simulate/disconnect')" { "take offline" }
            } @else if !online && d.can_simulate_connection {
                button type="button" data-action="connect" onclick="doorAction(this, '/devices/simulate/connect')" { "bring online" }
            }
            @if hub_down && d.can_simulate_hub_connection {
                button type="button" data-action="connect_to_hub" onclick="doorAction(this, '/devices/simulate/connect_to_hub')" { "reconnect hub" }
            } @else if !hub_down && d.can_simulate_hub_disconnection {
                button type="button" data-action="disconnect_from_hub" onclick="doorAction(this, '/devices/simulate/disconnect_from_hub')" { "disconnect hub" }
            }
            @if d.can_simulate_removal {
                button type="button" data-action="remove" onclick="doorAction(this, '/devices/simulate/remove')" { "remove" }
            }
        }
    }
}

/// What an event row adds about a door event: how the door opened, or why it did not.
pub fn event_detail(e: &Event) -> String {
    match &e.kind {
        EventKind::LockAccessDenied(d) => d.reason.reason_code.as_str().to_string(),
        EventKind::LockUnlocked(u) | EventKind::LockLocked(u) => u.method.as_str().to_string(),
        _ => String::new(),
    }
}
