//! Administrative regions (GB/T 2260), loaded from the data file the project ships.
use crate::{Db, StoreError, args};
use serde::Serialize;

/// The shipped table: all province-level regions and the full tree of the demo province.
pub const REGIONS_TSV: &str = include_str!("../data/regions.tsv");

api_row! { region_row:
    #[derive(Debug, Clone, Serialize, sqlx::FromRow)]
    pub struct Region {
        pub code: String,
        pub name: String,
        pub level: String,
        pub parent_code: Option<String>,
        pub path: String,
        pub valid_from: Option<String>,
        pub valid_to: Option<String>,
    }
}

/// Parses the TSV (header `code name level parent valid_from valid_to`) into regions with
/// their materialised paths. Rows must list parents before children (the file is sorted by code).
pub fn parse_tsv(text: &str) -> Result<Vec<Region>, String> {
    let mut out: Vec<Region> = Vec::new();
    let mut paths = std::collections::HashMap::<String, String>::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 6 {
            return Err(format!("regions.tsv line {}: expected 6 columns", n + 1));
        }
        let code =
            sijian_domain::RegionCode::parse(f[0]).map_err(|e| format!("line {}: {e}", n + 1))?;
        let parent = (!f[3].is_empty()).then(|| f[3].to_string());
        let parent_path = match &parent {
            None => "/".to_string(),
            Some(p) => paths
                .get(p)
                .cloned()
                .ok_or(format!("line {}: parent {p} not listed before", n + 1))?,
        };
        let path = format!("{parent_path}{code}/");
        paths.insert(code.to_string(), path.clone());
        out.push(Region {
            code: code.to_string(),
            name: f[1].to_string(),
            level: f[2].to_string(),
            parent_code: parent,
            path,
            valid_from: (!f[4].is_empty()).then(|| f[4].to_string()),
            valid_to: (!f[5].is_empty()).then(|| f[5].to_string()),
        });
    }
    Ok(out)
}

/// Loads the shipped regions; existing codes are left as they are. Returns rows inserted.
pub async fn load_shipped(db: &Db) -> Result<u64, StoreError> {
    let regions = parse_tsv(REGIONS_TSV).map_err(StoreError::Config)?;
    let mut tx = db.begin().await?;
    let mut n = 0;
    for r in regions {
        n += tx
            .execute(
                "INSERT INTO regions (code, name, level, parent_code, path, valid_from, valid_to) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING",
                args![
                    r.code,
                    r.name,
                    r.level,
                    r.parent_code,
                    r.path,
                    r.valid_from,
                    r.valid_to
                ],
            )
            .await?;
    }
    tx.commit().await?;
    Ok(n)
}

const COLS: &str = "code, name, level, parent_code, path, valid_from, valid_to";

pub async fn get(db: &Db, code: &str) -> Result<Region, StoreError> {
    db.fetch_optional(
        &format!("SELECT {COLS} FROM regions WHERE code = $1"),
        args![code],
    )
    .await?
    .ok_or(StoreError::NotFound)
}

/// Regions in use, optionally only below `under` (a path). Sorted by code.
pub async fn list_current(db: &Db, under: Option<&str>) -> Result<Vec<Region>, StoreError> {
    list(db, under, false).await
}

/// Regions below `under` (a path), with `history` also those renamed, merged or abolished
/// (their `valid_to` set), so old records keep their meaning. Sorted by code.
pub async fn list(db: &Db, under: Option<&str>, history: bool) -> Result<Vec<Region>, StoreError> {
    let mut a = crate::Args::new();
    let mut cond = vec![if history {
        "1=1".to_string()
    } else {
        "valid_to IS NULL".to_string()
    }];
    if let Some(p) = under {
        let (lo, hi) = sijian_domain::RegionPath::parse(p)
            .ok_or(StoreError::NotFound)?
            .range();
        let (lo, hi) = (a.push(lo), a.push(hi));
        cond.push(format!("path >= {lo} AND path < {hi}"));
    }
    db.fetch_all(
        &format!(
            "SELECT {COLS} FROM regions WHERE {} ORDER BY code",
            cond.join(" AND ")
        ),
        a,
    )
    .await
}

/// The path of a region in use, for records being placed in it.
pub async fn current_path(tx: &mut crate::Tx, code: &str) -> Result<String, StoreError> {
    let row: Option<(String,)> = tx
        .fetch_optional(
            "SELECT path FROM regions WHERE code = $1 AND valid_to IS NULL",
            args![code],
        )
        .await?;
    row.map(|r| r.0)
        .ok_or_else(|| StoreError::ForeignKey("region_code".into()))
}

/// Region path for a record placed at `code`, refused unless the actor's scope reaches it.
pub async fn placed_path(
    tx: &mut crate::Tx,
    scope: &sijian_domain::Scope,
    code: &str,
) -> Result<String, StoreError> {
    let path = current_path(tx, code).await?;
    let rp = sijian_domain::RegionPath::parse(&path).ok_or(StoreError::NotFound)?;
    if !scope.reaches_region(&rp) {
        return Err(StoreError::Forbidden("region_code".into()));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn shipped_table_parses_with_full_demo_province() {
        let r = super::parse_tsv(super::REGIONS_TSV).unwrap();
        let provinces = r.iter().filter(|x| x.level == "province").count();
        assert_eq!(provinces, 34);
        let zj_counties = r
            .iter()
            .filter(|x| x.level == "county" && x.code.starts_with("33") && x.valid_to.is_none())
            .count();
        assert_eq!(zj_counties, 90);
        let xihu = r.iter().find(|x| x.code == "330106").unwrap();
        assert_eq!(xihu.path, "/330000/330100/330106/");
    }
}
