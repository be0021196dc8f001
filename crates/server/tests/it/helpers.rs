//! Requests several test files make the same way: a page form posted with the session's CSRF
//! token, and a register record found by its name through the admin's list search.
use crate::common::{Client, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

/// Posts a page form with the session's CSRF token and the `fields`, following redirects;
/// returns the status, the path it ended at and the page.
pub async fn submit_form(
    c: &Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let mut form: Vec<(&str, &str)> = vec![("_csrf", c.csrf.as_str())];
    form.extend_from_slice(fields);
    let res = c
        .http
        .post(format!("{}{path}", c.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    let st = res.status();
    let at = res.url().path().to_string();
    (st, at, res.text().await.unwrap())
}

/// The record named `name` in the list at `path` (`/api/v1/institutions`, `/api/v1/organs`),
/// searched as the admin.
pub async fn listed(app: &TestApp, path: &str, name: &str) -> Value {
    let admin = app.login("admin").await;
    let (st, body) = admin
        .get(&format!(
            "{path}?q={}&per_page=5",
            urlencoding::encode(name)
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("{name} not found"))
}
