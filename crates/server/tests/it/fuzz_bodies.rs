//! Issue 14, point 21: every POST, PUT and PATCH route, of the API and of the pages, answers
//! random and mutated bodies with a 4xx (or a success), never a 5xx or a panic (a panic answers
//! 500 through the catch-panic layer), on both engines.
//!
//! The routes come from the served OpenAPI document and from the server's list of what it
//! serves (`app::served`), so a new route is fuzzed without being listed here. Each starts from a valid-looking body — for the
//! API one built from the route's request schema, for a page the form the page itself draws —
//! and is sent mutated: values of the wrong type, huge numbers, NUL and control characters,
//! very long strings, deep nesting and broken JSON; for forms random, duplicated and missing
//! fields, percent-encoding garbage and invalid UTF-8, as URL-encoded and as multipart bodies.
//! Requests rotate over accounts of every kind of role and no account at all.
//!
//! `SJTEST_FUZZ_BODIES` sets the bodies per route (default 12, a few hundred per family of
//! routes); `PROPTEST_RNG_SEED` replays the byte-level mutations.
use crate::common;

use common::{Client, TestApp};
use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Map, Value, json};
use sijian_testkit::fuzz;
use std::collections::HashMap;

fn bodies_per_route() -> usize {
    std::env::var("SJTEST_FUZZ_BODIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12)
}

/// Accounts of the demo dataset, one of each kind of role.
const USERS: [&str; 7] = [
    "admin",
    "zj.reg",
    "hz.reg",
    "inst.head",
    "inst.clerk",
    "court",
    "appraiser",
];

/// A small deterministic generator for the structural mutations (xorshift64*).
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("PROPTEST_RNG_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        println!("structural mutations: seed {seed}");
        Rng(seed | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What the bodies got: how many answered each status, and every 5xx with what was sent.
#[derive(Default)]
struct Tally {
    statuses: std::collections::BTreeMap<u16, usize>,
    failures: Vec<Failure>,
}

/// A 5xx answer, with what was sent.
struct Failure {
    what: String,
    status: u16,
    answer: String,
}

fn excerpt(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    let cut: String = s.chars().take(300).collect();
    if cut.len() < s.len() {
        format!("{cut:?}… ({} bytes)", bytes.len())
    } else {
        format!("{cut:?}")
    }
}

/// Sends one body; a 5xx is recorded.
async fn send(
    who: Option<&Client>,
    anon: &Client,
    method: &Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
    tally: &mut Tally,
) {
    let c = who.unwrap_or(anon);
    let mut r = c
        .http
        .request(method.clone(), format!("{}{path}", c.base))
        .header(CONTENT_TYPE, content_type);
    if who.is_some() && !c.csrf.is_empty() {
        r = r.header("X-CSRF-Token", &c.csrf);
    }
    let sent = excerpt(&body);
    let res = match r.body(body).send().await {
        Ok(res) => res,
        // A server may answer (a refusal) before reading a large body and close the
        // connection, so the client cannot finish sending: counted as 0 while the server
        // still answers, a failure otherwise.
        Err(e) => {
            if anon.get("/healthz").await.0.is_success() {
                *tally.statuses.entry(0).or_default() += 1;
            } else {
                tally.failures.push(Failure {
                    what: format!("{method} {path} ({content_type}) {sent}"),
                    status: 0,
                    answer: format!("no answer, and the server no longer answers: {e}"),
                });
            }
            return;
        }
    };
    let status = res.status().as_u16();
    *tally.statuses.entry(status).or_default() += 1;
    if status >= 500 {
        let answer = res.text().await.unwrap_or_default();
        tally.failures.push(Failure {
            what: format!("{method} {path} ({content_type}) {sent}"),
            status,
            answer: answer.chars().take(300).collect(),
        });
    }
}

fn report(tally: &Tally) {
    let sent: usize = tally.statuses.values().sum::<usize>()
        + tally.failures.iter().filter(|f| f.status == 0).count();
    println!(
        "{sent} bodies; answers by status (0: closed early): {:?}",
        tally.statuses
    );
    if tally.failures.is_empty() {
        return;
    }
    let mut text = format!(
        "{} of {sent} bodies answered 5xx or nothing:\n",
        tally.failures.len()
    );
    for f in tally.failures.iter().take(25) {
        text.push_str(&format!("- {} → {} {}\n", f.what, f.status, f.answer));
    }
    panic!("{text}");
}

/// Signed-in clients for `USERS`, and one without an account.
async fn clients(app: &TestApp) -> (Vec<(String, Client)>, Client) {
    let mut out = Vec::new();
    for u in USERS {
        out.push((u.to_string(), app.login(u).await));
    }
    (out, app.anon())
}

/// Real record IDs for path parameters, by the word before them in the path; a changed body
/// then reaches the record's rules instead of stopping at "not found".
async fn ids(app: &TestApp) -> HashMap<&'static str, i64> {
    let mut out = HashMap::new();
    for (word, sql) in [
        ("cases", "SELECT MIN(id) FROM cases"),
        ("institutions", "SELECT MIN(id) FROM institutions"),
        ("appraisers", "SELECT MIN(id) FROM appraisers"),
        ("organs", "SELECT MIN(id) FROM organs"),
        ("applications", "SELECT MIN(id) FROM applications"),
        ("alerts", "SELECT MIN(id) FROM linkage_alerts"),
        ("tokens", "SELECT MIN(id) FROM api_tokens"),
        ("assistants", "SELECT MIN(id) FROM assistants"),
        ("appearances", "SELECT MIN(id) FROM court_appearances"),
        ("attachments", "SELECT MIN(id) FROM application_attachments"),
        // The last account: never one of those signed in here.
        ("users", "SELECT MAX(id) FROM users"),
    ] {
        let id = app
            .db
            .scalar::<Option<i64>>(sql, sijian_store::Args::new())
            .await
            .unwrap()
            .unwrap_or(1);
        out.insert(word, id);
    }
    out
}

/// The path with its parameters filled in: one path per value where a parameter names a
/// choice (a step, an application kind, an outcome).
fn expand(path: &str, ids: &HashMap<&'static str, i64>, steps: &[String]) -> Vec<String> {
    let mut out = vec![String::new()];
    let parts: Vec<&str> = path.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let before = if i > 0 { parts[i - 1] } else { "" };
        let values: Vec<String> = match *part {
            "{id}" | "{aid}" => vec![ids.get(before).copied().unwrap_or(1).to_string()],
            "{name}" if before == "steps" || before == "upload" => steps.to_vec(),
            "{kind}" => sijian_domain::licensing::ApplicationKind::ALL
                .iter()
                .map(|k| k.as_str().to_string())
                .collect(),
            "{outcome}" => vec!["attended".into(), "refused".into()],
            "{year}" => vec!["2026".into()],
            p if p.starts_with('{') => vec!["1".into()],
            p => vec![p.to_string()],
        };
        out = out
            .iter()
            .flat_map(|o| values.iter().map(move |v| format!("{o}/{v}")))
            .collect();
    }
    out.into_iter()
        .map(|p| p.trim_start_matches('/').to_string())
        .map(|p| format!("/{p}"))
        .collect()
}

/// Routes that end or change the sessions used here run last, so that the others are tried
/// while signed in; signing out last of all.
fn disruptive(path: &str) -> (bool, bool) {
    let changes = [
        "/users", "/account", "/tokens", "/session", "/logout", "/login",
    ]
    .iter()
    .any(|p| path.contains(p));
    (changes, path.contains("/logout"))
}

// ---------------------------------------------------------------------------------------------
// JSON bodies
// ---------------------------------------------------------------------------------------------

/// A plausible value for a field, by its name: enough for a body to pass the first checks.
fn plausible(name: &str, format: Option<&str>, ids: &HashMap<&'static str, i64>) -> Value {
    let n = name.to_ascii_lowercase();
    if n.ends_with("_id") {
        let table = format!("{}s", n.trim_end_matches("_id"));
        return json!(ids.get(table.as_str()).copied().unwrap_or(1));
    }
    let s = match n.as_str() {
        _ if format == Some("date") || n.ends_with("_on") || n.contains("date") => "2026-09-01",
        _ if n.ends_with("_at") => "2026-09-01 09:30",
        "case_number" => "（2026）浙0106民初1号",
        "id_number" => "11010519491231002X",
        "uscc" => "11330105002500287C",
        "region_code" => "330106",
        "username" => "fuzz.nobody",
        _ if n.contains("password") => "Not-The-Password-9",
        _ if n.contains("phone") || n.contains("contact") => "0571-88888888",
        _ if n.contains("url") => "http://192.0.2.1/hook",
        _ if n.contains("code") => "330000-2026-1-0000001-8",
        _ if n.contains("item") || n.contains("scope") => "1.01",
        _ => "测试",
    };
    json!(s)
}

/// A body for a schema of the OpenAPI document, every property filled in.
fn example(
    spec: &Value,
    schema: &Value,
    name: &str,
    ids: &HashMap<&'static str, i64>,
    depth: usize,
) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let key = r.rsplit('/').next().unwrap_or_default();
        return example(
            spec,
            &spec["components"]["schemas"][key],
            name,
            ids,
            depth + 1,
        );
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for s in all {
            if let Value::Object(o) = example(spec, s, name, ids, depth + 1) {
                merged.extend(o);
            }
        }
        return Value::Object(merged);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema.get(key).and_then(Value::as_array).and_then(|a| {
            a.iter()
                .find(|s| s.get("type").and_then(Value::as_str) != Some("null"))
        }) {
            return example(spec, first, name, ids, depth + 1);
        }
    }
    if let Some(e) = schema.get("example") {
        return e.clone();
    }
    if let Some(e) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return e.clone();
    }
    let ty = match &schema["type"] {
        Value::String(t) => t.as_str(),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "",
    };
    match ty {
        "object" => {
            let mut o = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, s) in props {
                    o.insert(k.clone(), example(spec, s, k, ids, depth + 1));
                }
            }
            Value::Object(o)
        }
        "array" => json!([example(spec, &schema["items"], name, ids, depth + 1)]),
        "integer" => plausible(name, None, ids)
            .as_i64()
            .map_or(json!(1), |v| json!(v)),
        "number" => json!(0.5),
        "boolean" => json!(true),
        "string" => plausible(name, schema["format"].as_str(), ids),
        _ => Value::Null,
    }
}

/// Values that break assumptions: wrong types, bounds, NUL and control characters, line and
/// paragraph separators, very long text, nesting.
fn nasty(rng: &mut Rng) -> Value {
    match rng.below(26) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(0),
        3 => json!(-1),
        4 => json!(i64::MAX),
        5 => json!(i64::MIN),
        6 => json!(u64::MAX),
        7 => json!(1e308),
        8 => json!(-0.5),
        9 => json!(""),
        10 => json!("   "),
        11 => json!("\u{0}"),
        12 => json!("名\u{0}称"),
        13 => json!("\u{1}\u{1b}[31m\u{7f}"),
        14 => json!("\u{85}\u{2028}\u{2029}\u{feff}"),
        15 => json!("字".repeat(100_000)),
        16 => json!("2026-02-30"),
        17 => json!("9999-12-31"),
        18 => json!("' OR 1=1 --"),
        19 => json!("<script>alert(1)</script>"),
        20 => json!([]),
        21 => json!({}),
        22 => json!(["1", 1, null, {"a": []}]),
        23 => {
            let mut v = json!("deep");
            for _ in 0..(40 + rng.below(200)) {
                v = json!([v]);
            }
            v
        }
        24 => json!("\t\r\n"),
        _ => json!("𠀀".repeat(3000)),
    }
}

/// Every place in a value, as a path of keys and indexes.
fn places(v: &Value, at: &mut Vec<Vec<Value>>, path: Vec<Value>) {
    at.push(path.clone());
    match v {
        Value::Object(o) => {
            for (k, c) in o {
                let mut p = path.clone();
                p.push(json!(k));
                places(c, at, p);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                let mut p = path.clone();
                p.push(json!(i));
                places(c, at, p);
            }
        }
        _ => {}
    }
}

fn at_mut<'a>(v: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, k| match k {
        Value::String(k) => v.get_mut(k.as_str()),
        Value::Number(i) => v.get_mut(i.as_u64()? as usize),
        _ => None,
    })
}

/// One to three structural changes: a value replaced, a key removed or added.
fn mutate_json(seed: &Value, rng: &mut Rng) -> Value {
    let mut v = seed.clone();
    for _ in 0..=rng.below(3) {
        let mut all = Vec::new();
        places(&v, &mut all, Vec::new());
        let path = rng.pick(&all).clone();
        let choice = rng.below(6);
        let replacement = nasty(rng);
        let Some(target) = at_mut(&mut v, &path) else {
            continue;
        };
        match (choice, target) {
            (0, Value::Object(o)) if !o.is_empty() => {
                let k = o
                    .keys()
                    .nth(rng.below(o.len()))
                    .cloned()
                    .unwrap_or_default();
                o.remove(&k);
            }
            (1, Value::Object(o)) => {
                o.insert(format!("x{}", rng.below(100)), replacement);
            }
            (2, Value::Array(a)) => a.push(replacement),
            (_, target) => *target = replacement,
        }
    }
    v
}

/// Bodies no JSON decoder should take well: empty, truncated, numbers out of range, a lone
/// surrogate, duplicate keys, nesting past every limit, invalid UTF-8.
fn broken_json(seed: &str, rng: &mut Rng) -> Vec<u8> {
    match rng.below(10) {
        0 => Vec::new(),
        1 => seed.as_bytes()[..rng.below(seed.len() + 1)].to_vec(),
        2 => seed
            .replacen(':', ":18446744073709551616e99999,\"_\":", 1)
            .into_bytes(),
        3 => seed.replacen(":\"", ":\"\\ud800", 1).into_bytes(),
        4 => seed.replacen('{', "{\"a\":1,\"a\":2,", 1).into_bytes(),
        5 => format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
        6 => {
            let mut b = seed.as_bytes().to_vec();
            let at = rng.below(b.len() + 1);
            b.splice(at..at, [0xff, 0xfe, 0xc0, 0xaf]);
            b
        }
        7 => b"null".to_vec(),
        8 => format!("[{seed},{seed}]").into_bytes(),
        _ => seed.replacen(":\"", ":\"\\u0000", 1).into_bytes(),
    }
}

both_engines!(
    api_routes_answer_mutated_json_with_4xx,
    async |app: &TestApp| {
        let (users, anon) = clients(app).await;
        let ids = ids(app).await;
        let (_, spec) = anon.get("/api/openapi.json").await;
        let mut routes: Vec<(Method, String, Value)> = Vec::new();
        for (path, item) in spec["paths"].as_object().unwrap() {
            for (name, method) in [
                ("post", Method::POST),
                ("put", Method::PUT),
                ("patch", Method::PATCH),
            ] {
                let Some(op) = item.get(name) else { continue };
                let schema = &op["requestBody"]["content"]["application/json"]["schema"];
                let seed = example(&spec, schema, "", &ids, 0);
                for p in expand(path, &ids, &[]) {
                    routes.push((method.clone(), p, seed.clone()));
                }
            }
        }
        assert!(
            routes.len() >= 45,
            "only {} API routes with bodies",
            routes.len()
        );
        routes.sort_by_key(|r| disruptive(&r.1));
        let mut rng = Rng::new();
        let mut tally = Tally::default();
        let per_route = bodies_per_route();
        for (method, path, seed) in &routes {
            let text = seed.to_string();
            let bytes = fuzz::samples(
                vec![text.clone().into_bytes()],
                [
                    "\"", ":", ",", "{", "}", "[", "]", "\\u0000", "\\ud800", "1e999", "-", "null",
                ]
                .map(|t| t.as_bytes().to_vec())
                .to_vec(),
                per_route / 3 + 1,
            );
            for k in 0..per_route {
                let body = match k % 3 {
                    0 => mutate_json(seed, &mut rng).to_string().into_bytes(),
                    1 => bytes[k / 3].clone(),
                    _ => broken_json(&text, &mut rng),
                };
                // Mostly signed in, in turn as each kind of account; now and then nobody.
                let who = if rng.below(8) == 0 {
                    None
                } else {
                    Some(&rng.pick(&users).1)
                };
                send(
                    who,
                    &anon,
                    method,
                    path,
                    "application/json",
                    body,
                    &mut tally,
                )
                .await;
            }
        }
        report(&tally);
    }
);

// ---------------------------------------------------------------------------------------------
// Page forms
// ---------------------------------------------------------------------------------------------

/// POST routes outside the API (the pages and the server's own), as the server lists what it
/// serves.
fn page_routes() -> Vec<String> {
    sijian_server::app::served()
        .into_iter()
        .filter(|(m, p)| *m == Method::POST && !p.starts_with("/api/"))
        .map(|(_, p)| p)
        .collect()
}

/// Names of the case steps (`/cases/{id}/steps/{name}`), from their table's source.
fn step_names() -> Vec<String> {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/web/cases/steps.rs"
    ))
    .unwrap();
    src.split("name: \"")
        .skip(1)
        .filter_map(|s| s.split('"').next().map(str::to_string))
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    tag[at..].split('"').next().map(unescape)
}

/// The fields of the form posting to `action` on a page, as the page fills them in, and
/// whether it is sent as multipart.
fn form_of(html: &str, action: &str) -> Option<(Vec<(String, String)>, bool)> {
    let start = html.find(&format!("action=\"{action}\""))?;
    let form_start = html[..start].rfind("<form")?;
    let form_end = html[start..]
        .find("</form>")
        .map_or(html.len(), |e| start + e);
    let form = &html[form_start..form_end];
    let multipart = form[..form.find('>').unwrap_or(0)].contains("multipart/form-data");
    let mut fields = Vec::new();
    for (i, _) in form.match_indices('<') {
        let tag = &form[i..form[i..].find('>').map_or(form.len(), |e| i + e)];
        let Some(name) = attr(tag, "name") else {
            continue;
        };
        if tag.starts_with("<input") {
            if attr(tag, "type").as_deref() == Some("file") {
                continue;
            }
            fields.push((name, attr(tag, "value").unwrap_or_default()));
        } else if tag.starts_with("<textarea") {
            let rest = &form[i + tag.len() + 1..];
            let text = rest.split("</textarea>").next().unwrap_or_default();
            fields.push((name, unescape(text)));
        } else if tag.starts_with("<select") {
            let rest = &form[i..];
            let value = rest
                .split("</select>")
                .next()
                .and_then(|s| s.split("<option").nth(1))
                .and_then(|o| attr(o, "value"))
                .unwrap_or_default();
            fields.push((name, value));
        }
    }
    Some((fields, multipart))
}

fn urlencode(fields: &[(String, String)]) -> Vec<u8> {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", urlencoding::encode(k), urlencoding::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

const BOUNDARY: &str = "sijianfuzzboundary";

fn multipart(fields: &[(String, String)], with_file: bool) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if with_file {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"attachments\"; \
                 filename=\"鉴定.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 \0\u{1}\r\n"
            )
            .as_bytes(),
        );
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

/// Raw, percent-encoded values that a browser would never send.
const NASTY_VALUES: &[&str] = &[
    "%00",
    "a%00b",
    "%FF%FE",
    "%C0%AF",
    "%E4%B8",
    "%01%1B%5B31m%7F",
    "%C2%85%E2%80%A8",
    "%",
    "%G1",
    "%%",
    "+%2B+",
    "2026-02-30",
    "99999999999999999999",
    "-1",
    "0",
    "on",
    "true",
];

/// One to three changes to the fields: a value made nasty, a field removed, duplicated or
/// added. `_csrf` is kept, so the body reaches the handler.
fn mutate_fields(fields: &[(String, String)], rng: &mut Rng) -> Vec<u8> {
    let mut f: Vec<(String, String)> = fields.to_vec();
    let mut raw: Vec<(usize, String)> = Vec::new();
    for _ in 0..=rng.below(3) {
        let i = rng.below(f.len());
        match rng.below(6) {
            0 if f.len() > 1 && f[i].0 != "_csrf" => {
                f.remove(i);
            }
            1 => {
                let copy = f[i].clone();
                f.push(copy);
            }
            2 => f.push((
                format!("x{}", rng.below(50)),
                "字".repeat(rng.below(20_000)),
            )),
            _ if f[i].0 != "_csrf" => raw.push((i, rng.pick(NASTY_VALUES).to_string())),
            _ => {}
        }
    }
    f.iter()
        .enumerate()
        .map(|(i, (k, v))| {
            let v = raw
                .iter()
                .find(|(j, _)| *j == i)
                .map_or_else(|| urlencoding::encode(v).into_owned(), |(_, r)| r.clone());
            format!("{}={v}", urlencoding::encode(k))
        })
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

both_engines!(
    page_forms_answer_mutated_bodies_with_4xx,
    async |app: &TestApp| {
        let (users, anon) = clients(app).await;
        let ids = ids(app).await;
        let steps = step_names();
        assert!(steps.len() >= 15, "{steps:?}");
        let mut routes: Vec<String> = page_routes()
            .iter()
            .flat_map(|p| expand(p, &ids, &steps))
            .collect();
        assert!(routes.len() >= 40, "only {} page routes", routes.len());
        routes.sort_by_key(|r| disruptive(r));
        let mut rng = Rng::new();
        let mut tally = Tally::default();
        let per_route = bodies_per_route();
        for path in &routes {
            // The form as the page draws it for the first account that may open it, who then
            // sends most of the bodies.
            // Nobody's turn comes last: the sign-in form (its CSRF token is the page's own).
            let candidates: Vec<&Client> = users.iter().map(|(_, c)| c).chain([&anon]).collect();
            let mut seed: Option<(Vec<(String, String)>, bool)> = None;
            let mut opener = None;
            for (i, c) in candidates.iter().enumerate() {
                let (st, html) = c.page(path).await;
                if st.is_success() {
                    seed = form_of(&html, path);
                    if seed.is_some() {
                        opener = Some(i);
                        break;
                    }
                }
            }
            let (fields, is_multipart) = seed.unwrap_or_else(|| {
                let multipart =
                    path.contains("/steps/") || path.contains("/new") || path.contains("/upload/");
                (Vec::new(), multipart)
            });
            for k in 0..per_route {
                let c = match opener {
                    Some(i) if rng.below(4) != 0 => candidates[i],
                    _ => &rng.pick(&users).1,
                };
                let mut f = fields.clone();
                if !c.csrf.is_empty() {
                    f.retain(|(k, _)| k != "_csrf");
                    f.insert(0, ("_csrf".to_string(), c.csrf.clone()));
                }
                let as_multipart = is_multipart && rng.below(4) != 0;
                let (content_type, body) = if as_multipart {
                    let plain = multipart(&f, rng.below(2) == 0);
                    let body = if k % 2 == 0 {
                        plain
                    } else {
                        fuzz::samples(vec![plain], Vec::new(), 1).remove(0)
                    };
                    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
                } else {
                    let body = match k % 3 {
                        0 => mutate_fields(&f, &mut rng),
                        1 => fuzz::samples(
                            vec![urlencode(&f)],
                            [
                                "%", "%00", "%FF", "%E4%B8", "&", "=", "+", "%0A", "%1B", "&_csrf=",
                            ]
                            .map(|t| t.as_bytes().to_vec())
                            .to_vec(),
                            1,
                        )
                        .remove(0),
                        _ => {
                            let mut b = urlencode(&f);
                            b.extend_from_slice(b"&\xff\xfe=\xc0\xaf&=&&%zz");
                            b
                        }
                    };
                    ("application/x-www-form-urlencoded".to_string(), body)
                };
                let who = (!c.csrf.is_empty()).then_some(c);
                send(
                    who,
                    &anon,
                    &Method::POST,
                    path,
                    &content_type,
                    body,
                    &mut tally,
                )
                .await;
            }
        }
        report(&tally);
    }
);
