//! What the migrations built, read back from the database itself: tables, columns (with their
//! types in one vocabulary for both engines), nullability, primary keys, indexes, foreign keys
//! and the columns each CHECK constraint covers. A test migrates one database of each engine
//! and requires the two descriptions to be equal, so the two migration sets cannot drift apart.
//!
//! The introspection queries are necessarily per engine (SQLite's pragmas, PostgreSQL's
//! catalogue); everything after them is shared.
//!
//! Not compared, because one engine cannot report it:
//! - column defaults (PostgreSQL reports rewritten expressions such as `'zh'::text`, SQLite the
//!   declared text; the values are read back by the store's own tests instead);
//! - collations (SQLite's pragmas do not report a column's collation; SQLite compares text
//!   bytewise everywhere, which the `COLLATE "C"` of PostgreSQL's path columns matches);
//! - triggers (SQLite has no `TRUNCATE` and no trigger on several events at once, so the
//!   append-only guards are written differently; `tests/it/ledger.rs` checks what they refuse);
//! - the expressions of CHECK constraints (PostgreSQL rewrites `x IN (…)` to `x = ANY (ARRAY…)`):
//!   only which columns each check covers is compared.
use crate::args;
use crate::db::{Db, Engine};
use crate::error::StoreError;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A column type in the vocabulary both engines share.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColumnType {
    Integer,
    Text,
    Bool,
    Bytes,
    Real,
    /// A declared type outside the shared vocabulary, as the engine names it.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub ty: ColumnType,
    pub nullable: bool,
}

/// An index other than the primary key's. Indexes created by `CREATE INDEX` are compared by
/// name; those behind a `UNIQUE` constraint carry no name (SQLite names them
/// `sqlite_autoindex_…`, PostgreSQL `…_key`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Index {
    pub name: Option<String>,
    /// Column names in key order; `<expr>` for an expression.
    pub columns: Vec<String>,
    pub unique: bool,
    /// Has a `WHERE` clause.
    pub partial: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub references: String,
    pub referenced_columns: Vec<String>,
    /// `NO ACTION`, `RESTRICT`, `CASCADE`, `SET NULL` or `SET DEFAULT`.
    pub on_delete: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: BTreeMap<String, Column>,
    pub primary_key: Vec<String>,
    pub indexes: BTreeSet<Index>,
    pub foreign_keys: BTreeSet<ForeignKey>,
    /// For each CHECK constraint, the columns its expression names.
    pub checks: BTreeSet<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
}

/// Booleans declared in SQLite without the `CHECK (x IN (0, 1))` that marks every later boolean
/// column (0001_foundation). SQLite cannot add a CHECK to an existing column without rebuilding
/// the table (and every table that references it), so the mapping names them here instead.
const SQLITE_BOOLEANS_WITHOUT_CHECK: &[(&str, &str)] = &[
    ("users", "active"),
    ("users", "must_change_password"),
    ("api_tokens", "read_only"),
];

/// Reads the schema of the migrated database (tables of the current schema, without sqlx's
/// bookkeeping table).
pub async fn describe(db: &Db) -> Result<Schema, StoreError> {
    match db.engine() {
        Engine::Sqlite => describe_sqlite(db).await,
        Engine::Postgres => describe_postgres(db).await,
    }
}

fn skipped(table: &str) -> bool {
    table.starts_with("sqlite_") || table == "_sqlx_migrations"
}

async fn describe_sqlite(db: &Db) -> Result<Schema, StoreError> {
    let tables: Vec<(String, String)> = db
        .fetch_all(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name",
            args![],
        )
        .await?;
    let mut schema = Schema::default();
    let mut pk_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, sql) in &tables {
        if skipped(name) {
            continue;
        }
        let mut t = Table::default();
        let cols: Vec<(String, String, i64, i64)> = db
            .fetch_all(
                "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
                args![name.as_str()],
            )
            .await?;
        let mut pk: Vec<(i64, String)> = Vec::new();
        for (col, ty, notnull, pk_pos) in &cols {
            if *pk_pos > 0 {
                pk.push((*pk_pos, col.clone()));
            }
            t.columns.insert(
                col.clone(),
                Column {
                    ty: sqlite_type(ty),
                    // Primary-key columns of STRICT and WITHOUT ROWID tables refuse NULL (an
                    // INTEGER PRIMARY KEY is the rowid), as PostgreSQL's always do.
                    nullable: *notnull == 0 && *pk_pos == 0,
                },
            );
        }
        pk.sort();
        t.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        let names: Vec<String> = t.columns.keys().cloned().collect();
        for check in check_clauses(sql) {
            let covered = columns_named(&check, &names);
            // `CHECK (x IN (0, 1))` is how SQLite (no boolean type) declares a boolean column.
            if let [only] = covered.as_slice() {
                let squeezed: String = check
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect::<String>()
                    .to_lowercase();
                if squeezed == format!("{only}in(0,1)") {
                    if let Some(c) = t.columns.get_mut(only) {
                        c.ty = ColumnType::Bool;
                    }
                    continue;
                }
            }
            t.checks.insert(covered);
        }
        for (table, col) in SQLITE_BOOLEANS_WITHOUT_CHECK {
            if table == name
                && let Some(c) = t.columns.get_mut(*col)
            {
                c.ty = ColumnType::Bool;
            }
        }
        let indexes: Vec<(String, i64, String, i64)> = db
            .fetch_all(
                "SELECT name, \"unique\", origin, partial FROM pragma_index_list($1)",
                args![name.as_str()],
            )
            .await?;
        for (index, unique, origin, partial) in indexes {
            if origin == "pk" {
                continue;
            }
            let cols: Vec<(Option<String>,)> = db
                .fetch_all(
                    "SELECT name FROM pragma_index_info($1) ORDER BY seqno",
                    args![index.as_str()],
                )
                .await?;
            t.indexes.insert(Index {
                name: (origin == "c").then_some(index),
                columns: cols
                    .into_iter()
                    .map(|(c,)| c.unwrap_or_else(|| "<expr>".into()))
                    .collect(),
                unique: unique != 0,
                partial: partial != 0,
            });
        }
        pk_of.insert(name.clone(), t.primary_key.clone());
        schema.tables.insert(name.clone(), t);
    }
    for (name, t) in schema.tables.iter_mut() {
        let fks: Vec<SqliteForeignKey> = db
            .fetch_all(
                "SELECT id, seq, \"table\" AS target, \"from\", \"to\", on_delete \
                 FROM pragma_foreign_key_list($1) ORDER BY id, seq",
                args![name.as_str()],
            )
            .await?;
        let mut by_id: BTreeMap<i64, ForeignKey> = BTreeMap::new();
        for SqliteForeignKey {
            id,
            seq,
            target,
            from,
            to,
            on_delete,
        } in fks
        {
            let fk = by_id.entry(id).or_insert_with(|| ForeignKey {
                columns: Vec::new(),
                references: target.clone(),
                referenced_columns: Vec::new(),
                on_delete: on_delete.clone(),
            });
            fk.columns.push(from);
            // `REFERENCES t` without columns means t's primary key.
            let to = to.unwrap_or_else(|| {
                pk_of
                    .get(&target)
                    .and_then(|pk| pk.get(seq as usize))
                    .cloned()
                    .unwrap_or_default()
            });
            fk.referenced_columns.push(to);
        }
        t.foreign_keys = by_id.into_values().collect();
    }
    Ok(schema)
}

#[derive(sqlx::FromRow)]
struct SqliteForeignKey {
    id: i64,
    seq: i64,
    target: String,
    from: String,
    to: Option<String>,
    on_delete: String,
}

/// One constrained column of a PostgreSQL constraint.
#[derive(sqlx::FromRow)]
struct PgConstraintColumn {
    table_name: String,
    name: String,
    kind: String,
    col: String,
    target: Option<String>,
    target_col: Option<String>,
    on_delete: String,
}

/// One key column of a PostgreSQL index.
#[derive(sqlx::FromRow)]
struct PgIndexColumn {
    table_name: String,
    name: String,
    is_unique: bool,
    partial: bool,
    from_constraint: bool,
    col: String,
}

/// SQLite's declared type → the shared vocabulary (STRICT tables allow only these names).
fn sqlite_type(declared: &str) -> ColumnType {
    match declared.to_ascii_uppercase().as_str() {
        "INTEGER" | "INT" | "BIGINT" => ColumnType::Integer,
        "TEXT" => ColumnType::Text,
        "BLOB" => ColumnType::Bytes,
        "REAL" => ColumnType::Real,
        other => ColumnType::Other(other.to_lowercase()),
    }
}

/// PostgreSQL's `information_schema` type → the shared vocabulary.
fn postgres_type(data_type: &str) -> ColumnType {
    match data_type {
        "bigint" | "integer" | "smallint" => ColumnType::Integer,
        "text" | "character varying" => ColumnType::Text,
        "boolean" => ColumnType::Bool,
        "bytea" => ColumnType::Bytes,
        "double precision" | "real" => ColumnType::Real,
        other => ColumnType::Other(other.to_string()),
    }
}

/// The parenthesised expressions after each `CHECK` in a `CREATE TABLE` text (string literals
/// and comments skipped).
fn check_clauses(sql: &str) -> Vec<String> {
    let code = strip_literals(sql);
    let upper = code.to_ascii_uppercase();
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = upper[from..].find("CHECK") {
        let start = from + at;
        from = start + 5;
        let before_ok = start == 0 || !is_ident(bytes[start - 1]);
        let mut i = from;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if !before_ok || i >= bytes.len() || bytes[i] != b'(' {
            continue;
        }
        let mut depth = 0;
        let open = i;
        while i < bytes.len() {
            match bytes[i] {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        out.push(code[open + 1..i.min(code.len())].to_string());
        from = i;
    }
    out
}

/// The text with string literals blanked and `--` comments removed (byte positions kept).
fn strip_literals(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                out.push(' ');
                for d in chars.by_ref() {
                    for _ in 0..d.len_utf8() {
                        out.push(' ');
                    }
                    if d == '\'' {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(' ');
                for d in chars.by_ref() {
                    if d == '\n' {
                        out.push('\n');
                        break;
                    }
                    for _ in 0..d.len_utf8() {
                        out.push(' ');
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The names of `columns` that occur as identifiers in `expr`, sorted.
fn columns_named(expr: &str, columns: &[String]) -> Vec<String> {
    let mut found: BTreeSet<String> = BTreeSet::new();
    for word in expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '"')) {
        let word = word.trim_matches('"');
        if let Some(c) = columns.iter().find(|c| c.eq_ignore_ascii_case(word)) {
            found.insert(c.clone());
        }
    }
    found.into_iter().collect()
}

async fn describe_postgres(db: &Db) -> Result<Schema, StoreError> {
    let mut schema = Schema::default();
    let cols: Vec<(String, String, String, String)> = db
        .fetch_all(
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text \
             FROM information_schema.columns c \
             JOIN information_schema.tables t \
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
             ORDER BY c.table_name, c.ordinal_position",
            args![],
        )
        .await?;
    for (table, col, ty, nullable) in cols {
        if skipped(&table) {
            continue;
        }
        schema.tables.entry(table).or_default().columns.insert(
            col,
            Column {
                ty: postgres_type(&ty),
                nullable: nullable == "YES",
            },
        );
    }

    // Primary keys, CHECK constraints and foreign keys, one row per constrained column.
    let cons: Vec<PgConstraintColumn> = db
        .fetch_all(
            "SELECT cl.relname::text AS table_name, c.conname::text AS name, c.contype::text AS kind, \
                    a.attname::text AS col, rt.relname::text AS target, ra.attname::text AS target_col, \
                    c.confdeltype::text AS on_delete \
             FROM pg_constraint c \
             JOIN pg_class cl ON cl.oid = c.conrelid \
             JOIN pg_namespace ns ON ns.oid = cl.relnamespace \
             CROSS JOIN LATERAL unnest(c.conkey, COALESCE(c.confkey, c.conkey)) \
                  WITH ORDINALITY AS k(col, refcol, n) \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col \
             LEFT JOIN pg_class rt ON rt.oid = c.confrelid \
             LEFT JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refcol \
             WHERE ns.nspname = current_schema() AND c.contype IN ('p', 'c', 'f') \
             ORDER BY cl.relname, c.conname, k.n",
            args![],
        )
        .await?;
    let mut checks: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut fks: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    for PgConstraintColumn {
        table_name: table,
        name,
        kind,
        col,
        target,
        target_col,
        on_delete,
    } in cons
    {
        if skipped(&table) {
            continue;
        }
        match kind.as_str() {
            "p" => schema
                .tables
                .entry(table)
                .or_default()
                .primary_key
                .push(col),
            "c" => {
                checks.entry((table, name)).or_default().insert(col);
            }
            _ => {
                let fk = fks.entry((table, name)).or_insert_with(|| ForeignKey {
                    columns: Vec::new(),
                    references: target.unwrap_or_default(),
                    referenced_columns: Vec::new(),
                    on_delete: match on_delete.as_str() {
                        "r" => "RESTRICT",
                        "c" => "CASCADE",
                        "n" => "SET NULL",
                        "d" => "SET DEFAULT",
                        _ => "NO ACTION",
                    }
                    .into(),
                });
                fk.columns.push(col);
                fk.referenced_columns.push(target_col.unwrap_or_default());
            }
        }
    }
    for ((table, _), cols) in checks {
        schema
            .tables
            .entry(table)
            .or_default()
            .checks
            .insert(cols.into_iter().collect());
    }
    for ((table, _), fk) in fks {
        schema
            .tables
            .entry(table)
            .or_default()
            .foreign_keys
            .insert(fk);
    }

    // Indexes, one row per key column; those behind a UNIQUE constraint are unnamed.
    let idx: Vec<PgIndexColumn> = db
        .fetch_all(
            "SELECT t.relname::text AS table_name, i.relname::text AS name, ix.indisunique AS is_unique, \
                    (ix.indpred IS NOT NULL) AS partial, \
                    EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid \
                            AND c.conrelid = ix.indrelid AND c.contype IN ('u', 'x')) AS from_constraint, \
                    COALESCE(a.attname::text, '<expr>') AS col \
             FROM pg_index ix \
             JOIN pg_class i ON i.oid = ix.indexrelid \
             JOIN pg_class t ON t.oid = ix.indrelid \
             JOIN pg_namespace ns ON ns.oid = t.relnamespace \
             CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, n) \
             LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0 \
             WHERE ns.nspname = current_schema() AND NOT ix.indisprimary \
               AND k.n <= ix.indnkeyatts \
             ORDER BY t.relname, i.relname, k.n",
            args![],
        )
        .await?;
    let mut indexes: BTreeMap<(String, String), Index> = BTreeMap::new();
    for PgIndexColumn {
        table_name: table,
        name,
        is_unique: unique,
        partial,
        from_constraint,
        col,
    } in idx
    {
        if skipped(&table) {
            continue;
        }
        indexes
            .entry((table, name.clone()))
            .or_insert_with(|| Index {
                name: (!from_constraint).then_some(name),
                columns: Vec::new(),
                unique,
                partial,
            })
            .columns
            .push(col);
    }
    for ((table, _), index) in indexes {
        schema
            .tables
            .entry(table)
            .or_default()
            .indexes
            .insert(index);
    }
    Ok(schema)
}

/// What differs between two descriptions, one line each (empty when they are equal).
pub fn diff(left_name: &str, left: &Schema, right_name: &str, right: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = left.tables.keys().chain(right.tables.keys()).collect();
    for name in names {
        let (l, r) = match (left.tables.get(name), right.tables.get(name)) {
            (Some(l), Some(r)) => (l, r),
            (Some(_), None) => {
                out.push(format!("table {name}: only in {left_name}"));
                continue;
            }
            (None, _) => {
                out.push(format!("table {name}: only in {right_name}"));
                continue;
            }
        };
        let cols: BTreeSet<&String> = l.columns.keys().chain(r.columns.keys()).collect();
        for col in cols {
            match (l.columns.get(col), r.columns.get(col)) {
                (Some(a), Some(b)) if a != b => {
                    out.push(format!("{name}.{col}: {left_name} {a} / {right_name} {b}"))
                }
                (Some(_), None) => out.push(format!("{name}.{col}: only in {left_name}")),
                (None, Some(_)) => out.push(format!("{name}.{col}: only in {right_name}")),
                _ => {}
            }
        }
        if l.primary_key != r.primary_key {
            out.push(format!(
                "{name} primary key: {left_name} {:?} / {right_name} {:?}",
                l.primary_key, r.primary_key
            ));
        }
        set_diff(
            &mut out, name, "index", left_name, &l.indexes, right_name, &r.indexes,
        );
        set_diff(
            &mut out,
            name,
            "foreign key",
            left_name,
            &l.foreign_keys,
            right_name,
            &r.foreign_keys,
        );
        set_diff(
            &mut out, name, "check on", left_name, &l.checks, right_name, &r.checks,
        );
    }
    out
}

fn set_diff<T: Ord + fmt::Debug>(
    out: &mut Vec<String>,
    table: &str,
    what: &str,
    left_name: &str,
    left: &BTreeSet<T>,
    right_name: &str,
    right: &BTreeSet<T>,
) {
    for x in left.difference(right) {
        out.push(format!("{table} {what} {x:?}: only in {left_name}"));
    }
    for x in right.difference(left) {
        out.push(format!("{table} {what} {x:?}: only in {right_name}"));
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?}{}",
            self.ty,
            if self.nullable { " NULL" } else { " NOT NULL" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_are_found_outside_literals_and_comments() {
        let sql = "CREATE TABLE t (a TEXT CHECK (a IN ('CHECK (b)', 'x')), -- CHECK (c)\n \
                   b INTEGER NOT NULL CHECK (b IN (0, 1)), c INTEGER, CHECK (c > a))";
        let found = check_clauses(sql);
        assert_eq!(found.len(), 3, "{found:?}");
        let cols = ["a".to_string(), "b".to_string(), "c".to_string()];
        assert_eq!(columns_named(&found[0], &cols), vec!["a"]);
        assert_eq!(columns_named(&found[1], &cols), vec!["b"]);
        assert_eq!(columns_named(&found[2], &cols), vec!["a", "c"]);
    }

    #[test]
    fn types_map_to_one_vocabulary() {
        assert_eq!(sqlite_type("INTEGER"), postgres_type("bigint"));
        assert_eq!(sqlite_type("TEXT"), postgres_type("text"));
        assert_eq!(sqlite_type("BLOB"), postgres_type("bytea"));
        assert_ne!(sqlite_type("TEXT"), postgres_type("jsonb"));
    }
}
