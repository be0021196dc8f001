//! Pages of online licensing (网上审批): the applications queue with statutory clocks, an
//! application's file with its material, reviews and decision, the forms of each step, and the
//! expert list.
mod apply;
mod detail;
mod experts;
mod list;
mod steps;
pub use apply::*;
pub use detail::*;
pub use experts::*;
pub use list::*;
pub use steps::*;

use super::forms::{FormData, MultipartPost, Post, UploadedFile};
use super::listing::{ListParams, badge, cell, date, link};
use super::registry::{
    gender_field, history, or_dash, region_field, scope_field, scope_labels_in, scope_options,
};
use super::view::*;
use super::{OrPage, PageResult, redirect, render};
use super::{form_page, form_refused};
use crate::auth::{Authed, PageUser};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::labels::options;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use base64::Engine;
use sijian_domain::licensing::{
    ApplicationCommand, ApplicationKind, LicensingError, Stage, decision_open, speciality_matches,
};
use sijian_domain::{Action, Category, Scope};
use sijian_service::inputs::{AppraiserInput, EDUCATION, InstitutionInput, QUALIFICATION_LEVELS};
use sijian_service::licensing::{AttachmentInput, ClockView, Declarations, SubmitBody, clock};
use sijian_store::applications::{self, Application, ApplicationFilter, NewExpert, Proposal};
use sijian_store::{ListQuery, registry};

fn kind_label(lang: Lang, kind: ApplicationKind) -> String {
    lang.pick(kind.label_zh(), kind.label_en()).to_string()
}

fn stage_badge(lang: Lang, app: &Application) -> (String, &'static str) {
    match app.stage {
        Stage::Accepted if !app.kind.needs_expert_review() => {
            (lang.t("licensing.stage.accepted").into(), "")
        }
        s => (
            lang.pick(s.label_zh(), s.label_en()).to_string(),
            match s {
                Stage::Approved => "ok",
                Stage::Refused | Stage::Withdrawn => "bad",
                Stage::Returned => "warn",
                _ => "",
            },
        ),
    }
}

/// The name of an application's running clock: the service's Chinese, or the catalogue's text
/// for its kind.
fn clock_label(lang: Lang, c: &ClockView) -> String {
    let key = format!("licensing.clock_kind.{}", c.kind);
    match lang {
        Lang::En if crate::i18n::has(&key) => {
            let label = lang.t(&key);
            if c.warning.is_some() {
                lang.tf("licensing.clock.uncomputable", &[("clock", label)])
            } else {
                label.to_string()
            }
        }
        _ => c.label.clone(),
    }
}

/// A clock in a few words for a cell or a field: the due date (marked when provisional; the
/// explanation is said once on the page) and the working days left. Nothing for a closed clock:
/// its name (`clock_label`) says all there is.
fn clock_text(lang: Lang, c: &ClockView) -> Option<(String, &'static str)> {
    if c.kind == "closed" {
        return None;
    }
    if c.warning.is_some() {
        return Some((lang.t("licensing.clock.short.unknown").into(), "warn"));
    }
    let due = c
        .due
        .as_deref()
        .map(|d| crate::labels::due_date(lang, d, c.due_provisional));
    Some(match (&due, c.working_days_left) {
        (Some(due), Some(left)) if c.overdue => (
            lang.tf(
                "licensing.clock.short.overdue",
                &[("days", &(-left).to_string()), ("due", due)],
            ),
            "bad",
        ),
        (Some(due), Some(left)) if c.kind == "stopped" => (
            lang.tf(
                "licensing.clock.short.stopped",
                &[("due", due), ("left", &left.to_string())],
            ),
            "",
        ),
        (Some(due), Some(left)) => (
            lang.tf(
                "licensing.clock.short.running",
                &[("due", due), ("left", &left.to_string())],
            ),
            if left <= 2 { "warn" } else { "ok" },
        ),
        _ => (clock_label(lang, c), ""),
    })
}

/// What a page says once about its clocks: why a date is provisional, or why a deadline cannot
/// be counted.
fn clock_note<'a>(lang: Lang, clocks: impl IntoIterator<Item = &'a ClockView>) -> Option<String> {
    let (mut provisional, mut warning) = (false, None);
    for c in clocks {
        provisional |= c.due_provisional && c.kind != "closed";
        if warning.is_none() && c.kind != "closed" {
            warning = c.warning.as_deref();
        }
    }
    let mut notes = Vec::new();
    if let Some(w) = warning {
        notes.push(
            lang.pick(w, lang.t("licensing.clock.no_calendar"))
                .to_string(),
        );
    }
    if provisional {
        notes.push(lang.t("deadline.provisional_note").to_string());
    }
    (!notes.is_empty()).then(|| notes.join(" "))
}
