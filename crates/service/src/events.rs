//! Who may see a recorded event: the reader of any page that shows it may also fetch its proof.
use crate::{Caller, Error, Result, Services};
use sijian_domain::{Action, Scope};
use sijian_store::StoreError;
use sijian_store::events::{self, EventRow};

/// The event `id` if the caller is shown it somewhere: in the events list (a role that may view
/// events, within its scope), on a register record's history (institution staff, within their
/// institution), or on a case's timeline (whoever may open the case; the duplicate-appraisal
/// findings only for a role that may view alerts, as on the page — issue 14, point 5). Anything
/// else is answered as if the event did not exist.
pub async fn visible(s: &Services, a: &Caller, id: i64) -> Result<EventRow> {
    let role = a.role();
    if !(role.may(Action::ViewEvents) || role.is_institution_staff() || role.may(Action::ViewCases))
    {
        return Err(Error::forbidden());
    }
    if (role.may(Action::ViewEvents) || role.is_institution_staff())
        && let Some(e) = events::get(&s.db, &a.scope(), id).await?
    {
        return Ok(e);
    }
    let e = events::get(&s.db, &Scope::All, id)
        .await?
        .ok_or_else(Error::not_found)?;
    let shown_on_case = e.entity_type == "case"
        && role.may(Action::ViewCases)
        && (!e.kind.starts_with("linkage.") || role.may(Action::ViewLinkageAlerts));
    if !shown_on_case {
        return Err(Error::not_found());
    }
    let case_id: i64 = e.entity_id.parse().map_err(|_| Error::not_found())?;
    match sijian_store::cases::get(&s.db, &a.scope(), case_id).await {
        Ok(_) => Ok(e),
        Err(StoreError::NotFound) => Err(Error::not_found()),
        Err(other) => Err(other.into()),
    }
}
