//! C2SP tlog-checkpoint (v1.0.0): the note text a log signs to commit to a tree head.
//!
//! ```text
//! <origin>\n
//! <tree size, decimal, no leading zeros>\n
//! <root hash, base64>\n
//! [<extension line>\n]*
//! ```
use crate::b64;
use crate::hash::Hash;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("检查点格式错误：{0}")]
    Malformed(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    pub extensions: Vec<String>,
}

impl Checkpoint {
    pub fn new(origin: &str, size: u64, root: Hash) -> Checkpoint {
        Checkpoint {
            origin: origin.to_string(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The note text, ending in a newline.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            b64::encode(&self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Parses a checkpoint body (the text of a note, without signatures).
    pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::Malformed("应以换行结尾"))?;
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or_default();
        if origin.is_empty() {
            return Err(CheckpointError::Malformed("来源行为空"));
        }
        let size_text = lines
            .next()
            .ok_or(CheckpointError::Malformed("缺少树大小"))?;
        let size = parse_decimal(size_text)
            .ok_or(CheckpointError::Malformed("树大小应为不带前导零的十进制数"))?;
        let root = lines
            .next()
            .and_then(b64::decode_hash)
            .ok_or(CheckpointError::Malformed(
                "根哈希应为 32 字节的标准 base64",
            ))?;
        let extensions: Vec<String> = lines.map(str::to_string).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(CheckpointError::Malformed("扩展行不能为空"));
        }
        Ok(Checkpoint {
            origin: origin.to_string(),
            size,
            root,
            extensions,
        })
    }
}

/// ASCII decimal without sign or leading zeros ("0" itself allowed).
pub fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sum_golang_org_checkpoint_parses_and_round_trips() {
        let text = "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n";
        let c = Checkpoint::parse(text).unwrap();
        assert_eq!(c.origin, "go.sum database tree");
        assert_eq!(c.size, 6476701);
        assert_eq!(c.to_text(), text);
    }

    #[test]
    fn bad_checkpoints_are_refused() {
        for bad in [
            "",
            "o\n",
            "o\n01\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n",
            "o\n-1\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n",
            "o\n1\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9W=\n",
            "o\n1\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=",
            "o\n1\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n",
            "\n1\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n",
        ] {
            assert!(Checkpoint::parse(bad).is_err(), "{bad:?}");
        }
        let ext =
            Checkpoint::parse("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next\n").unwrap();
        assert_eq!(ext.extensions, ["ext"]);
    }
}
