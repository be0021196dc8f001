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
        p.select_filter("stage", lang.t("field.stage"), options(lang, &Stage::ALL)),
    ];
    let columns = [
        ("cases.col.case", ""),
        ("cases.col.client", "client"),
        ("cases.col.case_number", ""),
        ("cases.col.institution", ""),
        ("cases.col.received", "received"),
        ("field.stage", "stage"),
        ("cases.col.deadline", "due"),
    ];
    let title = match a.role() {
        r if r.is_institution_staff() => lang.t("cases.title.staff"),
        sijian_domain::Role::Organ => lang.t("cases.title.organ"),
        sijian_domain::Role::Appraiser => lang.t("cases.title.appraiser"),
        _ => lang.t("cases.title.regulator"),
    };
    let mut v = p.view(lang, title.into(), &columns, &page, |c| {
        let policy = s.cfg.procedure.for_path(&c.region_path);
        let (st, class) = stage_badge(lang, c);
        let (due, due_class) = clock_badge(lang, c, &clock_of(c, env.today, &env.cal, &policy));
        vec![
            link(
                lang.tf(
                    "cases.no_lineage",
                    &[
                        ("id", &c.id.to_string()),
                        ("lineage", lineage_label(lang, &c.lineage)),
                    ],
                ),
                format!("/cases/{}", c.id),
            ),
            cell(&c.client_name),
            cell(c.case_number.clone().unwrap_or_else(|| "—".into())),
            cell(&c.institution_name),
            cell(c.received_on.to_string()),
            badge(st, class),
            badge(due, due_class),
        ]
    });
    v.new_link = if a.role().may(Action::CommissionCase) {
        Some(("/cases/new".to_string(), lang.t("cases.new").to_string()))
    } else {
        Some((
            "/cases/deadlines".to_string(),
            lang.t("cases.deadlines").to_string(),
        ))
    };
    Ok(crate::web::listing::respond(
        &a,
        lang,
        &p,
        v.with_filters(filters),
    ))
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
    let alert_rows = alerts
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
                crate::labels::due_date(lang, &x.due_on, x.due_provisional),
                if x.kind == "overdue" {
                    lang.t("cases.queue.overdue").into()
                } else {
                    lang.t("cases.queue.due_soon").into()
                },
            ]
        })
        .collect();
    let rate_rows = rates
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
        .collect();
    let alert_head = [
        "cases.col.case",
        "cases.col.institution",
        "cases.col.client",
        "cases.col.deadline",
        "cases.col.due_on",
        "cases.col.alert",
    ];
    let rate_head = [
        "cases.col.institution",
        "cases.col.cases",
        "cases.col.overdue",
        "cases.col.overdue_rate",
    ];
    let v = DetailView {
        tables: vec![
            DetailTable::of(lang, "cases.alerts", &alert_head, alert_rows).linked(
                alerts
                    .iter()
                    .map(|x| Some(format!("/cases/{}", x.case_id)))
                    .collect(),
            ),
            DetailTable::of(lang, "cases.overdue_rates", &rate_head, rate_rows),
        ],
        ..DetailView::new(lang.t("cases.deadlines"), "/cases")
    };
    Ok(render(&DetailPage::of(&a, lang, "/cases", v)))
}
