//! Pages of appraisal cases: the work queues and lists (institution, commissioning organ,
//! regulator), the commission form, a case's file with its full timeline and proofs, one form
//! per step, and the printable documents of 司发通〔2016〕112号.
use super::forms::{FormData, MultipartPost, Post, UploadedFile};
use super::listing::{ListParams, badge, cell, link};
use super::registry::{history_of, or_dash, pairs, refused, scope_options};
use super::view::*;
use super::{OrPage, PageResult, redirect, render};
use crate::auth::{Authed, PageUser};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::state::{AppState, today};
use askama::Template;
use axum::extract::{Path, Query, State};
use base64::Engine;
use sijian_domain::procedure::{Appearance, RefusalReason, Stage, StopReason, TerminationReason};
use sijian_domain::role::OrganKind;
use sijian_domain::{Action, Scope};
use sijian_service::cases::{
    CASE_TYPES, CaseClock, CommissionBody, Env, PersonInput, StepInput, apply, clock_of,
    date_field, opt_date_field, parse_all,
};
use sijian_service::licensing::{AttachmentInput, decode_attachments};
use sijian_store::cases::{self, Case, CaseParts, NewMaterial, opinions};

fn stage_badge(lang: Lang, c: &Case) -> (String, &'static str) {
    let s = c.stage;
    (
        lang.pick(s.label_zh(), s.label_en()).to_string(),
        match s {
            Stage::Issued | Stage::Archived => "ok",
            Stage::Refused | Stage::Terminated => "bad",
            Stage::ClockStopped => "warn",
            _ => "",
        },
    )
}

/// A case's clock as people read it, from the service's clock: the Chinese is the service's own
/// text; other languages build it from the same figures.
fn clock_text(lang: Lang, c: &Case, k: &CaseClock) -> String {
    if lang == Lang::Zh {
        return k.text.clone();
    }
    match (k.deadline.as_str(), &k.due_on, k.days_left) {
        ("unknown", _, _) => lang.t("cases.clock.unknown").to_string(),
        (deadline, Some(due), Some(days)) => {
            let label = lang.t(if deadline == "accept" {
                "cases.col.accept_limit"
            } else {
                "cases.col.complete_limit"
            });
            let stopped = if c.stage() == Stage::ClockStopped {
                lang.t("cases.clock.stopped")
            } else {
                ""
            };
            let (key, n) = if days < 0 {
                ("cases.clock.overdue", -days)
            } else {
                ("cases.clock.left", days)
            };
            lang.tf(
                key,
                &[
                    ("deadline", label),
                    ("due", due),
                    ("days", &n.to_string()),
                    ("stopped", stopped),
                ],
            )
        }
        _ => k.text.clone(),
    }
}

fn clock_badge(lang: Lang, c: &Case, k: &CaseClock) -> (String, &'static str) {
    let class = match k.urgency.as_str() {
        "overdue" => "bad",
        "due_soon" => "warn",
        _ if k.deadline == "unknown" => "warn",
        _ => "",
    };
    let text = clock_text(lang, c, k);
    (if text.is_empty() { "—".into() } else { text }, class)
}

fn lineage_label(lang: Lang, l: &str) -> &'static str {
    match l {
        "supplementary" => lang.t("cases.lineage.supplementary"),
        "reappraisal" => lang.t("cases.lineage.reappraisal"),
        _ => lang.t("cases.lineage.initial"),
    }
}

const QUEUES: &[(&str, &str)] = &[
    ("to_accept", "cases.queue.to_accept"),
    ("due_soon", "cases.queue.due_soon"),
    ("overdue", "cases.queue.overdue"),
    ("to_review", "cases.queue.to_review"),
    ("to_sign", "cases.queue.to_sign"),
    ("open", "cases.queue.open"),
];

pub async fn list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewCases).or_page(lang)?;
    let p = ListParams::new("/cases", q);
    let env = Env::load(&s, "").await.or_page(lang)?;
    let f = env.filter(p.get("queue"), p.get("stage"));
    let page = cases::list(&s.db, &a.scope(), &f, &p.query())
        .await
        .or_page(lang)?;
    let filters = vec![
        p.text_filter("q", lang.t("cases.list.search")),
        p.select_filter(
            "queue",
            lang.t("cases.list.queue"),
            QUEUES
                .iter()
                .map(|(k, v)| (k.to_string(), lang.t(v).to_string()))
                .collect(),
        ),
        p.select_filter(
            "stage",
            lang.t("field.stage"),
            Stage::ALL
                .iter()
                .map(|x| {
                    (
                        x.as_str().to_string(),
                        lang.pick(x.label_zh(), x.label_en()).to_string(),
                    )
                })
                .collect(),
        ),
    ];
    let cols = vec![
        p.column(lang.t("cases.col.case"), ""),
        p.column(lang.t("cases.col.client"), "client"),
        p.column(lang.t("cases.col.case_number"), ""),
        p.column(lang.t("cases.col.institution"), ""),
        p.column(lang.t("cases.col.received"), "received"),
        p.column(lang.t("field.stage"), "stage"),
        p.column(lang.t("cases.col.deadline"), "due"),
    ];
    let title = match a.role() {
        r if r.is_institution_staff() => lang.t("cases.title.staff"),
        sijian_domain::Role::Organ => lang.t("cases.title.organ"),
        sijian_domain::Role::Appraiser => lang.t("cases.title.appraiser"),
        _ => lang.t("cases.title.regulator"),
    };
    let new_link = if a.role().may(Action::CommissionCase) {
        Some(("/cases/new".to_string(), lang.t("cases.new").to_string()))
    } else {
        Some((
            "/cases/deadlines".to_string(),
            lang.t("cases.deadlines").to_string(),
        ))
    };
    let v = p.view(lang, title.into(), new_link, filters, cols, &page, |c| {
        let policy = s.cfg.procedure.for_path(&c.region_path);
        let (st, class) = stage_badge(lang, c);
        let (due, due_class) = clock_badge(lang, c, &clock_of(c, env.today, &env.cal, &policy));
        vec![
            link(
                lang.t("cases.col.case"),
                lang.tf(
                    "cases.no_lineage",
                    &[
                        ("id", &c.id.to_string()),
                        ("lineage", lineage_label(lang, &c.lineage)),
                    ],
                ),
                format!("/cases/{}", c.id),
            ),
            cell(lang.t("cases.col.client"), &c.client_name),
            cell(
                lang.t("cases.col.case_number"),
                c.case_number.clone().unwrap_or_else(|| "—".into()),
            ),
            cell(lang.t("cases.col.institution"), &c.institution_name),
            cell(lang.t("cases.col.received"), &c.received_on),
            badge(lang.t("field.stage"), st, class),
            badge(lang.t("cases.col.deadline"), due, due_class),
        ]
    });
    Ok(render(&ListPage {
        c: Chrome::new(&a, lang, title, "/cases"),
        v,
    }))
}

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

/// A step as the pages offer it.
struct StepDef {
    name: &'static str,
    /// Catalogue keys of the step's name and of the rule shown above its form.
    label: &'static str,
    stages: &'static [Stage],
    action: Action,
    /// Sent with a file (multipart).
    upload: bool,
    intro: &'static str,
}

use Stage::*;

const STEPS: &[StepDef] = &[
    StepDef {
        name: "accept",
        label: "cases.step.accept",
        stages: &[Received],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.accept.intro",
    },
    StepDef {
        name: "agree-accept-date",
        label: "cases.step.agree-accept-date",
        stages: &[Received],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.agree-accept-date.intro",
    },
    StepDef {
        name: "refuse",
        label: "cases.step.refuse",
        stages: &[Received],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.refuse.intro",
    },
    StepDef {
        name: "contract",
        label: "cases.step.contract",
        stages: &[Accepted],
        action: Action::HandleCase,
        upload: true,
        intro: "cases.step.contract.intro",
    },
    StepDef {
        name: "assign",
        label: "cases.step.assign",
        stages: &[Contracted, Assigned, InProgress, ClockStopped],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.assign.intro",
    },
    StepDef {
        name: "conflicts",
        label: "cases.step.conflicts",
        stages: &[Contracted, Assigned, InProgress, ClockStopped],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.conflicts.intro",
    },
    StepDef {
        name: "recusal",
        label: "cases.step.recusal",
        stages: &[Assigned, InProgress, ClockStopped],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.recusal.intro",
    },
    StepDef {
        name: "start",
        label: "cases.step.start",
        stages: &[Assigned],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.start.intro",
    },
    StepDef {
        name: "stop-clock",
        label: "cases.step.stop-clock",
        stages: &[InProgress],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.stop-clock.intro",
    },
    StepDef {
        name: "resume-clock",
        label: "cases.step.resume-clock",
        stages: &[ClockStopped],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.resume-clock.intro",
    },
    StepDef {
        name: "extend",
        label: "cases.step.extend",
        stages: &[
            Contracted,
            Assigned,
            InProgress,
            ClockStopped,
            UnderReview,
            Signing,
        ],
        action: Action::ApproveExtension,
        upload: false,
        intro: "cases.step.extenlang.t(d.intro)",
    },
    StepDef {
        name: "terminate",
        label: "cases.step.terminate",
        stages: &[
            Accepted,
            Contracted,
            Assigned,
            InProgress,
            ClockStopped,
            UnderReview,
            Signing,
        ],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.terminate.intro",
    },
    StepDef {
        name: "review-request",
        label: "cases.step.review-request",
        stages: &[InProgress],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.review-request.intro",
    },
    StepDef {
        name: "review",
        label: "cases.step.review",
        stages: &[UnderReview],
        action: Action::SignOpinion,
        upload: false,
        intro: "cases.step.review.intro",
    },
    StepDef {
        name: "sign",
        label: "cases.step.sign",
        stages: &[Signing],
        action: Action::SignOpinion,
        upload: false,
        intro: "cases.step.sign.intro",
    },
    StepDef {
        name: "seal",
        label: "cases.step.seal",
        stages: &[Signing],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.seal.intro",
    },
    StepDef {
        name: "issue",
        label: "cases.step.issue",
        stages: &[Sealed],
        action: Action::HandleCase,
        upload: true,
        intro: "cases.step.issue.intro",
    },
    StepDef {
        name: "archive",
        label: "cases.step.archive",
        stages: &[Issued],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.archive.intro",
    },
    StepDef {
        name: "correct",
        label: "cases.step.correct",
        stages: &[Issued, Archived],
        action: Action::HandleCase,
        upload: true,
        intro: "cases.step.correct.intro",
    },
    StepDef {
        name: "revoke",
        label: "cases.step.revoke",
        stages: &[Issued, Archived],
        action: Action::RevokeOpinion,
        upload: false,
        intro: "cases.step.revoke.intro",
    },
    StepDef {
        name: "appearances",
        label: "cases.step.appearances",
        stages: &[Issued, Archived],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.appearances.intro",
    },
];

fn step_def(name: &str) -> Option<&'static StepDef> {
    STEPS.iter().find(|d| d.name == name)
}

fn available(a: &Authed, c: &Case) -> Vec<&'static StepDef> {
    let stage = c.stage();
    STEPS
        .iter()
        .filter(|d| d.stages.contains(&stage) && a.role().may(d.action))
        .collect()
}

fn opts<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|x| (code(*x).to_string(), label(*x).to_string()))
        .collect()
}

async fn appraiser_opts(s: &AppState, lang: Lang, institution_id: i64) -> Vec<(String, String)> {
    cases::appraiser_options(&s.db, institution_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(id, name, cert, senior)| {
            (
                id.to_string(),
                lang.tf(
                    "cases.appraiser.option",
                    &[
                        ("name", &name),
                        ("cert", &cert),
                        (
                            "senior",
                            if senior {
                                lang.t("cases.appraiser.senior")
                            } else {
                                ""
                            },
                        ),
                    ],
                ),
            )
        })
        .collect()
}

fn textarea(name: &'static str, label: &str, value: String) -> FormField {
    FormField {
        kind: "textarea",
        ..FormField::text(name, label.into(), value)
    }
}

async fn step_fields(
    s: &AppState,
    lang: Lang,
    c: &Case,
    parts: &CaseParts,
    d: &StepDef,
    f: &FormData,
) -> Vec<FormField> {
    let assigned: Vec<(String, String)> = parts
        .assignments
        .iter()
        .filter(|x| x.removed_at.is_none())
        .map(|x| (x.appraiser_id.to_string(), x.name.clone()))
        .collect();
    match d.name {
        "agree-accept-date" => vec![
            FormField::text(
                "date",
                lang.t("cases.field.agreed_date").into(),
                f.text("date"),
            )
            .typed("date")
            .required(),
            textarea(
                "agreement",
                lang.t("cases.field.agreement"),
                f.text("agreement"),
            )
            .required(),
        ],
        "refuse" => vec![
            FormField::checks(
                "reasons",
                lang.t("cases.field.refusal_reasons").into(),
                f.all("reasons"),
                opts(
                    &RefusalReason::ALL,
                    RefusalReason::as_str,
                    |x: RefusalReason| lang.pick(x.label_zh(), x.label_en()),
                ),
            )
            .required(),
            textarea(
                "explanation",
                lang.t("cases.field.explanation"),
                f.text("explanation"),
            )
            .required(),
            FormField::checkbox(
                "materials_returned",
                lang.t("cases.field.returned").into(),
                f.flag("materials_returned"),
                lang.t("cases.field.returned_art17").into(),
            ),
        ],
        "contract" => vec![
            FormField::text(
                "effective_on",
                lang.t("cases.field.contract_date").into(),
                f.get("effective_on").unwrap_or_else(|| today().to_string()),
            )
            .typed("date")
            .required(),
            FormField::select(
                "is_reappraisal",
                lang.t("cases.field.is_reappraisal").into(),
                f.get("is_reappraisal")
                    .unwrap_or_else(|| (c.lineage == "reappraisal").to_string()),
                vec![
                    ("false".into(), lang.t("cases.no").into()),
                    ("true".into(), lang.t("cases.yes_reappraisal").into()),
                ],
            )
            .required(),
            FormField::text(
                "agreed_complete_by",
                lang.t("cases.field.agreed_due").into(),
                f.text("agreed_complete_by"),
            )
            .typed("date")
            .help(lang.t("cases.help.agreed_due")),
            FormField::text("contract", lang.t("cases.field.contract_scan").into(), "")
                .typed("file"),
        ],
        "assign" => vec![
            FormField::checks(
                "appraiser_ids",
                lang.t("cases.field.appraisers_two").into(),
                if f.0.is_empty() {
                    assigned.iter().map(|x| x.0.clone()).collect()
                } else {
                    f.all("appraiser_ids")
                },
                appraiser_opts(s, lang, c.institution_id).await,
            )
            .required(),
        ],
        "conflicts" => vec![
            FormField::select(
                "appraiser_id",
                lang.t("cases.field.appraiser").into(),
                f.text("appraiser_id"),
                appraiser_opts(s, lang, c.institution_id).await,
            )
            .required(),
            FormField::select(
                "kind",
                lang.t("cases.field.conflict").into(),
                f.text("kind"),
                pairs(&[
                    ("relation", lang.t("cases.conflict.relation")),
                    (
                        "same_matter_before",
                        lang.t("cases.conflict.same_matter_before"),
                    ),
                    ("consultant", lang.t("cases.conflict.consultant")),
                    ("expert_witness", lang.t("cases.conflict.testified")),
                ]),
            )
            .required(),
            textarea("detail", lang.t("cases.field.detail"), f.text("detail")),
        ],
        "recusal" => vec![
            FormField::select(
                "appraiser_id",
                lang.t("cases.field.recusal_appraiser").into(),
                f.text("appraiser_id"),
                assigned.clone(),
            )
            .required(),
            FormField::select(
                "granted",
                lang.t("cases.field.decision").into(),
                f.text("granted"),
                vec![
                    ("true".into(), lang.t("cases.recusal.grant").into()),
                    ("false".into(), lang.t("cases.recusal.reject").into()),
                ],
            )
            .required(),
            textarea(
                "decision",
                lang.t("cases.field.decision_reasons"),
                f.text("decision"),
            )
            .required(),
        ],
        "stop-clock" => vec![
            FormField::select(
                "reason",
                lang.t("cases.field.stop_reason").into(),
                f.text("reason"),
                vec![
                    (
                        StopReason::MaterialSupplement.as_str().into(),
                        lang.pick(
                            StopReason::MaterialSupplement.label_zh(),
                            StopReason::MaterialSupplement.label_en(),
                        )
                        .into(),
                    ),
                    (
                        StopReason::WitnessAbsent.as_str().into(),
                        lang.pick(
                            StopReason::WitnessAbsent.label_zh(),
                            StopReason::WitnessAbsent.label_en(),
                        )
                        .into(),
                    ),
                ],
            )
            .required(),
        ],
        "extend" => vec![
            FormField::text(
                "days",
                lang.t("cases.field.extend_days").into(),
                f.get("days").unwrap_or_else(|| "30".into()),
            )
            .typed("number")
            .required(),
            textarea(
                "reason",
                lang.t("cases.field.extend_reason"),
                f.text("reason"),
            )
            .required(),
            FormField::checkbox(
                "client_notified",
                lang.t("cases.field.client_told").into(),
                f.flag("client_notified"),
                lang.t("cases.field.extension_notice_sent").into(),
            ),
        ],
        "terminate" => vec![
            FormField::checks(
                "reasons",
                lang.t("cases.field.termination").into(),
                f.all("reasons"),
                opts(
                    &TerminationReason::ALL,
                    TerminationReason::as_str,
                    |x: TerminationReason| lang.pick(x.label_zh(), x.label_en()),
                ),
            )
            .required(),
            textarea(
                "explanation",
                lang.t("cases.field.notice_reasons"),
                f.text("explanation"),
            )
            .required(),
            FormField::checkbox(
                "materials_returned",
                lang.t("cases.field.returned").into(),
                f.flag("materials_returned"),
                lang.t("cases.field.material_returned").into(),
            ),
        ],
        "review-request" => {
            let mine: Vec<String> = assigned.iter().map(|x| x.0.clone()).collect();
            let options = appraiser_opts(s, lang, c.institution_id)
                .await
                .into_iter()
                .filter(|o| !mine.contains(&o.0))
                .collect();
            vec![
                FormField::checks(
                    "reviewer_ids",
                    lang.t("cases.field.reviewer_not_appraiser").into(),
                    f.all("reviewer_ids"),
                    options,
                )
                .required(),
            ]
        }
        "review" => {
            let round: Vec<(String, String)> = parts
                .reviews
                .iter()
                .filter(|r| r.round == c.review_round && r.agrees.is_none())
                .map(|r| (r.reviewer_id.to_string(), r.name.clone()))
                .collect();
            vec![
                FormField::select(
                    "reviewer_id",
                    lang.t("cases.field.reviewer").into(),
                    f.text("reviewer_id"),
                    round,
                )
                .required(),
                FormField::select(
                    "agrees",
                    lang.t("cases.field.review_result").into(),
                    f.text("agrees"),
                    vec![
                        ("true".into(), lang.t("cases.review.approve").into()),
                        ("false".into(), lang.t("cases.review.return").into()),
                    ],
                )
                .required(),
                textarea(
                    "opinion",
                    lang.t("cases.field.review_opinion"),
                    f.text("opinion"),
                )
                .required(),
            ]
        }
        "sign" => {
            let unsigned: Vec<(String, String)> = parts
                .assignments
                .iter()
                .filter(|x| x.removed_at.is_none() && x.signed_at.is_none())
                .map(|x| (x.appraiser_id.to_string(), x.name.clone()))
                .collect();
            vec![
                FormField::select(
                    "appraiser_id",
                    lang.t("cases.field.signing_appraiser").into(),
                    f.text("appraiser_id"),
                    unsigned,
                )
                .required(),
                textarea("dissent", lang.t("cases.field.dissent"), f.text("dissent")),
            ]
        }
        "issue" => vec![
            FormField::text("document", lang.t("cases.field.final_opinion").into(), "")
                .typed("file")
                .required(),
        ],
        "correct" => vec![
            FormField::select(
                "signer_id",
                lang.t("cases.field.correction_signer").into(),
                f.text("signer_id"),
                assigned.clone(),
            )
            .required(),
            textarea("what", lang.t("cases.field.correction"), f.text("what")).required(),
            FormField::checkbox(
                "changes_conclusion",
                lang.t("cases.field.touches_opinion").into(),
                f.flag("changes_conclusion"),
                lang.t("cases.field.changes_opinion").into(),
            ),
            FormField::text(
                "document",
                lang.t("cases.field.correction_document").into(),
                "",
            )
            .typed("file"),
        ],
        "revoke" => vec![
            textarea(
                "reason",
                lang.t("cases.field.revocation_basis"),
                f.text("reason"),
            )
            .required(),
        ],
        "appearances" => vec![
            FormField::checks(
                "appraiser_ids",
                lang.t("cases.field.appearing_appraiser").into(),
                f.all("appraiser_ids"),
                assigned.clone(),
            )
            .required(),
            FormField::text("court", lang.t("cases.field.court").into(), f.text("court"))
                .required(),
            FormField::text(
                "hearing_on",
                lang.t("cases.field.hearing_on").into(),
                f.text("hearing_on"),
            )
            .typed("date")
            .required(),
        ],
        _ => Vec::new(),
    }
}

fn ids_of(f: &FormData, name: &str) -> Vec<i64> {
    f.all(name).iter().filter_map(|v| v.parse().ok()).collect()
}

fn pick(f: &FormData, name: &str) -> AppResult<i64> {
    f.int(name).ok_or_else(|| AppError::field(name, "请选择"))
}

fn file_of(
    files: &[UploadedFile],
    field: &str,
) -> AppResult<Option<sijian_store::cases::NewAttachment>> {
    let Some(f) = files.iter().find(|x| x.field == field) else {
        return Ok(None);
    };
    let input = AttachmentInput {
        name: f.file_name.clone(),
        content_type: f.content_type.clone(),
        data_base64: base64::engine::general_purpose::STANDARD.encode(&f.data),
        purpose: None,
    };
    Ok(decode_attachments(std::slice::from_ref(&input))?.pop())
}

/// The step's input read from its form.
fn step_input(name: &str, f: &FormData, files: &[UploadedFile]) -> AppResult<StepInput> {
    Ok(match name {
        "accept" => StepInput::Accept,
        "agree-accept-date" => StepInput::AgreeAcceptDate {
            date: date_field("date", &f.text("date"))?,
            agreement: f.text("agreement"),
        },
        "refuse" => StepInput::Refuse {
            reasons: parse_all("reasons", &f.all("reasons"), RefusalReason::parse)?,
            explanation: f.text("explanation"),
            materials_returned: f.flag("materials_returned"),
        },
        "contract" => StepInput::Contract {
            effective_on: opt_date_field("effective_on", f.get("effective_on").as_deref())?,
            is_reappraisal: f.text("is_reappraisal") == "true",
            agreed_complete_by: opt_date_field(
                "agreed_complete_by",
                f.get("agreed_complete_by").as_deref(),
            )?,
            contract: file_of(files, "contract")?,
        },
        "assign" => StepInput::Assign {
            appraiser_ids: ids_of(f, "appraiser_ids"),
        },
        "conflicts" => StepInput::Conflict {
            appraiser_id: pick(f, "appraiser_id")?,
            kind: f.text("kind"),
            detail: f.text("detail"),
        },
        "recusal" => StepInput::Recusal {
            appraiser_id: pick(f, "appraiser_id")?,
            granted: f.text("granted") == "true",
            decision: f.text("decision"),
        },
        "start" => StepInput::Start,
        "stop-clock" => StepInput::StopClock {
            reason: StopReason::parse(&f.text("reason"))
                .ok_or_else(|| AppError::field("reason", "请选择中止计时的原因"))?,
        },
        "resume-clock" => StepInput::ResumeClock,
        "extend" => StepInput::Extend {
            days: f
                .text("days")
                .trim()
                .parse()
                .map_err(|_| AppError::field("days", "请填写 1 至 30 之间的整数"))?,
            reason: f.text("reason"),
            client_notified: f.flag("client_notified"),
        },
        "terminate" => StepInput::Terminate {
            reasons: parse_all("reasons", &f.all("reasons"), TerminationReason::parse)?,
            explanation: f.text("explanation"),
            materials_returned: f.flag("materials_returned"),
        },
        "review-request" => StepInput::RequestReview {
            reviewer_ids: ids_of(f, "reviewer_ids"),
        },
        "review" => StepInput::Review {
            reviewer_id: f.int("reviewer_id"),
            agrees: f.text("agrees") == "true",
            opinion: f.text("opinion"),
        },
        "sign" => StepInput::Sign {
            appraiser_id: f.int("appraiser_id"),
            dissent: f.text("dissent"),
        },
        "seal" => StepInput::Seal,
        "issue" => StepInput::Issue {
            document: file_of(files, "document")?
                .ok_or_else(|| AppError::field("document", "请上传最终的鉴定意见书（PDF）"))?,
        },
        "archive" => StepInput::Archive,
        "correct" => StepInput::Correct {
            signer_id: pick(f, "signer_id")?,
            what: f.text("what"),
            changes_conclusion: f.flag("changes_conclusion"),
            document: file_of(files, "document")?,
        },
        "revoke" => StepInput::RevokeOpinion {
            reason: f.text("reason"),
        },
        "appearances" => StepInput::NotifyAppearance {
            appraiser_ids: ids_of(f, "appraiser_ids"),
            court: f.text("court"),
            hearing_on: date_field("hearing_on", &f.text("hearing_on"))?,
        },
        _ => return Err(AppError::not_found()),
    })
}

async fn step_form(
    s: &AppState,
    lang: Lang,
    c: &Case,
    d: &StepDef,
    f: &FormData,
) -> AppResult<FormView> {
    let parts = cases::parts(&s.db, &Scope::All, c.id).await?;
    let base = if d.upload { "upload" } else { "steps" };
    Ok(FormView {
        title: lang.tf(
            "cases.step.title",
            &[("step", lang.t(d.label)), ("id", &c.id.to_string())],
        ),
        intro: Some(lang.t(d.intro).into()),
        action: format!("/cases/{}/{base}/{}", c.id, d.name),
        hidden: vec![("version".into(), c.version.to_string())],
        fields: step_fields(s, lang, c, &parts, d, f).await,
        errors: Vec::new(),
        submit: lang.t(d.label).into(),
        cancel: format!("/cases/{}", c.id),
        confirm: true,
    })
}

pub async fn step_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path((id, name)): Path<(i64, String)>,
) -> PageResult {
    let d = step_def(&name)
        .ok_or_else(AppError::not_found)
        .or_page(lang)?;
    a.require(d.action).or_page(lang)?;
    let c = cases::get(&s.db, &a.scope(), id).await.or_page(lang)?;
    let v = step_form(&s, lang, &c, d, &FormData::default())
        .await
        .or_page(lang)?;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/cases"),
        v,
    }))
}

async fn submit(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    id: i64,
    name: &str,
    f: &FormData,
    files: &[UploadedFile],
) -> PageResult {
    let d = step_def(name)
        .ok_or_else(AppError::not_found)
        .or_page(lang)?;
    let c = cases::get(&s.db, &a.scope(), id).await.or_page(lang)?;
    let version = f.int("version").unwrap_or(-1);
    let result = match step_input(name, f, files) {
        Ok(input) => apply(s, a, id, version, input)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(redirect(&format!("/cases/{id}?saved=1"))),
        Err(e) => {
            let v = step_form(s, lang, &c, d, f).await.or_page(lang)?;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/cases"),
                v,
                e,
            ))
        }
    }
}

pub async fn step_submit(
    State(s): State<AppState>,
    Path((id, name)): Path<(i64, String)>,
    p: Post,
) -> PageResult {
    submit(&s, &p.user, p.lang, id, &name, &p.form, &[]).await
}

pub async fn upload_submit(
    State(s): State<AppState>,
    Path((id, name)): Path<(i64, String)>,
    p: MultipartPost,
) -> PageResult {
    submit(&s, &p.user, p.lang, id, &name, &p.form, &p.files).await
}

/// Records the outcome of a court appearance (the buttons on the case page).
pub async fn appearance_submit(
    State(s): State<AppState>,
    Path((id, aid, outcome)): Path<(i64, i64, String)>,
    Query(q): Query<Vec<(String, String)>>,
    p: Post,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    let outcome = Appearance::parse(&outcome)
        .filter(|o| *o != Appearance::Notified)
        .ok_or_else(AppError::not_found)
        .or_page(lang)?;
    let version = q
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(-1);
    apply(
        &s,
        a,
        id,
        version,
        StepInput::RecordAppearance {
            appearance_id: aid,
            outcome,
            note: String::new(),
        },
    )
    .await
    .or_page(lang)?;
    Ok(redirect(&format!("/cases/{id}?saved=1")))
}

// ---------------------------------------------------------------------------------------------
// The case's file
// ---------------------------------------------------------------------------------------------

fn yes_no(lang: Lang, b: bool) -> String {
    if b {
        lang.t("cases.yes").into()
    } else {
        lang.t("cases.no").into()
    }
}

pub async fn detail(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewCases).or_page(lang)?;
    let c = cases::get(&s.db, &a.scope(), id).await.or_page(lang)?;
    let parts = cases::parts(&s.db, &Scope::All, id).await.or_page(lang)?;
    let env = Env::load(&s, &c.region_path).await.or_page(lang)?;
    let clock = clock_of(&c, env.today, &env.cal, &env.policy);
    let opinion = opinions::by_case(&s.db, id).await.or_page(lang)?;
    let mut fields = vec![
        (
            lang.t("cases.col.client").to_string(),
            lang.tf(
                "common.with_note",
                &[
                    ("text", &c.client_name),
                    (
                        "note",
                        OrganKind::parse(&c.client_kind)
                            .map(|k| lang.pick(k.label_zh(), k.label_en()))
                            .unwrap_or(lang.t("cases.other")),
                    ),
                ],
            ),
            None,
        ),
        (
            lang.t("cases.col.case_number").into(),
            c.case_number.clone().unwrap_or_else(|| "—".into()),
            None,
        ),
        (
            lang.t("cases.field.case_type").into(),
            crate::labels::value_label(lang, "case_type", CASE_TYPES, &c.case_type),
            None,
        ),
        (
            lang.t("cases.col.institution").into(),
            c.institution_name.clone(),
            Some(format!("/institutions/{}", c.institution_id)),
        ),
        (
            lang.t("cases.field.matter").into(),
            super::registry::scope_labels_in(lang, &c.items),
            None,
        ),
        (
            lang.t("cases.field.purpose").into(),
            c.purpose.clone(),
            None,
        ),
        (lang.t("cases.field.facts").into(), c.summary.clone(), None),
        (
            lang.t("cases.field.lineage").into(),
            lineage_label(lang, &c.lineage).into(),
            c.parent_id.map(|p| format!("/cases/{p}")),
        ),
        (
            lang.t("cases.field.channel").into(),
            if c.created_via == "online" {
                lang.t("cases.channel.online").into()
            } else {
                lang.t("cases.channel.paper").into()
            },
            None,
        ),
        (
            lang.t("cases.field.received_on").into(),
            c.received_on.clone(),
            None,
        ),
        (
            lang.t("cases.col.deadline").into(),
            or_dash(&clock_text(lang, &c, &clock)),
            None,
        ),
    ];
    if let Some(code) = &c.original_opinion_code {
        fields.push((
            lang.t("cases.field.original_code").into(),
            code.clone(),
            None,
        ));
    }
    if let Some(d) = &c.agreed_accept_by {
        fields.push((
            lang.t("cases.field.agreed_accept").into(),
            format!("{d}（{}）", c.accept_agreement),
            None,
        ));
    }
    if let Some(d) = &c.decided_on {
        fields.push((
            lang.t("cases.field.accepted_on").into(),
            format!(
                "{d}{}",
                if c.accept_late {
                    lang.t("cases.late")
                } else {
                    ""
                }
            ),
            None,
        ));
    }
    if let Some(d) = &c.contract_effective_on {
        fields.push((lang.t("cases.field.contract_date").into(), d.clone(), None));
    }
    if let Some(days) = c.extension_days {
        fields.push((
            lang.t("cases.field.extension").into(),
            lang.tf(
                "cases.extension.value",
                &[("days", &days.to_string()), ("reason", &c.extension_reason)],
            ),
            None,
        ));
    }
    if !c.refusal_reasons.is_empty() {
        let r = sijian_service::cases::reason_labels(
            &c.refusal_reasons,
            RefusalReason::parse,
            |x: RefusalReason| lang.pick(x.label_zh(), x.label_en()),
        );
        fields.push((
            lang.t("cases.field.refused").into(),
            format!("{r}；{}", c.refusal_explanation),
            None,
        ));
    }
    if !c.termination_reasons.is_empty() {
        let r = sijian_service::cases::reason_labels(
            &c.termination_reasons,
            TerminationReason::parse,
            |x: TerminationReason| lang.pick(x.label_zh(), x.label_en()),
        );
        fields.push((
            lang.t("cases.field.terminated").into(),
            format!("{r}；{}", c.termination_explanation),
            None,
        ));
    }
    if let Some(o) = &opinion {
        let grouped = opinions::grouped(&o.code);
        fields.push((lang.t("cases.field.opinion_code").into(), grouped, None));
        if sijian_service::cases::may_see_key(a.role()) {
            fields.push((
                lang.t("cases.field.check_code").into(),
                o.verification_key.clone(),
                None,
            ));
        }
        fields.push((
            lang.t("cases.field.opinion_sha").into(),
            o.document_sha256.clone(),
            None,
        ));
        fields.push((
            lang.t("cases.field.opinion_status").into(),
            lang.tf(
                "cases.opinion.status_version",
                &[
                    (
                        "status",
                        match o.status.as_str() {
                            "corrected" => lang.t("cases.opinion.corrected"),
                            "revoked" => lang.t("cases.opinion.revoked"),
                            _ => lang.t("cases.opinion.valid"),
                        },
                    ),
                    ("version", &o.version.to_string()),
                ],
            ),
            None,
        ));
        if o.status == "revoked" {
            fields.push((
                lang.t("cases.field.revocation").into(),
                lang.tf(
                    "cases.opinion.revoked_on",
                    &[
                        (
                            "date",
                            &o.revoked_on.map(|d| d.to_string()).unwrap_or_default(),
                        ),
                        ("basis", &o.revoked_reason),
                    ],
                ),
                None,
            ));
        }
        if a.role().may(Action::ViewOpinionRecord) {
            let n = s.checks.counts(&s.db, &o.code).await.or_page(lang)?;
            fields.push((
                lang.t("cases.field.checks").into(),
                lang.tf(
                    "cases.checks.counts",
                    &[
                        ("total", &n.total.to_string()),
                        ("public", &n.public.to_string()),
                        ("keyed", &n.keyed.to_string()),
                        ("organ", &n.organ.to_string()),
                        ("platform", &n.platform.to_string()),
                        (
                            "last",
                            &n.last_day
                                .map(|d| lang.tf("cases.checks.last", &[("date", &d.to_string())]))
                                .unwrap_or_default(),
                        ),
                    ],
                ),
                None,
            ));
        }
    }
    let mut actions: Vec<ActionButton> = available(&a, &c)
        .into_iter()
        .map(|d| ActionButton {
            label: lang.t(d.label).into(),
            href: format!("/cases/{id}/steps/{}", d.name),
            post: false,
            danger: matches!(d.name, "refuse" | "terminate" | "revoke"),
            confirm: String::new(),
        })
        .collect();
    if let Some(o) = &opinion {
        let grouped = opinions::grouped(&o.code);
        if a.role().may(Action::ViewOpinionRecord) {
            actions.push(ActionButton {
                label: lang.t("cases.print_label").into(),
                href: format!("/api/v1/opinions/{grouped}/label.pdf"),
                post: false,
                danger: false,
                confirm: String::new(),
            });
        }
        actions.push(ActionButton {
            label: lang.t("cases.verify_page").into(),
            href: format!("/v/{grouped}"),
            post: false,
            danger: false,
            confirm: String::new(),
        });
    }
    for (doc, label) in PRINTS {
        if printable(doc, &c, &parts) {
            actions.push(ActionButton {
                label: lang.tf("cases.print", &[("document", lang.t(label))]),
                href: format!("/cases/{id}/print/{doc}"),
                post: false,
                danger: false,
                confirm: String::new(),
            });
        }
    }
    let t_none = lang.t("detail.none").to_string();
    let linkage = sijian_service::linkage::Linkage::stored(&s.db, c.id)
        .await
        .or_page(lang)?;
    let linkage_table = DetailTable {
        title: lang.tf(
            "cases.linkage.title",
            &[("level", &super::linkage::level_label(lang, &linkage.level))],
        ),
        head: vec![
            lang.t("cases.linkage.type").into(),
            lang.t("cases.linkage.degree").into(),
            lang.t("cases.linkage.other_case").into(),
            lang.t("cases.linkage.basis").into(),
            lang.t("cases.linkage.status").into(),
        ],
        rows: super::linkage::case_rows(lang, &linkage.alerts),
        empty: lang.t("cases.linkage.none").into(),
        link: a.role().may(Action::ViewLinkageAlerts).then(|| {
            (
                lang.t("cases.linkage.handle").to_string(),
                format!("/linkage/alerts?case={id}"),
            )
        }),
    };
    let tables = vec![
        linkage_table,
        DetailTable {
            title: lang.t("cases.persons").into(),
            head: vec![
                lang.t("cases.person.name").into(),
                lang.t("cases.person.id_number").into(),
            ],
            rows: parts
                .persons
                .iter()
                .map(|p| {
                    vec![
                        p.name_masked.clone(),
                        p.id_masked.clone().unwrap_or_else(|| "—".into()),
                    ]
                })
                .collect(),
            empty: t_none.clone(),
            link: None,
        },
        DetailTable {
            title: lang.t("cases.materials").into(),
            head: vec![
                lang.t("cases.material.name").into(),
                lang.t("cases.material.kind").into(),
                lang.t("cases.material.quantity").into(),
                lang.t("cases.material.condition").into(),
                lang.t("cases.material.storage").into(),
                lang.t("cases.material.received_at").into(),
                lang.t("cases.material.returned_on").into(),
            ],
            rows: parts
                .materials
                .iter()
                .map(|m| {
                    vec![
                        m.name.clone(),
                        m.kind.clone(),
                        m.quantity.clone(),
                        m.condition.clone(),
                        m.storage.clone(),
                        m.received_at.clone(),
                        m.returned_on.clone().unwrap_or_else(|| "—".into()),
                    ]
                })
                .collect(),
            empty: t_none.clone(),
            link: None,
        },
        DetailTable {
            title: lang.t("cases.appraisers").into(),
            head: vec![
                lang.t("cases.field.appraiser").into(),
                lang.t("cases.col.certificate").into(),
                lang.t("cases.col.senior").into(),
                lang.t("cases.col.signature").into(),
                lang.t("cases.col.dissent").into(),
                lang.t("cases.linkage.status").into(),
            ],
            rows: parts
                .assignments
                .iter()
                .map(|x| {
                    vec![
                        x.name.clone(),
                        x.certificate_no.clone(),
                        yes_no(lang, x.senior_title),
                        x.signed_at.map(fmt_time).unwrap_or_else(|| "—".into()),
                        x.dissent
                            .clone()
                            .filter(|d| !d.is_empty())
                            .unwrap_or_else(|| "—".into()),
                        match x.removed_at {
                            Some(_) => lang
                                .tf("cases.assignment.removed", &[("reason", &x.removal_reason)]),
                            None => lang.t("cases.assignment.active").into(),
                        },
                    ]
                })
                .collect(),
            empty: t_none.clone(),
            link: None,
        },
        DetailTable {
            title: lang.t("cases.reviews").into(),
            head: vec![
                lang.t("cases.col.round").into(),
                lang.t("cases.field.reviewer").into(),
                lang.t("cases.col.result").into(),
                lang.t("cases.field.review_opinion").into(),
                lang.t("cases.col.time").into(),
            ],
            rows: parts
                .reviews
                .iter()
                .map(|r| {
                    vec![
                        r.round.to_string(),
                        r.name.clone(),
                        match r.agrees {
                            Some(true) => lang.t("cases.review.approved").into(),
                            Some(false) => lang.t("cases.review.returned").into(),
                            None => lang.t("cases.queue.to_review").into(),
                        },
                        r.opinion.clone(),
                        r.reviewed_at.map(fmt_time).unwrap_or_else(|| "—".into()),
                    ]
                })
                .collect(),
            empty: t_none.clone(),
            link: None,
        },
        DetailTable {
            title: lang.t("cases.stops").into(),
            head: vec![
                lang.t("cases.stop.from").into(),
                lang.t("cases.stop.to").into(),
                lang.t("cases.stop.reason").into(),
            ],
            rows: parts
                .stops
                .iter()
                .map(|x| {
                    vec![
                        x.from_on.clone(),
                        x.to_on
                            .clone()
                            .unwrap_or_else(|| lang.t("cases.stop.ongoing").into()),
                        StopReason::parse(&x.reason)
                            .map(|r| lang.pick(r.label_zh(), r.label_en()).to_string())
                            .unwrap_or(x.reason.clone()),
                    ]
                })
                .collect(),
            empty: t_none.clone(),
            link: None,
        },
        DetailTable {
            title: lang.t("cases.col.file").into(),
            head: vec![
                lang.t("cases.col.category").into(),
                lang.t("cases.material.name").into(),
                lang.t("cases.col.size").into(),
                "SHA-256".into(),
            ],
            rows: parts
                .files
                .iter()
                .map(|x| {
                    vec![
                        match x.kind.as_str() {
                            "opinion" => lang.t("cases.file.opinion"),
                            "commission" => lang.t("cases.file.commission"),
                            "correction" => lang.t("cases.file.correction"),
                            _ => lang.t("cases.other"),
                        }
                        .into(),
                        format!("{}（/api/v1/cases/{id}/files/{}）", x.name, x.id),
                        format!("{:.1} KiB", x.size as f64 / 1024.0),
                        x.sha256.clone(),
                    ]
                })
                .collect(),
            empty: t_none.clone(),
            link: None,
        },
        DetailTable {
            title: lang.t("cases.appearances").into(),
            head: vec![
                lang.t("cases.col.court").into(),
                lang.t("cases.field.hearing_on").into(),
                lang.t("cases.linkage.status").into(),
                lang.t("cases.col.fee_refund").into(),
            ],
            rows: parts
                .appearances
                .iter()
                .map(|x| {
                    vec![
                        x.court.clone(),
                        x.hearing_on.clone(),
                        Appearance::parse(&x.status)
                            .map(|s| lang.pick(s.label_zh(), s.label_en()).to_string())
                            .unwrap_or(x.status.clone()),
                        yes_no(lang, x.refund_due),
                    ]
                })
                .collect(),
            empty: t_none.clone(),
            link: None,
        },
    ];
    for x in parts.appearances.iter().filter(|x| x.status == "notified") {
        if a.role().may(Action::HandleCase) {
            for (o, l) in [
                ("attended", lang.t("cases.appearance.attended")),
                ("refused", lang.t("cases.appearance.refused")),
            ] {
                actions.push(ActionButton {
                    label: format!("{} {}：{l}", x.court, x.hearing_on),
                    href: format!("/cases/{id}/appearances/{}/{o}?version={}", x.id, c.version),
                    post: true,
                    danger: o == "refused",
                    confirm: lang.t("cases.appearance.confirm").into(),
                });
            }
        }
    }
    let (show_history, history) = history_of(&s, lang, "case", id, &Scope::All).await;
    let (st, class) = stage_badge(lang, &c);
    let v = DetailView {
        tables,
        title: lang.tf("cases.detail.title", &[("id", &c.id.to_string())]),
        badge: Some((st, class)),
        back: "/cases".into(),
        actions,
        fields,
        show_history,
        history,
    };
    let chrome = Chrome::new(&a, lang, v.title.clone(), "/cases").saved_flash(&q);
    Ok(render(&DetailPage { c: chrome, v }))
}

// ---------------------------------------------------------------------------------------------
// Commission
// ---------------------------------------------------------------------------------------------

async fn institution_opts(s: &AppState, a: &Authed) -> Vec<(String, String)> {
    cases::institution_options(&s.db)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|(id, ..)| match a.scope() {
            Scope::Institution(mine) => *id == mine,
            _ => true,
        })
        .map(|(id, name, region)| (id.to_string(), format!("{name}（{region}）")))
        .collect()
}

const MATERIAL_ROWS: usize = 3;
const MATERIAL_FIELDS: [(&str, &str); 6] = [
    ("name", "cases.material.name"),
    ("kind", "cases.material.kind"),
    ("quantity", "cases.material.quantity"),
    ("condition", "cases.material.condition"),
    ("storage", "cases.material.storage"),
    ("received_at", "cases.material.received_at"),
];

fn material_field(i: usize, key: &str) -> &'static str {
    // Field names must be 'static for the form; the three rows are spelled out.
    const NAMES: [[&str; 6]; MATERIAL_ROWS] = [
        [
            "m0_name",
            "m0_kind",
            "m0_quantity",
            "m0_condition",
            "m0_storage",
            "m0_received_at",
        ],
        [
            "m1_name",
            "m1_kind",
            "m1_quantity",
            "m1_condition",
            "m1_storage",
            "m1_received_at",
        ],
        [
            "m2_name",
            "m2_kind",
            "m2_quantity",
            "m2_condition",
            "m2_storage",
            "m2_received_at",
        ],
    ];
    let k = MATERIAL_FIELDS
        .iter()
        .position(|(n, _)| *n == key)
        .unwrap_or(0);
    NAMES[i][k]
}

async fn commission_form(s: &AppState, a: &Authed, lang: Lang, f: &FormData) -> FormView {
    let mut fields = vec![
        FormField::select(
            "institution_id",
            lang.t("cases.field.institution").into(),
            f.text("institution_id"),
            institution_opts(s, a).await,
        )
        .required(),
        FormField::text(
            "client_name",
            lang.t("cases.col.client").into(),
            f.text("client_name"),
        )
        .required(),
        FormField::select(
            "client_kind",
            lang.t("cases.field.client_kind").into(),
            f.text("client_kind"),
            OrganKind::ALL
                .iter()
                .map(|k| {
                    (
                        k.as_str().to_string(),
                        lang.pick(k.label_zh(), k.label_en()).to_string(),
                    )
                })
                .collect(),
        )
        .required(),
        FormField::text(
            "client_contact",
            lang.t("cases.field.client_contact").into(),
            f.text("client_contact"),
        ),
        FormField::text(
            "case_number",
            lang.t("cases.col.case_number").into(),
            f.text("case_number"),
        )
        .help(lang.t("cases.help.case_number")),
        FormField::select(
            "case_type",
            lang.t("cases.field.case_type").into(),
            f.text("case_type"),
            crate::labels::value_options(lang, "case_type", CASE_TYPES),
        )
        .required(),
        FormField::checks(
            "items",
            lang.t("cases.field.matter").into(),
            f.all("items"),
            scope_options(lang),
        )
        .required()
        .class("tree"),
        FormField::text(
            "purpose",
            lang.t("cases.field.purpose").into(),
            f.text("purpose"),
        )
        .required(),
        textarea("summary", lang.t("cases.field.facts"), f.text("summary")).required(),
        FormField::select(
            "lineage",
            lang.t("cases.field.lineage").into(),
            f.get("lineage").unwrap_or_else(|| "original".into()),
            pairs(&[
                ("original", lang.t("cases.lineage.initial")),
                ("supplementary", lang.t("cases.lineage.supplementary_art30")),
                ("reappraisal", lang.t("cases.lineage.reappraisal_art31")),
            ]),
        )
        .required(),
        FormField::text(
            "parent_id",
            lang.t("cases.field.original_case").into(),
            f.text("parent_id"),
        )
        .typed("number")
        .help(lang.t("cases.help.original_case")),
        FormField::text(
            "same_institution_reason",
            lang.t("cases.field.special_reason").into(),
            f.text("same_institution_reason"),
        ),
        FormField::text(
            "received_on",
            lang.t("cases.field.received_material").into(),
            f.get("received_on").unwrap_or_else(|| today().to_string()),
        )
        .typed("date")
        .required(),
        FormField::text(
            "person_name",
            lang.t("cases.field.person_name").into(),
            f.text("person_name"),
        )
        .help(lang.t("cases.help.person_name")),
        FormField::text(
            "person_id",
            lang.t("cases.field.person_id").into(),
            f.text("person_id"),
        ),
    ];
    for i in 0..MATERIAL_ROWS {
        for (key, label) in MATERIAL_FIELDS {
            let name = material_field(i, key);
            let mut fld = FormField::text(
                name,
                lang.tf(
                    "cases.material.field",
                    &[("n", &(i + 1).to_string()), ("field", lang.t(label))],
                ),
                f.text(name),
            );
            if key == "received_at" {
                fld = fld.help(lang.t("cases.help.received_at"));
            }
            fields.push(fld);
        }
    }
    fields
        .push(FormField::text("attachments", lang.t("cases.field.scans").into(), "").typed("file"));
    FormView {
        title: lang.t("cases.new").into(),
        intro: Some(lang.t("cases.help.materials").into()),
        action: "/cases/new".into(),
        hidden: Vec::new(),
        fields,
        errors: Vec::new(),
        submit: lang.t("cases.submit_commission").into(),
        cancel: "/cases".into(),
        confirm: false,
    }
}

pub async fn new_page(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::CommissionCase).or_page(lang)?;
    let mut f = FormData::default();
    if let Scope::Institution(id) = a.scope() {
        f.0.push(("institution_id".into(), id.to_string()));
    }
    if let (Scope::Organ(_), Some(name)) = (
        a.scope(),
        cases::organ_name(&s.db, a.principal.organ_id.unwrap_or(0))
            .await
            .ok()
            .flatten(),
    ) {
        f.0.push(("client_name".into(), name));
    }
    let v = commission_form(&s, &a, lang, &f).await;
    Ok(render(&FormPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/cases"),
        v,
    }))
}

fn commission_body(f: &FormData, files: &[UploadedFile]) -> CommissionBody {
    let materials = (0..MATERIAL_ROWS)
        .filter(|i| !f.text(material_field(*i, "name")).trim().is_empty())
        .map(|i| NewMaterial {
            name: f.text(material_field(i, "name")),
            kind: f.text(material_field(i, "kind")),
            quantity: f.text(material_field(i, "quantity")),
            condition: f.text(material_field(i, "condition")),
            storage: f.text(material_field(i, "storage")),
            received_at: f.text(material_field(i, "received_at")),
        })
        .collect();
    let persons = if f.text("person_name").trim().is_empty() {
        Vec::new()
    } else {
        vec![PersonInput {
            name: f.text("person_name"),
            id_number: f.get("person_id"),
        }]
    };
    CommissionBody {
        institution_id: f.int("institution_id"),
        organ_id: None,
        client_name: f.text("client_name"),
        client_kind: f.text("client_kind"),
        client_contact: f.text("client_contact"),
        case_number: f.get("case_number"),
        case_type: f.text("case_type"),
        items: f.all("items"),
        purpose: f.text("purpose"),
        summary: f.text("summary"),
        lineage: f.get("lineage"),
        parent_id: f.int("parent_id"),
        same_institution_reason: f
            .get("same_institution_reason")
            .filter(|r| !r.trim().is_empty()),
        received_on: f.get("received_on"),
        persons,
        materials,
        attachments: files
            .iter()
            .map(|x| AttachmentInput {
                name: x.file_name.clone(),
                content_type: x.content_type.clone(),
                data_base64: base64::engine::general_purpose::STANDARD.encode(&x.data),
                purpose: None,
            })
            .collect(),
    }
}

pub async fn new_submit(State(s): State<AppState>, p: MultipartPost) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::CommissionCase).or_page(lang)?;
    let body = commission_body(&p.form, &p.files);
    match sijian_service::cases::commission(&s, a, &body).await {
        Ok(c) => Ok(redirect(&format!("/cases/{}?saved=1", c.id))),
        Err(e) => {
            let v = commission_form(&s, a, lang, &p.form).await;
            Err(refused(
                Chrome::new(a, lang, v.title.clone(), "/cases"),
                v,
                e,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Printable documents (司发通〔2016〕112号)
// ---------------------------------------------------------------------------------------------

const PRINTS: [(&str, &str); 5] = [
    ("contract", "cases.doc.contract"),
    ("extension", "cases.doc.extension"),
    ("termination", "cases.doc.termination"),
    ("review", "cases.doc.review"),
    ("correction", "cases.doc.correction"),
];

fn printable(doc: &str, c: &Case, parts: &CaseParts) -> bool {
    match doc {
        "contract" => c.contract_effective_on.is_some(),
        "extension" => c.extension_days.is_some(),
        "termination" => c.stage() == Stage::Terminated,
        "review" => parts.reviews.iter().any(|r| r.agrees.is_some()),
        "correction" => {
            c.opinion_code.is_some() && parts.files.iter().any(|f| f.kind == "correction")
        }
        _ => false,
    }
}

#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage {
    lang: Lang,
    title: String,
    institution: String,
    number: String,
    /// Label and value rows.
    rows: Vec<(String, String)>,
    /// Paragraphs of text.
    paragraphs: Vec<String>,
    /// Signature lines.
    signatures: Vec<String>,
    date: String,
}

pub async fn print(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path((id, doc)): Path<(i64, String)>,
) -> PageResult {
    a.require(Action::ViewCases).or_page(lang)?;
    let c = cases::get(&s.db, &a.scope(), id).await.or_page(lang)?;
    let parts = cases::parts(&s.db, &Scope::All, id).await.or_page(lang)?;
    let title = PRINTS
        .iter()
        .find(|(d, _)| *d == doc)
        .map(|(_, t)| lang.t(t))
        .ok_or_else(AppError::not_found)
        .or_page(lang)?;
    if !printable(&doc, &c, &parts) {
        return Err(super::page_error(
            AppError::bad_request(lang.tf("cases.print.none", &[("document", title)])),
            lang,
        ));
    }
    let signers: Vec<String> = parts
        .assignments
        .iter()
        .filter(|x| x.removed_at.is_none())
        .map(|x| {
            lang.tf(
                "cases.doc.signer",
                &[("name", &x.name), ("cert", &x.certificate_no)],
            )
        })
        .collect();
    let items = super::registry::scope_labels_in(lang, &c.items);
    let mut rows = vec![
        (
            lang.t("cases.col.client").to_string(),
            c.client_name.clone(),
        ),
        (
            lang.t("cases.doc.institution").into(),
            c.institution_name.clone(),
        ),
        (
            lang.t("cases.col.case_number").into(),
            c.case_number.clone().unwrap_or_else(|| "—".into()),
        ),
        (lang.t("cases.field.matter").into(), items),
    ];
    let mut paragraphs = Vec::new();
    let mut signatures = vec![lang.t("cases.doc.institution_seal").to_string()];
    let date;
    match doc.as_str() {
        "contract" => {
            rows.extend([
                (
                    lang.t("cases.field.is_reappraisal").into(),
                    yes_no(lang, c.lineage == "reappraisal"),
                ),
                (lang.t("cases.field.purpose").into(), c.purpose.clone()),
                (lang.t("cases.field.facts").into(), c.summary.clone()),
                (
                    lang.t("cases.doc.materials").into(),
                    parts
                        .materials
                        .iter()
                        .map(|m| {
                            format!(
                                "{}（{}，{}，{}，{}）",
                                m.name, m.kind, m.quantity, m.condition, m.storage
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("；"),
                ),
                (
                    lang.t("cases.field.contract_date").into(),
                    c.contract_effective_on.clone().unwrap_or_default(),
                ),
                (
                    lang.t("cases.doc.time_limit").into(),
                    c.agreed_complete_by
                        .clone()
                        .map(|d| lang.tf("cases.doc.agreed_limit", &[("date", &d)]))
                        .unwrap_or_else(|| lang.t("cases.doc.default_limit").into()),
                ),
            ]);
            paragraphs.push(lang.t("cases.doc.risk").into());
            paragraphs.push(lang.t("cases.doc.client_material").into());
            signatures.insert(0, lang.t("cases.doc.client_sign").into());
            date = c.contract_effective_on.clone().unwrap_or_default();
        }
        "extension" => {
            let env = Env::load(&s, &c.region_path).await.or_page(lang)?;
            let clock = clock_of(&c, env.today, &env.cal, &env.policy);
            let due = clock
                .due_on
                .map(|d| lang.tf("cases.doc.extended_due", &[("date", &d)]))
                .unwrap_or_default();
            paragraphs.push(lang.tf(
                "cases.doc.extension_text",
                &[
                    ("reason", &c.extension_reason),
                    ("days", &c.extension_days.unwrap_or(0).to_string()),
                    ("due", &due),
                ],
            ));
            paragraphs.push(lang.t("cases.doc.notice_end").into());
            date = today().to_string();
        }
        "termination" => {
            let r = sijian_service::cases::reason_labels(
                &c.termination_reasons,
                TerminationReason::parse,
                |x: TerminationReason| lang.pick(x.label_zh(), x.label_en()),
            );
            rows.push((lang.t("cases.doc.termination_ground").into(), r));
            paragraphs.push(lang.tf(
                "cases.doc.termination_text",
                &[("reason", &c.termination_explanation)],
            ));
            paragraphs.push(lang.tf(
                "cases.doc.returned_on",
                &[("date", &c.materials_returned_on.clone().unwrap_or_default())],
            ));
            date = c.closed_on.clone().unwrap_or_default();
        }
        "review" => {
            for r in parts.reviews.iter().filter(|r| r.agrees.is_some()) {
                paragraphs.push(lang.tf(
                    "cases.doc.review_round",
                    &[
                        ("round", &r.round.to_string()),
                        ("name", &r.name),
                        ("opinion", &r.opinion),
                        (
                            "result",
                            if r.agrees == Some(true) {
                                lang.t("cases.review.approve")
                            } else {
                                lang.t("cases.review.return")
                            },
                        ),
                    ],
                ));
            }
            signatures = parts
                .reviews
                .iter()
                .filter(|r| r.agrees.is_some())
                .map(|r| lang.tf("cases.doc.reviewer", &[("name", &r.name)]))
                .collect();
            date = today().to_string();
        }
        _ => {
            let code = c
                .opinion_code
                .as_deref()
                .map(opinions::grouped)
                .unwrap_or_default();
            rows.push((lang.t("cases.field.original_code").into(), code.clone()));
            let list = opinions::corrections(&s.db, c.opinion_code.as_deref().unwrap_or(""))
                .await
                .or_page(lang)?;
            for x in &list {
                paragraphs.push(lang.tf(
                    "cases.doc.correction_version",
                    &[
                        ("version", &x.version.to_string()),
                        ("date", &x.corrected_on),
                        ("what", &x.what),
                    ],
                ));
            }
            paragraphs.push(lang.t("cases.doc.no_change").into());
            signatures = vec![
                lang.t("cases.doc.appraiser_sign").into(),
                lang.t("cases.doc.institution_seal").into(),
            ];
            date = list
                .last()
                .map(|x| x.corrected_on.clone())
                .unwrap_or_default();
        }
    }
    if doc == "contract" || doc == "correction" {
        signatures.extend(signers);
    }
    Ok(render(&PrintPage {
        lang,
        title: title.into(),
        institution: c.institution_name.clone(),
        number: lang.tf("cases.number", &[("id", &c.id.to_string())]),
        rows,
        paragraphs,
        signatures,
        date,
    }))
}

/// Deadline alerts and overdue rates per institution in the caller's scope.
pub async fn deadlines(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::ViewCases).or_page(lang)?;
    let alerts = cases::alerts(&s.db, &a.scope(), 200).await.or_page(lang)?;
    let rates = cases::overdue_rates(&s.db, &a.scope(), today())
        .await
        .or_page(lang)?;
    let none = lang.t("detail.none").to_string();
    let v = DetailView {
        tables: vec![
            DetailTable {
                title: lang.t("cases.alerts").into(),
                head: vec![
                    lang.t("cases.col.case").into(),
                    lang.t("cases.col.institution").into(),
                    lang.t("cases.col.client").into(),
                    lang.t("cases.col.deadline").into(),
                    lang.t("cases.col.due_on").into(),
                    lang.t("cases.col.alert").into(),
                ],
                rows: alerts
                    .iter()
                    .map(|x| {
                        vec![
                            lang.tf("cases.number", &[("id", &x.case_id.to_string())]),
                            x.institution_name.clone(),
                            x.client_name.clone(),
                            if x.deadline == "accept" {
                                lang.t("cases.col.accept_limit").into()
                            } else {
                                lang.t("cases.col.complete_limit").into()
                            },
                            x.due_on.clone(),
                            if x.kind == "overdue" {
                                lang.t("cases.queue.overdue").into()
                            } else {
                                lang.t("cases.queue.due_soon").into()
                            },
                        ]
                    })
                    .collect(),
                empty: none.clone(),
                link: None,
            },
            DetailTable {
                title: lang.t("cases.overdue_rates").into(),
                head: vec![
                    lang.t("cases.col.institution").into(),
                    lang.t("cases.col.cases").into(),
                    lang.t("cases.col.overdue").into(),
                    lang.t("cases.col.overdue_rate").into(),
                ],
                rows: rates
                    .iter()
                    .map(|r| {
                        vec![
                            r.institution_name.clone(),
                            r.cases.to_string(),
                            r.overdue.to_string(),
                            format!(
                                "{:.1}%",
                                if r.cases == 0 {
                                    0.0
                                } else {
                                    100.0 * r.overdue as f64 / r.cases as f64
                                }
                            ),
                        ]
                    })
                    .collect(),
                empty: none,
                link: None,
            },
        ],
        title: lang.t("cases.deadlines").into(),
        badge: None,
        back: "/cases".into(),
        actions: Vec::new(),
        fields: Vec::new(),
        show_history: false,
        history: Vec::new(),
    };
    Ok(render(&DetailPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/cases"),
        v,
    }))
}
