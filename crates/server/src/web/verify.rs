//! The verification page, the QR code's target: `/v/{code}` shows an opinion's public fields,
//! compares a chosen file by its SHA-256 computed in the browser, and with the verification key
//! shows the commissioning side and the signing appraisers.
use super::{PageResult, render};
use crate::auth::Ctx;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use sijian_domain::opinion_code::OpinionCode;
use sijian_service::verification::verification;

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    lang: Lang,
    title: String,
    here: &'static str,
    badge: Option<(String, &'static str)>,
    error: Option<String>,
    found: bool,
    code: String,
    sha256: String,
    fields: Vec<(String, String)>,
    details: Vec<(String, String)>,
    bundle: Option<String>,
    /// With the key: the QR code for the cover, as printed on the label.
    qr_svg: String,
}

/// The category's label (1 法医 2 物证 3 声像资料 4 环境损害), from the domain's table.
/// The line that says what a QR token vouched for when it was signed, and when (issue 14,
/// point 12); a version 1 token states neither. Shared by the opinion and licence pages.
pub(crate) fn token_standing(
    lang: Lang,
    t: &sijian_service::verification::TokenCheck,
) -> Option<(String, String)> {
    if !t.signature_valid {
        return None;
    }
    let value = match (&t.signed_status, &t.signed_at) {
        (Some(status), Some(at)) => {
            let label = match sijian_domain::elicence::LicenceStatus::parse(status) {
                Some(s) => lang.pick(s.label_zh(), s.label_en()).to_string(),
                None => lang
                    .t(if status == "corrected" {
                        "verify.qr.status.corrected"
                    } else {
                        "verify.qr.status.valid"
                    })
                    .to_string(),
            };
            lang.tf("verify.qr.signed", &[("status", &label), ("at", at)])
        }
        _ => lang.t("verify.qr.signed_unknown").to_string(),
    };
    Some((lang.t("verify.field.qr_signed").to_string(), value))
}

fn category(lang: Lang, c: u8) -> &'static str {
    sijian_domain::category::Category::from_digit(c)
        .map(|c| lang.pick(c.label_zh(), c.label_en()))
        .unwrap_or("—")
}

pub async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let lang = ctx.lang;
    let param = |name: &str| {
        q.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    };
    let key = param("key");
    let mut page = VerifyPage {
        lang,
        title: lang.t("verify.title").into(),
        here: "verify",
        badge: None,
        error: None,
        found: false,
        code: code.clone(),
        sha256: String::new(),
        fields: Vec::new(),
        details: Vec::new(),
        bundle: None,
        qr_svg: String::new(),
    };
    let parsed = match OpinionCode::parse(&code) {
        Ok(c) => c,
        Err(e) => {
            page.error = Some(lang.tf("verify.bad_code", &[("error", &e.to_string())]));
            return Ok(render(&page));
        }
    };
    let v = match verification(&s, ctx.authed.as_deref(), &parsed, key, None, param("t")).await {
        Ok(v) => v,
        Err(e) => return Err(super::page_error(e, lang)),
    };
    page.code = v.code.clone();
    page.badge = Some(match v.status.as_str() {
        "valid" => (lang.t("verify.valid").into(), "ok"),
        "corrected" => (
            lang.tf(
                "verify.corrected",
                &[("version", &v.version.unwrap_or(1).to_string())],
            ),
            "warn",
        ),
        "revoked" => (lang.t("verify.revoked").into(), "bad"),
        _ => (lang.t("verify.not_found").into(), "bad"),
    });
    if v.status == "not_found" {
        page.error = Some(lang.t("verify.not_found_help").into());
        return Ok(render(&page));
    }
    page.found = true;
    page.sha256 = v.document_sha256.clone().unwrap_or_default();
    page.fields = vec![
        (lang.t("verify.field.code").into(), v.code.clone()),
        (
            lang.t("verify.field.institution").into(),
            v.institution.clone().unwrap_or_default(),
        ),
        (
            lang.t("verify.field.category").into(),
            category(lang, v.category.unwrap_or(0)).into(),
        ),
        (
            lang.t("verify.field.issued_on").into(),
            v.issued_on.clone().unwrap_or_default(),
        ),
        (lang.t("verify.field.sha").into(), page.sha256.clone()),
        (
            lang.t("verify.field.ledger").into(),
            v.log_leaf_index
                .map(|i| lang.tf("verify.ledger.leaf", &[("leaf", &i.to_string())]))
                .unwrap_or_else(|| lang.t("verify.ledger.pending").into()),
        ),
    ];
    if v.status == "revoked" {
        page.error = Some(lang.tf(
            "verify.revoked_notice",
            &[("date", &v.revoked_on.clone().unwrap_or_default())],
        ));
        page.fields.insert(
            1,
            (
                lang.t("verify.field.revocation").into(),
                lang.tf(
                    "cases.opinion.revoked_on",
                    &[
                        ("date", &v.revoked_on.clone().unwrap_or_default()),
                        ("basis", &v.revoked_reason.clone().unwrap_or_default()),
                    ],
                ),
            ),
        );
    }
    if v.status == "corrected" {
        page.fields.insert(
            1,
            (
                lang.t("verify.field.version").into(),
                lang.tf(
                    "verify.version",
                    &[("version", &v.version.unwrap_or(1).to_string())],
                ),
            ),
        );
    }
    if let Some(t) = &v.token {
        page.fields.push((
            lang.t("verify.field.qr").into(),
            match (&t.reason, t.signature_valid) {
                (None, _) => lang.t("verify.qr.valid").into(),
                (Some(r), _) => lang.tf("verify.qr.invalid", &[("reason", r)]),
            },
        ));
        page.fields.extend(token_standing(lang, t));
    }
    if v.key_valid == Some(false) && page.error.is_none() {
        page.error = Some(lang.t("verify.wrong_key").into());
    }
    if let Some(d) = &v.details {
        page.qr_svg = d
            .qr_content
            .as_deref()
            .and_then(|q| crate::documents::qr_svg(q, 176, lang.t("qr.label")).ok())
            .unwrap_or_default();
        page.details = vec![
            (lang.t("verify.field.client").into(), d.client.clone()),
            (
                lang.t("verify.field.case_number").into(),
                d.case_number.clone().unwrap_or_else(|| "—".into()),
            ),
            (
                lang.t("verify.field.signers").into(),
                d.appraisers.join(lang.pick("、", ", ")),
            ),
        ];
        if let Some(c) = &d.conclusion {
            page.details
                .push((lang.t("cases.field.conclusion").into(), c.clone()));
        }
        for c in &d.corrections {
            page.details.push((
                lang.tf(
                    "verify.correction",
                    &[
                        ("version", &c.version.to_string()),
                        ("date", &c.corrected_on),
                    ],
                ),
                c.what.clone(),
            ));
        }
    }
    page.bundle = v.bundle_url.clone();
    Ok(render(&page))
}
