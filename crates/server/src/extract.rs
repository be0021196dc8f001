//! Request extractors whose failures are JSON errors naming the problem, not plain text.
use crate::error::AppError;
use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};

#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

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
