use std::fmt;

/// Errors of the persistence layer. Callers turn them into user-facing errors; the database's
/// own message is logged, never shown.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("记录不存在")]
    NotFound,
    /// The row changed since the caller read it (optimistic version check).
    #[error("记录已被他人修改")]
    Conflict,
    /// A unique constraint refused the change; carries the constraint or column name.
    #[error("重复：{0}")]
    Duplicate(String),
    #[error("引用的记录不存在：{0}")]
    ForeignKey(String),
    /// The database cannot be reached (connection refused, pool timed out, closed).
    #[error("数据库暂不可用")]
    Unavailable(String),
    /// The change reaches outside the actor's scope or touches a field the role may not change.
    #[error("无权修改：{0}")]
    Forbidden(String),
    /// A rule the database layer checks (e.g. practice items within the institution's scope).
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("配置错误：{0}")]
    Config(String),
    /// Stored data contradicts what was signed (e.g. the log's hashes no longer give the last
    /// checkpoint's root): a sign of tampering, never retried.
    #[error("数据完整性错误：{0}")]
    Integrity(String),
    #[error("数据库错误")]
    Other(DbMessage),
}

/// The database's own message, kept for logs.
#[derive(Debug)]
pub struct DbMessage(pub String);
impl fmt::Display for DbMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                StoreError::Unavailable(e.to_string())
            }
            sqlx::Error::Database(ref d) => {
                let name = d
                    .constraint()
                    .map(str::to_string)
                    .unwrap_or_else(|| d.message().to_string());
                match d.kind() {
                    ErrorKind::UniqueViolation => StoreError::Duplicate(name),
                    ErrorKind::ForeignKeyViolation => StoreError::ForeignKey(name),
                    _ => {
                        // 57P01 admin shutdown, 08xxx connection exceptions: the server went away.
                        let code = d.code().map(|c| c.to_string()).unwrap_or_default();
                        if code.starts_with("08") || code.starts_with("57P") {
                            StoreError::Unavailable(e.to_string())
                        } else {
                            StoreError::Other(DbMessage(e.to_string()))
                        }
                    }
                }
            }
            other => StoreError::Other(DbMessage(other.to_string())),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Other(DbMessage(format!("migration: {e}")))
    }
}
