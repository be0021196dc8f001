//! Pages of the register: institutions, appraisers, commissioning organs.
use super::forms::{FormData, Post};
use super::listing::{ListParams, badge, cell, link};
use super::view::*;
use super::{OrPage, PageResult, redirect, render};
use crate::auth::{Authed, PageUser};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::inputs::{AppraiserInput, InstitutionInput, OrganInput};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use sijian_domain::{Action, AppraiserStatus, Category, InstitutionStatus, OrganKind, Scope};
use sijian_store::events::{self, EventFilter};
use sijian_store::{ListQuery, organs, registry};

pub fn category_labels(lang: Lang, set: &str) -> String {
    Category::parse_set(set)
        .unwrap_or_default()
        .iter()
        .map(|c| lang.pick(c.label_zh(), c.label_en()))
        .collect::<Vec<_>>()
        .join("、")
}

pub fn category_options(lang: Lang) -> Vec<(String, String)> {
    Category::ALL
        .iter()
        .map(|c| {
            (
                c.digit().to_string(),
                lang.pick(c.label_zh(), c.label_en()).to_string(),
            )
        })
        .collect()
}

pub fn inst_status(lang: Lang, s: &str) -> (String, &'static str) {
    match InstitutionStatus::parse(s) {
        Some(st) => (
            lang.pick(st.label_zh(), st.label_en()).to_string(),
            if st == InstitutionStatus::Normal {
                "ok"
            } else if st == InstitutionStatus::Suspended {
                "warn"
            } else {
                "bad"
            },
        ),
        None => (s.to_string(), ""),
    }
}

fn app_status(lang: Lang, s: &str) -> (String, &'static str) {
    match AppraiserStatus::parse(s) {
        Some(st) => (
            lang.pick(st.label_zh(), st.label_en()).to_string(),
            if st == AppraiserStatus::Active {
                "ok"
            } else if st == AppraiserStatus::Suspended {
                "warn"
            } else {
                "bad"
            },
        ),
        None => (s.to_string(), ""),
    }
}

fn organ_kind(lang: Lang, s: &str) -> String {
    OrganKind::parse(s)
        .map(|k| lang.pick(k.label_zh(), k.label_en()).to_string())
        .unwrap_or_else(|| s.to_string())
}

fn gender(lang: Lang, g: &str) -> String {
    lang.t(if g == "female" {
        "gender.female"
    } else {
        "gender.male"
    })
    .to_string()
}

/// Regions the principal may place records in, as select options (code, "name (code)"),
/// indented by level.
async fn region_options(s: &AppState, a: &Authed) -> Vec<(String, String)> {
    let under = match a.scope() {
        Scope::Region(p) => Some(p.as_str().to_string()),
        _ => None,
    };
    let Ok(all) = s.regions.current(&s.db).await else {
        return Vec::new();
    };
    all.iter()
        .filter(|r| under.as_deref().is_none_or(|p| r.path.starts_with(p)))
        .map(|r| {
            let indent = match r.level.as_str() {
                "province" => "",
                "prefecture" => "　",
                _ => "　　",
            };
            (r.code.clone(), format!("{indent}{} ({})", r.name, r.code))
        })
        .collect()
}

async fn history(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    entity: &str,
    id: i64,
) -> (bool, Vec<(String, String, String, String)>) {
    if !a.role().may(Action::ViewEvents) && !a.role().is_institution_staff() {
        return (false, Vec::new());
    }
    let f = EventFilter {
        entity_type: Some(entity.into()),
        entity_id: Some(id.to_string()),
        kind: None,
    };
    let page = events::list(
        &s.db,
        &a.scope(),
        &f,
        &ListQuery {
            per_page: 50,
            ..Default::default()
        },
    )
    .await;
    (
        true,
        page.map(|p| {
            p.items
                .into_iter()
                .map(|e| (fmt_time(e.at), lang.event(&e.kind), e.actor_name, e.payload))
                .collect()
        })
        .unwrap_or_default(),
    )
}

/// The cells of an institution in a list: name (linking to `href`), licence, region,
/// categories, number of appraisers, status. Shared by the register and the public directory.
pub fn institution_row(lang: Lang, i: &registry::Institution, href: String) -> Vec<Cell> {
    let (st, class) = inst_status(lang, &i.status);
    vec![
        link(lang.t("field.name"), &i.name, href),
        cell(lang.t("field.licence_no"), &i.licence_no),
        cell(lang.t("field.region"), &i.region_name),
        cell(
            lang.t("field.categories"),
            category_labels(lang, &i.categories),
        ),
        cell(
            lang.t("field.appraiser_count"),
            i.appraiser_count.to_string(),
        ),
        badge(lang.t("field.status"), st, class),
    ]
}

/// "Export CSV" for those who may export the register, keeping the list's filters.
fn export_link(a: &Authed, lang: Lang, p: &ListParams, what: &str) -> Option<(String, String)> {
    a.role().may(Action::ExportRegister).then(|| {
        (
            format!("/api/v1/export/{what}.csv?{}", p.filter_query()),
            lang.t("list.export").into(),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Institutions

pub async fn institutions_list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewInstitutions).or_page(lang)?;
    let p = ListParams::new("/institutions", q);
    let f = registry::InstitutionFilter {
        status: p.get("status"),
        category: p.get("category"),
        region_code: p.get("region"),
    };
    let page = registry::list_institutions(&s.db, &a.scope(), &f, &p.query())
        .await
        .or_page(lang)?;
    let statuses = InstitutionStatus::ALL
        .iter()
        .map(|x| {
            (
                x.as_str().to_string(),
                lang.pick(x.label_zh(), x.label_en()).to_string(),
            )
        })
        .collect();
    let filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter("status", lang.t("field.status"), statuses),
        p.select_filter(
            "category",
            lang.t("field.categories"),
            category_options(lang),
        ),
        p.select_filter(
            "region",
            lang.t("field.region"),
            region_options(&s, &a).await,
        ),
    ];
    let cols = vec![
        p.column(lang.t("field.name"), "name"),
        p.column(lang.t("field.licence_no"), "licence"),
        p.column(lang.t("field.region"), "region"),
        p.column(lang.t("field.categories"), ""),
        p.column(lang.t("field.appraiser_count"), ""),
        p.column(lang.t("field.status"), "status"),
        p.column(lang.t("field.updated_at"), "updated"),
    ];
    let new_link = a.role().may(Action::CreateInstitution).then(|| {
        (
            "/institutions/new".to_string(),
            lang.t("list.new").to_string(),
        )
    });
    let v = p.view(
        lang,
        lang.t("nav.institutions").into(),
        new_link,
        filters,
        cols,
        &page,
        |i| {
            let mut row = institution_row(lang, i, format!("/institutions/{}", i.id));
            row.push(cell(lang.t("field.updated_at"), fmt_time(i.updated_at)));
            row
        },
    );
    let mut v = v;
    v.extra_links
        .extend(export_link(&a, lang, &p, "institutions"));
    Ok(render(&ListPage {
        c: Chrome::new(&a, lang, lang.t("nav.institutions"), "/institutions"),
        v,
    }))
}

pub async fn institution_detail(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewInstitutions).or_page(lang)?;
    let i = registry::get_institution(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let (st, class) = inst_status(lang, &i.status);
    let mut actions = Vec::new();
    if a.role().may(Action::EditInstitution) {
        actions.push(ActionButton {
            label: lang.t("action.edit").into(),
            href: format!("/institutions/{id}/edit"),
            post: false,
            confirm: String::new(),
            danger: false,
        });
    }
    let (show_history, history) = history(&s, &a, lang, "institution", id).await;
    let t = |k| lang.t(k).to_string();
    let v = DetailView {
        title: i.name.clone(),
        badge: Some((st, class)),
        back: "/institutions".into(),
        actions,
        fields: vec![
            (
                t("field.uscc"),
                match &i.uscc_override {
                    Some(r) => format!("{}（校验例外：{r}）", i.uscc.clone().unwrap_or_default()),
                    None => i.uscc.clone().unwrap_or_else(|| "—".into()),
                },
                None,
            ),
            (t("field.licence_no"), i.licence_no.clone(), None),
            (
                t("field.region"),
                format!("{} ({})", i.region_name, i.region_code),
                None,
            ),
            (
                t("field.categories"),
                category_labels(lang, &i.categories),
                None,
            ),
            (t("field.legal_rep"), i.legal_rep.clone(), None),
            (t("field.head_name"), i.head_name.clone(), None),
            (t("field.address"), i.address.clone(), None),
            (t("field.phone"), i.phone.clone(), None),
            (
                t("field.appraiser_count"),
                i.appraiser_count.to_string(),
                Some(format!("/appraisers?institution_id={id}")),
            ),
            (t("field.created_at"), fmt_time(i.created_at), None),
            (t("field.updated_at"), fmt_time(i.updated_at), None),
            (t("field.version"), i.version.to_string(), None),
        ],
        show_history,
        history,
    };
    let c = Chrome::new(&a, lang, i.name.clone(), "/institutions").saved_flash(&q);
    Ok(render(&DetailPage { c, v }))
}

async fn institution_form(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    id: Option<i64>,
    f: &FormData,
    version: Option<i64>,
) -> FormView {
    let t = |k| lang.t(k).to_string();
    let registration = a.role().may(Action::EditInstitutionRegistration);
    let lock = id.is_some() && !registration;
    let statuses = InstitutionStatus::ALL
        .iter()
        .map(|x| {
            (
                x.as_str().to_string(),
                lang.pick(x.label_zh(), x.label_en()).to_string(),
            )
        })
        .collect();
    let mut fields = vec![
        FormField::text("name", t("field.name"), f.text("name"))
            .required()
            .disabled(lock),
        FormField::text("uscc", t("field.uscc"), f.text("uscc"))
            .disabled(lock)
            .help("GB 32100，18 位"),
        FormField::text(
            "uscc_override",
            t("field.uscc_override"),
            f.text("uscc_override"),
        )
        .disabled(lock)
        .help("仅当早期试点代码校验码不符时填写，须写明依据"),
        FormField::text("licence_no", t("field.licence_no"), f.text("licence_no"))
            .required()
            .disabled(lock),
        FormField::select(
            "region_code",
            t("field.region"),
            f.text("region_code"),
            region_options(s, a).await,
        )
        .required()
        .disabled(lock),
        FormField::checks(
            "categories",
            t("field.categories"),
            f.all("categories"),
            category_options(lang),
        )
        .disabled(lock)
        .help("《意见》第7条：仅限四大类"),
        FormField::text("legal_rep", t("field.legal_rep"), f.text("legal_rep")),
        FormField::text("head_name", t("field.head_name"), f.text("head_name")),
        FormField::text("address", t("field.address"), f.text("address")),
        FormField::text("phone", t("field.phone"), f.text("phone")),
    ];
    if id.is_some() {
        fields.push(
            FormField::select("status", t("field.status"), f.text("status"), statuses)
                .required()
                .disabled(lock),
        );
    }
    FormView {
        title: if id.is_some() {
            format!("{} · {}", t("action.edit"), f.text("name"))
        } else {
            format!("{} · {}", t("list.new"), t("nav.institutions"))
        },
        intro: None,
        action: match id {
            Some(id) => format!("/institutions/{id}/edit"),
            None => "/institutions/new".into(),
        },
        hidden: version
            .map(|v| vec![("version".to_string(), v.to_string())])
            .unwrap_or_default(),
        fields,
        errors: Vec::new(),
        submit: t(if id.is_some() {
            "action.save"
        } else {
            "action.create"
        }),
        cancel: match id {
            Some(id) => format!("/institutions/{id}"),
            None => "/institutions".into(),
        },
        confirm: id.is_some() && registration,
    }
}

fn institution_input(f: &FormData) -> InstitutionInput {
    let has = |k: &str| f.get(k).is_some();
    InstitutionInput {
        name: f.get("name"),
        uscc: f.get("uscc"),
        uscc_override: f.get("uscc_override"),
        licence_no: f.get("licence_no"),
        region_code: f.get("region_code"),
        categories: if has("name") {
            Some(f.all("categories"))
        } else {
            None
        },
        legal_rep: f.get("legal_rep"),
        head_name: f.get("head_name"),
        address: f.get("address"),
        phone: f.get("phone"),
        status: f.get("status"),
    }
}

fn form_of_institution(i: &registry::Institution) -> FormData {
    let mut v = vec![
        ("name".to_string(), i.name.clone()),
        ("uscc".to_string(), i.uscc.clone().unwrap_or_default()),
        (
            "uscc_override".to_string(),
            i.uscc_override.clone().unwrap_or_default(),
        ),
        ("licence_no".to_string(), i.licence_no.clone()),
        ("region_code".to_string(), i.region_code.clone()),
        ("legal_rep".to_string(), i.legal_rep.clone()),
        ("head_name".to_string(), i.head_name.clone()),
        ("address".to_string(), i.address.clone()),
        ("phone".to_string(), i.phone.clone()),
        ("status".to_string(), i.status.clone()),
    ];
    v.extend(
        i.categories
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| ("categories".to_string(), c.to_string())),
    );
    FormData(v)
}

/// Renders a form again with the refused input and the reasons.
fn refused(c: Chrome, v: FormView, e: AppError) -> axum::response::Response {
    let status = e.status;
    let summary = if e.fields.is_empty() || e.code == "version_conflict" || e.code == "forbidden" {
        Some(e.message.clone())
    } else {
        None
    };
    let mut res = (
        if status.is_client_error() {
            status
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        render(&FormPage {
            c,
            v: v.with_errors(&e.fields, summary),
        }),
    )
        .into_response();
    res.extensions_mut().insert(e);
    res
}

pub async fn institution_new(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::CreateInstitution).or_page(lang)?;
    let v = institution_form(
        &s,
        &a,
        lang,
        None,
        &FormData(vec![("status".into(), "normal".into())]),
        None,
    )
    .await;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/institutions"),
        v,
    }))
}

pub async fn institution_create(State(s): State<AppState>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::CreateInstitution).or_page(lang)?;
    let result = match institution_input(&p.form).apply(None) {
        Ok(f) => registry::create_institution(&s.db, &a.actor(), &a.scope(), &f)
            .await
            .map_err(AppError::from),
        Err(errs) => Err(AppError::validation(errs)),
    };
    match result {
        Ok(i) => Ok(redirect(&format!("/institutions/{}?saved=1", i.id))),
        Err(e) => {
            let v = institution_form(&s, a, lang, None, &p.form, None).await;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/institutions"),
                v,
                e,
            ))
        }
    }
}

pub async fn institution_edit(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(Action::EditInstitution).or_page(lang)?;
    let i = registry::get_institution(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let v = institution_form(
        &s,
        &a,
        lang,
        Some(id),
        &form_of_institution(&i),
        Some(i.version),
    )
    .await;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/institutions"),
        v,
    }))
}

pub async fn institution_update(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    p: Post,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::EditInstitution).or_page(lang)?;
    let scope = a.scope();
    let cur = registry::get_institution(&s.db, &scope, id)
        .await
        .or_page(lang)?;
    let version = p.form.int("version").unwrap_or(-1);
    let result = match institution_input(&p.form).apply(Some(&cur.fields())) {
        Ok(f) => registry::update_institution(
            &s.db,
            &a.actor(),
            &scope,
            id,
            version,
            &f,
            a.role().may(Action::EditInstitutionRegistration),
        )
        .await
        .map_err(AppError::from),
        Err(errs) => Err(AppError::validation(errs)),
    };
    match result {
        Ok(_) => Ok(redirect(&format!("/institutions/{id}?saved=1"))),
        Err(e) => {
            let mut shown = p.form.clone();
            if shown.get("name").is_none() {
                shown = form_of_institution(&cur);
            }
            let v = institution_form(&s, a, lang, Some(id), &shown, Some(version)).await;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/institutions"),
                v,
                e,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Appraisers

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
        institution_id: p.get("institution_id").and_then(|v| v.parse().ok()),
        senior_title: p.get("senior_title").map(|v| v == "true"),
    };
    let page = registry::list_appraisers(&s.db, &a.scope(), &f, &p.query())
        .await
        .or_page(lang)?;
    let statuses = AppraiserStatus::ALL
        .iter()
        .map(|x| {
            (
                x.as_str().to_string(),
                lang.pick(x.label_zh(), x.label_en()).to_string(),
            )
        })
        .collect();
    let filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter("status", lang.t("field.status"), statuses),
        p.select_filter(
            "category",
            lang.t("field.categories"),
            category_options(lang),
        ),
        p.select_filter(
            "senior_title",
            lang.t("field.senior_title"),
            vec![
                ("true".into(), lang.t("yes").into()),
                ("false".into(), lang.t("no").into()),
            ],
        ),
    ];
    let cols = vec![
        p.column(lang.t("field.person_name"), "name"),
        p.column(lang.t("field.certificate_no"), "certificate"),
        p.column(lang.t("field.institution"), "institution"),
        p.column(lang.t("field.categories"), ""),
        p.column(lang.t("field.title"), ""),
        p.column(lang.t("field.status"), "status"),
    ];
    let new_link = a.role().may(Action::CreateAppraiser).then(|| {
        (
            "/appraisers/new".to_string(),
            lang.t("list.new").to_string(),
        )
    });
    let v = p.view(
        lang,
        lang.t("nav.appraisers").into(),
        new_link,
        filters,
        cols,
        &page,
        |x| {
            let (st, class) = app_status(lang, &x.status);
            vec![
                link(
                    lang.t("field.person_name"),
                    &x.name,
                    format!("/appraisers/{}", x.id),
                ),
                cell(lang.t("field.certificate_no"), &x.certificate_no),
                link(
                    lang.t("field.institution"),
                    &x.institution_name,
                    format!("/institutions/{}", x.institution_id),
                ),
                cell(
                    lang.t("field.categories"),
                    category_labels(lang, &x.categories),
                ),
                cell(lang.t("field.title"), &x.title),
                badge(lang.t("field.status"), st, class),
            ]
        },
    );
    let mut v = v;
    v.extra_links
        .extend(export_link(&a, lang, &p, "appraisers"));
    Ok(render(&ListPage {
        c: Chrome::new(&a, lang, lang.t("nav.appraisers"), "/appraisers"),
        v,
    }))
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
    let mut actions = Vec::new();
    if a.role().may(Action::EditAppraiser) {
        actions.push(ActionButton {
            label: t("action.edit"),
            href: format!("/appraisers/{id}/edit"),
            post: false,
            confirm: String::new(),
            danger: false,
        });
    }
    let (show_history, history) = history(&s, &a, lang, "appraiser", id).await;
    let v = DetailView {
        title: x.name.clone(),
        badge: Some((st, class)),
        back: "/appraisers".into(),
        actions,
        fields: vec![
            (
                t("field.institution"),
                x.institution_name.clone(),
                Some(format!("/institutions/{}", x.institution_id)),
            ),
            (t("field.gender"), gender(lang, &x.gender), None),
            (t("field.certificate_no"), x.certificate_no.clone(), None),
            (
                t("field.categories"),
                category_labels(lang, &x.categories),
                None,
            ),
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
        show_history,
        history,
    };
    let c = Chrome::new(&a, lang, x.name.clone(), "/appraisers").saved_flash(&q);
    Ok(render(&DetailPage { c, v }))
}

async fn appraiser_form(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    id: Option<i64>,
    f: &FormData,
    version: Option<i64>,
) -> FormView {
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
    let statuses = AppraiserStatus::ALL
        .iter()
        .map(|x| {
            (
                x.as_str().to_string(),
                lang.pick(x.label_zh(), x.label_en()).to_string(),
            )
        })
        .collect();
    let mut fields = vec![
        FormField::select(
            "institution_id",
            t("field.institution"),
            f.text("institution_id"),
            insts,
        )
        .required()
        .disabled(lock),
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
        FormField::text(
            "certificate_no",
            t("field.certificate_no"),
            f.text("certificate_no"),
        )
        .required()
        .disabled(lock),
        FormField::checks(
            "categories",
            t("field.categories"),
            f.all("categories"),
            category_options(lang),
        )
        .help("须在所在机构的业务范围之内"),
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
    FormView {
        title: if id.is_some() {
            format!("{} · {}", t("action.edit"), f.text("name"))
        } else {
            format!("{} · {}", t("list.new"), t("nav.appraisers"))
        },
        intro: None,
        action: match id {
            Some(id) => format!("/appraisers/{id}/edit"),
            None => "/appraisers/new".into(),
        },
        hidden: version
            .map(|v| vec![("version".to_string(), v.to_string())])
            .unwrap_or_default(),
        fields,
        errors: Vec::new(),
        submit: t(if id.is_some() {
            "action.save"
        } else {
            "action.create"
        }),
        cancel: match id {
            Some(id) => format!("/appraisers/{id}"),
            None => "/appraisers".into(),
        },
        confirm: false,
    }
}

fn appraiser_input(f: &FormData) -> AppraiserInput {
    AppraiserInput {
        institution_id: f
            .get("institution_id")
            .map(|v| v.trim().parse().unwrap_or(0)),
        name: f.get("name"),
        gender: f.get("gender"),
        certificate_no: f.get("certificate_no"),
        categories: f.get("name").map(|_| f.all("categories")),
        title: f.get("title"),
        senior_title: f.get("name").map(|_| f.flag("senior_title")),
        phone: f.get("phone"),
        status: f.get("status"),
    }
}

fn form_of_appraiser(x: &registry::Appraiser) -> FormData {
    let mut v = vec![
        ("institution_id".to_string(), x.institution_id.to_string()),
        ("name".to_string(), x.name.clone()),
        ("gender".to_string(), x.gender.clone()),
        ("certificate_no".to_string(), x.certificate_no.clone()),
        ("title".to_string(), x.title.clone()),
        ("phone".to_string(), x.phone.clone()),
        ("status".to_string(), x.status.clone()),
    ];
    if x.senior_title {
        v.push(("senior_title".into(), "true".into()));
    }
    v.extend(
        x.categories
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| ("categories".to_string(), c.to_string())),
    );
    FormData(v)
}

pub async fn appraiser_new(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::CreateAppraiser).or_page(lang)?;
    let mut init = vec![("status".to_string(), "active".to_string())];
    if let Scope::Institution(i) = a.scope() {
        init.push(("institution_id".into(), i.to_string()));
    }
    let v = appraiser_form(&s, &a, lang, None, &FormData(init), None).await;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/appraisers"),
        v,
    }))
}

pub async fn appraiser_create(State(s): State<AppState>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::CreateAppraiser).or_page(lang)?;
    let result = match appraiser_input(&p.form).apply(None) {
        Ok(f) => registry::create_appraiser(&s.db, &a.actor(), &a.scope(), &f)
            .await
            .map_err(AppError::from),
        Err(errs) => Err(AppError::validation(errs)),
    };
    match result {
        Ok(x) => Ok(redirect(&format!("/appraisers/{}?saved=1", x.id))),
        Err(e) => {
            let v = appraiser_form(&s, a, lang, None, &p.form, None).await;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/appraisers"),
                v,
                e,
            ))
        }
    }
}

pub async fn appraiser_edit(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(Action::EditAppraiser).or_page(lang)?;
    let x = registry::get_appraiser(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let v = appraiser_form(
        &s,
        &a,
        lang,
        Some(id),
        &form_of_appraiser(&x),
        Some(x.version),
    )
    .await;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/appraisers"),
        v,
    }))
}

pub async fn appraiser_update(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    p: Post,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::EditAppraiser).or_page(lang)?;
    let scope = a.scope();
    let cur = registry::get_appraiser(&s.db, &scope, id)
        .await
        .or_page(lang)?;
    let version = p.form.int("version").unwrap_or(-1);
    let result = match appraiser_input(&p.form).apply(Some(&cur.fields())) {
        Ok(f) => registry::update_appraiser(
            &s.db,
            &a.actor(),
            &scope,
            id,
            version,
            &f,
            a.role().may(Action::EditAppraiserRegistration),
        )
        .await
        .map_err(AppError::from),
        Err(errs) => Err(AppError::validation(errs)),
    };
    match result {
        Ok(_) => Ok(redirect(&format!("/appraisers/{id}?saved=1"))),
        Err(e) => {
            let mut shown = form_of_appraiser(&cur);
            for (k, v) in p.form.0.iter().filter(|(k, _)| k != "_csrf") {
                shown.0.retain(|(sk, _)| sk != k);
                shown.0.push((k.clone(), v.clone()));
            }
            let v = appraiser_form(&s, a, lang, Some(id), &shown, Some(version)).await;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/appraisers"),
                v,
                e,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Commissioning organs

pub async fn organs_list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewOrgans).or_page(lang)?;
    let p = ListParams::new("/organs", q);
    let page = organs::list(&s.db, &a.scope(), p.get("kind"), &p.query())
        .await
        .or_page(lang)?;
    let kinds = OrganKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                lang.pick(k.label_zh(), k.label_en()).to_string(),
            )
        })
        .collect();
    let filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter("kind", lang.t("field.kind"), kinds),
    ];
    let cols = vec![
        p.column(lang.t("field.name"), "name"),
        p.column(lang.t("field.kind"), "kind"),
        p.column(lang.t("field.region"), "region"),
        p.column(lang.t("field.phone"), ""),
    ];
    let new_link = a
        .role()
        .may(Action::EditOrgans)
        .then(|| ("/organs/new".to_string(), lang.t("list.new").to_string()));
    let v = p.view(
        lang,
        lang.t("nav.organs").into(),
        new_link,
        filters,
        cols,
        &page,
        |o| {
            vec![
                link(lang.t("field.name"), &o.name, format!("/organs/{}", o.id)),
                cell(lang.t("field.kind"), organ_kind(lang, &o.kind)),
                cell(lang.t("field.region"), &o.region_name),
                cell(lang.t("field.phone"), &o.phone),
            ]
        },
    );
    Ok(render(&ListPage {
        c: Chrome::new(&a, lang, lang.t("nav.organs"), "/organs"),
        v,
    }))
}

pub async fn organ_detail(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewOrgans).or_page(lang)?;
    let o = organs::get(&s.db, &a.scope(), id).await.or_page(lang)?;
    let t = |k| lang.t(k).to_string();
    let mut actions = Vec::new();
    if a.role().may(Action::EditOrgans) {
        actions.push(ActionButton {
            label: t("action.edit"),
            href: format!("/organs/{id}/edit"),
            post: false,
            confirm: String::new(),
            danger: false,
        });
    }
    let (show_history, history) = history(&s, &a, lang, "organ", id).await;
    let v = DetailView {
        title: o.name.clone(),
        badge: Some((organ_kind(lang, &o.kind), "")),
        back: "/organs".into(),
        actions,
        fields: vec![
            (
                t("field.region"),
                format!("{} ({})", o.region_name, o.region_code),
                None,
            ),
            (t("field.address"), o.address.clone(), None),
            (t("field.phone"), o.phone.clone(), None),
            (t("field.updated_at"), fmt_time(o.updated_at), None),
            (t("field.version"), o.version.to_string(), None),
        ],
        show_history,
        history,
    };
    let c = Chrome::new(&a, lang, o.name.clone(), "/organs").saved_flash(&q);
    Ok(render(&DetailPage { c, v }))
}

async fn organ_form(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    id: Option<i64>,
    f: &FormData,
    version: Option<i64>,
) -> FormView {
    let t = |k| lang.t(k).to_string();
    let kinds = OrganKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                lang.pick(k.label_zh(), k.label_en()).to_string(),
            )
        })
        .collect();
    FormView {
        title: if id.is_some() {
            format!("{} · {}", t("action.edit"), f.text("name"))
        } else {
            format!("{} · {}", t("list.new"), t("nav.organs"))
        },
        intro: None,
        action: match id {
            Some(id) => format!("/organs/{id}/edit"),
            None => "/organs/new".into(),
        },
        hidden: version
            .map(|v| vec![("version".to_string(), v.to_string())])
            .unwrap_or_default(),
        fields: vec![
            FormField::text("name", t("field.name"), f.text("name")).required(),
            FormField::select("kind", t("field.kind"), f.text("kind"), kinds).required(),
            FormField::select(
                "region_code",
                t("field.region"),
                f.text("region_code"),
                region_options(s, a).await,
            )
            .required(),
            FormField::text("address", t("field.address"), f.text("address")),
            FormField::text("phone", t("field.phone"), f.text("phone")),
        ],
        errors: Vec::new(),
        submit: t(if id.is_some() {
            "action.save"
        } else {
            "action.create"
        }),
        cancel: match id {
            Some(id) => format!("/organs/{id}"),
            None => "/organs".into(),
        },
        confirm: false,
    }
}

fn organ_input(f: &FormData) -> OrganInput {
    OrganInput {
        name: f.get("name"),
        kind: f.get("kind"),
        region_code: f.get("region_code"),
        address: f.get("address"),
        phone: f.get("phone"),
    }
}

pub async fn organ_new(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::EditOrgans).or_page(lang)?;
    let v = organ_form(&s, &a, lang, None, &FormData::default(), None).await;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/organs"),
        v,
    }))
}

pub async fn organ_create(State(s): State<AppState>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::EditOrgans).or_page(lang)?;
    let result = match organ_input(&p.form).apply(None) {
        Ok(f) => organs::create(&s.db, &a.actor(), &a.scope(), &f)
            .await
            .map_err(AppError::from),
        Err(errs) => Err(AppError::validation(errs)),
    };
    match result {
        Ok(o) => Ok(redirect(&format!("/organs/{}?saved=1", o.id))),
        Err(e) => {
            let v = organ_form(&s, a, lang, None, &p.form, None).await;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/organs"),
                v,
                e,
            ))
        }
    }
}

pub async fn organ_edit(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(Action::EditOrgans).or_page(lang)?;
    let o = organs::get(&s.db, &a.scope(), id).await.or_page(lang)?;
    let f = FormData(vec![
        ("name".into(), o.name.clone()),
        ("kind".into(), o.kind.clone()),
        ("region_code".into(), o.region_code.clone()),
        ("address".into(), o.address.clone()),
        ("phone".into(), o.phone.clone()),
    ]);
    let v = organ_form(&s, &a, lang, Some(id), &f, Some(o.version)).await;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/organs"),
        v,
    }))
}

pub async fn organ_update(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::EditOrgans).or_page(lang)?;
    let scope = a.scope();
    let cur = organs::get(&s.db, &scope, id).await.or_page(lang)?;
    let version = p.form.int("version").unwrap_or(-1);
    let base = organs::OrganFields {
        name: cur.name,
        kind: cur.kind,
        region_code: cur.region_code,
        address: cur.address,
        phone: cur.phone,
    };
    let result = match organ_input(&p.form).apply(Some(&base)) {
        Ok(f) => organs::update(&s.db, &a.actor(), &scope, id, version, &f)
            .await
            .map_err(AppError::from),
        Err(errs) => Err(AppError::validation(errs)),
    };
    match result {
        Ok(_) => Ok(redirect(&format!("/organs/{id}?saved=1"))),
        Err(e) => {
            let v = organ_form(&s, a, lang, Some(id), &p.form, Some(version)).await;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/organs"),
                v,
                e,
            ))
        }
    }
}
