//! Server-rendered pages: Chinese first, English per user. Every page reads and changes data
//! through the same store functions and scope as the API.
use crate::auth::Authed;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::routes::Routes;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use view::{Chrome, FormPage, FormView};

pub mod accounts;
pub mod calendar;
pub mod cases;
pub mod directory;
pub mod event_text;
pub mod forms;
pub mod help;
pub mod ledger;
pub mod licences;
pub mod licensing;
pub mod linkage;
pub mod listing;
pub mod notifications;
pub mod practice;
pub mod public;
pub mod record_form;
pub mod records;
pub mod registry;
pub mod search;
pub mod verify;
pub mod view;

pub use crate::error_page::page_error;

/// Every page, through `Routes` so the access matrix lists it (`crate::routes`).
pub fn routes() -> Routes {
    Routes::new()
        .get("/", public::root)
        .get("/verify", public::verify_code)
        .get("/licence", public::verify_licence)
        .get("/login", accounts::login_page)
        .post("/login", accounts::login_submit)
        .post("/logout", accounts::logout)
        .get("/lang/{lang}", accounts::switch_language)
        .get("/account", accounts::account_page)
        .get("/account/password", accounts::password_page)
        .post("/account/password", accounts::password_submit)
        .post("/account/language", accounts::language_submit)
        .get("/notifications", notifications::list)
        .post("/notifications/read-all", notifications::mark_all_read)
        .post("/notifications/{id}/read", notifications::mark_read)
        .get("/notifications/settings", notifications::settings_page)
        .post("/notifications/settings", notifications::settings_submit)
        .get("/users", accounts::users_list)
        .with(record_form::pages::<accounts::UserForm>(
            "/users/new",
            "/users/{id}/edit",
        ))
        .get("/users/{id}", accounts::user_detail)
        .get("/users/{id}/password", accounts::user_password_page)
        .post("/users/{id}/password", accounts::user_password_submit)
        .post("/users/{id}/unlock", accounts::user_unlock)
        .get("/tokens", accounts::tokens_page)
        .post("/tokens", accounts::token_create)
        .post("/tokens/{id}/revoke", accounts::token_revoke)
        .get("/appraisers/{id}/records/new", practice::record_new)
        .post("/appraisers/{id}/records/new", practice::record_create)
        .get("/appraisers/{id}/assistants/new", practice::assistant_new)
        .post(
            "/appraisers/{id}/assistants/new",
            practice::assistant_create,
        )
        .get("/applications", licensing::list)
        .get("/applications/new", licensing::new_choice)
        .get("/applications/new/{kind}", licensing::new_page)
        .post("/applications/new/{kind}", licensing::new_submit)
        .get("/applications/{id}", licensing::detail)
        .get("/applications/{id}/check", licensing::check_page)
        .post("/applications/{id}/check", licensing::check_submit)
        .get("/applications/{id}/review", licensing::review_page)
        .post("/applications/{id}/review", licensing::review_submit)
        .get("/applications/{id}/decide", licensing::decide_page)
        .post("/applications/{id}/decide", licensing::decide_submit)
        .get("/applications/{id}/extend", licensing::extend_page)
        .post("/applications/{id}/extend", licensing::extend_submit)
        .post("/applications/{id}/withdraw", licensing::withdraw_submit)
        .post("/applications/{id}/resubmit", licensing::resubmit_submit)
        .get(
            "/applications/{id}/attachments/{aid}",
            licensing::attachment,
        )
        .get("/experts", licensing::experts)
        .get("/experts/new", licensing::expert_new)
        .post("/experts/new", licensing::expert_create)
        .get("/institutions", registry::institutions_list)
        .with(record_form::pages::<registry::InstitutionForm>(
            "/institutions/new",
            "/institutions/{id}/edit",
        ))
        .get("/institutions/{id}", registry::institution_detail)
        .get("/appraisers", registry::appraisers_list)
        .with(record_form::pages::<registry::AppraiserForm>(
            "/appraisers/new",
            "/appraisers/{id}/edit",
        ))
        .get("/appraisers/{id}", registry::appraiser_detail)
        .get("/organs", registry::organs_list)
        .with(record_form::pages::<registry::OrganForm>(
            "/organs/new",
            "/organs/{id}/edit",
        ))
        .get("/organs/{id}", registry::organ_detail)
        .get("/calendar", calendar::calendar_page)
        .post("/calendar", calendar::calendar_load)
        .get("/calendar/{year}", calendar::year_page)
        .get("/directory", directory::directory_page)
        .get("/ledger", ledger::ledger_page)
        .get("/v/{code}", verify::page)
        .get("/l/{id}", licences::page)
        .get(
            "/directory/appraisers",
            directory::directory_appraisers_page,
        )
        .get(
            "/directory/institutions/{id}",
            directory::directory_institution_page,
        )
        .get("/cases", cases::list)
        .get("/cases/new", cases::new_page)
        .post("/cases/new", cases::new_submit)
        .get("/cases/deadlines", cases::deadlines)
        .get("/cases/claims", cases::claims_list)
        .get("/cases/claims/{id}", cases::claim_page)
        .post("/cases/claims/{id}/{answer}", cases::claim_answer)
        .get("/cases/{id}", cases::detail)
        .get("/cases/{id}/steps/{name}", cases::step_page)
        .post("/cases/{id}/steps/{name}", cases::step_submit)
        .post("/cases/{id}/upload/{name}", cases::upload_submit)
        .post(
            "/cases/{id}/appearances/{aid}/{outcome}",
            cases::appearance_submit,
        )
        .get("/cases/{id}/print/{doc}", cases::print)
        .post("/cases/{id}/linkage-review", cases::linkage_review_submit)
        .get("/linkage/alerts", linkage::list)
        .get("/linkage/alerts/{id}", linkage::detail)
        .get("/linkage/alerts/{id}/decide", linkage::decide_page)
        .post("/linkage/alerts/{id}/decide", linkage::decide_submit)
        .get("/search", search::page)
        .get("/help", help::page)
        .get("/events", records::events_list)
        .get("/logs/operations", records::ops_list)
        .get("/logs/logins", records::logins_list)
        .get("/static/app.css", || async {
            static_file(
                "text/css; charset=utf-8",
                include_str!("../../static/app.css"),
            )
        })
        .get("/static/app.js", || async {
            static_file(
                "text/javascript; charset=utf-8",
                include_str!("../../static/app.js"),
            )
        })
}

fn static_file(ctype: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, ctype),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            page_error(AppError::internal(), Lang::Zh)
        }
    }
}

/// Unknown paths: a JSON error under `/api/`, a page elsewhere.
pub async fn not_found(ctx: crate::auth::Ctx, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return AppError::new(
            StatusCode::NOT_FOUND,
            "no_such_route",
            "接口不存在，请查阅 /api/openapi.json",
        )
        .into_response();
    }
    page_error(
        AppError::new(StatusCode::NOT_FOUND, "not_found", "页面不存在"),
        ctx.lang,
    )
}

pub type PageResult = Result<Response, Response>;

/// Turns an application error into an error page.
pub trait OrPage<T> {
    fn or_page(self, lang: Lang) -> Result<T, Response>;
}

impl<T, E: Into<AppError>> OrPage<T> for Result<T, E> {
    fn or_page(self, lang: Lang) -> Result<T, Response> {
        self.map_err(|e| page_error(e.into(), lang))
    }
}

pub fn redirect(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The form again, with the reasons it was refused beside their fields.
pub fn refused(c: Chrome, v: FormView, e: impl Into<AppError>) -> axum::response::Response {
    let e: AppError = e.into();
    let status = e.status;
    let lang = c.lang;
    let summary = if e.fields.is_empty() || e.code == "version_conflict" || e.code == "forbidden" {
        Some(lang.error_message(e.code, &e.message))
    } else {
        None
    };
    // The reasons in the reader's language where the catalogue has their text.
    let fields: Vec<sijian_domain::FieldError> = e
        .fields
        .iter()
        .map(|f| sijian_domain::FieldError {
            message: lang.error_message("", &f.message),
            ..f.clone()
        })
        .collect();
    let mut res = (
        if status.is_client_error() {
            status
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        render(&FormPage {
            c,
            v: v.with_errors(&fields, summary),
        }),
    )
        .into_response();
    res.extensions_mut().insert(e);
    res
}

/// A form page under the site's chrome, `nav` its section.
pub fn form_page(a: &Authed, lang: Lang, nav: &str, v: FormView) -> Response {
    render(&FormPage {
        c: Chrome::new(a, lang, v.title.clone(), nav),
        v,
    })
}

/// A form page shown again after its submission was refused (see `refused`).
pub fn form_refused(
    a: &Authed,
    lang: Lang,
    nav: &str,
    v: FormView,
    e: impl Into<AppError>,
) -> Response {
    refused(Chrome::new(a, lang, v.title.clone(), nav), v, e)
}
