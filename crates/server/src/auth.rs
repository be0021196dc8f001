//! Authentication (session cookie or bearer token), the request context, and the extractors
//! that handlers use to demand a signed-in principal. Resolution happens once per request in
//! `context`; every denial and every change is written to the operations log there too.
pub use crate::cookies::cookie;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sijian_service::Caller;
use sijian_service::secrets;
use sijian_store::{logs, now_ms, sessions, tokens};
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub enum Via {
    Session { id_hash: String, csrf: String },
    Token { token_id: i64, read_only: bool },
}

/// A signed-in principal: the caller the services see, and how they signed in.
#[derive(Debug, Clone)]
pub struct Authed {
    pub caller: Caller,
    pub via: Via,
    /// The reader's unread notifications, counted once for a page read in a session (for the
    /// header); None for the API and for changes.
    pub unread: Option<i64>,
}

impl std::ops::Deref for Authed {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.caller
    }
}

impl Authed {
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token { .. } => "",
        }
    }
}

/// What every handler can know about the request.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub authed: Option<Authed>,
    pub ip: String,
    pub user_agent: String,
    pub lang: Lang,
}

pub fn session_cookie_name(state: &AppState) -> &'static str {
    if state.cfg.cookie_secure() {
        "__Host-sijian_session"
    } else {
        "sijian_session"
    }
}

/// `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when configured.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(s) = max_age_secs {
        c.push_str(&format!("; Max-Age={s}"));
    }
    if state.cfg.cookie_secure() {
        c.push_str("; Secure");
    }
    c
}

/// The client address: the peer, or the last address before our trusted proxies.
fn client_ip(state: &AppState, peer: Option<SocketAddr>, headers: &HeaderMap) -> String {
    let peer_ip = peer
        .map(|p| p.ip().to_string())
        .unwrap_or_else(|| "unknown".into());
    let trusted = &state.cfg.security.trusted_proxies;
    if !trusted.contains(&peer_ip) {
        return peer_ip;
    }
    let forwarded: Vec<String> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer_ip)
}

async fn resolve(state: &AppState, headers: &HeaderMap) -> AppResult<Option<Authed>> {
    let now = now_ms();
    if let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let token = auth
            .strip_prefix("Bearer ")
            .map(str::trim)
            .ok_or_else(AppError::unauthenticated)?;
        if !token.starts_with(secrets::TOKEN_PREFIX) {
            return Err(AppError::unauthenticated());
        }
        let found = tokens::find(&state.db, &secrets::sha256_hex(token)).await?;
        let Some(found) = found else {
            return Err(AppError::unauthenticated());
        };
        let t = &found.token;
        let user = found.user;
        let principal = user.principal();
        let valid = t.revoked_at.is_none()
            && t.expires_at.is_none_or(|e| e > now)
            && user.active
            // A lock-out stops password guessing; it does not break the account's API tokens
            // (five wrong passwords from anyone would stop a court's integration).
            && t.role == user.role
            && t.org_key == principal.org_key();
        if !valid {
            return Err(AppError::new(
                StatusCode::UNAUTHORIZED,
                "token_invalid",
                "API 令牌已撤销、已过期，或账号的角色与单位已变更",
            ));
        }
        if t.last_used_at.is_none_or(|u| now - u > 60_000) {
            tokens::mark_used(&state.db, t.id, now).await?;
        }
        return Ok(Some(Authed {
            via: Via::Token {
                token_id: t.id,
                read_only: t.read_only,
            },
            caller: Caller {
                principal,
                user: Arc::new(user),
                read_only: t.read_only,
            },
            unread: None,
        }));
    }
    let Some(sid) = cookie(headers, session_cookie_name(state)) else {
        return Ok(None);
    };
    let id_hash = secrets::sha256_hex(&sid);
    let Some(rec) = sessions::load(&state.db, &id_hash, now).await? else {
        return Ok(None);
    };
    if !rec.user.active {
        return Ok(None);
    }
    // Slide the idle expiry at most once a minute, so reads stay reads.
    if now - rec.last_seen_at > 60_000 {
        let idle = state.cfg.security.session_idle_minutes * 60_000;
        let absolute = rec.created_at + state.cfg.security.session_absolute_hours * 3_600_000;
        sessions::touch(&state.db, &id_hash, now, (now + idle).min(absolute)).await?;
    }
    Ok(Some(Authed {
        via: Via::Session {
            id_hash,
            csrf: rec.csrf_token,
        },
        caller: Caller::new(rec.user, false),
        unread: None,
    }))
}

/// Middleware: resolves who is asking, then records changes and denials in the operations log.
pub async fn context(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let headers = req.headers();
    let ip = client_ip(&state, peer, headers);
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect::<String>();
    let path = req.uri().path().to_string();
    let is_public = path == "/healthz" || path == "/readyz" || path.starts_with("/static/");
    let authed = if is_public {
        Ok(None)
    } else {
        resolve(&state, headers).await
    };
    let authed = match authed {
        Ok(a) => a,
        // A stale or foreign credential on a page: treat the visitor as signed out.
        Err(e) if e.status == StatusCode::UNAUTHORIZED && !path.starts_with("/api/") => None,
        Err(e) => {
            let lang = Lang::from_headers(headers, None);
            let res = if path.starts_with("/api/") {
                e.clone().into_response()
            } else {
                crate::error_page::page_error(e.clone(), lang)
            };
            if e.status == StatusCode::UNAUTHORIZED {
                let op = Op {
                    method: req.method(),
                    path: &path,
                    action: "authenticate",
                    ip: &ip,
                };
                record(&state, None, op, res.status(), res.status(), e.code).await;
            }
            return res;
        }
    };
    // The header's unread count, for pages only (one indexed count per page read).
    let mut authed = authed;
    if let Some(a) = authed.as_mut()
        && matches!(a.via, Via::Session { .. })
        && req.method() == Method::GET
        && !path.starts_with("/api/")
    {
        a.unread = sijian_service::notifications::unread_count(&state, &a.caller)
            .await
            .ok();
    }
    let headers = req.headers();
    let lang = Lang::from_headers(headers, authed.as_ref().map(|a| a.user.lang.as_str()));
    let ctx = Ctx {
        authed: authed.clone(),
        ip: ip.clone(),
        user_agent,
        lang,
    };
    req.extensions_mut().insert(ctx);
    let method = req.method().clone();
    let action = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let matched = req.extensions().get::<MatchedPath>().is_some();
    let res = next.run(req).await;
    let changing = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    let status = refusal_status(&res);
    let denied = matches!(status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED);
    // A record out of the caller's reach answers 404 like one that does not exist; both are
    // refused reads of a served route (an unknown path is not).
    let hidden = status == StatusCode::NOT_FOUND && matched;
    // A read that says why it is logged (`OpDetail`, e.g. a search for a person) is logged too.
    let noted = res.extensions().get::<OpDetail>().is_some();
    if (changing || denied || hidden || noted) && !is_public {
        let detail = res
            .extensions()
            .get::<AppError>()
            .map(|e| format!("{}: {}", e.code, e.message))
            .or_else(|| res.extensions().get::<OpDetail>().map(|d| d.0.clone()))
            .unwrap_or_default();
        let op = Op {
            method: &method,
            path: &path,
            action: &action,
            ip: &ip,
        };
        record(&state, authed.as_ref(), op, status, res.status(), &detail).await;
    }
    res
}

/// The status a response stands for: a redirect that refuses (a page sending the signed-out to
/// sign in carries its `AppError`) stands for that error's status.
fn refusal_status(res: &Response) -> StatusCode {
    match res.extensions().get::<AppError>() {
        Some(e) if res.status().is_redirection() => e.status,
        _ => res.status(),
    }
}

/// Extra words for the operations log, set by a handler on its response.
#[derive(Debug, Clone)]
pub struct OpDetail(pub String);

/// The request an operations-log line is about.
struct Op<'a> {
    method: &'a Method,
    path: &'a str,
    action: &'a str,
    ip: &'a str,
}

/// Writes one row: `outcome` decides the result (see `refusal_status`), `status` is what was
/// answered. Refusals and errors of requests without a signed-in user are bounded per client
/// address and result (`LogThrottle`), the row after a gap counting the rows left out; a
/// sign-in, which needs a password, is always written.
async fn record(
    state: &AppState,
    who: Option<&Authed>,
    op: Op<'_>,
    outcome: StatusCode,
    status: StatusCode,
    detail: &str,
) {
    let Op {
        method,
        path,
        action,
        ip,
    } = op;
    let result = match outcome.as_u16() {
        200..=399 => "ok",
        401 | 403 => "denied",
        404 => "not_found",
        400..=499 => "refused",
        _ => "error",
    };
    let mut detail = detail.to_string();
    if who.is_none() && result != "ok" {
        match state.anonymous_log.admit(ip, result) {
            None => return,
            Some(0) => {}
            Some(n) => {
                let n = n.to_string();
                let note = Lang::Zh.tf("log.left_out", &[("n", &n)]);
                detail = if detail.is_empty() {
                    note
                } else {
                    format!("{detail}（{note}）")
                };
            }
        }
    }
    let detail = detail.as_str();
    let entry = logs::OpEntry {
        at: now_ms(),
        user_id: who.map(|a| a.user.id),
        username: who.map(|a| a.user.username.as_str()).unwrap_or("-"),
        role: who.map(|a| a.user.role.as_str()).unwrap_or("public"),
        home_path: who.map(|a| a.user.home_path.as_str()).unwrap_or("/"),
        method: method.as_str(),
        path,
        action,
        ip,
        status: status.as_u16() as i64,
        result,
        detail,
    };
    if let Err(e) = logs::record_op(&state.db, &entry).await {
        tracing::warn!(error = %e, "operations log not written");
    }
}

fn ctx_of(parts: &Parts) -> Ctx {
    parts.extensions.get::<Ctx>().cloned().unwrap_or(Ctx {
        authed: None,
        ip: "unknown".into(),
        user_agent: String::new(),
        lang: Lang::Zh,
    })
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ctx_of(parts))
    }
}

/// An API caller. Unauthenticated → 401. A cookie-session caller changing data must send the
/// session's CSRF token in `X-CSRF-Token` (bearer tokens are not sent by browsers on their own).
/// An account that must change its password may only read its own account, change the password
/// and sign out until it has (issue 14, point 3) → 403 `password_change_required`.
#[derive(Debug, Clone)]
pub struct ApiUser(pub Authed);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let a = ctx_of(parts).authed.ok_or_else(AppError::unauthenticated)?;
        if let Via::Session { csrf, .. } = &a.via
            && !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS)
        {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !secrets::same_secret(sent, csrf) {
                return Err(AppError::csrf());
            }
        }
        if a.user.must_change_password && !password_change_allows(&parts.method, parts.uri.path()) {
            return Err(AppError::password_change_required());
        }
        Ok(ApiUser(a))
    }
}

/// What an account that must change its password may still do through the API (the path
/// without `/api/v1` inside the nested router, with it outside).
fn password_change_allows(method: &Method, path: &str) -> bool {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    matches!(
        (method.as_str(), path),
        ("GET" | "HEAD", "/me") | ("PUT", "/me/password") | ("DELETE", "/session")
    )
}

/// A signed-in page visitor. Signed out → redirect to the login page, back here afterwards.
/// An account that must change its password is sent to do so first.
#[derive(Debug, Clone)]
pub struct PageUser(pub Authed, pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ctx = ctx_of(parts);
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        // Each redirect carries the refusal it stands for, for the operations log.
        let refused = |to: &str, e: AppError| {
            let mut res = Redirect::to(to).into_response();
            res.extensions_mut().insert(e);
            res
        };
        let Some(a) = ctx.authed else {
            let next = urlencoding::encode(here);
            return Err(refused(
                &format!("/login?next={next}"),
                AppError::unauthenticated(),
            ));
        };
        if a.user.must_change_password
            && !here.starts_with("/account/password")
            && here != "/logout"
        {
            return Err(refused(
                "/account/password?required=1",
                AppError::password_change_required(),
            ));
        }
        Ok(PageUser(a, ctx.lang))
    }
}
