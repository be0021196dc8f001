//! Small key/value settings kept in the database (e.g. whether demo data was loaded).
use crate::{Db, StoreError, args};

pub async fn get(db: &Db, key: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = db
        .fetch_optional("SELECT value FROM settings WHERE key = $1", args![key])
        .await?;
    Ok(row.map(|r| r.0))
}

/// Whether the database holds values sealed or hashed under the data key (appraisers' and
/// examined persons' identifiers, accounts' hashed names…): then a new data key must not be made.
pub async fn holds_sealed_data(db: &Db) -> Result<bool, StoreError> {
    let n: i64 = db
        .scalar(
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM appraisers LIMIT 1) a) \
             + (SELECT COUNT(*) FROM (SELECT 1 FROM case_persons LIMIT 1) p)",
            args![],
        )
        .await?;
    Ok(n > 0)
}

/// Whether the log holds entries signed into checkpoints: then a new log key must not be made.
pub async fn holds_log(db: &Db) -> Result<bool, StoreError> {
    let n: i64 = db
        .scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM ledger_checkpoints LIMIT 1) c",
            args![],
        )
        .await?;
    Ok(n > 0)
}

pub async fn set(db: &Db, key: &str, value: &str) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
        args![key, value],
    )
    .await?;
    Ok(())
}
