//! The new and edit pages every register record shares (organs, institutions, appraisers,
//! accounts): a refused form comes back with its reasons and what was typed, passwords never
//! come back, a stale version is refused, and a saved record opens its own page.
use crate::common;
use crate::helpers::submit_form as submit;

use common::TestApp;
use reqwest::StatusCode;
use sijian_domain::Role;
use sijian_testkit::build;

both_engines!(
    organ_forms_keep_input_and_versions,
    empty,
    async |app: &TestApp| {
        app.account(Role::Admin, |u| u.username = "admin".into())
            .await;
        let c = app.login("admin").await;
        let (st, page) = c.page("/organs/new").await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains(r#"action="/organs/new""#), "{page}");

        // Refused: no name. The reason stands beside the field and the typed address stays.
        let (st, _, page) = submit(
            &c,
            "/organs/new",
            &[
                ("name", ""),
                ("kind", "court"),
                ("region_code", build::COUNTY),
                ("address", "文三路 90 号"),
            ],
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("文三路 90 号"), "typed value kept");
        assert!(
            page.contains("field-error") || page.contains("error"),
            "{page}"
        );

        // Saved: the organ's own page.
        let (st, at, _) = submit(
            &c,
            "/organs/new",
            &[
                ("name", "西湖区人民法院"),
                ("kind", "court"),
                ("region_code", build::COUNTY),
                ("address", "文三路 90 号"),
            ],
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        let id: i64 = at.trim_start_matches("/organs/").parse().expect(&at);

        let (st, page) = c.page(&format!("/organs/{id}/edit")).await;
        assert_eq!(st, StatusCode::OK);
        assert!(page.contains("西湖区人民法院"));

        // A stale version is refused and the form keeps what was typed.
        let edit = format!("/organs/{id}/edit");
        let fields = |version: &'static str| {
            vec![
                ("version", version),
                ("name", "西湖区人民法院"),
                ("kind", "court"),
                ("region_code", build::COUNTY),
                ("phone", "0571-87654321"),
            ]
        };
        let (st, _, page) = submit(&c, &edit, &fields("99")).await;
        assert_eq!(st, StatusCode::CONFLICT, "{page}");
        assert!(page.contains("0571-87654321"));
        let (st, at, page) = submit(&c, &edit, &fields("1")).await;
        assert_eq!(
            (st, at.as_str()),
            (StatusCode::OK, format!("/organs/{id}").as_str())
        );
        assert!(page.contains("0571-87654321"));
    }
);

both_engines!(
    account_forms_never_show_a_password_again,
    empty,
    async |app: &TestApp| {
        app.account(Role::Admin, |u| u.username = "admin".into())
            .await;
        let c = app.login("admin").await;
        // Refused (the password is too short): the password does not come back in the page.
        let (st, _, page) = submit(
            &c,
            "/users/new",
            &[
                ("username", "clerk.new"),
                ("display_name", "新书记员"),
                ("role", "inspector"),
                ("password", "Secret-9x"),
            ],
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("clerk.new"));
        assert!(!page.contains("Secret-9x"));
    }
);

both_engines!(
    record_forms_ask_for_their_permission,
    empty,
    async |app: &TestApp| {
        app.account(Role::Admin, |u| u.username = "admin".into())
            .await;
        app.account(Role::Inspector, |u| u.username = "inspector".into())
            .await;
        let inst = build::institution(&app.db).await.id;
        let c = app.login("inspector").await;
        for path in [
            "/organs/new",
            "/institutions/new",
            "/appraisers/new",
            "/users/new",
        ] {
            assert_eq!(c.page(path).await.0, StatusCode::FORBIDDEN, "{path}");
        }
        let edit = format!("/institutions/{inst}/edit");
        assert_eq!(c.page(&edit).await.0, StatusCode::FORBIDDEN);
        let (st, _, _) = submit(&c, &edit, &[("version", "1"), ("phone", "1")]).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
    }
);
