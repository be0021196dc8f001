use crate::config::Config;
use sijian_store::regions::{self, Region};
use sijian_store::{Db, StoreError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// Shared by every request: the database, the configuration and a short-lived copy of reference
/// data. Nothing that matters is kept only in memory, so any number of nodes can serve behind a
/// load balancer.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub cfg: Arc<Config>,
    pub regions: Arc<RegionCache>,
}

impl AppState {
    pub fn new(db: Db, cfg: Arc<Config>) -> Self {
        AppState {
            db,
            cfg,
            regions: Arc::new(RegionCache::default()),
        }
    }
}

/// The regions in use, re-read from the database at most once a minute (they change by
/// administrative act a few times a year; every form and filter needs them).
#[derive(Default)]
pub struct RegionCache {
    inner: RwLock<Option<(Instant, Arc<Vec<Region>>)>>,
}

impl RegionCache {
    const TTL: Duration = Duration::from_secs(60);

    pub async fn current(&self, db: &Db) -> Result<Arc<Vec<Region>>, StoreError> {
        if let Some((at, list)) = self.inner.read().ok().and_then(|g| g.clone())
            && at.elapsed() < Self::TTL
        {
            return Ok(list);
        }
        let list = Arc::new(regions::list_current(db, None).await?);
        if let Ok(mut g) = self.inner.write() {
            *g = Some((Instant::now(), list.clone()));
        }
        Ok(list)
    }

    /// Regions at or below `path` (`None`: all), in code order.
    pub async fn under(&self, db: &Db, path: Option<&str>) -> Result<Vec<Region>, StoreError> {
        let all = self.current(db).await?;
        Ok(all
            .iter()
            .filter(|r| path.is_none_or(|p| r.path.starts_with(p)))
            .cloned()
            .collect())
    }
}
