//! The public directory (名册): anyone may find institutions and appraisers and see their
//! public fields, without signing in. Never personal data beyond the register's public entries
//! (no telephone of an appraiser, no identity numbers, no birth dates). Rate-limited per address.
use crate::auth::Ctx;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::i18n::Lang;
use crate::state::AppState;
use crate::web::listing::{ListParams, badge, cell, link};
use crate::web::registry::{
    accreditation_text, category_labels, category_options, inst_status, institution_row,
    item_options, qualification_label, scope_labels,
};
use crate::web::view::ListView;
use crate::web::{OrPage, PageResult, render};
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sijian_domain::elicence::LicenceKind;
use sijian_domain::{AppraiserStatus, InstitutionStatus, Scope};
use sijian_store::registry::{self, Appraiser, AppraiserFilter, Institution, InstitutionFilter};
use sijian_store::{ListQuery, Page};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicInstitution {
    pub id: i64,
    pub name: String,
    pub uscc: Option<String>,
    pub licence_no: String,
    pub region_code: String,
    pub region_name: String,
    /// Category digits, comma-separated (1 法医 2 物证 3 声像资料 4 环境损害).
    pub categories: String,
    /// Business scope: classification codes, comma-separated.
    pub scope: String,
    pub registering_authority: String,
    pub licence_valid_to: Option<String>,
    /// national | provincial | ordinary
    pub qualification_level: String,
    #[schema(value_type = Vec<crate::api::schema::institutions::Accreditation>)]
    pub accreditations: Vec<registry::Accreditation>,
    pub address: String,
    pub phone: String,
    /// normal | suspended | cancelled | revoked
    pub status: String,
    pub appraiser_count: i64,
}

impl From<&Institution> for PublicInstitution {
    fn from(i: &Institution) -> Self {
        PublicInstitution {
            id: i.id,
            name: i.name.clone(),
            uscc: i.uscc.clone(),
            licence_no: i.licence_no.clone(),
            region_code: i.region_code.clone(),
            region_name: i.region_name.clone(),
            categories: i.categories.clone(),
            scope: i.scope.clone(),
            registering_authority: i.registering_authority.clone(),
            licence_valid_to: i.licence_valid_to.map(|d| d.to_string()),
            qualification_level: i.qualification_level.clone(),
            accreditations: i.accreditations.0.clone(),
            address: i.address.clone(),
            phone: i.phone.clone(),
            status: i.status.clone(),
            appraiser_count: i.appraiser_count,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicAppraiser {
    pub id: i64,
    pub name: String,
    pub certificate_no: String,
    pub institution_id: i64,
    pub institution_name: String,
    pub categories: String,
    /// Practice items: classification codes, comma-separated.
    pub scope: String,
    pub title: String,
    pub senior_title: bool,
    /// active | suspended | cancelled | revoked
    pub status: String,
}

impl From<&Appraiser> for PublicAppraiser {
    fn from(a: &Appraiser) -> Self {
        PublicAppraiser {
            id: a.id,
            name: a.name.clone(),
            certificate_no: a.certificate_no.clone(),
            institution_id: a.institution_id,
            institution_name: a.institution_name.clone(),
            categories: a.categories.clone(),
            scope: a.scope.clone(),
            title: a.title.clone(),
            senior_title: a.senior_title,
            status: a.status.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryParams {
    /// Name, licence or certificate number.
    pub q: Option<String>,
    /// Region code: this region and below.
    pub region: Option<String>,
    /// Category digit 1–4.
    pub category: Option<String>,
    /// Classification code (sub-category or item), e.g. `1.02` or `1.02.01`.
    pub item: Option<String>,
    pub status: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl DirectoryParams {
    fn query(&self) -> ListQuery {
        ListQuery {
            q: self.q.clone(),
            sort: None,
            desc: false,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(20),
        }
    }
}

/// Search the register of institutions (public).
#[utoipa::path(get, path = "/public/institutions", tag = "directory", params(DirectoryParams),
    responses((status = 200, body = crate::api::schema::list::Page<PublicInstitution>), (status = 429, body = ErrorBody)))]
pub async fn institutions(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<DirectoryParams>,
) -> AppResult<Json<Page<PublicInstitution>>> {
    let f = InstitutionFilter {
        status: nonempty(&p.status),
        category: nonempty(&p.category),
        item: nonempty(&p.item),
        region_code: nonempty(&p.region),
        qualification_level: None,
    };
    let page = registry::list_institutions(&s.db, &Scope::All, &f, &p.query()).await?;
    Ok(Json(Page {
        items: page.items.iter().map(PublicInstitution::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        total_capped: page.total_capped,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicInstitutionDetail {
    pub institution: PublicInstitution,
    pub appraisers: Vec<PublicAppraiser>,
}

/// One institution with its appraisers (public).
#[utoipa::path(get, path = "/public/institutions/{id}", tag = "directory", params(("id" = i64, Path)),
    responses((status = 200, body = PublicInstitutionDetail), (status = 404, body = ErrorBody)))]
pub async fn institution(
    State(s): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<PublicInstitutionDetail>> {
    let (i, apps) = institution_with_appraisers(&s, id).await?;
    Ok(Json(PublicInstitutionDetail {
        institution: (&i).into(),
        appraisers: apps.iter().map(PublicAppraiser::from).collect(),
    }))
}

async fn institution_with_appraisers(
    s: &AppState,
    id: i64,
) -> AppResult<(Institution, Vec<Appraiser>)> {
    let i = registry::get_institution(&s.db, &Scope::All, id).await?;
    let f = AppraiserFilter {
        institution_id: Some(id),
        ..Default::default()
    };
    let apps = registry::list_appraisers(
        &s.db,
        &Scope::All,
        &f,
        &ListQuery {
            per_page: 200,
            ..Default::default()
        },
    )
    .await?;
    Ok((i, apps.items))
}

/// Search the register of appraisers (public).
#[utoipa::path(get, path = "/public/appraisers", tag = "directory", params(DirectoryParams),
    responses((status = 200, body = crate::api::schema::list::Page<PublicAppraiser>), (status = 429, body = ErrorBody)))]
pub async fn appraisers(
    State(s): State<AppState>,
    ApiQuery(p): ApiQuery<DirectoryParams>,
) -> AppResult<Json<Page<PublicAppraiser>>> {
    let f = AppraiserFilter {
        status: nonempty(&p.status),
        category: nonempty(&p.category),
        item: nonempty(&p.item),
        region_code: nonempty(&p.region),
        ..Default::default()
    };
    let page = registry::list_appraisers(&s.db, &Scope::All, &f, &p.query()).await?;
    Ok(Json(Page {
        items: page.items.iter().map(PublicAppraiser::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        total_capped: page.total_capped,
    }))
}

// ---------------------------------------------------------------------------------------------
// Pages

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

/// The verification page of a holder's electronic licence.
fn licence_url(s: &AppState, kind: LicenceKind, id: i64) -> String {
    s.licences
        .id_for(kind, id)
        .map(|l| format!("/l/{}", l.as_str()))
        .unwrap_or_default()
}

/// Provinces and prefectures, for the directory's region filter.
async fn public_regions(s: &AppState) -> Vec<(String, String)> {
    s.regions
        .current(&s.db)
        .await
        .map(|all| {
            all.iter()
                .filter(|r| r.level != "county")
                .map(|r| (r.code.clone(), r.name.clone()))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn directory_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let lang = ctx.lang;
    let p = ListParams::new("/directory", q);
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
    let regions = public_regions(&s).await;
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
        p.text_filter("q", lang.t("directory.search")),
        p.select_filter("region", lang.t("field.region"), regions),
        p.select_filter(
            "category",
            lang.t("field.categories"),
            category_options(lang),
        ),
        p.select_filter("item", lang.t("field.item"), item_options()),
        p.select_filter("status", lang.t("field.status"), statuses),
    ];
    let cols = [
        "field.name",
        "field.licence_no",
        "field.region",
        "field.categories",
        "field.appraiser_count",
        "field.status",
    ]
    .iter()
    .map(|k| p.column(lang.t(k), ""))
    .collect();
    let v = p.view(
        lang,
        lang.t("directory.institutions").into(),
        None,
        filters,
        cols,
        &page,
        |i| institution_row(lang, i, format!("/directory/institutions/{}", i.id)),
    );
    Ok(render(&DirectoryListPage {
        lang,
        title: lang.t("directory.institutions").into(),
        here: "institutions",
        v,
    }))
}

pub async fn directory_appraisers_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let lang = ctx.lang;
    let p = ListParams::new("/directory/appraisers", q);
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
        p.text_filter("q", lang.t("directory.search")),
        p.select_filter("region", lang.t("field.region"), public_regions(&s).await),
        p.select_filter(
            "category",
            lang.t("field.categories"),
            category_options(lang),
        ),
        p.select_filter("item", lang.t("field.item"), item_options()),
        p.select_filter("status", lang.t("field.status"), statuses),
    ];
    let cols = [
        "field.person_name",
        "field.certificate_no",
        "field.institution",
        "field.categories",
        "field.title",
        "field.status",
    ]
    .iter()
    .map(|k| p.column(lang.t(k), ""))
    .collect();
    let v = p.view(
        lang,
        lang.t("directory.appraisers").into(),
        None,
        filters,
        cols,
        &page,
        |a| {
            let st = AppraiserStatus::parse(&a.status);
            vec![
                cell(lang.t("field.person_name"), &a.name),
                cell(lang.t("field.certificate_no"), &a.certificate_no),
                link(
                    lang.t("field.institution"),
                    &a.institution_name,
                    format!("/directory/institutions/{}", a.institution_id),
                ),
                cell(
                    lang.t("field.categories"),
                    category_labels(lang, &a.categories),
                ),
                cell(lang.t("field.title"), &a.title),
                badge(
                    lang.t("field.status"),
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
        },
    );
    Ok(render(&DirectoryListPage {
        lang,
        title: lang.t("directory.appraisers").into(),
        here: "appraisers",
        v,
    }))
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
        (t("field.scope"), scope_labels(&i.scope)),
        (
            t("field.qualification_level"),
            qualification_label(&i.qualification_level),
        ),
        (
            t("field.accreditations"),
            accreditation_text(&i.accreditations.0),
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
            categories: scope_labels(&a.scope),
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

// ---------------------------------------------------------------------------------------------
// Rate limit

/// A token bucket per client address, per node (public reads only; sign-in throttling is kept
/// in the database across nodes). `rate` tokens a second, up to `burst`.
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(rate: f64, burst: f64) -> Self {
        RateLimiter {
            rate,
            burst,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn allow(&self, key: &str) -> bool {
        let Ok(mut b) = self.buckets.lock() else {
            return true;
        };
        let now = Instant::now();
        if b.len() > 100_000 {
            // Forget addresses idle long enough to have refilled.
            let full = self.burst / self.rate;
            b.retain(|_, (_, at)| now.duration_since(*at).as_secs_f64() < full);
        }
        let (tokens, at) = b.entry(key.to_string()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Applies the public rate limit to the directory pages and `/api/v1/public/…`.
pub async fn limit(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !(path.starts_with("/directory")
        || path.starts_with("/api/v1/public/")
        || path.starts_with("/api/v1/ledger/proof/")
        || path.starts_with("/api/v1/opinions/")
        || path.starts_with("/v/")
        || path.starts_with("/l/")
        || path.starts_with("/api/v1/licences/")
        || path.starts_with("/api/v1/verification/"))
    {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<Ctx>()
        .map(|c| c.ip.clone())
        .unwrap_or_default();
    if !s.public_limiter.allow(&ip) {
        let e = AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "请求过于频繁，请稍后再试",
        );
        return if req.uri().path().starts_with("/api/") {
            e.into_response()
        } else {
            crate::web::page_error(e, Lang::Zh)
        };
    }
    next.run(req).await
}
