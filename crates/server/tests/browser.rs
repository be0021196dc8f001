//! Main journey in headless Chromium: a regulator signs in, opens the institutions list, sees
//! Chinese labels, searches, sorts and opens a record; the same on a phone-sized screen.
mod common;

use common::{Engine, TestApp};
use fantoccini::{ClientBuilder, Locator};
use std::process::Stdio;
use std::time::Duration;

fn required() -> bool {
    std::env::var("SJTEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1")
}

/// The text of every element matching `css`.
async fn texts(c: &fantoccini::Client, css: &str) -> Vec<String> {
    let mut v = Vec::new();
    for e in c.find_all(Locator::Css(css)).await.unwrap() {
        v.push(e.text().await.unwrap());
    }
    v
}

fn find_binary(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| p.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regulator_opens_institution_list_in_chinese() {
    let (Some(driver), Some(chrome)) = (
        find_binary(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]),
        find_binary(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]),
    ) else {
        if required() {
            panic!(
                "browser tests required (SJTEST_REQUIRE_BROWSER=1) but chromium/chromedriver are not installed"
            );
        }
        eprintln!(
            "SKIPPED: chromium and chromedriver not installed (apt-get install chromium chromium-driver); .ci/run installs them"
        );
        return;
    };
    let app = TestApp::start(Engine::Sqlite).await.unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start chromedriver");
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "goog:chromeOptions": {
            "binary": chrome,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=zh-CN", "--window-size=1366,768"]
        }
    }))
    .unwrap();
    let mut client = None;
    for _ in 0..50 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => {
                client = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    let c = client.expect("chromedriver session");
    let shots = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    // The public register, without signing in: search narrows the list.
    c.goto(&app.url("/directory")).await.unwrap();
    assert_eq!(
        c.find(Locator::Css("main h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "鉴定机构名册"
    );
    assert_eq!(
        c.find_all(Locator::Css("tbody tr")).await.unwrap().len(),
        20
    );
    c.find(Locator::Css("input[name=q]"))
        .await
        .unwrap()
        .send_keys("宁波")
        .await
        .unwrap();
    c.find(Locator::Css("form.filters button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..50 {
        if c.find_all(Locator::Css("tbody tr")).await.unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        c.find_all(Locator::Css("tbody tr")).await.unwrap().len(),
        2,
        "two 宁波 institutions"
    );
    std::fs::write(shots.join("directory.png"), c.screenshot().await.unwrap()).unwrap();
    c.find(Locator::LinkText("宁波甬正司法鉴定所"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let h1 = c
        .wait()
        .for_element(Locator::Css("main h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, "宁波甬正司法鉴定所");

    // Search by item: 文书鉴定 (2.01) finds only institutions whose scope covers it, and the
    // institution page lists its scope and accreditation.
    c.goto(&app.url("/directory")).await.unwrap();
    c.find(Locator::Css("select[name=item]"))
        .await
        .unwrap()
        .select_by_value("2.01")
        .await
        .unwrap();
    c.find(Locator::Css("form.filters button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..50 {
        if c.current_url()
            .await
            .unwrap()
            .query()
            .is_some_and(|q| q.contains("item=2.01"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cats = texts(&c, "tbody tr td:nth-child(4)").await;
    assert!(!cats.is_empty() && cats.len() < 20, "{cats:?}");
    assert!(cats.iter().all(|t| t.contains("物证")), "{cats:?}");
    std::fs::write(
        shots.join("directory-item.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.find(Locator::Css("tbody tr td a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css("main h1")).await.unwrap();
    let body = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("文书鉴定"), "{body}");
    assert!(body.contains("业务范围"), "{body}");
    assert!(
        !body.contains("出生") && !body.contains("身份号码"),
        "{body}"
    );
    std::fs::write(
        shots.join("directory-institution.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    // The public page on verifying the log: the latest signed checkpoint and the keys.
    let mut page = String::new();
    for _ in 0..50 {
        c.goto(&app.url("/ledger")).await.unwrap();
        page = c
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if page.contains("记录条数") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        c.find(Locator::Css("main h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "防篡改核验"
    );
    for words in [
        "当前检查点",
        "根哈希",
        "公钥",
        "如何核验",
        "sijian ledger verify-bundle",
    ] {
        assert!(page.contains(words), "{words} missing: {page}");
    }
    let note = c
        .find(Locator::Id("checkpoint"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(note.starts_with("sijian.local/ledger\n"), "{note}");
    assert!(note.contains("— sijian.local/ledger "), "{note}");
    std::fs::write(shots.join("ledger.png"), c.screenshot().await.unwrap()).unwrap();

    c.goto(&app.url("/institutions")).await.unwrap();
    // Not signed in: the login page, in Chinese.
    let h2 = c
        .find(Locator::Css("main.login h2"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h2, "用户登录");
    std::fs::write(shots.join("login.png"), c.screenshot().await.unwrap()).unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("hz.reg")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(common::PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css("main h1")).await.unwrap();
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/institutions"),
        "back where the visitor wanted to go"
    );
    let h1 = c
        .find(Locator::Css("main h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(h1, "鉴定机构");
    let headers = texts(&c, "thead th").await;
    for label in ["名称", "许可证号", "所在行政区划", "业务类别", "状态"] {
        assert!(
            headers.iter().any(|h| h.starts_with(label)),
            "header {label} missing in {headers:?}"
        );
    }
    let rows = c.find_all(Locator::Css("tbody tr")).await.unwrap().len();
    assert_eq!(rows, 7, "杭州 has seven institutions in the demo");
    std::fs::write(
        shots.join("institutions.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    // Search narrows the list; sorting by a header keeps the search.
    c.find(Locator::Css("input[name=q]"))
        .await
        .unwrap()
        .send_keys("钱江")
        .await
        .unwrap();
    c.find(Locator::Css("form.filters button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..50 {
        if c.current_url()
            .await
            .unwrap()
            .query()
            .is_some_and(|q| q.contains("q="))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cells = c.find_all(Locator::Css("tbody tr")).await.unwrap().len();
    assert_eq!(cells, 1);
    c.find(Locator::LinkText("杭州钱江司法鉴定所"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let title = c
        .find(Locator::Css("main h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(title, "杭州钱江司法鉴定所");
    let dts = texts(&c, "dl.fields dt").await;
    assert!(dts.contains(&"统一社会信用代码".to_string()), "{dts:?}");
    std::fs::write(
        shots.join("institution-detail.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    // The workbench warns when a holiday table is missing; the calendar computes deadlines.
    c.goto(&app.url("/")).await.unwrap();
    std::fs::write(shots.join("workbench.png"), c.screenshot().await.unwrap()).unwrap();
    c.goto(&app.url("/calendar")).await.unwrap();
    c.find(Locator::Css("input[name=from]"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    c.find(Locator::Css("input[name=from]"))
        .await
        .unwrap()
        .send_keys("09302026")
        .await
        .unwrap();
    let days = c.find(Locator::Css("input[name=days]")).await.unwrap();
    days.clear().await.unwrap();
    days.send_keys("7").await.unwrap();
    c.find(Locator::Css("form.filters button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let result = c
        .wait()
        .for_element(Locator::Id("deadline-result"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(result.contains("2026-10-15"), "{result}");
    std::fs::write(shots.join("calendar.png"), c.screenshot().await.unwrap()).unwrap();

    // An appraiser's page shows the masked ID number and the practice record.
    c.goto(&app.url("/appraisers")).await.unwrap();
    c.find(Locator::Css("tbody tr td a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Css("main h1")).await.unwrap();
    let body = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("********"), "masked ID number: {body}");
    // Its timeline shows each event's place in the log, with a link to the offline proof.
    assert!(
        body.contains("已入账 #"),
        "log status on the timeline: {body}"
    );
    let proof = c
        .find(Locator::Css("a.ledger-proof"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(
        proof.starts_with("/api/v1/events/") && proof.ends_with("/proof"),
        "{proof}"
    );
    for section in [
        "执业机构经历（转所记录）",
        "培训、保险与宣誓",
        "鉴定人助理",
        "执业状态历史",
    ] {
        assert!(body.contains(section), "{section} missing");
    }
    std::fs::write(
        shots.join("appraiser-detail.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();

    // The city regulator's licensing queue shows each application's statutory clock.
    c.goto(&app.url("/applications")).await.unwrap();
    let stages = texts(&c, "tbody tr td:nth-child(6)").await;
    assert!(stages.iter().any(|t| t.contains("已提交")), "{stages:?}");
    let clocks = texts(&c, "tbody tr td:nth-child(7)").await;
    assert!(clocks.iter().any(|t| t.contains("工作日")), "{clocks:?}");
    std::fs::write(
        shots.join("applications.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.goto(&app.url("/applications/new/appraiser_register"))
        .await
        .unwrap();
    std::fs::write(
        shots.join("application-new.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    // A required choice starts unchosen ("请选择…"), so a clerk cannot file for the wrong
    // institution by leaving the first option in place.
    let chosen = c
        .find(Locator::Css("select[name=institution_id]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(chosen.as_deref(), Some(""));

    // On a phone-sized screen the table becomes cards and the menu folds away.
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&app.url("/appraisers")).await.unwrap();
    let nav_visible = c
        .find(Locator::Css("nav.nav"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap();
    assert!(!nav_visible, "menu folded on a phone");
    std::fs::write(
        shots.join("appraisers-phone.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    eprintln!("screenshots in {}", shots.display());

    c.close().await.unwrap();
    let _ = child.kill().await;
    app.stop().await;
}
