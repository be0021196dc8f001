//! One form per procedure step: which steps a reader may take, their fields, and their submission.
use super::*;

/// A step as the pages offer it.
pub(super) struct StepDef {
    pub(super) name: &'static str,
    /// Catalogue keys of the step's name and of the rule shown above its form.
    pub(super) label: &'static str,
    stages: &'static [Stage],
    action: Action,
    /// Sent with a file (multipart).
    upload: bool,
    intro: &'static str,
}

pub(super) const STEPS: &[StepDef] = &[
    StepDef {
        name: "record-materials",
        label: "cases.step.record-materials",
        stages: &[Received],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.record-materials.intro",
    },
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
        stages: &[
            Contracted,
            Assigned,
            InProgress,
            ClockStopped,
            UnderReview,
            Signing,
        ],
        action: Action::HandleCase,
        upload: false,
        intro: "cases.step.conflicts.intro",
    },
    StepDef {
        name: "recusal",
        label: "cases.step.recusal",
        stages: &[Assigned, InProgress, ClockStopped, UnderReview, Signing],
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

pub(super) fn step_def(name: &str) -> Option<&'static StepDef> {
    STEPS.iter().find(|d| d.name == name)
}

pub(super) fn available(a: &Authed, c: &Case, parts: &CaseParts) -> Vec<&'static StepDef> {
    let stage = c.stage();
    // 第十二条: while materials wait to be recorded, recording them comes before accepting.
    let to_record = parts.materials.iter().any(to_record);
    STEPS
        .iter()
        .filter(|d| d.stages.contains(&stage) && a.role().may(d.action))
        .filter(|d| match d.name {
            "record-materials" => to_record,
            "accept" => !to_record,
            _ => true,
        })
        .collect()
}

/// A material held whose receipt facts the institution has not recorded (通则第十二条).
fn to_record(m: &cases::Material) -> bool {
    m.returned_on.is_none()
        && [&m.condition, &m.storage, &m.received_at]
            .iter()
            .any(|v| v.trim().is_empty())
}

pub(super) async fn appraiser_opts(
    s: &AppState,
    lang: Lang,
    institution_id: i64,
) -> Vec<(String, String)> {
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

pub(super) async fn step_fields(
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
        "record-materials" => {
            let entered = (
                f.all("material_id"),
                f.all("condition"),
                f.all("storage"),
                f.all("received_at"),
            );
            let value = |list: &Vec<String>, id: i64| {
                entered
                    .0
                    .iter()
                    .position(|x| x == &id.to_string())
                    .and_then(|i| list.get(i).cloned())
                    .unwrap_or_default()
            };
            let cell =
                |name: &'static str, key: &str, value: String, kind: &'static str| TableCell {
                    name,
                    label: lang.t(key).to_string(),
                    value,
                    kind,
                    carry: None,
                };
            let rows = parts
                .materials
                .iter()
                .filter(|m| to_record(m))
                .map(|m| {
                    vec![
                        TableCell {
                            carry: Some(("material_id", m.id.to_string())),
                            ..cell("", "cases.material.name", m.name.clone(), "show")
                        },
                        cell("", "cases.material.kind", m.kind.clone(), "show"),
                        cell("", "cases.material.quantity", m.quantity.clone(), "show"),
                        cell(
                            "condition",
                            "cases.material.condition",
                            value(&entered.1, m.id),
                            "text",
                        ),
                        cell(
                            "storage",
                            "cases.material.storage",
                            value(&entered.2, m.id),
                            "text",
                        ),
                        cell(
                            "received_at",
                            "cases.material.received_at",
                            value(&entered.3, m.id),
                            "text",
                        ),
                    ]
                })
                .collect();
            let table = TableInput {
                columns: [
                    ("cases.material.name", false),
                    ("cases.material.kind", false),
                    ("cases.material.quantity", false),
                    ("cases.material.condition", true),
                    ("cases.material.storage", true),
                    ("cases.material.received_at", true),
                ]
                .iter()
                .map(|(k, r)| (lang.t(k).to_string(), *r))
                .collect(),
                rows,
                growable: false,
            };
            vec![
                FormField::table("materials", lang.t("cases.field.receipts").into(), table)
                    .required()
                    .help(lang.t("cases.help.received_at")),
            ]
        }
        "agree-accept-date" => vec![
            FormField::text(
                "date",
                lang.t("cases.field.agreed_date").into(),
                f.text("date"),
            )
            .typed("date")
            .required(),
            FormField::textarea(
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
                options(lang, &RefusalReason::ALL),
            )
            .required(),
            FormField::textarea(
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
            FormField::textarea("detail", lang.t("cases.field.detail"), f.text("detail")),
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
            FormField::textarea(
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
            FormField::textarea(
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
                options(lang, &TerminationReason::ALL),
            )
            .required(),
            FormField::textarea(
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
                FormField::textarea(
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
                FormField::textarea("dissent", lang.t("cases.field.dissent"), f.text("dissent")),
            ]
        }
        "issue" => {
            let mut v = vec![
                FormField::text("document", lang.t("cases.field.final_opinion").into(), "")
                    .typed("file")
                    .required(),
            ];
            v.extend(conclusion_fields(lang, c, f, None));
            v
        }
        "correct" => {
            let recorded = recorded_conclusion(s, c).await;
            let mut v = vec![
                FormField::select(
                    "signer_id",
                    lang.t("cases.field.correction_signer").into(),
                    f.text("signer_id"),
                    assigned.clone(),
                )
                .required(),
                FormField::textarea("what", lang.t("cases.field.correction"), f.text("what"))
                    .required(),
            ];
            v.extend(conclusion_fields(lang, c, f, recorded.as_ref()));
            v.push(
                FormField::text(
                    "document",
                    lang.t("cases.field.correction_document").into(),
                    "",
                )
                .typed("file"),
            );
            v
        }
        "revoke" => vec![
            FormField::textarea(
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

pub(super) fn ids_of(f: &FormData, name: &str) -> Vec<i64> {
    f.all(name).iter().filter_map(|v| v.parse().ok()).collect()
}

pub(super) fn pick(f: &FormData, name: &str) -> AppResult<i64> {
    f.int(name).ok_or_else(|| AppError::field(name, "请选择"))
}

pub(super) fn file_of(
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
/// The conclusion recorded when the case's opinion was issued, if any.
async fn recorded_conclusion(
    s: &AppState,
    c: &Case,
) -> Option<sijian_domain::conclusion::Conclusion> {
    sijian_store::cases::opinions::by_case(&s.db, c.id)
        .await
        .ok()
        .flatten()?
        .conclusion()
}

/// The opinion's conclusion (通则第四十一条): a choice among the structured conclusions the
/// matter allows, or words. For a correction the help names the conclusion recorded at issue,
/// which the corrected document must state.
fn conclusion_fields(
    lang: Lang,
    c: &Case,
    f: &FormData,
    recorded: Option<&sijian_domain::conclusion::Conclusion>,
) -> Vec<FormField> {
    use sijian_domain::conclusion::Conclusion;
    let chosen = f.text("conclusion");
    let mut select = FormField::select(
        "conclusion",
        lang.t("cases.field.conclusion").into(),
        chosen,
        Conclusion::choices(&c.items),
    )
    .required();
    select = match recorded {
        Some(r) => select.help(lang.tf(
            "cases.help.conclusion_recorded",
            &[("conclusion", lang.pick(&r.label_zh(), &r.label_en()))],
        )),
        None => select.help(lang.t("cases.help.conclusion")),
    };
    vec![
        select,
        FormField::textarea(
            "conclusion_text",
            lang.t("cases.field.conclusion_text"),
            f.text("conclusion_text"),
        ),
    ]
}

/// The conclusion as the form gives it: `kind:value` from the list, or `text` with the words.
fn conclusion_of(f: &FormData) -> sijian_service::cases::ConclusionBody {
    let chosen = f.text("conclusion");
    match chosen.split_once(':') {
        Some((kind, value)) => sijian_service::cases::ConclusionBody {
            kind: kind.into(),
            value: value.into(),
        },
        None => sijian_service::cases::ConclusionBody {
            kind: chosen,
            value: f.text("conclusion_text"),
        },
    }
}

pub(super) fn step_input(name: &str, f: &FormData, files: &[UploadedFile]) -> AppResult<StepInput> {
    Ok(match name {
        "accept" => StepInput::Accept,
        "record-materials" => {
            let ids = f.all("material_id");
            let (condition, storage, received_at) =
                (f.all("condition"), f.all("storage"), f.all("received_at"));
            let at = |list: &[String], i: usize| list.get(i).cloned().unwrap_or_default();
            StepInput::RecordMaterials {
                receipts: ids
                    .iter()
                    .enumerate()
                    .map(|(i, id)| {
                        Ok(sijian_domain::procedure::MaterialReceipt {
                            material_id: id
                                .parse()
                                .map_err(|_| AppError::field("materials", "材料编号无效"))?,
                            condition: at(&condition, i),
                            storage: at(&storage, i),
                            received_at: at(&received_at, i),
                        })
                    })
                    .collect::<Result<_, AppError>>()?,
            }
        }
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
            conclusion: conclusion_of(f),
        },
        "archive" => StepInput::Archive,
        "correct" => StepInput::Correct {
            signer_id: pick(f, "signer_id")?,
            what: f.text("what"),
            conclusion: conclusion_of(f),
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

pub(super) async fn step_form(
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
    Ok(form_page(&a, lang, "/cases", v))
}

pub(super) async fn submit(
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
    // Refused callers are refused before the form is read (`reach`).
    let c = sijian_service::cases::reach(s, a, id, d.action)
        .await
        .or_page(lang)?;
    let version = f.int("version").unwrap_or(-1);
    let result = match step_input(name, f, files) {
        Ok(input) => apply(s, a, id, version, input)
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(redirect(&format!("/cases/{id}?saved=case.{name}"))),
        // 通则第十五条第六项: held back by record linkage, the next legitimate steps instead of
        // the acceptance form again.
        Err(e) if name == "accept" && super::review::held_by_linkage(&e) => {
            Err(super::review::linkage_refused(a, lang, &c, &e, "", None))
        }
        Err(e) => {
            let v = step_form(s, lang, &c, d, f).await.or_page(lang)?;
            Err(form_refused(a, lang, "/cases", v, e))
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
    sijian_service::cases::reach(&s, a, id, Action::HandleCase)
        .await
        .or_page(lang)?;
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
    Ok(redirect(&format!("/cases/{id}?saved=case.appearance")))
}

// ---------------------------------------------------------------------------------------------
// The case's file
// ---------------------------------------------------------------------------------------------
