//! Working days of the mainland calendar, for the deadlines of 《司法鉴定程序通则》
//! (司法部令第132号): accept or refuse within 7 working days (Art 13), complete within 30
//! working days of the commission contract taking effect (Art 28), and similar clocks.
//!
//! A working day is a Monday to Friday (《国务院关于职工工作时间的规定》第七条: Saturday and
//! Sunday are the weekly rest days) unless the State Council's notice for that year makes it a
//! holiday, and a Saturday or Sunday is a rest day unless the same notice makes it an adjusted
//! working day (调休上班). The notices are published yearly and cannot be derived by rule, so
//! each year is a table loaded from text; a year without a table is an error
//! ([`CalendarError::NoTable`]), never a silent fall-back to weekday arithmetic.
//!
//! # Provisional years
//!
//! The State Council publishes next year's notice only in November or December, so deadlines
//! running into that year would have no date for weeks. The `reckon_*` methods answer for a
//! year without a table from the statutory holidays of 《全国年节及纪念日放假办法》 (module
//! [`statutory`]: weekends and the statutory days off are rest days, and there is no worked
//! weekend day) and say so: every answer is a [`Reckoned`] value whose `provisional` flag is set
//! when a year without a table was counted. Loading the year's table makes the same question
//! exact. The strict methods (`is_working_day`, `add_working_days`, `working_days_between`)
//! keep failing for such a year.
//!
//! # Table format
//!
//! UTF-8 text, one statement per line. Blank lines and lines starting with `#` are ignored.
//! Each year starts with `year` and holds the statements up to the next `year`; one text may
//! hold several years (the shipped `data/holidays.txt` holds 2025 and 2026), and an
//! administrator loads or corrects a year by uploading a text with that year alone.
//!
//! ```text
//! # comments
//! year 2026
//! source 国务院办公厅关于2026年部分节假日安排的通知（2025-11-04）
//! holiday 2026-01-01..2026-01-03 元旦
//! workday 2026-01-04 元旦调休上班
//! ```
//!
//! - `year YYYY` opens the table of that calendar year; a year may appear only once.
//! - `source TEXT` (exactly one per year, not empty) names the notice the table copies, so
//!   every deadline can be traced to its legal basis.
//! - `holiday DATE [NAME]` or `holiday FROM..TO [NAME]` (inclusive range): days off. Days off
//!   that fall on a weekend may be listed too; they change nothing.
//! - `workday DATE [NAME]` or `workday FROM..TO [NAME]`: Saturdays or Sundays that are worked.
//!   Listing a Monday to Friday is refused: it would be a working day anyway, so it is a typo.
//!
//! Dates are `YYYY-MM-DD` and must lie in the declared year; a notice whose arrangement reaches
//! into the neighbouring year lists those days under that year's `year` section. A date may
//! not be listed twice, nor be both a holiday and a workday, and a year with no holiday at all
//! is refused (every year has at least 元旦). Errors name the line, in Chinese, for the
//! administrator.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

pub mod statutory;

/// The tables shipped with the platform (2025 and 2026, see `data/holidays.txt`).
const SHIPPED: &str = include_str!("../data/holidays.txt");

// ---------------------------------------------------------------------------------------------
// Date
// ---------------------------------------------------------------------------------------------

/// A proleptic Gregorian calendar date in the years 0001–9999 (the range `YYYY-MM-DD` can
/// write). Ordered chronologically; serialised as the `YYYY-MM-DD` string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    // Field order gives the chronological derived ordering.
    year: i32,
    month: u8,
    day: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("日期应为 YYYY-MM-DD 格式，如 2026-01-04")]
    Shape,
    #[error("年份应在 0001–9999 之间")]
    Year,
    #[error("月份应在 01–12 之间")]
    Month,
    #[error("该月没有这一日")]
    Day,
}

const MIN_YEAR: i32 = 1;
const MAX_YEAR: i32 = 9999;

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Chinese name of an ISO weekday (1 = Monday … 7 = Sunday), for messages.
fn weekday_zh(weekday: u8) -> &'static str {
    match weekday {
        1 => "周一",
        2 => "周二",
        3 => "周三",
        4 => "周四",
        5 => "周五",
        6 => "周六",
        _ => "周日",
    }
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Result<Self, DateError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(DateError::Year);
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::Month);
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::Day);
        }
        Ok(Date { year, month, day })
    }

    /// Strict `YYYY-MM-DD`: exactly ten characters, zero-padded, a real calendar date.
    pub fn parse(s: &str) -> Result<Self, DateError> {
        let b = s.as_bytes();
        let digits_at = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_digit);
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(DateError::Shape);
        }
        if !digits_at(0..4) || !digits_at(5..7) || !digits_at(8..10) {
            return Err(DateError::Shape);
        }
        let num = |range: std::ops::Range<usize>| {
            b[range]
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
        };
        // At most four digits each, so the conversions cannot fail.
        let year = i32::try_from(num(0..4)).map_err(|_| DateError::Year)?;
        let month = u8::try_from(num(5..7)).map_err(|_| DateError::Month)?;
        let day = u8::try_from(num(8..10)).map_err(|_| DateError::Day)?;
        Date::new(year, month, day)
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before), by the days-from-civil algorithm
    /// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
    pub fn to_days(self) -> i64 {
        let (m, d) = (i64::from(self.month), i64::from(self.day));
        // Years start in March so that the leap day is the last day of the year.
        let y = i64::from(self.year) - i64::from(m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The inverse of [`Date::to_days`] (civil-from-days); `None` outside 0001–9999.
    pub fn from_days(days: i64) -> Option<Self> {
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let year = i32::try_from(year).ok()?;
        Date::new(year, u8::try_from(month).ok()?, u8::try_from(day).ok()?).ok()
    }

    /// ISO weekday: Monday = 1 … Sunday = 7.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday (4).
        let w = (self.to_days() + 3).rem_euclid(7) + 1;
        u8::try_from(w).unwrap_or(7)
    }

    /// Saturday or Sunday: the weekly rest days (《国务院关于职工工作时间的规定》第七条).
    pub fn is_weekend(self) -> bool {
        self.weekday() >= 6
    }

    /// `None` when the result would leave 0001–9999.
    pub fn checked_add_days(self, days: i64) -> Option<Self> {
        Date::from_days(self.to_days().checked_add(days)?)
    }

    /// # Panics
    /// When the result leaves the years 0001–9999; use [`Date::checked_add_days`] where the
    /// offset is not known to be small.
    pub fn add_days(self, days: i64) -> Self {
        self.checked_add_days(days)
            .expect("date arithmetic left the years 0001–9999")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

impl TryFrom<String> for Date {
    type Error = DateError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Date::parse(&s)
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "{year} 年的节假日安排尚未载入，无法按工作日计算期限（请管理员载入国务院办公厅当年通知）"
    )]
    NoTable { year: i32 },
    #[error("节假日安排第 {line} 行：{problem}")]
    Line { line: usize, problem: LineProblem },
    #[error("节假日安排为空：没有任何 year 行")]
    Empty,
    #[error("应只包含一个年份的节假日安排，实际包含 {found} 个")]
    NotOneYear { found: usize },
}

/// What is wrong with one line of a table text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineProblem {
    #[error("无法识别的关键字「{0}」（应为 year、source、holiday 或 workday）")]
    UnknownKeyword(String),
    #[error("{0} 行之前缺少 year 行")]
    BeforeYear(&'static str),
    #[error("年份「{0}」无效（应为四位数字，如 2026）")]
    BadYear(String),
    #[error("{0} 年重复出现（每年只能有一个 year 段）")]
    DuplicateYear(i32),
    #[error("缺少来源：source 行应写明国务院办公厅通知的名称、文号或发布日期")]
    EmptySource,
    #[error("source 行重复（每年只能有一个来源）")]
    DuplicateSource,
    #[error("{0} 年没有任何 holiday 行（空表会把每个周一至周五都算作工作日）")]
    NoHolidays(i32),
    #[error("{0} 行缺少日期")]
    MissingDate(&'static str),
    #[error("日期「{text}」无效：{error}")]
    BadDate { text: String, error: DateError },
    #[error("日期范围 {from}..{to} 的起点晚于终点")]
    ReversedRange { from: Date, to: Date },
    #[error("日期 {date} 不在 {year} 年内（每个日期写在所属年份的 year 段中）")]
    OutsideYear { date: Date, year: i32 },
    #[error("{0} 重复列出")]
    DuplicateDate(Date),
    #[error("{0} 同时被列为放假日和调休上班日")]
    HolidayAndWorkday(Date),
    #[error(
        "{date} 是{}，本来就是工作日；workday 只用于调休上班的周六、周日",
        weekday_zh(*weekday)
    )]
    WorkdayNotWeekend { date: Date, weekday: u8 },
}

fn line_error(line: usize, problem: LineProblem) -> CalendarError {
    CalendarError::Line { line, problem }
}

// ---------------------------------------------------------------------------------------------
// One year's table
// ---------------------------------------------------------------------------------------------

/// One year of the State Council's holiday arrangement. Only built by parsing, so every
/// instance has passed the validation described in the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearTable {
    year: i32,
    source: String,
    /// Day off → name of the festival.
    holidays: BTreeMap<Date, String>,
    /// Worked Saturday or Sunday → note.
    workdays: BTreeMap<Date, String>,
}

impl YearTable {
    /// Parses a text holding exactly one year, as an administrator uploads it.
    pub fn parse(text: &str) -> Result<Self, CalendarError> {
        let mut tables = parse_tables(text)?;
        match tables.len() {
            1 => Ok(tables.remove(0)),
            found => Err(CalendarError::NotOneYear { found }),
        }
    }

    /// The provisional table of a year in [`statutory::YEARS`]: the statutory days off of
    /// 《全国年节及纪念日放假办法》 and no worked weekend day.
    pub fn statutory(year: i32) -> Option<Self> {
        let holidays = statutory::holidays(year)?.into_iter().collect();
        Some(YearTable {
            year,
            source: statutory::SOURCE.to_string(),
            holidays,
            workdays: BTreeMap::new(),
        })
    }

    pub fn year(&self) -> i32 {
        self.year
    }
    pub fn source(&self) -> &str {
        &self.source
    }
    pub fn holidays(&self) -> impl Iterator<Item = (Date, &str)> {
        self.holidays.iter().map(|(d, n)| (*d, n.as_str()))
    }
    pub fn workdays(&self) -> impl Iterator<Item = (Date, &str)> {
        self.workdays.iter().map(|(d, n)| (*d, n.as_str()))
    }

    /// The caller guarantees `date` lies in this table's year.
    fn is_working_day(&self, date: Date) -> bool {
        if self.holidays.contains_key(&date) {
            false
        } else if self.workdays.contains_key(&date) {
            true
        } else {
            !date.is_weekend()
        }
    }
}

/// Writes the table back in the upload format, consecutive days with the same kind and name
/// merged into one range, so an administrator can download, correct and re-upload a year.
impl fmt::Display for YearTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "year {:04}", self.year)?;
        writeln!(f, "source {}", self.source)?;
        let mut entries: Vec<(Date, &str, &str)> = self
            .holidays
            .iter()
            .map(|(d, n)| (*d, "holiday", n.as_str()))
            .chain(
                self.workdays
                    .iter()
                    .map(|(d, n)| (*d, "workday", n.as_str())),
            )
            .collect();
        entries.sort();
        let mut i = 0;
        while i < entries.len() {
            let (from, kind, name) = entries[i];
            let mut to = from;
            while let Some(&(next, k, n)) = entries.get(i + 1) {
                if k != kind || n != name || next.to_days() != to.to_days() + 1 {
                    break;
                }
                to = next;
                i += 1;
            }
            write!(f, "{kind} {from}")?;
            if to != from {
                write!(f, "..{to}")?;
            }
            if name.is_empty() {
                writeln!(f)?;
            } else {
                writeln!(f, " {name}")?;
            }
            i += 1;
        }
        Ok(())
    }
}

/// A year being read, with the line of its `year` statement for errors found at its end.
struct Section {
    line: usize,
    table: YearTable,
    has_source: bool,
}

impl Section {
    fn finish(self) -> Result<YearTable, CalendarError> {
        if !self.has_source {
            return Err(line_error(self.line, LineProblem::EmptySource));
        }
        if self.table.holidays.is_empty() {
            return Err(line_error(
                self.line,
                LineProblem::NoHolidays(self.table.year),
            ));
        }
        Ok(self.table)
    }
}

fn parse_year(text: &str) -> Option<i32> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse()
        .ok()
        .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
}

fn parse_date(text: &str) -> Result<Date, LineProblem> {
    Date::parse(text).map_err(|error| LineProblem::BadDate {
        text: text.to_string(),
        error,
    })
}

/// Reads the dates of a `holiday` or `workday` line into its section.
fn parse_entry(section: &mut Section, kind: &'static str, rest: &str) -> Result<(), LineProblem> {
    let (dates, name) = rest
        .split_once(char::is_whitespace)
        .map_or((rest, ""), |(d, n)| (d, n.trim()));
    if dates.is_empty() {
        return Err(LineProblem::MissingDate(kind));
    }
    let (from, to) = match dates.split_once("..") {
        Some((a, b)) => (parse_date(a)?, parse_date(b)?),
        None => {
            let d = parse_date(dates)?;
            (d, d)
        }
    };
    let year = section.table.year;
    for date in [from, to] {
        if date.year() != year {
            return Err(LineProblem::OutsideYear { date, year });
        }
    }
    if from > to {
        return Err(LineProblem::ReversedRange { from, to });
    }
    let table = &mut section.table;
    let is_holiday = kind == "holiday";
    for days in from.to_days()..=to.to_days() {
        // Within one valid year, so always a valid date.
        let Some(date) = Date::from_days(days) else {
            continue;
        };
        let (own, other) = if is_holiday {
            (&mut table.holidays, &table.workdays)
        } else {
            (&mut table.workdays, &table.holidays)
        };
        if other.contains_key(&date) {
            return Err(LineProblem::HolidayAndWorkday(date));
        }
        if own.contains_key(&date) {
            return Err(LineProblem::DuplicateDate(date));
        }
        if !is_holiday && !date.is_weekend() {
            return Err(LineProblem::WorkdayNotWeekend {
                date,
                weekday: date.weekday(),
            });
        }
        own.insert(date, name.to_string());
    }
    Ok(())
}

/// Parses a text of one or more year tables (format in the module documentation). Stops at
/// the first error, naming its line (1-based).
pub fn parse_tables(text: &str) -> Result<Vec<YearTable>, CalendarError> {
    // Texts saved by common Windows editors start with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut done: Vec<YearTable> = Vec::new();
    let mut current: Option<Section> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (keyword, rest) = trimmed
            .split_once(char::is_whitespace)
            .map_or((trimmed, ""), |(k, r)| (k, r.trim()));
        match keyword {
            "year" => {
                let year = parse_year(rest)
                    .ok_or_else(|| line_error(line, LineProblem::BadYear(rest.to_string())))?;
                if let Some(section) = current.take() {
                    done.push(section.finish()?);
                }
                if done.iter().any(|t| t.year == year) {
                    return Err(line_error(line, LineProblem::DuplicateYear(year)));
                }
                current = Some(Section {
                    line,
                    table: YearTable {
                        year,
                        source: String::new(),
                        holidays: BTreeMap::new(),
                        workdays: BTreeMap::new(),
                    },
                    has_source: false,
                });
            }
            "source" => {
                let section = current
                    .as_mut()
                    .ok_or_else(|| line_error(line, LineProblem::BeforeYear("source")))?;
                if section.has_source {
                    return Err(line_error(line, LineProblem::DuplicateSource));
                }
                if rest.is_empty() {
                    return Err(line_error(line, LineProblem::EmptySource));
                }
                section.table.source = rest.to_string();
                section.has_source = true;
            }
            "holiday" | "workday" => {
                let kind = if keyword == "holiday" {
                    "holiday"
                } else {
                    "workday"
                };
                let section = current
                    .as_mut()
                    .ok_or_else(|| line_error(line, LineProblem::BeforeYear(kind)))?;
                parse_entry(section, kind, rest).map_err(|p| line_error(line, p))?;
            }
            other => {
                return Err(line_error(
                    line,
                    LineProblem::UnknownKeyword(other.to_string()),
                ));
            }
        }
    }
    match current {
        Some(section) => done.push(section.finish()?),
        None if done.is_empty() => return Err(CalendarError::Empty),
        None => {}
    }
    Ok(done)
}

// ---------------------------------------------------------------------------------------------
// The calendar
// ---------------------------------------------------------------------------------------------

/// Working-day arithmetic over the loaded year tables. Every query touching a year without a
/// table fails with [`CalendarError::NoTable`].
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    tables: BTreeMap<i32, YearTable>,
}

impl WorkingCalendar {
    /// A calendar without any year; add years with [`WorkingCalendar::with_table`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The tables shipped in `data/holidays.txt`.
    ///
    /// # Panics
    /// Never in a tested build: the embedded file is parsed by this module's tests.
    pub fn shipped() -> Self {
        let tables = parse_tables(SHIPPED).expect("the shipped holiday tables must parse");
        tables
            .into_iter()
            .fold(Self::new(), |cal, table| cal.with_table(table))
    }

    /// Adds a year, or replaces it when already loaded (an administrator's correction).
    pub fn with_table(mut self, table: YearTable) -> Self {
        self.insert(table);
        self
    }

    /// Adds or replaces a year; returns the table it replaced.
    pub fn insert(&mut self, table: YearTable) -> Option<YearTable> {
        self.tables.insert(table.year, table)
    }

    /// Loaded years, ascending.
    pub fn years(&self) -> Vec<i32> {
        self.tables.keys().copied().collect()
    }

    pub fn table(&self, year: i32) -> Option<&YearTable> {
        self.tables.get(&year)
    }

    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        self.tables
            .get(&date.year())
            .map(|t| t.is_working_day(date))
            .ok_or(CalendarError::NoTable { year: date.year() })
    }

    /// The `n`-th working day after `start`; `n = 0` returns `start`.
    ///
    /// The start day itself is not counted: 《民事诉讼法》第八十五条 "期间开始的时和日，不计算
    /// 在期间内", the rule for periods in Chinese procedure law. So "within 7 working days of
    /// receipt" ends on `add_working_days(received, 7)`. The result is always a working day,
    /// which also covers Art 85's extension of a period ending on a holiday.
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = next_day(day)?;
            if self.is_working_day(day)? {
                left -= 1;
            }
        }
        Ok(day)
    }

    /// Number of working days `d` with `from < d <= to` (0 when `to <= from`); the inverse of
    /// [`WorkingCalendar::add_working_days`], e.g. for the days a case has used of its period.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32, CalendarError> {
        let mut count = 0;
        let mut day = from;
        while day < to {
            day = next_day(day)?;
            if self.is_working_day(day)? {
                count += 1;
            }
        }
        Ok(count)
    }
}

impl WorkingCalendar {
    /// Whether `year` is counted provisionally: it has no table but lies in
    /// [`statutory::YEARS`].
    pub fn is_provisional(&self, year: i32) -> bool {
        !self.tables.contains_key(&year) && statutory::YEARS.contains(&year)
    }

    /// Like [`WorkingCalendar::is_working_day`], answering for a year without a table from
    /// its statutory holidays (provisionally).
    pub fn reckon_working_day(&self, date: Date) -> Result<Reckoned<bool>, CalendarError> {
        let year = date.year();
        if let Some(table) = self.tables.get(&year) {
            return Ok(Reckoned::exact(table.is_working_day(date)));
        }
        let days = statutory::holidays(year).ok_or(CalendarError::NoTable { year })?;
        let off = days.iter().any(|(d, _)| *d == date);
        Ok(Reckoned::provisional(!off && !date.is_weekend()))
    }

    /// Like [`WorkingCalendar::add_working_days`]; provisional when a day counted (after
    /// `start`, up to the result) lies in a year without a table.
    pub fn reckon_add_working_days(
        &self,
        start: Date,
        n: u32,
    ) -> Result<Reckoned<Date>, CalendarError> {
        let mut year = ProvisionalYear::default();
        let mut day = start;
        let mut left = n;
        let mut provisional = false;
        while left > 0 {
            day = next_day(day)?;
            let working = year.working(self, day)?;
            provisional |= working.provisional;
            if working.value {
                left -= 1;
            }
        }
        Ok(Reckoned {
            value: day,
            provisional,
        })
    }

    /// Like [`WorkingCalendar::working_days_between`]; provisional when a day counted lies in
    /// a year without a table.
    pub fn reckon_working_days_between(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Reckoned<u32>, CalendarError> {
        let mut year = ProvisionalYear::default();
        let mut count = 0;
        let mut provisional = false;
        let mut day = from;
        while day < to {
            day = next_day(day)?;
            let working = year.working(self, day)?;
            provisional |= working.provisional;
            if working.value {
                count += 1;
            }
        }
        Ok(Reckoned {
            value: count,
            provisional,
        })
    }
}

/// The provisional table of the year a walk over days is in, built once per year.
#[derive(Default)]
struct ProvisionalYear(Option<YearTable>);

impl ProvisionalYear {
    fn working(
        &mut self,
        cal: &WorkingCalendar,
        day: Date,
    ) -> Result<Reckoned<bool>, CalendarError> {
        let year = day.year();
        if let Some(table) = cal.tables.get(&year) {
            return Ok(Reckoned::exact(table.is_working_day(day)));
        }
        if self.0.as_ref().is_none_or(|t| t.year != year) {
            self.0 = Some(YearTable::statutory(year).ok_or(CalendarError::NoTable { year })?);
        }
        let table = self.0.as_ref().ok_or(CalendarError::NoTable { year })?;
        Ok(Reckoned::provisional(table.is_working_day(day)))
    }
}

/// A working-day answer and whether it counted a year without the State Council's table
/// (provisional: it may change when that year's table is loaded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reckoned<T> {
    pub value: T,
    pub provisional: bool,
}

impl<T> Reckoned<T> {
    /// A value counted from loaded tables only (or needing no calendar at all).
    pub fn exact(value: T) -> Self {
        Self {
            value,
            provisional: false,
        }
    }

    pub fn provisional(value: T) -> Self {
        Self {
            value,
            provisional: true,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reckoned<U> {
        Reckoned {
            value: f(self.value),
            provisional: self.provisional,
        }
    }

    /// Provisional also when `other` is: for a value computed from another one.
    pub fn or_provisional(mut self, other: bool) -> Self {
        self.provisional |= other;
        self
    }
}

/// The following day; past 9999-12-31 there is no table either.
fn next_day(day: Date) -> Result<Date, CalendarError> {
    day.checked_add_days(1).ok_or(CalendarError::NoTable {
        year: day.year() + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::shipped()
    }

    fn problem(text: &str) -> (usize, LineProblem) {
        match parse_tables(text) {
            Err(CalendarError::Line { line, problem }) => (line, problem),
            other => panic!("expected a line error, got {other:?}"),
        }
    }

    const HEAD: &str = "year 2026\nsource 测试通知\n";

    // --- Date ---

    #[test]
    fn date_parse_is_strict() {
        assert_eq!(d("2026-01-04").to_string(), "2026-01-04");
        assert_eq!(d("2024-02-29").day(), 29);
        assert_eq!(d("2000-02-29").month(), 2);
        assert_eq!(Date::parse("2025-02-29"), Err(DateError::Day));
        assert_eq!(Date::parse("1900-02-29"), Err(DateError::Day));
        assert_eq!(Date::parse("2026-04-31"), Err(DateError::Day));
        assert_eq!(Date::parse("2026-01-00"), Err(DateError::Day));
        assert_eq!(Date::parse("2026-13-01"), Err(DateError::Month));
        assert_eq!(Date::parse("2026-00-01"), Err(DateError::Month));
        assert_eq!(Date::parse("0000-01-01"), Err(DateError::Year));
        for bad in [
            "2026-1-04",
            "2026/01/04",
            " 2026-01-04",
            "2026-01-04 ",
            "26-01-04",
            "2026-01-4",
            "+026-01-04",
            "2026-0a-04",
            "",
            "２０２６-01-04",
        ] {
            assert_eq!(Date::parse(bad), Err(DateError::Shape), "{bad:?}");
        }
    }

    #[test]
    fn date_weekday_days_and_order() {
        assert_eq!(d("1970-01-01").to_days(), 0);
        assert_eq!(d("1970-01-01").weekday(), 4);
        assert_eq!(d("2000-03-01").to_days(), 11_017);
        assert_eq!(d("2026-01-04").weekday(), 7);
        assert_eq!(d("2026-10-10").weekday(), 6);
        assert_eq!(d("2025-01-01").weekday(), 3);
        assert_eq!(d("0001-01-01").weekday(), 1);
        assert_eq!(d("2024-12-31").add_days(1), d("2025-01-01"));
        assert_eq!(d("2024-03-01").add_days(-1), d("2024-02-29"));
        assert_eq!(d("2026-01-01").add_days(365), d("2027-01-01"));
        assert_eq!(d("9999-12-31").checked_add_days(1), None);
        assert_eq!(d("0001-01-01").checked_add_days(-1), None);
        assert!(d("2025-12-31") < d("2026-01-01"));
        assert!(d("2026-02-01") > d("2026-01-31"));
    }

    #[test]
    fn date_serde_is_the_string_form() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error, StrDeserializer};
        let ok: StrDeserializer<'_, Error> = "2026-02-28".into_deserializer();
        assert_eq!(Date::deserialize(ok).unwrap(), d("2026-02-28"));
        let bad: StrDeserializer<'_, Error> = "2026-02-29".into_deserializer();
        assert!(Date::deserialize(bad).is_err());
        assert_eq!(String::from(d("2026-02-28")), "2026-02-28");
    }

    // --- shipped tables ---

    #[test]
    fn shipped_file_parses_with_the_published_counts() {
        let tables = parse_tables(SHIPPED).unwrap();
        let years: Vec<i32> = tables.iter().map(YearTable::year).collect();
        assert_eq!(years, [2025, 2026]);
        assert_eq!(cal().years(), [2025, 2026]);
        // Days off and worked weekend days as counted from the two notices.
        let counts: Vec<(usize, usize)> = tables
            .iter()
            .map(|t| (t.holidays().count(), t.workdays().count()))
            .collect();
        assert_eq!(counts, [(28, 5), (33, 6)]);
        for t in &tables {
            assert!(t.source().contains("国务院办公厅"));
        }
    }

    #[test]
    fn yearly_working_day_totals() {
        // 261 Monday–Friday days each year; 2025: 18 of them off, 5 weekend days worked;
        // 2026: 19 off, 6 worked.
        let c = cal();
        assert_eq!(
            c.working_days_between(d("2024-12-31"), d("2025-12-31")),
            Ok(248)
        );
        assert_eq!(
            c.working_days_between(d("2025-12-31"), d("2026-12-31")),
            Ok(248)
        );
    }

    #[test]
    fn display_round_trips() {
        for table in parse_tables(SHIPPED).unwrap() {
            assert_eq!(YearTable::parse(&table.to_string()).unwrap(), table);
        }
        let text = cal().table(2026).unwrap().to_string();
        assert!(text.starts_with("year 2026\nsource 国务院办公厅"));
        assert!(text.contains("\nworkday 2026-09-20 国庆节调休上班\n"));
        assert!(text.contains("\nholiday 2026-10-01..2026-10-07 国庆节\n"));
    }

    // --- working days ---

    #[test]
    fn single_days() {
        let c = cal();
        assert_eq!(c.is_working_day(d("2026-01-04")), Ok(true)); // Sunday worked
        assert_eq!(c.is_working_day(d("2026-10-10")), Ok(true)); // Saturday worked
        assert_eq!(c.is_working_day(d("2026-10-11")), Ok(false)); // ordinary Sunday
        assert_eq!(c.is_working_day(d("2026-01-02")), Ok(false)); // Friday off
        assert_eq!(c.is_working_day(d("2026-01-05")), Ok(true)); // ordinary Monday
        assert_eq!(c.is_working_day(d("2025-02-08")), Ok(true)); // Saturday worked
        assert_eq!(c.is_working_day(d("2025-10-08")), Ok(false)); // 8th day of National Day
    }

    #[test]
    fn seven_working_days_after_national_day_eve_2026() {
        // 10-01..10-07 off; 10-08 Thu, 10-09 Fri, 10-10 Sat (worked), 10-12..10-15 Mon–Thu.
        assert_eq!(
            cal().add_working_days(d("2026-09-30"), 7),
            Ok(d("2026-10-15"))
        );
        // 09-18 Fri, 09-20 Sun (worked), 09-21..09-24 Mon–Thu, 09-25..27 中秋 off, 09-28 Mon.
        assert_eq!(
            cal().add_working_days(d("2026-09-17"), 7),
            Ok(d("2026-09-28"))
        );
    }

    #[test]
    fn seven_working_days_across_spring_festival_2025() {
        // 01-26 Sun (worked), 01-27 Mon, 01-28..02-04 off, 02-05..02-07 Wed–Fri,
        // 02-08 Sat (worked), 02-10 Mon.
        assert_eq!(
            cal().add_working_days(d("2025-01-24"), 7),
            Ok(d("2025-02-10"))
        );
    }

    #[test]
    fn thirty_working_days_across_qingming_and_labour_day_2026() {
        // April: 04-02, 04-03, then 04-07..04-30 (18 weekdays, 04-06 off) = 20;
        // May: 01..05 off, 05-06..05-08 (23), 05-09 Sat worked (24), 05-11..05-15 (29), 05-18.
        assert_eq!(
            cal().add_working_days(d("2026-04-01"), 30),
            Ok(d("2026-05-18"))
        );
    }

    #[test]
    fn start_day_not_counted_and_zero_is_start() {
        let c = cal();
        assert_eq!(c.add_working_days(d("2026-10-03"), 0), Ok(d("2026-10-03")));
        // A period started on a working Monday still ends on the next day for n = 1.
        assert_eq!(c.add_working_days(d("2026-01-05"), 1), Ok(d("2026-01-06")));
        // Started on a holiday: the first working day afterwards is day 1.
        assert_eq!(c.add_working_days(d("2026-10-01"), 1), Ok(d("2026-10-08")));
    }

    #[test]
    fn adjusted_saturday_counts() {
        // 2026-02-28 Sat is worked: one working day after Friday 02-27 is that Saturday.
        assert_eq!(
            cal().add_working_days(d("2026-02-27"), 1),
            Ok(d("2026-02-28"))
        );
        assert_eq!(
            cal().working_days_between(d("2026-02-27"), d("2026-03-01")),
            Ok(1)
        );
    }

    #[test]
    fn across_new_year_into_2026() {
        // 12-29..12-31, 2026-01-01..03 off, 01-04 Sun worked, 01-05..01-07.
        assert_eq!(
            cal().add_working_days(d("2025-12-26"), 7),
            Ok(d("2026-01-07"))
        );
    }

    #[test]
    fn missing_year_is_loud() {
        let c = cal();
        let err = c.is_working_day(d("2027-01-04")).unwrap_err();
        assert_eq!(err, CalendarError::NoTable { year: 2027 });
        assert_eq!(
            err.to_string(),
            "2027 年的节假日安排尚未载入，无法按工作日计算期限（请管理员载入国务院办公厅当年通知）"
        );
        assert_eq!(
            c.is_working_day(d("2024-12-31")),
            Err(CalendarError::NoTable { year: 2024 })
        );
        // 12-29, 12-30, 12-31 count, then the deadline needs 2027.
        assert_eq!(
            c.add_working_days(d("2026-12-28"), 7),
            Err(CalendarError::NoTable { year: 2027 })
        );
        assert_eq!(
            c.working_days_between(d("2026-12-28"), d("2027-01-05")),
            Err(CalendarError::NoTable { year: 2027 })
        );
        // A deadline that ends on 12-31 does not need the next year.
        assert_eq!(c.add_working_days(d("2026-12-24"), 5), Ok(d("2026-12-31")));
        assert_eq!(
            WorkingCalendar::new().add_working_days(d("2026-01-05"), 1),
            Err(CalendarError::NoTable { year: 2026 })
        );
    }

    #[test]
    fn replacing_or_adding_a_year_changes_answers() {
        // A correction dropping National Day: 10-01, 10-02, 10-05..10-09.
        let corrected = YearTable::parse(&format!("{HEAD}holiday 2026-01-01 元旦\n")).unwrap();
        let c = cal().with_table(corrected);
        assert_eq!(c.years(), [2025, 2026]);
        assert_eq!(c.table(2026).unwrap().source(), "测试通知");
        assert_eq!(c.add_working_days(d("2026-09-30"), 7), Ok(d("2026-10-09")));

        // A (fictitious) 2027 table lets a deadline cross the year end.
        let y2027 = YearTable::parse(
            "year 2027\nsource 测试通知\nholiday 2027-01-01 元旦\nworkday 2027-01-02 测试\n",
        )
        .unwrap();
        let c = cal().with_table(y2027);
        assert_eq!(c.years(), [2025, 2026, 2027]);
        // 12-29..12-31, 01-02 Sat worked, 01-04..01-06.
        assert_eq!(c.add_working_days(d("2026-12-28"), 7), Ok(d("2027-01-06")));
    }

    // --- provisional years ---

    #[test]
    fn a_year_without_a_table_is_counted_from_the_statutory_holidays() {
        let c = cal();
        assert!(c.is_provisional(2027));
        assert!(!c.is_provisional(2026));
        assert!(!c.is_provisional(2024)); // before the 2024 revision: no rule to count by
        assert!(!c.is_provisional(2100));
        // 2027-01-01 (Fri) is 元旦; 02-05..02-08 春节 (除夕 to 初三).
        assert_eq!(
            c.reckon_working_day(d("2027-01-01")),
            Ok(Reckoned::provisional(false))
        );
        assert_eq!(
            c.reckon_working_day(d("2027-01-04")),
            Ok(Reckoned::provisional(true))
        );
        assert_eq!(
            c.reckon_working_day(d("2026-01-04")),
            Ok(Reckoned::exact(true))
        );
        // 12-29..12-31 exact, then 2027-01-01 off, 01-04..01-07 (Mon–Thu).
        assert_eq!(
            c.reckon_add_working_days(d("2026-12-28"), 7),
            Ok(Reckoned::provisional(d("2027-01-07")))
        );
        // Not reaching 2027: exact, the same as the strict answer.
        assert_eq!(
            c.reckon_add_working_days(d("2026-12-24"), 5),
            Ok(Reckoned::exact(d("2026-12-31")))
        );
        // 30 working days from 2027-01-20: the Spring Festival's four days are skipped, and no
        // weekend day is worked.
        assert_eq!(
            c.reckon_add_working_days(d("2027-01-20"), 30),
            Ok(Reckoned::provisional(d("2027-03-05")))
        );
        assert_eq!(
            c.reckon_working_days_between(d("2026-12-28"), d("2027-01-05")),
            Ok(Reckoned::provisional(5))
        );
        assert_eq!(
            c.reckon_working_days_between(d("2026-12-01"), d("2026-12-31")),
            Ok(Reckoned::exact(22))
        );
        // Outside the statutory years it still fails.
        assert_eq!(
            c.reckon_add_working_days(d("2099-12-28"), 7),
            Err(CalendarError::NoTable { year: 2100 })
        );
        assert_eq!(
            c.reckon_working_day(d("2024-06-03")),
            Err(CalendarError::NoTable { year: 2024 })
        );
        // The strict methods are unchanged.
        assert_eq!(
            c.add_working_days(d("2026-12-28"), 7),
            Err(CalendarError::NoTable { year: 2027 })
        );
    }

    #[test]
    fn loading_the_year_makes_the_answer_exact() {
        // A 2027 table with a longer Spring Festival and a worked Sunday.
        let y2027 = YearTable::parse(
            "year 2027\nsource 测试通知\nholiday 2027-01-01 元旦\nholiday 2027-02-05..2027-02-12 春节\nworkday 2027-02-14 春节调休上班\n",
        )
        .unwrap();
        let before = cal().reckon_add_working_days(d("2027-01-20"), 30).unwrap();
        let after = cal()
            .with_table(y2027)
            .reckon_add_working_days(d("2027-01-20"), 30)
            .unwrap();
        assert!(before.provisional);
        assert!(!after.provisional);
        assert_ne!(before.value, after.value);
    }

    #[test]
    fn statutory_table_round_trips_and_names_its_source() {
        let t = YearTable::statutory(2027).unwrap();
        assert_eq!(t.year(), 2027);
        assert!(t.source().contains("国务院令第795号"));
        assert_eq!(t.workdays().count(), 0);
        assert_eq!(YearTable::parse(&t.to_string()).unwrap(), t);
        assert_eq!(YearTable::statutory(2024), None);
    }

    proptest! {
        /// A year whose table holds exactly the statutory days off and no worked weekend day
        /// counts the same provisionally and exactly; only the flag differs.
        #[test]
        fn provisional_and_exact_agree_without_make_up_days(
            year in 2027i32..=2098,
            offset in 0i64..420,
            n in 0u32..45,
        ) {
            let without = cal();
            let with = cal().with_table(YearTable::statutory(year).unwrap());
            let start = Date::new(year - 1, 11, 1).unwrap().add_days(offset);
            let provisional = without.reckon_add_working_days(start, n);
            let exact = with.reckon_add_working_days(start, n);
            match (provisional, exact) {
                (Ok(p), Ok(e)) => {
                    prop_assert_eq!(p.value, e.value);
                    // Provisional exactly when a day counted lies in a year without a table.
                    let touched = |c: &WorkingCalendar, end: Date| {
                        end > start
                            && (start.add_days(1).year()..=end.year()).any(|y| c.is_provisional(y))
                    };
                    prop_assert_eq!(p.provisional, touched(&without, p.value));
                    prop_assert_eq!(e.provisional, touched(&with, e.value));
                    let between = without.reckon_working_days_between(start, p.value).unwrap();
                    prop_assert_eq!(between.value, n);
                }
                (p, e) => prop_assert!(p.is_err() && e.is_err(), "{:?} {:?}", p, e),
            }
        }
    }

    // --- validation ---

    #[test]
    fn validation_errors_name_the_line() {
        let cases: Vec<(String, usize, LineProblem)> = vec![
            (
                format!("{HEAD}holiday 2027-01-01 元旦\n"),
                3,
                LineProblem::OutsideYear {
                    date: d("2027-01-01"),
                    year: 2026,
                },
            ),
            (
                format!("{HEAD}holiday 2026-12-31..2027-01-01 元旦\n"),
                3,
                LineProblem::OutsideYear {
                    date: d("2027-01-01"),
                    year: 2026,
                },
            ),
            (
                format!("{HEAD}holiday 2026-01-01..2026-01-04 元旦\nworkday 2026-01-04 调休\n"),
                4,
                LineProblem::HolidayAndWorkday(d("2026-01-04")),
            ),
            (
                format!("{HEAD}workday 2026-01-04 调休\nholiday 2026-01-04 元旦\n"),
                4,
                LineProblem::HolidayAndWorkday(d("2026-01-04")),
            ),
            (
                format!("{HEAD}holiday 2026-01-01 元旦\nworkday 2026-01-05 调休\n"),
                4,
                LineProblem::WorkdayNotWeekend {
                    date: d("2026-01-05"),
                    weekday: 1,
                },
            ),
            (
                format!("{HEAD}holiday 2026-01-01 元旦\n\nyear 2026\n"),
                5,
                LineProblem::DuplicateYear(2026),
            ),
            (
                "year 2026\nsource   \nholiday 2026-01-01\n".to_string(),
                2,
                LineProblem::EmptySource,
            ),
            (
                "# 无来源\nyear 2026\nholiday 2026-01-01\n".to_string(),
                2,
                LineProblem::EmptySource,
            ),
            (
                format!("{HEAD}source 又一个\n"),
                3,
                LineProblem::DuplicateSource,
            ),
            (HEAD.to_string(), 1, LineProblem::NoHolidays(2026)),
            (
                format!("{HEAD}holiday 2026-01-01\nholiday 2026-01-01..2026-01-02\n"),
                4,
                LineProblem::DuplicateDate(d("2026-01-01")),
            ),
            (
                format!("{HEAD}holiday 2026-01-03..2026-01-01\n"),
                3,
                LineProblem::ReversedRange {
                    from: d("2026-01-03"),
                    to: d("2026-01-01"),
                },
            ),
            (
                format!("{HEAD}holiday 2026-02-29\n"),
                3,
                LineProblem::BadDate {
                    text: "2026-02-29".into(),
                    error: DateError::Day,
                },
            ),
            (
                format!("{HEAD}holiday\n"),
                3,
                LineProblem::MissingDate("holiday"),
            ),
            (
                "holiday 2026-01-01\n".to_string(),
                1,
                LineProblem::BeforeYear("holiday"),
            ),
            (
                "year 26\n".to_string(),
                1,
                LineProblem::BadYear("26".into()),
            ),
            (
                format!("{HEAD}vacation 2026-01-01\n"),
                3,
                LineProblem::UnknownKeyword("vacation".into()),
            ),
        ];
        for (text, line, expected) in cases {
            assert_eq!(problem(&text), (line, expected), "{text}");
        }
    }

    #[test]
    fn error_messages_are_chinese_with_line_numbers() {
        let err = parse_tables(&format!("{HEAD}workday 2026-01-05\n")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "节假日安排第 3 行：2026-01-05 是周一，本来就是工作日；workday 只用于调休上班的周六、周日"
        );
        assert_eq!(parse_tables("# 空\n\n"), Err(CalendarError::Empty));
        assert_eq!(
            YearTable::parse(SHIPPED),
            Err(CalendarError::NotOneYear { found: 2 })
        );
    }

    #[test]
    fn tolerant_of_layout() {
        let text = "\u{feff}  # 说明\r\nyear 2026\r\nsource  测试 通知 \r\n\tholiday  2026-01-01   元 旦\r\n";
        let t = YearTable::parse(text).unwrap();
        assert_eq!(t.source(), "测试 通知");
        assert_eq!(
            t.holidays().collect::<Vec<_>>(),
            [(d("2026-01-01"), "元 旦")]
        );
    }

    proptest! {
        #[test]
        fn days_round_trip(days in -719_162i64..=2_932_896) {
            // 0001-01-01 ..= 9999-12-31
            let date = Date::from_days(days).unwrap();
            prop_assert_eq!(date.to_days(), days);
            prop_assert_eq!(Date::parse(&date.to_string()), Ok(date));
            if let Some(next) = date.checked_add_days(1) {
                prop_assert!(next > date);
                prop_assert_eq!(next.to_days(), days + 1);
            }
            prop_assert_eq!(i64::from(date.weekday()), (days + 3).rem_euclid(7) + 1);
        }

        #[test]
        fn deadlines_are_consistent(
            offset in 0i64..730,
            n in 0u32..40,
        ) {
            let c = cal();
            let start = d("2025-01-01").add_days(offset);
            match c.add_working_days(start, n) {
                Err(e) => prop_assert_eq!(e, CalendarError::NoTable { year: 2027 }),
                Ok(end) => {
                    if n == 0 {
                        prop_assert_eq!(end, start);
                    } else {
                        prop_assert!(end > start);
                        prop_assert_eq!(c.is_working_day(end), Ok(true));
                    }
                    prop_assert_eq!(c.working_days_between(start, end), Ok(n));
                    if n > 0 {
                        let before = c.add_working_days(start, n - 1).unwrap();
                        prop_assert!(before < end);
                        // No working day is skipped between the two answers.
                        prop_assert_eq!(c.working_days_between(before, end), Ok(1));
                    }
                }
            }
        }
    }
}
