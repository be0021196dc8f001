//! Changes to the register made directly (not through a licensing application): what each role
//! may change, decided once for the pages and the API.
use crate::caller::Caller;
use crate::error::{Error, Result};
use crate::inputs::{AppraiserInput, InstitutionInput};
use crate::services::Services;
use sijian_domain::Action;
use sijian_store::registry::{self, Appraiser, Edit, Institution, InstitutionChange};

/// Changes an institution at the version the caller saw. Heads may change contact details,
/// insurance and party-organisation facts only; registration fields (name, codes, region,
/// categories, status) are for regulators (《司法鉴定机构登记管理办法》第十四条).
pub async fn update_institution(
    s: &Services,
    a: &Caller,
    id: i64,
    version: i64,
    input: &InstitutionInput,
) -> Result<Institution> {
    a.require_write(Action::EditInstitution)?;
    let scope = a.scope();
    let cur = registry::get_institution(&s.db, &scope, id).await?;
    let f = input
        .apply(Some(&cur.fields()))
        .map_err(Error::validation)?;
    let mode = if a.role().may(Action::EditInstitutionRegistration) {
        InstitutionChange::Registration
    } else {
        InstitutionChange::ContactOnly
    };
    let reason = input.reason();
    let edit = Edit {
        actor: &a.actor(),
        scope: &scope,
        id,
        version,
        reason: &reason,
    };
    Ok(registry::update_institution(&s.db, &edit, &f, mode).await?)
}

/// Changes an appraiser at the version the caller saw; registration fields only for those whose
/// role may change them (《司法鉴定人登记管理办法》).
pub async fn update_appraiser(
    s: &Services,
    a: &Caller,
    id: i64,
    version: i64,
    input: &AppraiserInput,
) -> Result<Appraiser> {
    a.require_write(Action::EditAppraiser)?;
    let scope = a.scope();
    let cur = registry::get_appraiser(&s.db, &scope, id).await?;
    let f = input
        .apply(Some(&cur.fields()), &s.keys)
        .map_err(Error::validation)?;
    let may_change_registration = a.role().may(Action::EditAppraiserRegistration);
    let reason = input.reason();
    let edit = Edit {
        actor: &a.actor(),
        scope: &scope,
        id,
        version,
        reason: &reason,
    };
    Ok(registry::update_appraiser(&s.db, &edit, &f, may_change_registration).await?)
}
