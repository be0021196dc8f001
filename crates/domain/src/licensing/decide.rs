//! One decision for every step of a licensing application: `decide(facts, command, context)`
//! refuses the command with the rule it breaks or returns the whole [`Transition`] — the next
//! stage, the event (its kind is a public contract), the changed fields as typed values, the
//! expert review to record, and whether the register changes. The store applies any transition
//! with one function.
use super::*;
use serde_json::{Value, json};

/// What a decision needs besides the application: today (as stored, YYYY-MM-DD) and the
/// approval numbers of the application's province.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub today: &'a str,
    pub policy: &'a Policy,
}

/// A refusal names its rule ([`LicensingError::rule`]) and field.
pub type Refusal = LicensingError;

/// An expert of the list, as the rules see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpertFacts {
    pub id: i64,
    pub name: String,
    pub organisation: String,
    /// The region whose list the expert is on.
    pub region_path: String,
    pub active: bool,
}

/// Everything the steps need to know about one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationFacts {
    pub kind: ApplicationKind,
    pub stage: Stage,
    pub region_path: String,
    pub subject: String,
    pub institution_name: Option<String>,
    pub extended: bool,
    pub review_started: bool,
    pub review_finished: bool,
    pub reviews: Vec<Review>,
    /// The expert a review names, if on the list (loaded for that command only).
    pub expert: Option<ExpertFacts>,
}

/// A file sent with a step, once stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    pub name: String,
    pub sha256: String,
}

/// One step of an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "step")]
pub enum ApplicationCommand {
    /// 《行政许可法》第三十二条.
    CheckMaterials {
        complete: bool,
        reasons: String,
    },
    /// The applicant sends a returned application back, with the corrected proposal (JSON text;
    /// none keeps it) and the files stored with it.
    Resubmit {
        proposal: Option<String>,
        files: Vec<StoredFile>,
    },
    Withdraw,
    /// 《行政许可法》第四十二条.
    Extend {
        reasons: String,
    },
    AddReview {
        expert_id: i64,
        score: u32,
        recommend: bool,
        comment: String,
    },
    /// 《行政许可法》第三十八条.
    Decide {
        approve: bool,
        reasons: String,
    },
}

/// A field of the application the step changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "field", content = "value")]
pub enum ApplicationField {
    AcceptedOn(String),
    ReturnReasons(String),
    SubmittedOn(String),
    /// The proposed register fields (JSON text).
    Proposal(String),
    Extended(bool),
    ReviewStartedOn(String),
    ReviewFinishedOn(String),
    /// The decision's reasons; the store adds when and by whom it was made and the register
    /// record it wrote.
    Decision(String),
}

/// An expert review to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRecord {
    pub expert_id: i64,
    pub score: u32,
    pub recommend: bool,
    pub comment: String,
}

/// Everything an allowed step changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub stage: Stage,
    /// The event kind in the log, e.g. `application.accepted`.
    pub event: &'static str,
    /// The event's payload; a `result_id` in it is filled by the store with the register
    /// record an approval wrote (null otherwise).
    pub payload: Value,
    pub fields: Vec<ApplicationField>,
    pub review: Option<ReviewRecord>,
    /// An approval: the proposal is laid over the register in the same transaction.
    pub changes_register: bool,
}

impl Transition {
    fn to(stage: Stage, event: &'static str, payload: Value) -> Self {
        Transition {
            stage,
            event,
            payload,
            fields: Vec::new(),
            review: None,
            changes_register: false,
        }
    }
    fn set(mut self, f: ApplicationField) -> Self {
        self.fields.push(f);
        self
    }
}

/// Whether an expert belongs to the applicant (回避): their organisation is the subject of the
/// application or the institution concerned.
fn is_party(a: &ApplicationFacts, e: &ExpertFacts) -> bool {
    !e.organisation.trim().is_empty()
        && (e.organisation == a.subject || Some(&e.organisation) == a.institution_name.as_ref())
}

/// Decides one step of an application.
pub fn decide(
    a: &ApplicationFacts,
    cmd: &ApplicationCommand,
    ctx: &Context<'_>,
) -> Result<Transition, Refusal> {
    let today = ctx.today;
    Ok(match cmd {
        ApplicationCommand::CheckMaterials { complete, reasons } => {
            let stage = material_check(a.kind, a.stage, *complete, reasons)?;
            let (event, field) = if *complete {
                (
                    "application.accepted",
                    ApplicationField::AcceptedOn(today.to_string()),
                )
            } else {
                (
                    "application.returned",
                    ApplicationField::ReturnReasons(reasons.trim().to_string()),
                )
            };
            Transition::to(
                stage,
                event,
                json!({ "reasons": reasons.trim(), "on": today }),
            )
            .set(field)
        }
        ApplicationCommand::Resubmit { proposal, files } => {
            let stage = resubmit(a.stage)?;
            let names: Vec<Value> = files
                .iter()
                .map(|f| json!({ "name": f.name, "sha256": f.sha256 }))
                .collect();
            let t = Transition::to(
                stage,
                "application.resubmitted",
                json!({ "fields_changed": proposal.is_some(), "attachments": names }),
            )
            .set(ApplicationField::SubmittedOn(today.to_string()));
            match proposal {
                Some(p) => t.set(ApplicationField::Proposal(p.clone())),
                None => t,
            }
        }
        ApplicationCommand::Withdraw => {
            Transition::to(withdraw(a.stage)?, "application.withdrawn", json!({}))
        }
        ApplicationCommand::Extend { reasons } => {
            if !given(reasons) {
                return Err(LicensingError::ExtensionReasonsRequired);
            }
            let stage = extend(a.stage, a.extended)?;
            Transition::to(
                stage,
                "application.extended",
                json!({ "reasons": reasons.trim() }),
            )
            .set(ApplicationField::Extended(true))
        }
        ApplicationCommand::AddReview {
            expert_id,
            score,
            recommend,
            comment,
        } => {
            let Some(e) = &a.expert else {
                return Err(LicensingError::ExpertNotListed);
            };
            if !e.active || !a.region_path.starts_with(&e.region_path) {
                return Err(LicensingError::ExpertOutOfRegion);
            }
            let parties: Vec<i64> = if is_party(a, e) { vec![e.id] } else { vec![] };
            let new = Review {
                expert_id: *expert_id,
                score: *score,
                recommend: *recommend,
            };
            add_review(a.kind, a.stage, &a.reviews, &new, &parties)?;
            let count = a.reviews.len() as u32 + 1;
            let mut t = Transition::to(
                a.stage,
                "application.reviewed",
                json!({ "expert_id": expert_id, "expert": e.name, "score": score, "recommend": recommend, "comment": comment.trim() }),
            );
            if !a.review_started {
                t = t.set(ApplicationField::ReviewStartedOn(today.to_string()));
            }
            if count >= ctx.policy.min_expert_reviews && !a.review_finished {
                t = t.set(ApplicationField::ReviewFinishedOn(today.to_string()));
            }
            t.review = Some(ReviewRecord {
                expert_id: *expert_id,
                score: *score,
                recommend: *recommend,
                comment: comment.trim().to_string(),
            });
            t
        }
        ApplicationCommand::Decide { approve, reasons } => {
            let stage =
                registration_decision(a.kind, a.stage, &a.reviews, ctx.policy, *approve, reasons)?;
            let mut t = Transition::to(
                stage,
                if *approve {
                    "application.approved"
                } else {
                    "application.refused"
                },
                json!({ "reasons": reasons.trim(), "result_id": null, "reviews": a.reviews.len() }),
            )
            .set(ApplicationField::Decision(reasons.trim().to_string()));
            t.changes_register = *approve;
            t
        }
    })
}

#[cfg(test)]
mod tests {
    //! Every command: one case allowed and one refused with its rule; then the law of closing.
    use super::*;
    use proptest::prelude::*;

    fn facts(kind: ApplicationKind, stage: Stage) -> ApplicationFacts {
        ApplicationFacts {
            kind,
            stage,
            region_path: "/33/3301/".into(),
            subject: "韩思远".into(),
            institution_name: Some("浙江某司法鉴定所".into()),
            extended: false,
            review_started: false,
            review_finished: false,
            reviews: vec![],
            expert: None,
        }
    }

    fn expert(id: i64, organisation: &str, region_path: &str) -> ExpertFacts {
        ExpertFacts {
            id,
            name: format!("专家{id}"),
            organisation: organisation.into(),
            region_path: region_path.into(),
            active: true,
        }
    }

    fn run(a: &ApplicationFacts, cmd: &ApplicationCommand) -> Result<Transition, Refusal> {
        let p = Policy::default();
        decide(
            a,
            cmd,
            &Context {
                today: "2026-03-05",
                policy: &p,
            },
        )
    }

    const K: ApplicationKind = ApplicationKind::AppraiserRegister;

    fn good_reviews() -> Vec<Review> {
        (1..=3)
            .map(|i| Review {
                expert_id: i,
                score: 80,
                recommend: true,
            })
            .collect()
    }

    #[test]
    fn material_check_accepts_or_returns_with_everything_to_correct() {
        let a = facts(K, Stage::Submitted);
        let accept = ApplicationCommand::CheckMaterials {
            complete: true,
            reasons: String::new(),
        };
        let t = run(&a, &accept).unwrap();
        assert_eq!(
            (t.stage, t.event),
            (Stage::Accepted, "application.accepted")
        );
        assert_eq!(
            t.fields,
            vec![ApplicationField::AcceptedOn("2026-03-05".into())]
        );
        let back = ApplicationCommand::CheckMaterials {
            complete: false,
            reasons: "缺少住所证明".into(),
        };
        assert_eq!(run(&a, &back).unwrap().event, "application.returned");
        let silent = ApplicationCommand::CheckMaterials {
            complete: false,
            reasons: " ".into(),
        };
        assert_eq!(run(&a, &silent).unwrap_err().rule(), LAW_CHECK);
    }

    #[test]
    fn resubmit_restarts_the_check_only_when_returned() {
        let cmd = ApplicationCommand::Resubmit {
            proposal: Some("{}".into()),
            files: vec![StoredFile {
                name: "证明.pdf".into(),
                sha256: "ab".into(),
            }],
        };
        let t = run(&facts(K, Stage::Returned), &cmd).unwrap();
        assert_eq!(t.stage, Stage::Submitted);
        assert_eq!(t.payload["fields_changed"], true);
        assert!(t.fields.contains(&ApplicationField::Proposal("{}".into())));
        let e = run(&facts(K, Stage::Accepted), &cmd).unwrap_err();
        assert_eq!(e.rule(), LAW_PROCEDURE);
    }

    #[test]
    fn withdraw_only_while_open() {
        let t = run(&facts(K, Stage::Accepted), &ApplicationCommand::Withdraw).unwrap();
        assert_eq!(
            (t.stage, t.event),
            (Stage::Withdrawn, "application.withdrawn")
        );
        let e = run(&facts(K, Stage::Approved), &ApplicationCommand::Withdraw).unwrap_err();
        assert_eq!(e.rule(), LAW_PROCEDURE);
    }

    #[test]
    fn extend_once_with_reasons() {
        let cmd = |r: &str| ApplicationCommand::Extend { reasons: r.into() };
        let mut a = facts(K, Stage::Accepted);
        let t = run(&a, &cmd("需要现场核查")).unwrap();
        assert_eq!(t.fields, vec![ApplicationField::Extended(true)]);
        let e = run(&a, &cmd(" ")).unwrap_err();
        assert_eq!((e.rule(), e.field()), (LAW_PERIOD, "reasons"));
        a.extended = true;
        assert_eq!(
            run(&a, &cmd("再次")).unwrap_err(),
            LicensingError::AlreadyExtended
        );
    }

    #[test]
    fn a_review_by_a_listed_expert_not_party_to_the_application() {
        let cmd = |id: i64| ApplicationCommand::AddReview {
            expert_id: id,
            score: 85,
            recommend: true,
            comment: " 符合条件 ".into(),
        };
        let mut a = facts(K, Stage::Accepted);
        a.reviews = good_reviews()[..2].to_vec();
        a.expert = Some(expert(9, "浙江大学", "/33/"));
        let t = run(&a, &cmd(9)).unwrap();
        assert_eq!(t.event, "application.reviewed");
        assert_eq!(t.review.as_ref().unwrap().comment, "符合条件");
        assert!(
            t.fields
                .contains(&ApplicationField::ReviewFinishedOn("2026-03-05".into()))
        );
        a.expert = None;
        assert_eq!(
            run(&a, &cmd(9)).unwrap_err(),
            LicensingError::ExpertNotListed
        );
        a.expert = Some(expert(9, "浙江大学", "/44/"));
        assert_eq!(
            run(&a, &cmd(9)).unwrap_err(),
            LicensingError::ExpertOutOfRegion
        );
        a.expert = Some(expert(9, "浙江某司法鉴定所", "/33/"));
        let e = run(&a, &cmd(9)).unwrap_err();
        assert_eq!(
            (e.clone(), e.rule()),
            (LicensingError::ReviewerIsApplicant, PLATFORM)
        );
    }

    #[test]
    fn decision_changes_the_register_only_on_approval() {
        let cmd = |approve: bool, r: &str| ApplicationCommand::Decide {
            approve,
            reasons: r.into(),
        };
        let mut a = facts(K, Stage::Accepted);
        a.reviews = good_reviews();
        let t = run(&a, &cmd(true, "")).unwrap();
        assert_eq!(
            (t.stage, t.event),
            (Stage::Approved, "application.approved")
        );
        assert!(t.changes_register);
        assert_eq!(t.payload["result_id"], Value::Null);
        let t = run(&a, &cmd(false, "不符合条件")).unwrap();
        assert_eq!((t.stage, t.changes_register), (Stage::Refused, false));
        assert_eq!(run(&a, &cmd(false, " ")).unwrap_err().rule(), LAW_REFUSAL);
    }

    fn any_command() -> impl Strategy<Value = ApplicationCommand> {
        let text = prop::sample::select(vec!["", "理由"]);
        prop_oneof![
            (any::<bool>(), text.clone()).prop_map(|(c, r)| ApplicationCommand::CheckMaterials {
                complete: c,
                reasons: r.into()
            }),
            Just(ApplicationCommand::Resubmit {
                proposal: None,
                files: vec![]
            }),
            Just(ApplicationCommand::Withdraw),
            text.clone()
                .prop_map(|r| ApplicationCommand::Extend { reasons: r.into() }),
            (0u32..120, any::<bool>()).prop_map(|(s, r)| ApplicationCommand::AddReview {
                expert_id: 9,
                score: s,
                recommend: r,
                comment: String::new()
            }),
            (any::<bool>(), text).prop_map(|(a, r)| ApplicationCommand::Decide {
                approve: a,
                reasons: r.into()
            }),
        ]
    }

    proptest! {
        /// The law: a decided application stays decided (no transition leaves a closed stage);
        /// an open one closes only by withdrawal or a decision, and only an approval changes
        /// the register.
        #[test]
        fn closed_applications_stay_closed(
            kind in prop::sample::select(ApplicationKind::ALL.to_vec()),
            cmd in any_command(),
            n in 0usize..4,
        ) {
            // Every stage, so each generated command meets the stages it is allowed in.
            for stage in Stage::ALL {
                let mut a = facts(kind, stage);
                a.reviews = good_reviews()[..n.min(3)].to_vec();
                a.expert = Some(expert(9, "浙江大学", "/33/"));
                if let Ok(t) = run(&a, &cmd) {
                    prop_assert!(stage.is_open(), "{:?} changed a closed application", cmd);
                    if !t.stage.is_open() {
                        let closing = matches!(cmd, ApplicationCommand::Withdraw | ApplicationCommand::Decide { .. });
                        prop_assert!(closing, "{:?} closed an application", cmd);
                    }
                    prop_assert_eq!(t.changes_register, t.stage == Stage::Approved);
                }
            }
        }
    }
}
