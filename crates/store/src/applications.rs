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
use crate::scope::{Scoped, ScopedRows, predicate};
use crate::{Db, StoreError, args, now_ms, regions};
use serde::Serialize;
use sijian_domain::Scope;
use sijian_domain::calendar::Date;
use sijian_domain::licensing::{
    self, ApplicationCommand, ApplicationFacts, ApplicationField, ApplicationKind, ExpertFacts,
    LicensingError, Policy, Review, Stage, StoredFile, Transition,
};

impl From<LicensingError> for StoreError {
    fn from(e: LicensingError) -> Self {
        StoreError::Invalid {
            field: e.field().into(),
            message: e.to_string(),
        }
    }
}

api_row! { application_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Application {
        pub id: i64,
        #[sqlx(try_from = "crate::column::Text")]
        pub kind: ApplicationKind,
        #[sqlx(try_from = "crate::column::Text")]
        pub stage: Stage,
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
        #[sqlx(try_from = "crate::column::Text")]
        pub submitted_on: Date,
        #[sqlx(try_from = "crate::column::OptText")]
        pub accepted_on: Option<Date>,
        #[sqlx(try_from = "crate::column::OptText")]
        pub review_started_on: Option<Date>,
        #[sqlx(try_from = "crate::column::OptText")]
        pub review_finished_on: Option<Date>,
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

const APP_ROWS: ScopedRows = ScopedRows::new(Scoped::Application, APP_SELECT, APP_FROM, "p.id");

async fn fetch(exec: Exec<'_>, scope: &Scope, id: i64) -> Result<Application, StoreError> {
    APP_ROWS.one(exec, scope, id).await
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Application, StoreError> {
    fetch(db.exec(), scope, id).await
}

/// Proposed register fields, by kind of application.
#[derive(Debug, Clone)]
pub enum Proposal {
    Institution(InstitutionFields),
    Appraiser(AppraiserFields),
}

impl Proposal {
    /// The proposal as stored (JSON text).
    pub fn to_json(&self) -> String {
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

api_row! { attachment_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Attachment {
        pub id: i64,
        pub name: String,
        pub sha256: String,
        pub size: i64,
        pub content_type: String,
        pub created_at: i64,
    }
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

api_row! { review_row:
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

/// The stored reviews as the rules see them.
pub fn domain_reviews(rows: &[ReviewRow]) -> Vec<Review> {
    rows.iter()
        .map(|r| Review {
            expert_id: r.expert_id,
            score: u32::try_from(r.score).unwrap_or(0),
            recommend: r.recommend,
        })
        .collect()
}

/// Who takes a step on which application, and when. `policy` gives the approval numbers of
/// the application's region.
#[derive(Clone, Copy)]
pub struct At<'a> {
    pub actor: &'a Actor,
    pub scope: &'a Scope,
    pub id: i64,
    /// The version the caller saw; none for an expert review, which adds to the application
    /// whatever its version.
    pub version: Option<i64>,
    /// YYYY-MM-DD.
    pub today: &'a str,
    pub policy: &'a (dyn Fn(&str) -> Policy + Sync),
}

/// The facts of a stored application (with the expert a review names).
async fn facts(
    tx: &mut Tx,
    app: &Application,
    kind: ApplicationKind,
    command: &ApplicationCommand,
) -> Result<ApplicationFacts, StoreError> {
    let reviews = reviews_in(tx.exec(), app.id).await?;
    let expert = match command {
        ApplicationCommand::AddReview { expert_id, .. } => {
            let row: Option<(String, String, String, bool)> = tx
                .fetch_optional(
                    "SELECT name, organisation, region_path, active FROM experts WHERE id = $1",
                    args![*expert_id],
                )
                .await?;
            row.map(|(name, organisation, region_path, active)| ExpertFacts {
                id: *expert_id,
                name,
                organisation,
                region_path,
                active,
            })
        }
        _ => None,
    };
    Ok(ApplicationFacts {
        kind,
        stage: app.stage,
        region_path: app.region_path.clone(),
        subject: app.subject.clone(),
        institution_name: app.institution_name.clone(),
        extended: app.extended,
        review_started: app.review_started_on.is_some(),
        review_finished: app.review_finished_on.is_some(),
        reviews: domain_reviews(&reviews),
        expert,
    })
}

/// Takes one step of an application: open it (at the version the caller saw), store the files
/// sent with it, let the domain decide (`licensing::decide`), apply the transition, commit.
pub async fn step(
    db: &Db,
    at: &At<'_>,
    command: ApplicationCommand,
    files: &[NewAttachment],
) -> Result<Application, StoreError> {
    let mut tx = db.begin().await?;
    let app = fetch(tx.exec(), at.scope, at.id).await?;
    if at.version.is_some_and(|v| v != app.version) {
        return Err(StoreError::Conflict);
    }
    let kind = app.kind;
    let command = match command {
        ApplicationCommand::Resubmit { proposal, .. } => {
            let now = now_ms();
            let mut stored = Vec::new();
            for f in files {
                let sha256 = store_attachment(&mut tx, app.id, f, now).await?;
                stored.push(StoredFile {
                    name: f.name.clone(),
                    sha256,
                });
            }
            ApplicationCommand::Resubmit {
                proposal,
                files: stored,
            }
        }
        other => other,
    };
    let facts = facts(&mut tx, &app, kind, &command).await?;
    let policy = (at.policy)(&app.region_path);
    let ctx = licensing::Context {
        today: at.today,
        policy: &policy,
    };
    let t = licensing::decide(&facts, &command, &ctx)?;
    apply(&mut tx, at, &app, kind, t).await?;
    let out = fetch(tx.exec(), &Scope::All, app.id).await?;
    tx.commit().await?;
    Ok(out)
}

/// Applies any transition: the expert review, the register change of an approval, the
/// application row under the version check, and the event.
async fn apply(
    tx: &mut Tx,
    at: &At<'_>,
    app: &Application,
    kind: ApplicationKind,
    mut t: Transition,
) -> Result<(), StoreError> {
    let now = now_ms();
    if let Some(r) = &t.review {
        tx.execute(
            "INSERT INTO application_reviews (application_id, expert_id, score, recommend, comment, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![app.id, r.expert_id, i64::from(r.score), r.recommend, r.comment.as_str(), at.actor.user_id, now],
        )
        .await?;
    }
    let result_id = if t.changes_register {
        Some(change_register(tx, at.actor, at.scope, app, kind).await?)
    } else {
        None
    };
    let mut a = Args::new();
    let mut set = String::new();
    for f in &t.fields {
        let cols: Vec<(&str, crate::Val)> = match f {
            ApplicationField::AcceptedOn(d) => vec![("accepted_on", d.as_str().into())],
            ApplicationField::ReturnReasons(r) => vec![("return_reasons", r.as_str().into())],
            ApplicationField::SubmittedOn(d) => vec![("submitted_on", d.as_str().into())],
            ApplicationField::Proposal(p) => vec![("payload", p.as_str().into())],
            ApplicationField::Extended(b) => vec![("extended", (*b).into())],
            ApplicationField::ReviewStartedOn(d) => vec![("review_started_on", d.as_str().into())],
            ApplicationField::ReviewFinishedOn(d) => {
                vec![("review_finished_on", d.as_str().into())]
            }
            ApplicationField::Decision(r) => vec![
                ("decision_reasons", r.as_str().into()),
                ("decided_at", now.into()),
                ("decided_by", at.actor.user_id.into()),
                ("result_id", result_id.into()),
            ],
        };
        for (col, v) in cols {
            let p = a.push(v);
            set.push_str(&format!(", {col} = {p}"));
        }
    }
    let stage_p = a.push(t.stage.as_str());
    let now_p = a.push(now);
    let id_p = a.push(app.id);
    let ver_p = a.push(app.version);
    let n = tx
        .execute(
            &format!(
                "UPDATE applications SET stage = {stage_p}, updated_at = {now_p}, version = version + 1{set} WHERE id = {id_p} AND version = {ver_p}"
            ),
            a,
        )
        .await?;
    if n != 1 {
        return Err(StoreError::Conflict);
    }
    if let Some(v) = t.payload.get_mut("result_id") {
        *v = serde_json::json!(result_id);
    }
    append(tx, at.actor, event(t.event, app, t.payload)).await?;
    Ok(())
}

/// Lays an approved application's proposal over the register; returns the record's id.
async fn change_register(
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
            let edit = crate::registry::Edit {
                actor,
                scope,
                id: inst_id,
                version: current.version,
                reason: &reason,
            };
            change_institution(tx, &edit, &f, InstitutionChange::Registration)
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
            let edit = crate::registry::Edit {
                actor,
                scope,
                id: app_id,
                version: current.version,
                reason: &reason,
            };
            change_appraiser(tx, &edit, &f, true).await.map(|a| a.id)
        }
        _ => Err(StoreError::Other(DbMessage(
            "application payload does not match its kind".into(),
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// The expert list

api_row! { expert_row:
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
