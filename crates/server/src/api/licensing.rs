//! Online licensing (网上审批) over JSON: submit, material check, expert review, extension,
//! decision, withdrawal, resubmission; the expert list.
use super::schema;
use super::{Paging, nonempty};
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sijian_domain::Action;
use sijian_domain::licensing::ApplicationCommand;
use sijian_service::licensing::{ClockView, SubmitBody, clock, decode_attachments, prepare};
use sijian_store::applications::{
    self, Application, ApplicationFilter, Attachment, Expert, NewExpert, ReviewRow,
};
use sijian_store::list::Page;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationItem {
    #[serde(flatten)]
    #[schema(value_type = schema::applications::Application)]
    pub application: Application,
    pub clock: ClockView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationDetail {
    #[serde(flatten)]
    #[schema(value_type = schema::applications::Application)]
    pub application: Application,
    pub clock: ClockView,
    #[schema(value_type = Vec<schema::applications::Attachment>)]
    pub attachments: Vec<Attachment>,
    #[schema(value_type = Vec<schema::applications::ReviewRow>)]
    pub reviews: Vec<ReviewRow>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApplicationParams {
    /// submitted | returned | accepted | approved | refused | withdrawn
    pub stage: Option<String>,
    pub kind: Option<String>,
    /// Only applications still being handled.
    pub open: Option<bool>,
}

async fn with_clock(s: &AppState, app: Application) -> AppResult<ApplicationItem> {
    let cal = s.calendar.current(&s.db).await?;
    let clock = clock(s, &cal, &app);
    Ok(ApplicationItem {
        application: app,
        clock,
    })
}

async fn detail(s: &AppState, app: Application) -> AppResult<ApplicationDetail> {
    let attachments = applications::attachments(&s.db, app.id).await?;
    let reviews = applications::reviews(&s.db, app.id).await?;
    let item = with_clock(s, app).await?;
    Ok(ApplicationDetail {
        application: item.application,
        clock: item.clock,
        attachments,
        reviews,
    })
}

/// Applications in the caller's scope, each with its statutory clock. Sort keys: submitted,
/// stage, kind, subject, updated.
#[utoipa::path(get, path = "/applications", tag = "licensing", params(ApplicationParams, Paging),
    responses((status = 200, body = schema::list::Page<ApplicationItem>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<ApplicationParams>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<Page<ApplicationItem>>> {
    a.require(Action::ViewApplications)?;
    let f = ApplicationFilter {
        stage: nonempty(&p.stage),
        kind: nonempty(&p.kind),
        open: p.open.unwrap_or(false),
    };
    let page = applications::list(&s.db, &a.scope(), &f, &paging.query()).await?;
    let cal = s.calendar.current(&s.db).await?;
    Ok(Json(Page {
        items: page
            .items
            .into_iter()
            .map(|app| {
                let clock = clock(&s, &cal, &app);
                ApplicationItem {
                    application: app,
                    clock,
                }
            })
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        total_capped: page.total_capped,
    }))
}

/// File an application. Eligibility is checked at once and every unmet condition is named with
/// its rule; nothing is stored unless all hold.
#[utoipa::path(post, path = "/applications", tag = "licensing", request_body = SubmitBody,
    responses((status = 201, body = ApplicationDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn submit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(body): ApiJson<SubmitBody>,
) -> AppResult<(StatusCode, Json<ApplicationDetail>)> {
    let app = sijian_service::licensing::submit(&s, &a, &body).await?;
    Ok((StatusCode::CREATED, Json(detail(&s, app).await?)))
}

#[utoipa::path(get, path = "/applications/{id}", tag = "licensing", params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationDetail), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<ApplicationDetail>> {
    a.require(Action::ViewApplications)?;
    let app = applications::get(&s.db, &a.scope(), id).await?;
    Ok(Json(detail(&s, app).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    pub version: i64,
    /// true: materials complete, accept (受理); false: return for correction.
    pub complete: bool,
    /// Everything to correct, at once (required when returning).
    #[serde(default)]
    pub reasons: String,
}

/// Material check (形式审查): accept, or return for correction naming everything at once
/// (《行政许可法》第三十二条).
#[utoipa::path(post, path = "/applications/{id}/check", tag = "licensing", params(("id" = i64, Path)), request_body = CheckBody,
    responses((status = 200, body = ApplicationDetail), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn check_materials(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CheckBody>,
) -> AppResult<Json<ApplicationDetail>> {
    a.require_write(Action::HandleApplication)?;
    let command = ApplicationCommand::CheckMaterials {
        complete: b.complete,
        reasons: b.reasons,
    };
    let app = sijian_service::licensing::step(&s, &a, id, Some(b.version), command, &[]).await?;
    Ok(Json(detail(&s, app).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResubmitBody {
    pub version: i64,
    /// Corrected proposal (same shape as on submission); left out keeps the proposal.
    pub institution: Option<sijian_service::inputs::InstitutionInput>,
    pub appraiser: Option<sijian_service::inputs::AppraiserInput>,
    #[serde(default)]
    pub declarations: Option<sijian_service::licensing::Declarations>,
    #[serde(default)]
    pub attachments: Vec<sijian_service::licensing::AttachmentInput>,
}

/// The applicant sends a returned application back, corrected.
#[utoipa::path(post, path = "/applications/{id}/resubmit", tag = "licensing", params(("id" = i64, Path)), request_body = ResubmitBody,
    responses((status = 200, body = ApplicationDetail), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn resubmit(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ResubmitBody>,
) -> AppResult<Json<ApplicationDetail>> {
    a.require_write(Action::SubmitApplication)?;
    let current = applications::get(&s.db, &a.scope(), id).await?;
    let files = decode_attachments(&b.attachments)?;
    let proposal = if b.institution.is_some() || b.appraiser.is_some() || b.declarations.is_some() {
        let body = SubmitBody {
            kind: current.kind.as_str().to_string(),
            institution_id: current.institution_id,
            appraiser_id: current.appraiser_id,
            institution: b.institution.clone(),
            appraiser: b.appraiser.clone(),
            declarations: b.declarations.clone().unwrap_or_default(),
            reason: None,
            attachments: b.attachments.clone(),
        };
        Some(prepare(&s, &a, &body).await?.proposal)
    } else {
        None
    };
    let command = ApplicationCommand::Resubmit {
        proposal: proposal.map(|p| p.to_json()),
        files: Vec::new(),
    };
    let app = sijian_service::licensing::step(&s, &a, id, Some(b.version), command, &files).await?;
    Ok(Json(detail(&s, app).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationVersionBody {
    pub version: i64,
    #[serde(default)]
    pub reasons: String,
}

/// The applicant withdraws an open application.
#[utoipa::path(post, path = "/applications/{id}/withdraw", tag = "licensing", params(("id" = i64, Path)), request_body = ApplicationVersionBody,
    responses((status = 200, body = ApplicationDetail), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn withdraw(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ApplicationVersionBody>,
) -> AppResult<Json<ApplicationDetail>> {
    a.require_write(Action::SubmitApplication)?;
    let command = ApplicationCommand::Withdraw;
    let app = sijian_service::licensing::step(&s, &a, id, Some(b.version), command, &[]).await?;
    Ok(Json(detail(&s, app).await?))
}

/// Extend the decision period once by the configured working days (《行政许可法》第四十二条).
#[utoipa::path(post, path = "/applications/{id}/extend", tag = "licensing", params(("id" = i64, Path)), request_body = ApplicationVersionBody,
    responses((status = 200, body = ApplicationDetail), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn extend(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ApplicationVersionBody>,
) -> AppResult<Json<ApplicationDetail>> {
    a.require_write(Action::HandleApplication)?;
    let command = ApplicationCommand::Extend { reasons: b.reasons };
    let app = sijian_service::licensing::step(&s, &a, id, Some(b.version), command, &[]).await?;
    Ok(Json(detail(&s, app).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpertReviewBody {
    pub expert_id: i64,
    /// 0–100
    pub score: u32,
    pub recommend: bool,
    #[serde(default)]
    pub comment: String,
}

/// Record one expert's review (score and comment).
#[utoipa::path(post, path = "/applications/{id}/reviews", tag = "licensing", params(("id" = i64, Path)), request_body = ExpertReviewBody,
    responses((status = 200, body = ApplicationDetail), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn add_review(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ExpertReviewBody>,
) -> AppResult<Json<ApplicationDetail>> {
    a.require_write(Action::HandleApplication)?;
    if b.comment.chars().count() > 2000 {
        return Err(AppError::field("comment", "评审意见不超过 2000 字"));
    }
    let command = ApplicationCommand::AddReview {
        expert_id: b.expert_id,
        score: b.score,
        recommend: b.recommend,
        comment: b.comment,
    };
    let app = sijian_service::licensing::step(&s, &a, id, None, command, &[]).await?;
    Ok(Json(detail(&s, app).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    pub version: i64,
    pub approve: bool,
    /// Required when refusing (《行政许可法》第三十八条第二款).
    #[serde(default)]
    pub reasons: String,
}

/// Approve (the register changes in the same transaction) or refuse with reasons. Provincial
/// regulators and the ministry only, for applications in their region.
#[utoipa::path(post, path = "/applications/{id}/decide", tag = "licensing", params(("id" = i64, Path)), request_body = DecideBody,
    responses((status = 200, body = ApplicationDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn decide(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecideBody>,
) -> AppResult<Json<ApplicationDetail>> {
    a.require_write(Action::DecideApplication)?;
    let visible = applications::get(&s.db, &a.scope(), id).await;
    let app = match visible {
        Ok(app) => app,
        Err(sijian_store::StoreError::NotFound) => {
            // Exists elsewhere: say why without showing it.
            if applications::get(&s.db, &sijian_domain::Scope::All, id)
                .await
                .is_ok()
            {
                let mut e = AppError::forbidden();
                e.message = "该申请不在您的管辖区域内，不能作出决定（登记由申请所在地的省级司法行政机关作出）".into();
                return Err(e);
            }
            return Err(AppError::not_found());
        }
        Err(e) => return Err(e.into()),
    };
    let command = ApplicationCommand::Decide {
        approve: b.approve,
        reasons: b.reasons,
    };
    let app =
        sijian_service::licensing::step(&s, &a, app.id, Some(b.version), command, &[]).await?;
    Ok(Json(detail(&s, app).await?))
}

/// One attachment's content.
#[utoipa::path(get, path = "/applications/{id}/attachments/{attachment_id}", tag = "licensing",
    params(("id" = i64, Path), ("attachment_id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn attachment(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath((id, attachment_id)): ApiPath<(i64, i64)>,
) -> AppResult<axum::response::Response> {
    a.require(Action::ViewApplications)?;
    let (name, content_type, data) =
        applications::attachment_data(&s.db, &a.scope(), id, attachment_id).await?;
    Ok(crate::responses::download(&name, content_type, data))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpertBody {
    pub name: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub title: String,
    /// Classification codes the expert reviews, comma-separated.
    #[serde(default)]
    pub speciality: String,
    /// The region whose list the expert joins (within the caller's scope).
    pub region_code: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExpertParams {
    /// Region code: experts whose list reaches this region. Default: the caller's own region.
    pub region: Option<String>,
}

/// Experts available to review applications of a region (its own list and those above it).
#[utoipa::path(get, path = "/experts", tag = "licensing", params(ExpertParams),
    responses((status = 200, body = Vec<schema::applications::Expert>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list_experts(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<ExpertParams>,
) -> AppResult<Json<Vec<Expert>>> {
    a.require(Action::HandleApplication)?;
    let path = match nonempty(&p.region) {
        Some(code) => sijian_store::regions::get(&s.db, &code).await?.path,
        None => a.user.home_path.clone(),
    };
    Ok(Json(applications::experts_for(&s.db, &path).await?))
}

/// Add an expert to a region's list.
#[utoipa::path(post, path = "/experts", tag = "licensing", request_body = ExpertBody,
    responses((status = 201, body = schema::applications::Expert), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn add_expert(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(b): ApiJson<ExpertBody>,
) -> AppResult<(StatusCode, Json<Expert>)> {
    a.require_write(Action::ManageExperts)?;
    let mut p = sijian_domain::Problems::default();
    let name = p.required("name", "姓名", &b.name, 50);
    let organisation = p.optional("organisation", "工作单位", &b.organisation, 100);
    let title = p.optional("title", "职称", &b.title, 50);
    let speciality = p.optional("speciality", "专业领域", &b.speciality, 200);
    let e = p
        .into_result(NewExpert {
            name,
            organisation,
            title,
            speciality,
            region_code: b.region_code.trim().to_string(),
        })
        .map_err(AppError::validation)?;
    Ok((
        StatusCode::CREATED,
        Json(applications::add_expert(&s.db, &a.actor(), &a.scope(), &e).await?),
    ))
}
