//! Pages of the record-linkage alert queue (多头、重复鉴定预警) for regulators, and the panel on the
//! case page.
use super::forms::Post;
use super::listing::{ListParams, badge, cell, link};
use super::view::*;
use super::{OrPage, PageResult, redirect, render};
use super::{form_page, form_refused};
use crate::auth::PageUser;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::labels::options;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use sijian_domain::Action;
use sijian_linkage::cases::Kind;
use sijian_store::linkage::{self as store, Alert, AlertFilter, Decision};

const STATUSES: &[(&str, &str)] = &[
    ("open", "linkage.status.open"),
    ("confirmed", "linkage.status.confirmed"),
    ("dismissed", "linkage.status.dismissed"),
    ("overridden", "linkage.status.overridden"),
];

const DECISIONS: &[(&str, &str)] = &[
    ("confirm", "linkage.decide.confirm_help"),
    ("dismiss", "linkage.decide.dismiss_help"),
    ("override", "linkage.decide.override_help"),
];

pub fn kind_label(lang: Lang, kind: &str) -> String {
    Kind::parse(kind).map_or(kind.to_owned(), |k| {
        lang.pick(k.label_zh(), k.label_en()).to_owned()
    })
}

pub fn status_label(lang: Lang, status: &str) -> String {
    match STATUSES.iter().find(|(c, _)| *c == status) {
        Some((_, key)) => lang.t(key).to_owned(),
        None => status.to_owned(),
    }
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

fn other_case(lang: Lang, al: &Alert) -> String {
    if al.other_case_id == 0 {
        "—".into()
    } else {
        lang.tf(
            "linkage.numbered",
            &[
                ("id", &al.other_case_id.to_string()),
                (
                    "what",
                    &al.other_institution_name.clone().unwrap_or_default(),
                ),
            ],
        )
    }
}

/// One row per alert for the case page.
/// The reviewer-facing label of a level string (通则第十五条第六项 checks name it).
pub fn level_label(lang: Lang, level: &str) -> String {
    use sijian_linkage::cases::Level;
    match level {
        "certain" => lang
            .pick(Level::Certain.label_zh(), Level::Certain.label_en())
            .to_owned(),
        "possible" => lang
            .pick(Level::Possible.label_zh(), Level::Possible.label_en())
            .to_owned(),
        "referred" => lang.t("linkage.level.referred").to_owned(),
        _ => lang.t("linkage.level.none").to_owned(),
    }
}

pub fn case_rows(lang: Lang, alerts: &[Alert]) -> Vec<Vec<String>> {
    alerts
        .iter()
        .map(|al| {
            vec![
                kind_label(lang, &al.kind),
                level_label(lang, &al.level),
                other_case(lang, al),
                match al.reasons() {
                    r if r.is_empty() => lang.tf(
                        "cases.linkage.found_later",
                        &[("id", &al.other_case_id.to_string())],
                    ),
                    r => r.join(lang.pick("；", "; ")),
                },
                status_label(lang, &al.status),
            ]
        })
        .collect()
}

/// A reason as a reviewer reads it: the match's arithmetic (the prior, the total weight, each
/// field's share in bits) left to the technical table, each field's finding kept in words
/// ("姓名：完全一致").
fn in_words(reason: &str) -> Option<String> {
    if reason.starts_with("先验") || reason.starts_with("合计：") {
        return None;
    }
    let bits = |r: &str| {
        r.rfind('（').filter(|&i| {
            let tail = &r[i..];
            tail.ends_with('）')
                && tail
                    .trim_start_matches('（')
                    .starts_with(['+', '-', '0', '−'])
        })
    };
    Some(match bits(reason) {
        Some(i) => reason[..i].to_string(),
        None => reason.to_string(),
    })
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
        p.text_filter("q", lang.t("linkage.search")),
        p.select_filter(
            "status",
            lang.t("linkage.col.status"),
            STATUSES
                .iter()
                .map(|(c, l)| ((*c).to_owned(), lang.t(l).to_owned()))
                .collect(),
        ),
        p.select_filter(
            "kind",
            lang.t("linkage.col.kind"),
            options(
                lang,
                &[Kind::MultiInstitution, Kind::Repeated, Kind::Volume],
            ),
        ),
    ];
    let columns = [
        ("linkage.col.alert", "raised"),
        ("linkage.col.kind", "kind"),
        ("linkage.col.level", "level"),
        ("linkage.col.case", ""),
        ("linkage.col.institution", "institution"),
        ("linkage.col.other_case", ""),
        ("linkage.col.status", "status"),
    ];
    let v = p.view(
        lang,
        lang.t("linkage.title").into(),
        &columns,
        &page,
        |al| {
            vec![
                link(
                    lang.tf(
                        "linkage.numbered",
                        &[
                            ("id", &al.id.to_string()),
                            ("what", &fmt_time(al.raised_at)),
                        ],
                    ),
                    format!("/linkage/alerts/{}", al.id),
                ),
                cell(kind_label(lang, &al.kind)),
                badge(level_label(lang, &al.level), level_class(&al.level)),
                link(
                    lang.tf(
                        "linkage.numbered",
                        &[("id", &al.case_id.to_string()), ("what", &al.client_name)],
                    ),
                    format!("/cases/{}", al.case_id),
                ),
                cell(&al.institution_name),
                cell(other_case(lang, al)),
                badge(status_label(lang, &al.status), status_class(&al.status)),
            ]
        },
    );
    Ok(crate::web::listing::respond(
        &a,
        lang,
        &p,
        v.with_filters(filters),
    ))
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
            lang.t("linkage.col.case").into(),
            lang.tf(
                "linkage.numbered",
                &[
                    ("id", &al.case_id.to_string()),
                    (
                        "what",
                        &format!("{} · {}", al.client_name, al.institution_name),
                    ),
                ],
            ),
            Some(format!("/cases/{}", al.case_id)),
        ),
        (
            lang.t("linkage.col.kind").into(),
            kind_label(lang, &al.kind),
            None,
        ),
        (
            lang.t("linkage.col.level").into(),
            level_label(lang, &al.level),
            None,
        ),
        (
            lang.t("linkage.field.probability").into(),
            format!("{:.2}%", al.probability() * 100.0),
            None,
        ),
        (
            lang.t("linkage.col.other_case").into(),
            other_case(lang, &al),
            (al.other_case_id != 0).then(|| format!("/cases/{}", al.other_case_id)),
        ),
        (
            lang.t("linkage.field.raised_at").into(),
            fmt_time(al.raised_at),
            None,
        ),
        (
            lang.t("linkage.col.status").into(),
            status_label(lang, &al.status),
            None,
        ),
    ];
    if let Some(at) = al.decided_at {
        fields.push((
            lang.t("linkage.field.handling").into(),
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
            ("confirm", lang.t("linkage.decision.confirm")),
            ("dismiss", lang.t("linkage.decision.dismiss")),
            ("override", lang.t("linkage.decision.override")),
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
    let reasons = al.reasons();
    let mut tables = vec![DetailTable::of(
        lang,
        "linkage.evidence",
        &["linkage.col.explanation"],
        reasons
            .iter()
            .filter_map(|r| in_words(r))
            .map(|r| vec![r])
            .collect(),
    )];
    if reasons
        .iter()
        .any(|r| in_words(r).as_deref() != Some(r.as_str()))
    {
        tables.push(DetailTable::of(
            lang,
            "linkage.evidence_technical",
            &["linkage.col.explanation"],
            reasons.into_iter().map(|r| vec![r]).collect(),
        ));
    }
    let v = DetailView {
        tables,
        title: lang.tf("linkage.alert.title", &[("id", &id.to_string())]),
        badge: Some((status_label(lang, &al.status), status_class(&al.status))),
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

fn decision_form(lang: Lang, id: i64, decision: &str, reason: &str) -> FormView {
    FormView {
        title: lang.tf("linkage.decide.title", &[("id", &id.to_string())]),
        intro: Some(lang.t("linkage.decide.intro").into()),
        action: format!("/linkage/alerts/{id}/decide"),
        hidden: Vec::new(),
        fields: vec![
            FormField::select(
                "decision",
                lang.t("linkage.field.decision").into(),
                decision.to_owned(),
                DECISIONS
                    .iter()
                    .map(|(c, l)| ((*c).to_owned(), lang.t(l).to_owned()))
                    .collect(),
            )
            .required(),
            FormField::textarea("reason", lang.t("linkage.field.reason"), reason.to_owned())
                .required(),
        ],
        errors: Vec::new(),
        submit: lang.t("linkage.submit").into(),
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
    let v = decision_form(lang, id, &d, "");
    Ok(form_page(&a, lang, "/linkage/alerts", v))
}

pub async fn decide_submit(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    let decision = p.form.text("decision");
    let reason = p.form.text("reason");
    let result = async {
        a.require_write(Action::DecideLinkageAlert)?;
        store::get(&s.db, &a.scope(), id).await?;
        let d = Decision::parse(&decision)
            .ok_or_else(|| AppError::field("decision", "请选择处理决定"))?;
        Ok::<_, AppError>(store::decide(&s.db, &a.actor(), &a.scope(), id, d, &reason).await?)
    }
    .await;
    match result {
        Ok(_) => Ok(redirect(&format!(
            "/linkage/alerts/{id}?saved=linkage.{}",
            if Decision::parse(&decision).is_some() {
                decision.as_str()
            } else {
                "decided"
            }
        ))),
        Err(e) => {
            let v = decision_form(lang, id, &decision, &reason);
            Err(form_refused(a, lang, "/linkage/alerts", v, e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::in_words;

    #[test]
    fn reasons_read_in_words_and_the_arithmetic_is_left_out() {
        assert_eq!(
            in_words("先验（随机两条记录为同一人的概率 λ=6.57e-6）：-17.2"),
            None
        );
        assert_eq!(in_words("合计：匹配权重 +14.7，匹配概率 99.9962%"), None);
        assert_eq!(
            in_words("姓名：完全一致（+14.6）").as_deref(),
            Some("姓名：完全一致")
        );
        assert_eq!(
            in_words("姓名：同音（+6.2，含词频调整 +1.0）").as_deref(),
            Some("姓名：同音")
        );
        assert_eq!(
            in_words("出生日期：缺失（0）").as_deref(),
            Some("出生日期：缺失")
        );
        assert_eq!(
            in_words("浙江明正司法鉴定中心于 2026-11-25 收到的委托尚在办理（待受理）").as_deref(),
            Some("浙江明正司法鉴定中心于 2026-11-25 收到的委托尚在办理（待受理）")
        );
    }
}
