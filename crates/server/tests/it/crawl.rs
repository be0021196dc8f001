//! A crawl of the pages a role reaches: the demo roles, the page routes with real ids to start
//! from, and what a reader sees of a page (its text and its links).
use crate::common::TestApp;
use std::collections::{HashMap, HashSet, VecDeque};

/// Demo accounts, one per role (README.md).
pub const ROLES: &[&str] = &[
    "admin",
    "moj",
    "zj.reg",
    "hz.reg",
    "xh.reg",
    "assoc",
    "inspector",
    "inst.head",
    "inst.clerk",
    "appraiser",
    "court",
    "procurator",
    "police",
];

/// Pages visited per path shape (ids replaced) and role: the labels of one detail page are those
/// of the next, and a few of each catch pages whose text depends on the record's state.
pub const PER_SHAPE: usize = 4;
/// A bound on the pages visited per role, so a link loop cannot keep the test running.
pub const PER_ROLE: usize = 400;

pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e <= 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..end];
        let decoded = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value of attribute `name` in a start tag's text.
pub fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before = lower[..at].chars().last();
        if !matches!(before, Some(c) if c.is_whitespace()) {
            continue;
        }
        let rest = lower[from..].trim_start();
        if !rest.starts_with('=') {
            continue;
        }
        let offset = tag.len() - rest.len() + 1;
        let value = tag[offset..].trim_start();
        let (q, body) = match value.chars().next() {
            Some(q @ ('"' | '\'')) => (q, &value[1..]),
            _ => {
                let end = value
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(value.len());
                return Some(decode_entities(&value[..end]));
            }
        };
        let end = body.find(q).unwrap_or(body.len());
        return Some(decode_entities(&body[..end]));
    }
    None
}

/// What a reader sees of a page: text outside tags (not scripts or styles), the `title`,
/// `placeholder`, `aria-label` and `alt` of elements and the `value` of buttons; and the links.
pub fn visible(html: &str) -> (Vec<String>, Vec<String>) {
    let mut texts = Vec::new();
    let mut links = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            texts.push(decode_entities(rest));
            break;
        };
        texts.push(decode_entities(&rest[..lt]));
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map(|e| &rest[e + 3..]).unwrap_or("");
            continue;
        }
        let Some(gt) = rest.find('>') else { break };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            let end = rest.to_ascii_lowercase().find(&close).unwrap_or(rest.len());
            rest = &rest[end..];
            continue;
        }
        for a in ["title", "placeholder", "aria-label", "alt"] {
            if let Some(v) = attr(tag, a) {
                texts.push(v);
            }
        }
        let button = name == "button"
            || (name == "input"
                && matches!(
                    attr(tag, "type").as_deref(),
                    Some("submit" | "button" | "reset")
                ));
        if button && let Some(v) = attr(tag, "value") {
            texts.push(v);
        }
        if name == "a"
            && let Some(h) = attr(tag, "href")
        {
            links.push(h);
        }
    }
    (texts, links)
}

/// A path with its ids replaced, so pages of the same kind count together.
pub fn shape(path: &str) -> String {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let segs: Vec<String> = p
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.chars().any(|c| c.is_ascii_digit()) {
                "{id}".to_string()
            } else {
                s.to_string()
            }
        })
        .collect();
    let keys: Vec<&str> = q
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    format!("{}?{}", segs.join("/"), keys.join("&"))
}

/// Links worth following: same site, a page rather than a file, no side effect on a GET.
pub fn followable(href: &str) -> Option<String> {
    let href = href.split('#').next()?;
    if !href.starts_with('/') || href.starts_with("//") {
        return None;
    }
    let path = href.split('?').next()?;
    let skip = ["/lang/", "/logout", "/static/", "/api/"];
    if skip.iter().any(|s| path.starts_with(s))
        || path.contains("/attachments/")
        || path.ends_with(".csv")
        || path.ends_with(".pdf")
        || path.ends_with(".json")
        || href.contains("format=csv")
    {
        return None;
    }
    Some(href.to_string())
}

/// Every page route in `web/mod.rs` that shows something on a GET, with real ids.
pub async fn seeds(app: &TestApp) -> Vec<String> {
    let first = |table: &str| format!("SELECT COALESCE(MIN(id), 0) FROM {table}");
    let case = app.scalar_i64(&first("cases")).await;
    let application = app.scalar_i64(&first("applications")).await;
    let institution = app.scalar_i64(&first("institutions")).await;
    let appraiser = app.scalar_i64(&first("appraisers")).await;
    let organ = app.scalar_i64(&first("organs")).await;
    let user = app.scalar_i64(&first("users")).await;
    let alert = app.scalar_i64(&first("linkage_alerts")).await;
    let year = 2026;
    vec![
        "/".into(),
        "/login".into(),
        "/account".into(),
        "/account/password".into(),
        "/users".into(),
        "/users/new".into(),
        format!("/users/{user}"),
        format!("/users/{user}/edit"),
        format!("/users/{user}/password"),
        "/tokens".into(),
        format!("/appraisers/{appraiser}/records/new"),
        format!("/appraisers/{appraiser}/assistants/new"),
        "/applications".into(),
        "/applications/new".into(),
        format!("/applications/{application}"),
        format!("/applications/{application}/check"),
        format!("/applications/{application}/review"),
        format!("/applications/{application}/decide"),
        format!("/applications/{application}/extend"),
        "/experts".into(),
        "/experts/new".into(),
        "/institutions".into(),
        "/institutions/new".into(),
        format!("/institutions/{institution}"),
        format!("/institutions/{institution}/edit"),
        "/appraisers".into(),
        "/appraisers/new".into(),
        format!("/appraisers/{appraiser}"),
        format!("/appraisers/{appraiser}/edit"),
        "/organs".into(),
        "/organs/new".into(),
        format!("/organs/{organ}"),
        format!("/organs/{organ}/edit"),
        "/calendar".into(),
        format!("/calendar/{year}"),
        "/directory".into(),
        "/directory/appraisers".into(),
        format!("/directory/institutions/{institution}"),
        "/ledger".into(),
        "/cases".into(),
        "/cases/new".into(),
        "/cases/deadlines".into(),
        format!("/cases/{case}"),
        "/linkage/alerts".into(),
        format!("/linkage/alerts/{alert}"),
        format!("/linkage/alerts/{alert}/decide"),
        "/events".into(),
        "/logs/operations".into(),
        "/logs/logins".into(),
        "/no/such/page".into(),
    ]
}

/// The seeds a signed-out visitor starts from: the public home page, the register, the log and
/// the sign-in page.
pub fn public_seeds(seeds: &[String]) -> Vec<String> {
    seeds
        .iter()
        .filter(|s| {
            s.starts_with("/directory") || s.starts_with("/login") || *s == "/ledger" || *s == "/"
        })
        .cloned()
        .collect()
}

/// Visits the HTML pages reachable from `seeds` by followable links (at most `PER_SHAPE` of a
/// path shape and `PER_ROLE` in all), handing each page's path, visible text and links to
/// `on_page`; returns how many pages were visited.
pub async fn walk(
    app: &TestApp,
    http: &reqwest::Client,
    seeds: &[String],
    mut on_page: impl FnMut(&str, &[String], &[String]),
) -> usize {
    let mut queue: VecDeque<String> = seeds.iter().cloned().collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut per_shape: HashMap<String, usize> = HashMap::new();
    let mut visited = 0;
    while let Some(path) = queue.pop_front() {
        if visited >= PER_ROLE || !seen.insert(path.clone()) {
            continue;
        }
        let n = per_shape.entry(shape(&path)).or_default();
        if *n >= PER_SHAPE {
            continue;
        }
        *n += 1;
        let res = http.get(app.url(&path)).send().await.unwrap();
        let html_page = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if !html_page {
            continue;
        }
        visited += 1;
        let body = res.text().await.unwrap();
        let (texts, links) = visible(&body);
        on_page(&path, &texts, &links);
        queue.extend(links.iter().filter_map(|h| followable(h)));
    }
    visited
}
