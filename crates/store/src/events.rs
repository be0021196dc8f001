//! The append-only event record: one row for every change, written in the change's own
//! transaction. The payload is stored as the exact JSON text written (keys sorted), so a
//! commitment computed over it later is reproducible.
use crate::db::Tx;
use crate::list::{ListQuery, Listing, Page};
use crate::scope::{Scoped, predicate};
use crate::{Db, StoreError, args, now_ms};
use serde::Serialize;
use sijian_domain::Scope;

/// Who made a change (None for the system itself, e.g. demo loading or the CLI).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn system(name: &str) -> Self {
        Actor {
            user_id: None,
            name: name.to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    /// Region path of the record, so regulators see events in their region.
    pub scope_path: String,
    pub institution_id: Option<i64>,
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EventRow {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub kind: String,
    pub entity_type: String,
    pub entity_id: String,
    pub scope_path: String,
    pub institution_id: Option<i64>,
    /// The JSON text exactly as recorded.
    pub payload: String,
    /// Its leaf in the log once integrated; null while queued (待入账).
    pub leaf_idx: Option<i64>,
}

const COLUMNS: &str = "e.id, e.at, e.actor_id, e.actor_name, e.kind, e.entity_type, e.entity_id, e.scope_path, e.institution_id, e.payload, l.idx AS leaf_idx";
const FROM: &str = "events e LEFT JOIN ledger_leaves l ON l.event_id = e.id";

/// One event, if it is in the caller's scope.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Option<EventRow>, StoreError> {
    let mut args = args![id];
    let p = predicate(scope, Scoped::Event, &mut args);
    db.fetch_optional(
        &format!("SELECT {COLUMNS} FROM {FROM} WHERE e.id = $1 AND {p}"),
        args,
    )
    .await
}

/// Appends an event inside `tx`, with its commitment queued for the log in the same
/// transaction. Returns its id.
pub async fn append(tx: &mut Tx, actor: &Actor, ev: NewEvent<'_>) -> Result<i64, StoreError> {
    let payload = serde_json::to_string(&ev.payload).expect("JSON values always serialise");
    let at = now_ms();
    let id: i64 = tx
        .scalar(
            "INSERT INTO events (at, actor_id, actor_name, kind, entity_type, entity_id, scope_path, institution_id, payload) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            args![at, actor.user_id, actor.name.as_str(), ev.kind, ev.entity_type, ev.entity_id.as_str(), ev.scope_path.as_str(), ev.institution_id, payload.as_str()],
        )
        .await?;
    let fields = crate::ledger::EventFields {
        id,
        at,
        actor_id: actor.user_id,
        actor_name: &actor.name,
        kind: ev.kind,
        entity_type: ev.entity_type,
        entity_id: &ev.entity_id,
        scope_path: &ev.scope_path,
        institution_id: ev.institution_id,
        payload: &payload,
    };
    crate::ledger::enqueue(tx, &fields).await?;
    Ok(id)
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub kind: Option<String>,
}

pub async fn list(
    db: &Db,
    scope: &Scope,
    f: &EventFilter,
    q: &ListQuery,
) -> Result<Page<EventRow>, StoreError> {
    let mut l = Listing::new(COLUMNS, FROM);
    l.count_from = Some(("l.", "events e"));
    let p = predicate(scope, Scoped::Event, &mut l.args);
    l.push(p);
    l.eq("e.entity_type", f.entity_type.clone());
    l.eq("e.entity_id", f.entity_id.clone());
    l.eq("e.kind", f.kind.clone());
    l.search(q.search(), &["e.actor_name", "e.kind"]);
    let mut q = q.clone();
    if q.sort.is_none() {
        q.desc = true;
    }
    l.run(
        db,
        &q,
        &[
            ("at", "e.at"),
            ("kind", "e.kind"),
            ("actor", "e.actor_name"),
        ],
        "e.id",
    )
    .await
}
