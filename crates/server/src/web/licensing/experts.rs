//! The expert list for technical review.
use super::*;

pub async fn experts(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::HandleApplication).or_page(lang)?;
    let list = applications::experts_for(&s.db, &a.user.home_path)
        .await
        .or_page(lang)?;
    let t = |k: &str| lang.t(k).to_string();
    let rows = list
        .iter()
        .map(|e| {
            vec![
                e.name.clone(),
                e.organisation.clone(),
                e.title.clone(),
                scope_labels_in(lang, &e.speciality),
            ]
        })
        .collect();
    let head = [
        "field.person_name",
        "field.organisation",
        "field.title",
        "field.scope",
    ];
    let experts = DetailTable {
        link: a
            .role()
            .may(Action::ManageExperts)
            .then(|| (t("licensing.add_expert"), "/experts/new".to_string())),
        ..DetailTable::of(lang, "nav.experts", &head, rows)
    };
    let v = DetailView {
        tables: vec![experts],
        fields: vec![explanation(lang, "licensing.experts.intro")],
        ..DetailView::new(t("nav.experts"), "/applications")
    };
    Ok(render(
        &DetailPage::of(&a, lang, "/experts", v).saved_flash(&q),
    ))
}

pub(super) async fn expert_form(s: &AppState, a: &Authed, lang: Lang, f: &FormData) -> FormView {
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
            region_field(s, a, lang, f).await,
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
    Ok(form_page(&a, lang, "/experts", v))
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
        Ok(_) => Ok(redirect("/experts?saved=expert.added")),
        Err(e) => {
            let v = expert_form(&s, a, lang, f).await;
            Err(form_refused(a, lang, "/experts", v, e))
        }
    }
}
