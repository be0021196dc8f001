//! Webhooks to commissioning organs over HTTP on both engines: the `court` organ sets its
//! webhook, commissions a case that 浙江明正 accepts, and a receiver started here gets both
//! notifications signed with the secret shown once; failures are retried with back-off and
//! finally given up; other organs cannot see the webhook; loopback, private and other
//! special-purpose addresses are refused unless allow-listed, at registration and at delivery;
//! a failed delivery shows a category, never the raw error.
use crate::common;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use common::{Client, Engine, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Back-off base in the tests (ms); the waits are 300, 600, 1200 ms.
const BASE_MS: u64 = 300;
const MAX_ATTEMPTS: u32 = 4;

#[derive(Debug, Clone)]
struct Got {
    headers: HeaderMap,
    body: Bytes,
    at: Instant,
}

/// A tiny receiver: records every request and answers 500 to the next `fail` ones.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Got>>>,
    fail: Arc<AtomicU32>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> AxumStatus {
    r.got.lock().unwrap().push(Got {
        headers,
        body,
        at: Instant::now(),
    });
    let failing = r
        .fail
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        AxumStatus::INTERNAL_SERVER_ERROR
    } else {
        AxumStatus::OK
    }
}

impl Receiver {
    async fn start() -> (Receiver, String) {
        let r = Receiver::default();
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(r.clone());
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(l, app).await;
        });
        (r, format!("http://{addr}/hook"))
    }

    fn all(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived (at most 20 s).
    async fn wait_for(&self, n: usize) -> Vec<Got> {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let all = self.all();
            if all.len() >= n {
                return all;
            }
            assert!(
                Instant::now() < until,
                "expected {n} requests, got {}",
                all.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn header<'a>(g: &'a Got, name: &str) -> &'a str {
    g.headers
        .get(name)
        .unwrap_or_else(|| panic!("missing {name}"))
        .to_str()
        .unwrap()
}

/// Recomputes `X-Sijian-Signature` independently of the server's code.
fn assert_signed(g: &Got, secret: &str) {
    use hmac::{KeyInit, Mac};
    let ts = header(g, "X-Sijian-Timestamp");
    let ts_n: i64 = ts.parse().unwrap();
    let now = sijian_store::now_ms() / 1000;
    assert!((now - ts_n).abs() < 120, "timestamp {ts_n} vs now {now}");
    let mut m = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(ts.as_bytes());
    m.update(b".");
    m.update(&g.body);
    let want = format!("sha256={}", hex::encode(m.finalize().into_bytes()));
    assert_eq!(header(g, "X-Sijian-Signature"), want);
    assert_eq!(header(g, "Content-Type"), "application/json");
}

fn body(g: &Got) -> Value {
    serde_json::from_slice(&g.body).unwrap()
}

async fn one_id(app: &TestApp, sql: &str) -> i64 {
    app.scalar_i64(sql).await
}

/// A commission by the `court` organ to 浙江明正, for an item of its scope.
async fn commission_body(app: &TestApp, case_number: &str) -> Value {
    let inst = one_id(
        app,
        "SELECT id FROM institutions WHERE name = '浙江明正司法鉴定中心'",
    )
    .await;
    let item = common::first_item(app, inst).await;
    common::commission_json(inst, &item, json!([{"name": "张三"}]), case_number)
}

async fn commission(app: &TestApp, court: &Client, case_number: &str) -> Value {
    let (st, case) = court
        .post("/api/v1/cases", commission_body(app, case_number).await)
        .await;
    assert_eq!(st, StatusCode::CREATED, "{case}");
    case
}

async fn deliveries(c: &Client, organ: i64) -> Vec<Value> {
    let (st, v) = c
        .get(&format!(
            "/api/v1/organs/{organ}/webhook/deliveries?per_page=50"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["items"].as_array().unwrap().clone()
}

/// Polls the deliveries list until the one with `id` has `status`.
async fn wait_status(c: &Client, organ: i64, id: i64, status: &str) -> Value {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let d = deliveries(c, organ)
            .await
            .into_iter()
            .find(|d| d["id"] == id)
            .expect("delivery listed");
        if d["status"] == status {
            return d;
        }
        assert!(Instant::now() < until, "delivery {id} never {status}: {d}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn start(engine: Engine) -> Option<TestApp> {
    TestApp::start_with(engine, |cfg| {
        cfg.webhooks.allow_networks = vec!["127.0.0.0/8".into()];
        // The test receiver speaks plain HTTP (HTTPS deliveries: webhooks.rs unit tests).
        cfg.webhooks.allow_http = true;
        cfg.webhooks.interval_ms = 50;
        cfg.webhooks.timeout_ms = 2000;
        cfg.webhooks.backoff_base_ms = BASE_MS;
        cfg.webhooks.backoff_max_ms = 5000;
        cfg.webhooks.max_attempts = MAX_ATTEMPTS;
    })
    .await
}

async fn scenario(app: &TestApp) {
    let (rx, url) = Receiver::start().await;
    let organ = one_id(app, "SELECT organ_id FROM users WHERE username = 'court'").await;
    let court = app.login("court").await;
    let hook_path = format!("/api/v1/organs/{organ}/webhook");

    // Nothing set yet.
    let (st, _) = court.get(&hook_path).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // The organ sets its own webhook; the secret is shown once.
    let (st, set) = court
        .put(&hook_path, json!({"url": url, "active": true}))
        .await;
    assert_eq!(st, StatusCode::OK, "{set}");
    let secret = set["secret"].as_str().unwrap().to_string();
    assert!(secret.len() >= 32, "{set}");
    assert_eq!(set["url"], url.as_str());
    assert_eq!(set["active"], true);

    // Never again: not by GET, not in the record, not in plain text in the database.
    let (st, got) = court.get(&hook_path).await;
    assert_eq!(st, StatusCode::OK, "{got}");
    assert!(got.get("secret").is_none(), "{got}");
    assert!(!got.to_string().contains(&secret));
    assert_eq!(got["url"], url.as_str());
    let zj = app.login("zj.reg").await;
    let (st, by_reg) = zj.get(&hook_path).await;
    assert_eq!(st, StatusCode::OK, "{by_reg}");
    assert!(!by_reg.to_string().contains(&secret));
    let payloads: Vec<(String,)> = app
        .db
        .fetch_all(
            &format!("SELECT payload FROM events WHERE kind = 'organ.webhook_set' AND entity_type = 'organ' AND entity_id = '{organ}' ORDER BY id"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    assert_eq!(payloads.len(), 1);
    assert!(!payloads[0].0.contains(&secret), "{}", payloads[0].0);
    assert!(payloads[0].0.contains(&url));
    let stored: Vec<(String,)> = app
        .db
        .fetch_all(
            &format!("SELECT secret FROM organ_webhooks WHERE organ_id = {organ}"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    assert!(!stored[0].0.contains(&secret));

    // Another organ, and institution staff, cannot see or change it.
    let proc_ = app.login("procurator").await;
    let clerk = app.login("inst.clerk").await;
    for c in [&proc_, &clerk] {
        let (st, _) = c.get(&hook_path).await;
        assert!(
            matches!(st, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{st}"
        );
        let (st, _) = c
            .put(
                &hook_path,
                json!({"url": "http://203.0.113.9/x", "active": true}),
            )
            .await;
        assert!(
            matches!(st, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{st}"
        );
        let (st, _) = c.get(&format!("{hook_path}/deliveries")).await;
        assert!(
            matches!(st, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{st}"
        );
    }
    // Bad addresses are refused on the field.
    for bad in [
        "ftp://example.org/x",
        "not a url",
        "http://u:p@203.0.113.9/",
    ] {
        let (st, v) = court.put(&hook_path, json!({"url": bad})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
        assert_eq!(v["error"]["fields"][0]["field"], "url", "{v}");
    }

    // Commission, then acceptance: two signed notifications, in order.
    let case = commission(app, &court, "（2026）浙0106民初 01234号").await;
    let (st, accepted) = clerk
        .post(
            &format!("/api/v1/cases/{}/accept", case["id"]),
            json!({"version": case["version"]}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{accepted}");
    let got = rx.wait_for(2).await;
    let events: Vec<&str> = got.iter().map(|g| header(g, "X-Sijian-Event")).collect();
    assert_eq!(events, ["case.commissioned", "case.accepted"]);
    for g in &got {
        assert_signed(g, &secret);
        let b = body(g);
        assert_eq!(b["case_id"], case["id"]);
        assert_eq!(b["event"], header(g, "X-Sijian-Event"));
        assert!(b["event_id"].as_i64().is_some(), "{b}");
    }
    assert_eq!(body(&got[0])["stage"], "received");
    assert_eq!(body(&got[1])["stage"], "accepted");
    let list = deliveries(&court, organ).await;
    assert_eq!(list.len(), 2);
    // Newest first; the delivery header names the row.
    for (g, d) in got.iter().zip(list.iter().rev()) {
        assert_eq!(header(g, "X-Sijian-Delivery"), d["id"].to_string());
        assert_eq!(d["event"], header(g, "X-Sijian-Event"));
        // Delivered once the receiver answered; the worker records it just after.
        let d = wait_status(&court, organ, d["id"].as_i64().unwrap(), "delivered").await;
        assert_eq!(d["attempts"], 1, "{d}");
        assert!(d["next_at"].is_null() && d["delivered_at"].is_i64(), "{d}");
        assert_eq!(d["last_error"], "", "{d}");
    }

    // The receiver fails twice: retried after the back-off, then delivered.
    rx.fail.store(2, Ordering::SeqCst);
    let before = rx.all().len();
    let case2 = commission(app, &court, "（2026）浙0106民初 01235号").await;
    let got = rx.wait_for(before + 3).await;
    let tries = &got[before..before + 3];
    let id = header(&tries[0], "X-Sijian-Delivery").to_string();
    for g in tries {
        assert_eq!(header(g, "X-Sijian-Delivery"), id, "same delivery retried");
        assert_eq!(header(g, "X-Sijian-Event"), "case.commissioned");
        assert_eq!(body(g)["case_id"], case2["id"]);
        assert_signed(g, &secret);
    }
    let gap1 = tries[1].at - tries[0].at;
    let gap2 = tries[2].at - tries[1].at;
    assert!(
        gap1 >= Duration::from_millis(BASE_MS * 8 / 10),
        "first retry after {gap1:?}"
    );
    assert!(
        gap2 >= Duration::from_millis(2 * BASE_MS * 8 / 10),
        "second retry after {gap2:?}"
    );
    let d = wait_status(&court, organ, id.parse().unwrap(), "delivered").await;
    assert_eq!(d["attempts"], 3, "{d}");
    assert_eq!(d["last_error"], "对方返回错误状态 500", "{d}");

    // A receiver that keeps failing: given up after the attempts, with its last error kept.
    rx.fail.store(1000, Ordering::SeqCst);
    let before = rx.all().len();
    commission(app, &court, "（2026）浙0106民初 01236号").await;
    let got = rx.wait_for(before + MAX_ATTEMPTS as usize).await;
    let id: i64 = header(&got[before], "X-Sijian-Delivery").parse().unwrap();
    let d = wait_status(&court, organ, id, "given_up").await;
    assert_eq!(d["attempts"], MAX_ATTEMPTS, "{d}");
    assert!(d["next_at"].is_null(), "{d}");
    assert!(d["last_error"].as_str().unwrap().contains("500"), "{d}");
    tokio::time::sleep(Duration::from_millis(3 * BASE_MS)).await;
    assert_eq!(
        rx.all().len(),
        before + MAX_ATTEMPTS as usize,
        "not retried once given up"
    );
    rx.fail.store(0, Ordering::SeqCst);

    // Switched off: nothing more is queued. Setting it again shows a new secret.
    let (st, off) = court
        .put(&hook_path, json!({"url": url, "active": false}))
        .await;
    assert_eq!(st, StatusCode::OK, "{off}");
    assert_ne!(off["secret"].as_str().unwrap(), secret);
    let queued = app.scalar_i64("SELECT COUNT(*) FROM webhook_outbox").await;
    commission(app, &court, "（2026）浙0106民初 01237号").await;
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM webhook_outbox").await,
        queued
    );
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM events WHERE kind = 'organ.webhook_set' AND entity_id = '{organ}'"
        ))
        .await,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_retried_and_scoped_sqlite() {
    let app = start(Engine::Sqlite)
        .await
        .expect("sqlite always available");
    scenario(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_retried_and_scoped_postgres() {
    let Some(app) = start(Engine::Postgres).await else {
        return;
    };
    scenario(&app).await;
    app.stop().await;
}

async fn put_hook(app: &TestApp, c: &Client, url: &str) -> (StatusCode, Value) {
    let organ = app
        .scalar_i64("SELECT organ_id FROM users WHERE username = 'court'")
        .await;
    c.put(
        &format!("/api/v1/organs/{organ}/webhook"),
        json!({"url": url, "active": true}),
    )
    .await
}

// With the default configuration, loopback, link-local, private, unique-local and the other
// special-purpose addresses are refused, also inside IPv6 forms, each naming its rule.
both_engines!(special_addresses_refused, async |app: &TestApp| {
    {
        let court = app.login("court").await;
        let (rx, receiver) = Receiver::start().await;
        let port = receiver
            .trim_start_matches("http://127.0.0.1:")
            .trim_end_matches("/hook");
        for (bad, rule) in [
            ("https://127.0.0.1:9/hook", "RFC 1122"),
            (&format!("https://127.0.0.1:{port}/hook"), "RFC 1122"),
            ("https://localhost:8080/hook", "RFC 1122"),
            ("https://[::1]/hook", "RFC 4291"),
            ("https://169.254.169.254/latest/meta-data", "RFC 3927"),
            ("https://10.0.0.1/hook", "RFC 1918"),
            ("https://172.16.5.4/hook", "RFC 1918"),
            ("https://192.168.1.1/hook", "RFC 1918"),
            ("https://100.64.0.1/hook", "RFC 6598"),
            ("https://198.18.0.1/hook", "RFC 2544"),
            ("https://203.0.113.9/hook", "RFC 5737"),
            ("https://[fd00::1]/", "RFC 4193"),
            ("https://[64:ff9b::a00:1]/", "RFC 6052"),
            ("https://[::ffff:10.0.0.1]/", "RFC 1918"),
            ("https://[2002:c0a8:101::1]/", "RFC 3056"),
        ] {
            let (st, v) = put_hook(app, &court, bad).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
            assert_eq!(v["error"]["code"], "validation_failed", "{v}");
            assert_eq!(v["error"]["fields"][0]["field"], "url", "{v}");
            let m = v["error"]["fields"][0]["message"].as_str().unwrap();
            assert!(m.starts_with("目标地址不允许"), "{bad}: {m}");
            assert!(m.contains(rule), "{bad}: {m}");
        }
        assert!(rx.all().is_empty());
        assert_eq!(
            app.scalar_i64("SELECT COUNT(*) FROM organ_webhooks").await,
            0
        );
        // A plain http:// address is refused by default, public or not (issue 14, point 8).
        for plain in ["http://1.1.1.1/hook", &receiver] {
            let (st, v) = put_hook(app, &court, plain).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{plain}: {v}");
            let m = v["error"]["fields"][0]["message"].as_str().unwrap();
            assert!(m.starts_with("请使用 https:// 地址"), "{plain}: {m}");
        }
        // A public https:// address is accepted.
        let (st, v) = put_hook(app, &court, "https://1.1.1.1/hook").await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["active"], true);
    }
});

async fn allow_listed(engine: Engine) {
    let Some(app) = TestApp::start_with(engine, |cfg| {
        cfg.webhooks.allow_networks = vec!["10.20.0.0/16".into()];
    })
    .await
    else {
        return;
    };
    let court = app.login("court").await;
    for ok in ["https://10.20.1.1/hook", "https://[64:ff9b::a14:101]/hook"] {
        let (st, v) = put_hook(&app, &court, ok).await;
        assert_eq!(st, StatusCode::OK, "{ok}: {v}");
    }
    for bad in ["https://10.21.0.1/hook", "http://127.0.0.1:9/hook"] {
        let (st, v) = put_hook(&app, &court, bad).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {v}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_list_admits_its_network_sqlite() {
    allow_listed(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_list_admits_its_network_postgres() {
    allow_listed(Engine::Postgres).await;
}

/// Polls the deliveries list until one has a failed attempt with `error`.
async fn wait_error(c: &Client, organ: i64, error: &str) -> Value {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let list = deliveries(c, organ).await;
        if let Some(d) = list.iter().find(|d| d["last_error"] == error) {
            return d.clone();
        }
        assert!(
            Instant::now() < until,
            "no delivery failed with {error}: {list:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A delivery that cannot connect shows 连接失败 only, not the connection error; an address
/// that became internal after it was set is refused at delivery and nothing is sent.
async fn failures_shown_as_categories(engine: Engine) {
    let Some(app) = start(engine).await else {
        return;
    };
    let organ = one_id(&app, "SELECT organ_id FROM users WHERE username = 'court'").await;
    let court = app.login("court").await;
    // A port nobody listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (st, v) = put_hook(&app, &court, &format!("http://127.0.0.1:{closed}/hook")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    commission(&app, &court, "（2026）浙0106民初 01301号").await;
    let d = wait_error(&court, organ, "连接失败").await;
    assert!(d["attempts"].as_i64().unwrap() >= 1, "{d}");
    let all = deliveries(&court, organ).await;
    let text = serde_json::to_string(&all).unwrap();
    for raw in [
        "refused",
        "error sending",
        "tcp",
        "os error",
        &closed.to_string(),
    ] {
        assert!(!text.contains(raw), "{raw} shown: {text}");
    }

    // The address now points inside (as a changed DNS answer would): refused at delivery.
    app.db
        .execute(
            &format!(
                "UPDATE organ_webhooks SET url = 'http://10.0.0.1:9/hook' WHERE organ_id = {organ}"
            ),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    commission(&app, &court, "（2026）浙0106民初 01302号").await;
    let d = wait_error(&court, organ, "目标地址不允许").await;
    assert!(d["attempts"].as_i64().unwrap() >= 1, "{d}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_shown_as_categories_sqlite() {
    failures_shown_as_categories(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_shown_as_categories_postgres() {
    failures_shown_as_categories(Engine::Postgres).await;
}
