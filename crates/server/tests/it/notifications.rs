//! Notifications on both engines: a court commissions a case and the institution's clerk is
//! told (with a link to the case it may open), the court is not; the clerk accepts and the
//! court is told; marking read lowers the count in the header; a clerk of another institution
//! is told nothing; the court's choice of e-mail queues a message the log sender delivers.
use crate::common;
use crate::helpers::submit_form;
use common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

async fn one_id(app: &TestApp, sql: &str) -> i64 {
    app.scalar_i64(sql).await
}

async fn notices(c: &Client, query: &str) -> Value {
    let (st, v) = c.get(&format!("/api/v1/notifications{query}")).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v
}

fn about<'a>(v: &'a Value, kind: &str, case_id: &Value) -> Vec<&'a Value> {
    let id = case_id.to_string();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == kind && n["entity_id"].as_str() == Some(id.as_str()))
        .collect()
}

/// The unread count shown in the header of `page`.
fn header_count(html: &str) -> i64 {
    let Some(link) = html
        .split("href=\"/notifications\" class=\"notices\"")
        .nth(1)
    else {
        panic!("no notifications link in the header");
    };
    let link = link.split("</a>").next().unwrap();
    link.split("class=\"badge warn\">")
        .nth(1)
        .and_then(|b| b.split('<').next())
        .map_or(0, |n| n.trim().parse().unwrap())
}

async fn other_clerk(app: &TestApp) -> Client {
    let inst = one_id(
        app,
        "SELECT MIN(id) FROM institutions WHERE name <> '浙江明正司法鉴定中心'",
    )
    .await;
    let admin = app.login("admin").await;
    let (st, v) = admin
        .post(
            "/api/v1/users",
            json!({"username": "other.clerk", "display_name": "他机构受理员", "password": common::PASSWORD,
                   "role": "institution_clerk", "institution_id": inst}),
        )
        .await;
    assert!(st.is_success(), "{v}");
    app.db
        .execute(
            "UPDATE users SET must_change_password = FALSE WHERE username = 'other.clerk'",
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    app.login("other.clerk").await
}

both_engines!(
    told_of_commission_and_acceptance,
    config = |cfg: &mut sijian_server::Config| cfg.notifications.interval_ms = 100,
    async |app: &TestApp| {
        let court = app.login("court").await;
        let clerk = app.login("inst.clerk").await;
        let other = other_clerk(app).await;
        // The court asks for e-mail about its cases' progress.
        let (st, at, page) = submit_form(
            &court,
            "/notifications/settings",
            &[("email", "court@example.cn"), ("case_progress", "email")],
        )
        .await;
        assert_eq!(
            (st, at.as_str()),
            (StatusCode::OK, "/notifications/settings")
        );
        assert!(
            page.contains("已开启：委托案件的进展（电子邮件）"),
            "{page}"
        );
        assert!(page.contains("电子邮箱已更新"), "{page}");
        // E-mail without an address is refused on the field.
        let (st, _, page) = submit_form(
            &clerk,
            "/notifications/settings",
            &[("commissions", "email")],
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("开启邮件通知需先填写电子邮箱"), "{page}");

        let court_before = notices(&court, "?show=unread").await["unread"]
            .as_i64()
            .unwrap();
        let other_before = notices(&other, "").await["total"].as_i64().unwrap();
        let inst = one_id(
            app,
            "SELECT id FROM institutions WHERE name = '浙江明正司法鉴定中心'",
        )
        .await;
        let item = common::first_item(app, inst).await;
        let body = common::commission_json(
            inst,
            &item,
            json!([{"name": "张三"}]),
            "（2026）浙0106民初 07001号",
        );
        let (st, case) = court.post("/api/v1/cases", body).await;
        assert_eq!(st, StatusCode::CREATED, "{case}");
        let id = &case["id"];

        // The clerk is told, with a link to the case it may open; the court is not.
        let v = notices(&clerk, "?show=unread").await;
        let told = about(&v, "case.commissioned", id);
        assert_eq!(told.len(), 1, "{v}");
        assert!(told[0]["read_at"].is_null());
        assert_eq!(told[0]["group"], "commissions");
        let (st, list) = clerk.page("/notifications?show=unread").await;
        assert_eq!(st, StatusCode::OK);
        let href = format!("href=\"/cases/{id}\"");
        assert!(list.contains(&href), "{list}");
        assert!(list.contains("委托"), "{list}");
        assert_eq!(clerk.page(&format!("/cases/{id}")).await.0, StatusCode::OK);
        assert!(about(&notices(&court, "").await, "case.commissioned", id).is_empty());
        // Another institution's clerk is told nothing.
        assert_eq!(
            notices(&other, "").await["total"].as_i64().unwrap(),
            other_before
        );

        // The clerk accepts: the court is told, and the header counts it.
        let (st, accepted) = clerk
            .post(
                &format!("/api/v1/cases/{id}/accept"),
                json!({"version": case["version"]}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{accepted}");
        let v = notices(&court, "?show=unread").await;
        let told = about(&v, "case.accepted", id);
        assert_eq!(told.len(), 1, "{v}");
        let unread = v["unread"].as_i64().unwrap();
        assert_eq!(unread, court_before + 1);
        let (_, home) = court.page("/").await;
        assert_eq!(header_count(&home), unread);
        assert!(about(&notices(&clerk, "").await, "case.accepted", id).is_empty());
        assert_eq!(
            notices(&other, "").await["total"].as_i64().unwrap(),
            other_before
        );

        // Marking it read lowers the count; another's notification cannot be marked.
        let nid = told[0]["id"].as_i64().unwrap();
        let (st, _) = other
            .post(&format!("/api/v1/notifications/{nid}/read"), json!({}))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _, _) = submit_form(&court, &format!("/notifications/{nid}/read"), &[]).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            notices(&court, "").await["unread"].as_i64().unwrap(),
            unread - 1
        );
        let (_, home) = court.page("/").await;
        assert_eq!(header_count(&home), unread - 1);
        let (st, v) = court
            .post("/api/v1/notifications/read-all", json!({}))
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(notices(&court, "?show=unread").await["total"], 0);

        // The e-mail the court asked for was queued and the log sender delivered it.
        let court_id = one_id(app, "SELECT id FROM users WHERE username = 'court'").await;
        let queued = one_id(
            app,
            &format!("SELECT COUNT(*) FROM notification_outbox WHERE user_id = {court_id} AND channel = 'email' AND address = 'court@example.cn'"),
        )
        .await;
        assert_eq!(queued, 1);
        let clerk_id = one_id(app, "SELECT id FROM users WHERE username = 'inst.clerk'").await;
        assert_eq!(
            one_id(
                app,
                &format!("SELECT COUNT(*) FROM notification_outbox WHERE user_id = {clerk_id}")
            )
            .await,
            0
        );
        let start = Instant::now();
        loop {
            let sent = one_id(
                app,
                &format!("SELECT COUNT(*) FROM notification_outbox WHERE user_id = {court_id} AND status = 'sent' AND attempts = 1"),
            )
            .await;
            if sent == 1 {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "not delivered");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let bodies: Vec<(String,)> = app
            .db
            .fetch_all(
                &format!("SELECT body FROM notification_outbox WHERE user_id = {court_id}"),
                sijian_store::Args::new(),
            )
            .await
            .unwrap();
        assert!(bodies[0].0.contains("受理"), "{:?}", bodies[0].0);
    }
);

// The demo's accounts are told of what the demo did: the clerk of its commissions, the court
// of its cases' progress, regulators of the alerts in their region.
both_engines!(demo_accounts_have_notifications, async |app: &TestApp| {
    for user in ["inst.clerk", "court", "hz.reg"] {
        let c = app.login(user).await;
        let v = notices(&c, "").await;
        assert!(v["total"].as_i64().unwrap() > 0, "{user}: {v}");
        let (st, page) = c.page("/notifications").await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("<span class=\"badge"), "{user}");
    }
});
