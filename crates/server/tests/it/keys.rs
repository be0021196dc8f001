//! The keys are checked against the database at every start (issue 14, point 11): a missing or
//! different data key or log key is refused with the reason and the fix, never replaced by a new
//! one; keys may live outside the data directory; the log key rotates through
//! `ledger.retired_keys`. On both engines, through `keyring::open` (what every start runs) and a
//! real server start.
use crate::common;
use common::TestApp;
use sijian_service::keyring;
use sijian_service::secrets::DataKey;

fn err(r: anyhow::Result<keyring::Keys>) -> String {
    match r {
        Ok(_) => panic!("the keys were accepted"),
        Err(e) => format!("{e:#}"),
    }
}

both_engines!(
    keys_match_the_database_or_nothing_starts,
    async |app: &TestApp| {
        let cfg = app.cfg.clone();
        let dir = cfg.data_dir.clone();
        // The demo's start recorded both keys; the same keys open again.
        assert!(keyring::open(&app.db, &cfg).await.is_ok());
        let data_key = std::fs::read_to_string(dir.join("data.key")).unwrap();
        let log_key = std::fs::read_to_string(dir.join("ledger.key")).unwrap();

        // A node or a restore without data.key: refused, and no new key is left behind.
        std::fs::remove_file(dir.join("data.key")).unwrap();
        let e = err(keyring::open(&app.db, &cfg).await);
        assert!(e.contains("缺少数据密钥") && e.contains("data_key"), "{e}");
        assert!(!dir.join("data.key").exists(), "no new key was made");
        assert!(
            sijian_server::start(cfg.clone(), app.db.clone(), false)
                .await
                .is_err()
        );

        // Another data key: refused, naming both fingerprints.
        std::fs::write(dir.join("data.key"), DataKey::new_text()).unwrap();
        let e = err(keyring::open(&app.db, &cfg).await);
        assert!(e.contains("数据密钥与数据库不符"), "{e}");

        // The right key from outside the data directory (a file elsewhere, or the value itself).
        std::fs::remove_file(dir.join("data.key")).unwrap();
        let elsewhere = dir.parent().unwrap().join(format!(
            "{}-data.key",
            dir.file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&elsewhere, &data_key).unwrap();
        let mut outside = cfg.clone();
        outside.security.data_key_file = elsewhere.display().to_string();
        assert!(keyring::open(&app.db, &outside).await.is_ok());
        std::fs::remove_file(&elsewhere).unwrap();
        let mut inline = cfg.clone();
        inline.security.data_key = data_key.trim().to_string();
        assert!(keyring::open(&app.db, &inline).await.is_ok());
        std::fs::write(dir.join("data.key"), &data_key).unwrap();

        // The log key: missing or another is refused…
        std::fs::remove_file(dir.join("ledger.key")).unwrap();
        let e = err(keyring::open(&app.db, &cfg).await);
        assert!(e.contains("缺少日志签名密钥"), "{e}");
        assert!(!dir.join("ledger.key").exists());
        let other = sijian_service::ledger::new_signing_key(&cfg.ledger.origin).unwrap();
        let mut rotated = cfg.clone();
        rotated.ledger.signing_key = other.to_text();
        let e = err(keyring::open(&app.db, &rotated).await);
        assert!(
            e.contains("日志签名密钥与数据库不符") && e.contains("retired_keys"),
            "{e}"
        );
        // …unless the old one is retired: a rotation, recorded; the old key alone is then refused.
        let old = sijian_ledger::Signer::parse(log_key.trim()).unwrap();
        rotated.ledger.retired_keys = vec![old.verifier().to_text()];
        let keys = keyring::open(&app.db, &rotated).await.expect("a rotation");
        assert_eq!(
            keys.ledger.log_keys.len(),
            2,
            "the old key is still published"
        );
        std::fs::write(dir.join("ledger.key"), &log_key).unwrap();
        let e = err(keyring::open(&app.db, &cfg).await);
        assert!(e.contains("日志签名密钥与数据库不符"), "{e}");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_database_gets_new_keys_once() {
    let Some(app) = TestApp::start_empty(sijian_testkit::Engine::Sqlite).await else {
        return;
    };
    let dir = app.cfg.data_dir.clone();
    let first = std::fs::read_to_string(dir.join("data.key")).unwrap();
    assert!(keyring::open(&app.db, &app.cfg).await.is_ok());
    assert_eq!(
        std::fs::read_to_string(dir.join("data.key")).unwrap(),
        first
    );
    app.stop().await;
}
