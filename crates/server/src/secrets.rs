//! Random secrets, their hashes, and password hashing (argon2id).
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes, URL-safe base64 without padding (43 characters).
pub fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// Prefix of every API token. Never change it: it tells our tokens from other secrets.
pub const TOKEN_PREFIX: &str = "sjt_";

/// A new API token: `sjt_` plus 40 base62 characters (about 238 bits).
pub fn new_api_token() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    let mut s = String::from(TOKEN_PREFIX);
    while s.len() < TOKEN_PREFIX.len() + 40 {
        let x = (rng.next_u32() & 0xff) as usize;
        if x < 248 {
            s.push(ALPHABET[x % 62] as char);
        }
    }
    s
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Constant-time comparison of two secrets.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// argon2id with the library's recommended parameters (m = 19 MiB, t = 2, p = 1).
pub fn hash_password(password: &str) -> String {
    let h: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 hashing with default parameters cannot fail");
    h.to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

/// Hashing is slow on purpose; keep it off the async workers.
pub async fn hash_password_async(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .expect("hashing task")
}

pub async fn verify_password_async(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .unwrap_or(false)
}

/// A fixed hash verified for unknown user names, so a wrong name takes as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("sijian-dummy-password-for-timing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("Sifa-Jianding-2026");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Sifa-Jianding-2026", &h));
        assert!(!verify_password("Sifa-Jianding-2027", &h));
    }

    #[test]
    fn tokens_have_prefix_and_entropy() {
        let a = new_api_token();
        let b = new_api_token();
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == 44);
        assert_ne!(a, b);
        assert!(same_secret(&a, &a.clone()) && !same_secret(&a, &b));
    }
}
