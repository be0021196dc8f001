//! The public directory (名册): anyone may find institutions and appraisers and see their
//! public fields, without signing in. Never personal data beyond the register's public entries
//! (no telephone of an appraiser, no identity numbers, no birth dates). Rate-limited per address.
use crate::error::{AppResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use sijian_domain::Scope;
use sijian_service::directory::institution_with_appraisers;
use sijian_store::registry::{self, Appraiser, AppraiserFilter, Institution, InstitutionFilter};
use sijian_store::{ListQuery, Page};
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
            export: false,
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
