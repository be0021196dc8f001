//! Pages of the register: institutions, appraisers, commissioning organs.
use super::forms::{FormData, Post};
use super::listing::{ListParams, badge, cell, link};
use super::view::*;
use super::{OrPage, PageResult, redirect, render};
use crate::auth::{Authed, PageUser};
use crate::error::AppError;
use crate::i18n::Lang;
pub use crate::labels::{education_label, qualification_label, scope_labels, scope_labels_in};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use sijian_domain::classification::{Classification, Level};
use sijian_domain::{Action, AppraiserStatus, Category, InstitutionStatus, OrganKind, Scope};
use sijian_service::inputs::{AppraiserInput, InstitutionInput, OrganInput};
use sijian_store::events::{self, EventFilter};
use sijian_store::{ListQuery, organs, registry};

pub fn category_labels(lang: Lang, set: &str) -> String {
    Category::parse_set(set)
        .unwrap_or_default()
        .iter()
        .map(|c| lang.pick(c.label_zh(), c.label_en()))
        .collect::<Vec<_>>()
        .join(lang.pick("、", ", "))
}

/// Sub-categories and items as filter or form options, items indented under their sub-category.
pub fn item_options(lang: Lang) -> Vec<(String, String)> {
    let cls = Classification::current();
    cls.entries()
        .iter()
        .filter(|e| e.in_force() && e.level != Level::Category)
        .map(|e| {
            let indent = if e.level == Level::Item { "　　" } else { "" };
            (
                e.code.to_string(),
                format!("{indent}{} {}", e.code, lang.pick(e.name_zh, e.name_en)),
            )
        })
        .collect()
}

/// Accreditations in one line each: "CNAS IB0001（…）有效期至 2027-06-30".
pub fn accreditation_text(lang: Lang, list: &[registry::Accreditation]) -> String {
    if list.is_empty() {
        return "—".into();
    }
    list.iter()
        .map(|a| {
            let scope = if a.scope.is_empty() {
                String::new()
            } else {
                format!("{}{}", lang.pick("，", ", "), a.scope)
            };
            lang.tf(
                "registry.accreditation",
                &[
                    ("kind", &a.kind),
                    ("no", &a.certificate_no),
                    ("scope", &scope),
                    ("until", &a.expires_on),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(lang.pick("；", "; "))
}

pub fn or_dash(v: &str) -> String {
    if v.trim().is_empty() {
        "—".into()
    } else {
        v.to_string()
    }
}

pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Categories, sub-categories and items as form options for a scope.
pub fn scope_options(lang: Lang) -> Vec<(String, String)> {
    let cls = Classification::current();
    cls.entries()
        .iter()
        .filter(|e| e.in_force())
        .map(|e| {
            let (indent, name) = match e.level {
                Level::Category => ("", lang.pick(e.category.label_zh(), e.category.label_en())),
                Level::SubCategory => ("　", lang.pick(e.name_zh, e.name_en)),
                Level::Item => ("　　", lang.pick(e.name_zh, e.name_en)),
            };
            (e.code.to_string(), format!("{indent}{} {name}", e.code))
        })
        .collect()
}

/// Status history of an institution or appraiser as a table.
pub async fn status_table(s: &AppState, lang: Lang, entity: &str, id: i64) -> DetailTable {
    let rows = registry::status_history(&s.db, entity, id)
        .await
        .unwrap_or_default();
    let label = |st: &str| {
        if entity == "institution" {
            inst_status(lang, st).0
        } else {
            app_status(lang, st).0
        }
    };
    DetailTable {
        title: lang.t("detail.status_history").into(),
        head: vec![
            lang.t("field.time").into(),
            lang.t("field.status").into(),
            lang.t("field.status_reason").into(),
            lang.t("field.actor").into(),
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    fmt_time(r.at),
                    match &r.from_status {
                        Some(f) => format!("{} → {}", label(f), label(&r.to_status)),
                        None => label(&r.to_status),
                    },
                    or_dash(&r.reason),
                    r.actor_name
                        .clone()
                        .unwrap_or_else(|| lang.t("registry.system").into()),
                ]
            })
            .collect(),
        empty: lang.t("detail.none").into(),
        link: None,
    }
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

fn organ_kind(lang: Lang, k: OrganKind) -> String {
    lang.pick(k.label_zh(), k.label_en()).to_string()
}

pub fn gender(lang: Lang, g: &str) -> String {
    lang.t(if g == "female" {
        "gender.female"
    } else {
        "gender.male"
    })
    .to_string()
}

/// Regions the principal may place records in, as select options (code, "name (code)"),
/// indented by level.
pub async fn region_options(s: &AppState, a: &Authed) -> Vec<(String, String)> {
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

pub async fn history(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    entity: &str,
    id: i64,
) -> (bool, Vec<TimelineEntry>) {
    if !a.role().may(Action::ViewEvents) && !a.role().is_institution_staff() {
        return (false, Vec::new());
    }
    history_of(s, lang, entity, id, &a.scope()).await
}

/// The timeline of one record whose page the caller may already see (the record's own scope
/// check stands for the events').
pub async fn history_of(
    s: &AppState,
    lang: Lang,
    entity: &str,
    id: i64,
    scope: &sijian_domain::Scope,
) -> (bool, Vec<TimelineEntry>) {
    let f = EventFilter {
        entity_type: Some(entity.into()),
        entity_id: Some(id.to_string()),
        kind: None,
    };
    let page = events::list(
        &s.db,
        scope,
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
                .map(|e| TimelineEntry::from_event(lang, e))
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
        item: p.get("item"),
        region_code: p.get("region"),
        qualification_level: p.get("qualification_level"),
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
        p.select_filter("item", lang.t("field.item"), item_options(lang)),
        p.select_filter(
            "qualification_level",
            lang.t("field.qualification_level"),
            crate::labels::value_options(
                lang,
                "qualification",
                &sijian_service::inputs::QUALIFICATION_LEVELS,
            ),
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
        tables: Vec::new(),
        title: i.name.clone(),
        badge: Some((st, class)),
        back: "/institutions".into(),
        actions,
        fields: vec![
            (
                t("field.uscc"),
                match &i.uscc_override {
                    Some(r) => lang.tf(
                        "registry.code_exception",
                        &[("code", &i.uscc.clone().unwrap_or_default()), ("reason", r)],
                    ),
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
            (t("field.scope"), scope_labels_in(lang, &i.scope), None),
            (
                t("field.qualification_level"),
                crate::labels::qualification_label_in(lang, &i.qualification_level),
                None,
            ),
            (
                t("field.registering_authority"),
                or_dash(&i.registering_authority),
                None,
            ),
            (
                t("field.licence_valid_to"),
                i.licence_valid_to
                    .map_or_else(|| "—".into(), |d| d.to_string()),
                None,
            ),
            (
                t("field.accreditations"),
                accreditation_text(lang, &i.accreditations.0),
                None,
            ),
            (
                t("field.insurance"),
                if i.insurer.is_empty() {
                    "—".into()
                } else {
                    lang.tf(
                        "registry.insurance",
                        &[
                            ("insurer", &i.insurer),
                            ("policy", &or_dash(&i.insurance_policy)),
                            (
                                "until",
                                &i.insurance_expires
                                    .map_or_else(|| "—".into(), |d| d.to_string()),
                            ),
                        ],
                    )
                },
                None,
            ),
            (
                t("field.party_org"),
                if i.party_org {
                    lang.tf("registry.party.yes", &[("n", &i.party_members.to_string())])
                } else {
                    lang.tf("registry.party.no", &[("n", &i.party_members.to_string())])
                },
                None,
            ),
            (
                t("field.military"),
                t(if i.military { "yes" } else { "no" }),
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
    let mut v = v;
    v.tables
        .push(status_table(&s, lang, "institution", id).await);
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
            .help(lang.t("registry.help.credit_code")),
        FormField::text(
            "uscc_override",
            t("field.uscc_override"),
            f.text("uscc_override"),
        )
        .disabled(lock)
        .help(lang.t("registry.help.code_exception")),
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
        FormField::text(
            "licence_valid_to",
            t("field.licence_valid_to"),
            f.text("licence_valid_to"),
        )
        .typed("date")
        .disabled(lock),
        FormField::text(
            "registering_authority",
            t("field.registering_authority"),
            f.text("registering_authority"),
        )
        .disabled(lock),
        FormField::checks(
            "scope",
            t("field.scope"),
            f.all("scope"),
            scope_options(lang),
        )
        .class("tree")
        .required()
        .disabled(lock)
        .help(lang.t("registry.help.scope")),
        FormField::select(
            "qualification_level",
            t("field.qualification_level"),
            f.text("qualification_level"),
            crate::labels::value_options(
                lang,
                "qualification",
                &sijian_service::inputs::QUALIFICATION_LEVELS,
            ),
        )
        .required()
        .disabled(lock),
    ];
    for n in 1..=2 {
        let k = |x: &str| format!("acc{n}_{x}");
        let name = |x: &str| -> &'static str {
            match (n, x) {
                (1, "kind") => "acc1_kind",
                (1, "no") => "acc1_no",
                (1, "scope") => "acc1_scope",
                (1, _) => "acc1_expires",
                (_, "kind") => "acc2_kind",
                (_, "no") => "acc2_no",
                (_, "scope") => "acc2_scope",
                _ => "acc2_expires",
            }
        };
        let label = format!("{} {n}", t("field.accreditations"));
        fields.push(
            FormField::select(
                name("kind"),
                lang.tf("registry.acc.kind", &[("label", &label)]),
                f.text(&k("kind")),
                vec![
                    ("CMA".into(), lang.t("registry.accreditation.cma").into()),
                    ("CNAS".into(), lang.t("registry.accreditation.cnas").into()),
                ],
            )
            .disabled(lock),
        );
        fields.push(
            FormField::text(
                name("no"),
                lang.tf("registry.acc.no", &[("label", &label)]),
                f.text(&k("no")),
            )
            .disabled(lock),
        );
        fields.push(
            FormField::text(
                name("scope"),
                lang.tf("registry.acc.scope", &[("label", &label)]),
                f.text(&k("scope")),
            )
            .disabled(lock),
        );
        fields.push(
            FormField::text(
                name("expires"),
                lang.tf("registry.acc.until", &[("label", &label)]),
                f.text(&k("expires")),
            )
            .typed("date")
            .disabled(lock),
        );
    }
    fields.extend([
        FormField::text("insurer", t("field.insurer"), f.text("insurer")),
        FormField::text(
            "insurance_policy",
            t("field.insurance_policy"),
            f.text("insurance_policy"),
        ),
        FormField::text(
            "insurance_expires",
            t("field.insurance_expires"),
            f.text("insurance_expires"),
        )
        .typed("date"),
        FormField::checkbox(
            "party_org",
            t("field.party_org"),
            f.flag("party_org"),
            lang.t("registry.field.party").into(),
        ),
        FormField::text(
            "party_members",
            t("field.party_members"),
            f.text("party_members"),
        )
        .typed("number"),
        FormField::checkbox(
            "military",
            t("field.military"),
            f.flag("military"),
            lang.t("registry.field.military").into(),
        )
        .disabled(lock),
        FormField::text("legal_rep", t("field.legal_rep"), f.text("legal_rep")),
        FormField::text("head_name", t("field.head_name"), f.text("head_name")),
        FormField::text("address", t("field.address"), f.text("address")),
        FormField::text("phone", t("field.phone"), f.text("phone")),
    ]);
    if id.is_some() {
        fields.push(
            FormField::select("status", t("field.status"), f.text("status"), statuses)
                .required()
                .disabled(lock),
        );
        fields.push(
            FormField::text(
                "status_reason",
                t("field.status_reason"),
                f.text("status_reason"),
            )
            .disabled(lock)
            .help(lang.t("registry.help.status_reason")),
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
    // Disabled fields are not posted: a form without the name is a contact-details edit.
    let full = f.get("name").is_some();
    let accreditations = full.then(|| {
        (1..=2)
            .filter_map(|n| {
                let g = |x: &str| f.text(&format!("acc{n}_{x}"));
                (!g("kind").is_empty() || !g("no").is_empty()).then(|| registry::Accreditation {
                    kind: g("kind"),
                    certificate_no: g("no"),
                    scope: g("scope"),
                    expires_on: g("expires"),
                })
            })
            .collect()
    });
    InstitutionInput {
        name: f.get("name"),
        uscc: f.get("uscc"),
        uscc_override: f.get("uscc_override"),
        licence_no: f.get("licence_no"),
        licence_valid_to: f.get("licence_valid_to"),
        region_code: f.get("region_code"),
        registering_authority: f.get("registering_authority"),
        scope: full.then(|| f.all("scope")),
        categories: None,
        qualification_level: f.get("qualification_level"),
        accreditations,
        insurer: f.get("insurer"),
        insurance_policy: f.get("insurance_policy"),
        insurance_expires: f.get("insurance_expires"),
        military: full.then(|| f.flag("military")),
        party_org: f.get("insurer").map(|_| f.flag("party_org")),
        party_members: f
            .get("party_members")
            .map(|v| v.trim().parse().unwrap_or(-1)),
        legal_rep: f.get("legal_rep"),
        head_name: f.get("head_name"),
        address: f.get("address"),
        phone: f.get("phone"),
        status: f.get("status"),
        status_reason: f.get("status_reason"),
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
        (
            "licence_valid_to".to_string(),
            i.licence_valid_to
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        (
            "registering_authority".to_string(),
            i.registering_authority.clone(),
        ),
        (
            "qualification_level".to_string(),
            i.qualification_level.clone(),
        ),
        ("insurer".to_string(), i.insurer.clone()),
        ("insurance_policy".to_string(), i.insurance_policy.clone()),
        (
            "insurance_expires".to_string(),
            i.insurance_expires
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        ("party_members".to_string(), i.party_members.to_string()),
    ];
    if i.party_org {
        v.push(("party_org".into(), "true".into()));
    }
    if i.military {
        v.push(("military".into(), "true".into()));
    }
    for (n, acc) in i.accreditations.0.iter().take(2).enumerate() {
        let n = n + 1;
        v.push((format!("acc{n}_kind"), acc.kind.clone()));
        v.push((format!("acc{n}_no"), acc.certificate_no.clone()));
        v.push((format!("acc{n}_scope"), acc.scope.clone()));
        v.push((format!("acc{n}_expires"), acc.expires_on.clone()));
    }
    v.extend(
        registry::scope_codes(&i.scope)
            .into_iter()
            .map(|c| ("scope".to_string(), c.to_string())),
    );
    FormData(v)
}

/// Renders a form again with the refused input and the reasons.
pub fn refused(c: Chrome, v: FormView, e: impl Into<AppError>) -> axum::response::Response {
    let e: AppError = e.into();
    let status = e.status;
    let lang = c.lang;
    let summary = if e.fields.is_empty() || e.code == "version_conflict" || e.code == "forbidden" {
        Some(lang.error_message(e.code, &e.message))
    } else {
        None
    };
    // The reasons in the reader's language where the catalogue has their text.
    let fields: Vec<sijian_domain::FieldError> = e
        .fields
        .iter()
        .map(|f| sijian_domain::FieldError {
            message: lang.error_message("", &f.message),
            ..f.clone()
        })
        .collect();
    let mut res = (
        if status.is_client_error() {
            status
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        render(&FormPage {
            c,
            v: v.with_errors(&fields, summary),
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
    let input = institution_input(&p.form);
    let result = sijian_service::registry::update_institution(&s, a, id, version, &input)
        .await
        .map_err(AppError::from);
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
        item: p.get("item"),
        institution_id: p.get("institution_id").and_then(|v| v.parse().ok()),
        senior_title: p.get("senior_title").map(|v| v == "true"),
        region_code: p.get("region"),
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
        p.select_filter("item", lang.t("field.item"), item_options(lang)),
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
        p.column(lang.t("field.scope"), ""),
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
                cell(lang.t("field.scope"), scope_labels_in(lang, &x.scope)),
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
        tables: Vec::new(),
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
        show_history,
        history,
    };
    let mut v = v;
    v.tables = super::practice::appraiser_tables(&s, &a, lang, &x).await;
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
        FormField::text("birth_date", t("field.birth_date"), f.text("birth_date")).typed("date"),
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
        FormField::checks(
            "scope",
            t("field.scope"),
            f.all("scope"),
            scope_options(lang),
        )
        .class("tree")
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
        fields.push(
            FormField::text(
                "status_reason",
                t("field.status_reason"),
                f.text("status_reason"),
            )
            .disabled(lock)
            .help(lang.t("registry.help.change_reason")),
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
        birth_date: f.get("birth_date"),
        id_number: f.get("id_number"),
        education: f.get("education"),
        certificate_no: f.get("certificate_no"),
        // Disabled when the editor may not change registration: not posted, kept as it is.
        scope: f.get("certificate_no").map(|_| f.all("scope")),
        categories: None,
        title: f.get("title"),
        senior_title: f.get("name").map(|_| f.flag("senior_title")),
        phone: f.get("phone"),
        status: f.get("status"),
        status_reason: f.get("status_reason"),
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
    let result = match appraiser_input(&p.form).apply(None, &s.keys) {
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
    let input = appraiser_input(&p.form);
    let result = sijian_service::registry::update_appraiser(&s, a, id, version, &input)
        .await
        .map_err(AppError::from);
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
                cell(lang.t("field.kind"), organ_kind(lang, o.kind)),
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
        tables: Vec::new(),
        title: o.name.clone(),
        badge: Some((organ_kind(lang, o.kind), "")),
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
        ("kind".into(), o.kind.as_str().to_string()),
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
        kind: cur.kind.as_str().to_string(),
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
