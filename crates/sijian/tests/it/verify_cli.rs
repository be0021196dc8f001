//! The `sijian verify` contract against a running platform with demo data: a cover label's QR
//! content and an opinion document with its offline bundle check with no network (exit 0);
//! a tampered token or bundle, a wrong key, a wrong file or another opinion's bundle fail with
//! the reason (exit 1); missing inputs are usage errors (exit 2).
use crate::common;

use common::{code_of, sijian, text};
use serde_json::Value;
use sijian_server::Config;
use sijian_service::demo;
use std::path::Path;
use std::time::Duration;

async fn json(url: String) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// Flips one character in the middle of `s` (an ASCII text).
fn tamper(s: &str, at: usize) -> String {
    let mut b = s.as_bytes().to_vec();
    b[at] = if b[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_qr_and_opinion_offline() {
    let dir = std::env::temp_dir().join(format!("sijian-verify-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = Config {
        listen: "127.0.0.1:0".into(),
        metrics_listen: String::new(),
        data_dir: dir.clone(),
        ..Default::default()
    };
    let db = sijian_server::open_database(&cfg, true).await.unwrap();
    let keys = sijian_service::keyring::open(&db, &cfg).await.unwrap().data;
    demo::load(&db, &keys).await.unwrap();
    let server = sijian_server::start(cfg, db.clone(), false).await.unwrap();
    let base = format!("http://{}", server.addr);

    // Two issued opinions, one of them with its document.
    let rows: Vec<(String, String, String)> = db
        .fetch_all(
            "SELECT code, verification_key, document_sha256 FROM opinions WHERE status = 'valid' ORDER BY code LIMIT 2",
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    let grouped = |c: &str| {
        sijian_domain::opinion_code::OpinionCode::parse(c)
            .unwrap()
            .grouped()
    };
    let (code, key, sha) = (&rows[0].0, &rows[0].1, &rows[0].2);
    let code = grouped(code);
    let other = grouped(&rows[1].0);
    let doc: Vec<(Vec<u8>,)> = db
        .fetch_all(
            "SELECT data FROM blobs WHERE sha256 = $1",
            sijian_store::args![sha.as_str()],
        )
        .await
        .unwrap();
    let file = dir.join("opinion.pdf");
    std::fs::write(&file, &doc[0].0).unwrap();
    let wrong_file = dir.join("other.pdf");
    std::fs::write(&wrong_file, b"%PDF-1.7 not the opinion").unwrap();

    let vkeys = reqwest::get(format!("{base}/api/v1/verification/keys"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let vkey = vkeys.lines().next().unwrap().to_string();
    // A well-formed key of the same name that the platform never used.
    let stranger = sijian_ledger::Signer::from_seed(
        vkey.split('+').next().unwrap(),
        sijian_ledger::note::KeyKind::Ed25519,
        [9; 32],
    )
    .unwrap()
    .verifier()
    .to_text();

    // The QR content of the cover label.
    let v = json(format!(
        "{base}/api/v1/opinions/{code}/verification?key={key}"
    ))
    .await;
    let qr = v["details"]["qr_content"].as_str().unwrap().to_string();
    let o = sijian(&["verify", "qr", &qr, "--key", &vkey]);
    assert_eq!(code_of(&o), 0, "{}", text(&o));
    assert!(
        text(&o).contains(&code) && text(&o).contains(sha.as_str()),
        "{}",
        text(&o)
    );
    // The token says what it vouched for and when (issue 14, point 12).
    assert!(
        text(&o).contains("签发时状态：有效") && text(&o).contains("签发时间（UTC）：20"),
        "{}",
        text(&o)
    );
    let t_at = qr.find("&t=").unwrap() + 3;
    let o = sijian(&["verify", "qr", &tamper(&qr, t_at + 90), "--key", &vkey]);
    assert_eq!(code_of(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("无效"), "{}", text(&o));
    // The address names another opinion than the token.
    let swapped = qr.replace(&format!("/v/{code}?"), &format!("/v/{other}?"));
    let o = sijian(&["verify", "qr", &swapped, "--key", &vkey]);
    assert_eq!(code_of(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("不符"), "{}", text(&o));
    let o = sijian(&["verify", "qr", &qr, "--key", &stranger]);
    assert_eq!(code_of(&o), 1, "another key: {}", text(&o));
    assert!(text(&o).contains("未知密钥"), "{}", text(&o));
    let o = sijian(&[
        "verify",
        "qr",
        &format!("{base}/v/{code}?key={key}"),
        "--key",
        &vkey,
    ]);
    assert_eq!(code_of(&o), 1, "no token: {}", text(&o));

    // The offline bundle, once the issue is in a published checkpoint.
    let mut bundle = String::new();
    for _ in 0..100 {
        let r = reqwest::get(format!("{base}/api/v1/opinions/{code}/bundle"))
            .await
            .unwrap();
        if r.status() == reqwest::StatusCode::OK {
            bundle = r.text().await.unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!bundle.is_empty(), "bundle published");
    let bundle_file = dir.join("opinion.tlog-proof");
    std::fs::write(&bundle_file, &bundle).unwrap();
    let p = |x: &Path| x.to_str().unwrap().to_string();
    let (f, b) = (p(&file), p(&bundle_file));
    let run = |args: &[&str]| sijian(&[&["verify", "opinion"], args].concat());

    let o = run(&[
        "--code", &code, "--file", &f, "--bundle", &b, "--key", &vkey,
    ]);
    assert_eq!(code_of(&o), 0, "{}", text(&o));
    assert!(text(&o).contains("文件一致"), "{}", text(&o));
    let o = run(&["--code", &code, "--bundle", &b, "--key", &vkey]);
    assert_eq!(code_of(&o), 0, "without a file: {}", text(&o));

    let o = run(&[
        "--code",
        &code,
        "--file",
        &p(&wrong_file),
        "--bundle",
        &b,
        "--key",
        &vkey,
    ]);
    assert_eq!(code_of(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("不符"), "{}", text(&o));
    let o = run(&[
        "--code", &other, "--file", &f, "--bundle", &b, "--key", &vkey,
    ]);
    assert_eq!(code_of(&o), 1, "another code: {}", text(&o));
    let tampered_bundle = dir.join("tampered.tlog-proof");
    // The same bundle claiming another document: the leaf no longer matches the proof.
    let forged: Vec<String> = bundle
        .split('\n')
        .map(|l| match l.strip_prefix("extra ") {
            Some(e) => {
                let entry = String::from_utf8(sijian_ledger::b64::decode(e).unwrap()).unwrap();
                assert!(entry.contains(sha.as_str()), "{entry}");
                let forged = entry.replace(sha.as_str(), &"0".repeat(64));
                format!("extra {}", sijian_ledger::b64::encode(forged.as_bytes()))
            }
            None => l.to_string(),
        })
        .collect();
    std::fs::write(&tampered_bundle, forged.join("\n")).unwrap();
    let o = run(&[
        "--code",
        &code,
        "--bundle",
        &p(&tampered_bundle),
        "--key",
        &vkey,
    ]);
    assert_eq!(code_of(&o), 1, "tampered bundle: {}", text(&o));
    let mut bad_code = code.clone();
    let last = bad_code.pop().unwrap();
    bad_code.push(if last == '0' { '1' } else { '0' });
    let o = run(&["--code", &bad_code, "--bundle", &b, "--key", &vkey]);
    assert_eq!(code_of(&o), 1, "{}", text(&o));
    assert!(text(&o).contains("编码无效"), "{}", text(&o));
    let o = run(&["--code", &code, "--file", &f]);
    assert_eq!(code_of(&o), 2, "no bundle: {}", text(&o));
    let o = run(&[
        "--code",
        &code,
        "--bundle",
        &p(&dir.join("missing")),
        "--key",
        &vkey,
    ]);
    assert_eq!(code_of(&o), 2, "unreadable file: {}", text(&o));

    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
