//! The operations log and the login log: who did what, when, from where, with what result.
use crate::list::{ListQuery, Listing, Page};
use crate::scope::{Scoped, predicate};
use crate::{Db, StoreError, args};
use serde::Serialize;
use sijian_domain::Scope;

#[derive(Debug, Clone)]
pub struct OpEntry<'a> {
    pub at: i64,
    pub user_id: Option<i64>,
    pub username: &'a str,
    pub role: &'a str,
    pub home_path: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub action: &'a str,
    pub ip: &'a str,
    pub status: i64,
    pub result: &'a str,
    pub detail: &'a str,
}

pub async fn record_op(db: &Db, e: &OpEntry<'_>) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO op_log (at, user_id, username, role, home_path, method, path, action, ip, status, result, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        args![e.at, e.user_id, e.username, e.role, e.home_path, e.method, e.path, e.action, e.ip, e.status, e.result, e.detail],
    )
    .await?;
    Ok(())
}

api_row! { op_log_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct OpLogRow {
        pub id: i64,
        pub at: i64,
        pub user_id: Option<i64>,
        pub username: String,
        pub role: String,
        pub method: String,
        pub path: String,
        pub action: String,
        pub ip: String,
        pub status: i64,
        pub result: String,
        pub detail: String,
    }
}

pub async fn list_ops(
    db: &Db,
    scope: &Scope,
    result: Option<String>,
    q: &ListQuery,
) -> Result<Page<OpLogRow>, StoreError> {
    let mut l = Listing::new(
        "l.id, l.at, l.user_id, l.username, l.role, l.method, l.path, l.action, l.ip, l.status, l.result, l.detail",
        "op_log l",
    );
    let p = predicate(scope, Scoped::Log, &mut l.args);
    l.push(p);
    l.eq("l.result", result);
    l.search(q.search(), &["l.username", "l.action", "l.path", "l.ip"]);
    let q = q.newest_first(None);
    l.run(
        db,
        &q,
        &[
            ("at", "l.at"),
            ("user", "l.username"),
            ("action", "l.action"),
            ("status", "l.status"),
        ],
        "l.id",
    )
    .await
}

api_row! { login_log_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct LoginLogRow {
        pub id: i64,
        pub at: i64,
        pub username: String,
        pub user_id: Option<i64>,
        pub ip: String,
        pub user_agent: String,
        pub result: String,
    }
}

/// One sign-in attempt for the login log.
#[derive(Debug, Clone, Copy)]
pub struct LoginAttempt<'a> {
    pub at: i64,
    pub username: &'a str,
    pub user_id: Option<i64>,
    pub home_path: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
    /// ok | wrong_password | locked | throttled | …
    pub result: &'a str,
}

pub async fn record_login(db: &Db, attempt: &LoginAttempt<'_>) -> Result<(), StoreError> {
    let LoginAttempt {
        at,
        username,
        user_id,
        home_path,
        ip,
        user_agent,
        result,
    } = *attempt;
    db.execute(
        "INSERT INTO login_log (at, username, user_id, home_path, ip, user_agent, result, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![at, username, user_id, home_path, ip, user_agent, result, ip],
    )
    .await?;
    Ok(())
}

/// Failed sign-ins from one address since `since` (for throttling across all nodes).
pub async fn failures_from_ip(db: &Db, ip: &str, since: i64) -> Result<i64, StoreError> {
    db.scalar(
        "SELECT COUNT(*) FROM login_log WHERE ip = $1 AND at >= $2 AND result <> 'ok'",
        args![ip, since],
    )
    .await
}

/// Reserves one sign-in attempt from `source` before the password is checked: the attempt is
/// logged as `pending` first, then every attempt from the source in the window that did not
/// succeed — pending ones included — is counted. Each attempt's row is written before it
/// counts, so among concurrent attempts the k-th to count sees at least k rows, and no more
/// than `limit` get past however many race (issue 14, point 9). Returns the row's id and
/// whether the attempt may go on; [`finish_login`] records its result.
pub async fn reserve_login(
    db: &Db,
    attempt: &LoginAttempt<'_>,
    source: &str,
    since: i64,
    limit: i64,
) -> Result<(i64, bool), StoreError> {
    let LoginAttempt {
        at,
        username,
        user_id,
        home_path,
        ip,
        user_agent,
        ..
    } = *attempt;
    let id: i64 = db
        .scalar(
            "INSERT INTO login_log (at, username, user_id, home_path, ip, user_agent, result, source) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) RETURNING id",
            args![at, username, user_id, home_path, ip, user_agent, source],
        )
        .await?;
    let n: i64 = db
        .scalar(
            "SELECT COUNT(*) FROM login_log WHERE source = $1 AND at >= $2 AND result <> 'ok'",
            args![source, since],
        )
        .await?;
    Ok((id, n <= limit))
}

/// The result of a reserved attempt, with the account once known.
pub async fn finish_login(
    db: &Db,
    id: i64,
    user: Option<(i64, &str)>,
    result: &str,
) -> Result<(), StoreError> {
    let (user_id, home_path) = match user {
        Some((u, h)) => (Some(u), h),
        None => (None, "/"),
    };
    db.execute(
        "UPDATE login_log SET result = $1, user_id = $2, home_path = $3 WHERE id = $4",
        args![result, user_id, home_path, id],
    )
    .await?;
    Ok(())
}

pub async fn list_logins(
    db: &Db,
    scope: &Scope,
    result: Option<String>,
    q: &ListQuery,
) -> Result<Page<LoginLogRow>, StoreError> {
    let mut l = Listing::new(
        "l.id, l.at, l.username, l.user_id, l.ip, l.user_agent, l.result",
        "login_log l",
    );
    let p = predicate(scope, Scoped::Log, &mut l.args);
    l.push(p);
    l.eq("l.result", result);
    l.search(q.search(), &["l.username", "l.ip"]);
    let q = q.newest_first(None);
    l.run(
        db,
        &q,
        &[
            ("at", "l.at"),
            ("user", "l.username"),
            ("result", "l.result"),
        ],
        "l.id",
    )
    .await
}
