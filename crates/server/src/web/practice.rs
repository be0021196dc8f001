//! An appraiser's practice record on their page: postings (transfers), dated entries (training
//! hours, insurance, oath), assistants and status history, with the forms that add to them.
use super::forms::{FormData, Post};
use super::registry::gender_field;
use super::view::*;
use super::{OrPage, PageResult, redirect};
use super::{form_page, form_refused};
use crate::auth::{Authed, PageUser};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::state::AppState;
use axum::extract::{Path, State};
use sijian_domain::Action;
use sijian_service::inputs::{AssistantInput, EDUCATION, RECORD_KINDS, RecordInput};
use sijian_store::registry;

fn kind_label(lang: Lang, kind: &str) -> String {
    crate::labels::value_label(lang, "record_kind", &RECORD_KINDS, kind)
}

/// The tables under an appraiser's fields.
pub async fn appraiser_tables(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    x: &registry::Appraiser,
) -> Vec<DetailTable> {
    let t = |k: &str| lang.t(k).to_string();
    let may_add = a.role().may(Action::AddAppraiserRecords);
    let postings = registry::postings(&s.db, x.id).await.unwrap_or_default();
    let records = registry::records(&s.db, x.id).await.unwrap_or_default();
    let hours = registry::training_hours(&s.db, x.id)
        .await
        .unwrap_or_default();
    let assistants = registry::assistants(&s.db, x.id).await.unwrap_or_default();
    let hours_text = hours
        .iter()
        .map(|(y, h)| {
            lang.tf(
                "practice.hours_in_year",
                &[("year", &y.to_string()), ("hours", &h.to_string())],
            )
        })
        .collect::<Vec<_>>()
        .join(lang.pick("，", ", "));
    vec![
        DetailTable {
            title: t("detail.postings"),
            head: vec![
                t("field.institution"),
                t("field.started_at"),
                t("field.ended_at"),
                t("field.status_reason"),
            ],
            rows: postings
                .iter()
                .map(|p| {
                    vec![
                        p.institution_name.clone(),
                        fmt_time(p.started_at),
                        p.ended_at
                            .map(fmt_time)
                            .unwrap_or_else(|| t("detail.current")),
                        if p.reason.is_empty() {
                            "—".into()
                        } else {
                            p.reason.clone()
                        },
                    ]
                })
                .collect(),
            empty: t("detail.none"),
            link: None,
            row_links: Vec::new(),
        },
        DetailTable {
            title: if hours_text.is_empty() {
                t("detail.records")
            } else {
                lang.tf(
                    "practice.records_title",
                    &[("records", &t("detail.records")), ("hours", &hours_text)],
                )
            },
            head: vec![
                t("field.record_kind"),
                t("field.date"),
                t("field.hours"),
                t("field.detail"),
            ],
            rows: records
                .iter()
                .map(|r| {
                    vec![
                        kind_label(lang, &r.kind),
                        r.on_date.to_string(),
                        r.hours.map(|h| h.to_string()).unwrap_or_else(|| "—".into()),
                        r.detail.clone(),
                    ]
                })
                .collect(),
            empty: t("detail.none"),
            link: may_add.then(|| {
                (
                    t("action.add_record"),
                    format!("/appraisers/{}/records/new", x.id),
                )
            }),
            row_links: Vec::new(),
        },
        DetailTable {
            title: t("detail.assistants"),
            head: vec![
                t("field.person_name"),
                t("field.gender"),
                t("field.education"),
                t("field.started_on"),
                t("field.ended_on"),
            ],
            rows: assistants
                .iter()
                .map(|r| {
                    vec![
                        r.name.clone(),
                        lang.t(if r.gender == "female" {
                            "gender.female"
                        } else {
                            "gender.male"
                        })
                        .into(),
                        crate::labels::education_label_in(lang, &r.education),
                        r.started_on.to_string(),
                        r.ended_on
                            .map_or_else(|| t("detail.current"), |d| d.to_string()),
                    ]
                })
                .collect(),
            empty: t("detail.none"),
            link: (may_add && x.status == "active").then(|| {
                (
                    t("action.add_assistant"),
                    format!("/appraisers/{}/assistants/new", x.id),
                )
            }),
            row_links: Vec::new(),
        },
        super::registry::status_table(s, lang, "appraiser", x.id).await,
    ]
}

/// What an appraiser's page adds to their practice record: a dated entry or an assistant.
#[derive(Clone, Copy)]
enum Entry {
    Record,
    Assistant,
}

impl Entry {
    /// The form at `/appraisers/{id}/{records|assistants}/new`, for the appraiser `name`.
    fn form(self, lang: Lang, id: i64, name: &str, f: &FormData) -> FormView {
        let t = |k: &str| lang.t(k).to_string();
        let (path, title, intro, fields) = match self {
            Entry::Record => (
                "records",
                "action.add_record",
                "practice.intro",
                vec![
                    FormField::select(
                        "kind",
                        t("field.record_kind"),
                        f.text("kind"),
                        crate::labels::value_options(lang, "record_kind", &RECORD_KINDS),
                    )
                    .required(),
                    FormField::text("on_date", t("field.date"), f.text("on_date"))
                        .typed("date")
                        .required(),
                    FormField::text("hours", t("field.hours"), f.text("hours"))
                        .typed("number")
                        .help(lang.t("practice.help.hours")),
                    FormField::text("detail", t("field.detail"), f.text("detail"))
                        .help(lang.t("practice.help.detail")),
                ],
            ),
            Entry::Assistant => (
                "assistants",
                "action.add_assistant",
                "practice.assistants_intro",
                vec![
                    FormField::text("name", t("field.person_name"), f.text("name")).required(),
                    gender_field(lang, f),
                    FormField::select(
                        "education",
                        t("field.education"),
                        f.text("education"),
                        crate::labels::value_options(lang, "education", &EDUCATION),
                    ),
                    FormField::text("started_on", t("field.started_on"), f.text("started_on"))
                        .typed("date")
                        .required(),
                ],
            ),
        };
        FormView {
            title: format!("{} · {name}", t(title)),
            intro: Some(lang.t(intro).into()),
            action: format!("/appraisers/{id}/{path}/new"),
            hidden: Vec::new(),
            fields,
            errors: Vec::new(),
            submit: t("action.save"),
            cancel: format!("/appraisers/{id}"),
            confirm: false,
        }
    }

    /// Adds the submitted entry to the appraiser `id`.
    async fn add(self, s: &AppState, a: &Authed, id: i64, f: &FormData) -> Result<(), AppError> {
        let (actor, scope) = (a.actor(), a.scope());
        match self {
            Entry::Record => {
                let input = RecordInput {
                    kind: f.get("kind"),
                    on_date: f.get("on_date"),
                    hours: f
                        .get("hours")
                        .filter(|h| !h.trim().is_empty())
                        .map(|h| h.trim().parse().unwrap_or(0)),
                    detail: f.get("detail"),
                };
                let r = input.apply().map_err(AppError::validation)?;
                registry::add_record(&s.db, &actor, &scope, id, &r).await?;
            }
            Entry::Assistant => {
                let input = AssistantInput {
                    name: f.get("name"),
                    gender: f.get("gender"),
                    education: f.get("education"),
                    started_on: f.get("started_on"),
                };
                let r = input.apply().map_err(AppError::validation)?;
                registry::add_assistant(&s.db, &actor, &scope, id, &r).await?;
            }
        }
        Ok(())
    }

    /// The empty form, for those who may add to the record of an appraiser in their scope.
    async fn new_page(self, s: &AppState, a: &Authed, lang: Lang, id: i64) -> PageResult {
        a.require(Action::AddAppraiserRecords).or_page(lang)?;
        let x = registry::get_appraiser(&s.db, &a.scope(), id)
            .await
            .or_page(lang)?;
        let v = self.form(lang, id, &x.name, &FormData::default());
        Ok(form_page(a, lang, "/appraisers", v))
    }

    /// The appraiser's page once the entry is added, or the form again with the reasons it was
    /// refused.
    async fn submit(self, s: &AppState, id: i64, p: &Post) -> PageResult {
        let (a, lang) = (&p.user, p.lang);
        a.require_write(Action::AddAppraiserRecords).or_page(lang)?;
        let x = registry::get_appraiser(&s.db, &a.scope(), id)
            .await
            .or_page(lang)?;
        match self.add(s, a, id, &p.form).await {
            Ok(()) => Ok(redirect(&format!("/appraisers/{id}?saved=practice.added"))),
            Err(e) => {
                let v = self.form(lang, id, &x.name, &p.form);
                Err(form_refused(a, lang, "/appraisers", v, e))
            }
        }
    }
}

pub async fn record_new(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    Entry::Record.new_page(&s, &a, lang, id).await
}

pub async fn record_create(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    Entry::Record.submit(&s, id, &p).await
}

pub async fn assistant_new(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    Entry::Assistant.new_page(&s, &a, lang, id).await
}

pub async fn assistant_create(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    p: Post,
) -> PageResult {
    Entry::Assistant.submit(&s, id, &p).await
}
