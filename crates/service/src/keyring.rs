//! The platform's two keys — the data key that seals and hashes personal identifiers, and the
//! log's signing key — found where the configuration says (the value itself, an environment
//! variable, or a file inside or outside the data directory), and checked against the
//! fingerprints recorded in the database at every start (issue 14, point 11).
//!
//! A key is created only for an empty database. A node or a restore that finds data but no key,
//! or a key other than the recorded one, refuses to start with the reason and the fix: with a new
//! data key sealed names would no longer open and duplicate checks would silently miss; with a
//! new log key checkpoints would be signed by a key no one trusts. Rotating the log key is
//! allowed: the new key is configured and the old one listed in `ledger.retired_keys`.
use crate::config::Config;
use crate::ledger::{LogKeys, new_signing_key};
use crate::secrets::{DataKey, write_private};
use sijian_ledger::note::Signer;
use sijian_store::{Db, settings};
use std::path::PathBuf;

/// The settings that record the keys in use.
const DATA_FINGERPRINT: &str = "keys.data.fingerprint";
const LOG_VERIFIER: &str = "keys.ledger.verifier";

pub struct Keys {
    pub data: DataKey,
    pub ledger: LogKeys,
}

/// Where a key comes from.
enum Source {
    Configured(String),
    File(PathBuf),
}

fn data_source(cfg: &Config) -> Source {
    let s = &cfg.security;
    if !s.data_key.trim().is_empty() {
        Source::Configured(s.data_key.clone())
    } else if !s.data_key_file.trim().is_empty() {
        Source::File(PathBuf::from(s.data_key_file.trim()))
    } else {
        Source::File(cfg.data_dir.join("data.key"))
    }
}

fn log_source(cfg: &Config) -> Source {
    let l = &cfg.ledger;
    if !l.signing_key.trim().is_empty() {
        Source::Configured(l.signing_key.clone())
    } else if !l.signing_key_file.trim().is_empty() {
        Source::File(PathBuf::from(l.signing_key_file.trim()))
    } else {
        Source::File(cfg.data_dir.join("ledger.key"))
    }
}

/// The key's text, or None when its file does not exist.
fn read(source: &Source) -> anyhow::Result<Option<String>> {
    match source {
        Source::Configured(t) => Ok(Some(t.clone())),
        Source::File(path) => match std::fs::read_to_string(path) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => anyhow::bail!("无法读取密钥文件 {}：{e}", path.display()),
        },
    }
}

fn create(source: &Source, text: &str) -> anyhow::Result<()> {
    if let Source::File(path) = source {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        write_private(path, text)?;
        tracing::info!(path = %path.display(), "created a new key for an empty database");
    }
    Ok(())
}

fn place(source: &Source) -> String {
    match source {
        Source::Configured(_) => "配置项中的密钥".into(),
        Source::File(p) => p.display().to_string(),
    }
}

/// Finds both keys and checks them against the database (see the module's comment).
pub async fn open(db: &Db, cfg: &Config) -> anyhow::Result<Keys> {
    let data = data_key(db, cfg).await?;
    let ledger = log_keys(db, cfg).await?;
    Ok(Keys { data, ledger })
}

/// The log's keys as configured, read only (never created): for tools that check the log.
pub fn configured_log_keys(cfg: &Config) -> anyhow::Result<LogKeys> {
    let source = log_source(cfg);
    let Some(t) = read(&source)? else {
        anyhow::bail!(
            "找不到日志签名密钥（{}），请用 --key 给出日志公钥",
            place(&source)
        );
    };
    let signer = Signer::parse(t.trim()).map_err(|e| anyhow::anyhow!("{}：{e}", place(&source)))?;
    LogKeys::with_signer(cfg, signer)
}

async fn data_key(db: &Db, cfg: &Config) -> anyhow::Result<DataKey> {
    let source = data_source(cfg);
    let recorded = settings::get(db, DATA_FINGERPRINT).await?;
    let text = match read(&source)? {
        Some(t) => t,
        None => {
            if recorded.is_some() || settings::holds_sealed_data(db).await? {
                anyhow::bail!(
                    "缺少数据密钥（{}）：数据库中已有受数据密钥保护的身份证号等数据{}。请从备份恢复该文件，\
                     或以 security.data_key（环境变量 SIJIAN_SECURITY__DATA_KEY）或 security.data_key_file \
                     提供同一把密钥；平台不会为已有数据另建新密钥（docs/SECURITY.md“密钥”）",
                    place(&source),
                    recorded
                        .as_deref()
                        .map(|f| format!("（密钥指纹 {f}）"))
                        .unwrap_or_default()
                );
            }
            let t = DataKey::new_text();
            create(&source, &t)?;
            t
        }
    };
    let key = DataKey::from_text(&text)?;
    let fingerprint = key.fingerprint();
    match recorded {
        Some(r) if r != fingerprint => anyhow::bail!(
            "数据密钥与数据库不符：数据库记录的密钥指纹为 {r}，{} 的指纹为 {fingerprint}。\
             用错的密钥启动会使已保存的身份证号无法解读、重复鉴定核查失效。请提供与该数据库配套的密钥\
             （docs/SECURITY.md“密钥”）",
            place(&source)
        ),
        Some(_) => {}
        None => settings::set(db, DATA_FINGERPRINT, &fingerprint).await?,
    }
    Ok(key)
}

async fn log_keys(db: &Db, cfg: &Config) -> anyhow::Result<LogKeys> {
    let source = log_source(cfg);
    let recorded = settings::get(db, LOG_VERIFIER).await?;
    let signer = match read(&source)? {
        Some(t) => {
            Signer::parse(t.trim()).map_err(|e| anyhow::anyhow!("{}：{e}", place(&source)))?
        }
        None => {
            if recorded.is_some() || settings::holds_log(db).await? {
                anyhow::bail!(
                    "缺少日志签名密钥（{}）：数据库中的日志已由公钥 {} 签名。请从备份恢复该文件，\
                     或以 ledger.signing_key（环境变量 SIJIAN_LEDGER__SIGNING_KEY）或 ledger.signing_key_file \
                     提供同一把密钥；更换密钥时请把旧公钥列入 ledger.retired_keys（docs/SECURITY.md“密钥”）",
                    place(&source),
                    recorded.as_deref().unwrap_or("（未记录）")
                );
            }
            let s = new_signing_key(&cfg.ledger.origin)?;
            create(&source, &format!("{}\n", s.to_text()))?;
            s
        }
    };
    let keys = LogKeys::with_signer(cfg, signer)?;
    let current = keys.signer.verifier().to_text();
    match recorded {
        Some(r) if r == current => {}
        // A rotation: the recorded key is now a retired one, still published.
        Some(r) if cfg.ledger.retired_keys.iter().any(|k| k.trim() == r) => {
            tracing::info!(old = %r, new = %current, "log signing key rotated");
            settings::set(db, LOG_VERIFIER, &current).await?;
        }
        Some(r) => anyhow::bail!(
            "日志签名密钥与数据库不符：数据库记录的公钥为 {r}，当前密钥的公钥为 {current}。\
             若是更换密钥，请把旧公钥列入 ledger.retired_keys；否则请提供与该数据库配套的密钥\
             （docs/SECURITY.md“密钥”）"
        ),
        None => settings::set(db, LOG_VERIFIER, &current).await?,
    }
    Ok(keys)
}
