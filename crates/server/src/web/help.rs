//! A help page for each role: what the role does on the platform, its daily work step by step,
//! and every page of its menu with what it is for. The pages listed are the reader's own menu
//! (`view::menu_for`), so the help never points where its reader may not go.
use super::render;
use super::view::{Chrome, menu_for};
use crate::auth::PageUser;
use askama::Template;
use sijian_domain::Role;

pub struct HelpSection {
    pub title: &'static str,
    /// (address, page name, what it is for)
    pub pages: Vec<(&'static str, &'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    c: Chrome,
    role: &'static str,
    lead: &'static str,
    steps: Vec<&'static str>,
    sections: Vec<HelpSection>,
}

/// The catalogue group of a role's help text: roles that work alike read the same.
fn group(role: Role) -> &'static str {
    match role {
        Role::Organ => "organ",
        Role::InstitutionHead | Role::InstitutionClerk => "institution",
        Role::Appraiser => "appraiser",
        Role::Association | Role::Inspector => "supervision",
        Role::Admin => "admin",
        r if r.is_regulator() => "regulator",
        _ => "organ",
    }
}

pub async fn page(PageUser(a, lang): PageUser) -> axum::response::Response {
    let role = a.role();
    let g = group(role);
    let steps = (1..=6)
        .map(|n| format!("help.{g}.step{n}"))
        .filter(|k| crate::i18n::has(k))
        .map(|k| lang.t(&k))
        .collect();
    let sections = menu_for(role)
        .into_iter()
        .map(|(section, items)| HelpSection {
            title: lang.t(section),
            pages: items
                .into_iter()
                .map(|(href, key)| {
                    let about = format!("help.page.{}", key.trim_start_matches("nav."));
                    let about = if crate::i18n::has(&about) {
                        lang.t(&about)
                    } else {
                        ""
                    };
                    (href, lang.t(key), about)
                })
                .collect(),
        })
        .collect();
    render(&HelpPage {
        c: Chrome::new(&a, lang, lang.t("help.title"), "/help"),
        role: lang.pick(role.label_zh(), role.label_en()),
        lead: lang.t(&format!("help.{g}.lead")),
        steps,
        sections,
    })
}
