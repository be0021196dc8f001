//! Paper commissions that name a commissioning organ's account (issue 14, point 6). Institution
//! staff record a commission received on paper and may say which organ's account it came from;
//! the case becomes that organ's (`organ_id`: in its list, its webhook told of every step) only
//! when the organ confirms it. Until then the organ sees the claim and nothing else of the case.
use super::{Case, steps};
use crate::events::{Actor, append};
use crate::list::{ListQuery, Listing, Page};
use crate::{Db, StoreError, args};
use serde::Serialize;
use sijian_domain::Scope;

/// A commission an institution says came from the organ, awaiting the organ's answer.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Claim {
    pub case_id: i64,
    pub institution_name: String,
    /// The client as the institution wrote it.
    pub client_name: String,
    pub case_number: Option<String>,
    /// Item codes, comma-separated.
    pub items: String,
    pub received_on: String,
    pub created_at: i64,
}

const SELECT: &str = "k.id AS case_id, i.name AS institution_name, k.client_name, k.case_number, \
     k.items, k.received_on, k.created_at";
const FROM: &str = "cases k JOIN institutions i ON i.id = k.institution_id";

/// The claims awaiting organ `organ_id`'s answer, newest first by default.
pub async fn pending(db: &Db, organ_id: i64, q: &ListQuery) -> Result<Page<Claim>, StoreError> {
    let mut l = Listing::new(SELECT, FROM);
    l.eq("k.claimed_organ_id", Some(organ_id));
    l.search(q.search(), &["k.client_name", "k.case_number", "i.name"]);
    l.run(
        db,
        q,
        &[
            ("received_on", "k.received_on"),
            ("institution", "i.name"),
            ("created_at", "k.created_at"),
        ],
        "k.id",
    )
    .await
}

/// The claim on case `case_id` awaiting organ `organ_id`, if there is one.
pub async fn get(db: &Db, organ_id: i64, case_id: i64) -> Result<Option<Claim>, StoreError> {
    db.fetch_optional(
        &format!("SELECT {SELECT} FROM {FROM} WHERE k.id = $1 AND k.claimed_organ_id = $2"),
        args![case_id, organ_id],
    )
    .await
}

/// How many claims await organ `organ_id`.
pub async fn count(db: &Db, organ_id: i64) -> Result<i64, StoreError> {
    db.scalar(
        "SELECT COUNT(*) FROM cases WHERE claimed_organ_id = $1",
        args![organ_id],
    )
    .await
}

/// The organ's answer to a claim on case `case_id`: confirmed, the case becomes the organ's
/// (event `case.client_confirmed`, and its webhook is told); declined, the claim is withdrawn
/// (event `case.client_declined`) and the case stays a paper commission. Either way the claim
/// is answered once: a second answer, or one for a case not claimed for this organ, is
/// `NotFound`.
pub async fn answer(
    db: &Db,
    actor: &Actor,
    organ_id: i64,
    case_id: i64,
    confirm: bool,
) -> Result<Case, StoreError> {
    let mut tx = db.begin().await?;
    let changed = tx
        .execute(
            "UPDATE cases SET organ_id = CASE WHEN $1 THEN claimed_organ_id ELSE organ_id END, \
             claimed_organ_id = NULL, updated_at = $2 WHERE id = $3 AND claimed_organ_id = $4",
            args![confirm, crate::now_ms(), case_id, organ_id],
        )
        .await?;
    if changed == 0 {
        return Err(StoreError::NotFound);
    }
    let organ: String = tx
        .scalar("SELECT name FROM organs WHERE id = $1", args![organ_id])
        .await?;
    let c = super::get(&mut tx, &Scope::All, case_id).await?;
    let kind = if confirm {
        "case.client_confirmed"
    } else {
        "case.client_declined"
    };
    let event_id = append(
        &mut tx,
        actor,
        c.event(
            kind,
            serde_json::json!({"organ_id": organ_id, "organ": organ}),
        ),
    )
    .await?;
    if confirm {
        steps::notify(&mut tx, &c, kind, event_id).await?;
    }
    tx.commit().await?;
    Ok(c)
}
