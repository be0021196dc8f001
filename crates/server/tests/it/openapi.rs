//! The OpenAPI document lists exactly the API that is served.
use crate::common;

use common::{Engine, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn spec_operations(spec: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                ops.insert((method.to_string(), path.clone()));
            }
        }
    }
    ops
}

/// Every source file under `dir`, at any depth.
fn sources(dir: &str) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(dir)];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            } else if e.path().extension().is_some_and(|x| x == "rs") {
                files.push(e.path());
            }
        }
    }
    files
}

/// The component name of every `#[derive(… ToSchema …)]` type in the server's and the
/// services' source: the type's name, or its `#[schema(as = …)]`.
fn schema_names() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for dir in [
        concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/../service/src"),
    ] {
        for path in sources(dir) {
            let text = std::fs::read_to_string(&path).unwrap();
            for derive in text.split("#[derive(").skip(1) {
                let attrs = derive.split(')').next().unwrap_or("");
                if !attrs.contains("ToSchema") {
                    continue;
                }
                // The item the derive is on, and an `as` among its attributes.
                let item = derive
                    .find("pub struct ")
                    .into_iter()
                    .chain(derive.find("pub enum "))
                    .min()
                    .expect("a derive on a type");
                let renamed = derive[..item]
                    .split("#[schema(as = ")
                    .nth(1)
                    .map(|r| r.split(')').next().unwrap().rsplit("::").next().unwrap());
                let name = derive[item..]
                    .split_whitespace()
                    .nth(2)
                    .unwrap()
                    .trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_')
                    .split('<')
                    .next()
                    .unwrap();
                let file = path.display().to_string();
                let file = file.split("/crates/").last().unwrap_or(&file).to_string();
                out.push((renamed.unwrap_or(name).to_string(), file));
            }
        }
    }
    out
}

/// Two types under one component name: the document would describe one of them wherever
/// either is used (a request refused as a body of the other's shape).
#[test]
fn every_schema_has_a_name_of_its_own() {
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let names = schema_names();
    assert!(names.len() > 50, "only {} schemas found", names.len());
    for (name, file) in names {
        if let Some(first) = seen.insert(name.clone(), file.clone()) {
            panic!(
                "schema {name} is defined in {first} and {file}: rename one (`#[schema(as = …)]`)"
            );
        }
    }
}

/// `#[utoipa::path(method, path = "…")]` attributes anywhere in the server's source, prefixed
/// as served.
fn documented_in_source() -> BTreeSet<(String, String)> {
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    // Every source file, at any depth.
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(src)];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().is_dir() {
                dirs.push(e.path());
            } else {
                files.push(e.path());
            }
        }
    }
    let mut out = BTreeSet::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        if path.to_string_lossy().contains("/src/api/") {
            assert!(
                !text.contains(".route("),
                "{}: API routes must be registered with routes!() so they are documented",
                path.display()
            );
        }
        for attr in text.split("#[utoipa::path(").skip(1) {
            let method = attr.split(',').next().unwrap().trim().to_string();
            // A macro's template (`path = $path`) is counted at its invocations below.
            let Some(path) = attr.split("path = \"").nth(1) else {
                continue;
            };
            let path = path.split('"').next().unwrap();
            out.insert((method, format!("/api/v1{path}")));
        }
        // `simple_step!(name, "/path", …)` and `body_step!(…)`: documented POST routes that a
        // macro generates.
        for mac in ["simple_step!(", "body_step!("] {
            for call in text.split(mac).skip(1) {
                if let Some(path) = call.split('"').nth(1).filter(|p| p.starts_with('/')) {
                    out.insert(("post".to_string(), format!("/api/v1{path}")));
                }
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_is_documented_and_every_documented_route_is_served() {
    let app = TestApp::start(Engine::Sqlite).await.unwrap();
    let (st, spec) = app.anon().get("/api/openapi.json").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        spec["openapi"].as_str().map(|v| v.starts_with("3.")),
        Some(true)
    );
    let ops = spec_operations(&spec);
    let source = documented_in_source();
    assert_eq!(ops, source, "the document and the handlers disagree");
    assert!(ops.len() >= 25, "only {} operations", ops.len());
    for (_, path) in &ops {
        assert!(path.starts_with("/api/v1/"), "{path}");
    }
    // No web route hides under /api.
    for (method, path) in sijian_server::web::routes().served() {
        assert!(
            !path.starts_with("/api"),
            "{method} {path}: web routes must not use /api"
        );
    }
    // Every documented operation is served (answers something other than "no such route").
    let admin = app.token_client("admin", true).await;
    for (method, path) in &ops {
        let url = path.replace("{id}", "1");
        let (st, body) = match method.as_str() {
            "get" => admin.get(&url).await,
            "post" => admin.post(&url, json!({})).await,
            "put" => admin.put(&url, json!({})).await,
            "patch" => admin.patch(&url, json!({})).await,
            "delete" => admin.delete(&url).await,
            _ => unreachable!(),
        };
        assert!(
            st != StatusCode::METHOD_NOT_ALLOWED && body["error"]["code"] != "no_such_route",
            "{method} {path} is documented but not served: {st} {body}"
        );
    }
    // Every operation documents its errors with the shared error body.
    let text = spec.to_string();
    assert!(text.contains("#/components/schemas/ErrorBody"));
    app.stop().await;
}
