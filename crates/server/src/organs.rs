//! Creating and changing commissioning organs, for the pages and the API alike: the input's
//! values checked, and a change applied over the stored fields.
use crate::auth::Authed;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use sijian_service::inputs::OrganInput;
use sijian_store::organs::{self, Organ, OrganFields};

/// A new organ in the caller's scope.
pub async fn create(s: &AppState, a: &Authed, input: &OrganInput) -> AppResult<Organ> {
    let fields = input.apply(None).map_err(AppError::validation)?;
    Ok(organs::create(&s.db, &a.actor(), &a.scope(), &fields).await?)
}

/// The organ `id` in the caller's scope with the input's changes, at the version the caller read.
pub async fn update(
    s: &AppState,
    a: &Authed,
    id: i64,
    version: i64,
    input: &OrganInput,
) -> AppResult<Organ> {
    let scope = a.scope();
    let cur = organs::get(&s.db, &scope, id).await?;
    let stored = OrganFields {
        name: cur.name,
        kind: cur.kind.as_str().to_string(),
        region_code: cur.region_code,
        address: cur.address,
        phone: cur.phone,
    };
    let fields = input.apply(Some(&stored)).map_err(AppError::validation)?;
    Ok(organs::update(&s.db, &a.actor(), &scope, id, version, &fields).await?)
}
