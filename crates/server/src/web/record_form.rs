//! The new and edit pages of a record kept in a register (institutions, appraisers, organs,
//! accounts): one set of handlers, each record kind saying only how its form is drawn, read,
//! created and updated.
use super::forms::{FormData, Post};
use super::view::{FormField, FormView};
use super::{OrPage, PageResult, form_page, form_refused, redirect};
use crate::auth::{Authed, PageUser};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::routes::Routes;
use crate::state::AppState;
use axum::extract::{Path, State};
use sijian_domain::Action;
use std::future::Future;

/// What a record's form is drawn for: the caller, where the records live, and the record (none
/// for a new one) with the version it was read at.
#[derive(Clone, Copy)]
pub struct FormFor<'a> {
    pub s: &'a AppState,
    pub a: &'a Authed,
    pub lang: Lang,
    pub base: &'static str,
    pub id: Option<i64>,
    pub version: Option<i64>,
}

impl<'a> FormFor<'a> {
    fn new<R: RecordForm>(s: &'a AppState, a: &'a Authed, lang: Lang, id: Option<i64>) -> Self {
        FormFor {
            s,
            a,
            lang,
            base: R::BASE,
            id,
            version: None,
        }
    }

    fn at(self, version: i64) -> Self {
        FormFor {
            version: Some(version),
            ..self
        }
    }

    /// The form of `fields`: the edit form of the record named `name`, or a new record's form
    /// in the register `section` (`FormView::record`).
    pub fn view(&self, section: &str, name: &str, fields: Vec<FormField>) -> FormView {
        let existing = self.id.map(|id| (id, self.version));
        FormView::record(self.lang, self.base, section, existing, name, fields)
    }
}

/// A kind of record with a new and an edit form.
pub trait RecordForm: Send + Sync + 'static {
    /// Where the records live (e.g. "/institutions"); also the page's navigation section.
    const BASE: &'static str;
    /// What the caller must be allowed to do to create one, and to edit one.
    const CREATE: Action;
    const EDIT: Action;

    /// The values a new record's form starts with.
    fn blank(_a: &Authed) -> FormData {
        FormData::default()
    }

    /// The record's form for `cx`, filled with `f`.
    fn form(cx: FormFor<'_>, f: &FormData) -> impl Future<Output = FormView> + Send;

    /// The stored record as form values, and its version.
    fn load(
        s: &AppState,
        a: &Authed,
        id: i64,
    ) -> impl Future<Output = AppResult<(FormData, i64)>> + Send;

    /// Creates a record from the submitted form; its id.
    fn create(
        s: &AppState,
        a: &Authed,
        f: &FormData,
    ) -> impl Future<Output = AppResult<i64>> + Send;

    /// Updates the record at the version the form was drawn from.
    fn update(
        s: &AppState,
        a: &Authed,
        id: i64,
        version: i64,
        f: &FormData,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// Submitted values that are never drawn again (passwords).
    const SECRET_FIELDS: &'static [&'static str] = &[];
}

/// The four routes of `R`'s pages: `new` (`{BASE}/new`) and `edit` (`{BASE}/{id}/edit`), each
/// drawn by GET and submitted by POST.
pub fn pages<R: RecordForm>(
    new: &'static str,
    edit: &'static str,
) -> impl FnOnce(Routes) -> Routes {
    debug_assert_eq!(new, format!("{}/new", R::BASE));
    debug_assert_eq!(edit, format!("{}/{{id}}/edit", R::BASE));
    move |routes| {
        routes
            .get(new, new_page::<R>)
            .post(new, create::<R>)
            .get(edit, edit_page::<R>)
            .post(edit, update::<R>)
    }
}

/// `GET {BASE}/new`
pub async fn new_page<R: RecordForm>(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
) -> PageResult {
    a.require(R::CREATE).or_page(lang)?;
    let v = R::form(FormFor::new::<R>(&s, &a, lang, None), &R::blank(&a)).await;
    Ok(form_page(&a, lang, R::BASE, v))
}

/// `POST {BASE}/new`: the new record's page, or the form again with the reasons it was refused.
pub async fn create<R: RecordForm>(State(s): State<AppState>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(R::CREATE).or_page(lang)?;
    match R::create(&s, a, &p.form).await {
        Ok(id) => Ok(redirect(&format!(
            "{}/{id}?saved={}.created",
            R::BASE,
            R::BASE.trim_start_matches('/')
        ))),
        Err(e) => {
            let shown = without_secrets::<R>(p.form.clone());
            let v = R::form(FormFor::new::<R>(&s, a, lang, None), &shown).await;
            Err(form_refused(a, lang, R::BASE, v, e))
        }
    }
}

/// `GET {BASE}/{id}/edit`
pub async fn edit_page<R: RecordForm>(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(R::EDIT).or_page(lang)?;
    let (f, version) = R::load(&s, &a, id).await.or_page(lang)?;
    let cx = FormFor::new::<R>(&s, &a, lang, Some(id)).at(version);
    let v = R::form(cx, &f).await;
    Ok(form_page(&a, lang, R::BASE, v))
}

/// `POST {BASE}/{id}/edit`: the record's page, or the form again as submitted (its locked
/// fields, which browsers do not send, as stored) with the reasons it was refused.
pub async fn update<R: RecordForm>(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    p: Post,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(R::EDIT).or_page(lang)?;
    // The record must be in the caller's scope before anything is tried on it.
    let (stored, _) = R::load(&s, a, id).await.or_page(lang)?;
    let version = p.form.int("version").unwrap_or(-1);
    match R::update(&s, a, id, version, &p.form).await {
        Ok(()) => Ok(redirect(&format!(
            "{}/{id}?saved={}.updated",
            R::BASE,
            R::BASE.trim_start_matches('/')
        ))),
        Err(e) => {
            let cx = FormFor::new::<R>(&s, a, lang, Some(id)).at(version);
            let drawn = R::form(cx, &stored).await;
            let mut shown = without_secrets::<R>(p.form.clone());
            for f in drawn.fields.iter().filter(|f| f.disabled) {
                shown.0.retain(|(k, _)| k != f.name);
                shown
                    .0
                    .extend(stored.0.iter().filter(|(k, _)| k == f.name).cloned());
            }
            let v = R::form(cx, &shown).await;
            Err(form_refused(a, lang, R::BASE, v, e))
        }
    }
}

fn without_secrets<R: RecordForm>(mut f: FormData) -> FormData {
    f.0.retain(|(k, _)| !R::SECRET_FIELDS.contains(&k.as_str()));
    f
}
