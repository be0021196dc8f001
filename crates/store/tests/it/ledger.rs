//! The log's storage on both engines: events queue their commitments in their own transaction,
//! the integrator gives gapless indices and signs checkpoints, proofs verify offline, and every
//! kind of tampering with the stored rows is found by the audit.
use serde_json::json;
use sijian_ledger::checkpoint::Checkpoint;
use sijian_ledger::hash::leaf_hash;
use sijian_ledger::note::{KeyKind, Note, Signer};
use sijian_ledger::policy::Policy;
use sijian_ledger::proof::{verify_consistency, verify_inclusion};
use sijian_store::ledger::audit::{Finding, audit};
use sijian_store::ledger::{self, integrate};
use sijian_store::{Actor, Db, NewEvent, events};
use sijian_testkit::{Engine, TestDb};

const ORIGIN: &str = "sijian.test/log";

fn signer() -> Signer {
    Signer::from_seed(ORIGIN, KeyKind::Ed25519, [5; 32]).unwrap()
}

async fn add_events(db: &Db, n: usize, per_tx: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    let actor = Actor::system("test");
    let mut left = n;
    while left > 0 {
        let k = left.min(per_tx);
        let mut tx = db.begin().await.unwrap();
        for _ in 0..k {
            let id = events::append(
                &mut tx,
                &actor,
                NewEvent {
                    kind: "test.step",
                    entity_type: "case",
                    entity_id: format!("{}", ids.len()),
                    scope_path: "/110000/".into(),
                    institution_id: None,
                    payload: json!({"n": ids.len(), "name": "张三"}),
                },
            )
            .await
            .unwrap();
            ids.push(id);
        }
        tx.commit().await.unwrap();
        left -= k;
    }
    ids
}

async fn drain(db: &Db) {
    while integrate(db, &signer(), 7, true).await.unwrap().is_some() {}
}

async fn exec(db: &Db, sql: &str) {
    db.execute(sql, sijian_store::Args::new()).await.unwrap();
}

/// Lifts the append-only triggers, as an attacker with database access would.
async fn drop_guards(db: &Db, engine: Engine) {
    match engine {
        Engine::Sqlite => {
            for t in [
                "events_no_update",
                "events_no_delete",
                "ledger_leaves_no_update",
                "ledger_leaves_no_delete",
                "ledger_hashes_no_update",
                "ledger_hashes_no_delete",
            ] {
                exec(db, &format!("DROP TRIGGER {t}")).await;
            }
        }
        Engine::Postgres => {
            for t in ["events", "ledger_leaves", "ledger_hashes"] {
                exec(db, &format!("ALTER TABLE {t} DISABLE TRIGGER USER")).await;
            }
        }
    }
}

macro_rules! both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = TestDb::new(Engine::Sqlite).await.unwrap();
                ($body)(&t.db, Engine::Sqlite).await;
                t.remove().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(t) = TestDb::new(Engine::Postgres).await else {
                    return;
                };
                ($body)(&t.db, Engine::Postgres).await;
                t.remove().await;
            }
        }
    };
}

both_engines!(
    events_reach_the_log_and_prove_offline,
    async |db: &Db, _e: Engine| {
        let ids = add_events(db, 40, 9).await;
        let st = ledger::status(db).await.unwrap();
        assert_eq!((st.queued, st.leaves), (40, 0));
        // Batches of 7: sizes 7, 14, …, 40, each with a signed checkpoint.
        drain(db).await;
        let st = ledger::status(db).await.unwrap();
        assert_eq!((st.queued, st.leaves, st.published_size), (0, 40, 40));
        let cp = ledger::latest_published(db).await.unwrap().unwrap();
        let policy = Policy::log_only(vec![signer().verifier()]);
        let trusted = policy.check(cp.note()).unwrap();
        assert_eq!(trusted.checkpoint.size, 40);

        // Every event: its bundle verifies offline, and the entry commits to the event.
        for &id in ids.iter().step_by(7) {
            let (bundle, leaf) = ledger::bundle_for_event(db, id).await.unwrap().unwrap();
            let (_, entry) = bundle.verify(&policy).unwrap();
            let parsed = sijian_ledger::commitment::EventEntry::parse(&entry).unwrap();
            assert_eq!(parsed.event_id, id);
            assert!(
                !String::from_utf8_lossy(&entry).contains("张三"),
                "no personal data in leaves"
            );
            assert_eq!(leaf.leaf_hash, leaf_hash(&entry).to_vec());
        }
        // Consistency between two published sizes.
        let old = Checkpoint::parse(
            &Note::parse(
                &db.fetch_all::<(String,)>(
                    "SELECT signed_note FROM ledger_checkpoints WHERE size = 14",
                    sijian_store::Args::new(),
                )
                .await
                .unwrap()[0]
                    .0,
            )
            .unwrap()
            .text,
        )
        .unwrap();
        let p = ledger::prove_consistency(db, 14, 40).await.unwrap();
        verify_consistency(14, 40, &p, &old.root, &trusted.checkpoint.root).unwrap();
        let p = ledger::prove_inclusion(db, 3, 14).await.unwrap();
        let leaf3: Vec<(Vec<u8>,)> = db
            .fetch_all(
                "SELECT leaf_hash FROM ledger_leaves WHERE idx = 3",
                sijian_store::Args::new(),
            )
            .await
            .unwrap();
        verify_inclusion(3, 14, &leaf3[0].0, &p, &old.root).unwrap();
        // Nothing beyond the published tree is proved.
        assert!(ledger::prove_inclusion(db, 3, 41).await.is_err());

        let report = audit(db, &[signer().verifier()], &[cp.note().to_string()])
            .await
            .unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);
        assert_eq!(
            (report.leaves, report.events, report.checkpoints),
            (40, 40, 6)
        );
    }
);

both_engines!(
    concurrent_writers_and_integrators_keep_indices_gapless,
    async |db: &Db, _e: Engine| {
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move { add_events(&db, 50, 3).await }));
        }
        for _ in 0..2 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..30 {
                    let _ = integrate(&db, &signer(), 11, true).await.unwrap();
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                }
                Vec::new()
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        drain(db).await;
        let (n, max, distinct): (i64, i64, i64) = db
            .fetch_all::<(i64, i64, i64)>(
                "SELECT COUNT(*), MAX(idx), COUNT(DISTINCT event_id) FROM ledger_leaves",
                sijian_store::Args::new(),
            )
            .await
            .unwrap()[0];
        assert_eq!((n, max, distinct), (200, 199, 200));
        let report = audit(db, &[signer().verifier()], &[]).await.unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);
    }
);

both_engines!(
    every_kind_of_tampering_is_found,
    async |db: &Db, engine: Engine| {
        let ids = add_events(db, 30, 30).await;
        drain(db).await;
        let keys = [signer().verifier()];
        let clean = audit(db, &keys, &[]).await.unwrap();
        assert!(clean.is_clean(), "{:?}", clean.findings);
        // A checkpoint kept by a court before any tampering, and a forged one of the same size.
        let kept = ledger::latest_published(db)
            .await
            .unwrap()
            .unwrap()
            .note()
            .to_string();
        let mut split = Checkpoint::new(ORIGIN, 30, [7; 32]);
        split.extensions.clear();
        let split_note = Note::sign(&split.to_text(), &[&signer()], 0)
            .unwrap()
            .to_text();
        let r = audit(db, &keys, &[kept.clone(), split_note]).await.unwrap();
        assert_eq!(
            r.findings,
            vec![Finding::CheckpointRoot { size: 30 }],
            "split view"
        );

        drop_guards(db, engine).await;

        // A changed event row.
        exec(
            db,
            &format!(
                "UPDATE events SET payload = '{{\"n\":99}}' WHERE id = {}",
                ids[4]
            ),
        )
        .await;
        let r = audit(db, &keys, &[]).await.unwrap();
        assert_eq!(
            r.findings,
            vec![Finding::EventChanged {
                event_id: ids[4],
                leaf: Some(4)
            }]
        );

        // A deleted event.
        exec(db, &format!("DELETE FROM events WHERE id = {}", ids[9])).await;
        let r = audit(db, &keys, &[]).await.unwrap();
        assert!(
            r.findings.contains(&Finding::EventMissing {
                event_id: ids[9],
                leaf: Some(9)
            }),
            "{:?}",
            r.findings
        );

        // Two leaves swapped whole (entry, salt, event and leaf hash): every leaf checks out alone,
        // but the tree does not.
        exec(db, "UPDATE ledger_leaves SET idx = -1 WHERE idx = 12").await;
        exec(db, "UPDATE ledger_leaves SET idx = 12 WHERE idx = 13").await;
        exec(db, "UPDATE ledger_leaves SET idx = 13 WHERE idx = -1").await;
        let r = audit(db, &keys, std::slice::from_ref(&kept)).await.unwrap();
        assert!(
            r.findings
                .iter()
                .any(|f| matches!(f, Finding::HashMismatch { .. })),
            "{:?}",
            r.findings
        );
        assert!(
            r.findings
                .iter()
                .any(|f| matches!(f, Finding::CheckpointRoot { .. })),
            "{:?}",
            r.findings
        );

        // A forged checkpoint (signed by another key) and a replayed one (an older genuine note
        // stored under a newer size).
        let forger = Signer::from_seed(ORIGIN, KeyKind::Ed25519, [6; 32]).unwrap();
        let row: Vec<(String,)> = db
            .fetch_all(
                "SELECT signed_note FROM ledger_checkpoints WHERE size = 30",
                sijian_store::Args::new(),
            )
            .await
            .unwrap();
        let text = Note::parse(&row[0].0).unwrap().text;
        let forged = Note::sign(&text, &[&forger], 0).unwrap().to_text();
        exec(
            db,
            &format!("UPDATE ledger_checkpoints SET signed_note = '{forged}' WHERE size = 30"),
        )
        .await;
        exec(db, "UPDATE ledger_checkpoints SET signed_note = (SELECT c.signed_note FROM ledger_checkpoints c WHERE c.size = 7) WHERE size = 14").await;
        let r = audit(db, &keys, &[]).await.unwrap();
        let notes: Vec<u64> = r
            .findings
            .iter()
            .filter_map(|f| match f {
                Finding::CheckpointNote { size, .. } => Some(*size),
                _ => None,
            })
            .collect();
        // Only the first of each kind is reported: the replayed note at 14 comes first.
        assert_eq!(notes, vec![14], "{:?}", r.findings);

        // An event inserted behind the log's back.
        exec(db, "INSERT INTO events (at, actor_name, kind, entity_type, entity_id, scope_path, payload) VALUES (1, 'x', 'k', 'case', '1', '/', '{}')").await;
        let r = audit(db, &keys, &[]).await.unwrap();
        assert!(
            r.findings
                .iter()
                .any(|f| matches!(f, Finding::EventNotLogged { .. })),
            "{:?}",
            r.findings
        );
    }
);

both_engines!(
    integration_refuses_to_sign_over_a_tampered_tree,
    async |db: &Db, engine: Engine| {
        add_events(db, 10, 10).await;
        drain(db).await;
        drop_guards(db, engine).await;
        exec(db, "UPDATE ledger_hashes SET hash = (SELECT h.hash FROM ledger_hashes h WHERE h.idx = 0) WHERE idx = 14").await;
        add_events(db, 1, 1).await;
        let e = integrate(db, &signer(), 10, true).await.unwrap_err();
        assert!(matches!(e, sijian_store::StoreError::Integrity(_)), "{e:?}");
    }
);

both_engines!(
    events_from_before_the_log_are_queued_once,
    async |db: &Db, _e: Engine| {
        exec(db, "INSERT INTO events (at, actor_name, kind, entity_type, entity_id, scope_path, payload) VALUES (1, 'x', 'k', 'case', '1', '/', '{}')").await;
        assert_eq!(ledger::enqueue_missing(db).await.unwrap(), 1);
        assert_eq!(ledger::enqueue_missing(db).await.unwrap(), 0);
        drain(db).await;
        let r = audit(db, &[signer().verifier()], &[]).await.unwrap();
        assert!(r.is_clean(), "{:?}", r.findings);
    }
);

both_engines!(
    rotated_keys_keep_old_checkpoints_verifiable,
    async |db: &Db, _e: Engine| {
        add_events(db, 5, 5).await;
        drain(db).await;
        let new = Signer::from_seed(ORIGIN, KeyKind::Ed25519, [8; 32]).unwrap();
        add_events(db, 5, 5).await;
        while integrate(db, &new, 100, true).await.unwrap().is_some() {}
        let latest = ledger::latest_published(db).await.unwrap().unwrap();
        Policy::log_only(vec![new.verifier()])
            .check(latest.note())
            .unwrap();
        // With the retired key still published, every checkpoint verifies; without it, the ones
        // signed before the rotation do not.
        let r = audit(db, &[new.verifier(), signer().verifier()], &[])
            .await
            .unwrap();
        assert!(r.is_clean(), "{:?}", r.findings);
        let r = audit(db, &[new.verifier()], &[]).await.unwrap();
        assert!(
            matches!(
                r.findings.as_slice(),
                [Finding::CheckpointNote { size: 5, .. }]
            ),
            "{:?}",
            r.findings
        );
    }
);

both_engines!(
    batched_appends_keep_their_order_and_commitments,
    async |db: &Db, _e: Engine| {
        let actor = Actor::system("test");
        let mut tx = db.begin().await.unwrap();
        let evs = (0..150)
            .map(|i| NewEvent {
                kind: "test.batch",
                entity_type: "case",
                entity_id: format!("c{i}"),
                scope_path: "/110000/".into(),
                institution_id: None,
                payload: json!({"i": i}),
            })
            .collect();
        let ids = events::append_many(&mut tx, &actor, evs).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(ids.len(), 150);
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        for (i, id) in ids.iter().enumerate().step_by(37) {
            let e: Vec<(String,)> = db
                .fetch_all(
                    &format!("SELECT entity_id FROM events WHERE id = {id}"),
                    sijian_store::Args::new(),
                )
                .await
                .unwrap();
            assert_eq!(e[0].0, format!("c{i}"));
        }
        drain(db).await;
        let r = audit(db, &[signer().verifier()], &[]).await.unwrap();
        assert!(r.is_clean(), "{:?}", r.findings);
        assert_eq!(r.leaves, 150);
    }
);
