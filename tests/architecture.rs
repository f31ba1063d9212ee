//! The layout ARCHITECTURE.md promises, checked on the source text: the domain and the store
//! know nothing of HTTP, no file under `src/` is longer than 600 lines outside its tests, and
//! the files of `src/http` import each other without a circle (a file never imports from the
//! module that declares it, and no chain of imports comes back to where it started). Imports
//! inside `#[cfg(test)]` modules are not the module's own and are not counted.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// `src/http/routes/mod.rs` → `http::routes`; `src/http/params.rs` → `http::params`.
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).expect("under src/");
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

/// The text of every `use` item, whitespace folded (`use a::{b, c::d};`).
fn use_items(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("use ") {
        let before = &rest[..at];
        let starts_item = before
            .chars()
            .last()
            .is_none_or(|c| c.is_whitespace() || c == ';' || c == '{' || c == '}');
        let after = &rest[at + 4..];
        let Some(end) = after.find(';') else { break };
        if starts_item {
            items.push(after[..end].split_whitespace().collect::<Vec<_>>().join(""));
        }
        rest = &after[end..];
    }
    items
}

/// Every path a `use` item names, braces expanded: `a::{b,c::{d,e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(item: &str) -> Vec<String> {
    let Some(open) = item.find('{') else {
        return vec![item.split(" as ").next().unwrap_or(item).to_string()];
    };
    let prefix = &item[..open];
    let inner = &item[open + 1..item.rfind('}').unwrap_or(item.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| expand(&format!("{prefix}{p}")))
        .collect()
}

/// The module of `http` a path in `module` names, if any: the longest known module prefix.
fn target(module: &str, path: &str, known: &BTreeSet<String>) -> Option<String> {
    let mut segs: Vec<String> = Vec::new();
    let mut words = path.split("::").peekable();
    match words.peek().copied() {
        Some("crate") => {
            words.next();
        }
        Some("super") | Some("self") => {
            segs = module.split("::").map(str::to_string).collect();
            while let Some(w) = words.peek().copied() {
                match w {
                    "super" => {
                        segs.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                words.next();
            }
        }
        _ => return None,
    }
    segs.extend(words.map(str::to_string));
    while !segs.is_empty() {
        let m = segs.join("::");
        if known.contains(&m) {
            return Some(m);
        }
        segs.pop();
    }
    None
}

#[test]
fn domain_and_store_know_nothing_of_http() {
    for room in ["domain", "store"] {
        for file in rust_files(&src().join(room)) {
            let text = fs::read_to_string(&file).expect("readable");
            for banned in ["axum", "crate::http", "tower"] {
                assert!(
                    !text.contains(banned),
                    "{} mentions `{banned}`",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn no_source_file_is_longer_than_600_lines_outside_its_tests() {
    for file in rust_files(&src()) {
        let text = fs::read_to_string(&file).expect("readable");
        let lines = text
            .lines()
            .take_while(|l| !l.starts_with("#[cfg(test)]"))
            .count();
        assert!(lines <= 600, "{}: {lines} lines", file.display());
    }
}

#[test]
fn http_files_import_each_other_without_a_circle() {
    let files = rust_files(&src().join("http"));
    let known: BTreeSet<String> = files.iter().map(|f| module_of(f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let module = module_of(file);
        let text = fs::read_to_string(file).expect("readable");
        // What the module itself imports; its test module's `super::*` is the module again.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let deps = edges.entry(module.clone()).or_default();
        for item in use_items(text) {
            for path in expand(&item) {
                if let Some(t) = target(&module, &path, &known)
                    && t != module
                {
                    assert!(
                        !module.starts_with(&format!("{t}::")),
                        "{module} imports from {t}, the module that declares it ({path})"
                    );
                    deps.insert(t);
                }
            }
        }
    }
    // Depth-first search for a chain that comes back to where it started.
    fn visit(
        m: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) {
        state.insert(m.to_string(), 1);
        stack.push(m.to_string());
        for d in edges.get(m).into_iter().flatten() {
            match state.get(d) {
                Some(1) => panic!("import circle: {} -> {d}", stack.join(" -> ")),
                Some(_) => {}
                None => visit(d, edges, state, stack),
            }
        }
        stack.pop();
        state.insert(m.to_string(), 2);
    }
    let mut state = BTreeMap::new();
    for m in edges.keys() {
        if !state.contains_key(m) {
            visit(m, &edges, &mut state, &mut Vec::new());
        }
    }
    assert!(edges.len() > 10, "the http files were found: {edges:?}");
}

#[test]
fn the_import_reader_sees_braces_and_parents() {
    let known: BTreeSet<String> = ["http", "http::a", "http::b", "http::r", "http::r::x"]
        .into_iter()
        .map(String::from)
        .collect();
    let items = use_items("use crate::http::{a::X, b::{Y, Z}};\nuse super::x::W;");
    let paths: Vec<String> = items.iter().flat_map(|i| expand(i)).collect();
    assert_eq!(
        paths,
        [
            "crate::http::a::X",
            "crate::http::b::Y",
            "crate::http::b::Z",
            "super::x::W"
        ]
    );
    assert_eq!(
        target("http::r::x", "super::Q", &known).as_deref(),
        Some("http::r")
    );
    assert_eq!(
        target("http::r::x", "crate::http::b::Y", &known).as_deref(),
        Some("http::b")
    );
    assert_eq!(target("http::r::x", "std::fmt", &known), None);
}
