//! The background integrator, and the publisher that collects witness cosignatures before a
//! checkpoint is published.
use sijian_ledger::checkpoint::Checkpoint;
use sijian_ledger::note::{Note, NoteSignature};
use sijian_ledger::witness::AddCheckpoint;
use sijian_service::config::LedgerConfig;
use sijian_service::ledger::{LogKeys, Witness};
use sijian_store::{Db, StoreError, ledger};
use std::sync::Arc;
use std::time::Duration;

/// Integrates everything queued. Returns how many entries were integrated.
pub async fn step(db: &Db, keys: &LogKeys, cfg: &LedgerConfig) -> Result<u64, StoreError> {
    let publish_now = keys.witnesses.is_empty();
    let mut n = 0;
    // Another pass only after a full batch: under a steady trickle one checkpoint per interval
    // is enough, and the writers keep the write lock to themselves in between.
    while let Some(i) = ledger::integrate(db, &keys.signer, cfg.batch_max, publish_now).await? {
        n += i.to - i.from;
        if i.to - i.from < cfg.batch_max as u64 {
            break;
        }
    }
    Ok(n)
}

/// Runs the integrator until the process ends, and with witnesses configured a publisher
/// beside it (so a slow witness never holds up integration). Every node runs both; the store's
/// lock lets one integrate at a time, and witnesses answer a repeated request idempotently.
pub async fn run(db: Db, keys: Arc<LogKeys>, cfg: LedgerConfig) {
    let interval = Duration::from_millis(cfg.interval_ms.max(10));
    let publisher = (!keys.witnesses.is_empty()).then(|| {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(cfg.witness_timeout_ms))
            .build()
            .expect("HTTP client builds");
        AbortOnDrop(tokio::spawn(publish_loop(
            db.clone(),
            keys.clone(),
            http,
            interval,
        )))
    });
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match step(&db, &keys, &cfg).await {
            Ok(0) => {}
            Ok(n) => {
                metrics::counter!("sijian_ledger_integrated_total").increment(n);
                tracing::debug!(entries = n, "integrated");
            }
            Err(StoreError::Integrity(m)) => {
                // Never sign over a tree that does not match its last checkpoint.
                tracing::error!(reason = %m, "log integrity failure: integration stopped until fixed");
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
            Err(e) => tracing::warn!(error = %e, "integration failed; will retry"),
        }
        if publisher.as_ref().is_some_and(|p| p.0.is_finished()) {
            tracing::error!("the checkpoint publisher stopped");
        }
    }
}

/// Stops the publisher when the integrator stops (the server aborts it at shutdown).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn publish_loop(db: Db, keys: Arc<LogKeys>, http: reqwest::Client, interval: Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = publish(&db, &keys, &http).await {
            tracing::warn!(error = %e, "publishing failed; will retry");
        }
    }
}

/// Asks every witness to cosign the newest signed checkpoint; publishes it once the quorum
/// has cosigned.
async fn publish(db: &Db, keys: &LogKeys, http: &reqwest::Client) -> Result<(), StoreError> {
    let Some(cp) = ledger::latest_signed(db).await? else {
        return Ok(());
    };
    if cp.published_at.is_some() {
        return Ok(());
    }
    let Ok(mut note) = Note::parse(&cp.signed_note) else {
        return Err(StoreError::Integrity("已签名的检查点无法解析".into()));
    };
    let size = cp.size as u64;
    let mut got = 0;
    for w in &keys.witnesses {
        match ask_witness(db, w, &note, size, http).await {
            Ok(sig) => {
                note.add_signature(sig);
                got += 1;
            }
            Err(e) => tracing::warn!(witness = %w.key.name, error = %e, "no cosignature"),
        }
    }
    if got >= keys.quorum {
        ledger::publish(db, size, &note.to_text()).await?;
    }
    Ok(())
}

async fn ask_witness(
    db: &Db,
    w: &Witness,
    note: &Note,
    size: u64,
    http: &reqwest::Client,
) -> anyhow::Result<NoteSignature> {
    let checkpoint = Checkpoint::parse(&note.text)?;
    let mut old = ledger::witness_size(db, &w.key.name).await?.min(size);
    for _ in 0..2 {
        let proof = ledger::prove_consistency_signed(db, old, size).await?;
        let req = AddCheckpoint {
            old,
            proof,
            note: note.clone(),
            checkpoint: checkpoint.clone(),
        };
        let res = http
            .post(format!("{}/add-checkpoint", w.url))
            .body(req.to_body())
            .send()
            .await?;
        let status = res.status().as_u16();
        let body = res.text().await?;
        match status {
            200 => {
                let sig = cosignature_from(&body, w, &note.text)?;
                ledger::set_witness_size(db, &w.key.name, size).await?;
                return Ok(sig);
            }
            // The witness has cosigned another size: retry from there once.
            409 => {
                old = body
                    .trim()
                    .parse()
                    .map_err(|_| anyhow::anyhow!("见证人返回的大小无法解析"))?;
                if old > size {
                    anyhow::bail!("见证人已副署更大的树（{old}），而日志只有 {size}：可能存在分叉");
                }
            }
            _ => anyhow::bail!("见证人拒绝（{status}）：{}", body.trim()),
        }
    }
    anyhow::bail!("见证人大小冲突未解决")
}

/// The witness's signature line that verifies as its cosignature over `text`.
fn cosignature_from(body: &str, w: &Witness, text: &str) -> anyhow::Result<NoteSignature> {
    for line in body.lines() {
        let Ok(sig) = NoteSignature::parse_line(line) else {
            continue;
        };
        if sig.name == w.key.name
            && sig.key_id == w.key.key_id
            && w.key.verify(text, &sig.bytes).is_ok()
        {
            return Ok(sig);
        }
    }
    anyhow::bail!("见证人的回复中没有有效的副署")
}
