//! Pages of the event record and the two logs.
use super::listing::{ListParams, badge, cell, link};
use super::view::*;
use super::{OrPage, PageResult};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;
use axum::extract::{Query, State};
use sijian_domain::{Action, Role};
use sijian_store::events::{self, EventFilter};
use sijian_store::logs;

fn result_badge(lang: Lang, r: &str) -> (String, &'static str) {
    let key = format!("result.{r}");
    let label = if crate::i18n::has(&key) {
        lang.t(&key).to_string()
    } else {
        r.to_string()
    };
    (
        label,
        if r == "ok" {
            "ok"
        } else if r == "error" {
            "bad"
        } else {
            "warn"
        },
    )
}

/// A log's filters: the search box and its results.
fn result_filters(p: &ListParams, lang: Lang, results: &[&str]) -> Vec<FilterView> {
    let options = results
        .iter()
        .map(|r| (r.to_string(), result_badge(lang, r).0))
        .collect();
    vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter("result", lang.t("field.result"), options),
    ]
}

fn role_label(lang: Lang, r: &str) -> String {
    Role::parse(r)
        .map(|x| lang.pick(x.label_zh(), x.label_en()).to_string())
        .unwrap_or_else(|| r.to_string())
}

pub async fn events_list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewEvents).or_page(lang)?;
    let p = ListParams::new("/events", q);
    let f = EventFilter {
        entity_type: p.get("entity_type"),
        entity_id: p.get("entity_id"),
        kind: p.get("kind"),
        hide_kind_prefix: None,
    };
    let page = events::list(&s.db, &a.scope(), &f, &p.query())
        .await
        .or_page(lang)?;
    let types = [
        ("institution", "nav.institutions"),
        ("appraiser", "nav.appraisers"),
        ("organ", "nav.organs"),
        ("user", "nav.users"),
    ]
    .iter()
    .map(|(v, k)| (v.to_string(), lang.t(k).to_string()))
    .collect();
    let filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter("entity_type", lang.t("field.entity"), types),
    ];
    let columns = [
        ("field.time", "at"),
        ("field.event", "kind"),
        ("field.entity", ""),
        ("field.actor", "actor"),
        ("field.payload", ""),
        ("ledger.column", ""),
    ];
    let v = p.view(lang, lang.t("nav.events").into(), &columns, &page, |e| {
        vec![
            cell(fmt_time(e.at)),
            cell(lang.event(&e.kind)),
            match crate::web::event_text::entity_ref(&a, lang, &e.entity_type, &e.entity_id) {
                (label, Some(href)) => link(label, href),
                (label, None) => cell(label),
            },
            cell(&e.actor_name),
            cell(crate::web::event_text::read(lang, &e.kind, &e.payload).summary(lang, 160)),
            match e.leaf_idx {
                Some(l) => link(
                    format!("{} #{l}", lang.t("ledger.included")),
                    format!("/api/v1/events/{}/proof", e.id),
                ),
                None => badge(lang.t("ledger.pending"), "warn"),
            },
        ]
    });
    Ok(crate::web::listing::respond(
        &a,
        lang,
        &p,
        v.with_filters(filters),
    ))
}

pub async fn ops_list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewOperationLog).or_page(lang)?;
    let p = ListParams::new("/logs/operations", q);
    let page = logs::list_ops(&s.db, &a.scope(), p.get("result"), &p.query())
        .await
        .or_page(lang)?;
    let results = ["ok", "denied", "not_found", "refused", "error"];
    let columns = [
        ("field.time", "at"),
        ("field.actor", "user"),
        ("field.role", ""),
        ("field.action", "action"),
        ("field.ip", ""),
        ("field.result", "status"),
        ("field.detail", ""),
    ];
    let v = p.view(lang, lang.t("nav.oplog").into(), &columns, &page, |l| {
        let (r, class) = result_badge(lang, &l.result);
        vec![
            cell(fmt_time(l.at)),
            cell(&l.username),
            cell(role_label(lang, &l.role)),
            cell(format!("{} {}", l.method, l.path)),
            cell(&l.ip),
            badge(format!("{r} {}", l.status), class),
            cell(&l.detail),
        ]
    });
    let filters = result_filters(&p, lang, &results);
    Ok(crate::web::listing::respond(
        &a,
        lang,
        &p,
        v.with_filters(filters),
    ))
}

pub async fn logins_list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewLoginLog).or_page(lang)?;
    let p = ListParams::new("/logs/logins", q);
    let page = logs::list_logins(&s.db, &a.scope(), p.get("result"), &p.query())
        .await
        .or_page(lang)?;
    let results = [
        "ok",
        "bad_password",
        "unknown_user",
        "locked",
        "disabled",
        "throttled",
        "pending",
    ];
    let columns = [
        ("field.time", "at"),
        ("field.username", "user"),
        ("field.ip", ""),
        ("field.result", "result"),
        ("field.user_agent", ""),
    ];
    let v = p.view(lang, lang.t("nav.loginlog").into(), &columns, &page, |l| {
        let (r, class) = result_badge(lang, &l.result);
        vec![
            cell(fmt_time(l.at)),
            cell(&l.username),
            cell(&l.ip),
            badge(r, class),
            cell(l.user_agent.chars().take(80).collect::<String>()),
        ]
    });
    let filters = result_filters(&p, lang, &results);
    Ok(crate::web::listing::respond(
        &a,
        lang,
        &p,
        v.with_filters(filters),
    ))
}
