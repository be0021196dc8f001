//! The institutions' register: list, record, and the new and edit forms.
use super::*;

/// The cells of an institution in a list: name (linking to `href`), licence, region,
/// categories, number of appraisers, status. Shared by the register and the public directory.
pub fn institution_row(lang: Lang, i: &registry::Institution, href: String) -> Vec<Cell> {
    let (st, class) = inst_status(lang, &i.status);
    vec![
        link(&i.name, href),
        cell(&i.licence_no),
        cell(&i.region_name),
        cell(category_labels(lang, &i.categories)),
        cell(i.appraiser_count.to_string()),
        badge(st, class),
    ]
}

/// "Export CSV" for those who may export the register, keeping the list's filters.
pub(super) fn export_link(a: &Authed, p: &ListParams, what: &str) -> Option<String> {
    a.role()
        .may(Action::ExportRegister)
        .then(|| format!("/api/v1/export/{what}.csv?{}", p.filter_query()))
}

// ---------------------------------------------------------------------------------------------
// Institutions

pub async fn institutions_list(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewInstitutions).or_page(lang)?;
    let p = ListParams::new("/institutions", q);
    let f = registry::InstitutionFilter {
        status: p.get("status"),
        category: p.get("category"),
        item: p.get("item"),
        region_code: p.get("region"),
        qualification_level: p.get("qualification_level"),
    };
    let page = registry::list_institutions(&s.db, &a.scope(), &f, &p.query())
        .await
        .or_page(lang)?;
    let statuses = options(lang, &InstitutionStatus::ALL);
    let mut filters = vec![
        p.text_filter("q", lang.t("list.search")),
        p.select_filter("status", lang.t("field.status"), statuses),
    ];
    filters.extend(classification_filters(&p, lang));
    filters.extend([
        p.select_filter(
            "qualification_level",
            lang.t("field.qualification_level"),
            crate::labels::value_options(
                lang,
                "qualification",
                &sijian_service::inputs::QUALIFICATION_LEVELS,
            ),
        ),
        p.select_filter(
            "region",
            lang.t("field.region"),
            region_options(&s, &a).await,
        ),
    ]);
    let columns = [
        ("field.name", "name"),
        ("field.licence_no", "licence"),
        ("field.region", "region"),
        ("field.categories", ""),
        ("field.appraiser_count", ""),
        ("field.status", "status"),
        ("field.updated_at", "updated"),
    ];
    let title = lang.t("nav.institutions").into();
    let v = p.view(lang, title, &columns, &page, |i| {
        let mut row = institution_row(lang, i, format!("/institutions/{}", i.id));
        row.push(cell(fmt_time(i.updated_at)));
        row
    });
    let mut v = v.with_filters(filters).with_new_link(
        a.role().may(Action::CreateInstitution),
        "/institutions/new",
        lang.t("list.new"),
    );
    // The register's own export (more columns), for those who may export it.
    v.export = export_link(&a, &p, "institutions");
    Ok(crate::web::listing::respond(&a, lang, &p, v))
}

pub async fn institution_detail(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> PageResult {
    a.require(Action::ViewInstitutions).or_page(lang)?;
    let i = registry::get_institution(&s.db, &a.scope(), id)
        .await
        .or_page(lang)?;
    let (st, class) = inst_status(lang, &i.status);
    let t = |k| lang.t(k).to_string();
    let v = DetailView {
        badge: Some((st, class)),
        fields: vec![
            (
                t("field.uscc"),
                match &i.uscc_override {
                    Some(r) => lang.tf(
                        "registry.code_exception",
                        &[("code", &i.uscc.clone().unwrap_or_default()), ("reason", r)],
                    ),
                    None => i.uscc.clone().unwrap_or_else(|| "—".into()),
                },
                None,
            ),
            (t("field.licence_no"), i.licence_no.clone(), None),
            (
                t("field.region"),
                format!("{} ({})", i.region_name, i.region_code),
                None,
            ),
            (
                t("field.categories"),
                category_labels(lang, &i.categories),
                None,
            ),
            (t("field.scope"), scope_labels_in(lang, &i.scope), None),
            (
                t("field.qualification_level"),
                crate::labels::qualification_label_in(lang, &i.qualification_level),
                None,
            ),
            (
                t("field.registering_authority"),
                or_dash(&i.registering_authority),
                None,
            ),
            (
                t("field.licence_valid_to"),
                i.licence_valid_to
                    .map_or_else(|| "—".into(), |d| d.to_string()),
                None,
            ),
            (
                t("field.accreditations"),
                accreditation_text(lang, &i.accreditations.0),
                None,
            ),
            (
                t("field.insurance"),
                if i.insurer.is_empty() {
                    "—".into()
                } else {
                    lang.tf(
                        "registry.insurance",
                        &[
                            ("insurer", &i.insurer),
                            ("policy", &or_dash(&i.insurance_policy)),
                            (
                                "until",
                                &i.insurance_expires
                                    .map_or_else(|| "—".into(), |d| d.to_string()),
                            ),
                        ],
                    )
                },
                None,
            ),
            (
                t("field.party_org"),
                if i.party_org {
                    lang.tf("registry.party.yes", &[("n", &i.party_members.to_string())])
                } else {
                    lang.tf("registry.party.no", &[("n", &i.party_members.to_string())])
                },
                None,
            ),
            (
                t("field.military"),
                t(if i.military { "yes" } else { "no" }),
                None,
            ),
            (t("field.legal_rep"), i.legal_rep.clone(), None),
            (t("field.head_name"), i.head_name.clone(), None),
            (t("field.address"), i.address.clone(), None),
            (t("field.phone"), i.phone.clone(), None),
            (
                t("field.appraiser_count"),
                i.appraiser_count.to_string(),
                Some(format!("/appraisers?institution_id={id}")),
            ),
            (t("field.created_at"), fmt_time(i.created_at), None),
            (t("field.updated_at"), fmt_time(i.updated_at), None),
            (t("field.version"), i.version.to_string(), None),
        ],
        ..record_view::<InstitutionForm>(&s, &a, lang, "institution", id, &i.name).await
    };
    let mut v = v;
    v.tables
        .push(status_table(&s, lang, "institution", id).await);
    Ok(render(
        &DetailPage::of(&a, lang, "/institutions", v).saved_flash(&q),
    ))
}

pub(super) fn institution_input(f: &FormData) -> InstitutionInput {
    // Disabled fields are not posted: a form without the name is a contact-details edit.
    let full = f.get("name").is_some();
    let accreditations = full.then(|| {
        (1..=2)
            .filter_map(|n| {
                let g = |x: &str| f.text(&format!("acc{n}_{x}"));
                (!g("kind").is_empty() || !g("no").is_empty()).then(|| registry::Accreditation {
                    kind: g("kind"),
                    certificate_no: g("no"),
                    scope: g("scope"),
                    expires_on: g("expires"),
                })
            })
            .collect()
    });
    InstitutionInput {
        name: f.get("name"),
        uscc: f.get("uscc"),
        uscc_override: f.get("uscc_override"),
        licence_no: f.get("licence_no"),
        licence_valid_to: f.get("licence_valid_to"),
        region_code: f.get("region_code"),
        registering_authority: f.get("registering_authority"),
        scope: full.then(|| f.all("scope")),
        categories: None,
        qualification_level: f.get("qualification_level"),
        accreditations,
        insurer: f.get("insurer"),
        insurance_policy: f.get("insurance_policy"),
        insurance_expires: f.get("insurance_expires"),
        military: full.then(|| f.flag("military")),
        party_org: f.get("insurer").map(|_| f.flag("party_org")),
        party_members: f
            .get("party_members")
            .map(|v| v.trim().parse().unwrap_or(-1)),
        legal_rep: f.get("legal_rep"),
        head_name: f.get("head_name"),
        address: f.get("address"),
        phone: f.get("phone"),
        status: f.get("status"),
        status_reason: f.get("status_reason"),
    }
}

pub(super) fn form_of_institution(i: &registry::Institution) -> FormData {
    let mut v = vec![
        ("name".to_string(), i.name.clone()),
        ("uscc".to_string(), i.uscc.clone().unwrap_or_default()),
        (
            "uscc_override".to_string(),
            i.uscc_override.clone().unwrap_or_default(),
        ),
        ("licence_no".to_string(), i.licence_no.clone()),
        ("region_code".to_string(), i.region_code.clone()),
        ("legal_rep".to_string(), i.legal_rep.clone()),
        ("head_name".to_string(), i.head_name.clone()),
        ("address".to_string(), i.address.clone()),
        ("phone".to_string(), i.phone.clone()),
        ("status".to_string(), i.status.clone()),
        (
            "licence_valid_to".to_string(),
            i.licence_valid_to
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        (
            "registering_authority".to_string(),
            i.registering_authority.clone(),
        ),
        (
            "qualification_level".to_string(),
            i.qualification_level.clone(),
        ),
        ("insurer".to_string(), i.insurer.clone()),
        ("insurance_policy".to_string(), i.insurance_policy.clone()),
        (
            "insurance_expires".to_string(),
            i.insurance_expires
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        ("party_members".to_string(), i.party_members.to_string()),
    ];
    if i.party_org {
        v.push(("party_org".into(), "true".into()));
    }
    if i.military {
        v.push(("military".into(), "true".into()));
    }
    for (n, acc) in i.accreditations.0.iter().take(2).enumerate() {
        let n = n + 1;
        v.push((format!("acc{n}_kind"), acc.kind.clone()));
        v.push((format!("acc{n}_no"), acc.certificate_no.clone()));
        v.push((format!("acc{n}_scope"), acc.scope.clone()));
        v.push((format!("acc{n}_expires"), acc.expires_on.clone()));
    }
    v.extend(
        registry::scope_codes(&i.scope)
            .into_iter()
            .map(|c| ("scope".to_string(), c.to_string())),
    );
    FormData(v)
}

/// The institutions' new and edit pages.
pub struct InstitutionForm;

impl RecordForm for InstitutionForm {
    const BASE: &'static str = "/institutions";
    const CREATE: Action = Action::CreateInstitution;
    const EDIT: Action = Action::EditInstitution;

    fn blank(_a: &Authed) -> FormData {
        FormData(vec![("status".into(), "normal".into())])
    }

    async fn form(cx: FormFor<'_>, f: &FormData) -> FormView {
        let FormFor { s, a, lang, id, .. } = cx;
        let t = |k| lang.t(k).to_string();
        let registration = a.role().may(Action::EditInstitutionRegistration);
        let lock = id.is_some() && !registration;
        let statuses = options(lang, &InstitutionStatus::ALL);
        let mut fields = vec![
            FormField::text("name", t("field.name"), f.text("name"))
                .required()
                .disabled(lock),
            FormField::text("uscc", t("field.uscc"), f.text("uscc"))
                .disabled(lock)
                .help(lang.t("registry.help.credit_code")),
            FormField::text(
                "uscc_override",
                t("field.uscc_override"),
                f.text("uscc_override"),
            )
            .disabled(lock)
            .help(lang.t("registry.help.code_exception")),
            FormField::text("licence_no", t("field.licence_no"), f.text("licence_no"))
                .required()
                .disabled(lock),
            region_field(s, a, lang, f).await.disabled(lock),
            FormField::text(
                "licence_valid_to",
                t("field.licence_valid_to"),
                f.text("licence_valid_to"),
            )
            .typed("date")
            .disabled(lock),
            FormField::text(
                "registering_authority",
                t("field.registering_authority"),
                f.text("registering_authority"),
            )
            .disabled(lock),
            scope_field(lang, f)
                .required()
                .disabled(lock)
                .help(lang.t("registry.help.scope")),
            FormField::select(
                "qualification_level",
                t("field.qualification_level"),
                f.text("qualification_level"),
                crate::labels::value_options(
                    lang,
                    "qualification",
                    &sijian_service::inputs::QUALIFICATION_LEVELS,
                ),
            )
            .required()
            .disabled(lock),
        ];
        for n in 1..=2 {
            let k = |x: &str| format!("acc{n}_{x}");
            let name = |x: &str| -> &'static str {
                match (n, x) {
                    (1, "kind") => "acc1_kind",
                    (1, "no") => "acc1_no",
                    (1, "scope") => "acc1_scope",
                    (1, _) => "acc1_expires",
                    (_, "kind") => "acc2_kind",
                    (_, "no") => "acc2_no",
                    (_, "scope") => "acc2_scope",
                    _ => "acc2_expires",
                }
            };
            let label = format!("{} {n}", t("field.accreditations"));
            fields.push(
                FormField::select(
                    name("kind"),
                    lang.tf("registry.acc.kind", &[("label", &label)]),
                    f.text(&k("kind")),
                    vec![
                        ("CMA".into(), lang.t("registry.accreditation.cma").into()),
                        ("CNAS".into(), lang.t("registry.accreditation.cnas").into()),
                    ],
                )
                .disabled(lock),
            );
            fields.push(
                FormField::text(
                    name("no"),
                    lang.tf("registry.acc.no", &[("label", &label)]),
                    f.text(&k("no")),
                )
                .disabled(lock),
            );
            fields.push(
                FormField::text(
                    name("scope"),
                    lang.tf("registry.acc.scope", &[("label", &label)]),
                    f.text(&k("scope")),
                )
                .disabled(lock),
            );
            fields.push(
                FormField::text(
                    name("expires"),
                    lang.tf("registry.acc.until", &[("label", &label)]),
                    f.text(&k("expires")),
                )
                .typed("date")
                .disabled(lock),
            );
        }
        fields.extend([
            FormField::text("insurer", t("field.insurer"), f.text("insurer")),
            FormField::text(
                "insurance_policy",
                t("field.insurance_policy"),
                f.text("insurance_policy"),
            ),
            FormField::text(
                "insurance_expires",
                t("field.insurance_expires"),
                f.text("insurance_expires"),
            )
            .typed("date"),
            FormField::checkbox(
                "party_org",
                t("field.party_org"),
                f.flag("party_org"),
                lang.t("registry.field.party").into(),
            ),
            FormField::text(
                "party_members",
                t("field.party_members"),
                f.text("party_members"),
            )
            .typed("number"),
            FormField::checkbox(
                "military",
                t("field.military"),
                f.flag("military"),
                lang.t("registry.field.military").into(),
            )
            .disabled(lock),
            FormField::text("legal_rep", t("field.legal_rep"), f.text("legal_rep")),
            FormField::text("head_name", t("field.head_name"), f.text("head_name")),
            FormField::text("address", t("field.address"), f.text("address")),
            FormField::text("phone", t("field.phone"), f.text("phone")),
        ]);
        if id.is_some() {
            fields.push(
                FormField::select("status", t("field.status"), f.text("status"), statuses)
                    .required()
                    .disabled(lock),
            );
        }
        // The basis of a direct registration or change of registration (决定第六条).
        let basis = FormField::text(
            "status_reason",
            t("field.register_basis"),
            f.text("status_reason"),
        )
        .disabled(lock)
        .help(lang.t("registry.help.register_basis"));
        fields.push(if id.is_none() {
            basis.required()
        } else {
            basis
        });
        FormView {
            confirm: id.is_some() && registration,
            ..cx.view(&t("nav.institutions"), &f.text("name"), fields)
        }
    }

    async fn load(s: &AppState, a: &Authed, id: i64) -> AppResult<(FormData, i64)> {
        let i = registry::get_institution(&s.db, &a.scope(), id).await?;
        Ok((form_of_institution(&i), i.version))
    }

    async fn create(s: &AppState, a: &Authed, f: &FormData) -> AppResult<i64> {
        Ok(
            sijian_service::registry::create_institution(s, a, &institution_input(f))
                .await?
                .id,
        )
    }

    async fn update(
        s: &AppState,
        a: &Authed,
        id: i64,
        version: i64,
        f: &FormData,
    ) -> AppResult<()> {
        sijian_service::registry::update_institution(s, a, id, version, &institution_input(f))
            .await?;
        Ok(())
    }
}
