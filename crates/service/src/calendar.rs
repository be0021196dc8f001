//! The working-day calendar: which years are loaded, loading a year, and deadlines counted in
//! working days.
use crate::caller::Caller;
use crate::error::{Error, ErrorKind, Result};
use crate::services::{Services, missing_years, today};
use serde::Serialize;
use sijian_domain::calendar::{CalendarError, Date, Reckoned, WorkingCalendar, YearTable};
use utoipa::ToSchema;

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
        format!("{}的节假日安排尚未载入：落在该年的工作日期限暂按《全国年节及纪念日放假办法》规定的节日推算（不含调休），标为“暂定”。请系统管理员按国务院办公厅当年通知载入，载入后自动重算。", years.join("、"))
    })
}

pub async fn overview(s: &Services) -> Result<(std::sync::Arc<WorkingCalendar>, CalendarOverview)> {
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

pub fn count_in_year(cal: &WorkingCalendar, from: Date, to: Date) -> u32 {
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

/// Validates and stores one year's table; shared by the page and the API.
pub async fn load_year(s: &Services, a: &Caller, year: i32, text: &str) -> Result<YearTable> {
    let table = YearTable::parse(text).map_err(|e| Error::field("text", e.to_string()))?;
    if table.year() != year {
        return Err(Error::field(
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
    recompute_deadlines(s).await;
    Ok(table)
}

/// Recomputes at once the deadlines the new table may change (those computed provisionally or
/// not at all); the sweeper would do it on its next run anyway, so a failure is only logged.
async fn recompute_deadlines(s: &Services) {
    let cal = match s.calendar.current(&s.db).await {
        Ok(cal) => cal,
        Err(e) => {
            tracing::warn!(error = %e, "deadlines not recomputed after a calendar load");
            return;
        }
    };
    let cfg = s.cfg.clone();
    match sijian_store::cases::sweep(&s.db, today(), &cal, |p| cfg.procedure.for_path(p)).await {
        Ok(r) => tracing::info!(
            refreshed = r.refreshed,
            raised = r.raised,
            cleared = r.cleared,
            "deadlines recomputed after a calendar load"
        ),
        Err(e) => tracing::warn!(error = %e, "deadlines not recomputed after a calendar load"),
    }
}

/// The `n`-th working day after `from`; provisional when it counted a year whose table is not
/// loaded (see `sijian_domain::calendar`).
pub async fn compute_deadline(s: &Services, from: &str, n: u32) -> Result<Reckoned<Date>> {
    let start = Date::parse(from.trim()).map_err(|e| Error::field("from", e.to_string()))?;
    if n > 400 {
        return Err(Error::field("working_days", "工作日数须在 0–400 之间"));
    }
    let cal = s.calendar.current(&s.db).await?;
    cal.reckon_add_working_days(start, n).map_err(|e| match e {
        CalendarError::NoTable { year } => {
            tracing::warn!(year, from = %start, n, "deadline falls in a year without a holiday table");
            Error::new(ErrorKind::Conflict, "calendar_missing", e.to_string())
        }
        other => Error::bad_request(other.to_string()),
    })
}
