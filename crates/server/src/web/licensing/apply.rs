//! Applying: the choice of kind and the application form.
use super::*;

/// Kinds filed through these pages (all of them; establishing is filed at a regulator).
pub(super) fn web_kinds(a: &Authed) -> Vec<ApplicationKind> {
    let mut v = vec![
        ApplicationKind::AppraiserRegister,
        ApplicationKind::AppraiserChange,
        ApplicationKind::AppraiserCancel,
        ApplicationKind::InstitutionChange,
        ApplicationKind::InstitutionRenew,
        ApplicationKind::InstitutionCancel,
    ];
    if a.role().is_regulator() {
        v.insert(0, ApplicationKind::InstitutionEstablish);
    }
    v
}

pub async fn new_choice(PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::SubmitApplication).or_page(lang)?;
    let kinds = web_kinds(&a).into_iter().map(|k| {
        ActionButton::link(
            lang.pick(k.label_zh(), k.label_en()),
            format!("/applications/new/{}", k.as_str()),
        )
    });
    let v = DetailView {
        actions: kinds.collect(),
        fields: vec![explanation(lang, "licensing.new.intro")],
        ..DetailView::new(lang.t("licensing.new"), "/applications")
    };
    Ok(render(&DetailPage::of(&a, lang, "/applications", v)))
}

/// A page's explanation, its text the catalogue's `key`.
pub(super) fn explanation(lang: Lang, key: &str) -> Field {
    (
        lang.t("licensing.new.explain").into(),
        lang.t(key).into(),
        None,
    )
}

pub(super) async fn institution_options(s: &AppState, a: &Authed) -> Vec<(String, String)> {
    registry::list_institutions(
        &s.db,
        &a.scope(),
        &Default::default(),
        &ListQuery {
            per_page: 200,
            sort: Some("name".into()),
            ..Default::default()
        },
    )
    .await
    .map(|p| {
        p.items
            .into_iter()
            .map(|i| (i.id.to_string(), i.name))
            .collect()
    })
    .unwrap_or_default()
}

pub(super) async fn new_form(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    kind: ApplicationKind,
    f: &FormData,
) -> FormView {
    let t = |k: &str| lang.t(k).to_string();
    let mut fields = Vec::new();
    if kind != ApplicationKind::InstitutionEstablish && !matches!(a.scope(), Scope::Institution(_))
    {
        fields.push(
            FormField::select(
                "institution_id",
                t("field.institution"),
                f.text("institution_id"),
                institution_options(s, a).await,
            )
            .required(),
        );
    }
    let yes_no = |name: &'static str, label: &str, help: &str| {
        FormField::checkbox(name, label.into(), f.flag(name), help.into())
    };
    match kind {
        ApplicationKind::AppraiserRegister => {
            fields.extend([
                FormField::text("name", t("field.person_name"), f.text("name")).required(),
                gender_field(lang, f),
                FormField::text("id_number", t("field.id_number"), f.text("id_number"))
                    .required()
                    .help(lang.t("licensing.help.id_number")),
                FormField::text("birth_date", t("field.birth_date"), f.text("birth_date"))
                    .typed("date")
                    .help(lang.t("licensing.help.birth")),
                FormField::select(
                    "education",
                    t("field.education"),
                    f.text("education"),
                    crate::labels::value_options(lang, "education", &EDUCATION),
                ),
                FormField::text(
                    "certificate_no",
                    t("field.certificate_no"),
                    f.text("certificate_no"),
                )
                .required()
                .help(lang.t("licensing.field.certificate")),
                scope_field(lang, f)
                    .required()
                    .help(lang.t("licensing.help.items")),
                FormField::text("title", t("field.title"), f.text("title")),
                yes_no(
                    "senior_title",
                    &t("field.senior_title"),
                    lang.t("licensing.help.senior"),
                ),
                FormField::text("phone", t("field.phone"), f.text("phone")),
                yes_no(
                    "industry_qualification",
                    lang.t("licensing.field.industry"),
                    lang.t("licensing.help.industry"),
                ),
                FormField::text(
                    "years_in_field",
                    lang.t("licensing.decl.years").into(),
                    f.text("years_in_field"),
                )
                .typed("number")
                .required(),
                yes_no(
                    "experience_based",
                    lang.t("licensing.field.experience"),
                    lang.t("licensing.help.experience"),
                ),
                yes_no(
                    "healthy",
                    lang.t("licensing.field.health"),
                    lang.t("licensing.help.health"),
                ),
                yes_no(
                    "criminal_record",
                    lang.t("licensing.field.criminal"),
                    lang.t("licensing.help.criminal"),
                ),
                yes_no(
                    "dismissed_from_public_office",
                    lang.t("licensing.field.dismissed"),
                    lang.t("licensing.decl.dismissed"),
                ),
                yes_no(
                    "lacks_capacity",
                    lang.t("licensing.field.capacity"),
                    lang.t("licensing.help.capacity"),
                ),
            ]);
        }
        ApplicationKind::InstitutionEstablish => {
            fields.extend([
                FormField::text("name", t("field.name"), f.text("name")).required(),
                FormField::text("uscc", t("field.uscc"), f.text("uscc"))
                    .help(lang.t("licensing.help.credit_code")),
                FormField::text("licence_no", t("field.licence_no"), f.text("licence_no"))
                    .required()
                    .help(lang.t("licensing.field.licence_no")),
                FormField::text(
                    "licence_valid_to",
                    t("field.licence_valid_to"),
                    f.text("licence_valid_to"),
                )
                .typed("date"),
                region_field(s, a, lang, f).await,
                FormField::text(
                    "registering_authority",
                    t("field.registering_authority"),
                    f.text("registering_authority"),
                ),
                scope_field(lang, f).required(),
                FormField::select(
                    "qualification_level",
                    t("field.qualification_level"),
                    f.text("qualification_level"),
                    crate::labels::value_options(lang, "qualification", &QUALIFICATION_LEVELS),
                )
                .required(),
                FormField::text("address", t("field.address"), f.text("address")).required(),
                FormField::text("legal_rep", t("field.legal_rep"), f.text("legal_rep")),
                FormField::text("head_name", t("field.head_name"), f.text("head_name")),
                FormField::text("phone", t("field.phone"), f.text("phone")),
                FormField::text(
                    "funds_yuan",
                    lang.t("licensing.field.funds").into(),
                    f.text("funds_yuan"),
                )
                .typed("number")
                .required(),
                yes_no(
                    "has_equipment",
                    lang.t("licensing.field.equipment"),
                    lang.t("licensing.help.equipment"),
                ),
                FormField::select(
                    "acc1_kind",
                    lang.tf(
                        "licensing.accreditation.kind",
                        &[("what", &t("field.accreditations"))],
                    ),
                    f.text("acc1_kind"),
                    vec![
                        ("CMA".into(), lang.t("licensing.accreditation.cma").into()),
                        ("CNAS".into(), lang.t("licensing.accreditation.cnas").into()),
                    ],
                ),
                FormField::text(
                    "acc1_no",
                    lang.tf(
                        "licensing.accreditation.no",
                        &[("what", &t("field.accreditations"))],
                    ),
                    f.text("acc1_no"),
                ),
                FormField::text(
                    "acc1_expires",
                    lang.tf(
                        "licensing.accreditation.until",
                        &[("what", &t("field.accreditations"))],
                    ),
                    f.text("acc1_expires"),
                )
                .typed("date"),
                FormField::text(
                    "apps_1",
                    lang.t("licensing.field.forensic_medicine").into(),
                    f.text("apps_1"),
                )
                .typed("number"),
                FormField::text(
                    "apps_2",
                    lang.t("licensing.field.physical_evidence").into(),
                    f.text("apps_2"),
                )
                .typed("number"),
                FormField::text(
                    "apps_3",
                    lang.t("licensing.field.audiovisual").into(),
                    f.text("apps_3"),
                )
                .typed("number"),
                FormField::text(
                    "apps_4",
                    lang.t("licensing.field.environmental").into(),
                    f.text("apps_4"),
                )
                .typed("number"),
                yes_no(
                    "military",
                    &t("field.military"),
                    lang.t("licensing.field.military"),
                ),
            ]);
        }
        ApplicationKind::InstitutionRenew => {
            fields.push(
                FormField::text(
                    "licence_valid_to",
                    lang.t("licensing.field.renewed_until").into(),
                    f.text("licence_valid_to"),
                )
                .typed("date")
                .required(),
            );
        }
        ApplicationKind::AppraiserCancel => {
            let apps = registry::list_appraisers(
                &s.db,
                &a.scope(),
                &Default::default(),
                &ListQuery {
                    per_page: 200,
                    ..Default::default()
                },
            )
            .await
            .map(|p| {
                p.items
                    .into_iter()
                    .filter(|x| x.status != "cancelled")
                    .map(|x| {
                        (
                            x.id.to_string(),
                            format!("{}（{}，{}）", x.name, x.certificate_no, x.institution_name),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
            fields.push(
                FormField::select(
                    "appraiser_id",
                    t("nav.appraisers"),
                    f.text("appraiser_id"),
                    apps,
                )
                .required(),
            );
            fields.push(
                FormField::textarea(
                    "reason",
                    lang.t("licensing.field.deregistration"),
                    f.text("reason"),
                )
                .required(),
            );
        }
        _ => {
            fields.push(
                FormField::textarea(
                    "reason",
                    lang.t("licensing.field.deregistration"),
                    f.text("reason"),
                )
                .required(),
            );
        }
    }
    fields.push(
        FormField::text("attachments", t("licensing.attachments"), "")
            .typed("file")
            .help(lang.t("licensing.help.attachments")),
    );
    if matches!(
        kind,
        ApplicationKind::InstitutionEstablish | ApplicationKind::AppraiserRegister
    ) {
        fields.push(
            FormField::text(
                "military_opinion",
                lang.t("licensing.field.military_opinion").into(),
                "",
            )
            .typed("file")
            .help(lang.t("licensing.help.military_opinion")),
        );
    }
    FormView {
        title: format!(
            "{} · {}",
            t("licensing.new"),
            lang.pick(kind.label_zh(), kind.label_en())
        ),
        intro: Some(lang.t("licensing.new.form_intro").into()),
        action: format!("/applications/new/{}", kind.as_str()),
        hidden: Vec::new(),
        fields,
        errors: Vec::new(),
        submit: t("licensing.submit"),
        cancel: "/applications".into(),
        confirm: true,
    }
}

pub async fn new_page(
    State(s): State<AppState>,
    PageUser(a, lang): PageUser,
    Path(kind): Path<String>,
) -> PageResult {
    a.require(Action::SubmitApplication).or_page(lang)?;
    let kind = ApplicationKind::parse(&kind)
        .filter(|k| web_kinds(&a).contains(k))
        .ok_or(AppError::not_found())
        .or_page(lang)?;
    let init = FormData(vec![
        ("healthy".into(), "true".into()),
        ("qualification_level".into(), "ordinary".into()),
    ]);
    let v = new_form(&s, &a, lang, kind, &init).await;
    Ok(form_page(&a, lang, "/applications", v))
}

pub(super) fn attachment_inputs(files: &[UploadedFile]) -> Vec<AttachmentInput> {
    files
        .iter()
        .map(|x| AttachmentInput {
            name: x.file_name.clone(),
            content_type: x.content_type.clone(),
            data_base64: base64::engine::general_purpose::STANDARD.encode(&x.data),
            purpose: (x.field == "military_opinion").then(|| "military_opinion".into()),
        })
        .collect()
}

pub(super) fn submit_body(
    kind: ApplicationKind,
    f: &FormData,
    files: &[UploadedFile],
) -> SubmitBody {
    let num = |k: &str| f.get(k).and_then(|v| v.trim().parse::<u64>().ok());
    let mut b = SubmitBody {
        kind: kind.as_str().into(),
        institution_id: f.int("institution_id"),
        appraiser_id: f.int("appraiser_id"),
        reason: f.get("reason"),
        attachments: attachment_inputs(files),
        ..Default::default()
    };
    match kind {
        ApplicationKind::AppraiserRegister => {
            b.appraiser = Some(AppraiserInput {
                name: f.get("name"),
                gender: f.get("gender"),
                birth_date: f.get("birth_date"),
                id_number: f.get("id_number"),
                education: f.get("education"),
                certificate_no: f.get("certificate_no"),
                scope: Some(f.all("scope")),
                title: f.get("title"),
                senior_title: Some(f.flag("senior_title")),
                phone: f.get("phone"),
                ..Default::default()
            });
            b.declarations = Declarations {
                industry_qualification: f.flag("industry_qualification"),
                years_in_field: num("years_in_field").unwrap_or(0) as u32,
                experience_based: f.flag("experience_based"),
                healthy: f.flag("healthy"),
                criminal_record: f.flag("criminal_record"),
                dismissed_from_public_office: f.flag("dismissed_from_public_office"),
                lacks_capacity: f.flag("lacks_capacity"),
                ..Default::default()
            };
        }
        ApplicationKind::InstitutionEstablish => {
            let acc = (!f.text("acc1_kind").is_empty()).then(|| {
                vec![registry::Accreditation {
                    kind: f.text("acc1_kind"),
                    certificate_no: f.text("acc1_no"),
                    scope: String::new(),
                    expires_on: f.text("acc1_expires"),
                }]
            });
            b.institution = Some(InstitutionInput {
                name: f.get("name"),
                uscc: f.get("uscc"),
                licence_no: f.get("licence_no"),
                licence_valid_to: f.get("licence_valid_to"),
                region_code: f.get("region_code"),
                registering_authority: f.get("registering_authority"),
                scope: Some(f.all("scope")),
                qualification_level: f.get("qualification_level"),
                accreditations: acc,
                address: f.get("address"),
                legal_rep: f.get("legal_rep"),
                head_name: f.get("head_name"),
                phone: f.get("phone"),
                military: Some(f.flag("military")),
                ..Default::default()
            });
            b.declarations = Declarations {
                funds_yuan: num("funds_yuan").unwrap_or(0),
                has_equipment: f.flag("has_equipment"),
                appraisers_per_category: (1..=4)
                    .filter_map(|d| num(&format!("apps_{d}")).map(|n| (d.to_string(), n as u32)))
                    .collect(),
                ..Default::default()
            };
        }
        ApplicationKind::InstitutionRenew => {
            b.institution = Some(InstitutionInput {
                licence_valid_to: f.get("licence_valid_to"),
                ..Default::default()
            });
        }
        _ => {}
    }
    b
}

pub async fn new_submit(
    State(s): State<AppState>,
    Path(kind): Path<String>,
    p: MultipartPost,
) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::SubmitApplication).or_page(lang)?;
    let kind = ApplicationKind::parse(&kind)
        .filter(|k| web_kinds(a).contains(k))
        .ok_or(AppError::not_found())
        .or_page(lang)?;
    let body = submit_body(kind, &p.form, &p.files);
    match sijian_service::licensing::submit(&s, a, &body)
        .await
        .map_err(AppError::from)
    {
        Ok(app) => Ok(done_redirect(app.id, "application.submitted")),
        Err(mut e) => {
            // Field names of nested inputs ("appraiser.name", "declarations.healthy") are the
            // form's own names.
            for f in &mut e.fields {
                if let Some((_, rest)) = f.field.split_once('.') {
                    f.field = rest.to_string();
                }
            }
            let v = new_form(&s, a, lang, kind, &p.form).await;
            Err(form_refused(a, lang, "/applications", v, e))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Experts
