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
    /// The whole list at once, for a download: the first `EXPORT_ROWS` rows in the list's order.
    pub export: bool,
}

impl ListQuery {
    /// Rows in one download of a list (`export`).
    pub const EXPORT_ROWS: u32 = 5_000;

    /// Page numbers start at 1; page size is 1–200, default 20; a download is one page of
    /// `EXPORT_ROWS`.
    pub fn normalised(&self) -> (u32, u32) {
        if self.export {
            return (1, Self::EXPORT_ROWS);
        }
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

    /// This query, or, when it asks for no order, the newest first: by the sort key `key`, or
    /// with `None` by the listing's own key.
    pub fn newest_first(&self, key: Option<&str>) -> ListQuery {
        let mut q = self.clone();
        if q.sort.is_none() {
            q.sort = key.map(str::to_string);
            q.desc = true;
        }
        q
    }
}

/// Lists count their matches up to this many; beyond it `total` is this number and
/// `total_capped` is true ("10,000+"), so a query over a large register never counts it all.
pub const COUNT_CAP: i64 = 10_000;

api_row! { page_row:
    #[derive(Debug, Clone, Serialize)]
    pub struct Page<T> {
        pub items: Vec<T>,
        /// Matching records, counted up to 10,000 (see `total_capped`).
        pub total: i64,
        pub page: u32,
        pub per_page: u32,
        /// True when there are more than `total` matches.
        #[serde(default)]
        pub total_capped: bool,
    }
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
    /// A narrower FROM for counting, usable when no condition mentions the given alias prefix
    /// (e.g. `("i.", "appraisers a")`): the count then skips a join it does not need.
    pub count_from: Option<(&'static str, &'static str)>,
}

impl Listing {
    pub fn new(select: &'static str, from: &'static str) -> Self {
        Listing {
            select,
            from,
            conditions: Vec::new(),
            args: Args::new(),
            count_from: None,
        }
    }

    pub fn push(&mut self, cond: String) {
        self.conditions.push(cond);
    }

    /// Index-backed search (see `crate::search`): candidate ids by gram of `entity` or by
    /// exact match of a number-like column of `table`, in one `IN (… UNION …)` so both engines
    /// plan an index lookup; then verified by substring match on the `verify` columns.
    pub fn search_indexed(
        &mut self,
        q: Option<&str>,
        entity: &str,
        id_col: &str,
        table: &str,
        exact: &[&str],
        verify: &[&str],
    ) {
        let Some(q) = q else { return };
        let mut sources = Vec::new();
        if let Some(g) = crate::search::key_gram(q) {
            let ep = self.args.push(entity);
            let gp = self.args.push(g);
            sources.push(format!(
                "SELECT id FROM search_grams WHERE entity = {ep} AND gram = {gp}"
            ));
        }
        if !exact.is_empty() {
            let xp = self.args.push(q.trim().to_uppercase());
            let any: Vec<String> = exact.iter().map(|c| format!("{c} = {xp}")).collect();
            sources.push(format!("SELECT id FROM {table} WHERE {}", any.join(" OR ")));
        }
        let p = self.args.push(like_pattern(q));
        let checks: Vec<String> = verify
            .iter()
            .map(|c| format!("LOWER({c}) LIKE {p} ESCAPE '\\'"))
            .collect();
        self.push(format!(
            "({id_col} IN ({}) AND ({}))",
            sources.join(" UNION "),
            checks.join(" OR ")
        ));
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
        // Late row lookup: the page's ids are chosen on the narrowest FROM that can answer
        // (sorting only keys and ids), then only those rows are read in full. A filter that
        // matches thousands of rows thus never sorts or joins thousands of full rows.
        let narrow = |extra: &str| match self.count_from {
            Some((alias, narrow))
                if !extra.contains(alias) && !self.conditions.iter().any(|c| c.contains(alias)) =>
            {
                narrow
            }
            _ => self.from,
        };
        let page_from = narrow(sort_expr);
        let sql = format!(
            "SELECT {select} FROM {from} WHERE {tie} IN (SELECT {tie} FROM {page_from}{where_} ORDER BY {sort_expr} {dir}, {tie} {dir} LIMIT {limit} OFFSET {offset}) \
             ORDER BY {sort_expr} {dir}, {tie} {dir}",
            select = self.select,
            from = self.from,
        );
        let items: Vec<T> = db.fetch_all(&sql, args).await?;
        // A first page that is not full is the whole list. Otherwise count, but never more
        // than the cap: the page itself touches only `limit` rows, the count at most the cap.
        let (total, total_capped) = if page == 1 && (items.len() as i64) < limit {
            (items.len() as i64, false)
        } else {
            let from = narrow("");
            let count_sql = format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM {from}{where_} LIMIT {}) capped",
                COUNT_CAP + 1
            );
            let n: i64 = db.scalar(&count_sql, self.args).await?;
            if n > COUNT_CAP {
                (COUNT_CAP, true)
            } else {
                (n, false)
            }
        };
        Ok(Page {
            items,
            total,
            page,
            per_page,
            total_capped,
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
