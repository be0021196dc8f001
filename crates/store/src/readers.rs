//! SQLite point reads on the caller's own thread, for the hot public lookups (opinion
//! verification). Through the pool every statement is two hand-offs to the connection's worker
//! thread and back (the statement, then the ping sqlx sends when the connection is returned);
//! an indexed lookup of a few pages costs less than those hand-offs, so here it runs where the
//! request is, on a connection taken from a small stack of read-only ones. The SQL text is the
//! same the pool (and PostgreSQL) runs; only the row mapping is this module's (`LiteRow`).
//!
//! Use it only for statements that read a handful of pages by key: a long scan here would stall
//! the async runtime's thread. For the same reason a reader waits at most
//! [`READER_BUSY_TIMEOUT`] for a lock (in WAL mode only recovery or an exclusive-mode
//! connection takes one) and then reports `Unavailable`, and `Db` sends the read through the
//! pool, which waits without holding the thread.
use crate::error::{DbMessage, StoreError};
use crate::values::{Args, Val};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long a reader waits for a lock before the read goes through the pool instead.
pub const READER_BUSY_TIMEOUT: Duration = Duration::from_millis(20);

/// Read-only SQLite connections for point reads, opened on demand and kept up to `keep`.
pub struct Readers {
    path: PathBuf,
    keep: usize,
    idle: Mutex<Vec<Connection>>,
    closed: AtomicBool,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers")
            .field("path", &self.path)
            .field("keep", &self.keep)
            .finish_non_exhaustive()
    }
}

/// Prepared statements kept per connection: the hot path has a handful.
const STATEMENT_CACHE: usize = 32;

impl Readers {
    /// Readers of the database file at `path`. `keep` idle connections are kept (one per
    /// runtime thread suffices: a read never yields, so no more run at once).
    pub fn new(path: &Path, keep: usize) -> Readers {
        Readers {
            path: path.to_path_buf(),
            keep,
            idle: Mutex::new(Vec::with_capacity(keep)),
            closed: AtomicBool::new(false),
        }
    }

    fn open(&self) -> Result<Connection, StoreError> {
        // Read-write open with `query_only`: a read-only open cannot create the WAL index when
        // it is the first to come, and `query_only` refuses every write just the same.
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(lite_error)?;
        c.busy_timeout(READER_BUSY_TIMEOUT).map_err(lite_error)?;
        c.execute_batch("PRAGMA query_only = 1; PRAGMA cache_size = -65536;")
            .map_err(lite_error)?;
        c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(c)
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if self.closed.load(Ordering::Relaxed) {
            return Err(StoreError::Unavailable("数据库已关闭".into()));
        }
        let taken = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match taken {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.keep && !self.closed.load(Ordering::Relaxed) {
            idle.push(conn);
        }
        out
    }

    /// Closes the idle connections (those in use close when returned after this).
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// All rows of `sql`.
    pub fn fetch_all<T: LiteRow>(&self, sql: &str, args: &Args) -> Result<Vec<T>, StoreError> {
        self.with(|c| {
            let mut st = c.prepare_cached(sql).map_err(lite_error)?;
            bind(&mut st, args)?;
            let mut rows = st.raw_query();
            let mut out = Vec::new();
            while let Some(r) = rows.next().map_err(lite_error)? {
                out.push(T::from_lite(r).map_err(lite_error)?);
            }
            Ok(out)
        })
    }

    /// The first row of `sql`, if any.
    pub fn fetch_optional<T: LiteRow>(
        &self,
        sql: &str,
        args: &Args,
    ) -> Result<Option<T>, StoreError> {
        self.with(|c| {
            let mut st = c.prepare_cached(sql).map_err(lite_error)?;
            bind(&mut st, args)?;
            let mut rows = st.raw_query();
            match rows.next().map_err(lite_error)? {
                Some(r) => Ok(Some(T::from_lite(r).map_err(lite_error)?)),
                None => Ok(None),
            }
        })
    }
}

/// Binds `$1…$n` by name, as the pool does: SQLite numbers named parameters in order of first
/// appearance, which need not be the order of their digits.
fn bind(st: &mut rusqlite::CachedStatement<'_>, args: &Args) -> Result<(), StoreError> {
    st.clear_bindings();
    for (i, v) in args.0.iter().enumerate() {
        let name = format!("${}", i + 1);
        let Some(idx) = st.parameter_index(&name).map_err(lite_error)? else {
            continue;
        };
        let r = match v {
            Val::I64(x) => st.raw_bind_parameter(idx, x),
            Val::Text(x) => st.raw_bind_parameter(idx, x),
            Val::Bool(x) => st.raw_bind_parameter(idx, x),
            Val::Bytes(x) => st.raw_bind_parameter(idx, x),
        };
        r.map_err(lite_error)?;
    }
    Ok(())
}

fn lite_error(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::CannotOpen | rusqlite::ErrorCode::DatabaseBusy
            ) =>
        {
            StoreError::Unavailable(e.to_string())
        }
        other => StoreError::Other(DbMessage(other.to_string())),
    }
}

/// A row read by `Readers`: the counterpart of sqlx's `FromRow` for the same query.
pub trait LiteRow: Sized {
    fn from_lite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

macro_rules! tuple_row {
    ($($t:ident $i:tt),+) => {
        impl<$($t: rusqlite::types::FromSql),+> LiteRow for ($($t,)+) {
            fn from_lite(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                Ok(($(row.get::<_, $t>($i)?,)+))
            }
        }
    };
}
tuple_row!(A 0);
tuple_row!(A 0, B 1);
tuple_row!(A 0, B 1, C 2);
tuple_row!(A 0, B 1, C 2, D 3);
tuple_row!(A 0, B 1, C 2, D 3, E 4);
