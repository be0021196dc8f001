//! Commitments to private records, and the leaf entries that carry them. A leaf never holds
//! personal data: only a salted SHA-256 of the record's canonical bytes. Whoever holds the
//! record and its salt can recompute the commitment; nobody else can test guesses against it.
//!
//! Canonical record bytes: for each field in order, `u16 name length ‖ name ‖ u32 value length
//! ‖ value`, with a null value written as length `0xFFFFFFFF` and no bytes. Integers are ASCII
//! decimal. Commitment = SHA-256("sijian/commitment/v1\n" ‖ salt(32) ‖ record bytes).
//!
//! Event entry (the leaf data): `sijian/event/v1\n<event id>\n<base64 commitment>\n`, optionally
//! followed by one line of public fields that anyone may recompute, e.g. for an issued opinion
//! `opinion <code> <document SHA-256 hex> <institution id> <issue date>\n`.
use crate::b64;
use crate::hash::{Hash, sha256};

pub const SALT_SIZE: usize = 32;
const COMMITMENT_DOMAIN: &[u8] = b"sijian/commitment/v1\n";
const EVENT_ENTRY_HEADER: &str = "sijian/event/v1";

/// Builds canonical record bytes field by field.
#[derive(Debug, Default, Clone)]
pub struct Record(Vec<u8>);

impl Record {
    pub fn new() -> Self {
        Record::default()
    }

    pub fn field(mut self, name: &str, value: Option<&[u8]>) -> Self {
        let n = name.as_bytes();
        self.0.extend_from_slice(&(n.len() as u16).to_be_bytes());
        self.0.extend_from_slice(n);
        match value {
            None => self.0.extend_from_slice(&u32::MAX.to_be_bytes()),
            Some(v) => {
                self.0.extend_from_slice(&(v.len() as u32).to_be_bytes());
                self.0.extend_from_slice(v);
            }
        }
        self
    }

    pub fn text(self, name: &str, value: &str) -> Self {
        self.field(name, Some(value.as_bytes()))
    }

    pub fn int(self, name: &str, value: Option<i64>) -> Self {
        let s = value.map(|v| v.to_string());
        self.field(name, s.as_deref().map(str::as_bytes))
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

pub fn commitment(salt: &[u8; SALT_SIZE], record: &Record) -> Hash {
    let mut buf = Vec::with_capacity(COMMITMENT_DOMAIN.len() + SALT_SIZE + record.0.len());
    buf.extend_from_slice(COMMITMENT_DOMAIN);
    buf.extend_from_slice(salt);
    buf.extend_from_slice(&record.0);
    sha256(&buf)
}

/// The leaf entry of one recorded event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventEntry {
    pub event_id: i64,
    pub commitment: Hash,
    /// Public fields of the event, one line (no newline, not empty).
    pub public: Option<String>,
}

impl EventEntry {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = format!(
            "{EVENT_ENTRY_HEADER}\n{}\n{}\n",
            self.event_id,
            b64::encode(&self.commitment)
        );
        if let Some(p) = &self.public {
            s.push_str(p);
            s.push('\n');
        }
        s.into_bytes()
    }

    pub fn parse(entry: &[u8]) -> Option<EventEntry> {
        let s = std::str::from_utf8(entry).ok()?;
        let mut lines = s.strip_suffix('\n')?.split('\n');
        if lines.next()? != EVENT_ENTRY_HEADER {
            return None;
        }
        let id = crate::checkpoint::parse_decimal(lines.next()?)?;
        let commitment = b64::decode_hash(lines.next()?)?;
        let public = match lines.next() {
            Some(p) if !p.is_empty() => Some(p.to_string()),
            Some(_) => return None,
            None => None,
        };
        if lines.next().is_some() {
            return None;
        }
        Some(EventEntry {
            event_id: i64::try_from(id).ok()?,
            commitment,
            public,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_and_empty_values_differ_and_fields_cannot_shift() {
        let a = Record::new().field("x", None);
        let b = Record::new().field("x", Some(b""));
        assert_ne!(commitment(&[0; 32], &a), commitment(&[0; 32], &b));
        let c = Record::new().text("a", "bc").text("d", "");
        let d = Record::new().text("a", "b").text("cd", "");
        assert_ne!(c.bytes(), d.bytes());
        assert_ne!(commitment(&[0; 32], &c), commitment(&[1; 32], &c));
    }

    #[test]
    fn event_entries_round_trip_and_refuse_junk() {
        let e = EventEntry {
            event_id: 42,
            commitment: [9; 32],
            public: None,
        };
        assert_eq!(EventEntry::parse(&e.to_bytes()), Some(e.clone()));
        let p = EventEntry {
            public: Some("opinion 330000-2026-1-0000001-5 ab 7 2026-11-29".into()),
            ..e.clone()
        };
        assert_eq!(EventEntry::parse(&p.to_bytes()), Some(p));
        assert_eq!(
            EventEntry::parse(
                b"sijian/event/v1\n42\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n\n"
            ),
            None
        );
        assert_eq!(EventEntry::parse(b"sijian/event/v1\n042\nAAAA\n"), None);
        let mut b = e.to_bytes();
        b.push(b'x');
        assert_eq!(EventEntry::parse(&b), None);
    }
}
