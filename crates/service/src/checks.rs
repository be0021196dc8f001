//! Counting verifications without a write per request: each verification adds one to a counter
//! in memory; a background task adds the counters to the database once a second (one
//! transaction), and readers add the counts still pending to the stored ones (reading writes
//! nothing). A crash loses at most the last second's counts — counts, not records.
use sijian_store::Db;
use sijian_store::cases::opinions::{self, CheckCounts, CheckKind, CheckTally};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// How often pending counts are written. Counts are visible to readers at once (`counts`).
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
pub struct CheckCounter {
    pending: Mutex<HashMap<(String, String, CheckKind), i64>>,
    /// Held by a flush while its counts are neither pending nor stored, and shared by readers
    /// while they read both, so a reader sees every count once.
    writing: tokio::sync::RwLock<()>,
}

impl CheckCounter {
    /// Counts one verification of `code` (19 characters) on `day`.
    pub fn record(&self, code: &str, day: String, kind: CheckKind) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        *p.entry((code.to_string(), day, kind)).or_insert(0) += 1;
    }

    /// How often `code` was verified: the stored counts and those not yet written.
    pub async fn counts(
        &self,
        db: &Db,
        code: &str,
    ) -> Result<CheckCounts, sijian_store::StoreError> {
        let _reading = self.writing.read().await;
        let mut c = opinions::check_counts(db, code).await?;
        let p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        for ((pending_code, day, kind), n) in p.iter() {
            if pending_code == code {
                c.add(kind.as_str(), day, *n);
            }
        }
        Ok(c)
    }

    /// Writes the pending counts; on failure they are kept for the next try.
    pub async fn flush(&self, db: &Db) -> Result<(), sijian_store::StoreError> {
        let _writing = self.writing.write().await;
        let taken = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        if taken.is_empty() {
            return Ok(());
        }
        let tallies: Vec<CheckTally> = taken
            .iter()
            .map(|((code, day, kind), n)| CheckTally {
                code: code.clone(),
                day: day.clone(),
                kind: *kind,
                n: *n,
            })
            .collect();
        if let Err(e) = opinions::add_checks(db, &tallies).await {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            for (k, n) in taken {
                *p.entry(k).or_insert(0) += n;
            }
            return Err(e);
        }
        Ok(())
    }
}

/// Flushes the counts every [`FLUSH_INTERVAL`] until the server stops.
pub async fn run(state: crate::Services) {
    let mut tick = tokio::time::interval(FLUSH_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = state.checks.flush(&state.db).await {
            tracing::warn!(error = %e, "verification counts not written; kept for the next try");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_per_code_day_and_kind() {
        let c = CheckCounter::default();
        for _ in 0..3 {
            c.record("A", "2026-11-29".into(), CheckKind::Public);
        }
        c.record("A", "2026-11-29".into(), CheckKind::Keyed);
        c.record("B", "2026-11-29".into(), CheckKind::Public);
        let p = c.pending.lock().unwrap();
        assert_eq!(p[&("A".into(), "2026-11-29".into(), CheckKind::Public)], 3);
        assert_eq!(p.len(), 3);
    }

    #[tokio::test]
    async fn reading_counts_adds_the_pending_ones_once_and_writes_nothing() {
        let dir = std::env::temp_dir().join(format!("sijian-checks-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::connect(
            &format!("sqlite://{}", dir.join("c.db").display()),
            &sijian_store::PoolSettings::default(),
        )
        .await
        .unwrap();
        db.migrate().await.unwrap();
        let stored = |db: Db| async move {
            sijian_store::cases::opinions::check_rows(&db)
                .await
                .unwrap()
        };
        let c = CheckCounter::default();
        c.record("A", "2026-12-01".into(), CheckKind::Public);
        c.record("A", "2026-12-02".into(), CheckKind::Keyed);
        c.record("B", "2026-12-02".into(), CheckKind::Public);
        let n = c.counts(&db, "A").await.unwrap();
        assert_eq!((n.total, n.public, n.keyed), (2, 1, 1));
        assert_eq!(n.last_day.as_deref(), Some("2026-12-02"));
        assert_eq!(stored(db.clone()).await, 0, "reading wrote the counts");
        c.flush(&db).await.unwrap();
        assert_eq!(stored(db.clone()).await, 3);
        c.record("A", "2026-12-03".into(), CheckKind::Organ);
        let n = c.counts(&db, "A").await.unwrap();
        assert_eq!((n.total, n.public, n.keyed, n.organ), (3, 1, 1, 1));
        assert_eq!(n.last_day.as_deref(), Some("2026-12-03"));
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
