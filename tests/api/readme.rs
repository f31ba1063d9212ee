//! README.md's route lists are checked against the router: the "What it serves" table names
//! every Seam route with its verbs, and the "Test-control routes" list every open one. A route
//! added, removed or given another verb fails here with the row to write.

use std::collections::{BTreeMap, BTreeSet};

use seam_mock::http;

type Routes = BTreeMap<String, BTreeSet<String>>;

fn readme() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    std::fs::read_to_string(path).expect("README.md is readable")
}

/// The text from the line starting with `heading` to the next heading of any level.
fn section<'a>(text: &'a str, heading: &str) -> &'a str {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("README.md has no {heading:?}"));
    let rest = &text[start + heading.len()..];
    let end = rest.find("\n#").unwrap_or(rest.len());
    &rest[..end]
}

/// The router's routes, split into those that need a credential and the open ones.
fn routed() -> (Routes, Routes) {
    let authenticated = http::authenticated_paths();
    let (mut seam, mut open) = (Routes::new(), Routes::new());
    for (path, verbs) in http::route_table() {
        let side = if authenticated.contains(&path) {
            &mut seam
        } else {
            &mut open
        };
        side.entry(path).or_default().extend(verbs);
    }
    (seam, open)
}

/// The rows of a `| route | verbs |` table: each backquoted path gets the row's verbs.
fn table_rows(text: &str) -> Routes {
    let mut out = Routes::new();
    for line in text.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let verbs: BTreeSet<String> = cells[2].split(',').map(|v| v.trim().into()).collect();
        for path in cells[1].split('`').skip(1).step_by(2) {
            out.entry(path.into()).or_default().extend(verbs.clone());
        }
    }
    out
}

/// Every backquoted `VERB|VERB /path …` in `text`, verbs merged per path.
fn verb_mentions(text: &str) -> Routes {
    let mut out = Routes::new();
    for quoted in text.split('`').skip(1).step_by(2) {
        let mut words = quoted.split_whitespace();
        let (Some(verbs), Some(path)) = (words.next(), words.next()) else {
            continue;
        };
        if path.starts_with('/')
            && verbs
                .split('|')
                .all(|v| v.bytes().all(|b| b.is_ascii_uppercase()))
        {
            out.entry(path.into())
                .or_default()
                .extend(verbs.split('|').map(String::from));
        }
    }
    out
}

/// Every difference between what README.md says and what the router answers, one line each.
fn differences(
    written: &Routes,
    routed: &Routes,
    how_to_add: impl Fn(&str, &str) -> String,
) -> Vec<String> {
    let mut out = Vec::new();
    for (path, verbs) in routed {
        let list = verbs.iter().cloned().collect::<Vec<_>>().join(", ");
        match written.get(path) {
            None => out.push(format!(
                "missing {path} ({list}): add {}",
                how_to_add(path, &list)
            )),
            Some(w) if w != verbs => out.push(format!(
                "{path}: README.md says {w:?}, the router answers {verbs:?}"
            )),
            Some(_) => {}
        }
    }
    for path in written.keys().filter(|p| !routed.contains_key(*p)) {
        out.push(format!(
            "{path} is listed, but no route answers it: remove it"
        ));
    }
    out
}

#[test]
fn the_route_table_lists_every_seam_route_with_its_verbs() {
    let text = readme();
    let (seam, _) = routed();
    let written = table_rows(section(&text, "## What it serves"));
    let wrong = differences(&written, &seam, |path, verbs| {
        format!("the row | `{path}` | {verbs} |")
    });
    assert!(
        wrong.is_empty(),
        "README.md's route table:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_test_control_list_names_every_open_route_with_its_verbs() {
    let text = readme();
    let (_, mut open) = routed();
    // The document has its own section, which names it.
    let document = open
        .remove("/openapi.json")
        .expect("/openapi.json is routed");
    assert_eq!(
        verb_mentions(section(&text, "## OpenAPI document")).get("/openapi.json"),
        Some(&document)
    );
    let written = verb_mentions(section(&text, "### Test-control routes"));
    let wrong = differences(&written, &open, |path, verbs| {
        format!("- `{} {path}`", verbs.replace(", ", "|"))
    });
    assert!(
        wrong.is_empty(),
        "README.md's test-control routes:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn a_missing_row_is_named() {
    let routed: Routes = [("/a", "GET"), ("/b", "POST")]
        .into_iter()
        .map(|(p, v)| (p.to_string(), BTreeSet::from([v.to_string()])))
        .collect();
    let written = table_rows("| `/a` | GET, POST |\n| `/c` | GET |\n");
    let wrong = differences(&written, &routed, |p, v| format!("| `{p}` | {v} |"));
    assert_eq!(
        wrong,
        [
            r#"/a: README.md says {"GET", "POST"}, the router answers {"GET"}"#,
            "missing /b (POST): add | `/b` | POST |",
            "/c is listed, but no route answers it: remove it",
        ]
    );
}
