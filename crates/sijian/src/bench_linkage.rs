//! `sijian bench linkage`: the online person index at scale (docs/BENCHMARKS.md). Builds the index
//! from a synthetic population, then times intake queries (a person as a clerk enters them,
//! errors included) and reports heap bytes per indexed person.
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
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

pub fn run(a: LinkageArgs) -> anyhow::Result<()> {
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
        times.push(t.elapsed().as_secs_f64() * 1e6);
        compared += rep.compared;
        if !c.is_empty() {
            found += 1;
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "queries: {} — p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs; {:.1} records scored per query; {found} with a match ≥ 0.5",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(0.0),
        compared as f64 / times.len().max(1) as f64
    );
    Ok(())
}
