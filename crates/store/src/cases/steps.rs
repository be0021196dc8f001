//! The steps of a case, all the same way: open the case at the version the caller saw, load the
//! facts the command needs, let the domain decide (`procedure::decide`), and apply the
//! transition it returns — the side records, the case row with its new stage and running
//! deadline, the event (and any notification to the commissioning organ) — in one transaction.
use super::{Case, Ctx, NewAttachment, attach, facts, fetch, split_codes};
use crate::db::{Args, Tx};
use crate::events::Actor;
use crate::{Db, StoreError, args, now_ms};
use serde::Serialize;
use sijian_domain::Scope;
use sijian_domain::procedure::{
    self, Appearance, AppraiserFacts, CaseCommand, CaseError, CaseFacts, CaseField, Conflict,
    ConflictKind, Context, NewOpinion, OpinionFacts, RefusalReason, SameMatterLink, SideRecord,
    StepFacts, TerminationReason, Transition,
};

pub use sijian_domain::procedure::SignedBy;

/// Who takes a step on which case, at the version they saw, and when.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub actor: &'a Actor,
    pub scope: &'a Scope,
    pub id: i64,
    pub version: i64,
    pub ctx: Ctx<'a>,
}

/// A step taken: the case as it now is, the event that records it, and for an issue the code
/// and key.
#[derive(Debug, Clone)]
pub struct Stepped {
    pub case: Case,
    pub event_id: i64,
    pub issued: Option<Issued>,
}

fn context(ctx: Ctx<'_>) -> Context<'_> {
    Context {
        today: ctx.today,
        calendar: ctx.cal,
        policy: ctx.policy,
    }
}

/// Takes one step of the procedure. A file the command carries (the contract, the final
/// opinion, a corrected document) is stored first and its SHA-256 handed to the decision.
pub async fn run(
    db: &Db,
    at: &At<'_>,
    command: CaseCommand,
    file: Option<&NewAttachment>,
) -> Result<Stepped, StoreError> {
    let mut tx = db.begin().await?;
    let case = fetch(tx.exec(), at.scope, at.id).await?;
    if case.version != at.version {
        return Err(StoreError::Conflict);
    }
    let mut facts = facts(&mut tx, &case).await?;
    let command = match (file, command.file_kind()) {
        (Some(f), Some(kind)) => {
            command.with_file(attach(&mut tx, case.id, kind, f, now_ms()).await?)
        }
        _ => command,
    };
    facts.step = step_facts(&mut tx, &case, &facts.assigned, &command, at.ctx).await?;
    let t = procedure::decide(&facts, &command, &context(at.ctx))?;
    apply(tx, at.actor, &case, &facts, t, at.ctx).await
}

// ---------------------------------------------------------------------------------------------
// The facts a command needs
// ---------------------------------------------------------------------------------------------

async fn step_facts(
    tx: &mut Tx,
    c: &Case,
    assigned: &[i64],
    command: &CaseCommand,
    ctx: Ctx<'_>,
) -> Result<StepFacts, StoreError> {
    let mut f = StepFacts {
        parent_id: c.parent_id,
        review_round: c.review_round,
        ..StepFacts::default()
    };
    // The steps after assignment re-check the panel (通则第十九、二十条): the assigned
    // appraisers as they are now and every ground to withdraw.
    if matches!(
        command,
        CaseCommand::Start
            | CaseCommand::SubmitForReview { .. }
            | CaseCommand::Review { .. }
            | CaseCommand::Sign { .. }
            | CaseCommand::Seal
            | CaseCommand::Issue { .. }
    ) {
        f.panel = appraiser_facts(tx, assigned).await?;
        f.declared_conflicts = declared_conflicts(tx, c.id).await?;
        f.same_matter = same_matter(tx, c).await?;
    }
    match command {
        CaseCommand::Assign { appraiser_ids } => {
            f.appraisers = appraiser_facts(tx, appraiser_ids).await?;
            f.declared_conflicts = declared_conflicts(tx, c.id).await?;
            f.same_matter = same_matter(tx, c).await?;
        }
        CaseCommand::DeclareConflict { appraiser_id, .. } => {
            f.appraisers = appraiser_facts(tx, &[*appraiser_id]).await?;
        }
        CaseCommand::DecideRecusal { .. } => {
            f.declared_conflicts = declared_conflicts(tx, c.id).await?;
        }
        CaseCommand::SubmitForReview { reviewer_ids } => {
            f.appraisers = appraiser_facts(tx, reviewer_ids).await?;
        }
        CaseCommand::Review { .. } => {
            let done: Vec<(i64,)> = tx
                .fetch_all(
                    "SELECT reviewer_id FROM case_reviewers WHERE case_id = $1 AND round = $2 AND agrees IS NOT NULL",
                    args![c.id, c.review_round],
                )
                .await?;
            f.reviewed = done.into_iter().map(|r| r.0).collect();
        }
        CaseCommand::Issue { .. } => f.new_opinion = Some(new_opinion(tx, c, ctx).await?),
        CaseCommand::Correct { .. } => f.opinion = opinion_of(tx, c.id).await?,
        CaseCommand::Revoke { .. } => {
            f.opinion = Some(opinion_of(tx, c.id).await?.ok_or(StoreError::NotFound)?)
        }
        CaseCommand::RecordAppearance { appearance_id, .. } => {
            let current: (String,) = tx
                .fetch_optional(
                    "SELECT status FROM court_appearances WHERE id = $1 AND case_id = $2",
                    args![*appearance_id, c.id],
                )
                .await?
                .ok_or(StoreError::NotFound)?;
            f.appearance = Some(Appearance::parse(&current.0).unwrap_or(Appearance::Notified));
        }
        _ => {}
    }
    Ok(f)
}

#[derive(sqlx::FromRow)]
struct AppraiserRow {
    id: i64,
    name: String,
    institution_id: i64,
    status: String,
    scope: String,
    senior_title: bool,
}

/// The appraisers with these ids that exist.
async fn appraiser_facts(tx: &mut Tx, ids: &[i64]) -> Result<Vec<AppraiserFacts>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let ph: Vec<String> = ids.iter().map(|&i| a.push(i)).collect();
    let rows: Vec<AppraiserRow> = tx
        .fetch_all(
            &format!(
                "SELECT id, name, institution_id, status, scope, senior_title FROM appraisers WHERE id IN ({})",
                ph.join(",")
            ),
            a,
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| AppraiserFacts {
            id: r.id,
            name: r.name,
            institution_id: r.institution_id,
            active: r.status == "active",
            items: split_codes(&r.scope),
            senior_title: r.senior_title,
        })
        .collect())
}

/// 通则第二十条 grounds declared on this case.
async fn declared_conflicts(tx: &mut Tx, case_id: i64) -> Result<Vec<Conflict>, StoreError> {
    let declared: Vec<(i64, String, String)> = tx
        .fetch_all(
            "SELECT appraiser_id, kind, detail FROM case_conflicts WHERE case_id = $1",
            args![case_id],
        )
        .await?;
    Ok(declared
        .into_iter()
        .map(|(appraiser_id, kind, detail)| Conflict {
            appraiser_id,
            kind: match kind.as_str() {
                "same_matter_before" => ConflictKind::SameMatterBefore,
                "consultant" => ConflictKind::Consultant,
                "expert_witness" => ConflictKind::ExpertWitness,
                _ => ConflictKind::Relation(detail),
            },
        })
        .collect())
}

/// Assignments to the other cases of the same matter (the same 案号 and category), at any
/// institution; the domain decides which of them are grounds to withdraw (通则第二十条).
async fn same_matter(tx: &mut Tx, c: &Case) -> Result<Vec<SameMatterLink>, StoreError> {
    let key: Option<(Option<String>,)> = tx
        .fetch_optional(
            "SELECT case_number_key FROM cases WHERE id = $1",
            args![c.id],
        )
        .await?;
    let Some((Some(key),)) = key else {
        return Ok(Vec::new());
    };
    let links: Vec<(i64, i64)> = tx
        .fetch_all(
            "SELECT DISTINCT k.id, ca.appraiser_id FROM cases k JOIN case_assignments ca ON ca.case_id = k.id \
             WHERE k.case_number_key = $1 AND k.category = $2 AND k.id <> $3",
            args![key, c.category.as_str(), c.id],
        )
        .await?;
    Ok(links
        .into_iter()
        .map(|(case_id, appraiser_id)| SameMatterLink {
            case_id,
            appraiser_id,
        })
        .collect())
}

/// A conclusion as stored (JSON of `domain::conclusion::Conclusion`).
fn json_of(c: &sijian_domain::conclusion::Conclusion) -> String {
    serde_json::to_string(c).expect("a conclusion serialises")
}

/// The case's issued opinion, if any.
async fn opinion_of(tx: &mut Tx, case_id: i64) -> Result<Option<OpinionFacts>, StoreError> {
    let row: Option<(String, i64, String, Option<String>)> = tx
        .fetch_optional(
            "SELECT code, version, status, conclusion FROM opinions WHERE case_id = $1",
            args![case_id],
        )
        .await?;
    Ok(row.map(|(code, version, status, conclusion)| OpinionFacts {
        code,
        version,
        revoked: status == "revoked",
        conclusion: conclusion.and_then(|c| serde_json::from_str(&c).ok()),
    }))
}

/// Allocates the code of the opinion about to be issued (the province's code, the year, the
/// matter's category; undone with the transaction if the issue is refused).
async fn new_opinion(tx: &mut Tx, c: &Case, ctx: Ctx<'_>) -> Result<NewOpinion, StoreError> {
    let region = c
        .region_path
        .trim_start_matches('/')
        .get(..2)
        .map(|p| format!("{p}0000"))
        .unwrap_or_default();
    let category: u8 = c.category.parse().unwrap_or(0);
    let year = ctx.today.year() as u16;
    let code = super::opinions::allocate(tx, &region, year, category).await?;
    Ok(NewOpinion {
        code,
        region,
        year,
        category,
        verification_key: super::opinions::new_verification_key(),
    })
}

// ---------------------------------------------------------------------------------------------
// Applying a transition
// ---------------------------------------------------------------------------------------------

fn codes<T: Copy>(v: &[T], f: impl Fn(T) -> &'static str) -> String {
    v.iter().map(|x| f(*x)).collect::<Vec<_>>().join(",")
}

/// The column and value of a changed field.
fn column(f: &CaseField) -> (&'static str, crate::Val) {
    match f {
        CaseField::DecidedOn(d) => ("decided_on", d.to_string().into()),
        CaseField::AcceptLate(b) => ("accept_late", (*b).into()),
        CaseField::AgreedAcceptBy(d) => ("agreed_accept_by", d.to_string().into()),
        CaseField::AcceptAgreement(s) => ("accept_agreement", s.as_str().into()),
        CaseField::RefusalReasons(r) => ("refusal_reasons", codes(r, RefusalReason::as_str).into()),
        CaseField::RefusalExplanation(s) => ("refusal_explanation", s.as_str().into()),
        CaseField::MaterialsReturnedOn(d) => ("materials_returned_on", d.to_string().into()),
        CaseField::ClosedOn(d) => ("closed_on", d.to_string().into()),
        CaseField::ContractEffectiveOn(d) => ("contract_effective_on", d.to_string().into()),
        CaseField::AgreedCompleteBy(d) => ("agreed_complete_by", d.map(|d| d.to_string()).into()),
        CaseField::ExtensionDays(n) => ("extension_days", i64::from(*n).into()),
        CaseField::ExtensionReason(s) => ("extension_reason", s.as_str().into()),
        CaseField::TerminationReasons(r) => (
            "termination_reasons",
            codes(r, TerminationReason::as_str).into(),
        ),
        CaseField::TerminationExplanation(s) => ("termination_explanation", s.as_str().into()),
        CaseField::ReviewRound(n) => ("review_round", (*n).into()),
    }
}

/// Writes one side record of a transition.
async fn write_record(tx: &mut Tx, c: &Case, r: &SideRecord, now: i64) -> Result<(), StoreError> {
    let id = c.id;
    match r {
        SideRecord::MaterialsRecorded { receipts } => {
            for m in receipts {
                // Only a material of this case still to be recorded: a recorded receipt stands.
                tx.execute(
                    "UPDATE case_materials SET condition = $1, storage = $2, received_at = $3 \
                     WHERE id = $4 AND case_id = $5 AND (condition = '' OR storage = '' OR received_at = '')",
                    args![
                        m.condition.as_str(),
                        m.storage.as_str(),
                        m.received_at.as_str(),
                        m.material_id,
                        id
                    ],
                )
                .await?;
            }
        }
        SideRecord::MaterialsReturned { on } => {
            tx.execute(
                "UPDATE case_materials SET returned_on = $1 WHERE case_id = $2 AND returned_on IS NULL",
                args![on.to_string(), id],
            )
            .await?;
        }
        SideRecord::StopOpened { from, reason } => {
            tx.execute(
                "INSERT INTO case_stops (case_id, from_on, reason) VALUES ($1, $2, $3)",
                args![id, from.to_string(), reason.as_str()],
            )
            .await?;
        }
        SideRecord::StopClosed { on } => {
            tx.execute(
                "UPDATE case_stops SET to_on = $1 WHERE case_id = $2 AND to_on IS NULL",
                args![on.to_string(), id],
            )
            .await?;
        }
        SideRecord::AssignmentAdded { appraiser_id } => {
            tx.execute(
                "INSERT INTO case_assignments (case_id, appraiser_id, assigned_at) VALUES ($1, $2, $3)",
                args![id, *appraiser_id, now],
            )
            .await?;
        }
        SideRecord::AssignmentRemoved {
            appraiser_id,
            reason,
        } => {
            tx.execute(
                "UPDATE case_assignments SET removed_at = $1, removal_reason = $2 WHERE case_id = $3 AND appraiser_id = $4 AND removed_at IS NULL",
                args![now, reason.as_str(), id, *appraiser_id],
            )
            .await?;
        }
        SideRecord::ConflictDeclared {
            appraiser_id,
            kind,
            detail,
        } => {
            tx.execute(
                "INSERT INTO case_conflicts (case_id, appraiser_id, kind, detail, created_at) VALUES ($1, $2, $3, $4, $5)",
                args![id, *appraiser_id, kind.as_str(), detail.as_str(), now],
            )
            .await?;
        }
        SideRecord::ReviewersNamed {
            round,
            reviewer_ids,
        } => {
            for r in reviewer_ids {
                tx.execute(
                    "INSERT INTO case_reviewers (case_id, round, reviewer_id) VALUES ($1, $2, $3)",
                    args![id, *round, *r],
                )
                .await?;
            }
        }
        SideRecord::ReviewRecorded {
            round,
            reviewer_id,
            agrees,
            opinion,
        } => {
            tx.execute(
                "UPDATE case_reviewers SET agrees = $1, opinion = $2, reviewed_at = $3 WHERE case_id = $4 AND round = $5 AND reviewer_id = $6",
                args![*agrees, opinion.as_str(), now, id, *round, *reviewer_id],
            )
            .await?;
        }
        SideRecord::Signature {
            appraiser_id,
            dissent,
        } => {
            tx.execute(
                "INSERT INTO case_signatures (case_id, appraiser_id, dissent, signed_at) VALUES ($1, $2, $3, $4)",
                args![id, *appraiser_id, dissent.as_str(), now],
            )
            .await?;
        }
        SideRecord::SignaturesWithdrawn => {
            tx.execute("DELETE FROM case_signatures WHERE case_id = $1", args![id])
                .await?;
        }
        SideRecord::OpinionIssued {
            opinion,
            document_sha256,
            issued_on,
            conclusion,
        } => {
            // The opinion row needs the event id and the event the code: the row is written
            // first with 0 and linked to its event in the same transaction.
            tx.execute(
                "INSERT INTO opinions (code, case_id, institution_id, region, year, category, serial, document_sha256, verification_key, issued_on, event_id, created_at, conclusion) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12)",
                args![
                    opinion.code.as_str(),
                    id,
                    c.institution_id,
                    opinion.region.as_str(),
                    i64::from(opinion.year),
                    i64::from(opinion.category),
                    i64::from(opinion.code.serial()),
                    document_sha256.as_str(),
                    opinion.verification_key.as_str(),
                    issued_on.to_string(),
                    now,
                    json_of(conclusion)
                ],
            )
            .await?;
        }
        SideRecord::Correction {
            code,
            version,
            what,
            signer_id,
            document_sha256,
            on,
            conclusion,
        } => {
            let conclusion = json_of(conclusion);
            tx.execute(
                "INSERT INTO opinion_corrections (code, version, what, signer_id, document_sha256, corrected_on, created_at, conclusion) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                args![code.as_str(), *version, what.as_str(), *signer_id, document_sha256.clone(), on.to_string(), now, conclusion.as_str()],
            )
            .await?;
            // An opinion issued before conclusions were recorded takes its first correction's.
            tx.execute(
                "UPDATE opinions SET status = 'corrected', version = $1, document_sha256 = COALESCE($2, document_sha256), \
                 conclusion = COALESCE(conclusion, $3) WHERE code = $4",
                args![*version, document_sha256.clone(), conclusion.as_str(), code.as_str()],
            )
            .await?;
        }
        SideRecord::Revocation { code, on, reason } => {
            tx.execute(
                "UPDATE opinions SET status = 'revoked', revoked_on = $1, revoked_reason = $2 WHERE code = $3",
                args![on.to_string(), reason.as_str(), code.as_str()],
            )
            .await?;
        }
        SideRecord::AppearanceNotified {
            appraiser_ids,
            court,
            hearing_on,
        } => {
            let ids = appraiser_ids
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(",");
            tx.execute(
                "INSERT INTO court_appearances (case_id, appraiser_ids, court, hearing_on, status, created_at, updated_at) VALUES ($1, $2, $3, $4, 'notified', $5, $5)",
                args![id, ids.as_str(), court.as_str(), hearing_on.to_string(), now],
            )
            .await?;
        }
        SideRecord::AppearanceRecorded {
            appearance_id,
            outcome,
            refund_due,
            note,
        } => {
            tx.execute(
                "UPDATE court_appearances SET status = $1, refund_due = $2, note = $3, updated_at = $4 WHERE id = $5",
                args![outcome.as_str(), *refund_due, note.as_str(), now, *appearance_id],
            )
            .await?;
        }
    }
    Ok(())
}

/// Applies any transition: its side records, the case row (stage, changed fields and the
/// running deadline from the facts as the step leaves them, under the version check), the
/// event, and a notification to the commissioning organ; commits.
async fn apply(
    mut tx: Tx,
    actor: &Actor,
    c: &Case,
    before: &CaseFacts,
    t: Transition,
    ctx: Ctx<'_>,
) -> Result<Stepped, StoreError> {
    let now = now_ms();
    for r in &t.records {
        write_record(&mut tx, c, r, now).await?;
    }
    let deadline = deadline_of(&t.facts_after(before), ctx)?;
    let mut a = Args::new();
    let mut set = String::new();
    for f in &t.fields {
        let (col, v) = column(f);
        let p = a.push(v);
        set.push_str(&format!(", {col} = {p}"));
    }
    let stage_p = a.push(t.stage.as_str());
    let now_p = a.push(now);
    let deadline_p = a.push(deadline.kind);
    let due_p = a.push(deadline.due);
    let provisional_p = a.push(deadline.provisional);
    let id_p = a.push(c.id);
    let ver_p = a.push(c.version);
    let n = tx
        .execute(
            &format!(
                "UPDATE cases SET stage = {stage_p}, updated_at = {now_p}, version = version + 1, \
                 deadline = {deadline_p}, due_on = {due_p}, due_provisional = {provisional_p}{set} WHERE id = {id_p} AND version = {ver_p}"
            ),
            a,
        )
        .await?;
    if n != 1 {
        return Err(StoreError::Conflict);
    }
    let ev = c.event(t.event, t.payload.clone());
    let event_id = match &t.public {
        Some(p) => crate::events::append_public(&mut tx, actor, ev, p).await?,
        None => crate::events::append(&mut tx, actor, ev).await?,
    };
    let mut issued = None;
    for r in &t.records {
        if let SideRecord::OpinionIssued {
            opinion,
            document_sha256,
            ..
        } = r
        {
            tx.execute(
                "UPDATE opinions SET event_id = $1 WHERE code = $2",
                args![event_id, opinion.code.as_str()],
            )
            .await?;
            issued = Some((
                opinion.code.grouped(),
                opinion.verification_key.clone(),
                document_sha256.clone(),
            ));
        }
    }
    let case = fetch(tx.exec(), &Scope::All, c.id).await?;
    notify(&mut tx, &case, t.event, event_id).await?;
    tx.commit().await?;
    let issued = issued.map(|(code, verification_key, document_sha256)| Issued {
        case: case.clone(),
        code,
        verification_key,
        document_sha256,
        event_id,
    });
    Ok(Stepped {
        case,
        event_id,
        issued,
    })
}

/// A case's running deadline as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Deadline {
    /// accept | complete | "" (none) | unknown (a year the calendar cannot count at all).
    pub kind: String,
    pub due: Option<String>,
    /// The date counted a year whose holiday table is not loaded (provisional, recomputed by the
    /// sweeper once the table is loaded).
    pub provisional: bool,
}

impl Deadline {
    pub fn unknown() -> Self {
        Self {
            kind: "unknown".to_string(),
            due: None,
            provisional: false,
        }
    }
}

/// The running deadline of a case: the accept-by date while received, the complete-by date
/// while the completion clock runs; provisional when it counted a year without a holiday table,
/// "unknown" when a year cannot be counted at all.
pub(crate) fn deadline_of(f: &CaseFacts, ctx: Ctx<'_>) -> Result<Deadline, StoreError> {
    Ok(match procedure::clock(f, ctx.today, ctx.cal, ctx.policy) {
        Ok(Some(clock)) => Deadline {
            kind: clock.deadline.to_string(),
            due: Some(clock.due.to_string()),
            provisional: clock.provisional,
        },
        Ok(None) => Deadline {
            kind: String::new(),
            due: None,
            provisional: false,
        },
        Err(CaseError::Calendar { .. }) => Deadline::unknown(),
        Err(e) => return Err(e.into()),
    })
}

/// Keeps `deadline`/`due_on`/`due_provisional` current: the accept-by date while received, the
/// complete-by date while the completion clock runs.
pub(crate) async fn refresh_deadline(
    tx: &mut Tx,
    c: &Case,
    f: &CaseFacts,
    ctx: Ctx<'_>,
) -> Result<(), StoreError> {
    let d = deadline_of(f, ctx)?;
    tx.execute(
        "UPDATE cases SET deadline = $1, due_on = $2, due_provisional = $3 WHERE id = $4",
        args![d.kind, d.due, d.provisional, c.id],
    )
    .await?;
    Ok(())
}

/// A signed notification to the commissioning organ's system, if it has one (delivered later
/// from the outbox, with retries).
pub(crate) async fn notify(
    tx: &mut Tx,
    c: &Case,
    event: &str,
    event_id: i64,
) -> Result<(), StoreError> {
    let Some(organ) = c.organ_id else {
        return Ok(());
    };
    let body = serde_json::json!({
        "event": event,
        "event_id": event_id,
        "case_id": c.id,
        "case_number": c.case_number,
        "stage": c.stage,
        "institution": c.institution_name,
        "opinion_code": c.opinion_code,
        "at": now_ms(),
    })
    .to_string();
    let now = now_ms();
    tx.execute(
        "INSERT INTO webhook_outbox (organ_id, case_id, event, body, next_at, created_at) \
         SELECT organ_id, $2, $3, $4, $5, $5 FROM organ_webhooks WHERE organ_id = $1 AND active = $6",
        args![organ, c.id, event, body, now, true],
    )
    .await?;
    Ok(())
}

api_row! { issued_row:
    /// What the issuing institution receives: the code and the key to print beside it.
    #[derive(Debug, Clone, Serialize)]
    pub struct Issued {
        pub case: Case,
        /// Grouped, e.g. `330000-2026-1-0000001-5`.
        pub code: String,
        pub verification_key: String,
        pub document_sha256: String,
        /// The log event that records the issue with its public fields.
        pub event_id: i64,
    }
}

// ---------------------------------------------------------------------------------------------
// Court appearance
// ---------------------------------------------------------------------------------------------

api_row! { appearance_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct AppearanceRow {
        pub id: i64,
        pub appraiser_ids: String,
        pub court: String,
        pub hearing_on: String,
        /// notified | attended | refused
        pub status: String,
        /// 《民事诉讼法》第八十一条: refusing to appear makes the fee refundable.
        pub refund_due: bool,
        pub note: String,
    }
}

pub(crate) const APPEARANCE_COLUMNS: &str =
    "id, appraiser_ids, court, hearing_on, status, refund_due, note";
