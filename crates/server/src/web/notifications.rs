//! The reader's notifications (`/notifications`): what happened to which record, a link to it,
//! read or unread, and the choice of SMS and e-mail (`/notifications/settings`).
use super::forms::Post;
use super::listing::ListParams;
use super::view::*;
use super::{OrPage, PageResult, redirect, render};
use crate::auth::{Authed, PageUser};
use crate::i18n::Lang;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use sijian_domain::notify::{Channel, Group};
use sijian_service::notifications::{
    self as service, Preferences, PreferencesChange, PreferencesInput, Show,
};
use sijian_store::notifications::NotificationRow;

/// One notification as a reader sees it.
pub struct Item {
    pub id: i64,
    pub time: String,
    /// Who did what: "张三：受理".
    pub sentence: String,
    pub record: String,
    pub href: Option<String>,
    /// The event's facts in one line.
    pub details: String,
    pub unread: bool,
}

/// A notification's sentence, record and link, in the reader's language (also the text of an
/// SMS or e-mail, `crate::notify_outbox`).
pub fn describe(a: Option<&Authed>, lang: Lang, n: &NotificationRow) -> Item {
    let (record, href) = match a {
        Some(a) => super::event_text::entity_ref(a, lang, &n.entity_type, &n.entity_id),
        None => (
            super::event_text::entity_label(lang, &n.entity_type, &n.entity_id),
            None,
        ),
    };
    Item {
        id: n.id,
        time: fmt_time(n.created_at),
        sentence: lang.tf(
            "notify.sentence",
            &[("actor", &n.actor_name), ("action", &lang.event(&n.kind))],
        ),
        record,
        href,
        details: super::event_text::read(lang, &n.kind, &n.payload).summary(lang, 160),
        unread: n.read_at.is_none(),
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
pub struct NotificationsPage {
    pub c: Chrome,
    pub items: Vec<Item>,
    pub unread_only: bool,
    pub total_text: String,
    pub page_text: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// Where a mark-read form returns to.
    pub back: String,
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let p = ListParams::new("/notifications", q.clone());
    let unread_only = p.get("show").as_deref() == Some("unread");
    let show = if unread_only { Show::Unread } else { Show::All };
    let page = service::list(&s, &a, show, &p.query())
        .await
        .or_page(lang)?;
    // The pager and counts as every list has them.
    let v = p.view(lang, lang.t("notify.title").into(), &[], &page, |_| {
        Vec::new()
    });
    let mut c = Chrome::new(&a, lang, lang.t("notify.title"), "/notifications");
    c.flash = flash(lang, &q);
    let back = if unread_only {
        "/notifications?show=unread".to_string()
    } else {
        "/notifications".to_string()
    };
    Ok(render(&NotificationsPage {
        c,
        items: page
            .items
            .iter()
            .map(|n| describe(Some(&a), lang, n))
            .collect(),
        unread_only,
        total_text: v.total_text,
        page_text: v.page_text,
        prev: v.prev,
        next: v.next,
        back,
    }))
}

/// The message after marking read (`done=read`, `done=all&n=3`).
fn flash(lang: Lang, q: &[(String, String)]) -> Option<String> {
    let get = |k: &str| q.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
    match get("done")? {
        "read" => Some(lang.t("notify.done.read").into()),
        "all" => {
            let n: u64 = get("n").and_then(|n| n.parse().ok()).unwrap_or(0);
            Some(lang.tf("notify.done.all", &[("n", &n.to_string())]))
        }
        _ => None,
    }
}

/// Where to return after a form: the list (all or unread) it was posted from.
fn back_to(p: &Post) -> &'static str {
    if p.form.text("back") == "/notifications?show=unread" {
        "/notifications?show=unread&"
    } else {
        "/notifications?"
    }
}

pub async fn mark_read(
    State(s): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    p: Post,
) -> PageResult {
    service::mark_read(&s, &p.user, id).await.or_page(p.lang)?;
    Ok(redirect(&format!("{}done=read", back_to(&p))))
}

pub async fn mark_all_read(State(s): State<AppState>, p: Post) -> PageResult {
    let n = service::mark_all_read(&s, &p.user).await.or_page(p.lang)?;
    Ok(redirect(&format!("{}done=all&n={n}", back_to(&p))))
}

fn group_label(lang: Lang, g: Group) -> &'static str {
    lang.t(&format!("notify.group.{}", g.as_str()))
}

fn channel_label(lang: Lang, c: Channel) -> &'static str {
    lang.t(&format!("notify.channel.{}", c.as_str()))
}

fn settings_form(lang: Lang, p: &Preferences, email: &str, phone: &str) -> FormView {
    let options: Vec<(String, String)> = Channel::ALL
        .into_iter()
        .map(|c| (c.as_str().to_string(), channel_label(lang, c).to_string()))
        .collect();
    let mut fields = vec![
        FormField::text("email", lang.t("notify.field.email").into(), email).typed("email"),
        FormField::text("phone", lang.t("notify.field.phone").into(), phone).typed("tel"),
    ];
    for &g in &p.groups {
        let on: Vec<String> = Channel::ALL
            .into_iter()
            .filter(|c| p.is_on(g, *c))
            .map(|c| c.as_str().to_string())
            .collect();
        fields.push(FormField::checks(
            g.as_str(),
            group_label(lang, g).into(),
            on,
            options.clone(),
        ));
    }
    FormView {
        title: lang.t("notify.settings").into(),
        intro: Some(lang.t("notify.settings.intro").into()),
        action: "/notifications/settings".into(),
        hidden: Vec::new(),
        fields,
        errors: Vec::new(),
        submit: lang.t("action.save").into(),
        cancel: "/notifications".into(),
        confirm: false,
    }
}

pub async fn settings_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let p = service::preferences(&s, &a).await.or_page(lang)?;
    let v = settings_form(
        lang,
        &p,
        p.email.as_deref().unwrap_or(""),
        p.phone.as_deref().unwrap_or(""),
    );
    let mut c = Chrome::new(&a, lang, v.title.clone(), "/notifications");
    c.flash = changed_flash(lang, &q);
    Ok(render(&FormPage { c, v }))
}

pub async fn settings_submit(State(s): State<AppState>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    let mut chosen = Vec::new();
    for g in Group::ALL {
        for c in p.form.all(g.as_str()) {
            if let Some(c) = Channel::parse(&c) {
                chosen.push((g, c));
            }
        }
    }
    let input = PreferencesInput {
        chosen,
        email: p.form.text("email"),
        phone: p.form.text("phone"),
    };
    match service::set_preferences(&s, a, &input).await {
        Ok(change) => Ok(redirect(&format!(
            "/notifications/settings?{}",
            change_query(&change)
        ))),
        Err(e) => {
            let mut prefs = service::preferences(&s, a).await.or_page(lang)?;
            prefs.chosen = input.chosen.clone();
            let v = settings_form(lang, &prefs, &input.email, &input.phone);
            Err(super::form_refused(a, lang, "/notifications", v, e))
        }
    }
}

/// What changed, as the query of the page shown after saving.
fn change_query(c: &PreferencesChange) -> String {
    let list = |xs: &[(Group, Channel)]| {
        xs.iter()
            .map(|(g, c)| format!("{}.{}", g.as_str(), c.as_str()))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut pairs = vec![("saved", "1".to_string())];
    if !c.switched_on.is_empty() {
        pairs.push(("on", list(&c.switched_on)));
    }
    if !c.switched_off.is_empty() {
        pairs.push(("off", list(&c.switched_off)));
    }
    if c.email_changed {
        pairs.push(("email", "1".into()));
    }
    if c.phone_changed {
        pairs.push(("phone", "1".into()));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// The message saying what a save changed.
fn changed_flash(lang: Lang, q: &[(String, String)]) -> Option<String> {
    let get = |k: &str| q.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
    get("saved")?;
    let names = |v: &str| {
        v.split(',')
            .filter_map(|x| {
                let (g, c) = x.split_once('.')?;
                let (g, c) = (Group::parse(g)?, Channel::parse(c)?);
                Some(format!(
                    "{}{}{}{}",
                    group_label(lang, g),
                    lang.pick("（", " ("),
                    channel_label(lang, c),
                    lang.pick("）", ")")
                ))
            })
            .collect::<Vec<_>>()
            .join(lang.pick("、", ", "))
    };
    let mut parts = Vec::new();
    if let Some(on) = get("on") {
        parts.push(lang.tf("notify.changed.on", &[("list", &names(on))]));
    }
    if let Some(off) = get("off") {
        parts.push(lang.tf("notify.changed.off", &[("list", &names(off))]));
    }
    if get("email").is_some() {
        parts.push(lang.t("notify.changed.email").into());
    }
    if get("phone").is_some() {
        parts.push(lang.t("notify.changed.phone").into());
    }
    if parts.is_empty() {
        parts.push(lang.t("notify.changed.none").into());
    }
    Some(parts.join(lang.pick("；", "; ")))
}
