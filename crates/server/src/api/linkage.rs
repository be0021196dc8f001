//! Record-linkage alerts (多头、重复鉴定核查): the case's check for its institution, the queue and
//! decisions for regulators.
use super::schema;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use sijian_domain::Action;
use sijian_store::Page;
use sijian_store::linkage::{self as store, Alert, AlertFilter, Decision};
use utoipa::{IntoParams, ToSchema};

use crate::api::{Paging, nonempty};
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use sijian_service::linkage::{CheckResult, Linkage};

/// Checks a case against every examined person and case on the platform (run at commission and
/// acceptance; again on request) and answers with its alerts: `none`, `possible` (with the
/// explanation) or `certain` — to those who may view linkage alerts; a party to the case gets
/// `none` or `referred` without details. A read-only token gets the alerts already recorded, without a new
/// check (a check raises alerts and writes events).
#[utoipa::path(get, path = "/cases/{id}/linkage", tag = "linkage", params(("id" = i64, Path)),
    responses((status = 200, body = CheckResult), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn case_check(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<CheckResult>> {
    a.require(Action::ViewCases)?;
    // In scope, or not found.
    sijian_store::cases::get(&s.db, &a.scope(), id).await?;
    // A read-only token never writes (issue 14, point 3): the stored result, no new check.
    let result = if a.read_only {
        Linkage::stored(&s.db, id).await?
    } else {
        s.linkage.check(&s.db, &s.keys, &a.actor(), id).await?
    };
    // A party to the case learns only whether it was referred (issue 14, point 5).
    Ok(Json(result.seen_by(a.role())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertParams {
    /// open | confirmed | dismissed | overridden
    pub status: Option<String>,
    /// multi_institution | repeated | volume
    pub kind: Option<String>,
    /// Only the alerts of this case.
    pub case: Option<i64>,
}

/// The alert queue in the caller's region. Sort keys: raised (default, newest first), kind,
/// level, status, institution.
#[utoipa::path(get, path = "/linkage/alerts", tag = "linkage", params(AlertParams, Paging),
    responses((status = 200, body = schema::list::Page<schema::linkage::Alert>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<AlertParams>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<Page<Alert>>> {
    a.require(Action::ViewLinkageAlerts)?;
    Ok(Json(
        store::list(&s.db, &a.scope(), &filter(&p)?, &paging.query()).await?,
    ))
}

pub fn filter(p: &AlertParams) -> AppResult<AlertFilter> {
    let status = nonempty(&p.status);
    if let Some(st) = &status
        && !["open", "confirmed", "dismissed", "overridden"].contains(&st.as_str())
    {
        return Err(AppError::field(
            "status",
            "状态应为 open、confirmed、dismissed 或 overridden",
        ));
    }
    let kind = nonempty(&p.kind);
    if let Some(k) = &kind
        && sijian_linkage::cases::Kind::parse(k).is_none()
    {
        return Err(AppError::field(
            "kind",
            "类型应为 multi_institution、repeated 或 volume",
        ));
    }
    Ok(AlertFilter {
        status,
        kind,
        case_id: p.case,
    })
}

/// One alert with its reasons.
#[utoipa::path(get, path = "/linkage/alerts/{id}", tag = "linkage", params(("id" = i64, Path)),
    responses((status = 200, body = schema::linkage::Alert), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<Alert>> {
    a.require(Action::ViewLinkageAlerts)?;
    Ok(Json(store::get(&s.db, &a.scope(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// confirm | dismiss | override (allow acceptance despite a confirmed or certain
    /// multi-institution alert, 通则第十五条第六项)
    pub decision: String,
    /// Why; recorded with the decision.
    pub reason: String,
}

/// A regulator's decision on an alert, recorded as an event.
#[utoipa::path(post, path = "/linkage/alerts/{id}/decision", tag = "linkage", params(("id" = i64, Path)), request_body = DecisionBody,
    responses((status = 200, body = schema::linkage::Alert), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn decide(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecisionBody>,
) -> AppResult<Json<Alert>> {
    a.require_write(Action::DecideLinkageAlert)?;
    // Out of scope is refused before the decision is read.
    store::get(&s.db, &a.scope(), id).await?;
    let d = Decision::parse(&b.decision).ok_or_else(|| {
        AppError::field(
            "decision",
            "决定应为 confirm（确认）、dismiss（排除）或 override（准予受理）",
        )
    })?;
    Ok(Json(
        store::decide(&s.db, &a.actor(), &a.scope(), id, d, &b.reason).await?,
    ))
}
