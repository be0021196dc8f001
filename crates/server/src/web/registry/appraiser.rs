//! The appraisers' register: list, record, and the new and edit forms.
use super::*;

pub async fn appraisers_list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewAppraisers).or_page(lang)?;
    let p = ListParams::new("/appraisers", q);
    let f = registry::AppraiserFilter {
        status: p.get("status"),
        category: p.get("category"),
        item: p.get("item"),
        institution_id: p.get("institution_id").and_then(|v| v.parse().ok()),
        senior_title: p.get("senior_title").map(|v| v == "true"),
        region_code: p.get("region"),
    };
    let page = registry::list_appraisers(&s.db, &a.scope(), &f, &p.query())
        .await
        .or_page(lang)?;
    let statuses = options(lang, &AppraiserStatus::ALL);
    let mut filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter("status", lang.t("field.status"), statuses),
    ];
    filters.extend(classification_filters(&p, lang));
    filters.push(p.select_filter(
        "senior_title",
        lang.t("field.senior_title"),
        yes_no_options(lang),
    ));
    let columns = [
        ("field.person_name", "name"),
        ("field.certificate_no", "certificate"),
        ("field.institution", "institution"),
        ("field.scope", ""),
        ("field.title", ""),
        ("field.status", "status"),
    ];
    let title = lang.t("nav.appraisers").into();
    let v = p.view(lang, title, &columns, &page, |x| {
        let (st, class) = app_status(lang, &x.status);
        vec![
            link(&x.name, format!("/appraisers/{}", x.id)),
            cell(&x.certificate_no),
            link(
                &x.institution_name,
                format!("/institutions/{}", x.institution_id),
            ),
            cell(scope_labels_in(lang, &x.scope)),
            cell(&x.title),
            badge(st, class),
        ]
    });
    let mut v = v.with_filters(filters).with_new_link(
        a.role().may(Action::CreateAppraiser),
        "/appraisers/new",
        lang.t("list.new"),
    );
    // The register's own export (more columns), for those who may export it.
    v.export = export_link(&a, &p, "appraisers");
    Ok(crate::web::listing::respond(&a, lang, &p, v))
}

pub async fn appraiser_detail(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewAppraisers).or_page(lang)?;
    let x = registry::get_appraiser(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let (st, class) = app_status(lang, &x.status);
    let t = |k| lang.t(k).to_string();
    let v = DetailView {
        badge: Some((st, class)),
        fields: vec![
            (
                t("field.institution"),
                x.institution_name.clone(),
                Some(format!("/institutions/{}", x.institution_id)),
            ),
            (t("field.gender"), gender(lang, &x.gender), None),
            (
                t("field.birth_date"),
                x.birth_date.map_or_else(|| "—".into(), |d| d.to_string()),
                None,
            ),
            (t("field.id_number"), or_dash(&x.id_masked), None),
            (
                t("field.education"),
                crate::labels::education_label_in(lang, &x.education),
                None,
            ),
            (t("field.certificate_no"), x.certificate_no.clone(), None),
            (
                t("field.categories"),
                category_labels(lang, &x.categories),
                None,
            ),
            (t("field.scope"), scope_labels_in(lang, &x.scope), None),
            (t("field.title"), x.title.clone(), None),
            (
                t("field.senior_title"),
                t(if x.senior_title { "yes" } else { "no" }),
                None,
            ),
            (t("field.phone"), x.phone.clone(), None),
            (t("field.updated_at"), fmt_time(x.updated_at), None),
            (t("field.version"), x.version.to_string(), None),
        ],
        ..record_view::<AppraiserForm>(&s, &a, lang, "appraiser", id, &x.name).await
    };
    let mut v = v;
    v.tables = crate::web::practice::appraiser_tables(&s, &a, lang, &x).await;
    Ok(render(
        &DetailPage::of(&a, lang, "/appraisers", v).saved_flash(&q),
    ))
}

pub(super) fn appraiser_input(f: &FormData) -> AppraiserInput {
    AppraiserInput {
        institution_id: f
            .get("institution_id")
            .map(|v| v.trim().parse().unwrap_or(0)),
        name: f.get("name"),
        gender: f.get("gender"),
        birth_date: f.get("birth_date"),
        id_number: f.get("id_number"),
        education: f.get("education"),
        certificate_no: f.get("certificate_no"),
        // Disabled when the editor may not change registration: not posted, kept as it is.
        scope: f.get("certificate_no").map(|_| f.all("scope")),
        categories: None,
        title: f.get("title"),
        // Always drawn: a form without it is no form of this page.
        senior_title: f.get("gender").map(|_| f.flag("senior_title")),
        phone: f.get("phone"),
        status: f.get("status"),
        status_reason: f.get("status_reason"),
    }
}

pub(super) fn form_of_appraiser(x: &registry::Appraiser) -> FormData {
    let mut v = vec![
        ("institution_id".to_string(), x.institution_id.to_string()),
        ("name".to_string(), x.name.clone()),
        ("gender".to_string(), x.gender.clone()),
        ("certificate_no".to_string(), x.certificate_no.clone()),
        ("title".to_string(), x.title.clone()),
        ("phone".to_string(), x.phone.clone()),
        ("status".to_string(), x.status.clone()),
        (
            "birth_date".to_string(),
            x.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("education".to_string(), x.education.clone()),
    ];
    if x.senior_title {
        v.push(("senior_title".into(), "true".into()));
    }
    v.extend(
        registry::scope_codes(&x.scope)
            .into_iter()
            .map(|c| ("scope".to_string(), c.to_string())),
    );
    FormData(v)
}

/// The appraisers' new and edit pages.
pub struct AppraiserForm;

impl RecordForm for AppraiserForm {
    const BASE: &'static str = "/appraisers";
    const CREATE: Action = Action::CreateAppraiser;
    const EDIT: Action = Action::EditAppraiser;

    /// The licensing authority registers appraisers directly (institution staff apply instead).
    fn blank(a: &Authed) -> FormData {
        let mut init = vec![("status".to_string(), "active".to_string())];
        if let Scope::Institution(i) = a.scope() {
            init.push(("institution_id".into(), i.to_string()));
        }
        FormData(init)
    }

    async fn form(cx: FormFor<'_>, f: &FormData) -> FormView {
        let FormFor { s, a, lang, id, .. } = cx;
        let t = |k| lang.t(k).to_string();
        let lock = id.is_some() && !a.role().may(Action::EditAppraiserRegistration);
        let insts = registry::list_institutions(
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
                .map(|i| (i.id.to_string(), i.name))
                .collect()
        })
        .unwrap_or_default();
        let statuses = options(lang, &AppraiserStatus::ALL);
        let mut fields = vec![
            FormField::select(
                "institution_id",
                t("field.institution"),
                f.text("institution_id"),
                insts,
            )
            .required()
            .disabled(lock),
            FormField::text("name", t("field.person_name"), f.text("name"))
                .required()
                .disabled(lock),
            gender_field(lang, f),
            FormField::text("birth_date", t("field.birth_date"), f.text("birth_date"))
                .typed("date"),
            FormField::text("id_number", t("field.id_number"), f.text("id_number"))
                .disabled(lock)
                .help(if id.is_some() {
                    lang.t("registry.help.id_keep")
                } else {
                    lang.t("registry.help.id_number")
                }),
            FormField::select(
                "education",
                t("field.education"),
                f.text("education"),
                crate::labels::value_options(lang, "education", &sijian_service::inputs::EDUCATION),
            ),
            FormField::text(
                "certificate_no",
                t("field.certificate_no"),
                f.text("certificate_no"),
            )
            .required()
            .disabled(lock),
            scope_field(lang, f)
                .required()
                .disabled(lock)
                .help(lang.t("registry.help.items")),
            FormField::text("title", t("field.title"), f.text("title")),
            FormField::checkbox(
                "senior_title",
                t("field.senior_title"),
                f.flag("senior_title"),
                t("field.senior_title"),
            ),
            FormField::text("phone", t("field.phone"), f.text("phone")),
        ];
        if id.is_some() {
            fields.push(
                FormField::select("status", t("field.status"), f.text("status"), statuses)
                    .required()
                    .disabled(lock),
            );
        }
        // The basis of a direct registration or change of registration (决定第六条).
        let basis = FormField::text(
            "status_reason",
            t("field.register_basis"),
            f.text("status_reason"),
        )
        .disabled(lock)
        .help(lang.t("registry.help.register_basis"));
        fields.push(if id.is_none() {
            basis.required()
        } else {
            basis
        });
        cx.view(&t("nav.appraisers"), &f.text("name"), fields)
    }

    async fn load(s: &AppState, a: &Authed, id: i64) -> AppResult<(FormData, i64)> {
        let x = registry::get_appraiser(&s.db, &a.scope(), id).await?;
        Ok((form_of_appraiser(&x), x.version))
    }

    async fn create(s: &AppState, a: &Authed, f: &FormData) -> AppResult<i64> {
        Ok(
            sijian_service::registry::create_appraiser(s, a, &appraiser_input(f))
                .await?
                .id,
        )
    }

    async fn update(
        s: &AppState,
        a: &Authed,
        id: i64,
        version: i64,
        f: &FormData,
    ) -> AppResult<()> {
        sijian_service::registry::update_appraiser(s, a, id, version, &appraiser_input(f)).await?;
        Ok(())
    }
}
