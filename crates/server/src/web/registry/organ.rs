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
    let kinds = options(lang, &OrganKind::ALL);
    let filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter("kind", lang.t("field.kind"), kinds),
    ];
    let columns = [
        ("field.name", "name"),
        ("field.kind", "kind"),
        ("field.region", "region"),
        ("field.phone", ""),
    ];
    let v = p.view(lang, lang.t("nav.organs").into(), &columns, &page, |o| {
        vec![
            link(&o.name, format!("/organs/{}", o.id)),
            cell(organ_kind(lang, o.kind)),
            cell(&o.region_name),
            cell(&o.phone),
        ]
    });
    let v = v.with_filters(filters).with_new_link(
        a.role().may(Action::EditOrgans),
        "/organs/new",
        lang.t("list.new"),
    );
    Ok(crate::web::listing::respond(&a, lang, &p, v))
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
    let v = DetailView {
        badge: Some((organ_kind(lang, o.kind), "")),
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
        ..record_view::<OrganForm>(&s, &a, lang, "organ", id, &o.name).await
    };
    Ok(render(
        &DetailPage::of(&a, lang, "/organs", v).saved_flash(&q),
    ))
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

    async fn form(cx: FormFor<'_>, f: &FormData) -> FormView {
        let FormFor { s, a, lang, .. } = cx;
        let t = |k| lang.t(k).to_string();
        let kinds = options(lang, &OrganKind::ALL);
        let fields = vec![
            FormField::text("name", t("field.name"), f.text("name")).required(),
            FormField::select("kind", t("field.kind"), f.text("kind"), kinds).required(),
            region_field(s, a, lang, f).await,
            FormField::text("address", t("field.address"), f.text("address")),
            FormField::text("phone", t("field.phone"), f.text("phone")),
        ];
        cx.view(&t("nav.organs"), &f.text("name"), fields)
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
        Ok(crate::organs::create(s, a, &organ_input(f)).await?.id)
    }

    async fn update(
        s: &AppState,
        a: &Authed,
        id: i64,
        version: i64,
        f: &FormData,
    ) -> AppResult<()> {
        crate::organs::update(s, a, id, version, &organ_input(f)).await?;
        Ok(())
    }
}
