//! The public page that explains, in Chinese first, how anyone can verify the log with the
//! published keys, and shows the latest checkpoint.
use super::view::fmt_time;
use super::{OrPage, PageResult, render};
use crate::auth::Ctx;
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use sijian_ledger::b64;
use sijian_store::ledger;

pub struct CheckpointView {
    pub origin: String,
    pub size: i64,
    pub root: String,
    pub signed_at: String,
    pub cosigners: usize,
    pub note: String,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    lang: Lang,
    title: String,
    here: &'static str,
    checkpoint: Option<CheckpointView>,
    queued: i64,
    keys: String,
    log_key: String,
    public_url: String,
}

pub async fn ledger_page(State(s): State<AppState>, ctx: Ctx) -> PageResult {
    let lang = ctx.lang;
    let cp = ledger::latest_published(&s.db).await.or_page(lang)?;
    let status = ledger::status(&s.db).await.or_page(lang)?;
    let policy = s.ledger.policy();
    let checkpoint = cp.map(|c| {
        let cosigners = policy
            .check(c.note())
            .map(|t| t.cosigners.len())
            .unwrap_or(0);
        CheckpointView {
            origin: s.ledger.signer.name.clone(),
            size: c.size,
            root: b64::encode(&c.root),
            signed_at: fmt_time(c.signed_at),
            cosigners,
            note: c.note().to_string(),
        }
    });
    Ok(render(&LedgerPage {
        lang,
        title: lang.t("nav.ledger").to_string(),
        here: "ledger",
        checkpoint,
        queued: status.queued,
        keys: s.ledger.keys_text(),
        log_key: s.ledger.signer.verifier().to_text(),
        public_url: s.cfg.public_url.clone(),
    }))
}
