//! An appraiser's practice record (postings, dated entries, assistants), status histories and
//! the classification of practice.
use super::schema;
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use sijian_domain::Action;
use sijian_domain::classification::Classification;
use sijian_service::inputs::{AssistantInput, RecordInput};
use sijian_store::registry::{self, AssistantRow, Posting, RecordRow, StatusChange};
use utoipa::ToSchema;

/// Where an appraiser has practised, newest first (transfers keep every posting).
#[utoipa::path(get, path = "/appraisers/{id}/postings", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<schema::entries::Posting>), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn postings(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vec<Posting>>> {
    a.require(Action::ViewAppraisers)?;
    registry::get_appraiser(&s.db, &a.scope(), id).await?;
    Ok(Json(registry::postings(&s.db, id).await?))
}

/// Training, insurance and oath entries of an appraiser, newest first.
#[utoipa::path(get, path = "/appraisers/{id}/records", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<schema::entries::RecordRow>), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list_records(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vec<RecordRow>>> {
    a.require(Action::ViewAppraisers)?;
    registry::get_appraiser(&s.db, &a.scope(), id).await?;
    Ok(Json(registry::records(&s.db, id).await?))
}

/// Add a dated entry (training with hours, insurance, oath).
#[utoipa::path(post, path = "/appraisers/{id}/records", tag = "registry", params(("id" = i64, Path)), request_body = RecordInput,
    responses((status = 201, body = schema::entries::RecordRow), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn add_record(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RecordInput>,
) -> AppResult<(StatusCode, Json<RecordRow>)> {
    a.require_write(Action::AddAppraiserRecords)?;
    // Out of scope is refused before the input is read.
    registry::get_appraiser(&s.db, &a.scope(), id).await?;
    let f = input.apply().map_err(AppError::validation)?;
    Ok((
        StatusCode::CREATED,
        Json(registry::add_record(&s.db, &a.actor(), &a.scope(), id, &f).await?),
    ))
}

/// Assistants (鉴定人助理) under an appraiser.
#[utoipa::path(get, path = "/appraisers/{id}/assistants", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<schema::entries::AssistantRow>), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list_assistants(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vec<AssistantRow>>> {
    a.require(Action::ViewAppraisers)?;
    registry::get_appraiser(&s.db, &a.scope(), id).await?;
    Ok(Json(registry::assistants(&s.db, id).await?))
}

/// Place an assistant under an active appraiser.
#[utoipa::path(post, path = "/appraisers/{id}/assistants", tag = "registry", params(("id" = i64, Path)), request_body = AssistantInput,
    responses((status = 201, body = schema::entries::AssistantRow), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn add_assistant(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AssistantInput>,
) -> AppResult<(StatusCode, Json<AssistantRow>)> {
    a.require_write(Action::AddAppraiserRecords)?;
    registry::get_appraiser(&s.db, &a.scope(), id).await?;
    let f = input.apply().map_err(AppError::validation)?;
    Ok((
        StatusCode::CREATED,
        Json(registry::add_assistant(&s.db, &a.actor(), &a.scope(), id, &f).await?),
    ))
}

#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndAssistantBody {
    /// YYYY-MM-DD
    pub ended_on: String,
}

/// End an assistant's placement on a date; the entry stays with its end date.
#[utoipa::path(post, path = "/appraisers/{id}/assistants/{assistant_id}/end", tag = "registry",
    params(("id" = i64, Path), ("assistant_id" = i64, Path)), request_body = EndAssistantBody,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn end_assistant(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((id, assistant_id)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<EndAssistantBody>,
) -> AppResult<StatusCode> {
    a.require_write(Action::AddAppraiserRecords)?;
    registry::get_appraiser(&s.db, &a.scope(), id).await?;
    let day = sijian_domain::calendar::Date::parse(b.ended_on.trim())
        .map_err(|e| AppError::field("ended_on", format!("结束日期：{e}（格式 YYYY-MM-DD）")))?;
    registry::end_assistant(
        &s.db,
        &a.actor(),
        &a.scope(),
        id,
        assistant_id,
        &day.to_string(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Status history of an institution (newest first, with reasons).
#[utoipa::path(get, path = "/institutions/{id}/status-history", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<schema::registry::StatusChange>), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn institution_status_history(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vec<StatusChange>>> {
    a.require(Action::ViewInstitutions)?;
    registry::get_institution(&s.db, &a.scope(), id).await?;
    Ok(Json(
        registry::status_history(&s.db, "institution", id).await?,
    ))
}

/// Status history of an appraiser (newest first, with reasons).
#[utoipa::path(get, path = "/appraisers/{id}/status-history", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<schema::registry::StatusChange>), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn appraiser_status_history(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Vec<StatusChange>>> {
    a.require(Action::ViewAppraisers)?;
    registry::get_appraiser(&s.db, &a.scope(), id).await?;
    Ok(Json(
        registry::status_history(&s.db, "appraiser", id).await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassificationEntry {
    /// `C`, `C.SS` or `C.SS.II`; stable across versions.
    pub code: String,
    /// category | sub_category | item
    pub level: String,
    pub parent: Option<String>,
    pub name_zh: String,
    pub name_en: String,
    /// False where the wording still awaits confirmation against the official text.
    pub verified: bool,
    pub retired_in: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassificationDoc {
    pub version: String,
    pub entries: Vec<ClassificationEntry>,
}

/// The classification of practice in force (执业分类): categories, sub-categories and items
/// with their stable codes (public).
#[utoipa::path(get, path = "/classification", tag = "reference",
    responses((status = 200, body = ClassificationDoc)))]
pub async fn classification() -> Json<ClassificationDoc> {
    let c = Classification::current();
    Json(ClassificationDoc {
        version: c.info().id.to_string(),
        entries: c
            .entries()
            .iter()
            .map(|e| ClassificationEntry {
                code: e.code.to_string(),
                level: serde_json::to_value(e.level)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                parent: e.parent.map(|p| p.to_string()),
                name_zh: e.name_zh.to_string(),
                name_en: e.name_en.to_string(),
                verified: e.verified,
                retired_in: e.retired_in.map(str::to_string),
            })
            .collect(),
    })
}
