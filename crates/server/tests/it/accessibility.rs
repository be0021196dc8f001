//! Accessibility (issue 15, point 12; GB/T 37668 and WCAG 2.1 AA): every kind of page each main
//! role reaches, and the public pages signed out, is opened in headless Chromium and checked with
//! axe-core's WCAG 2 A and AA rules (tests/it/axe/). Any failing element fails the test, named
//! with the page, the rule and the element.
use crate::browser::{browser, sign_in};
use crate::common::{Engine, TestApp};
use crate::crawl::{public_seeds, seeds, shape, walk};
use std::collections::BTreeSet;

const AXE: &str = include_str!("axe/axe.min.js");

/// The readers whose pages are audited, signed out first. Each kind of page (path with its ids
/// replaced) is audited once, as the first reader who reaches it, so the run stays short.
const READERS: &[&str] = &[
    "",
    "court",
    "inst.clerk",
    "appraiser",
    "zj.reg",
    "inspector",
    "admin",
];

/// The page's failing elements as "rule: element (help)" lines.
async fn audit(c: &fantoccini::Client) -> Vec<String> {
    c.execute(AXE, vec![]).await.expect("load axe");
    let out = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                 .then(r => done(r.violations.flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ') + ' (' + v.help + ')'))))
                 .catch(e => done(['axe failed: ' + e]));"#,
            vec![],
        )
        .await
        .expect("run axe");
    out.as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_page_passes_the_wcag_aa_rules() {
    let Some((c, mut child)) = browser().await else {
        return;
    };
    let app = TestApp::start_with(Engine::Sqlite, |cfg| {
        cfg.security.public_requests_per_second = 10_000.0;
        cfg.security.public_burst = 10_000.0;
    })
    .await
    .expect("sqlite always available");
    let all_seeds = seeds(&app).await;
    let shots = crate::browser::shots_dir();
    let mut audited: BTreeSet<String> = BTreeSet::new();
    let mut failures: Vec<String> = Vec::new();
    let mut pages = 0;
    for reader in READERS {
        let (http, start) = if reader.is_empty() {
            (app.anon().http, public_seeds(&all_seeds))
        } else {
            (app.login(reader).await.http, all_seeds.clone())
        };
        let mut mine: Vec<String> = Vec::new();
        walk(&app, &http, &start, |page, _, _| {
            if audited.insert(shape(page)) {
                mine.push(page.to_string());
            }
        })
        .await;
        c.delete_all_cookies().await.unwrap();
        if !reader.is_empty() {
            sign_in(&c, &app, reader).await;
        }
        // The reader's front page at both widths, audited at phone width too, its screenshots
        // kept with the others (CI keeps them as artefacts).
        let who = if reader.is_empty() { "public" } else { reader };
        for (w, h) in [(390, 844), (1366, 768)] {
            c.set_window_size(w, h).await.unwrap();
            c.goto(&app.url("/")).await.unwrap();
            std::fs::write(
                shots.join(format!("home-{who}-{w}.png")),
                c.screenshot().await.unwrap(),
            )
            .unwrap();
            if w == 390 {
                failures.extend(
                    audit(&c)
                        .await
                        .into_iter()
                        .map(|f| format!("/ at {w} px [{who}] {f}")),
                );
            }
        }
        for page in mine {
            c.goto(&app.url(&page)).await.unwrap();
            pages += 1;
            let who = if reader.is_empty() {
                "signed out"
            } else {
                reader
            };
            failures.extend(
                audit(&c)
                    .await
                    .into_iter()
                    .map(|f| format!("{page} [{who}] {f}")),
            );
        }
    }
    c.close().await.unwrap();
    let _ = child.kill().await;
    app.stop().await;
    assert!(pages >= 30, "only {pages} pages audited");
    assert!(
        failures.is_empty(),
        "{} failing elements on {pages} pages:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
