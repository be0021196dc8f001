//! The public rate limit: a token bucket per client address, per node, for the directory, the
//! verification pages and their API.
use crate::auth::Ctx;
use crate::error::AppError;
use crate::error_page::page_error;
use crate::i18n::Lang;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// A token bucket per client address, per node (public reads only; sign-in throttling is kept
/// in the database across nodes). `rate` tokens a second, up to `burst`.
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(rate: f64, burst: f64) -> Self {
        RateLimiter {
            rate,
            burst,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn allow(&self, key: &str) -> bool {
        let Ok(mut b) = self.buckets.lock() else {
            return true;
        };
        let now = Instant::now();
        if b.len() > 100_000 {
            // Forget addresses idle long enough to have refilled.
            let full = self.burst / self.rate;
            b.retain(|_, (_, at)| now.duration_since(*at).as_secs_f64() < full);
        }
        let (tokens, at) = b.entry(key.to_string()).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Applies the public rate limit to the directory pages and `/api/v1/public/…`.
pub async fn limit(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !(path.starts_with("/directory")
        || path.starts_with("/api/v1/public/")
        || path.starts_with("/api/v1/ledger/proof/")
        || path.starts_with("/api/v1/opinions/")
        || path.starts_with("/v/")
        || path.starts_with("/l/")
        || path.starts_with("/api/v1/licences/")
        || path.starts_with("/api/v1/verification/"))
    {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<Ctx>()
        .map(|c| c.ip.clone())
        .unwrap_or_default();
    if !s.public_limiter.allow(&ip) {
        let e = AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "请求过于频繁，请稍后再试",
        );
        return if req.uri().path().starts_with("/api/") {
            e.into_response()
        } else {
            page_error(e, Lang::Zh)
        };
    }
    next.run(req).await
}
