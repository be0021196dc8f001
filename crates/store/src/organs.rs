//! Commissioning organs (办案机关: courts, procuratorates, police, other clients).
use crate::db::Exec;
use crate::events::{Actor, NewEvent, append};
use crate::list::{ListQuery, Listing, Page};
use crate::registry::diff;
use crate::scope::{Scoped, ScopedRows, predicate};
use crate::{Db, StoreError, args, now_ms, regions};
use serde::{Deserialize, Serialize};
use sijian_domain::Scope;

api_row! { organ_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Organ {
        pub id: i64,
        pub name: String,
        #[sqlx(try_from = "crate::column::Text")]
        pub kind: sijian_domain::role::OrganKind,
        pub region_code: String,
        pub region_name: String,
        pub region_path: String,
        pub address: String,
        pub phone: String,
        pub created_at: i64,
        pub updated_at: i64,
        pub version: i64,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OrganFields {
    pub name: String,
    pub kind: String,
    pub region_code: String,
    pub address: String,
    pub phone: String,
}

const SELECT: &str = "o.id, o.name, o.kind, o.region_code, r.name AS region_name, o.region_path, o.address, o.phone, o.created_at, o.updated_at, o.version";
const FROM: &str = "organs o JOIN regions r ON r.code = o.region_code";

pub async fn list(
    db: &Db,
    scope: &Scope,
    kind: Option<String>,
    q: &ListQuery,
) -> Result<Page<Organ>, StoreError> {
    let mut l = Listing::new(SELECT, FROM);
    let p = predicate(scope, Scoped::Organ, &mut l.args);
    l.push(p);
    l.eq("o.kind", kind);
    l.search(q.search(), &["o.name", "r.name"]);
    l.run(
        db,
        q,
        &[
            ("name", "o.name"),
            ("kind", "o.kind"),
            ("region", "o.region_code"),
        ],
        "o.id",
    )
    .await
}

impl Organ {
    /// The editable fields as they stand.
    pub fn fields(&self) -> OrganFields {
        OrganFields {
            name: self.name.clone(),
            kind: self.kind.as_str().to_string(),
            region_code: self.region_code.clone(),
            address: self.address.clone(),
            phone: self.phone.clone(),
        }
    }
}

const ROWS: ScopedRows = ScopedRows::new(Scoped::Organ, SELECT, FROM, "o.id");

/// One case-handling organ, if in scope (otherwise `NotFound`); on the pool (`&Db`) or inside a
/// transaction (`&mut Tx`).
pub async fn get(ex: impl Into<Exec<'_>>, scope: &Scope, id: i64) -> Result<Organ, StoreError> {
    ROWS.one(ex, scope, id).await
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    f: &OrganFields,
) -> Result<Organ, StoreError> {
    let mut tx = db.begin().await?;
    let path = regions::placed_path(&mut tx, scope, &f.region_code).await?;
    let now = now_ms();
    let id: i64 = tx
        .scalar(
            "INSERT INTO organs (name, kind, region_code, region_path, address, phone, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            args![f.name.as_str(), f.kind.as_str(), f.region_code.as_str(), path.as_str(), f.address.as_str(), f.phone.as_str(), now],
        )
        .await?;
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: "organ.created",
            entity_type: "organ",
            entity_id: id.to_string(),
            scope_path: path,
            institution_id: None,
            payload: serde_json::json!({ "fields": f }),
        },
    )
    .await?;
    let row = get(&mut tx, &Scope::All, id).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    f: &OrganFields,
) -> Result<Organ, StoreError> {
    let mut tx = db.begin().await?;
    let cur = get(&mut tx, scope, id).await?;
    if cur.version != version {
        return Err(StoreError::Conflict);
    }
    let before = cur.fields();
    let changes = diff(&before, f);
    if changes.as_object().is_some_and(|m| m.is_empty()) {
        tx.commit().await?;
        return Ok(cur);
    }
    let path = if f.region_code == cur.region_code {
        cur.region_path.clone()
    } else {
        regions::placed_path(&mut tx, scope, &f.region_code).await?
    };
    let n = tx
        .execute(
            "UPDATE organs SET name = $1, kind = $2, region_code = $3, region_path = $4, address = $5, phone = $6, updated_at = $7, version = version + 1 \
             WHERE id = $8 AND version = $9",
            args![f.name.as_str(), f.kind.as_str(), f.region_code.as_str(), path.as_str(), f.address.as_str(), f.phone.as_str(), now_ms(), id, version],
        )
        .await?;
    if n != 1 {
        return Err(StoreError::Conflict);
    }
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: "organ.updated",
            entity_type: "organ",
            entity_id: id.to_string(),
            scope_path: path,
            institution_id: None,
            payload: serde_json::json!({ "changes": changes, "version": version + 1 }),
        },
    )
    .await?;
    let row = get(&mut tx, &Scope::All, id).await?;
    tx.commit().await?;
    Ok(row)
}
