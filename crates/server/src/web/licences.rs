//! Electronic licences (电子证照): institution licences and appraiser certificates with GB/T 36904
//! identifiers, data signed with the platform key, a status that follows the register, a public
//! verification page and API like an opinion's, and a printable PDF with the QR code.
use super::{PageResult, render};
use crate::auth::Ctx;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use sijian_domain::identifiers::ElectronicLicenceId;
use sijian_service::licences::verification;

/// `?t=`: the signed token from the QR code.
#[derive(Debug, Deserialize)]
pub struct LicenceQuery {
    pub t: Option<String>,
}

#[derive(Template)]
#[template(path = "licence.html")]
struct LicencePage {
    lang: Lang,
    title: String,
    here: &'static str,
    id: String,
    badge: Option<(String, &'static str)>,
    error: Option<String>,
    fields: Vec<(String, String)>,
    qr_svg: String,
    pdf_url: Option<String>,
}

fn badge(status: &str, label: &str) -> (String, &'static str) {
    (
        label.to_string(),
        match status {
            "valid" => "ok",
            "withheld" | "expired" => "warn",
            _ => "bad",
        },
    )
}

/// `/l/{id}`: the licence's QR target.
pub async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<LicenceQuery>,
) -> PageResult {
    let lang = ctx.lang;
    let mut page = LicencePage {
        lang,
        title: lang.t("licences.title").into(),
        here: "verify",
        id: id.clone(),
        badge: None,
        error: None,
        fields: Vec::new(),
        qr_svg: String::new(),
        pdf_url: None,
    };
    let parsed = match ElectronicLicenceId::parse(&id) {
        Ok(p) => p,
        Err(e) => {
            page.error = Some(lang.tf("licences.bad_id", &[("error", &e.to_string())]));
            return Ok(render(&page));
        }
    };
    let v = verification(&s, &parsed, q.t.as_deref().filter(|t| !t.is_empty()))
        .await
        .map_err(|e| crate::web::page_error(e, lang))?;
    let Some(l) = &v.licence else {
        page.badge = Some((lang.t("licences.not_found").into(), "bad"));
        page.error = Some(lang.t("licences.not_found_help").into());
        return Ok(render(&page));
    };
    page.id = l.id.clone();
    // The service labels in Chinese; other languages take the domain's label of the same code.
    let kind_label = sijian_domain::elicence::LicenceKind::parse(&l.kind)
        .map_or(l.kind_label.clone(), |k| {
            lang.pick(k.label_zh(), k.label_en()).to_string()
        });
    let status_label = sijian_domain::elicence::LicenceStatus::parse(&l.status)
        .map_or(l.status_label.clone(), |k| {
            lang.pick(k.label_zh(), k.label_en()).to_string()
        });
    page.badge = Some(badge(&l.status, &status_label));
    page.fields = vec![
        (lang.t("licences.field.kind").into(), kind_label),
        (lang.t("licences.field.id").into(), l.id.clone()),
        (lang.t("licences.field.holder").into(), l.holder.clone()),
        (lang.t("licences.field.number").into(), l.number.clone()),
    ];
    if let Some(i) = &l.institution {
        page.fields
            .push((lang.t("licences.field.institution").into(), i.clone()));
    }
    page.fields.push((
        lang.t("licences.field.valid_until").into(),
        l.valid_to.clone().unwrap_or_else(|| "—".into()),
    ));
    page.fields.push((
        lang.t("licences.field.status").into(),
        lang.tf(
            "licences.status_code",
            &[("status", &status_label), ("code", &l.status_code)],
        ),
    ));
    page.fields.push((
        lang.t("licences.field.issuer_code").into(),
        l.issuer.clone(),
    ));
    if let Some(t) = &v.token {
        page.fields.push((
            lang.t("licences.field.qr").into(),
            match &t.reason {
                None => lang.t("licences.qr.valid").into(),
                Some(r) => lang.tf("verify.qr.invalid", &[("reason", r)]),
            },
        ));
        page.fields
            .extend(crate::web::verify::token_standing(lang, t));
    }
    // No QR for a licence that is not valid: the platform signs none (issue 14, point 12).
    if !l.qr_content.is_empty() {
        page.qr_svg =
            crate::documents::qr_svg(&l.qr_content, 176, lang.t("qr.label")).unwrap_or_default();
    }
    // The PDF only for a reader who may print it (a page never shows a link its reader may
    // not follow, issue 15).
    if let Some(a) = &ctx.authed
        && sijian_service::licences::reach_printable(&s, a, &parsed)
            .await
            .is_ok()
    {
        page.pdf_url = Some(format!("/api/v1/licences/{}/licence.pdf", l.id));
    }
    Ok(render(&page))
}
