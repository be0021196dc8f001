//! Index-backed name search. A search term is looked up through `search_grams` (characters
//! and adjacent pairs of each record's names), then verified with LIKE on the few candidates;
//! number-like columns match exactly. This keeps a search over 100,000 appraisers to index
//! lookups on both engines.
use crate::db::{Args, Tx};
use crate::{Db, StoreError, args};

/// Characters and adjacent pairs of `texts`, lower-cased, without whitespace, distinct.
pub fn grams(texts: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for t in texts {
        let chars: Vec<char> = t
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        for (i, c) in chars.iter().enumerate() {
            out.push(c.to_string());
            if let Some(d) = chars.get(i + 1) {
                out.push(format!("{c}{d}"));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The gram to look a search term up by: its first pair of characters, or its only character.
pub fn key_gram(q: &str) -> Option<String> {
    let chars: Vec<char> = q
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    match chars.as_slice() {
        [] => None,
        [c] => Some(c.to_string()),
        [c, d, ..] => Some(format!("{c}{d}")),
    }
}

/// Replaces the grams of one record.
pub(crate) async fn write(
    tx: &mut Tx,
    entity: &str,
    id: i64,
    texts: &[&str],
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM search_grams WHERE entity = $1 AND id = $2",
        args![entity, id],
    )
    .await?;
    let rows: Vec<(i64, String)> = grams(texts).into_iter().map(|g| (id, g)).collect();
    insert(tx, entity, &rows).await
}

/// Inserts (id, gram) rows, several hundred per statement.
async fn insert(tx: &mut Tx, entity: &str, rows: &[(i64, String)]) -> Result<(), StoreError> {
    for chunk in rows.chunks(400) {
        let mut a = Args::new();
        let e = a.push(entity);
        let values: Vec<String> = chunk
            .iter()
            .map(|(id, g)| {
                let gp = a.push(g.as_str());
                let ip = a.push(*id);
                format!("({e}, {gp}, {ip})")
            })
            .collect();
        tx.execute(
            &format!(
                "INSERT INTO search_grams (entity, gram, id) VALUES {}",
                values.join(", ")
            ),
            a,
        )
        .await?;
    }
    Ok(())
}

/// Settings key marking a complete index; a rebuild interrupted half-way leaves it unset, so
/// the next start rebuilds from scratch.
const BUILT: &str = "search_index_built";

/// Builds the index from the records unless a complete build is recorded (a database from
/// before the index, or a build interrupted by a stop). Returns the number of records indexed.
pub async fn rebuild_if_needed(db: &Db) -> Result<u64, StoreError> {
    if crate::settings::get(db, BUILT).await?.is_some() {
        return Ok(0);
    }
    db.execute("DELETE FROM search_grams", Args::new()).await?;
    let insts: Vec<(i64, String, String)> = db
        .fetch_all("SELECT id, name, head_name FROM institutions", Args::new())
        .await?;
    let apps: Vec<(i64, String, String)> = db
        .fetch_all("SELECT id, name, title FROM appraisers", Args::new())
        .await?;
    let mut n = 0;
    for (entity, rows) in [("institution", insts), ("appraiser", apps)] {
        for chunk in rows.chunks(5000) {
            let grams: Vec<(i64, String)> = chunk
                .iter()
                .flat_map(|(id, a, b)| grams(&[a, b]).into_iter().map(move |g| (*id, g)))
                .collect();
            let mut tx = db.begin().await?;
            insert(&mut tx, entity, &grams).await?;
            tx.commit().await?;
            n += chunk.len() as u64;
        }
    }
    crate::settings::set(db, BUILT, &crate::now_ms().to_string()).await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grams_cover_every_substring_lookup() {
        let g = grams(&["欧阳 文博", "Ab"]);
        for want in ["欧", "欧阳", "阳文", "文博", "博", "a", "ab", "b"] {
            assert!(g.contains(&want.to_string()), "{want} in {g:?}");
        }
        assert_eq!(key_gram(" 王 "), Some("王".into()));
        assert_eq!(key_gram("王伟华"), Some("王伟".into()));
        assert_eq!(key_gram("  "), None);
    }
}
