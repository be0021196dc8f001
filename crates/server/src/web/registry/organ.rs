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

pub async fn organ_new(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::EditOrgans).or_page(lang)?;
    let v = organ_form(&s, &a, lang, None, &FormData::default(), None).await;
    Ok(form_page(&a, lang, "/organs", v))
}

pub async fn organ_create(State(s): State<AppState>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::EditOrgans).or_page(lang)?;
    let result = match organ_input(&p.form).apply(None) {
        Ok(f) => organs::create(&s.db, &a.actor(), &a.scope(), &f)
            .await
            .map_err(AppError::from),
        Err(errs) => Err(AppError::validation(errs)),
    };
    match result {
        Ok(o) => Ok(redirect(&format!("/organs/{}?saved=1", o.id))),
        Err(e) => {
            let v = organ_form(&s, a, lang, None, &p.form, None).await;
            Err(form_refused(a, lang, "/organs", v, e))
        }
    }
}

pub async fn organ_edit(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    a.require(Action::EditOrgans).or_page(lang)?;
    let o = organs::get(&s.db, &a.scope(), id).await.or_page(lang)?;
    let f = FormData(vec![
        ("name".into(), o.name.clone()),
        ("kind".into(), o.kind.as_str().to_string()),
        ("region_code".into(), o.region_code.clone()),
        ("address".into(), o.address.clone()),
        ("phone".into(), o.phone.clone()),
    ]);
    let v = organ_form(&s, &a, lang, Some(id), &f, Some(o.version)).await;
    Ok(form_page(&a, lang, "/organs", v))
}

pub async fn organ_update(State(s): State<AppState>, Path(id): Path<i64>, p: Post) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::EditOrgans).or_page(lang)?;
    let scope = a.scope();
    let cur = organs::get(&s.db, &scope, id).await.or_page(lang)?;
    let version = p.form.int("version").unwrap_or(-1);
    let base = organs::OrganFields {
        name: cur.name,
        kind: cur.kind.as_str().to_string(),
        region_code: cur.region_code,
        address: cur.address,
        phone: cur.phone,
    };
    let result = match organ_input(&p.form).apply(Some(&base)) {
        Ok(f) => organs::update(&s.db, &a.actor(), &scope, id, version, &f)
            .await
            .map_err(AppError::from),
        Err(errs) => Err(AppError::validation(errs)),
    };
    match result {
        Ok(_) => Ok(redirect(&format!("/organs/{id}?saved=1"))),
        Err(e) => {
            let v = organ_form(&s, a, lang, Some(id), &p.form, Some(version)).await;
            Err(form_refused(a, lang, "/organs", v, e))
        }
    }
}
