//! Appraisal cases over HTTP on both engines: complete lifecycles (issue with a code, correction,
//! termination, refusal, supplementary and re-appraisal), every refused step naming its article,
//! concurrent clerks, and files refused before they are stored.
use crate::common;

use base64::Engine as _;
use common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sijian_domain::opinion_code::OpinionCode;

/// Appraisers and an item the tests can rely on: four practising appraisers of 浙江明正 (the
/// first is the demo `appraiser` account's) and three of a second institution, all licensed
/// for one item; the second institution's first appraiser holds a senior title.
struct Fx {
    inst_a: i64,
    inst_b: i64,
    item: String,
    a: Vec<i64>,
    b: Vec<i64>,
}

async fn ids(app: &TestApp, sql: &str) -> Vec<i64> {
    app.db
        .fetch_all::<(i64,)>(sql, sijian_store::Args::new())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.0)
        .collect()
}

async fn exec(app: &TestApp, sql: &str) {
    app.db
        .execute(sql, sijian_store::Args::new())
        .await
        .unwrap();
}

async fn fixture(app: &TestApp) -> Fx {
    let inst_a = ids(
        app,
        "SELECT id FROM institutions WHERE name = '浙江明正司法鉴定中心'",
    )
    .await[0];
    let own = ids(
        app,
        "SELECT appraiser_id FROM users WHERE username = 'appraiser'",
    )
    .await[0];
    let item = common::first_item(app, inst_a).await;
    let mut a = vec![own];
    a.extend(
        ids(
            app,
            &format!("SELECT id FROM appraisers WHERE institution_id = {inst_a} AND id <> {own} AND status = 'active' ORDER BY id"),
        )
        .await
        .into_iter()
        .take(3),
    );
    assert_eq!(
        a.len(),
        4,
        "明正 has four practising appraisers in the demo"
    );
    let inst_b = ids(
        app,
        &format!(
            "SELECT i.id FROM institutions i WHERE i.id <> {inst_a} AND i.status = 'normal' AND \
             (SELECT COUNT(*) FROM appraisers x WHERE x.institution_id = i.id AND x.status = 'active') >= 5 ORDER BY i.id"
        ),
    )
    .await[0];
    let b: Vec<i64> = ids(
        app,
        &format!("SELECT id FROM appraisers WHERE institution_id = {inst_b} AND status = 'active' ORDER BY id"),
    )
    .await
    .into_iter()
    .take(5)
    .collect();
    // Every one of them holds the item: b[3] and b[4] review (通则第三十五条).
    for id in a.iter().chain(&b) {
        exec(
            app,
            &format!("UPDATE appraisers SET scope = scope || ',{item}' WHERE id = {id}"),
        )
        .await;
    }
    for (i, id) in b.iter().enumerate() {
        exec(
            app,
            &format!(
                "UPDATE appraisers SET senior_title = {} WHERE id = {id}",
                if i == 0 { "TRUE" } else { "FALSE" }
            ),
        )
        .await;
    }
    exec(app, &format!("UPDATE institutions SET scope = scope || ',{item}', qualification_level = 'national' WHERE id = {inst_b}")).await;
    Fx {
        inst_a,
        inst_b,
        item,
        a,
        b,
    }
}

/// The conclusion every test opinion states (words fit any matter).
fn conclusion() -> Value {
    json!({"kind": "text", "value": "构成轻伤二级"})
}

fn pdf(text: &str) -> Value {
    let body = format!("%PDF-1.4\n% {text}\n%%EOF\n");
    json!({
        "name": "意见书.pdf",
        "content_type": "application/pdf",
        "data_base64": base64::engine::general_purpose::STANDARD.encode(body),
    })
}

fn commission(fx: &Fx, extra: Value) -> Value {
    // Dates inside the years the shipped holiday tables cover.
    let mut b = common::commission_json(
        fx.inst_a,
        &fx.item,
        json!([{"name": "张三", "id_number": "11010519491231002X"}]),
        "(2026)浙0106民初 01234号",
    );
    if let Value::Object(m) = extra {
        for (k, v) in m {
            b[k] = v;
        }
    }
    b
}

/// Posts a step with the case's current version; returns status and body.
async fn step(c: &Client, case: &Value, name: &str, mut body: Value) -> (StatusCode, Value) {
    body["version"] = case["version"].clone();
    c.post(&format!("/api/v1/cases/{}/{name}", case["id"]), body)
        .await
}

async fn ok(c: &Client, case: &Value, name: &str, body: Value) -> Value {
    let (st, v) = step(c, case, name, body).await;
    assert_eq!(st, StatusCode::OK, "{name}: {v}");
    v
}

fn refused_with(st: StatusCode, v: &Value, article: &str) {
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let text = v.to_string();
    assert!(text.contains(article), "expected {article}: {text}");
}

/// Posts a step the rules refuse and checks that the refusal names `article`; returns its body.
async fn refused(c: &Client, case: &Value, name: &str, body: Value, article: &str) -> Value {
    let (st, v) = step(c, case, name, body).await;
    refused_with(st, &v, article);
    v
}

/// Files a commission (with `extra`) as `c`; returns the new case.
async fn commissioned(c: &Client, fx: &Fx, extra: Value) -> Value {
    let (st, case) = c.post("/api/v1/cases", commission(fx, extra)).await;
    assert_eq!(st, StatusCode::CREATED, "{case}");
    case
}

/// Accepts a received case and signs its contract (not a re-appraisal) effective on `on`.
async fn contracted(clerk: &Client, case: &Value, on: &str) -> Value {
    let case = ok(clerk, case, "accept", json!({})).await;
    ok(
        clerk,
        &case,
        "contract",
        json!({"is_reappraisal": false, "effective_on": on}),
    )
    .await
}

/// Carries a case from commission to an issued opinion; returns the issued case and the result.
async fn issued_case(app: &TestApp, fx: &Fx, extra: Value) -> (Value, Value) {
    let case = sealed_case(app, fx, extra).await;
    let clerk = app.login("inst.clerk").await;
    let (st, res) = step(
        &clerk,
        &case,
        "issue",
        json!({"document": pdf("final"), "conclusion": conclusion()}),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{res}");
    (res.clone(), res)
}

both_engines!(
    a_case_from_commission_to_a_coded_opinion,
    async |app: &TestApp| {
        let fx = fixture(app).await;
        let clerk = app.login("inst.clerk").await;
        let head = app.login("inst.head").await;
        let case = commissioned(&clerk, &fx, json!({})).await;
        assert_eq!(
            case["case_number"], "（2026）浙0106民初1234号",
            "normalised 案号"
        );
        assert_eq!(case["persons"][0]["name_masked"], "张*");
        assert_eq!(case["persons"][0]["id_masked"], "1****************X");
        assert!(
            !case.to_string().contains("张三"),
            "no examined person's name in the record"
        );
        assert_eq!(case["clock"]["deadline"], "accept");
        assert_eq!(case["created_via"], "paper");

        let case = ok(&clerk, &case, "accept", json!({})).await;
        assert_eq!(case["stage"], "accepted");
        let case = ok(
            &clerk,
            &case,
            "contract",
            json!({"is_reappraisal": false, "effective_on": "2026-09-02"}),
        )
        .await;
        assert_eq!(case["clock"]["deadline"], "complete");
        let due_before = case["clock"]["due_on"].as_str().unwrap().to_string();

        // 第十九条 and 第十八条 on assignment.
        refused(
            &clerk,
            &case,
            "assign",
            json!({"appraiser_ids": [fx.a[0]]}),
            "通则第十九条",
        )
        .await;
        refused(
            &clerk,
            &case,
            "assign",
            json!({"appraiser_ids": [fx.a[0], fx.b[0]]}),
            "通则第十八条",
        )
        .await;
        let case = ok(
            &clerk,
            &case,
            "assign",
            json!({"appraiser_ids": [fx.a[0], fx.a[1]]}),
        )
        .await;
        let case = ok(&clerk, &case, "start", json!({})).await;

        // The clock stops and resumes; one extension, by the head only.
        let case = ok(
            &clerk,
            &case,
            "stop-clock",
            json!({"reason": "material_supplement"}),
        )
        .await;
        assert_eq!(case["stage"], "clock_stopped");
        let case = ok(&clerk, &case, "resume-clock", json!({})).await;
        refused(
            &clerk,
            &case,
            "extend",
            json!({"days": 10, "reason": "检验周期长", "client_notified": true}),
            "负责人批准",
        )
        .await;
        let case = ok(
            &head,
            &case,
            "extend",
            json!({"days": 10, "reason": "检验周期长", "client_notified": true}),
        )
        .await;
        assert!(case["clock"]["due_on"].as_str().unwrap() > due_before.as_str());
        refused(
            &head,
            &case,
            "extend",
            json!({"days": 5, "reason": "再延", "client_notified": true}),
            "只能延长一次",
        )
        .await;

        // Review by someone else; the appraisers sign; seal; issue.
        refused(
            &clerk,
            &case,
            "review-request",
            json!({"reviewer_ids": [fx.a[0]]}),
            "通则第三十五条",
        )
        .await;
        let case = ok(
            &clerk,
            &case,
            "review-request",
            json!({"reviewer_ids": [fx.a[2]]}),
        )
        .await;
        let case = ok(
            &head,
            &case,
            "review",
            json!({"reviewer_id": fx.a[2], "agrees": true, "opinion": "同意"}),
        )
        .await;
        assert_eq!(case["stage"], "signing");
        refused(&clerk, &case, "seal", json!({}), "通则第三十七条").await;
        let own = app.login("appraiser").await;
        let (st, _) = step(&own, &case, "sign", json!({"appraiser_id": fx.a[1]})).await;
        assert_eq!(
            st,
            StatusCode::FORBIDDEN,
            "an appraiser signs only for themselves"
        );
        let case = ok(&own, &case, "sign", json!({})).await;
        let case = ok(
            &clerk,
            &case,
            "sign",
            json!({"appraiser_id": fx.a[1], "dissent": "对伤残等级有保留意见"}),
        )
        .await;
        let case = ok(&clerk, &case, "seal", json!({})).await;
        let (st, v) = step(&clerk, &case, "issue", json!({"document": {"name": "x.png", "content_type": "image/png", "data_base64": "AAAA"}, "conclusion": conclusion()})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (st, res) = step(
            &clerk,
            &case,
            "issue",
            json!({"document": pdf("final opinion"), "conclusion": conclusion()}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{res}");
        let code = OpinionCode::parse(res["code"].as_str().unwrap()).unwrap();
        assert_eq!(code.region(), "330000");
        assert_eq!(
            code.category().to_string(),
            fx.item.split('.').next().unwrap()
        );
        assert_eq!(res["verification_key"].as_str().unwrap().len(), 12);
        assert_eq!(res["stage"], "issued");
        assert_eq!(res["opinion"]["status"], "valid");

        // The issue is in the log with its public fields.
        let event_id = res["opinion"]["event_id"].as_i64().unwrap();
        let entry: Vec<(Vec<u8>,)> = app
        .db
        .fetch_all(
            &format!("SELECT entry FROM ledger_queue WHERE event_id = {event_id} UNION ALL SELECT entry FROM ledger_leaves WHERE event_id = {event_id}"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
        let entry = String::from_utf8(entry[0].0.clone()).unwrap();
        assert!(
            entry.contains(&format!(
                "opinion {} {}",
                code.grouped(),
                res["document_sha256"].as_str().unwrap()
            )),
            "{entry}"
        );

        // The conclusion is recorded at issue; a correction stating another is refused with both
        // side by side (通则第四十一条); archive.
        assert_eq!(
            res["opinion"]["conclusion"]["label"], "构成轻伤二级",
            "{res}"
        );
        let v = refused(&clerk,
            &res,
            "correct",
            json!({"signer_id": fx.a[0], "what": "改结论", "conclusion": {"kind": "text", "value": "构成轻伤一级"}}), "通则第四十一条").await;
        assert!(
            v.to_string().contains("构成轻伤二级") && v.to_string().contains("构成轻伤一级"),
            "{v}"
        );
        let case = ok(
            &clerk,
            &res,
            "correct",
            json!({"signer_id": fx.a[0], "what": "第3页错别字", "conclusion": conclusion(), "document": pdf("corrected")}),
        )
        .await;
        // Both documents stay verifiable by their hashes.
        let first = res["document_sha256"].as_str().unwrap();
        let code = res["code"].as_str().unwrap();
        let anon = app.anon();
        let (_, v) = anon
            .get(&format!(
                "/api/v1/opinions/{code}/verification?sha256={first}"
            ))
            .await;
        assert_eq!(
            (&v["document_match"], &v["document_version"]),
            (&json!(true), &json!(1)),
            "{v}"
        );
        let current = case["opinion"]["document_sha256"].as_str().unwrap();
        assert_ne!(current, first);
        let (_, v) = anon
            .get(&format!(
                "/api/v1/opinions/{code}/verification?sha256={current}"
            ))
            .await;
        assert_eq!(
            (&v["document_match"], &v["document_version"]),
            (&json!(true), &json!(2)),
            "{v}"
        );
        assert_eq!(
            (
                case["opinion"]["status"].as_str(),
                case["opinion"]["version"].as_i64()
            ),
            (Some("corrected"), Some(2))
        );
        let case = ok(&clerk, &case, "archive", json!({})).await;
        assert_eq!(case["stage"], "archived");

        // Court appearance: only signers; a refusal makes the fee refundable.
        refused(
            &clerk,
            &case,
            "appearances",
            json!({"appraiser_ids": [fx.a[2]], "court": "西湖区法院", "hearing_on": "2026-12-20"}),
            "通则第四十三条",
        )
        .await;
        let case = ok(
            &clerk,
            &case,
            "appearances",
            json!({"appraiser_ids": [fx.a[0]], "court": "西湖区法院", "hearing_on": "2026-12-20"}),
        )
        .await;
        let aid = case["appearances"][0]["id"].as_i64().unwrap();
        let case = ok(
            &clerk,
            &case,
            &format!("appearances/{aid}"),
            json!({"outcome": "refused", "note": "未到庭"}),
        )
        .await;
        assert_eq!(case["appearances"][0]["refund_due"], true);

        // The whole story is in the timeline, every step an event.
        let n = app
            .scalar_i64(&format!(
                "SELECT COUNT(*) FROM events WHERE entity_type = 'case' AND entity_id = '{}'",
                case["id"]
            ))
            .await;
        assert!(n >= 18, "{n} events");
    }
);

both_engines!(
    refusal_termination_and_their_articles,
    async |app: &TestApp| {
        let fx = fixture(app).await;
        let clerk = app.login("inst.clerk").await;
        let case = commissioned(&clerk, &fx, json!({"case_number": null})).await;
        refused(&clerk, &case, "refuse", json!({"reasons": ["concurrent_commission"], "explanation": "已委托他所", "materials_returned": false}), "通则第十七条").await;
        refused(
            &clerk,
            &case,
            "refuse",
            json!({"reasons": [], "explanation": "x", "materials_returned": true}),
            "通则第十五条",
        )
        .await;
        let case = ok(&clerk, &case, "refuse", json!({"reasons": ["concurrent_commission"], "explanation": "已委托他所", "materials_returned": true})).await;
        assert_eq!(case["stage"], "refused");
        assert!(case["materials"][0]["returned_on"].is_string());
        let (st, v) = step(&clerk, &case, "accept", json!({})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

        let case = commissioned(&clerk, &fx, json!({"case_number": null})).await;
        let case = contracted(&clerk, &case, "2026-09-02").await;
        refused(&clerk, &case, "terminate", json!({"reasons": ["withdrawn_or_unpaid"], "explanation": "", "materials_returned": true}), "通则第二十九条").await;
        let case = ok(&clerk, &case, "terminate", json!({"reasons": ["withdrawn_or_unpaid"], "explanation": "委托人撤销委托", "materials_returned": true})).await;
        assert_eq!(case["stage"], "terminated");
        assert_eq!(case["clock"]["deadline"], "none");

        // The contract must say truthfully whether it is a re-appraisal (第十六条).
        let case = commissioned(&clerk, &fx, json!({"case_number": null})).await;
        let case = ok(&clerk, &case, "accept", json!({})).await;
        refused(
            &clerk,
            &case,
            "contract",
            json!({"is_reappraisal": true, "effective_on": "2026-09-02"}),
            "通则第十六条",
        )
        .await;
    }
);

both_engines!(
    supplementary_and_reappraisal_follow_articles_30_to_32,
    async |app: &TestApp| {
        let fx = fixture(app).await;
        let (issued, _) =
            issued_case(app, &fx, json!({"case_number": "（2026）浙0106民初77号"})).await;
        let parent = issued["id"].as_i64().unwrap();
        let clerk = app.login("inst.clerk").await;

        // Supplementary: same institution, original appraisers only.
        let sup = commissioned(
            &clerk,
            &fx,
            json!({"lineage": "supplementary", "parent_id": parent, "case_number": "（2026）浙0106民初77号"}),
        )
        .await;
        let sup = contracted(&clerk, &sup, "2026-09-02").await;
        refused(
            &clerk,
            &sup,
            "assign",
            json!({"appraiser_ids": [fx.a[0], fx.a[3]]}),
            "通则第三十条",
        )
        .await;
        ok(
            &clerk,
            &sup,
            "assign",
            json!({"appraiser_ids": [fx.a[0], fx.a[1]]}),
        )
        .await;

        // Re-appraisal: asked by a case-handling organ only. The court cannot read the paper
        // case of the original: it names the opinion by its code and verification key.
        let court = app.login("court").await;
        let code = issued["opinion"]["code"].as_str().unwrap().to_string();
        let key = issued["opinion"]["verification_key"]
            .as_str()
            .unwrap()
            .to_string();
        let (st, v) = court
            .post(
                "/api/v1/cases",
                commission(
                    &fx,
                    json!({"institution_id": fx.inst_b, "lineage": "reappraisal", "parent_id": parent, "case_number": "（2026）浙0106民初77号"}),
                ),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("parent_id"), "{v}");
        assert!(
            !v.to_string().contains(&code),
            "no code of an unreadable case: {v}"
        );
        let (st, v) = court
            .post(
                "/api/v1/cases",
                commission(
                    &fx,
                    json!({"institution_id": fx.inst_b, "lineage": "reappraisal", "original_opinion_code": code, "original_verification_key": "WRONGKEY1234", "case_number": "（2026）浙0106民初77号"}),
                ),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("original_opinion_code"), "{v}");
        let re = json!({"institution_id": fx.inst_b, "lineage": "reappraisal", "original_opinion_code": code, "original_verification_key": key, "case_number": "（2026）浙0106民初77号"});
        // A legal-aid centre is not a case-handling organ, whatever kind it sends.
        let aid_organ = app
            .scalar_i64("SELECT id FROM organs WHERE name = '浙江省法律援助中心'")
            .await;
        app.account(sijian_domain::Role::Organ, |u| {
            u.username = "legal.aid".into();
            u.attachment.organ_id = Some(aid_organ);
        })
        .await;
        let aid = app.login("legal.aid").await;
        let mut claims_court = commission(&fx, re.clone());
        claims_court["client_kind"] = json!("court");
        claims_court["client_name"] = json!("杭州市中级人民法院");
        let (st, v) = aid.post("/api/v1/cases", claims_court).await;
        refused_with(st, &v, "通则第三十一条");
        // Not at the original institution without a recorded reason.
        let mut same = commission(&fx, re.clone());
        same["institution_id"] = json!(fx.inst_a);
        let (st, v) = court.post("/api/v1/cases", same).await;
        refused_with(st, &v, "通则第三十二条");
        let (st, rc) = court.post("/api/v1/cases", commission(&fx, re)).await;
        assert_eq!(st, StatusCode::CREATED, "{rc}");
        assert_eq!(
            (rc["created_via"].as_str(), rc["lineage"].as_str()),
            (Some("online"), Some("reappraisal"))
        );
        assert_eq!(
            rc["original_opinion_code"],
            issued["opinion"]["code"].as_str().unwrap().replace('-', "")
        );
        // The organ sees its commission; the other institution handles it.
        let (_, mine) = court.get("/api/v1/cases").await;
        assert!(
            mine["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == rc["id"])
        );
        let b_clerk = b_clerk(app, fx.inst_b).await;
        let rc = ok(&b_clerk, &rc, "accept", json!({})).await;
        let rc = ok(
            &b_clerk,
            &rc,
            "contract",
            json!({"is_reappraisal": true, "effective_on": "2026-09-02"}),
        )
        .await;
        // Neither of these two holds a senior title.
        refused(
            &b_clerk,
            &rc,
            "assign",
            json!({"appraiser_ids": [fx.b[1], fx.b[2]]}),
            "高级专业技术职称",
        )
        .await;
        let rc = ok(
            &b_clerk,
            &rc,
            "assign",
            json!({"appraiser_ids": [fx.b[0], fx.b[1]]}),
        )
        .await;
        let rc = ok(&b_clerk, &rc, "start", json!({})).await;
        refused(
            &b_clerk,
            &rc,
            "review-request",
            json!({"reviewer_ids": [fx.b[2], fx.b[3]]}),
            "3 名以上专家",
        )
        .await;
        ok(
            &b_clerk,
            &rc,
            "review-request",
            json!({"reviewer_ids": [fx.b[2], fx.b[3], fx.b[4]]}),
        )
        .await;
    }
);

/// A clerk account for another institution.
async fn b_clerk(app: &TestApp, inst: i64) -> Client {
    let admin = app.login("admin").await;
    let (st, v) = admin
        .post(
            "/api/v1/users",
            json!({"username": format!("clerk.{inst}"), "display_name": "乙机构受理员", "password": common::PASSWORD,
                   "role": "institution_clerk", "institution_id": inst}),
        )
        .await;
    assert!(st.is_success(), "{v}");
    exec(
        app,
        &format!("UPDATE users SET must_change_password = FALSE WHERE username = 'clerk.{inst}'"),
    )
    .await;
    app.login(&format!("clerk.{inst}")).await
}

both_engines!(
    two_clerks_at_once_and_files_refused_before_storage,
    async |app: &TestApp| {
        let fx = fixture(app).await;
        let clerk = app.login("inst.clerk").await;
        let head = app.login("inst.head").await;
        let case = commissioned(&clerk, &fx, json!({"case_number": null})).await;
        let (a, b) = tokio::join!(
            step(&clerk, &case, "accept", json!({})),
            step(&head, &case, "accept", json!({}))
        );
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::OK, StatusCode::CONFLICT],
            "{} {}",
            a.1,
            b.1
        );

        let blobs = app.scalar_i64("SELECT COUNT(*) FROM blobs").await;
        let big = base64::engine::general_purpose::STANDARD.encode(vec![0u8; 21 * 1024 * 1024]);
        let mut c = commission(&fx, json!({}));
        c["attachments"] = json!([{"name": "a.exe", "content_type": "application/x-msdownload", "data_base64": "AAAA"}]);
        let (st, v) = clerk.post("/api/v1/cases", c).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let mut c = commission(&fx, json!({}));
        c["attachments"] =
            json!([{"name": "big.pdf", "content_type": "application/pdf", "data_base64": big}]);
        // Refused at the door: 413, or the connection closed while the body was still being sent.
        if let Ok(r) = clerk
            .http
            .post(app.url("/api/v1/cases"))
            .header("X-CSRF-Token", &clerk.csrf)
            .json(&c)
            .send()
            .await
        {
            assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        }
        assert_eq!(
            app.scalar_i64("SELECT COUNT(*) FROM blobs").await,
            blobs,
            "nothing stored"
        );

        // Every field problem at once, each naming its rule.
        let (st, v) = clerk
        .post("/api/v1/cases", json!({"client_kind": "x", "case_type": "y", "items": ["9.99"], "materials": [{"name": "病历", "kind": "", "quantity": "", "condition": "", "storage": "", "received_at": ""}], "case_number": "2026民初1号"}))
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = v["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        for f in [
            "client_name",
            "client_kind",
            "case_number",
            "case_type",
            "items",
            "purpose",
            "summary",
            "materials",
        ] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
        assert!(v.to_string().contains("通则第十二条"));

        // Scope: another institution's clerk cannot see the case; the regulator in region can.
        let (st, _) = app
            .login("hz.reg")
            .await
            .get(&format!("/api/v1/cases/{}", case["id"]))
            .await;
        assert_eq!(st, StatusCode::OK);
        let other = b_clerk(app, fx.inst_b).await;
        let (st, _) = other.get(&format!("/api/v1/cases/{}", case["id"])).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
);

both_engines!(
    every_step_after_assignment_checks_the_panel_again,
    async |app: &TestApp| {
        let fx = fixture(app).await;
        let clerk = app.login("inst.clerk").await;
        // 第十二、十四条: a commission without materials is not taken in.
        let (st, v) = clerk
            .post("/api/v1/cases", commission(&fx, json!({"materials": []})))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains("materials"), "{v}");
        let case = started_case(&clerk, &fx, json!({})).await;
        // 第二十一条 then 第十九条: a recusal granted under way leaves one appraiser; review waits
        // for a second one.
        let case = ok(
            &clerk,
            &case,
            "recusal",
            json!({"appraiser_id": fx.a[1], "granted": true, "decision": "与当事人有利害关系"}),
        )
        .await;
        refused(
            &clerk,
            &case,
            "review-request",
            json!({"reviewer_ids": [fx.a[2]]}),
            "通则第十九条",
        )
        .await;
        let case = ok(
            &clerk,
            &case,
            "assign",
            json!({"appraiser_ids": [fx.a[0], fx.a[3]]}),
        )
        .await;
        let case = ok(
            &clerk,
            &case,
            "review-request",
            json!({"reviewer_ids": [fx.a[2]]}),
        )
        .await;
        let case = ok(
            &clerk,
            &case,
            "review",
            json!({"reviewer_id": fx.a[2], "agrees": true, "opinion": "同意"}),
        )
        .await;
        // 第二十条: a ground declared after assignment stops the signature, and cannot be
        // decided away.
        let case = ok(&clerk, &case, "sign", json!({"appraiser_id": fx.a[0]})).await;
        let case = ok(
            &clerk,
            &case,
            "conflicts",
            json!({"appraiser_id": fx.a[3], "kind": "consultant"}),
        )
        .await;
        refused(
            &clerk,
            &case,
            "sign",
            json!({"appraiser_id": fx.a[3]}),
            "通则第二十条",
        )
        .await;
        refused(
            &clerk,
            &case,
            "recusal",
            json!({"appraiser_id": fx.a[3], "granted": false, "decision": "不影响公正"}),
            "通则第二十条",
        )
        .await;
        // Granted while signing: the case goes back to the appraisers, and the signatures
        // given so far are withdrawn.
        let case = ok(
            &clerk,
            &case,
            "recusal",
            json!({"appraiser_id": fx.a[3], "granted": true, "decision": "曾提供咨询意见"}),
        )
        .await;
        assert_eq!(case["stage"], "in_progress", "{case}");
        let signed = app
            .scalar_i64(&format!(
                "SELECT COUNT(*) FROM case_signatures WHERE case_id = {}",
                case["id"]
            ))
            .await;
        assert_eq!(signed, 0, "signatures withdrawn");
        // Out of order: sealing before the signatures names 第三十七条; archiving an opinion not
        // yet issued names the article that orders archiving (第四十二条), not a chapter.
        let v = refused(&clerk, &case, "archive", json!({}), "通则第四十二条").await;
        assert!(!v.to_string().contains("第三章"), "{v}");
    }
);

both_engines!(
    the_client_is_who_signed_in_not_who_the_request_says,
    async |app: &TestApp| {
        let fx = fixture(app).await;
        // An organ commissions as itself (issue 14, point 6).
        let court = app.login("court").await;
        let organ = app
            .scalar_i64("SELECT organ_id FROM users WHERE username = 'court'")
            .await;
        let (st, c) = court
            .post(
                "/api/v1/cases",
                commission(
                    &fx,
                    json!({"client_name": "某某律师事务所", "client_kind": "other"}),
                ),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{c}");
        let rows: Vec<(String, String)> = app
            .db
            .fetch_all(
                &format!("SELECT name, kind FROM organs WHERE id = {organ}"),
                sijian_store::Args::new(),
            )
            .await
            .unwrap();
        assert_eq!(c["client_name"], rows[0].0.as_str(), "{c}");
        assert_eq!(c["client_kind"], rows[0].1.as_str(), "{c}");
        assert_eq!(c["organ_id"], organ, "{c}");
        // A paper commission naming an organ's account is only a claim: the case is not the
        // organ's (not in its list, no webhook) until the organ confirms it.
        let clerk = app.login("inst.clerk").await;
        let mine = format!("SELECT COUNT(*) FROM cases WHERE organ_id = {organ}");
        let before = app.scalar_i64(&mine).await;
        let (st, v) = clerk
            .post(
                "/api/v1/cases",
                commission(&fx, json!({"organ_id": 999_999})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["fields"][0]["field"], "organ_id", "{v}");
        let mut claimed = Vec::new();
        for number in ["(2026)浙0106民初 02001号", "(2026)浙0106民初 02002号"] {
            let (st, c) = clerk
                .post(
                    "/api/v1/cases",
                    commission(
                        &fx,
                        json!({"organ_id": organ, "client_name": "杭州市西湖区人民法院", "client_kind": "court", "case_number": number}),
                    ),
                )
                .await;
            assert_eq!(st, StatusCode::CREATED, "{c}");
            assert!(c["organ_id"].is_null(), "{c}");
            claimed.push(c["id"].as_i64().unwrap());
        }
        assert_eq!(app.scalar_i64(&mine).await, before);
        for id in &claimed {
            let (st, _) = court.get(&format!("/api/v1/cases/{id}")).await;
            assert_eq!(st, StatusCode::NOT_FOUND);
        }
        // The organ sees the claims, and only the claim's own fields.
        let (st, list) = court.get("/api/v1/case-claims").await;
        assert_eq!(st, StatusCode::OK, "{list}");
        assert_eq!(list["total"], 2, "{list}");
        let item = &list["items"][0];
        assert!(
            item["institution_name"].is_string() && item["items"].is_array(),
            "{item}"
        );
        assert!(
            item.get("persons").is_none() && item.get("stage").is_none(),
            "{item}"
        );
        // Another organ sees none and cannot answer; institution staff cannot answer either.
        let other = app.login("procurator").await;
        let (st, v) = other.get("/api/v1/case-claims").await;
        assert_eq!((st, v["total"].as_i64()), (StatusCode::OK, Some(0)), "{v}");
        let answer = |id: i64| format!("/api/v1/case-claims/{id}");
        let (st, _) = other
            .post(&answer(claimed[0]), json!({"confirm": true}))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = clerk
            .post(&answer(claimed[0]), json!({"confirm": true}))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        // Confirmed: the case is the organ's; a second answer finds no claim.
        let (st, v) = court
            .post(&answer(claimed[0]), json!({"confirm": true}))
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        assert_eq!(v, json!({"case_id": claimed[0], "confirmed": true}));
        let (st, c) = court.get(&format!("/api/v1/cases/{}", claimed[0])).await;
        assert_eq!(st, StatusCode::OK, "{c}");
        assert_eq!(c["organ_id"], organ, "{c}");
        let (st, _) = court
            .post(&answer(claimed[0]), json!({"confirm": false}))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        // Declined: the claim is withdrawn, the case stays the institution's paper commission,
        // and the institution sees the answer on the case's record.
        let (st, v) = court
            .post(&answer(claimed[1]), json!({"confirm": false}))
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let (st, _) = court.get(&format!("/api/v1/cases/{}", claimed[1])).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        assert_eq!(app.scalar_i64(&mine).await, before + 1);
        let (_, list) = court.get("/api/v1/case-claims").await;
        assert_eq!(list["total"], 0, "{list}");
        for (id, kind) in [
            (claimed[0], "case.client_confirmed"),
            (claimed[1], "case.client_declined"),
        ] {
            let n = app
                .scalar_i64(&format!(
                    "SELECT COUNT(*) FROM events WHERE entity_type = 'case' AND entity_id = '{id}' AND kind = '{kind}'"
                ))
                .await;
            assert_eq!(n, 1, "{kind} on case {id}");
        }
        // The pages: the organ's queue and answer page; staff may not open them.
        let (st, html) = court.page("/cases/claims").await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("待确认的纸质委托"), "{html}");
        let (st, _) = clerk.page("/cases/claims").await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
);

both_engines!(
    a_reviewer_must_practise_the_matter,
    async |app: &TestApp| {
        let fx = fixture(app).await;
        let clerk = app.login("inst.clerk").await;
        let case = started_case(&clerk, &fx, json!({})).await;
        // 第三十五条: the reviewer's own practice items must cover the matter.
        exec(
            app,
            &format!(
                "UPDATE appraisers SET scope = '4.01' WHERE id = {}",
                fx.a[2]
            ),
        )
        .await;
        let v = refused(
            &clerk,
            &case,
            "review-request",
            json!({"reviewer_ids": [fx.a[2]]}),
            "通则第三十五条",
        )
        .await;
        assert!(v.to_string().contains("执业资格"), "{v}");
    }
);

both_engines!(
    a_completion_deadline_in_a_year_without_a_table_is_provisional,
    async |app: &TestApp| {
        let fx = fixture(app).await;
        let clerk = app.login("inst.clerk").await;
        let case = commissioned(&clerk, &fx, json!({})).await;
        assert_eq!(case["due_provisional"], false);
        assert_eq!(case["clock"]["due_provisional"], false);
        // 30 working days from 2026-11-25 reach into 2027, which has no table: 2027-01-07,
        // counted from the statutory holidays (1 January off), provisionally.
        let case = contracted(&clerk, &case, "2026-11-25").await;
        let id = case["id"].as_i64().unwrap();
        let (st, case) = clerk.get(&format!("/api/v1/cases/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(
            (
                case["clock"]["deadline"].as_str(),
                case["clock"]["due_on"].as_str(),
                case["clock"]["due_provisional"].as_bool()
            ),
            (Some("complete"), Some("2027-01-07"), Some(true)),
            "{case}"
        );
        assert_eq!(
            (case["due_on"].as_str(), case["due_provisional"].as_bool()),
            (Some("2027-01-07"), Some(true))
        );
        assert!(
            case["clock"]["text"]
                .as_str()
                .unwrap()
                .contains("2027-01-07（暂定）")
        );
        let (_, list) = clerk.get("/api/v1/cases?per_page=100").await;
        let item = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap_or_else(|| panic!("{list}"))
            .clone();
        assert_eq!(item["clock"]["due_provisional"], true);
        // The case page marks the date and says why.
        let (st, html) = clerk.page(&format!("/cases/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("2027-01-07（暂定）"), "{html}");
        assert!(html.contains("放假调休安排尚未载入"), "{html}");
        let en = app.login("inst.clerk").await;
        en.page("/lang/en").await;
        let (_, html) = en.page(&format!("/cases/{id}")).await;
        assert!(html.contains("2027-01-07 (provisional)"), "{html}");
        // The State Council's table makes 1–5 January days off: the date is recomputed at
        // once, and exact.
        let admin = app.login("admin").await;
        let (st, body) = admin
            .put(
                "/api/v1/calendar/2027",
                json!({"text": "year 2027\nsource 测试用的 2027 年安排\nholiday 2027-01-01..2027-01-05 元旦\n"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let (_, case) = clerk.get(&format!("/api/v1/cases/{id}")).await;
        assert_eq!(
            (
                case["clock"]["due_on"].as_str(),
                case["clock"]["due_provisional"].as_bool(),
                case["due_provisional"].as_bool()
            ),
            (Some("2027-01-11"), Some(false), Some(false)),
            "{case}"
        );
        let (_, html) = clerk.page(&format!("/cases/{id}")).await;
        assert!(
            html.contains("2027-01-11") && !html.contains("暂定"),
            "{html}"
        );
    }
);

both_engines!(demo_cases_alerts_rates_and_pages, async |app: &TestApp| {
    // The demo has cases in every stage, some past their deadline.
    let stages = ids(app, "SELECT COUNT(DISTINCT stage) FROM cases").await[0];
    assert!(stages >= 10, "{stages} stages in the demo");
    let cal = sijian_domain::calendar::WorkingCalendar::shipped();
    let today = sijian_domain::calendar::Date::parse("2026-12-10").unwrap();
    let policy = sijian_domain::procedure::Policy::default();
    let r = sijian_store::cases::sweep(&app.db, today, &cal, |_| policy)
        .await
        .unwrap();
    // The server's own sweeper may have raised some of them first (it runs from start-up).
    let open = ids(
        app,
        "SELECT COUNT(*) FROM case_alerts WHERE cleared_at IS NULL",
    )
    .await[0];
    assert!(r.raised > 0 || open > 0, "{r:?}");
    let again = sijian_store::cases::sweep(&app.db, today, &cal, |_| policy)
        .await
        .unwrap();
    assert_eq!(again.raised, 0, "each alert is raised once");
    let head = app.login("inst.head").await;
    let (st, alerts) = head.get("/api/v1/cases/alerts").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "overdue"),
        "{alerts}"
    );
    let (_, rates) = app
        .login("hz.reg")
        .await
        .get("/api/v1/cases/overdue-rates")
        .await;
    assert!(
        rates
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["overdue"].as_i64().unwrap() > 0),
        "{rates}"
    );
    // Another institution's staff see none of these alerts.
    let (_, mine) = app.login("xh.reg").await.get("/api/v1/cases/alerts").await;
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|x| x["institution_name"] == "浙江明正司法鉴定中心")
    );

    // Pages: the queue, a case's file with its timeline, a step form, a printable document.
    let clerk = app.login("inst.clerk").await;
    let (st, page) = clerk.page("/cases?queue=to_accept").await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("待受理") && page.contains("受理期限"),
        "{page}"
    );
    let issued = ids(app, "SELECT case_id FROM opinions ORDER BY code").await[0];
    let (st, page) = clerk.page(&format!("/cases/{issued}")).await;
    assert_eq!(st, StatusCode::OK);
    for words in [
        "鉴定意见书编码",
        "查询校验码",
        "鉴定人与签名",
        "打印司法鉴定委托书",
        "赋码出具",
    ] {
        assert!(page.contains(words), "{words} missing");
    }
    // The timeline shows each step's place in the log.
    assert!(
        page.contains("已入账 #") || page.contains("待入账"),
        "log status on the timeline"
    );
    let (st, page) = clerk.page(&format!("/cases/{issued}/print/contract")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("司法鉴定委托书") && page.contains("是否属于重新鉴定"),
        "{page}"
    );
    let received = ids(
        app,
        "SELECT id FROM cases WHERE stage = 'received' ORDER BY id",
    )
    .await[0];
    let (st, page) = clerk.page(&format!("/cases/{received}/steps/refuse")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("通则第十五条") || page.contains("第十五条"),
        "{page}"
    );
    let (st, _) = clerk
        .page(&format!("/cases/{received}/print/termination"))
        .await;
    assert_eq!(
        st,
        StatusCode::BAD_REQUEST,
        "no termination notice for a case not terminated"
    );
    let court = app.login("court").await;
    let (st, page) = court.page("/cases").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("我的委托"), "{page}");
});

/// Commissions a case (with `extra`) and carries it, as the clerk, through acceptance, the
/// contract and the assignment of the first two appraisers to the start of work.
async fn started_case(clerk: &Client, fx: &Fx, extra: Value) -> Value {
    let case = commissioned(clerk, fx, extra).await;
    let case = contracted(clerk, &case, "2026-09-02").await;
    let case = ok(
        clerk,
        &case,
        "assign",
        json!({"appraiser_ids": [fx.a[0], fx.a[1]]}),
    )
    .await;
    ok(clerk, &case, "start", json!({})).await
}

/// Carries a new case (the commission with `extra`) to the sealed stage: the appraiser signs
/// for themselves, the clerk records the second signature.
async fn sealed_case(app: &TestApp, fx: &Fx, extra: Value) -> Value {
    let clerk = app.login("inst.clerk").await;
    let head = app.login("inst.head").await;
    let case = started_case(&clerk, fx, extra).await;
    let case = ok(
        &clerk,
        &case,
        "review-request",
        json!({"reviewer_ids": [fx.a[2]]}),
    )
    .await;
    let case = ok(
        &head,
        &case,
        "review",
        json!({"reviewer_id": fx.a[2], "agrees": true, "opinion": "程序合规，意见有据"}),
    )
    .await;
    let own = app.login("appraiser").await;
    let case = ok(&own, &case, "sign", json!({})).await;
    let case = ok(
        &clerk,
        &case,
        "sign",
        json!({"appraiser_id": fx.a[1], "dissent": ""}),
    )
    .await;
    ok(&clerk, &case, "seal", json!({})).await
}

both_engines!(
    opinion_serials_are_gap_free_under_concurrent_issue,
    async |app: &TestApp| {
        let fx = fixture(app).await;
        let mut sealed = Vec::new();
        for n in 0..6 {
            sealed.push(
                sealed_case(
                    app,
                    &fx,
                    json!({"case_number": format!("（2026）浙0106民初{}号", 8000 + n)}),
                )
                .await,
            );
        }
        let before = ids(app, "SELECT COALESCE(MAX(serial), 0) FROM opinions").await[0];
        let clerk = app.login("inst.clerk").await;
        let mut tasks = Vec::new();
        for (n, case) in sealed.iter().enumerate() {
            let (c, case) = (
                Client {
                    http: clerk.http.clone(),
                    base: clerk.base.clone(),
                    csrf: clerk.csrf.clone(),
                    token: None,
                },
                case.clone(),
            );
            tasks.push(tokio::spawn(async move {
                step(
                    &c,
                    &case,
                    "issue",
                    json!({"document": pdf(&format!("doc {n}")), "conclusion": conclusion()}),
                )
                .await
            }));
        }
        for t in tasks {
            let (st, v) = t.await.unwrap();
            assert_eq!(st, StatusCode::OK, "{v}");
        }
        let serials = ids(
            app,
            &format!("SELECT serial FROM opinions WHERE serial > {before} ORDER BY serial"),
        )
        .await;
        assert_eq!(
            serials,
            ((before + 1)..=(before + 6)).collect::<Vec<_>>(),
            "one serial each, no gaps"
        );
        // The same case cannot be issued twice.
        let (st, _) = step(
            &clerk,
            &sealed[0],
            "issue",
            json!({"document": pdf("again"), "conclusion": conclusion()}),
        )
        .await;
        assert_eq!(st, StatusCode::CONFLICT);
    }
);

both_engines!(
    the_workbench_lists_the_case_queues,
    async |app: &TestApp| {
        let (st, page) = app.login("inst.clerk").await.page("/").await;
        assert_eq!(st, StatusCode::OK);
        for q in [
            "待受理的鉴定委托",
            "已逾期的鉴定案件",
            "/cases?queue=to_accept",
        ] {
            assert!(page.contains(q), "{q} missing on the workbench");
        }
    }
);

both_engines!(
    an_organ_describes_its_materials_and_the_institution_records_them,
    async |app: &TestApp| {
        let fx = fixture(app).await;
        let court = app.login("court").await;
        let clerk = app.login("inst.clerk").await;
        // The court names what it sends; condition, storage and time of receipt are left to the
        // institution (通则第十二条).
        let described = json!([
            {"name": "病历", "kind": "书证", "quantity": "1 册", "condition": "", "storage": "", "received_at": ""},
            {"name": "CT 片", "kind": "影像", "quantity": "3 张", "condition": "", "storage": "", "received_at": ""}
        ]);
        let case = commissioned(&court, &fx, json!({"materials": described})).await;
        // Institution staff entering a commission themselves record all six facts.
        let (st, v) = clerk
            .post(
                "/api/v1/cases",
                commission(&fx, json!({"materials": described})),
            )
            .await;
        refused_with(st, &v, "通则第十二条");

        // Acceptance waits for the institution's check.
        let (st, v) = step(&clerk, &case, "accept", json!({})).await;
        refused_with(st, &v, "通则第十二条");
        assert!(v.to_string().contains("CT 片"), "{v}");
        let (_, detail) = clerk.get(&format!("/api/v1/cases/{}", case["id"])).await;
        let ids: Vec<i64> = detail["materials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids.len(), 2);
        let receipt = |id: i64, storage: &str| json!({"material_id": id, "condition": "完好", "storage": storage, "received_at": "2026-09-01 10:00"});
        // Each one, with all three facts; the court may not record them.
        let (st, v) = step(
            &clerk,
            &case,
            "record-materials",
            json!({"materials": [receipt(ids[0], "常温")]}),
        )
        .await;
        assert_eq!(st, StatusCode::OK, "{v}");
        let case = v;
        let (st, v) = step(&clerk, &case, "accept", json!({})).await;
        refused_with(st, &v, "通则第十二条");
        let (st, v) = step(
            &clerk,
            &case,
            "record-materials",
            json!({"materials": [receipt(ids[1], " ")]}),
        )
        .await;
        refused_with(st, &v, "通则第十二条");
        let (st, _) = step(
            &court,
            &case,
            "record-materials",
            json!({"materials": [receipt(ids[1], "冷藏")]}),
        )
        .await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let case = ok(
            &clerk,
            &case,
            "record-materials",
            json!({"materials": [receipt(ids[1], "冷藏")]}),
        )
        .await;
        let stored: Vec<&str> = case["materials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["storage"].as_str().unwrap())
            .collect();
        assert_eq!(stored, ["常温", "冷藏"]);
        let case = ok(&clerk, &case, "accept", json!({})).await;
        assert_eq!(case["stage"], "accepted");
    }
);
