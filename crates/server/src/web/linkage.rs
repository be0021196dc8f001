//! Pages of the record-linkage alert queue (多头、重复鉴定预警) for regulators, and the panel on the
//! case page.
use super::forms::Post;
use super::listing::{ListParams, badge, cell, link};
use super::registry::refused;
use super::view::*;
use super::{OrPage, PageResult, redirect, render};
use crate::auth::PageUser;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use sijian_domain::Action;
use sijian_linkage::cases::Kind;
use sijian_store::linkage::{self as store, Alert, AlertFilter, Decision};

const STATUSES: &[(&str, &str)] = &[
    ("open", "待处理"),
    ("confirmed", "已确认"),
    ("dismissed", "已排除"),
    ("overridden", "已准予受理"),
];

const DECISIONS: &[(&str, &str)] = &[
    ("confirm", "确认：属于多头或重复鉴定"),
    ("dismiss", "排除：不是同一人或不是同一事项"),
    ("override", "准予受理：已核实可以受理（通则第十五条第六项）"),
];

pub fn kind_label(kind: &str) -> String {
    Kind::parse(kind).map_or(kind.to_owned(), |k| k.label_zh().to_owned())
}

pub fn status_label(status: &str) -> String {
    sijian_service::inputs::label_of(STATUSES, status)
}

fn status_class(status: &str) -> &'static str {
    match status {
        "open" => "warn",
        "confirmed" => "bad",
        "dismissed" => "muted",
        _ => "ok",
    }
}

fn level_class(level: &str) -> &'static str {
    if level == "certain" { "bad" } else { "warn" }
}

fn other_case(al: &Alert) -> String {
    if al.other_case_id == 0 {
        "—".into()
    } else {
        format!(
            "第{}号 · {}",
            al.other_case_id,
            al.other_institution_name.clone().unwrap_or_default()
        )
    }
}

/// One row per alert for the case page.
pub fn case_rows(alerts: &[Alert]) -> Vec<Vec<String>> {
    alerts
        .iter()
        .map(|al| {
            vec![
                kind_label(&al.kind),
                sijian_service::linkage::level_label(&al.level).to_owned(),
                other_case(al),
                al.reasons().join("；"),
                status_label(&al.status),
            ]
        })
        .collect()
}

/// The queue, filtered, sorted and paged.
pub async fn list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewLinkageAlerts).or_page(lang)?;
    let p = ListParams::new("/linkage/alerts", q);
    let f = AlertFilter {
        status: p.get("status"),
        kind: p.get("kind"),
        case_id: p.get("case").and_then(|c| c.parse().ok()),
    };
    let page = store::list(&s.db, &a.scope(), &f, &p.query())
        .await
        .or_page(lang)?;
    let filters = vec![
        p.text_filter("q", "委托人或鉴定机构"),
        p.select_filter(
            "status",
            "状态",
            STATUSES
                .iter()
                .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
                .collect(),
        ),
        p.select_filter(
            "kind",
            "类型",
            [Kind::MultiInstitution, Kind::Repeated, Kind::Volume]
                .iter()
                .map(|k| (k.as_str().to_owned(), k.label_zh().to_owned()))
                .collect(),
        ),
    ];
    let cols = vec![
        p.column("预警", "raised"),
        p.column("类型", "kind"),
        p.column("程度", "level"),
        p.column("案件", ""),
        p.column("鉴定机构", "institution"),
        p.column("另案", ""),
        p.column("状态", "status"),
    ];
    let v = p.view(
        lang,
        "多头、重复鉴定预警".into(),
        None,
        filters,
        cols,
        &page,
        |al| {
            vec![
                link(
                    "预警",
                    format!("第{}号 · {}", al.id, fmt_time(al.raised_at)),
                    format!("/linkage/alerts/{}", al.id),
                ),
                cell("类型", kind_label(&al.kind)),
                badge(
                    "程度",
                    sijian_service::linkage::level_label(&al.level).to_owned(),
                    level_class(&al.level),
                ),
                link(
                    "案件",
                    format!("第{}号 · {}", al.case_id, al.client_name),
                    format!("/cases/{}", al.case_id),
                ),
                cell("鉴定机构", &al.institution_name),
                cell("另案", other_case(al)),
                badge("状态", status_label(&al.status), status_class(&al.status)),
            ]
        },
    );
    Ok(render(&ListPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/linkage/alerts"),
        v,
    }))
}

/// One alert: its reasons, its decision, and the decision buttons.
pub async fn detail(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewLinkageAlerts).or_page(lang)?;
    let al = store::get(&s.db, &a.scope(), id).await.or_page(lang)?;
    let mut fields = vec![
        (
            "案件".into(),
            format!(
                "第{}号 · {} · {}",
                al.case_id, al.client_name, al.institution_name
            ),
            Some(format!("/cases/{}", al.case_id)),
        ),
        ("类型".into(), kind_label(&al.kind), None),
        (
            "程度".into(),
            sijian_service::linkage::level_label(&al.level).to_owned(),
            None,
        ),
        (
            "被鉴定人匹配概率".into(),
            format!("{:.2}%", al.probability() * 100.0),
            None,
        ),
        (
            "另案".into(),
            other_case(&al),
            (al.other_case_id != 0).then(|| format!("/cases/{}", al.other_case_id)),
        ),
        ("预警时间".into(), fmt_time(al.raised_at), None),
        ("状态".into(), status_label(&al.status), None),
    ];
    if let Some(at) = al.decided_at {
        fields.push((
            "处理".into(),
            format!(
                "{} · {} · {}",
                al.decided_by_name.clone().unwrap_or_default(),
                fmt_time(at),
                al.reason
            ),
            None,
        ));
    }
    let mut actions = Vec::new();
    if a.role().may(Action::DecideLinkageAlert) {
        let blocking = al.kind == "multi_institution"
            && (al.status == "confirmed" || (al.status == "open" && al.level == "certain"));
        for (d, l) in [
            ("confirm", "确认"),
            ("dismiss", "排除"),
            ("override", "准予受理"),
        ] {
            let allowed = match d {
                "override" => blocking,
                _ => al.status == "open",
            };
            if allowed {
                actions.push(ActionButton {
                    label: l.into(),
                    href: format!("/linkage/alerts/{id}/decide?decision={d}"),
                    post: false,
                    danger: d == "override",
                    confirm: String::new(),
                });
            }
        }
    }
    let v = DetailView {
        tables: vec![DetailTable {
            title: "依据（各字段对匹配权重的贡献，单位：比特）".into(),
            head: vec!["说明".into()],
            rows: al.reasons().into_iter().map(|r| vec![r]).collect(),
            empty: lang.t("detail.none").into(),
            link: None,
        }],
        title: format!("多头、重复鉴定预警 · 第{id}号"),
        badge: Some((status_label(&al.status), status_class(&al.status))),
        back: "/linkage/alerts".into(),
        actions,
        fields,
        show_history: false,
        history: Vec::new(),
    };
    Ok(render(&DetailPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/linkage/alerts").saved_flash(&q),
        v,
    }))
}

fn decision_form(id: i64, decision: &str, reason: &str) -> FormView {
    FormView {
        title: format!("处理预警 · 第{id}号"),
        intro: Some(
            "确认或排除须写明核查情况；“准予受理”只用于已确认或系统判定为确定的多头鉴定预警，受理后仍记入全过程留痕。".into(),
        ),
        action: format!("/linkage/alerts/{id}/decide"),
        hidden: Vec::new(),
        fields: vec![
            FormField::select(
                "decision",
                "处理决定".into(),
                decision.to_owned(),
                DECISIONS
                    .iter()
                    .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
                    .collect(),
            )
            .required(),
            FormField {
                kind: "textarea",
                ..FormField::text("reason", "理由".into(), reason.to_owned())
            }
            .required(),
        ],
        errors: Vec::new(),
        submit: "提交".into(),
        cancel: format!("/linkage/alerts/{id}"),
        confirm: true,
    }
}

pub async fn decide_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::DecideLinkageAlert).or_page(lang)?;
    store::get(&s.db, &a.scope(), id).await.or_page(lang)?;
    let d = q
        .iter()
        .find(|(k, _)| k == "decision")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let v = decision_form(id, &d, "");
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/linkage/alerts"),
        v,
    }))
}

pub async fn decide_submit(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    let decision = p.form.text("decision");
    let reason = p.form.text("reason");
    let result = async {
        a.require_write(Action::DecideLinkageAlert)?;
        let d = Decision::parse(&decision)
            .ok_or_else(|| AppError::field("decision", "请选择处理决定"))?;
        Ok::<_, AppError>(store::decide(&s.db, &a.actor(), &a.scope(), id, d, &reason).await?)
    }
    .await;
    match result {
        Ok(_) => Ok(redirect(&format!("/linkage/alerts/{id}?saved=1"))),
        Err(e) => {
            let v = decision_form(id, &decision, &reason);
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/linkage/alerts"),
                v,
                e,
            ))
        }
    }
}
