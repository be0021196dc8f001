//! Pages of the register: institutions, appraisers, commissioning organs.
mod appraiser;
mod institution;
mod organ;
pub use appraiser::*;
pub use institution::*;
pub use organ::*;

use super::forms::FormData;
use super::listing::{ListParams, badge, cell, link, yes_no_options};
use super::record_form::{FormFor, RecordForm};
use super::view::*;
use super::{OrPage, PageResult, render};
use crate::auth::{Authed, PageUser};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::labels::options;
pub use crate::labels::{
    code_labels_in, education_label, qualification_label, scope_labels, scope_labels_in,
};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
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

/// The gender of a person, required.
pub fn gender_field(lang: Lang, f: &FormData) -> FormField {
    FormField::select(
        "gender",
        lang.t("field.gender").into(),
        f.text("gender"),
        vec![
            ("male".into(), lang.t("gender.male").into()),
            ("female".into(), lang.t("gender.female").into()),
        ],
    )
    .required()
}

/// A scope of practice (`scope`): categories, sub-categories and items to tick.
pub fn scope_field(lang: Lang, f: &FormData) -> FormField {
    FormField::checks(
        "scope",
        lang.t("field.scope").into(),
        f.all("scope"),
        scope_options(lang),
    )
    .class("tree")
}

/// The region a record belongs to (`region_code`), among those the caller may place it in;
/// required.
pub async fn region_field(s: &AppState, a: &Authed, lang: Lang, f: &FormData) -> FormField {
    FormField::select(
        "region_code",
        lang.t("field.region").into(),
        f.text("region_code"),
        region_options(s, a).await,
    )
    .required()
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
    let rows = rows
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
        .collect();
    let head = [
        "field.time",
        "field.status",
        "field.status_reason",
        "field.actor",
    ];
    DetailTable::of(lang, "detail.status_history", &head, rows)
}

/// The filters of a register by classification: a category, or a sub-category or item.
pub fn classification_filters(p: &ListParams, lang: Lang) -> [FilterView; 2] {
    [
        p.select_filter(
            "category",
            lang.t("field.categories"),
            category_options(lang),
        ),
        p.select_filter("item", lang.t("field.item"), item_options(lang)),
    ]
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

pub(crate) fn organ_kind(lang: Lang, k: OrganKind) -> String {
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

/// A register record's page before its fields: titled `title`, back to the register, with the
/// edit button for those who may edit it and its history (as `entity`) for those who may see it.
pub(super) async fn record_view<R: RecordForm>(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    entity: &str,
    id: i64,
    title: &str,
) -> DetailView {
    let (show_history, history) = history(s, a, lang, entity, id).await;
    let edit = a
        .role()
        .may(R::EDIT)
        .then(|| ActionButton::link(lang.t("action.edit"), format!("{}/{id}/edit", R::BASE)));
    DetailView {
        actions: edit.into_iter().collect(),
        show_history,
        history,
        ..DetailView::new(title, R::BASE)
    }
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
    history_of(s, a, lang, entity, id, &a.scope(), None).await
}

/// The timeline of one record whose page the caller may already see (the record's own scope
/// check stands for the events').
pub async fn history_of(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    entity: &str,
    id: i64,
    scope: &sijian_domain::Scope,
    hide_kind_prefix: Option<&'static str>,
) -> (bool, Vec<TimelineEntry>) {
    let f = EventFilter {
        entity_type: Some(entity.into()),
        entity_id: Some(id.to_string()),
        kind: None,
        hide_kind_prefix,
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
                .map(|e| TimelineEntry::from_event(a, lang, e))
                .collect()
        })
        .unwrap_or_default(),
    )
}
