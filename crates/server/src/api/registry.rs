//! Institutions, appraisers and commissioning organs.
use super::schema;
use super::{Paging, nonempty};
use crate::auth::ApiUser;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use sijian_domain::Action;
use sijian_service::inputs::{AppraiserInput, InstitutionInput, OrganInput};
use sijian_store::Page;
use sijian_store::organs::{self, Organ};
use sijian_store::registry::{self, Appraiser, AppraiserFilter, Institution, InstitutionFilter};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InstitutionParams {
    /// normal | suspended | cancelled | revoked
    pub status: Option<String>,
    /// Category digit 1–4.
    pub category: Option<String>,
    /// Classification code (sub-category or item): institutions whose scope overlaps it.
    pub item: Option<String>,
    /// national | provincial | ordinary
    pub qualification_level: Option<String>,
    /// Region code: this region and everything below it.
    pub region: Option<String>,
}

impl InstitutionParams {
    fn filter(&self) -> InstitutionFilter {
        InstitutionFilter {
            status: nonempty(&self.status),
            category: nonempty(&self.category),
            item: nonempty(&self.item),
            region_code: nonempty(&self.region),
            qualification_level: nonempty(&self.qualification_level),
        }
    }
}

/// List institutions in the caller's scope. Sort keys: name, region, status, licence, updated.
#[utoipa::path(get, path = "/institutions", tag = "registry", params(InstitutionParams, Paging),
    responses((status = 200, body = schema::list::Page<schema::institutions::Institution>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list_institutions(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<InstitutionParams>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<Page<Institution>>> {
    a.require(Action::ViewInstitutions)?;
    let f = p.filter();
    Ok(Json(
        registry::list_institutions(&s.db, &a.scope(), &f, &paging.query()).await?,
    ))
}

/// Every institution in scope matching the filters, as CSV (regulators). Up to 100,000 rows.
#[utoipa::path(get, path = "/export/institutions.csv", tag = "registry", params(InstitutionParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn export_institutions(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<InstitutionParams>,
) -> AppResult<axum::response::Response> {
    a.require(Action::ExportRegister)?;
    let f = p.filter();
    let all = sijian_store::ListQuery {
        per_page: 100_000,
        sort: Some("region".into()),
        ..Default::default()
    };
    let page = registry::list_institutions_unbounded(&s.db, &a.scope(), &f, &all).await?;
    let mut csv = crate::csv::Csv::new(&[
        "编号",
        "名称",
        "统一社会信用代码",
        "许可证号",
        "行政区划代码",
        "行政区划",
        "业务类别",
        "业务范围",
        "资质等级",
        "许可证有效期至",
        "法定代表人",
        "机构负责人",
        "住所",
        "联系电话",
        "状态",
        "鉴定人数",
        "版本",
    ]);
    for i in &page {
        let cats = category_names(&i.categories);
        let status = sijian_domain::InstitutionStatus::parse(&i.status)
            .map(|x| x.label_zh())
            .unwrap_or(&i.status);
        csv.row([
            i.id.to_string().as_str(),
            &i.name,
            i.uscc.as_deref().unwrap_or(""),
            &i.licence_no,
            &i.region_code,
            &i.region_name,
            &cats,
            &crate::labels::scope_labels(&i.scope),
            &crate::labels::qualification_label(&i.qualification_level),
            &i.licence_valid_to
                .map(|d| d.to_string())
                .unwrap_or_default(),
            &i.legal_rep,
            &i.head_name,
            &i.address,
            &i.phone,
            status,
            &i.appraiser_count.to_string(),
            &i.version.to_string(),
        ]);
    }
    Ok(csv.into_response("institutions.csv"))
}

/// Every appraiser in scope matching the filters, as CSV (regulators). Up to 100,000 rows.
#[utoipa::path(get, path = "/export/appraisers.csv", tag = "registry", params(AppraiserParams),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn export_appraisers(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<AppraiserParams>,
) -> AppResult<axum::response::Response> {
    a.require(Action::ExportRegister)?;
    let f = p.filter();
    let all = sijian_store::ListQuery {
        per_page: 100_000,
        sort: Some("institution".into()),
        ..Default::default()
    };
    let rows = registry::list_appraisers_unbounded(&s.db, &a.scope(), &f, &all).await?;
    let mut csv = crate::csv::Csv::new(&[
        "编号",
        "姓名",
        "性别",
        "执业证号",
        "所在机构",
        "执业类别",
        "执业项目",
        "专业技术职称",
        "高级职称",
        "状态",
        "版本",
    ]);
    for x in &rows {
        let cats = category_names(&x.categories);
        let gender = if x.gender == "female" { "女" } else { "男" };
        let status = sijian_domain::AppraiserStatus::parse(&x.status)
            .map(|s| s.label_zh())
            .unwrap_or(&x.status);
        csv.row([
            x.id.to_string().as_str(),
            &x.name,
            gender,
            &x.certificate_no,
            &x.institution_name,
            &cats,
            &crate::labels::scope_labels(&x.scope),
            &x.title,
            if x.senior_title { "是" } else { "否" },
            status,
            &x.version.to_string(),
        ]);
    }
    Ok(csv.into_response("appraisers.csv"))
}

fn category_names(set: &str) -> String {
    sijian_domain::Category::parse_set(set)
        .unwrap_or_default()
        .iter()
        .map(|c| c.label_zh())
        .collect::<Vec<_>>()
        .join("、")
}

/// One institution.
#[utoipa::path(get, path = "/institutions/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = schema::institutions::Institution), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get_institution(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Institution>> {
    a.require(Action::ViewInstitutions)?;
    Ok(Json(
        registry::get_institution(&s.db, &a.scope(), id).await?,
    ))
}

/// Register an institution directly: the licensing authority only (provincial regulators within
/// their province, the ministry), naming the basis in `status_reason` (or `reason`); others are
/// refused with 403 `forbidden` naming the rule, a missing basis is 422. Institutions are
/// otherwise registered by approving a licensing application.
#[utoipa::path(post, path = "/institutions", tag = "registry", request_body = InstitutionInput,
    responses((status = 201, body = schema::institutions::Institution), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn create_institution(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(input): ApiJson<InstitutionInput>,
) -> AppResult<(StatusCode, Json<Institution>)> {
    Ok((
        StatusCode::CREATED,
        Json(sijian_service::registry::create_institution(&s, &a, &input).await?),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Versioned<T> {
    /// The version the caller last read; a stale one is refused with 409 `version_conflict`.
    pub version: i64,
    #[serde(flatten)]
    pub changes: T,
}

/// Change an institution. Heads and city or county regulators may change contact details only;
/// registration fields (name, codes, region, categories, status) are for the licensing authority
/// (provincial regulators, the ministry), with a basis in `status_reason` (or `reason`).
#[utoipa::path(patch, path = "/institutions/{id}", tag = "registry", params(("id" = i64, Path)), request_body = Versioned<InstitutionInput>,
    responses((status = 200, body = schema::institutions::Institution), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn update_institution(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Versioned<InstitutionInput>>,
) -> AppResult<Json<Institution>> {
    Ok(Json(
        sijian_service::registry::update_institution(&s, &a, id, body.version, &body.changes)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppraiserParams {
    /// active | suspended | cancelled | revoked
    pub status: Option<String>,
    pub category: Option<String>,
    /// Classification code: appraisers whose practice items overlap it.
    pub item: Option<String>,
    pub institution_id: Option<i64>,
    pub senior_title: Option<bool>,
    /// Region code of the institution: this region and everything below it.
    pub region: Option<String>,
}

impl AppraiserParams {
    fn filter(&self) -> AppraiserFilter {
        AppraiserFilter {
            status: nonempty(&self.status),
            category: nonempty(&self.category),
            item: nonempty(&self.item),
            institution_id: self.institution_id,
            senior_title: self.senior_title,
            region_code: nonempty(&self.region),
        }
    }
}

/// List appraisers in the caller's scope. Sort keys: name, institution, certificate, status, updated.
#[utoipa::path(get, path = "/appraisers", tag = "registry", params(AppraiserParams, Paging),
    responses((status = 200, body = schema::list::Page<schema::appraisers::Appraiser>), (status = 401, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list_appraisers(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<AppraiserParams>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<Page<Appraiser>>> {
    a.require(Action::ViewAppraisers)?;
    let f = p.filter();
    Ok(Json(
        registry::list_appraisers(&s.db, &a.scope(), &f, &paging.query()).await?,
    ))
}

#[utoipa::path(get, path = "/appraisers/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = schema::appraisers::Appraiser), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get_appraiser(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Appraiser>> {
    a.require(Action::ViewAppraisers)?;
    Ok(Json(registry::get_appraiser(&s.db, &a.scope(), id).await?))
}

/// Register an appraiser directly: the licensing authority only (provincial regulators, the
/// ministry), naming the basis in `status_reason` (or `reason`). Institution staff are refused
/// with 403 `forbidden` naming the rule: appraisers are registered by approving a licensing
/// application (执业登记).
#[utoipa::path(post, path = "/appraisers", tag = "registry", request_body = AppraiserInput,
    responses((status = 201, body = schema::appraisers::Appraiser), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn create_appraiser(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(input): ApiJson<AppraiserInput>,
) -> AppResult<(StatusCode, Json<Appraiser>)> {
    Ok((
        StatusCode::CREATED,
        Json(sijian_service::registry::create_appraiser(&s, &a, &input).await?),
    ))
}

/// Change an appraiser. Institution staff and city or county regulators may change contact and
/// personal details (phone, title, education…) only; registration fields (name, ID number,
/// certificate, items, institution, status) are for the licensing authority, with a basis.

#[utoipa::path(patch, path = "/appraisers/{id}", tag = "registry", params(("id" = i64, Path)), request_body = Versioned<AppraiserInput>,
    responses((status = 200, body = schema::appraisers::Appraiser), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn update_appraiser(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Versioned<AppraiserInput>>,
) -> AppResult<Json<Appraiser>> {
    Ok(Json(
        sijian_service::registry::update_appraiser(&s, &a, id, body.version, &body.changes).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganParams {
    /// court | procuratorate | police | other
    pub kind: Option<String>,
}

/// List commissioning organs in scope. Sort keys: name, kind, region.
#[utoipa::path(get, path = "/organs", tag = "registry", params(OrganParams, Paging),
    responses((status = 200, body = schema::list::Page<schema::organs::Organ>), (status = 401, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list_organs(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<OrganParams>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<Page<Organ>>> {
    a.require(Action::ViewOrgans)?;
    Ok(Json(
        organs::list(&s.db, &a.scope(), nonempty(&p.kind), &paging.query()).await?,
    ))
}

#[utoipa::path(get, path = "/organs/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = schema::organs::Organ), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get_organ(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Organ>> {
    a.require(Action::ViewOrgans)?;
    Ok(Json(organs::get(&s.db, &a.scope(), id).await?))
}

#[utoipa::path(post, path = "/organs", tag = "registry", request_body = OrganInput,
    responses((status = 201, body = schema::organs::Organ), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn create_organ(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(input): ApiJson<OrganInput>,
) -> AppResult<(StatusCode, Json<Organ>)> {
    a.require_write(Action::EditOrgans)?;
    Ok((
        StatusCode::CREATED,
        Json(crate::organs::create(&s, &a, &input).await?),
    ))
}

#[utoipa::path(patch, path = "/organs/{id}", tag = "registry", params(("id" = i64, Path)), request_body = Versioned<OrganInput>,
    responses((status = 200, body = schema::organs::Organ), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn update_organ(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Versioned<OrganInput>>,
) -> AppResult<Json<Organ>> {
    a.require_write(Action::EditOrgans)?;
    Ok(Json(
        crate::organs::update(&s, &a, id, body.version, &body.changes).await?,
    ))
}
