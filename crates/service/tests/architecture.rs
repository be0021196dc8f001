//! The shape of the workspace, checked on every test run (docs/ARCHITECTURE.md):
//! - no import cycle between the top-level modules of any crate;
//! - in the server, the pages (`web`) and the JSON API (`api`) never import each other;
//! - the layers' crates do not depend on what belongs to a layer above them (the services know
//!   no HTTP framework or template engine; the pure crates know no database).
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Source text without comments, so that doc links and prose do not count as imports.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_block = 0usize;
    for line in text.lines() {
        let mut rest = line;
        let mut kept = String::new();
        loop {
            if in_block > 0 {
                match rest.find("*/") {
                    Some(i) => {
                        in_block -= 1;
                        rest = &rest[i + 2..];
                    }
                    None => break,
                }
            } else if let Some(i) = rest.find("/*") {
                let before = &rest[..i];
                if let Some(j) = before.find("//") {
                    kept.push_str(&before[..j]);
                    break;
                }
                kept.push_str(before);
                in_block += 1;
                rest = &rest[i + 2..];
            } else {
                match rest.find("//") {
                    Some(j) => kept.push_str(&rest[..j]),
                    None => kept.push_str(rest),
                }
                break;
            }
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

fn ident_at(s: &str) -> Option<&str> {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (end > 0).then(|| &s[..end])
}

/// The crate-level names a piece of code refers to: `crate::x`, `crate::{x, y::z}`, and the
/// `prefix` that means the crate root at this file's depth (`super::` in a top-level file).
fn referenced(code: &str, prefixes: &[String]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for prefix in prefixes {
        let mut from = 0;
        while let Some(i) = code[from..].find(prefix.as_str()) {
            let at = from + i;
            from = at + prefix.len();
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &code[from..];
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 1;
                let mut item_start = true;
                let mut i = 0;
                let bytes = group.as_bytes();
                while i < bytes.len() && depth > 0 {
                    match bytes[i] {
                        b'{' => depth += 1,
                        b'}' => depth -= 1,
                        b',' if depth == 1 => item_start = true,
                        c if item_start && depth == 1 && !c.is_ascii_whitespace() => {
                            if let Some(id) = ident_at(&group[i..]) {
                                found.insert(id.to_string());
                                i += id.len();
                                item_start = false;
                                continue;
                            }
                            item_start = false;
                        }
                        _ => {}
                    }
                    i += 1;
                }
            } else if let Some(id) = ident_at(rest) {
                found.insert(id.to_string());
            }
        }
    }
    found
}

/// Every `.rs` file under `dir`, with its depth below the crate's `src` (a top-level file: 0).
fn rust_files(dir: &Path, depth: usize, out: &mut Vec<(PathBuf, usize)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, depth + 1, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push((p, depth));
        }
    }
}

/// The top-level modules of one crate and the top-level modules each refers to.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut modules = BTreeSet::new();
    for e in std::fs::read_dir(src).unwrap().flatten() {
        let p = e.path();
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        if p.is_dir()
            || (name != "lib" && name != "main" && p.extension().is_some_and(|x| x == "rs"))
        {
            modules.insert(name);
        }
    }
    for m in &modules {
        let mut files = Vec::new();
        let file = src.join(format!("{m}.rs"));
        if file.exists() {
            files.push((file, 0));
        }
        rust_files(&src.join(m), 1, &mut files);
        let mut refs = BTreeSet::new();
        for (f, depth) in files {
            let is_mod_rs = f.file_name().is_some_and(|n| n == "mod.rs");
            // How many `super::` reach the crate root from this file.
            let up = if is_mod_rs { depth } else { depth + 1 };
            let prefixes = vec!["crate::".to_string(), "super::".repeat(up)];
            let code = code_only(&std::fs::read_to_string(&f).unwrap());
            refs.extend(referenced(&code, &prefixes));
        }
        let deps = refs
            .into_iter()
            .filter(|r| r != m && modules.contains(r))
            .collect();
        graph.insert(m.clone(), deps);
    }
    graph
}

/// The groups of modules that import each other, directly or through others (the strongly
/// connected components with more than one module), each with one cycle through it.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(n) = todo.pop() {
            for d in graph.get(&n).into_iter().flatten() {
                if seen.insert(d.clone()) {
                    todo.push(d.clone());
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|n| (n, reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for n in graph.keys() {
        if done.contains(n) || !reachable[n].contains(n) {
            continue;
        }
        let group: Vec<String> = graph
            .keys()
            .filter(|m| reachable[n].contains(*m) && reachable[*m].contains(n))
            .cloned()
            .collect();
        done.extend(group.iter().cloned());
        out.push(group);
    }
    out
}

fn workspace_crates() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(crates_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("src").is_dir())
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), p))
        .collect();
    out.sort();
    out
}

#[test]
fn no_import_cycle_between_the_top_level_modules_of_any_crate() {
    let crates = workspace_crates();
    assert!(crates.len() >= 6, "the workspace's crates were not found");
    let mut found = Vec::new();
    for (name, dir) in &crates {
        let graph = module_graph(&dir.join("src"));
        for group in cycles(&graph) {
            let edges: Vec<String> = group
                .iter()
                .flat_map(|m| {
                    graph[m]
                        .iter()
                        .filter(|d| group.contains(d))
                        .map(move |d| format!("{m} → {d}"))
                })
                .collect();
            found.push(format!("{name}: {}", edges.join(", ")));
        }
    }
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
}

#[test]
fn pages_and_api_never_import_each_other() {
    let graph = module_graph(&crates_dir().join("server/src"));
    assert!(graph.contains_key("api") && graph.contains_key("web"));
    assert!(!graph["api"].contains("web"), "api imports web");
    assert!(!graph["web"].contains("api"), "web imports api");
}

/// The dependencies named in a crate's `[dependencies]` section.
fn dependencies(krate: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(crates_dir().join(krate).join("Cargo.toml")).unwrap();
    let mut deps = BTreeSet::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
            continue;
        }
        if inside && let Some((name, _)) = line.split_once('=') {
            deps.insert(name.trim().to_string());
        }
    }
    deps
}

#[test]
fn layers_depend_downwards_only() {
    let forbidden: &[(&str, &[&str])] = &[
        (
            "domain",
            &[
                "sqlx",
                "rusqlite",
                "tokio",
                "axum",
                "askama",
                "utoipa",
                "sijian-store",
            ],
        ),
        (
            "ledger",
            &[
                "sqlx",
                "rusqlite",
                "tokio",
                "axum",
                "askama",
                "sijian-store",
            ],
        ),
        (
            "linkage",
            &[
                "sqlx",
                "rusqlite",
                "tokio",
                "axum",
                "askama",
                "sijian-store",
            ],
        ),
        (
            "store",
            &["axum", "askama", "sijian-service", "sijian-server"],
        ),
        (
            "service",
            &["axum", "askama", "tower", "tower-http", "sijian-server"],
        ),
    ];
    let mut wrong = Vec::new();
    for (krate, banned) in forbidden {
        let deps = dependencies(krate);
        assert!(
            !deps.is_empty() || *krate == "ledger",
            "no dependencies read for {krate}"
        );
        for b in *banned {
            if deps.contains(*b) {
                wrong.push(format!("{krate} depends on {b}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_reader_sees_grouped_and_nested_imports() {
    let code = code_only(
        "use crate::{a, b::{c, d}, e::f};\n// use crate::commented;\nlet x = super::g::h();\n",
    );
    let refs = referenced(&code, &["crate::".to_string(), "super::".to_string()]);
    let want: BTreeSet<String> = ["a", "b", "e", "g"].iter().map(|s| s.to_string()).collect();
    assert_eq!(refs, want);
    let mut g = BTreeMap::new();
    g.insert("x".to_string(), BTreeSet::from(["y".to_string()]));
    g.insert("y".to_string(), BTreeSet::from(["x".to_string()]));
    g.insert("z".to_string(), BTreeSet::from(["x".to_string()]));
    assert_eq!(cycles(&g), vec![vec!["x".to_string(), "y".to_string()]]);
}
