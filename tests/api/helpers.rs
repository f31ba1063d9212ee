//! The test harness: [`TestApp`] runs a real seam-mock in-process on `127.0.0.1:0` (its own
//! store, its own shutdown signal, dropped = shut down) and sends requests to it; [`Res`] is
//! a response read whole, with assertions for Seam's success and error envelopes (and every
//! success checked against Seam's reference schema, [`crate::schema`]). Also the
//! seed's names, an independent implementation of the PIN constraints of contract §7, and
//! small readers of the state (`/_fake/database`, per-lock code lists) for "nothing was
//! created" checks.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use chrono::{DateTime, Utc};
use clap::Parser;
use reqwest::{Method, RequestBuilder, header::HeaderMap};
use seam_mock::domain::device::ConstraintType;
use seam_mock::store::seed;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::schema;

/// The API key of `seed_workspace_1`, sent by default.
pub const KEY_1: &str = seed::API_KEY_1;
/// The API key of the empty `seed_workspace_2`.
pub const KEY_2: &str = seed::API_KEY_2;

/// The fixed id of a seed device, by its seed name (`august_device_1`, ...).
pub fn dev(name: &str) -> String {
    let i = seed::DEVICES
        .iter()
        .position(|(n, ..)| *n == name)
        .unwrap_or_else(|| panic!("no seed device called {name}"));
    seed::device_id(i + 1).to_string()
}

/// A running server; dropping it shuts the server down.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Res {
    pub what: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    /// The body as JSON (`Null` when empty).
    pub json: Value,
}

/// The content type of every JSON response (contract §1).
pub const JSON_UTF8: &str = "application/json; charset=utf-8";

impl Res {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    #[track_caller]
    fn assert_request_id(&self) {
        let id = self.header("seam-request-id").unwrap_or_default();
        assert!(
            id.starts_with("request"),
            "{}: seam-request-id {id:?} does not start with `request`",
            self.what
        );
    }

    /// Asserts a Seam success (200, JSON content type, `ok: true`, request id) and returns the
    /// body.
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, 200, "{}: {}", self.what, self.text);
        assert_eq!(
            self.header("content-type"),
            Some(JSON_UTF8),
            "{}",
            self.what
        );
        assert_eq!(self.json["ok"], json!(true), "{}: {}", self.what, self.text);
        self.assert_request_id();
        &self.json
    }

    /// Asserts a Seam error envelope with this status and `error.type` and returns the
    /// `error` object.
    #[track_caller]
    pub fn err(&self, status: u16, error_type: &str) -> &Value {
        assert_eq!(self.status, status, "{}: {}", self.what, self.text);
        assert_eq!(
            self.header("content-type"),
            Some(JSON_UTF8),
            "{}",
            self.what
        );
        assert_eq!(
            self.json["ok"],
            json!(false),
            "{}: {}",
            self.what,
            self.text
        );
        let keys: BTreeSet<&str> = self
            .json
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            BTreeSet::from(["error", "ok"]),
            "{}: {}",
            self.what,
            self.text
        );
        let e = &self.json["error"];
        assert_eq!(e["type"], json!(error_type), "{}: {}", self.what, self.text);
        assert!(
            e["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}: error without a message: {}",
            self.what,
            self.text
        );
        self.assert_request_id();
        e
    }
}

impl TestApp {
    /// A seeded server with the default configuration.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(&[]).await
    }

    /// A server configured with command-line flags, e.g. `["--max-body-bytes", "1024"]`.
    pub async fn spawn_with(args: &[&str]) -> TestApp {
        let config =
            seam_mock::Config::parse_from(std::iter::once("seam-mock").chain(args.iter().copied()));
        // Fail here, with the reason, rather than with a refused connection later.
        if let Err(e) = seam_mock::build_store(&config) {
            panic!("seam-mock cannot start with {args:?}: {e}");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            if let Err(e) = seam_mock::run(listener, config, shutdown).await {
                panic!("seam-mock stopped: {e}");
            }
        });
        TestApp {
            addr,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
        }
    }

    /// A client for a server started elsewhere (the binary, in `state_file`).
    pub fn at(addr: SocketAddr) -> TestApp {
        TestApp {
            addr,
            client: reqwest::Client::new(),
            shutdown: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A request with no credentials.
    pub fn raw(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// A request authenticated with `token` as a Bearer.
    pub fn as_token(&self, token: &str, method: Method, path: &str) -> RequestBuilder {
        self.raw(method, path).bearer_auth(token)
    }

    /// A request with the seed API key of workspace 1.
    pub fn authed(&self, method: Method, path: &str) -> RequestBuilder {
        self.as_token(KEY_1, method, path)
    }

    /// Sends a request and reads the whole response. Whatever the request, a response with a
    /// body must be JSON (contract §1: never text/plain).
    pub async fn send(&self, rb: RequestBuilder) -> Res {
        let req = rb.build().expect("a well-formed request");
        let (method, path) = (req.method().clone(), req.url().path().to_string());
        let what = format!(
            "{} {}",
            req.method(),
            req.url()
                .as_str()
                .trim_start_matches(&format!("http://{}", self.addr))
        );
        let res = self.client.execute(req).await.expect("the server answers");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.expect("a readable body");
        let json = if text.is_empty() {
            Value::Null
        } else {
            let ct = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            assert!(
                ct.starts_with("application/json"),
                "{what}: {status} with content type {ct:?}: {text}"
            );
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {text}"))
        };
        // Every success of a route in Seam's reference spec answers in its shape there.
        if (200..300).contains(&status)
            && json.is_object()
            && let Err(breach) = schema::check(method.as_str(), &path, &json)
        {
            panic!("{breach}\n{text}");
        }
        Res {
            what,
            status,
            headers,
            text,
            json,
        }
    }

    pub async fn post(&self, path: &str, body: Value) -> Res {
        self.send(self.authed(Method::POST, path).json(&body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Res {
        self.send(self.authed(Method::PUT, path).json(&body)).await
    }

    /// GET with the parameters already in `path_and_query`.
    pub async fn get(&self, path_and_query: &str) -> Res {
        self.send(self.authed(Method::GET, path_and_query)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Res {
        self.send(self.authed(Method::PATCH, path).json(&body))
            .await
    }

    /// The workspace's events of one type, oldest first (`/events/list`).
    pub async fn events_of(&self, event_type: &str) -> Vec<Value> {
        self.post(
            "/events/list",
            json!({ "event_type": event_type, "limit": 1000 }),
        )
        .await
        .ok()["events"]
            .as_array()
            .expect("events is an array")
            .clone()
    }

    pub async fn delete(&self, path_and_query: &str) -> Res {
        self.send(self.authed(Method::DELETE, path_and_query)).await
    }

    /// POST as another credential.
    pub async fn post_as(&self, token: &str, path: &str, body: Value) -> Res {
        self.send(self.as_token(token, Method::POST, path).json(&body))
            .await
    }

    /// POST with no credentials.
    pub async fn post_open(&self, path: &str, body: Value) -> Res {
        self.send(self.raw(Method::POST, path).json(&body)).await
    }

    /// POST an arbitrary body with an optional content type (seed API key).
    pub async fn post_raw(&self, path: &str, content_type: Option<&str>, body: &str) -> Res {
        let mut rb = self.authed(Method::POST, path).body(body.to_string());
        if let Some(ct) = content_type {
            rb = rb.header("content-type", ct);
        }
        self.send(rb).await
    }

    // ----- readers and fixtures -------------------------------------------------------------

    /// `PUT /access_codes/create_multiple` (the verb the SDKs send).
    pub async fn create_multiple(&self, body: Value) -> Res {
        self.put("/access_codes/create_multiple", body).await
    }

    /// `create_multiple` that must succeed: its codes.
    pub async fn create_ok(&self, body: Value) -> Vec<Value> {
        self.create_multiple(body).await.ok()["access_codes"]
            .as_array()
            .expect("access_codes is an array")
            .clone()
    }

    /// Managed codes on a lock, in creation order (`/access_codes/list`).
    pub async fn codes_on(&self, device_id: &str) -> Vec<Value> {
        self.post(
            "/access_codes/list",
            json!({ "device_id": device_id, "limit": 1000 }),
        )
        .await
        .ok()["access_codes"]
            .as_array()
            .expect("access_codes is an array")
            .clone()
    }

    /// Unmanaged codes on a lock.
    pub async fn unmanaged_on(&self, device_id: &str) -> Vec<Value> {
        self.post(
            "/access_codes/unmanaged/list",
            json!({ "device_id": device_id }),
        )
        .await
        .ok()["access_codes"]
            .as_array()
            .expect("access_codes is an array")
            .clone()
    }

    /// Every PIN on a lock, managed and unmanaged (provider-pending codes left out).
    pub async fn pins_on(&self, device_id: &str) -> Vec<String> {
        let mut pins: Vec<String> = self
            .codes_on(device_id)
            .await
            .iter()
            .chain(self.unmanaged_on(device_id).await.iter())
            .filter_map(|c| c["code"].as_str().map(String::from))
            .collect();
        pins.sort();
        pins
    }

    /// Adds an unmanaged PIN to a lock.
    pub async fn unmanaged(&self, device_id: &str, code: &str) -> Value {
        self.post(
            "/access_codes/simulate/create_unmanaged_access_code",
            json!({ "device_id": device_id, "name": "Set at the keypad", "code": code }),
        )
        .await
        .ok()["access_code"]
            .clone()
    }

    /// `POST /_fake/devices` that must succeed: the device.
    pub async fn fake_device(&self, body: Value) -> Value {
        self.post_open("/_fake/devices", body).await.ok()["device"].clone()
    }

    /// A lock in workspace 1 with these properties; its id. (A device type of Seam's that
    /// seam-mock has no template for: the generic lock's defaults.)
    pub async fn fake_lock(&self, properties: Value) -> String {
        let d = self
            .fake_device(json!({
                "workspace_id": seed::WORKSPACE_1,
                "device_type": "lockly_lock",
                "properties": properties,
            }))
            .await;
        d["device_id"].as_str().expect("device_id").to_string()
    }

    /// `GET /_fake/database`.
    pub async fn database(&self) -> Value {
        self.send(self.raw(Method::GET, "/_fake/database"))
            .await
            .ok()
            .clone()
    }

    /// `PUT /_fake/database`.
    pub async fn put_database(&self, db: &Value) -> Res {
        self.send(self.raw(Method::PUT, "/_fake/database").json(db))
            .await
    }

    /// The server clock.
    pub async fn now(&self) -> DateTime<Utc> {
        self.advance(0).await
    }

    /// Moves the server clock forward.
    pub async fn advance(&self, seconds: u64) -> DateTime<Utc> {
        let res = self
            .post_open("/_fake/advance_time", json!({ "seconds": seconds }))
            .await;
        parse_time(res.ok()["now"].as_str().expect("now is a string"))
    }

    /// `/_fake/update_device` that must succeed.
    pub async fn update_device(&self, device_id: &str, properties: Value) -> Value {
        self.post_open(
            "/_fake/update_device",
            json!({ "device_id": device_id, "properties": properties }),
        )
        .await
        .ok()["device"]
            .clone()
    }

    /// What a failed call must leave untouched: every code in the database, the events, and
    /// the code lists of `devices`.
    pub async fn snapshot(&self, devices: &[&str]) -> Snapshot {
        let db = self.database().await;
        let ids = |k: &str| -> Vec<String> {
            db[k]
                .as_array()
                .expect("a list")
                .iter()
                .map(|c| c["access_code_id"].as_str().unwrap_or_default().to_string())
                .collect()
        };
        let mut per_device = Vec::new();
        for d in devices {
            per_device.push(
                self.codes_on(d)
                    .await
                    .iter()
                    .map(|c| c["access_code_id"].as_str().unwrap_or_default().to_string())
                    .collect(),
            );
        }
        Snapshot {
            codes: ids("access_codes"),
            unmanaged: ids("unmanaged_access_codes"),
            events: db["events"].as_array().map_or(0, Vec::len),
            per_device,
        }
    }
}

/// The part of the state a failed create must not change.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub codes: Vec<String>,
    pub unmanaged: Vec<String>,
    pub events: usize,
    pub per_device: Vec<Vec<String>>,
}

/// Parses a wire timestamp.
pub fn parse_time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s:?} is not a timestamp: {e}"))
        .with_timezone(&Utc)
}

/// A timestamp in the wire form, `2025-01-02T03:04:05.678Z`.
pub fn wire_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Whether `s` matches `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$` (JavaScript's `toISOString`).
pub fn is_js_iso(s: &str) -> bool {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd.dddZ";
    s.len() == SHAPE.len()
        && s.bytes().zip(SHAPE).all(|(c, want)| match want {
            b'd' => c.is_ascii_digit(),
            other => c == *other,
        })
}

/// The fields every access code on the wire carries, read from the server's own type (its
/// OpenAPI schema), so a new stored field needs no list here.
pub fn code_fields() -> Vec<String> {
    use utoipa::PartialSchema;
    let schema = serde_json::to_value(seam_mock::domain::access_code::AccessCode::schema())
        .expect("the schema is JSON");
    schema["properties"]
        .as_object()
        .expect("the schema lists properties")
        .keys()
        .cloned()
        .collect()
}

/// Whether `pin` breaks `constraint` (contract §7), written apart from the server's rules.
/// The match names every constraint type, so a new one fails to compile here until the tests
/// know what it forbids.
pub fn breaks(pin: &str, constraint: &str) -> bool {
    use ConstraintType::*;
    let c = ConstraintType::parse(constraint)
        .unwrap_or_else(|| panic!("{constraint:?} is not a constraint type"));
    let d: Vec<i32> = pin
        .bytes()
        .map(|b| i32::from(b) - i32::from(b'0'))
        .collect();
    let distinct = d.iter().collect::<BTreeSet<_>>().len();
    match c {
        NoZeros => d.contains(&0),
        CannotStartWith12 => pin.starts_with("12"),
        NoTripleConsecutiveInts => d.windows(3).any(|w| {
            let step = w[1] - w[0];
            step.abs() <= 1 && w[2] - w[1] == step
        }),
        NoAscendingOrDescendingSequence => {
            d.windows(2).all(|w| w[1] - w[0] == 1) || d.windows(2).all(|w| w[1] - w[0] == -1)
        }
        AtLeastThreeUniqueDigits => distinct < 3,
        NoAllSameDigits => distinct == 1,
        UniqueFirstFourDigits => {
            let first: Vec<i32> = d.iter().take(4).copied().collect();
            first.iter().collect::<BTreeSet<_>>().len() != first.len()
        }
        CannotContain089 => d.iter().any(|x| [0, 8, 9].contains(x)),
        CannotContain0789 => d.iter().any(|x| [0, 7, 8, 9].contains(x)),
        CannotSpecifyPinCode => true,
        // About names or scheduling, or about other codes: nothing a PIN alone breaks.
        PinCodeMatchesExistingSet | StartDateInFuture | NameLength | NameMustBeUnique => false,
    }
}

/// Asserts that `pin` is one `device` (as the API returns it) accepts: digits only, a supported
/// length, no constraint broken.
#[track_caller]
pub fn assert_pin_fits(pin: &str, device: &Value) {
    assert!(
        !pin.is_empty() && pin.bytes().all(|b| b.is_ascii_digit()),
        "{pin:?} is not all digits"
    );
    let p = &device["properties"];
    let lengths: Vec<u64> = p["supported_code_lengths"]
        .as_array()
        .expect("supported_code_lengths")
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    assert!(
        lengths.contains(&(pin.len() as u64)),
        "{pin} has a length outside {lengths:?} ({})",
        device["device_type"]
    );
    for c in p["code_constraints"].as_array().into_iter().flatten() {
        let name = c["constraint_type"].as_str().unwrap_or_default();
        assert!(
            !breaks(pin, name),
            "{pin} breaks {name} ({})",
            device["device_type"]
        );
    }
}

/// Asserts a `common_code_key` made by create_multiple: `auto_set_by_create_multiple_<uuid v4>`.
#[track_caller]
pub fn assert_generated_key(key: &Value) {
    let k = key.as_str().unwrap_or_else(|| panic!("no key: {key}"));
    let id = k
        .strip_prefix("auto_set_by_create_multiple_")
        .unwrap_or_else(|| panic!("{k} lacks the auto_set_by_create_multiple_ prefix"));
    let uuid = uuid::Uuid::try_parse(id).unwrap_or_else(|e| panic!("{k}: {e}"));
    assert_eq!(uuid.get_version_num(), 4, "{k} is not a v4 uuid");
}

/// The ids of a list of resources, by `field`.
pub fn ids(items: &[Value], field: &str) -> Vec<String> {
    items
        .iter()
        .map(|v| v[field].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A JSON string as an owned `String` (panics on anything else).
pub fn s(v: &Value) -> String {
    v.as_str().unwrap().to_string()
}

/// A new sandbox (`/_fake/sandboxes/create`): its API key and the seed's names for its ids.
pub async fn new_sandbox(app: &TestApp) -> (String, Value) {
    let r = app.post_open("/_fake/sandboxes/create", json!({})).await;
    let b = r.ok();
    (s(&b["api_key"]), b["seed"].clone())
}

/// A code with this PIN on a sandbox's Front Door (`august_device_1`): its id.
pub async fn sandbox_code(app: &TestApp, key: &str, names: &Value, pin: &str) -> String {
    let r = app
        .post_as(
            key,
            "/access_codes/create",
            json!({ "device_id": names["august_device_1"], "code": pin }),
        )
        .await;
    s(&r.ok()["access_code"]["access_code_id"])
}
