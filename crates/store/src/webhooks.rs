//! Signed notifications to commissioning organs' systems (webhooks). An organ registers one
//! address (`organ_webhooks`); every step of a case it commissioned queues a notification in
//! `webhook_outbox` in the step's own transaction (`cases::steps`), and the server's worker
//! delivers the queue with retries. Several nodes may run the worker: a row is claimed with a
//! conditional update before it is sent, so only one node sends it at a time.
use crate::db::Args;
use crate::events::{Actor, NewEvent, append};
use crate::list::{ListQuery, Listing, Page};
use crate::scope::{Scoped, predicate};
use crate::{Db, StoreError, args, now_ms};
use serde::Serialize;
use sijian_domain::Scope;

/// `next_at` of a notification that will not be retried (its attempts are used up). It keeps
/// its `last_error`; `due` never returns it.
pub const GIVEN_UP: i64 = i64::MAX;

/// An organ's webhook. The signing secret is stored sealed and never serialised.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Webhook {
    pub organ_id: i64,
    pub url: String,
    /// The signing secret as stored (sealed by the server's data key).
    #[serde(skip)]
    pub sealed_secret: String,
    pub active: bool,
    pub updated_at: i64,
}

/// One queued notification.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub organ_id: i64,
    pub case_id: i64,
    pub event: String,
    /// The JSON text sent as the request body.
    pub body: String,
    /// Delivery attempts made, the successful one included.
    pub attempts: i64,
    /// When the next attempt is due (Unix ms); `GIVEN_UP` when none will be made.
    pub next_at: i64,
    pub delivered_at: Option<i64>,
    /// The last failed attempt's error (kept after a later success).
    pub last_error: String,
    pub created_at: i64,
}

impl OutboxRow {
    /// `delivered`, `given_up` or `pending`.
    pub fn status(&self) -> &'static str {
        if self.delivered_at.is_some() {
            "delivered"
        } else if self.next_at == GIVEN_UP {
            "given_up"
        } else {
            "pending"
        }
    }
}

const WEBHOOK_COLUMNS: &str = "organ_id, url, secret AS sealed_secret, active, updated_at";
const OUTBOX_COLUMNS: &str = "x.id, x.organ_id, x.case_id, x.event, x.body, x.attempts, x.next_at, x.delivered_at, x.last_error, x.created_at";

/// Sets (or replaces) an organ's webhook with a freshly sealed secret, recording
/// `organ.webhook_set` (whose payload never holds the secret). The organ must be in `scope`.
pub async fn set(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    organ_id: i64,
    url: &str,
    sealed_secret: &str,
    active: bool,
) -> Result<Webhook, StoreError> {
    let mut tx = db.begin().await?;
    let mut a = Args::new();
    let idp = a.push(organ_id);
    let pred = predicate(scope, Scoped::Organ, &mut a);
    let (region_path,): (String,) = tx
        .fetch_optional(
            &format!("SELECT o.region_path FROM organs o WHERE o.id = {idp} AND {pred}"),
            a,
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let before: Option<Webhook> = tx
        .fetch_optional(
            &format!("SELECT {WEBHOOK_COLUMNS} FROM organ_webhooks WHERE organ_id = $1"),
            args![organ_id],
        )
        .await?;
    let now = now_ms();
    tx.execute(
        "INSERT INTO organ_webhooks (organ_id, url, secret, active, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (organ_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, active = excluded.active, updated_at = excluded.updated_at",
        args![organ_id, url, sealed_secret, active, now],
    )
    .await?;
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: "organ.webhook_set",
            entity_type: "organ",
            entity_id: organ_id.to_string(),
            scope_path: region_path,
            institution_id: None,
            payload: serde_json::json!({
                "url": url,
                "active": active,
                "secret_rotated": true,
                "before": before.map(|b| serde_json::json!({ "url": b.url, "active": b.active })),
            }),
        },
    )
    .await?;
    let row = tx
        .fetch_optional(
            &format!("SELECT {WEBHOOK_COLUMNS} FROM organ_webhooks WHERE organ_id = $1"),
            args![organ_id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// An organ's webhook, if it has one (unscoped: callers check the organ is in reach).
pub async fn get(db: &Db, organ_id: i64) -> Result<Option<Webhook>, StoreError> {
    db.fetch_optional(
        &format!("SELECT {WEBHOOK_COLUMNS} FROM organ_webhooks WHERE organ_id = $1"),
        args![organ_id],
    )
    .await
}

/// Undelivered notifications due at `now` whose organ's webhook is active, oldest first.
/// Those of an inactive webhook wait until it is active again.
pub async fn due(db: &Db, now: i64, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT {OUTBOX_COLUMNS} FROM webhook_outbox x JOIN organ_webhooks w ON w.organ_id = x.organ_id \
             WHERE x.delivered_at IS NULL AND x.next_at <= $1 AND w.active = $2 ORDER BY x.id LIMIT {}",
            limit.max(1)
        ),
        args![now, true],
    )
    .await
}

/// Claims a due row for one delivery: moves its `next_at` from the value read (`seen_next_at`)
/// to `lease_until`, if no other node did so first. True when this caller holds the row; if
/// the caller dies the row becomes due again at `lease_until`.
pub async fn claim(
    db: &Db,
    id: i64,
    seen_next_at: i64,
    lease_until: i64,
) -> Result<bool, StoreError> {
    let n = db
        .execute(
            "UPDATE webhook_outbox SET next_at = $1 WHERE id = $2 AND next_at = $3 AND delivered_at IS NULL",
            args![lease_until, id, seen_next_at],
        )
        .await?;
    Ok(n == 1)
}

/// Records a successful delivery (counting it as an attempt).
pub async fn mark_delivered(db: &Db, id: i64, now: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE webhook_outbox SET delivered_at = $1, attempts = attempts + 1 WHERE id = $2 AND delivered_at IS NULL",
        args![now, id],
    )
    .await?;
    Ok(())
}

/// Records a failed attempt: the attempts made so far, when to try again (`GIVEN_UP`: never)
/// and why it failed.
pub async fn mark_failed(
    db: &Db,
    id: i64,
    attempts: i64,
    next_at: i64,
    error: &str,
) -> Result<(), StoreError> {
    let error: String = error.chars().take(500).collect();
    db.execute(
        "UPDATE webhook_outbox SET attempts = $1, next_at = $2, last_error = $3 WHERE id = $4 AND delivered_at IS NULL",
        args![attempts, next_at, error, id],
    )
    .await?;
    Ok(())
}

/// Every notification queued for a case, oldest first (for display).
pub async fn outbox_for_case(db: &Db, case_id: i64) -> Result<Vec<OutboxRow>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT {OUTBOX_COLUMNS} FROM webhook_outbox x WHERE x.case_id = $1 ORDER BY x.id"
        ),
        args![case_id],
    )
    .await
}

/// An organ's notifications, newest first.
pub async fn deliveries(
    db: &Db,
    organ_id: i64,
    q: &ListQuery,
) -> Result<Page<OutboxRow>, StoreError> {
    let mut l = Listing::new(OUTBOX_COLUMNS, "webhook_outbox x");
    l.eq("x.organ_id", Some(organ_id));
    let mut q = q.clone();
    q.sort = None;
    q.desc = true;
    l.run(db, &q, &[("id", "x.id")], "x.id").await
}

/// Notifications still to be delivered (given-up ones excluded).
pub async fn pending_count(db: &Db) -> Result<i64, StoreError> {
    db.scalar(
        "SELECT COUNT(*) FROM webhook_outbox WHERE delivered_at IS NULL AND next_at < $1",
        args![GIVEN_UP],
    )
    .await
}
