//! Errors as pages: the status kept, the message and the refused fields in the reader's language.
use crate::error::AppError;
use crate::i18n::Lang;
use askama::Template;
use axum::response::{Html, IntoResponse, Response};

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub lang: Lang,
    pub status: u16,
    pub message: String,
    pub fields: Vec<String>,
}

/// An error as a page, keeping the status code.
pub fn page_error(e: impl Into<AppError>, lang: Lang) -> Response {
    let e: AppError = e.into();
    let page = ErrorPage {
        lang,
        status: e.status.as_u16(),
        message: lang.error_message(e.code, &e.message),
        fields: e
            .fields
            .iter()
            .map(|f| format!("{}：{}", f.field, lang.error_message("", &f.message)))
            .collect(),
    };
    let body = page.render().unwrap_or_else(|_| e.message.clone());
    let mut res = (e.status, Html(body)).into_response();
    res.extensions_mut().insert(e);
    res
}
