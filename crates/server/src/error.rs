//! One error type for the server. API responses carry it as JSON with a stable `code` and a
//! Chinese `message`; pages render it as an error page. Internal details are logged, never shown.
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sijian_domain::FieldError;
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
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "请先登录，或在 Authorization 头中提供有效的 API 令牌",
        )
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "您的角色无权执行此操作")
    }
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "记录不存在或不在您的管辖范围内",
        )
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf_failed",
            "页面已过期或请求来源不明，请刷新页面后重试",
        )
    }
    pub fn read_only_token() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "read_only_token",
            "此 API 令牌为只读令牌，不能修改数据",
        )
    }
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "输入有误，请按提示修改",
        );
        e.fields = fields;
        e
    }
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "数据库暂不可用，请稍后重试；您的输入未被保存",
        )
    }
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "系统内部错误，已记录，请稍后重试",
        )
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
        match e {
            StoreError::NotFound => AppError::not_found(),
            StoreError::Conflict => AppError::new(
                StatusCode::CONFLICT,
                "version_conflict",
                "该记录已被他人修改，您的修改未保存。请重新打开后再修改",
            ),
            StoreError::Duplicate(what) => {
                let field = duplicate_field(&what);
                let mut err = AppError::new(StatusCode::CONFLICT, "duplicate", "与已有记录重复");
                err.fields.push(FieldError {
                    field: field.into(),
                    message: "已存在相同的值".into(),
                });
                err
            }
            StoreError::ForeignKey(what) => AppError::field(&what, "引用的记录不存在或已停用"),
            StoreError::Forbidden(field) => {
                let mut err = AppError::forbidden();
                err.message = format!("您无权修改此项：{}", field);
                err.fields.push(FieldError {
                    field,
                    message: "超出您的权限或管辖范围".into(),
                });
                err
            }
            StoreError::Invalid { field, message } => AppError::field(&field, message),
            StoreError::Unavailable(msg) => {
                tracing::warn!(error = %msg, "database unavailable");
                AppError::unavailable()
            }
            StoreError::Integrity(msg) => {
                tracing::error!(error = %msg, "data integrity failure");
                AppError::internal()
            }
            StoreError::Config(msg) => {
                tracing::error!(error = %msg, "configuration error");
                AppError::internal()
            }
            StoreError::Other(msg) => {
                tracing::error!(error = %msg, "database error");
                AppError::internal()
            }
        }
    }
}

/// Maps a unique-constraint name or message to the form field it concerns.
fn duplicate_field(what: &str) -> &'static str {
    for (needle, field) in [
        ("username", "username"),
        ("licence_no", "licence_no"),
        ("uscc", "uscc"),
        ("certificate_no", "certificate_no"),
        ("name", "name"),
    ] {
        if what.contains(needle) {
            return field;
        }
    }
    "name"
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = (self.status, axum::Json(self.body())).into_response();
        res.extensions_mut().insert(self);
        res
    }
}
