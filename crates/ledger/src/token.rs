//! Compact signed tokens for QR codes that verify offline (docs/VERIFICATION.md).
//!
//! A token carries a short record — an opinion's code, document SHA-256, institution licence
//! number and issue date, or an electronic licence's identifier and holder — and the platform's
//! Ed25519 signature over it. The signed message is a small text:
//!
//! ```text
//! sijian/opinion/v1
//! <field 1>
//! …
//! <field n>
//! ```
//!
//! (each line ending in a newline), so a verifier with the platform's key checks the record
//! with no network. The token itself is URL-safe base64 without padding of
//! `0x01 ‖ kind ‖ key ID (4 bytes, big-endian) ‖ signature (64 bytes) ‖ fields joined by "\n"`.
use crate::note::{KeyKind, NoteError, Signer, Verifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The token format version (first byte).
const VERSION: u8 = 0x01;
/// Longest token accepted, in characters (a QR code holds far less).
pub const MAX_TOKEN_CHARS: usize = 2048;

/// What a token vouches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// Fields: code (19 characters), document SHA-256 (hex), institution licence number, issue date.
    Opinion,
    /// Fields: electronic licence identifier, licence kind, holder, licence number, valid until.
    Licence,
}

impl RecordKind {
    fn byte(self) -> u8 {
        match self {
            RecordKind::Opinion => b'O',
            RecordKind::Licence => b'L',
        }
    }
    fn from_byte(b: u8) -> Option<RecordKind> {
        match b {
            b'O' => Some(RecordKind::Opinion),
            b'L' => Some(RecordKind::Licence),
            _ => None,
        }
    }
    /// The first line of the signed message: domain separation from checkpoints and notes.
    pub fn header(self) -> &'static str {
        match self {
            RecordKind::Opinion => "sijian/opinion/v1",
            RecordKind::Licence => "sijian/licence/v1",
        }
    }
    /// How many fields a record of this kind has.
    pub fn arity(self) -> usize {
        match self {
            RecordKind::Opinion => 4,
            RecordKind::Licence => 5,
        }
    }
}

/// The record a token carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRecord {
    pub kind: RecordKind,
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("核验令牌格式错误：{0}")]
    Malformed(&'static str),
    #[error("核验令牌由未知密钥签发（密钥编号 {0:08x}）：请用平台公布的核验公钥")]
    UnknownKey(u32),
    #[error("核验令牌签名无效：内容被改动，或不是平台签发的")]
    BadSignature,
    #[error("记录字段不合要求：{0}")]
    Field(&'static str),
    #[error(transparent)]
    Key(#[from] NoteError),
}

impl SignedRecord {
    pub fn new(kind: RecordKind, fields: Vec<String>) -> Result<SignedRecord, TokenError> {
        if fields.len() != kind.arity() {
            return Err(TokenError::Field("字段个数与记录种类不符"));
        }
        if fields
            .iter()
            .any(|f| f.is_empty() || f.chars().any(|c| c.is_control()))
        {
            return Err(TokenError::Field("字段不能为空，也不能含换行等控制字符"));
        }
        Ok(SignedRecord { kind, fields })
    }

    /// The message the signature covers.
    pub fn message(&self) -> String {
        let mut m = String::from(self.kind.header());
        m.push('\n');
        for f in &self.fields {
            m.push_str(f);
            m.push('\n');
        }
        m
    }

    /// Signs the record with the platform's Ed25519 key and returns the token text.
    pub fn sign(&self, signer: &Signer) -> Result<String, TokenError> {
        if signer.kind != KeyKind::Ed25519 {
            return Err(TokenError::Key(NoteError::BadKey(
                "核验令牌须用 Ed25519 密钥签名",
            )));
        }
        let sig = signer.sign(&self.message(), 0).bytes;
        let body = self.fields.join("\n");
        let mut raw = Vec::with_capacity(6 + sig.len() + body.len());
        raw.push(VERSION);
        raw.push(self.kind.byte());
        raw.extend_from_slice(&signer.key_id.to_be_bytes());
        raw.extend_from_slice(&sig);
        raw.extend_from_slice(body.as_bytes());
        Ok(URL_SAFE_NO_PAD.encode(raw))
    }
}

/// A token taken apart, before its signature is checked.
struct Parsed {
    key_id: u32,
    signature: Vec<u8>,
    record: SignedRecord,
}

fn parse(token: &str) -> Result<Parsed, TokenError> {
    let token = token.trim();
    if token.is_empty() || token.len() > MAX_TOKEN_CHARS {
        return Err(TokenError::Malformed("长度不对"));
    }
    let raw = URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| TokenError::Malformed("不是 URL 安全的 base64（无填充）"))?;
    if raw.len() < 6 + 64 {
        return Err(TokenError::Malformed("太短"));
    }
    if raw[0] != VERSION {
        return Err(TokenError::Malformed("不支持的版本"));
    }
    let kind = RecordKind::from_byte(raw[1]).ok_or(TokenError::Malformed("未知的记录种类"))?;
    let key_id = u32::from_be_bytes(raw[2..6].try_into().expect("4 bytes"));
    let signature = raw[6..70].to_vec();
    let body =
        std::str::from_utf8(&raw[70..]).map_err(|_| TokenError::Malformed("字段不是 UTF-8"))?;
    let fields = body.split('\n').map(str::to_string).collect();
    let record = SignedRecord::new(kind, fields)
        .map_err(|_| TokenError::Malformed("所载字段不完整或被改动"))?;
    Ok(Parsed {
        key_id,
        signature,
        record,
    })
}

/// Checks a token against the platform's verifier keys (current and retired) and returns the
/// record it vouches for.
pub fn verify(token: &str, keys: &[Verifier]) -> Result<SignedRecord, TokenError> {
    let p = parse(token)?;
    let key = keys
        .iter()
        .find(|k| k.key_id == p.key_id && k.kind == KeyKind::Ed25519)
        .ok_or(TokenError::UnknownKey(p.key_id))?;
    key.verify(&p.record.message(), &p.signature)
        .map_err(|_| TokenError::BadSignature)?;
    Ok(p.record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(seed: u8) -> Signer {
        Signer::from_seed("sijian.local/verify", KeyKind::Ed25519, [seed; 32]).unwrap()
    }

    fn opinion() -> SignedRecord {
        SignedRecord::new(
            RecordKind::Opinion,
            vec![
                "3300002026100000018".into(),
                "ab".repeat(32),
                "330112001".into(),
                "2026-11-28".into(),
            ],
        )
        .unwrap()
    }

    #[test]
    fn a_signed_token_verifies_and_gives_its_record_back() {
        let s = signer(1);
        let t = opinion().sign(&s).unwrap();
        assert!(t.len() < 260, "compact enough for a QR code: {}", t.len());
        assert!(
            t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(verify(&t, &[s.verifier()]).unwrap(), opinion());
        // Deterministic: the same record gives the same token.
        assert_eq!(t, opinion().sign(&s).unwrap());
    }

    #[test]
    fn every_changed_character_fails() {
        let s = signer(2);
        let t = opinion().sign(&s).unwrap();
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for i in 0..t.len() {
            let mut b = t.clone().into_bytes();
            b[i] = *alphabet.iter().find(|&&c| c != b[i]).unwrap();
            let changed = String::from_utf8(b).unwrap();
            // A change in the final character's padding bits may decode to the same bytes.
            if URL_SAFE_NO_PAD.decode(&changed).ok() == URL_SAFE_NO_PAD.decode(&t).ok() {
                continue;
            }
            assert!(verify(&changed, &[s.verifier()]).is_err(), "position {i}");
        }
    }

    #[test]
    fn a_token_from_another_key_or_kind_is_refused_with_the_reason() {
        let t = opinion().sign(&signer(3)).unwrap();
        assert!(matches!(
            verify(&t, &[signer(4).verifier()]),
            Err(TokenError::UnknownKey(_))
        ));
        // A key with the same name and ID cannot exist for another seed; a forged signature
        // under the right key ID fails.
        let mut raw = URL_SAFE_NO_PAD.decode(&t).unwrap();
        raw[10] ^= 1;
        let forged = URL_SAFE_NO_PAD.encode(raw);
        assert_eq!(
            verify(&forged, &[signer(3).verifier()]),
            Err(TokenError::BadSignature)
        );
        assert!(matches!(
            verify("not a token", &[signer(3).verifier()]),
            Err(TokenError::Malformed(_))
        ));
        let cosigner = Signer::from_seed("w", KeyKind::CosignatureV1, [5; 32]).unwrap();
        assert!(opinion().sign(&cosigner).is_err());
    }

    #[test]
    fn records_are_checked() {
        assert!(SignedRecord::new(RecordKind::Opinion, vec!["a".into()]).is_err());
        assert!(
            SignedRecord::new(
                RecordKind::Opinion,
                vec!["a".into(), "b\nc".into(), "d".into(), "e".into()]
            )
            .is_err()
        );
        assert_eq!(
            opinion().message(),
            format!(
                "sijian/opinion/v1\n3300002026100000018\n{}\n330112001\n2026-11-28\n",
                "ab".repeat(32)
            )
        );
    }
}
