//! The forms of each licensing step: check, review, decide, extend, withdraw, resubmit.
use super::*;

/// The licensing steps that have a form of their own.
#[derive(Clone, Copy)]
pub(super) enum FormStep {
    Check,
    Review,
    Decide,
    Extend,
}

impl FormStep {
    /// The step's last path segment under `/applications/{id}/`.
    fn path(self) -> &'static str {
        match self {
            FormStep::Check => "check",
            FormStep::Review => "review",
            FormStep::Decide => "decide",
            FormStep::Extend => "extend",
        }
    }

    /// The catalogue key of the step's name.
    fn label(self) -> &'static str {
        match self {
            FormStep::Check => "licensing.check",
            FormStep::Review => "licensing.review",
            FormStep::Decide => "licensing.decide",
            FormStep::Extend => "licensing.extend",
        }
    }
}

/// Back to the application's page, which says what was `done` (a `done.…` catalogue key) and
/// what comes next.
pub(super) fn done_redirect(id: i64, done: &str) -> axum::response::Response {
    redirect(&format!("/applications/{id}?saved={done}"))
}

/// The form of one step on an application: titled with the step and the application's number,
/// sent with the version it was drawn from.
pub(super) fn step_form(
    lang: Lang,
    app: &Application,
    step: FormStep,
    intro: &str,
    fields: Vec<FormField>,
    submit: String,
    confirm: bool,
) -> FormView {
    FormView {
        title: lang.tf(
            "licensing.title_no",
            &[("what", lang.t(step.label())), ("id", &app.id.to_string())],
        ),
        intro: Some(intro.into()),
        action: format!("/applications/{}/{}", app.id, step.path()),
        hidden: vec![("version".into(), app.version.to_string())],
        fields,
        errors: Vec::new(),
        submit,
        cancel: format!("/applications/{}", app.id),
        confirm,
    }
}

pub(super) fn check_form(lang: Lang, app: &Application, f: &FormData) -> FormView {
    step_form(
        lang,
        app,
        FormStep::Check,
        lang.t("licensing.check.intro"),
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
            FormField::textarea("reasons", lang.t("field.return_reasons"), f.text("reasons"))
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
    Ok(form_page(&a, lang, "/applications", v))
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
    let done = if complete {
        "application.accepted"
    } else {
        "application.returned"
    };
    match sijian_service::licensing::step(&s, a, id, Some(version), command, &[]).await {
        Ok(_) => Ok(done_redirect(id, done)),
        Err(e) => {
            let v = check_form(lang, &app, &p.form);
            Err(form_refused(a, lang, "/applications", v, e))
        }
    }
}

/// The scope an application asks for (classification codes, comma-separated), if it names one.
fn application_scope(app: &Application) -> String {
    match Proposal::parse(&app.payload) {
        Ok(Proposal::Institution(f)) => f.scope,
        Ok(Proposal::Appraiser(f)) => f.scope,
        Err(_) => String::new(),
    }
}

/// The review form. Its expert list offers, by default, only the experts whose speciality
/// shares a category with the application's scope (`all` lists every expert, those matching
/// first); an expert already chosen stays listed.
pub(super) async fn review_form(
    s: &AppState,
    lang: Lang,
    app: &Application,
    f: &FormData,
    all: bool,
) -> FormView {
    let scope = application_scope(app);
    let cls = sijian_domain::classification::Classification::current();
    let listed = applications::experts_for(&s.db, &app.region_path)
        .await
        .unwrap_or_default();
    let total = listed.len();
    let (matching, others): (Vec<_>, Vec<_>) = listed
        .into_iter()
        .partition(|e| speciality_matches(cls, &e.speciality, &scope));
    let matched = matching.len();
    let chosen = f.text("expert_id");
    let experts = matching
        .into_iter()
        .chain(
            others
                .into_iter()
                .filter(|e| all || e.id.to_string() == chosen),
        )
        .map(|e| {
            (
                e.id.to_string(),
                format!("{}（{}，{}）", e.name, e.organisation, e.title),
            )
        })
        .collect();
    let (help, link) = if all {
        (
            lang.t("licensing.review.experts_all").to_string(),
            (
                format!("/applications/{}/review", app.id),
                lang.t("licensing.review.show_matching"),
            ),
        )
    } else {
        (
            lang.tf(
                "licensing.review.experts_matching",
                &[("n", &matched.to_string()), ("total", &total.to_string())],
            ),
            (
                format!("/applications/{}/review?experts=all", app.id),
                lang.t("licensing.review.show_all"),
            ),
        )
    };
    let mut v = step_form(
        lang,
        app,
        FormStep::Review,
        lang.t("licensing.review.intro"),
        vec![
            FormField::select(
                "expert_id",
                lang.t("field.expert").into(),
                f.text("expert_id"),
                experts,
            )
            .required()
            .help(help)
            .link(link.0, link.1),
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
            FormField::textarea("comment", lang.t("field.comment"), f.text("comment")),
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
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::HandleApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let all = q.iter().any(|(k, v)| k == "experts" && v == "all");
    let v = review_form(&s, lang, &app, &FormData::default(), all).await;
    Ok(form_page(&a, lang, "/applications", v))
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
        Ok(_) => Ok(done_redirect(id, "application.reviewed")),
        Err(e) => {
            let v = review_form(&s, lang, &app, &p.form, false).await;
            Err(form_refused(a, lang, "/applications", v, e))
        }
    }
}

pub(super) fn decide_form(lang: Lang, app: &Application, f: &FormData) -> FormView {
    step_form(
        lang,
        app,
        FormStep::Decide,
        lang.t("licensing.decide.intro"),
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
            FormField::textarea(
                "reasons",
                lang.t("field.decision_reasons"),
                f.text("reasons"),
            )
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
    Ok(form_page(&a, lang, "/applications", v))
}

pub async fn decide_submit(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::DecideApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let version = p.form.int("version").unwrap_or(-1);
    let approve = p.form.text("approve") == "true";
    let command = ApplicationCommand::Decide {
        approve,
        reasons: p.form.text("reasons"),
    };
    let done = if approve {
        "application.approved"
    } else {
        "application.refused"
    };
    match sijian_service::licensing::step(&s, a, id, Some(version), command, &[]).await {
        Ok(_) => Ok(done_redirect(id, done)),
        Err(e) => {
            let v = decide_form(lang, &app, &p.form);
            Err(form_refused(a, lang, "/applications", v, e))
        }
    }
}

pub(super) fn extend_form(s: &AppState, lang: Lang, app: &Application, f: &FormData) -> FormView {
    let days = s.cfg.licensing.for_path(&app.region_path).extension_days;
    step_form(
        lang,
        app,
        FormStep::Extend,
        &lang.tf("licensing.extend.intro", &[("days", &days.to_string())]),
        vec![
            FormField::textarea("reasons", lang.t("field.extend_reasons"), f.text("reasons"))
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
    Ok(form_page(&a, lang, "/applications", v))
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
        Ok(_) => Ok(done_redirect(id, "application.extended")),
        Err(e) => {
            let v = extend_form(&s, lang, &app, &p.form);
            Err(form_refused(a, lang, "/applications", v, e))
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
    Ok(done_redirect(id, "application.withdrawn"))
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
    Ok(done_redirect(id, "application.resubmitted"))
}

// ---------------------------------------------------------------------------------------------
// New applications
