//! The one persistence layer: schema and migrations for SQLite and PostgreSQL, repositories,
//! and the data-scope predicate. Every operation is one query text that serves both engines.
#![forbid(unsafe_code)]

/// Defines a row the API returns, and exports it as written through the macro `$export`: the
/// service describes the row in the OpenAPI document from these same tokens
/// (`sijian_store::$export!(shape)` hands them to its macro `shape!`, with any extra attributes
/// after the name), so the store does not depend on the documentation generator and the
/// description cannot drift from the row.
macro_rules! api_row {
    ($export:ident: $($row:tt)*) => {
        api_row!(@with ($) $export: $($row)*);
    };
    // `$d` is a `$` for the exported macro's own variables.
    (@with ($d:tt) $export:ident: $($row:tt)*) => {
        $($row)*

        #[doc(hidden)]
        #[macro_export]
        macro_rules! $export {
            ($d then:ident $d(, $d extra:meta)*) => {
                $d then! { [$d($d extra),*] $($row)* }
            };
        }
    };
}

pub mod applications;
pub mod blobs;
pub mod bulk;
pub mod calendar;
pub mod cases;
pub mod column;
pub mod db;
pub mod error;
pub mod events;
pub mod export;
pub mod ledger;
pub mod linkage;
pub mod list;
pub mod logs;
pub mod nodes;
pub mod notifications;
pub mod organs;
pub mod readers;
pub mod regions;
pub mod registry;
pub mod schema;
pub mod scope;
pub mod search;
pub mod sessions;
pub mod settings;
pub mod tokens;
pub mod users;
pub mod values;
pub mod webhooks;

pub use db::{Args, Db, Engine, PoolSettings, Tx, Val};
pub use error::StoreError;
pub use events::{Actor, NewEvent};
pub use list::{ListQuery, Page};
pub use sijian_domain::Scope;

/// Current time in Unix milliseconds. The only clock the store reads; tests pass times explicitly
/// where a rule depends on them.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod sql_stays_here {
    //! All SQL lives in this crate (issue 13, point 4): no other crate's sources hold a SQL
    //! statement string or use sqlx.
    use std::path::{Path, PathBuf};

    const KEYWORDS: [&str; 8] = [
        "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "WITH",
    ];

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// The line numbers at which a string literal (plain or raw) starts with a SQL keyword
    /// followed by whitespace, ignoring case and leading whitespace, or at which `sqlx::` is
    /// used.
    pub(super) fn offending_lines(source: &str) -> Vec<usize> {
        let mut found = Vec::new();
        let bytes = source.as_bytes();
        let line_of = |i: usize| source[..i].matches('\n').count() + 1;
        for (i, _) in source.match_indices("sqlx::") {
            found.push(line_of(i));
        }
        let mut i = 0;
        while i < bytes.len() {
            let start = match bytes[i] {
                b'"' if i == 0 || bytes[i - 1] != b'\'' => Some(i + 1),
                b'r' if bytes.get(i + 1) == Some(&b'"') || bytes.get(i + 1) == Some(&b'#') => {
                    let mut j = i + 1;
                    while bytes.get(j) == Some(&b'#') {
                        j += 1;
                    }
                    (bytes.get(j) == Some(&b'"')
                        && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()))
                    .then_some(j + 1)
                }
                _ => None,
            };
            let Some(s) = start else {
                i += 1;
                continue;
            };
            let rest = source[s..].trim_start();
            let head: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect::<String>()
                .to_ascii_uppercase();
            let after = rest[head.len()..].chars().next();
            if KEYWORDS.contains(&head.as_str()) && after.is_some_and(char::is_whitespace) {
                found.push(line_of(i));
            }
            // Skip to the end of this literal so its closing quote is not taken for an opening.
            let mut j = s;
            while j < bytes.len() {
                match bytes[j] {
                    b'\\' if bytes[i] == b'"' => j += 2,
                    b'"' => break,
                    _ => j += 1,
                }
            }
            i = j + 1;
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    #[test]
    fn the_scan_finds_statements_and_sqlx() {
        assert_eq!(offending_lines("let a = \"  select id FROM t\";"), vec![1]);
        assert_eq!(
            offending_lines("x\nf(\"WITH x AS (SELECT 1) SELECT 2\")"),
            vec![2]
        );
        assert_eq!(offending_lines("f(r#\"\n  Delete\nFROM t\"#)"), vec![1]);
        assert_eq!(offending_lines("use sqlx::Row;"), vec![1]);
        assert_eq!(
            offending_lines("f(\"\\\"\", \"UPDATE t SET a = 1\")"),
            vec![1]
        );
        assert!(offending_lines("f(\"Selected items\", \"select\", \"with\")").is_empty());
        assert!(offending_lines("let c = '\"'; f(\"选择 SELECT\")").is_empty());
    }

    #[test]
    fn no_sql_outside_the_store() {
        let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for e in std::fs::read_dir(&crates)
            .expect("crates directory")
            .flatten()
        {
            let dir = e.path();
            if dir.file_name().is_some_and(|n| n == "store") {
                continue;
            }
            rust_files(&dir.join("src"), &mut files);
        }
        assert!(
            files.len() > 50,
            "found only {} source files under {}",
            files.len(),
            crates.display()
        );
        let mut offences = Vec::new();
        for f in &files {
            let source = std::fs::read_to_string(f).expect("readable source");
            for line in offending_lines(&source) {
                offences.push(format!("{}:{line}", f.display()));
            }
        }
        assert!(
            offences.is_empty(),
            "SQL outside crates/store (move it into a store function):\n{}",
            offences.join("\n")
        );
    }
}
