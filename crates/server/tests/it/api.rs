//! Integration tests over HTTP against the real server, on SQLite and on PostgreSQL.
use crate::{common, helpers};

use common::{Client, Engine, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sijian_domain::Role;
use sijian_testkit::build;

/// An account named `username` that signs in with `common::PASSWORD`, on an empty database.
async fn account(app: &TestApp, role: Role, username: &str) {
    app.account(role, |u| u.username = username.into()).await;
}

async fn id_of(app: &TestApp, path: &str, name: &str) -> i64 {
    helpers::listed(app, path, name).await["id"]
        .as_i64()
        .unwrap()
}

both_engines!(health_and_ready, empty, async |app: &TestApp| {
    let c = app.anon();
    assert_eq!(c.page("/healthz").await, (StatusCode::OK, "ok".to_string()));
    assert_eq!(
        c.page("/readyz").await,
        (StatusCode::OK, "ready".to_string())
    );
});

// For every role: reading and changing records inside its scope is allowed, outside is refused
// (403 when the role may not act at all, 404 when the record is out of reach).
both_engines!(authorization_matrix, async |app: &TestApp| {
    let inst_a = id_of(app, "/api/v1/institutions", "浙江明正司法鉴定中心").await; // 西湖区, 杭州
    let inst_b = id_of(app, "/api/v1/institutions", "宁波甬正司法鉴定所").await; // 海曙区, 宁波
    let admin = app.login("admin").await;
    let (_, apps_a) = admin
        .get(&format!(
            "/api/v1/appraisers?institution_id={inst_a}&sort=name"
        ))
        .await;
    let (_, apps_b) = admin
        .get(&format!("/api/v1/appraisers?institution_id={inst_b}"))
        .await;
    let (_, me_appr) = app.login("appraiser").await.get("/api/v1/me").await;
    let own_appr = me_appr["user"]["appraiser_id"].as_i64().unwrap();
    let sibling = apps_a["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .find(|&i| i != own_appr)
        .unwrap();
    let appr_b = apps_b["items"][0]["id"].as_i64().unwrap();
    let organ_xh = id_of(app, "/api/v1/organs", "杭州市西湖区人民法院").await;
    let organ_zj = id_of(app, "/api/v1/organs", "浙江省高级人民法院").await;

    // role → [read A, read B, change A, change B, read own appraiser, read sibling, read appraiser B,
    //         read organ 西湖, read organ 省高院, list users, operations log, events]
    let table: &[(&str, [u16; 12])] = &[
        (
            "admin",
            [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "moj",
            [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "zj.reg",
            [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "hz.reg",
            [200, 404, 200, 404, 200, 200, 404, 200, 404, 200, 200, 200],
        ),
        (
            "xh.reg",
            [200, 404, 200, 404, 200, 200, 404, 200, 404, 200, 200, 200],
        ),
        (
            "assoc",
            [200, 200, 403, 403, 200, 200, 200, 403, 403, 403, 403, 403],
        ),
        (
            "inspector",
            [200, 404, 403, 403, 200, 200, 404, 403, 403, 403, 403, 403],
        ),
        (
            "inst.head",
            [200, 404, 200, 404, 200, 200, 404, 403, 403, 403, 403, 403],
        ),
        (
            "inst.clerk",
            [200, 404, 403, 403, 200, 200, 404, 403, 403, 403, 403, 403],
        ),
        (
            "appraiser",
            [200, 404, 403, 403, 200, 404, 404, 403, 403, 403, 403, 403],
        ),
        (
            "court",
            [403, 403, 403, 403, 403, 403, 403, 200, 404, 403, 403, 403],
        ),
        (
            "police",
            [403, 403, 403, 403, 403, 403, 403, 404, 404, 403, 403, 403],
        ),
    ];
    let mut wrong = Vec::new();
    for (user, expect) in table {
        for via_token in [false, true] {
            let c = if via_token {
                app.token_client(user, false).await
            } else {
                app.login(user).await
            };
            let (_, a) = admin.get(&format!("/api/v1/institutions/{inst_a}")).await;
            let (_, b) = admin.get(&format!("/api/v1/institutions/{inst_b}")).await;
            let got = [
                c.get(&format!("/api/v1/institutions/{inst_a}")).await.0,
                c.get(&format!("/api/v1/institutions/{inst_b}")).await.0,
                c.patch(
                    &format!("/api/v1/institutions/{inst_a}"),
                    json!({"version": a["version"], "phone": "0571-12345678"}),
                )
                .await
                .0,
                c.patch(
                    &format!("/api/v1/institutions/{inst_b}"),
                    json!({"version": b["version"], "phone": "0574-12345678"}),
                )
                .await
                .0,
                c.get(&format!("/api/v1/appraisers/{own_appr}")).await.0,
                c.get(&format!("/api/v1/appraisers/{sibling}")).await.0,
                c.get(&format!("/api/v1/appraisers/{appr_b}")).await.0,
                c.get(&format!("/api/v1/organs/{organ_xh}")).await.0,
                c.get(&format!("/api/v1/organs/{organ_zj}")).await.0,
                c.get("/api/v1/users").await.0,
                c.get("/api/v1/logs/operations").await.0,
                c.get("/api/v1/events").await.0,
            ];
            for (i, (g, e)) in got.iter().zip(expect.iter()).enumerate() {
                if g.as_u16() != *e {
                    wrong.push(format!(
                        "{user} (token: {via_token}) check {i}: got {g}, expected {e}"
                    ));
                }
            }
        }
    }
    // The public (no credentials) reaches nothing.
    let anon = app.anon();
    for p in [
        "/api/v1/institutions",
        "/api/v1/appraisers",
        "/api/v1/users",
        "/api/v1/events",
        "/api/v1/me",
    ] {
        let (st, body) = anon.get(p).await;
        if st != StatusCode::UNAUTHORIZED || body["error"]["code"] != "unauthenticated" {
            wrong.push(format!("anonymous {p}: {st} {body}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "authorisation matrix mismatches:\n{}",
        wrong.join("\n")
    );

    // Lists are narrowed, not only single records.
    let hz = app.login("hz.reg").await;
    let (_, page) = hz.get("/api/v1/institutions?per_page=200").await;
    assert!(page["items"].as_array().unwrap().iter().all(|i| {
        i["region_path"]
            .as_str()
            .unwrap()
            .starts_with("/330000/330100/")
    }));
    assert_eq!(page["total"], 7);
    let (_, users) = hz.get("/api/v1/users?per_page=200").await;
    assert!(users["items"].as_array().unwrap().iter().all(|u| {
        u["home_path"]
            .as_str()
            .unwrap()
            .starts_with("/330000/330100/")
    }));
    let clerk = app.login("inst.clerk").await;
    let (_, page) = clerk.get("/api/v1/appraisers?per_page=200").await;
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["institution_id"] == inst_a)
    );
    // Five demo appraisers plus one registered through the demo's approved application.
    assert_eq!(page["total"], 6);
});

both_engines!(
    institution_head_cannot_change_registration,
    async |app: &TestApp| {
        let inst = id_of(app, "/api/v1/institutions", "浙江明正司法鉴定中心").await;
        let head = app.login("inst.head").await;
        let (_, cur) = head.get(&format!("/api/v1/institutions/{inst}")).await;
        let (st, body) = head
            .patch(
                &format!("/api/v1/institutions/{inst}"),
                json!({"version": cur["version"], "status": "revoked"}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "status");
        let (st, body) = head
            .patch(
                &format!("/api/v1/institutions/{inst}"),
                json!({"version": cur["version"], "address": "文三路 90 号"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(body["address"], "文三路 90 号");
    }
);

both_engines!(
    version_check_refuses_silent_overwrite,
    async |app: &TestApp| {
        let inst = id_of(app, "/api/v1/institutions", "杭州钱江司法鉴定所").await;
        let a = app.login("hz.reg").await;
        let b = app.login("zj.reg").await;
        let (_, cur) = a.get(&format!("/api/v1/institutions/{inst}")).await;
        let v = cur["version"].clone();
        let (st, first) = a
            .patch(
                &format!("/api/v1/institutions/{inst}"),
                json!({"version": v, "phone": "0571-11111111"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{first}");
        assert_eq!(first["version"], v.as_i64().unwrap() + 1);
        let (st, second) = b
            .patch(
                &format!("/api/v1/institutions/{inst}"),
                json!({"version": v, "phone": "0571-22222222"}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{second}");
        assert_eq!(second["error"]["code"], "version_conflict");
        let (_, now) = a.get(&format!("/api/v1/institutions/{inst}")).await;
        assert_eq!(now["phone"], "0571-11111111");
    }
);

both_engines!(bad_input_names_the_field, async |app: &TestApp| {
    let c = app.login("zj.reg").await;
    let (st, body) = c.post("/api/v1/institutions", json!({})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "validation_failed");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    // Every problem at once, the missing basis of a direct registration among them.
    assert_eq!(
        fields,
        [
            "name",
            "licence_no",
            "region_code",
            "scope",
            "status_reason"
        ]
    );
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("请填写")
    );
    let (st, body) = c
        .post(
            "/api/v1/institutions",
            json!({"name": "x", "colour": "red"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("colour")
    );
    let (st, body) = c.post("/api/v1/institutions", json!({"name": "甲", "licence_no": "33019999", "region_code": "330106", "categories": ["7"]})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "categories");
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("第7条")
    );
    let (st, body) = c.get("/api/v1/institutions?page=abc").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("page"),
        "{body}"
    );
    let (st, body) = c.get("/api/v1/institutions/xyz").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    let res = c
        .http
        .post(format!("{}/api/v1/institutions", app.base))
        .header("X-CSRF-Token", &c.csrf)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
    let (st, body) = c.get("/api/v1/no-such-thing").await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("no_such_route"))
    );
    // A city regulator registers nothing directly: the licensing authority's act (决定第六条).
    let hz = app.login("hz.reg").await;
    let (st, body) = hz.post("/api/v1/institutions", json!({"name": "杭州新设鉴定所", "licence_no": "33019999", "region_code": "330106", "categories": ["1"], "reason": "x"})).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("第六条"),
        "{body}"
    );
});

both_engines!(
    changes_are_atomic_with_their_event,
    async |app: &TestApp| {
        let c = app.login("zj.reg").await;
        let events_before = app.scalar_i64("SELECT COUNT(*) FROM events").await;
        let (st, created) = c.post("/api/v1/institutions", json!({"name": "浙江新设司法鉴定所", "licence_no": "33019001", "region_code": "330106", "categories": ["1", "2"], "reason": "浙司鉴〔2026〕9号"})).await;
        assert_eq!(st, StatusCode::CREATED, "{created}");
        assert_eq!(
            app.scalar_i64("SELECT COUNT(*) FROM events").await,
            events_before + 1
        );
        let id = created["id"].as_i64().unwrap();
        let kind: String = app.db.scalar("SELECT kind FROM events WHERE entity_type = 'institution' AND entity_id = $1 ORDER BY id DESC", sijian_store::args![id.to_string()]).await.unwrap();
        assert_eq!(kind, "institution.created");
        // A duplicate licence number fails inside the transaction: no row, no event.
        let (st, dup) = c.post("/api/v1/institutions", json!({"name": "另一家鉴定所", "licence_no": "33019001", "region_code": "330106", "categories": ["1"], "reason": "浙司鉴〔2026〕9号"})).await;
        assert_eq!(st, StatusCode::CONFLICT, "{dup}");
        assert_eq!(dup["error"]["fields"][0]["field"], "licence_no");
        assert_eq!(
            app.scalar_i64("SELECT COUNT(*) FROM events").await,
            events_before + 1
        );
        assert_eq!(
            app.scalar_i64("SELECT COUNT(*) FROM institutions WHERE name = '另一家鉴定所'")
                .await,
            0
        );
        // An appraiser practising outside the institution's scope is refused and nothing is written.
        let (st, bad) = c.post("/api/v1/appraisers", json!({"institution_id": id, "name": "赵六", "gender": "male", "certificate_no": "330100999", "categories": ["4"], "reason": "浙司鉴〔2026〕9号"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(
            app.scalar_i64("SELECT COUNT(*) FROM events").await,
            events_before + 1
        );
        // The event record is append-only at the database.
        assert!(
            app.db
                .execute("UPDATE events SET kind = 'x'", sijian_store::Args::new())
                .await
                .is_err()
        );
        assert!(
            app.db
                .execute("DELETE FROM events", sijian_store::Args::new())
                .await
                .is_err()
        );
    }
);

both_engines!(login_lockout_and_throttle, empty, async |app: &TestApp| {
    account(app, Role::Admin, "admin").await;
    account(app, Role::RegulatorCounty, "xh.reg").await;
    let c = app.anon();
    for _ in 0..4 {
        let (st, body) = c
            .post(
                "/api/v1/session",
                json!({"username": "xh.reg", "password": "wrong-Password-1"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(body["error"]["message"], "用户名或密码错误");
    }
    // The fifth locks the account, but the answer is the same as for any wrong password (and as
    // for a name that does not exist): the answers do not tell which accounts exist.
    let (st, body) = c
        .post(
            "/api/v1/session",
            json!({"username": "xh.reg", "password": "wrong-Password-1"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    let (st, locked_wrong) = c
        .post(
            "/api/v1/session",
            json!({"username": "xh.reg", "password": "wrong-Password-1"}),
        )
        .await;
    let (st2, unknown) = c
        .post(
            "/api/v1/session",
            json!({"username": "no.such.user", "password": "wrong-Password-1"}),
        )
        .await;
    assert_eq!((st, &locked_wrong), (st2, &unknown));
    // Locked: the right password is refused, and only then is the lock named.
    let (st, _) = c
        .post(
            "/api/v1/session",
            json!({"username": "xh.reg", "password": common::PASSWORD}),
        )
        .await;
    assert_eq!(st, StatusCode::LOCKED);
    let admin = app.login("admin").await;
    let (_, logins) = admin.get("/api/v1/logs/logins?result=locked").await;
    assert!(logins["total"].as_i64().unwrap() >= 1);
    let (_, u) = admin.get("/api/v1/users?q=xh.reg").await;
    let uid = u["items"][0]["id"].as_i64().unwrap();
    let (st, _) = admin
        .post(&format!("/api/v1/users/{uid}/unlock"), json!({}))
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = c
        .post(
            "/api/v1/session",
            json!({"username": "xh.reg", "password": common::PASSWORD}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // The address is throttled after 20 failures in the window (default), whatever the name
    // (eight so far).
    let mut last = StatusCode::OK;
    for i in 0..13 {
        last = c
            .post(
                "/api/v1/session",
                json!({"username": format!("nobody{i}"), "password": "x"}),
            )
            .await
            .0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    let (st, body) = c
        .post(
            "/api/v1/session",
            json!({"username": "admin", "password": common::PASSWORD}),
        )
        .await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"]["code"], "login_throttled");
});

/// Posts every sign-in at the same moment, each on its own task.
async fn sign_ins_at_once(c: &Client, bodies: Vec<Value>) -> Vec<StatusCode> {
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|b| {
            let c = Client {
                http: c.http.clone(),
                base: c.base.clone(),
                csrf: c.csrf.clone(),
                token: None,
            };
            tokio::spawn(async move { c.post("/api/v1/session", b).await.0 })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

both_engines!(
    concurrent_guesses_cannot_pass_the_limits,
    empty,
    async |app: &TestApp| {
        account(app, Role::Admin, "admin").await;
        account(app, Role::RegulatorCounty, "xh.reg").await;
        // A token made before the lock-out.
        let token = app.token_client("xh.reg", false).await;
        // 15 wrong passwords at once on one account (under the address limit of 20): at most 5
        // (the default limit) are checked.
        let c = app.anon();
        let answers = sign_ins_at_once(
            &c,
            (0..15)
                .map(|_| json!({"username": "xh.reg", "password": "wrong-Password-1"}))
                .collect(),
        )
        .await;
        assert!(
            answers.iter().all(|st| *st == StatusCode::UNAUTHORIZED),
            "{answers:?}"
        );
        let checked = app
        .scalar_i64("SELECT COUNT(*) FROM login_log WHERE username = 'xh.reg' AND result = 'bad_password'")
        .await;
        assert!(checked <= 5, "{checked} passwords checked");
        // 30 more attempts with unknown names at once from the same address: with the 15 before,
        // at most 20 (the default) failed attempts get past the address limit; the rest are
        // throttled. (The token's sign-in above succeeded: successes are not limited, so it is
        // not counted here; counting it made the test fail whenever exactly 20 got past.)
        sign_ins_at_once(
            &c,
            (0..30)
                .map(|i| json!({"username": format!("nobody{i}"), "password": "x"}))
                .collect(),
        )
        .await;
        let past = app
            .scalar_i64(
                "SELECT COUNT(*) FROM login_log WHERE result NOT IN ('throttled', 'pending', 'ok')",
            )
            .await;
        assert!(past <= 20, "{past} attempts got past the address limit");
        // The lock-out did not break the account's API token (issue 14, point 9).
        let (st, v) = token.get("/api/v1/me").await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
);

both_engines!(
    api_tokens_are_scoped_revocable_and_hashed,
    empty,
    async |app: &TestApp| {
        account(app, Role::Admin, "admin").await;
        account(app, Role::RegulatorCity, "hz.reg").await;
        let inst = build::institution(&app.db).await.id;
        let ro = app.token_client("hz.reg", true).await;
        let secret = ro.token.clone().unwrap();
        assert!(secret.starts_with("sjt_"));
        assert_eq!(
            app.scalar_i64(&format!(
                "SELECT COUNT(*) FROM api_tokens WHERE token_hash = '{secret}'"
            ))
            .await,
            0,
            "stored in clear"
        );
        let (st, me) = ro.get("/api/v1/me").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(me["via"], "token");
        let (_, cur) = ro.get(&format!("/api/v1/institutions/{inst}")).await;
        let (st, body) = ro
            .patch(
                &format!("/api/v1/institutions/{inst}"),
                json!({"version": cur["version"], "phone": "0571-33333333"}),
            )
            .await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("read_only_token"))
        );
        // A token cannot mint tokens.
        let (st, _) = ro.post("/api/v1/tokens", json!({"name": "x"})).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        // Revoked → refused.
        let rw = app.token_client("hz.reg", false).await;
        let owner = app.login("hz.reg").await;
        let (_, list) = owner.get("/api/v1/tokens").await;
        let newest = list[0]["id"].as_i64().unwrap();
        let (st, _) = owner.delete(&format!("/api/v1/tokens/{newest}")).await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (st, body) = rw.get("/api/v1/me").await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("token_invalid"))
        );
        // Bound to role and organisation: moving the account to another region voids its tokens.
        let (st, _) = ro.get("/api/v1/me").await;
        assert_eq!(st, StatusCode::OK);
        let admin = app.login("admin").await;
        let (_, u) = admin.get("/api/v1/users?q=hz.reg").await;
        let (uid, v) = (
            u["items"][0]["id"].as_i64().unwrap(),
            u["items"][0]["version"].clone(),
        );
        let (st, body) = admin
            .patch(
                &format!("/api/v1/users/{uid}"),
                json!({"version": v, "region_code": "330200"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let (st, _) = ro.get("/api/v1/me").await;
        assert_eq!(st, StatusCode::UNAUTHORIZED);
        // Someone else's token cannot be revoked.
        let (st, _) = admin.delete(&format!("/api/v1/tokens/{newest}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        // A garbage bearer is refused as unauthenticated.
        let bad = common::Client {
            http: reqwest::Client::new(),
            base: app.base.clone(),
            csrf: String::new(),
            token: Some("sjt_nope".into()),
        };
        assert_eq!(bad.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    }
);

both_engines!(
    csrf_is_required_for_cookie_sessions,
    empty,
    async |app: &TestApp| {
        account(app, Role::Admin, "admin").await;
        account(app, Role::RegulatorProvince, "zj.reg").await;
        let inst = build::institution(&app.db).await.id;
        let mut c = app.login("zj.reg").await;
        let (_, cur) = c.get(&format!("/api/v1/institutions/{inst}")).await;
        let csrf = std::mem::take(&mut c.csrf);
        let (st, body) = c
            .patch(
                &format!("/api/v1/institutions/{inst}"),
                json!({"version": cur["version"], "phone": "0571-44444444"}),
            )
            .await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("csrf_failed"))
        );
        // A page form without the token is refused too.
        let res = c
            .http
            .post(format!("{}/institutions/{inst}/edit", app.base))
            .form(&[("version", "1"), ("phone", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        c.csrf = csrf;
        let (st, _) = c
            .patch(
                &format!("/api/v1/institutions/{inst}"),
                json!({"version": cur["version"], "phone": "0571-44444444"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        // Denials and changes are in the operations log, with who and from where.
        let admin = app.login("admin").await;
        let (_, ops) = admin.get("/api/v1/logs/operations?per_page=100").await;
        let items = ops["items"].as_array().unwrap();
        assert!(items.iter().any(|o| o["result"] == "denied"
            && o["username"] == "zj.reg"
            && o["ip"] == "127.0.0.1"));
        assert!(
            items.iter().any(|o| o["result"] == "ok"
                && o["method"] == "PATCH"
                && o["username"] == "zj.reg")
        );
    }
);

both_engines!(
    sessions_end_on_logout_and_disable,
    empty,
    async |app: &TestApp| {
        account(app, Role::Admin, "admin").await;
        account(app, Role::Inspector, "inspector").await;
        let c = app.login("inspector").await;
        assert_eq!(c.get("/api/v1/me").await.0, StatusCode::OK);
        assert_eq!(c.delete("/api/v1/session").await.0, StatusCode::NO_CONTENT);
        assert_eq!(c.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
        let c = app.login("inspector").await;
        let admin = app.login("admin").await;
        let (_, u) = admin.get("/api/v1/users?q=inspector").await;
        let (uid, v) = (
            u["items"][0]["id"].as_i64().unwrap(),
            u["items"][0]["version"].clone(),
        );
        let (st, _) = admin
            .patch(
                &format!("/api/v1/users/{uid}"),
                json!({"version": v, "active": false}),
            )
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(c.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
        let (st, body) = app
            .anon()
            .post(
                "/api/v1/session",
                json!({"username": "inspector", "password": common::PASSWORD}),
            )
            .await;
        assert_eq!(
            (st, body["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("account_disabled"))
        );
    }
);

both_engines!(user_administration, async |app: &TestApp| {
    let admin = app.login("admin").await;
    let inst = id_of(app, "/api/v1/institutions", "杭州钱江司法鉴定所").await;
    let (st, body) = admin.post("/api/v1/users", json!({"username": "qj.clerk", "display_name": "钱江受理员", "password": "short", "role": "institution_clerk", "institution_id": inst})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "password");
    let (st, body) = admin.post("/api/v1/users", json!({"username": "qj.clerk", "display_name": "钱江受理员", "password": "Qianjiang-2026!", "role": "regulator_city", "region_code": "330106"})).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "region_code");
    let (st, body) = admin.post("/api/v1/users", json!({"username": "qj.clerk", "display_name": "钱江受理员", "password": "Qianjiang-2026!", "role": "institution_clerk", "institution_id": inst})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["must_change_password"], true);
    let (st, body) = admin.post("/api/v1/users", json!({"username": "qj.clerk", "display_name": "重复", "password": "Qianjiang-2026!", "role": "institution_clerk", "institution_id": inst})).await;
    assert_eq!(
        (st, body["error"]["fields"][0]["field"].as_str()),
        (StatusCode::CONFLICT, Some("username"))
    );
    // The new clerk sees only the new institution.
    let c = app.anon();
    let (st, me) = c
        .post(
            "/api/v1/session",
            json!({"username": "qj.clerk", "password": "Qianjiang-2026!"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let mut c = c;
    c.csrf = me["csrf_token"].as_str().unwrap().into();
    // Until the first password is changed, the API answers only the account itself.
    let (st, body) = c.get("/api/v1/institutions").await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("password_change_required"))
    );
    // Changing one's password checks the current one and the policy.
    let (st, _) = c
        .put(
            "/api/v1/me/password",
            json!({"current_password": "wrong", "new_password": "Another-Pass-2026"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = c
        .put(
            "/api/v1/me/password",
            json!({"current_password": "Qianjiang-2026!", "new_password": "Another-Pass-2026"}),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(
        c.get("/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED,
        "password change ends sessions"
    );
    let (st, me) = c
        .post(
            "/api/v1/session",
            json!({"username": "qj.clerk", "password": "Another-Pass-2026"}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    c.csrf = me["csrf_token"].as_str().unwrap().into();
    let (_, list) = c.get("/api/v1/institutions").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], inst);
    // Regulators may read accounts in scope but not manage them.
    let hz = app.login("hz.reg").await;
    let (st, _) = hz.post("/api/v1/users", json!({"username": "x.y"})).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
});

both_engines!(
    pages_speak_chinese_and_explain_errors,
    async |app: &TestApp| {
        let c = app.login("zj.reg").await;
        let (st, html) = c
            .page("/institutions?status=normal&sort=name&order=desc")
            .await;
        assert_eq!(st, StatusCode::OK);
        for label in [
            "鉴定机构",
            "许可证号",
            "所在行政区划",
            "业务类别",
            "状态",
            "搜索",
            "共 ",
        ] {
            assert!(html.contains(label), "missing {label}");
        }
        // A form posted with errors comes back with each field's reason in Chinese, input kept.
        let (_, form) = c.page("/institutions/new").await;
        let token = form
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let res = c
            .http
            .post(format!("{}/institutions/new", app.base))
            .form(&[
                ("_csrf", token.as_str()),
                ("name", ""),
                ("licence_no", "33010077"),
                ("region_code", "330106"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.unwrap();
        assert!(html.contains("请填写机构名称"), "{html}");
        assert!(html.contains("请至少选择一个执业类别或项目"));
        assert!(html.contains("value=\"33010077\""));
        // English per user.
        let (st, _) = c.put("/api/v1/me/language", json!({"lang": "en"})).await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (_, html) = c.page("/institutions").await;
        assert!(html.contains("Licence number") && html.contains("<html lang=\"en\">"));
        // Signed-out visitors are sent to the login page.
        let res = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(app.url("/institutions"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/login?next=%2Finstitutions");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_database_gives_503_and_recovers() {
    let Some(app) = TestApp::start(Engine::Postgres).await else {
        return;
    };
    let c = app.token_client("admin", true).await;
    assert_eq!(c.get("/api/v1/institutions").await.0, StatusCode::OK);
    let name = app
        .db
        .scalar::<String>("SELECT current_database()", sijian_store::Args::new())
        .await
        .unwrap();
    let admin = sijian_store::Db::connect(&common::pg_admin_url(), &Default::default())
        .await
        .unwrap();
    let args = sijian_store::Args::new();
    admin
        .execute(
            &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"),
            args.clone(),
        )
        .await
        .unwrap();
    admin
        .execute(
            &format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
            ),
            args.clone(),
        )
        .await
        .unwrap();
    let mut saw = Vec::new();
    for _ in 0..3 {
        saw.push(c.get("/api/v1/institutions").await);
    }
    assert!(
        saw.iter()
            .all(|(st, b)| *st == StatusCode::SERVICE_UNAVAILABLE
                && b["error"]["code"] == "database_unavailable"),
        "{saw:?}"
    );
    assert_eq!(
        app.anon().page("/readyz").await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        app.anon().page("/healthz").await.0,
        StatusCode::OK,
        "the process stays up"
    );
    admin
        .execute(
            &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"),
            args,
        )
        .await
        .unwrap();
    admin.close().await;
    let mut ok = false;
    let mut seen = Vec::new();
    for _ in 0..40 {
        let r = app.anon().page("/readyz").await;
        let l = c.get("/api/v1/institutions").await;
        if r.0 == StatusCode::OK && l.0 == StatusCode::OK {
            ok = true;
            break;
        }
        seen.push(format!("{r:?} {l:?}"));
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert!(ok, "recovers when the database is back: {seen:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_served_on_their_own_listener() {
    let app = TestApp::start_with(Engine::Sqlite, |cfg| {
        cfg.metrics_listen = "127.0.0.1:0".into()
    })
    .await
    .unwrap();
    assert_eq!(app.anon().page("/healthz").await.0, StatusCode::OK);
    let addr = app.metrics_addr().expect("metrics listener");
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("sijian_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/healthz\""));
    // Not on the public listener.
    assert_eq!(app.anon().page("/metrics").await.0, StatusCode::NOT_FOUND);
    app.stop().await;
}

const TABLE_2027: &str = "year 2027\nsource 测试用的 2027 年安排\nholiday 2027-01-01 元旦\nholiday 2027-02-06..2027-02-12 春节\nworkday 2027-02-13 春节调休上班\n";

both_engines!(working_day_calendar, async |app: &TestApp| {
    let clerk = app.login("inst.clerk").await;
    // The shipped years are there; 7 working days from 2026-09-30 skip National Day.
    let (st, body) = clerk
        .get("/api/v1/calendar/deadline?from=2026-09-30&working_days=7")
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["deadline"], "2026-10-15");
    assert_eq!(body["provisional"], false);
    // A period reaching into a year without a table is counted provisionally from the statutory
    // holidays (1 January off) and says so.
    let (st, body) = clerk
        .get("/api/v1/calendar/deadline?from=2026-12-28&working_days=7")
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(
        (body["deadline"].as_str(), body["provisional"].as_bool()),
        (Some("2027-01-07"), Some(true))
    );
    // One reaching a year the calendar cannot count at all is refused loudly.
    let (st, body) = clerk
        .get("/api/v1/calendar/deadline?from=2099-12-28&working_days=7")
        .await;
    assert_eq!(
        (st, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("calendar_missing"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2100 年的节假日安排尚未载入")
    );
    let (st, html) = clerk.page("/calendar?from=2026-12-28&days=7").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("期限届满日为 2027-01-07（暂定）") && html.contains("放假调休安排尚未载入"),
        "{html}"
    );
    let (st, body) = clerk
        .get("/api/v1/calendar/deadline?from=2026-13-01&working_days=7")
        .await;
    assert_eq!(
        (st, body["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("from"))
    );
    let (_, overview) = clerk.get("/api/v1/calendar").await;
    let years: Vec<i64> = overview["years"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| y["year"].as_i64().unwrap())
        .collect();
    assert_eq!(years, [2025, 2026]);
    assert_eq!(overview["years"][1]["working_days"], 248);
    // Only an administrator loads a year; a bad table names its line; the year must match.
    let (st, _) = clerk
        .put("/api/v1/calendar/2027", json!({"text": TABLE_2027}))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let admin = app.login("admin").await;
    let (st, body) = admin
        .put(
            "/api/v1/calendar/2027",
            json!({"text": "year 2027\nsource x\nholiday 2027-01-01\nworkday 2027-01-04 周一\n"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("第 4 行"),
        "{body}"
    );
    let (st, _) = admin
        .put("/api/v1/calendar/2028", json!({"text": TABLE_2027}))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let events_before = app
        .scalar_i64("SELECT COUNT(*) FROM events WHERE kind = 'calendar.loaded'")
        .await;
    let (st, body) = admin
        .put("/api/v1/calendar/2027", json!({"text": TABLE_2027}))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["adjusted_workdays"][0], "2027-02-13");
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM events WHERE kind = 'calendar.loaded'")
            .await,
        events_before + 1
    );
    // Now the same period has an exact answer: 2026-12-29..31, 2027-01-04..07 (1 January is a
    // holiday).
    let (st, body) = clerk
        .get("/api/v1/calendar/deadline?from=2026-12-28&working_days=7")
        .await;
    assert_eq!(
        (st, body["deadline"].as_str(), body["provisional"].as_bool()),
        (StatusCode::OK, Some("2027-01-07"), Some(false))
    );
    // A correction replaces the year.
    let corrected = TABLE_2027.replace(
        "holiday 2027-01-01 元旦\n",
        "holiday 2027-01-01..2027-01-03 元旦\n",
    );
    let (st, _) = admin
        .put("/api/v1/calendar/2027", json!({"text": corrected}))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, overview) = admin.get("/api/v1/calendar").await;
    let y2027 = overview["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2027)
        .unwrap()
        .clone();
    assert_eq!(
        (y2027["origin"].as_str(), y2027["holidays"].as_i64()),
        (Some("loaded"), Some(10))
    );
    // The page shows the years and computes deadlines.
    let (st, html) = admin.page("/calendar?from=2026-09-30&days=7").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("期限届满日为 2026-10-15") && html.contains("测试用的 2027 年安排"),
        "{html}"
    );
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_holiday_table_is_announced_on_the_workbench() {
    let app = TestApp::start(Engine::Sqlite).await.unwrap();
    let today = sijian_service::today();
    let cal = sijian_domain::calendar::WorkingCalendar::shipped();
    let missing = sijian_service::missing_years(&cal, today);
    // Told to who can load the table (the administrator), not to a regulator who cannot.
    let (_, html) = app.login("admin").await.page("/").await;
    for y in &missing {
        assert!(
            html.contains(&format!("{y} 年的节假日安排尚未载入")),
            "warning for {y} missing"
        );
    }
    if missing.is_empty() {
        assert!(!html.contains("site-warning"));
    }
    let (_, html) = app.login("hz.reg").await.page("/").await;
    assert!(!html.contains("site-warning"), "{html}");
    // The rule itself, on fixed dates.
    let d = |s: &str| sijian_domain::calendar::Date::parse(s).unwrap();
    assert!(sijian_service::missing_years(&cal, d("2026-09-30")).is_empty());
    assert_eq!(sijian_service::missing_years(&cal, d("2026-10-01")), [2027]);
    assert_eq!(sijian_service::missing_years(&cal, d("2027-03-01")), [2027]);
    app.stop().await;
}

both_engines!(
    register_exports_as_csv_for_regulators,
    async |app: &TestApp| {
        let hz = app.login("hz.reg").await;
        let res = hz
            .http
            .get(app.url("/api/v1/export/institutions.csv?status=normal"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let text = res.text().await.unwrap();
        assert!(
            text.starts_with('\u{feff}'),
            "byte-order mark for spreadsheets"
        );
        let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
        assert!(lines[0].contains("统一社会信用代码"));
        assert_eq!(lines.len(), 1 + 7, "header and the seven 杭州 institutions");
        assert!(lines.iter().all(|l| !l.contains("宁波")));
        let (st, body) = hz
            .page("/api/v1/export/appraisers.csv?senior_title=true")
            .await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.lines().skip(1).all(|l| l.contains(",是,")), "{body}");
        let (st, _) = app
            .login("inst.head")
            .await
            .get("/api/v1/export/institutions.csv")
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (_, page) = hz.page("/institutions?status=normal").await;
        assert!(page.contains("/api/v1/export/institutions.csv?status=normal"));
    }
);

both_engines!(
    public_directory_shows_public_fields_only,
    async |app: &TestApp| {
        let anon = app.anon();
        let (st, page) = anon.get("/api/v1/public/institutions?per_page=50").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(page["total"], 20);
        let (_, found) = anon
            .get(&format!(
                "/api/v1/public/institutions?q={}",
                urlencoding::encode("甬正")
            ))
            .await;
        assert_eq!(found["total"], 1);
        let id = found["items"][0]["id"].as_i64().unwrap();
        let (st, detail) = anon.get(&format!("/api/v1/public/institutions/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(detail["appraisers"].as_array().unwrap().len(), 5);
        let (_, apps) = anon.get("/api/v1/public/appraisers?category=4").await;
        assert!(apps["total"].as_i64().unwrap() >= 15);
        for a in apps["items"].as_array().unwrap() {
            assert!(
                a.get("phone").is_none() && a.get("gender").is_none(),
                "private field exposed: {a}"
            );
        }
        let (_, zj) = anon
            .get("/api/v1/public/institutions?region=330200&category=2")
            .await;
        assert!(
            zj["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["region_code"].as_str().unwrap().starts_with("3302"))
        );
        let (st, html) = anon.page("/directory?q=%E7%94%AC%E6%AD%A3").await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("宁波甬正司法鉴定所") && html.contains("鉴定机构名册"));
        let (st, html) = anon.page(&format!("/directory/institutions/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        // Mobile numbers are 11-digit runs starting with 1; the page has none (electronic
        // licence identifiers hold longer runs of digits).
        let mobile_like = html
            .split(|c: char| !c.is_ascii_digit())
            .any(|run| run.len() == 11 && run.starts_with('1'));
        assert!(
            html.contains("执业证号") && !mobile_like,
            "no appraiser phone numbers on the public page"
        );
        assert_eq!(
            anon.get("/api/v1/public/institutions/999999").await.0,
            StatusCode::NOT_FOUND
        );
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_directory_is_rate_limited_per_address() {
    let app = TestApp::start_with(Engine::Sqlite, |c| {
        c.security.public_requests_per_second = 0.5;
        c.security.public_burst = 3.0;
    })
    .await
    .unwrap();
    let anon = app.anon();
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(anon.get("/api/v1/public/institutions").await);
    }
    assert!(got[..3].iter().all(|(st, _)| *st == StatusCode::OK));
    assert_eq!(got[3].0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(got[3].1["error"]["code"], "rate_limited");
    assert_eq!(
        anon.page("/directory").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Signed-in work is not limited by it.
    assert_eq!(
        app.login("zj.reg")
            .await
            .get("/api/v1/institutions")
            .await
            .0,
        StatusCode::OK
    );
    app.stop().await;
}

// With two live nodes over one database each allows half the configured burst to a client, so
// a client the balancer spreads over both gets no more than the configured rate (issue 14,
// point 13).
both_engines!(
    public_limit_is_shared_among_live_nodes,
    config = |c: &mut sijian_server::Config| {
        c.security.public_requests_per_second = 0.001;
        c.security.public_burst = 4.0;
        c.cluster.heartbeat_seconds = 1;
    },
    async |app: &TestApp| {
        assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM nodes").await, 1);
        // Another node, alive for the next minute.
        let now = sijian_store::now_ms();
        let alive =
            sijian_store::nodes::beat(&app.db, "other-node", now, now + 60_000, now - 5_000, 0)
                .await
                .unwrap();
        assert_eq!(alive, 2);
        // This node counts it at its next heartbeat.
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        let anon = app.anon();
        let mut got = Vec::new();
        for _ in 0..3 {
            got.push(anon.get("/api/v1/public/institutions").await.0);
        }
        assert_eq!(
            got,
            [
                StatusCode::OK,
                StatusCode::OK,
                StatusCode::TOO_MANY_REQUESTS
            ]
        );
    }
);

both_engines!(
    pilot_credit_code_needs_a_recorded_reason,
    async |app: &TestApp| {
        let c = app.login("zj.reg").await;
        let base = json!({"name": "福建试点司法鉴定所", "licence_no": "33019002", "region_code": "330106", "categories": ["1"], "uscc": "91350100M0001TGQXM", "reason": "浙司鉴〔2026〕9号"});
        let (st, body) = c.post("/api/v1/institutions", base.clone()).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"]["fields"][0]["field"], "uscc");
        assert!(
            body["error"]["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains("GB 32100")
        );
        let mut with_reason = base.clone();
        with_reason["uscc_override"] = json!("2015 年试点期间赋码，登记机关书面确认");
        let (st, created) = c.post("/api/v1/institutions", with_reason).await;
        assert_eq!(st, StatusCode::CREATED, "{created}");
        assert_eq!(
            created["uscc_override"],
            "2015 年试点期间赋码，登记机关书面确认"
        );
        let id = created["id"].as_i64().unwrap();
        let payload: String = app
            .db
            .scalar(
                "SELECT payload FROM events WHERE entity_type = 'institution' AND entity_id = $1",
                sijian_store::args![id.to_string()],
            )
            .await
            .unwrap();
        assert!(
            payload.contains("uscc_override"),
            "the reason is recorded: {payload}"
        );
        // Correcting the code to a valid one (a registration field: the basis named) drops the
        // reason.
        let (st, fixed) = c
            .patch(
                &format!("/api/v1/institutions/{id}"),
                json!({"version": created["version"], "uscc": "91350100M000100Y43", "reason": "换发统一社会信用代码"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{fixed}");
        assert_eq!(fixed["uscc_override"], serde_json::Value::Null);
    }
);

both_engines!(regions_keep_their_history, async |app: &TestApp| {
    let c = app.login("inspector").await;
    let (_, current) = c.get("/api/v1/regions?under=330100").await;
    let codes: Vec<&str> = current
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"330113") && !codes.contains(&"330103"),
        "临平区 in use, 下城区 abolished"
    );
    assert_eq!(codes.len(), 14, "杭州市 and its 13 county-level divisions");
    let (_, all) = c.get("/api/v1/regions?under=330100&history=true").await;
    let xiacheng = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "330103")
        .expect("下城区 kept");
    assert_eq!(xiacheng["name"], "下城区");
    assert!(xiacheng["valid_to"].as_str().unwrap().starts_with("2021-"));
    let (_, provinces) = c.get("/api/v1/regions").await;
    assert_eq!(
        provinces
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["level"] == "province")
            .count(),
        34
    );
    let (st, body) = c.get("/api/v1/regions?under=999999").await;
    assert_eq!(
        (st, body["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("under"))
    );
});

both_engines!(
    sign_in_throttling_counts_an_ipv6_client_by_its_64,
    config = |cfg: &mut sijian_server::Config| {
        cfg.security.trusted_proxies = vec!["127.0.0.1".into()];
    },
    async |app: &TestApp| {
        // Behind a trusted proxy: 20 failures (the default limit) from 20 addresses of one
        // /64, then a 21st from yet another of its addresses is throttled; another /64 is not.
        let c = app.anon();
        let attempt = async |from: &str| {
            c.http
                .post(app.url("/api/v1/session"))
                .header("X-Forwarded-For", from)
                .json(&json!({"username": "nobody", "password": "x"}))
                .send()
                .await
                .unwrap()
                .status()
        };
        for i in 1..=20 {
            assert_eq!(
                attempt(&format!("2001:db8:1:2::{i:x}")).await,
                StatusCode::UNAUTHORIZED
            );
        }
        assert_eq!(
            attempt("2001:db8:1:2:ffff:ffff:ffff:ffff").await,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(attempt("2001:db8:1:3::1").await, StatusCode::UNAUTHORIZED);
    }
);
