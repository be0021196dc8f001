//! Notifications: a reader's own list, its unread count, marking read, and the choice of SMS
//! and e-mail per group. Who is told of what is `domain::notify`; the rows are written with the
//! event (`store::notifications::fan_out`). Every function here touches only the caller's own
//! rows. The senders of SMS and e-mail (`Sender`) are documented in docs/NOTIFICATIONS.md.
use crate::caller::Caller;
use crate::error::{Error, Result};
use crate::services::Services;
use sijian_domain::Problems;
use sijian_domain::notify::{Channel, Group};
use sijian_store::notifications::{self as store, NotificationRow};
use sijian_store::{ListQuery, Page, StoreError};
use std::future::Future;
use std::pin::Pin;

/// Which notifications a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    #[default]
    All,
    Unread,
}

/// The caller's notifications, newest first (`sort=unread`: the unread first).
pub async fn list(
    s: &Services,
    a: &Caller,
    show: Show,
    q: &ListQuery,
) -> Result<Page<NotificationRow>> {
    Ok(store::list(&s.db, a.user.id, show == Show::Unread, q).await?)
}

/// How many of the caller's notifications are unread.
pub async fn unread_count(s: &Services, a: &Caller) -> Result<i64> {
    Ok(store::unread_count(&s.db, a.user.id).await?)
}

/// One of the caller's notifications (not found when it is someone else's).
pub async fn get(s: &Services, a: &Caller, id: i64) -> Result<NotificationRow> {
    match store::get(&s.db, a.user.id, id).await {
        Err(StoreError::NotFound) => Err(Error::not_found()),
        other => Ok(other?),
    }
}

/// Marks one of the caller's notifications read.
pub async fn mark_read(s: &Services, a: &Caller, id: i64) -> Result<()> {
    a.require_writable()?;
    match store::mark_read(&s.db, a.user.id, id).await {
        Err(StoreError::NotFound) => Err(Error::not_found()),
        other => Ok(other?),
    }
}

/// Marks all the caller's notifications read; returns how many were unread.
pub async fn mark_all_read(s: &Services, a: &Caller) -> Result<u64> {
    a.require_writable()?;
    Ok(store::mark_all_read(&s.db, a.user.id).await?)
}

/// The caller's choices and where they may be reached.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    /// The groups an account of the caller's role can be told of (the only ones offered).
    pub groups: Vec<Group>,
    /// (group, channel) switched on besides the application.
    pub chosen: Vec<(Group, Channel)>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Preferences {
    pub fn is_on(&self, g: Group, c: Channel) -> bool {
        self.chosen.contains(&(g, c))
    }
}

pub async fn preferences(s: &Services, a: &Caller) -> Result<Preferences> {
    let (email, phone) = store::contact(&s.db, a.user.id).await?;
    Ok(Preferences {
        groups: offered(a),
        chosen: store::prefs(&s.db, a.user.id).await?,
        email,
        phone,
    })
}

fn offered(a: &Caller) -> Vec<Group> {
    Group::ALL
        .into_iter()
        .filter(|g| g.reaches(a.role()))
        .collect()
}

/// What the caller asks for.
#[derive(Debug, Clone, Default)]
pub struct PreferencesInput {
    pub chosen: Vec<(Group, Channel)>,
    pub email: String,
    pub phone: String,
}

/// What a change of preferences did, for the message that confirms it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreferencesChange {
    pub switched_on: Vec<(Group, Channel)>,
    pub switched_off: Vec<(Group, Channel)>,
    pub email_changed: bool,
    pub phone_changed: bool,
}

impl PreferencesChange {
    pub fn is_empty(&self) -> bool {
        *self == PreferencesChange::default()
    }
}

/// An e-mail address: one `@`, something before it, a dotted domain after it, no spaces, at
/// most 254 characters.
pub fn valid_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    v.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Sets the caller's choices. A channel needs its address; groups the caller's role is never
/// told of are refused.
pub async fn set_preferences(
    s: &Services,
    a: &Caller,
    input: &PreferencesInput,
) -> Result<PreferencesChange> {
    a.require_writable()?;
    let before = preferences(s, a).await?;
    let mut p = Problems::default();
    let email = input.email.trim();
    if !email.is_empty() && !valid_email(email) {
        p.add("email", "电子邮箱格式不正确");
    }
    let phone = p.phone("phone", &input.phone);
    let mut chosen: Vec<(Group, Channel)> = Vec::new();
    for &(g, c) in &input.chosen {
        if !before.groups.contains(&g) {
            p.add("chosen", "所选通知类别不适用于本账号");
        } else if !chosen.contains(&(g, c)) {
            chosen.push((g, c));
        }
    }
    if chosen.iter().any(|(_, c)| *c == Channel::Email) && email.is_empty() {
        p.add("email", "开启邮件通知需先填写电子邮箱");
    }
    if chosen.iter().any(|(_, c)| *c == Channel::Sms) && phone.is_empty() {
        p.add("phone", "开启短信通知需先填写手机号码");
    }
    if !p.is_empty() {
        return Err(Error::validation(p.0));
    }
    let email = (!email.is_empty()).then(|| email.to_string());
    let phone = (!phone.is_empty()).then_some(phone);
    store::set_contact(&s.db, a.user.id, email.as_deref(), phone.as_deref()).await?;
    store::set_prefs(&s.db, a.user.id, &chosen).await?;
    Ok(PreferencesChange {
        switched_on: chosen
            .iter()
            .filter(|x| !before.chosen.contains(x))
            .copied()
            .collect(),
        switched_off: before
            .chosen
            .iter()
            .filter(|x| !chosen.contains(x))
            .copied()
            .collect(),
        email_changed: email != before.email,
        phone_changed: phone != before.phone,
    })
}

/// What a sender's `send` returns: done, or why not (kept as the message's last error).
pub type Sent<'a> = Pin<Box<dyn Future<Output = std::result::Result<(), String>> + Send + 'a>>;

/// Carries one channel's messages (docs/NOTIFICATIONS.md). `to` is the address the reader
/// gave (a mobile number or an e-mail address); `body` the message in the reader's language.
/// An error is retried with back-off, then given up.
pub trait Sender: Send + Sync {
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> Sent<'a>;
}

/// Writes a log line for each message instead of sending it (the default).
#[derive(Debug, Clone, Copy)]
pub struct LogSender(pub Channel);

impl Sender for LogSender {
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> Sent<'a> {
        let channel = self.0.as_str();
        Box::pin(async move {
            tracing::info!(channel, to, body, "notification sent (log only)");
            Ok(())
        })
    }
}

/// The sender configured for `channel` (`notifications.sms_sender`, `email_sender`), or None
/// when that channel is off.
pub fn sender(s: &Services, channel: Channel) -> Option<Box<dyn Sender>> {
    let name = match channel {
        Channel::Sms => &s.cfg.notifications.sms_sender,
        Channel::Email => &s.cfg.notifications.email_sender,
    };
    match name.as_str() {
        "log" => Some(Box::new(LogSender(channel))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses() {
        for ok in ["a@b.cn", "li.si@court.gov.cn"] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.cn", "a@.cn", "a b@c.cn", "a@b@c.cn", "a@b.cn.",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
