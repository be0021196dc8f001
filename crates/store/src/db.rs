//! The one database handle for both engines. Every query is written once, with `$1`-style
//! placeholders that SQLite and PostgreSQL both understand, and bound from portable values
//! (`Val`). Engine-specific code lives only here: connecting, `BEGIN IMMEDIATE`, and locks.
use crate::args;
use crate::error::StoreError;
use crate::readers::{LiteRow, Readers};
pub use crate::values::{Args, Val};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, Postgres};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, FromRow, Sqlite};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for v in $args.0 {
            q = match v {
                Val::I64(x) => q.bind(x),
                Val::Text(x) => q.bind(x),
                Val::Bool(x) => q.bind(x),
                Val::Bytes(x) => q.bind(x),
            };
        }
        q
    }};
}

/// Runs `$body` with `$ex` bound to the executor of whichever engine this is. The body is the
/// same source text for both engines.
macro_rules! on_engine {
    ($self:expr, |$ex:ident, $db:ident| $body:expr) => {
        match $self {
            Exec::SqlitePool(p) => {
                type $db = Sqlite;
                let $ex = p;
                $body
            }
            Exec::PgPool(p) => {
                type $db = Postgres;
                let $ex = p;
                $body
            }
            Exec::SqliteTx(t) => {
                type $db = Sqlite;
                let $ex = &mut **t;
                $body
            }
            Exec::PgTx(t) => {
                type $db = Postgres;
                let $ex = &mut **t;
                $body
            }
        }
    };
}

/// Which engine a handle talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Pool settings with documented defaults (docs/CONFIGURATION.md).
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// Connections in the pool. Default 8 (SQLite) / 16 (PostgreSQL).
    pub max_connections: Option<u32>,
    /// How long a request waits for a connection before it fails with 503. Default 5 s.
    pub acquire_timeout: Duration,
    /// SQLite: how long a writer waits for the write lock. Default 5 s.
    pub busy_timeout: Duration,
    /// SQLite: read-only connections kept for point reads on the caller's thread
    /// (`Db::read_optional`). Default: the number of CPUs; 0 sends those reads through the pool.
    pub sqlite_readers: Option<usize>,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            max_connections: None,
            acquire_timeout: Duration::from_secs(5),
            busy_timeout: Duration::from_secs(5),
            sqlite_readers: None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Db {
    /// The pool, and the readers for point reads (none when switched off).
    Sqlite(SqlitePool, Option<Arc<Readers>>),
    Pg(PgPool),
}

pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Pg(sqlx::Transaction<'static, Postgres>),
}

/// Anything queries run on: a pool or an open transaction. A read written once takes
/// `impl Into<Exec<'_>>`, so callers pass `&Db` or `&mut Tx` (inside a transaction, `&mut *tx`).
pub enum Exec<'a> {
    SqlitePool(&'a SqlitePool),
    PgPool(&'a PgPool),
    SqliteTx(&'a mut sqlx::Transaction<'static, Sqlite>),
    PgTx(&'a mut sqlx::Transaction<'static, Postgres>),
}

impl<'a> From<&'a Db> for Exec<'a> {
    fn from(db: &'a Db) -> Self {
        db.exec()
    }
}

impl<'a> From<&'a mut Tx> for Exec<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        tx.exec()
    }
}

/// Row types readable from both engines.
pub trait AnyRow:
    for<'r> FromRow<'r, sqlx::sqlite::SqliteRow>
    + for<'r> FromRow<'r, sqlx::postgres::PgRow>
    + Send
    + Unpin
{
}
impl<T> AnyRow for T where
    T: for<'r> FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
{
}

impl Db {
    /// Opens the database named by `url`: `sqlite://path` (created if missing) or
    /// `postgres://…`. The engine follows from the scheme alone.
    pub async fn connect(url: &str, settings: &PoolSettings) -> Result<Db, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(settings.max_connections.unwrap_or(16))
                .acquire_timeout(settings.acquire_timeout)
                .test_before_acquire(false)
                .connect_with(opts)
                .await?;
            Ok(Db::Pg(pool))
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(settings.busy_timeout)
                .foreign_keys(true)
                .pragma("cache_size", "-65536");
            let path = opts.get_filename().to_path_buf();
            let pool = SqlitePoolOptions::new()
                .max_connections(settings.max_connections.unwrap_or(8))
                .acquire_timeout(settings.acquire_timeout)
                .test_before_acquire(false)
                .connect_with(opts)
                .await?;
            let keep = settings
                .sqlite_readers
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
            let readers = (keep > 0).then(|| Arc::new(Readers::new(&path, keep)));
            Ok(Db::Sqlite(pool, readers))
        } else {
            Err(StoreError::Config(format!(
                "数据库地址须以 sqlite:// 或 postgres:// 开头，收到：{}",
                redact(url)
            )))
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(..) => Engine::Sqlite,
            Db::Pg(_) => Engine::Postgres,
        }
    }

    /// Applies the embedded migrations of this engine. On PostgreSQL the migrator holds an
    /// advisory lock, so several nodes starting at once apply them once.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(p, _) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Db::Pg(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// Applies the embedded migrations up to `version` only: for testing what a later migration
    /// does to data written under an earlier one.
    pub async fn migrate_to(&self, version: i64) -> Result<(), StoreError> {
        let keep = |m: &sqlx::migrate::Migrator| {
            let mut m = sqlx::migrate::Migrator {
                migrations: m.migrations.clone(),
                ..sqlx::migrate::Migrator::DEFAULT
            };
            m.migrations = std::borrow::Cow::Owned(
                m.migrations
                    .iter()
                    .filter(|x| x.version <= version)
                    .cloned()
                    .collect(),
            );
            m
        };
        match self {
            Db::Sqlite(p, _) => keep(&sqlx::migrate!("./migrations/sqlite")).run(p).await?,
            Db::Pg(p) => {
                keep(&sqlx::migrate!("./migrations/postgres"))
                    .run(p)
                    .await?
            }
        }
        Ok(())
    }

    /// Starts a write transaction. SQLite takes the write lock up front (`BEGIN IMMEDIATE`):
    /// a deferred transaction that reads and then writes fails at once with SQLITE_BUSY.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(p, _) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Pg(p) => Tx::Pg(p.begin().await?),
        })
    }

    pub fn exec(&self) -> Exec<'_> {
        match self {
            Db::Sqlite(p, _) => Exec::SqlitePool(p),
            Db::Pg(p) => Exec::PgPool(p),
        }
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        let one: i64 = self
            .exec()
            .scalar("SELECT CAST(1 AS BIGINT)", args![])
            .await?;
        debug_assert_eq!(one, 1);
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p, readers) => {
                if let Some(r) = readers {
                    r.close();
                }
                p.close().await
            }
            Db::Pg(p) => p.close().await,
        }
    }

    pub async fn fetch_all<T: AnyRow>(&self, sql: &str, args: Args) -> Result<Vec<T>, StoreError> {
        self.exec().fetch_all(sql, args).await
    }

    /// A point read (a few pages by key): on SQLite on the caller's thread (`readers`), on
    /// PostgreSQL through the pool. Same SQL text either way. A reader that finds the database
    /// locked or cannot open it leaves the read to the pool, which waits without holding the
    /// thread.
    pub async fn read_optional<T: AnyRow + LiteRow>(
        &self,
        sql: &str,
        args: Args,
    ) -> Result<Option<T>, StoreError> {
        if let Db::Sqlite(_, Some(r)) = self {
            match r.fetch_optional(sql, &args) {
                Err(StoreError::Unavailable(_)) => {}
                done => return done,
            }
        }
        self.fetch_optional(sql, args).await
    }

    /// All rows of a small keyed read; see `read_optional`.
    pub async fn read_all<T: AnyRow + LiteRow>(
        &self,
        sql: &str,
        args: Args,
    ) -> Result<Vec<T>, StoreError> {
        if let Db::Sqlite(_, Some(r)) = self {
            match r.fetch_all(sql, &args) {
                Err(StoreError::Unavailable(_)) => {}
                done => return done,
            }
        }
        self.fetch_all(sql, args).await
    }
    pub async fn fetch_optional<T: AnyRow>(
        &self,
        sql: &str,
        args: Args,
    ) -> Result<Option<T>, StoreError> {
        self.exec().fetch_optional(sql, args).await
    }
    pub async fn scalar<T>(&self, sql: &str, args: Args) -> Result<T, StoreError>
    where
        (T,): AnyRow,
    {
        self.exec().scalar(sql, args).await
    }
    pub async fn execute(&self, sql: &str, args: Args) -> Result<u64, StoreError> {
        self.exec().execute(sql, args).await
    }
}

impl Tx {
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Tx::Sqlite(t) => Exec::SqliteTx(t),
            Tx::Pg(t) => Exec::PgTx(t),
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Pg(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Serialises writers of one named resource (e.g. a serial counter or the log) for the rest
    /// of this transaction. SQLite's `BEGIN IMMEDIATE` already serialises all writers.
    pub async fn lock(&mut self, key: i64) -> Result<(), StoreError> {
        if let Tx::Pg(t) = self {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(key)
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    pub async fn fetch_all<T: AnyRow>(
        &mut self,
        sql: &str,
        args: Args,
    ) -> Result<Vec<T>, StoreError> {
        self.exec().fetch_all(sql, args).await
    }
    pub async fn fetch_optional<T: AnyRow>(
        &mut self,
        sql: &str,
        args: Args,
    ) -> Result<Option<T>, StoreError> {
        self.exec().fetch_optional(sql, args).await
    }
    pub async fn scalar<T>(&mut self, sql: &str, args: Args) -> Result<T, StoreError>
    where
        (T,): AnyRow,
    {
        self.exec().scalar(sql, args).await
    }
    pub async fn execute(&mut self, sql: &str, args: Args) -> Result<u64, StoreError> {
        self.exec().execute(sql, args).await
    }
}

impl Exec<'_> {
    pub async fn fetch_all<T: AnyRow>(self, sql: &str, args: Args) -> Result<Vec<T>, StoreError> {
        Ok(on_engine!(self, |ex, D| {
            bind_all!(sqlx::query_as::<D, T>(AssertSqlSafe(sql.to_string())), args)
                .fetch_all(ex)
                .await?
        }))
    }

    pub async fn fetch_optional<T: AnyRow>(
        self,
        sql: &str,
        args: Args,
    ) -> Result<Option<T>, StoreError> {
        Ok(on_engine!(self, |ex, D| {
            bind_all!(sqlx::query_as::<D, T>(AssertSqlSafe(sql.to_string())), args)
                .fetch_optional(ex)
                .await?
        }))
    }

    pub async fn fetch_one<T: AnyRow>(self, sql: &str, args: Args) -> Result<T, StoreError> {
        self.fetch_optional(sql, args)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// First column of the first row.
    pub async fn scalar<T>(self, sql: &str, args: Args) -> Result<T, StoreError>
    where
        (T,): AnyRow,
    {
        let row: (T,) = self.fetch_one(sql, args).await?;
        Ok(row.0)
    }

    /// Runs a statement; returns the number of rows it changed.
    pub async fn execute(self, sql: &str, args: Args) -> Result<u64, StoreError> {
        Ok(on_engine!(self, |ex, D| {
            bind_all!(sqlx::query::<D>(AssertSqlSafe(sql.to_string())), args)
                .execute(ex)
                .await?
                .rows_affected()
        }))
    }
}

/// Hides the password of a database URL for logs and messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
