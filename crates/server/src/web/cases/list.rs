//! The case queues and lists as each role sees them, and the deadlines page.
use super::*;

pub(super) const QUEUES: &[(&str, &str)] = &[
    ("to_accept", "cases.queue.to_accept"),
    ("due_soon", "cases.queue.due_soon"),
    ("overdue", "cases.queue.overdue"),
    ("to_review", "cases.queue.to_review"),
    ("to_sign", "cases.queue.to_sign"),
    ("open", "cases.queue.open"),
];

pub async fn list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewCases).or_page(lang)?;
    let p = ListParams::new("/cases", q);
    let env = Env::load(&s, "").await.or_page(lang)?;
    let f = env.filter(p.get("queue"), p.get("stage"));
    let page = cases::list(&s.db, &a.scope(), &f, &p.query())
        .await
        .or_page(lang)?;
    let filters = vec![
        p.text_filter("q", lang.t("cases.list.search")),
        p.select_filter(
            "queue",
            lang.t("cases.list.queue"),
            QUEUES
                .iter()
                .map(|(k, v)| (k.to_string(), lang.t(v).to_string()))
                .collect(),
        ),
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
    ];
    let cols = vec![
        p.column(lang.t("cases.col.case"), ""),
        p.column(lang.t("cases.col.client"), "client"),
        p.column(lang.t("cases.col.case_number"), ""),
        p.column(lang.t("cases.col.institution"), ""),
        p.column(lang.t("cases.col.received"), "received"),
        p.column(lang.t("field.stage"), "stage"),
        p.column(lang.t("cases.col.deadline"), "due"),
    ];
    let title = match a.role() {
        r if r.is_institution_staff() => lang.t("cases.title.staff"),
        sijian_domain::Role::Organ => lang.t("cases.title.organ"),
        sijian_domain::Role::Appraiser => lang.t("cases.title.appraiser"),
        _ => lang.t("cases.title.regulator"),
    };
    let new_link = if a.role().may(Action::CommissionCase) {
        Some(("/cases/new".to_string(), lang.t("cases.new").to_string()))
    } else {
        Some((
            "/cases/deadlines".to_string(),
            lang.t("cases.deadlines").to_string(),
        ))
    };
    let v = ListView {
        new_link,
        filters,
        ..p.view(lang, title.into(), cols, &page, |c| {
            let policy = s.cfg.procedure.for_path(&c.region_path);
            let (st, class) = stage_badge(lang, c);
            let (due, due_class) = clock_badge(lang, c, &clock_of(c, env.today, &env.cal, &policy));
            vec![
                link(
                    lang.t("cases.col.case"),
                    lang.tf(
                        "cases.no_lineage",
                        &[
                            ("id", &c.id.to_string()),
                            ("lineage", lineage_label(lang, &c.lineage)),
                        ],
                    ),
                    format!("/cases/{}", c.id),
                ),
                cell(lang.t("cases.col.client"), &c.client_name),
                cell(
                    lang.t("cases.col.case_number"),
                    c.case_number.clone().unwrap_or_else(|| "—".into()),
                ),
                cell(lang.t("cases.col.institution"), &c.institution_name),
                cell(lang.t("cases.col.received"), c.received_on.to_string()),
                badge(lang.t("field.stage"), st, class),
                badge(lang.t("cases.col.deadline"), due, due_class),
            ]
        })
    };
    Ok(render(&ListPage {
        c: Chrome::new(&a, lang, title, "/cases"),
        v,
    }))
}

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

/// Deadline alerts and overdue rates per institution in the caller's scope.
pub async fn deadlines(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::ViewCases).or_page(lang)?;
    let alerts = cases::alerts(&s.db, &a.scope(), 200).await.or_page(lang)?;
    let rates = cases::overdue_rates(&s.db, &a.scope(), today())
        .await
        .or_page(lang)?;
    let none = lang.t("detail.none").to_string();
    let v = DetailView {
        tables: vec![
            DetailTable {
                title: lang.t("cases.alerts").into(),
                head: vec![
                    lang.t("cases.col.case").into(),
                    lang.t("cases.col.institution").into(),
                    lang.t("cases.col.client").into(),
                    lang.t("cases.col.deadline").into(),
                    lang.t("cases.col.due_on").into(),
                    lang.t("cases.col.alert").into(),
                ],
                rows: alerts
                    .iter()
                    .map(|x| {
                        vec![
                            lang.tf("cases.number", &[("id", &x.case_id.to_string())]),
                            x.institution_name.clone(),
                            x.client_name.clone(),
                            if x.deadline == "accept" {
                                lang.t("cases.col.accept_limit").into()
                            } else {
                                lang.t("cases.col.complete_limit").into()
                            },
                            x.due_on.clone(),
                            if x.kind == "overdue" {
                                lang.t("cases.queue.overdue").into()
                            } else {
                                lang.t("cases.queue.due_soon").into()
                            },
                        ]
                    })
                    .collect(),
                empty: none.clone(),
                link: None,
            },
            DetailTable {
                title: lang.t("cases.overdue_rates").into(),
                head: vec![
                    lang.t("cases.col.institution").into(),
                    lang.t("cases.col.cases").into(),
                    lang.t("cases.col.overdue").into(),
                    lang.t("cases.col.overdue_rate").into(),
                ],
                rows: rates
                    .iter()
                    .map(|r| {
                        vec![
                            r.institution_name.clone(),
                            r.cases.to_string(),
                            r.overdue.to_string(),
                            format!(
                                "{:.1}%",
                                if r.cases == 0 {
                                    0.0
                                } else {
                                    100.0 * r.overdue as f64 / r.cases as f64
                                }
                            ),
                        ]
                    })
                    .collect(),
                empty: none,
                link: None,
            },
        ],
        title: lang.t("cases.deadlines").into(),
        badge: None,
        back: "/cases".into(),
        actions: Vec::new(),
        fields: Vec::new(),
        show_history: false,
        history: Vec::new(),
    };
    Ok(render(&DetailPage {
        c: Chrome::new(&a, lang, v.title.clone(), "/cases"),
        v,
    }))
}
