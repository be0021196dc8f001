//! Delivers the outbox of SMS and e-mail notifications (docs/NOTIFICATIONS.md).
//!
//! Every `notifications.interval_ms` the worker reads the due messages, claims each with a
//! conditional update (so of several nodes only one sends a message at a time), writes its text
//! in the reader's language and hands it to the channel's `Sender` (`notifications.sms_sender`,
//! `email_sender`; `log` by default). A failure is retried after
//! `backoff_base_ms · 2^(attempts−1)` (at most `backoff_max_ms`); after `max_attempts` the
//! message is given up and keeps its last error. A channel whose sender is `off` keeps its
//! messages waiting.
use crate::i18n::Lang;
use crate::state::AppState;
use sijian_domain::notify::Channel;
use sijian_service::config::NotificationsConfig;
use sijian_service::notifications::{Sender, sender};
use sijian_store::notifications::{self as store, GIVEN_UP, OutboxRow};
use sijian_store::{StoreError, now_ms};
use std::time::Duration;

/// A claimed message is someone's for this long; after that another node may send it again.
const LEASE_MS: i64 = 60_000;

/// Wait before the next attempt after `attempts` failed ones: base · 2^(attempts−1), capped.
pub fn backoff_ms(cfg: &NotificationsConfig, attempts: i64) -> i64 {
    let exp = (attempts - 1).clamp(0, 62) as u32;
    let d = cfg.backoff_base_ms.saturating_mul(1u64 << exp);
    d.min(cfg.backoff_max_ms).min(i64::MAX as u64 / 2) as i64
}

/// The message's text in its reader's language: who did what, to which record, and the facts.
async fn text(state: &AppState, row: &OutboxRow) -> Result<String, StoreError> {
    let n = store::get(&state.db, row.user_id, row.notification_id).await?;
    let lang = Lang::parse(&store::lang_of(&state.db, row.user_id).await?).unwrap_or(Lang::Zh);
    let item = crate::web::notifications::describe(None, lang, &n);
    Ok(lang.tf(
        "notify.message",
        &[
            ("sentence", &item.sentence),
            ("record", &item.record),
            ("details", &item.details),
        ],
    ))
}

/// One pass over the due messages. Returns how many were sent.
pub async fn pass(state: &AppState) -> Result<usize, StoreError> {
    let cfg = &state.cfg.notifications;
    let sms = sender(state, Channel::Sms);
    let email = sender(state, Channel::Email);
    let rows = store::due(&state.db, now_ms(), i64::from(cfg.batch_max.max(1))).await?;
    let mut sent = 0;
    for row in rows {
        let via: &Option<Box<dyn Sender>> = match Channel::parse(&row.channel) {
            Some(Channel::Sms) => &sms,
            Some(Channel::Email) => &email,
            None => continue,
        };
        let Some(via) = via else { continue };
        if !store::claim(&state.db, row.id, row.next_at, now_ms() + LEASE_MS).await? {
            continue;
        }
        let body = text(state, &row).await?;
        match via.send(&row.address, &body).await {
            Ok(()) => {
                store::mark_sent(&state.db, row.id, &body, now_ms()).await?;
                metrics::counter!("sijian_notifications_sent_total", "channel" => row.channel.clone())
                    .increment(1);
                sent += 1;
            }
            Err(e) => {
                let attempts = row.attempts + 1;
                let given_up = attempts >= i64::from(cfg.max_attempts.max(1));
                let next = if given_up {
                    GIVEN_UP
                } else {
                    now_ms() + backoff_ms(cfg, attempts)
                };
                store::mark_failed(&state.db, row.id, &body, attempts, next, &e).await?;
                tracing::warn!(
                    message = row.id,
                    channel = %row.channel,
                    attempts,
                    given_up,
                    error = %e,
                    "notification not sent"
                );
            }
        }
    }
    Ok(sent)
}

/// The worker: runs until aborted (the server aborts it at shutdown).
pub async fn run(state: AppState) {
    let every = state.cfg.notifications.interval_ms.max(10);
    let mut tick = tokio::time::interval(Duration::from_millis(every));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = pass(&state).await {
            tracing::warn!(error = %e, "notification pass failed; will retry");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let cfg = NotificationsConfig::default();
        assert_eq!(backoff_ms(&cfg, 1), 10_000);
        assert_eq!(backoff_ms(&cfg, 2), 20_000);
        assert_eq!(backoff_ms(&cfg, 40), 3_600_000);
    }
}
