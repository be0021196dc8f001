//! Public verification of coded opinions (赋码核验): anyone with the code sees the public fields
//! and can compare a document's SHA-256; with the verification key also the commissioning side,
//! the case number, the signing appraisers and the corrections — never the examined persons.
//! Every check is counted. The offline proof bundle is public (its leaf holds only the
//! public line and a salted commitment).
use super::schema;
use crate::auth::Ctx;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sijian_domain::opinion_code::OpinionCode;
use sijian_service::verification::*;
use sijian_store::cases;
use sijian_store::cases::opinions::{self};
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyParams {
    /// The verification key (查询校验码) printed beside the code.
    pub key: Option<String>,
    /// SHA-256 (hex) of a document to compare with the opinion's.
    pub sha256: Option<String>,
    /// The signed token from the QR code (`t`), checked against the platform's keys.
    pub t: Option<String>,
}

fn parse_code(code: &str) -> AppResult<OpinionCode> {
    OpinionCode::parse(code).map_err(|e| AppError::field("code", e.to_string()))
}

/// Verify an opinion by its code (a malformed code is 400 before any lookup).
#[utoipa::path(get, path = "/opinions/{code}/verification", tag = "verification",
    params(("code" = String, Path, description = "意见书编码，如 330000-2026-1-0000001-8"), VerifyParams),
    responses((status = 200, body = Verification), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn verify(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiPath(code): ApiPath<String>,
    ApiQuery(p): ApiQuery<VerifyParams>,
) -> AppResult<Json<Verification>> {
    let code = OpinionCode::parse(&code).map_err(|e| AppError::bad_request(e.to_string()))?;
    Ok(Json(
        verification(
            &s,
            ctx.authed.as_deref(),
            &code,
            p.key.as_deref(),
            p.sha256.as_deref(),
            p.t.as_deref(),
        )
        .await?,
    ))
}

/// The platform's verifier keys for QR tokens (current, then retired), one per line: the same
/// Ed25519 keys that sign the log's checkpoints (`sijian verify qr … --key`).
#[utoipa::path(get, path = "/verification/keys", tag = "verification",
    responses((status = 200, description = "核验公钥，每行一个（C2SP verifier key）", content_type = "text/plain", body = String)))]
pub async fn keys(State(s): State<AppState>) -> Response {
    let mut text = String::new();
    for k in &s.ledger.log_keys {
        text.push_str(&k.to_text());
        text.push('\n');
    }
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        text,
    )
        .into_response()
}

/// The offline proof bundle of an opinion's issue (C2SP tlog-proof; verify with
/// `sijian ledger verify-bundle --key <log key>`). 404 until the issue is in a published checkpoint.
#[utoipa::path(get, path = "/opinions/{code}/bundle", tag = "verification",
    params(("code" = String, Path)),
    responses((status = 200, description = "离线证明包", content_type = "text/plain", body = String),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn bundle(
    State(s): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> AppResult<Response> {
    let code = parse_code(&code).map_err(|e| AppError::bad_request(e.message))?;
    let o = opinions::by_code(&s.db, &code)
        .await?
        .ok_or_else(AppError::not_found)?;
    let (b, _) = sijian_store::ledger::bundle_for_event(&s.db, o.event_id)
        .await?
        .ok_or_else(|| {
            AppError::new(
                StatusCode::NOT_FOUND,
                "pending",
                "出具记录尚待写入已发布的检查点，请稍后再试",
            )
        })?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.tlog-proof\"", code.as_str()),
            ),
        ],
        b.to_text(),
    )
        .into_response())
}

/// How often an opinion was verified, by whom (for the issuing institution, regulators in scope
/// and administrators).
#[utoipa::path(get, path = "/opinions/{code}/checks", tag = "verification", params(("code" = String, Path)),
    responses((status = 200, body = schema::opinions::CheckCounts), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn checks(
    State(s): State<AppState>,
    crate::auth::ApiUser(a): crate::auth::ApiUser,
    ApiPath(code): ApiPath<String>,
) -> AppResult<Json<opinions::CheckCounts>> {
    a.require(sijian_domain::Action::ViewOpinionRecord)?;
    let code = parse_code(&code)?;
    let o = opinions::by_code(&s.db, &code)
        .await?
        .ok_or_else(AppError::not_found)?;
    cases::get(&s.db, &a.scope(), o.case_id).await?;
    Ok(Json(s.checks.counts(&s.db, &o.code).await?))
}

/// The cover label (封面标签) the institution puts on the opinion: code, verification key,
/// verification address and the QR code with the signed token. It carries the key, so only for
/// those who may see the key (the issuing institution's staff, the commissioning organ,
/// administrators): regulators, to whom the case page does not show the key, are refused
/// (issue 14, point 13). 503 with the reason when no CJK font is available.
#[utoipa::path(get, path = "/opinions/{code}/label.pdf", tag = "verification", params(("code" = String, Path)),
    responses((status = 200, description = "核验标签 PDF", content_type = "application/pdf"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn label(
    State(s): State<AppState>,
    crate::auth::ApiUser(a): crate::auth::ApiUser,
    ApiPath(code): ApiPath<String>,
) -> AppResult<Response> {
    a.require(sijian_domain::Action::ViewOpinionRecord)?;
    if !sijian_service::cases::may_see_key(a.role()) {
        return Err(AppError::forbidden());
    }
    let code = parse_code(&code)?;
    let v = opinions::verifiable(&s.db, &code)
        .await?
        .ok_or_else(AppError::not_found)?;
    cases::get(&s.db, &a.scope(), v.opinion.case_id).await?;
    let o = &v.opinion;
    let first = first_sha256(&s, o).await?;
    // No signed token for a revoked opinion (issue 14, point 12).
    let qr = qr_content(&s, o, &v.licence_no, &first).ok_or_else(|| {
        AppError::new(
            axum::http::StatusCode::CONFLICT,
            "opinion_revoked",
            "该鉴定意见书已被撤销，平台不再为其签发核验标签",
        )
    })?;
    let grouped = code.grouped();
    let address = format!("{}/v/{grouped}", s.cfg.public_url.trim_end_matches('/'));
    let key = grouped_key(&o.verification_key);
    let institution = o.institution_name.clone();
    // The label in the account's language (Chinese unless the account chose English).
    let lang = crate::i18n::Lang::parse(&a.user.lang).unwrap_or(crate::i18n::Lang::Zh);
    let t = move |k: &str| lang.t(k);
    let bytes = s
        .pdf(move |fonts| {
            crate::documents::render(
                &crate::documents::Card {
                    size: crate::documents::PageSize::Label,
                    title: t("pdf.label.title"),
                    subtitle: None,
                    lines: &[
                        (t("pdf.label.code"), grouped.as_str()),
                        (t("pdf.label.key"), key.as_str()),
                        (t("pdf.label.institution"), institution.as_str()),
                        (t("pdf.label.address"), address.as_str()),
                    ],
                    qr: &qr,
                    qr_caption: Some(t("pdf.label.qr_caption")),
                    footer: &[t("pdf.label.footer")],
                },
                fonts,
            )
        })
        .await?;
    Ok(crate::responses::pdf_response(
        bytes,
        &format!("label-{}.pdf", code.as_str()),
    ))
}
