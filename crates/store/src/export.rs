//! Whole-database reads used by checks that compare what people see with what is stored.
use crate::{Db, Engine, StoreError, args};

/// Every text value of every table, each once. Pages may show data in any language; a check
/// that an English page holds no Chinese text except data reads this as the corpus of data.
pub async fn all_text(db: &Db) -> Result<Vec<String>, StoreError> {
    // The one place the two engines need different text: each keeps its catalogue of tables
    // and columns in its own form.
    let columns_sql = match db.engine() {
        Engine::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid"
        }
        Engine::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() \
             AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') \
             ORDER BY table_name, ordinal_position"
        }
    };
    let columns: Vec<(String, String)> = db.fetch_all(columns_sql, args![]).await?;
    let mut seen = std::collections::BTreeSet::new();
    for (table, column) in columns {
        let sql = match db.engine() {
            Engine::Sqlite => format!(
                "SELECT DISTINCT \"{column}\" FROM \"{table}\" WHERE typeof(\"{column}\") = 'text'"
            ),
            Engine::Postgres => format!(
                "SELECT DISTINCT \"{column}\"::text FROM \"{table}\" WHERE \"{column}\" IS NOT NULL"
            ),
        };
        let rows: Vec<(String,)> = db.fetch_all(&sql, args![]).await?;
        seen.extend(rows.into_iter().map(|r| r.0));
    }
    Ok(seen.into_iter().collect())
}
