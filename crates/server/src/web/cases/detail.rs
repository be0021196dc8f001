//! A case's file: its particulars, opinion, actions, linkage findings, parties, materials and timeline.
use super::*;

pub(super) fn yes_no(lang: Lang, b: bool) -> String {
    if b {
        lang.t("cases.yes").into()
    } else {
        lang.t("cases.no").into()
    }
}

/// A case's file: its particulars and opinion, the steps its reader may take, the tables of its
/// parts and its timeline.
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
    let mut fields = particulars(&a, lang, &c, &clock);
    if let Some(o) = &opinion {
        fields.extend(opinion_fields(&s, &a, lang, o).await.or_page(lang)?);
    }
    let linkage = sijian_service::linkage::Linkage::stored(&s.db, c.id)
        .await
        .or_page(lang)?
        .seen_by(a.role());
    let mut tables = vec![linkage_table(&a, lang, id, &linkage)];
    tables.extend(part_tables(lang, &parts));
    // The duplicate-appraisal findings name other cases: only for those who may view them
    // (issue 14, point 5).
    let hide = (!a.role().may(Action::ViewLinkageAlerts)).then_some("linkage.");
    let (show_history, history) = history_of(&s, &a, lang, "case", id, &Scope::All, hide).await;
    let v = DetailView {
        tables,
        title: lang.tf("cases.detail.title", &[("id", &c.id.to_string())]),
        badge: Some(stage_badge(lang, &c)),
        back: "/cases".into(),
        actions: actions(&a, lang, &c, &parts, opinion.as_ref()),
        fields,
        show_history,
        history,
    };
    let next = saved_key(&q)
        .and_then(|k| k.strip_prefix("case."))
        .and_then(|done| next_step(&a, &c, &parts, done))
        .map(|d| lang.tf("cases.next_step", &[("step", lang.t(d.label))]));
    let chrome = Chrome::new(&a, lang, v.title.clone(), "/cases").saved_flash_then(&q, next);
    Ok(render(&DetailPage { c: chrome, v }))
}

/// The steps that carry a case forward, first the one that comes soonest; a step beside the way
/// (refusal, recusal, extension, termination, correction…) is never "next".
const FORWARD: &[&str] = &[
    "record-materials",
    "accept",
    "contract",
    "start",
    "resume-clock",
    "review-request",
    "review",
    "sign",
    "seal",
    "issue",
    "archive",
    "assign",
];

/// After `done`, the step that carries the case forward among those its reader may take now
/// (the case page's own buttons), if any.
fn next_step(a: &Authed, c: &Case, parts: &CaseParts, done: &str) -> Option<&'static StepDef> {
    let open = available(a, c, parts);
    FORWARD
        .iter()
        .filter(|name| **name != done)
        .find_map(|name| open.iter().find(|d| d.name == *name).copied())
}

/// The case's particulars as label, value and optional link.
fn particulars(a: &Authed, lang: Lang, c: &Case, clock: &CaseClock) -> Vec<Field> {
    // The register entry for those who may open it, else the public directory's entry.
    let institution_href = if a.role().may(Action::ViewInstitutions) {
        format!("/institutions/{}", c.institution_id)
    } else {
        format!("/directory/institutions/{}", c.institution_id)
    };
    let mut fields = vec![
        (
            lang.t("cases.col.client").to_string(),
            lang.tf(
                "common.with_note",
                &[
                    ("text", &c.client_name),
                    (
                        "note",
                        lang.pick(c.client_kind.label_zh(), c.client_kind.label_en()),
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
            Some(institution_href),
        ),
        (
            lang.t("cases.field.matter").into(),
            crate::web::registry::code_labels_in(lang, &c.items),
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
            c.received_on.to_string(),
            None,
        ),
        (
            lang.t("cases.col.deadline").into(),
            or_dash(&clock_text(lang, c, clock)),
            None,
        ),
    ];
    if clock.due_provisional {
        fields.push((
            lang.t("cases.field.deadline_note").into(),
            lang.t("deadline.provisional_note").into(),
            None,
        ));
    }
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
        fields.push((
            lang.t("cases.field.contract_date").into(),
            d.to_string(),
            None,
        ));
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
    fields
}

/// The issued opinion: its code, check code (for those who may see it), digest, status, and the
/// count of checks made of it.
async fn opinion_fields(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    o: &opinions::Opinion,
) -> AppResult<Vec<Field>> {
    let mut fields = Vec::new();
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
    // The conclusion recorded at issue (通则第四十一条): what every correction must keep.
    fields.push((
        lang.t("cases.field.conclusion").into(),
        o.conclusion()
            .map(|c| lang.pick(&c.label_zh(), &c.label_en()).to_string())
            .unwrap_or_else(|| lang.t("cases.conclusion.not_recorded").into()),
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
        let n = s.checks.counts(&s.db, &o.code).await?;
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
    Ok(fields)
}

/// The steps the reader may take now, the case's documents and, for an issued opinion, its label
/// and public page.
fn actions(
    a: &Authed,
    lang: Lang,
    c: &Case,
    parts: &CaseParts,
    opinion: Option<&opinions::Opinion>,
) -> Vec<ActionButton> {
    let id = c.id;
    let mut actions: Vec<ActionButton> = available(a, c, parts)
        .into_iter()
        .map(|d| ActionButton {
            danger: matches!(d.name, "refuse" | "terminate" | "revoke"),
            ..ActionButton::link(lang.t(d.label), format!("/cases/{id}/steps/{}", d.name))
        })
        .collect();
    if let Some(o) = opinion {
        let grouped = opinions::grouped(&o.code);
        // The label carries the verification key: only for those who may see it.
        if a.role().may(Action::ViewOpinionRecord) && sijian_service::cases::may_see_key(a.role()) {
            actions.push(ActionButton::link(
                lang.t("cases.print_label"),
                format!("/api/v1/opinions/{grouped}/label.pdf"),
            ));
        }
        actions.push(ActionButton::link(
            lang.t("cases.verify_page"),
            format!("/v/{grouped}"),
        ));
    }
    for (doc, label) in PRINTS {
        if printable(doc, c, parts) {
            actions.push(ActionButton::link(
                lang.tf("cases.print", &[("document", lang.t(label))]),
                format!("/cases/{id}/print/{doc}"),
            ));
        }
    }
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
    actions
}

/// The duplicate-appraisal findings on this case, with a way to handle them for those who may.
fn linkage_table(
    a: &Authed,
    lang: Lang,
    id: i64,
    linkage: &sijian_service::linkage::CheckResult,
) -> DetailTable {
    DetailTable {
        title: lang.tf(
            "cases.linkage.title",
            &[(
                "level",
                &crate::web::linkage::level_label(lang, &linkage.level),
            )],
        ),
        head: vec![
            lang.t("cases.linkage.type").into(),
            lang.t("cases.linkage.degree").into(),
            lang.t("cases.linkage.other_case").into(),
            lang.t("cases.linkage.basis").into(),
            lang.t("cases.linkage.status").into(),
        ],
        rows: crate::web::linkage::case_rows(lang, &linkage.alerts),
        empty: lang
            .t(if linkage.level == "referred" {
                "cases.linkage.referred"
            } else {
                "cases.linkage.none"
            })
            .into(),
        link: a.role().may(Action::ViewLinkageAlerts).then(|| {
            (
                lang.t("cases.linkage.handle").to_string(),
                format!("/linkage/alerts?case={id}"),
            )
        }),
        row_links: Vec::new(),
    }
}

/// The tables of the case's parts: persons, materials, appraisers, reviews, clock stops, files and
/// court appearances.
fn part_tables(lang: Lang, parts: &CaseParts) -> Vec<DetailTable> {
    vec![
        DetailTable::of(
            lang,
            "cases.persons",
            &["cases.person.name", "cases.person.id_number"],
            parts
                .persons
                .iter()
                .map(|p| {
                    vec![
                        p.name_masked.clone(),
                        p.id_masked.clone().unwrap_or_else(|| "—".into()),
                    ]
                })
                .collect(),
        ),
        DetailTable::of(
            lang,
            "cases.materials",
            &[
                "cases.material.name",
                "cases.material.kind",
                "cases.material.quantity",
                "cases.material.condition",
                "cases.material.storage",
                "cases.material.received_at",
                "cases.material.returned_on",
            ],
            parts
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
        ),
        DetailTable::of(
            lang,
            "cases.appraisers",
            &[
                "cases.field.appraiser",
                "cases.col.certificate",
                "cases.col.senior",
                "cases.col.signature",
                "cases.col.dissent",
                "cases.linkage.status",
            ],
            parts
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
        ),
        DetailTable::of(
            lang,
            "cases.reviews",
            &[
                "cases.col.round",
                "cases.field.reviewer",
                "cases.col.result",
                "cases.field.review_opinion",
                "cases.col.time",
            ],
            parts
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
        ),
        DetailTable::of(
            lang,
            "cases.stops",
            &["cases.stop.from", "cases.stop.to", "cases.stop.reason"],
            parts
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
        ),
        DetailTable::of(
            lang,
            "cases.col.file",
            &[
                "cases.col.category",
                "cases.material.name",
                "cases.col.size",
                "cases.col.sha256",
            ],
            parts
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
                        x.name.clone(),
                        format!("{:.1} KiB", x.size as f64 / 1024.0),
                        x.sha256.clone(),
                    ]
                })
                .collect(),
        ),
        DetailTable::of(
            lang,
            "cases.appearances",
            &[
                "cases.col.court",
                "cases.field.hearing_on",
                "cases.linkage.status",
                "cases.col.fee_refund",
            ],
            parts
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
        ),
    ]
}
