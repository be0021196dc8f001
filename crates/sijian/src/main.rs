//! `sijian`: the platform's one binary.
#![forbid(unsafe_code)]

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use sijian_domain::Role;
use sijian_server::{AppState, Config};
use sijian_service::accounts::{UserInput, create_user_from, issue_token};
use sijian_service::{demo, secrets};
use sijian_store::{Actor, Scope, users};
use std::path::PathBuf;
use std::sync::Arc;

mod audit;
mod bench;
mod bench_linkage;
mod bench_verify;
#[cfg(test)]
mod fuzz;
mod keys;
mod ledger_cli;
mod match_cli;
mod verify_cli;
mod witness;

/// mimalloc instead of the system allocator: under concurrent requests glibc's malloc showed as a
/// fifth of the CPU time (docs/BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "sijian", version, about = "司鉴：司法鉴定管理与监督平台")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the database is; every command that opens it takes these.
#[derive(Args, Clone, Default)]
pub(crate) struct DbOpts {
    /// Configuration file (default: ./sijian.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// `sqlite://PATH` or `postgres://…` (default: SQLite under the data directory).
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Data directory for the embedded database (default ./data; for `demo`, ./data/demo).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and API.
    Serve {
        #[command(flatten)]
        db: DbOpts,
        /// Listen address (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Create the demo dataset on first run, print the accounts, and serve.
    Demo {
        #[command(flatten)]
        db: DbOpts,
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate {
        #[command(flatten)]
        db: DbOpts,
    },
    /// Add a synthetic register (institutions and appraisers) for load tests.
    Synth {
        #[command(flatten)]
        db: DbOpts,
        #[arg(long, default_value_t = 5000)]
        institutions: usize,
        #[arg(long, default_value_t = 100_000)]
        appraisers: usize,
    },
    /// Performance measurements (docs/BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// Account administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Transparency log: verify proofs, checkpoints and bundles offline; monitor a log.
    /// Exit code 0 valid, 1 invalid, 2 usage error.
    Ledger {
        #[command(subcommand)]
        command: ledger_cli::LedgerCommand,
    },
    /// Offline checks of an opinion's QR code or document (exit 0 valid, 1 invalid, 2 usage).
    Verify {
        #[command(subcommand)]
        command: verify_cli::VerifyCommand,
    },
    /// Record linkage over CSV files: deduplicate persons, generate synthetic data, evaluate
    /// (exit 0 done, 1 refused, 2 usage).
    Match {
        #[command(subcommand)]
        command: match_cli::MatchCommand,
    },
    /// A C2SP tlog-witness that cosigns checkpoints of known logs.
    Witness {
        #[command(subcommand)]
        command: witness::WitnessCommand,
    },
}

#[derive(Subcommand)]
enum BenchWhat {
    /// The tamper-evident log.
    Ledger {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// Complete appraisal-case lifecycles.
    Cases(bench::CasesArgs),
    /// The public opinion-verification API under load on loopback.
    Verify(bench_verify::VerifyArgs),
    /// The online person index: build, memory per person, intake query latency.
    Linkage(bench_linkage::LinkageArgs),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account. The password is read from SIJIAN_PASSWORD or generated and printed;
    /// the user must change it at first sign-in.
    CreateUser {
        #[command(flatten)]
        db: DbOpts,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// admin, regulator_ministry, regulator_province, regulator_city, regulator_county,
        /// association, inspector, institution_head, institution_clerk, appraiser, organ
        #[arg(long)]
        role: String,
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        institution_id: Option<i64>,
        #[arg(long)]
        appraiser_id: Option<i64>,
        #[arg(long)]
        organ_id: Option<i64>,
    },
    /// Set a new temporary password (from SIJIAN_PASSWORD or generated and printed); ends the
    /// account's sessions and lifts any lock-out.
    ResetPassword {
        #[command(flatten)]
        db: DbOpts,
        #[arg(long)]
        user: String,
    },
    /// Print a new API token for scripts (`Authorization: Bearer TOKEN`).
    CreateToken {
        #[command(flatten)]
        db: DbOpts,
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Lifetime in days (default from configuration, 90).
        #[arg(long)]
        days: Option<i64>,
        #[arg(long)]
        read_only: bool,
    },
}

fn config(db: &DbOpts, listen: Option<String>, default_dir: &str) -> anyhow::Result<Config> {
    let mut cfg = Config::load(db.config.as_deref(), std::env::vars())?;
    if let Some(d) = &db.data_dir {
        cfg.data_dir = d.clone();
    } else if default_dir != "./data"
        && std::env::var("SIJIAN_DATA_DIR").is_err()
        && cfg.data_dir == std::path::Path::new("./data")
    {
        cfg.data_dir = PathBuf::from(default_dir);
    }
    if let Some(u) = &db.database_url {
        cfg.database_url = Some(u.clone());
    }
    if let Some(l) = listen {
        cfg.listen = l;
    }
    Ok(cfg)
}

async fn open(cfg: &Config) -> anyhow::Result<AppState> {
    let db = sijian_server::open_database(cfg, true).await?;
    AppState::open(db, Arc::new(cfg.clone())).await
}

/// A password from SIJIAN_PASSWORD, or a generated one that meets the policy.
fn password_for(cfg: &Config, username: &str) -> anyhow::Result<(String, bool)> {
    if let Ok(p) = std::env::var("SIJIAN_PASSWORD") {
        cfg.security
            .password
            .check(username, &p)
            .map_err(|e| anyhow::anyhow!("SIJIAN_PASSWORD：{e}"))?;
        return Ok((p, false));
    }
    let s = secrets::random_secret();
    Ok((format!("Sj-{}-{}", &s[..8], &s[8..16]), true))
}

async fn serve(cfg: Config) -> anyhow::Result<()> {
    let db = sijian_server::open_database(&cfg, cfg.migrate_on_start).await?;
    let server = sijian_server::start(cfg, db.clone(), true).await?;
    println!("司鉴已启动：http://{}/", server.addr);
    if let Some(m) = server.metrics_addr {
        println!("监控指标：http://{m}/metrics");
    }
    server.handle.await.ok();
    db.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { db, listen } => {
            let cfg = config(&db, listen, "./data")?;
            sijian_server::telemetry::init_logging(&cfg.log.format, &cfg.log.level);
            serve(cfg).await
        }
        Command::Synth {
            db,
            institutions,
            appraisers,
        } => {
            let cfg = config(&db, None, "./data")?;
            let state = open(&cfg).await?;
            let started = std::time::Instant::now();
            let (i, a) =
                sijian_service::synth::fill(&state.db, &state.keys, institutions, appraisers)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "已写入 {i} 个机构、{a} 名鉴定人，用时 {:.1} 秒",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Demo { db, listen } => {
            let cfg = config(&db, listen, "./data/demo")?;
            sijian_server::telemetry::init_logging(&cfg.log.format, &cfg.log.level);
            let state = open(&cfg).await?;
            let loaded = demo::load(&state.db, &state.keys)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{}",
                if loaded {
                    "演示数据已创建。"
                } else {
                    "使用已有的演示数据。"
                }
            );
            println!("演示账号（密码均为 {}）：", demo::DEMO_PASSWORD);
            for (u, role, org) in demo::accounts(&state.db)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                println!("  {u:<12} {role:<10} {org}");
            }
            let codes = sijian_service::demo_cases::codes(&state.db)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if !codes.is_empty() {
                println!("演示鉴定意见书（编码 / 查询校验码）：");
                for (code, key) in codes {
                    println!("  {code}  {key}");
                }
            }
            state.db.close().await;
            serve(cfg).await
        }
        Command::Migrate { db } => {
            let cfg = config(&db, None, "./data")?;
            open(&cfg).await?;
            println!(
                "数据库迁移已完成：{}",
                sijian_store::db::redact(&cfg.database_url())
            );
            Ok(())
        }
        Command::Admin { command } => admin(command).await,
        Command::Bench {
            what: BenchWhat::Ledger { command },
        } => bench::run(command).await,
        Command::Bench {
            what: BenchWhat::Cases(args),
        } => bench::run_cases(args).await,
        Command::Bench {
            what: BenchWhat::Verify(args),
        } => bench_verify::run_verify(args).await,
        Command::Bench {
            what: BenchWhat::Linkage(args),
        } => bench_linkage::run(args).await,
        Command::Ledger { command } => std::process::exit(ledger_cli::run(command).await),
        Command::Verify { command } => std::process::exit(verify_cli::run(command)),
        Command::Match { command } => std::process::exit(match_cli::run(command)),
        Command::Witness { command } => witness::run(command).await,
    }
}

async fn admin(command: AdminCommand) -> anyhow::Result<()> {
    let system = Actor::system("cli");
    match command {
        AdminCommand::CreateUser {
            db,
            username,
            display_name,
            role,
            region,
            institution_id,
            appraiser_id,
            organ_id,
        } => {
            let cfg = config(&db, None, "./data")?;
            let state = open(&cfg).await?;
            if Role::parse(&role).is_none_or(|r| r == Role::Public) {
                bail!("未知角色：{role}");
            }
            let (password, generated) = password_for(&cfg, &username)?;
            let input = UserInput {
                username: Some(username.clone()),
                display_name: Some(display_name),
                password: Some(password.clone()),
                role: Some(role),
                region_code: region,
                institution_id,
                appraiser_id,
                organ_id,
                active: None,
                lang: None,
            };
            let user = create_user_from(&state, &system, &Scope::All, &input)
                .await
                .map_err(|e| {
                    let fields: Vec<String> = e
                        .fields
                        .iter()
                        .map(|f| format!("{}：{}", f.field, f.message))
                        .collect();
                    anyhow::anyhow!("{} {}", e.message, fields.join("；"))
                })?;
            println!("已创建用户 {}（编号 {}）。", user.username, user.id);
            if generated {
                println!("初始密码：{password}（首次登录时须修改）");
            }
            Ok(())
        }
        AdminCommand::ResetPassword { db, user } => {
            let cfg = config(&db, None, "./data")?;
            let state = open(&cfg).await?;
            let (u, _) = users::by_username(&state.db, &user)
                .await?
                .with_context(|| format!("用户不存在：{user}"))?;
            let (password, generated) = password_for(&cfg, &u.username)?;
            let hash = secrets::hash_password_async(password.clone()).await;
            users::set_password(&state.db, &system, u.id, &hash, true).await?;
            println!("已重置 {} 的密码，其会话已全部失效。", u.username);
            if generated {
                println!("临时密码：{password}（下次登录时须修改）");
            }
            Ok(())
        }
        AdminCommand::CreateToken {
            db,
            user,
            name,
            days,
            read_only,
        } => {
            let cfg = config(&db, None, "./data")?;
            let state = open(&cfg).await?;
            let (u, _) = users::by_username(&state.db, &user)
                .await?
                .with_context(|| format!("用户不存在：{user}"))?;
            let out = issue_token(&state, &u, &name, read_only, days)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            println!("{}", out.token);
            Ok(())
        }
    }
}
