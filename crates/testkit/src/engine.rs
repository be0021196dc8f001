//! Fresh databases for tests, on either engine: a SQLite file in its own temporary directory,
//! or a PostgreSQL database of its own on the server `SJTEST_PG_URL` names (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), dropped at the end.
//!
//! When PostgreSQL cannot be reached, a test is skipped with the reason printed, unless
//! `SJTEST_REQUIRE_PG=1` (CI), when it fails.
use sijian_store::{Db, PoolSettings};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

pub use sijian_store::Engine;

/// Both engines, for tests that loop over them.
pub const ENGINES: [Engine; 2] = [Engine::Sqlite, Engine::Postgres];

/// The PostgreSQL server's administrative database.
pub fn pg_admin_url() -> String {
    std::env::var("SJTEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Whether PostgreSQL tests must run (CI) or may be skipped with a printed reason.
pub fn pg_required() -> bool {
    std::env::var("SJTEST_REQUIRE_PG").is_ok_and(|v| v == "1")
}

/// A name no other test of any process uses at the same time.
pub fn unique() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
        % 1_000_000_000;
    format!("{}_{}_{}", std::process::id(), n, t)
}

/// A directory removed when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new, empty directory under the system's temporary directory.
    pub fn new(label: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!("sijian-{label}-{}", unique()));
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Where a fresh, empty database lives (nothing connected to it yet): a temporary directory for
/// SQLite, a database of its own for PostgreSQL. `remove` drops the PostgreSQL database.
#[derive(Debug)]
pub struct Place {
    pub engine: Engine,
    /// The temporary directory (SQLite's file goes in it; other test files may too).
    pub dir: TempDir,
    pg_name: Option<String>,
    url: String,
}

impl Place {
    /// A new place, or None (the reason printed) when PostgreSQL is unreachable and not required.
    pub async fn new(engine: Engine) -> Option<Place> {
        let dir = TempDir::new("test");
        match engine {
            Engine::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("sijian.db").display());
                Some(Place {
                    engine,
                    dir,
                    pg_name: None,
                    url,
                })
            }
            Engine::Postgres => {
                let admin = pg_admin().await?;
                let name = format!("sijian_test_{}", unique());
                sijian_store::bulk::recreate_database(&admin, &name)
                    .await
                    .expect("a fresh test database");
                admin.close().await;
                let base = pg_admin_url();
                let root = base
                    .rsplit_once('/')
                    .map(|(r, _)| r.to_string())
                    .unwrap_or(base);
                Some(Place {
                    engine,
                    dir,
                    url: format!("{root}/{name}"),
                    pg_name: Some(name),
                })
            }
        }
    }

    /// The database URL (`sqlite://…` or `postgres://…`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Drops the PostgreSQL database (the directory goes when the place is dropped). Connections
    /// still open to it are ended.
    pub async fn remove(mut self) {
        if let Some(name) = self.pg_name.take()
            && let Ok(admin) = Db::connect(&pg_admin_url(), &one_connection()).await
        {
            let _ = sijian_store::bulk::drop_database(&admin, &name).await;
            admin.close().await;
        }
    }
}

fn one_connection() -> PoolSettings {
    PoolSettings {
        max_connections: Some(1),
        ..Default::default()
    }
}

async fn pg_admin() -> Option<Db> {
    match Db::connect(&pg_admin_url(), &one_connection()).await {
        Ok(db) => Some(db),
        Err(e) => {
            if pg_required() {
                panic!(
                    "PostgreSQL required (SJTEST_REQUIRE_PG=1) but unreachable at {}: {e:?}",
                    pg_admin_url()
                );
            }
            eprintln!(
                "SKIPPED: PostgreSQL not reachable at {} ({e}); set SJTEST_PG_URL or run .ci/run",
                pg_admin_url()
            );
            None
        }
    }
}

/// A connected, migrated, empty database of one engine.
#[derive(Debug)]
pub struct TestDb {
    pub db: Db,
    pub place: Place,
}

impl TestDb {
    /// A fresh migrated database with the shipped regions loaded (as the server does at start),
    /// or None when PostgreSQL is unreachable and not required.
    pub async fn new(engine: Engine) -> Option<TestDb> {
        let t = Self::unmigrated(engine).await?;
        t.db.migrate().await.expect("migrate");
        sijian_store::regions::load_shipped(&t.db)
            .await
            .expect("load the shipped regions");
        Some(t)
    }

    /// A fresh database with no tables yet.
    pub async fn unmigrated(engine: Engine) -> Option<TestDb> {
        let place = Place::new(engine).await?;
        let db = Db::connect(place.url(), &PoolSettings::default())
            .await
            .expect("connect to the test database");
        Some(TestDb { db, place })
    }

    pub fn engine(&self) -> Engine {
        self.place.engine
    }

    /// Closes the connections and removes the database.
    pub async fn remove(self) {
        self.db.close().await;
        self.place.remove().await;
    }
}

/// Runs an async test body once per engine, each on a fresh migrated database that is removed
/// afterwards: `on_both_engines(|db| async move { … }).await`. PostgreSQL is skipped (printed)
/// when unreachable and not required.
pub async fn on_both_engines<F, Fut>(body: F)
where
    F: Fn(Db) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for engine in ENGINES {
        let Some(t) = TestDb::new(engine).await else {
            continue;
        };
        body(t.db.clone()).await;
        t.remove().await;
    }
}

/// Runs an async test body on a fresh migrated database of `engine`, removed afterwards;
/// returns at once (printed) when PostgreSQL is unreachable and not required.
pub async fn run_on<F, Fut>(engine: Engine, body: F)
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(t) = TestDb::new(engine).await else {
        return;
    };
    body(t.db.clone()).await;
    t.remove().await;
}

/// One test per engine, named `NAME::sqlite` and `NAME::postgres`, each on a fresh migrated
/// database: `db_test!(name, |db| { … });`
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::engine::run_on($crate::engine::Engine::Sqlite, |$db| async move $body)
                    .await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::engine::run_on($crate::engine::Engine::Postgres, |$db| async move $body)
                    .await
            }
        }
    };
}
