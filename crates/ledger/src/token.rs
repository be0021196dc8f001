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
//! `version ‖ kind ‖ key ID (4 bytes, big-endian) ‖ signature (64 bytes) ‖ fields joined by "\n"`.
//!
//! Version 2 (`sijian/opinion/v2`, `sijian/licence/v2`) adds two fields after the record: the
//! holder's standing when the token was signed (`valid`, `corrected`…) and the signing time
//! (UTC, `YYYY-MM-DDTHH:MM:SSZ`), so an offline check shows how old its answer is. Version 1
//! tokens (already printed) still verify, without either.
use crate::note::{KeyKind, NoteError, Signer, Verifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The token format versions (first byte): 1 without standing, 2 with it.
const VERSION_1: u8 = 0x01;
const VERSION_2: u8 = 0x02;
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
    /// The first line of the signed message: domain separation from checkpoints and notes,
    /// and between the two versions.
    pub fn header(self, with_standing: bool) -> &'static str {
        match (self, with_standing) {
            (RecordKind::Opinion, false) => "sijian/opinion/v1",
            (RecordKind::Licence, false) => "sijian/licence/v1",
            (RecordKind::Opinion, true) => "sijian/opinion/v2",
            (RecordKind::Licence, true) => "sijian/licence/v2",
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
    /// The holder's standing when signed (version 2 tokens).
    pub standing: Option<Standing>,
}

/// What a version 2 token adds: the standing it vouched for, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// e.g. `valid`, `corrected` (an opinion) or `valid` (a licence).
    pub status: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub signed_at: String,
}

fn single_line(f: &str) -> bool {
    !f.is_empty() && !f.chars().any(|c| c.is_control())
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
        if !fields.iter().all(|f| single_line(f)) {
            return Err(TokenError::Field("字段不能为空，也不能含换行等控制字符"));
        }
        Ok(SignedRecord {
            kind,
            fields,
            standing: None,
        })
    }

    /// The record with the standing it is signed for (a version 2 token).
    pub fn with_standing(
        mut self,
        status: &str,
        signed_at: &str,
    ) -> Result<SignedRecord, TokenError> {
        if !single_line(status) || !single_line(signed_at) {
            return Err(TokenError::Field(
                "状态和签发时间不能为空，也不能含控制字符",
            ));
        }
        self.standing = Some(Standing {
            status: status.to_string(),
            signed_at: signed_at.to_string(),
        });
        Ok(self)
    }

    /// Whether two records name the same thing (kind and fields), whatever standing and time
    /// each was signed with.
    pub fn same_record(&self, other: &SignedRecord) -> bool {
        self.kind == other.kind && self.fields == other.fields
    }

    fn lines(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.fields.iter().map(String::as_str).collect();
        if let Some(s) = &self.standing {
            v.push(&s.status);
            v.push(&s.signed_at);
        }
        v
    }

    /// The message the signature covers.
    pub fn message(&self) -> String {
        let mut m = String::from(self.kind.header(self.standing.is_some()));
        m.push('\n');
        for f in self.lines() {
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
        let body = self.lines().join("\n");
        let mut raw = Vec::with_capacity(6 + sig.len() + body.len());
        raw.push(if self.standing.is_some() {
            VERSION_2
        } else {
            VERSION_1
        });
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
    let with_standing = match raw[0] {
        VERSION_1 => false,
        VERSION_2 => true,
        _ => return Err(TokenError::Malformed("不支持的版本")),
    };
    let kind = RecordKind::from_byte(raw[1]).ok_or(TokenError::Malformed("未知的记录种类"))?;
    let key_id = u32::from_be_bytes(raw[2..6].try_into().expect("4 bytes"));
    let signature = raw[6..70].to_vec();
    let body =
        std::str::from_utf8(&raw[70..]).map_err(|_| TokenError::Malformed("字段不是 UTF-8"))?;
    let mut fields: Vec<String> = body.split('\n').map(str::to_string).collect();
    let bad = |_| TokenError::Malformed("所载字段不完整或被改动");
    let standing = if with_standing {
        if fields.len() != kind.arity() + 2 {
            return Err(TokenError::Malformed("所载字段不完整或被改动"));
        }
        let signed_at = fields.pop().unwrap_or_default();
        let status = fields.pop().unwrap_or_default();
        Some((status, signed_at))
    } else {
        None
    };
    let mut record = SignedRecord::new(kind, fields).map_err(bad)?;
    if let Some((status, signed_at)) = standing {
        record = record.with_standing(&status, &signed_at).map_err(bad)?;
    }
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
    fn a_version_2_token_carries_the_standing_and_the_signing_time() {
        let s = signer(6);
        let r = opinion()
            .with_standing("valid", "2026-12-07T08:00:00Z")
            .unwrap();
        assert!(r.message().starts_with("sijian/opinion/v2\n"));
        assert!(r.message().ends_with("\nvalid\n2026-12-07T08:00:00Z\n"));
        let t = r.sign(&s).unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(&t).unwrap()[0], 0x02);
        let back = verify(&t, &[s.verifier()]).unwrap();
        assert_eq!(back, r);
        assert!(back.same_record(&opinion()));
        let st = back.standing.unwrap();
        assert_eq!(
            (st.status.as_str(), st.signed_at.as_str()),
            ("valid", "2026-12-07T08:00:00Z")
        );
        // A version 1 token (already printed) still verifies, without standing.
        let old = opinion().sign(&s).unwrap();
        assert_eq!(verify(&old, &[s.verifier()]).unwrap().standing, None);
        // Relabelling a version 2 body as version 1 (or back) breaks the signature or the shape.
        let mut raw = URL_SAFE_NO_PAD.decode(&t).unwrap();
        raw[0] = 0x01;
        assert!(verify(&URL_SAFE_NO_PAD.encode(&raw), &[s.verifier()]).is_err());
        let mut raw = URL_SAFE_NO_PAD.decode(&old).unwrap();
        raw[0] = 0x02;
        assert!(verify(&URL_SAFE_NO_PAD.encode(&raw), &[s.verifier()]).is_err());
        assert!(opinion().with_standing("", "x").is_err());
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
