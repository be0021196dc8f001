//! The commission form (委托): the organ's entrustment of a case with its materials.
use super::*;

/// The institutions a commission may go to, as options, with each one's business scope (the
/// form shows only the items it covers once one is chosen).
pub(super) async fn institution_opts(s: &AppState, a: &Authed) -> Vec<(String, String, String)> {
    cases::institution_options(&s.db)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|(id, ..)| match a.scope() {
            Scope::Institution(mine) => *id == mine,
            _ => true,
        })
        .map(|(id, name, region, scope)| (id.to_string(), format!("{name}（{region}）"), scope))
        .collect()
}

/// Rows shown when none has been entered yet; more are added in the browser.
const BLANK_ROWS: usize = 2;

/// The materials' columns: (field name, catalogue key). The client describes what it sends; the
/// last three are recorded by the institution when it checks them (通则第十二条), so only an
/// institution entering a commission itself fills them here.
pub(super) const MATERIAL_FIELDS: [(&str, &str); 6] = [
    ("m_name", "cases.material.name"),
    ("m_kind", "cases.material.kind"),
    ("m_quantity", "cases.material.quantity"),
    ("m_condition", "cases.material.condition"),
    ("m_storage", "cases.material.storage"),
    ("m_received_at", "cases.material.received_at"),
];

/// The material columns the caller fills: all six for institution staff, three for an organ.
fn material_columns(a: &Authed) -> &'static [(&'static str, &'static str)] {
    if a.role().is_institution_staff() {
        &MATERIAL_FIELDS
    } else {
        &MATERIAL_FIELDS[..3]
    }
}

/// The materials entered, one row per material, blank rows left out.
fn material_rows(f: &FormData) -> Vec<[String; 6]> {
    let cols: Vec<Vec<String>> = MATERIAL_FIELDS.iter().map(|(n, _)| f.all(n)).collect();
    let n = cols.iter().map(Vec::len).max().unwrap_or(0);
    (0..n)
        .map(|i| std::array::from_fn(|k| cols[k].get(i).cloned().unwrap_or_default()))
        .filter(|row: &[String; 6]| row.iter().any(|v| !v.trim().is_empty()))
        .collect()
}

fn materials_table(a: &Authed, lang: Lang, f: &FormData) -> TableInput {
    let cols = material_columns(a);
    let mut rows = material_rows(f);
    while rows.len() < BLANK_ROWS {
        rows.push(Default::default());
    }
    TableInput {
        columns: cols
            .iter()
            .map(|(_, key)| (lang.t(key).to_string(), true))
            .collect(),
        rows: rows
            .into_iter()
            .map(|row| {
                cols.iter()
                    .zip(row)
                    .map(|((name, key), value)| TableCell {
                        name,
                        label: lang.t(key).to_string(),
                        value,
                        kind: "text",
                        carry: None,
                    })
                    .collect()
            })
            .collect(),
        growable: true,
    }
}

pub(super) async fn commission_form(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    f: &FormData,
) -> FormView {
    let institutions = institution_opts(s, a).await;
    let scopes = institutions
        .iter()
        .map(|(.., scope)| scope.clone())
        .collect();
    let mut fields = vec![
        FormField::select(
            "institution_id",
            lang.t("cases.field.institution").into(),
            f.text("institution_id"),
            institutions
                .into_iter()
                .map(|(id, name, _)| (id, name))
                .collect(),
        )
        .option_data(scopes)
        .required(),
        FormField::text(
            "client_name",
            lang.t("cases.col.client").into(),
            f.text("client_name"),
        )
        .required(),
        FormField::select(
            "client_kind",
            lang.t("cases.field.client_kind").into(),
            f.text("client_kind"),
            options(lang, &OrganKind::ALL),
        )
        .required(),
    ];
    // Institution staff entering a paper commission may name the organ's account it came from;
    // the organ confirms it before the case is its own (issue 14, point 6).
    if let Scope::Institution(_) = a.scope() {
        let mut organs = vec![(String::new(), lang.t("cases.field.organ_none").to_string())];
        organs.extend(
            cases::organ_options(&s.db)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|(id, name, region)| (id.to_string(), format!("{name}（{region}）"))),
        );
        fields.push(
            FormField::select(
                "organ_id",
                lang.t("cases.field.organ_account").into(),
                f.text("organ_id"),
                organs,
            )
            .help(lang.t("cases.help.organ_account")),
        );
    }
    fields.extend([
        FormField::text(
            "client_contact",
            lang.t("cases.field.client_contact").into(),
            f.text("client_contact"),
        ),
        FormField::text(
            "case_number",
            lang.t("cases.col.case_number").into(),
            f.text("case_number"),
        )
        .help(lang.t("cases.help.case_number")),
        FormField::select(
            "case_type",
            lang.t("cases.field.case_type").into(),
            f.text("case_type"),
            crate::labels::value_options(lang, "case_type", CASE_TYPES),
        )
        .required(),
        FormField::checks(
            "items",
            lang.t("cases.field.matter").into(),
            f.all("items"),
            scope_options(lang),
        )
        .required()
        .class("tree"),
        FormField::text(
            "purpose",
            lang.t("cases.field.purpose").into(),
            f.text("purpose"),
        )
        .required(),
        FormField::textarea("summary", lang.t("cases.field.facts"), f.text("summary")).required(),
        FormField::select(
            "lineage",
            lang.t("cases.field.lineage").into(),
            f.get("lineage").unwrap_or_else(|| "original".into()),
            pairs(&[
                ("original", lang.t("cases.lineage.initial")),
                ("supplementary", lang.t("cases.lineage.supplementary_art30")),
                ("reappraisal", lang.t("cases.lineage.reappraisal_art31")),
            ]),
        )
        .required(),
        FormField::text(
            "parent_id",
            lang.t("cases.field.original_case").into(),
            f.text("parent_id"),
        )
        .typed("number")
        .help(lang.t("cases.help.original_case"))
        .hide_when("lineage", "original"),
        FormField::text(
            "original_opinion_code",
            lang.t("cases.field.original_opinion_code").into(),
            f.text("original_opinion_code"),
        )
        .help(lang.t("cases.help.original_opinion_code"))
        .hide_when("lineage", "original"),
        FormField::text(
            "original_verification_key",
            lang.t("cases.field.original_verification_key").into(),
            f.text("original_verification_key"),
        )
        .hide_when("lineage", "original"),
        FormField::text(
            "same_institution_reason",
            lang.t("cases.field.special_reason").into(),
            f.text("same_institution_reason"),
        )
        .hide_when("lineage", "original"),
        FormField::text(
            "received_on",
            lang.t("cases.field.received_material").into(),
            f.get("received_on").unwrap_or_else(|| today().to_string()),
        )
        .typed("date")
        .required(),
        FormField::text(
            "person_name",
            lang.t("cases.field.person_name").into(),
            f.text("person_name"),
        )
        .help(lang.t("cases.help.person_name")),
        FormField::text(
            "person_id",
            lang.t("cases.field.person_id").into(),
            f.text("person_id"),
        ),
    ]);
    let materials_help = if a.role().is_institution_staff() {
        lang.t("cases.help.materials_staff")
    } else {
        lang.t("cases.help.materials_organ")
    };
    fields.push(
        FormField::table(
            "materials",
            lang.t("cases.field.materials").into(),
            materials_table(a, lang, f),
        )
        .required()
        .help(materials_help),
    );
    fields
        .push(FormField::text("attachments", lang.t("cases.field.scans").into(), "").typed("file"));
    FormView {
        title: lang.t("cases.new").into(),
        intro: Some(lang.t("cases.help.materials").into()),
        action: "/cases/new".into(),
        hidden: Vec::new(),
        fields,
        errors: Vec::new(),
        submit: lang.t("cases.submit_commission").into(),
        cancel: "/cases".into(),
        confirm: false,
    }
}

pub async fn new_page(State(s): State<AppState>, PageUser(a, lang): PageUser) -> PageResult {
    a.require(Action::CommissionCase).or_page(lang)?;
    let mut f = FormData::default();
    if let Scope::Institution(id) = a.scope() {
        f.0.push(("institution_id".into(), id.to_string()));
    }
    // An organ commissions in its own name and kind.
    if let Scope::Organ(id) = a.scope()
        && let Ok(o) = sijian_store::organs::get(&s.db, &Scope::All, id).await
    {
        f.0.push(("client_name".into(), o.name));
        f.0.push(("client_kind".into(), o.kind.as_str().to_string()));
    }
    let v = commission_form(&s, &a, lang, &f).await;
    Ok(form_page(&a, lang, "/cases", v))
}

pub(super) fn commission_body(f: &FormData, files: &[UploadedFile]) -> CommissionBody {
    let materials = material_rows(f)
        .into_iter()
        .map(
            |[name, kind, quantity, condition, storage, received_at]| NewMaterial {
                name,
                kind,
                quantity,
                condition,
                storage,
                received_at,
            },
        )
        .collect();
    let persons = if f.text("person_name").trim().is_empty() {
        Vec::new()
    } else {
        vec![PersonInput {
            name: f.text("person_name"),
            id_number: f.get("person_id"),
        }]
    };
    CommissionBody {
        institution_id: f.int("institution_id"),
        organ_id: f.int("organ_id"),
        client_name: f.text("client_name"),
        client_kind: f.text("client_kind"),
        client_contact: f.text("client_contact"),
        case_number: f.get("case_number"),
        case_type: f.text("case_type"),
        items: f.all("items"),
        purpose: f.text("purpose"),
        summary: f.text("summary"),
        lineage: f.get("lineage"),
        parent_id: f.int("parent_id"),
        original_opinion_code: f.get("original_opinion_code"),
        original_verification_key: f.get("original_verification_key"),
        same_institution_reason: f
            .get("same_institution_reason")
            .filter(|r| !r.trim().is_empty()),
        received_on: f.get("received_on"),
        persons,
        materials,
        attachments: files
            .iter()
            .map(|x| AttachmentInput {
                name: x.file_name.clone(),
                content_type: x.content_type.clone(),
                data_base64: base64::engine::general_purpose::STANDARD.encode(&x.data),
                purpose: None,
            })
            .collect(),
    }
}

pub async fn new_submit(State(s): State<AppState>, p: MultipartPost) -> PageResult {
    let (a, lang) = (&p.user, p.lang);
    a.require_write(Action::CommissionCase).or_page(lang)?;
    let body = commission_body(&p.form, &p.files);
    match sijian_service::cases::commission(&s, a, &body).await {
        Ok(c) => Ok(redirect(&format!("/cases/{}?saved=case.commission", c.id))),
        Err(e) => {
            let v = commission_form(&s, a, lang, &p.form).await;
            Err(form_refused(a, lang, "/cases", v, e))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Printable documents (司发通〔2016〕112号)
// ---------------------------------------------------------------------------------------------
