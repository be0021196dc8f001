//! The event record, the operations and login logs, and reference data.
use super::schema;
use super::{Paging, nonempty};
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use sijian_domain::Action;
use sijian_store::Page;
use sijian_store::events::{self, EventFilter, EventRow};
use sijian_store::logs::{self, LoginLogRow, OpLogRow};
use sijian_store::regions::{self, Region};
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// institution | appraiser | organ | user
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub kind: Option<String>,
}

/// Recorded events in scope, newest first. Sort keys: at, kind, actor.
#[utoipa::path(get, path = "/events", tag = "records", params(EventParams, Paging),
    responses((status = 200, body = schema::list::Page<schema::events::EventRow>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list_events(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<EventParams>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<Page<EventRow>>> {
    a.require(Action::ViewEvents)?;
    let f = EventFilter {
        entity_type: nonempty(&p.entity_type),
        entity_id: nonempty(&p.entity_id),
        kind: nonempty(&p.kind),
        hide_kind_prefix: None,
    };
    Ok(Json(
        events::list(&s.db, &a.scope(), &f, &paging.query()).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogParams {
    /// Operations: ok | denied | not_found | refused | error. Logins: ok | bad_password | unknown_user | locked | disabled | throttled | pending (checking, or never completed).
    pub result: Option<String>,
}

/// The operations log in scope, newest first. Sort keys: at, user, action, status.
#[utoipa::path(get, path = "/logs/operations", tag = "records", params(LogParams, Paging),
    responses((status = 200, body = schema::list::Page<schema::logs::OpLogRow>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list_operations(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<LogParams>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<Page<OpLogRow>>> {
    a.require(Action::ViewOperationLog)?;
    Ok(Json(
        logs::list_ops(&s.db, &a.scope(), nonempty(&p.result), &paging.query()).await?,
    ))
}

/// The login log in scope, newest first. Sort keys: at, user, result.
#[utoipa::path(get, path = "/logs/logins", tag = "records", params(LogParams, Paging),
    responses((status = 200, body = schema::list::Page<schema::logs::LoginLogRow>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list_logins(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<LogParams>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<Page<LoginLogRow>>> {
    a.require(Action::ViewLoginLog)?;
    Ok(Json(
        logs::list_logins(&s.db, &a.scope(), nonempty(&p.result), &paging.query()).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionParams {
    /// Only regions at or below this code.
    pub under: Option<String>,
    /// Also regions no longer in use (renamed, merged, abolished), with their validity dates.
    #[serde(default)]
    pub history: bool,
}

/// Administrative regions (GB/T 2260): in use, or with `history=true` also those with a `valid_to`.
#[utoipa::path(get, path = "/regions", tag = "reference", params(RegionParams),
    responses((status = 200, body = Vec<schema::regions::Region>), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list_regions(
    State(s): State<AppState>,
    ApiUser(_a): ApiUser,
    ApiQuery(p): ApiQuery<RegionParams>,
) -> AppResult<Json<Vec<Region>>> {
    let under = match nonempty(&p.under) {
        Some(code) => Some(
            regions::get(&s.db, &code)
                .await
                .map_err(|_| AppError::field("under", "行政区划代码不存在"))?
                .path,
        ),
        None => None,
    };
    Ok(Json(
        regions::list(&s.db, under.as_deref(), p.history).await?,
    ))
}
