//! The layout ARCHITECTURE.md promises, checked on the source text: the domain and the store
//! know nothing of HTTP, no file under `src/` is longer than 600 lines outside its tests, and
//! the files of `src/http` import each other without a circle (a file never imports from the
//! module that declares it, and no chain of imports comes back to where it started). Imports
//! inside `#[cfg(test)]` modules are not the module's own and are not counted.
//!
//! And the guide itself: every path it names exists, and every code name it puts in backticks
//! is defined where its paragraph says (see [`the_guide_names_only_what_exists`]).

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

// ---------------------------------------------------------------------------------------------
// ARCHITECTURE.md, checked against the tree.
//
// The guide is read block by block: a paragraph, or one list item with its indented lines.
// Each block names files (`src/…`, `tests/…`, bare `codes.rs`, a directory like
// `src/store/workspace/`, or a module path like `domain::command::X`); every code name in
// backticks must be defined in one of them, or anywhere under `src/` when the block names no
// file. Code names are types (CamelCase), constants (UPPER_CASE with an underscore), functions
// (`name()`), macros (`name!`) and paths (`a::b`, `Type::member`); plain snake_case is a wire
// name or a field and is not checked, nor is anything with spaces or punctuation in it.

/// Names the guide may use that the crate does not define.
const EXTERNAL: &[&str] = &["Uuid", "Mutex", "DefaultBodyLimit"];

/// Where a path the guide names may start.
const ROOTS: &[&str] = &[
    "src/",
    "tests/",
    "scripts/",
    "benches/",
    "examples/",
    "docs/",
    "openapi/",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every Rust file under the crate's `src/` and `tests/`, by path relative to the crate.
fn code_files() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for dir in ["src", "tests"] {
        for f in rust_files(&root().join(dir)) {
            let rel = f
                .strip_prefix(root())
                .expect("under the crate")
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, fs::read_to_string(&f).expect("readable"));
        }
    }
    out
}

/// One block of the guide: its first line (1-based) and its text.
fn blocks(guide: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut in_fence = false;
    for (i, line) in guide.lines().enumerate() {
        let t = line.trim_start();
        let fence = t.starts_with("```");
        let starts_item = !in_fence
            && (t.starts_with("- ")
                || t.starts_with("**")
                || t.starts_with('#')
                || t.split_once(". ")
                    .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())));
        if fence {
            in_fence = !in_fence;
        }
        if line.trim().is_empty() || starts_item || fence {
            out.extend(current.take());
        }
        if !line.trim().is_empty() {
            let (_, text) = current.get_or_insert_with(|| (i + 1, String::new()));
            text.push_str(line);
            text.push('\n');
        }
    }
    out.extend(current);
    out
}

/// The text between backticks in `text`.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// Paths the block names, in or out of backticks: words that start at one of [`ROOTS`].
fn named_paths(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "`(),:;\"'".contains(c))
        .map(|w| w.trim_end_matches(['.', ',']))
        .filter(|w| ROOTS.iter().any(|r| w.starts_with(r)))
        .map(str::to_string)
        .collect()
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_type(s: &str) -> bool {
    is_ident(s)
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars().any(|c| c.is_ascii_lowercase())
}

fn is_const(s: &str) -> bool {
    is_ident(s) && s.contains('_') && !s.chars().any(|c| c.is_ascii_lowercase())
}

/// What one backticked word asks to exist.
#[derive(Debug, PartialEq)]
enum Name {
    /// A type, constant, function or macro, unqualified.
    Item(String),
    /// `macro!`.
    Macro(String),
    /// `a::b::Item`: the module segments and the item.
    InModule(Vec<String>, String),
    /// `Type::member`.
    Member(String, String),
}

/// The code names in one backticked word (none for a wire name, field or prose).
fn code_names(word: &str) -> Vec<Name> {
    if let Some(m) = word.strip_suffix('!')
        && is_ident(m)
    {
        return vec![Name::Macro(m.to_string())];
    }
    let (word, called) = match word.strip_suffix("()") {
        Some(w) => (w, true),
        None => (word, false),
    };
    // `Params<Request>`: each type in it.
    if word.contains('<') {
        let parts: Vec<&str> = word
            .split(['<', '>', ','])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        return if parts.iter().all(|p| is_type(p)) {
            parts
                .into_iter()
                .map(|p| Name::Item(p.to_string()))
                .collect()
        } else {
            Vec::new()
        };
    }
    let segs: Vec<&str> = word.split("::").collect();
    if !segs.iter().all(|s| is_ident(s)) {
        return Vec::new();
    }
    match segs.as_slice() {
        [one] if is_type(one) || is_const(one) || called => vec![Name::Item(one.to_string())],
        [_] => Vec::new(),
        [ty, member] if is_type(ty) => vec![Name::Member(ty.to_string(), member.to_string())],
        [modules @ .., item] => vec![Name::InModule(
            modules.iter().map(|m| m.to_string()).collect(),
            item.to_string(),
        )],
        [] => Vec::new(),
    }
}

/// Whether `text` has `word` with no identifier character on either side.
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().last();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Whether `text` defines `name` (an item or macro) or implements something for it.
fn defines(text: &str, name: &str) -> bool {
    [
        "fn ",
        "struct ",
        "enum ",
        "trait ",
        "type ",
        "const ",
        "static ",
        "mod ",
        "macro_rules! ",
        "impl ",
        "for ",
    ]
    .iter()
    .any(|kw| has_word(text, &format!("{kw}{name}")))
}

/// The module path of a crate file: `src/domain/pin.rs` → `domain::pin`.
fn module_path(rel: &str) -> Option<String> {
    let m = rel.strip_prefix("src/")?.strip_suffix(".rs")?;
    let m = m.strip_suffix("/mod").unwrap_or(m);
    Some(m.replace('/', "::"))
}

/// The files a module path names: those whose module path ends with it.
fn module_files<'a>(files: &'a BTreeMap<String, String>, modules: &[String]) -> Vec<&'a str> {
    let tail = modules.join("::");
    files
        .keys()
        .filter(|f| module_path(f).is_some_and(|m| m == tail || m.ends_with(&format!("::{tail}"))))
        .map(String::as_str)
        .collect()
}

/// Problems with one block of the guide starting at `line`.
fn check_block(line: usize, text: &str, files: &BTreeMap<String, String>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut named: BTreeSet<&str> = BTreeSet::new();
    for path in named_paths(text) {
        if path.contains('<') {
            continue;
        }
        if !root().join(&path).exists() {
            problems.push(format!("ARCHITECTURE.md:{line}: `{path}` does not exist"));
            continue;
        }
        for f in files.keys() {
            if *f == path || (path.ends_with('/') && f.starts_with(&path)) {
                named.insert(f.as_str());
            }
        }
    }
    let words = backticked(text);
    // Bare file names (`codes.rs`): every file of that name.
    for w in &words {
        if is_ident(w.trim_end_matches(".rs")) && w.ends_with(".rs") {
            let found: Vec<&String> = files
                .keys()
                .filter(|f| f.starts_with("src/") && f.rsplit('/').next() == Some(*w))
                .collect();
            if found.is_empty() {
                problems.push(format!("ARCHITECTURE.md:{line}: no file `{w}` under src/"));
            }
            named.extend(found.into_iter().map(String::as_str));
        }
    }
    let names: Vec<Name> = words
        .iter()
        .filter(|w| !EXTERNAL.contains(w))
        .flat_map(|w| code_names(w))
        .filter(|n| !matches!(n, Name::Item(i) if EXTERNAL.contains(&i.as_str())))
        .collect();
    for n in &names {
        if let Name::InModule(modules, _) = n {
            named.extend(module_files(files, modules));
        }
    }
    let all_src: Vec<&str> = files
        .keys()
        .filter(|f| f.starts_with("src/"))
        .map(String::as_str)
        .collect();
    let here: Vec<&str> = if named.is_empty() {
        all_src.clone()
    } else {
        named.iter().copied().collect()
    };
    let where_ = if named.is_empty() {
        "anywhere under src/".to_string()
    } else {
        format!("in {}, the files its paragraph names", here.join(", "))
    };
    let in_any = |fs: &[&str], f: &dyn Fn(&str) -> bool| fs.iter().any(|p| f(&files[*p]));
    for n in names {
        let ok = match &n {
            Name::Item(i) => in_any(&here, &|t| defines(t, i)),
            Name::Macro(m) => in_any(&here, &|t| has_word(t, &format!("macro_rules! {m}"))),
            Name::InModule(modules, item) => {
                let fs = module_files(files, modules);
                !fs.is_empty() && in_any(&fs, &|t| defines(t, item))
            }
            Name::Member(ty, member) if is_type(member) => {
                // A variant or associated item lives with its type's definition.
                let kinds = ["struct ", "enum ", "trait "];
                in_any(&all_src, &|t| {
                    kinds.iter().any(|k| has_word(t, &format!("{k}{ty}"))) && has_word(t, member)
                })
            }
            Name::Member(ty, member) => in_any(&here, &|t| {
                defines(t, member) && (defines(t, ty) || has_word(t, &format!("impl {ty}")))
            }),
        };
        if !ok {
            let what = match &n {
                Name::Item(i) => format!("`{i}`"),
                Name::Macro(m) => format!("`{m}!`"),
                Name::InModule(m, i) => format!("`{}::{i}`", m.join("::")),
                Name::Member(t, m) => format!("`{t}::{m}`"),
            };
            let where_ = match &n {
                Name::InModule(m, _) => format!("in the module `{}`", m.join("::")),
                Name::Member(t, m) if is_type(m) => format!("beside the definition of `{t}`"),
                _ => where_.clone(),
            };
            problems.push(format!(
                "ARCHITECTURE.md:{line}: {what} is not defined {where_}"
            ));
        }
    }
    problems
}

/// Every path ARCHITECTURE.md names exists, and every code name it puts in backticks is
/// defined in a file the same paragraph names. The failure lists each missing name with the
/// guide's line, so a rename elsewhere says which sentence to fix.
#[test]
fn the_guide_names_only_what_exists() {
    let guide = fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let files = code_files();
    let blocks = blocks(&guide);
    let problems: Vec<String> = blocks
        .iter()
        .flat_map(|(line, text)| check_block(*line, text, &files))
        .collect();
    assert!(
        problems.is_empty(),
        "ARCHITECTURE.md names what is not there:\n  {}",
        problems.join("\n  ")
    );
    // The reader saw the guide: blocks, paths and names.
    let names: usize = blocks
        .iter()
        .map(|(_, t)| backticked(t).iter().flat_map(|w| code_names(w)).count())
        .sum();
    let paths: usize = blocks.iter().map(|(_, t)| named_paths(t).len()).sum();
    assert!(
        blocks.len() > 15 && names > 30 && paths > 30,
        "{} blocks, {names} names, {paths} paths",
        blocks.len()
    );
}

/// The guide's reader finds a wrong turn: a missing file, a name defined elsewhere than its
/// paragraph says, a vanished member, and passes what is true.
#[test]
fn the_guide_reader_catches_a_wrong_turn() {
    let files = code_files();
    let check = |text: &str| check_block(1, text, &files);
    assert!(check("`Workspace::create_multiple` in `src/store/workspace/codes.rs`, built by `create_multiple::plan`; `Error::CodeCannotBeShared`.").is_empty());
    let wrong_file = check("The handler (`src/http/routes/access_codes.rs`, `create_multiple()`).");
    assert_eq!(wrong_file.len(), 1, "{wrong_file:?}");
    assert!(
        wrong_file[0].contains("`create_multiple`"),
        "{wrong_file:?}"
    );
    assert!(check("See `src/http/routes/nothing.rs`.")[0].contains("does not exist"));
    assert!(
        check("`Principal::into_workspace` (`src/store/sessions.rs`)")[0]
            .contains("`Principal::into_workspace`")
    );
    assert!(check("`Error::NoSuchVariant`")[0].contains("beside the definition of `Error`"));
    assert!(check("`domain::nowhere::Thing`")[0].contains("in the module `domain::nowhere`"));
    // Wire names, fields and prose in backticks are not code names.
    assert!(
        check("`invalid_input`, `device_ids`, `seam-request-id`, `{\"ok\": true}`, `PUT`")
            .is_empty()
    );
    assert_eq!(
        code_names("Params<CreateMultipleRequest>"),
        [
            Name::Item("Params".into()),
            Name::Item("CreateMultipleRequest".into())
        ]
    );
}
