//! The public directory (名册): what anyone may read of the register without signing in.
use crate::Services;
use crate::error::Result;
use sijian_domain::Scope;
use sijian_domain::elicence::LicenceKind;
use sijian_store::ListQuery;
use sijian_store::registry::{self, Appraiser, AppraiserFilter, Institution};

/// One institution and its appraisers (at most 200), in any region.
pub async fn institution_with_appraisers(
    s: &Services,
    id: i64,
) -> Result<(Institution, Vec<Appraiser>)> {
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

/// The verification page of a holder's electronic licence.
pub fn licence_url(s: &Services, kind: LicenceKind, id: i64) -> String {
    s.licences
        .id_for(kind, id)
        .map(|l| format!("/l/{}", l.as_str()))
        .unwrap_or_default()
}

/// Provinces and prefectures, for the directory's region filter.
pub async fn public_regions(s: &Services) -> Vec<(String, String)> {
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
