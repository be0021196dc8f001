//! View models and templates. Pages are built from a few generic shapes (list, detail, form,
//! message) so every list filters, sorts and pages the same way and every form explains errors
//! the same way.
use crate::auth::Authed;
use crate::i18n::Lang;
use askama::Template;
use sijian_domain::Action;

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// One heading of the side menu and the pages under it.
pub struct NavSection {
    pub label: &'static str,
    pub items: Vec<NavItem>,
}

/// The side menu, grouped by task: each section lists the pages of one kind of work, and a
/// reader sees only the pages their role may open (a section with none is left out). Sections
/// to come (complaints, inspections, ratings, fees, statistics) are added here.
/// A menu entry: its address, the catalogue key of its label, and what its reader must be allowed.
type MenuEntry = (&'static str, &'static str, Option<Action>);

const MENU: &[(&str, &[MenuEntry])] = &[
    (
        "nav.section.work",
        &[
            ("/", "nav.home", None),
            ("/cases", "nav.cases", Some(Action::ViewCases)),
            (
                "/linkage/alerts",
                "nav.linkage",
                Some(Action::ViewLinkageAlerts),
            ),
        ],
    ),
    (
        "nav.section.register",
        &[
            (
                "/institutions",
                "nav.institutions",
                Some(Action::ViewInstitutions),
            ),
            (
                "/appraisers",
                "nav.appraisers",
                Some(Action::ViewAppraisers),
            ),
            ("/organs", "nav.organs", Some(Action::ViewOrgans)),
        ],
    ),
    (
        "nav.section.licensing",
        &[
            (
                "/applications",
                "nav.applications",
                Some(Action::ViewApplications),
            ),
            ("/experts", "nav.experts", Some(Action::HandleApplication)),
        ],
    ),
    (
        "nav.section.records",
        &[
            ("/events", "nav.events", Some(Action::ViewEvents)),
            (
                "/logs/operations",
                "nav.oplog",
                Some(Action::ViewOperationLog),
            ),
            ("/logs/logins", "nav.loginlog", Some(Action::ViewLoginLog)),
        ],
    ),
    (
        "nav.section.system",
        &[
            ("/users", "nav.users", Some(Action::ViewUsers)),
            ("/calendar", "nav.calendar", Some(Action::ViewCalendar)),
        ],
    ),
    (
        "nav.section.me",
        &[
            ("/notifications", "nav.notifications", None),
            ("/account", "nav.account", None),
            ("/help", "nav.help", None),
            ("/tokens", "nav.tokens", Some(Action::UseApiTokens)),
        ],
    ),
];

/// The side menu of `role`: each section's catalogue key with the (address, label key) of the
/// pages in it the role may open; sections with none left out. The help page lists the same.
pub fn menu_for(
    role: sijian_domain::Role,
) -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    MENU.iter()
        .map(|(section, items)| {
            let items: Vec<(&'static str, &'static str)> = items
                .iter()
                .filter(|(_, _, act)| act.is_none_or(|x| role.may(x)))
                .map(|(href, key, _)| (*href, *key))
                .collect();
            (*section, items)
        })
        .filter(|(_, items)| !items.is_empty())
        .collect()
}

/// The frame around every signed-in page.
pub struct Chrome {
    pub lang: Lang,
    pub title: String,
    pub user_name: String,
    pub role_label: &'static str,
    pub csrf: String,
    pub nav: Vec<NavSection>,
    pub flash: Option<String>,
    /// A loud warning over the page (e.g. a missing holiday table).
    pub warning: Option<String>,
    /// The reader's unread notifications (the header's link), when counted.
    pub unread: Option<i64>,
}

impl Chrome {
    pub fn new(a: &Authed, lang: Lang, title: impl Into<String>, here: &str) -> Chrome {
        let role = a.role();
        // The page is under the menu entry with the longest matching address.
        let active = MENU
            .iter()
            .flat_map(|(_, items)| items.iter())
            .map(|(href, _, _)| *href)
            .filter(|href| {
                if *href == "/" {
                    here == "/"
                } else {
                    here.strip_prefix(*href).is_some_and(|rest| {
                        rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')
                    })
                }
            })
            .max_by_key(|href| href.len());
        let nav = menu_for(role)
            .into_iter()
            .map(|(section, items)| NavSection {
                label: lang.t(section),
                items: items
                    .into_iter()
                    .map(|(href, key)| NavItem {
                        href,
                        label: lang.t(key),
                        active: active == Some(href),
                    })
                    .collect(),
            })
            .collect();
        Chrome {
            lang,
            title: title.into(),
            user_name: a.user.display_name.clone(),
            role_label: lang.pick(role.label_zh(), role.label_en()),
            csrf: a.csrf().to_string(),
            nav,
            flash: None,
            warning: None,
            unread: a.unread,
        }
    }
}

impl Chrome {
    /// Confirms a change after the redirect that follows it: `?saved=<key>` names what was done
    /// and the catalogue's `done.<key>` says it (and, where it is always the same, what comes
    /// next); an unknown key says only that the change was saved.
    pub fn saved_flash(self, query: &[(String, String)]) -> Self {
        self.saved_flash_then(query, None)
    }

    /// As [`Chrome::saved_flash`], followed by `next` (what may be done now, as the page knows
    /// it) when the key is one the catalogue words.
    pub fn saved_flash_then(mut self, query: &[(String, String)], next: Option<String>) -> Self {
        if let Some(v) = saved_key(query) {
            // A password change and a claim say what else they did, under their own keys.
            let key = match v {
                "password" => "account.password_changed".to_string(),
                "reset" => "users.password_reset_done".to_string(),
                "declined" => "cases.claim.declined".to_string(),
                "confirmed" => "cases.claim.confirmed".to_string(),
                v => format!("done.{v}"),
            };
            self.flash = Some(if crate::i18n::has(&key) {
                let done = self.lang.t(&key);
                match next {
                    Some(n) => format!("{done}{}{n}", self.lang.pick("", " ")),
                    None => done.to_string(),
                }
            } else {
                self.lang.t("account.saved").to_string()
            });
        }
        self
    }
}

/// The key of a redirect's `?saved=<key>`, if any.
pub fn saved_key(query: &[(String, String)]) -> Option<&str> {
    query
        .iter()
        .find(|(k, _)| k == "saved")
        .map(|(_, v)| v.as_str())
}

pub struct Column {
    pub label: String,
    pub href: Option<String>,
    pub arrow: &'static str,
}

pub struct Cell {
    /// The column label, repeated on each cell for the phone layout.
    pub label: &'static str,
    pub text: String,
    pub href: Option<String>,
    pub badge: Option<&'static str>,
    /// Kept on one line (dates, deadlines).
    pub nowrap: bool,
}

pub struct FilterView {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    /// Empty for a text box.
    pub options: Vec<(String, String)>,
}

pub struct ListView {
    pub title: String,
    pub base: String,
    pub new_link: Option<(String, String)>,
    /// Further buttons beside "new", as (href, label).
    pub extra_links: Vec<(String, String)>,
    /// The list under its filters and order as a CSV download (None where a page offers its
    /// own export instead).
    pub export: Option<String>,
    pub filters: Vec<FilterView>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub total_text: String,
    pub page_text: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// A note said once under the count (e.g. what a mark in a column means).
    pub note: Option<String>,
}

impl ListView {
    pub fn with_filters(mut self, filters: Vec<FilterView>) -> Self {
        self.filters = filters;
        self
    }

    /// The "new" button, for those who may create (`shown`).
    pub fn with_new_link(mut self, shown: bool, href: &str, label: &str) -> Self {
        self.new_link = shown.then(|| (href.to_string(), label.to_string()));
        self
    }
}

#[derive(Template)]
#[template(path = "list.html")]
pub struct ListPage {
    pub c: Chrome,
    pub v: ListView,
}

pub struct ActionButton {
    pub label: String,
    pub href: String,
    pub post: bool,
    pub confirm: String,
    pub danger: bool,
}

impl ListPage {
    /// A list under the site's chrome, its title the page's and its address the navigation
    /// section.
    pub fn of(a: &Authed, lang: Lang, v: ListView) -> Self {
        ListPage {
            c: Chrome::new(a, lang, v.title.clone(), &v.base),
            v,
        }
    }
}

/// A table under a record's fields (postings, entries, reviews…).
pub struct DetailTable {
    pub title: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Shown when there are no rows.
    pub empty: String,
    /// Optional link under the table (label, href), e.g. "add an entry".
    pub link: Option<(String, String)>,
    /// Where each row's first cell leads (the row's record), when it leads anywhere.
    pub row_links: Vec<Option<String>>,
}

impl DetailTable {
    /// The first cells link to these records (one per row, None for no link).
    pub fn linked(mut self, row_links: Vec<Option<String>>) -> Self {
        self.row_links = row_links;
        self
    }

    /// The head of column `col`, repeated beside each cell on a phone.
    pub fn label(&self, col: &usize) -> &str {
        self.head.get(*col).map_or("", String::as_str)
    }

    /// The link of cell `col` in row `row` (as the template's loops give them): only first
    /// cells link.
    pub fn href(&self, row: &usize, col: &usize) -> Option<&str> {
        if *col != 0 {
            return None;
        }
        self.row_links.get(*row).and_then(|h| h.as_deref())
    }

    /// A table whose title and column heads are catalogue keys; "none" when it has no rows.
    pub fn of(lang: Lang, title: &str, head: &[&str], rows: Vec<Vec<String>>) -> Self {
        DetailTable {
            title: lang.t(title).into(),
            head: head.iter().map(|k| lang.t(k).to_string()).collect(),
            rows,
            empty: lang.t("detail.none").into(),
            link: None,
            row_links: Vec::new(),
        }
    }
}

impl ActionButton {
    /// A plain link to another page.
    pub fn link(label: impl Into<String>, href: impl Into<String>) -> Self {
        ActionButton {
            label: label.into(),
            href: href.into(),
            post: false,
            confirm: String::new(),
            danger: false,
        }
    }
}

/// A record's field: label, value, optional link.
pub type Field = (String, String, Option<String>);

pub struct DetailView {
    pub tables: Vec<DetailTable>,
    pub title: String,
    pub badge: Option<(String, &'static str)>,
    pub back: String,
    pub actions: Vec<ActionButton>,
    pub fields: Vec<Field>,
    pub show_history: bool,
    pub history: Vec<TimelineEntry>,
}

impl DetailView {
    /// A page titled `title` with nothing on it yet, `back` the page it returns to.
    pub fn new(title: impl Into<String>, back: impl Into<String>) -> Self {
        DetailView {
            tables: Vec::new(),
            title: title.into(),
            badge: None,
            back: back.into(),
            actions: Vec::new(),
            fields: Vec::new(),
            show_history: false,
            history: Vec::new(),
        }
    }
}

/// One recorded event on an entity's timeline, with its place in the log.
pub struct TimelineEntry {
    pub event_id: i64,
    pub at: String,
    pub kind: String,
    pub actor: String,
    /// What the event records, in words.
    pub facts: crate::web::event_text::EventFacts,
    /// The payload as recorded, for an administrator's technical view only.
    pub raw: Option<String>,
    /// Leaf index once in the log; None while queued (待入账).
    pub leaf: Option<i64>,
}

impl TimelineEntry {
    /// An event for `a`'s page: the raw payload only for an administrator (issue 15, point 1).
    pub fn from_event(a: &Authed, lang: Lang, e: sijian_store::events::EventRow) -> Self {
        TimelineEntry {
            event_id: e.id,
            at: fmt_time(e.at),
            facts: crate::web::event_text::read(lang, &e.kind, &e.payload),
            kind: lang.event(&e.kind),
            actor: e.actor_name,
            raw: (a.role() == sijian_domain::Role::Admin).then_some(e.payload),
            leaf: e.leaf_idx,
        }
    }
}

#[derive(Template)]
#[template(path = "detail.html")]
pub struct DetailPage {
    pub c: Chrome,
    pub v: DetailView,
}

impl DetailPage {
    /// A record's page under the site's chrome, in the navigation section `nav`.
    pub fn of(a: &Authed, lang: Lang, nav: &str, v: DetailView) -> Self {
        DetailPage {
            c: Chrome::new(a, lang, v.title.clone(), nav),
            v,
        }
    }

    /// Confirms a change after the redirect that follows it (`Chrome::saved_flash`).
    pub fn saved_flash(self, query: &[(String, String)]) -> Self {
        DetailPage {
            c: self.c.saved_flash(query),
            ..self
        }
    }
}

pub struct FormField {
    pub name: &'static str,
    pub label: String,
    /// text | password | number | select | checks | checkbox
    pub kind: &'static str,
    pub value: String,
    pub selected: Vec<String>,
    pub options: Vec<(String, String)>,
    pub required: bool,
    pub disabled: bool,
    pub help: String,
    pub error: Option<String>,
    /// Extra CSS class: `tree` for long option lists.
    pub class: &'static str,
    /// The rows of a `table` field.
    pub table: Option<TableInput>,
    /// Per option of a select, what the browser narrows other fields by (`data-scope`: an
    /// institution's business scope narrows the items offered).
    pub option_data: Vec<String>,
    /// Hidden in the browser while another field has a value (name, value), e.g. the original
    /// opinion's fields while the commission is a first appraisal. Sent either way.
    pub hide_when: Option<(&'static str, &'static str)>,
    /// A link under the field, as (href, label): another view of its choices.
    pub link: Option<(String, String)>,
}

/// A field of several rows of inputs (the materials of a commission, their receipt): one row
/// per entry, the same names in every row, read back in order (`FormData::all`). A growable
/// table gets add and remove buttons in the browser.
pub struct TableInput {
    pub columns: Vec<(String, bool)>,
    pub rows: Vec<Vec<TableCell>>,
    pub growable: bool,
}

pub struct TableCell {
    /// The input's name (unused for a `show` cell).
    pub name: &'static str,
    pub label: String,
    pub value: String,
    /// text | date | show (the value as text)
    pub kind: &'static str,
    /// A hidden input sent with the row (name, value): which record the row is about.
    pub carry: Option<(&'static str, String)>,
}

impl FormField {
    /// An input of another HTML type (date, number…).
    pub fn typed(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }
    pub fn class(mut self, class: &'static str) -> Self {
        self.class = class;
        self
    }
    pub fn text(name: &'static str, label: String, value: impl Into<String>) -> Self {
        FormField {
            name,
            label,
            kind: "text",
            value: value.into(),
            selected: Vec::new(),
            options: Vec::new(),
            required: false,
            disabled: false,
            help: String::new(),
            error: None,
            class: "",
            table: None,
            option_data: Vec::new(),
            hide_when: None,
            link: None,
        }
    }

    /// A table of inputs, one row per entry.
    pub fn table(name: &'static str, label: String, table: TableInput) -> Self {
        FormField {
            kind: "table",
            table: Some(table),
            ..Self::text(name, label, "")
        }
    }
    pub fn select(
        name: &'static str,
        label: String,
        value: impl Into<String>,
        options: Vec<(String, String)>,
    ) -> Self {
        let value = value.into();
        FormField {
            kind: "select",
            selected: vec![value.clone()],
            options,
            ..Self::text(name, label, value)
        }
    }
    pub fn checks(
        name: &'static str,
        label: String,
        selected: Vec<String>,
        options: Vec<(String, String)>,
    ) -> Self {
        FormField {
            kind: "checks",
            selected,
            options,
            ..Self::text(name, label, "")
        }
    }
    /// A multi-line text field.
    pub fn textarea(
        name: &'static str,
        label: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        FormField {
            kind: "textarea",
            ..FormField::text(name, label.into(), value.into())
        }
    }

    pub fn checkbox(name: &'static str, label: String, on: bool, help: String) -> Self {
        FormField {
            kind: "checkbox",
            help,
            ..Self::text(name, label, if on { "true" } else { "" })
        }
    }
    pub fn password(name: &'static str, label: String) -> Self {
        FormField {
            kind: "password",
            ..Self::text(name, label, "")
        }
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn disabled(mut self, yes: bool) -> Self {
        self.disabled = yes;
        self
    }
    /// A link under the field (e.g. to show every choice).
    pub fn link(mut self, href: impl Into<String>, label: impl Into<String>) -> Self {
        self.link = Some((href.into(), label.into()));
        self
    }
    pub fn help(mut self, h: impl Into<String>) -> Self {
        self.help = h.into();
        self
    }
    /// Hidden in the browser while field `name` is `value` (see `hide_when`).
    pub fn hide_when(mut self, name: &'static str, value: &'static str) -> Self {
        self.hide_when = Some((name, value));
        self
    }
    /// Data for each option, in the options' order (see `option_data`).
    pub fn option_data(mut self, data: Vec<String>) -> Self {
        self.option_data = data;
        self
    }
    /// The data of option `i`, or "" (the template's loop index).
    pub fn data_of(&self, i: &usize) -> &str {
        self.option_data.get(*i).map_or("", String::as_str)
    }
    pub fn has(&self, v: &str) -> bool {
        self.selected.iter().any(|s| s == v)
    }
}

pub struct FormView {
    pub title: String,
    pub intro: Option<String>,
    pub action: String,
    pub hidden: Vec<(String, String)>,
    pub fields: Vec<FormField>,
    pub errors: Vec<String>,
    pub submit: String,
    pub cancel: String,
    pub confirm: bool,
}

impl FormView {
    /// The new or edit form of a record kept at `base` (e.g. "/institutions"): its title, address,
    /// version, buttons and way back follow from whether the record exists. `name` names the
    /// record being edited; `section` the register a new one joins.
    pub fn record(
        lang: Lang,
        base: &str,
        section: &str,
        existing: Option<(i64, Option<i64>)>,
        name: &str,
        fields: Vec<FormField>,
    ) -> Self {
        let (title, action, hidden, submit, cancel) = match existing {
            Some((id, version)) => (
                format!("{} · {name}", lang.t("action.edit")),
                format!("{base}/{id}/edit"),
                version
                    .map(|v| vec![("version".to_string(), v.to_string())])
                    .unwrap_or_default(),
                lang.t("action.save"),
                format!("{base}/{id}"),
            ),
            None => (
                format!("{} · {section}", lang.t("list.new")),
                format!("{base}/new"),
                Vec::new(),
                lang.t("action.create"),
                base.to_string(),
            ),
        };
        FormView {
            title,
            intro: None,
            action,
            hidden,
            fields,
            errors: Vec::new(),
            submit: submit.into(),
            cancel,
            confirm: false,
        }
    }

    /// A form with a file field is sent as multipart.
    pub fn multipart(&self) -> bool {
        self.fields.iter().any(|f| f.kind == "file")
    }

    /// Puts field errors beside their fields; those without a field go to the summary.
    pub fn with_errors(
        mut self,
        errs: &[sijian_domain::FieldError],
        summary: Option<String>,
    ) -> Self {
        if let Some(s) = summary {
            self.errors.push(s);
        }
        for e in errs {
            match self.fields.iter_mut().find(|f| f.name == e.field) {
                Some(f) => {
                    f.error = Some(e.message.clone());
                    self.errors.push(format!("{}：{}", f.label, e.message));
                }
                None => self.errors.push(e.message.clone()),
            }
        }
        self
    }
}

#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub c: Chrome,
    pub v: FormView,
}

/// A record named under a workbench queue: (label, page when its reader may open it, deadline in
/// words).
pub type PreviewItem = (String, Option<String>, String);

pub struct HomeView {
    pub org: String,
    /// Label, count, link.
    pub stats: Vec<(String, i64, String)>,
    pub queues: Vec<(String, i64, String)>,
    /// The first records of a queue, by the queue's address.
    pub previews: Vec<(String, Vec<PreviewItem>)>,
    /// (time, event, who and which record, the record's page when its reader may open it).
    pub recent: Vec<(String, String, String, Option<String>)>,
}

impl HomeView {
    /// The first records of the queue at `href`, if any.
    pub fn preview(&self, href: &str) -> &[PreviewItem] {
        self.previews
            .iter()
            .find(|(q, _)| q == href)
            .map_or(&[], |(_, items)| items.as_slice())
    }
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub c: Chrome,
    pub v: HomeView,
}

pub struct MessageView {
    pub title: String,
    pub kind: &'static str,
    pub text: String,
    pub code: Option<String>,
    pub note: Option<String>,
    pub back: String,
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub c: Chrome,
    pub v: MessageView,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub lang: Lang,
    pub csrf: String,
    pub next: String,
    pub username: String,
    pub error: Option<String>,
}

/// Unix milliseconds as Beijing time (UTC+8, no daylight saving), `YYYY-MM-DD HH:MM`.
pub fn fmt_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000) + 8 * 3600;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60
    )
}

pub fn fmt_opt_time(ms: Option<i64>) -> String {
    ms.map(fmt_time).unwrap_or_else(|| "—".into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn beijing_time() {
        assert_eq!(super::fmt_time(0), "1970-01-01 08:00");
        assert_eq!(super::fmt_time(1_795_795_200_000), "2026-11-28 00:00");
    }
}
