//! The printable documents of 司发通〔2016〕112号.
use super::*;

pub(super) const PRINTS: [(&str, &str); 5] = [
    ("contract", "cases.doc.contract"),
    ("extension", "cases.doc.extension"),
    ("termination", "cases.doc.termination"),
    ("review", "cases.doc.review"),
    ("correction", "cases.doc.correction"),
];

pub(super) fn printable(doc: &str, c: &Case, parts: &CaseParts) -> bool {
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
pub(super) struct PrintPage {
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
        return Err(crate::web::page_error(
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
    let items = crate::web::registry::code_labels_in(lang, &c.items);
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
    let day = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
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
                    day(c.contract_effective_on),
                ),
                (
                    lang.t("cases.doc.time_limit").into(),
                    c.agreed_complete_by
                        .map(|d| lang.tf("cases.doc.agreed_limit", &[("date", &d.to_string())]))
                        .unwrap_or_else(|| lang.t("cases.doc.default_limit").into()),
                ),
            ]);
            paragraphs.push(lang.t("cases.doc.risk").into());
            paragraphs.push(lang.t("cases.doc.client_material").into());
            signatures.insert(0, lang.t("cases.doc.client_sign").into());
            date = day(c.contract_effective_on);
        }
        "extension" => {
            let env = Env::load(&s, &c.region_path).await.or_page(lang)?;
            let clock = clock_of(&c, env.today, &env.cal, &env.policy);
            let provisional = clock.due_provisional;
            let due = clock
                .due_on
                .map(|d| {
                    let date = crate::labels::due_date(lang, &d, provisional);
                    lang.tf("cases.doc.extended_due", &[("date", &date)])
                })
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
                &[("date", &day(c.materials_returned_on))],
            ));
            date = day(c.closed_on);
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
