//! The public directory (名册): anyone may find institutions and appraisers and see their
//! public fields, without signing in. Never personal data beyond the register's public entries
//! (no telephone of an appraiser, no identity numbers, no birth dates). Rate-limited per address.
use super::listing::{ListParams, badge, cell, link};
use super::registry::{
    accreditation_text, category_labels, classification_filters, inst_status, institution_row,
    scope_labels_in,
};
use super::view::{FilterView, ListView};
use super::{OrPage, PageResult, render};
use crate::auth::Ctx;
use crate::i18n::Lang;
use crate::labels::options;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use sijian_domain::elicence::LicenceKind;
use sijian_domain::{AppraiserStatus, InstitutionStatus, Scope};
use sijian_service::directory::{institution_with_appraisers, licence_url, public_regions};
use sijian_store::registry::{self, AppraiserFilter, Institution, InstitutionFilter};

#[derive(Template)]
#[template(path = "directory_list.html")]
struct DirectoryListPage {
    lang: Lang,
    title: String,
    here: &'static str,
    v: ListView,
}

pub struct PublicAppraiserRow {
    /// The electronic certificate's verification page.
    pub licence_url: String,
    pub name: String,
    pub certificate_no: String,
    pub categories: String,
    pub title: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "directory_institution.html")]
struct DirectoryInstitutionPage {
    lang: Lang,
    title: String,
    here: &'static str,
    i: Institution,
    status: String,
    status_class: &'static str,
    fields: Vec<(String, String)>,
    appraisers: Vec<PublicAppraiserRow>,
    licence_url: String,
}

impl DirectoryListPage {
    fn of(lang: Lang, here: &'static str, v: ListView) -> Self {
        DirectoryListPage {
            lang,
            title: v.title.clone(),
            here,
            v,
        }
    }
}

/// The public lists' filters: a name or number, the region, the classification, the status.
async fn directory_filters(
    s: &AppState,
    p: &ListParams,
    lang: Lang,
    statuses: Vec<(String, String)>,
) -> Vec<FilterView> {
    let mut filters = vec![
        p.text_filter("q", lang.t("directory.search")),
        p.select_filter("region", lang.t("field.region"), public_regions(s).await),
    ];
    filters.extend(classification_filters(p, lang));
    filters.push(p.select_filter("status", lang.t("field.status"), statuses));
    filters
}

pub async fn directory_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let lang = ctx.lang;
    let p = ListParams::paged_only("/directory", q);
    let f = InstitutionFilter {
        status: p.get("status"),
        category: p.get("category"),
        item: p.get("item"),
        region_code: p.get("region"),
        qualification_level: None,
    };
    let page = registry::list_institutions(&s.db, &Scope::All, &f, &p.query())
        .await
        .or_page(lang)?;
    let filters = directory_filters(&s, &p, lang, options(lang, &InstitutionStatus::ALL)).await;
    let columns = [
        ("field.name", ""),
        ("field.licence_no", ""),
        ("field.region", ""),
        ("field.categories", ""),
        ("field.appraiser_count", ""),
        ("field.status", ""),
    ];
    let title = lang.t("directory.institutions").into();
    let v = p.view(lang, title, &columns, &page, |i| {
        institution_row(lang, i, format!("/directory/institutions/{}", i.id))
    });
    let v = v.with_filters(filters);
    Ok(render(&DirectoryListPage::of(lang, "institutions", v)))
}

pub async fn directory_appraisers_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let lang = ctx.lang;
    let p = ListParams::paged_only("/directory/appraisers", q);
    let f = AppraiserFilter {
        status: p.get("status"),
        category: p.get("category"),
        item: p.get("item"),
        region_code: p.get("region"),
        ..Default::default()
    };
    let page = registry::list_appraisers(&s.db, &Scope::All, &f, &p.query())
        .await
        .or_page(lang)?;
    let filters = directory_filters(&s, &p, lang, options(lang, &AppraiserStatus::ALL)).await;
    let columns = [
        ("field.person_name", ""),
        ("field.certificate_no", ""),
        ("field.institution", ""),
        ("field.categories", ""),
        ("field.title", ""),
        ("field.status", ""),
    ];
    let title = lang.t("directory.appraisers").into();
    let v = p.view(lang, title, &columns, &page, |a| {
        let st = AppraiserStatus::parse(&a.status);
        vec![
            cell(&a.name),
            cell(&a.certificate_no),
            link(
                &a.institution_name,
                format!("/directory/institutions/{}", a.institution_id),
            ),
            cell(category_labels(lang, &a.categories)),
            cell(&a.title),
            badge(
                st.map(|x| lang.pick(x.label_zh(), x.label_en()))
                    .unwrap_or(&a.status)
                    .to_string(),
                if st == Some(AppraiserStatus::Active) {
                    "ok"
                } else {
                    "warn"
                },
            ),
        ]
    });
    let v = v.with_filters(filters);
    Ok(render(&DirectoryListPage::of(lang, "appraisers", v)))
}

pub async fn directory_institution_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> PageResult {
    let lang = ctx.lang;
    let (i, apps) = institution_with_appraisers(&s, id).await.or_page(lang)?;
    let (status, status_class) = inst_status(lang, &i.status);
    let t = |k: &str| lang.t(k).to_string();
    let fields = vec![
        (
            t("field.uscc"),
            i.uscc.clone().unwrap_or_else(|| "—".into()),
        ),
        (t("field.licence_no"), i.licence_no.clone()),
        (t("field.region"), i.region_name.clone()),
        (t("field.categories"), category_labels(lang, &i.categories)),
        (t("field.scope"), scope_labels_in(lang, &i.scope)),
        (
            t("field.qualification_level"),
            crate::labels::qualification_label_in(lang, &i.qualification_level),
        ),
        (
            t("field.accreditations"),
            accreditation_text(lang, &i.accreditations.0),
        ),
        (
            t("field.registering_authority"),
            i.registering_authority.clone(),
        ),
        (
            t("field.licence_valid_to"),
            i.licence_valid_to
                .map_or_else(|| "—".into(), |d| d.to_string()),
        ),
        (t("field.head_name"), i.head_name.clone()),
        (t("field.address"), i.address.clone()),
        (t("field.phone"), i.phone.clone()),
    ];
    let appraisers = apps
        .iter()
        .map(|a| PublicAppraiserRow {
            licence_url: licence_url(&s, LicenceKind::Appraiser, a.id),
            name: a.name.clone(),
            certificate_no: a.certificate_no.clone(),
            categories: scope_labels_in(lang, &a.scope),
            title: a.title.clone(),
            status: AppraiserStatus::parse(&a.status)
                .map(|x| lang.pick(x.label_zh(), x.label_en()))
                .unwrap_or(&a.status)
                .to_string(),
        })
        .collect();
    Ok(render(&DirectoryInstitutionPage {
        lang,
        title: i.name.clone(),
        here: "institutions",
        i,
        status,
        status_class,
        fields,
        appraisers,
        licence_url: licence_url(&s, LicenceKind::Institution, id),
    }))
}
