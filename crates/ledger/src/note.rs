//! C2SP signed notes (`signed-note/v1.0.0`) with Ed25519 signatures (type 0x01) and
//! `cosignature/v1` witness cosignatures (type 0x04, C2SP `tlog-cosignature`).
//!
//! A note is its text (ending in a newline), one blank line, then signature lines
//! `— <name> <base64(key ID ‖ signature)>`. A key ID is the first four bytes of
//! SHA-256(name ‖ "\n" ‖ type ‖ public key). Verifier keys are written
//! `<name>+<hex key ID>+<base64(type ‖ public key)>`; signer keys
//! `PRIVATE+KEY+<name>+<hex key ID>+<base64(type ‖ seed)>`.
use crate::b64;
use crate::hash::sha256;
use ed25519_dalek::{Signature as EdSignature, SigningKey, VerifyingKey};

/// Longest note accepted, signatures included.
pub const MAX_NOTE_BYTES: usize = 1 << 20;
/// Most signature lines read from one note (the spec asks for at least 16).
pub const MAX_SIGNATURES: usize = 100;

const EM_DASH_PREFIX: &str = "\u{2014} ";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("签名笔记格式错误：{0}")]
    Malformed(&'static str),
    #[error("密钥文本格式错误：{0}")]
    BadKey(&'static str),
    #[error("密钥 {name} 的签名无效")]
    BadSignature { name: String },
    #[error("没有任何已知密钥的有效签名")]
    NoKnownSignature,
}

/// Signature algorithms this crate speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// Ed25519 over the note text (signed-note type 0x01): the log's own signature.
    Ed25519 = 0x01,
    /// Timestamped Ed25519 cosignature (tlog-cosignature v1, type 0x04): witnesses.
    CosignatureV1 = 0x04,
}

impl KeyKind {
    fn from_byte(b: u8) -> Option<KeyKind> {
        match b {
            0x01 => Some(KeyKind::Ed25519),
            0x04 => Some(KeyKind::CosignatureV1),
            _ => None,
        }
    }
}

pub fn key_id(name: &str, kind: KeyKind, public_key: &[u8]) -> u32 {
    let mut buf = Vec::with_capacity(name.len() + 2 + public_key.len());
    buf.extend_from_slice(name.as_bytes());
    buf.push(b'\n');
    buf.push(kind as u8);
    buf.extend_from_slice(public_key);
    let h = sha256(&buf);
    u32::from_be_bytes([h[0], h[1], h[2], h[3]])
}

/// Key names: non-empty, no whitespace, no '+'.
pub fn valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The message a `cosignature/v1` signature covers.
pub fn cosignature_message(text: &str, timestamp: u64) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{text}")
}

/// A public key that checks signatures of one kind under one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    pub name: String,
    pub key_id: u32,
    pub kind: KeyKind,
    key: VerifyingKey,
}

impl Verifier {
    /// Parses `<name>+<hex8>+<base64(type ‖ key)>`. Names cannot contain '+' but base64 can,
    /// so only the first two '+' separate fields.
    pub fn parse(vkey: &str) -> Result<Verifier, NoteError> {
        let mut parts = vkey.trim().splitn(3, '+');
        let name = parts.next().unwrap_or_default();
        let id_hex = parts.next().ok_or(NoteError::BadKey("缺少密钥编号"))?;
        let key_b64 = parts.next().ok_or(NoteError::BadKey("缺少公钥"))?;
        if !valid_key_name(name) {
            return Err(NoteError::BadKey("名称为空或含空格、加号"));
        }
        let id = parse_key_id(id_hex)?;
        let raw = b64::decode(key_b64).ok_or(NoteError::BadKey("公钥不是标准 base64"))?;
        let (&ty, key) = raw.split_first().ok_or(NoteError::BadKey("公钥为空"))?;
        let kind = KeyKind::from_byte(ty).ok_or(NoteError::BadKey("不支持的签名类型"))?;
        let key: [u8; 32] = key
            .try_into()
            .map_err(|_| NoteError::BadKey("Ed25519 公钥应为 32 字节"))?;
        let key = VerifyingKey::from_bytes(&key)
            .map_err(|_| NoteError::BadKey("公钥不是有效的 Ed25519 点"))?;
        if key_id(name, kind, key.as_bytes()) != id {
            return Err(NoteError::BadKey("密钥编号与名称和公钥不符"));
        }
        Ok(Verifier {
            name: name.to_string(),
            key_id: id,
            kind,
            key,
        })
    }

    /// The verifier key text.
    pub fn to_text(&self) -> String {
        let mut raw = vec![self.kind as u8];
        raw.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.key_id, b64::encode(&raw))
    }

    /// Checks one signature over `text`; for cosignatures returns their timestamp.
    pub fn verify(&self, text: &str, sig: &[u8]) -> Result<Option<u64>, NoteError> {
        let bad = || NoteError::BadSignature {
            name: self.name.clone(),
        };
        match self.kind {
            KeyKind::Ed25519 => {
                let s = EdSignature::from_slice(sig).map_err(|_| bad())?;
                self.key
                    .verify_strict(text.as_bytes(), &s)
                    .map_err(|_| bad())?;
                Ok(None)
            }
            KeyKind::CosignatureV1 => {
                if sig.len() != 72 {
                    return Err(bad());
                }
                let t = u64::from_be_bytes(sig[..8].try_into().expect("8 bytes"));
                if t > i64::MAX as u64 {
                    return Err(bad());
                }
                let s = EdSignature::from_slice(&sig[8..]).map_err(|_| bad())?;
                let msg = cosignature_message(text, t);
                self.key
                    .verify_strict(msg.as_bytes(), &s)
                    .map_err(|_| bad())?;
                Ok(Some(t))
            }
        }
    }
}

fn parse_key_id(hex: &str) -> Result<u32, NoteError> {
    if hex.len() != 8
        || !hex
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(NoteError::BadKey("密钥编号应为 8 位小写十六进制"));
    }
    u32::from_str_radix(hex, 16).map_err(|_| NoteError::BadKey("密钥编号应为 8 位小写十六进制"))
}

/// A private key that signs notes (the log) or cosigns checkpoints (a witness).
#[derive(Clone)]
pub struct Signer {
    pub name: String,
    pub key_id: u32,
    pub kind: KeyKind,
    key: SigningKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({}+{:08x})", self.name, self.key_id)
    }
}

impl Signer {
    /// A signer from a 32-byte Ed25519 seed (the caller draws it from a secure source).
    pub fn from_seed(name: &str, kind: KeyKind, seed: [u8; 32]) -> Result<Signer, NoteError> {
        if !valid_key_name(name) {
            return Err(NoteError::BadKey("名称为空或含空格、加号"));
        }
        let key = SigningKey::from_bytes(&seed);
        let id = key_id(name, kind, key.verifying_key().as_bytes());
        Ok(Signer {
            name: name.to_string(),
            key_id: id,
            kind,
            key,
        })
    }

    /// Parses `PRIVATE+KEY+<name>+<hex8>+<base64(type ‖ seed)>`.
    pub fn parse(skey: &str) -> Result<Signer, NoteError> {
        let rest = skey
            .trim()
            .strip_prefix("PRIVATE+KEY+")
            .ok_or(NoteError::BadKey("私钥应以 PRIVATE+KEY+ 开头"))?;
        let mut parts = rest.splitn(3, '+');
        let name = parts.next().unwrap_or_default();
        let id = parse_key_id(parts.next().ok_or(NoteError::BadKey("缺少密钥编号"))?)?;
        let raw = b64::decode(parts.next().ok_or(NoteError::BadKey("缺少私钥"))?)
            .ok_or(NoteError::BadKey("私钥不是标准 base64"))?;
        let (&ty, seed) = raw.split_first().ok_or(NoteError::BadKey("私钥为空"))?;
        let kind = KeyKind::from_byte(ty).ok_or(NoteError::BadKey("不支持的签名类型"))?;
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| NoteError::BadKey("Ed25519 私钥种子应为 32 字节"))?;
        let s = Signer::from_seed(name, kind, seed)?;
        if s.key_id != id {
            return Err(NoteError::BadKey("密钥编号与名称和私钥不符"));
        }
        Ok(s)
    }

    pub fn to_text(&self) -> String {
        let mut raw = vec![self.kind as u8];
        raw.extend_from_slice(self.key.as_bytes());
        format!(
            "PRIVATE+KEY+{}+{:08x}+{}",
            self.name,
            self.key_id,
            b64::encode(&raw)
        )
    }

    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            key_id: self.key_id,
            kind: self.kind,
            key: self.key.verifying_key(),
        }
    }

    /// Signs `text` (which must be a valid note text). `timestamp` (POSIX seconds) is used by
    /// cosignatures only.
    pub fn sign(&self, text: &str, timestamp: u64) -> NoteSignature {
        use ed25519_dalek::Signer as _;
        let bytes = match self.kind {
            KeyKind::Ed25519 => self.key.sign(text.as_bytes()).to_bytes().to_vec(),
            KeyKind::CosignatureV1 => {
                let msg = cosignature_message(text, timestamp);
                let mut b = timestamp.to_be_bytes().to_vec();
                b.extend_from_slice(&self.key.sign(msg.as_bytes()).to_bytes());
                b
            }
        };
        NoteSignature {
            name: self.name.clone(),
            key_id: self.key_id,
            bytes,
        }
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    pub name: String,
    pub key_id: u32,
    /// The signature after the key ID.
    pub bytes: Vec<u8>,
}

impl NoteSignature {
    pub fn parse_line(line: &str) -> Result<NoteSignature, NoteError> {
        let rest = line
            .strip_prefix(EM_DASH_PREFIX)
            .ok_or(NoteError::Malformed("签名行应以“— ”开头"))?;
        let (name, sig) = rest
            .split_once(' ')
            .ok_or(NoteError::Malformed("签名行缺少签名"))?;
        if !valid_key_name(name) {
            return Err(NoteError::Malformed("签名行的密钥名称无效"));
        }
        let raw = b64::decode(sig).ok_or(NoteError::Malformed("签名不是标准 base64"))?;
        if raw.len() < 5 {
            return Err(NoteError::Malformed("签名过短"));
        }
        Ok(NoteSignature {
            name: name.to_string(),
            key_id: u32::from_be_bytes(raw[..4].try_into().expect("4 bytes")),
            bytes: raw[4..].to_vec(),
        })
    }

    /// `— <name> <base64>\n`
    pub fn to_line(&self) -> String {
        let mut raw = self.key_id.to_be_bytes().to_vec();
        raw.extend_from_slice(&self.bytes);
        format!("{EM_DASH_PREFIX}{} {}\n", self.name, b64::encode(&raw))
    }
}

/// A parsed signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The signed text, ending in a newline.
    pub text: String,
    pub signatures: Vec<NoteSignature>,
}

/// Text that may be signed: non-empty, ends in a newline, no control characters but newline.
pub fn check_text(text: &str) -> Result<(), NoteError> {
    if text.is_empty() || !text.ends_with('\n') {
        return Err(NoteError::Malformed("正文应以换行结尾"));
    }
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::Malformed("正文含控制字符"));
    }
    Ok(())
}

impl Note {
    /// A note over `text` signed by every signer in turn.
    pub fn sign(text: &str, signers: &[&Signer], timestamp: u64) -> Result<Note, NoteError> {
        check_text(text)?;
        Ok(Note {
            text: text.to_string(),
            signatures: signers.iter().map(|s| s.sign(text, timestamp)).collect(),
        })
    }

    pub fn parse(msg: &str) -> Result<Note, NoteError> {
        if msg.len() > MAX_NOTE_BYTES {
            return Err(NoteError::Malformed("过长"));
        }
        if msg.chars().any(|c| c < ' ' && c != '\n') {
            return Err(NoteError::Malformed("含控制字符"));
        }
        // The last blank line separates text from signatures.
        let split = msg
            .rfind("\n\n")
            .ok_or(NoteError::Malformed("缺少正文与签名之间的空行"))?;
        let text = &msg[..split + 1];
        let sigs = &msg[split + 2..];
        if !sigs.ends_with('\n') {
            return Err(NoteError::Malformed("签名行应以换行结尾"));
        }
        let mut signatures = Vec::new();
        for line in sigs[..sigs.len() - 1].split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::Malformed("签名过多"));
            }
            signatures.push(NoteSignature::parse_line(line)?);
        }
        if signatures.is_empty() {
            return Err(NoteError::Malformed("没有签名"));
        }
        Ok(Note {
            text: text.to_string(),
            signatures,
        })
    }

    pub fn to_text(&self) -> String {
        let mut s = self.text.clone();
        s.push('\n');
        for sig in &self.signatures {
            s.push_str(&sig.to_line());
        }
        s
    }

    /// Adds a signature unless one from the same key is already there.
    pub fn add_signature(&mut self, sig: NoteSignature) {
        if !self
            .signatures
            .iter()
            .any(|s| s.name == sig.name && s.key_id == sig.key_id)
        {
            self.signatures.push(sig);
        }
    }
}

/// A signature that checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub name: String,
    pub key_id: u32,
    pub kind: KeyKind,
    /// Cosignature time, POSIX seconds.
    pub timestamp: Option<u64>,
}

/// The keys a reader trusts.
#[derive(Debug, Clone, Default)]
pub struct VerifierSet(pub Vec<Verifier>);

impl VerifierSet {
    pub fn new(v: Vec<Verifier>) -> Self {
        VerifierSet(v)
    }

    /// Checks a note: signatures by unknown keys are ignored; a signature by a known key that
    /// fails rejects the whole note; at least one known key must have signed.
    pub fn verify(&self, note: &Note) -> Result<Vec<Verified>, NoteError> {
        let mut ok = Vec::new();
        for sig in &note.signatures {
            for v in self
                .0
                .iter()
                .filter(|v| v.name == sig.name && v.key_id == sig.key_id)
            {
                let timestamp = v.verify(&note.text, &sig.bytes)?;
                ok.push(Verified {
                    name: v.name.clone(),
                    key_id: v.key_id,
                    kind: v.kind,
                    timestamp,
                });
            }
        }
        if ok.is_empty() {
            return Err(NoteError::NoKnownSignature);
        }
        Ok(ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c2sp_example_signature() {
        let v = Verifier::parse(
            "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        )
        .unwrap();
        let note = Note::parse("This is an example message.\n\n\u{2014} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n").unwrap();
        VerifierSet::new(vec![v]).verify(&note).unwrap();
    }

    #[test]
    fn signer_round_trips_through_text() {
        let s = Signer::from_seed("log.example/a", KeyKind::Ed25519, [7; 32]).unwrap();
        let s2 = Signer::parse(&s.to_text()).unwrap();
        assert_eq!(s2.to_text(), s.to_text());
        let v = Verifier::parse(&s.verifier().to_text()).unwrap();
        assert_eq!(v, s.verifier());
    }

    #[test]
    fn a_failing_known_signature_rejects_and_unknown_ones_are_ignored() {
        let a = Signer::from_seed("a", KeyKind::Ed25519, [1; 32]).unwrap();
        let b = Signer::from_seed("b", KeyKind::Ed25519, [2; 32]).unwrap();
        let mut n = Note::sign("hello\n", &[&a, &b], 0).unwrap();
        let only_a = VerifierSet::new(vec![a.verifier()]);
        assert_eq!(only_a.verify(&n).unwrap().len(), 1);
        n.signatures[0].bytes[0] ^= 1;
        assert!(matches!(
            only_a.verify(&n),
            Err(NoteError::BadSignature { .. })
        ));
        let only_b = VerifierSet::new(vec![b.verifier()]);
        let mut n2 = Note::sign("hello\n", &[&a], 0).unwrap();
        assert_eq!(only_b.verify(&n2), Err(NoteError::NoKnownSignature));
        n2.text = "hello!\n".into();
        assert!(only_a.verify(&n2).is_err());
    }

    #[test]
    fn malformed_notes_are_refused() {
        for bad in [
            "no blank line\n\u{2014} a AAAAAAA=\n",
            "text\n\n",
            "text\n\nnot a signature\n",
            "text\n\n\u{2014} a AAAAAAA=",
            "te\u{1}xt\n\n\u{2014} a AAAAAAA=\n",
        ] {
            assert!(Note::parse(bad).is_err(), "{bad:?}");
        }
        assert!(Verifier::parse("a+zzzzzzzz+AQ==").is_err());
        assert!(Verifier::parse("a b+00000000+AQ==").is_err());
    }
}
