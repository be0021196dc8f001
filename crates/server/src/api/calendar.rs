//! The working-day calendar: tables per year, loading a year, and deadlines in working days.
use crate::auth::ApiUser;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::{AppState, missing_years, today};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use sijian_domain::Action;
use sijian_domain::calendar::{CalendarError, Date, WorkingCalendar, YearTable};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct YearSummary {
    pub year: i32,
    pub source: String,
    /// `shipped` with the release, or `loaded` by an administrator.
    pub origin: &'static str,
    pub holidays: usize,
    pub adjusted_workdays: usize,
    pub working_days: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarOverview {
    pub years: Vec<YearSummary>,
    /// Years a deadline may soon fall in that have no table (warn loudly).
    pub missing_years: Vec<i32>,
    pub warning: Option<String>,
    pub today: String,
}

pub fn missing_warning(missing: &[i32]) -> Option<String> {
    (!missing.is_empty()).then(|| {
        let years: Vec<String> = missing.iter().map(|y| format!("{y} 年")).collect();
        format!("{}的节假日安排尚未载入：落在该年的工作日期限无法计算。请系统管理员按国务院办公厅当年通知载入。", years.join("、"))
    })
}

pub async fn overview(
    s: &AppState,
) -> AppResult<(std::sync::Arc<WorkingCalendar>, CalendarOverview)> {
    let cal = s.calendar.current(&s.db).await?;
    let loaded: Vec<i64> = sijian_store::calendar::list(&s.db)
        .await?
        .into_iter()
        .map(|l| l.year)
        .collect();
    let mut years = Vec::new();
    for y in cal.years() {
        let t = cal.table(y).expect("listed year");
        let first = Date::new(y, 1, 1).expect("1 January");
        let last_of_previous = first.add_days(-1);
        let last = Date::new(y, 12, 31).expect("31 December");
        // Counting from 31 December of the year before needs only this year's table.
        let working_days = count_in_year(&cal, last_of_previous, last);
        years.push(YearSummary {
            year: y,
            source: t.source().to_string(),
            origin: if loaded.contains(&(y as i64)) {
                "loaded"
            } else {
                "shipped"
            },
            holidays: t.holidays().count(),
            adjusted_workdays: t.workdays().count(),
            working_days,
        });
    }
    let today = today();
    let missing = missing_years(&cal, today);
    let warning = missing_warning(&missing);
    Ok((
        cal,
        CalendarOverview {
            years,
            missing_years: missing,
            warning,
            today: today.to_string(),
        },
    ))
}

fn count_in_year(cal: &WorkingCalendar, from: Date, to: Date) -> u32 {
    let mut n = 0;
    let mut d = from.add_days(1);
    while d <= to {
        if cal.is_working_day(d).unwrap_or(false) {
            n += 1;
        }
        d = d.add_days(1);
    }
    n
}

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

/// Validates and stores one year's table; shared by the page and the API.
pub async fn load_year(
    s: &AppState,
    a: &crate::auth::Authed,
    year: i32,
    text: &str,
) -> AppResult<YearTable> {
    let table = YearTable::parse(text).map_err(|e| AppError::field("text", e.to_string()))?;
    if table.year() != year {
        return Err(AppError::field(
            "text",
            format!("表中的年份 {} 与所载入的年份 {year} 不一致", table.year()),
        ));
    }
    sijian_store::calendar::put(
        &s.db,
        &a.actor(),
        year as i64,
        table.source(),
        &table.to_string(),
    )
    .await?;
    s.calendar.invalidate();
    tracing::info!(year, by = %a.user.username, "calendar year loaded");
    Ok(table)
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
}

/// The last day of a period of working days (the start day is not counted: 《民事诉讼法》第八十五条).
/// A period reaching into a year without a table is refused with 409 `calendar_missing`.
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
        deadline: d.to_string(),
    }))
}

pub async fn compute_deadline(s: &AppState, from: &str, n: u32) -> AppResult<Date> {
    let start = Date::parse(from.trim()).map_err(|e| AppError::field("from", e.to_string()))?;
    if n > 400 {
        return Err(AppError::field("working_days", "工作日数须在 0–400 之间"));
    }
    let cal = s.calendar.current(&s.db).await?;
    cal.add_working_days(start, n).map_err(|e| match e {
        CalendarError::NoTable { year } => {
            tracing::warn!(year, from = %start, n, "deadline falls in a year without a holiday table");
            AppError::new(StatusCode::CONFLICT, "calendar_missing", e.to_string())
        }
        other => AppError::bad_request(other.to_string()),
    })
}
