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
use crate::i18n::Lang;
use crate::state::AppState;
use reqwest::Url;
use sha2::Sha256;
use sijian_domain::netaddr::{self, Finding, Network};
use sijian_service::config::WebhooksConfig;
use sijian_store::webhooks::{self as store, GIVEN_UP, OutboxRow};
use sijian_store::{StoreError, now_ms};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// A claimed row is someone's for its request timeout plus this long; after that another
/// node may send it again.
const LEASE_MARGIN_MS: i64 = 30_000;

/// Longest address accepted.
const MAX_URL_LEN: usize = 2000;

/// Longest wait for the DNS answer about an organ's host.
const DNS_TIMEOUT: Duration = Duration::from_secs(2);

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

/// Where notifications may be sent, as the administrator configured it.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// `webhooks.allow_private`: no address check at all (local development).
    pub any_address: bool,
    /// `webhooks.allow_networks`: special-purpose networks allowed all the same.
    pub allowed: Vec<Network>,
    /// `webhooks.allow_http`: plain `http://` addresses accepted (HTTPS otherwise).
    pub plain_http: bool,
    /// `webhooks.ca_file`: further certificate authorities (PEM) for HTTPS deliveries.
    pub extra_roots: Option<Vec<u8>>,
}

impl Policy {
    /// The policy of `cfg`. The networks were checked at start (`Services::new`); should one
    /// not parse here, none is allowed.
    pub fn of(cfg: &WebhooksConfig) -> Policy {
        Policy {
            any_address: cfg.allow_private,
            allowed: cfg.allowed_networks().unwrap_or_default(),
            plain_http: cfg.allow_http,
            extra_roots: cfg.extra_roots().unwrap_or_default(),
        }
    }

    fn check(&self, ip: IpAddr) -> Result<(), Finding> {
        if self.any_address {
            return Ok(());
        }
        netaddr::check(ip, &self.allowed)
    }
}

/// The host of a URL: an IP address, or a name (as written in the URL, lower case).
enum Host<'a> {
    Ip(IpAddr),
    Domain(&'a str),
}

fn host(url: &Url) -> Option<Host<'_>> {
    let h = url.host_str().filter(|h| !h.is_empty())?;
    let bare = h
        .strip_prefix('[')
        .and_then(|b| b.strip_suffix(']'))
        .unwrap_or(h);
    Some(match bare.parse::<IpAddr>() {
        Ok(ip) => Host::Ip(ip),
        Err(_) => Host::Domain(h),
    })
}

/// Why an address is not used.
#[derive(Debug)]
enum Refusal {
    /// It is, or its name resolves to, an address the policy refuses.
    Forbidden(IpAddr, Finding),
    /// Its name did not resolve (the detail is for the log).
    Unresolved(String),
}

/// Every address `url`'s host stands for, each checked against `policy`: an IP address itself,
/// `localhost` (and `*.localhost`) as loopback (RFC 6761 §6.3), any other name resolved once.
/// One refused address refuses the whole target. The delivery then connects to exactly these
/// addresses (`client`), so a second DNS answer cannot lead elsewhere.
async fn resolve_checked(url: &Url, policy: &Policy) -> Result<Vec<IpAddr>, Refusal> {
    let ips: Vec<IpAddr> = match host(url) {
        None => return Err(Refusal::Unresolved("no host".into())),
        Some(Host::Ip(ip)) => vec![ip],
        Some(Host::Domain(d)) => {
            let name = d.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                vec![
                    IpAddr::V4(Ipv4Addr::LOCALHOST),
                    IpAddr::V6(Ipv6Addr::LOCALHOST),
                ]
            } else {
                let port = url.port_or_known_default().unwrap_or(80);
                let found = tokio::time::timeout(
                    DNS_TIMEOUT,
                    tokio::net::lookup_host((name.as_str(), port)),
                )
                .await
                .map_err(|_| Refusal::Unresolved(format!("DNS timeout for {name}")))?
                .map_err(|e| Refusal::Unresolved(format!("resolving {name}: {e}")))?;
                let mut ips: Vec<IpAddr> = Vec::new();
                for a in found {
                    if !ips.contains(&a.ip()) {
                        ips.push(a.ip());
                    }
                }
                if ips.is_empty() {
                    return Err(Refusal::Unresolved(format!("no address for {name}")));
                }
                ips
            }
        }
    };
    for ip in &ips {
        policy.check(*ip).map_err(|f| Refusal::Forbidden(*ip, f))?;
    }
    Ok(ips)
}

/// Why `ip` is refused, naming the range and its rule.
fn refusal_message(lang: Lang, ip: IpAddr, f: Finding) -> String {
    let class = lang.t(&format!("webhook.class.{}", f.class.key()));
    let ip = ip.to_string();
    match f.via {
        None => lang.tf("webhook.url.forbidden", &[("ip", &ip), ("class", class)]),
        Some((how, v4)) => lang.tf(
            "webhook.url.forbidden_via",
            &[
                ("ip", &ip),
                ("via", lang.t(&format!("webhook.via.{}", how.key()))),
                ("v4", &v4.to_string()),
                ("class", class),
            ],
        ),
    }
}

/// Checks an address given for a webhook: `http://` or `https://`, with a host, without
/// credentials, and not pointing at an address `policy` refuses (loopback, private, link-local
/// and the other special-purpose ranges of `sijian_domain::netaddr`). A name that does not
/// resolve now is accepted (its deliveries are checked again). Returns it normalised (without
/// a fragment), or the reason it is refused.
pub async fn check_url(raw: &str, policy: &Policy) -> Result<String, String> {
    let zh = Lang::Zh;
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(zh.t("webhook.url.empty").into());
    }
    if raw.len() > MAX_URL_LEN {
        return Err(zh.tf("webhook.url.too_long", &[("max", &MAX_URL_LEN.to_string())]));
    }
    let mut url = Url::parse(raw).map_err(|_| zh.t("webhook.url.malformed").to_string())?;
    match url.scheme() {
        "https" => {}
        "http" if policy.plain_http => {}
        "http" => return Err(zh.t("webhook.url.https_required").into()),
        _ => return Err(zh.t("webhook.url.scheme").into()),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(zh.t("webhook.url.no_host").into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(zh.t("webhook.url.credentials").into());
    }
    url.set_fragment(None);
    match resolve_checked(&url, policy).await {
        Ok(_) | Err(Refusal::Unresolved(_)) => Ok(url.to_string()),
        Err(Refusal::Forbidden(ip, f)) => Err(refusal_message(zh, ip, f)),
    }
}

/// A resolver that resolves nothing: the delivery client reaches only the addresses it was
/// given (`ClientBuilder::resolve_to_addrs`), never asking DNS again.
struct NoLookup;

impl reqwest::dns::Resolve for NoLookup {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let name = name.as_str().to_string();
        Box::pin(async move { Err(format!("{name} was not checked; no DNS lookup made").into()) })
    }
}

/// The client for one delivery to `url`: connects only to `ips` (already checked), follows no
/// redirect and uses no proxy (a proxy would resolve the name itself). HTTPS is checked against
/// the built-in public roots and `webhooks.ca_file`, for the name in the address (TLS 1.2 or 1.3).
fn client(
    cfg: &WebhooksConfig,
    policy: &Policy,
    url: &Url,
    ips: &[IpAddr],
) -> reqwest::Result<reqwest::Client> {
    let mut b = reqwest::Client::builder()
        .timeout(Duration::from_millis(cfg.timeout_ms.max(1)))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .https_only(!policy.plain_http)
        .min_tls_version(reqwest::tls::Version::TLS_1_2)
        .dns_resolver(std::sync::Arc::new(NoLookup))
        .user_agent(concat!("sijian-webhooks/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = &policy.extra_roots {
        for cert in reqwest::Certificate::from_pem_bundle(pem)? {
            b = b.add_root_certificate(cert);
        }
    }
    if let Some(Host::Domain(d)) = host(url) {
        let port = url.port_or_known_default().unwrap_or(80);
        let addrs: Vec<SocketAddr> = ips.iter().map(|ip| SocketAddr::new(*ip, port)).collect();
        b = b.resolve_to_addrs(d, &addrs);
    }
    b.build()
}

/// A failed attempt: what the organ is shown (a coarse category from the catalogue, stored as
/// `last_error`) and the detail kept for administrators in the server log only, so the
/// deliveries list cannot serve to probe hosts and ports.
#[derive(Debug)]
struct Failure {
    shown: String,
    detail: String,
}

impl Failure {
    fn new(key: &str, detail: impl Into<String>) -> Failure {
        Failure {
            shown: Lang::Zh.t(key).to_string(),
            detail: detail.into(),
        }
    }
}

/// `e` with its sources, for the log.
fn chain(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// Sends one notification.
async fn deliver(
    cfg: &WebhooksConfig,
    policy: &Policy,
    url: &str,
    secret: &str,
    row: &OutboxRow,
) -> Result<(), Failure> {
    let url = Url::parse(url)
        .map_err(|e| Failure::new("webhook.error.invalid", format!("address {url:?}: {e}")))?;
    if url.scheme() != "https" && !policy.plain_http {
        return Err(Failure::new(
            "webhook.error.plain_http",
            "http:// address while webhooks.allow_http is off",
        ));
    }
    let ips = match resolve_checked(&url, policy).await {
        Ok(ips) => ips,
        Err(Refusal::Forbidden(ip, f)) => {
            return Err(Failure::new(
                "webhook.error.forbidden",
                refusal_message(Lang::En, ip, f),
            ));
        }
        Err(Refusal::Unresolved(e)) => return Err(Failure::new("webhook.error.connect", e)),
    };
    let http = client(cfg, policy, &url, &ips)
        .map_err(|e| Failure::new("webhook.error.connect", chain(&e)))?;
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
        .map_err(|e| {
            if e.is_timeout() {
                Failure {
                    shown: Lang::Zh.tf(
                        "webhook.error.timeout",
                        &[("ms", &cfg.timeout_ms.to_string())],
                    ),
                    detail: chain(&e),
                }
            } else {
                Failure::new("webhook.error.connect", chain(&e))
            }
        })?;
    let status = res.status();
    if status.is_success() {
        Ok(())
    } else {
        let code = status.as_u16().to_string();
        Err(Failure {
            shown: Lang::Zh.tf("webhook.error.status", &[("status", &code)]),
            detail: format!("HTTP {status}"),
        })
    }
}

/// Delivers one organ's due rows in order. After a failure the rest wait for the next pass,
/// so an unreachable system costs one attempt per pass. Returns the rows delivered.
async fn organ_pass(
    state: &AppState,
    policy: &Policy,
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
            Some(s) => deliver(cfg, policy, &hook.url, s, &row).await,
            None => Err(Failure::new(
                "webhook.error.secret",
                "the sealed secret does not open under the data key",
            )),
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
                store::mark_failed(db, row.id, attempts, next, &e.shown).await?;
                let outcome = if given_up { "given_up" } else { "failed" };
                metrics::counter!("sijian_webhook_deliveries_total", "outcome" => outcome)
                    .increment(1);
                tracing::warn!(
                    delivery = row.id,
                    organ = organ_id,
                    event = %row.event,
                    attempts,
                    given_up,
                    url = %hook.url,
                    shown = %e.shown,
                    error = %e.detail,
                    "webhook delivery failed"
                );
                break;
            }
        }
    }
    Ok(delivered)
}

/// One pass over the due rows, organs in parallel. Returns the rows delivered.
pub async fn pass(state: &AppState, policy: &Policy) -> Result<usize, StoreError> {
    let cfg = &state.cfg.webhooks;
    let rows = store::due(&state.db, now_ms(), i64::from(cfg.batch_max.max(1))).await?;
    let mut by_organ: BTreeMap<i64, Vec<OutboxRow>> = BTreeMap::new();
    for r in rows {
        by_organ.entry(r.organ_id).or_default().push(r);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (organ, rows) in by_organ {
        let state = state.clone();
        let policy = policy.clone();
        tasks.spawn(async move { organ_pass(&state, &policy, organ, rows).await });
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
    let policy = Policy::of(&cfg);
    let mut tick = tokio::time::interval(Duration::from_millis(cfg.interval_ms.max(10)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match pass(&state, &policy).await {
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

    fn allowing(nets: &[&str]) -> Policy {
        Policy {
            allowed: nets.iter().map(|n| Network::parse(n).unwrap()).collect(),
            plain_http: true,
            ..Policy::default()
        }
    }

    #[tokio::test]
    async fn plain_http_refused_by_default() {
        let default = Policy::of(&WebhooksConfig::default());
        let e = check_url("http://8.8.8.8/in", &default).await.unwrap_err();
        assert!(e.starts_with("请使用 https:// 地址"), "{e}");
        assert!(check_url("https://8.8.8.8/in", &default).await.is_ok());
        let row = OutboxRow {
            id: 1,
            organ_id: 1,
            case_id: 1,
            event: "case.accepted".into(),
            body: "{}".into(),
            attempts: 0,
            next_at: 0,
            delivered_at: None,
            last_error: String::new(),
            created_at: 0,
        };
        let cfg = WebhooksConfig::default();
        let f = deliver(&cfg, &default, "http://8.8.8.8/in", "k", &row)
            .await
            .unwrap_err();
        assert_eq!(f.shown, Lang::Zh.t("webhook.error.plain_http"));
    }

    #[tokio::test]
    async fn addresses_are_checked() {
        let strict = Policy {
            plain_http: true,
            ..Policy::default()
        };
        for bad in [
            "http://127.0.0.1:9/hook",
            "http://localhost/hook",
            "http://api.localhost./hook",
            "http://[::1]/hook",
            "http://10.0.0.1/hook",
            "https://[fd00::1]/",
            "https://[64:ff9b::a00:1]/",
            "https://[::ffff:192.168.1.1]/",
            "https://[2002:a00:1::1]/",
            "http://169.254.169.254/latest/meta-data",
            "http://0x7f.1/",
            "ftp://8.8.8.8/",
            "http://u:p@8.8.8.8/",
            "not a url",
            "",
        ] {
            assert!(check_url(bad, &strict).await.is_err(), "{bad}");
        }
        let e = check_url("https://[64:ff9b::a00:1]/", &strict)
            .await
            .unwrap_err();
        assert!(e.contains("RFC 6052") && e.contains("RFC 1918"), "{e}");
        assert!(e.contains("10.0.0.1"), "{e}");
        assert_eq!(
            check_url("http://127.0.0.1:9/hook#x", &allowing(&["127.0.0.0/8"]))
                .await
                .unwrap(),
            "http://127.0.0.1:9/hook"
        );
        let anything = Policy {
            any_address: true,
            plain_http: true,
            ..Policy::default()
        };
        assert!(check_url("http://[::1]/hook", &anything).await.is_ok());
        // localhost is both 127.0.0.1 and ::1: one refused address refuses the name.
        assert!(
            check_url("http://localhost/", &allowing(&["127.0.0.0/8"]))
                .await
                .is_err()
        );
        assert!(
            check_url("http://localhost/", &allowing(&["127.0.0.0/8", "::1"]))
                .await
                .is_ok()
        );
        assert!(check_url("https://8.8.8.8/in", &strict).await.is_ok());
        assert!(check_url("http://[2400:3200::1]/in", &strict).await.is_ok());
    }

    #[test]
    fn every_range_has_its_message() {
        use netaddr::{Class, Embedding};
        let ip: IpAddr = "64:ff9b::a00:1".parse().unwrap();
        for class in [
            Class::Unspecified,
            Class::ThisNetwork,
            Class::Loopback,
            Class::LinkLocal,
            Class::Private,
            Class::SharedAddress,
            Class::ProtocolAssignments,
            Class::Documentation,
            Class::Benchmarking,
            Class::Multicast,
            Class::Broadcast,
            Class::Reserved,
            Class::UniqueLocal,
            Class::SiteLocal,
            Class::Teredo,
            Class::Nat64LocalUse,
        ] {
            assert!(
                crate::i18n::has(&format!("webhook.class.{}", class.key())),
                "{class:?}"
            );
            for lang in [Lang::Zh, Lang::En] {
                let m = refusal_message(lang, ip, Finding { class, via: None });
                assert!(m.contains("RFC") && !m.contains('{'), "{m}");
            }
        }
        for how in [
            Embedding::Mapped,
            Embedding::Compatible,
            Embedding::Nat64,
            Embedding::SixToFour,
        ] {
            assert!(
                crate::i18n::has(&format!("webhook.via.{}", how.key())),
                "{how:?}"
            );
        }
    }

    /// The delivery client connects to the checked address whatever DNS would say now, and
    /// makes no lookup of its own.
    #[tokio::test]
    async fn the_client_connects_to_the_checked_address_only() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = l.accept().await {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let _ = sock
                    .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                    .await;
            }
        });
        let cfg = WebhooksConfig::default();
        // A name that exists in no DNS: reached only through the checked address.
        let url = Url::parse(&format!("http://organ.invalid:{port}/hook")).unwrap();
        let http = client(&cfg, &allowing(&[]), &url, &["127.0.0.1".parse().unwrap()]).unwrap();
        let res = http.post(url.clone()).send().await.unwrap();
        assert_eq!(res.status(), 204);
        // Any other name is not looked up at all.
        let other = Url::parse(&format!("http://localhost:{port}/hook")).unwrap();
        let e = http.post(other).send().await.unwrap_err();
        assert!(chain(&e).contains("no DNS lookup"), "{}", chain(&e));
    }

    /// A TLS endpoint on 127.0.0.1 with the test certificate for `localhost` and 127.0.0.1
    /// (issued by the test CA in `tests/it/tls/`); answers 204 to every request.
    async fn tls_endpoint() -> u16 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        use tokio_rustls::rustls::{
            self,
            pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
        };
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/tls");
        let certs = CertificateDer::pem_file_iter(format!("{dir}/localhost.pem"))
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let key = PrivateKeyDer::from_pem_file(format!("{dir}/localhost.key")).unwrap();
        // The process's provider: ring, the one the delivery client is built with.
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((sock, _)) = l.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(sock).await else {
                        return;
                    };
                    let mut buf = [0u8; 4096];
                    let _ = tls.read(&mut buf).await;
                    let _ = tls
                        .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                        .await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        port
    }

    /// HTTPS deliveries check the certificate: trusted through `webhooks.ca_file` and valid for
    /// the address's host; an unknown issuer or another name is a failed delivery.
    #[tokio::test]
    async fn https_delivery_checks_the_certificate() {
        let port = tls_endpoint().await;
        let cfg = WebhooksConfig {
            ca_file: Some(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/tls/ca.pem").into()),
            allow_networks: vec!["127.0.0.0/8".into()],
            ..WebhooksConfig::default()
        };
        let trusting = Policy::of(&cfg);
        assert!(trusting.extra_roots.is_some() && !trusting.plain_http);
        let loopback: [IpAddr; 1] = ["127.0.0.1".parse().unwrap()];
        let send = |policy: Policy, host: &'static str| {
            let cfg = cfg.clone();
            async move {
                let url = Url::parse(&format!("https://{host}:{port}/hook")).unwrap();
                let http = client(&cfg, &policy, &url, &loopback).unwrap();
                http.post(url).body("{}").send().await
            }
        };
        // The name and the address in the certificate, with the CA trusted: delivered.
        assert_eq!(
            send(trusting.clone(), "localhost").await.unwrap().status(),
            204
        );
        assert_eq!(
            send(trusting.clone(), "127.0.0.1").await.unwrap().status(),
            204
        );
        // The public roots alone do not know the test CA.
        let public_only = Policy {
            extra_roots: None,
            ..trusting.clone()
        };
        let e = send(public_only, "localhost").await.unwrap_err();
        assert!(chain(&e).contains("UnknownIssuer"), "{}", chain(&e));
        // A name the certificate is not for, at the same address: refused.
        let e = send(trusting, "organ.invalid").await.unwrap_err();
        assert!(chain(&e).contains("not valid for name"), "{}", chain(&e));
    }
}
