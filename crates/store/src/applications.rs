//! Online licensing (网上审批): applications to establish, change, renew or cancel an institution
//! and to register, change or cancel an appraiser. The rules are the domain's
//! (`sijian_domain::licensing`); here each step is checked against the stored application,
//! written with its event in one transaction, and on approval the register is changed in the
//! same transaction, so nothing is half-written.
use crate::db::{Args, Exec, Tx};
use crate::error::DbMessage;
use crate::events::{Actor, NewEvent, append};
use crate::list::{ListQuery, Listing, Page};
use crate::registry::{
    AppraiserFields, InstitutionChange, InstitutionFields, change_appraiser, change_institution,
    insert_appraiser, insert_institution,
};
use crate::scope::{Scoped, predicate};
use crate::{Db, StoreError, args, now_ms, regions};
use serde::Serialize;
use sijian_domain::Scope;
use sijian_domain::licensing::{self, ApplicationKind, LicensingError, Policy, Review, Stage};

impl From<LicensingError> for StoreError {
    fn from(e: LicensingError) -> Self {
        StoreError::Invalid {
            field: e.field().into(),
            message: e.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Application {
    pub id: i64,
    pub kind: String,
    pub stage: String,
    pub region_code: String,
    pub region_name: String,
    pub region_path: String,
    pub institution_id: Option<i64>,
    pub institution_name: Option<String>,
    pub appraiser_id: Option<i64>,
    pub applicant_id: Option<i64>,
    pub applicant_name: Option<String>,
    pub subject: String,
    /// Proposed register fields (JSON text).
    pub payload: String,
    /// Eligibility declarations (JSON text).
    pub eligibility: String,
    pub submitted_on: String,
    pub accepted_on: Option<String>,
    pub review_started_on: Option<String>,
    pub review_finished_on: Option<String>,
    pub extended: bool,
    pub return_reasons: String,
    pub decision_reasons: String,
    pub decided_at: Option<i64>,
    pub result_id: Option<i64>,
    pub review_count: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
}

const APP_SELECT: &str = "p.id, p.kind, p.stage, p.region_code, r.name AS region_name, p.region_path, p.institution_id, i.name AS institution_name, \
    p.appraiser_id, p.applicant_id, u.display_name AS applicant_name, p.subject, p.payload, p.eligibility, p.submitted_on, p.accepted_on, \
    p.review_started_on, p.review_finished_on, p.extended, p.return_reasons, p.decision_reasons, p.decided_at, p.result_id, \
    (SELECT COUNT(*) FROM application_reviews v WHERE v.application_id = p.id) AS review_count, p.created_at, p.updated_at, p.version";
const APP_FROM: &str = "applications p JOIN regions r ON r.code = p.region_code \
    LEFT JOIN institutions i ON i.id = p.institution_id LEFT JOIN users u ON u.id = p.applicant_id";

const APP_SORTS: &[(&str, &str)] = &[
    ("submitted", "p.submitted_on"),
    ("stage", "p.stage"),
    ("kind", "p.kind"),
    ("subject", "p.subject"),
    ("updated", "p.updated_at"),
];

#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub stage: Option<String>,
    pub kind: Option<String>,
    /// Only applications still being handled.
    pub open: bool,
}

pub async fn list(
    db: &Db,
    scope: &Scope,
    f: &ApplicationFilter,
    q: &ListQuery,
) -> Result<Page<Application>, StoreError> {
    let mut l = Listing::new(APP_SELECT, APP_FROM);
    let p = predicate(scope, Scoped::Application, &mut l.args);
    l.push(p);
    l.eq("p.stage", f.stage.clone());
    l.eq("p.kind", f.kind.clone());
    if f.open {
        l.push("p.stage IN ('submitted', 'returned', 'accepted')".into());
    }
    l.search(q.search(), &["p.subject", "i.name"]);
    l.run(db, q, APP_SORTS, "p.id").await
}

async fn fetch(exec: Exec<'_>, scope: &Scope, id: i64) -> Result<Application, StoreError> {
    let mut a = Args::new();
    let idp = a.push(id);
    let pred = predicate(scope, Scoped::Application, &mut a);
    exec.fetch_optional(
        &format!("SELECT {APP_SELECT} FROM {APP_FROM} WHERE p.id = {idp} AND {pred}"),
        a,
    )
    .await?
    .ok_or(StoreError::NotFound)
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Application, StoreError> {
    fetch(db.exec(), scope, id).await
}

impl Application {
    pub fn kind(&self) -> Option<ApplicationKind> {
        ApplicationKind::parse(&self.kind)
    }
    pub fn stage(&self) -> Stage {
        Stage::parse(&self.stage).unwrap_or(Stage::Withdrawn)
    }
}

/// Proposed register fields, by kind of application.
#[derive(Debug, Clone)]
pub enum Proposal {
    Institution(InstitutionFields),
    Appraiser(AppraiserFields),
}

impl Proposal {
    fn to_json(&self) -> String {
        match self {
            Proposal::Institution(f) => serde_json::json!({ "institution": f }),
            Proposal::Appraiser(f) => serde_json::json!({ "appraiser": f }),
        }
        .to_string()
    }
    pub fn parse(json: &str) -> Result<Proposal, StoreError> {
        let v: serde_json::Value =
            serde_json::from_str(json).map_err(|e| StoreError::Other(DbMessage(e.to_string())))?;
        let bad = |e: serde_json::Error| StoreError::Other(DbMessage(e.to_string()));
        if let Some(f) = v.get("institution") {
            Ok(Proposal::Institution(
                serde_json::from_value(f.clone()).map_err(bad)?,
            ))
        } else if let Some(f) = v.get("appraiser") {
            Ok(Proposal::Appraiser(
                serde_json::from_value(f.clone()).map_err(bad)?,
            ))
        } else {
            Err(StoreError::Other(DbMessage(
                "application payload without fields".into(),
            )))
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewApplication {
    pub kind: ApplicationKind,
    /// The institution concerned (every kind but establishing one).
    pub institution_id: Option<i64>,
    /// The appraiser concerned (appraiser changes and cancellations).
    pub appraiser_id: Option<i64>,
    pub subject: String,
    pub proposal: Proposal,
    pub eligibility: serde_json::Value,
    /// Date of submission, YYYY-MM-DD.
    pub today: String,
}

#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub name: String,
    pub sha256: String,
    pub size: i64,
    pub content_type: String,
    pub created_at: i64,
}

fn event<'a>(kind: &'a str, app: &Application, payload: serde_json::Value) -> NewEvent<'a> {
    NewEvent {
        kind,
        entity_type: "application",
        entity_id: app.id.to_string(),
        scope_path: app.region_path.clone(),
        institution_id: app.institution_id,
        payload,
    }
}

/// Where an application is handled: the region of the institution concerned, which must be in
/// the submitter's scope.
async fn placement(
    tx: &mut Tx,
    scope: &Scope,
    a: &NewApplication,
) -> Result<(String, String), StoreError> {
    if let Some(inst) = a.institution_id {
        let i = crate::registry::get_institution_in(tx, scope, inst).await?;
        return Ok((i.region_code, i.region_path));
    }
    let Proposal::Institution(f) = &a.proposal else {
        return Err(StoreError::Invalid {
            field: "institution_id".into(),
            message: "请选择所在鉴定机构".into(),
        });
    };
    let path = regions::placed_path(tx, scope, &f.region_code).await?;
    Ok((f.region_code.clone(), path))
}

pub async fn submit(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    a: &NewApplication,
    files: &[NewAttachment],
) -> Result<Application, StoreError> {
    let mut tx = db.begin().await?;
    let (region_code, region_path) = placement(&mut tx, scope, a).await?;
    let now = now_ms();
    let id: i64 = tx
        .scalar(
            "INSERT INTO applications (kind, stage, region_code, region_path, institution_id, appraiser_id, applicant_id, subject, payload, eligibility, submitted_on, created_at, updated_at) \
             VALUES ($1, 'submitted', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
            args![a.kind.as_str(), region_code, region_path, a.institution_id, a.appraiser_id, actor.user_id, a.subject.as_str(), a.proposal.to_json(), a.eligibility.to_string(), a.today.as_str(), now],
        )
        .await?;
    let mut names = Vec::new();
    for f in files {
        let sha = store_attachment(&mut tx, id, f, now).await?;
        names.push(serde_json::json!({ "name": f.name, "sha256": sha, "size": f.data.len() }));
    }
    let app = fetch(tx.exec(), &Scope::All, id).await?;
    append(
        &mut tx,
        actor,
        event(
            "application.submitted",
            &app,
            serde_json::json!({ "kind": a.kind.as_str(), "subject": a.subject, "attachments": names }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(app)
}

async fn store_attachment(
    tx: &mut Tx,
    application_id: i64,
    f: &NewAttachment,
    now: i64,
) -> Result<String, StoreError> {
    let (sha, size) = crate::blobs::put(tx, &f.content_type, &f.data, now).await?;
    tx.execute(
        "INSERT INTO application_attachments (application_id, name, sha256, size, content_type, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        args![application_id, f.name.as_str(), sha.as_str(), size, f.content_type.as_str(), now],
    )
    .await?;
    Ok(sha)
}

pub async fn attachments(db: &Db, application_id: i64) -> Result<Vec<Attachment>, StoreError> {
    db.fetch_all(
        "SELECT id, name, sha256, size, content_type, created_at FROM application_attachments WHERE application_id = $1 ORDER BY id",
        args![application_id],
    )
    .await
}

/// One attachment's bytes, if its application is in scope: (name, content type, data).
pub async fn attachment_data(
    db: &Db,
    scope: &Scope,
    application_id: i64,
    attachment_id: i64,
) -> Result<(String, String, Vec<u8>), StoreError> {
    fetch(db.exec(), scope, application_id).await?;
    db.fetch_optional(
        "SELECT a.name, a.content_type, b.data FROM application_attachments a JOIN blobs b ON b.sha256 = a.sha256 \
         WHERE a.application_id = $1 AND a.id = $2",
        args![application_id, attachment_id],
    )
    .await?
    .ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub expert_id: i64,
    pub expert_name: String,
    pub expert_organisation: String,
    pub score: i64,
    pub recommend: bool,
    pub comment: String,
    pub created_at: i64,
}

pub async fn reviews(db: &Db, application_id: i64) -> Result<Vec<ReviewRow>, StoreError> {
    reviews_in(db.exec(), application_id).await
}

async fn reviews_in(exec: Exec<'_>, application_id: i64) -> Result<Vec<ReviewRow>, StoreError> {
    exec.fetch_all(
        "SELECT v.id, v.expert_id, x.name AS expert_name, x.organisation AS expert_organisation, v.score, v.recommend, v.comment, v.created_at \
         FROM application_reviews v JOIN experts x ON x.id = v.expert_id WHERE v.application_id = $1 ORDER BY v.id",
        args![application_id],
    )
    .await
}

fn domain_reviews(rows: &[ReviewRow]) -> Vec<Review> {
    rows.iter()
        .map(|r| Review {
            expert_id: r.expert_id,
            score: u32::try_from(r.score).unwrap_or(0),
            recommend: r.recommend,
        })
        .collect()
}

/// Loads an application in scope for a change, checking the version the caller saw.
async fn open_for_change(
    tx: &mut Tx,
    scope: &Scope,
    id: i64,
    expected_version: i64,
) -> Result<Application, StoreError> {
    let app = fetch(tx.exec(), scope, id).await?;
    if app.version != expected_version {
        return Err(StoreError::Conflict);
    }
    Ok(app)
}

async fn set_stage(
    tx: &mut Tx,
    app: &Application,
    stage: Stage,
    extra_sql: &str,
    mut extra: Args,
) -> Result<(), StoreError> {
    let stage_p = extra.push(stage.as_str());
    let now_p = extra.push(now_ms());
    let id_p = extra.push(app.id);
    let ver_p = extra.push(app.version);
    let sep = if extra_sql.is_empty() { "" } else { ", " };
    let n = tx
        .execute(
            &format!(
                "UPDATE applications SET stage = {stage_p}, updated_at = {now_p}, version = version + 1{sep}{extra_sql} WHERE id = {id_p} AND version = {ver_p}"
            ),
            extra,
        )
        .await?;
    if n != 1 {
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// Material check (形式审查): complete → accepted (受理); incomplete → returned for correction
/// with every point at once (《行政许可法》第三十二条).
pub async fn check_materials(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    expected_version: i64,
    complete: bool,
    reasons: &str,
    today: &str,
) -> Result<Application, StoreError> {
    let mut tx = db.begin().await?;
    let app = open_for_change(&mut tx, scope, id, expected_version).await?;
    let kind = app.kind().ok_or(StoreError::NotFound)?;
    let stage = licensing::material_check(kind, app.stage(), complete, reasons)?;
    let mut a = Args::new();
    let sql = if complete {
        format!("accepted_on = {}", a.push(today))
    } else {
        format!("return_reasons = {}", a.push(reasons.trim()))
    };
    set_stage(&mut tx, &app, stage, &sql, a).await?;
    let kind_name = if complete {
        "application.accepted"
    } else {
        "application.returned"
    };
    append(
        &mut tx,
        actor,
        event(
            kind_name,
            &app,
            serde_json::json!({ "reasons": reasons.trim(), "on": today }),
        ),
    )
    .await?;
    let out = fetch(tx.exec(), &Scope::All, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// The applicant sends a returned application back with corrected fields (the material check
/// period starts again from today).
pub async fn resubmit(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    expected_version: i64,
    proposal: Option<&Proposal>,
    files: &[NewAttachment],
    today: &str,
) -> Result<Application, StoreError> {
    let mut tx = db.begin().await?;
    let app = open_for_change(&mut tx, scope, id, expected_version).await?;
    let stage = licensing::resubmit(app.stage())?;
    let mut a = Args::new();
    let mut sql = format!("submitted_on = {}", a.push(today));
    if let Some(p) = proposal {
        sql.push_str(&format!(", payload = {}", a.push(p.to_json())));
    }
    set_stage(&mut tx, &app, stage, &sql, a).await?;
    let now = now_ms();
    let mut names = Vec::new();
    for f in files {
        let sha = store_attachment(&mut tx, id, f, now).await?;
        names.push(serde_json::json!({ "name": f.name, "sha256": sha }));
    }
    append(
        &mut tx,
        actor,
        event(
            "application.resubmitted",
            &app,
            serde_json::json!({ "fields_changed": proposal.is_some(), "attachments": names }),
        ),
    )
    .await?;
    let out = fetch(tx.exec(), &Scope::All, id).await?;
    tx.commit().await?;
    Ok(out)
}

pub async fn withdraw(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    expected_version: i64,
) -> Result<Application, StoreError> {
    let mut tx = db.begin().await?;
    let app = open_for_change(&mut tx, scope, id, expected_version).await?;
    let stage = licensing::withdraw(app.stage())?;
    set_stage(&mut tx, &app, stage, "", Args::new()).await?;
    append(
        &mut tx,
        actor,
        event("application.withdrawn", &app, serde_json::json!({})),
    )
    .await?;
    let out = fetch(tx.exec(), &Scope::All, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// Extends the decision period once (《行政许可法》第四十二条).
pub async fn extend(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    expected_version: i64,
    reasons: &str,
) -> Result<Application, StoreError> {
    let mut tx = db.begin().await?;
    let app = open_for_change(&mut tx, scope, id, expected_version).await?;
    let stage = licensing::extend(app.stage(), app.extended)?;
    let mut a = Args::new();
    let sql = format!("extended = {}", a.push(true));
    set_stage(&mut tx, &app, stage, &sql, a).await?;
    append(
        &mut tx,
        actor,
        event(
            "application.extended",
            &app,
            serde_json::json!({ "reasons": reasons.trim() }),
        ),
    )
    .await?;
    let out = fetch(tx.exec(), &Scope::All, id).await?;
    tx.commit().await?;
    Ok(out)
}

#[derive(Debug, Clone)]
pub struct NewReview {
    pub expert_id: i64,
    pub score: u32,
    pub recommend: bool,
    pub comment: String,
}

/// Records one expert's review. The expert must be on the list of a region that reaches the
/// application and not belong to the applicant (回避). The review period starts with the first
/// review and ends when the required number is reached (its time is not counted,
/// 《行政许可法》第四十五条).
pub async fn add_review(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    r: &NewReview,
    policy: &Policy,
    today: &str,
) -> Result<Application, StoreError> {
    let mut tx = db.begin().await?;
    let app = fetch(tx.exec(), scope, id).await?;
    let kind = app.kind().ok_or(StoreError::NotFound)?;
    let expert: Option<(String, String, String, bool)> = tx
        .fetch_optional(
            "SELECT name, organisation, region_path, active FROM experts WHERE id = $1",
            args![r.expert_id],
        )
        .await?;
    let Some((expert_name, organisation, expert_path, active)) = expert else {
        return Err(StoreError::Invalid {
            field: "expert_id".into(),
            message: "专家不在专家库中".into(),
        });
    };
    if !active || !app.region_path.starts_with(&expert_path) {
        return Err(StoreError::Invalid {
            field: "expert_id".into(),
            message: "该专家不在本辖区的在册专家名单中".into(),
        });
    }
    let existing = reviews_in(tx.exec(), id).await?;
    let parties: Vec<i64> = if organisation.trim().is_empty()
        || (organisation != app.subject && Some(&organisation) != app.institution_name.as_ref())
    {
        Vec::new()
    } else {
        vec![r.expert_id]
    };
    let new = Review {
        expert_id: r.expert_id,
        score: r.score,
        recommend: r.recommend,
    };
    licensing::add_review(
        kind,
        app.stage(),
        &domain_reviews(&existing),
        &new,
        &parties,
    )?;
    tx.execute(
        "INSERT INTO application_reviews (application_id, expert_id, score, recommend, comment, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![id, r.expert_id, i64::from(r.score), r.recommend, r.comment.trim(), actor.user_id, now_ms()],
    )
    .await?;
    let count = existing.len() as u32 + 1;
    let mut a = Args::new();
    let mut sql = Vec::new();
    if app.review_started_on.is_none() {
        sql.push(format!("review_started_on = {}", a.push(today)));
    }
    if count >= policy.min_expert_reviews && app.review_finished_on.is_none() {
        sql.push(format!("review_finished_on = {}", a.push(today)));
    }
    set_stage(&mut tx, &app, app.stage(), &sql.join(", "), a).await?;
    append(
        &mut tx,
        actor,
        event(
            "application.reviewed",
            &app,
            serde_json::json!({ "expert_id": r.expert_id, "expert": expert_name, "score": r.score, "recommend": r.recommend, "comment": r.comment.trim() }),
        ),
    )
    .await?;
    let out = fetch(tx.exec(), &Scope::All, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// The decision. An approval changes the register in the same transaction: a new institution
/// or appraiser, or the proposed fields laid over the current record.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    expected_version: i64,
    approve: bool,
    reasons: &str,
    policy: &Policy,
) -> Result<Application, StoreError> {
    let mut tx = db.begin().await?;
    let app = open_for_change(&mut tx, scope, id, expected_version).await?;
    let kind = app.kind().ok_or(StoreError::NotFound)?;
    let existing = reviews_in(tx.exec(), id).await?;
    let stage = licensing::decide(
        kind,
        app.stage(),
        &domain_reviews(&existing),
        policy,
        approve,
        reasons,
    )?;
    let result_id = if approve {
        Some(apply(&mut tx, actor, scope, &app, kind).await?)
    } else {
        None
    };
    let mut a = Args::new();
    let sql = format!(
        "decision_reasons = {}, decided_at = {}, decided_by = {}, result_id = {}",
        a.push(reasons.trim()),
        a.push(now_ms()),
        a.push(actor.user_id),
        a.push(result_id)
    );
    set_stage(&mut tx, &app, stage, &sql, a).await?;
    append(
        &mut tx,
        actor,
        event(
            if approve {
                "application.approved"
            } else {
                "application.refused"
            },
            &app,
            serde_json::json!({ "reasons": reasons.trim(), "result_id": result_id, "reviews": existing.len() }),
        ),
    )
    .await?;
    let out = fetch(tx.exec(), &Scope::All, id).await?;
    tx.commit().await?;
    Ok(out)
}

async fn apply(
    tx: &mut Tx,
    actor: &Actor,
    scope: &Scope,
    app: &Application,
    kind: ApplicationKind,
) -> Result<i64, StoreError> {
    let stated = serde_json::from_str::<serde_json::Value>(&app.eligibility)
        .ok()
        .and_then(|v| v["reason"].as_str().map(str::to_string))
        .filter(|r| !r.trim().is_empty());
    let reason = match stated {
        Some(r) => format!("{}（申请第{}号）：{r}", kind.label_zh(), app.id),
        None => format!("{}（申请第{}号）", kind.label_zh(), app.id),
    };
    match (kind, Proposal::parse(&app.payload)?) {
        (ApplicationKind::InstitutionEstablish, Proposal::Institution(f)) => {
            insert_institution(tx, actor, scope, &f, &reason).await
        }
        (
            ApplicationKind::InstitutionChange
            | ApplicationKind::InstitutionRenew
            | ApplicationKind::InstitutionCancel,
            Proposal::Institution(f),
        ) => {
            let inst_id = app.institution_id.ok_or(StoreError::NotFound)?;
            let current = crate::registry::get_institution_in(tx, scope, inst_id).await?;
            change_institution(
                tx,
                actor,
                scope,
                inst_id,
                current.version,
                &f,
                InstitutionChange::Registration,
                &reason,
            )
            .await
            .map(|i| i.id)
        }
        (ApplicationKind::AppraiserRegister, Proposal::Appraiser(f)) => {
            insert_appraiser(tx, actor, scope, &f, &reason).await
        }
        (
            ApplicationKind::AppraiserChange | ApplicationKind::AppraiserCancel,
            Proposal::Appraiser(f),
        ) => {
            let app_id = app.appraiser_id.ok_or(StoreError::NotFound)?;
            let current = crate::registry::get_appraiser_in(tx, scope, app_id).await?;
            change_appraiser(tx, actor, scope, app_id, current.version, &f, true, &reason)
                .await
                .map(|a| a.id)
        }
        _ => Err(StoreError::Other(DbMessage(
            "application payload does not match its kind".into(),
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// The expert list

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Expert {
    pub id: i64,
    pub name: String,
    pub organisation: String,
    pub title: String,
    pub speciality: String,
    pub region_path: String,
    pub active: bool,
}

/// Experts whose list reaches `region_path` (their own region or above), active first.
pub async fn experts_for(db: &Db, region_path: &str) -> Result<Vec<Expert>, StoreError> {
    let all: Vec<Expert> = db
        .fetch_all(
            "SELECT id, name, organisation, title, speciality, region_path, active FROM experts WHERE active = $1 ORDER BY name, id",
            args![true],
        )
        .await?;
    Ok(all
        .into_iter()
        .filter(|e| region_path.starts_with(&e.region_path))
        .collect())
}

#[derive(Debug, Clone)]
pub struct NewExpert {
    pub name: String,
    pub organisation: String,
    pub title: String,
    pub speciality: String,
    pub region_code: String,
}

pub async fn add_expert(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    e: &NewExpert,
) -> Result<Expert, StoreError> {
    let mut tx = db.begin().await?;
    let path = regions::placed_path(&mut tx, scope, &e.region_code).await?;
    let id: i64 = tx
        .scalar(
            "INSERT INTO experts (name, organisation, title, speciality, region_path, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            args![e.name.as_str(), e.organisation.as_str(), e.title.as_str(), e.speciality.as_str(), path.as_str(), now_ms()],
        )
        .await?;
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: "expert.added",
            entity_type: "expert",
            entity_id: id.to_string(),
            scope_path: path,
            institution_id: None,
            payload: serde_json::json!({ "name": e.name, "organisation": e.organisation, "title": e.title, "speciality": e.speciality }),
        },
    )
    .await?;
    let row = tx
        .fetch_optional(
            "SELECT id, name, organisation, title, speciality, region_path, active FROM experts WHERE id = $1",
            args![id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(row)
}
