//! The log over HTTP on both engines: every event reaches a signed checkpoint, the published
//! keys verify it, proofs and tiles agree with the tree, an event's offline bundle verifies and
//! is shown only to those who may see the event; with a witness configured, checkpoints are
//! published only once cosigned.
use crate::common;

use common::{Engine, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use sijian_ledger::b64;
use sijian_ledger::bundle::Bundle;
use sijian_ledger::note::{KeyKind, Signer, Verifier, VerifierSet};
use sijian_ledger::policy::Policy;
use sijian_ledger::proof::{verify_consistency, verify_inclusion};
use sijian_ledger::tiles::decode_entries;
use std::time::Duration;

async fn text(app: &TestApp, path: &str) -> (StatusCode, String, Option<String>) {
    let r = reqwest::get(app.url(path)).await.unwrap();
    let cache = r
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_string());
    (r.status(), r.text().await.unwrap(), cache)
}

async fn bytes(app: &TestApp, path: &str) -> (StatusCode, Vec<u8>, String) {
    let r = reqwest::get(app.url(path)).await.unwrap();
    let cache = r
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status(), r.bytes().await.unwrap().to_vec(), cache)
}

/// Published log keys, parsed.
async fn log_policy(app: &TestApp) -> Policy {
    let (st, keys, _) = text(app, "/api/v1/ledger/keys").await;
    assert_eq!(st, StatusCode::OK);
    let log_keys: Vec<Verifier> = keys
        .lines()
        .map(|l| Verifier::parse(l).unwrap())
        .filter(|v| v.kind == KeyKind::Ed25519)
        .collect();
    assert_eq!(log_keys.len(), 1, "{keys}");
    Policy {
        origin: Some(log_keys[0].name.clone()),
        ..Policy::log_only(log_keys)
    }
}

/// Waits until every event so far is in a published checkpoint; returns its size.
async fn caught_up(app: &TestApp, policy: &Policy) -> u64 {
    let events = app.scalar_i64("SELECT COUNT(*) FROM events").await as u64;
    for _ in 0..200 {
        let (st, note, _) = text(app, "/api/v1/ledger/checkpoint").await;
        if st == StatusCode::OK {
            let t = policy.check(&note).unwrap();
            if t.checkpoint.size >= events {
                return t.checkpoint.size;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the log did not catch up with {events} events");
}

both_engines!(
    events_reach_signed_checkpoints_and_proofs_verify,
    async |app: &TestApp| {
        let policy = log_policy(app).await;
        let size = caught_up(app, &policy).await;
        assert!(size > 50, "demo data records many events ({size})");
        let (_, note, cache) = text(app, "/api/v1/ledger/checkpoint").await;
        assert!(cache.unwrap().contains("no-cache"));
        let cp = policy.check(&note).unwrap().checkpoint;

        // Inclusion by index and by leaf hash.
        let anon = app.anon();
        let (st, p) = anon
            .get(&format!(
                "/api/v1/ledger/proof/inclusion?index=7&size={}",
                cp.size
            ))
            .await;
        assert_eq!(st, StatusCode::OK, "{p}");
        let proof: Vec<Vec<u8>> = p["proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| b64::decode(h.as_str().unwrap()).unwrap())
            .collect();
        let leaf = b64::decode(p["leaf_hash"].as_str().unwrap()).unwrap();
        verify_inclusion(7, cp.size, &leaf, &proof, &cp.root).unwrap();
        let (st, by_hash) = anon
            .get(&format!(
                "/api/v1/ledger/proof/inclusion?leaf_hash={}",
                urlencoding::encode(p["leaf_hash"].as_str().unwrap())
            ))
            .await;
        assert_eq!((st, &by_hash["index"]), (StatusCode::OK, &Value::from(7)));
        let (st, e) = anon
            .get("/api/v1/ledger/proof/inclusion?leaf_hash=AAAA")
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e["error"]["fields"][0]["field"], "leaf_hash");
        let (st, _) = anon.get("/api/v1/ledger/proof/inclusion").await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let (st, _) = anon
            .get(&format!(
                "/api/v1/ledger/proof/inclusion?index=0&size={}",
                cp.size + 1000
            ))
            .await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "no proof beyond the published tree"
        );

        // Consistency from an earlier size.
        let old_size = cp.size / 2;
        let old_root = app
        .db
        .fetch_all::<(Vec<u8>,)>(
            &format!("SELECT root FROM ledger_checkpoints WHERE size <= {old_size} ORDER BY size DESC LIMIT 1"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
        if let Some((root,)) = old_root.first() {
            let old = app
                .scalar_i64(&format!(
                    "SELECT MAX(size) FROM ledger_checkpoints WHERE size <= {old_size}"
                ))
                .await as u64;
            let (st, c) = anon
                .get(&format!(
                    "/api/v1/ledger/proof/consistency?from={old}&to={}",
                    cp.size
                ))
                .await;
            assert_eq!(st, StatusCode::OK, "{c}");
            let proof: Vec<Vec<u8>> = c["proof"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| b64::decode(h.as_str().unwrap()).unwrap())
                .collect();
            verify_consistency(old, cp.size, &proof, root, &cp.root).unwrap();
        }

        // Tiles: the level-0 tile holds the leaf hashes; the entries tile the entries themselves.
        let width = cp.size.min(256);
        let suffix = if width == 256 {
            String::new()
        } else {
            format!(".p/{width}")
        };
        let (st, hashes, cache) = bytes(app, &format!("/api/v1/ledger/tile/0/000{suffix}")).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(hashes.len() as u64, 32 * width);
        assert_eq!(cache.contains("immutable"), width == 256);
        assert_eq!(&hashes[7 * 32..8 * 32], leaf.as_slice());
        let (st, entries, _) =
            bytes(app, &format!("/api/v1/ledger/tile/entries/000{suffix}")).await;
        assert_eq!(st, StatusCode::OK);
        let entries = decode_entries(&entries).unwrap();
        assert_eq!(entries.len() as u64, width);
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(
                sijian_ledger::leaf_hash(e).as_slice(),
                &hashes[i * 32..(i + 1) * 32]
            );
            assert!(String::from_utf8_lossy(e).starts_with("sijian/event/v1\n"));
        }
        let (st, _, _) = bytes(app, "/api/v1/ledger/tile/0/999").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _, _) = bytes(app, "/api/v1/ledger/tile/0/0").await;
        assert_eq!(st, StatusCode::NOT_FOUND, "non-canonical path");
    }
);

both_engines!(
    an_event_bundle_verifies_offline_for_those_who_may_see_it,
    async |app: &TestApp| {
        let policy = log_policy(app).await;
        caught_up(app, &policy).await;
        let admin = app.login("admin").await;
        let id = app.scalar_i64("SELECT MAX(id) FROM events").await;
        let res = admin
            .http
            .get(app.url(&format!("/api/v1/events/{id}/proof")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains(".tlog-proof")
        );
        let text = res.text().await.unwrap();
        let (trusted, entry) = Bundle::parse(&text).unwrap().verify(&policy).unwrap();
        assert!(trusted.checkpoint.size > 0);
        let e = sijian_ledger::commitment::EventEntry::parse(&entry).unwrap();
        assert_eq!(e.event_id, id);

        // The event list shows the leaf.
        let (_, list) = admin.get("/api/v1/events?per_page=5").await;
        assert!(list["items"][0]["leaf_idx"].is_i64(), "{list}");

        // Anonymous: 401. A county regulator asking for an event outside the county: 404.
        let (st, _) = app.anon().get(&format!("/api/v1/events/{id}/proof")).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        let outside = app
            .scalar_i64(
                "SELECT MIN(id) FROM events WHERE scope_path NOT LIKE '/330000/330100/330106/%'",
            )
            .await;
        let (st, _) = app
            .login("xh.reg")
            .await
            .get(&format!("/api/v1/events/{outside}/proof"))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
);

/// A minimal witness in the test: the ledger crate's rules behind one route.
async fn start_witness(
    signer: Signer,
    log: Verifier,
    up: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> String {
    use axum::routing::post;
    use sijian_ledger::witness::{AddCheckpoint, WitnessState, add_checkpoint};
    let state = std::sync::Arc::new(tokio::sync::Mutex::new(WitnessState::empty()));
    let app = axum::Router::new().route(
        "/add-checkpoint",
        post(move |body: String| {
            let state = state.clone();
            let signer = signer.clone();
            let log = log.clone();
            let up = up.clone();
            async move {
                if !up.load(std::sync::atomic::Ordering::SeqCst) {
                    return (axum::http::StatusCode::SERVICE_UNAVAILABLE, String::new());
                }
                let req = match AddCheckpoint::parse(&body) {
                    Ok(r) => r,
                    Err(e) => return (axum::http::StatusCode::BAD_REQUEST, e.to_string()),
                };
                let mut st = state.lock().await;
                match add_checkpoint(
                    &req,
                    &VerifierSet::new(vec![log]),
                    &st,
                    &signer,
                    1_800_000_000,
                ) {
                    Ok((new, sig)) => {
                        *st = new;
                        (axum::http::StatusCode::OK, sig.to_line())
                    }
                    Err(sijian_ledger::witness::WitnessError::Conflict(n)) => {
                        (axum::http::StatusCode::CONFLICT, format!("{n}\n"))
                    }
                    Err(e) => (
                        axum::http::StatusCode::from_u16(e.status()).unwrap(),
                        e.to_string(),
                    ),
                }
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_publish_only_once_witnessed() {
    let log = Signer::from_seed("sijian.test/log", KeyKind::Ed25519, [11; 32]).unwrap();
    let witness =
        Signer::from_seed("court.test/witness", KeyKind::CosignatureV1, [12; 32]).unwrap();
    let up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let url = start_witness(witness.clone(), log.verifier(), up.clone()).await;
    let retired = Signer::from_seed("sijian.test/log", KeyKind::Ed25519, [10; 32]).unwrap();
    let app = TestApp::start_with(Engine::Sqlite, |c| {
        c.ledger.origin = "sijian.test/log".into();
        c.ledger.signing_key = log.to_text();
        c.ledger.retired_keys = vec![retired.verifier().to_text()];
        c.ledger.witnesses = vec![sijian_service::config::WitnessConfig {
            key: witness.verifier().to_text(),
            url: url.clone(),
        }];
    })
    .await
    .unwrap();
    // Witness down: checkpoints are signed but none is published.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (st, _, _) = text(&app, "/api/v1/ledger/checkpoint").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(
        app.scalar_i64("SELECT COUNT(*) FROM ledger_checkpoints")
            .await
            > 0
    );

    up.store(true, std::sync::atomic::Ordering::SeqCst);
    let (st, keys, _) = text(&app, "/api/v1/ledger/keys").await;
    assert_eq!(st, StatusCode::OK);
    // Current key first, then the retired one, then the witness.
    let lines: Vec<&str> = keys.lines().collect();
    assert_eq!(
        lines,
        [
            log.verifier().to_text(),
            retired.verifier().to_text(),
            witness.verifier().to_text()
        ]
    );
    let policy = Policy {
        origin: Some("sijian.test/log".into()),
        log_keys: vec![log.verifier()],
        witnesses: vec![witness.verifier()],
        quorum: 1,
    };
    let size = caught_up(&app, &policy).await;
    let (_, note, _) = text(&app, "/api/v1/ledger/checkpoint").await;
    let t = policy.check(&note).unwrap();
    assert_eq!((t.checkpoint.size, t.cosigners.len()), (size, 1));

    // More events: the witness is asked with its last size and a consistency proof.
    let admin = app.login("admin").await;
    admin.get("/api/v1/me").await;
    let before = size;
    let (st, _) = admin
        .post(
            "/api/v1/organs",
            serde_json::json!({"name": "见证测试法院", "kind": "court", "region_code": "330100"}),
        )
        .await;
    assert!(st.is_success(), "{st}");
    let after = caught_up(&app, &policy).await;
    assert!(after > before);
    app.stop().await;
}
