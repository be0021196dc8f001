//! Test harness: starts the real server on port 0 against a fresh SQLite file or a fresh
//! PostgreSQL database, with the demo dataset loaded, and drives it over HTTP.
#![allow(dead_code)]

use reqwest::StatusCode;
use serde_json::Value;
use sijian_server::{Config, Server};
use sijian_service::demo;
use sijian_store::{Db, PoolSettings};
use std::sync::atomic::{AtomicU32, Ordering};

pub const PASSWORD: &str = demo::DEMO_PASSWORD;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub engine: Engine,
    server: Option<Server>,
    pg_name: Option<String>,
    _dir: Option<tempdir::Dir>,
}

pub mod tempdir {
    /// A directory removed when dropped.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn pg_admin_url() -> String {
    std::env::var("SJTEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn unique() -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        % 1_000_000_000;
    format!("{}_{}_{}", std::process::id(), n, t)
}

/// Whether PostgreSQL tests must run (CI) or may be skipped with a printed reason.
fn pg_required() -> bool {
    std::env::var("SJTEST_REQUIRE_PG").is_ok_and(|v| v == "1")
}

impl TestApp {
    /// Starts an app, or returns None (printing why) when PostgreSQL is unavailable and not required.
    pub async fn start(engine: Engine) -> Option<TestApp> {
        Self::start_with(engine, |_| {}).await
    }

    pub async fn start_with(engine: Engine, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let mut cfg = Config {
            listen: "127.0.0.1:0".into(),
            metrics_listen: String::new(),
            ..Default::default()
        };
        cfg.database.acquire_timeout_ms = 2000;
        let mut dir = None;
        let mut pg_name = None;
        match engine {
            Engine::Sqlite => {
                let d = std::env::temp_dir().join(format!("sijian-test-{}", unique()));
                std::fs::create_dir_all(&d).unwrap();
                cfg.data_dir = d.clone();
                dir = Some(tempdir::Dir(d));
            }
            Engine::Postgres => {
                let admin = match Db::connect(
                    &pg_admin_url(),
                    &PoolSettings {
                        max_connections: Some(1),
                        ..Default::default()
                    },
                )
                .await
                {
                    Ok(db) => db,
                    Err(e) => {
                        if pg_required() {
                            panic!(
                                "PostgreSQL required (SJTEST_REQUIRE_PG=1) but unreachable at {}: {e:?}",
                                pg_admin_url()
                            );
                        }
                        eprintln!(
                            "SKIPPED: PostgreSQL not reachable at {} ({e}); set SJTEST_PG_URL or run .ci/run",
                            pg_admin_url()
                        );
                        return None;
                    }
                };
                let name = format!("sijian_test_{}", unique());
                admin
                    .execute(
                        &format!("CREATE DATABASE {name}"),
                        sijian_store::Args::new(),
                    )
                    .await
                    .expect("create test database");
                admin.close().await;
                let base = pg_admin_url();
                let root = base
                    .rsplit_once('/')
                    .map(|(r, _)| r.to_string())
                    .unwrap_or(base);
                cfg.database_url = Some(format!("{root}/{name}"));
                pg_name = Some(name);
            }
        }
        tweak(&mut cfg);
        let db = sijian_server::open_database(&cfg, true)
            .await
            .expect("open database");
        let keys = sijian_service::secrets::DataKey::load(&cfg).expect("data key");
        demo::load(&db, &keys).await.expect("demo data");
        let server = sijian_server::start(cfg, db.clone(), false)
            .await
            .expect("start server");
        Some(TestApp {
            base: format!("http://{}", server.addr),
            db,
            engine,
            server: Some(server),
            pg_name,
            _dir: dir,
        })
    }

    pub fn metrics_addr(&self) -> Option<std::net::SocketAddr> {
        self.server.as_ref().and_then(|s| s.metrics_addr)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client without credentials.
    pub fn anon(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            base: self.base.clone(),
            csrf: String::new(),
            token: None,
        }
    }

    /// A client signed in through `POST /api/v1/session`.
    pub async fn login(&self, username: &str) -> Client {
        let mut c = self.anon();
        let res = c
            .http
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "login {username}");
        let me: Value = res.json().await.unwrap();
        c.csrf = me["csrf_token"].as_str().unwrap().to_string();
        c
    }

    /// A client using a fresh API token of `username`.
    pub async fn token_client(&self, username: &str, read_only: bool) -> Client {
        let s = self.login(username).await;
        let (st, body) = s
            .post(
                "/api/v1/tokens",
                serde_json::json!({"name": "test", "read_only": read_only}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        Client {
            http: reqwest::Client::new(),
            base: self.base.clone(),
            csrf: String::new(),
            token: Some(body["token"].as_str().unwrap().to_string()),
        }
    }

    pub async fn scalar_i64(&self, sql: &str) -> i64 {
        self.db
            .scalar::<i64>(sql, sijian_store::Args::new())
            .await
            .unwrap()
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await;
        }
        self.db.close().await;
        if let Some(name) = self.pg_name.take()
            && let Ok(admin) = Db::connect(
                &pg_admin_url(),
                &PoolSettings {
                    max_connections: Some(1),
                    ..Default::default()
                },
            )
            .await
        {
            let _ = admin
                .execute(
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    sijian_store::Args::new(),
                )
                .await;
            admin.close().await;
        }
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
    pub token: Option<String>,
}

impl Client {
    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            r = r.bearer_auth(t);
        }
        if !self.csrf.is_empty() {
            r = r.header("X-CSRF-Token", &self.csrf);
        }
        r
    }
    async fn done(r: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let res = r.send().await.unwrap();
        let st = res.status();
        let text = res.text().await.unwrap();
        (
            st,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        Self::done(self.req(reqwest::Method::GET, path)).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        Self::done(self.req(reqwest::Method::POST, path).json(&body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        Self::done(self.req(reqwest::Method::PATCH, path).json(&body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        Self::done(self.req(reqwest::Method::PUT, path).json(&body)).await
    }
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        Self::done(self.req(reqwest::Method::DELETE, path)).await
    }
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let res = self.req(reqwest::Method::GET, path).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

/// Runs the test body once per engine: `both_engines!(name, |app| async move { … })`.
#[macro_export]
macro_rules! both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = common::TestApp::start(common::Engine::Sqlite)
                    .await
                    .expect("sqlite always available");
                ($body)(&app).await;
                app.stop().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) = common::TestApp::start(common::Engine::Postgres).await else {
                    return;
                };
                ($body)(&app).await;
                app.stop().await;
            }
        }
    };
}

/// The first practice item (a leaf of the classification) in institution `inst`'s scope.
pub async fn first_item(app: &TestApp, inst: i64) -> String {
    let scope: Vec<(String,)> = app
        .db
        .fetch_all(
            &format!("SELECT scope FROM institutions WHERE id = {inst}"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    let sub = scope[0].0.split(',').next().unwrap().to_string();
    sijian_domain::classification::Classification::current()
        .items(&sub)
        .next()
        .map(|e| e.code.to_string())
        .unwrap_or(sub)
}

/// A commission by 杭州市西湖区人民法院 to institution `inst` for `item`: a civil case with one
/// material, received on 2026-09-01.
pub fn commission_json(inst: i64, item: &str, persons: Value, case_number: &str) -> Value {
    serde_json::json!({
        "institution_id": inst,
        "client_name": "杭州市西湖区人民法院",
        "client_kind": "court",
        "client_contact": "0571-88888888",
        "case_number": case_number,
        "case_type": "civil",
        "items": [item],
        "purpose": "确定伤残等级",
        "summary": "原告与被告发生交通事故，原告受伤。",
        "persons": persons,
        "materials": [{"name": "病历", "kind": "书证", "quantity": "1 册", "condition": "完好", "storage": "常温", "received_at": "2026-09-01 09:30"}],
        "received_on": "2026-09-01",
    })
}
