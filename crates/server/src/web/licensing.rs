//! Pages of online licensing (网上审批): the applications queue with statutory clocks, an
//! application's file with its material, reviews and decision, the forms of each step, and the
//! expert list.
use super::forms::{FormData, MultipartPost, Post, UploadedFile};
use super::listing::{ListParams, badge, cell, link};
use super::registry::{history, or_dash, refused, region_options, scope_labels_in, scope_options};
use super::view::*;
use super::{OrPage, PageResult, redirect, render};
use crate::auth::{Authed, PageUser};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use base64::Engine;
use sijian_domain::licensing::{ApplicationCommand, ApplicationKind, Stage};
use sijian_domain::{Action, Category, Scope};
use sijian_service::inputs::{AppraiserInput, EDUCATION, InstitutionInput, QUALIFICATION_LEVELS};
use sijian_service::licensing::{AttachmentInput, ClockView, Declarations, SubmitBody, clock};
use sijian_store::applications::{self, Application, ApplicationFilter, NewExpert, Proposal};
use sijian_store::{ListQuery, registry};

fn kind_label(lang: Lang, kind: &str) -> String {
    ApplicationKind::parse(kind)
        .map(|k| lang.pick(k.label_zh(), k.label_en()).to_string())
        .unwrap_or_else(|| kind.into())
}

fn stage_badge(lang: Lang, app: &Application) -> (String, &'static str) {
    match Stage::parse(&app.stage) {
        Some(Stage::Accepted) if !app.kind().is_some_and(|k| k.needs_expert_review()) => {
            (lang.t("licensing.stage.accepted").into(), "")
        }
        Some(s) => (
            lang.pick(s.label_zh(), s.label_en()).to_string(),
            match s {
                Stage::Approved => "ok",
                Stage::Refused | Stage::Withdrawn => "bad",
                Stage::Returned => "warn",
                _ => "",
            },
        ),
        None => (app.stage.clone(), ""),
    }
}

/// The name of an application's running clock: the service's Chinese, or the catalogue's text
/// for its kind.
fn clock_label(lang: Lang, c: &ClockView) -> String {
    let key = format!("licensing.clock_kind.{}", c.kind);
    match lang {
        Lang::En if crate::i18n::has(&key) => {
            let label = lang.t(&key);
            if c.warning.is_some() {
                lang.tf("licensing.clock.uncomputable", &[("clock", label)])
            } else {
                label.to_string()
            }
        }
        _ => c.label.clone(),
    }
}

fn clock_text(lang: Lang, c: &ClockView) -> (String, &'static str) {
    if let Some(w) = &c.warning {
        return (
            lang.pick(w, lang.t("licensing.clock.no_calendar"))
                .to_string(),
            "warn",
        );
    }
    match (&c.due, c.working_days_left) {
        (Some(due), Some(left)) if c.overdue => (
            lang.tf(
                "licensing.clock.overdue",
                &[("days", &(-left).to_string()), ("due", &due.to_string())],
            ),
            "bad",
        ),
        (Some(due), Some(left)) if c.kind == "stopped" => (
            lang.tf(
                "licensing.clock.stopped",
                &[("due", &due.to_string()), ("left", &left.to_string())],
            ),
            "",
        ),
        (Some(due), Some(left)) => (
            lang.tf(
                "licensing.clock.running",
                &[("due", &due.to_string()), ("left", &left.to_string())],
            ),
            if left <= 2 { "warn" } else { "ok" },
        ),
        _ => (clock_label(lang, c), ""),
    }
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewApplications).or_page(lang)?;
    let p = ListParams::new("/applications", q);
    let f = ApplicationFilter {
        stage: p.get("stage"),
        kind: p.get("kind"),
        open: p.get("open").as_deref() == Some("true"),
    };
    let page = applications::list(&s.db, &a.scope(), &f, &p.query())
        .await
        .or_page(lang)?;
    let cal = s.calendar.current(&s.db).await.or_page(lang)?;
    let filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter(
            "stage",
            lang.t("field.stage"),
            Stage::ALL
                .iter()
                .map(|x| {
                    (
                        x.as_str().to_string(),
                        lang.pick(x.label_zh(), x.label_en()).to_string(),
                    )
                })
                .collect(),
        ),
        p.select_filter(
            "kind",
            lang.t("field.application_kind"),
            ApplicationKind::ALL
                .iter()
                .map(|x| {
                    (
                        x.as_str().to_string(),
                        lang.pick(x.label_zh(), x.label_en()).to_string(),
                    )
                })
                .collect(),
        ),
        p.select_filter(
            "open",
            lang.t("field.open_only"),
            vec![("true".into(), lang.t("yes").into())],
        ),
    ];
    let cols = vec![
        p.column(lang.t("field.application_no"), ""),
        p.column(lang.t("field.application_kind"), "kind"),
        p.column(lang.t("field.subject"), "subject"),
        p.column(lang.t("field.region"), ""),
        p.column(lang.t("field.submitted_on"), "submitted"),
        p.column(lang.t("field.stage"), "stage"),
        p.column(lang.t("field.deadline"), ""),
    ];
    let new_link = a.role().may(Action::SubmitApplication).then(|| {
        (
            "/applications/new".to_string(),
            lang.t("licensing.new").to_string(),
        )
    });
    let v = p.view(
        lang,
        lang.t("nav.applications").into(),
        new_link,
        filters,
        cols,
        &page,
        |x| {
            let (st, class) = stage_badge(lang, x);
            let (due, due_class) = clock_text(lang, &clock(&s, &cal, x));
            vec![
                link(
                    lang.t("field.application_no"),
                    lang.tf("licensing.number", &[("id", &x.id.to_string())]),
                    format!("/applications/{}", x.id),
                ),
                cell(lang.t("field.application_kind"), kind_label(lang, &x.kind)),
                cell(lang.t("field.subject"), &x.subject),
                cell(lang.t("field.region"), &x.region_name),
                cell(lang.t("field.submitted_on"), &x.submitted_on),
                badge(lang.t("field.stage"), st, class),
                badge(lang.t("field.deadline"), due, due_class),
            ]
        },
    );
    Ok(render(&ListPage {
        c: Chrome::new(&a, lang, lang.t("nav.applications"), "/applications"),
        v,
    }))
}

fn button(label: &str, href: String) -> ActionButton {
    ActionButton {
        label: label.into(),
        href,
        post: false,
        confirm: String::new(),
        danger: false,
    }
}

/// The proposed fields in readable form.
fn proposal_rows(lang: Lang, app: &Application) -> Vec<Vec<String>> {
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
                    super::registry::accreditation_text(lang, &f.accreditations.0),
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

fn declaration_rows(lang: Lang, app: &Application) -> Vec<Vec<String>> {
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
    if app.kind.starts_with("appraiser_register") {
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
    } else if app.kind == "institution_establish" {
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
    let (due, _) = clock_text(lang, &c);
    let attachments = applications::attachments(&s.db, id)
        .await
        .unwrap_or_default();
    let reviews = applications::reviews(&s.db, id).await.unwrap_or_default();
    let stage = app.stage();
    let kind = app.kind();
    let t = |k: &str| lang.t(k).to_string();
    let mut actions = Vec::new();
    let handler = a.role().may(Action::HandleApplication);
    if handler && stage == Stage::Submitted {
        actions.push(button(
            &t("licensing.check"),
            format!("/applications/{id}/check"),
        ));
    }
    if handler && stage == Stage::Accepted && kind.is_some_and(|k| k.needs_expert_review()) {
        actions.push(button(
            &t("licensing.review"),
            format!("/applications/{id}/review"),
        ));
    }
    if handler && stage == Stage::Accepted && !app.extended {
        actions.push(button(
            &t("licensing.extend"),
            format!("/applications/{id}/extend"),
        ));
    }
    if a.role().may(Action::DecideApplication) && stage == Stage::Accepted {
        actions.push(button(
            &t("licensing.decide"),
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
            kind_label(lang, &app.kind),
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
        (t("field.submitted_on"), app.submitted_on.clone(), None),
        (
            t("field.accepted_on"),
            app.accepted_on.clone().unwrap_or_else(|| "—".into()),
            None,
        ),
        (
            t("field.review_period"),
            match (&app.review_started_on, &app.review_finished_on) {
                (Some(a), Some(b)) => {
                    lang.tf("licensing.review_period.done", &[("from", a), ("to", b)])
                }
                (Some(a), None) => lang.tf("licensing.review_period.open", &[("from", a)]),
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
            format!("{}{}{due}", clock_label(lang, &c), lang.pick("：", ": ")),
            None,
        ),
    ];
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
        let href = if app.kind.starts_with("institution") {
            format!("/institutions/{r}")
        } else {
            format!("/appraisers/{r}")
        };
        fields.push((t("field.result"), t("licensing.result_link"), Some(href)));
    }
    let (show_history, history) = history(&s, &a, lang, "application", id).await;
    let policy = s.cfg.licensing.for_path(&app.region_path);
    let v = DetailView {
        tables: vec![
            DetailTable {
                title: t("licensing.proposal"),
                head: vec![t("field.item_name"), t("field.value")],
                rows: proposal_rows(lang, &app),
                empty: t("detail.none"),
                link: None,
            },
            DetailTable {
                title: t("licensing.declarations"),
                head: vec![t("field.item_name"), t("field.value")],
                rows: declaration_rows(lang, &app),
                empty: t("detail.none"),
                link: None,
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
            },
        ],
        title: lang.tf(
            "licensing.title_no",
            &[
                ("what", &kind_label(lang, &app.kind)),
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
    let mut v = v;
    for (n, x) in attachments.iter().enumerate() {
        if let Some(row) = v.tables[2].rows.get_mut(n) {
            row[0] = format!("{}（/applications/{id}/attachments/{}）", x.name, x.id);
        }
    }
    let c = Chrome::new(&a, lang, v.title.clone(), "/applications").saved_flash(&q);
    Ok(render(&DetailPage { c, v }))
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

fn step_form(
    title: String,
    intro: &str,
    action: String,
    id: i64,
    version: i64,
    fields: Vec<FormField>,
    submit: String,
    confirm: bool,
) -> FormView {
    FormView {
        title,
        intro: Some(intro.into()),
        action,
        hidden: vec![("version".into(), version.to_string())],
        fields,
        errors: Vec::new(),
        submit,
        cancel: format!("/applications/{id}"),
        confirm,
    }
}

fn check_form(lang: Lang, app: &Application, f: &FormData) -> FormView {
    step_form(
        lang.tf(
            "licensing.title_no",
            &[
                ("what", lang.t("licensing.check")),
                ("id", &app.id.to_string()),
            ],
        ),
        lang.t("licensing.check.intro"),
        format!("/applications/{}/check", app.id),
        app.id,
        app.version,
        vec![
            FormField::select(
                "complete",
                lang.t("licensing.check_result").into(),
                f.text("complete"),
                vec![
                    ("true".into(), lang.t("licensing.check.accept").into()),
                    ("false".into(), lang.t("licensing.check.return").into()),
                ],
            )
            .required(),
            FormField {
                kind: "textarea",
                ..FormField::text(
                    "reasons",
                    lang.t("field.return_reasons").into(),
                    f.text("reasons"),
                )
            }
            .help(lang.t("licensing.check.return_help")),
        ],
        lang.t("action.save").into(),
        true,
    )
}

pub async fn check_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(Action::HandleApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let v = check_form(
        lang,
        &app,
        &FormData(vec![("complete".into(), "true".into())]),
    );
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/applications"),
        v,
    }))
}

pub async fn check_submit(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::HandleApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let complete = p.form.text("complete") == "true";
    let version = p.form.int("version").unwrap_or(-1);
    let command = ApplicationCommand::CheckMaterials {
        complete,
        reasons: p.form.text("reasons"),
    };
    match sijian_service::licensing::step(&s, a, id, Some(version), command, &[]).await {
        Ok(_) => Ok(redirect(&format!("/applications/{id}?saved=1"))),
        Err(e) => {
            let v = check_form(lang, &app, &p.form);
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/applications"),
                v,
                e,
            ))
        }
    }
}

async fn review_form(s: &AppState, lang: Lang, app: &Application, f: &FormData) -> FormView {
    let experts = applications::experts_for(&s.db, &app.region_path)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            (
                e.id.to_string(),
                format!("{}（{}，{}）", e.name, e.organisation, e.title),
            )
        })
        .collect();
    let mut v = step_form(
        lang.tf(
            "licensing.title_no",
            &[
                ("what", lang.t("licensing.review")),
                ("id", &app.id.to_string()),
            ],
        ),
        lang.t("licensing.review.intro"),
        format!("/applications/{}/review", app.id),
        app.id,
        app.version,
        vec![
            FormField::select(
                "expert_id",
                lang.t("field.expert").into(),
                f.text("expert_id"),
                experts,
            )
            .required(),
            FormField::text("score", lang.t("field.score").into(), f.text("score"))
                .typed("number")
                .required()
                .help(lang.t("licensing.review.score_help")),
            FormField::checkbox(
                "recommend",
                lang.t("field.recommend").into(),
                f.flag("recommend"),
                lang.t("licensing.review.recommend").into(),
            ),
            FormField {
                kind: "textarea",
                ..FormField::text("comment", lang.t("field.comment").into(), f.text("comment"))
            },
        ],
        lang.t("action.save").into(),
        false,
    );
    v.hidden.clear();
    v
}

pub async fn review_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(Action::HandleApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let v = review_form(&s, lang, &app, &FormData::default()).await;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/applications"),
        v,
    }))
}

pub async fn review_submit(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::HandleApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let score = p
        .form
        .get("score")
        .and_then(|v| v.trim().parse::<u32>().ok());
    let result = match (p.form.int("expert_id"), score) {
        (Some(expert_id), Some(score)) => {
            let command = ApplicationCommand::AddReview {
                expert_id,
                score,
                recommend: p.form.flag("recommend"),
                comment: p.form.text("comment"),
            };
            sijian_service::licensing::step(&s, a, id, None, command, &[])
                .await
                .map_err(AppError::from)
        }
        (None, _) => Err(AppError::field(
            "expert_id",
            lang.t("licensing.error.expert"),
        )),
        (_, None) => Err(AppError::field("score", lang.t("licensing.error.score"))),
    };
    match result {
        Ok(_) => Ok(redirect(&format!("/applications/{id}?saved=1"))),
        Err(e) => {
            let v = review_form(&s, lang, &app, &p.form).await;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/applications"),
                v,
                e,
            ))
        }
    }
}

fn decide_form(lang: Lang, app: &Application, f: &FormData) -> FormView {
    step_form(
        lang.tf(
            "licensing.title_no",
            &[
                ("what", lang.t("licensing.decide")),
                ("id", &app.id.to_string()),
            ],
        ),
        lang.t("licensing.decide.intro"),
        format!("/applications/{}/decide", app.id),
        app.id,
        app.version,
        vec![
            FormField::select(
                "approve",
                lang.t("licensing.decision").into(),
                f.text("approve"),
                vec![
                    ("true".into(), lang.t("licensing.decide.approve").into()),
                    ("false".into(), lang.t("licensing.decide.refuse").into()),
                ],
            )
            .required(),
            FormField {
                kind: "textarea",
                ..FormField::text(
                    "reasons",
                    lang.t("field.decision_reasons").into(),
                    f.text("reasons"),
                )
            }
            .help(lang.t("licensing.decide.reasons_help")),
        ],
        lang.t("licensing.decide").into(),
        true,
    )
}

pub async fn decide_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(Action::DecideApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let v = decide_form(
        lang,
        &app,
        &FormData(vec![("approve".into(), "true".into())]),
    );
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/applications"),
        v,
    }))
}

pub async fn decide_submit(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::DecideApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let version = p.form.int("version").unwrap_or(-1);
    let command = ApplicationCommand::Decide {
        approve: p.form.text("approve") == "true",
        reasons: p.form.text("reasons"),
    };
    match sijian_service::licensing::step(&s, a, id, Some(version), command, &[]).await {
        Ok(_) => Ok(redirect(&format!("/applications/{id}?saved=1"))),
        Err(e) => {
            let v = decide_form(lang, &app, &p.form);
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/applications"),
                v,
                e,
            ))
        }
    }
}

fn extend_form(s: &AppState, lang: Lang, app: &Application, f: &FormData) -> FormView {
    let days = s.cfg.licensing.for_path(&app.region_path).extension_days;
    step_form(
        lang.tf(
            "licensing.title_no",
            &[
                ("what", lang.t("licensing.extend")),
                ("id", &app.id.to_string()),
            ],
        ),
        &lang.tf("licensing.extend.intro", &[("days", &days.to_string())]),
        format!("/applications/{}/extend", app.id),
        app.id,
        app.version,
        vec![
            FormField {
                kind: "textarea",
                ..FormField::text(
                    "reasons",
                    lang.t("field.extend_reasons").into(),
                    f.text("reasons"),
                )
            }
            .required(),
        ],
        lang.t("licensing.extend").into(),
        true,
    )
}

pub async fn extend_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(Action::HandleApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let v = extend_form(&s, lang, &app, &FormData::default());
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/applications"),
        v,
    }))
}

pub async fn extend_submit(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::HandleApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let reasons = p.form.text("reasons");
    let version = p.form.int("version").unwrap_or(-1);
    let command = ApplicationCommand::Extend { reasons };
    let result = sijian_service::licensing::step(&s, a, id, Some(version), command, &[])
        .await
        .map_err(AppError::from);
    match result {
        Ok(_) => Ok(redirect(&format!("/applications/{id}?saved=1"))),
        Err(e) => {
            let v = extend_form(&s, lang, &app, &p.form);
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/applications"),
                v,
                e,
            ))
        }
    }
}

pub async fn withdraw_submit(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    p: Post,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::SubmitApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    sijian_service::licensing::step(
        &s,
        a,
        id,
        Some(app.version),
        ApplicationCommand::Withdraw,
        &[],
    )
    .await
    .or_page(lang)?;
    Ok(redirect(&format!("/applications/{id}?saved=1")))
}

pub async fn resubmit_submit(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    p: Post,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::SubmitApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let command = ApplicationCommand::Resubmit {
        proposal: None,
        files: Vec::new(),
    };
    sijian_service::licensing::step(&s, a, id, Some(app.version), command, &[])
        .await
        .or_page(lang)?;
    Ok(redirect(&format!("/applications/{id}?saved=1")))
}

// ---------------------------------------------------------------------------------------------
// New applications

/// Kinds filed through these pages (all of them; establishing is filed at a regulator).
fn web_kinds(a: &Authed) -> Vec<ApplicationKind> {
    let mut v = vec![
        ApplicationKind::AppraiserRegister,
        ApplicationKind::AppraiserChange,
        ApplicationKind::AppraiserCancel,
        ApplicationKind::InstitutionChange,
        ApplicationKind::InstitutionRenew,
        ApplicationKind::InstitutionCancel,
    ];
    if a.role().is_regulator() {
        v.insert(0, ApplicationKind::InstitutionEstablish);
    }
    v
}

pub async fn new_choice(PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::SubmitApplication).or_page(lang)?;
    let v = DetailView {
        tables: Vec::new(),
        title: lang.t("licensing.new").into(),
        badge: None,
        back: "/applications".into(),
        actions: web_kinds(&a)
            .into_iter()
            .map(|k| {
                button(
                    lang.pick(k.label_zh(), k.label_en()),
                    format!("/applications/new/{}", k.as_str()),
                )
            })
            .collect(),
        fields: vec![(
            lang.t("licensing.new.explain").into(),
            lang.t("licensing.new.intro").into(),
            None,
        )],
        show_history: false,
        history: Vec::new(),
    };
    Ok(render(&DetailPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/applications"),
        v,
    }))
}

async fn institution_options(s: &AppState, a: &Authed) -> Vec<(String, String)> {
    registry::list_institutions(
        &s.db,
        &a.scope(),
        &Default::default(),
        &ListQuery {
            per_page: 200,
            sort: Some("name".into()),
            ..Default::default()
        },
    )
    .await
    .map(|p| {
        p.items
            .into_iter()
            .map(|i| (i.id.to_string(), i.name))
            .collect()
    })
    .unwrap_or_default()
}

async fn new_form(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    kind: ApplicationKind,
    f: &FormData,
) -> FormView {
    let t = |k: &str| lang.t(k).to_string();
    let mut fields = Vec::new();
    if kind != ApplicationKind::InstitutionEstablish && !matches!(a.scope(), Scope::Institution(_))
    {
        fields.push(
            FormField::select(
                "institution_id",
                t("field.institution"),
                f.text("institution_id"),
                institution_options(s, a).await,
            )
            .required(),
        );
    }
    let yes_no = |name: &'static str, label: &str, help: &str| {
        FormField::checkbox(name, label.into(), f.flag(name), help.into())
    };
    match kind {
        ApplicationKind::AppraiserRegister => {
            fields.extend([
                FormField::text("name", t("field.person_name"), f.text("name")).required(),
                FormField::select(
                    "gender",
                    t("field.gender"),
                    f.text("gender"),
                    vec![
                        ("male".into(), t("gender.male")),
                        ("female".into(), t("gender.female")),
                    ],
                )
                .required(),
                FormField::text("id_number", t("field.id_number"), f.text("id_number"))
                    .required()
                    .help(lang.t("licensing.help.id_number")),
                FormField::text("birth_date", t("field.birth_date"), f.text("birth_date"))
                    .typed("date")
                    .help(lang.t("licensing.help.birth")),
                FormField::select(
                    "education",
                    t("field.education"),
                    f.text("education"),
                    crate::labels::value_options(lang, "education", &EDUCATION),
                ),
                FormField::text(
                    "certificate_no",
                    t("field.certificate_no"),
                    f.text("certificate_no"),
                )
                .required()
                .help(lang.t("licensing.field.certificate")),
                FormField::checks(
                    "scope",
                    t("field.scope"),
                    f.all("scope"),
                    scope_options(lang),
                )
                .class("tree")
                .required()
                .help(lang.t("licensing.help.items")),
                FormField::text("title", t("field.title"), f.text("title")),
                yes_no(
                    "senior_title",
                    &t("field.senior_title"),
                    lang.t("licensing.help.senior"),
                ),
                FormField::text("phone", t("field.phone"), f.text("phone")),
                yes_no(
                    "industry_qualification",
                    lang.t("licensing.field.industry"),
                    lang.t("licensing.help.industry"),
                ),
                FormField::text(
                    "years_in_field",
                    lang.t("licensing.decl.years").into(),
                    f.text("years_in_field"),
                )
                .typed("number")
                .required(),
                yes_no(
                    "experience_based",
                    lang.t("licensing.field.experience"),
                    lang.t("licensing.help.experience"),
                ),
                yes_no(
                    "healthy",
                    lang.t("licensing.field.health"),
                    lang.t("licensing.help.health"),
                ),
                yes_no(
                    "criminal_record",
                    lang.t("licensing.field.criminal"),
                    lang.t("licensing.help.criminal"),
                ),
                yes_no(
                    "dismissed_from_public_office",
                    lang.t("licensing.field.dismissed"),
                    lang.t("licensing.decl.dismissed"),
                ),
                yes_no(
                    "lacks_capacity",
                    lang.t("licensing.field.capacity"),
                    lang.t("licensing.help.capacity"),
                ),
            ]);
        }
        ApplicationKind::InstitutionEstablish => {
            fields.extend([
                FormField::text("name", t("field.name"), f.text("name")).required(),
                FormField::text("uscc", t("field.uscc"), f.text("uscc"))
                    .help(lang.t("licensing.help.credit_code")),
                FormField::text("licence_no", t("field.licence_no"), f.text("licence_no"))
                    .required()
                    .help(lang.t("licensing.field.licence_no")),
                FormField::text(
                    "licence_valid_to",
                    t("field.licence_valid_to"),
                    f.text("licence_valid_to"),
                )
                .typed("date"),
                FormField::select(
                    "region_code",
                    t("field.region"),
                    f.text("region_code"),
                    region_options(s, a).await,
                )
                .required(),
                FormField::text(
                    "registering_authority",
                    t("field.registering_authority"),
                    f.text("registering_authority"),
                ),
                FormField::checks(
                    "scope",
                    t("field.scope"),
                    f.all("scope"),
                    scope_options(lang),
                )
                .class("tree")
                .required(),
                FormField::select(
                    "qualification_level",
                    t("field.qualification_level"),
                    f.text("qualification_level"),
                    crate::labels::value_options(lang, "qualification", &QUALIFICATION_LEVELS),
                )
                .required(),
                FormField::text("address", t("field.address"), f.text("address")).required(),
                FormField::text("legal_rep", t("field.legal_rep"), f.text("legal_rep")),
                FormField::text("head_name", t("field.head_name"), f.text("head_name")),
                FormField::text("phone", t("field.phone"), f.text("phone")),
                FormField::text(
                    "funds_yuan",
                    lang.t("licensing.field.funds").into(),
                    f.text("funds_yuan"),
                )
                .typed("number")
                .required(),
                yes_no(
                    "has_equipment",
                    lang.t("licensing.field.equipment"),
                    lang.t("licensing.help.equipment"),
                ),
                FormField::select(
                    "acc1_kind",
                    lang.tf(
                        "licensing.accreditation.kind",
                        &[("what", &t("field.accreditations"))],
                    ),
                    f.text("acc1_kind"),
                    vec![
                        ("CMA".into(), lang.t("licensing.accreditation.cma").into()),
                        ("CNAS".into(), lang.t("licensing.accreditation.cnas").into()),
                    ],
                ),
                FormField::text(
                    "acc1_no",
                    lang.tf(
                        "licensing.accreditation.no",
                        &[("what", &t("field.accreditations"))],
                    ),
                    f.text("acc1_no"),
                ),
                FormField::text(
                    "acc1_expires",
                    lang.tf(
                        "licensing.accreditation.until",
                        &[("what", &t("field.accreditations"))],
                    ),
                    f.text("acc1_expires"),
                )
                .typed("date"),
                FormField::text(
                    "apps_1",
                    lang.t("licensing.field.forensic_medicine").into(),
                    f.text("apps_1"),
                )
                .typed("number"),
                FormField::text(
                    "apps_2",
                    lang.t("licensing.field.physical_evidence").into(),
                    f.text("apps_2"),
                )
                .typed("number"),
                FormField::text(
                    "apps_3",
                    lang.t("licensing.field.audiovisual").into(),
                    f.text("apps_3"),
                )
                .typed("number"),
                FormField::text(
                    "apps_4",
                    lang.t("licensing.field.environmental").into(),
                    f.text("apps_4"),
                )
                .typed("number"),
                yes_no(
                    "military",
                    &t("field.military"),
                    lang.t("licensing.field.military"),
                ),
            ]);
        }
        ApplicationKind::InstitutionRenew => {
            fields.push(
                FormField::text(
                    "licence_valid_to",
                    lang.t("licensing.field.renewed_until").into(),
                    f.text("licence_valid_to"),
                )
                .typed("date")
                .required(),
            );
        }
        ApplicationKind::AppraiserCancel => {
            let apps = registry::list_appraisers(
                &s.db,
                &a.scope(),
                &Default::default(),
                &ListQuery {
                    per_page: 200,
                    ..Default::default()
                },
            )
            .await
            .map(|p| {
                p.items
                    .into_iter()
                    .filter(|x| x.status != "cancelled")
                    .map(|x| {
                        (
                            x.id.to_string(),
                            format!("{}（{}，{}）", x.name, x.certificate_no, x.institution_name),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
            fields.push(
                FormField::select(
                    "appraiser_id",
                    t("nav.appraisers"),
                    f.text("appraiser_id"),
                    apps,
                )
                .required(),
            );
            fields.push(
                FormField {
                    kind: "textarea",
                    ..FormField::text(
                        "reason",
                        lang.t("licensing.field.deregistration").into(),
                        f.text("reason"),
                    )
                }
                .required(),
            );
        }
        _ => {
            fields.push(
                FormField {
                    kind: "textarea",
                    ..FormField::text(
                        "reason",
                        lang.t("licensing.field.deregistration").into(),
                        f.text("reason"),
                    )
                }
                .required(),
            );
        }
    }
    fields.push(
        FormField::text("attachments", t("licensing.attachments"), "")
            .typed("file")
            .help(lang.t("licensing.help.attachments")),
    );
    if matches!(
        kind,
        ApplicationKind::InstitutionEstablish | ApplicationKind::AppraiserRegister
    ) {
        fields.push(
            FormField::text(
                "military_opinion",
                lang.t("licensing.field.military_opinion").into(),
                "",
            )
            .typed("file")
            .help(lang.t("licensing.help.military_opinion")),
        );
    }
    FormView {
        title: format!(
            "{} · {}",
            t("licensing.new"),
            lang.pick(kind.label_zh(), kind.label_en())
        ),
        intro: Some(lang.t("licensing.new.form_intro").into()),
        action: format!("/applications/new/{}", kind.as_str()),
        hidden: Vec::new(),
        fields,
        errors: Vec::new(),
        submit: t("licensing.submit"),
        cancel: "/applications".into(),
        confirm: true,
    }
}

pub async fn new_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(kind): Path<String>,
) -> PageResult {
    a.require(Action::SubmitApplication).or_page(lang)?;
    let kind = ApplicationKind::parse(&kind)
        .filter(|k| web_kinds(&a).contains(k))
        .ok_or(AppError::not_found())
        .or_page(lang)?;
    let init = FormData(vec![
        ("healthy".into(), "true".into()),
        ("qualification_level".into(), "ordinary".into()),
    ]);
    let v = new_form(&s, &a, lang, kind, &init).await;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/applications"),
        v,
    }))
}

fn attachment_inputs(files: &[UploadedFile]) -> Vec<AttachmentInput> {
    files
        .iter()
        .map(|x| AttachmentInput {
            name: x.file_name.clone(),
            content_type: x.content_type.clone(),
            data_base64: base64::engine::general_purpose::STANDARD.encode(&x.data),
            purpose: (x.field == "military_opinion").then(|| "military_opinion".into()),
        })
        .collect()
}

fn submit_body(kind: ApplicationKind, f: &FormData, files: &[UploadedFile]) -> SubmitBody {
    let num = |k: &str| f.get(k).and_then(|v| v.trim().parse::<u64>().ok());
    let mut b = SubmitBody {
        kind: kind.as_str().into(),
        institution_id: f.int("institution_id"),
        appraiser_id: f.int("appraiser_id"),
        reason: f.get("reason"),
        attachments: attachment_inputs(files),
        ..Default::default()
    };
    match kind {
        ApplicationKind::AppraiserRegister => {
            b.appraiser = Some(AppraiserInput {
                name: f.get("name"),
                gender: f.get("gender"),
                birth_date: f.get("birth_date"),
                id_number: f.get("id_number"),
                education: f.get("education"),
                certificate_no: f.get("certificate_no"),
                scope: Some(f.all("scope")),
                title: f.get("title"),
                senior_title: Some(f.flag("senior_title")),
                phone: f.get("phone"),
                ..Default::default()
            });
            b.declarations = Declarations {
                industry_qualification: f.flag("industry_qualification"),
                years_in_field: num("years_in_field").unwrap_or(0) as u32,
                experience_based: f.flag("experience_based"),
                healthy: f.flag("healthy"),
                criminal_record: f.flag("criminal_record"),
                dismissed_from_public_office: f.flag("dismissed_from_public_office"),
                lacks_capacity: f.flag("lacks_capacity"),
                ..Default::default()
            };
        }
        ApplicationKind::InstitutionEstablish => {
            let acc = (!f.text("acc1_kind").is_empty()).then(|| {
                vec![registry::Accreditation {
                    kind: f.text("acc1_kind"),
                    certificate_no: f.text("acc1_no"),
                    scope: String::new(),
                    expires_on: f.text("acc1_expires"),
                }]
            });
            b.institution = Some(InstitutionInput {
                name: f.get("name"),
                uscc: f.get("uscc"),
                licence_no: f.get("licence_no"),
                licence_valid_to: f.get("licence_valid_to"),
                region_code: f.get("region_code"),
                registering_authority: f.get("registering_authority"),
                scope: Some(f.all("scope")),
                qualification_level: f.get("qualification_level"),
                accreditations: acc,
                address: f.get("address"),
                legal_rep: f.get("legal_rep"),
                head_name: f.get("head_name"),
                phone: f.get("phone"),
                military: Some(f.flag("military")),
                ..Default::default()
            });
            b.declarations = Declarations {
                funds_yuan: num("funds_yuan").unwrap_or(0),
                has_equipment: f.flag("has_equipment"),
                appraisers_per_category: (1..=4)
                    .filter_map(|d| num(&format!("apps_{d}")).map(|n| (d.to_string(), n as u32)))
                    .collect(),
                ..Default::default()
            };
        }
        ApplicationKind::InstitutionRenew => {
            b.institution = Some(InstitutionInput {
                licence_valid_to: f.get("licence_valid_to"),
                ..Default::default()
            });
        }
        _ => {}
    }
    b
}

pub async fn new_submit(
    State(s): State<AppState>,
    Path(kind): Path<String>,
    p: MultipartPost,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::SubmitApplication).or_page(lang)?;
    let kind = ApplicationKind::parse(&kind)
        .filter(|k| web_kinds(a).contains(k))
        .ok_or(AppError::not_found())
        .or_page(lang)?;
    let body = submit_body(kind, &p.form, &p.files);
    match sijian_service::licensing::submit(&s, a, &body)
        .await
        .map_err(AppError::from)
    {
        Ok(app) => Ok(redirect(&format!("/applications/{}?saved=1", app.id))),
        Err(mut e) => {
            // Field names of nested inputs ("appraiser.name", "declarations.healthy") are the
            // form's own names.
            for f in &mut e.fields {
                if let Some((_, rest)) = f.field.split_once('.') {
                    f.field = rest.to_string();
                }
            }
            let v = new_form(&s, a, lang, kind, &p.form).await;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/applications"),
                v,
                e,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Experts

pub async fn experts(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::HandleApplication).or_page(lang)?;
    let list = applications::experts_for(&s.db, &a.user.home_path)
        .await
        .or_page(lang)?;
    let t = |k: &str| lang.t(k).to_string();
    let v = DetailView {
        tables: vec![DetailTable {
            title: t("nav.experts"),
            head: vec![
                t("field.person_name"),
                t("field.organisation"),
                t("field.title"),
                t("field.scope"),
            ],
            rows: list
                .iter()
                .map(|e| {
                    vec![
                        e.name.clone(),
                        e.organisation.clone(),
                        e.title.clone(),
                        scope_labels_in(lang, &e.speciality),
                    ]
                })
                .collect(),
            empty: t("detail.none"),
            link: a
                .role()
                .may(Action::ManageExperts)
                .then(|| (t("licensing.add_expert"), "/experts/new".to_string())),
        }],
        title: t("nav.experts"),
        badge: None,
        back: "/applications".into(),
        actions: Vec::new(),
        fields: vec![(
            lang.t("licensing.new.explain").into(),
            lang.t("licensing.experts.intro").into(),
            None,
        )],
        show_history: false,
        history: Vec::new(),
    };
    Ok(render(&DetailPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/experts"),
        v,
    }))
}

async fn expert_form(s: &AppState, a: &Authed, lang: Lang, f: &FormData) -> FormView {
    let t = |k: &str| lang.t(k).to_string();
    FormView {
        title: t("licensing.add_expert"),
        intro: None,
        action: "/experts/new".into(),
        hidden: Vec::new(),
        fields: vec![
            FormField::text("name", t("field.person_name"), f.text("name")).required(),
            FormField::text(
                "organisation",
                t("field.organisation"),
                f.text("organisation"),
            ),
            FormField::text("title", t("field.title"), f.text("title")),
            FormField::checks(
                "speciality",
                t("field.scope"),
                f.all("speciality"),
                scope_options(lang),
            )
            .class("tree"),
            FormField::select(
                "region_code",
                t("field.region"),
                f.text("region_code"),
                region_options(s, a).await,
            )
            .required(),
        ],
        errors: Vec::new(),
        submit: t("action.create"),
        cancel: "/experts".into(),
        confirm: false,
    }
}

pub async fn expert_new(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::ManageExperts).or_page(lang)?;
    let v = expert_form(&s, &a, lang, &FormData::default()).await;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/experts"),
        v,
    }))
}

pub async fn expert_create(State(s): State<AppState>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::ManageExperts).or_page(lang)?;
    let f = &p.form;
    let mut pr = sijian_domain::Problems::default();
    let name = pr.required(
        "name",
        lang.t("licensing.reg.person_name"),
        &f.text("name"),
        50,
    );
    let organisation = pr.optional(
        "organisation",
        lang.t("licensing.expert.organisation"),
        &f.text("organisation"),
        100,
    );
    let title = pr.optional(
        "title",
        lang.t("licensing.expert.title"),
        &f.text("title"),
        50,
    );
    let result = match pr.into_result(()) {
        Ok(()) => applications::add_expert(
            &s.db,
            &a.actor(),
            &a.scope(),
            &NewExpert {
                name,
                organisation,
                title,
                speciality: f.all("speciality").join(","),
                region_code: f.text("region_code"),
            },
        )
        .await
        .map_err(AppError::from),
        Err(errs) => Err(AppError::validation(errs)),
    };
    match result {
        Ok(_) => Ok(redirect("/experts?saved=1")),
        Err(e) => {
            let v = expert_form(&s, a, lang, f).await;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/experts"),
                v,
                e,
            ))
        }
    }
}
