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
    /// From `ledger.signing_key`, or `<data_dir>/ledger.key` (created on first start).
    pub fn load(cfg: &Config) -> anyhow::Result<LogKeys> {
        let lc = &cfg.ledger;
        let signer = if lc.signing_key.trim().is_empty() {
            load_or_create(&cfg.data_dir.join("ledger.key"), &lc.origin)?
        } else {
            Signer::parse(&lc.signing_key)
                .map_err(|e| anyhow::anyhow!("ledger.signing_key：{e}"))?
        };
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

fn load_or_create(path: &std::path::Path, origin: &str) -> anyhow::Result<Signer> {
    match std::fs::read_to_string(path) {
        Ok(t) => Signer::parse(&t).map_err(|e| anyhow::anyhow!("{}：{e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            rand::rng().fill_bytes(&mut seed);
            let s = Signer::from_seed(origin, KeyKind::Ed25519, seed)
                .map_err(|e| anyhow::anyhow!("ledger.origin：{e}"))?;
            if let Some(d) = path.parent() {
                std::fs::create_dir_all(d)?;
            }
            crate::secrets::write_private(path, &format!("{}\n", s.to_text()))?;
            tracing::info!(path = %path.display(), key = %s.verifier().to_text(), "created a new log signing key");
            Ok(s)
        }
        Err(e) => anyhow::bail!("无法读取日志签名密钥 {}：{e}", path.display()),
    }
}
