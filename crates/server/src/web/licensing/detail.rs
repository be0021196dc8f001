//! An application's file: material, proposals, declarations, reviews and decision.
use super::*;

/// The proposed fields in readable form.
pub(super) fn proposal_rows(lang: Lang, app: &Application) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    match Proposal::parse(&app.payload) {
        Ok(Proposal::Institution(f)) => {
            for (k, v) in [
                (lang.t("licensing.reg.name"), f.name.clone()),
                (
                    lang.t("licensing.reg.credit_code"),
                    f.uscc.clone().unwrap_or_default(),
                ),
                (lang.t("licensing.reg.licence_no"), f.licence_no.clone()),
                (
                    lang.t("licensing.reg.licence_until"),
                    f.licence_valid_to.clone().unwrap_or_default(),
                ),
                (lang.t("licensing.reg.region"), f.region_code.clone()),
                (
                    lang.t("licensing.reg.issuer"),
                    f.registering_authority.clone(),
                ),
                (
                    lang.t("licensing.reg.scope"),
                    scope_labels_in(lang, &f.scope),
                ),
                (
                    lang.t("licensing.reg.qualification"),
                    crate::labels::qualification_label_in(lang, &f.qualification_level),
                ),
                (
                    lang.t("licensing.reg.accreditation"),
                    crate::web::registry::accreditation_text(lang, &f.accreditations.0),
                ),
                (lang.t("licensing.reg.legal_rep"), f.legal_rep.clone()),
                (lang.t("licensing.reg.head"), f.head_name.clone()),
                (lang.t("licensing.reg.address"), f.address.clone()),
                (lang.t("licensing.reg.phone"), f.phone.clone()),
                (
                    lang.t("licensing.reg.military"),
                    if f.military {
                        lang.t("licensing.yes").into()
                    } else {
                        lang.t("licensing.no").into()
                    },
                ),
                (lang.t("licensing.reg.status"), f.status.clone()),
            ] {
                rows.push(vec![k.to_string(), or_dash(&v)]);
            }
        }
        Ok(Proposal::Appraiser(f)) => {
            for (k, v) in [
                (lang.t("licensing.reg.person_name"), f.name.clone()),
                (
                    lang.t("licensing.reg.gender"),
                    if f.gender == "female" {
                        lang.t("licensing.gender.female").into()
                    } else {
                        lang.t("licensing.gender.male").into()
                    },
                ),
                (
                    lang.t("licensing.reg.birth"),
                    f.birth_date.clone().unwrap_or_default(),
                ),
                (
                    lang.t("licensing.reg.id_number"),
                    f.id_number
                        .as_ref()
                        .map(|i| i.masked.clone())
                        .unwrap_or_default(),
                ),
                (
                    lang.t("licensing.reg.education"),
                    crate::labels::education_label_in(lang, &f.education),
                ),
                (
                    lang.t("licensing.reg.certificate"),
                    f.certificate_no.clone(),
                ),
                (
                    lang.t("licensing.reg.items"),
                    scope_labels_in(lang, &f.scope),
                ),
                (lang.t("licensing.reg.title"), f.title.clone()),
                (
                    lang.t("licensing.reg.senior"),
                    if f.senior_title {
                        lang.t("licensing.yes").into()
                    } else {
                        lang.t("licensing.no").into()
                    },
                ),
                (lang.t("licensing.reg.status"), f.status.clone()),
            ] {
                rows.push(vec![k.to_string(), or_dash(&v)]);
            }
        }
        Err(_) => rows.push(vec!["—".into(), lang.t("licensing.unreadable").into()]),
    }
    rows
}

pub(super) fn declaration_rows(lang: Lang, app: &Application) -> Vec<Vec<String>> {
    let v: serde_json::Value = serde_json::from_str(&app.eligibility).unwrap_or_default();
    let d: Declarations = serde_json::from_value(v["declarations"].clone()).unwrap_or_default();
    let yes = |b: bool| {
        if b {
            lang.t("licensing.yes")
        } else {
            lang.t("licensing.no")
        }
        .to_string()
    };
    let mut rows = Vec::new();
    if app.kind == ApplicationKind::AppraiserRegister {
        rows.extend([
            vec![
                lang.t("licensing.decl.industry").into(),
                yes(d.industry_qualification),
            ],
            vec![
                lang.t("licensing.decl.years").into(),
                lang.tf("licensing.years", &[("n", &d.years_in_field.to_string())]),
            ],
            vec![
                lang.t("licensing.decl.experience").into(),
                yes(d.experience_based),
            ],
            vec![lang.t("licensing.decl.healthy").into(), yes(d.healthy)],
            vec![
                lang.t("licensing.decl.criminal").into(),
                yes(d.criminal_record),
            ],
            vec![
                lang.t("licensing.decl.dismissed").into(),
                yes(d.dismissed_from_public_office),
            ],
            vec![
                lang.t("licensing.decl.incapacity").into(),
                yes(d.lacks_capacity),
            ],
        ]);
    } else if app.kind == ApplicationKind::InstitutionEstablish {
        rows.push(vec![
            lang.t("licensing.decl.funds").into(),
            lang.tf("licensing.yuan", &[("n", &d.funds_yuan.to_string())]),
        ]);
        rows.push(vec![
            lang.t("licensing.decl.equipment").into(),
            yes(d.has_equipment),
        ]);
        for (c, n) in &d.appraisers_per_category {
            let name = c
                .parse::<u8>()
                .ok()
                .and_then(Category::from_digit)
                .map(|x| lang.pick(x.label_zh(), x.label_en()))
                .unwrap_or("");
            rows.push(vec![
                lang.tf("licensing.appraisers_of", &[("category", name)]),
                lang.tf("licensing.persons", &[("n", &n.to_string())]),
            ]);
        }
    }
    if let Some(r) = v["reason"].as_str().filter(|r| !r.is_empty()) {
        rows.push(vec![lang.t("licensing.decl.reasons").into(), r.to_string()]);
    }
    rows
}

pub async fn detail(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewApplications).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let cal = s.calendar.current(&s.db).await.or_page(lang)?;
    let c = clock(&s, &cal, &app);
    let attachments = applications::attachments(&s.db, id)
        .await
        .unwrap_or_default();
    let reviews = applications::reviews(&s.db, id).await.unwrap_or_default();
    let stage = app.stage;
    let kind = app.kind;
    let policy = s.cfg.licensing.for_path(&app.region_path);
    // The decision is offered when the rule would take it, and not before (平台审批规则).
    let decision = decision_open(
        kind,
        stage,
        &applications::domain_reviews(&reviews),
        &policy,
    );
    let next = next_step(lang, &app, &decision);
    let t = |k: &str| lang.t(k).to_string();
    let mut actions = Vec::new();
    let handler = a.role().may(Action::HandleApplication);
    if handler && stage == Stage::Submitted {
        actions.push(ActionButton::link(
            t("licensing.check"),
            format!("/applications/{id}/check"),
        ));
    }
    if handler && stage == Stage::Accepted && kind.needs_expert_review() {
        actions.push(ActionButton::link(
            t("licensing.review"),
            format!("/applications/{id}/review"),
        ));
    }
    if handler && stage == Stage::Accepted && !app.extended {
        actions.push(ActionButton::link(
            t("licensing.extend"),
            format!("/applications/{id}/extend"),
        ));
    }
    if a.role().may(Action::DecideApplication) && decision.is_ok() {
        actions.push(ActionButton::link(
            t("licensing.decide"),
            format!("/applications/{id}/decide"),
        ));
    }
    if a.role().may(Action::SubmitApplication) && stage == Stage::Returned {
        actions.push(ActionButton {
            label: t("licensing.resubmit"),
            href: format!("/applications/{id}/resubmit"),
            post: true,
            confirm: lang.t("licensing.confirm.resubmit").into(),
            danger: false,
        });
    }
    if a.role().may(Action::SubmitApplication) && stage.is_open() {
        actions.push(ActionButton {
            label: t("licensing.withdraw"),
            href: format!("/applications/{id}/withdraw"),
            post: true,
            confirm: lang.t("licensing.confirm.withdraw").into(),
            danger: true,
        });
    }
    let (st, class) = stage_badge(lang, &app);
    let mut fields = vec![
        (
            t("field.application_kind"),
            kind_label(lang, app.kind),
            None,
        ),
        (t("field.subject"), app.subject.clone(), None),
        (
            t("field.institution"),
            app.institution_name
                .clone()
                .unwrap_or_else(|| lang.t("licensing.being_set_up").into()),
            app.institution_id.map(|i| format!("/institutions/{i}")),
        ),
        (
            t("field.region"),
            format!("{} ({})", app.region_name, app.region_code),
            None,
        ),
        (
            t("field.applicant"),
            app.applicant_name.clone().unwrap_or_else(|| "—".into()),
            None,
        ),
        (t("field.submitted_on"), app.submitted_on.to_string(), None),
        (
            t("field.accepted_on"),
            app.accepted_on
                .map_or_else(|| "—".into(), |d| d.to_string()),
            None,
        ),
        (
            t("field.review_period"),
            match (&app.review_started_on, &app.review_finished_on) {
                (Some(a), Some(b)) => lang.tf(
                    "licensing.review_period.done",
                    &[("from", &a.to_string()), ("to", &b.to_string())],
                ),
                (Some(a), None) => {
                    lang.tf("licensing.review_period.open", &[("from", &a.to_string())])
                }
                _ => "—".into(),
            },
            None,
        ),
        (
            t("field.extended"),
            t(if app.extended { "yes" } else { "no" }),
            None,
        ),
        (
            t("field.deadline"),
            // A closed clock has its name only; one that cannot be counted says why below.
            match clock_text(lang, &c) {
                Some((due, _)) if c.warning.is_none() => {
                    format!("{}{}{due}", clock_label(lang, &c), lang.pick("：", ": "))
                }
                _ => clock_label(lang, &c),
            },
            None,
        ),
    ];
    if let Some(note) = clock_note(lang, [&c]) {
        fields.push((t("cases.field.deadline_note"), note, None));
    }
    if let Some(n) = &next {
        fields.push((t("licensing.next"), n.clone(), None));
    }
    if !app.return_reasons.is_empty() {
        fields.push((t("field.return_reasons"), app.return_reasons.clone(), None));
    }
    if app.decided_at.is_some() {
        fields.push((
            t("field.decision_reasons"),
            or_dash(&app.decision_reasons),
            None,
        ));
        fields.push((t("field.decided_at"), fmt_opt_time(app.decided_at), None));
    }
    if let Some(r) = app.result_id {
        let href = if app.kind.is_institution() {
            format!("/institutions/{r}")
        } else {
            format!("/appraisers/{r}")
        };
        fields.push((t("field.result"), t("licensing.result_link"), Some(href)));
    }
    let (show_history, history) = history(&s, &a, lang, "application", id).await;
    let v = DetailView {
        tables: vec![
            DetailTable {
                title: t("licensing.proposal"),
                head: vec![t("field.item_name"), t("field.value")],
                rows: proposal_rows(lang, &app),
                empty: t("detail.none"),
                link: None,
                row_links: Vec::new(),
            },
            DetailTable {
                title: t("licensing.declarations"),
                head: vec![t("field.item_name"), t("field.value")],
                rows: declaration_rows(lang, &app),
                empty: t("detail.none"),
                link: None,
                row_links: Vec::new(),
            },
            DetailTable {
                title: t("licensing.attachments"),
                head: vec![
                    t("field.name"),
                    t("field.size"),
                    "SHA-256".into(),
                    t("field.created_at"),
                ],
                rows: attachments
                    .iter()
                    .map(|x| {
                        vec![
                            x.name.clone(),
                            format!("{:.1} KiB", x.size as f64 / 1024.0),
                            x.sha256.clone(),
                            fmt_time(x.created_at),
                        ]
                    })
                    .collect(),
                empty: t("detail.none"),
                link: None,
                row_links: attachments
                    .iter()
                    .map(|x| Some(format!("/applications/{id}/attachments/{}", x.id)))
                    .collect(),
            },
            DetailTable {
                title: lang.tf(
                    "licensing.reviews.title",
                    &[
                        ("reviews", &t("licensing.reviews")),
                        ("n", &policy.min_expert_reviews.to_string()),
                    ],
                ),
                head: vec![
                    t("field.expert"),
                    t("field.score"),
                    t("field.recommend"),
                    t("field.comment"),
                    t("field.created_at"),
                ],
                rows: reviews
                    .iter()
                    .map(|r| {
                        vec![
                            lang.tf(
                                "licensing.expert_at",
                                &[
                                    ("name", &r.expert_name),
                                    ("organisation", &r.expert_organisation),
                                ],
                            ),
                            r.score.to_string(),
                            t(if r.recommend { "yes" } else { "no" }),
                            r.comment.clone(),
                            fmt_time(r.created_at),
                        ]
                    })
                    .collect(),
                empty: t("detail.none"),
                link: None,
                row_links: Vec::new(),
            },
        ],
        title: lang.tf(
            "licensing.title_no",
            &[
                ("what", &kind_label(lang, app.kind)),
                ("id", &app.id.to_string()),
            ],
        ),
        badge: Some((st, class)),
        back: "/applications".into(),
        actions,
        fields,
        show_history,
        history,
    };
    let c = Chrome::new(&a, lang, v.title.clone(), "/applications").saved_flash_then(&q, next);
    Ok(render(&DetailPage { c, v }))
}

/// What comes next on an application, as the rules see it now: nothing once it is closed. An
/// accepted application that still needs expert reviews says how many, and that the decision
/// follows them.
fn next_step(
    lang: Lang,
    app: &Application,
    decision: &Result<(), LicensingError>,
) -> Option<String> {
    match (app.stage, decision) {
        (Stage::Submitted, _) => Some(lang.t("licensing.next.check").into()),
        (Stage::Returned, _) => Some(lang.t("licensing.next.resubmit").into()),
        (Stage::Accepted, Ok(())) => Some(lang.t("licensing.next.decide").into()),
        (Stage::Accepted, Err(LicensingError::NotEnoughReviews { have, need })) => Some(lang.tf(
            "licensing.next.reviews",
            &[("have", &have.to_string()), ("need", &need.to_string())],
        )),
        _ => None,
    }
}

pub async fn attachment(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path((id, aid)): Path<(i64, i64)>,
) -> PageResult {
    a.require(Action::ViewApplications).or_page(lang)?;
    let (name, content_type, data) = applications::attachment_data(&s.db, &a.scope(), id, aid)
        .await
        .or_page(lang)?;
    Ok(crate::responses::download(&name, content_type, data))
}
