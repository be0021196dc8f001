//! Working-day calendar tables loaded or corrected by an administrator (the shipped years live
//! in the domain crate; a loaded year replaces the shipped one).
use crate::events::{Actor, NewEvent, append};
use crate::{Db, StoreError, args, now_ms};
use serde::Serialize;

api_row! { loaded_year_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct LoadedYear {
        pub year: i64,
        pub source: String,
        /// The table text as loaded (the format of `sijian_domain::calendar`).
        pub body: String,
        pub loaded_by: String,
        pub loaded_at: i64,
        pub version: i64,
    }
}

pub async fn list(db: &Db) -> Result<Vec<LoadedYear>, StoreError> {
    db.fetch_all(
        "SELECT year, source, body, loaded_by, loaded_at, version FROM calendar_years ORDER BY year",
        args![],
    )
    .await
}

/// Loads or replaces one year's table, with its event, in one transaction.
pub async fn put(
    db: &Db,
    actor: &Actor,
    year: i64,
    source: &str,
    body: &str,
) -> Result<LoadedYear, StoreError> {
    let mut tx = db.begin().await?;
    let now = now_ms();
    let version: i64 = tx
        .scalar(
            "INSERT INTO calendar_years (year, source, body, loaded_by, loaded_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (year) DO UPDATE SET source = $2, body = $3, loaded_by = $4, loaded_at = $5, \
             version = calendar_years.version + 1 RETURNING version",
            args![year, source, body, actor.name.as_str(), now],
        )
        .await?;
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: "calendar.loaded",
            entity_type: "calendar",
            entity_id: year.to_string(),
            scope_path: "/".into(),
            institution_id: None,
            payload: serde_json::json!({ "year": year, "source": source, "body": body, "version": version }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(LoadedYear {
        year,
        source: source.into(),
        body: body.into(),
        loaded_by: actor.name.clone(),
        loaded_at: now,
        version,
    })
}
