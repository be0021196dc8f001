//! What every use case shares: the database, the configuration, the keys, and short-lived
//! copies of reference data. Nothing that matters is kept only in memory, so any number of nodes
//! can serve behind a load balancer.
use crate::checks::CheckCounter;
use crate::config::Config;
use crate::ledger::LogKeys;
use crate::linkage::Linkage;
use crate::secrets::DataKey;
use sijian_domain::calendar::{Date, WorkingCalendar, YearTable};
use sijian_domain::elicence::LicenceScheme;
use sijian_store::regions::{self, Region};
use sijian_store::{Db, StoreError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub cfg: Arc<Config>,
    pub regions: Arc<RegionCache>,
    pub calendar: Arc<CalendarCache>,
    /// Protects ID numbers at rest.
    pub keys: Arc<DataKey>,
    /// The log's signing key, published keys and witness policy.
    pub ledger: Arc<LogKeys>,
    /// Verifications counted in memory, written once a second.
    pub checks: Arc<CheckCounter>,
    /// How electronic licences are numbered (`licences.*`).
    pub licences: Arc<LicenceScheme>,
    /// The online person index and the case checks (多头、重复鉴定).
    pub linkage: Arc<Linkage>,
}

impl Services {
    /// The services over `db`, with the keys found and checked by [`crate::keyring::open`].
    pub async fn open(db: Db, cfg: Arc<Config>) -> anyhow::Result<Self> {
        let found = crate::keyring::open(&db, &cfg).await?;
        let keys = Arc::new(found.data);
        let linkage = Arc::new(Linkage::new(&cfg.linkage, &keys)?);
        let ledger = Arc::new(found.ledger);
        let licences = Arc::new(cfg.licences.scheme()?);
        cfg.webhooks.allowed_networks()?;
        cfg.webhooks.extra_roots()?;
        cfg.notifications.check()?;
        Ok(Services {
            db,
            cfg,
            regions: Arc::new(RegionCache::default()),
            calendar: Arc::new(CalendarCache::default()),
            keys,
            ledger,
            checks: Arc::default(),
            licences,
            linkage,
        })
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

/// The working-day calendar: the shipped years, with any year an administrator loaded
/// replacing the shipped one. Re-read at most once a minute, and at once on this node after a load.
#[derive(Default)]
pub struct CalendarCache {
    inner: RwLock<Option<(Instant, Arc<WorkingCalendar>)>>,
}

impl CalendarCache {
    const TTL: Duration = Duration::from_secs(60);

    pub async fn current(&self, db: &Db) -> Result<Arc<WorkingCalendar>, StoreError> {
        if let Some((at, cal)) = self.inner.read().ok().and_then(|g| g.clone())
            && at.elapsed() < Self::TTL
        {
            return Ok(cal);
        }
        let mut cal = WorkingCalendar::shipped();
        for loaded in sijian_store::calendar::list(db).await? {
            match YearTable::parse(&loaded.body) {
                Ok(t) => {
                    cal.insert(t);
                }
                Err(e) => {
                    tracing::error!(year = loaded.year, error = %e, "stored calendar year does not parse; shipped table kept")
                }
            }
        }
        let cal = Arc::new(cal);
        if let Ok(mut g) = self.inner.write() {
            *g = Some((Instant::now(), cal.clone()));
        }
        Ok(cal)
    }

    pub fn invalidate(&self) {
        if let Ok(mut g) = self.inner.write() {
            *g = None;
        }
    }
}

/// Today's date in Beijing time (UTC+8), the calendar deadlines are counted in.
pub fn today() -> Date {
    let days = (sijian_store::now_ms() / 1000 + 8 * 3600).div_euclid(86_400);
    Date::from_days(days).expect("the clock is within the calendar's range")
}

/// Years a deadline may soon fall in but that have no table: this year, and from 1 October
/// the next one (the State Council publishes it around November; a 30-working-day clock plus
/// an extension started in October ends in the next year).
pub fn missing_years(cal: &WorkingCalendar, today: Date) -> Vec<i32> {
    let loaded = cal.years();
    let mut wanted = vec![today.year()];
    if today.month() >= 10 {
        wanted.push(today.year() + 1);
    }
    wanted.into_iter().filter(|y| !loaded.contains(y)).collect()
}
