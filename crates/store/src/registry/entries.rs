//! What hangs off an appraiser: postings (transfer history), dated entries (training hours,
//! liability insurance, oath) and assistants (鉴定人助理) under a supervising appraiser.
use super::appraisers::get_appraiser;
use crate::events::{Actor, NewEvent, append};
use crate::{Db, StoreError, args, now_ms};
use serde::{Deserialize, Serialize};
use sijian_domain::Scope;

api_row! { posting_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Posting {
        pub institution_id: i64,
        pub institution_name: String,
        pub started_at: i64,
        pub ended_at: Option<i64>,
        pub reason: String,
    }
}

/// Where an appraiser has practised, newest first (the caller has checked scope).
pub async fn postings(db: &Db, appraiser_id: i64) -> Result<Vec<Posting>, StoreError> {
    db.fetch_all(
        "SELECT p.institution_id, i.name AS institution_name, p.started_at, p.ended_at, p.reason \
         FROM appraiser_postings p JOIN institutions i ON i.id = p.institution_id \
         WHERE p.appraiser_id = $1 ORDER BY p.started_at DESC, p.id DESC",
        args![appraiser_id],
    )
    .await
}

/// Kinds of dated entry.
pub const RECORD_KINDS: [&str; 3] = ["training", "insurance", "oath"];

api_row! { record_fields_row:
    #[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
    pub struct RecordFields {
        /// training | insurance | oath
        pub kind: String,
        /// YYYY-MM-DD
        pub on_date: String,
        /// Training hours (training entries only).
        pub hours: Option<i64>,
        pub detail: String,
    }
}

api_row! { record_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct RecordRow {
        pub id: i64,
        pub kind: String,
        #[sqlx(try_from = "crate::column::Text")]
        pub on_date: sijian_domain::calendar::Date,
        pub hours: Option<i64>,
        pub detail: String,
        pub created_at: i64,
    }
}

pub async fn records(db: &Db, appraiser_id: i64) -> Result<Vec<RecordRow>, StoreError> {
    db.fetch_all(
        "SELECT id, kind, on_date, hours, detail, created_at FROM appraiser_records \
         WHERE appraiser_id = $1 ORDER BY on_date DESC, id DESC",
        args![appraiser_id],
    )
    .await
}

/// Training hours per year, for the appraiser page and continuing-education checks.
pub async fn training_hours(db: &Db, appraiser_id: i64) -> Result<Vec<(String, i64)>, StoreError> {
    db.fetch_all(
        "SELECT substr(on_date, 1, 4) AS year, CAST(COALESCE(SUM(hours), 0) AS BIGINT) AS hours FROM appraiser_records \
         WHERE appraiser_id = $1 AND kind = 'training' GROUP BY substr(on_date, 1, 4) ORDER BY 1 DESC",
        args![appraiser_id],
    )
    .await
}

pub async fn add_record(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    appraiser_id: i64,
    f: &RecordFields,
) -> Result<RecordRow, StoreError> {
    let mut tx = db.begin().await?;
    let a = get_appraiser(&mut tx, scope, appraiser_id).await?;
    let id: i64 = tx
        .scalar(
            "INSERT INTO appraiser_records (appraiser_id, kind, on_date, hours, detail, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            args![appraiser_id, f.kind.as_str(), f.on_date.as_str(), f.hours, f.detail.as_str(), actor.user_id, now_ms()],
        )
        .await?;
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: "appraiser.record_added",
            entity_type: "appraiser",
            entity_id: appraiser_id.to_string(),
            scope_path: a.region_path.clone(),
            institution_id: Some(a.institution_id),
            payload: serde_json::json!({ "record": f, "record_id": id }),
        },
    )
    .await?;
    let row = tx
        .fetch_optional(
            "SELECT id, kind, on_date, hours, detail, created_at FROM appraiser_records WHERE id = $1",
            args![id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

api_row! { assistant_fields_row:
    #[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
    pub struct AssistantFields {
        pub name: String,
        /// male | female
        pub gender: String,
        pub education: String,
        /// YYYY-MM-DD
        pub started_on: String,
    }
}

api_row! { assistant_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct AssistantRow {
        pub id: i64,
        pub supervisor_id: i64,
        pub name: String,
        pub gender: String,
        pub education: String,
        #[sqlx(try_from = "crate::column::Text")]
        pub started_on: sijian_domain::calendar::Date,
        #[sqlx(try_from = "crate::column::OptText")]
        pub ended_on: Option<sijian_domain::calendar::Date>,
    }
}

pub async fn assistants(db: &Db, supervisor_id: i64) -> Result<Vec<AssistantRow>, StoreError> {
    db.fetch_all(
        "SELECT id, supervisor_id, name, gender, education, started_on, ended_on FROM assistants \
         WHERE supervisor_id = $1 ORDER BY ended_on IS NOT NULL, started_on DESC, id DESC",
        args![supervisor_id],
    )
    .await
}

/// Adds an assistant under an active appraiser of the same institution.
pub async fn add_assistant(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    supervisor_id: i64,
    f: &AssistantFields,
) -> Result<AssistantRow, StoreError> {
    let mut tx = db.begin().await?;
    let sup = get_appraiser(&mut tx, scope, supervisor_id).await?;
    if sup.status != "active" {
        return Err(StoreError::Invalid {
            field: "supervisor_id".into(),
            message: "只有正常执业的鉴定人可以指导鉴定人助理".into(),
        });
    }
    let id: i64 = tx
        .scalar(
            "INSERT INTO assistants (institution_id, supervisor_id, name, gender, education, started_on, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            args![sup.institution_id, supervisor_id, f.name.as_str(), f.gender.as_str(), f.education.as_str(), f.started_on.as_str(), now_ms()],
        )
        .await?;
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: "assistant.added",
            entity_type: "appraiser",
            entity_id: supervisor_id.to_string(),
            scope_path: sup.region_path.clone(),
            institution_id: Some(sup.institution_id),
            payload: serde_json::json!({ "assistant": f, "assistant_id": id }),
        },
    )
    .await?;
    let row = tx
        .fetch_optional(
            "SELECT id, supervisor_id, name, gender, education, started_on, ended_on FROM assistants WHERE id = $1",
            args![id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}

/// Ends an assistant's placement on a date (kept in the list with its end date).
pub async fn end_assistant(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    supervisor_id: i64,
    assistant_id: i64,
    ended_on: &str,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let sup = get_appraiser(&mut tx, scope, supervisor_id).await?;
    let n = tx
        .execute(
            "UPDATE assistants SET ended_on = $1 WHERE id = $2 AND supervisor_id = $3 AND ended_on IS NULL",
            args![ended_on, assistant_id, supervisor_id],
        )
        .await?;
    if n != 1 {
        return Err(StoreError::NotFound);
    }
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: "assistant.ended",
            entity_type: "appraiser",
            entity_id: supervisor_id.to_string(),
            scope_path: sup.region_path.clone(),
            institution_id: Some(sup.institution_id),
            payload: serde_json::json!({ "assistant_id": assistant_id, "ended_on": ended_on }),
        },
    )
    .await?;
    tx.commit().await
}
