//! Pages of online licensing (网上审批): the applications queue with statutory clocks, an
//! application's file with its material, reviews and decision, the forms of each step, and the
//! expert list.
use super::forms::{FormData, MultipartPost, Post, UploadedFile};
use super::listing::{ListParams, badge, cell, link};
use super::registry::{
    history, or_dash, pairs, refused, region_options, scope_labels, scope_options,
};
use super::view::*;
use super::{OrPage, PageResult, redirect, render};
use crate::auth::{Authed, PageUser};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use base64::Engine;
use sijian_domain::licensing::{ApplicationCommand, ApplicationKind, Stage};
use sijian_domain::{Action, Category, Scope};
use sijian_service::inputs::{AppraiserInput, EDUCATION, InstitutionInput, QUALIFICATION_LEVELS};
use sijian_service::licensing::{AttachmentInput, ClockView, Declarations, SubmitBody, clock};
use sijian_store::applications::{self, Application, ApplicationFilter, NewExpert, Proposal};
use sijian_store::{ListQuery, registry};

fn kind_label(kind: &str) -> String {
    ApplicationKind::parse(kind)
        .map(|k| k.label_zh().to_string())
        .unwrap_or_else(|| kind.into())
}

fn stage_badge(app: &Application) -> (String, &'static str) {
    match Stage::parse(&app.stage) {
        Some(Stage::Accepted) if !app.kind().is_some_and(|k| k.needs_expert_review()) => {
            ("已受理待决定".into(), "")
        }
        Some(s) => (
            s.label_zh().to_string(),
            match s {
                Stage::Approved => "ok",
                Stage::Refused | Stage::Withdrawn => "bad",
                Stage::Returned => "warn",
                _ => "",
            },
        ),
        None => (app.stage.clone(), ""),
    }
}

fn clock_text(c: &ClockView) -> (String, &'static str) {
    if let Some(w) = &c.warning {
        return (w.clone(), "warn");
    }
    match (&c.due, c.working_days_left) {
        (Some(due), Some(left)) if c.overdue => {
            (format!("已逾期 {} 个工作日（应于 {due} 前）", -left), "bad")
        }
        (Some(due), Some(left)) if c.kind == "stopped" => (
            format!("暂停计时（如今日恢复，{due} 到期，剩 {left} 个工作日）"),
            "",
        ),
        (Some(due), Some(left)) => (
            format!("{due} 到期，剩 {left} 个工作日"),
            if left <= 2 { "warn" } else { "ok" },
        ),
        _ => (c.label.clone(), ""),
    }
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewApplications).or_page(lang)?;
    let p = ListParams::new("/applications", q);
    let f = ApplicationFilter {
        stage: p.get("stage"),
        kind: p.get("kind"),
        open: p.get("open").as_deref() == Some("true"),
    };
    let page = applications::list(&s.db, &a.scope(), &f, &p.query())
        .await
        .or_page(lang)?;
    let cal = s.calendar.current(&s.db).await.or_page(lang)?;
    let filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter(
            "stage",
            lang.t("field.stage"),
            Stage::ALL
                .iter()
                .map(|x| (x.as_str().to_string(), x.label_zh().to_string()))
                .collect(),
        ),
        p.select_filter(
            "kind",
            lang.t("field.application_kind"),
            ApplicationKind::ALL
                .iter()
                .map(|x| (x.as_str().to_string(), x.label_zh().to_string()))
                .collect(),
        ),
        p.select_filter(
            "open",
            lang.t("field.open_only"),
            vec![("true".into(), lang.t("yes").into())],
        ),
    ];
    let cols = vec![
        p.column(lang.t("field.application_no"), ""),
        p.column(lang.t("field.application_kind"), "kind"),
        p.column(lang.t("field.subject"), "subject"),
        p.column(lang.t("field.region"), ""),
        p.column(lang.t("field.submitted_on"), "submitted"),
        p.column(lang.t("field.stage"), "stage"),
        p.column(lang.t("field.deadline"), ""),
    ];
    let new_link = a.role().may(Action::SubmitApplication).then(|| {
        (
            "/applications/new".to_string(),
            lang.t("licensing.new").to_string(),
        )
    });
    let v = p.view(
        lang,
        lang.t("nav.applications").into(),
        new_link,
        filters,
        cols,
        &page,
        |x| {
            let (st, class) = stage_badge(x);
            let (due, due_class) = clock_text(&clock(&s, &cal, x));
            vec![
                link(
                    lang.t("field.application_no"),
                    format!("第{}号", x.id),
                    format!("/applications/{}", x.id),
                ),
                cell(lang.t("field.application_kind"), kind_label(&x.kind)),
                cell(lang.t("field.subject"), &x.subject),
                cell(lang.t("field.region"), &x.region_name),
                cell(lang.t("field.submitted_on"), &x.submitted_on),
                badge(lang.t("field.stage"), st, class),
                badge(lang.t("field.deadline"), due, due_class),
            ]
        },
    );
    Ok(render(&ListPage {
        c: Chrome::new(&a, lang, lang.t("nav.applications"), "/applications"),
        v,
    }))
}

fn button(label: &str, href: String) -> ActionButton {
    ActionButton {
        label: label.into(),
        href,
        post: false,
        confirm: String::new(),
        danger: false,
    }
}

/// The proposed fields in readable form.
fn proposal_rows(app: &Application) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    match Proposal::parse(&app.payload) {
        Ok(Proposal::Institution(f)) => {
            for (k, v) in [
                ("名称", f.name.clone()),
                ("统一社会信用代码", f.uscc.clone().unwrap_or_default()),
                ("许可证号", f.licence_no.clone()),
                (
                    "许可证有效期至",
                    f.licence_valid_to.clone().unwrap_or_default(),
                ),
                ("行政区划", f.region_code.clone()),
                ("发证机关", f.registering_authority.clone()),
                ("业务范围", scope_labels(&f.scope)),
                (
                    "资质等级",
                    super::registry::qualification_label(&f.qualification_level),
                ),
                (
                    "资质认定／实验室认可",
                    super::registry::accreditation_text(&f.accreditations.0),
                ),
                ("法定代表人", f.legal_rep.clone()),
                ("机构负责人", f.head_name.clone()),
                ("住所", f.address.clone()),
                ("联系电话", f.phone.clone()),
                (
                    "军队单位",
                    if f.military {
                        "是".into()
                    } else {
                        "否".into()
                    },
                ),
                ("执业状态", f.status.clone()),
            ] {
                rows.push(vec![k.to_string(), or_dash(&v)]);
            }
        }
        Ok(Proposal::Appraiser(f)) => {
            for (k, v) in [
                ("姓名", f.name.clone()),
                (
                    "性别",
                    if f.gender == "female" {
                        "女".into()
                    } else {
                        "男".into()
                    },
                ),
                ("出生日期", f.birth_date.clone().unwrap_or_default()),
                (
                    "公民身份号码",
                    f.id_number
                        .as_ref()
                        .map(|i| i.masked.clone())
                        .unwrap_or_default(),
                ),
                ("学历", super::registry::education_label(&f.education)),
                ("执业证号", f.certificate_no.clone()),
                ("执业项目", scope_labels(&f.scope)),
                ("专业技术职称", f.title.clone()),
                (
                    "高级职称",
                    if f.senior_title {
                        "是".into()
                    } else {
                        "否".into()
                    },
                ),
                ("执业状态", f.status.clone()),
            ] {
                rows.push(vec![k.to_string(), or_dash(&v)]);
            }
        }
        Err(_) => rows.push(vec!["—".into(), "申请内容无法读取".into()]),
    }
    rows
}

fn declaration_rows(app: &Application) -> Vec<Vec<String>> {
    let v: serde_json::Value = serde_json::from_str(&app.eligibility).unwrap_or_default();
    let d: Declarations = serde_json::from_value(v["declarations"].clone()).unwrap_or_default();
    let yes = |b: bool| if b { "是" } else { "否" }.to_string();
    let mut rows = Vec::new();
    if app.kind.starts_with("appraiser_register") {
        rows.extend([
            vec!["具有相关行业执业资格".into(), yes(d.industry_qualification)],
            vec![
                "从事相关工作年限".into(),
                format!("{} 年", d.years_in_field),
            ],
            vec![
                "申请经验鉴定型或技能鉴定型业务".into(),
                yes(d.experience_based),
            ],
            vec!["身体健康，能够适应鉴定工作".into(), yes(d.healthy)],
            vec![
                "受过刑事处罚（故意犯罪或职务过失犯罪）".into(),
                yes(d.criminal_record),
            ],
            vec![
                "受过开除公职处分".into(),
                yes(d.dismissed_from_public_office),
            ],
            vec![
                "无民事行为能力或限制民事行为能力".into(),
                yes(d.lacks_capacity),
            ],
        ]);
    } else if app.kind == "institution_establish" {
        rows.push(vec!["资金".into(), format!("{} 元", d.funds_yuan)]);
        rows.push(vec!["具备业务所需仪器设备".into(), yes(d.has_equipment)]);
        for (c, n) in &d.appraisers_per_category {
            let name = c
                .parse::<u8>()
                .ok()
                .and_then(Category::from_digit)
                .map(|x| x.label_zh())
                .unwrap_or("");
            rows.push(vec![format!("{name}鉴定人"), format!("{n} 名")]);
        }
    }
    if let Some(r) = v["reason"].as_str().filter(|r| !r.is_empty()) {
        rows.push(vec!["申请理由".into(), r.to_string()]);
    }
    rows
}

pub async fn detail(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewApplications).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let cal = s.calendar.current(&s.db).await.or_page(lang)?;
    let c = clock(&s, &cal, &app);
    let (due, _) = clock_text(&c);
    let attachments = applications::attachments(&s.db, id)
        .await
        .unwrap_or_default();
    let reviews = applications::reviews(&s.db, id).await.unwrap_or_default();
    let stage = app.stage();
    let kind = app.kind();
    let t = |k: &str| lang.t(k).to_string();
    let mut actions = Vec::new();
    let handler = a.role().may(Action::HandleApplication);
    if handler && stage == Stage::Submitted {
        actions.push(button(
            &t("licensing.check"),
            format!("/applications/{id}/check"),
        ));
    }
    if handler && stage == Stage::Accepted && kind.is_some_and(|k| k.needs_expert_review()) {
        actions.push(button(
            &t("licensing.review"),
            format!("/applications/{id}/review"),
        ));
    }
    if handler && stage == Stage::Accepted && !app.extended {
        actions.push(button(
            &t("licensing.extend"),
            format!("/applications/{id}/extend"),
        ));
    }
    if a.role().may(Action::DecideApplication) && stage == Stage::Accepted {
        actions.push(button(
            &t("licensing.decide"),
            format!("/applications/{id}/decide"),
        ));
    }
    if a.role().may(Action::SubmitApplication) && stage == Stage::Returned {
        actions.push(ActionButton {
            label: t("licensing.resubmit"),
            href: format!("/applications/{id}/resubmit"),
            post: true,
            confirm: "确认已按退回意见补正，重新提交？".into(),
            danger: false,
        });
    }
    if a.role().may(Action::SubmitApplication) && stage.is_open() {
        actions.push(ActionButton {
            label: t("licensing.withdraw"),
            href: format!("/applications/{id}/withdraw"),
            post: true,
            confirm: "撤回后本申请即办结，不能恢复。确认撤回？".into(),
            danger: true,
        });
    }
    let (st, class) = stage_badge(&app);
    let mut fields = vec![
        (t("field.application_kind"), kind_label(&app.kind), None),
        (t("field.subject"), app.subject.clone(), None),
        (
            t("field.institution"),
            app.institution_name
                .clone()
                .unwrap_or_else(|| "（设立中）".into()),
            app.institution_id.map(|i| format!("/institutions/{i}")),
        ),
        (
            t("field.region"),
            format!("{} ({})", app.region_name, app.region_code),
            None,
        ),
        (
            t("field.applicant"),
            app.applicant_name.clone().unwrap_or_else(|| "—".into()),
            None,
        ),
        (t("field.submitted_on"), app.submitted_on.clone(), None),
        (
            t("field.accepted_on"),
            app.accepted_on.clone().unwrap_or_else(|| "—".into()),
            None,
        ),
        (
            t("field.review_period"),
            match (&app.review_started_on, &app.review_finished_on) {
                (Some(a), Some(b)) => format!("{a} 至 {b}（不计入审查期限）"),
                (Some(a), None) => format!("{a} 起，评审中（不计入审查期限）"),
                _ => "—".into(),
            },
            None,
        ),
        (
            t("field.extended"),
            t(if app.extended { "yes" } else { "no" }),
            None,
        ),
        (t("field.deadline"), format!("{}：{due}", c.label), None),
    ];
    if !app.return_reasons.is_empty() {
        fields.push((t("field.return_reasons"), app.return_reasons.clone(), None));
    }
    if app.decided_at.is_some() {
        fields.push((
            t("field.decision_reasons"),
            or_dash(&app.decision_reasons),
            None,
        ));
        fields.push((t("field.decided_at"), fmt_opt_time(app.decided_at), None));
    }
    if let Some(r) = app.result_id {
        let href = if app.kind.starts_with("institution") {
            format!("/institutions/{r}")
        } else {
            format!("/appraisers/{r}")
        };
        fields.push((t("field.result"), t("licensing.result_link"), Some(href)));
    }
    let (show_history, history) = history(&s, &a, lang, "application", id).await;
    let policy = s.cfg.licensing.for_path(&app.region_path);
    let v = DetailView {
        tables: vec![
            DetailTable {
                title: t("licensing.proposal"),
                head: vec![t("field.item_name"), t("field.value")],
                rows: proposal_rows(&app),
                empty: t("detail.none"),
                link: None,
            },
            DetailTable {
                title: t("licensing.declarations"),
                head: vec![t("field.item_name"), t("field.value")],
                rows: declaration_rows(&app),
                empty: t("detail.none"),
                link: None,
            },
            DetailTable {
                title: t("licensing.attachments"),
                head: vec![
                    t("field.name"),
                    t("field.size"),
                    "SHA-256".into(),
                    t("field.created_at"),
                ],
                rows: attachments
                    .iter()
                    .map(|x| {
                        vec![
                            x.name.clone(),
                            format!("{:.1} KiB", x.size as f64 / 1024.0),
                            x.sha256.clone(),
                            fmt_time(x.created_at),
                        ]
                    })
                    .collect(),
                empty: t("detail.none"),
                link: None,
            },
            DetailTable {
                title: format!(
                    "{}（须至少 {} 名）",
                    t("licensing.reviews"),
                    policy.min_expert_reviews
                ),
                head: vec![
                    t("field.expert"),
                    t("field.score"),
                    t("field.recommend"),
                    t("field.comment"),
                    t("field.created_at"),
                ],
                rows: reviews
                    .iter()
                    .map(|r| {
                        vec![
                            format!("{}（{}）", r.expert_name, r.expert_organisation),
                            r.score.to_string(),
                            t(if r.recommend { "yes" } else { "no" }),
                            r.comment.clone(),
                            fmt_time(r.created_at),
                        ]
                    })
                    .collect(),
                empty: t("detail.none"),
                link: None,
            },
        ],
        title: format!("{} · 第{}号", kind_label(&app.kind), app.id),
        badge: Some((st, class)),
        back: "/applications".into(),
        actions,
        fields,
        show_history,
        history,
    };
    let mut v = v;
    for (n, x) in attachments.iter().enumerate() {
        if let Some(row) = v.tables[2].rows.get_mut(n) {
            row[0] = format!("{}（/applications/{id}/attachments/{}）", x.name, x.id);
        }
    }
    let c = Chrome::new(&a, lang, v.title.clone(), "/applications").saved_flash(&q);
    Ok(render(&DetailPage { c, v }))
}

pub async fn attachment(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path((id, aid)): Path<(i64, i64)>,
) -> PageResult {
    a.require(Action::ViewApplications).or_page(lang)?;
    let (name, content_type, data) = applications::attachment_data(&s.db, &a.scope(), id, aid)
        .await
        .or_page(lang)?;
    Ok(crate::responses::download(&name, content_type, data))
}

fn step_form(
    title: String,
    intro: &str,
    action: String,
    id: i64,
    version: i64,
    fields: Vec<FormField>,
    submit: String,
    confirm: bool,
) -> FormView {
    FormView {
        title,
        intro: Some(intro.into()),
        action,
        hidden: vec![("version".into(), version.to_string())],
        fields,
        errors: Vec::new(),
        submit,
        cancel: format!("/applications/{id}"),
        confirm,
    }
}

fn check_form(lang: Lang, app: &Application, f: &FormData) -> FormView {
    step_form(
        format!("{} · 第{}号", lang.t("licensing.check"), app.id),
        "材料齐全、符合法定形式的，予以受理；不齐全或不符合法定形式的，退回并一次告知需要补正的全部内容（《行政许可法》第三十二条）。",
        format!("/applications/{}/check", app.id),
        app.id,
        app.version,
        vec![
            FormField::select(
                "complete",
                lang.t("licensing.check_result").into(),
                f.text("complete"),
                vec![
                    ("true".into(), "材料齐全，予以受理".into()),
                    ("false".into(), "退回补正".into()),
                ],
            )
            .required(),
            FormField {
                kind: "textarea",
                ..FormField::text(
                    "reasons",
                    lang.t("field.return_reasons").into(),
                    f.text("reasons"),
                )
            }
            .help("退回时必填：列明需要补正的全部内容"),
        ],
        lang.t("action.save").into(),
        true,
    )
}

pub async fn check_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(Action::HandleApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let v = check_form(
        lang,
        &app,
        &FormData(vec![("complete".into(), "true".into())]),
    );
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/applications"),
        v,
    }))
}

pub async fn check_submit(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::HandleApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let complete = p.form.text("complete") == "true";
    let version = p.form.int("version").unwrap_or(-1);
    let command = ApplicationCommand::CheckMaterials {
        complete,
        reasons: p.form.text("reasons"),
    };
    match sijian_service::licensing::step(&s, a, id, Some(version), command, &[]).await {
        Ok(_) => Ok(redirect(&format!("/applications/{id}?saved=1"))),
        Err(e) => {
            let v = check_form(lang, &app, &p.form);
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/applications"),
                v,
                e,
            ))
        }
    }
}

async fn review_form(s: &AppState, lang: Lang, app: &Application, f: &FormData) -> FormView {
    let experts = applications::experts_for(&s.db, &app.region_path)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            (
                e.id.to_string(),
                format!("{}（{}，{}）", e.name, e.organisation, e.title),
            )
        })
        .collect();
    let mut v = step_form(
        format!("{} · 第{}号", lang.t("licensing.review"), app.id),
        "由专家库中的专家逐一评审，记录评分与意见；评审所需时间不计入审查期限（《行政许可法》第四十五条）。与申请人有利害关系的专家应当回避。",
        format!("/applications/{}/review", app.id),
        app.id,
        app.version,
        vec![
            FormField::select(
                "expert_id",
                lang.t("field.expert").into(),
                f.text("expert_id"),
                experts,
            )
            .required(),
            FormField::text("score", lang.t("field.score").into(), f.text("score"))
                .typed("number")
                .required()
                .help("0–100 分"),
            FormField::checkbox(
                "recommend",
                lang.t("field.recommend").into(),
                f.flag("recommend"),
                "建议准予登记".into(),
            ),
            FormField {
                kind: "textarea",
                ..FormField::text("comment", lang.t("field.comment").into(), f.text("comment"))
            },
        ],
        lang.t("action.save").into(),
        false,
    );
    v.hidden.clear();
    v
}

pub async fn review_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(Action::HandleApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let v = review_form(&s, lang, &app, &FormData::default()).await;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/applications"),
        v,
    }))
}

pub async fn review_submit(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::HandleApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let score = p
        .form
        .get("score")
        .and_then(|v| v.trim().parse::<u32>().ok());
    let result = match (p.form.int("expert_id"), score) {
        (Some(expert_id), Some(score)) => {
            let command = ApplicationCommand::AddReview {
                expert_id,
                score,
                recommend: p.form.flag("recommend"),
                comment: p.form.text("comment"),
            };
            sijian_service::licensing::step(&s, a, id, None, command, &[])
                .await
                .map_err(AppError::from)
        }
        (None, _) => Err(AppError::field("expert_id", "请选择评审专家")),
        (_, None) => Err(AppError::field("score", "评分须为 0–100 的整数")),
    };
    match result {
        Ok(_) => Ok(redirect(&format!("/applications/{id}?saved=1"))),
        Err(e) => {
            let v = review_form(&s, lang, &app, &p.form).await;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/applications"),
                v,
                e,
            ))
        }
    }
}

fn decide_form(lang: Lang, app: &Application, f: &FormData) -> FormView {
    step_form(
        format!("{} · 第{}号", lang.t("licensing.decide"), app.id),
        "准予登记的，登记簿随即变更；不予登记的，应当说明理由，并告知申请人享有依法申请行政复议或者提起行政诉讼的权利（《行政许可法》第三十八条第二款）。",
        format!("/applications/{}/decide", app.id),
        app.id,
        app.version,
        vec![
            FormField::select(
                "approve",
                lang.t("licensing.decision").into(),
                f.text("approve"),
                vec![
                    ("true".into(), "准予登记".into()),
                    ("false".into(), "不予登记".into()),
                ],
            )
            .required(),
            FormField {
                kind: "textarea",
                ..FormField::text(
                    "reasons",
                    lang.t("field.decision_reasons").into(),
                    f.text("reasons"),
                )
            }
            .help("不予登记时必填"),
        ],
        lang.t("licensing.decide").into(),
        true,
    )
}

pub async fn decide_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(Action::DecideApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let v = decide_form(
        lang,
        &app,
        &FormData(vec![("approve".into(), "true".into())]),
    );
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/applications"),
        v,
    }))
}

pub async fn decide_submit(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::DecideApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let version = p.form.int("version").unwrap_or(-1);
    let command = ApplicationCommand::Decide {
        approve: p.form.text("approve") == "true",
        reasons: p.form.text("reasons"),
    };
    match sijian_service::licensing::step(&s, a, id, Some(version), command, &[]).await {
        Ok(_) => Ok(redirect(&format!("/applications/{id}?saved=1"))),
        Err(e) => {
            let v = decide_form(lang, &app, &p.form);
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/applications"),
                v,
                e,
            ))
        }
    }
}

fn extend_form(s: &AppState, lang: Lang, app: &Application, f: &FormData) -> FormView {
    let days = s.cfg.licensing.for_path(&app.region_path).extension_days;
    step_form(
        format!("{} · 第{}号", lang.t("licensing.extend"), app.id),
        &format!(
            "二十日内不能作出决定的，经本机关负责人批准，可以延长 {days} 个工作日，并应当将延长期限的理由告知申请人（《行政许可法》第四十二条）。只能延长一次。"
        ),
        format!("/applications/{}/extend", app.id),
        app.id,
        app.version,
        vec![
            FormField {
                kind: "textarea",
                ..FormField::text(
                    "reasons",
                    lang.t("field.extend_reasons").into(),
                    f.text("reasons"),
                )
            }
            .required(),
        ],
        lang.t("licensing.extend").into(),
        true,
    )
}

pub async fn extend_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(Action::HandleApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let v = extend_form(&s, lang, &app, &FormData::default());
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/applications"),
        v,
    }))
}

pub async fn extend_submit(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::HandleApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let reasons = p.form.text("reasons");
    let version = p.form.int("version").unwrap_or(-1);
    let command = ApplicationCommand::Extend { reasons };
    let result = sijian_service::licensing::step(&s, a, id, Some(version), command, &[])
        .await
        .map_err(AppError::from);
    match result {
        Ok(_) => Ok(redirect(&format!("/applications/{id}?saved=1"))),
        Err(e) => {
            let v = extend_form(&s, lang, &app, &p.form);
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/applications"),
                v,
                e,
            ))
        }
    }
}

pub async fn withdraw_submit(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    p: Post,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::SubmitApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    sijian_service::licensing::step(
        &s,
        a,
        id,
        Some(app.version),
        ApplicationCommand::Withdraw,
        &[],
    )
    .await
    .or_page(lang)?;
    Ok(redirect(&format!("/applications/{id}?saved=1")))
}

pub async fn resubmit_submit(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    p: Post,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::SubmitApplication).or_page(lang)?;
    let app = applications::get(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let command = ApplicationCommand::Resubmit {
        proposal: None,
        files: Vec::new(),
    };
    sijian_service::licensing::step(&s, a, id, Some(app.version), command, &[])
        .await
        .or_page(lang)?;
    Ok(redirect(&format!("/applications/{id}?saved=1")))
}

// ---------------------------------------------------------------------------------------------
// New applications

/// Kinds filed through these pages (all of them; establishing is filed at a regulator).
fn web_kinds(a: &Authed) -> Vec<ApplicationKind> {
    let mut v = vec![
        ApplicationKind::AppraiserRegister,
        ApplicationKind::AppraiserChange,
        ApplicationKind::AppraiserCancel,
        ApplicationKind::InstitutionChange,
        ApplicationKind::InstitutionRenew,
        ApplicationKind::InstitutionCancel,
    ];
    if a.role().is_regulator() {
        v.insert(0, ApplicationKind::InstitutionEstablish);
    }
    v
}

pub async fn new_choice(PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::SubmitApplication).or_page(lang)?;
    let v = DetailView {
        tables: Vec::new(),
        title: lang.t("licensing.new").into(),
        badge: None,
        back: "/applications".into(),
        actions: web_kinds(&a).into_iter().map(|k| button(k.label_zh(), format!("/applications/new/{}", k.as_str()))).collect(),
        fields: vec![(
            "说明".into(),
            "请选择申请类型。申请提交后按《行政许可法》计算期限：五个工作日内完成形式审查，受理后二十个工作日内作出决定（专家评审时间不计入）。".into(),
            None,
        )],
        show_history: false,
        history: Vec::new(),
    };
    Ok(render(&DetailPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/applications"),
        v,
    }))
}

async fn institution_options(s: &AppState, a: &Authed) -> Vec<(String, String)> {
    registry::list_institutions(
        &s.db,
        &a.scope(),
        &Default::default(),
        &ListQuery {
            per_page: 200,
            sort: Some("name".into()),
            ..Default::default()
        },
    )
    .await
    .map(|p| {
        p.items
            .into_iter()
            .map(|i| (i.id.to_string(), i.name))
            .collect()
    })
    .unwrap_or_default()
}

async fn new_form(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    kind: ApplicationKind,
    f: &FormData,
) -> FormView {
    let t = |k: &str| lang.t(k).to_string();
    let mut fields = Vec::new();
    if kind != ApplicationKind::InstitutionEstablish && !matches!(a.scope(), Scope::Institution(_))
    {
        fields.push(
            FormField::select(
                "institution_id",
                t("field.institution"),
                f.text("institution_id"),
                institution_options(s, a).await,
            )
            .required(),
        );
    }
    let yes_no = |name: &'static str, label: &str, help: &str| {
        FormField::checkbox(name, label.into(), f.flag(name), help.into())
    };
    match kind {
        ApplicationKind::AppraiserRegister => {
            fields.extend([
                FormField::text("name", t("field.person_name"), f.text("name")).required(),
                FormField::select(
                    "gender",
                    t("field.gender"),
                    f.text("gender"),
                    vec![
                        ("male".into(), t("gender.male")),
                        ("female".into(), t("gender.female")),
                    ],
                )
                .required(),
                FormField::text("id_number", t("field.id_number"), f.text("id_number"))
                    .required()
                    .help("GB 11643，18 位；加密保存，页面只显示脱敏号码"),
                FormField::text("birth_date", t("field.birth_date"), f.text("birth_date"))
                    .typed("date")
                    .help("留空则取自公民身份号码"),
                FormField::select(
                    "education",
                    t("field.education"),
                    f.text("education"),
                    pairs(&EDUCATION),
                ),
                FormField::text(
                    "certificate_no",
                    t("field.certificate_no"),
                    f.text("certificate_no"),
                )
                .required()
                .help("拟核发的执业证号"),
                FormField::checks(
                    "scope",
                    t("field.scope"),
                    f.all("scope"),
                    scope_options(lang),
                )
                .class("tree")
                .required()
                .help("须在所在机构的业务范围之内"),
                FormField::text("title", t("field.title"), f.text("title")),
                yes_no(
                    "senior_title",
                    &t("field.senior_title"),
                    "具有相关的高级专业技术职称",
                ),
                FormField::text("phone", t("field.phone"), f.text("phone")),
                yes_no(
                    "industry_qualification",
                    "行业执业资格",
                    "具有相关的行业执业资格",
                ),
                FormField::text(
                    "years_in_field",
                    "从事相关工作年限".into(),
                    f.text("years_in_field"),
                )
                .typed("number")
                .required(),
                yes_no(
                    "experience_based",
                    "经验鉴定型／技能鉴定型",
                    "申请从事经验鉴定型或技能鉴定型业务（须十年以上经历）",
                ),
                yes_no("healthy", "身体状况", "身体健康，能够适应司法鉴定工作需要"),
                yes_no(
                    "criminal_record",
                    "刑事处罚",
                    "因故意犯罪或者职务过失犯罪受过刑事处罚",
                ),
                yes_no(
                    "dismissed_from_public_office",
                    "开除公职",
                    "受过开除公职处分",
                ),
                yes_no(
                    "lacks_capacity",
                    "民事行为能力",
                    "无民事行为能力或者限制民事行为能力",
                ),
            ]);
        }
        ApplicationKind::InstitutionEstablish => {
            fields.extend([
                FormField::text("name", t("field.name"), f.text("name")).required(),
                FormField::text("uscc", t("field.uscc"), f.text("uscc")).help("GB 32100，18 位"),
                FormField::text("licence_no", t("field.licence_no"), f.text("licence_no"))
                    .required()
                    .help("拟核发的许可证号"),
                FormField::text(
                    "licence_valid_to",
                    t("field.licence_valid_to"),
                    f.text("licence_valid_to"),
                )
                .typed("date"),
                FormField::select(
                    "region_code",
                    t("field.region"),
                    f.text("region_code"),
                    region_options(s, a).await,
                )
                .required(),
                FormField::text(
                    "registering_authority",
                    t("field.registering_authority"),
                    f.text("registering_authority"),
                ),
                FormField::checks(
                    "scope",
                    t("field.scope"),
                    f.all("scope"),
                    scope_options(lang),
                )
                .class("tree")
                .required(),
                FormField::select(
                    "qualification_level",
                    t("field.qualification_level"),
                    f.text("qualification_level"),
                    pairs(&QUALIFICATION_LEVELS),
                )
                .required(),
                FormField::text("address", t("field.address"), f.text("address")).required(),
                FormField::text("legal_rep", t("field.legal_rep"), f.text("legal_rep")),
                FormField::text("head_name", t("field.head_name"), f.text("head_name")),
                FormField::text("phone", t("field.phone"), f.text("phone")),
                FormField::text("funds_yuan", "资金（元）".into(), f.text("funds_yuan"))
                    .typed("number")
                    .required(),
                yes_no(
                    "has_equipment",
                    "仪器设备",
                    "具备业务范围内所需的仪器、设备",
                ),
                FormField::select(
                    "acc1_kind",
                    format!("{} · 类型", t("field.accreditations")),
                    f.text("acc1_kind"),
                    vec![
                        ("CMA".into(), "CMA 资质认定".into()),
                        ("CNAS".into(), "CNAS 实验室认可".into()),
                    ],
                ),
                FormField::text(
                    "acc1_no",
                    format!("{} · 证书编号", t("field.accreditations")),
                    f.text("acc1_no"),
                ),
                FormField::text(
                    "acc1_expires",
                    format!("{} · 有效期至", t("field.accreditations")),
                    f.text("acc1_expires"),
                )
                .typed("date"),
                FormField::text("apps_1", "法医类鉴定人（名）".into(), f.text("apps_1"))
                    .typed("number"),
                FormField::text("apps_2", "物证类鉴定人（名）".into(), f.text("apps_2"))
                    .typed("number"),
                FormField::text("apps_3", "声像资料类鉴定人（名）".into(), f.text("apps_3"))
                    .typed("number"),
                FormField::text("apps_4", "环境损害类鉴定人（名）".into(), f.text("apps_4"))
                    .typed("number"),
                yes_no(
                    "military",
                    &t("field.military"),
                    "军队单位（须附军队主管部门意见）",
                ),
            ]);
        }
        ApplicationKind::InstitutionRenew => {
            fields.push(
                FormField::text(
                    "licence_valid_to",
                    "延续后有效期至".into(),
                    f.text("licence_valid_to"),
                )
                .typed("date")
                .required(),
            );
        }
        ApplicationKind::AppraiserCancel => {
            let apps = registry::list_appraisers(
                &s.db,
                &a.scope(),
                &Default::default(),
                &ListQuery {
                    per_page: 200,
                    ..Default::default()
                },
            )
            .await
            .map(|p| {
                p.items
                    .into_iter()
                    .filter(|x| x.status != "cancelled")
                    .map(|x| {
                        (
                            x.id.to_string(),
                            format!("{}（{}，{}）", x.name, x.certificate_no, x.institution_name),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
            fields.push(
                FormField::select(
                    "appraiser_id",
                    t("nav.appraisers"),
                    f.text("appraiser_id"),
                    apps,
                )
                .required(),
            );
            fields.push(
                FormField {
                    kind: "textarea",
                    ..FormField::text("reason", "注销理由".into(), f.text("reason"))
                }
                .required(),
            );
        }
        _ => {
            fields.push(
                FormField {
                    kind: "textarea",
                    ..FormField::text("reason", "注销理由".into(), f.text("reason"))
                }
                .required(),
            );
        }
    }
    fields.push(
        FormField::text("attachments", t("licensing.attachments"), "")
            .typed("file")
            .help("PDF、OFD、JPEG 或 PNG；单次提交合计不超过 2 MiB"),
    );
    if matches!(
        kind,
        ApplicationKind::InstitutionEstablish | ApplicationKind::AppraiserRegister
    ) {
        fields.push(
            FormField::text("military_opinion", "军队主管部门意见".into(), "")
                .typed("file")
                .help("仅军队单位提交"),
        );
    }
    FormView {
        title: format!("{} · {}", t("licensing.new"), kind.label_zh()),
        intro: Some("带 * 的为必填项。提交前系统按《司法鉴定人登记管理办法》第十二、十三条或《司法鉴定机构登记管理办法》第十四条核对条件，不符合的逐项列明。".into()),
        action: format!("/applications/new/{}", kind.as_str()),
        hidden: Vec::new(),
        fields,
        errors: Vec::new(),
        submit: t("licensing.submit"),
        cancel: "/applications".into(),
        confirm: true,
    }
}

pub async fn new_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(kind): Path<String>,
) -> PageResult {
    a.require(Action::SubmitApplication).or_page(lang)?;
    let kind = ApplicationKind::parse(&kind)
        .filter(|k| web_kinds(&a).contains(k))
        .ok_or(AppError::not_found())
        .or_page(lang)?;
    let init = FormData(vec![
        ("healthy".into(), "true".into()),
        ("qualification_level".into(), "ordinary".into()),
    ]);
    let v = new_form(&s, &a, lang, kind, &init).await;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/applications"),
        v,
    }))
}

fn attachment_inputs(files: &[UploadedFile]) -> Vec<AttachmentInput> {
    files
        .iter()
        .map(|x| AttachmentInput {
            name: x.file_name.clone(),
            content_type: x.content_type.clone(),
            data_base64: base64::engine::general_purpose::STANDARD.encode(&x.data),
            purpose: (x.field == "military_opinion").then(|| "military_opinion".into()),
        })
        .collect()
}

fn submit_body(kind: ApplicationKind, f: &FormData, files: &[UploadedFile]) -> SubmitBody {
    let num = |k: &str| f.get(k).and_then(|v| v.trim().parse::<u64>().ok());
    let mut b = SubmitBody {
        kind: kind.as_str().into(),
        institution_id: f.int("institution_id"),
        appraiser_id: f.int("appraiser_id"),
        reason: f.get("reason"),
        attachments: attachment_inputs(files),
        ..Default::default()
    };
    match kind {
        ApplicationKind::AppraiserRegister => {
            b.appraiser = Some(AppraiserInput {
                name: f.get("name"),
                gender: f.get("gender"),
                birth_date: f.get("birth_date"),
                id_number: f.get("id_number"),
                education: f.get("education"),
                certificate_no: f.get("certificate_no"),
                scope: Some(f.all("scope")),
                title: f.get("title"),
                senior_title: Some(f.flag("senior_title")),
                phone: f.get("phone"),
                ..Default::default()
            });
            b.declarations = Declarations {
                industry_qualification: f.flag("industry_qualification"),
                years_in_field: num("years_in_field").unwrap_or(0) as u32,
                experience_based: f.flag("experience_based"),
                healthy: f.flag("healthy"),
                criminal_record: f.flag("criminal_record"),
                dismissed_from_public_office: f.flag("dismissed_from_public_office"),
                lacks_capacity: f.flag("lacks_capacity"),
                ..Default::default()
            };
        }
        ApplicationKind::InstitutionEstablish => {
            let acc = (!f.text("acc1_kind").is_empty()).then(|| {
                vec![registry::Accreditation {
                    kind: f.text("acc1_kind"),
                    certificate_no: f.text("acc1_no"),
                    scope: String::new(),
                    expires_on: f.text("acc1_expires"),
                }]
            });
            b.institution = Some(InstitutionInput {
                name: f.get("name"),
                uscc: f.get("uscc"),
                licence_no: f.get("licence_no"),
                licence_valid_to: f.get("licence_valid_to"),
                region_code: f.get("region_code"),
                registering_authority: f.get("registering_authority"),
                scope: Some(f.all("scope")),
                qualification_level: f.get("qualification_level"),
                accreditations: acc,
                address: f.get("address"),
                legal_rep: f.get("legal_rep"),
                head_name: f.get("head_name"),
                phone: f.get("phone"),
                military: Some(f.flag("military")),
                ..Default::default()
            });
            b.declarations = Declarations {
                funds_yuan: num("funds_yuan").unwrap_or(0),
                has_equipment: f.flag("has_equipment"),
                appraisers_per_category: (1..=4)
                    .filter_map(|d| num(&format!("apps_{d}")).map(|n| (d.to_string(), n as u32)))
                    .collect(),
                ..Default::default()
            };
        }
        ApplicationKind::InstitutionRenew => {
            b.institution = Some(InstitutionInput {
                licence_valid_to: f.get("licence_valid_to"),
                ..Default::default()
            });
        }
        _ => {}
    }
    b
}

pub async fn new_submit(
    State(s): State<AppState>,
    Path(kind): Path<String>,
    p: MultipartPost,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::SubmitApplication).or_page(lang)?;
    let kind = ApplicationKind::parse(&kind)
        .filter(|k| web_kinds(a).contains(k))
        .ok_or(AppError::not_found())
        .or_page(lang)?;
    let body = submit_body(kind, &p.form, &p.files);
    match sijian_service::licensing::submit(&s, a, &body)
        .await
        .map_err(AppError::from)
    {
        Ok(app) => Ok(redirect(&format!("/applications/{}?saved=1", app.id))),
        Err(mut e) => {
            // Field names of nested inputs ("appraiser.name", "declarations.healthy") are the
            // form's own names.
            for f in &mut e.fields {
                if let Some((_, rest)) = f.field.split_once('.') {
                    f.field = rest.to_string();
                }
            }
            let v = new_form(&s, a, lang, kind, &p.form).await;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/applications"),
                v,
                e,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Experts

pub async fn experts(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::HandleApplication).or_page(lang)?;
    let list = applications::experts_for(&s.db, &a.user.home_path)
        .await
        .or_page(lang)?;
    let t = |k: &str| lang.t(k).to_string();
    let v = DetailView {
        tables: vec![DetailTable {
            title: t("nav.experts"),
            head: vec![
                t("field.person_name"),
                t("field.organisation"),
                t("field.title"),
                t("field.scope"),
            ],
            rows: list
                .iter()
                .map(|e| {
                    vec![
                        e.name.clone(),
                        e.organisation.clone(),
                        e.title.clone(),
                        scope_labels(&e.speciality),
                    ]
                })
                .collect(),
            empty: t("detail.none"),
            link: a
                .role()
                .may(Action::ManageExperts)
                .then(|| (t("licensing.add_expert"), "/experts/new".to_string())),
        }],
        title: t("nav.experts"),
        badge: None,
        back: "/applications".into(),
        actions: Vec::new(),
        fields: vec![(
            "说明".into(),
            "本辖区及上级司法行政机关专家库中可参加许可评审的专家。".into(),
            None,
        )],
        show_history: false,
        history: Vec::new(),
    };
    Ok(render(&DetailPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/experts"),
        v,
    }))
}

async fn expert_form(s: &AppState, a: &Authed, lang: Lang, f: &FormData) -> FormView {
    let t = |k: &str| lang.t(k).to_string();
    FormView {
        title: t("licensing.add_expert"),
        intro: None,
        action: "/experts/new".into(),
        hidden: Vec::new(),
        fields: vec![
            FormField::text("name", t("field.person_name"), f.text("name")).required(),
            FormField::text(
                "organisation",
                t("field.organisation"),
                f.text("organisation"),
            ),
            FormField::text("title", t("field.title"), f.text("title")),
            FormField::checks(
                "speciality",
                t("field.scope"),
                f.all("speciality"),
                scope_options(lang),
            )
            .class("tree"),
            FormField::select(
                "region_code",
                t("field.region"),
                f.text("region_code"),
                region_options(s, a).await,
            )
            .required(),
        ],
        errors: Vec::new(),
        submit: t("action.create"),
        cancel: "/experts".into(),
        confirm: false,
    }
}

pub async fn expert_new(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::ManageExperts).or_page(lang)?;
    let v = expert_form(&s, &a, lang, &FormData::default()).await;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/experts"),
        v,
    }))
}

pub async fn expert_create(State(s): State<AppState>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::ManageExperts).or_page(lang)?;
    let f = &p.form;
    let mut pr = sijian_domain::Problems::default();
    let name = pr.required("name", "姓名", &f.text("name"), 50);
    let organisation = pr.optional("organisation", "工作单位", &f.text("organisation"), 100);
    let title = pr.optional("title", "职称", &f.text("title"), 50);
    let result = match pr.into_result(()) {
        Ok(()) => applications::add_expert(
            &s.db,
            &a.actor(),
            &a.scope(),
            &NewExpert {
                name,
                organisation,
                title,
                speciality: f.all("speciality").join(","),
                region_code: f.text("region_code"),
            },
        )
        .await
        .map_err(AppError::from),
        Err(errs) => Err(AppError::validation(errs)),
    };
    match result {
        Ok(_) => Ok(redirect("/experts?saved=1")),
        Err(e) => {
            let v = expert_form(&s, a, lang, f).await;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/experts"),
                v,
                e,
            ))
        }
    }
}
