//! Appraisers (司法鉴定人): registration, practice items, postings (one institution at a time).
use super::Edit;
use super::institutions::{Institution, get_institution};
use super::{
    categories_of, diff, record_status, region_under, scope_codes, scope_overlaps, write_scope,
};
use crate::db::{Exec, Tx};
use crate::events::{Actor, NewEvent, append};
use crate::list::{ListQuery, Listing, Page};
use crate::scope::{Scoped, ScopedRows, predicate};
use crate::{Db, StoreError, args, now_ms};
use serde::{Deserialize, Serialize};
use sijian_domain::Scope;
use sijian_domain::calendar::Date;
use sijian_domain::classification::is_within;

api_row! { appraiser_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Appraiser {
        pub id: i64,
        pub institution_id: i64,
        pub institution_name: String,
        pub region_path: String,
        pub name: String,
        pub gender: String,
        /// YYYY-MM-DD; never shown to the public.
        #[sqlx(try_from = "crate::column::OptText")]
        pub birth_date: Option<Date>,
        /// The resident ID number masked for screens (the number itself is sealed).
        pub id_masked: String,
        /// doctorate | master | bachelor | college | other | "" (not recorded)
        pub education: String,
        pub certificate_no: String,
        /// Practice items: classification codes, comma-separated, within the institution's scope.
        pub scope: String,
        pub categories: String,
        pub title: String,
        pub senior_title: bool,
        pub phone: String,
        pub status: String,
        pub created_at: i64,
        pub updated_at: i64,
        pub version: i64,
    }
}

/// A resident ID number as kept: keyed hash (lookups, uniqueness), sealed value, masked form.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SealedId {
    pub hash: String,
    pub sealed: String,
    pub masked: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AppraiserFields {
    pub institution_id: i64,
    pub name: String,
    pub gender: String,
    pub birth_date: Option<String>,
    /// `None` on a change keeps the number on record.
    pub id_number: Option<SealedId>,
    pub education: String,
    pub certificate_no: String,
    pub scope: String,
    pub title: String,
    pub senior_title: bool,
    pub phone: String,
    pub status: String,
}

impl AppraiserFields {
    /// The fields as written to the event record: the ID number only in masked form.
    pub fn for_record(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["id_number"] = self
            .id_number
            .as_ref()
            .map(|s| serde_json::Value::from(s.masked.clone()))
            .unwrap_or(serde_json::Value::Null);
        v
    }
}

#[derive(Debug, Clone, Default)]
pub struct AppraiserFilter {
    pub status: Option<String>,
    pub category: Option<String>,
    /// A classification code: appraisers whose practice items overlap it.
    pub item: Option<String>,
    pub institution_id: Option<i64>,
    pub senior_title: Option<bool>,
    pub region_code: Option<String>,
}

const APP_SELECT: &str = "a.id, a.institution_id, i.name AS institution_name, i.region_path, a.name, a.gender, a.birth_date, a.id_masked, a.education, \
    a.certificate_no, a.scope, a.categories, a.title, a.senior_title, a.phone, a.status, a.created_at, a.updated_at, a.version";
const APP_FROM: &str = "appraisers a JOIN institutions i ON i.id = a.institution_id";

const APP_SORTS: &[(&str, &str)] = &[
    ("name", "a.name"),
    ("institution", "i.name"),
    ("certificate", "a.certificate_no"),
    ("status", "a.status"),
    ("updated", "a.updated_at"),
];

fn appraiser_listing(scope: &Scope, f: &AppraiserFilter, q: &ListQuery) -> Listing {
    let mut l = Listing::new(APP_SELECT, APP_FROM);
    l.count_from = Some(("i.", "appraisers a"));
    let p = predicate(scope, Scoped::Appraiser, &mut l.args);
    l.push(p);
    l.eq("a.status", f.status.clone());
    l.eq("a.institution_id", f.institution_id);
    l.eq("a.senior_title", f.senior_title);
    if let Some(c) = &f.category {
        let p = l.args.push(format!("%,{c},%"));
        l.push(format!("(',' || a.categories || ',') LIKE {p}"));
    }
    if let Some(code) = &f.item {
        let cond = scope_overlaps(&mut l.args, "appraiser_scope", "appraiser_id", "a.id", code);
        l.push(cond);
    }
    if let Some(code) = &f.region_code {
        let cond = region_under(&mut l.args, "i.region_path", code);
        l.push(cond);
    }
    // Name, title or certificate number; appraisers of one institution are its filter.
    l.search_indexed(
        q.search(),
        "appraiser",
        "a.id",
        "appraisers",
        &["certificate_no"],
        &["a.name", "a.certificate_no", "a.title"],
    );
    l
}

pub async fn list_appraisers(
    db: &Db,
    scope: &Scope,
    f: &AppraiserFilter,
    q: &ListQuery,
) -> Result<Page<Appraiser>, StoreError> {
    appraiser_listing(scope, f, q)
        .run(db, q, APP_SORTS, "a.id")
        .await
}

/// Every matching appraiser (up to 100,000), for exports.
pub async fn list_appraisers_unbounded(
    db: &Db,
    scope: &Scope,
    f: &AppraiserFilter,
    q: &ListQuery,
) -> Result<Vec<Appraiser>, StoreError> {
    appraiser_listing(scope, f, q)
        .run_all(db, q, APP_SORTS, "a.id", 100_000)
        .await
}

impl Appraiser {
    /// The editable fields as they stand (the ID number kept as it is).
    pub fn fields(&self) -> AppraiserFields {
        let a = self.clone();
        AppraiserFields {
            institution_id: a.institution_id,
            name: a.name,
            gender: a.gender,
            birth_date: a.birth_date.map(|d| d.to_string()),
            id_number: None,
            education: a.education,
            certificate_no: a.certificate_no,
            scope: a.scope,
            title: a.title,
            senior_title: a.senior_title,
            phone: a.phone,
            status: a.status,
        }
    }
}

const APP_ROWS: ScopedRows = ScopedRows::new(Scoped::Appraiser, APP_SELECT, APP_FROM, "a.id");

/// One appraiser, if in scope (otherwise `NotFound`); on the pool (`&Db`) or inside a
/// transaction (`&mut Tx`).
pub async fn get_appraiser(
    ex: impl Into<Exec<'_>>,
    scope: &Scope,
    id: i64,
) -> Result<Appraiser, StoreError> {
    APP_ROWS.one(ex, scope, id).await
}

/// `get_appraiser` inside a transaction, as `applications` still calls it.
pub(crate) async fn get_appraiser_in(
    tx: &mut Tx,
    scope: &Scope,
    id: i64,
) -> Result<Appraiser, StoreError> {
    get_appraiser(tx, scope, id).await
}

/// The sealed ID number of an appraiser in scope, for the few who may reveal it.
pub async fn sealed_id_of(db: &Db, scope: &Scope, id: i64) -> Result<Option<String>, StoreError> {
    get_appraiser(db, scope, id).await?;
    db.scalar("SELECT id_sealed FROM appraisers WHERE id = $1", args![id])
        .await
}

/// Who holds an ID number in the register.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdHolder {
    pub id: i64,
    pub institution_name: String,
    pub status: String,
}

/// The appraiser holding an ID number (by its keyed hash), anywhere in the register; on the
/// pool or inside a transaction.
pub async fn appraiser_by_id_hash(
    ex: impl Into<Exec<'_>>,
    hash: &str,
) -> Result<Option<IdHolder>, StoreError> {
    ex.into()
        .fetch_optional(
            "SELECT a.id, i.name AS institution_name, a.status FROM appraisers a JOIN institutions i ON i.id = a.institution_id WHERE a.id_hash = $1",
            args![hash],
        )
        .await
}

/// The institution an appraiser is placed in must be in the actor's scope and its business
/// scope must cover every practice item (执业范围以登记为准，《司法鉴定人登记管理办法》第十一条).
async fn check_placement(
    tx: &mut Tx,
    scope: &Scope,
    f: &AppraiserFields,
) -> Result<Institution, StoreError> {
    let inst = get_institution(&mut *tx, scope, f.institution_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => StoreError::ForeignKey("institution_id".into()),
            e => e,
        })?;
    let allowed = scope_codes(&inst.scope);
    let outside: Vec<&str> = scope_codes(&f.scope)
        .into_iter()
        .filter(|c| !is_within(c, &allowed))
        .collect();
    if !outside.is_empty() {
        return Err(StoreError::Invalid {
            field: "scope".into(),
            message: format!(
                "执业项目 {} 不在所在机构的业务范围之内（执业范围以登记为准，《司法鉴定人登记管理办法》第十一条）",
                outside.join("、")
            ),
        });
    }
    Ok(inst)
}

/// One person, one institution: the same ID number may not be registered twice
/// (《全国人民代表大会常务委员会关于司法鉴定管理问题的决定》第八条).
async fn check_single_institution(
    tx: &mut Tx,
    id_number: &Option<SealedId>,
    except: Option<i64>,
) -> Result<(), StoreError> {
    let Some(sealed) = id_number else {
        return Ok(());
    };
    match appraiser_by_id_hash(&mut *tx, &sealed.hash).await? {
        // The message names no institution: whoever enters a number must not learn where its
        // holder practises (issue 14, point 13).
        Some(IdHolder { id, .. }) if Some(id) != except => Err(StoreError::Invalid {
            field: "id_number".into(),
            message: "该公民身份号码已有鉴定人执业登记；鉴定人应当在一个鉴定机构中从事司法鉴定业务（《全国人民代表大会常务委员会关于司法鉴定管理问题的决定》第八条），请办理变更（转所）而非重复登记".into(),
        }),
        _ => Ok(()),
    }
}

/// Inserts an appraiser inside `tx` (placement, items, first posting, status, event).
pub(crate) async fn insert_appraiser(
    tx: &mut Tx,
    actor: &Actor,
    scope: &Scope,
    f: &AppraiserFields,
    reason: &str,
) -> Result<i64, StoreError> {
    let inst = check_placement(tx, scope, f).await?;
    check_single_institution(tx, &f.id_number, None).await?;
    let now = now_ms();
    let (hash, sealed, masked) = match &f.id_number {
        Some(s) => (
            Some(s.hash.clone()),
            Some(s.sealed.clone()),
            s.masked.clone(),
        ),
        None => (None, None, String::new()),
    };
    let id: i64 = tx
        .scalar(
            "INSERT INTO appraisers (institution_id, name, gender, certificate_no, categories, title, senior_title, phone, status, created_at, updated_at, \
             scope, birth_date, id_hash, id_sealed, id_masked, education) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
            args![f.institution_id, f.name.as_str(), f.gender.as_str(), f.certificate_no.as_str(), categories_of(&f.scope), f.title.as_str(), f.senior_title, f.phone.as_str(), f.status.as_str(), now,
                f.scope.as_str(), f.birth_date.clone(), hash, sealed, masked, f.education.as_str()],
        )
        .await?;
    write_scope(tx, "appraiser_scope", "appraiser_id", id, &f.scope).await?;
    crate::search::write(tx, "appraiser", id, &[&f.name, &f.title]).await?;
    tx.execute(
        "INSERT INTO appraiser_postings (appraiser_id, institution_id, started_at, reason) VALUES ($1, $2, $3, $4)",
        args![id, f.institution_id, now, reason],
    )
    .await?;
    record_status(tx, "appraiser", id, None, &f.status, reason, actor.user_id).await?;
    let mut payload = serde_json::json!({ "fields": f.for_record() });
    if !reason.trim().is_empty() {
        payload["reason"] = reason.trim().into();
    }
    append(
        tx,
        actor,
        NewEvent {
            kind: "appraiser.created",
            entity_type: "appraiser",
            entity_id: id.to_string(),
            scope_path: inst.region_path.clone(),
            institution_id: Some(inst.id),
            payload,
        },
    )
    .await?;
    Ok(id)
}

/// Registers an appraiser directly; `reason` (the basis of the registration) is kept with its
/// status history and its event.
pub async fn create_appraiser(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    f: &AppraiserFields,
    reason: &str,
) -> Result<Appraiser, StoreError> {
    let mut tx = db.begin().await?;
    let id = insert_appraiser(&mut tx, actor, scope, f, reason.trim()).await?;
    let row = get_appraiser(&mut tx, &Scope::All, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Changes an appraiser inside `tx`. A move to another institution is a transfer: the open
/// posting closes and a new one opens, both kept. Status changes and transfers need a reason.
pub(crate) async fn change_appraiser(
    tx: &mut Tx,
    edit: &Edit<'_>,
    f: &AppraiserFields,
    may_change_registration: bool,
) -> Result<Appraiser, StoreError> {
    let Edit {
        actor,
        scope,
        id,
        version: expected_version,
        reason,
    } = *edit;
    let current = get_appraiser(&mut *tx, scope, id).await?;
    if current.version != expected_version {
        return Err(StoreError::Conflict);
    }
    let before = current.fields();
    let transferred = before.institution_id != f.institution_id;
    let status_changed = before.status != f.status;
    if !may_change_registration {
        for (field, changed) in [
            ("institution_id", transferred),
            ("certificate_no", before.certificate_no != f.certificate_no),
            ("status", status_changed),
            ("scope", before.scope != f.scope),
            ("id_number", f.id_number.is_some()),
        ] {
            if changed {
                return Err(StoreError::Forbidden(field.into()));
            }
        }
    }
    if (transferred || status_changed) && reason.trim().is_empty() {
        return Err(StoreError::Invalid {
            field: "status_reason".into(),
            message: if transferred {
                "变更执业机构（转所）须说明理由".into()
            } else {
                "变更执业状态须说明理由".into()
            },
        });
    }
    let inst = check_placement(tx, scope, f).await?;
    check_single_institution(tx, &f.id_number, Some(id)).await?;
    let mut changes = diff(&before.for_record(), &f.for_record());
    if let Some(new_id) = &f.id_number {
        let old_hash: Option<String> = tx
            .scalar("SELECT id_hash FROM appraisers WHERE id = $1", args![id])
            .await?;
        if old_hash.as_deref() == Some(new_id.hash.as_str()) {
            changes.as_object_mut().map(|m| m.remove("id_number"));
        } else {
            changes["id_number"] = serde_json::json!([current.id_masked, new_id.masked]);
        }
    }
    if changes.as_object().is_some_and(|m| m.is_empty()) {
        return Ok(current);
    }
    let now = now_ms();
    let n = tx
        .execute(
            "UPDATE appraisers SET institution_id = $1, name = $2, gender = $3, certificate_no = $4, categories = $5, title = $6, \
             senior_title = $7, phone = $8, status = $9, updated_at = $10, version = version + 1, scope = $13, birth_date = $14, education = $15 \
             WHERE id = $11 AND version = $12",
            args![f.institution_id, f.name.as_str(), f.gender.as_str(), f.certificate_no.as_str(), categories_of(&f.scope), f.title.as_str(), f.senior_title, f.phone.as_str(), f.status.as_str(), now, id, expected_version,
                f.scope.as_str(), f.birth_date.clone(), f.education.as_str()],
        )
        .await?;
    if n != 1 {
        return Err(StoreError::Conflict);
    }
    if let Some(s) = &f.id_number {
        tx.execute(
            "UPDATE appraisers SET id_hash = $1, id_sealed = $2, id_masked = $3 WHERE id = $4",
            args![s.hash.as_str(), s.sealed.as_str(), s.masked.as_str(), id],
        )
        .await?;
    }
    if before.scope != f.scope {
        write_scope(tx, "appraiser_scope", "appraiser_id", id, &f.scope).await?;
    }
    if before.name != f.name || before.title != f.title {
        crate::search::write(tx, "appraiser", id, &[&f.name, &f.title]).await?;
    }
    if transferred {
        tx.execute(
            "UPDATE appraiser_postings SET ended_at = $1 WHERE appraiser_id = $2 AND ended_at IS NULL",
            args![now, id],
        )
        .await?;
        tx.execute(
            "INSERT INTO appraiser_postings (appraiser_id, institution_id, started_at, reason) VALUES ($1, $2, $3, $4)",
            args![id, f.institution_id, now, reason.trim()],
        )
        .await?;
        // The appraiser's own account moves too: it sees the new institution's cases, not the
        // old one's (issue 14, point 13). Its API tokens name the old institution and stop
        // working (their organisation no longer matches).
        tx.execute(
            "UPDATE users SET institution_id = $1, home_path = (SELECT region_path FROM institutions WHERE id = $1), \
             updated_at = $2, version = version + 1 WHERE appraiser_id = $3",
            args![f.institution_id, now, id],
        )
        .await?;
    }
    if status_changed {
        record_status(
            tx,
            "appraiser",
            id,
            Some(&before.status),
            &f.status,
            reason.trim(),
            actor.user_id,
        )
        .await?;
    }
    let mut payload = serde_json::json!({ "changes": changes, "version": expected_version + 1 });
    if !reason.trim().is_empty() {
        payload["reason"] = reason.trim().into();
    }
    append(
        tx,
        actor,
        NewEvent {
            kind: if transferred {
                "appraiser.transferred"
            } else if status_changed {
                "appraiser.status_changed"
            } else {
                "appraiser.updated"
            },
            entity_type: "appraiser",
            entity_id: id.to_string(),
            scope_path: inst.region_path.clone(),
            institution_id: Some(inst.id),
            payload,
        },
    )
    .await?;
    get_appraiser(&mut *tx, &Scope::All, id).await
}

pub async fn update_appraiser(
    db: &Db,
    edit: &Edit<'_>,
    f: &AppraiserFields,
    may_change_registration: bool,
) -> Result<Appraiser, StoreError> {
    let mut tx = db.begin().await?;
    let row = change_appraiser(&mut tx, edit, f, may_change_registration).await?;
    tx.commit().await?;
    Ok(row)
}

/// The ids of the practising (`active`) appraisers of an institution, ascending.
pub async fn active_appraiser_ids(db: &Db, institution_id: i64) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = db
        .fetch_all(
            "SELECT id FROM appraisers WHERE institution_id = $1 AND status = 'active' ORDER BY id",
            args![institution_id],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
