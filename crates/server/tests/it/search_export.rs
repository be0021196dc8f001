//! The search box and the lists' downloads (issue 15, point 13): a reader finds only what their
//! own lists would show, and every list downloads as CSV with the rows of its filters.
use crate::common;

use common::TestApp;

/// The CSV a reader downloads from `path`: (content type, rows without the header).
async fn csv(c: &common::Client, app: &TestApp, path: &str) -> (String, Vec<String>) {
    let res = c.http.get(app.url(path)).send().await.unwrap();
    let ctype = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = res.text().await.unwrap();
    let rows = body
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect();
    (ctype, rows)
}

/// The number the list page says it holds ("共 N 条").
fn total(html: &str) -> i64 {
    let count = html.split("class=\"count\">").nth(1).unwrap_or_default();
    count
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(-1)
}

both_engines!(
    lists_download_the_rows_their_reader_sees,
    async |app: &TestApp| {
        let reg = app.login("zj.reg").await;
        let court = app.login("court").await;
        let clerk = app.login("inst.clerk").await;

        // A regulator's case list downloads whole, not a page of it.
        let (_, page) = reg.page("/cases?per_page=5").await;
        assert!(page.contains("format=csv"), "export offered");
        let all = total(&page);
        assert!(all > 5, "more cases than one page: {all}");
        let (ctype, rows) = csv(&reg, app, "/cases?per_page=5&page=2&format=csv").await;
        assert!(ctype.starts_with("text/csv"), "{ctype}");
        assert_eq!(rows.len() as i64, all);

        // The filters hold in the download.
        let (_, page) = reg.page("/cases?queue=overdue").await;
        let overdue = total(&page);
        let (_, rows) = csv(&reg, app, "/cases?queue=overdue&format=csv").await;
        assert_eq!(rows.len() as i64, overdue);
        assert!(overdue < all);

        // A court downloads its own cases only.
        let (_, page) = court.page("/cases").await;
        let mine = total(&page);
        let (_, rows) = csv(&court, app, "/cases?format=csv").await;
        assert_eq!(rows.len() as i64, mine);

        // The logs download too, for who may read them.
        let admin = app.login("admin").await;
        let (ctype, rows) = csv(&admin, app, "/logs/logins?format=csv").await;
        assert!(ctype.starts_with("text/csv") && !rows.is_empty(), "{ctype}");

        // The register's download is the register export, for who may export it: an
        // institution's clerk sees the page, never a file.
        let (_, page) = clerk.page("/institutions").await;
        assert!(!page.contains("format=csv") && !page.contains("/api/v1/export/"));
        let (ctype, _) = csv(&clerk, app, "/institutions?format=csv").await;
        assert!(ctype.starts_with("text/html"), "{ctype}");
        let (_, page) = reg.page("/institutions").await;
        assert!(page.contains("/api/v1/export/institutions.csv"));
    }
);

both_engines!(
    the_search_finds_what_its_reader_may_see,
    async |app: &TestApp| {
        let court = app.login("court").await;
        let reg = app.login("zj.reg").await;
        let text = |sql: String| {
            let db = app.db.clone();
            async move {
                db.scalar::<String>(&sql, sijian_store::Args::new())
                    .await
                    .unwrap()
            }
        };
        let court_organ = "(SELECT organ_id FROM users WHERE username = 'court')";
        // The court finds its own case by its client's name; another organ's case is not
        // found by its court case number.
        let own = app
            .scalar_i64(&format!(
                "SELECT MIN(id) FROM cases WHERE organ_id = {court_organ}"
            ))
            .await;
        let client = text(format!("SELECT client_name FROM cases WHERE id = {own}")).await;
        let (st, page) = court
            .page(&format!("/search?q={}", urlencode(&client)))
            .await;
        assert_eq!(st, 200);
        assert!(page.contains(&format!("href=\"/cases/{own}\"")), "{page}");
        let other = app
            .scalar_i64(&format!(
                "SELECT MIN(id) FROM cases WHERE case_number IS NOT NULL \
                 AND (organ_id IS NULL OR organ_id <> {court_organ})"
            ))
            .await;
        let number = text(format!("SELECT case_number FROM cases WHERE id = {other}")).await;
        let (_, page) = court
            .page(&format!("/search?q={}", urlencode(&number)))
            .await;
        assert!(
            !page.contains(&format!("href=\"/cases/{other}\"")),
            "{page}"
        );
        let (_, page) = reg.page(&format!("/search?q={}", urlencode(&number))).await;
        assert!(page.contains(&format!("href=\"/cases/{other}\"")), "{page}");

        // Institutions: listed for a regulator; a court, who does not list them, is sent to
        // the public register.
        let q = "/search?q=%E6%98%8E%E6%AD%A3"; // 明正
        let (_, page) = reg.page(q).await;
        assert!(page.contains("href=\"/institutions/"), "{page}");
        let (_, page) = court.page(q).await;
        assert!(!page.contains("href=\"/institutions/"));
        assert!(page.contains("href=\"/directory?q="));

        // An opinion code typed with spaces leads to its verification page.
        let code = text("SELECT MIN(code) FROM opinions".into()).await;
        let spaced: String = code
            .chars()
            .enumerate()
            .flat_map(|(i, c)| (i > 0 && i % 4 == 0).then_some(' ').into_iter().chain([c]))
            .collect();
        let (_, page) = court
            .page(&format!("/search?q={}", urlencode(&spaced)))
            .await;
        assert!(page.contains(&format!("href=\"/v/{code}\"")), "{page}");
    }
);

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("q", s)]).unwrap()[2..].to_string()
}

both_engines!(
    an_examined_person_is_found_by_id_number_or_full_name_within_scope,
    async |app: &TestApp| {
        let court = app.login("court").await;
        let reg = app.login("zj.reg").await;
        let inst = app
            .scalar_i64("SELECT institution_id FROM users WHERE username = 'inst.clerk'")
            .await;
        let item = common::first_item(app, inst).await;
        let (st, case) = court
            .post(
                "/api/v1/cases",
                common::commission_json(
                    inst,
                    &item,
                    serde_json::json!([{"name": "欧阳小二", "id_number": "11010519491231002X"}]),
                    "（2026）浙0106民初8123号",
                ),
            )
            .await;
        assert_eq!(st, 201, "{case}");
        let href = format!("href=\"/cases/{}\"", case["id"]);
        for q in ["110105 19491231 002X", "欧阳小二"] {
            let (_, page) = reg.page(&format!("/search?q={}", urlencode(q))).await;
            assert!(page.contains(&href), "{q}: {page}");
            assert!(
                !page.contains("欧阳小二") || q == "欧阳小二",
                "never shown in clear"
            );
        }
        // Another institution's clerk does not see the case, so does not find the person.
        let other = app
            .account(sijian_domain::Role::InstitutionClerk, |u| {
                u.attachment.institution_id = Some(inst + 1)
            })
            .await;
        let other = app.login(&other.username).await;
        let (_, page) = other
            .page(&format!("/search?q={}", urlencode("欧阳小二")))
            .await;
        assert!(!page.contains(&href), "{page}");
        // A person search — an ID number typed, or a name that found someone — is in the
        // operations log, without what was searched for: here the regulator's two.
        let logged = app
            .scalar_i64(
                "SELECT COUNT(*) FROM op_log WHERE path = '/search' AND detail LIKE '按被鉴定人检索%' \
                 AND detail NOT LIKE '%002X%' AND detail NOT LIKE '%欧阳%'",
            )
            .await;
        assert_eq!(logged, 2, "person searches logged");
        // Part of a number or a name finds nobody.
        let (_, page) = reg
            .page(&format!("/search?q={}", urlencode("19491231")))
            .await;
        assert!(!page.contains(&href));
    }
);
