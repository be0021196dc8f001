use crate::config::Config;
use sijian_store::Db;
use std::sync::Arc;

/// Shared by every request: the database and the configuration. Nothing else is kept in
/// memory, so any number of nodes can serve behind a load balancer.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub cfg: Arc<Config>,
}
