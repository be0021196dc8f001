//! A page never shows a link its reader may not follow: every page each demo role reaches (and
//! the public pages signed out) is crawled, and every same-site link on it — pages, proofs, PDFs,
//! exports, attachments — is fetched as that reader. Any answer of 400 or above, or a signed-in
//! reader sent to the login page, fails the test with the page that showed the link. The same
//! crawl fails on raw records in a page's text (issue 15, point 1): a JSON payload or an event's
//! code such as `case.contract_signed`, except in an administrator's technical view.
use crate::common::{Engine, TestApp};
use crate::crawl::{ROLES, public_seeds, seeds, shape, walk};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Links fetched per link shape (ids replaced) and reader: the rights on one case's proof link
/// are those of the next, and a few of each catch links whose rights depend on the record.
const PER_LINK_SHAPE: usize = 3;

/// A same-site link worth fetching: not the sign-out or language switch (they change the
/// session), not an anchor on the same page.
fn checkable(href: &str) -> Option<String> {
    let href = href.split('#').next()?;
    if !href.starts_with('/') || href.starts_with("//") {
        return None;
    }
    let path = href.split('?').next()?;
    if path == "/logout" || path.starts_with("/lang/") {
        return None;
    }
    Some(href.to_string())
}

/// Link shape → (status or what went wrong, reader, page that showed it).
type Dead = BTreeMap<String, BTreeSet<(String, String, String)>>;

const CATALOGUE: &str = include_str!("../../i18n/messages.toml");

/// The event kinds the catalogue names (`"event.case.accepted" = …` → `case.accepted`).
fn event_kinds() -> Vec<String> {
    CATALOGUE
        .lines()
        .filter_map(|l| l.strip_prefix("\"event."))
        .filter_map(|l| l.split('"').next())
        .filter(|k| k.contains('.') && !k.starts_with("field.") && !k.starts_with("via."))
        .map(String::from)
        .collect()
}

/// Raw record text on a page: a JSON object, or an event's code.
fn raw_record(text: &str, kinds: &[String]) -> Option<String> {
    if text.contains("{\"") || text.contains("\":") {
        return Some(text.chars().take(80).collect());
    }
    kinds
        .iter()
        .find(|k| text.contains(k.as_str()))
        .map(|k| k.to_string())
}

async fn check_links(
    app: &TestApp,
    http: &reqwest::Client,
    reader: &str,
    signed_in: bool,
    seeds: &[String],
    dead: &mut Dead,
) -> usize {
    let mut shown: Vec<(String, String)> = Vec::new();
    let kinds = event_kinds();
    let technical_view = reader == "admin";
    let mut raw: Vec<(String, String)> = Vec::new();
    let pages = walk(app, http, seeds, |page, texts, links| {
        if !technical_view {
            raw.extend(
                texts
                    .iter()
                    .filter_map(|t| raw_record(t, &kinds))
                    .map(|r| (page.to_string(), r)),
            );
        }
        shown.extend(
            links
                .iter()
                .filter_map(|h| checkable(h))
                .map(|l| (l, page.to_string())),
        );
    })
    .await;
    assert!(pages >= 4, "{reader}: only {pages} pages");
    for (page, text) in raw {
        dead.entry("raw record in a page's text".into())
            .or_default()
            .insert((text, reader.to_string(), page));
    }
    let mut per_shape: HashMap<String, usize> = HashMap::new();
    let mut fetched: BTreeSet<String> = BTreeSet::new();
    for (link, page) in shown {
        if fetched.contains(&link) {
            continue;
        }
        let n = per_shape.entry(shape(&link)).or_default();
        if *n >= PER_LINK_SHAPE {
            continue;
        }
        *n += 1;
        fetched.insert(link.clone());
        let res = http.get(app.url(&link)).send().await.unwrap();
        let status = res.status();
        let to_login = signed_in && res.url().path() == "/login";
        if status.as_u16() >= 400 || to_login {
            let what = if to_login {
                "sent to the login page".to_string()
            } else {
                status.as_u16().to_string()
            };
            dead.entry(shape(&link)).or_default().insert((
                format!("{link} → {what}"),
                reader.to_string(),
                page,
            ));
        }
    }
    fetched.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_link_a_reader_sees_can_be_followed() {
    // The public directory's rate limit would answer the crawl's burst with 429.
    let app = TestApp::start_with(Engine::Sqlite, |cfg| {
        cfg.security.public_requests_per_second = 10_000.0;
        cfg.security.public_burst = 10_000.0;
    })
    .await
    .expect("sqlite always available");
    let seeds = seeds(&app).await;
    let mut dead = Dead::new();

    let anon = app.anon();
    let public = public_seeds(&seeds);
    check_links(&app, &anon.http, "signed out", false, &public, &mut dead).await;
    let mut links = 0;
    for role in ROLES {
        let c = app.login(role).await;
        links += check_links(&app, &c.http, role, true, &seeds, &mut dead).await;
    }
    app.stop().await;
    assert!(links >= 200, "only {links} links fetched");
    let report: Vec<String> = dead
        .iter()
        .flat_map(|(shape, hits)| {
            hits.iter()
                .take(4)
                .map(move |(what, reader, page)| format!("{shape}: {what} [{reader} on {page}]"))
        })
        .collect();
    assert!(
        dead.is_empty(),
        "links their reader cannot follow (link shape: link → status [reader on page]), and raw \
         records shown:\n{}",
        report.join("\n")
    );
}

/// Reason fields are multi-line text boxes, and a field in error names its message for screen
/// readers (issue 15, point 4: every "textarea" was an `<input type="textarea">`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reason_fields_are_text_boxes() {
    let app = TestApp::start(Engine::Sqlite)
        .await
        .expect("sqlite always available");
    let application = app
        .scalar_i64("SELECT MIN(id) FROM applications WHERE stage NOT IN ('approved', 'refused', 'withdrawn')")
        .await;
    let reg = app.login("zj.reg").await;
    let (_, page) = reg
        .page(&format!("/applications/{application}/decide"))
        .await;
    app.stop().await;
    assert!(!page.contains("type=\"textarea\""), "{page}");
    assert!(
        page.contains("<textarea id=\"f-reasons\" name=\"reasons\""),
        "{page}"
    );
}
