//! Server-side sessions, kept in the database so several nodes share them. The cookie holds a
//! random id; only its SHA-256 is stored.
use crate::users::{USER_JOINS, USER_SELECT, User};
use crate::{Db, StoreError, args};

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: i64,
    pub last_seen_at: i64,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct SessionCols {
    csrf_token: String,
    expires_at: i64,
    last_seen_at: i64,
    s_created_at: i64,
}

/// A session to start: the hash of its secret, whose it is, its CSRF token and where from.
#[derive(Debug, Clone, Copy)]
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: i64,
    pub csrf: &'a str,
    pub now: i64,
    pub expires_at: i64,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

pub async fn create(db: &Db, session: &NewSession<'_>) -> Result<(), StoreError> {
    let NewSession {
        id_hash,
        user_id,
        csrf,
        now,
        expires_at,
        ip,
        user_agent,
    } = *session;
    db.execute(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent) VALUES ($1, $2, $3, $4, $4, $5, $6, $7)",
        args![id_hash, user_id, csrf, now, expires_at, ip, user_agent],
    )
    .await?;
    Ok(())
}

/// The live session with this id hash and its account, in one query.
pub async fn load(db: &Db, id_hash: &str, now: i64) -> Result<Option<SessionRecord>, StoreError> {
    let sql = format!(
        "SELECT {USER_SELECT}, s.csrf_token, s.expires_at, s.last_seen_at, s.created_at AS s_created_at \
         FROM sessions s JOIN users u ON u.id = s.user_id {USER_JOINS} WHERE s.id_hash = $1 AND s.expires_at > $2"
    );
    let row: Option<Joined> = db.fetch_optional(&sql, args![id_hash, now]).await?;
    Ok(row.map(|j| SessionRecord {
        user: j.user,
        csrf_token: j.s.csrf_token,
        expires_at: j.s.expires_at,
        last_seen_at: j.s.last_seen_at,
        created_at: j.s.s_created_at,
    }))
}

#[derive(sqlx::FromRow)]
struct Joined {
    #[sqlx(flatten)]
    user: User,
    #[sqlx(flatten)]
    s: SessionCols,
}

/// Slides the idle expiry; capped by the caller at the absolute lifetime.
pub async fn touch(db: &Db, id_hash: &str, now: i64, expires_at: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id_hash = $3",
        args![now, expires_at, id_hash],
    )
    .await?;
    Ok(())
}

pub async fn delete(db: &Db, id_hash: &str) -> Result<(), StoreError> {
    db.execute("DELETE FROM sessions WHERE id_hash = $1", args![id_hash])
        .await?;
    Ok(())
}

/// Removes expired sessions; returns how many.
pub async fn purge_expired(db: &Db, now: i64) -> Result<u64, StoreError> {
    db.execute("DELETE FROM sessions WHERE expires_at <= $1", args![now])
        .await
}
