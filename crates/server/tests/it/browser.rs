//! Main journey in headless Chromium: a regulator signs in, opens the institutions list, sees
//! Chinese labels, searches, sorts and opens a record; the same on a phone-sized screen.
use crate::common;

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

/// Headless Chromium through ChromeDriver on a free port, or None (printing why) when they
/// are not installed and not required.
pub async fn browser() -> Option<(fantoccini::Client, tokio::process::Child)> {
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
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = tokio::process::Command::new(&driver)
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
    for _ in 0..50 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return Some((c, child)),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("chromedriver session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regulator_opens_institution_list_in_chinese() {
    let Some((c, mut child)) = browser().await else {
        return;
    };
    let app = TestApp::start(Engine::Sqlite).await.unwrap();
    let shots = shots_dir();

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
    type_into(&c, "input[name=q]", "宁波").await;
    click(&c, "form.filters button").await;
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
    shot(&c, &shots, "directory.png").await;
    click_to_navigate(&c, Locator::LinkText("宁波甬正司法鉴定所")).await;
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
    click(&c, "form.filters button").await;
    wait_for_query(&c, "item=2.01").await;
    let cats = texts(&c, "tbody tr td:nth-child(4)").await;
    assert!(!cats.is_empty() && cats.len() < 20, "{cats:?}");
    assert!(cats.iter().all(|t| t.contains("物证")), "{cats:?}");
    shot(&c, &shots, "directory-item.png").await;
    click_to_navigate(&c, Locator::Css("tbody tr td a")).await;
    c.wait().for_element(Locator::Css("main h1")).await.unwrap();
    let body = main_text(&c).await;
    assert!(body.contains("文书鉴定"), "{body}");
    assert!(body.contains("业务范围"), "{body}");
    assert!(
        !body.contains("出生") && !body.contains("身份号码"),
        "{body}"
    );
    shot(&c, &shots, "directory-institution.png").await;

    // The public page on verifying the log: the latest signed checkpoint and the keys.
    let mut page = String::new();
    for _ in 0..50 {
        c.goto(&app.url("/ledger")).await.unwrap();
        page = main_text(&c).await;
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
    shot(&c, &shots, "ledger.png").await;

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
    shot(&c, &shots, "login.png").await;
    fill_login(&c, "hz.reg").await;
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
    shot(&c, &shots, "institutions.png").await;

    // Search narrows the list; sorting by a header keeps the search.
    type_into(&c, "form.filters input[name=q]", "钱江").await;
    click(&c, "form.filters button").await;
    wait_for_query(&c, "q=").await;
    let cells = c.find_all(Locator::Css("tbody tr")).await.unwrap().len();
    assert_eq!(cells, 1);
    click_to_navigate(&c, Locator::LinkText("杭州钱江司法鉴定所")).await;
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
    shot(&c, &shots, "institution-detail.png").await;

    // The workbench warns when a holiday table is missing; the calendar computes deadlines.
    c.goto(&app.url("/")).await.unwrap();
    shot(&c, &shots, "workbench.png").await;
    c.goto(&app.url("/calendar")).await.unwrap();
    c.find(Locator::Css("input[name=from]"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    type_into(&c, "input[name=from]", "09302026").await;
    let days = c.find(Locator::Css("input[name=days]")).await.unwrap();
    days.clear().await.unwrap();
    days.send_keys("7").await.unwrap();
    click(&c, "form.filters button").await;
    let result = c
        .wait()
        .for_element(Locator::Id("deadline-result"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(result.contains("2026-10-15"), "{result}");
    shot(&c, &shots, "calendar.png").await;

    // An appraiser's page shows the masked ID number and the practice record.
    c.goto(&app.url("/appraisers")).await.unwrap();
    click_to_navigate(&c, Locator::Css("tbody tr td a")).await;
    c.wait().for_element(Locator::Css("main h1")).await.unwrap();
    let body = main_text(&c).await;
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
    shot(&c, &shots, "appraiser-detail.png").await;

    // The city regulator's licensing queue shows each application's statutory clock.
    c.goto(&app.url("/applications")).await.unwrap();
    let stages = texts(&c, "tbody tr td:nth-child(6)").await;
    assert!(stages.iter().any(|t| t.contains("已提交")), "{stages:?}");
    let clocks = texts(&c, "tbody tr td:nth-child(7)").await;
    assert!(clocks.iter().any(|t| t.contains("工作日")), "{clocks:?}");
    shot(&c, &shots, "applications.png").await;
    c.goto(&app.url("/applications/new/appraiser_register"))
        .await
        .unwrap();
    shot(&c, &shots, "application-new.png").await;
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
    shot(&c, &shots, "appraisers-phone.png").await;
    eprintln!("screenshots in {}", shots.display());

    c.close().await.unwrap();
    let _ = child.kill().await;
    app.stop().await;
}

/// Fills and sends the sign-in form already on screen, and waits for the next page.
/// Clicks the element `css` finds.
async fn click(c: &fantoccini::Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Types `text` into the element `css` finds.
async fn type_into(c: &fantoccini::Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Where the browser tests keep their screenshots (CI copies them as artefacts).
pub fn shots_dir() -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Saves a screenshot of the current page as `dir/name`, to be looked at.
async fn shot(c: &fantoccini::Client, dir: &std::path::Path, name: &str) {
    std::fs::write(dir.join(name), c.screenshot().await.unwrap()).unwrap();
}

/// The text of the page's `main` element.
async fn main_text(c: &fantoccini::Client) -> String {
    c.find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits (up to 5 s) until the current address's query contains `needle`.
async fn wait_for_query(c: &fantoccini::Client, needle: &str) {
    for _ in 0..50 {
        if c.current_url()
            .await
            .unwrap()
            .query()
            .is_some_and(|q| q.contains(needle))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn fill_login(c: &fantoccini::Client, user: &str) {
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(common::PASSWORD)
        .await
        .unwrap();
    click_to_navigate(c, Locator::Id("login-submit")).await;
}

/// Clicks what leads to another page and waits until that page has replaced this one: the old
/// document must be gone, since both pages have a `main h1`.
async fn click_to_navigate(c: &fantoccini::Client, target: Locator<'_>) {
    let old = c.find(Locator::Css("html")).await.unwrap();
    c.find(target).await.unwrap().click().await.unwrap();
    for _ in 0..100 {
        if old.tag_name().await.is_err() {
            c.wait().for_element(Locator::Css("main h1")).await.unwrap();
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the click did not lead to another page");
}

pub async fn sign_in(c: &fantoccini::Client, app: &TestApp, user: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    fill_login(c, user).await;
}

/// Waits for the new case's page after a commission is sent (the form's own heading is still
/// there at first) and answers the case's id.
async fn new_case_page(c: &fantoccini::Client) -> i64 {
    for _ in 0..100 {
        let url = c.current_url().await.unwrap();
        if let Ok(id) = url.path().trim_start_matches("/cases/").parse::<i64>() {
            c.wait().for_element(Locator::Css("main h1")).await.unwrap();
            return id;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not on a case page: {}", main_text(c).await);
}

/// Submits the open step form, confirming the irreversible step, and waits for the case page.
async fn submit_step(c: &fantoccini::Client) {
    click(c, "form.form button.primary").await;
    let _ = c.accept_alert().await;
    for _ in 0..50 {
        if c.current_url()
            .await
            .unwrap()
            .query()
            .is_some_and(|q| q.contains("saved="))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let body = main_text(c).await;
    panic!("step not saved: {body}");
}

async fn check(c: &fantoccini::Client, name: &str, value: &str) {
    c.find(Locator::Css(&format!(
        "input[name={name}][value='{value}']"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
}

async fn select(c: &fantoccini::Client, name: &str, value: &str) {
    c.find(Locator::Css(&format!("select[name={name}]")))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

async fn fill(c: &fantoccini::Client, name: &str, value: &str) {
    c.find(Locator::Css(&format!("[name={name}]")))
        .await
        .unwrap()
        .send_keys(value)
        .await
        .unwrap();
}

/// The institution clerk's journey: a paper commission entered on the form, then every step to
/// an issued opinion with its code, all through the pages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clerk_takes_a_case_from_commission_to_a_coded_opinion() {
    let Some((c, mut child)) = browser().await else {
        return;
    };
    let app = TestApp::start(Engine::Sqlite).await.unwrap();
    let team: Vec<(i64,)> = app
        .db
        .fetch_all(
            "SELECT DISTINCT appraiser_id FROM case_assignments ORDER BY appraiser_id",
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    let reviewer = app
        .scalar_i64("SELECT MIN(reviewer_id) FROM case_reviewers")
        .await;
    let item: Vec<(String,)> = app
        .db
        .fetch_all(
            "SELECT items FROM cases ORDER BY id LIMIT 1",
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    let item = item[0].0.clone();
    let shots = shots_dir();

    sign_in(&c, &app, "inst.clerk").await;
    c.goto(&app.url("/cases")).await.unwrap();
    click_to_navigate(&c, Locator::LinkText("新建委托")).await;
    c.wait()
        .for_element(Locator::Css("form.form"))
        .await
        .unwrap();
    fill(&c, "client_name", "杭州市西湖区人民法院").await;
    select(&c, "client_kind", "court").await;
    fill(&c, "case_number", "（2026）浙0106民初9001号").await;
    select(&c, "case_type", "civil").await;
    check(&c, "items", &item).await;
    fill(&c, "purpose", "确定伤残等级").await;
    fill(&c, "summary", "原告在交通事故中受伤。").await;
    fill(&c, "person_name", "张三").await;
    fill(&c, "person_id", "11010519491231002X").await;
    for (k, v) in [
        ("name", "病历"),
        ("kind", "书证"),
        ("quantity", "1 册"),
        ("condition", "完好"),
        ("storage", "常温"),
        ("received_at", "2026-11-29 09:00"),
    ] {
        fill(&c, &format!("m_{k}"), v).await;
    }
    shot(&c, &shots, "case-new.png").await;
    click(&c, "form.form button.primary").await;
    let id = new_case_page(&c).await;
    let body = main_text(&c).await;
    assert!(
        body.contains("张*") && !body.contains("张三"),
        "masked examined person"
    );
    assert!(body.contains("受理期限"), "{body}");

    // Accept from the case page's button; then each step by its form.
    click_to_navigate(&c, Locator::LinkText("受理")).await;
    submit_step(&c).await;
    let step = async |name: &str| {
        c.goto(&app.url(&format!("/cases/{id}/steps/{name}")))
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("form.form"))
            .await
            .unwrap();
    };
    step("contract").await;
    submit_step(&c).await;
    step("assign").await;
    for (a,) in &team[..2] {
        check(&c, "appraiser_ids", &a.to_string()).await;
    }
    submit_step(&c).await;
    step("start").await;
    submit_step(&c).await;
    step("review-request").await;
    check(&c, "reviewer_ids", &reviewer.to_string()).await;
    submit_step(&c).await;
    step("review").await;
    select(&c, "reviewer_id", &reviewer.to_string()).await;
    select(&c, "agrees", "true").await;
    fill(&c, "opinion", "程序合规，同意出具").await;
    submit_step(&c).await;
    for (a,) in &team[..2] {
        step("sign").await;
        select(&c, "appraiser_id", &a.to_string()).await;
        submit_step(&c).await;
    }
    step("seal").await;
    submit_step(&c).await;
    step("issue").await;
    let pdf = shots.join("opinion.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n% browser journey\n%%EOF\n").unwrap();
    fill(&c, "document", pdf.to_str().unwrap()).await;
    // The conclusion as the opinion states it (通则第四十一条: corrections are checked against it).
    select(&c, "conclusion", "text").await;
    fill(&c, "conclusion_text", "构成轻伤二级").await;
    submit_step(&c).await;

    let body = main_text(&c).await;
    assert!(body.contains("已出具"), "{body}");
    assert!(
        body.contains("构成轻伤二级"),
        "the recorded conclusion: {body}"
    );
    // The field list reads label, then value, line by line.
    let lines: Vec<&str> = body.lines().map(str::trim).collect();
    let code = lines
        .iter()
        .position(|l| *l == "鉴定意见书编码")
        .and_then(|i| lines.get(i + 1))
        .unwrap_or_else(|| panic!("no code on the page: {body}"));
    sijian_domain::opinion_code::OpinionCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
    assert!(body.contains("查询校验码"));
    let key = lines
        .iter()
        .position(|l| *l == "查询校验码")
        .and_then(|i| lines.get(i + 1))
        .unwrap_or_else(|| panic!("no key on the page: {body}"));
    shot(&c, &shots, "case-issued.png").await;
    // The QR code's target, as the cover label prints it (the address with the key and the
    // signed token): valid, the QR code shown, its signature checked.
    let (_, v) = app
        .anon()
        .get(&format!("/api/v1/opinions/{code}/verification?key={key}"))
        .await;
    let qr = v["details"]["qr_content"].as_str().unwrap().to_string();
    let qr_path = &qr[qr.find("/v/").unwrap()..];
    c.goto(&app.url(qr_path)).await.unwrap();
    let status = c
        .find(Locator::Id("verify-status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(status, "有效");
    let page = main_text(&c).await;
    assert!(
        page.contains("二维码签名") && page.contains("内容与平台记录一致"),
        "{page}"
    );
    assert!(
        page.contains("签名鉴定人"),
        "the key opens the details: {page}"
    );
    c.find(Locator::Css("#verify-qr svg")).await.unwrap();
    shot(&c, &shots, "verify-qr.png").await;
    // Comparing files: the file never leaves the machine.
    for (file, want) in [(pdf.clone(), "一致"), (shots.join("other.pdf"), "不一致")] {
        if !file.exists() {
            std::fs::write(&file, b"%PDF-1.4\n% not the opinion\n%%EOF\n").unwrap();
        }
        c.find(Locator::Id("verify-file"))
            .await
            .unwrap()
            .send_keys(file.to_str().unwrap())
            .await
            .unwrap();
        let mut got = String::new();
        for _ in 0..50 {
            got = c
                .find(Locator::Id("verify-result"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if got.starts_with(want) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(got.starts_with(want), "{want}: {got}");
    }
    shot(&c, &shots, "verify.png").await;

    // A regulator revokes the opinion through the pages (confirming the irreversible step);
    // the QR address shows it revoked at once, with the date and ground.
    c.delete_all_cookies().await.unwrap();
    sign_in(&c, &app, "zj.reg").await;
    c.goto(&app.url(&format!("/cases/{id}/steps/revoke")))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("form.form"))
        .await
        .unwrap();
    fill(&c, "reason", "浙司罚决字〔2026〕7号").await;
    submit_step(&c).await;
    c.goto(&app.url(qr_path)).await.unwrap();
    let status = c
        .find(Locator::Id("verify-status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(status, "已撤销");
    let page = main_text(&c).await;
    assert!(page.contains("浙司罚决字〔2026〕7号"), "{page}");
    shot(&c, &shots, "verify-revoked.png").await;
    c.goto(&app.url(&format!("/cases/{id}/print/contract")))
        .await
        .unwrap();
    let doc = c
        .find(Locator::Css("h1.doc-title"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(doc.replace(' ', ""), "司法鉴定委托书");
    shot(&c, &shots, "case-contract-print.png").await;

    c.close().await.unwrap();
    let _ = child.kill().await;
    app.stop().await;
}

/// The regulator's journey through the duplicate-appraisal queue: the same person and matter
/// commissioned at two institutions; the queue lists the alert, its page explains it, and the
/// regulator allows acceptance with a reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regulator_decides_a_duplicate_appraisal_alert() {
    let Some((c, mut child)) = browser().await else {
        return;
    };
    let app = TestApp::start(Engine::Sqlite).await.unwrap();
    let shots = shots_dir();
    let facts: Vec<(i64, String)> = app
        .db
        .fetch_all(
            "SELECT k.institution_id, k.items FROM cases k JOIN users u ON u.institution_id = k.institution_id \
             WHERE u.username = 'inst.clerk' ORDER BY k.id LIMIT 1",
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    let (inst_a, items) = facts[0].clone();
    let item = items.split(',').next().unwrap().to_owned();
    let inst_b = app
        .scalar_i64(&format!(
            "SELECT MIN(id) FROM institutions WHERE id <> {inst_a} AND status = 'normal'"
        ))
        .await;
    let body = |inst: i64, number: &str| {
        common::commission_json(
            inst,
            &item,
            serde_json::json!([{"name": "赵晓峰", "id_number": "11010519491231002X"}]),
            number,
        )
    };
    let (st, _) = app
        .login("court")
        .await
        .post("/api/v1/cases", body(inst_b, "（2026）浙0106民初8801号"))
        .await;
    assert_eq!(st.as_u16(), 201);
    let (st, second) = app
        .login("inst.clerk")
        .await
        .post("/api/v1/cases", body(inst_a, "（2026）浙0106民初8802号"))
        .await;
    assert_eq!(st.as_u16(), 201);
    // The clerk learns only that the case was referred; the regulator sees the alert.
    assert_eq!(second["linkage"]["level"], "referred");
    let (_, seen) = app
        .login("zj.reg")
        .await
        .get(&format!("/api/v1/cases/{}", second["id"]))
        .await;
    assert_eq!(seen["linkage"]["level"], "certain", "{seen}");
    let alert = seen["linkage"]["alerts"][0]["id"].as_i64().unwrap();

    sign_in(&c, &app, "zj.reg").await;
    click_to_navigate(&c, Locator::Css("nav a[href='/linkage/alerts']")).await;
    assert_eq!(
        c.find(Locator::Css("main h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "多头、重复鉴定预警"
    );
    shot(&c, &shots, "linkage-queue.png").await;
    click_to_navigate(
        &c,
        Locator::Css(&format!("a[href='/linkage/alerts/{alert}']")),
    )
    .await;
    let page = main_text(&c).await;
    assert!(
        page.contains("多头鉴定") && page.contains("尚在办理"),
        "{page}"
    );
    shot(&c, &shots, "linkage-alert.png").await;
    click_to_navigate(
        &c,
        Locator::Css(&format!(
            "a[href='/linkage/alerts/{alert}/decide?decision=override']"
        )),
    )
    .await;
    fill(&c, "reason", "原委托已由法院书面撤回").await;
    submit_step(&c).await;
    let page = main_text(&c).await;
    assert!(
        page.contains("已准予受理") && page.contains("原委托已由法院书面撤回"),
        "{page}"
    );
    c.goto(&app.url(&format!("/cases/{}", second["id"])))
        .await
        .unwrap();
    let page = main_text(&c).await;
    assert!(page.contains("多头、重复鉴定核查：确定"), "{page}");
    shot(&c, &shots, "linkage-case.png").await;

    c.close().await.unwrap();
    let _ = child.kill().await;
    app.stop().await;
}

/// The court's journey (issue 15, point 4): a court clerk commissions a case on the form — client
/// kind already its own, items narrowed to the chosen institution and a filter, materials as rows
/// it adds — and the institution's clerk records the materials and accepts. The form's height
/// and the time the filling took are printed and kept beside the screenshots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_court_commissions_and_the_institution_records_and_accepts() {
    let Some((c, mut child)) = browser().await else {
        return;
    };
    let app = TestApp::start(Engine::Sqlite).await.unwrap();
    let shots = shots_dir();
    let inst = app
        .scalar_i64("SELECT institution_id FROM users WHERE username = 'inst.clerk'")
        .await;
    let item = common::first_item(&app, inst).await;
    let visible_items = async || {
        c.execute(
            "return document.querySelectorAll('#f-items label.check:not([hidden])').length",
            vec![],
        )
        .await
        .unwrap()
        .as_i64()
        .unwrap()
    };

    sign_in(&c, &app, "court").await;
    c.goto(&app.url("/cases/new")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("form.form"))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let height = c
        .execute("return document.documentElement.scrollHeight", vec![])
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    let kind = c
        .find(Locator::Css("select[name=client_kind]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kind.as_deref(), Some("court"), "a court's own kind");
    // The original opinion's fields wait until the commission is not a first appraisal.
    let hidden = c
        .find(Locator::Css("input[name=original_opinion_code]"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap();
    assert!(!hidden, "re-appraisal fields folded away");

    let all_items = visible_items().await;
    select(&c, "institution_id", &inst.to_string()).await;
    let in_scope = visible_items().await;
    assert!(
        0 < in_scope && in_scope < all_items,
        "items narrowed to the institution: {in_scope} of {all_items}"
    );
    type_into(&c, "input.tree-filter", &item).await;
    let found = visible_items().await;
    assert!((1..=3).contains(&found), "{found} items match {item}");
    check(&c, "items", &item).await;
    fill(&c, "case_number", "（2026）浙0106民初9002号").await;
    select(&c, "case_type", "civil").await;
    fill(&c, "purpose", "确定伤残等级").await;
    fill(&c, "summary", "原告在交通事故中受伤。").await;
    fill(&c, "person_name", "李四").await;
    // Materials: two rows at first, a third added; the institution's columns are not asked.
    assert!(
        c.find_all(Locator::Css("input[name=m_storage]"))
            .await
            .unwrap()
            .is_empty(),
        "storage is the institution's to record"
    );
    click(&c, "[data-add-row]").await;
    let rows = [
        ("病历", "书证", "1 册"),
        ("CT 片", "影像", "3 张"),
        ("血样", "检材", "2 管"),
    ];
    for (col, pick) in [("m_name", 0), ("m_kind", 1), ("m_quantity", 2)] {
        let inputs = c
            .find_all(Locator::Css(&format!("input[name={col}]")))
            .await
            .unwrap();
        assert_eq!(inputs.len(), 3, "three rows");
        for (input, row) in inputs.iter().zip(rows) {
            let v = [row.0, row.1, row.2][pick];
            input.send_keys(v).await.unwrap();
        }
    }
    let filled = started.elapsed();
    shot(&c, &shots, "court-commission-1366.png").await;
    click(&c, "form.form button.primary").await;
    let id = new_case_page(&c).await;
    shot(&c, &shots, "court-case-1366.png").await;
    c.set_window_size(390, 844).await.unwrap();
    shot(&c, &shots, "court-case-390.png").await;
    let report = format!(
        "commission form at 1366 px: {height} px tall; filled by the test in {} ms (3 materials, 1 item)\n",
        filled.as_millis()
    );
    eprint!("{report}");
    std::fs::write(shots.join("commission-form.txt"), &report).unwrap();

    // The institution checks the three materials, then accepts.
    c.delete_all_cookies().await.unwrap();
    c.set_window_size(1366, 768).await.unwrap();
    sign_in(&c, &app, "inst.clerk").await;
    c.goto(&app.url(&format!("/cases/{id}"))).await.unwrap();
    assert!(
        c.find(Locator::LinkText("受理")).await.is_err(),
        "no acceptance before the materials are recorded"
    );
    click_to_navigate(&c, Locator::LinkText("核对登记材料")).await;
    for (col, v) in [
        ("condition", "完好"),
        ("storage", "常温"),
        ("received_at", "2026-12-08 09:30"),
    ] {
        for input in c
            .find_all(Locator::Css(&format!("input[name={col}]")))
            .await
            .unwrap()
        {
            input.send_keys(v).await.unwrap();
        }
    }
    c.set_window_size(390, 844).await.unwrap();
    shot(&c, &shots, "clerk-record-materials-390.png").await;
    c.set_window_size(1366, 768).await.unwrap();
    submit_step(&c).await;
    click_to_navigate(&c, Locator::LinkText("受理")).await;
    submit_step(&c).await;
    shot(&c, &shots, "clerk-accepted-1366.png").await;
    let stage: Vec<(String,)> = app
        .db
        .fetch_all(
            &format!("SELECT stage FROM cases WHERE id = {id}"),
            sijian_store::Args::new(),
        )
        .await
        .unwrap();
    assert_eq!(stage[0].0, "accepted");

    c.close().await.unwrap();
    let _ = child.kill().await;
    app.stop().await;
}

/// The regulator's two journeys (issue 15): from the workbench to an overdue case, and a licence
/// approved once its experts have reviewed it; screenshots at both widths.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regulator_finds_an_overdue_case_and_approves_a_licence() {
    let Some((c, mut child)) = browser().await else {
        return;
    };
    let app = TestApp::start(Engine::Sqlite).await.unwrap();
    let shots = shots_dir();
    // An application accepted, with three reviews by experts of its speciality (the form's
    // rule), made through the API.
    let inst = app
        .scalar_i64("SELECT institution_id FROM users WHERE username = 'inst.head'")
        .await;
    let (application, code) = crate::friction::accepted_application(&app, inst).await;
    let id = application["id"].as_i64().unwrap();
    let (experts, _) = crate::friction::expected_experts(&app, id, &code).await;
    let city = app.login("hz.reg").await;
    for e in &experts[..3] {
        let (st, body) = city
            .post(
                &format!("/api/v1/applications/{id}/reviews"),
                serde_json::json!({"expert_id": e, "score": 82, "recommend": true}),
            )
            .await;
        assert_eq!(st, 200, "{body}");
    }

    sign_in(&c, &app, "zj.reg").await;
    // The overdue case, from the workbench's queue.
    click_to_navigate(&c, Locator::Css("ul.queues a[href*='queue=overdue']")).await;
    let first = c
        .find(Locator::Css("tbody tr td a[href^='/cases/']"))
        .await
        .unwrap();
    first.click().await.unwrap();
    c.wait().for_element(Locator::Css("main h1")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let body = main_text(&c).await;
    assert!(body.contains("逾期"), "the case says it is overdue: {body}");
    shot(&c, &shots, "regulator-overdue-case-1366.png").await;
    c.set_window_size(390, 844).await.unwrap();
    shot(&c, &shots, "regulator-overdue-case-390.png").await;
    c.set_window_size(1366, 768).await.unwrap();

    // The licence: the application's page offers the decision, the form approves it.
    c.goto(&app.url(&format!("/applications/{id}")))
        .await
        .unwrap();
    click_to_navigate(
        &c,
        Locator::Css(&format!("a[href='/applications/{id}/decide']")),
    )
    .await;
    select(&c, "approve", "true").await;
    fill(&c, "reasons", "材料齐全，专家评审一致同意。").await;
    c.set_window_size(390, 844).await.unwrap();
    shot(&c, &shots, "regulator-decide-390.png").await;
    c.set_window_size(1366, 768).await.unwrap();
    click(&c, "form.form button.primary").await;
    let _ = c.accept_alert().await;
    wait_for_query(&c, "saved=").await;
    let body = main_text(&c).await;
    assert!(body.contains("已作出准予登记决定"), "{body}");
    shot(&c, &shots, "regulator-approved-1366.png").await;

    c.close().await.unwrap();
    let _ = child.kill().await;
    app.stop().await;
}
