//! Accounts: who can sign in, with which role, attached to which organisation.
use crate::db::Exec;
use crate::events::{Actor, NewEvent, append};
use crate::list::{ListQuery, Listing, Page};
use crate::scope::{Scoped, ScopedRows, predicate};
use crate::{Db, StoreError, Tx, args, now_ms};
use serde::Serialize;
use sijian_domain::{Principal, RegionPath, Role, Scope};

api_row! { user_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct User {
        pub id: i64,
        pub username: String,
        pub display_name: String,
        #[sqlx(try_from = "crate::column::Text")]
        pub role: Role,
        pub region_code: Option<String>,
        pub institution_id: Option<i64>,
        pub appraiser_id: Option<i64>,
        pub organ_id: Option<i64>,
        /// Name of the organisation the account acts for (region, institution or organ).
        pub org_name: Option<String>,
        pub home_path: String,
        pub lang: String,
        pub active: bool,
        pub failed_logins: i64,
        pub locked_until: Option<i64>,
        pub must_change_password: bool,
        pub last_login_at: Option<i64>,
        pub created_at: i64,
        pub updated_at: i64,
        pub version: i64,
    }
}

pub(crate) const USER_SELECT: &str = "u.id, u.username, u.display_name, u.role, u.region_code, u.institution_id, u.appraiser_id, u.organ_id, \
    COALESCE(ui.name, uo.name, ur.name) AS org_name, u.home_path, u.lang, u.active, u.failed_logins, u.locked_until, \
    u.must_change_password, u.last_login_at, u.created_at, u.updated_at, u.version";
/// Joins that name the account's organisation; they follow `users u`.
macro_rules! user_joins {
    () => {
        "LEFT JOIN institutions ui ON ui.id = u.institution_id \
         LEFT JOIN organs uo ON uo.id = u.organ_id LEFT JOIN regions ur ON ur.code = u.region_code"
    };
}
pub(crate) const USER_JOINS: &str = user_joins!();
pub(crate) const USER_FROM: &str = concat!("users u ", user_joins!());

impl User {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn principal(&self) -> Principal {
        let role = self.role();
        Principal {
            user_id: self.id,
            username: self.username.clone(),
            role,
            region_path: if role.is_regional() {
                RegionPath::parse(&self.home_path)
            } else {
                None
            },
            institution_id: self.institution_id,
            appraiser_id: self.appraiser_id,
            organ_id: self.organ_id,
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.id),
            name: self.username.clone(),
        }
    }

    pub fn locked_at(&self, now: i64) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }
}

/// The attachment of a new or changed account; checked against the role.
#[derive(Debug, Clone, Default)]
pub struct Attachment {
    pub region_code: Option<String>,
    pub institution_id: Option<i64>,
    pub appraiser_id: Option<i64>,
    pub organ_id: Option<i64>,
}

impl Attachment {
    /// A regional account's attachment: the region it oversees.
    pub fn region(code: &str) -> Self {
        Attachment {
            region_code: Some(code.into()),
            ..Default::default()
        }
    }

    /// Institution staff's attachment.
    pub fn institution(id: i64) -> Self {
        Attachment {
            institution_id: Some(id),
            ..Default::default()
        }
    }

    /// An appraiser account's attachment: its appraiser record.
    pub fn appraiser(id: i64) -> Self {
        Attachment {
            appraiser_id: Some(id),
            ..Default::default()
        }
    }

    /// An organ account's attachment.
    pub fn organ(id: i64) -> Self {
        Attachment {
            organ_id: Some(id),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub attachment: Attachment,
    pub lang: String,
    pub must_change_password: bool,
}

/// Resolves and checks an attachment; returns it normalised with the account's home path.
/// Regional roles need a region of the right level (the ministry none); institution staff an
/// institution; an appraiser account its appraiser record (and so its institution); an organ
/// account its organ.
async fn resolve(
    tx: &mut crate::Tx,
    role: Role,
    a: &Attachment,
) -> Result<(Attachment, String), StoreError> {
    let invalid = |field: &str, message: &str| StoreError::Invalid {
        field: field.into(),
        message: message.into(),
    };
    let mut out = Attachment::default();
    let home = match role {
        Role::Admin | Role::RegulatorMinistry => "/".to_string(),
        r if r.is_regional() => {
            let code = a
                .region_code
                .clone()
                .ok_or_else(|| invalid("region_code", "该角色须指定所属行政区划"))?;
            let path = crate::regions::current_path(tx, &code).await?;
            let depth = RegionPath::parse(&path).map(|p| p.depth()).unwrap_or(0);
            if let Some(want) = r.required_region_depth()
                && depth != want
            {
                return Err(invalid(
                    "region_code",
                    "行政区划的层级与角色不符（省级、市级、县级司法行政机关须对应省、市、县）",
                ));
            }
            out.region_code = Some(code);
            path
        }
        Role::InstitutionHead | Role::InstitutionClerk => {
            let id = a
                .institution_id
                .ok_or_else(|| invalid("institution_id", "该角色须指定所属鉴定机构"))?;
            let row: Option<(String,)> = tx
                .fetch_optional(
                    "SELECT region_path FROM institutions WHERE id = $1",
                    args![id],
                )
                .await?;
            out.institution_id = Some(id);
            row.ok_or_else(|| invalid("institution_id", "鉴定机构不存在"))?
                .0
        }
        Role::Appraiser => {
            let id = a
                .appraiser_id
                .ok_or_else(|| invalid("appraiser_id", "鉴定人账号须关联鉴定人名册记录"))?;
            let row: Option<(i64, String)> = tx
                .fetch_optional(
                    "SELECT a.institution_id, i.region_path FROM appraisers a JOIN institutions i ON i.id = a.institution_id WHERE a.id = $1",
                    args![id],
                )
                .await?;
            let (inst, path) = row.ok_or_else(|| invalid("appraiser_id", "鉴定人不存在"))?;
            out.appraiser_id = Some(id);
            out.institution_id = Some(inst);
            path
        }
        Role::Organ => {
            let id = a
                .organ_id
                .ok_or_else(|| invalid("organ_id", "办案机关账号须指定所属机关"))?;
            let row: Option<(String,)> = tx
                .fetch_optional("SELECT region_path FROM organs WHERE id = $1", args![id])
                .await?;
            out.organ_id = Some(id);
            row.ok_or_else(|| invalid("organ_id", "办案机关不存在"))?.0
        }
        _ => return Err(invalid("role", "无效的角色")),
    };
    Ok((out, home))
}

const USER_ROWS: ScopedRows = ScopedRows::new(Scoped::User, USER_SELECT, USER_FROM, "u.id");

/// One account, if in scope (otherwise `NotFound`); on the pool (`&Db`) or inside a
/// transaction (`&mut Tx`).
pub async fn get(ex: impl Into<Exec<'_>>, scope: &Scope, id: i64) -> Result<User, StoreError> {
    USER_ROWS.one(ex, scope, id).await
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<(User, String)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct H {
        id: i64,
        password_hash: String,
    }
    let h: Option<H> = db
        .fetch_optional(
            "SELECT id, password_hash FROM users WHERE username = $1",
            args![username],
        )
        .await?;
    match h {
        None => Ok(None),
        Some(h) => Ok(Some((get(db, &Scope::All, h.id).await?, h.password_hash))),
    }
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    u: &NewUser,
) -> Result<User, StoreError> {
    let mut tx = db.begin().await?;
    let (att, home) = resolve(&mut tx, u.role, &u.attachment).await?;
    if let Some(p) = RegionPath::parse(&home)
        && !scope.reaches_region(&p)
    {
        return Err(StoreError::Forbidden("role".into()));
    }
    let now = now_ms();
    let id: i64 = tx
        .scalar(
            "INSERT INTO users (username, display_name, password_hash, role, region_code, institution_id, appraiser_id, organ_id, home_path, lang, \
             must_change_password, password_changed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $12) RETURNING id",
            args![u.username.as_str(), u.display_name.as_str(), u.password_hash.as_str(), u.role.as_str(), att.region_code.clone(), att.institution_id, att.appraiser_id, att.organ_id, home.as_str(), u.lang.as_str(), u.must_change_password, now],
        )
        .await?;
    append(&mut tx, actor, NewEvent {
        kind: "user.created",
        entity_type: "user",
        entity_id: id.to_string(),
        scope_path: home,
        institution_id: att.institution_id,
        payload: serde_json::json!({ "username": u.username, "role": u.role.as_str(), "region_code": att.region_code, "institution_id": att.institution_id, "appraiser_id": att.appraiser_id, "organ_id": att.organ_id }),
    })
    .await?;
    let row = get(&mut tx, &Scope::All, id).await?;
    tx.commit().await?;
    Ok(row)
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<String>,
    pub active: Option<bool>,
}

pub async fn list(
    db: &Db,
    scope: &Scope,
    f: &UserFilter,
    q: &ListQuery,
) -> Result<Page<User>, StoreError> {
    let mut l = Listing::new(USER_SELECT, USER_FROM);
    let p = predicate(scope, Scoped::User, &mut l.args);
    l.push(p);
    l.eq("u.role", f.role.clone());
    l.eq("u.active", f.active);
    l.search(q.search(), &["u.username", "u.display_name"]);
    l.run(
        db,
        q,
        &[
            ("username", "u.username"),
            ("name", "u.display_name"),
            ("role", "u.role"),
            ("last_login", "u.last_login_at"),
        ],
        "u.id",
    )
    .await
}

/// Changes display name, role and attachment, and whether the account is active.
/// What an administrator may change of an account.
#[derive(Debug, Clone, Copy)]
pub struct AccountChange<'a> {
    pub display_name: &'a str,
    pub role: Role,
    pub attachment: &'a Attachment,
    pub active: bool,
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    change: &AccountChange<'_>,
) -> Result<User, StoreError> {
    let AccountChange {
        display_name,
        role,
        attachment,
        active,
    } = *change;
    let mut tx = db.begin().await?;
    let cur = get(&mut tx, scope, id).await?;
    if cur.version != version {
        return Err(StoreError::Conflict);
    }
    let (att, home) = resolve(&mut tx, role, attachment).await?;
    let n = tx
        .execute(
            "UPDATE users SET display_name = $1, role = $2, region_code = $3, institution_id = $4, appraiser_id = $5, organ_id = $6, home_path = $7, \
             active = $8, updated_at = $9, version = version + 1 WHERE id = $10 AND version = $11",
            args![display_name, role.as_str(), att.region_code.clone(), att.institution_id, att.appraiser_id, att.organ_id, home.as_str(), active, now_ms(), id, version],
        )
        .await?;
    if n != 1 {
        return Err(StoreError::Conflict);
    }
    if !active || role != cur.role {
        // A disabled account or a changed role ends the account's sessions at once.
        tx.execute("DELETE FROM sessions WHERE user_id = $1", args![id])
            .await?;
    }
    append(&mut tx, actor, NewEvent {
        kind: "user.updated",
        entity_type: "user",
        entity_id: id.to_string(),
        scope_path: home,
        institution_id: att.institution_id,
        payload: serde_json::json!({ "display_name": display_name, "role": role.as_str(), "active": active, "region_code": att.region_code, "institution_id": att.institution_id, "appraiser_id": att.appraiser_id, "organ_id": att.organ_id }),
    })
    .await?;
    let row = get(&mut tx, &Scope::All, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Sets a new password hash; ends all sessions of the account and revokes all its API tokens.
/// `must_change` forces a change at next sign-in (set when an administrator resets it).
pub async fn set_password(
    db: &Db,
    actor: &Actor,
    id: i64,
    hash: &str,
    must_change: bool,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let home: Option<(String,)> = tx
        .fetch_optional("SELECT home_path FROM users WHERE id = $1", args![id])
        .await?;
    let home = home.ok_or(StoreError::NotFound)?.0;
    let now = now_ms();
    tx.execute(
        "UPDATE users SET password_hash = $1, must_change_password = $2, password_changed_at = $3, failed_logins = 0, locked_until = NULL, \
         updated_at = $3, version = version + 1 WHERE id = $4",
        args![hash, must_change, now, id],
    )
    .await?;
    tx.execute("DELETE FROM sessions WHERE user_id = $1", args![id])
        .await?;
    let tokens_revoked = revoke_all_tokens(&mut tx, id, now).await?;
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: if must_change {
                "user.password_reset"
            } else {
                "user.password_changed"
            },
            entity_type: "user",
            entity_id: id.to_string(),
            scope_path: home,
            institution_id: None,
            payload: serde_json::json!({ "tokens_revoked": tokens_revoked }),
        },
    )
    .await?;
    tx.commit().await
}

/// Reserves one password attempt on an account that is not locked, before the password is
/// checked: the failure count goes up first (and back to zero on success), so concurrent
/// guesses count each other and no more than `max_failures` are ever checked between
/// lock-outs. None when the account is locked or the attempts in flight already reach the
/// limit (issue 14, point 9).
pub async fn reserve_attempt(
    db: &Db,
    id: i64,
    now: i64,
    max_failures: i64,
) -> Result<Option<i64>, StoreError> {
    let n: Option<(i64,)> = db
        .fetch_optional(
            "UPDATE users SET failed_logins = failed_logins + 1 \
             WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) AND failed_logins < $3 \
             RETURNING failed_logins",
            args![id, now, max_failures],
        )
        .await?;
    Ok(n.map(|r| r.0))
}

/// A reserved attempt failed: at the limit the account is locked for `lock_ms` (its API
/// tokens go on working: a lock-out stops password guessing, not an organ's integration).
/// Returns the lock's end if it is now locked.
pub async fn attempt_failed(
    db: &Db,
    id: i64,
    reserved: i64,
    now: i64,
    max_failures: i64,
    lock_ms: i64,
) -> Result<Option<i64>, StoreError> {
    if reserved < max_failures {
        return Ok(None);
    }
    let until = now + lock_ms;
    db.execute(
        "UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2",
        args![until, id],
    )
    .await?;
    Ok(Some(until))
}

/// A reservation refused although the account is not locked: attempts whose outcome was
/// never recorded (a node stopped mid-check) hold the count at the limit. That becomes an
/// ordinary lock-out that expires, not a permanent refusal.
pub async fn lock_if_stuck(
    db: &Db,
    id: i64,
    now: i64,
    max_failures: i64,
    lock_ms: i64,
) -> Result<(), StoreError> {
    db.execute(
        "UPDATE users SET locked_until = $1, failed_logins = 0 \
         WHERE id = $2 AND (locked_until IS NULL OR locked_until <= $3) AND failed_logins >= $4",
        args![now + lock_ms, id, now, max_failures],
    )
    .await?;
    Ok(())
}

/// The reserved attempt gave the right password on an account that still may not sign in.
pub async fn clear_failures(db: &Db, id: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE users SET failed_logins = 0 WHERE id = $1",
        args![id],
    )
    .await?;
    Ok(())
}

pub async fn record_success(db: &Db, id: i64, now: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2",
        args![now, id],
    )
    .await?;
    Ok(())
}

pub async fn unlock(db: &Db, actor: &Actor, scope: &Scope, id: i64) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let cur = get(&mut tx, scope, id).await?;
    tx.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
        args![id],
    )
    .await?;
    append(
        &mut tx,
        actor,
        NewEvent {
            kind: "user.unlocked",
            entity_type: "user",
            entity_id: id.to_string(),
            scope_path: cur.home_path,
            institution_id: cur.institution_id,
            payload: serde_json::json!({}),
        },
    )
    .await?;
    tx.commit().await
}

pub async fn set_lang(db: &Db, id: i64, lang: &str) -> Result<(), StoreError> {
    db.execute("UPDATE users SET lang = $1 WHERE id = $2", args![lang, id])
        .await?;
    Ok(())
}

pub async fn count(db: &Db) -> Result<i64, StoreError> {
    db.scalar("SELECT COUNT(*) FROM users", args![]).await
}

/// The id of account `username` of institution `institution_id`, if there is one.
pub async fn id_at_institution(
    db: &Db,
    username: &str,
    institution_id: i64,
) -> Result<Option<i64>, StoreError> {
    let row: Option<(i64,)> = db
        .fetch_optional(
            "SELECT id FROM users WHERE username = $1 AND institution_id = $2",
            args![username, institution_id],
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// Revokes every live API token of the user, inside the caller's transaction (a password change or
/// reset: a token must not outlive the password it was made under, issue 14, point 4). Answers
/// how many were revoked.
async fn revoke_all_tokens(tx: &mut Tx, user_id: i64, now: i64) -> Result<u64, StoreError> {
    tx.execute(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        args![now, user_id],
    )
    .await
}
