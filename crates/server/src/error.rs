//! One error type for the server. API responses carry it as JSON with a stable `code` and a
//! Chinese `message`; pages render it as an error page. Internal details are logged, never shown.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sijian_domain::FieldError;
use sijian_service::{Error as ServiceError, ErrorKind};
use sijian_store::StoreError;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `validation_failed`, `not_found`, `version_conflict`.
    pub code: &'static str,
    /// Chinese message for people.
    pub message: String,
    /// Field-level problems, when the input was refused.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<FieldErrorSchema>)]
    pub fields: Vec<FieldError>,
}

/// A refused field: which one and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldErrorSchema {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        AppError {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }
    pub fn unauthenticated() -> Self {
        ServiceError::unauthenticated().into()
    }
    pub fn forbidden() -> Self {
        ServiceError::forbidden().into()
    }
    pub fn not_found() -> Self {
        ServiceError::not_found().into()
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        ServiceError::bad_request(message).into()
    }
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "页面已过期或请求来源不明，请刷新页面后重试",
        )
    }
    pub fn read_only_token() -> Self {
        ServiceError::read_only_token().into()
    }
    /// A change that only a signed-in session may make (web forms, creating API tokens).
    pub fn session_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "session_required",
            crate::i18n::Lang::Zh.t("error.code.session_required"),
        )
    }
    /// An account that must change its password may do nothing else until it has.
    pub fn password_change_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "password_change_required",
            crate::i18n::Lang::Zh.t("error.code.password_change_required"),
        )
    }
    /// Text fields holding control characters other than tab and line breaks: refused before
    /// any use case sees them, with each field named (`domain::validate::has_control_character`).
    /// Text values over the platform's maximum (`validate::MAX_TEXT_CHARS`), each named.
    pub fn text_too_long(fields: Vec<String>) -> Self {
        Self::validation(
            fields
                .into_iter()
                .map(|field| FieldError {
                    field,
                    message: sijian_domain::validate::TEXT_TOO_LONG.to_string(),
                })
                .collect(),
        )
    }
    pub fn control_characters(fields: Vec<String>) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "control_characters",
            crate::i18n::Lang::Zh.t("error.code.control_characters"),
        );
        e.fields = fields
            .into_iter()
            .map(|field| FieldError {
                field,
                message: sijian_domain::validate::CONTROL_CHARACTERS.to_string(),
            })
            .collect();
        e
    }
    pub fn validation(fields: Vec<FieldError>) -> Self {
        ServiceError::validation(fields).into()
    }
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ServiceError::field(field, message).into()
    }
    pub fn unavailable() -> Self {
        ServiceError::unavailable().into()
    }
    pub fn internal() -> Self {
        ServiceError::internal().into()
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.clone(),
                fields: self.fields.clone(),
            },
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::from(ServiceError::from(e))
    }
}

impl From<ServiceError> for AppError {
    fn from(e: ServiceError) -> Self {
        let status = match e.kind {
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Locked => StatusCode::LOCKED,
            ErrorKind::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        AppError {
            status,
            code: e.code,
            message: e.message,
            fields: e.fields,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = (self.status, axum::Json(self.body())).into_response();
        res.extensions_mut().insert(self);
        res
    }
}
