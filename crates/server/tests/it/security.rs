//! Issue 14: bearer tokens cannot post web forms nor mint tokens; read-only tokens never write;
//! an account that must change its password is held to that on the API too; a password change
//! or reset revokes the account's tokens; `next` cannot send the browser to another site.
//! A body over the limit answers in the error format; HSTS only under HTTPS.
use crate::common;

use common::{Client, TestApp};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::{Value, json};
use sijian_domain::Role;

const NEW_PASSWORD: &str = "Another-Pass-2026";

async fn account(app: &TestApp, role: Role, username: &str) -> i64 {
    app.account(role, |u| u.username = username.into()).await.id
}

fn code(body: &Value) -> Option<&str> {
    body["error"]["code"].as_str()
}

/// A form post carrying the client's bearer token (and cookies, if any), redirects not followed.
async fn form_post(
    app: &TestApp,
    c: &Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let mut r = http.post(app.url(path)).form(fields);
    if let Some(t) = &c.token {
        r = r.bearer_auth(t);
    }
    r.send().await.unwrap()
}

/// The `_csrf` value of the form on the page at `path`, as `http` (with its cookies) gets it.
async fn csrf_on(http: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let html = http
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    csrf_of(&html)
}

/// The `_csrf` value of the form on a page.
fn csrf_of(html: &str) -> String {
    html.split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no _csrf in {html}"))
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

async fn live_tokens(app: &TestApp, user_id: i64) -> i64 {
    app.scalar_i64(&format!(
        "SELECT COUNT(*) FROM api_tokens WHERE user_id = {user_id} AND revoked_at IS NULL"
    ))
    .await
}

async fn lang_of(app: &TestApp, user_id: i64) -> String {
    app.db
        .scalar::<String>(
            &format!("SELECT lang FROM users WHERE id = {user_id}"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap()
}

both_engines!(forms_refuse_bearer_tokens, empty, async |app: &TestApp| {
    let admin = account(app, Role::Admin, "admin").await;
    let other = account(app, Role::Inspector, "inspector").await;
    let t = app.token_client("admin", false).await;
    let (rows, lang) = (
        app.scalar_i64("SELECT COUNT(*) FROM api_tokens").await,
        lang_of(app, admin).await,
    );
    // The token form with an empty `_csrf` (a token's CSRF token is empty): no 365-day token.
    let res = form_post(
        app,
        &t,
        "/tokens",
        &[
            ("_csrf", ""),
            ("name", "minted"),
            ("expires_in_days", "365"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM api_tokens").await,
        rows,
        "no token minted by a token"
    );
    // Nor any other form: the language, a user's password, a lock.
    let res = form_post(
        app,
        &t,
        "/account/language",
        &[("_csrf", ""), ("lang", "en")],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(lang_of(app, admin).await, lang);
    let res = form_post(
        app,
        &t,
        &format!("/users/{other}/password"),
        &[("_csrf", ""), ("new_password", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = form_post(app, &t, &format!("/users/{other}/unlock"), &[("_csrf", "")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The API does not mint tokens with a token either.
    let (st, body) = t.post("/api/v1/tokens", json!({"name": "minted"})).await;
    assert_eq!(
        (st, code(&body)),
        (StatusCode::FORBIDDEN, Some("session_required"))
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM api_tokens").await,
        rows
    );
});

both_engines!(read_only_tokens_never_write, async |app: &TestApp| {
    // A case with an alert, the alert since removed: a new check would raise it again.
    let row: Vec<(i64, String)> = app
        .db
        .fetch_all(
            "SELECT k.institution_id, k.items FROM cases k JOIN users u ON u.institution_id = k.institution_id \
             WHERE u.username = 'inst.clerk' ORDER BY k.id LIMIT 1",
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    let (inst_a, items) = row[0].clone();
    let inst_b = app
        .scalar_i64(&format!(
            "SELECT id FROM institutions WHERE id <> {inst_a} AND status = 'normal' ORDER BY id LIMIT 1"
        ))
        .await;
    let item = items.split(',').next().unwrap().to_owned();
    let person = json!([{"name": "张晓明", "id_number": "11010519491231002X"}]);
    let court = app.login("court").await;
    let clerk = app.login("inst.clerk").await;
    let (st, first) = court
        .post(
            "/api/v1/cases",
            common::commission_json(inst_b, &item, person.clone(), "（2026）浙0106民初7101号"),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{first}");
    let (st, second) = clerk
        .post(
            "/api/v1/cases",
            common::commission_json(inst_a, &item, person, "（2026）浙0106民初7102号"),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{second}");
    // The clerk sees only that it was referred (issue 14, point 5).
    assert_eq!(
        second["linkage"]["level"], "referred",
        "{}",
        second["linkage"]
    );
    let case = second["id"].as_i64().unwrap();
    app.db
        .execute(
            &format!("DELETE FROM linkage_alerts WHERE case_id = {case}"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    let ro = app.token_client("inst.clerk", true).await;
    let events = app.scalar_i64("SELECT COUNT(*) FROM events").await;
    let (st, v) = ro.get(&format!("/api/v1/cases/{case}/linkage")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["level"], "none", "the stored result, no new check: {v}");
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM linkage_alerts WHERE case_id = {case}"
        ))
        .await,
        0
    );
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM events").await, events);
    // A read-write caller still runs the check.
    let (st, v) = clerk.get(&format!("/api/v1/cases/{case}/linkage")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["level"], "referred", "{v}");
    assert!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM linkage_alerts WHERE case_id = {case}"
        ))
        .await
            > 0
    );

    // A read-only token revokes no token, itself included.
    let rw = app.token_client("inst.clerk", false).await;
    let (_, list) = clerk.get("/api/v1/tokens").await;
    let (rw_id, ro_id) = (
        list[0]["id"].as_i64().unwrap(),
        list[1]["id"].as_i64().unwrap(),
    );
    for id in [rw_id, ro_id] {
        let (st, body) = ro.delete(&format!("/api/v1/tokens/{id}")).await;
        assert_eq!(
            (st, code(&body)),
            (StatusCode::FORBIDDEN, Some("read_only_token"))
        );
    }
    assert_eq!(rw.get("/api/v1/me").await.0, StatusCode::OK);
    assert_eq!(ro.get("/api/v1/me").await.0, StatusCode::OK);

    // Nor changes the account's language, through the API or the language link.
    let uid = app
        .scalar_i64("SELECT id FROM users WHERE username = 'inst.clerk'")
        .await;
    let lang = lang_of(app, uid).await;
    let other = if lang == "en" { "zh" } else { "en" };
    let (st, body) = ro.put("/api/v1/me/language", json!({"lang": other})).await;
    assert_eq!(
        (st, code(&body)),
        (StatusCode::FORBIDDEN, Some("read_only_token"))
    );
    let res = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
        .get(app.url(&format!("/lang/{other}")))
        .bearer_auth(ro.token.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(lang_of(app, uid).await, lang);
});

both_engines!(
    password_change_required_on_the_api,
    empty,
    async |app: &TestApp| {
        app.account(Role::Inspector, |u| {
            u.username = "inspector".into();
            u.must_change_password = true;
        })
        .await;
        let c = app.login("inspector").await;
        let (st, me) = c.get("/api/v1/me").await;
        assert_eq!(st, StatusCode::OK, "{me}");
        assert_eq!(me["user"]["must_change_password"], true);
        for (st, body) in [
            c.get("/api/v1/tokens").await,
            c.post("/api/v1/tokens", json!({"name": "x"})).await,
            c.put("/api/v1/me/language", json!({"lang": "en"})).await,
        ] {
            assert_eq!(
                (st, code(&body)),
                (StatusCode::FORBIDDEN, Some("password_change_required")),
                "{body}"
            );
        }
        let (st, body) = c
            .put(
                "/api/v1/me/password",
                json!({"current_password": common::PASSWORD, "new_password": NEW_PASSWORD}),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
        let mut c = app.anon();
        let (st, me) = c
            .post(
                "/api/v1/session",
                json!({"username": "inspector", "password": NEW_PASSWORD}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{me}");
        c.csrf = me["csrf_token"].as_str().unwrap().into();
        assert_eq!(c.get("/api/v1/tokens").await.0, StatusCode::OK);

        // A token made before the account was told to change its password is held to it too.
        account(app, Role::RegulatorCity, "hz.reg").await;
        let t = app.token_client("hz.reg", false).await;
        app.db
            .execute(
                "UPDATE users SET must_change_password = true WHERE username = 'hz.reg'",
                sijian_store::Args::new(),
            )
            .await
            .unwrap();
        assert_eq!(t.get("/api/v1/me").await.0, StatusCode::OK);
        let (st, body) = t.get("/api/v1/institutions").await;
        assert_eq!(
            (st, code(&body)),
            (StatusCode::FORBIDDEN, Some("password_change_required"))
        );
    }
);

both_engines!(
    password_change_and_reset_revoke_tokens,
    empty,
    async |app: &TestApp| {
        account(app, Role::Admin, "admin").await;
        let reg = account(app, Role::RegulatorCity, "hz.reg").await;
        let two = account(app, Role::RegulatorCity, "hz.two").await;

        // An administrator's reset (the page) revokes the user's tokens, and says so.
        let t = app.token_client("hz.reg", false).await;
        assert_eq!(t.get("/api/v1/me").await.0, StatusCode::OK);
        let admin = app.login("admin").await;
        let (st, html) = admin.page(&format!("/users/{reg}/password")).await;
        assert_eq!(st, StatusCode::OK);
        let res = admin
            .http
            .post(app.url(&format!("/users/{reg}/password")))
            .form(&[
                ("_csrf", csrf_of(&html).as_str()),
                ("new_password", NEW_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains("全部 API 令牌已撤销"), "{html}");
        let (st, body) = t.get("/api/v1/me").await;
        assert_eq!(
            (st, code(&body)),
            (StatusCode::UNAUTHORIZED, Some("token_invalid"))
        );
        assert_eq!(live_tokens(app, reg).await, 0);

        // One's own change (the API) revokes one's tokens too.
        let t = app.token_client("hz.two", false).await;
        let t2 = app.token_client("hz.two", true).await;
        assert_eq!(live_tokens(app, two).await, 2);
        let c = app.login("hz.two").await;
        let (st, body) = c
            .put(
                "/api/v1/me/password",
                json!({"current_password": common::PASSWORD, "new_password": NEW_PASSWORD}),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
        for t in [&t, &t2] {
            let (st, body) = t.get("/api/v1/me").await;
            assert_eq!(
                (st, code(&body)),
                (StatusCode::UNAUTHORIZED, Some("token_invalid"))
            );
        }
        assert_eq!(live_tokens(app, two).await, 0);
        // The account page after the change (the page's redirect) says so.
        let mut c = app.anon();
        let (st, me) = c
            .post(
                "/api/v1/session",
                json!({"username": "hz.two", "password": NEW_PASSWORD}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{me}");
        c.csrf = me["csrf_token"].as_str().unwrap().into();
        let (_, html) = c.page("/account?saved=password").await;
        assert!(html.contains("全部 API 令牌已撤销"), "{html}");
    }
);

both_engines!(next_cannot_leave_the_site, empty, async |app: &TestApp| {
    account(app, Role::Admin, "admin").await;
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    for next in [
        "/%09/evil.example",
        "/%0Aevil",
        "/%0D%0ASet-Cookie:%20x=1",
        "/%5Cevil.example",
    ] {
        let res = http
            .get(app.url(&format!("/lang/zh?next={next}")))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_redirection(), "{next}: {}", res.status());
        assert_eq!(res.headers()["location"], "/", "{next}");
    }
    // The login form's `next`.
    for next in ["/\t/evil.example", "/\nevil"] {
        let csrf = csrf_on(&http, app, "/login").await;
        let res = http
            .post(app.url("/login"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("username", "admin"),
                ("password", common::PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert!(res.status().is_redirection(), "{next:?}: {}", res.status());
        assert_eq!(res.headers()["location"], "/", "{next:?}");
        // Signed in now; sign out through the page for the next round.
        let csrf = csrf_on(&http, app, "/account").await;
        let res = http
            .post(app.url("/logout"))
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert!(res.status().is_redirection());
    }
});

both_engines!(
    a_body_over_the_limit_answers_as_errors_do,
    empty,
    async |app: &TestApp| {
        let c = app.anon();
        let big = "x".repeat(3 * 1024 * 1024);
        let res = c
            .http
            .post(app.url("/api/v1/session"))
            .header("content-type", "application/json")
            .body(format!(r#"{{"username": "{big}"}}"#))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let body: Value = res.json().await.unwrap();
        assert_eq!(code(&body), Some("payload_too_large"), "{body}");
        let res = c
            .http
            .post(app.url("/login"))
            .form(&[("username", big.as_str()), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let ct = res.headers()[reqwest::header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        assert!(ct.starts_with("text/html"), "{ct}");
        assert!(res.text().await.unwrap().contains("2 MiB"));
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_only_under_https() {
    for (public_url, expected) in [
        ("https://sijian.example", Some("max-age=31536000")),
        ("http://127.0.0.1:8080", None),
    ] {
        let app = TestApp::start_with(common::Engine::Sqlite, |c| c.public_url = public_url.into())
            .await
            .expect("sqlite always available");
        let res = app
            .anon()
            .http
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap();
        let got = res
            .headers()
            .get(reqwest::header::STRICT_TRANSPORT_SECURITY)
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(got.as_deref(), expected, "{public_url}");
        app.stop().await;
    }
}

both_engines!(
    control_characters_are_refused_on_both_engines,
    empty,
    async |app: &TestApp| {
        account(app, Role::Admin, "admin").await;
        let c = app.login("admin").await;
        let organs = || app.scalar_i64("SELECT COUNT(*) FROM organs");
        let before = organs().await;
        let organ = |name: &str, address: &str| json!({"name": name, "kind": "court", "region_code": "330106", "address": address});

        // JSON: every field holding one is named; nothing is stored. PostgreSQL cannot store a
        // NUL, SQLite could: the rule answers the same on both.
        let (st, body) = c
            .post("/api/v1/organs", organ("西湖\u{0}法院", "文三路\u{1b}[31m"))
            .await;
        assert_eq!(
            (st, code(&body)),
            (StatusCode::BAD_REQUEST, Some("control_characters")),
            "{body}"
        );
        let fields: Vec<&str> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["address", "name"]);
        let (st, body) = c
            .post(
                "/api/v1/tokens",
                json!({"name": "a\u{7f}", "read_only": true}),
            )
            .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "name");
        assert_eq!(organs().await, before);

        // A page form: the same rule, as an error page naming the field.
        let res = c
            .http
            .post(app.url("/organs/new"))
            .form(&[
                ("_csrf", c.csrf.as_str()),
                ("name", "西湖\u{0}法院"),
                ("kind", "court"),
                ("region_code", "330106"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let page = res.text().await.unwrap();
        assert!(page.contains("不能含控制字符"), "{page}");
        assert_eq!(organs().await, before);

        // Tab and line breaks are text.
        let (st, body) = c
            .post(
                "/api/v1/organs",
                organ("西湖区法院", "文三路\r\n90 号\t西侧"),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        assert_eq!(organs().await, before + 1);

        // Any text over 20,000 characters is refused, naming the field, wherever it is (here a
        // field with no limit of its own), in JSON and in a form; file data is not text.
        let huge = "路".repeat(300_000);
        let (st, body) = c.post("/api/v1/organs", organ("滨江区法院", &huge)).await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            code(&body).unwrap_or("")
        );
        assert_eq!(body["error"]["fields"][0]["field"], "address");
        let res = c
            .http
            .post(app.url("/organs/new"))
            .form(&[
                ("_csrf", c.csrf.as_str()),
                ("name", "滨江区法院"),
                ("kind", "court"),
                ("region_code", "330106"),
                ("address", &huge[..30_000 * "路".len()]),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(organs().await, before + 1);
    }
);
