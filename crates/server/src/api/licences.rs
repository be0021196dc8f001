//! Electronic licences (电子证照): institution licences and appraiser certificates with GB/T 36904
//! identifiers, data signed with the platform key, a status that follows the register, a public
//! verification page and API like an opinion's, and a printable PDF with the QR code.
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use sijian_domain::elicence::LicenceKind;
use sijian_domain::identifiers::ElectronicLicenceId;
use sijian_service::licences::{LicenceVerification, LicenceView, licence_of, verification};
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LicenceParams {
    /// The signed token from the QR code.
    pub t: Option<String>,
}

fn parse_id(id: &str) -> AppResult<ElectronicLicenceId> {
    ElectronicLicenceId::parse(id).map_err(|e| AppError::bad_request(e.to_string()))
}

/// Verify an electronic licence (a malformed identifier is 400 before any lookup).
#[utoipa::path(get, path = "/licences/{id}/verification", tag = "verification",
    params(("id" = String, Path, description = "电子证照标识（GB/T 36904）"), LicenceParams),
    responses((status = 200, body = LicenceVerification), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn verify_api(
    State(s): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<LicenceParams>,
) -> AppResult<Json<LicenceVerification>> {
    let id = parse_id(&id)?;
    Ok(Json(verification(&s, &id, p.t.as_deref()).await?))
}

/// An institution's or appraiser's electronic licence (public register data).
#[utoipa::path(get, path = "/public/{kind}/{holder_id}/licence", tag = "directory",
    params(("kind" = String, Path, description = "institutions | appraisers"), ("holder_id" = i64, Path)),
    responses((status = 200, body = LicenceView), (status = 404, body = ErrorBody)))]
pub async fn of_holder(
    State(s): State<AppState>,
    ApiPath((kind, holder_id)): ApiPath<(String, i64)>,
) -> AppResult<Json<LicenceView>> {
    let kind = match kind.as_str() {
        "institutions" => LicenceKind::Institution,
        "appraisers" => LicenceKind::Appraiser,
        _ => return Err(AppError::not_found()),
    };
    licence_of(&s, kind, holder_id)
        .await?
        .map(Json)
        .ok_or_else(AppError::not_found)
}

/// The licence as a printable A4 PDF with its QR code, for those who may see the register entry
/// (the holder's institution, regulators in scope); 503 with the reason when no CJK font is
/// available.
#[utoipa::path(get, path = "/licences/{id}/licence.pdf", tag = "verification",
    params(("id" = String, Path, description = "电子证照标识")),
    responses((status = 200, description = "电子证照 PDF", content_type = "application/pdf"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn licence_pdf(
    State(s): State<AppState>,
    crate::auth::ApiUser(a): crate::auth::ApiUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<axum::response::Response> {
    let id = parse_id(&id)?;
    let (kind, holder) = sijian_service::licences::reach_printable(&s, &a, &id).await?;
    let l = licence_of(&s, kind, holder)
        .await?
        .ok_or_else(AppError::not_found)?;
    // The platform signs a licence's QR token only while the licence is valid (issue 14,
    // point 12); a suspended, revoked or expired one gets no document to show.
    if l.qr_content.is_empty() {
        return Err(AppError::new(
            axum::http::StatusCode::CONFLICT,
            "licence_not_valid",
            format!(
                "该证照当前状态为“{}”，平台不为其签发电子证照",
                l.status_label
            ),
        ));
    }
    // The document in the account's language (Chinese unless the account chose English).
    let lang = crate::i18n::Lang::parse(&a.user.lang).unwrap_or(crate::i18n::Lang::Zh);
    let t = move |k: &str| lang.t(k);
    let kind_label = lang.pick(&l.kind_label, kind.label_en()).to_string();
    let status_label = sijian_domain::elicence::LicenceStatus::parse(&l.status)
        .map_or(l.status_label.clone(), |x| {
            lang.pick(x.label_zh(), x.label_en()).to_string()
        });
    let title = lang.tf("pdf.licence.title", &[("kind", &kind_label)]);
    let scope = crate::labels::scope_labels_in(lang, &l.scope);
    let status = lang.tf("pdf.licence.status", &[("status", &status_label)]);
    let valid_to = l.valid_to.clone().unwrap_or_else(|| "—".into());
    let today = crate::state::today().to_string();
    let filename = format!("licence-{}.pdf", l.id);
    let bytes = s
        .pdf(move |fonts| {
            let mut lines: Vec<(&str, &str)> = vec![(
                t(if kind == LicenceKind::Institution {
                    "pdf.licence.institution_name"
                } else {
                    "pdf.licence.person_name"
                }),
                l.holder.as_str(),
            )];
            lines.push((t("pdf.licence.id"), l.id.as_str()));
            lines.push((
                t(if kind == LicenceKind::Institution {
                    "pdf.licence.licence_no"
                } else {
                    "pdf.licence.certificate_no"
                }),
                l.number.as_str(),
            ));
            if let Some(i) = &l.institution {
                lines.push((t("pdf.licence.institution"), i.as_str()));
            }
            lines.push((t("pdf.licence.scope"), scope.as_str()));
            lines.push((t("pdf.licence.valid_to"), valid_to.as_str()));
            lines.push((t("pdf.licence.status_label"), status.as_str()));
            lines.push((t("pdf.licence.issuer"), l.issuer.as_str()));
            lines.push((t("pdf.licence.printed_on"), today.as_str()));
            crate::documents::render(
                &crate::documents::Card {
                    size: crate::documents::PageSize::A4,
                    title: &title,
                    subtitle: Some(t("pdf.licence.subtitle")),
                    lines: &lines,
                    qr: &l.qr_content,
                    qr_caption: Some(t("pdf.licence.qr_caption")),
                    footer: &[t("pdf.licence.footer1"), t("pdf.licence.footer2")],
                },
                fonts,
            )
        })
        .await?;
    Ok(crate::responses::pdf_response(bytes, &filename))
}
