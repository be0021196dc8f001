//! The log's keys from configuration: the signing key, the keys it publishes, and its witness
//! policy.
use crate::config::{Config, LedgerConfig};
use rand::RngCore;
use sijian_ledger::note::{KeyKind, Signer, Verifier};
use sijian_ledger::policy::Policy;

/// A witness the log asks for cosignatures.
#[derive(Debug, Clone)]
pub struct Witness {
    pub key: Verifier,
    pub url: String,
}

/// The log's signing key, the keys it publishes, and its witness policy.
#[derive(Debug, Clone)]
pub struct LogKeys {
    pub signer: Signer,
    /// Current key first, then retired ones.
    pub log_keys: Vec<Verifier>,
    pub witnesses: Vec<Witness>,
    pub quorum: usize,
}

impl LogKeys {
    /// The log's keys around `signer` (found by `keyring`): the published list and the
    /// witness policy.
    pub fn with_signer(cfg: &Config, signer: Signer) -> anyhow::Result<LogKeys> {
        let lc = &cfg.ledger;
        if signer.name != lc.origin || signer.kind != KeyKind::Ed25519 {
            anyhow::bail!(
                "日志签名密钥的名称“{}”须与 ledger.origin“{}”相同，且为 Ed25519 密钥",
                signer.name,
                lc.origin
            );
        }
        let mut log_keys = vec![signer.verifier()];
        for k in &lc.retired_keys {
            log_keys
                .push(Verifier::parse(k).map_err(|e| anyhow::anyhow!("ledger.retired_keys：{e}"))?);
        }
        let witnesses = parse_witnesses(lc)?;
        let quorum = lc.quorum.unwrap_or(witnesses.len());
        if quorum > witnesses.len() {
            anyhow::bail!(
                "ledger.quorum（{quorum}）大于已配置的见证人数量（{}）",
                witnesses.len()
            );
        }
        Ok(LogKeys {
            signer,
            log_keys,
            witnesses,
            quorum,
        })
    }

    /// What a reader must check a published checkpoint against.
    pub fn policy(&self) -> Policy {
        Policy {
            origin: Some(self.signer.name.clone()),
            log_keys: self.log_keys.clone(),
            witnesses: self.witnesses.iter().map(|w| w.key.clone()).collect(),
            quorum: self.quorum,
        }
    }

    /// The published key list: log keys, then witness keys, one per line.
    pub fn keys_text(&self) -> String {
        let mut s = String::new();
        for k in self
            .log_keys
            .iter()
            .chain(self.witnesses.iter().map(|w| &w.key))
        {
            s.push_str(&k.to_text());
            s.push('\n');
        }
        s
    }
}

fn parse_witnesses(lc: &LedgerConfig) -> anyhow::Result<Vec<Witness>> {
    lc.witnesses
        .iter()
        .map(|w| {
            let key =
                Verifier::parse(&w.key).map_err(|e| anyhow::anyhow!("ledger.witnesses：{e}"))?;
            if key.kind != KeyKind::CosignatureV1 {
                anyhow::bail!("见证人 {} 的公钥须为 cosignature/v1（类型 0x04）", key.name);
            }
            Ok(Witness {
                key,
                url: w.url.trim_end_matches('/').to_string(),
            })
        })
        .collect()
}

/// A new signing key for the log named `origin`, as the text kept in its file.
pub fn new_signing_key(origin: &str) -> anyhow::Result<Signer> {
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    Signer::from_seed(origin, KeyKind::Ed25519, seed)
        .map_err(|e| anyhow::anyhow!("ledger.origin：{e}"))
}
