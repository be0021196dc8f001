//! Signing in and out, shared by the login page and the API: address throttling, account
//! lock-out, the login log, and server-side sessions.
use crate::auth::{Ctx, session_cookie_name, set_cookie};
use crate::error::AppError;
use crate::state::AppState;
use axum::http::StatusCode;
use sijian_service::secrets;
use sijian_store::users::User;
use sijian_store::{logs, now_ms, sessions, users};

pub struct SignedIn {
    pub user: User,
    /// `Set-Cookie` value for the new session.
    pub cookie: String,
}

/// Signs in. Every attempt is reserved before the password is checked — against its source
/// address, then against the account — so concurrent guesses cannot slip past the limits
/// (issue 14, point 9). The answer names a lock-out or a disabled account only to someone who
/// gave the right password; everyone else gets the same "wrong name or password", so the
/// answers do not tell which usernames exist.
pub async fn sign_in(
    state: &AppState,
    ctx: &Ctx,
    username: &str,
    password: &str,
) -> Result<SignedIn, AppError> {
    let sec = &state.cfg.security;
    let now = now_ms();
    let username = username.trim().to_lowercase();
    let attempt = logs::LoginAttempt {
        at: now,
        username: &username,
        user_id: None,
        home_path: "/",
        ip: &ctx.ip,
        user_agent: &ctx.user_agent,
        result: "pending",
    };
    // An IPv6 client counts by its /64, as the public rate limit does.
    let source = crate::ratelimit::client_key(&ctx.ip);
    let (row, allowed) = logs::reserve_login(
        &state.db,
        &attempt,
        &source,
        now - sec.ip_window_minutes * 60_000,
        sec.ip_failure_limit,
    )
    .await?;
    let finish = |user: Option<&User>, result: &'static str| {
        let db = state.db.clone();
        let user = user.map(|u| (u.id, u.home_path.clone()));
        async move {
            let who = user.as_ref().map(|(id, home)| (*id, home.as_str()));
            if let Err(e) = logs::finish_login(&db, row, who, result).await {
                tracing::warn!(error = %e, "login log not written");
            }
        }
    };
    if !allowed {
        finish(None, "throttled").await;
        return Err(AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "login_throttled",
            format!(
                "来自您所在地址的登录失败次数过多，请 {} 分钟后再试",
                sec.ip_window_minutes
            ),
        ));
    }
    let wrong = || AppError::new(StatusCode::UNAUTHORIZED, "login_failed", "用户名或密码错误");
    let Some((user, hash)) = users::by_username(&state.db, &username).await? else {
        secrets::verify_password_async(password.to_string(), secrets::dummy_hash().to_string())
            .await;
        finish(None, "unknown_user").await;
        return Err(wrong());
    };
    let Some(reserved) =
        users::reserve_attempt(&state.db, user.id, now, sec.max_failed_logins).await?
    else {
        // Locked (or attempts in flight at the limit): the password is still checked, so the
        // time taken and the answer say nothing to someone who does not know it.
        users::lock_if_stuck(
            &state.db,
            user.id,
            now,
            sec.max_failed_logins,
            sec.lockout_minutes * 60_000,
        )
        .await?;
        let right = secrets::verify_password_async(password.to_string(), hash).await;
        finish(Some(&user), "locked").await;
        return Err(if right {
            let until = users::by_username(&state.db, &username)
                .await?
                .and_then(|(u, _)| u.locked_until)
                .unwrap_or(now);
            locked(until)
        } else {
            wrong()
        });
    };
    if !secrets::verify_password_async(password.to_string(), hash).await {
        users::attempt_failed(
            &state.db,
            user.id,
            reserved,
            now,
            sec.max_failed_logins,
            sec.lockout_minutes * 60_000,
        )
        .await?;
        finish(Some(&user), "bad_password").await;
        return Err(wrong());
    }
    if !user.active {
        users::clear_failures(&state.db, user.id).await?;
        finish(Some(&user), "disabled").await;
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "account_disabled",
            "账号已停用，请联系系统管理员",
        ));
    }
    users::record_success(&state.db, user.id, now).await?;
    let sid = secrets::random_secret();
    let csrf = secrets::random_secret();
    let idle = sec.session_idle_minutes * 60_000;
    let session = sessions::NewSession {
        id_hash: &secrets::sha256_hex(&sid),
        user_id: user.id,
        csrf: &csrf,
        now,
        expires_at: now + idle,
        ip: &ctx.ip,
        user_agent: &ctx.user_agent,
    };
    sessions::create(&state.db, &session).await?;
    finish(Some(&user), "ok").await;
    let cookie = set_cookie(state, session_cookie_name(state), &sid, None);
    Ok(SignedIn { user, cookie })
}

fn locked(until: i64) -> AppError {
    let minutes = ((until - now_ms()).max(0) + 59_999) / 60_000;
    AppError::new(
        StatusCode::LOCKED,
        "account_locked",
        format!(
            "连续登录失败次数过多，账号已临时锁定，请 {minutes} 分钟后再试或联系系统管理员解锁"
        ),
    )
}

/// Ends the session; returns the `Set-Cookie` value that clears the cookie.
pub async fn sign_out(state: &AppState, id_hash: &str) -> Result<String, AppError> {
    sessions::delete(&state.db, id_hash).await?;
    Ok(set_cookie(state, session_cookie_name(state), "", Some(0)))
}
