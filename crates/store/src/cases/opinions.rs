//! Coded opinions (鉴定意见书赋码): the code is allocated by the platform only, in the issuing
//! transaction, from a gap-free serial per region and year; a random verification key
//! (查询校验码) is printed beside it.
use crate::db::Tx;
use crate::readers::LiteRow;
use crate::{Db, StoreError, args};
use rand::Rng;
use serde::Serialize;
use sijian_domain::calendar::Date;
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

api_row! { opinion_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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
        #[sqlx(try_from = "crate::column::Text")]
        pub issued_on: Date,
        /// valid | corrected | revoked
        pub status: String,
        pub version: i64,
        #[sqlx(try_from = "crate::column::OptText")]
        pub revoked_on: Option<Date>,
        pub revoked_reason: String,
        /// The event that recorded the issue in the log.
        pub event_id: i64,
        /// The conclusion recorded at issue (JSON of `domain::conclusion::Conclusion`); none for an
        /// opinion issued before conclusions were recorded. Read through [`Opinion::conclusion`].
        #[serde(skip)]
        pub conclusion_json: Option<String>,
    }
}

impl Opinion {
    /// The conclusion recorded at issue (通则第四十一条), if any.
    pub fn conclusion(&self) -> Option<sijian_domain::conclusion::Conclusion> {
        serde_json::from_str(self.conclusion_json.as_deref()?).ok()
    }
}

pub(crate) const OPINION_COLUMNS: &str = "op.code, op.case_id, op.institution_id, i.name AS institution_name, op.region, op.year, \
    op.category, op.serial, op.document_sha256, op.verification_key, op.issued_on, op.status, op.version, op.revoked_on, \
    op.revoked_reason, op.event_id, op.conclusion AS conclusion_json";

/// An opinion with what public verification shows beside it, from one query.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Verifiable {
    #[sqlx(flatten)]
    pub opinion: Opinion,
    pub licence_no: String,
    /// The leaf in the log, once integrated.
    pub leaf_idx: Option<i64>,
}

impl LiteRow for Opinion {
    fn from_lite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Opinion {
            code: r.get("code")?,
            case_id: r.get("case_id")?,
            institution_id: r.get("institution_id")?,
            institution_name: r.get("institution_name")?,
            region: r.get("region")?,
            year: r.get("year")?,
            category: r.get("category")?,
            serial: r.get("serial")?,
            document_sha256: r.get("document_sha256")?,
            verification_key: r.get("verification_key")?,
            issued_on: crate::column::lite(r, "issued_on")?,
            status: r.get("status")?,
            version: r.get("version")?,
            revoked_on: crate::column::lite_opt(r, "revoked_on")?,
            revoked_reason: r.get("revoked_reason")?,
            event_id: r.get("event_id")?,
            conclusion_json: r.get("conclusion_json")?,
        })
    }
}

impl LiteRow for Verifiable {
    fn from_lite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Verifiable {
            opinion: Opinion::from_lite(r)?,
            licence_no: r.get("licence_no")?,
            leaf_idx: r.get("leaf_idx")?,
        })
    }
}

/// An opinion for public verification: the row, the institution's licence number and the
/// issue's leaf index, in one point read (the hot path of the public verification service).
pub async fn verifiable(db: &Db, code: &OpinionCode) -> Result<Option<Verifiable>, StoreError> {
    db.read_optional(
        &format!(
            "SELECT {OPINION_COLUMNS}, i.licence_no, l.idx AS leaf_idx FROM opinions op \
             JOIN institutions i ON i.id = op.institution_id \
             LEFT JOIN ledger_leaves l ON l.event_id = op.event_id WHERE op.code = $1"
        ),
        args![code.as_str()],
    )
    .await
}

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

/// The query of the opinion document as first issued (before any correction) of case `$1`;
/// a literal, so `keyed_details` can take it in as a subquery at compile time.
macro_rules! first_document_sql {
    () => {
        "SELECT a.sha256 FROM case_attachments a WHERE a.case_id = $1 AND a.kind = 'opinion' ORDER BY a.id LIMIT 1"
    };
}

/// The SHA-256 of the opinion document as first issued (before any correction).
pub async fn first_document_sha256(db: &Db, case_id: i64) -> Result<Option<String>, StoreError> {
    let row: Option<(String,)> = db
        .read_optional(first_document_sql!(), args![case_id])
        .await?;
    Ok(row.map(|r| r.0))
}

/// What the right verification key adds to an opinion's public fields: the commissioning
/// side and case number, the signing appraisers, the corrections, and the first issued
/// document's hash (which the QR token vouches for). Point reads only.
#[derive(Debug, Clone)]
pub struct KeyedDetails {
    pub client_name: String,
    pub case_number: Option<String>,
    pub first_document_sha256: String,
    pub signers: Vec<String>,
    pub corrections: Vec<Correction>,
}

pub async fn keyed_details(db: &Db, o: &Opinion) -> Result<KeyedDetails, StoreError> {
    let (client_name, case_number, first): (String, Option<String>, Option<String>) = db
        .read_optional(
            concat!(
                "SELECT k.client_name, k.case_number, (",
                first_document_sql!(),
                ") FROM cases k WHERE k.id = $1"
            ),
            args![o.case_id],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(KeyedDetails {
        client_name,
        case_number,
        first_document_sha256: first.unwrap_or_else(|| o.document_sha256.clone()),
        signers: signers(db, o.case_id).await?,
        corrections: if o.version > 1 {
            corrections(db, &o.code).await?
        } else {
            Vec::new()
        },
    })
}

api_row! { correction_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Correction {
        pub version: i64,
        pub what: String,
        pub signer_id: i64,
        pub document_sha256: Option<String>,
        pub corrected_on: String,
    }
}

impl LiteRow for Correction {
    fn from_lite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Correction {
            version: r.get("version")?,
            what: r.get("what")?,
            signer_id: r.get("signer_id")?,
            document_sha256: r.get("document_sha256")?,
            corrected_on: r.get("corrected_on")?,
        })
    }
}

pub async fn corrections(db: &Db, code: &str) -> Result<Vec<Correction>, StoreError> {
    db.read_all(
        "SELECT version, what, signer_id, document_sha256, corrected_on FROM opinion_corrections WHERE code = $1 ORDER BY version",
        args![code],
    )
    .await
}

/// Who verified an opinion (counted, never identified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckKind {
    /// Anyone, with the code alone.
    Public,
    /// Anyone, with the right verification key.
    Keyed,
    /// A signed-in case-handling organ (court, procuratorate, police).
    Organ,
    /// Other signed-in users (regulators, institutions).
    Platform,
}

impl CheckKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Public => "public",
            CheckKind::Keyed => "keyed",
            CheckKind::Organ => "organ",
            CheckKind::Platform => "platform",
        }
    }
}

/// Verifications of one opinion on one day by one kind of user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckTally {
    pub code: String,
    pub day: String,
    pub kind: CheckKind,
    pub n: i64,
}

/// Adds counted verifications (each (code, day, kind) at most once in `tallies`), in one
/// transaction.
pub async fn add_checks(db: &Db, tallies: &[CheckTally]) -> Result<(), StoreError> {
    if tallies.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for chunk in tallies.chunks(64) {
        let mut a = crate::Args::new();
        let rows: Vec<String> = chunk
            .iter()
            .map(|t| {
                format!(
                    "({}, {}, {}, {})",
                    a.push(t.code.as_str()),
                    a.push(t.day.as_str()),
                    a.push(t.kind.as_str()),
                    a.push(t.n)
                )
            })
            .collect();
        tx.execute(
            &format!(
                "INSERT INTO opinion_checks (code, day, kind, n) VALUES {} \
                 ON CONFLICT (code, day, kind) DO UPDATE SET n = opinion_checks.n + excluded.n",
                rows.join(", ")
            ),
            a,
        )
        .await?;
    }
    tx.commit().await
}

api_row! { check_counts_row:
    /// How often an opinion was verified, by whom, and when last.
    #[derive(Debug, Clone, Default, Serialize)]
    pub struct CheckCounts {
        /// Anyone with the code alone.
        pub public: i64,
        /// Anyone with the right verification key.
        pub keyed: i64,
        /// Signed-in case-handling organs.
        pub organ: i64,
        /// Other signed-in users.
        pub platform: i64,
        pub total: i64,
        /// The last day it was verified.
        pub last_day: Option<String>,
    }
}

pub async fn check_counts(db: &Db, code: &str) -> Result<CheckCounts, StoreError> {
    let rows: Vec<(String, i64, String)> = db
        .fetch_all(
            "SELECT kind, CAST(SUM(n) AS BIGINT), MAX(day) FROM opinion_checks WHERE code = $1 GROUP BY kind",
            args![code],
        )
        .await?;
    let mut c = CheckCounts::default();
    for (kind, n, day) in rows {
        c.add(&kind, &day, n);
    }
    Ok(c)
}

impl CheckCounts {
    /// Adds `n` verifications of kind `kind` (`CheckKind::as_str`) on `day`.
    pub fn add(&mut self, kind: &str, day: &str, n: i64) {
        match kind {
            "public" => self.public += n,
            "keyed" => self.keyed += n,
            "organ" => self.organ += n,
            _ => self.platform += n,
        }
        self.total += n;
        if self.last_day.as_deref().is_none_or(|d| d < day) {
            self.last_day = Some(day.to_string());
        }
    }
}

/// The names of the appraisers who signed an opinion's case.
pub async fn signers(db: &Db, case_id: i64) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = db
        .read_all(
            "SELECT a.name FROM case_signatures s JOIN appraisers a ON a.id = s.appraiser_id WHERE s.case_id = $1 ORDER BY s.signed_at",
            args![case_id],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// How many (code, day, kind) tallies of verifications are stored.
pub async fn check_rows(db: &Db) -> Result<i64, StoreError> {
    db.scalar("SELECT COUNT(*) FROM opinion_checks", args![])
        .await
}

/// The first `limit` issued opinions by code: their codes (as stored) and verification keys.
pub async fn first_codes(db: &Db, limit: i64) -> Result<Vec<(String, String)>, StoreError> {
    db.fetch_all(
        "SELECT code, verification_key FROM opinions ORDER BY code LIMIT $1",
        args![limit],
    )
    .await
}
