//! The commission form (委托): the organ's entrustment of a case with its materials.
use super::*;

pub(super) async fn institution_opts(s: &AppState, a: &Authed) -> Vec<(String, String)> {
    cases::institution_options(&s.db)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|(id, ..)| match a.scope() {
            Scope::Institution(mine) => *id == mine,
            _ => true,
        })
        .map(|(id, name, region)| (id.to_string(), format!("{name}（{region}）")))
        .collect()
}

pub(super) const MATERIAL_ROWS: usize = 3;
pub(super) const MATERIAL_FIELDS: [(&str, &str); 6] = [
    ("name", "cases.material.name"),
    ("kind", "cases.material.kind"),
    ("quantity", "cases.material.quantity"),
    ("condition", "cases.material.condition"),
    ("storage", "cases.material.storage"),
    ("received_at", "cases.material.received_at"),
];

pub(super) fn material_field(i: usize, key: &str) -> &'static str {
    // Field names must be 'static for the form; the three rows are spelled out.
    const NAMES: [[&str; 6]; MATERIAL_ROWS] = [
        [
            "m0_name",
            "m0_kind",
            "m0_quantity",
            "m0_condition",
            "m0_storage",
            "m0_received_at",
        ],
        [
            "m1_name",
            "m1_kind",
            "m1_quantity",
            "m1_condition",
            "m1_storage",
            "m1_received_at",
        ],
        [
            "m2_name",
            "m2_kind",
            "m2_quantity",
            "m2_condition",
            "m2_storage",
            "m2_received_at",
        ],
    ];
    let k = MATERIAL_FIELDS
        .iter()
        .position(|(n, _)| *n == key)
        .unwrap_or(0);
    NAMES[i][k]
}

pub(super) async fn commission_form(
    s: &AppState,
    a: &Authed,
    lang: Lang,
    f: &FormData,
) -> FormView {
    let mut fields = vec![
        FormField::select(
            "institution_id",
            lang.t("cases.field.institution").into(),
            f.text("institution_id"),
            institution_opts(s, a).await,
        )
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
        .help(lang.t("cases.help.original_case")),
        FormField::text(
            "original_opinion_code",
            lang.t("cases.field.original_opinion_code").into(),
            f.text("original_opinion_code"),
        )
        .help(lang.t("cases.help.original_opinion_code")),
        FormField::text(
            "original_verification_key",
            lang.t("cases.field.original_verification_key").into(),
            f.text("original_verification_key"),
        ),
        FormField::text(
            "same_institution_reason",
            lang.t("cases.field.special_reason").into(),
            f.text("same_institution_reason"),
        ),
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
    for i in 0..MATERIAL_ROWS {
        for (key, label) in MATERIAL_FIELDS {
            let name = material_field(i, key);
            let mut fld = FormField::text(
                name,
                lang.tf(
                    "cases.material.field",
                    &[("n", &(i + 1).to_string()), ("field", lang.t(label))],
                ),
                f.text(name),
            );
            if key == "received_at" {
                fld = fld.help(lang.t("cases.help.received_at"));
            }
            fields.push(fld);
        }
    }
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
    if let (Scope::Organ(_), Some(name)) = (
        a.scope(),
        cases::organ_name(&s.db, a.principal.organ_id.unwrap_or(0))
            .await
            .ok()
            .flatten(),
    ) {
        f.0.push(("client_name".into(), name));
    }
    let v = commission_form(&s, &a, lang, &f).await;
    Ok(form_page(&a, lang, "/cases", v))
}

pub(super) fn commission_body(f: &FormData, files: &[UploadedFile]) -> CommissionBody {
    let materials = (0..MATERIAL_ROWS)
        .filter(|i| !f.text(material_field(*i, "name")).trim().is_empty())
        .map(|i| NewMaterial {
            name: f.text(material_field(i, "name")),
            kind: f.text(material_field(i, "kind")),
            quantity: f.text(material_field(i, "quantity")),
            condition: f.text(material_field(i, "condition")),
            storage: f.text(material_field(i, "storage")),
            received_at: f.text(material_field(i, "received_at")),
        })
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
        Ok(c) => Ok(redirect(&format!("/cases/{}?saved=1", c.id))),
        Err(e) => {
            let v = commission_form(&s, a, lang, &p.form).await;
            Err(form_refused(a, lang, "/cases", v, e))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Printable documents (司发通〔2016〕112号)
// ---------------------------------------------------------------------------------------------
