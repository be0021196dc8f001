//! `sijian ledger audit`: recompute every commitment from the stored events, then the whole
//! tree, and compare with every stored hash and checkpoint (and any checkpoint held elsewhere).
use crate::DbOpts;
use clap::Args;
use sijian_ledger::Verifier;
use std::path::PathBuf;

#[derive(Args)]
pub struct AuditArgs {
    #[command(flatten)]
    db: DbOpts,
    /// The log's verifier key(s). Default: from configuration (the signing key and
    /// `ledger.retired_keys`).
    #[arg(long = "key", value_name = "VKEY", value_parser = crate::keys::log_key)]
    keys: Vec<Verifier>,
    /// A signed checkpoint kept elsewhere (by a court, witness or monitor) that the stored log
    /// must agree with. Repeatable.
    #[arg(long = "checkpoint", value_name = "FILE")]
    checkpoints: Vec<PathBuf>,
}

/// Returns the exit code: 0 clean, 1 divergent, 2 cannot run.
pub async fn run(a: AuditArgs) -> i32 {
    match audit(a).await {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            eprintln!("错误：{e:#}");
            2
        }
    }
}

async fn audit(a: AuditArgs) -> anyhow::Result<bool> {
    let cfg = crate::config(&a.db, None, "./data")?;
    let keys = if a.keys.is_empty() {
        sijian_service::keyring::configured_log_keys(&cfg)?.log_keys
    } else {
        a.keys
    };
    let mut external = Vec::new();
    for p in &a.checkpoints {
        external.push(
            std::fs::read_to_string(p)
                .map_err(|e| anyhow::anyhow!("无法读取 {}：{e}", p.display()))?,
        );
    }
    let db = sijian_server::open_database(&cfg, false).await?;
    let started = std::time::Instant::now();
    let report = sijian_store::ledger::audit::audit(&db, &keys, &external).await?;
    db.close().await;
    println!(
        "已核对：事件 {}，叶 {}，待入账 {}，存储哈希 {}，检查点 {}（用时 {:.1} 秒）",
        report.events,
        report.leaves,
        report.queued,
        report.hashes,
        report.checkpoints,
        started.elapsed().as_secs_f64()
    );
    if report.is_clean() {
        println!("一致：日志与所有事件和检查点相符");
        return Ok(true);
    }
    for f in &report.findings {
        eprintln!("不一致：{f}");
    }
    Ok(false)
}
