//! Online licensing over HTTP on both engines: a full application from submission to licence,
//! and every refusal the rules call for, each naming its field and rule with nothing half-written.
use crate::{common, helpers};

use common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn institution(app: &TestApp, name: &str) -> Value {
    helpers::listed(app, "/api/v1/institutions", name).await
}

fn first_code(scope: &Value) -> String {
    scope
        .as_str()
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string()
}

const PDF_B64: &str = "JVBERi0xLjQKJSBtYXRlcmlhbAolJUVPRgo="; // "%PDF-1.4\n% material\n%%EOF\n"

fn register_body(scope: &str, id_number: &str, certificate: &str) -> Value {
    json!({
        "kind": "appraiser_register",
        "appraiser": {
            "name": "许文博",
            "gender": "female",
            "id_number": id_number,
            "education": "master",
            "certificate_no": certificate,
            "scope": [scope],
            "title": "副主任法医师",
            "senior_title": true
        },
        "declarations": { "years_in_field": 9, "healthy": true },
        "attachments": [
            { "name": "执业登记申请表.pdf", "content_type": "application/pdf", "data_base64": PDF_B64 }
        ]
    })
}

/// Submits an application as `c`; returns it, created.
async fn submitted(c: &Client, body: Value) -> Value {
    let (st, a) = c.post("/api/v1/applications", body).await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    a
}

/// Posts step `name` of application `a` with its current version; returns status and body.
async fn step(c: &Client, a: &Value, name: &str, mut body: Value) -> (StatusCode, Value) {
    body["version"] = a["version"].clone();
    c.post(&format!("/api/v1/applications/{}/{name}", a["id"]), body)
        .await
}

/// Records an expert review of application `id`; returns status and body.
async fn review(c: &Client, id: i64, body: Value) -> (StatusCode, Value) {
    c.post(&format!("/api/v1/applications/{id}/reviews"), body)
        .await
}

/// The first three experts of the list at `experts` recommend application `id` with `score`.
async fn three_reviews(c: &Client, id: i64, experts: &str, score: u32) {
    let (st, list) = c.get(experts).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    for e in list.as_array().unwrap().iter().take(3) {
        let (st, body) = review(
            c,
            id,
            json!({"expert_id": e["id"], "score": score, "recommend": true}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{body}");
    }
}

fn field_names(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn messages(body: &Value) -> String {
    body["error"].to_string()
}

async fn events_of(app: &TestApp, entity_type: &str, id: i64) -> Vec<String> {
    let admin = app.login("admin").await;
    let (st, body) = admin
        .get(&format!(
            "/api/v1/events?entity_type={entity_type}&entity_id={id}&per_page=100&sort=at"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

both_engines!(
    appraiser_registration_from_submission_to_licence,
    async |app: &TestApp| {
        let inst = institution(app, "浙江明正司法鉴定中心").await;
        let code = first_code(&inst["scope"]);
        let head = app.login("inst.head").await;
        let city = app.login("hz.reg").await;
        let province = app.login("zj.reg").await;

        // Submitted by the institution with its material; the material-check clock runs.
        let a = submitted(
            &head,
            register_body(&code, "11010519491231002X", "3301NEW001"),
        )
        .await;
        let id = a["id"].as_i64().unwrap();
        assert_eq!(a["stage"], "submitted");
        assert_eq!(a["clock"]["kind"], "material_check");
        assert!(a["clock"]["due"].is_string(), "{a}");
        assert_eq!(a["attachments"][0]["size"], 26);
        assert_eq!(a["attachments"][0]["sha256"].as_str().unwrap().len(), 64);
        // The ID number is never given back, only masked.
        assert!(!a.to_string().contains("11010519491231002X"));
        assert!(
            a["payload"]
                .as_str()
                .unwrap()
                .contains("1****************X")
        );

        // Returning for correction needs every point at once.
        let (st, e) = step(
            &city,
            &a,
            "check",
            json!({"complete": false, "reasons": " "}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(field_names(&e), ["reasons"]);
        assert!(messages(&e).contains("第三十二条"), "{e}");
        let (st, a) = step(
            &city,
            &a,
            "check",
            json!({"complete": false, "reasons": "请补充近五年工作经历证明"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(a["stage"], "returned");
        assert_eq!(a["clock"]["kind"], "stopped");
        // A stale version is refused.
        let (st, _) = city
            .post(
                &format!("/api/v1/applications/{id}/check"),
                json!({"version": 1, "complete": true}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT);

        let (st, a) = step(&head, &a, "resubmit", json!({"attachments": [
                    { "name": "工作经历证明.pdf", "content_type": "application/pdf", "data_base64": PDF_B64 }
                ]})).await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(a["stage"], "submitted");
        assert_eq!(a["attachments"].as_array().unwrap().len(), 2);

        let (st, a) = step(&city, &a, "check", json!({"complete": true})).await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(a["stage"], "accepted");
        assert_eq!(a["clock"]["kind"], "decision");

        // No decision without the required expert reviews.
        let (st, e) = step(&province, &a, "decide", json!({"approve": true})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(field_names(&e), ["reviews"]);
        assert!(messages(&e).contains('3'), "{e}");

        let (st, experts) = city.get("/api/v1/experts?region=330106").await;
        assert_eq!(st, StatusCode::OK, "{experts}");
        let experts: Vec<i64> = experts
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_i64().unwrap())
            .collect();
        assert!(experts.len() >= 3);
        for (n, e) in experts.iter().take(3).enumerate() {
            let (st, a) = review(&city, id, json!({"expert_id": e, "score": 75 + n * 5, "recommend": true, "comment": "符合条件"})).await;
            assert_eq!(st, StatusCode::OK, "{a}");
        }
        // The same expert twice, and a score out of range, are refused.
        let (st, e) = review(
            &city,
            id,
            json!({"expert_id": experts[0], "score": 90, "recommend": true}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(field_names(&e), ["expert_id"]);
        let (st, e) = review(
            &city,
            id,
            json!({"expert_id": experts[3], "score": 101, "recommend": true}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(field_names(&e), ["score"]);

        let (_, a) = city.get(&format!("/api/v1/applications/{id}")).await;
        assert_eq!(a["reviews"].as_array().unwrap().len(), 3);
        assert!(a["review_started_on"].is_string());
        assert!(a["review_finished_on"].is_string());

        // A city regulator may not decide; a province regulator of another province may not
        // either, and is told why.
        let (st, _) = step(&city, &a, "decide", json!({"approve": true})).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let admin = app.login("admin").await;
        let (st, u) = admin
            .post(
                "/api/v1/users",
                json!({"username": "js.reg", "display_name": "江苏省司法厅", "password": common::PASSWORD,
                       "role": "regulator_province", "region_code": "320000"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{u}");
        app.db
            .execute(
                "UPDATE users SET must_change_password = $1 WHERE username = 'js.reg'",
                sijian_store::args![false],
            )
            .await
            .unwrap();
        let other = app.login("js.reg").await;
        let (st, e) = step(&other, &a, "decide", json!({"approve": true})).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
        assert!(messages(&e).contains("管辖区域"), "{e}");

        // Approval puts the appraiser on the register in the same step.
        let (st, a) = step(&province, &a, "decide", json!({"approve": true})).await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(a["stage"], "approved");
        assert_eq!(a["clock"]["kind"], "closed");
        let appraiser_id = a["result_id"].as_i64().unwrap();
        let (st, x) = province
            .get(&format!("/api/v1/appraisers/{appraiser_id}"))
            .await;
        assert_eq!(st, StatusCode::OK, "{x}");
        assert_eq!(x["certificate_no"], "3301NEW001");
        assert_eq!(x["id_masked"], "1****************X");
        assert_eq!(x["birth_date"], "1949-12-31");
        assert_eq!(x["scope"], code);
        assert_eq!(x["institution_id"], inst["id"]);
        let (_, postings) = province
            .get(&format!("/api/v1/appraisers/{appraiser_id}/postings"))
            .await;
        assert!(postings[0]["reason"].as_str().unwrap().contains("申请第"));
        // The institution keeps the new appraiser's practice record.
        let (st, r) = head
            .post(
                &format!("/api/v1/appraisers/{appraiser_id}/records"),
                json!({"kind": "training", "on_date": "2026-11-20", "hours": 16, "detail": "法医临床继续教育"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{r}");
        let (st, e) = head
            .post(
                &format!("/api/v1/appraisers/{appraiser_id}/records"),
                json!({"kind": "training", "on_date": "2026-11-31"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(field_names(&e), ["on_date", "hours"]);
        let (st, asst) = head
            .post(
                &format!("/api/v1/appraisers/{appraiser_id}/assistants"),
                json!({"name": "助理甲", "gender": "male", "started_on": "2026-11-01"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{asst}");
        let (st, _) = head
            .post(
                &format!(
                    "/api/v1/appraisers/{appraiser_id}/assistants/{}/end",
                    asst["id"]
                ),
                json!({"ended_on": "2026-11-27"}),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT);
        let (_, list) = head
            .get(&format!("/api/v1/appraisers/{appraiser_id}/assistants"))
            .await;
        assert_eq!(list[0]["ended_on"], "2026-11-27");
        // Closed: nothing more can happen to it.
        let (st, e) = step(&head, &a, "withdraw", json!({})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(field_names(&e), ["stage"]);

        // Every step is an event.
        assert_eq!(
            events_of(app, "application", id).await,
            [
                "application.submitted",
                "application.returned",
                "application.resubmitted",
                "application.accepted",
                "application.reviewed",
                "application.reviewed",
                "application.reviewed",
                "application.approved"
            ]
        );
        assert_eq!(
            events_of(app, "appraiser", appraiser_id).await,
            [
                "appraiser.created",
                "appraiser.record_added",
                "assistant.added",
                "assistant.ended"
            ]
        );
        // The public directory shows the new appraiser, without birth date or ID number.
        let (_, public) = app
            .anon()
            .get("/api/v1/public/appraisers?q=%E8%AE%B8%E6%96%87%E5%8D%9A")
            .await;
        assert_eq!(public["total"], 1, "{public}");
        let text = public.to_string();
        assert!(!text.contains("1949") && !text.contains("110105"), "{text}");
    }
);

both_engines!(
    eligibility_and_register_rules_refuse_with_the_rule_named,
    async |app: &TestApp| {
        let inst = institution(app, "浙江明正司法鉴定中心").await;
        let code = first_code(&inst["scope"]);
        let head = app.login("inst.head").await;
        let before = app.scalar_i64("SELECT COUNT(*) FROM applications").await;

        // 第十二条第二项: no senior title, a degree and only four years.
        let mut b = register_body(&code, "11010519491231002X", "3301NEW002");
        b["appraiser"]["senior_title"] = json!(false);
        b["appraiser"]["education"] = json!("bachelor");
        b["declarations"] = json!({"years_in_field": 4, "healthy": true, "criminal_record": true});
        let (st, e) = head.post("/api/v1/applications", b).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(
            field_names(&e),
            ["declarations.senior_title", "declarations.criminal_record"]
        );
        assert!(messages(&e).contains("第十二条第二项"), "{e}");
        assert!(messages(&e).contains("第十三条第一项"), "{e}");

        // A practice item outside the institution's scope.
        let outside = if code.starts_with('4') {
            "1.02"
        } else {
            "4.01.01"
        };
        let (st, e) = head
            .post(
                "/api/v1/applications",
                register_body(outside, "11010519491231002X", "3301NEW002"),
            )
            .await;
        if inst["scope"].as_str().unwrap().contains(outside) {
            panic!("test needs an item outside {}", inst["scope"]);
        }
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(field_names(&e), ["appraiser.scope"]);
        assert!(messages(&e).contains("第十一条"), "{e}");

        // A wrong check character is refused before anything else.
        let (st, e) = head
            .post(
                "/api/v1/applications",
                register_body(&code, "110105194912310021", "3301NEW002"),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(field_names(&e), ["id_number"]);
        assert!(messages(&e).contains("GB 11643"), "{e}");

        // A category outside the four (seed clause 7).
        let (st, e) = head
            .post(
                "/api/v1/applications",
                register_body("5", "11010519491231002X", "3301NEW002"),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(field_names(&e), ["scope"]);
        assert_eq!(
            app.scalar_i64("SELECT COUNT(*) FROM applications").await,
            before,
            "nothing stored"
        );

        // One person, one institution: the register refuses a second registration of the same
        // ID number at another institution, directly and by application.
        let zj = app.login("zj.reg").await;
        let (st, x) = zj
            .post(
                "/api/v1/appraisers",
                json!({"institution_id": inst["id"], "name": "许文博", "gender": "female",
                       "id_number": "11010519491231002X", "certificate_no": "3301DUP001", "scope": [code], "reason": "省司法厅直接登记"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{x}");
        let other = institution(app, "浙江求真法医司法鉴定所").await;
        let (st, e) = zj
            .post(
                "/api/v1/appraisers",
                json!({"institution_id": other["id"], "name": "许文博", "gender": "female",
                       "id_number": "11010519491231002X", "certificate_no": "3301DUP002",
                       "scope": [first_code(&other["scope"])], "reason": "省司法厅直接登记"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(field_names(&e), ["id_number"]);
        assert!(messages(&e).contains("第八条"), "{e}");
        assert!(
            !messages(&e).contains(inst["name"].as_str().unwrap()),
            "{e}"
        );
        let (st, e) = head
            .post(
                "/api/v1/applications",
                register_body(&code, "11010519491231002X", "3301NEW003"),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(messages(&e).contains("第八条"), "{e}");
        // Neither answer says where the number's holder practises.
        assert!(
            !messages(&e).contains(inst["name"].as_str().unwrap()),
            "{e}"
        );
        // The gender must agree with the ID number (odd sequence: male).
        let (st, e) = zj
            .post(
                "/api/v1/appraisers",
                json!({"institution_id": other["id"], "name": "甲", "gender": "female",
                       "id_number": "110105198001010016", "certificate_no": "3301DUP003",
                       "scope": [first_code(&other["scope"])], "reason": "省司法厅直接登记"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(field_names(&e).contains(&"gender".to_string()), "{e}");
    }
);

both_engines!(
    a_failed_approval_leaves_nothing_half_written,
    async |app: &TestApp| {
        let inst = institution(app, "浙江明正司法鉴定中心").await;
        let code = first_code(&inst["scope"]);
        let head = app.login("inst.head").await;
        let city = app.login("hz.reg").await;
        let province = app.login("zj.reg").await;
        // The proposed certificate number is taken by the time of the decision.
        let a = submitted(
            &head,
            register_body(&code, "110105198001010040", "3301TAKEN1"),
        )
        .await;
        let id = a["id"].as_i64().unwrap();
        let (st, accepted) = step(&city, &a, "check", json!({"complete": true})).await;
        assert_eq!(accepted["stage"], "accepted", "{st} {accepted}");
        three_reviews(&city, id, "/api/v1/experts?region=330106", 80).await;
        let (st, x) = province
            .post(
                "/api/v1/appraisers",
                json!({"institution_id": inst["id"], "name": "占号人", "gender": "male",
                       "certificate_no": "3301TAKEN1", "scope": [code], "reason": "省司法厅直接登记"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{x}");
        let appraisers = app.scalar_i64("SELECT COUNT(*) FROM appraisers").await;
        let events = app.scalar_i64("SELECT COUNT(*) FROM events").await;
        let (_, a) = province.get(&format!("/api/v1/applications/{id}")).await;
        let (st, e) = step(&province, &a, "decide", json!({"approve": true})).await;
        assert_eq!(st, StatusCode::CONFLICT, "{e}");
        assert_eq!(field_names(&e), ["certificate_no"]);
        let (_, after) = province.get(&format!("/api/v1/applications/{id}")).await;
        assert_eq!(after["stage"], "accepted");
        assert_eq!(after["version"], a["version"]);
        assert_eq!(
            app.scalar_i64("SELECT COUNT(*) FROM appraisers").await,
            appraisers
        );
        assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM events").await, events);
        // Refusing needs reasons; with them the application closes.
        let (st, e) = step(
            &province,
            &a,
            "decide",
            json!({"approve": false, "reasons": ""}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(messages(&e).contains("第三十八条"), "{e}");
        let (st, done) = step(
            &province,
            &a,
            "decide",
            json!({"approve": false, "reasons": "执业证号已被占用，请重新申请"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{done}");
        assert_eq!(done["stage"], "refused");
        assert!(done["result_id"].is_null());
    }
);

both_engines!(
    institution_establishment_and_status_history,
    async |app: &TestApp| {
        let province = app.login("zj.reg").await;
        let body = |funds: u64, apps: u32| {
            json!({
                "kind": "institution_establish",
                "institution": {
                    "name": "杭州新设司法鉴定所", "licence_no": "330100NEW1", "region_code": "330106",
                    "scope": ["2.01"], "address": "杭州市西湖区文三路 1 号",
                    "accreditations": [{"kind": "CNAS", "certificate_no": "CNAS IB0999", "scope": "文书", "expires_on": "2029-01-31"}]
                },
                "declarations": { "funds_yuan": funds, "has_equipment": true, "appraisers_per_category": {"2": apps} }
            })
        };
        let (st, e) = province
            .post("/api/v1/applications", body(100_000, 2))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(
            field_names(&e),
            ["declarations.funds", "declarations.appraisers"]
        );
        assert!(messages(&e).contains("第十四条第二项"), "{e}");
        assert!(messages(&e).contains("第十四条第六项"), "{e}");
        let a = submitted(&province, body(500_000, 3)).await;
        let id = a["id"].as_i64().unwrap();
        let (_, a) = step(&province, &a, "check", json!({"complete": true})).await;
        let (st, a) = step(
            &province,
            &a,
            "extend",
            json!({"reasons": "需现场核查实验室"}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(a["extended"], true);
        let (st, e) = step(&province, &a, "extend", json!({"reasons": "再次延长"})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(messages(&e).contains("第四十二条"), "{e}");
        three_reviews(&province, id, "/api/v1/experts", 85).await;
        let (_, a) = province.get(&format!("/api/v1/applications/{id}")).await;
        let (st, a) = step(&province, &a, "decide", json!({"approve": true})).await;
        assert_eq!(st, StatusCode::OK, "{a}");
        let inst_id = a["result_id"].as_i64().unwrap();
        let (_, i) = province
            .get(&format!("/api/v1/institutions/{inst_id}"))
            .await;
        assert_eq!(i["scope"], "2.01");
        assert_eq!(i["categories"], "2");
        assert_eq!(i["accreditations"][0]["kind"], "CNAS");

        // Status changes need a reason and are kept with it.
        let (st, e) = province
            .patch(
                &format!("/api/v1/institutions/{inst_id}"),
                json!({"version": i["version"], "status": "suspended"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(field_names(&e), ["status_reason"]);
        let (st, i) = province
            .patch(
                &format!("/api/v1/institutions/{inst_id}"),
                json!({"version": i["version"], "status": "suspended", "status_reason": "停业整顿三个月"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{i}");
        let (_, hist) = province
            .get(&format!("/api/v1/institutions/{inst_id}/status-history"))
            .await;
        assert_eq!(hist[0]["from_status"], "normal");
        assert_eq!(hist[0]["to_status"], "suspended");
        assert_eq!(hist[0]["reason"], "停业整顿三个月");
        assert_eq!(hist[1]["to_status"], "normal");

        // The directory finds it by item (a sub-category covers its items).
        let (_, found) = app
            .anon()
            .get("/api/v1/public/institutions?item=2.01.01&q=%E6%96%B0%E8%AE%BE")
            .await;
        assert_eq!(found["total"], 1, "{found}");
        let (_, none) = app
            .anon()
            .get("/api/v1/public/institutions?item=1.02&q=%E6%96%B0%E8%AE%BE")
            .await;
        assert_eq!(none["total"], 0, "{none}");

        // Renaming (a registration field: the basis named) keeps the name search right: the new
        // name is found, the old one is not.
        let (st, i) = province
            .patch(
                &format!("/api/v1/institutions/{inst_id}"),
                json!({"version": i["version"], "name": "杭州更名司法鉴定所", "reason": "浙司鉴〔2026〕5号变更名称"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{i}");
        let anon = app.anon();
        let (_, renamed) = anon
            .get("/api/v1/public/institutions?q=%E6%9B%B4%E5%90%8D")
            .await;
        assert_eq!(renamed["total"], 1, "{renamed}");
        let (_, old) = anon
            .get("/api/v1/public/institutions?q=%E6%96%B0%E8%AE%BE")
            .await;
        assert_eq!(old["total"], 0, "{old}");
    }
);

both_engines!(
    change_and_cancel_applications_update_the_register,
    async |app: &TestApp| {
        let inst = institution(app, "浙江明正司法鉴定中心").await;
        let head = app.login("inst.head").await;
        let city = app.login("hz.reg").await;
        let province = app.login("zj.reg").await;
        let (_, list) = head
            .get(&format!(
                "/api/v1/appraisers?institution_id={}&status=active&per_page=1",
                inst["id"]
            ))
            .await;
        let appraiser = list["items"][0].clone();
        let id = appraiser["id"].as_i64().unwrap();
        let new_scope = first_code(&inst["scope"]);
        // A change: new practice items and title; no expert review for changes.
        let a = submitted(
            &head,
            json!({"kind": "appraiser_change", "appraiser_id": id,
                       "appraiser": {"scope": [new_scope], "title": "主任法医师"}}),
        )
        .await;
        let aid = a["id"].as_i64().unwrap();
        let (_, a) = step(&city, &a, "check", json!({"complete": true})).await;
        let (st, e) = review(
            &city,
            aid,
            json!({"expert_id": 1, "score": 80, "recommend": true}),
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (st, a) = step(&province, &a, "decide", json!({"approve": true})).await;
        assert_eq!(st, StatusCode::OK, "{a}");
        let (_, x) = province.get(&format!("/api/v1/appraisers/{id}")).await;
        assert_eq!(x["scope"], new_scope);
        assert_eq!(x["title"], "主任法医师");
        // A cancellation needs a reason and ends in the status history.
        let (st, e) = head
            .post(
                "/api/v1/applications",
                json!({"kind": "appraiser_cancel", "appraiser_id": id}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(field_names(&e), ["reason"]);
        let a = submitted(
            &head,
            json!({"kind": "appraiser_cancel", "appraiser_id": id, "reason": "本人申请注销"}),
        )
        .await;
        let (_, a) = step(&city, &a, "check", json!({"complete": true})).await;
        let (st, a) = step(&province, &a, "decide", json!({"approve": true})).await;
        assert_eq!(st, StatusCode::OK, "{a}");
        let (_, hist) = province
            .get(&format!("/api/v1/appraisers/{id}/status-history"))
            .await;
        assert_eq!(hist[0]["to_status"], "cancelled");
        assert!(
            hist[0]["reason"]
                .as_str()
                .unwrap()
                .contains("鉴定人注销登记")
        );
        assert!(
            hist[0]["reason"]
                .as_str()
                .unwrap()
                .ends_with("本人申请注销")
        );
        // Another institution's head cannot file for this appraiser's institution.
        let (st, _) = head
            .post(
                "/api/v1/applications",
                json!({"kind": "institution_renew", "institution_id": inst["id"].as_i64().unwrap() + 1,
                       "institution": {"licence_valid_to": "2035-12-31"}}),
            )
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
);
