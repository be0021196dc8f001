//! The commissioning organs: list, record, and the new and edit forms.
use super::*;

pub async fn organs_list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewOrgans).or_page(lang)?;
    let p = ListParams::new("/organs", q);
    let page = organs::list(&s.db, &a.scope(), p.get("kind"), &p.query())
        .await
        .or_page(lang)?;
    let kinds = OrganKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                lang.pick(k.label_zh(), k.label_en()).to_string(),
            )
        })
        .collect();
    let filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter("kind", lang.t("field.kind"), kinds),
    ];
    let cols = vec![
        p.column(lang.t("field.name"), "name"),
        p.column(lang.t("field.kind"), "kind"),
        p.column(lang.t("field.region"), "region"),
        p.column(lang.t("field.phone"), ""),
    ];
    let new_link = a
        .role()
        .may(Action::EditOrgans)
        .then(|| ("/organs/new".to_string(), lang.t("list.new").to_string()));
    let v = ListView {
        new_link,
        filters,
        ..p.view(lang, lang.t("nav.organs").into(), cols, &page, |o| {
            vec![
                link(lang.t("field.name"), &o.name, format!("/organs/{}", o.id)),
                cell(lang.t("field.kind"), organ_kind(lang, o.kind)),
                cell(lang.t("field.region"), &o.region_name),
                cell(lang.t("field.phone"), &o.phone),
            ]
        })
    };
    Ok(render(&ListPage {
        c: Chrome::new(&a, lang, lang.t("nav.organs"), "/organs"),
        v,
    }))
}

pub async fn organ_detail(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewOrgans).or_page(lang)?;
    let o = organs::get(&s.db, &a.scope(), id).await.or_page(lang)?;
    let t = |k| lang.t(k).to_string();
    let mut actions = Vec::new();
    if a.role().may(Action::EditOrgans) {
        actions.push(ActionButton::link(
            t("action.edit"),
            format!("/organs/{id}/edit"),
        ));
    }
    let (show_history, history) = history(&s, &a, lang, "organ", id).await;
    let v = DetailView {
        tables: Vec::new(),
        title: o.name.clone(),
        badge: Some((organ_kind(lang, o.kind), "")),
        back: "/organs".into(),
        actions,
        fields: vec![
            (
                t("field.region"),
                format!("{} ({})", o.region_name, o.region_code),
                None,
            ),
            (t("field.address"), o.address.clone(), None),
            (t("field.phone"), o.phone.clone(), None),
            (t("field.updated_at"), fmt_time(o.updated_at), None),
            (t("field.version"), o.version.to_string(), None),
        ],
        show_history,
        history,
    };
    let c = Chrome::new(&a, lang, o.name.clone(), "/organs").saved_flash(&q);
    Ok(render(&DetailPage { c, v }))
}

pub(super) async fn organ_form(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    id: Option<i64>,
    f: &FormData,
    version: Option<i64>,
) -> FormView {
    let t = |k| lang.t(k).to_string();
    let kinds = OrganKind::ALL
        .iter()
        .map(|k| {
            (
                k.as_str().to_string(),
                lang.pick(k.label_zh(), k.label_en()).to_string(),
            )
        })
        .collect();
    let fields = vec![
        FormField::text("name", t("field.name"), f.text("name")).required(),
        FormField::select("kind", t("field.kind"), f.text("kind"), kinds).required(),
        FormField::select(
            "region_code",
            t("field.region"),
            f.text("region_code"),
            region_options(s, a).await,
        )
        .required(),
        FormField::text("address", t("field.address"), f.text("address")),
        FormField::text("phone", t("field.phone"), f.text("phone")),
    ];
    FormView::record(
        lang,
        "/organs",
        &t("nav.organs"),
        id.map(|id| (id, version)),
        &f.text("name"),
        fields,
    )
}

pub(super) fn organ_input(f: &FormData) -> OrganInput {
    OrganInput {
        name: f.get("name"),
        kind: f.get("kind"),
        region_code: f.get("region_code"),
        address: f.get("address"),
        phone: f.get("phone"),
    }
}

/// The commissioning organs' new and edit pages.
pub struct OrganForm;

impl RecordForm for OrganForm {
    const BASE: &'static str = "/organs";
    const CREATE: Action = Action::EditOrgans;
    const EDIT: Action = Action::EditOrgans;

    async fn form(
        s: &AppState,
        a: &Authed,
        lang: Lang,
        id: Option<i64>,
        f: &FormData,
        version: Option<i64>,
    ) -> FormView {
        organ_form(s, a, lang, id, f, version).await
    }

    async fn load(s: &AppState, a: &Authed, id: i64) -> AppResult<(FormData, i64)> {
        let o = organs::get(&s.db, &a.scope(), id).await?;
        let f = FormData(vec![
            ("name".into(), o.name.clone()),
            ("kind".into(), o.kind.as_str().to_string()),
            ("region_code".into(), o.region_code.clone()),
            ("address".into(), o.address.clone()),
            ("phone".into(), o.phone.clone()),
        ]);
        Ok((f, o.version))
    }

    async fn create(s: &AppState, a: &Authed, f: &FormData) -> AppResult<i64> {
        let fields = organ_input(f).apply(None).map_err(AppError::validation)?;
        Ok(organs::create(&s.db, &a.actor(), &a.scope(), &fields)
            .await?
            .id)
    }

    async fn update(
        s: &AppState,
        a: &Authed,
        id: i64,
        version: i64,
        f: &FormData,
    ) -> AppResult<()> {
        let scope = a.scope();
        let cur = organs::get(&s.db, &scope, id).await?;
        let base = organs::OrganFields {
            name: cur.name,
            kind: cur.kind.as_str().to_string(),
            region_code: cur.region_code,
            address: cur.address,
            phone: cur.phone,
        };
        let fields = organ_input(f)
            .apply(Some(&base))
            .map_err(AppError::validation)?;
        organs::update(&s.db, &a.actor(), &scope, id, version, &fields).await?;
        Ok(())
    }
}
