//! Pages of appraisal cases: the work queues and lists (institution, commissioning organ,
//! regulator), the commission form, a case's file with its full timeline and proofs, one form
//! per step, and the printable documents of 司发通〔2016〕112号.
mod claims;
mod commission;
mod detail;
mod list;
mod print;
mod review;
mod steps;
pub use claims::*;
pub use commission::*;
pub use detail::*;
pub use list::*;
pub use print::*;
pub use review::linkage_review_submit;
pub use steps::*;

use super::forms::{FormData, MultipartPost, Post, UploadedFile};
use super::listing::{ListParams, badge, cell, link};
use super::registry::{history_of, or_dash, pairs, scope_options};
use super::view::*;
use super::{OrPage, PageResult, redirect, render};
use super::{form_page, form_refused};
use crate::auth::{Authed, PageUser};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::labels::options;
use crate::state::{AppState, today};
use askama::Template;
use axum::extract::{Path, Query, State};
use base64::Engine;
use sijian_domain::calendar::Date;
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
                    (
                        "due",
                        &crate::labels::due_date(lang, due, k.due_provisional),
                    ),
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

pub(crate) fn lineage_label(lang: Lang, l: &str) -> &'static str {
    match l {
        "supplementary" => lang.t("cases.lineage.supplementary"),
        "reappraisal" => lang.t("cases.lineage.reappraisal"),
        _ => lang.t("cases.lineage.initial"),
    }
}

use Stage::*;
