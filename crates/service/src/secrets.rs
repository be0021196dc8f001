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

/// The key that protects personal identifiers at rest: a keyed hash for lookups and uniqueness
/// (HMAC-SHA-256) and authenticated encryption for the value (ChaCha20-Poly1305). Two subkeys
/// are derived from one 32-byte master so neither use weakens the other.
pub struct DataKey {
    hash_key: [u8; 32],
    seal_key: [u8; 32],
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

/// Prefix of sealed values; a new scheme gets a new prefix.
const SEALED_PREFIX: &str = "v1:";

fn hmac256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    use hmac::{KeyInit, Mac};
    let mut m = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key");
    m.update(msg);
    m.finalize().into_bytes().into()
}

impl DataKey {
    pub fn from_master(master: &[u8; 32]) -> Self {
        DataKey {
            hash_key: hmac256(master, b"sijian identifier hash v1"),
            seal_key: hmac256(master, b"sijian identifier seal v1"),
        }
    }

    /// A key from its text: standard base64 of 32 bytes. Where the text comes from, and
    /// whether it may be created, is `keyring`'s decision.
    pub fn from_text(text: &str) -> anyhow::Result<Self> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| anyhow::anyhow!("数据密钥须为 32 字节的标准 base64 编码"))?;
        let master: [u8; 32] = bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("数据密钥须为 32 字节的标准 base64 编码"))?;
        Ok(Self::from_master(&master))
    }

    /// A new key's text: 32 random bytes, standard base64.
    pub fn new_text() -> String {
        let mut b = [0u8; 32];
        rand::rng().fill_bytes(&mut b);
        base64::engine::general_purpose::STANDARD.encode(b)
    }

    /// A public fingerprint of the key (16 hex digits), recorded in the database so that a
    /// start with another key is refused; it reveals nothing of the key.
    pub fn fingerprint(&self) -> String {
        hex::encode(&hmac256(&self.hash_key, b"sijian data key fingerprint v1")[..8])
    }

    /// Keyed hash of an identifier (hex), the same for the same value under the same key.
    pub fn hash(&self, kind: &str, value: &str) -> String {
        hex::encode(hmac256(
            &self.hash_key,
            format!("{kind}:{value}").as_bytes(),
        ))
    }

    pub fn seal(&self, plaintext: &str) -> String {
        use chacha20poly1305::aead::{Aead, KeyInit};
        let cipher = chacha20poly1305::ChaCha20Poly1305::new((&self.seal_key).into());
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt((&nonce).into(), plaintext.as_bytes())
            .expect("encryption of a short value cannot fail");
        let mut out = nonce.to_vec();
        out.extend(ct);
        format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(out)
        )
    }

    /// The plaintext of a sealed value, or `None` if it was not sealed under this key or was
    /// altered.
    pub fn open(&self, sealed: &str) -> Option<String> {
        use chacha20poly1305::aead::{Aead, KeyInit};
        let raw = base64::engine::general_purpose::STANDARD
            .decode(sealed.strip_prefix(SEALED_PREFIX)?)
            .ok()?;
        if raw.len() < 12 + 16 {
            return None;
        }
        let (nonce, ct) = raw.split_at(12);
        let cipher = chacha20poly1305::ChaCha20Poly1305::new((&self.seal_key).into());
        let pt = cipher.decrypt(nonce.into(), ct).ok()?;
        String::from_utf8(pt).ok()
    }

    /// A resident ID number as the register keeps it.
    pub fn seal_resident_id(
        &self,
        id: &sijian_domain::identifiers::ResidentId,
    ) -> sijian_store::registry::SealedId {
        sijian_store::registry::SealedId {
            hash: self.hash("resident_id", id.as_str()),
            sealed: self.seal(id.as_str()),
            masked: id.masked(),
        }
    }
}

pub(crate) fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod data_key_tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_under_their_key_and_unaltered() {
        let k = DataKey::from_master(&[7u8; 32]);
        let other = DataKey::from_master(&[8u8; 32]);
        let s = k.seal("11010519491231002X");
        assert_ne!(s, k.seal("11010519491231002X"), "fresh nonce every time");
        assert_eq!(k.open(&s).as_deref(), Some("11010519491231002X"));
        assert_eq!(other.open(&s), None);
        let mut tampered = s.clone().into_bytes();
        let last = tampered.len() - 3;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(k.open(&String::from_utf8(tampered).unwrap()), None);
    }

    #[test]
    fn hashes_are_keyed_and_stable() {
        let k = DataKey::from_master(&[7u8; 32]);
        let other = DataKey::from_master(&[8u8; 32]);
        assert_eq!(k.hash("resident_id", "x"), k.hash("resident_id", "x"));
        assert_ne!(k.hash("resident_id", "x"), other.hash("resident_id", "x"));
        assert_ne!(k.hash("resident_id", "x"), k.hash("phone", "x"));
    }
}
