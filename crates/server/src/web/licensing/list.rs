//! The applications queue with its statutory clocks.
use super::*;

pub async fn list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewApplications).or_page(lang)?;
    let p = ListParams::new("/applications", q);
    let f = ApplicationFilter {
        stage: p.get("stage"),
        kind: p.get("kind"),
        open: p.get("open").as_deref() == Some("true"),
    };
    let page = applications::list(&s.db, &a.scope(), &f, &p.query())
        .await
        .or_page(lang)?;
    let cal = s.calendar.current(&s.db).await.or_page(lang)?;
    let filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter("stage", lang.t("field.stage"), options(lang, &Stage::ALL)),
        p.select_filter(
            "kind",
            lang.t("field.application_kind"),
            options(lang, &ApplicationKind::ALL),
        ),
        p.select_filter(
            "open",
            lang.t("field.open_only"),
            vec![("true".into(), lang.t("yes").into())],
        ),
    ];
    let columns = [
        ("field.application_no", ""),
        ("field.application_kind", "kind"),
        ("field.subject", "subject"),
        ("field.region", ""),
        ("field.submitted_on", "submitted"),
        ("field.stage", "stage"),
        ("field.deadline", ""),
    ];
    let title = lang.t("nav.applications").into();
    let v = p.view(lang, title, &columns, &page, |x| {
        let (st, class) = stage_badge(lang, x);
        let c = clock(&s, &cal, x);
        let (due, due_class) = clock_text(lang, &c).unwrap_or_else(|| (clock_label(lang, &c), ""));
        vec![
            link(
                lang.tf("licensing.number", &[("id", &x.id.to_string())]),
                format!("/applications/{}", x.id),
            ),
            cell(kind_label(lang, x.kind)),
            cell(&x.subject),
            cell(&x.region_name),
            date(x.submitted_on.to_string()),
            badge(st, class),
            Cell {
                nowrap: true,
                ..badge(due, due_class)
            },
        ]
    });
    let clocks: Vec<ClockView> = page.items.iter().map(|x| clock(&s, &cal, x)).collect();
    let mut v = v;
    v.note = clock_note(lang, &clocks);
    let v = v.with_filters(filters).with_new_link(
        a.role().may(Action::SubmitApplication),
        "/applications/new",
        lang.t("licensing.new"),
    );
    Ok(crate::web::listing::respond(&a, lang, &p, v))
}
