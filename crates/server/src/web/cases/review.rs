//! When acceptance is refused because the same matter is open at another institution (通则第十五条
//! 第六项), the page says so and offers what may be done next: refuse the commission, or ask the
//! regulators to check the alert (they are told, with the institution's note).
use super::*;

#[derive(Template)]
#[template(path = "linkage_refused.html")]
struct LinkageRefused {
    c: Chrome,
    id: i64,
    reasons: Vec<String>,
    note: String,
    error: Option<String>,
    /// The refuse step's page, for who may take it.
    refuse: Option<String>,
}

/// The page shown instead of the acceptance form when record linkage holds the case back.
pub(super) fn linkage_refused(
    a: &Authed,
    lang: Lang,
    c: &Case,
    e: &AppError,
    note: &str,
    error: Option<String>,
) -> axum::response::Response {
    let reasons = e
        .fields
        .iter()
        .filter(|f| f.field == "linkage")
        .map(|f| lang.error_message("", &f.message))
        .collect();
    let page = LinkageRefused {
        c: Chrome::new(a, lang, lang.t("cases.linkage_refused.title"), "/cases"),
        id: c.id,
        reasons,
        note: note.to_string(),
        error,
        refuse: a
            .role()
            .may(Action::HandleCase)
            .then(|| format!("/cases/{}/steps/refuse", c.id)),
    };
    use axum::response::IntoResponse;
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()
}

/// Whether a refused acceptance was refused by record linkage (the rule's field).
pub(super) fn held_by_linkage(e: &AppError) -> bool {
    e.fields.iter().any(|f| f.field == "linkage")
}

/// The institution's request that the regulators check the alert.
pub async fn linkage_review_submit(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    p: Post,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    let note = p.form.text("note");
    match sijian_service::cases::request_linkage_review(&s, a, id, &note).await {
        Ok(_) => Ok(redirect(&format!("/cases/{id}?saved=linkage_review"))),
        Err(e) => {
            let e = AppError::from(e);
            if e.status != axum::http::StatusCode::UNPROCESSABLE_ENTITY {
                return Err(crate::error_page::page_error(e, lang));
            }
            let c = cases::get(&s.db, &a.scope(), id).await.or_page(lang)?;
            // Re-run the acceptance check's words: the alerts that hold the case back.
            let held = AppError {
                fields: sijian_store::linkage::blocking(s.db.exec(), id)
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .map(|m| sijian_domain::FieldError {
                        field: "linkage".into(),
                        message: m,
                    })
                    .collect(),
                ..e.clone()
            };
            let msg = e.fields.first().map(|f| lang.error_message("", &f.message));
            Err(linkage_refused(a, lang, &c, &held, &note, msg))
        }
    }
}
