//! Coded opinions (鉴定意见书赋码): the code is allocated by the platform only, in the issuing
//! transaction, from a gap-free serial per region and year; a random verification key
//! (查询校验码) is printed beside it.
use crate::db::Tx;
use crate::{Db, StoreError, args};
use rand::Rng;
use serde::Serialize;
use sijian_domain::opinion_code::OpinionCode;

/// Characters of verification keys: digits and capitals without 0/O, 1/I/L, so a key read
/// off paper is typed back right.
const KEY_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Length of a verification key: 12 characters, about 59 bits.
pub const KEY_LENGTH: usize = 12;

pub fn new_verification_key() -> String {
    let mut rng = rand::rng();
    (0..KEY_LENGTH)
        .map(|_| KEY_ALPHABET[rng.random_range(0..KEY_ALPHABET.len())] as char)
        .collect()
}

/// A stored code (19 characters) in its grouped form, e.g. `330000-2026-1-0000001-8`.
pub fn grouped(code: &str) -> String {
    OpinionCode::parse(code)
        .map(|c| c.grouped())
        .unwrap_or_else(|_| code.to_string())
}

/// The next serial of `region` and `year`. The counter row is locked by the update until the
/// issuing transaction ends, so concurrent issues wait and a rolled-back issue leaves no gap.
pub(crate) async fn allocate(
    tx: &mut Tx,
    region: &str,
    year: u16,
    category: u8,
) -> Result<OpinionCode, StoreError> {
    let serial: i64 = tx
        .scalar(
            "INSERT INTO opinion_serials (region, year, last) VALUES ($1, $2, 1) \
             ON CONFLICT (region, year) DO UPDATE SET last = opinion_serials.last + 1 RETURNING last",
            args![region, year as i64],
        )
        .await?;
    OpinionCode::new(region, year, category, serial as u32).map_err(|e| StoreError::Invalid {
        field: "code".into(),
        message: e.to_string(),
    })
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Opinion {
    /// The code, 19 characters without separators.
    pub code: String,
    pub case_id: i64,
    pub institution_id: i64,
    pub institution_name: String,
    pub region: String,
    pub year: i64,
    pub category: i64,
    pub serial: i64,
    /// SHA-256 (hex) of the current version of the document.
    pub document_sha256: String,
    pub verification_key: String,
    pub issued_on: String,
    /// valid | corrected | revoked
    pub status: String,
    pub version: i64,
    pub revoked_on: Option<String>,
    pub revoked_reason: String,
    /// The event that recorded the issue in the log.
    pub event_id: i64,
}

pub(crate) const OPINION_COLUMNS: &str = "op.code, op.case_id, op.institution_id, i.name AS institution_name, op.region, op.year, \
    op.category, op.serial, op.document_sha256, op.verification_key, op.issued_on, op.status, op.version, op.revoked_on, \
    op.revoked_reason, op.event_id";

/// An opinion by its code (public lookups decide separately what to show).
pub async fn by_code(db: &Db, code: &OpinionCode) -> Result<Option<Opinion>, StoreError> {
    db.fetch_optional(
        &format!(
            "SELECT {OPINION_COLUMNS} FROM opinions op JOIN institutions i ON i.id = op.institution_id WHERE op.code = $1"
        ),
        args![code.as_str()],
    )
    .await
}

pub async fn by_case(db: &Db, case_id: i64) -> Result<Option<Opinion>, StoreError> {
    db.fetch_optional(
        &format!(
            "SELECT {OPINION_COLUMNS} FROM opinions op JOIN institutions i ON i.id = op.institution_id WHERE op.case_id = $1"
        ),
        args![case_id],
    )
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Correction {
    pub version: i64,
    pub what: String,
    pub signer_id: i64,
    pub document_sha256: Option<String>,
    pub corrected_on: String,
}

pub async fn corrections(db: &Db, code: &str) -> Result<Vec<Correction>, StoreError> {
    db.fetch_all(
        "SELECT version, what, signer_id, document_sha256, corrected_on FROM opinion_corrections WHERE code = $1 ORDER BY version",
        args![code],
    )
    .await
}

/// Counts one verification of `code` (`public`: the code alone; `keyed`: with the right key).
pub async fn record_check(db: &Db, code: &str, keyed: bool) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO opinion_checks (code, kind, at) VALUES ($1, $2, $3)",
        args![
            code,
            if keyed { "keyed" } else { "public" },
            crate::now_ms()
        ],
    )
    .await?;
    Ok(())
}

/// How often an opinion was verified: (with the code alone, with the key).
pub async fn check_counts(db: &Db, code: &str) -> Result<(i64, i64), StoreError> {
    let rows: Vec<(String, i64)> = db
        .fetch_all(
            "SELECT kind, COUNT(*) FROM opinion_checks WHERE code = $1 GROUP BY kind",
            args![code],
        )
        .await?;
    let get = |k: &str| rows.iter().find(|r| r.0 == k).map(|r| r.1).unwrap_or(0);
    Ok((get("public"), get("keyed")))
}

/// The names of the appraisers who signed an opinion's case.
pub async fn signers(db: &Db, case_id: i64) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = db
        .fetch_all(
            "SELECT a.name FROM case_signatures s JOIN appraisers a ON a.id = s.appraiser_id WHERE s.case_id = $1 ORDER BY s.signed_at",
            args![case_id],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
