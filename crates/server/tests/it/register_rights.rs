//! Who may change the register directly (决定第六条; `sijian_domain::register`): only the
//! licensing authority (a provincial regulator, the ministry) registers institutions and
//! appraisers and changes their registration fields, and it names the basis, kept in the event.
//! Institution staff and city or county regulators change contact fields only; the pages show
//! them no link they may not follow and lock the fields they may not change.
use crate::common;
use crate::helpers::submit_form as submit;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sijian_domain::Role;
use sijian_testkit::build;

/// Whether the form's control `name` is drawn disabled.
fn locked(page: &str, name: &str) -> bool {
    let at = page
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no control {name}"));
    page[at..].split('>').next().unwrap().contains(" disabled")
}

fn names_the_rule(body: &Value) -> bool {
    body["error"]["code"] == "forbidden"
        && body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("第六条"))
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar_i64(sql).await
}

/// The payload of the latest event of a record.
async fn last_payload(app: &TestApp, entity: &str, id: i64) -> Value {
    let p: String = app
        .db
        .scalar(
            "SELECT payload FROM events WHERE entity_type = $1 AND entity_id = $2 ORDER BY id DESC",
            sijian_store::args![entity, id.to_string()],
        )
        .await
        .unwrap();
    serde_json::from_str(&p).unwrap()
}

both_engines!(
    institution_staff_cannot_register_or_relicense_appraisers,
    empty,
    async |app: &TestApp| {
        let inst = build::institution(&app.db).await;
        let appr = build::appraiser(&app.db, inst.id).await;
        let item = build::first_item(&build::default_sub_category());
        for (role, username) in [
            (Role::InstitutionHead, "head"),
            (Role::InstitutionClerk, "clerk"),
        ] {
            app.account(role, |u| {
                u.username = username.into();
                u.attachment.institution_id = Some(inst.id);
            })
            .await;
            let c = app.login(username).await;

            // API: a practising appraiser straight into the register is refused, nothing written.
            let cert = format!("3301X{username}");
            let (st, body) = c
                .post(
                    "/api/v1/appraisers",
                    json!({"institution_id": inst.id, "name": "王直登", "gender": "male",
                        "certificate_no": cert, "scope": [item], "status": "active",
                        "reason": "本所聘用"}),
                )
                .await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{username}: {body}");
            assert!(names_the_rule(&body), "{body}");
            // The page: no "new" link, the form and its submission refused naming the rule.
            let (st, list) = c.page("/appraisers").await;
            assert_eq!(st, StatusCode::OK);
            assert!(!list.contains("href=\"/appraisers/new\""), "{username}");
            let (st, page) = c.page("/appraisers/new").await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{username}");
            assert!(page.contains("第六条"), "{page}");
            let (st, _, page) = submit(
                &c,
                "/appraisers/new",
                &[
                    ("institution_id", &inst.id.to_string()),
                    ("name", "王直登"),
                    ("gender", "male"),
                    ("certificate_no", &cert),
                    ("scope", &item),
                    ("status", "active"),
                    ("status_reason", "本所聘用"),
                ],
            )
            .await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{page}");
            assert!(page.contains("第六条"), "{page}");
            assert_eq!(
                count(
                    app,
                    &format!("SELECT COUNT(*) FROM appraisers WHERE certificate_no = '{cert}'")
                )
                .await,
                0
            );

            // Registration fields through the API: refused, naming the field.
            for change in [
                json!({"status": "suspended", "status_reason": "停止执业"}),
                json!({"certificate_no": "3301Z000001"}),
                json!({"scope": [item]}),
                json!({"name": "改名"}),
            ] {
                let (_, now) = c.get(&format!("/api/v1/appraisers/{}", appr.id)).await;
                let mut body = change.clone();
                body["version"] = now["version"].clone();
                let (st, res) = c
                    .patch(&format!("/api/v1/appraisers/{}", appr.id), body)
                    .await;
                assert_eq!(st, StatusCode::FORBIDDEN, "{change}: {res}");
                assert!(names_the_rule(&res), "{res}");
            }
            // …and through the page (a crafted post of a locked field).
            let (st, form) = c.page(&format!("/appraisers/{}/edit", appr.id)).await;
            assert_eq!(st, StatusCode::OK);
            for f in [
                "certificate_no",
                "status",
                "scope",
                "name",
                "institution_id",
            ] {
                assert!(locked(&form, f), "{username}: {f} not locked");
            }
            assert!(!locked(&form, "phone"));
            let (_, now) = c.get(&format!("/api/v1/appraisers/{}", appr.id)).await;
            let version = now["version"].to_string();
            let (st, _, page) = submit(
                &c,
                &format!("/appraisers/{}/edit", appr.id),
                &[
                    ("version", &version),
                    ("gender", "male"),
                    ("certificate_no", "3301Z000002"),
                    ("scope", &build::default_sub_category()),
                ],
            )
            .await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{page}");
            let (_, after) = c.get(&format!("/api/v1/appraisers/{}", appr.id)).await;
            assert_eq!(after["certificate_no"], appr.certificate_no);
            assert_eq!(after["status"], "active");

            // Contact fields stay theirs, on the API and the page.
            let phone = format!("1390000{:04}", username.len());
            let (st, res) = c
                .patch(
                    &format!("/api/v1/appraisers/{}", appr.id),
                    json!({"version": after["version"], "phone": phone}),
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{res}");
            assert_eq!(res["phone"], phone);
            let version = res["version"].to_string();
            let (st, at, page) = submit(
                &c,
                &format!("/appraisers/{}/edit", appr.id),
                &[
                    ("version", &version),
                    ("gender", "male"),
                    ("phone", "0571-86000000"),
                ],
            )
            .await;
            assert_eq!(
                (st, at.as_str()),
                (StatusCode::OK, format!("/appraisers/{}", appr.id).as_str()),
                "{page}"
            );
            assert!(page.contains("0571-86000000"));
        }
    }
);

both_engines!(
    only_the_licensing_authority_registers_institutions,
    empty,
    async |app: &TestApp| {
        let inst = build::institution(&app.db).await;
        app.account(Role::RegulatorCounty, |u| u.username = "county".into())
            .await;
        app.account(Role::RegulatorCity, |u| u.username = "city".into())
            .await;
        app.account(Role::RegulatorProvince, |u| u.username = "province".into())
            .await;
        let new = json!({"name": "西湖新设司法鉴定所", "licence_no": "3301N0001", "region_code": build::COUNTY,
            "scope": [build::default_sub_category()], "reason": "浙司鉴〔2026〕1号"});
        for username in ["county", "city"] {
            let c = app.login(username).await;
            let (st, body) = c.post("/api/v1/institutions", new.clone()).await;
            assert_eq!(st, StatusCode::FORBIDDEN, "{username}: {body}");
            assert!(names_the_rule(&body), "{body}");
            let (_, list) = c.page("/institutions").await;
            assert!(!list.contains("href=\"/institutions/new\""), "{username}");
            let (st, page) = c.page("/institutions/new").await;
            assert_eq!(st, StatusCode::FORBIDDEN);
            assert!(page.contains("第六条"));
            let (st, _, _) = submit(
                &c,
                "/institutions/new",
                &[
                    ("name", "西湖新设司法鉴定所"),
                    ("licence_no", "3301N0001"),
                    ("region_code", build::COUNTY),
                    ("scope", &build::default_sub_category()),
                    ("status", "normal"),
                    ("status_reason", "浙司鉴〔2026〕1号"),
                ],
            )
            .await;
            assert_eq!(st, StatusCode::FORBIDDEN);
            assert_eq!(
                count(
                    app,
                    "SELECT COUNT(*) FROM institutions WHERE licence_no = '3301N0001'"
                )
                .await,
                0
            );
            // Registration fields: refused with the rule, even with a basis; contact: allowed.
            for change in [
                json!({"licence_no": "3301N0009", "reason": "更正"}),
                json!({"name": "改名司法鉴定所", "reason": "更正"}),
                json!({"status": "suspended", "status_reason": "停业整顿"}),
            ] {
                let (_, now) = c.get(&format!("/api/v1/institutions/{}", inst.id)).await;
                let mut body = change.clone();
                body["version"] = now["version"].clone();
                let (st, res) = c
                    .patch(&format!("/api/v1/institutions/{}", inst.id), body)
                    .await;
                assert_eq!(st, StatusCode::FORBIDDEN, "{username} {change}: {res}");
                assert!(names_the_rule(&res), "{res}");
            }
            let (st, form) = c.page(&format!("/institutions/{}/edit", inst.id)).await;
            assert_eq!(st, StatusCode::OK);
            for f in ["name", "licence_no", "region_code", "status"] {
                assert!(locked(&form, f), "{username}: {f} not locked");
            }
            assert!(!locked(&form, "phone"));
            let (_, now) = c.get(&format!("/api/v1/institutions/{}", inst.id)).await;
            let (st, res) = c
                .patch(
                    &format!("/api/v1/institutions/{}", inst.id),
                    json!({"version": now["version"], "phone": format!("0571-8{:07}", username.len())}),
                )
                .await;
            assert_eq!(st, StatusCode::OK, "{res}");
        }
        let (_, now) = app
            .login("province")
            .await
            .get(&format!("/api/v1/institutions/{}", inst.id))
            .await;
        assert_eq!(now["licence_no"], inst.licence_no);
        assert_eq!(now["status"], "normal");

        // The provincial regulator registers directly, naming the basis.
        let p = app.login("province").await;
        let (_, list) = p.page("/institutions").await;
        assert!(list.contains("href=\"/institutions/new\""));
        let mut without = new.clone();
        without.as_object_mut().unwrap().remove("reason");
        let (st, body) = p.post("/api/v1/institutions", without).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "status_reason");
        let (st, created) = p.post("/api/v1/institutions", new.clone()).await;
        assert_eq!(st, StatusCode::CREATED, "{created}");
        let id = created["id"].as_i64().unwrap();
        assert_eq!(
            last_payload(app, "institution", id).await["reason"],
            "浙司鉴〔2026〕1号"
        );
        // A change of a registration field needs a basis too, kept in the record's history.
        let (st, body) = p
            .patch(
                &format!("/api/v1/institutions/{id}"),
                json!({"version": created["version"], "licence_no": "3301N0002"}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["error"]["fields"][0]["field"], "status_reason");
        let (st, changed) = p
            .patch(
                &format!("/api/v1/institutions/{id}"),
                json!({"version": created["version"], "licence_no": "3301N0002", "reason": "浙司鉴〔2026〕2号换证"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{changed}");
        assert_eq!(changed["licence_no"], "3301N0002");
        assert_eq!(
            last_payload(app, "institution", id).await["reason"],
            "浙司鉴〔2026〕2号换证"
        );
        let (st, page) = p.page(&format!("/institutions/{id}")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(
            page.contains("浙司鉴〔2026〕2号换证"),
            "history shows the basis"
        );

        // …and an appraiser, through the page, naming the basis.
        let item = build::first_item(&build::default_sub_category());
        let fields = |basis: &'static str| {
            vec![
                ("institution_id", id.to_string()),
                ("name", "周直登".to_string()),
                ("gender", "female".to_string()),
                ("certificate_no", "3301N0101".to_string()),
                ("scope", item.clone()),
                ("status_reason", basis.to_string()),
            ]
        };
        let form = fields("");
        let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (st, _, page) = submit(&p, "/appraisers/new", &refs).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        let form = fields("浙司鉴〔2026〕3号");
        let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (st, at, page) = submit(&p, "/appraisers/new", &refs).await;
        assert_eq!(st, StatusCode::OK, "{page}");
        let appr: i64 = at.trim_start_matches("/appraisers/").parse().expect(&at);
        assert_eq!(
            last_payload(app, "appraiser", appr).await["reason"],
            "浙司鉴〔2026〕3号"
        );
    }
);

both_engines!(
    a_transferred_appraisers_account_moves_with_them,
    async |app: &TestApp| {
        // The demo's appraiser account, at 浙江明正司法鉴定中心.
        let appraiser_id = app
            .scalar_i64("SELECT appraiser_id FROM users WHERE username = 'appraiser'")
            .await;
        let old = app
            .scalar_i64(&format!(
                "SELECT institution_id FROM appraisers WHERE id = {appraiser_id}"
            ))
            .await;
        let new = app
            .scalar_i64(&format!(
                "SELECT id FROM institutions WHERE id <> {old} AND status = 'normal' ORDER BY id LIMIT 1"
            ))
            .await;
        let own = app.login("appraiser").await;
        let (_, me) = own.get("/api/v1/me").await;
        assert_eq!(me["user"]["institution_id"], old, "{me}");
        // The licensing authority transfers the appraiser (a registration field, with a basis).
        let reg = app.login("zj.reg").await;
        let (_, a) = reg.get(&format!("/api/v1/appraisers/{appraiser_id}")).await;
        // Practice items within the new institution's scope.
        let scope: Vec<(String,)> = app
            .db
            .fetch_all(
                &format!("SELECT scope FROM institutions WHERE id = {new}"),
                sijian_store::Args::new(),
            )
            .await
            .unwrap();
        let first = scope[0].0.split(',').next().unwrap().to_string();
        let (st, moved) = reg
            .patch(
                &format!("/api/v1/appraisers/{appraiser_id}"),
                json!({"version": a["version"], "institution_id": new, "scope": [first], "reason": "浙司鉴〔2026〕9号准予变更执业机构"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{moved}");
        // The account now belongs to the new institution (issue 14, point 13): its principal,
        // the institution it acts for, is the new one.
        assert_eq!(
            app.scalar_i64("SELECT institution_id FROM users WHERE username = 'appraiser'")
                .await,
            new
        );
        let (st, me) = own.get("/api/v1/me").await;
        assert_eq!(st, StatusCode::OK, "{me}");
        assert_eq!(me["user"]["institution_id"], new, "{me}");
    }
);
