//! Institutions (司法鉴定机构): registration, business scope, accreditation, insurance, status.
use super::Edit;
use super::{
    categories_of, diff, record_status, region_under, scope_codes, scope_overlaps, write_scope,
};
use crate::db::{Exec, Tx};
use crate::events::{Actor, NewEvent, append};
use crate::list::{ListQuery, Listing, Page};
use crate::scope::{Scoped, ScopedRows, predicate};
use crate::{Db, StoreError, args, now_ms, regions};
use serde::{Deserialize, Serialize};
use sijian_domain::Scope;
use sijian_domain::calendar::Date;

api_row! { accreditation_row:
    /// A laboratory accreditation (资质认定 CMA or 实验室认可 CNAS) with its scope and expiry.
    #[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
    pub struct Accreditation {
        /// CMA | CNAS
        pub kind: String,
        pub certificate_no: String,
        pub scope: String,
        /// YYYY-MM-DD
        pub expires_on: String,
    }
}

api_row! { accreditations_row:
    /// Accreditations as stored (a JSON array in one column).
    #[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
    #[serde(transparent)]
    pub struct Accreditations(pub Vec<Accreditation>);
}

impl TryFrom<String> for Accreditations {
    type Error = serde_json::Error;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        serde_json::from_str(&s)
    }
}

api_row! { institution_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Institution {
        pub id: i64,
        pub name: String,
        pub uscc: Option<String>,
        /// Why a credit code that fails its check characters was accepted (known pilot codes).
        pub uscc_override: Option<String>,
        pub licence_no: String,
        #[sqlx(try_from = "crate::column::OptText")]
        pub licence_valid_to: Option<Date>,
        pub region_code: String,
        pub region_name: String,
        pub region_path: String,
        /// 发证机关.
        pub registering_authority: String,
        /// Business scope: classification codes (C, C.SS or C.SS.II), comma-separated.
        pub scope: String,
        /// Category digits the scope touches, comma-separated (1 法医 2 物证 3 声像资料 4 环境损害).
        pub categories: String,
        /// national | provincial | ordinary
        pub qualification_level: String,
        #[sqlx(try_from = "String")]
        pub accreditations: Accreditations,
        pub insurer: String,
        pub insurance_policy: String,
        #[sqlx(try_from = "crate::column::OptText")]
        pub insurance_expires: Option<Date>,
        /// Military units need the military management office's opinion on applications.
        pub military: bool,
        pub party_org: bool,
        pub party_members: i64,
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
}

api_row! { institution_fields_row:
    /// Validated fields of an institution, as written.
    #[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
    pub struct InstitutionFields {
        pub name: String,
        pub uscc: Option<String>,
        pub uscc_override: Option<String>,
        pub licence_no: String,
        pub licence_valid_to: Option<String>,
        pub region_code: String,
        pub registering_authority: String,
        pub scope: String,
        pub qualification_level: String,
        pub accreditations: Accreditations,
        pub insurer: String,
        pub insurance_policy: String,
        pub insurance_expires: Option<String>,
        pub military: bool,
        pub party_org: bool,
        pub party_members: i64,
        pub legal_rep: String,
        pub head_name: String,
        pub address: String,
        pub phone: String,
        pub status: String,
    }
}

#[derive(Debug, Clone, Default)]
pub struct InstitutionFilter {
    pub status: Option<String>,
    pub category: Option<String>,
    /// A classification code: institutions whose scope overlaps it.
    pub item: Option<String>,
    pub region_code: Option<String>,
    pub qualification_level: Option<String>,
}

const INST_SELECT: &str = "i.id, i.name, i.uscc, i.uscc_override, i.licence_no, i.licence_valid_to, i.region_code, r.name AS region_name, i.region_path, \
    i.registering_authority, i.scope, i.categories, i.qualification_level, i.accreditations, i.insurer, i.insurance_policy, i.insurance_expires, \
    i.military, i.party_org, i.party_members, i.legal_rep, i.head_name, i.address, i.phone, i.status, \
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
    l.count_from = Some(("r.", "institutions i"));
    let p = predicate(scope, Scoped::Institution, &mut l.args);
    l.push(p);
    l.eq("i.status", f.status.clone());
    l.eq("i.qualification_level", f.qualification_level.clone());
    if let Some(c) = &f.category {
        let p = l.args.push(format!("%,{c},%"));
        l.push(format!("(',' || i.categories || ',') LIKE {p}"));
    }
    if let Some(code) = &f.item {
        let cond = scope_overlaps(
            &mut l.args,
            "institution_scope",
            "institution_id",
            "i.id",
            code,
        );
        l.push(cond);
    }
    if let Some(code) = &f.region_code {
        let cond = region_under(&mut l.args, "i.region_path", code);
        l.push(cond);
    }
    l.search_indexed(
        q.search(),
        "institution",
        "i.id",
        "institutions",
        &["licence_no", "uscc"],
        &["i.name", "i.licence_no", "i.uscc", "i.head_name"],
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

const INST_ROWS: ScopedRows = ScopedRows::new(Scoped::Institution, INST_SELECT, INST_FROM, "i.id");

/// One institution, if in scope (otherwise `NotFound`, so its existence is not revealed); on
/// the pool (`&Db`) or inside a transaction (`&mut Tx`).
pub async fn get_institution(
    ex: impl Into<Exec<'_>>,
    scope: &Scope,
    id: i64,
) -> Result<Institution, StoreError> {
    INST_ROWS.one(ex, scope, id).await
}

/// `get_institution` inside a transaction, as `applications` still calls it.
pub(crate) async fn get_institution_in(
    tx: &mut Tx,
    scope: &Scope,
    id: i64,
) -> Result<Institution, StoreError> {
    get_institution(tx, scope, id).await
}

impl Institution {
    /// The editable fields as they stand.
    pub fn fields(&self) -> InstitutionFields {
        let i = self.clone();
        InstitutionFields {
            name: i.name,
            uscc: i.uscc,
            uscc_override: i.uscc_override,
            licence_no: i.licence_no,
            licence_valid_to: i.licence_valid_to.map(|d| d.to_string()),
            region_code: i.region_code,
            registering_authority: i.registering_authority,
            scope: i.scope,
            qualification_level: i.qualification_level,
            accreditations: i.accreditations,
            insurer: i.insurer,
            insurance_policy: i.insurance_policy,
            insurance_expires: i.insurance_expires.map(|d| d.to_string()),
            military: i.military,
            party_org: i.party_org,
            party_members: i.party_members,
            legal_rep: i.legal_rep,
            head_name: i.head_name,
            address: i.address,
            phone: i.phone,
            status: i.status,
        }
    }
}

fn accreditations_json(f: &InstitutionFields) -> String {
    serde_json::to_string(&f.accreditations).expect("plain data serialises")
}

/// Inserts an institution inside `tx` (placement, scope rows, status history, event).
pub(crate) async fn insert_institution(
    tx: &mut Tx,
    actor: &Actor,
    scope: &Scope,
    f: &InstitutionFields,
    reason: &str,
) -> Result<i64, StoreError> {
    let path = regions::placed_path(tx, scope, &f.region_code).await?;
    let now = now_ms();
    let id: i64 = tx
        .scalar(
            "INSERT INTO institutions (name, uscc, licence_no, region_code, region_path, categories, legal_rep, head_name, address, phone, status, created_at, updated_at, uscc_override, \
             scope, registering_authority, qualification_level, military, party_org, party_members, insurer, insurance_policy, insurance_expires, licence_valid_to, accreditations) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24) RETURNING id",
            args![f.name.as_str(), f.uscc.clone(), f.licence_no.as_str(), f.region_code.as_str(), path.as_str(), categories_of(&f.scope), f.legal_rep.as_str(), f.head_name.as_str(), f.address.as_str(), f.phone.as_str(), f.status.as_str(), now, f.uscc_override.clone(),
                f.scope.as_str(), f.registering_authority.as_str(), f.qualification_level.as_str(), f.military, f.party_org, f.party_members, f.insurer.as_str(), f.insurance_policy.as_str(), f.insurance_expires.clone(), f.licence_valid_to.clone(), accreditations_json(f)],
        )
        .await?;
    write_scope(tx, "institution_scope", "institution_id", id, &f.scope).await?;
    crate::search::write(tx, "institution", id, &[&f.name, &f.head_name]).await?;
    record_status(
        tx,
        "institution",
        id,
        None,
        &f.status,
        reason,
        actor.user_id,
    )
    .await?;
    let mut payload = serde_json::json!({ "fields": f });
    if !reason.trim().is_empty() {
        payload["reason"] = reason.trim().into();
    }
    append(
        tx,
        actor,
        NewEvent {
            kind: "institution.created",
            entity_type: "institution",
            entity_id: id.to_string(),
            scope_path: path,
            institution_id: Some(id),
            payload,
        },
    )
    .await?;
    Ok(id)
}

/// Registers an institution directly; `reason` (the basis of the registration) is kept with its
/// status history and its event.
pub async fn create_institution(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    f: &InstitutionFields,
    reason: &str,
) -> Result<Institution, StoreError> {
    let mut tx = db.begin().await?;
    let id = insert_institution(&mut tx, actor, scope, f, reason.trim()).await?;
    let row = get_institution(&mut tx, &Scope::All, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// What a change to an institution may touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstitutionChange {
    /// Regulators: everything.
    Registration,
    /// Institution heads: contact details, insurance and party-organisation facts only.
    ContactOnly,
}

/// Changes an institution inside `tx` if the caller saw the current `version`. A change of
/// status needs a reason; narrowing the scope below what its appraisers practise is refused.
pub(crate) async fn change_institution(
    tx: &mut Tx,
    edit: &Edit<'_>,
    f: &InstitutionFields,
    mode: InstitutionChange,
) -> Result<Institution, StoreError> {
    let Edit {
        actor,
        scope,
        id,
        version: expected_version,
        reason,
    } = *edit;
    let current = get_institution(&mut *tx, scope, id).await?;
    if current.version != expected_version {
        return Err(StoreError::Conflict);
    }
    let before = current.fields();
    let after = f.clone();
    if mode == InstitutionChange::ContactOnly {
        let b = serde_json::to_value(&before).unwrap_or_default();
        let a = serde_json::to_value(&after).unwrap_or_default();
        for (field, value) in a.as_object().into_iter().flatten() {
            let contact = matches!(
                field.as_str(),
                "legal_rep"
                    | "head_name"
                    | "address"
                    | "phone"
                    | "insurer"
                    | "insurance_policy"
                    | "insurance_expires"
                    | "party_org"
                    | "party_members"
            );
            if !contact && b.get(field) != Some(value) {
                return Err(StoreError::Forbidden(field.clone()));
            }
        }
    }
    let status_changed = before.status != after.status;
    if status_changed && reason.trim().is_empty() {
        return Err(StoreError::Invalid {
            field: "status_reason".into(),
            message: "变更执业状态须说明理由".into(),
        });
    }
    if before.scope != after.scope {
        check_scope_covers_appraisers(tx, id, &after.scope).await?;
    }
    let path = if after.region_code == before.region_code {
        current.region_path.clone()
    } else {
        regions::placed_path(tx, scope, &after.region_code).await?
    };
    let changes = diff(&before, &after);
    if changes.as_object().is_some_and(|m| m.is_empty()) {
        return Ok(current);
    }
    let n = tx
        .execute(
            "UPDATE institutions SET name = $1, uscc = $2, licence_no = $3, region_code = $4, region_path = $5, categories = $6, \
             legal_rep = $7, head_name = $8, address = $9, phone = $10, status = $11, updated_at = $12, version = version + 1, uscc_override = $15, \
             scope = $16, registering_authority = $17, qualification_level = $18, military = $19, party_org = $20, party_members = $21, \
             insurer = $22, insurance_policy = $23, insurance_expires = $24, licence_valid_to = $25, accreditations = $26 \
             WHERE id = $13 AND version = $14",
            args![after.name.as_str(), after.uscc.clone(), after.licence_no.as_str(), after.region_code.as_str(), path.as_str(), categories_of(&after.scope), after.legal_rep.as_str(), after.head_name.as_str(), after.address.as_str(), after.phone.as_str(), after.status.as_str(), now_ms(), id, expected_version, after.uscc_override.clone(),
                after.scope.as_str(), after.registering_authority.as_str(), after.qualification_level.as_str(), after.military, after.party_org, after.party_members, after.insurer.as_str(), after.insurance_policy.as_str(), after.insurance_expires.clone(), after.licence_valid_to.clone(), accreditations_json(&after)],
        )
        .await?;
    if n != 1 {
        return Err(StoreError::Conflict);
    }
    if before.scope != after.scope {
        write_scope(tx, "institution_scope", "institution_id", id, &after.scope).await?;
    }
    if before.name != after.name || before.head_name != after.head_name {
        crate::search::write(tx, "institution", id, &[&after.name, &after.head_name]).await?;
    }
    if status_changed {
        record_status(
            tx,
            "institution",
            id,
            Some(&before.status),
            &after.status,
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
            kind: if status_changed {
                "institution.status_changed"
            } else {
                "institution.updated"
            },
            entity_type: "institution",
            entity_id: id.to_string(),
            scope_path: path,
            institution_id: Some(id),
            payload,
        },
    )
    .await?;
    get_institution(&mut *tx, &Scope::All, id).await
}

pub async fn update_institution(
    db: &Db,
    edit: &Edit<'_>,
    f: &InstitutionFields,
    mode: InstitutionChange,
) -> Result<Institution, StoreError> {
    let mut tx = db.begin().await?;
    let row = change_institution(&mut tx, edit, f, mode).await?;
    tx.commit().await?;
    Ok(row)
}

/// Narrowing an institution's scope may not strand an appraiser's practice item outside it.
async fn check_scope_covers_appraisers(
    tx: &mut Tx,
    institution_id: i64,
    new_scope: &str,
) -> Result<(), StoreError> {
    let rows: Vec<(String, String)> = tx
        .fetch_all(
            "SELECT a.name, s.code FROM appraiser_scope s JOIN appraisers a ON a.id = s.appraiser_id \
             WHERE a.institution_id = $1 AND a.status IN ('active', 'suspended') ORDER BY a.name",
            args![institution_id],
        )
        .await?;
    let allowed = scope_codes(new_scope);
    let stranded: Vec<String> = rows
        .into_iter()
        .filter(|(_, code)| !sijian_domain::classification::is_within(code, &allowed))
        .map(|(name, code)| format!("{name}（{code}）"))
        .collect();
    if stranded.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            field: "scope".into(),
            message: format!(
                "本机构鉴定人的执业项目将超出业务范围，须先变更其执业登记：{}",
                stranded.join("、")
            ),
        })
    }
}

/// The highest institution id so far (0 when there is none).
pub async fn max_institution_id(db: &Db) -> Result<i64, StoreError> {
    db.scalar("SELECT COALESCE(MAX(id), 0) FROM institutions", args![])
        .await
}

/// The id of the institution named `name`, if there is one.
pub async fn institution_id_by_name(db: &Db, name: &str) -> Result<Option<i64>, StoreError> {
    let rows: Vec<(i64,)> = db
        .fetch_all(
            "SELECT id FROM institutions WHERE name = $1 ORDER BY id",
            args![name],
        )
        .await?;
    Ok(rows.first().map(|r| r.0))
}

/// The practice scope of an institution as its codes, in stored order (empty when it does not
/// exist).
pub async fn institution_scope_codes(db: &Db, id: i64) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = db
        .fetch_all("SELECT scope FROM institutions WHERE id = $1", args![id])
        .await?;
    Ok(rows
        .first()
        .map(|r| r.0.split(',').map(str::to_string).collect())
        .unwrap_or_default())
}
