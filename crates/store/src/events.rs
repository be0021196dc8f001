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

api_row! { event_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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
    Ok(append_many(tx, actor, vec![ev]).await?[0])
}

/// Events per multi-row insert (9 parameters each; see `ledger::ROWS_PER_STATEMENT`).
const EVENTS_PER_STATEMENT: usize = 64;

/// Appends several events inside `tx`, two statements per 64 events (the rows, then their
/// queued commitments). Returns their ids in order.
pub async fn append_many(
    tx: &mut Tx,
    actor: &Actor,
    evs: Vec<NewEvent<'_>>,
) -> Result<Vec<i64>, StoreError> {
    let publics = vec![None; evs.len()];
    insert(tx, actor, evs, publics).await
}

/// Appends an event whose leaf also carries `public`, one line of fields anyone may recompute
/// (an issued opinion's code, document hash, institution and date). Returns its id.
pub async fn append_public(
    tx: &mut Tx,
    actor: &Actor,
    ev: NewEvent<'_>,
    public: &str,
) -> Result<i64, StoreError> {
    Ok(insert(tx, actor, vec![ev], vec![Some(public.to_string())]).await?[0])
}

async fn insert(
    tx: &mut Tx,
    actor: &Actor,
    evs: Vec<NewEvent<'_>>,
    publics: Vec<Option<String>>,
) -> Result<Vec<i64>, StoreError> {
    let at = now_ms();
    let payloads: Vec<String> = evs
        .iter()
        .map(|e| serde_json::to_string(&e.payload).expect("JSON values always serialise"))
        .collect();
    let mut ids = Vec::with_capacity(evs.len());
    for (chunk, texts) in evs
        .chunks(EVENTS_PER_STATEMENT)
        .zip(payloads.chunks(EVENTS_PER_STATEMENT))
    {
        let mut a = crate::Args::new();
        let rows: Vec<String> = chunk
            .iter()
            .zip(texts)
            .map(|(ev, payload)| {
                let p = [
                    a.push(at),
                    a.push(actor.user_id),
                    a.push(actor.name.as_str()),
                    a.push(ev.kind),
                    a.push(ev.entity_type),
                    a.push(ev.entity_id.as_str()),
                    a.push(ev.scope_path.as_str()),
                    a.push(ev.institution_id),
                    a.push(payload.as_str()),
                ];
                format!("({})", p.join(", "))
            })
            .collect();
        let mut got: Vec<(i64,)> = tx
            .fetch_all(
                &format!(
                    "INSERT INTO events (at, actor_id, actor_name, kind, entity_type, entity_id, scope_path, institution_id, payload) \
                     VALUES {} RETURNING id",
                    rows.join(", ")
                ),
                a,
            )
            .await?;
        // Ids come from a rowid or a sequence, so they increase in the order of the rows.
        got.sort_unstable();
        ids.extend(got.into_iter().map(|r| r.0));
    }
    let fields: Vec<crate::ledger::EventFields> = evs
        .iter()
        .zip(&payloads)
        .zip(&ids)
        .zip(&publics)
        .map(
            |(((ev, payload), &id), public)| crate::ledger::EventFields {
                id,
                at,
                actor_id: actor.user_id,
                actor_name: &actor.name,
                kind: ev.kind,
                entity_type: ev.entity_type,
                entity_id: &ev.entity_id,
                scope_path: &ev.scope_path,
                institution_id: ev.institution_id,
                payload,
                public: public.as_deref(),
            },
        )
        .collect();
    crate::ledger::enqueue_many(tx, &fields).await?;
    let told: Vec<crate::notifications::Told> = evs
        .iter()
        .zip(&ids)
        .map(|(ev, &event_id)| crate::notifications::Told {
            event_id,
            kind: ev.kind,
            entity_type: ev.entity_type,
            entity_id: &ev.entity_id,
            scope_path: &ev.scope_path,
            institution_id: ev.institution_id,
            actor_id: actor.user_id,
            at,
        })
        .collect();
    crate::notifications::fan_out(tx, &told).await?;
    Ok(ids)
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub kind: Option<String>,
    /// Leave out the events whose kind starts with this (e.g. `linkage.` for a party to a
    /// case, who may not see the duplicate-appraisal findings).
    pub hide_kind_prefix: Option<&'static str>,
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
    if let Some(prefix) = f.hide_kind_prefix {
        let ph = l.args.push(format!("{prefix}%"));
        l.push(format!("e.kind NOT LIKE {ph}"));
    }
    l.search(q.search(), &["e.actor_name", "e.kind"]);
    let q = q.newest_first(None);
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

/// How many events were recorded.
pub async fn count(db: &Db) -> Result<i64, StoreError> {
    db.scalar("SELECT COUNT(*) FROM events", args![]).await
}
