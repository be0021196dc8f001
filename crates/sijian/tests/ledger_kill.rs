//! Crash safety of the log: SIGKILL the server during sustained writes, start it again, and the
//! log must hold every acknowledged event under gapless indices and audit clean. Then the
//! audit CLI must name a changed event, and accept a checkpoint a court kept.
//!
//! A test binary of its own, not part of `tests/it`: it kills a server process mid-write and
//! counts what survived, so it runs alone rather than beside other tests of the same process.
use sijian_store::{Args, Db, PoolSettings};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sijian"));
    c.env_remove("SIJIAN_PASSWORD")
        .env("SIJIAN_LOG__LEVEL", "warn")
        .env("SIJIAN_METRICS_LISTEN", "");
    c
}

fn run(args: &[&str], dir: &str) -> (i32, String, String) {
    let out = bin()
        .args(args)
        .args(["--data-dir", dir])
        .env("SIJIAN_PASSWORD", "Strong-Pass-2026")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn serve(dir: &str, port: u16) -> Child {
    bin()
        .args([
            "serve",
            "--data-dir",
            dir,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_up(http: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if http.get(format!("{base}/healthz")).send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not start");
}

/// What an operator does with a new account before a script may use it: sign in with the first
/// password (`run` sets it), change it (an account that must change its password may do nothing
/// else, API included), sign in again and create an API token in the session.
async fn first_token(base: &str, username: &str) -> String {
    let new_password = "Second-Pass-2026!";
    let session = |password: &'static str| async move {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = http
            .post(format!("{base}/api/v1/session"))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "sign in");
        let me: serde_json::Value = r.json().await.unwrap();
        (http, me["csrf_token"].as_str().unwrap().to_string())
    };
    let (http, csrf) = session("Strong-Pass-2026").await;
    let r = http
        .put(format!("{base}/api/v1/me/password"))
        .header("X-CSRF-Token", &csrf)
        .json(&serde_json::json!({"current_password": "Strong-Pass-2026", "new_password": new_password}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "change password: {}", r.status());
    let (http, csrf) = session(new_password).await;
    let r = http
        .post(format!("{base}/api/v1/tokens"))
        .header("X-CSRF-Token", &csrf)
        .json(&serde_json::json!({"name": "writer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "create token");
    let body: serde_json::Value = r.json().await.unwrap();
    body["token"].as_str().unwrap().to_string()
}

/// Writes organs from `n` concurrent clients until `stop`; returns the acknowledged ids.
async fn write_until(
    http: reqwest::Client,
    base: String,
    token: String,
    n: usize,
    stop: Arc<AtomicBool>,
) -> Vec<i64> {
    let mut tasks = Vec::new();
    for w in 0..n {
        let (http, base, token, stop) = (http.clone(), base.clone(), token.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                let r = http
                    .post(format!("{base}/api/v1/organs"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({
                        "name": format!("压力测试法院{w}-{i}"),
                        "kind": "court",
                        "region_code": "330100"
                    }))
                    .send()
                    .await;
                // Only a complete 201 response is an acknowledgement.
                if let Ok(r) = r
                    && r.status().as_u16() == 201
                    && let Ok(v) = r.json::<serde_json::Value>().await
                {
                    acked.push(v["id"].as_i64().unwrap());
                }
            }
            acked
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

#[test]
fn sigkill_during_sustained_writes_loses_nothing_and_audits_clean() {
    let dir = std::env::temp_dir().join(format!("sijian-kill-{}", std::process::id()));
    let d = dir.to_str().unwrap();
    let (code, out, err) = run(
        &[
            "admin",
            "create-user",
            "--username",
            "writer",
            "--display-name",
            "写入",
            "--role",
            "admin",
        ],
        d,
    );
    assert_eq!(code, 0, "{out}{err}");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();

    let mut server = serve(d, port);
    let stop = Arc::new(AtomicBool::new(false));
    let acked = rt.block_on(async {
        wait_up(&http, &base).await;
        let token = first_token(&base, "writer").await;
        let writers = tokio::spawn(write_until(
            http.clone(),
            base.clone(),
            token.clone(),
            4,
            stop.clone(),
        ));
        tokio::time::sleep(Duration::from_millis(1500)).await;
        // SIGKILL mid-stream: no shutdown hooks, in-flight transactions cut off.
        server.kill().unwrap();
        server.wait().unwrap();
        stop.store(true, Ordering::SeqCst);
        writers.await.unwrap()
    });
    assert!(
        acked.len() > 20,
        "only {} writes were acknowledged",
        acked.len()
    );

    // Restart: the integrator picks up whatever was queued.
    let mut server = serve(d, port);
    rt.block_on(async {
        wait_up(&http, &base).await;
        let db = Db::connect(&format!("sqlite://{}", dir.join("sijian.db").display()), &PoolSettings::default())
            .await
            .unwrap();
        for _ in 0..200 {
            let queued: i64 = db.scalar("SELECT COUNT(*) FROM ledger_queue", Args::new()).await.unwrap();
            let unpublished: i64 = db
                .scalar(
                    "SELECT COUNT(*) FROM ledger_leaves WHERE idx >= COALESCE((SELECT MAX(size) FROM ledger_checkpoints WHERE published_at IS NOT NULL), 0)",
                    Args::new(),
                )
                .await
                .unwrap();
            if queued == 0 && unpublished == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Every acknowledged organ's creation event is in the log.
        for id in &acked {
            let n: i64 = db
                .scalar(
                    &format!(
                        "SELECT COUNT(*) FROM events e JOIN ledger_leaves l ON l.event_id = e.id \
                         WHERE e.entity_type = 'organ' AND e.entity_id = '{id}'"
                    ),
                    Args::new(),
                )
                .await
                .unwrap();
            assert!(n >= 1, "acknowledged organ {id} has no event in the log");
        }
        let (count, max): (i64, i64) = db
            .fetch_all::<(i64, i64)>("SELECT COUNT(*), MAX(idx) FROM ledger_leaves", Args::new())
            .await
            .unwrap()[0];
        assert_eq!(count, max + 1, "leaf indices are gapless");
        db.close().await;
    });
    // Keep the published checkpoint as a court would.
    let kept = rt.block_on(async {
        http.get(format!("{base}/api/v1/ledger/checkpoint"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    server.kill().unwrap();
    server.wait().unwrap();
    let kept_file = dir.join("kept.checkpoint");
    std::fs::write(&kept_file, &kept).unwrap();

    let (code, out, err) = run(
        &[
            "ledger",
            "audit",
            "--checkpoint",
            kept_file.to_str().unwrap(),
        ],
        d,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("一致"), "{out}");

    // Tamper with one event row behind the application's back: the audit names it.
    rt.block_on(async {
        let db = Db::connect(&format!("sqlite://{}", dir.join("sijian.db").display()), &PoolSettings::default())
            .await
            .unwrap();
        db.execute("DROP TRIGGER events_no_update", Args::new()).await.unwrap();
        db.execute(
            &format!("UPDATE events SET actor_name = '他人' WHERE entity_type = 'organ' AND entity_id = '{}'", acked[0]),
            Args::new(),
        )
        .await
        .unwrap();
        db.close().await;
    });
    let (code, _, err) = run(&["ledger", "audit"], d);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("已被改动"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
