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
use serde::{Deserialize, Serialize};
use sijian_domain::opinion_code::OpinionCode;
use sijian_ledger::token::{self, RecordKind, SignedRecord};
use sijian_store::cases;
use sijian_store::cases::opinions::{self, CheckKind, Opinion};
use utoipa::{IntoParams, ToSchema};

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

#[derive(Debug, Serialize, ToSchema)]
pub struct Details {
    pub client: String,
    pub case_number: Option<String>,
    pub appraisers: Vec<String>,
    #[schema(value_type = Vec<schema::opinions::Correction>)]
    pub corrections: Vec<opinions::Correction>,
    /// What the cover label's QR code holds: the verification address with the key and the
    /// signed token (docs/VERIFICATION.md).
    pub qr_content: String,
}

/// What the QR code's signed token says, and whether it agrees with the record.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCheck {
    /// The platform's signature over the token is good.
    pub signature_valid: bool,
    /// The token names this opinion and its first issued document.
    pub matches_record: bool,
    /// Why not, when either is false.
    pub reason: Option<String>,
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
    /// For a revoked opinion: when and on what ground.
    pub revoked_on: Option<String>,
    pub revoked_reason: Option<String>,
    /// Whether `sha256` (if given) is the opinion's document.
    pub document_match: Option<bool>,
    /// Whether the key (if given) was right.
    pub key_valid: Option<bool>,
    /// Only with the right key.
    pub details: Option<Details>,
    /// The leaf in the log, once integrated; its offline bundle is at `bundle_url`.
    pub log_leaf_index: Option<i64>,
    pub bundle_url: Option<String>,
    /// With `t`: the QR token's check.
    pub token: Option<TokenCheck>,
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
            &ctx,
            &code,
            p.key.as_deref(),
            p.sha256.as_deref(),
            p.t.as_deref(),
        )
        .await?,
    ))
}

/// The signed record an opinion's QR token carries: code, first issued document's SHA-256,
/// institution licence number, issue date.
pub fn opinion_record(o: &Opinion, licence_no: &str, first_sha256: &str) -> SignedRecord {
    SignedRecord::new(
        RecordKind::Opinion,
        vec![
            o.code.clone(),
            first_sha256.to_string(),
            licence_no.to_string(),
            o.issued_on.to_string(),
        ],
    )
    .expect("an opinion's fields are single-line and non-empty")
}

/// The cover label's QR content: `<public_url>/v/<code>?key=<key>&t=<token>`.
pub fn qr_content(s: &AppState, o: &Opinion, licence_no: &str, first_sha256: &str) -> String {
    let token = opinion_record(o, licence_no, first_sha256)
        .sign(&s.ledger.signer)
        .expect("the log key is Ed25519");
    format!(
        "{}/v/{}?key={}&t={token}",
        s.cfg.public_url.trim_end_matches('/'),
        opinions::grouped(&o.code),
        o.verification_key
    )
}

/// The SHA-256 of the document as first issued (the QR token vouches for that one; a
/// correction changes the current document).
async fn first_sha256(s: &AppState, o: &Opinion) -> AppResult<String> {
    if o.version == 1 {
        return Ok(o.document_sha256.clone());
    }
    Ok(opinions::first_document_sha256(&s.db, o.case_id)
        .await?
        .unwrap_or_else(|| o.document_sha256.clone()))
}

/// Checks a QR token against the platform's keys and the record.
fn check_token(s: &AppState, t: &str, o: &Opinion, licence_no: &str, first: &str) -> TokenCheck {
    TokenCheck::of(
        s,
        t,
        Some(&opinion_record(o, licence_no, first)),
        "二维码签名有效，但所载内容与平台记录不符：请以平台记录为准",
    )
}

impl TokenCheck {
    /// A QR token checked against the platform's keys (current and retired) and against the
    /// record it should carry (`None`: there is no such record).
    pub fn of(
        s: &AppState,
        t: &str,
        expected: Option<&SignedRecord>,
        mismatch: &str,
    ) -> TokenCheck {
        match token::verify(t, &s.ledger.log_keys) {
            Err(e) => TokenCheck {
                signature_valid: false,
                matches_record: false,
                reason: Some(e.to_string()),
            },
            Ok(r) => {
                let matches = expected == Some(&r);
                TokenCheck {
                    signature_valid: true,
                    matches_record: matches,
                    reason: (!matches).then(|| mismatch.to_string()),
                }
            }
        }
    }
}

/// Who is verifying, for the counts.
fn check_kind(ctx: &Ctx, keyed: bool) -> CheckKind {
    match &ctx.authed {
        Some(a) if a.role() == sijian_domain::Role::Organ => CheckKind::Organ,
        Some(_) => CheckKind::Platform,
        None if keyed => CheckKind::Keyed,
        None => CheckKind::Public,
    }
}

/// The verification answer, shared by the API and the page. Counts the check.
pub async fn verification(
    s: &AppState,
    ctx: &Ctx,
    code: &OpinionCode,
    key: Option<&str>,
    sha256: Option<&str>,
    t: Option<&str>,
) -> AppResult<Verification> {
    let Some(v) = opinions::verifiable(&s.db, code).await? else {
        return Ok(Verification {
            code: code.grouped(),
            status: "not_found".into(),
            institution: None,
            category: None,
            issued_on: None,
            document_sha256: None,
            version: None,
            revoked_on: None,
            revoked_reason: None,
            document_match: None,
            key_valid: None,
            details: None,
            log_leaf_index: None,
            bundle_url: None,
            token: None,
        });
    };
    let o = v.opinion;
    let key_valid =
        key.map(|k| crate::secrets::same_secret(&normalise_key(k), &o.verification_key));
    let keyed = match key_valid {
        Some(true) => Some(opinions::keyed_details(&s.db, &o).await?),
        _ => None,
    };
    let first = match (&keyed, t) {
        (Some(k), _) => Some(k.first_document_sha256.clone()),
        (None, Some(_)) => Some(first_sha256(s, &o).await?),
        (None, None) => None,
    };
    let details = keyed.map(|k| Details {
        qr_content: qr_content(s, &o, &v.licence_no, &k.first_document_sha256),
        client: k.client_name,
        case_number: k.case_number,
        appraisers: k.signers,
        corrections: k.corrections,
    });
    let token = t.map(|t| {
        check_token(
            s,
            t,
            &o,
            &v.licence_no,
            first.as_deref().unwrap_or_default(),
        )
    });
    s.checks.record(
        &o.code,
        crate::state::today().to_string(),
        check_kind(ctx, details.is_some()),
    );
    let revoked = o.status == "revoked";
    Ok(Verification {
        code: code.grouped(),
        status: o.status.clone(),
        institution: Some(o.institution_name.clone()),
        category: Some(o.category as u8),
        issued_on: Some(o.issued_on.to_string()),
        document_match: sha256.map(|h| h.trim().eq_ignore_ascii_case(&o.document_sha256)),
        document_sha256: Some(o.document_sha256),
        version: Some(o.version),
        revoked_on: if revoked {
            o.revoked_on.map(|d| d.to_string())
        } else {
            None
        },
        revoked_reason: revoked.then_some(o.revoked_reason),
        key_valid,
        details,
        log_leaf_index: v.leaf_idx,
        bundle_url: v
            .leaf_idx
            .map(|_| format!("/api/v1/opinions/{}/bundle", code.grouped())),
        token,
    })
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
/// verification address and the QR code with the signed token. For the issuing institution,
/// regulators in scope and administrators; 503 with the reason when no CJK font is available.
#[utoipa::path(get, path = "/opinions/{code}/label.pdf", tag = "verification", params(("code" = String, Path)),
    responses((status = 200, description = "核验标签 PDF", content_type = "application/pdf"),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn label(
    State(s): State<AppState>,
    crate::auth::ApiUser(a): crate::auth::ApiUser,
    ApiPath(code): ApiPath<String>,
) -> AppResult<Response> {
    a.require(sijian_domain::Action::ViewOpinionRecord)?;
    let code = parse_code(&code)?;
    let v = opinions::verifiable(&s.db, &code)
        .await?
        .ok_or_else(AppError::not_found)?;
    cases::get(&s.db, &a.scope(), v.opinion.case_id).await?;
    let o = &v.opinion;
    let first = first_sha256(&s, o).await?;
    let qr = qr_content(&s, o, &v.licence_no, &first);
    let grouped = code.grouped();
    let address = format!("{}/v/{grouped}", s.cfg.public_url.trim_end_matches('/'));
    let key = grouped_key(&o.verification_key);
    let institution = o.institution_name.clone();
    let bytes = s
        .pdf(move |fonts| {
            crate::documents::render(
                &crate::documents::Card {
                    size: crate::documents::PageSize::Label,
                    title: "鉴定意见书核验标签",
                    subtitle: None,
                    lines: &[
                        ("意见书编码", grouped.as_str()),
                        ("查询校验码", key.as_str()),
                        ("鉴定机构", institution.as_str()),
                        ("核验地址", address.as_str()),
                    ],
                    qr: &qr,
                    qr_caption: Some("扫码核验"),
                    footer: &[
                        "扫码或打开核验地址、输入编码与查询校验码核验本意见书。请勿涂改、撕毁。",
                    ],
                },
                fonts,
            )
        })
        .await?;
    Ok(crate::state::pdf_response(
        bytes,
        &format!("label-{}.pdf", code.as_str()),
    ))
}

/// A verification key in groups of four for reading off paper (`K7Q2-9XWM-4TRP`); it is typed
/// back with or without the dashes (see [`normalise_key`]).
fn grouped_key(key: &str) -> String {
    key.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A typed key: dashes and spaces dropped, upper case.
fn normalise_key(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{3000}'))
        .collect::<String>()
        .to_uppercase()
}
