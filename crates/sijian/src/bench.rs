//! `sijian bench ledger …`: the log's performance figures recorded in docs/BENCHMARKS.md.
//! Measured, never asserted: run them in a release build on an otherwise idle machine.
use clap::Subcommand;
use serde_json::json;
use sijian_ledger::hash::{leaf_hash, sha256};
use sijian_ledger::note::{KeyKind, Signer};
use sijian_ledger::proof::verify_inclusion;
use sijian_ledger::tree::{MemoryTree, prove_inclusion};
use sijian_store::{Actor, Args, Db, NewEvent, PoolSettings, events, ledger};
use std::time::{Duration, Instant};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// In-memory append and integrate on one core, next to raw SHA-256 of 64-byte inputs.
    Memory {
        #[arg(long, default_value_t = 10_000_000)]
        entries: u64,
    },
    /// Durable appends through the store: events committed in transactions of `batch`, then
    /// integrated and signed. Uses a fresh database (SQLite file under --dir, or a new
    /// PostgreSQL database created through --pg-admin-url).
    Store {
        #[arg(long, default_value = "sqlite")]
        engine: String,
        #[arg(long, default_value_t = 100)]
        batch: usize,
        #[arg(long, default_value_t = 20_000)]
        entries: usize,
        #[arg(long, default_value = "/tmp")]
        dir: String,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        pg_admin_url: String,
    },
    /// Inclusion-proof latency over an in-memory tree of `leaves`, and (with --engine) through
    /// the database for a tree of `db_leaves`.
    Proof {
        #[arg(long, default_value_t = 1_000_000)]
        leaves: u64,
        #[arg(long, default_value_t = 10_000)]
        samples: usize,
        #[arg(long)]
        engine: Option<String>,
        #[arg(long, default_value_t = 1_000_000)]
        db_leaves: usize,
        #[arg(long, default_value = "/tmp")]
        dir: String,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        pg_admin_url: String,
    },
    /// Time from an event's commit to its inclusion in a published checkpoint, with the
    /// integrator running as in the server (default interval) under a steady write load.
    Latency {
        #[arg(long, default_value = "sqlite")]
        engine: String,
        #[arg(long, default_value_t = 200)]
        per_second: u64,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value_t = 200)]
        interval_ms: u64,
        #[arg(long, default_value = "/tmp")]
        dir: String,
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
        pg_admin_url: String,
    },
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Memory { entries } => {
            memory(entries);
            Ok(())
        }
        BenchCommand::Store {
            engine,
            batch,
            entries,
            dir,
            pg_admin_url,
        } => {
            let db = fresh_db(&engine, &dir, &pg_admin_url).await?;
            store(&db, batch, entries).await
        }
        BenchCommand::Proof {
            leaves,
            samples,
            engine,
            db_leaves,
            dir,
            pg_admin_url,
        } => {
            proof_memory(leaves, samples);
            if let Some(e) = engine {
                let db = fresh_db(&e, &dir, &pg_admin_url).await?;
                proof_db(&db, db_leaves, samples).await?;
            }
            Ok(())
        }
        BenchCommand::Latency {
            engine,
            per_second,
            seconds,
            interval_ms,
            dir,
            pg_admin_url,
        } => {
            let db = fresh_db(&engine, &dir, &pg_admin_url).await?;
            latency(&db, per_second, seconds, interval_ms).await
        }
    }
}

fn signer() -> Signer {
    Signer::from_seed("bench.sijian/log", KeyKind::Ed25519, [42; 32]).expect("valid name")
}

async fn fresh_db(engine: &str, dir: &str, pg_admin_url: &str) -> anyhow::Result<Db> {
    let name = format!("sijian_bench_{}", std::process::id());
    let url = match engine {
        "sqlite" => {
            let p = std::path::Path::new(dir).join(format!("{name}.db"));
            let _ = std::fs::remove_file(&p);
            format!("sqlite://{}", p.display())
        }
        "postgres" => {
            let admin = Db::connect(pg_admin_url, &PoolSettings::default()).await?;
            admin
                .execute(
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    Args::new(),
                )
                .await?;
            admin
                .execute(&format!("CREATE DATABASE {name}"), Args::new())
                .await?;
            admin.close().await;
            format!(
                "{}/{name}",
                pg_admin_url
                    .rsplit_once('/')
                    .map(|(r, _)| r)
                    .unwrap_or(pg_admin_url)
            )
        }
        other => anyhow::bail!("未知引擎：{other}（sqlite 或 postgres）"),
    };
    let db = Db::connect(&url, &PoolSettings::default()).await?;
    db.migrate().await?;
    println!("database: {} ({engine})", sijian_store::db::redact(&url));
    Ok(db)
}

fn memory(entries: u64) {
    let inputs: Vec<[u8; 64]> = (0..entries.min(1_000_000))
        .map(|i| {
            let mut b = [0u8; 64];
            b[..8].copy_from_slice(&i.to_be_bytes());
            b
        })
        .collect();
    let n = inputs.len();
    let start = Instant::now();
    let mut acc = 0u8;
    for i in 0..entries {
        acc ^= sha256(&inputs[(i as usize) % n])[0];
    }
    let raw = entries as f64 / start.elapsed().as_secs_f64();
    println!("raw SHA-256 of 64-byte inputs: {raw:>12.0} hashes/s (check {acc})");

    let mut tree = MemoryTree::new();
    tree.hashes.reserve((entries * 2) as usize);
    let start = Instant::now();
    for i in 0..entries {
        tree.append(&inputs[(i as usize) % n]);
    }
    let root = tree.root();
    let rate = entries as f64 / start.elapsed().as_secs_f64();
    println!(
        "append + integrate (64-byte entries): {rate:>12.0} entries/s ({:.2} SHA-256 per entry; root {:02x}{:02x}…)",
        tree.hashes.len() as f64 / entries as f64,
        root[0],
        root[1]
    );
}

async fn add_events(db: &Db, n: usize, per_tx: usize) -> anyhow::Result<()> {
    let actor = Actor::system("bench");
    let mut done = 0;
    while done < n {
        let k = per_tx.min(n - done);
        let mut tx = db.begin().await?;
        let evs = (0..k)
            .map(|i| NewEvent {
                kind: "bench.step",
                entity_type: "case",
                entity_id: (done + i).to_string(),
                scope_path: "/330000/330100/".into(),
                institution_id: Some(1),
                payload: json!({"step": done + i, "note": "受理"}),
            })
            .collect();
        events::append_many(&mut tx, &actor, evs).await?;
        tx.commit().await?;
        done += k;
    }
    Ok(())
}

async fn store(db: &Db, batch: usize, entries: usize) -> anyhow::Result<()> {
    let s = signer();
    let start = Instant::now();
    add_events(db, entries, batch).await?;
    let appended = start.elapsed();
    let start_i = Instant::now();
    let mut checkpoints = 0;
    while ledger::integrate(db, &s, ledger::DEFAULT_BATCH_MAX, true)
        .await?
        .is_some()
    {
        checkpoints += 1;
    }
    let integrated = start_i.elapsed();
    let total = appended + integrated;
    println!(
        "batch {batch:>6}: {entries} events committed in {:.2} s ({:.0}/s); integrated and signed in {:.2} s ({:.0}/s, {checkpoints} checkpoints); end to end {:.0} entries/s",
        appended.as_secs_f64(),
        entries as f64 / appended.as_secs_f64(),
        integrated.as_secs_f64(),
        entries as f64 / integrated.as_secs_f64(),
        entries as f64 / total.as_secs_f64()
    );
    Ok(())
}

fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
    (at(0.5), at(0.99), *v.last().expect("samples"))
}

/// A small deterministic generator, so runs are comparable without a dependency.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn proof_memory(leaves: u64, samples: usize) {
    let start = Instant::now();
    let mut tree = MemoryTree::new();
    tree.hashes.reserve((leaves * 2) as usize);
    for i in 0..leaves {
        tree.append_hash(leaf_hash(&i.to_be_bytes()));
    }
    let root = tree.root();
    println!(
        "built {leaves} leaves in memory in {:.1} s ({} stored hashes)",
        start.elapsed().as_secs_f64(),
        tree.hashes.len()
    );
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut gen_t = Vec::with_capacity(samples);
    let mut ver_t = Vec::with_capacity(samples);
    for _ in 0..samples {
        let i = next(&mut rng) % leaves;
        let t = Instant::now();
        let p = prove_inclusion(i, leaves, &tree.hashes).expect("in range");
        gen_t.push(t.elapsed());
        let t = Instant::now();
        verify_inclusion(i, leaves, &leaf_hash(&i.to_be_bytes()), &p, &root).expect("verifies");
        ver_t.push(t.elapsed());
    }
    let (g50, g99, gmax) = percentiles(gen_t);
    let (v50, v99, _) = percentiles(ver_t);
    println!(
        "in-memory inclusion proof at {leaves} leaves: generate p50 {g50:?} p99 {g99:?} max {gmax:?}; verify p50 {v50:?} p99 {v99:?}"
    );
}

/// Fills the queue directly (bench only: skips the events) and integrates it.
async fn fill_log(db: &Db, leaves: usize) -> anyhow::Result<()> {
    let s = signer();
    let start = Instant::now();
    let mut done = 0usize;
    while done < leaves {
        let k = 100.min(leaves - done);
        let mut a = Args::new();
        let rows: Vec<String> = (0..k)
            .map(|i| {
                let id = (done + i + 1) as i64;
                let entry = format!(
                    "sijian/event/v1\n{id}\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
                );
                format!(
                    "({}, {}, {})",
                    a.push(id),
                    a.push(vec![0u8; 32]),
                    a.push(entry.into_bytes())
                )
            })
            .collect();
        db.execute(
            &format!(
                "INSERT INTO ledger_queue (event_id, salt, entry) VALUES {}",
                rows.join(",")
            ),
            a,
        )
        .await?;
        done += k;
        if done.is_multiple_of(10_000) || done == leaves {
            while ledger::integrate(db, &s, ledger::DEFAULT_BATCH_MAX, true)
                .await?
                .is_some()
            {}
        }
    }
    println!(
        "filled the log with {leaves} leaves in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn proof_db(db: &Db, leaves: usize, samples: usize) -> anyhow::Result<()> {
    fill_log(db, leaves).await?;
    let size = leaves as u64;
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut t_all = Vec::with_capacity(samples);
    for _ in 0..samples {
        let i = next(&mut rng) % size;
        let t = Instant::now();
        let p = ledger::prove_inclusion(db, i, size).await?;
        t_all.push(t.elapsed());
        std::hint::black_box(p);
    }
    let (p50, p99, max) = percentiles(t_all);
    println!(
        "database inclusion proof at {leaves} leaves ({samples} samples, one connection): p50 {p50:?} p99 {p99:?} max {max:?}"
    );
    Ok(())
}

async fn latency(db: &Db, per_second: u64, seconds: u64, interval_ms: u64) -> anyhow::Result<()> {
    let s = signer();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let integrator = {
        let (db, stop) = (db.clone(), stop.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(interval_ms));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                tick.tick().await;
                while let Ok(Some(_)) =
                    ledger::integrate(&db, &s, ledger::DEFAULT_BATCH_MAX, true).await
                {
                }
            }
        })
    };
    let gap = Duration::from_micros(1_000_000 / per_second.max(1));
    let end = Instant::now() + Duration::from_secs(seconds);
    let mut tick = tokio::time::interval(gap);
    while Instant::now() < end {
        tick.tick().await;
        add_events(db, 1, 1).await?;
    }
    tokio::time::sleep(Duration::from_millis(interval_ms * 3 + 500)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    integrator.await?;
    // Commit time: the event's own timestamp, taken just before its insert (so this slightly
    // overstates the latency). Inclusion: the first published checkpoint that covers the leaf.
    let rows: Vec<(i64, i64)> = db
        .fetch_all(
            "SELECT e.at, (SELECT MIN(c.published_at) FROM ledger_checkpoints c WHERE c.size > l.idx) \
             FROM events e JOIN ledger_leaves l ON l.event_id = e.id",
            Args::new(),
        )
        .await?;
    let lat: Vec<Duration> = rows
        .iter()
        .map(|(at, p)| Duration::from_millis((p - at).max(0) as u64))
        .collect();
    let n = lat.len();
    let (p50, p99, max) = percentiles(lat);
    println!(
        "commit → published checkpoint, {n} events at {per_second}/s, integrator every {interval_ms} ms: p50 {p50:?} p99 {p99:?} max {max:?}"
    );
    Ok(())
}
