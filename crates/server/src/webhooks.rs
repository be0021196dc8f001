//! Delivers the webhook outbox: signed notifications to commissioning organs' systems about
//! the cases they commissioned (docs/API.md, "Notifications to commissioning organs").
//!
//! Every `webhooks.interval_ms` the worker reads the due rows, claims each with a conditional
//! update (so of several nodes only one sends a row at a time) and POSTs its body, signed with
//! the organ's secret. A 2xx answer delivers it; anything else is a failed attempt, retried
//! after `backoff_base_ms · 2^(attempts−1)` (at most `backoff_max_ms`). After `max_attempts`
//! failures the row is given up: its `next_at` becomes `webhooks::GIVEN_UP` (never due again)
//! and it keeps its last error. Delivery is at least once: a node that dies after sending but
//! before recording leaves the row to be sent again when its claim expires.
use crate::state::AppState;
use reqwest::Url;
use sha2::Sha256;
use sijian_service::config::WebhooksConfig;
use sijian_store::webhooks::{self as store, GIVEN_UP, OutboxRow};
use sijian_store::{StoreError, now_ms};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

/// A claimed row is someone's for its request timeout plus this long; after that another
/// node may send it again.
const LEASE_MARGIN_MS: i64 = 30_000;

/// Longest address accepted.
const MAX_URL_LEN: usize = 2000;

/// `hex(HMAC-SHA256(secret, "<timestamp>.<body>"))`, the key being the secret's UTF-8 bytes.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    use hmac::{KeyInit, Mac};
    let mut m = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key");
    m.update(timestamp.to_string().as_bytes());
    m.update(b".");
    m.update(body.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// Wait before the next attempt after `attempts` failed ones: base · 2^(attempts−1), capped.
pub fn backoff_ms(cfg: &WebhooksConfig, attempts: i64) -> i64 {
    let exp = (attempts - 1).clamp(0, 62) as u32;
    let d = cfg.backoff_base_ms.saturating_mul(1u64 << exp);
    d.min(cfg.backoff_max_ms).min(i64::MAX as u64 / 2) as i64
}

/// Loopback, link-local (including cloud metadata at 169.254.169.254), unspecified, broadcast
/// and multicast addresses: never a commissioning organ's system.
fn blocked(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => blocked(IpAddr::V4(v4)),
            None => {
                v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || v6.is_unicast_link_local()
            }
        },
    }
}

/// The first address `url` points at that is not allowed, if any. A name that does not
/// resolve has none (the delivery then fails on its own).
async fn blocked_target(url: &Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Some(ip).filter(|ip| blocked(*ip));
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return Some(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let found = tokio::time::timeout(
        Duration::from_secs(2),
        tokio::net::lookup_host((name.as_str(), port)),
    )
    .await
    .ok()?
    .ok()?;
    found.map(|a| a.ip()).find(|ip| blocked(*ip))
}

/// Checks an address given for a webhook: `http://` or `https://`, with a host, without
/// credentials, and (unless `allow_private`) not pointing at a loopback or link-local address.
/// Returns it normalised (without a fragment), or the reason it is refused.
pub async fn check_url(raw: &str, allow_private: bool) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("请填写接收通知的地址".into());
    }
    if raw.len() > MAX_URL_LEN {
        return Err(format!("地址过长（至多 {MAX_URL_LEN} 个字符）"));
    }
    let mut url = Url::parse(raw)
        .map_err(|_| "地址格式不正确，须为以 http:// 或 https:// 开头的完整地址".to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("仅支持 http:// 或 https:// 地址".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("地址中缺少主机名".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("地址中不得包含用户名或密码；请用签名验证来源".into());
    }
    url.set_fragment(None);
    if !allow_private && let Some(ip) = blocked_target(&url).await {
        return Err(format!(
            "不允许向环回、链路本地或未指定地址（{ip}）发送通知"
        ));
    }
    Ok(url.to_string())
}

fn describe(e: &reqwest::Error, timeout_ms: u64) -> String {
    if e.is_timeout() {
        return format!("超时：{timeout_ms} ms 内未收到应答");
    }
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    if e.is_connect() {
        format!("无法连接：{s}")
    } else {
        s
    }
}

/// Sends one notification. `Err` carries the reason it failed, as stored in `last_error`.
async fn deliver(
    http: &reqwest::Client,
    cfg: &WebhooksConfig,
    url: &str,
    secret: &str,
    row: &OutboxRow,
) -> Result<(), String> {
    let url = Url::parse(url).map_err(|e| format!("地址无效：{e}"))?;
    if url.scheme() == "https" {
        return Err(
            "本版本未启用 TLS，无法向 https:// 地址投递；请改用 http:// 地址（例如经 TLS 终止代理转发）"
                .into(),
        );
    }
    if !cfg.allow_private
        && let Some(ip) = blocked_target(&url).await
    {
        return Err(format!(
            "地址指向环回、链路本地或未指定地址（{ip}），未投递"
        ));
    }
    let ts = now_ms() / 1000;
    let sig = signature(secret, ts, &row.body);
    let res = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Sijian-Event", row.event.as_str())
        .header("X-Sijian-Delivery", row.id.to_string())
        .header("X-Sijian-Timestamp", ts.to_string())
        .header("X-Sijian-Signature", format!("sha256={sig}"))
        .body(row.body.clone())
        .send()
        .await
        .map_err(|e| describe(&e, cfg.timeout_ms))?;
    let status = res.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("对方应答 HTTP {}", status.as_u16()))
    }
}

/// Delivers one organ's due rows in order. After a failure the rest wait for the next pass,
/// so an unreachable system costs one attempt per pass. Returns the rows delivered.
async fn organ_pass(
    state: &AppState,
    http: &reqwest::Client,
    organ_id: i64,
    rows: Vec<OutboxRow>,
) -> Result<usize, StoreError> {
    let cfg = &state.cfg.webhooks;
    let db = &state.db;
    let Some(hook) = store::get(db, organ_id).await? else {
        return Ok(0);
    };
    if !hook.active {
        return Ok(0);
    }
    let secret = state.keys.open(&hook.sealed_secret);
    let mut delivered = 0;
    for row in rows {
        let lease = now_ms() + cfg.timeout_ms as i64 + LEASE_MARGIN_MS;
        if !store::claim(db, row.id, row.next_at, lease).await? {
            continue;
        }
        let result = match &secret {
            Some(s) => deliver(http, cfg, &hook.url, s, &row).await,
            None => Err(
                "无法解开签名密钥（数据密钥可能已更换），请重新设置该机关的 webhook".to_string(),
            ),
        };
        match result {
            Ok(()) => {
                store::mark_delivered(db, row.id, now_ms()).await?;
                metrics::counter!("sijian_webhook_deliveries_total", "outcome" => "delivered")
                    .increment(1);
                delivered += 1;
            }
            Err(e) => {
                let attempts = row.attempts + 1;
                let given_up = attempts >= i64::from(cfg.max_attempts.max(1));
                let next = if given_up {
                    GIVEN_UP
                } else {
                    now_ms() + backoff_ms(cfg, attempts)
                };
                store::mark_failed(db, row.id, attempts, next, &e).await?;
                let outcome = if given_up { "given_up" } else { "failed" };
                metrics::counter!("sijian_webhook_deliveries_total", "outcome" => outcome)
                    .increment(1);
                tracing::warn!(
                    delivery = row.id,
                    organ = organ_id,
                    event = %row.event,
                    attempts,
                    given_up,
                    error = %e,
                    "webhook delivery failed"
                );
                break;
            }
        }
    }
    Ok(delivered)
}

/// One pass over the due rows, organs in parallel. Returns the rows delivered.
pub async fn pass(state: &AppState, http: &reqwest::Client) -> Result<usize, StoreError> {
    let cfg = &state.cfg.webhooks;
    let rows = store::due(&state.db, now_ms(), i64::from(cfg.batch_max.max(1))).await?;
    let mut by_organ: BTreeMap<i64, Vec<OutboxRow>> = BTreeMap::new();
    for r in rows {
        by_organ.entry(r.organ_id).or_default().push(r);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (organ, rows) in by_organ {
        let state = state.clone();
        let http = http.clone();
        tasks.spawn(async move { organ_pass(&state, &http, organ, rows).await });
    }
    let mut delivered = 0;
    while let Some(r) = tasks.join_next().await {
        match r {
            Ok(Ok(n)) => delivered += n,
            Ok(Err(e)) => tracing::warn!(error = %e, "webhook pass failed; will retry"),
            Err(e) => tracing::error!(error = %e, "webhook delivery task failed"),
        }
    }
    Ok(delivered)
}

/// The worker: runs until aborted (the server aborts it at shutdown).
pub async fn run(state: AppState) {
    let cfg = state.cfg.webhooks.clone();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(cfg.timeout_ms.max(1)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("sijian-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("HTTP client builds");
    let mut tick = tokio::time::interval(Duration::from_millis(cfg.interval_ms.max(10)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match pass(&state, &http).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(delivered = n, "webhooks delivered"),
            Err(e) => tracing::warn!(error = %e, "webhook pass failed; will retry"),
        }
        if let Ok(n) = store::pending_count(&state.db).await {
            metrics::gauge!("sijian_webhooks_pending").set(n as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let cfg = WebhooksConfig::default();
        assert_eq!(backoff_ms(&cfg, 1), 5_000);
        assert_eq!(backoff_ms(&cfg, 2), 10_000);
        assert_eq!(backoff_ms(&cfg, 4), 40_000);
        assert_eq!(backoff_ms(&cfg, 10), 2_560_000);
        assert_eq!(backoff_ms(&cfg, 11), 3_600_000);
        assert_eq!(backoff_ms(&cfg, 500), 3_600_000);
    }

    #[test]
    fn signature_is_hmac_of_timestamp_dot_body() {
        // Computed independently (Python's hmac module).
        assert_eq!(
            signature("key", 1_700_000_000, r#"{"a":1}"#),
            "a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"
        );
        let a = signature("key", 1, "{}");
        assert_ne!(a, signature("key", 2, "{}"));
        assert_ne!(a, signature("other", 1, "{}"));
    }

    #[test]
    fn loopback_and_link_local_are_blocked() {
        for ip in [
            "127.0.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(blocked(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["10.1.2.3", "192.168.1.10", "203.0.113.5", "2001:db8::1"] {
            assert!(!blocked(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn addresses_are_checked() {
        assert!(check_url("http://127.0.0.1:9/hook", false).await.is_err());
        assert!(check_url("http://localhost/hook", false).await.is_err());
        assert!(check_url("http://[::1]/hook", false).await.is_err());
        assert!(check_url("ftp://203.0.113.5/", false).await.is_err());
        assert!(check_url("http://u:p@203.0.113.5/", false).await.is_err());
        assert!(check_url("not a url", false).await.is_err());
        assert_eq!(
            check_url("http://127.0.0.1:9/hook#x", true).await.unwrap(),
            "http://127.0.0.1:9/hook"
        );
        assert!(check_url("https://203.0.113.5/in", false).await.is_ok());
    }
}
