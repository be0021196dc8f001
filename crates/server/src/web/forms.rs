//! Form posts: the body is parsed once, the session's CSRF token in `_csrf` is checked before
//! anything else, and the request must come from our own origin.
use crate::auth::{Authed, Ctx, PageUser, Via};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use sijian_domain::validate::has_control_character;
use sijian_service::secrets;

/// Fields of a submitted form, in order; repeated names (checkboxes) keep every value.
#[derive(Debug, Default, Clone)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        FormData(serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default())
    }
    pub fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default()
    }
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub fn flag(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v == "true" || v == "on")
    }
    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(|v| v.trim().parse().ok())
    }
}

impl FormData {
    /// Refuses fields holding control characters other than tab and line breaks
    /// (`domain::validate::has_control_character`), each named, as JSON bodies are
    /// (`extract::ApiJson`). Field names count too. Then refuses values longer than any text
    /// may be (`validate::MAX_TEXT_CHARS`).
    pub fn refuse_control_characters(&self) -> Result<(), AppError> {
        let fields: Vec<String> = self
            .0
            .iter()
            .filter(|(k, v)| has_control_character(k) || has_control_character(v))
            .map(|(k, _)| k.clone())
            .collect();
        if !fields.is_empty() {
            return Err(AppError::control_characters(fields));
        }
        let long: Vec<String> = self
            .0
            .iter()
            .filter(|(k, v)| sijian_domain::validate::text_too_long(k, v))
            .map(|(k, _)| k.clone())
            .collect();
        if long.is_empty() {
            Ok(())
        } else {
            Err(AppError::text_too_long(long))
        }
    }
}

/// Same-origin check for browser posts: `Sec-Fetch-Site` when the browser sends it, else
/// `Origin` against `Host`.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin" || site == "none";
    }
    match (
        headers.get("origin").and_then(|v| v.to_str().ok()),
        headers.get("host").and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => origin.split("://").nth(1) == Some(host),
        _ => true,
    }
}

/// Reads the body of a form post as fields.
async fn read_form(
    parts: axum::http::request::Parts,
    body: axum::body::Body,
    state: &AppState,
) -> Result<FormData, Response> {
    let req = Request::from_parts(parts, body);
    let bytes = Bytes::from_request(req, state)
        .await
        .map_err(IntoResponse::into_response)?;
    Ok(FormData::parse(&bytes))
}

/// Forms are for people signed in with a session: an API token has no CSRF token to send, so a
/// token caller is refused whatever `_csrf` says (issue 14, point 3).
fn session_only(user: &Authed, lang: Lang) -> Result<(), Response> {
    match user.via {
        Via::Session { .. } => Ok(()),
        Via::Token { .. } => Err(super::page_error(AppError::session_required(), lang)),
    }
}

/// A signed-in form post, from a session, whose CSRF token matched.
pub struct Post {
    pub user: Authed,
    pub lang: Lang,
    pub form: FormData,
}

impl FromRequest<AppState> for Post {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let PageUser(user, lang) = PageUser::from_request_parts(&mut parts, state).await?;
        session_only(&user, lang)?;
        let ok_origin = same_origin(&parts.headers);
        let form = read_form(parts, body, state).await?;
        if !ok_origin || !secrets::same_secret(&form.text("_csrf"), user.csrf()) {
            return Err(super::page_error(AppError::csrf(), lang));
        }
        form.refuse_control_characters()
            .map_err(|e| super::page_error(e, lang))?;
        Ok(Post { user, lang, form })
    }
}

/// A form post before sign-in (the login form): checked against the double-submit cookie.
pub struct AnonPost {
    pub ctx: Ctx,
    pub form: FormData,
}

pub const LOGIN_CSRF_COOKIE: &str = "sijian_login_csrf";

impl FromRequest<AppState> for AnonPost {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state)
            .await
            .expect("infallible");
        let cookie = crate::auth::cookie(&parts.headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
        let ok_origin = same_origin(&parts.headers);
        let form = read_form(parts, body, state).await?;
        if !ok_origin || cookie.is_empty() || !secrets::same_secret(&form.text("_csrf"), &cookie) {
            return Err(super::page_error(AppError::csrf(), ctx.lang));
        }
        form.refuse_control_characters()
            .map_err(|e| super::page_error(e, ctx.lang))?;
        Ok(AnonPost { ctx, form })
    }
}

/// A file sent with a multipart form.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    pub field: String,
    pub file_name: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// A signed-in multipart form post (forms with files), from a session, whose CSRF token matched.
pub struct MultipartPost {
    pub user: Authed,
    pub lang: Lang,
    pub form: FormData,
    pub files: Vec<UploadedFile>,
}

impl FromRequest<AppState> for MultipartPost {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let PageUser(user, lang) = PageUser::from_request_parts(&mut parts, state).await?;
        session_only(&user, lang)?;
        let ok_origin = same_origin(&parts.headers);
        let req = Request::from_parts(parts, body);
        let bad = || {
            super::page_error(
                AppError::field(
                    "attachments",
                    "上传内容无法读取（单次提交合计不超过 2 MiB）",
                ),
                lang,
            )
        };
        let mut mp = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| bad())?;
        let mut form = FormData::default();
        let mut files = Vec::new();
        while let Some(field) = mp.next_field().await.map_err(|_| bad())? {
            let name = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) => {
                    let content_type = field
                        .content_type()
                        .unwrap_or("application/octet-stream")
                        .to_string();
                    let data = field.bytes().await.map_err(|_| bad())?.to_vec();
                    if !file_name.is_empty() && !data.is_empty() {
                        files.push(UploadedFile {
                            field: name,
                            file_name,
                            content_type,
                            data,
                        });
                    }
                }
                None => {
                    let text = field.text().await.map_err(|_| bad())?;
                    form.0.push((name, text));
                }
            }
        }
        if !ok_origin || !secrets::same_secret(&form.text("_csrf"), user.csrf()) {
            return Err(super::page_error(AppError::csrf(), lang));
        }
        // Text fields only: files are data, not text.
        form.refuse_control_characters()
            .map_err(|e| super::page_error(e, lang))?;
        Ok(MultipartPost {
            user,
            lang,
            form,
            files,
        })
    }
}
