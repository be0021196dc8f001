//! CSV exports of the register for regulators: UTF-8 with a byte-order mark (so spreadsheet
//! programs read Chinese correctly), RFC 4180 quoting, and cells that a spreadsheet would run
//! as a formula neutralised.
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// Builds a CSV document row by row.
pub struct Csv(String);

impl Csv {
    pub fn new(header: &[&str]) -> Self {
        let mut c = Csv(String::from('\u{feff}'));
        c.row(header.iter().copied());
        c
    }

    pub fn row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) {
        let line: Vec<String> = cells.into_iter().map(cell).collect();
        self.0.push_str(&line.join(","));
        self.0.push_str("\r\n");
    }

    pub fn into_response(self, filename: &str) -> Response {
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            self.0,
        )
            .into_response()
    }
}

fn cell(v: &str) -> String {
    // A leading = + - @ (or tab/CR) makes spreadsheets evaluate the cell (CSV injection).
    let v = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn quoting_and_formula_guard() {
        let mut c = super::Csv::new(&["a", "b"]);
        c.row(["x,y", "say \"hi\""]);
        c.row(["=SUM(A1)", "普通"]);
        assert_eq!(
            c.0,
            "\u{feff}a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n'=SUM(A1),普通\r\n"
        );
    }
}
