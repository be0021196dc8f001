//! The log's storage and its single writer. Every event commits a leaf entry (a salted
//! commitment, never the record itself) to `ledger_queue` in the event's own transaction. The
//! integrator, one at a time across all nodes (the transaction-scoped lock below; SQLite's
//! `BEGIN IMMEDIATE` serialises on its own), moves queued entries into gapless leaf indices,
//! stores the new subtree hashes and signs a checkpoint, all in one transaction: a crash
//! either keeps the whole batch or none of it, and no index is ever given twice.
use crate::db::Tx;
use crate::{Db, StoreError, args, now_ms};
use rand::RngCore;
use sijian_ledger::bundle::Bundle;
use sijian_ledger::checkpoint::Checkpoint;
use sijian_ledger::commitment::{EventEntry, Record, SALT_SIZE, commitment};
use sijian_ledger::hash::{Hash, leaf_hash};
use sijian_ledger::note::{Note, Signer};
use sijian_ledger::tiles::Tile;
use sijian_ledger::tree::{self, Frontier, HashReader, TreeError};
use std::collections::HashMap;

pub mod audit;

/// Advisory-lock key of the integrator ("SIJIANLG").
pub const INTEGRATOR_LOCK: i64 = 0x5349_4a49_414e_4c47;
/// Rows per multi-row statement. SQLite looks up each `$n` by scanning the statement's
/// parameter list, so binding costs grow with the square of the parameters in one statement:
/// keep each to a few hundred (measured in docs/BENCHMARKS.md).
const ROWS_PER_STATEMENT: usize = 64;
/// Largest batch one integration takes. Default for `ledger.batch_max`.
pub const DEFAULT_BATCH_MAX: usize = 10_000;

/// The fields of an event that its commitment covers, in this order.
#[derive(Debug, Clone)]
pub struct EventFields<'a> {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub kind: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub scope_path: &'a str,
    pub institution_id: Option<i64>,
    pub payload: &'a str,
    /// Public fields logged in the clear beside the commitment (e.g. an issued opinion's code
    /// and document hash), so anyone can recompute the leaf.
    pub public: Option<&'a str>,
}

impl EventFields<'_> {
    pub fn record(&self) -> Record {
        Record::new()
            .int("id", Some(self.id))
            .int("at", Some(self.at))
            .int("actor_id", self.actor_id)
            .text("actor_name", self.actor_name)
            .text("kind", self.kind)
            .text("entity_type", self.entity_type)
            .text("entity_id", self.entity_id)
            .text("scope_path", self.scope_path)
            .int("institution_id", self.institution_id)
            .text("payload", self.payload)
    }

    pub fn entry(&self, salt: &[u8; SALT_SIZE]) -> EventEntry {
        EventEntry {
            event_id: self.id,
            commitment: commitment(salt, &self.record()),
            public: self.public.map(str::to_string),
        }
    }
}

fn fresh_salt() -> [u8; SALT_SIZE] {
    let mut s = [0u8; SALT_SIZE];
    rand::rng().fill_bytes(&mut s);
    s
}

/// Queues the commitment of an event just inserted in `tx`.
pub async fn enqueue(tx: &mut Tx, ev: &EventFields<'_>) -> Result<(), StoreError> {
    enqueue_many(tx, std::slice::from_ref(ev)).await
}

/// Queues the commitments of events just inserted in `tx`, each with a fresh salt.
pub async fn enqueue_many(tx: &mut Tx, evs: &[EventFields<'_>]) -> Result<(), StoreError> {
    for chunk in evs.chunks(3 * ROWS_PER_STATEMENT) {
        let mut a = crate::Args::new();
        let rows: Vec<String> = chunk
            .iter()
            .map(|ev| {
                let salt = fresh_salt();
                let entry = ev.entry(&salt).to_bytes();
                format!(
                    "({}, {}, {})",
                    a.push(ev.id),
                    a.push(salt.to_vec()),
                    a.push(entry)
                )
            })
            .collect();
        tx.execute(
            &format!(
                "INSERT INTO ledger_queue (event_id, salt, entry) VALUES {}",
                rows.join(", ")
            ),
            a,
        )
        .await?;
    }
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
struct EventRowForLedger {
    id: i64,
    at: i64,
    actor_id: Option<i64>,
    actor_name: String,
    kind: String,
    entity_type: String,
    entity_id: String,
    scope_path: String,
    institution_id: Option<i64>,
    payload: String,
}

impl EventRowForLedger {
    fn fields(&self) -> EventFields<'_> {
        EventFields {
            id: self.id,
            at: self.at,
            actor_id: self.actor_id,
            actor_name: &self.actor_name,
            kind: &self.kind,
            entity_type: &self.entity_type,
            entity_id: &self.entity_id,
            scope_path: &self.scope_path,
            institution_id: self.institution_id,
            payload: &self.payload,
            public: None,
        }
    }
}

const EVENT_COLUMNS: &str = "e.id, e.at, e.actor_id, e.actor_name, e.kind, e.entity_type, e.entity_id, e.scope_path, e.institution_id, e.payload";

/// Queues events recorded before the log existed (once per database). Returns how many.
pub async fn enqueue_missing(db: &Db) -> Result<usize, StoreError> {
    if crate::settings::get(db, "ledger_backfilled")
        .await?
        .is_some()
    {
        return Ok(0);
    }
    let mut total = 0;
    let mut after = 0i64;
    loop {
        let rows: Vec<EventRowForLedger> = db
            .fetch_all(
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM events e WHERE e.id > $1 \
                     AND NOT EXISTS (SELECT 1 FROM ledger_queue q WHERE q.event_id = e.id) \
                     AND NOT EXISTS (SELECT 1 FROM ledger_leaves l WHERE l.event_id = e.id) \
                     ORDER BY e.id LIMIT 1000"
                ),
                args![after],
            )
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let mut tx = db.begin().await?;
        for r in &rows {
            enqueue(&mut tx, &r.fields()).await?;
        }
        tx.commit().await?;
        total += rows.len();
    }
    crate::settings::set(db, "ledger_backfilled", "1").await?;
    Ok(total)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckpointRow {
    pub size: i64,
    pub root: Vec<u8>,
    pub signed_note: String,
    pub signed_at: i64,
    pub cosigned_note: Option<String>,
    pub published_at: Option<i64>,
}

impl CheckpointRow {
    /// The note as published: with cosignatures when collected.
    pub fn note(&self) -> &str {
        self.cosigned_note.as_deref().unwrap_or(&self.signed_note)
    }
}

const CHECKPOINT_COLUMNS: &str = "size, root, signed_note, signed_at, cosigned_note, published_at";

/// What one integration did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    pub from: u64,
    pub to: u64,
}

/// The one query that reads stored hashes. Callers ask for at most a few hundred at a time
/// (a frontier, a proof, a tile), well within both engines' parameter limits.
fn hashes_query(idx: &[u64]) -> (String, crate::Args) {
    let mut a = crate::Args::new();
    let ph: Vec<String> = idx.iter().map(|&i| a.push(i as i64)).collect();
    (
        format!(
            "SELECT idx, hash FROM ledger_hashes WHERE idx IN ({})",
            ph.join(",")
        ),
        a,
    )
}

fn hash_map(rows: Vec<(i64, Vec<u8>)>) -> Result<HashMap<u64, Hash>, StoreError> {
    rows.into_iter()
        .map(|(i, h)| Ok((i as u64, to_hash(&h)?)))
        .collect()
}

fn to_hash(b: &[u8]) -> Result<Hash, StoreError> {
    b.try_into()
        .map_err(|_| StoreError::Integrity("存储的哈希不是 32 字节".into()))
}

fn tree_err(e: TreeError) -> StoreError {
    StoreError::Integrity(e.to_string())
}

#[derive(Debug, sqlx::FromRow)]
struct Queued {
    event_id: i64,
    salt: Vec<u8>,
    entry: Vec<u8>,
}

/// Integrates up to `batch_max` queued entries and signs a checkpoint over the new tree.
/// `publish` marks the checkpoint published at once (no witnesses to wait for).
/// Returns `None` when the queue was empty.
pub async fn integrate(
    db: &Db,
    signer: &Signer,
    batch_max: usize,
    publish: bool,
) -> Result<Option<Integration>, StoreError> {
    // A plain read first: an idle log must not take the write lock several times a second.
    let waiting: Option<(i64,)> = db
        .fetch_optional("SELECT event_id FROM ledger_queue LIMIT 1", args![])
        .await?;
    if waiting.is_none() {
        return Ok(None);
    }
    let mut tx = db.begin().await?;
    tx.lock(INTEGRATOR_LOCK).await?;
    let queued: Vec<Queued> = tx
        .fetch_all(
            "SELECT event_id, salt, entry FROM ledger_queue ORDER BY event_id LIMIT $1",
            args![batch_max as i64],
        )
        .await?;
    if queued.is_empty() {
        return Ok(None);
    }
    let last: Option<(i64, Vec<u8>)> = tx
        .fetch_optional(
            "SELECT size, root FROM ledger_checkpoints ORDER BY size DESC LIMIT 1",
            args![],
        )
        .await?;
    let (size, root) = match &last {
        Some((s, r)) => (*s as u64, to_hash(r)?),
        None => (0, sijian_ledger::hash::empty_root()),
    };
    let fetched = match Frontier::indexes(size) {
        idx if idx.is_empty() => HashMap::new(),
        idx => {
            let (sql, args) = hashes_query(&idx);
            hash_map(tx.fetch_all(&sql, args).await?)?
        }
    };
    let mut frontier = Frontier::load(size, &fetched).map_err(tree_err)?;
    if frontier.root() != root {
        return Err(StoreError::Integrity(format!(
            "日志存储的哈希与大小 {size} 的已签名检查点不符"
        )));
    }
    let now = now_ms();
    let mut hashes: Vec<(u64, Hash)> = Vec::with_capacity(queued.len() * 2 + 64);
    let mut leaves = Vec::with_capacity(queued.len());
    for q in &queued {
        let leaf = leaf_hash(&q.entry);
        leaves.push((frontier.size(), leaf));
        frontier.append_hash(leaf, &mut hashes);
    }
    for (chunk_q, chunk_l) in queued
        .chunks(ROWS_PER_STATEMENT)
        .zip(leaves.chunks(ROWS_PER_STATEMENT))
    {
        let mut a = crate::Args::new();
        let rows: Vec<String> = chunk_q
            .iter()
            .zip(chunk_l)
            .map(|(q, (idx, leaf))| {
                format!(
                    "({}, {}, {}, {}, {}, {})",
                    a.push(*idx as i64),
                    a.push(q.event_id),
                    a.push(q.salt.clone()),
                    a.push(q.entry.clone()),
                    a.push(leaf.to_vec()),
                    a.push(now)
                )
            })
            .collect();
        tx.execute(
            &format!(
                "INSERT INTO ledger_leaves (idx, event_id, salt, entry, leaf_hash, integrated_at) VALUES {}",
                rows.join(",")
            ),
            a,
        )
        .await?;
    }
    for chunk in hashes.chunks(3 * ROWS_PER_STATEMENT) {
        let mut a = crate::Args::new();
        let rows: Vec<String> = chunk
            .iter()
            .map(|(i, h)| format!("({}, {})", a.push(*i as i64), a.push(h.to_vec())))
            .collect();
        tx.execute(
            &format!(
                "INSERT INTO ledger_hashes (idx, hash) VALUES {}",
                rows.join(",")
            ),
            a,
        )
        .await?;
    }
    // By exact ids: on PostgreSQL an event with an id inside the batch's range may commit
    // while the integrator runs, and must stay queued for the next batch.
    for chunk in queued.chunks(6 * ROWS_PER_STATEMENT) {
        let mut a = crate::Args::new();
        let ph: Vec<String> = chunk.iter().map(|q| a.push(q.event_id)).collect();
        tx.execute(
            &format!(
                "DELETE FROM ledger_queue WHERE event_id IN ({})",
                ph.join(",")
            ),
            a,
        )
        .await?;
    }
    let new_size = frontier.size();
    let new_root = frontier.root();
    let cp = Checkpoint::new(&signer.name, new_size, new_root);
    let note =
        Note::sign(&cp.to_text(), &[signer], 0).map_err(|e| StoreError::Config(e.to_string()))?;
    tx.execute(
        "INSERT INTO ledger_checkpoints (size, root, signed_note, signed_at, cosigned_note, published_at) \
         VALUES ($1, $2, $3, $4, NULL, $5)",
        args![
            new_size as i64,
            new_root.to_vec(),
            note.to_text(),
            now,
            if publish { Some(now) } else { None }
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(Some(Integration {
        from: size,
        to: new_size,
    }))
}

/// Stored hashes read through the pool, for proofs and tiles.
pub struct DbHashes(HashMap<u64, Hash>);

impl HashReader for DbHashes {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        self.0.read_hashes(indexes)
    }
}

pub async fn read_hashes(db: &Db, idx: &[u64]) -> Result<DbHashes, StoreError> {
    if idx.is_empty() {
        return Ok(DbHashes(HashMap::new()));
    }
    let (sql, args) = hashes_query(idx);
    Ok(DbHashes(hash_map(db.fetch_all(&sql, args).await?)?))
}

/// The latest published checkpoint.
pub async fn latest_published(db: &Db) -> Result<Option<CheckpointRow>, StoreError> {
    db.fetch_optional(
        &format!(
            "SELECT {CHECKPOINT_COLUMNS} FROM ledger_checkpoints WHERE published_at IS NOT NULL \
             ORDER BY size DESC LIMIT 1"
        ),
        args![],
    )
    .await
}

/// The latest signed checkpoint, published or not.
pub async fn latest_signed(db: &Db) -> Result<Option<CheckpointRow>, StoreError> {
    db.fetch_optional(
        &format!("SELECT {CHECKPOINT_COLUMNS} FROM ledger_checkpoints ORDER BY size DESC LIMIT 1"),
        args![],
    )
    .await
}

/// Tree size the proofs may refer to: the latest published checkpoint's.
pub async fn published_size(db: &Db) -> Result<u64, StoreError> {
    Ok(latest_published(db)
        .await?
        .map(|c| c.size as u64)
        .unwrap_or(0))
}

/// Checks a requested size against what has been published (proofs never reveal an
/// unpublished tree).
fn within(size: u64, published: u64) -> Result<(), StoreError> {
    if size > published {
        return Err(StoreError::Invalid {
            field: "size".into(),
            message: format!("树大小 {size} 超过已发布的检查点大小 {published}"),
        });
    }
    Ok(())
}

pub async fn prove_inclusion(db: &Db, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
    within(size, published_size(db).await?)?;
    let idx = tree::inclusion_indexes(index, size).map_err(|e| StoreError::Invalid {
        field: "index".into(),
        message: e.to_string(),
    })?;
    let r = read_hashes(db, &idx).await?;
    tree::prove_inclusion(index, size, &r).map_err(tree_err)
}

pub async fn prove_consistency(db: &Db, from: u64, to: u64) -> Result<Vec<Hash>, StoreError> {
    within(to, published_size(db).await?)?;
    consistency(db, from, to).await
}

/// A consistency proof up to a signed but not yet published size: for the witnesses only.
pub async fn prove_consistency_signed(
    db: &Db,
    from: u64,
    to: u64,
) -> Result<Vec<Hash>, StoreError> {
    let signed = latest_signed(db).await?.map(|c| c.size as u64).unwrap_or(0);
    within(to, signed)?;
    consistency(db, from, to).await
}

async fn consistency(db: &Db, from: u64, to: u64) -> Result<Vec<Hash>, StoreError> {
    let idx = tree::consistency_indexes(from, to).map_err(|e| StoreError::Invalid {
        field: "from".into(),
        message: e.to_string(),
    })?;
    let r = read_hashes(db, &idx).await?;
    tree::prove_consistency(from, to, &r).map_err(tree_err)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LeafRow {
    pub idx: i64,
    pub event_id: i64,
    pub salt: Vec<u8>,
    pub entry: Vec<u8>,
    pub leaf_hash: Vec<u8>,
    pub integrated_at: i64,
}

const LEAF_COLUMNS: &str = "idx, event_id, salt, entry, leaf_hash, integrated_at";

pub async fn leaf_by_event(db: &Db, event_id: i64) -> Result<Option<LeafRow>, StoreError> {
    db.fetch_optional(
        &format!("SELECT {LEAF_COLUMNS} FROM ledger_leaves WHERE event_id = $1"),
        args![event_id],
    )
    .await
}

pub async fn leaf_by_hash(db: &Db, hash: &Hash) -> Result<Option<LeafRow>, StoreError> {
    db.fetch_optional(
        &format!(
            "SELECT {LEAF_COLUMNS} FROM ledger_leaves WHERE leaf_hash = $1 ORDER BY idx LIMIT 1"
        ),
        args![hash.to_vec()],
    )
    .await
}

/// Log status of each event: its leaf index once integrated; absent while queued.
pub async fn leaf_indexes(db: &Db, event_ids: &[i64]) -> Result<HashMap<i64, i64>, StoreError> {
    let mut out = HashMap::new();
    for chunk in event_ids.chunks(6 * ROWS_PER_STATEMENT) {
        let mut a = crate::Args::new();
        let ph: Vec<String> = chunk.iter().map(|&i| a.push(i)).collect();
        let rows: Vec<(i64, i64)> = db
            .fetch_all(
                &format!(
                    "SELECT event_id, idx FROM ledger_leaves WHERE event_id IN ({})",
                    ph.join(",")
                ),
                a,
            )
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The offline bundle for one event against the latest published checkpoint, or `None` while
/// the event waits for integration or publication.
pub async fn bundle_for_event(
    db: &Db,
    event_id: i64,
) -> Result<Option<(Bundle, LeafRow)>, StoreError> {
    let Some(leaf) = leaf_by_event(db, event_id).await? else {
        return Ok(None);
    };
    let Some(cp) = latest_published(db).await? else {
        return Ok(None);
    };
    let size = cp.size as u64;
    if (leaf.idx as u64) >= size {
        return Ok(None);
    }
    let proof = prove_inclusion(db, leaf.idx as u64, size).await?;
    Ok(Some((
        Bundle {
            entry: Some(leaf.entry.clone()),
            index: leaf.idx as u64,
            proof,
            checkpoint: cp.note().to_string(),
        },
        leaf,
    )))
}

/// The bytes of a tile (hashes or entries), or `None` when it lies beyond the published tree.
pub async fn tile(db: &Db, t: &Tile) -> Result<Option<Vec<u8>>, StoreError> {
    if t.check_within(published_size(db).await?).is_err() {
        return Ok(None);
    }
    match t.kind {
        sijian_ledger::tiles::TileKind::Hashes { .. } => {
            let idx = t.hash_indexes();
            let r = read_hashes(db, &idx).await?;
            let hashes = r.read_hashes(&idx).map_err(tree_err)?;
            Ok(Some(hashes.concat()))
        }
        sijian_ledger::tiles::TileKind::Entries => {
            let range = t.entry_range();
            let rows: Vec<(Vec<u8>,)> = db
                .fetch_all(
                    "SELECT entry FROM ledger_leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx",
                    args![range.start as i64, range.end as i64],
                )
                .await?;
            if rows.len() as u64 != range.end - range.start {
                return Err(StoreError::Integrity("日志叶不连续".into()));
            }
            Ok(Some(sijian_ledger::tiles::encode_entries(
                rows.iter().map(|r| r.0.as_slice()),
            )))
        }
    }
}

api_row! { ledger_status_row:
    /// Queue length and tree sizes, for pages and metrics.
    #[derive(Debug, Clone, serde::Serialize)]
    pub struct LedgerStatus {
        pub queued: i64,
        pub leaves: i64,
        pub signed_size: i64,
        pub published_size: i64,
    }
}

pub async fn status(db: &Db) -> Result<LedgerStatus, StoreError> {
    let (queued, leaves, signed_size, published_size): (i64, i64, i64, i64) = db
        .fetch_optional(
            "SELECT (SELECT COUNT(*) FROM ledger_queue), \
                    (SELECT COUNT(*) FROM ledger_leaves), \
                    COALESCE((SELECT MAX(size) FROM ledger_checkpoints), 0), \
                    COALESCE((SELECT MAX(size) FROM ledger_checkpoints WHERE published_at IS NOT NULL), 0)",
            args![],
        )
        .await?
        .unwrap_or((0, 0, 0, 0));
    Ok(LedgerStatus {
        queued,
        leaves,
        signed_size,
        published_size,
    })
}

/// Publishes a signed checkpoint with its collected cosignatures.
pub async fn publish(db: &Db, size: u64, cosigned_note: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE ledger_checkpoints SET cosigned_note = $1, published_at = $2 WHERE size = $3",
        args![cosigned_note, now_ms(), size as i64],
    )
    .await?;
    Ok(())
}

/// The size a witness last cosigned (0 before its first cosignature).
pub async fn witness_size(db: &Db, name: &str) -> Result<u64, StoreError> {
    let row: Option<(i64,)> = db
        .fetch_optional(
            "SELECT size FROM ledger_witnesses WHERE name = $1",
            args![name],
        )
        .await?;
    Ok(row.map(|r| r.0 as u64).unwrap_or(0))
}

pub async fn set_witness_size(db: &Db, name: &str, size: u64) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO ledger_witnesses (name, size, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET size = $2, updated_at = $3",
        args![name, size as i64, now_ms()],
    )
    .await?;
    Ok(())
}

pub async fn leaf_by_index(db: &Db, idx: u64) -> Result<Option<LeafRow>, StoreError> {
    db.fetch_optional(
        &format!("SELECT {LEAF_COLUMNS} FROM ledger_leaves WHERE idx = $1"),
        args![idx as i64],
    )
    .await
}

/// How many checkpoints were signed (published or not).
pub async fn checkpoint_count(db: &Db) -> Result<i64, StoreError> {
    db.scalar("SELECT COUNT(*) FROM ledger_checkpoints", args![])
        .await
}
