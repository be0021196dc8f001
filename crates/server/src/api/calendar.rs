//! The working-day calendar: tables per year, loading a year, and deadlines in working days.
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use sijian_domain::Action;
use sijian_service::calendar::*;
use utoipa::{IntoParams, ToSchema};

/// The loaded years with their sources and the years still missing.
#[utoipa::path(get, path = "/calendar", tag = "reference",
    responses((status = 200, body = CalendarOverview), (status = 401, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get_calendar(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> AppResult<Json<CalendarOverview>> {
    a.require(Action::ViewCalendar)?;
    Ok(Json(overview(&s).await?.1))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct YearDetail {
    pub year: i32,
    pub source: String,
    /// The table in the load format.
    pub text: String,
    pub holidays: Vec<String>,
    pub adjusted_workdays: Vec<String>,
}

/// One year's table, in the load format and as lists of dates.
#[utoipa::path(get, path = "/calendar/{year}", tag = "reference", params(("year" = i32, Path)),
    responses((status = 200, body = YearDetail), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get_year(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(year): ApiPath<i32>,
) -> AppResult<Json<YearDetail>> {
    a.require(Action::ViewCalendar)?;
    let cal = s.calendar.current(&s.db).await?;
    let t = cal.table(year).ok_or_else(AppError::not_found)?;
    Ok(Json(YearDetail {
        year,
        source: t.source().to_string(),
        text: t.to_string(),
        holidays: t.holidays().map(|(d, _)| d.to_string()).collect(),
        adjusted_workdays: t.workdays().map(|(d, _)| d.to_string()).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct YearInput {
    /// The year's table in the load format (`year`, `source`, `holiday`, `workday` lines).
    pub text: String,
}

/// Load or correct one year (administrators). The text must describe exactly the year in the path.
#[utoipa::path(put, path = "/calendar/{year}", tag = "reference", params(("year" = i32, Path)), request_body = YearInput,
    responses((status = 200, body = YearDetail), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn put_year(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(year): ApiPath<i32>,
    ApiJson(input): ApiJson<YearInput>,
) -> AppResult<Json<YearDetail>> {
    a.require_write(Action::ManageCalendar)?;
    load_year(&s, &a, year, &input.text).await?;
    get_year(State(s), ApiUser(a), ApiPath(year)).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineParams {
    /// The day the period starts from (not counted), `YYYY-MM-DD`.
    pub from: String,
    /// Number of working days, 0–400.
    pub working_days: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Deadline {
    pub from: String,
    pub working_days: u32,
    /// The last day of the period.
    pub deadline: String,
    /// The period counted a year whose State Council holiday table is not loaded yet: the date
    /// is provisional (statutory holidays only, no make-up working days) and may change when the
    /// table is loaded.
    pub provisional: bool,
}

/// The last day of a period of working days (the start day is not counted: 《民事诉讼法》第八十五条).
/// A period reaching into a year without a table is counted provisionally from the statutory
/// holidays (`provisional`); one reaching a year the calendar cannot count at all (before 2025 or
/// after 2099 without a table) is refused with 409 `calendar_missing`.
#[utoipa::path(get, path = "/calendar/deadline", tag = "reference", params(DeadlineParams),
    responses((status = 200, body = Deadline), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn deadline(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<DeadlineParams>,
) -> AppResult<Json<Deadline>> {
    a.require(Action::ViewCalendar)?;
    let d = compute_deadline(&s, &p.from, p.working_days).await?;
    Ok(Json(Deadline {
        from: p.from.trim().to_string(),
        working_days: p.working_days,
        deadline: d.value.to_string(),
        provisional: d.provisional,
    }))
}
