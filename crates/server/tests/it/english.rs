//! The English interface reads in English: every page each demo role can reach, and the public
//! pages signed out, are crawled in English, and every run of Chinese characters left in the
//! visible text must be data (a text value stored in the database) or a proper name listed below.
use crate::common;

use crate::crawl::{ROLES, public_seeds, seeds, shape, visible, walk};
use common::{Engine, TestApp};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Proper names that stay Chinese in English text, each with its reason.
const PROPER_NAMES: &[&str] = &[
    // The product's name, printed beside its English name "Sijian".
    "司鉴",
    // The language switch names Chinese in Chinese, so a reader of Chinese finds it.
    "中文",
];

const SHIPPED_HOLIDAYS: &str = include_str!("../../../domain/data/holidays.txt");

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

#[derive(Default)]
struct Findings {
    /// page → role → runs
    by_page: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
}

/// Crawls as `role`, noting every Chinese run on its pages that is neither data nor a proper
/// name.
async fn crawl(
    app: &TestApp,
    http: &reqwest::Client,
    role: &str,
    seeds: &[String],
    corpus: &Corpus,
    findings: &mut Findings,
) -> usize {
    walk(app, http, seeds, |path, texts, _| {
        for t in texts {
            for run in cjk_runs(t) {
                if PROPER_NAMES.contains(&run.as_str()) || corpus.contains(&run) {
                    continue;
                }
                findings
                    .by_page
                    .entry(shape(path))
                    .or_default()
                    .entry(role.to_string())
                    .or_default()
                    .insert(run);
            }
        }
    })
    .await
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
    let public = public_seeds(&seeds);
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
