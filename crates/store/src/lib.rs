//! The one persistence layer: schema and migrations for SQLite and PostgreSQL, repositories,
//! and the data-scope predicate. Every operation is one query text that serves both engines.
#![forbid(unsafe_code)]

pub mod applications;
pub mod blobs;
pub mod calendar;
pub mod cases;
pub mod db;
pub mod error;
pub mod events;
pub mod export;
pub mod ledger;
pub mod linkage;
pub mod list;
pub mod logs;
pub mod organs;
pub mod readers;
pub mod regions;
pub mod registry;
pub mod scope;
pub mod search;
pub mod sessions;
pub mod settings;
pub mod tokens;
pub mod users;
pub mod webhooks;

pub use db::{Args, Db, Engine, PoolSettings, Tx, Val};
pub use error::StoreError;
pub use events::{Actor, NewEvent};
pub use list::{ListQuery, Page};
pub use sijian_domain::Scope;

/// Current time in Unix milliseconds. The only clock the store reads; tests pass times explicitly
/// where a rule depends on them.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
