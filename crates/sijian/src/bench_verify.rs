//! `sijian bench verify`: the public opinion-verification API under load on loopback. A fresh
//! database gets the demo data and `--opinions` issued opinions (one archived case each), the
//! real server starts in-process, and a load generator on its own threads drives
//! `GET /api/v1/opinions/{code}/verification` over `--connections` keep-alive HTTP/1.1
//! connections with uniformly random codes; then the same generator drives `/healthz`, the floor
//! of the HTTP stack under the handler. Measured, never asserted.
use crate::bench::{CaseFixture, case_fixture, fresh_db_with, next};
use hyper::body::{Body, Incoming};
use hyper_util::rt::TokioIo;
use sijian_store::{Db, bulk};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct VerifyArgs {
    #[arg(long, default_value = "sqlite")]
    pub engine: String,
    /// Issued opinions stored before the run.
    #[arg(long, default_value_t = 1_000_000)]
    pub opinions: usize,
    /// Keep-alive connections, one task each, every one with a single request in flight.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// Measured seconds (after the warm-up).
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    #[arg(long, default_value_t = 3)]
    pub warmup: u64,
    /// Share of requests carrying the right verification key (`?key=`), which adds the case's
    /// details to the answer.
    #[arg(long, default_value_t = 0.1)]
    pub keyed_share: f64,
    /// Threads of the load generator's runtime (the server keeps the process's main runtime).
    #[arg(long, default_value_t = 1)]
    pub client_threads: usize,
    /// Measured seconds of the `/healthz` floor after the run; 0 skips it.
    #[arg(long, default_value_t = 10)]
    pub floor_seconds: u64,
    /// SQLite: read-only connections for the verification lookups on the request's thread
    /// (`database.sqlite_readers`); 0 sends them through the pool. Default: the server's.
    #[arg(long)]
    pub sqlite_readers: Option<usize>,
    /// Keep the database afterwards (by default it is removed: about 0.5 GB per million).
    #[arg(long)]
    pub keep: bool,
    #[arg(long, default_value = "/tmp")]
    pub dir: String,
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub pg_admin_url: String,
}

/// Rows per multi-row INSERT: large enough to amortise the round trip, small enough that the
/// statement stays a few tens of kilobytes.
const STATEMENT_ROWS: usize = 250;
/// Rows per transaction while seeding.
const TRANSACTION_ROWS: usize = 50_000;
/// The year of the seeded codes, apart from the demo's own issues.
const SEED_YEAR: u16 = 2025;

/// The seeded opinions as the load generator needs them: plain codes and their keys.
struct Seeded {
    codes: Vec<[u8; 19]>,
    keys: Vec<[u8; 12]>,
}

/// `sijian bench verify`.
pub async fn run_verify(a: VerifyArgs) -> anyhow::Result<()> {
    anyhow::ensure!(a.opinions > 0, "--opinions must be at least 1");
    anyhow::ensure!(a.connections > 0, "--connections must be at least 1");
    anyhow::ensure!(
        (0.0..=1.0).contains(&a.keyed_share),
        "--keyed-share is a fraction between 0 and 1"
    );
    let settings = sijian_store::PoolSettings {
        sqlite_readers: a.sqlite_readers,
        ..Default::default()
    };
    let db = fresh_db_with(&a.engine, &a.dir, &a.pg_admin_url, &settings).await?;
    let fx = case_fixture(&db).await?;
    let seeded = Arc::new(seed(&db, &fx, a.opinions).await?);

    let data_dir =
        std::path::Path::new(&a.dir).join(format!("sijian_bench_verify_{}", std::process::id()));
    std::fs::create_dir_all(&data_dir)?;
    let mut cfg = sijian_server::Config {
        listen: "127.0.0.1:0".into(),
        metrics_listen: String::new(),
        data_dir: data_dir.clone(),
        ..Default::default()
    };
    // The per-address limit protects production; every request here comes from 127.0.0.1.
    cfg.security.public_requests_per_second = 1e9;
    cfg.security.public_burst = 1e9;
    let server = sijian_server::start(cfg, db.clone(), false).await?;
    println!("server on http://{}", server.addr);

    sample(server.addr, &seeded).await?;

    let verify = Load::Verify {
        seeded: seeded.clone(),
        keyed_share: a.keyed_share,
    };
    let r = generate(
        server.addr,
        verify,
        a.connections,
        a.client_threads,
        a.warmup,
        a.seconds,
    )
    .await?;
    r.print(&format!(
        "verification ({}, {} opinions, {} connections, {:.0} % keyed)",
        a.engine,
        a.opinions,
        a.connections,
        a.keyed_share * 100.0
    ));
    // Informational only: how the counts are stored is the server's business.
    if let Ok(rows) = sijian_store::cases::opinions::check_rows(&db).await {
        println!("opinion_checks rows after the run: {rows}");
    }

    if a.floor_seconds > 0 {
        let r = generate(
            server.addr,
            Load::Healthz,
            a.connections,
            a.client_threads,
            a.warmup.min(2),
            a.floor_seconds,
        )
        .await?;
        r.print(&format!("/healthz floor ({} connections)", a.connections));
    }

    server.stop().await;
    db.close().await;
    let _ = std::fs::remove_dir_all(&data_dir);
    if !a.keep {
        remove_db(&a).await?;
    }
    Ok(())
}

/// Removes the database `fresh_db` created (it names it after the process).
async fn remove_db(a: &VerifyArgs) -> anyhow::Result<()> {
    let name = format!("sijian_bench_{}", std::process::id());
    if a.engine == "postgres" {
        let admin = Db::connect(&a.pg_admin_url, &sijian_store::PoolSettings::default()).await?;
        bulk::drop_database(&admin, &name).await?;
        admin.close().await;
    } else {
        for ext in ["db", "db-wal", "db-shm"] {
            let _ =
                std::fs::remove_file(std::path::Path::new(&a.dir).join(format!("{name}.{ext}")));
        }
    }
    Ok(())
}

/// Cases and issued opinions written in bulk by the store (`bulk::seed_issued_opinions`), then
/// the serial counter and the statistics.
async fn seed(db: &Db, fx: &CaseFixture, n: usize) -> anyhow::Result<Seeded> {
    let t = Instant::now();
    let issued = bulk::seed_issued_opinions(
        db,
        &bulk::IssuedSeed {
            institution_id: fx.institution_id,
            item: &fx.item,
            year: SEED_YEAR,
            n,
            statement_rows: STATEMENT_ROWS,
            transaction_rows: TRANSACTION_ROWS,
        },
    )
    .await?;
    let seeded = t.elapsed();
    bulk::set_opinion_serial(db, &issued.region, SEED_YEAR, issued.last_serial).await?;
    let t2 = Instant::now();
    bulk::settle_after_load(db).await?;
    let (codes, keys) = (issued.codes, issued.keys);
    println!(
        "seeded {n} issued opinions ({n} cases + {n} opinions) in {:.1} s: {:.0} rows/s \
         (then statistics{} in {:.1} s)",
        seeded.as_secs_f64(),
        (2 * n) as f64 / seeded.as_secs_f64(),
        if matches!(db, Db::Sqlite(..)) {
            " and WAL checkpoint"
        } else {
            ""
        },
        t2.elapsed().as_secs_f64()
    );
    Ok(Seeded { codes, keys })
}

/// What the generator asks for.
#[derive(Clone)]
enum Load {
    Verify {
        seeded: Arc<Seeded>,
        keyed_share: f64,
    },
    Healthz,
}

impl Load {
    fn path(&self, rng: &mut u64) -> String {
        match self {
            Load::Verify {
                seeded,
                keyed_share,
            } => {
                let i = (next(rng) % seeded.codes.len() as u64) as usize;
                let code = std::str::from_utf8(&seeded.codes[i]).unwrap_or_default();
                if ((next(rng) % 1_000_000) as f64) < keyed_share * 1e6 {
                    let key = std::str::from_utf8(&seeded.keys[i]).unwrap_or_default();
                    format!("/api/v1/opinions/{code}/verification?key={key}")
                } else {
                    format!("/api/v1/opinions/{code}/verification")
                }
            }
            Load::Healthz => "/healthz".to_string(),
        }
    }
}

type Sender = hyper::client::conn::http1::SendRequest<String>;

async fn connect(addr: SocketAddr) -> anyhow::Result<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    Ok(sender)
}

async fn get(sender: &mut Sender, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
    let req = hyper::Request::get(path)
        .header(hyper::header::HOST, "127.0.0.1")
        .body(String::new())?;
    sender.ready().await?;
    let res = sender.send_request(req).await?;
    let status = res.status().as_u16();
    Ok((status, read_body(res.into_body()).await?))
}

async fn read_body(mut body: Incoming) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(frame) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
    {
        if let Ok(data) = frame?.into_data() {
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

/// One public and one keyed answer, printed, and checked before the load starts.
async fn sample(addr: SocketAddr, seeded: &Seeded) -> anyhow::Result<()> {
    let mut s = connect(addr).await?;
    let code = std::str::from_utf8(&seeded.codes[seeded.codes.len() / 2])?;
    let key = std::str::from_utf8(&seeded.keys[seeded.codes.len() / 2])?;
    let (st, body) = get(&mut s, &format!("/api/v1/opinions/{code}/verification")).await?;
    println!("sample: HTTP {st} {}", String::from_utf8_lossy(&body));
    anyhow::ensure!(st == 200, "the sample verification failed");
    let (st, body) = get(
        &mut s,
        &format!("/api/v1/opinions/{code}/verification?key={key}"),
    )
    .await?;
    let body = String::from_utf8_lossy(&body);
    println!("sample with the key: HTTP {st} {body}");
    anyhow::ensure!(
        st == 200 && body.contains("\"key_valid\":true"),
        "the keyed sample was not recognised"
    );
    Ok(())
}

/// What one connection saw in the measured window.
#[derive(Default)]
struct Tally {
    /// Latencies in microseconds.
    lat: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
}

/// One connection's loop: a request, its whole answer, the next.
async fn connection(
    addr: SocketAddr,
    load: Load,
    seed: u64,
    measure_from: Instant,
    end: Instant,
) -> Tally {
    let mut rng = seed;
    let mut t = Tally::default();
    let mut sender = None;
    while Instant::now() < end {
        if sender.is_none() {
            match connect(addr).await {
                Ok(s) => sender = Some(s),
                Err(e) => {
                    t.errors += 1;
                    t.first_error.get_or_insert(format!("connect: {e}"));
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            }
        }
        let Some(s) = sender.as_mut() else { continue };
        let path = load.path(&mut rng);
        let start = Instant::now();
        let r = get(s, &path).await;
        let took = start.elapsed();
        let measured = start >= measure_from;
        match r {
            Ok((200, _)) => {}
            Ok((st, body)) => {
                if measured {
                    t.errors += 1;
                    t.first_error.get_or_insert_with(|| {
                        format!("HTTP {st} {}", String::from_utf8_lossy(&body))
                    });
                }
            }
            Err(e) => {
                sender = None;
                if measured {
                    t.errors += 1;
                    t.first_error.get_or_insert(format!("{path}: {e}"));
                }
            }
        }
        if measured {
            t.lat.push(took.as_micros().min(u32::MAX as u128) as u32);
        }
    }
    t
}

/// CPU time so far (clock ticks), per thread group of this process and of the whole machine.
#[derive(Clone, Copy, Default)]
struct Cpu {
    loadgen: u64,
    sqlite: u64,
    process: u64,
    machine_busy: u64,
    machine_total: u64,
}

/// Reads `/proc`: thread names tell the generator's threads (named below) and SQLite's
/// connection threads from the server's runtime.
fn cpu() -> Cpu {
    let mut c = Cpu::default();
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        for e in dir.flatten() {
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
                continue;
            };
            let comm = &stat[open + 1..close];
            // Fields after the name: state is 3rd, utime 14th, stime 15th of the line.
            let f: Vec<&str> = stat[close + 2..].split(' ').collect();
            let ticks = f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
                + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            c.process += ticks;
            if comm.starts_with("sijian-loadgen") {
                c.loadgen += ticks;
            } else if comm.starts_with("sqlx-sqlite") {
                c.sqlite += ticks;
            }
        }
    }
    if let Ok(stat) = std::fs::read_to_string("/proc/stat")
        && let Some(line) = stat.lines().next()
    {
        let v: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|x| x.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal (guest time is inside user).
        c.machine_total = v.iter().take(8).sum();
        c.machine_busy = c.machine_total - v.get(3).unwrap_or(&0) - v.get(4).unwrap_or(&0);
    }
    c
}

struct Report {
    secs: f64,
    lat: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
    cpu: (Cpu, Cpu),
    cores: u64,
}

impl Report {
    fn print(&self, what: &str) {
        let n = self.lat.len();
        let at = |q: f64| {
            if n == 0 {
                0.0
            } else {
                f64::from(self.lat[((n as f64 * q) as usize).min(n - 1)]) / 1000.0
            }
        };
        println!(
            "{what}: {n} requests in {:.1} s: {:.0} requests/s; latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, \
             p99.9 {:.2} ms, max {:.2} ms; errors {}{}",
            self.secs,
            n as f64 / self.secs,
            at(0.5),
            at(0.9),
            at(0.99),
            at(0.999),
            at(1.0),
            self.errors,
            if self.errors > 0 {
                " (RUN HAD ERRORS)"
            } else {
                ""
            }
        );
        if let Some(e) = &self.first_error {
            println!("  first error: {e}");
        }
        let (a, b) = self.cpu;
        let total = (b.machine_total - a.machine_total).max(1) as f64;
        // Percent of one core, so both cores busy is 100 % × cores.
        let pct = |ticks: u64| ticks as f64 / total * 100.0 * self.cores as f64;
        let process = b.process - a.process;
        let loadgen = b.loadgen - a.loadgen;
        let sqlite = b.sqlite - a.sqlite;
        let machine = b.machine_busy - a.machine_busy;
        println!(
            "  CPU (100 % = one core, {} cores): server {:.0} %{}, load generator {:.0} %, \
             other processes {:.0} %, idle {:.0} %",
            self.cores,
            pct(process - loadgen),
            if pct(sqlite) >= 0.5 {
                format!(" (of which SQLite connection threads {:.0} %)", pct(sqlite))
            } else {
                String::new()
            },
            pct(loadgen),
            pct(machine.saturating_sub(process)),
            pct((b.machine_total - a.machine_total) - machine)
        );
    }
}

/// Runs `connections` loops on the generator's own runtime for `warmup + seconds`, recording
/// only the requests started after the warm-up.
async fn generate(
    addr: SocketAddr,
    load: Load,
    connections: usize,
    threads: usize,
    warmup: u64,
    seconds: u64,
) -> anyhow::Result<Report> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("sijian-loadgen".into())
        .spawn(move || {
            let r = (|| -> anyhow::Result<Report> {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(threads.max(1))
                    .thread_name("sijian-loadgen")
                    .enable_all()
                    .build()?;
                rt.block_on(async move {
                    let measure_from = Instant::now() + Duration::from_secs(warmup);
                    let end = measure_from + Duration::from_secs(seconds);
                    let tasks: Vec<_> = (0..connections)
                        .map(|k| {
                            let seed = 0x9e37_79b9_7f4a_7c15u64 ^ ((k as u64 + 1) << 32);
                            tokio::spawn(connection(addr, load.clone(), seed, measure_from, end))
                        })
                        .collect();
                    tokio::time::sleep_until(measure_from.into()).await;
                    let before = cpu();
                    tokio::time::sleep_until(end.into()).await;
                    let after = cpu();
                    let mut all = Tally::default();
                    for t in tasks {
                        let t = t.await?;
                        all.lat.extend(t.lat);
                        all.errors += t.errors;
                        if all.first_error.is_none() {
                            all.first_error = t.first_error;
                        }
                    }
                    all.lat.sort_unstable();
                    anyhow::Ok(Report {
                        secs: seconds as f64,
                        lat: all.lat,
                        errors: all.errors,
                        first_error: all.first_error,
                        cpu: (before, after),
                        cores: std::thread::available_parallelism()
                            .map(|n| n.get() as u64)
                            .unwrap_or(1),
                    })
                })
            })();
            let _ = tx.send(r);
        })?;
    rx.await?
}
