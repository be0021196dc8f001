//! The working-day calendar pages: the loaded years, a deadline calculator, and (for
//! administrators) loading or correcting a year.
use super::forms::Post;
use super::view::*;
use super::{OrPage, PageResult, redirect, render};
use crate::auth::{Authed, PageUser};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use sijian_domain::Action;
use sijian_service::calendar::{YearSummary, compute_deadline, load_year, overview};

#[derive(Template)]
#[template(path = "calendar.html")]
pub struct CalendarPage {
    pub c: Chrome,
    pub v: sijian_service::calendar::CalendarOverview,
    pub calc_from: String,
    pub calc_days: String,
    pub calc_result: Option<String>,
    pub calc_error: Option<String>,
    pub load_form: Option<FormView>,
}

fn load_form(lang: Lang, year: &str, text: &str) -> FormView {
    FormView {
        title: lang.t("calendar.load").into(),
        intro: Some(lang.pick(
            lang.t("calendar.load_help"),
            "Copy the State Council's notice for the year; a loaded year replaces the current table and is recorded.",
        ).into()),
        action: "/calendar".into(),
        hidden: Vec::new(),
        fields: vec![
            FormField::text("year", lang.t("calendar.year").into(), year).required(),
            FormField::textarea("text", lang.t("calendar.text"), text)
                .required()
                .help("year 2027\nsource 国务院办公厅关于2027年部分节假日安排的通知（…）\nholiday 2027-01-01 元旦\nworkday 2027-… 调休上班"),
        ],
        errors: Vec::new(),
        submit: lang.t("action.save").into(),
        cancel: "/calendar".into(),
        confirm: true,
    }
}

async fn page(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    q: &[(String, String)],
    form: Option<FormView>,
) -> Result<CalendarPage, AppError> {
    let (_, mut v) = overview(s).await?;
    v.warning = crate::labels::missing_calendar_warning(lang, &v.missing_years);
    let get = |k: &str| {
        q.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let (calc_from, calc_days) = (
        get("from").unwrap_or_else(|| v.today.clone()),
        get("days").unwrap_or_else(|| "7".into()),
    );
    let (mut calc_result, mut calc_error) = (None, None);
    if get("from").is_some() {
        match calc_days.parse::<u32>() {
            Ok(n) => match compute_deadline(s, &calc_from, n).await {
                Ok(d) => {
                    let date = crate::labels::due_date(lang, &d.value.to_string(), d.provisional);
                    let mut result = lang.tf(
                        "calendar.result",
                        &[
                            ("from", &calc_from.to_string()),
                            ("n", &n.to_string()),
                            ("date", &date),
                        ],
                    );
                    if d.provisional {
                        result.push_str(lang.pick("", " "));
                        result.push_str(lang.t("deadline.provisional_note"));
                    }
                    calc_result = Some(result)
                }
                Err(e) => calc_error = Some(e.message),
            },
            Err(_) => calc_error = Some(lang.t("calendar.error.days").into()),
        }
    }
    let load_form = form.or_else(|| {
        a.role()
            .may(Action::ManageCalendar)
            .then(|| load_form(lang, "", ""))
    });
    let c = Chrome::new(a, lang, lang.t("nav.calendar"), "/calendar").saved_flash(q);
    Ok(CalendarPage {
        c,
        v,
        calc_from,
        calc_days,
        calc_result,
        calc_error,
        load_form,
    })
}

pub async fn calendar_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewCalendar).or_page(lang)?;
    let p = page(&s, &a, lang, &q, None).await.or_page(lang)?;
    Ok(render(&p))
}

pub async fn calendar_load(State(s): State<AppState>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::ManageCalendar).or_page(lang)?;
    let (year, text) = (p.form.text("year"), p.form.text("text"));
    let result = match year.trim().parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => load_year(&s, a, y, &text)
            .await
            .map(|_| y)
            .map_err(AppError::from),
        _ => Err(AppError::field("year", "年份须为 2000–2100 之间的整数")),
    };
    match result {
        Ok(y) => Ok(redirect(&format!("/calendar/{y}?saved=calendar.loaded"))),
        Err(e) => {
            let form = load_form(lang, &year, &text)
                .with_errors(&e.fields, e.fields.is_empty().then(|| e.message.clone()));
            let page = page(&s, a, lang, &[], Some(form)).await.or_page(lang)?;
            let mut res = (e.status, render(&page)).into_response();
            res.extensions_mut().insert(e);
            Err(res)
        }
    }
}

pub async fn year_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(year): Path<i32>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewCalendar).or_page(lang)?;
    let (cal, v) = overview(&s).await.or_page(lang)?;
    let t = cal
        .table(year)
        .ok_or_else(AppError::not_found)
        .or_page(lang)?;
    let summary: Option<&YearSummary> = v.years.iter().find(|y| y.year == year);
    let tl = |k: &str| lang.t(k).to_string();
    let join = |it: Vec<String>| {
        if it.is_empty() {
            "—".to_string()
        } else {
            it.join(lang.pick("，", ", "))
        }
    };
    let detail = DetailView {
        tables: Vec::new(),
        title: format!("{year} · {}", tl("nav.calendar")),
        badge: summary.map(|s| {
            (
                if s.origin == "loaded" {
                    tl("calendar.loaded")
                } else {
                    tl("calendar.shipped")
                },
                if s.origin == "loaded" { "warn" } else { "" },
            )
        }),
        back: "/calendar".into(),
        actions: Vec::new(),
        fields: vec![
            (tl("calendar.source"), t.source().to_string(), None),
            (
                tl("calendar.holidays"),
                join(
                    t.holidays()
                        .map(|(d, n)| format!("{d} {n}").trim().to_string())
                        .collect(),
                ),
                None,
            ),
            (
                tl("calendar.workdays"),
                join(
                    t.workdays()
                        .map(|(d, n)| format!("{d} {n}").trim().to_string())
                        .collect(),
                ),
                None,
            ),
            (
                tl("calendar.working_days"),
                summary
                    .map(|s| s.working_days.to_string())
                    .unwrap_or_default(),
                None,
            ),
            (tl("calendar.text"), t.to_string(), None),
        ],
        show_history: false,
        history: Vec::new(),
    };
    let c = Chrome::new(&a, lang, year.to_string(), "/calendar").saved_flash(&q);
    Ok(render(&DetailPage { c, v: detail }))
}
