//! Lists that filter, search, sort and page, built once for both engines.
use crate::db::{AnyRow, Args, Db};
use crate::error::StoreError;
use serde::Serialize;

/// What a list page or API call asks for. Unknown sort keys fall back to the default order.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub sort: Option<String>,
    pub desc: bool,
    pub page: u32,
    pub per_page: u32,
}

impl ListQuery {
    /// Page numbers start at 1; page size is 1–200, default 20.
    pub fn normalised(&self) -> (u32, u32) {
        let per = if self.per_page == 0 {
            20
        } else {
            self.per_page.min(200)
        };
        (self.page.max(1), per)
    }
    pub fn search(&self) -> Option<&str> {
        self.q.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u32 {
        ((self.total.max(0) as u64).div_ceil(self.per_page.max(1) as u64)) as u32
    }
}

/// A list under construction: fixed select and from clauses plus conditions.
pub(crate) struct Listing {
    pub select: &'static str,
    pub from: &'static str,
    pub conditions: Vec<String>,
    pub args: Args,
}

impl Listing {
    pub fn new(select: &'static str, from: &'static str) -> Self {
        Listing {
            select,
            from,
            conditions: Vec::new(),
            args: Args::new(),
        }
    }

    pub fn push(&mut self, cond: String) {
        self.conditions.push(cond);
    }

    /// Case-insensitive substring search over several columns.
    pub fn search(&mut self, q: Option<&str>, columns: &[&str]) {
        if let Some(q) = q {
            let p = self.args.push(like_pattern(q));
            let any: Vec<String> = columns
                .iter()
                .map(|c| format!("lower({c}) LIKE {p} ESCAPE '\\'"))
                .collect();
            self.push(format!("({})", any.join(" OR ")));
        }
    }

    pub fn eq(&mut self, column: &str, value: Option<impl Into<crate::db::Val>>) {
        if let Some(v) = value {
            let p = self.args.push(v);
            self.push(format!("{column} = {p}"));
        }
    }

    fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// Every matching row in the given order, up to `cap` rows (for exports).
    pub async fn run_all<T: AnyRow>(
        self,
        db: &Db,
        query: &ListQuery,
        sorts: &[(&str, &str)],
        tie: &str,
        cap: u32,
    ) -> Result<Vec<T>, StoreError> {
        let sort_expr = query
            .sort
            .as_deref()
            .and_then(|k| sorts.iter().find(|(key, _)| *key == k))
            .or(sorts.first())
            .map(|(_, e)| *e)
            .unwrap_or(tie);
        let dir = if query.desc { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {} FROM {}{} ORDER BY {sort_expr} {dir}, {tie} {dir} LIMIT {cap}",
            self.select,
            self.from,
            self.where_clause()
        );
        db.fetch_all(&sql, self.args).await
    }

    /// Runs the count and the page. `sorts` maps public sort keys to SQL expressions; the first
    /// is the default. `id` breaks ties so paging is stable.
    pub async fn run<T: AnyRow>(
        self,
        db: &Db,
        query: &ListQuery,
        sorts: &[(&str, &str)],
        tie: &str,
    ) -> Result<Page<T>, StoreError> {
        let (page, per_page) = query.normalised();
        let where_ = self.where_clause();
        let sort_expr = query
            .sort
            .as_deref()
            .and_then(|k| sorts.iter().find(|(key, _)| *key == k))
            .or(sorts.first())
            .map(|(_, e)| *e)
            .unwrap_or(tie);
        let dir = if query.desc { "DESC" } else { "ASC" };
        let args = self.args.clone();
        // LIMIT and OFFSET are written as literals (they are integers we computed): SQLite
        // re-prepares a statement on every execution when they are bound parameters.
        let limit = per_page as i64;
        let offset = ((page - 1) as i64) * per_page as i64;
        // The window count gives the total with the page in one round trip.
        let sql = format!(
            "SELECT {}, COUNT(*) OVER () AS list_total FROM {}{} ORDER BY {sort_expr} {dir}, {tie} {dir} LIMIT {limit} OFFSET {offset}",
            self.select, self.from, where_
        );
        let rows: Vec<Counted<T>> = db.fetch_all(&sql, args).await?;
        let total = match rows.first() {
            Some(r) => r.list_total,
            None if page == 1 => 0,
            // Past the last page: the page is empty, the total still matters.
            None => {
                let count_sql = format!("SELECT COUNT(*) FROM {}{}", self.from, where_);
                db.scalar(&count_sql, self.args).await?
            }
        };
        let items = rows.into_iter().map(|r| r.item).collect();
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }
}

/// A list row with the total of the whole filtered list beside it.
struct Counted<T> {
    item: T,
    list_total: i64,
}

impl<'r, R, T> sqlx::FromRow<'r, R> for Counted<T>
where
    R: sqlx::Row,
    T: sqlx::FromRow<'r, R>,
    &'r str: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        Ok(Counted {
            item: T::from_row(row)?,
            list_total: row.try_get("list_total")?,
        })
    }
}

/// `%q%` with LIKE's wildcards escaped, lower-cased (SQLite LIKE ignores ASCII case,
/// PostgreSQL's does not, so both sides are lowered).
pub fn like_pattern(q: &str) -> String {
    let mut s = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_escapes() {
        assert_eq!(super::like_pattern("A_b%c\\"), "%a\\_b\\%c\\\\%");
    }
}
