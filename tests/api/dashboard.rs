//! The dashboard at any size (issue 24): the page shows a bounded view whatever the state holds
//! (the first locks, each one's newest codes, counts of the rest), a search route finds any
//! code on the server, and a refresh of an unchanged state is a 304 without a body.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// `n` new locks in workspace 1 (4–8 digit PINs), with the names `Dashboard lock {i}`.
pub async fn locks(app: &TestApp, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let d = app
            .fake_device(json!({
                "workspace_id": seam_mock::store::seed::WORKSPACE_1,
                "device_type": "lockly_lock",
                "display_name": format!("Dashboard lock {i}"),
            }))
            .await;
        ids.push(d["device_id"].as_str().expect("device_id").to_string());
    }
    ids
}

/// `rounds` calls of `create_multiple` across all `locks`, named `guest-{round}` (rounds
/// numbered from `first`); the codes of each call, in order. Only the status is checked
/// (the responses are large; the API tests check their shape).
pub async fn fill(app: &TestApp, locks: &[String], first: usize, rounds: usize) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    for r in first..first + rounds {
        let res = app
            .authed(Method::PUT, "/access_codes/create_multiple")
            .json(&json!({"device_ids": locks, "name": format!("guest-{r:04}")}))
            .send()
            .await
            .expect("the server answers");
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.expect("JSON");
        out.push(body["access_codes"].as_array().expect("codes").clone());
    }
    out
}

async fn page(app: &TestApp) -> (reqwest::header::HeaderMap, String) {
    let res = app.raw(Method::GET, "/_fake/ui").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    (headers, res.text().await.unwrap())
}

#[tokio::test]
async fn the_page_stays_small_however_many_codes_and_locks() {
    let app = TestApp::spawn().await;
    let ids = locks(&app, 30).await;
    fill(&app, &ids, 0, 5).await;
    let (_, small) = page(&app).await;
    fill(&app, &ids, 5, 95).await;
    let (_, big) = page(&app).await;
    // 2,850 more codes: listed in full they would add hundreds of kilobytes.
    assert!(big.len() < 256 * 1024, "{} bytes", big.len());
    assert!(
        big.len() < small.len() + 2_000,
        "the page grew from {} to {} bytes",
        small.len(),
        big.len()
    );
    assert!(
        big.contains("more locks — search"),
        "no count of the other locks"
    );
    let card = lock_card(&big, &ids[0]).expect("the first new lock has a card");
    assert!(card.contains("100 codes"), "{card}");
    assert!(card.contains("and 95 more codes — search"), "{card}");
    assert!(
        card.contains("guest-0099") && !card.contains("guest-0094"),
        "{card}"
    );
    assert_eq!(big.matches("class=\"lock\"").count(), 12, "12 lock cards");
}

fn lock_card<'a>(html: &'a str, device_id: &str) -> Option<&'a str> {
    let start = html.find(&format!(
        "<section class=\"lock\" data-device-id=\"{device_id}\""
    ))?;
    let end = html[start..].find("</section>")?;
    Some(&html[start..start + end])
}

async fn search(app: &TestApp, query: &str) -> Value {
    let url = format!(
        "/_fake/ui/search?{}",
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query.split('&').filter_map(|p| p.split_once('=')))
            .finish()
    );
    app.get(&url).await.ok().clone()
}

fn ids_of(found: &Value) -> Vec<String> {
    found["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["access_code"]["access_code_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn search_finds_any_code_by_pin_name_key_or_id_and_honours_limit() {
    let app = TestApp::spawn().await;
    let ids = locks(&app, 20).await;
    let calls = fill(&app, &ids, 0, 30).await;
    // An old code, long off its lock's card.
    let old = &calls[2][7];
    let id = old["access_code_id"].as_str().unwrap();
    let pin = old["code"].as_str().unwrap();
    let key = old["common_code_key"].as_str().unwrap();

    let by_pin = search(&app, &format!("q={pin}&limit=200")).await;
    assert!(ids_of(&by_pin).contains(&id.to_string()), "{by_pin}");
    let by_name = search(&app, "q=GUEST-0002").await;
    assert_eq!(
        by_name["results"].as_array().unwrap().len(),
        20,
        "{by_name}"
    );
    assert!(ids_of(&by_name).contains(&id.to_string()));
    assert_eq!(by_name["more"], false);
    let by_key = search(&app, &format!("q={key}")).await;
    assert_eq!(ids_of(&by_key).len(), 20);
    assert!(ids_of(&by_key).contains(&id.to_string()));
    let by_id = search(&app, &format!("q={id}")).await;
    assert_eq!(ids_of(&by_id), [id]);
    assert_eq!(by_id["results"][0]["device_name"], "Dashboard lock 7");
    let by_lock = search(&app, &format!("q={}&limit=200", ids[7])).await;
    assert_eq!(ids_of(&by_lock).len(), 30);

    let limited = search(&app, "q=guest&limit=5").await;
    assert_eq!(limited["results"].as_array().unwrap().len(), 5);
    assert_eq!(limited["more"], true);
    // The newest first.
    assert_eq!(limited["results"][0]["access_code"]["name"], "guest-0029");
    let default = search(&app, "q=guest").await;
    assert_eq!(default["results"].as_array().unwrap().len(), 50);
    let none = search(&app, "q=no-such-guest").await;
    assert_eq!(none["results"], json!([]));
    assert_eq!(none["more"], false);
}

#[tokio::test]
async fn bad_search_input_is_invalid_input() {
    let app = TestApp::spawn().await;
    for query in [
        "",
        "?q=",
        "?q=%20%20",
        "?q=x&limit=0",
        "?q=x&limit=201",
        "?q=x&limit=1.5",
        "?q=x&limit=many",
    ] {
        let res = app.get(&format!("/_fake/ui/search{query}")).await;
        res.err(400, "invalid_input");
    }
    let long = "9".repeat(201);
    app.get(&format!("/_fake/ui/search?q={long}"))
        .await
        .err(400, "invalid_input");
}

#[tokio::test]
async fn an_unchanged_dashboard_answers_304_without_a_body() {
    let app = TestApp::spawn().await;
    let (headers, _) = page(&app).await;
    let etag = headers["etag"].to_str().unwrap().to_string();
    let conditional = || {
        app.raw(Method::GET, "/_fake/ui")
            .header("if-none-match", etag.clone())
    };
    let res = conditional().send().await.unwrap();
    assert_eq!(res.status(), 304);
    assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
    let before = res.headers()["seam-mock-clock"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(res.bytes().await.unwrap().is_empty());

    // The clock moves (its header says so) but nothing the page shows changed.
    app.advance(3600).await;
    let res = conditional().send().await.unwrap();
    assert_eq!(res.status(), 304);
    let after = res.headers()["seam-mock-clock"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(after > before, "{before} → {after}");

    app.create_ok(json!({"device_ids": [crate::helpers::dev("august_device_1")], "name": "New"}))
        .await;
    let res = conditional().send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_ne!(res.headers()["etag"].to_str().unwrap(), etag);
    assert!(res.text().await.unwrap().contains("New"));
}
