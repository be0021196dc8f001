//! Public verification of coded opinions (赋码核验): anyone with the code sees the public fields
//! and can compare a document's SHA-256; with the verification key also the commissioning side,
//! the case number, the signing appraisers and the corrections — never the examined persons.
//! Every check is counted. The offline proof bundle is public (its leaf holds only the
//! public line and a salted commitment).
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sijian_domain::opinion_code::OpinionCode;
use sijian_store::cases::{self, opinions};
use sijian_store::{Scope, ledger};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyParams {
    /// The verification key (查询校验码) printed beside the code.
    pub key: Option<String>,
    /// SHA-256 (hex) of a document to compare with the opinion's.
    pub sha256: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Details {
    pub client: String,
    pub case_number: Option<String>,
    pub appraisers: Vec<String>,
    pub corrections: Vec<opinions::Correction>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    /// Grouped code.
    pub code: String,
    /// valid | corrected | revoked | not_found
    pub status: String,
    pub institution: Option<String>,
    /// 1 法医 2 物证 3 声像资料 4 环境损害
    pub category: Option<u8>,
    pub issued_on: Option<String>,
    /// Hex SHA-256 of the current version of the document.
    pub document_sha256: Option<String>,
    pub version: Option<i64>,
    /// Whether `sha256` (if given) is the opinion's document.
    pub document_match: Option<bool>,
    /// Whether the key (if given) was right.
    pub key_valid: Option<bool>,
    /// Only with the right key.
    pub details: Option<Details>,
    /// The leaf in the log, once integrated; its offline bundle is at `bundle_url`.
    pub log_leaf_index: Option<i64>,
    pub bundle_url: Option<String>,
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
    ApiPath(code): ApiPath<String>,
    ApiQuery(p): ApiQuery<VerifyParams>,
) -> AppResult<Json<Verification>> {
    let code = OpinionCode::parse(&code).map_err(|e| AppError::bad_request(e.to_string()))?;
    Ok(Json(
        verification(&s, &code, p.key.as_deref(), p.sha256.as_deref()).await?,
    ))
}

/// The verification answer, shared by the API and the page.
pub async fn verification(
    s: &AppState,
    code: &OpinionCode,
    key: Option<&str>,
    sha256: Option<&str>,
) -> AppResult<Verification> {
    let Some(o) = opinions::by_code(&s.db, code).await? else {
        return Ok(Verification {
            code: code.grouped(),
            status: "not_found".into(),
            institution: None,
            category: None,
            issued_on: None,
            document_sha256: None,
            version: None,
            document_match: None,
            key_valid: None,
            details: None,
            log_leaf_index: None,
            bundle_url: None,
        });
    };
    let key_valid = key.map(|k| {
        crate::secrets::same_secret(k.trim().to_uppercase().as_str(), &o.verification_key)
    });
    let details = if key_valid == Some(true) {
        let c = cases::get(&s.db, &Scope::All, o.case_id).await?;
        Some(Details {
            client: c.client_name,
            case_number: c.case_number,
            appraisers: opinions::signers(&s.db, o.case_id).await?,
            corrections: opinions::corrections(&s.db, &o.code).await?,
        })
    } else {
        None
    };
    opinions::record_check(&s.db, &o.code, details.is_some()).await?;
    let leaf = ledger::leaf_by_event(&s.db, o.event_id)
        .await?
        .map(|l| l.idx);
    Ok(Verification {
        code: code.grouped(),
        status: o.status.clone(),
        institution: Some(o.institution_name.clone()),
        category: Some(o.category as u8),
        issued_on: Some(o.issued_on.clone()),
        document_match: sha256.map(|h| h.trim().eq_ignore_ascii_case(&o.document_sha256)),
        document_sha256: Some(o.document_sha256),
        version: Some(o.version),
        key_valid,
        details,
        log_leaf_index: leaf,
        bundle_url: leaf.map(|_| format!("/api/v1/opinions/{}/bundle", code.grouped())),
    })
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
    let (b, _) = ledger::bundle_for_event(&s.db, o.event_id)
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

/// How often an opinion was verified (for the issuing institution and regulators in scope).
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckCounts {
    pub public: i64,
    pub keyed: i64,
}

#[utoipa::path(get, path = "/opinions/{code}/checks", tag = "verification", params(("code" = String, Path)),
    responses((status = 200, body = CheckCounts), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn checks(
    State(s): State<AppState>,
    crate::auth::ApiUser(a): crate::auth::ApiUser,
    ApiPath(code): ApiPath<String>,
) -> AppResult<Json<CheckCounts>> {
    a.require(sijian_domain::Action::ViewCases)?;
    let code = parse_code(&code)?;
    let o = opinions::by_code(&s.db, &code)
        .await?
        .ok_or_else(AppError::not_found)?;
    cases::get(&s.db, &a.scope(), o.case_id).await?;
    let (public, keyed) = opinions::check_counts(&s.db, &o.code).await?;
    Ok(Json(CheckCounts { public, keyed }))
}
