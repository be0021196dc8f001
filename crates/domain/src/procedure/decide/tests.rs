//! Every command: one case the domain allows (with what it changes) and one it refuses, naming
//! the article. Then the law of closing, over generated facts and commands.
use super::*;
use crate::conclusion::{Conclusion, InjuryDegree};
use proptest::prelude::*;

/// The conclusion the test opinion was issued with (the matter is 1.02.01).
fn light2() -> Conclusion {
    Conclusion::InjuryDegree {
        degree: InjuryDegree::Light2,
    }
}

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn appraiser(id: i64, institution_id: i64) -> AppraiserFacts {
    AppraiserFacts {
        id,
        name: format!("鉴定人{id}"),
        institution_id,
        active: true,
        items: vec!["1.02".into()],
        senior_title: id == 12,
    }
}

/// A case of institution 1 on matter 1.02.01, received 2026-03-02 (Mon), contract in effect
/// 2026-03-04, appraisers 11 and 12 assigned; appraiser 21 of the same institution and 31 of
/// another are on file.
fn case(stage: Stage) -> CaseFacts {
    CaseFacts {
        stage,
        lineage: Lineage::Original,
        original: None,
        same_institution_reason: None,
        institution: InstitutionFacts {
            id: 1,
            active: true,
            scope: vec!["1.02".into(), "2.01".into()],
            qualification_rank: 2,
        },
        items: vec!["1.02.01".into()],
        received_on: d("2026-03-02"),
        agreed_accept_by: None,
        contract_effective_on: Some(d("2026-03-04")),
        agreed_complete_by: None,
        stops: vec![],
        extension_days: None,
        assigned: vec![11, 12],
        reviewers: vec![],
        signed: vec![],
        concurrent_elsewhere: vec![],
        materials_held: 1,
        materials_unrecorded: Vec::new(),
        step: StepFacts {
            appraisers: vec![
                appraiser(11, 1),
                appraiser(12, 1),
                appraiser(21, 1),
                appraiser(31, 2),
            ],
            panel: vec![appraiser(11, 1), appraiser(12, 1)],
            ..StepFacts::default()
        },
    }
}

fn cal() -> WorkingCalendar {
    WorkingCalendar::shipped()
}

fn run(c: &CaseFacts, cmd: &CaseCommand, today: &str) -> Result<Transition, Refusal> {
    let (cal, p) = (cal(), Policy::default());
    decide(
        c,
        cmd,
        &Context {
            today: d(today),
            calendar: &cal,
            policy: &p,
        },
    )
}

const TODAY: &str = "2026-03-05";

fn ok(c: &CaseFacts, cmd: &CaseCommand) -> Transition {
    run(c, cmd, TODAY).unwrap_or_else(|e| panic!("{} refused: {e}", cmd.name()))
}

fn article(c: &CaseFacts, cmd: &CaseCommand) -> &'static str {
    run(c, cmd, TODAY)
        .map(|t| panic!("{} allowed: {:?}", cmd.name(), t.stage))
        .unwrap_err()
        .rule()
}

const SHA: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn refuse_cmd(returned: bool) -> CaseCommand {
    CaseCommand::Refuse {
        reasons: vec![RefusalReason::OutOfScope],
        explanation: "超出业务范围".into(),
        materials_returned: returned,
    }
}

fn terminate_cmd(reasons: Vec<TerminationReason>) -> CaseCommand {
    CaseCommand::Terminate {
        reasons,
        explanation: "委托人撤回".into(),
        materials_returned: true,
    }
}

#[test]
fn accept_records_the_decision_and_refuses_a_matter_out_of_scope() {
    let t = ok(&case(Stage::Received), &CaseCommand::Accept);
    assert_eq!((t.stage, t.event), (Stage::Accepted, "case.accepted"));
    assert_eq!(t.payload["late"], false);
    assert!(t.fields.contains(&CaseField::DecidedOn(d(TODAY))));
    assert!(t.fields.contains(&CaseField::AcceptLate(false)));
    let mut out = case(Stage::Received);
    out.items = vec!["3.01".into()];
    assert_eq!(article(&out, &CaseCommand::Accept), ART15);
}

#[test]
fn agree_accept_date_moves_the_clock_and_needs_the_agreement() {
    let cmd = |agreement: &str| CaseCommand::AgreeAcceptDate {
        date: d("2026-04-30"),
        agreement: agreement.into(),
    };
    let t = ok(&case(Stage::Received), &cmd(" 与委托人电话商定 "));
    assert_eq!(t.stage, Stage::Received);
    assert_eq!(t.clock, vec![ClockChange::AgreedAcceptBy(d("2026-04-30"))]);
    assert!(
        t.fields
            .contains(&CaseField::AcceptAgreement("与委托人电话商定".into()))
    );
    assert_eq!(
        t.facts_after(&case(Stage::Received)).agreed_accept_by,
        Some(d("2026-04-30"))
    );
    assert_eq!(article(&case(Stage::Received), &cmd(" ")), ART13);
}

#[test]
fn refuse_closes_and_returns_the_materials() {
    let t = ok(&case(Stage::Received), &refuse_cmd(true));
    assert_eq!((t.stage, t.event), (Stage::Refused, "case.refused"));
    assert_eq!(t.payload["reasons"], "out_of_scope");
    assert!(
        t.records
            .contains(&SideRecord::MaterialsReturned { on: d(TODAY) })
    );
    assert!(t.fields.contains(&CaseField::ClosedOn(d(TODAY))));
    assert_eq!(article(&case(Stage::Received), &refuse_cmd(false)), ART17);
}

#[test]
fn sign_contract_starts_the_completion_clock_and_checks_the_agreed_date() {
    let cmd = |agreed: Option<&str>| CaseCommand::SignContract {
        effective_on: d("2026-03-04"),
        declares_reappraisal: false,
        agreed_complete_by: agreed.map(d),
        contract_sha256: Some(SHA.into()),
    };
    let t = ok(&case(Stage::Accepted), &cmd(Some("2026-05-29")));
    assert_eq!(
        (t.stage, t.event),
        (Stage::Contracted, "case.contract_signed")
    );
    assert_eq!(t.payload["contract_sha256"], SHA);
    let after = t.facts_after(&case(Stage::Accepted));
    assert_eq!(after.agreed_complete_by, Some(d("2026-05-29")));
    assert_eq!(
        article(&case(Stage::Accepted), &cmd(Some("2026-03-04"))),
        ART28
    );
}

#[test]
fn assign_detects_an_appraiser_of_the_same_matter_except_the_continued_opinion() {
    let mut c = case(Stage::Contracted);
    c.assigned.clear();
    let cmd = CaseCommand::Assign {
        appraiser_ids: vec![11, 12],
    };
    let t = ok(&c, &cmd);
    assert_eq!((t.stage, t.event), (Stage::Assigned, "case.assigned"));
    assert_eq!(
        t.records,
        vec![
            SideRecord::AssignmentAdded { appraiser_id: 11 },
            SideRecord::AssignmentAdded { appraiser_id: 12 }
        ]
    );
    // 第二十条: appraiser 11 took part in case 99 of the same matter.
    c.step.same_matter = vec![SameMatterLink {
        case_id: 99,
        appraiser_id: 11,
    }];
    assert_eq!(article(&c, &cmd), ART20);
    // 第三十条: a supplementary appraisal continues case 99 with its own appraisers.
    c.lineage = Lineage::Supplementary;
    c.step.parent_id = Some(99);
    c.original = Some(Original {
        institution_id: 1,
        appraiser_ids: vec![11, 12],
        qualification_rank: 2,
    });
    assert!(conflicts_of(&c).is_empty());
    assert_eq!(ok(&c, &cmd).stage, Stage::Assigned);
    // An appraiser not on file.
    let missing = CaseCommand::Assign {
        appraiser_ids: vec![11, 77],
    };
    assert_eq!(article(&case(Stage::Contracted), &missing), ART18);
}

#[test]
fn declare_conflict_needs_the_relation_written() {
    let cmd = |detail: &str| CaseCommand::DeclareConflict {
        appraiser_id: 11,
        kind: "relation".into(),
        detail: detail.into(),
    };
    let t = ok(&case(Stage::Contracted), &cmd("与原告系表兄弟"));
    assert_eq!(t.event, "case.conflict_declared");
    assert_eq!(t.stage, Stage::Contracted);
    assert_eq!(article(&case(Stage::Contracted), &cmd("")), ART20);
    let unknown = CaseCommand::DeclareConflict {
        appraiser_id: 11,
        kind: "friendship".into(),
        detail: String::new(),
    };
    let e = run(&case(Stage::Contracted), &unknown, TODAY).unwrap_err();
    assert_eq!((e.rule(), e.field()), (ART20, "kind"));
}

#[test]
fn decide_recusal_removes_a_granted_appraiser_and_needs_reasons() {
    let cmd = |decision: &str| CaseCommand::DecideRecusal {
        appraiser_id: 11,
        granted: true,
        decision: decision.into(),
    };
    let t = ok(&case(Stage::InProgress), &cmd("近亲属关系属实"));
    assert_eq!(
        t.records,
        vec![SideRecord::AssignmentRemoved {
            appraiser_id: 11,
            reason: "回避：近亲属关系属实".into()
        }]
    );
    assert_eq!(article(&case(Stage::InProgress), &cmd(" ")), ART21);
}

#[test]
fn start_needs_enough_appraisers() {
    let t = ok(&case(Stage::Assigned), &CaseCommand::Start);
    assert_eq!((t.stage, t.event), (Stage::InProgress, "case.started"));
    let mut one = case(Stage::Assigned);
    one.assigned = vec![11];
    assert_eq!(article(&one, &CaseCommand::Start), ART19);
}

#[test]
fn stop_and_resume_the_clock() {
    let stop = CaseCommand::StopClock {
        reason: StopReason::MaterialSupplement,
    };
    let t = ok(&case(Stage::InProgress), &stop);
    assert_eq!(t.stage, Stage::ClockStopped);
    let after = t.facts_after(&case(Stage::InProgress));
    assert_eq!(after.stops.len(), 1);
    assert_eq!(after.stops[0].to, None);
    let e = run(&case(Stage::InProgress), &stop, "2026-03-03").unwrap_err();
    assert_eq!(e.rule(), ART28);

    let mut stopped = after;
    let t = run(&stopped, &CaseCommand::ResumeClock, "2026-03-09").unwrap();
    assert_eq!(
        (t.stage, t.event),
        (Stage::InProgress, "case.clock_resumed")
    );
    assert_eq!(t.facts_after(&stopped).stops[0].to, Some(d("2026-03-09")));
    assert!(t.records.contains(&SideRecord::StopClosed {
        on: d("2026-03-09")
    }));
    stopped.stage = Stage::ClockStopped;
    let e = run(&stopped, &CaseCommand::ResumeClock, "2026-03-04").unwrap_err();
    assert_eq!(e.rule(), ART28);
}

#[test]
fn extend_once_with_reasons_and_the_heads_approval() {
    let cmd = |reason: &str, head: bool| CaseCommand::Extend {
        days: 10,
        reason: reason.into(),
        head_approved: head,
        client_notified: true,
    };
    let t = ok(&case(Stage::InProgress), &cmd("检验需要较长时间", true));
    assert_eq!(t.clock, vec![ClockChange::Extended(10)]);
    assert_eq!(t.stage, Stage::InProgress);
    assert_eq!(article(&case(Stage::InProgress), &cmd(" ", true)), ART28);
    assert_eq!(
        article(&case(Stage::InProgress), &cmd("复杂", false)),
        ART28
    );
}

#[test]
fn terminate_closes_with_a_ground() {
    let t = ok(
        &case(Stage::InProgress),
        &terminate_cmd(vec![TerminationReason::WithdrawnOrUnpaid]),
    );
    assert_eq!((t.stage, t.event), (Stage::Terminated, "case.terminated"));
    assert!(
        t.records
            .contains(&SideRecord::MaterialsReturned { on: d(TODAY) })
    );
    assert!(t.records.contains(&SideRecord::StopClosed { on: d(TODAY) }));
    assert_eq!(
        article(&case(Stage::InProgress), &terminate_cmd(vec![])),
        ART29
    );
}

#[test]
fn submit_for_review_names_qualified_reviewers_of_the_institution() {
    let cmd = |ids: Vec<i64>| CaseCommand::SubmitForReview { reviewer_ids: ids };
    let t = ok(&case(Stage::InProgress), &cmd(vec![21]));
    assert_eq!(
        (t.stage, t.event),
        (Stage::UnderReview, "case.review_requested")
    );
    assert!(t.fields.contains(&CaseField::ReviewRound(1)));
    assert_eq!(article(&case(Stage::InProgress), &cmd(vec![11])), ART35);
    let e = run(&case(Stage::InProgress), &cmd(vec![31]), TODAY).unwrap_err();
    assert_eq!((e.rule(), e.field()), (ART35, "reviewer_ids"));
}

#[test]
fn review_passes_to_signing_and_needs_an_opinion_from_the_reviewer_themself() {
    let mut c = case(Stage::UnderReview);
    c.reviewers = vec![21];
    c.step.review_round = 1;
    let cmd = |opinion: &str, by: SignedBy| CaseCommand::Review {
        reviewer_id: 21,
        agrees: true,
        opinion: opinion.into(),
        by,
    };
    let t = ok(&c, &cmd("同意", SignedBy::Staff));
    assert_eq!((t.stage, t.event), (Stage::Signing, "case.reviewed"));
    assert_eq!(t.payload["round"], 1);
    assert_eq!(article(&c, &cmd(" ", SignedBy::Staff)), ART35);
    let e = run(&c, &cmd("同意", SignedBy::Appraiser(22)), TODAY).unwrap_err();
    assert_eq!((e.clone(), e.rule()), (CaseError::NotOwnSignature, ART37));
}

#[test]
fn sign_only_by_the_cases_appraisers() {
    let cmd = |id: i64| CaseCommand::Sign {
        appraiser_id: id,
        dissent: String::new(),
        by: SignedBy::Staff,
    };
    let t = ok(&case(Stage::Signing), &cmd(11));
    assert_eq!(t.payload["all_signed"], false);
    assert_eq!(t.payload["recorded_by_staff"], true);
    assert_eq!(article(&case(Stage::Signing), &cmd(31)), ART37);
}

#[test]
fn seal_after_every_signature() {
    let mut c = case(Stage::Signing);
    c.signed = vec![11, 12];
    assert_eq!(ok(&c, &CaseCommand::Seal).stage, Stage::Sealed);
    c.signed = vec![11];
    assert_eq!(article(&c, &CaseCommand::Seal), ART37);
}

fn issued(stage: Stage) -> CaseFacts {
    let mut c = case(stage);
    c.signed = vec![11, 12];
    c.step.new_opinion = Some(NewOpinion {
        code: OpinionCode::new("330000", 2026, 1, 7).unwrap(),
        region: "330000".into(),
        year: 2026,
        category: 1,
        verification_key: "ABCDEFGHJKMN".into(),
    });
    c.step.opinion = Some(OpinionFacts {
        code: OpinionCode::new("330000", 2026, 1, 7)
            .unwrap()
            .as_str()
            .into(),
        version: 1,
        revoked: false,
        conclusion: Some(light2()),
    });
    c
}

#[test]
fn issue_codes_the_opinion_with_its_public_line() {
    let cmd = |sha: &str| CaseCommand::Issue {
        document_sha256: sha.into(),
        conclusion: light2(),
    };
    let c = issued(Stage::Sealed);
    let t = ok(&c, &cmd(SHA));
    let grouped = OpinionCode::new("330000", 2026, 1, 7).unwrap().grouped();
    assert_eq!((t.stage, t.event), (Stage::Issued, "case.issued"));
    assert_eq!(t.payload["code"], grouped.as_str());
    assert_eq!(
        t.public.as_deref(),
        Some(format!("opinion {grouped} {SHA} 1 {TODAY}").as_str())
    );
    assert!(matches!(t.records[0], SideRecord::OpinionIssued { .. }));
    // Issuing is delivering the final document (第三十九条), not sealing it (第三十八条).
    assert_eq!(article(&c, &cmd("")), ART39);
}

#[test]
fn archive_only_an_issued_opinion() {
    let t = ok(&case(Stage::Issued), &CaseCommand::Archive);
    assert_eq!((t.stage, t.event), (Stage::Archived, "case.archived"));
    assert_eq!(article(&case(Stage::Sealed), &CaseCommand::Archive), ART42);
}

#[test]
fn correct_never_changes_the_conclusion() {
    let cmd = |conclusion: Conclusion| CaseCommand::Correct {
        signer_id: 11,
        what: "第 3 页错别字".into(),
        conclusion,
        document_sha256: None,
    };
    let c = issued(Stage::Issued);
    let t = ok(&c, &cmd(light2()));
    assert_eq!(t.payload["version"], 2);
    assert_eq!(t.stage, Stage::Issued);
    // Another conclusion is refused, showing both side by side.
    let e = run(
        &c,
        &cmd(Conclusion::InjuryDegree {
            degree: InjuryDegree::Light1,
        }),
        TODAY,
    )
    .unwrap_err();
    assert_eq!((e.rule(), e.field()), (ART41, "conclusion"));
    assert!(
        e.to_string().contains("轻伤二级") && e.to_string().contains("轻伤一级"),
        "{e}"
    );
    // An opinion issued before conclusions were recorded: its first correction records one.
    let mut old = issued(Stage::Issued);
    old.step.opinion.as_mut().unwrap().conclusion = None;
    let t = ok(&old, &cmd(light2()));
    assert!(
        matches!(&t.records[0], SideRecord::Correction { conclusion, .. } if *conclusion == light2())
    );
}

#[test]
fn the_issued_conclusion_belongs_to_the_matter() {
    let c = issued(Stage::Sealed);
    let cmd = |conclusion| CaseCommand::Issue {
        document_sha256: SHA.into(),
        conclusion,
    };
    let t = ok(&c, &cmd(light2()));
    assert!(
        matches!(&t.records[0], SideRecord::OpinionIssued { conclusion, .. } if *conclusion == light2())
    );
    assert_eq!(t.payload["conclusion"], "人体损伤程度：轻伤二级");
    // A paternity conclusion on an injury matter is refused; words always fit.
    let e = run(&c, &cmd(Conclusion::Parentage { supported: true }), TODAY).unwrap_err();
    assert_eq!((e.rule(), e.field()), (ART41, "conclusion"));
    ok(
        &c,
        &cmd(Conclusion::Text {
            text: "构成轻伤二级".into(),
        }),
    );
}

#[test]
fn a_revoked_opinion_is_not_corrected() {
    let cmd = CaseCommand::Correct {
        signer_id: 11,
        what: "第 3 页错别字".into(),
        conclusion: light2(),
        document_sha256: None,
    };
    for stage in [Stage::Issued, Stage::Archived] {
        let mut c = issued(stage);
        c.step.opinion.as_mut().unwrap().revoked = true;
        assert_eq!(article(&c, &cmd), REVOCATION, "{stage:?}");
    }
}

#[test]
fn revoke_once_with_a_ground() {
    let cmd = CaseCommand::Revoke {
        reason: "浙司罚决字〔2026〕3号".into(),
    };
    let mut c = issued(Stage::Archived);
    let t = ok(&c, &cmd);
    assert_eq!(
        (t.stage, t.event),
        (Stage::Archived, "case.opinion_revoked")
    );
    assert!(
        t.public
            .as_deref()
            .is_some_and(|p| p.starts_with("revoked 330000-2026-1-"))
    );
    c.step.opinion.as_mut().unwrap().revoked = true;
    assert_eq!(article(&c, &cmd), REVOCATION);
}

#[test]
fn appearance_notice_names_a_court_and_signers() {
    let cmd = |ids: Vec<i64>, court: &str| CaseCommand::NotifyAppearance {
        appraiser_ids: ids,
        court: court.into(),
        hearing_on: d("2026-06-01"),
    };
    let c = issued(Stage::Issued);
    let t = ok(&c, &cmd(vec![11], "杭州市西湖区人民法院"));
    assert_eq!(t.event, "case.appearance_notified");
    assert_eq!(article(&c, &cmd(vec![11], " ")), ART43);
    assert_eq!(article(&c, &cmd(vec![31], "杭州市西湖区人民法院")), ART43);
}

#[test]
fn a_refusal_to_appear_makes_the_fee_refundable_once() {
    let cmd = |outcome| CaseCommand::RecordAppearance {
        appearance_id: 5,
        outcome,
        note: String::new(),
    };
    let mut c = issued(Stage::Issued);
    c.step.appearance = Some(Appearance::Notified);
    assert_eq!(
        ok(&c, &cmd(Appearance::Refused)).payload["refund_due"],
        true
    );
    assert_eq!(
        ok(&c, &cmd(Appearance::Attended)).payload["refund_due"],
        false
    );
    c.step.appearance = Some(Appearance::Attended);
    assert_eq!(article(&c, &cmd(Appearance::Refused)), ART43);
}

// ---------------------------------------------------------------------------------------------
// The panel is checked again at every step after assignment (通则第十九、二十条)
// ---------------------------------------------------------------------------------------------

/// Every step after assignment that carries the case towards the opinion, each in a stage
/// where it would otherwise be allowed.
fn steps_after_assignment() -> Vec<(CaseFacts, CaseCommand)> {
    let mut review = case(Stage::UnderReview);
    review.reviewers = vec![21];
    review.step.review_round = 1;
    let mut seal = case(Stage::Signing);
    seal.signed = vec![11, 12];
    vec![
        (case(Stage::Assigned), CaseCommand::Start),
        (
            case(Stage::InProgress),
            CaseCommand::SubmitForReview {
                reviewer_ids: vec![21],
            },
        ),
        (
            review,
            CaseCommand::Review {
                reviewer_id: 21,
                agrees: true,
                opinion: "同意".into(),
                by: SignedBy::Staff,
            },
        ),
        (
            case(Stage::Signing),
            CaseCommand::Sign {
                appraiser_id: 11,
                dissent: String::new(),
                by: SignedBy::Staff,
            },
        ),
        (seal, CaseCommand::Seal),
        (
            issued(Stage::Sealed),
            CaseCommand::Issue {
                document_sha256: SHA.into(),
                conclusion: light2(),
            },
        ),
    ]
}

#[test]
fn a_recusal_that_leaves_one_appraiser_stops_every_later_step() {
    for (c, cmd) in steps_after_assignment() {
        ok(&c, &cmd);
        // Appraiser 12 withdrew while the case was under way: one remains.
        let t = ok(
            &case(Stage::InProgress),
            &CaseCommand::DecideRecusal {
                appraiser_id: 12,
                granted: true,
                decision: "近亲属关系属实".into(),
            },
        );
        assert!(matches!(
            t.records[0],
            SideRecord::AssignmentRemoved {
                appraiser_id: 12,
                ..
            }
        ));
        let mut short = c.clone();
        short.assigned = vec![11];
        short.signed.retain(|a| *a == 11);
        let e = run(&short, &cmd, TODAY).unwrap_err();
        assert_eq!(
            (e.rule(), e.field()),
            (ART19, "appraisers"),
            "{}",
            cmd.name()
        );
    }
}

#[test]
fn a_conflict_declared_after_assignment_stops_every_later_step_until_decided() {
    for (c, cmd) in steps_after_assignment() {
        let mut conflicted = c.clone();
        conflicted.step.declared_conflicts = vec![Conflict {
            appraiser_id: 11,
            kind: ConflictKind::Consultant,
        }];
        let e = run(&conflicted, &cmd, TODAY).unwrap_err();
        assert_eq!(
            (e.rule(), e.field()),
            (ART20, "appraisers"),
            "{}",
            cmd.name()
        );
        assert!(e.to_string().contains("鉴定人11"), "{e}");
    }
    // The institution cannot decide that a declared 第二十条 ground needs no recusal.
    let mut c = case(Stage::InProgress);
    c.step.declared_conflicts = vec![Conflict {
        appraiser_id: 11,
        kind: ConflictKind::Consultant,
    }];
    let keep = CaseCommand::DecideRecusal {
        appraiser_id: 11,
        granted: false,
        decision: "不影响公正".into(),
    };
    assert_eq!(article(&c, &keep), ART20);
    // Without a declared ground a request may be turned down.
    ok(&case(Stage::InProgress), &keep);
}

#[test]
fn a_suspended_or_transferred_appraiser_stops_every_later_step() {
    for (c, cmd) in steps_after_assignment() {
        let mut suspended = c.clone();
        suspended.step.panel[0].active = false;
        assert_eq!(
            run(&suspended, &cmd, TODAY).unwrap_err().rule(),
            REGISTRATION
        );
        let mut moved = c.clone();
        moved.step.panel[1].institution_id = 2;
        assert_eq!(run(&moved, &cmd, TODAY).unwrap_err().rule(), ART18);
        let mut gone = c.clone();
        gone.step.panel.clear();
        assert_eq!(run(&gone, &cmd, TODAY).unwrap_err().rule(), ART18);
    }
}

#[test]
fn a_reviewer_must_hold_the_practice_items_of_the_matter() {
    let mut c = case(Stage::InProgress);
    // Appraiser 21 of the same institution practises 物证 only (4.01), not 法医临床 (1.02).
    c.step.appraisers[2].items = vec!["4.01".into()];
    let e = run(
        &c,
        &CaseCommand::SubmitForReview {
            reviewer_ids: vec![21],
        },
        TODAY,
    )
    .unwrap_err();
    assert_eq!((e.rule(), e.field()), (ART35, "reviewer_ids"));
    assert!(e.to_string().contains("1.02.01"), "{e}");
}

#[test]
fn a_commission_without_materials_is_not_accepted() {
    let mut c = case(Stage::Received);
    c.materials_held = 0;
    let e = run(&c, &CaseCommand::Accept, TODAY).unwrap_err();
    assert_eq!((e.rule(), e.field()), (ART14, "materials"));
    let mut p = Problems::default();
    material_problems(&mut p, &[], true);
    assert!(!p.is_empty(), "an empty list of materials is a problem");
}

/// 第十二条: the organ describes what it sends; the institution records condition, storage and
/// time of receipt before it may accept.
#[test]
fn materials_are_checked_at_the_institution_before_acceptance() {
    let described = MaterialRecord {
        name: "病历",
        kind: "书证",
        quantity: "1 册",
        condition: "",
        storage: "",
        received_at: "",
    };
    let mut p = Problems::default();
    material_problems(&mut p, &[described], false);
    assert!(
        p.is_empty(),
        "an organ's commission leaves the receipt facts: {p:?}"
    );
    material_problems(&mut p, &[described], true);
    assert!(!p.is_empty(), "the institution's own entry records all six");
    let mut p = Problems::default();
    material_problems(
        &mut p,
        &[MaterialRecord {
            kind: "",
            ..described
        }],
        false,
    );
    assert!(!p.is_empty(), "the organ still names the kind");

    let mut c = case(Stage::Received);
    c.materials_unrecorded = vec![crate::procedure::UnrecordedMaterial {
        id: 7,
        name: "病历".into(),
    }];
    let e = run(&c, &CaseCommand::Accept, TODAY).unwrap_err();
    assert_eq!((e.rule(), e.field()), (ART12, "materials"));
    assert!(e.to_string().contains("病历"), "{e}");

    let receipt = |id: i64, storage: &str| MaterialReceipt {
        material_id: id,
        condition: "完好".into(),
        storage: storage.into(),
        received_at: "2026-03-05 10:00".into(),
    };
    let record = |r: Vec<MaterialReceipt>| CaseCommand::RecordMaterials { receipts: r };
    assert_eq!(
        article(&c, &record(vec![receipt(7, " ")])),
        ART12,
        "storage missing"
    );
    assert_eq!(
        article(&c, &record(vec![receipt(8, "常温")])),
        ART12,
        "another material"
    );
    assert_eq!(
        article(&c, &record(vec![receipt(7, "常温"), receipt(7, "常温")])),
        ART12,
        "twice"
    );
    assert_eq!(article(&c, &record(Vec::new())), ART12);
    let t = ok(&c, &record(vec![receipt(7, " 常温 ")]));
    assert_eq!(t.stage, Stage::Received);
    assert_eq!(t.event, "case.materials_recorded");
    assert!(t.records.contains(&SideRecord::MaterialsRecorded {
        receipts: vec![receipt(7, "常温")]
    }));
    assert_eq!(
        article(&case(Stage::Accepted), &record(vec![receipt(7, "常温")])),
        ART12
    );
}

#[test]
fn a_step_out_of_order_names_the_article_that_orders_it() {
    let cases = [
        (Stage::Accepted, CaseCommand::Accept, ART13),
        (Stage::Accepted, refuse_cmd(true), ART13),
        (
            Stage::Received,
            CaseCommand::SignContract {
                effective_on: d("2026-03-04"),
                declares_reappraisal: false,
                agreed_complete_by: None,
                contract_sha256: None,
            },
            ART16,
        ),
        (
            Stage::Received,
            CaseCommand::Assign {
                appraiser_ids: vec![11, 12],
            },
            ART18,
        ),
        (Stage::Received, CaseCommand::Start, ART18),
        (Stage::Received, CaseCommand::ResumeClock, ART28),
        (
            Stage::Received,
            terminate_cmd(vec![TerminationReason::Other]),
            ART29,
        ),
        (
            Stage::Received,
            CaseCommand::SubmitForReview {
                reviewer_ids: vec![21],
            },
            ART35,
        ),
        (
            Stage::InProgress,
            CaseCommand::Sign {
                appraiser_id: 11,
                dissent: String::new(),
                by: SignedBy::Staff,
            },
            ART37,
        ),
        (Stage::InProgress, CaseCommand::Seal, ART38),
        (
            Stage::Signing,
            CaseCommand::Issue {
                document_sha256: SHA.into(),
                conclusion: light2(),
            },
            ART39,
        ),
        (Stage::Signing, CaseCommand::Archive, ART42),
    ];
    for (stage, cmd, rule) in cases {
        let e = run(&case(stage), &cmd, TODAY).unwrap_err();
        assert!(
            matches!(e, CaseError::WrongStage { .. }),
            "{}: {e}",
            cmd.name()
        );
        assert_eq!(e.rule(), rule, "{}", cmd.name());
    }
}

#[test]
fn texts_and_materials_have_a_maximum_length() {
    let long = "字".repeat(MAX_STEP_TEXT_CHARS + 1);
    let e = run(
        &case(Stage::InProgress),
        &CaseCommand::Terminate {
            reasons: vec![TerminationReason::Other],
            explanation: long,
            materials_returned: true,
        },
        TODAY,
    )
    .unwrap_err();
    assert_eq!(e.field(), "explanation");
    let name = "材".repeat(300_000);
    let mut p = Problems::default();
    material_problems(
        &mut p,
        &[MaterialRecord {
            name: &name,
            kind: "书证",
            quantity: "1",
            condition: "完好",
            storage: "常温",
            received_at: "2026-09-01 09:00",
        }],
        true,
    );
    assert!(
        !p.is_empty(),
        "a 300,000-character material name is refused"
    );
}

#[test]
fn a_missing_holiday_table_cites_the_clock_it_stops() {
    // A case received in a year the calendar has no table for and no statutory rule counts
    // (past the years of 《全国年节及纪念日放假办法》 the calendar can reckon).
    let mut c = case(Stage::Received);
    c.received_on = d("2100-03-02");
    let e = run(&c, &CaseCommand::Accept, "2100-03-05").unwrap_err();
    assert!(matches!(e, CaseError::Calendar { .. }), "{e}");
    assert_eq!(e.rule(), ART13);
    // A year without a table but with the statutory holidays is counted provisionally: the
    // step goes on.
    c.received_on = d("2099-03-02");
    assert!(run(&c, &CaseCommand::Accept, "2099-03-05").is_ok());
}

// ---------------------------------------------------------------------------------------------
// The law of closing
// ---------------------------------------------------------------------------------------------

fn any_command() -> impl Strategy<Value = CaseCommand> {
    let ids = prop::collection::vec(prop::sample::select(vec![11_i64, 12, 21, 31, 77]), 0..4);
    let text = prop::sample::select(vec!["", " ", "理由充分的说明"]);
    prop_oneof![
        Just(CaseCommand::Accept),
        text.clone().prop_map(|t| CaseCommand::AgreeAcceptDate {
            date: d("2026-04-30"),
            agreement: t.into()
        }),
        (text.clone(), any::<bool>()).prop_map(|(t, r)| CaseCommand::Refuse {
            reasons: vec![RefusalReason::Other],
            explanation: t.into(),
            materials_returned: r
        }),
        any::<bool>().prop_map(|r| CaseCommand::SignContract {
            effective_on: d("2026-03-04"),
            declares_reappraisal: r,
            agreed_complete_by: None,
            contract_sha256: None
        }),
        ids.clone()
            .prop_map(|v| CaseCommand::Assign { appraiser_ids: v }),
        (text.clone(), any::<bool>()).prop_map(|(t, g)| CaseCommand::DecideRecusal {
            appraiser_id: 11,
            granted: g,
            decision: t.into()
        }),
        Just(CaseCommand::Start),
        Just(CaseCommand::StopClock {
            reason: StopReason::WitnessAbsent
        }),
        Just(CaseCommand::ResumeClock),
        (0u32..40, text.clone()).prop_map(|(n, t)| CaseCommand::Extend {
            days: n,
            reason: t.into(),
            head_approved: true,
            client_notified: true
        }),
        (text.clone(), any::<bool>()).prop_map(|(t, r)| CaseCommand::Terminate {
            reasons: vec![TerminationReason::Other],
            explanation: t.into(),
            materials_returned: r
        }),
        ids.clone()
            .prop_map(|v| CaseCommand::SubmitForReview { reviewer_ids: v }),
        (any::<bool>(), text.clone()).prop_map(|(a, t)| CaseCommand::Review {
            reviewer_id: 21,
            agrees: a,
            opinion: t.into(),
            by: SignedBy::Staff
        }),
        prop::sample::select(vec![11_i64, 12, 31]).prop_map(|a| CaseCommand::Sign {
            appraiser_id: a,
            dissent: String::new(),
            by: SignedBy::Staff
        }),
        Just(CaseCommand::Seal),
        prop::sample::select(vec!["", SHA]).prop_map(|s| CaseCommand::Issue {
            document_sha256: s.into(),
            conclusion: light2()
        }),
        Just(CaseCommand::Archive),
        any::<bool>().prop_map(|c| CaseCommand::Correct {
            signer_id: 11,
            what: "错字".into(),
            conclusion: if c {
                light2()
            } else {
                Conclusion::Text { text: "x".into() }
            },
            document_sha256: None
        }),
        text.clone()
            .prop_map(|t| CaseCommand::Revoke { reason: t.into() }),
        (ids, text).prop_map(|(v, t)| CaseCommand::NotifyAppearance {
            appraiser_ids: v,
            court: t.into(),
            hearing_on: d("2026-06-01")
        }),
        prop::sample::select(vec![
            Appearance::Notified,
            Appearance::Attended,
            Appearance::Refused
        ])
        .prop_map(|o| CaseCommand::RecordAppearance {
            appearance_id: 5,
            outcome: o,
            note: String::new()
        }),
    ]
}

proptest! {
    /// The law: (1) a transition leaves an open stage for a closed one only through refuse,
    /// terminate or issue; (2) no transition leaves a closed stage for an open one; (3) every
    /// refusal names a source (an article, a regulation or the platform's rule).
    #[test]
    fn open_cases_close_only_by_refusal_termination_or_issue(
        cmd in any_command(),
        signed in prop::collection::vec(prop::sample::select(vec![11_i64, 12]), 0..3),
        reviewers in prop::collection::vec(prop::sample::select(vec![21_i64, 22]), 0..3),
    ) {
        // Every stage, so each generated command meets the stages it is allowed in.
        for stage in Stage::ALL {
            let mut c = issued(stage);
            c.signed = signed.clone();
            c.reviewers = reviewers.clone();
            c.step.appearance = Some(Appearance::Notified);
            match run(&c, &cmd, TODAY) {
                Ok(t) => {
                    if stage.is_open() && !t.stage.is_open() {
                        let closing = matches!(
                            cmd,
                            CaseCommand::Refuse { .. }
                                | CaseCommand::Terminate { .. }
                                | CaseCommand::Issue { .. }
                        );
                        prop_assert!(closing, "{} closed a case from {:?}", cmd.name(), stage);
                        prop_assert!(cmd.closes());
                    }
                    if !stage.is_open() {
                        prop_assert!(!t.stage.is_open(), "{} reopened a case from {:?}", cmd.name(), stage);
                    }
                }
                Err(e) => prop_assert!(!e.rule().is_empty()),
            }
        }
    }
}
