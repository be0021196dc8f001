//! Electronic licences (电子证照): institution licences and appraiser certificates with GB/T 36904
//! identifiers, data signed with the platform key, a status that follows the register, a public
//! verification page and API like an opinion's, and a printable PDF with the QR code.
use crate::api::verification::TokenCheck;
use crate::auth::Ctx;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::{PageResult, render};
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use sijian_domain::elicence::{self, LicenceKind};
use sijian_domain::identifiers::ElectronicLicenceId;
use sijian_domain::{AppraiserStatus, InstitutionStatus, Scope};
use sijian_ledger::token::{RecordKind, SignedRecord};
use sijian_store::StoreError;
use sijian_store::registry;
use utoipa::{IntoParams, ToSchema};

/// A licence as verification shows it: only the register's public fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LicenceView {
    /// 电子证照标识 (GB/T 36904).
    pub id: String,
    /// institution | appraiser
    pub kind: String,
    /// 司法鉴定许可证 | 司法鉴定人执业证
    pub kind_label: String,
    /// valid | withheld | withdrawn | cancelled | expired | revoked
    pub status: String,
    /// National status code: 01 有效 02 暂扣 03 撤销 04 注销 05 失效 07 吊销.
    pub status_code: String,
    pub status_label: String,
    /// Institution name, or appraiser name.
    pub holder: String,
    /// Licence number (许可证号) or certificate number (执业证号).
    pub number: String,
    /// For an appraiser: the institution they practise at.
    pub institution: Option<String>,
    /// Business scope (classification codes, comma-separated).
    pub scope: String,
    pub valid_to: Option<String>,
    /// 颁发机构代码.
    pub issuer: String,
    /// The register entry's id: `/directory/institutions/{id}` for institutions.
    pub holder_id: i64,
    /// What the licence's QR code holds: `<public_url>/l/<id>?t=<token>`.
    pub qr_content: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LicenceVerification {
    pub id: String,
    /// As `LicenceView.status`, or `not_found`.
    pub status: String,
    pub licence: Option<LicenceView>,
    /// With `t`: the QR token's check.
    pub token: Option<TokenCheck>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LicenceParams {
    /// The signed token from the QR code.
    pub t: Option<String>,
}

fn parse_id(id: &str) -> AppResult<ElectronicLicenceId> {
    ElectronicLicenceId::parse(id).map_err(|e| AppError::bad_request(e.to_string()))
}

/// The record a licence's QR token carries.
fn record(v: &LicenceView) -> SignedRecord {
    SignedRecord::new(
        RecordKind::Licence,
        vec![
            v.id.clone(),
            v.kind.clone(),
            v.holder.clone(),
            v.number.clone(),
            v.valid_to.clone().unwrap_or_else(|| "-".into()),
        ],
    )
    .expect("register fields are single-line and non-empty")
}

/// The licence of `kind` held by register entry `holder_id`, as it stands today.
pub async fn licence_of(
    s: &AppState,
    kind: LicenceKind,
    holder_id: i64,
) -> AppResult<Option<LicenceView>> {
    let id = s
        .licences
        .id_for(kind, holder_id)
        .map_err(|e| AppError::bad_request(e.to_string()))?;
    let today = crate::state::today();
    let institution_licence = |i: &registry::Institution| {
        elicence::institution_status(
            InstitutionStatus::parse(&i.status).unwrap_or(InstitutionStatus::Revoked),
            i.licence_valid_to,
            today,
        )
    };
    let found = match kind {
        LicenceKind::Institution => {
            match registry::get_institution(&s.db, &Scope::All, holder_id).await {
                Ok(i) => Some((
                    institution_licence(&i),
                    i.name.clone(),
                    i.licence_no.clone(),
                    None,
                    i.scope.clone(),
                    i.licence_valid_to.map(|d| d.to_string()),
                )),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            }
        }
        LicenceKind::Appraiser => {
            match registry::get_appraiser(&s.db, &Scope::All, holder_id).await {
                Ok(a) => {
                    let i = registry::get_institution(&s.db, &Scope::All, a.institution_id).await?;
                    let status = elicence::appraiser_status(
                        AppraiserStatus::parse(&a.status).unwrap_or(AppraiserStatus::Revoked),
                        institution_licence(&i),
                    );
                    Some((
                        status,
                        a.name.clone(),
                        a.certificate_no.clone(),
                        Some(i.name.clone()),
                        a.scope.clone(),
                        None,
                    ))
                }
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            }
        }
    };
    let Some((status, holder, number, institution, scope, valid_to)) = found else {
        return Ok(None);
    };
    let mut v = LicenceView {
        id: id.as_str().to_string(),
        kind: kind.as_str().into(),
        kind_label: kind.label_zh().into(),
        status: status.as_str().into(),
        status_code: status.code().into(),
        status_label: status.label_zh().into(),
        holder,
        number,
        institution,
        scope,
        valid_to,
        issuer: s.licences.issuer.as_str().to_string(),
        holder_id,
        qr_content: String::new(),
    };
    let token = record(&v)
        .sign(&s.ledger.signer)
        .expect("the log key is Ed25519");
    v.qr_content = format!(
        "{}/l/{}?t={token}",
        s.cfg.public_url.trim_end_matches('/'),
        v.id
    );
    Ok(Some(v))
}

/// Verifies a licence by its identifier (and the QR token, if given).
pub async fn verification(
    s: &AppState,
    id: &ElectronicLicenceId,
    t: Option<&str>,
) -> AppResult<LicenceVerification> {
    let licence = match s.licences.holder_of(id) {
        Some((kind, holder)) => licence_of(s, kind, holder).await?,
        None => None,
    };
    let expected = licence.as_ref().map(record);
    let token = t.map(|t| {
        TokenCheck::of(
            s,
            t,
            expected.as_ref(),
            "二维码签名有效，但所载内容与当前登记不符（证照信息已变更）：请以平台记录为准",
        )
    });
    Ok(LicenceVerification {
        id: id.as_str().to_string(),
        status: licence
            .as_ref()
            .map(|l| l.status.clone())
            .unwrap_or_else(|| "not_found".into()),
        licence,
        token,
    })
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
    Query(q): Query<LicenceParams>,
) -> PageResult {
    let lang = ctx.lang;
    let mut page = LicencePage {
        lang,
        title: "电子证照核验".into(),
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
            page.error = Some(format!("电子证照标识无效：{e}"));
            return Ok(render(&page));
        }
    };
    let v = verification(&s, &parsed, q.t.as_deref().filter(|t| !t.is_empty()))
        .await
        .map_err(|e| crate::web::page_error(e, lang))?;
    let Some(l) = &v.licence else {
        page.badge = Some(("未找到".into(), "bad"));
        page.error = Some("平台上没有这个电子证照。请核对标识；伪造的证照不会出现在这里。".into());
        return Ok(render(&page));
    };
    page.id = l.id.clone();
    page.badge = Some(badge(&l.status, &l.status_label));
    page.fields = vec![
        ("证照类型".into(), l.kind_label.clone()),
        ("电子证照标识".into(), l.id.clone()),
        ("持证者".into(), l.holder.clone()),
        ("证号".into(), l.number.clone()),
    ];
    if let Some(i) = &l.institution {
        page.fields.push(("执业机构".into(), i.clone()));
    }
    page.fields.push((
        "有效期至".into(),
        l.valid_to.clone().unwrap_or_else(|| "—".into()),
    ));
    page.fields.push((
        "状态".into(),
        format!("{}（{}）", l.status_label, l.status_code),
    ));
    page.fields.push(("颁发机构代码".into(), l.issuer.clone()));
    if let Some(t) = &v.token {
        page.fields.push((
            "二维码签名".into(),
            match &t.reason {
                None => "有效：由平台密钥签发，内容与当前登记一致".into(),
                Some(r) => format!("无效：{r}"),
            },
        ));
    }
    page.qr_svg = crate::documents::qr_svg(&l.qr_content, 176).unwrap_or_default();
    if ctx.authed.is_some() {
        page.pdf_url = Some(format!("/api/v1/licences/{}/licence.pdf", l.id));
    }
    Ok(render(&page))
}

/// The licence as a printable A4 PDF with its QR code, for those who may see the register entry
/// (the holder's institution, regulators in scope); 503 with the reason when no CJK font is
/// available.
#[utoipa::path(get, path = "/licences/{id}/licence.pdf", tag = "verification",
    params(("id" = String, Path, description = "电子证照标识")),
    responses((status = 200, description = "电子证照 PDF", content_type = "application/pdf"),
              (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn licence_pdf(
    State(s): State<AppState>,
    crate::auth::ApiUser(a): crate::auth::ApiUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<axum::response::Response> {
    let id = parse_id(&id)?;
    let (kind, holder) = s.licences.holder_of(&id).ok_or_else(AppError::not_found)?;
    // Only within the caller's reach.
    match kind {
        LicenceKind::Institution => {
            a.require(sijian_domain::Action::ViewInstitutions)?;
            registry::get_institution(&s.db, &a.scope(), holder).await?;
        }
        LicenceKind::Appraiser => {
            a.require(sijian_domain::Action::ViewAppraisers)?;
            registry::get_appraiser(&s.db, &a.scope(), holder).await?;
        }
    }
    let l = licence_of(&s, kind, holder)
        .await?
        .ok_or_else(AppError::not_found)?;
    let title = format!("{}（电子证照）", l.kind_label);
    let scope = crate::web::registry::scope_labels(&l.scope);
    let status = format!("{}（打印时）", l.status_label);
    let valid_to = l.valid_to.clone().unwrap_or_else(|| "—".into());
    let today = crate::state::today().to_string();
    let filename = format!("licence-{}.pdf", l.id);
    let bytes = s
        .pdf(move |fonts| {
            let mut lines: Vec<(&str, &str)> = vec![(
                if kind == LicenceKind::Institution {
                    "机构名称"
                } else {
                    "姓名"
                },
                l.holder.as_str(),
            )];
            lines.push(("电子证照标识", l.id.as_str()));
            lines.push((
                if kind == LicenceKind::Institution {
                    "许可证号"
                } else {
                    "执业证号"
                },
                l.number.as_str(),
            ));
            if let Some(i) = &l.institution {
                lines.push(("执业机构", i.as_str()));
            }
            lines.push(("业务范围", scope.as_str()));
            lines.push(("有效期至", valid_to.as_str()));
            lines.push(("证照状态", status.as_str()));
            lines.push(("颁发机构代码", l.issuer.as_str()));
            lines.push(("打印日期", today.as_str()));
            crate::documents::render(
                &crate::documents::Card {
                    size: crate::documents::PageSize::A4,
                    title: &title,
                    subtitle: Some("依据《司法鉴定机构登记管理办法》《司法鉴定人登记管理办法》登记"),
                    lines: &lines,
                    qr: &l.qr_content,
                    qr_caption: Some("扫码核验证照状态"),
                    footer: &[
                        "证照状态随登记实时变化，以扫码核验结果为准。",
                        "二维码内含平台签名，可离线核验：sijian verify qr '<二维码内容>' --key <平台核验公钥>",
                    ],
                },
                fonts,
            )
        })
        .await?;
    Ok(crate::state::pdf_response(bytes, &filename))
}
