//! The steps of a case. Each: open the case at the version the caller saw, ask the domain rule,
//! write the change and its event (and any notification to the commissioning organ) in one
//! transaction, recompute the running deadline, commit.
use super::{Case, Ctx, NewAttachment, attach, facts, fetch, split_codes};
use crate::db::{Args, Tx};
use crate::events::Actor;
use crate::{Db, StoreError, args, now_ms};
use serde::Serialize;
use sijian_domain::Scope;
use sijian_domain::calendar::Date;
use sijian_domain::procedure::{
    self, Appearance, AppraiserFacts, CaseError, CaseFacts, ClockStop, Conflict, ConflictKind,
    Lineage, RefusalReason, ReviewResult, Stage, StopReason, TerminationReason,
};

/// A case opened for one step.
struct Open {
    tx: Tx,
    case: Case,
    facts: CaseFacts,
}

async fn open(db: &Db, scope: &Scope, id: i64, version: i64) -> Result<Open, StoreError> {
    let mut tx = db.begin().await?;
    let case = fetch(tx.exec(), scope, id).await?;
    if case.version != version {
        return Err(StoreError::Conflict);
    }
    let facts = facts(&mut tx, &case).await?;
    Ok(Open { tx, case, facts })
}

/// A change to the facts a step makes, applied before the new deadline is computed.
type FactsChange<'a> = Box<dyn FnOnce(&mut CaseFacts) + Send + 'a>;

/// What a step changes besides the stage.
struct Change<'a> {
    stage: Stage,
    /// `col = $n, …` with its arguments, or empty.
    set: String,
    args: Args,
    event: &'a str,
    payload: serde_json::Value,
    /// One line of public fields for the log (an issued opinion).
    public: Option<String>,
    /// The opinion (by code) whose issue this event records.
    issues_opinion: Option<String>,
    /// How the step changes what the clock depends on (dates, stops, the extension); the stage
    /// is set from `stage`.
    after: Option<FactsChange<'a>>,
}

impl<'a> Change<'a> {
    fn to(stage: Stage, event: &'a str, payload: serde_json::Value) -> Self {
        Change {
            stage,
            set: String::new(),
            args: Args::new(),
            event,
            payload,
            public: None,
            issues_opinion: None,
            after: None,
        }
    }
    fn changing(mut self, f: impl FnOnce(&mut CaseFacts) + Send + 'a) -> Self {
        self.after = Some(Box::new(f));
        self
    }
    fn set(mut self, col: &str, v: impl Into<crate::Val>) -> Self {
        let p = self.args.push(v);
        if !self.set.is_empty() {
            self.set.push_str(", ");
        }
        self.set.push_str(&format!("{col} = {p}"));
        self
    }
}

/// Writes the change under the version check, records the event, refreshes the deadline and
/// queues a notification to the commissioning organ; returns the event's id and the case.
async fn finish(
    mut o: Open,
    actor: &Actor,
    ch: Change<'_>,
    ctx: Ctx<'_>,
) -> Result<(i64, Case), StoreError> {
    // The running deadline after the step, from the facts as the step leaves them: written in
    // the same statement as the stage, so a step costs one update.
    let mut after = o.facts.clone();
    after.stage = ch.stage;
    if let Some(f) = ch.after {
        f(&mut after);
    }
    let (deadline, due) = deadline_of(&after, ctx)?;
    let mut a = ch.args;
    let stage_p = a.push(ch.stage.as_str());
    let now_p = a.push(now_ms());
    let deadline_p = a.push(deadline);
    let due_p = a.push(due);
    let id_p = a.push(o.case.id);
    let ver_p = a.push(o.case.version);
    let extra = if ch.set.is_empty() {
        String::new()
    } else {
        format!(", {}", ch.set)
    };
    let n = o
        .tx
        .execute(
            &format!(
                "UPDATE cases SET stage = {stage_p}, updated_at = {now_p}, version = version + 1, \
                 deadline = {deadline_p}, due_on = {due_p}{extra} WHERE id = {id_p} AND version = {ver_p}"
            ),
            a,
        )
        .await?;
    if n != 1 {
        return Err(StoreError::Conflict);
    }
    let ev = o.case.event(ch.event, ch.payload.clone());
    let event_id = match &ch.public {
        Some(p) => crate::events::append_public(&mut o.tx, actor, ev, p).await?,
        None => crate::events::append(&mut o.tx, actor, ev).await?,
    };
    if let Some(code) = &ch.issues_opinion {
        o.tx.execute(
            "UPDATE opinions SET event_id = $1 WHERE code = $2",
            args![event_id, code.as_str()],
        )
        .await?;
    }
    let case = fetch(o.tx.exec(), &Scope::All, o.case.id).await?;
    notify(&mut o.tx, &case, ch.event, event_id).await?;
    o.tx.commit().await?;
    Ok((event_id, case))
}

/// The running deadline of a case: the accept-by date while received, the complete-by date
/// while the completion clock runs; "unknown" when a year has no holiday table.
pub(crate) fn deadline_of(
    f: &CaseFacts,
    ctx: Ctx<'_>,
) -> Result<(String, Option<String>), StoreError> {
    Ok(match procedure::clock(f, ctx.today, ctx.cal, ctx.policy) {
        Ok(Some(clock)) => (clock.deadline.to_string(), Some(clock.due.to_string())),
        Ok(None) => (String::new(), None),
        Err(CaseError::Calendar(_)) => ("unknown".to_string(), None),
        Err(e) => return Err(e.into()),
    })
}

/// Keeps `deadline`/`due_on` current: the accept-by date while received, the complete-by date
/// while the completion clock runs. A year without a holiday table leaves it unknown.
pub(crate) async fn refresh_deadline(
    tx: &mut Tx,
    c: &Case,
    f: &CaseFacts,
    ctx: Ctx<'_>,
) -> Result<(), StoreError> {
    let (deadline, due) = deadline_of(f, ctx)?;
    tx.execute(
        "UPDATE cases SET deadline = $1, due_on = $2 WHERE id = $3",
        args![deadline, due, c.id],
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

fn dates_payload(on: Date) -> serde_json::Value {
    serde_json::json!({ "on": on.to_string() })
}

// ---------------------------------------------------------------------------------------------
// Acceptance
// ---------------------------------------------------------------------------------------------

/// 通则第十三、十四条.
pub async fn accept(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let o = open(db, scope, id, version).await?;
    let late = procedure::accept(&o.facts, ctx.today, ctx.cal, ctx.policy)?;
    let ch = Change::to(
        Stage::Accepted,
        "case.accepted",
        serde_json::json!({ "on": ctx.today.to_string(), "late": late }),
    )
    .set("decided_on", ctx.today.to_string())
    .set("accept_late", late);
    Ok(finish(o, actor, ch, ctx).await?.1)
}

/// 通则第十三条: a later acceptance date agreed with the client.
pub async fn agree_accept_date(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    date: Date,
    agreement: &str,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let o = open(db, scope, id, version).await?;
    procedure::agree_accept_date(&o.facts, date, agreement, ctx.cal, ctx.policy)?;
    let ch = Change::to(
        Stage::Received,
        "case.accept_date_agreed",
        serde_json::json!({ "agreed_accept_by": date.to_string(), "agreement": agreement.trim() }),
    )
    .set("agreed_accept_by", date.to_string())
    .set("accept_agreement", agreement.trim())
    .changing(move |f| f.agreed_accept_by = Some(date));
    Ok(finish(o, actor, ch, ctx).await?.1)
}

fn codes<T: Copy>(v: &[T], f: impl Fn(T) -> &'static str) -> String {
    v.iter().map(|x| f(*x)).collect::<Vec<_>>().join(",")
}

/// 通则第十五、十七条.
pub async fn refuse(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    reasons: &[RefusalReason],
    explanation: &str,
    materials_returned: bool,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    procedure::refuse(&o.facts, reasons, explanation, materials_returned)?;
    return_materials(&mut o.tx, id, ctx.today).await?;
    let today = ctx.today.to_string();
    let ch = Change::to(
        Stage::Refused,
        "case.refused",
        serde_json::json!({ "reasons": codes(reasons, RefusalReason::as_str), "explanation": explanation.trim(), "materials_returned_on": today }),
    )
    .set("refusal_reasons", codes(reasons, RefusalReason::as_str))
    .set("refusal_explanation", explanation.trim())
    .set("decided_on", today.clone())
    .set("materials_returned_on", today.clone())
    .set("closed_on", today);
    Ok(finish(o, actor, ch, ctx).await?.1)
}

async fn return_materials(tx: &mut Tx, case_id: i64, on: Date) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE case_materials SET returned_on = $1 WHERE case_id = $2 AND returned_on IS NULL",
        args![on.to_string(), case_id],
    )
    .await?;
    Ok(())
}

/// 通则第十六条: the commission contract takes effect; the completion clock starts (第二十八条).
pub async fn sign_contract(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    effective_on: Date,
    declares_reappraisal: bool,
    agreed_complete_by: Option<Date>,
    contract: Option<&NewAttachment>,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    procedure::sign_contract(&o.facts, effective_on, declares_reappraisal)?;
    if let Some(d) = agreed_complete_by
        && d <= effective_on
    {
        return Err(CaseError::Rule {
            rule: procedure::ART28,
            field: "agreed_complete_by",
            message: "约定的完成日期应晚于委托书生效日期".into(),
        }
        .into());
    }
    let file = match contract {
        Some(f) => Some(attach(&mut o.tx, id, "commission", f, now_ms()).await?),
        None => None,
    };
    let ch = Change::to(
        Stage::Contracted,
        "case.contract_signed",
        serde_json::json!({
            "effective_on": effective_on.to_string(),
            "is_reappraisal": declares_reappraisal,
            "agreed_complete_by": agreed_complete_by.map(|d| d.to_string()),
            "contract_sha256": file,
        }),
    )
    .set("contract_effective_on", effective_on.to_string())
    .set(
        "agreed_complete_by",
        agreed_complete_by.map(|d| d.to_string()),
    )
    .changing(move |f| {
        f.contract_effective_on = Some(effective_on);
        f.agreed_complete_by = agreed_complete_by;
    });
    Ok(finish(o, actor, ch, ctx).await?.1)
}

// ---------------------------------------------------------------------------------------------
// Appraisers
// ---------------------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct AppraiserRow {
    id: i64,
    name: String,
    institution_id: i64,
    status: String,
    scope: String,
    senior_title: bool,
}

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
    if rows.len() != {
        let mut u = ids.to_vec();
        u.sort_unstable();
        u.dedup();
        u.len()
    } {
        return Err(StoreError::Invalid {
            field: "appraiser_ids".into(),
            message: "所选鉴定人不存在".into(),
        });
    }
    Ok(ids
        .iter()
        .filter_map(|id| rows.iter().find(|r| r.id == *id))
        .map(|r| AppraiserFacts {
            id: r.id,
            name: r.name.clone(),
            institution_id: r.institution_id,
            active: r.status == "active",
            items: split_codes(&r.scope),
            senior_title: r.senior_title,
        })
        .collect())
}

/// 通则第二十条: declared conflicts of this case, and appraisers who took part in an appraisal of
/// the same matter (the same 案号 and category) at any institution, other than the opinion a
/// supplementary appraisal continues.
async fn conflicts(tx: &mut Tx, c: &Case) -> Result<Vec<Conflict>, StoreError> {
    let declared: Vec<(i64, String, String)> = tx
        .fetch_all(
            "SELECT appraiser_id, kind, detail FROM case_conflicts WHERE case_id = $1",
            args![c.id],
        )
        .await?;
    let mut out: Vec<Conflict> = declared
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
        .collect();
    let key: Option<(Option<String>,)> = tx
        .fetch_optional(
            "SELECT case_number_key FROM cases WHERE id = $1",
            args![c.id],
        )
        .await?;
    if let Some((Some(key),)) = key {
        let continued = if c.lineage() == Lineage::Supplementary {
            c.parent_id.unwrap_or(0)
        } else {
            0
        };
        let before: Vec<(i64,)> = tx
            .fetch_all(
                "SELECT DISTINCT ca.appraiser_id FROM cases k JOIN case_assignments ca ON ca.case_id = k.id \
                 WHERE k.case_number_key = $1 AND k.category = $2 AND k.id <> $3 AND k.id <> $4",
                args![key, c.category.as_str(), c.id, continued],
            )
            .await?;
        out.extend(before.into_iter().map(|(a,)| Conflict {
            appraiser_id: a,
            kind: ConflictKind::SameMatterBefore,
        }));
    }
    Ok(out)
}

/// 通则第十八至二十条、第三十条、第三十二条: assign (or re-assign) the appraisers.
pub async fn assign(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    appraiser_ids: &[i64],
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    let chosen = appraiser_facts(&mut o.tx, appraiser_ids).await?;
    let found = conflicts(&mut o.tx, &o.case).await?;
    procedure::assign(&o.facts, &chosen, &found, ctx.policy)?;
    let now = now_ms();
    for old in o
        .facts
        .assigned
        .iter()
        .filter(|a| !appraiser_ids.contains(a))
    {
        o.tx.execute(
            "UPDATE case_assignments SET removed_at = $1, removal_reason = $2 WHERE case_id = $3 AND appraiser_id = $4 AND removed_at IS NULL",
            args![now, "重新指定", id, *old],
        )
        .await?;
    }
    for a in chosen.iter().filter(|a| !o.facts.assigned.contains(&a.id)) {
        o.tx.execute(
            "INSERT INTO case_assignments (case_id, appraiser_id, assigned_at) VALUES ($1, $2, $3)",
            args![id, a.id, now],
        )
        .await?;
    }
    let stage = if o.case.stage() == Stage::Contracted {
        Stage::Assigned
    } else {
        o.case.stage()
    };
    let names: Vec<&str> = chosen.iter().map(|a| a.name.as_str()).collect();
    let ch = Change::to(
        stage,
        "case.assigned",
        serde_json::json!({ "appraiser_ids": appraiser_ids, "names": names }),
    );
    Ok(finish(o, actor, ch, ctx).await?.1)
}

/// Declares an Art 20 ground for one appraiser on this case (a relation, prior consultation…).
pub async fn declare_conflict(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    appraiser_id: i64,
    kind: &str,
    detail: &str,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    if !matches!(
        kind,
        "same_matter_before" | "consultant" | "expert_witness" | "relation"
    ) {
        return Err(StoreError::Invalid {
            field: "kind".into(),
            message: "回避情形应为：same_matter_before、consultant、expert_witness、relation"
                .into(),
        });
    }
    if kind == "relation" && detail.trim().is_empty() {
        return Err(StoreError::Invalid {
            field: "detail".into(),
            message: format!("{}：须写明利害关系", procedure::ART20),
        });
    }
    appraiser_facts(&mut o.tx, &[appraiser_id]).await?;
    o.tx.execute(
        "INSERT INTO case_conflicts (case_id, appraiser_id, kind, detail, created_at) VALUES ($1, $2, $3, $4, $5)",
        args![id, appraiser_id, kind, detail.trim(), now_ms()],
    )
    .await?;
    let stage = o.case.stage();
    let ch = Change::to(
        stage,
        "case.conflict_declared",
        serde_json::json!({ "appraiser_id": appraiser_id, "kind": kind, "detail": detail.trim() }),
    );
    Ok(finish(o, actor, ch, ctx).await?.1)
}

/// 通则第二十一条: the institution decides a recusal request.
pub async fn decide_recusal(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    appraiser_id: i64,
    granted: bool,
    decision: &str,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    procedure::decide_recusal(&o.facts, appraiser_id, granted, decision)?;
    if granted {
        o.tx.execute(
            "UPDATE case_assignments SET removed_at = $1, removal_reason = $2 WHERE case_id = $3 AND appraiser_id = $4 AND removed_at IS NULL",
            args![now_ms(), format!("回避：{}", decision.trim()), id, appraiser_id],
        )
        .await?;
    }
    let stage = o.case.stage();
    let ch = Change::to(
        stage,
        "case.recusal_decided",
        serde_json::json!({ "appraiser_id": appraiser_id, "granted": granted, "decision": decision.trim() }),
    );
    Ok(finish(o, actor, ch, ctx).await?.1)
}

pub async fn start(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let o = open(db, scope, id, version).await?;
    procedure::start(&o.facts, ctx.policy)?;
    let ch = Change::to(Stage::InProgress, "case.started", dates_payload(ctx.today));
    Ok(finish(o, actor, ch, ctx).await?.1)
}

// ---------------------------------------------------------------------------------------------
// The clock
// ---------------------------------------------------------------------------------------------

/// 通则第二十五、二十八条.
pub async fn stop_clock(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    reason: StopReason,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    procedure::stop_clock(&o.facts, ctx.today)?;
    o.tx.execute(
        "INSERT INTO case_stops (case_id, from_on, reason) VALUES ($1, $2, $3)",
        args![id, ctx.today.to_string(), reason.as_str()],
    )
    .await?;
    let today = ctx.today;
    let ch = Change::to(
        Stage::ClockStopped,
        "case.clock_stopped",
        serde_json::json!({ "on": ctx.today.to_string(), "reason": reason.as_str() }),
    )
    .changing(move |f| {
        f.stops.push(ClockStop {
            from: today,
            to: None,
            reason,
        })
    });
    Ok(finish(o, actor, ch, ctx).await?.1)
}

pub async fn resume_clock(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    procedure::resume_clock(&o.facts, ctx.today)?;
    o.tx.execute(
        "UPDATE case_stops SET to_on = $1 WHERE case_id = $2 AND to_on IS NULL",
        args![ctx.today.to_string(), id],
    )
    .await?;
    let today = ctx.today;
    let ch = Change::to(
        Stage::InProgress,
        "case.clock_resumed",
        dates_payload(ctx.today),
    )
    .changing(move |f| {
        for s in f.stops.iter_mut().filter(|s| s.to.is_none()) {
            s.to = Some(today);
        }
    });
    Ok(finish(o, actor, ch, ctx).await?.1)
}

/// 通则第二十八条: one extension, approved by the head, the client notified.
pub async fn extend(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    days: u32,
    reason: &str,
    head_approved: bool,
    client_notified: bool,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let o = open(db, scope, id, version).await?;
    procedure::extend(&o.facts, days, head_approved, client_notified, ctx.policy)?;
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid {
            field: "reason".into(),
            message: format!(
                "{}：须写明延长的理由（复杂、疑难、特殊技术问题或检验需要较长时间）",
                procedure::ART28
            ),
        });
    }
    let stage = o.case.stage();
    let ch = Change::to(
        stage,
        "case.extended",
        serde_json::json!({ "days": days, "reason": reason.trim(), "client_notified_on": ctx.today.to_string() }),
    )
    .set("extension_days", days as i64)
    .set("extension_reason", reason.trim())
    .changing(move |f| f.extension_days = Some(days));
    Ok(finish(o, actor, ch, ctx).await?.1)
}

/// 通则第二十九条.
pub async fn terminate(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    reasons: &[TerminationReason],
    explanation: &str,
    materials_returned: bool,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    procedure::terminate(&o.facts, reasons, explanation, materials_returned)?;
    return_materials(&mut o.tx, id, ctx.today).await?;
    o.tx.execute(
        "UPDATE case_stops SET to_on = $1 WHERE case_id = $2 AND to_on IS NULL",
        args![ctx.today.to_string(), id],
    )
    .await?;
    let today = ctx.today.to_string();
    let ch = Change::to(
        Stage::Terminated,
        "case.terminated",
        serde_json::json!({ "reasons": codes(reasons, TerminationReason::as_str), "explanation": explanation.trim(), "on": today }),
    )
    .set("termination_reasons", codes(reasons, TerminationReason::as_str))
    .set("termination_explanation", explanation.trim())
    .set("materials_returned_on", today.clone())
    .set("closed_on", today);
    Ok(finish(o, actor, ch, ctx).await?.1)
}

// ---------------------------------------------------------------------------------------------
// Review, signatures, seal, issue
// ---------------------------------------------------------------------------------------------

/// 通则第三十五条: reviewers are practising appraisers of the institution, none of the case's.
pub async fn submit_for_review(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    reviewer_ids: &[i64],
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    procedure::submit_for_review(&o.facts, reviewer_ids, ctx.policy)?;
    let reviewers = appraiser_facts(&mut o.tx, reviewer_ids).await?;
    if let Some(r) = reviewers
        .iter()
        .find(|r| r.institution_id != o.case.institution_id || !r.active)
    {
        return Err(StoreError::Invalid {
            field: "reviewer_ids".into(),
            message: format!(
                "{}：{} 不是本机构具有相应资质的人员",
                procedure::ART35,
                r.name
            ),
        });
    }
    let round = o.case.review_round + 1;
    for r in &reviewers {
        o.tx.execute(
            "INSERT INTO case_reviewers (case_id, round, reviewer_id) VALUES ($1, $2, $3)",
            args![id, round, r.id],
        )
        .await?;
    }
    let ch = Change::to(
        Stage::UnderReview,
        "case.review_requested",
        serde_json::json!({ "round": round, "reviewer_ids": reviewer_ids }),
    )
    .set("review_round", round);
    Ok(finish(o, actor, ch, ctx).await?.1)
}

/// Who is acting for an appraiser: the appraiser's own account, or institution staff recording
/// a signature made on paper.
#[derive(Debug, Clone, Copy)]
pub enum SignedBy {
    Appraiser(i64),
    Staff,
}

fn check_signer(by: SignedBy, appraiser_id: i64) -> Result<(), StoreError> {
    match by {
        SignedBy::Appraiser(me) if me != appraiser_id => {
            Err(StoreError::Forbidden("appraiser_id".into()))
        }
        _ => Ok(()),
    }
}

/// 通则第三十五条: one reviewer's opinion, signed.
pub async fn review(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    reviewer_id: i64,
    agrees: bool,
    opinion: &str,
    by: SignedBy,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    check_signer(by, reviewer_id)?;
    let mut o = open(db, scope, id, version).await?;
    let done: Vec<(i64,)> = o
        .tx
        .fetch_all(
            "SELECT reviewer_id FROM case_reviewers WHERE case_id = $1 AND round = $2 AND agrees IS NOT NULL",
            args![id, o.case.review_round],
        )
        .await?;
    let done: Vec<i64> = done.into_iter().map(|r| r.0).collect();
    let result = procedure::review(&o.facts, reviewer_id, agrees, opinion, &done)?;
    o.tx.execute(
        "UPDATE case_reviewers SET agrees = $1, opinion = $2, reviewed_at = $3 WHERE case_id = $4 AND round = $5 AND reviewer_id = $6",
        args![agrees, opinion.trim(), now_ms(), id, o.case.review_round, reviewer_id],
    )
    .await?;
    let stage = match result {
        ReviewResult::Pending => Stage::UnderReview,
        ReviewResult::Passed => Stage::Signing,
        ReviewResult::Returned => Stage::InProgress,
    };
    let ch = Change::to(
        stage,
        "case.reviewed",
        serde_json::json!({ "reviewer_id": reviewer_id, "agrees": agrees, "opinion": opinion.trim(), "round": o.case.review_round }),
    );
    Ok(finish(o, actor, ch, ctx).await?.1)
}

/// 通则第三十七条: an appraiser signs the opinion, noting any dissent.
pub async fn sign(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    appraiser_id: i64,
    dissent: &str,
    by: SignedBy,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    check_signer(by, appraiser_id)?;
    let mut o = open(db, scope, id, version).await?;
    let all = procedure::sign(&o.facts, appraiser_id)?;
    o.tx.execute(
        "INSERT INTO case_signatures (case_id, appraiser_id, dissent, signed_at) VALUES ($1, $2, $3, $4)",
        args![id, appraiser_id, dissent.trim(), now_ms()],
    )
    .await?;
    let ch = Change::to(
        Stage::Signing,
        "case.signed",
        serde_json::json!({ "appraiser_id": appraiser_id, "dissent": dissent.trim(), "all_signed": all, "recorded_by_staff": matches!(by, SignedBy::Staff) }),
    );
    Ok(finish(o, actor, ch, ctx).await?.1)
}

/// 通则第三十八条.
pub async fn seal(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let o = open(db, scope, id, version).await?;
    procedure::seal(&o.facts)?;
    let ch = Change::to(Stage::Sealed, "case.sealed", dates_payload(ctx.today));
    Ok(finish(o, actor, ch, ctx).await?.1)
}

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

/// Issues a sealed opinion: stores the final document, allocates the code and a verification
/// key, and records the issue in the log with the public fields anyone can recompute:
/// `opinion <code> <document SHA-256> <institution id> <issue date>`.
pub async fn issue(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    document: &NewAttachment,
    ctx: Ctx<'_>,
) -> Result<Issued, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    let now = now_ms();
    let sha = attach(&mut o.tx, id, "opinion", document, now).await?;
    procedure::issue(&o.facts, &sha)?;
    let region = o
        .case
        .region_path
        .trim_start_matches('/')
        .get(..2)
        .map(|p| format!("{p}0000"))
        .unwrap_or_default();
    let category: u8 = o.case.category.parse().unwrap_or(0);
    let year = ctx.today.year() as u16;
    let code = super::opinions::allocate(&mut o.tx, &region, year, category).await?;
    let key = super::opinions::new_verification_key();
    let issued_on = ctx.today.to_string();
    let public = format!(
        "opinion {} {sha} {} {issued_on}",
        code.grouped(),
        o.case.institution_id
    );
    // The opinion row needs the event id and the event the code: the row is written first with
    // 0 and linked to its event in the same transaction.
    o.tx.execute(
        "INSERT INTO opinions (code, case_id, institution_id, region, year, category, serial, document_sha256, verification_key, issued_on, event_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11)",
        args![
            code.as_str(),
            id,
            o.case.institution_id,
            region.as_str(),
            year as i64,
            category as i64,
            code.serial() as i64,
            sha.as_str(),
            key.as_str(),
            issued_on.as_str(),
            now
        ],
    )
    .await?;
    let mut ch = Change::to(
        Stage::Issued,
        "case.issued",
        serde_json::json!({ "code": code.grouped(), "document_sha256": sha, "issued_on": issued_on }),
    )
    .set("closed_on", issued_on.clone());
    ch.public = Some(public);
    ch.issues_opinion = Some(code.as_str().to_string());
    let (event_id, case) = finish(o, actor, ch, ctx).await?;
    Ok(Issued {
        case,
        code: code.grouped(),
        verification_key: key,
        document_sha256: sha,
        event_id,
    })
}

/// 通则第四十二条.
pub async fn archive(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let o = open(db, scope, id, version).await?;
    procedure::archive(&o.facts)?;
    let ch = Change::to(Stage::Archived, "case.archived", dates_payload(ctx.today));
    Ok(finish(o, actor, ch, ctx).await?.1)
}

/// 通则第四十一条: a correction (补正), signed by an appraiser of the case; the conclusion is
/// locked. A corrected document, if given, becomes the opinion's current document.
pub async fn correct(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    signer_id: i64,
    what: &str,
    changes_conclusion: bool,
    document: Option<&NewAttachment>,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    procedure::correct(&o.facts, signer_id, changes_conclusion, what)?;
    let code: (String, i64) =
        o.tx.fetch_optional(
            "SELECT code, version FROM opinions WHERE case_id = $1",
            args![id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let sha = match document {
        Some(f) => Some(attach(&mut o.tx, id, "correction", f, now_ms()).await?),
        None => None,
    };
    let next = code.1 + 1;
    o.tx.execute(
        "INSERT INTO opinion_corrections (code, version, what, signer_id, document_sha256, corrected_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![code.0.as_str(), next, what.trim(), signer_id, sha.clone(), ctx.today.to_string(), now_ms()],
    )
    .await?;
    o.tx.execute(
        "UPDATE opinions SET status = 'corrected', version = $1, document_sha256 = COALESCE($2, document_sha256) WHERE code = $3",
        args![next, sha.clone(), code.0.as_str()],
    )
    .await?;
    let stage = o.case.stage();
    let ch = Change::to(
        stage,
        "case.corrected",
        serde_json::json!({ "code": code.0, "version": next, "what": what.trim(), "signer_id": signer_id, "document_sha256": sha }),
    );
    Ok(finish(o, actor, ch, ctx).await?.1)
}

/// Revokes an issued opinion (for example after a penalty decision): verification shows it
/// revoked with the date and ground at once, and the log carries a public line
/// `revoked <code> <date>` beside the issue's.
pub async fn revoke_opinion(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    reason: &str,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    let (code, status): (String, String) =
        o.tx.fetch_optional(
            "SELECT code, status FROM opinions WHERE case_id = $1",
            args![id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    procedure::revoke(&o.facts, status == "revoked", reason)?;
    let today = ctx.today.to_string();
    o.tx.execute(
        "UPDATE opinions SET status = 'revoked', revoked_on = $1, revoked_reason = $2 WHERE code = $3",
        args![today.as_str(), reason.trim(), code.as_str()],
    )
    .await?;
    let grouped = super::opinions::grouped(&code);
    let mut ch = Change::to(
        o.case.stage(),
        "case.opinion_revoked",
        serde_json::json!({ "code": grouped, "reason": reason.trim(), "revoked_on": today }),
    );
    ch.public = Some(format!("revoked {grouped} {today}"));
    Ok(finish(o, actor, ch, ctx).await?.1)
}

// ---------------------------------------------------------------------------------------------
// Court appearance
// ---------------------------------------------------------------------------------------------

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

pub(crate) const APPEARANCE_COLUMNS: &str =
    "id, appraiser_ids, court, hearing_on, status, refund_due, note";

/// 通则第四十三条: a court's notice to appear.
pub async fn notify_appearance(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    appraiser_ids: &[i64],
    court: &str,
    hearing_on: Date,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    procedure::notify_appearance(&o.facts, appraiser_ids)?;
    if court.trim().is_empty() {
        return Err(StoreError::Invalid {
            field: "court".into(),
            message: "请填写通知出庭的人民法院".into(),
        });
    }
    let ids = appraiser_ids
        .iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let now = now_ms();
    o.tx.execute(
        "INSERT INTO court_appearances (case_id, appraiser_ids, court, hearing_on, status, created_at, updated_at) VALUES ($1, $2, $3, $4, 'notified', $5, $5)",
        args![id, ids.as_str(), court.trim(), hearing_on.to_string(), now],
    )
    .await?;
    let stage = o.case.stage();
    let ch = Change::to(
        stage,
        "case.appearance_notified",
        serde_json::json!({ "appraiser_ids": appraiser_ids, "court": court.trim(), "hearing_on": hearing_on.to_string() }),
    );
    Ok(finish(o, actor, ch, ctx).await?.1)
}

pub async fn record_appearance(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    appearance_id: i64,
    outcome: Appearance,
    note: &str,
    ctx: Ctx<'_>,
) -> Result<Case, StoreError> {
    let mut o = open(db, scope, id, version).await?;
    let current: (String,) =
        o.tx.fetch_optional(
            "SELECT status FROM court_appearances WHERE id = $1 AND case_id = $2",
            args![appearance_id, id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let current = Appearance::parse(&current.0).unwrap_or(Appearance::Notified);
    let refund = procedure::record_appearance(current, outcome)?;
    o.tx.execute(
        "UPDATE court_appearances SET status = $1, refund_due = $2, note = $3, updated_at = $4 WHERE id = $5",
        args![outcome.as_str(), refund, note.trim(), now_ms(), appearance_id],
    )
    .await?;
    let stage = o.case.stage();
    let ch = Change::to(
        stage,
        "case.appearance_recorded",
        serde_json::json!({ "appearance_id": appearance_id, "outcome": outcome.as_str(), "refund_due": refund, "note": note.trim() }),
    );
    Ok(finish(o, actor, ch, ctx).await?.1)
}
