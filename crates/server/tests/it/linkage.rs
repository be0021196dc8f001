//! Record linkage on both engines (多头、重复鉴定; 通则第十五条第六项): the same person commissioned
//! at a second institution is found at commission (traditional characters and all) and blocks
//! acceptance until a regulator allows it; a shared case number alone is a possible finding a
//! regulator confirms (blocking) or dismisses (not); a new commission after an issued opinion is a
//! repeated finding — the demo's issued cases are in the index only through the start-up rebuild;
//! every raise and decision is an event; the queue is the regulators'.
use crate::common;

use common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Fx {
    /// The demo institution of `inst.clerk`, with an issued case.
    inst_a: i64,
    /// Another institution, commissioned online by the court.
    inst_b: i64,
    item: String,
    issued_case_number: String,
}

async fn fixture(app: &TestApp) -> Fx {
    let row: Vec<(i64, String, String)> = app
        .db
        .fetch_all(
            "SELECT k.institution_id, k.items, k.case_number FROM cases k JOIN users u ON u.institution_id = k.institution_id \
             WHERE u.username = 'inst.clerk' AND k.stage = 'issued' ORDER BY k.id LIMIT 1",
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    let (inst_a, items, number) = row[0].clone();
    let other: Vec<(i64,)> = app
        .db
        .fetch_all(
            &format!("SELECT id FROM institutions WHERE id <> {inst_a} AND status = 'normal' ORDER BY id LIMIT 1"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    Fx {
        inst_a,
        inst_b: other[0].0,
        item: items.split(',').next().unwrap().to_owned(),
        issued_case_number: number,
    }
}

fn commission(inst: i64, item: &str, person: Value, case_number: &str) -> Value {
    common::commission_json(inst, item, json!([person]), case_number)
}

async fn create(c: &Client, body: Value) -> Value {
    let (st, v) = c.post("/api/v1/cases", body).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    v
}

async fn accept(c: &Client, case: &Value) -> (StatusCode, Value) {
    let (_, now) = c.get(&format!("/api/v1/cases/{}", case["id"])).await;
    c.post(
        &format!("/api/v1/cases/{}/accept", case["id"]),
        json!({"version": now["version"]}),
    )
    .await
}

async fn decide(reg: &Client, alert: &Value, decision: &str, reason: &str) -> (StatusCode, Value) {
    reg.post(
        &format!("/api/v1/linkage/alerts/{}/decision", alert["id"]),
        json!({"decision": decision, "reason": reason}),
    )
    .await
}

/// The case's linkage result as a regulator sees it (with the other cases).
async fn regulator_view(reg: &Client, case: &Value) -> Value {
    let (st, v) = reg.get(&format!("/api/v1/cases/{}", case["id"])).await;
    assert_eq!(st, StatusCode::OK, "{v}");
    v["linkage"].clone()
}

/// A party to the case learns only that it was referred: no other case, institution, date,
/// stage or explanation (issue 14, point 5).
fn referred_only(body: &Value, other_institution: &str) {
    let l = &body["linkage"];
    assert_eq!(l["level"], "referred", "{l}");
    assert_eq!(l["alerts"], json!([]), "{l}");
    let text = body.to_string();
    assert!(!text.contains(other_institution), "{text}");
    assert!(!text.contains("other_case_id"), "{text}");
}

async fn institution_name(app: &TestApp, id: i64) -> String {
    let rows: Vec<(String,)> = app
        .db
        .fetch_all(
            &format!("SELECT name FROM institutions WHERE id = {id}"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    rows[0].0.clone()
}

/// Events of `kind` since the demo data (whose own duplicate-appraisal alerts are not the
/// test's).
async fn events(app: &TestApp, kind: &str) -> i64 {
    app.scalar_i64(&format!(
        "SELECT COUNT(*) FROM events WHERE kind = '{kind}' AND actor_name <> '演示数据'"
    ))
    .await
}

both_engines!(
    multi_institution_commission_is_found_and_blocks_acceptance_until_allowed,
    async |app: &TestApp| {
        let fx = fixture(app).await;
        let court = app.login("court").await;
        let clerk = app.login("inst.clerk").await;
        let reg = app.login("zj.reg").await;
        const ID: &str = "11010519491231002X";

        // The court commissions institution B; then a paper commission of the same person and
        // matter reaches institution A, the name in traditional characters.
        let first = create(
            &court,
            commission(
                fx.inst_b,
                &fx.item,
                json!({"name": "张晓明", "id_number": ID}),
                "（2026）浙0106民初7001号",
            ),
        )
        .await;
        assert_eq!(first["linkage"]["level"], "none", "{}", first["linkage"]);
        let second = create(
            &clerk,
            commission(
                fx.inst_a,
                &fx.item,
                json!({"name": "張曉明", "id_number": ID}),
                "（2026）浙0106民初7002号",
            ),
        )
        .await;
        let b_name = institution_name(app, fx.inst_b).await;
        referred_only(&second, &b_name);
        let (st, own) = clerk
            .get(&format!("/api/v1/cases/{}/linkage", second["id"]))
            .await;
        assert_eq!(st, StatusCode::OK, "{own}");
        assert_eq!(own["level"], "referred", "{own}");
        assert_eq!(own["alerts"], json!([]), "{own}");
        let l = &regulator_view(&reg, &second).await;
        assert_eq!(l["level"], "certain", "{l}");
        let alert = l["alerts"][0].clone();
        assert_eq!(alert["kind"], "multi_institution");
        assert_eq!(alert["other_case_id"], first["id"]);
        let reasons = alert["explanation"].as_str().unwrap();
        assert!(
            reasons.contains("尚在办理") && reasons.contains("姓名"),
            "{reasons}"
        );
        // The first institution's case says the same (issue 15, point 6): its party learns of
        // the referral, the regulator sees the later case from it.
        // (As stored: reading a case runs no new check.)
        let earlier = &regulator_view(&court, &first).await;
        assert_eq!(earlier["level"], "referred", "{earlier}");
        let from_first = &regulator_view(&reg, &first).await;
        assert_eq!(from_first["level"], "certain", "{from_first}");
        assert_eq!(from_first["alerts"][0]["other_case_id"], second["id"]);
        assert_eq!(events(app, "linkage.alert_raised").await, 1);

        // 通则第十五条第六项: acceptance refused, without naming the other institution.
        let (st, v) = accept(&clerk, &second).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("第十五条第六项"), "{v}");
        assert!(!v.to_string().contains(&b_name), "{v}");
        // Nor does the case page or its timeline (the raised alert is an event of the case).
        let (_, page) = clerk.page(&format!("/cases/{}", second["id"])).await;
        assert!(page.contains("已提交司法行政机关核查"), "{page}");
        assert!(!page.contains(&b_name), "{page}");

        // The institution cannot decide; the regulator sees the queue and allows acceptance.
        let (st, _) = clerk.get("/api/v1/linkage/alerts").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, q) = reg
            .get("/api/v1/linkage/alerts?status=open&kind=multi_institution")
            .await;
        assert_eq!(st, StatusCode::OK, "{q}");
        assert!(
            q["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["id"] == alert["id"])
        );
        let (st, v) = decide(&reg, &alert, "override", "  ").await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a reason is required: {v}"
        );
        let (st, v) = decide(&reg, &alert, "override", "原委托已由法院书面撤回").await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "overridden");
        assert_eq!(events(app, "linkage.alert_overridden").await, 1);
        let (st, v) = decide(&reg, &alert, "dismiss", "再次处理").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "decided once: {v}");
        let (st, v) = accept(&clerk, &second).await;
        assert_eq!(st, StatusCode::OK, "{v}");

        // A shared case number alone: possible, not blocking until confirmed.
        let third = create(
            &clerk,
            commission(
                fx.inst_a,
                &fx.item,
                json!({"name": "李四"}),
                "（2026）浙0106民初7001号",
            ),
        )
        .await;
        referred_only(&third, &b_name);
        let l3 = regulator_view(&reg, &third).await;
        assert_eq!(l3["level"], "possible", "{l3}");
        let a3 = l3["alerts"][0].clone();
        assert!(a3["explanation"].as_str().unwrap().contains("案号相同"));
        let (st, v) = decide(&reg, &a3, "override", "不适用").await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "only blocking alerts are overridden: {v}"
        );
        let (st, v) = decide(&reg, &a3, "confirm", "经核实为同一事项").await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, v) = accept(&clerk, &third).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("已经司法行政机关确认"), "{v}");

        // Another possible one, dismissed: acceptance goes ahead.
        let fourth = create(
            &clerk,
            commission(
                fx.inst_a,
                &fx.item,
                json!({"name": "王五"}),
                "（2026）浙0106民初7001号",
            ),
        )
        .await;
        let a4 = regulator_view(&reg, &fourth).await["alerts"][0].clone();
        let (st, _) = decide(&reg, &a4, "dismiss", "案号录入错误，非同一事项").await;
        assert_eq!(st, StatusCode::OK);
        let (st, v) = accept(&clerk, &fourth).await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(events(app, "linkage.alert_dismissed").await, 1);
        assert_eq!(events(app, "linkage.alert_confirmed").await, 1);

        // The queue filters by status; the page lists in Chinese; the case page shows the panel.
        let (_, q) = reg.get("/api/v1/linkage/alerts?status=dismissed").await;
        assert_eq!(q["total"], 1);
        let (st, _) = reg.get("/api/v1/linkage/alerts?status=bogus").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let (st, page) = reg.page("/linkage/alerts").await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains(&format!("/linkage/alerts/{}", a4["id"])),
            "{page}"
        );
        let (st, page) = reg.page(&format!("/linkage/alerts/{}", alert["id"])).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains("原委托已由法院书面撤回") && page.contains("已准予受理"),
            "{page}"
        );
        let (_, page) = reg.page(&format!("/cases/{}", second["id"])).await;
        assert!(page.contains("多头、重复鉴定核查：确定") && page.contains("已准予受理"));
    }
);

both_engines!(
    commission_after_an_issued_opinion_is_repeated,
    async |app: &TestApp| {
        let fx = fixture(app).await;
        let court = app.login("court").await;
        // The demo's issued cases were indexed at start-up; the same case number at another
        // institution after the opinion is a repeated appraisal.
        let again = create(
            &court,
            commission(
                fx.inst_b,
                &fx.item,
                json!({"name": "王某某"}),
                &fx.issued_case_number,
            ),
        )
        .await;
        let inst_a_name = institution_name(app, fx.inst_a).await;
        referred_only(&again, &inst_a_name);
        let reg = app.login("zj.reg").await;
        let seen = regulator_view(&reg, &again).await;
        let alerts = seen["alerts"].as_array().unwrap();
        let repeated = alerts
            .iter()
            .find(|a| a["kind"] == "repeated")
            .unwrap_or_else(|| panic!("{seen}"));
        assert!(
            repeated["explanation"]
                .as_str()
                .unwrap()
                .contains("已于此前")
        );
        // The check is repeatable and raises nothing new.
        let before = events(app, "linkage.alert_raised").await;
        let (st, v) = court
            .get(&format!("/api/v1/cases/{}/linkage", again["id"]))
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(events(app, "linkage.alert_raised").await, before);
    }
);

/// The acceptance held back by a certain alert (issue 15, point 6): the page says why and offers
/// the next legitimate steps instead of 受理 again — refuse, or ask the regulators, who are
/// told with the institution's note.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_back_acceptance_offers_refusal_or_a_request_for_review() {
    let app = TestApp::start(common::Engine::Sqlite)
        .await
        .expect("sqlite always available");
    // The demo's certain alert holds a received case back at an institution of its own.
    let case = app
        .scalar_i64(
            "SELECT MIN(al.case_id) FROM linkage_alerts al JOIN cases k ON k.id = al.case_id \
             WHERE al.level = 'certain' AND al.status = 'open' AND k.stage = 'received'",
        )
        .await;
    let inst = app
        .scalar_i64(&format!(
            "SELECT institution_id FROM cases WHERE id = {case}"
        ))
        .await;
    let clerk = app
        .account(sijian_domain::Role::InstitutionClerk, |u| {
            u.attachment.institution_id = Some(inst)
        })
        .await;
    let clerk = app.login(&clerk.username).await;
    let csrf = |html: &str| {
        html.split("name=\"_csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let post = async |path: String, form: Vec<(&str, String)>| {
        let res = clerk
            .http
            .post(app.url(&path))
            .form(&form)
            .send()
            .await
            .unwrap();
        (
            res.status(),
            res.url().to_string(),
            res.text().await.unwrap(),
        )
    };
    let (_, form) = clerk.page(&format!("/cases/{case}/steps/accept")).await;
    let version = app
        .scalar_i64(&format!("SELECT version FROM cases WHERE id = {case}"))
        .await;
    let (st, _, page) = post(
        format!("/cases/{case}/steps/accept"),
        vec![("_csrf", csrf(&form)), ("version", version.to_string())],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("第十五条第六项"), "{page}");
    assert!(
        page.contains(&format!("href=\"/cases/{case}/steps/refuse\"")),
        "refusal offered: {page}"
    );
    assert!(page.contains(&format!("action=\"/cases/{case}/linkage-review\"")));
    assert!(
        !page.contains(&format!("action=\"/cases/{case}/steps/accept\"")),
        "acceptance not offered again"
    );

    // A request without a reason is refused beside its field; with one, the regulators are told.
    let (st, _, page) = post(
        format!("/cases/{case}/linkage-review"),
        vec![("_csrf", csrf(&page)), ("note", " ".into())],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"e-note\""), "{page}");
    let (st, url, page) = post(
        format!("/cases/{case}/linkage-review"),
        vec![
            ("_csrf", csrf(&page)),
            ("note", "被鉴定人同名同姓，身份证号不同，请核查".into()),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(url.ends_with("saved=linkage_review"), "{url}");
    assert!(page.contains("已请求司法行政机关核查"), "{page}");
    let told = app
        .scalar_i64(
            "SELECT COUNT(*) FROM notifications n JOIN events e ON e.id = n.event_id \
             WHERE e.kind = 'case.linkage_review_requested'",
        )
        .await;
    assert!(told >= 1, "the region's regulators are told");
    app.stop().await;
}
