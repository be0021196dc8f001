//! Institutions and appraisers: the register as far as the platform foundation needs it.
//! Every change checks scope and version and writes its event in the same transaction.
use crate::db::{Args, Tx};
use crate::events::{Actor, NewEvent, append};
use crate::list::{ListQuery, Listing, Page};
use crate::scope::{Scoped, predicate};
use crate::{Db, StoreError, args, now_ms, regions};
use serde::{Deserialize, Serialize};
use sijian_domain::Scope;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Institution {
    pub id: i64,
    pub name: String,
    pub uscc: Option<String>,
    /// Why a credit code that fails its check characters was accepted (known pilot codes).
    pub uscc_override: Option<String>,
    pub licence_no: String,
    pub region_code: String,
    pub region_name: String,
    pub region_path: String,
    /// Category digits, comma-separated (1 法医 2 物证 3 声像资料 4 环境损害).
    pub categories: String,
    pub legal_rep: String,
    pub head_name: String,
    pub address: String,
    pub phone: String,
    pub status: String,
    pub appraiser_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

/// Validated fields of an institution, as written.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InstitutionFields {
    pub name: String,
    pub uscc: Option<String>,
    pub uscc_override: Option<String>,
    pub licence_no: String,
    pub region_code: String,
    pub categories: String,
    pub legal_rep: String,
    pub head_name: String,
    pub address: String,
    pub phone: String,
    pub status: String,
}

#[derive(Debug, Clone, Default)]
pub struct InstitutionFilter {
    pub status: Option<String>,
    pub category: Option<String>,
    pub region_code: Option<String>,
}

const INST_SELECT: &str = "i.id, i.name, i.uscc, i.uscc_override, i.licence_no, i.region_code, r.name AS region_name, i.region_path, \
    i.categories, i.legal_rep, i.head_name, i.address, i.phone, i.status, \
    (SELECT COUNT(*) FROM appraisers x WHERE x.institution_id = i.id) AS appraiser_count, \
    i.created_at, i.updated_at, i.version";
const INST_FROM: &str = "institutions i JOIN regions r ON r.code = i.region_code";

const INST_SORTS: &[(&str, &str)] = &[
    ("name", "i.name"),
    ("region", "i.region_code"),
    ("status", "i.status"),
    ("licence", "i.licence_no"),
    ("updated", "i.updated_at"),
];

fn institution_listing(scope: &Scope, f: &InstitutionFilter, q: &ListQuery) -> Listing {
    let mut l = Listing::new(INST_SELECT, INST_FROM);
    let p = predicate(scope, Scoped::Institution, &mut l.args);
    l.push(p);
    l.eq("i.status", f.status.clone());
    if let Some(c) = &f.category {
        let p = l.args.push(format!("%,{c},%"));
        l.push(format!("(',' || i.categories || ',') LIKE {p}"));
    }
    if let Some(code) = &f.region_code {
        let p = l.args.push(code.clone());
        l.push(format!(
            "i.region_path >= (SELECT path FROM regions WHERE code = {p}) AND i.region_path < (SELECT substr(path, 1, length(path) - 1) || '0' FROM regions WHERE code = {p})"
        ));
    }
    l.search(
        q.search(),
        &["i.name", "i.licence_no", "i.uscc", "i.head_name", "r.name"],
    );
    l
}

pub async fn list_institutions(
    db: &Db,
    scope: &Scope,
    f: &InstitutionFilter,
    q: &ListQuery,
) -> Result<Page<Institution>, StoreError> {
    institution_listing(scope, f, q)
        .run(db, q, INST_SORTS, "i.id")
        .await
}

/// Every matching institution (up to 100,000), for exports.
pub async fn list_institutions_unbounded(
    db: &Db,
    scope: &Scope,
    f: &InstitutionFilter,
    q: &ListQuery,
) -> Result<Vec<Institution>, StoreError> {
    institution_listing(scope, f, q)
        .run_all(db, q, INST_SORTS, "i.id", 100_000)
        .await
}

async fn fetch_institution(
    exec: crate::db::Exec<'_>,
    scope: &Scope,
    id: i64,
) -> Result<Institution, StoreError> {
    let mut a = Args::new();
    let idp = a.push(id);
    let pred = predicate(scope, Scoped::Institution, &mut a);
    exec.fetch_optional(
        &format!("SELECT {INST_SELECT} FROM {INST_FROM} WHERE i.id = {idp} AND {pred}"),
        a,
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// One institution, if in scope (otherwise `NotFound`, so its existence is not revealed).
pub async fn get_institution(db: &Db, scope: &Scope, id: i64) -> Result<Institution, StoreError> {
    fetch_institution(db.exec(), scope, id).await
}

impl Institution {
    /// The editable fields as they stand.
    pub fn fields(&self) -> InstitutionFields {
        let i = self;
        InstitutionFields {
            name: i.name.clone(),
            uscc: i.uscc.clone(),
            uscc_override: i.uscc_override.clone(),
            licence_no: i.licence_no.clone(),
            region_code: i.region_code.clone(),
            categories: i.categories.clone(),
            legal_rep: i.legal_rep.clone(),
            head_name: i.head_name.clone(),
            address: i.address.clone(),
            phone: i.phone.clone(),
            status: i.status.clone(),
        }
    }
}

pub async fn create_institution(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    f: &InstitutionFields,
) -> Result<Institution, StoreError> {
    let mut tx = db.begin().await?;
    let path = regions::placed_path(&mut tx, scope, &f.region_code).await?;
    let now = now_ms();
    let id: i64 = tx
        .scalar(
            "INSERT INTO institutions (name, uscc, licence_no, region_code, region_path, categories, legal_rep, head_name, address, phone, status, created_at, updated_at, uscc_override) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13) RETURNING id",
            args![f.name.as_str(), f.uscc.clone(), f.licence_no.as_str(), f.region_code.as_str(), path.as_str(), f.categories.as_str(), f.legal_rep.as_str(), f.head_name.as_str(), f.address.as_str(), f.phone.as_str(), f.status.as_str(), now, f.uscc_override.clone()],
        )
        .await?;
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: "institution.created",
            entity_type: "institution",
            entity_id: id.to_string(),
            scope_path: path,
            institution_id: Some(id),
            payload: serde_json::json!({ "fields": f }),
        },
    )
    .await?;
    let row = fetch_institution(tx.exec(), &Scope::All, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Changes an institution if the caller saw the current `version`. `may_change_registration`
/// is false for institution heads, who may edit contact details only.
pub async fn update_institution(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    expected_version: i64,
    f: &InstitutionFields,
    may_change_registration: bool,
) -> Result<Institution, StoreError> {
    let mut tx = db.begin().await?;
    let current = fetch_institution(tx.exec(), scope, id).await?;
    if current.version != expected_version {
        return Err(StoreError::Conflict);
    }
    let before = current.fields();
    let mut after = f.clone();
    if !may_change_registration {
        for (field, changed) in [
            ("name", before.name != after.name),
            (
                "uscc",
                before.uscc != after.uscc || before.uscc_override != after.uscc_override,
            ),
            ("licence_no", before.licence_no != after.licence_no),
            ("region_code", before.region_code != after.region_code),
            ("categories", before.categories != after.categories),
            ("status", before.status != after.status),
        ] {
            if changed {
                return Err(StoreError::Forbidden(field.into()));
            }
        }
        after.status = before.status.clone();
    }
    let path = if after.region_code == before.region_code {
        current.region_path.clone()
    } else {
        regions::placed_path(&mut tx, scope, &after.region_code).await?
    };
    let changes = diff(&before, &after);
    if changes.as_object().is_some_and(|m| m.is_empty()) {
        tx.commit().await?;
        return Ok(current);
    }
    let n = tx
        .execute(
            "UPDATE institutions SET name = $1, uscc = $2, licence_no = $3, region_code = $4, region_path = $5, categories = $6, \
             legal_rep = $7, head_name = $8, address = $9, phone = $10, status = $11, updated_at = $12, version = version + 1, uscc_override = $15 \
             WHERE id = $13 AND version = $14",
            args![after.name.as_str(), after.uscc.clone(), after.licence_no.as_str(), after.region_code.as_str(), path.as_str(), after.categories.as_str(), after.legal_rep.as_str(), after.head_name.as_str(), after.address.as_str(), after.phone.as_str(), after.status.as_str(), now_ms(), id, expected_version, after.uscc_override.clone()],
        )
        .await?;
    if n != 1 {
        return Err(StoreError::Conflict);
    }
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: if before.status != after.status {
                "institution.status_changed"
            } else {
                "institution.updated"
            },
            entity_type: "institution",
            entity_id: id.to_string(),
            scope_path: path,
            institution_id: Some(id),
            payload: serde_json::json!({ "changes": changes, "version": expected_version + 1 }),
        },
    )
    .await?;
    let row = fetch_institution(tx.exec(), &Scope::All, id).await?;
    tx.commit().await?;
    Ok(row)
}

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

// ---------------------------------------------------------------------------------------------
// Appraisers

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Appraiser {
    pub id: i64,
    pub institution_id: i64,
    pub institution_name: String,
    pub region_path: String,
    pub name: String,
    pub gender: String,
    pub certificate_no: String,
    pub categories: String,
    pub title: String,
    pub senior_title: bool,
    pub phone: String,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AppraiserFields {
    pub institution_id: i64,
    pub name: String,
    pub gender: String,
    pub certificate_no: String,
    pub categories: String,
    pub title: String,
    pub senior_title: bool,
    pub phone: String,
    pub status: String,
}

#[derive(Debug, Clone, Default)]
pub struct AppraiserFilter {
    pub status: Option<String>,
    pub category: Option<String>,
    pub institution_id: Option<i64>,
    pub senior_title: Option<bool>,
}

const APP_SELECT: &str = "a.id, a.institution_id, i.name AS institution_name, i.region_path, a.name, a.gender, \
    a.certificate_no, a.categories, a.title, a.senior_title, a.phone, a.status, a.created_at, a.updated_at, a.version";
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
    let p = predicate(scope, Scoped::Appraiser, &mut l.args);
    l.push(p);
    l.eq("a.status", f.status.clone());
    l.eq("a.institution_id", f.institution_id);
    l.eq("a.senior_title", f.senior_title);
    if let Some(c) = &f.category {
        let p = l.args.push(format!("%,{c},%"));
        l.push(format!("(',' || a.categories || ',') LIKE {p}"));
    }
    l.search(
        q.search(),
        &["a.name", "a.certificate_no", "i.name", "a.title"],
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
    /// The editable fields as they stand.
    pub fn fields(&self) -> AppraiserFields {
        AppraiserFields {
            institution_id: self.institution_id,
            name: self.name.clone(),
            gender: self.gender.clone(),
            certificate_no: self.certificate_no.clone(),
            categories: self.categories.clone(),
            title: self.title.clone(),
            senior_title: self.senior_title,
            phone: self.phone.clone(),
            status: self.status.clone(),
        }
    }
}

async fn fetch_appraiser(
    exec: crate::db::Exec<'_>,
    scope: &Scope,
    id: i64,
) -> Result<Appraiser, StoreError> {
    let mut a = Args::new();
    let idp = a.push(id);
    let pred = predicate(scope, Scoped::Appraiser, &mut a);
    exec.fetch_optional(
        &format!("SELECT {APP_SELECT} FROM {APP_FROM} WHERE a.id = {idp} AND {pred}"),
        a,
    )
    .await?
    .ok_or(StoreError::NotFound)
}

pub async fn get_appraiser(db: &Db, scope: &Scope, id: i64) -> Result<Appraiser, StoreError> {
    fetch_appraiser(db.exec(), scope, id).await
}

/// The institution an appraiser is placed in must be in the actor's scope and licensed for
/// every category the appraiser practises (practice items are a subset of the institution's scope).
async fn check_placement(
    tx: &mut Tx,
    scope: &Scope,
    f: &AppraiserFields,
) -> Result<Institution, StoreError> {
    let inst = fetch_institution(tx.exec(), scope, f.institution_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => StoreError::ForeignKey("institution_id".into()),
            e => e,
        })?;
    let allowed: Vec<&str> = inst.categories.split(',').collect();
    if f.categories.split(',').any(|c| !allowed.contains(&c)) {
        return Err(StoreError::Invalid {
            field: "categories".into(),
            message: "鉴定人的执业类别须在所在机构的业务范围之内".into(),
        });
    }
    Ok(inst)
}

pub async fn create_appraiser(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    f: &AppraiserFields,
) -> Result<Appraiser, StoreError> {
    let mut tx = db.begin().await?;
    let inst = check_placement(&mut tx, scope, f).await?;
    let now = now_ms();
    let id: i64 = tx
        .scalar(
            "INSERT INTO appraisers (institution_id, name, gender, certificate_no, categories, title, senior_title, phone, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            args![f.institution_id, f.name.as_str(), f.gender.as_str(), f.certificate_no.as_str(), f.categories.as_str(), f.title.as_str(), f.senior_title, f.phone.as_str(), f.status.as_str(), now],
        )
        .await?;
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: "appraiser.created",
            entity_type: "appraiser",
            entity_id: id.to_string(),
            scope_path: inst.region_path.clone(),
            institution_id: Some(inst.id),
            payload: serde_json::json!({ "fields": f }),
        },
    )
    .await?;
    let row = fetch_appraiser(tx.exec(), &Scope::All, id).await?;
    tx.commit().await?;
    Ok(row)
}

pub async fn update_appraiser(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    expected_version: i64,
    f: &AppraiserFields,
    may_change_registration: bool,
) -> Result<Appraiser, StoreError> {
    let mut tx = db.begin().await?;
    let current = fetch_appraiser(tx.exec(), scope, id).await?;
    if current.version != expected_version {
        return Err(StoreError::Conflict);
    }
    let before = current.fields();
    if !may_change_registration {
        for (field, changed) in [
            ("institution_id", before.institution_id != f.institution_id),
            ("certificate_no", before.certificate_no != f.certificate_no),
            ("status", before.status != f.status),
        ] {
            if changed {
                return Err(StoreError::Forbidden(field.into()));
            }
        }
    }
    let inst = check_placement(&mut tx, scope, f).await?;
    let changes = diff(&before, f);
    if changes.as_object().is_some_and(|m| m.is_empty()) {
        tx.commit().await?;
        return Ok(current);
    }
    let n = tx
        .execute(
            "UPDATE appraisers SET institution_id = $1, name = $2, gender = $3, certificate_no = $4, categories = $5, title = $6, \
             senior_title = $7, phone = $8, status = $9, updated_at = $10, version = version + 1 WHERE id = $11 AND version = $12",
            args![f.institution_id, f.name.as_str(), f.gender.as_str(), f.certificate_no.as_str(), f.categories.as_str(), f.title.as_str(), f.senior_title, f.phone.as_str(), f.status.as_str(), now_ms(), id, expected_version],
        )
        .await?;
    if n != 1 {
        return Err(StoreError::Conflict);
    }
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: if before.status != f.status {
                "appraiser.status_changed"
            } else {
                "appraiser.updated"
            },
            entity_type: "appraiser",
            entity_id: id.to_string(),
            scope_path: inst.region_path.clone(),
            institution_id: Some(inst.id),
            payload: serde_json::json!({ "changes": changes, "version": expected_version + 1 }),
        },
    )
    .await?;
    let row = fetch_appraiser(tx.exec(), &Scope::All, id).await?;
    tx.commit().await?;
    Ok(row)
}
