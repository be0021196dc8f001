//! Shared list-page machinery: reading search, filter, sort and page parameters, and building
//! sortable column headers and pager links that keep the other parameters.
use super::view::{Cell, Column, FilterView, ListView};
use crate::i18n::Lang;
use sijian_store::{ListQuery, Page};

pub struct ListParams {
    pub base: &'static str,
    pub pairs: Vec<(String, String)>,
}

impl ListParams {
    pub fn new(base: &'static str, pairs: Vec<(String, String)>) -> Self {
        ListParams { base, pairs }
    }

    /// A list that is only ever shown a page at a time (the public directory: its downloads
    /// are the open-data exports, not a page's rows).
    pub fn paged_only(base: &'static str, mut pairs: Vec<(String, String)>) -> Self {
        pairs.retain(|(k, _)| k != "format");
        ListParams { base, pairs }
    }
    pub fn get(&self, k: &str) -> Option<String> {
        self.pairs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
    pub fn query(&self) -> ListQuery {
        ListQuery {
            q: self.get("q"),
            sort: self.get("sort"),
            desc: self.get("order").as_deref() == Some("desc"),
            page: self.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
            per_page: self
                .get("per_page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(20),
            export: self.wants_csv(),
        }
    }

    /// The list asked for as a CSV download (`format=csv`): every row the reader may see under
    /// the same filters and order, up to `ListQuery::EXPORT_ROWS`.
    pub fn wants_csv(&self) -> bool {
        self.get("format").as_deref() == Some("csv")
    }
    fn href_with(&self, changes: &[(&str, String)]) -> String {
        let mut pairs: Vec<(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, v)| !v.is_empty() && !changes.iter().any(|(c, _)| c == k))
            .cloned()
            .collect();
        for (k, v) in changes {
            if !v.is_empty() {
                pairs.push((k.to_string(), v.clone()));
            }
        }
        let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if qs.is_empty() {
            self.base.to_string()
        } else {
            format!("{}?{qs}", self.base)
        }
    }

    /// A column header; sortable when `key` is non-empty. Clicking the sorted column flips order.
    fn column(&self, label: &str, key: &str) -> Column {
        if key.is_empty() {
            return Column {
                label: label.to_string(),
                href: None,
                arrow: "",
            };
        }
        let current = self.get("sort");
        let desc = self.get("order").as_deref() == Some("desc");
        let is = current.as_deref() == Some(key);
        let next_order = if is && !desc { "desc" } else { "" };
        Column {
            label: label.to_string(),
            href: Some(self.href_with(&[
                ("sort", key.to_string()),
                ("order", next_order.to_string()),
                ("page", String::new()),
            ])),
            arrow: if is {
                if desc { " ▼" } else { " ▲" }
            } else {
                ""
            },
        }
    }

    /// The current filters as a query string (for export links that keep them).
    pub fn filter_query(&self) -> String {
        let pairs: Vec<&(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, v)| !v.is_empty() && !matches!(k.as_str(), "page" | "per_page"))
            .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    pub fn text_filter(&self, name: &'static str, label: &str) -> FilterView {
        FilterView {
            name,
            label: label.to_string(),
            value: self.get(name).unwrap_or_default(),
            options: Vec::new(),
        }
    }

    pub fn select_filter(
        &self,
        name: &'static str,
        label: &str,
        options: Vec<(String, String)>,
    ) -> FilterView {
        FilterView {
            name,
            label: label.to_string(),
            value: self.get(name).unwrap_or_default(),
            options,
        }
    }

    /// The list page of one page of rows. `columns` are the catalogue keys of the column labels
    /// with their sort keys ("" for a column that does not sort); each row's cells take their
    /// labels from the columns in order. A caller adds its filters and "new" link to the view.
    pub fn view<T>(
        &self,
        lang: Lang,
        title: String,
        columns: &[(&str, &str)],
        page: &Page<T>,
        row: impl Fn(&T) -> Vec<Cell>,
    ) -> ListView {
        let labels: Vec<&'static str> = columns.iter().map(|(key, _)| lang.t(key)).collect();
        let pages = page.pages().max(1);
        ListView {
            title,
            base: self.base.to_string(),
            new_link: None,
            extra_links: Vec::new(),
            export: Some(self.href_with(&[("format", "csv".into()), ("page", String::new())])),
            filters: Vec::new(),
            rows: page
                .items
                .iter()
                .map(|item| labelled(row(item), &labels))
                .collect(),
            columns: columns
                .iter()
                .zip(&labels)
                .map(|((_, sort), label)| self.column(label, sort))
                .collect(),
            total_text: lang.t("list.total").replace(
                "{n}",
                &if page.total_capped {
                    format!("{}+", page.total)
                } else {
                    page.total.to_string()
                },
            ),
            page_text: lang
                .t("list.page")
                .replace("{p}", &page.page.to_string())
                .replace("{n}", &pages.to_string()),
            prev: (page.page > 1).then(|| self.href_with(&[("page", (page.page - 1).to_string())])),
            next: (page.page < pages)
                .then(|| self.href_with(&[("page", (page.page + 1).to_string())])),
            note: None,
        }
    }
}

/// A list as its reader asked for it: the page, or with `format=csv` the same columns and rows
/// as a CSV download named after the list's address (`/logs/operations` → `logs-operations.csv`).
pub fn respond(
    a: &crate::auth::Authed,
    lang: Lang,
    p: &ListParams,
    v: ListView,
) -> axum::response::Response {
    if !p.wants_csv() || v.export.is_none() {
        return super::render(&super::view::ListPage::of(a, lang, v));
    }
    let head: Vec<&str> = v.columns.iter().map(|c| c.label.as_str()).collect();
    let mut csv = crate::csv::Csv::new(&head);
    for row in &v.rows {
        csv.row(row.iter().map(|c| c.text.as_str()));
    }
    let name = v.base.trim_matches('/').replace('/', "-");
    csv.into_response(&format!("{name}.csv"))
}

/// Gives each cell of a row its column's label (shown beside it in the phone layout).
fn labelled(mut row: Vec<Cell>, labels: &[&'static str]) -> Vec<Cell> {
    for (cell, label) in row.iter_mut().zip(labels) {
        cell.label = label;
    }
    row
}

/// "Yes" and "no" as select options ("true", "false").
pub fn yes_no_options(lang: Lang) -> Vec<(String, String)> {
    vec![
        ("true".into(), lang.t("yes").into()),
        ("false".into(), lang.t("no").into()),
    ]
}

/// A cell of plain text.
pub fn cell(text: impl Into<String>) -> Cell {
    Cell {
        label: "",
        text: text.into(),
        href: None,
        badge: None,
        nowrap: false,
    }
}

/// A date, kept on one line.
pub fn date(text: impl Into<String>) -> Cell {
    Cell {
        nowrap: true,
        ..cell(text)
    }
}

/// A cell that links to `href`.
pub fn link(text: impl Into<String>, href: String) -> Cell {
    Cell {
        label: "",
        text: text.into(),
        href: Some(href),
        badge: None,
        nowrap: false,
    }
}

/// A cell shown as a badge of `class` (ok, warn, bad).
pub fn badge(text: impl Into<String>, class: &'static str) -> Cell {
    Cell {
        label: "",
        text: text.into(),
        href: None,
        badge: Some(class),
        nowrap: false,
    }
}
