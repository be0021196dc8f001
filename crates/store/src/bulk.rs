//! Bulk loads and housekeeping for the benchmarks and synthetic data (`sijian bench …`): rows
//! written straight into the tables, skipping the steps and their events. Never called while
//! serving requests.
use crate::db::Args;
use crate::{Db, StoreError, Tx, args};
use sijian_domain::opinion_code::OpinionCode;
use sijian_ledger::hash::sha256;
use std::fmt::Write;

/// A database name the benchmarks create and drop: letters, digits and underscores only, since
/// it is written into the statement.
fn database_name(name: &str) -> Result<&str, StoreError> {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Ok(name)
    } else {
        Err(StoreError::Config(format!("数据库名称不合规：{name}")))
    }
}

/// PostgreSQL, on an administrative connection: drops `name` if it exists (closing its
/// connections).
pub async fn drop_database(admin: &Db, name: &str) -> Result<(), StoreError> {
    let name = database_name(name)?;
    admin
        .execute(
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            Args::new(),
        )
        .await?;
    Ok(())
}

/// PostgreSQL, on an administrative connection: drops `name` if it exists, then creates it empty.
pub async fn recreate_database(admin: &Db, name: &str) -> Result<(), StoreError> {
    drop_database(admin, name).await?;
    let name = database_name(name)?;
    admin
        .execute(&format!("CREATE DATABASE {name}"), Args::new())
        .await?;
    Ok(())
}

/// One trivial statement inside `tx`: the floor under every statement a step runs.
pub async fn trivial_statement(tx: &mut Tx) -> Result<i64, StoreError> {
    tx.scalar("SELECT CAST(1 AS BIGINT)", Args::new()).await
}

/// Puts rows `(event_id, salt, entry)` straight into the log's queue (the events themselves are
/// not written).
pub async fn queue_entries(db: &Db, rows: &[(i64, Vec<u8>, Vec<u8>)]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut a = Args::new();
    let values: Vec<String> = rows
        .iter()
        .map(|(id, salt, entry)| {
            format!(
                "({}, {}, {})",
                a.push(*id),
                a.push(salt.clone()),
                a.push(entry.clone())
            )
        })
        .collect();
    db.execute(
        &format!(
            "INSERT INTO ledger_queue (event_id, salt, entry) VALUES {}",
            values.join(",")
        ),
        a,
    )
    .await?;
    Ok(())
}

/// For every logged event: when it was written and when the first published checkpoint covering
/// its leaf appeared (`None` while none does), both in Unix milliseconds.
pub async fn commit_and_publication_times(db: &Db) -> Result<Vec<(i64, i64)>, StoreError> {
    db.fetch_all(
        "SELECT e.at, (SELECT MIN(c.published_at) FROM ledger_checkpoints c WHERE c.size > l.idx) \
         FROM events e JOIN ledger_leaves l ON l.event_id = e.id",
        Args::new(),
    )
    .await
}

/// Adds `item` to the practice scope of appraiser `id` without a step or an event (benchmark
/// fixtures only).
pub async fn add_appraiser_item(db: &Db, id: i64, item: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE appraisers SET scope = scope || $2 WHERE id = $1",
        args![id, format!(",{item}")],
    )
    .await?;
    Ok(())
}

/// One examined person sealed and hashed by the caller.
#[derive(Debug, Clone)]
pub struct SealedPerson {
    pub case_id: i64,
    pub name_sealed: String,
    pub name_hash: String,
    pub id_hash: Option<String>,
    pub id_sealed: Option<String>,
}

/// Stores examined persons in one transaction and one statement (masked name `*`, no masked id).
pub async fn insert_persons(db: &Db, persons: &[SealedPerson]) -> Result<(), StoreError> {
    if persons.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let mut args = Args::new();
    let mut rows = Vec::with_capacity(persons.len());
    for p in persons {
        rows.push(format!(
            "({}, {}, '*', {}, {}, {}, NULL)",
            args.push(p.case_id),
            args.push(p.name_sealed.as_str()),
            args.push(p.name_hash.as_str()),
            args.push(p.id_hash.clone()),
            args.push(p.id_sealed.clone())
        ));
    }
    tx.execute(
        &format!(
            "INSERT INTO case_persons (case_id, name_sealed, name_masked, name_hash, id_hash, id_sealed, id_masked) VALUES {}",
            rows.join(", ")
        ),
        args,
    )
    .await?;
    tx.commit().await
}

/// What `seed_issued_opinions` writes: `n` archived cases of one institution and item, each with
/// one issued opinion of `year`.
#[derive(Debug, Clone)]
pub struct IssuedSeed<'a> {
    pub institution_id: i64,
    pub item: &'a str,
    pub year: u16,
    pub n: usize,
    /// Rows per multi-row INSERT.
    pub statement_rows: usize,
    /// Rows per transaction.
    pub transaction_rows: usize,
}

/// The codes and verification keys `seed_issued_opinions` issued, and where their serials ended.
#[derive(Debug, Clone)]
pub struct Issued {
    pub codes: Vec<[u8; 19]>,
    pub keys: Vec<[u8; 12]>,
    /// The province code the codes carry.
    pub region: String,
    /// The last serial used.
    pub last_serial: i64,
}

/// Values written as literals must be what this module generated or stored identifiers: digits,
/// dots and slashes only.
fn plain(s: &str) -> Result<&str, StoreError> {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'/')
    {
        Ok(s)
    } else {
        Err(StoreError::Invalid {
            field: "literal".into(),
            message: format!("unexpected literal {s:?}"),
        })
    }
}

fn invalid(field: &str, message: String) -> StoreError {
    StoreError::Invalid {
        field: field.into(),
        message,
    }
}

/// Cases and issued opinions in large transactions of multi-row INSERTs with literal values:
/// binding thousands of `$n` is slow on SQLite (the driver finds each by name), and every value
/// is generated here. The same SQL runs on both engines. About 1 % of the opinions are revoked
/// and 2 % corrected (a second version), the rest valid. The serial counter is left to
/// `set_opinion_serial`.
pub async fn seed_issued_opinions(db: &Db, s: &IssuedSeed<'_>) -> Result<Issued, StoreError> {
    let inst = s.institution_id;
    let region_path: String = db
        .scalar(
            "SELECT region_path FROM institutions WHERE id = $1",
            args![inst],
        )
        .await?;
    let region_path = plain(&region_path)?.to_string();
    // As `steps::issue` does: the province's code, the item's category.
    let region = format!(
        "{}0000",
        region_path
            .trim_start_matches('/')
            .get(..2)
            .ok_or_else(|| invalid("region_path", format!("region path {region_path}")))?
    );
    let item = plain(s.item)?.to_string();
    let category: u8 = item
        .split('.')
        .next()
        .unwrap_or("")
        .parse()
        .map_err(|e| invalid("item", format!("item {item}: {e}")))?;
    let year = s.year;
    let first_case: i64 = db
        .scalar("SELECT COALESCE(MAX(id), 0) FROM cases", Args::new())
        .await?;
    let first_serial: i64 = db
        .scalar(
            "SELECT COALESCE(MAX(serial), 0) FROM opinions WHERE region = $1 AND year = $2",
            args![region.as_str(), year as i64],
        )
        .await?;
    let n = s.n;
    if first_serial as usize + n > 9_999_999 {
        return Err(invalid(
            "n",
            "at most 9,999,999 serials per region and year".into(),
        ));
    }
    let now = crate::now_ms();
    let fmt = |e: std::fmt::Error| invalid("sql", e.to_string());

    let mut codes = Vec::with_capacity(n);
    let mut keys = Vec::with_capacity(n);
    let mut cases_sql = String::new();
    let mut opinions_sql = String::new();
    let mut done = 0usize;
    while done < n {
        let tx_end = n.min(done + s.transaction_rows.max(1));
        let mut tx = db.begin().await?;
        while done < tx_end {
            let end = tx_end.min(done + s.statement_rows.max(1));
            cases_sql.clear();
            opinions_sql.clear();
            cases_sql.push_str(
                "INSERT INTO cases (id, institution_id, region_path, client_name, client_kind, case_type, items, \
                 category, purpose, summary, stage, received_on, created_via, created_at, updated_at) VALUES ",
            );
            opinions_sql.push_str(
                "INSERT INTO opinions (code, case_id, institution_id, region, year, category, serial, document_sha256, \
                 verification_key, issued_on, status, version, revoked_on, revoked_reason, event_id, created_at) VALUES ",
            );
            for i in done..end {
                let case_id = first_case + 1 + i as i64;
                let serial = first_serial + 1 + i as i64;
                let code = OpinionCode::new(&region, year, category, serial as u32)
                    .map_err(|e| invalid("code", e.to_string()))?;
                let key = crate::cases::opinions::new_verification_key();
                let (month, day) = (1 + i % 12, 1 + i % 28);
                let (status, version, revoked_on, reason) = match i % 100 {
                    0 => ("revoked", 1, format!("'{year}-12-{day:02}'"), "撤销"),
                    1 | 2 => ("corrected", 2, "NULL".to_string(), ""),
                    _ => ("valid", 1, "NULL".to_string(), ""),
                };
                let sep = if i == done { "" } else { "," };
                write!(
                    cases_sql,
                    "{sep}({case_id}, {inst}, '{region_path}', '杭州市西湖区人民法院', 'court', 'civil', '{item}', \
                     '{category}', '确定伤残等级', '', 'archived', '{year}-{month:02}-{day:02}', 'paper', {now}, {now})"
                )
                .map_err(fmt)?;
                write!(
                    opinions_sql,
                    "{sep}('{}', {case_id}, {inst}, '{region}', {year}, {category}, {serial}, '",
                    code.as_str()
                )
                .map_err(fmt)?;
                // Stands in for the document's SHA-256: distinct per opinion.
                for byte in sha256(&serial.to_be_bytes()) {
                    write!(opinions_sql, "{byte:02x}").map_err(fmt)?;
                }
                write!(
                    opinions_sql,
                    "', '{key}', '{year}-{month:02}-{day:02}', '{status}', {version}, {revoked_on}, '{reason}', 0, {now})"
                )
                .map_err(fmt)?;
                codes.push(
                    <[u8; 19]>::try_from(code.as_str().as_bytes())
                        .map_err(|e| invalid("code", e.to_string()))?,
                );
                keys.push(
                    <[u8; 12]>::try_from(key.as_bytes())
                        .map_err(|e| invalid("key", e.to_string()))?,
                );
            }
            tx.execute(&cases_sql, Args::new()).await?;
            tx.execute(&opinions_sql, Args::new()).await?;
            done = end;
        }
        tx.commit().await?;
    }
    Ok(Issued {
        codes,
        keys,
        region,
        last_serial: first_serial + n as i64,
    })
}

/// Sets the serial counter of `region` and `year` to `last`, as issuing would have left it.
pub async fn set_opinion_serial(
    db: &Db,
    region: &str,
    year: u16,
    last: i64,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO opinion_serials (region, year, last) VALUES ($1, $2, $3) \
         ON CONFLICT (region, year) DO UPDATE SET last = excluded.last",
        args![region, year as i64, last],
    )
    .await?;
    Ok(())
}

/// After a bulk load: gathers statistics as autovacuum would; on PostgreSQL first moves the case
/// identity past the explicit ids, on SQLite then truncates the WAL so a run starts without
/// hundreds of megabytes of it.
pub async fn settle_after_load(db: &Db) -> Result<(), StoreError> {
    match db {
        Db::Pg(_) => {
            db.execute(
                "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT MAX(id) FROM cases))",
                Args::new(),
            )
            .await?;
            db.execute("ANALYZE", Args::new()).await?;
        }
        Db::Sqlite(..) => {
            db.execute("ANALYZE", Args::new()).await?;
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)", Args::new())
                .await?;
        }
    }
    Ok(())
}
