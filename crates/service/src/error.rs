//! One error type for the services. It says what kind of failure it is (the server maps the kind
//! to an HTTP status), carries a stable `code`, a message for people and the refused fields.
//! Internal details are logged here, never put in the message.
use sijian_domain::FieldError;
use sijian_store::StoreError;

/// What went wrong, independent of how it is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    /// The account or resource is locked for a while.
    Locked,
    Validation,
    TooManyRequests,
    Unavailable,
    Internal,
}

#[derive(Debug, Clone)]
pub struct Error {
    pub kind: ErrorKind,
    /// Stable machine-readable code, e.g. `validation_failed`, `not_found`, `version_conflict`.
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Error {
            kind,
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }
    pub fn unauthenticated() -> Self {
        Self::new(
            ErrorKind::Unauthenticated,
            "unauthenticated",
            "请先登录，或在 Authorization 头中提供有效的 API 令牌",
        )
    }
    pub fn forbidden() -> Self {
        Self::new(ErrorKind::Forbidden, "forbidden", "您的角色无权执行此操作")
    }
    /// Refused by a rule whose message names its source.
    pub fn forbidden_because(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, "forbidden", message)
    }
    pub fn not_found() -> Self {
        Self::new(
            ErrorKind::NotFound,
            "not_found",
            "记录不存在或不在您的管辖范围内",
        )
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, "bad_request", message)
    }
    pub fn read_only_token() -> Self {
        Self::new(
            ErrorKind::Forbidden,
            "read_only_token",
            "此 API 令牌为只读令牌，不能修改数据",
        )
    }
    pub fn validation(fields: Vec<FieldError>) -> Self {
        let mut e = Self::new(
            ErrorKind::Validation,
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
            ErrorKind::Unavailable,
            "database_unavailable",
            "数据库暂不可用，请稍后重试；您的输入未被保存",
        )
    }
    pub fn internal() -> Self {
        Self::new(
            ErrorKind::Internal,
            "internal_error",
            "系统内部错误，已记录，请稍后重试",
        )
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::not_found(),
            StoreError::Conflict => Error::new(
                ErrorKind::Conflict,
                "version_conflict",
                "该记录已被他人修改，您的修改未保存。请重新打开后再修改",
            ),
            StoreError::Duplicate(what) => {
                let field = duplicate_field(&what);
                let mut err = Error::new(ErrorKind::Conflict, "duplicate", "与已有记录重复");
                err.fields.push(FieldError {
                    field: field.into(),
                    message: "已存在相同的值".into(),
                });
                err
            }
            StoreError::ForeignKey(what) => Error::field(&what, "引用的记录不存在或已停用"),
            StoreError::Forbidden(field) => {
                let mut err = Error::forbidden();
                err.message = format!("您无权修改此项：{}", field);
                err.fields.push(FieldError {
                    field,
                    message: "超出您的权限或管辖范围".into(),
                });
                err
            }
            StoreError::Invalid { field, message } => Error::field(&field, message),
            StoreError::Unavailable(msg) => {
                tracing::warn!(error = %msg, "database unavailable");
                Error::unavailable()
            }
            StoreError::Integrity(msg) => {
                tracing::error!(error = %msg, "data integrity failure");
                Error::internal()
            }
            StoreError::Config(msg) => {
                tracing::error!(error = %msg, "configuration error");
                Error::internal()
            }
            StoreError::Other(msg) => {
                tracing::error!(error = %msg, "database error");
                Error::internal()
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
