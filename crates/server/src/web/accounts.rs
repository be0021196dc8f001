//! Sign-in, the workbench, one's own account, user administration and API tokens.
use super::forms::{AnonPost, FormData, LOGIN_CSRF_COOKIE, Post};
use super::listing::{ListParams, badge, cell, link, yes_no_options};
use super::record_form::{FormFor, RecordForm};
use super::view::*;
use super::{OrPage, PageResult, form_page, page_error, redirect, render};
use crate::auth::{Authed, Ctx, PageUser, Via, set_cookie};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::labels::options;
use crate::login;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use sijian_domain::{Action, AppraiserStatus, InstitutionStatus, Role};
use sijian_service::accounts::{
    UserInput, change_own_password, create_user_from, issue_token, update_user_from,
};
use sijian_service::secrets;
use sijian_store::events::{self, EventFilter};
use sijian_store::users::{self, UserFilter};
use sijian_store::{ListQuery, organs, registry, tokens};

/// Cases shown under each case queue of the workbench, soonest due first.
const PREVIEW: u32 = 3;

fn one() -> ListQuery {
    ListQuery {
        per_page: 1,
        ..Default::default()
    }
}

/// Only local paths, so the login page and the language links cannot be used to send people
/// elsewhere (issue 14, point 10): printable ASCII only, no whitespace, no control character, no
/// backslash, starting with one "/" and not "//". Browsers drop tabs and newlines from a URL
/// (WHATWG URL standard, "remove all ASCII tab or newline") and read a backslash as "/", so a
/// tab or a backslash after the first "/" would make "//x", another site; a control character
/// would also make the `Location` header invalid. Anything else falls back to "/".
fn safe_next(next: &str) -> String {
    let printable = next.bytes().all(|b| b.is_ascii_graphic());
    if printable && next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/".into()
    }
}

pub async fn login_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    if ctx.authed.is_some() {
        return Ok(redirect("/"));
    }
    let next = q
        .iter()
        .find(|(k, _)| k == "next")
        .map(|(_, v)| safe_next(v))
        .unwrap_or_else(|| "/".into());
    let csrf = secrets::random_secret();
    let page = LoginPage {
        lang: ctx.lang,
        csrf: csrf.clone(),
        next,
        username: String::new(),
        error: None,
    };
    let mut res = render(&page);
    if let Ok(v) = set_cookie(&s, LOGIN_CSRF_COOKIE, &csrf, Some(3600)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

pub async fn login_submit(State(s): State<AppState>, p: AnonPost) -> PageResult {
    let username = p.form.text("username");
    let next = safe_next(&p.form.text("next"));
    match login::sign_in(&s, &p.ctx, &username, &p.form.text("password")).await {
        Ok(signed) => {
            let mut res = redirect(if signed.user.must_change_password {
                "/account/password?required=1"
            } else {
                &next
            });
            if let Ok(v) = signed.cookie.parse() {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(e) => {
            let page = LoginPage {
                lang: p.ctx.lang,
                csrf: p.form.text("_csrf"),
                next,
                username,
                error: Some(e.message.clone()),
            };
            let mut res = (e.status, render(&page)).into_response();
            res.extensions_mut().insert(e);
            Err(res)
        }
    }
}

pub async fn logout(State(s): State<AppState>, p: Post) -> PageResult {
    if let Via::Session { id_hash, .. } = &p.user.via {
        let clear = login::sign_out(&s, id_hash).await.or_page(p.lang)?;
        let mut res = redirect("/login");
        if let Ok(v) = clear.parse() {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
        return Ok(res);
    }
    Ok(redirect("/login"))
}

/// Switches the interface language: stored on the account, or in a cookie before sign-in.
pub async fn switch_language(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(lang): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let l = Lang::parse(&lang)
        .ok_or_else(|| page_error(AppError::bad_request("语言须为 zh 或 en"), ctx.lang))?;
    let next = q
        .iter()
        .find(|(k, _)| k == "next")
        .map(|(_, v)| safe_next(v))
        .unwrap_or_else(|| "/".into());
    if let Some(a) = &ctx.authed {
        // A read-only token changes nothing, one's own settings included (issue 14, point 3).
        a.require_writable().or_page(ctx.lang)?;
        // Changing the language is harmless, so a link may do it; it is still recorded on the account only.
        users::set_lang(&s.db, a.user.id, l.code())
            .await
            .or_page(ctx.lang)?;
    }
    let mut res = redirect(&next);
    if let Ok(v) = set_cookie(&s, "lang", l.code(), Some(365 * 86_400)).parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// The case queues a role works from, most urgent first: institutions accept, run and issue;
/// appraisers run, review and sign; organs follow their commissions; regulators watch the
/// deadlines (issue 15, point 2).
fn case_queues(role: Role) -> &'static [&'static str] {
    if role.is_institution_staff() {
        &["overdue", "to_accept", "due_soon", "to_review", "to_sign"]
    } else if role == Role::Appraiser {
        &["overdue", "due_soon", "to_review", "to_sign"]
    } else if role == Role::Organ {
        &["to_accept", "overdue", "due_soon"]
    } else {
        &["overdue", "due_soon"]
    }
}

/// Each role's workbench: what needs it now, most urgent first, with empty queues left out;
/// the register's figures only for those who oversee a region.
pub async fn home(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    let scope = a.scope();
    let role = a.role();
    let t = |k: &str| lang.t(k).to_string();
    let oversees = matches!(
        scope,
        sijian_domain::Scope::Region(_) | sijian_domain::Scope::All
    );
    let mut stats = Vec::new();
    let mut queues = Vec::new();
    let mut previews = Vec::new();
    if let sijian_domain::Scope::Organ(organ) = scope {
        let n = sijian_store::cases::claims::count(&s.db, organ)
            .await
            .or_page(lang)?;
        // What needs the organ's own answer comes first.
        queues.push((t("home.stat.claims"), n, "/cases/claims".to_string()));
    }
    if role.may(Action::ViewCases) {
        let env = sijian_service::cases::Env::load(&s, "")
            .await
            .or_page(lang)?;
        // The soonest-due cases of each queue come with its count, in the same query.
        let soonest = ListQuery {
            per_page: PREVIEW,
            sort: Some("due".into()),
            ..Default::default()
        };
        for queue in case_queues(role) {
            let f = env.filter(Some((*queue).into()), None);
            let page = sijian_store::cases::list(&s.db, &scope, &f, &soonest)
                .await
                .or_page(lang)?;
            let href = format!("/cases?queue={queue}");
            queues.push((t(&format!("home.stat.{queue}")), page.total, href.clone()));
            let items = page
                .items
                .iter()
                .map(|c| {
                    let (label, href) =
                        crate::web::event_text::entity_ref(&a, lang, "case", &c.id.to_string());
                    let due = match c.due_on {
                        Some(d) if c.due_provisional => {
                            lang.tf("home.due_provisional", &[("date", &d.to_string())])
                        }
                        Some(d) => lang.tf("home.due", &[("date", &d.to_string())]),
                        None => String::new(),
                    };
                    (format!("{label} · {}", c.client_name), href, due)
                })
                .collect();
            previews.push((href, items));
        }
    }
    if role.may(Action::ViewLinkageAlerts) {
        let f = sijian_store::linkage::AlertFilter {
            status: Some("open".into()),
            ..Default::default()
        };
        let n = sijian_store::linkage::list(&s.db, &scope, &f, &one())
            .await
            .or_page(lang)?
            .total;
        queues.push((
            t("home.stat.open_alerts"),
            n,
            "/linkage/alerts?status=open".to_string(),
        ));
    }
    if role.may(Action::ViewApplications) {
        // Regulators check and decide; an applicant corrects what was returned.
        let stages: &[&str] = if role.may(Action::HandleApplication) {
            &["submitted", "accepted"]
        } else {
            &["returned"]
        };
        for stage in stages {
            let f = sijian_store::applications::ApplicationFilter {
                stage: Some((*stage).into()),
                ..Default::default()
            };
            let n = sijian_store::applications::list(&s.db, &scope, &f, &one())
                .await
                .or_page(lang)?
                .total;
            let key = match *stage {
                "submitted" => "home.stat.to_check",
                other => &format!("home.stat.{other}"),
            };
            queues.push((t(key), n, format!("/applications?stage={stage}")));
        }
    }
    if oversees && role.may(Action::ViewInstitutions) {
        let n = registry::list_institutions(&s.db, &scope, &Default::default(), &one())
            .await
            .or_page(lang)?
            .total;
        stats.push((t("nav.institutions"), n, "/institutions".to_string()));
        let f = registry::InstitutionFilter {
            status: Some(InstitutionStatus::Suspended.as_str().into()),
            ..Default::default()
        };
        let n = registry::list_institutions(&s.db, &scope, &f, &one())
            .await
            .or_page(lang)?
            .total;
        queues.push((
            t("home.stat.suspended_institutions"),
            n,
            "/institutions?status=suspended".to_string(),
        ));
    }
    if oversees && role.may(Action::ViewAppraisers) {
        let n = registry::list_appraisers(&s.db, &scope, &Default::default(), &one())
            .await
            .or_page(lang)?
            .total;
        stats.push((t("nav.appraisers"), n, "/appraisers".to_string()));
        let f = registry::AppraiserFilter {
            status: Some(AppraiserStatus::Suspended.as_str().into()),
            ..Default::default()
        };
        let n = registry::list_appraisers(&s.db, &scope, &f, &one())
            .await
            .or_page(lang)?
            .total;
        queues.push((
            t("home.stat.suspended_appraisers"),
            n,
            "/appraisers?status=suspended".to_string(),
        ));
    }
    if oversees && role.may(Action::ViewOrgans) {
        let n = organs::list(&s.db, &scope, None, &one())
            .await
            .or_page(lang)?
            .total;
        stats.push((t("nav.organs"), n, "/organs".to_string()));
    }
    if role.may(Action::ViewUsers) {
        let n = users::list(&s.db, &scope, &UserFilter::default(), &one())
            .await
            .or_page(lang)?
            .total;
        stats.push((t("nav.users"), n, "/users".to_string()));
        let n = users::list(
            &s.db,
            &scope,
            &UserFilter {
                active: Some(false),
                ..Default::default()
            },
            &one(),
        )
        .await
        .or_page(lang)?
        .total;
        queues.push((
            t("home.stat.disabled"),
            n,
            "/users?active=false".to_string(),
        ));
    }
    if role.may(Action::ViewLoginLog) {
        let n = sijian_store::logs::list_logins(&s.db, &scope, Some("locked".into()), &one())
            .await
            .or_page(lang)?
            .total;
        queues.push((
            t("home.stat.locked_logins"),
            n,
            "/logs/logins?result=locked".to_string(),
        ));
    }
    // What needs nobody now is not shown.
    queues.retain(|q| q.1 > 0);
    let org = a
        .user
        .org_name
        .clone()
        .unwrap_or_else(|| t("home.nationwide"));
    let recent = if role.may(Action::ViewEvents) {
        let mut q = ListQuery {
            per_page: 8,
            ..Default::default()
        };
        q.desc = true;
        events::list(&s.db, &scope, &EventFilter::default(), &q)
            .await
            .map(|p| {
                p.items
                    .into_iter()
                    .map(|e| {
                        let (record, href) = crate::web::event_text::entity_ref(
                            &a,
                            lang,
                            &e.entity_type,
                            &e.entity_id,
                        );
                        (
                            fmt_time(e.at),
                            lang.event(&e.kind),
                            format!("{} · {record}", e.actor_name),
                            href,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let v = HomeView {
        org,
        stats,
        queues,
        previews,
        recent,
    };
    let mut c = Chrome::new(&a, lang, lang.t("nav.home"), "/");
    // The missing holiday table is told to who can load it; everyone else sees each deadline
    // counted from it marked provisional.
    if role.may(Action::ManageCalendar) {
        let cal = s.calendar.current(&s.db).await.or_page(lang)?;
        c.warning = crate::labels::missing_calendar_warning(
            lang,
            &crate::state::missing_years(&cal, crate::state::today()),
        );
    }
    Ok(render(&HomePage { c, v }))
}

pub async fn account_page(
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let t = |k: &str| lang.t(k).to_string();
    let u = &a.user;
    let v = DetailView {
        tables: Vec::new(),
        title: t("nav.account"),
        badge: None,
        back: "/".into(),
        actions: vec![
            ActionButton::link(t("account.change_password"), "/account/password"),
            ActionButton::link("中文", "/lang/zh?next=/account"),
            ActionButton::link("English", "/lang/en?next=/account"),
        ],
        fields: vec![
            (t("field.username"), u.username.clone(), None),
            (t("field.display_name"), u.display_name.clone(), None),
            (
                t("field.role"),
                lang.pick(a.role().label_zh(), a.role().label_en())
                    .to_string(),
                None,
            ),
            (
                t("field.org"),
                u.org_name.clone().unwrap_or_else(|| "—".into()),
                None,
            ),
            (
                t("account.lang"),
                if u.lang == "en" {
                    "English".into()
                } else {
                    "中文".into()
                },
                None,
            ),
            (t("field.last_login"), fmt_opt_time(u.last_login_at), None),
            (
                t("notify.settings"),
                t("notify.account_row"),
                Some("/notifications/settings".into()),
            ),
        ],
        show_history: false,
        history: Vec::new(),
    };
    let c = Chrome::new(&a, lang, t("nav.account"), "/account").saved_flash(&q);
    Ok(render(&DetailPage { c, v }))
}

fn password_form(lang: Lang, required: bool) -> FormView {
    let t = |k: &str| lang.t(k).to_string();
    FormView {
        title: t("account.change_password"),
        intro: required.then(|| t("account.must_change")),
        action: "/account/password".into(),
        hidden: Vec::new(),
        fields: vec![
            FormField::password("current_password", t("account.current_password")).required(),
            FormField::password("new_password", t("account.new_password"))
                .required()
                .help(lang.t("account.password_help")),
            FormField::password("repeat_password", t("account.repeat_password")).required(),
        ],
        errors: Vec::new(),
        submit: t("action.save"),
        cancel: "/account".into(),
        confirm: false,
    }
}

pub async fn password_page(
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    let required = a.user.must_change_password || q.iter().any(|(k, _)| k == "required");
    let v = password_form(lang, required);
    Ok(form_page(&a, lang, "/account", v))
}

pub async fn password_submit(State(s): State<AppState>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    let new = p.form.text("new_password");
    let result = if new != p.form.text("repeat_password") {
        Err(AppError::field(
            "repeat_password",
            lang.t("account.password_mismatch"),
        ))
    } else {
        change_own_password(&s, &a.user, &p.form.text("current_password"), &new)
            .await
            .map_err(AppError::from)
    };
    match result {
        // The change ended every session of the account and revoked its API tokens: sign in
        // again with the new password; the account page then says so.
        Ok(()) => Ok(redirect("/login?next=/account%3Fsaved%3Dpassword")),
        Err(e) => {
            let v = password_form(lang, a.user.must_change_password);
            let c = Chrome::new(a, lang, v.title.clone(), "/account");
            let status = e.status;
            let mut res = (
                status,
                render(&FormPage {
                    c,
                    v: v.with_errors(&e.fields, None),
                }),
            )
                .into_response();
            res.extensions_mut().insert(e);
            Err(res)
        }
    }
}

pub async fn language_submit(State(s): State<AppState>, p: Post) -> PageResult {
    let l = Lang::parse(&p.form.text("lang"))
        .ok_or_else(|| page_error(AppError::field("lang", "语言须为 zh 或 en"), p.lang))?;
    users::set_lang(&s.db, p.user.user.id, l.code())
        .await
        .or_page(p.lang)?;
    Ok(redirect("/account?saved=account.language"))
}

// ---------------------------------------------------------------------------------------------
// Users

fn role_options(lang: Lang) -> Vec<(String, String)> {
    options(lang, &Role::ACCOUNT_ROLES)
}

pub async fn users_list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewUsers).or_page(lang)?;
    let p = ListParams::new("/users", q);
    let f = UserFilter {
        role: p.get("role"),
        active: p.get("active").map(|v| v == "true"),
    };
    let page = users::list(&s.db, &a.scope(), &f, &p.query())
        .await
        .or_page(lang)?;
    let filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter("role", lang.t("field.role"), role_options(lang)),
        p.select_filter("active", lang.t("field.active"), yes_no_options(lang)),
    ];
    let columns = [
        ("field.username", "username"),
        ("field.display_name", "name"),
        ("field.role", "role"),
        ("field.org", ""),
        ("field.active", ""),
        ("field.last_login", "last_login"),
    ];
    let now = sijian_store::now_ms();
    let v = p.view(lang, lang.t("nav.users").into(), &columns, &page, |u| {
        let r = u.role();
        let (st, class) = if u.locked_at(now) {
            (lang.t("result.locked").to_string(), "bad")
        } else if u.active {
            (lang.t("yes").to_string(), "ok")
        } else {
            (lang.t("no").to_string(), "warn")
        };
        vec![
            link(&u.username, format!("/users/{}", u.id)),
            cell(&u.display_name),
            cell(lang.pick(r.label_zh(), r.label_en())),
            cell(u.org_name.clone().unwrap_or_else(|| "—".into())),
            badge(st, class),
            cell(fmt_opt_time(u.last_login_at)),
        ]
    });
    let v = v.with_filters(filters).with_new_link(
        a.role().may(Action::ManageUsers),
        "/users/new",
        lang.t("list.new"),
    );
    Ok(crate::web::listing::respond(&a, lang, &p, v))
}

pub async fn user_detail(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewUsers).or_page(lang)?;
    let u = users::get(&s.db, &a.scope(), id).await.or_page(lang)?;
    let t = |k: &str| lang.t(k).to_string();
    let now = sijian_store::now_ms();
    let mut actions = Vec::new();
    if a.role().may(Action::ManageUsers) {
        actions.push(ActionButton::link(
            t("action.edit"),
            format!("/users/{id}/edit"),
        ));
        actions.push(ActionButton::link(
            t("action.reset_password"),
            format!("/users/{id}/password"),
        ));
        if u.locked_at(now) {
            actions.push(ActionButton {
                label: t("action.unlock"),
                href: format!("/users/{id}/unlock"),
                post: true,
                confirm: lang
                    .pick(lang.t("users.confirm_unlock"), "Unlock this account?")
                    .into(),
                danger: false,
            });
        }
    }
    let r = u.role();
    let f = EventFilter {
        entity_type: Some("user".into()),
        entity_id: Some(id.to_string()),
        kind: None,
        hide_kind_prefix: None,
    };
    let history = events::list(
        &s.db,
        &a.scope(),
        &f,
        &ListQuery {
            per_page: 50,
            desc: true,
            ..Default::default()
        },
    )
    .await
    .map(|p| {
        p.items
            .into_iter()
            .map(|e| TimelineEntry::from_event(&a, lang, e))
            .collect()
    })
    .unwrap_or_default();
    let v = DetailView {
        tables: Vec::new(),
        title: lang.tf(
            "common.with_note",
            &[("text", &u.display_name), ("note", &u.username)],
        ),
        badge: Some(if u.active {
            (t("field.active"), "ok")
        } else {
            (
                lang.pick(lang.t("users.disabled"), "Disabled").into(),
                "warn",
            )
        }),
        back: "/users".into(),
        actions,
        fields: vec![
            (t("field.username"), u.username.clone(), None),
            (
                t("field.role"),
                lang.pick(r.label_zh(), r.label_en()).to_string(),
                None,
            ),
            (
                t("field.org"),
                u.org_name.clone().unwrap_or_else(|| "—".into()),
                None,
            ),
            (t("field.last_login"), fmt_opt_time(u.last_login_at), None),
            (
                t("field.locked"),
                if u.locked_at(now) {
                    fmt_opt_time(u.locked_until)
                } else {
                    "—".into()
                },
                None,
            ),
            (t("field.lang"), u.lang.clone(), None),
            (t("field.created_at"), fmt_time(u.created_at), None),
            (t("field.version"), u.version.to_string(), None),
        ],
        show_history: true,
        history,
    };
    let c = Chrome::new(&a, lang, u.username.clone(), "/users").saved_flash(&q);
    Ok(render(&DetailPage { c, v }))
}

fn user_input(f: &FormData, editing: bool) -> UserInput {
    let id = |k: &str| f.get(k).and_then(|v| v.trim().parse::<i64>().ok());
    UserInput {
        username: if editing { None } else { f.get("username") },
        display_name: f.get("display_name"),
        password: if editing { None } else { f.get("password") },
        role: f.get("role"),
        region_code: f.get("region_code"),
        institution_id: id("institution_id"),
        appraiser_id: id("appraiser_id"),
        organ_id: id("organ_id"),
        active: if editing {
            Some(f.flag("active"))
        } else {
            None
        },
        lang: None,
    }
}

fn form_of_user(u: &users::User) -> FormData {
    let mut v = vec![
        ("username".to_string(), u.username.clone()),
        ("display_name".to_string(), u.display_name.clone()),
        ("role".to_string(), u.role.as_str().to_string()),
    ];
    if let Some(r) = &u.region_code {
        v.push(("region_code".into(), r.clone()));
    }
    for (k, x) in [
        ("institution_id", u.institution_id),
        ("appraiser_id", u.appraiser_id),
        ("organ_id", u.organ_id),
    ] {
        if let Some(x) = x {
            v.push((k.into(), x.to_string()));
        }
    }
    if u.active {
        v.push(("active".into(), "true".into()));
    }
    FormData(v)
}

/// The accounts' new and edit pages.
pub struct UserForm;

impl RecordForm for UserForm {
    const BASE: &'static str = "/users";
    const CREATE: Action = Action::ManageUsers;
    const EDIT: Action = Action::ManageUsers;
    const SECRET_FIELDS: &'static [&'static str] = &["password"];

    async fn form(cx: FormFor<'_>, f: &FormData) -> FormView {
        let FormFor { s, a, lang, id, .. } = cx;
        let t = |k: &str| lang.t(k).to_string();
        let scope = a.scope();
        let all = ListQuery {
            per_page: 200,
            ..Default::default()
        };
        let regions: Vec<(String, String)> = s
            .regions
            .current(&s.db)
            .await
            .map(|all| {
                all.iter()
                    .map(|r| (r.code.clone(), format!("{} ({})", r.name, r.code)))
                    .collect()
            })
            .unwrap_or_default();
        let insts = registry::list_institutions(&s.db, &scope, &Default::default(), &all)
            .await
            .map(|p| {
                p.items
                    .into_iter()
                    .map(|i| (i.id.to_string(), i.name))
                    .collect()
            })
            .unwrap_or_default();
        let apprs = registry::list_appraisers(&s.db, &scope, &Default::default(), &all)
            .await
            .map(|p| {
                p.items
                    .into_iter()
                    .map(|x| {
                        (
                            x.id.to_string(),
                            lang.tf(
                                "common.with_note",
                                &[("text", &x.name), ("note", &x.institution_name)],
                            ),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let orgs = organs::list(&s.db, &scope, None, &all)
            .await
            .map(|p| {
                p.items
                    .into_iter()
                    .map(|o| {
                        (
                            o.id.to_string(),
                            lang.tf(
                                "common.with_note",
                                &[
                                    ("text", &o.name),
                                    (
                                        "note",
                                        Some(o.kind)
                                            .map(|k| lang.pick(k.label_zh(), k.label_en()))
                                            .unwrap_or(""),
                                    ),
                                ],
                            ),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut fields = vec![
            FormField::text("username", t("field.username"), f.text("username"))
                .required()
                .disabled(id.is_some())
                .help(lang.t("users.help.username")),
        ];
        fields.push(
            FormField::text(
                "display_name",
                t("field.display_name"),
                f.text("display_name"),
            )
            .required(),
        );
        if id.is_none() {
            fields.push(
                FormField::password("password", t("field.password"))
                    .required()
                    .help(lang.t("users.help.first_login")),
            );
        }
        fields.push(
            FormField::select("role", t("field.role"), f.text("role"), role_options(lang))
                .required(),
        );
        fields.push(
            FormField::select(
                "region_code",
                t("field.region_code"),
                f.text("region_code"),
                regions,
            )
            .help(lang.t("users.help.region")),
        );
        fields.push(
            FormField::select(
                "institution_id",
                t("field.institution_id"),
                f.text("institution_id"),
                insts,
            )
            .help(lang.t("users.help.institution")),
        );
        fields.push(
            FormField::select(
                "appraiser_id",
                t("field.appraiser_id"),
                f.text("appraiser_id"),
                apprs,
            )
            .help(lang.t("users.help.appraiser")),
        );
        fields.push(
            FormField::select("organ_id", t("field.organ_id"), f.text("organ_id"), orgs)
                .help(lang.t("users.help.organ")),
        );
        if id.is_some() {
            fields.push(FormField::checkbox(
                "active",
                t("field.active"),
                f.flag("active"),
                lang.pick(lang.t("users.help.active"), "The account can sign in")
                    .into(),
            ));
        }
        FormView {
            confirm: id.is_some(),
            ..cx.view(&t("nav.users"), &f.text("username"), fields)
        }
    }

    async fn load(s: &AppState, a: &Authed, id: i64) -> AppResult<(FormData, i64)> {
        let u = users::get(&s.db, &a.scope(), id).await?;
        Ok((form_of_user(&u), u.version))
    }

    async fn create(s: &AppState, a: &Authed, f: &FormData) -> AppResult<i64> {
        let u = create_user_from(s, &a.actor(), &a.scope(), &user_input(f, false)).await?;
        Ok(u.id)
    }

    async fn update(
        s: &AppState,
        a: &Authed,
        id: i64,
        version: i64,
        f: &FormData,
    ) -> AppResult<()> {
        let mut input = user_input(f, true);
        // A role change clears the region when the form did not send one for the new role.
        if f.text("region_code").trim().is_empty() {
            input.region_code = None;
        }
        update_user_from(s, a, id, version, &input).await?;
        Ok(())
    }
}

fn reset_form(lang: Lang, id: i64, username: &str) -> FormView {
    let t = |k: &str| lang.t(k).to_string();
    FormView {
        title: format!("{} · {}", t("action.reset_password"), username),
        intro: Some(
            lang.pick(
                lang.t("users.reset_help"),
                "All sessions of the user end and all their API tokens are revoked; they must change the password at next sign-in.",
            )
            .into(),
        ),
        action: format!("/users/{id}/password"),
        hidden: Vec::new(),
        fields: vec![FormField::password("new_password", t("account.new_password")).required()],
        errors: Vec::new(),
        submit: t("action.reset_password"),
        cancel: format!("/users/{id}"),
        confirm: true,
    }
}

pub async fn user_password_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(Action::ManageUsers).or_page(lang)?;
    let u = users::get(&s.db, &a.scope(), id).await.or_page(lang)?;
    let v = reset_form(lang, id, &u.username);
    Ok(form_page(&a, lang, "/users", v))
}

pub async fn user_password_submit(
    State(s): State<AppState>,
    Path(id): Path<i64>,
    p: Post,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::ManageUsers).or_page(lang)?;
    let u = users::get(&s.db, &a.scope(), id).await.or_page(lang)?;
    let pw = p.form.text("new_password");
    if let Err(e) = s.cfg.security.password.check(&u.username, &pw) {
        let v = reset_form(lang, id, &u.username);
        let err = AppError::field("new_password", e.to_string());
        let mut res = (
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&FormPage {
                c: Chrome::new(a, lang, v.title.clone(), "/users"),
                v: v.with_errors(&err.fields, None),
            }),
        )
            .into_response();
        res.extensions_mut().insert(err);
        return Err(res);
    }
    let h = secrets::hash_password_async(pw).await;
    users::set_password(&s.db, &a.actor(), id, &h, true)
        .await
        .or_page(lang)?;
    // The user's sessions ended and their API tokens were revoked; the page says so.
    Ok(redirect(&format!("/users/{id}?saved=reset")))
}

pub async fn user_unlock(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    p.user.require_write(Action::ManageUsers).or_page(p.lang)?;
    users::unlock(&s.db, &p.user.actor(), &p.user.scope(), id)
        .await
        .or_page(p.lang)?;
    Ok(redirect(&format!("/users/{id}?saved=users.unlocked")))
}

// ---------------------------------------------------------------------------------------------
// API tokens

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub read_only: &'static str,
    pub expires: String,
    pub last_used: String,
    pub status: &'static str,
    pub class: &'static str,
    pub revocable: bool,
}

#[derive(askama::Template)]
#[template(path = "tokens.html")]
pub struct TokensPage {
    pub c: Chrome,
    pub rows: Vec<TokenRow>,
    pub v: FormView,
}

async fn tokens_page_for(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    f: &FormData,
    err: Option<&AppError>,
) -> Result<TokensPage, AppError> {
    let t = |k: &str| lang.t(k).to_string();
    let now = sijian_store::now_ms();
    let rows = tokens::list_for_user(&s.db, a.user.id)
        .await?
        .into_iter()
        .map(|tk| {
            let (status, class) = if tk.revoked_at.is_some() {
                (lang.pick(lang.t("tokens.revoked"), "Revoked"), "bad")
            } else if tk.expires_at.is_some_and(|e| e <= now) {
                (lang.pick(lang.t("tokens.expired"), "Expired"), "warn")
            } else {
                (lang.pick(lang.t("tokens.valid"), "Valid"), "ok")
            };
            TokenRow {
                id: tk.id,
                name: tk.name,
                prefix: tk.token_prefix,
                read_only: lang.t(if tk.read_only { "yes" } else { "no" }),
                expires: fmt_opt_time(tk.expires_at),
                last_used: fmt_opt_time(tk.last_used_at),
                status,
                class,
                revocable: tk.revoked_at.is_none(),
            }
        })
        .collect();
    let mut v = FormView {
        title: format!("{} · {}", t("list.new"), t("nav.tokens")),
        intro: Some(lang.pick(lang.t("tokens.intro"), "A token acts for your account, role and organisation; it stops working if either changes.").into()),
        action: "/tokens".into(),
        hidden: Vec::new(),
        fields: vec![
            FormField::text("name", t("field.token_name"), f.text("name")).required(),
            FormField::text("expires_in_days", t("field.expires_in_days"), f.get("expires_in_days").unwrap_or_else(|| s.cfg.security.token_default_days.to_string())).help("1–365"),
            FormField::checkbox("read_only", t("field.read_only"), f.flag("read_only"), lang.pick(lang.t("tokens.read_only_help"), "A read-only token cannot change data").into()),
        ],
        errors: Vec::new(),
        submit: t("action.create"),
        cancel: "/".into(),
        confirm: false,
    };
    if let Some(e) = err {
        v = v.with_errors(&e.fields, e.fields.is_empty().then(|| e.message.clone()));
    }
    Ok(TokensPage {
        c: Chrome::new(a, lang, t("nav.tokens"), "/tokens"),
        rows,
        v,
    })
}

pub async fn tokens_page(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::UseApiTokens).or_page(lang)?;
    let page = tokens_page_for(&s, &a, lang, &FormData::default(), None)
        .await
        .or_page(lang)?;
    Ok(render(&page))
}

pub async fn token_create(State(s): State<AppState>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::UseApiTokens).or_page(lang)?;
    let days = p
        .form
        .get("expires_in_days")
        .map(|d| d.trim().parse::<i64>().unwrap_or(0));
    match issue_token(
        &s,
        &a.user,
        &p.form.text("name"),
        p.form.flag("read_only"),
        days,
    )
    .await
    .map_err(AppError::from)
    {
        Ok(out) => {
            let v = MessageView {
                title: lang.t("nav.tokens").into(),
                kind: "ok",
                text: lang.t("token.created").into(),
                code: Some(out.token.clone()),
                note: Some(format!(
                    "{} Authorization: Bearer {}",
                    lang.t("token.usage"),
                    out.token
                )),
                back: "/tokens".into(),
            };
            Ok(render(&MessagePage {
                c: Chrome::new(a, lang, lang.t("nav.tokens"), "/tokens"),
                v,
            }))
        }
        Err(e) => {
            let page = tokens_page_for(&s, a, lang, &p.form, Some(&e))
                .await
                .or_page(lang)?;
            let mut res = (e.status, render(&page)).into_response();
            res.extensions_mut().insert(e);
            Err(res)
        }
    }
}

pub async fn token_revoke(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    p.user.require_writable().or_page(p.lang)?;
    tokens::revoke(&s.db, &p.user.actor(), &p.user.user, id)
        .await
        .or_page(p.lang)?;
    Ok(redirect("/tokens"))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn safe_next_keeps_local_paths() {
        for ok in [
            "/",
            "/account",
            "/account?saved=1",
            "/cases?queue=due_soon&page=2",
        ] {
            assert_eq!(safe_next(ok), ok);
        }
    }

    #[test]
    fn safe_next_refuses_other_sites_and_control_characters() {
        for bad in [
            "",
            "account",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\nevil",
            "/\r\nSet-Cookie: x=1",
            "/ /evil.example",
            "/\u{0}x",
            "/\u{7f}x",
            "/caf\u{e9}",
            "https://evil.example",
            "\t//evil.example",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
