//! One decision for every step of a case: `decide(facts, command, context)` either refuses the
//! command with the article it breaks or returns the whole [`Transition`] — the next stage, the
//! event recorded in the log (its kind is a public contract), the case's changed fields as typed
//! values, what the statutory clock depends on, and the side records the step writes (materials
//! returned, signatures, reviewers, the coded opinion, court appearances…). The store applies any
//! transition with one function; it chooses nothing.
use super::*;
use crate::classification::Classification;
use crate::conclusion::Conclusion;
use crate::opinion_code::OpinionCode;
use crate::validate::Problems;
use serde_json::{Value, json};

/// What a decision needs besides the case: today, the working-day calendar and the procedure
/// numbers of the case's province.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub today: Date,
    pub calendar: &'a WorkingCalendar,
    pub policy: &'a Policy,
}

/// A refusal names the article it breaks ([`CaseError::rule`]) and the field it concerns.
pub type Refusal = CaseError;

/// Who acts for an appraiser: the appraiser's own account, or institution staff recording a
/// signature made on paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignedBy {
    Appraiser(i64),
    Staff,
}

/// One step of the procedure, with its input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum CaseCommand {
    /// 第十三、十四条.
    Accept,
    /// 第十二条: the institution checks the materials the client sent and records what only it
    /// can know: their condition, how they are kept and when they arrived.
    RecordMaterials {
        receipts: Vec<MaterialReceipt>,
    },
    /// 第十三条.
    AgreeAcceptDate {
        date: Date,
        agreement: String,
    },
    /// 第十五、十七条.
    Refuse {
        reasons: Vec<RefusalReason>,
        explanation: String,
        materials_returned: bool,
    },
    /// 第十六条; the contract file's SHA-256 once stored.
    SignContract {
        effective_on: Date,
        declares_reappraisal: bool,
        agreed_complete_by: Option<Date>,
        contract_sha256: Option<String>,
    },
    /// 第十八至二十条、第三十条、第三十二条.
    Assign {
        appraiser_ids: Vec<i64>,
    },
    /// 第二十条: `kind` is same_matter_before | consultant | expert_witness | relation.
    DeclareConflict {
        appraiser_id: i64,
        kind: String,
        detail: String,
    },
    /// 第二十一条.
    DecideRecusal {
        appraiser_id: i64,
        granted: bool,
        decision: String,
    },
    Start,
    /// 第二十五、二十八条.
    StopClock {
        reason: StopReason,
    },
    ResumeClock,
    /// 第二十八条.
    Extend {
        days: u32,
        reason: String,
        head_approved: bool,
        client_notified: bool,
    },
    /// 第二十九条.
    Terminate {
        reasons: Vec<TerminationReason>,
        explanation: String,
        materials_returned: bool,
    },
    /// 第三十五条.
    SubmitForReview {
        reviewer_ids: Vec<i64>,
    },
    /// 第三十五条.
    Review {
        reviewer_id: i64,
        agrees: bool,
        opinion: String,
        by: SignedBy,
    },
    /// 第三十七条.
    Sign {
        appraiser_id: i64,
        dissent: String,
        by: SignedBy,
    },
    /// 第三十八条.
    Seal,
    /// Issue the sealed opinion: the final document's SHA-256 (empty when none was given).
    Issue {
        document_sha256: String,
        /// The opinion's conclusion, recorded so a correction is compared with it (第四十一条).
        conclusion: Conclusion,
    },
    /// 第四十二条.
    Archive,
    /// 第四十一条.
    Correct {
        signer_id: i64,
        what: String,
        /// The conclusion as the corrected document states it; it must be the issued one.
        conclusion: Conclusion,
        document_sha256: Option<String>,
    },
    /// Revoking the issued opinion (平台核验规则).
    Revoke {
        reason: String,
    },
    /// 第四十三条.
    NotifyAppearance {
        appraiser_ids: Vec<i64>,
        court: String,
        hearing_on: Date,
    },
    /// 第四十三条、《民事诉讼法》第八十一条.
    RecordAppearance {
        appearance_id: i64,
        outcome: Appearance,
        note: String,
    },
}

impl CaseCommand {
    /// Every command's name, for tests and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::RecordMaterials { .. } => "record_materials",
            Self::AgreeAcceptDate { .. } => "agree_accept_date",
            Self::Refuse { .. } => "refuse",
            Self::SignContract { .. } => "sign_contract",
            Self::Assign { .. } => "assign",
            Self::DeclareConflict { .. } => "declare_conflict",
            Self::DecideRecusal { .. } => "decide_recusal",
            Self::Start => "start",
            Self::StopClock { .. } => "stop_clock",
            Self::ResumeClock => "resume_clock",
            Self::Extend { .. } => "extend",
            Self::Terminate { .. } => "terminate",
            Self::SubmitForReview { .. } => "submit_for_review",
            Self::Review { .. } => "review",
            Self::Sign { .. } => "sign",
            Self::Seal => "seal",
            Self::Issue { .. } => "issue",
            Self::Archive => "archive",
            Self::Correct { .. } => "correct",
            Self::Revoke { .. } => "revoke",
            Self::NotifyAppearance { .. } => "notify_appearance",
            Self::RecordAppearance { .. } => "record_appearance",
        }
    }

    /// The commands that close a case (leave an open stage for a closed one).
    pub fn closes(&self) -> bool {
        matches!(
            self,
            Self::Refuse { .. } | Self::Terminate { .. } | Self::Issue { .. } | Self::Archive
        )
    }

    /// The SHA-256 of the file a command carries, once the caller has stored it: the contract,
    /// the final opinion, or the corrected document.
    pub fn with_file(mut self, sha256: String) -> Self {
        match &mut self {
            Self::SignContract {
                contract_sha256: s, ..
            }
            | Self::Correct {
                document_sha256: s, ..
            } => *s = Some(sha256),
            Self::Issue {
                document_sha256, ..
            } => *document_sha256 = sha256,
            _ => {}
        }
        self
    }

    /// The kind of attachment the command's file is stored as, if it takes one.
    pub fn file_kind(&self) -> Option<&'static str> {
        match self {
            Self::SignContract { .. } => Some("commission"),
            Self::Issue { .. } => Some("opinion"),
            Self::Correct { .. } => Some("correction"),
            _ => None,
        }
    }
}

/// An appraiser's earlier assignment to a case of the same matter (the same 案号 and category),
/// at any institution (第二十条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SameMatterLink {
    pub case_id: i64,
    pub appraiser_id: i64,
}

/// The issued opinion of the case, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionFacts {
    /// 19 characters, without separators.
    pub code: String,
    pub version: i64,
    pub revoked: bool,
    /// The conclusion recorded at issue; None for an opinion issued before conclusions were
    /// recorded (its first correction records one).
    pub conclusion: Option<Conclusion>,
}

/// The code allocated to the opinion being issued (from the platform's gap-free serial) and the
/// verification key printed beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOpinion {
    pub code: OpinionCode,
    pub region: String,
    pub year: u16,
    pub category: u8,
    pub verification_key: String,
}

/// What one step needs besides the case itself; the store loads the part the command at hand
/// needs and leaves the rest empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepFacts {
    /// The appraisers the command names (assignment, reviewers, a declared conflict), as found;
    /// one not found is absent.
    pub appraisers: Vec<AppraiserFacts>,
    /// 第二十条 grounds declared on this case.
    pub declared_conflicts: Vec<Conflict>,
    /// 第二十条: assignments to other cases of the same matter.
    pub same_matter: Vec<SameMatterLink>,
    /// The case whose opinion a supplementary or re-appraisal case follows.
    pub parent_id: Option<i64>,
    /// The current review round (0 before the first).
    pub review_round: i64,
    /// Reviewers of the current round who have recorded their opinion.
    pub reviewed: Vec<i64>,
    pub opinion: Option<OpinionFacts>,
    pub new_opinion: Option<NewOpinion>,
    /// The current status of the court appearance a command names.
    pub appearance: Option<Appearance>,
    /// The assigned appraisers as they are now, for the steps that re-check the panel
    /// ([`panel_holds`]).
    pub panel: Vec<AppraiserFacts>,
}

/// A field of the case the step changes, as a typed value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "field", content = "value")]
pub enum CaseField {
    DecidedOn(Date),
    AcceptLate(bool),
    AgreedAcceptBy(Date),
    AcceptAgreement(String),
    RefusalReasons(Vec<RefusalReason>),
    RefusalExplanation(String),
    MaterialsReturnedOn(Date),
    ClosedOn(Date),
    ContractEffectiveOn(Date),
    AgreedCompleteBy(Option<Date>),
    ExtensionDays(u32),
    ExtensionReason(String),
    TerminationReasons(Vec<TerminationReason>),
    TerminationExplanation(String),
    ReviewRound(i64),
}

/// How a step changes what the completion clock depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockChange {
    AgreedAcceptBy(Date),
    ContractEffective {
        on: Date,
        agreed_complete_by: Option<Date>,
    },
    Stopped {
        from: Date,
        reason: StopReason,
    },
    /// Every open stop ends on this date.
    Resumed(Date),
    Extended(u32),
}

/// A record the step writes beside the case row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "record")]
pub enum SideRecord {
    /// 第十二条: the receipt facts of materials recorded at the institution.
    MaterialsRecorded {
        receipts: Vec<MaterialReceipt>,
    },
    /// 第十七、二十九条: every material not yet returned is returned on this date.
    MaterialsReturned {
        on: Date,
    },
    /// A stop of the clock begins.
    StopOpened {
        from: Date,
        reason: StopReason,
    },
    /// The open stop ends.
    StopClosed {
        on: Date,
    },
    AssignmentAdded {
        appraiser_id: i64,
    },
    AssignmentRemoved {
        appraiser_id: i64,
        reason: String,
    },
    ConflictDeclared {
        appraiser_id: i64,
        kind: String,
        detail: String,
    },
    ReviewersNamed {
        round: i64,
        reviewer_ids: Vec<i64>,
    },
    ReviewRecorded {
        round: i64,
        reviewer_id: i64,
        agrees: bool,
        opinion: String,
    },
    Signature {
        appraiser_id: i64,
        dissent: String,
    },
    /// The signatures given so far no longer stand: the panel changed after review, and the
    /// opinion is reviewed and signed again (通则第二十一、三十五、三十七条).
    SignaturesWithdrawn,
    /// The coded opinion, linked to the event that records its issue.
    OpinionIssued {
        opinion: NewOpinion,
        document_sha256: String,
        issued_on: Date,
        conclusion: Conclusion,
    },
    Correction {
        code: String,
        version: i64,
        what: String,
        signer_id: i64,
        document_sha256: Option<String>,
        on: Date,
        /// The conclusion the corrected document states (the issued one).
        conclusion: Conclusion,
    },
    Revocation {
        code: String,
        on: Date,
        reason: String,
    },
    AppearanceNotified {
        appraiser_ids: Vec<i64>,
        court: String,
        hearing_on: Date,
    },
    AppearanceRecorded {
        appearance_id: i64,
        outcome: Appearance,
        refund_due: bool,
        note: String,
    },
}

/// Everything an allowed step changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub stage: Stage,
    /// The event kind in the log, e.g. `case.accepted`.
    pub event: &'static str,
    pub payload: Value,
    /// One line of public fields for the log (an issued or revoked opinion).
    pub public: Option<String>,
    pub fields: Vec<CaseField>,
    pub clock: Vec<ClockChange>,
    pub records: Vec<SideRecord>,
}

impl Transition {
    fn to(stage: Stage, event: &'static str, payload: Value) -> Self {
        Transition {
            stage,
            event,
            payload,
            public: None,
            fields: Vec::new(),
            clock: Vec::new(),
            records: Vec::new(),
        }
    }
    fn set(mut self, f: CaseField) -> Self {
        self.fields.push(f);
        self
    }
    fn clock(mut self, c: ClockChange) -> Self {
        self.clock.push(c);
        self
    }
    fn record(mut self, r: SideRecord) -> Self {
        self.records.push(r);
        self
    }
    /// Closes the case on `on` with its materials handed back (a refusal or a termination).
    fn closed_returning_materials(self, on: Date) -> Self {
        self.set(CaseField::MaterialsReturnedOn(on))
            .set(CaseField::ClosedOn(on))
            .record(SideRecord::MaterialsReturned { on })
    }

    /// The facts as the step leaves them: the new stage and the clock's changes, from which the
    /// running deadline is computed.
    pub fn facts_after(&self, before: &CaseFacts) -> CaseFacts {
        let mut f = before.clone();
        f.stage = self.stage;
        for c in &self.clock {
            match *c {
                ClockChange::AgreedAcceptBy(d) => f.agreed_accept_by = Some(d),
                ClockChange::ContractEffective {
                    on,
                    agreed_complete_by,
                } => {
                    f.contract_effective_on = Some(on);
                    f.agreed_complete_by = agreed_complete_by;
                }
                ClockChange::Stopped { from, reason } => f.stops.push(ClockStop {
                    from,
                    to: None,
                    reason,
                }),
                ClockChange::Resumed(on) => {
                    for s in f.stops.iter_mut().filter(|s| s.to.is_none()) {
                        s.to = Some(on);
                    }
                }
                ClockChange::Extended(days) => f.extension_days = Some(days),
            }
        }
        f
    }
}

fn codes<T: Copy>(v: &[T], f: impl Fn(T) -> &'static str) -> String {
    v.iter().map(|x| f(*x)).collect::<Vec<_>>().join(",")
}

/// A refusal of the input itself, shown as its message alone; the article stays with it.
fn input(rule: &'static str, field: &'static str, message: impl Into<String>) -> CaseError {
    CaseError::Input {
        rule,
        field,
        message: message.into(),
    }
}

/// 第二十条: the grounds on which each appraiser must withdraw — those declared on this case,
/// and an assignment to another case of the same matter (the same 案号 and category) at any
/// institution, except the opinion a supplementary appraisal continues (第三十条).
pub fn conflicts_of(c: &CaseFacts) -> Vec<Conflict> {
    let continued = match c.lineage {
        Lineage::Supplementary => c.step.parent_id,
        _ => None,
    };
    let mut out = c.step.declared_conflicts.clone();
    let mut seen: Vec<i64> = Vec::new();
    for l in &c.step.same_matter {
        if Some(l.case_id) == continued || seen.contains(&l.appraiser_id) {
            continue;
        }
        seen.push(l.appraiser_id);
        out.push(Conflict {
            appraiser_id: l.appraiser_id,
            kind: ConflictKind::SameMatterBefore,
        });
    }
    out
}

/// The appraisers a command names, in its order; one not found refuses the command.
fn named<'a>(
    c: &'a CaseFacts,
    ids: &[i64],
    field: &'static str,
) -> Result<Vec<&'a AppraiserFacts>, CaseError> {
    let mut distinct = ids.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct
        .iter()
        .any(|id| !c.step.appraisers.iter().any(|a| a.id == *id))
    {
        return Err(input(ART18, field, "所选鉴定人不存在"));
    }
    Ok(ids
        .iter()
        .filter_map(|id| c.step.appraisers.iter().find(|a| a.id == *id))
        .collect())
}

fn check_signer(by: SignedBy, appraiser_id: i64) -> Result<(), CaseError> {
    match by {
        SignedBy::Appraiser(me) if me != appraiser_id => Err(CaseError::NotOwnSignature),
        _ => Ok(()),
    }
}

/// Decides one step of a case.
pub fn decide(c: &CaseFacts, cmd: &CaseCommand, ctx: &Context<'_>) -> Result<Transition, Refusal> {
    let (today, cal, p) = (ctx.today, ctx.calendar, ctx.policy);
    text_lengths(cmd)?;
    let on = json!({ "on": today.to_string() });
    Ok(match cmd {
        CaseCommand::Accept => {
            let late = accept(c, today, cal, p)?;
            Transition::to(
                Stage::Accepted,
                "case.accepted",
                json!({ "on": today.to_string(), "late": late }),
            )
            .set(CaseField::DecidedOn(today))
            .set(CaseField::AcceptLate(late))
        }
        CaseCommand::RecordMaterials { receipts } => {
            record_materials(c, receipts)?;
            Transition::to(
                c.stage,
                "case.materials_recorded",
                json!({ "materials": receipts.iter().map(|r| json!({
                    "material_id": r.material_id,
                    "condition": r.condition.trim(),
                    "storage": r.storage.trim(),
                    "received_at": r.received_at.trim(),
                })).collect::<Vec<_>>() }),
            )
            .record(SideRecord::MaterialsRecorded {
                receipts: receipts.iter().map(MaterialReceipt::trimmed).collect(),
            })
        }
        CaseCommand::AgreeAcceptDate { date, agreement } => {
            agree_accept_date(c, *date, agreement, cal, p)?;
            Transition::to(
                Stage::Received,
                "case.accept_date_agreed",
                json!({ "agreed_accept_by": date.to_string(), "agreement": agreement.trim() }),
            )
            .set(CaseField::AgreedAcceptBy(*date))
            .set(CaseField::AcceptAgreement(agreement.trim().to_string()))
            .clock(ClockChange::AgreedAcceptBy(*date))
        }
        CaseCommand::Refuse {
            reasons,
            explanation,
            materials_returned,
        } => {
            refuse(c, reasons, explanation, *materials_returned)?;
            Transition::to(
                Stage::Refused,
                "case.refused",
                json!({ "reasons": codes(reasons, RefusalReason::as_str), "explanation": explanation.trim(), "materials_returned_on": today.to_string() }),
            )
            .set(CaseField::RefusalReasons(reasons.clone()))
            .set(CaseField::RefusalExplanation(explanation.trim().to_string()))
            .set(CaseField::DecidedOn(today))
            .closed_returning_materials(today)
        }
        CaseCommand::SignContract {
            effective_on,
            declares_reappraisal,
            agreed_complete_by,
            contract_sha256,
        } => {
            sign_contract(c, *effective_on, *declares_reappraisal)?;
            if let Some(d) = agreed_complete_by
                && d <= effective_on
            {
                return Err(broke(
                    ART28,
                    "agreed_complete_by",
                    "约定的完成日期应晚于委托书生效日期",
                ));
            }
            Transition::to(
                Stage::Contracted,
                "case.contract_signed",
                json!({
                    "effective_on": effective_on.to_string(),
                    "is_reappraisal": declares_reappraisal,
                    "agreed_complete_by": agreed_complete_by.map(|d| d.to_string()),
                    "contract_sha256": contract_sha256,
                }),
            )
            .set(CaseField::ContractEffectiveOn(*effective_on))
            .set(CaseField::AgreedCompleteBy(*agreed_complete_by))
            .clock(ClockChange::ContractEffective {
                on: *effective_on,
                agreed_complete_by: *agreed_complete_by,
            })
        }
        CaseCommand::Assign { appraiser_ids } => {
            let chosen: Vec<AppraiserFacts> = named(c, appraiser_ids, "appraiser_ids")?
                .into_iter()
                .cloned()
                .collect();
            assign(c, &chosen, &conflicts_of(c), p)?;
            let stage = if c.stage == Stage::Contracted {
                Stage::Assigned
            } else {
                c.stage
            };
            let names: Vec<&str> = chosen.iter().map(|a| a.name.as_str()).collect();
            let mut t = Transition::to(
                stage,
                "case.assigned",
                json!({ "appraiser_ids": appraiser_ids, "names": names }),
            );
            for old in c.assigned.iter().filter(|a| !appraiser_ids.contains(a)) {
                t = t.record(SideRecord::AssignmentRemoved {
                    appraiser_id: *old,
                    reason: "重新指定".into(),
                });
            }
            for a in chosen.iter().filter(|a| !c.assigned.contains(&a.id)) {
                t = t.record(SideRecord::AssignmentAdded { appraiser_id: a.id });
            }
            t
        }
        CaseCommand::DeclareConflict {
            appraiser_id,
            kind,
            detail,
        } => {
            if !matches!(
                kind.as_str(),
                "same_matter_before" | "consultant" | "expert_witness" | "relation"
            ) {
                return Err(input(
                    ART20,
                    "kind",
                    "回避情形应为：same_matter_before、consultant、expert_witness、relation",
                ));
            }
            if kind == "relation" && detail.trim().is_empty() {
                return Err(broke(ART20, "detail", "须写明利害关系"));
            }
            named(c, &[*appraiser_id], "appraiser_ids")?;
            Transition::to(
                c.stage,
                "case.conflict_declared",
                json!({ "appraiser_id": appraiser_id, "kind": kind, "detail": detail.trim() }),
            )
            .record(SideRecord::ConflictDeclared {
                appraiser_id: *appraiser_id,
                kind: kind.clone(),
                detail: detail.trim().to_string(),
            })
        }
        CaseCommand::DecideRecusal {
            appraiser_id,
            granted,
            decision,
        } => {
            decide_recusal(c, *appraiser_id, *granted, decision)?;
            // A recusal granted once the work is done (in review or signing) sends the case back
            // to the appraisers: the new panel completes, and the opinion is reviewed and signed
            // again (第二十一、三十五、三十七条).
            let back = *granted && matches!(c.stage, Stage::UnderReview | Stage::Signing);
            let t = Transition::to(
                if back { Stage::InProgress } else { c.stage },
                "case.recusal_decided",
                json!({ "appraiser_id": appraiser_id, "granted": granted, "decision": decision.trim(), "returned_to_work": back }),
            );
            if !*granted {
                return Ok(t);
            }
            let t = t.record(SideRecord::AssignmentRemoved {
                appraiser_id: *appraiser_id,
                reason: format!("回避：{}", decision.trim()),
            });
            if back && !c.signed.is_empty() {
                t.record(SideRecord::SignaturesWithdrawn)
            } else {
                t
            }
        }
        CaseCommand::Start => {
            start(c, p)?;
            Transition::to(Stage::InProgress, "case.started", on)
        }
        CaseCommand::StopClock { reason } => {
            stop_clock(c, today)?;
            Transition::to(
                Stage::ClockStopped,
                "case.clock_stopped",
                json!({ "on": today.to_string(), "reason": reason.as_str() }),
            )
            .clock(ClockChange::Stopped {
                from: today,
                reason: *reason,
            })
            .record(SideRecord::StopOpened {
                from: today,
                reason: *reason,
            })
        }
        CaseCommand::ResumeClock => {
            resume_clock(c, today)?;
            Transition::to(Stage::InProgress, "case.clock_resumed", on)
                .clock(ClockChange::Resumed(today))
                .record(SideRecord::StopClosed { on: today })
        }
        CaseCommand::Extend {
            days,
            reason,
            head_approved,
            client_notified,
        } => {
            extend(c, *days, *head_approved, *client_notified, p)?;
            if reason.trim().is_empty() {
                return Err(broke(
                    ART28,
                    "reason",
                    "须写明延长的理由（复杂、疑难、特殊技术问题或检验需要较长时间）",
                ));
            }
            Transition::to(
                c.stage,
                "case.extended",
                json!({ "days": days, "reason": reason.trim(), "client_notified_on": today.to_string() }),
            )
            .set(CaseField::ExtensionDays(*days))
            .set(CaseField::ExtensionReason(reason.trim().to_string()))
            .clock(ClockChange::Extended(*days))
        }
        CaseCommand::Terminate {
            reasons,
            explanation,
            materials_returned,
        } => {
            terminate(c, reasons, explanation, *materials_returned)?;
            Transition::to(
                Stage::Terminated,
                "case.terminated",
                json!({ "reasons": codes(reasons, TerminationReason::as_str), "explanation": explanation.trim(), "on": today.to_string() }),
            )
            .set(CaseField::TerminationReasons(reasons.clone()))
            .set(CaseField::TerminationExplanation(
                explanation.trim().to_string(),
            ))
            .closed_returning_materials(today)
            .record(SideRecord::StopClosed { on: today })
        }
        CaseCommand::SubmitForReview { reviewer_ids } => {
            submit_for_review(c, reviewer_ids, p)?;
            panel_holds(c, p)?;
            let reviewers = named(c, reviewer_ids, "appraiser_ids")?;
            if let Some(r) = reviewers
                .iter()
                .find(|r| r.institution_id != c.institution.id || !r.active)
            {
                return Err(broke(
                    ART35,
                    "reviewer_ids",
                    format!("{} 不是本机构具有相应资质的人员", r.name),
                ));
            }
            // 第三十五条 "具有相应资质的人员": the reviewer's own practice items cover the matter.
            for r in &reviewers {
                if let Some(item) = c.items.iter().find(|i| !covers(&r.items, i)) {
                    return Err(broke(
                        ART35,
                        "reviewer_ids",
                        format!("{} 不具有鉴定事项 {item} 的执业资格，不能复核", r.name),
                    ));
                }
            }
            let round = c.step.review_round + 1;
            Transition::to(
                Stage::UnderReview,
                "case.review_requested",
                json!({ "round": round, "reviewer_ids": reviewer_ids }),
            )
            .set(CaseField::ReviewRound(round))
            .record(SideRecord::ReviewersNamed {
                round,
                reviewer_ids: reviewers.iter().map(|r| r.id).collect(),
            })
        }
        CaseCommand::Review {
            reviewer_id,
            agrees,
            opinion,
            by,
        } => {
            check_signer(*by, *reviewer_id)?;
            let result = review(c, *reviewer_id, *agrees, opinion, &c.step.reviewed)?;
            panel_holds(c, p)?;
            let stage = match result {
                ReviewResult::Pending => Stage::UnderReview,
                ReviewResult::Passed => Stage::Signing,
                ReviewResult::Returned => Stage::InProgress,
            };
            let round = c.step.review_round;
            Transition::to(
                stage,
                "case.reviewed",
                json!({ "reviewer_id": reviewer_id, "agrees": agrees, "opinion": opinion.trim(), "round": round }),
            )
            .record(SideRecord::ReviewRecorded {
                round,
                reviewer_id: *reviewer_id,
                agrees: *agrees,
                opinion: opinion.trim().to_string(),
            })
        }
        CaseCommand::Sign {
            appraiser_id,
            dissent,
            by,
        } => {
            check_signer(*by, *appraiser_id)?;
            let all = sign(c, *appraiser_id)?;
            panel_holds(c, p)?;
            Transition::to(
                Stage::Signing,
                "case.signed",
                json!({ "appraiser_id": appraiser_id, "dissent": dissent.trim(), "all_signed": all, "recorded_by_staff": matches!(by, SignedBy::Staff) }),
            )
            .record(SideRecord::Signature {
                appraiser_id: *appraiser_id,
                dissent: dissent.trim().to_string(),
            })
        }
        CaseCommand::Seal => {
            seal(c)?;
            panel_holds(c, p)?;
            Transition::to(Stage::Sealed, "case.sealed", on)
        }
        CaseCommand::Issue {
            document_sha256,
            conclusion,
        } => {
            issue(c, document_sha256)?;
            panel_holds(c, p)?;
            if !conclusion.fits(&c.items) {
                return Err(input(
                    ART41,
                    "conclusion",
                    "该类鉴定意见不适用于本案的鉴定事项，请选择相应的类型或以文字表述",
                ));
            }
            let Some(opinion) = c.step.new_opinion.clone() else {
                return Err(broke(ART39, "code", "未能分配鉴定意见书编码"));
            };
            let grouped = opinion.code.grouped();
            let mut t = Transition::to(
                Stage::Issued,
                "case.issued",
                json!({ "code": grouped, "document_sha256": document_sha256, "issued_on": today.to_string(), "conclusion": conclusion.label_zh() }),
            )
            .set(CaseField::ClosedOn(today));
            t.public = Some(format!(
                "opinion {grouped} {document_sha256} {} {today}",
                c.institution.id
            ));
            t.record(SideRecord::OpinionIssued {
                opinion,
                document_sha256: document_sha256.clone(),
                issued_on: today,
                conclusion: conclusion.clone(),
            })
        }
        CaseCommand::Archive => {
            archive(c)?;
            Transition::to(Stage::Archived, "case.archived", on)
        }
        CaseCommand::Correct {
            signer_id,
            what,
            conclusion,
            document_sha256,
        } => {
            // A revoked opinion stays revoked: a correction would make verification answer
            // "corrected" (issue 14, point 16); after revocation only a regulator acts on it.
            if c.step.opinion.as_ref().is_some_and(|o| o.revoked) {
                return Err(broke(REVOCATION, "code", "该鉴定意见书已被撤销，不得补正"));
            }
            correct(c, *signer_id, what)?;
            let Some(o) = &c.step.opinion else {
                return Err(broke(ART41, "code", "本案没有已出具的鉴定意见书"));
            };
            // 第四十一条: the corrected document states the conclusion as issued, compared here
            // rather than taken on the caller's word.
            if let Some(issued) = &o.conclusion
                && issued != conclusion
            {
                return Err(broke(
                    ART41,
                    "conclusion",
                    format!(
                        "补正不得改变司法鉴定意见的原意：出具时为“{}”，补正后为“{}”",
                        issued.label_zh(),
                        conclusion.label_zh()
                    ),
                ));
            }
            let next = o.version + 1;
            Transition::to(
                c.stage,
                "case.corrected",
                json!({ "code": o.code, "version": next, "what": what.trim(), "signer_id": signer_id, "document_sha256": document_sha256, "conclusion": conclusion.label_zh() }),
            )
            .record(SideRecord::Correction {
                code: o.code.clone(),
                version: next,
                what: what.trim().to_string(),
                signer_id: *signer_id,
                document_sha256: document_sha256.clone(),
                on: today,
                conclusion: conclusion.clone(),
            })
        }
        CaseCommand::Revoke { reason } => {
            let o = c.step.opinion.as_ref();
            revoke(c, o.is_some_and(|o| o.revoked), reason)?;
            let Some(o) = o else {
                return Err(broke(REVOCATION, "code", "本案没有已出具的鉴定意见书"));
            };
            let grouped = OpinionCode::parse(&o.code)
                .map(|x| x.grouped())
                .unwrap_or_else(|_| o.code.clone());
            let mut t = Transition::to(
                c.stage,
                "case.opinion_revoked",
                json!({ "code": grouped, "reason": reason.trim(), "revoked_on": today.to_string() }),
            );
            t.public = Some(format!("revoked {grouped} {today}"));
            t.record(SideRecord::Revocation {
                code: o.code.clone(),
                on: today,
                reason: reason.trim().to_string(),
            })
        }
        CaseCommand::NotifyAppearance {
            appraiser_ids,
            court,
            hearing_on,
        } => {
            notify_appearance(c, appraiser_ids)?;
            if court.trim().is_empty() {
                return Err(input(ART43, "court", "请填写通知出庭的人民法院"));
            }
            Transition::to(
                c.stage,
                "case.appearance_notified",
                json!({ "appraiser_ids": appraiser_ids, "court": court.trim(), "hearing_on": hearing_on.to_string() }),
            )
            .record(SideRecord::AppearanceNotified {
                appraiser_ids: appraiser_ids.clone(),
                court: court.trim().to_string(),
                hearing_on: *hearing_on,
            })
        }
        CaseCommand::RecordAppearance {
            appearance_id,
            outcome,
            note,
        } => {
            let current = c.step.appearance.unwrap_or(Appearance::Notified);
            let refund = record_appearance(current, *outcome)?;
            Transition::to(
                c.stage,
                "case.appearance_recorded",
                json!({ "appearance_id": appearance_id, "outcome": outcome.as_str(), "refund_due": refund, "note": note.trim() }),
            )
            .record(SideRecord::AppearanceRecorded {
                appearance_id: *appearance_id,
                outcome: *outcome,
                refund_due: refund,
                note: note.trim().to_string(),
            })
        }
    })
}

// ---------------------------------------------------------------------------------------------
// The commission itself
// ---------------------------------------------------------------------------------------------

/// The matter of a commission: item codes of the classification in force, sorted, each once,
/// all of one category (one category per commission: different categories are commissioned
/// separately). Problems are added under `items`.
pub fn commission_items(p: &mut Problems, items: &[String]) -> Vec<String> {
    let cls = Classification::current();
    let mut out = Vec::new();
    for c in items.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match cls.parse_in_force(c) {
            Ok(e) => out.push(e.code.to_string()),
            Err(e) => p.add("items", format!("{c}：{e}")),
        }
    }
    out.sort();
    out.dedup();
    if out.is_empty() && p.is_empty() {
        p.add("items", "请选择委托鉴定事项（执业分类中的项目）");
    }
    let cats: Vec<&str> = out.iter().filter_map(|c| c.split('.').next()).collect();
    if cats.windows(2).any(|w| w[0] != w[1]) {
        p.add(
            "items",
            "一次委托的鉴定事项应属于同一类别；不同类别请分别委托",
        );
    }
    out
}

/// Longest text of one material's field, in characters (platform rule: a material is named and
/// described in a line, not a document).
pub const MAX_MATERIAL_FIELD_CHARS: usize = 200;

/// Longest free text a step carries (reasons, explanations, opinions, dissents, notes), in
/// characters (platform rule; a longer statement is attached as a file).
pub const MAX_STEP_TEXT_CHARS: usize = 2000;

impl CaseCommand {
    /// The free-text inputs of the command, by field.
    fn texts(&self) -> Vec<(&'static str, &str)> {
        match self {
            Self::AgreeAcceptDate { agreement, .. } => vec![("agreement", agreement)],
            Self::Refuse { explanation, .. } | Self::Terminate { explanation, .. } => {
                vec![("explanation", explanation)]
            }
            Self::DeclareConflict { detail, .. } => vec![("detail", detail)],
            Self::DecideRecusal { decision, .. } => vec![("decision", decision)],
            Self::Extend { reason, .. } | Self::Revoke { reason } => vec![("reason", reason)],
            Self::Review { opinion, .. } => vec![("opinion", opinion)],
            Self::Sign { dissent, .. } => vec![("dissent", dissent)],
            Self::Correct { what, .. } => vec![("what", what)],
            Self::NotifyAppearance { court, .. } => vec![("court", court)],
            Self::RecordAppearance { note, .. } => vec![("note", note)],
            _ => Vec::new(),
        }
    }
}

/// Refuses a step whose free text is longer than [`MAX_STEP_TEXT_CHARS`].
fn text_lengths(cmd: &CaseCommand) -> Result<(), CaseError> {
    for (field, text) in cmd.texts() {
        if text.chars().count() > MAX_STEP_TEXT_CHARS {
            return Err(CaseError::Input {
                rule: "平台输入规则（文本长度）",
                field,
                message: format!("不超过 {MAX_STEP_TEXT_CHARS} 字；更长的说明请作为附件上传"),
            });
        }
    }
    Ok(())
}

/// What the institution records of one material when it checks it at receipt (第十二条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialReceipt {
    pub material_id: i64,
    /// 性状.
    pub condition: String,
    /// 保存状况.
    pub storage: String,
    /// 收到时间, as written on the receipt (a date, or a date and time).
    pub received_at: String,
}

impl MaterialReceipt {
    fn trimmed(&self) -> Self {
        MaterialReceipt {
            material_id: self.material_id,
            condition: self.condition.trim().to_string(),
            storage: self.storage.trim().to_string(),
            received_at: self.received_at.trim().to_string(),
        }
    }
}

/// 第十二条: only a received case's materials are checked, each one not yet recorded, with all
/// three facts, and each once.
fn record_materials(c: &CaseFacts, receipts: &[MaterialReceipt]) -> Result<(), CaseError> {
    expect(c, &[Stage::Received], "核对登记鉴定材料", ART12)?;
    if receipts.is_empty() {
        return Err(broke(
            ART12,
            "materials",
            "请逐项填写鉴定材料的性状、保存状况和收到时间",
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for r in receipts {
        let Some(m) = c
            .materials_unrecorded
            .iter()
            .find(|m| m.id == r.material_id)
        else {
            return Err(broke(
                ART12,
                "materials",
                "所列材料不是本案待核对登记的鉴定材料",
            ));
        };
        if !seen.insert(r.material_id) {
            return Err(broke(
                ART12,
                "materials",
                format!("鉴定材料“{}”重复填写", m.name),
            ));
        }
        let missing: Vec<&str> = [
            ("性状", &r.condition),
            ("保存状况", &r.storage),
            ("收到时间", &r.received_at),
        ]
        .iter()
        .filter(|(_, v)| v.trim().is_empty())
        .map(|(l, _)| *l)
        .collect();
        if !missing.is_empty() {
            return Err(broke(
                ART12,
                "materials",
                format!("鉴定材料“{}”缺少：{}", m.name, missing.join("、")),
            ));
        }
        let long = [&r.condition, &r.storage, &r.received_at]
            .iter()
            .any(|v| v.chars().count() > MAX_MATERIAL_FIELD_CHARS);
        if long {
            return Err(broke(
                ART12,
                "materials",
                format!(
                    "鉴定材料“{}”的记录过长（每项不超过 {MAX_MATERIAL_FIELD_CHARS} 字）",
                    m.name
                ),
            ));
        }
    }
    Ok(())
}

/// One material as received, in the terms of 第十二条.
#[derive(Debug, Clone, Copy)]
pub struct MaterialRecord<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub quantity: &'a str,
    pub condition: &'a str,
    pub storage: &'a str,
    pub received_at: &'a str,
}

/// 第十二条: every material is checked and recorded with its name, kind, quantity, condition,
/// storage and time of receipt. Problems are added under `materials`, one per material.
///
/// The client describes what it sends (name, kind, quantity); condition, storage and time of
/// receipt are the institution's to record when it checks the materials. `at_receipt` is true
/// when the institution itself enters the commission (it has the materials in hand, so all six
/// are required); false for a commission the organ sends, whose receipt facts may be left for
/// the institution (`CaseCommand::RecordMaterials`, required before acceptance).
pub fn material_problems(p: &mut Problems, materials: &[MaterialRecord<'_>], at_receipt: bool) {
    if materials.is_empty() {
        p.add(
            "materials",
            format!(
                "请登记委托人提供的鉴定材料（{ART12}：委托人应当提供鉴定材料；{ART15}第二项：材料不完整、不充分的，不得受理）"
            ),
        );
    }
    for (n, m) in materials.iter().enumerate() {
        let missing: Vec<&str> = [
            ("名称", m.name, true),
            ("种类", m.kind, true),
            ("数量", m.quantity, true),
            ("性状", m.condition, at_receipt),
            ("保存状况", m.storage, at_receipt),
            ("收到时间", m.received_at, at_receipt),
        ]
        .iter()
        .filter(|(_, v, required)| *required && v.trim().is_empty())
        .map(|(l, ..)| *l)
        .collect();
        let long: Vec<&str> = [
            ("名称", m.name),
            ("种类", m.kind),
            ("数量", m.quantity),
            ("性状", m.condition),
            ("保存状况", m.storage),
            ("收到时间", m.received_at),
        ]
        .iter()
        .filter(|(_, v)| v.chars().count() > MAX_MATERIAL_FIELD_CHARS)
        .map(|(l, _)| *l)
        .collect();
        if !long.is_empty() {
            p.add(
                "materials",
                format!(
                    "第{}项鉴定材料的{}过长（每项不超过 {MAX_MATERIAL_FIELD_CHARS} 字）",
                    n + 1,
                    long.join("、")
                ),
            );
        }
        if !missing.is_empty() {
            p.add(
                "materials",
                format!(
                    "第{}项鉴定材料缺少：{}（{}：应当核对并记录材料的名称、种类、数量、性状、保存状况、收到时间）",
                    n + 1,
                    missing.join("、"),
                    ART12
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests;
