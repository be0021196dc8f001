//! The English interface reads in English: every page each demo role can reach, and the public
//! pages signed out, are crawled in English, and every run of Chinese characters left in the
//! visible text must be data (a text value stored in the database) or a proper name listed below.
use crate::common;

use common::{Engine, TestApp};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

/// Demo accounts, one per role (README.md).
const ROLES: &[&str] = &[
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

/// Proper names that stay Chinese in English text, each with its reason.
const PROPER_NAMES: &[&str] = &[
    // The product's name, printed beside its English name "Sijian".
    "司鉴",
    // The language switch names Chinese in Chinese, so a reader of Chinese finds it.
    "中文",
];

const SHIPPED_HOLIDAYS: &str = include_str!("../../../domain/data/holidays.txt");

/// Pages visited per path shape (ids replaced) and role: the labels of one detail page are those
/// of the next, and a few of each catch pages whose text depends on the record's state.
const PER_SHAPE: usize = 4;
/// A bound on the pages visited per role, so a link loop cannot keep the test running.
const PER_ROLE: usize = 400;

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Maximal runs of CJK ideographs in `text`.
fn cjk_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if is_cjk(c) {
            cur.push(c);
        } else if !cur.is_empty() {
            runs.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

/// Every substring of every CJK run in stored data: a run on a page is data when it is one of
/// these (a name, a place, a stored reason…).
struct Corpus {
    short: HashSet<String>,
    long: Vec<String>,
}

const SHORT: usize = 48;

impl Corpus {
    fn new(values: &[String]) -> Corpus {
        let mut short = HashSet::new();
        let mut long = Vec::new();
        for v in values {
            for run in cjk_runs(v) {
                let chars: Vec<char> = run.chars().collect();
                if chars.len() > SHORT {
                    long.push(run.clone());
                }
                for i in 0..chars.len() {
                    for j in i + 1..=chars.len().min(i + SHORT) {
                        short.insert(chars[i..j].iter().collect::<String>());
                    }
                }
            }
        }
        Corpus { short, long }
    }
    fn contains(&self, run: &str) -> bool {
        if run.chars().count() <= SHORT {
            self.short.contains(run)
        } else {
            self.long.iter().any(|l| l.contains(run))
        }
    }
}

fn decode_entities(s: &str) -> String {
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
fn attr(tag: &str, name: &str) -> Option<String> {
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
fn visible(html: &str) -> (Vec<String>, Vec<String>) {
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
fn shape(path: &str) -> String {
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
fn followable(href: &str) -> Option<String> {
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

#[derive(Default)]
struct Findings {
    /// page → role → runs
    by_page: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
}

async fn crawl(
    app: &TestApp,
    http: &reqwest::Client,
    role: &str,
    seeds: &[String],
    corpus: &Corpus,
    findings: &mut Findings,
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
        for t in &texts {
            for run in cjk_runs(t) {
                if PROPER_NAMES.contains(&run.as_str()) || corpus.contains(&run) {
                    continue;
                }
                findings
                    .by_page
                    .entry(shape(&path))
                    .or_default()
                    .entry(role.to_string())
                    .or_default()
                    .insert(run);
            }
        }
        queue.extend(links.iter().filter_map(|h| followable(h)));
    }
    visited
}

/// Every page route in `web/mod.rs` that shows something on a GET, with real ids.
async fn seeds(app: &TestApp) -> Vec<String> {
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

/// One line per page and set of runs, naming the roles that saw it.
fn report(findings: &Findings) -> String {
    let mut out = String::new();
    for (page, roles) in &findings.by_page {
        let mut same: BTreeMap<&BTreeSet<String>, Vec<&str>> = BTreeMap::new();
        for (role, runs) in roles {
            same.entry(runs).or_default().push(role);
        }
        for (runs, roles) in same {
            let runs: Vec<&str> = runs.iter().map(String::as_str).collect();
            out.push_str(&format!(
                "{page} [{}]: {}\n",
                roles.join(", "),
                runs.join(" | ")
            ));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_reads_in_english() {
    let app = TestApp::start(Engine::Sqlite)
        .await
        .expect("sqlite always available");
    let mut data = sijian_store::export::all_text(&app.db).await.unwrap();
    // The holiday tables shipped with the platform are data as loaded ones are: the State
    // Council notices' titles and holiday names, as published.
    data.extend(
        SHIPPED_HOLIDAYS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(String::from),
    );
    let corpus = Corpus::new(&data);
    let seeds = seeds(&app).await;
    let mut findings = Findings::default();

    // Signed out: the cookie chooses the language.
    let anon = app.anon();
    anon.http.get(app.url("/lang/en")).send().await.unwrap();
    let public: Vec<String> = seeds
        .iter()
        .filter(|s| s.starts_with("/directory") || s.starts_with("/login") || s == &"/ledger")
        .cloned()
        .collect();
    let n = crawl(
        &app,
        &anon.http,
        "signed out",
        &public,
        &corpus,
        &mut findings,
    )
    .await;
    assert!(n >= 4, "signed out: only {n} pages");

    for role in ROLES {
        let c = app.login(role).await;
        c.http.get(app.url("/lang/en")).send().await.unwrap();
        let n = crawl(&app, &c.http, role, &seeds, &corpus, &mut findings).await;
        assert!(n >= 10, "{role}: only {n} pages");
    }
    // The crawl itself stores data (the operations log records each refused page with its
    // reason): what was stored by the end is data too.
    let after = Corpus::new(&sijian_store::export::all_text(&app.db).await.unwrap());
    for roles in findings.by_page.values_mut() {
        for runs in roles.values_mut() {
            runs.retain(|r| !after.contains(r));
        }
        roles.retain(|_, runs| !runs.is_empty());
    }
    findings.by_page.retain(|_, roles| !roles.is_empty());
    app.stop().await;
    assert!(
        findings.by_page.is_empty(),
        "Chinese text on English pages (page [role]: runs):\n{}",
        report(&findings)
    );
}

/// The corpus of data holds what the demo stored, on both engines, and the checks above see
/// Chinese and attributes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_and_visible_text() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let Some(app) = TestApp::start(engine).await else {
            continue;
        };
        let all = sijian_store::export::all_text(&app.db).await.unwrap();
        let corpus = Corpus::new(&all);
        assert!(corpus.contains("浙江明正司法鉴定中心"), "{engine:?}");
        assert!(corpus.contains("明正"), "{engine:?}");
        assert!(!corpus.contains("受理日期"), "{engine:?}");
        app.stop().await;
    }
    let (texts, links) = visible(
        "<title>案件</title><style>p{}</style><script>var a='中';</script>\
         <p title=\"提示\">Case &amp; 鉴定</p><input type=submit value='提交'>\
         <input name=x value='数据'><a href=\"/cases/1\">x</a>",
    );
    let runs: Vec<String> = texts.iter().flat_map(|t| cjk_runs(t)).collect();
    assert_eq!(runs, ["案件", "提示", "鉴定", "提交"]);
    assert_eq!(links, ["/cases/1"]);
    assert_eq!(
        shape("/cases/12/steps/accept?x=1"),
        "/cases/{id}/steps/accept?x"
    );
}
