//! Standard base64 (RFC 4648 §4, with padding), the only encoding the C2SP formats use.
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub fn encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes strict standard base64; `None` for anything else (URL-safe alphabet, missing
/// padding, whitespace).
pub fn decode(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok()
}

/// Decodes a base64 hash that must be exactly 32 bytes.
pub fn decode_hash(text: &str) -> Option<crate::Hash> {
    decode(text)?.try_into().ok()
}
