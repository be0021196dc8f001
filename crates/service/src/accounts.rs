//! Accounts and API tokens: creating and changing users, one's own password, issuing tokens.
use crate::caller::Caller;
use crate::error::{Error, Result};
use crate::secrets;
use crate::services::Services;
use serde::{Deserialize, Serialize};
use sijian_domain::{Role, validate_username};
use sijian_store::now_ms;
use sijian_store::tokens::{self, ApiToken};
use sijian_store::users::{self, Attachment, NewUser, User};
use utoipa::ToSchema;

pub async fn change_own_password(
    s: &Services,
    user: &User,
    current: &str,
    new: &str,
) -> Result<()> {
    let (_, hash) = users::by_username(&s.db, &user.username)
        .await?
        .ok_or_else(Error::not_found)?;
    if !secrets::verify_password_async(current.to_string(), hash).await {
        return Err(Error::field("current_password", "当前密码不正确"));
    }
    if current == new {
        return Err(Error::field("new_password", "新密码不能与当前密码相同"));
    }
    s.cfg
        .security
        .password
        .check(&user.username, new)
        .map_err(|e| Error::field("new_password", e.to_string()))?;
    let h = secrets::hash_password_async(new.to_string()).await;
    users::set_password(&s.db, &user.actor(), user.id, &h, false).await?;
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub username: Option<String>,
    pub display_name: Option<String>,
    /// Initial password (creation only); the user must change it at first sign-in.
    pub password: Option<String>,
    pub role: Option<String>,
    pub region_code: Option<String>,
    pub institution_id: Option<i64>,
    pub appraiser_id: Option<i64>,
    pub organ_id: Option<i64>,
    pub active: Option<bool>,
    pub lang: Option<String>,
}

pub fn parse_role(v: Option<&str>) -> Result<Role> {
    v.and_then(Role::parse)
        .filter(|r| *r != Role::Public)
        .ok_or_else(|| Error::field("role", "请选择有效的角色"))
}

pub async fn create_user_from(
    s: &Services,
    actor: &sijian_store::Actor,
    scope: &sijian_store::Scope,
    u: &UserInput,
) -> Result<User> {
    let mut problems = sijian_domain::Problems::default();
    let username = u.username.clone().unwrap_or_default().trim().to_lowercase();
    if let Err(m) = validate_username(&username) {
        problems.add("username", m);
    }
    let display_name = problems.required(
        "display_name",
        "姓名",
        u.display_name.as_deref().unwrap_or(""),
        50,
    );
    let password = u.password.clone().unwrap_or_default();
    if let Err(e) = s.cfg.security.password.check(&username, &password) {
        problems.add("password", e.to_string());
    }
    let role = match parse_role(u.role.as_deref()) {
        Ok(r) => Some(r),
        Err(_) => {
            problems.add("role", "请选择有效的角色");
            None
        }
    };
    let lang = u.lang.clone().unwrap_or_else(|| "zh".into());
    if !matches!(lang.as_str(), "zh" | "en") {
        problems.add("lang", "语言须为 zh 或 en");
    }
    if !problems.is_empty() {
        return Err(Error::validation(problems.0));
    }
    let new = NewUser {
        username,
        display_name,
        password_hash: secrets::hash_password_async(password).await,
        role: role.expect("checked above"),
        attachment: Attachment {
            region_code: u
                .region_code
                .as_ref()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty()),
            institution_id: u.institution_id,
            appraiser_id: u.appraiser_id,
            organ_id: u.organ_id,
        },
        lang,
        must_change_password: true,
    };
    Ok(users::create(&s.db, actor, scope, &new).await?)
}

pub async fn update_user_from(
    s: &Services,
    a: &Caller,
    id: i64,
    version: i64,
    u: &UserInput,
) -> Result<User> {
    let cur = users::get(&s.db, &a.scope(), id).await?;
    if u.username.as_ref().is_some_and(|n| *n != cur.username) {
        return Err(Error::field("username", "用户名创建后不能修改"));
    }
    if u.password.is_some() {
        return Err(Error::field("password", "请使用重置密码功能"));
    }
    let role = match &u.role {
        Some(r) => parse_role(Some(r))?,
        None => cur.role(),
    };
    let same_role = role == cur.role();
    let att = Attachment {
        region_code: u
            .region_code
            .clone()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .or(if same_role {
                cur.region_code.clone()
            } else {
                None
            }),
        institution_id: u
            .institution_id
            .or(if same_role { cur.institution_id } else { None }),
        appraiser_id: u
            .appraiser_id
            .or(if same_role { cur.appraiser_id } else { None }),
        organ_id: u.organ_id.or(if same_role { cur.organ_id } else { None }),
    };
    let mut p = sijian_domain::Problems::default();
    let display_name = p.required(
        "display_name",
        "姓名",
        u.display_name.as_deref().unwrap_or(&cur.display_name),
        50,
    );
    if !p.is_empty() {
        return Err(Error::validation(p.0));
    }
    let active = u.active.unwrap_or(cur.active);
    if id == a.user.id && (!active || role != cur.role()) {
        return Err(Error::field("active", "不能停用自己的账号或修改自己的角色"));
    }
    let change = users::AccountChange {
        display_name: &display_name,
        role,
        attachment: &att,
        active,
    };
    Ok(users::update(&s.db, &a.actor(), &a.scope(), id, version, &change).await?)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenOut {
    /// The secret, shown this once only.
    pub token: String,
    #[schema(value_type = crate::schema::tokens::ApiToken)]
    pub info: ApiToken,
}

pub async fn issue_token(
    s: &Services,
    user: &User,
    name: &str,
    read_only: bool,
    days: Option<i64>,
) -> Result<NewTokenOut> {
    let mut p = sijian_domain::Problems::default();
    let name = p.required("name", "令牌名称", name, 50);
    let days = days.unwrap_or(s.cfg.security.token_default_days);
    if !(1..=365).contains(&days) {
        p.add("expires_in_days", "有效天数须在 1–365 之间");
    }
    if !p.is_empty() {
        return Err(Error::validation(p.0));
    }
    let secret = secrets::new_api_token();
    let hash = secrets::sha256_hex(&secret);
    let info = tokens::create(
        &s.db,
        &user.actor(),
        tokens::NewToken {
            user,
            name: &name,
            token_hash: &hash,
            token_prefix: &secret[..8],
            org_key: &user.principal().org_key(),
            read_only,
            expires_at: Some(now_ms() + days * 86_400_000),
        },
    )
    .await?;
    Ok(NewTokenOut {
        token: secret,
        info,
    })
}
