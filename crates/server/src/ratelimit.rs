//! The public rate limit: a token bucket per client address for the directory, the
//! verification pages and their API, the configured rate shared among the live nodes
//! (`crate::cluster`). And the bound on the operations log's rows for requests
//! without a signed-in user (`LogThrottle`).
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// A token bucket per client address (public reads only; sign-in throttling is kept in the
/// database across nodes). The cluster as a whole allows `rate` tokens a second, up to `burst`:
/// on each of n live nodes a bucket fills at `rate`/n up to `burst`/n (at least one request),
/// so a client spread over every node by the balancer gets no more than the configured rate,
/// and one kept on one node gets its share.
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    /// The live nodes sharing the limit (at least 1), from the heartbeat.
    nodes: AtomicU32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(rate: f64, burst: f64) -> Self {
        RateLimiter {
            rate,
            burst,
            nodes: AtomicU32::new(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// How many live nodes share the limit (from `crate::cluster`'s heartbeat).
    pub fn share_among(&self, nodes: u32) {
        self.nodes.store(nodes.max(1), Ordering::Relaxed);
    }

    /// This node's rate and burst: its share of the cluster's.
    fn own_share(&self) -> (f64, f64) {
        let n = f64::from(self.nodes.load(Ordering::Relaxed).max(1));
        (self.rate / n, (self.burst / n).max(1.0))
    }

    /// Takes a token for the client at address `ip` (see [`client_key`]).
    pub fn allow_client(&self, ip: &str) -> bool {
        self.allow(&client_key(ip))
    }

    pub fn allow(&self, key: &str) -> bool {
        let Ok(mut b) = self.buckets.lock() else {
            return true;
        };
        let now = Instant::now();
        let (rate, burst) = self.own_share();
        if b.len() > 100_000 {
            // Forget addresses idle long enough to have refilled.
            let full = burst / rate;
            b.retain(|_, (_, at)| now.duration_since(*at).as_secs_f64() < full);
        }
        let (tokens, at) = b.entry(key.to_string()).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Whose bucket a request fills: an IPv4 address as it is; an IPv6 address by its /64 prefix,
/// the smallest block one subscriber is usually given (one host may use any of its 2^64
/// addresses); an IPv4-mapped IPv6 address as the IPv4 address it carries. Anything else as
/// written.
pub fn client_key(ip: &str) -> String {
    use std::net::IpAddr;
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

/// Addresses and kinds remembered by `LogThrottle`; beyond this, within one window, further rows
/// are left out (a flood from this many addresses a window is bounded too).
const THROTTLE_KEYS: usize = 100_000;

/// Operations-log rows of refused requests without a signed-in user: one per client (address,
/// or IPv6 /64: [`client_key`]) and kind (the row's result) per window, per node. Rows left out are counted, and the count goes into
/// the next row written for that address and kind (`security.anonymous_log_window_seconds`).
pub struct LogThrottle {
    window: Duration,
    /// (address, kind) → (when its last row was written, rows left out since).
    seen: Mutex<HashMap<(String, String), (Instant, u64)>>,
}

impl LogThrottle {
    /// A window of zero seconds writes every row.
    pub fn new(window_seconds: u64) -> Self {
        LogThrottle {
            window: Duration::from_secs(window_seconds),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(n)`: write the row, `n` rows of the same address and kind having been left out
    /// before it; `None`: leave it out (counted).
    pub fn admit(&self, ip: &str, kind: &str) -> Option<u64> {
        self.admit_at(ip, kind, Instant::now())
    }

    fn admit_at(&self, ip: &str, kind: &str, now: Instant) -> Option<u64> {
        if self.window.is_zero() {
            return Some(0);
        }
        let Ok(mut seen) = self.seen.lock() else {
            return Some(0);
        };
        let key = (client_key(ip), kind.to_string());
        if let Some((at, left_out)) = seen.get_mut(&key) {
            if now.duration_since(*at) < self.window {
                *left_out += 1;
                return None;
            }
            let n = std::mem::take(left_out);
            *at = now;
            return Some(n);
        }
        if seen.len() >= THROTTLE_KEYS {
            // Forget the windows that have passed (their counts with them); if every key is
            // still in its window, leave this row out too.
            seen.retain(|_, (at, _)| now.duration_since(*at) < self.window);
            if seen.len() >= THROTTLE_KEYS {
                return None;
            }
        }
        seen.insert(key, (now, 0));
        Some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_burst_is_shared_among_nodes() {
        let one = RateLimiter::new(0.001, 6.0);
        assert_eq!((0..8).filter(|_| one.allow("a")).count(), 6);
        let three = RateLimiter::new(0.001, 6.0);
        three.share_among(3);
        assert_eq!((0..8).filter(|_| three.allow("a")).count(), 2);
        // Never below one request, however many nodes.
        let many = RateLimiter::new(0.001, 6.0);
        many.share_among(100);
        assert_eq!((0..8).filter(|_| many.allow("a")).count(), 1);
        many.share_among(0);
        assert_eq!(many.own_share().0, 0.001);
    }

    #[test]
    fn an_ipv6_client_is_its_64_prefix() {
        assert_eq!(client_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            client_key("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            client_key("2001:db8:1:2::9")
        );
        assert_ne!(client_key("2001:db8:1:3::1"), client_key("2001:db8:1:2::1"));
        assert_eq!(client_key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(client_key("192.0.2.7"), "192.0.2.7");
    }

    #[test]
    fn addresses_of_one_64_share_one_bucket() {
        let l = RateLimiter::new(0.001, 3.0);
        for i in 0..3 {
            assert!(l.allow_client(&format!("2001:db8::{i:x}")));
        }
        assert!(
            !l.allow_client("2001:db8::ffff"),
            "the fourth from the same /64"
        );
        assert!(
            l.allow_client("2001:db8:0:1::1"),
            "another /64 has its own bucket"
        );
    }

    #[test]
    fn one_row_per_address_and_kind_per_window_then_the_count() {
        let t = LogThrottle::new(60);
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert_eq!(t.admit_at("1.2.3.4", "denied", at(0)), Some(0));
        for s in 1..=30 {
            assert_eq!(t.admit_at("1.2.3.4", "denied", at(s)), None);
        }
        // Another kind, another address: rows of their own.
        assert_eq!(t.admit_at("1.2.3.4", "refused", at(5)), Some(0));
        assert_eq!(t.admit_at("5.6.7.8", "denied", at(5)), Some(0));
        // An IPv6 client is its /64.
        assert_eq!(t.admit_at("2001:db8::1", "denied", at(5)), Some(0));
        assert_eq!(t.admit_at("2001:db8::2", "denied", at(6)), None);
        // The window over, the next row says how many were left out.
        assert_eq!(t.admit_at("1.2.3.4", "denied", at(60)), Some(30));
        assert_eq!(t.admit_at("1.2.3.4", "denied", at(61)), None);
        assert_eq!(t.admit_at("1.2.3.4", "denied", at(121)), Some(1));
    }

    #[test]
    fn a_zero_window_writes_every_row() {
        let t = LogThrottle::new(0);
        for _ in 0..3 {
            assert_eq!(t.admit("1.2.3.4", "denied"), Some(0));
        }
    }
}
