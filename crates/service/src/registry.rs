//! Changes to the register made directly (not through a licensing application): who may register
//! a record and which fields each role may change, decided once for the pages and the API by the
//! domain's rule (`sijian_domain::register`: the licensing authority only, naming its basis;
//! 《全国人民代表大会常务委员会关于司法鉴定管理问题的决定》第六条).
use crate::caller::Caller;
use crate::error::{Error, Result};
use crate::inputs::{AppraiserInput, InstitutionInput};
use crate::services::Services;
use sijian_domain::register::{self as rule, Refusal, Register};
use sijian_domain::{Action, FieldError};
use sijian_store::Scope;
use sijian_store::registry::{self, Appraiser, Edit, Institution, InstitutionChange};

/// A refusal of the register rule as the service's error: 403 naming the rule, or 422 on the
/// basis field.
fn refused(r: Refusal) -> Error {
    match r {
        Refusal::NotAuthority { fields } => {
            let mut e = Error::forbidden_because(rule::NOT_AUTHORITY);
            e.fields = fields
                .into_iter()
                .map(|field| FieldError {
                    field,
                    message: rule::FIELD_NOT_AUTHORITY.into(),
                })
                .collect();
            e
        }
        Refusal::BasisMissing => Error::field(rule::BASIS_FIELD, rule::BASIS_MISSING),
    }
}

/// The fields whose values differ between two records' JSON forms.
fn changed_fields(before: &serde_json::Value, after: &serde_json::Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    after
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}

/// Checks a direct registration: the caller may write, is the licensing authority (403 naming
/// the rule before anything is read) and gives a basis (reported with the input's other
/// problems).
fn check_create<T>(a: &Caller, basis: &str, fields: Result<T, Vec<FieldError>>) -> Result<T> {
    a.require_writable()?;
    let basis_problem = match rule::may_create(a.role(), basis) {
        Ok(()) => None,
        Err(r @ Refusal::NotAuthority { .. }) => return Err(refused(r)),
        Err(Refusal::BasisMissing) => Some(FieldError {
            field: rule::BASIS_FIELD.into(),
            message: rule::BASIS_MISSING.into(),
        }),
    };
    match (fields, basis_problem) {
        (Ok(f), None) => Ok(f),
        (Ok(_), Some(p)) => Err(Error::validation(vec![p])),
        (Err(mut problems), p) => {
            problems.extend(p);
            Err(Error::validation(problems))
        }
    }
}

/// Registers an institution directly (the licensing authority, within its region, naming the
/// basis). Others register institutions through a licensing application.
pub async fn create_institution(
    s: &Services,
    a: &Caller,
    input: &InstitutionInput,
) -> Result<Institution> {
    let basis = input.reason();
    let f = check_create(a, &basis, input.apply(None))?;
    Ok(registry::create_institution(&s.db, &a.actor(), &a.scope(), &f, &basis).await?)
}

/// Registers an appraiser directly (the licensing authority, naming the basis). Institution
/// staff register appraisers through a licensing application (执业登记申请).
pub async fn create_appraiser(
    s: &Services,
    a: &Caller,
    input: &AppraiserInput,
) -> Result<Appraiser> {
    let mut input = input.clone();
    if let Scope::Institution(own) = a.scope() {
        input.institution_id.get_or_insert(own);
    }
    let basis = input.reason();
    let f = check_create(a, &basis, input.apply(None, &s.keys))?;
    Ok(registry::create_appraiser(&s.db, &a.actor(), &a.scope(), &f, &basis).await?)
}

/// Changes an institution at the version the caller saw. Heads and city or county regulators
/// may change contact details, insurance and party-organisation facts only; registration fields
/// (name, codes, region, categories, status) are for the licensing authority, with a basis.
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
    let before = cur.fields();
    let f = input.apply(Some(&before)).map_err(Error::validation)?;
    let reason = input.reason();
    let changed = changed_fields(
        &serde_json::to_value(&before).unwrap_or_default(),
        &serde_json::to_value(&f).unwrap_or_default(),
    );
    let changed: Vec<&str> = changed.iter().map(String::as_str).collect();
    rule::may_change(a.role(), Register::Institution, &changed, &reason).map_err(refused)?;
    let mode = if a.role().may(Action::EditInstitutionRegistration) {
        InstitutionChange::Registration
    } else {
        InstitutionChange::ContactOnly
    };
    let edit = Edit {
        actor: &a.actor(),
        scope: &scope,
        id,
        version,
        reason: &reason,
    };
    Ok(registry::update_institution(&s.db, &edit, &f, mode).await?)
}

/// Changes an appraiser at the version the caller saw; registration fields (name, ID number,
/// certificate, items, institution, status) only by the licensing authority, with a basis.
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
    let before = cur.fields();
    let f = input
        .apply(Some(&before), &s.keys)
        .map_err(Error::validation)?;
    let reason = input.reason();
    let changed = changed_fields(&before.for_record(), &f.for_record());
    let changed: Vec<&str> = changed.iter().map(String::as_str).collect();
    rule::may_change(a.role(), Register::Appraiser, &changed, &reason).map_err(refused)?;
    let may_change_registration = a.role().may(Action::EditAppraiserRegistration);
    let edit = Edit {
        actor: &a.actor(),
        scope: &scope,
        id,
        version,
        reason: &reason,
    };
    Ok(registry::update_appraiser(&s.db, &edit, &f, may_change_registration).await?)
}
