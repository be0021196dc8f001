//! The caller's own notifications: list (all or unread), mark one or all read. Each account
//! sees only its own; who is told of what is described in docs/NOTIFICATIONS.md.
use super::Paging;
use crate::auth::ApiUser;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sijian_service::notifications::{self as service, Show};
use sijian_store::notifications::NotificationRow;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationParams {
    /// `unread` for the unread ones only; anything else (or nothing) for all.
    pub show: Option<String>,
}

/// One notification: the event it tells of and the record concerned.
#[derive(Debug, Serialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    /// The event (its proof: `/api/v1/events/{event_id}/proof`).
    pub event_id: i64,
    /// The event's kind, e.g. `case.accepted`.
    pub kind: String,
    /// `commissions`, `case_progress`, `alerts` or `licensing` (what SMS and e-mail are chosen by).
    pub group: String,
    /// `case` or `application`.
    pub entity_type: String,
    pub entity_id: String,
    /// Who made the change.
    pub actor_name: String,
    pub created_at: i64,
    /// When it was marked read; null while unread.
    pub read_at: Option<i64>,
}

impl From<NotificationRow> for Notification {
    fn from(n: NotificationRow) -> Self {
        Notification {
            id: n.id,
            event_id: n.event_id,
            kind: n.kind,
            group: n.grp,
            entity_type: n.entity_type,
            entity_id: n.entity_id,
            actor_name: n.actor_name,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

/// A page of notifications and how many are unread in all.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<Notification>,
    /// Notifications matching `show`.
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    /// The caller's unread notifications.
    pub unread: i64,
}

/// The caller's notifications, newest first (`sort=unread`: the unread first).
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(NotificationParams, Paging),
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<NotificationParams>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<NotificationList>> {
    let show = if p.show.as_deref() == Some("unread") {
        Show::Unread
    } else {
        Show::All
    };
    let page = service::list(&s, &a, show, &paging.query()).await?;
    let unread = service::unread_count(&s, &a).await?;
    Ok(Json(NotificationList {
        items: page.items.into_iter().map(Notification::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        unread,
    }))
}

/// Marks one of the caller's notifications read (already read: unchanged). 404 for another's.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn mark_read(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    service::mark_read(&s, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many notifications were marked read.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    pub marked: u64,
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications",
    responses((status = 200, body = MarkedRead), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn mark_all_read(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> AppResult<Json<MarkedRead>> {
    let marked = service::mark_all_read(&s, &a).await?;
    Ok(Json(MarkedRead { marked }))
}
