//! Request extractors whose failures are JSON errors naming the problem, not plain text.
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sijian_domain::validate::has_control_character;

/// A JSON body, decoded as `axum::Json` decodes it, whose strings hold no control characters
/// but tab and line breaks (refused with `400 control_characters` naming each field, as forms
/// are: `web::forms`).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !json_content_type(req.headers()) {
            return Err(AppError::bad_request(
                "请求体不是有效的 JSON，或字段类型不符：Expected request with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::from(JsonRejection::from(e)))?;
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        // The body is JSON (it just decoded); read once more as a tree to name the fields.
        if let Ok(tree) = serde_json::from_slice::<Value>(&bytes) {
            let mut fields = Vec::new();
            control_characters(&tree, String::new(), &mut fields);
            if !fields.is_empty() {
                return Err(AppError::control_characters(fields));
            }
            let mut long = Vec::new();
            too_long(&tree, "", String::new(), &mut long);
            if !long.is_empty() {
                return Err(AppError::text_too_long(long));
            }
        }
        Ok(ApiJson(value))
    }
}

/// `application/json` or a `+json` type, as `axum::Json` requires.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"))
}

/// Paths (`persons[0].name`) of the strings, keys included, that hold a control character.
fn control_characters(v: &Value, path: String, out: &mut Vec<String>) {
    let field = |path: &str| {
        if path.is_empty() {
            "body".to_string()
        } else {
            path.to_string()
        }
    };
    match v {
        Value::String(s) if has_control_character(s) => out.push(field(&path)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                control_characters(item, format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let at = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if has_control_character(k) {
                    out.push(field(&at));
                }
                control_characters(item, at, out);
            }
        }
        _ => {}
    }
}

/// Paths of the strings longer than any text may be (`validate::MAX_TEXT_CHARS`), file data
/// excepted.
fn too_long(v: &Value, key: &str, path: String, out: &mut Vec<String>) {
    match v {
        Value::String(s) if sijian_domain::validate::text_too_long(key, s) => out.push(path),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                too_long(item, key, format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let at = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                too_long(item, k, at, out);
            }
        }
        _ => {}
    }
}

#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        let mut e = AppError::bad_request(format!(
            "请求体不是有效的 JSON，或字段类型不符：{}",
            r.body_text()
        ));
        if matches!(r, JsonRejection::JsonDataError(_)) {
            e.status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            e.code = "invalid_body";
        }
        e
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> Self {
        AppError::bad_request(format!("查询参数有误：{}", r.body_text()))
    }
}

impl From<PathRejection> for AppError {
    fn from(r: PathRejection) -> Self {
        AppError::bad_request(format!("路径参数有误：{}", r.body_text()))
    }
}
