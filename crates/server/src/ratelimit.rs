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
