//! Server-rendered pages: Chinese first, English per user. Every page reads and changes data
//! through the same store functions and scope as the API.
use crate::auth::Authed;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use view::{Chrome, FormPage, FormView};

pub mod accounts;
pub mod calendar;
pub mod cases;
pub mod directory;
pub mod forms;
pub mod ledger;
pub mod licences;
pub mod licensing;
pub mod linkage;
pub mod listing;
pub mod practice;
pub mod record_form;
pub mod records;
pub mod registry;
pub mod verify;
pub mod view;

pub use crate::error_page::page_error;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(accounts::home))
        .route(
            "/login",
            get(accounts::login_page).post(accounts::login_submit),
        )
        .route("/logout", post(accounts::logout))
        .route("/lang/{lang}", get(accounts::switch_language))
        .route("/account", get(accounts::account_page))
        .route(
            "/account/password",
            get(accounts::password_page).post(accounts::password_submit),
        )
        .route("/account/language", post(accounts::language_submit))
        .route("/users", get(accounts::users_list))
        .route(
            "/users/new",
            get(record_form::new_page::<accounts::UserForm>)
                .post(record_form::create::<accounts::UserForm>),
        )
        .route("/users/{id}", get(accounts::user_detail))
        .route(
            "/users/{id}/edit",
            get(record_form::edit_page::<accounts::UserForm>)
                .post(record_form::update::<accounts::UserForm>),
        )
        .route(
            "/users/{id}/password",
            get(accounts::user_password_page).post(accounts::user_password_submit),
        )
        .route("/users/{id}/unlock", post(accounts::user_unlock))
        .route(
            "/tokens",
            get(accounts::tokens_page).post(accounts::token_create),
        )
        .route("/tokens/{id}/revoke", post(accounts::token_revoke))
        .route(
            "/appraisers/{id}/records/new",
            get(practice::record_new).post(practice::record_create),
        )
        .route(
            "/appraisers/{id}/assistants/new",
            get(practice::assistant_new).post(practice::assistant_create),
        )
        .route("/applications", get(licensing::list))
        .route("/applications/new", get(licensing::new_choice))
        .route(
            "/applications/new/{kind}",
            get(licensing::new_page).post(licensing::new_submit),
        )
        .route("/applications/{id}", get(licensing::detail))
        .route(
            "/applications/{id}/check",
            get(licensing::check_page).post(licensing::check_submit),
        )
        .route(
            "/applications/{id}/review",
            get(licensing::review_page).post(licensing::review_submit),
        )
        .route(
            "/applications/{id}/decide",
            get(licensing::decide_page).post(licensing::decide_submit),
        )
        .route(
            "/applications/{id}/extend",
            get(licensing::extend_page).post(licensing::extend_submit),
        )
        .route(
            "/applications/{id}/withdraw",
            post(licensing::withdraw_submit),
        )
        .route(
            "/applications/{id}/resubmit",
            post(licensing::resubmit_submit),
        )
        .route(
            "/applications/{id}/attachments/{aid}",
            get(licensing::attachment),
        )
        .route("/experts", get(licensing::experts))
        .route(
            "/experts/new",
            get(licensing::expert_new).post(licensing::expert_create),
        )
        .route("/institutions", get(registry::institutions_list))
        .route(
            "/institutions/new",
            get(record_form::new_page::<registry::InstitutionForm>)
                .post(record_form::create::<registry::InstitutionForm>),
        )
        .route("/institutions/{id}", get(registry::institution_detail))
        .route(
            "/institutions/{id}/edit",
            get(record_form::edit_page::<registry::InstitutionForm>)
                .post(record_form::update::<registry::InstitutionForm>),
        )
        .route("/appraisers", get(registry::appraisers_list))
        .route(
            "/appraisers/new",
            get(record_form::new_page::<registry::AppraiserForm>)
                .post(record_form::create::<registry::AppraiserForm>),
        )
        .route("/appraisers/{id}", get(registry::appraiser_detail))
        .route(
            "/appraisers/{id}/edit",
            get(record_form::edit_page::<registry::AppraiserForm>)
                .post(record_form::update::<registry::AppraiserForm>),
        )
        .route("/organs", get(registry::organs_list))
        .route(
            "/organs/new",
            get(record_form::new_page::<registry::OrganForm>)
                .post(record_form::create::<registry::OrganForm>),
        )
        .route("/organs/{id}", get(registry::organ_detail))
        .route(
            "/organs/{id}/edit",
            get(record_form::edit_page::<registry::OrganForm>)
                .post(record_form::update::<registry::OrganForm>),
        )
        .route(
            "/calendar",
            get(calendar::calendar_page).post(calendar::calendar_load),
        )
        .route("/calendar/{year}", get(calendar::year_page))
        .route("/directory", get(directory::directory_page))
        .route("/ledger", get(ledger::ledger_page))
        .route("/v/{code}", get(verify::page))
        .route("/l/{id}", get(licences::page))
        .route(
            "/directory/appraisers",
            get(directory::directory_appraisers_page),
        )
        .route(
            "/directory/institutions/{id}",
            get(directory::directory_institution_page),
        )
        .route("/cases", get(cases::list))
        .route("/cases/new", get(cases::new_page).post(cases::new_submit))
        .route("/cases/deadlines", get(cases::deadlines))
        .route("/cases/{id}", get(cases::detail))
        .route(
            "/cases/{id}/steps/{name}",
            get(cases::step_page).post(cases::step_submit),
        )
        .route("/cases/{id}/upload/{name}", post(cases::upload_submit))
        .route(
            "/cases/{id}/appearances/{aid}/{outcome}",
            post(cases::appearance_submit),
        )
        .route("/cases/{id}/print/{doc}", get(cases::print))
        .route("/linkage/alerts", get(linkage::list))
        .route("/linkage/alerts/{id}", get(linkage::detail))
        .route(
            "/linkage/alerts/{id}/decide",
            get(linkage::decide_page).post(linkage::decide_submit),
        )
        .route("/events", get(records::events_list))
        .route("/logs/operations", get(records::ops_list))
        .route("/logs/logins", get(records::logins_list))
        .route(
            "/static/app.css",
            get(|| async {
                static_file(
                    "text/css; charset=utf-8",
                    include_str!("../../static/app.css"),
                )
            }),
        )
        .route(
            "/static/app.js",
            get(|| async {
                static_file(
                    "text/javascript; charset=utf-8",
                    include_str!("../../static/app.js"),
                )
            }),
        )
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
