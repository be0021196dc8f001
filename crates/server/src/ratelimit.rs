//! The public rate limit: a token bucket per client address, per node, for the directory, the
//! verification pages and their API.
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

    /// Takes a token for the client at address `ip` (see [`client_key`]).
    pub fn allow_client(&self, ip: &str) -> bool {
        self.allow(&client_key(ip))
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
