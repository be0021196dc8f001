//! Pages of the event record and the two logs.
use super::listing::{ListParams, badge, cell};
use super::view::*;
use super::{OrPage, PageResult, render};
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
    let cols = vec![
        p.column(lang.t("field.time"), "at"),
        p.column(lang.t("field.event"), "kind"),
        p.column(lang.t("field.entity"), ""),
        p.column(lang.t("field.actor"), "actor"),
        p.column(lang.t("field.payload"), ""),
        p.column(lang.t("ledger.column"), ""),
    ];
    let v = ListView {
        filters,
        ..p.view(lang, lang.t("nav.events").into(), cols, &page, |e| {
            vec![
                cell(lang.t("field.time"), fmt_time(e.at)),
                cell(lang.t("field.event"), lang.event(&e.kind)),
                super::listing::link(
                    lang.t("field.entity"),
                    format!("{} #{}", e.entity_type, e.entity_id),
                    format!("/{}s/{}", e.entity_type, e.entity_id),
                ),
                cell(lang.t("field.actor"), &e.actor_name),
                cell(
                    lang.t("field.payload"),
                    e.payload.chars().take(160).collect::<String>(),
                ),
                match e.leaf_idx {
                    Some(l) => super::listing::link(
                        lang.t("ledger.column"),
                        format!("{} #{l}", lang.t("ledger.included")),
                        format!("/api/v1/events/{}/proof", e.id),
                    ),
                    None => badge(lang.t("ledger.column"), lang.t("ledger.pending"), "warn"),
                },
            ]
        })
    };
    Ok(render(&ListPage {
        c: Chrome::new(&a, lang, lang.t("nav.events"), "/events"),
        v,
    }))
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
    let results = ["ok", "denied", "not_found", "refused", "error"]
        .iter()
        .map(|r| (r.to_string(), result_badge(lang, r).0))
        .collect();
    let filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter("result", lang.t("field.result"), results),
    ];
    let cols = vec![
        p.column(lang.t("field.time"), "at"),
        p.column(lang.t("field.actor"), "user"),
        p.column(lang.t("field.role"), ""),
        p.column(lang.t("field.action"), "action"),
        p.column(lang.t("field.ip"), ""),
        p.column(lang.t("field.result"), "status"),
        p.column(lang.t("field.detail"), ""),
    ];
    let v = ListView {
        filters,
        ..p.view(lang, lang.t("nav.oplog").into(), cols, &page, |l| {
            let (r, class) = result_badge(lang, &l.result);
            vec![
                cell(lang.t("field.time"), fmt_time(l.at)),
                cell(lang.t("field.actor"), &l.username),
                cell(lang.t("field.role"), role_label(lang, &l.role)),
                cell(lang.t("field.action"), format!("{} {}", l.method, l.path)),
                cell(lang.t("field.ip"), &l.ip),
                badge(lang.t("field.result"), format!("{r} {}", l.status), class),
                cell(lang.t("field.detail"), &l.detail),
            ]
        })
    };
    Ok(render(&ListPage {
        c: Chrome::new(&a, lang, lang.t("nav.oplog"), "/logs/operations"),
        v,
    }))
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
    ]
    .iter()
    .map(|r| (r.to_string(), result_badge(lang, r).0))
    .collect();
    let filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter("result", lang.t("field.result"), results),
    ];
    let cols = vec![
        p.column(lang.t("field.time"), "at"),
        p.column(lang.t("field.username"), "user"),
        p.column(lang.t("field.ip"), ""),
        p.column(lang.t("field.result"), "result"),
        p.column(lang.t("field.user_agent"), ""),
    ];
    let v = ListView {
        filters,
        ..p.view(lang, lang.t("nav.loginlog").into(), cols, &page, |l| {
            let (r, class) = result_badge(lang, &l.result);
            vec![
                cell(lang.t("field.time"), fmt_time(l.at)),
                cell(lang.t("field.username"), &l.username),
                cell(lang.t("field.ip"), &l.ip),
                badge(lang.t("field.result"), r, class),
                cell(
                    lang.t("field.user_agent"),
                    l.user_agent.chars().take(80).collect::<String>(),
                ),
            ]
        })
    };
    Ok(render(&ListPage {
        c: Chrome::new(&a, lang, lang.t("nav.loginlog"), "/logs/logins"),
        v,
    }))
}
