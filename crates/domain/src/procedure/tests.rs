//! One test per rule: the step allowed, and the step refused with its article.
use super::*;
use crate::calendar::Reckoned;

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn cal() -> WorkingCalendar {
    WorkingCalendar::shipped()
}

fn inst() -> InstitutionFacts {
    InstitutionFacts {
        id: 1,
        active: true,
        scope: vec!["1.02".into(), "2.01".into()],
        qualification_rank: 2,
    }
}

fn appraiser(id: i64, items: &[&str], senior: bool) -> AppraiserFacts {
    AppraiserFacts {
        id,
        name: format!("鉴定人{id}"),
        institution_id: 1,
        active: true,
        items: items.iter().map(|s| s.to_string()).collect(),
        senior_title: senior,
    }
}

fn case(stage: Stage) -> CaseFacts {
    CaseFacts {
        stage,
        lineage: Lineage::Original,
        original: None,
        same_institution_reason: None,
        institution: inst(),
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
            panel: vec![
                appraiser(11, &["1.02"], false),
                appraiser(12, &["1.02"], true),
            ],
            ..StepFacts::default()
        },
    }
}

fn rule_of<T: std::fmt::Debug>(r: Result<T, CaseError>) -> &'static str {
    r.unwrap_err().rule()
}

#[test]
fn acceptance_within_scope_and_its_deadline() {
    let p = Policy::default();
    let c = case(Stage::Received);
    // 2026-03-02 (Mon) + 7 working days = 2026-03-11.
    assert_eq!(
        accept_by(&c, &cal(), &p).unwrap(),
        Reckoned::exact(d("2026-03-11"))
    );
    assert_eq!(accept(&c, d("2026-03-05"), &cal(), &p), Ok(false));
    assert_eq!(
        accept(&c, d("2026-03-12"), &cal(), &p),
        Ok(true),
        "late, recorded as such"
    );
    let mut out = c.clone();
    out.items = vec!["3.01".into()];
    assert_eq!(rule_of(accept(&out, d("2026-03-05"), &cal(), &p)), ART15);
    let mut none = c.clone();
    none.items.clear();
    assert_eq!(rule_of(accept(&none, d("2026-03-05"), &cal(), &p)), ART14);
    // 第十五条第六项: open at another institution, as record linkage confirmed.
    let mut elsewhere = c.clone();
    elsewhere.concurrent_elsewhere = vec!["另一司法鉴定机构的委托，已经司法行政机关确认".into()];
    let e = accept(&elsewhere, d("2026-03-05"), &cal(), &p).unwrap_err();
    assert_eq!(e.rule(), ART15);
    assert!(
        e.to_string().contains("第十五条第六项") && e.to_string().contains("已经司法行政机关确认")
    );
    assert!(matches!(
        accept(&case(Stage::Accepted), d("2026-03-05"), &cal(), &p),
        Err(CaseError::WrongStage { .. })
    ));
}

#[test]
fn a_suspended_institution_cannot_accept_or_assign() {
    let p = Policy::default();
    let mut c = case(Stage::Received);
    c.institution.active = false;
    assert_eq!(
        rule_of(accept(&c, d("2026-03-05"), &cal(), &p)),
        REGISTRATION
    );
    let mut c = case(Stage::Contracted);
    c.institution.active = false;
    let a = [
        appraiser(11, &["1.02"], false),
        appraiser(12, &["1.02"], false),
    ];
    assert_eq!(rule_of(assign(&c, &a, &[], &p)), REGISTRATION);
}

#[test]
fn an_agreed_acceptance_date_is_recorded_and_later_than_the_statutory_one() {
    let p = Policy::default();
    let c = case(Stage::Received);
    assert!(agree_accept_date(&c, d("2026-03-20"), "疑难，经协商", &cal(), &p).is_ok());
    assert_eq!(
        rule_of(agree_accept_date(&c, d("2026-03-20"), " ", &cal(), &p)),
        ART13
    );
    assert_eq!(
        rule_of(agree_accept_date(&c, d("2026-03-10"), "协商", &cal(), &p)),
        ART13
    );
    let mut agreed = c.clone();
    agreed.agreed_accept_by = Some(d("2026-03-20"));
    assert_eq!(
        accept_by(&agreed, &cal(), &p).unwrap(),
        Reckoned::exact(d("2026-03-20"))
    );
}

#[test]
fn refusal_needs_a_ground_reasons_and_returned_materials() {
    let c = case(Stage::Received);
    let r = [RefusalReason::ConcurrentCommission];
    assert!(refuse(&c, &r, "已委托他所", true).is_ok());
    assert_eq!(rule_of(refuse(&c, &[], "x", true)), ART15);
    assert_eq!(rule_of(refuse(&c, &r, "", true)), ART17);
    assert_eq!(rule_of(refuse(&c, &r, "x", false)), ART17);
}

#[test]
fn the_contract_declares_a_reappraisal_truthfully() {
    let c = case(Stage::Accepted);
    assert!(sign_contract(&c, d("2026-03-04"), false).is_ok());
    assert_eq!(rule_of(sign_contract(&c, d("2026-03-04"), true)), ART16);
    assert_eq!(rule_of(sign_contract(&c, d("2026-03-01"), false)), ART16);
    let mut re = c.clone();
    re.lineage = Lineage::Reappraisal;
    assert!(sign_contract(&re, d("2026-03-04"), true).is_ok());
}

#[test]
fn assignment_rules_of_articles_18_to_20() {
    let p = Policy::default();
    let c = case(Stage::Contracted);
    let a = appraiser(11, &["1.02"], false);
    let b = appraiser(12, &["1.02.01"], false);
    assert!(assign(&c, &[a.clone(), b.clone()], &[], &p).is_ok());
    // 第十九条: two at least (the same person twice does not count).
    assert_eq!(
        rule_of(assign(&c, std::slice::from_ref(&a), &[], &p)),
        ART19
    );
    assert_eq!(rule_of(assign(&c, &[a.clone(), a.clone()], &[], &p)), ART19);
    // 第十八条: of this institution, licensed for the item.
    let mut other = b.clone();
    other.institution_id = 2;
    assert_eq!(rule_of(assign(&c, &[a.clone(), other], &[], &p)), ART18);
    let unlicensed = appraiser(13, &["2.01"], false);
    assert_eq!(
        rule_of(assign(&c, &[a.clone(), unlicensed], &[], &p)),
        ART18
    );
    // Suspended appraiser.
    let mut suspended = b.clone();
    suspended.active = false;
    assert_eq!(
        rule_of(assign(&c, &[a.clone(), suspended], &[], &p)),
        REGISTRATION
    );
    // 第二十条: each ground of conflict.
    for kind in [
        ConflictKind::SameMatterBefore,
        ConflictKind::Consultant,
        ConflictKind::ExpertWitness,
        ConflictKind::Relation("原告之兄".into()),
    ] {
        let x = Conflict {
            appraiser_id: 12,
            kind,
        };
        assert_eq!(
            rule_of(assign(&c, &[a.clone(), b.clone()], &[x], &p)),
            ART20
        );
    }
    // A configured minimum of three.
    let three = Policy {
        min_appraisers: 3,
        ..p
    };
    assert_eq!(rule_of(assign(&c, &[a, b], &[], &three)), ART19);
}

#[test]
fn supplementary_appraisal_by_the_original_appraisers() {
    let p = Policy::default();
    let mut c = case(Stage::Contracted);
    c.lineage = Lineage::Supplementary;
    c.original = Some(Original {
        institution_id: 1,
        appraiser_ids: vec![11, 12],
        qualification_rank: 2,
    });
    let a = appraiser(11, &["1.02"], false);
    let b = appraiser(12, &["1.02"], false);
    let other = appraiser(13, &["1.02"], false);
    assert!(assign(&c, &[a.clone(), b], &[], &p).is_ok());
    assert_eq!(rule_of(assign(&c, &[a, other], &[], &p)), ART30);
    assert!(may_supplement(Stage::Issued).is_ok());
    assert_eq!(rule_of(may_supplement(Stage::InProgress)), ART30);
}

#[test]
fn reappraisal_rules_of_articles_31_and_32() {
    let p = Policy::default();
    let original = Original {
        institution_id: 9,
        appraiser_ids: vec![91, 92],
        qualification_rank: 2,
    };
    let mut c = case(Stage::Contracted);
    c.lineage = Lineage::Reappraisal;
    c.original = Some(original.clone());
    let senior = appraiser(11, &["1.02"], true);
    let junior = appraiser(12, &["1.02"], false);
    assert!(assign(&c, &[senior.clone(), junior.clone()], &[], &p).is_ok());
    // At least one senior title.
    let junior2 = appraiser(13, &["1.02"], false);
    assert_eq!(
        rule_of(assign(&c, &[junior.clone(), junior2], &[], &p)),
        ART32
    );
    // None of the original appraisers (when re-appraised at the same institution).
    let mut same = c.clone();
    same.original = Some(Original {
        institution_id: 1,
        appraiser_ids: vec![12],
        qualification_rank: 2,
    });
    assert_eq!(rule_of(assign(&same, &[senior, junior], &[], &p)), ART32);

    // Who may ask, and where.
    let i = inst();
    assert!(may_reappraise(Stage::Issued, OrganKind::Court, &original, &i, None).is_ok());
    assert_eq!(
        rule_of(may_reappraise(
            Stage::Issued,
            OrganKind::Other,
            &original,
            &i,
            None
        )),
        ART31
    );
    assert_eq!(
        rule_of(may_reappraise(
            Stage::InProgress,
            OrganKind::Court,
            &original,
            &i,
            None
        )),
        ART31
    );
    let at_original = Original {
        institution_id: 1,
        ..original.clone()
    };
    assert_eq!(
        rule_of(may_reappraise(
            Stage::Issued,
            OrganKind::Police,
            &at_original,
            &i,
            None
        )),
        ART32
    );
    assert!(
        may_reappraise(
            Stage::Issued,
            OrganKind::Police,
            &at_original,
            &i,
            Some("当地仅此一家")
        )
        .is_ok()
    );
    let higher = Original {
        qualification_rank: 3,
        ..original
    };
    assert_eq!(
        rule_of(may_reappraise(
            Stage::Issued,
            OrganKind::Procuratorate,
            &higher,
            &i,
            None
        )),
        ART32
    );
}

#[test]
fn recusal_is_decided_by_the_institution() {
    let c = case(Stage::InProgress);
    assert_eq!(
        decide_recusal(&c, 12, true, "与当事人有亲属关系"),
        Ok(vec![11])
    );
    assert_eq!(
        decide_recusal(&c, 12, false, "理由不成立"),
        Ok(vec![11, 12])
    );
    assert_eq!(rule_of(decide_recusal(&c, 99, true, "x")), ART21);
    assert_eq!(rule_of(decide_recusal(&c, 12, true, "")), ART21);
    // After a granted recusal the case cannot go on with one appraiser.
    let mut short = case(Stage::Assigned);
    short.assigned = vec![11];
    assert_eq!(rule_of(start(&short, &Policy::default())), ART19);
}

#[test]
fn the_completion_clock_with_stops_and_one_extension() {
    let p = Policy::default();
    let mut c = case(Stage::InProgress);
    // 2026-03-04 + 30 working days = 2026-04-16 (清明 4-4..4-6 is a holiday).
    let base = complete_by(&c, d("2026-03-10"), &cal(), &p)
        .unwrap()
        .unwrap();
    assert!(!base.provisional);
    let base = base.value;
    assert_eq!(base, cal().add_working_days(d("2026-03-04"), 30).unwrap());
    // A stop of five working days moves it by five.
    c.stops.push(ClockStop {
        from: d("2026-03-09"),
        to: Some(d("2026-03-16")),
        reason: StopReason::MaterialSupplement,
    });
    let stopped = complete_by(&c, d("2026-03-20"), &cal(), &p)
        .unwrap()
        .unwrap()
        .value;
    assert_eq!(stopped, cal().add_working_days(base, 5).unwrap());
    // An open stop counts up to today.
    let mut open = case(Stage::ClockStopped);
    open.stops.push(ClockStop {
        from: d("2026-03-09"),
        to: None,
        reason: StopReason::WitnessAbsent,
    });
    assert_eq!(
        stopped_days(&open, d("2026-03-11"), &cal()).unwrap(),
        Reckoned::exact(2)
    );
    assert!(
        clock(&open, d("2026-03-11"), &cal(), &p)
            .unwrap()
            .unwrap()
            .stopped
    );
    // One extension, ≤ 30 days, head's approval, client told.
    assert!(extend(&c, 30, true, true, &p).is_ok());
    assert_eq!(rule_of(extend(&c, 31, true, true, &p)), ART28);
    assert_eq!(rule_of(extend(&c, 0, true, true, &p)), ART28);
    assert_eq!(rule_of(extend(&c, 10, false, true, &p)), ART28);
    assert_eq!(rule_of(extend(&c, 10, true, false, &p)), ART28);
    c.extension_days = Some(10);
    assert_eq!(rule_of(extend(&c, 5, true, true, &p)), ART28);
    let extended = complete_by(&c, d("2026-03-20"), &cal(), &p)
        .unwrap()
        .unwrap()
        .value;
    assert_eq!(extended, cal().add_working_days(stopped, 10).unwrap());
    // An agreed completion date replaces the 30 days.
    let mut agreed = case(Stage::InProgress);
    agreed.agreed_complete_by = Some(d("2026-06-30"));
    assert_eq!(
        complete_by(&agreed, d("2026-03-10"), &cal(), &p).unwrap(),
        Some(Reckoned::exact(d("2026-06-30")))
    );
}

#[test]
fn clock_urgency_and_overdue() {
    let p = Policy::default();
    let c = case(Stage::Received);
    let due = accept_by(&c, &cal(), &p).unwrap().value;
    let on_time = clock(&c, d("2026-03-03"), &cal(), &p).unwrap().unwrap();
    assert_eq!(
        (on_time.deadline, on_time.urgency),
        ("accept", Urgency::OnTime)
    );
    let soon = clock(&c, d("2026-03-09"), &cal(), &p).unwrap().unwrap();
    assert_eq!((soon.days_left, soon.urgency), (2, Urgency::DueSoon));
    let late = clock(&c, cal().add_working_days(due, 2).unwrap(), &cal(), &p)
        .unwrap()
        .unwrap();
    assert_eq!((late.days_left, late.urgency), (-2, Urgency::Overdue));
    assert_eq!(
        clock(&case(Stage::Issued), d("2026-03-09"), &cal(), &p).unwrap(),
        None
    );
    assert!(!on_time.provisional);
    // A year without a holiday table is counted provisionally from the statutory holidays, and
    // says so; a year without a statutory rule either cannot be counted: an error, not a guess.
    let mut far = case(Stage::Received);
    far.received_on = d("2031-03-03");
    let provisional = clock(&far, d("2031-03-04"), &cal(), &p).unwrap().unwrap();
    assert_eq!(provisional.due, d("2031-03-12"));
    assert!(provisional.provisional);
    let mut beyond = case(Stage::Received);
    beyond.received_on = d("2099-12-28");
    assert!(matches!(
        clock(&beyond, d("2099-12-29"), &cal(), &p),
        Err(CaseError::Calendar { .. })
    ));
}

#[test]
fn stops_and_resumes() {
    let c = case(Stage::InProgress);
    assert!(stop_clock(&c, d("2026-03-09")).is_ok());
    assert_eq!(rule_of(stop_clock(&c, d("2026-03-01"))), ART28);
    let mut s = case(Stage::ClockStopped);
    s.stops.push(ClockStop {
        from: d("2026-03-09"),
        to: None,
        reason: StopReason::MaterialSupplement,
    });
    assert!(resume_clock(&s, d("2026-03-12")).is_ok());
    assert_eq!(rule_of(resume_clock(&s, d("2026-03-08"))), ART28);
    assert!(matches!(
        stop_clock(&s, d("2026-03-12")),
        Err(CaseError::WrongStage { .. })
    ));
}

#[test]
fn termination_needs_a_ground_notice_and_returned_materials() {
    let c = case(Stage::InProgress);
    let r = [TerminationReason::WithdrawnOrUnpaid];
    assert!(terminate(&c, &r, "委托人撤销委托", true).is_ok());
    assert_eq!(rule_of(terminate(&c, &[], "x", true)), ART29);
    assert_eq!(rule_of(terminate(&c, &r, " ", true)), ART29);
    assert_eq!(rule_of(terminate(&c, &r, "x", false)), ART29);
    assert!(matches!(
        terminate(&case(Stage::Issued), &r, "x", true),
        Err(CaseError::WrongStage { .. })
    ));
}

#[test]
fn review_by_others_and_a_panel_for_reappraisals() {
    let p = Policy::default();
    let c = case(Stage::InProgress);
    assert!(submit_for_review(&c, &[21], &p).is_ok());
    assert_eq!(rule_of(submit_for_review(&c, &[], &p)), ART35);
    assert_eq!(rule_of(submit_for_review(&c, &[11], &p)), ART35);
    let mut re = c.clone();
    re.lineage = Lineage::Reappraisal;
    assert_eq!(rule_of(submit_for_review(&re, &[21, 22], &p)), ART35);
    assert!(submit_for_review(&re, &[21, 22, 23], &p).is_ok());

    let mut r = case(Stage::UnderReview);
    r.reviewers = vec![21, 22];
    assert_eq!(
        review(&r, 21, true, "程序合规", &[]),
        Ok(ReviewResult::Pending)
    );
    assert_eq!(
        review(&r, 22, true, "同意", &[21]),
        Ok(ReviewResult::Passed)
    );
    assert_eq!(
        review(&r, 22, false, "检验不充分", &[21]),
        Ok(ReviewResult::Returned)
    );
    assert_eq!(rule_of(review(&r, 23, true, "x", &[])), ART35);
    assert_eq!(rule_of(review(&r, 21, true, "x", &[21])), ART35);
    assert_eq!(rule_of(review(&r, 21, true, "", &[])), ART35);
}

#[test]
fn every_appraiser_signs_before_the_seal_and_issue_needs_the_document() {
    let mut c = case(Stage::Signing);
    assert_eq!(sign(&c, 11), Ok(false));
    assert_eq!(rule_of(sign(&c, 13)), ART37);
    assert_eq!(rule_of(seal(&c)), ART37);
    c.signed = vec![11];
    assert_eq!(rule_of(sign(&c, 11)), ART37);
    assert_eq!(sign(&c, 12), Ok(true));
    c.signed = vec![11, 12];
    assert!(seal(&c).is_ok());
    let sealed = case(Stage::Sealed);
    assert!(issue(&sealed, &"ab".repeat(32)).is_ok());
    assert_eq!(rule_of(issue(&sealed, "abc")), ART39);
    assert!(matches!(
        issue(&c, &"ab".repeat(32)),
        Err(CaseError::WrongStage { .. })
    ));
    assert!(archive(&case(Stage::Issued)).is_ok());
    assert!(archive(&case(Stage::Sealed)).is_err());
}

#[test]
fn a_correction_never_changes_the_conclusion() {
    let c = case(Stage::Issued);
    assert!(correct(&c, 11, "第3页错别字").is_ok());
    assert_eq!(rule_of(correct(&c, 99, "x")), ART41);
    assert_eq!(rule_of(correct(&c, 11, "")), ART41);
    assert!(correct(&case(Stage::InProgress), 11, "x").is_err());
}

#[test]
fn an_opinion_is_revoked_once_with_a_stated_ground() {
    let c = case(Stage::Issued);
    assert!(revoke(&c, false, "浙司罚决字〔2026〕12号").is_ok());
    assert!(revoke(&case(Stage::Archived), false, "浙司罚决字〔2026〕12号").is_ok());
    assert_eq!(
        rule_of(revoke(&c, true, "浙司罚决字〔2026〕12号")),
        REVOCATION
    );
    assert_eq!(rule_of(revoke(&c, false, " 处罚 ")), REVOCATION);
    assert!(matches!(
        revoke(&case(Stage::InProgress), false, "浙司罚决字〔2026〕12号"),
        Err(CaseError::WrongStage { .. })
    ));
}

#[test]
fn court_appearance_and_the_refund_on_refusal() {
    let mut c = case(Stage::Issued);
    c.signed = vec![11, 12];
    assert!(notify_appearance(&c, &[11]).is_ok());
    assert_eq!(rule_of(notify_appearance(&c, &[13])), ART43);
    assert_eq!(rule_of(notify_appearance(&c, &[])), ART43);
    assert_eq!(
        record_appearance(Appearance::Notified, Appearance::Attended),
        Ok(false)
    );
    assert_eq!(
        record_appearance(Appearance::Notified, Appearance::Refused),
        Ok(true)
    );
    assert!(record_appearance(Appearance::Attended, Appearance::Refused).is_err());
}

#[test]
fn stage_texts_round_trip_and_only_open_stages_run_clocks() {
    for s in Stage::ALL {
        assert_eq!(Stage::parse(s.as_str()), Some(s));
        assert!(!s.label_zh().is_empty() && !s.label_en().is_empty());
        assert!(!s.completion_clock_runs() || s.is_open());
    }
    for r in RefusalReason::ALL {
        assert_eq!(RefusalReason::parse(r.as_str()), Some(r));
    }
    for r in TerminationReason::ALL {
        assert_eq!(TerminationReason::parse(r.as_str()), Some(r));
    }
    assert!(covers(&["1.02".into()], "1.02.03"));
    assert!(!covers(&["1.02".into()], "1.020"));
    assert!(!covers(&["1.02.01".into()], "1.02"));
}
