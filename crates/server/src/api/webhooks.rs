//! A commissioning organ's webhook: where signed notifications about its cases are sent, and
//! what was sent. The organ itself manages its own; regulators and administrators those of
//! organs in their region.
use super::Paging;
use super::schema;
use crate::auth::{ApiUser, Authed, Via};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use sijian_domain::{Action, Role, Scope};
use sijian_store::webhooks::{self as store, OutboxRow};
use sijian_store::{Page, organs};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// `https://` address that receives the POSTs (`http://` only where the administrator set
    /// `webhooks.allow_http`). Addresses that are or resolve to loopback, private, link-local or
    /// other special-purpose addresses are refused unless in `webhooks.allow_networks`. The
    /// server's certificate must chain to a public root or to `webhooks.ca_file`.
    pub url: String,
    /// Whether notifications are queued and sent. Default true.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// The webhook as set, with its new signing secret: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookCreated {
    pub organ_id: i64,
    pub url: String,
    pub active: bool,
    /// The HMAC-SHA256 key for `X-Sijian-Signature` (its UTF-8 bytes). Shown only now; setting
    /// the webhook again replaces it.
    pub secret: String,
    pub updated_at: i64,
}

/// The webhook as it stands (the secret is never shown again).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub organ_id: i64,
    pub url: String,
    pub active: bool,
    pub updated_at: i64,
}

/// One queued notification and how its delivery went.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    /// Also sent as `X-Sijian-Delivery`.
    pub id: i64,
    pub case_id: i64,
    pub event: String,
    /// pending | delivered | given_up
    pub status: String,
    /// Attempts made, the successful one included.
    pub attempts: i64,
    pub delivered_at: Option<i64>,
    /// The last failed attempt's error (kept after a later success).
    pub last_error: String,
    /// When the next attempt is due (Unix ms); null once delivered or given up.
    pub next_at: Option<i64>,
    pub created_at: i64,
}

impl From<OutboxRow> for Delivery {
    fn from(r: OutboxRow) -> Self {
        let status = r.status();
        Delivery {
            id: r.id,
            case_id: r.case_id,
            event: r.event,
            status: status.to_string(),
            attempts: r.attempts,
            delivered_at: r.delivered_at,
            last_error: r.last_error,
            next_at: (status == "pending").then_some(r.next_at),
            created_at: r.created_at,
        }
    }
}

/// The organ itself, or a regulator or administrator with the organ in scope (404 otherwise).
async fn in_reach(s: &AppState, a: &Authed, organ_id: i64, write: bool) -> AppResult<()> {
    if write
        && matches!(
            a.via,
            Via::Token {
                read_only: true,
                ..
            }
        )
    {
        return Err(AppError::read_only_token());
    }
    let own = a.role() == Role::Organ && a.scope() == Scope::Organ(organ_id);
    if !own {
        a.require(Action::EditOrgans)?;
    }
    organs::get(&s.db, &a.scope(), organ_id).await?;
    Ok(())
}

/// Set or replace an organ's webhook. A fresh signing secret is made every time and shown in
/// this response only.
#[utoipa::path(put, path = "/organs/{id}/webhook", tag = "webhooks", params(("id" = i64, Path)), request_body = WebhookInput,
    responses((status = 200, body = WebhookCreated), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn put_webhook(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<WebhookInput>,
) -> AppResult<Json<WebhookCreated>> {
    in_reach(&s, &a, id, true).await?;
    let url = crate::webhooks::check_url(&input.url, &crate::webhooks::Policy::of(&s.cfg.webhooks))
        .await
        .map_err(|m| AppError::field("url", m))?;
    let secret = sijian_service::secrets::random_secret();
    let row = store::set(
        &s.db,
        &a.actor(),
        &a.scope(),
        id,
        &url,
        &s.keys.seal(&secret),
        input.active,
    )
    .await?;
    Ok(Json(WebhookCreated {
        organ_id: row.organ_id,
        url: row.url,
        active: row.active,
        secret,
        updated_at: row.updated_at,
    }))
}

/// An organ's webhook (without its secret); 404 when none is set.
#[utoipa::path(get, path = "/organs/{id}/webhook", tag = "webhooks", params(("id" = i64, Path)),
    responses((status = 200, body = WebhookView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn get_webhook(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<WebhookView>> {
    in_reach(&s, &a, id, false).await?;
    let row = store::get(&s.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(WebhookView {
        organ_id: row.organ_id,
        url: row.url,
        active: row.active,
        updated_at: row.updated_at,
    }))
}

/// An organ's notifications, newest first, with their delivery state.
#[utoipa::path(get, path = "/organs/{id}/webhook/deliveries", tag = "webhooks", params(("id" = i64, Path), Paging),
    responses((status = 200, body = schema::list::Page<Delivery>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn deliveries(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<Page<Delivery>>> {
    in_reach(&s, &a, id, false).await?;
    let p = store::deliveries(&s.db, id, &paging.query()).await?;
    Ok(Json(Page {
        items: p.items.into_iter().map(Delivery::from).collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
        total_capped: p.total_capped,
    }))
}
