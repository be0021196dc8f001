//! `sijian bench linkage`: the online person index at scale (docs/BENCHMARKS.md). Builds the index
//! from a synthetic population, then times intake queries (a person as a clerk enters them,
//! errors included) and reports heap bytes per indexed person; with `--from-db`, times the
//! start-up rebuild from a database instead.
use std::time::Instant;

use clap::Args;
use sijian_linkage::index::{IndexOptions, PersonIndex, default_online_model};
use sijian_linkage::person::KeyHasher;
use sijian_linkage::synth;

#[derive(Args)]
pub struct LinkageArgs {
    /// Persons in the synthetic population (about 1.5 records each).
    #[arg(long, default_value_t = 1_000_000)]
    people: usize,
    /// Intake queries to time (records drawn from the population, so most have matches).
    #[arg(long, default_value_t = 20_000)]
    queries: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Instead: store the population as examined persons (sealed, as commissions store them) in
    /// a fresh database with the demo data, then time the index's start-up rebuild from it.
    #[arg(long)]
    from_db: bool,
    /// With --from-db: an empty PostgreSQL database to use (default: SQLite in a temporary
    /// directory).
    #[arg(long)]
    database_url: Option<String>,
}

fn rss_mib() -> f64 {
    crate::match_cli::proc_status_mib("VmRSS").unwrap_or(0.0)
}

pub async fn run(a: LinkageArgs) -> anyhow::Result<()> {
    if a.from_db {
        return rebuild_from_db(&a).await;
    }
    let t = Instant::now();
    let records = synth::generate(&synth::Params {
        people: a.people,
        seed: a.seed,
        ..synth::Params::default()
    });
    println!(
        "generated {} records of {} persons in {:.1} s",
        records.len(),
        a.people,
        t.elapsed().as_secs_f64()
    );
    let rss_before = rss_mib();
    let mut ix = PersonIndex::new(
        KeyHasher::new(*b"bench-linkage-k1"),
        default_online_model(),
        IndexOptions::default(),
    )?;
    ix.reserve(records.len());
    let t = Instant::now();
    let mut merges = 0usize;
    for (i, r) in records.iter().enumerate() {
        let id = (!r.id_number.is_empty()).then_some(r.id_number.as_str());
        if ix.add(i as u64, i as u64, &r.name, id).merge.is_some() {
            merges += 1;
        }
        if i > 0 && i % 1_000_000 == 0 {
            println!("  {i} added, {:.1} s", t.elapsed().as_secs_f64());
        }
    }
    ix.compact();
    let build = t.elapsed().as_secs_f64();
    let heap = ix.heap_bytes();
    let rss_after = rss_mib();
    println!(
        "index: {} records added in {build:.1} s ({:.0} records/s), {merges} merges",
        ix.len(),
        ix.len() as f64 / build
    );
    println!(
        "memory: {:.1} MiB on the heap = {:.1} bytes per indexed record; RSS grew {:.1} MiB ({:.1} bytes per record)",
        heap as f64 / 1048576.0,
        heap as f64 / ix.len() as f64,
        rss_after - rss_before,
        (rss_after - rss_before) * 1048576.0 / ix.len() as f64
    );

    // Queries: records drawn at random, as entered (with their errors), against everything else.
    let mut rng = sijian_linkage::dedupe::SplitMix64::new(a.seed ^ 0x5eed);
    let mut times = Vec::with_capacity(a.queries);
    let mut found = 0usize;
    let mut compared = 0usize;
    for _ in 0..a.queries {
        let i = rng.below(records.len() as u64) as usize;
        let r = &records[i];
        let id = (!r.id_number.is_empty()).then_some(r.id_number.as_str());
        let t = Instant::now();
        let (c, rep) = ix.query(&r.name, id, Some(i as u64), 0.5, 20);
        times.push(t.elapsed());
        compared += rep.compared;
        if !c.is_empty() {
            found += 1;
        }
    }
    let queries = times.len();
    if queries == 0 {
        return Ok(());
    }
    let (p50, p99, max) = crate::bench::percentiles(times);
    println!(
        "queries: {queries} — p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs; {:.1} records scored per query; {found} with a match ≥ 0.5",
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
        max.as_secs_f64() * 1e6,
        compared as f64 / queries.max(1) as f64
    );
    Ok(())
}

/// `sijian bench linkage --from-db`: the start-up rebuild of the index from the database.
pub async fn rebuild_from_db(a: &LinkageArgs) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("sijian-bench-linkage-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cfg = sijian_server::Config {
        data_dir: dir.clone(),
        ..Default::default()
    };
    if let Some(url) = &a.database_url {
        cfg.database_url = Some(url.clone());
    }
    let db = sijian_server::open_database(&cfg, true).await?;
    let keys = sijian_service::keyring::open(&db, &cfg).await?.data;
    sijian_service::demo::load(&db, &keys)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let case_ids = sijian_store::cases::ids(&db).await?;
    anyhow::ensure!(!case_ids.is_empty(), "the demo data has no cases");
    let records = synth::generate(&synth::Params {
        people: a.people,
        seed: a.seed,
        ..synth::Params::default()
    });
    let t = Instant::now();
    for chunk in records.chunks(500) {
        let persons: Vec<sijian_store::bulk::SealedPerson> = chunk
            .iter()
            .enumerate()
            .map(|(k, r)| sijian_store::bulk::SealedPerson {
                case_id: case_ids[k % case_ids.len()],
                name_sealed: keys.seal(&r.name),
                name_hash: keys.hash("person_name", &r.name),
                id_hash: (!r.id_number.is_empty()).then(|| keys.hash("resident_id", &r.id_number)),
                id_sealed: (!r.id_number.is_empty()).then(|| keys.seal(&r.id_number)),
            })
            .collect();
        sijian_store::bulk::insert_persons(&db, &persons).await?;
    }
    println!(
        "stored {} examined persons ({} engine) in {:.1} s",
        records.len(),
        if a.database_url.is_some() {
            "postgres"
        } else {
            "sqlite"
        },
        t.elapsed().as_secs_f64()
    );
    drop(records);
    let linkage = sijian_service::linkage::Linkage::new(&cfg.linkage, &keys)?;
    let rss_before = rss_mib();
    let r = linkage.catch_up(&db, &keys).await?;
    let (n, bytes) = linkage.size().await;
    println!(
        "rebuilt the index from the database: {n} persons in {:.1} s ({:.0} per second); {:.1} bytes per person on the heap; RSS grew {:.0} MiB",
        r.seconds,
        n as f64 / r.seconds,
        bytes as f64 / n.max(1) as f64,
        rss_mib() - rss_before
    );
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
