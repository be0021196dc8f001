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
        p.select_filter(
            "stage",
            lang.t("field.stage"),
            Stage::ALL
                .iter()
                .map(|x| {
                    (
                        x.as_str().to_string(),
                        lang.pick(x.label_zh(), x.label_en()).to_string(),
                    )
                })
                .collect(),
        ),
        p.select_filter(
            "kind",
            lang.t("field.application_kind"),
            ApplicationKind::ALL
                .iter()
                .map(|x| {
                    (
                        x.as_str().to_string(),
                        lang.pick(x.label_zh(), x.label_en()).to_string(),
                    )
                })
                .collect(),
        ),
        p.select_filter(
            "open",
            lang.t("field.open_only"),
            vec![("true".into(), lang.t("yes").into())],
        ),
    ];
    let cols = vec![
        p.column(lang.t("field.application_no"), ""),
        p.column(lang.t("field.application_kind"), "kind"),
        p.column(lang.t("field.subject"), "subject"),
        p.column(lang.t("field.region"), ""),
        p.column(lang.t("field.submitted_on"), "submitted"),
        p.column(lang.t("field.stage"), "stage"),
        p.column(lang.t("field.deadline"), ""),
    ];
    let new_link = a.role().may(Action::SubmitApplication).then(|| {
        (
            "/applications/new".to_string(),
            lang.t("licensing.new").to_string(),
        )
    });
    let v = ListView {
        new_link,
        filters,
        ..p.view(lang, lang.t("nav.applications").into(), cols, &page, |x| {
            let (st, class) = stage_badge(lang, x);
            let (due, due_class) = clock_text(lang, &clock(&s, &cal, x));
            vec![
                link(
                    lang.t("field.application_no"),
                    lang.tf("licensing.number", &[("id", &x.id.to_string())]),
                    format!("/applications/{}", x.id),
                ),
                cell(lang.t("field.application_kind"), kind_label(lang, x.kind)),
                cell(lang.t("field.subject"), &x.subject),
                cell(lang.t("field.region"), &x.region_name),
                cell(lang.t("field.submitted_on"), x.submitted_on.to_string()),
                badge(lang.t("field.stage"), st, class),
                badge(lang.t("field.deadline"), due, due_class),
            ]
        })
    };
    Ok(render(&ListPage {
        c: Chrome::new(&a, lang, lang.t("nav.applications"), "/applications"),
        v,
    }))
}
