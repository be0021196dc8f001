//! What the pages offer and say after a step, on both engines: the licensing decision only once
//! the rules would take it, the review form's experts matched to the application, and a case
//! step's confirmation naming what was done and what comes next.
use crate::{common, helpers};

use common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PDF_B64: &str = "JVBERi0xLjQKJSBtYXRlcmlhbAolJUVPRgo=";

async fn institution_of(app: &TestApp, user: &str) -> i64 {
    app.scalar_i64(&format!(
        "SELECT institution_id FROM users WHERE username = '{user}'"
    ))
    .await
}

/// An appraiser's registration at `inst` for the first code of its scope, accepted by the city.
pub(crate) async fn accepted_application(app: &TestApp, inst: i64) -> (Value, String) {
    let code = crate::common::first_scope_code(app, inst).await;
    let head = app.login("inst.head").await;
    let (st, a) = head
        .post(
            "/api/v1/applications",
            json!({
                "kind": "appraiser_register",
                "appraiser": {
                    "name": "闻若溪", "gender": "male", "id_number": "110105198001010032",
                    "education": "master", "certificate_no": "3301FRIC01", "scope": [code],
                    "title": "副主任法医师", "senior_title": true
                },
                "declarations": { "years_in_field": 9, "healthy": true },
                "attachments": [{ "name": "申请表.pdf", "content_type": "application/pdf", "data_base64": PDF_B64 }]
            }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    let city = app.login("hz.reg").await;
    let (st, a) = city
        .post(
            &format!("/api/v1/applications/{}/check", a["id"]),
            json!({"version": a["version"], "complete": true}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{a}");
    (a, code)
}

/// The experts the review form of application `id` should offer: (matching, others).
pub(crate) async fn expected_experts(app: &TestApp, id: i64, code: &str) -> (Vec<i64>, Vec<i64>) {
    let path: Vec<(String,)> = app
        .db
        .fetch_all(
            &format!("SELECT region_path FROM applications WHERE id = {id}"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    let experts: Vec<(i64, String, String, bool)> = app
        .db
        .fetch_all(
            "SELECT id, speciality, region_path, active FROM experts ORDER BY id",
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    let cls = sijian_domain::classification::Classification::current();
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for (e, spec, region, active) in experts {
        if !active || !path[0].0.starts_with(&region) {
            continue;
        }
        if sijian_domain::licensing::speciality_matches(cls, &spec, code) {
            yes.push(e);
        } else {
            no.push(e);
        }
    }
    (yes, no)
}

fn offers(html: &str, expert: i64) -> bool {
    html.contains(&format!("<option value=\"{expert}\""))
}

async fn page(c: &Client, path: &str) -> String {
    let (st, html) = c.page(path).await;
    assert_eq!(st, StatusCode::OK, "{path}: {html}");
    html
}

both_engines!(
    decision_offered_once_the_reviews_are_in,
    async |app: &TestApp| {
        let inst = institution_of(app, "inst.head").await;
        let (a, code) = accepted_application(app, inst).await;
        let id = a["id"].as_i64().unwrap();
        let decide = format!("href=\"/applications/{id}/decide\"");
        let province = app.login("zj.reg").await;
        let city = app.login("hz.reg").await;

        // Accepted, no reviews yet: no decision offered, and the page says why.
        let html = page(&province, &format!("/applications/{id}")).await;
        assert!(!html.contains(&decide), "{html}");
        assert!(html.contains("专家评审完成后可作出决定"), "{html}");
        assert!(html.contains("已有 0 名，须 3 名"), "{html}");

        // The review form lists the experts whose speciality matches, and all on request.
        let (matching, others) = expected_experts(app, id, &code).await;
        assert!(matching.len() >= 3, "{matching:?}");
        assert!(
            !others.is_empty(),
            "the demo list has experts of other categories"
        );
        let form = page(&city, &format!("/applications/{id}/review")).await;
        assert!(matching.iter().all(|e| offers(&form, *e)), "{form}");
        assert!(others.iter().all(|e| !offers(&form, *e)), "{form}");
        assert!(form.contains("显示全部专家"), "{form}");
        let all = page(&city, &format!("/applications/{id}/review?experts=all")).await;
        assert!(
            matching.iter().chain(&others).all(|e| offers(&all, *e)),
            "{all}"
        );

        // A review through the page says what was done and what is still needed.
        let (st, at, html) = helpers::submit_form(
            &city,
            &format!("/applications/{id}/review"),
            &[
                ("expert_id", &matching[0].to_string()),
                ("score", "85"),
                ("recommend", "true"),
            ],
        )
        .await;
        assert_eq!(
            (st, at.as_str()),
            (StatusCode::OK, &*format!("/applications/{id}"))
        );
        assert!(
            html.contains("已记录专家评审意见。下一步：专家评审（已有 1 名，须 3 名）"),
            "{html}"
        );
        for e in &matching[1..3] {
            let (st, body) = city
                .post(
                    &format!("/api/v1/applications/{id}/reviews"),
                    json!({"expert_id": e, "score": 80, "recommend": true}),
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{body}");
        }

        // Three reviews: the decision is offered, and taking it says what happened.
        let html = page(&province, &format!("/applications/{id}")).await;
        assert!(html.contains(&decide), "{html}");
        assert!(html.contains("下一步：作出决定"), "{html}");
        let (_, now) = province.get(&format!("/api/v1/applications/{id}")).await;
        let (st, _, html) = helpers::submit_form(
            &province,
            &format!("/applications/{id}/decide"),
            &[
                ("version", &now["version"].to_string()),
                ("approve", "true"),
                ("reasons", ""),
            ],
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        assert!(html.contains("已作出准予登记决定"), "{html}");
        assert!(!html.contains(&decide), "{html}");
        // A closed clock says so once.
        assert!(!html.contains("已办结：已办结"), "{html}");
    }
);

both_engines!(
    a_case_step_says_what_was_done_and_what_comes_next,
    async |app: &TestApp| {
        let inst = institution_of(app, "inst.clerk").await;
        let item = common::first_item(app, inst).await;
        let clerk = app.login("inst.clerk").await;
        let (st, case) = clerk
            .post(
                "/api/v1/cases",
                common::commission_json(
                    inst,
                    &item,
                    json!([{"name": "闻若溪", "id_number": "110105198001010032"}]),
                    "（2026）浙0106民初8931号",
                ),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{case}");
        let id = case["id"].as_i64().unwrap();
        let (st, at, html) = helpers::submit_form(
            &clerk,
            &format!("/cases/{id}/steps/accept"),
            &[("version", &case["version"].to_string())],
        )
        .await;
        assert_eq!(
            (st, at.as_str()),
            (StatusCode::OK, &*format!("/cases/{id}"))
        );
        assert!(html.contains("已受理。下一步：签订委托书"), "{html}");
        assert!(!html.contains(">已保存<"), "{html}");
        // An unknown key still says the change was saved.
        let html = page(&clerk, &format!("/cases/{id}?saved=whatever")).await;
        assert!(html.contains(r#"role="status">已保存</div>"#), "{html}");
    }
);
