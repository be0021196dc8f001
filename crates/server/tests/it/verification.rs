//! Public verification of coded opinions on both engines: public fields by code, details only
//! with the right key and never the examined persons, document comparison by hash, malformed
//! codes refused before any lookup, the offline bundle, and every check counted.
use crate::common;

use common::TestApp;
use reqwest::StatusCode;
use sijian_domain::opinion_code::OpinionCode;
use sijian_ledger::bundle::Bundle;
use sijian_ledger::note::{KeyKind, Verifier};
use sijian_ledger::policy::Policy;
use std::time::Duration;

async fn opinion(app: &TestApp, corrected: bool) -> (String, String, String) {
    let rows: Vec<(String, String, String)> = app
        .db
        .fetch_all(
            &format!(
                "SELECT code, verification_key, document_sha256 FROM opinions WHERE status {} 'corrected' ORDER BY code",
                if corrected { "=" } else { "<>" }
            ),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    let (c, k, h) = rows[0].clone();
    (OpinionCode::parse(&c).unwrap().grouped(), k, h)
}

both_engines!(
    anyone_verifies_by_code_and_more_with_the_key,
    async |app: &TestApp| {
        let anon = app.anon();
        let (code, key, sha) = opinion(app, false).await;
        let (st, v) = anon
            .get(&format!("/api/v1/opinions/{code}/verification"))
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(
            (v["status"].as_str(), v["code"].as_str()),
            (Some("valid"), Some(code.as_str()))
        );
        assert_eq!(v["document_sha256"], sha);
        assert!(v["details"].is_null() && v["institution"].is_string());

        // With the key: the commissioning side, the case number, the signers; no examined person.
        let (_, v) = anon
            .get(&format!(
                "/api/v1/opinions/{code}/verification?key={}",
                key.to_lowercase()
            ))
            .await;
        assert_eq!(v["key_valid"], true);
        assert!(
            v["details"]["case_number"]
                .as_str()
                .unwrap()
                .contains("民初")
        );
        assert_eq!(v["details"]["appraisers"].as_array().unwrap().len(), 2);
        for name in ["王某某", "李某某", "赵某某", "陈某某"] {
            assert!(
                !v.to_string().contains(name),
                "examined person's name leaked"
            );
        }
        // A wrong key shows only the public fields.
        let (_, v) = anon
            .get(&format!(
                "/api/v1/opinions/{code}/verification?key=WRONGKEY2345"
            ))
            .await;
        assert_eq!(
            (v["key_valid"].as_bool(), v["details"].is_null()),
            (Some(false), true)
        );

        // Comparing a document by its hash.
        let (_, v) = anon
            .get(&format!(
                "/api/v1/opinions/{code}/verification?sha256={}",
                sha.to_uppercase()
            ))
            .await;
        assert_eq!(v["document_match"], true);
        let (_, v) = anon
            .get(&format!(
                "/api/v1/opinions/{code}/verification?sha256={}",
                "0".repeat(64)
            ))
            .await;
        assert_eq!(v["document_match"], false);

        // A corrected opinion says so, and shows its corrections with the key.
        let (ccode, ckey, _) = opinion(app, true).await;
        let (_, v) = anon
            .get(&format!("/api/v1/opinions/{ccode}/verification?key={ckey}"))
            .await;
        assert_eq!(
            (v["status"].as_str(), v["version"].as_i64()),
            (Some("corrected"), Some(2))
        );
        assert_eq!(v["details"]["corrections"].as_array().unwrap().len(), 1);

        // Malformed codes are refused before any lookup; a well-formed unknown one is not found.
        let mut bad = code.clone();
        let last = bad.pop().unwrap();
        bad.push(if last == '0' { '1' } else { '0' });
        let (st, e) = anon
            .get(&format!("/api/v1/opinions/{bad}/verification"))
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");
        assert!(e.to_string().contains("未通过校验"), "{e}");
        let (st, _) = anon.get("/api/v1/opinions/330000-2026/verification").await;
        assert_eq!(st, StatusCode::BAD_REQUEST);
        let unknown = OpinionCode::new("330000", 2026, 1, 9_999_999)
            .unwrap()
            .grouped();
        let (st, v) = anon
            .get(&format!("/api/v1/opinions/{unknown}/verification"))
            .await;
        assert_eq!(
            (st, v["status"].as_str()),
            (StatusCode::OK, Some("not_found"))
        );

        // The offline bundle verifies with the log's published key, and its leaf carries the
        // public line.
        let keys = reqwest::get(app.url("/api/v1/ledger/keys"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let log: Vec<Verifier> = keys
            .lines()
            .map(|l| Verifier::parse(l).unwrap())
            .filter(|v| v.kind == KeyKind::Ed25519)
            .collect();
        let mut text = String::new();
        for _ in 0..100 {
            let r = reqwest::get(app.url(&format!("/api/v1/opinions/{code}/bundle")))
                .await
                .unwrap();
            if r.status() == StatusCode::OK {
                text = r.text().await.unwrap();
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (_, entry) = Bundle::parse(&text)
            .unwrap()
            .verify(&Policy::log_only(log))
            .unwrap();
        let entry = String::from_utf8(entry).unwrap();
        assert!(entry.contains(&format!("opinion {code} {sha}")), "{entry}");
        // A bundle rewritten to claim another document no longer verifies.
        let forged: Vec<String> = text
            .split('\n')
            .map(|l| match l.strip_prefix("extra ") {
                Some(_) => format!(
                    "extra {}",
                    sijian_ledger::b64::encode(
                        entry.replace(sha.as_str(), &"0".repeat(64)).as_bytes()
                    )
                ),
                None => l.to_string(),
            })
            .collect();
        let forged = Bundle::parse(&forged.join("\n")).unwrap();
        assert!(
            forged
                .verify(&Policy::log_only(
                    keys.lines()
                        .map(|l| Verifier::parse(l).unwrap())
                        .filter(|v| v.kind == KeyKind::Ed25519)
                        .collect()
                ))
                .is_err(),
            "a tampered bundle fails"
        );

        // Every check was counted; the institution sees how often.
        let (st, counts) = app
            .login("inst.head")
            .await
            .get(&format!("/api/v1/opinions/{code}/checks"))
            .await;
        assert_eq!(st, StatusCode::OK, "{counts}");
        assert!(
            counts["public"].as_i64().unwrap() >= 4 && counts["keyed"].as_i64().unwrap() >= 1,
            "{counts}"
        );
        // A signed-in organ's check is counted as an organ's.
        let before = counts["organ"].as_i64().unwrap();
        let (st, _) = app
            .login("court")
            .await
            .get(&format!("/api/v1/opinions/{code}/verification"))
            .await;
        assert_eq!(st, StatusCode::OK);
        let (_, counts) = app
            .login("zj.reg")
            .await
            .get(&format!("/api/v1/opinions/{code}/checks"))
            .await;
        assert_eq!(counts["organ"].as_i64().unwrap(), before + 1, "{counts}");
        assert!(counts["last_day"].is_string(), "{counts}");
        // Others may not see the counts.
        let (st, _) = app
            .login("court")
            .await
            .get(&format!("/api/v1/opinions/{code}/checks"))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
);

both_engines!(
    the_verification_page_the_qr_code_opens,
    async |app: &TestApp| {
        let anon = app.anon();
        let (code, key, sha) = opinion(app, false).await;
        let (st, page) = anon.page(&format!("/v/{code}")).await;
        assert_eq!(st, StatusCode::OK);
        for words in [
            "鉴定意见书核验",
            "有效",
            "鉴定机构",
            &sha,
            "核对文件",
            "查询校验码",
        ] {
            assert!(page.contains(words), "{words} missing");
        }
        assert!(!page.contains("签名鉴定人"), "details only with the key");
        let (_, page) = anon.page(&format!("/v/{code}?key={key}")).await;
        assert!(
            page.contains("签名鉴定人") && page.contains("委托人"),
            "{page}"
        );
        let (_, page) = anon.page(&format!("/v/{code}?key=ABCDEFGHJKMN")).await;
        assert!(page.contains("查询校验码不正确") && !page.contains("签名鉴定人"));
        let (st, page) = anon.page("/v/330000-2026-1-0000001-0").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains("编码无效") || page.contains("未找到"),
            "{page}"
        );
        let unknown = OpinionCode::new("330000", 2026, 1, 9_999_999)
            .unwrap()
            .grouped();
        let (_, page) = anon.page(&format!("/v/{unknown}")).await;
        assert!(page.contains("未找到"), "{page}");
    }
);

/// The `t` parameter of a QR content.
fn token_of(qr: &str) -> String {
    qr.split_once("&t=").unwrap().1.to_string()
}

/// Flips one character in the middle of a token.
fn tampered(t: &str) -> String {
    let mut b = t.as_bytes().to_vec();
    let i = b.len() / 2;
    b[i] = if b[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap()
}

both_engines!(
    qr_tokens_verify_offline_and_revocation_shows_at_once,
    async |app: &TestApp| {
        let anon = app.anon();
        let (code, key, sha) = opinion(app, false).await;
        let (_, v) = anon
            .get(&format!("/api/v1/opinions/{code}/verification?key={key}"))
            .await;
        let qr = v["details"]["qr_content"].as_str().unwrap().to_string();
        assert!(qr.contains(&format!("/v/{code}?key={key}&t=")), "{qr}");
        // The token verifies with the published verification keys, with no network, and
        // carries the code, the document's hash, the institution's licence and the issue date.
        let keys = reqwest::get(app.url("/api/v1/verification/keys"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let keys: Vec<Verifier> = keys.lines().map(|l| Verifier::parse(l).unwrap()).collect();
        let t = token_of(&qr);
        let record = sijian_ledger::token::verify(&t, &keys).unwrap();
        let code19 = OpinionCode::parse(&code).unwrap().as_str().to_string();
        assert_eq!(record.fields[0], code19);
        assert_eq!(record.fields[1], sha);
        assert!(record.fields[3].starts_with("20"), "{record:?}");
        // It also carries the standing it vouched for and when it was signed (issue 14,
        // point 12).
        let st = record.standing.clone().expect("a version 2 token");
        assert_eq!(st.status, "valid");
        assert!(
            st.signed_at.starts_with("20") && st.signed_at.ends_with('Z'),
            "{st:?}"
        );
        // The server checks a token too; a tampered one fails with the reason.
        let (_, v) = anon
            .get(&format!("/api/v1/opinions/{code}/verification?t={t}"))
            .await;
        assert_eq!(v["token"]["signature_valid"], true, "{v}");
        assert_eq!(v["token"]["matches_record"], true, "{v}");
        let bad = tampered(&t);
        assert!(sijian_ledger::token::verify(&bad, &keys).is_err());
        let (_, v) = anon
            .get(&format!("/api/v1/opinions/{code}/verification?t={bad}"))
            .await;
        assert_eq!(v["token"]["signature_valid"], false, "{v}");
        assert!(
            v["token"]["reason"].as_str().unwrap().contains("令牌"),
            "{v}"
        );
        let (_, page) = anon.page(&format!("/v/{code}?t={bad}")).await;
        assert!(
            page.contains("二维码签名") && page.contains("无效"),
            "{page}"
        );
        // A token for another opinion does not match this record.
        let (ccode, ckey, _) = opinion(app, true).await;
        let (_, cv) = anon
            .get(&format!("/api/v1/opinions/{ccode}/verification?key={ckey}"))
            .await;
        let other = token_of(cv["details"]["qr_content"].as_str().unwrap());
        let (_, v) = anon
            .get(&format!("/api/v1/opinions/{code}/verification?t={other}"))
            .await;
        assert_eq!(
            (
                &v["token"]["signature_valid"],
                &v["token"]["matches_record"]
            ),
            (&serde_json::json!(true), &serde_json::json!(false)),
            "{v}"
        );

        // Revocation: regulators only, with a ground; it shows at once and is logged.
        let case_id: Vec<(i64,)> = app
            .db
            .fetch_all(
                "SELECT case_id FROM opinions WHERE code = $1",
                sijian_store::args![code19.as_str()],
            )
            .await
            .unwrap();
        let case_id = case_id[0].0;
        let reg = app.login("zj.reg").await;
        let (_, c) = reg.get(&format!("/api/v1/cases/{case_id}")).await;
        let version = c["version"].as_i64().unwrap();
        let path = format!("/api/v1/cases/{case_id}/revoke-opinion");
        let (st, _) = app
            .login("inst.head")
            .await
            .post(
                &path,
                serde_json::json!({"version": version, "reason": "机构自行撤销"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, e) = reg
            .post(
                &path,
                serde_json::json!({"version": version, "reason": "撤"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e.to_string().contains("撤销依据"), "{e}");
        let (st, c) = reg
            .post(
                &path,
                serde_json::json!({"version": version, "reason": "浙司罚决字〔2026〕12号"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{c}");
        let (_, v) = anon
            .get(&format!("/api/v1/opinions/{code}/verification"))
            .await;
        assert_eq!(v["status"], "revoked");
        assert_eq!(v["revoked_reason"], "浙司罚决字〔2026〕12号");
        assert!(v["revoked_on"].as_str().unwrap().starts_with("20"));
        let (_, page) = anon.page(&format!("/v/{code}")).await;
        assert!(
            page.contains("已撤销") && page.contains("浙司罚决字"),
            "{page}"
        );
        // A token signed before the revocation still shows what it vouched for then, and the
        // platform answers revoked now; no new token or label is signed for it.
        let (_, v) = anon
            .get(&format!(
                "/api/v1/opinions/{code}/verification?key={key}&t={t}"
            ))
            .await;
        assert_eq!(v["status"], "revoked", "{v}");
        assert_eq!(v["token"]["signed_status"], "valid", "{v}");
        assert_eq!(v["details"]["qr_content"], serde_json::Value::Null, "{v}");
        let (st, e) = app
            .login("inst.head")
            .await
            .get(&format!("/api/v1/opinions/{code}/label.pdf"))
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{e}");
        let (st, e) = reg
            .post(
                &path,
                serde_json::json!({"version": c["version"], "reason": "浙司罚决字〔2026〕12号"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e.to_string().contains("已撤销"), "{e}");
        // Nor may the institution correct it afterwards: verification would then answer
        // "corrected" (issue 14, point 16).
        let (_, now) = reg.get(&format!("/api/v1/cases/{case_id}")).await;
        let (st, e) = app
            .login("inst.head")
            .await
            .post(
                &format!("/api/v1/cases/{case_id}/correct"),
                serde_json::json!({"version": now["version"], "signer_id": 1, "what": "第 3 页错别字", "conclusion": {"kind": "text", "value": "x"}}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e.to_string().contains("不得补正"), "{e}");
        let (_, v) = anon
            .get(&format!("/api/v1/opinions/{code}/verification"))
            .await;
        assert_eq!(v["status"], "revoked");
        let logged: Vec<(i64,)> = app
            .db
            .fetch_all(
                "SELECT id FROM events WHERE kind = 'case.opinion_revoked' AND entity_id = $1",
                sijian_store::args![case_id.to_string()],
            )
            .await
            .unwrap();
        assert_eq!(logged.len(), 1, "the revocation is an event in the log");
    }
);

async fn status_from(app: &TestApp, path: &str, forwarded_for: Option<&str>) -> StatusCode {
    let mut r = reqwest::Client::new().get(app.url(path));
    if let Some(ip) = forwarded_for {
        r = r.header("x-forwarded-for", ip);
    }
    r.send().await.unwrap().status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_verification_is_rate_limited_per_client_address() {
    let limited = |trusted: bool| {
        move |c: &mut sijian_server::Config| {
            c.security.public_requests_per_second = 0.2;
            c.security.public_burst = 3.0;
            if trusted {
                c.security.trusted_proxies = vec!["127.0.0.1".into()];
            }
        }
    };
    // No trusted proxy: the peer address counts, and a forwarded address is not believed.
    let app = TestApp::start_with(common::Engine::Sqlite, limited(false))
        .await
        .unwrap();
    let (code, _, _) = opinion(&app, false).await;
    let path = format!("/api/v1/opinions/{code}/verification");
    for _ in 0..3 {
        assert_eq!(status_from(&app, &path, None).await, StatusCode::OK);
    }
    assert_eq!(
        status_from(&app, &path, None).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        status_from(&app, &path, Some("203.0.113.9")).await,
        StatusCode::TOO_MANY_REQUESTS,
        "a forwarded address from an untrusted peer changes nothing"
    );
    for other in [
        format!("/v/{code}"),
        "/api/v1/licences/1.2.156.3005.2.1/verification".into(),
        "/api/v1/verification/keys".into(),
    ] {
        assert_eq!(
            status_from(&app, &other, None).await,
            StatusCode::TOO_MANY_REQUESTS,
            "{other} shares the limit"
        );
    }
    app.stop().await;

    // Behind a trusted proxy: each forwarded client has its own allowance.
    let app = TestApp::start_with(common::Engine::Sqlite, limited(true))
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            status_from(&app, &path, Some("203.0.113.9")).await,
            StatusCode::OK
        );
    }
    assert_eq!(
        status_from(&app, &path, Some("203.0.113.9")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        status_from(&app, &path, Some("198.51.100.7")).await,
        StatusCode::OK
    );
    app.stop().await;
}

/// The public front door (issue 15, point 10): signed out, `/` offers the code box, the register
/// search and the licence box; a typed code with spaces reaches its verification page; a
/// mistyped code is explained with the box to type it again, holding what was typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_home_page_verifies_a_typed_code() {
    let app = common::TestApp::start(common::Engine::Sqlite)
        .await
        .expect("sqlite always available");
    let code: String = app
        .db
        .scalar("SELECT MIN(code) FROM opinions", sijian_store::Args::new())
        .await
        .unwrap();
    let anon = app.anon();
    let home = anon.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.url().path(), "/", "signed out stays on the home page");
    let html = home.text().await.unwrap();
    for part in [
        "action=\"/verify\"",
        "action=\"/directory\"",
        "action=\"/licence\"",
    ] {
        assert!(html.contains(part), "{part} missing:\n{html}");
    }
    let spaced = format!(" {} {} ", &code[..6], &code[6..]);
    let res = anon
        .http
        .get(app.url("/verify"))
        .query(&[("code", spaced.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.url().path(), format!("/v/{code}"));
    assert!(res.text().await.unwrap().contains("verify-status"));
    let mut wrong = code.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    let (_, page) = anon.page(&format!("/verify?code={wrong}")).await;
    assert!(page.contains("action=\"/verify\""), "{page}");
    assert!(page.contains(&format!("value=\"{wrong}\"")), "{page}");
    // Signed in, the same address is the workbench.
    let clerk = app.login("inst.clerk").await;
    let (_, work) = clerk.page("/").await;
    assert!(!work.contains("action=\"/verify\""));
    app.stop().await;
}
