//! The register: institutions, appraisers and what hangs off them (postings, dated entries,
//! assistants, status history). Every change checks scope and version and writes its event in
//! the same transaction.
mod appraisers;
mod entries;
mod institutions;

pub use appraisers::*;
pub use entries::*;
pub use institutions::*;

use crate::db::{Args, Tx};
use crate::events::Actor;
use crate::{StoreError, args, now_ms};
use serde::Serialize;
use sijian_domain::Category;
use sijian_domain::Scope;
use sijian_domain::classification::Code;

/// `{field: [old, new]}` for every field that differs.
pub fn diff<T: Serialize>(before: &T, after: &T) -> serde_json::Value {
    let b = serde_json::to_value(before).unwrap_or_default();
    let a = serde_json::to_value(after).unwrap_or_default();
    let mut out = serde_json::Map::new();
    if let (Some(bm), Some(am)) = (b.as_object(), a.as_object()) {
        for (k, av) in am {
            let bv = bm.get(k).cloned().unwrap_or(serde_json::Value::Null);
            if &bv != av {
                out.insert(k.clone(), serde_json::json!([bv, av]));
            }
        }
    }
    serde_json::Value::Object(out)
}

/// The codes of a comma-separated scope.
pub fn scope_codes(scope: &str) -> Vec<&str> {
    scope.split(',').filter(|c| !c.is_empty()).collect()
}

/// The category digits a scope touches, comma-separated in order ("1,3").
pub fn categories_of(scope: &str) -> String {
    let mut set: Vec<Category> = scope_codes(scope)
        .into_iter()
        .filter_map(|c| Code::parse(c).ok().map(Code::category))
        .collect();
    set.sort_by_key(|c| c.digit());
    set.dedup();
    Category::format_set(&set)
}

/// SQL condition: the record's scope (rows of `table` keyed by `fk`) overlaps `code`, i.e. it
/// lists the code, one of its ancestors or one of its descendants.
pub(crate) fn scope_overlaps(
    args: &mut Args,
    table: &str,
    fk: &str,
    owner: &str,
    code: &str,
) -> String {
    let Ok(parsed) = Code::parse(code) else {
        return "1 = 0".into();
    };
    let mut ancestors = vec![parsed.to_string()];
    let mut c = parsed;
    while let Some(p) = c.parent() {
        ancestors.push(p.to_string());
        c = p;
    }
    let list: Vec<String> = ancestors.into_iter().map(|a| args.push(a)).collect();
    // Descendants by range ('.' + 1 = '/'), so both engines use the (code, owner) key.
    let lo = args.push(format!("{parsed}."));
    let hi = args.push(format!("{parsed}/"));
    format!(
        "{owner} IN (SELECT s.{fk} FROM {table} s WHERE s.code IN ({}) OR (s.code >= {lo} AND s.code < {hi}))",
        list.join(", ")
    )
}

/// SQL condition: `path_col` lies at or below the region with code `code` (its path range).
pub(crate) fn region_under(args: &mut Args, path_col: &str, code: &str) -> String {
    let p = args.push(code);
    format!(
        "{path_col} >= (SELECT path FROM regions WHERE code = {p}) AND {path_col} < (SELECT substr(path, 1, length(path) - 1) || '0' FROM regions WHERE code = {p})"
    )
}

/// Replaces the scope rows of one record.
pub(crate) async fn write_scope(
    tx: &mut Tx,
    table: &str,
    fk: &str,
    id: i64,
    scope: &str,
) -> Result<(), StoreError> {
    tx.execute(&format!("DELETE FROM {table} WHERE {fk} = $1"), args![id])
        .await?;
    for code in scope_codes(scope) {
        tx.execute(
            &format!("INSERT INTO {table} (code, {fk}) VALUES ($1, $2)"),
            args![code, id],
        )
        .await?;
    }
    Ok(())
}

/// Records a change of status with its reason.
pub(crate) async fn record_status(
    tx: &mut Tx,
    entity_type: &str,
    entity_id: i64,
    from: Option<&str>,
    to: &str,
    reason: &str,
    actor_id: Option<i64>,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO status_changes (entity_type, entity_id, from_status, to_status, reason, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![entity_type, entity_id, from, to, reason, actor_id, now_ms()],
    )
    .await?;
    Ok(())
}

api_row! { status_change_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct StatusChange {
        pub from_status: Option<String>,
        pub to_status: String,
        pub reason: String,
        pub actor_name: Option<String>,
        pub at: i64,
    }
}

/// The status history of one record, newest first. The caller has already checked that the
/// record is in scope.
pub async fn status_history(
    db: &crate::Db,
    entity_type: &str,
    entity_id: i64,
) -> Result<Vec<StatusChange>, StoreError> {
    db.fetch_all(
        "SELECT c.from_status, c.to_status, c.reason, u.display_name AS actor_name, c.at \
         FROM status_changes c LEFT JOIN users u ON u.id = c.actor_id \
         WHERE c.entity_type = $1 AND c.entity_id = $2 ORDER BY c.at DESC, c.id DESC",
        args![entity_type, entity_id],
    )
    .await
}

/// Bulk registration in one transaction (synthetic registers for load tests, migrations from
/// older systems): the same checks and events as one-by-one registration. Returns the new ids.
pub async fn create_institutions_batch(
    db: &crate::Db,
    actor: &crate::Actor,
    rows: &[InstitutionFields],
) -> Result<Vec<i64>, StoreError> {
    let mut tx = db.begin().await?;
    let mut ids = Vec::with_capacity(rows.len());
    for f in rows {
        ids.push(insert_institution(&mut tx, actor, &sijian_domain::Scope::All, f, "").await?);
    }
    tx.commit().await?;
    Ok(ids)
}

/// As [`create_institutions_batch`], for appraisers.
pub async fn create_appraisers_batch(
    db: &crate::Db,
    actor: &crate::Actor,
    rows: &[AppraiserFields],
) -> Result<Vec<i64>, StoreError> {
    let mut tx = db.begin().await?;
    let mut ids = Vec::with_capacity(rows.len());
    for f in rows {
        ids.push(insert_appraiser(&mut tx, actor, &sijian_domain::Scope::All, f, "").await?);
    }
    tx.commit().await?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_follow_the_scope() {
        assert_eq!(categories_of("3.01.02,1.02,1"), "1,3");
        assert_eq!(categories_of(""), "");
    }
}

/// A change to one register entry: who makes it, in which scope, at the version they saw, and
/// why (a status change or a transfer needs a reason).
#[derive(Debug, Clone, Copy)]
pub struct Edit<'a> {
    pub actor: &'a Actor,
    pub scope: &'a Scope,
    pub id: i64,
    pub version: i64,
    pub reason: &'a str,
}
