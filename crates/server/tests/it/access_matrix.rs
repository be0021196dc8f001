//! Issue 14, point 20: the access matrix. `access_matrix.txt` states, for every route the server
//! serves (`sijian_server::app::served`, taken from the code that registers them) and every
//! kind of caller, the answer expected; this test walks every route as every caller on both
//! engines, compares, and checks what each answer wrote to the operations log against the
//! file's `log` lines. A served route missing from the file, or a line for a route no longer
//! served, fails the test, and every mismatch is printed at once as the line the file would
//! need (docs/SECURITY.md, "The access matrix").
use crate::common;

use common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};
use sijian_domain::Role;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

const MATRIX: &str = include_str!("access_matrix.txt");
const MATRIX_PATH: &str = "crates/server/tests/it/access_matrix.txt";

/// The callers, in the file's column order: the column name, and who it is.
const CALLERS: &[(&str, Who)] = &[
    ("anon", Who::Anonymous),
    ("organ", Who::Demo("court")),
    ("head", Who::Demo("inst.head")),
    ("clerk", Who::Demo("inst.clerk")),
    ("appr", Who::Demo("appraiser")),
    ("moj", Who::Demo("moj")),
    ("prov", Who::Demo("zj.reg")),
    ("city", Who::Demo("hz.reg")),
    ("county", Who::Demo("xh.reg")),
    ("assoc", Who::Demo("assoc")),
    ("insp", Who::Demo("inspector")),
    ("admin", Who::Demo("admin")),
    ("ro", Who::ReadOnlyToken(RO_USER)),
    ("org2", Who::Extra(OTHER_ORG)),
    ("city2", Who::Extra(OTHER_REGION)),
];

/// A read-only token's account: a second head of the demo institution (its own name, so the
/// operations log tells its rows from the head's session).
const RO_USER: &str = "matrix.ro";
/// The head of another institution in the same city.
const OTHER_ORG: &str = "matrix.other.head";
/// The city regulator of another city (宁波市).
const OTHER_REGION: &str = "matrix.nb.reg";

#[derive(Debug, Clone, Copy)]
enum Who {
    Anonymous,
    Demo(&'static str),
    ReadOnlyToken(&'static str),
    Extra(&'static str),
}

impl Who {
    /// The name the operations log records.
    fn username(self) -> &'static str {
        match self {
            Who::Anonymous => "-",
            Who::Demo(u) | Who::ReadOnlyToken(u) | Who::Extra(u) => u,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The file
// ---------------------------------------------------------------------------------------------

/// One line of the matrix: a route, how its placeholders are filled, and the answers.
#[derive(Debug, Clone)]
struct Row {
    line: usize,
    method: Method,
    path: String,
    /// `name=value` for each placeholder, and the options `enc=multipart`, `fresh=1`,
    /// `query=…`, `body=…`.
    fill: BTreeMap<String, String>,
    expect: Vec<String>,
}

struct Matrix {
    rows: Vec<Row>,
    /// Answer code → (operations-log result on a read, on a change); `-` for no row.
    log: BTreeMap<String, (String, String)>,
}

const CODES: &[&str] = &["ok", "login", "deny", "hide", "bad"];

fn parse_matrix(text: &str) -> Matrix {
    let mut rows = Vec::new();
    let mut log = BTreeMap::new();
    let mut columns = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split(" #").next().unwrap().trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        match words[0] {
            "callers" => columns = Some(words[1..].to_vec()),
            "log" => {
                assert_eq!(words.len(), 4, "line {}: log CODE READ CHANGE", i + 1);
                log.insert(
                    words[1].to_string(),
                    (words[2].to_string(), words[3].to_string()),
                );
            }
            m => {
                let method = Method::from_bytes(m.as_bytes())
                    .unwrap_or_else(|_| panic!("line {}: unknown method {m}", i + 1));
                let n = CALLERS.len();
                assert!(
                    words.len() >= 2 + n,
                    "line {}: METHOD PATH, {n} answers, then name=value fills",
                    i + 1
                );
                let fill = words[2 + n..]
                    .iter()
                    .map(|w| {
                        let (k, v) = w.split_once('=').unwrap_or_else(|| {
                            panic!("line {}: fill {w} is not name=value", i + 1)
                        });
                        (k.to_string(), v.to_string())
                    })
                    .collect();
                let expect: Vec<String> = words[2..2 + n].iter().map(|w| w.to_string()).collect();
                for e in &expect {
                    assert!(CODES.contains(&e.as_str()), "line {}: answer {e}", i + 1);
                }
                rows.push(Row {
                    line: i + 1,
                    method,
                    path: words[1].to_string(),
                    fill,
                    expect,
                });
            }
        }
    }
    let names: Vec<&str> = CALLERS.iter().map(|(n, _)| *n).collect();
    assert_eq!(columns, Some(names), "the `callers` line names the columns");
    for c in CODES {
        assert!(log.contains_key(*c), "no `log {c} …` line");
    }
    Matrix { rows, log }
}

// ---------------------------------------------------------------------------------------------
// Callers and fixtures
// ---------------------------------------------------------------------------------------------

/// How a caller proves who it is.
#[derive(Clone)]
enum Cred {
    None,
    Session { cookie: String, csrf: String },
    Bearer(String),
}

struct Caller {
    column: &'static str,
    who: Who,
    user_id: Option<i64>,
    cred: Cred,
}

/// A session for `user_id`, written as sign-in writes it (the sign-in itself is a row of the
/// matrix; hashing a password per caller would only slow the test).
async fn session(app: &TestApp, user_id: i64) -> Cred {
    let sid = sijian_service::secrets::random_secret();
    let csrf = sijian_service::secrets::random_secret();
    let now = sijian_store::now_ms();
    sijian_store::sessions::create(
        &app.db,
        &sijian_store::sessions::NewSession {
            id_hash: &sijian_service::secrets::sha256_hex(&sid),
            user_id,
            csrf: &csrf,
            now,
            expires_at: now + 3_600_000,
            ip: "127.0.0.1",
            user_agent: "access-matrix",
        },
    )
    .await
    .unwrap();
    Cred::Session {
        cookie: format!("sijian_session={sid}"),
        csrf,
    }
}

/// An API token of `user_id`, as `POST /api/v1/tokens` makes it.
async fn token(app: &TestApp, user_id: i64, read_only: bool) -> Cred {
    let user = sijian_store::users::get(&app.db, &sijian_domain::Scope::All, user_id)
        .await
        .unwrap();
    let token = format!(
        "{}{}",
        sijian_service::secrets::TOKEN_PREFIX,
        sijian_service::secrets::random_secret()
    );
    sijian_store::tokens::create(
        &app.db,
        &user.actor(),
        sijian_store::tokens::NewToken {
            user: &user,
            name: "access matrix",
            token_hash: &sijian_service::secrets::sha256_hex(&token),
            token_prefix: &token[..8],
            org_key: &user.principal().org_key(),
            read_only,
            expires_at: None,
        },
    )
    .await
    .unwrap();
    Cred::Bearer(token)
}

impl Caller {
    /// A credential of its own for one request (routes that end the session, `fresh=1`).
    async fn fresh(&self, app: &TestApp) -> Cred {
        match (self.who, self.user_id) {
            (Who::ReadOnlyToken(_), Some(id)) => token(app, id, true).await,
            (_, Some(id)) => session(app, id).await,
            _ => Cred::None,
        }
    }
}

async fn id_of(app: &TestApp, sql: &str) -> i64 {
    app.scalar_i64(sql).await
}

/// A JSON request made while setting up, as `cred`; its answer must be a success.
async fn setup_call(app: &TestApp, cred: &Cred, method: Method, path: &str, body: Value) -> Value {
    let mut r = reqwest::Client::new()
        .request(method.clone(), app.url(path))
        .json(&body);
    if let Cred::Session { cookie, csrf } = cred {
        r = r.header("Cookie", cookie).header("X-CSRF-Token", csrf);
    }
    let res = r.send().await.unwrap();
    let st = res.status();
    let v: Value = res.json().await.unwrap_or(Value::Null);
    assert!(st.is_success(), "{method} {path}: {st} {v}");
    v
}

/// Records the demo lacks, made as their makers make them: an assistant of the demo appraiser,
/// a court appearance on the case, a linkage alert on a case of the institution (the same
/// person commissioned at another institution first), the court's webhook (inactive), and two
/// live API tokens of the clerk (one revoked through the API, one through the page).
async fn extra_records(
    app: &TestApp,
    f: &BTreeMap<String, String>,
    other: i64,
) -> BTreeMap<String, String> {
    let user = |name: &'static str| async move {
        session(
            app,
            id_of(
                app,
                &format!("SELECT id FROM users WHERE username = '{name}'"),
            )
            .await,
        )
        .await
    };
    let (clerk, court) = (user("inst.clerk").await, user("court").await);
    let mut out = BTreeMap::new();
    let a = setup_call(
        app,
        &clerk,
        Method::POST,
        &format!("/api/v1/appraisers/{}/assistants", f["appraiser"]),
        json!({"name": "林助理", "gender": "female", "education": "bachelor", "started_on": "2026-01-05"}),
    )
    .await;
    out.insert("assistant".into(), a["id"].to_string());

    let case = &f["case"];
    let version = id_of(app, &format!("SELECT version FROM cases WHERE id = {case}")).await;
    let signers: Vec<(i64,)> = app
        .db
        .fetch_all(
            &format!("SELECT appraiser_id FROM case_signatures WHERE case_id = {case}"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    setup_call(
        app,
        &clerk,
        Method::POST,
        &format!("/api/v1/cases/{case}/appearances"),
        json!({"version": version, "appraiser_ids": signers.iter().map(|s| s.0).collect::<Vec<_>>(),
               "court": "杭州市西湖区人民法院", "hearing_on": "2026-12-21"}),
    )
    .await;
    out.insert(
        "appearance".into(),
        id_of(
            app,
            &format!("SELECT MAX(id) FROM court_appearances WHERE case_id = {case}"),
        )
        .await
        .to_string(),
    );

    let own: i64 = f["inst"].parse().unwrap();
    let person = json!([{"name": "张晓明", "id_number": "11010519491231002X"}]);
    let item_b = common::first_item(app, other).await;
    let item_a = common::first_item(app, own).await;
    setup_call(
        app,
        &court,
        Method::POST,
        "/api/v1/cases",
        common::commission_json(other, &item_b, person.clone(), "（2026）浙0106民初8101号"),
    )
    .await;
    let second = setup_call(
        app,
        &clerk,
        Method::POST,
        "/api/v1/cases",
        common::commission_json(own, &item_a, person, "（2026）浙0106民初8102号"),
    )
    .await;
    out.insert(
        "alert".into(),
        id_of(
            app,
            &format!(
                "SELECT MIN(id) FROM linkage_alerts WHERE case_id = {}",
                second["id"]
            ),
        )
        .await
        .to_string(),
    );

    setup_call(
        app,
        &court,
        Method::PUT,
        &format!("/api/v1/organs/{}/webhook", f["organ"]),
        json!({"url": "http://127.0.0.1:9/matrix", "active": false}),
    )
    .await;

    let clerk_id = id_of(app, "SELECT id FROM users WHERE username = 'inst.clerk'").await;
    for name in ["token", "token-page"] {
        token(app, clerk_id, false).await;
        out.insert(
            name.into(),
            id_of(
                app,
                &format!("SELECT MAX(id) FROM api_tokens WHERE user_id = {clerk_id}"),
            )
            .await
            .to_string(),
        );
    }
    out
}

/// The accounts the demo lacks: a read-only token's account at the demo institution, the head
/// of another institution of the same city, a city regulator of another city.
async fn extra_accounts(app: &TestApp, own: i64, other: i64) {
    app.account(Role::InstitutionHead, |u| {
        u.username = RO_USER.into();
        u.attachment.institution_id = Some(own);
    })
    .await;
    app.account(Role::InstitutionHead, |u| {
        u.username = OTHER_ORG.into();
        u.attachment.institution_id = Some(other);
    })
    .await;
    app.account(Role::RegulatorCity, |u| {
        u.username = OTHER_REGION.into();
        u.attachment.region_code = Some("330200".into());
    })
    .await;
}

/// The records the placeholders name (`@name` in the file): the demo institution's own, so the
/// other institution's head and the other city's regulator are out of scope. The case is an
/// issued one commissioned online by the demo court, on which the demo appraiser works or
/// reviewed.
async fn fixtures(app: &TestApp, own: i64) -> BTreeMap<String, String> {
    let me = |u: &str, col: &str| format!("SELECT {col} FROM users WHERE username = '{u}'");
    let appraiser = me("appraiser", "appraiser_id");
    let case = format!(
        "SELECT MIN(c.id) FROM cases c \
         WHERE c.institution_id = {own} AND c.stage = 'issued' AND c.organ_id = ({}) \
         AND (c.id IN (SELECT case_id FROM case_assignments WHERE appraiser_id = ({appraiser})) \
           OR c.id IN (SELECT case_id FROM case_reviewers WHERE reviewer_id = ({appraiser})))",
        me("court", "organ_id"),
    );
    // An open application with an attachment; withdrawing and resubmitting use a closed one,
    // which nobody can change.
    let application = format!(
        "SELECT MIN(id) FROM applications WHERE institution_id = {own} \
         AND stage IN ('submitted', 'accepted') AND id IN (SELECT application_id FROM application_attachments)"
    );
    let queries = [
        ("inst", own.to_string()),
        ("appraiser", me("appraiser", "appraiser_id")),
        ("organ", me("court", "organ_id")),
        ("user", me("inst.clerk", "id")),
        ("case", case.clone()),
        (
            "case-file",
            format!("SELECT MIN(id) FROM case_attachments WHERE case_id = ({case})"),
        ),
        (
            "appearance",
            format!("SELECT MIN(id) FROM court_appearances WHERE case_id = ({case})"),
        ),
        ("application", application.clone()),
        (
            "application-attachment",
            format!(
                "SELECT MIN(id) FROM application_attachments WHERE application_id = ({application})"
            ),
        ),
        (
            "closed-application",
            format!(
                "SELECT MIN(id) FROM applications WHERE institution_id = {own} \
                 AND stage IN ('approved', 'refused', 'withdrawn')"
            ),
        ),
        (
            "event",
            format!(
                "SELECT MIN(id) FROM events WHERE entity_type = 'case' AND entity_id = CAST(({case}) AS TEXT)"
            ),
        ),
    ];
    let mut f = BTreeMap::new();
    for (name, sql) in queries {
        let v = if sql.starts_with("SELECT") {
            app.db
                .scalar::<Option<i64>>(&sql, sijian_store::Args::new())
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
                .map(|v| v.to_string())
        } else {
            Some(sql)
        };
        if let Some(v) = v {
            f.insert(name.to_string(), v);
        }
    }
    let code: Vec<(String,)> = app
        .db
        .fetch_all(
            &format!("SELECT code FROM opinions WHERE case_id = ({case})"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    if let Some((code,)) = code.into_iter().next() {
        f.insert("code".into(), code);
    }
    let (_, licence) = app
        .anon()
        .get(&format!("/api/v1/public/institutions/{own}/licence"))
        .await;
    if let Some(id) = licence["id"].as_str() {
        f.insert("licence".into(), id.to_string());
    }
    f
}

// ---------------------------------------------------------------------------------------------
// One request
// ---------------------------------------------------------------------------------------------

/// A route's placeholders filled: `@name` is a fixture, anything else is literal.
fn concrete_path(row: &Row, fixtures: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = row.path.as_str();
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').ok_or("unclosed {")? + open;
        let name = rest[open + 1..close].trim_start_matches('*');
        let given = row
            .fill
            .get(name)
            .ok_or_else(|| format!("no fill for {{{name}}}"))?;
        let value = match given.strip_prefix('@') {
            Some(f) => fixtures
                .get(f)
                .cloned()
                .ok_or_else(|| format!("no fixture @{f}"))?,
            None => given.clone(),
        };
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    if let Some(q) = row.fill.get("query") {
        out.push('?');
        out.push_str(q);
    }
    Ok(out)
}

/// The smallest JSON value a schema accepts the shape of: required properties only, empty
/// strings, zeros, false, empty lists, the first of a choice. It passes the body extractor, so
/// the caller's access is what the answer shows.
fn minimal(schema: &Value, doc: &Value, depth: usize) -> Value {
    if depth > 12 {
        return Value::Null;
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        return minimal(&doc["components"]["schemas"][name], doc, depth + 1);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema.get(key).and_then(|v| v.as_array()).and_then(|a| {
            a.iter()
                .find(|s| s.get("type").and_then(Value::as_str) != Some("null"))
        }) {
            return minimal(first, doc, depth + 1);
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for s in all {
            if let Value::Object(m) = minimal(s, doc, depth + 1) {
                merged.extend(m);
            }
        }
        return Value::Object(merged);
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return first.clone();
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "null",
    };
    match ty {
        "object" => {
            let mut m = Map::new();
            let required: BTreeSet<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, v) in props {
                    if required.contains(k.as_str()) {
                        m.insert(k.clone(), minimal(v, doc, depth + 1));
                    }
                }
            }
            Value::Object(m)
        }
        "string" => json!(""),
        "integer" | "number" => json!(0),
        "boolean" => json!(false),
        "array" => json!([]),
        _ => Value::Null,
    }
}

/// The JSON body of an API change: the row's `body=…`, else the minimal body of its schema.
fn api_body(row: &Row, doc: &Value) -> Option<Value> {
    if let Some(b) = row.fill.get("body") {
        return Some(serde_json::from_str(b).expect("body= is JSON"));
    }
    let op = &doc["paths"][&row.path][row.method.as_str().to_lowercase()];
    let schema = op["requestBody"]["content"]["application/json"]["schema"].clone();
    (!schema.is_null()).then(|| minimal(&schema, doc, 0))
}

/// What one request answered.
#[derive(Debug, Clone)]
struct Seen {
    status: u16,
    code: String,
    detail: String,
}

/// The answer as a matrix code: `login` for 401 or the redirect to sign in, `deny` for 403,
/// `hide` for 404, `bad` for another 4xx (the caller got through to the input), `ok` for 2xx
/// and other redirects; anything else is shown by its status and never matches.
fn classify(status: StatusCode, location: Option<&str>) -> String {
    match status.as_u16() {
        401 => "login".into(),
        300..=399 if location.is_some_and(|l| l.starts_with("/login?next=")) => "login".into(),
        200..=399 => "ok".into(),
        403 => "deny".into(),
        404 => "hide".into(),
        429 => "429".into(),
        400..=499 => "bad".into(),
        s => s.to_string(),
    }
}

/// The signed-out caller's value for the sign-in form's CSRF field and cookie.
const ANON_CSRF: &str = "access-matrix-signed-out";

struct Walk {
    base: String,
    doc: Value,
    fixtures: BTreeMap<String, String>,
    http: reqwest::Client,
}

impl Walk {
    async fn request(&self, row: &Row, cred: &Cred) -> Seen {
        let path = match concrete_path(row, &self.fixtures) {
            Ok(p) => p,
            Err(e) => {
                return Seen {
                    status: 0,
                    code: "fill?".into(),
                    detail: e,
                };
            }
        };
        let url = format!("{}{}", self.base, path);
        let mut r = self.http.request(row.method.clone(), url);
        // Page forms carry the session's CSRF token; the sign-in form's double-submit cookie is
        // sent with the same value, so the sign-in form is judged on what it asks too.
        let (cookie, csrf) = match cred {
            Cred::None => (String::new(), ANON_CSRF),
            Cred::Session { cookie, csrf } => (format!("{cookie}; "), csrf.as_str()),
            Cred::Bearer(t) => {
                r = r.bearer_auth(t);
                (String::new(), "")
            }
        };
        if !csrf.is_empty() {
            r = r.header("Cookie", format!("{cookie}sijian_login_csrf={csrf}"));
        }
        let changing = row.method != Method::GET;
        if row.path.starts_with("/api/") {
            if matches!(cred, Cred::Session { .. }) {
                r = r.header("X-CSRF-Token", csrf);
            }
            if changing && let Some(body) = api_body(row, &self.doc) {
                r = r.json(&body);
            }
        } else if changing {
            if row.fill.get("enc").map(String::as_str) == Some("multipart") {
                let boundary = "access-matrix-boundary";
                let body = format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}--\r\n"
                );
                r = r
                    .header(
                        "Content-Type",
                        format!("multipart/form-data; boundary={boundary}"),
                    )
                    .body(body);
            } else {
                r = r.form(&[("_csrf", csrf)]);
            }
        }
        let res = r.send().await.unwrap();
        let status = res.status();
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = res.text().await.unwrap_or_default();
        // The error's code, and for a body the extractor refused its reason (the matrix's
        // minimal body should pass the extractor: fix the row's `body=` if not).
        let detail = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| {
                let code = v["error"]["code"].as_str()?.to_string();
                Some(match code.as_str() {
                    "invalid_body" | "bad_request" => {
                        format!("{code}: {}", v["error"]["message"].as_str().unwrap_or(""))
                    }
                    _ => code,
                })
            })
            .or(location.clone())
            .unwrap_or_default();
        Seen {
            status: status.as_u16(),
            code: classify(status, location.as_deref()),
            detail,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

/// The results of the operations-log rows each (username, method, path) wrote after `since`.
async fn log_rows(app: &TestApp, since: i64) -> HashMap<(String, String, String), Vec<String>> {
    let rows: Vec<(String, String, String, String)> = app
        .db
        .fetch_all(
            &format!(
                "SELECT username, method, path, result FROM op_log WHERE id > {since} ORDER BY id"
            ),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    let mut out: HashMap<_, Vec<String>> = HashMap::new();
    for (user, method, path, result) in rows {
        out.entry((user, method, path)).or_default().push(result);
    }
    out
}

both_engines!(
    every_route_as_every_caller,
    config = |c: &mut sijian_server::Config| {
        // Every caller walks from one address: the public limit would answer 429.
        c.security.public_requests_per_second = 1e6;
        c.security.public_burst = 1e6;
        // Every refused attempt's row is checked, so none is folded into the next.
        c.security.anonymous_log_window_seconds = 0;
        // Every caller signs in wrongly from one address, twice.
        c.security.ip_failure_limit = 1000;
        // The court's webhook points at this machine (and is inactive).
        c.webhooks.allow_networks = vec!["127.0.0.0/8".into()];
        c.webhooks.allow_http = true;
    },
    async |app: &TestApp| {
        let started = std::time::Instant::now();
        let matrix = parse_matrix(MATRIX);

        // The file and the router agree on the routes.
        let served: BTreeSet<(String, String)> = sijian_server::app::served()
            .into_iter()
            .map(|(m, p)| (m.to_string(), p))
            .collect();
        let listed: BTreeSet<(String, String)> = matrix
            .rows
            .iter()
            .map(|r| (r.method.to_string(), r.path.clone()))
            .collect();
        let missing: Vec<_> = served.difference(&listed).collect();
        let stale: Vec<_> = listed.difference(&served).collect();
        assert!(
            missing.is_empty() && stale.is_empty(),
            "{MATRIX_PATH} and the router disagree.\nserved but not in the file: {missing:#?}\nin the file but not served: {stale:#?}"
        );
        assert_eq!(
            matrix.rows.len(),
            listed.len(),
            "one line per route in {MATRIX_PATH}"
        );

        // Who asks, about which records.
        let own = id_of(
            app,
            "SELECT institution_id FROM users WHERE username = 'inst.head'",
        )
        .await;
        let other = id_of(
            app,
            &format!(
                "SELECT MIN(id) FROM institutions WHERE id <> {own} AND region_path LIKE '%330100%' AND status = 'normal'"
            ),
        )
        .await;
        extra_accounts(app, own, other).await;
        let mut fixtures = fixtures(app, own).await;
        let extra = extra_records(app, &fixtures, other).await;
        fixtures.extend(extra);
        let mut callers = Vec::new();
        for (column, who) in CALLERS {
            let user_id = match who {
                Who::Anonymous => None,
                w => Some(
                    id_of(
                        app,
                        &format!("SELECT id FROM users WHERE username = '{}'", w.username()),
                    )
                    .await,
                ),
            };
            let mut c = Caller {
                column,
                who: *who,
                user_id,
                cred: Cred::None,
            };
            c.cred = c.fresh(app).await;
            callers.push(c);
        }
        // The log's proofs and its first full tile need a published checkpoint of 256 leaves.
        let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let (st, note) = app.anon().page("/api/v1/ledger/checkpoint").await;
            let size: u64 = note
                .lines()
                .nth(1)
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            if st == StatusCode::OK && size >= 256 {
                break;
            }
            assert!(
                std::time::Instant::now() < until,
                "no checkpoint published: {note}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let (_, doc) = app.anon().get("/api/openapi.json").await;
        let walk = Arc::new(Walk {
            base: app.base.clone(),
            doc,
            fixtures,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        });
        let since = app
            .scalar_i64("SELECT COALESCE(MAX(id), 0) FROM op_log")
            .await;

        // Every caller walks every route, callers side by side; routes that end a session get
        // a credential of their own, after the rest.
        let walk_started = std::time::Instant::now();
        let rows = Arc::new(matrix.rows.clone());
        let mut tasks = tokio::task::JoinSet::new();
        let ending = rows.iter().filter(|r| r.fill.contains_key("fresh")).count();
        for (ci, c) in callers.iter().enumerate() {
            let mut fresh = Vec::new();
            for _ in 0..ending {
                fresh.push(c.fresh(app).await);
            }
            let (walk, rows, cred) = (walk.clone(), rows.clone(), c.cred.clone());
            tasks.spawn(async move {
                let mut seen = Vec::new();
                let mut fresh = fresh.into_iter();
                let order = rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| !r.fill.contains_key("fresh"))
                    .chain(
                        rows.iter()
                            .enumerate()
                            .filter(|(_, r)| r.fill.contains_key("fresh")),
                    );
                for (ri, row) in order {
                    let cred = if row.fill.contains_key("fresh") {
                        fresh.next().unwrap()
                    } else {
                        cred.clone()
                    };
                    seen.push((ri, walk.request(row, &cred).await));
                }
                (ci, seen)
            });
        }
        let mut seen: BTreeMap<(usize, usize), Seen> = BTreeMap::new();
        while let Some(done) = tasks.join_next().await {
            let (ci, s) = done.unwrap();
            for (ri, x) in s {
                seen.insert((ri, ci), x);
            }
        }
        let walked = walk_started.elapsed();
        let log = log_rows(app, since).await;

        // Compare, and print every difference as the line the file would need.
        let mut report = String::new();
        let mut wrong = 0;
        for (ri, row) in matrix.rows.iter().enumerate() {
            let mut line_wrong = Vec::new();
            let mut observed = Vec::new();
            for (ci, c) in callers.iter().enumerate() {
                let s = &seen[&(ri, ci)];
                observed.push(s.code.clone());
                if s.code != row.expect[ci] {
                    line_wrong.push(format!(
                        "{}: expected {}, got {} ({} {})",
                        c.column, row.expect[ci], s.code, s.status, s.detail
                    ));
                }
                // What the answer wrote to the operations log.
                let path = concrete_path(row, &walk.fixtures)
                    .unwrap_or_default()
                    .split('?')
                    .next()
                    .unwrap()
                    .to_string();
                let key = (c.who.username().to_string(), row.method.to_string(), path);
                let wrote = log.get(&key).cloned().unwrap_or_default();
                if let Some((read, change)) = matrix.log.get(&s.code) {
                    let want = if row.method == Method::GET {
                        read
                    } else {
                        change
                    };
                    let want: Vec<String> = if want == "-" {
                        vec![]
                    } else {
                        vec![want.clone()]
                    };
                    if wrote != want {
                        line_wrong.push(format!(
                            "{}: {} should write {:?} to the operations log, wrote {:?}",
                            c.column, s.code, want, wrote
                        ));
                    }
                }
            }
            if !line_wrong.is_empty() {
                wrong += line_wrong.len();
                let fill: Vec<String> = row.fill.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let _ = writeln!(
                    report,
                    "line {}: {} {}\n  {}\n  now: {} {} {} {}",
                    row.line,
                    row.method,
                    row.path,
                    line_wrong.join("\n  "),
                    row.method,
                    row.path,
                    observed.join(" "),
                    fill.join(" ")
                );
            }
        }
        eprintln!(
            "access matrix on {:?}: {} routes × {} callers walked in {:.1}s ({:.1}s with the setup)",
            app.engine,
            matrix.rows.len(),
            callers.len(),
            walked.as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
        assert!(
            wrong == 0,
            "{wrong} differences from {MATRIX_PATH} (columns: {}; records: {:?}):\n{report}",
            CALLERS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(" "),
            walk.fixtures
        );
    }
);

/// `served` lists what `Routes` and the OpenAPI document register; a route added to a router
/// any other way would be served without a line in the matrix. So `.route(` appears in the
/// server's source only in `routes.rs` (the API's `routes!` is checked in `openapi.rs`).
#[test]
fn routes_are_registered_only_where_they_are_listed() {
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    let mut checked = 0;
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.ends_with("src/routes.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for call in [
                ".route(",
                ".route_service(",
                ".nest_service(",
                ".fallback_service(",
            ] {
                assert!(
                    !text.contains(call),
                    "{}: `{call}` registers a route the access matrix does not see; add it through `routes::Routes`",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} files read");
}

// Refused attempts without a signed-in user are logged at most once per address and result a
// minute (`security.anonymous_log_window_seconds`, default 60), sign-ins each; a signed-in
// caller's refusals are each logged, refused reads (404) included; a path no route serves is
// not a refused read.
both_engines!(
    anonymous_refusals_cannot_grow_the_log,
    empty,
    async |app: &TestApp| {
        let inspector = app
            .account(Role::Inspector, |u| u.username = "inspector".into())
            .await;
        let since = app
            .scalar_i64("SELECT COALESCE(MAX(id), 0) FROM op_log")
            .await;
        let anon = app.anon();
        for _ in 0..20 {
            assert_eq!(anon.get("/api/v1/cases").await.0, StatusCode::UNAUTHORIZED);
            assert_eq!(
                anon.page("/cases").await.0,
                StatusCode::OK,
                "the sign-in page"
            );
            assert_eq!(
                anon.get("/api/v1/public/institutions/999999").await.0,
                StatusCode::NOT_FOUND
            );
        }
        // Sign-ins need a password: each is written.
        app.login("inspector").await;
        app.login("inspector").await;
        let Cred::Session { cookie, csrf } = session(app, inspector.id).await else {
            unreachable!()
        };
        let http = reqwest::Client::new();
        for path in [
            "/api/v1/institutions/999999",
            "/api/v1/users",
            "/api/v1/no-such-route",
        ] {
            for _ in 0..3 {
                http.get(app.url(path))
                    .header("Cookie", &cookie)
                    .header("X-CSRF-Token", &csrf)
                    .send()
                    .await
                    .unwrap();
            }
        }
        let rows: Vec<(String, String, String)> = app
            .db
            .fetch_all(
                &format!(
                    "SELECT username, path, result FROM op_log WHERE id > {since} ORDER BY id"
                ),
                sijian_store::Args::new(),
            )
            .await
            .unwrap();
        let count = |user: &str, result: &str| {
            rows.iter()
                .filter(|(u, _, r)| u == user && r == result)
                .count()
        };
        // Signed out: 40 denials (the API's 401s and the pages' redirects to sign in) and 20
        // refused reads, one row each.
        assert_eq!(count("-", "denied"), 1, "{rows:?}");
        assert_eq!(count("-", "not_found"), 1, "{rows:?}");
        assert_eq!(count("-", "ok"), 2, "{rows:?}");
        // Signed in: every refusal, and no row for the route that does not exist.
        assert_eq!(count("inspector", "not_found"), 3, "{rows:?}");
        assert_eq!(count("inspector", "denied"), 3, "{rows:?}");
        assert!(
            !rows.iter().any(|(_, p, _)| p == "/api/v1/no-such-route"),
            "{rows:?}"
        );
    }
);
