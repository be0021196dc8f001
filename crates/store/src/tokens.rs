//! API tokens for machine clients: random, shown once, stored only as SHA-256, bound to the
//! role and organisation of the account at creation, expirable and revocable.
use crate::events::{Actor, NewEvent, append};
use crate::users::{USER_JOINS, USER_SELECT, User};
use crate::{Db, StoreError, args, now_ms};
use serde::Serialize;

api_row! { api_token_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct ApiToken {
        pub id: i64,
        pub user_id: i64,
        pub name: String,
        /// First characters of the token, to recognise it in lists.
        pub token_prefix: String,
        #[sqlx(try_from = "crate::column::Text")]
        pub role: sijian_domain::Role,
        pub org_key: String,
        pub read_only: bool,
        pub created_at: i64,
        pub expires_at: Option<i64>,
        pub revoked_at: Option<i64>,
        pub last_used_at: Option<i64>,
    }
}

const COLS: &str = "t.id, t.user_id, t.name, t.token_prefix, t.role, t.org_key, t.read_only, t.created_at, t.expires_at, t.revoked_at, t.last_used_at";

pub struct NewToken<'a> {
    pub user: &'a User,
    pub name: &'a str,
    pub token_hash: &'a str,
    pub token_prefix: &'a str,
    pub org_key: &'a str,
    pub read_only: bool,
    pub expires_at: Option<i64>,
}

pub async fn create(db: &Db, actor: &Actor, t: NewToken<'_>) -> Result<ApiToken, StoreError> {
    let mut tx = db.begin().await?;
    let id: i64 = tx
        .scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, token_prefix, role, org_key, read_only, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            args![t.user.id, t.name, t.token_hash, t.token_prefix, t.user.role.as_str(), t.org_key, t.read_only, now_ms(), t.expires_at],
        )
        .await?;
    append(&mut tx, actor, NewEvent {
        kind: "token.created",
        entity_type: "user",
        entity_id: t.user.id.to_string(),
        scope_path: t.user.home_path.clone(),
        institution_id: t.user.institution_id,
        payload: serde_json::json!({ "token_id": id, "name": t.name, "read_only": t.read_only, "expires_at": t.expires_at }),
    })
    .await?;
    let row = tx
        .fetch_optional(
            &format!("SELECT {COLS} FROM api_tokens t WHERE t.id = $1"),
            args![id],
        )
        .await?;
    tx.commit().await?;
    row.ok_or(StoreError::NotFound)
}

pub async fn list_for_user(db: &Db, user_id: i64) -> Result<Vec<ApiToken>, StoreError> {
    db.fetch_all(
        &format!("SELECT {COLS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id DESC"),
        args![user_id],
    )
    .await
}

/// Revokes one of the user's own tokens. `NotFound` for another user's token.
pub async fn revoke(db: &Db, actor: &Actor, user: &User, id: i64) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let n = tx
        .execute(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
            args![now_ms(), id, user.id],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: "token.revoked",
            entity_type: "user",
            entity_id: user.id.to_string(),
            scope_path: user.home_path.clone(),
            institution_id: user.institution_id,
            payload: serde_json::json!({ "token_id": id }),
        },
    )
    .await?;
    tx.commit().await
}

pub struct TokenUse {
    pub token: ApiToken,
    pub user: User,
}

#[derive(sqlx::FromRow)]
struct Joined {
    #[sqlx(flatten)]
    user: User,
    t_id: i64,
    t_name: String,
    token_prefix: String,
    #[sqlx(try_from = "crate::column::Text")]
    t_role: sijian_domain::Role,
    org_key: String,
    read_only: bool,
    t_created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
}

/// The token with this hash and its account, in one query (validity is the caller's decision).
pub async fn find(db: &Db, token_hash: &str) -> Result<Option<TokenUse>, StoreError> {
    let sql = format!(
        "SELECT {USER_SELECT}, t.id AS t_id, t.name AS t_name, t.token_prefix, t.role AS t_role, t.org_key, t.read_only, \
         t.created_at AS t_created_at, t.expires_at, t.revoked_at, t.last_used_at \
         FROM api_tokens t JOIN users u ON u.id = t.user_id {USER_JOINS} WHERE t.token_hash = $1"
    );
    let row: Option<Joined> = db.fetch_optional(&sql, args![token_hash]).await?;
    Ok(row.map(|j| TokenUse {
        token: ApiToken {
            id: j.t_id,
            user_id: j.user.id,
            name: j.t_name,
            token_prefix: j.token_prefix,
            role: j.t_role,
            org_key: j.org_key,
            read_only: j.read_only,
            created_at: j.t_created_at,
            expires_at: j.expires_at,
            revoked_at: j.revoked_at,
            last_used_at: j.last_used_at,
        },
        user: j.user,
    }))
}

pub async fn mark_used(db: &Db, id: i64, now: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
        args![now, id],
    )
    .await?;
    Ok(())
}
