//! One search box for the records a reader may see (issue 15, point 13): a case by its number,
//! the court's case number, the client or an opinion code; an institution by name or licence
//! number; an appraiser by name or practice number; a commissioning organ. Each kind of record
//! is searched only when the reader may list it, through the same scoped lists as its own page,
//! so the search never shows what the lists would not.
use super::listing::{ListParams, cell, link};
use super::view::Chrome;
use super::{OrPage, PageResult, render};
use crate::auth::{Authed, PageUser};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use sijian_domain::Action;
use sijian_domain::identifiers::ResidentId;
use sijian_domain::opinion_code::OpinionCode;
use sijian_store::ListQuery;
use sijian_store::cases::{self, CaseFilter};
use sijian_store::organs;
use sijian_store::registry::{self, AppraiserFilter, InstitutionFilter};

/// Rows shown per kind of record; the rest are one click away in the kind's own list.
const SHOWN: u32 = 5;

/// The hits of one kind of record.
pub struct Group {
    pub title: &'static str,
    pub rows: Vec<Vec<super::view::Cell>>,
    pub total: i64,
    /// "N found", in words.
    pub found: String,
    /// The kind's own list under the same search, for the rest.
    pub more: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    /// The verification page of an opinion code typed whole.
    opinion: Option<(String, String)>,
    groups: Vec<Group>,
    /// Where the public register can be searched, for readers who do not list institutions.
    directory: Option<String>,
}

fn query() -> ListQuery {
    ListQuery {
        per_page: SHOWN,
        ..Default::default()
    }
}

/// One kind's hits as a group: its rows, how many in all, and its own list under the search.
fn group<T>(
    lang: Lang,
    title: &'static str,
    base: &str,
    q: &ListQuery,
    page: sijian_store::Page<T>,
    row: impl Fn(&T) -> Vec<super::view::Cell>,
) -> Option<Group> {
    Some(Group {
        title,
        rows: page.items.iter().map(row).collect(),
        total: page.total,
        found: lang.tf("search.found", &[("n", &page.total.to_string())]),
        more: more(base, q.search().unwrap_or_default()),
    })
}

fn more(base: &str, q: &str) -> String {
    let qs = serde_urlencoded::to_string([("q", q)]).unwrap_or_default();
    format!("{base}?{qs}")
}

pub async fn page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let p = ListParams::new("/search", pairs);
    let q = p.get("q").unwrap_or_default();
    let mut groups = Vec::new();
    let mut opinion = None;
    // A search for an examined person is personal data: the operations log records that one
    // was made — an ID number typed, or a name that found someone — never what was typed.
    let mut person_searched = false;
    if !q.is_empty() {
        let lq = ListQuery {
            q: Some(q.clone()),
            ..query()
        };
        let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect();
        if let Ok(code) = OpinionCode::parse(&compact) {
            opinion = Some((code.grouped(), format!("/v/{}", code.as_str())));
        }
        groups.extend(case_hits(&s, &a, lang, &lq).await?);
        let person = person_hits(&s, &a, lang, &q).await?;
        person_searched = a.role().may(Action::ViewCases)
            && (person.is_some() || ResidentId::parse(&compact).is_ok());
        groups.extend(person);
        groups.extend(institution_hits(&s, &a, lang, &lq).await?);
        groups.extend(appraiser_hits(&s, &a, lang, &lq).await?);
        groups.extend(organ_hits(&s, &a, lang, &lq).await?);
    }
    let directory =
        (!a.role().may(Action::ViewInstitutions) && !q.is_empty()).then(|| more("/directory", &q));
    let c = Chrome::new(&a, lang, lang.t("search.title"), "/search");
    let mut res = render(&SearchPage {
        c,
        q,
        opinion,
        groups,
        directory,
    });
    if person_searched {
        res.extensions_mut().insert(crate::auth::OpDetail(
            "按被鉴定人检索（身份证号或姓名，已散列）".into(),
        ));
    }
    Ok(res)
}

async fn case_hits(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    q: &ListQuery,
) -> Result<Option<Group>, axum::response::Response> {
    if !a.role().may(Action::ViewCases) {
        return Ok(None);
    }
    let page = cases::list(&s.db, &a.scope(), &CaseFilter::default(), q)
        .await
        .or_page(lang)?;
    Ok(group(lang, lang.t("nav.cases"), "/cases", q, page, |c| {
        vec![
            match super::event_text::entity_ref(a, lang, "case", &c.id.to_string()) {
                (label, Some(href)) => link(label, href),
                (label, None) => cell(label),
            },
            cell(&c.client_name),
            cell(c.case_number.clone().unwrap_or_else(|| "—".into())),
            cell(&c.institution_name),
        ]
    }))
}

/// Cases of an examined person typed whole (a resident ID number or a full name), found through
/// the keyed hashes they are stored under, among the cases the reader may see.
async fn person_hits(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    text: &str,
) -> Result<Option<Group>, axum::response::Response> {
    let hashes = sijian_service::cases::person_hashes(s, text);
    if !a.role().may(Action::ViewCases) || hashes.is_empty() {
        return Ok(None);
    }
    let f = CaseFilter {
        person_hashes: hashes,
        ..Default::default()
    };
    let page = cases::list(&s.db, &a.scope(), &f, &query())
        .await
        .or_page(lang)?;
    if page.total == 0 {
        return Ok(None);
    }
    let found = group(
        lang,
        lang.t("search.person"),
        "/cases",
        &query(),
        page,
        |c| {
            vec![
                match super::event_text::entity_ref(a, lang, "case", &c.id.to_string()) {
                    (label, Some(href)) => link(label, href),
                    (label, None) => cell(label),
                },
                cell(&c.client_name),
                cell(&c.institution_name),
            ]
        },
    );
    // The case list cannot search by person: no "see all" beyond the rows shown.
    Ok(found.map(|g| Group {
        more: String::new(),
        ..g
    }))
}

async fn institution_hits(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    q: &ListQuery,
) -> Result<Option<Group>, axum::response::Response> {
    if !a.role().may(Action::ViewInstitutions) {
        return Ok(None);
    }
    let page = registry::list_institutions(&s.db, &a.scope(), &InstitutionFilter::default(), q)
        .await
        .or_page(lang)?;
    Ok(group(
        lang,
        lang.t("nav.institutions"),
        "/institutions",
        q,
        page,
        |i| {
            vec![
                link(&i.name, format!("/institutions/{}", i.id)),
                cell(&i.licence_no),
                cell(&i.region_name),
            ]
        },
    ))
}

async fn appraiser_hits(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    q: &ListQuery,
) -> Result<Option<Group>, axum::response::Response> {
    if !a.role().may(Action::ViewAppraisers) {
        return Ok(None);
    }
    let page = registry::list_appraisers(&s.db, &a.scope(), &AppraiserFilter::default(), q)
        .await
        .or_page(lang)?;
    Ok(group(
        lang,
        lang.t("nav.appraisers"),
        "/appraisers",
        q,
        page,
        |x| {
            vec![
                link(&x.name, format!("/appraisers/{}", x.id)),
                cell(&x.certificate_no),
                cell(&x.institution_name),
            ]
        },
    ))
}

async fn organ_hits(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    q: &ListQuery,
) -> Result<Option<Group>, axum::response::Response> {
    if !a.role().may(Action::ViewOrgans) {
        return Ok(None);
    }
    let page = organs::list(&s.db, &a.scope(), None, q)
        .await
        .or_page(lang)?;
    Ok(group(lang, lang.t("nav.organs"), "/organs", q, page, |o| {
        vec![
            link(&o.name, format!("/organs/{}", o.id)),
            cell(super::registry::organ_kind(lang, o.kind)),
            cell(&o.region_name),
        ]
    }))
}
