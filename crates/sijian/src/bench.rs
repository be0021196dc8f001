//! `sijian bench ledger …`: the log's performance figures recorded in docs/BENCHMARKS.md, and
//! complete appraisal-case lifecycles through the store (`… cases`).
//! Measured, never asserted: run them in a release build on an otherwise idle machine.
use clap::Subcommand;
use serde_json::json;
use sijian_ledger::hash::{leaf_hash, sha256};
use sijian_ledger::note::{KeyKind, Signer};
use sijian_ledger::proof::verify_inclusion;
use sijian_ledger::tree::{MemoryTree, prove_inclusion};
use sijian_store::{Actor, Db, NewEvent, PoolSettings, events, ledger};
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

/// Complete appraisal-case lifecycles (commission to archive, 12 events each) through the
/// store on demo data, `concurrency` tasks over one pool, the integrator running as in the
/// server: cases/s, events/s and latency per transition; then the log is drained and audited.
#[derive(clap::Args)]
pub struct CasesArgs {
    #[arg(long, default_value = "sqlite")]
    pub engine: String,
    #[arg(long, default_value_t = 2000)]
    pub cases: usize,
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// The integrator's interval; 0: no integrator during the run (the log is integrated
    /// after it, to show what the log costs the steps).
    #[arg(long, default_value_t = 200)]
    pub interval_ms: u64,
    /// Experiment: queue every transaction (steps and integration) behind one FIFO lock in
    /// the process, as a writer queue in the store's `Db::begin` would, instead of leaving
    /// SQLite's busy handler to poll for the write lock.
    #[arg(long)]
    pub writer_gate: bool,
    #[arg(long, default_value = "/tmp")]
    pub dir: String,
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub pg_admin_url: String,
}

/// `sijian bench cases`.
pub async fn run_cases(a: CasesArgs) -> anyhow::Result<()> {
    let db = fresh_db(&a.engine, &a.dir, &a.pg_admin_url).await?;
    case_lifecycles(
        &db,
        &a.engine,
        a.cases,
        a.concurrency,
        a.interval_ms,
        a.writer_gate,
    )
    .await
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

pub(crate) async fn fresh_db(engine: &str, dir: &str, pg_admin_url: &str) -> anyhow::Result<Db> {
    fresh_db_with(engine, dir, pg_admin_url, &PoolSettings::default()).await
}

/// `fresh_db` with the given pool settings.
pub(crate) async fn fresh_db_with(
    engine: &str,
    dir: &str,
    pg_admin_url: &str,
    settings: &PoolSettings,
) -> anyhow::Result<Db> {
    let name = format!("sijian_bench_{}", std::process::id());
    let url = match engine {
        "sqlite" => {
            let p = std::path::Path::new(dir).join(format!("{name}.db"));
            let _ = std::fs::remove_file(&p);
            format!("sqlite://{}", p.display())
        }
        "postgres" => {
            let admin = Db::connect(pg_admin_url, &PoolSettings::default()).await?;
            sijian_store::bulk::recreate_database(&admin, &name).await?;
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
    let db = Db::connect(&url, settings).await?;
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

pub(crate) fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
    (at(0.5), at(0.99), *v.last().expect("samples"))
}

/// A small deterministic generator, so runs are comparable without a dependency.
pub(crate) fn next(state: &mut u64) -> u64 {
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
        let rows: Vec<(i64, Vec<u8>, Vec<u8>)> = (0..k)
            .map(|i| {
                let id = (done + i + 1) as i64;
                let entry = format!(
                    "sijian/event/v1\n{id}\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
                );
                (id, vec![0u8; 32], entry.into_bytes())
            })
            .collect();
        sijian_store::bulk::queue_entries(db, &rows).await?;
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
    let rows = sijian_store::bulk::commit_and_publication_times(db).await?;
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

// ---------------------------------------------------------------------------------------------
// Appraisal-case lifecycles
// ---------------------------------------------------------------------------------------------

/// The transitions of one lifecycle, in order: each writes one event.
const CASE_STEPS: [&str; 12] = [
    "create",
    "accept",
    "sign_contract",
    "assign",
    "start",
    "submit_for_review",
    "review",
    "sign (1st)",
    "sign (2nd)",
    "seal",
    "issue",
    "archive",
];

/// The institution, the item and the three appraisers (two assigned, one reviewer) every
/// benchmark case uses, and the clerk (the demo's `inst.clerk`) who acts.
pub(crate) struct CaseFixture {
    pub(crate) institution_id: i64,
    pub(crate) item: String,
    appraisers: [i64; 3],
    actor: Actor,
}

/// Demo data, then three practising appraisers of 浙江明正司法鉴定中心 licensed for one item of
/// its scope (as the case tests' fixture does).
pub(crate) async fn case_fixture(db: &Db) -> anyhow::Result<CaseFixture> {
    let t = Instant::now();
    sijian_store::regions::load_shipped(db).await?;
    let keys = sijian_service::secrets::DataKey::from_master(&[7u8; 32]);
    sijian_service::demo::load(db, &keys).await?;
    let inst = sijian_store::registry::institution_id_by_name(db, "浙江明正司法鉴定中心")
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo data has no 浙江明正司法鉴定中心"))?;
    let scope = sijian_store::registry::institution_scope_codes(db, inst).await?;
    let sub = scope.first().cloned().unwrap_or_default();
    let item = sijian_domain::classification::Classification::current()
        .items(&sub)
        .next()
        .map(|e| e.code.to_string())
        .unwrap_or(sub);
    let ids = sijian_store::registry::active_appraiser_ids(db, inst).await?;
    anyhow::ensure!(
        ids.len() >= 3,
        "浙江明正 has {} practising appraisers; 3 needed",
        ids.len()
    );
    let appraisers = [ids[0], ids[1], ids[2]];
    for id in appraisers {
        sijian_store::bulk::add_appraiser_item(db, id, &item).await?;
    }
    let clerk = sijian_store::users::id_at_institution(db, "inst.clerk", inst)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo data has no clerk account inst.clerk at 浙江明正"))?;
    println!(
        "demo data loaded in {:.1} s: institution {inst}, item {item}, appraisers {appraisers:?}",
        t.elapsed().as_secs_f64()
    );
    Ok(CaseFixture {
        institution_id: inst,
        item,
        appraisers,
        actor: Actor {
            user_id: Some(clerk),
            name: "inst.clerk".into(),
        },
    })
}

fn bench_case(fx: &CaseFixture, n: usize) -> anyhow::Result<sijian_store::cases::NewCase> {
    use sijian_store::cases::{NewCase, NewMaterial, NewPerson};
    use sijian_store::registry::SealedId;
    let number =
        sijian_domain::case_number::CaseNumber::parse(&format!("（2026）浙0106民初{}号", n + 1))
            .map_err(|e| anyhow::anyhow!("案号：{e}"))?;
    Ok(NewCase {
        institution_id: fx.institution_id,
        organ_id: None,
        claimed_organ_id: None,
        client_name: "杭州市西湖区人民法院".into(),
        client_kind: sijian_domain::role::OrganKind::Court,
        client_contact: "0571-88888888".into(),
        case_number: Some((number.as_str().to_string(), number.key())),
        case_type: "civil".into(),
        items: vec![fx.item.clone()],
        purpose: "确定伤残等级".into(),
        summary: "原告与被告发生交通事故，原告受伤。".into(),
        lineage: sijian_domain::procedure::Lineage::Original,
        parent_id: None,
        same_institution_reason: None,
        received_on: sijian_domain::calendar::Date::parse("2026-09-01")?,
        // Sealing and hashing happen in the HTTP layer: the store gets the results.
        persons: vec![NewPerson {
            name_sealed: format!("v1.bench-sealed-name-{n}"),
            name_masked: "张*".into(),
            name_hash: format!("bench-name-hash-{n}"),
            id: Some(SealedId {
                hash: format!("bench-id-hash-{n}"),
                sealed: format!("v1.bench-sealed-id-{n}"),
                masked: "1****************X".into(),
            }),
        }],
        materials: vec![NewMaterial {
            name: "病历".into(),
            kind: "书证".into(),
            quantity: "1 册".into(),
            condition: "完好".into(),
            storage: "常温".into(),
            received_at: "2026-09-01 09:30".into(),
        }],
        attachments: Vec::new(),
    })
}

/// The final opinion: a small PDF-like document, distinct per case (so each blob is new).
fn bench_document(n: usize) -> sijian_store::cases::NewAttachment {
    let mut body = format!(
        "%PDF-1.4\n% sijian bench opinion {n} of run {}\n",
        std::process::id()
    );
    while body.len() < 4096 {
        body.push_str("% 鉴定意见：被鉴定人之伤残等级评定为十级。\n");
    }
    body.push_str("%%EOF\n");
    sijian_store::cases::NewAttachment {
        name: "意见书.pdf".into(),
        content_type: "application/pdf".into(),
        data: body.into_bytes(),
    }
}

/// Latencies per step, and the optional writer gate (`--writer-gate`).
struct Recorder {
    lat: Vec<Vec<Duration>>,
    gate: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
}

/// Runs one step, recording its latency (including any wait at the gate) under `CASE_STEPS[k]`.
async fn timed<T>(
    rec: &mut Recorder,
    k: usize,
    f: impl std::future::Future<Output = Result<T, sijian_store::StoreError>>,
) -> anyhow::Result<T> {
    let t = Instant::now();
    let _turn = match &rec.gate {
        Some(g) => Some(g.lock().await),
        None => None,
    };
    let r = f
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e:?}", CASE_STEPS[k]))?;
    rec.lat[k].push(t.elapsed());
    Ok(r)
}

/// One complete lifecycle: commission (paper, by the institution) to archive.
async fn lifecycle(
    db: &Db,
    fx: &CaseFixture,
    n: usize,
    ctx: sijian_store::cases::Ctx<'_>,
    rec: &mut Recorder,
) -> anyhow::Result<()> {
    use sijian_store::cases::{self, steps};
    let new = bench_case(fx, n)?;
    let doc = bench_document(n);
    let effective = sijian_domain::calendar::Date::parse("2026-09-02")?;
    let (a, s) = (
        &fx.actor,
        &sijian_store::Scope::Institution(fx.institution_id),
    );
    let [x, y, reviewer] = fx.appraisers;
    let c = timed(rec, 0, cases::create(db, a, s, &new, ctx)).await?;
    use sijian_domain::procedure::{CaseCommand as C, SignedBy};
    // One step at the case's current version.
    async fn step(
        db: &Db,
        at: steps::At<'_>,
        command: C,
        file: Option<&sijian_store::cases::NewAttachment>,
    ) -> Result<cases::Case, sijian_store::StoreError> {
        Ok(steps::run(db, &at, command, file).await?.case)
    }
    let at = |c: &cases::Case| steps::At {
        actor: a,
        scope: s,
        id: c.id,
        version: c.version,
        ctx,
    };
    let c = timed(rec, 1, step(db, at(&c), C::Accept, None)).await?;
    let contract = C::SignContract {
        effective_on: effective,
        declares_reappraisal: false,
        agreed_complete_by: None,
        contract_sha256: None,
    };
    let c = timed(rec, 2, step(db, at(&c), contract, None)).await?;
    let assign = C::Assign {
        appraiser_ids: vec![x, y],
    };
    let c = timed(rec, 3, step(db, at(&c), assign, None)).await?;
    let c = timed(rec, 4, step(db, at(&c), C::Start, None)).await?;
    let request = C::SubmitForReview {
        reviewer_ids: vec![reviewer],
    };
    let c = timed(rec, 5, step(db, at(&c), request, None)).await?;
    let by = SignedBy::Staff;
    let review = C::Review {
        reviewer_id: reviewer,
        agrees: true,
        opinion: "程序合规，意见有据".into(),
        by,
    };
    let c = timed(rec, 6, step(db, at(&c), review, None)).await?;
    let sign = |appraiser_id| C::Sign {
        appraiser_id,
        dissent: String::new(),
        by,
    };
    let c = timed(rec, 7, step(db, at(&c), sign(x), None)).await?;
    let c = timed(rec, 8, step(db, at(&c), sign(y), None)).await?;
    let c = timed(rec, 9, step(db, at(&c), C::Seal, None)).await?;
    let issue = C::Issue {
        document_sha256: String::new(),
        conclusion: sijian_domain::conclusion::Conclusion::Text {
            text: "构成轻伤二级".into(),
        },
    };
    let c = timed(rec, 10, step(db, at(&c), issue, Some(&doc))).await?;
    let c = timed(rec, 11, step(db, at(&c), C::Archive, None)).await?;
    anyhow::ensure!(
        c.stage == sijian_domain::procedure::Stage::Archived,
        "case {} ended in {}",
        c.id,
        c.stage.as_str()
    );
    Ok(())
}

/// The cost of one trivial statement inside a write transaction: the floor under every
/// statement a step runs (a round trip to the driver's connection thread, or to the server).
async fn statement_round_trip(db: &Db) -> anyhow::Result<Duration> {
    let mut tx = db.begin().await?;
    let mut v = Vec::with_capacity(2000);
    for _ in 0..2000 {
        let t = Instant::now();
        let one = sijian_store::bulk::trivial_statement(&mut tx).await?;
        v.push(t.elapsed());
        std::hint::black_box(one);
    }
    tx.commit().await?;
    Ok(percentiles(v).0)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

async fn case_lifecycles(
    db: &Db,
    engine: &str,
    cases: usize,
    concurrency: usize,
    interval_ms: u64,
    writer_gate: bool,
) -> anyhow::Result<()> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let fx = Arc::new(case_fixture(db).await?);
    // Whatever the demo data logged goes into the log first, so the run starts level.
    let s = signer();
    while ledger::integrate(db, &s, ledger::DEFAULT_BATCH_MAX, true)
        .await?
        .is_some()
    {}
    let events_before = sijian_store::events::count(db).await?;
    let archived_before =
        sijian_store::cases::count_at_stage(db, sijian_domain::procedure::Stage::Archived).await?;
    println!(
        "one statement (SELECT 1) inside a write transaction: p50 {:.1} µs",
        statement_round_trip(db).await?.as_secs_f64() * 1e6
    );

    let checkpoints_before = ledger::checkpoint_count(db).await?;
    let gate = writer_gate.then(|| Arc::new(tokio::sync::Mutex::new(())));
    let stop = Arc::new(AtomicBool::new(false));
    let integrator = {
        let (db, stop, s, gate) = (db.clone(), stop.clone(), signer(), gate.clone());
        tokio::spawn(async move {
            let mut failures = 0u64;
            let mut tick = tokio::time::interval(Duration::from_millis(interval_ms.max(1)));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while interval_ms > 0 && !stop.load(Ordering::SeqCst) {
                tick.tick().await;
                loop {
                    let _turn = match &gate {
                        Some(g) => Some(g.lock().await),
                        None => None,
                    };
                    // As the server does: another pass only after a full batch.
                    match ledger::integrate(&db, &s, ledger::DEFAULT_BATCH_MAX, true).await {
                        Ok(Some(i)) if i.to - i.from == ledger::DEFAULT_BATCH_MAX as u64 => {}
                        Ok(_) => break,
                        Err(_) => {
                            failures += 1;
                            break;
                        }
                    }
                }
            }
            failures
        })
    };

    let cal = Arc::new(sijian_domain::calendar::WorkingCalendar::shipped());
    let policy = Arc::new(sijian_domain::procedure::Policy::default());
    let today = sijian_domain::calendar::Date::parse("2026-09-03")?;
    let next_case = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|_| {
            let (db, fx, cal, policy, next_case, gate) = (
                db.clone(),
                fx.clone(),
                cal.clone(),
                policy.clone(),
                next_case.clone(),
                gate.clone(),
            );
            tokio::spawn(async move {
                let ctx = sijian_store::cases::Ctx {
                    today,
                    cal: &cal,
                    policy: &policy,
                };
                let mut rec = Recorder {
                    lat: vec![Vec::new(); CASE_STEPS.len()],
                    gate,
                };
                loop {
                    let n = next_case.fetch_add(1, Ordering::SeqCst);
                    if n >= cases {
                        break;
                    }
                    lifecycle(&db, &fx, n, ctx, &mut rec).await?;
                }
                anyhow::Ok(rec.lat)
            })
        })
        .collect();
    let mut lat: Vec<Vec<Duration>> = vec![Vec::new(); CASE_STEPS.len()];
    for w in workers {
        for (k, v) in w.await??.into_iter().enumerate() {
            lat[k].extend(v);
        }
    }
    let wall = start.elapsed();
    stop.store(true, Ordering::SeqCst);
    let integrator_failures = integrator.await?;
    let checkpoints_after = ledger::checkpoint_count(db).await?;

    // Drain what the integrator had not reached, then check the log.
    let t = Instant::now();
    let mut drained = 0;
    while ledger::integrate(db, &s, ledger::DEFAULT_BATCH_MAX, true)
        .await?
        .is_some()
    {
        drained += 1;
    }
    let drain = t.elapsed();
    let queued = ledger::status(db).await?.queued;
    let events_after = sijian_store::events::count(db).await?;
    let events = events_after - events_before;
    let archived_after =
        sijian_store::cases::count_at_stage(db, sijian_domain::procedure::Stage::Archived).await?;
    let archived = archived_after - archived_before;
    let t = Instant::now();
    let report = ledger::audit::audit(db, &[s.verifier()], &[]).await?;
    let audited = t.elapsed();

    let secs = wall.as_secs_f64();
    println!(
        "{engine}, concurrency {concurrency}{}: {cases} cases ({archived} archived), {events} events in {secs:.2} s: \
         {:.1} cases/s, {:.0} events/s ({:.1} events per case)",
        if writer_gate { ", writer gate" } else { "" },
        cases as f64 / secs,
        events as f64 / secs,
        events as f64 / cases.max(1) as f64
    );
    println!(
        "{:<18} {:>7} {:>10} {:>10} {:>10}",
        "step", "n", "p50", "p99", "max"
    );
    let mut all = Vec::new();
    let mut slowest = ("", Duration::ZERO);
    for (k, v) in lat.into_iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        all.extend_from_slice(&v);
        let n = v.len();
        let (p50, p99, max) = percentiles(v);
        if p99 > slowest.1 {
            slowest = (CASE_STEPS[k], p99);
        }
        println!(
            "{:<18} {n:>7} {:>10} {:>10} {:>10}",
            CASE_STEPS[k],
            ms(p50),
            ms(p99),
            ms(max)
        );
    }
    let n = all.len();
    let (p50, p99, max) = percentiles(all);
    println!(
        "{:<18} {n:>7} {:>10} {:>10} {:>10}",
        "all transitions",
        ms(p50),
        ms(p99),
        ms(max)
    );
    println!("slowest step by p99: {} ({})", slowest.0, ms(slowest.1));
    println!(
        "ledger: {}, {} checkpoints signed during the run ({integrator_failures} failed rounds); \
         drained {drained} more batches in {}; queue {} ({queued} left)",
        if interval_ms > 0 {
            format!("integrator every {interval_ms} ms")
        } else {
            "no integrator during the run".to_string()
        },
        checkpoints_after - checkpoints_before,
        ms(drain),
        if queued == 0 { "empty" } else { "NOT EMPTY" }
    );
    println!(
        "audit in {:.2} s: {} events, {} leaves, {} queued, {} checkpoints, {} findings{}",
        audited.as_secs_f64(),
        report.events,
        report.leaves,
        report.queued,
        report.checkpoints,
        report.findings.len(),
        if report.is_clean() {
            " (clean)".to_string()
        } else {
            format!(": {:?}", report.findings)
        }
    );
    anyhow::ensure!(queued == 0, "the ledger queue is not empty after draining");
    anyhow::ensure!(report.is_clean(), "the audit found divergences");
    Ok(())
}
