//! Sessions, the caller's own account, user administration and API tokens.
use super::schema;
use super::{Paging, nonempty};
use crate::auth::{ApiUser, Ctx, Via};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::login;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sijian_domain::Action;
use sijian_service::accounts::*;
use sijian_service::secrets;
use sijian_store::tokens::{self, ApiToken};
use sijian_store::users::{self, User, UserFilter};
use sijian_store::{Page, now_ms};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    #[schema(value_type = schema::users::User)]
    pub user: User,
    /// Session CSRF token for `X-CSRF-Token` (empty when called with an API token).
    pub csrf_token: String,
    /// `session` or `token`.
    pub via: &'static str,
}

/// Sign in with user name and password; sets the session cookie. Failures count towards the
/// account lock-out and the per-address throttle.
#[utoipa::path(post, path = "/session", tag = "session", request_body = LoginInput,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 423, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(s): State<AppState>,
    ctx: Ctx,
    ApiJson(input): ApiJson<LoginInput>,
) -> Result<Response, AppError> {
    let signed = login::sign_in(&s, &ctx, &input.username, &input.password).await?;
    let rec =
        sijian_store::sessions::load(&s.db, &session_hash_from_cookie(&signed.cookie), now_ms())
            .await?;
    let csrf = rec.map(|r| r.csrf_token).unwrap_or_default();
    let body = Me {
        user: signed.user,
        csrf_token: csrf,
        via: "session",
    };
    Ok(([(header::SET_COOKIE, signed.cookie)], Json(body)).into_response())
}

fn session_hash_from_cookie(set_cookie: &str) -> String {
    let value = set_cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v)
        .unwrap_or("");
    secrets::sha256_hex(value)
}

/// Sign out (ends the cookie session).
#[utoipa::path(delete, path = "/session", tag = "session", responses((status = 204), (status = 401, body = ErrorBody)), security(("session" = [])))]
pub async fn logout(State(s): State<AppState>, ApiUser(a): ApiUser) -> Result<Response, AppError> {
    match &a.via {
        Via::Session { id_hash, .. } => {
            let clear = login::sign_out(&s, id_hash).await?;
            Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
        }
        Via::Token { .. } => Err(AppError::bad_request(
            "API 令牌没有会话可退出；如需停用请撤销令牌",
        )),
    }
}

/// The caller's own account.
#[utoipa::path(get, path = "/me", tag = "session", responses((status = 200, body = Me), (status = 401, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn me(ApiUser(a): ApiUser) -> Json<Me> {
    let via = if matches!(a.via, Via::Session { .. }) {
        "session"
    } else {
        "token"
    };
    Json(Me {
        user: (*a.user).clone(),
        csrf_token: a.csrf().to_string(),
        via,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Change one's own password (ends all the account's sessions and revokes all its API tokens).
#[utoipa::path(put, path = "/me/password", tag = "session", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn change_password(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(p): ApiJson<PasswordChange>,
) -> AppResult<StatusCode> {
    a.require_writable()?;
    change_own_password(&s, &a.user, &p.current_password, &p.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LanguageInput {
    /// `zh` or `en`
    pub lang: String,
}

/// Set one's interface language.
#[utoipa::path(put, path = "/me/language", tag = "session", request_body = LanguageInput,
    responses((status = 204), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn set_language(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(l): ApiJson<LanguageInput>,
) -> AppResult<StatusCode> {
    // A read-only token changes nothing, one's own settings included (issue 14, point 3).
    a.require_writable()?;
    if crate::i18n::Lang::parse(&l.lang).is_none() {
        return Err(AppError::field("lang", "语言须为 zh 或 en"));
    }
    users::set_lang(&s.db, a.user.id, &l.lang).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserParams {
    pub role: Option<String>,
    pub active: Option<bool>,
}

/// Accounts in scope (administrators: all; regulators: those in their region, read-only).
/// Sort keys: username, name, role, last_login.
#[utoipa::path(get, path = "/users", tag = "accounts", params(UserParams, Paging),
    responses((status = 200, body = schema::list::Page<schema::users::User>), (status = 403, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn list_users(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiQuery(p): ApiQuery<UserParams>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> AppResult<Json<Page<User>>> {
    a.require(Action::ViewUsers)?;
    let f = UserFilter {
        role: nonempty(&p.role),
        active: p.active,
    };
    Ok(Json(
        users::list(&s.db, &a.scope(), &f, &paging.query()).await?,
    ))
}

#[utoipa::path(get, path = "/users/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = schema::users::User), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn get_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<Json<User>> {
    a.require(Action::ViewUsers)?;
    Ok(Json(users::get(&s.db, &a.scope(), id).await?))
}

/// Create an account (administrators).
#[utoipa::path(post, path = "/users", tag = "accounts", request_body = UserInput,
    responses((status = 201, body = schema::users::User), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn create_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(u): ApiJson<UserInput>,
) -> AppResult<(StatusCode, Json<User>)> {
    a.require_write(Action::ManageUsers)?;
    let user = create_user_from(&s, &a.actor(), &a.scope(), &u).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Change an account's name, role, attachment or whether it is active (administrators).
/// Disabling an account or changing its role ends its sessions.
#[utoipa::path(patch, path = "/users/{id}", tag = "accounts", params(("id" = i64, Path)), request_body = super::registry::Versioned<UserInput>,
    responses((status = 200, body = schema::users::User), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn update_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<super::registry::Versioned<UserInput>>,
) -> AppResult<Json<User>> {
    a.require_write(Action::ManageUsers)?;
    Ok(Json(
        update_user_from(&s, &a, id, body.version, &body.changes).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordReset {
    /// The new temporary password; the user must change it at next sign-in.
    pub new_password: String,
}

/// Reset an account's password (administrators). Ends its sessions and revokes its API tokens.
#[utoipa::path(post, path = "/users/{id}/password", tag = "accounts", params(("id" = i64, Path)), request_body = PasswordReset,
    responses((status = 204), (status = 422, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn reset_password(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(p): ApiJson<PasswordReset>,
) -> AppResult<StatusCode> {
    a.require_write(Action::ManageUsers)?;
    let u = users::get(&s.db, &a.scope(), id).await?;
    s.cfg
        .security
        .password
        .check(&u.username, &p.new_password)
        .map_err(|e| AppError::field("new_password", e.to_string()))?;
    let h = secrets::hash_password_async(p.new_password).await;
    users::set_password(&s.db, &a.actor(), id, &h, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lift a temporary lock-out (administrators).
#[utoipa::path(post, path = "/users/{id}/unlock", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn unlock_user(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    a.require_write(Action::ManageUsers)?;
    users::unlock(&s.db, &a.actor(), &a.scope(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's own API tokens (never the secret itself).
#[utoipa::path(get, path = "/tokens", tag = "accounts", responses((status = 200, body = Vec<schema::tokens::ApiToken>)), security(("bearer" = []), ("session" = [])))]
pub async fn list_tokens(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
) -> AppResult<Json<Vec<ApiToken>>> {
    a.require(Action::UseApiTokens)?;
    Ok(Json(tokens::list_for_user(&s.db, a.user.id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenInput {
    pub name: String,
    /// A read-only token can only read. Default false.
    #[serde(default)]
    pub read_only: bool,
    /// Lifetime in days, 1–365. Default from configuration (90).
    pub expires_in_days: Option<i64>,
}

/// Create an API token bound to the caller's role and organisation. Requires a signed-in
/// session (a token cannot mint tokens).
#[utoipa::path(post, path = "/tokens", tag = "accounts", request_body = TokenInput,
    responses((status = 201, body = NewTokenOut), (status = 422, body = ErrorBody)), security(("session" = [])))]
pub async fn create_token(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiJson(t): ApiJson<TokenInput>,
) -> AppResult<(StatusCode, Json<NewTokenOut>)> {
    if matches!(a.via, Via::Token { .. }) {
        return Err(AppError::session_required());
    }
    a.require(Action::UseApiTokens)?;
    let out = issue_token(&s, &a.user, &t.name, t.read_only, t.expires_in_days).await?;
    Ok((StatusCode::CREATED, Json(out)))
}

/// Revoke one of the caller's tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = []), ("session" = [])))]
pub async fn revoke_token(
    State(s): State<AppState>,
    ApiUser(a): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<StatusCode> {
    // A read-only token may not revoke tokens, itself included (issue 14, point 3).
    a.require_writable()?;
    tokens::revoke(&s.db, &a.actor(), &a.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
