//! Small key/value settings kept in the database (e.g. whether demo data was loaded).
use crate::{Db, StoreError, args};

pub async fn get(db: &Db, key: &str) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = db
        .fetch_optional("SELECT value FROM settings WHERE key = $1", args![key])
        .await?;
    Ok(row.map(|r| r.0))
}

pub async fn set(db: &Db, key: &str, value: &str) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
        args![key, value],
    )
    .await?;
    Ok(())
}
