//! The application nodes serving this database: each one records a heartbeat, and counts the
//! nodes seen recently to share per-client limits with them (a public rate limit of r a second
//! is r/n a second on each of n nodes, so the cluster as a whole never allows more than r).
use crate::{Db, StoreError, args};

/// Records that node `id` (started at `started_at`, Unix ms) is alive at `now`, forgets nodes
/// not seen since `forget_before`, and returns how many nodes were seen at or after
/// `alive_since` (this one included).
pub async fn beat(
    db: &Db,
    id: &str,
    started_at: i64,
    now: i64,
    alive_since: i64,
    forget_before: i64,
) -> Result<i64, StoreError> {
    db.execute(
        "INSERT INTO nodes (id, started_at, seen_at) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET seen_at = $3",
        args![id, started_at, now],
    )
    .await?;
    db.execute("DELETE FROM nodes WHERE seen_at < $1", args![forget_before])
        .await?;
    db.scalar(
        "SELECT COUNT(*) FROM nodes WHERE seen_at >= $1",
        args![alive_since],
    )
    .await
}

/// A node leaving: its share passes to the others at their next heartbeat.
pub async fn leave(db: &Db, id: &str) -> Result<(), StoreError> {
    db.execute("DELETE FROM nodes WHERE id = $1", args![id])
        .await?;
    Ok(())
}
