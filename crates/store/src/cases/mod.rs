//! Appraisal cases (《司法鉴定程序通则》). The rules are the domain's
//! (`sijian_domain::procedure`); here every step loads the case's facts, asks the rule, and
//! writes the change with its event (and the event's log commitment) in one transaction, under
//! the case's version, so two clerks acting at once cannot both succeed.
use crate::column::joined;
pub(crate) use crate::column::split_codes;
use crate::db::{AnyRow, Args, Exec, Tx};
use crate::events::{Actor, NewEvent};
use crate::list::{ListQuery, Listing, Page};
use crate::registry::SealedId;
use crate::scope::{Scoped, ScopedRows, predicate};
use crate::{Db, StoreError, args, now_ms};
use serde::Serialize;
use sijian_domain::Scope;
use sijian_domain::calendar::{Date, WorkingCalendar};
use sijian_domain::procedure::{
    self, CaseError, CaseFacts, ClockStop, InstitutionFacts, Lineage, Original, Policy, Stage,
    StopReason, UnrecordedMaterial,
};
use sijian_domain::role::OrganKind;

pub mod claims;
pub mod opinions;
pub mod steps;

impl From<CaseError> for StoreError {
    fn from(e: CaseError) -> Self {
        if e == CaseError::NotOwnSignature {
            return StoreError::Forbidden(e.field().into());
        }
        StoreError::Invalid {
            field: e.field().into(),
            message: e.to_string(),
        }
    }
}

/// What every step needs besides the case: today, the working-day calendar and the procedure
/// numbers of the case's province.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub today: Date,
    pub cal: &'a WorkingCalendar,
    pub policy: &'a Policy,
}

api_row! { case_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Case {
        pub id: i64,
        pub institution_id: i64,
        pub institution_name: String,
        pub region_path: String,
        pub organ_id: Option<i64>,
        pub organ_name: Option<String>,
        pub client_name: String,
        /// court | procuratorate | police | other
        #[sqlx(try_from = "crate::column::Text")]
        pub client_kind: OrganKind,
        pub client_contact: String,
        /// 案号, normalised.
        pub case_number: Option<String>,
        /// civil | criminal | administrative | other
        pub case_type: String,
        /// Classification item codes, comma-separated.
        #[sqlx(try_from = "crate::column::Codes")]
        #[serde(serialize_with = "joined")]
        pub items: Vec<String>,
        pub category: String,
        pub purpose: String,
        /// 基本案情.
        pub summary: String,
        /// original | supplementary | reappraisal
        pub lineage: String,
        pub parent_id: Option<i64>,
        pub original_opinion_code: Option<String>,
        pub same_institution_reason: Option<String>,
        /// `sijian_domain::procedure::Stage`.
        #[sqlx(try_from = "crate::column::Text")]
        pub stage: Stage,
        #[sqlx(try_from = "crate::column::Text")]
        pub received_on: Date,
        #[sqlx(try_from = "crate::column::OptText")]
        pub agreed_accept_by: Option<Date>,
        pub accept_agreement: String,
        #[sqlx(try_from = "crate::column::OptText")]
        pub decided_on: Option<Date>,
        pub accept_late: bool,
        pub refusal_reasons: String,
        pub refusal_explanation: String,
        #[sqlx(try_from = "crate::column::OptText")]
        pub contract_effective_on: Option<Date>,
        #[sqlx(try_from = "crate::column::OptText")]
        pub agreed_complete_by: Option<Date>,
        pub extension_days: Option<i64>,
        pub extension_reason: String,
        pub review_round: i64,
        pub termination_reasons: String,
        pub termination_explanation: String,
        #[sqlx(try_from = "crate::column::OptText")]
        pub materials_returned_on: Option<Date>,
        #[sqlx(try_from = "crate::column::OptText")]
        pub closed_on: Option<Date>,
        /// accept | complete | "" (no running deadline).
        pub deadline: String,
        #[sqlx(try_from = "crate::column::OptText")]
        pub due_on: Option<Date>,
        /// `due_on` counted a year whose holiday table is not loaded yet (recomputed when it is).
        pub due_provisional: bool,
        /// online | paper
        pub created_via: String,
        pub opinion_code: Option<String>,
        pub created_at: i64,
        pub updated_at: i64,
        pub version: i64,
    }
}

pub(crate) const CASE_SELECT: &str = "k.id, k.institution_id, i.name AS institution_name, k.region_path, k.organ_id, o.name AS organ_name, \
    k.client_name, k.client_kind, k.client_contact, k.case_number, k.case_type, k.items, k.category, k.purpose, k.summary, k.lineage, \
    k.parent_id, k.original_opinion_code, k.same_institution_reason, k.stage, k.received_on, k.agreed_accept_by, k.accept_agreement, \
    k.decided_on, k.accept_late, k.refusal_reasons, k.refusal_explanation, k.contract_effective_on, k.agreed_complete_by, \
    k.extension_days, k.extension_reason, k.review_round, k.termination_reasons, k.termination_explanation, k.materials_returned_on, \
    k.closed_on, k.deadline, k.due_on, k.due_provisional, k.created_via, op.code AS opinion_code, k.created_at, k.updated_at, k.version";
pub(crate) const CASE_FROM: &str = "cases k JOIN institutions i ON i.id = k.institution_id \
    LEFT JOIN organs o ON o.id = k.organ_id LEFT JOIN opinions op ON op.case_id = k.id";

const CASE_SORTS: &[(&str, &str)] = &[
    ("received", "k.received_on"),
    ("due", "k.due_on"),
    ("stage", "k.stage"),
    ("client", "k.client_name"),
    ("updated", "k.updated_at"),
];

impl Case {
    pub fn stage(&self) -> Stage {
        self.stage
    }
    pub fn lineage(&self) -> Lineage {
        match self.lineage.as_str() {
            "supplementary" => Lineage::Supplementary,
            "reappraisal" => Lineage::Reappraisal,
            _ => Lineage::Original,
        }
    }
    fn event<'a>(&self, kind: &'a str, payload: serde_json::Value) -> NewEvent<'a> {
        NewEvent {
            kind,
            entity_type: "case",
            entity_id: self.id.to_string(),
            scope_path: self.region_path.clone(),
            institution_id: Some(self.institution_id),
            payload,
        }
    }
}

fn date(s: &str) -> Result<Date, StoreError> {
    Date::parse(s).map_err(|_| StoreError::Integrity(format!("存储的日期无法解析：{s}")))
}

fn opt_date(s: &Option<String>) -> Result<Option<Date>, StoreError> {
    s.as_deref().map(date).transpose()
}

/// Work queues and filters of the case lists.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub stage: Option<String>,
    /// to_accept | due_soon | overdue | to_review | to_sign | open
    pub queue: Option<String>,
    pub institution_id: Option<i64>,
    pub organ_id: Option<i64>,
    /// Today, for the due-soon and overdue queues (YYYY-MM-DD).
    pub today: Option<String>,
    /// Last day counted as "due soon" (today plus the policy's days), for that queue.
    pub due_soon_until: Option<String>,
    /// Cases of an examined person: keyed hashes of a resident ID number or of a full name
    /// (`case_persons.id_hash`, `name_hash`); the person is never searched in clear.
    pub person_hashes: Vec<String>,
}

pub async fn list(
    db: &Db,
    scope: &Scope,
    f: &CaseFilter,
    q: &ListQuery,
) -> Result<Page<Case>, StoreError> {
    let mut l = Listing::new(CASE_SELECT, CASE_FROM);
    let p = predicate(scope, Scoped::Case, &mut l.args);
    l.push(p);
    l.eq("k.stage", f.stage.clone());
    if let Some(i) = f.institution_id {
        let ph = l.args.push(i);
        l.push(format!("k.institution_id = {ph}"));
    }
    if let Some(o) = f.organ_id {
        let ph = l.args.push(o);
        l.push(format!("k.organ_id = {ph}"));
    }
    match f.queue.as_deref() {
        Some("to_accept") => l.push("k.stage = 'received'".into()),
        Some("to_review") => l.push("k.stage = 'under_review'".into()),
        Some("to_sign") => l.push("k.stage IN ('signing', 'sealed')".into()),
        Some("open") => l.push(format!("k.stage IN ({})", open_stages())),
        Some("overdue") => {
            let t = l.args.push(f.today.clone().unwrap_or_default());
            l.push(format!("(k.due_on IS NOT NULL AND k.due_on < {t})"));
        }
        Some("due_soon") => {
            let t = l.args.push(f.today.clone().unwrap_or_default());
            let u = l.args.push(f.due_soon_until.clone().unwrap_or_default());
            l.push(format!(
                "(k.due_on IS NOT NULL AND k.due_on >= {t} AND k.due_on <= {u})"
            ));
        }
        _ => {}
    }
    if !f.person_hashes.is_empty() {
        let hashes: Vec<String> = f
            .person_hashes
            .iter()
            .map(|h| l.args.push(h.clone()))
            .collect();
        let hashes = hashes.join(", ");
        l.push(format!(
            "k.id IN (SELECT p.case_id FROM case_persons p WHERE p.id_hash IN ({hashes}) OR p.name_hash IN ({hashes}))"
        ));
    }
    l.search(
        q.search(),
        &["k.client_name", "k.case_number", "k.summary", "op.code"],
    );
    let q = q.newest_first(Some("received"));
    l.run(db, &q, CASE_SORTS, "k.id").await
}

fn open_stages() -> String {
    Stage::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `get`, as the steps call it.
pub(crate) use self::get as fetch;

const CASE_ROWS: ScopedRows = ScopedRows::new(Scoped::Case, CASE_SELECT, CASE_FROM, "k.id");

/// One case, if in scope (otherwise `NotFound`); on the pool (`&Db`) or inside a
/// transaction (`&mut Tx`).
pub async fn get(ex: impl Into<Exec<'_>>, scope: &Scope, id: i64) -> Result<Case, StoreError> {
    CASE_ROWS.one(ex, scope, id).await
}

// ---------------------------------------------------------------------------------------------
// Commission
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct NewPerson {
    pub name_sealed: String,
    pub name_masked: String,
    pub name_hash: String,
    pub id: Option<SealedId>,
}

api_row! { new_material_row:
    /// 通则第十二条: the six recorded facts of each material.
    #[derive(Debug, Clone, serde::Deserialize, Serialize)]
    pub struct NewMaterial {
        pub name: String,
        pub kind: String,
        pub quantity: String,
        /// 性状.
        pub condition: String,
        /// 保存状况.
        pub storage: String,
        /// Time received, `YYYY-MM-DD HH:MM`.
        pub received_at: String,
    }
}

pub use crate::applications::NewAttachment;

#[derive(Debug, Clone)]
pub struct NewCase {
    pub institution_id: i64,
    pub organ_id: Option<i64>,
    /// A paper commission's organ account as the institution names it: the case becomes that
    /// organ's only when it confirms (`claims::answer`).
    pub claimed_organ_id: Option<i64>,
    pub client_name: String,
    pub client_kind: OrganKind,
    pub client_contact: String,
    /// Normalised 案号 and its matching key.
    pub case_number: Option<(String, String)>,
    pub case_type: String,
    pub items: Vec<String>,
    pub purpose: String,
    pub summary: String,
    pub lineage: Lineage,
    pub parent_id: Option<i64>,
    pub same_institution_reason: Option<String>,
    pub received_on: Date,
    pub persons: Vec<NewPerson>,
    pub materials: Vec<NewMaterial>,
    /// The commission letter and any other files (kind, file).
    pub attachments: Vec<(String, NewAttachment)>,
}

fn rank(level: &str) -> u8 {
    match level {
        "national" => 3,
        "provincial" => 2,
        _ => 1,
    }
}

/// An institution as the rules see it, from its stored status, scope and qualification level.
fn institution_of(id: i64, status: &str, scope: &str, level: &str) -> InstitutionFacts {
    InstitutionFacts {
        id,
        active: status == "normal",
        scope: split_codes(scope),
        qualification_rank: rank(level),
    }
}

#[derive(sqlx::FromRow)]
struct InstRow {
    id: i64,
    status: String,
    scope: String,
    qualification_level: String,
    region_path: String,
}

async fn institution_facts(tx: &mut Tx, id: i64) -> Result<(InstitutionFacts, String), StoreError> {
    let r: InstRow = tx
        .fetch_optional(
            "SELECT id, status, scope, qualification_level, region_path FROM institutions WHERE id = $1",
            args![id],
        )
        .await?
        .ok_or_else(|| StoreError::Invalid {
            field: "institution_id".into(),
            message: "鉴定机构不存在".into(),
        })?;
    Ok((
        institution_of(r.id, &r.status, &r.scope, &r.qualification_level),
        r.region_path,
    ))
}

/// Appraisers currently assigned (not removed by a recusal).
async fn assigned(tx: &mut Tx, case_id: i64) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = tx
        .fetch_all(
            "SELECT appraiser_id FROM case_assignments WHERE case_id = $1 AND removed_at IS NULL ORDER BY appraiser_id",
            args![case_id],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The opinion a supplementary or re-appraisal case follows: its institution, the appraisers
/// who signed it, the institution's qualification.
async fn original_of(tx: &mut Tx, parent_id: i64) -> Result<(Original, Stage, String), StoreError> {
    let parent = get(&mut *tx, &Scope::All, parent_id).await?;
    let (inst, _) = institution_facts(tx, parent.institution_id).await?;
    let signed: Vec<(i64,)> = tx
        .fetch_all(
            "SELECT appraiser_id FROM case_signatures WHERE case_id = $1 ORDER BY appraiser_id",
            args![parent_id],
        )
        .await?;
    let mut appraiser_ids: Vec<i64> = signed.into_iter().map(|r| r.0).collect();
    if appraiser_ids.is_empty() {
        appraiser_ids = assigned(tx, parent_id).await?;
    }
    Ok((
        Original {
            institution_id: parent.institution_id,
            appraiser_ids,
            qualification_rank: inst.qualification_rank,
        },
        parent.stage(),
        parent.opinion_code.unwrap_or_default(),
    ))
}

/// Everything the procedure's rules need about a stored case.
/// The people and clock stops of a case in one query: `(part, id, from, to, reason)` where
/// part is `a` (assigned), `r` (reviewer of the current round), `s` (signed) or `x` (a stop).
#[derive(sqlx::FromRow)]
struct PartRow {
    part: String,
    person: Option<i64>,
    from_on: Option<String>,
    to_on: Option<String>,
    reason: Option<String>,
}

/// Everything the procedure's rules need about a stored case, in one query (plus the original
/// opinion's for a supplementary or re-appraisal case): part `i` carries the institution's
/// status, scope and qualification in the three text columns.
pub(crate) async fn facts(tx: &mut Tx, c: &Case) -> Result<CaseFacts, StoreError> {
    let rows: Vec<PartRow> = tx
        .fetch_all(
            "SELECT 'a' AS part, appraiser_id AS person, CAST(NULL AS TEXT) AS from_on, CAST(NULL AS TEXT) AS to_on, CAST(NULL AS TEXT) AS reason \
               FROM case_assignments WHERE case_id = $1 AND removed_at IS NULL \
             UNION ALL SELECT 'r', reviewer_id, NULL, NULL, NULL FROM case_reviewers WHERE case_id = $1 AND round = $2 \
             UNION ALL SELECT 's', appraiser_id, NULL, NULL, NULL FROM case_signatures WHERE case_id = $1 \
             UNION ALL SELECT 'x', CAST(NULL AS BIGINT), from_on, to_on, reason FROM case_stops WHERE case_id = $1 \
             UNION ALL SELECT 'i', id, status, scope, qualification_level FROM institutions WHERE id = $3 \
             UNION ALL SELECT 'm', COUNT(*), NULL, NULL, NULL FROM case_materials WHERE case_id = $1 AND returned_on IS NULL \
             UNION ALL SELECT 'u', id, name, NULL, NULL FROM case_materials WHERE case_id = $1 AND returned_on IS NULL \
               AND (condition = '' OR storage = '' OR received_at = '') \
             ORDER BY 1, 2, 3",
            args![c.id, c.review_round, c.institution_id],
        )
        .await?;
    let (mut assigned, mut reviewers, mut signed, mut stops) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut institution = None;
    let mut materials_held = 0;
    let mut materials_unrecorded = Vec::new();
    for r in rows {
        match (r.part.as_str(), r.person) {
            ("i", Some(id)) => {
                institution = Some(institution_of(
                    id,
                    r.from_on.as_deref().unwrap_or_default(),
                    r.to_on.as_deref().unwrap_or_default(),
                    r.reason.as_deref().unwrap_or_default(),
                ))
            }
            ("a", Some(p)) => assigned.push(p),
            ("r", Some(p)) => reviewers.push(p),
            ("s", Some(p)) => signed.push(p),
            ("m", Some(n)) => materials_held = n,
            ("u", Some(id)) => materials_unrecorded.push(UnrecordedMaterial {
                id,
                name: r.from_on.clone().unwrap_or_default(),
            }),
            ("x", _) => stops.push(ClockStop {
                from: date(r.from_on.as_deref().unwrap_or_default())?,
                to: opt_date(&r.to_on)?,
                reason: r
                    .reason
                    .as_deref()
                    .and_then(StopReason::parse)
                    .unwrap_or(StopReason::MaterialSupplement),
            }),
            _ => {}
        }
    }
    let institution = institution.ok_or(StoreError::NotFound)?;
    let original = match c.parent_id {
        Some(p) => Some(original_of(tx, p).await?.0),
        None => None,
    };
    Ok(CaseFacts {
        stage: c.stage(),
        lineage: c.lineage(),
        original,
        same_institution_reason: c.same_institution_reason.clone(),
        institution,
        items: c.items.clone(),
        received_on: c.received_on,
        agreed_accept_by: c.agreed_accept_by,
        contract_effective_on: c.contract_effective_on,
        agreed_complete_by: c.agreed_complete_by,
        stops,
        extension_days: c.extension_days.map(|d| d as u32),
        assigned,
        reviewers,
        signed,
        concurrent_elsewhere: crate::linkage::blocking(tx.exec(), c.id).await?,
        materials_held,
        materials_unrecorded,
        step: Default::default(),
    })
}

fn invalid(field: &str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// Where a new case is placed, checked against the submitter's scope: an institution enters its
/// own paper commissions; an organ commissions online in its own name.
fn check_placement(scope: &Scope, n: &NewCase) -> Result<&'static str, StoreError> {
    match scope {
        Scope::All => Ok(if n.organ_id.is_some() {
            "online"
        } else {
            "paper"
        }),
        Scope::Institution(id) if *id == n.institution_id => Ok("paper"),
        Scope::Organ(id) if n.organ_id == Some(*id) => Ok("online"),
        _ => Err(StoreError::Forbidden("institution_id".into())),
    }
}

/// Records a commission (委托): the case, its examined persons, materials and files, and the
/// event, in one transaction. Supplementary and re-appraisal cases are checked against the
/// opinion they follow (通则第三十条至第三十二条).
pub async fn create(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    n: &NewCase,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let via = check_placement(scope, n)?;
    if n.items.is_empty() {
        return Err(invalid("items", "请选择委托鉴定事项"));
    }
    if n.received_on > ctx.today {
        return Err(invalid("received_on", "收到委托的日期不能晚于今天"));
    }
    let mut tx = db.begin().await?;
    let (inst, region_path) = institution_facts(&mut tx, n.institution_id).await?;
    if !inst.active {
        return Err(invalid(
            "institution_id",
            format!("{}：该机构不能接受委托", procedure::REGISTRATION),
        ));
    }
    let original_code = match (n.lineage, n.parent_id) {
        (Lineage::Original, None) => None,
        (Lineage::Original, Some(_)) | (_, None) => {
            return Err(invalid("parent_id", "补充鉴定和重新鉴定须指明原鉴定案件"));
        }
        (Lineage::Supplementary, Some(p)) => {
            let (orig, stage, code) = original_of(&mut tx, p).await?;
            procedure::may_supplement(stage)?;
            if orig.institution_id != n.institution_id {
                return Err(invalid(
                    "institution_id",
                    format!(
                        "{}：补充鉴定应当由原司法鉴定机构的原鉴定人进行",
                        procedure::ART30
                    ),
                ));
            }
            Some(code)
        }
        (Lineage::Reappraisal, Some(p)) => {
            let (orig, stage, code) = original_of(&mut tx, p).await?;
            procedure::may_reappraise(
                stage,
                n.client_kind,
                &orig,
                &inst,
                n.same_institution_reason.as_deref(),
            )?;
            Some(code)
        }
    };
    let now = now_ms();
    // 通则第十三条: a new case's running deadline is its acceptance date.
    let deadline = match ctx
        .cal
        .reckon_add_working_days(n.received_on, ctx.policy.accept_days)
    {
        Ok(d) => steps::Deadline {
            kind: "accept".to_string(),
            due: Some(d.value.to_string()),
            provisional: d.provisional,
        },
        Err(_) => steps::Deadline::unknown(),
    };
    let category = n.items[0].split('.').next().unwrap_or("").to_string();
    let (case_number, case_number_key) = match &n.case_number {
        Some((t, k)) => (Some(t.clone()), Some(k.clone())),
        None => (None, None),
    };
    let id: i64 = tx
        .scalar(
            "INSERT INTO cases (institution_id, region_path, organ_id, client_name, client_kind, client_contact, case_number, case_number_key, \
             case_type, items, category, purpose, summary, lineage, parent_id, original_opinion_code, same_institution_reason, stage, \
             received_on, created_via, created_at, updated_at, deadline, due_on, claimed_organ_id, due_provisional) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 'received', $18, $19, $20, $20, $21, $22, $23, $24) RETURNING id",
            args![
                n.institution_id,
                region_path.as_str(),
                n.organ_id,
                n.client_name.trim(),
                n.client_kind.as_str(),
                n.client_contact.trim(),
                case_number,
                case_number_key,
                n.case_type.as_str(),
                n.items.join(","),
                category,
                n.purpose.trim(),
                n.summary.trim(),
                lineage_str(n.lineage),
                n.parent_id,
                original_code,
                n.same_institution_reason.clone(),
                n.received_on.to_string(),
                via,
                now,
                deadline.kind,
                deadline.due,
                n.claimed_organ_id,
                deadline.provisional
            ],
        )
        .await?;
    for p in &n.persons {
        let (h, s, m) = match &p.id {
            Some(x) => (
                Some(x.hash.clone()),
                Some(x.sealed.clone()),
                Some(x.masked.clone()),
            ),
            None => (None, None, None),
        };
        tx.execute(
            "INSERT INTO case_persons (case_id, name_sealed, name_masked, name_hash, id_hash, id_sealed, id_masked) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![id, p.name_sealed.as_str(), p.name_masked.as_str(), p.name_hash.as_str(), h, s, m],
        )
        .await?;
    }
    for m in &n.materials {
        tx.execute(
            "INSERT INTO case_materials (case_id, name, kind, quantity, condition, storage, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![id, m.name.trim(), m.kind.trim(), m.quantity.trim(), m.condition.trim(), m.storage.trim(), m.received_at.trim()],
        )
        .await?;
    }
    let mut files = Vec::new();
    for (kind, f) in &n.attachments {
        let sha = attach(&mut tx, id, kind, f, now).await?;
        files.push(serde_json::json!({"kind": kind, "name": f.name, "sha256": sha}));
    }
    let c = get(&mut tx, &Scope::All, id).await?;
    let event_id = crate::events::append(
        &mut tx,
        actor,
        c.event(
            "case.commissioned",
            serde_json::json!({
                "via": via,
                "client": c.client_name,
                "case_number": c.case_number,
                "items": n.items,
                "lineage": c.lineage,
                "parent_id": c.parent_id,
                "received_on": c.received_on,
                "persons": n.persons.len(),
                "materials": n.materials,
                "files": files,
            }),
        ),
    )
    .await?;
    steps::notify(&mut tx, &c, "case.commissioned", event_id).await?;
    tx.commit().await?;
    Ok(c)
}

fn lineage_str(l: Lineage) -> &'static str {
    match l {
        Lineage::Original => "original",
        Lineage::Supplementary => "supplementary",
        Lineage::Reappraisal => "reappraisal",
    }
}

/// Stores one file of a case (content-addressed); returns its SHA-256.
pub(crate) async fn attach(
    tx: &mut Tx,
    case_id: i64,
    kind: &str,
    f: &NewAttachment,
    now: i64,
) -> Result<String, StoreError> {
    let (sha, size) = crate::blobs::put(tx, &f.content_type, &f.data, now).await?;
    tx.execute(
        "INSERT INTO case_attachments (case_id, kind, name, sha256, size, content_type, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![case_id, kind, f.name.as_str(), sha.as_str(), size, f.content_type.as_str(), now],
    )
    .await?;
    Ok(sha)
}

// ---------------------------------------------------------------------------------------------
// Reading the parts of a case
// ---------------------------------------------------------------------------------------------

api_row! { person_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Person {
        pub id: i64,
        /// Masked name, e.g. 张*.
        pub name_masked: String,
        pub id_masked: Option<String>,
    }
}

api_row! { material_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Material {
        pub id: i64,
        pub name: String,
        pub kind: String,
        pub quantity: String,
        pub condition: String,
        pub storage: String,
        pub received_at: String,
        pub returned_on: Option<String>,
    }
}

api_row! { case_file_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct CaseFile {
        pub id: i64,
        pub kind: String,
        pub name: String,
        pub sha256: String,
        pub size: i64,
        pub content_type: String,
        pub created_at: i64,
    }
}

api_row! { assignment_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Assignment {
        pub appraiser_id: i64,
        pub name: String,
        pub certificate_no: String,
        pub senior_title: bool,
        pub assigned_at: i64,
        pub removed_at: Option<i64>,
        pub removal_reason: String,
        /// When the appraiser signed the opinion, and any dissent (通则第三十七条).
        pub signed_at: Option<i64>,
        pub dissent: Option<String>,
    }
}

api_row! { review_entry_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct ReviewEntry {
        pub round: i64,
        pub reviewer_id: i64,
        pub name: String,
        pub agrees: Option<bool>,
        pub opinion: String,
        pub reviewed_at: Option<i64>,
    }
}

api_row! { stop_entry_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct StopEntry {
        pub id: i64,
        pub from_on: String,
        pub to_on: Option<String>,
        pub reason: String,
    }
}

api_row! { case_parts_row:
    /// The parts of a case shown on its page and in its API record.
    #[derive(Debug, Clone, Serialize)]
    pub struct CaseParts {
        pub persons: Vec<Person>,
        pub materials: Vec<Material>,
        pub files: Vec<CaseFile>,
        pub assignments: Vec<Assignment>,
        pub reviews: Vec<ReviewEntry>,
        pub stops: Vec<StopEntry>,
        pub appearances: Vec<steps::AppearanceRow>,
        pub children: Vec<i64>,
    }
}

/// The parts of a case the caller may see (the case itself must be in scope).
pub async fn parts(db: &Db, scope: &Scope, id: i64) -> Result<CaseParts, StoreError> {
    get(db, scope, id).await?;
    Ok(CaseParts {
        persons: rows_of(
            db,
            "SELECT id, name_masked, id_masked FROM case_persons WHERE case_id = $1 ORDER BY id",
            id,
        )
        .await?,
        materials: rows_of(
            db,
            "SELECT id, name, kind, quantity, condition, storage, received_at, returned_on FROM case_materials WHERE case_id = $1 ORDER BY id",
            id,
        )
        .await?,
        files: rows_of(
            db,
            "SELECT id, kind, name, sha256, size, content_type, created_at FROM case_attachments WHERE case_id = $1 ORDER BY id",
            id,
        )
        .await?,
        assignments: rows_of(
            db,
            "SELECT ca.appraiser_id, a.name, a.certificate_no, a.senior_title, ca.assigned_at, ca.removed_at, ca.removal_reason, \
             s.signed_at, s.dissent FROM case_assignments ca JOIN appraisers a ON a.id = ca.appraiser_id \
             LEFT JOIN case_signatures s ON s.case_id = ca.case_id AND s.appraiser_id = ca.appraiser_id \
             WHERE ca.case_id = $1 ORDER BY ca.id",
            id,
        )
        .await?,
        reviews: rows_of(
            db,
            "SELECT r.round, r.reviewer_id, a.name, r.agrees, r.opinion, r.reviewed_at FROM case_reviewers r \
             JOIN appraisers a ON a.id = r.reviewer_id WHERE r.case_id = $1 ORDER BY r.round, r.reviewer_id",
            id,
        )
        .await?,
        stops: rows_of(
            db,
            "SELECT id, from_on, to_on, reason FROM case_stops WHERE case_id = $1 ORDER BY id",
            id,
        )
        .await?,
        appearances: rows_of(
            db,
            &format!(
                "SELECT {} FROM court_appearances WHERE case_id = $1 ORDER BY id",
                steps::APPEARANCE_COLUMNS
            ),
            id,
        )
        .await?,
        children: rows_of::<(i64,)>(
            db,
            "SELECT id FROM cases WHERE parent_id = $1 ORDER BY id",
            id,
        )
        .await?
        .into_iter()
        .map(|r| r.0)
        .collect(),
    })
}

/// The rows `sql` reads for the case `id` (its one parameter).
async fn rows_of<T: AnyRow>(db: &Db, sql: &str, id: i64) -> Result<Vec<T>, StoreError> {
    db.fetch_all(sql, args![id]).await
}

/// One file's bytes, if its case is in scope: (name, content type, data).
pub async fn file_data(
    db: &Db,
    scope: &Scope,
    case_id: i64,
    file_id: i64,
) -> Result<(String, String, Vec<u8>), StoreError> {
    get(db, scope, case_id).await?;
    db.fetch_optional(
        "SELECT f.name, f.content_type, b.data FROM case_attachments f JOIN blobs b ON b.sha256 = f.sha256 \
         WHERE f.case_id = $1 AND f.id = $2",
        args![case_id, file_id],
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// Practising appraisers of an institution, for assignment and review choices:
/// (id, name, certificate number, senior title).
pub async fn appraiser_options(
    db: &Db,
    institution_id: i64,
) -> Result<Vec<(i64, String, String, bool)>, StoreError> {
    db.fetch_all(
        "SELECT id, name, certificate_no, senior_title FROM appraisers WHERE institution_id = $1 AND status = 'active' ORDER BY name",
        args![institution_id],
    )
    .await
}

/// Institutions that may be commissioned: (id, name, region name).
/// Every practising institution as (id, name, region name, business scope — comma-separated
/// classification codes), for the commission form.
pub async fn institution_options(
    db: &Db,
) -> Result<Vec<(i64, String, String, String)>, StoreError> {
    db.fetch_all(
        "SELECT i.id, i.name, r.name, i.scope FROM institutions i JOIN regions r ON r.code = i.region_code WHERE i.status = 'normal' ORDER BY i.region_code, i.name",
        args![],
    )
    .await
}

/// An organ's name and kind, as it commissions (the client of its cases).
/// Every commissioning organ as (id, name, region name), for the paper commission's organ
/// account (`NewCase::claimed_organ_id`).
pub async fn organ_options(db: &Db) -> Result<Vec<(i64, String, String)>, StoreError> {
    db.fetch_all(
        "SELECT o.id, o.name, r.name FROM organs o JOIN regions r ON r.code = o.region_code ORDER BY o.region_code, o.name",
        args![],
    )
    .await
}

pub async fn organ_client(db: &Db, id: i64) -> Result<Option<(String, String)>, StoreError> {
    db.fetch_optional("SELECT name, kind FROM organs WHERE id = $1", args![id])
        .await
}

pub async fn organ_name(db: &Db, id: i64) -> Result<Option<String>, StoreError> {
    let r: Option<(String,)> = db
        .fetch_optional("SELECT name FROM organs WHERE id = $1", args![id])
        .await?;
    Ok(r.map(|r| r.0))
}

// ---------------------------------------------------------------------------------------------
// Deadlines: the sweeper and overdue rates
// ---------------------------------------------------------------------------------------------

/// What one sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sweep {
    pub refreshed: usize,
    pub raised: usize,
    pub cleared: usize,
}

/// Keeps deadlines and alerts current: recomputes the deadline of cases whose clock is stopped
/// (their due date moves each working day), could not be computed or was computed provisionally
/// (a holiday table may have been loaded since); raises a due-soon or overdue alert once per case, deadline and date for
/// the institution and the regulators in scope; clears alerts that no longer hold.
/// `ctx_for` gives the procedure numbers of a case's province.
pub async fn sweep(
    db: &Db,
    today: Date,
    cal: &WorkingCalendar,
    policy_for: impl Fn(&str) -> Policy,
) -> Result<Sweep, StoreError> {
    let mut out = Sweep::default();
    let stale: Vec<(i64,)> = db
        .fetch_all(
            "SELECT id FROM cases WHERE stage = 'clock_stopped' OR deadline = 'unknown' OR due_provisional = $1",
            args![true],
        )
        .await?;
    for (id,) in stale {
        let mut tx = db.begin().await?;
        let c = get(&mut tx, &Scope::All, id).await?;
        let f = facts(&mut tx, &c).await?;
        let policy = policy_for(&c.region_path);
        let ctx = Ctx {
            today,
            cal,
            policy: &policy,
        };
        steps::refresh_deadline(&mut tx, &c, &f, ctx).await?;
        tx.commit().await?;
        out.refreshed += 1;
    }
    let now = now_ms();
    out.cleared = db
        .execute(
            "UPDATE case_alerts SET cleared_at = $1 WHERE cleared_at IS NULL AND NOT EXISTS (\
             SELECT 1 FROM cases k WHERE k.id = case_alerts.case_id AND k.due_on = case_alerts.due_on AND k.deadline = case_alerts.deadline)",
            args![now],
        )
        .await? as usize;
    let open: Vec<(i64, i64, String, String, String)> = db
        .fetch_all(
            "SELECT id, institution_id, region_path, deadline, due_on FROM cases WHERE due_on IS NOT NULL AND deadline IN ('accept', 'complete')",
            args![],
        )
        .await?;
    for (id, inst, path, deadline, due) in open {
        let Ok(due_date) = Date::parse(&due) else {
            continue;
        };
        let policy = policy_for(&path);
        let kind = if due_date < today {
            "overdue"
        } else {
            // A provisional date counts as much as an exact one.
            match cal.reckon_working_days_between(today, due_date) {
                Ok(left) if left.value <= policy.due_soon_days => "due_soon",
                _ => continue,
            }
        };
        out.raised += db
            .execute(
                "INSERT INTO case_alerts (case_id, institution_id, region_path, kind, deadline, due_on, raised_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (case_id, kind, deadline, due_on) DO NOTHING",
                args![id, inst, path.as_str(), kind, deadline.as_str(), due.as_str(), now],
            )
            .await? as usize;
    }
    Ok(out)
}

api_row! { deadline_alert_row:
    /// An alert on a case's deadline.
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Alert {
        pub id: i64,
        pub case_id: i64,
        pub institution_name: String,
        pub client_name: String,
        /// due_soon | overdue
        pub kind: String,
        /// accept | complete
        pub deadline: String,
        pub due_on: String,
        /// The case's due date is provisional (a year without a holiday table).
        pub due_provisional: bool,
        pub raised_at: i64,
    }
}

/// Open alerts in scope, most urgent first.
pub async fn alerts(db: &Db, scope: &Scope, limit: i64) -> Result<Vec<Alert>, StoreError> {
    let mut a = Args::new();
    let pred = predicate(scope, Scoped::Case, &mut a);
    let lim = a.push(limit);
    db.fetch_all(
        &format!(
            "SELECT al.id, al.case_id, i.name AS institution_name, k.client_name, al.kind, al.deadline, al.due_on, k.due_provisional, al.raised_at \
             FROM case_alerts al JOIN cases k ON k.id = al.case_id JOIN institutions i ON i.id = k.institution_id \
             WHERE al.cleared_at IS NULL AND {pred} ORDER BY al.due_on, al.id LIMIT {lim}"
        ),
        a,
    )
    .await
}

api_row! { overdue_rate_row:
    /// Per institution: cases with a deadline, how many missed it (overdue now, accepted late, or
    /// still running past the date), and the rate.
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct OverdueRate {
        pub institution_id: i64,
        pub institution_name: String,
        pub cases: i64,
        pub overdue: i64,
    }
}

pub async fn overdue_rates(
    db: &Db,
    scope: &Scope,
    today: Date,
) -> Result<Vec<OverdueRate>, StoreError> {
    let mut a = Args::new();
    let pred = predicate(scope, Scoped::Case, &mut a);
    let t = a.push(today.to_string());
    db.fetch_all(
        &format!(
            "SELECT k.institution_id, i.name AS institution_name, COUNT(*) AS cases, \
             SUM(CASE WHEN k.accept_late = {tr} OR (k.due_on IS NOT NULL AND k.due_on < {t}) \
                      OR EXISTS (SELECT 1 FROM case_alerts al WHERE al.case_id = k.id AND al.kind = 'overdue') THEN 1 ELSE 0 END) AS overdue \
             FROM cases k JOIN institutions i ON i.id = k.institution_id WHERE {pred} \
             GROUP BY k.institution_id, i.name ORDER BY i.name",
            tr = a.push(true),
        ),
        a,
    )
    .await
}

/// How many cases are at `stage`.
pub async fn count_at_stage(db: &Db, stage: Stage) -> Result<i64, StoreError> {
    db.scalar(
        "SELECT COUNT(*) FROM cases WHERE stage = $1",
        args![stage.as_str()],
    )
    .await
}

/// Every case's id, ascending.
pub async fn ids(db: &Db) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<(i64,)> = db
        .fetch_all("SELECT id FROM cases ORDER BY id", args![])
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
