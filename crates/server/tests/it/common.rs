//! Test harness: starts the real server on port 0 against a fresh SQLite file or a fresh
//! PostgreSQL database (from `sijian_testkit`), with the demo dataset loaded or empty, and
//! drives it over HTTP.
#![allow(dead_code)]

use reqwest::StatusCode;
use serde_json::Value;
use sijian_server::{Config, Server};
use sijian_service::demo;
use sijian_store::Db;
use sijian_testkit::Place;

pub use sijian_testkit::Engine;
pub use sijian_testkit::engine::pg_admin_url;

pub const PASSWORD: &str = demo::DEMO_PASSWORD;

pub struct TestApp {
    pub base: String,
    pub db: Db,
    /// The configuration the server started with.
    pub cfg: Config,
    pub engine: Engine,
    server: Option<Server>,
    place: Option<Place>,
}

/// What the database holds when the server starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Data {
    /// The demo dataset (`sijian_service::demo`).
    Demo,
    /// Nothing but the migrations and the shipped regions: a test builds what it needs with
    /// `sijian_testkit::build` (and `TestApp::account` for accounts that sign in).
    Empty,
}

impl TestApp {
    /// Starts an app on the demo dataset, or returns None (printing why) when PostgreSQL is
    /// unavailable and not required.
    pub async fn start(engine: Engine) -> Option<TestApp> {
        Self::start_with(engine, |_| {}).await
    }

    pub async fn start_with(engine: Engine, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
        Self::launch(engine, Data::Demo, tweak).await
    }

    /// Starts an app on an empty database (see `Data::Empty`).
    pub async fn start_empty(engine: Engine) -> Option<TestApp> {
        Self::launch(engine, Data::Empty, |_| {}).await
    }

    pub async fn launch(
        engine: Engine,
        data: Data,
        tweak: impl FnOnce(&mut Config),
    ) -> Option<TestApp> {
        let mut cfg = Config {
            listen: "127.0.0.1:0".into(),
            metrics_listen: String::new(),
            ..Default::default()
        };
        cfg.database.acquire_timeout_ms = 2000;
        let place = Place::new(engine).await?;
        cfg.data_dir = place.dir.path().to_path_buf();
        if engine == Engine::Postgres {
            cfg.database_url = Some(place.url().to_string());
        }
        tweak(&mut cfg);
        let db = sijian_server::open_database(&cfg, true)
            .await
            .expect("open database");
        if data == Data::Demo {
            let keys = sijian_service::keyring::open(&db, &cfg)
                .await
                .expect("keys")
                .data;
            demo::load(&db, &keys).await.expect("demo data");
        }
        let server = sijian_server::start(cfg.clone(), db.clone(), false)
            .await
            .expect("start server");
        Some(TestApp {
            base: format!("http://{}", server.addr),
            db,
            cfg,
            engine,
            server: Some(server),
            place: Some(place),
        })
    }

    /// An account of `role` (with what the role needs attached, see
    /// `sijian_testkit::build::user_with`) that signs in with `PASSWORD`; `edit` may change it.
    pub async fn account(
        &self,
        role: sijian_domain::Role,
        edit: impl FnOnce(&mut sijian_store::users::NewUser),
    ) -> sijian_store::users::User {
        let hash = password_hash();
        sijian_testkit::build::user_with(&self.db, role, |u| {
            u.password_hash = hash;
            edit(u)
        })
        .await
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
        if let Some(place) = self.place.take() {
            place.remove().await;
        }
    }
}

/// The argon2 hash of `PASSWORD`, computed once per test binary.
pub fn password_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| sijian_service::secrets::hash_password(PASSWORD))
        .clone()
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

/// Runs the test body once per engine: `both_engines!(name, |app| async move { … })` on the demo
/// dataset, `both_engines!(name, empty, |app| …)` on an empty database (`Data::Empty`),
/// `both_engines!(name, config = |cfg| …, |app| …)` on the demo dataset with the configuration
/// changed.
#[macro_export]
macro_rules! both_engines {
    ($name:ident, empty, $body:expr) => {
        $crate::both_engines!(@on $name, common::Data::Empty, |_| {}, $body);
    };
    ($name:ident, config = $tweak:expr, $body:expr) => {
        $crate::both_engines!(@on $name, common::Data::Demo, $tweak, $body);
    };
    ($name:ident, $body:expr) => {
        $crate::both_engines!(@on $name, common::Data::Demo, |_| {}, $body);
    };
    (@on $name:ident, $data:expr, $tweak:expr, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = common::TestApp::launch(common::Engine::Sqlite, $data, $tweak)
                    .await
                    .expect("sqlite always available");
                ($body)(&app).await;
                app.stop().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) =
                    common::TestApp::launch(common::Engine::Postgres, $data, $tweak).await
                else {
                    return;
                };
                ($body)(&app).await;
                app.stop().await;
            }
        }
    };
}

/// The first practice item (a leaf of the classification) in institution `inst`'s scope.
/// The first code of institution `inst`'s business scope.
pub async fn first_scope_code(app: &TestApp, inst: i64) -> String {
    let scope: Vec<(String,)> = app
        .db
        .fetch_all(
            &format!("SELECT scope FROM institutions WHERE id = {inst}"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    scope[0].0.split(',').next().unwrap().to_string()
}

pub async fn first_item(app: &TestApp, inst: i64) -> String {
    let sub = first_scope_code(app, inst).await;
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
