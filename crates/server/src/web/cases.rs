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

fn stage_badge(c: &Case) -> (String, &'static str) {
    let s = c.stage;
    (
        s.label_zh().to_string(),
        match s {
            Stage::Issued | Stage::Archived => "ok",
            Stage::Refused | Stage::Terminated => "bad",
            Stage::ClockStopped => "warn",
            _ => "",
        },
    )
}

fn clock_badge(k: &CaseClock) -> (String, &'static str) {
    let class = match k.urgency.as_str() {
        "overdue" => "bad",
        "due_soon" => "warn",
        _ if k.deadline == "unknown" => "warn",
        _ => "",
    };
    (
        if k.text.is_empty() {
            "—".into()
        } else {
            k.text.clone()
        },
        class,
    )
}

fn lineage_label(l: &str) -> &'static str {
    match l {
        "supplementary" => "补充鉴定",
        "reappraisal" => "重新鉴定",
        _ => "初次鉴定",
    }
}

fn label_of(list: &[(&str, &str)], code: &str) -> String {
    sijian_service::inputs::label_of(list, code)
}

const QUEUES: &[(&str, &str)] = &[
    ("to_accept", "待受理"),
    ("due_soon", "即将到期"),
    ("overdue", "已逾期"),
    ("to_review", "待复核"),
    ("to_sign", "待签名、盖章"),
    ("open", "办理中"),
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
        p.text_filter("q", "委托人、案号、案情或意见书编码"),
        p.select_filter("queue", "工作队列", pairs(QUEUES)),
        p.select_filter(
            "stage",
            lang.t("field.stage"),
            Stage::ALL
                .iter()
                .map(|x| (x.as_str().to_string(), x.label_zh().to_string()))
                .collect(),
        ),
    ];
    let cols = vec![
        p.column("案件", ""),
        p.column("委托人", "client"),
        p.column("案号", ""),
        p.column("鉴定机构", ""),
        p.column("收到委托", "received"),
        p.column(lang.t("field.stage"), "stage"),
        p.column("期限", "due"),
    ];
    let title = match a.role() {
        r if r.is_institution_staff() => "鉴定案件",
        sijian_domain::Role::Organ => "我的委托",
        sijian_domain::Role::Appraiser => "我的案件",
        _ => "鉴定案件查询",
    };
    let new_link = if a.role().may(Action::CommissionCase) {
        Some(("/cases/new".to_string(), "新建委托".to_string()))
    } else {
        Some(("/cases/deadlines".to_string(), "期限与逾期".to_string()))
    };
    let v = p.view(lang, title.into(), new_link, filters, cols, &page, |c| {
        let policy = s.cfg.procedure.for_path(&c.region_path);
        let (st, class) = stage_badge(c);
        let (due, due_class) = clock_badge(&clock_of(c, env.today, &env.cal, &policy));
        vec![
            link(
                "案件",
                format!("第{}号 · {}", c.id, lineage_label(&c.lineage)),
                format!("/cases/{}", c.id),
            ),
            cell("委托人", &c.client_name),
            cell("案号", c.case_number.clone().unwrap_or_else(|| "—".into())),
            cell("鉴定机构", &c.institution_name),
            cell("收到委托", &c.received_on),
            badge(lang.t("field.stage"), st, class),
            badge("期限", due, due_class),
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
        label: "受理",
        stages: &[Received],
        action: Action::HandleCase,
        upload: false,
        intro: "属于本机构业务范围、鉴定用途合法、提供的鉴定材料能够满足鉴定需要的，应当受理（通则第十四条）；自收到委托之日起七个工作日内作出决定（第十三条）。",
    },
    StepDef {
        name: "agree-accept-date",
        label: "商定受理时间",
        stages: &[Received],
        action: Action::HandleCase,
        upload: false,
        intro: "对于复杂、疑难或者特殊鉴定事项，可以与委托人协商决定受理的时间（通则第十三条）。",
    },
    StepDef {
        name: "refuse",
        label: "不予受理",
        stages: &[Received],
        action: Action::HandleCase,
        upload: false,
        intro: "有通则第十五条规定情形的，不得受理；不予受理的，应当向委托人说明理由，退还鉴定材料（第十七条）。",
    },
    StepDef {
        name: "contract",
        label: "签订委托书",
        stages: &[Accepted],
        action: Action::HandleCase,
        upload: true,
        intro: "受理后签订司法鉴定委托书，载明是否属于重新鉴定等事项（通则第十六条）；鉴定时限自委托书生效之日起计算（第二十八条）。",
    },
    StepDef {
        name: "assign",
        label: "指定鉴定人",
        stages: &[Contracted, Assigned, InProgress, ClockStopped],
        action: Action::HandleCase,
        upload: false,
        intro: "指定本机构具有该鉴定事项执业资格的司法鉴定人，同一鉴定事项至少二名（通则第十八、十九条）；有第二十条情形的应当回避。",
    },
    StepDef {
        name: "conflicts",
        label: "登记回避情形",
        stages: &[Contracted, Assigned, InProgress, ClockStopped],
        action: Action::HandleCase,
        upload: false,
        intro: "登记鉴定人应当回避的情形（通则第二十条）；登记后该鉴定人不能被指定。",
    },
    StepDef {
        name: "recusal",
        label: "决定回避",
        stages: &[Assigned, InProgress, ClockStopped],
        action: Action::HandleCase,
        upload: false,
        intro: "鉴定人自行提出回避的，由其所属机构决定；委托人要求回避的，向机构提出，由机构决定（通则第二十一条）。",
    },
    StepDef {
        name: "start",
        label: "开始鉴定",
        stages: &[Assigned],
        action: Action::HandleCase,
        upload: false,
        intro: "开始实施鉴定。",
    },
    StepDef {
        name: "stop-clock",
        label: "中止计时",
        stages: &[InProgress],
        action: Action::HandleCase,
        upload: false,
        intro: "补充或者重新提取鉴定材料所需的时间，以及见证人员未到场延误的时间，不计入鉴定时限（通则第二十五、二十八条）。",
    },
    StepDef {
        name: "resume-clock",
        label: "恢复计时",
        stages: &[ClockStopped],
        action: Action::HandleCase,
        upload: false,
        intro: "恢复计算鉴定时限。",
    },
    StepDef {
        name: "extend",
        label: "延长时限",
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
        intro: "复杂、疑难、特殊技术问题或者检验过程需要较长时间的，经本机构负责人批准，可以延长，延长时限一般不得超过三十个工作日，并应当及时告知委托人（通则第二十八条）。只能延长一次。",
    },
    StepDef {
        name: "terminate",
        label: "终止鉴定",
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
        intro: "有通则第二十九条规定情形的，可以终止鉴定；终止的，应当书面通知委托人，说明理由并退还鉴定材料。",
    },
    StepDef {
        name: "review-request",
        label: "提交复核",
        stages: &[InProgress],
        action: Action::HandleCase,
        upload: false,
        intro: "鉴定人完成鉴定后，由机构指定具有相应资质的人员对鉴定程序和鉴定意见进行复核；重新鉴定的组织三名以上专家复核（通则第三十五条）。",
    },
    StepDef {
        name: "review",
        label: "记录复核意见",
        stages: &[UnderReview],
        action: Action::SignOpinion,
        upload: false,
        intro: "复核人员完成复核，应当提出复核意见并签名（通则第三十五条）。不同意的，案件退回鉴定人。",
    },
    StepDef {
        name: "sign",
        label: "鉴定人签名",
        stages: &[Signing],
        action: Action::SignOpinion,
        upload: false,
        intro: "司法鉴定意见书应当由司法鉴定人签名；多人参加的鉴定，对鉴定意见有不同意见的，应当注明（通则第三十七条）。",
    },
    StepDef {
        name: "seal",
        label: "加盖鉴定专用章",
        stages: &[Signing],
        action: Action::HandleCase,
        upload: false,
        intro: "全部鉴定人签名后，加盖司法鉴定机构的司法鉴定专用章（通则第三十八条）。",
    },
    StepDef {
        name: "issue",
        label: "赋码出具",
        stages: &[Sealed],
        action: Action::HandleCase,
        upload: true,
        intro: "上传最终的鉴定意见书（PDF）。平台保存其 SHA-256，分配意见书编码与查询校验码，并将出具记入防篡改日志。",
    },
    StepDef {
        name: "archive",
        label: "归档",
        stages: &[Issued],
        action: Action::HandleCase,
        upload: false,
        intro: "将司法鉴定意见书及有关资料整理立卷、归档保管（通则第四十二条）。",
    },
    StepDef {
        name: "correct",
        label: "补正",
        stages: &[Issued, Archived],
        action: Action::HandleCase,
        upload: true,
        intro: "图像、谱图、表格不清晰，签名、盖章或者编号不符合制作要求，文字表达有瑕疵或者错别字但不影响鉴定意见的，可以补正；补正不得改变鉴定意见的原意，由至少一名鉴定人在补正处签名（通则第四十一条）。",
    },
    StepDef {
        name: "revoke",
        label: "撤销意见书",
        stages: &[Issued, Archived],
        action: Action::RevokeOpinion,
        upload: false,
        intro: "撤销后，任何人核验该意见书都会看到“已撤销”及撤销日期和依据；撤销记入防篡改日志，不能恢复。请写明依据，如行政处罚决定书文号。",
    },
    StepDef {
        name: "appearances",
        label: "登记出庭通知",
        stages: &[Issued, Archived],
        action: Action::HandleCase,
        upload: false,
        intro: "经人民法院依法通知，鉴定人应当出庭作证（通则第四十三条）。",
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

async fn appraiser_opts(s: &AppState, institution_id: i64) -> Vec<(String, String)> {
    cases::appraiser_options(&s.db, institution_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(id, name, cert, senior)| {
            (
                id.to_string(),
                format!(
                    "{name}（执业证号 {cert}{}）",
                    if senior { "，高级职称" } else { "" }
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
            FormField::text("date", "商定的受理日期".into(), f.text("date"))
                .typed("date")
                .required(),
            textarea("agreement", "协商情况", f.text("agreement")).required(),
        ],
        "refuse" => vec![
            FormField::checks(
                "reasons",
                "不予受理的情形（第十五条）".into(),
                f.all("reasons"),
                opts(
                    &RefusalReason::ALL,
                    RefusalReason::as_str,
                    RefusalReason::label_zh,
                ),
            )
            .required(),
            textarea("explanation", "向委托人说明的理由", f.text("explanation")).required(),
            FormField::checkbox(
                "materials_returned",
                "退还材料".into(),
                f.flag("materials_returned"),
                "鉴定材料已退还委托人（第十七条）".into(),
            ),
        ],
        "contract" => vec![
            FormField::text(
                "effective_on",
                "委托书生效日期".into(),
                f.get("effective_on").unwrap_or_else(|| today().to_string()),
            )
            .typed("date")
            .required(),
            FormField::select(
                "is_reappraisal",
                "是否属于重新鉴定".into(),
                f.get("is_reappraisal")
                    .unwrap_or_else(|| (c.lineage == "reappraisal").to_string()),
                vec![
                    ("false".into(), "否".into()),
                    ("true".into(), "是（重新鉴定）".into()),
                ],
            )
            .required(),
            FormField::text(
                "agreed_complete_by",
                "与委托人约定的完成日期".into(),
                f.text("agreed_complete_by"),
            )
            .typed("date")
            .help("无约定的，自委托书生效之日起三十个工作日内完成（第二十八条）"),
            FormField::text("contract", "委托书扫描件".into(), "").typed("file"),
        ],
        "assign" => vec![
            FormField::checks(
                "appraiser_ids",
                "鉴定人（至少二名）".into(),
                if f.0.is_empty() {
                    assigned.iter().map(|x| x.0.clone()).collect()
                } else {
                    f.all("appraiser_ids")
                },
                appraiser_opts(s, c.institution_id).await,
            )
            .required(),
        ],
        "conflicts" => vec![
            FormField::select(
                "appraiser_id",
                "鉴定人".into(),
                f.text("appraiser_id"),
                appraiser_opts(s, c.institution_id).await,
            )
            .required(),
            FormField::select(
                "kind",
                "回避情形（第二十条）".into(),
                f.text("kind"),
                pairs(&[
                    ("relation", "本人或者其近亲属与诉讼当事人、案件有利害关系"),
                    ("same_matter_before", "曾参加过同一鉴定事项鉴定"),
                    ("consultant", "曾作为专家提供过咨询意见"),
                    (
                        "expert_witness",
                        "曾作为有专门知识的人参与过同一鉴定事项法庭质证",
                    ),
                ]),
            )
            .required(),
            textarea("detail", "具体情况", f.text("detail")),
        ],
        "recusal" => vec![
            FormField::select(
                "appraiser_id",
                "申请回避的鉴定人".into(),
                f.text("appraiser_id"),
                assigned.clone(),
            )
            .required(),
            FormField::select(
                "granted",
                "决定".into(),
                f.text("granted"),
                vec![
                    ("true".into(), "准予回避".into()),
                    ("false".into(), "驳回申请".into()),
                ],
            )
            .required(),
            textarea("decision", "决定理由", f.text("decision")).required(),
        ],
        "stop-clock" => vec![
            FormField::select(
                "reason",
                "中止计时的原因".into(),
                f.text("reason"),
                vec![
                    (
                        StopReason::MaterialSupplement.as_str().into(),
                        StopReason::MaterialSupplement.label_zh().into(),
                    ),
                    (
                        StopReason::WitnessAbsent.as_str().into(),
                        StopReason::WitnessAbsent.label_zh().into(),
                    ),
                ],
            )
            .required(),
        ],
        "extend" => vec![
            FormField::text(
                "days",
                "延长的工作日数（不超过 30）".into(),
                f.get("days").unwrap_or_else(|| "30".into()),
            )
            .typed("number")
            .required(),
            textarea("reason", "延长理由", f.text("reason")).required(),
            FormField::checkbox(
                "client_notified",
                "告知委托人".into(),
                f.flag("client_notified"),
                "已向委托人送达延长鉴定时限告知书".into(),
            ),
        ],
        "terminate" => vec![
            FormField::checks(
                "reasons",
                "终止的情形（第二十九条）".into(),
                f.all("reasons"),
                opts(
                    &TerminationReason::ALL,
                    TerminationReason::as_str,
                    TerminationReason::label_zh,
                ),
            )
            .required(),
            textarea("explanation", "书面通知中说明的理由", f.text("explanation")).required(),
            FormField::checkbox(
                "materials_returned",
                "退还材料".into(),
                f.flag("materials_returned"),
                "鉴定材料已退还委托人".into(),
            ),
        ],
        "review-request" => {
            let mine: Vec<String> = assigned.iter().map(|x| x.0.clone()).collect();
            let options = appraiser_opts(s, c.institution_id)
                .await
                .into_iter()
                .filter(|o| !mine.contains(&o.0))
                .collect();
            vec![
                FormField::checks(
                    "reviewer_ids",
                    "复核人员（不得为本案鉴定人）".into(),
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
                    "复核人员".into(),
                    f.text("reviewer_id"),
                    round,
                )
                .required(),
                FormField::select(
                    "agrees",
                    "复核结论".into(),
                    f.text("agrees"),
                    vec![
                        ("true".into(), "同意出具".into()),
                        ("false".into(), "退回鉴定人".into()),
                    ],
                )
                .required(),
                textarea("opinion", "复核意见", f.text("opinion")).required(),
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
                    "签名的鉴定人".into(),
                    f.text("appraiser_id"),
                    unsigned,
                )
                .required(),
                textarea(
                    "dissent",
                    "不同意见（如有，将在意见书上注明）",
                    f.text("dissent"),
                ),
            ]
        }
        "issue" => vec![
            FormField::text("document", "最终的鉴定意见书（PDF）".into(), "")
                .typed("file")
                .required(),
        ],
        "correct" => vec![
            FormField::select(
                "signer_id",
                "在补正处签名的鉴定人".into(),
                f.text("signer_id"),
                assigned.clone(),
            )
            .required(),
            textarea("what", "补正内容", f.text("what")).required(),
            FormField::checkbox(
                "changes_conclusion",
                "涉及鉴定意见".into(),
                f.flag("changes_conclusion"),
                "补正会改变鉴定意见的原意（不允许）".into(),
            ),
            FormField::text("document", "补正书或补正后的意见书（PDF）".into(), "").typed("file"),
        ],
        "revoke" => vec![textarea("reason", "撤销依据", f.text("reason")).required()],
        "appearances" => vec![
            FormField::checks(
                "appraiser_ids",
                "出庭的鉴定人（须为签名鉴定人）".into(),
                f.all("appraiser_ids"),
                assigned.clone(),
            )
            .required(),
            FormField::text("court", "通知出庭的人民法院".into(), f.text("court")).required(),
            FormField::text("hearing_on", "开庭日期".into(), f.text("hearing_on"))
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

async fn step_form(s: &AppState, c: &Case, d: &StepDef, f: &FormData) -> AppResult<FormView> {
    let parts = cases::parts(&s.db, &Scope::All, c.id).await?;
    let base = if d.upload { "upload" } else { "steps" };
    Ok(FormView {
        title: format!("{} · 第{}号", d.label, c.id),
        intro: Some(d.intro.into()),
        action: format!("/cases/{}/{base}/{}", c.id, d.name),
        hidden: vec![("version".into(), c.version.to_string())],
        fields: step_fields(s, c, &parts, d, f).await,
        errors: Vec::new(),
        submit: d.label.into(),
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
    let v = step_form(&s, &c, d, &FormData::default())
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
            let v = step_form(s, &c, d, f).await.or_page(lang)?;
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

fn yes_no(b: bool) -> String {
    if b { "是".into() } else { "否".into() }
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
            "委托人".to_string(),
            format!(
                "{}（{}）",
                c.client_name,
                OrganKind::parse(&c.client_kind)
                    .map(|k| k.label_zh())
                    .unwrap_or("其他")
            ),
            None,
        ),
        (
            "案号".into(),
            c.case_number.clone().unwrap_or_else(|| "—".into()),
            None,
        ),
        ("案件类型".into(), label_of(CASE_TYPES, &c.case_type), None),
        (
            "鉴定机构".into(),
            c.institution_name.clone(),
            Some(format!("/institutions/{}", c.institution_id)),
        ),
        (
            "委托鉴定事项".into(),
            super::registry::scope_labels(&c.items),
            None,
        ),
        ("鉴定用途".into(), c.purpose.clone(), None),
        ("基本案情".into(), c.summary.clone(), None),
        (
            "鉴定类型".into(),
            lineage_label(&c.lineage).into(),
            c.parent_id.map(|p| format!("/cases/{p}")),
        ),
        (
            "委托方式".into(),
            if c.created_via == "online" {
                "办案机关网上委托".into()
            } else {
                "纸质委托录入".into()
            },
            None,
        ),
        ("收到委托日期".into(), c.received_on.clone(), None),
        ("期限".into(), or_dash(&clock.text), None),
    ];
    if let Some(code) = &c.original_opinion_code {
        fields.push(("原鉴定意见书编码".into(), code.clone(), None));
    }
    if let Some(d) = &c.agreed_accept_by {
        fields.push((
            "商定受理时间".into(),
            format!("{d}（{}）", c.accept_agreement),
            None,
        ));
    }
    if let Some(d) = &c.decided_on {
        fields.push((
            "受理决定日期".into(),
            format!(
                "{d}{}",
                if c.accept_late {
                    "（超过法定期限）"
                } else {
                    ""
                }
            ),
            None,
        ));
    }
    if let Some(d) = &c.contract_effective_on {
        fields.push(("委托书生效日期".into(), d.clone(), None));
    }
    if let Some(days) = c.extension_days {
        fields.push((
            "延长时限".into(),
            format!("{days} 个工作日：{}", c.extension_reason),
            None,
        ));
    }
    if !c.refusal_reasons.is_empty() {
        let r = sijian_service::cases::reason_labels(
            &c.refusal_reasons,
            RefusalReason::parse,
            RefusalReason::label_zh,
        );
        fields.push((
            "不予受理".into(),
            format!("{r}；{}", c.refusal_explanation),
            None,
        ));
    }
    if !c.termination_reasons.is_empty() {
        let r = sijian_service::cases::reason_labels(
            &c.termination_reasons,
            TerminationReason::parse,
            TerminationReason::label_zh,
        );
        fields.push((
            "终止鉴定".into(),
            format!("{r}；{}", c.termination_explanation),
            None,
        ));
    }
    if let Some(o) = &opinion {
        let grouped = opinions::grouped(&o.code);
        fields.push(("鉴定意见书编码".into(), grouped, None));
        if sijian_service::cases::may_see_key(a.role()) {
            fields.push(("查询校验码".into(), o.verification_key.clone(), None));
        }
        fields.push(("意见书 SHA-256".into(), o.document_sha256.clone(), None));
        fields.push((
            "意见书状态".into(),
            format!(
                "{}（第 {} 版）",
                match o.status.as_str() {
                    "corrected" => "已补正",
                    "revoked" => "已撤销",
                    _ => "有效",
                },
                o.version
            ),
            None,
        ));
        if o.status == "revoked" {
            fields.push((
                "撤销".into(),
                format!(
                    "{} 撤销；依据：{}",
                    o.revoked_on.map(|d| d.to_string()).unwrap_or_default(),
                    o.revoked_reason
                ),
                None,
            ));
        }
        if a.role().may(Action::ViewOpinionRecord) {
            let n = s.checks.counts(&s.db, &o.code).await.or_page(lang)?;
            fields.push((
                "核验次数".into(),
                format!(
                    "共 {} 次：公众凭编码 {}，凭查询校验码 {}，办案机关 {}，平台用户 {}{}",
                    n.total,
                    n.public,
                    n.keyed,
                    n.organ,
                    n.platform,
                    n.last_day
                        .map(|d| format!("；最近 {d}"))
                        .unwrap_or_default()
                ),
                None,
            ));
        }
    }
    let mut actions: Vec<ActionButton> = available(&a, &c)
        .into_iter()
        .map(|d| ActionButton {
            label: d.label.into(),
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
                label: "打印核验标签".into(),
                href: format!("/api/v1/opinions/{grouped}/label.pdf"),
                post: false,
                danger: false,
                confirm: String::new(),
            });
        }
        actions.push(ActionButton {
            label: "核验页".into(),
            href: format!("/v/{grouped}"),
            post: false,
            danger: false,
            confirm: String::new(),
        });
    }
    for (doc, label) in PRINTS {
        if printable(doc, &c, &parts) {
            actions.push(ActionButton {
                label: format!("打印{label}"),
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
        title: format!(
            "多头、重复鉴定核查：{}",
            sijian_service::linkage::level_label(&linkage.level)
        ),
        head: vec![
            "类型".into(),
            "程度".into(),
            "另案".into(),
            "依据".into(),
            "状态".into(),
        ],
        rows: super::linkage::case_rows(&linkage.alerts),
        empty: "未发现同一被鉴定人、同一事项在其他机构办理或已出具意见".into(),
        link: a
            .role()
            .may(Action::ViewLinkageAlerts)
            .then(|| ("处理预警".to_string(), format!("/linkage/alerts?case={id}"))),
    };
    let tables = vec![
        linkage_table,
        DetailTable {
            title: "被鉴定人".into(),
            head: vec!["姓名".into(), "公民身份号码".into()],
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
            title: "鉴定材料（通则第十二条）".into(),
            head: vec![
                "名称".into(),
                "种类".into(),
                "数量".into(),
                "性状".into(),
                "保存状况".into(),
                "收到时间".into(),
                "退还日期".into(),
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
            title: "鉴定人与签名".into(),
            head: vec![
                "鉴定人".into(),
                "执业证号".into(),
                "高级职称".into(),
                "签名".into(),
                "不同意见".into(),
                "状态".into(),
            ],
            rows: parts
                .assignments
                .iter()
                .map(|x| {
                    vec![
                        x.name.clone(),
                        x.certificate_no.clone(),
                        yes_no(x.senior_title),
                        x.signed_at.map(fmt_time).unwrap_or_else(|| "—".into()),
                        x.dissent
                            .clone()
                            .filter(|d| !d.is_empty())
                            .unwrap_or_else(|| "—".into()),
                        match x.removed_at {
                            Some(_) => format!("已撤换：{}", x.removal_reason),
                            None => "在办".into(),
                        },
                    ]
                })
                .collect(),
            empty: t_none.clone(),
            link: None,
        },
        DetailTable {
            title: "复核（通则第三十五条）".into(),
            head: vec![
                "轮次".into(),
                "复核人员".into(),
                "结论".into(),
                "复核意见".into(),
                "时间".into(),
            ],
            rows: parts
                .reviews
                .iter()
                .map(|r| {
                    vec![
                        r.round.to_string(),
                        r.name.clone(),
                        match r.agrees {
                            Some(true) => "同意".into(),
                            Some(false) => "退回".into(),
                            None => "待复核".into(),
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
            title: "中止计时".into(),
            head: vec!["自".into(), "至".into(), "原因".into()],
            rows: parts
                .stops
                .iter()
                .map(|x| {
                    vec![
                        x.from_on.clone(),
                        x.to_on.clone().unwrap_or_else(|| "（中止中）".into()),
                        StopReason::parse(&x.reason)
                            .map(|r| r.label_zh().to_string())
                            .unwrap_or(x.reason.clone()),
                    ]
                })
                .collect(),
            empty: t_none.clone(),
            link: None,
        },
        DetailTable {
            title: "文件".into(),
            head: vec![
                "类别".into(),
                "名称".into(),
                "大小".into(),
                "SHA-256".into(),
            ],
            rows: parts
                .files
                .iter()
                .map(|x| {
                    vec![
                        match x.kind.as_str() {
                            "opinion" => "鉴定意见书",
                            "commission" => "委托材料",
                            "correction" => "补正",
                            _ => "其他",
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
            title: "出庭作证".into(),
            head: vec![
                "人民法院".into(),
                "开庭日期".into(),
                "状态".into(),
                "退还鉴定费".into(),
            ],
            rows: parts
                .appearances
                .iter()
                .map(|x| {
                    vec![
                        x.court.clone(),
                        x.hearing_on.clone(),
                        Appearance::parse(&x.status)
                            .map(|s| s.label_zh().to_string())
                            .unwrap_or(x.status.clone()),
                        yes_no(x.refund_due),
                    ]
                })
                .collect(),
            empty: t_none.clone(),
            link: None,
        },
    ];
    for x in parts.appearances.iter().filter(|x| x.status == "notified") {
        if a.role().may(Action::HandleCase) {
            for (o, l) in [("attended", "已出庭"), ("refused", "拒不出庭")] {
                actions.push(ActionButton {
                    label: format!("{} {}：{l}", x.court, x.hearing_on),
                    href: format!("/cases/{id}/appearances/{}/{o}?version={}", x.id, c.version),
                    post: true,
                    danger: o == "refused",
                    confirm: "确认记录出庭结果？".into(),
                });
            }
        }
    }
    let (show_history, history) = history_of(&s, lang, "case", id, &Scope::All).await;
    let (st, class) = stage_badge(&c);
    let v = DetailView {
        tables,
        title: format!("鉴定案件 · 第{}号", c.id),
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
    ("name", "名称"),
    ("kind", "种类"),
    ("quantity", "数量"),
    ("condition", "性状"),
    ("storage", "保存状况"),
    ("received_at", "收到时间"),
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
            "受委托的司法鉴定机构".into(),
            f.text("institution_id"),
            institution_opts(s, a).await,
        )
        .required(),
        FormField::text("client_name", "委托人".into(), f.text("client_name")).required(),
        FormField::select(
            "client_kind",
            "委托人类别".into(),
            f.text("client_kind"),
            OrganKind::ALL
                .iter()
                .map(|k| (k.as_str().to_string(), k.label_zh().to_string()))
                .collect(),
        )
        .required(),
        FormField::text(
            "client_contact",
            "联系方式".into(),
            f.text("client_contact"),
        ),
        FormField::text("case_number", "案号".into(), f.text("case_number"))
            .help("如（2026）浙0106民初1234号；录入后自动规范化"),
        FormField::select(
            "case_type",
            "案件类型".into(),
            f.text("case_type"),
            pairs(CASE_TYPES),
        )
        .required(),
        FormField::checks(
            "items",
            "委托鉴定事项".into(),
            f.all("items"),
            scope_options(lang),
        )
        .required()
        .class("tree"),
        FormField::text("purpose", "鉴定用途".into(), f.text("purpose")).required(),
        textarea("summary", "基本案情", f.text("summary")).required(),
        FormField::select(
            "lineage",
            "鉴定类型".into(),
            f.get("lineage").unwrap_or_else(|| "original".into()),
            pairs(&[
                ("original", "初次鉴定"),
                ("supplementary", "补充鉴定（通则第三十条）"),
                ("reappraisal", "重新鉴定（通则第三十一、三十二条）"),
            ]),
        )
        .required(),
        FormField::text("parent_id", "原鉴定案件编号".into(), f.text("parent_id"))
            .typed("number")
            .help("补充鉴定、重新鉴定时填写原案件的编号"),
        FormField::text(
            "same_institution_reason",
            "委托原机构重新鉴定的特殊原因".into(),
            f.text("same_institution_reason"),
        ),
        FormField::text(
            "received_on",
            "收到委托及材料的日期".into(),
            f.get("received_on").unwrap_or_else(|| today().to_string()),
        )
        .typed("date")
        .required(),
        FormField::text("person_name", "被鉴定人姓名".into(), f.text("person_name"))
            .help("姓名与身份号码加密保存，页面只显示遮蔽后的形式"),
        FormField::text(
            "person_id",
            "被鉴定人公民身份号码".into(),
            f.text("person_id"),
        ),
    ];
    for i in 0..MATERIAL_ROWS {
        for (key, label) in MATERIAL_FIELDS {
            let name = material_field(i, key);
            let mut fld = FormField::text(name, format!("材料{}：{label}", i + 1), f.text(name));
            if key == "received_at" {
                fld = fld.help("如 2026-09-01 09:30");
            }
            fields.push(fld);
        }
    }
    fields.push(FormField::text("attachments", "委托书及材料扫描件".into(), "").typed("file"));
    FormView {
        title: "新建委托".into(),
        intro: Some("委托人应当提供真实、完整、充分的鉴定材料；机构核对并记录材料的名称、种类、数量、性状、保存状况、收到时间（通则第十二条）。".into()),
        action: "/cases/new".into(),
        hidden: Vec::new(),
        fields,
        errors: Vec::new(),
        submit: "提交委托".into(),
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
    ("contract", "司法鉴定委托书"),
    ("extension", "延长鉴定时限告知书"),
    ("termination", "终止鉴定告知书"),
    ("review", "司法鉴定复核意见"),
    ("correction", "司法鉴定意见补正书"),
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
        .map(|(_, t)| *t)
        .ok_or_else(AppError::not_found)
        .or_page(lang)?;
    if !printable(&doc, &c, &parts) {
        return Err(super::page_error(
            AppError::bad_request(format!("本案目前没有{title}")),
            lang,
        ));
    }
    let signers: Vec<String> = parts
        .assignments
        .iter()
        .filter(|x| x.removed_at.is_none())
        .map(|x| format!("{}（执业证号 {}）", x.name, x.certificate_no))
        .collect();
    let items = super::registry::scope_labels(&c.items);
    let mut rows = vec![
        ("委托人".to_string(), c.client_name.clone()),
        ("司法鉴定机构".into(), c.institution_name.clone()),
        (
            "案号".into(),
            c.case_number.clone().unwrap_or_else(|| "—".into()),
        ),
        ("委托鉴定事项".into(), items),
    ];
    let mut paragraphs = Vec::new();
    let mut signatures = vec!["司法鉴定机构（司法鉴定专用章）".to_string()];
    let date;
    match doc.as_str() {
        "contract" => {
            rows.extend([
                ("是否属于重新鉴定".into(), yes_no(c.lineage == "reappraisal")),
                ("鉴定用途".into(), c.purpose.clone()),
                ("基本案情".into(), c.summary.clone()),
                ("鉴定材料".into(), parts.materials.iter().map(|m| format!("{}（{}，{}，{}，{}）", m.name, m.kind, m.quantity, m.condition, m.storage)).collect::<Vec<_>>().join("；")),
                ("委托书生效日期".into(), c.contract_effective_on.clone().unwrap_or_default()),
                ("鉴定时限".into(), c.agreed_complete_by.clone().map(|d| format!("约定于 {d} 前完成")).unwrap_or_else(|| "自本委托书生效之日起三十个工作日内完成（《司法鉴定程序通则》第二十八条）".into())),
            ]);
            paragraphs.push("鉴定风险提示：鉴定意见属于专业意见，其是否被采信取决于办案机关的审查和判断；因鉴定材料或者被鉴定人的原因，可能无法得出明确的鉴定意见。".into());
            paragraphs.push("委托人应当提供真实、完整、充分的鉴定材料，并对鉴定材料的真实性、合法性负责（通则第十二条）。鉴定材料的提供和退还按照双方约定进行。".into());
            signatures.insert(0, "委托人（签名或盖章）".into());
            date = c.contract_effective_on.clone().unwrap_or_default();
        }
        "extension" => {
            let env = Env::load(&s, &c.region_path).await.or_page(lang)?;
            let clock = clock_of(&c, env.today, &env.cal, &env.policy);
            paragraphs.push(format!(
                "因{}，经本机构负责人批准，本案鉴定时限延长 {} 个工作日（《司法鉴定程序通则》第二十八条）。{}",
                c.extension_reason, c.extension_days.unwrap_or(0), clock.due_on.map(|d| format!("延长后应于 {d} 前完成。")).unwrap_or_default()
            ));
            paragraphs.push("特此告知。".into());
            date = today().to_string();
        }
        "termination" => {
            let r = sijian_service::cases::reason_labels(
                &c.termination_reasons,
                TerminationReason::parse,
                TerminationReason::label_zh,
            );
            rows.push(("终止情形".into(), r));
            paragraphs.push(format!(
                "根据《司法鉴定程序通则》第二十九条，本机构决定终止本案鉴定。理由：{}",
                c.termination_explanation
            ));
            paragraphs.push(format!(
                "鉴定材料已于 {} 退还委托人。",
                c.materials_returned_on.clone().unwrap_or_default()
            ));
            date = c.closed_on.clone().unwrap_or_default();
        }
        "review" => {
            for r in parts.reviews.iter().filter(|r| r.agrees.is_some()) {
                paragraphs.push(format!(
                    "第{}轮复核 · {}：{}（{}）",
                    r.round,
                    r.name,
                    r.opinion,
                    if r.agrees == Some(true) {
                        "同意出具"
                    } else {
                        "退回鉴定人"
                    }
                ));
            }
            signatures = parts
                .reviews
                .iter()
                .filter(|r| r.agrees.is_some())
                .map(|r| format!("复核人：{}", r.name))
                .collect();
            date = today().to_string();
        }
        _ => {
            let code = c
                .opinion_code
                .as_deref()
                .map(opinions::grouped)
                .unwrap_or_default();
            rows.push(("原鉴定意见书编码".into(), code.clone()));
            let list = opinions::corrections(&s.db, c.opinion_code.as_deref().unwrap_or(""))
                .await
                .or_page(lang)?;
            for x in &list {
                paragraphs.push(format!(
                    "第 {} 版补正（{}）：{}",
                    x.version, x.corrected_on, x.what
                ));
            }
            paragraphs
                .push("上述补正不改变原鉴定意见的原意（《司法鉴定程序通则》第四十一条）。".into());
            signatures = vec![
                "司法鉴定人（签名）".into(),
                "司法鉴定机构（司法鉴定专用章）".into(),
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
        title: title.into(),
        institution: c.institution_name.clone(),
        number: format!("第{}号", c.id),
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
                title: "期限预警".into(),
                head: vec![
                    "案件".into(),
                    "鉴定机构".into(),
                    "委托人".into(),
                    "期限".into(),
                    "到期日".into(),
                    "预警".into(),
                ],
                rows: alerts
                    .iter()
                    .map(|x| {
                        vec![
                            format!("第{}号", x.case_id),
                            x.institution_name.clone(),
                            x.client_name.clone(),
                            if x.deadline == "accept" {
                                "受理期限".into()
                            } else {
                                "完成期限".into()
                            },
                            x.due_on.clone(),
                            if x.kind == "overdue" {
                                "已逾期".into()
                            } else {
                                "即将到期".into()
                            },
                        ]
                    })
                    .collect(),
                empty: none.clone(),
                link: None,
            },
            DetailTable {
                title: "各机构逾期率".into(),
                head: vec![
                    "鉴定机构".into(),
                    "案件数".into(),
                    "逾期案件".into(),
                    "逾期率".into(),
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
        title: "期限与逾期".into(),
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
