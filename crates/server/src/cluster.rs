//! This node among the others serving the same database: a heartbeat every
//! `cluster.heartbeat_seconds` records it as alive and counts the live nodes, and the public rate
//! limit is shared among them (`RateLimiter::share_among`).
use crate::state::AppState;
use sijian_store::{StoreError, nodes, now_ms};
use std::time::Duration;

/// A node not seen for this many heartbeats is no longer counted.
const MISSED_BEATS: i64 = 3;

/// Rows of nodes gone longer than this are deleted.
const FORGET_MS: i64 = 86_400_000;

/// This process as a node: a random identifier, and when it started.
#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub started_at: i64,
}

impl Node {
    pub fn new() -> Node {
        Node {
            id: hex::encode(rand::random::<[u8; 8]>()),
            started_at: now_ms(),
        }
    }
}

impl Default for Node {
    fn default() -> Self {
        Node::new()
    }
}

/// One heartbeat: records this node, counts the live ones and shares the limit among them.
/// Returns the count.
pub async fn beat(state: &AppState, node: &Node) -> Result<i64, StoreError> {
    let every = heartbeat_ms(state);
    let now = now_ms();
    let alive = nodes::beat(
        &state.db,
        &node.id,
        node.started_at,
        now,
        now - MISSED_BEATS * every,
        now - FORGET_MS,
    )
    .await?;
    state
        .public_limiter
        .share_among(u32::try_from(alive).unwrap_or(u32::MAX));
    metrics::gauge!("sijian_cluster_nodes").set(alive as f64);
    Ok(alive)
}

fn heartbeat_ms(state: &AppState) -> i64 {
    i64::try_from(state.cfg.cluster.heartbeat_seconds.max(1) * 1000).unwrap_or(i64::MAX / 4)
}

/// The heartbeat task: runs until aborted. A failed beat keeps the last share.
pub async fn run(state: AppState, node: Node) {
    let mut tick = tokio::time::interval(Duration::from_millis(heartbeat_ms(&state) as u64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = beat(&state, &node).await {
            tracing::warn!(error = %e, "node heartbeat failed; keeping the last count");
        }
    }
}

/// This node leaves: the others take its share at their next heartbeat.
pub async fn leave(state: &AppState, node: &Node) {
    if let Err(e) = nodes::leave(&state.db, &node.id).await {
        tracing::debug!(error = %e, "node row not removed; it expires by itself");
    }
}
