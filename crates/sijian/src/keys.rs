//! Verifier keys given on the command line (`--key`, `--witness`): parsed once, of the right kind.
use sijian_ledger::Verifier;
use sijian_ledger::note::KeyKind;

/// A verifier key of the given kind, for clap (a bad key is a usage error).
fn key_of(text: &str, kind: KeyKind, what: &str) -> Result<Verifier, String> {
    let v = Verifier::parse(text).map_err(|e| e.to_string())?;
    if v.kind != kind {
        return Err(format!("{what}的签名类型不对"));
    }
    Ok(v)
}

pub fn log_key(text: &str) -> Result<Verifier, String> {
    key_of(text, KeyKind::Ed25519, "日志公钥（应为类型 0x01）")
}

pub fn witness_key(text: &str) -> Result<Verifier, String> {
    key_of(text, KeyKind::CosignatureV1, "见证人公钥（应为类型 0x04）")
}
